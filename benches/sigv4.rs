//! Criterion benchmark of SigV4 signing: amzsig's [`sigv4::sign`] beside the `aws-sigv4`
//! crate (`aws_sigv4::http_request::sign`, the signer of the AWS SDK for Rust) and beside
//! the floor, a bare HMAC-SHA256 chain (`hmac`/`sha2` crates): the four-step key
//! derivation and the final HMAC over a precomputed string to sign, in one run.
//!
//! Two realistic requests, both signed from the same raw parts (method, path, query
//! string, header pairs, body) by every signer, so the query is parsed inside the timed
//! loop for both libraries:
//!
//! * a PA-API 5.0 GetItems POST with its five signed headers (`content-encoding`,
//!   `content-type`, `host`, `x-amz-date`, `x-amz-target`) and a JSON body, as the PA-API
//!   5.0 documentation "Sending a request" and its scratchpad snippets send it
//!   (`/work/shared/reference/protocols.md` §5.1);
//! * an EC2 Query API GET (`Action=DescribeInstances`, filters, `Version=2016-11-15`) with
//!   `host` and `x-amz-date` signed (AWS General Reference, "Signature Version 4 signing
//!   process", GET example).
//!
//! Each is measured with a fresh key derivation per request and with the key cached
//! (amzsig's `SigningKeyCache` through `sign_with_cache`; `aws-sigv4` 1.x has no cache:
//! `http_request::sign` calls `v4::generate_signing_key` on every request, see
//! `calculate_signing_headers` in its `src/http_request/sign.rs`, so it appears once). Before measuring,
//! the bench asserts that all signers produce the same signature and refuses to run
//! otherwise. `benches/report.py` turns the medians into the ratios of `BENCHMARKS.md`.

use amzsig::clock::UtcTime;
use amzsig::crypto::{constant_time_eq, SecretKey};
use amzsig::encoding::{parse_query, PlusMeans};
use amzsig::sigv4::{self, Payload, SigningKeyCache, SigningParams, SigningSettings};
use aws_credential_types::Credentials;
use aws_sigv4::http_request::{self as aws, SignableBody};
use aws_sigv4::sign::v4 as aws_v4;
use aws_smithy_runtime_api::client::identity::Identity;
use criterion::{criterion_group, criterion_main, Criterion};
use hmac::{Hmac, Mac};
use std::hint::black_box;
use std::time::{Duration, SystemTime};

const AKID: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/// 2026-11-23T06:30:00Z.
const UNIX_TIME: u64 = 1_795_415_400;

/// A request as raw parts, the common input of every signer.
struct RawRequest {
    name: &'static str,
    method: &'static str,
    host: &'static str,
    path: &'static str,
    query: &'static str,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    region: &'static str,
    service: &'static str,
}

impl RawRequest {
    fn uri(&self) -> String {
        if self.query.is_empty() {
            format!("https://{}{}", self.host, self.path)
        } else {
            format!("https://{}{}?{}", self.host, self.path, self.query)
        }
    }
}

fn paapi5_getitems() -> RawRequest {
    let body = br#"{"ItemIds":["B0199980K4","B000HZD168","B01180YUXS","B00BKQTA4A"],"ItemIdType":"ASIN","LanguagesOfPreference":["en_US"],"Marketplace":"www.amazon.com","PartnerTag":"xyz-20","PartnerType":"Associates","Resources":["Images.Primary.Small","ItemInfo.Title","Offers.Listings.Price"]}"#;
    let headers = [
        ("host", "webservices.amazon.com"),
        ("content-type", "application/json; charset=utf-8"),
        ("content-encoding", "amz-1.0"),
        ("x-amz-target", "com.amazon.paapi5.v1.ProductAdvertisingAPIv1.GetItems"),
    ];
    RawRequest {
        name: "sigv4_paapi5_getitems",
        method: "POST",
        host: "webservices.amazon.com",
        path: "/paapi5/getitems",
        query: "",
        headers: headers.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect(),
        body: body.to_vec(),
        region: "us-east-1",
        service: "ProductAdvertisingAPI",
    }
}

fn ec2_describe_instances() -> RawRequest {
    RawRequest {
        name: "sigv4_ec2_get_query",
        method: "GET",
        host: "ec2.us-east-1.amazonaws.com",
        path: "/",
        query: "Action=DescribeInstances&Filter.1.Name=instance-type&Filter.1.Value.1=m5.large\
                &Filter.2.Name=tag%3AProject&Filter.2.Value.1=amz%20sig&MaxResults=50&Version=2016-11-15",
        headers: vec![("host".to_owned(), "ec2.us-east-1.amazonaws.com".to_owned())],
        body: Vec::new(),
        region: "us-east-1",
        service: "ec2",
    }
}

fn time() -> (UtcTime, SystemTime) {
    let secs = i64::try_from(UNIX_TIME).expect("fits");
    (UtcTime::from_unix_secs(secs), SystemTime::UNIX_EPOCH + Duration::from_secs(UNIX_TIME))
}

