//! The in-memory S3 behind the generic SigV4 endpoint (requests whose protocol is S3,
//! once their signature is accepted): buckets, objects, multipart uploads, per keystore
//! account, in a [`Store`] the pure service is handed (`Ctx::s3`).
//!
//! - Addressing (`locate`): path style (`/{bucket}/{key}`) and virtual-hosted style:
//!   `{bucket}.s3.amazonaws.com`, `{bucket}.s3.{region}.amazonaws.com`,
//!   `{bucket}.s3-{region}.amazonaws.com` (S3 User Guide, "Virtual hosting of buckets"),
//!   `{bucket}.localhost[:port]` and `{bucket}.{domain}` for each configured base domain
//!   ([`crate::services::ServiceOptions::s3_domains`], `amzsig serve --s3-domain`). Keys
//!   are the path after the bucket, percent-decoded (`+` is a plus sign).
//! - Operations (`Op`): the S3 API Reference page of each names its request and answer
//!   shapes (ListBuckets, CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation,
//!   ListObjects, ListObjectsV2, ListMultipartUploads, DeleteObjects, PutObject,
//!   CopyObject, GetObject, HeadObject, DeleteObject, CreateMultipartUpload, UploadPart,
//!   ListParts, CompleteMultipartUpload, AbortMultipartUpload). A query parameter naming any
//!   other sub-resource (`acl`, `policy`, `versioning`, `tagging`, …) is 501
//!   `NotImplemented`.
//! - Errors (`S3Error`): codes, statuses and texts with their sources in `error.rs`.
//! - Streaming (issue #15): for an aws-chunked upload the pipeline hands over the decoded
//!   payload as `req.body` and the trailer fields as `req.trailers`; `x-amz-content-sha256`
//!   then holds a `STREAMING-…` literal, which only PutObject and UploadPart accept
//!   (reference §2.1: other operations get 400 `InvalidRequest`). `aws-chunked` is taken
//!   out of the stored `Content-Encoding` (reference §2.2).

mod bucket;
mod checksums;
mod error;
mod multipart;
mod object;
mod store;

pub(crate) use error::S3Error;
pub use store::{Store, DEFAULT_MAX_BYTES};

use crate::services::{Ctx, ServiceRequest};
use bytes::Bytes;
use store::Inner;

/// S3's XML namespace (every answer's root element).
pub(crate) const NS: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

/// The smallest part but the last of a multipart upload: 5 MiB (S3 User Guide, "Amazon S3
/// multipart upload limits").
pub(crate) const MIN_PART_SIZE: usize = 5 * 1024 * 1024;

/// A success: what the endpoint sends back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Answer {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type`.
    pub content_type: String,
    /// Headers beside the request ids.
    pub headers: Vec<(String, String)>,
    /// An XML body (empty for most writes).
    pub body: String,
    /// An object's bytes (GetObject), sent instead of `body`, never copied.
    pub object: Option<Bytes>,
}

impl Answer {
    fn empty(status: u16) -> Self {
        Self {
            status,
            content_type: "application/xml".to_owned(),
            headers: Vec::new(),
            body: String::new(),
            object: None,
        }
    }

    fn xml(root: &crate::xml::Element) -> Self {
        Self { body: root.to_document(), ..Self::empty(200) }
    }

    fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }
}

/// The S3 operations served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    ListBuckets,
    CreateBucket,
    HeadBucket,
    DeleteBucket,
    GetBucketLocation,
    ListObjects,
    ListObjectsV2,
    ListMultipartUploads,
    DeleteObjects,
    PutObject,
    CopyObject,
    GetObject,
    HeadObject,
    DeleteObject,
    CreateMultipartUpload,
    UploadPart,
    ListParts,
    CompleteMultipartUpload,
    AbortMultipartUpload,
}

impl Op {
    /// The operation's name in the S3 API Reference (the journal's `operation`).
    pub(crate) fn name(self) -> &'static str {
        match self {
            Op::ListBuckets => "ListBuckets",
            Op::CreateBucket => "CreateBucket",
            Op::HeadBucket => "HeadBucket",
            Op::DeleteBucket => "DeleteBucket",
            Op::GetBucketLocation => "GetBucketLocation",
            Op::ListObjects => "ListObjects",
            Op::ListObjectsV2 => "ListObjectsV2",
            Op::ListMultipartUploads => "ListMultipartUploads",
            Op::DeleteObjects => "DeleteObjects",
            Op::PutObject => "PutObject",
            Op::CopyObject => "CopyObject",
            Op::GetObject => "GetObject",
            Op::HeadObject => "HeadObject",
            Op::DeleteObject => "DeleteObject",
            Op::CreateMultipartUpload => "CreateMultipartUpload",
            Op::UploadPart => "UploadPart",
            Op::ListParts => "ListParts",
            Op::CompleteMultipartUpload => "CompleteMultipartUpload",
            Op::AbortMultipartUpload => "AbortMultipartUpload",
        }
    }
}

