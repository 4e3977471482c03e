//! The accept loop and the HTTP/1.1 layer (hyper, one task per connection), with the
//! limits and timeouts of [`Limits`] that `axum::serve` does not expose.
//!
//! - Connections: at most `max_connections` are served at once; the accept loop waits for
//!   a free slot, so further clients queue in the kernel's listen backlog.
//! - Head: hyper refuses a head over `max_header_bytes` or with more than `max_headers`
//!   fields (431, hyper's automatic answer) and answers 400 to what it cannot parse.
//!   [`Guarded`] watches the bytes as they arrive: a request line whose target passes
//!   `max_uri_bytes` gets 414 before the rest is read; a head not complete
//!   `header_read_timeout` after its first byte (after the accept, for a connection's first
//!   request) gets 408 (slowloris); a connection idle for `keep_alive_timeout` between
//!   requests, or that sends nothing at all, is closed without an answer.
//! - Request: HTTP/1.1 without exactly one Host gets 400 (RFC 9112 §3.2: "A server MUST
//!   respond with a 400 (Bad Request) status code to any HTTP/1.1 request message that
//!   lacks a Host header field and to any request message that contains more than one
//!   Host header field"); a target over `max_uri_bytes` gets 414.
//! - Body: a `Content-Length` over `max_body_bytes` gets 413 before any body byte is read;
//!   a chunked body is cut off with 413 as soon as it passes the limit; a body not complete
//!   `body_read_timeout` after the head gets 408; a broken chunked encoding or a body cut
//!   short gets 400. Each of these answers carries `Connection: close`.
//! - Close: after a refusal the write side is shut first and unread input is discarded for
//!   a short, bounded time (at most [`LINGER`], [`LINGER_BYTES`]), so the client reads the
//!   answer instead of a reset.
//! - TLS (feature `tls`, `serve --tls`): the handshake must complete within
//!   `header_read_timeout` of the accept (else the connection is closed without an
//!   answer: a client speaking plain HTTP to the TLS port gets its connection closed, not
//!   a hang), still holding one of the `max_connections` slots; then every limit above
//!   applies to the decrypted stream as it does to a plain one, and the pipeline is told
//!   the request came over HTTPS ([`Scheme::Https`], whose default port 443 host matching
//!   uses). A refusal written straight to the socket goes through TLS too, flushed by the
//!   close (`close_notify`) before the linger.
//! - Stop: the accept loop ends, every connection finishes its in-flight request (hyper's
//!   graceful shutdown) within `shutdown_grace`, then the rest are dropped.
//!
//! Requests refused here after their head was parsed are journaled (no service, verdict
//! refused) and logged like any other; refusals before a head exists are only logged.

use super::routes::amazon::Intake;
use super::{AppState, Limits};
use crate::journal::{JournalEntry, Received};
use crate::request::Scheme;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderValue, Request, Response, StatusCode, Version};
use axum::Router;
use hyper::body::{Body as _, Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::{service_fn, Service as _};
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, watch, Semaphore};
use tokio::task::JoinSet;
use tokio::time::{Instant, Sleep};

/// Longest time unread input is discarded after a refusal before the socket is closed.
pub(crate) const LINGER: Duration = Duration::from_millis(500);
/// Most bytes discarded after a refusal before the socket is closed.
pub(crate) const LINGER_BYTES: usize = 1024 * 1024;

/// What wraps each accepted connection in TLS (never built without feature `tls`).
#[cfg(feature = "tls")]
pub(crate) type Acceptor = tokio_rustls::TlsAcceptor;
/// What wraps each accepted connection in TLS (never built without feature `tls`).
#[cfg(not(feature = "tls"))]
#[derive(Clone)]
pub(crate) enum Acceptor {}

