//! The generic SigV4 endpoint: any AWS request signed with Signature Version 4 (header or
//! presigned query) is verified against the keystore with the service and region of its
//! credential scope, and answered in its protocol's usual shape.
//!
//! - Scope: on a real AWS host whose endpoint prefix is a known AWS endpoint
//!   (`{prefix}.{region}.amazonaws.com`, `{prefix}.amazonaws.com` = us-east-1, S3's
//!   `s3.`/`{bucket}.s3.` forms; prefix → signing names in `endpoint_prefixes.tsv`,
//!   generated from botocore's copy of AWS's endpoint data by
//!   `scripts/endpoint_prefixes.py`) the scope must name the host's region and one of the
//!   prefix's signing names (AWS General Reference, "Credential scope": the region and
//!   service "to which the request is sent"). An unknown prefix (`example.amazonaws.com`,
//!   the official suites' host) or any other host (loopback) does not decide the service:
//!   the scope's is taken, and [`ServiceFrom::Scope`] is recorded; its region label, if
//!   any, is still checked. A scope service that is no AWS signing name has no known path
//!   rule: a mismatch under the normalised path is retried with the path as sent.
//! - S3 (`s3` in the scope or the host): [`SigningSettings::s3`] (paths neither normalised
//!   nor double-encoded, `x-amz-content-sha256` required in the header form and checked
//!   against the body, presigned URLs sign `UNSIGNED-PAYLOAD`): S3 API Reference,
//!   "Signature Calculations for the Authorization Header" and "Authenticating Requests:
//!   Using Query Parameters".
//! - Protocols ([`protocol::Protocol`]): S3's REST-XML; AWS JSON 1.0/1.1 when the request
//!   has `X-Amz-Target`; AWS Query when `Action` is in the query or form body; REST-JSON
//!   for other JSON bodies; REST-XML otherwise (Smithy protocol definitions:
//!   awsJson1_0/awsJson1_1 "X-Amz-Target", awsQuery form bodies with `Action` and
//!   `Version`, restXml/restJson1 error shapes). Bodies are in [`protocol`], error texts in
//!   [`messages`].
//! - Success answers ([`ops`]): STS `GetCallerIdentity` (Account, Arn, UserId from the
//!   keystore account); S3 is the in-memory S3 ([`crate::services::s3`], the account that
//!   owns the verified key and the scope's region handed in); any other accepted request
//!   gets an empty success in its protocol's shape.
//! - Session tokens (temporary credentials; IAM User Guide, "Using temporary credentials
//!   with AWS resources": the token travels as `X-Amz-Security-Token`, a header or a
//!   presigned URL's query parameter): [`crate::keystore::Keystore::session`] judges the
//!   token against the key. A temporary key without its token, a long-term key with one,
//!   or another token are `InvalidClientTokenId` / `UnrecognizedClientException` ("The
//!   security token included in the request is invalid."; S3: `InvalidAccessKeyId` for a
//!   missing token, `InvalidToken` otherwise); the right token past the key's `expires`
//!   is `ExpiredToken` / `ExpiredTokenException` (S3 `ExpiredToken`); sources in
//!   [`messages`]. AWS reads the token to find the secret, so a token problem is reported
//!   before the signature's: it wins over a mismatch, a malformed signature or a time
//!   failure (our reading of that order; the parse and scope checks still come first).
//! - No throttling (AWS's per-service limits are out of scope).

pub(crate) mod messages;
pub(crate) mod ops;
pub(crate) mod protocol;

use super::{Ctx, Outcome, Record, ServiceFrom, ServiceKind, ServiceRequest, Verdict};
use crate::keystore::{Family, SessionCheck};
use crate::sigv4::{parse_credential, PathNormalization, SigningSettings, X_AMZ_CREDENTIAL, X_AMZ_SECURITY_TOKEN};
use protocol::{Failure, Protocol, TokenProblem};

/// AWS's endpoint prefixes and their SigV4 signing names, generated from botocore's copy
/// of AWS's published endpoint data by `scripts/endpoint_prefixes.py` (its header names
/// the botocore version and files). One row per prefix, sorted by prefix; a prefix whose
/// sources disagree lists every name, comma-separated.
const ENDPOINT_PREFIXES: &str = include_str!("endpoint_prefixes.tsv");

