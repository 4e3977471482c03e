//! Tests for the PA-API service: a table of signed requests covering every operation and
//! every error (data: `tests/data/services/paapi.yaml`, so adding a case needs no Rust),
//! each answer snapshotted and parsed back (status, root, namespace, code,
//! message, request-id spelling, journal record); then the stateful cart flow, the
//! throttle, every locale host, and the gateway table walked over every
//! [`VerifyFailure`].

use super::*;
use crate::catalogue::Catalogue;
use crate::crypto::SecretKey;
use crate::keystore::{KeyStatus, Keystore};
use crate::request::{RequestView, Scheme};
use crate::services::throttle::Buckets;
use crate::services::{ServiceOptions, Throttle, Unlimited};
use crate::sigv2::{self, HostForm, VerifyFailure};
use crate::xml::{self, Element, Node};
use std::fmt::Write as _;
use std::sync::Mutex;

const NOW: &str = "2014-08-18T12:00:00Z";
const REQUEST_ID: &str = "0bc42699-4acf-4b29-884d-ddb89c0d98c7";
const USER_AGENT: &str = "amzsig-test/1.0";
/// The 2013-08-01 DG's example key (AssociateTag `mytag-20` for `us` in the keystore).
const DOCS_KEY: (&str, &str) = ("AKIAIOSFODNN7EXAMPLE", "1234567890");
/// The 2011-08-01 DG's all-zero key (tags for `us` and `uk` only).
const ZERO_KEY: (&str, &str) = ("00000000000000000000", "1234567890");
/// A parameter value meaning "remove this default parameter".
const DROP: &str = "\u{0}drop";

/// How a case's request is signed.
#[derive(Debug, Clone, Copy)]
enum Signer<'a> {
    /// Signed with this key (its id goes into `AWSAccessKeyId` unless the case sets one).
    Key((&'a str, &'a str)),
    /// Sent with this literal `Signature` (decoded value).
    Literal(&'a str),
    /// No `Signature`.
    Unsigned,
}

#[derive(Debug, Clone, Copy)]
struct Case<'a> {
    name: &'a str,
    host: &'a str,
    path: &'a str,
    method: &'a str,
    /// Parameters over the defaults (`Service`, `AWSAccessKeyId`, `AssociateTag`,
    /// `Version`, `Timestamp`); [`DROP`] removes one.
    params: &'a [(&'a str, &'a str)],
    signer: Signer<'a>,
    now: &'a str,
    status: u16,
    code: Option<&'a str>,
    /// The exact message, when the case pins it.
    message: Option<&'a str>,
    /// The exact `Arguments/Argument[@Name="Signature"]` (documentation vectors).
    signature: Option<&'a str>,
}

const OK: Case<'static> = Case {
    name: "",
    host: "webservices.amazon.com",
    path: "/onca/xml",
    method: "GET",
    params: &[],
    signer: Signer::Key(DOCS_KEY),
    now: NOW,
    status: 200,
    code: None,
    message: None,
    signature: None,
};

const ULYSSES: (&str, &str) = ("ItemId", "0679722769");
const LOOKUP: (&str, &str) = ("Operation", "ItemLookup");
const CREATE: (&str, &str) = ("Operation", "CartCreate");

/// The request table: `tests/data/services/paapi.yaml` (its header says the format).
const TABLE: &str = include_str!("../../../tests/data/services/paapi.yaml");

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TableFile {
    cases: Vec<TableCase>,
}

/// One case of the table file; [`TableCase::case`] borrows it as a [`Case`].
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TableCase {
    name: String,
    host: Option<String>,
    path: Option<String>,
    method: Option<String>,
    /// A `null` value removes the default parameter.
    params: Vec<(String, Option<String>)>,
    #[serde(default)]
    signer: Option<TableSigner>,
    now: Option<String>,
    status: Option<u16>,
    code: Option<String>,
    message: Option<String>,
    signature: Option<String>,
}