/// Serves `listener` (over TLS when `tls` is given) until `stop` fires (or its sender is
/// dropped), then drains.
pub(crate) async fn serve(
    listener: TcpListener,
    state: Arc<AppState>,
    router: Router,
    tls: Option<Acceptor>,
    stop: oneshot::Receiver<()>,
) {
    let limits = Arc::new(state.limits.clone());
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let (stop_all, stopping) = watch::channel(false);
    let mut connections = JoinSet::new();
    let mut stop = stop;
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot,
            _ = &mut stop => break,
        };
        let Ok(slot) = slot else { break };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = &mut stop => break,
        };
        let (stream, peer) = match accepted {
            Ok(pair) => pair,
            Err(e) => {
                // Out of file descriptors and the like: back off briefly rather than spin.
                tracing::warn!(target: "amzsig::server", "accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        while connections.try_join_next().is_some() {}
        let scheme = if tls.is_some() { Scheme::Https } else { Scheme::Http };
        let conn = Connection { state: state.clone(), router: router.clone(), limits: limits.clone(), peer, scheme };
        let stopping = stopping.clone();
        let tls = tls.clone();
        connections.spawn(async move {
            let _ = stream.set_nodelay(true);
            match tls {
                None => conn.run(stream, stopping).await,
                #[cfg(feature = "tls")]
                Some(acceptor) => conn.run_tls(&acceptor, stream, stopping).await,
                #[cfg(not(feature = "tls"))]
                Some(never) => match never {},
            }
            drop(slot);
        });
    }
    drop(listener);
    let _ = stop_all.send(true);
    let drained =
        tokio::time::timeout(limits.shutdown_grace, async { while connections.join_next().await.is_some() {} }).await;
    if drained.is_err() {
        tracing::warn!(target: "amzsig::server", "shutdown grace over: dropping {} connections", connections.len());
        connections.shutdown().await;
    }
}

/// What one connection's task needs.
struct Connection {
    state: Arc<AppState>,
    router: Router,
    limits: Arc<Limits>,
    peer: SocketAddr,
    /// `Https` on a TLS listener: the pipeline's default port for host matching.
    scheme: Scheme,
}

/// A connection's byte stream: a plain socket or TLS over one.
pub(crate) trait Socket: AsyncRead + AsyncWrite + Unpin + Send + 'static {
    /// The TCP socket underneath (to discard input after a refusal).
    fn tcp(&mut self) -> &mut TcpStream;
}

impl Socket for TcpStream {
    fn tcp(&mut self) -> &mut TcpStream {
        self
    }
}

#[cfg(feature = "tls")]
impl Socket for tokio_rustls::server::TlsStream<TcpStream> {
    fn tcp(&mut self) -> &mut TcpStream {
        self.get_mut().0
    }
}

/// State the connection's IO guard and its request handler share.
#[derive(Debug, Default)]
struct Shared {
    /// A request head has been parsed and its answer is not built yet.
    in_request: AtomicBool,
    /// Answers built so far (the guard starts a new head when this moves).
    answered: AtomicU64,
    /// A refusal was sent: linger before closing.
    refused: AtomicBool,
}

/// Marks a request in progress; dropping it marks the answer built.
struct InRequest<'a>(&'a Shared);

impl<'a> InRequest<'a> {
    fn begin(shared: &'a Shared) -> Self {
        shared.in_request.store(true, Ordering::SeqCst);
        Self(shared)
    }
}

impl Drop for InRequest<'_> {
    fn drop(&mut self) {
        self.0.answered.fetch_add(1, Ordering::SeqCst);
        self.0.in_request.store(false, Ordering::SeqCst);
    }
}

impl Connection {
    /// The TLS handshake, bounded by `header_read_timeout`, then [`Connection::run`] on the
    /// decrypted stream. A failed or slow handshake closes the connection without an answer.
    #[cfg(feature = "tls")]
    async fn run_tls(self, acceptor: &Acceptor, stream: TcpStream, stopping: watch::Receiver<bool>) {
        let peer = self.peer;
        let timeout = self.limits.header_read_timeout;
        match tokio::time::timeout(timeout, acceptor.accept(stream)).await {
            Ok(Ok(tls)) => self.run(tls, stopping).await,
            Ok(Err(e)) => tracing::info!(target: "amzsig::server", "{peer}: TLS handshake failed: {e}"),
            Err(_) => {
                let ms = timeout.as_millis();
                tracing::info!(target: "amzsig::server", "{peer}: TLS handshake not done within {ms} ms: closed");
            }
        }
    }

