//! Task 1 of SigV4, "Create a canonical request" (AWS General Reference,
//! sigv4-create-canonical-request.html; S3 API Reference, sig-v4-header-based-auth.html):
//!
//! ```text
//! CanonicalRequest =
//!   HTTPRequestMethod + '\n' +
//!   CanonicalURI + '\n' +
//!   CanonicalQueryString + '\n' +
//!   CanonicalHeaders + '\n' +
//!   SignedHeaders + '\n' +
//!   HexEncode(Hash(RequestPayload))
//! ```
//!
//! One function per part. Percent-encoding is the AWS flavour of RFC 3986 from
//! [`crate::encoding`] ("Do not URI-encode any of the unreserved characters that RFC 3986
//! defines: A-Z, a-z, 0-9, hyphen, underscore, period, and tilde. Percent-encode all
//! other characters with %XY … uppercase").

use super::{
    Headers, PathNormalization, Payload, SignableRequest, SigningSettings, UriEncoding, AUTHORIZATION,
    UNSIGNED_PAYLOAD, X_AMZ_CONTENT_SHA256,
};
use crate::crypto::sha256_hex;
use crate::encoding::{cmp_encoded, encode_bytes_into, ParamList};
use std::borrow::Cow;
use std::fmt;

/// The canonical URI: "the URI-encoded version of the absolute path component of the
/// URI—everything in the URI from the HTTP host to the question mark".
///
/// * [`UriEncoding::Double`]: the path as sent is encoded (a `%` becomes `%25`).
/// * [`UriEncoding::Single`] (S3): the path is percent-decoded first (a `%` not followed
///   by two hex digits stays a literal `%`), then encoded once.
/// * [`PathNormalization::Normalize`] removes `.` and `..` segments and empty segments
///   (repeated slashes) before encoding; [`PathNormalization::AsIs`] keeps them.
///
/// `/` is never encoded; every other byte outside the unreserved set becomes `%XY`. An
/// empty path is `/`.
///
/// ```
/// use amzsig::sigv4::{canonical_uri, PathNormalization::*, UriEncoding::*};
/// assert_eq!(canonical_uri("/a//b/../c%20d", Double, Normalize), "/a/c%2520d");
/// assert_eq!(canonical_uri("/a//b/../c%20d", Single, AsIs), "/a//b/../c%20d");
/// ```
pub fn canonical_uri(path: &str, encoding: UriEncoding, normalization: PathNormalization) -> String {
    let bytes: Cow<'_, [u8]> = match encoding {
        UriEncoding::Double => Cow::Borrowed(path.as_bytes()),
        UriEncoding::Single => Cow::Owned(percent_decode_lenient(path.as_bytes())),
    };
    let bytes = match normalization {
        PathNormalization::Normalize if !is_normalized(&bytes) => Cow::Owned(normalize_path(&bytes)),
        PathNormalization::Normalize | PathNormalization::AsIs => bytes,
    };
    if bytes.is_empty() {
        return "/".to_owned();
    }
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 2);
    for (i, segment) in bytes.split(|&b| b == b'/').enumerate() {
        if i > 0 {
            out.push(b'/');
        }
        encode_bytes_into(&mut out, segment);
    }
    // Encoded output is ASCII.
    String::from_utf8(out).unwrap_or_default()
}

/// RFC 3986 §5.2.4 "Remove Dot Segments", plus the removal of empty segments
/// (`//example//` is `/example/`), as the AWS test suite's `get-slashes`, `get-relative`
/// and `get-slash-dot-slash` cases show. The result starts with `/`; it ends with `/`
/// when the input did or when its last segment was `.` or `..` (and it is not `/`).
pub fn normalize_path(path: &[u8]) -> Vec<u8> {
    let mut kept: Vec<&[u8]> = Vec::new();
    let mut trailing_slash = false;
    for segment in path.split(|&b| b == b'/') {
        trailing_slash = false;
        match segment {
            b"" | b"." => trailing_slash = true,
            b".." => {
                kept.pop();
                trailing_slash = true;
            }
            s => kept.push(s),
        }
    }
    let mut out = Vec::with_capacity(path.len() + 1);
    for s in &kept {
        out.push(b'/');
        out.extend_from_slice(s);
    }
    if kept.is_empty() || trailing_slash {
        out.push(b'/');
    }
    out
}

