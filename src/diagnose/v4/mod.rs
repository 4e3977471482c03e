//! Why did a SigV4 signature fail? The catalogue of SigV4 signer mistakes ([`MistakeV4`]),
//! each a small change to one step of the signing process, and the search
//! ([`diagnose_v4`]) that finds which mistake, or compatible pair, reproduces the
//! signature a client sent.
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
//! secret, [`diagnose_v4`] re-signs it under every applicable mistake and every
//! compatible pair, compares each signature with the one sent in constant time, and
//! reports the canonical request and string to sign the client must have used next to
//! the right ones. [`sign_with_mistakes_v4`] produces a request signed *with* mistakes,
//! for tests and broken test adapters. When the client's own canonical request is known
//! (e.g. from its debug log), [`compare_canonical_requests`] names the first difference,
//! such as a signed header whose value changed in transit.

mod recipe;
mod sign;

pub use sign::{sign_with_mistakes_v4, SignedRequestV4};

use crate::crypto::{constant_time_eq, SecretKey};
use crate::sigv4::{SignableRequest, VerifyPolicyV4};
use recipe::{Claim, RecipeV4};
use std::fmt;

/// A SigV4 signer mistake. Each changes one step; [`MistakeV4::step`] says which.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MistakeV4 {
    /// The credential scope's date is not the date of `X-Amz-Date` (local date, or a
    /// date computed apart from the timestamp).
    WrongScopeDate,
    /// Signed for another region than the endpoint's.
    WrongRegion,
    /// Signed for another service than the endpoint's.
    WrongService,
    /// The string to sign's time (and scope date) came from the `Date` header, not
    /// `X-Amz-Date`.
    DateHeaderUsed,
    /// Header names kept their letter case in the canonical headers.
    HeaderNamesNotLowercased,
    /// Header values signed untrimmed, as in `name: value` (the blank after the colon).
    HeaderValuesNotTrimmed,
    /// Runs of spaces inside header values were not folded to one space.
    HeaderSpacesNotFolded,
    /// Canonical header lines in the order the headers were sent, not sorted.
    HeadersNotSorted,
    /// A signed header was changed after signing (a proxy or HTTP library rewrote it).
    SignedHeaderChanged,
    /// The port was dropped from the signed `host` value.
    HostPortDropped,
    /// A port (`:443` or `:80`) was signed that the `Host` header does not carry.
    HostPortAdded,
    /// Query parameters not sorted.
    QueryNotSorted,
    /// Query names and values not percent-encoded.
    QueryNotEncoded,
    /// Space encoded as `+` in the canonical query string.
    QuerySpaceAsPlus,
    /// The path was encoded twice where the service (S3) wants it once.
    PathDoubleEncoded,
    /// The path was encoded once where the service (all but S3) wants it twice.
    PathNotDoubleEncoded,
    /// The path was not normalised (dot segments, repeated slashes) where it must be.
    PathNotNormalized,
    /// The path was normalised where the service (S3) signs it as it is.
    PathNormalized,
    /// The hashed payload is the hash of an empty body, but the body is not empty.
    PayloadHashOfEmptyBody,
    /// The hashed payload is the hash of the body before a transformation (a trailing
    /// newline stripped, line ends converted, gzip applied after signing).
    PayloadHashBeforeTransformation,
    /// `UNSIGNED-PAYLOAD` signed where the service requires the body's hash.
    UnsignedPayloadNotAllowed,
    /// The secret used without the `AWS4` prefix in kDate.
    SecretWithoutAws4Prefix,
    /// The signing key derived with date, region and service in another order.
    SigningKeyWrongOrder,
    /// The signature sent in uppercase hex.
    SignatureUppercaseHex,
}

/// The step of the SigV4 process a mistake belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StepV4 {
    /// Task 1: CanonicalURI.
    CanonicalUri,
    /// Task 1: CanonicalQueryString.
    CanonicalQuery,
    /// Task 1: CanonicalHeaders and SignedHeaders.
    CanonicalHeaders,
    /// Task 1: HashedPayload.
    HashedPayload,
    /// Task 2: RequestDateTime and the scope's date.
    RequestDate,
    /// Task 2: CredentialScope (region, service).
    CredentialScope,
    /// Task 3: the signing key.
    SigningKey,
    /// Task 3/4: the signature as written in the request.
    Signature,
    /// After signing: the request changed on its way.
    Transit,
}

