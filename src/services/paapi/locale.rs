//! PA-API locales: which endpoint hosts serve which locale, and the locale's retail site,
//! store name, currency and price format.
//!
//! Hosts: PA-API Developer Guide 2009-11-01 and 2011-08-01, "Anatomy of a REST Request"
//! (`ecs.amazonaws.{com,ca,co.uk,de,fr,jp}`, https via `aws.amazonaws.{tld}` in 2009;
//! `webservices.amazon.{com,cn,es,it}` in 2011) and the 2013-era client host tables
//! (lionheart/bottlenose `bottlenose/api.py`, redtoad/python-amazon-product-api
//! `amazonproduct/api.py`: `webservices.amazon.{ca,co.uk,de,fr,co.jp,in,com.br,com.mx,
//! com.au}`). The locale is chosen by the host (DG "Locales").
//!
//! Currencies, store names (`SellerNickname`) and price formats of us, ca, uk, de, fr,
//! it, es, jp and cn are as recorded live (redtoad `tests/2011-08-01/CartCreate-*-create-
//! cart.xml`: `$114.50`, `CDN$ 112.95`, `£45.89`, `EUR 47,30`, `￥ 5,546`, `￥ 14.50`). The
//! formats of in, br, mx and au were not captured; they are our choice (`INR 1,234.56`,
//! `R$ 1.234,56`, `$1,234.56`).

use std::fmt::Write as _;

/// The language of in-band error messages (DG "Error Messages": English for most
/// locales, Japanese for JP; confirmed by redtoad `tests/2011-08-01/*-jp-*.xml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    /// English.
    En,
    /// Japanese.
    Ja,
}

/// How a locale writes amounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PriceFormat {
    /// Text before the number (`$`, `EUR `, `￥ `).
    pub prefix: &'static str,
    /// Thousands separator.
    pub thousands: char,
    /// Decimal separator.
    pub decimal: char,
    /// Digits after the decimal separator (0 for JPY).
    pub decimals: u32,
}

/// A PA-API locale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Locale {
    /// The locale code (`us`, `uk`, ...; `keystore::PAAPI_LOCALES`).
    pub code: &'static str,
    /// Endpoint hosts, current first.
    pub hosts: &'static [&'static str],
    /// The retail site's host (`www.amazon.co.uk`).
    pub retail_host: &'static str,
    /// The store's name as a merchant (`Amazon.co.uk`).
    pub store_name: &'static str,
    /// ISO 4217 currency code.
    pub currency: &'static str,
    /// Price format.
    pub price_format: PriceFormat,
    /// The Associates Central host (for the "register as an associate" message).
    pub associates_host: &'static str,
    /// First digit of this locale's cart ids (observed: US `178-…`, EU `27x-…`, JP
    /// `378-…`, CN `479-…`).
    pub cart_id_digit: char,
    /// Language of in-band messages.
    pub lang: Lang,
}

const DOLLAR: PriceFormat = PriceFormat { prefix: "$", thousands: ',', decimal: '.', decimals: 2 };
const EURO: PriceFormat = PriceFormat { prefix: "EUR ", thousands: '.', decimal: ',', decimals: 2 };

