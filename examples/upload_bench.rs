//! The S3 upload benchmark's client (`benches/upload.sh`): uploads the same bytes to a
//! running `amzsig serve` as a plain signed PUT (`x-amz-content-sha256` the payload's
//! SHA-256, which the mock checks) and as an aws-chunked upload with signed chunks
//! (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD`, 64 KiB chunks: the most signatures per byte any
//! SDK sends, minio-go's size), alternating, and prints each kind's best MiB/s.
//! Requests are signed and framed before the clock starts: only sending and the server's
//! work are timed. Loopback only (the URL must be `http://127.0.0.1:PORT`).
//!
//! ```text
//! upload_bench throughput URL MIB ROUNDS   # prints "plain MIB/S" and "chunked MIB/S"
//! upload_bench big URL MIB                 # one chunked upload of MIB (for the memory figure)
//! ```
//! Credentials: the embedded keystore's AKIAIOSFODNN7EXAMPLE (AWS docs' secret), region
//! us-east-1, bucket `upload-bench` (created first; an existing one is fine).

use amzsig::sigv4::streaming::ChunkChain;
use amzsig::sigv4::{self, ContentSha256Header, Payload, SignableRequest, SigningParams, SigningSettings};
use amzsig::{ParamList, SecretKey, UtcTime};
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::ExitCode;
use std::time::{Duration, Instant};

const KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const BUCKET: &str = "upload-bench";
const CHUNK: usize = 64 * 1024;

fn now() -> UtcTime {
    let ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis());
    UtcTime::from_unix_millis(i64::try_from(ms).unwrap_or(0))
}

/// The signed head of a PUT to `path` with `headers`, `x-amz-content-sha256` = `payload`.
fn head(host: &str, path: &str, headers: &[(String, String)], payload: &str) -> (String, String) {
    let secret = SecretKey::new(SECRET);
    let mut all = vec![("host".to_owned(), host.to_owned()), ("x-amz-content-sha256".to_owned(), payload.to_owned())];
    all.extend_from_slice(headers);
    let query = ParamList::default();
    let req = SignableRequest {
        method: "PUT",
        path,
        query: &query,
        headers: (&all).into(),
        payload: Payload::Precomputed(payload),
    };
    let params = SigningParams {
        access_key_id: KEY_ID,
        secret: &secret,
        session_token: None,
        region: "us-east-1",
        service: "s3",
        time: now(),
        settings: SigningSettings { content_sha256_header: ContentSha256Header::Omit, ..SigningSettings::s3() },
    };
    let out = sigv4::sign(&req, &params);
    let mut text = format!("PUT {path} HTTP/1.1\r\n");
    for (n, v) in all.iter().chain(&out.headers) {
        let _ = write!(text, "{n}: {v}\r\n");
    }
    (text, out.signature)
}

/// Sends `head` (without its final CRLF) and `body`, reads the answer; its status.
fn send(addr: &str, head: &str, body: &[u8]) -> Result<u16, String> {
    let mut s = TcpStream::connect(addr).map_err(|e| format!("connect {addr}: {e}"))?;
    s.set_read_timeout(Some(Duration::from_secs(120))).map_err(|e| e.to_string())?;
    let text = format!("{head}content-length: {}\r\nconnection: close\r\n\r\n", body.len());
    s.write_all(text.as_bytes()).and_then(|()| s.write_all(body)).map_err(|e| format!("write: {e}"))?;
    let mut answer = Vec::new();
    s.read_to_end(&mut answer).map_err(|e| format!("read: {e}"))?;
    let text = String::from_utf8_lossy(&answer);
    text.split(' ').nth(1).and_then(|c| c.parse().ok()).ok_or_else(|| format!("no status in {text}"))
}

/// The aws-chunked body of `data` in `CHUNK`-byte chunks chained from `seed`.
fn chunked(data: &[u8], seed: &str, amz_date: &str, scope: &str) -> Vec<u8> {
    let key = sigv4::signing_key(&SecretKey::new(SECRET), &amz_date[..8], "us-east-1", "s3");
    let mut chain = ChunkChain::new(&key, amz_date, scope, seed);
    let mut body = Vec::with_capacity(data.len() + data.len() / CHUNK * 100 + 200);
    for piece in data.chunks(CHUNK).chain(std::iter::once(&[][..])) {
        let sig = chain.sign_chunk(piece);
        body.extend_from_slice(format!("{:x};chunk-signature={sig}\r\n", piece.len()).as_bytes());
        if !piece.is_empty() {
            body.extend_from_slice(piece);
            body.extend_from_slice(b"\r\n");
        }
    }
    body.extend_from_slice(b"\r\n");
    body
}

