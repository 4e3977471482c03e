//! AWS Signature Version 4: the scheme of every current AWS API, of PA-API 5.0
//! (`ProductAdvertisingAPI`) and of the Selling Partner API (`execute-api`).
//!
//! Spec: AWS General Reference, "Signature Version 4 signing process"
//! (sigv4_signing.html) and its tasks "Create a canonical request"
//! (sigv4-create-canonical-request.html), "Create a string to sign"
//! (sigv4-create-string-to-sign.html), "Calculate the signature"
//! (sigv4-calculate-signature.html) and "Add the signature to the HTTP request"
//! (sigv4-add-signature-to-request.html); Amazon S3 API Reference, "Signature
//! Calculations for the Authorization Header" (sig-v4-header-based-auth.html) and
//! "Authenticating Requests: Using Query Parameters (AWS Signature Version 4)"
//! (sigv4-query-string-auth.html). One function per spec step:
//!
//! 1. Canonical request ([`canonical_request`]): [`canonical_uri`],
//!    [`canonical_query_string`], [`canonical_headers`], [`signed_headers`],
//!    [`hashed_payload`] (or a caller-set `x-amz-content-sha256`:
//!    [`request_hashed_payload`]).
//! 2. String to sign ([`string_to_sign`]) over the [`credential_scope`].
//! 3. Signature: [`signing_key`] (kDate → kRegion → kService → kSigning), then
//!    [`signature`] (hex HMAC-SHA256).
//! 4. Add to the request: the `Authorization` header or the presigned query parameters
//!    ([`sign`] returns both forms' pieces in a [`SigningOutput`]; [`sign_with_cache`]
//!    takes the signing key from a [`SigningKeyCache`]).
//!
//! [`verify`] recomputes the steps for a received request and reports a typed
//! [`VerifyFailure`]; [`parse_authorization`], [`parse_credential`] and
//! [`parse_amz_date`] read the wire forms. Nothing here does IO or reads the clock: the
//! signing time and "now" are parameters. Settings are enums ([`SigningSettings`]), so
//! S3's exceptions (no path normalisation, single URI encoding, `UNSIGNED-PAYLOAD` in
//! presigned URLs) are one value: [`SigningSettings::s3`].

mod canonical;
mod http_text;
mod parse;
mod sign;
pub mod streaming;
mod verify;

pub(crate) use canonical::push_canonical_header_value;
pub use canonical::{
    canonical_header_value, canonical_headers, canonical_query_string, canonical_request, canonical_uri,
    hashed_payload, headers_to_sign, normalize_path, request_hashed_payload, signed_headers, CanonicalRequest,
};
pub use http_text::{ParseHttpTextError, ParseHttpTextErrorKind, ParsedRequest};

pub use parse::{
    parse_amz_date, parse_authorization, parse_credential, parse_http_date, parse_signed_headers, AmzDateErrorKind,
    Authorization, AuthorizationErrorKind, Credential, CredentialErrorKind, CredentialScope, ParseAmzDateError,
    ParseAuthorizationError, ParseCredentialError,
};
pub use sign::{
    credential_scope, sign, sign_text, sign_with_cache, signature, signing_key, string_to_sign, SigningKey,
    SigningKeyCache, SigningOutput, SigningParams, StringToSign,
};
pub use verify::{verify, verify_with_cache, Verified, VerifyFailure, VerifyPolicy};

use crate::encoding::ParamList;

/// The algorithm name that opens the `Authorization` header, the string to sign and
/// the `X-Amz-Algorithm` parameter.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// The last element of every credential scope.
pub const SCOPE_TERMINATOR: &str = "aws4_request";
/// The hashed payload of a request whose body is not signed (S3 and presigned URLs).
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// The longest a presigned URL may live: "The minimum value you can set is 1, and the
/// maximum is 604800 (seven days)".
pub const MAX_EXPIRES_SECS: u64 = 604_800;

