//! Properties and unit tests of the SigV4 core: order independence, output alphabets,
//! sign → verify round trips in both forms, rejection of every one-character change,
//! parsers that never panic, the documented signing-key example, and every
//! verification failure reached on purpose.

use super::*;
use crate::clock::UtcTime;
use crate::crypto::SecretKey;
use crate::encoding::{parse_query, Param, PlusMeans};
use crate::sigv2::{KeyState, SecretLookup, SingleKey};
use proptest::prelude::*;

const AKID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const HOST: &str = "example.amazonaws.com";

fn now() -> UtcTime {
    UtcTime::parse_iso8601("2015-08-30T12:36:00Z").unwrap()
}

/// A request under construction: owned parts that view as a [`SignableRequest`].
#[derive(Debug, Clone)]
struct Req {
    method: String,
    path: String,
    query: ParamList,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Req {
    fn new(method: &str, path: &str) -> Self {
        Self {
            method: method.into(),
            path: path.into(),
            query: ParamList::default(),
            headers: vec![("Host".into(), HOST.into())],
            body: Vec::new(),
        }
    }

    fn view(&self) -> SignableRequest<'_> {
        SignableRequest {
            method: &self.method,
            path: &self.path,
            query: &self.query,
            headers: &self.headers,
            payload: Payload::Bytes(&self.body),
        }
    }

    /// Signs and returns the request as sent.
    fn signed(&self, settings: SigningSettings, token: Option<&str>) -> Req {
        let secret = SecretKey::new(SECRET);
        let params = SigningParams {
            access_key_id: AKID,
            secret: &secret,
            session_token: token,
            region: "us-east-1",
            service: "service",
            time: now(),
            settings,
        };
        let out = sign(&self.view(), &params);
        let mut sent = self.clone();
        match out.location {
            SignatureLocation::Headers => out.apply_headers(&mut sent.headers),
            SignatureLocation::QueryParams => {
                sent.query = parse_query(out.presigned_query(&self.query).as_bytes(), PlusMeans::Space).unwrap();
            }
        }
        sent
    }

    fn verify_with(&self, secret: &str, settings: SigningSettings) -> Result<VerifiedV4, VerifyFailureV4> {
        let secret = SecretKey::new(secret);
        let keys = SingleKey { id: Some(AKID), secret: &secret };
        verify(&self.view(), &keys, now(), &VerifyPolicyV4 { settings, ..VerifyPolicyV4::default() })
    }

    fn verify(&self, settings: SigningSettings) -> Result<VerifiedV4, VerifyFailureV4> {
        self.verify_with(SECRET, settings)
    }

    fn set_header(&mut self, name: &str, value: &str) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.into(), value.into()));
    }
}

/// Replaces the character at `index` (modulo the length) by another non-blank one, or
/// appends one to an empty string.
fn change_one_char(s: &str, index: usize) -> String {
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    if chars.is_empty() {
        return "x".into();
    }
    let (at, c) = chars[index % chars.len()];
    let mut out = s.to_owned();
    out.replace_range(at..at + c.len_utf8(), if c == 'x' { "y" } else { "x" });
    out
}

fn is_canonical_alphabet(s: &str, extra: &[u8]) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b.get(i + 1..i + 3).unwrap_or_default();
            if hex.len() != 2 || !hex.iter().all(|c| c.is_ascii_digit() || (b'A'..=b'F').contains(c)) {
                return false;
            }
            i += 3;
        } else {
            if !crate::encoding::is_unreserved(b[i]) && !extra.contains(&b[i]) {
                return false;
            }
            i += 1;
        }
    }
    true
}

fn query_pairs() -> impl Strategy<Value = Vec<(String, String)>> {
    proptest::collection::vec(("q\\PC{0,8}", "\\PC{0,12}"), 0..6)
}

fn extra_headers() -> impl Strategy<Value = Vec<(String, String)>> {
    proptest::collection::vec(("x-h-[a-z0-9-]{1,8}", "[\\PC\t]{0,16}"), 0..5)
}