/// `{key: [id, secret]}`, `{literal: <Signature>}` or `{unsigned: true}`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TableSigner {
    key: Option<(String, String)>,
    literal: Option<String>,
    #[serde(default)]
    unsigned: bool,
}

impl TableCase {
    /// The parameter overrides, [`DROP`] for a removal.
    fn params(&self) -> Vec<(&str, &str)> {
        self.params.iter().map(|(n, v)| (n.as_str(), v.as_deref().unwrap_or(DROP))).collect()
    }

    /// The case, over [`OK`]'s defaults, with `params` from [`TableCase::params`].
    fn case<'a>(&'a self, params: &'a [(&'a str, &'a str)]) -> Case<'a> {
        let signer = match &self.signer {
            None => OK.signer,
            Some(TableSigner { key: Some((id, secret)), literal: None, unsigned: false }) => Signer::Key((id, secret)),
            Some(TableSigner { key: None, literal: Some(sig), unsigned: false }) => Signer::Literal(sig),
            Some(TableSigner { key: None, literal: None, unsigned: true }) => Signer::Unsigned,
            Some(other) => panic!("{}: signer {other:?}: give one of key, literal, unsigned", self.name),
        };
        Case {
            name: &self.name,
            host: self.host.as_deref().unwrap_or(OK.host),
            path: self.path.as_deref().unwrap_or(OK.path),
            method: self.method.as_deref().unwrap_or(OK.method),
            params,
            signer,
            now: self.now.as_deref().unwrap_or(OK.now),
            status: self.status.unwrap_or(OK.status),
            code: self.code.as_deref(),
            message: self.message.as_deref(),
            signature: self.signature.as_deref(),
        }
    }
}

/// Every case of the table file.
fn table() -> Vec<TableCase> {
    let file: TableFile = serde_yaml::from_str(TABLE).unwrap_or_else(|e| panic!("tests/data/services/paapi.yaml: {e}"));
    file.cases
}

fn time(s: &str) -> UtcTime {
    UtcTime::parse_iso8601(s).unwrap()
}

/// The request a case describes: defaults, overrides, then the signature.
fn build(case: &Case) -> ParamList {
    let akid = match case.signer {
        Signer::Key((akid, _)) => akid,
        _ => DOCS_KEY.0,
    };
    let mut params: ParamList = [
        ("Service", SERVICE),
        ("AWSAccessKeyId", akid),
        ("AssociateTag", "mytag-20"),
        ("Version", "2013-08-01"),
        ("Timestamp", NOW),
    ]
    .into_iter()
    .collect();
    for &(name, value) in case.params {
        match (value == DROP, params.find(name).is_some()) {
            (true, _) => params.remove(name),
            (false, true) => {
                // Keep the position (the Arguments echo shows the sent order).
                let p = params.0.iter_mut().find(|p| p.name == name).unwrap();
                *p = crate::encoding::Param::new(name, value);
            }
            (false, false) => params.push(name, value),
        }
    }
    match case.signer {
        Signer::Key((_, secret)) => {
            let view = RequestView {
                method: case.method,
                scheme: Scheme::Https,
                host: case.host,
                path: case.path,
                params: &params,
            };
            let signed = sigv2::sign(&view, sigv2::SignatureMethod::HmacSha256, &SecretKey::new(secret));
            params.push("Signature", signed.signature);
        }
        Signer::Literal(sig) => params.push("Signature", sig),
        Signer::Unsigned => {}
    }
    params
}

/// A keystore with one inactive key (`AKIDEXAMPLE`).
fn keystore() -> Keystore {
    let mut keys = Keystore::embedded_default();
    keys.set_key_status("AKIDEXAMPLE", KeyStatus::Inactive).unwrap();
    keys
}

