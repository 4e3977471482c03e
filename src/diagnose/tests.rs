//! Every mistake in the catalogue, made on purpose, is diagnosed as exactly that mistake.

use super::*;
use crate::encoding::{parse_query, ParamList, PlusMeans};
use crate::request::Scheme;

const SECRET: &str = "1234567890";

/// A request on which every mistake changes the string to sign: spaces, `~`, `*`, `(`,
/// commas, an empty value, names whose byte order differs from case-insensitive order and
/// from decoded order, and numbered list names.
const RICH_QUERY: &str = "Service=AWSECommerceService&AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&AssociateTag=mytag-20\
&Operation=ItemSearch&Keywords=harry+potter%2A&Title=a~b+%28c%29&SearchIndex=Books&Item.1=x&Item.10=y&Item.2=z\
&alpha=1&Zeta=2&a%C3%A9=4&a~=5&Empty=&ResponseGroup=Images%2CItemAttributes&Timestamp=2014-08-18T12%3A00%3A00Z";

struct Case {
    method: &'static str,
    host: &'static str,
    path: &'static str,
    query: String,
}

fn case_for(m: Mistake) -> Case {
    let base = Case { method: "GET", host: "webservices.amazon.com", path: "/onca/xml", query: RICH_QUERY.to_owned() };
    match m {
        Mistake::HostPortDropped | Mistake::HostWithScheme => Case { host: "127.0.0.1:8080", ..base },
        Mistake::HostNotLowercased => Case { host: "WebServices.Amazon.com", ..base },
        Mistake::EmptyPathNotSlash => Case { path: "/", ..base },
        Mistake::RawFormBodySigned => Case { method: "POST", ..base },
        Mistake::Sha256InsteadOfSha1 => Case { query: format!("{RICH_QUERY}&SignatureMethod=HmacSHA1"), ..base },
        _ => base,
    }
}

fn params_of(c: &Case) -> ParamList {
    parse_query(c.query.as_bytes(), PlusMeans::Space).unwrap()
}

/// Signs `c` with `mistakes`, attaches the signature as it would arrive, and diagnoses.
fn diagnose_case(c: &Case, mistakes: &[Mistake]) -> Diagnosis {
    let secret = SecretKey::new(SECRET);
    let mut params = params_of(c);
    // The transport mistake needs a '+' in the signature: vary a nonce until there is one.
    for nonce in 0.. {
        let mut attempt = params.clone();
        attempt.push("Nonce", nonce.to_string());
        let view =
            RequestView { method: c.method, scheme: Scheme::Https, host: c.host, path: c.path, params: &attempt };
        if let Some(sig) = sign_with_mistakes(&view, &secret, SignatureMethod::HmacSha256, mistakes) {
            attempt.push(sigv2::SIGNATURE_PARAM, sig);
            params = attempt;
            break;
        }
        assert!(nonce < 200, "{mistakes:?} cannot apply to this request");
    }
    let view = RequestView { method: c.method, scheme: Scheme::Https, host: c.host, path: c.path, params: &params };
    diagnose(&view, &secret, SignatureMethod::HmacSha256)
}

#[test]
fn every_mistake_is_diagnosed_as_itself() {
    let mut failures = Vec::new();
    for m in Mistake::ALL {
        let d = diagnose_case(&case_for(m), &[m]);
        let singles: Vec<Mistake> =
            d.findings.iter().filter(|f| f.mistakes.len() == 1).map(|f| f.mistakes[0]).collect();
        if singles != [m] || d.best().map(|f| f.mistakes.as_slice()) != Some(&[m][..]) {
            failures.push(format!("{m}: diagnosed as {singles:?} (header {})", d.header_value()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn pairs_of_mistakes_are_diagnosed_as_the_pair() {
    let pairs = [
        [Mistake::SpaceAsPlus, Mistake::TildeEncoded],
        [Mistake::NotSorted, Mistake::LowercaseHex],
        [Mistake::HostDefaultPortAdded, Mistake::SecretTrailingNewline],
        [Mistake::TimestampNotSigned, Mistake::Sha1InsteadOfSha256],
        [Mistake::CaseInsensitiveSort, Mistake::SignaturePlusNotEncoded],
        [Mistake::SubDelimsLowercaseHex, Mistake::TildeEncoded],
    ];
    for pair in pairs {
        let d = diagnose_case(&case_for(pair[0]), &pair);
        let mut want = pair.to_vec();
        want.sort();
        assert_eq!(d.best().map(|f| f.mistakes.clone()), Some(want), "{pair:?}: {}", d.header_value());
    }
}

#[test]
fn a_wrong_secret_is_unknown_and_says_so() {
    let c = case_for(Mistake::SpaceAsPlus);
    let mut params = params_of(&c);
    let view = RequestView { method: c.method, scheme: Scheme::Https, host: c.host, path: c.path, params: &params };
    let sig = sigv2::sign(&view, SignatureMethod::HmacSha256, &SecretKey::new("not the secret")).signature;
    params.push(sigv2::SIGNATURE_PARAM, sig);
    let view = RequestView { method: c.method, scheme: Scheme::Https, host: c.host, path: c.path, params: &params };
    let d = diagnose(&view, &SecretKey::new(SECRET), SignatureMethod::HmacSha256);
    assert!(d.findings.is_empty());
    assert_eq!(d.header_value(), "unknown");
    assert!(d.to_string().starts_with("No known mistake reproduces the signature"));
}

#[test]
fn the_explanation_shows_both_strings() {
    let c = case_for(Mistake::SpaceAsPlus);
    let d = diagnose_case(&c, &[Mistake::SpaceAsPlus]);
    insta::assert_snapshot!(d.to_string());
}

#[test]
fn ids_round_trip() {
    for m in Mistake::ALL {
        assert_eq!(Mistake::from_id(m.id()), Some(m));
    }
}
