//! No secret ever leaves the mock or the harness: every response body and header, every
//! log line, the journal (HTTP and `--journal-out`) and every report format are searched
//! for every secret in use (the keystore's, a rotated one, and scenario secrets) and every
//! session token of the keystore's temporary credentials (as sent and percent-encoded).

use crate::server::{signed, wire, DG_TIME};
use crate::support::amzsig;
use amzsig::crypto::SecretKey;
use amzsig::keystore::Keystore;
use std::fmt::Write as _;
use std::io::Read;
use std::time::Duration;

const ROTATED: &str = "r0tated-Secret/EXAMPLE+key0000000000000";
const STS_KEY: &str = "ASIAIOSFODNN7EXAMPLE";
const STS_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
const STS_TOKEN: &str = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeo\
IYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8Y\
QcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";

fn secrets() -> Vec<String> {
    // The keystore hands out its secrets only as `SecretKey`s; the known plain texts of the
    // embedded store are listed here and checked against it.
    let known = [
        "1234567890",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "kWcrlEXAMPLEM/LtmEENI/aVmYvHNif5zB+d9+ct",
        "otherDevSecretEXAMPLEKEY0000000000000000",
        STS_SECRET,
        ROTATED,
    ];
    let ks = Keystore::embedded_default();
    for s in ks.secrets() {
        assert!(known.iter().any(|k| s.ct_eq(&SecretKey::new(*k))), "an embedded secret is missing from the list");
    }
    for t in ks.session_tokens() {
        assert!(t.matches(STS_TOKEN), "an embedded session token is missing from the list");
    }
    let mut all: Vec<String> = known.iter().map(|s| (*s).to_owned()).collect();
    // A token travels raw in a header and percent-encoded in a presigned URL.
    all.push(STS_TOKEN.to_owned());
    all.push(amzsig::encoding::encode(STS_TOKEN.as_bytes()));
    all
}

/// A SigV4 request with the embedded temporary credential: (URL, headers), the header form
/// or a presigned URL; `secret` may be wrong on purpose (a mismatch is diagnosed and logged).
fn sigv4_with_token(base: &str, host: &str, presigned: bool, secret: &str) -> (String, Vec<(String, String)>) {
    use amzsig::sigv4::{self, Payload, SignableRequest, SigningParams, SigningSettings};
    let query = amzsig::encoding::ParamList::default();
    let mut headers = vec![("host".to_owned(), host.to_owned())];
    let signable = SignableRequest {
        method: "GET",
        path: "/amzsig-example/hello.txt",
        query: &query,
        headers: (&headers).into(),
        payload: Payload::Bytes(b""),
    };
    let secret = SecretKey::new(secret);
    let settings = if presigned { SigningSettings::s3().presigned(300) } else { SigningSettings::s3() };
    let out = sigv4::sign(
        &signable,
        &SigningParams {
            access_key_id: STS_KEY,
            secret: &secret,
            session_token: Some(STS_TOKEN),
            region: "us-east-1",
            service: "s3",
            time: amzsig::clock::UtcTime::parse_iso8601(DG_TIME).unwrap(),
            settings,
        },
    );
    if presigned {
        (format!("{base}/amzsig-example/hello.txt?{}", out.presigned_query(&query)), headers)
    } else {
        out.apply_headers(&mut headers);
        (format!("{base}/amzsig-example/hello.txt"), headers)
    }
}

fn assert_clean(what: &str, text: &str) {
    for s in secrets() {
        assert!(!text.contains(&s), "a secret ({}…) leaked in {what}", &s[..4]);
    }
}

