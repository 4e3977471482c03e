//! Criterion benchmarks of the signing core, each beside its baseline in the same run:
//! SigV2 sign and verify of the PA-API Developer Guide's ItemLookup against a bare
//! HMAC-SHA256 of the same string to sign. `benches/report.py` turns the results into
//! the ratios recorded in `BENCHMARKS.md`.

use amzsig::clock::UtcTime;
use amzsig::crypto::SecretKey;
use amzsig::crypto::SingleKey;
use amzsig::encoding::ParamList;
use amzsig::request::{RequestView, Scheme};
use amzsig::sigv2::{self, SignatureMethod, VerifyPolicy};
use criterion::{criterion_group, criterion_main, Criterion};
use hmac::{Hmac, Mac};
use std::hint::black_box;

fn dg_params() -> ParamList {
    [
        ("Service", "AWSECommerceService"),
        ("AWSAccessKeyId", "AKIAIOSFODNN7EXAMPLE"),
        ("AssociateTag", "mytag-20"),
        ("Operation", "ItemLookup"),
        ("ItemId", "0679722769"),
        ("ResponseGroup", "Images,ItemAttributes,Offers,Reviews"),
        ("Version", "2013-08-01"),
        ("Timestamp", "2014-08-18T12:00:00Z"),
    ]
    .into_iter()
    .collect()
}

fn sigv2_paapi(c: &mut Criterion) {
    let params = dg_params();
    let secret = SecretKey::new("1234567890");
    let view = RequestView {
        method: "GET",
        scheme: Scheme::Https,
        host: "webservices.amazon.com",
        path: "/onca/xml",
        params: &params,
    };
    let signed = sigv2::sign(&view, SignatureMethod::HmacSha256, &secret);
    let sts = signed.canonical.string_to_sign.clone();
    let mut with_sig = params.clone();
    with_sig.push("Signature", signed.signature.clone());
    let signed_view = RequestView { params: &with_sig, ..view };
    let keys = SingleKey { id: None, secret: &secret };
    let now = UtcTime::parse_iso8601("2014-08-18T12:00:00Z").unwrap();
    let policy = VerifyPolicy::default();

    let mut g = c.benchmark_group("sigv2_paapi_itemlookup");
    g.bench_function("baseline_hmac_sha256", |b| {
        b.iter(|| {
            let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(black_box(b"1234567890")).unwrap();
            mac.update(black_box(sts.as_bytes()));
            black_box(mac.finalize().into_bytes())
        });
    });
    g.bench_function("sign", |b| {
        b.iter(|| black_box(sigv2::sign(black_box(&view), SignatureMethod::HmacSha256, &secret)));
    });
    g.bench_function("canonicalize", |b| b.iter(|| black_box(sigv2::canonicalize(black_box(&view)))));
    g.bench_function("verify", |b| {
        b.iter(|| black_box(sigv2::verify(black_box(&signed_view), &keys, now, &policy)).is_ok());
    });
    g.finish();
}

criterion_group!(benches, sigv2_paapi);
criterion_main!(benches);
