//! The bodies of amzsig's fuzz targets: one plain function per target, each feeding
//! arbitrary bytes to the library's real entry points and asserting what must hold for
//! every input. A panic (a failed assertion or a panic inside amzsig) is a finding.
//!
//! Two callers run exactly this code: the cargo-fuzz targets (`fuzz/fuzz_targets/*.rs`,
//! through the fuzz crate's lib) and the stable-toolchain replay test
//! (`tests/it/fuzz_corpus.rs`, which includes this file with `#[path]`), so `cargo test`
//! checks every committed corpus file. Hence only `std`, `amzsig` and `serde_json` (a
//! dependency of both crates) are used here, and structured inputs are read with the
//! small [`Bytes`] reader below rather than the `arbitrary` crate.
//!
//! Specs behind the properties: RFC 3986 §2 and the AWS SigV2 encoding rule (encoding),
//! the PA-API / MWS SigV2 signing pages (sign → verify), the AWS SigV4 signing process
//! (sign → verify, wire-form parsers), XML 1.0 §2.2 `Char` (what XML can carry).

use amzsig::adapter::protocol::{decode_answer, decode_request};
use amzsig::clock::UtcTime;
use amzsig::crypto::{base64_decode, hmac, SecretKey};
use amzsig::crypto::{KeyState, SingleKey};
use amzsig::diagnose::v2::{self, sign_with_mistakes, Recipe};
use amzsig::diagnose::{diagnose, Budget, Mistake, Subject};
use amzsig::encoding::{cmp_encoded, decode, encode, encode_bytes_into, is_unreserved, parse_query, Param};
use amzsig::encoding::{ParamList, PlusMeans};
use amzsig::keystore::{Family, Keystore, PAAPI_LOCALES};
use amzsig::request::{OwnedRequest, RequestView, Scheme};
use amzsig::sigv2::{self, HostMatch, SignatureMethod, VerifyPolicy};
use amzsig::sigv4::{self, ParsedRequest, SignableRequest, SignatureLocation, SigningSettings};
use amzsig::xml::{self, Element, Node};

/// A target's body: panics on a finding.
pub type Check = fn(&[u8]);

/// Every target: its name (`fuzz_targets/<name>.rs`, `corpus/<name>/`) and its body.
pub const TARGETS: &[(&str, Check)] = &[
    ("query_parse", query_parse),
    ("encoding_roundtrip", encoding_roundtrip),
    ("sigv2_verify", sigv2_verify),
    ("sigv4_verify", sigv4_verify),
    ("keystore_load", keystore_load),
    ("xml_roundtrip", xml_roundtrip),
    ("adapter_protocol", adapter_protocol),
    ("diagnose", diagnose_mistakes),
];

/// Secrets from Amazon's documentation (PA-API, MWS, the SigV4 suite, the AWS General
/// Reference's SigV2 example), so that published requests in the corpus verify.
const DOC_SECRETS: [&str; 4] = [
    "1234567890",
    "kWcrlEXAMPLEM/LtmEENI/aVmYvHNif5zB+d9+ct",
    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
];

/// The instant the round trips sign at, and verify at when a request names no time.
fn fixed_now() -> UtcTime {
    UtcTime::parse_iso8601("2014-08-18T12:00:00Z").expect("a valid timestamp")
}

/// A digest of the input that picks variants (endpoint, settings): any change to the
/// input can change it, which suits a mutating fuzzer better than the length would.
fn choice(data: &[u8]) -> usize {
    usize::from(data.iter().fold(0u8, |acc, &b| acc.rotate_left(3) ^ b))
}

// ---------------------------------------------------------------- query_parse

/// `parse_query` never panics; on success every parameter's position points at its raw
/// bytes in the input, the raw forms rebuild the input, and decoded text survives
/// `encode` then `decode`; on failure the position is within the input. Reading `+` as a
/// space or as a plus changes no position, no raw form and no error.
pub fn query_parse(data: &[u8]) {
    let space = parse_query(data, PlusMeans::Space);
    let literal = parse_query(data, PlusMeans::Literal);
    match (&space, &literal) {
        (Ok(s), Ok(l)) => {
            assert_eq!(s.len(), l.len());
            for (a, b) in s.iter().zip(l) {
                assert_eq!((a.pos, &a.raw_name, &a.raw_value), (b.pos, &b.raw_name, &b.raw_value));
                assert_eq!(a.name.replace(' ', "+"), b.name.replace(' ', "+"));
            }
        }
        (Err(a), Err(b)) => assert_eq!(a, b),
        _ => panic!("'+' handling changed whether the input parses: {space:?} / {literal:?}"),
    }
    match space {
        Ok(params) => {
            for p in &params {
                check_param(data, p);
            }
            let raw: Vec<String> = params
                .iter()
                .map(|p| match &p.raw_value {
                    Some(v) => format!("{}={v}", p.raw_name),
                    None => p.raw_name.to_string(),
                })
                .collect();
            let segments: Vec<&[u8]> = data.split(|&b| b == b'&').filter(|s| !s.is_empty()).collect();
            assert_eq!(raw.iter().map(String::as_bytes).collect::<Vec<_>>(), segments, "raw forms rebuild the input");
        }
        Err(e) => assert!(e.pos <= data.len(), "error position {} past the input ({} bytes)", e.pos, data.len()),
    }
}

