//! The mock's SigV4 services over real HTTP on 127.0.0.1: PA-API 5.0 (every operation,
//! every locale host, every error) and the generic SigV4 endpoint (AWS Query, JSON 1.0,
//! REST-JSON, REST-XML, S3 with headers and presigned URLs). Requests are signed with
//! `amzsig::sigv4::sign`, answers parsed back (serde_json, the XML parser) and checked,
//! and bodies pinned by snapshots (fixed clock, deterministic request ids).

use crate::server::{client, fixed_config, DG_TIME};
use amzsig::clock::UtcTime;
use amzsig::crypto::{sha256_hex, SecretKey};
use amzsig::diagnose::v4;
use amzsig::encoding::{parse_query, ParamList, PlusMeans};
use amzsig::server::{MockServer, ServerConfig};
use amzsig::services::{ServiceOptions, Throttling};
use amzsig::sigv4::{self, Payload, SignableRequest, SigningParams, SigningSettings};
use serde_json::{json, Value};

const PAAPI_KEY: &str = "AKIAIOSFODNN7EXAMPLE";
const PAAPI_SECRET: &str = "1234567890";
/// The AWS documentation's secret for the same id (AWS General Reference, "Signature
/// Version 2 signing process"; S3 "Signing and Authenticating REST Requests"): the
/// embedded keystore gives the key this secret for AWS services (`secrets: aws`).
const AWS_DOCS_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const AWS_KEY: &str = "AKIDEXAMPLE";
const AWS_SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const MWS_KEY: &str = "022QF0EXAMPLEH9DHM02";
const MWS_SECRET: &str = "kWcrlEXAMPLEM/LtmEENI/aVmYvHNif5zB+d9+ct";
/// The Host header of generic-endpoint requests whose answers echo the canonical request:
/// any non-AWS host reaches the mock on 127.0.0.1, and a fixed one keeps snapshots stable.
const LOCAL_HOST: &str = "localhost:4566";

/// A request to send: what is signed, and how it travels.
#[derive(Clone)]
struct Req {
    method: &'static str,
    /// Path as sent.
    path: String,
    /// Raw query (no `?`).
    query: String,
    /// Headers to sign and send (the `Host` header included).
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// Who signs, and how.
#[derive(Clone, Copy)]
struct Signer {
    key: &'static str,
    secret: &'static str,
    region: &'static str,
    service: &'static str,
    time: &'static str,
    settings: SigningSettings,
    token: Option<&'static str>,
}

fn signer(key: &'static str, secret: &'static str, region: &'static str, service: &'static str) -> Signer {
    Signer { key, secret, region, service, time: DG_TIME, settings: SigningSettings::default(), token: None }
}

fn query_of(raw: &str) -> ParamList {
    parse_query(raw.as_bytes(), PlusMeans::Space).unwrap()
}

impl Req {
    fn new(method: &'static str, host: &str, path: &str) -> Self {
        Req {
            method,
            path: path.to_owned(),
            query: String::new(),
            headers: vec![("host".to_owned(), host.to_owned())],
            body: Vec::new(),
        }
    }

    fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    fn query(mut self, raw: &str) -> Self {
        raw.clone_into(&mut self.query);
        self
    }

    /// The request as a signer sees it, `query` being its parsed query.
    fn signable<'a>(&'a self, query: &'a ParamList) -> SignableRequest<'a> {
        SignableRequest {
            method: self.method,
            path: &self.path,
            query,
            headers: (&self.headers).into(),
            payload: Payload::Bytes(&self.body),
        }
    }

    /// The request signed by `s` (header form, or presigned when the settings say so).
    fn signed(&self, s: &Signer) -> Req {
        let query = query_of(&self.query);
        let signable = self.signable(&query);
        let secret = SecretKey::new(s.secret);
        let out = sigv4::sign(&signable, &params(s, &secret));
        let mut signed = self.clone();
        if out.query_params.is_empty() {
            out.apply_headers(&mut signed.headers);
        } else {
            signed.query = out.presigned_query(&query);
        }
        signed
    }

