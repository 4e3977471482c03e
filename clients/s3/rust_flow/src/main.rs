//! The AWS SDK for Rust's S3 flow (`aws-sdk-s3`, crates.io) against an S3 endpoint;
//! `clients/s3/README.md` has the contract. This is the flow's client that signs chunks over
//! plain HTTP: a body streamed from a file (`ByteStream::read_from`) goes out as aws-chunked
//! with the SDK's default checksum (CRC32) in a trailer, and over `http://` the SDK signs
//! every chunk and the trailer (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`).
//!
//! The flow: a bucket, a refused streamed upload with a wrong secret (`SignatureDoesNotMatch`
//! read from the SDK's error metadata, nothing stored), a small streamed put, a multipart
//! upload of the big file in 8 MiB parts each streamed from the file (the SDK has no transfer
//! manager of its own), a ranged get, a list, both objects read back and compared by SHA-256,
//! then everything deleted. Environment: `S3_ENDPOINT`, `AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY`, `S3_BAD_SECRET`, `S3_BIG_FILE`, `S3_SMALL_FILE`, `S3_FLOW_TAG`
//! (`S3_CA_BUNDLE` is not read: this flow runs over HTTP). Exit 0 when every step passed,
//! 1 at the first failure, 2 for a missing variable.

use std::fmt::Debug;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use aws_sdk_s3::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_s3::config::{BehaviorVersion, ConfigBag, Credentials, Intercept, Region, RuntimeComponents};
use aws_sdk_s3::error::{BoxError, DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart, Delete, ObjectIdentifier};
use aws_sdk_s3::Client;
use sha2::{Digest, Sha256};

const PART: u64 = 8 * 1024 * 1024;

/// The flow's inputs.
struct Env {
    endpoint: String,
    region: String,
    key_id: String,
    secret: String,
    bad_secret: String,
    big_file: String,
    small_file: String,
    tag: String,
    dev: bool,
}

fn var(name: &str) -> String {
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => v,
        _ => {
            eprintln!("flow: missing environment: {name}");
            std::process::exit(2);
        }
    }
}

impl Env {
    fn from_environ() -> Env {
        Env {
            endpoint: var("S3_ENDPOINT"),
            region: std::env::var("AWS_REGION").unwrap_or_else(|_| "us-east-1".to_owned()),
            key_id: var("AWS_ACCESS_KEY_ID"),
            secret: var("AWS_SECRET_ACCESS_KEY"),
            bad_secret: var("S3_BAD_SECRET"),
            big_file: var("S3_BIG_FILE"),
            small_file: var("S3_SMALL_FILE"),
            tag: std::env::var("S3_FLOW_TAG").unwrap_or_else(|_| "rust".to_owned()),
            dev: std::env::var("S3FLOW_DEV_SERVER_IGNORES_SIGNATURES").as_deref() == Ok("1"),
        }
    }

    fn client(&self, secret: &str, modes: &UploadModes) -> Client {
        let config = aws_sdk_s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(self.region.clone()))
            .endpoint_url(&self.endpoint)
            .force_path_style(true)
            .credentials_provider(Credentials::new(&self.key_id, secret, None, None, "s3clients"))
            .retry_config(aws_sdk_s3::config::retry::RetryConfig::disabled())
            .interceptor(modes.clone())
            .build();
        Client::from_conf(config)
    }
}

/// Keeps the `x-amz-content-sha256` of every PutObject and UploadPart as sent (after signing).
#[derive(Debug, Clone, Default)]
struct UploadModes(Arc<Mutex<Vec<String>>>);

impl Intercept for UploadModes {
    fn name(&self) -> &'static str {
        "UploadModes"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request();
        if request.uri().contains("x-id=PutObject") || request.uri().contains("x-id=UploadPart") {
            let mode = request.headers().get("x-amz-content-sha256").unwrap_or("(none)").to_owned();
            self.0.lock().unwrap_or_else(PoisonError::into_inner).push(mode);
        }
        Ok(())
    }
}

impl UploadModes {
    /// The distinct modes seen so far.
    fn seen(&self) -> Vec<String> {
        let mut modes = self.0.lock().unwrap_or_else(PoisonError::into_inner).clone();
        modes.sort();
        modes.dedup();
        modes
    }
}