fn check_param(data: &[u8], p: &Param) {
    assert!(p.pos < data.len(), "pos {} not inside the input ({} bytes)", p.pos, data.len());
    let at = &data[p.pos..];
    assert!(at.starts_with(p.raw_name.as_bytes()), "raw name {:?} is not at pos {}", p.raw_name, p.pos);
    assert!(!p.raw_name.contains(['&', '=']));
    let rest = &at[p.raw_name.len()..];
    let after = if let Some(v) = &p.raw_value {
        assert!(rest.starts_with(b"=") && rest[1..].starts_with(v.as_bytes()), "raw value {v:?} is not after '='");
        assert!(!v.contains('&'));
        &rest[1 + v.len()..]
    } else {
        assert!(p.value.is_empty());
        rest
    };
    assert!(after.is_empty() || after[0] == b'&', "a parameter ends at '&' or at the end");
    assert_eq!(decode(p.raw_name.as_bytes(), PlusMeans::Space, p.pos).as_deref(), Ok(p.name.as_str()));
    for text in [&p.name, &p.value] {
        let encoded = encode(text.as_bytes());
        assert_eq!(
            decode(encoded.as_bytes(), PlusMeans::Space, 0).as_deref(),
            Ok(text.as_str()),
            "re-encoding {text:?}"
        );
    }
}

// ---------------------------------------------------------------- encoding_roundtrip

/// For any UTF-8 text (the input, lossily), `decode(encode(s)) == s` whatever `+` means,
/// and the encoded form holds only unreserved bytes and uppercase `%XX`. For any bytes,
/// the byte-buffer encoder agrees with `encode`, `cmp_encoded` orders like the encoded
/// strings, and decoding arbitrary bytes fails only at a position inside them.
pub fn encoding_roundtrip(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let encoded = encode(text.as_bytes());
    assert_aws_alphabet(&encoded);
    for plus in [PlusMeans::Space, PlusMeans::Literal] {
        assert_eq!(decode(encoded.as_bytes(), plus, 0).as_deref(), Ok(&*text));
    }

    let mut buf = b"prefix".to_vec();
    encode_bytes_into(&mut buf, data);
    let bytes_encoded = encode(data);
    assert_eq!(&buf[6..], bytes_encoded.as_bytes());
    let expected_len: usize = data.iter().map(|&b| if is_unreserved(b) { 1 } else { 3 }).sum();
    assert_eq!(bytes_encoded.len(), expected_len);

    let (a, b) = data.split_at(data.len() / 2);
    assert_eq!(cmp_encoded(a, b), encode(a).cmp(&encode(b)));
    assert_eq!(cmp_encoded(data, a), bytes_encoded.cmp(&encode(a)));

    match decode(data, PlusMeans::Space, 7) {
        Ok(s) => assert_eq!(decode(encode(s.as_bytes()).as_bytes(), PlusMeans::Space, 0).as_ref(), Ok(&s)),
        Err(e) => assert!((7..=7 + data.len()).contains(&e.pos), "error position {} outside the input", e.pos),
    }
}

fn assert_aws_alphabet(encoded: &str) {
    let b = encoded.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b.get(i + 1..i + 3).unwrap_or_default();
            assert!(
                hex.len() == 2 && hex.iter().all(|c| c.is_ascii_digit() || (b'A'..=b'F').contains(c)),
                "bad escape at {i} in {encoded:?}"
            );
            i += 3;
        } else {
            assert!(is_unreserved(b[i]), "byte {:#04x} left bare in {encoded:?}", b[i]);
            i += 1;
        }
    }
}

// ---------------------------------------------------------------- sigv2_verify

