//! Why did a signature fail? The catalogue of classic SigV2 signer mistakes, each a small
//! change to one step of the canonicalisation or signing, and the search that finds which
//! mistake (or pair of mistakes) reproduces the signature a client sent.
//!
//! Amazon only answers "The request signature we calculated does not match the signature
//! you provided". Given the received request and the secret, [`diagnose`] recomputes the
//! signature under every [`Mistake`] and every compatible pair, and reports the ones that
//! give exactly the client's signature, with the string the client must have signed next
//! to the right one. The same [`Recipe`] machinery signs requests *with* mistakes
//! ([`sign_with_mistakes`]), which the tests, the broken test adapters and the fuzzer use.
//!
//! Sources for the mistakes: PA-API Developer Guide "Authenticating REST Requests" (vendor
//! notes on Java `URLEncoder`, Perl `URI::Escape`, C# lowercase hex), protocols.md §1.7
//! (what real clients sign) and §6.
//!
//! SigV4 has its own catalogue and search in [`v4`] ([`MistakeV4`], [`diagnose_v4`],
//! [`sign_with_mistakes_v4`]).

mod recipe;
pub mod v4;

pub use recipe::{sign_with_mistakes, Recipe};
pub use v4::{
    compare_canonical_requests, diagnose_v4, sign_with_mistakes_v4, DiagnosisV4, FindingV4, MistakeV4, SignedRequestV4,
    StepV4,
};

use crate::crypto::{constant_time_eq, SecretKey};
use crate::request::RequestView;
use crate::sigv2::{self, SignatureMethod};
use std::fmt;

/// A classic SigV2 signer mistake. Each changes one step; [`Mistake::step`] says which.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mistake {
    /// Space encoded as `+` (form encoding) instead of `%20`.
    SpaceAsPlus,
    /// `~` encoded as `%7E` although it is unreserved (Java `URLEncoder`, Python 2 `quote`).
    TildeEncoded,
    /// `*`, `!`, `'`, `(`, `)` left unencoded (JavaScript `encodeURIComponent`, Perl
    /// `URI::Escape`).
    SubDelimsBare,
    /// Lowercase hex in escapes (`%2c` instead of `%2C`; C# `HttpUtility.UrlEncode`).
    LowercaseHex,
    /// `!'()*` escaped by hand after `encodeURIComponent` with lowercase hex
    /// (`'%' + c.charCodeAt(0).toString(16)`: `*` becomes `%2a`; seen in the npm
    /// `amazon-product-api` package, clients/FINDINGS.md F1).
    SubDelimsLowercaseHex,
    /// Names and values encoded twice (`%` became `%25`).
    DoubleEncoding,
    /// Parameters not sorted (signed in the order sent).
    NotSorted,
    /// Sorted case-insensitively instead of by byte order.
    CaseInsensitiveSort,
    /// Sorted by the decoded names instead of the encoded ones.
    SortedDecodedNames,
    /// Sorted whole `name=value` strings (PHP `sort($pairs)`): `Id.10=` before `Id.1=`.
    SortedPairs,
    /// An empty `Signature=` parameter was in the map when signing.
    SignatureParamIncluded,
    /// Parameters with empty values left out of the string to sign.
    EmptyParamsDropped,
    /// Empty values written as `name` instead of `name=`.
    EmptyParamsWithoutEquals,
    /// The string was signed before `Timestamp` was added.
    TimestampNotSigned,
    /// The port was dropped from the host line (what MWS client libraries do).
    HostPortDropped,
    /// The scheme's default port (`:443` or `:80`) was written in the host line.
    HostDefaultPortAdded,
    /// The host line was not lowercased.
    HostNotLowercased,
    /// The scheme was written in the host line (`http://127.0.0.1:8080`; python-amazon-mws
    /// with an `http://` domain, clients/FINDINGS.md F6).
    HostWithScheme,
    /// An empty path was signed as empty instead of `/`.
    EmptyPathNotSlash,
    /// Signed as GET but sent as POST, or the reverse.
    WrongMethod,
    /// Signed with HmacSHA1 while declaring HmacSHA256.
    Sha1InsteadOfSha256,
    /// Signed with HmacSHA256 while declaring HmacSHA1.
    Sha256InsteadOfSha1,
    /// Lines of the string to sign joined with `\r\n`.
    CrlfLineEnds,
    /// The secret had a trailing newline (read from a file without trimming).
    SecretTrailingNewline,
    /// The secret had a leading or trailing space.
    SecretWithSpaces,
    /// The form body was signed as it was sent (raw, unsorted) instead of canonicalised.
    RawFormBodySigned,
    /// The `+` in the signature was not percent-encoded and arrived as a space.
    SignaturePlusNotEncoded,
}