fn call(
    keys: &Keystore,
    catalogue: &Catalogue,
    throttle: &dyn Throttle,
    now: UtcTime,
    case: &Case,
    params: &ParamList,
) -> Outcome {
    let options = ServiceOptions::default();
    let ctx =
        Ctx { keys, catalogue, now, options: &options, request_id: REQUEST_ID, throttle, signing_keys: None, s3: None };
    let req = ServiceRequest {
        view: RequestView { method: case.method, scheme: Scheme::Https, host: case.host, path: case.path, params },
        query: params,
        body: &[],
        content_type: (case.method == "POST").then_some("application/x-www-form-urlencoded"),
        content_md5: None,
        user_agent: Some(USER_AGENT),
        headers: &[],
        trailers: &[],
        shared_body: None,
    };
    let locale = locale_for_host(case.host).unwrap_or("us");
    handle(&ctx, &req, locale)
}

fn child_elements(e: &Element) -> impl Iterator<Item = &Element> {
    e.children.iter().filter_map(|n| match n {
        Node::Element(e) => Some(e),
        Node::Text(_) => None,
    })
}

/// The first in-band `Error` (request level, then the operation's `Request`).
fn first_error(root: &Element) -> Option<(String, String)> {
    let from = |errors: &Element| {
        errors
            .path("Error")
            .map(|e| (e.path("Code").unwrap().text_content(), e.path("Message").unwrap().text_content()))
    };
    root.path("OperationRequest/Errors")
        .and_then(from)
        .or_else(|| child_elements(root).find_map(|c| c.path("Request/Errors")).and_then(from))
}

fn check(case: &Case, out: &Outcome) {
    let name = case.name;
    assert_eq!(out.status, case.status, "{name}: {}", out.body);
    let op = case.params.iter().find(|(n, _)| *n == "Operation").map(|(_, v)| *v);
    let version = case.params.iter().find(|(n, _)| *n == "Version").map_or("2013-08-01", |(_, v)| *v);
    let version = if version == DROP || !is_version(version) { DEFAULT_VERSION } else { version };
    assert_eq!(out.record.error_code.as_deref(), case.code, "{name}: journal error code");
    if case.status == 404 {
        assert!(out.content_type.starts_with("text/plain"), "{name}");
        return;
    }
    assert_eq!(out.content_type, CONTENT_TYPE, "{name}");
    assert!(out.headers.is_empty(), "{name}");
    let root = xml::parse(&out.body).unwrap_or_else(|e| panic!("{name}: {e}\n{}", out.body));
    if case.status == 200 {
        assert_eq!(out.record.verdict, Verdict::Accepted, "{name}");
        assert_eq!(out.record.host_form, Some(HostForm::AsSent), "{name}");
        assert_eq!(root.name, op.map_or_else(|| "Response".to_owned(), |o| format!("{o}Response")), "{name}");
        assert_eq!(root.attr_value("xmlns"), Some(envelope::response_namespace(version).as_str()), "{name}");
        assert_eq!(root.path("OperationRequest/RequestId").unwrap().text_content(), REQUEST_ID, "{name}");
        let ua = root.path("OperationRequest/HTTPHeaders/Header").unwrap();
        assert_eq!((ua.attr_value("Name"), ua.attr_value("Value")), (Some("UserAgent"), Some(USER_AGENT)), "{name}");
        let args = root.path("OperationRequest/Arguments").unwrap();
        assert_eq!(child_elements(args).count(), build(case).len(), "{name}: every argument echoed");
        let got = first_error(&root);
        assert_eq!(got.as_ref().map(|(c, _)| c.as_str()), case.code, "{name}: in-band code");
        if let (Some(want), Some((_, msg))) = (case.message, &got) {
            assert_eq!(msg, want, "{name}: message");
        }
        if let Some(container) = child_elements(&root).nth(1) {
            let valid = container.path("Request/IsValid").unwrap().text_content();
            assert!(valid == "True" || valid == "False", "{name}");
        }
        if let Some(sig) = case.signature {
            let echoed = child_elements(args).find(|a| a.attr_value("Name") == Some("Signature")).unwrap();
            assert_eq!(echoed.attr_value("Value"), Some(sig), "{name}: documentation signature");
        }
    } else {
        assert_eq!(out.record.verdict, Verdict::Refused, "{name}");
        let want_root = op.map_or_else(|| "ErrorResponse".to_owned(), |o| format!("{o}ErrorResponse"));
        assert_eq!(root.name, want_root, "{name}");
        assert_eq!(root.attr_value("xmlns"), Some(envelope::error_namespace(version).as_str()), "{name}");
        let code = root.path("Error/Code").unwrap().text_content();
        assert_eq!(Some(code.as_str()), case.code, "{name}");
        if let Some(want) = case.message {
            assert_eq!(root.path("Error/Message").unwrap().text_content(), want, "{name}");
        }
        let spelling = if matches!(code.as_str(), "SignatureDoesNotMatch" | "RequestExpired" | "AWS.InvalidAccount") {
            "RequestId"
        } else {
            "RequestID"
        };
        assert_eq!(root.path(spelling).map(Element::text_content).as_deref(), Some(REQUEST_ID), "{name}: {spelling}");
        let names: Vec<&str> = child_elements(&root).map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["Error", spelling], "{name}");
    }
}

