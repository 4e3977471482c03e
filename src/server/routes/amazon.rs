//! The handler for every Amazon request, IO only: read the request (bounded), hand it to
//! the one pure pipeline ([`crate::services::pipeline::process`]), send the outcome
//! (gzip when asked), journal it, log one line.

use super::super::AppState;
use crate::clock::UtcTime;
use crate::journal::{JournalEntry, Received};
use crate::request::Scheme;
use crate::services::pipeline::UploadPlan;
use crate::services::pipeline::{self, BodyPlan, ChunkedBody, DecodedBody, PipelineLimits, Processed, RawRequest};
use crate::services::{self, Ctx, Outcome};
use crate::sigv4::streaming::StreamingError;
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::sync::{Arc, Mutex, PoisonError};

/// The response header that carries the diagnosis of a signature mismatch.
pub(crate) const DIAGNOSIS_HEADER: &str = "x-amzsig-diagnosis";

/// A signature mismatch explained, as the header and the log line show it.
struct Explanation {
    /// The `x-amzsig-diagnosis` value (mistake ids, or `unknown`).
    header: String,
    /// The full text, for the log.
    text: String,
    /// The pipeline's diagnosis, for the journal.
    whole: Arc<crate::diagnose::Diagnosis>,
}

/// Calls `f` with the services' context for a request read at `now` with `request_id`.
fn with_ctx<T>(state: &AppState, now: UtcTime, request_id: &str, f: impl FnOnce(&Ctx<'_>) -> T) -> T {
    let keys = state.keystore.read().unwrap_or_else(PoisonError::into_inner);
    let ctx = Ctx {
        keys: &keys,
        catalogue: &state.catalogue,
        now,
        options: &state.options,
        request_id,
        throttle: &state.buckets,
        signing_keys: Some(&state.signing_keys),
        s3: Some(&state.s3),
    };
    f(&ctx)
}

fn pipeline_limits(state: &AppState) -> PipelineLimits {
    PipelineLimits { max_params: state.limits.max_params, max_upload_bytes: state.limits.max_upload_bytes }
}

/// How the HTTP layer takes a request's body ([`intake`]).
// One per request, matched once.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Intake {
    /// Read it whole, up to `limit` bytes; `upload`: an S3 upload (over the limit: S3's
    /// `EntityTooLarge`, and the limit is on the time between pieces, not the whole body).
    Whole { limit: u64, upload: bool },
    /// An aws-chunked upload, decoded as it arrives.
    Chunked(ChunkedIntake),
    /// Answered from the head.
    Refused(Option<Planned>),
}

/// A request whose body the HTTP layer took as the pipeline planned it from the head (an
/// aws-chunked upload, a refused head, an upload over the limit): the time and request id
/// it was judged with, and what the pipeline still needs.
#[derive(Debug)]
pub(crate) struct Planned {
    now: UtcTime,
    request_id: String,
    answer: PlannedAnswer,
}

#[derive(Debug)]
// One per request, moved once; boxing would add an allocation to every planned answer.
#[allow(clippy::large_enum_variant)]
enum PlannedAnswer {
    /// Answered from the head.
    Processed(Processed),
    /// The decoded body, or the streaming rule it broke.
    Chunked(Result<DecodedBody, StreamingError>),
}

/// A [`Planned`] request in the request's extensions (which want `Clone`: the slot is
/// shared, and taken once by [`handle`]).
#[derive(Debug, Clone)]
pub(crate) struct PlannedSlot(Arc<Mutex<Option<Planned>>>);

impl PlannedSlot {
    pub(crate) fn new(planned: Planned) -> Self {
        Self(Arc::new(Mutex::new(Some(planned))))
    }

    fn take(&self) -> Option<Planned> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}

/// An aws-chunked upload being read. Its payload cannot pass the upload limit: the
/// pipeline refuses an announced length over it, and the decoder a chunk past the announced
/// length.
pub(crate) struct ChunkedIntake {
    now: UtcTime,
    request_id: String,
    state: ChunkedState,
}

// One per upload, replaced in place.
#[allow(clippy::large_enum_variant)]
enum ChunkedState {
    Reading(ChunkedBody),
    Decoded(DecodedBody),
    Refused(StreamingError),
}

impl ChunkedIntake {
    /// Takes the next piece of the body (ignored once the body is refused).
    pub(crate) fn feed(&mut self, piece: &[u8]) {
        if let ChunkedState::Reading(body) = &mut self.state {
            if let Err(e) = body.feed(piece) {
                self.state = ChunkedState::Refused(e);
            }
        }
    }

    /// True once the body broke a rule.
    pub(crate) fn failed(&self) -> bool {
        matches!(self.state, ChunkedState::Refused(_))
    }

    /// The body has ended.
    pub(crate) fn end(&mut self) {
        let state = std::mem::replace(&mut self.state, ChunkedState::Refused(StreamingError::Incomplete("")));
        self.state = match state {
            ChunkedState::Reading(body) => match body.finish() {
                Ok(decoded) => ChunkedState::Decoded(decoded),
                Err(e) => ChunkedState::Refused(e),
            },
            done => done,
        };
    }

