//! The SigV2 Query APIs (SimpleDB, EC2) over HTTP: requests signed outside amzsig (botocore's
//! SigV2 signer and an independent Python model, `tests/data/services/query.py`), sent to a
//! live mock on 127.0.0.1 with the Host they were signed for; status, code and each API's
//! XML envelope checked against the documented shapes (`src/services/query/mod.rs`).

use crate::server::{client, fixed_config};
use crate::support::root;
use amzsig::server::MockServer;
use amzsig::xml::Element;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    host: String,
    body: String,
    status: u16,
    #[serde(default)]
    code: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    cases: Vec<Case>,
}

fn cases() -> Vec<Case> {
    let path = root().join("tests/data/services/query.yaml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let file: CaseFile = serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(!file.cases.is_empty(), "no cases in {}", path.display());
    file.cases
}

fn child<'a>(e: &'a Element, path: &str) -> &'a Element {
    e.path(path).unwrap_or_else(|| panic!("no {path} in {}", e.to_fragment()))
}

#[tokio::test]
async fn query_apis_over_http() {
    let server = MockServer::start_with(fixed_config()).await.unwrap();
    let mut failures = Vec::new();
    for c in cases() {
        let resp = client()
            .post(format!("{}/", server.base_url()))
            .header("host", &c.host)
            .header("content-type", "application/x-www-form-urlencoded; charset=utf-8")
            .body(c.body.clone())
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let body = resp.text().await.unwrap();
        if status != c.status {
            failures.push(format!("{}: status {status}, want {}: {body}", c.name, c.status));
            continue;
        }
        let doc = amzsig::xml::parse(&body).unwrap_or_else(|e| panic!("{}: not XML ({e}): {body}", c.name));
        let action = c.body.split('&').find_map(|p| p.strip_prefix("Action=")).unwrap_or_default();
        let sdb = c.name.starts_with("sdb-");
        match &c.code {
            None => {
                // SimpleDB's {Action}Response in its namespace, the result and the metadata.
                assert_eq!(doc.name, format!("{action}Response"), "{}", c.name);
                assert_eq!(doc.attr_value("xmlns"), Some("http://sdb.amazonaws.com/doc/2009-04-15/"), "{}", c.name);
                assert!(!child(&doc, "ResponseMetadata/RequestId").text_content().is_empty());
                assert!(!child(&doc, "ResponseMetadata/BoxUsage").text_content().is_empty());
                child(&doc, &format!("{action}Result"));
            }
            Some(code) => {
                // Response/Errors/Error(Code, Message[, BoxUsage for SimpleDB])/RequestID.
                assert_eq!(doc.name, "Response", "{}: {body}", c.name);
                assert_eq!(&child(&doc, "Errors/Error/Code").text_content(), code, "{}: {body}", c.name);
                assert!(!child(&doc, "Errors/Error/Message").text_content().is_empty());
                assert_eq!(doc.path("Errors/Error/BoxUsage").is_some(), sdb, "{}: {body}", c.name);
                assert!(!child(&doc, "RequestID").text_content().is_empty());
            }
        }
        let entry = server.journal().pop().unwrap();
        assert_eq!(entry.operation.as_deref(), Some(action), "{}", c.name);
        assert_eq!(serde_json::to_value(entry.service).unwrap(), "aws", "{}", c.name);
        assert_eq!(entry.error_code, c.code, "{}", c.name);
        for secret in ["wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "not-the-secret"] {
            assert!(!body.contains(secret) && !serde_json::to_string(&entry).unwrap().contains(secret));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    server.stop().await;
}

/// The documented ListDomains answer: the Developer Guide sample's domains, flattened
/// `DomainName` elements as botocore's sdb model reads them.
#[tokio::test]
async fn list_domains_answers_the_sample_domains() {
    let server = MockServer::start_with(fixed_config()).await.unwrap();
    let c = cases().into_iter().find(|c| c.name == "sdb-list-domains-loopback").unwrap();
    let resp = client()
        .post(format!("{}/", server.base_url()))
        .header("host", &c.host)
        .header("content-type", "application/x-www-form-urlencoded; charset=utf-8")
        .body(c.body)
        .send()
        .await
        .unwrap();
    let doc = amzsig::xml::parse(&resp.text().await.unwrap()).unwrap();
    let names: Vec<String> = child(&doc, "ListDomainsResult")
        .children
        .iter()
        .filter_map(|n| match n {
            amzsig::xml::Node::Element(e) if e.name == "DomainName" => Some(e.text_content()),
            _ => None,
        })
        .collect();
    assert_eq!(names, ["Domain1-200706011651", "Domain2-200706011652"]);
    server.stop().await;
}

/// MWS keeps its own requests: a POST to `/` with an MWS Version on loopback is MWS's.
#[tokio::test]
async fn mws_requests_at_the_root_stay_mws() {
    let server = MockServer::start_with(fixed_config()).await.unwrap();
    let body = "Action=GetReportRequestList&Version=2009-01-01&AWSAccessKeyId=022QF0EXAMPLEH9DHM02&SignatureVersion=2&SignatureMethod=HmacSHA256&Timestamp=2014-08-18T12%3A00%3A00Z&Signature=AAAA";
    let resp = client()
        .post(format!("{}/", server.base_url()))
        .header("content-type", "application/x-www-form-urlencoded; charset=utf-8")
        .body(body)
        .send()
        .await
        .unwrap();
    // (MWS's own refusal: no SellerId.)
    assert_eq!(resp.status().as_u16(), 400);
    let entry = server.journal().pop().unwrap();
    assert_eq!(serde_json::to_value(entry.service).unwrap(), "mws");
    server.stop().await;
}

/// The AWS General Reference's SigV2 example ("Signature Version 2 signing process"; the
/// EMR Developer Guide's "generate a signature"): EMR DescribeJobFlows signed for
/// AKIAIOSFODNN7EXAMPLE with wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY at 2011-10-03T15:19:30,
/// signature i91nKc4PWAt0JJIdXwz9HxZCJDdiy6cf/Mj6vPxyYIs= as published (and its POST variant
/// from JuliaServices/CloudBase.jl's tests, wseguMzBRgA/4/fan8ZwEa0PIF+ws4WFbTJcG1ts5RY=).
/// Both verify on the embedded keystore, whose key carries the AWS docs' secret for AWS
/// services beside the PA-API guide's; a changed signature is refused in EMR's envelope.
#[tokio::test]
async fn the_general_references_sigv2_example_verifies_on_the_embedded_keystore() {
    use amzsig::clock::Clock;
    use amzsig::server::ServerConfig;
    let config = ServerConfig { clock: "fixed:2011-10-03T15:19:30Z".parse::<Clock>().unwrap(), ..fixed_config() };
    let server = MockServer::start_with(config).await.unwrap();
    let unsigned = "AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Action=DescribeJobFlows&SignatureMethod=HmacSHA256&SignatureVersion=2&Timestamp=2011-10-03T15%3A19%3A30&Version=2009-03-31";
    let get = |signature: &str| {
        client()
            .get(format!("{}/?{unsigned}&Signature={signature}", server.base_url()))
            .header("host", "elasticmapreduce.amazonaws.com")
    };
    let resp = get("i91nKc4PWAt0JJIdXwz9HxZCJDdiy6cf%2FMj6vPxyYIs%3D").send().await.unwrap();
    let status = resp.status().as_u16();
    let body = resp.text().await.unwrap();
    assert_eq!(status, 200, "{body}");
    let doc = amzsig::xml::parse(&body).unwrap();
    assert_eq!(doc.name, "DescribeJobFlowsResponse");
    assert_eq!(doc.attr_value("xmlns"), Some("http://elasticmapreduce.amazonaws.com/doc/2009-03-31"));
    child(&doc, "DescribeJobFlowsResult/JobFlows");
    let entry = server.journal().pop().unwrap();
    assert_eq!(entry.access_key_id.as_deref(), Some("AKIAIOSFODNN7EXAMPLE"));
    assert_eq!(serde_json::to_value(entry.verdict).unwrap(), "accepted");

    let post = client()
        .post(format!("{}/", server.base_url()))
        .header("host", "elasticmapreduce.amazonaws.com")
        .header("content-type", "application/x-www-form-urlencoded; charset=utf-8")
        .body(format!("{unsigned}&Signature=wseguMzBRgA%2F4%2Ffan8ZwEa0PIF%2Bws4WFbTJcG1ts5RY%3D"))
        .send()
        .await
        .unwrap();
    assert_eq!(post.status().as_u16(), 200, "{}", post.text().await.unwrap());

    // One character changed: refused in EMR's Query envelope.
    let resp = get("j91nKc4PWAt0JJIdXwz9HxZCJDdiy6cf%2FMj6vPxyYIs%3D").send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 403);
    let doc = amzsig::xml::parse(&resp.text().await.unwrap()).unwrap();
    assert_eq!(doc.name, "ErrorResponse");
    assert_eq!(child(&doc, "Error/Type").text_content(), "Sender");
    assert_eq!(child(&doc, "Error/Code").text_content(), "SignatureDoesNotMatch");
    assert!(!child(&doc, "RequestId").text_content().is_empty());
    server.stop().await;
}
