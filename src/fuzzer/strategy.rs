//! Generated requests, biased to where signers break: every ASCII byte, reserved and
//! sub-delimiter characters, multi-byte UTF-8 and emoji, empty and long values, names that
//! sort differently by byte and by case, numbered list names, repeated names, ports,
//! uppercase hosts, empty paths, POST forms and HmacSHA1.

use crate::sigv2::SignatureMethod;
use proptest::prelude::*;
use serde::Serialize;

/// One generated request (the client adds the authentication parameters).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FuzzCase {
    /// GET or POST.
    pub method: String,
    /// `http` or `https`.
    pub scheme: String,
    /// Host (may carry a port, may be uppercase).
    pub host: String,
    /// Path (may be empty).
    pub path: String,
    /// Decoded parameters in order.
    pub params: Vec<(String, String)>,
    /// Declared SignatureMethod, if any.
    #[serde(serialize_with = "crate::adapter::protocol::signature_method_word::serialize")]
    pub signature_method: Option<SignatureMethod>,
    /// Credentials alias (`paapi`, `aws`: documentation keys; see `scenario::credentials_alias`),
    /// so that reports never carry a secret.
    pub credentials: String,
}

impl FuzzCase {
    /// `scheme://host/path`.
    pub fn endpoint(&self) -> String {
        format!("{}://{}{}", self.scheme, self.host, self.path)
    }
}

fn hard_text(max: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::collection::vec(prop_oneof![
            4 => proptest::char::range(' ', '~'),
            1 => prop::sample::select(vec!['é', 'ü', 'ß', '日', '本', '😀', '📚', '\u{2713}', '\t', '\n', '\u{7f}']),
        ], 0..max).prop_map(|v| v.into_iter().collect()),
        1 => Just(String::new()),
        1 => "[a-z ]{200,600}",
        1 => prop::sample::select(vec![" ", "+", "~", "*", "!'()", "%41", "a b", "a+b", "/=&", "%", ",", ":"]).prop_map(str::to_owned),
    ]
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec![
            "Keywords", "Title", "ItemId", "ResponseGroup", "SearchIndex", "Sort", "alpha", "Zeta", "zeta",
            "Item.1", "Item.10", "Item.2", "IdList.Id.1", "IdList.Id.10", "a~", "aé", "a b", "Marketplace", "x",
        ]).prop_map(str::to_owned),
        1 => "[A-Za-z][A-Za-z0-9._~-]{0,12}",
        1 => hard_text(8).prop_filter("names are not empty", |s| !s.is_empty()),
    ]
}

/// The strategy of cases an adapter with these capabilities can sign.
pub fn fuzz_case(can_post: bool, can_sha1: bool, only_paapi: bool) -> impl Strategy<Value = FuzzCase> {
    let hosts = if only_paapi {
        vec![
            "webservices.amazon.com",
            "webservices.amazon.co.uk",
            "WebServices.Amazon.com",
            "webservices.amazon.com:8443",
        ]
    } else {
        vec![
            "webservices.amazon.com",
            "webservices.amazon.co.uk",
            "WebServices.Amazon.com",
            "webservices.amazon.com:8443",
            "mws.amazonservices.com",
            "mws-eu.amazonservices.com:8443",
        ]
    };
    let methods = if can_post { vec!["GET", "GET", "POST"] } else { vec!["GET"] };
    let sig_methods = if can_sha1 {
        vec![None, Some(SignatureMethod::HmacSha256), Some(SignatureMethod::HmacSha1)]
    } else {
        vec![None, Some(SignatureMethod::HmacSha256)]
    };
    (
        prop::sample::select(methods),
        prop::sample::select(vec!["https", "http"]),
        prop::sample::select(hosts),
        prop::sample::select(vec!["/onca/xml", "/", "", "/Orders/2013-09-01"]),
        proptest::collection::vec((name(), hard_text(24)), 1..6),
        prop::sample::select(sig_methods),
        prop::sample::select(vec!["paapi", "aws"]),
    )
        .prop_map(|(method, scheme, host, path, generated, sig, credentials)| {
            let mut params = service_params(host);
            params.extend(generated);
            FuzzCase {
                method: method.to_owned(),
                scheme: scheme.to_owned(),
                host: host.to_owned(),
                path: path.to_owned(),
                params,
                signature_method: sig,
                credentials: credentials.to_owned(),
            }
        })
}