    /// What the handler needs to answer.
    pub(crate) fn into_planned(self) -> Planned {
        let answer = match self.state {
            ChunkedState::Decoded(decoded) => Ok(decoded),
            ChunkedState::Refused(e) => Err(e),
            ChunkedState::Reading(_) => Err(StreamingError::Incomplete("the body ended before its final chunk")),
        };
        Planned { now: self.now, request_id: self.request_id, answer: PlannedAnswer::Chunked(answer) }
    }
}

/// How the HTTP layer takes the body of the request whose head is `parts`: an aws-chunked
/// upload is planned from its head by the pipeline ([`services::pipeline::plan_body`]:
/// authenticated, then decoded as it arrives); an S3 upload (asked only when the body may
/// pass the ordinary limit, `maybe_over`) may be as large as [`Limits::max_upload_bytes`].
///
/// [`Limits::max_upload_bytes`]: crate::server::Limits::max_upload_bytes
pub(crate) fn intake(state: &AppState, parts: &Parts, maybe_over: bool) -> Intake {
    let ordinary = Intake::Whole { limit: state.limits.max_body_bytes as u64, upload: false };
    let streaming = header_str(&parts.headers, HeaderName::from_static("x-amz-content-sha256"))
        .is_some_and(|v| v.trim_start().starts_with("STREAMING-"));
    let upload_methods = matches!(parts.method.as_str(), "PUT" | "POST");
    if !(streaming || maybe_over && upload_methods) {
        return ordinary;
    }
    let headers = header_list(&parts.headers);
    let target = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
    let scheme = parts.extensions.get::<Scheme>().copied().unwrap_or(Scheme::Http);
    let raw = RawRequest { method: parts.method.as_str(), scheme, target, headers: &headers, body: b"" };
    let limits = pipeline_limits(state);
    if !streaming {
        // Asked without a request id (none is spent on a request answered later); a refused
        // head is judged again with the id its answer carries.
        let now = state.clock.now();
        return match with_ctx(state, now, "", |ctx| pipeline::plan_upload(&raw, ctx, &limits)) {
            UploadPlan::NotUpload => ordinary,
            UploadPlan::Upload => Intake::Whole { limit: state.limits.max_upload_bytes, upload: true },
            UploadPlan::Refused(_) => {
                let request_id = state.next_request_id();
                match with_ctx(state, now, &request_id, |ctx| pipeline::plan_upload(&raw, ctx, &limits)) {
                    UploadPlan::Refused(processed) => {
                        Intake::Refused(Some(Planned { now, request_id, answer: PlannedAnswer::Processed(processed) }))
                    }
                    _ => Intake::Whole { limit: state.limits.max_upload_bytes, upload: true },
                }
            }
        };
    }
    let (now, request_id) = (state.clock.now(), state.next_request_id());
    match with_ctx(state, now, &request_id, |ctx| pipeline::plan_body(&raw, ctx, &limits)) {
        BodyPlan::Whole => Intake::Whole { limit: state.limits.max_body_bytes as u64, upload: false },
        BodyPlan::Refused(processed) => {
            Intake::Refused(Some(Planned { now, request_id, answer: PlannedAnswer::Processed(processed) }))
        }
        BodyPlan::Chunked(body) => {
            Intake::Chunked(ChunkedIntake { now, request_id, state: ChunkedState::Reading(body) })
        }
    }
}

/// The answer to an S3 upload over [`Limits::max_upload_bytes`]: S3's `EntityTooLarge`.
///
/// [`Limits::max_upload_bytes`]: crate::server::Limits::max_upload_bytes
pub(crate) fn too_large(state: &AppState) -> Planned {
    let error = StreamingError::TooLarge { limit: state.limits.max_upload_bytes };
    Planned { now: state.clock.now(), request_id: state.next_request_id(), answer: PlannedAnswer::Chunked(Err(error)) }
}

