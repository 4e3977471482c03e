//! Tasks 2 to 4 of SigV4: "Create a string to sign" (sigv4-create-string-to-sign.html),
//! "Calculate the signature" (sigv4-calculate-signature.html) and "Add the signature to
//! the HTTP request" (sigv4-add-signature-to-request.html; for presigned URLs, S3 API
//! Reference sigv4-query-string-auth.html), and [`sign`], which runs all four.
//!
//! ```text
//! StringToSign = Algorithm \n RequestDateTime \n CredentialScope \n HashedCanonicalRequest
//! kSecret = your secret access key
//! kDate = HMAC("AWS4" + kSecret, Date)
//! kRegion = HMAC(kDate, Region)
//! kService = HMAC(kRegion, Service)
//! kSigning = HMAC(kService, "aws4_request")
//! signature = HexEncode(HMAC(kSigning, StringToSign))
//! ```
//!
//! The signing key is derived from the secret, so [`SigningKey`] prints no bytes and is
//! zeroed on drop; [`SigningKeyCache`] keys its entries by a one-way fingerprint of the
//! secret, never the secret itself.

use super::canonical::{
    canonical_header_block, canonical_query_from_pairs, canonical_query_string, canonical_uri, hashed_payload,
    request_hashed_payload, CanonicalRequest, HeaderRef,
};
use super::{
    ContentSha256Header, PresignedPayload, SessionTokenMode, SignableRequest, SignatureLocation, SigningSettings,
    ALGORITHM, AUTHORIZATION, SCOPE_TERMINATOR, UNSIGNED_PAYLOAD, X_AMZ_ALGORITHM, X_AMZ_CONTENT_SHA256,
    X_AMZ_CREDENTIAL, X_AMZ_DATE, X_AMZ_EXPIRES, X_AMZ_SECURITY_TOKEN, X_AMZ_SIGNATURE, X_AMZ_SIGNED_HEADERS,
};
use crate::clock::UtcTime;
use crate::crypto::{hmac, hmac_raw, HmacAlgorithm, SecretKey};
use crate::encoding::{encode_into, ParamList};
use std::collections::HashMap;
use std::fmt;
use zeroize::Zeroizing;

/// The credential scope: `YYYYMMDD/region/service/aws4_request`.
pub fn credential_scope(date: &str, region: &str, service: &str) -> String {
    concat(&[date, "/", region, "/", service, "/", SCOPE_TERMINATOR])
}

/// The string to sign's four lines. `Display` gives the text that is signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StringToSign {
    /// `AWS4-HMAC-SHA256`.
    pub algorithm: String,
    /// The `X-Amz-Date` value, `YYYYMMDDThhmmssZ`.
    pub request_date_time: String,
    /// [`credential_scope`].
    pub credential_scope: String,
    /// Lowercase hex SHA-256 of the canonical request.
    pub hashed_canonical_request: String,
}

impl fmt::Display for StringToSign {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}\n{}\n{}\n{}",
            self.algorithm, self.request_date_time, self.credential_scope, self.hashed_canonical_request
        )
    }
}

/// Task 2: the string to sign for a canonical request signed at `request_date_time`
/// (`YYYYMMDDThhmmssZ`) within `credential_scope`.
pub fn string_to_sign(request_date_time: &str, credential_scope: &str, canonical: &CanonicalRequest) -> StringToSign {
    StringToSign {
        algorithm: ALGORITHM.to_owned(),
        request_date_time: request_date_time.to_owned(),
        credential_scope: credential_scope.to_owned(),
        hashed_canonical_request: canonical.hash(),
    }
}

/// The derived signing key (kSigning). Secret-derived: never printed, zeroed on drop.
#[derive(Clone)]
pub struct SigningKey(Zeroizing<[u8; 32]>);

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey(<redacted>)")
    }
}

impl SigningKey {
    /// Constant-time equality with another derived key.
    pub fn ct_eq(&self, other: &SigningKey) -> bool {
        crate::crypto::constant_time_eq(&self.0[..], &other.0[..])
    }

    /// The key's bytes, for the documented-example test only.
    #[cfg(test)]
    pub(crate) fn expose_for_test(&self) -> &[u8] {
        &self.0[..]
    }
}

/// `"AWS4" + secret` as a [`SecretKey`], so the first HMAC of the chain stays inside
/// `crypto`'s API.
pub(crate) fn aws4_key(secret: &SecretKey) -> SecretKey {
    secret.map_bytes(|s| [b"AWS4".as_slice(), s].concat())
}

