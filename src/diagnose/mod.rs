//! Why did a signature fail? For each signature scheme, a catalogue of classic signer
//! mistakes, each a small change to one step of the signing process, and one search that
//! finds which mistake (or compatible pair of mistakes) reproduces the signature a client
//! sent.
//!
//! Amazon only answers "The request signature we calculated does not match the signature
//! you provided". Given the received request and the secret, [`diagnose`] recomputes the
//! signature under every mistake and every compatible pair, and reports the ones that give
//! exactly the client's signature, with the strings the client must have signed (the
//! canonical request, when the scheme has one, and the string to sign) next to the right
//! ones. The same recipes sign requests *with* mistakes ([`v2::sign_with_mistakes`],
//! [`v4::sign_with_mistakes`]), which the tests, the broken test adapters and the fuzzer
//! use.
//!
//! # The shape every scheme shares
//!
//! * **One table per scheme.** A scheme's catalogue is one static table, one row per
//!   mistake: its id, the spec step it changes, the sentence for a human, the *knob* of the
//!   scheme's recipe that reproduces it, and the rows it contradicts. The rows are written
//!   once, in the scheme module's `catalogue!` invocation, which emits the table
//!   (`CATALOGUE`), a [`Mistake`] constant per row (`v2::SPACE_AS_PLUS`,
//!   `v4::WRONG_REGION`) and the list of them in search order (`v2::ALL`, `v4::ALL`).
//!   A [`Mistake`] is the scheme and the index of its row, so there is no second list
//!   that could drift from the table, no hand-counted length, and a row cannot exist
//!   without being tried: the search walks the table itself. (An enum per scheme would
//!   need its variants, ids, sentences and steps kept in step by hand, and one type per
//!   scheme would make every caller choose; a row index is one `Copy` type across
//!   schemes whose constants still work in `match` patterns.)
//! * **Compatibility comes from the rows.** Two mistakes of one scheme combine unless they
//!   turn the same knob (a recipe has one sort order, one host line, one key: the knobs
//!   are enums whose variant names the setting, so `Sort(ByPair)` and `Sort(None)` are
//!   one knob) or one row lists the other under `excludes` (an explicit contradiction, such
//!   as two ways of escaping the same characters). See [`Mistake::combines_with`].
//! * **One search.** [`candidate_sets`] lists every single mistake, then every compatible
//!   pair, in table order; the search loop skips a pair one of whose mistakes alone already
//!   explains the signature, and records each set that reproduces it as a [`Finding`]. A
//!   scheme supplies only what differs: how a set of knobs turns into the client's strings
//!   and signature for one request (`Search::try_set`), and how its [`Diagnosis`] reads
//!   (with a canonical request or without). A new scheme (S3 SigV2, aws-chunked, SigV4a) is
//!   a module with its `catalogue!` rows, knob type and recipe, a `Scheme` and a `Search`
//!   impl, a [`SchemeId`] variant (the compiler then points at the `match`es that dispatch
//!   on it) and a [`Subject`] variant. The traits and knobs are crate-internal: every
//!   scheme lives in this crate.
//! * **Cheap and bounded.** A refused request is diagnosed on the mock's request path, and
//!   the worst case (a wrong secret: nothing matches, every set is tried) used to cost
//!   fifteen times an accepted request. The schemes now build each component of a string
//!   once per distinct setting and sign each distinct string once per key (memoised by
//!   what determines it), reuse keyed HMAC states (resumed where a candidate shares the
//!   right string's first blocks) and SigV4 signing keys, and skip what cannot match (a
//!   signature whose length or alphabet no candidate can have); `benches/diagnose.rs`
//!   measures the worst case against verification of the same request. A
//!   [`Budget`] caps the bytes built and hashed per diagnosis; when it runs out the
//!   [`Diagnosis`] says so (`budget_exhausted`, header `unknown; budget-exhausted`).
//!
//! Sources for the mistakes: PA-API Developer Guide "Authenticating REST Requests" (vendor
//! notes on Java `URLEncoder`, Perl `URI::Escape`, C# lowercase hex), protocols.md §1.7
//! (what real clients sign) and §6 for SigV2 ([`v2`]); the AWS General Reference
//! "Signature Version 4 signing process" and the S3 API Reference for SigV4 ([`v4`]).

