//! Every SigV4 mistake in the catalogue, made on purpose by [`sign_with_mistakes`], is
//! diagnosed as exactly that mistake; a correct request has nothing to explain; the
//! verifier agrees with the diagnosis's "correct" computation.

use super::recipe::{date_header_as_amz, strip_port};
use super::*;
use crate::clock::UtcTime;
use crate::crypto::SingleKey;
use crate::diagnose::{Budget, Subject};
use crate::encoding::{parse_query, PlusMeans};
use crate::sigv4::{self, Payload, SigningParams, SigningSettings};
use proptest::prelude::*;

/// The SigV4 diagnosis with the default budget.
fn run_diagnosis(req: &SignableRequest<'_>, secret: &SecretKey, policy: &crate::sigv4::VerifyPolicy<'_>) -> Diagnosis {
    crate::diagnose::diagnose(Subject::V4 { request: *req, policy: *policy }, secret, Budget::DEFAULT)
}

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const BODY: &[u8] = b"Action=ListUsers&Version=2010-05-08";

/// A request on which every mistake changes something: a path with an escape, a dot
/// segment and a repeated slash; an unsorted query with a space, `/` and `~`; headers
/// sent unsorted, with mixed case, a value with inner spaces, a rewritable
/// `Content-Type`, and a `Date` header one minute before `X-Amz-Date`.
struct Case {
    host: &'static str,
    settings: SigningSettings,
    body: &'static [u8],
}

fn case_for(m: Mistake) -> Case {
    let base = Case { host: "example.amazonaws.com", settings: SigningSettings::default(), body: BODY };
    match m {
        HOST_PORT_DROPPED => Case { host: "127.0.0.1:8443", ..base },
        PATH_DOUBLE_ENCODED | PATH_NORMALIZED => Case { settings: SigningSettings::s3(), ..base },
        _ => base,
    }
}

fn headers_of(c: &Case) -> Vec<(String, String)> {
    [
        ("Host", c.host),
        ("Content-Type", "application/x-www-form-urlencoded"),
        ("X-Custom", "a   b\t c"),
        ("Date", "Sun, 30 Aug 2015 12:35:00 GMT"),
    ]
    .iter()
    .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
    .collect()
}

fn time() -> UtcTime {
    UtcTime::parse_iso8601("2015-08-30T12:36:00Z").unwrap()
}

/// The suite's signer (`AKIDEXAMPLE`, us-east-1, iam, at [`time`]) with `settings`.
fn params(secret: &SecretKey, settings: SigningSettings) -> SigningParams<'_> {
    SigningParams {
        access_key_id: "AKIDEXAMPLE",
        secret,
        session_token: None,
        region: "us-east-1",
        service: "iam",
        time: time(),
        settings,
    }
}

fn policy(settings: SigningSettings) -> crate::sigv4::VerifyPolicy<'static> {
    crate::sigv4::VerifyPolicy {
        expected_region: Some("us-east-1"),
        expected_service: Some("iam"),
        settings,
        ..crate::sigv4::VerifyPolicy::default()
    }
}

/// Signs the case with `mistakes` and returns what arrives: (headers, query).
fn signed(c: &Case, mistakes: &[Mistake]) -> Option<SignedRequest> {
    let secret = SecretKey::new(SECRET);
    let query = parse_query(b"b=2&a=hello%20world&c=x/y~", PlusMeans::Space).unwrap();
    let headers = headers_of(c);
    let req = SignableRequest {
        method: "POST",
        path: "/a//b/../c%20d",
        query: &query,
        headers: (&headers).into(),
        payload: Payload::Bytes(c.body),
    };
    let params = params(&secret, c.settings);
    sign_with_mistakes(&req, &params, mistakes)
}

/// What arrives at the server for the case signed as `s`.
fn received<'a>(c: &'a Case, s: &'a SignedRequest) -> SignableRequest<'a> {
    SignableRequest {
        method: "POST",
        path: "/a//b/../c%20d",
        query: &s.query,
        headers: (&s.headers).into(),
        payload: Payload::Bytes(c.body),
    }
}