/// Task 3, first half: kDate → kRegion → kService → kSigning. `date` is `YYYYMMDD`.
pub fn signing_key(secret: &SecretKey, date: &str, region: &str, service: &str) -> SigningKey {
    let k_date = hmac(HmacAlgorithm::Sha256, &aws4_key(secret), date.as_bytes());
    let k_region = hmac_raw(HmacAlgorithm::Sha256, k_date.as_bytes(), region.as_bytes());
    let k_service = hmac_raw(HmacAlgorithm::Sha256, k_region.as_bytes(), service.as_bytes());
    let k_signing = hmac_raw(HmacAlgorithm::Sha256, k_service.as_bytes(), SCOPE_TERMINATOR.as_bytes());
    let mut key = Zeroizing::new([0u8; 32]);
    key.copy_from_slice(k_signing.as_bytes());
    SigningKey(key)
}

/// Task 3, second half: the lowercase hex HMAC-SHA256 of the string to sign.
pub fn signature(key: &SigningKey, string_to_sign: &StringToSign) -> String {
    let sts = string_to_sign;
    let parts = [&sts.algorithm, &sts.request_date_time, &sts.credential_scope, &sts.hashed_canonical_request];
    let mut text = String::with_capacity(parts.iter().map(|p| p.len() + 1).sum());
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            text.push('\n');
        }
        text.push_str(part);
    }
    sign_text(key, &text)
}

/// The lowercase hex HMAC-SHA256 of any text under a signing key (the chunk and trailer
/// strings to sign of aws-chunked streaming are signed with the request's key).
pub fn sign_text(key: &SigningKey, text: &str) -> String {
    hex_lower(hmac_raw(HmacAlgorithm::Sha256, &key.0[..], text.as_bytes()).as_bytes())
}

/// Lowercase hex written into a byte buffer in one pass (the signature is public, not
/// secret).
fn hex_lower(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = Vec::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.extend_from_slice(&[DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 15)]]);
    }
    String::from_utf8(out).unwrap_or_default()
}

/// Derived signing keys by (secret, date, region, service): a key is valid for a whole
/// day, so a server verifying many requests, or a client signing many, derives it once.
/// Entries are keyed by an HMAC under the secret of a fixed label and the scope's three
/// parts (one-way: the cache never holds the secret, and the key of an entry reveals
/// neither the secret nor the scope); a lookup costs that one HMAC and no allocation of
/// the map's key. The cache forgets everything when it reaches its capacity.
pub struct SigningKeyCache {
    entries: HashMap<[u8; 32], SigningKey>,
    capacity: usize,
}

impl fmt::Debug for SigningKeyCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKeyCache").field("len", &self.entries.len()).field("capacity", &self.capacity).finish()
    }
}

impl Default for SigningKeyCache {
    fn default() -> Self {
        Self::new(256)
    }
}

impl SigningKeyCache {
    /// An empty cache holding at most `capacity` keys (at least one).
    pub fn new(capacity: usize) -> Self {
        Self { entries: HashMap::new(), capacity: capacity.max(1) }
    }

    /// The signing key for these inputs, derived on first use.
    pub fn get_or_derive(&mut self, secret: &SecretKey, date: &str, region: &str, service: &str) -> SigningKey {
        const LABEL: &[u8] = b"amzsig sigv4 signing-key cache";
        // Each part is length-prefixed, so no two scopes give the same message; a usual
        // scope fits the stack buffer.
        let mut stack = [0u8; 128];
        let mut heap = Vec::new();
        let len = LABEL.len() + 12 + date.len() + region.len() + service.len();
        let message: &mut [u8] = if len <= stack.len() {
            &mut stack[..len]
        } else {
            heap.resize(len, 0);
            &mut heap
        };
        message[..LABEL.len()].copy_from_slice(LABEL);
        let mut at = LABEL.len();
        for part in [date, region, service] {
            message[at..at + 4].copy_from_slice(&u32::try_from(part.len()).unwrap_or(u32::MAX).to_le_bytes());
            message[at + 4..at + 4 + part.len()].copy_from_slice(part.as_bytes());
            at += 4 + part.len();
        }
        let mut fingerprint = [0u8; 32];
        fingerprint.copy_from_slice(hmac(HmacAlgorithm::Sha256, secret, message).as_bytes());
        if let Some(k) = self.entries.get(&fingerprint) {
            return k.clone();
        }
        if self.entries.len() >= self.capacity {
            self.entries.clear();
        }
        let derived = signing_key(secret, date, region, service);
        self.entries.insert(fingerprint, derived.clone());
        derived
    }

