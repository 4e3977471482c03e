//! Offline judging: the adapter signs (`sign`), and amzsig answers what the client would
//! send with the mock's one pipeline ([`crate::services::pipeline::process`]) in-process,
//! at the suite time (or the system time for `own-clock` clients), without throttling.
//! Every scheme takes the same path; only the protocol request differs.

use super::detail::{for_refusal, redact_token};
use super::requests::{missing_capability, request_for, request_for_v4, target_of, NEEDS_HOST};
use super::{
    adapter_failure, base_result, deviations_of, got_text, matches, not_exercised, refused_by_client, settle, skipped,
    suite_time, unexpected_answer, unusable_request, world, ScenarioResult, Status,
};
use crate::adapter::{Adapter, AdapterError, Answer, Capability, RequestKind, Signed};
use crate::clock::{Clock, UtcTime};
use crate::request::{OwnedRequest, Scheme};
use crate::scenario::{Inputs, Scenario};
use crate::scheme::SchemeId;
use crate::services::pipeline::{process, PipelineLimits, Processed, RawRequest};
use crate::services::{Ctx, ServiceOptions, Throttling, Unlimited};

/// The request id of every in-process answer.
const REQUEST_ID: &str = "00000000-0000-4000-8000-000000000000";

/// The request as the mock would receive it from the client's signed answer.
pub(super) struct Wire {
    method: String,
    scheme: Scheme,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Wire {
    /// The client's answer as an HTTP request: its URL's target, its headers with the
    /// `Host` (and, for a SigV2 form body, the `Content-Type`) an HTTP client adds when the
    /// answer has none, and its body.
    pub(super) fn from_signed(signed: &Signed, default_method: &str, v2: bool) -> Result<Wire, AdapterError> {
        let method = signed.method.as_deref().unwrap_or(default_method).to_owned();
        let url = OwnedRequest::from_url(&method, &signed.url).map_err(AdapterError::BadUrl)?;
        let mut headers = signed.headers.clone();
        let has = |headers: &[(String, String)], name: &str| headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name));
        if !has(&headers, "host") {
            headers.insert(0, ("host".to_owned(), url.host.clone()));
        }
        if v2 {
            if !signed.body.is_empty() && !has(&headers, "content-type") {
                headers
                    .push(("content-type".to_owned(), "application/x-www-form-urlencoded; charset=utf-8".to_owned()));
            }
            if !has(&headers, "user-agent") {
                headers.push(("user-agent".to_owned(), "amzsig-runner".to_owned()));
            }
        }
        Ok(Wire {
            method,
            scheme: url.scheme,
            target: target_of(&signed.url),
            headers,
            body: signed.body.as_bytes().to_vec(),
        })
    }
}

fn now_for(adapter: &Adapter) -> UtcTime {
    if adapter.can(Capability::OwnClock) {
        Clock::System.now()
    } else {
        suite_time()
    }
}

/// Judges scenario `s` offline.
pub(super) fn offline(s: &Scenario, adapter: &mut Adapter) -> ScenarioResult {
    if let Some(why) = missing_capability(s, &adapter.hello.capabilities) {
        return skipped(s, why);
    }
    let mut asked_params = Vec::new();
    let call = match &s.request.inputs {
        Inputs::V4(v4) => {
            if !adapter.can(Capability::HostHeader) && !s.live.host_independent {
                return skipped(s, NEEDS_HOST.to_owned());
            }
            adapter.call_v4(request_for_v4(s, v4, RequestKind::Sign, &s.request.endpoint, None))
        }
        Inputs::V2(v2) => {
            let request = request_for(s, v2, RequestKind::Sign, &s.request.endpoint);
            asked_params.clone_from(&request.params);
            adapter.call(request)
        }
    };
    let signed = match call {
        Ok(Answer::Signed(signed)) => signed,
        Ok(Answer::Error { message, unsupported: true, .. }) => return skipped(s, message),
        Ok(Answer::Error { message, .. }) => return refused_by_client(s, &message),
        Ok(other) => return unexpected_answer(s, &other),
        Err(e) => return adapter_failure(s, &e),
    };
    let wire = match Wire::from_signed(&signed, &s.request.method, s.sig() == SchemeId::V2Query) {
        Ok(w) => w,
        Err(e) => return unusable_request(s, crate::adapter::error_chain(&e)),
    };
    let (keys, catalogue) = world();
    let options = ServiceOptions { throttling: Throttling::Off, ..ServiceOptions::default() };
    let ctx = Ctx {
        keys,
        catalogue,
        now: now_for(adapter),
        options: &options,
        request_id: REQUEST_ID,
        throttle: &Unlimited,
        signing_keys: None,
        s3: None,
    };
    let raw = RawRequest {
        method: &wire.method,
        scheme: wire.scheme,
        target: &wire.target,
        headers: &wire.headers,
        body: &wire.body,
    };
    let mut r = base_result(s);
    let (outcome, explanation) = match process(&raw, &ctx, &PipelineLimits::default()) {
        Processed::Answered { outcome, explanation } => (outcome, explanation),
        Processed::NoService => {
            r.status = Status::Fail;
            "NoSuchEndpoint (404)".clone_into(&mut r.got);
            r.message = Some(format!("the mock has no service at {}", signed.url));
            return r;
        }
    };
    let (verdict, code) = (outcome.record.verdict, outcome.record.error_code.as_deref());
    r.got = got_text(verdict, code, outcome.status);
    r.status = if matches(&s.expect, verdict, code) { Status::Pass } else { Status::Fail };
    if let Ok(sent) = signed.to_request(&s.request.method) {
        let v4_query;
        let (params, headers) = if s.sig() == SchemeId::V4 {
            v4_query = OwnedRequest::from_url(&wire.method, &signed.url).map(|o| o.params).unwrap_or_default();
            (&v4_query, Some(signed.headers.as_slice()))
        } else {
            (&sent.params, None)
        };
        let deviations = deviations_of(s, adapter, params, headers, signed.body.as_bytes(), &asked_params);
        settle(&mut r, &deviations, not_exercised(s, &sent.params));
    }
    if r.status == Status::Fail {
        r.detail = for_refusal(outcome.record.failure.as_ref(), explanation.as_ref())
            .map(|d| redact_token(d, s.request.credentials.session_token.as_deref()));
        if r.detail.is_none() && outcome.status >= 400 && s.sig() == SchemeId::V4 {
            r.message = Some(format!("the mock answered: {}", outcome.body.chars().take(300).collect::<String>()));
        }
    }
    r
}