fn diagnose_signed(c: &Case, s: &SignedRequest) -> Diagnosis {
    run_diagnosis(&received(c, s), &SecretKey::new(SECRET), &policy(c.settings))
}

#[test]
fn every_mistake_is_diagnosed_as_itself() {
    let mut wrong = Vec::new();
    for m in ALL {
        let c = case_for(m);
        let Some(s) = signed(&c, &[m]) else {
            wrong.push(format!("{m}: cannot be made on the test request"));
            continue;
        };
        let d = diagnose_signed(&c, &s);
        if d.best().map(|f| f.mistakes.as_slice()) != Some(&[m]) {
            wrong.push(format!("{m}: diagnosed as {} ({:?})", d.header_value(), d.problem));
            continue;
        }
        let best = d.best().unwrap();
        if best.client_canonical_request.as_deref() != Some(s.canonical_request.as_str())
            && !s.headers.iter().any(|(n, _)| n == "x-amz-content-sha256")
        {
            wrong.push(format!("{m}: the finding's canonical request is not the one the client signed"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn ids_are_unique_and_round_trip() {
    for m in ALL {
        assert_eq!(Mistake::from_id(m.id()), Some(m));
        assert!(m.id().starts_with("v4-") && crate::diagnose::SchemeId::V2Query.mistake(m.id()).is_none());
        assert!(!m.describe().is_empty() && !m.step().spec_name().is_empty());
    }
    let mut ids: Vec<_> = ALL.iter().map(|m| m.id()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), ALL.len());
}

#[test]
fn compatible_pairs_are_diagnosed_as_the_pair() {
    let pairs = [
        [WRONG_REGION, QUERY_NOT_SORTED],
        [HEADER_VALUES_NOT_TRIMMED, HEADER_SPACES_NOT_FOLDED],
        [PATH_NOT_DOUBLE_ENCODED, SECRET_WITHOUT_AWS4_PREFIX],
        [QUERY_SPACE_AS_PLUS, SIGNATURE_UPPERCASE_HEX],
        [HOST_PORT_ADDED, PAYLOAD_HASH_OF_EMPTY_BODY],
    ];
    for pair in pairs {
        assert!(pair[0].combines_with(pair[1]));
        let c = case_for(pair[0]);
        let s = signed(&c, &pair).unwrap();
        let d = diagnose_signed(&c, &s);
        assert_eq!(d.best().map(|f| f.mistakes.clone()), Some(pair.to_vec()), "{pair:?}: {}", d.header_value());
    }
    assert!(!QUERY_NOT_ENCODED.combines_with(QUERY_SPACE_AS_PLUS));
    assert!(!HOST_PORT_ADDED.combines_with(HOST_PORT_DROPPED));
}

#[test]
fn a_correct_request_verifies_and_has_nothing_to_explain() {
    for settings in [SigningSettings::default(), SigningSettings::s3(), SigningSettings::default().presigned(900)] {
        let c = Case { settings, ..case_for(WRONG_REGION) };
        let s = signed(&c, &[]).unwrap();
        let req = received(&c, &s);
        let secret = SecretKey::new(SECRET);
        let keys = SingleKey { id: None, secret: &secret };
        let verified = sigv4::verify(&req, &keys, time(), &policy(settings));
        assert!(verified.is_ok(), "{settings:?}: {verified:?}");
        let d = run_diagnosis(&req, &secret, &policy(settings));
        assert!(d.findings.is_empty() && d.problem.is_none(), "{settings:?}: {d}");
        assert_eq!(d.header_value(), "unknown");
        assert_eq!(d.correct_canonical_request, Some(s.canonical_request));
    }
}

#[test]
fn the_verifier_and_the_diagnosis_agree_on_the_right_canonical_request() {
    let c = case_for(QUERY_NOT_SORTED);
    let s = signed(&c, &[QUERY_NOT_SORTED]).unwrap();
    let req = SignableRequest {
        method: "POST",
        path: "/a//b/../c%20d",
        query: &s.query,
        headers: (&s.headers).into(),
        payload: Payload::Bytes(BODY),
    };
    let secret = SecretKey::new(SECRET);
    let Err(crate::sigv4::VerifyFailure::Mismatch { canonical_request, string_to_sign }) =
        sigv4::verify(&req, &SingleKey { id: None, secret: &secret }, time(), &policy(c.settings))
    else {
        panic!("expected a mismatch")
    };
    let d = run_diagnosis(&req, &secret, &policy(c.settings));
    assert_eq!(d.correct_canonical_request, Some(canonical_request.to_string()));
    assert_eq!(d.correct_string_to_sign, string_to_sign.to_string());
    let text = d.to_string();
    assert!(text.contains("v4-query-not-sorted"), "{text}");
    assert!(text.contains("CanonicalQueryString: the client has 'b=2&a=hello%20world&c=x%2Fy~"), "{text}");
    assert!(!SecretKey::new(SECRET).appears_in(&text), "secret leaked");
}

#[test]
fn s3_payload_mistakes_are_found_from_the_content_sha256_header() {
    for m in [PAYLOAD_HASH_OF_EMPTY_BODY, PAYLOAD_HASH_BEFORE_TRANSFORMATION] {
        let c = Case { settings: SigningSettings::s3(), ..case_for(m) };
        let s = signed(&c, &[m]).unwrap();
        let d = diagnose_signed(&c, &s);
        assert_eq!(d.header_value(), m.id(), "{d}");
    }
    let c = Case { settings: SigningSettings::s3(), ..case_for(UNSIGNED_PAYLOAD_NOT_ALLOWED) };
    assert!(signed(&c, &[UNSIGNED_PAYLOAD_NOT_ALLOWED]).is_none(), "S3 allows UNSIGNED-PAYLOAD");
}

#[test]
fn unreadable_requests_say_why() {
    let query = crate::encoding::ParamList::default();
    let headers = vec![("Host".to_owned(), "h".to_owned())];
    let req = SignableRequest {
        method: "GET",
        path: "/",
        query: &query,
        headers: (&headers).into(),
        payload: Payload::Bytes(b""),
    };
    let d = run_diagnosis(&req, &SecretKey::new(SECRET), &crate::sigv4::VerifyPolicy::default());
    assert!(d.problem.as_deref().unwrap().contains("no SigV4 signature"), "{d}");
    assert_eq!(d.header_value(), "unknown");
    let headers = vec![("Authorization".to_owned(), "AWS4-HMAC-SHA256 Credential=x".to_owned())];
    let req = SignableRequest { headers: (&headers).into(), ..req };
    let d = run_diagnosis(&req, &SecretKey::new(SECRET), &crate::sigv4::VerifyPolicy::default());
    assert!(d.to_string().starts_with("The request cannot be diagnosed: malformed Authorization header"), "{d}");
}

#[test]
fn canonical_requests_are_compared_part_by_part() {
    let right = "GET\n/\n\ncontent-type:application/json; charset=utf-8\nhost:h\n\ncontent-type;host\nabc";
    let client = "GET\r\n/\r\n\r\ncontent-type:application/json\r\nhost:h\r\n\r\ncontent-type;host\r\nabc\r\n";
    assert_eq!(
        compare_canonical_requests(client, right).unwrap().to_string(),
        "signed header content-type's value differs: the client signed 'application/json', the server has \
         'application/json; charset=utf-8'"
    );
    assert_eq!(compare_canonical_requests(right, right), None);
    let other = right.replace("\n/\n", "\n/a\n");
    assert!(matches!(
        compare_canonical_requests(&other, right),
        Some(CanonicalDifference::Part { part: "CanonicalURI", .. })
    ));
    assert_eq!(compare_canonical_requests("x", right), Some(CanonicalDifference::Shape));
}

#[test]
fn helpers() {
    assert_eq!(date_header_as_amz("Sun, 30 Aug 2015 12:35:00 GMT").as_deref(), Some("20150830T123500Z"));
    assert_eq!(date_header_as_amz("20150830T123500Z").as_deref(), Some("20150830T123500Z"));
    assert_eq!(date_header_as_amz("Sun, 30 Foo 2015 12:35:00 GMT"), None);
    assert_eq!(strip_port("h:8080"), "h");
    assert_eq!(strip_port("[::1]:8080"), "[::1]");
    assert_eq!(strip_port("[::1]"), "[::1]");
    assert_eq!(strip_port("h"), "h");
}

#[test]
fn a_charset_recased_in_transit_is_found() {
    // Jetty rewrites `charset=utf-8` as `charset=UTF-8` (jetty.project issue #9674).
    let secret = SecretKey::new(SECRET);
    let query = crate::encoding::ParamList::default();
    let headers = vec![
        ("Host".to_owned(), "example.amazonaws.com".to_owned()),
        ("Content-Type".to_owned(), "application/x-www-form-urlencoded; charset=utf-8".to_owned()),
    ];
    let req = SignableRequest {
        method: "POST",
        path: "/",
        query: &query,
        headers: (&headers).into(),
        payload: Payload::Bytes(BODY),
    };
    let params = params(&secret, SigningSettings::default());
    let mut sent = sign_with_mistakes(&req, &params, &[]).unwrap();
    sent.headers[1].1 = "application/x-www-form-urlencoded; charset=UTF-8".to_owned();
    let received = SignableRequest { headers: (&sent.headers).into(), query: &sent.query, ..req };
    let d = run_diagnosis(&received, &secret, &policy(SigningSettings::default()));
    assert_eq!(d.header_value(), "v4-signed-header-changed", "{d}");
    assert_eq!(
        d.best().unwrap().detail.as_deref(),
        Some(
            "signed header 'content-type' changed after signing: the client signed \
             'application/x-www-form-urlencoded; charset=utf-8', the server received \
             'application/x-www-form-urlencoded; charset=UTF-8'"
        )
    );
}

proptest! {
    #![proptest_config(proptest::test_runner::Config { cases: 200, ..proptest::test_runner::Config::default() })]

    /// Whatever arrives (the mock calls this for every failed SigV4 request), the diagnosis
    /// returns, and never prints the secret.
    #[test]
    fn hostile_requests_never_panic(
        method in proptest::sample::select(vec!["GET", "POST", "PUT", ""]),
        path in "[/a-z%0-9.~ ]{0,12}",
        raw_query in "[a-zA-Z0-9=&%+~ ]{0,16}",
        auth in proptest::option::of(proptest::prop_oneof![
            "[\\PC]{0,40}",
            ("[A-Za-z0-9]{0,8}", "[0-9]{0,9}", "[a-z0-9-]{0,10}", "[a-z]{0,5}", "[a-z;]{0,20}", "[0-9a-fA-F]{0,66}")
                .prop_map(|(k, d, r, s, h, sig)| format!(
                    "AWS4-HMAC-SHA256 Credential={k}/{d}/{r}/{s}/aws4_request, SignedHeaders={h}, Signature={sig}"
                )),
        ]),
        date in proptest::option::of("[0-9TZ]{14,17}|[A-Za-z0-9, :]{0,32}"),
        extra in proptest::collection::vec(("[A-Za-z-]{1,8}", "[\\PC\t ]{0,12}"), 0..4),
        body in proptest::collection::vec(proptest::num::u8::ANY, 0..64),
    ) {
        let query = parse_query(raw_query.as_bytes(), PlusMeans::Space).unwrap_or_default();
        let mut headers = vec![("Host".to_owned(), "h:1".to_owned())];
        headers.extend(auth.map(|a| ("Authorization".to_owned(), a)));
        headers.extend(date.map(|d| ("X-Amz-Date".to_owned(), d)));
        headers.extend(extra);
        let req = SignableRequest { method, path: &path, query: &query, headers: (&headers).into(), payload: Payload::Bytes(&body) };
        for settings in [SigningSettings::default(), SigningSettings::s3()] {
            let d = run_diagnosis(&req, &SecretKey::new(SECRET), &policy(settings));
            prop_assert!(!SecretKey::new(SECRET).appears_in(&d.to_string()));
        }
    }
}

#[test]
fn presigned_urls_are_diagnosed_too() {
    let presignable = [
        WRONG_SCOPE_DATE,
        WRONG_REGION,
        WRONG_SERVICE,
        HEADER_NAMES_NOT_LOWERCASED,
        HEADER_VALUES_NOT_TRIMMED,
        QUERY_NOT_SORTED,
        QUERY_NOT_ENCODED,
        QUERY_SPACE_AS_PLUS,
        PATH_NOT_DOUBLE_ENCODED,
        PATH_NOT_NORMALIZED,
        PAYLOAD_HASH_OF_EMPTY_BODY,
        UNSIGNED_PAYLOAD_NOT_ALLOWED,
        SECRET_WITHOUT_AWS4_PREFIX,
        SIGNING_KEY_WRONG_ORDER,
        SIGNATURE_UPPERCASE_HEX,
    ];
    for m in presignable {
        let c = Case { settings: SigningSettings::default().presigned(900), ..case_for(m) };
        let s = signed(&c, &[m]).unwrap_or_else(|| panic!("{m}"));
        assert!(s.query.get("X-Amz-Signature").is_some() && !s.headers.iter().any(|(n, _)| n == "Authorization"));
        let d = diagnose_signed(&c, &s);
        assert_eq!(d.header_value(), m.id(), "{m}: {d}");
    }
}

/// The search before it was made cheap: every candidate set's variants built, hashed and
/// signed from scratch (a fresh key derivation each). The memoised search must find
/// exactly what it finds, with the same strings and details.
fn unoptimised(req: &SignableRequest<'_>, secret: &SecretKey, policy: &crate::sigv4::VerifyPolicy<'_>) -> Vec<Finding> {
    use super::recipe::{excluded_query, Claim, Recipe, MAX_VARIANTS};
    use crate::crypto::{hmac_raw, sha256_hex, HmacAlgorithm};
    let claim = Claim::read(req).unwrap();
    let correct = Recipe::correct();
    let right = correct.first(req, &claim, policy, secret).unwrap();
    assert_ne!(right.signature, claim.signature, "the search runs on mismatches only");
    let settings = &policy.settings;
    let mut findings: Vec<Finding> = Vec::new();
    for set in crate::diagnose::candidate_sets(crate::diagnose::SchemeId::V4) {
        if set.len() == 2 && findings.iter().any(|f| f.mistakes.len() == 1 && set.contains(&f.mistakes[0])) {
            continue;
        }
        let Some(r) = correct.with(&set, req, &claim, policy) else { continue };
        let scope = r.scope(req, &claim, policy);
        let (uri, query) = (r.uri(req, settings), r.query(req, &excluded_query(&claim, settings)));
        let mut tried = 0;
        'variants: for (headers, signed, header_detail) in r.header_variants(req, &claim) {
            for (hash, payload_detail) in r.payload_variants(req, &claim, settings) {
                let creq = format!("{}\n{uri}\n{query}\n{headers}\n{signed}\n{hash}", req.method);
                let sts = format!(
                    "AWS4-HMAC-SHA256\n{}\n{}\n{}",
                    scope.request_time,
                    scope.text(),
                    sha256_hex(creq.as_bytes())
                );
                for (order, key_detail) in r.key_orders() {
                    tried += 1;
                    if tried > MAX_VARIANTS {
                        break 'variants;
                    }
                    let key = scope.derive_key(secret, r.aws4_prefix(), order);
                    let mut sig = hmac_raw(HmacAlgorithm::Sha256, key.as_bytes(), sts.as_bytes()).to_hex();
                    if r.uppercase() {
                        sig.make_ascii_uppercase();
                    }
                    let changes = sts != right.string_to_sign || r.changes_key_or_form();
                    if changes && crate::crypto::constant_time_eq(sig.as_bytes(), claim.signature.as_bytes()) {
                        let details: Vec<&str> = [&header_detail, &payload_detail, &key_detail]
                            .into_iter()
                            .flatten()
                            .map(String::as_str)
                            .collect();
                        findings.push(Finding {
                            mistakes: set.clone(),
                            detail: (!details.is_empty()).then(|| details.join("; ")),
                            client_canonical_request: Some(creq),
                            client_string_to_sign: sts,
                        });
                        break 'variants;
                    }
                }
            }
        }
    }
    findings
}

#[test]
fn the_memoised_search_finds_what_the_unoptimised_one_finds() {
    let secret = SecretKey::new(SECRET);
    let mut sets: Vec<Vec<Mistake>> = ALL.iter().map(|m| vec![*m]).collect();
    sets.extend([
        vec![WRONG_REGION, QUERY_NOT_SORTED],
        vec![HEADER_VALUES_NOT_TRIMMED, HEADER_SPACES_NOT_FOLDED],
        vec![HEADER_NAMES_NOT_LOWERCASED, SIGNING_KEY_WRONG_ORDER],
        vec![HOST_PORT_ADDED, PAYLOAD_HASH_BEFORE_TRANSFORMATION],
        vec![SIGNED_HEADER_CHANGED, HEADERS_NOT_SORTED],
    ]);
    let mut compared = 0;
    for set in sets {
        for settings in [SigningSettings::default(), SigningSettings::s3(), SigningSettings::default().presigned(900)] {
            let c = Case { settings, ..case_for(set[0]) };
            let Some(s) = signed(&c, &set) else { continue };
            let req = received(&c, &s);
            let Ok(claim) = super::recipe::Claim::read(&req) else { continue };
            let right = super::recipe::Recipe::correct().first(&req, &claim, &policy(settings), &secret).unwrap();
            if crate::crypto::constant_time_eq(right.signature.as_bytes(), claim.signature.as_bytes()) {
                continue;
            }
            let d = run_diagnosis(&req, &secret, &policy(settings));
            assert!(!d.budget_exhausted, "{set:?}");
            assert_eq!(d.findings, unoptimised(&req, &secret, &policy(settings)), "{set:?} {settings:?}");
            compared += 1;
        }
    }
    // And a wrong secret, where nothing matches and every set is tried.
    let c = case_for(WRONG_REGION);
    let s = signed(&c, &[]).unwrap();
    let wrong = SecretKey::new("not the secret");
    let d = run_diagnosis(&received(&c, &s), &wrong, &policy(c.settings));
    assert!(d.findings.is_empty() && !d.budget_exhausted);
    assert_eq!(d.findings, unoptimised(&received(&c, &s), &wrong, &policy(c.settings)));
    assert!(compared > 40, "{compared}");
}

#[test]
fn a_spent_budget_stops_the_search_and_says_so() {
    let c = case_for(WRONG_REGION);
    let s = signed(&c, &[]).unwrap();
    let req = received(&c, &s);
    let wrong = SecretKey::new("not the secret");
    let subject = Subject::V4 { request: req, policy: policy(c.settings) };
    let d = crate::diagnose::diagnose(subject, &wrong, Budget { max_bytes: 20_000 });
    assert!(d.budget_exhausted && d.findings.is_empty());
    assert_eq!(d.header_value(), "unknown; budget-exhausted");
    assert!(
        d.to_string().starts_with("No known SigV4 mistake reproduces the signature within the search budget"),
        "{d}"
    );
    let full = crate::diagnose::diagnose(subject, &wrong, Budget::UNLIMITED);
    assert_eq!(full, crate::diagnose::diagnose(subject, &wrong, Budget::DEFAULT), "the default budget covers it");
    // A signature no candidate writes (mixed case) is not searched at all.
    let mut headers = s.headers.clone();
    let auth = headers.iter_mut().find(|(n, _)| n == "Authorization").unwrap();
    let at = auth.1.rfind('=').unwrap() + 1;
    auth.1.replace_range(at.., &format!("A{}", &s.signature[1..].to_ascii_lowercase()));
    let req = SignableRequest { headers: (&headers).into(), ..req };
    let subject = Subject::V4 { request: req, policy: policy(c.settings) };
    let d = crate::diagnose::diagnose(subject, &wrong, Budget { max_bytes: 0 });
    assert!(d.findings.is_empty() && !d.budget_exhausted && d.problem.is_none(), "{d}");
}