    /// Number of cached keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Who signs, for what scope, when, and how.
#[derive(Debug, Clone, Copy)]
pub struct SigningParams<'a> {
    /// The access key id.
    pub access_key_id: &'a str,
    /// The secret access key.
    pub secret: &'a SecretKey,
    /// The session token of temporary credentials.
    pub session_token: Option<&'a str>,
    /// The region of the scope.
    pub region: &'a str,
    /// The service of the scope.
    pub service: &'a str,
    /// The signing time (becomes `X-Amz-Date` and the scope's date).
    pub time: UtcTime,
    /// The settings.
    pub settings: SigningSettings,
}

/// What [`sign`] produces: the intermediate results and what to add to the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningOutput {
    /// Where the signature goes.
    pub location: SignatureLocation,
    /// Task 1's result.
    pub canonical_request: CanonicalRequest,
    /// Task 2's result.
    pub string_to_sign: StringToSign,
    /// Task 3's result, lowercase hex.
    pub signature: String,
    /// Header form: the headers to set, in this order (`X-Amz-Security-Token`,
    /// `X-Amz-Date`, `x-amz-content-sha256`, `Authorization`); each replaces any header
    /// of the same name. Empty for presigned URLs.
    pub headers: Vec<(String, String)>,
    /// Presigned form: the parameters to append to the query, decoded, in this order
    /// (`X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-SignedHeaders`,
    /// `X-Amz-Expires`, `X-Amz-Security-Token`, `X-Amz-Signature`); each replaces any
    /// parameter of the same name. Empty for the header form.
    pub query_params: Vec<(String, String)>,
}

impl SigningOutput {
    /// The `Authorization` header value (header form).
    pub fn authorization(&self) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == AUTHORIZATION).map(|(_, v)| v.as_str())
    }

    /// Sets [`headers`](Self::headers) on a header list: a header already present (any
    /// letter case) is replaced where it stands and its repeats removed; a new one is
    /// appended.
    pub fn apply_headers(&self, headers: &mut Vec<(String, String)>) {
        for (name, value) in &self.headers {
            match headers.iter().position(|(n, _)| n.eq_ignore_ascii_case(name)) {
                Some(i) => {
                    headers[i].1.clone_from(value);
                    let mut seen = 0;
                    headers.retain(|(n, _)| {
                        let same = n.eq_ignore_ascii_case(name);
                        seen += usize::from(same);
                        !same || seen == 1
                    });
                }
                None => headers.push((name.clone(), value.clone())),
            }
        }
    }

    /// The authentication part of a presigned URL's query: the
    /// [`query_params`](Self::query_params), percent-encoded, joined with `&`.
    pub fn auth_query(&self) -> String {
        let mut out = String::new();
        for (name, value) in &self.query_params {
            if !out.is_empty() {
                out.push('&');
            }
            encode_into(&mut out, name.as_bytes());
            out.push('=');
            encode_into(&mut out, value.as_bytes());
        }
        out
    }

    /// A presigned URL's whole query: the request's own parameters as they were sent
    /// (minus any the signer sets), then [`auth_query`](Self::auth_query).
    pub fn presigned_query(&self, query: &ParamList) -> String {
        let mut out = String::new();
        for p in query.iter().filter(|p| !self.query_params.iter().any(|(n, _)| *n == p.name)) {
            if !out.is_empty() {
                out.push('&');
            }
            out.push_str(&p.raw_name);
            if let Some(v) = &p.raw_value {
                out.push('=');
                out.push_str(v);
            }
        }
        let auth = self.auth_query();
        if !out.is_empty() && !auth.is_empty() {
            out.push('&');
        }
        out.push_str(&auth);
        out
    }
}

/// Signs a request: tasks 1 to 4.
///
/// The signer owns `Authorization`, `X-Amz-Date`, and (when it sets them)
/// `X-Amz-Security-Token` and `x-amz-content-sha256`: copies of those in the request are
/// replaced, not signed twice. Every other header is signed. The request should carry a
/// `Host` header; the spec requires it and [`verify`](super::verify) rejects a request
/// that does not sign it. An `x-amz-content-sha256` the caller set (and the signer does
/// not) is the hashed payload, as in [`verify`](super::verify): see
/// [`request_hashed_payload`](super::request_hashed_payload).
///
/// ```
/// use amzsig::{clock::UtcTime, crypto::SecretKey, encoding::ParamList, sigv4};
/// let headers = [("Host", "example.amazonaws.com")]; // or owned (String, String) pairs
/// let query = ParamList::default();
/// let req = sigv4::SignableRequest {
///     method: "GET", path: "/", query: &query, headers: (&headers).into(), payload: sigv4::Payload::Bytes(b""),
/// };
/// let secret = SecretKey::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
/// let out = sigv4::sign(&req, &sigv4::SigningParams {
///     access_key_id: "AKIDEXAMPLE", secret: &secret, session_token: None, region: "us-east-1", service: "service",
///     time: UtcTime::parse_iso8601("2015-08-30T12:36:00Z").unwrap(), settings: sigv4::SigningSettings::default(),
/// });
/// assert_eq!(out.signature, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
/// ```
pub fn sign(req: &SignableRequest<'_>, params: &SigningParams<'_>) -> SigningOutput {
    sign_inner(req, params, None)
}

