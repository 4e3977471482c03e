//! The scenario runner end to end: the reference adapter passes every scenario (offline
//! and live), and a deliberately broken adapter per classic mistake fails exactly the
//! scenarios that claim to catch that mistake, with the mistake named in the report.

use crate::support::{failures, names_mistake, run_reference_adapter, scenarios};
use amzsig::adapter::Adapter;
use amzsig::diagnose::{v2, Mistake};
use amzsig::report::{self, Format};
use amzsig::runner::{self, Mode, RunReport, Status};
use amzsig::scenario::Scenario;
use std::time::Duration;

fn run_with(mistakes: &[Mistake], selected: &[&Scenario], mode: Mode) -> RunReport {
    let flags: String = mistakes.iter().flat_map(|m| [" --mistake ", m.id()]).collect();
    run_reference_adapter(&flags, selected, mode)
}

#[test]
fn suite_has_at_least_60_scenarios_and_every_mistake_is_caught_somewhere() {
    let all = scenarios();
    assert!(all.len() >= 60, "{} scenarios", all.len());
    for m in v2::ALL {
        assert!(all.iter().any(|s| s.catches.contains(&m)), "no scenario catches {m}");
    }
}

#[test]
fn reference_adapter_passes_every_scenario_offline() {
    let all = scenarios();
    let report = run_with(&[], &all.iter().collect::<Vec<_>>(), Mode::Offline);
    assert_eq!(report.count(Status::Skip), 0);
    assert!(failures(&report).is_empty(), "{}", failures(&report).join("\n"));
}

#[test]
fn reference_adapter_passes_every_scenario_live() {
    let all = scenarios();
    let report = run_with(&[], &all.iter().collect::<Vec<_>>(), Mode::Live);
    assert!(failures(&report).is_empty(), "{}", failures(&report).join("\n"));
    let skipped: Vec<_> = report.results.iter().filter(|r| r.status == Status::Skip).map(|r| r.name.as_str()).collect();
    assert_eq!(skipped, ["mws-non-default-port-signed", "paapi-non-default-port"]);
    // A loopback endpoint cannot carry these hosts: reported as such, never as passed.
    let not_exercised: Vec<_> =
        report.results.iter().filter(|r| r.status == Status::NotExercised).map(|r| r.name.as_str()).collect();
    assert_eq!(not_exercised, ["paapi-uppercase-host", "paapi-explicit-default-port"]);
}

