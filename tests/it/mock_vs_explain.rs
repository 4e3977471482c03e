//! The mock and `amzsig explain` never disagree: every scenario of the suite, signed by
//! the reference adapter correctly and once with each mistake it `catches`, is sent as
//! the same bytes to the mock over HTTP and to the `amzsig explain` binary (`--request`,
//! `--clock` at the mock's fixed time, the embedded keystore both sides). Compared: the
//! signature's verdict (valid; refused about the signature; refused before the signature
//! is judged, e.g. an unknown key or a missing parameter) and the named mistakes (the
//! mock's `x-amzsig-diagnosis` against explain's "reproduced by" line; `unknown` when no
//! mistake reproduces the signature). Every refusal about the signature must carry the
//! header, and the journal must say the same.
//!
//! The endpoint's region and service given to explain come from the host, by the rules
//! published for it (not from amzsig): PA-API 5.0 "Locale Reference" (webservices.amazon.com
//! us-east-1; .co.uk, .de, .fr eu-west-1; .co.jp us-west-2; service ProductAdvertisingAPI),
//! `{service}.{region}.amazonaws.com` / `{service}.amazonaws.com` (us-east-1) for AWS, and
//! S3's rules (`--s3`) for `s3` hosts.

use crate::replay_suites::replay;
use crate::support::{amzsig, scenarios, stdout};
use amzsig::adapter::{reference, Answer, RequestKind, Signed};
use amzsig::clock::Clock;
use amzsig::diagnose::Mistake;
use amzsig::runner::{request_for, request_for_v4};
use amzsig::scenario::{Inputs, Scenario, SUITE_TIME};
use amzsig::server::MockServer;
use amzsig::services::Throttling;
use std::fmt::Write as _;

/// One side's judgement of a request's signature.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Judged {
    /// The signature is valid (the request may still be refused for something else).
    Valid,
    /// Refused about the signature; the mistakes named (`unknown` when none).
    Signature(String),
    /// Refused before the signature was judged (unknown key, missing parameter, ...).
    Before,
}

/// (region, service, s3) of the endpoint at `host` (see the module doc).
fn endpoint_rules(host: &str) -> (String, String, bool) {
    let host = host.split(':').next().unwrap_or(host).to_ascii_lowercase();
    if let Some(tld) = host.strip_prefix("webservices.amazon.") {
        let region = match tld {
            "com" => "us-east-1",
            "co.jp" => "us-west-2",
            _ => "eu-west-1",
        };
        return (region.to_owned(), "ProductAdvertisingAPI".to_owned(), false);
    }
    let labels: Vec<&str> = host.trim_end_matches(".amazonaws.com").split('.').collect();
    let region = labels.get(1).filter(|l| l.contains('-')).map_or("us-east-1", |r| r).to_owned();
    if labels[0] == "s3" {
        return (region, "s3".to_owned(), true);
    }
    (region, labels[0].to_owned(), false)
}

/// The request the client sends for `signed`, as HTTP/1.1 bytes.
fn wire(signed: &Signed, default_method: &str, v2: bool) -> (Vec<u8>, String) {
    let method = signed.method.as_deref().unwrap_or(default_method);
    let rest = signed.url.split_once("://").map_or(signed.url.as_str(), |(_, r)| r);
    let (authority, target) = match rest.find(['/', '?']) {
        Some(i) if rest[i..].starts_with('?') => (&rest[..i], format!("/{}", &rest[i..])),
        Some(i) => (&rest[..i], rest[i..].to_owned()),
        None => (rest, "/".to_owned()),
    };
    let mut headers = signed.headers.clone();
    let has = |h: &[(String, String)], n: &str| h.iter().any(|(k, _)| k.eq_ignore_ascii_case(n));
    if !has(&headers, "host") {
        headers.insert(0, ("Host".to_owned(), authority.to_owned()));
    }
    if v2 && !signed.body.is_empty() && !has(&headers, "content-type") {
        headers.push(("Content-Type".to_owned(), "application/x-www-form-urlencoded; charset=utf-8".to_owned()));
    }
    if !signed.body.is_empty() || method == "POST" || method == "PUT" {
        headers.retain(|(k, _)| !k.eq_ignore_ascii_case("content-length"));
        headers.push(("Content-Length".to_owned(), signed.body.len().to_string()));
    }
    let host = headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("host")).map(|(_, v)| v.clone()).unwrap_or_default();
    let mut text = format!("{method} {target} HTTP/1.1\r\n");
    for (k, v) in &headers {
        let _ = write!(text, "{k}: {v}\r\n");
    }
    text.push_str("\r\n");
    text.push_str(&signed.body);
    (text.into_bytes(), host)
}

/// explain's judgement, from its exit status and output.
fn explain_judgement(code: Option<i32>, out: &str, err: &str) -> Result<Judged, String> {
    match code {
        Some(0) => Ok(Judged::Valid),
        Some(1) if out.contains("FAIL before the signature could be compared") => Ok(Judged::Before),
        Some(1) => {
            if let Some(line) = out.lines().find_map(|l| l.strip_prefix("The client's signature is reproduced by: ")) {
                // "id (description; step) and id (…)": a description may itself say "and".
                let ids: Vec<&str> = line
                    .split(" and ")
                    .map(|m| m.split(" (").next().unwrap_or(m))
                    .filter(|id| Mistake::from_id(id).is_some())
                    .collect();
                Ok(Judged::Signature(ids.join("+")))
            } else if ["No known", "cannot be diagnosed", "The signature is the one the server computes"]
                .iter()
                .any(|t| out.contains(t))
            {
                Ok(Judged::Signature("unknown".to_owned()))
            } else {
                Err(format!("explain exit 1 without a verdict: {out}"))
            }
        }
        // "AKID… is not an active {family} key in <keystore>": explain cannot judge an unknown key.
        Some(2) if err.contains("is not an active") && err.contains(" key in ") => Ok(Judged::Before),
        other => Err(format!("explain exit {other:?}: {err}")),
    }
}

