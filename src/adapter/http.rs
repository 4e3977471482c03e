//! A minimal blocking HTTP/1.1 client for the reference adapter's live mode: one request
//! per connection (`Connection: close`), loopback addresses only, bounded by timeouts.

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

/// Why a request could not be made.
#[derive(Debug, thiserror::Error)]
pub(crate) enum HttpError {
    /// Not `http://host:port/...`.
    #[error("'{0}' is not an http:// URL with a host")]
    BadUrl(String),
    /// The host is not a loopback address.
    #[error("refusing to connect to {0}: the reference adapter talks to loopback addresses only")]
    NotLoopback(String),
    /// Connect, write or read failed.
    #[error("HTTP request to {0} failed")]
    Io(String, #[source] std::io::Error),
    /// The response is not HTTP.
    #[error("malformed HTTP response from {0}")]
    BadResponse(String),
}

/// Sends one request and returns the status and body.
pub(crate) fn send(
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<(u16, String), HttpError> {
    let rest = url.strip_prefix("http://").ok_or_else(|| HttpError::BadUrl(url.to_owned()))?;
    let (authority, target) = rest.find('/').map_or((rest, "/"), |i| (&rest[..i], &rest[i..]));
    let addr: SocketAddr = authority
        .to_socket_addrs()
        .map_err(|e| HttpError::Io(authority.to_owned(), e))?
        .next()
        .ok_or_else(|| HttpError::BadUrl(url.to_owned()))?;
    if !addr.ip().is_loopback() {
        return Err(HttpError::NotLoopback(authority.to_owned()));
    }
    let io = |e| HttpError::Io(authority.to_owned(), e);
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).map_err(io)?;
    stream.set_read_timeout(Some(Duration::from_secs(10))).map_err(io)?;
    stream.set_write_timeout(Some(Duration::from_secs(10))).map_err(io)?;
    let mut head = format!("{method} {target} HTTP/1.1\r\n");
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        let _ = write!(head, "Host: {authority}\r\n");
    }
    for (k, v) in headers {
        let _ = write!(head, "{k}: {v}\r\n");
    }
    let _ = write!(head, "Content-Length: {}\r\nConnection: close\r\n\r\n", body.len());
    stream.write_all(head.as_bytes()).map_err(io)?;
    stream.write_all(body).map_err(io)?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).map_err(io)?;
    let text = String::from_utf8_lossy(&response);
    let (head, body) = text.split_once("\r\n\r\n").ok_or_else(|| HttpError::BadResponse(authority.to_owned()))?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| HttpError::BadResponse(authority.to_owned()))?;
    Ok((status, body.to_owned()))
}
