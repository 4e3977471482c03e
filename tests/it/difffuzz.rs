//! `amzsig fuzz` (differential fuzzing through the adapter protocol): nothing against the
//! reference adapter; against each deliberately broken adapter, the break is found, shrunk
//! to a minimal input and named.

use amzsig::adapter::Adapter;
use amzsig::diagnose::{v2, v4, Mistake};
use amzsig::fuzzer::{self, FuzzConfig};
use std::time::Duration;

fn adapter(mistake: Option<Mistake>) -> Adapter {
    let flag = mistake.map(|m| format!(" --mistake {}", m.id())).unwrap_or_default();
    Adapter::spawn(&format!("'{}' adapter{flag}", env!("CARGO_BIN_EXE_amzsig")), &[], Duration::from_secs(20)).unwrap()
}

/// A run of `cases` cases from `seed`, bounded to a minute, stopping at the first finding
/// when `first`.
fn config(cases: u32, seed: u64, first: bool) -> FuzzConfig {
    FuzzConfig { cases, seed, time_limit: Some(Duration::from_secs(60)), stop_at_first: first, progress: None }
}

/// Why the first finding of `report` does not name `m` as found, if it does not.
fn not_named(m: Mistake, report: &fuzzer::FuzzReport) -> Option<String> {
    let f = report.findings.first()?;
    // On a minimal input several mistakes can reproduce the same signature (e.g. a raw
    // form body with nothing to encode is also just "not sorted"): the mistake must be
    // among them.
    (!f.mistakes.iter().chain(&f.also).any(|x| x.split('+').any(|y| y == m.id())))
        .then(|| format!("{m}: found {:?} ({}), minimal {}", f.mistakes, f.failure, f.minimal.describe()))
}

#[test]
fn the_reference_adapter_agrees_with_the_verifier() {
    let mut a = adapter(None);
    let cfg = config(10_000, 20_261_123, false);
    let report = fuzzer::run(&mut a, &cfg);
    assert_eq!(report.cases, 10_000);
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
}

/// How many of a case's parameters the generator chose (not the service's own ones, PA-API's
/// `Service`, `Operation`, `AssociateTag` or MWS's `Action`, `SellerId`, that every case
/// opens with).
fn generated(params: &[(String, String)]) -> usize {
    let fixed = ["Service", "Operation", "AssociateTag", "Action", "SellerId"];
    params.iter().skip_while(|(n, _)| fixed.contains(&n.as_str())).count()
}

