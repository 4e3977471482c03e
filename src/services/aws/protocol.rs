//! The AWS protocols' answer shapes, and the one table from a refusal to (status, code,
//! message) per protocol.
//!
//! Shapes (Smithy protocol specifications and captured answers):
//! - AWS Query: `<ErrorResponse xmlns="https://{service}.amazonaws.com/doc/{Version}/">
//!   <Error><Type>Sender</Type><Code>…</Code><Message>…</Message></Error>
//!   <RequestId>…</RequestId></ErrorResponse>` (STS/IAM captures; AWS "Common Errors":
//!   `IncompleteSignature` 400, `InvalidClientTokenId` 403, `MissingAuthenticationToken`
//!   403, `SignatureDoesNotMatch` 403).
//! - AWS JSON 1.0/1.1: `{"__type":"…Exception","message":"…"}`, status 400, content type
//!   `application/x-amz-json-1.x` (the Cognito capture in
//!   ArranJacques/laravel-aws-cognito-auth issue #25, a 400 `UnrecognizedClientException`).
//!   A mismatch's message is followed by the canonical request and string to sign ("The
//!   Canonical String for this request should have been\n'…'\n\nThe String-to-Sign should
//!   have been\n'…'\n", the front end's text as captured from SP-API, protocols.md §5.2).
//! - REST-JSON: `{"message":"…"}` with `x-amzn-ErrorType: {Code}` and status 403 for
//!   authentication (API Gateway's answers quoted in public notes: "HTTP 403 - Missing
//!   Authentication Token"; SP-API's `x-amzn-ErrorType: InvalidSignatureException`).
//! - REST-XML (not S3): the Query envelope (Smithy restXml wraps errors in
//!   `ErrorResponse` by default).
//! - S3: `<Error><Code>…</Code><Message>…</Message>…<RequestId>…</RequestId>
//!   <HostId>…</HostId></Error>` with headers `x-amz-request-id`, `x-amz-id-2` (S3 API
//!   Reference, "Error Responses" and its list of error codes: `AccessDenied` "Access
//!   Denied" 403, `InvalidAccessKeyId` "The AWS Access Key Id you provided does not exist
//!   in our records." 403 with `AWSAccessKeyId`, `SignatureDoesNotMatch` 403 with
//!   `AWSAccessKeyId`, `StringToSign`, `SignatureProvided`, `StringToSignBytes`,
//!   `CanonicalRequest`, `CanonicalRequestBytes`, `AuthorizationHeaderMalformed` 400 "The
//!   authorization header is malformed; the region '{found}' is wrong; expecting
//!   '{expected}'" with `Region`, `XAmzContentSHA256Mismatch` 400 "The provided
//!   'x-amz-content-sha256' header does not match what was computed." with
//!   `ClientComputedContentSHA256` and `S3ComputedContentSHA256`, `InvalidRequest`
//!   "Missing required header for this request: x-amz-content-sha256", presigned
//!   `AccessDenied` "Request has expired" with `X-Amz-Expires`, `Expires`, `ServerTime`,
//!   `RequestTimeTooSkewed` "The difference between the request time and the current time
//!   is too large." with `RequestTime`, `ServerTime`, `MaxAllowedSkewMilliseconds`,
//!   `InvalidToken` "The provided token is malformed or otherwise invalid." and
//!   `ExpiredToken` "The provided token has expired." (both 400; real S3 adds a `Token-0`
//!   element echoing the token, which the mock leaves out: a token is a secret), and the S3
//!   service's own refusals, [`crate::services::s3`]'s `S3Error`). Captured answers confirm the texts and elements: the region message ("The
//!   authorization header is malformed; the region 'us-east-1' is wrong; expecting
//!   'us-west-2'", quoted from live S3 in Pulumi notes and in AWS Go code comments; for a
//!   presigned URL S3 answers `AuthorizationQueryParametersError` "Error parsing the
//!   X-Amz-Credential parameter; the region … is wrong; expecting …", quoted in code that
//!   met it against eu-north-1), and `XAmzContentSHA256Mismatch` with
//!   `ClientComputedContentSHA256`, `S3ComputedContentSHA256`, `RequestId`, `HostId` (an
//!   AWS SDK for JavaScript v3 error dump quoted in public code; OpenStack Swift's s3api
//!   tests assert the same elements).
//! - REST-JSON without authentication: "Missing Authentication Token" (API Gateway, as
//!   captured above).
//!
//! A canonical request shown in an answer has its session token replaced by `<redacted>`
//! ([`super::redact_session_token`]): AWS echoes it, the mock treats tokens as secrets.

