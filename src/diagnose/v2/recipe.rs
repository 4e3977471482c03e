//! A [`Recipe`] is the SigV2 signing process with knobs: the correct recipe reproduces
//! `sigv2::sign`, and each catalogue row's [`Knob`] turns one. The string to sign is
//! assembled from components (method, host, path and query lines) that the search builds
//! once each; the functions that build them are the ones [`Recipe::strings_to_sign`] uses.
//! Everything here is pure.

use super::{Mistake, SchemeId, CATALOGUE};
use crate::crypto::{hmac, HmacAlgorithm, SecretKey};
use crate::encoding::is_unreserved;
use crate::request::RequestView;
use crate::sigv2::{self, SignatureMethod};
use std::borrow::Cow;

/// The order the canonical query's parameters are in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum SortRule {
    ByEncodedName,
    None,
    CaseInsensitive,
    ByDecodedName,
    ByPair,
}

/// The host line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum HostRule {
    Canonical,
    PortDropped,
    DefaultPortAdded,
    AsSent,
    WithScheme,
}

/// The key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum SecretRule {
    AsIs,
    TrailingNewline,
    Spaces,
}

/// What a catalogue row turns. A variant is one knob: rows with the same variant (two
/// sort orders, two host lines) cannot combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Knob {
    SpaceAsPlus,
    TildeEncoded,
    SubDelimsBare,
    LowercaseHex,
    SubDelimsLowercaseHex,
    DoubleEncoding,
    NamesNotEncoded,
    Sort(SortRule),
    SignatureParam,
    DropEmpty,
    EmptyWithoutEquals,
    DropTimestamp,
    Host(HostRule),
    EmptyPath,
    WrongMethod,
    Algorithm(HmacAlgorithm),
    Crlf,
    Secret(SecretRule),
    RawBody,
    /// The signature's `+` lost on the way (the recipe signs as usual).
    Transport,
}

/// How names and values are percent-encoded.
// Each bool is one independent mistake's knob; any combination is a valid encoding.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub(crate) struct Encoding {
    space_plus: bool,
    tilde_encoded: bool,
    sub_delims_bare: bool,
    sub_delims_lowercase: bool,
    lowercase_hex: bool,
    double: bool,
    /// Names written as they are (decoded text), only values encoded.
    names_raw: bool,
}

/// Everything the canonical query depends on.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct QueryRule {
    pub(crate) encoding: Encoding,
    pub(crate) sort: SortRule,
    pub(crate) signature_param: bool,
    pub(crate) drop_empty: bool,
    pub(crate) empty_without_equals: bool,
    pub(crate) drop_timestamp: bool,
    pub(crate) raw_body: bool,
}

/// What the knobs' applicability depends on, read from the request once.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, Copy)]
pub(crate) struct Facts {
    declared: SignatureMethod,
    host_has_port: bool,
    port_is_default: bool,
    has_timestamp: bool,
    host_has_uppercase: bool,
}

impl Facts {
    pub(crate) fn of(req: &RequestView<'_>, default_method: SignatureMethod) -> Self {
        let default_port = format!(":{}", req.scheme.default_port());
        Self {
            declared: req.params.get("SignatureMethod").and_then(|m| m.parse().ok()).unwrap_or(default_method),
            host_has_port: sigv2::host_without_port(req.host) != req.host,
            port_is_default: req.host.ends_with(&default_port),
            has_timestamp: req.params.get("Timestamp").is_some(),
            host_has_uppercase: req.host.bytes().any(|b| b.is_ascii_uppercase()),
        }
    }
}

/// The SigV2 process with every knob a known mistake turns.
// Each bool is one independent mistake's knob; grouping them into enums would hide that
// any combination of them is a valid recipe.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipe {
    default_method: SignatureMethod,
    query: QueryRule,
    host: HostRule,
    empty_path: bool,
    wrong_method: bool,
    algorithm: Option<HmacAlgorithm>,
    crlf: bool,
    secret: SecretRule,
    transport: bool,
}