/// The step of the process a mistake belongs to: two mistakes of one exclusive step
/// cannot combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    /// Percent-encoding of names and values (mistakes combine).
    Encoding,
    /// Sort order (exclusive).
    Sorting,
    /// Which parameters are signed (mistakes combine).
    Parameters,
    /// The host line (exclusive).
    Host,
    /// The path line.
    Path,
    /// The method line.
    Method,
    /// The HMAC (exclusive).
    Algorithm,
    /// Line ends.
    Layout,
    /// The key (exclusive).
    Secret,
    /// The whole canonical query taken from the body.
    Body,
    /// How the signature travelled.
    Transport,
}

impl Mistake {
    /// Every mistake in the catalogue.
    pub const ALL: [Mistake; 27] = [
        Mistake::SpaceAsPlus,
        Mistake::TildeEncoded,
        Mistake::SubDelimsBare,
        Mistake::LowercaseHex,
        Mistake::SubDelimsLowercaseHex,
        Mistake::DoubleEncoding,
        Mistake::SortedDecodedNames,
        Mistake::CaseInsensitiveSort,
        Mistake::SortedPairs,
        Mistake::NotSorted,
        Mistake::SignatureParamIncluded,
        Mistake::EmptyParamsDropped,
        Mistake::EmptyParamsWithoutEquals,
        Mistake::TimestampNotSigned,
        Mistake::HostPortDropped,
        Mistake::HostDefaultPortAdded,
        Mistake::HostNotLowercased,
        Mistake::HostWithScheme,
        Mistake::EmptyPathNotSlash,
        Mistake::WrongMethod,
        Mistake::Sha1InsteadOfSha256,
        Mistake::Sha256InsteadOfSha1,
        Mistake::CrlfLineEnds,
        Mistake::SecretTrailingNewline,
        Mistake::SecretWithSpaces,
        Mistake::RawFormBodySigned,
        Mistake::SignaturePlusNotEncoded,
    ];

