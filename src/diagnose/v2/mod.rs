//! The SigV2 catalogue (28 classic signer mistakes, each a knob of the SigV2 [`Recipe`]),
//! the search of one SigV2 request, and [`sign_with_mistakes`].
//!
//! The search (through [`super::diagnose`]) tries every single mistake and every
//! compatible pair; what makes it cheap, without changing what it finds (the tests compare
//! it with the unoptimised search on arbitrary requests):
//!
//! * the signature sent decides what can match at all: its length names the HMAC (20 or
//!   32 bytes), a space in it means only `signature-plus-not-encoded` can explain it (base64
//!   has no spaces), and a value that is no canonical base64 of either length matches
//!   nothing;
//! * the string to sign is assembled from components, each built once per distinct
//!   setting: the query knobs a request cannot feel turned back first (no `~` in it: the
//!   tilde knob changes nothing, whatever else is turned), the parameters encoded once per
//!   encoding (equal encodings shared), sorted once per encoding and sort order, each
//!   canonical query built once per distinct sequence of parameters, the host line once
//!   per host rule;
//! * each distinct string to sign is signed once per key (the secret, and the variants a
//!   secret mistake tries), with an HMAC keyed once and kept with its state after each
//!   64-byte block of the right string to sign: a candidate that shares the right one's
//!   first blocks (a change late in the query) resumes there.

mod recipe;

pub use recipe::Recipe;

use super::{intern, Budget, Diagnosis, FastMap, Hit, Meter, Mistake, SchemeId, Step};
use crate::crypto::{base64_decode, base64_encode, HmacAlgorithm, KeyedMac, MacBytes, PrefixMac, SecretKey};
use crate::request::RequestView;
use crate::sigv2::{self, SignatureMethod};
use recipe::{Facts, HostRule, Knob, QueryRule, Relevance, SecretRule, SortRule};
use std::hash::BuildHasherDefault;
use std::rc::Rc;

const ENCODING: Step = Step::new("encoding", "Step 1, canonical query: percent-encoding of names and values");
const SORTING: Step = Step::new("sorting", "Step 1, canonical query: parameters sorted by name, in byte order");
const PARAMETERS: Step = Step::new("parameters", "Step 1, canonical query: which parameters are signed");
const HOST: Step = Step::new("host", "Step 2, string to sign: the host line");
const PATH: Step = Step::new("path", "Step 2, string to sign: the HTTPRequestURI line");
const METHOD: Step = Step::new("method", "Step 2, string to sign: the HTTPVerb line");
const ALGORITHM: Step = Step::new("algorithm", "Step 3, signature: the HMAC SignatureMethod names");
const LAYOUT: Step = Step::new("layout", "Step 2, string to sign: lines joined with '\\n'");
const SECRET: Step = Step::new("secret", "Step 3, signature: the key (the secret access key)");
const BODY: Step = Step::new("body", "Step 1, canonical query: built from the form body's parameters");
const TRANSPORT: Step = Step::new("transport", "Step 4, adding the signature: URL-encoded ('+' as '%2B')");