use super::messages;
use crate::services::{Ctx, ServiceRequest};
use crate::sigv4::X_AMZ_SIGNATURE;
use crate::xml::Element;

/// The protocol a request speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Protocol {
    /// AWS Query (`Action`/`Version` in the query or a form body).
    Query,
    /// AWS JSON (`X-Amz-Target`), 1.0 or 1.1.
    Json {
        /// `true` for 1.0 (`application/x-amz-json-1.0`).
        v10: bool,
    },
    /// REST with JSON bodies.
    RestJson,
    /// REST with XML bodies (not S3).
    RestXml,
    /// Amazon S3.
    S3,
}

impl Protocol {
    /// Detects the protocol from the scope's (or host's) service and the request.
    pub(crate) fn detect(req: &ServiceRequest<'_>, service: &str) -> Self {
        let content_type = req.header("content-type").unwrap_or("").to_ascii_lowercase();
        if service == "s3" {
            Self::S3
        } else if req.header("x-amz-target").is_some() {
            Self::Json { v10: content_type.contains("x-amz-json-1.0") }
        } else if req.view.params.get("Action").is_some() {
            Self::Query
        } else if content_type.contains("json") {
            Self::RestJson
        } else {
            Self::RestXml
        }
    }

    /// The operation for the journal: the `X-Amz-Target` operation, `Action`, or
    /// `METHOD path`.
    pub(crate) fn operation(self, req: &ServiceRequest<'_>) -> String {
        match self {
            Self::Json { .. } => {
                let target = req.header("x-amz-target").unwrap_or("").trim();
                target.rsplit('.').next().unwrap_or(target).to_owned()
            }
            Self::Query => req.view.params.get("Action").unwrap_or("").to_owned(),
            _ => format!("{} {}", req.view.method, req.view.path),
        }
    }
}

/// Why a request is refused (a verification failure, or a later check).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Failure<'a> {
    /// The SigV4 check failed.
    Verify(&'a crate::sigv4::VerifyFailure),
    /// The session token does not fit the key: a temporary key without one, a long-term
    /// key with one, or another token than the key's.
    InvalidToken(TokenProblem),
    /// The right session token, but the temporary credentials have expired.
    ExpiredToken,
    /// S3's own refusal once the signature is accepted (`NoSuchBucket`, `NoSuchKey`,
    /// `BucketNotEmpty`, `InvalidPart`, …; [`crate::services::s3`]).
    S3(&'a crate::services::s3::S3Error),
    /// An aws-chunked body broke a streaming rule.
    Streaming(&'a crate::sigv4::streaming::StreamingError),
}

/// How a session token fails to fit its key (S3 answers each differently).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenProblem {
    /// A temporary key sent without its token.
    Missing,
    /// A long-term key sent with a token, or a temporary key with another token.
    Wrong,
}

/// A rendered answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rendered {
    /// HTTP status.
    pub status: u16,
    /// The error code (for the journal; empty for successes).
    pub code: &'static str,
    /// `Content-Type`.
    pub content_type: String,
    /// Headers.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: String,
}