    /// A stable kebab-case id (used in headers, reports and scenario files).
    pub fn id(self) -> &'static str {
        match self {
            Mistake::SpaceAsPlus => "space-as-plus",
            Mistake::TildeEncoded => "tilde-encoded",
            Mistake::SubDelimsBare => "sub-delims-bare",
            Mistake::LowercaseHex => "lowercase-hex",
            Mistake::SubDelimsLowercaseHex => "sub-delims-lowercase-hex",
            Mistake::DoubleEncoding => "double-encoding",
            Mistake::NotSorted => "not-sorted",
            Mistake::CaseInsensitiveSort => "case-insensitive-sort",
            Mistake::SortedDecodedNames => "sorted-decoded-names",
            Mistake::SortedPairs => "sorted-name-value-pairs",
            Mistake::SignatureParamIncluded => "signature-param-included",
            Mistake::EmptyParamsDropped => "empty-params-dropped",
            Mistake::EmptyParamsWithoutEquals => "empty-params-without-equals",
            Mistake::TimestampNotSigned => "timestamp-not-signed",
            Mistake::HostPortDropped => "host-port-dropped",
            Mistake::HostDefaultPortAdded => "host-default-port-added",
            Mistake::HostNotLowercased => "host-not-lowercased",
            Mistake::HostWithScheme => "host-with-scheme",
            Mistake::EmptyPathNotSlash => "empty-path-not-slash",
            Mistake::WrongMethod => "wrong-method",
            Mistake::Sha1InsteadOfSha256 => "sha1-instead-of-sha256",
            Mistake::Sha256InsteadOfSha1 => "sha256-instead-of-sha1",
            Mistake::CrlfLineEnds => "crlf-line-ends",
            Mistake::SecretTrailingNewline => "secret-trailing-newline",
            Mistake::SecretWithSpaces => "secret-with-spaces",
            Mistake::RawFormBodySigned => "raw-form-body-signed",
            Mistake::SignaturePlusNotEncoded => "signature-plus-not-encoded",
        }
    }

    /// The mistake with this id.
    pub fn from_id(id: &str) -> Option<Mistake> {
        Mistake::ALL.into_iter().find(|m| m.id() == id)
    }

    /// One sentence for a human.
    pub fn describe(self) -> &'static str {
        match self {
            Mistake::SpaceAsPlus => "spaces were encoded as '+' instead of '%20'",
            Mistake::TildeEncoded => "'~' was encoded as '%7E' although it is unreserved",
            Mistake::SubDelimsBare => {
                "'*', '!', ''', '(' or ')' were left unencoded (encodeURIComponent / RFC 2396 style)"
            }
            Mistake::LowercaseHex => "percent-escapes used lowercase hex ('%2c' instead of '%2C')",
            Mistake::SubDelimsLowercaseHex => {
                "'!', quote, '(', ')' and '*' were escaped by hand with lowercase hex ('*' as '%2a')"
            }
            Mistake::DoubleEncoding => "names and values were percent-encoded twice",
            Mistake::NotSorted => "parameters were not sorted",
            Mistake::CaseInsensitiveSort => "parameters were sorted case-insensitively instead of by byte order",
            Mistake::SortedDecodedNames => "parameters were sorted by decoded instead of encoded names",
            Mistake::SortedPairs => "whole 'name=value' strings were sorted instead of names",
            Mistake::SignatureParamIncluded => "an empty 'Signature=' parameter was included in the string to sign",
            Mistake::EmptyParamsDropped => "parameters with empty values were left out of the string to sign",
            Mistake::EmptyParamsWithoutEquals => "empty values were written as 'name' instead of 'name='",
            Mistake::TimestampNotSigned => "the string was signed before the Timestamp parameter was added",
            Mistake::HostPortDropped => "the port was dropped from the host line",
            Mistake::HostDefaultPortAdded => "the default port (:443 or :80) was written in the host line",
            Mistake::HostNotLowercased => "the host line was not lowercased (signed as written)",
            Mistake::HostWithScheme => "the scheme (http:// or https://) was written in the host line",
            Mistake::EmptyPathNotSlash => "an empty path was signed as '' instead of '/'",
            Mistake::WrongMethod => "the request was signed with another HTTP method than it was sent with",
            Mistake::Sha1InsteadOfSha256 => "signed with HmacSHA1 while SignatureMethod says HmacSHA256",
            Mistake::Sha256InsteadOfSha1 => "signed with HmacSHA256 while SignatureMethod says HmacSHA1",
            Mistake::CrlfLineEnds => "the string to sign used '\\r\\n' line ends",
            Mistake::SecretTrailingNewline => "the secret key had a trailing newline",
            Mistake::SecretWithSpaces => "the secret key had a leading or trailing space",
            Mistake::RawFormBodySigned => "the form body was signed as sent instead of canonicalised",
            Mistake::SignaturePlusNotEncoded => "'+' in the Signature was not percent-encoded and arrived as a space",
        }
    }

    /// The step this mistake changes.
    pub fn step(self) -> Step {
        use Mistake as M;
        match self {
            M::SpaceAsPlus
            | M::TildeEncoded
            | M::SubDelimsBare
            | M::LowercaseHex
            | M::SubDelimsLowercaseHex
            | M::DoubleEncoding => Step::Encoding,
            M::NotSorted | M::CaseInsensitiveSort | M::SortedDecodedNames | M::SortedPairs => Step::Sorting,
            M::SignatureParamIncluded | M::EmptyParamsDropped | M::EmptyParamsWithoutEquals | M::TimestampNotSigned => {
                Step::Parameters
            }
            M::HostPortDropped | M::HostDefaultPortAdded | M::HostNotLowercased | M::HostWithScheme => Step::Host,
            M::EmptyPathNotSlash => Step::Path,
            M::WrongMethod => Step::Method,
            M::Sha1InsteadOfSha256 | M::Sha256InsteadOfSha1 => Step::Algorithm,
            M::CrlfLineEnds => Step::Layout,
            M::SecretTrailingNewline | M::SecretWithSpaces => Step::Secret,
            M::RawFormBodySigned => Step::Body,
            M::SignaturePlusNotEncoded => Step::Transport,
        }
    }

    /// Whether two mistakes can happen together.
    pub fn combines_with(self, other: Mistake) -> bool {
        if self == other {
            return false;
        }
        let exclusive = matches!(self.step(), Step::Sorting | Step::Host | Step::Algorithm | Step::Secret | Step::Body);
        let both = |a: Mistake, b: Mistake| (self == a && other == b) || (self == b && other == a);
        let same_exclusive_step = exclusive && self.step() == other.step();
        let contradictory = both(Mistake::SubDelimsBare, Mistake::SubDelimsLowercaseHex)
            || both(Mistake::EmptyParamsDropped, Mistake::EmptyParamsWithoutEquals);
        !(same_exclusive_step || contradictory)
    }
}

