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

mod asked;
mod detail;
mod live;
mod offline;
mod requests;

pub use detail::{first_difference, Detail};
pub use requests::{offline_skip_reason, request_for, request_for_v4};

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
    /// The mock's verdict was right, but the client did not send the request asked for
    /// (dropped or rewrote parameters, replaced a verbatim value): the rule was not tested
    /// as written. Fails the run unless listed as a known deviation.
    Deviates,
    /// Ran, but the rule could not be exercised (a signature without `+` for the `+`
    /// rule; a host form that a loopback endpoint cannot carry): neither pass nor fail.
    NotExercised,
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
    /// How the request the client sent differs from the one the scenario asked for (one
    /// line each: `added Foo`, `renamed foo to Foo`, `dropped the second of 2 values of
    /// ItemId`, `Timestamp overwritten (…)`); empty when it sent what was asked.
    pub deviations: Vec<String>,
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

    /// True when nothing failed or deviated unexpectedly.
    pub fn passed(&self) -> bool {
        self.count(Status::Fail) == 0 && self.count(Status::Deviates) == 0
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
    /// Only for a client that sent another request than asked (status `deviates`): the
    /// deviations it is known for, each exact or a prefix ending in `*` (`added *`,
    /// `Timestamp overwritten*`). The entry covers a result only when every deviation
    /// matches one; with it, `scenario` may be `*` (every scenario). It never covers a
    /// signature failure.
    #[serde(default)]
    pub deviations: Option<Vec<String>>,
    /// Where it is written up (e.g. `clients/FINDINGS.md#...`).
    pub finding: String,
}

impl ExpectedFailure {
    /// Why this entry cannot be used, if it cannot: `scenario: "*"` only goes with a
    /// `deviations` list (a wildcard must never hide a signature failure), and modes are
    /// `offline`, `live` or `any`.
    pub fn problem(&self) -> Option<String> {
        if self.scenario == "*" && self.deviations.is_none() {
            return Some(format!("client '{}': scenario '*' needs a 'deviations' list", self.client));
        }
        if self.deviations.as_ref().is_some_and(Vec::is_empty) {
            return Some(format!("client '{}', scenario '{}': an empty 'deviations' list", self.client, self.scenario));
        }
        match self.mode.as_deref() {
            None | Some("offline" | "live" | "any") => None,
            Some(other) => Some(format!("client '{}': mode '{other}' (offline, live or any)", self.client)),
        }
    }
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
        if matches!(result.status, Status::Fail | Status::Deviates) {
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
    let covers = |e: &ExpectedFailure| match &e.deviations {
        None => e.scenario == result.name,
        Some(patterns) => {
            (e.scenario == result.name || e.scenario == "*")
                && result.status == Status::Deviates
                && result.deviations.iter().all(|d| patterns.iter().any(|p| deviation_matches(p, d)))
        }
    };
    let Some(known) = list
        .iter()
        .find(|e| e.client == client && covers(e) && e.mode.as_deref().is_none_or(|m| m == "any" || m == mode_name))
    else {
        return;
    };
    match result.status {
        Status::Fail | Status::Deviates => {
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

/// True when deviation line `line` matches `pattern` (exact, or a prefix ending in `*`).
fn deviation_matches(pattern: &str, line: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => line.starts_with(prefix),
        None => line == pattern,
    }
}

/// Settles a judged result with what the client sent: a pass whose rule was not exercised
/// is `NotExercised`, a pass with deviations `Deviates`; a failure keeps its status and
/// notes the deviations (they may be why).
fn settle(r: &mut ScenarioResult, deviations: &[asked::Deviation], not_exercised: Option<String>) {
    let note = |r: &mut ScenarioResult, text: String| {
        r.message = Some(match r.message.take() {
            Some(m) => format!("{text}; {m}"),
            None => text,
        });
    };
    r.deviations = deviations.iter().map(ToString::to_string).collect();
    match r.status {
        Status::Pass if !deviations.is_empty() => {
            r.status = Status::Deviates;
            note(r, format!("not the request asked for: {}", asked::describe(deviations)));
        }
        Status::Pass => {
            if let Some(why) = not_exercised {
                r.status = Status::NotExercised;
                note(r, why);
            }
        }
        Status::Fail if !deviations.is_empty() => {
            note(r, format!("the client also changed the request: {}", asked::describe(deviations)));
        }
        _ => {}
    }
}

/// What a scenario asked for, in the terms of `asked`, and the sent request's deviations.
fn deviations_of(
    s: &Scenario,
    adapter: &Adapter,
    sent_params: &crate::encoding::ParamList,
    sent_headers: Option<&[(String, String)]>,
    sent_body: &[u8],
    asked_params: &[(String, String)],
) -> Vec<asked::Deviation> {
    match &s.request.inputs {
        crate::scenario::Inputs::V2(_) => {
            let verbatim =
                s.request.timestamp.as_deref().filter(|t| *t != SUITE_TIME && !adapter.can(Capability::OwnClock));
            let want = asked::AskedV2 {
                params: asked_params,
                access_key_id: &s.request.credentials.access_key_id,
                verbatim_timestamp: verbatim,
                tolerate: &s.tolerate,
            };
            let mut d = asked::v2(&want, sent_params);
            d.retain(|d| !matches!(d, asked::Deviation::Added(n) if s.tolerate.contains(n)));
            d
        }
        crate::scenario::Inputs::V4(v4) => {
            let query: Vec<(String, String)> = crate::request::OwnedRequest::from_url("GET", &s.request.endpoint)
                .map(|o| o.params.iter().map(|p| (p.name.to_string(), p.value.to_string())).collect())
                .unwrap_or_default();
            let amz_date = (!adapter.can(Capability::OwnClock))
                .then(|| s.request.timestamp.as_deref().unwrap_or(SUITE_TIME))
                .and_then(|t| UtcTime::parse_iso8601(t).ok())
                .map(UtcTime::to_amz_date);
            let want = asked::AskedV4 {
                query: &query,
                headers: &v4.headers,
                body: v4.body.as_bytes(),
                amz_date: amz_date.as_deref(),
            };
            let mut d = asked::v4(&want, sent_params, sent_headers, sent_body);
            d.retain(|d| !matches!(d, asked::Deviation::Added(n) if s.tolerate.contains(n)));
            d
        }
    }
}

/// Why scenario `s`'s rule was not exercised by the sent parameters, if it was not: the
/// `+` rule needs a signature with `+` in it.
fn not_exercised(s: &Scenario, sent: &crate::encoding::ParamList) -> Option<String> {
    let v2 = s.request.v2()?;
    let signature = sent.get(crate::sigv2::SIGNATURE_PARAM)?;
    (v2.signature_needs_plus && !signature.contains('+'))
        .then(|| "the client's signature has no '+', so the rule about encoding '+' was not exercised".to_owned())
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
        deviations: Vec::new(),
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
