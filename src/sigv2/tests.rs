//! Properties and snapshots of the SigV2 core.

use super::*;
use crate::clock::UtcTime;
use crate::crypto::SingleKey;
use crate::encoding::Param;
use proptest::prelude::*;

const NOW: &str = "2014-08-18T12:00:00Z";

fn base_params(extra: &[(String, String)]) -> ParamList {
    let mut p: ParamList = [
        ("AWSAccessKeyId", "AKIAIOSFODNN7EXAMPLE"),
        ("Timestamp", NOW),
        ("SignatureVersion", "2"),
        ("SignatureMethod", "HmacSHA256"),
    ]
    .into_iter()
    .collect();
    for (n, v) in extra {
        p.push(n.clone(), v.clone());
    }
    p
}

fn view<'a>(method: &'a str, host: &'a str, path: &'a str, params: &'a ParamList) -> RequestView<'a> {
    RequestView { method, scheme: Scheme::Https, host, path, params }
}

fn verify_with(req: &RequestView<'_>, secret: &SecretKey) -> Result<Verified, VerifyFailure> {
    let keys = SingleKey { id: Some("AKIAIOSFODNN7EXAMPLE"), secret };
    super::verify(req, &keys, UtcTime::parse_iso8601(NOW).unwrap(), &VerifyPolicy::default())
}

fn signed(req: &RequestView<'_>, secret: &SecretKey) -> ParamList {
    let s = sign(req, SignatureMethod::HmacSha256, secret);
    let mut params = req.params.clone();
    params.push(SIGNATURE_PARAM, s.signature);
    params
}

/// Names that are not authentication parameters, so changing them cannot trip an
/// earlier check than the signature comparison.
fn extra_params() -> impl Strategy<Value = Vec<(String, String)>> {
    proptest::collection::vec(("x[\\PC]{0,8}", "\\PC{0,12}"), 1..6)
}

proptest! {
    #[test]
    fn canonical_query_is_independent_of_order(extra in extra_params(), seed in any::<u64>()) {
        let params = base_params(&extra);
        let mut shuffled = params.0.clone();
        let n = shuffled.len();
        for i in 0..n {
            let j = usize::try_from((seed.rotate_left(u32::try_from(i).unwrap()) ^ i as u64) % n as u64).unwrap();
            shuffled.swap(i, j);
        }
        prop_assert_eq!(canonical_query(&params), canonical_query(&ParamList(shuffled)));
    }

    #[test]
    fn canonical_query_alphabet(extra in extra_params()) {
        let q = canonical_query(&base_params(&extra));
        let b = q.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'%' {
                prop_assert!(b[i + 1..i + 3].iter().all(|c| c.is_ascii_digit() || (b'A'..=b'F').contains(c)), "{}", q);
                i += 3;
            } else {
                prop_assert!(crate::encoding::is_unreserved(b[i]) || b[i] == b'=' || b[i] == b'&', "{}", q);
                i += 1;
            }
        }
    }

    #[test]
    fn verify_accepts_what_sign_produces(extra in extra_params(), host in "[a-zA-Z0-9.-]{1,20}(:[0-9]{1,5})?", path in "(/[\\PC]{0,10}){0,3}") {
        let secret = SecretKey::new("1234567890");
        let params = base_params(&extra);
        let signed = signed(&view("GET", &host, &path, &params), &secret);
        prop_assert!(verify_with(&view("GET", &host, &path, &signed), &secret).is_ok());
        // The host's letter case is not signed.
        let upper = host.to_ascii_uppercase();
        prop_assert!(verify_with(&view("GET", &upper, &path, &signed), &secret).is_ok());
    }

    #[test]
    fn any_change_is_rejected(extra in extra_params(), which in 0usize..7, pick in any::<prop::sample::Index>(), ch in any::<char>()) {
        let secret = SecretKey::new("1234567890");
        let params = base_params(&extra);
        let good = signed(&view("GET", "webservices.amazon.com", "/onca/xml", &params), &secret);
        let (mut method, mut host, mut path, mut tampered, mut key) =
            ("GET".to_owned(), "webservices.amazon.com".to_owned(), "/onca/xml".to_owned(), good.clone(), secret.clone());
        // Only the extra parameters are tampered with: changing AWSAccessKeyId or
        // Timestamp legitimately fails an earlier check.
        let i = 4 + pick.index(extra.len());
        let change = |s: &str| if s.ends_with(ch) { format!("{s}{ch}{ch}") } else { format!("{s}{ch}") };
        match which {
            0 => tampered.0[i] = Param::new(change(&good.0[i].name), good.0[i].value.clone()),
            1 => tampered.0[i] = Param::new(good.0[i].name.clone(), change(&good.0[i].value)),
            2 => method = "POST".into(),
            3 => path = change(&path),
            4 => host = change(&host),
            // HMAC pads short keys with zero bytes, so a trailing NUL is the same key.
            5 => key = SecretKey::new(change(if ch == '\0' { "123456789" } else { "1234567890" })),
            _ => { tampered.0.remove(i); }
        }
        if which == 4 && change(&host).eq_ignore_ascii_case("webservices.amazon.com") { return Ok(()); }
        // A name change that collides with an identical pair leaves the canonical form unchanged.
        prop_assume!(canonical_query(&tampered) != canonical_query(&good) || which >= 2);
        let res = verify_with(&view(&method, &host, &path, &tampered), &key);
        prop_assert!(matches!(res, Err(VerifyFailure::Mismatch { .. })), "{:?}", res);
    }
}