impl fmt::Display for Mistake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// One explanation that reproduces the client's signature exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The mistakes, in catalogue order (one or two).
    pub mistakes: Vec<Mistake>,
    /// The string the client must have signed.
    pub client_string_to_sign: String,
}

/// The result of a diagnosis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    /// What the server signed (the right string).
    pub correct_string_to_sign: String,
    /// Explanations that reproduce the client's signature, simplest first; empty when
    /// none does.
    pub findings: Vec<Finding>,
}

impl Diagnosis {
    /// The best explanation, if any.
    pub fn best(&self) -> Option<&Finding> {
        self.findings.first()
    }

    /// A one-line summary for the `x-amzsig-diagnosis` header: the best finding's ids
    /// joined with `+`, or `unknown`.
    pub fn header_value(&self) -> String {
        self.best()
            .map_or_else(|| "unknown".to_owned(), |f| f.mistakes.iter().map(|m| m.id()).collect::<Vec<_>>().join("+"))
    }
}

impl fmt::Display for Diagnosis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.best() {
            None => {
                writeln!(f, "No known mistake reproduces the signature (wrong secret, or a change after signing).")?;
                write!(f, "The right string to sign is:\n{}", self.correct_string_to_sign)
            }
            Some(best) => {
                let what: Vec<_> = best.mistakes.iter().map(|m| format!("{} ({})", m.id(), m.describe())).collect();
                writeln!(f, "The client's signature is reproduced by: {}", what.join(" and "))?;
                for other in &self.findings[1..] {
                    let ids: Vec<_> = other.mistakes.iter().map(|m| m.id()).collect();
                    writeln!(f, "  (also reproduced by: {})", ids.join(" + "))?;
                }
                writeln!(f, "\nThe client signed:\n{}\n", best.client_string_to_sign)?;
                write!(f, "It should have signed:\n{}", self.correct_string_to_sign)
            }
        }
    }
}

/// Finds the mistakes that reproduce the signature `req` carries, given the secret of its
/// access key. `default_method` is what a request without `SignatureMethod` means.
pub fn diagnose(req: &RequestView<'_>, secret: &SecretKey, default_method: SignatureMethod) -> Diagnosis {
    let correct = Recipe::correct(default_method);
    let correct_string_to_sign = correct.string_to_sign(req);
    let given = req.params.get(sigv2::SIGNATURE_PARAM).unwrap_or_default();
    let mut findings: Vec<Finding> = Vec::new();

    for set in candidate_sets() {
        let Some(recipe) = correct.with(&set, req) else { continue };
        let transport = set.contains(&Mistake::SignaturePlusNotEncoded);
        let reproduces = |expected: &str| {
            if transport {
                expected.contains('+') && constant_time_eq(expected.replace('+', " ").as_bytes(), given.as_bytes())
            } else {
                constant_time_eq(expected.as_bytes(), given.as_bytes())
            }
        };
        for sts in recipe.strings_to_sign(req) {
            let changes_something =
                sts != correct_string_to_sign || recipe.algorithm().is_some() || recipe.changes_secret() || transport;
            // A pair whose string a single mistake of the pair already explains adds nothing.
            let redundant = set.len() == 2
                && findings.iter().any(|f: &Finding| f.mistakes.len() == 1 && set.contains(&f.mistakes[0]));
            if !changes_something || redundant {
                continue;
            }
            if recipe.signatures(req, secret, &sts).iter().any(|s| reproduces(s)) {
                findings.push(Finding { mistakes: set.clone(), client_string_to_sign: sts });
                break;
            }
        }
    }
    Diagnosis { correct_string_to_sign, findings }
}

/// Every single mistake, then every compatible pair, in catalogue order.
fn candidate_sets() -> Vec<Vec<Mistake>> {
    let mut sets: Vec<Vec<Mistake>> = Mistake::ALL.iter().map(|m| vec![*m]).collect();
    for (i, a) in Mistake::ALL.iter().enumerate() {
        for b in &Mistake::ALL[i + 1..] {
            if a.combines_with(*b) {
                sets.push(vec![*a, *b]);
            }
        }
    }
    sets
}

#[cfg(test)]
mod tests;