/// True when [`normalize_path`] would return `path` unchanged: it starts with `/`, has
/// no empty segment but possibly a final one (a trailing `/`), and no `.` or `..`
/// segment. Most paths are, so the signer skips the rebuild.
pub(crate) fn is_normalized(path: &[u8]) -> bool {
    let Some(rest) = path.strip_prefix(b"/") else {
        return false;
    };
    let mut segments = rest.split(|&b| b == b'/').peekable();
    while let Some(segment) = segments.next() {
        let last = segments.peek().is_none();
        match segment {
            b"" if last => return true,
            b"" | b"." | b".." => return false,
            _ => {}
        }
    }
    true
}

/// Decodes `%XY` escapes; anything else (including a bad escape) is kept as it is.
fn percent_decode_lenient(raw: &[u8]) -> Vec<u8> {
    fn hex(b: u8) -> Option<u8> {
        char::from(b).to_digit(16).and_then(|d| u8::try_from(d).ok())
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'%' {
            if let (Some(hi), Some(lo)) = (raw.get(i + 1).and_then(|&b| hex(b)), raw.get(i + 2).and_then(|&b| hex(b))) {
                out.push(hi << 4 | lo);
                i += 3;
                continue;
            }
        }
        out.push(raw[i]);
        i += 1;
    }
    out
}

/// The canonical query string: "Sort the parameter names by character code point in
/// ascending order. Parameters with duplicate names should be sorted by value. …
/// URI-encode each parameter name and value … Build the canonical query string by
/// starting with the first parameter name in the sorted list … and an equals sign
/// (=) … Use an empty string for parameters that have no value."
///
/// Names and values are the decoded forms, encoded again here, so `%7E` and `~`, or `+`
/// and `%20` (both a space), sign the same. Parameters named in `excluded` are left out
/// (presigned URLs exclude `X-Amz-Signature`).
pub fn canonical_query_string(query: &ParamList, excluded: &[&str]) -> String {
    let pairs = query
        .iter()
        .filter(|p| !excluded.contains(&p.name.as_str()))
        .map(|p| (p.name.as_str(), p.value.as_str()))
        .collect();
    canonical_query_from_pairs(pairs)
}

/// The canonical query string of decoded (name, value) pairs: sorted by encoded name,
/// then encoded value, each encoded, joined with `&`. One output buffer.
pub(crate) fn canonical_query_from_pairs(mut pairs: Vec<(&str, &str)>) -> String {
    if pairs.is_empty() {
        return String::new();
    }
    pairs.sort_unstable_by(|a, b| {
        cmp_encoded(a.0.as_bytes(), b.0.as_bytes()).then_with(|| cmp_encoded(a.1.as_bytes(), b.1.as_bytes()))
    });
    let mut out = Vec::with_capacity(pairs.iter().map(|(n, v)| n.len() + v.len() + 2).sum::<usize>() + 16);
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push(b'&');
        }
        encode_bytes_into(&mut out, name.as_bytes());
        out.push(b'=');
        encode_bytes_into(&mut out, value.as_bytes());
    }
    String::from_utf8(out).unwrap_or_default()
}

/// The header names a signer signs: every header of the request except `Authorization`
/// and the names in `excluded`, lowercased, sorted and without duplicates.
pub fn headers_to_sign<'h>(headers: impl Into<Headers<'h>>, excluded: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = headers
        .into()
        .iter()
        .map(|(n, _)| n.to_ascii_lowercase())
        .filter(|n| !n.eq_ignore_ascii_case(AUTHORIZATION) && !excluded.iter().any(|e| e.eq_ignore_ascii_case(n)))
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// One header's canonical value: each value has "excess white space before and after"
/// removed and "sequential spaces" converted to one space (`Trimall`); several values of
/// one name are joined with `,` in the order they were sent. White space is space, tab,
/// CR and LF, so a folded (multiline) value becomes one line, as the suite's
/// `get-header-value-multiline` case shows.
pub fn canonical_header_value<'v>(values: impl IntoIterator<Item = &'v str>) -> String {
    let mut out = String::new();
    push_canonical_header_value(&mut out, values);
    out
}

/// Appends [`canonical_header_value`] to `out`.
pub(crate) fn push_canonical_header_value<'v>(out: &mut String, values: impl IntoIterator<Item = &'v str>) {
    for (i, v) in values.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_trimall(out, v);
    }
}