/// The rows of [`ENDPOINT_PREFIXES`], parsed once: (prefix, names), sorted by prefix.
fn endpoint_prefixes() -> &'static [(&'static str, &'static str)] {
    static TABLE: std::sync::OnceLock<Vec<(&'static str, &'static str)>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut rows: Vec<_> = ENDPOINT_PREFIXES
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .filter_map(|l| l.split_once('\t'))
            .collect();
        rows.sort_unstable_by(|a, b| a.0.cmp(b.0));
        rows
    })
}

/// The SigV4 signing names of AWS endpoint prefix `prefix` (comma-separated), when it is
/// one: `execute-api` → `execute-api`, `email` → `ses`, `runtime.lex` → `lex`.
pub(crate) fn signing_names(prefix: &str) -> Option<&'static str> {
    let rows = endpoint_prefixes();
    rows.binary_search_by(|(p, _)| (*p).cmp(prefix)).ok().map(|i| rows[i].1)
}

/// True when `service` is the signing name of some AWS endpoint (its rules, e.g. path
/// normalisation, are AWS's for that service).
pub(crate) fn is_known_signing_name(service: &str) -> bool {
    static NAMES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    let names = NAMES.get_or_init(|| {
        let mut names: Vec<&str> = endpoint_prefixes().iter().flat_map(|(_, n)| n.split(',')).collect();
        names.sort_unstable();
        names.dedup();
        names
    });
    names.binary_search(&service).is_ok()
}

/// What a host says about the credential scope a request to it must carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HostScope {
    /// The signing names of the host's endpoint prefix (comma-separated; any is right),
    /// or `None` when the prefix is not a known AWS endpoint: the host does not decide the
    /// service, the scope's is taken.
    pub services: Option<&'static str>,
    /// The region the host names, or `None` (no region label and an unknown prefix: the
    /// scope's is taken).
    pub region: Option<String>,
}

/// What a real AWS host (`{prefix}.{region}.amazonaws.com`, `{prefix}.amazonaws.com` =
/// us-east-1 for a known prefix, S3's `s3.`/`{bucket}.s3.`/`s3-{region}.` forms) says about
/// the scope, when `host` is one. The prefix is the longest run of labels before the
/// region (or the suffix) that is a known endpoint prefix, so `{api-id}.execute-api.…`
/// is `execute-api` and `runtime.lex.…` is `runtime.lex`.
pub(crate) fn host_scope(host: &str) -> Option<HostScope> {
    let rest = host.strip_suffix(".amazonaws.com").or_else(|| host.strip_suffix(".amazonaws.com.cn"))?;
    let labels: Vec<&str> = rest.split('.').collect();
    let is_region = |l: &str| l.contains('-') && l.ends_with(|c: char| c.is_ascii_digit());
    if let Some(i) = labels.iter().position(|l| *l == "s3" || l.starts_with("s3-")) {
        let region = labels[i].strip_prefix("s3-").filter(|r| is_region(r)).or_else(|| labels.get(i + 1).copied());
        let region = region.filter(|r| is_region(r)).unwrap_or("us-east-1").to_owned();
        return Some(HostScope { services: Some("s3"), region: Some(region) });
    }
    let (before, region) = match labels.as_slice() {
        [before @ .., r] if is_region(r) && !before.is_empty() => (before, Some((*r).to_owned())),
        all => (all, None),
    };
    let mut found = (0..before.len()).find_map(|start| signing_names(&before[start..].join(".")).map(|n| (start, n)));
    // AWS IoT Core's account-specific data endpoints, `{prefix}-ats.iot.{region}`, are the
    // data plane (`data-ats.iot`, signing name iotdata), not the control plane `iot`
    // (IoT Core Developer Guide, "AWS IoT device data and service endpoints").
    if let Some((start, _)) = found.filter(|(start, _)| before[*start..] == ["iot"] && *start > 0) {
        if before[start - 1].ends_with("-ats") {
            found = signing_names("data-ats.iot").map(|n| (start, n));
        }
    }
    // OpenSearch domains put the region before the prefix
    // (`search-{domain}-{id}.{region}.es.amazonaws.com`); a known endpoint without any
    // region label is a global one, in us-east-1.
    let region = region
        .or_else(|| {
            found
                .and_then(|(start, _)| before.get(start.checked_sub(1)?))
                .filter(|r| is_region(r))
                .map(|r| (*r).to_owned())
        })
        .or_else(|| found.map(|_| "us-east-1".to_owned()));
    Some(HostScope { services: found.map(|(_, n)| n), region })
}

