//! The load benchmark's baseline: a bare axum server on loopback that answers every
//! request with the same body (a file's contents) and does nothing else. `benches/load.sh`
//! runs it beside `amzsig serve` so the two can be compared in one run.
//!
//! Usage: `bare_server BODY_FILE [ADDR]` (default `127.0.0.1:0`); prints its base URL.

use axum::http::header;
use axum::response::IntoResponse;
use axum::Router;
use std::net::SocketAddr;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let body_file = args.next().expect("usage: bare_server BODY_FILE [ADDR]");
    let addr: SocketAddr = args.next().as_deref().unwrap_or("127.0.0.1:0").parse().expect("a socket address");
    assert!(addr.ip().is_loopback(), "the baseline listens on loopback only");
    let body: &'static str =
        Box::leak(std::fs::read_to_string(body_file).expect("readable body file").into_boxed_str());
    let app = Router::new()
        .fallback(move || async move { ([(header::CONTENT_TYPE, "text/xml;charset=UTF-8")], body).into_response() });
    let listener = tokio::net::TcpListener::bind(addr).await.expect("bind");
    println!("http://{}", listener.local_addr().expect("bound"));
    axum::serve(listener, app).await.expect("serve");
}
