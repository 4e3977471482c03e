//! [`RecipeV4`]: the SigV4 signing process with knobs. The correct recipe computes what
//! [`crate::sigv4::verify`] computes for a received request; each [`MistakeV4`] turns one
//! knob. A recipe gives every variant a mistake can take (which port was added, which
//! header a proxy changed and how, which key order), each as the canonical request, the
//! string to sign and the signature. Everything here is pure.

use super::{FindingV4, MistakeV4};
use crate::crypto::{hmac, hmac_raw, sha256_hex, HmacAlgorithm, MacBytes, SecretKey};
use crate::encoding::{encode, ParamList};
use crate::sigv4::{
    canonical_header_value, canonical_query_string, canonical_uri, parse_amz_date, parse_authorization,
    parse_credential, parse_signed_headers, request_hashed_payload, CredentialScope, ParseAmzDateError,
    ParseAuthorizationError, ParseCredentialError, PathNormalization, Payload, PresignedPayload, SessionTokenMode,
    SignableRequest, SignatureLocation, SigningSettings, UriEncoding, VerifyPolicyV4, ALGORITHM, AUTHORIZATION,
    SCOPE_TERMINATOR, UNSIGNED_PAYLOAD, X_AMZ_ALGORITHM, X_AMZ_CONTENT_SHA256, X_AMZ_CREDENTIAL, X_AMZ_DATE,
    X_AMZ_SECURITY_TOKEN, X_AMZ_SIGNATURE, X_AMZ_SIGNED_HEADERS,
};
use std::cell::OnceCell;
use std::io::Read;

