//! The in-memory S3 store: buckets (one global namespace, each owned by a keystore
//! account), their objects (bytes shared as [`Bytes`], so a GET hands out the stored
//! buffer without copying it) with their metadata, and multipart uploads with their parts.
//!
//! No IO, no clock: times are handed in by the service. One `std::sync::Mutex` guards the
//! whole store (a request's rules run under it; hashing a body happens before the lock).
//!
//! The memory cap counts object and part bytes (not metadata); the service refuses an
//! upload that would pass it (`S3Error::store_full`). The demo bucket ([`DEMO_BUCKET`]
//! with its one object) belongs to no account:
//! every account sees and reads it, none may write to or delete it; [`Store::clear`]
//! restores it.

use crate::clock::UtcTime;
use bytes::Bytes;
use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// The default memory cap: 1 GiB of object and part bytes.
pub const DEFAULT_MAX_BYTES: u64 = 1 << 30;

/// The demo bucket every account sees (the mock's S3 before issue #15 had only it).
pub(crate) const DEMO_BUCKET: &str = "amzsig-example";
/// The one object in it.
const DEMO_KEY: &str = "hello.txt";
/// Its contents.
const DEMO_BODY: &str = "Hello from amzsig.\n";
/// The bucket's creation date and the object's Last-Modified.
const DEMO_CREATED: &str = "2014-08-18T12:00:00.000Z";

/// The owner of the demo bucket: no account (read by all, written by none).
pub(crate) const DEMO_OWNER: &str = "";

/// The mock's S3 data, handed to the pure service (as the throttle buckets are).
#[derive(Debug)]
pub struct Store {
    inner: Mutex<Inner>,
    max_bytes: u64,
}

/// The store's contents (behind the lock).
#[derive(Debug)]
pub(crate) struct Inner {
    /// Every bucket, by name (S3's namespace is global).
    pub buckets: BTreeMap<String, Bucket>,
    /// Object and part bytes held.
    pub used: u64,
    /// Counter of multipart upload ids.
    pub next_upload: u64,
}

/// A bucket.
#[derive(Debug)]
pub(crate) struct Bucket {
    /// The keystore account that created it ([`DEMO_OWNER`] for the demo bucket).
    pub owner: String,
    /// Its `LocationConstraint` (empty: us-east-1).
    pub region: String,
    /// When it was created.
    pub created: UtcTime,
    /// Objects by key.
    pub objects: BTreeMap<String, Object>,
    /// Multipart uploads in progress, by upload id.
    pub uploads: BTreeMap<String, Upload>,
}

/// A stored object.
#[derive(Debug, Clone)]
pub(crate) struct Object {
    /// Its bytes.
    pub data: Bytes,
    /// Its metadata.
    pub meta: Meta,
}

/// What S3 keeps beside an object's bytes.
#[derive(Debug, Clone)]
pub(crate) struct Meta {
    /// `Content-Type`.
    pub content_type: Option<String>,
    /// `Content-Encoding`, `aws-chunked` taken out.
    pub content_encoding: Option<String>,
    /// `Cache-Control`.
    pub cache_control: Option<String>,
    /// `Content-Disposition`.
    pub content_disposition: Option<String>,
    /// `Content-Language`.
    pub content_language: Option<String>,
    /// `x-amz-meta-*` (names lowercase, as sent after the prefix).
    pub user: Vec<(String, String)>,
    /// The quoted ETag.
    pub etag: String,
    /// Last-Modified.
    pub last_modified: UtcTime,
    /// Its flexible checksum (the one sent, or S3's default CRC64NVME).
    pub checksum: Option<Stored>,
}

impl Default for Meta {
    fn default() -> Self {
        Self {
            content_type: None,
            content_encoding: None,
            cache_control: None,
            content_disposition: None,
            content_language: None,
            user: Vec::new(),
            etag: String::new(),
            last_modified: UtcTime::from_unix_secs(0),
            checksum: None,
        }
    }
}

/// A stored flexible checksum (its rules in `checksums.rs`): the algorithm, its value
/// (base64; a composite one ends in `-N`) and whether it covers the whole object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stored {
    pub algorithm: crate::checksum::ChecksumAlgorithm,
    pub value: String,
    pub full_object: bool,
}

/// A multipart upload in progress.
#[derive(Debug)]
pub(crate) struct Upload {
    /// The key it will complete into.
    pub key: String,
    /// When it was created.
    pub initiated: UtcTime,
    /// The metadata given at creation.
    pub meta: Meta,
    /// The checksum algorithm and whether full-object, asked at creation (`None`: S3's
    /// default, CRC64NVME of the whole object).
    pub checksum: Option<(crate::checksum::ChecksumAlgorithm, bool)>,
    /// Parts uploaded so far, by part number.
    pub parts: BTreeMap<u32, Part>,
}

/// An uploaded part.
#[derive(Debug, Clone)]
pub(crate) struct Part {
    /// Its bytes.
    pub data: Bytes,
    /// Its MD5 (the ETag, and the multipart ETag's input).
    pub md5: [u8; 16],
    /// When it was uploaded.
    pub last_modified: UtcTime,
    /// Its flexible checksum.
    pub checksum: Option<Stored>,
}

impl Part {
    /// The part's quoted ETag.
    pub(crate) fn etag(&self) -> String {
        format!("\"{}\"", crate::crypto::hex(&self.md5))
    }
}

impl Store {
    /// An empty store (but for the demo bucket) holding at most `max_bytes` of object data.
    pub fn new(max_bytes: u64) -> Self {
        Self { inner: Mutex::new(Inner::seeded()), max_bytes }
    }

    /// The memory cap, in bytes of object and part data.
    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// Object and part bytes held now.
    pub fn used_bytes(&self) -> u64 {
        self.lock().used
    }

    /// Back to the start: every bucket, object and upload gone, the demo bucket as seeded.
    pub fn clear(&self) {
        *self.lock() = Inner::seeded();
    }

    /// The contents, locked.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Default for Store {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_BYTES)
    }
}

impl Inner {
    fn seeded() -> Self {
        let created = UtcTime::parse_iso8601(DEMO_CREATED).unwrap_or(UtcTime::from_unix_secs(0));
        let data = Bytes::from_static(DEMO_BODY.as_bytes());
        let meta = Meta {
            content_type: Some("text/plain".to_owned()),
            etag: super::quoted_md5(&data),
            last_modified: created,
            ..Meta::default()
        };
        let mut objects = BTreeMap::new();
        objects.insert(DEMO_KEY.to_owned(), Object { data, meta });
        let demo =
            Bucket { owner: DEMO_OWNER.to_owned(), region: String::new(), created, objects, uploads: BTreeMap::new() };
        let mut buckets = BTreeMap::new();
        buckets.insert(DEMO_BUCKET.to_owned(), demo);
        // The demo's bytes are static: they do not count against the cap.
        Inner { buckets, used: 0, next_upload: 0 }
    }
}
