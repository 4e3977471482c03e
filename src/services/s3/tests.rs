//! The in-memory S3's rules without a socket: the request table
//! `tests/data/services/s3.yaml` (sequences of signed requests through the one pipeline,
//! each answer checked: status, code, operation, headers, object bytes, XML fields parsed
//! back), and the small pure helpers (ranges, HTTP dates, stored metadata, addressing).

use super::*;
use crate::catalogue::Catalogue;
use crate::clock::UtcTime;
use crate::crypto::SecretKey;
use crate::encoding::{parse_query, PlusMeans};
use crate::keystore::Keystore;
use crate::request::Scheme;
use crate::services::pipeline::{process, process_chunked, DecodedBody, PipelineLimits, Processed, RawRequest};
use crate::services::{Outcome, ServiceOptions, Throttling, Unlimited};
use crate::sigv4::{sign, Payload, SignableRequest, SigningParams, SigningSettings};
use std::collections::BTreeMap;

const TABLE: &str = include_str!("../../../tests/data/services/s3.yaml");
const NOW: &str = "2015-08-30T12:36:00Z";

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TableFile {
    sequences: Vec<Sequence>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Sequence {
    name: String,
    max_bytes: Option<u64>,
    #[serde(default)]
    domains: Vec<String>,
    steps: Vec<Step>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Step {
    method: String,
    path: String,
    host: Option<String>,
    #[serde(rename = "as")]
    signer: Option<String>,
    region: Option<String>,
    #[serde(default)]
    headers: Vec<(String, String)>,
    body: Option<String>,
    body_repeat: Option<Repeat>,
    /// The trailers of an aws-chunked upload (with a `STREAMING-…` x-amz-content-sha256,
    /// the body is handed over as the decoded payload, as the pipeline does).
    #[serde(default)]
    trailers: Vec<(String, String)>,
    status: Option<u16>,
    code: Option<String>,
    operation: Option<String>,
    #[serde(default)]
    headers_expected: BTreeMap<String, Option<String>>,
    #[serde(default)]
    xml: BTreeMap<String, Option<String>>,
    #[serde(default)]
    xml_all: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    capture: BTreeMap<String, String>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Repeat {
    text: String,
    count: usize,
}

/// (access key id, secret) of `who` in the embedded keystore.
fn credentials(who: Option<&str>) -> (&'static str, &'static str) {
    match who {
        None | Some("docs") => ("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        Some("other") => ("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        Some(other) => panic!("unknown signer {other}"),
    }
}

fn substitute(text: &str, captured: &BTreeMap<String, String>) -> String {
    captured.iter().fold(text.to_owned(), |t, (name, value)| t.replace(&format!("{{{name}}}"), value))
}

/// Every element at `path` under `root` (each step may match several children).
fn all_at<'e>(root: &'e crate::xml::Element, path: &'e str) -> Vec<&'e crate::xml::Element> {
    path.split('/').fold(vec![root], |found, name| {
        found.into_iter().flat_map(|e| object::children(e, name).collect::<Vec<_>>()).collect()
    })
}

/// Sends one step to `store` through the pipeline, as a client would sign it.
fn send(step: &Step, store: &Store, options: &ServiceOptions, captured: &BTreeMap<String, String>) -> Outcome {
    let (keys, catalogue) = (Keystore::embedded_default(), Catalogue::embedded_default());
    let target = substitute(&step.path, captured);
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let body: Vec<u8> = match (&step.body, &step.body_repeat) {
        (_, Some(r)) => r.text.repeat(r.count).into_bytes(),
        (Some(b), None) => b.clone().into_bytes(),
        (None, None) => Vec::new(),
    };
    let mut headers = vec![("host".to_owned(), step.host.clone().unwrap_or_else(|| "127.0.0.1:9000".to_owned()))];
    headers.extend(step.headers.iter().cloned());
    let params = parse_query(query.as_bytes(), PlusMeans::Space).unwrap();
    let (key, secret) = credentials(step.signer.as_deref());
    let secret = SecretKey::new(secret);
    // A payload literal the step sends (`STREAMING-…`) is what the client signs.
    let literal = step.headers.iter().find(|(n, _)| n == "x-amz-content-sha256").map(|(_, v)| v.as_str());
    let signable = SignableRequest {
        method: &step.method,
        path,
        query: &params,
        headers: (&headers).into(),
        payload: literal.map_or(Payload::Bytes(&body), Payload::Precomputed),
    };
    let signing = SigningParams {
        access_key_id: key,
        secret: &secret,
        session_token: None,
        region: step.region.as_deref().unwrap_or("us-east-1"),
        service: "s3",
        time: UtcTime::parse_iso8601(NOW).unwrap(),
        settings: SigningSettings::s3(),
    };
    sign(&signable, &signing).apply_headers(&mut headers);
    let ctx = Ctx {
        keys: &keys,
        catalogue: &catalogue,
        now: UtcTime::parse_iso8601(NOW).unwrap(),
        options,
        request_id: "0000-s3-test",
        throttle: &Unlimited,
        signing_keys: None,
        s3: Some(store),
    };
    let raw =
        RawRequest { method: &step.method, scheme: Scheme::Http, target: &target, headers: &headers, body: &body };
    let processed = if literal.is_some_and(|l| l.starts_with("STREAMING-")) {
        let decoded = DecodedBody { data: bytes::Bytes::from(body.clone()), trailers: step.trailers.clone() };
        process_chunked(&raw, &Ok(decoded), &ctx, &PipelineLimits::default())
    } else {
        process(&raw, &ctx, &PipelineLimits::default())
    };
    match processed {
        Processed::Answered { outcome, .. } => outcome,
        Processed::NoService => panic!("{} {target}: no service", step.method),
    }
}

#[test]
fn table() {
    let file: TableFile = serde_yaml::from_str(TABLE).unwrap_or_else(|e| panic!("tests/data/services/s3.yaml: {e}"));
    let mut steps = 0;
    for seq in &file.sequences {
        let store = Store::new(seq.max_bytes.unwrap_or(DEFAULT_MAX_BYTES));
        let options = ServiceOptions {
            throttling: Throttling::Off,
            s3_domains: seq.domains.clone(),
            ..ServiceOptions::default()
        };
        let mut captured = BTreeMap::new();
        for (i, step) in seq.steps.iter().enumerate() {
            steps += 1;
            let out = send(step, &store, &options, &captured);
            let at = format!("{} step {i} ({} {})", seq.name, step.method, step.path);
            let text = &out.body;
            assert_eq!(out.status, step.status.unwrap_or(200), "{at}: {text}");
            assert_eq!(out.record.error_code.as_deref(), step.code.as_deref(), "{at}: {text}");
            assert_eq!(out.record.verdict, crate::services::Verdict::Accepted, "{at}: signature refused: {text}");
            if let Some(op) = &step.operation {
                assert_eq!(out.record.operation.as_deref(), Some(op.as_str()), "{at}");
            }
            for (name, want) in &step.headers_expected {
                let got = out.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str());
                let got = if name == "content-type" { Some(out.content_type.as_str()) } else { got };
                assert_eq!(got, want.as_deref(), "{at}: header {name}");
            }
            if let Some(want) = &step.body {
                if step.method == "GET" || step.method == "HEAD" {
                    let got = out.object.as_deref().unwrap_or_default();
                    assert_eq!(std::str::from_utf8(got).unwrap(), want, "{at}: object bytes");
                    if step.method == "HEAD" {
                        assert!(out.object.is_none() && out.body.is_empty(), "{at}: HEAD has no body");
                    }
                }
            }
            if step.xml.is_empty() && step.xml_all.is_empty() && step.capture.is_empty() {
                continue;
            }
            let doc = crate::xml::parse(text).unwrap_or_else(|e| panic!("{at}: {e}: {text}"));
            if out.status < 300 {
                assert_eq!(doc.attr_value("xmlns"), Some(NS), "{at}: namespace");
            } else {
                assert_eq!(doc.name, "Error", "{at}");
                assert_eq!(
                    doc.path("RequestId").map(crate::xml::Element::text_content).as_deref(),
                    Some("0000-s3-test")
                );
            }
            for (path, want) in &step.xml {
                let got = if path == "." {
                    Some(doc.text_content())
                } else {
                    doc.path(path).map(crate::xml::Element::text_content)
                };
                assert_eq!(got.as_deref(), want.as_deref(), "{at}: {path} in {text}");
            }
            for (path, want) in &step.xml_all {
                let got: Vec<String> = all_at(&doc, path).into_iter().map(crate::xml::Element::text_content).collect();
                assert_eq!(&got, want, "{at}: every {path} in {text}");
            }
            for (name, path) in &step.capture {
                let value = doc.path(path).unwrap_or_else(|| panic!("{at}: no {path}")).text_content();
                captured.insert(name.clone(), value);
            }
        }
    }
    assert!(steps > 150, "{steps} steps: the table lost cases");
}

#[test]
fn ranges() {
    let r = |h: &str, size| object::byte_range(Some(h), size).map_err(|e| e.code);
    let some = |first, last| Ok(Some(object::ByteRange { first, last }));
    // RFC 9110 §14.1.2's examples on a 10000-byte representation.
    assert_eq!(r("bytes=0-499", 10_000), some(0, 499));
    assert_eq!(r("bytes=500-999", 10_000), some(500, 999));
    assert_eq!(r("bytes=-500", 10_000), some(9500, 9999));
    assert_eq!(r("bytes=9500-", 10_000), some(9500, 9999));
    assert_eq!(r("bytes=-20000", 10_000), some(0, 9999));
    assert_eq!(r("bytes=10000-", 10_000), Err("InvalidRange"));
    assert_eq!(r("bytes=-0", 10_000), Err("InvalidRange"));
    assert_eq!(r("bytes=0-", 0), Err("InvalidRange"));
    for ignored in ["items=0-1", "bytes=0-1,3-4", "bytes=x-1", "bytes=5-2", "bytes"] {
        assert_eq!(r(ignored, 10), Ok(None), "{ignored}");
    }
    assert_eq!(object::byte_range(None, 10), Ok(None));
}

#[test]
fn http_dates_round_trip() {
    // RFC 9110 §5.6.7's example: Sun, 06 Nov 1994 08:49:37 GMT = 784111777 (date -u -d).
    let t = UtcTime::from_unix_secs(784_111_777);
    assert_eq!(http_date(t), "Sun, 06 Nov 1994 08:49:37 GMT");
    assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(t));
    assert_eq!(http_date(UtcTime::from_unix_secs(0)), "Thu, 01 Jan 1970 00:00:00 GMT");
    for bad in ["Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", "Sun, 06 Nov 1994 08:49:37 UTC", ""] {
        assert_eq!(parse_http_date(bad), None, "{bad}");
    }
}

fn request_with<'a>(
    headers: &'a [(String, String)],
    query: &'a crate::encoding::ParamList,
    host: &'a str,
    path: &'a str,
) -> ServiceRequest<'a> {
    ServiceRequest {
        view: crate::request::RequestView { method: "PUT", scheme: Scheme::Http, host, path, params: query },
        query,
        body: b"",
        content_type: None,
        content_md5: None,
        user_agent: None,
        headers,
        trailers: &[],
        shared_body: None,
    }
}