#[macro_use]
mod catalogue;
pub mod streaming;
pub mod v2;
pub mod v4;

pub use catalogue::{candidate_sets, Mistake, SchemeId, Step};
pub(crate) use catalogue::{Row, Scheme};
pub use v4::{compare_canonical_requests, CanonicalDifference};

use crate::crypto::SecretKey;
use crate::request::RequestView;
use crate::sigv2::SignatureMethod;
use crate::sigv4::SignableRequest;
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};

/// What to diagnose: a received request of one scheme, with what its verification used.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Subject<'a> {
    /// A SigV2 request (query or form parameters).
    V2 {
        /// The request as received, `Signature` included.
        view: RequestView<'a>,
        /// What a request without `SignatureMethod` means.
        default_method: SignatureMethod,
    },
    /// A SigV4 request (header form or presigned URL).
    V4 {
        /// The request as received (exactly what [`crate::sigv4::verify`] takes).
        request: SignableRequest<'a>,
        /// The endpoint's rules, the same the verifier used: expected region and service,
        /// S3 or general canonicalisation.
        policy: crate::sigv4::VerifyPolicy<'a>,
    },
    /// An aws-chunked upload (`x-amz-content-sha256` a streaming literal): the seed
    /// signature as a SigV4 request, then the body's chunks, trailer and lengths.
    V4Streaming {
        /// The request as received, with the raw aws-chunked body as its payload
        /// ([`crate::sigv4::Payload::Bytes`]).
        request: SignableRequest<'a>,
        /// The endpoint's rules (see [`Subject::V4`]).
        policy: crate::sigv4::VerifyPolicy<'a>,
    },
}

/// Finds the mistakes that reproduce the signature the request carries, given the secret
/// of its access key, within `budget`.
///
/// A SigV4 client that signed `Host` with its letter case kept (the canonical headers must
/// have lowercase names):
///
/// ```
/// use amzsig::diagnose::{self, v4, Budget, Subject};
/// use amzsig::sigv4::{Payload, SignableRequest, SigningParams, SigningSettings, VerifyPolicy};
/// use amzsig::{ParamList, SecretKey, UtcTime};
///
/// let secret = SecretKey::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
/// let headers = [("Host", "sts.amazonaws.com"), ("Content-Type", "application/x-www-form-urlencoded")];
/// let query = ParamList::default();
/// let body = b"Action=GetCallerIdentity&Version=2011-06-15";
/// let req = SignableRequest { method: "POST", path: "/", query: &query, headers: (&headers).into(), payload: Payload::Bytes(body) };
/// let params = SigningParams {
///     access_key_id: "AKIDEXAMPLE", secret: &secret, session_token: None, region: "us-east-1", service: "sts",
///     time: UtcTime::parse_iso8601("2015-08-30T12:36:00Z")?, settings: SigningSettings::default(),
/// };
/// let sent = v4::sign_with_mistakes(&req, &params, &[v4::HEADER_NAMES_NOT_LOWERCASED]).expect("the mistake applies");
///
/// let received = SignableRequest { headers: (&sent.headers).into(), query: &sent.query, ..req };
/// let policy = VerifyPolicy { expected_region: Some("us-east-1"), expected_service: Some("sts"), ..VerifyPolicy::default() };
/// let d = diagnose::diagnose(Subject::V4 { request: received, policy }, &secret, Budget::DEFAULT);
/// assert_eq!(d.header_value(), "v4-header-names-not-lowercased");
/// assert!(d.best().unwrap().client_string_to_sign.starts_with("AWS4-HMAC-SHA256\n20150830T123600Z"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn diagnose(subject: Subject<'_>, secret: &SecretKey, budget: Budget) -> Diagnosis {
    match subject {
        Subject::V2 { view, default_method } => v2::diagnose(&view, secret, default_method, budget),
        Subject::V4 { request, policy } => v4::diagnose(&request, secret, &policy, budget),
        Subject::V4Streaming { request, policy } => streaming::diagnose_upload(&request, secret, &policy, budget),
    }
}

