//! The in-memory S3 over real HTTP on 127.0.0.1, signed with amzsig's own SigV4 signer
//! and S3's rules: a whole flow (bucket, put, ranged get, ListObjectsV2 with a delimiter
//! and continuation, a multipart upload of three 5 MiB parts and one byte, copy,
//! delete-multiple, delete bucket), S3's refusals (each leaving nothing stored), the
//! memory cap, HEAD's Content-Length, object bytes never gzipped, virtual hosts, the
//! journal's operation names and the admin reset.
//!
//! Expected ETags are computed here with the `md-5` crate from the bytes sent (S3 User
//! Guide, "Checking object integrity": a single PUT's ETag is its MD5; a multipart upload's
//! is the MD5 of the parts' binary MD5s, then `-` and the part count), not read from the
//! mock.

use crate::server::{client, fixed_config};
use amzsig::clock::UtcTime;
use amzsig::crypto::SecretKey;
use amzsig::encoding::{parse_query, PlusMeans};
use amzsig::server::{MockServer, ServerConfig};
use amzsig::sigv4::{self, Payload, SignableRequest, SigningParams, SigningSettings};
use md5::{Digest, Md5};

/// The AWS SigV4 test suite's key (the embedded keystore's account `aws-docs`).
const KEY: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/// The AWS documentation's key pair for the same account family (`paapi-docs`).
const OTHER_KEY: &str = "AKIAIOSFODNN7EXAMPLE";
const OTHER_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const MIB: usize = 1024 * 1024;

/// An answer, read back.
struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn xml(&self) -> amzsig::xml::Element {
        amzsig::xml::parse(&self.text()).unwrap_or_else(|e| panic!("not XML ({e}): {}", self.text()))
    }

    fn at(&self, path: &str) -> String {
        self.xml().path(path).unwrap_or_else(|| panic!("no {path} in {}", self.text())).text_content()
    }

    /// Every `name` child of the root's `parent` children (`Contents`, `Key`).
    fn all(&self, parent: &str, name: &str) -> Vec<String> {
        let doc = self.xml();
        let mut out = Vec::new();
        for p in doc.children.iter().filter_map(|c| match c {
            amzsig::xml::Node::Element(e) if e.name == parent => Some(e),
            _ => None,
        }) {
            out.extend(p.find(name).map(amzsig::xml::Element::text_content));
        }
        out
    }

    fn code(&self) -> String {
        self.at("Code")
    }
}

/// A client of one mock (its base URL), signing as one key for one Host header.
struct S3 {
    base: String,
    key: &'static str,
    secret: &'static str,
    host: String,
}

impl S3 {
    fn new(server: &MockServer) -> Self {
        Self::at(&server.base_url())
    }

    fn at(base: &str) -> Self {
        let host = base.trim_start_matches("http://").to_owned();
        S3 { base: base.to_owned(), key: KEY, secret: SECRET, host }
    }

    fn as_other(&self) -> Self {
        S3 { base: self.base.clone(), key: OTHER_KEY, secret: OTHER_SECRET, host: self.host.clone() }
    }

    fn with_host(&self, host: &str) -> Self {
        S3 { base: self.base.clone(), key: self.key, secret: self.secret, host: host.to_owned() }
    }

    /// `method` `target` (path and raw query) with `headers` and `body`, signed for
    /// us-east-1/s3 at the mock's fixed time.
    async fn send(&self, method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let mut all: Vec<(String, String)> = vec![("host".to_owned(), self.host.clone())];
        all.extend(headers.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())));
        let params = parse_query(query.as_bytes(), PlusMeans::Space).unwrap();
        let secret = SecretKey::new(self.secret);
        let signable =
            SignableRequest { method, path, query: &params, headers: (&all).into(), payload: Payload::Bytes(body) };
        let signing = SigningParams {
            access_key_id: self.key,
            secret: &secret,
            session_token: None,
            region: "us-east-1",
            service: "s3",
            time: UtcTime::parse_iso8601(crate::server::DG_TIME).unwrap(),
            settings: SigningSettings::s3(),
        };
        sigv4::sign(&signable, &signing).apply_headers(&mut all);
        let mut b = client().request(method.parse().unwrap(), format!("{}{target}", self.base));
        for (n, v) in &all {
            b = b.header(n.as_str(), v.as_str());
        }
        let resp = b.body(body.to_vec()).send().await.unwrap();
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        Answer { status, headers, body: resp.bytes().await.unwrap().to_vec() }
    }

    async fn ok(&self, method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
        let a = self.send(method, target, headers, body).await;
        assert!(a.status < 300, "{method} {target}: {} {}", a.status, a.text());
        a
    }
}

