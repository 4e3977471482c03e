//! The services the mock speaks, as pure request rules: given a received request and a
//! context (keystore, catalogue, clock reading, options, throttle), decide the answer.
//! Nothing here knows an HTTP framework or reads the clock; XML comes from [`crate::xml`].
//!
//! - `paapi`: Product Advertising API 4.x (`/onca/xml`, SigV2).
//! - `mws`: Amazon MWS (sections Orders, Products, Sellers, Feeds, Reports; SigV2).
//! - `paapi5`: Product Advertising API 5.0 (`POST /paapi5/{operation}`, SigV4, JSON).
//! - `aws`: any other SigV4-signed request (service and region from the credential
//!   scope), answered in the protocol's usual shape (Query, JSON, REST-XML/S3, REST-JSON).
//! - [`s3`]: the in-memory S3 behind `aws` (buckets, objects, multipart uploads, per
//!   account), in a [`s3::Store`] handed in through [`Ctx::s3`].
//! - `query`: the classic Query APIs signed with SigV2 (SimpleDB, EC2, EMR), on the same
//!   generic endpoint (chosen by `query::refine` once the form body is read).
//! - `throttle`: token buckets (PA-API's one request per second, MWS quotas).
//! - `request_id`: deterministic request ids.
//! - [`pipeline`]: the one way in: a raw request (method, target, headers, body) and the
//!   context → the outcome and, for a refused signature, its explanation. The server, the
//!   runner and the benchmarks all call [`pipeline::process`].
//!
//! [`dispatch`] picks the service: `/paapi5/…` is PA-API 5.0 on any host; a request that
//! carries SigV4 (`Authorization: AWS4-…`, `X-Amz-Algorithm` in the query), an
//! `X-Amz-Target` header or a `*.amazonaws.com` host that no SigV2 service owns goes to
//! `aws`; the rest is told apart by the Host header (when it names a real Amazon host)
//! or else by the path.

pub(crate) mod aws;
pub(crate) mod mws;
pub(crate) mod paapi;
pub(crate) mod paapi5;
pub mod pipeline;
pub(crate) mod query;
pub(crate) mod request_id;
pub mod s3;
pub(crate) mod throttle;

use crate::catalogue::Catalogue;
use crate::clock::UtcTime;
use crate::encoding::ParamList;
use crate::keystore::{Family, Keystore};
use crate::request::RequestView;
use crate::scheme::{Failure, SchemeId};
use crate::sigv2::{HostForm, HostMatch};
pub use throttle::{Quota, Throttle, ThrottleDecision, Unlimited};

/// The AWS Query-style text for a SigV2 parameter whose value the service refuses
/// ("Value {v} for parameter {name} is invalid.", MWS and the Query APIs alike): the
/// signature version or method, or a malformed time; empty for other failures.
pub(crate) fn sigv2_invalid_value(failure: &crate::sigv2::VerifyFailure) -> String {
    use crate::sigv2::VerifyFailure as F;
    match failure {
        F::UnsupportedSignatureVersion(v) => format!("Value {v} for parameter SignatureVersion is invalid."),
        F::UnsupportedSignatureMethod(m) => format!("Value {m} for parameter SignatureMethod is invalid."),
        F::MalformedTimestamp { param, raw } => format!("Value {raw} for parameter {param} is invalid."),
        _ => String::new(),
    }
}

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
    /// Base domains of S3's virtual-hosted style besides AWS's and `localhost`
    /// (`example.test`: `{bucket}.example.test` names a bucket), lowercase.
    pub s3_domains: Vec<String>,
}

impl Default for ServiceOptions {
    fn default() -> Self {
        Self {
            max_skew_secs: 15 * 60,
            host_match: HostMatch::Exact,
            throttling: Throttling::On,
            default_paapi_locale: "us".to_owned(),
            default_mws_host: "mws.amazonservices.com".to_owned(),
            s3_domains: Vec::new(),
        }
    }
}