/// Most variants one recipe may try (bounds the work per request).
const MAX_VARIANTS: usize = 64;

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
    /// as [`super::DiagnosisV4::problem`] shows it.
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
    pub(crate) detail: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HostKnob {
    AsSent,
    PortDropped,
    PortAdded,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QueryEncoding {
    Correct,
    NotEncoded,
    PlusForSpace,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PayloadKnob {
    AsServer,
    EmptyBody,
    BeforeTransformation,
    Unsigned,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DateKnob {
    Correct,
    ClaimedScopeDate,
    DateHeader,
}

/// The SigV4 process with every knob a known mistake turns.
// Each bool is one independent mistake's knob; any combination is a valid recipe.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RecipeV4 {
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

impl RecipeV4 {
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
    /// anything for this request.
    pub(crate) fn with(
        &self,
        mistakes: &[MistakeV4],
        req: &SignableRequest<'_>,
        claim: &Claim,
        policy: &VerifyPolicyV4<'_>,
    ) -> Option<RecipeV4> {
        let mut r = self.clone();
        let settings = &policy.settings;
        let server_hash = claim.server_hashed_payload(req, settings);
        let signed_values =
            || req.headers.iter().filter(|(n, _)| claim.signed_headers.iter().any(|s| s.eq_ignore_ascii_case(n)));
        let host = req.header("host").unwrap_or_default();
        for m in mistakes {
            match m {
                MistakeV4::WrongScopeDate if claim.scope.date != claim.raw_date[..8] => {
                    r.date = DateKnob::ClaimedScopeDate;
                }
                MistakeV4::WrongRegion if policy.expected_region.is_some_and(|e| e != claim.scope.region) => {
                    r.claimed_region = true;
                }
                MistakeV4::WrongService if policy.expected_service.is_some_and(|e| e != claim.scope.service) => {
                    r.claimed_service = true;
                }
                MistakeV4::DateHeaderUsed
                    if claim.location == SignatureLocation::Headers
                        && req.header("date").and_then(date_header_as_amz).is_some_and(|d| d != claim.raw_date) =>
                {
                    r.date = DateKnob::DateHeader;
                }
                MistakeV4::HeaderNamesNotLowercased => r.names_not_lowercased = true,
                MistakeV4::HeaderValuesNotTrimmed if signed_values().next().is_some() => r.values_not_trimmed = true,
                MistakeV4::HeaderSpacesNotFolded
                    if signed_values().any(|(_, v)| canonical_header_value([v.as_str()]) != v.trim()) =>
                {
                    r.spaces_not_folded = true;
                }
                MistakeV4::HeadersNotSorted if sent_order(req, &claim.signed_headers) != claim.signed_headers => {
                    r.headers_not_sorted = true;
                }
                MistakeV4::SignedHeaderChanged if !rewrites(req, &claim.signed_headers).is_empty() => {
                    r.header_changed = true;
                }
                MistakeV4::HostPortDropped if strip_port(host) != host => r.host = HostKnob::PortDropped,
                MistakeV4::HostPortAdded if !host.is_empty() && strip_port(host) == host => {
                    r.host = HostKnob::PortAdded;
                }
                MistakeV4::QueryNotSorted if query_unsorted_differs(req.query, &excluded_query(claim, settings)) => {
                    r.query_not_sorted = true;
                }
                MistakeV4::QueryNotEncoded if query_text(req.query).any(|t| encode(t.as_bytes()) != t) => {
                    r.query_encoding = QueryEncoding::NotEncoded;
                }
                MistakeV4::QuerySpaceAsPlus if query_text(req.query).any(|t| t.contains(' ')) => {
                    r.query_encoding = QueryEncoding::PlusForSpace;
                }
                MistakeV4::PathDoubleEncoded | MistakeV4::PathNotDoubleEncoded => {
                    let wanted =
                        if *m == MistakeV4::PathDoubleEncoded { UriEncoding::Single } else { UriEncoding::Double };
                    let flipped = RecipeV4 { flip_uri_encoding: true, ..r.clone() };
                    if settings.uri_encoding != wanted || flipped.uri(req, settings) == r.uri(req, settings) {
                        return None;
                    }
                    r = flipped;
                }
                MistakeV4::PathNotNormalized | MistakeV4::PathNormalized => {
                    let wanted = if *m == MistakeV4::PathNotNormalized {
                        PathNormalization::Normalize
                    } else {
                        PathNormalization::AsIs
                    };
                    let flipped = RecipeV4 { flip_normalization: true, ..r.clone() };
                    if settings.path_normalization != wanted || flipped.uri(req, settings) == r.uri(req, settings) {
                        return None;
                    }
                    r = flipped;
                }
                MistakeV4::PayloadHashOfEmptyBody if server_hash != sha256_hex(b"") => {
                    r.payload = PayloadKnob::EmptyBody;
                }
                MistakeV4::PayloadHashBeforeTransformation if !claim.body_variant_hashes(req).is_empty() => {
                    r.payload = PayloadKnob::BeforeTransformation;
                }
                MistakeV4::UnsignedPayloadNotAllowed if server_hash != UNSIGNED_PAYLOAD => {
                    r.payload = PayloadKnob::Unsigned;
                }
                MistakeV4::SecretWithoutAws4Prefix => r.no_aws4_prefix = true,
                MistakeV4::SigningKeyWrongOrder => r.key_wrong_order = true,
                MistakeV4::SignatureUppercaseHex => r.uppercase = true,
                _ => return None,
            }
        }
        Some(r)
    }

    fn uri(&self, req: &SignableRequest<'_>, settings: &SigningSettings) -> String {
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

    fn query(&self, req: &SignableRequest<'_>, excluded: &[&str]) -> String {
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
    fn header_variants(&self, req: &SignableRequest<'_>, claim: &Claim) -> Vec<(String, String, Option<String>)> {
        let host = req.header("host").unwrap_or_default();
        let hosts: Vec<Option<String>> = match self.host {
            HostKnob::AsSent => vec![None],
            HostKnob::PortDropped => vec![Some(strip_port(host).to_owned())],
            HostKnob::PortAdded => vec![Some(format!("{host}:443")), Some(format!("{host}:80"))],
        };
        let changes: Vec<Option<Rewrite>> = if self.header_changed {
            rewrites(req, &claim.signed_headers).into_iter().map(Some).collect()
        } else {
            vec![None]
        };
        let name_styles: &[NameStyle] = if self.names_not_lowercased {
            &[NameStyle::AsSent, NameStyle::TitleCase]
        } else {
            &[NameStyle::AsClaimed]
        };
        let orders: &[LineOrder] = match (self.headers_not_sorted, self.names_not_lowercased) {
            (true, _) => &[LineOrder::SentSignedSorted, LineOrder::Sent],
            (false, true) => &[LineOrder::Claimed, LineOrder::ByWrittenName],
            (false, false) => &[LineOrder::Claimed],
        };
        let mut out: Vec<(String, String, Option<String>)> = Vec::new();
        for h in &hosts {
            for c in &changes {
                for style in name_styles {
                    for order in orders {
                        let v = self.headers_text(req, claim, h.as_deref(), c.as_ref(), *style, *order);
                        let detail = c.as_ref().map(|c| c.detail.clone());
                        if out.len() < MAX_VARIANTS && !out.iter().any(|o| o.0 == v.0 && o.1 == v.1) {
                            out.push((v.0, v.1, detail));
                        }
                    }
                }
            }
        }
        out
    }

    fn headers_text(
        &self,
        req: &SignableRequest<'_>,
        claim: &Claim,
        host: Option<&str>,
        change: Option<&Rewrite>,
        style: NameStyle,
        order: LineOrder,
    ) -> (String, String) {
        let mut lines: Vec<(String, String)> = Vec::new();
        for name in &claim.signed_headers {
            let mut values: Vec<&str> = Vec::new();
            for (i, (n, v)) in req.headers.iter().enumerate() {
                if !n.eq_ignore_ascii_case(name) {
                    continue;
                }
                values.push(match (host, change) {
                    (Some(h), _) if name.eq_ignore_ascii_case("host") => h,
                    (_, Some(c)) if c.index == i => &c.original,
                    _ => v,
                });
            }
            let value = if self.values_not_trimmed || self.spaces_not_folded {
                let one = |v: &str| {
                    let v = if self.spaces_not_folded { v.trim().to_owned() } else { canonical_header_value([v]) };
                    if self.values_not_trimmed {
                        format!(" {v}")
                    } else {
                        v
                    }
                };
                values.iter().map(|v| one(v)).collect::<Vec<_>>().join(",")
            } else {
                canonical_header_value(values)
            };
            let written = match style {
                NameStyle::AsClaimed => name.clone(),
                NameStyle::AsSent => req
                    .headers
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(name))
                    .map_or_else(|| name.clone(), |(n, _)| n.clone()),
                NameStyle::TitleCase => title_case(name),
            };
            lines.push((written, value));
        }
        let claimed_line = lines.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(";");
        match order {
            LineOrder::Claimed => {}
            LineOrder::ByWrittenName => lines.sort_by(|a, b| a.0.cmp(&b.0)),
            LineOrder::Sent | LineOrder::SentSignedSorted => {
                let first = |name: &str| req.headers.iter().position(|(n, _)| n.eq_ignore_ascii_case(name));
                lines.sort_by_key(|(n, _)| first(n));
            }
        }
        let mut text = String::new();
        for (n, v) in &lines {
            text.push_str(n);
            text.push(':');
            text.push_str(v);
            text.push('\n');
        }
        let signed_line = match order {
            LineOrder::SentSignedSorted => claimed_line,
            _ => lines.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(";"),
        };
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
        let view = SignableRequest { headers: &[], ..*req };
        self.payload_variants(&view, claim, settings).into_iter().next().map(|v| v.0).unwrap_or_default()
    }

    fn payload_variants(
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

    /// The signing keys to try, each with a detail when it is one of several.
    fn keys(&self, secret: &SecretKey, date: &str, region: &str, service: &str) -> Vec<(MacBytes, Option<String>)> {
        let orders: Vec<([&str; 3], Option<String>)> = if self.key_wrong_order {
            let parts = [("date", date), ("region", region), ("service", service)];
            [[0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]]
                .iter()
                .map(|o| {
                    let names: Vec<&str> = o.iter().map(|&i| parts[i].0).collect();
                    (
                        [parts[o[0]].1, parts[o[1]].1, parts[o[2]].1],
                        Some(format!("signing key derived in the order {}", names.join(", "))),
                    )
                })
                .collect()
        } else {
            vec![([date, region, service], None)]
        };
        orders.into_iter().map(|(parts, detail)| (derive_key(secret, !self.no_aws4_prefix, parts), detail)).collect()
    }

    /// Every variant this recipe produces for `req`, at most [`MAX_VARIANTS`].
    pub(crate) fn candidates(
        &self,
        req: &SignableRequest<'_>,
        claim: &Claim,
        policy: &VerifyPolicyV4<'_>,
        secret: &SecretKey,
    ) -> Vec<Computed> {
        let settings = &policy.settings;
        let (request_time, scope_date) = match self.date {
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
        let scope = format!("{scope_date}/{region}/{service}/{SCOPE_TERMINATOR}");
        let uri = self.uri(req, settings);
        let query = self.query(req, &excluded_query(claim, settings));
        let keys = self.keys(secret, &scope_date, &region, &service);
        let mut out = Vec::new();
        for (headers, signed, header_detail) in self.header_variants(req, claim) {
            for (hash, payload_detail) in self.payload_variants(req, claim, settings) {
                let creq = format!("{}\n{uri}\n{query}\n{headers}\n{signed}\n{hash}", req.method);
                let sts = format!("{ALGORITHM}\n{request_time}\n{scope}\n{}", sha256_hex(creq.as_bytes()));
                for (key, key_detail) in &keys {
                    let mut signature = hmac_raw(HmacAlgorithm::Sha256, key.as_bytes(), sts.as_bytes()).to_hex();
                    if self.uppercase {
                        signature.make_ascii_uppercase();
                    }
                    let details: Vec<&str> = [&header_detail, &payload_detail, key_detail]
                        .into_iter()
                        .flatten()
                        .map(String::as_str)
                        .collect();
                    out.push(Computed {
                        canonical_request: creq.clone(),
                        string_to_sign: sts.clone(),
                        signature,
                        detail: (!details.is_empty()).then(|| details.join("; ")),
                    });
                    if out.len() >= MAX_VARIANTS {
                        return out;
                    }
                }
            }
        }
        out
    }

    /// The first variant (the only one for the correct recipe).
    pub(crate) fn first(
        &self,
        req: &SignableRequest<'_>,
        claim: &Claim,
        policy: &VerifyPolicyV4<'_>,
        secret: &SecretKey,
    ) -> Option<Computed> {
        self.candidates(req, claim, policy, secret).into_iter().next()
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
pub(crate) fn payload_claim_finding(req: &SignableRequest<'_>, claim: &Claim, right: &Computed) -> Option<FindingV4> {
    let Payload::Bytes(body) = req.payload else { return None };
    let claimed = req.header(X_AMZ_CONTENT_SHA256)?.trim();
    if claimed.len() != 64 || claimed == claim.memo.body.get_or_init(|| sha256_hex(body)) {
        return None;
    }
    let finding = |mistake, detail: Option<String>| FindingV4 {
        mistakes: vec![mistake],
        detail,
        client_canonical_request: right.canonical_request.clone(),
        client_string_to_sign: right.string_to_sign.clone(),
    };
    if claimed == sha256_hex(b"") {
        return Some(finding(MistakeV4::PayloadHashOfEmptyBody, None));
    }
    claim
        .body_variant_hashes(req)
        .iter()
        .find(|(hash, _)| hash == claimed)
        .map(|(_, what)| finding(MistakeV4::PayloadHashBeforeTransformation, Some(what.clone())))
}
