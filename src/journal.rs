//! The request journal: every request the mock received, with what it was judged, kept in
//! a bounded ring (oldest entries drop first) and served as JSON at
//! `GET /__amzsig/requests`.
//!
//! Entries hold no secrets by construction: they are built from the request (which never
//! carries a secret; a presigned URL's session token is redacted from the query) and the
//! service's [`Record`] (access key id, codes, the failure kind).
//!
//! An entry is built on every request the mock answers: each string of the request is
//! copied once (the query after redaction, so a redacted query is not copied twice) and the
//! record's strings are moved in, not copied.

use crate::clock::UtcTime;
use crate::diagnose::Diagnosis;
use crate::scheme::Failure;
use crate::services::{self, Record, ServiceKind, Verdict};
use crate::sigv2::HostForm;
use serde::{Serialize, Serializer};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// How much of a request body an entry keeps.
pub const BODY_PREVIEW_BYTES: usize = 4096;

/// One received request and its verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JournalEntry {
    /// Sequence number since the server started (never reused, survives clearing).
    pub seq: u64,
    /// When it arrived (the server's clock); in JSON, ISO 8601 with milliseconds.
    #[serde(serialize_with = "iso8601_millis")]
    pub time: UtcTime,
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
    /// Which host line the signature matched; in JSON, `as-sent` or `without-port`.
    #[serde(serialize_with = "host_form_word")]
    pub host_form: Option<HostForm>,
    /// Why the signature check failed (any scheme; in words in the JSON).
    #[serde(serialize_with = "failure_words")]
    pub failure: Option<Failure>,
    /// The signer mistakes that reproduce the client's signature (`x-amzsig-diagnosis`).
    pub diagnosis: Option<String>,
    /// SigV4 on the generic endpoint: `host` when the host's endpoint prefix decided the
    /// scope's service, `scope` when the host did not (the scope's was taken); absent
    /// from the JSON for other requests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_from: Option<services::ServiceFrom>,
    /// S3: the bucket addressed (path or virtual-hosted style); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bucket: Option<String>,
    /// S3: the object key addressed (decoded); absent for bucket and service operations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// For a refused signature, the pipeline's whole diagnosis (the strings the client and
    /// the server signed); shared, never copied, and not part of the JSON.
    #[serde(skip)]
    pub explanation: Option<Arc<Diagnosis>>,
}

/// What the server knows about a request besides the service's record.
#[derive(Debug, Clone)]
pub struct Received<'a> {
    /// Arrival time (the server's clock).
    pub time: UtcTime,
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
    /// Builds an entry from what was received, the status sent and the service's record
    /// (taken by value: its strings move into the entry). The method, host, path and query
    /// are copied once each (the query with any `X-Amz-Security-Token` value redacted
    /// first), the body's preview once.
    pub fn new(received: &Received<'_>, status: u16, record: Option<Record>) -> Self {
        let preview = &received.body[..received.body.len().min(BODY_PREVIEW_BYTES)];
        let mut entry = Self {
            seq: 0,
            time: received.time,
            request_id: received.request_id.to_owned(),
            method: received.method.to_owned(),
            host: received.host.to_owned(),
            path: received.path.to_owned(),
            query: services::aws::redact_session_token(received.query).into_owned(),
            body_len: received.body.len(),
            body_preview: String::from_utf8_lossy(preview).into_owned(),
            service: None,
            operation: None,
            access_key_id: None,
            verdict: Verdict::Refused,
            status,
            error_code: None,
            host_form: None,
            failure: None,
            diagnosis: None,
            service_from: None,
            bucket: None,
            key: None,
            explanation: None,
        };
        if let Some(r) = record {
            entry.failure = r.failure;
            entry.service = Some(r.service);
            entry.operation = r.operation;
            entry.access_key_id = r.access_key_id;
            entry.verdict = r.verdict;
            entry.error_code = r.error_code;
            entry.host_form = r.host_form;
            entry.service_from = r.service_from;
            entry.bucket = r.bucket;
            entry.key = r.key;
        }
        entry
    }
}