#[test]
fn every_case_answers_as_amazon_does() {
    let keys = keystore();
    let catalogue = Catalogue::embedded_default();
    for row in table() {
        let overrides = row.params();
        let case = &row.case(&overrides);
        let params = build(case);
        let out = call(&keys, &catalogue, &Unlimited, time(case.now), case, &params);
        check(case, &out);
        let after_auth = ["AWS.InvalidAccount", "AWS.InvalidAssociate", "Deprecated", "NotFound"];
        let failure_expected = case.status != 200 && !case.code.is_some_and(|c| after_auth.contains(&c));
        assert_eq!(out.record.failure.is_some(), failure_expected, "{}: record.failure", case.name);
        insta::assert_snapshot!(case.name, out.body);
    }
}

#[test]
fn case_names_are_unique() {
    let table = table();
    let mut names: Vec<_> = table.iter().map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    let n = names.len();
    names.dedup();
    assert_eq!(names.len(), n);
}

// ----------------------------------------------------------------- carts

struct CartSession {
    keys: Keystore,
    catalogue: Catalogue,
    cart_id: String,
    hmac: String,
}

impl CartSession {
    fn send(
        &self,
        name: &'static str,
        params: &'static [(&'static str, &'static str)],
        extra: &[(&str, &str)],
    ) -> Element {
        let case = Case { name, params, ..OK };
        let mut list = build(&case);
        list.remove("Signature");
        for (n, v) in extra {
            list.push(*n, *v);
        }
        let view =
            RequestView { method: "GET", scheme: Scheme::Https, host: case.host, path: case.path, params: &list };
        let signed = sigv2::sign(&view, sigv2::SignatureMethod::HmacSha256, &SecretKey::new(DOCS_KEY.1));
        list.push("Signature", signed.signature);
        let out = call(&self.keys, &self.catalogue, &Unlimited, time(NOW), &case, &list);
        assert_eq!(out.status, 200, "{name}: {}", out.body);
        insta::assert_snapshot!(name, out.body);
        xml::parse(&out.body).unwrap()
    }

    fn with_cart(&self) -> [(&str, &str); 2] {
        [("CartId", self.cart_id.as_str()), ("HMAC", self.hmac.as_str())]
    }

    fn keep(&mut self, root: &Element) {
        self.cart_id = root.path("Cart/CartId").unwrap().text_content();
        self.hmac = root.path("Cart/HMAC").unwrap().text_content();
    }
}

fn cart_asins(root: &Element, group: &str, item: &str) -> Vec<(String, String)> {
    root.path(&format!("Cart/{group}"))
        .map(|g| {
            child_elements(g)
                .filter(|e| e.name == item)
                .map(|e| (e.path("ASIN").unwrap().text_content(), e.path("Quantity").unwrap().text_content()))
                .collect()
        })
        .unwrap_or_default()
}

