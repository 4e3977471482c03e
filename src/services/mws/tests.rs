//! Tests of the MWS service, calling [`handle`] directly with the embedded keystore and
//! catalogue, a fixed clock and requests signed with [`sigv2::sign`]:
//! - one table of cases covering every operation and every error (data:
//!   `tests/data/services/mws.yaml`, so adding a case needs no Rust), each body
//!   snapshotted and parsed back (status, code, message, root, namespace, request-id
//!   spelling);
//! - the seller / developer / MWSAuthToken table;
//! - throttling with a small [`Throttle`] built on [`Buckets`] behind a mutex;
//! - the SigV2 failure table, paging, downloads, headers and journal records.

use super::quota::{MAX, REMAINING, RESETS_ON};
use super::*;
use crate::catalogue::Catalogue;
use crate::clock::UtcTime;
use crate::crypto::KeyState;
use crate::crypto::SecretKey;
use crate::encoding::ParamList;
use crate::keystore::{KeyStatus, Keystore};
use crate::request::{RequestView, Scheme};
use crate::services::throttle::Buckets;
use crate::services::{Quota, ServiceOptions, Throttle, ThrottleDecision, Unlimited};
use crate::sigv2::{self, HostForm, HostMatch, SignatureMethod, VerifyFailure};
use std::fmt::Write as _;
use std::sync::Mutex;

const NOW: &str = "2020-06-25T12:00:00Z";
const RID: &str = "8d3c5e9a-1f2b-4c6d-9e8f-0a1b2c3d4e5f";
const HOST: &str = "mws.amazonservices.com";
const DEV_KEY: &str = "022QF0EXAMPLEH9DHM02";
const OTHER_DEV_KEY: &str = "AKIAOTHERDEVEXAMPLE0";
const PAAPI_KEY: &str = "AKIAIOSFODNN7EXAMPLE";
const SELLER: &str = "A1ExampleE6";
const TOKEN: &str = "amzn.mws.4ea38b7b-f563-7709-4bae-87aeaEXAMPLE";
const US: &str = "ATVPDKIKX0DER";

const ORDERS: &str = "/Orders/2013-09-01";
const PRODUCTS: &str = "/Products/2011-10-01";
const SELLERS: &str = "/Sellers/2011-07-01";
const FEEDS: &str = "/Feeds/2009-01-01";
const REPORTS: &str = "/Reports/2009-01-01";

const ORDERS_NS: &str = "https://mws.amazonservices.com/Orders/2013-09-01";
const PRODUCTS_NS: &str = "http://mws.amazonservices.com/schema/Products/2011-10-01";
const LEGACY_NS: &str = "http://mws.amazonaws.com/doc/2009-01-01/";

const GATEWAY: &str = "RequestID";
const SECTION: &str = "RequestId";

const FEED: &str = "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>\n<AmazonEnvelope xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:noNamespaceSchemaLocation=\"amzn-envelope.xsd\">\n  <Header><DocumentVersion>1.01</DocumentVersion><MerchantIdentifier>A1ExampleE6</MerchantIdentifier></Header>\n  <MessageType>Inventory</MessageType>\n  <Message><MessageID>1</MessageID><OperationType>Update</OperationType><Inventory><SKU>EX-PRESS-001</SKU><Quantity>9</Quantity></Inventory></Message>\n</AmazonEnvelope>\n";

fn now() -> UtcTime {
    UtcTime::parse_iso8601(NOW).unwrap()
}

/// How a test request is signed.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Sign {
    /// With the access key's secret.
    Good,
    /// With another secret.
    WrongSecret,
    /// `Signature` is not base64.
    NotBase64,
    /// `Signature` decodes to 3 bytes.
    WrongLength,
    /// No `Signature` at all.
    Omit,
    /// Signed, then a parameter's value is changed.
    TamperAfter(&'static str, &'static str),
    /// Signed over another Host line.
    ForHost(&'static str),
}

/// Where the parameters travel.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Location {
    Form,
    Query,
}

/// A test request.
#[derive(Debug, Clone)]
struct Req {
    method: &'static str,
    host: &'static str,
    path: &'static str,
    params: Vec<(String, String)>,
    location: Location,
    body: Vec<u8>,
    content_type: Option<&'static str>,
    content_md5: Option<String>,
    sign: Sign,
    inactive_key: bool,
    host_match: HostMatch,
}

fn version_of(path: &str) -> &str {
    path.rsplit('/').next().filter(|v| !v.is_empty()).unwrap_or("2009-01-01")
}

