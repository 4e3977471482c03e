//! The handler for every Amazon request: read the request (bounded), pick the service,
//! call its pure `handle`, send the outcome, journal it, log one line.

use super::super::AppState;
use crate::diagnose::{diagnose, Budget, Subject};
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

/// A signature mismatch explained (a `Diagnosis` of either scheme).
struct Explanation {
    /// The `x-amzsig-diagnosis` value (mistake ids, or `unknown`).
    header: String,
    /// The full text, for the log.
    text: String,
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
    let received =
        Received { time: now.to_iso8601_millis(), request_id: &request_id, method, host, path, query, body: &body };

    let gzip = accepts_gzip(&parts.headers);
    let (status, response, record, diagnosis) = match answer(&state, &parts.headers, &received, now) {
        Ok((mut outcome, diagnosis)) => {
            if let Some(d) = &diagnosis {
                outcome.headers.push((DIAGNOSIS_HEADER.to_owned(), d.header.clone()));
            }
            let status = outcome.status;
            let record = outcome.record.clone();
            (status, render(outcome, gzip), Some(record), diagnosis)
        }
        Err((status, message)) => (status.as_u16(), plain(status, message), None, None),
    };
    let mut entry = JournalEntry::new(&received, status, record.as_ref());
    // A presigned URL's session token is a secret: neither the journal nor the log keeps it.
    if let std::borrow::Cow::Owned(q) = services::aws::redact_session_token(&entry.query) {
        entry.query = q;
    }
    if let Some(d) = &diagnosis {
        let text = d.text.replace('\n', " | ");
        let text = services::aws::redact_session_token(&text);
        tracing::info!(target: "amzsig::diagnosis", "{method} {host}{path}: {text}");
    }
    entry.diagnosis = diagnosis.map(|d| d.header);
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

fn answer(
    state: &AppState,
    headers: &HeaderMap,
    received: &Received<'_>,
    now: crate::clock::UtcTime,
) -> Result<(Outcome, Option<Explanation>), (StatusCode, String)> {
    let header_list = header_list(headers);
    let key = services::RouteKey {
        method: received.method,
        host: received.host,
        path: received.path,
        query: received.query,
        headers: &header_list,
    };
    let route = services::dispatch(&key, &state.options)
        .ok_or_else(|| (StatusCode::NOT_FOUND, format!("no Amazon service at {}{}\n", received.host, received.path)))?;
    let query = match parse_query(received.query.as_bytes(), PlusMeans::Space) {
        Ok(q) => q,
        Err(e) => {
            return Ok((services::malformed(&route, received.request_id, &format!("{e} of the query string")), None))
        }
    };
    let content_type = header_str(headers, header::CONTENT_TYPE);
    let form = content_type.is_some_and(|c| c.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"));
    // Form POSTs sign query and body together; otherwise the query is the parameter list
    // (borrowed, not copied: this is every request's path).
    let with_form;
    let params = if form {
        let mut all = query.clone();
        match parse_query(received.body, PlusMeans::Space) {
            Ok(body) => all.0.extend(body.0),
            Err(e) => {
                return Ok((services::malformed(&route, received.request_id, &format!("{e} of the form body")), None))
            }
        }
        with_form = all;
        &with_form
    } else {
        &query
    };
    if params.len() > state.limits.max_params {
        let detail = format!("{} parameters, more than the {} accepted", params.len(), state.limits.max_params);
        return Ok((services::malformed(&route, received.request_id, &detail), None));
    }
    Ok(run_service(state, headers, &header_list, received, now, &route, params, &query, content_type))
}

/// Every header as received, in order (names as the HTTP layer gives them: lowercase).
fn header_list(headers: &HeaderMap) -> Vec<(String, String)> {
    headers.iter().map(|(n, v)| (n.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned())).collect()
}

#[allow(clippy::too_many_arguments)]
fn run_service(
    state: &AppState,
    headers: &HeaderMap,
    header_list: &[(String, String)],
    received: &Received<'_>,
    now: crate::clock::UtcTime,
    route: &Route,
    params: &ParamList,
    query: &ParamList,
    content_type: Option<&str>,
) -> (Outcome, Option<Explanation>) {
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
        headers: header_list,
    };
    let outcome = services::handle(route, &ctx, &req);
    let diagnosis = match services::v4_rules(route, &req) {
        Some(rules) => diagnose_failure_v4(&keys, &outcome, &req, &rules, state.options.max_skew_secs),
        None => diagnose_failure(&keys, &outcome, &req.view),
    };
    (outcome, diagnosis)
}

/// When the signature did not match, find the signer mistake that explains it.
fn diagnose_failure(keys: &Keystore, outcome: &Outcome, view: &RequestView<'_>) -> Option<Explanation> {
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
    let d = diagnose(Subject::V2 { view: *view, default_method: SignatureMethod::HmacSha256 }, secret, Budget::DEFAULT);
    Some(Explanation { header: d.header_value(), text: d.to_string() })
}

/// When a SigV4 signature did not match, find the signer mistake that explains it, with
/// the same rules the service verified with.
fn diagnose_failure_v4(
    keys: &Keystore,
    outcome: &Outcome,
    req: &ServiceRequest<'_>,
    rules: &services::V4Rules,
    max_skew_secs: i64,
) -> Option<Explanation> {
    if !matches!(outcome.record.failure_v4, Some(crate::sigv4::VerifyFailureV4::Mismatch { .. })) {
        return None;
    }
    let KeyState::Active(secret) = keys.lookup(outcome.record.access_key_id.as_deref()?) else { return None };
    let d =
        diagnose(Subject::V4 { request: req.signable(), policy: rules.policy(max_skew_secs) }, secret, Budget::DEFAULT);
    Some(Explanation { header: d.header_value(), text: d.to_string() })
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
