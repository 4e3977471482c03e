//! Why did a SigV4 signature fail? The catalogue of SigV4 signer mistakes (24 rows, ids
//! `v4-…`), each a knob of the SigV4 recipe that changes one step of the signing process,
//! and the search of one SigV4 request (through [`super::diagnose`]).
//!
//! The steps are the spec's (AWS General Reference, "Signature Version 4 signing
//! process": Task 1 "Create a canonical request" with its CanonicalURI,
//! CanonicalQueryString, CanonicalHeaders, SignedHeaders and HashedPayload parts; Task 2
//! "Create a string to sign" with RequestDateTime and CredentialScope; Task 3 "Calculate
//! the signature", `kDate = HMAC("AWS4" + kSecret, Date)` → kRegion → kService →
//! kSigning, `HexEncode(HMAC(kSigning, StringToSign))`; S3 API Reference
//! sig-v4-header-based-auth.html for S3's single encoding and unnormalised paths). Facts
//! each mistake relies on:
//!
//! * header values: "Trimall … removes excess white space before and after values, and
//!   converts sequential spaces to a single space"; names: `Lowercase(<HeaderName>)`,
//!   sorted "by header name"; the suite's `get-header-value-trim`,
//!   `post-header-key-case` and `post-header-key-sort` cases show each rule.
//! * query: "Sort the parameter names by character code point", "URI-encode each
//!   parameter name and value", space as `%20` (the suite's `get-space`,
//!   `get-vanilla-query-order-*`).
//! * dates: "the date used in the credential scope must match the date of X-Amz-Date";
//!   X-Amz-Date takes precedence over `Date` (sigv4-date-handling.html).
//! * scope date: AWS answers "Date in Credential scope does not match YYYYMMDD from
//!   ISO-8601 version of date from HTTP"; requests-aws4auth issue #7 shows the usual cause
//!   (a signing key derived on one day, used the next).
//! * body: curl's `--data @file` strips newlines and carriage returns (curl docs,
//!   `data-binary.md`: `--data-binary` is "similar … except that newlines and carriage
//!   returns are preserved"), so the hash of the file is not the hash of what was sent.
//! * `Host` with or without port: the signed value is the header as sent (RFC 9110 §7.2
//!   puts a non-default port in Host; protocols.md §1.7 records clients that sign the
//!   host without it).
//!
//! Given the received request (exactly what [`crate::sigv4::verify`] takes) and the
//! secret, the search re-signs it under every applicable mistake and every compatible
//! pair, compares each signature with the one sent in constant time, and reports the
//! canonical request and string to sign the client must have used next to the right
//! ones. What makes it cheap, without changing what it finds: each component (scope,
//! canonical URI and query, header lines, payload hash) is built once per distinct
//! setting, each distinct canonical request hashed once, each signing key derived once
//! per scope and key mistake and kept as a keyed HMAC, each string to sign signed once per
//! key, and a signature sent in a case no candidate writes (upper or lower hex) rules out
//! the sets that write the other. [`sign_with_mistakes`] produces a request signed *with*
//! mistakes, for tests and broken test adapters. When the client's own canonical request
//! is known (e.g. from its debug log), [`compare_canonical_requests`] names the first
//! difference, such as a signed header whose value changed in transit.

mod recipe;
mod search;
mod sign;

pub use sign::{sign_with_mistakes, SignedRequest};

use super::{Budget, Diagnosis, Finding, Meter, Mistake, SchemeId, Step};
use crate::crypto::{constant_time_eq, SecretKey};
use crate::sigv4::{PathNormalization, SignableRequest, UriEncoding};
use recipe::{Claim, DateKnob, HostKnob, Knob, PayloadKnob, QueryEncoding, Recipe};
use std::fmt;

const CANONICAL_URI: Step = Step::new("canonical-uri", "Task 1, canonical request: CanonicalURI");
const CANONICAL_QUERY: Step = Step::new("canonical-query", "Task 1, canonical request: CanonicalQueryString");
const CANONICAL_HEADERS: Step =
    Step::new("canonical-headers", "Task 1, canonical request: CanonicalHeaders / SignedHeaders");