    async fn run<S: Socket>(self, mut stream: S, mut stopping: watch::Receiver<bool>) {
        let shared = Arc::new(Shared::default());
        let limits = self.limits.clone();
        let peer = self.peer;
        let this = Arc::new(self);
        let handler_shared = shared.clone();
        let service = service_fn(move |request: Request<Incoming>| {
            let this = this.clone();
            let shared = handler_shared.clone();
            async move { Ok::<_, Infallible>(this.handle(request, &shared).await) }
        });
        let mut builder = http1::Builder::new();
        builder.keep_alive(true).half_close(true).header_read_timeout(None).max_header_size(limits.max_header_bytes);
        if limits.max_headers != 100 {
            // hyper's default; another value costs a heap allocation per request.
            builder.max_headers(limits.max_headers);
        }
        let guarded = Guarded::new(&mut stream, &limits, shared.clone(), peer);
        let conn = builder.serve_connection(TokioIo::new(guarded), service);
        tokio::pin!(conn);
        let result = tokio::select! {
            result = conn.as_mut() => result,
            _ = stopping.changed() => {
                conn.as_mut().graceful_shutdown();
                conn.as_mut().await
            }
        };
        if let Err(e) = &result {
            tracing::debug!(target: "amzsig::server", "{peer}: connection ended: {e}");
        }
        if result.is_err() || shared.refused.load(Ordering::SeqCst) {
            linger(&mut stream).await;
        }
    }

