//! Differential fuzzing of an external signer: generate requests biased to the hard parts
//! of SigV2 and SigV4 canonicalisation (each scheme only for an adapter that announces it;
//! cases shaped for the service), have the adapter sign each one, check the result with
//! amzsig's verifier, and shrink every disagreement to a minimal input (proptest's
//! shrinking), diagnosed with the mistake catalogue.
//!
//! Reproducible: the same `--seed` generates the same cases. Findings are deduplicated by
//! diagnosis, so one run reports each distinct mistake once, each with its smallest input.

mod strategy;

pub use strategy::{fuzz_case, fuzz_case_v4, FuzzCase, FuzzCaseV4, V4Capabilities};

use crate::adapter::protocol::{Location, Request, RequestKind, RequestV4, WireCredentials};
use crate::adapter::{Adapter, AdapterError, Answer, Capability, Hello};
use crate::clock::UtcTime;
use crate::crypto::SecretKey;
use crate::crypto::SingleKey;
use crate::diagnose::{diagnose, Budget, Subject};
use crate::scheme::SchemeId;
use crate::sigv2::{self, SignatureMethod, VerifyFailure, VerifyPolicy};
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use serde::Serialize;
use std::cell::RefCell;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

/// The fuzzer's fixed clock and `Timestamp`.
pub const FUZZ_TIME: &str = "2014-08-18T12:00:00Z";

/// What to run.
#[derive(Debug, Clone)]
pub struct FuzzConfig {
    /// Cases to generate at most.
    pub cases: u32,
    /// Seed of the generator.
    pub seed: u64,
    /// Stop after this long, whatever the case count.
    pub time_limit: Option<Duration>,
    /// Stop at the first finding.
    pub stop_at_first: bool,
    /// Called now and then with (cases run, findings).
    pub progress: Option<fn(u64, usize, f64)>,
}

/// A generated input, of either scheme (`"sig": "v2"` or `"v4"` in the JSON report).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "sig", rename_all = "lowercase")]
pub enum FuzzInput {
    /// A SigV2 request.
    V2(FuzzCase),
    /// A SigV4 request.
    V4(FuzzCaseV4),
}

impl FuzzInput {
    /// The SigV2 case, if this is one.
    pub fn v2(&self) -> Option<&FuzzCase> {
        match self {
            Self::V2(c) => Some(c),
            Self::V4(_) => None,
        }
    }

    /// The SigV4 case, if this is one.
    pub fn v4(&self) -> Option<&FuzzCaseV4> {
        match self {
            Self::V4(c) => Some(c),
            Self::V2(_) => None,
        }
    }

    /// One line for a person: method, URL and the rest that matters.
    pub fn describe(&self) -> String {
        match self {
            Self::V2(c) => format!(
                "{} {} params {:?}{}",
                c.method,
                c.endpoint(),
                c.params,
                c.signature_method.as_ref().map(|m| format!(" SignatureMethod={m}")).unwrap_or_default()
            ),
            Self::V4(c) => format!(
                "{} {} headers {:?} body {:?} (scope {}/{}, payload {}{})",
                c.method,
                c.endpoint(),
                c.headers,
                c.body,
                c.region,
                c.service,
                c.payload.as_str(),
                c.presign_expires.map(|e| format!(", presigned {e} s")).unwrap_or_default()
            ),
        }
    }
}

/// One disagreement with the reference, shrunk.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The minimal failing input.
    pub minimal: FuzzInput,
    /// Why amzsig refused it (`SignatureDoesNotMatch`-style words, or the client's error).
    pub failure: String,
    /// Mistakes that reproduce the client's signature (empty: unknown or not a signature issue).
    pub mistakes: Vec<String>,
    /// Other explanations that reproduce it too on this (minimal) input.
    pub also: Vec<String>,
    /// What Amazon signs for the minimal input.
    pub expected_string_to_sign: Option<String>,
    /// What the client signed.
    pub client_string_to_sign: Option<String>,
    /// Other minimal inputs with the same root cause (amzsig's signer making this finding's
    /// mistakes signs each of them exactly as the client did).
    pub same_cause: Vec<FuzzInput>,
    /// The signature the client sent (not in the report: it is compared, not shown).
    #[serde(skip)]
    pub client_signature: Option<String>,
    /// What the client answered (kept to group findings by cause; not in the report).
    #[serde(skip)]
    pub client_answer: Option<crate::adapter::Signed>,
}