fn settings() -> impl Strategy<Value = SigningSettings> {
    (any::<bool>(), any::<bool>()).prop_map(|(s3, presigned)| {
        let base = if s3 { SigningSettings::s3() } else { SigningSettings::default() };
        if presigned {
            base.presigned(600)
        } else {
            base
        }
    })
}

proptest! {
    #[test]
    fn canonical_query_is_independent_of_order(pairs in query_pairs(), seed in any::<u64>()) {
        let params: ParamList = pairs.iter().cloned().collect();
        let mut shuffled = params.0.clone();
        let n = shuffled.len();
        for i in (1..n).rev() {
            let j = usize::try_from(seed.rotate_left(u32::try_from(i).unwrap()) % (i as u64 + 1)).unwrap();
            shuffled.swap(i, j);
        }
        prop_assert_eq!(canonical_query_string(&params, &[]), canonical_query_string(&ParamList(shuffled), &[]));
    }

    #[test]
    fn canonical_uri_and_query_alphabet(
        path in "\\PC{0,24}",
        pairs in query_pairs(),
        single in any::<bool>(),
        normalize in any::<bool>(),
    ) {
        let encoding = if single { UriEncoding::Single } else { UriEncoding::Double };
        let normalization = if normalize { PathNormalization::Normalize } else { PathNormalization::AsIs };
        let uri = canonical_uri(&path, encoding, normalization);
        prop_assert!(is_canonical_alphabet(&uri, b"/"), "{}", uri);
        let params: ParamList = pairs.into_iter().collect();
        let q = canonical_query_string(&params, &[]);
        prop_assert!(is_canonical_alphabet(&q, b"=&"), "{}", q);
        prop_assert_eq!(q.matches('=').count(), params.len());
    }

    #[test]
    fn normalized_paths_are_fixed_points(path in "[/.a%]{0,16}") {
        let once = normalize_path(path.as_bytes());
        prop_assert_eq!(normalize_path(&once), once.clone());
        prop_assert!(once.starts_with(b"/"));
        prop_assert!(!once.windows(2).any(|w| w == b"//"));
    }

    #[test]
    fn sign_then_verify_round_trips(
        method in prop::sample::select(vec!["GET", "POST", "PUT", "DELETE"]),
        path in "(/\\PC{0,6}){1,3}",
        pairs in query_pairs(),
        headers in extra_headers(),
        body in proptest::collection::vec(any::<u8>(), 0..32),
        settings in settings(),
        token in proptest::option::of("[A-Za-z0-9+/=]{1,24}"),
        omit_token in any::<bool>(),
    ) {
        let mut req = Req::new(method, &path);
        req.query = pairs.into_iter().collect();
        req.headers.extend(headers);
        req.body = body;
        let settings = SigningSettings {
            session_token: if omit_token { SessionTokenMode::Exclude } else { SessionTokenMode::Include },
            ..settings
        };
        let sent = req.signed(settings, token.as_deref());
        let verified = sent.verify(settings);
        prop_assert!(verified.is_ok(), "{:?}", verified);
        let verified = verified.unwrap();
        prop_assert_eq!(verified.location, settings.signature_location);
        prop_assert_eq!(verified.session_token.as_deref(), token.as_deref());
    }

    #[test]
    fn any_one_character_change_is_rejected(
        pairs in proptest::collection::vec(("q[a-z]{0,4}", "\\PC{0,8}"), 1..4),
        headers in proptest::collection::vec(("x-h-[a-z]{1,6}", "[\\PC\t]{0,12}"), 1..4),
        path in "/\\PC{0,10}",
        presigned in any::<bool>(),
        which in 0usize..6,
        pick in any::<prop::sample::Index>(),
        at in any::<usize>(),
    ) {
        // No normalisation, so every path character matters.
        let base = SigningSettings { path_normalization: PathNormalization::AsIs, ..SigningSettings::default() };
        let settings = if presigned { base.presigned(600) } else { base };
        let mut req = Req::new("GET", &path);
        req.query = pairs.iter().cloned().collect();
        req.headers.extend(headers.iter().cloned());
        let mut sent = req.signed(settings, None);
        let mut secret = SECRET.to_owned();
        match which {
            0 => {
                // A signed header value (one of ours, or Host).
                let i = pick.index(headers.len() + 1);
                let (name, value) = if i == headers.len() { ("Host".to_owned(), HOST.to_owned()) } else { headers[i].clone() };
                let changed = change_one_char(&value, at);
                let h = sent.headers.iter_mut().find(|(n, v)| *n == name && *v == value).unwrap();
                h.1 = changed;
            }
            1 => sent.path = change_one_char(&sent.path, at),
            2 => {
                let i = pick.index(pairs.len());
                let p = &sent.query.0[i];
                sent.query.0[i] = Param::new(p.name.clone(), change_one_char(&p.value, at));
            }
            3 => sent.method = change_one_char(&sent.method, at),
            4 => {
                let swap = |s: &str| s.replace("/us-east-1/", "/us-east-x/");
                match settings.signature_location {
                    SignatureLocation::Headers => {
                        let h = sent.headers.iter_mut().find(|(n, _)| n == AUTHORIZATION).unwrap();
                        h.1 = swap(&h.1);
                    }
                    SignatureLocation::QueryParams => {
                        let v = swap(sent.query.get(X_AMZ_CREDENTIAL).unwrap());
                        sent.query.set(X_AMZ_CREDENTIAL, v);
                    }
                }
            }
            _ => {
                let i = at % secret.len();
                let c = secret.as_bytes()[i];
                secret.replace_range(i..=i, if c == b'x' { "y" } else { "x" });
            }
        }
        let res = sent.verify_with(&secret, settings);
        prop_assert!(matches!(res, Err(VerifyFailureV4::Mismatch { .. })), "change {} accepted or misreported: {:?}", which, res);
    }

    #[test]
    fn parsers_never_panic(text in "\\PC{0,80}", bytes in proptest::collection::vec(any::<u8>(), 0..96)) {
        if let Err(e) = parse_authorization(&text) { prop_assert!(e.pos <= text.len()); }
        if let Err(e) = parse_amz_date(&text) { prop_assert!(e.pos <= text.len()); }
        if let Err(e) = parse_credential(&text) { prop_assert!(e.pos <= text.len()); }
        let _ = parse_signed_headers(&text);
        let _ = ParsedRequest::parse(&bytes);
        let _ = ParsedRequest::parse(text.as_bytes());
    }

    #[test]
    fn authorization_parser_handles_near_misses(
        text in "AWS4-HMAC-SHA256 ((Credential|SignedHeaders|Signature|X)=[a-z0-9/;_-]{0,12}(, ?|,)?){0,4}",
    ) {
        if let Err(e) = parse_authorization(&text) { prop_assert!(e.pos <= text.len()); }
    }

    #[test]
    fn amz_dates_round_trip(secs in 0i64..253_402_300_799) {
        let t = UtcTime::from_unix_secs(secs);
        prop_assert_eq!(parse_amz_date(&t.to_amz_date()).unwrap(), t);
    }
}