    /// Applies the request-level limits, reads the body, then hands over to the router.
    async fn handle(&self, request: Request<Incoming>, shared: &Shared) -> Response<Body> {
        let _busy = InRequest::begin(shared);
        let limits = &self.limits;
        let hosts = request.headers().get_all(header::HOST).iter().count();
        let target_len = request.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
        let refusal = if request.version() == Version::HTTP_11 && hosts == 0 {
            Some((StatusCode::BAD_REQUEST, "an HTTP/1.1 request must have a Host header\n".to_owned()))
        } else if hosts > 1 {
            Some((StatusCode::BAD_REQUEST, "more than one Host header\n".to_owned()))
        } else if target_len > limits.max_uri_bytes {
            Some((StatusCode::URI_TOO_LONG, format!("request target longer than {} bytes\n", limits.max_uri_bytes)))
        } else {
            None
        };
        let size_hint = request.body().size_hint().exact();
        let (mut parts, incoming) = request.into_parts();
        // The connection's scheme, for the head's plan (`intake`) and the handler.
        parts.extensions.insert(self.scheme);
        if let Some((status, message)) = refusal {
            return self.refuse(&parts, &[], status, message, shared);
        }
        // An Amazon request's head decides how its body is taken: an aws-chunked upload is
        // decoded as it arrives, an S3 upload may be as large as an object.
        let admin = parts.uri.path().starts_with("/__amzsig/");
        let intake = if admin {
            Intake::Whole { limit: limits.max_body_bytes as u64, upload: false }
        } else {
            let over = size_hint.is_none_or(|n| n > limits.max_body_bytes as u64);
            super::routes::amazon::intake(&self.state, &parts, over)
        };
        let body = match intake {
            Intake::Whole { limit, upload } => {
                if let Some(n) = size_hint.filter(|&n| n > limit) {
                    if upload {
                        let planned = Some(super::routes::amazon::too_large(&self.state));
                        drain(incoming, limits.max_body_bytes, limits.body_read_timeout).await;
                        shared.refused.store(true, Ordering::SeqCst);
                        return self.route(parts, planned, Bytes::new()).await;
                    }
                    let message = format!("request body of {n} bytes is larger than {limit} bytes\n");
                    return self.refuse(&parts, &[], StatusCode::PAYLOAD_TOO_LARGE, message, shared);
                }
                let read = if upload {
                    collect_idle(incoming, limit, size_hint, limits.body_read_timeout).await
                } else {
                    let max = usize::try_from(limit).unwrap_or(usize::MAX);
                    tokio::time::timeout(limits.body_read_timeout, collect(incoming, max)).await.ok()
                };
                match read {
                    Some(Ok(body)) => body,
                    Some(Err(BodyError::TooLarge(_))) if upload => {
                        let planned = Some(super::routes::amazon::too_large(&self.state));
                        shared.refused.store(true, Ordering::SeqCst);
                        return self.route(parts, planned, Bytes::new()).await;
                    }
                    Some(Err(BodyError::TooLarge(read))) => {
                        let message = format!("request body larger than {limit} bytes\n");
                        return self.refuse(&parts, &read, StatusCode::PAYLOAD_TOO_LARGE, message, shared);
                    }
                    Some(Err(BodyError::Broken(read, e))) => {
                        let message = format!("malformed request body: {e}\n");
                        return self.refuse(&parts, &read, StatusCode::BAD_REQUEST, message, shared);
                    }
                    None => {
                        let ms = limits.body_read_timeout.as_millis();
                        let message = format!("request body not received within {ms} ms\n");
                        return self.refuse(&parts, &[], StatusCode::REQUEST_TIMEOUT, message, shared);
                    }
                }
            }
            Intake::Refused(planned) => {
                // Answered from the head; the body is read and dropped (bounded), so the
                // client reads the answer rather than a reset.
                drain(incoming, limits.max_body_bytes, limits.body_read_timeout).await;
                shared.refused.store(true, Ordering::SeqCst);
                return self.route(parts, planned, Bytes::new()).await;
            }
            Intake::Chunked(mut chunked) => {
                match feed_chunked(incoming, &mut chunked, limits).await {
                    Ok(()) => {}
                    Err(FeedError::Timeout) => {
                        let ms = limits.body_read_timeout.as_millis();
                        let message = format!("request body not received within {ms} ms\n");
                        return self.refuse(&parts, &[], StatusCode::REQUEST_TIMEOUT, message, shared);
                    }
                    Err(FeedError::Broken(e)) => {
                        let message = format!("malformed request body: {e}\n");
                        return self.refuse(&parts, &[], StatusCode::BAD_REQUEST, message, shared);
                    }
                }
                if chunked.failed() {
                    shared.refused.store(true, Ordering::SeqCst);
                }
                return self.route(parts, Some(chunked.into_planned()), Bytes::new()).await;
            }
        };
        parts.extensions.insert(ConnectInfo(self.peer));
        parts.extensions.insert(self.scheme);
        let request = Request::from_parts(parts, Body::from(body));
        match TowerToHyperService::new(self.router.clone()).call(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        }
    }

    /// Hands a request whose body was taken here (planned from its head) to the router.
    async fn route(
        &self,
        mut parts: axum::http::request::Parts,
        planned: Option<super::routes::amazon::Planned>,
        body: Bytes,
    ) -> Response<Body> {
        parts.extensions.insert(ConnectInfo(self.peer));
        parts.extensions.insert(self.scheme);
        if let Some(planned) = planned {
            parts.extensions.insert(super::routes::amazon::PlannedSlot::new(planned));
        }
        let request = Request::from_parts(parts, Body::from(body));
        match TowerToHyperService::new(self.router.clone()).call(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        }
    }

    /// A plain-text refusal with `Connection: close`, journaled and logged.
    fn refuse(
        &self,
        parts: &axum::http::request::Parts,
        body: &[u8],
        status: StatusCode,
        message: String,
        shared: &Shared,
    ) -> Response<Body> {
        shared.refused.store(true, Ordering::SeqCst);
        let state = &self.state;
        let request_id = state.next_request_id();
        let host = parts.headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
        let query = parts.uri.query().unwrap_or("");
        // Keep the journal bounded: a refused target is kept up to the limit.
        let query = truncate(query, self.limits.max_uri_bytes);
        let received = Received {
            time: state.clock.now(),
            request_id: &request_id,
            method: parts.method.as_str(),
            host,
            path: truncate(parts.uri.path(), self.limits.max_uri_bytes),
            query,
            body,
        };
        state.journal.push(JournalEntry::new(&received, status.as_u16(), None));
        tracing::info!(
            target: "amzsig::request",
            "{} {host}{} -> {} (HTTP layer: {})",
            parts.method,
            received.path,
            status.as_u16(),
            message.trim_end()
        );
        refusal(status, message)
    }
}