catalogue! {
    scheme: SchemeId::V2Query, knob: Knob;
    /// Space encoded as `+` (form encoding) instead of `%20`.
    SPACE_AS_PLUS = "space-as-plus", ENCODING, Knob::SpaceAsPlus, excludes [],
        "spaces were encoded as '+' instead of '%20'";
    /// `~` encoded as `%7E` although it is unreserved (Java `URLEncoder`, Python 2 `quote`).
    TILDE_ENCODED = "tilde-encoded", ENCODING, Knob::TildeEncoded, excludes [],
        "'~' was encoded as '%7E' although it is unreserved";
    /// `*`, `!`, `'`, `(`, `)` left unencoded (JavaScript `encodeURIComponent`, Perl
    /// `URI::Escape`).
    SUB_DELIMS_BARE = "sub-delims-bare", ENCODING, Knob::SubDelimsBare, excludes [SUB_DELIMS_LOWERCASE_HEX],
        "'*', '!', ''', '(' or ')' were left unencoded (encodeURIComponent / RFC 2396 style)";
    /// Lowercase hex in escapes (`%2c` instead of `%2C`; C# `HttpUtility.UrlEncode`).
    LOWERCASE_HEX = "lowercase-hex", ENCODING, Knob::LowercaseHex, excludes [],
        "percent-escapes used lowercase hex ('%2c' instead of '%2C')";
    /// `!'()*` escaped by hand after `encodeURIComponent` with lowercase hex
    /// (`'%' + c.charCodeAt(0).toString(16)`: `*` becomes `%2a`; seen in the npm
    /// `amazon-product-api` package, clients/FINDINGS.md F1).
    SUB_DELIMS_LOWERCASE_HEX = "sub-delims-lowercase-hex", ENCODING, Knob::SubDelimsLowercaseHex, excludes [],
        "'!', quote, '(', ')' and '*' were escaped by hand with lowercase hex ('*' as '%2a')";
    /// Names and values encoded twice (`%` became `%25`).
    DOUBLE_ENCODING = "double-encoding", ENCODING, Knob::DoubleEncoding, excludes [],
        "names and values were percent-encoded twice";
    /// Names left unencoded (only values encoded), in the string to sign and on the wire;
    /// the names are sorted as written. bottlenose `_quote_query`, python-amazon-mws
    /// `calc_request_description`, amazon-product-api `generateQueryString`
    /// (clients/FINDINGS.md F9). Felt only by a name outside letters, digits, `-_.~`.
    NAMES_NOT_ENCODED = "names-not-encoded", ENCODING, Knob::NamesNotEncoded, excludes [],
        "parameter names were not percent-encoded (only values were)";
    /// Sorted by the decoded names instead of the encoded ones.
    SORTED_DECODED_NAMES = "sorted-decoded-names", SORTING, Knob::Sort(SortRule::ByDecodedName), excludes [],
        "parameters were sorted by decoded instead of encoded names";
    /// Sorted case-insensitively instead of by byte order.
    CASE_INSENSITIVE_SORT = "case-insensitive-sort", SORTING, Knob::Sort(SortRule::CaseInsensitive), excludes [],
        "parameters were sorted case-insensitively instead of by byte order";
    /// Sorted whole `name=value` strings (PHP `sort($pairs)`): `Id.10=` before `Id.1=`.
    SORTED_PAIRS = "sorted-name-value-pairs", SORTING, Knob::Sort(SortRule::ByPair), excludes [],
        "whole 'name=value' strings were sorted instead of names";
    /// Parameters not sorted (signed in the order sent).
    NOT_SORTED = "not-sorted", SORTING, Knob::Sort(SortRule::None), excludes [],
        "parameters were not sorted";
    /// An empty `Signature=` parameter was in the map when signing.
    SIGNATURE_PARAM_INCLUDED = "signature-param-included", PARAMETERS, Knob::SignatureParam, excludes [],
        "an empty 'Signature=' parameter was included in the string to sign";
    /// Parameters with empty values left out of the string to sign.
    EMPTY_PARAMS_DROPPED = "empty-params-dropped", PARAMETERS, Knob::DropEmpty, excludes [EMPTY_PARAMS_WITHOUT_EQUALS],
        "parameters with empty values were left out of the string to sign";
    /// Empty values written as `name` instead of `name=`.
    EMPTY_PARAMS_WITHOUT_EQUALS = "empty-params-without-equals", PARAMETERS, Knob::EmptyWithoutEquals, excludes [],
        "empty values were written as 'name' instead of 'name='";
    /// The string was signed before `Timestamp` was added.
    TIMESTAMP_NOT_SIGNED = "timestamp-not-signed", PARAMETERS, Knob::DropTimestamp, excludes [],
        "the string was signed before the Timestamp parameter was added";
    /// The port was dropped from the host line (what MWS client libraries do).
    HOST_PORT_DROPPED = "host-port-dropped", HOST, Knob::Host(HostRule::PortDropped), excludes [],
        "the port was dropped from the host line";
    /// The scheme's default port (`:443` or `:80`) was written in the host line.
    HOST_DEFAULT_PORT_ADDED = "host-default-port-added", HOST, Knob::Host(HostRule::DefaultPortAdded), excludes [],
        "the default port (:443 or :80) was written in the host line";
    /// The host line was not lowercased.
    HOST_NOT_LOWERCASED = "host-not-lowercased", HOST, Knob::Host(HostRule::AsSent), excludes [],
        "the host line was not lowercased (signed as written)";
    /// The scheme was written in the host line (`http://127.0.0.1:8080`; python-amazon-mws
    /// with an `http://` domain, clients/FINDINGS.md F6).
    HOST_WITH_SCHEME = "host-with-scheme", HOST, Knob::Host(HostRule::WithScheme), excludes [],
        "the scheme (http:// or https://) was written in the host line";
    /// An empty path was signed as empty instead of `/`.
    EMPTY_PATH_NOT_SLASH = "empty-path-not-slash", PATH, Knob::EmptyPath, excludes [],
        "an empty path was signed as '' instead of '/'";
    /// Signed as GET but sent as POST, or the reverse.
    WRONG_METHOD = "wrong-method", METHOD, Knob::WrongMethod, excludes [],
        "the request was signed with another HTTP method than it was sent with";
    /// Signed with HmacSHA1 while declaring HmacSHA256.
    SHA1_INSTEAD_OF_SHA256 = "sha1-instead-of-sha256", ALGORITHM, Knob::Algorithm(HmacAlgorithm::Sha1), excludes [],
        "signed with HmacSHA1 while SignatureMethod says HmacSHA256";
    /// Signed with HmacSHA256 while declaring HmacSHA1.
    SHA256_INSTEAD_OF_SHA1 = "sha256-instead-of-sha1", ALGORITHM, Knob::Algorithm(HmacAlgorithm::Sha256), excludes [],
        "signed with HmacSHA256 while SignatureMethod says HmacSHA1";
    /// Lines of the string to sign joined with `\r\n`.
    CRLF_LINE_ENDS = "crlf-line-ends", LAYOUT, Knob::Crlf, excludes [],
        "the string to sign used '\\r\\n' line ends";
    /// The secret had a trailing newline (read from a file without trimming).
    SECRET_TRAILING_NEWLINE = "secret-trailing-newline", SECRET, Knob::Secret(SecretRule::TrailingNewline), excludes [],
        "the secret key had a trailing newline";
    /// The secret had a leading or trailing space.
    SECRET_WITH_SPACES = "secret-with-spaces", SECRET, Knob::Secret(SecretRule::Spaces), excludes [],
        "the secret key had a leading or trailing space";
    /// The form body was signed as it was sent (raw, unsorted) instead of canonicalised.
    RAW_FORM_BODY_SIGNED = "raw-form-body-signed", BODY, Knob::RawBody, excludes [],
        "the form body was signed as sent instead of canonicalised";
    /// The `+` in the signature was not percent-encoded and arrived as a space.
    SIGNATURE_PLUS_NOT_ENCODED = "signature-plus-not-encoded", TRANSPORT, Knob::Transport, excludes [],
        "'+' in the Signature was not percent-encoded and arrived as a space";
}