fn code_of(root: &Element) -> Option<String> {
    first_error(root).map(|(c, _)| c)
}

#[test]
fn a_cart_keeps_its_contents_across_requests() {
    let mut s = CartSession {
        keys: Keystore::embedded_default(),
        catalogue: Catalogue::embedded_default(),
        cart_id: String::new(),
        hmac: String::new(),
    };
    let created = s.send(
        "cart-flow-1-create",
        &[
            CREATE,
            ("Item.1.ASIN", "0201896842"),
            ("Item.1.Quantity", "2"),
            ("Item.2.ASIN", "0201896834"),
            ("Item.2.Quantity", "1"),
        ],
        &[],
    );
    s.keep(&created);
    assert!(s.cart_id.len() == 19 && s.cart_id.starts_with('1'), "{}", s.cart_id);
    assert_eq!(created.path("Cart/SubTotal/FormattedPrice").unwrap().text_content(), "$174.51");
    assert_eq!(created.path("Cart/URLEncodedHMAC").unwrap().text_content(), crate::encoding::encode(s.hmac.as_bytes()));

    let first_hmac = s.hmac.clone();
    let added = s.send(
        "cart-flow-2-add",
        &[("Operation", "CartAdd"), ("Item.1.ASIN", "0201896850"), ("Item.1.Quantity", "3")],
        &s.with_cart(),
    );
    s.keep(&added);
    assert_eq!(code_of(&added), None);
    assert_eq!(
        cart_asins(&added, "CartItems", "CartItem"),
        [("0201896850".into(), "3".into()), ("0201896842".into(), "2".into()), ("0201896834".into(), "1".into())]
    );
    assert_eq!(added.path("Cart/SubTotal/Amount").unwrap().text_content(), "35403");

    let again = s.send(
        "cart-flow-3-add-again",
        &[("Operation", "CartAdd"), ("Item.1.ASIN", "0201896834"), ("Item.1.Quantity", "2")],
        &s.with_cart(),
    );
    assert_eq!(code_of(&again).as_deref(), Some("AWS.ECommerceService.ItemAlreadyInCart"));
    assert_eq!(again.path("Cart/HMAC").unwrap().text_content(), s.hmac, "unchanged contents, unchanged HMAC");

    let vol2 = cart_item_id_of(&added, "0201896842");
    let vol1 = cart_item_id_of(&added, "0201896834");
    let modified = s.send(
        "cart-flow-4-modify",
        &[("Operation", "CartModify")],
        &[
            s.with_cart()[0],
            s.with_cart()[1],
            ("Item.1.CartItemId", vol2.as_str()),
            ("Item.1.Quantity", "0"),
            ("Item.2.CartItemId", vol1.as_str()),
            ("Item.2.Action", "SaveForLater"),
            ("Item.3.CartItemId", "0201896850"),
            ("Item.3.Quantity", "0"),
        ],
    );
    s.keep(&modified);
    assert_eq!(cart_asins(&modified, "CartItems", "CartItem"), [("0201896850".into(), "3".into())]);
    assert_eq!(cart_asins(&modified, "SavedForLaterItems", "SavedForLaterItem"), [("0201896834".into(), "1".into())]);

    let got = s.send(
        "cart-flow-5-get",
        &[("Operation", "CartGet"), ("ResponseGroup", "Cart,CartSimilarities")],
        &s.with_cart(),
    );
    assert_eq!(got.path("Cart/CartId").unwrap().text_content(), s.cart_id, "the CartId never changes");
    assert_eq!(got.path("Cart/SimilarProducts/SimilarProduct/ASIN").unwrap().text_content(), "0201896842");

    // The documented limit of a store-less cart: an old HMAC still opens the contents it
    // was issued for.
    let stale = s.send(
        "cart-flow-6-stale-hmac",
        &[("Operation", "CartGet")],
        &[("CartId", s.cart_id.as_str()), ("HMAC", first_hmac.as_str())],
    );
    assert_eq!(code_of(&stale), None);
    assert_eq!(cart_asins(&stale, "CartItems", "CartItem").len(), 2);

    let cleared = s.send("cart-flow-7-clear", &[("Operation", "CartClear")], &s.with_cart());
    s.keep(&cleared);
    let names: Vec<&str> = child_elements(cleared.path("Cart").unwrap()).map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["Request", "CartId", "HMAC", "URLEncodedHMAC"]);
    assert_eq!(s.hmac.len(), 28, "an empty cart's HMAC has Amazon's length");

    let mut tampered = s.hmac.clone().into_bytes();
    tampered[3] = if tampered[3] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let refused = s.send(
        "cart-flow-8-tampered-hmac",
        &[("Operation", "CartGet")],
        &[("CartId", s.cart_id.as_str()), ("HMAC", tampered.as_str())],
    );
    assert_eq!(code_of(&refused).as_deref(), Some("AWS.ECommerceService.CartInfoMismatch"));
}