/// The run's result.
#[derive(Debug, Clone, Serialize)]
pub struct FuzzReport {
    /// The adapter's hello.
    pub client: Hello,
    /// The seed used.
    pub seed: u64,
    /// Cases generated and checked.
    pub cases: u64,
    /// Cases the client refused to sign (not findings: e.g. repeated names in a map).
    pub refused: u64,
    /// The first refusal's message, to say why so many were refused.
    pub first_refusal: Option<String>,
    /// Distinct findings, each shrunk.
    pub findings: Vec<Finding>,
    /// Wall time, seconds.
    pub seconds: f64,
}

/// The outcome of checking one case.
enum Verdict {
    Agrees,
    Refused(String),
    Disagrees(Box<Finding>),
}

/// Why a case could not be checked at all (the run stops).
#[derive(Debug, thiserror::Error)]
enum FuzzError {
    /// The case names credentials no alias gives.
    #[error("unknown credentials alias '{0}'")]
    UnknownCredentials(String),
    /// Talking to the adapter failed.
    #[error(transparent)]
    Adapter(#[from] AdapterError),
    /// The adapter answered with something else than `signed` or `error`.
    #[error("unexpected answer {0:?}")]
    Unexpected(Box<Answer>),
}

/// What the generator's closure and the loop around it share while the run goes.
struct RunState<'a> {
    /// The adapter under test.
    adapter: &'a mut Adapter,
    /// Distinct findings so far, each shrunk.
    findings: Vec<Finding>,
    /// Cases generated and checked.
    cases: u64,
    /// Cases the client refused to sign.
    refused: u64,
    /// The first refusal's message.
    first_refusal: Option<String>,
    /// Set when a case could not be checked: the run stops.
    stopped_by: Option<FuzzError>,
}

/// Checks one case. `explain` runs the diagnosis on a disagreement (costly: hundreds of
/// HMACs); while shrinking toward the first finding it is not needed.
fn check(adapter: &mut Adapter, input: &FuzzInput, explain: bool) -> Result<Verdict, FuzzError> {
    match input {
        FuzzInput::V2(case) => check_v2(adapter, case, explain),
        FuzzInput::V4(case) => check_v4(adapter, case, explain),
    }
}

/// The protocol request of a SigV2 case.
fn request_v2(case: &FuzzCase) -> Result<Request, FuzzError> {
    let creds = crate::scenario::credentials_alias(&case.credentials)
        .ok_or_else(|| FuzzError::UnknownCredentials(case.credentials.clone()))?;
    Ok(Request {
        kind: RequestKind::Sign,
        id: String::new(),
        sig: SchemeId::V2Query,
        method: case.method.clone(),
        endpoint: case.endpoint(),
        params: case.params.clone(),
        credentials: WireCredentials {
            access_key_id: creds.access_key_id,
            secret_key: creds.secret_key,
            session_token: None,
        },
        timestamp: Some(FUZZ_TIME.into()),
        expires: None,
        signature_method: case.signature_method,
        location: if case.method == "POST" { Location::Form } else { Location::Query },
    })
}

/// The protocol request of a SigV4 case.
fn request_v4(case: &FuzzCaseV4) -> Result<RequestV4, FuzzError> {
    let creds = crate::scenario::credentials_alias(&case.credentials)
        .ok_or_else(|| FuzzError::UnknownCredentials(case.credentials.clone()))?;
    Ok(RequestV4 {
        kind: RequestKind::Sign,
        id: String::new(),
        sig: SchemeId::V4,
        method: case.method.clone(),
        endpoint: case.endpoint(),
        headers: case.headers.clone(),
        body: case.body.clone(),
        credentials: WireCredentials {
            access_key_id: creds.access_key_id,
            secret_key: creds.secret_key,
            session_token: creds.session_token,
        },
        timestamp: FUZZ_TIME.to_owned(),
        amz_date: FUZZ_AMZ_DATE.to_owned(),
        region: case.region.clone(),
        service: case.service.clone(),
        payload: case.payload,
        presign_expires: case.presign_expires,
    })
}