/// SigV2 for the search.
pub(crate) struct SigV2;

impl super::Scheme for SigV2 {
    type Knob = Knob;

    fn catalogue() -> &'static [super::Row<Knob>] {
        &CATALOGUE
    }
}

/// The `Signature` value a client that makes `mistakes` would send for `req` (which must
/// not carry a `Signature` yet), or `None` when a mistake cannot apply to `req` (or is not
/// a SigV2 mistake).
pub fn sign_with_mistakes(
    req: &RequestView<'_>,
    secret: &SecretKey,
    default_method: SignatureMethod,
    mistakes: &[Mistake],
) -> Option<String> {
    let recipe = Recipe::correct(default_method).with(mistakes, req)?;
    let sig = recipe.signatures(req, secret, &recipe.string_to_sign(req)).swap_remove(0);
    if recipe.transport() {
        if !sig.contains('+') {
            return None;
        }
        return Some(sig.replace('+', " "));
    }
    Some(sig)
}

/// Finds the mistakes that reproduce the signature `req` carries, given the secret of its
/// access key. `default_method` is what a request without `SignatureMethod` means.
pub(crate) fn diagnose(
    req: &RequestView<'_>,
    secret: &SecretKey,
    default_method: SignatureMethod,
    budget: Budget,
) -> Diagnosis {
    let correct = Recipe::correct(default_method);
    let correct_string_to_sign = correct.string_to_sign(req);
    let mut meter = Meter::new(budget);
    let sent = req.params.get(sigv2::SIGNATURE_PARAM).unwrap_or_default();
    let method = req.params.get("SignatureMethod").and_then(|m| m.parse().ok()).unwrap_or(default_method);
    let signature_matches = !sent.is_empty()
        && crate::crypto::constant_time_eq(sigv2::sign(req, method, secret).signature.as_bytes(), sent.as_bytes());
    let findings = match Target::of(sent) {
        Some(target) => {
            let mut search = Search::new(req, secret, correct, &correct_string_to_sign, target);
            super::search(&mut search, &mut meter)
        }
        // No candidate can give what was sent: nothing to try.
        None => Vec::new(),
    };
    Diagnosis {
        scheme: SchemeId::V2Query,
        correct_canonical_request: None,
        correct_string_to_sign,
        signature_matches: signature_matches && findings.is_empty(),
        findings,
        problem: None,
        budget_exhausted: meter.exhausted(),
    }
}

