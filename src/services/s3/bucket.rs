//! Bucket operations: ListBuckets, CreateBucket, HeadBucket, DeleteBucket,
//! GetBucketLocation, ListObjects (v1) and ListObjectsV2.
//!
//! Sources (S3 API Reference, each operation's page):
//! - CreateBucket: optional `CreateBucketConfiguration/LocationConstraint`; the answer
//!   carries `Location: /{bucket}`. A name another account owns is 409
//!   `BucketAlreadyExists`; one's own is 409 `BucketAlreadyOwnedByYou` "in all AWS Regions
//!   except in the North Virginia Region", where S3 answers 200 for legacy compatibility
//!   (CreateBucket page and the error list). A constraint that differs from the endpoint's
//!   region is 400 `IllegalLocationConstraintException` ("The {c} location constraint is
//!   incompatible for the region specific endpoint this request was sent to.", recorded
//!   for `aws-global` on us-west-1), and `us-east-1` named explicitly (or `aws-global`) on
//!   the us-east-1 endpoint is 400 `InvalidLocationConstraint` "The specified
//!   location-constraint is not valid" with `LocationConstraint` (recorded). Names: "Bucket
//!   naming rules" (3–63 characters of lowercase letters, digits, dots and hyphens,
//!   beginning and ending with a letter or digit, not shaped like an IP address, no `..`).
//! - GetBucketLocation: `LocationConstraint`, empty for us-east-1.
//! - DeleteBucket: 409 `BucketNotEmpty` while it holds objects; 204.
//! - ListObjects / ListObjectsV2: `prefix`, `delimiter` (→ `CommonPrefixes`, each counted
//!   once toward `max-keys`, at most 1000), `marker` / `continuation-token` /
//!   `start-after`, `encoding-type=url` (keys, prefixes, delimiter and markers
//!   URL-encoded), `KeyCount` (v2), `IsTruncated`, `NextMarker` (v1, with a delimiter),
//!   `NextContinuationToken` (v2, opaque: here the base64 of the last key or prefix
//!   listed).

use super::store::{Bucket, DEMO_OWNER};
use super::{readable, writable, Answer, S3Error, Scope, NS};
use crate::xml::Element;
use std::collections::BTreeMap;
use std::ops::Bound;

/// An owner element (`Owner`, `Initiator`): the account's canonical id (hex SHA-256 of its
/// name) and its name; the demo bucket's owner is `amzsig`.
pub(super) fn owner(tag: &str, account: &str) -> Element {
    let id = if account.is_empty() { "amzsig".to_owned() } else { crate::crypto::sha256_hex(account.as_bytes()) };
    let name = if account.is_empty() { "amzsig" } else { account };
    Element::new(tag).leaf("ID", id).leaf("DisplayName", name)
}

/// ListBuckets: the account's buckets and the demo bucket.
pub(super) fn list_buckets(s: &Scope<'_>) -> Answer {
    let inner = s.store.lock();
    let mut buckets = Element::new("Buckets");
    for (name, b) in &inner.buckets {
        if b.owner == s.who.account || b.owner == DEMO_OWNER {
            buckets.push(Element::new("Bucket").leaf("Name", name).leaf("CreationDate", b.created.to_iso8601_millis()));
        }
    }
    let root =
        Element::new("ListAllMyBucketsResult").attr("xmlns", NS).child(owner("Owner", s.who.account)).child(buckets);
    Answer::xml(&root)
}

fn valid_name(name: &str) -> bool {
    let b = name.as_bytes();
    let edge = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    let ip_like =
        name.split('.').count() == 4 && name.split('.').all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()));
    (3..=63).contains(&b.len())
        && b.iter().all(|&c| edge(c) || c == b'.' || c == b'-')
        && edge(b[0])
        && edge(b[b.len() - 1])
        && !name.contains("..")
        && !ip_like
}

/// The region a bucket is in (its constraint, or us-east-1).
fn region_of(b: &Bucket) -> &str {
    if b.region.is_empty() {
        "us-east-1"
    } else {
        &b.region
    }
}

