//! The mock endpoint over real HTTP on 127.0.0.1: the library API, the journal, the admin
//! API, and the `serve` binary. Service behaviour is covered in `server_paapi` and
//! `server_mws`.

use amzsig::clock::Clock;
use amzsig::crypto::SecretKey;
use amzsig::encoding::ParamList;
use amzsig::request::{RequestView, Scheme};
use amzsig::server::{MockServer, ServerConfig};
use amzsig::sigv2::{self, SignatureMethod};
use std::time::Duration;

/// The Developer Guide's timestamp; the fixed clock of most live tests.
pub(crate) const DG_TIME: &str = "2014-08-18T12:00:00Z";

/// A config on the embedded keystore with a fixed clock and deterministic request ids.
pub(crate) fn fixed_config() -> ServerConfig {
    ServerConfig { clock: format!("fixed:{DG_TIME}").parse::<Clock>().unwrap(), ..ServerConfig::default() }
}

/// A client with bounded timeouts.
pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap()
}

/// Signs `params` (SigV2) for `method` `host` `path` and returns them with `Signature`.
pub(crate) fn signed(method: &str, host: &str, path: &str, params: &[(&str, &str)], secret: &str) -> ParamList {
    let mut list: ParamList = params.iter().copied().collect();
    let sig_method = list.get("SignatureMethod").map_or(SignatureMethod::HmacSha256, |m| m.parse().unwrap());
    let view = RequestView { method, scheme: Scheme::Http, host, path, params: &list };
    let s = sigv2::sign(&view, sig_method, &SecretKey::new(secret));
    list.push(sigv2::SIGNATURE_PARAM, s.signature);
    list
}

/// The signed wire form of `params` (query string or form body), `Signature` last.
pub(crate) fn wire(params: &ParamList) -> String {
    sigv2::wire_query(params, params.get(sigv2::SIGNATURE_PARAM))
}

/// A PA-API ItemLookup as the Developer Guide writes it, signed for `host`.
pub(crate) fn dg_item_lookup(host: &str) -> ParamList {
    item_lookup(host, DG_TIME)
}

/// The Developer Guide's ItemLookup at `timestamp`, signed for `host`.
fn item_lookup(host: &str, timestamp: &str) -> ParamList {
    signed(
        "GET",
        host,
        "/onca/xml",
        &[
            ("Service", "AWSECommerceService"),
            ("AWSAccessKeyId", "AKIAIOSFODNN7EXAMPLE"),
            ("AssociateTag", "mytag-20"),
            ("Operation", "ItemLookup"),
            ("ItemId", "0679722769"),
            ("ResponseGroup", "Images,ItemAttributes,Offers,Reviews"),
            ("Version", "2013-08-01"),
            ("Timestamp", timestamp),
        ],
        "1234567890",
    )
}

#[tokio::test]
async fn journal_records_every_request_and_can_be_cleared() {
    let server = MockServer::start_with(fixed_config()).await.unwrap();
    let base = server.base_url();
    let host = server.addr().to_string();
    let c = client();
    let ok = c.get(format!("{base}/onca/xml?{}", wire(&dg_item_lookup(&host)))).send().await.unwrap();
    let ok_status = ok.status().as_u16();
    let nowhere = c.get(format!("{base}/nowhere?x=1")).send().await.unwrap();
    assert_eq!(nowhere.status().as_u16(), 404);

    let journal: serde_json::Value =
        serde_json::from_str(&c.get(format!("{base}/__amzsig/requests")).send().await.unwrap().text().await.unwrap())
            .unwrap();
    let entries = journal.as_array().unwrap();
    assert_eq!(entries.len(), 2, "{journal:#}");
    assert_eq!(entries[0]["path"], "/onca/xml");
    assert_eq!(entries[0]["service"], "paapi");
    assert_eq!(entries[0]["operation"], "ItemLookup");
    assert_eq!(entries[0]["access_key_id"], "AKIAIOSFODNN7EXAMPLE");
    assert_eq!(entries[0]["status"], ok_status);
    assert_eq!(entries[1]["path"], "/nowhere");
    assert_eq!(entries[1]["status"], 404);
    assert_eq!(entries[1]["verdict"], "refused");
    assert!(!journal.to_string().contains("1234567890"), "a secret reached the journal");

    let cleared = c.delete(format!("{base}/__amzsig/requests")).send().await.unwrap();
    assert_eq!(cleared.status().as_u16(), 204);
    assert_eq!(server.journal().len(), 0);
    server.stop().await;
}

#[tokio::test]
async fn journal_is_bounded() {
    let server = MockServer::start_with(ServerConfig { journal_capacity: 3, ..fixed_config() }).await.unwrap();
    let c = client();
    for i in 0..5 {
        c.get(format!("{}/nowhere/{i}", server.base_url())).send().await.unwrap();
    }
    let seqs: Vec<u64> = server.journal().iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [3, 4, 5]);
    server.stop().await;
}