const HASHED_PAYLOAD: Step = Step::new("hashed-payload", "Task 1, canonical request: HashedPayload");
const REQUEST_DATE: Step = Step::new("request-date", "Task 2, string to sign: RequestDateTime");
const CREDENTIAL_SCOPE: Step = Step::new("credential-scope", "Task 2, string to sign: CredentialScope");
const SIGNING_KEY: Step =
    Step::new("signing-key", "Task 3, signature: signing key (kDate, kRegion, kService, kSigning)");
const SIGNATURE: Step = Step::new("signature", "Task 4, adding the signature to the request");
const TRANSIT: Step = Step::new("transit", "after signing: the request changed in transit");

catalogue! {
    scheme: SchemeId::V4, knob: Knob;
    /// The credential scope's date is not the date of `X-Amz-Date` (local date, or a
    /// date computed apart from the timestamp).
    WRONG_SCOPE_DATE = "v4-wrong-scope-date", REQUEST_DATE, Knob::Date(DateKnob::ClaimedScopeDate), excludes [],
        "the credential scope's date is not the date of X-Amz-Date";
    /// Signed for another region than the endpoint's.
    WRONG_REGION = "v4-wrong-region", CREDENTIAL_SCOPE, Knob::ClaimedRegion, excludes [],
        "the request was signed for another region than the endpoint's";
    /// Signed for another service than the endpoint's.
    WRONG_SERVICE = "v4-wrong-service", CREDENTIAL_SCOPE, Knob::ClaimedService, excludes [],
        "the request was signed for another service than the endpoint's";
    /// The string to sign's time (and scope date) came from the `Date` header, not
    /// `X-Amz-Date`.
    DATE_HEADER_USED = "v4-date-header-used", REQUEST_DATE, Knob::Date(DateKnob::DateHeader), excludes [],
        "the string to sign took its time from the Date header instead of X-Amz-Date";
    /// Header names kept their letter case in the canonical headers.
    HEADER_NAMES_NOT_LOWERCASED = "v4-header-names-not-lowercased", CANONICAL_HEADERS, Knob::NamesNotLowercased,
        excludes [], "header names were not lowercased in the canonical headers";
    /// Header values signed untrimmed, as in `name: value` (the blank after the colon).
    HEADER_VALUES_NOT_TRIMMED = "v4-header-values-not-trimmed", CANONICAL_HEADERS, Knob::ValuesNotTrimmed,
        excludes [], "header values were signed untrimmed ('name: value', the blank after the colon kept)";
    /// Runs of spaces inside header values were not folded to one space.
    HEADER_SPACES_NOT_FOLDED = "v4-header-spaces-not-folded", CANONICAL_HEADERS, Knob::SpacesNotFolded,
        excludes [], "runs of spaces inside header values were not folded to one space";
    /// Canonical header lines in the order the headers were sent, not sorted.
    HEADERS_NOT_SORTED = "v4-headers-not-sorted", CANONICAL_HEADERS, Knob::HeadersNotSorted, excludes [],
        "canonical header lines were not sorted by name";
    /// A signed header was changed after signing (a proxy or HTTP library rewrote it).
    SIGNED_HEADER_CHANGED = "v4-signed-header-changed", TRANSIT, Knob::HeaderChanged, excludes [],
        "a signed header was changed after signing (proxy or HTTP library)";
    /// The port was dropped from the signed `host` value.
    HOST_PORT_DROPPED = "v4-host-port-dropped", CANONICAL_HEADERS, Knob::Host(HostKnob::PortDropped), excludes [],
        "the port was dropped from the signed host value";
    /// A port (`:443` or `:80`) was signed that the `Host` header does not carry.
    HOST_PORT_ADDED = "v4-host-port-added", CANONICAL_HEADERS, Knob::Host(HostKnob::PortAdded), excludes [],
        "a port the Host header does not carry (:443 or :80) was signed";
    /// Query parameters not sorted.
    QUERY_NOT_SORTED = "v4-query-not-sorted", CANONICAL_QUERY, Knob::QueryNotSorted, excludes [],
        "query parameters were not sorted";
    /// Query names and values not percent-encoded.
    QUERY_NOT_ENCODED = "v4-query-not-encoded", CANONICAL_QUERY, Knob::QueryEncoding(QueryEncoding::NotEncoded),
        excludes [], "query names and values were not percent-encoded";
    /// Space encoded as `+` in the canonical query string.
    QUERY_SPACE_AS_PLUS = "v4-query-space-as-plus", CANONICAL_QUERY,
        Knob::QueryEncoding(QueryEncoding::PlusForSpace), excludes [],
        "spaces in the query were encoded as '+' instead of '%20'";
    /// The path was encoded twice where the service (S3) wants it once.
    PATH_DOUBLE_ENCODED = "v4-path-double-encoded", CANONICAL_URI, Knob::UriEncoding(UriEncoding::Single),
        excludes [], "the path was encoded twice; S3 wants it encoded once";
    /// The path was encoded once where the service (all but S3) wants it twice.
    PATH_NOT_DOUBLE_ENCODED = "v4-path-not-double-encoded", CANONICAL_URI, Knob::UriEncoding(UriEncoding::Double),
        excludes [], "the path was encoded once; every service but S3 wants it twice";
    /// The path was not normalised (dot segments, repeated slashes) where it must be.
    PATH_NOT_NORMALIZED = "v4-path-not-normalized", CANONICAL_URI,
        Knob::Normalization(PathNormalization::Normalize), excludes [],
        "the path was not normalised (dot segments, repeated slashes)";
    /// The path was normalised where the service (S3) signs it as it is.
    PATH_NORMALIZED = "v4-path-normalized", CANONICAL_URI, Knob::Normalization(PathNormalization::AsIs),
        excludes [], "the path was normalised; S3 signs it as it is";
    /// The hashed payload is the hash of an empty body, but the body is not empty.
    PAYLOAD_HASH_OF_EMPTY_BODY = "v4-payload-hash-of-empty-body", HASHED_PAYLOAD,
        Knob::Payload(PayloadKnob::EmptyBody), excludes [], "the hashed payload is the hash of an empty body";
    /// The hashed payload is the hash of the body before a transformation (a trailing
    /// newline stripped, line ends converted, gzip applied after signing).
    PAYLOAD_HASH_BEFORE_TRANSFORMATION = "v4-payload-hash-before-transformation", HASHED_PAYLOAD,
        Knob::Payload(PayloadKnob::BeforeTransformation), excludes [],
        "the hashed payload is the hash of the body before a transformation (newline, line ends, gzip)";
    /// `UNSIGNED-PAYLOAD` signed where the service requires the body's hash.
    UNSIGNED_PAYLOAD_NOT_ALLOWED = "v4-unsigned-payload-not-allowed", HASHED_PAYLOAD,
        Knob::Payload(PayloadKnob::Unsigned), excludes [],
        "UNSIGNED-PAYLOAD was signed where the service requires the hash";
    /// The secret used without the `AWS4` prefix in kDate.
    SECRET_WITHOUT_AWS4_PREFIX = "v4-secret-without-aws4-prefix", SIGNING_KEY, Knob::NoAws4Prefix, excludes [],
        "the signing key was derived without the 'AWS4' prefix on the secret";
    /// The signing key derived with date, region and service in another order.
    SIGNING_KEY_WRONG_ORDER = "v4-signing-key-wrong-order", SIGNING_KEY, Knob::KeyWrongOrder, excludes [],
        "the signing key was derived with date, region, service in another order";
    /// The signature sent in uppercase hex.
    SIGNATURE_UPPERCASE_HEX = "v4-signature-uppercase-hex", SIGNATURE, Knob::Uppercase, excludes [],
        "the signature was sent in uppercase hex";
}