impl StepV4 {
    /// The spec's name for the step.
    pub fn spec_name(self) -> &'static str {
        match self {
            StepV4::CanonicalUri => "Task 1, canonical request: CanonicalURI",
            StepV4::CanonicalQuery => "Task 1, canonical request: CanonicalQueryString",
            StepV4::CanonicalHeaders => "Task 1, canonical request: CanonicalHeaders / SignedHeaders",
            StepV4::HashedPayload => "Task 1, canonical request: HashedPayload",
            StepV4::RequestDate => "Task 2, string to sign: RequestDateTime",
            StepV4::CredentialScope => "Task 2, string to sign: CredentialScope",
            StepV4::SigningKey => "Task 3, signature: signing key (kDate, kRegion, kService, kSigning)",
            StepV4::Signature => "Task 4, adding the signature to the request",
            StepV4::Transit => "after signing: the request changed in transit",
        }
    }
}

impl MistakeV4 {
    /// Every mistake in the catalogue.
    pub const ALL: [MistakeV4; 24] = [
        MistakeV4::WrongScopeDate,
        MistakeV4::WrongRegion,
        MistakeV4::WrongService,
        MistakeV4::DateHeaderUsed,
        MistakeV4::HeaderNamesNotLowercased,
        MistakeV4::HeaderValuesNotTrimmed,
        MistakeV4::HeaderSpacesNotFolded,
        MistakeV4::HeadersNotSorted,
        MistakeV4::SignedHeaderChanged,
        MistakeV4::HostPortDropped,
        MistakeV4::HostPortAdded,
        MistakeV4::QueryNotSorted,
        MistakeV4::QueryNotEncoded,
        MistakeV4::QuerySpaceAsPlus,
        MistakeV4::PathDoubleEncoded,
        MistakeV4::PathNotDoubleEncoded,
        MistakeV4::PathNotNormalized,
        MistakeV4::PathNormalized,
        MistakeV4::PayloadHashOfEmptyBody,
        MistakeV4::PayloadHashBeforeTransformation,
        MistakeV4::UnsignedPayloadNotAllowed,
        MistakeV4::SecretWithoutAws4Prefix,
        MistakeV4::SigningKeyWrongOrder,
        MistakeV4::SignatureUppercaseHex,
    ];

