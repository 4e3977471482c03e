//! The signature schemes as values: which scheme signed a request ([`SchemeId`]) and why
//! its check failed ([`Failure`]), one type for every scheme, so records, the journal and
//! reports carry a failure without knowing which scheme produced it.
//!
//! Each scheme keeps its own typed failure next to its verifier ([`crate::sigv2::VerifyFailure`],
//! [`crate::sigv4::VerifyFailure`]); [`Failure`] wraps them. A new scheme (S3 SigV2,
//! aws-chunked streaming, SigV4a) adds a variant to both enums, and the compiler then
//! names every place that must learn it.

use crate::{sigv2, sigv4};
use std::fmt;

/// A signature scheme amzsig verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum SchemeId {
    /// Signature Version 2 over the query string or form body (PA-API 4, MWS, the classic
    /// Query APIs).
    #[serde(rename = "v2")]
    V2Query,
    /// Signature Version 4 (`AWS4-HMAC-SHA256`), header or presigned query.
    #[serde(rename = "v4")]
    V4,
    /// An aws-chunked body after its SigV4 seed: chunk and trailer signatures chained from
    /// it, the framing and the lengths (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]`,
    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER`).
    #[serde(rename = "v4-streaming")]
    V4Streaming,
}

impl SchemeId {
    /// Every scheme.
    pub const ALL: [SchemeId; 3] = [SchemeId::V2Query, SchemeId::V4, SchemeId::V4Streaming];

    /// The short word used in scenario files, reports and `--tag` (`v2`, `v4`).
    pub fn as_str(self) -> &'static str {
        match self {
            SchemeId::V2Query => "v2",
            SchemeId::V4 => "v4",
            SchemeId::V4Streaming => "v4-streaming",
        }
    }
}

impl fmt::Display for SchemeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which scheme signed a request, told from its authentication parts alone (the first
/// step every scheme shares): an `Authorization` header of an `AWS4-` algorithm (SigV4a's
/// `AWS4-ECDSA-P256-SHA256` included, so it is refused in the SigV4 services' words until
/// it has a scheme of its own) or an `X-Amz-Algorithm` query parameter is SigV4; a
/// `Signature` or `AWSAccessKeyId` query parameter is SigV2; anything else is `None`.
///
/// `headers` are `(name, value)` pairs as received; `raw_query` is the query string as
/// sent (without `?`). Form bodies are not looked at: a SigV2 form POST is told apart by
/// its service.
///
/// ```
/// use amzsig::scheme::{detect, SchemeId};
///
/// let auth = vec![("Authorization".to_owned(), "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sts/aws4_request".to_owned())];
/// assert_eq!(detect(&auth, ""), Some(SchemeId::V4));
/// assert_eq!(detect(&[], "AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=abc%3D"), Some(SchemeId::V2Query));
/// assert_eq!(detect(&[], "Action=ListUsers"), None);
/// ```
pub fn detect(headers: &[(String, String)], raw_query: &str) -> Option<SchemeId> {
    let authorization = headers.iter().find(|(n, _)| n.eq_ignore_ascii_case("authorization")).map(|(_, v)| v.as_str());
    // Every request asks this: a name is looked for only when the query contains it.
    let has_name =
        |name: &str| raw_query.contains(name) && raw_query.split('&').any(|p| p.split('=').next() == Some(name));
    if authorization.is_some_and(|a| a.trim_start().starts_with("AWS4-")) || has_name(sigv4::X_AMZ_ALGORITHM) {
        return Some(SchemeId::V4);
    }
    if has_name(sigv2::SIGNATURE_PARAM) || has_name("AWSAccessKeyId") {
        return Some(SchemeId::V2Query);
    }
    None
}

/// Why a request's signature check failed, whatever the scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Failure {
    /// A SigV2 (query) failure.
    V2(sigv2::VerifyFailure),
    /// A SigV4 failure.
    V4(sigv4::VerifyFailure),
    /// An aws-chunked body refused after its (SigV4) seed signature verified: a chunk's or
    /// the trailer's signature, the framing, the lengths or the trailer.
    Streaming(sigv4::streaming::StreamingError),
}

impl Failure {
    /// The scheme that failed.
    pub fn scheme(&self) -> SchemeId {
        match self {
            Failure::V2(_) => SchemeId::V2Query,
            Failure::V4(_) => SchemeId::V4,
            Failure::Streaming(_) => SchemeId::V4Streaming,
        }
    }