/// Whether throttling rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
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
    /// SigV4 signing keys already derived (a server keeps one cache: a client signs with
    /// the same scope all day); `None` derives each key afresh.
    pub signing_keys: Option<&'a std::sync::Mutex<crate::sigv4::SigningKeyCache>>,
    /// The S3 store (the server's); `None` gives each request a fresh store holding only
    /// the demo bucket (an offline judge keeps no objects).
    pub s3: Option<&'a s3::Store>,
}

impl Ctx<'_> {
    /// [`crate::sigv4::verify`] with the secrets of `family`, through the signing-key cache
    /// when there is one.
    pub(crate) fn verify_v4(
        &self,
        req: &crate::sigv4::SignableRequest<'_>,
        policy: &crate::sigv4::VerifyPolicy<'_>,
        family: Family,
    ) -> Result<crate::sigv4::Verified, crate::sigv4::VerifyFailure> {
        let keys = self.keys.family(family);
        match self.signing_keys {
            Some(cache) => {
                let mut cache = cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                crate::sigv4::verify_with_cache(req, &keys, self.now, policy, &mut cache)
            }
            None => crate::sigv4::verify(req, &keys, self.now, policy),
        }
    }
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
    /// Every header as received, in order, names as sent (a name may repeat); what the
    /// SigV4 verifier canonicalises ([`crate::sigv4::SignableRequest::headers`]).
    pub headers: &'a [(String, String)],
    /// The trailing headers of an aws-chunked upload (lowercase names; empty otherwise),
    /// whose `body` is then the decoded payload.
    pub trailers: &'a [(String, String)],
    /// `body` as a shared buffer, when the pipeline has one (an aws-chunked upload's
    /// decoded payload): a service that keeps the body takes it without a copy.
    pub shared_body: Option<&'a bytes::Bytes>,
}

impl<'a> ServiceRequest<'a> {
    /// The request as the SigV4 verifier (and its diagnosis) reads it: method, raw path,
    /// URL query, headers as received, body.
    pub fn signable(&self) -> crate::sigv4::SignableRequest<'a> {
        crate::sigv4::SignableRequest {
            method: self.view.method,
            path: self.view.path,
            query: self.query,
            headers: self.headers.into(),
            payload: crate::sigv4::Payload::Bytes(self.body),
        }
    }

    /// The first value of header `name` (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Which service answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ServiceKind {
    /// Product Advertising API 4.x.
    Paapi,
    /// Amazon MWS.
    Mws,
    /// Product Advertising API 5.0.
    Paapi5,
    /// The generic SigV4 endpoint (any other AWS service).
    Aws,
}

impl ServiceKind {
    /// Every service.
    pub const ALL: [ServiceKind; 4] = [Self::Paapi, Self::Mws, Self::Paapi5, Self::Aws];

    /// The short name used in logs, scenario files and reports (`paapi`, `mws`, `paapi5`,
    /// `aws`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Paapi => "paapi",
            Self::Mws => "mws",
            Self::Paapi5 => "paapi5",
            Self::Aws => "aws",
        }
    }

    /// The keystore family whose secrets sign for this service.
    pub fn family(self) -> Family {
        match self {
            Self::Paapi | Self::Paapi5 => Family::Paapi,
            Self::Mws => Family::Mws,
            Self::Aws => Family::Aws,
        }
    }

    /// The service named `name` (see [`ServiceKind::name`]).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
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
    /// `Operation` (PA-API) or `Action` (MWS, AWS Query), the `X-Amz-Target` operation
    /// (PA-API 5, AWS JSON), or `METHOD path` (REST), when known.
    pub operation: Option<String>,
    /// `AWSAccessKeyId` (SigV2) or the credential's access key id (SigV4), when present.
    pub access_key_id: Option<String>,
    /// Accepted or refused.
    pub verdict: Verdict,
    /// The error code answered (also in-band PA-API codes), if any.
    pub error_code: Option<String>,
    /// Which host line the signature matched.
    pub host_form: Option<HostForm>,
    /// Why the signature check failed, when it did (any scheme); for an authenticated S3
    /// upload refused for its body (a checksum written the wrong way), the signer mistake
    /// behind it, with the verdict still `Accepted`.
    pub failure: Option<Failure>,
    /// SigV4 on the generic endpoint: whether the host decided the service the scope must
    /// name (a known AWS endpoint prefix) or the scope's was taken.
    pub service_from: Option<ServiceFrom>,
    /// S3: the bucket the request addresses.
    pub bucket: Option<String>,
    /// S3: the object key it addresses (decoded; none for bucket operations).
    pub key: Option<String>,
}