    /// A stable kebab-case id, prefixed `v4-` so it never collides with a SigV2 id.
    pub fn id(self) -> &'static str {
        match self {
            MistakeV4::WrongScopeDate => "v4-wrong-scope-date",
            MistakeV4::WrongRegion => "v4-wrong-region",
            MistakeV4::WrongService => "v4-wrong-service",
            MistakeV4::DateHeaderUsed => "v4-date-header-used",
            MistakeV4::HeaderNamesNotLowercased => "v4-header-names-not-lowercased",
            MistakeV4::HeaderValuesNotTrimmed => "v4-header-values-not-trimmed",
            MistakeV4::HeaderSpacesNotFolded => "v4-header-spaces-not-folded",
            MistakeV4::HeadersNotSorted => "v4-headers-not-sorted",
            MistakeV4::SignedHeaderChanged => "v4-signed-header-changed",
            MistakeV4::HostPortDropped => "v4-host-port-dropped",
            MistakeV4::HostPortAdded => "v4-host-port-added",
            MistakeV4::QueryNotSorted => "v4-query-not-sorted",
            MistakeV4::QueryNotEncoded => "v4-query-not-encoded",
            MistakeV4::QuerySpaceAsPlus => "v4-query-space-as-plus",
            MistakeV4::PathDoubleEncoded => "v4-path-double-encoded",
            MistakeV4::PathNotDoubleEncoded => "v4-path-not-double-encoded",
            MistakeV4::PathNotNormalized => "v4-path-not-normalized",
            MistakeV4::PathNormalized => "v4-path-normalized",
            MistakeV4::PayloadHashOfEmptyBody => "v4-payload-hash-of-empty-body",
            MistakeV4::PayloadHashBeforeTransformation => "v4-payload-hash-before-transformation",
            MistakeV4::UnsignedPayloadNotAllowed => "v4-unsigned-payload-not-allowed",
            MistakeV4::SecretWithoutAws4Prefix => "v4-secret-without-aws4-prefix",
            MistakeV4::SigningKeyWrongOrder => "v4-signing-key-wrong-order",
            MistakeV4::SignatureUppercaseHex => "v4-signature-uppercase-hex",
        }
    }

    /// The mistake with this id.
    pub fn from_id(id: &str) -> Option<MistakeV4> {
        MistakeV4::ALL.into_iter().find(|m| m.id() == id)
    }

    /// One sentence for a human.
    pub fn describe(self) -> &'static str {
        match self {
            MistakeV4::WrongScopeDate => "the credential scope's date is not the date of X-Amz-Date",
            MistakeV4::WrongRegion => "the request was signed for another region than the endpoint's",
            MistakeV4::WrongService => "the request was signed for another service than the endpoint's",
            MistakeV4::DateHeaderUsed => "the string to sign took its time from the Date header instead of X-Amz-Date",
            MistakeV4::HeaderNamesNotLowercased => "header names were not lowercased in the canonical headers",
            MistakeV4::HeaderValuesNotTrimmed => {
                "header values were signed untrimmed ('name: value', the blank after the colon kept)"
            }
            MistakeV4::HeaderSpacesNotFolded => "runs of spaces inside header values were not folded to one space",
            MistakeV4::HeadersNotSorted => "canonical header lines were not sorted by name",
            MistakeV4::SignedHeaderChanged => "a signed header was changed after signing (proxy or HTTP library)",
            MistakeV4::HostPortDropped => "the port was dropped from the signed host value",
            MistakeV4::HostPortAdded => "a port the Host header does not carry (:443 or :80) was signed",
            MistakeV4::QueryNotSorted => "query parameters were not sorted",
            MistakeV4::QueryNotEncoded => "query names and values were not percent-encoded",
            MistakeV4::QuerySpaceAsPlus => "spaces in the query were encoded as '+' instead of '%20'",
            MistakeV4::PathDoubleEncoded => "the path was encoded twice; S3 wants it encoded once",
            MistakeV4::PathNotDoubleEncoded => "the path was encoded once; every service but S3 wants it twice",
            MistakeV4::PathNotNormalized => "the path was not normalised (dot segments, repeated slashes)",
            MistakeV4::PathNormalized => "the path was normalised; S3 signs it as it is",
            MistakeV4::PayloadHashOfEmptyBody => "the hashed payload is the hash of an empty body",
            MistakeV4::PayloadHashBeforeTransformation => {
                "the hashed payload is the hash of the body before a transformation (newline, line ends, gzip)"
            }
            MistakeV4::UnsignedPayloadNotAllowed => "UNSIGNED-PAYLOAD was signed where the service requires the hash",
            MistakeV4::SecretWithoutAws4Prefix => "the signing key was derived without the 'AWS4' prefix on the secret",
            MistakeV4::SigningKeyWrongOrder => {
                "the signing key was derived with date, region, service in another order"
            }
            MistakeV4::SignatureUppercaseHex => "the signature was sent in uppercase hex",
        }
    }

    /// The step this mistake changes.
    pub fn step(self) -> StepV4 {
        use MistakeV4 as M;
        match self {
            M::WrongScopeDate | M::DateHeaderUsed => StepV4::RequestDate,
            M::WrongRegion | M::WrongService => StepV4::CredentialScope,
            M::HeaderNamesNotLowercased
            | M::HeaderValuesNotTrimmed
            | M::HeaderSpacesNotFolded
            | M::HeadersNotSorted
            | M::HostPortDropped
            | M::HostPortAdded => StepV4::CanonicalHeaders,
            M::SignedHeaderChanged => StepV4::Transit,
            M::QueryNotSorted | M::QueryNotEncoded | M::QuerySpaceAsPlus => StepV4::CanonicalQuery,
            M::PathDoubleEncoded | M::PathNotDoubleEncoded | M::PathNotNormalized | M::PathNormalized => {
                StepV4::CanonicalUri
            }
            M::PayloadHashOfEmptyBody | M::PayloadHashBeforeTransformation | M::UnsignedPayloadNotAllowed => {
                StepV4::HashedPayload
            }
            M::SecretWithoutAws4Prefix | M::SigningKeyWrongOrder => StepV4::SigningKey,
            M::SignatureUppercaseHex => StepV4::Signature,
        }
    }

    /// Whether two mistakes can happen together (different knobs of the process).
    pub fn combines_with(self, other: MistakeV4) -> bool {
        use MistakeV4 as M;
        if self == other {
            return false;
        }
        let group = |m: MistakeV4| match m {
            M::WrongScopeDate | M::DateHeaderUsed => 1,
            M::HostPortDropped | M::HostPortAdded => 2,
            M::QueryNotEncoded | M::QuerySpaceAsPlus => 3,
            M::PathDoubleEncoded | M::PathNotDoubleEncoded => 4,
            M::PathNotNormalized | M::PathNormalized => 5,
            M::PayloadHashOfEmptyBody | M::PayloadHashBeforeTransformation | M::UnsignedPayloadNotAllowed => 6,
            _ => 0,
        };
        group(self) == 0 || group(self) != group(other)
    }
}