#[test]
fn each_broken_adapter_fails_the_scenarios_that_catch_its_mistake() {
    let all = scenarios();
    let mut problems = Vec::new();
    for m in v2::ALL {
        let catching: Vec<&Scenario> = all.iter().filter(|s| s.catches.contains(&m)).collect();
        let report = run_with(&[m], &catching, Mode::Offline);
        for r in &report.results {
            if r.status != Status::Fail || !names_mistake(r, m.id()) {
                problems.push(format!(
                    "{m}: {} -> {:?}, detail {:?}",
                    r.name,
                    r.status,
                    r.detail.as_ref().map(|d| &d.mistakes)
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn reports_render_and_parse_back() {
    let all = scenarios();
    let selected: Vec<&Scenario> =
        all.iter().filter(|s| s.name.starts_with("paapi-space") || s.name == "paapi-dg-itemlookup").collect();
    let report = run_with(&[v2::SPACE_AS_PLUS], &selected, Mode::Offline);
    let text = report::render(&report, Format::Text);
    assert!(text.contains("FAIL paapi/paapi-space-in-keywords"), "{text}");
    assert!(text.contains("diagnosis: space-as-plus"), "{text}");
    assert!(text.contains("first difference at byte"), "{text}");
    assert!(!text.contains("1234567890"), "the secret reached the report");
    let junit = amzsig::xml::parse(&report::render(&report, Format::Junit)).unwrap();
    let suite = junit.find("testsuite").unwrap();
    assert_eq!(suite.attr_value("failures"), Some("1"));
    let json: serde_json::Value = serde_json::from_str(&report::render(&report, Format::Json)).unwrap();
    assert_eq!(json["results"].as_array().unwrap().len(), 2);
    assert!(!json.to_string().contains("1234567890"));
}

/// The versioned JSON Schema of the protocol parses, and names every message type and
/// capability the runner knows.
#[test]
fn protocol_schema_covers_the_messages() {
    let text = std::fs::read_to_string(crate::support::root().join("docs/adapter-protocol.schema.json")).unwrap();
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(schema["x-protocol-version"], amzsig::adapter::protocol::PROTOCOL_VERSION);
    for def in ["runner_hello", "request", "request_v4", "adapter_hello", "signed", "sent", "error"] {
        assert!(schema["$defs"][def].is_object(), "missing {def}");
    }
    // Every answer the reference adapter gives validates against the required fields.
    let hello = serde_json::to_value(amzsig::adapter::Answer::Hello(amzsig::adapter::reference::hello(
        &amzsig::adapter::reference::Mistakes::default(),
    )))
    .unwrap();
    let caps = schema["$defs"]["adapter_hello"]["properties"]["capabilities"]["items"]["enum"].as_array().unwrap();
    for cap in hello["capabilities"].as_array().unwrap() {
        assert!(caps.contains(cap), "capability {cap} not in the schema");
    }
    // The SigV4 request the runner sends has exactly the schema's properties, and every
    // required one.
    let all = scenarios();
    let s = all.iter().find(|s| s.request.v4().is_some_and(|v| v.presign_expires.is_some())).unwrap();
    let mut v4 = s.request.v4().cloned().unwrap();
    v4.headers.push(("X-A".into(), "1".into()));
    let req = runner::request_for_v4(s, &v4, amzsig::adapter::RequestKind::Sign, &s.request.endpoint, Some("h"));
    let sent = serde_json::to_value(&req).unwrap();
    let def = &schema["$defs"]["request_v4"];
    let props = def["properties"].as_object().unwrap();
    for key in sent.as_object().unwrap().keys() {
        assert!(props.contains_key(key), "request_v4 sends '{key}', which the schema lacks");
    }
    for key in props.keys() {
        assert!(sent.get(key).is_some(), "the schema's request_v4 has '{key}', which the runner never sends");
    }
    for key in def["required"].as_array().unwrap() {
        assert!(sent.get(key.as_str().unwrap()).is_some(), "required {key} missing");
    }
    assert_eq!(def["properties"]["sig"]["const"], "v4");
}

/// An answer that arrives after its request timed out is skipped: the next request gets
/// its own answer, not the late one.
#[test]
fn late_answers_are_skipped() {
    let all = scenarios();
    let script = "read -r h; echo '{\"type\":\"hello\",\"protocol\":1,\"name\":\"slow\"}'; read -r a; sleep 3; \
        echo '{\"type\":\"error\",\"id\":\"1\",\"message\":\"late\"}'; read -r b; \
        echo '{\"type\":\"error\",\"id\":\"2\",\"message\":\"on time\"}'; read -r c";
    let mut adapter = Adapter::spawn(script, &[], Duration::from_secs(2)).unwrap();
    let request = runner::request_for(
        &all[0],
        all[0].request.v2().unwrap(),
        amzsig::adapter::RequestKind::Sign,
        &all[0].request.endpoint,
    );
    let first = adapter.call(request.clone());
    assert!(matches!(first, Err(amzsig::adapter::AdapterError::Timeout(_))), "{first:?}");
    // The late answer to the first request arrives (at 3 s) while the second waits (2 s to
    // 4 s): it is skipped, and the second request's own answer follows.
    let second = adapter.call(request);
    assert!(
        matches!(&second, Ok(amzsig::adapter::Answer::Error { id: Some(id), message, .. }) if id == "2" && message == "on time"),
        "{second:?}"
    );
}

/// Every capability a shipped adapter announces (the `capabilities` lists in `clients/`
/// and `examples/`) is one the runner knows: an unknown word would stop the adapter at its
/// hello.
#[test]
fn shipped_adapters_announce_only_known_capabilities() {
    let root = crate::support::root();
    let mut files = Vec::new();
    for ext in [".py", ".js", ".php"] {
        files.extend(
            crate::support::files_with_ext(&root.join("clients"), ext)
                .into_iter()
                .filter(|f| !f.components().any(|c| c.as_os_str() == "node_modules")),
        );
    }
    files.push(root.join("examples/aws_sigv4_adapter.rs"));
    let mut seen = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for (at, _) in text.match_indices("capabilities") {
            // `"capabilities": [ ... ]`, `capabilities: [ ... ]` or `'capabilities' => array( ... )`.
            let rest = text[at + "capabilities".len()..].trim_start_matches(['"', '\'', ':', '=', '>', ' ']);
            let list = if let Some(r) = rest.strip_prefix('[') {
                r.split(']').next()
            } else {
                rest.strip_prefix("array(").and_then(|r| r.split(')').next())
            };
            let Some(list) = list else { continue };
            for word in list.split(['"', '\'']).skip(1).step_by(2) {
                assert!(
                    word.parse::<amzsig::adapter::Capability>().is_ok(),
                    "{}: unknown capability '{word}'",
                    f.display()
                );
                seen += 1;
            }
        }
    }
    assert!(seen > 40, "found only {seen} capability words in {} files", files.len());
}

/// A live run works from inside an async test: the mock runs on a runtime of its own.
#[tokio::test]
async fn live_mode_runs_inside_an_async_test() {
    let all = scenarios();
    let some: Vec<&Scenario> = all.iter().take(5).collect();
    let report = run_reference_adapter("", &some, Mode::Live);
    assert!(failures(&report).is_empty(), "{}", failures(&report).join("\n"));
    assert!(report.count(Status::Pass) >= 4, "{:?}", report.results);
}

/// A client that signs correctly but rewrites what it was asked to send (one value per name,
/// capitalised names, its own timestamp format: `tests/data/adapters/rewriting.py`) does not
/// pass the scenarios those rewrites defeat, offline or live, and each change is named.
#[test]
fn a_client_that_rewrites_the_request_deviates_instead_of_passing() {
    let all = scenarios();
    let wanted = [
        ("paapi-repeated-name-sorted-by-value", "dropped the second of 2 values of ItemId"),
        ("paapi-lowercase-name-sorts-last", "renamed foo to Foo"),
        (
            "paapi-timestamp-with-millis-and-offset",
            "Timestamp overwritten ('2014-08-18T14:00:00.123+02:00' sent as '2014-08-18T12:00:00Z')",
        ),
    ];
    let selected: Vec<&Scenario> =
        wanted.iter().map(|(name, _)| all.iter().find(|s| s.name == *name).expect("the scenario exists")).collect();
    let script = crate::support::root().join("tests/data/adapters/rewriting.py");
    let cmd = format!("python3 '{}' '{}'", script.display(), env!("CARGO_BIN_EXE_amzsig"));
    for mode in [Mode::Offline, Mode::Live] {
        let mut adapter = Adapter::spawn(&cmd, &[], Duration::from_secs(20)).expect("the rewriting adapter starts");
        let report = runner::run(&selected, &mut adapter, mode, &runner::RunOptions::default());
        assert!(!report.passed(), "{mode:?}: a run with deviations does not pass");
        for (result, (name, deviation)) in report.results.iter().zip(wanted) {
            assert_eq!(result.name, name);
            assert_eq!(result.status, Status::Deviates, "{mode:?} {name}: {:?}", result.message);
            assert!(result.deviations.iter().any(|d| d == deviation), "{mode:?} {name}: {:?}", result.deviations);
        }
        // Listed as known (a pattern list), the same results are expected failures.
        let known = runner::ExpectedFailure {
            client: "rewriting test client".to_owned(),
            scenario: "*".to_owned(),
            mode: None,
            deviations: Some(vec!["dropped *".to_owned(), "renamed *".to_owned(), "Timestamp overwritten*".to_owned()]),
            finding: "tests".to_owned(),
        };
        assert_eq!(known.problem(), None);
        let options = runner::RunOptions { expected_failures: vec![known], ..runner::RunOptions::default() };
        let mut adapter = Adapter::spawn(&cmd, &[], Duration::from_secs(20)).expect("the rewriting adapter starts");
        let report = runner::run(&selected, &mut adapter, mode, &options);
        assert!(report.passed(), "{mode:?}: every deviation is listed");
        assert_eq!(report.count(Status::ExpectedFail), 3, "{mode:?}");
    }
}

#[test]
fn a_wildcard_expected_failure_needs_a_deviation_list() {
    let entry = runner::ExpectedFailure {
        client: "c".to_owned(),
        scenario: "*".to_owned(),
        mode: None,
        deviations: None,
        finding: "f".to_owned(),
    };
    assert_eq!(entry.problem().as_deref(), Some("client 'c': scenario '*' needs a 'deviations' list"));
}

/// Every capability is enforced: a SigV4-only adapter is never sent a SigV2 request (each
/// SigV2 scenario is skipped, saying which capability is missing).
#[test]
fn sigv4_only_adapters_skip_the_v2_suite() {
    let all = scenarios();
    let v2: Vec<&Scenario> = all.iter().filter(|s| s.request.v2().is_some()).collect();
    let script = crate::support::root().join("tests/data/adapters/refusing.py");
    let mut adapter = Adapter::spawn(&format!("python3 '{}' sigv4", script.display()), &[], Duration::from_secs(20))
        .expect("the adapter starts");
    let report = runner::run(&v2, &mut adapter, Mode::Offline, &runner::RunOptions::default());
    assert_eq!(report.count(Status::Skip), v2.len(), "{:?}", failures(&report));
    assert!(report.results.iter().all(|r| r.message.as_deref() == Some("the adapter lacks 'sigv2'")));
}