    fn header_value(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    fn set_header(mut self, name: &str, value: &str) -> Self {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

fn params<'a>(s: &'a Signer, secret: &'a SecretKey) -> SigningParams<'a> {
    SigningParams {
        access_key_id: s.key,
        secret,
        session_token: s.token,
        region: s.region,
        service: s.service,
        time: UtcTime::parse_iso8601(s.time).unwrap(),
        settings: s.settings,
    }
}

/// An answer, read back.
struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    fn xml(&self) -> amzsig::xml::Element {
        amzsig::xml::parse(&self.body).unwrap_or_else(|e| panic!("not XML ({e}): {}", self.body))
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// PA-API 5.0 / JSON error: (`__type`, first code, first message).
    fn paapi_error(&self) -> (String, String, String) {
        let v = self.json();
        let s = |v: &Value| v.as_str().unwrap_or_default().to_owned();
        (s(&v["__type"]), s(&v["Errors"][0]["Code"]), s(&v["Errors"][0]["Message"]))
    }
}

async fn send(server: &MockServer, r: &Req) -> Answer {
    let url = if r.query.is_empty() {
        format!("{}{}", server.base_url(), r.path)
    } else {
        format!("{}{}?{}", server.base_url(), r.path, r.query)
    };
    let mut b = client().request(r.method.parse().unwrap(), url);
    for (n, v) in &r.headers {
        b = b.header(n.as_str(), v.as_str());
    }
    let resp = b.body(r.body.clone()).send().await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    Answer { status, headers, body: resp.text().await.unwrap() }
}

fn config(throttling: Throttling) -> ServerConfig {
    ServerConfig { options: ServiceOptions { throttling, ..ServiceOptions::default() }, ..fixed_config() }
}

// ---------------------------------------------------------------- PA-API 5.0

/// A PA-API 5.0 request to `host` (the Host header) for `op`, not yet signed.
fn paapi5(host: &str, op: &str, body: &Value) -> Req {
    Req::new("POST", host, &format!("/paapi5/{}", op.to_lowercase()))
        .header("content-encoding", "amz-1.0")
        .header("content-type", "application/json; charset=utf-8")
        .header("x-amz-target", &format!("com.amazon.paapi5.v1.ProductAdvertisingAPIv1.{op}"))
        .body(body.to_string())
}

fn us_signer() -> Signer {
    signer(PAAPI_KEY, PAAPI_SECRET, "us-east-1", "ProductAdvertisingAPI")
}

fn get_items(ids: &[&str]) -> Value {
    json!({
        "ItemIds": ids,
        "PartnerTag": "mytag-20",
        "PartnerType": "Associates",
        "Marketplace": "www.amazon.com",
        "Resources": ["ItemInfo.Title", "ItemInfo.ByLineInfo", "Offers.Listings.Price", "Images.Primary.Medium"],
    })
}

#[tokio::test]
async fn paapi5_every_operation_answers_json_from_the_shared_catalogue() {
    let server = MockServer::start_with(config(Throttling::Off)).await.unwrap();
    let host = server.addr().to_string();
    let common = |mut v: Value| {
        v["PartnerTag"] = json!("mytag-20");
        v["PartnerType"] = json!("Associates");
        v
    };
    let cases = [
        ("GetItems", get_items(&["0679722769", "B000NOSUCH"])),
        (
            "SearchItems",
            common(json!({"Keywords": "art of computer programming", "SearchIndex": "Books", "ItemCount": 2,
                "Resources": ["ItemInfo.Title", "Offers.Listings.Price", "Offers.Listings.MerchantInfo"]})),
        ),
        ("GetVariations", common(json!({"ASIN": "B000NK8EWI", "Resources": ["ItemInfo.Title"]}))),
        (
            "GetBrowseNodes",
            common(
                json!({"BrowseNodeIds": ["3970", "999999"], "Resources": ["BrowseNodes.Ancestor", "BrowseNodes.Children"]}),
            ),
        ),
    ];
    for (op, body) in cases {
        let a = send(&server, &paapi5(&host, op, &body).signed(&us_signer())).await;
        assert_eq!(a.status, 200, "{op}: {}", a.body);
        assert_eq!(a.header("content-type"), Some("application/json"), "{op}");
        assert!(a.header("x-amzn-requestid").is_some_and(|id| id.len() == 36), "{op}");
        let v = a.json();
        match op {
            "GetItems" => {
                let item = &v["ItemsResult"]["Items"][0];
                assert_eq!(item["ASIN"], "0679722769");
                assert!(item["DetailPageURL"].as_str().unwrap().contains("tag=mytag-20"));
                assert!(!item["ItemInfo"]["Title"]["DisplayValue"].as_str().unwrap().is_empty());
                assert_eq!(v["ItemsResult"]["Items"].as_array().unwrap().len(), 1);
                assert_eq!(v["Errors"][0]["__type"], "com.amazon.paapi5#ErrorData");
                assert_eq!(v["Errors"][0]["Code"], "InvalidParameterValue");
                assert_eq!(v["Errors"][0]["Message"], "The ItemId B000NOSUCH provided in the request is invalid.");
            }
            "SearchItems" => {
                let items = v["SearchResult"]["Items"].as_array().unwrap();
                assert_eq!(items.len(), 2);
                assert!(v["SearchResult"]["TotalResultCount"].as_u64().unwrap() >= 2);
                for i in items {
                    let title = i["ItemInfo"]["Title"]["DisplayValue"].as_str().unwrap().to_lowercase();
                    assert!(title.contains("art of computer programming"), "{title}");
                    assert_eq!(i["Offers"]["Listings"][0]["Price"]["Currency"], "USD");
                }
            }
            "GetVariations" => {
                assert_eq!(v["VariationsResult"]["Items"][0]["ASIN"], "B000NK8EWI");
                let n = v["VariationsResult"]["VariationSummary"]["VariationCount"].as_u64().unwrap();
                assert_eq!(usize::try_from(n).unwrap(), v["VariationsResult"]["Items"].as_array().unwrap().len());
            }
            _ => {
                let node = &v["BrowseNodesResult"]["BrowseNodes"][0];
                assert_eq!(node["Id"], "3970");
                assert_eq!(node["DisplayName"], "Algorithms");
                assert_eq!(node["Ancestor"]["Id"], "3952");
                assert_eq!(v["Errors"][0]["Message"], "The BrowseNodeId 999999 provided in the request is invalid.");
            }
        }
        insta::assert_snapshot!(format!("paapi5-{}", op.to_lowercase()), serde_json::to_string_pretty(&v).unwrap());
    }
    let journal = server.journal();
    let ops: Vec<_> = journal.iter().map(|e| e.operation.clone().unwrap_or_default()).collect();
    assert_eq!(ops, ["GetItems", "SearchItems", "GetVariations", "GetBrowseNodes"]);
    for e in &journal {
        assert_eq!(e.access_key_id.as_deref(), Some(PAAPI_KEY));
        assert_eq!(serde_json::to_value(e.service).unwrap(), "paapi5");
        assert_eq!(serde_json::to_value(e.verdict).unwrap(), "accepted");
    }
    assert_eq!(journal[0].error_code.as_deref(), Some("InvalidParameterValue"));
    server.stop().await;
}

#[tokio::test]
async fn paapi5_every_locale_host_accepts_its_region_and_refuses_another() {
    let server = MockServer::start_with(config(Throttling::Off)).await.unwrap();
    let keys = amzsig::keystore::Keystore::embedded_default();
    let tags = &keys.account_for_key(PAAPI_KEY).unwrap().associate_tags;
    // (locale code, host, region, marketplace), from the PA-API 5.0 "Locale Reference" and
    // "Common Request Parameters: Host and Region" (webservices.amazon.com/paapi5/documentation/
    // locale-reference.html, common-request-parameters.html#host-and-region): written out here,
    // not read from the mock's own table.
    let locales = [
        ("us", "webservices.amazon.com", "us-east-1", "www.amazon.com"),
        ("ca", "webservices.amazon.ca", "us-east-1", "www.amazon.ca"),
        ("mx", "webservices.amazon.com.mx", "us-east-1", "www.amazon.com.mx"),
        ("br", "webservices.amazon.com.br", "us-east-1", "www.amazon.com.br"),
        ("uk", "webservices.amazon.co.uk", "eu-west-1", "www.amazon.co.uk"),
        ("de", "webservices.amazon.de", "eu-west-1", "www.amazon.de"),
        ("fr", "webservices.amazon.fr", "eu-west-1", "www.amazon.fr"),
        ("it", "webservices.amazon.it", "eu-west-1", "www.amazon.it"),
        ("es", "webservices.amazon.es", "eu-west-1", "www.amazon.es"),
        ("in", "webservices.amazon.in", "eu-west-1", "www.amazon.in"),
        ("jp", "webservices.amazon.co.jp", "us-west-2", "www.amazon.co.jp"),
        ("au", "webservices.amazon.com.au", "us-west-2", "www.amazon.com.au"),
    ];
    for (code, host, region, marketplace) in locales {
        let body = json!({"ItemIds": ["0679722769"], "PartnerTag": tags[code], "PartnerType": "Associates",
            "Marketplace": marketplace});
        let s = Signer { region, ..us_signer() };
        let ok = send(&server, &paapi5(host, "GetItems", &body).signed(&s)).await;
        assert_eq!(ok.status, 200, "{host}: {}", ok.body);
        assert_eq!(ok.json()["ItemsResult"]["Items"][0]["ASIN"], "0679722769", "{host}");
        let other = if region == "eu-west-1" { "us-east-1" } else { "eu-west-1" };
        let bad = send(&server, &paapi5(host, "GetItems", &body).signed(&Signer { region: other, ..s })).await;
        assert_eq!(bad.status, 401, "{host}");
        let (ty, code, message) = bad.paapi_error();
        assert_eq!((ty.as_str(), code.as_str()), ("com.amazon.paapi5#InvalidSignatureException", "InvalidSignature"));
        assert_eq!(message, format!("Credential should be scoped to a valid region, not '{other}'. "));
    }
    server.stop().await;
}

/// One refused PA-API 5.0 request: name, request, status, `__type`, code, message start.
struct Refused {
    name: &'static str,
    req: Req,
    status: u16,
    exception: &'static str,
    code: &'static str,
    message: &'static str,
}

#[allow(clippy::too_many_lines)] // a table
fn paapi5_refusals(host: &str) -> Vec<Refused> {
    let ok = || paapi5(host, "GetItems", &get_items(&["0679722769"]));
    let s = us_signer();
    let with_body = |v: Value| paapi5(host, "GetItems", &v).signed(&s);
    let mut v = vec![
        Refused {
            name: "wrong-secret",
            req: ok().signed(&Signer { secret: "0987654321", ..s }),
            status: 401,
            exception: "InvalidSignatureException",
            code: "InvalidSignature",
            message: "The request has not been correctly signed. If you are using an AWS SDK, requests are signed for \
                      you automatically; otherwise, go to https://webservices.amazon.com/paapi5/documentation/\
                      sending-request.html#signing.",
        },
        Refused {
            name: "unknown-key",
            req: ok().signed(&Signer { key: "AKIAUNKNOWNEXAMPLE00", ..s }),
            status: 401,
            exception: "UnrecognizedClientException",
            code: "UnrecognizedClient",
            message: "The Access Key ID or security token included in the request is invalid.",
        },
        Refused {
            name: "no-authorization",
            req: ok(),
            status: 400,
            exception: "IncompleteSignatureException",
            code: "IncompleteSignature",
            message: "The request signature did not include all of the required components.",
        },
        Refused {
            name: "authorization-without-signed-headers",
            req: ok().signed(&s).set_header(
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20140818/us-east-1/ProductAdvertisingAPI/aws4_request, \
                 Signature=0000000000000000000000000000000000000000000000000000000000000000",
            ),
            status: 400,
            exception: "IncompleteSignatureException",
            code: "IncompleteSignature",
            message: "The request signature did not include all of the required components.",
        },
        Refused {
            name: "wrong-service",
            req: ok().signed(&Signer { service: "execute-api", ..s }),
            status: 401,
            exception: "InvalidSignatureException",
            code: "InvalidSignature",
            message: "Credential should be scoped to correct service: 'ProductAdvertisingAPI'. ",
        },
        Refused {
            name: "expired-date",
            req: ok().signed(&Signer { time: "2014-08-18T11:00:00Z", ..s }),
            status: 401,
            exception: "InvalidSignatureException",
            code: "InvalidSignature",
            message: "Signature expired: 20140818T110000Z is now earlier than 20140818T114500Z (20140818T120000Z - 15 min.)",
        },
        Refused {
            name: "future-date",
            req: ok().signed(&Signer { time: "2014-08-18T13:00:00Z", ..s }),
            status: 401,
            exception: "InvalidSignatureException",
            code: "InvalidSignature",
            message: "Signature not yet current: 20140818T130000Z is still later than 20140818T121500Z",
        },
        Refused {
            name: "aws-key-in-uk",
            req: paapi5("webservices.amazon.co.uk", "GetItems", &get_items(&["0679722769"]))
                .signed(&signer(AWS_KEY, AWS_SECRET, "eu-west-1", "ProductAdvertisingAPI")),
            status: 403,
            exception: "AssociateValidationException",
            code: "InvalidAssociate",
            message: "Your access key AKIDEXAMPLE is not mapped to primary of approved associate store. Please visit \
                      associate central at https://affiliate-program.amazon.co.uk/",
        },
        Refused {
            name: "mws-key",
            req: ok().signed(&Signer { key: MWS_KEY, secret: MWS_SECRET, ..s }),
            status: 403,
            exception: "AccessDeniedException",
            code: "AccessDenied",
            message: "The Access Key is not enabled for accessing Product Advertising API.",
        },
        Refused {
            name: "wrong-partner-tag",
            req: with_body(json!({"ItemIds": ["0679722769"], "PartnerTag": "other-20", "PartnerType": "Associates"})),
            status: 400,
            exception: "InvalidPartnerTagException",
            code: "InvalidPartnerTag",
            message: "The partner tag is not mapped to a valid associate store with your access key AKIAIOSFODNN7EXAMPLE.",
        },
        Refused {
            name: "missing-partner-tag",
            req: with_body(json!({"ItemIds": ["0679722769"], "PartnerType": "Associates"})),
            status: 400,
            exception: "InvalidPartnerTagException",
            code: "InvalidPartnerTag",
            message: "The partner tag is not mapped",
        },
        Refused {
            name: "missing-item-ids",
            req: with_body(json!({"PartnerTag": "mytag-20", "PartnerType": "Associates"})),
            status: 400,
            exception: "MissingParameterException",
            code: "MissingParameter",
            message: "The request must contain the parameter ItemIds.",
        },
        Refused {
            name: "eleven-item-ids",
            req: with_body(json!({"ItemIds": vec!["0679722769"; 11], "PartnerTag": "mytag-20", "PartnerType": "Associates"})),
            status: 400,
            exception: "InvalidParameterValueException",
            code: "InvalidParameterValue",
            message: "The value [",
        },
        Refused {
            name: "wrong-partner-type",
            req: with_body(json!({"ItemIds": ["0679722769"], "PartnerTag": "mytag-20", "PartnerType": "Affiliate"})),
            status: 400,
            exception: "InvalidParameterValueException",
            code: "InvalidParameterValue",
            message: "The value Affiliate provided in the request for PartnerType is invalid.",
        },
        Refused {
            name: "wrong-marketplace",
            req: with_body(json!({"ItemIds": ["0679722769"], "PartnerTag": "mytag-20", "PartnerType": "Associates",
                "Marketplace": "www.amazon.de"})),
            status: 400,
            exception: "InvalidParameterValueException",
            code: "InvalidParameterValue",
            message: "The value www.amazon.de provided in the request for Marketplace is invalid.",
        },
        Refused {
            name: "unknown-resource",
            req: with_body(json!({"ItemIds": ["0679722769"], "PartnerTag": "mytag-20", "PartnerType": "Associates",
                "Resources": ["ItemInfo.Nonsense"]})),
            status: 400,
            exception: "InvalidParameterValueException",
            code: "InvalidParameterValue",
            message: "The value [ItemInfo.Nonsense] provided in the request for Resources is invalid.",
        },
        Refused {
            name: "body-not-json",
            req: paapi5(host, "GetItems", &json!(null)).body("{not json").signed(&s),
            status: 400,
            exception: "InvalidParameterValueException",
            code: "InvalidParameterValue",
            message: "The request body is not a valid JSON object.",
        },
        Refused {
            name: "target-of-another-operation",
            req: ok()
                .set_header("x-amz-target", "com.amazon.paapi5.v1.ProductAdvertisingAPIv1.SearchItems")
                .signed(&s),
            status: 404,
            exception: "UnknownOperationException",
            code: "UnknownOperation",
            message: "The operation requested is invalid.",
        },
        Refused {
            name: "unknown-operation",
            req: Req { path: "/paapi5/getitem".to_owned(), ..ok() }.signed(&s),
            status: 404,
            exception: "UnknownOperationException",
            code: "UnknownOperation",
            message: "The operation requested is invalid.",
        },
        Refused {
            name: "search-without-results",
            req: paapi5(
                host,
                "SearchItems",
                &json!({"Keywords": "zzzz no such thing", "PartnerTag": "mytag-20", "PartnerType": "Associates"}),
            )
            .signed(&s),
            status: 404,
            exception: "ResourceNotFoundException",
            code: "NoResults",
            message: "No results found for your request.",
        },
    ];
    // A signed header changed after signing.
    let tampered = ok().signed(&s).set_header("content-type", "application/json");
    v.push(Refused {
        name: "signed-header-changed",
        req: tampered,
        status: 401,
        exception: "InvalidSignatureException",
        code: "InvalidSignature",
        message: "The request has not been correctly signed.",
    });
    v
}

#[tokio::test]
async fn paapi5_refusals_carry_the_real_type_code_status_and_message() {
    let server = MockServer::start_with(config(Throttling::Off)).await.unwrap();
    let host = "webservices.amazon.com";
    for c in paapi5_refusals(host) {
        let a = send(&server, &c.req).await;
        assert_eq!(a.status, c.status, "{}: {}", c.name, a.body);
        assert!(a.header("x-amzn-requestid").is_some(), "{}", c.name);
        let (ty, code, message) = a.paapi_error();
        assert_eq!(ty, format!("com.amazon.paapi5#{}", c.exception), "{}", c.name);
        assert_eq!(code, c.code, "{}", c.name);
        assert!(message.starts_with(c.message), "{}: {message}", c.name);
        insta::assert_snapshot!(format!("paapi5-refused-{}", c.name), a.body);
        let last = server.journal().pop().unwrap();
        assert_eq!(last.error_code.as_deref(), Some(c.code), "{}", c.name);
        assert_eq!(last.status, c.status, "{}", c.name);
    }
    // No secret anywhere in the journal.
    let journal = serde_json::to_string(&server.journal()).unwrap();
    for secret in [PAAPI_SECRET, AWS_SECRET, MWS_SECRET] {
        assert!(!journal.contains(secret));
    }
    server.stop().await;
}

#[tokio::test]
async fn paapi5_allows_one_request_per_second_per_key() {
    let server = MockServer::start_with(config(Throttling::On)).await.unwrap();
    let req = paapi5("webservices.amazon.com", "GetItems", &get_items(&["0679722769"])).signed(&us_signer());
    let first = send(&server, &req).await;
    assert_eq!(first.status, 200, "{}", first.body);
    // The fixed clock does not move: the second request comes within the same second.
    let second = send(&server, &req).await;
    assert_eq!(second.status, 429);
    let (ty, code, message) = second.paapi_error();
    assert_eq!(ty, "com.amazon.paapi5#TooManyRequestsException");
    assert_eq!(code, "TooManyRequests");
    assert_eq!(
        message,
        "The request was denied due to request throttling. Please verify the number of requests made per second to \
         the Amazon Product Advertising API."
    );
    // Another key has its own bucket.
    let other = paapi5(
        "webservices.amazon.com",
        "GetItems",
        &json!({"ItemIds": ["0679722769"],
        "PartnerTag": "awsdocs-20", "PartnerType": "Associates"}),
    )
    .signed(&signer(AWS_KEY, AWS_SECRET, "us-east-1", "ProductAdvertisingAPI"));
    assert_eq!(send(&server, &other).await.status, 200);
    server.stop().await;
}

#[tokio::test]
async fn paapi5_refuses_every_one_character_change() {
    let server = MockServer::start_with(config(Throttling::Off)).await.unwrap();
    let good = paapi5("webservices.amazon.com", "GetItems", &get_items(&["0679722769"])).signed(&us_signer());
    assert_eq!(send(&server, &good).await.status, 200);
    let flip = |s: &str, i: usize| {
        let mut b = s.as_bytes().to_vec();
        b[i] = if b[i] == b'0' { b'1' } else { b'0' };
        String::from_utf8(b).unwrap()
    };
    let mut variants = Vec::new();
    for i in 0..good.body.len() {
        let mut r = good.clone();
        r.body[i] = if r.body[i] == b'A' { b'B' } else { b'A' };
        variants.push((format!("body byte {i}"), r));
    }
    let auth = good.header_value("authorization").unwrap().to_owned();
    let sig_at = auth.find("Signature=").unwrap() + "Signature=".len();
    for i in sig_at..auth.len() {
        variants.push((format!("signature char {i}"), good.clone().set_header("authorization", &flip(&auth, i))));
    }
    for name in ["x-amz-date", "x-amz-target", "content-encoding"] {
        let value = good.header_value(name).unwrap().to_owned();
        for i in (0..value.len()).step_by(3) {
            variants.push((format!("{name} char {i}"), good.clone().set_header(name, &flip(&value, i))));
        }
    }
    for (what, r) in &variants {
        let a = send(&server, r).await;
        assert_ne!(a.status, 200, "{what} accepted");
        assert!([400, 401, 404].contains(&a.status), "{what}: {}", a.status);
    }
    server.stop().await;
}

#[tokio::test]
async fn paapi5_mismatch_is_diagnosed() {
    let server = MockServer::start_with(config(Throttling::Off)).await.unwrap();
    let req = paapi5("webservices.amazon.com", "GetItems", &get_items(&["0679722769"]));
    let query = ParamList::default();
    let signable = req.signable(&query);
    let secret = SecretKey::new(PAAPI_SECRET);
    let broken =
        v4::sign_with_mistakes(&signable, &params(&us_signer(), &secret), &[v4::SECRET_WITHOUT_AWS4_PREFIX]).unwrap();
    let sent = Req { headers: broken.headers, ..req };
    let a = send(&server, &sent).await;
    assert_eq!(a.status, 401, "{}", a.body);
    assert_eq!(a.header("x-amzsig-diagnosis"), Some("v4-secret-without-aws4-prefix"));
    let last = server.journal().pop().unwrap();
    assert_eq!(last.diagnosis.as_deref(), Some("v4-secret-without-aws4-prefix"));
    assert_eq!(last.error_code.as_deref(), Some("InvalidSignature"));
    assert!(last.failure.unwrap().to_string().contains("does not match"));
    server.stop().await;
}

// ---------------------------------------------------------------- generic SigV4

fn form(host: &str, body: &str) -> Req {
    Req::new("POST", host, "/").header("content-type", "application/x-www-form-urlencoded; charset=utf-8").body(body)
}

const CALLER: &str = "Action=GetCallerIdentity&Version=2011-06-15";

#[tokio::test]
async fn sts_get_caller_identity_answers_the_keystore_account() {
    let server = MockServer::start_with(config(Throttling::Off)).await.unwrap();
    let host = server.addr().to_string();
    let a = send(&server, &form(&host, CALLER).signed(&signer(AWS_KEY, AWS_SECRET, "us-east-1", "sts"))).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let doc = a.xml();
    assert_eq!(doc.name, "GetCallerIdentityResponse");
    assert_eq!(doc.attr_value("xmlns"), Some("https://sts.amazonaws.com/doc/2011-06-15/"));
    let account = doc.path("GetCallerIdentityResult/Account").unwrap().text_content();
    assert_eq!(account.len(), 12);
    assert!(account.bytes().all(|b| b.is_ascii_digit()));
    let arn = doc.path("GetCallerIdentityResult/Arn").unwrap().text_content();
    assert_eq!(arn, format!("arn:aws:iam::{account}:user/aws-docs"));
    assert!(doc.path("GetCallerIdentityResult/UserId").unwrap().text_content().starts_with("AIDA"));
    assert!(!doc.path("ResponseMetadata/RequestId").unwrap().text_content().is_empty());
    insta::assert_snapshot!("sts-get-caller-identity", a.body);
    // Any region on loopback; the same key of another account gives another account id.
    let b = send(&server, &form(&host, CALLER).signed(&signer(PAAPI_KEY, AWS_DOCS_SECRET, "ap-south-1", "sts"))).await;
    assert_eq!(b.status, 200, "{}", b.body);
    assert_ne!(b.xml().path("GetCallerIdentityResult/Account").unwrap().text_content(), account);
    let last = server.journal().pop().unwrap();
    assert_eq!(last.operation.as_deref(), Some("GetCallerIdentity"));
    assert_eq!(serde_json::to_value(last.service).unwrap(), "aws");
    server.stop().await;
}

/// One refused generic request: the protocol's error code and message start.
struct Generic {
    name: &'static str,
    req: Req,
    status: u16,
    code: &'static str,
    message: &'static str,
}

#[allow(clippy::too_many_lines)] // a table
fn generic_refusals(loopback: &str) -> Vec<Generic> {
    let sts = signer(AWS_KEY, AWS_SECRET, "us-east-1", "sts");
    let q = || form(loopback, CALLER);
    let ddb = || {
        Req::new("POST", loopback, "/")
            .header("content-type", "application/x-amz-json-1.0")
            .header("x-amz-target", "DynamoDB_20120810.ListTables")
            .body("{}")
    };
    let ddb_s = signer(AWS_KEY, AWS_SECRET, "us-east-1", "dynamodb");
    let lambda = || {
        Req::new("POST", loopback, "/2015-03-31/functions/f/invocations")
            .header("content-type", "application/json")
            .body("{\"k\":1}")
    };
    let lambda_s = signer(AWS_KEY, AWS_SECRET, "us-east-1", "lambda");
    let r53 = || Req::new("GET", loopback, "/2013-04-01/hostedzone");
    let r53_s = signer(AWS_KEY, AWS_SECRET, "us-east-1", "route53");
    vec![
        Generic {
            name: "query-wrong-secret",
            req: q().signed(&Signer { secret: "wrong", ..sts }),
            status: 403,
            code: "SignatureDoesNotMatch",
            message: "The request signature we calculated does not match the signature you provided. Check your AWS \
                      Secret Access Key and signing method. Consult the service documentation for details.",
        },
        Generic {
            name: "query-unknown-key",
            req: q().signed(&Signer { key: "AKIAUNKNOWNEXAMPLE00", ..sts }),
            status: 403,
            code: "InvalidClientTokenId",
            message: "The security token included in the request is invalid.",
        },
        Generic {
            name: "query-no-authentication",
            req: form("sts.amazonaws.com", CALLER),
            status: 403,
            code: "MissingAuthenticationToken",
            message: "Request is missing Authentication Token",
        },
        Generic {
            name: "query-incomplete",
            req: q().signed(&sts).set_header(
                "authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20140818/us-east-1/sts/aws4_request",
            ),
            status: 400,
            code: "IncompleteSignature",
            message: "Authorization header requires 'Signature' parameter. Authorization header requires \
                      'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/",
        },
        Generic {
            name: "query-expired",
            req: q().signed(&Signer { time: "2014-08-18T11:00:00Z", ..sts }),
            status: 403,
            code: "SignatureDoesNotMatch",
            message: "Signature expired: 20140818T110000Z is now earlier than 20140818T114500Z (20140818T120000Z - 15 \
                      min.)",
        },
        Generic {
            name: "query-wrong-region-for-host",
            req: form("sts.amazonaws.com", CALLER).signed(&Signer { region: "eu-west-1", ..sts }),
            status: 403,
            code: "SignatureDoesNotMatch",
            message: "Credential should be scoped to a valid region, not 'eu-west-1'. ",
        },
        Generic {
            name: "query-wrong-service-for-host",
            req: form("sts.amazonaws.com", CALLER).signed(&Signer { service: "iam", ..sts }),
            status: 403,
            code: "SignatureDoesNotMatch",
            message: "Credential should be scoped to correct service: 'sts'. ",
        },
        Generic {
            name: "query-session-token",
            req: q().signed(&Signer { token: Some("FQoGZXIvYXdzEXAMPLETOKEN"), ..sts }),
            status: 403,
            code: "InvalidClientTokenId",
            message: "The security token included in the request is invalid.",
        },
        Generic {
            name: "query-presigned-without-credential",
            req: Req::new("GET", loopback, "/")
                .query("Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256"),
            status: 400,
            code: "IncompleteSignature",
            message: "AWS query-string parameters must include 'X-Amz-Credential'. Re-examine the query-string \
                      parameters.",
        },
        Generic {
            name: "json-credential-without-scope",
            req: ddb().header("x-amz-date", "20140818T120000Z").header(
                "authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE, SignedHeaders=host;x-amz-date, Signature=abc",
            ),
            status: 400,
            code: "IncompleteSignatureException",
            message: "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, \
                      got 'AKIDEXAMPLE'",
        },
        Generic {
            name: "json-wrong-secret",
            req: ddb().signed(&Signer { secret: "wrong", ..ddb_s }),
            status: 400,
            code: "InvalidSignatureException",
            message: "The request signature we calculated does not match the signature you provided.",
        },
        Generic {
            name: "json-unknown-key",
            req: ddb().signed(&Signer { key: "AKIAUNKNOWNEXAMPLE00", ..ddb_s }),
            status: 400,
            code: "UnrecognizedClientException",
            message: "The security token included in the request is invalid.",
        },
        Generic {
            name: "json-no-authentication",
            req: ddb(),
            status: 400,
            code: "MissingAuthenticationTokenException",
            message: "Request is missing Authentication Token",
        },
        Generic {
            name: "rest-json-wrong-secret",
            req: lambda().signed(&Signer { secret: "wrong", ..lambda_s }),
            status: 403,
            code: "InvalidSignatureException",
            message: "The request signature we calculated does not match the signature you provided.",
        },
        Generic {
            name: "rest-json-no-authentication",
            req: Req { headers: vec![("host".to_owned(), "lambda.us-east-1.amazonaws.com".to_owned())], ..lambda() }
                .header("content-type", "application/json"),
            status: 403,
            code: "MissingAuthenticationTokenException",
            message: "Missing Authentication Token",
        },
        Generic {
            name: "rest-xml-wrong-secret",
            req: r53().signed(&Signer { secret: "wrong", ..r53_s }),
            status: 403,
            code: "SignatureDoesNotMatch",
            message: "The request signature we calculated does not match the signature you provided.",
        },
    ]
}

/// The error code and message of any of the protocols' error bodies.
fn generic_error(a: &Answer) -> (String, String) {
    if a.body.starts_with('{') {
        let v = a.json();
        let code = v["__type"]
            .as_str()
            .map_or_else(|| a.header("x-amzn-errortype").unwrap_or_default().to_owned(), str::to_owned);
        (code, v["message"].as_str().unwrap_or_default().to_owned())
    } else {
        let doc = a.xml();
        let err = doc.find("Error").unwrap_or(&doc);
        (err.path("Code").unwrap().text_content(), err.path("Message").unwrap().text_content())
    }
}

#[tokio::test]
async fn generic_refusals_speak_each_protocol() {
    let server = MockServer::start_with(config(Throttling::Off)).await.unwrap();
    for c in generic_refusals(LOCAL_HOST) {
        let a = send(&server, &c.req).await;
        assert_eq!(a.status, c.status, "{}: {}", c.name, a.body);
        let (code, message) = generic_error(&a);
        assert_eq!(code, c.code, "{}: {}", c.name, a.body);
        assert!(message.starts_with(c.message), "{}: {message}", c.name);
        if c.name.starts_with("json-wrong") {
            assert!(
                message.contains("\n\nThe Canonical String for this request should have been\n'POST\n/\n"),
                "{message}"
            );
            assert!(message.contains("The String-to-Sign should have been\n'AWS4-HMAC-SHA256\n20140818T120000Z\n"));
        }
        if c.name.starts_with("query") {
            assert_eq!(a.xml().name, "ErrorResponse", "{}", c.name);
            assert_eq!(a.xml().path("Error/Type").unwrap().text_content(), "Sender");
        }
        insta::assert_snapshot!(format!("aws-refused-{}", c.name), a.body);
        let last = server.journal().pop().unwrap();
        assert_eq!(last.error_code.as_deref(), Some(c.code), "{}", c.name);
    }
    let journal = serde_json::to_string(&server.journal()).unwrap();
    assert!(!journal.contains(AWS_SECRET));
    server.stop().await;
}

#[tokio::test]
async fn generic_successes_take_each_protocols_shape() {
    let server = MockServer::start_with(config(Throttling::Off)).await.unwrap();
    let host = server.addr().to_string();
    let ddb = Req::new("POST", &host, "/")
        .header("content-type", "application/x-amz-json-1.0")
        .header("x-amz-target", "DynamoDB_20120810.ListTables")
        .body("{}")
        .signed(&signer(AWS_KEY, AWS_SECRET, "eu-central-1", "dynamodb"));
    let a = send(&server, &ddb).await;
    assert_eq!((a.status, a.header("content-type")), (200, Some("application/x-amz-json-1.0")), "{}", a.body);
    assert_eq!(a.json(), json!({}));
    let lambda = Req::new("POST", &host, "/2015-03-31/functions/f/invocations")
        .header("content-type", "application/json")
        .body("{}")
        .signed(&signer(AWS_KEY, AWS_SECRET, "us-west-2", "lambda"));
    assert_eq!(send(&server, &lambda).await.status, 200);
    let sqs =
        form(&host, "Action=ListQueues&Version=2012-11-05").signed(&signer(AWS_KEY, AWS_SECRET, "us-east-1", "sqs"));
    let a = send(&server, &sqs).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let doc = a.xml();
    assert_eq!(doc.name, "ListQueuesResponse");
    assert!(doc.path("ListQueuesResult").is_some());
    assert!(doc.path("ResponseMetadata/RequestId").is_some());
    // A real host checks the scope against itself: the right one passes.
    let real = form("sts.eu-west-1.amazonaws.com", CALLER).signed(&signer(AWS_KEY, AWS_SECRET, "eu-west-1", "sts"));
    assert_eq!(send(&server, &real).await.status, 200);
    let ops: Vec<_> = server.journal().iter().map(|e| e.operation.clone().unwrap_or_default()).collect();
    assert_eq!(ops, ["ListTables", "POST /2015-03-31/functions/f/invocations", "ListQueues", "GetCallerIdentity"]);
    server.stop().await;
}

// ---------------------------------------------------------------- S3

fn s3_signer() -> Signer {
    Signer { settings: SigningSettings::s3(), ..signer(AWS_KEY, AWS_SECRET, "us-east-1", "s3") }
}

#[tokio::test]
async fn s3_list_buckets_and_get_object_with_headers_and_presigned_urls() {
    let server = MockServer::start_with(config(Throttling::Off)).await.unwrap();
    let host = server.addr().to_string();
    let list = send(&server, &Req::new("GET", &host, "/").signed(&s3_signer())).await;
    assert_eq!(list.status, 200, "{}", list.body);
    let doc = list.xml();
    assert_eq!(doc.name, "ListAllMyBucketsResult");
    assert_eq!(doc.path("Buckets/Bucket/Name").unwrap().text_content(), "amzsig-example");
    assert!(list.header("x-amz-request-id").is_some() && list.header("x-amz-id-2").is_some());
    insta::assert_snapshot!("s3-list-buckets", list.body);

    let get = send(&server, &Req::new("GET", &host, "/amzsig-example/hello.txt").signed(&s3_signer())).await;
    assert_eq!((get.status, get.body.as_str()), (200, "Hello from amzsig.\n"));
    assert_eq!(get.header("etag").map(str::len), Some(34));

    let presign = Signer { settings: SigningSettings::s3().presigned(300), ..s3_signer() };
    let url = Req::new("GET", &host, "/amzsig-example/hello.txt").signed(&presign);
    assert!(url.query.contains("X-Amz-Signature="));
    let got = send(&server, &url).await;
    assert_eq!((got.status, got.body.as_str()), (200, "Hello from amzsig.\n"));

    // S3 signs the path as sent: a space is encoded once.
    let spaced = send(&server, &Req::new("GET", &host, "/amzsig-example/my%20file.txt").signed(&s3_signer())).await;
    assert_eq!(spaced.status, 404, "{}", spaced.body);
    assert_eq!(spaced.xml().path("Code").unwrap().text_content(), "NoSuchKey");
    let journal = server.journal();
    assert_eq!(journal[1].operation.as_deref(), Some("GetObject"));
    assert!(journal.iter().all(|e| e.access_key_id.as_deref() == Some(AWS_KEY)));
    server.stop().await;
}

#[allow(clippy::too_many_lines)] // a table
fn s3_refusals(host: &str) -> Vec<Generic> {
    let s = s3_signer();
    let get = || Req::new("GET", host, "/amzsig-example/hello.txt");
    let presign = |secs| Signer { settings: SigningSettings::s3().presigned(secs), ..s };
    vec![
        Generic {
            name: "wrong-secret",
            req: get().signed(&Signer { secret: "wrong", ..s }),
            status: 403,
            code: "SignatureDoesNotMatch",
            message: "The request signature we calculated does not match the signature you provided. Check your key \
                      and signing method.",
        },
        Generic {
            name: "unknown-key",
            req: get().signed(&Signer { key: "AKIAUNKNOWNEXAMPLE00", ..s }),
            status: 403,
            code: "InvalidAccessKeyId",
            message: "The AWS Access Key Id you provided does not exist in our records.",
        },
        Generic {
            name: "no-authentication",
            req: Req::new("GET", "s3.amazonaws.com", "/"),
            status: 403,
            code: "AccessDenied",
            message: "Access Denied",
        },
        Generic {
            name: "wrong-region-for-host",
            req: Req::new("GET", "amzsig-example.s3.eu-west-1.amazonaws.com", "/hello.txt").signed(&s),
            status: 400,
            code: "AuthorizationHeaderMalformed",
            message: "The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'eu-west-1'",
        },
        Generic {
            name: "presigned-wrong-region-for-host",
            req: Req::new("GET", "amzsig-example.s3.eu-west-1.amazonaws.com", "/hello.txt").signed(&presign(300)),
            status: 400,
            code: "AuthorizationQueryParametersError",
            message: "Error parsing the X-Amz-Credential parameter; the region 'us-east-1' is wrong; expecting \
                      'eu-west-1'",
        },
        Generic {
            name: "no-content-sha256",
            req: get().signed(&Signer { settings: SigningSettings::default(), ..s }),
            status: 400,
            code: "InvalidRequest",
            message: "Missing required header for this request: x-amz-content-sha256",
        },
        Generic {
            name: "content-sha256-mismatch",
            // Signed over one body (its hash in x-amz-content-sha256), sent with another.
            req: Req::new("PUT", host, "/amzsig-example/new.txt").body("another body").signed(&s).body("actual body"),
            status: 400,
            code: "XAmzContentSHA256Mismatch",
            message: "The provided 'x-amz-content-sha256' header does not match what was computed.",
        },
        Generic {
            name: "presigned-expired",
            req: get().signed(&Signer { time: "2014-08-18T11:00:00Z", ..presign(60) }),
            status: 403,
            code: "AccessDenied",
            message: "Request has expired",
        },
        Generic {
            name: "request-time-too-skewed",
            req: get().signed(&Signer { time: "2014-08-18T11:00:00Z", ..s }),
            status: 403,
            code: "RequestTimeTooSkewed",
            message: "The difference between the request time and the current time is too large.",
        },
        Generic {
            name: "path-double-encoded",
            req: Req::new("GET", host, "/amzsig-example/my%20file.txt")
                .signed(&Signer { settings: SigningSettings { ..SigningSettings::default() }, ..s })
                .set_header("x-amz-content-sha256", &sha256_hex(b"")),
            status: 403,
            code: "SignatureDoesNotMatch",
            message: "The request signature we calculated does not match",
        },
        Generic {
            name: "session-token",
            req: get().signed(&Signer { token: Some("FQoGZXIvYXdzEXAMPLETOKEN"), ..s }),
            status: 400,
            code: "InvalidToken",
            message: "The provided token is malformed or otherwise invalid.",
        },
        Generic {
            name: "no-such-bucket",
            req: Req::new("GET", host, "/other-bucket/x").signed(&s),
            status: 404,
            code: "NoSuchBucket",
            message: "The specified bucket does not exist",
        },
    ]
}

#[tokio::test]
async fn s3_refusals_carry_s3s_codes_and_details() {
    let server = MockServer::start_with(config(Throttling::Off)).await.unwrap();
    let host = LOCAL_HOST;
    for c in s3_refusals(host) {
        let a = send(&server, &c.req).await;
        assert_eq!(a.status, c.status, "{}: {}", c.name, a.body);
        let doc = a.xml();
        assert_eq!(doc.name, "Error", "{}", c.name);
        assert_eq!(doc.path("Code").unwrap().text_content(), c.code, "{}", c.name);
        let message = doc.path("Message").unwrap().text_content();
        assert!(message.starts_with(c.message), "{}: {message}", c.name);
        assert!(doc.path("RequestId").is_some() && doc.path("HostId").is_some(), "{}", c.name);
        match c.name {
            "wrong-secret" => {
                // With only the secret wrong, the server's canonical request is the client's.
                let query = ParamList::default();
                let secret = SecretKey::new("wrong");
                let unsigned = Req::new("GET", host, "/amzsig-example/hello.txt");
                let signable = unsigned.signable(&query);
                let out = sigv4::sign(&signable, &params(&Signer { secret: "wrong", ..s3_signer() }, &secret));
                assert_eq!(doc.path("CanonicalRequest").unwrap().text_content(), out.canonical_request.to_string());
                assert_eq!(doc.path("StringToSign").unwrap().text_content(), out.string_to_sign.to_string());
                assert_eq!(doc.path("SignatureProvided").unwrap().text_content(), out.signature);
                assert_eq!(doc.path("AWSAccessKeyId").unwrap().text_content(), AWS_KEY);
            }
            "wrong-region-for-host" => assert_eq!(doc.path("Region").unwrap().text_content(), "eu-west-1"),
            // The mismatch is explained with S3's rules.
            "path-double-encoded" => assert_eq!(a.header("x-amzsig-diagnosis"), Some("v4-path-double-encoded")),
            "content-sha256-mismatch" => {
                assert_eq!(doc.path("S3ComputedContentSHA256").unwrap().text_content(), sha256_hex(b"actual body"));
            }
            "presigned-expired" => {
                assert_eq!(doc.path("X-Amz-Expires").unwrap().text_content(), "60");
                assert_eq!(doc.path("Expires").unwrap().text_content(), "2014-08-18T11:01:00Z");
                assert_eq!(doc.path("ServerTime").unwrap().text_content(), DG_TIME);
            }
            _ => {}
        }
        insta::assert_snapshot!(format!("s3-refused-{}", c.name), a.body);
    }
    server.stop().await;
}

#[tokio::test]
async fn s3_one_character_changes_of_a_presigned_url_are_refused() {
    let server = MockServer::start_with(config(Throttling::Off)).await.unwrap();
    let host = server.addr().to_string();
    let presign = Signer { settings: SigningSettings::s3().presigned(300), ..s3_signer() };
    let good = Req::new("GET", &host, "/amzsig-example/hello.txt").query("versionId=1").signed(&presign);
    assert_eq!(send(&server, &good).await.status, 200);
    for i in 0..good.query.len() {
        let mut q = good.query.clone().into_bytes();
        if !q[i].is_ascii_alphanumeric() {
            continue;
        }
        q[i] = if q[i] == b'1' { b'2' } else { b'1' };
        let r = Req { query: String::from_utf8(q).unwrap(), ..good.clone() };
        let a = send(&server, &r).await;
        assert_ne!(a.status, 200, "query byte {i} changed: {}", r.query);
    }
    server.stop().await;
}

// ---------------------------------------------------------------- temporary credentials

/// The embedded keystore's temporary credential (the STS AssumeRole example).
const STS_KEY: &str = "ASIAIOSFODNN7EXAMPLE";
const STS_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
const STS_TOKEN: &str = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeo\
IYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8Y\
QcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";

/// A keystore with a temporary key (PA-API registered), an expired one and a long-term one;
/// the server's clock (`DG_TIME`) is past the expired one's `expires`.
const TEMP_KEYSTORE: &str = "accounts:
  - name: role-session
    access_keys:
      - id: ASIATEMPEXAMPLE00000
        secret: tempSecretEXAMPLEKEY
        session_token: FwoGZXIvYXdzEXAMPLE/session+token==
      - id: ASIAEXPIREDEXAMPLE00
        secret: expiredSecretEXAMPLEKEY
        session_token: FwoGZXIvYXdzEXAMPLE/expired+token==
        expires: 2014-08-18T11:59:59Z
      - id: AKIALONGTERMEXAMPLE0
        secret: longTermSecretEXAMPLEKEY
    associate_tags: {us: mytag-20}
";
const TEMP_KEY: &str = "ASIATEMPEXAMPLE00000";
const TEMP_SECRET: &str = "tempSecretEXAMPLEKEY";
const TEMP_TOKEN: &str = "FwoGZXIvYXdzEXAMPLE/session+token==";
const EXPIRED_KEY: &str = "ASIAEXPIREDEXAMPLE00";
const EXPIRED_SECRET: &str = "expiredSecretEXAMPLEKEY";
const EXPIRED_TOKEN: &str = "FwoGZXIvYXdzEXAMPLE/expired+token==";
const LONG_KEY: &str = "AKIALONGTERMEXAMPLE0";
const LONG_SECRET: &str = "longTermSecretEXAMPLEKEY";

fn temp_server_config() -> ServerConfig {
    let keystore = amzsig::keystore::Keystore::from_yaml_str(TEMP_KEYSTORE, "temp.yaml").unwrap();
    ServerConfig { keystore, ..config(Throttling::Off) }
}

/// True when `text` holds any of the tokens, as sent or percent-encoded.
fn leaks_token(text: &str) -> Option<&'static str> {
    [STS_TOKEN, TEMP_TOKEN, EXPIRED_TOKEN]
        .into_iter()
        .find(|t| text.contains(t) || text.contains(&amzsig::encoding::encode(t.as_bytes())) || text.contains(&t[..24]))
}

fn answer_text(a: &Answer) -> String {
    let headers: Vec<String> = a.headers.iter().map(|(k, v)| format!("{k}: {}", v.to_str().unwrap_or(""))).collect();
    format!("{}\n{}", headers.join("\n"), a.body)
}

#[tokio::test]
async fn temporary_credentials_are_accepted_with_their_token_by_header_and_presigned_url() {
    let server = MockServer::start_with(config(Throttling::Off)).await.unwrap();
    let host = server.addr().to_string();
    let sts = Signer { token: Some(STS_TOKEN), ..signer(STS_KEY, STS_SECRET, "us-east-1", "sts") };
    let req = form(&host, CALLER).signed(&sts);
    assert_eq!(req.header_value("x-amz-security-token"), Some(STS_TOKEN));
    let a = send(&server, &req).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let arn = a.xml().path("GetCallerIdentityResult/Arn").unwrap().text_content();
    assert!(arn.ends_with(":user/sts-docs"), "{arn}");

    let s3 = Signer {
        token: Some(STS_TOKEN),
        settings: SigningSettings::s3(),
        ..signer(STS_KEY, STS_SECRET, "us-east-1", "s3")
    };
    let get = send(&server, &Req::new("GET", &host, "/amzsig-example/hello.txt").signed(&s3)).await;
    assert_eq!((get.status, get.body.as_str()), (200, "Hello from amzsig.\n"));
    let presign = Signer { settings: SigningSettings::s3().presigned(300), ..s3 };
    let url = Req::new("GET", &host, "/amzsig-example/hello.txt").signed(&presign);
    assert!(url.query.contains("X-Amz-Security-Token=AQoDYXdzEPT%2F%2F"), "{}", url.query);
    assert!(url.header_value("x-amz-security-token").is_none());
    let got = send(&server, &url).await;
    assert_eq!((got.status, got.body.as_str()), (200, "Hello from amzsig.\n"));

    let journal = server.journal();
    assert!(journal.iter().all(|e| e.access_key_id.as_deref() == Some(STS_KEY) && e.error_code.is_none()));
    assert!(journal[2].query.contains("X-Amz-Security-Token=<redacted>&"), "{}", journal[2].query);
    let json = serde_json::to_string(&journal).unwrap();
    assert_eq!(leaks_token(&json), None, "{json}");
    for a in [&a, &get, &got] {
        assert_eq!(leaks_token(&answer_text(a)), None);
    }
    server.stop().await;
}

#[allow(clippy::too_many_lines)] // a table
fn token_refusals(host: &str) -> Vec<Generic> {
    let sts = |key, secret, token| Signer { token, ..signer(key, secret, "us-east-1", "sts") };
    let ddb = || {
        Req::new("POST", host, "/")
            .header("content-type", "application/x-amz-json-1.0")
            .header("x-amz-target", "DynamoDB_20120810.ListTables")
            .body("{}")
    };
    let ddb_s = |key, secret, token| Signer { token, ..signer(key, secret, "us-east-1", "dynamodb") };
    let s3 = |key, secret, token| Signer {
        token,
        settings: SigningSettings::s3(),
        ..signer(key, secret, "us-east-1", "s3")
    };
    let presigned = |s: Signer| Signer { settings: SigningSettings::s3().presigned(300), ..s };
    let get = || Req::new("GET", host, "/amzsig-example/hello.txt");
    let invalid = "The security token included in the request is invalid.";
    vec![
        Generic {
            name: "query-temporary-key-without-token",
            req: form(host, CALLER).signed(&sts(TEMP_KEY, TEMP_SECRET, None)),
            status: 403,
            code: "InvalidClientTokenId",
            message: invalid,
        },
        Generic {
            name: "query-temporary-key-wrong-token",
            req: form(host, CALLER).signed(&sts(TEMP_KEY, TEMP_SECRET, Some(EXPIRED_TOKEN))),
            status: 403,
            code: "InvalidClientTokenId",
            message: invalid,
        },
        Generic {
            name: "query-wrong-token-wins-over-wrong-secret",
            req: form(host, CALLER).signed(&sts(TEMP_KEY, "wrong", Some("FwoGZXIvYXdzEXAMPLEother"))),
            status: 403,
            code: "InvalidClientTokenId",
            message: invalid,
        },
        Generic {
            name: "query-long-term-key-with-token",
            req: form(host, CALLER).signed(&sts(LONG_KEY, LONG_SECRET, Some(TEMP_TOKEN))),
            status: 403,
            code: "InvalidClientTokenId",
            message: invalid,
        },
        Generic {
            name: "query-expired",
            req: form(host, CALLER).signed(&sts(EXPIRED_KEY, EXPIRED_SECRET, Some(EXPIRED_TOKEN))),
            status: 403,
            code: "ExpiredToken",
            message: "The security token included in the request is expired",
        },
        Generic {
            name: "query-presigned-temporary-key-without-token",
            req: Req::new("GET", host, "/").query(CALLER).signed(&Signer {
                settings: SigningSettings::default().presigned(300),
                ..sts(TEMP_KEY, TEMP_SECRET, None)
            }),
            status: 403,
            code: "InvalidClientTokenId",
            message: invalid,
        },
        Generic {
            name: "json-expired",
            req: ddb().signed(&ddb_s(EXPIRED_KEY, EXPIRED_SECRET, Some(EXPIRED_TOKEN))),
            status: 400,
            code: "ExpiredTokenException",
            message: "The security token included in the request is expired",
        },
        Generic {
            name: "json-wrong-token",
            req: ddb().signed(&ddb_s(TEMP_KEY, TEMP_SECRET, Some("FwoGZXIvYXdzEXAMPLEother"))),
            status: 400,
            code: "UnrecognizedClientException",
            message: invalid,
        },
        Generic {
            name: "json-right-token-wrong-secret",
            req: ddb().signed(&ddb_s(TEMP_KEY, "wrong", Some(TEMP_TOKEN))),
            status: 400,
            code: "InvalidSignatureException",
            message: "The request signature we calculated does not match the signature you provided.",
        },
        Generic {
            name: "s3-temporary-key-without-token",
            req: get().signed(&s3(TEMP_KEY, TEMP_SECRET, None)),
            status: 403,
            code: "InvalidAccessKeyId",
            message: "The AWS Access Key Id you provided does not exist in our records.",
        },
        Generic {
            name: "s3-presigned-wrong-token",
            req: get().signed(&presigned(s3(TEMP_KEY, TEMP_SECRET, Some(EXPIRED_TOKEN)))),
            status: 400,
            code: "InvalidToken",
            message: "The provided token is malformed or otherwise invalid.",
        },
        Generic {
            name: "s3-long-term-key-with-token",
            req: get().signed(&s3(LONG_KEY, LONG_SECRET, Some(TEMP_TOKEN))),
            status: 400,
            code: "InvalidToken",
            message: "The provided token is malformed or otherwise invalid.",
        },
        Generic {
            name: "s3-presigned-expired",
            req: get().signed(&presigned(s3(EXPIRED_KEY, EXPIRED_SECRET, Some(EXPIRED_TOKEN)))),
            status: 400,
            code: "ExpiredToken",
            message: "The provided token has expired.",
        },
        Generic {
            name: "s3-presigned-right-token-wrong-secret",
            req: get().signed(&presigned(s3(TEMP_KEY, "wrong", Some(TEMP_TOKEN)))),
            status: 403,
            code: "SignatureDoesNotMatch",
            message: "The request signature we calculated does not match the signature you provided.",
        },
    ]
}

#[tokio::test]
async fn temporary_credentials_are_refused_without_their_token_with_another_or_expired() {
    let server = MockServer::start_with(temp_server_config()).await.unwrap();
    for c in token_refusals(LOCAL_HOST) {
        let a = send(&server, &c.req).await;
        assert_eq!(a.status, c.status, "{}: {}", c.name, a.body);
        let (code, message) = generic_error(&a);
        assert_eq!(code, c.code, "{}: {}", c.name, a.body);
        assert!(message.starts_with(c.message), "{}: {message}", c.name);
        assert_eq!(leaks_token(&answer_text(&a)), None, "{}: {}", c.name, a.body);
        let last = server.journal().pop().unwrap();
        assert_eq!(last.error_code.as_deref(), Some(c.code), "{}", c.name);
        match c.name {
            // AWS echoes the canonical request; the mock shows it with the token hidden.
            "json-right-token-wrong-secret" => {
                assert!(message.contains("\nx-amz-security-token:<redacted>\n"), "{message}");
            }
            "s3-presigned-right-token-wrong-secret" => {
                let creq = a.xml().path("CanonicalRequest").unwrap().text_content();
                assert!(creq.contains("&X-Amz-Security-Token=<redacted>&"), "{creq}");
                let hex = a.xml().path("CanonicalRequestBytes").unwrap().text_content();
                assert!(!hex.contains(&TEMP_TOKEN.bytes().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" ")));
            }
            // A token refusal is not a signature failure: the journal records none.
            _ => assert_eq!(last.failure, None, "{}", c.name),
        }
    }
    let json = serde_json::to_string(&server.journal()).unwrap();
    assert_eq!(leaks_token(&json), None, "{json}");
    server.stop().await;
}

#[tokio::test]
async fn paapi5_checks_the_session_token_too() {
    let server = MockServer::start_with(temp_server_config()).await.unwrap();
    let host = "webservices.amazon.com";
    let body = get_items(&["0679722769"]);
    let s = |key, secret, token| Signer { token, ..signer(key, secret, "us-east-1", "ProductAdvertisingAPI") };
    let ok = send(&server, &paapi5(host, "GetItems", &body).signed(&s(TEMP_KEY, TEMP_SECRET, Some(TEMP_TOKEN)))).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.json()["ItemsResult"]["Items"][0]["ASIN"], "0679722769");
    let cases = [
        (s(TEMP_KEY, TEMP_SECRET, None), 401, "com.amazon.paapi5#UnrecognizedClientException", "UnrecognizedClient"),
        (
            s(TEMP_KEY, TEMP_SECRET, Some(EXPIRED_TOKEN)),
            401,
            "com.amazon.paapi5#UnrecognizedClientException",
            "UnrecognizedClient",
        ),
        (
            s(LONG_KEY, LONG_SECRET, Some(TEMP_TOKEN)),
            401,
            "com.amazon.paapi5#UnrecognizedClientException",
            "UnrecognizedClient",
        ),
        (
            s(EXPIRED_KEY, EXPIRED_SECRET, Some(EXPIRED_TOKEN)),
            401,
            "com.amazon.paapi5#ExpiredTokenException",
            "ExpiredToken",
        ),
    ];
    for (signer, status, kind, code) in cases {
        let a = send(&server, &paapi5(host, "GetItems", &body).signed(&signer)).await;
        let (kind_got, code_got, message) = a.paapi_error();
        assert_eq!((a.status, kind_got.as_str(), code_got.as_str()), (status, kind, code), "{}", a.body);
        let want = if code == "ExpiredToken" {
            "The security token included in the request is expired"
        } else {
            "The Access Key ID or security token included in the request is invalid."
        };
        assert_eq!(message, want);
        assert_eq!(leaks_token(&answer_text(&a)), None);
    }
    let json = serde_json::to_string(&server.journal()).unwrap();
    assert_eq!(leaks_token(&json), None, "{json}");
    server.stop().await;
}

/// One access key id, two published secrets: the AWS docs' secret verifies at the generic
/// endpoint and the PA-API guide's at PA-API 5.0, each only at its own family's services.
#[tokio::test]
async fn the_documentation_key_has_a_secret_per_service_family() {
    let server = MockServer::start_with(config(Throttling::Off)).await.unwrap();
    let host = server.addr().to_string();
    let aws = send(&server, &form(&host, CALLER).signed(&signer(PAAPI_KEY, AWS_DOCS_SECRET, "us-east-1", "sts"))).await;
    assert_eq!(aws.status, 200, "{}", aws.body);
    let paapi_secret_at_aws =
        send(&server, &form(&host, CALLER).signed(&signer(PAAPI_KEY, PAAPI_SECRET, "us-east-1", "sts"))).await;
    assert_eq!(paapi_secret_at_aws.status, 403, "{}", paapi_secret_at_aws.body);
    assert!(paapi_secret_at_aws.body.contains("<Code>SignatureDoesNotMatch</Code>"), "{}", paapi_secret_at_aws.body);
    for body in [&aws.body, &paapi_secret_at_aws.body] {
        assert!(!body.contains(AWS_DOCS_SECRET) && !body.contains(PAAPI_SECRET));
    }
    server.stop().await;
}