fn sign(s: &Scenario, mistake: Option<Mistake>) -> Option<Signed> {
    let mistakes: Vec<Mistake> = mistake.into_iter().collect();
    let answer = match &s.request.inputs {
        Inputs::V2(v2) => reference::sign(&request_for(s, v2, RequestKind::Sign, &s.request.endpoint), &mistakes),
        Inputs::V4(v4) => {
            reference::sign_v4(&request_for_v4(s, v4, RequestKind::Sign, &s.request.endpoint, None), &mistakes)
        }
    };
    match answer {
        Answer::Signed(signed) => Some(signed),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mock_and_explain_agree_on_every_scenario() {
    let server = MockServer::builder()
        .clock(format!("fixed:{SUITE_TIME}").parse::<Clock>().unwrap())
        .throttling(Throttling::Off)
        .start()
        .await
        .unwrap();
    let addr = server.addr();
    let dir = std::env::temp_dir().join(format!("amzsig-mock-vs-explain-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let all = scenarios();
    let (mut compared, mut not_applicable, mut signature_refusals) = (0, Vec::new(), 0);
    let mut unknown = Vec::new();
    let mut problems = Vec::new();
    for s in &all {
        let v2 = matches!(s.request.inputs, Inputs::V2(_));
        for mistake in std::iter::once(None).chain(s.catches.iter().copied().map(Some)) {
            let label = format!("{} [{}]", s.name, mistake.map_or("correct", |m| m.id()));
            let Some(signed) = sign(s, mistake) else {
                // The reference adapter says the mistake does not apply to this request.
                assert!(mistake.is_some(), "{label}: the reference adapter cannot sign the scenario");
                not_applicable.push(label);
                continue;
            };
            let (bytes, host) = wire(&signed, &s.request.method, v2);
            let file = dir.join(format!("{compared}.http"));
            std::fs::write(&file, &bytes).unwrap();
            let before = server.journal().len();
            let (status, headers, _) = tokio::task::spawn_blocking(move || replay(addr, &bytes)).await.unwrap();
            let journal = server.journal();
            let Some(entry) = journal.last().filter(|_| journal.len() == before + 1) else {
                problems.push(format!("{label}: the mock journaled nothing (status {status})"));
                continue;
            };
            let header = headers.iter().find(|(k, _)| k == "x-amzsig-diagnosis").map(|(_, v)| v.clone());
            let mock = match &entry.failure {
                None => Judged::Valid,
                Some(f) if f.is_about_signature() => {
                    signature_refusals += 1;
                    if header.as_deref() == Some("unknown") {
                        unknown.push(label.clone());
                    }
                    Judged::Signature(header.clone().unwrap_or_else(|| "<no x-amzsig-diagnosis header>".to_owned()))
                }
                Some(_) => Judged::Before,
            };
            if entry.diagnosis != header {
                problems.push(format!("{label}: journal diagnosis {:?}, header {header:?}", entry.diagnosis));
            }
            if mock != Judged::Valid && matches!(mock, Judged::Before) && header.is_some() {
                problems.push(format!("{label}: a refusal before the signature carries {header:?}"));
            }
            let mut args = vec!["explain".to_owned(), "--request".to_owned(), file.display().to_string()];
            args.extend([
                "--scheme".to_owned(),
                "http".to_owned(),
                "--clock".to_owned(),
                format!("fixed:{SUITE_TIME}"),
            ]);
            if !v2 {
                let (region, service, s3) = endpoint_rules(&host);
                args.extend(["--sig".to_owned(), "v4".to_owned(), "--region".to_owned(), region]);
                args.extend(["--service".to_owned(), service]);
                if s3 {
                    args.push("--s3".to_owned());
                }
            }
            let out = amzsig(&args.iter().map(String::as_str).collect::<Vec<_>>(), &[]);
            let err = String::from_utf8_lossy(&out.stderr).into_owned();
            match explain_judgement(out.status.code(), &stdout(&out), &err) {
                Ok(explained) if explained == mock => {}
                Ok(explained) => {
                    problems.push(format!("{label}: mock {mock:?} (status {status}), explain {explained:?}"));
                }
                Err(e) => problems.push(format!("{label}: {e}")),
            }
            compared += 1;
        }
    }
    server.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
    assert!(problems.is_empty(), "{} disagreements in {compared} requests:\n{}", problems.len(), problems.join("\n"));
    eprintln!(
        "mock vs explain: {compared} requests of {} scenarios agree ({signature_refusals} signature refusals, \
         'unknown' for: {})",
        all.len(),
        unknown.join(", ")
    );
    // Nothing is left out: every scenario correctly signed and with each mistake it catches.
    let catches: usize = all.iter().map(|s| s.catches.len()).sum();
    assert!(not_applicable.is_empty(), "mistakes the reference adapter could not make: {not_applicable:?}");
    assert_eq!(compared, all.len() + catches, "every scenario and every mistake it catches");
    assert!(
        all.len() >= 100 && signature_refusals >= 100,
        "{} scenarios, {signature_refusals} signature refusals",
        all.len()
    );
}