/// The signature a signed answer carries, read from its text (the last `Signature=` or
/// `X-Amz-Signature=` of the URL or body, or the `Authorization` header's), so that even a
/// request whose URL no longer parses (a raw `#` or `%` in it) still shows what was signed.
fn signature_in(signed: &crate::adapter::Signed) -> Option<String> {
    let from_header = signed
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("authorization"))
        .and_then(|(_, v)| v.rsplit("Signature=").next().map(|s| s.trim().to_owned()));
    from_header.or_else(|| {
        [signed.body.as_str(), signed.url.as_str()].iter().find_map(|text| {
            let at = text.rfind("Signature=")?;
            let raw = text[at + "Signature=".len()..].split('&').next().unwrap_or("");
            crate::encoding::decode(raw.as_bytes(), crate::encoding::PlusMeans::Space, 0).ok()
        })
    })
}

/// The signature amzsig's reference signer makes for `input` when it makes `mistakes`.
fn reference_signature(input: &FuzzInput, mistakes: &[String]) -> Option<String> {
    let mistakes: Vec<crate::diagnose::Mistake> =
        mistakes.iter().map(|id| crate::diagnose::Mistake::from_id(id)).collect::<Option<_>>()?;
    let answer = match input {
        FuzzInput::V2(case) => crate::adapter::reference::sign(&request_v2(case).ok()?, &mistakes),
        FuzzInput::V4(case) => crate::adapter::reference::sign_v4(&request_v4(case).ok()?, &mistakes),
    };
    match answer {
        Answer::Signed(signed) => signature_in(&signed),
        _ => None,
    }
}

/// The SigV2 signature amzsig makes, with `mistakes`, over the parameters the client's
/// answer carries as written: its query (or form body) split on `&` and `=` without URL
/// parsing, each part decoded with `+` kept (an undecodable part as written), so that a raw
/// `+`, `%` or `#` in a name stays what the client signed. The client's own additions
/// (`Version`, its `Timestamp` format) are signed too: only the mistakes differ.
fn resigned_v2(
    case: &FuzzCase,
    answer: &crate::adapter::Signed,
    mistakes: &[crate::diagnose::Mistake],
) -> Option<String> {
    use crate::encoding::{decode, ParamList, PlusMeans};
    let text = if answer.body.is_empty() { answer.url.split_once('?')?.1 } else { answer.body.as_str() };
    let part = |raw: &str| decode(raw.as_bytes(), PlusMeans::Literal, 0).unwrap_or_else(|_| raw.to_owned());
    let params: ParamList = text
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
        .filter(|(n, _)| *n != sigv2::SIGNATURE_PARAM)
        .map(|(n, v)| (part(n), part(v)))
        .collect();
    let url = crate::request::OwnedRequest::from_url(&case.method, &case.endpoint()).ok()?;
    let method = answer.method.as_deref().unwrap_or(&case.method);
    let view =
        crate::request::RequestView { method, scheme: url.scheme, host: &url.host, path: &url.path, params: &params };
    let creds = crate::scenario::credentials_alias(&case.credentials)?;
    let default = params.get("SignatureMethod").and_then(|m| m.parse().ok()).unwrap_or(SignatureMethod::HmacSha256);
    crate::diagnose::v2::sign_with_mistakes(&view, &SecretKey::new(creds.secret_key.as_str()), default, mistakes)
}