/// amzsig from the raw parts: parse the query, sign (deriving the key, or through `cache`).
fn amzsig_sign(raw: &RawRequest, secret: &SecretKey, cache: Option<&mut SigningKeyCache>) -> sigv4::SigningOutput {
    let query = parse_query(raw.query.as_bytes(), PlusMeans::Space).expect("valid query");
    let req = sigv4::SignableRequest {
        method: raw.method,
        path: raw.path,
        query: &query,
        headers: (&raw.headers).into(),
        payload: Payload::Bytes(&raw.body),
    };
    let params = SigningParams {
        access_key_id: AKID,
        secret,
        session_token: None,
        region: raw.region,
        service: raw.service,
        time: time().0,
        settings: SigningSettings::default(),
    };
    match cache {
        Some(c) => sigv4::sign_with_cache(&req, &params, c),
        None => sigv4::sign(&req, &params),
    }
}

/// aws-sigv4 from the raw parts, default settings (double encoding, normalised path,
/// header form): the signature.
fn aws_sigv4_sign(raw: &RawRequest, identity: &Identity) -> String {
    let settings = aws::SigningSettings::default();
    let params: aws::SigningParams<'_> = aws_v4::SigningParams::builder()
        .identity(identity)
        .region(raw.region)
        .name(raw.service)
        .time(time().1)
        .settings(settings)
        .build()
        .expect("complete params")
        .into();
    let uri = raw.uri();
    let req = aws::SignableRequest::new(
        raw.method,
        uri.as_str(),
        raw.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        SignableBody::Bytes(&raw.body),
    )
    .expect("valid request");
    let (_, signature) = aws::sign(req, &params).expect("signs").into_parts();
    signature
}

type HmacSha256 = Hmac<sha2::Sha256>;

fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key).expect("any key length");
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

/// The floor's key derivation: kDate → kRegion → kService → kSigning.
fn floor_key(secret: &str, date: &str, region: &str, service: &str) -> [u8; 32] {
    let mut k_secret = Vec::with_capacity(4 + secret.len());
    k_secret.extend_from_slice(b"AWS4");
    k_secret.extend_from_slice(secret.as_bytes());
    let k_date = hmac_sha256(&k_secret, date.as_bytes());
    let k_region = hmac_sha256(&k_date, region.as_bytes());
    let k_service = hmac_sha256(&k_region, service.as_bytes());
    hmac_sha256(&k_service, b"aws4_request")
}

/// Signatures are compared in constant time, as everywhere in amzsig.
fn same(a: &str, b: &str) -> bool {
    constant_time_eq(a.as_bytes(), b.as_bytes())
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

fn bench_request(c: &mut Criterion, raw: &RawRequest) {
    let secret = SecretKey::new(SECRET);
    let identity: Identity = Credentials::new(AKID, SECRET, None, None, "bench").into();
    let out = amzsig_sign(raw, &secret, None);
    let sts = out.string_to_sign.to_string();
    let date = &out.string_to_sign.credential_scope[..8];
    let key = floor_key(SECRET, date, raw.region, raw.service);
    let floor = hex(&hmac_sha256(&key, sts.as_bytes()));
    let theirs = aws_sigv4_sign(raw, &identity);
    let mut cache = SigningKeyCache::default();
    let cached = amzsig_sign(raw, &secret, Some(&mut cache)).signature;
    assert!(
        same(&out.signature, &theirs) && same(&theirs, &floor) && same(&cached, &floor),
        "{}: signers disagree, refusing to measure: amzsig {}, amzsig cached {cached}, aws-sigv4 {theirs}, \
         bare HMAC chain {floor}\ncanonical request:\n{}",
        raw.name,
        out.signature,
        out.canonical_request
    );

    let mut g = c.benchmark_group(raw.name);
    g.bench_function("floor_hmac_chain", |b| {
        b.iter(|| {
            let key = floor_key(black_box(SECRET), date, raw.region, raw.service);
            black_box(hmac_sha256(&key, black_box(sts.as_bytes())))
        });
    });
    g.bench_function("floor_hmac_cached_key", |b| {
        b.iter(|| black_box(hmac_sha256(black_box(&key), black_box(sts.as_bytes()))));
    });
    g.bench_function("aws_sigv4", |b| b.iter(|| black_box(aws_sigv4_sign(black_box(raw), &identity))));
    g.bench_function("amzsig", |b| b.iter(|| black_box(amzsig_sign(black_box(raw), &secret, None))));
    g.bench_function("amzsig_cached_key", |b| {
        b.iter(|| black_box(amzsig_sign(black_box(raw), &secret, Some(&mut cache))));
    });
    g.finish();
}

fn sigv4_signing(c: &mut Criterion) {
    bench_request(c, &paapi5_getitems());
    bench_request(c, &ec2_describe_instances());
}

criterion_group!(benches, sigv4_signing);
criterion_main!(benches);
