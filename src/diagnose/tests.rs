//! Every mistake in the catalogue, made on purpose, is diagnosed as exactly that mistake.

use super::v2::*;
use super::*;
use crate::crypto::SecretKey;
use crate::encoding::{parse_query, ParamList, PlusMeans};
use crate::request::Scheme;
use crate::sigv2;

/// The SigV2 diagnosis with the default budget.
fn diagnose(view: &RequestView<'_>, secret: &SecretKey, default_method: SignatureMethod) -> Diagnosis {
    super::diagnose(Subject::V2 { view: *view, default_method }, secret, Budget::DEFAULT)
}

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
        HOST_PORT_DROPPED | HOST_WITH_SCHEME => Case { host: "127.0.0.1:8080", ..base },
        HOST_NOT_LOWERCASED => Case { host: "WebServices.Amazon.com", ..base },
        EMPTY_PATH_NOT_SLASH => Case { path: "/", ..base },
        RAW_FORM_BODY_SIGNED => Case { method: "POST", ..base },
        SHA256_INSTEAD_OF_SHA1 => Case { query: format!("{RICH_QUERY}&SignatureMethod=HmacSHA1"), ..base },
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
    for m in ALL {
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
        [SPACE_AS_PLUS, TILDE_ENCODED],
        [NOT_SORTED, LOWERCASE_HEX],
        [HOST_DEFAULT_PORT_ADDED, SECRET_TRAILING_NEWLINE],
        [TIMESTAMP_NOT_SIGNED, SHA1_INSTEAD_OF_SHA256],
        [CASE_INSENSITIVE_SORT, SIGNATURE_PLUS_NOT_ENCODED],
        [SUB_DELIMS_LOWERCASE_HEX, TILDE_ENCODED],
        // amazon-product-api's two encoding bugs together (clients/FINDINGS.md F1, F9);
        // python-amazon-mws's with an http:// domain (F6, F9).
        [NAMES_NOT_ENCODED, SUB_DELIMS_LOWERCASE_HEX],
        [NAMES_NOT_ENCODED, HOST_WITH_SCHEME],
        [NAMES_NOT_ENCODED, SPACE_AS_PLUS],
    ];
    for pair in pairs {
        let d = diagnose_case(&case_for(pair[0]), &pair);
        let mut want = pair.to_vec();
        want.sort();
        assert_eq!(d.best().map(|f| f.mistakes.clone()), Some(want), "{pair:?}: {}", d.header_value());
    }
}

/// The parameters of `c` signed with a secret that is not the key's (no mistake explains
/// the signature: the search's worst case).
fn signed_with_wrong_secret(c: &Case) -> ParamList {
    let mut params = params_of(c);
    let view = RequestView { method: c.method, scheme: Scheme::Https, host: c.host, path: c.path, params: &params };
    let sig = sigv2::sign(&view, SignatureMethod::HmacSha256, &SecretKey::new("not the secret")).signature;
    params.push(sigv2::SIGNATURE_PARAM, sig);
    params
}

#[test]
fn a_wrong_secret_is_unknown_and_says_so() {
    let c = case_for(SPACE_AS_PLUS);
    let params = signed_with_wrong_secret(&c);
    let view = RequestView { method: c.method, scheme: Scheme::Https, host: c.host, path: c.path, params: &params };
    let d = diagnose(&view, &SecretKey::new(SECRET), SignatureMethod::HmacSha256);
    assert!(d.findings.is_empty());
    assert_eq!(d.header_value(), "unknown");
    assert!(d.to_string().starts_with("No known mistake reproduces the signature"));
}

#[test]
fn the_explanation_shows_both_strings() {
    let c = case_for(SPACE_AS_PLUS);
    let d = diagnose_case(&c, &[SPACE_AS_PLUS]);
    insta::assert_snapshot!(d.to_string());
}

#[test]
fn ids_round_trip() {
    for m in ALL {
        assert_eq!(Mistake::from_id(m.id()), Some(m));
    }
}

/// The search before it was made cheap, verbatim but for names: every candidate set, every
/// variant built and signed from scratch. The memoised search must find exactly what it
/// finds, with the same strings.
fn unoptimised(req: &RequestView<'_>, secret: &SecretKey, default: SignatureMethod) -> Vec<(Vec<Mistake>, String)> {
    let correct = Recipe::correct(default);
    let correct_sts = correct.string_to_sign(req);
    let given = req.params.get(sigv2::SIGNATURE_PARAM).unwrap_or_default();
    let mut findings: Vec<(Vec<Mistake>, String)> = Vec::new();
    for set in candidate_sets(SchemeId::V2Query) {
        let Some(recipe) = correct.with(&set, req) else { continue };
        let transport = set.contains(&SIGNATURE_PLUS_NOT_ENCODED);
        let reproduces = |expected: &str| {
            if transport {
                expected.contains('+') && expected.replace('+', " ") == given
            } else {
                expected == given
            }
        };
        for sts in recipe.strings_to_sign(req) {
            let changes_something =
                sts != correct_sts || recipe.algorithm().is_some() || recipe.changes_secret() || transport;
            let redundant = set.len() == 2 && findings.iter().any(|f| f.0.len() == 1 && set.contains(&f.0[0]));
            if !changes_something || redundant {
                continue;
            }
            if recipe.signatures(req, secret, &sts).iter().any(|s| reproduces(s)) {
                findings.push((set.clone(), sts));
                break;
            }
        }
    }
    findings
}