fn quoted_md5(data: &[u8]) -> String {
    format!("\"{:x}\"", Md5::digest(data))
}

/// `len` bytes, all `fill` but a marker at each end (so misplaced parts show).
fn part(len: usize, fill: u8) -> Vec<u8> {
    let mut v = vec![fill; len];
    if let Some(first) = v.first_mut() {
        *first = b'<';
    }
    if let Some(last) = v.last_mut() {
        *last = b'>';
    }
    v
}

fn complete_body(parts: &[(u32, &str)]) -> String {
    let listed: Vec<String> =
        parts.iter().map(|(n, etag)| format!("<Part><PartNumber>{n}</PartNumber><ETag>{etag}</ETag></Part>")).collect();
    format!("<CompleteMultipartUpload>{}</CompleteMultipartUpload>", listed.concat())
}

#[tokio::test]
#[allow(clippy::too_many_lines)] // one flow, in order
async fn a_whole_flow_over_http() {
    let server = MockServer::start_with(fixed_config()).await.unwrap();
    let s3 = S3::new(&server);
    s3.ok("PUT", "/flow", &[], b"").await;

    // Put, get (whole, ranged), head.
    let text = b"Hello, S3 over HTTP!";
    let put = s3.ok("PUT", "/flow/dir/hello.txt", &[("content-type", "text/plain"), ("x-amz-meta-k", "v")], text).await;
    assert_eq!(put.header("etag"), Some(quoted_md5(text).as_str()));
    let get = s3.ok("GET", "/flow/dir/hello.txt", &[("accept-encoding", "gzip")], b"").await;
    assert_eq!(get.body, text);
    assert_eq!((get.header("content-type"), get.header("x-amz-meta-k")), (Some("text/plain"), Some("v")));
    assert_eq!(get.header("content-encoding"), None, "object bytes are never gzipped");
    let ranged = s3.send("GET", "/flow/dir/hello.txt", &[("range", "bytes=7-8")], b"").await;
    assert_eq!((ranged.status, ranged.body.as_slice()), (206, &b"S3"[..]));
    assert_eq!(ranged.header("content-range"), Some("bytes 7-8/20"));
    assert_eq!(ranged.header("content-length"), Some("2"));
    let head = s3.ok("HEAD", "/flow/dir/hello.txt", &[], b"").await;
    assert_eq!(head.header("content-length"), Some("20"), "HEAD gives the object's length");
    assert!(head.body.is_empty());

    // A binary object comes back byte for byte.
    let binary: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    s3.ok("PUT", "/flow/bin", &[("content-type", "application/octet-stream")], &binary).await;
    assert_eq!(s3.ok("GET", "/flow/bin", &[], b"").await.body, binary);

    // ListObjectsV2 with a delimiter and continuation.
    for key in ["dir/a", "dir/b", "e", "f/g"] {
        s3.ok("PUT", &format!("/flow/{key}"), &[], key.as_bytes()).await;
    }
    let mut seen = Vec::new();
    let mut target = "/flow?list-type=2&delimiter=%2F&max-keys=2".to_owned();
    for round in 0.. {
        assert!(round < 10, "the listing does not end");
        let page = s3.ok("GET", &target, &[], b"").await;
        seen.extend(page.all("Contents", "Key"));
        seen.extend(page.all("CommonPrefixes", "Prefix").into_iter().map(|p| format!("prefix {p}")));
        if page.at("IsTruncated") == "false" {
            break;
        }
        let token = page.at("NextContinuationToken");
        let token = amzsig::encoding::encode(token.as_bytes());
        target = format!("/flow?list-type=2&delimiter=%2F&max-keys=2&continuation-token={token}");
    }
    assert_eq!(seen, ["bin", "prefix dir/", "e", "prefix f/"]);

    // Multipart: three 5 MiB parts and one byte, sent out of order.
    let create = s3.ok("POST", "/flow/big?uploads", &[], b"").await;
    let id = create.at("UploadId");
    let parts = [part(5 * MIB, b'a'), part(5 * MIB, b'b'), part(5 * MIB, b'c'), vec![b'!']];
    let mut etags = Vec::new();
    for (i, p) in parts.iter().enumerate().rev() {
        let a = s3.ok("PUT", &format!("/flow/big?partNumber={}&uploadId={id}", i + 1), &[], p).await;
        etags.push((i, a.header("etag").unwrap().to_owned()));
    }
    etags.sort();
    for (i, etag) in &etags {
        assert_eq!(etag, &quoted_md5(&parts[*i]), "part {}", i + 1);
    }
    let listed = s3.ok("GET", &format!("/flow/big?uploadId={id}"), &[], b"").await;
    assert_eq!(listed.all("Part", "PartNumber"), ["1", "2", "3", "4"]);
    let numbered: Vec<(u32, &str)> = etags.iter().map(|(i, e)| (u32::try_from(*i).unwrap() + 1, e.as_str())).collect();

    let order = complete_body(&[numbered[1], numbered[0]]);
    let refused = s3.send("POST", &format!("/flow/big?uploadId={id}"), &[], order.as_bytes()).await;
    assert_eq!((refused.status, refused.code()), (400, "InvalidPartOrder".to_owned()));
    let wrong = complete_body(&[(1, "\"0123456789abcdef0123456789abcdef\"")]);
    let refused = s3.send("POST", &format!("/flow/big?uploadId={id}"), &[], wrong.as_bytes()).await;
    assert_eq!((refused.status, refused.code()), (400, "InvalidPart".to_owned()));
    // With a part 5, part 4 (one byte) is not the last: too small. Part 5, not listed at
    // the end, is discarded.
    let extra = s3.ok("PUT", &format!("/flow/big?partNumber=5&uploadId={id}"), &[], b"x").await;
    let small = complete_body(&[numbered[0], numbered[3], (5, extra.header("etag").unwrap())]);
    let refused = s3.send("POST", &format!("/flow/big?uploadId={id}"), &[], small.as_bytes()).await;
    assert_eq!((refused.status, refused.code()), (400, "EntityTooSmall".to_owned()), "{}", refused.text());
    assert_eq!(refused.at("PartNumber"), "4");
    assert_eq!(s3.send("HEAD", "/flow/big", &[], b"").await.status, 404, "nothing stored from a refused complete");

    let done = s3.ok("POST", &format!("/flow/big?uploadId={id}"), &[], complete_body(&numbered).as_bytes()).await;
    let mut digests = Md5::new();
    for p in &parts {
        digests.update(Md5::digest(p));
    }
    let expected = format!("\"{:x}-4\"", digests.finalize());
    assert_eq!(done.at("ETag"), expected);
    let whole: Vec<u8> = parts.concat();
    let got = s3.ok("GET", "/flow/big", &[], b"").await;
    assert_eq!((got.body.len(), got.header("etag")), (whole.len(), Some(expected.as_str())));
    assert!(got.body == whole, "the object is the parts in order");
    let edge = s3.send("GET", "/flow/big", &[("range", &format!("bytes={}-{}", 5 * MIB - 1, 5 * MIB))], b"").await;
    assert_eq!((edge.status, edge.body.as_slice()), (206, &b"><"[..]));

    // Copy, then delete-multiple.
    let copy = s3.ok("PUT", "/flow/copied", &[("x-amz-copy-source", "/flow/dir%2Fhello.txt")], b"").await;
    assert_eq!(copy.at("ETag"), quoted_md5(text));
    assert_eq!(s3.ok("GET", "/flow/copied", &[], b"").await.body, text);
    let keys = ["dir/hello.txt", "dir/a", "dir/b", "e", "f/g", "bin", "big", "copied"];
    let delete: Vec<String> = keys.iter().map(|k| format!("<Object><Key>{k}</Key></Object>")).collect();
    let delete = delete.concat();
    let deleted = s3.ok("POST", "/flow?delete", &[], format!("<Delete>{delete}</Delete>").as_bytes()).await;
    assert_eq!(deleted.all("Deleted", "Key"), keys);
    assert_eq!(s3.ok("GET", "/flow?list-type=2", &[], b"").await.at("KeyCount"), "0");
    assert_eq!(s3.send("DELETE", "/flow", &[], b"").await.status, 204);
    assert_eq!(s3.send("HEAD", "/flow", &[], b"").await.status, 404);

    let journal = server.journal();
    let put = journal.iter().find(|e| e.operation.as_deref() == Some("PutObject")).unwrap();
    assert_eq!((put.bucket.as_deref(), put.key.as_deref()), (Some("flow"), Some("dir/hello.txt")));
    let created = journal.iter().find(|e| e.operation.as_deref() == Some("CreateBucket")).unwrap();
    assert_eq!((created.bucket.as_deref(), created.key.as_deref()), (Some("flow"), None));
    let ops: Vec<String> = journal.iter().filter_map(|e| e.operation.clone()).collect();
    for op in [
        "CreateBucket",
        "PutObject",
        "GetObject",
        "HeadObject",
        "ListObjectsV2",
        "CreateMultipartUpload",
        "UploadPart",
        "ListParts",
        "CompleteMultipartUpload",
        "CopyObject",
        "DeleteObjects",
        "DeleteBucket",
        "HeadBucket",
    ] {
        assert!(ops.iter().any(|o| o == op), "journal has no {op}: {ops:?}");
    }
    server.stop().await;
}