/// Appends `Trimall(value)`: blanks (space, tab, CR, LF) removed at both ends and each
/// inner run of them replaced by one space. A value without two blanks in a row or a
/// blank at an end (the usual case) is copied in one go.
fn push_trimall(out: &mut String, value: &str) {
    let is_blank = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let bytes = value.as_bytes();
    let plain = !bytes.first().is_some_and(is_blank)
        && !bytes.last().is_some_and(is_blank)
        && !bytes.iter().any(|&b| matches!(b, b'\t' | b'\r' | b'\n'))
        && !value.contains("  ");
    if plain {
        out.push_str(value);
        return;
    }
    let mut words = value.split([' ', '\t', '\r', '\n']).filter(|w| !w.is_empty());
    if let Some(first) = words.next() {
        out.push_str(first);
        for w in words {
            out.push(' ');
            out.push_str(w);
        }
    }
}

/// The canonical headers: `lowercase(name) + ':' + canonical value + '\n'` for each name
/// in `signed` (lowercase, sorted), with the values of every header of that name. A name
/// the request does not carry gives an empty value (verification rejects that earlier).
pub fn canonical_headers<'h, S: AsRef<str>>(headers: impl Into<Headers<'h>>, signed: &[S]) -> String {
    let headers = headers.into();
    let mut out = String::new();
    for name in signed {
        let name = name.as_ref();
        out.push_str(name);
        out.push(':');
        let values = headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v);
        for (i, v) in values.enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_trimall(&mut out, v);
        }
        out.push('\n');
    }
    out
}

/// One header on its way into a canonical request: the lowercase name (borrowed when the
/// name was sent in lowercase) and the value as sent.
pub(crate) struct HeaderRef<'a> {
    pub(crate) name: Cow<'a, str>,
    pub(crate) value: &'a str,
}

impl<'a> HeaderRef<'a> {
    pub(crate) fn new(name: &'a str, value: &'a str) -> Self {
        let name = if name.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(name.to_ascii_lowercase())
        } else {
            Cow::Borrowed(name)
        };
        Self { name, value }
    }
}

/// [`canonical_headers`] and [`signed_headers`] of every entry, in one pass: the entries
/// are sorted by name (stably, so one name's values keep their sent order) and each name
/// is written once with its values joined by `,`.
pub(crate) fn canonical_header_block(entries: &mut [HeaderRef<'_>]) -> (String, String) {
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    let mut canonical = String::with_capacity(entries.iter().map(|e| e.name.len() + e.value.len() + 2).sum());
    let mut signed = String::with_capacity(entries.iter().map(|e| e.name.len() + 1).sum());
    let mut previous: Option<&str> = None;
    for e in entries.iter() {
        if previous == Some(&e.name) {
            canonical.pop();
            canonical.push(',');
        } else {
            if previous.is_some() {
                signed.push(';');
            }
            signed.push_str(&e.name);
            canonical.push_str(&e.name);
            canonical.push(':');
        }
        push_trimall(&mut canonical, e.value);
        canonical.push('\n');
        previous = Some(&e.name);
    }
    (canonical, signed)
}

/// The signed headers: the lowercase names joined with `;`.
pub fn signed_headers<S: AsRef<str>>(names: &[S]) -> String {
    let mut out = String::new();
    for (i, n) in names.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        out.push_str(n.as_ref());
    }
    out
}

/// The hashed payload: "HexEncode(Hash(RequestPayload))" in lowercase hex, a precomputed
/// value as given, or `UNSIGNED-PAYLOAD`.
pub fn hashed_payload(payload: &Payload<'_>) -> String {
    match *payload {
        Payload::Bytes(b) => sha256_hex(b),
        Payload::Precomputed(h) => h.to_owned(),
        Payload::Unsigned => UNSIGNED_PAYLOAD.to_owned(),
    }
}

