//! Object operations: PutObject, GetObject and HeadObject (with `Range` and the
//! conditional headers), DeleteObject, DeleteObjects, CopyObject.
//!
//! Sources: S3 API Reference, "PutObject", "GetObject" (`Range` → 206 with
//! `Content-Range`; conditional requests: `If-Match` and `If-Unmodified-Since` → 412,
//! `If-None-Match` and `If-Modified-Since` → 304, with If-Match winning over
//! If-Unmodified-Since and If-None-Match over If-Modified-Since, as RFC 9110 §13.2.2
//! orders them), "HeadObject", "DeleteObject" (204 whether or not the key existed),
//! "DeleteObjects" (`Delete/Object/Key`, `Quiet`; `DeleteResult` with `Deleted` and
//! `Error`; at most 1000 keys), "CopyObject" (`x-amz-copy-source` URL-encoded,
//! `x-amz-metadata-directive` COPY or REPLACE; a copy onto itself that changes nothing is
//! `InvalidRequest`; answer `CopyObjectResult` with `LastModified` and `ETag`).

use super::store::{Meta, Object};
use super::{check_content_md5, meta_from_headers, readable, room, writable, Answer, S3Error, Scope, NS};
use crate::xml::Element;

/// PutObject.
pub(super) fn put(s: &Scope<'_>) -> Result<Answer, S3Error> {
    let digest = super::md5(s.req.body);
    check_content_md5(s.req, &digest)?;
    let checksum = super::checksums::of_upload(s.req, s.req.body, None)?;
    let mut meta = meta_from_headers(s.req);
    meta.etag = format!("\"{}\"", crate::crypto::hex(&digest));
    meta.last_modified = s.ctx.now;
    meta.checksum = Some(checksum);
    let data = super::body_bytes(s.req);
    let mut inner = s.store.lock();
    let inner = &mut *inner;
    let bucket = writable(&mut inner.buckets, s.bucket, s.who.account)?;
    let old = bucket.objects.get(s.key).map_or(0, |o| o.data.len());
    room(inner.used, s.store.max_bytes(), data.len(), old)?;
    inner.used = inner.used - old as u64 + data.len() as u64;
    let mut answer = Answer::empty(200).header("ETag", meta.etag.clone());
    for (name, value) in super::checksums::headers(&meta) {
        answer = answer.header(name, value);
    }
    bucket.objects.insert(s.key.to_owned(), Object { data, meta });
    Ok(answer)
}

/// A byte range of an object: first and last byte, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ByteRange {
    pub first: usize,
    pub last: usize,
}

/// Reads a `Range` header against an object of `size` bytes: `Ok(None)` when there is no
/// usable single range (absent or not `bytes=…`: the whole object, as HTTP says to ignore
/// it), `Err(InvalidRange)` when it cannot be satisfied (RFC 9110 §14.1.2: a first byte
/// past the end, or a zero-length suffix).
pub(crate) fn byte_range(header: Option<&str>, size: usize) -> Result<Option<ByteRange>, S3Error> {
    let Some(text) = header else { return Ok(None) };
    let Some(spec) = text.trim().strip_prefix("bytes=") else { return Ok(None) };
    if spec.contains(',') {
        return Ok(None);
    }
    let Some((a, b)) = spec.split_once('-') else { return Ok(None) };
    let (a, b) = (a.trim(), b.trim());
    let unsatisfiable = || S3Error::invalid_range(text.trim(), size);
    if a.is_empty() {
        let Ok(n) = b.parse::<usize>() else { return Ok(None) };
        if n == 0 || size == 0 {
            return Err(unsatisfiable());
        }
        return Ok(Some(ByteRange { first: size.saturating_sub(n), last: size - 1 }));
    }
    let Ok(first) = a.parse::<usize>() else { return Ok(None) };
    let last = if b.is_empty() {
        usize::MAX
    } else {
        match b.parse::<usize>() {
            Ok(l) if l >= first => l,
            _ => return Ok(None),
        }
    };
    if first >= size {
        return Err(unsatisfiable());
    }
    Ok(Some(ByteRange { first, last: last.min(size - 1) }))
}

/// The outcome of the conditional headers.
enum Condition {
    Proceed,
    NotModified,
}

fn etag_matches(list: &str, etag: &str) -> bool {
    list.split(',').map(str::trim).any(|t| t == "*" || t.trim_matches('"') == etag.trim_matches('"'))
}

