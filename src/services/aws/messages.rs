//! The AWS front end's words for SigV4 failures, shared by every protocol (and by PA-API
//! 5.0, which sits behind the same front end).
//!
//! Sources:
//! - "The request signature we calculated does not match the signature you provided.
//!   Check your AWS Secret Access Key and signing method. Consult the service documentation
//!   for details.": AWS "Common Errors" (`SignatureDoesNotMatch`), the same text in the
//!   Alexa Web Search error table (docs.amazonwebservices.com/AlexaWebSearch/2007-03-15/
//!   ErrorsArticle.html).
//! - "Signature expired: {t} is now earlier than {now - 15 min} ({now} - 15 min.)":
//!   quoted live in the BOSH AWS CPI docs ("Signature expired: 20141106T010406Z is now
//!   earlier than 20141106T011252Z (20141106T011752Z - 5 min.)") and in a CloudFormation
//!   deployment log quoted in public code; for dates in the future "Signature not yet
//!   current: {t} is still later than {now + 15 min} ({now} + 15 min.)", quoted live from
//!   Elastic Beanstalk in a 2017 blog post ("… 20170424T013926Z is still later than
//!   20170424T013832Z (20170424T013332Z + 5 min.)"). Both are also listed in
//!   scratchstack-aws-signature's error docs.
//! - "Credential should be scoped to a valid region, not '{region}'. ": captured from SQS
//!   ("Credential should be scoped to a valid region, not 'wrong-region'. (Service:
//!   AmazonSQS; Status Code: 403; Error Code: SignatureDoesNotMatch …)"); STS answers
//!   "Credential should be scoped to a valid region. " and "Credential should be scoped to
//!   correct service: 'sts'. " (both quoted in public code that mocks STS).
//! - "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from
//!   HTTP: '{scope}' != '{date}', from '{x-amz-date}'.": the text reproduced by
//!   scratchstack-aws-signature (a Rust reimplementation of AWS's validator).
//! - "The security token included in the request is invalid." (`InvalidClientTokenId`,
//!   `UnrecognizedClientException`): captured in evanshortiss/sns-mobile issue #14 and
//!   ArranJacques/laravel-aws-cognito-auth issue #25 (JSON 1.1:
//!   `{"__type":"UnrecognizedClientException","message":…}`).
//! - "The security token included in the request is expired" (`ExpiredToken`, Query, 403):
//!   captured from IAM in cfn-sphere/cfn-sphere issue #55 (the whole `ErrorResponse`) and
//!   from STS GetCallerIdentity in miquella/vaulted issue #107; JSON
//!   `ExpiredTokenException` with the same text in MitocGroup/deep-framework issue #609.
//! - S3: `ExpiredToken` 400 "The provided token has expired." (craftcms/aws-s3 issue #182,
//!   the whole `<Error>` with a `Token-0` element echoing the token;
//!   ibi-group/datatools-ui issue #10: "Status Code: 400; Error Code: ExpiredToken");
//!   `InvalidToken` 400 "The provided token is malformed or otherwise invalid." (S3 API
//!   Reference, "Error Responses"); a temporary key sent without its token is
//!   `InvalidAccessKeyId` (prolane/samltoawsstskeys issue #40, redbubble/yak issue #51:
//!   "unset AWS_SESSION_TOKEN" then "The AWS Access Key Id you provided does not exist
//!   in our records.").
//! - IncompleteSignature texts ("Authorization header requires 'Credential' parameter.
//!   Authorization header requires 'Signature' parameter. Authorization header requires
//!   'SignedHeaders' parameter. Authorization header requires existence of either a
//!   'X-Amz-Date' or a 'Date' header. Authorization=…"): quoted live from API Gateway in
//!   many public notes (e.g. a boto3/API Gateway FAQ entry); "Credential must have
//!   exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '…'",
//!   "Date must be in ISO-8601 'basic format'. Got '…'. See
//!   `http://en.wikipedia.org/wiki/ISO_8601`" and "Unsupported AWS 'algorithm': '…'": the
//!   sample messages in scratchstack-aws-signature's `SignatureError` docs and tests (the
//!   first also in a captured AWS error log); "AWS query-string parameters must include
//!   '{name}'. Re-examine the query-string parameters.": mhart/dynalite (a DynamoDB
//!   reimplementation that reproduces AWS's texts); "'Host' or ':authority' must be a
//!   'SignedHeader' in the AWS Authorization.": as reproduced by a public AWS emulator.
//!   Not captured, our wording: a header form that does not sign `X-Amz-Date`, and the
//!   scope-terminator text.

use crate::clock::UtcTime;
use crate::sigv4::AuthorizationErrorKind;
use std::fmt::Write as _;

/// `SignatureDoesNotMatch`'s message in the Query and JSON protocols.
pub(crate) const SIGNATURE_MISMATCH: &str =
    "The request signature we calculated does not match the signature you provided. \
                                      Check your AWS Secret Access Key and signing method. Consult the service \
                                      documentation for details.";

/// S3's `SignatureDoesNotMatch` message (S3 API Reference, "Error Responses").
pub(crate) const S3_SIGNATURE_MISMATCH: &str =
    "The request signature we calculated does not match the signature you provided. Check your key and signing method.";

/// `InvalidClientTokenId` / `UnrecognizedClientException`.
pub(crate) const INVALID_TOKEN: &str = "The security token included in the request is invalid.";

