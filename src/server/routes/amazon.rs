//! The handler for every Amazon request, IO only: read the request (bounded), hand it to
//! the one pure pipeline ([`crate::services::pipeline::process`]), send the outcome
//! (gzip when asked), journal it, log one line.

use super::super::AppState;
use crate::journal::{JournalEntry, Received};
use crate::request::Scheme;
use crate::services::pipeline::{process, PipelineLimits, Processed, RawRequest};
use crate::services::{self, Ctx, Outcome};
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::sync::{Arc, PoisonError};

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

pub(crate) async fn handle(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let now = state.clock.now();
    let request_id = state.next_request_id();
    let method = parts.method.as_str();
    let host = header_str(&parts.headers, header::HOST).unwrap_or_default();
    let path = parts.uri.path();
    let query = parts.uri.query().unwrap_or("");
    // The HTTP layer (`server::listener`) has already enforced the limit; this covers `oneshot` use.
    let Ok(body) = to_bytes(body, state.limits.max_body_bytes).await else {
        return plain(StatusCode::PAYLOAD_TOO_LARGE, "request body too large\n");
    };
    let received = Received { time: now, request_id: &request_id, method, host, path, query, body: &body };

    let gzip = accepts_gzip(&parts.headers);
    let headers = header_list(&parts.headers);
    let target = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
    let raw = RawRequest { method, scheme: Scheme::Http, target, headers: &headers, body: &body };
    let processed = {
        let keys = state.keystore.read().unwrap_or_else(PoisonError::into_inner);
        let ctx = Ctx {
            keys: &keys,
            catalogue: &state.catalogue,
            now,
            options: &state.options,
            request_id: &request_id,
            throttle: &state.buckets,
            signing_keys: Some(&state.signing_keys),
            s3: Some(&state.s3),
        };
        process(&raw, &ctx, &PipelineLimits { max_params: state.limits.max_params })
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