fn conditions(s: &Scope<'_>, meta: &Meta) -> Result<Condition, S3Error> {
    let h = |n| s.req.header(n);
    // Last-Modified has a one-second resolution on the wire.
    let modified = meta.last_modified.unix_secs();
    match h("if-match") {
        Some(list) if !etag_matches(list, &meta.etag) => return Err(S3Error::precondition_failed("If-Match")),
        Some(_) => {}
        None => {
            let since = h("if-unmodified-since").and_then(super::parse_http_date);
            if since.is_some_and(|t| modified > t.unix_secs()) {
                return Err(S3Error::precondition_failed("If-Unmodified-Since"));
            }
        }
    }
    match h("if-none-match") {
        Some(list) if etag_matches(list, &meta.etag) => Ok(Condition::NotModified),
        Some(_) => Ok(Condition::Proceed),
        None => {
            let since = h("if-modified-since").and_then(super::parse_http_date);
            Ok(if since.is_some_and(|t| modified <= t.unix_secs()) {
                Condition::NotModified
            } else {
                Condition::Proceed
            })
        }
    }
}

/// The headers every object answer carries.
fn object_headers(mut a: Answer, meta: &Meta, with_checksums: bool) -> Answer {
    a = a.header("ETag", meta.etag.clone()).header("Last-Modified", super::http_date(meta.last_modified));
    let stored = [
        ("Content-Encoding", &meta.content_encoding),
        ("Cache-Control", &meta.cache_control),
        ("Content-Disposition", &meta.content_disposition),
        ("Content-Language", &meta.content_language),
    ];
    for (name, value) in stored {
        if let Some(v) = value {
            a = a.header(name, v.clone());
        }
    }
    for (name, value) in &meta.user {
        a = a.header(&format!("x-amz-meta-{name}"), value.clone());
    }
    if with_checksums {
        for (name, value) in super::checksums::headers(meta) {
            a = a.header(name, value);
        }
    }
    a
}

/// GetObject, or HeadObject (`head`: no body, the length the body would have).
pub(super) fn get(s: &Scope<'_>, head: bool) -> Result<Answer, S3Error> {
    let object = {
        let inner = s.store.lock();
        let bucket = readable(&inner, s.bucket, s.who.account)?;
        bucket.objects.get(s.key).cloned().ok_or_else(|| S3Error::no_such_key(s.key))?
    };
    let Object { data, meta } = object;
    if let Condition::NotModified = conditions(s, &meta)? {
        let a = Answer { content_type: String::new(), ..Answer::empty(304) };
        return Ok(a.header("ETag", meta.etag.clone()).header("Last-Modified", super::http_date(meta.last_modified)));
    }
    let range = byte_range(s.req.header("range"), data.len())?;
    let with_checksums = s.req.header("x-amz-checksum-mode").is_some_and(|m| m.eq_ignore_ascii_case("ENABLED"));
    let mut a = Answer::empty(if range.is_some() { 206 } else { 200 });
    a.content_type = meta.content_type.clone().unwrap_or_else(|| "binary/octet-stream".to_owned());
    a = object_headers(a, &meta, with_checksums && range.is_none()).header("Accept-Ranges", "bytes");
    let body = match range {
        Some(r) => {
            a = a.header("Content-Range", format!("bytes {}-{}/{}", r.first, r.last, data.len()));
            data.slice(r.first..=r.last)
        }
        None => data,
    };
    // GetObject's `response-*` parameters set the answer's headers (S3 API Reference, "GetObject").
    for (param, header) in [
        ("response-content-type", "Content-Type"),
        ("response-content-language", "Content-Language"),
        ("response-expires", "Expires"),
        ("response-cache-control", "Cache-Control"),
        ("response-content-disposition", "Content-Disposition"),
        ("response-content-encoding", "Content-Encoding"),
    ] {
        if let Some(v) = s.param(param) {
            if header == "Content-Type" {
                v.clone_into(&mut a.content_type);
            } else {
                a.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(header));
                a = a.header(header, v);
            }
        }
    }
    if head {
        a = a.header("Content-Length", body.len().to_string());
    } else {
        a.object = Some(body);
    }
    Ok(a)
}

/// DeleteObject: 204 whether or not the key was there.
pub(super) fn delete(s: &Scope<'_>) -> Result<Answer, S3Error> {
    let mut inner = s.store.lock();
    let inner = &mut *inner;
    let bucket = writable(&mut inner.buckets, s.bucket, s.who.account)?;
    if let Some(old) = bucket.objects.remove(s.key) {
        inner.used = inner.used.saturating_sub(old.data.len() as u64);
    }
    Ok(Answer::empty(204))
}