/// The hashed payload of a request that may carry `x-amz-content-sha256`: when the body
/// is given as bytes and the request has that header, the header's value (trimmed) is
/// what is signed; otherwise [`hashed_payload`]. A `Precomputed` or `Unsigned` payload
/// is the caller's explicit choice and wins over the header. [`sign`](super::sign)
/// (unless it sets the header itself, [`ContentSha256Header::Add`](super::ContentSha256Header))
/// and [`verify`](super::verify) both use it, so they cannot disagree.
///
/// What others do with the header present: botocore 1.43 (`botocore/auth.py`,
/// `SigV4Auth.canonical_request`) and the npm `aws4` package 1.13 (`aws4.js`, `bodyHash`)
/// sign the header's value; S3 verifies with it and then compares the body
/// (`XAmzContentSHA256Mismatch`). The `aws-sigv4` crate 1.x hashes only its
/// `SignableBody` and signs the header as an ordinary header, so a caller must pass
/// `SignableBody::Precomputed` to agree (the Rust SDK does so through its
/// `payload_override`, smithy-rs `aws-runtime/src/auth/sigv4.rs`).
pub fn request_hashed_payload(req: &SignableRequest<'_>) -> String {
    match (req.payload, req.header(X_AMZ_CONTENT_SHA256)) {
        (Payload::Bytes(_), Some(claimed)) => claimed.trim().to_owned(),
        (payload, _) => hashed_payload(&payload),
    }
}

/// A canonical request's six parts. `Display` gives the text that is hashed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanonicalRequest {
    /// The HTTP method, as sent.
    pub method: String,
    /// [`canonical_uri`].
    pub canonical_uri: String,
    /// [`canonical_query_string`].
    pub canonical_query_string: String,
    /// [`canonical_headers`] (every line ends with `\n`).
    pub canonical_headers: String,
    /// [`signed_headers`].
    pub signed_headers: String,
    /// [`hashed_payload`].
    pub hashed_payload: String,
}

impl CanonicalRequest {
    /// Lowercase hex SHA-256 of the text: the string to sign's last line.
    pub fn hash(&self) -> String {
        let parts = [
            self.method.as_str(),
            &self.canonical_uri,
            &self.canonical_query_string,
            &self.canonical_headers,
            &self.signed_headers,
            &self.hashed_payload,
        ];
        let mut text = String::with_capacity(parts.iter().map(|p| p.len() + 1).sum());
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                text.push('\n');
            }
            text.push_str(part);
        }
        sha256_hex(text.as_bytes())
    }
}

impl fmt::Display for CanonicalRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}\n{}\n{}\n{}\n{}\n{}",
            self.method,
            self.canonical_uri,
            self.canonical_query_string,
            self.canonical_headers,
            self.signed_headers,
            self.hashed_payload
        )
    }
}

/// Task 1 for a request: the six parts, with the headers named in `signed` (lowercase,
/// sorted), the query minus `excluded_query`, and `hashed_payload` as the last line.
///
/// The three tasks by hand, on the official suite's `get-vanilla` case (its `.creq` and
/// `.sts` files are the expected texts):
///
/// ```
/// use amzsig::sigv4::{self, Payload, SignableRequest, SigningSettings};
/// use amzsig::{ParamList, SecretKey};
///
/// let headers = [("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")];
/// let query = ParamList::default();
/// let req = SignableRequest { method: "GET", path: "/", query: &query, headers: (&headers).into(), payload: Payload::Bytes(b"") };
/// let signed = sigv4::headers_to_sign(req.headers, &[]);
/// let creq = sigv4::canonical_request(&req, &signed, sigv4::hashed_payload(&req.payload), &SigningSettings::default(), &[]);
/// assert_eq!(creq.to_string(), "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n\
///     host;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
///
/// let scope = sigv4::credential_scope("20150830", "us-east-1", "service");
/// let sts = sigv4::string_to_sign("20150830T123600Z", &scope, &creq);
/// assert_eq!(sts.hashed_canonical_request, "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
///
/// let key = sigv4::signing_key(&SecretKey::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), "20150830", "us-east-1", "service");
/// assert_eq!(sigv4::signature(&key, &sts), "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
/// ```
pub fn canonical_request<S: AsRef<str>>(
    req: &SignableRequest<'_>,
    signed: &[S],
    hashed_payload: String,
    settings: &SigningSettings,
    excluded_query: &[&str],
) -> CanonicalRequest {
    CanonicalRequest {
        method: req.method.to_owned(),
        canonical_uri: canonical_uri(req.path, settings.uri_encoding, settings.path_normalization),
        canonical_query_string: canonical_query_string(req.query, excluded_query),
        canonical_headers: canonical_headers(req.headers, signed),
        signed_headers: signed_headers(signed),
        hashed_payload,
    }
}
