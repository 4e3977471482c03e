//! The scenario runner on the SigV4 suite (`scenarios/sigv4/`): the reference adapter
//! passes every scenario offline (the mock's services in-process) and live (a real
//! `MockServer` on 127.0.0.1), and a deliberately broken adapter per SigV4 mistake
//! (`amzsig adapter --mistake v4-…`) fails exactly the scenarios that claim to catch that
//! mistake, with the mistake named by the diagnosis.

use crate::support::{failures, names_mistake, run_reference_adapter, scenarios};
use amzsig::adapter::Adapter;
use amzsig::diagnose::{v4, SchemeId};
use amzsig::report::{self, Format};
use amzsig::runner::{self, Mode, RunOptions, Status};
use amzsig::scenario::{self, Scenario, Service};
use std::time::Duration;

fn v4_scenarios() -> Vec<Scenario> {
    scenarios().into_iter().filter(|s| s.sig() == SchemeId::V4).collect()
}

#[test]
fn v4_suite_is_complete_and_every_v4_mistake_is_caught_somewhere() {
    let all = v4_scenarios();
    assert!(all.len() >= 40, "{} SigV4 scenarios", all.len());
    for s in &all {
        assert!(matches!(s.service, Service::Paapi5 | Service::Aws), "{}", s.name);
        assert!(!s.rule.is_empty() && !s.source.is_empty() && !s.tags.is_empty(), "{} lacks rule/source/tags", s.name);
        assert!(
            s.catches.iter().all(|m| m.scheme() == SchemeId::V4),
            "{}: SigV4 scenarios catch v4- mistakes only",
            s.name
        );
    }
    for m in v4::ALL {
        assert!(all.iter().any(|s| s.catches.contains(&m)), "no scenario catches {}", m.id());
    }
    // The areas the suite must cover, by tag.
    for tag in ["paapi5", "locale", "query", "json", "s3", "presign", "token", "headers", "path", "scope", "time"] {
        assert!(all.iter().any(|s| s.tags.iter().any(|t| t == tag)), "no scenario tagged {tag}");
    }
    let refused: Vec<_> = all.iter().filter(|s| s.expect != scenario::Expected::Accepted).collect();
    assert!(refused.len() >= 10, "only {} refusal scenarios", refused.len());
}

#[test]
fn reference_adapter_passes_every_v4_scenario_offline() {
    let all = v4_scenarios();
    let report = run_reference_adapter("", &all.iter().collect::<Vec<_>>(), Mode::Offline);
    assert_eq!(report.count(Status::Skip), 0);
    assert!(failures(&report).is_empty(), "{}", failures(&report).join("\n"));
    assert_eq!(report.count(Status::Pass), all.len());
}

#[test]
fn reference_adapter_passes_every_v4_scenario_live() {
    let all = v4_scenarios();
    let report = run_reference_adapter("", &all.iter().collect::<Vec<_>>(), Mode::Live);
    assert_eq!(report.count(Status::Skip), 0, "{:?}", report.results.iter().find(|r| r.status == Status::Skip));
    assert!(failures(&report).is_empty(), "{}", failures(&report).join("\n"));
}