/// SigV2 endpoints a bare query string is verified at (method, scheme, Host, path).
const SIGV2_ENDPOINTS: [(&str, Scheme, &str, &str); 4] = [
    ("GET", Scheme::Http, "webservices.amazon.com", "/onca/xml"),
    ("POST", Scheme::Https, "mws.amazonservices.com", "/Orders/2013-09-01"),
    ("GET", Scheme::Https, "Ecs.AmazonAWS.com:443", "/onca/xml"),
    ("POST", Scheme::Http, "127.0.0.1:8080", ""),
];

/// Parameters a signer sets; the round trip replaces any the input carries.
const SIGV2_AUTH_PARAMS: [&str; 6] =
    ["Signature", "AWSAccessKeyId", "SignatureVersion", "SignatureMethod", "Timestamp", "Expires"];

/// The input is `METHOD http(s)://host/path?query` (read with `OwnedRequest::from_url`)
/// or a bare query string (verified at each of [`SIGV2_ENDPOINTS`]). Verification with a
/// [`SingleKey`] never panics, accepts only a signature that is the HMAC of the string
/// to sign it reports, and a mismatch reports the canonical form of the request. Then the
/// input's decoded parameters, signed with `sigv2::sign` (`Timestamp` the fixed now),
/// always verify, both as built and after a trip through the wire form and the parser.
pub fn sigv2_verify(data: &[u8]) {
    let requests: Vec<OwnedRequest> = match sigv2_url(data) {
        Some(Ok(r)) => vec![r],
        Some(Err(_)) => return,
        None => match parse_query(data, PlusMeans::Space) {
            Ok(params) => SIGV2_ENDPOINTS
                .iter()
                .map(|&(method, scheme, host, path)| OwnedRequest {
                    method: method.to_owned(),
                    scheme,
                    host: host.to_owned(),
                    path: path.to_owned(),
                    params: params.clone(),
                    location: amzsig::request::ParamLocation::Query,
                })
                .collect(),
            Err(e) => {
                assert!(e.pos <= data.len());
                return;
            }
        },
    };
    for req in &requests {
        let view = req.view();
        let now = request_time(&view);
        for secret in DOC_SECRETS.map(SecretKey::new) {
            let keys = SingleKey { id: None, secret: &secret };
            for host_match in [HostMatch::Exact, HostMatch::AlsoWithoutPort] {
                let policy = VerifyPolicy { host_match, ..VerifyPolicy::default() };
                check_sigv2_verdict(&view, &secret, &sigv2::verify(&view, &keys, now, &policy));
            }
        }
    }
    let pick = choice(data);
    sigv2_round_trip(&requests[pick % requests.len()], pick);
}

/// `Some` when the input looks like `METHOD http…`.
fn sigv2_url(data: &[u8]) -> Option<Result<OwnedRequest, amzsig::request::RequestParseError>> {
    let space = data.iter().position(|&b| b == b' ')?;
    let (method, url) = (std::str::from_utf8(&data[..space]).ok()?, std::str::from_utf8(&data[space + 1..]).ok()?);
    (url.starts_with("http://") || url.starts_with("https://")).then(|| OwnedRequest::from_url(method, url))
}

/// The request's own time when it has one (so published requests verify), else the
/// fixed now.
fn request_time(view: &RequestView<'_>) -> UtcTime {
    let at = |name| view.params.get(name).and_then(|t| UtcTime::parse_iso8601(t).ok());
    at("Timestamp").or_else(|| at("Expires").map(|e| e.plus_secs(-60))).unwrap_or_else(fixed_now)
}

fn check_sigv2_verdict(
    view: &RequestView<'_>,
    secret: &SecretKey,
    verdict: &Result<sigv2::Verified, sigv2::VerifyFailure>,
) {
    match verdict {
        Ok(v) => {
            assert_eq!(Some(v.access_key_id.as_str()), view.params.get("AWSAccessKeyId"));
            let sent = view.params.get(sigv2::SIGNATURE_PARAM).and_then(base64_decode).expect("a base64 signature");
            let ours = hmac(v.method.algorithm(), secret, v.canonical.string_to_sign.as_bytes());
            assert_eq!(ours.as_bytes(), &sent[..], "verified a signature that is not the HMAC of the string to sign");
            if v.host_form == sigv2::HostForm::AsSent {
                assert_eq!(v.canonical, sigv2::canonicalize(view));
            }
        }
        Err(sigv2::VerifyFailure::Mismatch { expected }) => assert_eq!(expected, &sigv2::canonicalize(view)),
        Err(_) => {}
    }
}