/// Groups findings by root cause: a finding joins an earlier one (whose mistakes are known)
/// when amzsig's signer, making that finding's mistakes, signs this finding's input exactly
/// as the client did (SigV2: over the parameters the client sent, its own additions
/// included). So a client that never encodes names is one finding, whether the
/// name's raw character was `é` (a wrong signature), `+` (read back as a space), `&` or
/// `#` (a different request): its inputs go to `same_cause`.
fn group_by_cause(findings: Vec<Finding>) -> Vec<Finding> {
    let reproduces = |root: &Finding, other: &Finding| {
        let Some(mistakes) =
            root.mistakes.iter().map(|id| crate::diagnose::Mistake::from_id(id)).collect::<Option<Vec<_>>>()
        else {
            return false;
        };
        if mistakes.is_empty() || other.client_signature.is_none() {
            return false;
        }
        let ours = match (&other.minimal, &other.client_answer) {
            (FuzzInput::V2(case), Some(answer)) => resigned_v2(case, answer, &mistakes),
            _ => reference_signature(&other.minimal, &root.mistakes),
        };
        ours.is_some() && ours == other.client_signature
    };
    // The simplest explanations get the first chance to be a root.
    let mut findings = findings;
    findings.sort_by_key(|f| if f.mistakes.is_empty() { usize::MAX } else { f.mistakes.len() });
    let mut kept: Vec<Finding> = Vec::new();
    for mut f in findings {
        if let Some(root) = kept.iter_mut().find(|root| reproduces(root, &f)) {
            root.same_cause.push(f.minimal);
            root.same_cause.extend(f.same_cause);
            continue;
        }
        let mut i = 0;
        while i < kept.len() {
            // Only an unexplained finding, or one explained by more mistakes, joins a later one.
            let simpler = !kept[i].mistakes.is_empty() && kept[i].mistakes.len() <= f.mistakes.len();
            if !simpler && reproduces(&f, &kept[i]) {
                let absorbed = kept.remove(i);
                f.same_cause.push(absorbed.minimal);
                f.same_cause.extend(absorbed.same_cause);
            } else {
                i += 1;
            }
        }
        kept.push(f);
    }
    kept
}

/// The client's signed answer, or the verdict when it refused to sign.
fn signed_or_refused(answer: Answer) -> Result<Result<crate::adapter::Signed, Verdict>, FuzzError> {
    match answer {
        Answer::Signed(s) => Ok(Ok(s)),
        Answer::Error { message, .. } => Ok(Err(Verdict::Refused(message))),
        other => Err(FuzzError::Unexpected(Box::new(other))),
    }
}

/// A disagreement on the client's `signed` answer, which is kept (with its signature) to
/// group findings by cause.
#[allow(clippy::unnecessary_wraps)] // every caller returns it as its own result
fn disagrees(mut f: Finding, signed: &crate::adapter::Signed) -> Result<Verdict, FuzzError> {
    f.client_signature = signature_in(signed);
    f.client_answer = Some(signed.clone());
    Ok(Verdict::Disagrees(Box::new(f)))
}

/// A finding explained by the diagnosis `d` of its input.
fn explained(input: FuzzInput, failure: String, d: &crate::diagnose::Diagnosis) -> Finding {
    let mut f = finding_of(input, failure, Some(d.correct_string_to_sign.clone()));
    if let Some(best) = d.best() {
        f.mistakes = best.mistakes.iter().map(|m| m.id().to_owned()).collect();
        f.client_string_to_sign = Some(best.client_string_to_sign.clone());
    }
    f.also =
        d.findings.iter().skip(1).map(|x| x.mistakes.iter().map(|m| m.id()).collect::<Vec<_>>().join("+")).collect();
    f
}

fn check_v2(adapter: &mut Adapter, case: &FuzzCase, explain: bool) -> Result<Verdict, FuzzError> {
    let request = request_v2(case)?;
    let creds = request.credentials.clone();
    let signed = match signed_or_refused(adapter.call(request)?)? {
        Ok(s) => s,
        Err(refused) => return Ok(refused),
    };
    let owned = match signed.to_request(&case.method) {
        Ok(o) => o,
        Err(e) => return disagrees(finding(case, crate::adapter::error_chain(&e), None), &signed),
    };
    let secret = SecretKey::new(creds.secret_key.as_str());
    let keys = SingleKey { id: None, secret: &secret };
    let now = UtcTime::parse_iso8601(FUZZ_TIME).unwrap_or(UtcTime::from_unix_secs(0));
    match sigv2::verify(&owned.view(), &keys, now, &VerifyPolicy::default()) {
        Ok(_) => Ok(Verdict::Agrees),
        Err(
            failure @ (VerifyFailure::Mismatch { .. }
            | VerifyFailure::SignatureWrongLength { .. }
            | VerifyFailure::SignatureNotBase64 { .. }),
        ) => {
            if !explain {
                return disagrees(finding(case, failure.to_string(), None), &signed);
            }
            let subject = Subject::V2 { view: owned.view(), default_method: SignatureMethod::HmacSha256 };
            let d = diagnose(subject, &secret, Budget::DEFAULT);
            disagrees(explained(FuzzInput::V2(case.clone()), failure.to_string(), &d), &signed)
        }
        Err(other) => disagrees(finding(case, other.to_string(), None), &signed),
    }
}