fn cart_item_id_of(root: &Element, asin: &str) -> String {
    let items = root.path("Cart/CartItems").unwrap();
    child_elements(items)
        .find(|e| e.name == "CartItem" && e.path("ASIN").unwrap().text_content() == asin)
        .unwrap()
        .path("CartItemId")
        .unwrap()
        .text_content()
}

#[test]
fn an_offer_listing_id_from_item_lookup_goes_into_a_cart() {
    let s = CartSession {
        keys: Keystore::embedded_default(),
        catalogue: Catalogue::embedded_default(),
        cart_id: String::new(),
        hmac: String::new(),
    };
    let looked = s.send("cart-offer-1-lookup", &[LOOKUP, ("ItemId", "B00005LM0T"), ("ResponseGroup", "Offers")], &[]);
    let id = looked.path("Items/Item/Offers/Offer/OfferListing/OfferListingId").unwrap().text_content();
    assert!(id.contains('+') || id.contains('/') || id.ends_with('='), "a base64 id exercises encoding: {id}");
    let created =
        s.send("cart-offer-2-create", &[CREATE, ("Item.1.Quantity", "1")], &[("Item.1.OfferListingId", id.as_str())]);
    assert_eq!(cart_asins(&created, "CartItems", "CartItem"), [("B00005LM0T".into(), "1".into())]);
}

// ----------------------------------------------------------------- throttle

/// The server's token buckets behind a mutex (a real, counting throttle).
#[derive(Default)]
struct Counting(Mutex<Buckets>);

impl Throttle for Counting {
    fn take(&self, key: &str, quota: Quota, now: UtcTime) -> ThrottleDecision {
        self.0.lock().unwrap().take(key, quota, now)
    }
}

#[test]
fn one_request_per_second_per_key_and_only_authenticated_requests_count() {
    let keys = keystore();
    let catalogue = Catalogue::embedded_default();
    let throttle = Counting::default();
    let case = Case { name: "throttled", params: &[LOOKUP, ULYSSES], ..OK };
    let params = build(&case);
    let t0 = time(NOW);
    let unsigned = Case { signer: Signer::Literal("AAAA"), ..case };
    assert_eq!(call(&keys, &catalogue, &throttle, t0, &unsigned, &build(&unsigned)).status, 403);
    assert_eq!(call(&keys, &catalogue, &throttle, t0, &case, &params).status, 200, "a refused request used no quota");
    let second = call(&keys, &catalogue, &throttle, t0, &case, &params);
    let case_503 = Case { status: 503, code: Some("RequestThrottled"), message: Some("AWS Access Key ID: AKIAIOSFODNN7EXAMPLE. You are submitting requests too quickly. Please retry your requests at a slower rate."), ..case };
    check(&case_503, &second);
    insta::assert_snapshot!("gw-throttled", second.body);
    let zero = Case { signer: Signer::Key(ZERO_KEY), ..case };
    assert_eq!(
        call(&keys, &catalogue, &throttle, t0, &zero, &build(&zero)).status,
        200,
        "another key has its own bucket"
    );
    let later = time("2014-08-18T12:00:01Z");
    assert_eq!(call(&keys, &catalogue, &throttle, later, &case, &params).status, 200, "a second later");
}

