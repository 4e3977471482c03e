//! Judging a SigV4 scenario: the adapter gets a [`RequestV4`]; offline, what it would send
//! goes through the mock's own service logic in-process (PA-API 5.0 or the generic SigV4
//! endpoint, routed exactly as the server routes a received request); live, it sends to
//! the running mock and the verdict comes from the journal.
//!
//! Live requests go to the mock's address with the scenario's `Host` as a header, so that
//! locale and scope checks see the host the scenario names; a client that cannot set the
//! `Host` header (no `host-header` capability) runs only the scenarios marked
//! `host_independent`, offline and live (offline such a client is pointed at a capture
//! listener, so its Host is a loopback address too). A client that reads its own clock
//! (`own-clock`) is judged at the current time and skips the scenarios whose outcome
//! depends on a given time.
//!
//! A signature mismatch is explained by [`diagnose`] with the secret the scenario
//! handed out and the route's own rules ([`services::v4_rules`]); refusals that name their
//! cause (a scope for another region, service or date, an uppercase signature, the empty
//! body's hash) are mapped to that mistake directly. A session token never reaches a
//! report (`<session-token>`).

use super::judge::{
    base_result, first_difference, got_text, matches, skipped, suite_time, unusable_request, world, Detail, LiveMock,
};
use super::{adapter_failure, refused_by_client, unexpected_answer, ScenarioResult, Status};
use crate::adapter::protocol::{RequestV4, WireCredentials};
use crate::adapter::{Adapter, Answer, Signed};
use crate::clock::{Clock, UtcTime};
use crate::crypto::SecretKey;
use crate::diagnose::{compare_canonical_requests, diagnose, v4, Budget, Diagnosis, Finding, Subject};
use crate::encoding::{parse_query, ParamList, PlusMeans};
use crate::request::{OwnedRequest, RequestView};
use crate::scenario::{PayloadMode, Scenario, V4Inputs, SUITE_TIME};
use crate::services::{self, Ctx, Outcome, RouteKey, ServiceOptions, ServiceRequest, Throttling, Unlimited};
use crate::sigv4::{Payload, SignableRequest, VerifyFailureV4};
use std::fmt::Write as _;

const NEEDS_HOST: &str = "the outcome needs the scenario's Host, which the client cannot send (no 'host-header')";

/// The adapter request for a SigV4 scenario. `endpoint` replaces the scenario's URL (live
/// mode), `host` is sent as a `Host` header when given.
pub fn request_for_v4(s: &Scenario, v4: &V4Inputs, kind: &str, endpoint: &str, host: Option<&str>) -> RequestV4 {
    let timestamp = s.request.timestamp.clone().unwrap_or_else(|| SUITE_TIME.to_owned());
    let amz_date = UtcTime::parse_iso8601(&timestamp).map(UtcTime::to_amz_date).unwrap_or_default();
    let mut headers = Vec::with_capacity(v4.headers.len() + 1);
    if let Some(h) = host.filter(|_| !v4.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host"))) {
        headers.push(("Host".to_owned(), h.to_owned()));
    }
    headers.extend(v4.headers.iter().cloned());
    RequestV4 {
        kind: kind.to_owned(),
        id: String::new(),
        sig: "v4".to_owned(),
        method: s.request.method.clone(),
        endpoint: endpoint.to_owned(),
        headers,
        body: v4.body.clone(),
        credentials: WireCredentials {
            access_key_id: s.request.credentials.access_key_id.clone(),
            secret_key: s.request.credentials.secret_key.clone(),
            session_token: s.request.credentials.session_token.clone(),
        },
        timestamp,
        amz_date,
        region: v4.region.clone(),
        service: v4.service.clone(),
        payload: v4.payload.as_str().to_owned(),
        presign_expires: v4.presign_expires,
    }
}

