//! The mock over HTTPS (`serve --tls`, `MockServerBuilder::tls`), on real loopback
//! sockets with a rustls client that trusts only the CA the mock wrote: a SigV4 request
//! (signed by the AWS SDK for Rust's `aws-sigv4`) accepted through the binary; plain HTTP
//! to the TLS port closed, not hung; an idle or stalled handshake closed by the timeout;
//! SigV2 host matching with HTTPS's default port 443; the flag contradictions refused with
//! one line and exit 2; the user's own PEM pair served.

use crate::support::amzsig;
use amzsig::server::{Limits, MockServer};
use hmac::{Hmac, Mac};
use std::process::Child;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};

/// The SigV4 test suite's key (in the embedded keystore, family `aws`).
const AWS_KEY: &str = "AKIDEXAMPLE";
const AWS_SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/// Every wait in this file is bounded by this.
const BOUND: Duration = Duration::from_secs(10);

/// A rustls client trusting only `ca_pem`.
fn connector(ca_pem: &[u8]) -> tokio_rustls::TlsConnector {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem) {
        roots.add(cert.expect("PEM certificate")).expect("a usable CA");
    }
    assert_eq!(roots.len(), 1, "one CA certificate");
    #[allow(deprecated)] // ring: see src/server/tls.rs
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    tokio_rustls::TlsConnector::from(Arc::new(config))
}

/// Sends one HTTP/1.1 request (`Connection: close`) over TLS to `addr` as `server_name`;
/// returns the status and the whole answer.
async fn https(connector: &tokio_rustls::TlsConnector, addr: &str, server_name: &str, request: &str) -> (u16, String) {
    let tcp = TcpStream::connect(addr).await.expect("connect");
    let name = ServerName::try_from(server_name.to_owned()).unwrap();
    let mut tls = tokio::time::timeout(BOUND, connector.connect(name, tcp)).await.expect("bounded").expect("handshake");
    tls.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    // A server closing without close_notify is an error here; what arrived counts.
    let _ = tokio::time::timeout(BOUND, tls.read_to_end(&mut answer)).await.expect("bounded answer");
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, answer)
}

/// `amzsig serve --tls` with `extra` flags on a free port: the child and its first line.
fn spawn_tls(extra: &[&str]) -> (Child, String) {
    crate::support::spawn_serve_with(&[&["--tls", "--listen", "127.0.0.1:0", "--no-throttle"], extra].concat())
}

