//! SigV4 verification: recompute the signature of a received request the way AWS does
//! and report why it fails as data ([`VerifyFailure`]).
//!
//! Spec: AWS General Reference, "Signature Version 4 signing process" and "Handling
//! dates in Signature Version 4" (the credential scope's date "must match the date
//! from the X-Amz-Date"; requests more than 15 minutes from the server's time are
//! refused); S3 API Reference, "Authenticating Requests: Using Query Parameters"
//! (`X-Amz-Expires` "minimum value you can set is 1, and the maximum is 604800 (seven
//! days)"; "host" must be signed).
//!
//! Order of checks, each stopping at the first failure: one authentication mechanism
//! present; its parts well-formed (algorithm, credential, signed headers, date, expiry);
//! the scope (terminator, date, region, service); the signed headers (`host` and, in the
//! header form, `x-amz-date` signed; every signed header present; `x-amz-content-sha256`
//! present when the settings add it, as S3 requires); the key known and
//! active; the signature 64 lowercase hex digits; the time window; then the
//! constant-time comparison, and last the body against `x-amz-content-sha256`.

use super::canonical::{canonical_request, request_hashed_payload, CanonicalRequest};
use super::parse::{parse_amz_date, parse_authorization, parse_credential, parse_http_date, parse_signed_headers};
use super::sign::{signature, signing_key, string_to_sign, SigningKeyCache, StringToSign};
use super::{
    ContentSha256Header, CredentialScope, ParseAmzDateError, ParseAuthorizationError, ParseCredentialError, Payload,
    PresignedPayload, SessionTokenMode, SignableRequest, SignatureLocation, SigningSettings, ALGORITHM, AUTHORIZATION,
    MAX_EXPIRES_SECS, SCOPE_TERMINATOR, UNSIGNED_PAYLOAD, X_AMZ_ALGORITHM, X_AMZ_CONTENT_SHA256, X_AMZ_CREDENTIAL,
    X_AMZ_DATE, X_AMZ_EXPIRES, X_AMZ_SECURITY_TOKEN, X_AMZ_SIGNATURE, X_AMZ_SIGNED_HEADERS,
};
use crate::clock::UtcTime;
use crate::crypto::{constant_time_eq, sha256_hex};
use crate::crypto::{KeyState, SecretLookup};

/// How strict a verifier is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifyPolicy<'a> {
    /// Largest allowed distance between `X-Amz-Date` and now, in seconds (header form
    /// both ways; presigned URLs only into the future).
    pub max_skew_secs: i64,
    /// The service the endpoint is (`None`: any).
    pub expected_service: Option<&'a str>,
    /// The region the endpoint is in (`None`: any).
    pub expected_region: Option<&'a str>,
    /// Canonicalisation settings (encoding, normalisation, session token, presigned
    /// payload; `ContentSha256Header::Add` makes that header required in the header
    /// form); the signature location is read from the request. The header form takes its
    /// time from `X-Amz-Date` only (a `Date` header is not an alternative here).
    pub settings: SigningSettings,
}

impl Default for VerifyPolicy<'_> {
    fn default() -> Self {
        Self { max_skew_secs: 900, expected_service: None, expected_region: None, settings: SigningSettings::default() }
    }
}

/// A request that verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The access key id that signed it.
    pub access_key_id: String,
    /// Header or presigned URL.
    pub location: SignatureLocation,
    /// The credential scope it was signed for.
    pub scope: CredentialScope,
    /// The signed header names, as sent.
    pub signed_headers: Vec<String>,
    /// The `X-Amz-Date` instant.
    pub request_time: UtcTime,
    /// `X-Amz-Security-Token`, when sent.
    pub session_token: Option<String>,
    /// The canonical request that matched.
    pub canonical_request: CanonicalRequest,
    /// The string to sign that matched.
    pub string_to_sign: StringToSign,
}