#[tokio::test]
async fn admin_rejects_bad_input_and_unknown_ids() {
    let server = MockServer::start_with(fixed_config()).await.unwrap();
    let base = server.base_url();
    let c = client();
    let cases: &[(&str, &str, &str, u16)] = &[
        ("POST", "/__amzsig/keys/NOSUCHKEY/rotate", "secret=x", 404),
        ("POST", "/__amzsig/keys/AKIDEXAMPLE/rotate", "", 400),
        ("POST", "/__amzsig/keys/AKIDEXAMPLE/status", "status=paused", 400),
        ("POST", "/__amzsig/sellers/A1ExampleE6/authorizations", "developer_id=0000&mws_auth_token=amzn.mws.x", 404),
        ("DELETE", "/__amzsig/sellers/A1ExampleE6/authorizations/9999-8888-7777", "", 404),
        ("POST", "/__amzsig/throttle/reset", "", 204),
        ("GET", "/__amzsig/health", "", 200),
    ];
    for (method, path, body, status) in cases {
        let req = c.request(method.parse().unwrap(), format!("{base}{path}")).body(*body).send().await.unwrap();
        assert_eq!(req.status().as_u16(), *status, "{method} {path}");
    }
    server.stop().await;
}

/// `amzsig serve --listen 127.0.0.1:0` prints its URL first and stops on SIGTERM,
/// writing the journal when asked.
#[test]
fn serve_binary_prints_its_url_and_shuts_down_gracefully() {
    let journal = std::env::temp_dir().join(format!("amzsig-journal-{}.json", std::process::id()));
    let (mut child, base) = crate::support::spawn_serve(&journal);
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let status = rt.block_on(async {
        let host = base.trim_start_matches("http://").to_owned();
        client().get(format!("{base}/onca/xml?{}", wire(&dg_item_lookup(&host)))).send().await.unwrap().status()
    });
    let exit = crate::support::terminate(&mut child);
    assert!(exit.success(), "{exit:?}");
    let written: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&journal).unwrap()).unwrap();
    assert_eq!(written[0]["status"], status.as_u16());
    let _ = std::fs::remove_file(journal);
}

/// Bad percent-escapes and invalid UTF-8 get the service's own XML error (never a 500),
/// and the journal still records what arrived.
#[tokio::test]
async fn malformed_queries_get_the_services_error_format() {
    let server = MockServer::start_with(fixed_config()).await.unwrap();
    let base = server.base_url();
    let c = client();
    let cases = [
        ("/onca/xml?Operation=ItemLookup&ItemId=%G1", "ErrorResponse", "byte 28 of the query string"),
        ("/onca/xml?Keywords=%FF%FE", "ErrorResponse", "not valid UTF-8"),
        ("/Orders/2013-09-01?Action=ListOrders&x=%", "ErrorResponse", "byte 20 of the query string"),
    ];
    for (target, root, fragment) in cases {
        let resp = c.get(format!("{base}{target}")).send().await.unwrap();
        assert_eq!(resp.status().as_u16(), 400, "{target}");
        let doc = amzsig::xml::parse(&resp.text().await.unwrap()).unwrap();
        assert_eq!(doc.name, root, "{target}");
        assert_eq!(doc.path("Error/Code").unwrap().text_content(), "MalformedQueryString");
        let message = doc.path("Error/Message").unwrap().text_content();
        assert!(message.contains(fragment), "{target}: {message}");
    }
    let journal = server.journal();
    assert_eq!(journal.len(), 3);
    assert_eq!(journal[0].query, "Operation=ItemLookup&ItemId=%G1");
    assert_eq!(journal[0].error_code.as_deref(), Some("MalformedQueryString"));
    server.stop().await;
}

/// The MockServer API exactly as the README shows it, inside `#[tokio::test]`: `start()`
/// with the defaults (system clock), a request signed now, the journal, a key rotation that
/// refuses the old secret, and `reset()`.
#[tokio::test]
async fn mock_server_api_start_journal_rotate_reset() {
    let server = MockServer::start().await.unwrap();
    let c = client();
    let params = item_lookup(&server.addr().to_string(), &Clock::System.now().to_iso8601());
    let url = format!("{}/onca/xml?{}", server.base_url(), wire(&params));
    assert_eq!(c.get(&url).send().await.unwrap().status().as_u16(), 200);
    assert_eq!(server.last().unwrap().error_code, None);
    server.last().unwrap().assert_accepted();
    assert_eq!((server.accepted().len(), server.refused().len()), (1, 0));

    server.rotate_key("AKIAIOSFODNN7EXAMPLE", "a new secret").unwrap();
    // One request per second per key (PA-API's throttle): let the bucket refill.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(c.get(&url).send().await.unwrap().status().as_u16(), 403);
    server.last().unwrap().assert_refused_with("SignatureDoesNotMatch");
    assert_eq!(server.refused().len(), 1);
    assert!(server.rotate_key("NOSUCHKEY", "x").is_err());

    server.reset();
    assert!(server.journal().is_empty(), "reset empties the journal");
    assert_eq!(c.get(&url).send().await.unwrap().status().as_u16(), 200, "reset restores the loaded secret");
    assert_eq!(server.last().unwrap().seq, 3, "sequence numbers go on after a reset");
    server.stop().await;
}

