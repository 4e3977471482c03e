//! The search of one SigV4 request: every candidate set's variants (header lines × payload
//! hash × key order, at most [`MAX_VARIANTS`], in that order), with each component built
//! once. The canonical request a variant gives is hashed once per distinct (URI, query,
//! header lines, payload hash), resuming from the right canonical request's state where it
//! shares its first blocks; each signing key is derived once per (scope, prefix, order)
//! and kept as an HMAC keyed and with the scope's first block of the string to sign
//! absorbed; each string to sign is signed once per key.

use super::recipe::{
    excluded_query, Claim, Computed, DateKnob, Facts, HeaderKey, HeaderTable, Knob, PayloadKnob, QueryEncoding, Recipe,
    Scope, MAX_VARIANTS,
};
use crate::crypto::{HmacAlgorithm, KeyedMac, MacBytes, PrefixSha256, SecretKey};
use crate::diagnose::{intern, FastMap, Hit, Meter};
use crate::sigv4::{SignableRequest, ALGORITHM};
use std::hash::BuildHasherDefault;
use std::rc::Rc;

/// A canonical request by its component ids: URI flips, query, header lines, payload hash.
type CreqKey = (u8, u32, u32, u32);

/// One scope, with the start of its string to sign.
struct ScopeEntry {
    scope: Scope,
    /// `AWS4-HMAC-SHA256\n<time>\n<scope>\n`.
    sts_prefix: String,
}

/// Variants of one component: (id, detail).
type Variants = Rc<[(u32, Option<Rc<str>>)]>;

/// One SigV4 request being diagnosed, with everything built so far.
pub(super) struct Search<'a> {
    req: &'a SignableRequest<'a>,
    claim: &'a Claim,
    policy: &'a crate::sigv4::VerifyPolicy<'a>,
    secret: &'a SecretKey,
    facts: Facts,
    table: HeaderTable,
    correct: Recipe,
    right_string_to_sign: &'a str,
    excluded: Vec<&'static str>,
    /// The signature sent, as bytes, when it is 64 lowercase (or uppercase) hex digits.
    lower: Option<MacBytes>,
    upper: Option<MacBytes>,
    scope_of: FastMap<(DateKnob, bool, bool), u32>,
    scopes: Vec<ScopeEntry>,
    query_of: FastMap<(bool, QueryEncoding), u32>,
    queries: Vec<String>,
    headers_of: FastMap<HeaderKey, Variants>,
    header_ids: FastMap<(String, String), u32>,
    headers: Vec<(String, String)>,
    payloads_of: FastMap<PayloadKnob, Variants>,
    payloads: Vec<String>,
    /// The keys of a scope, a prefix choice and whether every order is tried.
    keys_of: FastMap<(u32, bool, bool), Variants>,
    /// Each signing key as an HMAC with its scope's first block of the string to sign
    /// absorbed, and what is left of that start.
    keys: Vec<(KeyedMac, usize)>,
    /// The right canonical request's hash states (candidates share its first blocks).
    creq_hasher: PrefixSha256,
    /// The hex SHA-256 of each canonical request hashed.
    hashes: FastMap<CreqKey, [u8; 64]>,
    /// Whether a string to sign (scope, canonical request) under a key gives the signature.
    tried: FastMap<(u32, CreqKey, u32), bool>,
    /// The canonical request being hashed.
    buffer: Vec<u8>,
}

impl<'a> Search<'a> {
    /// The search of `req`, whose right computation is `right`; `None` when no candidate
    /// can write the signature sent (not 64 hex digits, or upper and lower case mixed).
    pub(super) fn new(
        req: &'a SignableRequest<'a>,
        claim: &'a Claim,
        policy: &'a crate::sigv4::VerifyPolicy<'a>,
        secret: &'a SecretKey,
        right: &'a Computed,
        meter: &mut Meter,
    ) -> Option<Self> {
        let sent = claim.signature.as_bytes();
        let digits = sent.len() == 64 && sent.iter().all(u8::is_ascii_hexdigit);
        let lower = (digits && !sent.iter().any(u8::is_ascii_uppercase)).then(|| decode_hex(sent));
        let upper = (digits && !sent.iter().any(u8::is_ascii_lowercase)).then(|| decode_hex(sent));
        if lower.is_none() && upper.is_none() {
            return None;
        }
        // The body's plausible originals are hashed once, when the budget can pay for them.
        let body = match req.payload {
            crate::sigv4::Payload::Bytes(b) => b.len(),
            _ => 0,
        };
        let body_variants = meter.try_hash(body.saturating_mul(6));
        Some(Self {
            req,
            claim,
            policy,
            secret,
            facts: Facts::of(req, claim, policy, body_variants),
            table: HeaderTable::of(req, claim),
            correct: Recipe::correct(),
            right_string_to_sign: &right.string_to_sign,
            excluded: excluded_query(claim, &policy.settings),
            lower,
            upper,
            scope_of: FastMap::default(),
            scopes: Vec::new(),
            query_of: FastMap::default(),
            queries: Vec::new(),
            headers_of: FastMap::with_capacity_and_hasher(64, BuildHasherDefault::default()),
            header_ids: FastMap::with_capacity_and_hasher(128, BuildHasherDefault::default()),
            headers: Vec::new(),
            payloads_of: FastMap::default(),
            payloads: Vec::new(),
            keys_of: FastMap::default(),
            keys: Vec::new(),
            creq_hasher: PrefixSha256::new(right.canonical_request.as_bytes().to_vec()),
            hashes: FastMap::with_capacity_and_hasher(256, BuildHasherDefault::default()),
            tried: FastMap::with_capacity_and_hasher(512, BuildHasherDefault::default()),
            buffer: Vec::new(),
        })
    }