/// Why a request did not verify. Services map each variant to their own error code,
/// HTTP status and message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyFailure {
    /// Neither an `Authorization` header nor `X-Amz-Algorithm` in the query.
    #[error("the request carries no authentication (no Authorization header, no X-Amz-Algorithm parameter)")]
    MissingAuthentication,
    /// Both an `Authorization` header and presigned query parameters.
    #[error("only one auth mechanism allowed: the Authorization header or the X-Amz-Algorithm query parameter")]
    MultipleAuthMechanisms,
    /// A presigned URL lacks one of its six parameters.
    #[error("query-string authentication version 4 requires the {0} parameter")]
    MissingQueryParameter(&'static str),
    /// The `Authorization` header does not parse.
    #[error("malformed Authorization header")]
    MalformedAuthorization(#[source] ParseAuthorizationError),
    /// An algorithm other than `AWS4-HMAC-SHA256`.
    #[error("unsupported algorithm '{0}' (only AWS4-HMAC-SHA256)")]
    UnsupportedAlgorithm(String),
    /// `X-Amz-Credential` does not parse.
    #[error("malformed X-Amz-Credential")]
    MalformedCredential(#[source] ParseCredentialError),
    /// `X-Amz-SignedHeaders` or `X-Amz-Expires` is not well-formed.
    #[error("malformed {name} '{raw}'")]
    MalformedQueryParameter {
        /// The parameter.
        name: &'static str,
        /// Its value as sent.
        raw: String,
    },
    /// The header form with neither an `X-Amz-Date` nor a `Date` header.
    #[error("the request has neither an X-Amz-Date nor a Date header")]
    MissingDate,
    /// `X-Amz-Date` is not `YYYYMMDDThhmmssZ`.
    #[error("X-Amz-Date '{raw}' is malformed")]
    MalformedDate {
        /// The value as sent.
        raw: String,
        /// Where it goes wrong.
        #[source]
        source: ParseAmzDateError,
    },
    /// The scope does not end with `aws4_request`.
    #[error("the credential scope must end with aws4_request, not '{0}'")]
    ScopeTerminator(String),
    /// The scope's date is not the date of `X-Amz-Date`.
    #[error("credential scope date {scope_date} does not match X-Amz-Date's date {request_date}")]
    ScopeDateMismatch {
        /// The date in the credential scope.
        scope_date: String,
        /// `YYYYMMDD` of `X-Amz-Date`.
        request_date: String,
    },
    /// The scope names another region.
    #[error("credential scope region '{found}' is wrong; expecting '{expected}'")]
    WrongRegion {
        /// The endpoint's region.
        expected: String,
        /// The scope's region.
        found: String,
    },
    /// The scope names another service.
    #[error("credential scope service '{found}' is wrong; expecting '{expected}'")]
    WrongService {
        /// The endpoint's service.
        expected: String,
        /// The scope's service.
        found: String,
    },
    /// `host` is not among the signed headers.
    #[error("the host header must be signed")]
    HostNotSigned,
    /// The header form does not sign the header its time came from (`x-amz-date`, or
    /// `date` when there is no `X-Amz-Date`).
    #[error("the x-amz-date (or date) header must be signed")]
    DateNotSigned,
    /// A header named in SignedHeaders is not in the request.
    #[error("signed header '{0}' is not in the request")]
    SignedHeaderMissing(String),
    /// `X-Amz-Expires` above seven days.
    #[error("X-Amz-Expires {0} is above the maximum of 604800 seconds")]
    ExpiresTooLarge(u64),
    /// A presigned URL whose `X-Amz-Date + X-Amz-Expires` has passed.
    #[error("request has expired: X-Amz-Date {request_time}, X-Amz-Expires {expires_secs}")]
    Expired {
        /// `X-Amz-Date` as sent.
        request_time: String,
        /// `X-Amz-Expires`.
        expires_secs: u64,
    },
    /// A presigned URL dated further in the future than the allowed skew.
    #[error("request is not yet valid: X-Amz-Date {request_time}")]
    NotYetValid {
        /// `X-Amz-Date` as sent.
        request_time: String,
    },
    /// The header form's `X-Amz-Date` is too far from now.
    #[error(
        "the difference between the request time {request_time} and the current time is too large ({skew_secs} s)"
    )]
    RequestTimeTooSkewed {
        /// `X-Amz-Date` as sent.
        request_time: String,
        /// `now - X-Amz-Date` in seconds (negative: in the future).
        skew_secs: i64,
    },
    /// No such access key id.
    #[error("the access key id '{0}' does not exist")]
    UnknownAccessKey(String),
    /// The access key id exists but is not active.
    #[error("the access key id '{0}' is not active")]
    InactiveAccessKey(String),
    /// The signature is not 64 lowercase hex digits.
    #[error("the signature '{0}' is not 64 lowercase hex digits")]
    MalformedSignature(String),
    /// Everything is well-formed but the signature does not match.
    #[error("the request signature we calculated does not match the signature you provided")]
    Mismatch {
        /// What the server signed.
        canonical_request: Box<CanonicalRequest>,
        /// The server's string to sign.
        string_to_sign: Box<StringToSign>,
    },
    /// The header form without `x-amz-content-sha256` where the settings add it (S3:
    /// "Missing required header for this request: x-amz-content-sha256").
    #[error("missing required header for this request: x-amz-content-sha256")]
    MissingContentSha256,
    /// The signature matches but the body's SHA-256 is not `x-amz-content-sha256`.
    #[error("the provided x-amz-content-sha256 header {claimed} does not match what was computed ({computed})")]
    ContentSha256Mismatch {
        /// The header's value.
        claimed: String,
        /// SHA-256 of the body.
        computed: String,
    },
}