/// The scope the request claims (service, region), read before verification so that even
/// a refusal is worded in the right protocol.
fn claimed_scope(req: &ServiceRequest<'_>) -> Option<(String, String, String)> {
    let raw = match req.header("authorization") {
        Some(a) => a.split("Credential=").nth(1)?.split([',', ' ']).next()?.to_owned(),
        None => req.query.get(X_AMZ_CREDENTIAL)?.to_owned(),
    };
    let c = parse_credential(&raw).ok()?;
    Some((c.access_key_id, c.scope.service, c.scope.region))
}

fn new_record() -> Record {
    Record::refused(ServiceKind::Aws)
}

/// The protocol of `req`, the SigV4 rules it is verified with (the host's service and
/// region on a real AWS host whose endpoint prefix is known, the host's region label
/// otherwise; none elsewhere; S3's canonicalisation for S3), and who decided the service.
pub(crate) fn rules(req: &ServiceRequest<'_>) -> (Protocol, super::V4Rules, ServiceFrom) {
    let bare = crate::sigv2::host_without_port(req.view.host).to_ascii_lowercase();
    let from_host = host_scope(&bare);
    let claimed = claimed_scope(req).map(|c| c.1);
    let host_services = from_host.as_ref().and_then(|h| h.services);
    // Of several names for one prefix, the one the scope names if it is among them.
    let expected = host_services
        .map(|names| names.split(',').find(|n| Some(*n) == claimed.as_deref()).unwrap_or_else(|| first(names)));
    let service = claimed.as_deref().or(expected).unwrap_or_default();
    let proto = Protocol::detect(req, service);
    let settings = if proto == Protocol::S3 { SigningSettings::s3() } else { SigningSettings::default() };
    let from = if expected.is_some() { ServiceFrom::Host } else { ServiceFrom::Scope };
    let region = from_host.and_then(|h| h.region);
    (proto, super::V4Rules { service: expected.map(str::to_owned), region, settings }, from)
}