#[test]
fn aws_chunked_is_taken_out_of_the_stored_content_encoding() {
    // Reference §2.2: S3 strips aws-chunked, which may come with other codings in either order.
    let query = crate::encoding::ParamList::default();
    let cases = [
        ("aws-chunked", None),
        ("aws-chunked,gzip", Some("gzip")),
        ("gzip, aws-chunked", Some("gzip")),
        ("br", Some("br")),
        ("gzip,AWS-CHUNKED,br", Some("gzip,br")),
    ];
    for (sent, stored) in cases {
        let headers = vec![
            ("Content-Encoding".to_owned(), sent.to_owned()),
            ("X-Amz-Meta-Mixed-Case".to_owned(), " v ".to_owned()),
        ];
        let meta = meta_from_headers(&request_with(&headers, &query, "h", "/b/k"));
        assert_eq!(meta.content_encoding.as_deref(), stored, "{sent}");
        assert_eq!(meta.user, vec![("mixed-case".to_owned(), "v".to_owned())]);
    }
}

#[test]
fn virtual_hosts_and_paths() {
    let query = crate::encoding::ParamList::default();
    let domains = vec!["example.test".to_owned()];
    let cases: &[(&str, &str, Option<&str>, &str)] = &[
        ("127.0.0.1:9000", "/b/k/x", Some("b"), "k/x"),
        ("127.0.0.1:9000", "/", None, ""),
        ("127.0.0.1:9000", "/b", Some("b"), ""),
        ("127.0.0.1:9000", "/b/", Some("b"), ""),
        ("my.bucket.s3.amazonaws.com", "/k", Some("my.bucket"), "k"),
        ("b.s3.dualstack.us-east-1.amazonaws.com", "/k", Some("b"), "k"),
        ("b.s3-us-west-2.amazonaws.com", "/", Some("b"), ""),
        ("s3.us-west-2.amazonaws.com", "/b/k", Some("b"), "k"),
        ("B.LocalHost:4566", "/k%2Fx%20y+z", Some("B"), "k/x y+z"),
        ("localhost:4566", "/b/k", Some("b"), "k"),
        ("b.example.test", "/k", Some("b"), "k"),
        ("example.test", "/b/k", Some("b"), "k"),
        ("b.notexample.test", "/x/k", Some("x"), "k"),
    ];
    for (host, path, bucket, key) in cases {
        let headers = vec![("host".to_owned(), (*host).to_owned())];
        let got = locate(&request_with(&headers, &query, host, path), &domains).unwrap();
        assert_eq!((got.0.as_deref(), got.1.as_str()), (*bucket, *key), "{host}{path}");
    }
}