impl Recipe {
    /// The correct process (what `sigv2::sign` does).
    pub fn correct(default_method: SignatureMethod) -> Self {
        Self {
            default_method,
            query: QueryRule {
                encoding: Encoding::default(),
                sort: SortRule::ByEncodedName,
                signature_param: false,
                drop_empty: false,
                empty_without_equals: false,
                drop_timestamp: false,
                raw_body: false,
            },
            host: HostRule::Canonical,
            empty_path: false,
            wrong_method: false,
            algorithm: None,
            crlf: false,
            secret: SecretRule::AsIs,
            transport: false,
        }
    }

    /// This recipe with `mistakes` applied, or `None` when one cannot apply to `req`
    /// (e.g. dropping a port the Host header does not have, or a mistake of another
    /// scheme).
    pub fn with(&self, mistakes: &[Mistake], req: &RequestView<'_>) -> Option<Recipe> {
        let mut knobs = Vec::with_capacity(mistakes.len());
        for m in mistakes {
            if m.scheme() != SchemeId::V2Query {
                return None;
            }
            knobs.push(CATALOGUE.iter().find(|r| r.mistake == *m)?.knob);
        }
        self.apply(&knobs, req, Facts::of(req, self.default_method))
    }

    /// This recipe with `knobs` turned, or `None` when one cannot apply to the request
    /// `facts` describe.
    pub(crate) fn apply(&self, knobs: &[Knob], req: &RequestView<'_>, facts: Facts) -> Option<Recipe> {
        let mut r = self.clone();
        for knob in knobs {
            let e = &mut r.query.encoding;
            match *knob {
                Knob::SpaceAsPlus => e.space_plus = true,
                Knob::TildeEncoded => e.tilde_encoded = true,
                Knob::SubDelimsBare => e.sub_delims_bare = true,
                Knob::LowercaseHex => e.lowercase_hex = true,
                Knob::SubDelimsLowercaseHex => e.sub_delims_lowercase = true,
                Knob::DoubleEncoding => e.double = true,
                Knob::NamesNotEncoded => e.names_raw = true,
                Knob::Sort(rule) => r.query.sort = rule,
                Knob::SignatureParam => r.query.signature_param = true,
                Knob::DropEmpty => r.query.drop_empty = true,
                Knob::EmptyWithoutEquals => r.query.empty_without_equals = true,
                Knob::DropTimestamp if facts.has_timestamp => r.query.drop_timestamp = true,
                Knob::Host(rule @ HostRule::WithScheme) => r.host = rule,
                Knob::Host(rule @ HostRule::PortDropped) if facts.host_has_port => r.host = rule,
                Knob::Host(rule @ HostRule::DefaultPortAdded) if !facts.host_has_port || facts.port_is_default => {
                    r.host = rule;
                }
                Knob::Host(rule @ HostRule::AsSent) if facts.host_has_uppercase => r.host = rule,
                Knob::EmptyPath if matches!(req.path, "" | "/") => r.empty_path = true,
                Knob::WrongMethod if matches!(req.method, "GET" | "POST") => r.wrong_method = true,
                Knob::Algorithm(HmacAlgorithm::Sha1) if facts.declared == SignatureMethod::HmacSha256 => {
                    r.algorithm = Some(HmacAlgorithm::Sha1);
                }
                Knob::Algorithm(HmacAlgorithm::Sha256) if facts.declared == SignatureMethod::HmacSha1 => {
                    r.algorithm = Some(HmacAlgorithm::Sha256);
                }
                Knob::Crlf => r.crlf = true,
                Knob::Secret(rule) => r.secret = rule,
                Knob::RawBody if req.method == "POST" => r.query.raw_body = true,
                Knob::Transport => r.transport = true,
                _ => return None,
            }
        }
        Some(r)
    }

    pub(crate) fn default_method(&self) -> SignatureMethod {
        self.default_method
    }

    /// The HMAC this recipe signs with when the request declares `facts.declared`.
    pub(crate) fn hmac(&self, facts: Facts) -> HmacAlgorithm {
        self.algorithm.unwrap_or_else(|| facts.declared.algorithm())
    }

    /// The mistaken HMAC, when the recipe signs with another one than declared.
    pub fn algorithm(&self) -> Option<HmacAlgorithm> {
        self.algorithm
    }