/// What the request claims about its signature.
struct Claim {
    /// Where the time came from: `X-Amz-Date`, or `date` (header form only).
    date_header: &'static str,
    location: SignatureLocation,
    access_key_id: String,
    scope: CredentialScope,
    signed_headers: Vec<String>,
    signature: String,
    raw_date: String,
    time: UtcTime,
    expires_secs: Option<u64>,
}

/// Verifies a received SigV4 request (header or presigned form) against a key lookup at
/// instant `now`.
///
/// ```
/// use amzsig::sigv4::{self, ParsedRequest, VerifyFailure, VerifyPolicy};
/// use amzsig::{SecretKey, SingleKey, UtcTime};
///
/// // The official suite's get-vanilla, with one character of the signature changed.
/// let text = "GET / HTTP/1.1\r\nHost:example.amazonaws.com\r\nX-Amz-Date:20150830T123600Z\r\n\
///     Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
///     SignedHeaders=host;x-amz-date, \
///     Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf30\r\n\r\n";
/// let request = ParsedRequest::parse(text.as_bytes())?;
/// let secret = SecretKey::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
/// let keys = SingleKey { id: Some("AKIDEXAMPLE"), secret: &secret };
/// let now = UtcTime::parse_iso8601("2015-08-30T12:36:00Z")?;
/// match sigv4::verify(&request.view(), &keys, now, &VerifyPolicy::default()) {
///     Err(VerifyFailure::Mismatch { string_to_sign, .. }) => {
///         assert_eq!(string_to_sign.hashed_canonical_request, "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
///     }
///     other => panic!("expected a mismatch, got {other:?}"),
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn verify(
    req: &SignableRequest<'_>,
    keys: &impl SecretLookup,
    now: UtcTime,
    policy: &VerifyPolicy<'_>,
) -> Result<Verified, VerifyFailure> {
    verify_inner(req, keys, now, policy, None)
}

/// [`verify`], deriving signing keys through a cache.
pub fn verify_with_cache(
    req: &SignableRequest<'_>,
    keys: &impl SecretLookup,
    now: UtcTime,
    policy: &VerifyPolicy<'_>,
    cache: &mut SigningKeyCache,
) -> Result<Verified, VerifyFailure> {
    verify_inner(req, keys, now, policy, Some(cache))
}

fn verify_inner(
    req: &SignableRequest<'_>,
    keys: &impl SecretLookup,
    now: UtcTime,
    policy: &VerifyPolicy<'_>,
    cache: Option<&mut SigningKeyCache>,
) -> Result<Verified, VerifyFailure> {
    let claim = match (req.header(AUTHORIZATION), req.query.find(X_AMZ_ALGORITHM).is_some()) {
        (Some(_), true) => return Err(VerifyFailure::MultipleAuthMechanisms),
        (Some(value), false) => header_claim(req, value)?,
        (None, true) => query_claim(req)?,
        (None, false) => return Err(VerifyFailure::MissingAuthentication),
    };
    check_scope(&claim, policy)?;
    check_signed_headers(req, &claim)?;
    if claim.location == SignatureLocation::Headers
        && policy.settings.content_sha256_header == ContentSha256Header::Add
        && req.header(X_AMZ_CONTENT_SHA256).is_none()
    {
        return Err(VerifyFailure::MissingContentSha256);
    }

    let secret = match keys.lookup(&claim.access_key_id) {
        KeyState::Active(s) => s,
        KeyState::Inactive => return Err(VerifyFailure::InactiveAccessKey(claim.access_key_id)),
        KeyState::Unknown => return Err(VerifyFailure::UnknownAccessKey(claim.access_key_id)),
    };
    if claim.signature.len() != 64 || !claim.signature.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(VerifyFailure::MalformedSignature(claim.signature));
    }
    check_time(&claim, now, policy.max_skew_secs)?;

    let settings = &policy.settings;
    let (hashed, body_check) = received_payload_hash(req, claim.location, settings);
    let mut excluded_query = Vec::new();
    if claim.location == SignatureLocation::QueryParams {
        excluded_query.push(X_AMZ_SIGNATURE);
        if settings.session_token == SessionTokenMode::Exclude {
            excluded_query.push(X_AMZ_SECURITY_TOKEN);
        }
    }
    let canonical = canonical_request(req, &claim.signed_headers, hashed, settings, &excluded_query);
    let scope_text = claim.scope.to_string();
    let sts = string_to_sign(&claim.raw_date, &scope_text, &canonical);
    let (date, region, service) = (&claim.scope.date, &claim.scope.region, &claim.scope.service);
    let key = match cache {
        Some(c) => c.get_or_derive(secret, date, region, service),
        None => signing_key(secret, date, region, service),
    };
    let ours = signature(&key, &sts);
    if !constant_time_eq(ours.as_bytes(), claim.signature.as_bytes()) {
        return Err(VerifyFailure::Mismatch { canonical_request: Box::new(canonical), string_to_sign: Box::new(sts) });
    }
    if let Some((claimed, computed)) = body_check {
        if claimed != computed {
            return Err(VerifyFailure::ContentSha256Mismatch { claimed, computed });
        }
    }
    let session_token = match claim.location {
        SignatureLocation::Headers => req.header(X_AMZ_SECURITY_TOKEN).map(str::to_owned),
        SignatureLocation::QueryParams => req.query.get(X_AMZ_SECURITY_TOKEN).map(str::to_owned),
    };
    Ok(Verified {
        access_key_id: claim.access_key_id,
        location: claim.location,
        scope: claim.scope,
        signed_headers: claim.signed_headers,
        request_time: claim.time,
        session_token,
        canonical_request: canonical,
        string_to_sign: sts,
    })
}