    fn scope(&mut self, r: &Recipe) -> u32 {
        if let Some(&id) = self.scope_of.get(&r.scope_key()) {
            return id;
        }
        let scope = r.scope(self.req, self.claim, self.policy);
        let sts_prefix = format!("{ALGORITHM}\n{}\n{}\n", scope.request_time, scope.text());
        self.scopes.push(ScopeEntry { scope, sts_prefix });
        let id = last(&self.scopes);
        self.scope_of.insert(r.scope_key(), id);
        id
    }

    fn query(&mut self, r: &Recipe, meter: &mut Meter) -> Option<u32> {
        if let Some(&id) = self.query_of.get(&r.query_key()) {
            return Some(id);
        }
        let text = r.query(self.req, &self.excluded);
        if !meter.build(text.len()) {
            return None;
        }
        let id = intern(&mut self.queries, text);
        self.query_of.insert(r.query_key(), id);
        Some(id)
    }

    fn header_variants(&mut self, r: &Recipe, meter: &mut Meter) -> Option<Variants> {
        if let Some(v) = self.headers_of.get(&r.header_key()) {
            return Some(Rc::clone(v));
        }
        let mut out = Vec::new();
        for (text, signed, detail) in r.header_variants_in(&self.table, self.req) {
            if !meter.build(text.len() + signed.len()) {
                return None;
            }
            let key = (text, signed);
            let id = if let Some(&id) = self.header_ids.get(&key) {
                id
            } else {
                self.headers.push(key.clone());
                let id = last(&self.headers);
                self.header_ids.insert(key, id);
                id
            };
            out.push((id, detail.map(Rc::from)));
        }
        let out: Variants = out.into();
        self.headers_of.insert(r.header_key(), Rc::clone(&out));
        Some(out)
    }

    fn payload_variants(&mut self, r: &Recipe) -> Variants {
        if let Some(v) = self.payloads_of.get(&r.payload_knob()) {
            return Rc::clone(v);
        }
        let mut out = Vec::new();
        for (hash, detail) in r.payload_variants(self.req, self.claim, &self.policy.settings) {
            let id = intern(&mut self.payloads, hash);
            out.push((id, detail.map(Rc::from)));
        }
        let out: Variants = out.into();
        self.payloads_of.insert(r.payload_knob(), Rc::clone(&out));
        out
    }

    /// The signing keys `r` tries in `scope`, in order.
    fn keys(&mut self, r: &Recipe, scope: u32, meter: &mut Meter) -> Option<Variants> {
        let slot = (scope, r.aws4_prefix(), r.key_orders_tried() > 1);
        if let Some(v) = self.keys_of.get(&slot) {
            return Some(Rc::clone(v));
        }
        let entry = &self.scopes[scope as usize];
        let start = entry.sts_prefix.len().min(64);
        let mut out = Vec::new();
        for (order, detail) in r.key_orders() {
            // Four HMACs of short messages, and the first block of the string to sign.
            if !meter.hash(5 * 64) {
                return None;
            }
            let key = entry.scope.derive_key(self.secret, r.aws4_prefix(), order);
            let keyed = KeyedMac::from_raw(HmacAlgorithm::Sha256, key.as_bytes());
            self.keys.push((keyed.absorb(&entry.sts_prefix.as_bytes()[..start]), start));
            out.push((last(&self.keys), detail.map(Rc::from)));
        }
        let out: Variants = out.into();
        self.keys_of.insert(slot, Rc::clone(&out));
        Some(out)
    }

    /// The canonical request `key` stands for, as its parts.
    fn creq_parts(&self, key: CreqKey) -> [&str; 11] {
        let (headers, signed) = &self.headers[key.2 as usize];
        [
            self.req.method,
            "\n",
            self.facts.uri(key.0 & 1 != 0, key.0 & 2 != 0),
            "\n",
            &self.queries[key.1 as usize],
            "\n",
            headers,
            "\n",
            signed,
            "\n",
            &self.payloads[key.3 as usize],
        ]
    }

