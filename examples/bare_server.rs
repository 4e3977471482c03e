//! The load benchmark's baselines: a bare axum server on loopback that does as little as
//! possible per request. `benches/load.sh` runs it beside `amzsig serve` so they can be
//! compared in one run.
//!
//! - `static` (the baseline): answers every request with the same body (a file's
//!   contents) and does nothing else.
//! - `service` (the floor for a real XML body): calls the one request pipeline
//!   ([`amzsig::services::pipeline::process`]: routing, query parsing, SigV2 verification,
//!   catalogue lookup, XML rendering, the diagnosis of a refusal) with the embedded
//!   keystore and catalogue, a fixed clock and no throttle, and sends its body; no
//!   journal, no log line, no request-id sequence, no gzip.
//!   What `serve` adds on top of this is the server shell's cost.
//! - `naive-sigv2` (`benches/ratios.sh`'s baseline for PA-API): parses the query with the
//!   crate's own parser ([`amzsig::encoding::parse_query`]), verifies the SigV2 signature
//!   ([`amzsig::sigv2::verify`], embedded keystore, fixed clock) and answers a small fixed
//!   XML body (200) or a small fixed error (403); no routing, service rules, catalogue,
//!   journal, log line or request id. `BODY_FILE` is not read (pass `-`).
//!
//! Usage: `bare_server BODY_FILE [ADDR] [static|service|naive-sigv2] [CLOCK]` (defaults `127.0.0.1:0`,
//! `static`, `fixed:2014-08-18T12:00:00Z`); prints its base URL.

use amzsig::clock::{Clock, UtcTime};
use amzsig::encoding::{parse_query, PlusMeans};
use amzsig::request::{RequestView, Scheme};
use amzsig::server::ServerConfig;
use amzsig::services::pipeline::{process, PipelineLimits, Processed, RawRequest};
use amzsig::services::{Ctx, Unlimited};
use amzsig::sigv2::{self, VerifyPolicy};
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::net::SocketAddr;
use std::sync::Arc;

// The same allocator as the `amzsig` binary, so the two compare like for like.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// What the `service` baseline needs.
struct Service {
    config: ServerConfig,
    now: UtcTime,
}

const REQUEST_ID: &str = "e220a839-7b1d-4daf-ae78-9e6aa1b965f4";

async fn service(State(s): State<Arc<Service>>, request: Request) -> Response {
    let (parts, _) = request.into_parts();
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(n, v)| (n.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    let target = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
    let raw = RawRequest { method: parts.method.as_str(), scheme: Scheme::Http, target, headers: &headers, body: b"" };
    let ctx = Ctx {
        keys: &s.config.keystore,
        catalogue: &s.config.catalogue,
        now: s.now,
        options: &s.config.options,
        request_id: REQUEST_ID,
        throttle: &Unlimited,
        signing_keys: None,
        s3: None,
    };
    let Processed::Answered { outcome, .. } = process(&raw, &ctx, &PipelineLimits::default()) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let status = StatusCode::from_u16(outcome.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, [(header::CONTENT_TYPE, "text/xml;charset=UTF-8")], outcome.body).into_response()
}

/// The `naive-sigv2` answers: small, fixed, no catalogue.
const NAIVE_OK: &str = "<?xml version=\"1.0\"?>\n<ItemSearchResponse><Items><Request><IsValid>True</IsValid></Request></Items></ItemSearchResponse>";
const NAIVE_REFUSED: &str = "<?xml version=\"1.0\"?>\n<ItemSearchErrorResponse><Error><Code>SignatureDoesNotMatch</Code></Error></ItemSearchErrorResponse>";

async fn naive_sigv2(State(s): State<Arc<Service>>, request: Request) -> Response {
    let (parts, _) = request.into_parts();
    let host = parts.headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let Ok(params) = parse_query(parts.uri.query().unwrap_or("").as_bytes(), PlusMeans::Space) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let view = RequestView {
        method: parts.method.as_str(),
        scheme: Scheme::Http,
        host,
        path: parts.uri.path(),
        params: &params,
    };
    let (status, body) = match sigv2::verify(
        &view,
        &s.config.keystore.family(amzsig::keystore::Family::Paapi),
        s.now,
        &VerifyPolicy::default(),
    ) {
        Ok(_) => (StatusCode::OK, NAIVE_OK),
        Err(_) => (StatusCode::FORBIDDEN, NAIVE_REFUSED),
    };
    (status, [(header::CONTENT_TYPE, "text/xml;charset=UTF-8")], body).into_response()
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let body_file = args.next().expect("usage: bare_server BODY_FILE [ADDR] [static|service|naive-sigv2] [CLOCK]");
    let addr: SocketAddr = args.next().as_deref().unwrap_or("127.0.0.1:0").parse().expect("a socket address");
    let mode = args.next().unwrap_or_else(|| "static".to_owned());
    let clock: Clock = args.next().as_deref().unwrap_or("fixed:2014-08-18T12:00:00Z").parse().expect("a clock");
    assert!(addr.ip().is_loopback(), "the baseline listens on loopback only");
    let app = match mode.as_str() {
        "static" => {
            let body: &'static str =
                Box::leak(std::fs::read_to_string(body_file).expect("readable body file").into_boxed_str());
            Router::new().fallback(move || async move {
                ([(header::CONTENT_TYPE, "text/xml;charset=UTF-8")], body).into_response()
            })
        }
        "service" => {
            let state = Arc::new(Service { config: ServerConfig::default(), now: clock.now() });
            Router::new().fallback(service).with_state(state)
        }
        "naive-sigv2" => {
            let state = Arc::new(Service { config: ServerConfig::default(), now: clock.now() });
            Router::new().fallback(naive_sigv2).with_state(state)
        }
        other => panic!("unknown mode {other}: static, service or naive-sigv2"),
    };
    let listener = tokio::net::TcpListener::bind(addr).await.expect("bind");
    println!("http://{}", listener.local_addr().expect("bound"));
    axum::serve(listener, app).await.expect("serve");
}