/// The MAC a candidate must have to give the signature sent.
#[derive(Debug, Clone, Copy)]
struct Target {
    mac: MacBytes,
    /// The `+`s of the signature arrived as spaces: only the transport mistake explains it.
    transport: bool,
}

impl Target {
    /// `None` when no HMAC can give `sent`: not the canonical base64 of 20 or 32 bytes
    /// (after the spaces are read back as `+`), or spaces and `+` mixed.
    fn of(sent: &str) -> Option<Target> {
        let transport = sent.contains(' ');
        if transport && sent.contains('+') {
            return None;
        }
        let text = if transport { sent.replace(' ', "+") } else { sent.to_owned() };
        let bytes = base64_decode(&text)?;
        if ![20, 32].contains(&bytes.len()) {
            return None;
        }
        (base64_encode(&bytes) == text).then(|| Target { mac: MacBytes::from_slice(&bytes), transport })
    }
}

/// Which string to sign: the component ids it is assembled from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct StsKey {
    wrong_method: bool,
    host: u8,
    empty_path: bool,
    query: u32,
    crlf: bool,
}

impl StsKey {
    /// The key, an algorithm and a key variant as one memo key.
    fn signed(self, alg: HmacAlgorithm, variant: usize) -> u64 {
        u64::from(self.query)
            | u64::from(self.host) << 32
            | u64::from(self.wrong_method) << 40
            | u64::from(self.empty_path) << 41
            | u64::from(self.crlf) << 42
            | u64::from(alg == HmacAlgorithm::Sha1) << 43
            | (variant as u64) << 44
    }
}

/// A canonical query, by what determines it: the encoded parameters (an interned list)
/// and the sequence of parameters joined, or the raw parameters in sent order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum QueryKey {
    Encoded { list: u32, order: Vec<u32>, empty_without_equals: bool },
    Raw { order: Vec<u32> },
}