#[test]
fn every_broken_adapter_is_found_shrunk_and_named() {
    let mut problems = Vec::new();
    for m in v2::ALL {
        let mut a = adapter(Some(m));
        let cfg = config(5_000, 7, true);
        let report = fuzzer::run(&mut a, &cfg);
        match report.findings.first() {
            None => problems.push(format!("{m}: nothing found in {} cases", report.cases)),
            Some(_) if not_named(m, &report).is_some() => problems.extend(not_named(m, &report)),
            // Any change to the input changes the signature, so the shrinker must keep an
            // input whose signature happens to contain '+': no size bound for that mistake.
            // (The service's own parameters, which every case starts with, do not count.)
            Some(f)
                if f.minimal.v2().is_some_and(|c| generated(&c.params) > 2) && m != v2::SIGNATURE_PLUS_NOT_ENCODED =>
            {
                problems.push(format!("{m}: minimal input not small: {}", f.minimal.describe()));
            }
            Some(_) => {}
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn findings_become_a_scenario_file_that_loads() {
    let mut a = adapter(Some(v2::SPACE_AS_PLUS));
    let cfg = config(5_000, 11, true);
    let report = fuzzer::run(&mut a, &cfg);
    assert_eq!(report.findings.len(), 1);
    let text = fuzzer::scenario_file(&report);
    let scenarios = amzsig::scenario::from_yaml_str(&text, std::path::Path::new("fuzz-findings.yaml")).unwrap();
    assert_eq!(scenarios.len(), 1);
    assert_eq!(scenarios[0].catches, [v2::SPACE_AS_PLUS]);

    // A SigV4 finding becomes a SigV4 scenario that the correct reference passes and the
    // broken client still fails.
    let spawn = |flags: &str| {
        Adapter::spawn(
            &format!("'{}' adapter --sig v4{flags}", env!("CARGO_BIN_EXE_amzsig")),
            &[],
            Duration::from_secs(20),
        )
        .unwrap()
    };
    let report = fuzzer::run(&mut spawn(" --mistake v4-query-not-sorted"), &cfg);
    assert_eq!(report.findings.len(), 1);
    let text = fuzzer::scenario_file(&report);
    let scenarios = amzsig::scenario::from_yaml_str(&text, std::path::Path::new("fuzz-findings.yaml")).unwrap();
    assert_eq!(scenarios[0].catches, [v4::QUERY_NOT_SORTED], "{text}");
    let selected: Vec<_> = scenarios.iter().collect();
    let correct = crate::support::run_reference_adapter(" --sig v4", &selected, amzsig::runner::Mode::Offline);
    assert!(crate::support::failures(&correct).is_empty(), "{text}\n{:?}", crate::support::failures(&correct));
    let broken = crate::support::run_reference_adapter(
        " --sig v4 --mistake v4-query-not-sorted",
        &selected,
        amzsig::runner::Mode::Offline,
    );
    assert_eq!(broken.count(amzsig::runner::Status::Fail), 1, "{text}");
}

/// A run that tested nothing is not called clean: against a client that refuses every case
/// (SigV2 or SigV4) `amzsig fuzz` exits 2 and says why; against one that announces no scheme
/// it can generate, it exits 2 before sending anything.
#[test]
fn a_run_that_tests_nothing_exits_2_with_the_reason() {
    let script = crate::support::root().join("tests/data/adapters/refusing.py");
    for (capability, want) in [
        ("sigv2", "the client signed only 0 of 200 cases (50% needed; the rest it refused, e.g. 'ValueError: AssociateTag is required')"),
        ("sigv4", "the client signed only 0 of 200 cases (50% needed; the rest it refused"),
        ("send", "the adapter announces neither 'sigv2' nor 'sigv4' (with 'aws' or no service): amzsig fuzz has no case to send it"),
    ] {
        let client = format!("python3 '{}' {capability}", script.display());
        let out = crate::support::amzsig(&["fuzz", "--client", &client, "--cases", "200", "--seed", "1"], &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{capability}: {stderr}");
        assert!(stderr.contains(want), "{capability}: {stderr}");
    }
}

/// SigV4 is fuzzed too: against a SigV4-only client (`amzsig adapter --sig v4`) every case is
/// SigV4, the correct client agrees on every one, and each broken client's mistake is found,
/// shrunk and named.
#[test]
fn a_sigv4_only_client_is_fuzzed_with_sigv4_and_every_v4_mistake_is_found() {
    let spawn = |flags: &str| {
        Adapter::spawn(
            &format!("'{}' adapter --sig v4{flags}", env!("CARGO_BIN_EXE_amzsig")),
            &[],
            Duration::from_secs(20),
        )
        .unwrap()
    };
    let cfg = config(3_000, 20_261_207, false);
    let report = fuzzer::run(&mut spawn(""), &cfg);
    assert_eq!((report.cases, report.refused), (3_000, 0));
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    let mut problems = Vec::new();
    for m in v4::ALL {
        let cfg = config(3_000, 7, true);
        let report = fuzzer::run(&mut spawn(&format!(" --mistake {}", m.id())), &cfg);
        match report.findings.first() {
            None => problems.push(format!("{m}: nothing found in {} cases", report.cases)),
            Some(f) if f.minimal.v4().is_none() => problems.push(format!("{m}: a SigV2 case {}", f.minimal.describe())),
            Some(_) if not_named(m, &report).is_some() => problems.extend(not_named(m, &report)),
            Some(_) => {}
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Findings with one root cause are grouped: a client that never encodes names
/// (`tests/data/adapters/raw_names.py`) shows it through `é` (a wrong signature), `#`, `%`
/// and `!` (other wires), and they come back as one `names-not-encoded` finding whose other
/// inputs are listed under `same_cause`.
#[test]
fn findings_with_one_cause_are_grouped() {
    let script = crate::support::root().join("tests/data/adapters/raw_names.py");
    let mut a = Adapter::spawn(&format!("python3 '{}'", script.display()), &[], Duration::from_secs(20)).unwrap();
    let cfg = config(2_000, 3, false);
    let report = fuzzer::run(&mut a, &cfg);
    let root = report.findings.first().expect("a finding");
    assert_eq!(root.mistakes, ["names-not-encoded"], "{:#?}", report.findings);
    assert!(root.same_cause.len() >= 3, "{:#?}", root.same_cause);
    let grouped = report.findings.iter().map(|f| 1 + f.same_cause.len()).sum::<usize>();
    assert!(report.findings.len() * 2 <= grouped, "{} findings for {grouped} minimal inputs", report.findings.len());
}
