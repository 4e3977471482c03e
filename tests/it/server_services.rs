//! Every PA-API and MWS operation, and every error the mock answers, over real HTTP on
//! 127.0.0.1: status, error code and envelope root are checked on the parsed XML, and the
//! body is pinned by a snapshot (fixed clock, deterministic request ids).

use crate::server::{client, fixed_config, signed, wire, DG_TIME};
use crate::support::find_element;
use amzsig::encoding::ParamList;
use amzsig::server::MockServer;
use amzsig::xml::{self, Element};

const PAAPI_SECRET: &str = "1234567890";
const MWS_SECRET: &str = "kWcrlEXAMPLEM/LtmEENI/aVmYvHNif5zB+d9+ct";
const TOKEN: &str = "amzn.mws.4ea38b7b-f563-7709-4bae-87aeaEXAMPLE";

/// How a case spoils an otherwise correct request.
#[derive(Clone, Copy)]
enum Spoil {
    None,
    /// Change one character of a signed value after signing.
    Tamper,
    /// Sign with another secret.
    WrongSecret,
    /// Leave the Signature out.
    NoSignature,
    /// Replace '+' in the Signature by ' ' (sent unencoded).
    PlusAsSpace,
}

struct Case {
    name: &'static str,
    method: &'static str,
    host: &'static str,
    path: &'static str,
    params: Vec<(&'static str, String)>,
    secret: &'static str,
    spoil: Spoil,
    body: Option<&'static str>,
    status: u16,
    code: Option<&'static str>,
    root: &'static str,
}

fn paapi(
    name: &'static str,
    op: &'static str,
    extra: &[(&'static str, &'static str)],
    status: u16,
    code: Option<&'static str>,
) -> Case {
    let mut params = vec![
        ("Service", "AWSECommerceService".to_owned()),
        ("AWSAccessKeyId", "AKIAIOSFODNN7EXAMPLE".to_owned()),
        ("AssociateTag", "mytag-20".to_owned()),
        ("Operation", op.to_owned()),
        ("Version", "2013-08-01".to_owned()),
        ("Timestamp", DG_TIME.to_owned()),
    ];
    params.extend(extra.iter().map(|(k, v)| (*k, (*v).to_owned())));
    let root = if status == 200 { "Response" } else { "ErrorResponse" };
    Case {
        name,
        method: "GET",
        host: "webservices.amazon.com",
        path: "/onca/xml",
        params,
        secret: PAAPI_SECRET,
        spoil: Spoil::None,
        body: None,
        status,
        code,
        root,
    }
}

fn mws(
    name: &'static str,
    path: &'static str,
    action: &'static str,
    version: &'static str,
    extra: &[(&'static str, &'static str)],
    status: u16,
    code: Option<&'static str>,
) -> Case {
    let mut params = vec![
        ("AWSAccessKeyId", "022QF0EXAMPLEH9DHM02".to_owned()),
        ("Action", action.to_owned()),
        ("SellerId", "A1ExampleE6".to_owned()),
        ("MWSAuthToken", TOKEN.to_owned()),
        ("SignatureVersion", "2".to_owned()),
        ("SignatureMethod", "HmacSHA256".to_owned()),
        ("Timestamp", DG_TIME.to_owned()),
        ("Version", version.to_owned()),
    ];
    params.extend(extra.iter().map(|(k, v)| (*k, (*v).to_owned())));
    let root = if status == 200 { "Response" } else { "ErrorResponse" };
    Case {
        name,
        method: "POST",
        host: "mws.amazonservices.com",
        path,
        params,
        secret: MWS_SECRET,
        spoil: Spoil::None,
        body: None,
        status,
        code,
        root,
    }
}

#[allow(clippy::too_many_lines)] // a data table: one line per case
fn cases() -> Vec<Case> {
    let orders = "/Orders/2013-09-01";
    let products = "/Products/2011-10-01";
    let sellers = "/Sellers/2011-07-01";
    let mp = ("MarketplaceId.Id.1", "ATVPDKIKX0DER");
    let mut v = vec![
        // PA-API operations.
        paapi(
            "paapi-itemlookup",
            "ItemLookup",
            &[("ItemId", "0679722769"), ("ResponseGroup", "Medium,Offers")],
            200,
            None,
        ),
        paapi(
            "paapi-itemsearch",
            "ItemSearch",
            &[("SearchIndex", "Books"), ("Keywords", "joyce"), ("ResponseGroup", "Small")],
            200,
            None,
        ),
        paapi(
            "paapi-browsenodelookup",
            "BrowseNodeLookup",
            &[("BrowseNodeId", "1000"), ("ResponseGroup", "BrowseNodeInfo")],
            200,
            None,
        ),
        paapi("paapi-similaritylookup", "SimilarityLookup", &[("ItemId", "B0011ZK6PC")], 200, None),
        paapi("paapi-cartcreate", "CartCreate", &[("Item.1.ASIN", "0679722769"), ("Item.1.Quantity", "2")], 200, None),
        // PA-API in-band (HTTP 200) errors.
        paapi("paapi-bad-itemid", "ItemLookup", &[("ItemId", "0000000000")], 200, Some("AWS.InvalidParameterValue")),
        paapi(
            "paapi-bad-response-group",
            "ItemLookup",
            &[("ItemId", "0679722769"), ("ResponseGroup", "Everything")],
            200,
            Some("AWS.InvalidEnumeratedParameter"),
        ),
        paapi("paapi-unknown-operation", "ItemFind", &[], 200, Some("AWS.InvalidOperationParameter")),
        paapi(
            "paapi-search-without-criteria",
            "ItemSearch",
            &[("SearchIndex", "Books")],
            200,
            Some("AWS.MinimumParameterRequirement"),
        ),
        // PA-API gateway errors.
        paapi("paapi-expired", "ItemLookup", &[("ItemId", "0679722769")], 400, Some("RequestExpired")),
        paapi("paapi-unknown-key", "ItemLookup", &[("ItemId", "0679722769")], 403, Some("InvalidClientTokenId")),
        paapi("paapi-tampered", "ItemLookup", &[("ItemId", "0679722769")], 403, Some("SignatureDoesNotMatch")),
        paapi("paapi-wrong-secret", "ItemLookup", &[("ItemId", "0679722769")], 403, Some("SignatureDoesNotMatch")),
        paapi("paapi-no-signature", "ItemLookup", &[("ItemId", "0679722769")], 400, Some("MissingParameter")),
        paapi("paapi-no-access-key", "ItemLookup", &[("ItemId", "0679722769")], 403, Some("MissingClientTokenId")),
        // MWS operations.
        mws("mws-getservicestatus", orders, "GetServiceStatus", "2013-09-01", &[], 200, None),
        mws(
            "mws-listorders",
            orders,
            "ListOrders",
            "2013-09-01",
            &[mp, ("CreatedAfter", "2014-01-01T00:00:00Z")],
            200,
            None,
        ),
        mws(
            "mws-getorder",
            orders,
            "GetOrder",
            "2013-09-01",
            &[("AmazonOrderId.Id.1", "112-9876543-1000001")],
            200,
            None,
        ),
        mws(
            "mws-listorderitems",
            orders,
            "ListOrderItems",
            "2013-09-01",
            &[("AmazonOrderId", "112-9876543-1000001")],
            200,
            None,
        ),
        mws(
            "mws-listmatchingproducts",
            products,
            "ListMatchingProducts",
            "2011-10-01",
            &[("MarketplaceId", "ATVPDKIKX0DER"), ("Query", "ulysses")],
            200,
            None,
        ),
        mws(
            "mws-getmatchingproductforid",
            products,
            "GetMatchingProductForId",
            "2011-10-01",
            &[("MarketplaceId", "ATVPDKIKX0DER"), ("IdType", "ASIN"), ("IdList.Id.1", "B0EXAMPLE1")],
            200,
            None,
        ),
        mws(
            "mws-getlowestofferlistings",
            products,
            "GetLowestOfferListingsForASIN",
            "2011-10-01",
            &[("MarketplaceId", "ATVPDKIKX0DER"), ("ASINList.ASIN.1", "B0EXAMPLE1")],
            200,
            None,
        ),
        mws(
            "mws-listmarketplaceparticipations",
            sellers,
            "ListMarketplaceParticipations",
            "2011-07-01",
            &[],
            200,
            None,
        ),
        mws("mws-getfeedsubmissionlist", "/", "GetFeedSubmissionList", "2009-01-01", &[], 200, None),
        mws(
            "mws-requestreport",
            "/",
            "RequestReport",
            "2009-01-01",
            &[("ReportType", "_GET_FLAT_FILE_OPEN_LISTINGS_DATA_")],
            200,
            None,
        ),
        mws("mws-getreportrequestlist", "/", "GetReportRequestList", "2009-01-01", &[], 200, None),
        // MWS errors.
        mws("mws-listorders-no-date", orders, "ListOrders", "2013-09-01", &[mp], 400, Some("InvalidParameterValue")),
        mws("mws-unknown-action", orders, "ListOrderz", "2013-09-01", &[], 404, Some("InvalidAddress")),
        mws(
            "mws-tampered",
            orders,
            "ListOrders",
            "2013-09-01",
            &[mp, ("CreatedAfter", "2014-01-01T00:00:00Z")],
            403,
            Some("SignatureDoesNotMatch"),
        ),
        mws(
            "mws-plus-as-space",
            sellers,
            "ListMarketplaceParticipations",
            "2011-07-01",
            &[],
            403,
            Some("SignatureDoesNotMatch"),
        ),
        mws(
            "mws-wrong-token",
            orders,
            "ListOrders",
            "2013-09-01",
            &[mp, ("CreatedAfter", "2014-01-01T00:00:00Z")],
            401,
            Some("AccessDenied"),
        ),
        mws(
            "mws-unknown-report-request",
            "/",
            "GetReportRequestList",
            "2009-01-01",
            &[("ReportRequestIdList.Id.1", "99999999999")],
            400,
            Some("InvalidReportRequestId"),
        ),
        mws(
            "mws-submitfeed-md5-mismatch",
            "/",
            "SubmitFeed",
            "2009-01-01",
            &[("FeedType", "_POST_PRODUCT_DATA_"), ("ContentMD5Value", "1B2M2Y8AsgTpgAmY7PhCfg==")],
            400,
            Some("ContentMD5DoesNotMatch"),
        ),
    ];
    for c in &mut v {
        match c.name {
            "paapi-expired" => set(c, "Timestamp", "2014-08-18T11:00:00Z"),
            "paapi-unknown-key" => set(c, "AWSAccessKeyId", "AKIANOSUCHKEYEXAMPLE"),
            "paapi-tampered" | "mws-tampered" => c.spoil = Spoil::Tamper,
            "paapi-wrong-secret" => c.spoil = Spoil::WrongSecret,
            "paapi-no-signature" => c.spoil = Spoil::NoSignature,
            "paapi-no-access-key" => c.params.retain(|(k, _)| *k != "AWSAccessKeyId"),
            "mws-plus-as-space" => c.spoil = Spoil::PlusAsSpace,
            "mws-wrong-token" => set(c, "MWSAuthToken", "amzn.mws.00000000-0000-0000-0000-000000000000"),
            "mws-submitfeed-md5-mismatch" => c.body = Some("<AmazonEnvelope/>"),
            _ => {}
        }
    }
    v
}

fn set(c: &mut Case, name: &str, value: &str) {
    for (k, v) in &mut c.params {
        if *k == name {
            value.clone_into(v);
        }
    }
}

/// The signed parameters of a case, with its spoiling applied; for the PlusAsSpace case a
/// nonce makes sure the signature has a '+'.
fn signed_params(c: &Case) -> ParamList {
    let mut nonce = 0;
    loop {
        let mut params: Vec<(&str, String)> = c.params.clone();
        if matches!(c.spoil, Spoil::PlusAsSpace) {
            params.push(("Nonce", nonce.to_string()));
        }
        let borrowed: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let secret = if matches!(c.spoil, Spoil::WrongSecret) { "not-the-secret" } else { c.secret };
        let mut list = signed(c.method, c.host, c.path, &borrowed, secret);
        match c.spoil {
            Spoil::None | Spoil::WrongSecret => return list,
            Spoil::NoSignature => {
                list.remove("Signature");
                return list;
            }
            Spoil::Tamper => {
                let ts = list.get("Timestamp").unwrap().replace("12:00:00", "12:00:01");
                let sig = list.get("Signature").unwrap().to_owned();
                list.set("Timestamp", ts);
                list.set("Signature", sig);
                return list;
            }
            Spoil::PlusAsSpace => {
                let sig = list.get("Signature").unwrap().to_owned();
                if sig.contains('+') {
                    list.set("Signature", sig.replace('+', " "));
                    return list;
                }
                nonce += 1;
            }
        }
    }
}

#[tokio::test]
async fn every_operation_and_error_over_http() {
    let server = MockServer::start(fixed_config()).await.unwrap();
    let base = server.base_url();
    let http = client();
    let mut problems = Vec::new();
    for c in cases() {
        server.state().reset_throttle();
        let params = signed_params(&c);
        let query = wire(&params);
        let req = match (c.method, c.body) {
            ("GET", _) => http.get(format!("{base}{}?{query}", c.path)),
            (_, Some(feed)) => {
                http.post(format!("{base}{}?{query}", c.path)).header("content-type", "text/xml").body(feed)
            }
            _ => http
                .post(format!("{base}{}", c.path))
                .header("content-type", "application/x-www-form-urlencoded; charset=utf-8")
                .body(query),
        };
        let resp =
            req.header("host", c.host).header("user-agent", "amzsig-tests/1.0 (Language=Rust)").send().await.unwrap();
        let status = resp.status().as_u16();
        let diagnosis = resp.headers().get("x-amzsig-diagnosis").map(|v| v.to_str().unwrap_or("").to_owned());
        let body = resp.text().await.unwrap();
        let doc = match xml::parse(&body) {
            Ok(d) => d,
            Err(e) => {
                problems.push(format!("{}: body is not XML ({e}): {body}", c.name));
                continue;
            }
        };
        let code = find_element(&doc, "Code").map(Element::text_content);
        if status != c.status || code.as_deref() != c.code || !doc.name.ends_with(c.root) {
            problems.push(format!(
                "{}: got {status} {code:?} <{}>, want {} {:?} <…{}>",
                c.name, doc.name, c.status, c.code, c.root
            ));
        }
        if matches!(c.spoil, Spoil::Tamper | Spoil::WrongSecret | Spoil::PlusAsSpace) {
            let want = match c.spoil {
                Spoil::PlusAsSpace => Some("signature-plus-not-encoded".to_owned()),
                _ => Some("unknown".to_owned()),
            };
            if diagnosis != want {
                problems.push(format!("{}: x-amzsig-diagnosis {diagnosis:?}, want {want:?}", c.name));
            }
        }
        insta::assert_snapshot!(c.name, body);
    }
    server.stop().await;
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The same correctly signed request is accepted on every PA-API locale host, and
/// refused with the exact mismatch error after a one-character change.
#[tokio::test]
async fn accepted_on_every_locale_host() {
    let hosts = [
        ("webservices.amazon.com", "mytag-20"),
        ("webservices.amazon.ca", "mytag-20"),
        ("webservices.amazon.co.uk", "mytag-21"),
        ("webservices.amazon.de", "mytag-21"),
        ("webservices.amazon.fr", "mytag-21"),
        ("webservices.amazon.it", "mytag-21"),
        ("webservices.amazon.es", "mytag-21"),
        ("webservices.amazon.co.jp", "mytag-22"),
        ("webservices.amazon.in", "mytag-21"),
        ("webservices.amazon.com.br", "mytag-20"),
        ("webservices.amazon.com.mx", "mytag-20"),
        ("webservices.amazon.com.au", "mytag-22"),
        ("webservices.amazon.cn", "mytag-23"),
        ("ecs.amazonaws.com", "mytag-20"),
        ("ecs.amazonaws.co.uk", "mytag-21"),
        ("ecs.amazonaws.de", "mytag-21"),
        ("ecs.amazonaws.fr", "mytag-21"),
        ("ecs.amazonaws.jp", "mytag-22"),
        ("ecs.amazonaws.ca", "mytag-20"),
    ];
    let server = MockServer::start(fixed_config()).await.unwrap();
    let http = client();
    for (host, tag) in hosts {
        server.state().reset_throttle();
        let params = signed(
            "GET",
            host,
            "/onca/xml",
            &[
                ("Service", "AWSECommerceService"),
                ("AWSAccessKeyId", "AKIAIOSFODNN7EXAMPLE"),
                ("AssociateTag", tag),
                ("Operation", "ItemLookup"),
                ("ItemId", "0679722769"),
                ("Timestamp", DG_TIME),
            ],
            PAAPI_SECRET,
        );
        let url = format!("{}/onca/xml?{}", server.base_url(), wire(&params));
        let ok = http.get(&url).header("host", host).send().await.unwrap();
        assert_eq!(ok.status().as_u16(), 200, "{host}");
        server.state().reset_throttle();
        let bad =
            http.get(url.replace("ItemId=0679722769", "ItemId=0679722768")).header("host", host).send().await.unwrap();
        assert_eq!(bad.status().as_u16(), 403, "{host}");
        let doc = xml::parse(&bad.text().await.unwrap()).unwrap();
        assert_eq!(doc.name, "ItemLookupErrorResponse", "{host}");
        assert_eq!(find_element(&doc, "Code").unwrap().text_content(), "SignatureDoesNotMatch");
        assert_eq!(
            find_element(&doc, "Message").unwrap().text_content(),
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
        );
    }
    server.stop().await;
}

/// A key rotated through the admin API stops working at once; an MWS seller that revokes
/// a developer refuses it at once.
#[tokio::test]
async fn admin_changes_take_effect_at_once() {
    let server = MockServer::start(fixed_config()).await.unwrap();
    let base = server.base_url();
    let http = client();
    let host = server.addr().to_string();
    let lookup = |secret: &str| {
        let p = signed(
            "GET",
            &host,
            "/onca/xml",
            &[
                ("Service", "AWSECommerceService"),
                ("AWSAccessKeyId", "AKIAIOSFODNN7EXAMPLE"),
                ("AssociateTag", "mytag-20"),
                ("Operation", "ItemLookup"),
                ("ItemId", "0679722769"),
                ("Timestamp", DG_TIME),
            ],
            secret,
        );
        format!("{base}/onca/xml?{}", wire(&p))
    };
    assert_eq!(http.get(lookup(PAAPI_SECRET)).send().await.unwrap().status().as_u16(), 200);
    let rotated = http
        .post(format!("{base}/__amzsig/keys/AKIAIOSFODNN7EXAMPLE/rotate"))
        .body("secret=n3w-s3cret")
        .send()
        .await
        .unwrap();
    assert_eq!(rotated.status().as_u16(), 204);
    server.state().reset_throttle();
    assert_eq!(http.get(lookup(PAAPI_SECRET)).send().await.unwrap().status().as_u16(), 403);
    server.state().reset_throttle();
    assert_eq!(http.get(lookup("n3w-s3cret")).send().await.unwrap().status().as_u16(), 200);
    let off = http
        .post(format!("{base}/__amzsig/keys/AKIAIOSFODNN7EXAMPLE/status"))
        .body("status=inactive")
        .send()
        .await
        .unwrap();
    assert_eq!(off.status().as_u16(), 204);
    server.state().reset_throttle();
    assert_ne!(http.get(lookup("n3w-s3cret")).send().await.unwrap().status().as_u16(), 200);

    let list_orders = |host: &str| {
        let p = signed(
            "POST",
            host,
            "/Orders/2013-09-01",
            &[
                ("AWSAccessKeyId", "022QF0EXAMPLEH9DHM02"),
                ("Action", "ListOrders"),
                ("SellerId", "A1ExampleE6"),
                ("MWSAuthToken", TOKEN),
                ("MarketplaceId.Id.1", "ATVPDKIKX0DER"),
                ("CreatedAfter", "2014-01-01T00:00:00Z"),
                ("SignatureVersion", "2"),
                ("SignatureMethod", "HmacSHA256"),
                ("Timestamp", DG_TIME),
                ("Version", "2013-09-01"),
            ],
            MWS_SECRET,
        );
        wire(&p)
    };
    let send = |body: String| {
        http.post(format!("{base}/Orders/2013-09-01"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    assert_eq!(send(list_orders(&host)).await.unwrap().status().as_u16(), 200);
    let revoked =
        http.delete(format!("{base}/__amzsig/sellers/A1ExampleE6/authorizations/1234-3214-4321")).send().await.unwrap();
    assert_eq!(revoked.status().as_u16(), 204);
    let denied = send(list_orders(&host)).await.unwrap();
    assert_eq!(denied.status().as_u16(), 401);
    assert!(denied.text().await.unwrap().contains("<Code>AccessDenied</Code>"));
    server.stop().await;
}