/// The most keys one DeleteObjects may name.
const MAX_DELETE_KEYS: usize = 1000;

/// DeleteObjects (`POST /{bucket}?delete`).
pub(super) fn delete_objects(s: &Scope<'_>) -> Result<Answer, S3Error> {
    check_content_md5(s.req, &super::md5(s.req.body))?;
    let doc = super::parse_body(s.req)?;
    if doc.name != "Delete" {
        return Err(S3Error::malformed_xml());
    }
    let quiet = doc.find("Quiet").is_some_and(|q| q.text_content().trim().eq_ignore_ascii_case("true"));
    let keys: Vec<String> = children(&doc, "Object")
        .map(|o| o.find("Key").map(Element::text_content).ok_or_else(S3Error::malformed_xml))
        .collect::<Result<_, _>>()?;
    if keys.is_empty() || keys.len() > MAX_DELETE_KEYS {
        return Err(S3Error::malformed_xml());
    }
    let mut inner = s.store.lock();
    let inner = &mut *inner;
    let bucket = writable(&mut inner.buckets, s.bucket, s.who.account)?;
    let mut result = Element::new("DeleteResult").attr("xmlns", NS);
    for key in keys {
        if let Some(old) = bucket.objects.remove(&key) {
            inner.used = inner.used.saturating_sub(old.data.len() as u64);
        }
        if !quiet {
            result.push(Element::new("Deleted").leaf("Key", key));
        }
    }
    Ok(Answer::xml(&result))
}

/// The child elements of `e` named `name`.
pub(super) fn children<'e>(e: &'e Element, name: &'e str) -> impl Iterator<Item = &'e Element> + 'e {
    e.children.iter().filter_map(move |c| match c {
        crate::xml::Node::Element(x) if x.name == name => Some(x),
        _ => None,
    })
}

/// CopyObject.
pub(super) fn copy(s: &Scope<'_>) -> Result<Answer, S3Error> {
    let raw = s.req.header("x-amz-copy-source").unwrap_or_default();
    let raw = raw.split_once('?').map_or(raw, |(p, _)| p);
    let decoded = crate::encoding::decode(raw.as_bytes(), crate::encoding::PlusMeans::Literal, 0)
        .map_err(|_| S3Error::invalid_argument("Invalid copy source encoding", "x-amz-copy-source", raw))?;
    let source = decoded.strip_prefix('/').unwrap_or(&decoded);
    let Some((src_bucket, src_key)) = source.split_once('/').filter(|(b, k)| !b.is_empty() && !k.is_empty()) else {
        return Err(S3Error::invalid_argument(
            "Copy Source must mention the source bucket and key: sourcebucket/sourcekey",
            "x-amz-copy-source",
            raw,
        ));
    };
    let replace = match s.req.header("x-amz-metadata-directive").map(str::trim) {
        None | Some("COPY") => false,
        Some("REPLACE") => true,
        Some(other) => {
            return Err(S3Error::invalid_argument("Unknown metadata directive.", "x-amz-metadata-directive", other));
        }
    };
    if src_bucket == s.bucket && src_key == s.key && !replace {
        return Err(S3Error::invalid_request(
            "This copy request is illegal because it is trying to copy an object to itself without changing the \
             object's metadata, storage class, website redirect location or encryption attributes.",
        ));
    }
    let mut inner = s.store.lock();
    let inner = &mut *inner;
    let source = readable(inner, src_bucket, s.who.account)?;
    let Object { data, meta: src_meta } =
        source.objects.get(src_key).cloned().ok_or_else(|| S3Error::no_such_key(src_key))?;
    let mut meta = if replace { meta_from_headers(s.req) } else { src_meta.clone() };
    meta.etag = src_meta.etag;
    meta.checksum = src_meta.checksum;
    meta.last_modified = s.ctx.now;
    let bucket = writable(&mut inner.buckets, s.bucket, s.who.account)?;
    let old = bucket.objects.get(s.key).map_or(0, |o| o.data.len());
    room(inner.used, s.store.max_bytes(), data.len(), old)?;
    inner.used = inner.used - old as u64 + data.len() as u64;
    let result = Element::new("CopyObjectResult")
        .attr("xmlns", NS)
        .leaf("LastModified", meta.last_modified.to_iso8601_millis())
        .leaf("ETag", meta.etag.clone());
    bucket.objects.insert(s.key.to_owned(), Object { data, meta });
    Ok(Answer::xml(&result))
}
