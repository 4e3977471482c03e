//! `amzsig run`: runs the scenario suite against a signing client through an adapter and
//! reports which rules it breaks.

use super::{EXIT_FAILED, EXIT_OK};
use crate::adapter::Adapter;
use crate::report::{self, Format};
use crate::runner::{self, ExpectedFailure, Mode, RunOptions};
use crate::scenario;
use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

/// Run the scenario suite against a signing client (through an adapter process).
///
/// Example: amzsig run --client 'clients/.venv/bin/python clients/botocore_sigv2.py'
///
/// The adapter protocol is described in docs/adapters.md. Exit status 0 when every
/// scenario passes (known deviations listed in the expected-failures file do not count),
/// 1 when one fails, 2 on bad input.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The adapter command (run through `sh -c`).
    #[arg(long, value_name = "CMD")]
    client: String,

    /// Folder of scenario files.
    #[arg(long, value_name = "DIR", default_value = "scenarios")]
    scenarios: PathBuf,

    /// Only scenarios with this tag, service (paapi, mws, paapi5, aws), signature version
    /// (v2, v4) or name; repeatable.
    #[arg(long, value_name = "TAG")]
    tag: Vec<String>,

    /// Only scenarios whose name contains this text.
    #[arg(long, value_name = "TEXT")]
    filter: Option<String>,

    /// Offline: the client signs, amzsig judges. Live: the client sends to a mock amzsig starts.
    #[arg(long, value_enum, default_value = "offline")]
    mode: ModeArg,

    /// Report format.
    #[arg(long, value_enum, default_value = "text")]
    report: ReportArg,

    /// Write the report here instead of stdout.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,

    /// Known client deviations CI accepts (default: <scenarios>/expected-failures.yaml if present).
    #[arg(long, value_name = "FILE")]
    expected: Option<PathBuf>,

    /// List the selected scenarios and exit.
    #[arg(long)]
    list: bool,

    /// Seconds to wait for each adapter answer.
    #[arg(long, default_value_t = 10, value_name = "SECONDS")]
    timeout: u64,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ModeArg {
    Offline,
    Live,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ReportArg {
    Text,
    Json,
    Junit,
}

fn progress(done: usize, total: usize, failed: usize) {
    let mut err = std::io::stderr();
    let _ = write!(err, "\r[{done}/{total}] {failed} failed");
    if done == total {
        let _ = writeln!(err);
    }
}

pub(super) fn run(args: &RunArgs) -> Result<u8> {
    let all = scenario::load_dir(&args.scenarios)?;
    let selected: Vec<&scenario::Scenario> = all
        .iter()
        .filter(|s| args.tag.is_empty() || args.tag.iter().any(|t| s.matches_tag(t)))
        .filter(|s| args.filter.as_deref().is_none_or(|f| s.name.contains(f)))
        .collect();
    if args.list {
        for s in &selected {
            emitln!("{:<6} {:<48} {}", s.service.as_str(), s.name, s.rule);
        }
        return Ok(EXIT_OK);
    }
    if selected.is_empty() {
        bail!("no scenario matches in {}", args.scenarios.display());
    }
    let expected_path = args.expected.clone().unwrap_or_else(|| args.scenarios.join("expected-failures.yaml"));
    let expected_failures: Vec<ExpectedFailure> = if expected_path.exists() {
        let text = std::fs::read_to_string(&expected_path)
            .with_context(|| format!("cannot read {}", expected_path.display()))?;
        let list: Vec<ExpectedFailure> = serde_yaml::from_str(&text)
            .with_context(|| format!("invalid expected-failures file {}", expected_path.display()))?;
        if let Some(problem) = list.iter().find_map(ExpectedFailure::problem) {
            bail!("invalid expected-failures file {}: {problem}", expected_path.display());
        }
        list
    } else {
        Vec::new()
    };
    let mut adapter = Adapter::spawn(&args.client, &[], Duration::from_secs(args.timeout))?;
    let mode = match args.mode {
        ModeArg::Offline => Mode::Offline,
        ModeArg::Live => Mode::Live,
    };
    let options = RunOptions {
        expected_failures,
        progress: std::io::stderr().is_terminal().then_some(progress as fn(usize, usize, usize)),
    };
    let report = runner::run(&selected, &mut adapter, mode, &options);
    let format = match args.report {
        ReportArg::Text => Format::Text,
        ReportArg::Json => Format::Json,
        ReportArg::Junit => Format::Junit,
    };
    let rendered = report::render(&report, format);
    match &args.out {
        Some(path) => std::fs::write(path, &rendered).with_context(|| format!("cannot write {}", path.display()))?,
        None => super::emit(&rendered),
    }
    if args.out.is_some() || !matches!(format, Format::Text) {
        eprintln!(
            "{} scenarios: {} passed, {} failed",
            report.results.len(),
            report.count(runner::Status::Pass),
            report.count(runner::Status::Fail)
        );
    }
    Ok(if report.passed() { EXIT_OK } else { EXIT_FAILED })
}