/// A POST form request for `action` at `path`, signed by the developer for the seller.
fn req(path: &'static str, action: &str) -> Req {
    let params = [
        ("AWSAccessKeyId", DEV_KEY),
        ("Action", action),
        ("MWSAuthToken", TOKEN),
        ("SellerId", SELLER),
        ("SignatureMethod", "HmacSHA256"),
        ("SignatureVersion", "2"),
        ("Timestamp", NOW),
        ("Version", version_of(path)),
    ];
    Req {
        method: "POST",
        host: HOST,
        path,
        params: params.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect(),
        location: Location::Form,
        body: Vec::new(),
        content_type: Some("application/x-www-form-urlencoded; charset=utf-8"),
        content_md5: None,
        sign: Sign::Good,
        inactive_key: false,
        host_match: HostMatch::Exact,
    }
}

impl Req {
    fn with(mut self, name: &str, value: &str) -> Self {
        match self.params.iter_mut().find(|(n, _)| n == name) {
            Some(p) => value.clone_into(&mut p.1),
            None => self.params.push((name.to_owned(), value.to_owned())),
        }
        self
    }
    fn without(mut self, name: &str) -> Self {
        self.params.retain(|(n, _)| n != name);
        self
    }
    /// SubmitFeed's shape: signed parameters in the URL of a POST, the feed as the body.
    fn feed(mut self, body: &str) -> Self {
        self.location = Location::Query;
        self.body = body.as_bytes().to_vec();
        self.content_type = Some("text/xml");
        self
    }
    fn sign(mut self, sign: Sign) -> Self {
        self.sign = sign;
        self
    }
}

fn secret_of(keys: &Keystore, id: &str) -> SecretKey {
    match keys.family(crate::keystore::Family::Mws).lookup(id) {
        KeyState::Active(s) => s.clone(),
        _ => SecretKey::new("a-secret-nobody-has"),
    }
}

/// Signs and sends `r` to `handle` with `throttle`.
fn send(r: &Req, throttle: &dyn Throttle) -> Outcome {
    let base = Keystore::embedded_default();
    let mut keys = base.clone();
    let mut params: ParamList = r.params.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let akid = params.get("AWSAccessKeyId").unwrap_or_default().to_owned();
    if r.inactive_key {
        keys.set_key_status(&akid, KeyStatus::Inactive).unwrap();
    }
    let method = params.get("SignatureMethod").and_then(|m| m.parse().ok()).unwrap_or(SignatureMethod::HmacSha256);
    let signature = {
        let view = RequestView { method: r.method, scheme: Scheme::Https, host: r.host, path: r.path, params: &params };
        match r.sign {
            Sign::Good | Sign::TamperAfter(..) => Some(sigv2::sign(&view, method, &secret_of(&base, &akid)).signature),
            Sign::ForHost(host) => {
                let view = RequestView { host, ..view };
                Some(sigv2::sign(&view, method, &secret_of(&base, &akid)).signature)
            }
            Sign::WrongSecret => Some(sigv2::sign(&view, method, &SecretKey::new("wrong")).signature),
            Sign::NotBase64 => Some("not*base64!".to_owned()),
            Sign::WrongLength => Some("AAAA".to_owned()),
            Sign::Omit => None,
        }
    };
    if let Some(s) = signature {
        params.push("Signature", s);
    }
    if let Sign::TamperAfter(name, value) = r.sign {
        params.set(name, value);
    }
    let empty = ParamList::default();
    let form_body;
    let (query, body) = match r.location {
        Location::Query => (&params, r.body.as_slice()),
        Location::Form => {
            form_body = sigv2::wire_query(&params, None);
            (&empty, form_body.as_bytes())
        }
    };
    let view = RequestView { method: r.method, scheme: Scheme::Https, host: r.host, path: r.path, params: &params };
    let service_request = ServiceRequest {
        view,
        query,
        body,
        content_type: r.content_type,
        content_md5: r.content_md5.as_deref(),
        user_agent: Some("amzsig-tests/1.0 (Language=Rust)"),
        headers: &[],
        trailers: &[],
        shared_body: None,
    };
    let catalogue = Catalogue::embedded_default();
    let options = ServiceOptions { host_match: r.host_match, ..ServiceOptions::default() };
    let ctx = Ctx {
        keys: &keys,
        catalogue: &catalogue,
        now: now(),
        options: &options,
        request_id: RID,
        throttle,
        signing_keys: None,
        s3: None,
    };
    let endpoint = sigv2::host_without_port(r.host);
    handle(&ctx, &service_request, if is_mws_host(endpoint) { endpoint } else { HOST })
}

fn header<'a>(o: &'a Outcome, name: &str) -> Option<&'a str> {
    o.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

