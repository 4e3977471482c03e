//! The borrowed view of an HTTP request that is the only way into the signing core, and
//! an owned form that the CLI and runner build from URLs or captured requests.
//!
//! The server, the CLI and the scenario runner each turn what they have (an axum request,
//! a command line, a captured HTTP/1.1 text) into a [`RequestView`]; the core never sees
//! an HTTP framework's types.

use crate::encoding::{parse_query, DecodeError, ParamList, PlusMeans};
use std::fmt;

/// `http` or `https`: decides which port is the default one and is dropped from the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scheme {
    /// Port 80 is the default.
    Http,
    /// Port 443 is the default.
    #[default]
    Https,
}

impl Scheme {
    /// The scheme's standard port.
    pub fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }

    /// `http` or `https`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }
}

/// Where the signed parameters travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamLocation {
    /// In the URL's query string (GET, or MWS SubmitFeed's POST).
    Query,
    /// In an `application/x-www-form-urlencoded` body (Query-API and MWS POST).
    Form,
}

/// A request as the signing core sees it. Everything is borrowed.
#[derive(Debug, Clone, Copy)]
pub struct RequestView<'a> {
    /// The HTTP method as sent (`GET`, `POST`).
    pub method: &'a str,
    /// The scheme the client used (decides the default port).
    pub scheme: Scheme,
    /// The `Host` header exactly as sent (any case, port if present).
    pub host: &'a str,
    /// The path exactly as sent (still percent-encoded); may be empty.
    pub path: &'a str,
    /// The signed parameters (from the query string or the form body), in sent order.
    pub params: &'a ParamList,
}

/// An owned request: what the CLI and the runner build and then view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedRequest {
    /// HTTP method.
    pub method: String,
    /// Scheme.
    pub scheme: Scheme,
    /// Host header value.
    pub host: String,
    /// Raw path.
    pub path: String,
    /// Signed parameters.
    pub params: ParamList,
    /// Where the parameters travel on the wire.
    pub location: ParamLocation,
}

impl OwnedRequest {
    /// Borrows this request as the core's view.
    pub fn view(&self) -> RequestView<'_> {
        RequestView {
            method: &self.method,
            scheme: self.scheme,
            host: &self.host,
            path: &self.path,
            params: &self.params,
        }
    }

    /// Parses an absolute `http(s)://host[:port]/path?query` URL.
    pub fn from_url(method: &str, url: &str) -> Result<Self, RequestParseError> {
        let (scheme, rest) = if let Some(r) = url.strip_prefix("https://") {
            (Scheme::Https, r)
        } else if let Some(r) = url.strip_prefix("http://") {
            (Scheme::Http, r)
        } else {
            return Err(RequestParseError::NotAbsoluteUrl(url.to_owned()));
        };
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let host = &rest[..authority_end];
        if host.is_empty() {
            return Err(RequestParseError::NotAbsoluteUrl(url.to_owned()));
        }
        let target = rest[authority_end..].split('#').next().unwrap_or("");
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let query_start = url.len() - rest.len() + authority_end + path.len() + 1;
        let params = parse_query(query.as_bytes(), PlusMeans::Space)
            .map_err(|e| RequestParseError::Query { source: DecodeError { pos: e.pos + query_start, ..e } })?;
        Ok(Self {
            method: method.to_ascii_uppercase(),
            scheme,
            host: host.to_owned(),
            path: path.to_owned(),
            params,
            location: ParamLocation::Query,
        })
    }

    /// Parses a captured HTTP/1.x request: request line, headers, blank line, body.
    ///
    /// Line ends may be `\r\n` or `\n`. Parameters come from the query string, or from the
    /// body when it is `application/x-www-form-urlencoded` (and the query has none). The
    /// request target may also be an absolute URL (proxy form).
    pub fn from_http_text(text: &[u8], scheme: Scheme) -> Result<Self, RequestParseError> {
        let head_end = find(text, b"\r\n\r\n").map(|i| (i, i + 4)).or_else(|| find(text, b"\n\n").map(|i| (i, i + 2)));
        let (head, body) = match head_end {
            Some((h, b)) => (&text[..h], &text[b..]),
            None => (text, &text[text.len()..]),
        };
        let head = std::str::from_utf8(head).map_err(|_| RequestParseError::NotUtf8Head)?;
        let mut lines = head.lines();
        let request_line = lines.next().unwrap_or("").trim();
        let mut parts = request_line.split_whitespace();
        let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
            return Err(RequestParseError::BadRequestLine(request_line.to_owned()));
        };
        let mut host = None;
        let mut form = false;
        for line in lines {
            let Some((name, value)) = line.split_once(':') else {
                return Err(RequestParseError::BadHeader(line.to_owned()));
            };
            if name.trim().eq_ignore_ascii_case("host") {
                host = Some(value.trim().to_owned());
            } else if name.trim().eq_ignore_ascii_case("content-type") {
                form = value.trim().to_ascii_lowercase().starts_with("application/x-www-form-urlencoded");
            }
        }
        let mut req = if target.starts_with("http://") || target.starts_with("https://") {
            Self::from_url(method, target)?
        } else {
            let host = host.clone().ok_or(RequestParseError::MissingHost)?;
            let mut r = Self::from_url(method, &format!("{}://{host}{target}", scheme.as_str()))?;
            r.scheme = scheme;
            r
        };
        if let Some(h) = host {
            req.host = h;
        }
        if form && req.params.is_empty() {
            req.params = parse_query(body, PlusMeans::Space).map_err(|e| RequestParseError::Body { source: e })?;
            req.location = ParamLocation::Form;
        }
        Ok(req)
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Why a URL or captured request could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RequestParseError {
    /// Not `http://…` or `https://…` with a host.
    #[error("'{0}' is not an absolute http:// or https:// URL")]
    NotAbsoluteUrl(String),
    /// The query string does not decode.
    #[error("the URL's query string does not decode")]
    Query {
        /// The decoding problem (its position is a byte offset into the URL).
        #[source]
        source: DecodeError,
    },
    /// The form body does not decode.
    #[error("the form body does not decode")]
    Body {
        /// The decoding problem.
        #[source]
        source: DecodeError,
    },
    /// The request line is not `METHOD TARGET [VERSION]`.
    #[error("bad request line '{0}' (expected e.g. 'GET /onca/xml?... HTTP/1.1')")]
    BadRequestLine(String),
    /// A header line without a colon.
    #[error("bad header line '{0}'")]
    BadHeader(String),
    /// No Host header and an origin-form target.
    #[error("the request has no Host header")]
    MissingHost,
    /// The request head is not UTF-8.
    #[error("the request head is not UTF-8")]
    NotUtf8Head,
}