    /// Whether the recipe signs with something other than the secret as given.
    pub fn changes_secret(&self) -> bool {
        self.secret != SecretRule::AsIs
    }

    /// Whether the signature's `+` is lost on the way (the transport mistake).
    pub(crate) fn transport(&self) -> bool {
        self.transport
    }

    pub(crate) fn query_rule(&self) -> QueryRule {
        self.query
    }

    pub(crate) fn host_rule(&self) -> HostRule {
        self.host
    }

    pub(crate) fn secret_rule(&self) -> SecretRule {
        self.secret
    }

    pub(crate) fn wrong_method(&self) -> bool {
        self.wrong_method
    }

    pub(crate) fn empty_path(&self) -> bool {
        self.empty_path
    }

    pub(crate) fn crlf(&self) -> bool {
        self.crlf
    }

    /// The string to sign (the first variant when a mistake has several).
    pub fn string_to_sign(&self, req: &RequestView<'_>) -> String {
        self.strings_to_sign(req).swap_remove(0)
    }

    /// Every string to sign this recipe can produce for `req` (several only when a mistake
    /// has variants, such as `:443` or `:80` for an added default port).
    pub fn strings_to_sign(&self, req: &RequestView<'_>) -> Vec<String> {
        let method = method_line(self.wrong_method, req.method);
        let path = path_line(self.empty_path, req.path);
        let query = self.query.build(req);
        let nl = if self.crlf { "\r\n" } else { "\n" };
        host_lines(self.host, req).into_iter().map(|h| [method, h.as_str(), path, query.as_str()].join(nl)).collect()
    }

    /// The base64 signatures of `string_to_sign` under every secret variant.
    pub fn signatures(&self, req: &RequestView<'_>, secret: &SecretKey, string_to_sign: &str) -> Vec<String> {
        let alg = self.hmac(Facts::of(req, self.default_method));
        super::key_variants(self.secret)
            .iter()
            .map(|&v| hmac(alg, &super::secret_variant(secret, v), string_to_sign.as_bytes()).to_base64())
            .collect()
    }
}

/// The method line.
pub(crate) fn method_line(wrong: bool, method: &str) -> &str {
    match (wrong, method) {
        (true, "GET") => "POST",
        (true, "POST") => "GET",
        (_, m) => m,
    }
}

/// The path line.
pub(crate) fn path_line(empty: bool, path: &str) -> &str {
    if empty {
        ""
    } else {
        sigv2::canonical_path(path)
    }
}

/// Every host line `rule` gives for `req`, in order.
pub(crate) fn host_lines(rule: HostRule, req: &RequestView<'_>) -> Vec<String> {
    let canonical = sigv2::canonical_host(req.host, req.scheme).into_owned();
    match rule {
        HostRule::Canonical => vec![canonical],
        HostRule::PortDropped => vec![sigv2::host_without_port(&canonical).to_owned()],
        HostRule::DefaultPortAdded => vec![format!("{canonical}:443"), format!("{canonical}:80")],
        HostRule::AsSent => vec![req.host.to_owned()],
        HostRule::WithScheme => vec![format!("http://{}", req.host), format!("https://{}", req.host)],
    }
}

/// Which query knobs can change anything for one request: a knob whose characters the
/// request does not have gives the canonical query it gives without the knob, whatever
/// the other knobs (see [`QueryRule::normalized`]).
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, Copy)]
pub(crate) struct Relevance {
    tilde: bool,
    sub_delims: bool,
    space: bool,
    empty_values: bool,
    /// A signed name has a character that some encoding changes (anything but letters,
    /// digits, '-', '_' and '.').
    odd_names: bool,
}

impl Relevance {
    pub(crate) fn of(req: &RequestView<'_>) -> Self {
        let signed = || req.params.iter().filter(|p| p.name != sigv2::SIGNATURE_PARAM);
        let has = |f: fn(u8) -> bool| signed().any(|p| p.name.bytes().chain(p.value.bytes()).any(f));
        Self {
            tilde: has(|b| b == b'~'),
            sub_delims: has(|b| matches!(b, b'*' | b'!' | b'\'' | b'(' | b')')),
            space: has(|b| b == b' '),
            empty_values: signed().any(|p| p.value.is_empty()),
            odd_names: signed().any(|p| !p.name.bytes().all(unchanged_by_every_encoding)),
        }
    }
}

