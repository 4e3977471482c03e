//! AWS Signature Version 2: the scheme of the Product Advertising API 4.x, Amazon MWS and
//! the classic Query APIs (EC2, SQS, SimpleDB, EMR).
//!
//! Spec: PA-API Developer Guide, "Authenticating REST Requests" (Query_QueryAuth.html);
//! AWS General Reference, "Signature Version 2 signing process"; MWS Developer Guide,
//! "Signing a query request". One function per spec step:
//!
//! 1. [`canonical_query`]: parameters minus `Signature`, encoded, sorted by byte order.
//! 2. [`string_to_sign`]: `METHOD \n host \n path \n canonical query`, with
//!    [`canonical_host`] (lowercase, default port dropped) and [`canonical_path`]
//!    (empty becomes `/`).
//! 3. [`signature`]: base64 of the HMAC keyed by the secret.
//!
//! [`sign`] runs the three steps; [`verify`](verify::verify) recomputes them for a
//! received request and reports a typed [`VerifyFailure`]. Nothing here does IO or reads
//! the clock: "now" is a parameter.

mod verify;

pub use verify::{verify, HostForm, HostMatch, Verified, VerifyFailure, VerifyPolicy};

use crate::crypto::{hmac, HmacAlgorithm, SecretKey};
use crate::encoding::{cmp_encoded, encode_bytes_into, encode_into, ParamList};
use crate::request::{OwnedRequest, RequestParseError, RequestView, Scheme};
use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

/// The `SignatureMethod` parameter's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SignatureMethod {
    /// `HmacSHA256` (recommended; PA-API's only method, implied when absent).
    #[default]
    HmacSha256,
    /// `HmacSHA1`.
    HmacSha1,
}

impl SignatureMethod {
    /// The parameter value as Amazon spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::HmacSha256 => "HmacSHA256",
            Self::HmacSha1 => "HmacSHA1",
        }
    }

    /// The HMAC algorithm behind it.
    pub fn algorithm(self) -> HmacAlgorithm {
        match self {
            Self::HmacSha256 => HmacAlgorithm::Sha256,
            Self::HmacSha1 => HmacAlgorithm::Sha1,
        }
    }
}

impl fmt::Display for SignatureMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `SignatureMethod` value that is neither `HmacSHA256` nor `HmacSHA1` (as a request
/// parameter this is [`VerifyFailure::UnsupportedSignatureMethod`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported SignatureMethod '{0}' (HmacSHA256 or HmacSHA1)")]
pub struct UnknownSignatureMethod(pub String);

impl FromStr for SignatureMethod {
    type Err = UnknownSignatureMethod;
    /// Exact, case-sensitive match, as Amazon compares it.
    fn from_str(s: &str) -> Result<Self, UnknownSignatureMethod> {
        match s {
            "HmacSHA256" => Ok(Self::HmacSha256),
            "HmacSHA1" => Ok(Self::HmacSha1),
            other => Err(UnknownSignatureMethod(other.to_owned())),
        }
    }
}

/// The parameter that carries the signature and is left out of the string to sign.
pub const SIGNATURE_PARAM: &str = "Signature";

/// Step 1, "Sort the UTF-8 query string components by parameter name with natural byte
/// ordering … URL encode the parameter name and values according to RFC 3986".
///
/// Every parameter but `Signature` is encoded (AWS RFC 3986 flavour) and the pairs are
/// sorted by the encoded name's bytes, then by the encoded value's bytes.
///
/// Repeated names: Amazon's documentation is silent. Amazon's own SigV2 signer,
/// aws-sdk-java v1 (`AbstractAWSSigner.getCanonicalizedQueryString`, "Signing protocol
/// expects the param values also to be sorted after url encoding"), keeps every value
/// and sorts them by encoded value; SigV4 documents the same rule ("Parameters with
/// duplicate names should be sorted by value"). We follow it. Other clients differ
/// (aws-sdk-go v1 signs only the first value; PHP's `parse_str` keeps the last), which
/// the scenario suite treats as client mistakes.
pub fn canonical_query(params: &ParamList) -> String {
    let mut out = String::new();
    canonical_query_into(&mut out, params);
    out
}

/// [`canonical_query`], appended to `out`.
pub fn canonical_query_into(out: &mut String, params: &ParamList) {
    let mut bytes = std::mem::take(out).into_bytes();
    canonical_query_bytes(&mut bytes, params);
    // Encoded output is ASCII appended to valid UTF-8, so this cannot fail.
    *out = String::from_utf8(bytes).unwrap_or_default();
}

fn canonical_query_bytes(out: &mut Vec<u8>, params: &ParamList) {
    // Sort references by the encoded bytes, compared without encoding (no allocation per
    // parameter), then encode once, straight into the output.
    let mut sorted: Vec<&crate::encoding::Param> = params.iter().filter(|p| p.name != SIGNATURE_PARAM).collect();
    sorted.sort_unstable_by(|a, b| {
        cmp_encoded(a.name.as_bytes(), b.name.as_bytes())
            .then_with(|| cmp_encoded(a.value.as_bytes(), b.value.as_bytes()))
    });
    for (i, p) in sorted.iter().enumerate() {
        if i > 0 {
            out.push(b'&');
        }
        encode_bytes_into(out, p.name.as_bytes());
        out.push(b'=');
        encode_bytes_into(out, p.value.as_bytes());
    }
}

/// "The value of the host header in lowercase", with the port only when it is not the
/// scheme's standard one (EMR guide: "include the port … if it is non-standard"; MWS:
/// "Standard port numbers should not be included").
pub fn canonical_host(host: &str, scheme: Scheme) -> Cow<'_, str> {
    let default_suffix = match scheme {
        Scheme::Http => ":80",
        Scheme::Https => ":443",
    };
    let host = host.strip_suffix(default_suffix).unwrap_or(host);
    if host.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(host.to_ascii_lowercase())
    } else {
        Cow::Borrowed(host)
    }
}

