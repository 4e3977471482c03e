//! Judging one scenario: build what the client sent, get the service's verdict (in-process
//! offline, from the mock's journal live), and explain signature failures.

use super::{adapter_failure, describe, refused_by_client, request_for, unexpected_answer, ScenarioResult, Status};
use crate::adapter::{reference, Adapter, Answer};
use crate::catalogue::Catalogue;
use crate::clock::{Clock, UtcTime};
use crate::crypto::SecretKey;
use crate::diagnose::{diagnose, Budget, Subject};
use crate::encoding::{parse_query, PlusMeans};
use crate::journal::JournalEntry;
use crate::keystore::Keystore;
use crate::request::{OwnedRequest, RequestView};
use crate::scenario::{Expected, Location, Scenario, SUITE_TIME};
use crate::server::{MockServer, ServerConfig};
use crate::services::{
    self, Ctx, Outcome, ServiceKind, ServiceOptions, ServiceRequest, Throttling, Unlimited, Verdict,
};
use crate::sigv2::{SignatureMethod, VerifyFailure};
use serde::Serialize;
use std::sync::OnceLock;

/// Why a scenario failed, when the signature is to blame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Detail {
    /// Ids of the mistakes that reproduce the client's signature (empty: unknown).
    pub mistakes: Vec<String>,
    /// Other explanations that reproduce it too (ids joined with `+`).
    pub also: Vec<String>,
    /// The mistakes in words.
    pub explanation: String,
    /// What Amazon signs for this request.
    pub expected_string_to_sign: String,
    /// What the client must have signed, when a mistake reproduces it.
    pub client_string_to_sign: Option<String>,
    /// Byte offset of the first difference between the two.
    pub first_difference: Option<usize>,
    /// SigV4: the canonical request the mock expected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_canonical_request: Option<String>,
}

/// Byte offset where `a` and `b` first differ (`None` when equal).
pub fn first_difference(a: &str, b: &str) -> Option<usize> {
    if a == b {
        return None;
    }
    Some(a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count())
}

pub(super) fn suite_time() -> UtcTime {
    UtcTime::parse_iso8601(SUITE_TIME).unwrap_or(UtcTime::from_unix_secs(0))
}

pub(super) fn world() -> &'static (Keystore, Catalogue) {
    static WORLD: OnceLock<(Keystore, Catalogue)> = OnceLock::new();
    WORLD.get_or_init(|| (Keystore::embedded_default(), Catalogue::embedded_default()))
}