impl QueryRule {
    /// This rule with the knobs that cannot change the canonical query of a request of
    /// `relevance` turned back: the memo key of the query it gives. Exact, because
    /// * no encoding step produces a `~`, a sub-delim or a space that was not in the text
    ///   (a second encoding pass sees only what the first produced), so the knobs that
    ///   treat those characters differently change nothing when the texts have none;
    /// * a name of letters, digits, '-', '_' and '.' comes out of every encoding as it
    ///   went in, so leaving names unencoded changes nothing when every name is one;
    /// * only parameters with empty values are dropped or written without `=`, and the
    ///   `Signature=` placeholder is the only other empty value;
    /// * the raw body is signed as sent: encoding, order and the placeholder do not apply.
    pub(crate) fn normalized(mut self, relevance: Relevance) -> QueryRule {
        let e = &mut self.encoding;
        e.tilde_encoded &= relevance.tilde;
        e.sub_delims_bare &= relevance.sub_delims;
        e.sub_delims_lowercase &= relevance.sub_delims;
        e.space_plus &= relevance.space;
        e.names_raw &= relevance.odd_names;
        self.drop_empty &= relevance.empty_values;
        self.empty_without_equals &= relevance.empty_values || self.signature_param;
        if self.raw_body {
            self.encoding = Encoding::default();
            self.sort = SortRule::ByEncodedName;
            self.signature_param = false;
            self.empty_without_equals = false;
        }
        self
    }

    /// The rule as 15 bits (a memo key).
    pub(crate) fn bits(&self) -> u32 {
        let e = self.encoding;
        let flags = [
            e.space_plus,
            e.tilde_encoded,
            e.sub_delims_bare,
            e.sub_delims_lowercase,
            e.lowercase_hex,
            e.double,
            e.names_raw,
            self.signature_param,
            self.drop_empty,
            self.empty_without_equals,
            self.drop_timestamp,
            self.raw_body,
        ];
        let sort = match self.sort {
            SortRule::ByEncodedName => 0,
            SortRule::None => 1,
            SortRule::CaseInsensitive => 2,
            SortRule::ByDecodedName => 3,
            SortRule::ByPair => 4,
        };
        flags.iter().enumerate().fold(sort << flags.len(), |acc, (i, &f)| acc | (u32::from(f) << i))
    }

    /// The canonical query of `req` under this rule.
    pub(crate) fn build(&self, req: &RequestView<'_>) -> String {
        let n = req.params.len();
        if self.raw_body {
            return raw_query(req, (0..n).filter(|&i| self.signs(req, i)));
        }
        let encoded = self.encoding.encode_all(req);
        let order: Vec<usize> =
            sort_order(self.sort, req, &encoded).into_iter().filter(|&i| self.signs(req, i)).collect();
        let empty_without_equals = self.empty_without_equals && order.iter().any(|&i| encoded[i].1.is_empty());
        join_query(&encoded, order.into_iter(), empty_without_equals)
    }

    /// Whether parameter `i` of `req` is signed; `i == req.params.len()` is the empty
    /// `Signature=` placeholder, signed only with the `signature-param-included` knob.
    pub(crate) fn signs(&self, req: &RequestView<'_>, i: usize) -> bool {
        let Some(p) = req.params.0.get(i) else { return self.signature_param && !self.raw_body };
        p.name != sigv2::SIGNATURE_PARAM
            && !(self.drop_empty && p.value.is_empty())
            && !(self.drop_timestamp && p.name == "Timestamp")
    }
}

/// The raw body's parameters `order` (indices into `req.params`), as sent.
pub(crate) fn raw_query(req: &RequestView<'_>, order: impl Iterator<Item = usize>) -> String {
    let raw: Vec<String> = order
        .map(|i| {
            let p = &req.params.0[i];
            match &p.raw_value {
                Some(v) => format!("{}={v}", p.raw_name),
                None => p.raw_name.to_string(),
            }
        })
        .collect();
    raw.join("&")
}

