//! Every mistake in the diagnosis catalogue, made on purpose by the reference adapter, is
//! named as exactly that mistake by the mock's `x-amzsig-diagnosis` header (over HTTP)
//! and by `amzsig explain` (the library-level test is in `src/diagnose/tests.rs`).

use crate::server::{client, fixed_config};
use crate::support::{amzsig, stdout};
use amzsig::adapter::protocol::{Location, Request, RequestKind, SchemeId, WireCredentials};
use amzsig::adapter::{reference, Answer};
use amzsig::diagnose::{v2, Mistake};
use amzsig::server::MockServer;
use amzsig::sigv2::SignatureMethod;

struct Plan {
    host: String,
    path: &'static str,
    method: &'static str,
    location: Location,
    mws: bool,
}

fn plan_for(m: Mistake, mock_host: &str) -> Plan {
    let paapi = |host: &str| Plan {
        host: host.to_owned(),
        path: "/onca/xml",
        method: "GET",
        location: Location::Query,
        mws: false,
    };
    match m {
        v2::HOST_PORT_DROPPED | v2::HOST_WITH_SCHEME => paapi(mock_host),
        v2::HOST_NOT_LOWERCASED => paapi("WebServices.Amazon.com"),
        v2::RAW_FORM_BODY_SIGNED => {
            Plan { method: "POST", location: Location::Form, ..paapi("webservices.amazon.com") }
        }
        v2::EMPTY_PATH_NOT_SLASH => Plan {
            host: "mws.amazonservices.com".into(),
            path: "",
            method: "POST",
            location: Location::Form,
            mws: true,
        },
        _ => paapi("webservices.amazon.com"),
    }
}

