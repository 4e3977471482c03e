//! aws-chunked streaming against the AWS documentation's two worked examples (S3 API
//! Reference, "Transferring Payload in Multiple Chunks" and "… Including Trailing
//! Headers"), read in place from `../shared/reference/s3/` (`vectors.json` and the two
//! byte-exact `.body` files): the seed signatures from the published canonical requests,
//! then every chunk and the trailer verified while the bodies are decoded, in pieces of
//! several sizes; a tampered chunk and a changed trailer are refused.

use crate::support::s3_reference_dir;
use amzsig::sigv4::streaming::{ChunkChain, Decoder, StreamingError, StreamingMode};
use amzsig::sigv4::{sign_text, signing_key};
use amzsig::SecretKey;
use serde_json::Value;
use std::fmt::Write as _;

struct Example {
    mode: StreamingMode,
    vector: Value,
    body: Vec<u8>,
}

fn examples() -> Option<(String, Vec<Example>)> {
    let dir = s3_reference_dir()?;
    let v: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("vectors.json")).unwrap()).unwrap();
    let secret = v["credentials"]["secret_access_key"].as_str().unwrap().to_owned();
    let load = |name: &str, mode| {
        let vector = v["streaming"][name].clone();
        let body = std::fs::read(dir.join(vector["body_file"].as_str().unwrap())).unwrap();
        assert_eq!(body.len() as u64, vector["body_length"].as_u64().unwrap(), "{name}: body length");
        Example { mode, vector, body }
    };
    Some((secret, vec![load("signed", StreamingMode::Signed), load("signed_trailer", StreamingMode::SignedTrailer)]))
}

const DATE: &str = "20130524T000000Z";
const SCOPE: &str = "20130524/us-east-1/s3/aws4_request";

#[test]
fn the_documentation_examples_decode_and_verify() {
    let Some((secret, examples)) = examples() else { return };
    let key = signing_key(&SecretKey::new(secret.as_str()), "20130524", "us-east-1", "s3");
    for ex in &examples {
        let v = &ex.vector;
        // The seed: an ordinary SigV4 signature over the published canonical request.
        let creq_hash = amzsig::crypto::sha256_hex(v["canonical_request"].as_str().unwrap().as_bytes());
        assert_eq!(creq_hash, v["canonical_request_sha256"].as_str().unwrap());
        let seed = sign_text(&key, &format!("AWS4-HMAC-SHA256\n{DATE}\n{SCOPE}\n{creq_hash}"));
        assert_eq!(seed, v["seed_signature"].as_str().unwrap(), "{:?}", ex.mode);
        // Every chunk signature the documentation prints is the chain's.
        let mut chain = ChunkChain::new(&key, DATE, SCOPE, &seed);
        let sizes = [65_536, 1_024, 0];
        for (size, want) in sizes.iter().zip(v["chunk_signatures"].as_array().unwrap()) {
            assert_eq!(chain.sign_chunk(&vec![b'a'; *size]), want.as_str().unwrap(), "{:?} chunk of {size}", ex.mode);
        }
        if let Some(trailer) = v["trailer_string_to_sign"].as_str() {
            assert_eq!(chain.trailer_string_to_sign(v["trailer_canonical"].as_str().unwrap()), trailer);
            assert_eq!(
                chain.sign_trailer(v["trailer_canonical"].as_str().unwrap()),
                v["trailer_signature"].as_str().unwrap()
            );
        }
        // The byte-exact body decodes and verifies, however it arrives.
        let announced = (ex.mode == StreamingMode::SignedTrailer).then_some("x-amz-checksum-crc32c");
        for piece in [1, 1000, 8192, ex.body.len()] {
            let mut d = Decoder::new(ex.mode, Some(ChunkChain::new(&key, DATE, SCOPE, &seed)), announced, Some(66_560));
            let mut out = Vec::new();
            for part in ex.body.chunks(piece) {
                d.feed(part, &mut out).unwrap_or_else(|e| panic!("{:?} piece {piece}: {e}", ex.mode));
            }
            assert_eq!(d.chunks(), 3);
            let trailers = d.finish().unwrap();
            assert!(out.len() == 66_560 && out.iter().all(|&b| b == b'a'), "{:?}", ex.mode);
            if announced.is_some() {
                assert_eq!(trailers, [("x-amz-checksum-crc32c".to_owned(), "sOO8/Q==".to_owned())]);
            }
        }
        // A changed byte in the second chunk: refused there, and only the first chunk's
        // bytes were handed out.
        let mut tampered = ex.body.clone();
        let at = tampered.len() - 600;
        tampered[at] = b'b';
        let mut d = Decoder::new(ex.mode, Some(ChunkChain::new(&key, DATE, SCOPE, &seed)), announced, Some(66_560));
        let mut out = Vec::new();
        let err = d.feed(&tampered, &mut out).unwrap_err();
        assert!(matches!(err, StreamingError::ChunkSignature { chunk: 2, .. }), "{:?}: {err:?}", ex.mode);
        assert_eq!(out.len(), 65_536);
    }
    // A changed trailer value is refused by the trailer signature.
    let trailer = &examples[1];
    let text = String::from_utf8_lossy(&trailer.body).replace("sOO8/Q==", "sOO8/R==");
    let seed = trailer.vector["seed_signature"].as_str().unwrap();
    let mut d = Decoder::new(
        StreamingMode::SignedTrailer,
        Some(ChunkChain::new(&key, DATE, SCOPE, seed)),
        Some("x-amz-checksum-crc32c"),
        Some(66_560),
    );
    let err = d.feed(text.as_bytes(), &mut Vec::new()).unwrap_err();
    assert!(matches!(err, StreamingError::TrailerSignature { .. }), "{err:?}");
}

