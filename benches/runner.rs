//! Runner and fuzzer overhead: the whole scenario suite offline against the reference
//! adapter in persistent mode, and 1,000 differential-fuzzing cases, each beside the bare
//! adapter round trips for the suite's requests (no judging) in the same run. `benches/report.py` turns the medians into scenarios per
//! second and the ratio recorded in `BENCHMARKS.md`.

use amzsig::adapter::{Adapter, AnyRequest, RequestKind};
use amzsig::fuzzer::{self, FuzzConfig};
use amzsig::runner::{self, Mode, RunOptions};
use amzsig::scenario::{self, Inputs, Scenario};
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::time::Duration;

fn suite(c: &mut Criterion) {
    let all: Vec<Scenario> =
        scenario::load_dir(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios"))).unwrap();
    let selected: Vec<&Scenario> = all.iter().collect();
    let cmd = format!("'{}' adapter", env!("CARGO_BIN_EXE_amzsig"));
    let mut adapter = Adapter::spawn(&cmd, &[], Duration::from_secs(10)).unwrap();
    // Each scenario's own request shape: SigV2 parameters, or the SigV4 request.
    let requests: Vec<AnyRequest> = selected
        .iter()
        .map(|s| match &s.request.inputs {
            Inputs::V4(v4) => {
                AnyRequest::V4(runner::request_for_v4(s, v4, RequestKind::Sign, &s.request.endpoint, None))
            }
            Inputs::V2(v2) => AnyRequest::V2(runner::request_for(s, v2, RequestKind::Sign, &s.request.endpoint)),
        })
        .collect();

    let mut g = c.benchmark_group("runner_offline_suite");
    g.sample_size(30);
    g.bench_function("baseline_adapter_round_trips", |b| {
        b.iter(|| {
            for r in &requests {
                black_box(adapter.call_any(r.clone()).unwrap());
            }
        });
    });
    g.bench_function("run_suite", |b| {
        b.iter(|| black_box(runner::run(&selected, &mut adapter, Mode::Offline, &RunOptions::default())));
    });
    g.finish();

    // Differential fuzzing: 1,000 generated cases per iteration through the same adapter.
    let mut g = c.benchmark_group("fuzz_reference");
    g.sample_size(10);
    g.bench_function("baseline_adapter_round_trips", |b| {
        b.iter(|| {
            for r in &requests {
                black_box(adapter.call_any(r.clone()).unwrap());
            }
        });
    });
    g.bench_function("fuzz_1000_cases", |b| {
        let config = FuzzConfig { cases: 1000, seed: 1, time_limit: None, stop_at_first: false, progress: None };
        b.iter(|| black_box(fuzzer::run(&mut adapter, &config)));
    });
    g.finish();
}

criterion_group!(benches, suite);
criterion_main!(benches);