/// What a request addresses: the operation, the bucket (none: the service) and the key
/// (empty: the bucket).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    pub op: Op,
    pub bucket: Option<String>,
    pub key: String,
}

/// Query parameters the served operations read (or that SDKs add and S3 ignores); any
/// other, but the signature's `X-Amz-*` and GetObject's `response-*`, names a sub-resource
/// this S3 does not serve.
const KNOWN_PARAMS: &[&str] = &[
    "prefix",
    "delimiter",
    "max-keys",
    "marker",
    "continuation-token",
    "start-after",
    "encoding-type",
    "fetch-owner",
    "list-type",
    "key-marker",
    "upload-id-marker",
    "max-uploads",
    "uploads",
    "location",
    "delete",
    "uploadId",
    "partNumber",
    "part-number-marker",
    "max-parts",
    "versionId",
    "x-id",
];

/// The bucket a host names (virtual-hosted style), if any: the labels before `.s3.`,
/// `.s3-{region}.` on an AWS host, before `.localhost`, or before a configured domain.
fn host_bucket<'h>(host: &'h str, domains: &[String]) -> Option<&'h str> {
    let bare = crate::sigv2::host_without_port(host);
    let lower = bare.to_ascii_lowercase();
    let cut = if super::is_aws_host(&lower) {
        lower.rfind(".s3.").or_else(|| lower.rfind(".s3-"))
    } else if let Some(b) = lower.strip_suffix(".localhost") {
        Some(b.len())
    } else {
        domains.iter().find_map(|d| lower.strip_suffix(d.as_str())?.strip_suffix('.').map(str::len))
    };
    cut.filter(|&i| i > 0).map(|i| &bare[..i])
}

/// Bucket and key of `req` (see the module docs), the key percent-decoded.
pub(crate) fn locate(req: &ServiceRequest<'_>, domains: &[String]) -> Result<(Option<String>, String), S3Error> {
    let path = req.view.path.strip_prefix('/').unwrap_or(req.view.path);
    let (bucket, raw_key) = match host_bucket(req.view.host, domains) {
        Some(b) => (Some(b.to_owned()), path),
        None => match path.split_once('/') {
            Some((b, k)) => (Some(b.to_owned()), k),
            None if path.is_empty() => (None, ""),
            None => (Some(path.to_owned()), ""),
        },
    };
    let key = crate::encoding::decode(raw_key.as_bytes(), crate::encoding::PlusMeans::Literal, 0)
        .map_err(|_| S3Error::invalid_uri())?;
    Ok((bucket, key))
}

/// Which operation `req` asks for.
pub(crate) fn classify(req: &ServiceRequest<'_>, domains: &[String]) -> Result<Target, S3Error> {
    if let Some(p) = req.query.iter().find(|p| {
        let n = p.name.as_str();
        !KNOWN_PARAMS.contains(&n) && !n.starts_with("X-Amz-") && !n.starts_with("response-")
    }) {
        return Err(S3Error::not_implemented(&format!("?{}", p.name.as_str())));
    }
    let (bucket, key) = locate(req, domains)?;
    let has = |name: &str| req.query.get(name).is_some();
    let method = req.view.method;
    let op = match (&bucket, key.is_empty(), method) {
        (None, _, "GET") => Op::ListBuckets,
        (None, _, m) => return Err(S3Error::method_not_allowed(m, "SERVICE")),
        (Some(_), true, "GET") if has("location") => Op::GetBucketLocation,
        (Some(_), true, "GET") if has("uploads") => Op::ListMultipartUploads,
        (Some(_), true, "GET") if req.query.get("list-type") == Some("2") => Op::ListObjectsV2,
        (Some(_), true, "GET") => Op::ListObjects,
        (Some(_), true, "POST") if has("delete") => Op::DeleteObjects,
        (Some(_), true, "PUT") => Op::CreateBucket,
        (Some(_), true, "HEAD") => Op::HeadBucket,
        (Some(_), true, "DELETE") => Op::DeleteBucket,
        (Some(_), true, m) => return Err(S3Error::method_not_allowed(m, "BUCKET")),
        (Some(_), false, "PUT") if has("uploadId") || has("partNumber") => {
            if req.header("x-amz-copy-source").is_some() {
                return Err(S3Error::not_implemented("x-amz-copy-source"));
            }
            Op::UploadPart
        }
        (Some(_), false, "PUT") if req.header("x-amz-copy-source").is_some() => Op::CopyObject,
        (Some(_), false, "PUT") => Op::PutObject,
        (Some(_), false, "GET") if has("uploadId") => Op::ListParts,
        (Some(_), false, "GET") => Op::GetObject,
        (Some(_), false, "HEAD") => Op::HeadObject,
        (Some(_), false, "DELETE") if has("uploadId") => Op::AbortMultipartUpload,
        (Some(_), false, "DELETE") => Op::DeleteObject,
        (Some(_), false, "POST") if has("uploads") => Op::CreateMultipartUpload,
        (Some(_), false, "POST") if has("uploadId") => Op::CompleteMultipartUpload,
        (Some(_), false, m) => return Err(S3Error::method_not_allowed(m, "OBJECT")),
    };
    Ok(Target { op, bucket, key })
}