/// What a case must answer.
struct Case {
    name: &'static str,
    req: Req,
    status: u16,
    /// Expected namespace of the root element (`None` for downloads).
    ns: Option<&'static str>,
    /// For errors: code, exact message, request-id element.
    error: Option<(&'static str, &'static str, &'static str)>,
}

fn err(
    name: &'static str,
    req: Req,
    status: u16,
    ns: &'static str,
    code: &'static str,
    message: &'static str,
    id: &'static str,
) -> Case {
    Case { name, req, status, ns: Some(ns), error: Some((code, message, id)) }
}

/// The request table: `tests/data/services/mws.yaml` (its header says the format).
const TABLE: &str = include_str!("../../../tests/data/services/mws.yaml");

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TableFile {
    cases: Vec<TableCase>,
}

/// One case of the table file, turned into a [`Case`] by [`TableCase::case`].
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TableCase {
    name: String,
    path: String,
    action: String,
    #[serde(default)]
    drop: Vec<String>,
    #[serde(default)]
    params: Vec<(String, String)>,
    method: Option<String>,
    host: Option<String>,
    location: Option<String>,
    body: Option<String>,
    content_type: Option<String>,
    #[serde(default)]
    no_content_type: bool,
    content_md5: Option<String>,
    sign: Option<String>,
    tamper_after_signing: Option<(String, String)>,
    signed_for_host: Option<String>,
    #[serde(default)]
    inactive_key: bool,
    host_match: Option<String>,
    status: Option<u16>,
    ns: Option<String>,
    error: Option<TableError>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TableError {
    code: String,
    message: String,
    id: String,
}

/// The table is read once per test; leaking its strings lets a case use the same
/// `'static` [`Req`] the hand-written tests build.
fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

impl TableCase {
    fn case(self) -> Case {
        let name = leak(self.name);
        let mut r = req(leak(self.path), &self.action);
        for n in &self.drop {
            r = r.without(n);
        }
        for (n, v) in &self.params {
            r = r.with(n, v);
        }
        if let Some(m) = self.method {
            r.method = leak(m);
        }
        if let Some(h) = self.host {
            r.host = leak(h);
        }
        r.location = match self.location.as_deref() {
            None => r.location,
            Some("form") => Location::Form,
            Some("query") => Location::Query,
            Some(other) => panic!("{name}: location {other:?}"),
        };
        if let Some(b) = self.body {
            r.body = b.into_bytes();
        }
        if self.no_content_type {
            r.content_type = None;
        } else if let Some(ct) = self.content_type {
            r.content_type = Some(leak(ct));
        }
        r.content_md5 = self.content_md5;
        r.sign = match (self.sign.as_deref(), self.tamper_after_signing, self.signed_for_host) {
            (None, None, None) => Sign::Good,
            (Some("wrong-secret"), None, None) => Sign::WrongSecret,
            (Some("not-base64"), None, None) => Sign::NotBase64,
            (Some("wrong-length"), None, None) => Sign::WrongLength,
            (Some("omit"), None, None) => Sign::Omit,
            (None, Some((n, v)), None) => Sign::TamperAfter(leak(n), leak(v)),
            (None, None, Some(h)) => Sign::ForHost(leak(h)),
            other => panic!("{name}: signing {other:?}"),
        };
        r.inactive_key = self.inactive_key;
        r.host_match = match self.host_match.as_deref() {
            None => HostMatch::Exact,
            Some("also-without-port") => HostMatch::AlsoWithoutPort,
            Some(other) => panic!("{name}: host_match {other:?}"),
        };
        Case {
            name,
            req: r,
            status: self.status.unwrap_or(200),
            ns: self.ns.map(leak),
            error: self.error.map(|e| (leak(e.code), leak(e.message), leak(e.id))),
        }
    }
}

/// Every case of the table file.
fn cases() -> Vec<Case> {
    let file: TableFile = serde_yaml::from_str(TABLE).unwrap_or_else(|e| panic!("tests/data/services/mws.yaml: {e}"));
    file.cases.into_iter().map(TableCase::case).collect()
}

/// Sends a case, checks it, parses the body back and snapshots it.
fn check(case: &Case, throttle: &dyn Throttle) -> Outcome {
    let o = send(&case.req, throttle);
    let name = case.name;
    assert_eq!(o.status, case.status, "{name}: {}", o.body);
    assert_eq!(header(&o, "x-mws-request-id"), Some(RID), "{name}");
    assert_eq!(o.record.service, ServiceKind::Mws, "{name}");
    if o.content_type.starts_with("text/plain") {
        insta::assert_snapshot!(name, o.body);
        return o;
    }
    assert_eq!(o.content_type, "text/xml", "{name}");
    let doc = crate::xml::parse(&o.body).unwrap_or_else(|e| panic!("{name}: {e}\n{}", o.body));
    match case.error {
        Some((code, message, id)) if case.status != 200 => {
            assert_eq!(doc.name, "ErrorResponse", "{name}");
            assert_eq!(doc.attr_value("xmlns"), case.ns, "{name}");
            assert_eq!(doc.path("Error/Code").unwrap().text_content(), code, "{name}");
            assert_eq!(doc.path("Error/Message").unwrap().text_content(), message, "{name}");
            assert_eq!(doc.path(id).map(crate::xml::Element::text_content).as_deref(), Some(RID), "{name}: {id}");
            let other = if id == GATEWAY { SECTION } else { GATEWAY };
            assert!(doc.path(other).is_none(), "{name}: {other} must not appear");
            assert_eq!(o.record.verdict, Verdict::Refused, "{name}");
            assert_eq!(o.record.error_code.as_deref(), Some(code), "{name}");
        }
        _ => {
            let action = case.req.params.iter().find(|(n, _)| n == "Action").map(|(_, v)| v.as_str()).unwrap();
            assert_eq!(o.record.verdict, Verdict::Accepted, "{name}");
            assert_eq!(o.record.operation.as_deref(), Some(action), "{name}");
            if case.ns.is_none() {
                assert_eq!(doc.name, "AmazonEnvelope", "{name}");
            } else {
                assert_eq!(doc.name, format!("{action}Response"), "{name}");
                assert_eq!(doc.attr_value("xmlns"), case.ns, "{name}");
                assert_eq!(doc.path("ResponseMetadata/RequestId").unwrap().text_content(), RID, "{name}");
                assert!(doc.find(&format!("{action}Result")).is_some(), "{name}");
            }
        }
    }
    insta::assert_snapshot!(name, o.body);
    o
}

#[test]
fn table() {
    let cases = cases();
    let mut names = std::collections::BTreeSet::new();
    for case in &cases {
        assert!(names.insert(case.name), "duplicate case {}", case.name);
        check(case, &Unlimited);
    }
    // Every operation appears at least once with a 200.
    for action in [
        "GetServiceStatus",
        "ListOrders",
        "GetOrder",
        "ListOrderItems",
        "ListMatchingProducts",
        "GetMatchingProductForId",
        "GetLowestOfferListingsForASIN",
        "ListMarketplaceParticipations",
        "SubmitFeed",
        "GetFeedSubmissionList",
        "GetFeedSubmissionResult",
        "RequestReport",
        "GetReportRequestList",
        "GetReport",
    ] {
        assert!(
            cases.iter().any(|c| c.status == 200 && c.req.params.iter().any(|(n, v)| n == "Action" && v == action)),
            "{action} has no success case"
        );
    }
}

#[test]
fn smoke() {
    // Paste a failing case here to iterate on it alone.
    let o = send(&req(ORDERS, "GetServiceStatus"), &Unlimited);
    assert_eq!(o.status, 200, "{}", o.body);
}

#[test]
fn in_band_product_errors() {
    let r = req(PRODUCTS, "GetMatchingProductForId")
        .with("MarketplaceId", US)
        .with("IdType", "ASIN")
        .with("IdList.Id.1", "PRESS001")
        .with("IdList.Id.2", "B0EXAMPLE1");
    let o = send(&r, &Unlimited);
    assert_eq!(o.status, 200);
    assert_eq!(o.record.verdict, Verdict::Accepted);
    assert_eq!(o.record.error_code.as_deref(), Some("InvalidParameterValue"));
    let doc = crate::xml::parse(&o.body).unwrap();
    let results: Vec<_> = doc
        .children
        .iter()
        .filter_map(|n| match n {
            crate::xml::Node::Element(e) if e.name == "GetMatchingProductForIdResult" => Some(e),
            _ => None,
        })
        .collect();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0].attr_value("status"), Some("ClientError"));
    assert_eq!(
        results[0].path("Error/Message").unwrap().text_content(),
        "Invalid ASIN identifier PRESS001 for marketplace ATVPDKIKX0DER"
    );
    assert_eq!(results[1].attr_value("status"), Some("Success"));
    assert_eq!(
        results[1].path("Products/Product/Identifiers/MarketplaceASIN/ASIN").unwrap().text_content(),
        "B0EXAMPLE1"
    );
    let attrs = results[1].path("Products/Product/AttributeSets/ns2:ItemAttributes").unwrap();
    assert_eq!(attrs.attr_value("xml:lang"), Some("en-US"));
}