/// The encoded parameters `order` (indices into `encoded`), joined: `name=value`, or
/// `name` for an empty value with `empty_without_equals`.
pub(crate) fn join_query(
    encoded: &[(Cow<'_, str>, Cow<'_, str>)],
    order: impl Iterator<Item = usize>,
    empty_without_equals: bool,
) -> String {
    let mut out = String::with_capacity(encoded.iter().map(|(n, v)| n.len() + v.len() + 2).sum());
    for (k, i) in order.enumerate() {
        let (n, v) = &encoded[i];
        if k > 0 {
            out.push('&');
        }
        out.push_str(n);
        if !(v.is_empty() && empty_without_equals) {
            out.push('=');
            out.push_str(v);
        }
    }
    out
}

/// Every index of `encoded` (the parameters, then the placeholder) in the order `rule`
/// sorts them. The sorts are stable, so sorting everything and then leaving parameters
/// out gives what sorting the signed ones gives.
pub(crate) fn sort_order(
    rule: SortRule,
    req: &RequestView<'_>,
    encoded: &[(Cow<'_, str>, Cow<'_, str>)],
) -> Vec<usize> {
    let mut order: Vec<usize> = (0..encoded.len()).collect();
    let raw_name = |i: usize| req.params.0.get(i).map_or(sigv2::SIGNATURE_PARAM, |p| p.name.as_str());
    match rule {
        SortRule::ByEncodedName => order.sort_by(|&a, &b| encoded[a].cmp(&encoded[b])),
        SortRule::None => {}
        SortRule::CaseInsensitive => order.sort_by(|&a, &b| {
            let folded = |x: &str, y: &str| {
                x.bytes().map(|c| c.to_ascii_lowercase()).cmp(y.bytes().map(|c| c.to_ascii_lowercase()))
            };
            folded(&encoded[a].0, &encoded[b].0).then_with(|| encoded[a].1.cmp(&encoded[b].1))
        }),
        SortRule::ByDecodedName => {
            order.sort_by(|&a, &b| (raw_name(a), &encoded[a].1).cmp(&(raw_name(b), &encoded[b].1)));
        }
        SortRule::ByPair => order.sort_by(|&a, &b| {
            let pair = |i: usize| encoded[i].0.bytes().chain([b'=']).chain(encoded[i].1.bytes());
            pair(a).cmp(pair(b))
        }),
    }
    order
}

/// Letters, digits, '-', '_' and '.' come out of every encoding as they went in.
fn unchanged_by_every_encoding(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')
}

/// Encoded (name, value) pairs; a text every encoding leaves alone is borrowed.
pub(crate) type Encoded<'a> = Vec<(Cow<'a, str>, Cow<'a, str>)>;

