//! Runs the scenario suite against an adapter and produces a [`RunReport`] (data only;
//! `report` renders it).
//!
//! - `offline`: the adapter signs (`sign`); amzsig answers what it would send with the
//!   mock's one pipeline ([`crate::services::pipeline::process`]) in-process at the suite
//!   time, explanation included.
//! - `live`: the runner starts the mock on 127.0.0.1:0; the adapter signs *and sends*
//!   (`send`); the verdict and explanation come from the mock's journal.
//! - Every scheme takes both paths; `requests` builds each scheme's protocol request and
//!   checks the adapter's capabilities; `detail` turns an explanation into a report's
//!   [`Detail`]. The modules form a tree: `offline` and `live` use `requests` and
//!   `detail`, which use neither.

mod detail;
mod live;
mod offline;
mod requests;

pub use detail::{first_difference, Detail};
pub use requests::{request_for, request_for_v4};

use crate::adapter::{Adapter, AdapterError, Answer, Capability, Hello};
use crate::catalogue::Catalogue;
use crate::clock::UtcTime;
use crate::keystore::Keystore;
use crate::scenario::{Expected, Scenario, SUITE_TIME};
use crate::services::Verdict;
use serde::Serialize;
use std::sync::OnceLock;
use std::time::Instant;

/// Why a live run's mock could not start (its scenarios are skipped with this reason).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The async runtime the mock runs on could not be built.
    #[error(transparent)]
    Runtime(std::io::Error),
    /// The mock server did not start.
    #[error(transparent)]
    Server(crate::server::ServerError),
}

/// Offline or live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// The adapter signs; amzsig judges in-process.
    Offline,
    /// The adapter sends to a running mock.
    Live,
}

/// A scenario's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Got what a correct client gets.
    Pass,
    /// Did not.
    Fail,
    /// Failed, as recorded in the expected-failures list (a known finding).
    ExpectedFail,
    /// Listed as an expected failure but passed.
    UnexpectedPass,
    /// Not run (capability missing, or not reproducible in this mode).
    Skip,
}

/// One scenario's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScenarioResult {
    /// Scenario name.
    pub name: String,
    /// Service (`paapi`, `mws`).
    pub service: String,
    /// The rule it checks.
    pub rule: String,
    /// Its tags.
    pub tags: Vec<String>,
    /// Result.
    pub status: Status,
    /// What a correct client gets.
    pub expected: String,
    /// What this client got.
    pub got: String,
    /// Why it failed (diagnosis, strings to sign), when it did.
    pub detail: Option<Detail>,
    /// A short message (skip reason, adapter error, expected-failure note).
    pub message: Option<String>,
    /// Time taken, microseconds.
    pub micros: u64,
}

/// The whole run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunReport {
    /// The adapter's hello.
    pub client: Hello,
    /// Offline or live.
    pub mode: Mode,
    /// Every scenario, in suite order.
    pub results: Vec<ScenarioResult>,
    /// Total time, microseconds.
    pub micros: u64,
}

impl RunReport {
    /// How many results have `status`.
    pub fn count(&self, status: Status) -> usize {
        self.results.iter().filter(|r| r.status == status).count()
    }

    /// True when nothing failed unexpectedly.
    pub fn passed(&self) -> bool {
        self.count(Status::Fail) == 0
    }
}

/// A known client deviation that CI accepts (from `scenarios/expected-failures.yaml`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedFailure {
    /// The adapter's hello name (exact).
    pub client: String,
    /// Scenario name.
    pub scenario: String,
    /// `offline`, `live`, or `any` (default).
    #[serde(default)]
    pub mode: Option<String>,
    /// Where it is written up (e.g. `clients/FINDINGS.md#...`).
    pub finding: String,
}

/// Options of a run.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Known deviations.
    pub expected_failures: Vec<ExpectedFailure>,
    /// Called after each scenario with (done, total, failures so far).
    pub progress: Option<fn(usize, usize, usize)>,
}

/// Runs `scenarios` against `adapter` in `mode`.
pub fn run(scenarios: &[&Scenario], adapter: &mut Adapter, mode: Mode, options: &RunOptions) -> RunReport {
    let start = Instant::now();
    let mut live = match mode {
        Mode::Live => Some(live::LiveMock::start(adapter.can(Capability::OwnClock))),
        Mode::Offline => None,
    };
    let mut results = Vec::with_capacity(scenarios.len());
    let mut failures = 0;
    for (i, s) in scenarios.iter().enumerate() {
        let t0 = Instant::now();
        let mut result = match &mut live {
            None => offline::offline(s, adapter),
            Some(Ok(mock)) => live::live(s, adapter, mock),
            Some(Err(e)) => skipped(s, format!("the mock could not start: {}", crate::adapter::error_chain(e))),
        };
        result.micros = u64::try_from(t0.elapsed().as_micros()).unwrap_or(u64::MAX);
        apply_expected(&mut result, &adapter.hello.name, mode, &options.expected_failures);
        if result.status == Status::Fail {
            failures += 1;
        }
        results.push(result);
        if let Some(p) = options.progress {
            p(i + 1, scenarios.len(), failures);
        }
    }
    RunReport {
        client: adapter.hello.clone(),
        mode,
        results,
        micros: u64::try_from(start.elapsed().as_micros()).unwrap_or(u64::MAX),
    }
}