// ----------------------------------------------------------------- locales

#[test]
fn the_same_signed_request_is_accepted_on_every_locale_host() {
    let keys = Keystore::embedded_default();
    let catalogue = Catalogue::embedded_default();
    let account = keys.account_for_key(DOCS_KEY.0).unwrap();
    for loc in locale::LOCALES {
        let tag = account.associate_tags[loc.code].as_str();
        for &host in loc.hosts {
            let case = Case { name: "locale", host, params: &[LOOKUP, ULYSSES], ..OK };
            let mut params = build(&case);
            params.remove("Signature");
            params.set("AssociateTag", tag);
            let view = RequestView { method: "GET", scheme: Scheme::Https, host, path: PATH, params: &params };
            params.push(
                "Signature",
                sigv2::sign(&view, sigv2::SignatureMethod::HmacSha256, &SecretKey::new(DOCS_KEY.1)).signature,
            );
            assert_eq!(locale_for_host(host), Some(loc.code));
            let out = call(&keys, &catalogue, &Unlimited, time(NOW), &case, &params);
            assert_eq!(out.status, 200, "{host}: {}", out.body);
            let root = xml::parse(&out.body).unwrap();
            assert_eq!(first_error(&root), None, "{host}");
            let url = root.path("Items/Item/DetailPageURL").unwrap().text_content();
            assert!(url.starts_with(&format!("http://{}/", loc.retail_host)), "{host}: {url}");
            assert!(
                url.contains(&format!("tag%3D{tag}%26")) && url.contains("SubscriptionId%3DAKIAIOSFODNN7EXAMPLE"),
                "{url}"
            );
        }
    }
    assert_eq!(locale_for_host("webservices.amazon.nl"), None);
    assert_eq!(locale_code("uk"), Some("uk"));
    assert_eq!(locale_code("gb"), None);
}

// ----------------------------------------------------------------- gateway table

#[test]
fn the_gateway_table_covers_every_verify_failure() {
    let params: ParamList = [("Operation", "ItemLookup")].into_iter().collect();
    let view = RequestView {
        method: "GET",
        scheme: Scheme::Https,
        host: "webservices.amazon.com",
        path: PATH,
        params: &params,
    };
    let failures = [
        VerifyFailure::MissingParameter("AWSAccessKeyId"),
        VerifyFailure::MissingParameter("Signature"),
        VerifyFailure::MissingParameter("Timestamp"),
        VerifyFailure::TimestampWithExpires,
        VerifyFailure::UnsupportedSignatureVersion("1".into()),
        VerifyFailure::UnsupportedSignatureMethod("HmacMD5".into()),
        VerifyFailure::MalformedTimestamp { param: "Timestamp", raw: "yesterday".into() },
        VerifyFailure::UnknownAccessKey("AKIAUNKNOWN".into()),
        VerifyFailure::InactiveAccessKey("AKIDEXAMPLE".into()),
        VerifyFailure::SignatureNotBase64 { raw: "a b".into() },
        VerifyFailure::SignatureWrongLength { method: sigv2::SignatureMethod::HmacSha256, expected: 32, actual: 3 },
        VerifyFailure::Expired { param: "Timestamp", raw: "2014-08-18T11:00:00Z".into() },
        VerifyFailure::Expired { param: "Expires", raw: "2014-08-18T11:00:00Z".into() },
        VerifyFailure::TimestampInFuture { raw: "2014-08-18T13:00:00Z".into() },
        VerifyFailure::Mismatch { expected: sigv2::canonicalize(&view) },
    ];
    let others = [
        Refusal::Throttled { access_key_id: "AKIAIOSFODNN7EXAMPLE" },
        Refusal::Deprecated { operation: "SellerLookup" },
        Refusal::NotRegistered { associates_host: "affiliate-program.amazon.com" },
        Refusal::NotAnAssociate {
            access_key_id: "AKIAIOSFODNN7EXAMPLE",
            associates_host: "affiliate-program.amazon.com",
        },
    ];
    let mut rendered = String::new();
    for refusal in failures.iter().map(Refusal::Verify).chain(others) {
        let a = gateway::answer(&refusal);
        assert!(matches!(a.status, 400 | 403 | 410 | 503), "{refusal:?}");
        assert!(a.message.ends_with('.') || a.code == "InvalidParameterCombination", "{refusal:?}: {}", a.message);
        let doc = envelope::error_response(
            "ItemLookupErrorResponse",
            Some(&envelope::error_namespace("2011-08-01")),
            a.code,
            &a.message,
            REQUEST_ID,
            a.spelling,
        )
        .to_document();
        let back = xml::parse(&doc).unwrap();
        assert_eq!(back.path("Error/Message").unwrap().text_content(), a.message);
        let _ = writeln!(rendered, "{refusal:?}\n  -> {} {} {:?}\n  {doc}", a.status, a.code, a.spelling);
    }
    insta::assert_snapshot!("gateway-table", rendered);
}