#[test]
fn each_v4_broken_adapter_fails_the_scenarios_that_catch_its_mistake() {
    let all = v4_scenarios();
    let mut problems = Vec::new();
    for m in v4::ALL {
        let catching: Vec<&Scenario> = all.iter().filter(|s| s.catches.contains(&m)).collect();
        let report = run_reference_adapter(&format!(" --mistake {}", m.id()), &catching, Mode::Offline);
        for r in &report.results {
            if r.status != Status::Fail || !names_mistake(r, m.id()) {
                problems.push(format!(
                    "{}: {} -> {:?} {}, detail {:?}",
                    m.id(),
                    r.name,
                    r.status,
                    r.got,
                    r.detail.as_ref().map(|d| &d.mistakes)
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Live, the mock's own diagnosis reaches the report, and a client refused for the wrong
/// region gets the region-scope error over a real socket.
#[test]
fn broken_adapter_live_gets_the_mocks_diagnosis_and_refusals() {
    let all = v4_scenarios();
    let pick = |names: &[&str]| -> Vec<&Scenario> { all.iter().filter(|s| names.contains(&s.name.as_str())).collect() };
    let report =
        run_reference_adapter(" --mistake v4-query-not-sorted", &pick(&["query-unsorted-on-the-wire"]), Mode::Live);
    let r = &report.results[0];
    assert_eq!(r.status, Status::Fail, "{r:?}");
    assert!(r.got.starts_with("SignatureDoesNotMatch (403)"), "{}", r.got);
    assert!(r.message.as_deref().is_some_and(|m| m.contains("v4-query-not-sorted")), "{:?}", r.message);
    // The diagnosis is in the structured detail too (every scheme, live as offline).
    let detail = r.detail.as_ref().expect("a live SigV4 failure carries its detail");
    assert_eq!(detail.mistakes, ["v4-query-not-sorted"]);
    assert!(detail.expected_canonical_request.is_some() && detail.client_string_to_sign.is_some(), "{detail:?}");

    let report = run_reference_adapter(
        " --mistake v4-wrong-region",
        &pick(&["paapi5-searchitems-uk", "kms-list-keys-json-1-1"]),
        Mode::Live,
    );
    let got: Vec<&str> = report.results.iter().map(|r| r.got.as_str()).collect();
    assert_eq!(got, ["InvalidSignatureException (400)", "InvalidSignature (401)"], "{report:?}");
}

#[test]
fn v4_reports_show_the_canonical_requests_and_no_secret() {
    let all = v4_scenarios();
    let selected: Vec<&Scenario> =
        all.iter().filter(|s| s.name == "query-unsorted-on-the-wire" || s.name == "sts-session-token").collect();
    let report = run_reference_adapter(" --mistake v4-query-not-sorted", &selected, Mode::Offline);
    let text = report::render(&report, Format::Text);
    assert!(text.contains("FAIL aws/query-unsorted-on-the-wire"), "{text}");
    assert!(text.contains("diagnosis: v4-query-not-sorted"), "{text}");
    assert!(
        text.contains("expected canonical request: GET\\n/\\nAction=ListUsers&MaxItems=10&Version=2010-05-08\\n"),
        "{text}"
    );
    let json = report::render(&report, Format::Json);
    let junit = report::render(&report, Format::Junit);
    for out in [&text, &json, &junit] {
        assert!(!out.contains("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), "the secret reached a report");
        assert!(!out.contains("AQoDYXdzEPT//////////wEXAMPLE"), "the session token reached a report");
    }
    let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(parsed["results"][0]["detail"]["mistakes"][0], "v4-query-not-sorted");
    assert!(amzsig::xml::parse(&junit).is_ok());
}

/// An adapter that speaks SigV2 only is never sent a SigV4 request: every SigV4 scenario
/// is skipped with the reason.
#[test]
fn sigv2_only_adapters_skip_the_v4_suite() {
    let all = v4_scenarios();
    let selected: Vec<&Scenario> = all.iter().take(3).collect();
    let script = "while read -r line; do case \"$line\" in \
        *'\"hello\"'*) echo '{\"type\":\"hello\",\"protocol\":1,\"name\":\"v2 only\",\"capabilities\":[\"sigv2\"]}';; \
        *) echo '{\"type\":\"error\",\"message\":\"got a request\"}';; esac; done";
    let mut adapter = Adapter::spawn(script, &[], Duration::from_secs(10)).unwrap();
    let report = runner::run(&selected, &mut adapter, Mode::Offline, &RunOptions::default());
    assert_eq!(report.count(Status::Skip), 3, "{report:?}");
    assert!(report.results.iter().all(|r| r.message.as_deref() == Some("the adapter lacks 'sigv4'")));
}