impl fmt::Display for MistakeV4 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// One explanation that reproduces the client's signature exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingV4 {
    /// The mistakes, in catalogue order (one or two).
    pub mistakes: Vec<MistakeV4>,
    /// Specifics, when a mistake has several forms (which header changed and how, which
    /// body transformation, which key order).
    pub detail: Option<String>,
    /// The canonical request the client must have signed.
    pub client_canonical_request: String,
    /// The string to sign the client must have signed.
    pub client_string_to_sign: String,
}

/// The result of a SigV4 diagnosis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiagnosisV4 {
    /// What the server signs (the right canonical request); empty when the request's
    /// signature could not be read.
    pub correct_canonical_request: String,
    /// The right string to sign; empty when the request's signature could not be read.
    pub correct_string_to_sign: String,
    /// Explanations that reproduce the client's signature, simplest first; empty when
    /// none does.
    pub findings: Vec<FindingV4>,
    /// Why the request could not be diagnosed, when it could not (no or malformed
    /// signature, no date).
    pub problem: Option<String>,
}

impl DiagnosisV4 {
    /// A diagnosis of a request that could not be diagnosed, and why.
    fn unusable(problem: String) -> Self {
        Self {
            correct_canonical_request: String::new(),
            correct_string_to_sign: String::new(),
            findings: Vec::new(),
            problem: Some(problem),
        }
    }

    /// The best explanation, if any.
    pub fn best(&self) -> Option<&FindingV4> {
        self.findings.first()
    }

    /// A one-line summary for the `x-amzsig-diagnosis` header: the best finding's ids
    /// joined with `+`, or `unknown`.
    pub fn header_value(&self) -> String {
        self.best()
            .map_or_else(|| "unknown".to_owned(), |f| f.mistakes.iter().map(|m| m.id()).collect::<Vec<_>>().join("+"))
    }
}

