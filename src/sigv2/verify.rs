//! SigV2 verification: recompute the signature of a received request the way Amazon does
//! and report why it fails as data ([`VerifyFailure`]), never as a string.
//!
//! Order of checks (each stops at the first failure, like Amazon's front end): access key
//! id present, signature present, `SignatureVersion`/`SignatureMethod` supported,
//! `Timestamp` xor `Expires` present and well-formed (EC2 "Common Query Parameters":
//! "Requests must include either Timestamp or Expires, but cannot contain both"), key
//! known and active, signature well-formed, time window (MWS "Timestamps": 15 minutes),
//! then the constant-time comparison.

use super::{canonical_host, canonicalize_with_host, host_without_port, signature, Canonical, SignatureMethod};
use crate::clock::UtcTime;
use crate::crypto::{base64_decode, constant_time_eq, KeyState, SecretKey, SecretLookup};
use crate::request::RequestView;

/// Which host lines a verifier accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum HostMatch {
    /// Only the canonical Host header (Amazon's behaviour).
    #[default]
    Exact,
    /// Also the host with its port dropped, which many MWS client libraries sign.
    AlsoWithoutPort,
}

/// Which host line a verified signature was computed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostForm {
    /// The Host header, lowercased, default port dropped.
    AsSent,
    /// The Host header without any port.
    WithoutPort,
}

/// How strict a verifier is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifyPolicy {
    /// Largest allowed distance between `Timestamp` and now, in seconds (both directions).
    pub max_skew_secs: i64,
    /// Used when the request has no `SignatureMethod` (PA-API sends none: HmacSHA256).
    pub default_method: SignatureMethod,
    /// Which host lines are accepted.
    pub host_match: HostMatch,
}

impl Default for VerifyPolicy {
    fn default() -> Self {
        Self { max_skew_secs: 15 * 60, default_method: SignatureMethod::HmacSha256, host_match: HostMatch::Exact }
    }
}

/// A request that verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The access key id that signed it.
    pub access_key_id: String,
    /// The HMAC used.
    pub method: SignatureMethod,
    /// Which host line matched.
    pub host_form: HostForm,
    /// The canonical forms that matched.
    pub canonical: Canonical,
}

/// Why a request did not verify. Services map each variant to their own error code,
/// HTTP status and message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyFailure {
    /// A required authentication parameter is absent.
    #[error("the request must contain the parameter {0}")]
    MissingParameter(&'static str),
    /// Both `Timestamp` and `Expires` were sent.
    #[error("the parameter Timestamp cannot be used with the parameter Expires")]
    TimestampWithExpires,
    /// `SignatureVersion` other than 2.
    #[error("SignatureVersion '{0}' is not supported (only 2)")]
    UnsupportedSignatureVersion(String),
    /// `SignatureMethod` other than HmacSHA256 or HmacSHA1.
    #[error("SignatureMethod '{0}' is not supported (HmacSHA256 or HmacSHA1)")]
    UnsupportedSignatureMethod(String),
    /// `Timestamp` or `Expires` is not ISO 8601.
    #[error("{param} '{raw}' is not a valid ISO 8601 timestamp")]
    MalformedTimestamp {
        /// `Timestamp` or `Expires`.
        param: &'static str,
        /// The value as sent.
        raw: String,
    },
    /// No such access key id.
    #[error("the access key id '{0}' does not exist")]
    UnknownAccessKey(String),
    /// The access key id exists but is not active.
    #[error("the access key id '{0}' is not active")]
    InactiveAccessKey(String),
    /// The `Signature` value is not base64 (often: a `+` that was not encoded arrived
    /// as a space).
    #[error("the Signature '{raw}' is not valid base64")]
    SignatureNotBase64 {
        /// The decoded parameter value.
        raw: String,
    },
    /// The signature decodes, but to the wrong number of bytes for its method.
    #[error("the Signature decodes to {actual} bytes, {method} gives {expected}")]
    SignatureWrongLength {
        /// The declared or implied method.
        method: SignatureMethod,
        /// Bytes the method produces.
        expected: usize,
        /// Bytes the signature decodes to.
        actual: usize,
    },
    /// `Timestamp` older than the window, or `Expires` in the past.
    #[error("request has expired: {param} date is {raw}")]
    Expired {
        /// `Timestamp` or `Expires`.
        param: &'static str,
        /// The value as sent.
        raw: String,
    },
    /// `Timestamp` too far in the future.
    #[error("Timestamp {raw} is too far in the future")]
    TimestampInFuture {
        /// The value as sent.
        raw: String,
    },
    /// Everything is well-formed but the signature does not match.
    #[error("the signature does not match")]
    Mismatch {
        /// What the server signed (the client must have signed something else).
        expected: Canonical,
    },
}