fn first(names: &'static str) -> &'static str {
    names.split(',').next().unwrap_or(names)
}

/// True when `req` speaks S3's protocol.
pub(crate) fn is_s3(req: &ServiceRequest<'_>) -> bool {
    rules(req).0 == Protocol::S3
}

/// A request the generic endpoint has authenticated: what answering it needs.
pub(crate) struct Authenticated {
    /// The protocol it speaks.
    proto: Protocol,
    /// The journal record so far (access key id, operation, who decided the service).
    record: Record,
    /// What the signature check found.
    pub(crate) verified: crate::sigv4::Verified,
    /// Who signed.
    identity: ops::Identity,
    /// The name of the keystore account that owns the key.
    account: String,
    /// S3: the operation the request asks for (or S3's refusal of its shape).
    s3_target: Option<Result<crate::services::s3::Target, crate::services::s3::S3Error>>,
}

/// Answers a request for the generic SigV4 endpoint.
pub(crate) fn handle(ctx: &Ctx<'_>, req: &ServiceRequest<'_>) -> Outcome {
    match authenticate(ctx, req) {
        Ok(auth) => answer(ctx, req, auth),
        Err(refused) => refused,
    }
}

/// The refusal in `proto`'s shape, recorded.
fn refuse(
    proto: Protocol,
    ctx: &Ctx<'_>,
    req: &ServiceRequest<'_>,
    mut record: Record,
    failure: &Failure<'_>,
) -> Outcome {
    let out = protocol::error(proto, ctx, req, failure);
    record.error_code = Some(out.code.to_owned());
    out.into_outcome(record)
}

/// The S3 operation `req` asks for, when it speaks S3 (known before the signature is
/// checked, for the journal).
fn s3_target(
    ctx: &Ctx<'_>,
    req: &ServiceRequest<'_>,
    proto: Protocol,
) -> Option<Result<crate::services::s3::Target, crate::services::s3::S3Error>> {
    (proto == Protocol::S3).then(|| crate::services::s3::classify(req, &ctx.options.s3_domains))
}

/// The journal's operation: the S3 operation's name, or the protocol's.
fn operation(
    req: &ServiceRequest<'_>,
    proto: Protocol,
    target: Option<&Result<crate::services::s3::Target, crate::services::s3::S3Error>>,
) -> String {
    match target {
        Some(Ok(t)) => t.op.name().to_owned(),
        _ => proto.operation(req),
    }
}

/// The signature and session-token checks of the generic endpoint: the request's
/// authentication, or the refusal to send.
// The refusal is the answer itself, moved once to the caller.
#[allow(clippy::result_large_err)]
pub(crate) fn authenticate(ctx: &Ctx<'_>, req: &ServiceRequest<'_>) -> Result<Authenticated, Outcome> {
    let claimed = claimed_scope(req);
    let (proto, rules, service_from) = rules(req);
    let s3_target = s3_target(ctx, req, proto);
    let mut record = new_record();
    record.operation = Some(operation(req, proto, s3_target.as_ref()));
    if let Some(Ok(t)) = &s3_target {
        record.bucket.clone_from(&t.bucket);
        record.key = Some(t.key.clone()).filter(|k| !k.is_empty());
    }
    record.service_from = Some(service_from);
    record.access_key_id = claimed.as_ref().map(|c| c.0.clone());
    let policy = rules.policy(ctx.options.max_skew_secs);
    let signable = req.signable();
    let token = req.header(X_AMZ_SECURITY_TOKEN).or_else(|| req.query.get(X_AMZ_SECURITY_TOKEN));
    let verified = match verify(ctx, &signable, &policy, service_from, claimed.as_ref().map(|c| c.1.as_str())) {
        Ok(v) => v,
        Err(f) => {
            if let (true, Some(c)) = (after_key_lookup(&f), &claimed) {
                if let Some(t) = token_failure(ctx.keys.session(&c.0, token, ctx.now)) {
                    return Err(refuse(proto, ctx, req, record, &t));
                }
            }
            record.failure = Some(f.clone().into());
            return Err(refuse(proto, ctx, req, record, &Failure::Verify(&f)));
        }
    };
    record.access_key_id = Some(verified.access_key_id.clone());
    if let Some(t) = token_failure(ctx.keys.session(&verified.access_key_id, token, ctx.now)) {
        return Err(refuse(proto, ctx, req, record, &t));
    }
    let account = ctx.keys.account_for_key(&verified.access_key_id).map_or("unknown", |a| a.name.as_str());
    let identity = ops::Identity::new(account);
    Ok(Authenticated { proto, record, verified, identity, account: account.to_owned(), s3_target })
}

/// The answer to an authenticated request.
fn answer(ctx: &Ctx<'_>, req: &ServiceRequest<'_>, auth: Authenticated) -> Outcome {
    let Authenticated { proto, mut record, verified, identity, account, s3_target } = auth;
    record.verdict = Verdict::Accepted;
    if let Some(target) = s3_target {
        let who = crate::services::s3::Caller { account: &account, region: &verified.scope.region };
        return match target.and_then(|t| crate::services::s3::handle(ctx, req, &t, who)) {
            Ok(a) => {
                let mut headers = protocol::s3_headers(ctx.request_id);
                headers.extend(a.headers);
                Outcome {
                    status: a.status,
                    content_type: a.content_type,
                    headers,
                    body: a.body,
                    object: a.object,
                    record,
                }
            }
            Err(e) => {
                // A refusal that a signer mistake explains carries its failure (for the
                // diagnosis); the request stays authenticated (`Accepted`), as for any S3
                // error after the signature.
                if let Some(f) = &e.failure {
                    record.failure = Some((**f).clone());
                }
                refuse(proto, ctx, req, record, &Failure::S3(&e))
            }
        };
    }
    let s = ops::answer(proto, ctx, req, &verified.scope.service, &identity);
    Outcome { status: s.status, content_type: s.content_type, headers: s.headers, body: s.body, object: None, record }
}

/// The refusal of an aws-chunked upload whose body broke a streaming rule (after its
/// head was authenticated, or for a head S3 refuses before reading the body), in S3's
/// words (`StreamingError::s3_code`).
pub(crate) fn stream_refused(
    ctx: &Ctx<'_>,
    req: &ServiceRequest<'_>,
    error: &crate::sigv4::streaming::StreamingError,
) -> Outcome {
    let claimed = claimed_scope(req);
    let (proto, _, service_from) = rules(req);
    let mut record = new_record();
    record.operation = Some(operation(req, proto, s3_target(ctx, req, proto).as_ref()));
    record.service_from = Some(service_from);
    record.access_key_id = claimed.map(|c| c.0);
    record.failure = Some(error.clone().into());
    refuse(proto, ctx, req, record, &Failure::Streaming(error))
}

/// Verifies with `policy`; when the host did not decide the service and the scope's is no
/// AWS signing name either, the service's path rule is unknown too, so a mismatch is
/// tried again with the path as sent (S3's rule) before it is final. A known service keeps
/// its one rule (every service but S3 normalises: AWS General Reference, "Create a
/// canonical request"); the CRT suite signs its `*-unnormalized` cases for `service`.
fn verify(
    ctx: &Ctx<'_>,
    signable: &crate::sigv4::SignableRequest<'_>,
    policy: &crate::sigv4::VerifyPolicy<'_>,
    from: ServiceFrom,
    claimed_service: Option<&str>,
) -> Result<crate::sigv4::Verified, crate::sigv4::VerifyFailure> {
    let first = ctx.verify_v4(signable, policy, Family::Aws);
    // Only a mismatch asks whether the scope's service has rules of its own.
    let unknown_rules = || from == ServiceFrom::Scope && !claimed_service.is_some_and(is_known_signing_name);
    match first {
        Err(crate::sigv4::VerifyFailure::Mismatch { .. })
            if policy.settings.path_normalization == PathNormalization::Normalize && unknown_rules() =>
        {
            let settings = SigningSettings { path_normalization: PathNormalization::AsIs, ..policy.settings };
            ctx.verify_v4(signable, &crate::sigv4::VerifyPolicy { settings, ..*policy }, Family::Aws).or(first)
        }
        other => other,
    }
}

/// `text` with the value of every `X-Amz-Security-Token` (any case) after `:` (a
/// canonical header line) or `=` (a query parameter) replaced by `<redacted>`; the value
/// ends at the first character a token cannot have. For canonical requests, URLs and log
/// lines: a session token is a secret.
pub(crate) fn redact_session_token(text: &str) -> std::borrow::Cow<'_, str> {
    const NAME: &[u8] = b"x-amz-security-token";
    let bytes = text.as_bytes();
    let mut out = String::new();
    let (mut copied, mut i) = (0, 0);
    while i + NAME.len() < bytes.len() {
        let sep = bytes[i + NAME.len()];
        if (sep == b':' || sep == b'=') && bytes[i..i + NAME.len()].eq_ignore_ascii_case(NAME) {
            let start = i + NAME.len() + 1;
            let end = start + bytes[start..].iter().take_while(|b| crate::keystore::is_session_token_char(**b)).count();
            if end > start {
                out.push_str(&text[copied..start]);
                out.push_str("<redacted>");
                copied = end;
            }
            i = end;
        } else {
            i += 1;
        }
    }
    if copied == 0 {
        return std::borrow::Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    std::borrow::Cow::Owned(out)
}

/// True for the failures `sigv4::verify` finds after it has looked the key up (the key
/// exists and is active): the point where AWS has read the session token.
pub(crate) fn after_key_lookup(f: &crate::sigv4::VerifyFailure) -> bool {
    use crate::sigv4::VerifyFailure as F;
    matches!(
        f,
        F::MalformedSignature(_)
            | F::Expired { .. }
            | F::NotYetValid { .. }
            | F::RequestTimeTooSkewed { .. }
            | F::Mismatch { .. }
            | F::ContentSha256Mismatch { .. }
    )
}

/// The refusal for a session token that does not fit its key, if any.
fn token_failure(check: SessionCheck) -> Option<Failure<'static>> {
    match check {
        SessionCheck::LongTerm | SessionCheck::Valid | SessionCheck::UnknownKey => None,
        SessionCheck::MissingToken => Some(Failure::InvalidToken(TokenProblem::Missing)),
        SessionCheck::UnexpectedToken | SessionCheck::WrongToken => Some(Failure::InvalidToken(TokenProblem::Wrong)),
        SessionCheck::Expired => Some(Failure::ExpiredToken),
    }
}