impl fmt::Display for OwnedRequest {
    /// The request as a URL (query location) or as `METHOD url` plus a form body.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}://{}{}", self.method, self.scheme.as_str(), self.host, self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_urls() {
        let r = OwnedRequest::from_url("get", "http://Example.com:8080/onca/xml?a=1&b=x+y#frag").unwrap();
        assert_eq!(
            (r.method.as_str(), r.scheme, r.host.as_str(), r.path.as_str()),
            ("GET", Scheme::Http, "Example.com:8080", "/onca/xml")
        );
        assert_eq!(r.params.get("b"), Some("x y"));
        let r = OwnedRequest::from_url("GET", "https://h?x=1").unwrap();
        assert_eq!(r.path, "");
        assert!(OwnedRequest::from_url("GET", "ftp://h/").is_err());
        let err = OwnedRequest::from_url("GET", "https://h/p?a=%zz").unwrap_err();
        assert!(matches!(err, RequestParseError::Query { source: DecodeError { pos: 14, .. } }), "{err:?}");
    }

    #[test]
    fn parses_captured_requests() {
        let text = b"POST /Orders/2013-09-01 HTTP/1.1\r\nHost: mws.amazonservices.com\r\nContent-Type: application/x-www-form-urlencoded; charset=utf-8\r\n\r\nAction=ListOrders&SellerId=A1ExampleE6";
        let r = OwnedRequest::from_http_text(text, Scheme::Https).unwrap();
        assert_eq!(r.location, ParamLocation::Form);
        assert_eq!(r.params.get("Action"), Some("ListOrders"));
        assert_eq!(r.host, "mws.amazonservices.com");
        let text = b"GET /onca/xml?Operation=ItemLookup HTTP/1.1\nHost: webservices.amazon.com\n\n";
        let r = OwnedRequest::from_http_text(text, Scheme::Https).unwrap();
        assert_eq!(r.params.get("Operation"), Some("ItemLookup"));
        assert!(matches!(
            OwnedRequest::from_http_text(b"GET / HTTP/1.1\r\n\r\n", Scheme::Https),
            Err(RequestParseError::MissingHost)
        ));
    }
}
