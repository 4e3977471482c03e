//! [`Recipe`]: the SigV4 signing process with knobs. The correct recipe computes what
//! [`crate::sigv4::verify`] computes for a received request; each catalogue row's [`Knob`]
//! turns one. A recipe gives every variant a mistake can take (which port was added, which
//! header a proxy changed and how, which key order), each as the canonical request, the
//! string to sign and the signature; its components (scope, URI, query, header lines,
//! payload hashes, keys) are built by the methods the search memoises. Everything here is
//! pure.

use super::{Finding, Mistake, SchemeId, CATALOGUE, PAYLOAD_HASH_BEFORE_TRANSFORMATION, PAYLOAD_HASH_OF_EMPTY_BODY};
use crate::crypto::{hmac, hmac_raw, sha256_hex, HmacAlgorithm, MacBytes, SecretKey};
use crate::encoding::{encode, ParamList};
use crate::sigv4::{
    canonical_header_value, canonical_query_string, canonical_uri, parse_amz_date, parse_authorization,
    parse_credential, parse_signed_headers, push_canonical_header_value, request_hashed_payload, CredentialScope,
    ParseAmzDateError, ParseAuthorizationError, ParseCredentialError, PathNormalization, Payload, PresignedPayload,
    SessionTokenMode, SignableRequest, SignatureLocation, SigningSettings, UriEncoding, ALGORITHM, AUTHORIZATION,
    SCOPE_TERMINATOR, UNSIGNED_PAYLOAD, X_AMZ_ALGORITHM, X_AMZ_CONTENT_SHA256, X_AMZ_CREDENTIAL, X_AMZ_DATE,
    X_AMZ_SECURITY_TOKEN, X_AMZ_SIGNATURE, X_AMZ_SIGNED_HEADERS,
};
use std::cell::OnceCell;
use std::io::Read;

/// Most variants one recipe may try (bounds the work per request).
pub(crate) const MAX_VARIANTS: usize = 64;

/// The SHA-256 of an empty body.
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// What a request claims about its signature.
#[derive(Debug, Clone)]
pub(crate) struct Claim {
    pub(crate) location: SignatureLocation,
    pub(crate) scope: CredentialScope,
    pub(crate) signed_headers: Vec<String>,
    pub(crate) signature: String,
    /// `X-Amz-Date` as sent (`YYYYMMDDThhmmssZ`), or the `Date` header in that form.
    pub(crate) raw_date: String,
    /// Hashes of the body, computed once per diagnosis (a body may be 16 MiB and every
    /// candidate needs them).
    pub(crate) memo: BodyHashes,
}

/// The body's SHA-256 and the hashes of its plausible originals, computed on first use.
/// They depend on the payload and `Content-Encoding` only, which signing never changes.
#[derive(Debug, Clone, Default)]
pub(crate) struct BodyHashes {
    body: OnceCell<String>,
    variants: OnceCell<Vec<(String, String)>>,
}

impl Claim {
    /// The hashed payload the verifier uses (mirrors `sigv4::verify`): `UNSIGNED-PAYLOAD`
    /// for S3-style presigned URLs, else the `x-amz-content-sha256` header when the body
    /// is known and the header is sent, else the payload's hash.
    pub(crate) fn server_hashed_payload(&self, req: &SignableRequest<'_>, settings: &SigningSettings) -> String {
        if self.location == SignatureLocation::QueryParams && settings.presigned_payload == PresignedPayload::Unsigned {
            return UNSIGNED_PAYLOAD.to_owned();
        }
        // The server's rule is `sigv4::request_hashed_payload`; only the body's own hash is
        // memoised here, since a diagnosis asks for it once per tried variant.
        if let (Payload::Bytes(body), None) = (req.payload, req.header(X_AMZ_CONTENT_SHA256)) {
            return self.memo.body.get_or_init(|| sha256_hex(body)).clone();
        }
        request_hashed_payload(req)
    }

    /// (hash, what happened) of every plausible original of the body ([`body_variants`]).
    pub(crate) fn body_variant_hashes(&self, req: &SignableRequest<'_>) -> &[(String, String)] {
        self.memo
            .variants
            .get_or_init(|| body_variants(req).into_iter().map(|(body, what)| (sha256_hex(&body), what)).collect())
    }
}

