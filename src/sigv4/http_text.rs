//! Captured HTTP/1.1 request text (the AWS suite's `.req` and `.sreq` files, the CRT
//! suite's `request.txt`) read into an owned request that views as a
//! [`SignableRequest`], and written back.
//!
//! Format: RFC 9112 §3 request line and §5 field lines, `\n` or `\r\n` line ends, the
//! body being every byte after the first empty line. Two liberties the suites take are
//! accepted: the request target may hold spaces and raw UTF-8 (`get-space`,
//! `get-utf8`; the version is the last word when it starts with `HTTP/`, and may be
//! absent), and a line starting with a space or tab continues the previous field
//! (obsolete line folding, RFC 9112 §5.2; `get-header-value-multiline`): the value
//! keeps the line break and the indentation, which canonicalisation folds.

use super::{Payload, SignableRequest};
use crate::encoding::{parse_query, DecodeError, ParamList, PlusMeans};

/// A request read from text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedRequest {
    /// The method.
    pub method: String,
    /// The path, as written.
    pub path: String,
    /// The query string, as written (without `?`); `None` when the target had no `?`.
    pub raw_query: Option<String>,
    /// The query, parsed (`+` is a space).
    pub query: ParamList,
    /// `HTTP/1.1`, when the request line has it.
    pub version: Option<String>,
    /// The header fields in order, names as written, values without surrounding blanks;
    /// a folded value keeps `\n` and the continuation lines' indentation.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

/// Why request text does not parse, and where (1-based line number).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {kind}")]
pub struct ParseHttpTextError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong there.
    pub kind: ParseHttpTextErrorKind,
}

/// The kinds of [`ParseHttpTextError`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseHttpTextErrorKind {
    /// The head is not UTF-8.
    #[error("the request head is not UTF-8")]
    NotUtf8,
    /// The request line is not `METHOD TARGET [HTTP/x.y]`.
    #[error("expected 'METHOD TARGET [HTTP/1.1]'")]
    BadRequestLine,
    /// A field line without `:` or with an empty or blank-containing name.
    #[error("expected 'Name:value'")]
    BadHeader,
    /// A continuation line before any field.
    #[error("a folded continuation line before any header")]
    ContinuationWithoutHeader,
    /// The query string does not decode.
    #[error("the query string does not decode")]
    Query(#[source] DecodeError),
}