impl Encoding {
    /// Every parameter of `req` encoded, then the `Signature=` placeholder.
    pub(crate) fn encode_all<'a>(self, req: &RequestView<'a>) -> Encoded<'a> {
        let placeholder = (Cow::Borrowed(sigv2::SIGNATURE_PARAM), Cow::Borrowed(""));
        let encoded = req.params.0.iter().map(|p| {
            // A `Signature` parameter is never signed: its value is not worth encoding.
            let value = if p.name == sigv2::SIGNATURE_PARAM { Cow::Borrowed("") } else { self.encode(&p.value) };
            let name = if self.names_raw { Cow::Borrowed(p.name.as_str()) } else { self.encode(&p.name) };
            (name, value)
        });
        encoded.chain([placeholder]).collect()
    }

    fn encode(self, text: &str) -> Cow<'_, str> {
        if text.bytes().all(unchanged_by_every_encoding) {
            return Cow::Borrowed(text);
        }
        let once = self.encode_once(text.as_bytes());
        Cow::Owned(if self.double { self.encode_once(once.as_bytes()) } else { once })
    }

    fn encode_once(self, bytes: &[u8]) -> String {
        let hex: &[u8; 16] = if self.lowercase_hex { b"0123456789abcdef" } else { b"0123456789ABCDEF" };
        let mut out = String::with_capacity(bytes.len() * 3);
        for &b in bytes {
            let bare = match b {
                b'~' => !self.tilde_encoded,
                b'*' | b'!' | b'\'' | b'(' | b')' => self.sub_delims_bare,
                _ => is_unreserved(b),
            };
            let sub_delim = matches!(b, b'*' | b'!' | b'\'' | b'(' | b')');
            if bare {
                out.push(char::from(b));
            } else if b == b' ' && self.space_plus {
                out.push('+');
            } else {
                let hex = if sub_delim && self.sub_delims_lowercase { b"0123456789abcdef" } else { hex };
                out.push('%');
                out.push(char::from(hex[usize::from(b >> 4)]));
                out.push(char::from(hex[usize::from(b & 15)]));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::{Param, ParamList};
    use crate::request::Scheme;
    use proptest::prelude::*;

    /// The canonical query as it was built before the search memoised its parts: the
    /// signed parameters (and the placeholder) encoded, then sorted, then joined.
    fn filter_then_sort(rule: &QueryRule, req: &RequestView<'_>) -> String {
        let signed = |p: &&Param| {
            p.name != sigv2::SIGNATURE_PARAM
                && !(rule.drop_empty && p.value.is_empty())
                && !(rule.drop_timestamp && p.name == "Timestamp")
        };
        if rule.raw_body {
            let raw: Vec<String> = req
                .params
                .iter()
                .filter(signed)
                .map(|p| match &p.raw_value {
                    Some(v) => format!("{}={v}", p.raw_name),
                    None => p.raw_name.to_string(),
                })
                .collect();
            return raw.join("&");
        }
        let placeholder = Param::new(sigv2::SIGNATURE_PARAM, "");
        let extra = rule.signature_param.then_some(&placeholder);
        let e = rule.encoding;
        let mut pairs: Vec<(String, String, &str)> = req
            .params
            .iter()
            .filter(signed)
            .chain(extra)
            .map(|p| {
                let name = if e.names_raw { p.name.to_string() } else { e.encode(&p.name).into_owned() };
                (name, e.encode(&p.value).into_owned(), p.name.as_str())
            })
            .collect();
        match rule.sort {
            SortRule::ByEncodedName => pairs.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1))),
            SortRule::None => {}
            SortRule::CaseInsensitive => pairs.sort_by_cached_key(|p| (p.0.to_ascii_lowercase(), p.1.clone())),
            SortRule::ByDecodedName => pairs.sort_by(|a, b| (a.2, &a.1).cmp(&(b.2, &b.1))),
            SortRule::ByPair => pairs.sort_by_cached_key(|p| format!("{}={}", p.0, p.1)),
        }
        let joined: Vec<String> = pairs
            .into_iter()
            .map(|(n, v, _)| if v.is_empty() && rule.empty_without_equals { n } else { format!("{n}={v}") })
            .collect();
        joined.join("&")
    }

    proptest! {
        /// Sorting everything then leaving parameters out, and the normalised rule, give
        /// the query that leaving out then sorting gives.
        #[test]
        fn the_canonical_query_is_built_as_before(
            params in proptest::collection::vec(("[A-Za-z.~*( é]{1,5}|Signature|Timestamp", "[a-z ~*(),é%+]{0,5}"), 0..7),
            flags in proptest::collection::vec(any::<bool>(), 12),
            sort in 0..5usize,
        ) {
            let list: ParamList = params.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
            let req = RequestView { method: "POST", scheme: Scheme::Https, host: "h", path: "/", params: &list };
            let rule = QueryRule {
                encoding: Encoding {
                    space_plus: flags[0],
                    tilde_encoded: flags[1],
                    sub_delims_bare: flags[2],
                    sub_delims_lowercase: flags[3],
                    lowercase_hex: flags[4],
                    double: flags[5],
                    names_raw: flags[11],
                },
                sort: [SortRule::ByEncodedName, SortRule::None, SortRule::CaseInsensitive, SortRule::ByDecodedName, SortRule::ByPair][sort],
                signature_param: flags[6],
                drop_empty: flags[7],
                empty_without_equals: flags[8],
                drop_timestamp: flags[9],
                raw_body: flags[10],
            };
            let before = filter_then_sort(&rule, &req);
            prop_assert_eq!(&rule.build(&req), &before);
            prop_assert_eq!(&rule.normalized(Relevance::of(&req)).build(&req), &before);
        }
    }
}