/// Who asks, and where: the keystore account that owns the verified key, and the region
/// the request was signed for (the endpoint's).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Caller<'a> {
    pub account: &'a str,
    pub region: &'a str,
}

/// Answers an S3 request whose signature was accepted; `target` from [`classify`].
pub(crate) fn handle(
    ctx: &Ctx<'_>,
    req: &ServiceRequest<'_>,
    target: &Target,
    who: Caller<'_>,
) -> Result<Answer, S3Error> {
    let streaming = req.header("x-amz-content-sha256").is_some_and(|v| v.starts_with("STREAMING-"));
    if streaming && !matches!(target.op, Op::PutObject | Op::UploadPart) {
        return Err(S3Error::streaming_not_allowed());
    }
    // No store handed in (an offline judge): a fresh one per request, the demo bucket only.
    let fresh;
    let store = if let Some(s) = ctx.s3 {
        s
    } else {
        fresh = Store::default();
        &fresh
    };
    let s = Scope { ctx, req, store, who, bucket: target.bucket.as_deref().unwrap_or(""), key: &target.key };
    match target.op {
        Op::ListBuckets => Ok(bucket::list_buckets(&s)),
        Op::CreateBucket => bucket::create(&s),
        Op::HeadBucket => bucket::head(&s),
        Op::DeleteBucket => bucket::delete(&s),
        Op::GetBucketLocation => bucket::location(&s),
        Op::ListObjects => bucket::list_objects(&s, false),
        Op::ListObjectsV2 => bucket::list_objects(&s, true),
        Op::ListMultipartUploads => multipart::list_uploads(&s),
        Op::DeleteObjects => object::delete_objects(&s),
        Op::PutObject => object::put(&s),
        Op::CopyObject => object::copy(&s),
        Op::GetObject => object::get(&s, false),
        Op::HeadObject => object::get(&s, true),
        Op::DeleteObject => object::delete(&s),
        Op::CreateMultipartUpload => multipart::create(&s),
        Op::UploadPart => multipart::upload_part(&s),
        Op::ListParts => multipart::list_parts(&s),
        Op::CompleteMultipartUpload => multipart::complete(&s),
        Op::AbortMultipartUpload => multipart::abort(&s),
    }
}

/// Everything an operation reads.
pub(crate) struct Scope<'s> {
    ctx: &'s Ctx<'s>,
    req: &'s ServiceRequest<'s>,
    store: &'s Store,
    who: Caller<'s>,
    bucket: &'s str,
    key: &'s str,
}

impl Scope<'_> {
    fn param(&self, name: &str) -> Option<&str> {
        self.req.query.get(name)
    }
}

/// The bucket `name` for reading by `account`: the demo bucket or one of its own.
fn readable<'i>(inner: &'i Inner, name: &str, account: &str) -> Result<&'i store::Bucket, S3Error> {
    let b = inner.buckets.get(name).ok_or_else(|| S3Error::no_such_bucket(name))?;
    if b.owner != account && b.owner != store::DEMO_OWNER {
        return Err(S3Error::access_denied());
    }
    Ok(b)
}

/// The bucket `name` for writing by `account`: one of its own (not the demo bucket).
fn writable<'i>(
    buckets: &'i mut std::collections::BTreeMap<String, store::Bucket>,
    name: &str,
    account: &str,
) -> Result<&'i mut store::Bucket, S3Error> {
    let b = buckets.get_mut(name).ok_or_else(|| S3Error::no_such_bucket(name))?;
    if b.owner != account {
        return Err(S3Error::access_denied());
    }
    Ok(b)
}

/// The request body as stored bytes: the pipeline's shared buffer when it has one (an
/// aws-chunked upload's decoded payload: no copy), else a copy of `body`.
pub(crate) fn body_bytes(req: &ServiceRequest<'_>) -> Bytes {
    req.shared_body.cloned().unwrap_or_else(|| Bytes::copy_from_slice(req.body))
}