/// `ExpiredToken` (Query) / `ExpiredTokenException` (JSON): temporary credentials past
/// their expiry (no final full stop, as captured).
pub(crate) const EXPIRED_TOKEN: &str = "The security token included in the request is expired";

/// S3's `InvalidToken`.
pub(crate) const S3_INVALID_TOKEN: &str = "The provided token is malformed or otherwise invalid.";

/// S3's `ExpiredToken`.
pub(crate) const S3_EXPIRED_TOKEN: &str = "The provided token has expired.";

/// `MissingAuthenticationToken` (Query) / `MissingAuthenticationTokenException` (JSON).
pub(crate) const MISSING_TOKEN: &str = "Request is missing Authentication Token";

fn minutes(secs: i64) -> String {
    if secs % 60 == 0 {
        format!("{} min.", secs / 60)
    } else {
        format!("{secs} sec.")
    }
}

/// "Signature expired: …" / "Signature not yet current: …" for time failures.
pub(crate) fn signature_expired(f: &crate::sigv4::VerifyFailure, now: UtcTime, max_skew_secs: i64) -> Option<String> {
    let n = now.to_amz_date();
    let past = |t: &str, window: i64| {
        format!(
            "Signature expired: {t} is now earlier than {} ({n} - {})",
            now.plus_secs(-window).to_amz_date(),
            minutes(window)
        )
    };
    let future = |t: &str| {
        format!(
            "Signature not yet current: {t} is still later than {} ({n} + {})",
            now.plus_secs(max_skew_secs).to_amz_date(),
            minutes(max_skew_secs)
        )
    };
    match f {
        crate::sigv4::VerifyFailure::RequestTimeTooSkewed { request_time, skew_secs } if *skew_secs >= 0 => {
            Some(past(request_time, max_skew_secs))
        }
        crate::sigv4::VerifyFailure::RequestTimeTooSkewed { request_time, .. }
        | crate::sigv4::VerifyFailure::NotYetValid { request_time } => Some(future(request_time)),
        crate::sigv4::VerifyFailure::Expired { request_time, expires_secs } => {
            Some(past(request_time, i64::try_from(*expires_secs).unwrap_or(i64::MAX / 2)))
        }
        _ => None,
    }
}

/// The scope problems' messages.
pub(crate) fn scope(f: &crate::sigv4::VerifyFailure) -> Option<String> {
    match f {
        crate::sigv4::VerifyFailure::WrongRegion { found, .. } => {
            Some(format!("Credential should be scoped to a valid region, not '{found}'. "))
        }
        crate::sigv4::VerifyFailure::WrongService { expected, .. } => {
            Some(format!("Credential should be scoped to correct service: '{expected}'. "))
        }
        crate::sigv4::VerifyFailure::ScopeDateMismatch { scope_date, request_date } => Some(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: \
             '{scope_date}' != '{request_date}'."
        )),
        crate::sigv4::VerifyFailure::ScopeTerminator(t) => {
            Some(format!("Credential should be scoped with a valid terminator: 'aws4_request', not '{t}'. "))
        }
        _ => None,
    }
}

/// `IncompleteSignature`'s message for a request whose authentication is not complete,
/// naming everything that is missing as AWS does (`authorization`: the header as sent,
/// echoed; `has_date`: whether `X-Amz-Date` or `Date` was sent).
pub(crate) fn incomplete(f: &crate::sigv4::VerifyFailure, authorization: Option<&str>, has_date: bool) -> String {
    let echo = authorization.map(|a| format!(" Authorization={a}")).unwrap_or_default();
    match f {
        crate::sigv4::VerifyFailure::MalformedAuthorization(e) => match &e.kind {
            AuthorizationErrorKind::MissingComponent(_)
            | AuthorizationErrorKind::MissingComponents
            | AuthorizationErrorKind::Empty => {
                let text = authorization.unwrap_or("");
                let mut out = String::new();
                for part in ["Credential", "Signature", "SignedHeaders"] {
                    if !text.contains(&format!("{part}=")) {
                        let _ = write!(out, "Authorization header requires '{part}' parameter. ");
                    }
                }
                if !has_date {
                    out.push_str(
                        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ",
                    );
                }
                format!("{}{echo}", out.trim_end())
            }
            AuthorizationErrorKind::Credential(_) => {
                let text = authorization.unwrap_or("");
                let credential = text.split("Credential=").nth(1).and_then(|c| c.split([',', ' ']).next());
                format!(
                    "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, \
                     got '{}'",
                    credential.unwrap_or("")
                )
            }
            other => format!("Authorization header is malformed: {other}.{echo}"),
        },
        crate::sigv4::VerifyFailure::MissingDate => {
            format!("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.{echo}")
        }
        crate::sigv4::VerifyFailure::MalformedDate { raw, .. } => {
            format!("Date must be in ISO-8601 'basic format'. Got '{raw}'. See http://en.wikipedia.org/wiki/ISO_8601")
        }
        crate::sigv4::VerifyFailure::UnsupportedAlgorithm(a) => format!("Unsupported AWS 'algorithm': '{a}'"),
        crate::sigv4::VerifyFailure::MissingQueryParameter(name) => {
            format!("AWS query-string parameters must include '{name}'. Re-examine the query-string parameters.")
        }
        crate::sigv4::VerifyFailure::HostNotSigned => {
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.".to_owned()
        }
        crate::sigv4::VerifyFailure::DateNotSigned => {
            "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.".to_owned()
        }
        other => format!("{other}.{echo}"),
    }
}