pub(crate) async fn handle(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let planned = parts.extensions.get::<PlannedSlot>().and_then(PlannedSlot::take);
    let (now, request_id) = match &planned {
        Some(p) => (p.now, p.request_id.clone()),
        None => (state.clock.now(), state.next_request_id()),
    };
    let method = parts.method.as_str();
    let host = header_str(&parts.headers, header::HOST).unwrap_or_default();
    let path = parts.uri.path();
    let query = parts.uri.query().unwrap_or("");
    // The HTTP layer (`server::listener`) has already enforced the limit; this covers `oneshot` use.
    // (The listener allows S3 uploads up to `max_upload_bytes`.)
    let limit = state.limits.max_body_bytes.max(usize::try_from(state.limits.max_upload_bytes).unwrap_or(usize::MAX));
    let Ok(body) = to_bytes(body, limit).await else {
        return plain(StatusCode::PAYLOAD_TOO_LARGE, "request body too large\n");
    };
    // An aws-chunked upload's journal entry shows its decoded payload.
    let answer = planned.map(|p| p.answer);
    let journal_body: &[u8] = match &answer {
        Some(PlannedAnswer::Chunked(Ok(decoded))) => &decoded.data,
        _ => &body,
    };
    let received = Received { time: now, request_id: &request_id, method, host, path, query, body: journal_body };

    let gzip = accepts_gzip(&parts.headers);
    let headers = header_list(&parts.headers);
    let target = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
    // The listener marks each request with its connection's scheme (HTTPS on a TLS
    // listener); `oneshot` callers without one are plain HTTP.
    let scheme = parts.extensions.get::<Scheme>().copied().unwrap_or(Scheme::Http);
    let raw = RawRequest { method, scheme, target, headers: &headers, body: &body };
    let limits = pipeline_limits(&state);
    let processed = match &answer {
        Some(PlannedAnswer::Processed(p)) => p.clone(),
        Some(PlannedAnswer::Chunked(decoded)) => {
            with_ctx(&state, now, &request_id, |ctx| pipeline::process_chunked(&raw, decoded, ctx, &limits))
        }
        None => with_ctx(&state, now, &request_id, |ctx| pipeline::process_shared(&raw, Some(&body), ctx, &limits)),
    };
    let (status, response, record, diagnosis) = match processed {
        Processed::Answered { mut outcome, explanation } => {
            let diagnosis =
                explanation.map(|e| Explanation { header: e.header_value(), text: e.to_string(), whole: Arc::new(e) });
            if let Some(d) = &diagnosis {
                outcome.headers.push((DIAGNOSIS_HEADER.to_owned(), d.header.clone()));
            }
            let Outcome { status, content_type, headers, body, object, record } = outcome;
            // An object goes out as stored: never compressed (it may carry its own
            // Content-Encoding), never copied.
            let body = match object {
                Some(bytes) => Payload::Object(bytes),
                None => Payload::Text(body),
            };
            (status, render(status, &content_type, headers, body, gzip), Some(record), diagnosis)
        }
        Processed::NoService => {
            let message = format!("no Amazon service at {host}{path}\n");
            (StatusCode::NOT_FOUND.as_u16(), plain(StatusCode::NOT_FOUND, message), None, None)
        }
    };
    // The entry redacts a presigned URL's session token from the query (a secret).
    let mut entry = JournalEntry::new(&received, status, record);
    if let Some(d) = &diagnosis {
        let text = d.text.replace('\n', " | ");
        let text = services::aws::redact_session_token(&text);
        tracing::info!(target: "amzsig::diagnosis", "{method} {host}{path}: {text}");
    }
    if let Some(d) = diagnosis {
        entry.diagnosis = Some(d.header);
        entry.explanation = Some(d.whole);
    }
    tracing::info!(
        target: "amzsig::request",
        "{method} {host}{path} -> {status} {} {} {} {}",
        entry.service.map_or("-", services::ServiceKind::name),
        entry.operation.as_deref().unwrap_or("-"),
        entry.access_key_id.as_deref().unwrap_or("-"),
        entry.error_code.as_deref().unwrap_or("ok"),
    );
    state.journal.push(entry);
    response
}

/// Every header as received, in order (names as the HTTP layer gives them: lowercase).
fn header_list(headers: &HeaderMap) -> Vec<(String, String)> {
    headers.iter().map(|(n, v)| (n.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned())).collect()
}

fn header_str(headers: &HeaderMap, name: HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// True when the client accepts a gzip-encoded body (Amazon's front ends compress when
/// asked; some clients, e.g. bottlenose, read `Content-Encoding` unconditionally).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    header_str(headers, header::ACCEPT_ENCODING).is_some_and(|v| {
        v.split(',').any(|c| {
            let mut parts = c.trim().split(';');
            parts.next().is_some_and(|name| name.trim().eq_ignore_ascii_case("gzip"))
                && !parts.any(|q| q.trim().replace(' ', "") == "q=0")
        })
    })
}

fn gzip_bytes(body: &[u8]) -> Option<Vec<u8>> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::with_capacity(body.len() / 3), flate2::Compression::fast());
    enc.write_all(body).ok()?;
    enc.finish().ok()
}

/// What an answer's body is.
enum Payload {
    /// A service's text (XML, JSON): compressed when the client accepts gzip.
    Text(String),
    /// An S3 object's bytes, sent as stored.
    Object(bytes::Bytes),
}

fn render(status: u16, content_type: &str, headers: Vec<(String, String)>, body: Payload, gzip: bool) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let (body, encoded) = match body {
        Payload::Object(bytes) => (Body::from(bytes), false),
        Payload::Text(text) => match if gzip { gzip_bytes(text.as_bytes()) } else { None } {
            Some(compressed) => (Body::from(compressed), true),
            None => (Body::from(text), false),
        },
    };
    let mut response = (status, body).into_response();
    let h = response.headers_mut();
    if encoded {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    if !content_type.is_empty() {
        if let Ok(v) = HeaderValue::from_str(content_type) {
            h.insert(header::CONTENT_TYPE, v);
        }
    }
    for (name, value) in headers {
        if let (Ok(n), Ok(v)) = (HeaderName::try_from(name), HeaderValue::from_str(&value)) {
            h.append(n, v);
        }
    }
    response
}

fn plain(status: StatusCode, message: impl Into<String>) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], message.into()).into_response()
}