#[test]
#[allow(clippy::too_many_lines)] // one scripted session against the serve binary
fn no_secret_in_responses_headers_logs_or_journal() {
    let journal_file = std::env::temp_dir().join(format!("amzsig-secrets-journal-{}.json", std::process::id()));
    let (mut child, base) = crate::support::spawn_serve(&journal_file);
    let host = base.trim_start_matches("http://").to_owned();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut seen = String::new();
    rt.block_on(async {
        let c = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
        let paapi = |secret: &str, extra: &[(&'static str, &'static str)]| {
            let mut p = vec![
                ("Service", "AWSECommerceService"),
                ("AWSAccessKeyId", "AKIAIOSFODNN7EXAMPLE"),
                ("AssociateTag", "mytag-20"),
                ("Operation", "ItemLookup"),
                ("ItemId", "0679722769"),
                ("Timestamp", DG_TIME),
            ];
            p.extend_from_slice(extra);
            format!("{base}/onca/xml?{}", wire(&signed("GET", &host, "/onca/xml", &p, secret)))
        };
        let mws = |secret: &str| {
            wire(&signed(
                "POST",
                &host,
                "/Orders/2013-09-01",
                &[
                    ("AWSAccessKeyId", "022QF0EXAMPLEH9DHM02"),
                    ("Action", "ListOrders"),
                    ("SellerId", "A1ExampleE6"),
                    ("MWSAuthToken", "amzn.mws.4ea38b7b-f563-7709-4bae-87aeaEXAMPLE"),
                    ("MarketplaceId.Id.1", "ATVPDKIKX0DER"),
                    ("CreatedAfter", "2014-01-01T00:00:00Z"),
                    ("SignatureVersion", "2"),
                    ("SignatureMethod", "HmacSHA256"),
                    ("Timestamp", DG_TIME),
                    ("Version", "2013-09-01"),
                ],
                secret,
            ))
        };
        let mut responses = Vec::new();
        responses.push(c.get(paapi("1234567890", &[])).send().await.unwrap());
        responses.push(c.get(paapi("wrong-secret", &[])).send().await.unwrap());
        responses.push(c.get(paapi("1234567890", &[("ResponseGroup", "Large")])).send().await.unwrap());
        responses.push(c.get(format!("{base}/onca/xml?ItemId=%ZZ")).send().await.unwrap());
        let form = "application/x-www-form-urlencoded";
        responses.push(
            c.post(format!("{base}/Orders/2013-09-01"))
                .header("content-type", form)
                .body(mws("kWcrlEXAMPLEM/LtmEENI/aVmYvHNif5zB+d9+ct"))
                .send()
                .await
                .unwrap(),
        );
        responses.push(
            c.post(format!("{base}/Orders/2013-09-01"))
                .header("content-type", form)
                .body(mws("nope"))
                .send()
                .await
                .unwrap(),
        );
        let rotate = c
            .post(format!("{base}/__amzsig/keys/AKIAIOSFODNN7EXAMPLE/rotate"))
            .body(format!("secret={}", ROTATED.replace('+', "%2B").replace('/', "%2F")))
            .send()
            .await
            .unwrap();
        assert_eq!(rotate.status().as_u16(), 204);
        responses.push(rotate);
        responses.push(c.get(paapi(ROTATED, &[])).send().await.unwrap());
        responses.push(c.get(paapi("1234567890", &[])).send().await.unwrap());
        for (presigned, secret) in [(false, STS_SECRET), (true, STS_SECRET), (true, "wrong"), (false, "wrong")] {
            let (url, headers) = sigv4_with_token(&base, &host, presigned, secret);
            let mut b = c.get(url);
            for (n, v) in headers.iter().filter(|(n, _)| n != "host") {
                b = b.header(n.as_str(), v.as_str());
            }
            let r = b.send().await.unwrap();
            assert_eq!(r.status().as_u16(), if secret == STS_SECRET { 200 } else { 403 });
            responses.push(r);
        }
        responses.push(c.get(format!("{base}/__amzsig/requests")).send().await.unwrap());
        for r in responses {
            for (k, v) in r.headers() {
                let _ = writeln!(seen, "{k}: {}", v.to_str().unwrap_or(""));
            }
            seen.push_str(&r.text().await.unwrap());
        }
    });
    assert!(seen.contains("SignatureDoesNotMatch") && seen.contains("x-amzsig-diagnosis"), "the requests ran");
    assert_clean("a response", &seen);
    assert!(crate::support::terminate(&mut child).success());
    let mut logs = String::new();
    child.stderr.take().unwrap().read_to_string(&mut logs).unwrap();
    assert!(logs.lines().count() >= 10, "one log line per request: {logs}");
    assert_clean("a log line", &logs);
    let journal = std::fs::read_to_string(&journal_file).unwrap();
    assert_clean("the journal", &journal);
    let _ = std::fs::remove_file(journal_file);
}

#[test]
fn no_secret_in_any_report() {
    // Reports: every format, for a run that fails (so diagnoses and strings to sign appear).
    let adapter = format!("'{}' adapter --mistake space-as-plus", env!("CARGO_BIN_EXE_amzsig"));
    let scenarios = crate::support::root().join("scenarios");
    for report in ["text", "json", "junit"] {
        let out =
            amzsig(&["run", "--client", &adapter, "--scenarios", scenarios.to_str().unwrap(), "--report", report], &[]);
        assert_eq!(out.status.code(), Some(1), "the broken adapter fails some scenarios");
        assert_clean(&format!("the {report} report"), &String::from_utf8_lossy(&out.stdout));
    }
    // The temporary-credential scenarios, failed by a SigV4 mistake: their canonical
    // requests (token in a header, and percent-encoded in a presigned URL) are reported.
    let v4 = format!("'{}' adapter --mistake v4-secret-without-aws4-prefix", env!("CARGO_BIN_EXE_amzsig"));
    for report in ["text", "json", "junit"] {
        let args = ["run", "--client", &v4, "--scenarios", scenarios.to_str().unwrap(), "--tag", "token"];
        let out = amzsig(&[&args[..], &["--report", report]].concat(), &[]);
        assert_eq!(out.status.code(), Some(1), "the broken adapter fails the token scenarios");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("s3-presigned-get-temporary-credentials"), "{text}");
        assert_clean(&format!("the {report} report of the token scenarios"), &text);
    }
    let dir = std::env::temp_dir().join(format!("amzsig-secrets-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (json, yaml) = (dir.join("fuzz.json"), dir.join("fuzz.yaml"));
    let fuzz = amzsig(
        &[
            "fuzz",
            "--client",
            &adapter,
            "--cases",
            "300",
            "--seed",
            "5",
            "--stop-at-first",
            "--out",
            json.to_str().unwrap(),
            "--scenario-out",
            yaml.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(fuzz.status.code(), Some(1), "the broken adapter is found");
    assert_clean("the fuzz output", &String::from_utf8_lossy(&fuzz.stdout));
    assert_clean("the fuzz JSON report", &std::fs::read_to_string(&json).unwrap());
    assert_clean("the fuzz scenario file", &std::fs::read_to_string(&yaml).unwrap());
    let _ = std::fs::remove_dir_all(dir);
}