fn finding(case: &FuzzCase, failure: String, expected: Option<String>) -> Finding {
    finding_of(FuzzInput::V2(case.clone()), failure, expected)
}

fn finding_of(minimal: FuzzInput, failure: String, expected: Option<String>) -> Finding {
    Finding {
        minimal,
        failure,
        mistakes: Vec::new(),
        also: Vec::new(),
        expected_string_to_sign: expected,
        client_string_to_sign: None,
        same_cause: Vec::new(),
        client_signature: None,
        client_answer: None,
    }
}

/// The SigV4 signing time of every case (`FUZZ_TIME` as `X-Amz-Date`).
const FUZZ_AMZ_DATE: &str = "20140818T120000Z";

fn check_v4(adapter: &mut Adapter, case: &FuzzCaseV4, explain: bool) -> Result<Verdict, FuzzError> {
    use crate::sigv4::{self, Payload, SignableRequest, SigningSettings};
    let request = request_v4(case)?;
    let creds = request.credentials.clone();
    let signed = match signed_or_refused(adapter.call_v4(request)?)? {
        Ok(s) => s,
        Err(refused) => return Ok(refused),
    };
    let input = || FuzzInput::V4(case.clone());
    let method = signed.method.clone().unwrap_or_else(|| case.method.clone());
    let url = match crate::request::OwnedRequest::from_url(&method, &signed.url) {
        Ok(u) => u,
        Err(e) => return disagrees(finding_of(input(), format!("the signed URL: {e}"), None), &signed),
    };
    let mut headers = signed.headers.clone();
    if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        headers.insert(0, ("Host".to_owned(), url.host.clone()));
    }
    let view = SignableRequest {
        method: &method,
        path: &url.path,
        query: &url.params,
        headers: (&headers).into(),
        payload: Payload::Bytes(signed.body.as_bytes()),
    };
    let settings = if case.service == "s3" { SigningSettings::s3() } else { SigningSettings::default() };
    let policy = sigv4::VerifyPolicy {
        expected_region: Some(&case.region),
        expected_service: Some(&case.service),
        settings,
        ..sigv4::VerifyPolicy::default()
    };
    let secret = SecretKey::new(creds.secret_key.as_str());
    let keys = SingleKey { id: None, secret: &secret };
    let now = UtcTime::parse_iso8601(FUZZ_TIME).unwrap_or(UtcTime::from_unix_secs(0));
    let failure = match sigv4::verify(&view, &keys, now, &policy) {
        Ok(_) => return Ok(Verdict::Agrees),
        Err(f) => f.to_string(),
    };
    if !explain {
        return disagrees(finding_of(input(), failure, None), &signed);
    }
    let d = diagnose(Subject::V4 { request: view, policy }, &secret, Budget::DEFAULT);
    disagrees(explained(input(), failure, &d), &signed)
}

/// The key findings are deduplicated by.
fn signature_of(f: &Finding) -> String {
    if f.mistakes.is_empty() {
        f.failure.split(':').next().unwrap_or("").to_owned()
    } else {
        f.mistakes.join("+")
    }
}

impl FuzzReport {
    /// Why the run tested too little to call a clean result clean, if it did: fewer than
    /// `min_tested_percent` of its cases were signed by the client (the rest refused), or
    /// none were generated.
    pub fn too_little_tested(&self, min_tested_percent: u8) -> Option<String> {
        let tested = self.cases.saturating_sub(self.refused);
        if self.cases == 0 {
            return Some("no case was generated".to_owned());
        }
        if tested * 100 >= self.cases * u64::from(min_tested_percent) {
            return None;
        }
        Some(format!(
            "the client signed only {tested} of {} cases ({}% needed; the rest it refused, e.g. '{}'): \
             the run tested too little to call it clean",
            self.cases,
            min_tested_percent,
            self.first_refusal.as_deref().unwrap_or("")
        ))
    }
}