#[test]
fn signing_key_matches_the_documented_example() {
    // AWS General Reference, "Examples of how to derive a signing key for Signature
    // Version 4": secret wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, 20120215, us-east-1, iam.
    let key = signing_key(&SecretKey::new(SECRET), "20120215", "us-east-1", "iam");
    assert_eq!(
        crate::crypto::hex(key.expose_for_test()),
        "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
    );
    let mut cache = SigningKeyCache::new(2);
    for _ in 0..3 {
        assert!(cache.get_or_derive(&SecretKey::new(SECRET), "20120215", "us-east-1", "iam").ct_eq(&key));
    }
    assert_eq!(cache.len(), 1);
    let other = cache.get_or_derive(&SecretKey::new("other"), "20120215", "us-east-1", "iam");
    assert!(!other.ct_eq(&key));
    cache.get_or_derive(&SecretKey::new(SECRET), "20120216", "us-east-1", "iam");
    assert_eq!(cache.len(), 1, "a full cache starts over");
}

#[test]
fn nothing_prints_the_secret_or_the_derived_key() {
    let secret = SecretKey::new(SECRET);
    let key = signing_key(&secret, "20150830", "us-east-1", "service");
    let mut cache = SigningKeyCache::default();
    cache.get_or_derive(&secret, "20150830", "us-east-1", "service");
    let req = Req::new("GET", "/");
    let params = SigningParams {
        access_key_id: AKID,
        secret: &secret,
        session_token: None,
        region: "us-east-1",
        service: "service",
        time: now(),
        settings: SigningSettings::default(),
    };
    let out = sign(&req.view(), &params);
    let shown = format!(
        "{key:?} {cache:?} {params:?} {out:?} {:?}",
        req.signed(SigningSettings::default(), None).verify(SigningSettings::default())
    );
    assert!(!secret.appears_in(&shown), "{shown}");
    assert!(!shown.contains(&crate::crypto::hex(key.expose_for_test())), "{shown}");
}