fn header_claim(req: &SignableRequest<'_>, value: &str) -> Result<Claim, VerifyFailure> {
    let algorithm = value.split(' ').next().unwrap_or_default();
    if !algorithm.is_empty() && algorithm != ALGORITHM {
        return Err(VerifyFailure::UnsupportedAlgorithm(algorithm.to_owned()));
    }
    let auth = parse_authorization(value).map_err(VerifyFailure::MalformedAuthorization)?;
    // The time comes from X-Amz-Date, or else from a `Date` header (AWS General Reference,
    // "Handling dates in Signature Version 4": "x-amz-date ... or the date header"; botocore's
    // `SigV4Auth._set_necessary_date_headers` sends only `Date`, RFC 2822, when the caller
    // set one, and signs it). The string to sign always carries the ISO 8601 basic form.
    let (raw_date, time, date_header) = if let Some(raw) = req.header(X_AMZ_DATE) {
        let raw = raw.trim();
        let time =
            parse_amz_date(raw).map_err(|source| VerifyFailure::MalformedDate { raw: raw.to_owned(), source })?;
        (raw.to_owned(), time, X_AMZ_DATE)
    } else {
        let raw = req.header("date").ok_or(VerifyFailure::MissingDate)?.trim();
        let time = match parse_amz_date(raw) {
            Ok(t) => t,
            Err(source) => {
                parse_http_date(raw).ok_or_else(|| VerifyFailure::MalformedDate { raw: raw.to_owned(), source })?
            }
        };
        (time.to_amz_date(), time, "date")
    };
    Ok(Claim {
        date_header,
        location: SignatureLocation::Headers,
        access_key_id: auth.credential.access_key_id,
        scope: auth.credential.scope,
        signed_headers: auth.signed_headers,
        signature: auth.signature,
        raw_date,
        time,
        expires_secs: None,
    })
}

fn query_claim(req: &SignableRequest<'_>) -> Result<Claim, VerifyFailure> {
    let q = req.query;
    for name in [X_AMZ_ALGORITHM, X_AMZ_CREDENTIAL, X_AMZ_DATE, X_AMZ_EXPIRES, X_AMZ_SIGNED_HEADERS, X_AMZ_SIGNATURE] {
        if q.get(name).is_none() {
            return Err(VerifyFailure::MissingQueryParameter(name));
        }
    }
    let get = |name| q.get(name).unwrap_or_default();
    let algorithm = get(X_AMZ_ALGORITHM);
    if algorithm != ALGORITHM {
        return Err(VerifyFailure::UnsupportedAlgorithm(algorithm.to_owned()));
    }
    let credential = parse_credential(get(X_AMZ_CREDENTIAL)).map_err(VerifyFailure::MalformedCredential)?;
    let raw_date = get(X_AMZ_DATE);
    let time =
        parse_amz_date(raw_date).map_err(|source| VerifyFailure::MalformedDate { raw: raw_date.to_owned(), source })?;
    let raw_expires = get(X_AMZ_EXPIRES);
    let expires_secs =
        raw_expires.parse::<u64>().ok().filter(|_| raw_expires.bytes().all(|b| b.is_ascii_digit())).ok_or_else(
            || VerifyFailure::MalformedQueryParameter { name: X_AMZ_EXPIRES, raw: raw_expires.to_owned() },
        )?;
    if expires_secs > MAX_EXPIRES_SECS {
        return Err(VerifyFailure::ExpiresTooLarge(expires_secs));
    }
    let raw_signed = get(X_AMZ_SIGNED_HEADERS);
    let signed_headers = parse_signed_headers(raw_signed).ok_or_else(|| VerifyFailure::MalformedQueryParameter {
        name: X_AMZ_SIGNED_HEADERS,
        raw: raw_signed.to_owned(),
    })?;
    Ok(Claim {
        date_header: X_AMZ_DATE,
        location: SignatureLocation::QueryParams,
        access_key_id: credential.access_key_id,
        scope: credential.scope,
        signed_headers,
        signature: get(X_AMZ_SIGNATURE).to_owned(),
        raw_date: raw_date.to_owned(),
        time,
        expires_secs: Some(expires_secs),
    })
}

