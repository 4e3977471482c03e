//! Multipart uploads: CreateMultipartUpload, UploadPart, ListParts,
//! CompleteMultipartUpload, AbortMultipartUpload, ListMultipartUploads.
//!
//! Sources (S3 API Reference, each operation's page; S3 User Guide, "Amazon S3 multipart
//! upload limits": part numbers 1 to 10,000, every part but the last at least 5 MiB):
//! - Create answers `InitiateMultipartUploadResult` (`Bucket`, `Key`, `UploadId`).
//! - UploadPart answers the part's `ETag` (its MD5, quoted); a part number outside 1–10000
//!   is `InvalidArgument` ("Part number must be an integer between 1 and 10000,
//!   inclusive"); an unknown upload id `NoSuchUpload`.
//! - Complete reads `CompleteMultipartUpload/Part/{PartNumber, ETag}`: part numbers not in
//!   ascending order → `InvalidPartOrder`; a part not uploaded or with another ETag →
//!   `InvalidPart`; a part but the last under 5 MiB → `EntityTooSmall`; the object's ETag is
//!   the MD5 of the parts' binary MD5s, in hex, then `-` and the number of parts (the
//!   multipart ETag rule, S3 User Guide "Checking object integrity"); answer
//!   `CompleteMultipartUploadResult` (`Location`, `Bucket`, `Key`, `ETag`). Parts not listed
//!   are discarded.
//! - ListParts: `part-number-marker`, `max-parts` (≤ 1000), `IsTruncated`,
//!   `NextPartNumberMarker`; Abort: 204, the parts discarded.

use super::object::children;
use super::store::{Object, Part, Upload};
use super::{check_content_md5, meta_from_headers, readable, room, writable, Answer, S3Error, Scope, NS};
use crate::xml::Element;
use bytes::Bytes;
use std::collections::BTreeMap;

/// The largest part number.
const MAX_PART_NUMBER: u32 = 10_000;

fn upload_id<'a>(s: &'a Scope<'_>) -> &'a str {
    s.param("uploadId").unwrap_or("")
}

/// CreateMultipartUpload.
pub(super) fn create(s: &Scope<'_>) -> Result<Answer, S3Error> {
    let meta = meta_from_headers(s.req);
    let checksum = super::checksums::of_create(s.req)?;
    let mut inner = s.store.lock();
    let inner = &mut *inner;
    let bucket = writable(&mut inner.buckets, s.bucket, s.who.account)?;
    inner.next_upload += 1;
    let seed = format!("{}/{}/{}", s.bucket, s.key, inner.next_upload);
    let id = crate::crypto::sha256_hex(seed.as_bytes())[..32].to_owned();
    let upload = Upload { key: s.key.to_owned(), initiated: s.ctx.now, meta, checksum, parts: BTreeMap::new() };
    bucket.uploads.insert(id.clone(), upload);
    let root = Element::new("InitiateMultipartUploadResult")
        .attr("xmlns", NS)
        .leaf("Bucket", s.bucket)
        .leaf("Key", s.key)
        .leaf("UploadId", id);
    let mut answer = Answer::xml(&root);
    if let Some((algorithm, full)) = checksum {
        answer = answer
            .header("x-amz-checksum-algorithm", algorithm.name())
            .header("x-amz-checksum-type", if full { "FULL_OBJECT" } else { "COMPOSITE" });
    }
    Ok(answer)
}

/// The upload `id` for `key` in `bucket`, or `NoSuchUpload`.
fn upload_mut<'b>(bucket: &'b mut super::store::Bucket, id: &str, key: &str) -> Result<&'b mut Upload, S3Error> {
    bucket.uploads.get_mut(id).filter(|u| u.key == key).ok_or_else(|| S3Error::no_such_upload(id))
}