/// Why a request's SigV4 claim cannot be read (the diagnosis is then unusable).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ClaimError {
    /// The `Authorization` header does not parse.
    #[error("malformed Authorization header")]
    Authorization(#[source] ParseAuthorizationError),
    /// A header-form request with no date to sign with.
    #[error("the request has neither an X-Amz-Date nor a readable Date header")]
    NoDate,
    /// A presigned URL without one of its parameters.
    #[error("the presigned URL has no {0}")]
    MissingParam(&'static str),
    /// `X-Amz-Credential` does not parse.
    #[error("malformed X-Amz-Credential")]
    Credential(#[source] ParseCredentialError),
    /// `X-Amz-SignedHeaders` names an empty header.
    #[error("X-Amz-SignedHeaders has an empty header name")]
    EmptySignedHeader,
    /// Neither form.
    #[error("the request carries no SigV4 signature (no Authorization header, no X-Amz-Algorithm)")]
    Unsigned,
    /// The date does not parse.
    #[error("X-Amz-Date '{raw}' is malformed")]
    Date {
        /// The date as sent.
        raw: String,
        /// Why it does not parse.
        #[source]
        source: ParseAmzDateError,
    },
}

impl ClaimError {
    /// The error and its causes on one line (`malformed Authorization header: cause`),
    /// as [`crate::diagnose::Diagnosis::problem`] shows it.
    pub(crate) fn text(&self) -> String {
        let mut text = self.to_string();
        let mut cause = std::error::Error::source(self);
        while let Some(c) = cause {
            text.push_str(": ");
            text.push_str(&c.to_string());
            cause = c.source();
        }
        text
    }
}

impl Claim {
    /// Reads the claim of a header-form or presigned request, or says why it cannot.
    pub(crate) fn read(req: &SignableRequest<'_>) -> Result<Claim, ClaimError> {
        let claim = if let Some(value) = req.header(AUTHORIZATION) {
            let auth = parse_authorization(value).map_err(ClaimError::Authorization)?;
            let raw_date = match req.header(X_AMZ_DATE) {
                Some(d) => d.trim().to_owned(),
                None => req.header("date").and_then(date_header_as_amz).ok_or(ClaimError::NoDate)?,
            };
            Claim {
                location: SignatureLocation::Headers,
                scope: auth.credential.scope,
                signed_headers: auth.signed_headers,
                signature: auth.signature,
                raw_date,
                memo: BodyHashes::default(),
            }
        } else if req.query.find(X_AMZ_ALGORITHM).is_some() {
            let get = |name: &'static str| req.query.get(name).ok_or(ClaimError::MissingParam(name));
            let credential = parse_credential(get(X_AMZ_CREDENTIAL)?).map_err(ClaimError::Credential)?;
            let signed_headers =
                parse_signed_headers(get(X_AMZ_SIGNED_HEADERS)?).ok_or(ClaimError::EmptySignedHeader)?;
            Claim {
                location: SignatureLocation::QueryParams,
                scope: credential.scope,
                signed_headers,
                signature: get(X_AMZ_SIGNATURE)?.to_owned(),
                raw_date: get(X_AMZ_DATE)?.to_owned(),
                memo: BodyHashes::default(),
            }
        } else {
            return Err(ClaimError::Unsigned);
        };
        if let Err(source) = parse_amz_date(&claim.raw_date) {
            return Err(ClaimError::Date { raw: claim.raw_date, source });
        }
        Ok(claim)
    }
}

/// A `Date` header (IMF-fixdate, RFC 9110 §5.6.7, `Sun, 06 Nov 1994 08:49:37 GMT`, or
/// already `YYYYMMDDThhmmssZ`) in the `X-Amz-Date` form.
pub(crate) fn date_header_as_amz(value: &str) -> Option<String> {
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let value = value.trim();
    if parse_amz_date(value).is_ok() {
        return Some(value.to_owned());
    }
    let words: Vec<&str> = value.split_ascii_whitespace().collect();
    let [_, day, month, year, time, "GMT"] = words[..] else { return None };
    let month = MONTHS.iter().position(|m| *m == month)? + 1;
    let amz = format!("{year:0>4}{month:02}{day:0>2}T{}Z", time.replace(':', ""));
    parse_amz_date(&amz).ok().map(crate::clock::UtcTime::to_amz_date)
}

/// One computed variant.
#[derive(Debug, Clone)]
pub(crate) struct Computed {
    pub(crate) canonical_request: String,
    pub(crate) string_to_sign: String,
    /// Hex, as the client would send it.
    pub(crate) signature: String,
}

/// The string to sign's time and the credential scope's parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Scope {
    /// `YYYYMMDDThhmmssZ`, the string to sign's second line.
    pub(crate) request_time: String,
    pub(crate) date: String,
    pub(crate) region: String,
    pub(crate) service: String,
}

impl Scope {
    /// `date/region/service/aws4_request`.
    pub(crate) fn text(&self) -> String {
        format!("{}/{}/{}/{SCOPE_TERMINATOR}", self.date, self.region, self.service)
    }

    /// kDate → kRegion → kService → kSigning, with date, region and service in `order`.
    pub(crate) fn derive_key(&self, secret: &SecretKey, aws4_prefix: bool, order: [usize; 3]) -> MacBytes {
        let parts = [self.date.as_str(), self.region.as_str(), self.service.as_str()];
        derive_key(secret, aws4_prefix, order.map(|i| parts[i]))
    }
}

/// What the header lines of a recipe depend on.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct HeaderKey {
    host: HostKnob,
    changed: bool,
    names_not_lowercased: bool,
    values_not_trimmed: bool,
    spaces_not_folded: bool,
    not_sorted: bool,
}

/// The request's signed headers, read once: for each name of SignedHeaders (in that
/// order), the headers sent with it, and the rewrites a proxy may have made.
#[derive(Debug, Clone)]
pub(crate) struct HeaderTable {
    names: Vec<SignedName>,
    rewrites: Vec<Rewrite>,
    /// Every signed name was sent in title case (`Content-Type`).
    sent_in_title_case: bool,
}

#[derive(Debug, Clone)]
struct SignedName {
    /// As in SignedHeaders.
    claimed: String,
    /// As the first header of that name was sent (the claimed name if none was).
    as_sent: String,
    title: String,
    /// Where the first header of that name was sent.
    first_sent: Option<usize>,
    /// The headers of that name, in sent order.
    indices: Vec<usize>,
    is_host: bool,
}