fn sigv2_round_trip(req: &OwnedRequest, pick: usize) {
    let (http_method, scheme, host, path) = SIGV2_ENDPOINTS[pick % SIGV2_ENDPOINTS.len()];
    let secret = SecretKey::new(DOC_SECRETS[pick % DOC_SECRETS.len()]);
    let now = fixed_now();
    let mut params =
        ParamList(req.params.iter().filter(|p| !SIGV2_AUTH_PARAMS.contains(&p.name.as_str())).cloned().collect());
    params.push("AWSAccessKeyId", "AKIAIOSFODNN7EXAMPLE");
    params.push("Timestamp", now.to_iso8601());
    let method = match pick / 4 % 3 {
        0 => SignatureMethod::HmacSha256, // declared by default (PA-API sends none)
        1 => {
            params.push("SignatureMethod", "HmacSHA256");
            SignatureMethod::HmacSha256
        }
        _ => {
            params.push("SignatureMethod", "HmacSHA1");
            SignatureMethod::HmacSha1
        }
    };
    params.push("SignatureVersion", "2");
    let view = RequestView { method: http_method, scheme, host, path, params: &params };
    let signed = sigv2::sign(&view, method, &secret);
    assert_eq!(signed.canonical, sigv2::canonicalize(&view));

    let keys = SingleKey { id: Some("AKIAIOSFODNN7EXAMPLE"), secret: &secret };
    let mut sent = params.clone();
    sent.push(sigv2::SIGNATURE_PARAM, signed.signature.clone());
    let wire = signed.wire_query(&params);
    let reparsed = parse_query(wire.as_bytes(), PlusMeans::Space).expect("the wire form parses");
    let decoded = |l: &ParamList| l.iter().map(|p| (p.name.clone(), p.value.clone())).collect::<Vec<_>>();
    assert_eq!(decoded(&reparsed), decoded(&sent), "the wire form decodes to what was signed");
    for list in [&sent, &reparsed] {
        let view = RequestView { params: list, ..view };
        let verified = sigv2::verify(&view, &keys, now, &VerifyPolicy::default());
        let verified = verified.unwrap_or_else(|e| panic!("a freshly signed request does not verify: {e:?}"));
        assert_eq!((verified.method, &verified.canonical), (method, &signed.canonical));
    }
}

// ---------------------------------------------------------------- sigv4_verify

/// The access key id and secret of the SigV4 test suite.
const SIGV4_AKID: &str = "AKIDEXAMPLE";
const SIGV4_SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

/// Headers a SigV4 signer owns (it sets or replaces them).
const SIGV4_OWNED_HEADERS: [&str; 4] = ["authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256"];

/// Query parameters a presigning signer owns.
const SIGV4_OWNED_PARAMS: [&str; 7] = [
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-SignedHeaders",
    "X-Amz-Signature",
    "X-Amz-Security-Token",
];

/// The input is captured request text (`ParsedRequest::parse`, the suite's `.req`
/// format). Parsing, `parse_authorization`, `parse_credential` and `parse_amz_date` (on
/// the whole input and on every header value) never panic, report positions inside their
/// input, and what they accept reads back. Verification (general and S3 settings) never
/// panics, gives the same verdict with a signing-key cache, accepts only the signature
/// it recomputes, and its string to sign hashes its canonical request. Then the request,
/// re-signed with `sigv4::sign` (header or presigned form, with or without a session
/// token), always verifies.
pub fn sigv4_verify(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    check_sigv4_wire_parsers(&text);
    let req = match ParsedRequest::parse(data) {
        Ok(r) => r,
        Err(e) => {
            let lines = data.split(|&b| b == b'\n').count();
            assert!((1..=lines).contains(&e.line), "error line {} outside 1..={lines}", e.line);
            return;
        }
    };
    for (_, value) in &req.headers {
        check_sigv4_wire_parsers(value);
    }
    for p in &req.query {
        check_sigv4_wire_parsers(&p.value);
    }
    let view = req.view();
    let amz_date = view.header(sigv4::X_AMZ_DATE).or_else(|| req.query.get(sigv4::X_AMZ_DATE));
    let now = amz_date.and_then(|d| sigv4::parse_amz_date(d.trim()).ok()).unwrap_or_else(fixed_now);
    let secret = SecretKey::new(SIGV4_SECRET);
    let keys = SingleKey { id: None, secret: &secret };
    for settings in [SigningSettings::default(), SigningSettings::s3()] {
        let policy = amzsig::sigv4::VerifyPolicy { settings, ..amzsig::sigv4::VerifyPolicy::default() };
        let verdict = sigv4::verify(&view, &keys, now, &policy);
        let mut cache = sigv4::SigningKeyCache::new(2);
        assert_eq!(verdict, sigv4::verify_with_cache(&view, &keys, now, &policy, &mut cache));
        match verdict {
            Ok(v) => {
                assert_eq!(v.string_to_sign.hashed_canonical_request, v.canonical_request.hash());
                assert_eq!(v.string_to_sign.credential_scope, v.scope.to_string());
                let key = sigv4::signing_key(&secret, &v.scope.date, &v.scope.region, &v.scope.service);
                let ours = sigv4::signature(&key, &v.string_to_sign);
                let claimed = match v.location {
                    SignatureLocation::Headers => view
                        .header(sigv4::AUTHORIZATION)
                        .and_then(|a| sigv4::parse_authorization(a).ok())
                        .map(|a| a.signature),
                    SignatureLocation::QueryParams => req.query.get(sigv4::X_AMZ_SIGNATURE).map(str::to_owned),
                };
                assert_eq!(claimed.as_deref(), Some(ours.as_str()), "verified a signature it does not recompute");
            }
            Err(sigv4::VerifyFailure::Mismatch { canonical_request, string_to_sign }) => {
                assert_eq!(string_to_sign.hashed_canonical_request, canonical_request.hash());
            }
            Err(_) => {}
        }
    }
    sigv4_round_trip(&req, choice(data));
}