/// `X-Amz-Date`: the signing time, `YYYYMMDDThhmmssZ`.
pub const X_AMZ_DATE: &str = "X-Amz-Date";
/// `X-Amz-Security-Token`: the session token of temporary (STS) credentials.
pub const X_AMZ_SECURITY_TOKEN: &str = "X-Amz-Security-Token";
/// `x-amz-content-sha256`: the hashed payload as a header (S3 requires it).
pub const X_AMZ_CONTENT_SHA256: &str = "x-amz-content-sha256";
/// `Authorization`.
pub const AUTHORIZATION: &str = "Authorization";
/// `X-Amz-Algorithm` (presigned URLs).
pub const X_AMZ_ALGORITHM: &str = "X-Amz-Algorithm";
/// `X-Amz-Credential` (presigned URLs).
pub const X_AMZ_CREDENTIAL: &str = "X-Amz-Credential";
/// `X-Amz-Expires` (presigned URLs).
pub const X_AMZ_EXPIRES: &str = "X-Amz-Expires";
/// `X-Amz-SignedHeaders` (presigned URLs).
pub const X_AMZ_SIGNED_HEADERS: &str = "X-Amz-SignedHeaders";
/// `X-Amz-Signature` (presigned URLs); left out of the canonical query string.
pub const X_AMZ_SIGNATURE: &str = "X-Amz-Signature";

/// The request body as the canonical request's last line sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Payload<'a> {
    /// The body's bytes: hashed with SHA-256.
    Bytes(&'a [u8]),
    /// A hash the caller already has (lowercase hex SHA-256, or a value such as
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`), used as is.
    Precomputed(&'a str),
    /// The literal `UNSIGNED-PAYLOAD`.
    Unsigned,
}

/// A request as the SigV4 core sees it. Everything is borrowed.
#[derive(Debug, Clone, Copy)]
pub struct SignableRequest<'a> {
    /// The HTTP method as sent (`GET`, `POST`).
    pub method: &'a str,
    /// The path exactly as sent (still percent-encoded, or raw UTF-8 when a client sent
    /// it so); may be empty.
    pub path: &'a str,
    /// The query parameters, in sent order, raw and decoded.
    pub query: &'a ParamList,
    /// The headers in sent order, names as sent; a name may repeat. A folded (multiline)
    /// value keeps its line breaks. Owned or borrowed pairs: `(&list).into()` for a
    /// `Vec<(String, String)>` or a `[(&str, &str); N]` alike.
    pub headers: Headers<'a>,
    /// The body, or what stands for it.
    pub payload: Payload<'a>,
}

impl<'a> SignableRequest<'a> {
    /// Every value of the header `name` (ASCII case-insensitive), in sent order.
    pub fn header_values<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'a str> + 's {
        self.headers.iter().filter(move |(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v)
    }

    /// The first value of the header `name` (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.header_values(name).next()
    }
}

/// A request's headers, in sent order, as `(name, value)` pairs of `&str` however the
/// caller holds them: owned `(String, String)` pairs (what [`ParsedRequest`] and servers
/// collect) or borrowed `(&str, &str)` pairs (a literal, or views into another type).
///
/// ```
/// use amzsig::sigv4::Headers;
///
/// let owned = vec![("Host".to_owned(), "example.amazonaws.com".to_owned())];
/// let borrowed = [("Host", "example.amazonaws.com")];
/// let a = Headers::from(&owned);
/// let b = Headers::from(&borrowed);
/// assert!(a.iter().eq(b.iter()));
/// assert_eq!(b.iter().next(), Some(("Host", "example.amazonaws.com")));
/// ```
#[derive(Debug, Clone, Copy)]
pub enum Headers<'a> {
    /// Owned pairs.
    Owned(&'a [(String, String)]),
    /// Borrowed pairs.
    Borrowed(&'a [(&'a str, &'a str)]),
}

impl<'a> Headers<'a> {
    /// No headers.
    pub const EMPTY: Headers<'static> = Headers::Borrowed(&[]);

    /// The pairs in sent order.
    pub fn iter(&self) -> HeaderIter<'a> {
        match *self {
            Self::Owned(list) => HeaderIter::Owned(list.iter()),
            Self::Borrowed(list) => HeaderIter::Borrowed(list.iter()),
        }
    }

    /// The `i`th pair, in sent order.
    pub fn get(&self, i: usize) -> Option<(&'a str, &'a str)> {
        match *self {
            Self::Owned(list) => list.get(i).map(|(n, v)| (n.as_str(), v.as_str())),
            Self::Borrowed(list) => list.get(i).copied(),
        }
    }

    /// The pairs as owned strings.
    pub fn to_vec(&self) -> Vec<(String, String)> {
        self.iter().map(|(n, v)| (n.to_owned(), v.to_owned())).collect()
    }

    /// How many header lines (a repeated name counts each time).
    pub fn len(&self) -> usize {
        match self {
            Self::Owned(list) => list.len(),
            Self::Borrowed(list) => list.len(),
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<'a> IntoIterator for &Headers<'a> {
    type Item = (&'a str, &'a str);
    type IntoIter = HeaderIter<'a>;
    fn into_iter(self) -> HeaderIter<'a> {
        self.iter()
    }
}

impl<'a> IntoIterator for Headers<'a> {
    type Item = (&'a str, &'a str);
    type IntoIter = HeaderIter<'a>;
    fn into_iter(self) -> HeaderIter<'a> {
        self.iter()
    }
}

impl<'a> From<&'a [(String, String)]> for Headers<'a> {
    fn from(list: &'a [(String, String)]) -> Self {
        Self::Owned(list)
    }
}

impl<'a> From<&'a Vec<(String, String)>> for Headers<'a> {
    fn from(list: &'a Vec<(String, String)>) -> Self {
        Self::Owned(list)
    }
}