#[test]
fn verify_with_cache_agrees() {
    let sent = Req::new("GET", "/").signed(SigningSettings::default(), None);
    let secret = SecretKey::new(SECRET);
    let keys = SingleKey { id: None, secret: &secret };
    let mut cache = SigningKeyCache::default();
    let policy = VerifyPolicyV4::default();
    let cached = verify_with_cache(&sent.view(), &keys, now(), &policy, &mut cache);
    assert_eq!(cached, verify(&sent.view(), &keys, now(), &policy));
    assert!(cached.is_ok() && cache.len() == 1);
}

/// A key lookup with one active and one inactive key.
struct Keys(SecretKey);

impl SecretLookup for Keys {
    fn lookup(&self, access_key_id: &str) -> KeyState<'_> {
        match access_key_id {
            AKID => KeyState::Active(&self.0),
            "AKIDINACTIVE" => KeyState::Inactive,
            _ => KeyState::Unknown,
        }
    }
}

/// One row of the failure table: a correctly signed request, one edit, the failure.
struct FailureCase {
    name: &'static str,
    presigned: bool,
    edit: fn(&mut Req),
    want: VerifyFailureV4,
}

fn edit_authorization(r: &mut Req, f: fn(&str) -> String) {
    let h = r.headers.iter_mut().find(|(n, _)| n == AUTHORIZATION).unwrap();
    h.1 = f(&h.1);
}