const CHUNKED: &str = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";

/// A signed chunked upload of `data` to `key`: (head, body).
fn chunked_request(host: &str, key: &str, data: &[u8], encoded_len: usize) -> (String, Vec<u8>) {
    let headers = vec![
        ("content-encoding".to_owned(), "aws-chunked".to_owned()),
        ("x-amz-decoded-content-length".to_owned(), data.len().to_string()),
        ("content-length".to_owned(), encoded_len.to_string()),
    ];
    let (head_text, seed) = head(host, &format!("/{BUCKET}/{key}"), &headers, CHUNKED);
    let amz_date = head_text.lines().find_map(|l| l.strip_prefix("X-Amz-Date: ")).unwrap_or_default().to_owned();
    let scope = format!("{}/us-east-1/s3/aws4_request", &amz_date[..8]);
    // content-length was signed into the head: drop it from the head text (send adds it).
    let head_text = head_text.lines().filter(|l| !l.starts_with("content-length:")).fold(String::new(), |mut t, l| {
        let _ = write!(t, "{l}\r\n");
        t
    });
    (head_text, chunked(data, &seed, &amz_date, &scope))
}

fn encoded_len(n: usize) -> usize {
    let full = n / CHUNK;
    let rest = n % CHUNK;
    let line = |size: usize| format!("{size:x}").len() + ";chunk-signature=".len() + 64 + 2;
    full * (line(CHUNK) + CHUNK + 2) + if rest > 0 { line(rest) + rest + 2 } else { 0 } + line(0) + 2
}

fn run(args: &[String]) -> Result<(), String> {
    let (mode, url) = (args.first().map(String::as_str), args.get(1).map(String::as_str));
    let addr = url.and_then(|u| u.strip_prefix("http://")).filter(|a| a.starts_with("127.0.0.1:"));
    let Some(addr) = addr else {
        return Err("usage: upload_bench throughput|big http://127.0.0.1:PORT MIB [ROUNDS]".into());
    };
    let mib: usize = args.get(2).and_then(|m| m.parse().ok()).unwrap_or(64);
    let data: Vec<u8> = (0..mib << 20).map(|i| u8::try_from(i % 251).unwrap_or(0)).collect();
    let (bucket_head, _) = head(addr, &format!("/{BUCKET}"), &[], &amzsig::crypto::sha256_hex(b""));
    let status = send(addr, &bucket_head, b"")?;
    if status != 200 && status != 409 {
        return Err(format!("CreateBucket answered {status}"));
    }
    match mode {
        Some("throughput") => {
            let rounds: usize = args.get(3).and_then(|r| r.parse().ok()).unwrap_or(5);
            let hash = amzsig::crypto::sha256_hex(&data);
            let mib_f = f64::from(u32::try_from(mib).map_err(|_| "MIB too large")?);
            let (mut best_plain, mut best_chunked) = (0f64, 0f64);
            for round in 0..rounds {
                let (plain_head, _) = head(addr, &format!("/{BUCKET}/plain-{round}"), &[], &hash);
                let (c_head, c_body) =
                    chunked_request(addr, &format!("chunked-{round}"), &data, encoded_len(data.len()));
                if c_body.len() != encoded_len(data.len()) {
                    return Err(format!("encoded length {} != {}", c_body.len(), encoded_len(data.len())));
                }
                let t = Instant::now();
                let s = send(addr, &plain_head, &data)?;
                let plain = mib_f / t.elapsed().as_secs_f64();
                let t = Instant::now();
                let c = send(addr, &c_head, &c_body)?;
                let chunked = mib_f / t.elapsed().as_secs_f64();
                if s != 200 || c != 200 {
                    return Err(format!("round {round}: plain answered {s}, chunked {c}"));
                }
                best_plain = best_plain.max(plain);
                best_chunked = best_chunked.max(chunked);
            }
            println!("plain {best_plain:.1}");
            println!("chunked {best_chunked:.1}");
            Ok(())
        }
        Some("big") => {
            let (c_head, c_body) = chunked_request(addr, "big", &data, encoded_len(data.len()));
            drop(data);
            let status = send(addr, &c_head, &c_body)?;
            if status != 200 {
                return Err(format!("the big upload answered {status}"));
            }
            println!("big {mib} MiB stored");
            Ok(())
        }
        _ => Err("the first argument is throughput or big".into()),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("upload_bench: {e}");
            ExitCode::from(2)
        }
    }
}