#[tokio::test]
async fn refusals_in_s3s_words_store_nothing() {
    let server = MockServer::start_with(fixed_config()).await.unwrap();
    let s3 = S3::new(&server);
    let refused = |a: &Answer, status: u16, code: &str| {
        assert_eq!((a.status, a.code()), (status, code.to_owned()), "{}", a.text());
        assert!(a.header("x-amz-request-id").is_some() && a.header("x-amz-id-2").is_some());
        assert_eq!(
            a.xml().path("RequestId").map(amzsig::xml::Element::text_content).as_deref(),
            a.header("x-amz-request-id")
        );
    };
    refused(&s3.send("GET", "/nobucket/key", &[], b"").await, 404, "NoSuchBucket");
    s3.ok("PUT", "/errs", &[], b"").await;
    refused(&s3.send("GET", "/errs/nokey", &[], b"").await, 404, "NoSuchKey");
    refused(&s3.as_other().send("PUT", "/errs", &[], b"").await, 409, "BucketAlreadyExists");
    refused(&s3.send("GET", "/errs?acl", &[], b"").await, 501, "NotImplemented");
    refused(&s3.send("PUT", "/errs/k?tagging", &[], b"x").await, 501, "NotImplemented");
    // Content-MD5 of another body: BadDigest; nothing stored.
    let other_md5 = amzsig::crypto::base64_encode(&Md5::digest(b"other"));
    refused(&s3.send("PUT", "/errs/k", &[("content-md5", &other_md5)], b"body").await, 400, "BadDigest");
    refused(&s3.send("GET", "/errs/k", &[], b"").await, 404, "NoSuchKey");
    s3.ok("PUT", "/errs/k", &[], b"body").await;
    refused(&s3.send("GET", "/errs/k", &[("range", "bytes=4-")], b"").await, 416, "InvalidRange");
    refused(&s3.send("DELETE", "/errs", &[], b"").await, 409, "BucketNotEmpty");
    refused(&s3.as_other().send("GET", "/errs/k", &[], b"").await, 403, "AccessDenied");
    // A refused UploadPart leaves no part.
    let id = s3.ok("POST", "/errs/mp?uploads", &[], b"").await.at("UploadId");
    let bad =
        s3.send("PUT", &format!("/errs/mp?partNumber=1&uploadId={id}"), &[("content-md5", &other_md5)], b"x").await;
    refused(&bad, 400, "BadDigest");
    assert!(s3.ok("GET", &format!("/errs/mp?uploadId={id}"), &[], b"").await.all("Part", "PartNumber").is_empty());
    refused(&s3.send("GET", "/errs/mp?uploadId=none", &[], b"").await, 404, "NoSuchUpload");
    // A HEAD refusal has no body but S3's status.
    assert_eq!(s3.send("HEAD", "/errs/nokey", &[], b"").await.status, 404);

    // The admin reset empties the store (the demo bucket stays).
    assert_eq!(client().post(format!("{}/__amzsig/reset", server.base_url())).send().await.unwrap().status(), 204);
    refused(&s3.send("GET", "/errs/k", &[], b"").await, 404, "NoSuchBucket");
    assert_eq!(s3.ok("GET", "/amzsig-example/hello.txt", &[], b"").await.text(), "Hello from amzsig.\n");
    server.stop().await;
}