/// A step that did not do what the flow expects (already printed).
struct Failed;

/// Prints one step's outcome; `Err(Failed)` stops the flow.
struct Flow {
    dev: bool,
}

impl Flow {
    fn done<T, E: std::error::Error>(&self, what: &str, started: Instant, r: Result<T, E>) -> Result<T, Failed> {
        match r {
            Ok(v) => {
                eprintln!("ok   rust: {what} ({:.2}s)", started.elapsed().as_secs_f64());
                Ok(v)
            }
            Err(e) => {
                eprintln!("FAIL rust: {what}: {}", DisplayErrorContext(&e));
                Err(Failed)
            }
        }
    }

    fn expect<T: PartialEq + Debug>(&self, what: &str, got: T, want: T) -> Result<(), Failed> {
        if got == want {
            eprintln!("ok   rust: {what}");
            Ok(())
        } else if self.dev && (what.starts_with("wrong secret refused") || what.starts_with("nothing stored")) {
            eprintln!("DEV  rust: {what}: got {got:?} (S3FLOW_DEV_SERVER_IGNORES_SIGNATURES=1)");
            Ok(())
        } else {
            eprintln!("FAIL rust: {what}: got {got:?}, expected {want:?}");
            Err(Failed)
        }
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

async fn keys(s3: &Client, bucket: &str) -> Result<Vec<String>, aws_sdk_s3::Error> {
    let out = s3.list_objects_v2().bucket(bucket).send().await?;
    let mut keys: Vec<String> = out.contents().iter().filter_map(|o| o.key().map(str::to_owned)).collect();
    keys.sort();
    Ok(keys)
}

async fn file_body(
    path: &str,
    offset: u64,
    length: u64,
) -> Result<ByteStream, aws_sdk_s3::primitives::ByteStreamError> {
    ByteStream::read_from()
        .path(path)
        .offset(offset)
        .length(aws_sdk_s3::primitives::Length::Exact(length))
        .build()
        .await
}

async fn run(env: &Env) -> Result<(), Failed> {
    let flow = Flow { dev: env.dev };
    let modes = UploadModes::default();
    let s3 = env.client(&env.secret, &modes);
    let nonce: u64 = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64 ^ u64::from(std::process::id()))
        .unwrap_or(u64::from(std::process::id()));
    let bucket = format!("{}-{:012x}", env.tag, nonce & 0xffff_ffff_ffff);
    let small = flow.done("read S3_SMALL_FILE", Instant::now(), std::fs::read(&env.small_file))?;
    let big = flow.done("read S3_BIG_FILE", Instant::now(), std::fs::read(&env.big_file))?;
    let small_len = small.len() as u64;
    let big_len = big.len() as u64;

    let t = Instant::now();
    flow.done("create bucket", t, s3.create_bucket().bucket(&bucket).send().await)?;

    let t = Instant::now();
    let body = flow.done("open small file", t, file_body(&env.small_file, 0, small_len).await)?;
    let bad = env.client(&env.bad_secret, &UploadModes::default());
    let code = match bad.put_object().bucket(&bucket).key("refused.txt").body(body).send().await {
        Ok(_) => "accepted".to_owned(),
        Err(e) => e.code().unwrap_or("(no code)").to_owned(),
    };
    flow.expect("wrong secret refused (streamed put_object)", code.as_str(), "SignatureDoesNotMatch")?;
    let t = Instant::now();
    let listed = flow.done("list", t, keys(&s3, &bucket).await)?;
    flow.expect("nothing stored after the refusal", listed, Vec::<String>::new())?;
    if env.dev {
        let _ = s3.delete_object().bucket(&bucket).key("refused.txt").send().await;
    }

    let t = Instant::now();
    let body = flow.done("open small file", t, file_body(&env.small_file, 0, small_len).await)?;
    let t = Instant::now();
    flow.done(
        "small put (streamed body)",
        t,
        s3.put_object().bucket(&bucket).key("small.txt").content_type("text/plain").body(body).send().await,
    )?;

    let t = Instant::now();
    let created = flow.done(
        "create multipart upload",
        t,
        s3.create_multipart_upload().bucket(&bucket).key("big.bin").send().await,
    )?;
    let upload_id = created.upload_id().unwrap_or_default().to_owned();
    let mut parts = Vec::new();
    let mut offset = 0;
    let mut number = 1;
    while offset < big_len {
        let length = PART.min(big_len - offset);
        let t = Instant::now();
        let body = flow.done("open part", t, file_body(&env.big_file, offset, length).await)?;
        let t = Instant::now();
        let out = flow.done(
            &format!("upload part {number} ({length} bytes, streamed)"),
            t,
            s3.upload_part()
                .bucket(&bucket)
                .key("big.bin")
                .upload_id(&upload_id)
                .part_number(number)
                .body(body)
                .send()
                .await,
        )?;
        parts.push(
            CompletedPart::builder()
                .part_number(number)
                .set_e_tag(out.e_tag().map(str::to_owned))
                .set_checksum_crc32(out.checksum_crc32().map(str::to_owned))
                .build(),
        );
        offset += length;
        number += 1;
    }
    let t = Instant::now();
    flow.done(
        "complete multipart upload",
        t,
        s3.complete_multipart_upload()
            .bucket(&bucket)
            .key("big.bin")
            .upload_id(&upload_id)
            .multipart_upload(CompletedMultipartUpload::builder().set_parts(Some(parts)).build())
            .send()
            .await,
    )?;

    // Over plain HTTP the SDK signs every chunk and the trailer (reference
    // s3-streaming-sigv2-sigv4a.md §2.4: smithy-rs 09ac783; FINDINGS F26).
    flow.expect(
        "upload payload mode (x-amz-content-sha256)",
        modes.seen(),
        vec!["STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER".to_owned()],
    )?;

    let first = PART - 1000;
    let last = first + 4095;
    let t = Instant::now();
    let got = flow.done(
        &format!("ranged get bytes={first}-{last}"),
        t,
        s3.get_object().bucket(&bucket).key("big.bin").range(format!("bytes={first}-{last}")).send().await,
    )?;
    let t = Instant::now();
    let bytes = flow.done("read ranged body", t, got.body.collect().await)?.into_bytes();
    flow.expect("ranged bytes compared", sha256_hex(&bytes), sha256_hex(&big[first as usize..=last as usize]))?;

    let t = Instant::now();
    let listed = flow.done("list", t, keys(&s3, &bucket).await)?;
    flow.expect("listed keys", listed, vec!["big.bin".to_owned(), "small.txt".to_owned()])?;
    for (key, want) in [("small.txt", &small), ("big.bin", &big)] {
        let t = Instant::now();
        let got = flow.done(&format!("get {key} back"), t, s3.get_object().bucket(&bucket).key(key).send().await)?;
        let t = Instant::now();
        let bytes = flow.done("read body", t, got.body.collect().await)?.into_bytes();
        flow.expect(&format!("{key} bytes compared"), sha256_hex(&bytes), sha256_hex(want))?;
    }

    let ids = ["small.txt", "big.bin"].map(|k| ObjectIdentifier::builder().key(k).build());
    let ids: Result<Vec<_>, _> = ids.into_iter().collect();
    let t = Instant::now();
    let ids = flow.done("object ids", t, ids)?;
    let delete = flow.done("delete request", t, Delete::builder().set_objects(Some(ids)).build())?;
    let t = Instant::now();
    flow.done("delete objects", t, s3.delete_objects().bucket(&bucket).delete(delete).send().await)?;
    let t = Instant::now();
    let listed = flow.done("list after delete", t, keys(&s3, &bucket).await)?;
    flow.expect("no keys left", listed, Vec::<String>::new())?;
    let t = Instant::now();
    flow.done("delete bucket", t, s3.delete_bucket().bucket(&bucket).send().await)?;
    let t = Instant::now();
    let buckets = flow.done("list buckets", t, s3.list_buckets().send().await)?;
    flow.expect("bucket gone", buckets.buckets().iter().any(|b| b.name() == Some(bucket.as_str())), false)?;
    Ok(())
}

#[tokio::main]
async fn main() {
    let env = Env::from_environ();
    let started = Instant::now();
    match run(&env).await {
        Ok(()) => println!("rust: flow complete ({:.1}s)", started.elapsed().as_secs_f64()),
        Err(Failed) => std::process::exit(1),
    }
}