/// How much work one diagnosis may do: bytes of candidate strings built and hashed (a
/// hash of `n` bytes counts `n` plus one 64-byte block). Hashing a mebibyte takes about
/// half a millisecond of one core. The default allows four mebibytes; the full search of
/// the tests' richest requests (a SigV2 query of 18 parameters, a SigV4 request with
/// unsorted headers and query, both with the wrong secret) costs about 150 KB, a PA-API
/// ItemSearch less, so only hostile or huge requests (a long form body signed with SigV2,
/// a SigV4 body of megabytes whose transformations would be hashed) stop early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Most bytes built and hashed.
    pub max_bytes: u64,
}

impl Budget {
    /// The default budget (the mock's request path, the runner).
    pub const DEFAULT: Budget = Budget { max_bytes: 4 << 20 };
    /// No limit (`amzsig explain`, tests that want the full search whatever it costs).
    pub const UNLIMITED: Budget = Budget { max_bytes: u64::MAX };
}

impl Default for Budget {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// The budget of one diagnosis, as it is spent.
#[derive(Debug, Clone)]
pub(crate) struct Meter {
    left: u64,
    exhausted: bool,
    skipped: bool,
}

impl Meter {
    pub(crate) fn new(budget: Budget) -> Self {
        Self { left: budget.max_bytes, exhausted: false, skipped: false }
    }

    /// Pays for hashing `bytes` bytes that the search can do without: false (the work is
    /// skipped, and [`Meter::skipped`] says so) when the budget cannot, without stopping
    /// the search.
    pub(crate) fn try_hash(&mut self, bytes: usize) -> bool {
        let cost = bytes as u64 + 64;
        if self.exhausted || cost > self.left {
            self.skipped = true;
            return false;
        }
        self.left -= cost;
        true
    }

    /// Whether optional work was skipped for want of budget.
    pub(crate) fn skipped(&self) -> bool {
        self.skipped
    }

    /// Pays for building `bytes` bytes; false (and exhausted from now on) when the budget
    /// cannot.
    pub(crate) fn build(&mut self, bytes: usize) -> bool {
        self.spend(bytes as u64)
    }

    /// Pays for hashing `bytes` bytes.
    pub(crate) fn hash(&mut self, bytes: usize) -> bool {
        self.spend(bytes as u64 + 64)
    }

    fn spend(&mut self, cost: u64) -> bool {
        if self.exhausted || cost > self.left {
            self.exhausted = true;
            return false;
        }
        self.left -= cost;
        true
    }