#[tokio::test]
async fn the_memory_cap_refuses_with_entity_too_large() {
    let config = ServerConfig { s3_max_bytes: MIB as u64, ..fixed_config() };
    let server = MockServer::start_with(config).await.unwrap();
    let s3 = S3::new(&server);
    s3.ok("PUT", "/cap", &[], b"").await;
    s3.ok("PUT", "/cap/a", &[], &vec![b'a'; MIB - 10]).await;
    let over = s3.send("PUT", "/cap/b", &[], &[b'b'; 11]).await;
    assert_eq!((over.status, over.code()), (400, "EntityTooLarge".to_owned()), "{}", over.text());
    assert_eq!(over.at("MaxSizeAllowed"), "10");
    assert_eq!(s3.send("GET", "/cap/b", &[], b"").await.status, 404, "nothing stored");
    s3.ok("PUT", "/cap/b", &[], &[b'b'; 10]).await;
    assert_eq!(server.state().s3().used_bytes(), MIB as u64);
    server.reset();
    assert_eq!(server.state().s3().used_bytes(), 0);
    server.stop().await;
}

#[tokio::test]
async fn virtual_hosted_buckets() {
    let mut config = fixed_config();
    config.options.s3_domains = vec!["example.test".to_owned()];
    let server = MockServer::start_with(config).await.unwrap();
    let port = server.addr().port();
    let local = S3::new(&server).with_host(&format!("vhost.localhost:{port}"));
    local.ok("PUT", "/", &[], b"").await;
    local.ok("PUT", "/k", &[], b"virtual").await;
    for host in [format!("vhost.example.test:{port}"), "vhost.s3.amazonaws.com".to_owned()] {
        let a = S3::new(&server).with_host(&host).ok("GET", "/k", &[], b"").await;
        assert_eq!(a.body, b"virtual", "{host}");
    }
    assert_eq!(S3::new(&server).ok("GET", "/vhost/k", &[], b"").await.body, b"virtual");
    server.stop().await;
}