/// [`sign`], taking the signing key from a cache: a key is valid for a whole day, so a
/// client signing many requests derives it once per (secret, date, region, service).
pub fn sign_with_cache(
    req: &SignableRequest<'_>,
    params: &SigningParams<'_>,
    cache: &mut SigningKeyCache,
) -> SigningOutput {
    sign_inner(req, params, Some(cache))
}

fn sign_inner(
    req: &SignableRequest<'_>,
    params: &SigningParams<'_>,
    cache: Option<&mut SigningKeyCache>,
) -> SigningOutput {
    let settings = &params.settings;
    let amz_date = amz_date(params.time);
    let scope = credential_scope(&amz_date[..8], params.region, params.service);
    let (canonical, mut headers, mut query_params) = match settings.signature_location {
        SignatureLocation::Headers => {
            let (canonical, headers) = header_form(req, params, &amz_date);
            (canonical, headers, Vec::new())
        }
        SignatureLocation::QueryParams => {
            let (canonical, query) = presigned_form(req, params, &amz_date, &scope);
            (canonical, Vec::new(), query)
        }
    };
    let sts = StringToSign {
        algorithm: ALGORITHM.to_owned(),
        hashed_canonical_request: canonical.hash(),
        request_date_time: amz_date,
        credential_scope: scope,
    };
    let date = sts.request_date_time.get(..8).unwrap_or_default();
    let key = match cache {
        Some(c) => c.get_or_derive(params.secret, date, params.region, params.service),
        None => signing_key(params.secret, date, params.region, params.service),
    };
    let sig = signature(&key, &sts);
    match settings.signature_location {
        SignatureLocation::Headers => {
            let parts = [
                ALGORITHM,
                " Credential=",
                params.access_key_id,
                "/",
                &sts.credential_scope,
                ", SignedHeaders=",
                &canonical.signed_headers,
                ", Signature=",
                &sig,
            ];
            headers.push((AUTHORIZATION.to_owned(), concat(&parts)));
        }
        SignatureLocation::QueryParams => query_params.push((X_AMZ_SIGNATURE.to_owned(), sig.clone())),
    }
    SigningOutput {
        location: settings.signature_location,
        canonical_request: canonical,
        string_to_sign: sts,
        signature: sig,
        headers,
        query_params,
    }
}

/// The header form's canonical request and the headers the signer sets (all but
/// `Authorization`). Every request header is signed except the ones the signer owns.
fn header_form(
    req: &SignableRequest<'_>,
    params: &SigningParams<'_>,
    amz_date: &str,
) -> (CanonicalRequest, Vec<(String, String)>) {
    let settings = &params.settings;
    let token = params.session_token;
    let token_signed = token.is_some() && settings.session_token == SessionTokenMode::Include;
    let add_sha256 = settings.content_sha256_header == ContentSha256Header::Add;
    let hashed = if add_sha256 { hashed_payload(&req.payload) } else { request_hashed_payload(req) };
    let mut added: Vec<(String, String)> = Vec::with_capacity(4);
    if let Some(t) = token {
        added.push((X_AMZ_SECURITY_TOKEN.to_owned(), t.to_owned()));
    }
    added.push((X_AMZ_DATE.to_owned(), amz_date.to_owned()));
    if add_sha256 {
        added.push((X_AMZ_CONTENT_SHA256.to_owned(), hashed.clone()));
    }
    let owned = |n: &str| {
        n.eq_ignore_ascii_case(AUTHORIZATION)
            || n.eq_ignore_ascii_case(X_AMZ_DATE)
            || (token.is_some() && n.eq_ignore_ascii_case(X_AMZ_SECURITY_TOKEN))
            || (add_sha256 && n.eq_ignore_ascii_case(X_AMZ_CONTENT_SHA256))
    };
    let mut entries: Vec<HeaderRef<'_>> = Vec::with_capacity(req.headers.len() + added.len());
    entries.extend(req.headers.iter().filter(|(n, _)| !owned(n)).map(|(n, v)| HeaderRef::new(n, v)));
    entries.extend(
        added.iter().filter(|(n, _)| token_signed || n != X_AMZ_SECURITY_TOKEN).map(|(n, v)| HeaderRef::new(n, v)),
    );
    let (canonical_headers, signed_headers) = canonical_header_block(&mut entries);
    let canonical = CanonicalRequest {
        method: req.method.to_owned(),
        canonical_uri: canonical_uri(req.path, settings.uri_encoding, settings.path_normalization),
        canonical_query_string: canonical_query_string(req.query, &[]),
        canonical_headers,
        signed_headers,
        hashed_payload: hashed,
    };
    (canonical, added)
}