/// The builder changes one setting at a time: no throttling here, so two requests in the
/// same second are both accepted.
#[tokio::test]
async fn mock_server_builder() {
    let server = MockServer::builder()
        .clock(format!("fixed:{DG_TIME}").parse().unwrap())
        .throttling(amzsig::services::Throttling::Off)
        .start()
        .await
        .unwrap();
    let url = format!("{}/onca/xml?{}", server.base_url(), wire(&dg_item_lookup(&server.addr().to_string())));
    for _ in 0..2 {
        assert_eq!(client().get(&url).send().await.unwrap().status().as_u16(), 200);
    }
    server.stop().await;
}

/// `POST /__amzsig/reset` undoes rotations and status changes, empties the journal and the
/// throttle buckets.
#[tokio::test]
async fn reset_endpoint_restores_the_loaded_state() {
    let server = MockServer::start_with(fixed_config()).await.unwrap();
    let (base, c) = (server.base_url(), client());
    let url = format!("{base}/onca/xml?{}", wire(&dg_item_lookup(&server.addr().to_string())));
    let post = |path: &str, body: &'static str| c.post(format!("{base}{path}")).body(body).send();
    assert_eq!(post("/__amzsig/keys/AKIAIOSFODNN7EXAMPLE/status", "status=inactive").await.unwrap().status(), 204);
    assert_eq!(c.get(&url).send().await.unwrap().status().as_u16(), 403);
    // PA-API allows one request per second per key: a second one now is throttled.
    assert_eq!(post("/__amzsig/keys/AKIAIOSFODNN7EXAMPLE/status", "status=active").await.unwrap().status(), 204);
    assert_eq!(c.get(&url).send().await.unwrap().status().as_u16(), 200);
    assert_eq!(c.get(&url).send().await.unwrap().status().as_u16(), 503);
    assert_eq!(post("/__amzsig/keys/AKIAIOSFODNN7EXAMPLE/status", "status=deleted").await.unwrap().status(), 204);

    assert_eq!(post("/__amzsig/reset", "").await.unwrap().status(), 204);
    assert!(server.journal().is_empty());
    assert_eq!(c.get(&url).send().await.unwrap().status().as_u16(), 200, "key active again, bucket full again");
    server.stop().await;
}

/// The admin API answers loopback peers only, unless `admin: any` (`serve --admin any`).
#[tokio::test]
async fn admin_api_refuses_other_hosts_unless_told() {
    use amzsig::server::{app, AdminAccess, AppState};
    use axum::extract::ConnectInfo;
    use std::sync::Arc;
    use tower::ServiceExt as _;
    let remote: std::net::SocketAddr = "192.0.2.7:40000".parse().unwrap();
    for (access, want) in [(AdminAccess::Loopback, 403), (AdminAccess::Any, 204)] {
        let state = Arc::new(AppState::new(ServerConfig { admin: access, ..fixed_config() }));
        let mut request = axum::http::Request::post("/__amzsig/reset").body(axum::body::Body::empty()).unwrap();
        request.extensions_mut().insert(ConnectInfo(remote));
        let response = app(state).oneshot(request).await.unwrap();
        assert_eq!(response.status().as_u16(), want, "{access:?}");
    }
}

/// The journal's assertions fail with what a person needs: the answer, the diagnosis and
/// both strings to sign (and never the secret).
#[tokio::test]
async fn journal_assertions_explain_a_refusal() {
    use amzsig::diagnose::v2::{sign_with_mistakes, SPACE_AS_PLUS};
    let server = MockServer::start_with(fixed_config()).await.unwrap();
    let host = server.addr().to_string();
    let mut params: ParamList = [
        ("Service", "AWSECommerceService"),
        ("AWSAccessKeyId", "AKIAIOSFODNN7EXAMPLE"),
        ("AssociateTag", "mytag-20"),
        ("Operation", "ItemSearch"),
        ("SearchIndex", "Books"),
        ("Keywords", "Harry Potter"),
        ("Timestamp", DG_TIME),
    ]
    .into_iter()
    .collect();
    let view = RequestView { method: "GET", scheme: Scheme::Http, host: &host, path: "/onca/xml", params: &params };
    let signature =
        sign_with_mistakes(&view, &SecretKey::new("1234567890"), SignatureMethod::HmacSha256, &[SPACE_AS_PLUS])
            .unwrap();
    params.push(sigv2::SIGNATURE_PARAM, signature);
    client().get(format!("{}/onca/xml?{}", server.base_url(), wire(&params))).send().await.unwrap();
    let last = server.last().unwrap();
    last.assert_refused_with("SignatureDoesNotMatch");
    let panic = std::panic::catch_unwind(|| last.assert_accepted()).unwrap_err();
    let message = panic.downcast_ref::<String>().unwrap();
    for want in [
        "expected the request to be accepted",
        "SignatureDoesNotMatch (403)",
        "diagnosis: space-as-plus",
        "The client signed:",
        "Keywords=Harry+Potter",
        "It should have signed:",
        "Keywords=Harry%20Potter",
    ] {
        assert!(message.contains(want), "'{want}' missing from: {message}");
    }
    assert!(!message.contains("1234567890"), "a secret reached the message");
    server.stop().await;
}