/// SigV4 for the search.
pub(crate) struct SigV4;

impl super::Scheme for SigV4 {
    type Knob = Knob;

    fn catalogue() -> &'static [super::Row<Knob>] {
        &CATALOGUE
    }
}

/// Finds the mistakes that reproduce the SigV4 signature `req` carries (header or
/// presigned form), given the secret of its access key and the endpoint's rules (the
/// same [`crate::sigv4::VerifyPolicy`] the verifier used: expected region and service, S3 or general
/// canonicalisation). Every single mistake and every compatible pair, each with at most a
/// handful of variants, within `budget`.
pub(crate) fn diagnose(
    req: &SignableRequest<'_>,
    secret: &SecretKey,
    policy: &crate::sigv4::VerifyPolicy<'_>,
    budget: Budget,
) -> Diagnosis {
    let claim = match Claim::read(req) {
        Ok(c) => c,
        Err(problem) => return Diagnosis::unusable(SchemeId::V4, problem.text()),
    };
    let correct = Recipe::correct();
    let Some(right) = correct.first(req, &claim, policy, secret) else {
        return Diagnosis::unusable(SchemeId::V4, "the request's canonical request could not be computed".to_owned());
    };
    let mut meter = Meter::new(budget);
    let signature_matches = constant_time_eq(right.signature.as_bytes(), claim.signature.as_bytes());
    let findings: Vec<Finding> = if signature_matches {
        // The signature matches what the server computes: only the body claim can be wrong.
        recipe::payload_claim_finding(req, &claim, &right).into_iter().collect()
    } else {
        match search::Search::new(req, &claim, policy, secret, &right, &mut meter) {
            Some(mut s) => super::search(&mut s, &mut meter),
            // No candidate writes what was sent (not 64 hex digits of one case).
            None => Vec::new(),
        }
    };
    Diagnosis {
        scheme: SchemeId::V4,
        correct_canonical_request: Some(right.canonical_request),
        correct_string_to_sign: right.string_to_sign,
        signature_matches: signature_matches && findings.is_empty(),
        findings,
        problem: None,
        budget_exhausted: meter.exhausted() || meter.skipped(),
    }
}

