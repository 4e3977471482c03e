//! The admin API under `/__amzsig/`: read or clear the journal, rotate a key, change a
//! key's status, authorise or revoke a developer for a seller, reset the throttle. Only
//! loopback peers may call it unless the config says `admin: any`. Secrets go in request
//! bodies and are never echoed.
//!
//! | method | path | body (form) |
//! |---|---|---|
//! | GET / DELETE | `/__amzsig/requests` | |
//! | GET | `/__amzsig/health` | |
//! | POST | `/__amzsig/keys/{id}/rotate` | `secret=…` |
//! | POST | `/__amzsig/keys/{id}/status` | `status=active\|inactive\|deleted` |
//! | POST | `/__amzsig/sellers/{seller}/authorizations` | `developer_id=…&mws_auth_token=…` |
//! | DELETE | `/__amzsig/sellers/{seller}/authorizations/{developer_id}` | |
//! | POST | `/__amzsig/throttle/reset` | |
//! | POST | `/__amzsig/reset` | | (journal, throttle, keystore as loaded)

use super::super::{AdminAccess, AppState};
use crate::crypto::SecretKey;
use crate::encoding::{parse_query, PlusMeans};
use crate::keystore::{AdminError, KeyStatus};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::Router;
use std::net::SocketAddr;
use std::sync::Arc;

pub(crate) fn router(state: Arc<AppState>) -> Router<Arc<AppState>> {
    Router::new()
        .route("/__amzsig/requests", get(journal).delete(clear_journal))
        .route("/__amzsig/health", get(|| async { "ok\n" }))
        .route("/__amzsig/keys/{id}/rotate", post(rotate))
        .route("/__amzsig/keys/{id}/status", post(set_status))
        .route("/__amzsig/sellers/{seller}/authorizations", post(authorize))
        .route("/__amzsig/sellers/{seller}/authorizations/{developer}", delete(revoke))
        .route("/__amzsig/throttle/reset", post(reset_throttle))
        .route("/__amzsig/reset", post(reset))
        .route_layer(middleware::from_fn_with_state(state, loopback_only))
}

async fn loopback_only(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let allowed = state.admin == AdminAccess::Any || peer.is_some_and(|ip| ip.is_loopback());
    if allowed {
        next.run(request).await
    } else {
        text(
            StatusCode::FORBIDDEN,
            "the admin API answers loopback peers only (serve --admin any, AMZSIG_ADMIN=any, or config admin: any)\n",
        )
    }
}

async fn journal(State(state): State<Arc<AppState>>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], state.journal.to_json()).into_response()
}

async fn clear_journal(State(state): State<Arc<AppState>>) -> StatusCode {
    state.journal.clear();
    StatusCode::NO_CONTENT
}

async fn reset_throttle(State(state): State<Arc<AppState>>) -> StatusCode {
    state.reset_throttle();
    StatusCode::NO_CONTENT
}

async fn reset(State(state): State<Arc<AppState>>) -> StatusCode {
    state.reset();
    StatusCode::NO_CONTENT
}

#[allow(clippy::result_large_err)] // the error is the response to send; handlers return it at once
fn form_field(body: &[u8], name: &str) -> Result<String, Response> {
    let params = parse_query(body, PlusMeans::Space)
        .map_err(|e| text(StatusCode::BAD_REQUEST, format!("malformed form body: {e}\n")))?;
    params
        .get(name)
        .map(str::to_owned)
        .ok_or_else(|| text(StatusCode::BAD_REQUEST, format!("missing form field '{name}'\n")))
}

fn admin_result(r: Result<(), AdminError>) -> Response {
    match r {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => text(StatusCode::NOT_FOUND, format!("{e}\n")),
    }
}

async fn rotate(State(state): State<Arc<AppState>>, Path(id): Path<String>, body: Bytes) -> Response {
    let secret = match form_field(&body, "secret") {
        Ok(s) if !s.is_empty() => SecretKey::new(s),
        Ok(_) => return text(StatusCode::BAD_REQUEST, "empty secret\n"),
        Err(r) => return r,
    };
    admin_result(state.with_keystore_mut(|k| k.rotate_key(&id, secret)))
}

async fn set_status(State(state): State<Arc<AppState>>, Path(id): Path<String>, body: Bytes) -> Response {
    let status = match form_field(&body, "status") {
        Ok(s) if s == "active" => KeyStatus::Active,
        Ok(s) if s == "inactive" => KeyStatus::Inactive,
        Ok(s) if s == "deleted" => KeyStatus::Deleted,
        Ok(other) => {
            return text(StatusCode::BAD_REQUEST, format!("status '{other}' is not active, inactive or deleted\n"))
        }
        Err(r) => return r,
    };
    admin_result(state.with_keystore_mut(|k| k.set_key_status(&id, status)))
}

async fn authorize(State(state): State<Arc<AppState>>, Path(seller): Path<String>, body: Bytes) -> Response {
    let (dev, token) = match (form_field(&body, "developer_id"), form_field(&body, "mws_auth_token")) {
        (Ok(d), Ok(t)) => (d, t),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    admin_result(state.with_keystore_mut(|k| k.authorize(&seller, &dev, &token)))
}

async fn revoke(State(state): State<Arc<AppState>>, Path((seller, developer)): Path<(String, String)>) -> Response {
    admin_result(state.with_keystore_mut(|k| k.revoke(&seller, &developer)))
}

fn text(status: StatusCode, message: impl Into<String>) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], message.into()).into_response()
}