impl fmt::Display for DiagnosisV4 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(problem) = &self.problem {
            return write!(f, "The request cannot be diagnosed: {problem}");
        }
        let Some(best) = self.best() else {
            writeln!(f, "No known SigV4 mistake reproduces the signature (wrong secret, or a change after signing).")?;
            write!(
                f,
                "The right canonical request is:\n{}\n\nThe right string to sign is:\n{}",
                self.correct_canonical_request, self.correct_string_to_sign
            )?;
            return Ok(());
        };
        let what: Vec<_> =
            best.mistakes.iter().map(|m| format!("{} ({}; {})", m.id(), m.describe(), m.step().spec_name())).collect();
        writeln!(f, "The client's signature is reproduced by: {}", what.join(" and "))?;
        if let Some(detail) = &best.detail {
            writeln!(f, "  {detail}")?;
        }
        for other in &self.findings[1..] {
            let ids: Vec<_> = other.mistakes.iter().map(|m| m.id()).collect();
            writeln!(f, "  (also reproduced by: {})", ids.join(" + "))?;
        }
        if let Some(d) = compare_canonical_requests(&best.client_canonical_request, &self.correct_canonical_request) {
            writeln!(f, "\nFirst difference in the canonical request: {d}")?;
        } else if let Some((client, right)) = best
            .client_string_to_sign
            .lines()
            .zip(self.correct_string_to_sign.lines())
            .find(|(client, right)| client != right)
        {
            writeln!(
                f,
                "\nThe canonical request is right; the string to sign differs: the client has '{client}', the \
                 server '{right}'"
            )?;
        } else {
            writeln!(f, "\nThe canonical request and the string to sign are right; the key or the signature differs.")?;
        }
        writeln!(f, "\nThe client signed this canonical request:\n{}\n", best.client_canonical_request)?;
        writeln!(f, "and this string to sign:\n{}\n", best.client_string_to_sign)?;
        writeln!(f, "It should have signed this canonical request:\n{}\n", self.correct_canonical_request)?;
        write!(f, "and this string to sign:\n{}", self.correct_string_to_sign)
    }
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

/// Finds the mistakes that reproduce the SigV4 signature `req` carries (header or
/// presigned form), given the secret of its access key and the endpoint's rules (the
/// same [`VerifyPolicyV4`] the verifier used: expected region and service, S3 or general
/// canonicalisation). Pure and bounded: every single mistake and every compatible pair,
/// each with at most a handful of variants.
pub fn diagnose_v4(req: &SignableRequest<'_>, secret: &SecretKey, policy: &VerifyPolicyV4<'_>) -> DiagnosisV4 {
    let claim = match Claim::read(req) {
        Ok(c) => c,
        Err(problem) => return DiagnosisV4::unusable(problem.text()),
    };
    let correct = RecipeV4::correct();
    let Some(right) = correct.first(req, &claim, policy, secret) else {
        return DiagnosisV4::unusable("the request's canonical request could not be computed".to_owned());
    };
    let mut findings: Vec<FindingV4> = Vec::new();
    let given = claim.signature.as_str();

    if constant_time_eq(right.signature.as_bytes(), given.as_bytes()) {
        // The signature matches what the server computes: only the body claim can be wrong.
        findings.extend(recipe::payload_claim_finding(req, &claim, &right));
    } else {
        for set in candidate_sets() {
            // A pair one of whose mistakes alone already explains the signature adds nothing.
            if set.len() == 2 && findings.iter().any(|f| f.mistakes.len() == 1 && set.contains(&f.mistakes[0])) {
                continue;
            }
            let Some(recipe) = correct.with(&set, req, &claim, policy) else { continue };
            let hit = recipe.candidates(req, &claim, policy, secret).into_iter().find(|c| {
                let changes = c.string_to_sign != right.string_to_sign || recipe.changes_key_or_form();
                changes && constant_time_eq(c.signature.as_bytes(), given.as_bytes())
            });
            if let Some(c) = hit {
                findings.push(FindingV4 {
                    mistakes: set,
                    detail: c.detail,
                    client_canonical_request: c.canonical_request,
                    client_string_to_sign: c.string_to_sign,
                });
            }
        }
    }
    DiagnosisV4 {
        correct_canonical_request: right.canonical_request,
        correct_string_to_sign: right.string_to_sign,
        findings,
        problem: None,
    }
}

/// Every single mistake, then every compatible pair, in catalogue order.
fn candidate_sets() -> Vec<Vec<MistakeV4>> {
    let mut sets: Vec<Vec<MistakeV4>> = MistakeV4::ALL.iter().map(|m| vec![*m]).collect();
    for (i, a) in MistakeV4::ALL.iter().enumerate() {
        for b in &MistakeV4::ALL[i + 1..] {
            if a.combines_with(*b) {
                sets.push(vec![*a, *b]);
            }
        }
    }
    sets
}

#[cfg(test)]
mod tests;