/// The presigned form's canonical request and the query parameters the signer sets (all
/// but `X-Amz-Signature`). Every request header is signed.
fn presigned_form(
    req: &SignableRequest<'_>,
    params: &SigningParams<'_>,
    amz_date: &str,
    scope: &str,
) -> (CanonicalRequest, Vec<(String, String)>) {
    let settings = &params.settings;
    let token = params.session_token;
    let token_signed = token.is_some() && settings.session_token == SessionTokenMode::Include;
    let hashed = match settings.presigned_payload {
        PresignedPayload::Hashed => request_hashed_payload(req),
        PresignedPayload::Unsigned => UNSIGNED_PAYLOAD.to_owned(),
    };
    let mut entries: Vec<HeaderRef<'_>> = req
        .headers
        .iter()
        .filter(|(n, _)| !n.eq_ignore_ascii_case(AUTHORIZATION))
        .map(|(n, v)| HeaderRef::new(n, v))
        .collect();
    let (canonical_headers, signed_headers) = canonical_header_block(&mut entries);
    let mut auth: Vec<(String, String)> = vec![
        (X_AMZ_ALGORITHM.to_owned(), ALGORITHM.to_owned()),
        (X_AMZ_CREDENTIAL.to_owned(), concat(&[params.access_key_id, "/", scope])),
        (X_AMZ_DATE.to_owned(), amz_date.to_owned()),
        (X_AMZ_SIGNED_HEADERS.to_owned(), signed_headers.clone()),
        (X_AMZ_EXPIRES.to_owned(), settings.expires_in_secs.to_string()),
    ];
    if let Some(t) = token {
        auth.push((X_AMZ_SECURITY_TOKEN.to_owned(), t.to_owned()));
    }
    let mut pairs: Vec<(&str, &str)> = req
        .query
        .iter()
        .filter(|p| p.name != X_AMZ_SIGNATURE && !auth.iter().any(|(n, _)| *n == p.name))
        .map(|p| (p.name.as_str(), p.value.as_str()))
        .collect();
    pairs.extend(
        auth.iter().filter(|(n, _)| token_signed || n != X_AMZ_SECURITY_TOKEN).map(|(n, v)| (n.as_str(), v.as_str())),
    );
    let canonical = CanonicalRequest {
        method: req.method.to_owned(),
        canonical_uri: canonical_uri(req.path, settings.uri_encoding, settings.path_normalization),
        canonical_query_string: canonical_query_from_pairs(pairs),
        canonical_headers,
        signed_headers,
        hashed_payload: hashed,
    };
    (canonical, auth)
}

/// The parts joined, in one allocation of the exact size.
fn concat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        out.push_str(p);
    }
    out
}

/// [`UtcTime::to_amz_date`] without the formatting machinery (the signer's hot path):
/// `YYYYMMDDThhmmssZ` written digit by digit; a year outside 0..=9999 takes the general
/// path.
pub(crate) fn amz_date(time: UtcTime) -> String {
    let (year, month, day, hour, minute, second, _) = time.to_civil();
    let Ok(year) = u32::try_from(year) else {
        return time.to_amz_date();
    };
    if year > 9999 {
        return time.to_amz_date();
    }
    let mut out = String::with_capacity(16);
    let mut digits = |value: u32, width: u32| {
        for power in (0..width).rev() {
            let digit = value / 10u32.pow(power) % 10;
            out.push(char::from(b'0' + u8::try_from(digit).unwrap_or(0)));
        }
    };
    digits(year, 4);
    digits(month, 2);
    digits(day, 2);
    out.push('T');
    let mut digits = |value: u32| {
        out.push(char::from(b'0' + u8::try_from(value / 10 % 10).unwrap_or(0)));
        out.push(char::from(b'0' + u8::try_from(value % 10).unwrap_or(0)));
    };
    digits(hour);
    digits(minute);
    digits(second);
    out.push('Z');
    out
}
