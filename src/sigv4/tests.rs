//! Properties and unit tests of the SigV4 core: order independence, output alphabets,
//! sign → verify round trips in both forms, rejection of every one-character change,
//! parsers that never panic, the documented signing-key example, and every
//! verification failure reached on purpose.

use super::*;
use crate::clock::UtcTime;
use crate::crypto::SecretKey;
use crate::crypto::{KeyState, SecretLookup, SingleKey};
use crate::encoding::{parse_query, Param, PlusMeans};
use proptest::prelude::*;

const AKID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const HOST: &str = "example.amazonaws.com";

/// The suite's signer (`AKID`, us-east-1, `service`, at [`now`]) with `settings`.
fn params(secret: &SecretKey, settings: SigningSettings) -> SigningParams<'_> {
    SigningParams {
        access_key_id: AKID,
        secret,
        session_token: None,
        region: "us-east-1",
        service: "service",
        time: now(),
        settings,
    }
}

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
            headers: (&self.headers).into(),
            payload: Payload::Bytes(&self.body),
        }
    }

    /// Signs and returns the request as sent.
    fn signed(&self, settings: SigningSettings, token: Option<&str>) -> Req {
        let secret = SecretKey::new(SECRET);
        let params = SigningParams { session_token: token, ..params(&secret, settings) };
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

    fn verify_with(&self, secret: &str, settings: SigningSettings) -> Result<Verified, VerifyFailure> {
        let secret = SecretKey::new(secret);
        let keys = SingleKey { id: Some(AKID), secret: &secret };
        verify(&self.view(), &keys, now(), &VerifyPolicy { settings, ..VerifyPolicy::default() })
    }

    fn verify(&self, settings: SigningSettings) -> Result<Verified, VerifyFailure> {
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

/// Any RFC 9110 token as a name, in any letter case (a name may repeat, or be `Host`),
/// and any printable UTF-8 with tabs as a value.
fn extra_headers() -> impl Strategy<Value = Vec<(String, String)>> {
    proptest::collection::vec(("[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]{0,10}", "[\\PC\t]{0,16}"), 0..5)
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
        path in "(/\\PC{0,6}){1,3}|\\PC{0,12}",
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
        body in proptest::collection::vec(any::<u8>(), 0..16),
        presigned in any::<bool>(),
        which in 0usize..12,
        pick in any::<prop::sample::Index>(),
        at in any::<usize>(),
    ) {
        // No normalisation, so every path character matters.
        let base = SigningSettings { path_normalization: PathNormalization::AsIs, ..SigningSettings::default() };
        let settings = if presigned { base.presigned(600) } else { base };
        let mut req = Req::new("GET", &path);
        req.query = pairs.iter().cloned().collect();
        req.headers.extend(headers.iter().cloned());
        req.body = body;
        let mut sent = req.signed(settings, None);
        let mut secret = SECRET.to_owned();
        match which {
            6 => {
                // A query parameter's name.
                let i = pick.index(pairs.len());
                let p = &sent.query.0[i];
                sent.query.0[i] = Param::new(change_one_char(&p.name, at), p.value.clone());
            }
            7 => {
                sent.query.0.remove(pick.index(pairs.len()));
            }
            8 => sent.query.push("qadded", "1"),
            9 => {
                // One byte of the body, or one byte more.
                if sent.body.is_empty() {
                    sent.body.push(b'x');
                } else {
                    let i = at % sent.body.len();
                    sent.body[i] ^= 1;
                }
            }
            10 => {
                // The signature itself, one hex digit for another.
                let flip = |s: &str| {
                    let i = at % s.len();
                    let c = if s.as_bytes()[i] == b'0' { "1" } else { "0" };
                    let mut out = s.to_owned();
                    out.replace_range(i..=i, c);
                    out
                };
                match settings.signature_location {
                    SignatureLocation::Headers => {
                        let h = sent.headers.iter_mut().find(|(n, _)| n == AUTHORIZATION).unwrap();
                        let sig_at = h.1.find("Signature=").unwrap() + "Signature=".len();
                        h.1 = format!("{}{}", &h.1[..sig_at], flip(&h.1[sig_at..]));
                    }
                    SignatureLocation::QueryParams => {
                        let v = flip(sent.query.get(X_AMZ_SIGNATURE).unwrap());
                        sent.query.set(X_AMZ_SIGNATURE, v);
                    }
                }
            }
            11 => {
                // X-Amz-Date one second later: inside every time window, same scope date.
                let later = "20150830T123601Z";
                match settings.signature_location {
                    SignatureLocation::Headers => sent.set_header(X_AMZ_DATE, later),
                    SignatureLocation::QueryParams => sent.query.set(X_AMZ_DATE, later),
                }
            }
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
        prop_assert!(matches!(res, Err(VerifyFailure::Mismatch { .. })), "change {} accepted or misreported: {:?}", which, res);
    }

    #[test]
    fn signing_is_independent_of_header_order_and_name_case(
        headers in proptest::collection::btree_map("x-[a-z0-9-]{1,8}", "[\\PC\t ]{0,12}", 0..6),
        seed in any::<u64>(),
        upper in proptest::collection::vec(any::<bool>(), 8),
        settings in settings(),
    ) {
        // Distinct names: the values of a repeated name are joined in sent order, so
        // only the order of different names may change.
        let mut req = Req::new("POST", "/p");
        req.headers.extend(headers.into_iter());
        req.body = b"{}".to_vec();
        let mut shuffled = req.clone();
        let n = shuffled.headers.len();
        for i in (1..n).rev() {
            let j = usize::try_from(seed.rotate_left(u32::try_from(i).unwrap()) % (i as u64 + 1)).unwrap();
            shuffled.headers.swap(i, j);
        }
        for (i, (name, _)) in shuffled.headers.iter_mut().enumerate() {
            if upper[i % upper.len()] {
                *name = name.to_ascii_uppercase();
            }
        }
        let secret = SecretKey::new(SECRET);
        let a = sign(&req.view(), &params(&secret, settings));
        let b = sign(&shuffled.view(), &params(&secret, settings));
        prop_assert_eq!(&a.canonical_request, &b.canonical_request);
        prop_assert_eq!(a.signature, b.signature);
        prop_assert!(shuffled.signed(settings, None).verify(settings).is_ok());
    }

    #[test]
    fn signing_output_alphabet(
        headers in proptest::collection::vec(("[A-Za-z][A-Za-z0-9-]{0,8}", "[\\PC\t\r\n ]{0,12}"), 0..5),
        pairs in query_pairs(),
        settings in settings(),
    ) {
        let mut req = Req::new("GET", "/");
        req.headers.extend(headers);
        req.query = pairs.into_iter().collect();
        let secret = SecretKey::new(SECRET);
        let out = sign(&req.view(), &params(&secret, settings));
        let lower_hex = |s: &str| s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        prop_assert!(lower_hex(&out.signature), "{}", out.signature);
        prop_assert!(lower_hex(&out.string_to_sign.hashed_canonical_request));
        let names: Vec<&str> = out.canonical_request.signed_headers.split(';').collect();
        prop_assert!(names.iter().all(|n| !n.is_empty() && !n.bytes().any(|b| b.is_ascii_uppercase())), "{:?}", names);
        prop_assert!(names.windows(2).all(|w| w[0] < w[1]), "not sorted and unique: {:?}", names);
        let lines: Vec<&str> = out.canonical_request.canonical_headers.lines().collect();
        prop_assert_eq!(lines.len(), names.len());
        for (line, name) in lines.iter().zip(&names) {
            let value = line.strip_prefix(name).and_then(|l| l.strip_prefix(':'));
            prop_assert!(value.is_some(), "{} for {}", line, name);
            let value = value.unwrap();
            prop_assert!(!value.starts_with(' ') && !value.ends_with(' ') && !value.contains("  ") && !value.contains('\t'), "{:?}", value);
        }
        match out.location {
            SignatureLocation::Headers => {
                let auth = out.authorization().unwrap();
                prop_assert_eq!(
                    auth,
                    format!("{ALGORITHM} Credential={AKID}/20150830/us-east-1/service/aws4_request, SignedHeaders={}, Signature={}", out.canonical_request.signed_headers, out.signature)
                );
            }
            SignatureLocation::QueryParams => {
                prop_assert!(is_canonical_alphabet(&out.auth_query(), b"=&"), "{}", out.auth_query());
            }
        }
    }

    #[test]
    fn header_block_matches_the_step_functions(
        headers in proptest::collection::vec(
            (prop::sample::select(vec!["X-A", "x-a", "x-b", "Content-Type", "host", "X-Amz-Meta-K", "authorization"]), "[\\PC\t\r\n ]{0,10}"),
            0..8,
        ),
    ) {
        let headers: Vec<(String, String)> = headers.into_iter().map(|(n, v)| (n.to_owned(), v)).collect();
        let mut entries: Vec<canonical::HeaderRef<'_>> = headers
            .iter()
            .filter(|(n, _)| !n.eq_ignore_ascii_case(AUTHORIZATION))
            .map(|(n, v)| canonical::HeaderRef::new(n, v))
            .collect();
        let (block, signed) = canonical::canonical_header_block(&mut entries);
        let names = headers_to_sign(&headers, &[]);
        prop_assert_eq!(block, canonical_headers(&headers, &names));
        prop_assert_eq!(signed, signed_headers(&names));
    }

    #[test]
    fn trimall_matches_its_definition(value in "[ a-c]{0,12}|[ \t\r\na-c]{0,12}|\\PC{0,16}") {
        let by_definition: Vec<&str> = value.split([' ', '\t', '\r', '\n']).filter(|w| !w.is_empty()).collect();
        prop_assert_eq!(canonical_header_value([value.as_str()]), by_definition.join(" "));
    }

    #[test]
    fn normalized_check_agrees_with_normalization(path in "[/.a%]{0,16}") {
        let fixed = normalize_path(path.as_bytes()) == path.as_bytes();
        prop_assert_eq!(canonical::is_normalized(path.as_bytes()), fixed, "{}", path);
    }

    #[test]
    fn signer_date_matches_the_clock(secs in -400_000_000_000i64..400_000_000_000) {
        let t = UtcTime::from_unix_secs(secs);
        prop_assert_eq!(sign::amz_date(t), t.to_amz_date());
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
    fn verify_never_panics_on_hostile_requests(
        auth in proptest::option::of("AWS4-HMAC-SHA256 \\PC{0,60}|\\PC{0,40}"),
        date in proptest::option::of("[0-9TZ]{0,18}|\\PC{0,8}"),
        query in proptest::collection::vec(
            (
                prop::sample::select(vec![
                    X_AMZ_ALGORITHM, X_AMZ_CREDENTIAL, X_AMZ_DATE, X_AMZ_EXPIRES, X_AMZ_SIGNED_HEADERS,
                    X_AMZ_SIGNATURE, X_AMZ_SECURITY_TOKEN, "q",
                ]),
                "AWS4-HMAC-SHA256|AKIDEXAMPLE/20150830/us-east-1/service/aws4_request|20150830T123600Z|[0-9]{0,7}|host(;[a-z-]{0,6}){0,2}|[0-9a-f]{64}|\\PC{0,12}",
            ),
            0..8,
        ),
        sha in proptest::option::of("[0-9a-f]{64}|UNSIGNED-PAYLOAD|\\PC{0,8}"),
        settings in settings(),
    ) {
        let mut req = Req::new("GET", "/");
        if let Some(a) = auth {
            req.headers.push((AUTHORIZATION.into(), a));
        }
        if let Some(d) = date {
            req.headers.push((X_AMZ_DATE.into(), d));
        }
        if let Some(h) = sha {
            req.headers.push((X_AMZ_CONTENT_SHA256.into(), h));
        }
        req.query = query.into_iter().collect();
        // Whatever comes in, the answer is a typed verdict.
        let _ = req.verify(settings);
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
    let params = params(&secret, SigningSettings::default());
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
    let policy = VerifyPolicy::default();
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
    want: VerifyFailure,
}

fn edit_authorization(r: &mut Req, f: fn(&str) -> String) {
    let h = r.headers.iter_mut().find(|(n, _)| n == AUTHORIZATION).unwrap();
    h.1 = f(&h.1);
}

fn failure_table() -> Vec<FailureCase> {
    use VerifyFailure as F;
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
        let policy = VerifyPolicy { settings, ..VerifyPolicy::default() };
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
    let strict = VerifyPolicy { expected_region: Some("eu-west-1"), ..VerifyPolicy::default() };
    assert_eq!(
        verify(&sent.view(), &keys, now(), &strict).unwrap_err(),
        VerifyFailure::WrongRegion { expected: "eu-west-1".into(), found: "us-east-1".into() }
    );
    let strict = VerifyPolicy { expected_service: Some("s3"), ..VerifyPolicy::default() };
    assert!(matches!(verify(&sent.view(), &keys, now(), &strict), Err(VerifyFailure::WrongService { .. })));
    let mut bad = sent.clone();
    bad.set_header(X_AMZ_DATE, "2015-08-30T12:36:00Z");
    assert!(matches!(bad.verify(header), Err(VerifyFailure::MalformedDate { .. })));
    let mut bad = sent.clone();
    bad.set_header(AUTHORIZATION, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE");
    assert!(matches!(bad.verify(header), Err(VerifyFailure::MalformedAuthorization(_))));
    let mut bad = sent.clone();
    let upper = bad.headers.iter().find(|(n, _)| n == AUTHORIZATION).unwrap().1.to_ascii_uppercase();
    bad.set_header(AUTHORIZATION, &upper.replace("AWS4-HMAC-SHA256 CREDENTIAL", "AWS4-HMAC-SHA256 Credential"));
    assert!(matches!(bad.verify(header), Err(VerifyFailure::MalformedAuthorization(_))));
    let mut bad = Req::new("GET", "/").signed(presigned, None);
    bad.query.set(X_AMZ_CREDENTIAL, "AKIDEXAMPLE/20150830");
    assert!(matches!(bad.verify(presigned), Err(VerifyFailure::MalformedCredential(_))));
    let mut bad = Req::new("GET", "/").signed(presigned, None);
    let upper = bad.query.get(X_AMZ_SIGNATURE).unwrap().to_ascii_uppercase();
    bad.query.set(X_AMZ_SIGNATURE, upper.clone());
    assert_eq!(bad.verify(presigned).unwrap_err(), VerifyFailure::MalformedSignature(upper));

    // S3 requires x-amz-content-sha256 in the header form.
    let without = SigningSettings { content_sha256_header: ContentSha256Header::Omit, ..SigningSettings::s3() };
    let sent = Req::new("GET", "/k").signed(without, None);
    assert_eq!(sent.verify(SigningSettings::s3()).unwrap_err(), VerifyFailure::MissingContentSha256);

    // x-amz-content-sha256 that does not match the body, after a good signature.
    let mut put = Req::new("PUT", "/k");
    put.body = b"hello".to_vec();
    let mut sent = put.signed(SigningSettings::s3(), None);
    let claimed = crate::crypto::sha256_hex(b"hello");
    sent.body = b"jello".to_vec();
    assert_eq!(
        sent.verify(SigningSettings::s3()).unwrap_err(),
        VerifyFailure::ContentSha256Mismatch { claimed, computed: crate::crypto::sha256_hex(b"jello") }
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
    let out =
        sign(&req.view(), &SigningParams { service: "s3", ..params(&secret, SigningSettings::s3().presigned(60)) });
    assert_eq!(out.canonical_request.canonical_uri, "/a//b/../c%20d");
    assert_eq!(out.canonical_request.hashed_payload, UNSIGNED_PAYLOAD);
    assert!(out.headers.is_empty() && out.authorization().is_none());
    assert_eq!(out.query_params.last().map(|(n, _)| n.as_str()), Some(X_AMZ_SIGNATURE));
}

/// A caller-set `x-amz-content-sha256` is the hashed payload for the signer and the
/// verifier alike (botocore `SigV4Auth.canonical_request`, npm `aws4`, S3); an explicit
/// `Payload::Precomputed`/`Unsigned` wins over it, and `ContentSha256Header::Add`
/// replaces it with the body's hash.
#[test]
fn a_caller_set_content_sha256_is_what_both_sides_sign() {
    let secret = SecretKey::new(SECRET);
    let sign_with = |req: &Req, settings| sign(&req.view(), &params(&secret, settings));
    let header = SigningSettings::default();
    let hello = crate::crypto::sha256_hex(b"hello");
    let mut put = Req::new("PUT", "/k");
    put.body = b"hello".to_vec();

    for (claimed, signed_as) in
        [(UNSIGNED_PAYLOAD.to_owned(), UNSIGNED_PAYLOAD), (format!(" {hello} "), hello.as_str())]
    {
        let mut req = put.clone();
        req.set_header(X_AMZ_CONTENT_SHA256, &claimed);
        assert_eq!(sign_with(&req, header).canonical_request.hashed_payload, signed_as, "{claimed}");
        for settings in [header, header.presigned(600)] {
            let verified = req.signed(settings, None).verify(settings);
            assert_eq!(verified.map(|v| v.canonical_request.hashed_payload).as_deref(), Ok(signed_as), "{claimed}");
        }
    }

    // A hash of another body: the signature matches, the body check does not (S3's
    // XAmzContentSHA256Mismatch).
    let mut req = put.clone();
    let other = crate::crypto::sha256_hex(b"other");
    req.set_header(X_AMZ_CONTENT_SHA256, &other);
    assert_eq!(
        req.signed(header, None).verify(header).unwrap_err(),
        VerifyFailure::ContentSha256Mismatch { claimed: other.clone(), computed: hello.clone() }
    );

    // An explicit payload wins over the header, on both sides.
    let mut view = req.view();
    view.payload = Payload::Unsigned;
    let secret_lookup = SingleKey { id: Some(AKID), secret: &secret };
    let out = sign(&view, &params(&secret, header));
    assert_eq!(out.canonical_request.hashed_payload, UNSIGNED_PAYLOAD);
    let mut sent = req.clone();
    out.apply_headers(&mut sent.headers);
    let mut sent_view = sent.view();
    sent_view.payload = Payload::Unsigned;
    assert!(verify(&sent_view, &secret_lookup, now(), &VerifyPolicy::default()).is_ok());

    // With Add, the signer owns the header: a stale value is replaced by the body's hash.
    let s3 = SigningSettings::s3();
    let out = sign_with(&req, s3);
    assert_eq!(out.canonical_request.hashed_payload, hello);
    assert!(out.headers.contains(&(X_AMZ_CONTENT_SHA256.to_owned(), hello.clone())));
    assert!(req.signed(s3, None).verify(s3).is_ok());
}

/// Signs `req` the way botocore does when the caller set a `Date` header: the time comes
/// from `Date`, `date` is signed, and no `X-Amz-Date` is sent.
fn sign_with_date_header(req: &mut Req, date: &str, amz_date: &str) {
    req.set_header("Date", date);
    let signed = ["date", "host"];
    let settings = SigningSettings::default();
    let canonical = canonical_request(&req.view(), &signed, crate::crypto::sha256_hex(&req.body), &settings, &[]);
    let scope = credential_scope(&amz_date[..8], "us-east-1", "service");
    let sts = string_to_sign(amz_date, &scope, &canonical);
    let key = signing_key(&SecretKey::new(SECRET), &amz_date[..8], "us-east-1", "service");
    let value =
        format!("{ALGORITHM} Credential={AKID}/{scope}, SignedHeaders=date;host, Signature={}", signature(&key, &sts));
    req.set_header(AUTHORIZATION, &value);
}

#[test]
fn a_signed_date_header_stands_in_for_x_amz_date() {
    let settings = SigningSettings::default();
    for date in ["Sun, 30 Aug 2015 12:36:00 GMT", "Sun, 30 Aug 2015 12:36:00 -0000"] {
        let mut req = Req::new("GET", "/");
        sign_with_date_header(&mut req, date, "20150830T123600Z");
        let verified = req.verify(settings).unwrap_or_else(|e| panic!("{date}: {e}"));
        assert_eq!(verified.request_time, now());
        assert!(verified.string_to_sign.to_string().contains("\n20150830T123600Z\n"));
    }
    // Signed over another instant than the one the header says: a mismatch.
    let mut req = Req::new("GET", "/");
    sign_with_date_header(&mut req, "Sun, 30 Aug 2015 12:36:01 GMT", "20150830T123600Z");
    assert!(matches!(req.verify(settings), Err(VerifyFailure::Mismatch { .. })), "{:?}", req.verify(settings));
    // A zone other than GMT, or an unsigned Date, is refused.
    let mut req = Req::new("GET", "/");
    sign_with_date_header(&mut req, "Sun, 30 Aug 2015 14:36:00 +0200", "20150830T123600Z");
    assert!(matches!(req.verify(settings), Err(VerifyFailure::MalformedDate { .. })));
    let mut req = Req::new("GET", "/");
    sign_with_date_header(&mut req, "Sun, 30 Aug 2015 12:36:00 GMT", "20150830T123600Z");
    edit_authorization(&mut req, |v| v.replace("SignedHeaders=date;host", "SignedHeaders=host"));
    assert_eq!(req.verify(settings).unwrap_err(), VerifyFailure::DateNotSigned);
    // X-Amz-Date wins over Date when both are sent.
    let mut req = Req::new("GET", "/").signed(settings, None);
    req.set_header("Date", "Mon, 01 Jan 2001 00:00:00 GMT");
    assert!(req.verify(settings).is_ok());
}