/// A plain-text answer that closes the connection.
fn refusal(status: StatusCode, message: String) -> Response<Body> {
    let mut response = Response::new(Body::from(message));
    *response.status_mut() = status;
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    h.insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Why a body could not be read (with what had arrived, for the journal).
enum BodyError {
    TooLarge(Vec<u8>),
    Broken(Vec<u8>, hyper::Error),
}

enum FeedError {
    Timeout,
    Broken(hyper::Error),
}

/// Feeds an aws-chunked body to its decoder as it arrives (each piece within
/// `body_read_timeout` of the one before). Once the decoder refuses it, the rest is read
/// and dropped, up to `max_body_bytes`.
async fn feed_chunked(
    mut body: Incoming,
    chunked: &mut super::routes::amazon::ChunkedIntake,
    limits: &Limits,
) -> Result<(), FeedError> {
    let mut dropped = 0usize;
    loop {
        let next = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx));
        match tokio::time::timeout(limits.body_read_timeout, next).await {
            Err(_) => return Err(FeedError::Timeout),
            Ok(None) => {
                chunked.end();
                return Ok(());
            }
            Ok(Some(Err(e))) => return Err(FeedError::Broken(e)),
            Ok(Some(Ok(frame))) => {
                if let Ok(data) = frame.into_data() {
                    if chunked.failed() {
                        dropped += data.len();
                        if dropped > limits.max_body_bytes {
                            return Ok(());
                        }
                    } else {
                        chunked.feed(&data);
                    }
                }
            }
        }
    }
}

/// Reads and drops a body, up to `max` bytes or `timeout` between pieces.
async fn drain(mut body: Incoming, max: usize, timeout: Duration) {
    let mut total = 0usize;
    while total <= max {
        let next = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx));
        match tokio::time::timeout(timeout, next).await {
            Ok(Some(Ok(frame))) => total += frame.data_ref().map_or(0, Bytes::len),
            _ => return,
        }
    }
}

/// Reads a whole (upload) body of at most `max` bytes (`announced`: its Content-Length),
/// each piece within `idle` of the one before; `None` on a timeout.
async fn collect_idle(
    mut body: Incoming,
    max: u64,
    announced: Option<u64>,
    idle: Duration,
) -> Option<Result<Bytes, BodyError>> {
    // Reserved once at the announced length (within the limit): an object-sized body is
    // never copied to grow.
    let mut out: Vec<u8> = Vec::with_capacity(usize::try_from(announced.unwrap_or(0).min(max)).unwrap_or(0));
    loop {
        let next = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx));
        match tokio::time::timeout(idle, next).await {
            Err(_) => return None,
            Ok(None) => return Some(Ok(Bytes::from(out))),
            Ok(Some(Err(e))) => return Some(Err(BodyError::Broken(out, e))),
            Ok(Some(Ok(frame))) => {
                if let Ok(data) = frame.into_data() {
                    if (out.len() + data.len()) as u64 > max {
                        return Some(Err(BodyError::TooLarge(out)));
                    }
                    out.extend_from_slice(&data);
                }
            }
        }
    }
}

/// Reads the whole body, refusing it as soon as it passes `max` bytes.
async fn collect(mut body: Incoming, max: usize) -> Result<Bytes, BodyError> {
    let mut out: Vec<u8> = Vec::new();
    loop {
        match std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
            None => return Ok(Bytes::from(out)),
            Some(Err(e)) => return Err(BodyError::Broken(out, e)),
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    if out.len() + data.len() > max {
                        return Err(BodyError::TooLarge(out));
                    }
                    out.extend_from_slice(&data);
                }
            }
        }
    }
}