fn missing_capability(s: &Scenario, v4: &V4Inputs, adapter: &Adapter) -> Option<String> {
    let service = s.service.as_str();
    let names_services = adapter.can("paapi5") || adapter.can("aws");
    if names_services && !adapter.can(service) {
        return Some(format!("the adapter does not do '{service}'"));
    }
    if adapter.can("own-clock") && s.request.timestamp.as_deref().is_some_and(|t| t != SUITE_TIME) {
        return Some("the client chooses its own X-Amz-Date (own-clock); this scenario needs a given one".to_owned());
    }
    let needs = [
        (true, "sigv4"),
        (v4.presign_expires.is_some(), "presign"),
        (v4.payload == PayloadMode::Unsigned && v4.presign_expires.is_none(), "unsigned-payload"),
        (v4.payload == PayloadMode::ContentSha256 || v4.service == "s3", "content-sha256"),
        (s.request.credentials.session_token.is_some(), "security-token"),
    ];
    needs.iter().find(|(needed, cap)| *needed && !adapter.can(cap)).map(|(_, cap)| format!("the adapter lacks '{cap}'"))
}

/// The request as the mock would receive it: URL parts, headers (with the `Host` an HTTP
/// client adds when the answer has none), body.
struct Wire {
    url: OwnedRequest,
    raw_query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn wire(signed: &Signed, default_method: &str) -> Result<Wire, String> {
    let method = signed.method.as_deref().unwrap_or(default_method);
    let mut url =
        OwnedRequest::from_url(method, &signed.url).map_err(|e| format!("the client produced a bad URL: {e}"))?;
    let raw_query = signed.url.split('#').next().unwrap_or("").split_once('?').map_or("", |(_, q)| q).to_owned();
    let mut headers = signed.headers.clone();
    match headers.iter().find(|(n, _)| n.eq_ignore_ascii_case("host")) {
        Some((_, h)) => h.clone_into(&mut url.host),
        None => headers.insert(0, ("host".to_owned(), url.host.clone())),
    }
    Ok(Wire { url, raw_query, headers, body: signed.body.as_bytes().to_vec() })
}

/// Runs the mock's routing and service logic on `w` at `now`, without throttling (the
/// same steps as the server's handler: route, query, form body for form POSTs), and on a
/// signature mismatch the SigV4 diagnosis with the scenario's secret and the route's rules.
fn in_process(w: &Wire, now: UtcTime, secret: &SecretKey) -> (Outcome, Option<Detail>) {
    let (keys, catalogue) = world();
    let options = ServiceOptions { throttling: Throttling::Off, ..ServiceOptions::default() };
    let request_id = "00000000-0000-4000-8000-000000000000";
    let ctx = Ctx { keys, catalogue, now, options: &options, request_id, throttle: &Unlimited };
    let key = RouteKey {
        method: &w.url.method,
        host: &w.url.host,
        path: &w.url.path,
        query: &w.raw_query,
        headers: &w.headers,
    };
    let Some(route) = services::dispatch(&key, &options) else {
        return (super::judge::no_service(), None);
    };
    let content_type = w.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case("content-type")).map(|(_, v)| v.as_str());
    let form = content_type.is_some_and(|c| c.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"));
    let mut params: ParamList = w.url.params.clone();
    if form {
        match parse_query(&w.body, PlusMeans::Space) {
            Ok(body) => params.0.extend(body.0),
            Err(e) => return (services::malformed(&route, request_id, &format!("{e} of the form body")), None),
        }
    }
    let header = |name: &str| w.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str());
    let req = ServiceRequest {
        view: RequestView {
            method: &w.url.method,
            scheme: w.url.scheme,
            host: &w.url.host,
            path: &w.url.path,
            params: &params,
        },
        query: &w.url.params,
        body: &w.body,
        content_type,
        content_md5: header("content-md5"),
        user_agent: header("user-agent"),
        headers: &w.headers,
    };
    let outcome = services::handle(&route, &ctx, &req);
    let detail = match (&outcome.record.failure_v4, services::v4_rules(&route, &req)) {
        (
            Some(failure @ (VerifyFailureV4::Mismatch { .. } | VerifyFailureV4::ContentSha256Mismatch { .. })),
            Some(rules),
        ) => {
            let signable = SignableRequest {
                method: &w.url.method,
                path: &w.url.path,
                query: &w.url.params,
                headers: &w.headers,
                payload: Payload::Bytes(&w.body),
            };
            let subject = Subject::V4 { request: signable, policy: rules.policy(options.max_skew_secs) };
            let d = diagnose(subject, secret, Budget::DEFAULT);
            Some(if d.findings.is_empty() { named(failure).unwrap_or_else(|| explain(&d)) } else { explain(&d) })
        }
        (Some(failure), _) => named(failure),
        _ => None,
    };
    (outcome, detail)
}