fn check_sigv4_wire_parsers(text: &str) {
    match sigv4::parse_amz_date(text) {
        Ok(t) => assert_eq!(t.to_amz_date(), text, "an accepted X-Amz-Date reads back"),
        Err(e) => assert!(e.pos <= text.len().min(16), "X-Amz-Date error at {} in {text:?}", e.pos),
    }
    match sigv4::parse_authorization(text) {
        Ok(a) => {
            assert!(text.starts_with(&a.algorithm) && text[a.algorithm.len()..].starts_with(' '));
            assert!(text.contains(&format!("Credential={}", a.credential)));
            assert!(text.contains(&format!("SignedHeaders={}", a.signed_headers.join(";"))));
            assert!(text.contains(&format!("Signature={}", a.signature)));
            assert!(!a.signed_headers.iter().any(String::is_empty));
        }
        Err(e) => assert!(e.pos <= text.len(), "Authorization error at {} in {text:?}", e.pos),
    }
    match sigv4::parse_credential(text) {
        Ok(c) => assert_eq!(c.to_string(), text, "an accepted credential reads back"),
        Err(e) => assert!(e.pos <= text.len(), "credential error at {} in {text:?}", e.pos),
    }
}

/// RFC 9110 §5.6.2 `token`: the characters a header name may have.
fn is_token(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fn sigv4_round_trip(req: &ParsedRequest, pick: usize) {
    // Preconditions of a well-formed request: header names are tokens, and the headers
    // and parameters the signer owns are the signer's (a stale Authorization or
    // x-amz-content-sha256 from the input is not part of the request being signed).
    let mut headers: Vec<(String, String)> = req
        .headers
        .iter()
        .filter(|(n, _)| is_token(n) && !SIGV4_OWNED_HEADERS.iter().any(|o| n.eq_ignore_ascii_case(o)))
        .cloned()
        .collect();
    if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        headers.push(("Host".to_owned(), "example.amazonaws.com".to_owned()));
    }
    let query =
        ParamList(req.query.iter().filter(|p| !SIGV4_OWNED_PARAMS.contains(&p.name.as_str())).cloned().collect());
    let base = if pick & 1 == 0 { SigningSettings::default() } else { SigningSettings::s3() };
    let settings = if pick & 2 == 0 { base } else { base.presigned(600) };
    let token = (pick & 4 != 0).then_some("AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQW");
    let settings = SigningSettings {
        session_token: if pick & 8 == 0 { sigv4::SessionTokenMode::Include } else { sigv4::SessionTokenMode::Exclude },
        ..settings
    };
    let secret = SecretKey::new(SIGV4_SECRET);
    let view = SignableRequest { query: &query, headers: (&headers).into(), ..req.view() };
    let params = sigv4::SigningParams {
        access_key_id: SIGV4_AKID,
        secret: &secret,
        session_token: token,
        region: "us-east-1",
        service: "service",
        time: fixed_now(),
        settings,
    };
    let out = sigv4::sign(&view, &params);
    let mut sent_headers = headers.clone();
    let mut sent_query = query.clone();
    match out.location {
        SignatureLocation::Headers => out.apply_headers(&mut sent_headers),
        SignatureLocation::QueryParams => {
            let q = out.presigned_query(&query);
            sent_query = parse_query(q.as_bytes(), PlusMeans::Space).expect("a presigned query parses");
        }
    }
    let sent = SignableRequest { query: &sent_query, headers: (&sent_headers).into(), ..view };
    let keys = SingleKey { id: Some(SIGV4_AKID), secret: &secret };
    let policy = amzsig::sigv4::VerifyPolicy { settings, ..amzsig::sigv4::VerifyPolicy::default() };
    let verified = sigv4::verify(&sent, &keys, fixed_now(), &policy)
        .unwrap_or_else(|e| panic!("a freshly signed request does not verify ({settings:?}): {e:?}"));
    assert_eq!(verified.location, settings.signature_location);
    assert_eq!(verified.session_token.as_deref(), token);
    assert_eq!(verified.string_to_sign, out.string_to_sign);
}