impl HeaderTable {
    pub(crate) fn of(req: &SignableRequest<'_>, claim: &Claim) -> Self {
        let names = claim
            .signed_headers
            .iter()
            .map(|name| {
                let indices: Vec<usize> = req
                    .headers
                    .iter()
                    .enumerate()
                    .filter(|(_, (n, _))| n.eq_ignore_ascii_case(name))
                    .map(|(i, _)| i)
                    .collect();
                SignedName {
                    claimed: name.clone(),
                    as_sent: indices.first().map_or_else(
                        || name.clone(),
                        |&i| req.headers.get(i).map_or_else(String::new, |(n, _)| n.to_owned()),
                    ),
                    title: title_case(name),
                    first_sent: indices.first().copied(),
                    indices,
                    is_host: name.eq_ignore_ascii_case("host"),
                }
            })
            .collect();
        let names: Vec<SignedName> = names;
        let sent_in_title_case = names.iter().all(|n| n.as_sent == n.title);
        Self { names, rewrites: rewrites(req, &claim.signed_headers), sent_in_title_case }
    }

    /// Whether the names written in `style` are already sorted in SignedHeaders order.
    fn in_written_order(&self, style: NameStyle) -> bool {
        self.names.windows(2).all(|w| written(&w[0], style) <= written(&w[1], style))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum HostKnob {
    AsSent,
    PortDropped,
    PortAdded,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum QueryEncoding {
    Correct,
    NotEncoded,
    PlusForSpace,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum PayloadKnob {
    AsServer,
    EmptyBody,
    BeforeTransformation,
    Unsigned,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum DateKnob {
    Correct,
    ClaimedScopeDate,
    DateHeader,
}

/// What a catalogue row turns. A variant is one knob: rows with the same variant (two
/// dates, two host lines, two payload hashes) cannot combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Knob {
    Date(DateKnob),
    ClaimedRegion,
    ClaimedService,
    NamesNotLowercased,
    ValuesNotTrimmed,
    SpacesNotFolded,
    HeadersNotSorted,
    HeaderChanged,
    Host(HostKnob),
    QueryNotSorted,
    QueryEncoding(QueryEncoding),
    /// Flip the path encoding where the service wants this one.
    UriEncoding(UriEncoding),
    /// Flip the path normalisation where the service wants this one.
    Normalization(PathNormalization),
    Payload(PayloadKnob),
    NoAws4Prefix,
    KeyWrongOrder,
    Uppercase,
}

/// What the knobs' applicability depends on, read from the request once per diagnosis.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone)]
pub(crate) struct Facts {
    scope_date_differs: bool,
    region_differs: bool,
    service_differs: bool,
    date_header_differs: bool,
    has_signed_values: bool,
    values_need_folding: bool,
    headers_unsorted: bool,
    has_rewrites: bool,
    host_has_port: bool,
    host_takes_port: bool,
    query_unsorted: bool,
    query_needs_encoding: bool,
    query_has_space: bool,
    /// The canonical URI with the encoding flipped or not, the normalisation flipped or not.
    uris: [[String; 2]; 2],
    hash_is_empty_body: bool,
    hash_is_unsigned: bool,
    has_body_variants: bool,
}

impl Facts {
    /// The facts of `req`; `body_variants` says whether the hashes of the body's plausible
    /// originals may be computed (they are, when there are any), `false` when the budget
    /// cannot pay for them.
    pub(crate) fn of(
        req: &SignableRequest<'_>,
        claim: &Claim,
        policy: &crate::sigv4::VerifyPolicy<'_>,
        body_variants: bool,
    ) -> Self {
        let settings = &policy.settings;
        let signed_values =
            || req.headers.iter().filter(|(n, _)| claim.signed_headers.iter().any(|s| s.eq_ignore_ascii_case(n)));
        let host = req.header("host").unwrap_or_default();
        let server_hash = claim.server_hashed_payload(req, settings);
        let uri = |flip_encoding: bool, flip_normalization: bool| {
            Recipe { flip_uri_encoding: flip_encoding, flip_normalization, ..Recipe::correct() }.uri(req, settings)
        };
        Self {
            scope_date_differs: claim.scope.date != claim.raw_date[..8],
            region_differs: policy.expected_region.is_some_and(|e| e != claim.scope.region),
            service_differs: policy.expected_service.is_some_and(|e| e != claim.scope.service),
            date_header_differs: claim.location == SignatureLocation::Headers
                && req.header("date").and_then(date_header_as_amz).is_some_and(|d| d != claim.raw_date),
            has_signed_values: signed_values().next().is_some(),
            values_need_folding: signed_values().any(|(_, v)| canonical_header_value([v]) != v.trim()),
            headers_unsorted: sent_order(req, &claim.signed_headers) != claim.signed_headers,
            has_rewrites: !rewrites(req, &claim.signed_headers).is_empty(),
            host_has_port: strip_port(host) != host,
            host_takes_port: !host.is_empty() && strip_port(host) == host,
            query_unsorted: query_unsorted_differs(req.query, &excluded_query(claim, settings)),
            query_needs_encoding: query_text(req.query).any(|t| encode(t.as_bytes()) != t),
            query_has_space: query_text(req.query).any(|t| t.contains(' ')),
            uris: [[uri(false, false), uri(false, true)], [uri(true, false), uri(true, true)]],
            hash_is_empty_body: server_hash == EMPTY_SHA256,
            hash_is_unsigned: server_hash == UNSIGNED_PAYLOAD,
            has_body_variants: body_variants && !claim.body_variant_hashes(req).is_empty(),
        }
    }

    /// The canonical URI with the encoding and the normalisation flipped or not.
    pub(crate) fn uri(&self, flip_encoding: bool, flip_normalization: bool) -> &str {
        &self.uris[usize::from(flip_encoding)][usize::from(flip_normalization)]
    }
}

/// The SigV4 process with every knob a known mistake turns.
// Each bool is one independent mistake's knob; any combination is a valid recipe.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Recipe {
    date: DateKnob,
    claimed_region: bool,
    claimed_service: bool,
    names_not_lowercased: bool,
    values_not_trimmed: bool,
    spaces_not_folded: bool,
    headers_not_sorted: bool,
    header_changed: bool,
    host: HostKnob,
    query_not_sorted: bool,
    query_encoding: QueryEncoding,
    flip_uri_encoding: bool,
    flip_normalization: bool,
    payload: PayloadKnob,
    no_aws4_prefix: bool,
    key_wrong_order: bool,
    uppercase: bool,
}

/// Header names the signer owns or that travel with the signature: a proxy rewriting
/// them is another mistake (host) or not a header rewrite at all.
const NOT_REWRITTEN: [&str; 5] = ["host", "x-amz-date", X_AMZ_CONTENT_SHA256, "x-amz-security-token", "authorization"];

impl Recipe {
    /// The correct process (what the verifier computes).
    pub(crate) fn correct() -> Self {
        Self {
            date: DateKnob::Correct,
            claimed_region: false,
            claimed_service: false,
            names_not_lowercased: false,
            values_not_trimmed: false,
            spaces_not_folded: false,
            headers_not_sorted: false,
            header_changed: false,
            host: HostKnob::AsSent,
            query_not_sorted: false,
            query_encoding: QueryEncoding::Correct,
            flip_uri_encoding: false,
            flip_normalization: false,
            payload: PayloadKnob::AsServer,
            no_aws4_prefix: false,
            key_wrong_order: false,
            uppercase: false,
        }
    }

    /// Whether the recipe changes the key or how the signature is written (so an equal
    /// string to sign still gives another signature).
    pub(crate) fn changes_key_or_form(&self) -> bool {
        self.no_aws4_prefix || self.key_wrong_order || self.uppercase
    }

    /// This recipe with `mistakes` applied, or `None` when one of them cannot change
    /// anything for this request (or is not a SigV4 mistake).
    pub(crate) fn with(
        &self,
        mistakes: &[Mistake],
        req: &SignableRequest<'_>,
        claim: &Claim,
        policy: &crate::sigv4::VerifyPolicy<'_>,
    ) -> Option<Recipe> {
        let mut knobs = Vec::with_capacity(mistakes.len());
        for m in mistakes {
            if m.scheme() != SchemeId::V4 {
                return None;
            }
            knobs.push(CATALOGUE.iter().find(|r| r.mistake == *m)?.knob);
        }
        self.apply(&knobs, &Facts::of(req, claim, policy, true), &policy.settings)
    }

    /// This recipe with `knobs` turned, or `None` when one of them cannot change anything
    /// for the request `facts` describe.
    pub(crate) fn apply(&self, knobs: &[Knob], facts: &Facts, settings: &SigningSettings) -> Option<Recipe> {
        let mut r = self.clone();
        for knob in knobs {
            match *knob {
                Knob::Date(d @ DateKnob::ClaimedScopeDate) if facts.scope_date_differs => r.date = d,
                Knob::Date(d @ DateKnob::DateHeader) if facts.date_header_differs => r.date = d,
                Knob::ClaimedRegion if facts.region_differs => r.claimed_region = true,
                Knob::ClaimedService if facts.service_differs => r.claimed_service = true,
                Knob::NamesNotLowercased => r.names_not_lowercased = true,
                Knob::ValuesNotTrimmed if facts.has_signed_values => r.values_not_trimmed = true,
                Knob::SpacesNotFolded if facts.values_need_folding => r.spaces_not_folded = true,
                Knob::HeadersNotSorted if facts.headers_unsorted => r.headers_not_sorted = true,
                Knob::HeaderChanged if facts.has_rewrites => r.header_changed = true,
                Knob::Host(h @ HostKnob::PortDropped) if facts.host_has_port => r.host = h,
                Knob::Host(h @ HostKnob::PortAdded) if facts.host_takes_port => r.host = h,
                Knob::QueryNotSorted if facts.query_unsorted => r.query_not_sorted = true,
                Knob::QueryEncoding(e @ QueryEncoding::NotEncoded) if facts.query_needs_encoding => {
                    r.query_encoding = e;
                }
                Knob::QueryEncoding(e @ QueryEncoding::PlusForSpace) if facts.query_has_space => r.query_encoding = e,
                Knob::UriEncoding(wanted) => {
                    let n = r.flip_normalization;
                    if settings.uri_encoding != wanted || facts.uri(true, n) == facts.uri(false, n) {
                        return None;
                    }
                    r.flip_uri_encoding = true;
                }
                Knob::Normalization(wanted) => {
                    let e = r.flip_uri_encoding;
                    if settings.path_normalization != wanted || facts.uri(e, true) == facts.uri(e, false) {
                        return None;
                    }
                    r.flip_normalization = true;
                }
                Knob::Payload(p @ PayloadKnob::EmptyBody) if !facts.hash_is_empty_body => r.payload = p,
                Knob::Payload(p @ PayloadKnob::BeforeTransformation) if facts.has_body_variants => r.payload = p,
                Knob::Payload(p @ PayloadKnob::Unsigned) if !facts.hash_is_unsigned => r.payload = p,
                Knob::NoAws4Prefix => r.no_aws4_prefix = true,
                Knob::KeyWrongOrder => r.key_wrong_order = true,
                Knob::Uppercase => r.uppercase = true,
                _ => return None,
            }
        }
        Some(r)
    }

    pub(crate) fn uri(&self, req: &SignableRequest<'_>, settings: &SigningSettings) -> String {
        let encoding = match (settings.uri_encoding, self.flip_uri_encoding) {
            (e, false) => e,
            (UriEncoding::Double, true) => UriEncoding::Single,
            (UriEncoding::Single, true) => UriEncoding::Double,
        };
        let normalization = match (settings.path_normalization, self.flip_normalization) {
            (n, false) => n,
            (PathNormalization::Normalize, true) => PathNormalization::AsIs,
            (PathNormalization::AsIs, true) => PathNormalization::Normalize,
        };
        canonical_uri(req.path, encoding, normalization)
    }

    pub(crate) fn query(&self, req: &SignableRequest<'_>, excluded: &[&str]) -> String {
        if !self.query_not_sorted && self.query_encoding == QueryEncoding::Correct {
            return canonical_query_string(req.query, excluded);
        }
        let enc = |s: &str| match self.query_encoding {
            QueryEncoding::Correct => encode(s.as_bytes()),
            QueryEncoding::NotEncoded => s.to_owned(),
            QueryEncoding::PlusForSpace => encode(s.as_bytes()).replace("%20", "+"),
        };
        let mut pairs: Vec<(String, String)> = req
            .query
            .iter()
            .filter(|p| !excluded.contains(&p.name.as_str()))
            .map(|p| (enc(&p.name), enc(&p.value)))
            .collect();
        if !self.query_not_sorted {
            pairs.sort();
        }
        pairs.iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>().join("&")
    }

    /// The canonical headers and signed-headers line of every variant, with a detail
    /// when the variant needs one.
    pub(crate) fn header_variants(
        &self,
        req: &SignableRequest<'_>,
        claim: &Claim,
    ) -> Vec<(String, String, Option<String>)> {
        self.header_variants_in(&HeaderTable::of(req, claim), req)
    }

    /// [`Recipe::header_variants`] from the request's signed headers read once.
    pub(crate) fn header_variants_in(
        &self,
        table: &HeaderTable,
        req: &SignableRequest<'_>,
    ) -> Vec<(String, String, Option<String>)> {
        let host = req.header("host").unwrap_or_default();
        let hosts: Vec<Option<String>> = match self.host {
            HostKnob::AsSent => vec![None],
            HostKnob::PortDropped => vec![Some(strip_port(host).to_owned())],
            HostKnob::PortAdded => vec![Some(format!("{host}:443")), Some(format!("{host}:80"))],
        };
        let changes: Vec<Option<&Rewrite>> =
            if self.header_changed { table.rewrites.iter().map(Some).collect() } else { vec![None] };
        // Title case that is how the names were sent gives the same lines: tried once.
        let name_styles: &[NameStyle] = match (self.names_not_lowercased, table.sent_in_title_case) {
            (true, false) => &[NameStyle::AsSent, NameStyle::TitleCase],
            (true, true) => &[NameStyle::AsSent],
            (false, _) => &[NameStyle::AsClaimed],
        };
        let orders: &[LineOrder] = match (self.headers_not_sorted, self.names_not_lowercased) {
            (true, _) => &[LineOrder::SentSignedSorted, LineOrder::Sent],
            (false, true) => &[LineOrder::Claimed, LineOrder::ByWrittenName],
            (false, false) => &[LineOrder::Claimed],
        };
        let mut out: Vec<(String, String, Option<String>)> = Vec::new();
        for h in &hosts {
            for c in &changes {
                for &style in name_styles {
                    for &order in orders {
                        // Sorting names that are already in order changes nothing: tried once.
                        if order == LineOrder::ByWrittenName && table.in_written_order(style) {
                            continue;
                        }
                        let v = self.headers_text(table, req, h.as_deref(), *c, style, order);
                        if out.len() < MAX_VARIANTS && !out.iter().any(|o| o.0 == v.0 && o.1 == v.1) {
                            out.push((v.0, v.1, c.map(|c| c.detail.clone())));
                        }
                    }
                }
            }
        }
        out
    }

    fn headers_text(
        &self,
        table: &HeaderTable,
        req: &SignableRequest<'_>,
        host: Option<&str>,
        change: Option<&Rewrite>,
        style: NameStyle,
        order: LineOrder,
    ) -> (String, String) {
        let join_names = |order: &[&SignedName]| {
            let mut names = String::new();
            for (i, e) in order.iter().enumerate() {
                if i > 0 {
                    names.push(';');
                }
                names.push_str(written(e, style));
            }
            names
        };
        let mut lines: Vec<&SignedName> = table.names.iter().collect();
        let claimed_line = (order == LineOrder::SentSignedSorted).then(|| join_names(&lines));
        match order {
            LineOrder::Claimed => {}
            LineOrder::ByWrittenName => lines.sort_by(|a, b| written(a, style).cmp(written(b, style))),
            LineOrder::Sent | LineOrder::SentSignedSorted => lines.sort_by_key(|e| e.first_sent),
        }
        let mut text = String::with_capacity(256);
        for e in &lines {
            let values = e.indices.iter().map(|&i| match (host, change) {
                (Some(h), _) if e.is_host => h,
                (_, Some(c)) if c.index == i => c.original.as_str(),
                _ => req.headers.get(i).map_or("", |(_, v)| v),
            });
            text.push_str(written(e, style));
            text.push(':');
            if self.values_not_trimmed || self.spaces_not_folded {
                for (k, v) in values.enumerate() {
                    if k > 0 {
                        text.push(',');
                    }
                    if self.values_not_trimmed {
                        text.push(' ');
                    }
                    if self.spaces_not_folded {
                        text.push_str(v.trim());
                    } else {
                        push_canonical_header_value(&mut text, [v]);
                    }
                }
            } else {
                push_canonical_header_value(&mut text, values);
            }
            text.push('\n');
        }
        let signed_line = claimed_line.unwrap_or_else(|| join_names(&lines));
        (text, signed_line)
    }

    /// The hashed payload of this recipe's first variant, as computed without the
    /// `x-amz-content-sha256` header (what a client puts in that header).
    pub(crate) fn client_payload_hash(
        &self,
        req: &SignableRequest<'_>,
        claim: &Claim,
        settings: &SigningSettings,
    ) -> String {
        let view = SignableRequest { headers: crate::sigv4::Headers::EMPTY, ..*req };
        self.payload_variants(&view, claim, settings).into_iter().next().map(|v| v.0).unwrap_or_default()
    }

    pub(crate) fn payload_variants(
        &self,
        req: &SignableRequest<'_>,
        claim: &Claim,
        settings: &SigningSettings,
    ) -> Vec<(String, Option<String>)> {
        match self.payload {
            PayloadKnob::AsServer => vec![(claim.server_hashed_payload(req, settings), None)],
            PayloadKnob::EmptyBody => vec![(sha256_hex(b""), None)],
            PayloadKnob::Unsigned => vec![(UNSIGNED_PAYLOAD.to_owned(), None)],
            PayloadKnob::BeforeTransformation => {
                claim.body_variant_hashes(req).iter().map(|(hash, what)| (hash.clone(), Some(what.clone()))).collect()
            }
        }
    }

    /// The orders to derive the signing key in (date, region, service as 0, 1, 2), each
    /// with a detail when it is one of several.
    pub(crate) fn key_orders(&self) -> Vec<([usize; 3], Option<String>)> {
        if !self.key_wrong_order {
            return vec![([0, 1, 2], None)];
        }
        let names = ["date", "region", "service"];
        [[0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]]
            .into_iter()
            .map(|o| (o, Some(format!("signing key derived in the order {}", o.map(|i| names[i]).join(", ")))))
            .collect()
    }

    /// How many key orders [`Recipe::key_orders`] gives.
    pub(crate) fn key_orders_tried(&self) -> usize {
        if self.key_wrong_order {
            5
        } else {
            1
        }
    }

    /// Whether kDate is keyed with `"AWS4" + secret` (the right way).
    pub(crate) fn aws4_prefix(&self) -> bool {
        !self.no_aws4_prefix
    }

    /// Whether the signature is written in uppercase hex.
    pub(crate) fn uppercase(&self) -> bool {
        self.uppercase
    }

    /// What [`Recipe::scope`] depends on.
    pub(crate) fn scope_key(&self) -> (DateKnob, bool, bool) {
        (self.date, self.claimed_region, self.claimed_service)
    }

    /// What [`Recipe::uri`] depends on: the encoding and the normalisation flipped or not.
    pub(crate) fn uri_flips(&self) -> (bool, bool) {
        (self.flip_uri_encoding, self.flip_normalization)
    }

    /// What [`Recipe::query`] depends on.
    pub(crate) fn query_key(&self) -> (bool, QueryEncoding) {
        (self.query_not_sorted, self.query_encoding)
    }

    /// What [`Recipe::header_variants`] depends on.
    pub(crate) fn header_key(&self) -> HeaderKey {
        HeaderKey {
            host: self.host,
            changed: self.header_changed,
            names_not_lowercased: self.names_not_lowercased,
            values_not_trimmed: self.values_not_trimmed,
            spaces_not_folded: self.spaces_not_folded,
            not_sorted: self.headers_not_sorted,
        }
    }

    /// What [`Recipe::payload_variants`] depends on.
    pub(crate) fn payload_knob(&self) -> PayloadKnob {
        self.payload
    }

    /// The string to sign's time and the credential scope this recipe signs with.
    pub(crate) fn scope(
        &self,
        req: &SignableRequest<'_>,
        claim: &Claim,
        policy: &crate::sigv4::VerifyPolicy<'_>,
    ) -> Scope {
        let (request_time, date) = match self.date {
            DateKnob::Correct => (claim.raw_date.clone(), claim.raw_date[..8].to_owned()),
            DateKnob::ClaimedScopeDate => (claim.raw_date.clone(), claim.scope.date.clone()),
            DateKnob::DateHeader => {
                let d = req.header("date").and_then(date_header_as_amz).unwrap_or_else(|| claim.raw_date.clone());
                let day = d[..8].to_owned();
                (d, day)
            }
        };
        let pick = |claimed: bool, expected: Option<&str>, from_claim: &str| match (claimed, expected) {
            (false, Some(e)) => e.to_owned(),
            _ => from_claim.to_owned(),
        };
        let region = pick(self.claimed_region, policy.expected_region, &claim.scope.region);
        let service = pick(self.claimed_service, policy.expected_service, &claim.scope.service);
        Scope { request_time, date, region, service }
    }

    /// The first variant (the only one for the correct recipe): the first header lines,
    /// payload hash and key order. The search (`search.rs`) goes through every variant, in
    /// the same order, from the same components.
    pub(crate) fn first(
        &self,
        req: &SignableRequest<'_>,
        claim: &Claim,
        policy: &crate::sigv4::VerifyPolicy<'_>,
        secret: &SecretKey,
    ) -> Option<Computed> {
        let settings = &policy.settings;
        let scope = self.scope(req, claim, policy);
        let uri = self.uri(req, settings);
        let query = self.query(req, &excluded_query(claim, settings));
        let (order, _) = self.key_orders().into_iter().next()?;
        let key = scope.derive_key(secret, self.aws4_prefix(), order);
        let (headers, signed, _) = self.header_variants(req, claim).into_iter().next()?;
        let (hash, _) = self.payload_variants(req, claim, settings).into_iter().next()?;
        let creq = format!("{}\n{uri}\n{query}\n{headers}\n{signed}\n{hash}", req.method);
        let sts = format!("{ALGORITHM}\n{}\n{}\n{}", scope.request_time, scope.text(), sha256_hex(creq.as_bytes()));
        let mut signature = hmac_raw(HmacAlgorithm::Sha256, key.as_bytes(), sts.as_bytes()).to_hex();
        if self.uppercase {
            signature.make_ascii_uppercase();
        }
        Some(Computed { canonical_request: creq, string_to_sign: sts, signature })
    }
}

/// A signed name as written in `style`.
fn written(e: &SignedName, style: NameStyle) -> &str {
    match style {
        NameStyle::AsClaimed => e.claimed.as_str(),
        NameStyle::AsSent => e.as_sent.as_str(),
        NameStyle::TitleCase => e.title.as_str(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NameStyle {
    AsClaimed,
    AsSent,
    TitleCase,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineOrder {
    /// The order of the claimed signed headers (sorted, when the client sorted them).
    Claimed,
    /// Sorted by the names as written (uppercase sorts before lowercase).
    ByWrittenName,
    /// The order the headers were sent in, signed-headers line too.
    Sent,
    /// Header lines in sent order, the signed-headers line as claimed.
    SentSignedSorted,
}

/// `content-type` → `Content-Type`.
fn title_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = true;
    for c in name.chars() {
        out.push(if upper { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() });
        upper = c == '-';
    }
    out
}

/// The claimed signed names in the order their headers were sent.
fn sent_order(req: &SignableRequest<'_>, signed: &[String]) -> Vec<String> {
    let mut names = signed.to_vec();
    names.sort_by_key(|n| req.headers.iter().position(|(h, _)| h.eq_ignore_ascii_case(n)));
    names
}

/// A plausible original value of one received header (what a proxy or HTTP library
/// changed after signing).
#[derive(Debug, Clone)]
pub(crate) struct Rewrite {
    /// Index into the request's headers.
    pub(crate) index: usize,
    /// The value before the change.
    pub(crate) original: String,
    pub(crate) detail: String,
}

/// The reversible rewrites seen in practice: a `charset` parameter added to
/// `Content-Type` (requests-aws4auth issue #71: the library adds one; Postman issue #3232:
/// HTTP stacks inject content types), the charset's letter case changed (Jetty turns
/// `charset=utf-8` into `charset=UTF-8`: jetty.project issue #9674, gaul/s3proxy issue
/// #392), and an element appended to a list-valued header (`Via`, `X-Forwarded-For`,
/// RFC 9110 §5.3 and §7.6.3).
pub(crate) fn rewrites(req: &SignableRequest<'_>, signed: &[String]) -> Vec<Rewrite> {
    let mut out = Vec::new();
    for (index, (name, value)) in req.headers.iter().enumerate() {
        if !signed.iter().any(|s| s.eq_ignore_ascii_case(name))
            || NOT_REWRITTEN.iter().any(|n| n.eq_ignore_ascii_case(name))
        {
            continue;
        }
        let mut originals: Vec<String> = Vec::new();
        if let Some(stripped) = strip_charset(value) {
            originals.push(stripped);
            originals.extend(recase_charset(value));
        }
        if let Some((head, _)) = value.rsplit_once(',') {
            originals.push(head.trim_end().to_owned());
        }
        for original in originals {
            let detail = format!(
                "signed header '{}' changed after signing: the client signed '{original}', the server received '{value}'",
                name.to_ascii_lowercase()
            );
            out.push(Rewrite { index, original, detail });
        }
    }
    out.truncate(MAX_VARIANTS / 4);
    out
}

/// The value with its charset name in the other letter case (`UTF-8` ↔ `utf-8`).
fn recase_charset(value: &str) -> Option<String> {
    let at = value.to_ascii_lowercase().find("charset=")? + "charset=".len();
    let end = value[at..].find(';').map_or(value.len(), |e| at + e);
    let name = &value[at..end];
    let other = if name.bytes().any(|b| b.is_ascii_uppercase()) {
        name.to_ascii_lowercase()
    } else {
        name.to_ascii_uppercase()
    };
    (other != name).then(|| format!("{}{other}{}", &value[..at], &value[end..]))
}

/// The value without its `charset=` parameter, when it has one.
fn strip_charset(value: &str) -> Option<String> {
    let lower = value.to_ascii_lowercase();
    let at = lower.find("charset=")?;
    let start = lower[..at].rfind(';')?;
    let end = lower[at..].find(';').map_or(value.len(), |e| at + e);
    let mut out = value[..start].trim_end().to_owned();
    out.push_str(&value[end..]);
    Some(out)
}

/// The host without a trailing `:port` (IPv6 literals keep their brackets).
pub(crate) fn strip_port(host: &str) -> &str {
    match host.rsplit_once(':') {
        Some((h, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) && !h.ends_with(':') => {
            if h.starts_with('[') && !h.ends_with(']') {
                host
            } else {
                h
            }
        }
        _ => host,
    }
}

/// The bodies the client may have hashed before the sent body came about, with what
/// happened; empty when the payload is not the body's bytes.
fn body_variants(req: &SignableRequest<'_>) -> Vec<(Vec<u8>, String)> {
    let Payload::Bytes(body) = req.payload else { return Vec::new() };
    let mut out: Vec<(Vec<u8>, String)> = vec![
        (
            [body, b"\n"].concat(),
            "a trailing newline was stripped after hashing (curl --data @file strips newlines)".into(),
        ),
        ([body, b"\r\n"].concat(), "a trailing CRLF was stripped after hashing".into()),
    ];
    if let Some(b) = body.strip_suffix(b"\n") {
        out.push((b.to_vec(), "a trailing newline was added after hashing".into()));
    }
    let text = String::from_utf8_lossy(body);
    if text.contains("\r\n") {
        out.push((text.replace("\r\n", "\n").into_bytes(), "line ends were converted to CRLF after hashing".into()));
    } else if text.contains('\n') {
        out.push((text.replace('\n', "\r\n").into_bytes(), "line ends were converted to LF after hashing".into()));
    }
    let gzipped = req.header("content-encoding").is_some_and(|e| e.to_ascii_lowercase().contains("gzip"));
    if gzipped {
        let mut plain = Vec::new();
        let limit = 16 * 1024 * 1024;
        if flate2::read::GzDecoder::new(body).take(limit).read_to_end(&mut plain).is_ok() {
            out.push((plain, "the body was gzip-compressed after hashing".into()));
        }
    }
    out.retain(|(b, _)| b.as_slice() != body);
    out
}

/// The query parameters the canonical query leaves out.
pub(crate) fn excluded_query(claim: &Claim, settings: &SigningSettings) -> Vec<&'static str> {
    match claim.location {
        SignatureLocation::Headers => Vec::new(),
        SignatureLocation::QueryParams if settings.session_token == SessionTokenMode::Exclude => {
            vec![X_AMZ_SIGNATURE, X_AMZ_SECURITY_TOKEN]
        }
        SignatureLocation::QueryParams => vec![X_AMZ_SIGNATURE],
    }
}

fn query_text(query: &ParamList) -> impl Iterator<Item = &str> {
    query.iter().flat_map(|p| [p.name.as_str(), p.value.as_str()])
}

fn query_unsorted_differs(query: &ParamList, excluded: &[&str]) -> bool {
    let sent: Vec<(String, String)> = query
        .iter()
        .filter(|p| !excluded.contains(&p.name.as_str()))
        .map(|p| (encode(p.name.as_bytes()), encode(p.value.as_bytes())))
        .collect();
    sent.windows(2).any(|w| w[0] > w[1])
}

/// kDate → kRegion → kService → kSigning over `parts` in the given order.
fn derive_key(secret: &SecretKey, aws4_prefix: bool, parts: [&str; 3]) -> MacBytes {
    let k = if aws4_prefix {
        hmac(HmacAlgorithm::Sha256, &secret.map_bytes(|s| [b"AWS4".as_slice(), s].concat()), parts[0].as_bytes())
    } else {
        hmac(HmacAlgorithm::Sha256, secret, parts[0].as_bytes())
    };
    let k = hmac_raw(HmacAlgorithm::Sha256, k.as_bytes(), parts[1].as_bytes());
    let k = hmac_raw(HmacAlgorithm::Sha256, k.as_bytes(), parts[2].as_bytes());
    hmac_raw(HmacAlgorithm::Sha256, k.as_bytes(), SCOPE_TERMINATOR.as_bytes())
}

/// When the signature matches but `x-amz-content-sha256` is not the body's hash: the
/// payload mistake whose body hashes to the claimed value, if one does.
pub(crate) fn payload_claim_finding(req: &SignableRequest<'_>, claim: &Claim, right: &Computed) -> Option<Finding> {
    let Payload::Bytes(body) = req.payload else { return None };
    let claimed = req.header(X_AMZ_CONTENT_SHA256)?.trim();
    if claimed.len() != 64 || claimed == claim.memo.body.get_or_init(|| sha256_hex(body)) {
        return None;
    }
    let finding = |mistake, detail: Option<String>| Finding {
        mistakes: vec![mistake],
        detail,
        client_canonical_request: Some(right.canonical_request.clone()),
        client_string_to_sign: right.string_to_sign.clone(),
    };
    if claimed == sha256_hex(b"") {
        return Some(finding(PAYLOAD_HASH_OF_EMPTY_BODY, None));
    }
    claim
        .body_variant_hashes(req)
        .iter()
        .find(|(hash, _)| hash == claimed)
        .map(|(_, what)| finding(PAYLOAD_HASH_BEFORE_TRANSFORMATION, Some(what.clone())))
}