pub(super) fn base_result(s: &Scenario) -> ScenarioResult {
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
pub(super) fn unusable_request(s: &Scenario, message: String) -> ScenarioResult {
    let mut r = base_result(s);
    r.status = Status::Fail;
    "unusable request".clone_into(&mut r.got);
    r.message = Some(message);
    r
}

pub(super) fn skipped(s: &Scenario, why: String) -> ScenarioResult {
    let mut r = base_result(s);
    r.message = Some(why);
    r
}

fn missing_capability(s: &Scenario, adapter: &Adapter) -> Option<String> {
    // An adapter that names services (`paapi`, `mws`) only does those; one that names
    // none does both.
    let service = s.service.as_str();
    let names_services = adapter.can("paapi") || adapter.can("mws");
    if names_services && !adapter.can(service) {
        return Some(format!("the adapter does not do '{service}'"));
    }
    let needs = [
        (s.request.location == Location::Form, "post-form"),
        (s.request.expires.is_some(), "expires"),
        (s.request.signature_method.as_deref() == Some("HmacSHA1"), "hmac-sha1"),
        (s.request.credentials.session_token.is_some(), "security-token"),
    ];
    needs.iter().find(|(needed, cap)| *needed && !adapter.can(cap)).map(|(_, cap)| format!("the adapter lacks '{cap}'"))
}

pub(super) fn matches(expected: &Expected, verdict: Verdict, error_code: Option<&str>) -> bool {
    match expected {
        // Authenticated and answered: in-band PA-API answers (e.g. NoExactMatches) count.
        Expected::Accepted => verdict == Verdict::Accepted,
        Expected::Error(code) => error_code == Some(code.as_str()),
    }
}

pub(super) fn got_text(verdict: Verdict, error_code: Option<&str>, status: u16) -> String {
    match (verdict, error_code) {
        (Verdict::Accepted, Some(code)) => format!("accepted, in-band {code} ({status})"),
        (_, Some(code)) => format!("{code} ({status})"),
        (Verdict::Accepted, None) => "accepted".to_owned(),
        (Verdict::Refused, None) => format!("refused ({status})"),
    }
}

pub(super) fn offline(s: &Scenario, adapter: &mut Adapter) -> ScenarioResult {
    if let Some(v4) = &s.request.v4 {
        return super::v4::offline(s, v4, adapter);
    }
    if let Some(why) = missing_capability(s, adapter) {
        return skipped(s, why);
    }
    let answer = match adapter.call(request_for(s, "sign", &s.request.endpoint)) {
        Ok(a) => a,
        Err(e) => return adapter_failure(s, &e),
    };
    let signed = match answer {
        Answer::Signed(signed) => signed,
        Answer::Error { message, unsupported: true, .. } => return skipped(s, message),
        Answer::Error { message, .. } => return refused_by_client(s, &message),
        other => return unexpected_answer(s, &other),
    };
    let method = signed.method.clone().unwrap_or_else(|| s.request.method.clone());
    let owned = match signed.to_request(&method) {
        Ok(o) => o,
        Err(message) => return unusable_request(s, message),
    };
    let query_only = OwnedRequest::from_url(&method, &signed.url).map(|o| o.params).unwrap_or_default();
    let outcome = in_process(&owned, &query_only, signed.body.as_bytes());
    let mut r = base_result(s);
    let (verdict, code) = (outcome.record.verdict, outcome.record.error_code.as_deref());
    r.got = got_text(verdict, code, outcome.status);
    r.status = if matches(&s.expect, verdict, code) { Status::Pass } else { Status::Fail };
    if r.status == Status::Fail {
        r.detail = explain(&owned.view(), s, outcome.record.failure.as_ref());
    }
    r
}

/// Runs the mock's service logic on `owned` at the suite time, without throttling.
fn in_process(owned: &OwnedRequest, query: &crate::encoding::ParamList, body: &[u8]) -> Outcome {
    let (keys, catalogue) = world();
    let options = ServiceOptions { throttling: Throttling::Off, ..ServiceOptions::default() };
    let ctx = Ctx {
        keys,
        catalogue,
        now: suite_time(),
        options: &options,
        request_id: "00000000-0000-4000-8000-000000000000",
        throttle: &Unlimited,
    };
    let content_type = (owned.location == crate::request::ParamLocation::Form || !body.is_empty())
        .then_some("application/x-www-form-urlencoded; charset=utf-8");
    let req = ServiceRequest {
        view: owned.view(),
        query,
        body,
        content_type,
        content_md5: None,
        user_agent: Some("amzsig-runner"),
        headers: &[],
    };
    let key =
        services::RouteKey { method: &owned.method, host: &owned.host, path: &owned.path, query: "", headers: &[] };
    match services::dispatch(&key, &options) {
        Some(route) => services::handle(&route, &ctx, &req),
        None => no_service(),
    }
}

/// What the server answers when no service is at a host and path (a 404).
pub(super) fn no_service() -> Outcome {
    Outcome {
        status: 404,
        content_type: "text/plain".into(),
        headers: Vec::new(),
        body: String::new(),
        record: services::Record {
            service: ServiceKind::Paapi,
            operation: None,
            access_key_id: None,
            verdict: Verdict::Refused,
            error_code: Some("NoSuchEndpoint".into()),
            host_form: None,
            failure: None,
            failure_v4: None,
        },
    }
}

/// Diagnoses a signature failure with the scenario's secret.
fn explain(view: &RequestView<'_>, s: &Scenario, failure: Option<&VerifyFailure>) -> Option<Detail> {
    let signature_failure = matches!(
        failure,
        Some(
            VerifyFailure::Mismatch { .. }
                | VerifyFailure::SignatureWrongLength { .. }
                | VerifyFailure::SignatureNotBase64 { .. }
        )
    );
    if !signature_failure {
        return None;
    }
    let secret = SecretKey::new(s.request.credentials.secret_key.as_str());
    let d =
        diagnose(Subject::V2 { view: *view, default_method: SignatureMethod::HmacSha256 }, &secret, Budget::DEFAULT);
    let best = d.best();
    Some(Detail {
        mistakes: best.map(|f| f.mistakes.iter().map(|m| m.id().to_owned()).collect()).unwrap_or_default(),
        also: d
            .findings
            .iter()
            .skip(1)
            .map(|f| f.mistakes.iter().map(|m| m.id()).collect::<Vec<_>>().join("+"))
            .collect(),
        explanation: best.map_or_else(
            || "no known mistake reproduces the signature (wrong secret, or a change after signing)".to_owned(),
            |f| f.mistakes.iter().map(|m| m.describe()).collect::<Vec<_>>().join("; "),
        ),
        first_difference: best.and_then(|f| first_difference(&d.correct_string_to_sign, &f.client_string_to_sign)),
        client_string_to_sign: best.map(|f| f.client_string_to_sign.clone()),
        expected_string_to_sign: d.correct_string_to_sign,
        expected_canonical_request: None,
    })
}

/// The first nonce for which the correct signature of `s` at `endpoint` contains `+`.
pub(super) fn nonce_for_plus(s: &Scenario, endpoint: &str) -> u32 {
    let mut base = s.clone();
    base.request.signature_needs_plus = false;
    for n in 0..1000 {
        let mut req = request_for(&base, "sign", endpoint);
        req.params.push(("Nonce".to_owned(), n.to_string()));
        if let Answer::Signed(signed) = reference::sign(&req, &[]) {
            let wire =
                if signed.body.is_empty() { signed.url.split_once('?').map_or("", |(_, q)| q) } else { &signed.body };
            let signature = wire.split('&').find_map(|p| p.strip_prefix("Signature=")).unwrap_or("");
            if signature.contains("%2B") {
                return n;
            }
        }
    }
    0
}

/// The mock a live run talks to.
pub(super) struct LiveMock {
    // Keeps the server's tasks running; dropped after the server (field order).
    server: MockServer,
    _runtime: tokio::runtime::Runtime,
}

impl LiveMock {
    /// Starts the mock; its clock reads the suite time, or the system time for clients that
    /// read their own clock (`own_clock`).
    pub(super) fn start(own_clock: bool) -> Result<LiveMock, String> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        let clock = if own_clock { Clock::System } else { Clock::Fixed(suite_time()) };
        let config = ServerConfig { clock, ..ServerConfig::default() };
        let server = runtime.block_on(MockServer::start(config)).map_err(|e| e.to_string())?;
        Ok(LiveMock { server, _runtime: runtime })
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

pub(super) fn live(s: &Scenario, adapter: &mut Adapter, mock: &mut LiveMock) -> ScenarioResult {
    if let Some(v4) = &s.request.v4 {
        return super::v4::live(s, v4, adapter, mock);
    }
    if s.live.skip {
        return skipped(s, "not reproducible over a socket (see the scenario)".to_owned());
    }
    if !adapter.can("send") {
        return skipped(s, "the adapter cannot send (no 'send' capability)".to_owned());
    }
    if let Some(why) = missing_capability(s, adapter) {
        return skipped(s, why);
    }
    let endpoint = mock.endpoint_for(s);
    let request = request_for(s, "send", &endpoint);
    live_with(s, mock, |a| a.call(request.clone()), adapter)
}

/// Sends a scenario's request (`repeat` times) through `call` and judges what the mock's
/// journal recorded for it.
pub(super) fn live_with(
    s: &Scenario,
    mock: &mut LiveMock,
    mut call: impl FnMut(&mut Adapter) -> Result<Answer, crate::adapter::AdapterError>,
    adapter: &mut Adapter,
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
    if r.status == Status::Fail && s.sig == crate::scenario::Sig::V4 {
        if let Some(d) = &last.diagnosis {
            notes.push(format!("the mock's diagnosis: {d}"));
            r.message = Some(notes.join("; "));
        }
    } else if r.status == Status::Fail && last.diagnosis.is_some() {
        let query = last.query.clone();
        let url = format!("http://{}{}?{query}", last.host, last.path);
        if let Ok(mut owned) = OwnedRequest::from_url(&last.method, &url) {
            if let Ok(form) = parse_query(last.body_preview.as_bytes(), PlusMeans::Space) {
                if last.method == "POST" && last.body_len == last.body_preview.len() {
                    owned.params.0.extend(form.0);
                }
            }
            r.detail = explain(
                &owned.view(),
                s,
                Some(&VerifyFailure::Mismatch { expected: crate::sigv2::canonicalize(&owned.view()) }),
            );
        }
    }
    r
}
