//! The generic endpoint's success answers.
//!
//! - STS `GetCallerIdentity` (STS API Reference, "GetCallerIdentity", sample response:
//!   `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
//!   <GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/Alice</Arn>
//!   <UserId>…</UserId><Account>123456789012</Account></GetCallerIdentityResult>
//!   <ResponseMetadata><RequestId>…</RequestId></ResponseMetadata>`); the same fields as a
//!   JSON object for `X-Amz-Target: AWSSecurityTokenServiceV20110615.GetCallerIdentity`.
//!   The account id and user id are derived from the keystore account's name (stable,
//!   12 digits; `AIDA` + 17 characters), the ARN is `arn:aws:iam::{account}:user/{name}`.
//! - S3 is [`crate::services::s3`] (the in-memory S3).
//! - Anything else accepted: an empty success in the protocol's shape (Query:
//!   `<{Action}Response><{Action}Result/><ResponseMetadata><RequestId>`; JSON: `{}`;
//!   REST: 200 with an empty body).

use super::protocol::Protocol;
use crate::services::{Ctx, ServiceRequest};
use crate::xml::Element;

/// Who signed: derived from the keystore account.
pub(super) struct Identity {
    pub account: String,
    pub arn: String,
    pub user_id: String,
}

impl Identity {
    pub(super) fn new(account_name: &str) -> Self {
        let digest = crate::crypto::sha256_hex(account_name.as_bytes());
        let digits: String = digest.bytes().map(|b| char::from(b'0' + b % 10)).take(12).collect();
        let user: String = digest.bytes().skip(12).take(17).map(|b| char::from(b.to_ascii_uppercase())).collect();
        Self {
            arn: format!("arn:aws:iam::{digits}:user/{account_name}"),
            account: digits,
            user_id: format!("AIDA{user}"),
        }
    }
}

/// A success.
pub(super) struct Success {
    pub status: u16,
    pub content_type: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

fn rid(ctx: &Ctx<'_>) -> Vec<(String, String)> {
    vec![("x-amzn-RequestId".to_owned(), ctx.request_id.to_owned())]
}

pub(super) fn answer(
    proto: Protocol,
    ctx: &Ctx<'_>,
    req: &ServiceRequest<'_>,
    service: &str,
    who: &Identity,
) -> Success {
    match proto {
        Protocol::Query => {
            let action = req.view.params.get("Action").unwrap_or("");
            let version = req.view.params.get("Version").unwrap_or("");
            let mut result = Element::new(format!("{action}Result"));
            if service == "sts" && action == "GetCallerIdentity" {
                result = result.leaf("Arn", &who.arn).leaf("UserId", &who.user_id).leaf("Account", &who.account);
            }
            let mut root = Element::new(format!("{action}Response"));
            if !version.is_empty() {
                root = root.attr("xmlns", format!("https://{service}.amazonaws.com/doc/{version}/"));
            }
            let root = root.child(result).child(Element::new("ResponseMetadata").leaf("RequestId", ctx.request_id));
            Success { status: 200, content_type: "text/xml".to_owned(), headers: rid(ctx), body: root.to_document() }
        }
        Protocol::Json { v10 } => {
            let target = req.header("x-amz-target").unwrap_or("");
            let body = if service == "sts" && target.ends_with(".GetCallerIdentity") {
                serde_json::json!({"Account": who.account, "Arn": who.arn, "UserId": who.user_id}).to_string()
            } else {
                "{}".to_owned()
            };
            let content_type = format!("application/x-amz-json-{}", if v10 { "1.0" } else { "1.1" });
            Success { status: 200, content_type, headers: rid(ctx), body }
        }
        Protocol::RestJson => {
            Success { status: 200, content_type: "application/json".to_owned(), headers: rid(ctx), body: "{}".into() }
        }
        // S3 never gets here (`aws::handle` hands it to `services::s3`).
        Protocol::RestXml | Protocol::S3 => {
            Success { status: 200, content_type: "text/xml".to_owned(), headers: rid(ctx), body: String::new() }
        }
    }
}
