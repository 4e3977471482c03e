//! The request journal: every request the mock received, with what it was judged, kept in
//! a bounded ring (oldest entries drop first) and served as JSON at
//! `GET /__amzsig/requests`.
//!
//! Entries hold no secrets by construction: they are built from the request (which never
//! carries a secret) and the service's [`Record`] (access key id, codes, the failure kind).

use crate::services::pipeline::Explanation;
use crate::services::{Record, ServiceKind, Verdict};
use crate::sigv2::HostForm;
use serde::Serialize;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// How much of a request body an entry keeps.
pub const BODY_PREVIEW_BYTES: usize = 4096;

/// One received request and its verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JournalEntry {
    /// Sequence number since the server started (never reused, survives clearing).
    pub seq: u64,
    /// When it arrived (the server's clock), ISO 8601 with milliseconds.
    pub time: String,
    /// The request id answered.
    pub request_id: String,
    /// HTTP method.
    pub method: String,
    /// Host header as sent.
    pub host: String,
    /// Path as sent.
    pub path: String,
    /// Query string as sent (without `?`).
    pub query: String,
    /// Body length in bytes.
    pub body_len: usize,
    /// The first [`BODY_PREVIEW_BYTES`] of the body, lossily as UTF-8.
    pub body_preview: String,
    /// Which service handled it (`None`: no service matched).
    pub service: Option<ServiceKind>,
    /// Operation or Action.
    pub operation: Option<String>,
    /// Access key id used.
    pub access_key_id: Option<String>,
    /// Accepted or refused.
    pub verdict: Verdict,
    /// HTTP status answered.
    pub status: u16,
    /// Error code answered, if any.
    pub error_code: Option<String>,
    /// Which host line the signature matched: `as-sent` or `without-port`.
    pub host_form: Option<&'static str>,
    /// Why the signature check failed, in words.
    pub failure: Option<String>,
    /// The signer mistakes that reproduce the client's signature (`x-amzsig-diagnosis`).
    pub diagnosis: Option<String>,
    /// For a refused signature, the pipeline's whole explanation (the strings the client
    /// and the server signed); shared, never copied, and not part of the JSON.
    #[serde(skip)]
    pub explanation: Option<Arc<Explanation>>,
}

/// What the server knows about a request besides the service's record.
#[derive(Debug, Clone)]
pub struct Received<'a> {
    /// Arrival time, formatted.
    pub time: String,
    /// Request id.
    pub request_id: &'a str,
    /// Method.
    pub method: &'a str,
    /// Host header.
    pub host: &'a str,
    /// Path.
    pub path: &'a str,
    /// Raw query.
    pub query: &'a str,
    /// Body.
    pub body: &'a [u8],
}

impl JournalEntry {
    /// Builds an entry from what was received, the status sent and the service's record.
    pub fn new(received: &Received<'_>, status: u16, record: Option<&Record>) -> Self {
        let preview = &received.body[..received.body.len().min(BODY_PREVIEW_BYTES)];
        Self {
            seq: 0,
            time: received.time.clone(),
            request_id: received.request_id.to_owned(),
            method: received.method.to_owned(),
            host: received.host.to_owned(),
            path: received.path.to_owned(),
            query: received.query.to_owned(),
            body_len: received.body.len(),
            body_preview: String::from_utf8_lossy(preview).into_owned(),
            service: record.map(|r| r.service),
            operation: record.and_then(|r| r.operation.clone()),
            access_key_id: record.and_then(|r| r.access_key_id.clone()),
            verdict: record.map_or(Verdict::Refused, |r| r.verdict),
            status,
            error_code: record.and_then(|r| r.error_code.clone()),
            host_form: record.and_then(|r| r.host_form).map(|f| match f {
                HostForm::AsSent => "as-sent",
                HostForm::WithoutPort => "without-port",
            }),
            failure: record.and_then(|r| r.failure.as_ref().map(ToString::to_string)),
            diagnosis: None,
            explanation: None,
        }
    }
}

/// A bounded, thread-safe ring of entries.
#[derive(Debug)]
pub struct Journal {
    inner: Mutex<Ring>,
}

#[derive(Debug)]
struct Ring {
    entries: VecDeque<JournalEntry>,
    capacity: usize,
    next_seq: u64,
}

impl Journal {
    /// A journal keeping at most `capacity` entries (0 keeps none).
    pub fn new(capacity: usize) -> Self {
        Self { inner: Mutex::new(Ring { entries: VecDeque::with_capacity(capacity.min(4096)), capacity, next_seq: 1 }) }
    }

    fn ring(&self) -> std::sync::MutexGuard<'_, Ring> {
        // A panic while holding the lock cannot leave the ring inconsistent: keep going.
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Appends an entry, assigning its sequence number; drops the oldest when full.
    pub fn push(&self, mut entry: JournalEntry) -> u64 {
        let mut ring = self.ring();
        entry.seq = ring.next_seq;
        ring.next_seq += 1;
        if ring.capacity == 0 {
            return entry.seq;
        }
        if ring.entries.len() == ring.capacity {
            ring.entries.pop_front();
        }
        let seq = entry.seq;
        ring.entries.push_back(entry);
        seq
    }

    /// A copy of the entries, oldest first.
    pub fn entries(&self) -> Vec<JournalEntry> {
        self.ring().entries.iter().cloned().collect()
    }

    /// Removes every entry (sequence numbers keep counting).
    pub fn clear(&self) {
        self.ring().entries.clear();
    }

    /// Number of entries held.
    pub fn len(&self) -> usize {
        self.ring().entries.len()
    }

    /// True when no entries are held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The entries as a JSON array.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.entries()).unwrap_or_else(|_| "[]".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str) -> JournalEntry {
        let r = Received { time: "t".into(), request_id: "id", method: "GET", host: "h", path, query: "", body: b"" };
        JournalEntry::new(&r, 200, None)
    }

    #[test]
    fn ring_is_bounded_and_sequence_survives_clear() {
        let j = Journal::new(2);
        for p in ["/a", "/b", "/c"] {
            j.push(entry(p));
        }
        let paths: Vec<_> = j.entries().into_iter().map(|e| (e.seq, e.path)).collect();
        assert_eq!(paths, [(2, "/b".to_owned()), (3, "/c".to_owned())]);
        j.clear();
        assert!(j.is_empty());
        assert_eq!(j.push(entry("/d")), 4);
    }
}