    /// Whether a payment failed.
    pub(crate) fn exhausted(&self) -> bool {
        self.exhausted
    }
}

/// The search's memo tables: keyed by small ids and knob settings, and never larger than
/// the budget lets them grow, so SipHash's resistance to crafted collisions buys nothing
/// and its cost (a fifth of the search) is not worth paying. FxHash's mixing step.
pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// See [`FastMap`].
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FastHasher(u64);

impl FastHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().expect("eight bytes")));
        }
        let mut last = [0u8; 8];
        let rest = chunks.remainder();
        last[..rest.len()].copy_from_slice(rest);
        self.add(u64::from_le_bytes(last) ^ (bytes.len() as u64) << 56);
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u16(&mut self, i: u16) {
        self.add(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// The index of `item` in `list`, pushed first when it is not there (the search's
/// component tables are short: a linear scan is cheaper than hashing).
pub(crate) fn intern<T: PartialEq>(list: &mut Vec<T>, item: T) -> u32 {
    let i = list.iter().position(|x| *x == item).unwrap_or_else(|| {
        list.push(item);
        list.len() - 1
    });
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// One explanation that reproduces the client's signature exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The mistakes, in catalogue order (one or two).
    pub mistakes: Vec<Mistake>,
    /// Specifics, when a mistake has several forms (which header changed and how, which
    /// body transformation, which key order).
    pub detail: Option<String>,
    /// The canonical request the client must have signed (schemes that have one).
    pub client_canonical_request: Option<String>,
    /// The string to sign the client must have signed.
    pub client_string_to_sign: String,
}

/// What a scheme's search found for one candidate set: a [`Finding`] without its mistakes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hit {
    pub(crate) detail: Option<String>,
    pub(crate) client_canonical_request: Option<String>,
    pub(crate) client_string_to_sign: String,
}

/// The result of a diagnosis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    /// The scheme the request was signed with.
    pub scheme: SchemeId,
    /// What the server signs (the right canonical request), for schemes that have one;
    /// empty when the request's signature could not be read.
    pub correct_canonical_request: Option<String>,
    /// The right string to sign; empty when the request's signature could not be read.
    pub correct_string_to_sign: String,
    /// Explanations that reproduce the client's signature, simplest first; empty when
    /// none does.
    pub findings: Vec<Finding>,
    /// Why the request could not be diagnosed, when it could not (no or malformed
    /// signature, no date).
    pub problem: Option<String>,
    /// The search stopped because its [`Budget`] ran out: sets after that point were not
    /// tried.
    pub budget_exhausted: bool,
    /// The signature sent is the one the server computes: no mistake to name, the request
    /// was refused for something else (its time, an unsigned `host`); the header still says
    /// `unknown`.
    pub signature_matches: bool,
}

impl Diagnosis {
    /// A diagnosis of a request that could not be diagnosed, and why.
    pub(crate) fn unusable(scheme: SchemeId, problem: String) -> Self {
        Self {
            scheme,
            correct_canonical_request: scheme.has_canonical_request().then(String::new),
            correct_string_to_sign: String::new(),
            findings: Vec::new(),
            problem: Some(problem),
            budget_exhausted: false,
            signature_matches: false,
        }
    }

    /// The best explanation, if any.
    pub fn best(&self) -> Option<&Finding> {
        self.findings.first()
    }

    /// A one-line summary for the `x-amzsig-diagnosis` header: the best finding's ids
    /// joined with `+`; `unknown` when the search found nothing, `unknown;
    /// budget-exhausted` when it stopped early and found nothing.
    pub fn header_value(&self) -> String {
        match self.best() {
            Some(f) => f.mistakes.iter().map(|m| m.id()).collect::<Vec<_>>().join("+"),
            None if self.budget_exhausted => "unknown; budget-exhausted".to_owned(),
            None => "unknown".to_owned(),
        }
    }
}

