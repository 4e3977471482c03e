//! Live judging: the runner starts the mock on 127.0.0.1:0 (fixed clock, or the system
//! clock for `own-clock` clients; throttling on, buckets reset before each scenario); the
//! adapter signs *and sends* (`send`) with its own HTTP stack; the verdict and the
//! explanation come from the mock's journal, so retries are visible. SigV4 requests carry
//! the scenario's Host when the adapter can set it (`host-header`).

use super::detail::{for_refusal, redact_token};
use super::requests::{missing_capability, request_for, request_for_v4, target_of, NEEDS_HOST};
use super::{
    adapter_failure, base_result, deviations_of, got_text, matches, not_exercised, settle, skipped, suite_time,
    unexpected_answer, ScenarioResult, Status,
};
use crate::adapter::{Adapter, Answer, Capability, RequestKind};
use crate::clock::Clock;
use crate::encoding::{parse_query, ParamList, PlusMeans};
use crate::journal::JournalEntry;
use crate::journal::BODY_PREVIEW_BYTES;
use crate::request::OwnedRequest;
use crate::scenario::{Inputs, Scenario};
use crate::scheme::SchemeId;
use crate::server::{MockServer, ServerConfig};

/// The mock a live run talks to. It runs on a runtime of its own, started from a thread
/// of its own, so a live run works from plain code and from inside an async test alike
/// (`#[tokio::test]`: the runner's calls block, the mock keeps serving).
pub(super) struct LiveMock {
    // Dropped first: stops accepting.
    server: MockServer,
    // Then shut down without blocking (dropping a runtime blocks, which panics inside an
    // async context).
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for LiveMock {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl LiveMock {
    /// Starts the mock; its clock reads the suite time, or the system time for clients that
    /// read their own clock (`own_clock`).
    pub(super) fn start(own_clock: bool) -> Result<LiveMock, super::RunError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(super::RunError::Runtime)?;
        let clock = if own_clock { Clock::System } else { Clock::Fixed(suite_time()) };
        let config = ServerConfig { clock, ..ServerConfig::default() };
        // `block_on` may not run on a thread that is already inside a runtime.
        let handle = runtime.handle().clone();
        let started = std::thread::spawn(move || handle.block_on(MockServer::start_with(config)))
            .join()
            .map_err(|_| super::RunError::Runtime(std::io::Error::other("the mock's start thread panicked")))?;
        let server = started.map_err(super::RunError::Server)?;
        Ok(LiveMock { server, runtime: Some(runtime) })
    }

    /// `http://127.0.0.1:PORT`.
    pub(super) fn base_url(&self) -> String {
        self.server.base_url()
    }

    fn endpoint_for(&self, s: &Scenario) -> String {
        let path = OwnedRequest::from_url("GET", &s.request.endpoint).map(|o| o.path).unwrap_or_default();
        format!("{}{}", self.server.base_url(), if path.is_empty() { "/" } else { &path })
    }
}

/// Judges scenario `s` live: the adapter signs and sends to `mock`.
pub(super) fn live(s: &Scenario, adapter: &mut Adapter, mock: &mut LiveMock) -> ScenarioResult {
    if s.live.skip {
        return skipped(s, "not reproducible over a socket (see the scenario)".to_owned());
    }
    if !adapter.can(Capability::Send) {
        return skipped(s, "the adapter cannot send (no 'send' capability)".to_owned());
    }
    if let Some(why) = missing_capability(s, &adapter.hello.capabilities) {
        return skipped(s, why);
    }
    match &s.request.inputs {
        Inputs::V2(v2) => {
            let request = request_for(s, v2, RequestKind::Send, &mock.endpoint_for(s));
            let asked = request.params.clone();
            live_with(s, mock, |a| a.call(request.clone()), adapter, &asked)
        }
        Inputs::V4(v4) => {
            let host_header = adapter.can(Capability::HostHeader);
            if !host_header && !s.live.host_independent {
                return skipped(s, NEEDS_HOST.to_owned());
            }
            let Ok(url) = OwnedRequest::from_url(&s.request.method, &s.request.endpoint) else {
                return skipped(s, "the scenario's endpoint does not parse".to_owned());
            };
            let endpoint = format!("{}{}", mock.base_url(), target_of(&s.request.endpoint));
            let host = host_header.then_some(url.host.as_str());
            let request = request_for_v4(s, v4, RequestKind::Send, &endpoint, host);
            live_with(s, mock, |a| a.call_v4(request.clone()), adapter, &[])
        }
    }
}

/// Sends a scenario's request (`repeat` times) through `call` and judges what the mock's
/// journal recorded for it.
fn live_with(
    s: &Scenario,
    mock: &mut LiveMock,
    mut call: impl FnMut(&mut Adapter) -> Result<Answer, crate::adapter::AdapterError>,
    adapter: &mut Adapter,
    asked_params: &[(String, String)],
) -> ScenarioResult {
    mock.server.state().reset_throttle();
    let before = mock.server.journal().last().map_or(0, |e| e.seq);
    let repeat = s.live.repeat.max(1);
    let mut client_errors = Vec::new();
    for _ in 0..repeat {
        match call(adapter) {
            Ok(Answer::Sent(sent)) => client_errors.extend(sent.error),
            Ok(Answer::Error { message, unsupported: true, .. }) => return skipped(s, message),
            Ok(Answer::Error { message, .. }) => client_errors.push(message),
            Ok(other) => return unexpected_answer(s, &other),
            Err(e) => return adapter_failure(s, &e),
        }
    }
    let entries: Vec<JournalEntry> = mock.server.journal().into_iter().filter(|e| e.seq > before).collect();
    let mut r = base_result(s);
    let Some(last) = entries.last() else {
        r.status = Status::Fail;
        "nothing arrived".clone_into(&mut r.got);
        r.message = Some(client_errors.join("; "));
        return r;
    };
    let expected = match (&s.live.expect_last, repeat > 1) {
        (Some(e), true) => e.clone(),
        _ => s.expect.clone(),
    };
    r.got = got_text(last.verdict, last.error_code.as_deref(), last.status);
    r.status = if matches(&expected, last.verdict, last.error_code.as_deref()) { Status::Pass } else { Status::Fail };
    let mut notes = Vec::new();
    if entries.len() > repeat as usize {
        notes.push(format!("the client made {} requests for {repeat} call(s): it retried", entries.len()));
    }
    if !client_errors.is_empty() {
        notes.push(format!("the client surfaced: {}", client_errors.join("; ")));
    }
    r.message = (!notes.is_empty()).then(|| notes.join("; "));
    let (params, body) = sent_by(last, s.sig() == SchemeId::V2Query);
    let deviations = deviations_of(
        s,
        adapter,
        &params,
        None,
        body.unwrap_or(s.request.v4().map_or(b"", |v| v.body.as_bytes())),
        asked_params,
    );
    let why_not = not_exercised(s, &params).or_else(|| host_not_carried(s));
    settle(&mut r, &deviations, why_not);
    if r.status == Status::Fail {
        if let Some(d) = last.diagnosis.as_ref().filter(|_| s.sig() == SchemeId::V4) {
            notes.push(format!("the mock's diagnosis: {d}"));
            r.message = Some(notes.join("; "));
        }
        // The same detail as offline, from what the mock's pipeline explained.
        r.detail = for_refusal(last.failure.as_ref(), last.explanation.as_deref())
            .map(|d| redact_token(d, s.request.credentials.session_token.as_deref()));
    }
    r
}

/// What the journal kept of a sent request: its parameters (the query, then for SigV2 a form
/// body's) and its body (`None` when the journal kept only a preview of it).
fn sent_by(entry: &JournalEntry, v2: bool) -> (ParamList, Option<&[u8]>) {
    let mut params = parse_query(entry.query.as_bytes(), PlusMeans::Space).unwrap_or_default();
    let whole = entry.body_len <= BODY_PREVIEW_BYTES && entry.body_preview.len() == entry.body_len;
    let body = whole.then_some(entry.body_preview.as_bytes());
    if let Some(form) = body.filter(|b| v2 && !b.is_empty()) {
        if let Ok(more) = parse_query(form, PlusMeans::Space) {
            params.0.extend(more.0);
        }
    }
    (params, body)
}

/// Why a SigV2 scenario's rule is not exercised live: its endpoint's host is written in a
/// form (letter case, an explicit default port) that a request to the loopback mock does
/// not carry.
fn host_not_carried(s: &Scenario) -> Option<String> {
    s.request.v2()?;
    let url = OwnedRequest::from_url(&s.request.method, &s.request.endpoint).ok()?;
    let canonical = crate::sigv2::canonical_host(&url.host, url.scheme);
    (canonical != url.host).then(|| {
        format!(
            "the scenario's host '{}' cannot be carried to a loopback endpoint, so its host rule was not exercised",
            url.host
        )
    })
}