#[test]
fn the_unsigned_trailer_examples_decode() {
    let Some(dir) = s3_reference_dir() else { return };
    let v: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("vectors.json")).unwrap()).unwrap();
    let examples = v["streaming"]["unsigned_trailer_examples"].as_array().unwrap();
    assert_eq!(examples.len(), 3);
    for ex in examples {
        let trailers: Vec<(String, String)> = ex["trailers"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(n, v)| (n.clone(), v.as_str().unwrap().to_owned()))
            .collect();
        let announced = trailers.first().map(|(n, _)| n.as_str());
        let mut d = Decoder::new(StreamingMode::UnsignedTrailer, None, announced, None);
        let mut out = Vec::new();
        d.feed(ex["wire"].as_str().unwrap().as_bytes(), &mut out).unwrap();
        assert_eq!(out, ex["payload"].as_str().unwrap().as_bytes());
        assert_eq!(d.finish().unwrap(), trailers);
    }
}

/// The captured request of a worked example: request line, the canonical request's headers
/// (names as signed), the Authorization header with the seed, the byte-exact body.
fn captured(vector: &Value, body: &[u8]) -> Vec<u8> {
    let creq = vector["canonical_request"].as_str().unwrap();
    let lines: Vec<&str> = creq.split('\n').collect();
    let (method, path) = (lines[0], lines[1]);
    let headers: Vec<&str> = lines[3..].iter().take_while(|l| !l.is_empty()).copied().collect();
    let signed = lines[3 + headers.len() + 1];
    let mut text = format!("{method} {path} HTTP/1.1\r\n");
    for h in &headers {
        text.push_str(h);
        text.push_str("\r\n");
    }
    let _ = write!(
        text,
        "Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,\
         SignedHeaders={signed},Signature={}\r\n\r\n",
        vector["seed_signature"].as_str().unwrap()
    );
    let mut out = text.into_bytes();
    out.extend_from_slice(body);
    out
}

