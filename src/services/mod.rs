//! The services the mock speaks, as pure request rules: given a received request and a
//! context (keystore, catalogue, clock reading, options, throttle), decide the answer.
//! Nothing here knows an HTTP framework or reads the clock; XML comes from [`crate::xml`].
//!
//! - [`paapi`]: Product Advertising API 4.x (`/onca/xml`, SigV2).
//! - [`mws`]: Amazon MWS (sections Orders, Products, Sellers, Feeds, Reports; SigV2).
//! - [`throttle`]: token buckets (PA-API's one request per second, MWS quotas).
//! - [`request_id`]: deterministic request ids.
//!
//! [`dispatch`] picks the service from the Host header (when it names a real Amazon host)
//! or else from the path.

pub mod mws;
pub mod paapi;
pub mod request_id;
pub mod throttle;

use crate::catalogue::Catalogue;
use crate::clock::UtcTime;
use crate::encoding::ParamList;
use crate::keystore::Keystore;
use crate::request::RequestView;
use crate::sigv2::{HostForm, HostMatch, VerifyFailure};
pub use throttle::{Quota, Throttle, ThrottleDecision, Unlimited};

/// Options that change how strictly requests are judged.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceOptions {
    /// Allowed clock skew for `Timestamp`, seconds (Amazon: 15 minutes).
    pub max_skew_secs: i64,
    /// Also accept signatures over the host without its port (many MWS client libraries).
    pub host_match: HostMatch,
    /// Whether throttling rules apply.
    pub throttling: Throttling,
    /// PA-API locale for requests whose Host is not an Amazon host (e.g. `127.0.0.1:8080`).
    pub default_paapi_locale: String,
    /// MWS endpoint host assumed for requests whose Host is not an Amazon host.
    pub default_mws_host: String,
}

impl Default for ServiceOptions {
    fn default() -> Self {
        Self {
            max_skew_secs: 15 * 60,
            host_match: HostMatch::Exact,
            throttling: Throttling::On,
            default_paapi_locale: "us".to_owned(),
            default_mws_host: "mws.amazonservices.com".to_owned(),
        }
    }
}

/// Whether throttling rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throttling {
    /// PA-API's one request per second per key, MWS quotas.
    On,
    /// Every request passes (tests that do not care about rates).
    Off,
}

/// Everything a service needs besides the request.
pub struct Ctx<'a> {
    /// Keys, accounts, sellers.
    pub keys: &'a Keystore,
    /// Items, browse nodes, orders, products, reports.
    pub catalogue: &'a Catalogue,
    /// "Now", read once by the server.
    pub now: UtcTime,
    /// Strictness options.
    pub options: &'a ServiceOptions,
    /// The id of this request (already generated; goes into the body and headers).
    pub request_id: &'a str,
    /// The rate limiter (the server's shared buckets, or [`Unlimited`]).
    pub throttle: &'a dyn Throttle,
}

/// A request as the services see it.
#[derive(Debug, Clone, Copy)]
pub struct ServiceRequest<'a> {
    /// Method, scheme, Host as sent, raw path, and the signed parameters (the query
    /// string, or the form body for `application/x-www-form-urlencoded` POSTs).
    pub view: RequestView<'a>,
    /// The URL's query parameters (equal to `view.params` unless the parameters came from
    /// a form body).
    pub query: &'a ParamList,
    /// The raw body (MWS SubmitFeed's feed).
    pub body: &'a [u8],
    /// The `Content-Type` header.
    pub content_type: Option<&'a str>,
    /// The `Content-MD5` header.
    pub content_md5: Option<&'a str>,
    /// The `User-Agent` header.
    pub user_agent: Option<&'a str>,
}

/// Which service answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceKind {
    /// Product Advertising API 4.x.
    Paapi,
    /// Amazon MWS.
    Mws,
}

/// Whether the request was accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Authenticated and answered normally (including in-band PA-API parameter errors).
    Accepted,
    /// Refused with an error response.
    Refused,
}

/// What the journal records about a request (no secrets, by construction).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The service.
    pub service: ServiceKind,
    /// `Operation` (PA-API) or `Action` (MWS), when present.
    pub operation: Option<String>,
    /// `AWSAccessKeyId`, when present.
    pub access_key_id: Option<String>,
    /// Accepted or refused.
    pub verdict: Verdict,
    /// The error code answered (also in-band PA-API codes), if any.
    pub error_code: Option<String>,
    /// Which host line the signature matched.
    pub host_form: Option<HostForm>,
    /// Why the signature check failed, when it did.
    pub failure: Option<VerifyFailure>,
}