/// Shuts the write side (for TLS: sends what is buffered and `close_notify` first), then
/// discards input until the peer closes, [`LINGER`] passes or [`LINGER_BYTES`] have been
/// read.
async fn linger<S: Socket>(stream: &mut S) {
    // Bounded: a peer that reads nothing cannot hold a TLS close open past the linger.
    let _ = tokio::time::timeout(LINGER, std::future::poll_fn(|cx| Pin::new(&mut *stream).poll_shutdown(cx))).await;
    let stream = stream.tcp();
    let deadline = Instant::now() + LINGER;
    let mut buf = vec![0u8; 16 * 1024];
    let mut total = 0;
    while total < LINGER_BYTES {
        if tokio::time::timeout_at(deadline, stream.readable()).await.is_err() {
            break;
        }
        match stream.try_read(&mut buf) {
            Ok(0) => break,
            Ok(n) => total += n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(_) => break,
        }
    }
}

/// Where the guard is in the current request line.
#[derive(Debug, Default)]
struct LineScan {
    /// Bytes of the request line so far (leading empty lines skipped).
    len: usize,
    first_space: Option<usize>,
    last_space: Option<usize>,
    /// The line ended (or was judged): stop looking.
    done: bool,
}

impl LineScan {
    /// Feeds bytes; true when the request target is certainly longer than `max`.
    fn feed(&mut self, bytes: &[u8], max: usize) -> bool {
        for &b in bytes {
            if self.done {
                return false;
            }
            match b {
                b'\n' | b'\r' if self.len == 0 => {}
                b'\n' => {
                    self.done = true;
                    return self.target_len(true) > max;
                }
                _ => {
                    if b == b' ' {
                        self.first_space.get_or_insert(self.len);
                        self.last_space = Some(self.len);
                    }
                    self.len += 1;
                }
            }
        }
        // Not ended yet: the target so far, less room for " HTTP/1.1\r".
        !self.done && self.target_len(false) > max + 10
    }

    fn target_len(&self, complete: bool) -> usize {
        match (self.first_space, self.last_space) {
            (Some(f), Some(l)) if complete && l > f => l - f - 1,
            (Some(f), _) => self.len - f - 1,
            (None, _) => self.len,
        }
    }
}

/// The connection's socket as hyper sees it, with the head-phase limits applied.
struct Guarded<'a, S> {
    inner: &'a mut S,
    shared: Arc<Shared>,
    peer: SocketAddr,
    max_uri: usize,
    header_timeout: Duration,
    keep_alive: Duration,
    /// Answers seen: when `shared.answered` moves, a new head starts.
    seen: u64,
    /// When the current wait began (accept, or the previous answer).
    idle_since: Instant,
    /// First byte of the current head.
    head_started: Option<Instant>,
    line: LineScan,
    sleep: Pin<Box<Sleep>>,
    armed: Instant,
    /// The connection is over: a refusal was written (reads fail) or it idled out (reads
    /// see the end of the stream).
    ended: Option<Ended>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ended {
    Idle,
    Refused,
}

impl<'a, S: Socket> Guarded<'a, S> {
    fn new(inner: &'a mut S, limits: &Limits, shared: Arc<Shared>, peer: SocketAddr) -> Self {
        let now = Instant::now();
        let armed = now + limits.header_read_timeout;
        Self {
            inner,
            shared,
            peer,
            max_uri: limits.max_uri_bytes,
            header_timeout: limits.header_read_timeout,
            keep_alive: limits.keep_alive_timeout,
            seen: 0,
            idle_since: now,
            head_started: None,
            line: LineScan::default(),
            sleep: Box::pin(tokio::time::sleep_until(armed)),
            armed,
            ended: None,
        }
    }

    fn deadline(&self) -> Instant {
        match self.head_started {
            Some(start) => start + self.header_timeout,
            None if self.seen == 0 => self.idle_since + self.header_timeout,
            None => self.idle_since + self.keep_alive,
        }
    }