#[test]
fn orders_page_with_next_token() {
    let first = send(
        &req(ORDERS, "ListOrders")
            .with("MarketplaceId.Id.1", US)
            .with("LastUpdatedAfter", "2020-05-01T00:00:00Z")
            .with("MaxResultsPerPage", "2"),
        &Unlimited,
    );
    assert_eq!(first.status, 200, "{}", first.body);
    insta::assert_snapshot!("list-orders-page-1", first.body);
    let mut seen = Vec::new();
    let mut doc = crate::xml::parse(&first.body).unwrap();
    let mut result = "ListOrdersResult";
    for page in 2.. {
        let r = doc.find(result).unwrap();
        let orders = r.find("Orders").unwrap();
        seen.extend(orders.children.iter().filter_map(|n| match n {
            crate::xml::Node::Element(e) => Some(e.path("AmazonOrderId").unwrap().text_content()),
            crate::xml::Node::Text(_) => None,
        }));
        assert!(r.find("LastUpdatedBefore").is_some());
        let Some(token) = r.find("NextToken").map(crate::xml::Element::text_content) else { break };
        let next = send(&req(ORDERS, "ListOrdersByNextToken").with("NextToken", &token), &Unlimited);
        assert_eq!(next.status, 200, "{}", next.body);
        insta::assert_snapshot!(format!("list-orders-page-{page}"), next.body);
        doc = crate::xml::parse(&next.body).unwrap();
        assert_eq!(doc.name, "ListOrdersByNextTokenResponse");
        result = "ListOrdersByNextTokenResult";
    }
    assert_eq!(
        seen,
        [
            "112-9876543-1000005",
            "112-9876543-1000001",
            "112-9876543-1000002",
            "112-9876543-1000003",
            "112-9876543-1000004"
        ]
    );
}

