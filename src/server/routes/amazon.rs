//! The handler for every Amazon request: read the request (bounded), pick the service,
//! call its pure `handle`, send the outcome, journal it, log one line.

use super::super::AppState;
use crate::diagnose::{diagnose, Diagnosis};
use crate::encoding::{parse_query, ParamList, PlusMeans};
use crate::journal::{JournalEntry, Received};
use crate::keystore::Keystore;
use crate::request::{RequestView, Scheme};
use crate::services::{self, Ctx, Outcome, Route, ServiceRequest};
use crate::sigv2::{KeyState, SecretLookup, SignatureMethod, VerifyFailure};
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::sync::{Arc, PoisonError};

/// The response header that carries the diagnosis of a signature mismatch.
pub(crate) const DIAGNOSIS_HEADER: &str = "x-amzsig-diagnosis";

/// Largest body read (larger bodies are refused with 413).
pub(crate) const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

pub(crate) async fn handle(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let now = state.clock.now();
    let request_id = state.next_request_id();
    let method = parts.method.as_str().to_owned();
    let host = header_str(&parts.headers, header::HOST).unwrap_or_default().to_owned();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().unwrap_or("").to_owned();
    let Ok(body) = to_bytes(body, MAX_BODY_BYTES).await else {
        return plain(StatusCode::PAYLOAD_TOO_LARGE, "request body too large\n");
    };
    let received = Received {
        time: now.to_iso8601_millis(),
        request_id: &request_id,
        method: &method,
        host: &host,
        path: &path,
        query: &query,
        body: &body,
    };

    let gzip = accepts_gzip(&parts.headers);
    let (status, response, record, diagnosis) = match answer(&state, &parts.headers, &received, now) {
        Ok((mut outcome, diagnosis)) => {
            if let Some(d) = &diagnosis {
                outcome.headers.push((DIAGNOSIS_HEADER.to_owned(), d.header_value()));
            }
            let status = outcome.status;
            let record = outcome.record.clone();
            (status, render(outcome, gzip), Some(record), diagnosis)
        }
        Err((status, message)) => (status.as_u16(), plain(status, message), None, None),
    };
    let mut entry = JournalEntry::new(&received, status, record.as_ref());
    entry.diagnosis = diagnosis.as_ref().map(Diagnosis::header_value);
    if let Some(d) = &diagnosis {
        tracing::info!(target: "amzsig::diagnosis", "{method} {host}{path}: {}", d.to_string().replace('\n', " | "));
    }
    tracing::info!(
        target: "amzsig::request",
        "{method} {host}{path} -> {status} {} {} {} {}",
        entry.service.map_or("-", |s| if s == services::ServiceKind::Paapi { "paapi" } else { "mws" }),
        entry.operation.as_deref().unwrap_or("-"),
        entry.access_key_id.as_deref().unwrap_or("-"),
        entry.error_code.as_deref().unwrap_or("ok"),
    );
    state.journal.push(entry);
    response
}

fn answer(
    state: &AppState,
    headers: &HeaderMap,
    received: &Received<'_>,
    now: crate::clock::UtcTime,
) -> Result<(Outcome, Option<Diagnosis>), (StatusCode, String)> {
    let route = services::dispatch(received.host, received.path, &state.options)
        .ok_or_else(|| (StatusCode::NOT_FOUND, format!("no Amazon service at {}{}\n", received.host, received.path)))?;
    let query = match parse_query(received.query.as_bytes(), PlusMeans::Space) {
        Ok(q) => q,
        Err(e) => {
            return Ok((services::malformed(&route, received.request_id, &format!("{e} of the query string")), None))
        }
    };
    let content_type = header_str(headers, header::CONTENT_TYPE);
    let form = content_type.is_some_and(|c| c.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"));
    let params = if form {
        let mut all = query.clone();
        match parse_query(received.body, PlusMeans::Space) {
            Ok(body) => all.0.extend(body.0),
            Err(e) => {
                return Ok((services::malformed(&route, received.request_id, &format!("{e} of the form body")), None))
            }
        }
        all
    } else {
        query.clone()
    };
    Ok(run_service(state, headers, received, now, &route, &params, &query, content_type))
}

#[allow(clippy::too_many_arguments)]
fn run_service(
    state: &AppState,
    headers: &HeaderMap,
    received: &Received<'_>,
    now: crate::clock::UtcTime,
    route: &Route,
    params: &ParamList,
    query: &ParamList,
    content_type: Option<&str>,
) -> (Outcome, Option<Diagnosis>) {
    let keys = state.keystore.read().unwrap_or_else(PoisonError::into_inner);
    let ctx = Ctx {
        keys: &keys,
        catalogue: &state.catalogue,
        now,
        options: &state.options,
        request_id: received.request_id,
        throttle: &state.buckets,
    };
    let req = ServiceRequest {
        view: RequestView {
            method: received.method,
            scheme: Scheme::Http,
            host: received.host,
            path: received.path,
            params,
        },
        query,
        body: received.body,
        content_type,
        content_md5: header_str(headers, HeaderName::from_static("content-md5")),
        user_agent: header_str(headers, header::USER_AGENT),
    };
    let outcome = services::handle(route, &ctx, &req);
    let diagnosis = diagnose_failure(&keys, &outcome, &req.view);
    (outcome, diagnosis)
}

/// When the signature did not match, find the signer mistake that explains it.
fn diagnose_failure(keys: &Keystore, outcome: &Outcome, view: &RequestView<'_>) -> Option<Diagnosis> {
    let signature_failed = matches!(
        outcome.record.failure,
        Some(
            VerifyFailure::Mismatch { .. }
                | VerifyFailure::SignatureWrongLength { .. }
                | VerifyFailure::SignatureNotBase64 { .. }
        )
    );
    if !signature_failed {
        return None;
    }
    let KeyState::Active(secret) = keys.lookup(view.params.get("AWSAccessKeyId")?) else { return None };
    Some(diagnose(view, secret, SignatureMethod::HmacSha256))
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

fn render(outcome: Outcome, gzip: bool) -> Response {
    let status = StatusCode::from_u16(outcome.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let compressed = if gzip { gzip_bytes(outcome.body.as_bytes()) } else { None };
    let encoded = compressed.is_some();
    let body = compressed.map_or_else(|| Body::from(outcome.body), Body::from);
    let mut response = (status, body).into_response();
    let h = response.headers_mut();
    if encoded {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    if let Ok(v) = HeaderValue::from_str(&outcome.content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    for (name, value) in outcome.headers {
        if let (Ok(n), Ok(v)) = (HeaderName::try_from(name), HeaderValue::from_str(&value)) {
            h.append(n, v);
        }
    }
    response
}

fn plain(status: StatusCode, message: impl Into<String>) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], message.into()).into_response()
}