/// The mistake a refusal names by itself, before any signature is compared: a scope for
/// another date, region or service, a signature in uppercase hex, a payload hash that is
/// not the body's.
fn named(failure: &VerifyFailureV4) -> Option<Detail> {
    let mistake = match failure {
        VerifyFailureV4::ScopeDateMismatch { .. } => v4::WRONG_SCOPE_DATE,
        VerifyFailureV4::WrongRegion { .. } => v4::WRONG_REGION,
        VerifyFailureV4::WrongService { .. } => v4::WRONG_SERVICE,
        VerifyFailureV4::MalformedSignature(sig)
            if sig.len() == 64 && sig.bytes().all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b)) =>
        {
            v4::SIGNATURE_UPPERCASE_HEX
        }
        VerifyFailureV4::ContentSha256Mismatch { claimed, .. } if *claimed == crate::crypto::sha256_hex(b"") => {
            v4::PAYLOAD_HASH_OF_EMPTY_BODY
        }
        _ => return None,
    };
    Some(Detail {
        mistakes: vec![mistake.id().to_owned()],
        also: Vec::new(),
        explanation: format!("{} (the mock refused: {failure})", mistake.describe()),
        expected_string_to_sign: String::new(),
        client_string_to_sign: None,
        first_difference: None,
        expected_canonical_request: None,
    })
}

/// A SigV4 diagnosis as a report's [`Detail`]: the mistakes that reproduce the client's
/// signature, and the canonical request and string to sign it must have used next to the
/// right ones.
fn explain(d: &Diagnosis) -> Detail {
    let best = d.best();
    let ids = |f: &Finding| f.mistakes.iter().map(|m| m.id().to_owned()).collect::<Vec<_>>();
    Detail {
        mistakes: best.map(ids).unwrap_or_default(),
        also: d.findings.iter().skip(1).map(|f| ids(f).join("+")).collect(),
        explanation: match (best, &d.problem) {
            (_, Some(problem)) => format!("the request cannot be diagnosed: {problem}"),
            (None, None) => {
                "no known SigV4 mistake reproduces the signature (wrong secret, or a change after signing)".to_owned()
            }
            (Some(f), None) => {
                let mut text = f.mistakes.iter().map(|m| m.describe()).collect::<Vec<_>>().join("; ");
                if let Some(detail) = &f.detail {
                    text.push_str(" (");
                    text.push_str(detail);
                    text.push(')');
                }
                if let Some(diff) = f
                    .client_canonical_request
                    .as_deref()
                    .zip(d.correct_canonical_request.as_deref())
                    .and_then(|(client, correct)| compare_canonical_requests(client, correct))
                {
                    let _ = write!(text, "; first difference in the canonical request: {diff}");
                }
                text
            }
        },
        first_difference: best.and_then(|f| first_difference(&d.correct_string_to_sign, &f.client_string_to_sign)),
        client_string_to_sign: best.map(|f| f.client_string_to_sign.clone()),
        expected_string_to_sign: d.correct_string_to_sign.clone(),
        expected_canonical_request: d.correct_canonical_request.clone(),
    }
}