/// The answer to a request whose query string or form body does not decode: AWS Query's
/// `MalformedQueryString` (AWS "Common Errors"), in the Query error envelope.
pub(crate) fn malformed(request_id: &str, message: &str) -> Outcome {
    let mut record = new_record();
    record.error_code = Some("MalformedQueryString".to_owned());
    protocol::query_error(400, "Sender", "MalformedQueryString", message, request_id, None).into_outcome(record)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_scopes() {
        // (host, signing names, region); expected values from botocore's endpoint data
        // (execute-api: apigatewaymanagementapi; email: ses; runtime.lex: lex), OpenSearch's
        // domain endpoints (`search-….{region}.es.amazonaws.com`) and the S3
        // endpoint forms (S3 User Guide, "Virtual hosting of buckets", legacy s3-{region}).
        type Want = Option<(Option<&'static str>, Option<&'static str>)>;
        let cases: &[(&str, Want)] = &[
            ("sts.amazonaws.com", Some((Some("sts"), Some("us-east-1")))),
            ("sts.eu-west-1.amazonaws.com", Some((Some("sts"), Some("eu-west-1")))),
            ("iam.amazonaws.com", Some((Some("iam"), Some("us-east-1")))),
            ("s3.amazonaws.com", Some((Some("s3"), Some("us-east-1")))),
            ("bucket.s3.eu-central-1.amazonaws.com", Some((Some("s3"), Some("eu-central-1")))),
            ("s3-us-west-2.amazonaws.com", Some((Some("s3"), Some("us-west-2")))),
            ("abc123.execute-api.us-west-2.amazonaws.com", Some((Some("execute-api"), Some("us-west-2")))),
            ("email.us-east-1.amazonaws.com", Some((Some("ses"), Some("us-east-1")))),
            ("runtime.lex.us-east-1.amazonaws.com", Some((Some("lex"), Some("us-east-1")))),
            ("iot.us-east-1.amazonaws.com", Some((Some("iot"), Some("us-east-1")))),
            ("a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com", Some((Some("iotdata"), Some("eu-west-1")))),
            ("search-domain-abc.eu-west-1.es.amazonaws.com", Some((Some("es"), Some("eu-west-1")))),
            ("example.amazonaws.com", Some((None, None))),
            ("example.eu-west-1.amazonaws.com", Some((None, Some("eu-west-1")))),
            ("importexport.amazonaws.com", Some((Some("IngestionService,importexport"), Some("us-east-1")))),
            ("127.0.0.1", None),
        ];
        for (host, want) in cases {
            let got = host_scope(host);
            assert_eq!(got.as_ref().map(|h| (h.services, h.region.as_deref())), *want, "{host}");
        }
    }

    #[test]
    fn the_prefix_table_is_sorted_and_whole() {
        let rows = endpoint_prefixes();
        assert!(rows.len() > 400, "{} rows", rows.len());
        assert!(rows.windows(2).all(|w| w[0].0 < w[1].0), "sorted, no duplicate prefix");
        assert!(rows.iter().all(|(p, n)| !p.is_empty() && !n.is_empty() && !n.contains(' ')));
        assert!(is_known_signing_name("execute-api") && is_known_signing_name("ses"));
        assert!(!is_known_signing_name("service") && !is_known_signing_name("example"));
    }

    #[test]
    fn session_tokens_are_redacted_in_canonical_requests_and_urls() {
        let cases = [
            ("x-amz-security-token:AQoD/+x==\nx-amz-date:1", "x-amz-security-token:<redacted>\nx-amz-date:1"),
            (
                "a=1&X-Amz-Security-Token=AQoD%2F%3D&X-Amz-Signature=f",
                "a=1&X-Amz-Security-Token=<redacted>&X-Amz-Signature=f",
            ),
            (
                "X-AMZ-SECURITY-TOKEN=t | x-amz-security-token:u",
                "X-AMZ-SECURITY-TOKEN=<redacted> | x-amz-security-token:<redacted>",
            ),
            ("x-amz-security-token:\nhost:h", "x-amz-security-token:\nhost:h"),
            ("no token here", "no token here"),
            ("x-amz-security-token", "x-amz-security-token"),
            ("é x-amz-security-token=ü", "é x-amz-security-token=ü"),
        ];
        for (text, want) in cases {
            assert_eq!(redact_session_token(text), want, "{text}");
        }
    }
}
