//! Runs the scenario suite against an adapter and produces a [`RunReport`] (data only;
//! `report` renders it).
//!
//! - Offline: the adapter signs (`sign`); amzsig judges what it would send by running the
//!   mock's pure service logic in-process at the suite time, and diagnoses any signature
//!   failure with the scenario's secret.
//! - Live: the runner starts the mock on 127.0.0.1:0 (fixed clock, throttling on, buckets
//!   reset before each scenario); the adapter signs *and sends* (`send`) with its own HTTP
//!   stack; the verdict comes from the mock's journal (so retries are visible).
//! - SigV4 scenarios (`v4`) follow the same two paths with the adapter protocol's SigV4
//!   request; see the `v4` module for the Host and clock rules.

mod judge;
mod v4;

pub use judge::{first_difference, Detail};
pub use v4::request_for_v4;

use crate::adapter::protocol::{Request, WireCredentials};
use crate::adapter::{Adapter, AdapterError, Answer, Capability, Hello, RequestKind};
use crate::scenario::{Expected, Scenario};
use serde::Serialize;
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
        Mode::Live => Some(judge::LiveMock::start(adapter.can(Capability::OwnClock))),
        Mode::Offline => None,
    };
    let mut results = Vec::with_capacity(scenarios.len());
    let mut failures = 0;
    for (i, s) in scenarios.iter().enumerate() {
        let t0 = Instant::now();
        let mut result = match &mut live {
            None => judge::offline(s, adapter),
            Some(Ok(mock)) => judge::live(s, adapter, mock),
            Some(Err(e)) => judge::skipped(s, format!("the mock could not start: {}", crate::adapter::error_chain(e))),
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

/// The adapter request for a scenario (endpoint possibly replaced for live mode).
pub fn request_for(s: &Scenario, kind: RequestKind, endpoint: &str) -> Request {
    let mut params = s.request.params.clone();
    if s.request.signature_needs_plus {
        params.push(("Nonce".to_owned(), judge::nonce_for_plus(s, endpoint).to_string()));
    }
    Request {
        kind,
        id: String::new(),
        sig: crate::scenario::Sig::V2,
        method: s.request.method.clone(),
        endpoint: endpoint.to_owned(),
        params,
        credentials: WireCredentials {
            access_key_id: s.request.credentials.access_key_id.clone(),
            secret_key: s.request.credentials.secret_key.clone(),
            session_token: s.request.credentials.session_token.clone(),
        },
        timestamp: if s.request.expires.is_some() { None } else { s.request.timestamp.clone() },
        expires: s.request.expires.clone(),
        signature_method: s.request.signature_method,
        location: s.request.location,
    }
}

fn describe(expected: &Expected) -> String {
    match expected {
        Expected::Accepted => "accepted".to_owned(),
        Expected::Error(code) => code.clone(),
    }
}

fn adapter_failure(s: &Scenario, e: &AdapterError) -> ScenarioResult {
    let mut r = judge::base_result(s);
    r.status = Status::Fail;
    "adapter error".clone_into(&mut r.got);
    r.message = Some(format!("{e}"));
    r
}

fn refused_by_client(s: &Scenario, message: &str) -> ScenarioResult {
    let mut r = judge::base_result(s);
    r.status = Status::Fail;
    "client refused to sign".clone_into(&mut r.got);
    r.message = Some(message.to_owned());
    r
}

fn unexpected_answer(s: &Scenario, answer: &Answer) -> ScenarioResult {
    let mut r = judge::base_result(s);
    r.status = Status::Fail;
    "unexpected answer".clone_into(&mut r.got);
    r.message = Some(format!("{answer:?}"));
    r
}