/// Whether the generator makes SigV4 cases for `adapter`: it announces `sigv4` and the
/// generic AWS endpoint (`aws`, or no service at all; a PA-API 5.0-only client is not
/// fuzzed).
fn fuzzes_v4(adapter: &Adapter) -> bool {
    adapter.can(Capability::Sigv4) && (adapter.can(Capability::Aws) || !adapter.can(Capability::Paapi5))
}

/// Why `adapter` cannot be fuzzed, if it cannot: it announces neither `sigv2` nor `sigv4`
/// for the generic AWS endpoint, so no case could be sent to it.
pub fn unfuzzable(adapter: &Adapter) -> Option<String> {
    (!adapter.can(Capability::Sigv2) && !fuzzes_v4(adapter)).then(|| {
        "the adapter announces neither 'sigv2' nor 'sigv4' (with 'aws' or no service): amzsig fuzz has no case to send it"
            .to_owned()
    })
}

/// The cases for `adapter`: SigV2 when it announces `sigv2`, SigV4 when it announces
/// `sigv4`, half and half when both; each shaped by its other capabilities.
fn strategy_for(adapter: &Adapter) -> proptest::strategy::BoxedStrategy<FuzzInput> {
    use proptest::strategy::Strategy as _;
    let can_post = adapter.can(Capability::PostForm);
    let can_sha1 = adapter.can(Capability::HmacSha1);
    let only_paapi = adapter.can(Capability::Paapi) && !adapter.can(Capability::Mws);
    let v2 = fuzz_case(can_post, can_sha1, only_paapi).prop_map(FuzzInput::V2);
    let v4 = fuzz_case_v4(V4Capabilities {
        presign: adapter.can(Capability::Presign),
        unsigned_payload: adapter.can(Capability::UnsignedPayload),
        content_sha256: adapter.can(Capability::ContentSha256),
        security_token: adapter.can(Capability::SecurityToken),
    })
    .prop_map(FuzzInput::V4);
    match (adapter.can(Capability::Sigv2), fuzzes_v4(adapter)) {
        (true, true) => proptest::prop_oneof![v2, v4].boxed(),
        (false, true) => v4.boxed(),
        _ => v2.boxed(),
    }
}

/// Fuzzes `adapter` with generated cases; see the module docs.
pub fn run(adapter: &mut Adapter, config: &FuzzConfig) -> FuzzReport {
    let start = Instant::now();
    let mut seed = [0u8; 32];
    seed[..8].copy_from_slice(&config.seed.to_le_bytes());
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed);
    let strategy = strategy_for(adapter);
    let state = RefCell::new(RunState {
        adapter,
        findings: Vec::new(),
        cases: 0,
        refused: 0,
        first_refusal: None,
        stopped_by: None,
    });
    let mut runner = TestRunner::new_with_rng(
        Config {
            cases: config.cases,
            failure_persistence: None,
            max_shrink_iters: 4096,
            max_global_rejects: u32::MAX,
            ..Config::default()
        },
        rng,
    );
    loop {
        let result = runner.run(&strategy, |case| {
            let mut guard = state.borrow_mut();
            let st = &mut *guard;
            if config.time_limit.is_some_and(|t| start.elapsed() > t)
                || (config.stop_at_first && !st.findings.is_empty())
            {
                return Ok(());
            }
            st.cases += 1;
            if let Some(p) = config.progress {
                if st.cases % 500 == 0 {
                    p(st.cases, st.findings.len(), start.elapsed().as_secs_f64());
                }
            }
            // Diagnose only to tell a new finding from a known one.
            match check(st.adapter, &case, !st.findings.is_empty()) {
                Ok(Verdict::Agrees) => Ok(()),
                Ok(Verdict::Refused(message)) => {
                    st.refused += 1;
                    st.first_refusal.get_or_insert(message);
                    Ok(())
                }
                Ok(Verdict::Disagrees(f)) => {
                    let key = signature_of(&f);
                    if st.findings.iter().any(|known| signature_of(known) == key) {
                        Ok(())
                    } else {
                        Err(TestCaseError::fail(key))
                    }
                }
                Err(e) => {
                    let message = format!("adapter: {e}");
                    st.stopped_by = Some(e);
                    Err(TestCaseError::fail(message))
                }
            }
        });
        let mut guard = state.borrow_mut();
        let st = &mut *guard;
        match result {
            Err(TestError::Fail(_, minimal)) if st.stopped_by.is_none() => {
                // Re-check the shrunk input to record its diagnosis.
                let verdict = check(st.adapter, &minimal, true);
                if let Ok(Verdict::Disagrees(f)) = verdict {
                    st.findings.push(*f);
                } else {
                    break;
                }
                if config.stop_at_first
                    || st.cases >= u64::from(config.cases)
                    || config.time_limit.is_some_and(|t| start.elapsed() > t)
                {
                    break;
                }
            }
            _ => break,
        }
    }
    let RunState { adapter, findings, cases, refused, first_refusal, stopped_by: _ } = state.into_inner();
    let findings = group_by_cause(findings);
    FuzzReport {
        client: adapter.hello.clone(),
        seed: config.seed,
        cases,
        refused,
        first_refusal,
        findings,
        seconds: start.elapsed().as_secs_f64(),
    }
}

