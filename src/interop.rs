//! Other crates' request types read into amzsig's (feature `http`): an [`http::Request`]
//! becomes a [`ParsedRequest`], which views as the
//! [`SignableRequest`](crate::sigv4::SignableRequest) that [`sigv4::sign`](crate::sigv4::sign)
//! and [`sigv4::verify`](crate::sigv4::verify) take. (Layer 2: the schemes themselves name
//! no HTTP crate.)
//!
//! What carries over, and how:
//! - the method, the path and the query string exactly as the URI holds them (still
//!   percent-encoded: canonicalisation needs the form that was sent);
//! - every header, each value of one name in its order (an `http::HeaderMap` groups the
//!   values of one name and does not keep the order *between* names, which SigV4 does not
//!   need: canonical headers are sorted by name);
//! - `Host` from the URI's authority when the map has none (HTTP/2 requests and clients
//!   that set the URI only), as AWS's signers do;
//! - the body's bytes.
//!
//! A header value that is not UTF-8 cannot be canonicalised as text, so it is an error
//! rather than a silently different request.

use crate::encoding::{parse_query, DecodeError, PlusMeans};
use crate::sigv4::ParsedRequest;

/// Why an [`http::Request`] cannot become a [`ParsedRequest`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FromHttpError {
    /// A header value is not UTF-8.
    #[error("the value of header '{0}' is not UTF-8")]
    HeaderNotUtf8(String),
    /// The query string does not decode.
    #[error("the query string does not decode")]
    Query(#[source] DecodeError),
}

impl<B: AsRef<[u8]>> TryFrom<&http::Request<B>> for ParsedRequest {
    type Error = FromHttpError;

    /// Reads an [`http::Request`].
    ///
    /// ```
    /// use amzsig::sigv4::{self, ParsedRequest, SigningParams, SigningSettings};
    /// use amzsig::{SecretKey, SingleKey, UtcTime};
    ///
    /// let request = http::Request::post("https://sts.amazonaws.com/")
    ///     .header("Content-Type", "application/x-www-form-urlencoded")
    ///     .body(b"Action=GetCallerIdentity&Version=2011-06-15".to_vec())?;
    /// let parsed = ParsedRequest::try_from(&request)?;
    /// assert_eq!(parsed.view().header("host"), Some("sts.amazonaws.com"));
    ///
    /// let secret = SecretKey::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    /// let now = UtcTime::parse_iso8601("2015-08-30T12:36:00Z")?;
    /// let params = SigningParams {
    ///     access_key_id: "AKIDEXAMPLE",
    ///     secret: &secret,
    ///     session_token: None,
    ///     region: "us-east-1",
    ///     service: "sts",
    ///     time: now,
    ///     settings: SigningSettings::default(),
    /// };
    /// let signed = sigv4::sign(&parsed.view(), &params);
    /// let mut headers = parsed.headers.clone();
    /// headers.extend(signed.headers.iter().cloned());
    /// let view = sigv4::SignableRequest { headers: (&headers).into(), ..parsed.view() };
    /// let keys = SingleKey { id: Some("AKIDEXAMPLE"), secret: &secret };
    /// assert!(sigv4::verify(&view, &keys, now, &sigv4::VerifyPolicy::default()).is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn try_from(request: &http::Request<B>) -> Result<Self, FromHttpError> {
        let uri = request.uri();
        let raw_query = uri.query().map(str::to_owned);
        let query = parse_query(raw_query.as_deref().unwrap_or_default().as_bytes(), PlusMeans::Space)
            .map_err(FromHttpError::Query)?;
        let mut headers = Vec::with_capacity(request.headers().len() + 1);
        if !request.headers().contains_key(http::header::HOST) {
            if let Some(authority) = uri.authority() {
                headers.push(("host".to_owned(), authority.as_str().to_owned()));
            }
        }
        for (name, value) in request.headers() {
            let value = std::str::from_utf8(value.as_bytes())
                .map_err(|_| FromHttpError::HeaderNotUtf8(name.as_str().to_owned()))?;
            headers.push((name.as_str().to_owned(), value.to_owned()));
        }
        Ok(Self {
            method: request.method().as_str().to_owned(),
            path: uri.path().to_owned(),
            raw_query,
            query,
            version: Some(format!("{:?}", request.version())),
            headers,
            body: request.body().as_ref().to_vec(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_that_is_not_utf8_is_an_error_naming_the_header() {
        let value = http::HeaderValue::from_bytes(b"caf\xe9").unwrap();
        let request = http::Request::get("http://h/").header("x-amz-meta-name", value).body(Vec::new()).unwrap();
        assert_eq!(ParsedRequest::try_from(&request), Err(FromHttpError::HeaderNotUtf8("x-amz-meta-name".to_owned())));
    }

    #[test]
    fn the_uri_is_kept_as_sent_and_an_explicit_host_wins() {
        let request = http::Request::get("http://ignored.example/a%20b/?b=2&a=%41")
            .header("Host", "example.amazonaws.com")
            .header("X-Amz-Date", "20150830T123600Z")
            .header("My-Header", "v1")
            .header("My-Header", "v2")
            .body(Vec::new())
            .unwrap();
        let parsed = ParsedRequest::try_from(&request).unwrap();
        assert_eq!((parsed.path.as_str(), parsed.raw_query.as_deref()), ("/a%20b/", Some("b=2&a=%41")));
        assert_eq!(parsed.query.get("a"), Some("A"));
        assert_eq!(parsed.view().header("host"), Some("example.amazonaws.com"));
        let mine: Vec<_> = parsed.view().header_values("my-header").collect();
        assert_eq!(mine, ["v1", "v2"]);
        assert_eq!(parsed.version.as_deref(), Some("HTTP/1.1"));
    }
}