fn request_for(p: &Plan, m: Mistake, nonce: u32) -> Request {
    let mut params: Vec<(String, String)> = if p.mws {
        [
            ("Action", "GetReportRequestList"),
            ("SellerId", "A1ExampleE6"),
            ("MWSAuthToken", "amzn.mws.4ea38b7b-f563-7709-4bae-87aeaEXAMPLE"),
            ("Version", "2009-01-01"),
            ("Note", "a b*~"),
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .to_vec()
    } else {
        [
            ("Service", "AWSECommerceService"),
            ("AssociateTag", "mytag-20"),
            ("Operation", "ItemSearch"),
            ("SearchIndex", "Books"),
            ("Keywords", "harry potter*"),
            ("Title", "a~b (c)"),
            ("Item.1", "x"),
            ("Item.10", "y"),
            ("Item.2", "z"),
            ("alpha", "1"),
            ("Zeta", "2"),
            ("aé", "4"),
            ("a~", "5"),
            ("Empty", ""),
            ("ResponseGroup", "Small,Images"),
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .to_vec()
    };
    params.push(("Nonce".to_owned(), nonce.to_string()));
    let (key, secret) = if p.mws {
        ("022QF0EXAMPLEH9DHM02", "kWcrlEXAMPLEM/LtmEENI/aVmYvHNif5zB+d9+ct")
    } else {
        ("AKIAIOSFODNN7EXAMPLE", "1234567890")
    };
    let declared = match m {
        v2::SHA256_INSTEAD_OF_SHA1 => Some(SignatureMethod::HmacSha1),
        _ if p.mws => Some(SignatureMethod::HmacSha256),
        _ => None,
    };
    Request {
        kind: RequestKind::Sign,
        id: "1".into(),
        sig: SchemeId::V2Query,
        method: p.method.into(),
        endpoint: format!("http://{}{}", p.host, p.path),
        params,
        credentials: WireCredentials { access_key_id: key.into(), secret_key: secret.into(), session_token: None },
        timestamp: Some("2014-08-18T12:00:00Z".into()),
        expires: None,
        signature_method: declared,
        location: p.location,
    }
}

#[tokio::test]
async fn every_mistake_is_named_by_the_mock_and_by_explain() {
    let server = MockServer::start_with(fixed_config()).await.unwrap();
    let base = server.base_url();
    let mock_host = server.addr().to_string();
    let http = client();
    let mut problems = Vec::new();
    let dir = std::env::temp_dir().join(format!("amzsig-diagnose-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for m in v2::ALL {
        let plan = plan_for(m, &mock_host);
        let signed = (0..200)
            .find_map(|n| match reference::sign(&request_for(&plan, m, n), &[m]) {
                Answer::Signed(s) => Some(s),
                _ => None,
            })
            .expect("the mistake applies to the planned request");
        server.state().reset_throttle();
        let path = if plan.path.is_empty() { "/" } else { plan.path };
        let query = signed.url.split_once('?').map(|(_, q)| q.to_owned());
        let url = match &query {
            Some(q) => format!("{base}{path}?{q}"),
            None => format!("{base}{path}"),
        };
        let req = if plan.method == "POST" {
            http.post(&url).header("content-type", "application/x-www-form-urlencoded").body(signed.body.clone())
        } else {
            http.get(&url)
        };
        let resp = req.header("host", plan.host.as_str()).send().await.unwrap();
        let header = resp.headers().get("x-amzsig-diagnosis").map(|v| v.to_str().unwrap_or("").to_owned());
        if header.as_deref() != Some(m.id()) {
            problems.push(format!("{m}: mock header {header:?} (status {})", resp.status()));
        }
        // `amzsig explain` on the same request: a URL for GET, a captured request for POST.
        let out = if plan.method == "GET" {
            amzsig(&["explain", &signed.url], &[])
        } else {
            let file = dir.join(format!("{}.http", m.id()));
            let captured = format!(
                "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\n{}",
                plan.host, signed.body
            );
            std::fs::write(&file, captured).unwrap();
            amzsig(&["explain", "--scheme", "http", "--request", file.to_str().unwrap()], &[])
        };
        let text = stdout(&out);
        if out.status.code() != Some(1) || !text.contains(&format!("reproduced by: {} (", m.id())) {
            problems.push(format!("{m}: explain said: {}", text.lines().next().unwrap_or("")));
        }
    }
    server.stop().await;
    let _ = std::fs::remove_dir_all(dir);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// bottlenose's form of `names-not-encoded`, as that client sends it: the request signed
/// outside amzsig (`vectors/mistakes/make.py`), its raw `Filter:Binding` name on the wire,
/// written byte for byte to the mock on a socket. The mock refuses it and its
/// `x-amzsig-diagnosis` header names the mistake.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_sent_unencoded_is_named_by_the_mock() {
    use std::io::{Read, Write};
    let file = crate::support::root().join("vectors/mistakes/v2/names-not-encoded.yaml");
    let text = std::fs::read_to_string(file).unwrap();
    let line = text.lines().find_map(|l| l.strip_prefix("  query: ")).expect("a query line");
    let query: String = serde_json::from_str(line).unwrap();
    assert!(query.contains("&Filter:Binding=Paperback&"), "{query}");
    let server = MockServer::start_with(fixed_config()).await.unwrap();
    let addr = server.addr();
    let head = format!("GET /onca/xml?{query} HTTP/1.1\r\nHost: webservices.amazon.com\r\nConnection: close\r\n\r\n");
    let answer = tokio::task::spawn_blocking(move || {
        let mut socket = std::net::TcpStream::connect(addr).unwrap();
        socket.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
        socket.write_all(head.as_bytes()).unwrap();
        let mut answer = Vec::new();
        socket.read_to_end(&mut answer).unwrap();
        String::from_utf8_lossy(&answer).to_ascii_lowercase()
    })
    .await
    .unwrap();
    server.stop().await;
    assert!(answer.starts_with("http/1.1 403"), "{answer}");
    assert!(answer.contains("\r\nx-amzsig-diagnosis: names-not-encoded\r\n"), "{answer}");
}