/// UploadPart.
pub(super) fn upload_part(s: &Scope<'_>) -> Result<Answer, S3Error> {
    let raw = s.param("partNumber").unwrap_or("");
    let number = raw.parse::<u32>().ok().filter(|n| (1..=MAX_PART_NUMBER).contains(n)).ok_or_else(|| {
        S3Error::invalid_argument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", raw)
    })?;
    let digest = super::md5(s.req.body);
    check_content_md5(s.req, &digest)?;
    // The upload's algorithm, looked up first: the part's checksum is computed unlocked.
    let expected = {
        let mut inner = s.store.lock();
        let bucket = writable(&mut inner.buckets, s.bucket, s.who.account)?;
        upload_mut(bucket, upload_id(s), s.key)?.checksum.map(|(algorithm, _)| algorithm)
    };
    let checksum = super::checksums::of_upload(s.req, s.req.body, expected)?;
    let data = super::body_bytes(s.req);
    let mut inner = s.store.lock();
    let inner = &mut *inner;
    let bucket = writable(&mut inner.buckets, s.bucket, s.who.account)?;
    let upload = upload_mut(bucket, upload_id(s), s.key)?;
    let old = upload.parts.get(&number).map_or(0, |p| p.data.len());
    room(inner.used, s.store.max_bytes(), data.len(), old)?;
    inner.used = inner.used - old as u64 + data.len() as u64;
    let mut answer = Answer::empty(200).header("ETag", format!("\"{}\"", crate::crypto::hex(&digest)));
    answer = answer.header(checksum.algorithm.header_name(), checksum.value.clone());
    let part = Part { data, md5: digest, last_modified: s.ctx.now, checksum: Some(checksum) };
    upload.parts.insert(number, part);
    Ok(answer)
}

/// ListParts.
pub(super) fn list_parts(s: &Scope<'_>) -> Result<Answer, S3Error> {
    let max = super::bucket::max_param(s, "max-parts")?;
    let marker_raw = s.param("part-number-marker").unwrap_or("0");
    let marker = marker_raw.parse::<u32>().map_err(|_| {
        S3Error::invalid_argument(
            "Provided part-number-marker not an integer or within integer range",
            "part-number-marker",
            marker_raw,
        )
    })?;
    let inner = s.store.lock();
    let bucket = readable(&inner, s.bucket, s.who.account)?;
    let id = upload_id(s);
    let upload = bucket.uploads.get(id).filter(|u| u.key == s.key).ok_or_else(|| S3Error::no_such_upload(id))?;
    let after: Vec<(&u32, &Part)> = upload.parts.range(marker.saturating_add(1)..).collect();
    let truncated = after.len() > max;
    let shown = &after[..after.len().min(max)];
    let mut root = Element::new("ListPartsResult")
        .attr("xmlns", NS)
        .leaf("Bucket", s.bucket)
        .leaf("Key", s.key)
        .leaf("UploadId", id)
        .leaf("PartNumberMarker", marker.to_string());
    if let Some((n, _)) = shown.last() {
        root = root.leaf("NextPartNumberMarker", n.to_string());
    }
    root = root
        .leaf("MaxParts", max.to_string())
        .leaf("IsTruncated", truncated.to_string())
        .child(super::bucket::owner("Initiator", &bucket.owner))
        .child(super::bucket::owner("Owner", &bucket.owner))
        .leaf("StorageClass", "STANDARD");
    for (n, p) in shown {
        let mut e = Element::new("Part")
            .leaf("PartNumber", n.to_string())
            .leaf("LastModified", p.last_modified.to_iso8601_millis())
            .leaf("ETag", p.etag())
            .leaf("Size", p.data.len().to_string());
        if let Some(c) = &p.checksum {
            e = e.leaf(c.element(), c.value.clone());
        }
        root.push(e);
    }
    Ok(Answer::xml(&root))
}

/// The parts a CompleteMultipartUpload body lists: (number, ETag as sent, the element).
fn listed_parts(s: &Scope<'_>) -> Result<Vec<(u32, String, Element)>, S3Error> {
    let doc = super::parse_body(s.req)?;
    if doc.name != "CompleteMultipartUpload" {
        return Err(S3Error::malformed_xml());
    }
    let parts: Vec<(u32, String, Element)> = children(&doc, "Part")
        .map(|p| {
            let number = p.find("PartNumber").and_then(|n| n.text_content().trim().parse::<u32>().ok());
            let etag = p.find("ETag").map(|e| e.text_content().trim().to_owned());
            let (number, etag) = number.zip(etag).ok_or_else(S3Error::malformed_xml)?;
            Ok((number, etag, p.clone()))
        })
        .collect::<Result<_, _>>()?;
    if parts.is_empty() {
        return Err(S3Error::malformed_xml());
    }
    Ok(parts)
}