/// One SigV2 request being diagnosed, with everything built so far.
struct Search<'a> {
    req: &'a RequestView<'a>,
    facts: Facts,
    relevance: Relevance,
    secret: &'a SecretKey,
    correct: Recipe,
    correct_sts: &'a str,
    target: Target,
    /// Encoded (name, value) of every parameter plus the `Signature=` placeholder, one
    /// list per distinct result, and which list each encoding gives.
    lists: Vec<recipe::Encoded<'a>>,
    list_of: FastMap<recipe::Encoding, u32>,
    /// Every parameter's index (and the placeholder's) in the order of a list and sort.
    sorted: FastMap<(u32, SortRule), Vec<u32>>,
    /// Canonical queries: by rule, by what determines them, and the texts.
    query_of: FastMap<u32, u32>,
    query_ids: FastMap<QueryKey, u32>,
    queries: Vec<String>,
    /// Host lines: by rule (one or two variants), and the texts.
    host_of: FastMap<HostRule, Rc<[u8]>>,
    hosts: Vec<String>,
    /// Keyed HMACs by algorithm and key variant, each with its states along the right
    /// string to sign (candidates that change only the end of the query share its first
    /// blocks).
    macs: FastMap<(HmacAlgorithm, usize), PrefixMac>,
    /// Whether a string to sign under a key gives the target.
    tried: FastMap<u64, bool>,
    /// The string to sign being signed.
    buffer: Vec<u8>,
}

impl<'a> Search<'a> {
    fn new(
        req: &'a RequestView<'a>,
        secret: &'a SecretKey,
        correct: Recipe,
        correct_sts: &'a str,
        target: Target,
    ) -> Self {
        Self {
            req,
            facts: Facts::of(req, correct.default_method()),
            relevance: Relevance::of(req),
            secret,
            correct,
            correct_sts,
            target,
            lists: Vec::new(),
            list_of: FastMap::default(),
            sorted: FastMap::default(),
            query_of: FastMap::with_capacity_and_hasher(256, BuildHasherDefault::default()),
            query_ids: FastMap::with_capacity_and_hasher(128, BuildHasherDefault::default()),
            queries: Vec::new(),
            host_of: FastMap::default(),
            hosts: Vec::new(),
            macs: FastMap::default(),
            tried: FastMap::with_capacity_and_hasher(512, BuildHasherDefault::default()),
            buffer: Vec::new(),
        }
    }

    /// The id of the encoded parameter list of `encoding`.
    fn list(&mut self, encoding: recipe::Encoding, meter: &mut Meter) -> Option<u32> {
        if let Some(&id) = self.list_of.get(&encoding) {
            return Some(id);
        }
        let list = encoding.encode_all(self.req);
        if !meter.build(list.iter().map(|(n, v)| n.len() + v.len()).sum()) {
            return None;
        }
        let id = intern(&mut self.lists, list);
        self.list_of.insert(encoding, id);
        Some(id)
    }

    /// The id of the canonical query of `rule`.
    fn query(&mut self, rule: QueryRule, meter: &mut Meter) -> Option<u32> {
        if let Some(&id) = self.query_of.get(&rule.bits()) {
            return Some(id);
        }
        let n = self.req.params.len();
        let key = if rule.raw_body {
            QueryKey::Raw { order: (0..n).filter(|&i| rule.signs(self.req, i)).map(index).collect() }
        } else {
            let list = self.list(rule.encoding, meter)?;
            let (req, lists) = (self.req, &self.lists);
            let sorted = self.sorted.entry((list, rule.sort)).or_insert_with(|| {
                recipe::sort_order(rule.sort, req, &lists[list as usize]).into_iter().map(index).collect()
            });
            let order: Vec<u32> = sorted.iter().copied().filter(|&i| rule.signs(req, i as usize)).collect();
            let encoded = &lists[list as usize];
            let empty_without_equals =
                rule.empty_without_equals && order.iter().any(|&i| encoded[i as usize].1.is_empty());
            QueryKey::Encoded { list, order, empty_without_equals }
        };
        let id = if let Some(&id) = self.query_ids.get(&key) {
            id
        } else {
            let text = match &key {
                QueryKey::Raw { order } => recipe::raw_query(self.req, order.iter().map(|&i| i as usize)),
                QueryKey::Encoded { list, order, empty_without_equals } => recipe::join_query(
                    &self.lists[*list as usize],
                    order.iter().map(|&i| i as usize),
                    *empty_without_equals,
                ),
            };
            if !meter.build(text.len()) {
                return None;
            }
            self.queries.push(text);
            let id = u32::try_from(self.queries.len() - 1).ok()?;
            self.query_ids.insert(key, id);
            id
        };
        self.query_of.insert(rule.bits(), id);
        Some(id)
    }