/// The findings as a scenario file a user can commit (each minimal input must be accepted).
pub fn scenario_file(report: &FuzzReport) -> String {
    let mut out = format!(
        "# Found by `amzsig fuzz` against {} {} (seed {}). Each scenario is a minimal input the\n# client signed differently from Amazon; a correct client gets it accepted.\nsource: \"amzsig fuzz, seed {}\"\nscenarios:\n",
        report.client.name, report.client.version, report.seed, report.seed
    );
    for (i, f) in report.findings.iter().enumerate() {
        let name = format!("fuzz-{}-{}", report.seed, i + 1);
        let rule = yaml_str(&format!("found by fuzzing: {}", f.failure));
        let catches = f.mistakes.join(", ");
        match &f.minimal {
            FuzzInput::V2(c) => {
                let service = if c.host.starts_with("mws") { "mws" } else { "paapi" };
                let params: Vec<String> =
                    c.params.iter().map(|(k, v)| format!("[{}, {}]", yaml_str(k), yaml_str(v))).collect();
                let _ = write!(
                    out,
                    "  - name: {name}\n    rule: {rule}\n    catches: [{catches}]\n    tags: [fuzz]\n    service: {service}\n    request:\n      method: {}\n      endpoint: {}\n      params: [{}]\n      credentials: {}\n      timestamp: \"{FUZZ_TIME}\"\n{}    expect: accepted\n",
                    c.method,
                    c.endpoint(),
                    params.join(", "),
                    c.credentials,
                    c.signature_method.as_ref().map(|m| format!("      signature_method: {m}\n")).unwrap_or_default(),
                );
            }
            FuzzInput::V4(c) => {
                let headers: Vec<String> =
                    c.headers.iter().map(|(k, v)| format!("[{}, {}]", yaml_str(k), yaml_str(v))).collect();
                let _ = write!(
                    out,
                    "  - name: {name}\n    rule: {rule}\n    catches: [{catches}]\n    tags: [fuzz]\n    sig: v4\n    service: aws\n    request:\n      method: {}\n      endpoint: {}\n      headers: [{}]\n      body: {}\n      credentials: {}\n      region: {}\n      scope_service: {}\n      payload: {}\n      timestamp: \"{FUZZ_TIME}\"\n{}    expect: accepted\n",
                    c.method,
                    yaml_str(&c.endpoint()),
                    headers.join(", "),
                    yaml_str(&c.body),
                    c.credentials,
                    c.region,
                    c.service,
                    c.payload.as_str(),
                    c.presign_expires.map(|e| format!("      presign_expires: {e}\n")).unwrap_or_default(),
                );
            }
        }
    }
    out
}

/// A double-quoted YAML string with every non-printable character escaped.
fn yaml_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