impl<'a> From<&'a [(&'a str, &'a str)]> for Headers<'a> {
    fn from(list: &'a [(&'a str, &'a str)]) -> Self {
        Self::Borrowed(list)
    }
}

impl<'a> From<&'a Vec<(&'a str, &'a str)>> for Headers<'a> {
    fn from(list: &'a Vec<(&'a str, &'a str)>) -> Self {
        Self::Borrowed(list)
    }
}

impl<'a, const N: usize> From<&'a [(&'a str, &'a str); N]> for Headers<'a> {
    fn from(list: &'a [(&'a str, &'a str); N]) -> Self {
        Self::Borrowed(list)
    }
}

/// The iterator of [`Headers::iter`]: `(name, value)` in sent order.
#[derive(Debug, Clone)]
pub enum HeaderIter<'a> {
    /// Over owned pairs.
    Owned(std::slice::Iter<'a, (String, String)>),
    /// Over borrowed pairs.
    Borrowed(std::slice::Iter<'a, (&'a str, &'a str)>),
}

impl<'a> Iterator for HeaderIter<'a> {
    type Item = (&'a str, &'a str);
    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Self::Owned(it) => it.next().map(|(n, v)| (n.as_str(), v.as_str())),
            Self::Borrowed(it) => it.next().copied(),
        }
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Self::Owned(it) => it.size_hint(),
            Self::Borrowed(it) => it.size_hint(),
        }
    }
}

impl ExactSizeIterator for HeaderIter<'_> {}

/// How the path is percent-encoded into the canonical URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum UriEncoding {
    /// Every AWS service but S3: the path as sent is encoded once more ("Each path
    /// segment must be URI-encoded twice"), so `%3D` becomes `%253D`.
    #[default]
    Double,
    /// S3: the path is decoded and encoded once ("URI-encode each path segment once").
    Single,
}