/// The parameters a request to `host`'s service cannot do without, first, so that a
/// client that checks them (PA-API clients refuse to sign without an `AssociateTag`, MWS
/// clients need a `SellerId`) signs the case instead of refusing it: PA-API's `Service`,
/// `Operation` and `AssociateTag` (the Developer Guide's example tag), MWS's `SellerId`
/// (the MWS guide's example seller) and `Action`.
fn service_params(host: &str) -> Vec<(String, String)> {
    let pairs: &[(&str, &str)] = if host.to_ascii_lowercase().starts_with("mws") {
        &[("Action", "ListOrders"), ("SellerId", "A1ExampleE6")]
    } else {
        &[("Service", "AWSECommerceService"), ("Operation", "ItemSearch"), ("AssociateTag", "mytag-20")]
    };
    pairs.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect()
}

/// One generated SigV4 request, shaped for a real AWS service (STS's form, DynamoDB's JSON
/// with `X-Amz-Target`, S3 objects, an API Gateway stage), with the hard parts of SigV4
/// canonicalisation: paths with reserved, multi-byte and dot segments (normalised for every
/// service but S3, encoded twice for every service but S3), query names and values that
/// sort and encode differently, repeated query names, header values with runs of blanks,
/// repeated and mixed-case header names, presigned URLs, unsigned payloads and session
/// tokens (each only when the adapter announces it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FuzzCaseV4 {
    /// `GET`, `POST` or `PUT`.
    pub method: String,
    /// The endpoint's host (`sts.us-east-1.amazonaws.com`).
    pub host: String,
    /// The path as it goes on the wire (percent-encoded once).
    pub path: String,
    /// Query parameters, decoded, in order (a name may repeat).
    pub query: Vec<(String, String)>,
    /// Headers besides the ones the signer adds, in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: String,
    /// The credential scope's region.
    pub region: String,
    /// The credential scope's service (the host's signing name).
    pub service: String,
    /// How the payload is signed.
    pub payload: crate::scenario::PayloadMode,
    /// A presigned URL valid this many seconds, instead of the `Authorization` header.
    pub presign_expires: Option<u64>,
    /// Credentials alias (`aws`, or `sts` with a session token).
    pub credentials: String,
}

impl FuzzCaseV4 {
    /// The URL as it goes on the wire: `https://host/path?query`, the query encoded the
    /// AWS way (RFC 3986, `%20` for a space).
    pub fn endpoint(&self) -> String {
        let mut url = format!("https://{}{}", self.host, self.path);
        for (i, (n, v)) in self.query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(&crate::encoding::encode(n.as_bytes()));
            url.push('=');
            url.push_str(&crate::encoding::encode(v.as_bytes()));
        }
        url
    }
}

/// What a SigV4 client announces that changes which cases it can sign.
#[derive(Debug, Clone, Copy, Default)]
#[allow(clippy::struct_excessive_bools)] // one flag per protocol capability
pub struct V4Capabilities {
    /// `presign`.
    pub presign: bool,
    /// `unsigned-payload`.
    pub unsigned_payload: bool,
    /// `content-sha256` (needed for S3).
    pub content_sha256: bool,
    /// `security-token`.
    pub security_token: bool,
}

fn path_segment() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::collection::vec(prop_oneof![
            6 => proptest::char::range('a', 'z'),
            2 => prop::sample::select(vec![' ', '+', '~', '*', '!', '\'', '(', ')', ',', ';', '=', ':', '@', '$', '&']),
            1 => prop::sample::select(vec!['é', '日', '😀']),
        ], 1..8).prop_map(|v| v.into_iter().collect()),
        1 => prop::sample::select(vec![".", "..", ""]).prop_map(str::to_owned),
    ]
}

fn wire_path(segments: &[String]) -> String {
    let mut path = String::new();
    for s in segments {
        path.push('/');
        path.push_str(&crate::encoding::encode(s.as_bytes()));
    }
    path
}

fn header_value() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[!-~]{1,12}",
        1 => "[a-z]{1,4}  +[a-z]{1,4}",
        1 => " [a-z]{1,6} ",
        1 => Just(String::new()),
    ]
}