#[tokio::test]
async fn the_cap_and_domains_come_from_the_config_file_and_the_flags() {
    let dir = std::env::temp_dir().join(format!("amzsig-server-s3-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("s3.yaml");
    std::fs::write(&file, "s3_max_bytes: 5\ns3_domains: [Example.Test., other.test]\n").unwrap();
    let config = ServerConfig::load_file(&file).unwrap();
    assert_eq!(config.s3_max_bytes, 5);
    assert_eq!(config.options.s3_domains, ["example.test", "other.test"]);
    assert_eq!(ServerConfig::default().s3_max_bytes, 1 << 30, "1 GiB by default");
    let _ = std::fs::remove_dir_all(&dir);

    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_amzsig"))
        .args(["serve", "--listen", "127.0.0.1:0", "--clock", "fixed:2014-08-18T12:00:00Z"])
        .args(["--s3-max-bytes", "5", "--s3-domain", "Example.Test"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut base = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.take().unwrap()), &mut base).unwrap();
    let s3 = S3::at(base.trim());
    let port = s3.host.rsplit(':').next().unwrap().to_owned();
    let vhost = s3.with_host(&format!("capped.example.test:{port}"));
    vhost.ok("PUT", "/", &[], b"").await;
    let over = vhost.send("PUT", "/k", &[], b"123456").await;
    assert_eq!((over.status, over.code()), (400, "EntityTooLarge".to_owned()), "{}", over.text());
    vhost.ok("PUT", "/k", &[], b"12345").await;
    assert_eq!(s3.ok("GET", "/capped/k", &[], b"").await.body, b"12345");
    assert!(crate::support::terminate(&mut child).success());
}