// ---------------------------------------------------------------- keystore_load

/// `Keystore::from_yaml_str` never panics. An error names the origin and a line inside
/// the text; a loaded store keeps its validation promises (unique account names, known
/// locales, authorisations only of known developers with `amzn.mws.` tokens) and answers
/// key lookups consistently.
pub fn keystore_load(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match Keystore::from_yaml_str(&text, "fuzz") {
        Ok(store) => {
            let accounts = store.accounts();
            for (i, a) in accounts.iter().enumerate() {
                assert!(!accounts[..i].iter().any(|b| b.name == a.name), "duplicate account {:?}", a.name);
                assert!(a.associate_tags.keys().all(|l| PAAPI_LOCALES.contains(&l.as_str())));
            }
            for s in store.sellers() {
                assert_eq!(store.seller(&s.seller_id).map(|x| &x.seller_id), Some(&s.seller_id));
                for auth in &s.authorizations {
                    assert!(accounts.iter().any(|a| a.mws_developer_id.as_ref() == Some(&auth.developer_id)));
                    assert!(auth.mws_auth_token.starts_with("amzn.mws."));
                }
            }
            for word in text.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).take(64) {
                let states = Family::ALL.map(|f| store.family(f).lookup(word));
                match store.key(word) {
                    None => assert!(states.iter().all(|s| matches!(s, KeyState::Unknown))),
                    Some(k) => {
                        assert_eq!(k.id, word);
                        assert!(store.account_for_key(word).is_some());
                    }
                }
            }
        }
        Err(e) => {
            assert_eq!(e.origin, "fuzz");
            if let Some(line) = e.line {
                // Syntax errors count lines as YAML does (CR, LF, CRLF, NEL, LS and PS all
                // break lines), and may point one line past the text when the problem is
                // its end (a last line without a line break).
                let lines = yaml_lines(&text) + 1;
                assert!((1..=lines).contains(&line), "error line {line} outside 1..={lines}");
            }
            assert!(e.to_string().starts_with("fuzz"));
        }
    }
}

/// The number of lines of `text` as YAML 1.1 (libyaml) counts them.
fn yaml_lines(text: &str) -> usize {
    let breaks = text
        .replace("\r\n", "\n")
        .chars()
        .filter(|c| matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}'))
        .count();
    breaks + 1
}

// ---------------------------------------------------------------- xml_roundtrip

/// Reads structured choices from fuzz bytes. Each read takes bytes from the front and an
/// exhausted input reads as zeros, so every byte string is a valid input and small
/// changes to the bytes make small changes to the structure.
pub struct Bytes<'a>(pub &'a [u8]);

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }

    fn below(&mut self, n: usize) -> usize {
        usize::from(self.byte()) % n
    }

    /// One character: a byte below 0x80 is that ASCII character; otherwise it and the two
    /// next bytes give any scalar value (surrogates read as U+FFFD).
    fn char(&mut self) -> char {
        let b = self.byte();
        if b < 0x80 {
            return char::from(b);
        }
        let v = ((u32::from(b & 0x7F) << 16) | (u32::from(self.byte()) << 8) | u32::from(self.byte())) % 0x11_0000;
        char::from_u32(v).unwrap_or('\u{FFFD}')
    }

    fn text(&mut self, max: usize) -> String {
        let n = self.below(max + 1);
        (0..n).map(|_| self.char()).collect()
    }

    fn pick(&mut self, chars: &str) -> char {
        let n = self.below(chars.chars().count());
        chars.chars().nth(n).unwrap_or('x')
    }

    /// A valid XML name (XML 1.0 §2.3 `Name`): a letter or `_`, then name characters
    /// (never a leading `:`, so the name is namespace-well-formed too).
    fn xml_name(&mut self) -> String {
        const START: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_\u{e9}\u{df}\u{3a9}\u{436}\u{540d}";
        const REST: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_\u{e9}\u{540d}0123456789.-:\u{b7}";
        let mut name = String::from(self.pick(START));
        for _ in 0..self.below(8) {
            name.push(self.pick(REST));
        }
        name
    }

    fn element(&mut self, depth: usize) -> Element {
        let mut e = Element::new(self.xml_name());
        for _ in 0..self.below(4) {
            let name = self.xml_name();
            let value = self.text(12);
            if e.attr_value(&name).is_none() {
                e = e.attr(name, value);
            }
        }
        for _ in 0..self.below(5) {
            if depth < 4 && self.byte() & 1 == 1 {
                e.push(self.element(depth + 1));
            } else {
                e.children.push(Node::Text(self.text(16)));
            }
        }
        e
    }
}