impl Rendered {
    /// The answer to send, with the journal's `record`.
    pub(crate) fn into_outcome(self, record: crate::services::Record) -> crate::services::Outcome {
        let Rendered { status, content_type, headers, body, .. } = self;
        crate::services::Outcome { status, content_type, headers, body, object: None, record }
    }
}

/// A protocol-neutral error: code per protocol family, status, message, S3 extras.
struct Neutral {
    /// Query / REST-XML code.
    query: &'static str,
    /// JSON / REST-JSON `__type` (without namespace).
    json: &'static str,
    status_query: u16,
    status_json: u16,
    message: String,
    /// Append the canonical request and string to sign (JSON protocols).
    explain: Option<(String, String)>,
}

fn neutral(f: &Failure<'_>, ctx: &Ctx<'_>, req: &ServiceRequest<'_>) -> Neutral {
    use crate::sigv4::VerifyFailure as F;
    let sig = |message: String| Neutral {
        query: "SignatureDoesNotMatch",
        json: "InvalidSignatureException",
        status_query: 403,
        status_json: 400,
        message,
        explain: None,
    };
    let invalid_token = || Neutral {
        query: "InvalidClientTokenId",
        json: "UnrecognizedClientException",
        status_query: 403,
        status_json: 400,
        message: messages::INVALID_TOKEN.to_owned(),
        explain: None,
    };
    match f {
        Failure::InvalidToken(_) => invalid_token(),
        Failure::ExpiredToken => Neutral {
            query: "ExpiredToken",
            json: "ExpiredTokenException",
            status_query: 403,
            status_json: 400,
            message: messages::EXPIRED_TOKEN.to_owned(),
            explain: None,
        },
        Failure::S3(e) => Neutral {
            query: e.code,
            json: e.code,
            status_query: e.status,
            status_json: e.status,
            message: e.message.clone(),
            explain: None,
        },
        Failure::Streaming(e) => Neutral {
            query: e.s3_code(),
            json: e.s3_code(),
            status_query: e.s3_status(),
            status_json: e.s3_status(),
            message: e.s3_message().to_owned(),
            explain: None,
        },
        Failure::Verify(v) => match v {
            F::MissingAuthentication => Neutral {
                query: "MissingAuthenticationToken",
                json: "MissingAuthenticationTokenException",
                status_query: 403,
                status_json: 400,
                message: messages::MISSING_TOKEN.to_owned(),
                explain: None,
            },
            F::UnknownAccessKey(_) | F::InactiveAccessKey(_) => invalid_token(),
            F::Mismatch { canonical_request, string_to_sign } => Neutral {
                explain: Some((
                    super::redact_session_token(&canonical_request.to_string()).into_owned(),
                    string_to_sign.to_string(),
                )),
                ..sig(messages::SIGNATURE_MISMATCH.to_owned())
            },
            F::MalformedSignature(_) | F::ContentSha256Mismatch { .. } => sig(messages::SIGNATURE_MISMATCH.to_owned()),
            F::WrongRegion { .. } | F::WrongService { .. } | F::ScopeDateMismatch { .. } | F::ScopeTerminator(_) => {
                sig(messages::scope(v).unwrap_or_default())
            }
            F::RequestTimeTooSkewed { .. } | F::NotYetValid { .. } | F::Expired { .. } => {
                sig(messages::signature_expired(v, ctx.now, ctx.options.max_skew_secs).unwrap_or_default())
            }
            other => Neutral {
                query: "IncompleteSignature",
                json: "IncompleteSignatureException",
                status_query: 400,
                status_json: 400,
                message: messages::incomplete(other, req.header("authorization"), has_date(req)),
                explain: None,
            },
        },
    }
}