/// The host with any port removed (what many MWS client libraries sign).
pub fn host_without_port(host: &str) -> &str {
    match host.rfind(':') {
        Some(i) if !host.ends_with(']') && host[i + 1..].bytes().all(|b| b.is_ascii_digit()) => &host[..i],
        _ => host,
    }
}

/// "The HTTP Request URI, from the protocol name up to the query string. If the request
/// URI is empty, use a forward slash ( / )." The path is signed as it was sent.
pub fn canonical_path(path: &str) -> &str {
    if path.is_empty() {
        "/"
    } else {
        path
    }
}

/// Step 2: `HTTPVerb \n host \n HTTPRequestURI \n CanonicalizedQueryString`, no trailing
/// newline. `host` and `path` must already be canonical.
pub fn string_to_sign(method: &str, host: &str, path: &str, canonical_query: &str) -> String {
    let mut s = String::with_capacity(method.len() + host.len() + path.len() + canonical_query.len() + 3);
    for (i, part) in [method, host, path, canonical_query].into_iter().enumerate() {
        if i > 0 {
            s.push('\n');
        }
        s.push_str(part);
    }
    s
}

/// Step 3: "Calculate an RFC 2104-compliant HMAC with the string you just created, your
/// Secret Access Key as the key, and SHA256 [or SHA1] as the hash algorithm", base64.
pub fn signature(method: SignatureMethod, secret: &SecretKey, string_to_sign: &str) -> String {
    hmac(method.algorithm(), secret, string_to_sign.as_bytes()).to_base64()
}

/// The intermediate results of canonicalising a request: the string to sign, which ends
/// with the canonical query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Canonical {
    /// Step 2's output.
    pub string_to_sign: String,
    query_start: usize,
}

impl Canonical {
    /// Step 1's output (the last line of the string to sign).
    pub fn canonical_query(&self) -> &str {
        &self.string_to_sign[self.query_start..]
    }
}

/// Steps 1 and 2 for a request, with its host and path canonicalised.
pub fn canonicalize(req: &RequestView<'_>) -> Canonical {
    canonicalize_with_host(req, &canonical_host(req.host, req.scheme))
}

/// Steps 1 and 2 with an explicit (already canonical) host line.
pub fn canonicalize_with_host(req: &RequestView<'_>, host: &str) -> Canonical {
    let path = canonical_path(req.path);
    let params_len: usize = req.params.iter().map(|p| p.name.len() + p.value.len() + 1).sum();
    let mut sts = String::with_capacity(req.method.len() + host.len() + path.len() + 3 + params_len * 2);
    for part in [req.method, host, path] {
        sts.push_str(part);
        sts.push('\n');
    }
    let query_start = sts.len();
    canonical_query_into(&mut sts, req.params);
    Canonical { string_to_sign: sts, query_start }
}