/// What XML 1.0 can carry of `text`: characters outside `Char` (C0 controls but TAB, LF
/// and CR; U+FFFE; U+FFFF) are written as U+FFFD by design.
fn xml_carried(text: &str) -> String {
    text.chars()
        .map(|c| {
            if (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}') {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
}

/// The tree `xml::parse` gives back for `e`: carried characters, adjacent text merged,
/// empty text gone, and whitespace-only text dropped beside child elements (indentation).
fn xml_expected(e: &Element) -> Element {
    let mut out = Element::new(e.name.clone());
    out.attrs = e.attrs.iter().map(|(k, v)| (k.clone(), xml_carried(v))).collect();
    for child in &e.children {
        match child {
            Node::Element(c) => out.children.push(Node::Element(xml_expected(c))),
            Node::Text(t) => {
                let t = xml_carried(t);
                match out.children.last_mut() {
                    _ if t.is_empty() => {}
                    Some(Node::Text(prev)) => prev.push_str(&t),
                    _ => out.children.push(Node::Text(t)),
                }
            }
        }
    }
    if out.children.iter().any(|c| matches!(c, Node::Element(_))) {
        out.children.retain(|c| !matches!(c, Node::Text(t) if t.trim().is_empty()));
    }
    out
}

/// An element tree with valid names and arbitrary text and attribute values renders with
/// `to_document()` (and `to_fragment()`) and parses back with `xml::parse` to the same
/// tree, up to the characters XML cannot carry.
pub fn xml_roundtrip(data: &[u8]) {
    let tree = Bytes(data).element(0);
    let expected = xml_expected(&tree);
    for doc in [tree.to_document(), tree.to_fragment()] {
        let back = xml::parse(&doc).unwrap_or_else(|e| panic!("rendered XML does not parse: {e}\n{doc}"));
        assert_eq!(back, expected, "round trip of\n{doc}");
    }
}

// ---------------------------------------------------------------- adapter_protocol

/// The adapter protocol's decoders never panic on any line; an error quotes the start of
/// the line; a decoded message encodes to JSON that decodes to the same message.
pub fn adapter_protocol(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for line in std::iter::once(&*text).chain(text.lines()) {
        match decode_answer(line) {
            Ok(answer) => {
                let json = serde_json::to_string(&answer).expect("an answer serialises");
                assert_eq!(decode_answer(&json).ok().as_ref(), Some(&answer), "answer round trip via {json}");
            }
            Err(e) => assert!(line.starts_with(&e.line) && e.line.chars().count() <= 200),
        }
        match decode_request(line) {
            Ok(request) => {
                let json = serde_json::to_string(&request).expect("a request serialises");
                assert_eq!(decode_request(&json).ok().as_ref(), Some(&request), "request round trip via {json}");
            }
            Err(e) => assert!(line.starts_with(&e.line) && e.line.chars().count() <= 200),
        }
    }
}

// ---------------------------------------------------------------- diagnose

/// Endpoint variants for `diagnose` (hosts with and without ports and capitals).
const DIAGNOSE_HOSTS: [&str; 5] =
    ["webservices.amazon.com", "WebServices.Amazon.com", "mws.amazonservices.com:443", "127.0.0.1:8080", "h:80"];

/// The input is three choice bytes (mistake, second mistake or none, endpoint) and a
/// query string. A request signed by `sign_with_mistakes` with one mistake, or with a
/// compatible pair, is diagnosed by `diagnose()`:
/// - when the mistake changes nothing for this request (the signature is the correct
///   one), there are no findings: a correct signature is never blamed;
/// - otherwise the findings name exactly that mistake (for a pair: the pair, or one of
///   its mistakes alone when the other changes nothing), with the string the mistaken
///   signer signed;
/// - every finding is sound: its recipe applies and reproduces the sent signature.
///
/// The correct string to sign is `sigv2::canonicalize`'s.
pub fn diagnose_mistakes(data: &[u8]) {
    let mut input = Bytes(data);
    let first = v2::ALL[input.below(v2::ALL.len())];
    let second = v2::ALL.get(input.below(v2::ALL.len() + 1)).copied();
    let endpoint = input.below(90);
    let Ok(params) = parse_query(input.0, PlusMeans::Space) else { return };
    let params = ParamList(params.0.into_iter().filter(|p| p.name != sigv2::SIGNATURE_PARAM).collect());
    let view = RequestView {
        method: ["GET", "POST", "PUT"][endpoint % 3],
        host: DIAGNOSE_HOSTS[endpoint / 3 % DIAGNOSE_HOSTS.len()],
        path: ["", "/", "/onca/xml"][endpoint / 15 % 3],
        scheme: if endpoint / 45 == 0 { Scheme::Http } else { Scheme::Https },
        params: &params,
    };
    check_diagnosis(&view, &[first]);
    if let Some(second) = second.filter(|s| first.combines_with(*s)) {
        let mut pair = [first, second];
        pair.sort_unstable();
        check_diagnosis(&view, &pair);
    }
}

fn check_diagnosis(view: &RequestView<'_>, mistakes: &[Mistake]) {
    let secret = SecretKey::new(DOC_SECRETS[0]);
    let default = SignatureMethod::HmacSha256;
    let Some(sig) = sign_with_mistakes(view, &secret, default, mistakes) else {
        // Refused: a mistake does not apply to this request, or the signature has no `+`
        // to lose in transport.
        assert!(
            Recipe::correct(default).with(mistakes, view).is_none()
                || mistakes.contains(&v2::SIGNATURE_PLUS_NOT_ENCODED),
            "sign_with_mistakes refused an applicable set"
        );
        return;
    };
    let correct = Recipe::correct(default);
    let correct_sts = correct.string_to_sign(view);
    assert_eq!(correct_sts, sigv2::canonicalize(view).string_to_sign, "the correct recipe is sigv2's");
    let correct_sig = correct.signatures(view, &secret, &correct_sts).swap_remove(0);
    let mistaken_sts = correct.with(mistakes, view).expect("the set applies").string_to_sign(view);

    let mut sent = view.params.clone();
    sent.push(sigv2::SIGNATURE_PARAM, sig.clone());
    let sent_view = RequestView { params: &sent, ..*view };
    let d = diagnose(Subject::V2 { view: sent_view, default_method: default }, &secret, Budget::UNLIMITED);
    assert_eq!(d.correct_string_to_sign, correct_sts);
    let ids = |f: &[Mistake]| f.iter().map(|m| m.id()).collect::<Vec<_>>().join("+");
    let found: Vec<String> = d.findings.iter().map(|f| ids(&f.mistakes)).collect();

    for f in &d.findings {
        let recipe = correct.with(&f.mistakes, &sent_view).expect("a finding's mistakes apply");
        assert!(recipe.strings_to_sign(&sent_view).contains(&f.client_string_to_sign));
        let transport = f.mistakes.contains(&v2::SIGNATURE_PLUS_NOT_ENCODED);
        let reproduces = recipe.signatures(&sent_view, &secret, &f.client_string_to_sign).iter().any(|s| {
            if transport {
                s.contains('+') && s.replace('+', " ") == sig
            } else {
                *s == sig
            }
        });
        assert!(reproduces, "finding {} does not reproduce the signature", ids(&f.mistakes));
    }
    if sig == correct_sig {
        assert!(d.findings.is_empty(), "a correct signature was blamed on {found:?} (signed with {})", ids(mistakes));
        return;
    }
    let named = d.findings.iter().find(|f| f.mistakes == mistakes);
    let alone = d.findings.iter().find(|f| f.mistakes.len() == 1 && mistakes.contains(&f.mistakes[0]));
    match (named, alone) {
        (Some(f), _) => assert_eq!(f.client_string_to_sign, mistaken_sts, "the finding shows what was signed"),
        (None, Some(_)) if mistakes.len() == 2 => {}
        _ => panic!(
            "signed with {} but diagnosed as {found:?}\nclient signed:\n{mistaken_sts}\ncorrect:\n{correct_sts}",
            ids(mistakes)
        ),
    }
}