/// The part of a SigV4 diagnosis's text after the findings: where the client's canonical
/// request or string to sign first differs, then both, next to the right ones.
pub(super) fn explain_difference(
    f: &mut fmt::Formatter<'_>,
    best: &Finding,
    client: &str,
    correct: &str,
    d: &Diagnosis,
) -> fmt::Result {
    if let Some(diff) = compare_canonical_requests(client, correct) {
        writeln!(f, "\nFirst difference in the canonical request: {diff}")?;
    } else if let Some((theirs, ours)) =
        best.client_string_to_sign.lines().zip(d.correct_string_to_sign.lines()).find(|(theirs, ours)| theirs != ours)
    {
        writeln!(
            f,
            "\nThe canonical request is right; the string to sign differs: the client has '{theirs}', the \
             server '{ours}'"
        )?;
    } else {
        writeln!(f, "\nThe canonical request and the string to sign are right; the key or the signature differs.")?;
    }
    writeln!(f, "\nThe client signed this canonical request:\n{client}\n")?;
    writeln!(f, "and this string to sign:\n{}\n", best.client_string_to_sign)?;
    writeln!(f, "It should have signed this canonical request:\n{correct}\n")?;
    write!(f, "and this string to sign:\n{}", d.correct_string_to_sign)
}

/// The first difference between a client's canonical request and the right one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CanonicalDifference {
    /// A line of one of the six parts differs (not a header line).
    Part {
        /// Which part: `HTTPRequestMethod`, `CanonicalURI`, `CanonicalQueryString`,
        /// `SignedHeaders`, `HashedPayload`.
        part: &'static str,
        /// The client's line.
        client: String,
        /// The right line.
        correct: String,
    },
    /// Both sign the header `name`, with different values.
    HeaderValue {
        /// The lowercase header name.
        name: String,
        /// The value the client signed.
        client: String,
        /// The value the server signs (what it received, canonicalised).
        correct: String,
    },
    /// The header lines differ in names, order or count; the first differing line.
    HeaderLine {
        /// The client's line (empty when it has fewer).
        client: String,
        /// The right line (empty when it has fewer).
        correct: String,
    },
    /// The texts have a different shape (not six parts).
    Shape,
}