#[test]
fn downloads_carry_content_md5() {
    for (r, content_type) in [
        (req(REPORTS, "GetReport").with("ReportId", "21100000001018424"), "text/plain;charset=Cp1252"),
        (req(FEEDS, "GetFeedSubmissionResult").with("FeedSubmissionId", "50001018438"), "text/xml"),
    ] {
        let o = send(&r, &Unlimited);
        assert_eq!(o.status, 200, "{}", o.body);
        assert_eq!(o.content_type, content_type);
        assert_eq!(header(&o, "Content-MD5"), Some(params::content_md5(o.body.as_bytes()).as_str()));
        assert_eq!(header(&o, MAX), Some("60.0"));
    }
}

#[test]
fn response_headers() {
    let o = send(&req(REPORTS, "GetReportRequestList"), &Unlimited);
    let names: Vec<&str> = o.headers.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["x-mws-request-id", "x-mws-timestamp", "x-amz-request-id", "x-amz-rid", MAX, REMAINING, RESETS_ON]
    );
    assert_eq!(header(&o, "x-mws-timestamp"), Some("2020-06-25T12:00:00.000Z"));
    assert_eq!(header(&o, "x-amz-request-id"), Some(RID));
    let rid = header(&o, "x-amz-rid").unwrap();
    assert!(rid.len() == 20 && rid.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()), "{rid}");
    assert_eq!(header(&o, MAX), Some("80.0"));
    // Orders and Sellers have no hourly quota: no quota headers (as recorded live).
    let o = send(&req(ORDERS, "GetServiceStatus"), &Unlimited);
    assert_eq!(header(&o, MAX), None);
    // Errors before authentication carry no quota headers; errors after it do.
    let o = send(&req(REPORTS, "GetReport").with("ReportId", "1").sign(Sign::WrongSecret), &Unlimited);
    assert_eq!((o.status, header(&o, MAX)), (403, None));
    let o = send(&req(REPORTS, "GetReport").with("ReportId", "1"), &Unlimited);
    assert_eq!((o.status, header(&o, MAX)), (400, Some("60.0")));
    // GetServiceStatus's timestamp equals the header.
    let o = send(&req(SELLERS, "GetServiceStatus"), &Unlimited);
    let doc = crate::xml::parse(&o.body).unwrap();
    assert_eq!(
        Some(doc.path("GetServiceStatusResult/Timestamp").unwrap().text_content().as_str()),
        header(&o, "x-mws-timestamp")
    );
}

#[test]
fn journal_records() {
    let o = send(&req(ORDERS, "GetServiceStatus"), &Unlimited);
    assert_eq!(o.record.operation.as_deref(), Some("GetServiceStatus"));
    assert_eq!(o.record.access_key_id.as_deref(), Some(DEV_KEY));
    assert_eq!(o.record.verdict, Verdict::Accepted);
    assert_eq!(o.record.host_form, Some(HostForm::AsSent));
    assert_eq!((o.record.error_code.as_ref(), o.record.failure.as_ref()), (None, None));

    let o = send(&req(ORDERS, "GetServiceStatus").sign(Sign::WrongSecret), &Unlimited);
    assert_eq!(o.record.verdict, Verdict::Refused);
    assert_eq!(o.record.error_code.as_deref(), Some("SignatureDoesNotMatch"));
    assert!(matches!(
        o.record.failure.as_ref().and_then(crate::scheme::Failure::as_v2),
        Some(VerifyFailure::Mismatch { .. })
    ));
    assert_eq!(o.record.host_form, None);

    let o = send(&req(ORDERS, "Frobnicate"), &Unlimited);
    assert_eq!(o.record.operation.as_deref(), Some("Frobnicate"));
    assert_eq!(o.record.error_code.as_deref(), Some("InvalidAddress"));

    // A client that signs the host without its port (MWS PHP libraries), accepted when asked.
    let r = Req { host: "127.0.0.1:8080", host_match: HostMatch::AlsoWithoutPort, ..req(ORDERS, "GetServiceStatus") };
    let o = send(&r.clone().sign(Sign::ForHost("127.0.0.1")), &Unlimited);
    assert_eq!(o.status, 200, "{}", o.body);
    assert_eq!(o.record.host_form, Some(HostForm::WithoutPort));
    let o = send(&Req { host_match: HostMatch::Exact, ..r }.sign(Sign::ForHost("127.0.0.1")), &Unlimited);
    assert_eq!(o.status, 403, "{}", o.body);
}