/// CreateBucket.
pub(super) fn create(s: &Scope<'_>) -> Result<Answer, S3Error> {
    if !valid_name(s.bucket) {
        return Err(S3Error::invalid_bucket_name(s.bucket));
    }
    let constraint = if s.req.body.iter().all(u8::is_ascii_whitespace) {
        String::new()
    } else {
        let doc = super::parse_body(s.req)?;
        if doc.name != "CreateBucketConfiguration" {
            return Err(S3Error::malformed_xml());
        }
        doc.find("LocationConstraint").map(|c| c.text_content().trim().to_owned()).unwrap_or_default()
    };
    let endpoint = s.who.region;
    if endpoint == "us-east-1" && (constraint == "us-east-1" || constraint == "aws-global") {
        return Err(S3Error::new(400, "InvalidLocationConstraint", "The specified location-constraint is not valid")
            .with("LocationConstraint", constraint));
    }
    let wanted = if constraint.is_empty() { "us-east-1" } else { constraint.as_str() };
    if wanted != endpoint {
        let named = if constraint.is_empty() { "unspecified" } else { constraint.as_str() };
        return Err(S3Error::new(
            400,
            "IllegalLocationConstraintException",
            format!("The {named} location constraint is incompatible for the region specific endpoint this request was sent to."),
        ));
    }
    let mut inner = s.store.lock();
    if let Some(existing) = inner.buckets.get(s.bucket) {
        if existing.owner != s.who.account {
            return Err(S3Error::bucket_already_exists(s.bucket));
        }
        if region_of(existing) != "us-east-1" || endpoint != "us-east-1" {
            return Err(S3Error::bucket_already_owned_by_you(s.bucket));
        }
    } else {
        inner.buckets.insert(
            s.bucket.to_owned(),
            Bucket {
                owner: s.who.account.to_owned(),
                region: constraint,
                created: s.ctx.now,
                objects: BTreeMap::new(),
                uploads: BTreeMap::new(),
            },
        );
    }
    Ok(Answer::empty(200).header("Location", format!("/{}", s.bucket)))
}

/// HeadBucket.
pub(super) fn head(s: &Scope<'_>) -> Result<Answer, S3Error> {
    let inner = s.store.lock();
    let b = readable(&inner, s.bucket, s.who.account)?;
    Ok(Answer::empty(200).header("x-amz-bucket-region", region_of(b)))
}

/// GetBucketLocation.
pub(super) fn location(s: &Scope<'_>) -> Result<Answer, S3Error> {
    let inner = s.store.lock();
    let b = readable(&inner, s.bucket, s.who.account)?;
    let root = Element::new("LocationConstraint").attr("xmlns", NS).text(b.region.clone());
    Ok(Answer::xml(&root))
}

/// DeleteBucket.
pub(super) fn delete(s: &Scope<'_>) -> Result<Answer, S3Error> {
    let mut inner = s.store.lock();
    let inner = &mut *inner;
    let b = writable(&mut inner.buckets, s.bucket, s.who.account)?;
    if !b.objects.is_empty() {
        return Err(S3Error::bucket_not_empty(s.bucket));
    }
    let parts: u64 = b.uploads.values().flat_map(|u| u.parts.values()).map(|p| p.data.len() as u64).sum();
    inner.used = inner.used.saturating_sub(parts);
    inner.buckets.remove(s.bucket);
    Ok(Answer::empty(204))
}

/// The most keys a listing returns at once.
const MAX_KEYS: usize = 1000;

/// `max-keys` (default and ceiling 1000); `InvalidArgument` when not a number.
pub(super) fn max_param(s: &Scope<'_>, name: &'static str) -> Result<usize, S3Error> {
    match s.param(name) {
        None => Ok(MAX_KEYS),
        Some(v) => v.trim().parse::<usize>().map(|n| n.min(MAX_KEYS)).map_err(|_| {
            S3Error::invalid_argument(format!("Provided {name} not an integer or within integer range"), name, v)
        }),
    }
}

/// One listed entry: an object, or a common prefix.
enum Entry<'b> {
    Key(&'b str, &'b super::store::Object),
    Prefix(String),
}