/// What the memoised search finds, in the same shape.
fn found(d: &Diagnosis) -> Vec<(Vec<Mistake>, String)> {
    d.findings.iter().map(|f| (f.mistakes.clone(), f.client_string_to_sign.clone())).collect()
}

#[test]
fn the_memoised_search_finds_what_the_unoptimised_one_finds() {
    let secret = SecretKey::new(SECRET);
    let mut sets: Vec<Vec<Mistake>> = ALL.iter().map(|m| vec![*m]).collect();
    sets.extend([
        vec![SPACE_AS_PLUS, TILDE_ENCODED],
        vec![NOT_SORTED, LOWERCASE_HEX],
        vec![HOST_DEFAULT_PORT_ADDED, SECRET_TRAILING_NEWLINE],
    ]);
    for set in sets {
        let c = case_for(set[0]);
        let mut params = params_of(&c);
        let view = RequestView { method: c.method, scheme: Scheme::Https, host: c.host, path: c.path, params: &params };
        let Some(sig) = sign_with_mistakes(&view, &secret, SignatureMethod::HmacSha256, &set) else { continue };
        params.push(sigv2::SIGNATURE_PARAM, sig);
        let view = RequestView { method: c.method, scheme: Scheme::Https, host: c.host, path: c.path, params: &params };
        let d = diagnose(&view, &secret, SignatureMethod::HmacSha256);
        assert!(!d.budget_exhausted, "{set:?}");
        assert_eq!(found(&d), unoptimised(&view, &secret, SignatureMethod::HmacSha256), "{set:?}");
    }
}

#[test]
fn a_spent_budget_stops_the_search_and_says_so() {
    let c = case_for(SPACE_AS_PLUS);
    let params = signed_with_wrong_secret(&c);
    let view = RequestView { method: c.method, scheme: Scheme::Https, host: c.host, path: c.path, params: &params };
    let subject = Subject::V2 { view, default_method: SignatureMethod::HmacSha256 };
    let secret = SecretKey::new(SECRET);
    let d = super::diagnose(subject, &secret, Budget { max_bytes: 10_000 });
    assert!(d.budget_exhausted && d.findings.is_empty());
    assert_eq!(d.header_value(), "unknown; budget-exhausted");
    assert!(d.to_string().starts_with("No known mistake reproduces the signature within the search budget"), "{d}");
    let full = super::diagnose(subject, &secret, Budget::UNLIMITED);
    assert!(!full.budget_exhausted && full.header_value() == "unknown");
    assert_eq!(full, super::diagnose(subject, &secret, Budget::DEFAULT), "the default budget covers a rich request");
    // A budget that runs out after a single mistake was found keeps the finding.
    let d = diagnose_case(&c, &[SPACE_AS_PLUS]);
    assert_eq!(d.header_value(), "space-as-plus");
}

#[test]
fn a_signature_no_hmac_can_give_is_not_searched() {
    let c = case_for(SPACE_AS_PLUS);
    let mut params = params_of(&c);
    params.push(sigv2::SIGNATURE_PARAM, "c2hvcnQ=");
    let view = RequestView { method: c.method, scheme: Scheme::Https, host: c.host, path: c.path, params: &params };
    let subject = Subject::V2 { view, default_method: SignatureMethod::HmacSha256 };
    // Nothing is built or hashed: even no budget at all is enough.
    let d = super::diagnose(subject, &SecretKey::new(SECRET), Budget { max_bytes: 0 });
    assert!(d.findings.is_empty() && !d.budget_exhausted);
    assert_eq!(d.header_value(), "unknown");
}

mod differential {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(proptest::test_runner::Config { cases: 128, ..proptest::test_runner::Config::default() })]

        /// On arbitrary requests signed with arbitrary mistakes (or the wrong secret), the
        /// memoised search finds exactly what the unoptimised one finds.
        #[test]
        fn the_memoised_search_is_the_unoptimised_one(
            params in proptest::collection::vec(("[A-Za-z.~*(]{1,6}", "[a-z ~*(),é%]{0,6}"), 1..6),
            method in proptest::sample::select(vec!["GET", "POST"]),
            host in proptest::sample::select(vec!["webservices.amazon.com", "Mws.Example:443", "127.0.0.1:8080"]),
            path in proptest::sample::select(vec!["", "/", "/onca/xml"]),
            first in 0..ALL.len() + 1,
            second in 0..ALL.len() + 1,
            timestamp in any::<bool>(),
        ) {
            let mut list: ParamList = params.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
            if timestamp {
                list.push("Timestamp", "2014-08-18T12:00:00Z");
            }
            let mistakes: Vec<Mistake> = [first, second].iter().filter_map(|&i| ALL.get(i).copied()).collect();
            let secret = SecretKey::new(SECRET);
            let view = RequestView { method, scheme: Scheme::Https, host, path, params: &list };
            let sig = if mistakes.is_empty() {
                Some(sigv2::sign(&view, SignatureMethod::HmacSha256, &SecretKey::new("wrong")).signature)
            } else {
                sign_with_mistakes(&view, &secret, SignatureMethod::HmacSha256, &mistakes)
            };
            if let Some(sig) = sig {
                list.push(sigv2::SIGNATURE_PARAM, sig);
                let view = RequestView { method, scheme: Scheme::Https, host, path, params: &list };
                let d = diagnose(&view, &secret, SignatureMethod::HmacSha256);
                prop_assert!(!d.budget_exhausted);
                prop_assert_eq!(found(&d), unoptimised(&view, &secret, SignatureMethod::HmacSha256));
            }
        }
    }
}