    /// The ids of the host lines of `rule`.
    fn host_lines(&mut self, rule: HostRule) -> Rc<[u8]> {
        if let Some(ids) = self.host_of.get(&rule) {
            return Rc::clone(ids);
        }
        let mut ids = Vec::new();
        for line in recipe::host_lines(rule, self.req) {
            ids.push(u8::try_from(intern(&mut self.hosts, line)).unwrap_or(u8::MAX));
        }
        let ids: Rc<[u8]> = ids.into();
        self.host_of.insert(rule, Rc::clone(&ids));
        ids
    }

    /// The string to sign `key` stands for, as its parts.
    fn parts(&self, key: StsKey) -> [&str; 7] {
        let nl = if key.crlf { "\r\n" } else { "\n" };
        let method = recipe::method_line(key.wrong_method, self.req.method);
        let path = recipe::path_line(key.empty_path, self.req.path);
        let host = self.hosts[usize::from(key.host)].as_str();
        [method, nl, host, nl, path, nl, self.queries[key.query as usize].as_str()]
    }

    /// Whether the string to sign `key` under key variant `variant` gives the target.
    fn reproduces(&mut self, key: StsKey, alg: HmacAlgorithm, variant: usize, meter: &mut Meter) -> Option<bool> {
        let slot = key.signed(alg, variant);
        if let Some(&hit) = self.tried.get(&slot) {
            return Some(hit);
        }
        let mut buffer = std::mem::take(&mut self.buffer);
        buffer.clear();
        for part in self.parts(key) {
            buffer.extend_from_slice(part.as_bytes());
        }
        if !meter.hash(buffer.len()) {
            return None;
        }
        if !self.macs.contains_key(&(alg, variant)) {
            if !meter.hash(self.correct_sts.len()) {
                return None;
            }
            let keyed = KeyedMac::new(alg, &secret_variant(self.secret, variant));
            self.macs.insert((alg, variant), PrefixMac::new(keyed, self.correct_sts.as_bytes().to_vec()));
        }
        let hit = self.macs[&(alg, variant)].mac(&buffer).ct_matches(&self.target.mac);
        self.buffer = buffer;
        self.tried.insert(slot, hit);
        Some(hit)
    }
}

/// A parameter index as stored in the memo keys.
fn index(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// Key variant `i` of the five the SigV2 recipes sign with: the secret; with `\n`,
/// `\r\n`, a trailing space, a leading space.
fn secret_variant(secret: &SecretKey, i: usize) -> SecretKey {
    match i {
        1 => secret.map_bytes(|s| [s, b"\n"].concat()),
        2 => secret.map_bytes(|s| [s, b"\r\n"].concat()),
        3 => secret.map_bytes(|s| [s, b" "].concat()),
        4 => secret.map_bytes(|s| [b" ", s].concat()),
        _ => secret.clone(),
    }
}

/// The key variants a secret rule signs with, in [`Recipe::signatures`]'s order.
fn key_variants(rule: SecretRule) -> &'static [usize] {
    match rule {
        SecretRule::AsIs => &[0],
        SecretRule::TrailingNewline => &[1, 2],
        SecretRule::Spaces => &[3, 4],
    }
}