/// Every locale, in `keystore::PAAPI_LOCALES` order.
pub(crate) const LOCALES: &[Locale] = &[
    Locale {
        code: "us",
        hosts: &["webservices.amazon.com", "ecs.amazonaws.com", "aws.amazonaws.com"],
        retail_host: "www.amazon.com",
        store_name: "Amazon.com",
        currency: "USD",
        price_format: DOLLAR,
        associates_host: "affiliate-program.amazon.com",
        cart_id_digit: '1',
        lang: Lang::En,
    },
    Locale {
        code: "ca",
        hosts: &["webservices.amazon.ca", "ecs.amazonaws.ca", "aws.amazonaws.ca"],
        retail_host: "www.amazon.ca",
        store_name: "Amazon.ca",
        currency: "CAD",
        price_format: PriceFormat { prefix: "CDN$ ", ..DOLLAR },
        associates_host: "associates.amazon.ca",
        cart_id_digit: '1',
        lang: Lang::En,
    },
    Locale {
        code: "uk",
        hosts: &["webservices.amazon.co.uk", "ecs.amazonaws.co.uk", "aws.amazonaws.co.uk"],
        retail_host: "www.amazon.co.uk",
        store_name: "Amazon.co.uk",
        currency: "GBP",
        price_format: PriceFormat { prefix: "£", ..DOLLAR },
        associates_host: "affiliate-program.amazon.co.uk",
        cart_id_digit: '2',
        lang: Lang::En,
    },
    Locale {
        code: "de",
        hosts: &["webservices.amazon.de", "ecs.amazonaws.de", "aws.amazonaws.de"],
        retail_host: "www.amazon.de",
        store_name: "Amazon.de",
        currency: "EUR",
        price_format: EURO,
        associates_host: "partnernet.amazon.de",
        cart_id_digit: '2',
        lang: Lang::En,
    },
    Locale {
        code: "fr",
        hosts: &["webservices.amazon.fr", "ecs.amazonaws.fr", "aws.amazonaws.fr"],
        retail_host: "www.amazon.fr",
        store_name: "Amazon.fr",
        currency: "EUR",
        price_format: EURO,
        associates_host: "partenaires.amazon.fr",
        cart_id_digit: '2',
        lang: Lang::En,
    },
    Locale {
        code: "it",
        hosts: &["webservices.amazon.it"],
        retail_host: "www.amazon.it",
        store_name: "Amazon.it",
        currency: "EUR",
        price_format: EURO,
        associates_host: "programma-affiliazione.amazon.it",
        cart_id_digit: '2',
        lang: Lang::En,
    },
    Locale {
        code: "es",
        hosts: &["webservices.amazon.es"],
        retail_host: "www.amazon.es",
        store_name: "Amazon.es",
        currency: "EUR",
        price_format: EURO,
        associates_host: "afiliados.amazon.es",
        cart_id_digit: '2',
        lang: Lang::En,
    },
    Locale {
        code: "jp",
        hosts: &["webservices.amazon.co.jp", "ecs.amazonaws.jp", "aws.amazonaws.jp"],
        retail_host: "www.amazon.co.jp",
        store_name: "Amazon.co.jp",
        currency: "JPY",
        price_format: PriceFormat { prefix: "\u{FFE5} ", thousands: ',', decimal: '.', decimals: 0 },
        associates_host: "affiliate.amazon.co.jp",
        cart_id_digit: '3',
        lang: Lang::Ja,
    },
    Locale {
        code: "in",
        hosts: &["webservices.amazon.in"],
        retail_host: "www.amazon.in",
        store_name: "Amazon.in",
        currency: "INR",
        price_format: PriceFormat { prefix: "INR ", ..DOLLAR },
        associates_host: "affiliate-program.amazon.in",
        cart_id_digit: '2',
        lang: Lang::En,
    },
    Locale {
        code: "br",
        hosts: &["webservices.amazon.com.br"],
        retail_host: "www.amazon.com.br",
        store_name: "Amazon.com.br",
        currency: "BRL",
        price_format: PriceFormat { prefix: "R$ ", ..EURO },
        associates_host: "associados.amazon.com.br",
        cart_id_digit: '1',
        lang: Lang::En,
    },
    Locale {
        code: "mx",
        hosts: &["webservices.amazon.com.mx"],
        retail_host: "www.amazon.com.mx",
        store_name: "Amazon.com.mx",
        currency: "MXN",
        price_format: DOLLAR,
        associates_host: "afiliados.amazon.com.mx",
        cart_id_digit: '1',
        lang: Lang::En,
    },
    Locale {
        code: "au",
        hosts: &["webservices.amazon.com.au"],
        retail_host: "www.amazon.com.au",
        store_name: "Amazon.com.au",
        currency: "AUD",
        price_format: DOLLAR,
        associates_host: "affiliate-program.amazon.com.au",
        cart_id_digit: '3',
        lang: Lang::En,
    },
    Locale {
        code: "cn",
        hosts: &["webservices.amazon.cn"],
        retail_host: "www.amazon.cn",
        store_name: "Amazon.cn",
        currency: "CNY",
        price_format: PriceFormat { prefix: "\u{FFE5} ", thousands: ',', decimal: '.', decimals: 2 },
        associates_host: "associates.amazon.cn",
        cart_id_digit: '4',
        lang: Lang::En,
    },
];

/// The locale of an endpoint host (lowercase, no port).
pub(crate) fn for_host(host: &str) -> Option<&'static Locale> {
    LOCALES.iter().find(|l| l.hosts.contains(&host))
}

/// The locale with this code.
pub(crate) fn by_code(code: &str) -> Option<&'static Locale> {
    LOCALES.iter().find(|l| l.code == code)
}

impl Locale {
    /// `FormattedPrice` for an amount in minor units (`6001` → `$60.01`, `4730` →
    /// `EUR 47,30`, `5546` → `￥ 5,546`).
    pub(crate) fn format_price(&self, amount: i64) -> String {
        let f = self.price_format;
        let scale = 10_i64.pow(f.decimals);
        let (sign, abs) = if amount < 0 { ("-", amount.unsigned_abs()) } else { ("", amount.unsigned_abs()) };
        let scale = scale.unsigned_abs();
        let whole = (abs / scale).to_string();
        let mut grouped = String::new();
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                grouped.push(f.thousands);
            }
            grouped.push(c);
        }
        let mut out = format!("{sign}{}{grouped}", f.prefix);
        if f.decimals > 0 {
            let width = usize::try_from(f.decimals).unwrap_or(2);
            out.push(f.decimal);
            let _ = write!(out, "{:0width$}", abs % scale);
        }
        out
    }

    /// `http://www.amazon.…`, the base of item links (recorded 2011-08-01 links use http).
    pub(crate) fn retail_base(&self) -> String {
        format!("http://{}", self.retail_host)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_keystore_locale_has_exactly_one_entry_and_hosts_are_unique() {
        let codes: Vec<_> = LOCALES.iter().map(|l| l.code).collect();
        assert_eq!(codes, crate::keystore::PAAPI_LOCALES);
        let mut hosts: Vec<_> = LOCALES.iter().flat_map(|l| l.hosts.iter()).collect();
        let n = hosts.len();
        hosts.sort();
        hosts.dedup();
        assert_eq!(hosts.len(), n);
    }

    #[test]
    fn prices_format_like_the_recorded_responses() {
        let cases = [
            ("us", 6001, "$60.01"),
            ("us", 123_456_789, "$1,234,567.89"),
            ("ca", 11295, "CDN$ 112.95"),
            ("uk", 4589, "£45.89"),
            ("de", 4730, "EUR 47,30"),
            ("de", 123_456, "EUR 1.234,56"),
            ("jp", 5546, "\u{FFE5} 5,546"),
            ("jp", 11092, "\u{FFE5} 11,092"),
            ("cn", 1450, "\u{FFE5} 14.50"),
            ("us", 5, "$0.05"),
        ];
        for (code, amount, want) in cases {
            assert_eq!(by_code(code).unwrap().format_price(amount), want, "{code} {amount}");
        }
    }
}