/// `amzsig verify` takes a captured aws-chunked upload: the seed, then every chunk and the
/// trailer; the documentation's two bodies are accepted byte for byte, and a tampered one
/// names the first bad chunk with its string to sign.
#[test]
fn verify_checks_a_captured_streaming_upload() {
    let Some((secret, examples)) = examples() else { return };
    let dir = std::env::temp_dir().join(format!("amzsig-streaming-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // `amzsig COMMAND … --request FILE` on the examples' scope and clock: exit code, stdout.
    let run = |command: &str, file: &std::path::Path| {
        let file = file.to_string_lossy();
        let args = [
            command,
            "--sig",
            "v4",
            "--region",
            "us-east-1",
            "--service",
            "s3",
            "--clock",
            "fixed:2013-05-24T00:00:00Z",
            "--request",
            &file,
        ];
        let out = crate::support::amzsig(&args, &[("AMZSIG_SECRET_KEY", &secret)]);
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        (out.status.code(), text)
    };
    for (i, ex) in examples.iter().enumerate() {
        let file = dir.join(format!("example-{i}.http"));
        std::fs::write(&file, captured(&ex.vector, &ex.body)).unwrap();
        let (code, text) = run("verify", &file);
        assert_eq!(code, Some(0), "{:?}: {text}", ex.mode);
        assert!(text.contains("OK: aws-chunked body: 3 chunks, 66560 bytes, every chunk signature valid"), "{text}");

        // canonicalize shows every chunk's string to sign, chained from the signatures sent:
        // chunk 2's previous signature is the documentation's chunk 1 signature.
        let (code, text) = run("canonicalize", &file);
        assert_eq!(code, Some(0), "{text}");
        let chunk1 = ex.vector["chunk_signatures"][0].as_str().unwrap();
        assert!(
            text.contains(&format!(
                "chunk 2 (1024 bytes) string to sign:\nAWS4-HMAC-SHA256-PAYLOAD\n{DATE}\n{SCOPE}\n{chunk1}\n"
            )),
            "{text}"
        );
        if let Some(trailer) = ex.vector["trailer_string_to_sign"].as_str() {
            assert!(text.contains(&format!("trailer string to sign:\n{trailer}")), "{text}");
        }
        // explain: nothing to explain.
        let (code, text) = run("explain", &file);
        assert_eq!(code, Some(0), "{text}");
        assert!(text.contains("and the aws-chunked body are valid"), "{text}");

        let mut tampered = ex.body.clone();
        let at = tampered.len() - 600;
        tampered[at] = b'b';
        std::fs::write(&file, captured(&ex.vector, &tampered)).unwrap();
        let (code, text) = run("explain", &file);
        assert_eq!(code, Some(1), "{text}");
        assert!(text.contains("the aws-chunked body is refused"), "{text}");
        assert!(text.contains("No known chunked-upload mistake reproduces"), "{text}");
        let (code, text) = run("verify", &file);
        assert_eq!(code, Some(1), "{text}");
        assert!(text.contains("chunk 2's signature does not match (S3 answers SignatureDoesNotMatch)"), "{text}");
        assert!(
            text.contains("AWS4-HMAC-SHA256-PAYLOAD\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"),
            "{text}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Sends `request` on a fresh loopback connection and reads the answer until the server
/// closes it or the answer's `Content-Length` is in (bounded by a read timeout).
fn exchange(addr: std::net::SocketAddr, request: &[u8]) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
    // The server may answer (and close) before the whole body is written.
    let _ = s.write_all(request);
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
        let text = String::from_utf8_lossy(&out);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let len = head
                .lines()
                .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_owned()));
            if len.and_then(|l| l.parse::<usize>().ok()).is_some_and(|l| body.len() >= l) {
                break;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `body` framed with HTTP/1.1 chunked transfer coding, in pieces of `piece` bytes.
fn transfer_chunked(body: &[u8], piece: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for part in body.chunks(piece) {
        out.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
        out.extend_from_slice(part);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

/// The mock takes the documentation's two uploads byte for byte (its embedded keystore
/// holds the examples' key; its clock is the examples'), with `Content-Length` framing and
/// inside `Transfer-Encoding: chunked`; a tampered chunk and a changed trailer are refused
/// with S3's `SignatureDoesNotMatch` naming the chunk's string to sign, and recorded as a
/// streaming failure.
#[test]
fn the_mock_takes_the_documentation_uploads_and_refuses_tampered_ones() {
    let Some((_, examples)) = examples() else { return };
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let clock = amzsig::clock::Clock::Fixed(amzsig::UtcTime::parse_iso8601("2013-05-24T00:00:00Z").unwrap());
    let server = rt.block_on(amzsig::MockServer::builder().clock(clock).start()).unwrap();
    let addr = server.addr();
    let created = exchange(addr, &simple_request("PUT", "/examplebucket", &[], b""));
    assert!(created.starts_with("HTTP/1.1 200"), "{created}");
    let object = "/examplebucket/chunkObject.txt";
    for ex in &examples {
        let captured = captured(&ex.vector, &ex.body);
        let split = captured.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let head = String::from_utf8_lossy(&captured[..split]).into_owned();
        // The trailer example signs no Content-Length: one is added unsigned.
        let with_length = if head.lines().any(|l| l.to_ascii_lowercase().starts_with("content-length:")) {
            captured.clone()
        } else {
            let mut r = format!("{head}\r\nContent-Length: {}\r\n\r\n", ex.body.len()).into_bytes();
            r.extend_from_slice(&ex.body);
            r
        };
        let chunked_head = head
            .lines()
            .filter(|l| !l.to_ascii_lowercase().starts_with("content-length:"))
            .collect::<Vec<_>>()
            .join("\r\n");
        let mut wrapped = format!("{chunked_head}\r\nTransfer-Encoding: chunked\r\n\r\n").into_bytes();
        wrapped.extend_from_slice(&transfer_chunked(&ex.body, 5000));
        // A signed Content-Length cannot be replaced by Transfer-Encoding: only the trailer
        // example (which signs none) is also sent wrapped.
        let signs_length = ex.vector["canonical_request"].as_str().unwrap().contains("\ncontent-length:");
        let requests = if signs_length { vec![&with_length] } else { vec![&with_length, &wrapped] };
        for request in requests {
            let answer = exchange(addr, request);
            let last = server.last().unwrap();
            assert!(
                last.failure.is_none(),
                "{:?}: {}\n{answer}\n{last:?}",
                ex.mode,
                String::from_utf8_lossy(&request[..600])
            );
            assert_eq!(last.body_len, 66_560, "{:?}: the journal shows the decoded payload", ex.mode);
            assert!(answer.starts_with("HTTP/1.1 200"), "{:?}: {answer}", ex.mode);
            // Stored as the payload, `aws-chunked` gone from its Content-Encoding.
            let got = exchange(addr, &simple_request("GET", object, &[], b""));
            let (head, body) = got.split_once("\r\n\r\n").unwrap();
            assert!(head.starts_with("HTTP/1.1 200"), "{head}");
            assert!(body.len() == 66_560 && body.bytes().all(|b| b == b'a'), "{:?}: {} bytes", ex.mode, body.len());
            assert!(!head.to_ascii_lowercase().contains("content-encoding: aws-chunked"), "{head}");
            let deleted = exchange(addr, &simple_request("DELETE", object, &[], b""));
            assert!(deleted.starts_with("HTTP/1.1 204"), "{deleted}");
        }
        let mut tampered = ex.body.clone();
        let at = tampered.len() - 600;
        tampered[at] = b'b';
        let mut request = with_length[..with_length.len() - ex.body.len()].to_vec();
        request.extend_from_slice(&tampered);
        let answer = exchange(addr, &request);
        assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
        assert!(answer.contains("<Code>SignatureDoesNotMatch</Code>"), "{answer}");
        assert!(
            answer.contains(
                "<StringToSign>AWS4-HMAC-SHA256-PAYLOAD\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            ),
            "{answer}"
        );
        let last = server.last().unwrap();
        assert_eq!(last.error_code.as_deref(), Some("SignatureDoesNotMatch"));
        assert!(last.failure.as_ref().is_some_and(|f| f.to_string().contains("chunk 2's signature")), "{last:?}");
        assert_eq!(last.body_len, 0, "nothing of a refused upload is kept");
        let got = exchange(addr, &simple_request("GET", object, &[], b""));
        assert!(got.starts_with("HTTP/1.1 404") && got.contains("<Code>NoSuchKey</Code>"), "{got}");
    }
    rt.block_on(server.stop());
}

/// A request to the mock's S3 signed by amzsig's signer (S3 rules, the embedded keystore's
/// AKIAIOSFODNN7EXAMPLE, 2013-05-24, host s3.amazonaws.com), as bytes with Content-Length.
fn simple_request(method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    use amzsig::sigv4::{self, Payload, SignableRequest, SigningParams, SigningSettings};
    let secret = SecretKey::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    let mut all: Vec<(String, String)> = vec![("host".into(), "s3.amazonaws.com".into())];
    all.extend(headers.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())));
    let query = amzsig::ParamList::default();
    let req = SignableRequest { method, path, query: &query, headers: (&all).into(), payload: Payload::Bytes(body) };
    let params = SigningParams {
        access_key_id: "AKIAIOSFODNN7EXAMPLE",
        secret: &secret,
        session_token: None,
        region: "us-east-1",
        service: "s3",
        time: amzsig::UtcTime::parse_iso8601("2013-05-24T00:00:00Z").unwrap(),
        settings: SigningSettings::s3(),
    };
    let out = sigv4::sign(&req, &params);
    let mut text = format!("{method} {path} HTTP/1.1\r\n");
    for (n, v) in all.iter().chain(&out.headers) {
        let _ = write!(text, "{n}: {v}\r\n");
    }
    let _ = write!(text, "content-length: {}\r\nconnection: close\r\n\r\n", body.len());
    let mut bytes = text.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// A trailer checksum that is not the payload's is S3's `BadDigest` (the trailer's own
/// signature valid), and nothing is stored; the right one is stored and returned with
/// `x-amz-checksum-mode: ENABLED`; a header checksum written in hex or little-endian is
/// refused with a diagnosis naming it. Values: CRC32 of 9,000 'a' bytes computed by Python's
/// zlib (`base64.b64encode(zlib.crc32(b"a" * 9000).to_bytes(4, "big"))`).
#[test]
fn a_wrong_trailer_checksum_is_bad_digest_and_stores_nothing() {
    const RIGHT: &str = "JzgpAA==";
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let clock = amzsig::clock::Clock::Fixed(amzsig::UtcTime::parse_iso8601("2013-05-24T00:00:00Z").unwrap());
    let server = rt.block_on(amzsig::MockServer::builder().clock(clock).start()).unwrap();
    let addr = server.addr();
    assert!(exchange(addr, &simple_request("PUT", "/examplebucket", &[], b"")).starts_with("HTTP/1.1 200"));
    for mode in ["signed-trailer", "unsigned-trailer"] {
        let case = |value: &str| RefusalCase {
            trailer: Some(("x-amz-checksum-crc32".to_owned(), value.to_owned())),
            ..RefusalCase::new(format!("{mode} {value}"), mode, vec![9000])
        };
        let answer = exchange(addr, &streaming_request(&case("AAAAAA==")));
        assert!(answer.starts_with("HTTP/1.1 400"), "{mode}: {answer}");
        assert!(answer.contains("<Code>BadDigest</Code>"), "{mode}: {answer}");
        assert!(answer.contains("The CRC32 you specified did not match the calculated checksum."), "{answer}");
        let got = exchange(addr, &simple_request("GET", "/examplebucket/object", &[], b""));
        assert!(got.contains("<Code>NoSuchKey</Code>"), "{mode}: a refused upload stored something: {got}");

        let answer = exchange(addr, &streaming_request(&case(RIGHT)));
        assert!(answer.starts_with("HTTP/1.1 200"), "{mode}: {answer}");
        let got =
            exchange(addr, &simple_request("GET", "/examplebucket/object", &[("x-amz-checksum-mode", "ENABLED")], b""));
        assert!(
            got.to_ascii_lowercase().contains(&format!("x-amz-checksum-crc32: {}", RIGHT.to_ascii_lowercase())),
            "{got}"
        );
        assert!(
            exchange(addr, &simple_request("DELETE", "/examplebucket/object", &[], b"")).starts_with("HTTP/1.1 204")
        );
    }
    // A header checksum that is the right CRC32 of "hello" (Python: zlib.crc32, 0x3610a686)
    // written in hex, or with its bytes reversed: refused, and the diagnosis names how.
    for (value, code, mistake) in
        [("3610a686", "InvalidRequest", "stream-checksum-hex"), ("hqYQNg==", "BadDigest", "stream-checksum-byte-order")]
    {
        let answer = exchange(
            addr,
            &simple_request("PUT", "/examplebucket/hello", &[("x-amz-checksum-crc32", value)], b"hello"),
        );
        assert!(answer.contains(&format!("<Code>{code}</Code>")), "{answer}");
        assert!(answer.contains(&format!("x-amzsig-diagnosis: {mistake}")), "{answer}");
        assert!(exchange(addr, &simple_request("GET", "/examplebucket/hello", &[], b"")).contains("NoSuchKey"));
    }
    let answer = exchange(
        addr,
        &simple_request("PUT", "/examplebucket/hello", &[("x-amz-checksum-crc32", "NhCmhg==")], b"hello"),
    );
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    rt.block_on(server.stop());
}

/// One row of `tests/data/streaming/refusals.yaml`.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RefusalCase {
    name: String,
    mode: String,
    sizes: Vec<usize>,
    #[serde(default)]
    trailer: Option<(String, String)>,
    #[serde(default)]
    announce: Option<String>,
    #[serde(default)]
    decoded_length: Option<String>,
    #[serde(default)]
    framing: Option<String>,
    #[serde(default)]
    tamper_from_end: Option<usize>,
    #[serde(default)]
    cut_from_end: Option<usize>,
    #[serde(default)]
    diagnosis: Option<String>,
    expect: Expected,
    #[allow(dead_code)] // documentation of the row
    source: String,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    status: u16,
    code: String,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    elements: std::collections::BTreeMap<String, String>,
}

impl RefusalCase {
    /// A row that changes nothing and expects nothing: for tests that build their own
    /// uploads from it.
    fn new(name: String, mode: &str, sizes: Vec<usize>) -> Self {
        let expect =
            Expected { status: 0, code: String::new(), message: None, elements: std::collections::BTreeMap::default() };
        RefusalCase {
            name,
            mode: mode.to_owned(),
            sizes,
            trailer: None,
            announce: None,
            decoded_length: None,
            framing: None,
            tamper_from_end: None,
            cut_from_end: None,
            diagnosis: None,
            expect,
            source: String::new(),
        }
    }
}

/// The request a row describes, as bytes: a SigV4-signed head (amzsig's signer, S3
/// rules, the embedded keystore's AKIAIOSFODNN7EXAMPLE, 2013-05-24), then the body.
#[allow(clippy::too_many_lines)] // the request, then each of the row's changes in turn
fn streaming_request(case: &RefusalCase) -> Vec<u8> {
    use amzsig::sigv4::{self, ContentSha256Header, Payload, SignableRequest, SigningParams, SigningSettings};
    let secret = SecretKey::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    let (literal, signed, trailing) = match case.mode.as_str() {
        "signed" => ("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", true, false),
        "signed-trailer" => ("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", true, true),
        "unsigned-trailer" => ("STREAMING-UNSIGNED-PAYLOAD-TRAILER", false, true),
        other => panic!("{}: unknown mode {other}", case.name),
    };
    let decoded: usize = case.sizes.iter().sum();
    let mut headers: Vec<(String, String)> = vec![
        ("host".into(), "s3.amazonaws.com".into()),
        ("content-encoding".into(), "aws-chunked".into()),
        ("x-amz-content-sha256".into(), literal.into()),
    ];
    match case.decoded_length.as_deref() {
        Some("") => {}
        Some(v) => headers.push(("x-amz-decoded-content-length".into(), v.into())),
        None => headers.push(("x-amz-decoded-content-length".into(), decoded.to_string())),
    }
    let announce = case.announce.clone().or_else(|| case.trailer.as_ref().map(|t| t.0.clone()));
    if let Some(a) = announce.filter(|a| !a.is_empty()) {
        headers.push(("x-amz-trailer".into(), a));
    }
    let query = amzsig::ParamList::default();
    let req = SignableRequest {
        method: "PUT",
        path: "/examplebucket/object",
        query: &query,
        headers: (&headers).into(),
        payload: Payload::Precomputed(literal),
    };
    let settings = SigningSettings { content_sha256_header: ContentSha256Header::Omit, ..SigningSettings::s3() };
    let time = amzsig::UtcTime::parse_iso8601("2013-05-24T00:00:00Z").unwrap();
    let params = SigningParams {
        access_key_id: "AKIAIOSFODNN7EXAMPLE",
        secret: &secret,
        session_token: None,
        region: "us-east-1",
        service: "s3",
        time,
        settings,
    };
    let signed_out = sigv4::sign(&req, &params);
    let key = signing_key(&secret, "20130524", "us-east-1", "s3");
    let mut chain = ChunkChain::new(&key, DATE, SCOPE, &signed_out.signature);
    let mut body = Vec::new();
    for &size in case.sizes.iter().chain(&[0]) {
        let data = vec![b'a'; size];
        if signed {
            let sig = chain.sign_chunk(&data);
            body.extend_from_slice(format!("{size:x};chunk-signature={sig}\r\n").as_bytes());
        } else {
            body.extend_from_slice(format!("{size:x}\r\n").as_bytes());
        }
        if size > 0 {
            body.extend_from_slice(&data);
            body.extend_from_slice(b"\r\n");
        }
    }
    match (&case.trailer, trailing) {
        (Some((n, v)), true) => {
            body.extend_from_slice(format!("{n}:{v}\r\n").as_bytes());
            if signed {
                let canonical = amzsig::sigv4::streaming::canonical_trailers(&[(n.clone(), v.clone())]);
                body.extend_from_slice(
                    format!("x-amz-trailer-signature:{}\r\n", chain.sign_trailer(&canonical)).as_bytes(),
                );
            }
            body.extend_from_slice(b"\r\n");
        }
        _ => body.extend_from_slice(b"\r\n"),
    }
    if let Some(back) = case.tamper_from_end {
        let at = body.len() - back;
        body[at] = if body[at] == b'b' { b'c' } else { b'b' };
    }
    if let Some(cut) = case.cut_from_end {
        body.truncate(body.len() - cut);
    }
    let mut text = "PUT /examplebucket/object HTTP/1.1\r\n".to_owned();
    // The signer's headers (X-Amz-Date, Authorization) replace any of the same name.
    for (n, v) in headers.iter().chain(&signed_out.headers) {
        let _ = write!(text, "{n}: {v}\r\n");
    }
    let framed = match case.framing.as_deref().unwrap_or("length") {
        "length" => {
            let _ = write!(text, "content-length: {}\r\n\r\n", body.len());
            body
        }
        "chunked" => {
            text.push_str("transfer-encoding: chunked\r\n\r\n");
            transfer_chunked(&body, 4096)
        }
        "none" => {
            text.push_str("\r\n");
            body
        }
        other => panic!("{}: unknown framing {other}", case.name),
    };
    let mut out = text.into_bytes();
    out.extend_from_slice(&framed);
    out
}

/// Every row of `tests/data/streaming/refusals.yaml` is refused by the mock with S3's
/// status, code, message and elements, journaled as refused with nothing of the body kept.
#[test]
fn streaming_uploads_are_refused_as_s3_refuses_them() {
    let file = crate::support::root().join("tests/data/streaming/refusals.yaml");
    let cases: Vec<RefusalCase> = serde_yaml::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert!(cases.len() >= 13, "{} rows", cases.len());
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let clock = amzsig::clock::Clock::Fixed(amzsig::UtcTime::parse_iso8601("2013-05-24T00:00:00Z").unwrap());
    let server = rt.block_on(amzsig::MockServer::builder().clock(clock).start()).unwrap();
    for case in &cases {
        let answer = exchange(server.addr(), &streaming_request(case));
        let want = &case.expect;
        let status_line = answer.lines().next().unwrap_or_default();
        assert!(status_line.starts_with(&format!("HTTP/1.1 {}", want.status)), "{}: {answer}", case.name);
        let body = answer.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or_default();
        let body = body.split("HTTP/1.1 ").next().unwrap_or_default();
        let doc = amzsig::xml::parse(body).unwrap_or_else(|e| panic!("{}: {e}: {body}", case.name));
        let text = |name: &str| doc.path(name).map(amzsig::xml::Element::text_content);
        assert_eq!(text("Code").as_deref(), Some(want.code.as_str()), "{}: {body}", case.name);
        if let Some(m) = &want.message {
            assert_eq!(text("Message").as_deref(), Some(m.as_str()), "{}", case.name);
        }
        for (name, value) in &want.elements {
            let got = text(name).unwrap_or_else(|| panic!("{}: no <{name}> in {body}", case.name));
            assert!(value == "*" || got == *value, "{}: <{name}> {got}, want {value}", case.name);
        }
        if let Some(d) = &case.diagnosis {
            let header = answer.lines().find_map(|l| l.strip_prefix("x-amzsig-diagnosis: "));
            assert_eq!(header, Some(d.as_str()), "{}: {answer}", case.name);
        }
        let last = server.last().unwrap();
        assert_eq!(last.status, want.status, "{}", case.name);
        assert_eq!(last.error_code.as_deref(), Some(want.code.as_str()), "{}", case.name);
        assert_eq!(last.body_len, 0, "{}: nothing of a refused upload is kept", case.name);
        // Refused for the streaming rule, not for something else.
        assert!(matches!(last.failure, Some(amzsig::Failure::Streaming(_))), "{}: {:?}", case.name, last.failure);
    }
    rt.block_on(server.stop());
}

/// An S3 upload may be larger than the ordinary body limit, up to the upload limit; past
/// it, plain or aws-chunked, S3's `EntityTooLarge` (the aws-chunked one from its announced
/// length, before any body byte), and nothing is stored. (Other requests keep the ordinary
/// limit's plain 413: `tests/it/hostile.rs`.)
#[test]
fn uploads_pass_the_body_limit_up_to_the_upload_limit() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let clock = amzsig::clock::Clock::Fixed(amzsig::UtcTime::parse_iso8601("2013-05-24T00:00:00Z").unwrap());
    let builder = amzsig::MockServer::builder().clock(clock).config(|c| {
        c.limits.max_body_bytes = 64 * 1024;
        c.limits.max_upload_bytes = 300_000;
    });
    let server = rt.block_on(builder.start()).unwrap();
    let addr = server.addr();
    assert!(exchange(addr, &simple_request("PUT", "/examplebucket", &[], b"")).starts_with("HTTP/1.1 200"));
    let big = vec![b'z'; 200_000];
    let put = exchange(addr, &simple_request("PUT", "/examplebucket/big", &[], &big));
    assert!(put.starts_with("HTTP/1.1 200"), "{put}");
    let got = exchange(addr, &simple_request("GET", "/examplebucket/big", &[], b""));
    assert!(got.ends_with(&"z".repeat(1000)) && got.contains("content-length: 200000"), "{}", &got[..300]);

    // A big upload whose signature is wrong is refused from its head, as S3 does (not a
    // 413, not after reading it), and nothing is stored.
    let mut forged = simple_request("PUT", "/examplebucket/forged", &[], &big);
    let at = forged.windows(10).position(|w| w == b"Signature=").unwrap() + 10;
    forged[at] = if forged[at] == b'0' { b'1' } else { b'0' };
    let put = exchange(addr, &forged);
    assert!(put.starts_with("HTTP/1.1 403") && put.contains("<Code>SignatureDoesNotMatch</Code>"), "{put}");
    assert!(exchange(addr, &simple_request("GET", "/examplebucket/forged", &[], b"")).contains("NoSuchKey"));

    let too_big = vec![b'z'; 300_001];
    let put = exchange(addr, &simple_request("PUT", "/examplebucket/too-big", &[], &too_big));
    assert!(put.starts_with("HTTP/1.1 400") && put.contains("<Code>EntityTooLarge</Code>"), "{put}");
    let case = RefusalCase::new("too big".to_owned(), "signed", vec![300_001]);
    let put = exchange(addr, &streaming_request(&case));
    assert!(put.starts_with("HTTP/1.1 400") && put.contains("<Code>EntityTooLarge</Code>"), "{put}");
    assert!(put.contains("<MaxSizeAllowed>300000</MaxSizeAllowed>"), "{put}");
    let got = exchange(addr, &simple_request("GET", "/examplebucket/object", &[], b""));
    assert!(got.contains("<Code>NoSuchKey</Code>"), "{got}");
    let got = exchange(addr, &simple_request("GET", "/examplebucket/too-big", &[], b""));
    assert!(got.contains("<Code>NoSuchKey</Code>"), "{got}");
    rt.block_on(server.stop());
}