impl super::Search for Search<'_> {
    type Scheme = SigV2;

    fn try_set(&mut self, knobs: &[Knob], meter: &mut Meter) -> Option<Hit> {
        let recipe = self.correct.apply(knobs, self.req, self.facts)?;
        if recipe.transport() != self.target.transport {
            return None;
        }
        let alg = recipe.hmac(self.facts);
        if alg.mac_len() != self.target.mac.as_bytes().len() {
            return None;
        }
        let query = self.query(recipe.query_rule().normalized(self.relevance), meter)?;
        for &host in self.host_lines(recipe.host_rule()).iter() {
            let key = StsKey {
                wrong_method: recipe.wrong_method(),
                host,
                empty_path: recipe.empty_path(),
                query,
                crlf: recipe.crlf(),
            };
            let mut hit = false;
            for &variant in key_variants(recipe.secret_rule()) {
                if self.reproduces(key, alg, variant, meter)? {
                    hit = true;
                    break;
                }
            }
            if !hit {
                continue;
            }
            let sts = self.parts(key).concat();
            let changes_something = sts != self.correct_sts
                || recipe.algorithm().is_some()
                || recipe.changes_secret()
                || recipe.transport();
            if changes_something {
                return Some(Hit { detail: None, client_canonical_request: None, client_string_to_sign: sts });
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_and_constants_agree() {
        for (i, row) in CATALOGUE.iter().enumerate() {
            assert_eq!(row.mistake, ALL[i]);
            assert_eq!(row.mistake.id(), row.id);
            assert_eq!(Mistake::from_id(row.id), Some(row.mistake));
        }
        assert_eq!(SPACE_AS_PLUS.id(), "space-as-plus");
        assert_eq!(SORTED_PAIRS.id(), "sorted-name-value-pairs");
        assert_eq!(SIGNATURE_PLUS_NOT_ENCODED.id(), "signature-plus-not-encoded");
    }

    #[test]
    fn only_the_exclusive_steps_and_the_contradictions_keep_mistakes_apart() {
        // The rule before the table: one mistake per sort order, host line, HMAC, key and
        // body; the two ways of escaping sub-delims and of treating empty values contradict.
        let exclusive = [SORTING, HOST, ALGORITHM, SECRET, BODY];
        let contradictory =
            [(SUB_DELIMS_BARE, SUB_DELIMS_LOWERCASE_HEX), (EMPTY_PARAMS_DROPPED, EMPTY_PARAMS_WITHOUT_EQUALS)];
        for a in ALL {
            for b in ALL {
                let apart = a == b
                    || (a.step() == b.step() && exclusive.contains(&a.step()))
                    || contradictory.contains(&(a, b))
                    || contradictory.contains(&(b, a));
                assert_eq!(a.combines_with(b), !apart, "{a} + {b}");
            }
        }
        // 28 singles; of the 378 pairs, 43 fall in an exclusive step or contradict.
        assert_eq!(super::super::candidate_sets(SchemeId::V2Query).len(), 28 + 335 + 27);
    }

    #[test]
    fn targets_are_what_an_hmac_can_give() {
        let sha256 = base64_encode(&[0xfb; 32]);
        assert!(sha256.contains('+'));
        assert!(Target::of(&sha256).is_some_and(|t| !t.transport));
        assert!(Target::of(&sha256.replace('+', " ")).is_some_and(|t| t.transport));
        assert!(Target::of(&base64_encode(&[1; 20])).is_some());
        assert!(Target::of(&base64_encode(&[1; 31])).is_none(), "no HMAC is 31 bytes");
        assert!(Target::of("not base64!").is_none());
        assert!(Target::of("").is_none());
        let mut mixed = sha256.clone();
        mixed.push(' ');
        assert!(Target::of(&mixed).is_none());
        // A non-canonical encoding of the right bytes is not what the client's encoder wrote.
        let canonical = base64_encode(&[1; 20]);
        assert!(canonical.ends_with("E="));
        let loose = canonical.replace("E=", "F=");
        assert!(Target::of(&loose).is_none(), "trailing bits set");
    }
}
