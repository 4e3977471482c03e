//! What a failed scenario's report says about the signature: a [`Detail`] built from the
//! pipeline's explanation (the mistakes that reproduce the client's signature, the strings
//! the client and the mock signed, the first difference) or, for a SigV4 refusal that
//! names its cause by itself, from the failure.

use crate::diagnose::{compare_canonical_requests, v4, Diagnosis, Finding};
use crate::scheme::{Failure, SchemeId};
use serde::Serialize;
use std::fmt::Write as _;

/// Why a scenario failed, when the signature is to blame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Detail {
    /// Ids of the mistakes that reproduce the client's signature (empty: unknown).
    pub mistakes: Vec<String>,
    /// Other explanations that reproduce it too (ids joined with `+`).
    pub also: Vec<String>,
    /// The mistakes in words.
    pub explanation: String,
    /// What Amazon signs for this request.
    pub expected_string_to_sign: String,
    /// What the client must have signed, when a mistake reproduces it.
    pub client_string_to_sign: Option<String>,
    /// Byte offset of the first difference between the two.
    pub first_difference: Option<usize>,
    /// SigV4: the canonical request the mock expected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_canonical_request: Option<String>,
}

/// Byte offset where `a` and `b` first differ (`None` when equal).
pub fn first_difference(a: &str, b: &str) -> Option<usize> {
    if a == b {
        return None;
    }
    Some(a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count())
}

/// The report's detail for a refusal: from the diagnosis when the pipeline diagnosed the
/// signature, else from a SigV4 failure that names its cause (scope date, region,
/// service, uppercase hex, hash of the empty body), which also wins over a diagnosis
/// that found nothing.
pub(super) fn for_refusal(failure: Option<&Failure>, diagnosis: Option<&Diagnosis>) -> Option<Detail> {
    let named = failure.and_then(Failure::as_v4).and_then(named);
    match diagnosis {
        Some(d) if d.findings.is_empty() && named.is_some() => named,
        Some(d) => Some(from_diagnosis(d)),
        None => named,
    }
}

/// The mistake a refusal names by itself, before any signature is compared: a scope for
/// another date, region or service, a signature in uppercase hex, a payload hash that is
/// not the body's.
fn named(failure: &crate::sigv4::VerifyFailure) -> Option<Detail> {
    let mistake = match failure {
        crate::sigv4::VerifyFailure::ScopeDateMismatch { .. } => v4::WRONG_SCOPE_DATE,
        crate::sigv4::VerifyFailure::WrongRegion { .. } => v4::WRONG_REGION,
        crate::sigv4::VerifyFailure::WrongService { .. } => v4::WRONG_SERVICE,
        crate::sigv4::VerifyFailure::MalformedSignature(sig)
            if sig.len() == 64 && sig.bytes().all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b)) =>
        {
            v4::SIGNATURE_UPPERCASE_HEX
        }
        crate::sigv4::VerifyFailure::ContentSha256Mismatch { claimed, .. }
            if *claimed == crate::crypto::sha256_hex(b"") =>
        {
            v4::PAYLOAD_HASH_OF_EMPTY_BODY
        }
        _ => return None,
    };
    Some(Detail {
        mistakes: vec![mistake.id().to_owned()],
        also: Vec::new(),
        explanation: format!("{} (the mock refused: {failure})", mistake.describe()),
        expected_string_to_sign: String::new(),
        client_string_to_sign: None,
        first_difference: None,
        expected_canonical_request: None,
    })
}

/// A diagnosis as a report's [`Detail`]: the mistakes that reproduce the client's
/// signature, and the strings (canonical request, for schemes that have one, and string to
/// sign) it must have used next to the right ones.
fn from_diagnosis(d: &Diagnosis) -> Detail {
    let best = d.best();
    let ids = |f: &Finding| f.mistakes.iter().map(|m| m.id().to_owned()).collect::<Vec<_>>();
    let kind = if d.scheme == SchemeId::V4 { "SigV4 mistake" } else { "mistake" };
    Detail {
        mistakes: best.map(ids).unwrap_or_default(),
        also: d.findings.iter().skip(1).map(|f| ids(f).join("+")).collect(),
        explanation: match (best, &d.problem) {
            (_, Some(problem)) => format!("the request cannot be diagnosed: {problem}"),
            (None, None) => {
                format!("no known {kind} reproduces the signature (wrong secret, or a change after signing)")
            }
            (Some(f), None) => {
                let mut text = f.mistakes.iter().map(|m| m.describe()).collect::<Vec<_>>().join("; ");
                if let Some(detail) = &f.detail {
                    text.push_str(" (");
                    text.push_str(detail);
                    text.push(')');
                }
                let both = f.client_canonical_request.as_deref().zip(d.correct_canonical_request.as_deref());
                if let Some(diff) = both.and_then(|(client, correct)| compare_canonical_requests(client, correct)) {
                    let _ = write!(text, "; first difference in the canonical request: {diff}");
                }
                text
            }
        },
        first_difference: best.and_then(|f| first_difference(&d.correct_string_to_sign, &f.client_string_to_sign)),
        client_string_to_sign: best.map(|f| f.client_string_to_sign.clone()),
        expected_string_to_sign: d.correct_string_to_sign.clone(),
        expected_canonical_request: d.correct_canonical_request.clone(),
    }
}

/// The session token handed to the client never reaches a report (it is a credential):
/// canonical requests show it as `<session-token>`.
pub(super) fn redact_token(mut d: Detail, token: Option<&str>) -> Detail {
    let Some(token) = token.filter(|t| !t.is_empty()) else { return d };
    // A presigned canonical request holds the token percent-encoded.
    let encoded = crate::encoding::encode(token.as_bytes());
    let hide = |s: &mut String| {
        for form in [token, encoded.as_str()] {
            if s.contains(form) {
                *s = s.replace(form, "<session-token>");
            }
        }
    };
    hide(&mut d.explanation);
    hide(&mut d.expected_string_to_sign);
    if let Some(c) = d.client_string_to_sign.as_mut() {
        hide(c);
    }
    if let Some(c) = d.expected_canonical_request.as_mut() {
        hide(c);
    }
    d
}
