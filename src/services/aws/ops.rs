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
//! - S3 `ListBuckets` (`ListAllMyBucketsResult` in `http://s3.amazonaws.com/doc/2006-03-01/`
//!   with `Owner` and `Buckets/Bucket/{Name, CreationDate}`, S3 API Reference
//!   "ListBuckets") listing one bucket, [`BUCKET`]; `GET`/`HEAD` of [`KEY`] in it answers
//!   [`OBJECT_BODY`] with `ETag` (the body's MD5 in quotes, as S3 does for single-part
//!   uploads); other keys `NoSuchKey`, other buckets `NoSuchBucket`.
//! - Anything else accepted: an empty success in the protocol's shape (Query:
//!   `<{Action}Response><{Action}Result/><ResponseMetadata><RequestId>`; JSON: `{}`;
//!   REST: 200 with an empty body).

use super::protocol::{s3_headers, Failure, Protocol};
use crate::services::{Ctx, ServiceRequest};
use crate::xml::Element;

/// The one bucket the mock's S3 has.
pub(crate) const BUCKET: &str = "amzsig-example";
/// The one object in it.
pub(crate) const KEY: &str = "hello.txt";
/// Its contents.
pub(crate) const OBJECT_BODY: &str = "Hello from amzsig.\n";
/// The bucket's creation date.
const CREATED: &str = "2014-08-18T12:00:00.000Z";

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

pub(super) fn answer<'r>(
    proto: Protocol,
    ctx: &Ctx<'_>,
    req: &'r ServiceRequest<'r>,
    service: &str,
    who: &Identity,
) -> Result<Success, Failure<'r>> {
    match proto {
        Protocol::S3 => s3(ctx, req),
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
            Ok(Success {
                status: 200,
                content_type: "text/xml".to_owned(),
                headers: rid(ctx),
                body: root.to_document(),
            })
        }
        Protocol::Json { v10 } => {
            let target = req.header("x-amz-target").unwrap_or("");
            let body = if service == "sts" && target.ends_with(".GetCallerIdentity") {
                serde_json::json!({"Account": who.account, "Arn": who.arn, "UserId": who.user_id}).to_string()
            } else {
                "{}".to_owned()
            };
            let content_type = format!("application/x-amz-json-{}", if v10 { "1.0" } else { "1.1" });
            Ok(Success { status: 200, content_type, headers: rid(ctx), body })
        }
        Protocol::RestJson => Ok(Success {
            status: 200,
            content_type: "application/json".to_owned(),
            headers: rid(ctx),
            body: "{}".into(),
        }),
        Protocol::RestXml => {
            Ok(Success { status: 200, content_type: "text/xml".to_owned(), headers: rid(ctx), body: String::new() })
        }
    }
}

/// The bucket and key of an S3 request (virtual-hosted or path style).
fn bucket_and_key<'r>(req: &'r ServiceRequest<'r>) -> (Option<&'r str>, &'r str) {
    let host = crate::sigv2::host_without_port(req.view.host);
    let path = req.view.path.trim_start_matches('/');
    let virtual_bucket = host.find(".s3.").or_else(|| host.find(".s3-")).map(|i| &host[..i]);
    match virtual_bucket {
        Some(b) => (Some(b), path),
        None => match path.split_once('/') {
            Some((b, k)) => (Some(b), k),
            None if path.is_empty() => (None, ""),
            None => (Some(path), ""),
        },
    }
}

fn s3<'r>(ctx: &Ctx<'_>, req: &'r ServiceRequest<'r>) -> Result<Success, Failure<'r>> {
    let headers = s3_headers(ctx.request_id);
    let method = req.view.method;
    match bucket_and_key(req) {
        (None, _) if method == "GET" => {
            let root = Element::new("ListAllMyBucketsResult")
                .attr("xmlns", "http://s3.amazonaws.com/doc/2006-03-01/")
                .child(Element::new("Owner").leaf("ID", "amzsig").leaf("DisplayName", "amzsig"))
                .child(
                    Element::new("Buckets")
                        .child(Element::new("Bucket").leaf("Name", BUCKET).leaf("CreationDate", CREATED)),
                );
            Ok(Success { status: 200, content_type: "application/xml".to_owned(), headers, body: root.to_document() })
        }
        (Some(b), _) if b != BUCKET => Err(Failure::NoSuchBucket(b)),
        (Some(_), k) if !k.is_empty() && (method == "GET" || method == "HEAD") => {
            if k != KEY {
                return Err(Failure::NoSuchKey(k));
            }
            let mut headers = headers;
            let etag = md5_hex(OBJECT_BODY.as_bytes());
            headers.push(("ETag".to_owned(), format!("\"{etag}\"")));
            headers.push(("Last-Modified".to_owned(), "Mon, 18 Aug 2014 12:00:00 GMT".to_owned()));
            Ok(Success { status: 200, content_type: "text/plain".to_owned(), headers, body: OBJECT_BODY.to_owned() })
        }
        _ => Ok(Success { status: 200, content_type: "application/xml".to_owned(), headers, body: String::new() }),
    }
}

fn md5_hex(data: &[u8]) -> String {
    use md5::{Digest, Md5};
    crate::crypto::hex(&Md5::digest(data))
}