/// Who decided the service a SigV4 credential scope must name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ServiceFrom {
    /// The host: its endpoint prefix is a known AWS endpoint, with known signing names.
    Host,
    /// The scope: the host is not a real AWS host, or its prefix is not a known one.
    Scope,
}

impl Record {
    /// A refusal by `service` with nothing else known yet: the start of every service's
    /// record (fields are filled in as the checks go).
    pub(crate) fn refused(service: ServiceKind) -> Self {
        Record {
            service,
            operation: None,
            access_key_id: None,
            verdict: Verdict::Refused,
            error_code: None,
            host_form: None,
            failure: None,
            service_from: None,
            bucket: None,
            key: None,
        }
    }
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
    /// Bytes sent instead of `body` (an S3 object, shared with the store, never copied
    /// nor compressed); `None` for every other answer.
    pub object: Option<bytes::Bytes>,
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
    /// PA-API 5.0, with the locale code (`us`, `uk`, ...) of the host, or the default.
    Paapi5 {
        /// Locale code.
        locale: &'static str,
    },
    /// The generic SigV4 endpoint.
    Aws,
    /// A SigV2 Query API on the generic endpoint (`query::refine` picks it).
    Query {
        /// SimpleDB or EC2.
        api: query::QueryApi,
    },
}

/// What [`dispatch`] looks at: enough of a request to pick the service.
#[derive(Debug, Clone, Copy)]
pub struct RouteKey<'a> {
    /// The HTTP method.
    pub method: &'a str,
    /// The Host header as sent.
    pub host: &'a str,
    /// The raw path.
    pub path: &'a str,
    /// The raw query string (without `?`).
    pub query: &'a str,
    /// Every header as received (see [`ServiceRequest::headers`]).
    pub headers: &'a [(String, String)],
}

impl RouteKey<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The scheme the request's authentication parts name ([`crate::scheme::detect`]).
    pub fn scheme(&self) -> Option<SchemeId> {
        crate::scheme::detect(self.headers, self.query)
    }
}

/// True for a real AWS host (`*.amazonaws.com`, `*.amazonaws.com.cn`), lowercase, no port.
pub(crate) fn is_aws_host(host: &str) -> bool {
    host.ends_with(".amazonaws.com") || host.ends_with(".amazonaws.com.cn")
}

/// The path prefix of PA-API 5.0 operations.
pub const PAAPI5_PREFIX: &str = "/paapi5/";

/// Picks the service (see the module docs for the order).
pub fn dispatch(key: &RouteKey<'_>, options: &ServiceOptions) -> Option<Route> {
    let (host, path) = (key.host, key.path);
    let bare = crate::sigv2::host_without_port(host).to_ascii_lowercase();
    if path.starts_with(PAAPI5_PREFIX) {
        let locale = match paapi5::locale_for_host(&bare) {
            Some(l) => l,
            None => paapi5::locale_code(&options.default_paapi_locale)?,
        };
        return Some(Route::Paapi5 { locale });
    }
    if key.scheme() == Some(SchemeId::V4) || key.header("x-amz-target").is_some() {
        return Some(Route::Aws);
    }
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
    if is_aws_host(&bare) {
        return Some(Route::Aws);
    }
    if mws::is_mws_path(path) {
        return Some(Route::Mws { host: options.default_mws_host.clone() });
    }
    None
}

