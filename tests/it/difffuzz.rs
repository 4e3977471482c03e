//! `amzsig fuzz` (differential fuzzing through the adapter protocol): nothing against the
//! reference adapter; against each deliberately broken adapter, the break is found, shrunk
//! to a minimal input and named.

use amzsig::adapter::Adapter;
use amzsig::diagnose::{v2, Mistake};
use amzsig::fuzzer::{self, FuzzConfig};
use std::time::Duration;

fn adapter(mistake: Option<Mistake>) -> Adapter {
    let flag = mistake.map(|m| format!(" --mistake {}", m.id())).unwrap_or_default();
    Adapter::spawn(&format!("'{}' adapter{flag}", env!("CARGO_BIN_EXE_amzsig")), &[], Duration::from_secs(20)).unwrap()
}

#[test]
fn the_reference_adapter_agrees_with_the_verifier() {
    let mut a = adapter(None);
    let config = FuzzConfig { cases: 10_000, seed: 20_261_123, time_limit: None, stop_at_first: false, progress: None };
    let report = fuzzer::run(&mut a, &config);
    assert_eq!(report.cases, 10_000);
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
}

#[test]
fn every_broken_adapter_is_found_shrunk_and_named() {
    let mut problems = Vec::new();
    for m in v2::ALL {
        let mut a = adapter(Some(m));
        let config = FuzzConfig {
            cases: 5_000,
            seed: 7,
            time_limit: Some(Duration::from_secs(60)),
            stop_at_first: true,
            progress: None,
        };
        let report = fuzzer::run(&mut a, &config);
        match report.findings.first() {
            None => problems.push(format!("{m}: nothing found in {} cases", report.cases)),
            // On a minimal input several mistakes can reproduce the same signature (e.g. a raw
            // form body with nothing to encode is also just "not sorted"): the mistake must be
            // among them.
            Some(f) if !f.mistakes.iter().chain(&f.also).any(|x| x.split('+').any(|y| y == m.id())) => {
                problems.push(format!("{m}: found {:?} ({}), minimal {:?}", f.mistakes, f.failure, f.minimal.params));
            }
            // Any change to the input changes the signature, so the shrinker must keep an
            // input whose signature happens to contain '+': no size bound for that mistake.
            Some(f) if f.minimal.params.len() > 2 && m != v2::SIGNATURE_PLUS_NOT_ENCODED => {
                problems.push(format!("{m}: minimal input not small: {:?}", f.minimal.params));
            }
            Some(_) => {}
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn findings_become_a_scenario_file_that_loads() {
    let mut a = adapter(Some(v2::SPACE_AS_PLUS));
    let config = FuzzConfig { cases: 5_000, seed: 11, time_limit: None, stop_at_first: true, progress: None };
    let report = fuzzer::run(&mut a, &config);
    assert_eq!(report.findings.len(), 1);
    let text = fuzzer::scenario_file(&report);
    let scenarios = amzsig::scenario::from_yaml_str(&text, std::path::Path::new("fuzz-findings.yaml")).unwrap();
    assert_eq!(scenarios.len(), 1);
    assert_eq!(scenarios[0].catches, [v2::SPACE_AS_PLUS]);
}