#[test]
fn verify_failure_table() {
    let canonical = sigv2::canonicalize(&RequestView {
        method: "POST",
        scheme: Scheme::Https,
        host: HOST,
        path: ORDERS,
        params: &ParamList::default(),
    });
    let all = [
        VerifyFailure::MissingParameter("Timestamp"),
        VerifyFailure::TimestampWithExpires,
        VerifyFailure::UnsupportedSignatureVersion("1".into()),
        VerifyFailure::UnsupportedSignatureMethod("HmacMD5".into()),
        VerifyFailure::MalformedTimestamp { param: "Expires", raw: "soon".into() },
        VerifyFailure::UnknownAccessKey("AKIA".into()),
        VerifyFailure::InactiveAccessKey("AKIA".into()),
        VerifyFailure::SignatureNotBase64 { raw: "a b".into() },
        VerifyFailure::SignatureWrongLength { method: SignatureMethod::HmacSha1, expected: 20, actual: 3 },
        VerifyFailure::Expired { param: "Timestamp", raw: "2020-06-25T11:00:00Z".into() },
        VerifyFailure::TimestampInFuture { raw: "2020-06-25T13:00:00Z".into() },
        VerifyFailure::Mismatch { expected: canonical },
    ];
    let mut rendered = String::new();
    for f in &all {
        let e = errors::verify_failure(f);
        assert!(matches!(e.status, 400 | 403), "{f:?}");
        assert_eq!(e.spelling, crate::xml::mws::RequestIdElement::Gateway, "{f:?}");
        let doc = e.to_document(ORDERS_NS, RID);
        let back = crate::xml::parse(&doc).unwrap();
        assert_eq!(back.path("Error/Code").unwrap().text_content(), e.code);
        assert_eq!(back.path("RequestID").unwrap().text_content(), RID);
        writeln!(rendered, "{f:?}\n  {} {}\n  {doc}", e.status, e.code).unwrap();
    }
    insta::assert_snapshot!("verify-failure-table", rendered);
}