/// The elements S3 adds to a streaming refusal: for a chunk's or the trailer's signature
/// those of any mismatch but the canonical request (a chunk has none; versitygw's
/// `checkSignature` answers the same, AWS's own answer for a chunk is not recorded); the
/// chunk and its size for a short chunk (versity/versitygw#1665); the byte counts for a
/// wrong decoded length (versity/versitygw#1684).
fn streaming_extras(
    e: &crate::sigv4::streaming::StreamingError,
    akid: impl Fn() -> String,
) -> Vec<(&'static str, String)> {
    use crate::sigv4::streaming::StreamingError as E;
    match e {
        E::ChunkSignature { provided, string_to_sign, .. } | E::TrailerSignature { provided, string_to_sign, .. } => {
            vec![
                ("AWSAccessKeyId", akid()),
                ("StringToSign", string_to_sign.clone()),
                ("SignatureProvided", provided.clone()),
                ("StringToSignBytes", hex_bytes(string_to_sign)),
            ]
        }
        E::ChunkTooSmall { chunk, size } => vec![("Chunk", chunk.to_string()), ("BadChunkSize", size.to_string())],
        E::DecodedLength { expected, provided } => {
            vec![("NumberBytesExpected", expected.to_string()), ("NumberBytesProvided", provided.to_string())]
        }
        E::TooLarge { limit } => vec![("MaxSizeAllowed", limit.to_string())],
        _ => vec![],
    }
}

/// Renders a refusal in `proto`'s shape.
pub(crate) fn error(proto: Protocol, ctx: &Ctx<'_>, req: &ServiceRequest<'_>, f: &Failure<'_>) -> Rendered {
    if proto == Protocol::S3 {
        return s3_error(ctx, req, f);
    }
    let n = neutral(f, ctx, req);
    match proto {
        Protocol::Query | Protocol::RestXml => {
            let service = service_of(req);
            let ns = req.view.params.get("Version").filter(|_| proto == Protocol::Query && !service.is_empty());
            let ns = ns.map(|v| format!("https://{service}.amazonaws.com/doc/{v}/"));
            query_error(n.status_query, "Sender", n.query, &n.message, ctx.request_id, ns.as_deref())
        }
        Protocol::Json { v10 } => {
            let mut message = n.message;
            if let Some((creq, sts)) = n.explain {
                message.push_str(&explanation(&creq, &sts));
            }
            let body = serde_json::json!({"__type": n.json, "message": message}).to_string();
            Rendered {
                status: n.status_json,
                code: n.json,
                content_type: format!("application/x-amz-json-{}", if v10 { "1.0" } else { "1.1" }),
                headers: vec![("x-amzn-RequestId".to_owned(), ctx.request_id.to_owned())],
                body,
            }
        }
        Protocol::RestJson | Protocol::S3 => {
            let mut message = if n.query == "MissingAuthenticationToken" {
                "Missing Authentication Token".to_owned()
            } else {
                n.message
            };
            if let Some((creq, sts)) = n.explain {
                message.push_str(&explanation(&creq, &sts));
            }
            let status = if n.status_query == 400 { 400 } else { 403 };
            Rendered {
                status,
                code: n.json,
                content_type: "application/json".to_owned(),
                headers: vec![
                    ("x-amzn-RequestId".to_owned(), ctx.request_id.to_owned()),
                    ("x-amzn-ErrorType".to_owned(), n.json.to_owned()),
                ],
                body: serde_json::json!({"message": message}).to_string(),
            }
        }
    }
}

fn has_date(req: &ServiceRequest<'_>) -> bool {
    req.header("x-amz-date").is_some() || req.header("date").is_some()
}

fn explanation(creq: &str, sts: &str) -> String {
    format!(
        "\n\nThe Canonical String for this request should have been\n'{creq}'\n\nThe String-to-Sign should have \
         been\n'{sts}'\n"
    )
}

/// The scope's service (for the Query namespace).
fn service_of(req: &ServiceRequest<'_>) -> String {
    super::claimed_scope(req).map(|c| c.1).unwrap_or_default()
}