/// The former `is_version`, by round trip through the clock's parser: the reference the
/// allocation-free check must agree with.
fn is_version_by_round_trip(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && crate::clock::UtcTime::parse_iso8601(&format!("{v}T00:00:00Z")).is_ok_and(|t| t.to_iso8601().starts_with(v))
}

proptest::proptest! {
    #[test]
    fn is_version_agrees_with_the_round_trip(y in 0_u32..=9999, m in 0_u32..=13, d in 0_u32..=32, junk in "[-0-9a-zT:]{0,11}") {
        let date = format!("{y:04}-{m:02}-{d:02}");
        proptest::prop_assert_eq!(is_version(&date), is_version_by_round_trip(&date), "{}", date);
        proptest::prop_assert_eq!(is_version(&junk), is_version_by_round_trip(&junk), "{}", junk);
    }
}

#[test]
fn versions_and_names() {
    for good in ["2011-08-01", "2005-10-05", "2013-08-01"] {
        assert!(is_version(good), "{good}");
    }
    for bad in ["latest", "2011-8-01", "2011-13-01", "2011-02-30", "2011-08-01T00:00:00Z", ""] {
        assert!(!is_version(bad), "{bad}");
    }
    assert!(is_plain_name("ItemLookup") && !is_plain_name("Item Lookup") && !is_plain_name("1x"));
    assert_eq!(processing_time(REQUEST_ID).len(), "0.0138170000000000".len());
    for op in Operation::ALL {
        assert_eq!(Operation::parse(op.name()), Some(op));
    }
    assert_eq!(Operation::parse("itemlookup"), None, "names are case-sensitive");
}

#[test]
fn refusals_keep_the_verify_failure_for_diagnosis() {
    let keys = keystore();
    let catalogue = Catalogue::embedded_default();
    let table = table();
    let failure = |name: &str| {
        let row = table.iter().find(|c| c.name == name).unwrap();
        let overrides = row.params();
        let case = &row.case(&overrides);
        call(&keys, &catalogue, &Unlimited, time(case.now), case, &build(case))
            .record
            .failure
            .and_then(|f| f.as_v2().cloned())
    };
    assert!(matches!(failure("gw-signature-plus-as-space"), Some(VerifyFailure::SignatureNotBase64 { .. })));
    assert!(matches!(failure("gw-signature-wrong-length"), Some(VerifyFailure::SignatureWrongLength { .. })));
    assert!(matches!(failure("gw-wrong-secret"), Some(VerifyFailure::Mismatch { .. })));
    assert!(matches!(failure("gw-inactive-key"), Some(VerifyFailure::InactiveAccessKey(_))));
    assert!(matches!(failure("gw-timestamp-in-future"), Some(VerifyFailure::TimestampInFuture { .. })));
    assert_eq!(failure("itemlookup-small"), None);
}
