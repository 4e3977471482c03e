//! Criterion benchmark of the diagnosis's worst case, beside verification of the same
//! request in the same run: a request signed with the wrong secret, so that no mistake
//! reproduces the signature and the search tries every single mistake and every
//! compatible pair. The mock diagnoses every refused request on its request path, so
//! `diagnose / verify` is what a refused request costs next to an accepted one.
//!
//! * SigV2: a PA-API ItemSearch (GET, nine parameters, a space and commas to encode).
//! * SigV4: an STS GetCallerIdentity (POST form body, `content-type` with a charset,
//!   header form), the AWS SDKs' first call.
//!
//! Both run with the default [`diagnose::Budget`] (the bench asserts the search completes)
//! and on mimalloc, the mock server's allocator. Report `diagnose / verify` per request:
//! the machine is shared, absolute times are noisy.

use amzsig::clock::UtcTime;
use amzsig::crypto::SecretKey;
use amzsig::crypto::SingleKey;
use amzsig::diagnose;
use amzsig::encoding::{parse_query, ParamList, PlusMeans};
use amzsig::request::{RequestView, Scheme};
use amzsig::sigv2::{self, SignatureMethod, VerifyPolicy};
use amzsig::sigv4::{self, Payload, SignableRequest, SigningParams, SigningSettings};
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

// The mock server runs on mimalloc (src/main.rs); so does this bench.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const V2_SECRET: &str = "1234567890";
const V4_SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const WRONG: &str = "not the secret";
const CALLER: &str = "Action=GetCallerIdentity&Version=2011-06-15";

fn item_search() -> ParamList {
    [
        ("Service", "AWSECommerceService"),
        ("AWSAccessKeyId", "AKIAIOSFODNN7EXAMPLE"),
        ("AssociateTag", "mytag-20"),
        ("Operation", "ItemSearch"),
        ("SearchIndex", "Books"),
        ("Keywords", "harry potter"),
        ("ResponseGroup", "Images,ItemAttributes,Offers"),
        ("Version", "2013-08-01"),
        ("Timestamp", "2014-08-18T12:00:00Z"),
    ]
    .into_iter()
    .collect()
}

/// The request signed with `secret`, as it arrives.
fn v2_signed(secret: &str) -> ParamList {
    let mut params = item_search();
    let view = v2_view(&params);
    let sig = sigv2::sign(&view, SignatureMethod::HmacSha256, &SecretKey::new(secret)).signature;
    params.push(sigv2::SIGNATURE_PARAM, sig);
    params
}

fn v2_view(params: &ParamList) -> RequestView<'_> {
    RequestView { method: "GET", scheme: Scheme::Https, host: "webservices.amazon.com", path: "/onca/xml", params }
}

fn sigv2_item_search(c: &mut Criterion) {
    let secret = SecretKey::new(V2_SECRET);
    let good = v2_signed(V2_SECRET);
    let bad = v2_signed(WRONG);
    let keys = SingleKey { id: None, secret: &secret };
    let now = UtcTime::parse_iso8601("2014-08-18T12:00:00Z").unwrap();
    let policy = VerifyPolicy::default();
    assert!(sigv2::verify(&v2_view(&good), &keys, now, &policy).is_ok());
    let d = diagnose_sigv2(&v2_view(&bad), &secret);
    assert!(d.findings.is_empty(), "a wrong secret is explained by {}", d.header_value());
    assert!(!d.budget_exhausted, "the default budget covers the whole search");

    let mut g = c.benchmark_group("sigv2_paapi_itemsearch");
    g.bench_function("verify", |b| {
        b.iter(|| black_box(sigv2::verify(black_box(&v2_view(&good)), &keys, now, &policy)).is_ok());
    });
    g.bench_function("diagnose_wrong_secret", |b| {
        b.iter(|| black_box(diagnose_sigv2(black_box(&v2_view(&bad)), &secret)));
    });
    g.finish();
}

fn v4_headers() -> Vec<(String, String)> {
    vec![
        ("Host".to_owned(), "sts.amazonaws.com".to_owned()),
        ("Content-Type".to_owned(), "application/x-www-form-urlencoded; charset=utf-8".to_owned()),
    ]
}

/// The headers of the request signed with `secret`, as they arrive.
fn v4_signed(secret: &str, query: &ParamList) -> Vec<(String, String)> {
    let mut headers = v4_headers();
    let secret = SecretKey::new(secret);
    let req = SignableRequest {
        method: "POST",
        path: "/",
        query,
        headers: (&headers).into(),
        payload: Payload::Bytes(CALLER.as_bytes()),
    };
    let params = SigningParams {
        access_key_id: "AKIDEXAMPLE",
        secret: &secret,
        session_token: None,
        region: "us-east-1",
        service: "sts",
        time: v4_time(),
        settings: SigningSettings::default(),
    };
    sigv4::sign(&req, &params).apply_headers(&mut headers);
    headers
}

fn v4_time() -> UtcTime {
    UtcTime::parse_iso8601("2015-08-30T12:36:00Z").unwrap()
}

fn v4_request<'a>(query: &'a ParamList, headers: &'a [(String, String)]) -> SignableRequest<'a> {
    SignableRequest {
        method: "POST",
        path: "/",
        query,
        headers: headers.into(),
        payload: Payload::Bytes(CALLER.as_bytes()),
    }
}

fn sigv4_sts_get_caller_identity(c: &mut Criterion) {
    let secret = SecretKey::new(V4_SECRET);
    let query = parse_query(b"", PlusMeans::Space).unwrap();
    let good = v4_signed(V4_SECRET, &query);
    let bad = v4_signed(WRONG, &query);
    let keys = SingleKey { id: None, secret: &secret };
    let policy = amzsig::sigv4::VerifyPolicy {
        expected_region: Some("us-east-1"),
        expected_service: Some("sts"),
        settings: SigningSettings::default(),
        ..amzsig::sigv4::VerifyPolicy::default()
    };
    let now = v4_time();
    assert!(sigv4::verify(&v4_request(&query, &good), &keys, now, &policy).is_ok());
    let d = diagnose_sigv4(&v4_request(&query, &bad), &secret, &policy);
    assert!(d.findings.is_empty(), "a wrong secret is explained by {}", d.header_value());
    assert!(!d.budget_exhausted, "the default budget covers the whole search");

    let mut g = c.benchmark_group("sigv4_sts_getcalleridentity");
    g.bench_function("verify", |b| {
        b.iter(|| black_box(sigv4::verify(black_box(&v4_request(&query, &good)), &keys, now, &policy)).is_ok());
    });
    g.bench_function("diagnose_wrong_secret", |b| {
        b.iter(|| black_box(diagnose_sigv4(black_box(&v4_request(&query, &bad)), &secret, &policy)));
    });
    g.finish();
}

fn diagnose_sigv2(view: &RequestView<'_>, secret: &SecretKey) -> diagnose::Diagnosis {
    let subject = diagnose::Subject::V2 { view: *view, default_method: SignatureMethod::HmacSha256 };
    diagnose::diagnose(subject, secret, diagnose::Budget::DEFAULT)
}

fn diagnose_sigv4(
    req: &SignableRequest<'_>,
    secret: &SecretKey,
    policy: &amzsig::sigv4::VerifyPolicy<'_>,
) -> diagnose::Diagnosis {
    let subject = diagnose::Subject::V4 { request: *req, policy: *policy };
    diagnose::diagnose(subject, secret, diagnose::Budget::DEFAULT)
}

criterion_group!(benches, sigv2_item_search, sigv4_sts_get_caller_identity);
criterion_main!(benches);