impl ParsedRequest {
    /// Parses request text.
    ///
    /// ```
    /// let r = amzsig::sigv4::ParsedRequest::parse(b"GET /a b?x=1 HTTP/1.1\nHost:h\nMy:v1\n  v2\n\nbody").unwrap();
    /// assert_eq!((r.path.as_str(), r.query.get("x")), ("/a b", Some("1")));
    /// assert_eq!(r.headers[1], ("My".to_owned(), "v1\n  v2".to_owned()));
    /// assert_eq!(r.body, b"body");
    /// ```
    pub fn parse(text: &[u8]) -> Result<Self, ParseHttpTextError> {
        let err = |line, kind| ParseHttpTextError { line, kind };
        let mut head_lines: Vec<&[u8]> = Vec::new();
        let mut body_start = text.len();
        let mut offset = 0;
        while offset < text.len() {
            let end = text[offset..].iter().position(|&b| b == b'\n').map_or(text.len(), |i| offset + i);
            let line = text[offset..end].strip_suffix(b"\r").unwrap_or(&text[offset..end]);
            let next = (end + 1).min(text.len());
            if line.is_empty() && !head_lines.is_empty() {
                body_start = next;
                break;
            }
            head_lines.push(line);
            offset = next;
        }
        let mut lines = Vec::with_capacity(head_lines.len());
        for (i, l) in head_lines.iter().enumerate() {
            lines.push(std::str::from_utf8(l).map_err(|_| err(i + 1, ParseHttpTextErrorKind::NotUtf8))?);
        }
        let request_line = lines.first().copied().unwrap_or_default();
        let (method, rest) = request_line.split_once(' ').ok_or(err(1, ParseHttpTextErrorKind::BadRequestLine))?;
        let (target, version) = match rest.rsplit_once(' ') {
            Some((t, v)) if v.starts_with("HTTP/") => (t, Some(v.to_owned())),
            _ => (rest, None),
        };
        if method.is_empty() || target.is_empty() {
            return Err(err(1, ParseHttpTextErrorKind::BadRequestLine));
        }
        let (path, raw_query) = match target.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (target, None),
        };
        let query = parse_query(raw_query.unwrap_or_default().as_bytes(), PlusMeans::Space)
            .map_err(|e| err(1, ParseHttpTextErrorKind::Query(e)))?;
        let mut headers: Vec<(String, String)> = Vec::new();
        for (i, line) in lines.iter().enumerate().skip(1) {
            if line.starts_with([' ', '\t']) {
                let (_, value) =
                    headers.last_mut().ok_or(err(i + 1, ParseHttpTextErrorKind::ContinuationWithoutHeader))?;
                value.push('\n');
                value.push_str(line.trim_end_matches([' ', '\t']));
                continue;
            }
            let (name, value) = line.split_once(':').ok_or(err(i + 1, ParseHttpTextErrorKind::BadHeader))?;
            if name.is_empty() || name.contains([' ', '\t']) {
                return Err(err(i + 1, ParseHttpTextErrorKind::BadHeader));
            }
            headers.push((name.to_owned(), value.trim_matches([' ', '\t']).to_owned()));
        }
        Ok(Self {
            method: method.to_owned(),
            path: path.to_owned(),
            raw_query: raw_query.map(str::to_owned),
            query,
            version,
            headers,
            body: text[body_start..].to_vec(),
        })
    }

    /// The request target: the path, and `?` and the query when there is one.
    pub fn target(&self) -> String {
        match &self.raw_query {
            Some(q) => format!("{}?{q}", self.path),
            None => self.path.clone(),
        }
    }

    /// The request as the signing core sees it, with the body as the payload.
    pub fn view(&self) -> SignableRequest<'_> {
        SignableRequest {
            method: &self.method,
            path: &self.path,
            query: &self.query,
            headers: (&self.headers).into(),
            payload: Payload::Bytes(&self.body),
        }
    }

    /// The request as text in the AWS suite's style: `Name:value` lines joined by `\n`,
    /// and the body after an empty line when there is one (no trailing newline).
    pub fn to_http_text(&self) -> Vec<u8> {
        let mut out = format!("{} {}", self.method, self.target());
        if let Some(v) = &self.version {
            out.push(' ');
            out.push_str(v);
        }
        for (n, v) in &self.headers {
            out.push('\n');
            out.push_str(n);
            out.push(':');
            out.push_str(v);
        }
        let mut out = out.into_bytes();
        if !self.body.is_empty() {
            out.extend_from_slice(b"\n\n");
            out.extend_from_slice(&self.body);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_line() {
        let kind = |t: &[u8]| ParsedRequest::parse(t).map(|_| ()).unwrap_err();
        assert_eq!(kind(b"").kind, ParseHttpTextErrorKind::BadRequestLine);
        assert_eq!(kind(b"GET").kind, ParseHttpTextErrorKind::BadRequestLine);
        assert_eq!(kind(b"GET / HTTP/1.1\nHost h").line, 2);
        assert_eq!(kind(b"GET / HTTP/1.1\n x").kind, ParseHttpTextErrorKind::ContinuationWithoutHeader);
        assert!(matches!(kind(b"GET /?a=%zz HTTP/1.1").kind, ParseHttpTextErrorKind::Query(_)));
        assert_eq!(kind(b"GET / HTTP/1.1\n\xff:x").kind, ParseHttpTextErrorKind::NotUtf8);
    }

    #[test]
    fn crlf_and_round_trip() {
        let r = ParsedRequest::parse(b"POST /p?a=1&b HTTP/1.1\r\nHost: h \r\nX:\ta\r\n\r\nbody\r\n").unwrap();
        assert_eq!(r.headers, [("Host".to_owned(), "h".to_owned()), ("X".to_owned(), "a".to_owned())]);
        assert_eq!(r.body, b"body\r\n");
        assert_eq!(r.to_http_text(), b"POST /p?a=1&b HTTP/1.1\nHost:h\nX:a\n\nbody\r\n");
        let no_version = ParsedRequest::parse(b"GET /x").unwrap();
        assert_eq!((no_version.version.as_deref(), no_version.target()), (None, "/x".to_owned()));
    }
}