/// The Query error envelope.
pub(crate) fn query_error(
    status: u16,
    kind: &str,
    code: &'static str,
    message: &str,
    request_id: &str,
    namespace: Option<&str>,
) -> Rendered {
    let mut root = Element::new("ErrorResponse");
    if let Some(ns) = namespace {
        root = root.attr("xmlns", ns);
    }
    let root = root
        .child(Element::new("Error").leaf("Type", kind).leaf("Code", code).leaf("Message", message))
        .leaf("RequestId", request_id);
    Rendered {
        status,
        code,
        content_type: "text/xml".to_owned(),
        headers: vec![("x-amzn-RequestId".to_owned(), request_id.to_owned())],
        body: root.to_document(),
    }
}

/// S3's `x-amz-id-2` / `HostId`, derived from the request id (reproducible answers).
pub(crate) fn host_id(request_id: &str) -> String {
    crate::crypto::base64_encode(crate::crypto::sha256_hex(request_id.as_bytes()).as_bytes())
}

fn hex_bytes(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" ")
}

/// S3's headers for any answer.
pub(crate) fn s3_headers(request_id: &str) -> Vec<(String, String)> {
    vec![("x-amz-request-id".to_owned(), request_id.to_owned()), ("x-amz-id-2".to_owned(), host_id(request_id))]
}