fn apply_expected(result: &mut ScenarioResult, client: &str, mode: Mode, list: &[ExpectedFailure]) {
    let mode_name = match mode {
        Mode::Offline => "offline",
        Mode::Live => "live",
    };
    let Some(known) = list.iter().find(|e| {
        e.client == client
            && e.scenario == result.name
            && e.mode.as_deref().is_none_or(|m| m == "any" || m == mode_name)
    }) else {
        return;
    };
    match result.status {
        Status::Fail => {
            result.status = Status::ExpectedFail;
            result.message = Some(format!("known deviation: {}", known.finding));
        }
        Status::Pass => {
            result.status = Status::UnexpectedPass;
            result.message =
                Some(format!("listed as a known deviation ({}) but passed: update the list", known.finding));
        }
        _ => {}
    }
}

fn describe(expected: &Expected) -> String {
    match expected {
        Expected::Accepted => "accepted".to_owned(),
        Expected::Error(code) => code.clone(),
    }
}

fn adapter_failure(s: &Scenario, e: &AdapterError) -> ScenarioResult {
    let mut r = base_result(s);
    r.status = Status::Fail;
    "adapter error".clone_into(&mut r.got);
    r.message = Some(format!("{e}"));
    r
}

fn refused_by_client(s: &Scenario, message: &str) -> ScenarioResult {
    let mut r = base_result(s);
    r.status = Status::Fail;
    "client refused to sign".clone_into(&mut r.got);
    r.message = Some(message.to_owned());
    r
}

fn unexpected_answer(s: &Scenario, answer: &Answer) -> ScenarioResult {
    let mut r = base_result(s);
    r.status = Status::Fail;
    "unexpected answer".clone_into(&mut r.got);
    r.message = Some(format!("{answer:?}"));
    r
}

fn suite_time() -> UtcTime {
    UtcTime::parse_iso8601(SUITE_TIME).unwrap_or(UtcTime::from_unix_secs(0))
}

fn world() -> &'static (Keystore, Catalogue) {
    static WORLD: OnceLock<(Keystore, Catalogue)> = OnceLock::new();
    WORLD.get_or_init(|| (Keystore::embedded_default(), Catalogue::embedded_default()))
}

fn base_result(s: &Scenario) -> ScenarioResult {
    let expected = match (&s.live.expect_last, s.live.repeat > 1) {
        (Some(e), true) => describe(e),
        _ => describe(&s.expect),
    };
    ScenarioResult {
        name: s.name.clone(),
        service: s.service.as_str().to_owned(),
        rule: s.rule.clone(),
        tags: s.tags.clone(),
        status: Status::Skip,
        expected,
        got: String::new(),
        detail: None,
        message: None,
        micros: 0,
    }
}

/// A failure: the client's signed request cannot be turned into a request (`message` says why).
fn unusable_request(s: &Scenario, message: String) -> ScenarioResult {
    let mut r = base_result(s);
    r.status = Status::Fail;
    "unusable request".clone_into(&mut r.got);
    r.message = Some(message);
    r
}

fn skipped(s: &Scenario, why: String) -> ScenarioResult {
    let mut r = base_result(s);
    r.message = Some(why);
    r
}

fn matches(expected: &Expected, verdict: Verdict, error_code: Option<&str>) -> bool {
    match expected {
        // Authenticated and answered: in-band PA-API answers (e.g. NoExactMatches) count.
        Expected::Accepted => verdict == Verdict::Accepted,
        Expected::Error(code) => error_code == Some(code.as_str()),
    }
}

fn got_text(verdict: Verdict, error_code: Option<&str>, status: u16) -> String {
    match (verdict, error_code) {
        (Verdict::Accepted, Some(code)) => format!("accepted, in-band {code} ({status})"),
        (_, Some(code)) => format!("{code} ({status})"),
        (Verdict::Accepted, None) => "accepted".to_owned(),
        (Verdict::Refused, None) => format!("refused ({status})"),
    }
}