#[test]
fn signature_with_unencoded_plus_is_not_base64() {
    let secret = SecretKey::new("1234567890");
    let params = base_params(&[]);
    let mut bad = signed(&view("GET", "h", "/", &params), &secret);
    let sig = bad.get(SIGNATURE_PARAM).unwrap().replace(['+', '/'], " ");
    bad.set(SIGNATURE_PARAM, format!("{sig} "));
    assert!(matches!(
        verify_with(&view("GET", "h", "/", &bad), &secret),
        Err(VerifyFailure::SignatureNotBase64 { .. })
    ));
}

#[test]
fn checks_run_in_amazon_order() {
    let secret = SecretKey::new("s");
    let at = |edit: &dyn Fn(&mut ParamList)| {
        let mut p = signed(&view("GET", "h", "/", &base_params(&[])), &secret);
        edit(&mut p);
        verify_with(&view("GET", "h", "/", &p), &secret).unwrap_err()
    };
    assert_eq!(at(&|p| p.remove("AWSAccessKeyId")), VerifyFailure::MissingParameter("AWSAccessKeyId"));
    assert_eq!(at(&|p| p.remove("Signature")), VerifyFailure::MissingParameter("Signature"));
    assert_eq!(at(&|p| p.set("SignatureVersion", "1")), VerifyFailure::UnsupportedSignatureVersion("1".into()));
    assert_eq!(
        at(&|p| p.set("SignatureMethod", "HmacSHA512")),
        VerifyFailure::UnsupportedSignatureMethod("HmacSHA512".into())
    );
    assert_eq!(at(&|p| p.remove("Timestamp")), VerifyFailure::MissingParameter("Timestamp"));
    assert_eq!(at(&|p| p.push("Expires", NOW)), VerifyFailure::TimestampWithExpires);
    assert_eq!(
        at(&|p| p.set("Timestamp", "yesterday")),
        VerifyFailure::MalformedTimestamp { param: "Timestamp", raw: "yesterday".into() }
    );
    assert_eq!(at(&|p| p.set("AWSAccessKeyId", "AKIDOTHER")), VerifyFailure::UnknownAccessKey("AKIDOTHER".into()));
    assert_eq!(
        at(&|p| p.set("Signature", "AAAA")),
        VerifyFailure::SignatureWrongLength { method: SignatureMethod::HmacSha256, expected: 32, actual: 3 }
    );
    assert_eq!(
        at(&|p| p.set("Timestamp", "2014-08-18T11:44:59Z")),
        VerifyFailure::Expired { param: "Timestamp", raw: "2014-08-18T11:44:59Z".into() }
    );
    assert_eq!(
        at(&|p| p.set("Timestamp", "2014-08-18T12:15:01Z")),
        VerifyFailure::TimestampInFuture { raw: "2014-08-18T12:15:01Z".into() }
    );
    assert!(matches!(at(&|p| p.push("Extra", "1")), VerifyFailure::Mismatch { .. }));
}