/// The MD5 of `data`.
pub(crate) fn md5(data: &[u8]) -> [u8; 16] {
    use md5::{Digest, Md5};
    Md5::digest(data).into()
}

/// `"{hex MD5}"`: a single PUT's ETag (S3 API Reference, "Common Response Headers": the
/// ETag of an object created by PUT is the MD5 of its data).
pub(crate) fn quoted_md5(data: &[u8]) -> String {
    format!("\"{}\"", crate::crypto::hex(&md5(data)))
}

/// Checks `Content-MD5` against `digest`, when sent: `InvalidDigest` when it is not the
/// base64 of 16 bytes, `BadDigest` when it differs (AWS-recorded).
pub(crate) fn check_content_md5(req: &ServiceRequest<'_>, digest: &[u8; 16]) -> Result<(), S3Error> {
    let Some(sent) = req.header("content-md5") else { return Ok(()) };
    let decoded = crate::crypto::base64_decode(sent.trim()).filter(|d| d.len() == 16);
    let Some(decoded) = decoded else { return Err(S3Error::invalid_digest(sent)) };
    if !crate::crypto::constant_time_eq(&decoded, digest) {
        return Err(S3Error::bad_digest(&crate::crypto::hex(&decoded), &crate::crypto::base64_encode(digest)));
    }
    Ok(())
}

/// `time` as an HTTP date (`Mon, 18 Aug 2014 12:00:00 GMT`; RFC 9110 IMF-fixdate).
pub(crate) fn http_date(time: crate::clock::UtcTime) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let (y, mo, d, h, mi, s, _) = time.to_civil();
    let weekday = usize::try_from(time.unix_secs().div_euclid(86_400).rem_euclid(7)).unwrap_or(0);
    let month = MONTHS[usize::try_from(mo.clamp(1, 12) - 1).unwrap_or(0)];
    format!("{}, {d:02} {month} {y:04} {h:02}:{mi:02}:{s:02} GMT", DAYS[weekday])
}

/// An HTTP date (IMF-fixdate) read back; `None` for any other form (S3 then ignores the
/// condition, as HTTP says to).
pub(crate) fn parse_http_date(text: &str) -> Option<crate::clock::UtcTime> {
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let (_, rest) = text.trim().split_once(", ")?;
    let mut parts = rest.split(' ');
    let (d, mon, y, hms, zone) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if zone != "GMT" || parts.next().is_some() {
        return None;
    }
    let month = MONTHS.iter().position(|m| *m == mon)? + 1;
    let iso = format!("{y}-{month:02}-{d:0>2}T{hms}Z");
    crate::clock::UtcTime::parse_iso8601(&iso).ok()
}

/// `x-amz-meta-*`, `Content-Type` and the other stored headers of a PutObject or
/// CreateMultipartUpload (or a CopyObject with `REPLACE`); `aws-chunked` is taken out of
/// `Content-Encoding` and the header dropped when nothing is left (reference §2.2).
pub(crate) fn meta_from_headers(req: &ServiceRequest<'_>) -> store::Meta {
    let get = |n: &str| req.header(n).map(str::to_owned);
    let encoding = req.header("content-encoding").map(|v| {
        v.split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty() && !c.eq_ignore_ascii_case("aws-chunked"))
            .collect::<Vec<_>>()
            .join(",")
    });
    let user = req
        .headers
        .iter()
        .filter_map(|(n, v)| {
            let lower = n.to_ascii_lowercase();
            lower.strip_prefix("x-amz-meta-").map(|name| (name.to_owned(), v.trim().to_owned()))
        })
        .collect();
    store::Meta {
        content_type: get("content-type"),
        content_encoding: encoding.filter(|e| !e.is_empty()),
        cache_control: get("cache-control"),
        content_disposition: get("content-disposition"),
        content_language: get("content-language"),
        user,
        ..store::Meta::default()
    }
}

/// The XML body of a request, parsed; `MalformedXML` when it is not XML (or not UTF-8).
pub(crate) fn parse_body(req: &ServiceRequest<'_>) -> Result<crate::xml::Element, S3Error> {
    let text = std::str::from_utf8(req.body).map_err(|_| S3Error::malformed_xml())?;
    crate::xml::parse(text).map_err(|_| S3Error::malformed_xml())
}

/// Checks there is room for `adding` bytes where `freeing` bytes go away.
fn room(used: u64, max: u64, adding: usize, freeing: usize) -> Result<(), S3Error> {
    let after = used.saturating_sub(freeing as u64).saturating_add(adding as u64);
    if after > max {
        return Err(S3Error::store_full(adding, max.saturating_sub(used.saturating_sub(freeing as u64))));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