/// CompleteMultipartUpload.
pub(super) fn complete(s: &Scope<'_>) -> Result<Answer, S3Error> {
    let listed = listed_parts(s)?;
    let id = upload_id(s);
    let mut inner = s.store.lock();
    let inner = &mut *inner;
    let bucket = writable(&mut inner.buckets, s.bucket, s.who.account)?;
    let upload = upload_mut(bucket, id, s.key)?;
    let mut chosen: Vec<&Part> = Vec::with_capacity(listed.len());
    let mut previous = 0;
    for (number, etag, element) in &listed {
        if *number <= previous {
            return Err(S3Error::invalid_part_order(id));
        }
        previous = *number;
        let part = upload.parts.get(number).filter(|p| p.etag().trim_matches('"') == etag.trim_matches('"'));
        let part = part.ok_or_else(|| S3Error::invalid_part(id, *number, etag.trim_matches('"')))?;
        super::checksums::check_listed(element, *number, upload.checksum, part)?;
        chosen.push(part);
    }
    let last = chosen.len() - 1;
    if let Some((i, p)) = chosen.iter().enumerate().find(|(i, p)| *i < last && p.data.len() < super::MIN_PART_SIZE) {
        return Err(S3Error::entity_too_small(p.data.len(), listed[i].0, &p.etag()));
    }
    let total: usize = chosen.iter().map(|p| p.data.len()).sum();
    let mut data = Vec::with_capacity(total);
    let mut digests = Vec::with_capacity(16 * chosen.len());
    for p in &chosen {
        data.extend_from_slice(&p.data);
        digests.extend_from_slice(&p.md5);
    }
    let etag = format!("\"{}-{}\"", crate::crypto::hex(&super::md5(&digests)), chosen.len());
    let checksum = super::checksums::of_complete(upload.checksum, &chosen, &data);
    let held: u64 = upload.parts.values().map(|p| p.data.len() as u64).sum();
    let mut meta = upload.meta.clone();
    meta.etag.clone_from(&etag);
    meta.last_modified = s.ctx.now;
    meta.checksum = Some(checksum.clone());
    bucket.uploads.remove(id);
    let old = bucket.objects.insert(s.key.to_owned(), Object { data: Bytes::from(data), meta });
    // The parts' bytes become the object's; unlisted parts and a replaced object are freed.
    let freed = held + old.map_or(0, |o| o.data.len() as u64);
    inner.used = inner.used.saturating_sub(freed) + total as u64;
    let location = format!("http://{}/{}/{}", s.req.view.host, s.bucket, super::bucket::encode_key(s.key));
    let root = Element::new("CompleteMultipartUploadResult")
        .attr("xmlns", NS)
        .leaf("Location", location)
        .leaf("Bucket", s.bucket)
        .leaf("Key", s.key)
        .leaf("ETag", etag)
        .leaf(checksum.element(), checksum.value.clone())
        .leaf("ChecksumType", checksum.kind());
    Ok(Answer::xml(&root))
}

/// AbortMultipartUpload.
pub(super) fn abort(s: &Scope<'_>) -> Result<Answer, S3Error> {
    let id = upload_id(s);
    let mut inner = s.store.lock();
    let inner = &mut *inner;
    let bucket = writable(&mut inner.buckets, s.bucket, s.who.account)?;
    upload_mut(bucket, id, s.key)?;
    if let Some(upload) = bucket.uploads.remove(id) {
        let held: u64 = upload.parts.values().map(|p| p.data.len() as u64).sum();
        inner.used = inner.used.saturating_sub(held);
    }
    Ok(Answer::empty(204))
}

/// ListMultipartUploads (every upload in progress, `prefix` applied; no paging).
pub(super) fn list_uploads(s: &Scope<'_>) -> Result<Answer, S3Error> {
    let prefix = s.param("prefix").unwrap_or("");
    let inner = s.store.lock();
    let bucket = readable(&inner, s.bucket, s.who.account)?;
    let mut uploads: Vec<(&String, &Upload)> =
        bucket.uploads.iter().filter(|(_, u)| u.key.starts_with(prefix)).collect();
    uploads.sort_by(|a, b| (&a.1.key, a.0).cmp(&(&b.1.key, b.0)));
    let mut root = Element::new("ListMultipartUploadsResult")
        .attr("xmlns", NS)
        .leaf("Bucket", s.bucket)
        .leaf("KeyMarker", "")
        .leaf("UploadIdMarker", "")
        .leaf("Prefix", prefix)
        .leaf("MaxUploads", "1000")
        .leaf("IsTruncated", "false");
    for (id, u) in uploads {
        root.push(
            Element::new("Upload")
                .leaf("Key", u.key.clone())
                .leaf("UploadId", id.clone())
                .child(super::bucket::owner("Initiator", &bucket.owner))
                .child(super::bucket::owner("Owner", &bucket.owner))
                .leaf("StorageClass", "STANDARD")
                .leaf("Initiated", u.initiated.to_iso8601_millis()),
        );
    }
    Ok(Answer::xml(&root))
}