/// Whether dot segments and repeated slashes are removed from the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum PathNormalization {
    /// Every AWS service but S3: "Normalize URI paths according to RFC 3986. Remove
    /// redundant and relative path components."
    #[default]
    Normalize,
    /// S3: "you do not normalize URI paths" (`my-object//example//photo.user` is signed
    /// as it is).
    AsIs,
}

/// Where the signature travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SignatureLocation {
    /// The `Authorization` header, with `X-Amz-Date` as a header.
    #[default]
    Headers,
    /// A presigned URL: `X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`,
    /// `X-Amz-Expires`, `X-Amz-SignedHeaders`, `X-Amz-Signature` query parameters.
    QueryParams,
}

/// Whether `X-Amz-Security-Token` is part of what is signed (AWS test suite note on
/// temporary credentials: "some services require that you include this parameter in the
/// canonical (signed) request. For other services, you add this parameter at the end,
/// after you calculate the signature").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum SessionTokenMode {
    /// Signed: a signed header, or a parameter of the canonical query string.
    #[default]
    Include,
    /// Added after signing and left out of the canonical request.
    Exclude,
}

/// Whether the signer adds the hashed payload as an `x-amz-content-sha256` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum ContentSha256Header {
    /// No such header (most services).
    #[default]
    Omit,
    /// Add and sign it (S3 requires it on every header-signed request).
    Add,
}

/// What a presigned URL's canonical request ends with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum PresignedPayload {
    /// The request's own hashed payload (the CRT suite; most services).
    #[default]
    Hashed,
    /// `UNSIGNED-PAYLOAD` (S3: "when you create a presigned URL, you don't know the
    /// payload content because the URL is used to upload an arbitrary payload").
    Unsigned,
}

/// The knobs of the signing process. Verification reads the canonicalisation ones
/// (`uri_encoding`, `path_normalization`, `session_token`, `presigned_payload`) and
/// finds the location from the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SigningSettings {
    /// Path encoding.
    pub uri_encoding: UriEncoding,
    /// Path normalisation.
    pub path_normalization: PathNormalization,
    /// Header or presigned URL.
    pub signature_location: SignatureLocation,
    /// Whether a session token is signed.
    pub session_token: SessionTokenMode,
    /// Whether `x-amz-content-sha256` is added (header form only).
    pub content_sha256_header: ContentSha256Header,
    /// What presigned URLs sign as the payload.
    pub presigned_payload: PresignedPayload,
    /// `X-Amz-Expires` of presigned URLs, in seconds.
    pub expires_in_secs: u64,
}

impl Default for SigningSettings {
    /// The general AWS rules (the official test suites): double encoding, normalised
    /// paths, header form, session token signed, no `x-amz-content-sha256`, presigned
    /// URLs valid for an hour.
    fn default() -> Self {
        Self {
            uri_encoding: UriEncoding::Double,
            path_normalization: PathNormalization::Normalize,
            signature_location: SignatureLocation::Headers,
            session_token: SessionTokenMode::Include,
            content_sha256_header: ContentSha256Header::Omit,
            presigned_payload: PresignedPayload::Hashed,
            expires_in_secs: 3600,
        }
    }
}

impl SigningSettings {
    /// S3's rules: single encoding, no normalisation, `x-amz-content-sha256` added,
    /// presigned URLs sign `UNSIGNED-PAYLOAD`.
    pub fn s3() -> Self {
        Self {
            uri_encoding: UriEncoding::Single,
            path_normalization: PathNormalization::AsIs,
            content_sha256_header: ContentSha256Header::Add,
            presigned_payload: PresignedPayload::Unsigned,
            ..Self::default()
        }
    }

    /// The same settings with the signature in a presigned URL valid for `expires_in_secs`.
    #[must_use]
    pub fn presigned(self, expires_in_secs: u64) -> Self {
        Self { signature_location: SignatureLocation::QueryParams, expires_in_secs, ..self }
    }
}

#[cfg(test)]
mod tests;