/// A listing page: the entries after `start` under `prefix`, rolled up at `delimiter`,
/// at most `max`; and whether more follow.
fn page<'b>(bucket: &'b Bucket, prefix: &str, delimiter: &str, start: &str, max: usize) -> (Vec<Entry<'b>>, bool) {
    let mut out = Vec::new();
    let mut last_prefix: Option<String> = None;
    // Start at the prefix's run when it comes after `start`: keys before it cannot match.
    let from = if prefix > start { Bound::Included(prefix) } else { Bound::Excluded(start) };
    for (key, object) in bucket.objects.range::<str, _>((from, Bound::Unbounded)) {
        if !key.starts_with(prefix) {
            // Keys with a prefix are one sorted run: past it, nothing more matches.
            if key.as_str() > prefix {
                break;
            }
            continue;
        }
        let rolled = (!delimiter.is_empty())
            .then(|| key[prefix.len()..].find(delimiter).map(|i| key[..prefix.len() + i + delimiter.len()].to_owned()))
            .flatten();
        let entry = match rolled {
            Some(cp) if last_prefix.as_deref() == Some(cp.as_str()) || cp.as_str() <= start => continue,
            Some(cp) => {
                last_prefix = Some(cp.clone());
                Entry::Prefix(cp)
            }
            None => Entry::Key(key, object),
        };
        if out.len() == max {
            return (out, true);
        }
        out.push(entry);
    }
    (out, false)
}

/// ListObjects (`v2`: ListObjectsV2).
pub(super) fn list_objects(s: &Scope<'_>, v2: bool) -> Result<Answer, S3Error> {
    let url = match s.param("encoding-type") {
        None => false,
        Some("url") => true,
        Some(other) => {
            return Err(S3Error::invalid_argument(
                "Invalid Encoding Method specified in Request",
                "encoding-type",
                other,
            ));
        }
    };
    let max = max_param(s, "max-keys")?;
    let prefix = s.param("prefix").unwrap_or("");
    let delimiter = s.param("delimiter").unwrap_or("");
    let token = s.param("continuation-token");
    let start = if v2 {
        match token {
            Some(t) => {
                let decoded = crate::crypto::base64_decode(t).and_then(|b| String::from_utf8(b).ok());
                decoded.ok_or_else(|| {
                    S3Error::invalid_argument("The continuation token provided is incorrect", "continuation-token", t)
                })?
            }
            None => s.param("start-after").unwrap_or("").to_owned(),
        }
    } else {
        s.param("marker").unwrap_or("").to_owned()
    };
    let fetch_owner = !v2 || s.param("fetch-owner") == Some("true");
    let enc = |t: &str| if url { encode_key(t) } else { t.to_owned() };
    let inner = s.store.lock();
    let bucket = readable(&inner, s.bucket, s.who.account)?;
    let (entries, truncated) = page(bucket, prefix, delimiter, &start, max);
    let mut root =
        Element::new("ListBucketResult").attr("xmlns", NS).leaf("Name", s.bucket).leaf("Prefix", enc(prefix));
    if v2 {
        if let Some(t) = token {
            root = root.leaf("ContinuationToken", t);
        }
        if let Some(a) = s.param("start-after") {
            root = root.leaf("StartAfter", enc(a));
        }
        root = root.leaf("KeyCount", entries.len().to_string());
    } else {
        root = root.leaf("Marker", enc(&start));
    }
    root = root.leaf("MaxKeys", max.to_string());
    if !delimiter.is_empty() {
        root = root.leaf("Delimiter", enc(delimiter));
    }
    if url {
        root = root.leaf("EncodingType", "url");
    }
    root = root.leaf("IsTruncated", truncated.to_string());
    let last = entries.last().map(|e| match e {
        Entry::Key(k, _) => (*k).to_owned(),
        Entry::Prefix(p) => p.clone(),
    });
    if truncated {
        if let Some(last) = &last {
            if v2 {
                root = root.leaf("NextContinuationToken", crate::crypto::base64_encode(last.as_bytes()));
            } else if !delimiter.is_empty() {
                root = root.leaf("NextMarker", enc(last));
            }
        }
    }
    for entry in &entries {
        match entry {
            Entry::Key(key, object) => {
                let mut c = Element::new("Contents")
                    .leaf("Key", enc(key))
                    .leaf("LastModified", object.meta.last_modified.to_iso8601_millis())
                    .leaf("ETag", object.meta.etag.clone())
                    .leaf("Size", object.data.len().to_string())
                    .leaf("StorageClass", "STANDARD");
                if fetch_owner {
                    c = c.child(owner("Owner", &bucket.owner));
                }
                root.push(c);
            }
            Entry::Prefix(p) => root.push(Element::new("CommonPrefixes").leaf("Prefix", enc(p))),
        }
    }
    Ok(Answer::xml(&root))
}

/// A key as `encoding-type=url` writes it: RFC 3986 percent-encoding, `/` kept.
pub(super) fn encode_key(key: &str) -> String {
    key.split('/').map(|seg| crate::encoding::encode(seg.as_bytes())).collect::<Vec<_>>().join("/")
}