impl JournalEntry {
    /// Asserts that the mock accepted this request (for tests).
    ///
    /// # Panics
    ///
    /// When it did not, with what a person needs to fix the client: the answer, the
    /// failure, the diagnosis and the two strings to sign ([`JournalEntry::account`]).
    ///
    /// ```should_panic
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let server = amzsig::MockServer::start().await?;
    /// reqwest::get(format!("{}/onca/xml?Service=AWSECommerceService&Operation=ItemLookup", server.base_url())).await?;
    /// let entry = server.last().expect("one request");
    /// entry.assert_accepted(); // panics: "expected the request to be accepted; GET 127.0.0.1:…/onca/xml
    ///                          // got MissingClientTokenId (403); the signature check said: …"
    /// # Ok(())
    /// # }
    /// ```
    #[track_caller]
    pub fn assert_accepted(&self) {
        assert!(self.verdict == Verdict::Accepted, "expected the request to be accepted; {}", self.account());
    }

    /// Asserts that the mock refused this request with error code `code` (for tests).
    ///
    /// # Panics
    ///
    /// When it did not, with [`JournalEntry::account`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let server = amzsig::MockServer::start().await?;
    /// reqwest::get(format!("{}/onca/xml?Service=AWSECommerceService&Operation=ItemLookup", server.base_url())).await?;
    /// let entry = server.last().expect("one request");
    /// entry.assert_refused_with("MissingClientTokenId"); // no AWSAccessKeyId
    /// # Ok(())
    /// # }
    /// ```
    #[track_caller]
    pub fn assert_refused_with(&self, code: &str) {
        assert!(
            self.verdict == Verdict::Refused && self.error_code.as_deref() == Some(code),
            "expected the request to be refused with {code}; {}",
            self.account()
        );
    }

    /// What happened to the request, for a person (no secret: session tokens redacted).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let server = amzsig::MockServer::start().await?;
    /// reqwest::get(format!("{}/onca/xml?Service=AWSECommerceService&Operation=ItemLookup", server.base_url())).await?;
    /// let entry = server.last().expect("one request");
    /// let text = entry.account();
    /// assert!(text.contains("got MissingClientTokenId (403)"), "{text}");
    /// assert!(text.contains("the request must contain the parameter AWSAccessKeyId"), "{text}");
    /// # Ok(())
    /// # }
    /// ```
    pub fn account(&self) -> String {
        use std::fmt::Write as _;
        let mut text = format!("{} {}{}", self.method, self.host, self.path);
        match (self.verdict, self.error_code.as_deref()) {
            (Verdict::Accepted, None) => text.push_str(" was accepted"),
            (Verdict::Accepted, Some(code)) => {
                let _ = write!(text, " was accepted (in-band {code})");
            }
            (Verdict::Refused, code) => {
                let _ = write!(text, " got {} ({})", code.unwrap_or("a refusal"), self.status);
            }
        }
        if let Some(f) = &self.failure {
            let _ = write!(text, "; the signature check said: {f}");
        }
        if self.service_from == Some(services::ServiceFrom::Scope) {
            text.push_str("; the host did not decide the service (the credential scope's was taken)");
        }
        if let Some(d) = &self.diagnosis {
            let _ = write!(text, "; diagnosis: {d}");
        }
        if let Some(d) = &self.explanation {
            let _ = write!(text, "\n\n{d}");
        }
        services::aws::redact_session_token(&text).into_owned()
    }
}

/// The JSON form of [`JournalEntry::time`]: `YYYY-MM-DDThh:mm:ss.mmmZ`.
#[allow(clippy::trivially_copy_pass_by_ref)] // serde's `serialize_with` hands the field by reference
fn iso8601_millis<S: Serializer>(time: &UtcTime, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&time.to_iso8601_millis())
}

/// The JSON form of [`JournalEntry::host_form`]: `as-sent`, `without-port` or `null`.
#[allow(clippy::ref_option, clippy::trivially_copy_pass_by_ref)] // serde's `serialize_with` hands the field by reference
fn host_form_word<S: Serializer>(form: &Option<HostForm>, serializer: S) -> Result<S::Ok, S::Error> {
    match form {
        None => serializer.serialize_none(),
        Some(HostForm::AsSent) => serializer.serialize_str("as-sent"),
        Some(HostForm::WithoutPort) => serializer.serialize_str("without-port"),
    }
}

