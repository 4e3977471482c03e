//! PA-API 5.0 locales: the endpoint host, the SigV4 region and the marketplace of each.
//!
//! Sources: PA-API 5.0 "Locale Reference" (webservices.amazon.com/paapi5/documentation/
//! locale-reference.html: the locales and their `www.amazon.*` marketplaces) and "Common
//! Request Parameters", "Host and Region" (common-request-parameters.html#host-and-region:
//! "webservices.amazon.{tld}" hosts, regions us-east-1 for the Americas, eu-west-1 for
//! Europe, India and the Middle East, us-west-2 for Japan and Australia); the same table
//! in hakanensari/vacuum `lib/vacuum.rb` (`MARKETPLACES`: host and region per locale) and
//! reference/protocols.md §5.1. Only the locales amzsig's keystore knows (its Associate
//! tags are per locale code) are served; China has no PA-API 5.0 endpoint.

/// A PA-API 5.0 locale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Locale5 {
    /// The locale code (`keystore::PAAPI_LOCALES`).
    pub code: &'static str,
    /// The endpoint host.
    pub host: &'static str,
    /// The SigV4 region of the credential scope.
    pub region: &'static str,
    /// The `Marketplace` value (the retail site's host).
    pub marketplace: &'static str,
    /// ISO 4217 currency of the marketplace.
    pub currency: &'static str,
    /// The default language of preference (Locale Reference, "Valid Languages").
    pub language: &'static str,
}

const fn l(
    code: &'static str,
    host: &'static str,
    region: &'static str,
    marketplace: &'static str,
    currency: &'static str,
    language: &'static str,
) -> Locale5 {
    Locale5 { code, host, region, marketplace, currency, language }
}

/// Every locale served, US first (the default).
pub(crate) const LOCALES: &[Locale5] = &[
    l("us", "webservices.amazon.com", "us-east-1", "www.amazon.com", "USD", "en_US"),
    l("ca", "webservices.amazon.ca", "us-east-1", "www.amazon.ca", "CAD", "en_CA"),
    l("mx", "webservices.amazon.com.mx", "us-east-1", "www.amazon.com.mx", "MXN", "es_MX"),
    l("br", "webservices.amazon.com.br", "us-east-1", "www.amazon.com.br", "BRL", "pt_BR"),
    l("uk", "webservices.amazon.co.uk", "eu-west-1", "www.amazon.co.uk", "GBP", "en_GB"),
    l("de", "webservices.amazon.de", "eu-west-1", "www.amazon.de", "EUR", "de_DE"),
    l("fr", "webservices.amazon.fr", "eu-west-1", "www.amazon.fr", "EUR", "fr_FR"),
    l("it", "webservices.amazon.it", "eu-west-1", "www.amazon.it", "EUR", "it_IT"),
    l("es", "webservices.amazon.es", "eu-west-1", "www.amazon.es", "EUR", "es_ES"),
    l("in", "webservices.amazon.in", "eu-west-1", "www.amazon.in", "INR", "en_IN"),
    l("jp", "webservices.amazon.co.jp", "us-west-2", "www.amazon.co.jp", "JPY", "ja_JP"),
    l("au", "webservices.amazon.com.au", "us-west-2", "www.amazon.com.au", "AUD", "en_AU"),
];

/// The locale whose endpoint host is `host` (lowercase, no port).
pub(crate) fn for_host(host: &str) -> Option<&'static Locale5> {
    LOCALES.iter().find(|l| l.host == host)
}

/// The locale with code `code`.
pub(crate) fn by_code(code: &str) -> Option<&'static Locale5> {
    LOCALES.iter().find(|l| l.code == code)
}