/// The SigV4 rules a route verifies a request with: what [`crate::diagnose::diagnose`]
/// must reuse to explain a mismatch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V4Rules {
    /// The service the scope must name (`None`: any).
    pub service: Option<String>,
    /// The region the scope must name (`None`: any).
    pub region: Option<String>,
    /// Canonicalisation (S3 or general).
    pub settings: crate::sigv4::SigningSettings,
}

impl V4Rules {
    /// As the verifier's policy.
    pub fn policy(&self, max_skew_secs: i64) -> crate::sigv4::VerifyPolicy<'_> {
        crate::sigv4::VerifyPolicy {
            max_skew_secs,
            expected_service: self.service.as_deref(),
            expected_region: self.region.as_deref(),
            settings: self.settings,
        }
    }
}

/// The SigV4 rules of `route` for `req` (`None` for the SigV2 services).
pub fn v4_rules(route: &Route, req: &ServiceRequest<'_>) -> Option<V4Rules> {
    match route {
        Route::Paapi5 { locale } => Some(paapi5::rules(locale)),
        Route::Aws => Some(aws::rules(req).1),
        Route::Paapi { .. } | Route::Mws { .. } | Route::Query { .. } => None,
    }
}

/// Answers `req` with the service `route` names.
pub fn handle(route: &Route, ctx: &Ctx<'_>, req: &ServiceRequest<'_>) -> Outcome {
    match route {
        Route::Paapi { locale } => paapi::handle(ctx, req, locale),
        Route::Mws { host } => mws::handle(ctx, req, host),
        Route::Paapi5 { locale } => paapi5::handle(ctx, req, locale),
        Route::Aws => aws::handle(ctx, req),
        Route::Query { api } => query::handle(ctx, req, *api),
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
        Route::Paapi5 { .. } => return paapi5::malformed(request_id, &message),
        Route::Aws | Route::Query { .. } => return aws::malformed(request_id, &message),
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
        object: None,
        record: Record { error_code: Some("MalformedQueryString".to_owned()), ..Record::refused(service) },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(method: &str, host: &str, path: &str, query: &str, headers: &[(&str, &str)]) -> Option<Route> {
        let headers: Vec<(String, String)> = headers.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect();
        let key = RouteKey { method, host, path, query, headers: &headers };
        dispatch(&key, &ServiceOptions::default())
    }

    #[test]
    fn dispatch_table() {
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
            ("webservices.amazon.co.jp", "/paapi5/getitems", Some(Route::Paapi5 { locale: "jp" })),
            ("127.0.0.1:8080", "/paapi5/searchitems", Some(Route::Paapi5 { locale: "us" })),
            ("sts.amazonaws.com", "/", Some(Route::Aws)),
            ("s3.eu-west-1.amazonaws.com", "/bucket/key", Some(Route::Aws)),
        ];
        for (host, path, want) in cases {
            assert_eq!(&route("GET", host, path, "", &[]), want, "{host} {path}");
        }
    }

    #[test]
    fn sigv4_goes_to_the_generic_endpoint() {
        let auth = [("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sts/aws4_request")];
        assert_eq!(route("POST", "127.0.0.1:8080", "/", "", &auth), Some(Route::Aws));
        assert_eq!(
            route("GET", "127.0.0.1:8080", "/b/k", "a=1&X-Amz-Algorithm=AWS4-HMAC-SHA256", &[]),
            Some(Route::Aws)
        );
        assert_eq!(
            route("POST", "127.0.0.1:8080", "/", "", &[("X-Amz-Target", "DynamoDB_20120810.ListTables")]),
            Some(Route::Aws)
        );
        // PA-API 5.0 wins over the generic endpoint, whatever the signature.
        assert_eq!(
            route("POST", "127.0.0.1:8080", "/paapi5/getitems", "", &auth),
            Some(Route::Paapi5 { locale: "us" })
        );
        // SigV2 stays SigV2.
        let v2 = [("Authorization", "AWS AKIAIOSFODNN7EXAMPLE:abc=")];
        assert_eq!(
            route("GET", "127.0.0.1:8080", "/onca/xml", "X-Amz-Algorithmx=1", &v2),
            Some(Route::Paapi { locale: "us" })
        );
    }
}