fn check_scope(claim: &Claim, policy: &VerifyPolicy<'_>) -> Result<(), VerifyFailure> {
    let scope = &claim.scope;
    if scope.terminator != SCOPE_TERMINATOR {
        return Err(VerifyFailure::ScopeTerminator(scope.terminator.clone()));
    }
    let request_date = &claim.raw_date[..8];
    if scope.date != request_date {
        return Err(VerifyFailure::ScopeDateMismatch {
            scope_date: scope.date.clone(),
            request_date: request_date.to_owned(),
        });
    }
    if let Some(expected) = policy.expected_region {
        if scope.region != expected {
            return Err(VerifyFailure::WrongRegion { expected: expected.to_owned(), found: scope.region.clone() });
        }
    }
    if let Some(expected) = policy.expected_service {
        if scope.service != expected {
            return Err(VerifyFailure::WrongService { expected: expected.to_owned(), found: scope.service.clone() });
        }
    }
    Ok(())
}

fn check_signed_headers(req: &SignableRequest<'_>, claim: &Claim) -> Result<(), VerifyFailure> {
    let signs = |name: &str| claim.signed_headers.iter().any(|h| h.eq_ignore_ascii_case(name));
    if !signs("host") {
        return Err(VerifyFailure::HostNotSigned);
    }
    if claim.location == SignatureLocation::Headers && !signs(claim.date_header) {
        return Err(VerifyFailure::DateNotSigned);
    }
    if let Some(missing) = claim.signed_headers.iter().find(|h| req.header(h).is_none()) {
        return Err(VerifyFailure::SignedHeaderMissing(missing.clone()));
    }
    Ok(())
}

fn check_time(claim: &Claim, now: UtcTime, max_skew_secs: i64) -> Result<(), VerifyFailure> {
    let age_ms = now.millis_since(claim.time);
    let window_ms = max_skew_secs.saturating_mul(1000);
    match claim.expires_secs {
        None if age_ms.abs() > window_ms => {
            Err(VerifyFailure::RequestTimeTooSkewed { request_time: claim.raw_date.clone(), skew_secs: age_ms / 1000 })
        }
        Some(_) if -age_ms > window_ms => Err(VerifyFailure::NotYetValid { request_time: claim.raw_date.clone() }),
        Some(expires) if age_ms > i64::try_from(expires).unwrap_or(i64::MAX).saturating_mul(1000) => {
            Err(VerifyFailure::Expired { request_time: claim.raw_date.clone(), expires_secs: expires })
        }
        _ => Ok(()),
    }
}

/// The hashed payload the server puts in its canonical request, and, when the body is
/// known and the client claimed a hash in `x-amz-content-sha256`, the (claimed,
/// computed) pair to compare once the signature matches.
fn received_payload_hash(
    req: &SignableRequest<'_>,
    location: SignatureLocation,
    settings: &SigningSettings,
) -> (String, Option<(String, String)>) {
    if location == SignatureLocation::QueryParams && settings.presigned_payload == PresignedPayload::Unsigned {
        return (UNSIGNED_PAYLOAD.to_owned(), None);
    }
    let hashed = request_hashed_payload(req);
    let body_check = match req.payload {
        Payload::Bytes(body) if req.header(X_AMZ_CONTENT_SHA256).is_some() && is_sha256_hex(&hashed) => {
            Some((hashed.clone(), sha256_hex(body)))
        }
        _ => None,
    };
    (hashed, body_check)
}

fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}