impl fmt::Display for CanonicalDifference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CanonicalDifference::Part { part, client, correct } => {
                write!(f, "{part}: the client has '{client}', the server '{correct}'")
            }
            CanonicalDifference::HeaderValue { name, client, correct } => {
                write!(
                    f,
                    "signed header {name}'s value differs: the client signed '{client}', the server has '{correct}'"
                )
            }
            CanonicalDifference::HeaderLine { client, correct } => {
                write!(f, "header lines differ: the client has '{client}', the server '{correct}'")
            }
            CanonicalDifference::Shape => f.write_str("the client's text is not a canonical request of six parts"),
        }
    }
}

/// Compares a client's canonical request (e.g. from its debug log; `\r\n` line ends are
/// read as `\n`) with the right one and names the first difference, or `None` when they
/// are equal.
pub fn compare_canonical_requests(client: &str, correct: &str) -> Option<CanonicalDifference> {
    let client = client.replace("\r\n", "\n");
    let client = client.strip_suffix('\n').unwrap_or(&client);
    if client == correct {
        return None;
    }
    let (Some(c), Some(r)) = (split_canonical(client), split_canonical(correct)) else {
        return Some(CanonicalDifference::Shape);
    };
    let part = |part, client: &str, correct: &str| {
        (client != correct).then(|| CanonicalDifference::Part {
            part,
            client: client.to_owned(),
            correct: correct.to_owned(),
        })
    };
    if let Some(d) = part("HTTPRequestMethod", c.method, r.method)
        .or_else(|| part("CanonicalURI", c.uri, r.uri))
        .or_else(|| part("CanonicalQueryString", c.query, r.query))
    {
        return Some(d);
    }
    let n = c.headers.len().max(r.headers.len());
    for i in 0..n {
        let (cl, rl) = (c.headers.get(i).copied().unwrap_or(""), r.headers.get(i).copied().unwrap_or(""));
        if cl == rl {
            continue;
        }
        let (cn, cv) = cl.split_once(':').unwrap_or((cl, ""));
        let (rn, rv) = rl.split_once(':').unwrap_or((rl, ""));
        if cn == rn && !cn.is_empty() {
            return Some(CanonicalDifference::HeaderValue {
                name: cn.to_owned(),
                client: cv.to_owned(),
                correct: rv.to_owned(),
            });
        }
        return Some(CanonicalDifference::HeaderLine { client: cl.to_owned(), correct: rl.to_owned() });
    }
    part("SignedHeaders", c.signed, r.signed)
        .or_else(|| part("HashedPayload", c.payload, r.payload))
        .or(Some(CanonicalDifference::Shape))
}

struct Parts<'a> {
    method: &'a str,
    uri: &'a str,
    query: &'a str,
    headers: Vec<&'a str>,
    signed: &'a str,
    payload: &'a str,
}

/// Method, URI, query, then header lines up to the empty line, signed headers, payload.
fn split_canonical(text: &str) -> Option<Parts<'_>> {
    let lines: Vec<&str> = text.split('\n').collect();
    let blank = lines.iter().skip(3).position(|l| l.is_empty())? + 3;
    if lines.len() != blank + 3 {
        return None;
    }
    Some(Parts {
        method: lines[0],
        uri: lines[1],
        query: lines[2],
        headers: lines[3..blank].to_vec(),
        signed: lines[blank + 1],
        payload: lines[blank + 2],
    })
}

#[cfg(test)]
mod tests;
