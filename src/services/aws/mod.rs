//! The generic SigV4 endpoint: any AWS request signed with Signature Version 4 (header or
//! presigned query) is verified against the keystore with the service and region of its
//! credential scope, and answered in its protocol's usual shape.
//!
//! - Scope: on a real AWS host (`{service}.{region}.amazonaws.com`,
//!   `{service}.amazonaws.com` = us-east-1, S3's `s3.`/`{bucket}.s3.` forms) the scope must
//!   name the host's region and service; on any other host (loopback) the scope's region
//!   and service are taken as they are (AWS General Reference, "Credential scope": the
//!   region and service "to which the request is sent").
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
//!   keystore account), S3 `ListBuckets` and `GET /{bucket}/{key}` (a small fixed object);
//!   any other accepted request gets an empty success in its protocol's shape.
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

pub mod messages;
pub mod ops;
pub mod protocol;

use super::{Ctx, Outcome, Record, ServiceKind, ServiceRequest, Verdict};
use crate::keystore::{Family, SessionCheck};
use crate::sigv4::{parse_credential, SigningSettings, X_AMZ_CREDENTIAL, X_AMZ_SECURITY_TOKEN};
use protocol::{Failure, Protocol, TokenProblem};

/// True for a real AWS host (`*.amazonaws.com`, `*.amazonaws.com.cn`), lowercase, no port.
pub fn is_aws_host(host: &str) -> bool {
    host.ends_with(".amazonaws.com") || host.ends_with(".amazonaws.com.cn")
}

/// The (service, region) a real AWS host serves, when `host` is one.
pub fn host_scope(host: &str) -> Option<(String, String)> {
    let rest = host.strip_suffix(".amazonaws.com").or_else(|| host.strip_suffix(".amazonaws.com.cn"))?;
    let labels: Vec<&str> = rest.split('.').collect();
    let is_region = |l: &str| l.contains('-') && l.ends_with(|c: char| c.is_ascii_digit());
    if let Some(i) = labels.iter().position(|l| *l == "s3" || l.starts_with("s3-")) {
        let region = labels[i].strip_prefix("s3-").filter(|r| is_region(r)).or_else(|| labels.get(i + 1).copied());
        return Some(("s3".to_owned(), region.filter(|r| is_region(r)).unwrap_or("us-east-1").to_owned()));
    }
    let service = |l: &str| match l {
        "email" => "ses".to_owned(),
        other => other.to_owned(),
    };
    match labels.as_slice() {
        [.., s, r] if is_region(r) => Some((service(s), (*r).to_owned())),
        [.., s] => Some((service(s), "us-east-1".to_owned())),
        [] => None,
    }
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

/// The protocol of `req` and the SigV4 rules it is verified with: the host's service and
/// region on a real AWS host (none elsewhere), S3's canonicalisation for S3.
pub fn rules(req: &ServiceRequest<'_>) -> (Protocol, super::V4Rules) {
    let bare = crate::sigv2::host_without_port(req.view.host).to_ascii_lowercase();
    let from_host = host_scope(&bare);
    let service =
        claimed_scope(req).map(|c| c.1).or_else(|| from_host.as_ref().map(|h| h.0.clone())).unwrap_or_default();
    let proto = Protocol::detect(req, &service);
    let settings = if proto == Protocol::S3 { SigningSettings::s3() } else { SigningSettings::default() };
    let (service, region) = from_host.map_or((None, None), |(s, r)| (Some(s), Some(r)));
    (proto, super::V4Rules { service, region, settings })
}

/// Answers a request for the generic SigV4 endpoint.
pub fn handle(ctx: &Ctx<'_>, req: &ServiceRequest<'_>) -> Outcome {
    let claimed = claimed_scope(req);
    let (proto, rules) = rules(req);
    let mut record = new_record();
    record.operation = Some(proto.operation(req));
    record.access_key_id = claimed.as_ref().map(|c| c.0.clone());
    let refuse = |mut record: Record, failure: &Failure<'_>| {
        let out = protocol::error(proto, ctx, req, failure);
        record.error_code = Some(out.code.to_owned());
        Outcome { status: out.status, content_type: out.content_type, headers: out.headers, body: out.body, record }
    };
    let policy = rules.policy(ctx.options.max_skew_secs);
    let signable = req.signable();
    let token = req.header(X_AMZ_SECURITY_TOKEN).or_else(|| req.query.get(X_AMZ_SECURITY_TOKEN));
    let verified = match ctx.verify_v4(&signable, &policy, Family::Aws) {
        Ok(v) => v,
        Err(f) => {
            if let (true, Some(c)) = (after_key_lookup(&f), &claimed) {
                if let Some(t) = token_failure(ctx.keys.session(&c.0, token, ctx.now)) {
                    return refuse(record, &t);
                }
            }
            record.failure = Some(f.clone().into());
            return refuse(record, &Failure::Verify(&f));
        }
    };
    record.access_key_id = Some(verified.access_key_id.clone());
    if let Some(t) = token_failure(ctx.keys.session(&verified.access_key_id, token, ctx.now)) {
        return refuse(record, &t);
    }
    let account = ctx.keys.account_for_key(&verified.access_key_id);
    let identity = ops::Identity::new(account.map_or("unknown", |a| a.name.as_str()));
    let success = ops::answer(proto, ctx, req, &verified.scope.service, &identity);
    match success {
        Ok(s) => {
            record.verdict = Verdict::Accepted;
            Outcome { status: s.status, content_type: s.content_type, headers: s.headers, body: s.body, record }
        }
        Err(f) => {
            let mut out = refuse(record, &f);
            out.record.verdict = Verdict::Accepted;
            out
        }
    }
}

/// `text` with the value of every `X-Amz-Security-Token` (any case) after `:` (a
/// canonical header line) or `=` (a query parameter) replaced by `<redacted>`; the value
/// ends at the first character a token cannot have. For canonical requests, URLs and log
/// lines: a session token is a secret.
pub fn redact_session_token(text: &str) -> std::borrow::Cow<'_, str> {
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
pub fn after_key_lookup(f: &crate::sigv4::VerifyFailure) -> bool {
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
pub fn malformed(request_id: &str, message: &str) -> Outcome {
    let mut record = new_record();
    record.error_code = Some("MalformedQueryString".to_owned());
    let out = protocol::query_error(400, "Sender", "MalformedQueryString", message, request_id, None);
    Outcome { status: out.status, content_type: out.content_type, headers: out.headers, body: out.body, record }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_scopes() {
        let cases: &[(&str, Option<(&str, &str)>)] = &[
            ("sts.amazonaws.com", Some(("sts", "us-east-1"))),
            ("sts.eu-west-1.amazonaws.com", Some(("sts", "eu-west-1"))),
            ("iam.amazonaws.com", Some(("iam", "us-east-1"))),
            ("s3.amazonaws.com", Some(("s3", "us-east-1"))),
            ("bucket.s3.eu-central-1.amazonaws.com", Some(("s3", "eu-central-1"))),
            ("s3-us-west-2.amazonaws.com", Some(("s3", "us-west-2"))),
            ("abc123.execute-api.us-west-2.amazonaws.com", Some(("execute-api", "us-west-2"))),
            ("email.us-east-1.amazonaws.com", Some(("ses", "us-east-1"))),
            ("127.0.0.1", None),
        ];
        for (host, want) in cases {
            let got = host_scope(host);
            assert_eq!(got.as_ref().map(|(s, r)| (s.as_str(), r.as_str())), *want, "{host}");
        }
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