#[test]
fn window_edges_and_expires() {
    let secret = SecretKey::new("s");
    let ok = |name: &str, value: &str| {
        let mut p = base_params(&[]);
        p.remove("Timestamp");
        p.push(name, value);
        let p = signed(&view("GET", "h", "/", &p), &secret);
        verify_with(&view("GET", "h", "/", &p), &secret)
    };
    assert!(ok("Timestamp", "2014-08-18T11:45:00Z").is_ok());
    assert!(ok("Timestamp", "2014-08-18T12:15:00Z").is_ok());
    assert!(ok("Timestamp", "2014-08-18T13:45:00.000+01:45").is_ok());
    assert!(ok("Expires", "2014-08-18T12:00:00Z").is_ok());
    assert!(ok("Expires", "2014-08-19T12:00:00Z").is_ok());
    assert_eq!(
        ok("Expires", "2014-08-18T11:59:59Z"),
        Err(VerifyFailure::Expired { param: "Expires", raw: "2014-08-18T11:59:59Z".into() })
    );
}

#[test]
fn host_without_port_is_accepted_only_when_allowed() {
    let secret = SecretKey::new("s");
    let params = base_params(&[]);
    let signed_bare = signed(&view("POST", "localhost", "/", &params), &secret);
    let req = view("POST", "localhost:8080", "/", &signed_bare);
    assert!(matches!(verify_with(&req, &secret), Err(VerifyFailure::Mismatch { .. })));
    let keys = SingleKey { id: None, secret: &secret };
    let lenient = VerifyPolicy { host_match: HostMatch::AlsoWithoutPort, ..VerifyPolicy::default() };
    let v = super::verify(&req, &keys, UtcTime::parse_iso8601(NOW).unwrap(), &lenient).unwrap();
    assert_eq!(v.host_form, HostForm::WithoutPort);
    assert_eq!(host_without_port("[::1]"), "[::1]");
    assert_eq!(host_without_port("[::1]:8080"), "[::1]");
}

#[test]
fn canonical_snapshots() {
    let cases: [(&str, &str, &str, &str, &str); 4] = [
        ("paapi-item-lookup", "GET", "WebServices.Amazon.com:443", "/onca/xml", "Service=AWSECommerceService&Operation=ItemLookup&ItemId=0679722769&ResponseGroup=Images,ItemAttributes&AssociateTag=mytag-20&Timestamp=2014-08-18T12:00:00Z&Signature=ignored"),
        ("mws-list-orders", "POST", "mws.amazonservices.com", "/Orders/2013-09-01", "Action=ListOrders&MarketplaceId.Id.1=ATVPDKIKX0DER&MarketplaceId.Id.10=A2EUQ1WTGCTBG2&MarketplaceId.Id.2=A1F83G8C2ARO7P&SellerId=A1ExampleE6&CreatedAfter=2014-08-01T00%3A00%3A00Z"),
        ("encoding-edges", "GET", "localhost:8080", "", "b=a+b%20c&a=%7E~*!'()&Z=%E2%9C%93&z=&dup=2&dup=1&empty"),
        ("byte-order-not-alphabetical", "GET", "ec2.amazonaws.com", "/", "alpha=1&Zeta=2&a%25=3&a~=4&IdList.Id.10=x&IdList.Id.1=y"),
    ];
    for (name, method, host, path, query) in cases {
        let params = crate::encoding::parse_query(query.as_bytes(), crate::encoding::PlusMeans::Space).unwrap();
        let c = canonicalize(&view(method, host, path, &params));
        insta::assert_snapshot!(name, format!("{}\n---\n{}", c.canonical_query(), c.string_to_sign));
    }
}