    /// Writes a refusal straight to the socket (hyper has no request to answer yet) and
    /// fails the read, which ends the connection.
    fn refuse(&mut self, cx: &mut Context<'_>, status: StatusCode, message: &str) -> io::Error {
        self.ended = Some(Ended::Refused);
        self.shared.refused.store(true, Ordering::SeqCst);
        let reason = status.canonical_reason().unwrap_or("");
        let text = format!(
            "HTTP/1.1 {} {reason}\r\ncontent-type: text/plain; charset=utf-8\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{message}",
            status.as_u16(),
            message.len()
        );
        // Best effort: the socket's send buffer is empty at this point of a connection.
        let _ = Pin::new(&mut *self.inner).poll_write(cx, text.as_bytes());
        tracing::info!(target: "amzsig::request", "{}: -> {} (HTTP layer: {})", self.peer, status.as_u16(), message.trim_end());
        io::Error::new(io::ErrorKind::InvalidData, message.trim_end().to_owned())
    }
}

impl<S: Socket> AsyncRead for Guarded<'_, S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        match this.ended {
            Some(Ended::Refused) => {
                return Poll::Ready(Err(io::Error::new(io::ErrorKind::InvalidData, "request refused")))
            }
            Some(Ended::Idle) => return Poll::Ready(Ok(())),
            None => {}
        }
        let answered = this.shared.answered.load(Ordering::SeqCst);
        if answered != this.seen {
            this.seen = answered;
            this.idle_since = Instant::now();
            this.head_started = None;
            this.line = LineScan::default();
        }
        let in_request = this.shared.in_request.load(Ordering::SeqCst);
        // After a refusal the connection is closing: what still arrives is the refused
        // request's body, not a new head, and must not earn a second answer (a 414 or 408
        // after a 413 was seen under load when the rest of a refused chunked body was read).
        let refused = this.shared.refused.load(Ordering::SeqCst);
        let before = buf.filled().len();
        match Pin::new(&mut *this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                let fresh = &buf.filled()[before..];
                if in_request || refused || fresh.is_empty() || this.line.done {
                    return Poll::Ready(Ok(()));
                }
                this.head_started.get_or_insert_with(Instant::now);
                if this.line.feed(fresh, this.max_uri) {
                    let message = format!("request target longer than {} bytes\n", this.max_uri);
                    buf.set_filled(before);
                    return Poll::Ready(Err(this.refuse(cx, StatusCode::URI_TOO_LONG, &message)));
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending if in_request => Poll::Pending,
            Poll::Pending => {
                let deadline = this.deadline();
                if deadline != this.armed {
                    this.armed = deadline;
                    this.sleep.as_mut().reset(deadline);
                }
                if this.sleep.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                if this.head_started.is_some() && !refused {
                    let ms = this.header_timeout.as_millis();
                    let message = format!("request header not received within {ms} ms\n");
                    Poll::Ready(Err(this.refuse(cx, StatusCode::REQUEST_TIMEOUT, &message)))
                } else {
                    // Nothing of a request arrived (or a refusal was already sent): close
                    // quietly, as for an idle keep-alive.
                    this.ended = Some(Ended::Idle);
                    Poll::Ready(Ok(()))
                }
            }
        }
    }
}

impl<S: Socket> AsyncWrite for Guarded<'_, S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut *self.inner).poll_write(cx, data)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut *self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::LineScan;

    #[test]
    fn line_scan_measures_the_request_target() {
        let mut s = LineScan::default();
        // The target "/abcdefghij" is 11 bytes: at the limit of 11, over the limit of 10.
        assert!(!s.feed(b"\r\nGET /abcdefghij HTTP/1.1\r\n", 11));
        let mut s = LineScan::default();
        assert!(s.feed(b"GET /abcdefghij HTTP/1.1\r\n", 10));
        // Streaming: judged before the line ends once the target alone is too long.
        let mut s = LineScan::default();
        assert!(!s.feed(b"GET /aaaaaaaaaaaaaaaaaaa", 10));
        assert!(s.feed(b"aaaaaa", 10));
        // Body bytes after the line are not looked at.
        let mut s = LineScan::default();
        assert!(!s.feed(b"POST / HTTP/1.1\r\nHost: x\r\n\r\naaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 10));
    }
}