fn failure_table() -> Vec<FailureCase> {
    use VerifyFailureV4 as F;
    let row = |name, presigned, edit, want| FailureCase { name, presigned, edit, want };
    vec![
        row("no auth", false, |r| r.headers.retain(|(n, _)| n != AUTHORIZATION), F::MissingAuthentication),
        row("both", false, |r| r.query.push(X_AMZ_ALGORITHM, ALGORITHM), F::MultipleAuthMechanisms),
        row("query param", true, |r| r.query.remove(X_AMZ_EXPIRES), F::MissingQueryParameter(X_AMZ_EXPIRES)),
        row(
            "algorithm",
            false,
            |r| edit_authorization(r, |v| v.replace(ALGORITHM, "AWS4-ECDSA-P256-SHA256")),
            F::UnsupportedAlgorithm("AWS4-ECDSA-P256-SHA256".into()),
        ),
        row(
            "presigned algorithm",
            true,
            |r| r.query.set(X_AMZ_ALGORITHM, "AWS4-HMAC-SHA1"),
            F::UnsupportedAlgorithm("AWS4-HMAC-SHA1".into()),
        ),
        row(
            "expires",
            true,
            |r| r.query.set(X_AMZ_EXPIRES, "-1"),
            F::MalformedQueryParameter { name: X_AMZ_EXPIRES, raw: "-1".into() },
        ),
        row("expires too large", true, |r| r.query.set(X_AMZ_EXPIRES, "604801"), F::ExpiresTooLarge(604_801)),
        row(
            "signed headers",
            true,
            |r| r.query.set(X_AMZ_SIGNED_HEADERS, "host;"),
            F::MalformedQueryParameter { name: X_AMZ_SIGNED_HEADERS, raw: "host;".into() },
        ),
        row("no date", false, |r| r.headers.retain(|(n, _)| n != X_AMZ_DATE), F::MissingDate),
        row(
            "terminator",
            false,
            |r| edit_authorization(r, |v| v.replace("aws4_request", "aws4_reqest")),
            F::ScopeTerminator("aws4_reqest".into()),
        ),
        row(
            "scope date",
            false,
            |r| edit_authorization(r, |v| v.replace("/20150830/", "/20150831/")),
            F::ScopeDateMismatch { scope_date: "20150831".into(), request_date: "20150830".into() },
        ),
        row(
            "host unsigned",
            false,
            |r| edit_authorization(r, |v| v.replace("SignedHeaders=host;", "SignedHeaders=")),
            F::HostNotSigned,
        ),
        row("date unsigned", false, |r| edit_authorization(r, |v| v.replace(";x-amz-date", "")), F::DateNotSigned),
        row(
            "signed header missing",
            false,
            |r| r.headers.retain(|(n, _)| n != "X-Meta"),
            F::SignedHeaderMissing("x-meta".into()),
        ),
        row(
            "unknown key",
            false,
            |r| edit_authorization(r, |v| v.replace(AKID, "AKIDOTHER")),
            F::UnknownAccessKey("AKIDOTHER".into()),
        ),
        row(
            "inactive key",
            false,
            |r| edit_authorization(r, |v| v.replace(AKID, "AKIDINACTIVE")),
            F::InactiveAccessKey("AKIDINACTIVE".into()),
        ),
        row("short signature", true, |r| r.query.set(X_AMZ_SIGNATURE, "abc"), F::MalformedSignature("abc".into())),
        row(
            "skew",
            false,
            |r| r.set_header(X_AMZ_DATE, "20150830T115959Z"),
            F::RequestTimeTooSkewed { request_time: "20150830T115959Z".into(), skew_secs: 2161 },
        ),
        row(
            "expired",
            true,
            |r| r.query.set(X_AMZ_DATE, "20150830T122500Z"),
            F::Expired { request_time: "20150830T122500Z".into(), expires_secs: 600 },
        ),
        row(
            "not yet valid",
            true,
            |r| r.query.set(X_AMZ_DATE, "20150830T130000Z"),
            F::NotYetValid { request_time: "20150830T130000Z".into() },
        ),
    ]
}

/// Every failure, reached by one edit of a correctly signed request.
#[test]
fn every_failure_is_reachable() {
    let keys = Keys(SecretKey::new(SECRET));
    for case in failure_table() {
        let settings =
            if case.presigned { SigningSettings::default().presigned(600) } else { SigningSettings::default() };
        let mut req = Req::new("GET", "/p");
        req.headers.push(("X-Meta".into(), "v".into()));
        let mut sent = req.signed(settings, None);
        (case.edit)(&mut sent);
        let policy = VerifyPolicyV4 { settings, ..VerifyPolicyV4::default() };
        assert_eq!(verify(&sent.view(), &keys, now(), &policy).unwrap_err(), case.want, "{}", case.name);
    }
}