    fn creq_hash(&mut self, key: CreqKey, meter: &mut Meter) -> Option<()> {
        if !self.hashes.contains_key(&key) {
            let mut buffer = std::mem::take(&mut self.buffer);
            buffer.clear();
            for part in self.creq_parts(key) {
                buffer.extend_from_slice(part.as_bytes());
            }
            if !meter.hash(buffer.len()) {
                return None;
            }
            let hash = hex64(&self.creq_hasher.digest(&buffer));
            self.buffer = buffer;
            self.hashes.insert(key, hash);
        }
        Some(())
    }

    /// Whether the string to sign of `scope` and `creq` under `key` gives `target`.
    fn reproduces(
        &mut self,
        scope: u32,
        creq: CreqKey,
        key: u32,
        target: &MacBytes,
        meter: &mut Meter,
    ) -> Option<bool> {
        if let Some(&hit) = self.tried.get(&(scope, creq, key)) {
            return Some(hit);
        }
        let (keyed, start) = &self.keys[key as usize];
        let rest = &self.scopes[scope as usize].sts_prefix.as_bytes()[*start..];
        let hash = self.hashes.get(&creq)?;
        if !meter.hash(rest.len() + hash.len()) {
            return None;
        }
        let hit = keyed.mac(&[rest, hash]).ct_matches(target);
        self.tried.insert((scope, creq, key), hit);
        Some(hit)
    }
}

impl crate::diagnose::Search for Search<'_> {
    type Scheme = super::SigV4;

    fn try_set(&mut self, knobs: &[Knob], meter: &mut Meter) -> Option<Hit> {
        let r = self.correct.apply(knobs, &self.facts, &self.policy.settings)?;
        let target = if r.uppercase() { self.upper } else { self.lower }?;
        let scope = self.scope(&r);
        let (flip_encoding, flip_normalization) = r.uri_flips();
        let uri = u8::from(flip_encoding) | (u8::from(flip_normalization) << 1);
        let query = self.query(&r, meter)?;
        let headers = self.header_variants(&r, meter)?;
        let payloads = self.payload_variants(&r);
        let keys = self.keys(&r, scope, meter)?;
        let mut tried = 0;
        for (h, header_detail) in headers.iter() {
            for (p, payload_detail) in payloads.iter() {
                let creq = (uri, query, *h, *p);
                self.creq_hash(creq, meter)?;
                for (k, key_detail) in keys.iter() {
                    tried += 1;
                    if tried > MAX_VARIANTS {
                        return None;
                    }
                    if !self.reproduces(scope, creq, *k, &target, meter)? {
                        continue;
                    }
                    let canonical_request = self.creq_parts(creq).concat();
                    let hash = String::from_utf8_lossy(&self.hashes[&creq]);
                    let string_to_sign = format!("{}{hash}", self.scopes[scope as usize].sts_prefix);
                    // An unchanged string to sign under the right key is the right signature,
                    // which is not the one sent (the search runs only then).
                    if string_to_sign == self.right_string_to_sign && !r.changes_key_or_form() {
                        continue;
                    }
                    let details: Vec<&str> =
                        [header_detail, payload_detail, key_detail].into_iter().flatten().map(|d| &**d).collect();
                    return Some(Hit {
                        detail: (!details.is_empty()).then(|| details.join("; ")),
                        client_canonical_request: Some(canonical_request),
                        client_string_to_sign: string_to_sign,
                    });
                }
            }
        }
        None
    }
}

/// The index of the last element pushed.
fn last<T>(v: &[T]) -> u32 {
    u32::try_from(v.len() - 1).unwrap_or(u32::MAX)
}

/// Lowercase hex of a SHA-256.
fn hex64(digest: &[u8; 32]) -> [u8; 64] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; 64];
    for (i, b) in digest.iter().enumerate() {
        out[2 * i] = DIGITS[usize::from(b >> 4)];
        out[2 * i + 1] = DIGITS[usize::from(b & 15)];
    }
    out
}

/// 64 hex digits (checked by the caller) as 32 bytes.
fn decode_hex(digits: &[u8]) -> MacBytes {
    let value = |d: u8| match d {
        b'0'..=b'9' => d - b'0',
        b'a'..=b'f' => d - b'a' + 10,
        _ => d - b'A' + 10,
    };
    let mut out = [0u8; 32];
    for (i, pair) in digits.chunks_exact(2).enumerate() {
        out[i] = value(pair[0]) << 4 | value(pair[1]);
    }
    MacBytes::from_slice(&out)
}