/// The session token handed to the client never reaches a report (it is a credential):
/// canonical requests show it as `<session-token>`.
fn redact_token(mut d: Detail, token: Option<&str>) -> Detail {
    let Some(token) = token.filter(|t| !t.is_empty()) else { return d };
    // A presigned canonical request holds the token percent-encoded.
    let encoded = crate::encoding::encode(token.as_bytes());
    let hide = |s: &mut String| {
        for form in [token, encoded.as_str()] {
            if s.contains(form) {
                *s = s.replace(form, "<session-token>");
            }
        }
    };
    hide(&mut d.explanation);
    hide(&mut d.expected_string_to_sign);
    if let Some(c) = d.client_string_to_sign.as_mut() {
        hide(c);
    }
    if let Some(c) = d.expected_canonical_request.as_mut() {
        hide(c);
    }
    d
}

fn now_for(adapter: &Adapter) -> UtcTime {
    if adapter.can("own-clock") {
        Clock::System.now()
    } else {
        suite_time()
    }
}

pub(super) fn offline(s: &Scenario, v4: &V4Inputs, adapter: &mut Adapter) -> ScenarioResult {
    if let Some(why) = missing_capability(s, v4, adapter) {
        return skipped(s, why);
    }
    if !adapter.can("host-header") && !s.live.host_independent {
        return skipped(s, NEEDS_HOST.to_owned());
    }
    let signed = match adapter.call_v4(request_for_v4(s, v4, "sign", &s.request.endpoint, None)) {
        Ok(Answer::Signed(signed)) => signed,
        Ok(Answer::Error { message, unsupported: true, .. }) => return skipped(s, message),
        Ok(Answer::Error { message, .. }) => return refused_by_client(s, &message),
        Ok(other) => return unexpected_answer(s, &other),
        Err(e) => return adapter_failure(s, &e),
    };
    let w = match wire(&signed, &s.request.method) {
        Ok(w) => w,
        Err(message) => return unusable_request(s, message),
    };
    let secret = SecretKey::new(s.request.credentials.secret_key.as_str());
    let (outcome, detail) = in_process(&w, now_for(adapter), &secret);
    let mut r = base_result(s);
    let (verdict, code) = (outcome.record.verdict, outcome.record.error_code.as_deref());
    r.got = got_text(verdict, code, outcome.status);
    r.status = if matches(&s.expect, verdict, code) { Status::Pass } else { Status::Fail };
    if r.status == Status::Fail {
        r.detail = detail.map(|d| redact_token(d, s.request.credentials.session_token.as_deref()));
        if r.detail.is_none() && outcome.status >= 400 {
            r.message = Some(format!("the mock answered: {}", outcome.body.chars().take(300).collect::<String>()));
        }
    }
    r
}

pub(super) fn live(s: &Scenario, v4: &V4Inputs, adapter: &mut Adapter, mock: &mut LiveMock) -> ScenarioResult {
    if s.live.skip {
        return skipped(s, "not reproducible over a socket (see the scenario)".to_owned());
    }
    if !adapter.can("send") {
        return skipped(s, "the adapter cannot send (no 'send' capability)".to_owned());
    }
    if let Some(why) = missing_capability(s, v4, adapter) {
        return skipped(s, why);
    }
    let host_header = adapter.can("host-header");
    if !host_header && !s.live.host_independent {
        return skipped(s, NEEDS_HOST.to_owned());
    }
    let Ok(url) = OwnedRequest::from_url(&s.request.method, &s.request.endpoint) else {
        return skipped(s, "the scenario's endpoint does not parse".to_owned());
    };
    let target = s.request.endpoint.find("://").map_or("/", |i| {
        let rest = &s.request.endpoint[i + 3..];
        rest.find(['/', '?']).map_or("/", |j| &rest[j..])
    });
    let target = if target.starts_with('?') { format!("/{target}") } else { target.to_owned() };
    let endpoint = format!("{}{target}", mock.base_url());
    let host = host_header.then_some(url.host.as_str());
    let request = request_for_v4(s, v4, "send", &endpoint, host);
    super::judge::live_with(s, mock, |adapter_call| adapter_call.call_v4(request.clone()), adapter)
}