/// Failures that need a policy, a parse error's details, or a body.
#[test]
fn failures_from_policy_parsing_and_body() {
    let header = SigningSettings::default();
    let presigned = header.presigned(600);
    let keys = Keys(SecretKey::new(SECRET));
    let sent = Req::new("GET", "/").signed(header, None);
    let strict = VerifyPolicyV4 { expected_region: Some("eu-west-1"), ..VerifyPolicyV4::default() };
    assert_eq!(
        verify(&sent.view(), &keys, now(), &strict).unwrap_err(),
        VerifyFailureV4::WrongRegion { expected: "eu-west-1".into(), found: "us-east-1".into() }
    );
    let strict = VerifyPolicyV4 { expected_service: Some("s3"), ..VerifyPolicyV4::default() };
    assert!(matches!(verify(&sent.view(), &keys, now(), &strict), Err(VerifyFailureV4::WrongService { .. })));
    let mut bad = sent.clone();
    bad.set_header(X_AMZ_DATE, "2015-08-30T12:36:00Z");
    assert!(matches!(bad.verify(header), Err(VerifyFailureV4::MalformedDate { .. })));
    let mut bad = sent.clone();
    bad.set_header(AUTHORIZATION, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE");
    assert!(matches!(bad.verify(header), Err(VerifyFailureV4::MalformedAuthorization(_))));
    let mut bad = sent.clone();
    let upper = bad.headers.iter().find(|(n, _)| n == AUTHORIZATION).unwrap().1.to_ascii_uppercase();
    bad.set_header(AUTHORIZATION, &upper.replace("AWS4-HMAC-SHA256 CREDENTIAL", "AWS4-HMAC-SHA256 Credential"));
    assert!(matches!(bad.verify(header), Err(VerifyFailureV4::MalformedAuthorization(_))));
    let mut bad = Req::new("GET", "/").signed(presigned, None);
    bad.query.set(X_AMZ_CREDENTIAL, "AKIDEXAMPLE/20150830");
    assert!(matches!(bad.verify(presigned), Err(VerifyFailureV4::MalformedCredential(_))));
    let mut bad = Req::new("GET", "/").signed(presigned, None);
    let upper = bad.query.get(X_AMZ_SIGNATURE).unwrap().to_ascii_uppercase();
    bad.query.set(X_AMZ_SIGNATURE, upper.clone());
    assert_eq!(bad.verify(presigned).unwrap_err(), VerifyFailureV4::MalformedSignature(upper));

    // S3 requires x-amz-content-sha256 in the header form.
    let without = SigningSettings { content_sha256_header: ContentSha256Header::Omit, ..SigningSettings::s3() };
    let sent = Req::new("GET", "/k").signed(without, None);
    assert_eq!(sent.verify(SigningSettings::s3()).unwrap_err(), VerifyFailureV4::MissingContentSha256);

    // x-amz-content-sha256 that does not match the body, after a good signature.
    let mut put = Req::new("PUT", "/k");
    put.body = b"hello".to_vec();
    let mut sent = put.signed(SigningSettings::s3(), None);
    let claimed = crate::crypto::sha256_hex(b"hello");
    sent.body = b"jello".to_vec();
    assert_eq!(
        sent.verify(SigningSettings::s3()).unwrap_err(),
        VerifyFailureV4::ContentSha256Mismatch { claimed, computed: crate::crypto::sha256_hex(b"jello") }
    );
}

#[test]
fn signing_replaces_the_headers_it_owns() {
    let mut req = Req::new("GET", "/");
    req.headers.push(("x-amz-date".into(), "19990101T000000Z".into()));
    req.headers.push(("X-AMZ-DATE".into(), "19990101T000000Z".into()));
    req.headers.push(("Authorization".into(), "stale".into()));
    let sent = req.signed(SigningSettings::default(), Some("tok"));
    let names: Vec<&str> = sent.headers.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["Host", "x-amz-date", "Authorization", "X-Amz-Security-Token"]);
    assert_eq!(sent.headers[1].1, "20150830T123600Z");
    assert!(sent.verify(SigningSettings::default()).is_ok());
}

#[test]
fn s3_settings_sign_unsigned_presigned_payloads() {
    let mut req = Req::new("PUT", "/a//b/../c%20d");
    req.body = b"data".to_vec();
    let secret = SecretKey::new(SECRET);
    let out = sign(
        &req.view(),
        &SigningParams {
            access_key_id: AKID,
            secret: &secret,
            session_token: None,
            region: "us-east-1",
            service: "s3",
            time: now(),
            settings: SigningSettings::s3().presigned(60),
        },
    );
    assert_eq!(out.canonical_request.canonical_uri, "/a//b/../c%20d");
    assert_eq!(out.canonical_request.hashed_payload, UNSIGNED_PAYLOAD);
    assert!(out.headers.is_empty() && out.authorization().is_none());
    assert_eq!(out.query_params.last().map(|(n, _)| n.as_str()), Some(X_AMZ_SIGNATURE));
}