/// The answer to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type`.
    pub content_type: String,
    /// Extra headers (request id headers, quota headers, ...).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: String,
    /// For the journal.
    pub record: Record,
}

/// The service a request is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// PA-API, with the locale code (`us`, `uk`, ...).
    Paapi {
        /// Locale code.
        locale: &'static str,
    },
    /// MWS, with the endpoint host the request is treated as sent to.
    Mws {
        /// The MWS host (from the Host header, or the default).
        host: String,
    },
}

/// Picks the service: by the Host header when it names a real Amazon host, else by path.
pub fn dispatch(host: &str, path: &str, options: &ServiceOptions) -> Option<Route> {
    let bare = crate::sigv2::host_without_port(host).to_ascii_lowercase();
    if let Some(locale) = paapi::locale_for_host(&bare) {
        return Some(Route::Paapi { locale });
    }
    if mws::is_mws_host(&bare) {
        return Some(Route::Mws { host: bare });
    }
    if path == "/onca/xml" {
        let locale = paapi::locale_code(&options.default_paapi_locale)?;
        return Some(Route::Paapi { locale });
    }
    if mws::is_mws_path(path) {
        return Some(Route::Mws { host: options.default_mws_host.clone() });
    }
    None
}

/// Answers `req` with the service `route` names.
pub fn handle(route: &Route, ctx: &Ctx<'_>, req: &ServiceRequest<'_>) -> Outcome {
    match route {
        Route::Paapi { locale } => paapi::handle(ctx, req, locale),
        Route::Mws { host } => mws::handle(ctx, req, host),
    }
}

/// The answer to a request whose query string or form body does not decode (a bad
/// percent-escape, or bytes that are not UTF-8), in the service's own error format.
///
/// Code and message follow the AWS Query APIs' common error `MalformedQueryString` ("The
/// query string contains a syntax error", AWS "Common Errors"), with the position of the
/// problem appended; status 400 (no source shows PA-API or MWS answering it).
pub fn malformed(route: &Route, request_id: &str, detail: &str) -> Outcome {
    let message = format!("The query string contains a syntax error: {detail}.");
    let (service, body) = match route {
        Route::Paapi { .. } => (
            ServiceKind::Paapi,
            crate::xml::paapi::error_response(
                "ErrorResponse",
                Some(&crate::xml::paapi::error_namespace(paapi::DEFAULT_VERSION)),
                "MalformedQueryString",
                &message,
                request_id,
                crate::xml::paapi::RequestIdSpelling::RequestID,
            ),
        ),
        Route::Mws { .. } => (
            ServiceKind::Mws,
            crate::xml::mws::error_response(
                "http://mws.amazonaws.com/doc/2009-01-01/",
                &crate::xml::mws::ErrorItem {
                    kind: crate::xml::mws::ErrorType::Sender,
                    code: "MalformedQueryString",
                    message: &message,
                    detail: false,
                },
                request_id,
                crate::xml::mws::RequestIdElement::Gateway,
            ),
        ),
    };
    Outcome {
        status: 400,
        content_type: "text/xml".to_owned(),
        headers: Vec::new(),
        body: body.to_document(),
        record: Record {
            service,
            operation: None,
            access_key_id: None,
            verdict: Verdict::Refused,
            error_code: Some("MalformedQueryString".to_owned()),
            host_form: None,
            failure: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dispatch_table() {
        let o = ServiceOptions::default();
        let cases: &[(&str, &str, Option<Route>)] = &[
            ("webservices.amazon.com", "/onca/xml", Some(Route::Paapi { locale: "us" })),
            ("WebServices.Amazon.co.uk:443", "/onca/xml", Some(Route::Paapi { locale: "uk" })),
            ("ecs.amazonaws.jp", "/onca/xml", Some(Route::Paapi { locale: "jp" })),
            ("127.0.0.1:8080", "/onca/xml", Some(Route::Paapi { locale: "us" })),
            (
                "mws-eu.amazonservices.com",
                "/Orders/2013-09-01",
                Some(Route::Mws { host: "mws-eu.amazonservices.com".into() }),
            ),
            ("127.0.0.1:8080", "/Orders/2013-09-01", Some(Route::Mws { host: "mws.amazonservices.com".into() })),
            ("127.0.0.1:8080", "/", Some(Route::Mws { host: "mws.amazonservices.com".into() })),
            ("127.0.0.1:8080", "/nowhere", None),
        ];
        for (host, path, want) in cases {
            assert_eq!(&dispatch(host, path, &o), want, "{host} {path}");
        }
    }
}