#[allow(clippy::too_many_lines)] // one table: a row per failure
fn s3_error(ctx: &Ctx<'_>, req: &ServiceRequest<'_>, f: &Failure<'_>) -> Rendered {
    use crate::sigv4::VerifyFailure as F;
    let akid = || super::claimed_scope(req).map(|c| c.0).unwrap_or_default();
    let (status, code, message, extra): (u16, &'static str, String, Vec<(&str, String)>) = match f {
        Failure::InvalidToken(TokenProblem::Missing) => (
            403,
            "InvalidAccessKeyId",
            "The AWS Access Key Id you provided does not exist in our records.".into(),
            vec![("AWSAccessKeyId", akid())],
        ),
        Failure::InvalidToken(TokenProblem::Wrong) => (400, "InvalidToken", messages::S3_INVALID_TOKEN.into(), vec![]),
        Failure::ExpiredToken => (400, "ExpiredToken", messages::S3_EXPIRED_TOKEN.into(), vec![]),
        Failure::S3(e) => (e.status, e.code, e.message.clone(), e.extra.iter().map(|(n, v)| (*n, v.clone())).collect()),
        Failure::Streaming(e) => (e.s3_status(), e.s3_code(), e.s3_message().into(), streaming_extras(e, akid)),
        Failure::Verify(v) => match v {
            F::MissingAuthentication => (403, "AccessDenied", "Access Denied".into(), vec![]),
            F::UnknownAccessKey(k) | F::InactiveAccessKey(k) => (
                403,
                "InvalidAccessKeyId",
                "The AWS Access Key Id you provided does not exist in our records.".into(),
                vec![("AWSAccessKeyId", k.clone())],
            ),
            F::Mismatch { canonical_request, string_to_sign } => {
                let creq = super::redact_session_token(&canonical_request.to_string()).into_owned();
                let sts = string_to_sign.to_string();
                let provided = match req.header("authorization") {
                    Some(a) => a.rsplit("Signature=").next().unwrap_or("").trim().to_owned(),
                    None => req.query.get(X_AMZ_SIGNATURE).unwrap_or("").to_owned(),
                };
                (
                    403,
                    "SignatureDoesNotMatch",
                    messages::S3_SIGNATURE_MISMATCH.into(),
                    vec![
                        ("AWSAccessKeyId", akid()),
                        ("StringToSign", sts.clone()),
                        ("SignatureProvided", provided),
                        ("StringToSignBytes", hex_bytes(&sts)),
                        ("CanonicalRequest", creq.clone()),
                        ("CanonicalRequestBytes", hex_bytes(&creq)),
                    ],
                )
            }
            F::MalformedSignature(_) => (
                403,
                "SignatureDoesNotMatch",
                messages::S3_SIGNATURE_MISMATCH.into(),
                vec![("AWSAccessKeyId", akid())],
            ),
            F::WrongRegion { expected, found } if req.header("authorization").is_none() => (
                400,
                "AuthorizationQueryParametersError",
                format!(
                    "Error parsing the X-Amz-Credential parameter; the region '{found}' is wrong; expecting '{expected}'"
                ),
                vec![("Region", expected.clone())],
            ),
            F::WrongRegion { expected, found } => (
                400,
                "AuthorizationHeaderMalformed",
                format!("The authorization header is malformed; the region '{found}' is wrong; expecting '{expected}'"),
                vec![("Region", expected.clone())],
            ),
            F::WrongService { found, .. } => (
                400,
                "AuthorizationHeaderMalformed",
                format!("The authorization header is malformed; incorrect service \"{found}\". This endpoint belongs to \"s3\"."),
                vec![],
            ),
            F::ScopeDateMismatch { .. } => (
                400,
                "AuthorizationHeaderMalformed",
                "The authorization header is malformed; Invalid credential date. Date is not the same as X-Amz-Date."
                    .into(),
                vec![],
            ),
            F::MissingContentSha256 => (
                400,
                "InvalidRequest",
                "Missing required header for this request: x-amz-content-sha256".into(),
                vec![],
            ),
            F::ContentSha256Mismatch { claimed, computed } => (
                400,
                "XAmzContentSHA256Mismatch",
                "The provided 'x-amz-content-sha256' header does not match what was computed.".into(),
                vec![("ClientComputedContentSHA256", claimed.clone()), ("S3ComputedContentSHA256", computed.clone())],
            ),
            F::Expired { request_time, expires_secs } => {
                let start = crate::sigv4::parse_amz_date(request_time).ok();
                let expires = start.map(|s| s.plus_secs(i64::try_from(*expires_secs).unwrap_or(0)).to_iso8601());
                (
                    403,
                    "AccessDenied",
                    "Request has expired".into(),
                    vec![
                        ("X-Amz-Expires", expires_secs.to_string()),
                        ("Expires", expires.unwrap_or_default()),
                        ("ServerTime", ctx.now.to_iso8601()),
                    ],
                )
            }
            F::RequestTimeTooSkewed { request_time, .. } | F::NotYetValid { request_time } => (
                403,
                "RequestTimeTooSkewed",
                "The difference between the request time and the current time is too large.".into(),
                vec![
                    ("RequestTime", request_time.clone()),
                    ("ServerTime", ctx.now.to_iso8601()),
                    ("MaxAllowedSkewMilliseconds", (ctx.options.max_skew_secs * 1000).to_string()),
                ],
            ),
            F::ExpiresTooLarge(_) => (
                400,
                "AuthorizationQueryParametersError",
                "X-Amz-Expires must be less than a week (in seconds) that is 604800".into(),
                vec![],
            ),
            other => {
                let presigned = matches!(other, F::MissingQueryParameter(_) | F::MalformedQueryParameter { .. })
                    || req.query.get("X-Amz-Algorithm").is_some();
                let detail = messages::incomplete(other, None, has_date(req));
                if presigned {
                    (400, "AuthorizationQueryParametersError", detail, vec![])
                } else {
                    (
                        400,
                        "AuthorizationHeaderMalformed",
                        format!("The authorization header is malformed; {detail}"),
                        vec![],
                    )
                }
            }
        },
    };
    let mut root = Element::new("Error").leaf("Code", code).leaf("Message", message);
    for (name, value) in extra {
        root = root.leaf(name, value);
    }
    let root = root.leaf("RequestId", ctx.request_id).leaf("HostId", host_id(ctx.request_id));
    Rendered {
        status,
        code,
        content_type: "application/xml".to_owned(),
        headers: s3_headers(ctx.request_id),
        body: root.to_document(),
    }
}