/// The JSON form of [`JournalEntry::failure`]: the failure in words, or `null`.
#[allow(clippy::ref_option)] // serde's `serialize_with` hands the field by reference
fn failure_words<S: Serializer>(failure: &Option<Failure>, serializer: S) -> Result<S::Ok, S::Error> {
    match failure {
        None => serializer.serialize_none(),
        Some(f) => serializer.collect_str(f),
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

    /// A copy of the newest entry, if any.
    pub fn last(&self) -> Option<JournalEntry> {
        self.ring().entries.back().cloned()
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
        let r = Received {
            time: UtcTime::from_unix_secs(0),
            request_id: "id",
            method: "GET",
            host: "h",
            path,
            query: "",
            body: b"",
        };
        JournalEntry::new(&r, 200, None)
    }

    fn received(query: &str) -> Received<'_> {
        Received {
            time: UtcTime::from_unix_millis(1_408_363_200_123),
            request_id: "rid",
            method: "POST",
            host: "mws.amazonservices.com:8080",
            path: "/Orders/2013-09-01",
            query,
            body: b"a=1&\xff",
        }
    }

    /// The JSON of an entry is byte for byte what it was when `time` and `host_form` were
    /// strings (captured from that version).
    #[test]
    fn entry_json_is_unchanged() {
        let mut record = Record::refused(ServiceKind::Mws);
        record.host_form = Some(HostForm::WithoutPort);
        record.operation = Some("ListOrders".into());
        record.access_key_id = Some("AKID".into());
        record.verdict = Verdict::Accepted;
        let r = received("Action=X&b=%20");
        let json = |e: &JournalEntry| serde_json::to_string(e).unwrap();
        assert_eq!(
            json(&JournalEntry::new(&r, 200, Some(record.clone()))),
            r#"{"seq":0,"time":"2014-08-18T12:00:00.123Z","request_id":"rid","method":"POST","host":"mws.amazonservices.com:8080","path":"/Orders/2013-09-01","query":"Action=X&b=%20","body_len":5,"body_preview":"a=1&�","service":"mws","operation":"ListOrders","access_key_id":"AKID","verdict":"accepted","status":200,"error_code":null,"host_form":"without-port","failure":null,"diagnosis":null}"#
        );
        assert_eq!(
            json(&JournalEntry::new(&r, 413, None)),
            r#"{"seq":0,"time":"2014-08-18T12:00:00.123Z","request_id":"rid","method":"POST","host":"mws.amazonservices.com:8080","path":"/Orders/2013-09-01","query":"Action=X&b=%20","body_len":5,"body_preview":"a=1&�","service":null,"operation":null,"access_key_id":null,"verdict":"refused","status":413,"error_code":null,"host_form":null,"failure":null,"diagnosis":null}"#
        );
        record.host_form = Some(HostForm::AsSent);
        assert!(json(&JournalEntry::new(&r, 200, Some(record))).contains(r#","host_form":"as-sent","#));
    }

    /// Who decided a SigV4 scope's service is in the JSON (and the account) when known.
    #[test]
    fn service_from_is_shown() {
        let r = received("");
        for (from, word, said) in
            [(services::ServiceFrom::Host, "host", false), (services::ServiceFrom::Scope, "scope", true)]
        {
            let record = Record { service_from: Some(from), ..Record::refused(ServiceKind::Aws) };
            let e = JournalEntry::new(&r, 403, Some(record));
            let json = serde_json::to_string(&e).unwrap();
            assert!(json.ends_with(&format!(r#","diagnosis":null,"service_from":"{word}"}}"#)), "{json}");
            assert_eq!(e.account().contains("the host did not decide the service"), said);
        }
    }

    /// A presigned URL's session token never reaches the journal, whoever builds the entry
    /// (the Amazon handler or the HTTP layer's refusals).
    #[test]
    fn the_session_token_is_redacted_from_the_query() {
        let e = JournalEntry::new(&received("X-Amz-Security-Token=FQoGZXIvYXdzEXAMPLE&X-Amz-Date=1"), 413, None);
        assert_eq!(e.query, "X-Amz-Security-Token=<redacted>&X-Amz-Date=1");
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