/// A mix-up row: (case, access key, SellerId, MWSAuthToken, status, AccessDenied message).
type Row = (&'static str, &'static str, &'static str, Option<&'static str>, u16, Option<&'static str>);

/// The seller / developer / MWSAuthToken mix-ups.
#[test]
fn authorisation_table() {
    const WRONG_TOKEN: &str = "amzn.mws.00000000-0000-0000-0000-00000EXAMPLE";
    let denied = "Access to Orders.ListOrders is denied";
    let rows: &[Row] = &[
        ("auth-developer-with-token", DEV_KEY, SELLER, Some(TOKEN), 200, None),
        ("auth-developer-without-token", DEV_KEY, SELLER, None, 401, Some("Missing required MWSAuthToken for Seller.")),
        (
            "auth-developer-empty-token",
            DEV_KEY,
            SELLER,
            Some(""),
            401,
            Some("Missing required MWSAuthToken for Seller."),
        ),
        ("auth-developer-wrong-token", DEV_KEY, SELLER, Some(WRONG_TOKEN), 401, Some(denied)),
        ("auth-other-developer-with-the-token", OTHER_DEV_KEY, SELLER, Some(TOKEN), 401, Some(denied)),
        ("auth-other-developer-without-token", OTHER_DEV_KEY, SELLER, None, 401, Some(denied)),
        ("auth-paapi-key", PAAPI_KEY, SELLER, Some(TOKEN), 401, Some(denied)),
        ("auth-unknown-seller", DEV_KEY, "A2NOSUCHSELLER", Some(TOKEN), 401, Some(denied)),
    ];
    for &(name, key, seller, token, status, message) in rows {
        let mut r = req(ORDERS, "ListOrders")
            .with("MarketplaceId.Id.1", US)
            .with("CreatedAfter", "2020-06-01T00:00:00Z")
            .with("AWSAccessKeyId", key)
            .with("SellerId", seller)
            .without("MWSAuthToken");
        if let Some(t) = token {
            r = r.with("MWSAuthToken", t);
        }
        let case =
            Case { name, req: r, status, ns: Some(ORDERS_NS), error: message.map(|m| ("AccessDenied", m, GATEWAY)) };
        let o = check(&case, &Unlimited);
        assert_eq!(o.record.access_key_id.as_deref(), Some(key));
        assert_eq!(o.record.host_form, Some(HostForm::AsSent), "{name}: the signature itself was good");
    }
}

/// Buckets behind a mutex, counting how many times each key was asked for.
#[derive(Default)]
struct Counting {
    buckets: Mutex<Buckets>,
    calls: Mutex<Vec<String>>,
}

impl Throttle for Counting {
    fn take(&self, key: &str, quota: Quota, now: UtcTime) -> ThrottleDecision {
        self.calls.lock().unwrap().push(key.to_owned());
        self.buckets.lock().unwrap().take(key, quota, now)
    }
}

#[test]
fn throttling_burst_then_request_throttled() {
    let throttle = Counting::default();
    let submit = req(FEEDS, "SubmitFeed")
        .with("FeedType", "_POST_PRODUCT_DATA_")
        .with("ContentMD5Value", &params::content_md5(FEED.as_bytes()))
        .feed(FEED);
    for i in 1..=15 {
        let o = send(&submit, &throttle);
        assert_eq!(o.status, 200, "request {i}: {}", o.body);
        assert_eq!(header(&o, MAX), Some("30.0"));
        assert_eq!(header(&o, REMAINING), Some(format!("{}.0", 30 - i).as_str()));
    }
    let o = check(
        &err(
            "submit-feed-throttled",
            submit.clone(),
            503,
            LEGACY_NS,
            "RequestThrottled",
            "Request is throttled",
            GATEWAY,
        ),
        &throttle,
    );
    let doc = crate::xml::parse(&o.body).unwrap();
    assert_eq!(doc.path("Error/Type").unwrap().text_content(), "", "live throttling responses had an empty Type");
    assert_eq!(header(&o, MAX), Some("30.0"));
    assert_eq!(header(&o, REMAINING), Some("14.0"));
    // 16 of 30 used, one back every 120 s: full again 16 × 120 s later.
    assert_eq!(header(&o, RESETS_ON), Some("2020-06-25T12:32:00.000Z"));
    let calls = throttle.calls.lock().unwrap();
    assert!(calls.iter().all(|k| k.starts_with("mws/A1ExampleE6/022QF0EXAMPLEH9DHM02/Feeds.SubmitFeed")), "{calls:?}");
    drop(calls);

    // Another seller/key pair, or another operation, has its own bucket.
    let o = send(&req(FEEDS, "GetFeedSubmissionList"), &throttle);
    assert_eq!(o.status, 200);

    // ListOrders: 6, shared with ListOrdersByNextToken; no quota headers.
    let list = req(ORDERS, "ListOrders").with("MarketplaceId.Id.1", US).with("CreatedAfter", "2020-06-01T00:00:00Z");
    for _ in 0..6 {
        assert_eq!(send(&list, &throttle).status, 200);
    }
    let o = send(&req(ORDERS, "ListOrdersByNextToken").with("NextToken", "x"), &throttle);
    assert_eq!((o.status, o.record.error_code.as_deref(), header(&o, MAX)), (503, Some("RequestThrottled"), None));

    // GetServiceStatus: 2 per section.
    for (path, ns) in [(ORDERS, ORDERS_NS), (PRODUCTS, PRODUCTS_NS)] {
        assert_eq!(send(&req(path, "GetServiceStatus"), &throttle).status, 200);
        assert_eq!(send(&req(path, "GetServiceStatus"), &throttle).status, 200);
        let o = send(&req(path, "GetServiceStatus"), &throttle);
        assert_eq!(o.status, 503);
        assert_eq!(crate::xml::parse(&o.body).unwrap().attr_value("xmlns"), Some(ns));
    }

    // Per-item: GetMatchingProductForId takes one unit per id (20 units, 5 ids a request).
    let five = (1..=5)
        .fold(req(PRODUCTS, "GetMatchingProductForId").with("MarketplaceId", US).with("IdType", "ASIN"), |r, i| {
            r.with(&format!("IdList.Id.{i}"), "059035342X")
        });
    for _ in 0..4 {
        assert_eq!(send(&five, &throttle).status, 200);
    }
    assert_eq!(send(&five, &throttle).status, 503);
}

/// A throttle that refuses every hourly bucket.
struct HourSpent;

impl Throttle for HourSpent {
    fn take(&self, key: &str, quota: Quota, now: UtcTime) -> ThrottleDecision {
        if key.ends_with("/hour") {
            ThrottleDecision::Throttled { retry_at: now.plus_secs(120), resets_on: now.plus_secs(3600) }
        } else {
            Unlimited.take(key, quota, now)
        }
    }
}

#[test]
fn hourly_quota_exceeded() {
    let o = check(
        &err(
            "request-report-quota-exceeded",
            req(REPORTS, "RequestReport").with("ReportType", "_GET_MERCHANT_LISTINGS_DATA_"),
            503,
            LEGACY_NS,
            "QuotaExceeded",
            "You exceeded your quota of 60.0 requests per 1 hour for operation Reports/2009-01-01/RequestReport. Your quota will reset on 2020-06-25T13:00:00.000Z",
            GATEWAY,
        ),
        &HourSpent,
    );
    assert_eq!(header(&o, MAX), Some("60.0"));
    assert_eq!(header(&o, REMAINING), Some("0.0"));
    assert_eq!(header(&o, RESETS_ON), Some("2020-06-25T13:00:00.000Z"));
}

#[test]
fn throttling_off_lets_everything_through() {
    let keys = Keystore::embedded_default();
    let catalogue = Catalogue::embedded_default();
    let options = ServiceOptions { throttling: crate::services::Throttling::Off, ..ServiceOptions::default() };
    let r = req(ORDERS, "GetServiceStatus");
    let mut params: ParamList = r.params.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let view = RequestView { method: "POST", scheme: Scheme::Https, host: HOST, path: ORDERS, params: &params };
    let sig = sigv2::sign(&view, SignatureMethod::HmacSha256, &secret_of(&keys, DEV_KEY)).signature;
    params.push("Signature", sig);
    let view = RequestView { method: "POST", scheme: Scheme::Https, host: HOST, path: ORDERS, params: &params };
    let sr = ServiceRequest {
        view,
        query: &ParamList::default(),
        body: b"",
        content_type: None,
        content_md5: None,
        user_agent: None,
        headers: &[],
        trailers: &[],
        shared_body: None,
    };
    let ctx = Ctx {
        keys: &keys,
        catalogue: &catalogue,
        now: now(),
        options: &options,
        request_id: RID,
        throttle: &HourSpent,
        signing_keys: None,
        s3: None,
    };
    for _ in 0..5 {
        assert_eq!(handle(&ctx, &sr, HOST).status, 200);
    }
}

#[test]
fn hosts_and_paths() {
    for h in section::HOSTS {
        assert!(is_mws_host(h), "{h}");
    }
    for h in
        ["mws.amazonservices.co.uk", "webservices.amazon.com", "mws.amazonservices.com:443", "MWS.amazonservices.com"]
    {
        assert!(!is_mws_host(h), "{h}");
    }
    assert!(is_mws_path("/Orders/2013-09-01") && is_mws_path("/") && !is_mws_path("/onca/xml"));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Whatever the parameters, the answer is a well-formed MWS response with a known status.
    #[test]
    fn never_panics_and_always_answers_xml(
        action in proptest::sample::select(vec![
            "ListOrders", "ListOrdersByNextToken", "GetOrder", "ListOrderItems", "ListMatchingProducts",
            "GetMatchingProductForId", "GetLowestOfferListingsForASIN", "SubmitFeed", "GetFeedSubmissionList",
            "GetFeedSubmissionResult", "RequestReport", "GetReportRequestList", "GetReport", "Nope",
        ]),
        path in proptest::sample::select(vec![ORDERS, PRODUCTS, SELLERS, FEEDS, REPORTS, "/", "/x/y/z"]),
        extra in proptest::collection::vec(
            (
                proptest::sample::select(vec![
                    "MarketplaceId", "MarketplaceId.Id.1", "CreatedAfter", "LastUpdatedAfter", "CreatedBefore",
                    "MaxResultsPerPage", "NextToken", "AmazonOrderId", "AmazonOrderId.Id.1", "IdType", "IdList.Id.1",
                    "ASINList.ASIN.1", "Query", "FeedType", "FeedSubmissionId", "ReportType", "ReportId",
                    "ReportRequestIdList.Id.1", "OrderStatus.Status.1", "MaxCount", "StartDate",
                ]),
                "\\PC{0,24}",
            ),
            0..6,
        ),
    ) {
        let mut r = req(path, action);
        for (name, value) in &extra {
            r = r.with(name, value);
        }
        let o = send(&r, &Unlimited);
        proptest::prop_assert!(matches!(o.status, 200 | 400 | 401 | 403 | 404 | 503), "{}", o.status);
        if o.content_type == "text/xml" {
            let doc = crate::xml::parse(&o.body).map_err(|e| proptest::test_runner::TestCaseError::fail(e.to_string()))?;
            proptest::prop_assert!(doc.name.ends_with("Response") || doc.name == "AmazonEnvelope", "{}", doc.name);
        }
    }
}