impl fmt::Display for Diagnosis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(problem) = &self.problem {
            return write!(f, "The request cannot be diagnosed: {problem}");
        }
        let Some(best) = self.best() else {
            if self.signature_matches {
                writeln!(
                    f,
                    "The signature is the one the server computes: no signer mistake to name; the request was \
                     refused for another reason."
                )?;
                if let Some(creq) = &self.correct_canonical_request {
                    write!(f, "The canonical request is:\n{creq}\n\n")?;
                }
                return write!(f, "The string to sign is:\n{}", self.correct_string_to_sign);
            }
            let what = match self.scheme.mistake_label() {
                Some(label) => format!("No known {label} mistake"),
                None => "No known mistake".to_owned(),
            };
            if self.budget_exhausted {
                writeln!(
                    f,
                    "{what} reproduces the signature within the search budget (not every mistake was tried; wrong \
                     secret, or a change after signing)."
                )?;
            } else {
                writeln!(f, "{what} reproduces the signature (wrong secret, or a change after signing).")?;
            }
            if let Some(creq) = &self.correct_canonical_request {
                write!(f, "The right canonical request is:\n{creq}\n\n")?;
            }
            return write!(f, "The right string to sign is:\n{}", self.correct_string_to_sign);
        };
        let with_spec = self.correct_canonical_request.is_some();
        let what: Vec<_> = best
            .mistakes
            .iter()
            .map(|m| {
                if with_spec {
                    format!("{} ({}; {})", m.id(), m.describe(), m.step().spec_name())
                } else {
                    format!("{} ({})", m.id(), m.describe())
                }
            })
            .collect();
        if best.client_string_to_sign.is_empty() && self.correct_string_to_sign.is_empty() {
            // A rule the request breaks by itself (an aws-chunked upload's framing): no
            // string to sign to compare.
            write!(f, "The request breaks a rule: {}", what.join(" and "))?;
            if let Some(detail) = &best.detail {
                write!(f, "\n  {detail}")?;
            }
            return Ok(());
        }
        writeln!(f, "The client's signature is reproduced by: {}", what.join(" and "))?;
        if let Some(detail) = &best.detail {
            writeln!(f, "  {detail}")?;
        }
        for other in &self.findings[1..] {
            let ids: Vec<_> = other.mistakes.iter().map(|m| m.id()).collect();
            writeln!(f, "  (also reproduced by: {})", ids.join(" + "))?;
        }
        if self.budget_exhausted {
            writeln!(f, "  (the search budget ran out: not every pair of mistakes was tried)")?;
        }
        if let (Some(correct), Some(client)) = (&self.correct_canonical_request, &best.client_canonical_request) {
            return v4::explain_difference(f, best, client, correct, self);
        }
        writeln!(f, "\nThe client signed:\n{}\n", best.client_string_to_sign)?;
        write!(f, "It should have signed:\n{}", self.correct_string_to_sign)
    }
}

/// A scheme's view of one request being diagnosed: how a candidate set's knobs turn into
/// the client's strings and signature. Everything else (which sets, in which order, which
/// to skip, the findings, the budget) is [`search`]'s.
pub(crate) trait Search {
    /// The scheme searched.
    type Scheme: Scheme;

    /// Tries one candidate set (the knobs of one mistake or of a compatible pair, in table
    /// order): the client's strings for the first variant whose signature is the one sent
    /// and that differs from the correct computation, or `None` when no variant does, a
    /// knob cannot apply to this request, or `meter` ran out.
    fn try_set(&mut self, knobs: &[<Self::Scheme as Scheme>::Knob], meter: &mut Meter) -> Option<Hit>;
}

/// Every candidate set of `S`'s catalogue, in order, until the budget runs out. A pair one
/// of whose mistakes alone already explains the signature adds nothing and is skipped.
pub(crate) fn search<S: Search>(s: &mut S, meter: &mut Meter) -> Vec<Finding> {
    let rows = <S::Scheme as Scheme>::catalogue();
    let mut findings: Vec<Finding> = Vec::new();
    for set in catalogue::index_sets(rows) {
        if meter.exhausted() {
            break;
        }
        let set = set.as_slice();
        if set.len() == 2
            && findings.iter().any(|f| f.mistakes.len() == 1 && set.iter().any(|&i| rows[i].mistake == f.mistakes[0]))
        {
            continue;
        }
        let knobs = [rows[set[0]].knob, rows[set[set.len() - 1]].knob];
        if let Some(hit) = s.try_set(&knobs[..set.len()], meter) {
            findings.push(Finding {
                mistakes: set.iter().map(|&i| rows[i].mistake).collect(),
                detail: hit.detail,
                client_canonical_request: hit.client_canonical_request,
                client_string_to_sign: hit.client_string_to_sign,
            });
        }
    }
    findings
}

#[cfg(test)]
mod tests;
