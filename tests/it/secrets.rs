//! No secret ever leaves the mock or the harness: every response body and header, every
//! log line, the journal (HTTP and `--journal-out`) and every report format are searched
//! for every secret in use (the keystore's, a rotated one, and scenario secrets).

use crate::server::{signed, wire, DG_TIME};
use crate::support::amzsig;
use amzsig::crypto::SecretKey;
use amzsig::keystore::Keystore;
use std::fmt::Write as _;
use std::io::Read;
use std::time::Duration;

const ROTATED: &str = "r0tated-Secret/EXAMPLE+key0000000000000";

fn secrets() -> Vec<String> {
    // The keystore hands out its secrets only as `SecretKey`s; the known plain texts of the
    // embedded store are listed here and checked against it.
    let known = [
        "1234567890",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        "kWcrlEXAMPLEM/LtmEENI/aVmYvHNif5zB+d9+ct",
        "otherDevSecretEXAMPLEKEY0000000000000000",
        ROTATED,
    ];
    let ks = Keystore::embedded_default();
    for s in ks.secrets() {
        assert!(known.iter().any(|k| s.ct_eq(&SecretKey::new(*k))), "an embedded secret is missing from the list");
    }
    known.iter().map(|s| (*s).to_owned()).collect()
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