fn sign_v4(url: &str, host: &str, body: &str) -> Vec<(String, String)> {
    use aws_credential_types::Credentials;
    use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
    use aws_sigv4::sign::v4;
    use aws_smithy_runtime_api::client::identity::Identity;
    let identity: Identity = Credentials::new(AWS_KEY, AWS_SECRET, None, None, "test").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("sts")
        .time(SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let mut headers = vec![
        ("host".to_owned(), host.to_owned()),
        ("content-type".to_owned(), "application/x-www-form-urlencoded; charset=utf-8".to_owned()),
    ];
    let signable = SignableRequest::new(
        "POST",
        url,
        headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        SignableBody::Bytes(body.as_bytes()),
    )
    .unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    for h in instructions.into_parts().0 {
        headers.push((h.name().to_owned(), h.value().to_owned()));
    }
    headers
}

#[tokio::test]
async fn a_sigv4_request_over_https_is_accepted_through_the_binary_trusting_the_written_ca() {
    let dir = tempdir("ca-out");
    let ca = dir.join("ca.pem");
    let (mut child, url) = spawn_tls(&["--tls-ca-out", ca.to_str().unwrap()]);
    assert!(url.starts_with("https://127.0.0.1:"), "first line: {url}");
    let ca_pem = std::fs::read(&ca).expect("the CA was written before the URL");
    assert!(!String::from_utf8_lossy(&ca_pem).contains("PRIVATE"), "no key material in the CA file");
    let tls = connector(&ca_pem);
    let addr = url.trim_start_matches("https://").to_owned();
    let body = "Action=GetCallerIdentity&Version=2011-06-15";
    let headers = sign_v4(&format!("{url}/"), &addr, body);
    let head: Vec<String> = headers.iter().map(|(n, v)| format!("{n}: {v}\r\n")).collect();
    let head = head.concat();
    let request = format!("POST / HTTP/1.1\r\n{head}content-length: {}\r\nconnection: close\r\n\r\n{body}", body.len());
    let (status, answer) = https(&tls, &addr, "127.0.0.1", &request).await;
    assert_eq!(status, 200, "{answer}");
    assert!(answer.contains("<GetCallerIdentityResult>"), "{answer}");
    // The same certificate names localhost too.
    let (status, _) = https(&tls, &addr, "localhost", &request).await;
    assert_eq!(status, 200);
    // A wrong signature over HTTPS is refused as over HTTP.
    let tampered = request.replace("Version=2011-06-15", "Version=2011-06-16");
    let (status, answer) = https(&tls, &addr, "127.0.0.1", &tampered).await;
    assert_eq!(status, 403, "{answer}");
    assert!(answer.contains("SignatureDoesNotMatch"), "{answer}");
    crate::support::terminate(&mut child);
}

#[tokio::test]
async fn a_client_that_does_not_trust_the_ca_fails_its_handshake() {
    let server = MockServer::builder().tls().start().await.unwrap();
    let other = MockServer::builder().tls().start().await.unwrap();
    // Each start makes its own CA: the other server's CA does not vouch for this one.
    let tls = connector(other.ca_pem().unwrap().as_bytes());
    let tcp = TcpStream::connect(server.addr()).await.unwrap();
    let name = ServerName::try_from("127.0.0.1").unwrap();
    let result = tokio::time::timeout(BOUND, tls.connect(name, tcp)).await.expect("bounded");
    let err = result.expect_err("an untrusted certificate").to_string();
    assert!(err.contains("UnknownIssuer") || err.contains("invalid peer certificate"), "{err}");
    server.stop().await;
    other.stop().await;
}

/// Reads until the peer closes; the time it took and the bytes.
async fn until_closed(stream: &mut TcpStream) -> (Duration, Vec<u8>) {
    let start = Instant::now();
    let mut got = Vec::new();
    let read = tokio::time::timeout(BOUND, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(read.is_ok(), "the server did not close the connection within {BOUND:?}");
    (start.elapsed(), got)
}

#[tokio::test]
async fn plain_http_to_the_tls_port_is_closed_not_hung() {
    // A long header timeout: the close must come from the failed handshake, not a timer.
    let limits = Limits { header_read_timeout: Duration::from_secs(30), ..Limits::default() };
    let server = MockServer::builder().tls().limits(limits).start().await.unwrap();
    let mut tcp = TcpStream::connect(server.addr()).await.unwrap();
    tcp.write_all(b"GET /onca/xml HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").await.unwrap();
    let (took, got) = until_closed(&mut tcp).await;
    assert!(took < Duration::from_secs(5), "closed after {took:?}");
    assert!(!String::from_utf8_lossy(&got).contains("HTTP/1.1 200"), "no HTTP answer in clear");
    assert!(server.journal().is_empty(), "nothing reached the pipeline");
    server.stop().await;
}

#[tokio::test]
async fn the_handshake_timeout_closes_an_idle_or_stalled_connection() {
    let limits = Limits { header_read_timeout: Duration::from_millis(400), ..Limits::default() };
    let server = MockServer::builder().tls().limits(limits).start().await.unwrap();
    // Silent after connecting.
    let mut idle = TcpStream::connect(server.addr()).await.unwrap();
    let (took, got) = until_closed(&mut idle).await;
    assert!(took >= Duration::from_millis(300) && took < Duration::from_secs(5), "idle closed after {took:?}");
    assert!(got.is_empty());
    // The start of a TLS record (a handshake record announcing 512 bytes), then nothing.
    let mut stalled = TcpStream::connect(server.addr()).await.unwrap();
    stalled.write_all(&[0x16, 0x03, 0x01, 0x02, 0x00, 0x01]).await.unwrap();
    let (took, _) = until_closed(&mut stalled).await;
    assert!(took >= Duration::from_millis(300) && took < Duration::from_secs(5), "stalled closed after {took:?}");
    // The slot is free again: a real client still gets through.
    let tls = connector(server.ca_pem().unwrap().as_bytes());
    let addr = server.addr().to_string();
    let (status, _) = https(&tls, &addr, "localhost", "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await;
    assert_ne!(status, 0);
    server.stop().await;
}

#[tokio::test]
async fn the_header_timeout_still_applies_inside_tls() {
    let limits = Limits { header_read_timeout: Duration::from_millis(400), ..Limits::default() };
    let server = MockServer::builder().tls().limits(limits).start().await.unwrap();
    let tls = connector(server.ca_pem().unwrap().as_bytes());
    let tcp = TcpStream::connect(server.addr()).await.unwrap();
    let mut stream = tls.connect(ServerName::try_from("127.0.0.1").unwrap(), tcp).await.unwrap();
    // Half a head (slowloris), inside TLS.
    stream.write_all(b"GET /onca/xml HTTP/1.1\r\nHost: 127.0.0.1\r\n").await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(BOUND, stream.read_to_end(&mut answer)).await.expect("bounded");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    server.stop().await;
}

/// HMAC-SHA256 SigV2 of `GET\n{host}\n/onca/xml\n{query}`, computed here (not by amzsig).
fn sigv2(host: &str, query: &str) -> String {
    use base64::Engine as _;
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"1234567890").unwrap();
    mac.update(format!("GET\n{host}\n/onca/xml\n{query}").as_bytes());
    let sig = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    sig.replace('+', "%2B").replace('/', "%2F").replace('=', "%3D")
}

#[tokio::test]
async fn sigv2_host_matching_over_https_uses_port_443_as_the_default() {
    let clock = || "fixed:2014-08-18T12:00:00Z".parse().unwrap();
    let off = amzsig::services::Throttling::Off;
    let server = MockServer::builder().tls().clock(clock()).throttling(off).start().await.unwrap();
    let plain = MockServer::builder().clock(clock()).throttling(off).start().await.unwrap();
    let tls = connector(server.ca_pem().unwrap().as_bytes());
    let addr = server.addr().to_string();
    // Sorted, already encoded: the PA-API Developer Guide's ItemLookup parameters.
    let query = "AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&AssociateTag=mytag-20&ItemId=0679722769\
        &Operation=ItemLookup&ResponseGroup=Images%2CItemAttributes%2COffers%2CReviews\
        &Service=AWSECommerceService&Timestamp=2014-08-18T12%3A00%3A00Z&Version=2013-08-01";
    let get = |host: &str, signed_host: &str| {
        format!(
            "GET /onca/xml?{query}&Signature={} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n",
            sigv2(signed_host, query)
        )
    };
    // Signed for the host as sent, port included: verifies.
    let (status, answer) = https(&tls, &addr, "127.0.0.1", &get(&addr, &addr)).await;
    assert_eq!(status, 200, "{answer}");
    // Host 127.0.0.1:443 over HTTPS is 127.0.0.1 to a SigV2 signer (default port dropped)…
    let (status, answer) = https(&tls, &addr, "127.0.0.1", &get("127.0.0.1:443", "127.0.0.1")).await;
    assert_eq!(status, 200, "over https, :443 is the default port: {answer}");
    // …but over plain HTTP, 443 is no default: the same request is refused.
    let mut tcp = TcpStream::connect(plain.addr()).await.unwrap();
    tcp.write_all(get("127.0.0.1:443", "127.0.0.1").as_bytes()).await.unwrap();
    let (_, answer) = until_closed(&mut tcp).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
    assert!(answer.contains("SignatureDoesNotMatch"), "{answer}");
    server.stop().await;
    plain.stop().await;
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let nanos = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_nanos();
    let dir = std::env::temp_dir().join(format!("amzsig-tls-{name}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn contradicting_tls_flags_are_refused_with_one_line() {
    let cases: &[&[&str]] = &[
        &["serve", "--tls-cert", "c.pem", "--tls-key", "k.pem", "--tls-ca-out", "ca.pem"],
        &["serve", "--tls-cert", "c.pem", "--tls-key", "k.pem", "--tls-name", "bucket.localhost"],
        &["serve", "--tls-ca-out", "ca.pem"],
        &["serve", "--tls", "--tls-cert", "/nonexistent/c.pem", "--tls-key", "/nonexistent/k.pem"],
    ];
    for args in cases {
        let out = amzsig(&[&args[..], &["--listen", "127.0.0.1:0"]].concat(), &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("amzsig: error: "), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}: no URL printed");
    }
}

#[tokio::test]
async fn ones_own_pem_pair_is_served() {
    // A pair made by another server's generator stands in for the user's files: a leaf
    // written with rcgen here, signed by a CA made here.
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["own.example".to_owned()]).unwrap().signed_by(&leaf_key, &issuer).unwrap();
    let dir = tempdir("own");
    let pem = |label: &str, der: &[u8]| {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        let lines: Vec<&str> = b64.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).unwrap()).collect();
        format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", lines.join("\n"))
    };
    std::fs::write(dir.join("cert.pem"), pem("CERTIFICATE", leaf.der())).unwrap();
    std::fs::write(dir.join("key.pem"), pem("PRIVATE KEY", &leaf_key.serialize_der())).unwrap();
    let server = MockServer::builder().tls_files(dir.join("cert.pem"), dir.join("key.pem")).start().await.unwrap();
    assert!(server.base_url().starts_with("https://"));
    assert!(server.ca_pem().is_none(), "no CA is made for one's own pair");
    let tls = connector(pem("CERTIFICATE", ca_cert.der()).as_bytes());
    let addr = server.addr().to_string();
    let (status, _) = https(&tls, &addr, "own.example", "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await;
    assert_ne!(status, 0, "an HTTP answer over the user's certificate");
    server.stop().await;
}

#[test]
fn the_config_files_tls_key_is_read_and_contradictions_named() {
    use amzsig::server::{ServerConfig, TlsSetup};
    let dir = tempdir("config");
    let load = |yaml: &str| {
        let path = dir.join("amzsig.yaml");
        std::fs::write(&path, yaml).unwrap();
        ServerConfig::load_file(&path)
    };
    let c = load("tls:\n  generate: true\n  names: [bucket.localhost]\n  ca_out: ca.pem\n").unwrap();
    assert_eq!(c.tls, Some(TlsSetup::Generated { extra_names: vec!["bucket.localhost".to_owned()] }));
    assert_eq!(c.tls_ca_out, Some(dir.join("ca.pem")), "relative to the config file");
    let c = load("tls: {cert: c.pem, key: k.pem}\n").unwrap();
    assert_eq!(c.tls, Some(TlsSetup::Files { cert: dir.join("c.pem"), key: dir.join("k.pem") }));
    assert_eq!(load("listen: 127.0.0.1:0\n").unwrap().tls, None);
    for (yaml, says) in [
        ("tls: {cert: c.pem}\n", "cert and key go together"),
        ("tls: {generate: false}\n", "generate: false needs cert and key"),
        ("tls: {cert: c.pem, key: k.pem, ca_out: ca.pem}\n", "one's own pair"),
        ("tls: {cert: c.pem, key: k.pem, generate: true}\n", "one's own pair"),
    ] {
        let err = load(yaml).expect_err(yaml).to_string();
        assert!(err.contains(says), "{yaml}: {err}");
    }
    assert!(load("tls: {bogus: 1}\n").is_err(), "unknown keys are refused");
}