/// Verifies a received SigV2 request against a key lookup at instant `now`.
///
/// ```
/// use amzsig::clock::UtcTime;
/// use amzsig::crypto::{SecretKey, SingleKey};
/// use amzsig::request::OwnedRequest;
/// use amzsig::sigv2::{verify, VerifyFailure, VerifyPolicy};
///
/// // The PA-API Developer Guide's signed ItemLookup (secret 1234567890).
/// let url = "http://webservices.amazon.com/onca/xml?Service=AWSECommerceService&AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE\
///     &AssociateTag=mytag-20&Operation=ItemLookup&ItemId=0679722769&ResponseGroup=Images%2CItemAttributes%2COffers%2CReviews\
///     &Version=2013-08-01&Timestamp=2014-08-18T12%3A00%3A00Z&Signature=j7bZM0LXZ9eXeZruTqWm2DIvDYVUU3wxPPpp%2BiXxzQc%3D";
/// let request = OwnedRequest::from_url("GET", url)?;
/// let secret = SecretKey::new("1234567890");
/// let keys = SingleKey { id: None, secret: &secret };
/// let policy = VerifyPolicy::default();
/// assert!(verify(&request.view(), &keys, UtcTime::parse_iso8601("2014-08-18T12:10:00Z")?, &policy).is_ok());
/// // Twenty minutes later it is outside Amazon's 15-minute window.
/// let late = verify(&request.view(), &keys, UtcTime::parse_iso8601("2014-08-18T12:20:00Z")?, &policy);
/// assert!(matches!(late, Err(VerifyFailure::Expired { .. })));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn verify(
    req: &RequestView<'_>,
    keys: &impl SecretLookup,
    now: UtcTime,
    policy: &VerifyPolicy,
) -> Result<Verified, VerifyFailure> {
    let params = req.params;
    let access_key_id = params.get("AWSAccessKeyId").ok_or(VerifyFailure::MissingParameter("AWSAccessKeyId"))?;
    let sig = params.get(super::SIGNATURE_PARAM).ok_or(VerifyFailure::MissingParameter("Signature"))?;
    if let Some(v) = params.get("SignatureVersion") {
        if v != "2" {
            return Err(VerifyFailure::UnsupportedSignatureVersion(v.to_owned()));
        }
    }
    let method = match params.get("SignatureMethod") {
        Some(m) => m.parse().map_err(|_| VerifyFailure::UnsupportedSignatureMethod(m.to_owned()))?,
        None => policy.default_method,
    };
    let when = request_time(req)?;
    let secret = match keys.lookup(access_key_id) {
        KeyState::Active(s) => s,
        KeyState::Inactive => return Err(VerifyFailure::InactiveAccessKey(access_key_id.to_owned())),
        KeyState::Unknown => return Err(VerifyFailure::UnknownAccessKey(access_key_id.to_owned())),
    };
    let given = base64_decode(sig).ok_or_else(|| VerifyFailure::SignatureNotBase64 { raw: sig.to_owned() })?;
    let expected_len = method.algorithm().mac_len();
    if given.len() != expected_len {
        return Err(VerifyFailure::SignatureWrongLength { method, expected: expected_len, actual: given.len() });
    }
    check_window(&when, now, policy.max_skew_secs)?;

    let host = canonical_host(req.host, req.scheme);
    let exact = canonicalize_with_host(req, &host);
    if matches_signature(method, secret, &exact, &given) {
        return Ok(Verified {
            access_key_id: access_key_id.to_owned(),
            method,
            host_form: HostForm::AsSent,
            canonical: exact,
        });
    }
    if policy.host_match == HostMatch::AlsoWithoutPort {
        let bare = host_without_port(&host);
        if bare != host {
            let alt = canonicalize_with_host(req, bare);
            if matches_signature(method, secret, &alt, &given) {
                return Ok(Verified {
                    access_key_id: access_key_id.to_owned(),
                    method,
                    host_form: HostForm::WithoutPort,
                    canonical: alt,
                });
            }
        }
    }
    Err(VerifyFailure::Mismatch { expected: exact })
}

fn matches_signature(method: SignatureMethod, secret: &SecretKey, canonical: &Canonical, given: &[u8]) -> bool {
    let ours = crate::crypto::hmac(method.algorithm(), secret, canonical.string_to_sign.as_bytes());
    debug_assert_eq!(ours.to_base64(), signature(method, secret, &canonical.string_to_sign));
    constant_time_eq(ours.as_bytes(), given)
}

/// The request's time parameter, parsed.
enum RequestTime<'a> {
    Timestamp(&'a str, UtcTime),
    Expires(&'a str, UtcTime),
}

fn request_time<'a>(req: &RequestView<'a>) -> Result<RequestTime<'a>, VerifyFailure> {
    let parse = |param: &'static str, raw: &str| {
        UtcTime::parse_iso8601(raw).map_err(|_| VerifyFailure::MalformedTimestamp { param, raw: raw.to_owned() })
    };
    match (req.params.get("Timestamp"), req.params.get("Expires")) {
        (Some(_), Some(_)) => Err(VerifyFailure::TimestampWithExpires),
        (Some(t), None) => Ok(RequestTime::Timestamp(t, parse("Timestamp", t)?)),
        (None, Some(e)) => Ok(RequestTime::Expires(e, parse("Expires", e)?)),
        (None, None) => Err(VerifyFailure::MissingParameter("Timestamp")),
    }
}

fn check_window(when: &RequestTime<'_>, now: UtcTime, max_skew_secs: i64) -> Result<(), VerifyFailure> {
    let window_ms = max_skew_secs * 1000;
    match *when {
        RequestTime::Timestamp(raw, t) => {
            let age = now.millis_since(t);
            if age > window_ms {
                Err(VerifyFailure::Expired { param: "Timestamp", raw: raw.to_owned() })
            } else if -age > window_ms {
                Err(VerifyFailure::TimestampInFuture { raw: raw.to_owned() })
            } else {
                Ok(())
            }
        }
        RequestTime::Expires(raw, e) if now > e => {
            Err(VerifyFailure::Expired { param: "Expires", raw: raw.to_owned() })
        }
        RequestTime::Expires(..) => Ok(()),
    }
}
