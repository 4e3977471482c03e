//! `amzsig fuzz`: differential fuzzing of a signing client through its adapter.

use super::{EXIT_FAILED, EXIT_OK};
use crate::adapter::Adapter;
use crate::fuzzer::{self, FuzzConfig};
use anyhow::{bail, Context, Result};
use clap::Args;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

/// Fuzz a signing client: generated requests, checked against amzsig's verifier, every
/// disagreement shrunk to a minimal input and diagnosed.
///
/// Example: amzsig fuzz --client 'clients/botocore_sigv2.py' --cases 20000 --seed 7
///
/// Exit status 0 when nothing was found, 1 when something was, 2 on bad input, on an
/// adapter that does not announce `sigv2` (only SigV2 cases are generated) and when the
/// client refused so many cases (`--min-tested`) that a clean result would mean nothing.
#[derive(Debug, Args)]
pub struct FuzzArgs {
    /// The adapter command (run through `sh -c`; protocol in docs/adapters.md).
    #[arg(long, value_name = "CMD")]
    client: String,

    /// How many cases to generate at most.
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    cases: u32,

    /// Seed of the generator (default: from the clock; printed, so a run can be repeated).
    #[arg(long, value_name = "S")]
    seed: Option<u64>,

    /// Stop after this many seconds.
    #[arg(long, value_name = "SECONDS")]
    time: Option<u64>,

    /// Stop at the first finding.
    #[arg(long)]
    stop_at_first: bool,

    /// Write the JSON report here.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,

    /// Write the findings as a ready-to-commit scenario file here.
    #[arg(long, value_name = "FILE")]
    scenario_out: Option<PathBuf>,

    /// The share of cases (percent) the client must sign, not refuse, for a run without
    /// findings to count as clean; below it the run exits 2.
    #[arg(long, default_value_t = 50, value_name = "PERCENT", value_parser = clap::value_parser!(u8).range(0..=100))]
    min_tested: u8,
}

fn progress(cases: u64, findings: usize, seconds: f64) {
    #[allow(clippy::cast_precision_loss)] // a display rate
    let rate = cases as f64 / seconds.max(1e-9);
    let _ = write!(std::io::stderr(), "\r{cases} cases, {rate:.0}/s, {findings} findings   ");
}

pub(super) fn run(args: &FuzzArgs) -> Result<u8> {
    let seed = args.seed.unwrap_or_else(|| u64::try_from(crate::clock::Clock::System.now().unix_millis()).unwrap_or(1));
    let mut adapter = Adapter::spawn(&args.client, &[], Duration::from_secs(10))?;
    if let Some(why) = fuzzer::unfuzzable(&adapter) {
        bail!("{why}");
    }
    let config = FuzzConfig {
        cases: args.cases,
        seed,
        time_limit: args.time.map(Duration::from_secs),
        stop_at_first: args.stop_at_first,
        progress: std::io::stderr().is_terminal().then_some(progress as fn(u64, usize, f64)),
    };
    let report = fuzzer::run(&mut adapter, &config);
    if config.progress.is_some() {
        eprintln!();
    }
    #[allow(clippy::cast_precision_loss)]
    let rate = report.cases as f64 / report.seconds.max(1e-9);
    emitln!(
        "amzsig fuzz: {} {} — {} cases in {:.1} s ({rate:.0}/s), seed {seed}, {} refused, {} findings",
        report.client.name,
        report.client.version,
        report.cases,
        report.seconds,
        report.refused,
        report.findings.len()
    );
    for (i, f) in report.findings.iter().enumerate() {
        emitln!(
            "\n#{} {}",
            i + 1,
            if f.mistakes.is_empty() { "unknown mistake".to_owned() } else { f.mistakes.join(" + ") }
        );
        emitln!("  failure: {}", f.failure);
        emitln!("  minimal input: {}", f.minimal.describe());
        for other in &f.same_cause {
            emitln!("  same cause:    {}", other.describe());
        }
        if let (Some(want), Some(got)) = (&f.expected_string_to_sign, &f.client_string_to_sign) {
            emitln!("  expected string to sign: {}", want.replace('\n', "\\n"));
            emitln!("  client string to sign:   {}", got.replace('\n', "\\n"));
        }
    }
    if let Some(path) = &args.out {
        let json = serde_json::to_string_pretty(&report).context("cannot serialise the report")?;
        std::fs::write(path, json).with_context(|| format!("cannot write {}", path.display()))?;
    }
    if let Some(path) = &args.scenario_out {
        std::fs::write(path, fuzzer::scenario_file(&report))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    if !report.findings.is_empty() {
        return Ok(EXIT_FAILED);
    }
    if let Some(why) = report.too_little_tested(args.min_tested) {
        bail!("{why}");
    }
    Ok(EXIT_OK)
}