/// The strategy of SigV4 cases an adapter with these capabilities can sign.
pub fn fuzz_case_v4(caps: V4Capabilities) -> impl Strategy<Value = FuzzCaseV4> {
    use crate::scenario::PayloadMode;
    let mut services = vec!["sts", "dynamodb", "execute-api"];
    if caps.content_sha256 {
        services.push("s3");
    }
    let query = proptest::collection::vec((name(), hard_text(12)), 0..4);
    let headers = proptest::collection::vec(
        prop_oneof![
            6 => (prop::sample::select(vec!["X-Amz-Meta-Note", "x-custom", "My-Header", "my-header", "X-Trace"]), header_value()),
            // A caller's Date besides the signer's X-Amz-Date (the signing time is X-Amz-Date's).
            1 => Just(("Date", "Sun, 17 Aug 2014 23:55:00 GMT".to_owned())),
        ],
        0..3,
    );
    (
        prop::sample::select(services),
        prop::sample::select(vec!["us-east-1", "eu-west-1"]),
        proptest::collection::vec(path_segment(), 0..4),
        query,
        headers,
        hard_text(16),
        any::<(bool, bool, bool)>(),
        // The authority as written: a port is signed as sent (`host-with-default-port`).
        prop::sample::select(vec!["", "", "", ":443", ":8443"]),
    )
        .prop_map(move |(service, region, segments, query, extra, text, (presign, unsigned, token), port)| {
            // Presigned URLs are GETs (an S3 object, an API Gateway resource).
            let presign = caps.presign && presign && matches!(service, "s3" | "execute-api");
            let credentials = if caps.security_token && token { "sts" } else { "aws" };
            let (method, host, path, mut headers, body, payload) = match service {
                "sts" => (
                    "POST",
                    format!("sts.{region}.amazonaws.com"),
                    "/".to_owned(),
                    vec![("Content-Type".to_owned(), "application/x-www-form-urlencoded; charset=utf-8".to_owned())],
                    "Action=GetCallerIdentity&Version=2011-06-15".to_owned(),
                    PayloadMode::Signed,
                ),
                "dynamodb" => (
                    "POST",
                    format!("dynamodb.{region}.amazonaws.com"),
                    "/".to_owned(),
                    vec![
                        ("Content-Type".to_owned(), "application/x-amz-json-1.0".to_owned()),
                        ("X-Amz-Target".to_owned(), "DynamoDB_20120810.DescribeTable".to_owned()),
                    ],
                    serde_json::json!({ "TableName": text }).to_string(),
                    PayloadMode::Signed,
                ),
                "s3" => {
                    let put = !presign && !text.is_empty();
                    // A presigned S3 URL signs UNSIGNED-PAYLOAD (S3 API Reference, "Authenticating
                    // Requests: Using Query Parameters"); a header-signed one its hash, or
                    // UNSIGNED-PAYLOAD for a client that offers it.
                    let payload = if presign || (unsigned && caps.unsigned_payload) {
                        PayloadMode::Unsigned
                    } else {
                        PayloadMode::ContentSha256
                    };
                    // S3 keys keep dot segments (no normalisation); empty ones would be `//`.
                    let mut key = segments.clone();
                    key.retain(|s| !s.is_empty());
                    key.insert(0, "examplebucket".to_owned());
                    if key.len() == 1 {
                        key.push("photo.jpg".to_owned());
                    }
                    (
                        if put { "PUT" } else { "GET" },
                        format!("s3.{region}.amazonaws.com"),
                        wire_path(&key),
                        Vec::new(),
                        if put { text } else { String::new() },
                        payload,
                    )
                }
                _ => {
                    let mut stage = vec!["prod".to_owned()];
                    stage.extend(segments);
                    (
                        "GET",
                        format!("a1b2c3d4e5.execute-api.{region}.amazonaws.com"),
                        wire_path(&stage),
                        Vec::new(),
                        String::new(),
                        PayloadMode::Signed,
                    )
                }
            };
            headers.extend(extra.into_iter().map(|(n, v)| (n.to_owned(), v)));
            FuzzCaseV4 {
                method: method.to_owned(),
                host: host + port,
                path,
                query,
                headers,
                body,
                region: region.to_owned(),
                service: service.to_owned(),
                payload,
                presign_expires: presign.then_some(300),
                credentials: credentials.to_owned(),
            }
        })
}