/// A signed request's canonical forms and signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// Steps 1 and 2.
    pub canonical: Canonical,
    /// Step 3, base64 (not URL-encoded).
    pub signature: String,
}

impl Signed {
    /// The parameters as they go on the wire (URL query or form body): every parameter in
    /// its sent order, encoded, and `Signature` appended last with `+`, `/` and `=`
    /// percent-encoded ("URL encode the plus (+) and equal (=) characters").
    pub fn wire_query(&self, params: &ParamList) -> String {
        wire_query(params, Some(&self.signature))
    }
}

/// Signs a request: steps 1 to 3.
///
/// ```
/// use amzsig::{crypto::SecretKey, encoding::ParamList, request::{RequestView, Scheme}, sigv2};
/// let params: ParamList = [
///     ("Service", "AWSECommerceService"), ("AWSAccessKeyId", "AKIAIOSFODNN7EXAMPLE"),
///     ("AssociateTag", "mytag-20"), ("Operation", "ItemLookup"), ("ItemId", "0679722769"),
///     ("ResponseGroup", "Images,ItemAttributes,Offers,Reviews"), ("Version", "2013-08-01"),
///     ("Timestamp", "2014-08-18T12:00:00Z"),
/// ].into_iter().collect();
/// let view = RequestView { method: "GET", scheme: Scheme::Http, host: "webservices.amazon.com", path: "/onca/xml", params: &params };
/// let signed = sigv2::sign(&view, sigv2::SignatureMethod::HmacSha256, &SecretKey::new("1234567890"));
/// assert_eq!(signed.signature, "j7bZM0LXZ9eXeZruTqWm2DIvDYVUU3wxPPpp+iXxzQc=");
/// ```
pub fn sign(req: &RequestView<'_>, method: SignatureMethod, secret: &SecretKey) -> Signed {
    let canonical = canonicalize(req);
    let signature = signature(method, secret, &canonical.string_to_sign);
    Signed { canonical, signature }
}

/// Signs a GET URL: its query parameters are signed as they are (add `Timestamp`,
/// `AWSAccessKeyId` and the rest first; a `Signature` already there is replaced) and the
/// URL comes back with `Signature` appended, every parameter re-encoded the AWS way
/// (RFC 3986: `%20` for a space, `~` kept).
///
/// ```
/// use amzsig::sigv2::{self, SignatureMethod};
/// use amzsig::SecretKey;
///
/// // The PA-API Developer Guide's ItemLookup example (secret `1234567890`).
/// let url = sigv2::sign_url(
///     "http://webservices.amazon.com/onca/xml?Service=AWSECommerceService\
///      &AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&AssociateTag=mytag-20&Operation=ItemLookup\
///      &ItemId=0679722769&ResponseGroup=Images,ItemAttributes,Offers,Reviews\
///      &Version=2013-08-01&Timestamp=2014-08-18T12:00:00Z",
///     SignatureMethod::HmacSha256,
///     &SecretKey::new("1234567890"),
/// )?;
/// assert!(url.ends_with("&Signature=j7bZM0LXZ9eXeZruTqWm2DIvDYVUU3wxPPpp%2BiXxzQc%3D"));
/// # Ok::<(), amzsig::request::RequestParseError>(())
/// ```
///
/// # Errors
///
/// When `url` is not an absolute `http(s)://` URL or its query does not decode.
pub fn sign_url(url: &str, method: SignatureMethod, secret: &SecretKey) -> Result<String, RequestParseError> {
    let request = OwnedRequest::from_url("GET", url)?;
    let signed = sign(&request.view(), method, secret);
    let base = url.split(['?', '#']).next().unwrap_or(url);
    Ok(format!("{base}?{}", signed.wire_query(&request.params)))
}

/// Encodes parameters for the wire in their given order (no `Signature` from the input),
/// appending `Signature` when given.
pub fn wire_query(params: &ParamList, signature: Option<&str>) -> String {
    let mut out = String::new();
    let sig = signature.map(|s| crate::encoding::Param::new(SIGNATURE_PARAM, s));
    for p in params.iter().filter(|p| p.name != SIGNATURE_PARAM).chain(sig.as_ref()) {
        if !out.is_empty() {
            out.push('&');
        }
        encode_into(&mut out, p.name.as_bytes());
        out.push('=');
        encode_into(&mut out, p.value.as_bytes());
    }
    out
}

#[cfg(test)]
mod tests;