    /// True when the signature itself did not match what the server computed (the case a
    /// diagnosis can explain), as opposed to a missing parameter, an expired request or
    /// an unknown key.
    pub fn is_signature_mismatch(&self) -> bool {
        match self {
            Failure::V2(f) => matches!(
                f,
                sigv2::VerifyFailure::Mismatch { .. }
                    | sigv2::VerifyFailure::SignatureWrongLength { .. }
                    | sigv2::VerifyFailure::SignatureNotBase64 { .. }
            ),
            Failure::V4(f) => {
                matches!(f, sigv4::VerifyFailure::Mismatch { .. } | sigv4::VerifyFailure::ContentSha256Mismatch { .. })
            }
            Failure::Streaming(e) => e.is_signature_mismatch(),
        }
    }

    /// True for every refusal about the signature: a mismatch (or a signature that cannot
    /// be one), the algorithm or signature version, the credential scope's date, region
    /// and service, an unsigned `host`, and the time checks (skew, expiry). The mock
    /// answers each with an `x-amzsig-diagnosis` header and `amzsig explain` diagnoses
    /// each: the mistake when one reproduces the client's signature, `unknown` otherwise
    /// (e.g. a right signature sent too late). Not about the signature: a missing or
    /// malformed parameter, an unknown or inactive key, a session token.
    pub fn is_about_signature(&self) -> bool {
        use sigv2::VerifyFailure as V2;
        use sigv4::VerifyFailure as V4;
        self.is_signature_mismatch()
            || match self {
                Failure::V2(f) => matches!(
                    f,
                    V2::UnsupportedSignatureMethod(_)
                        | V2::UnsupportedSignatureVersion(_)
                        | V2::Expired { .. }
                        | V2::TimestampInFuture { .. }
                ),
                Failure::V4(f) => matches!(
                    f,
                    V4::MalformedSignature(_)
                        | V4::UnsupportedAlgorithm(_)
                        | V4::ScopeDateMismatch { .. }
                        | V4::WrongRegion { .. }
                        | V4::WrongService { .. }
                        | V4::HostNotSigned
                        | V4::Expired { .. }
                        | V4::NotYetValid { .. }
                        | V4::RequestTimeTooSkewed { .. }
                ),
                Failure::Streaming(e) => !matches!(e, sigv4::streaming::StreamingError::TooLarge { .. }),
            }
    }

    /// The SigV2 failure, if this is one.
    pub fn as_v2(&self) -> Option<&sigv2::VerifyFailure> {
        match self {
            Failure::V2(f) => Some(f),
            Failure::V4(_) | Failure::Streaming(_) => None,
        }
    }

    /// The SigV4 failure, if this is one.
    pub fn as_v4(&self) -> Option<&sigv4::VerifyFailure> {
        match self {
            Failure::V4(f) => Some(f),
            Failure::V2(_) | Failure::Streaming(_) => None,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::V2(e) => e.fmt(f),
            Failure::V4(e) => e.fmt(f),
            Failure::Streaming(e) => e.fmt(f),
        }
    }
}

impl From<sigv2::VerifyFailure> for Failure {
    fn from(f: sigv2::VerifyFailure) -> Self {
        Failure::V2(f)
    }
}

impl From<sigv4::streaming::StreamingError> for Failure {
    fn from(f: sigv4::streaming::StreamingError) -> Self {
        Failure::Streaming(f)
    }
}

impl From<sigv4::VerifyFailure> for Failure {
    fn from(f: sigv4::VerifyFailure) -> Self {
        Failure::V4(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn detection() {
        let v4 = h(&[("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sts/aws4_request")]);
        assert_eq!(detect(&v4, ""), Some(SchemeId::V4));
        assert_eq!(detect(&h(&[("authorization", " AWS4-ECDSA-P256-SHA256 x")]), ""), Some(SchemeId::V4));
        assert_eq!(detect(&[], "a=1&X-Amz-Algorithm=AWS4-HMAC-SHA256"), Some(SchemeId::V4));
        assert_eq!(detect(&[], "AWSAccessKeyId=AKID&Signature=x"), Some(SchemeId::V2Query));
        assert_eq!(detect(&[], "X-Amz-Algorithmx=1"), None);
        assert_eq!(detect(&h(&[("Authorization", "AWS AKIAIOSFODNN7EXAMPLE:abc=")]), ""), None);
    }
}
