//! A [`Recipe`] is the SigV2 signing process with knobs: the correct recipe reproduces
//! `sigv2::sign`, and each [`Mistake`] turns one knob. Everything here is pure.

use super::Mistake;
use crate::crypto::{hmac, HmacAlgorithm, SecretKey};
use crate::encoding::{is_unreserved, Param};
use crate::request::RequestView;
use crate::sigv2::{self, SignatureMethod};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SortRule {
    ByEncodedName,
    None,
    CaseInsensitive,
    ByDecodedName,
    ByPair,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HostRule {
    Canonical,
    PortDropped,
    DefaultPortAdded,
    AsSent,
    WithScheme,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SecretRule {
    AsIs,
    TrailingNewline,
    Spaces,
}

/// The SigV2 process with every knob a known mistake turns.
// Each bool is one independent mistake's knob; grouping them into enums would hide that
// any combination of them is a valid recipe.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipe {
    default_method: SignatureMethod,
    space_plus: bool,
    tilde_encoded: bool,
    sub_delims_bare: bool,
    sub_delims_lowercase: bool,
    lowercase_hex: bool,
    double: bool,
    sort: SortRule,
    signature_param: bool,
    drop_empty: bool,
    empty_without_equals: bool,
    drop_timestamp: bool,
    host: HostRule,
    empty_path: bool,
    wrong_method: bool,
    algorithm: Option<HmacAlgorithm>,
    crlf: bool,
    secret: SecretRule,
    raw_body: bool,
}

impl Recipe {
    /// The correct process (what `sigv2::sign` does).
    pub fn correct(default_method: SignatureMethod) -> Self {
        Self {
            default_method,
            space_plus: false,
            tilde_encoded: false,
            sub_delims_bare: false,
            sub_delims_lowercase: false,
            lowercase_hex: false,
            double: false,
            sort: SortRule::ByEncodedName,
            signature_param: false,
            drop_empty: false,
            empty_without_equals: false,
            drop_timestamp: false,
            host: HostRule::Canonical,
            empty_path: false,
            wrong_method: false,
            algorithm: None,
            crlf: false,
            secret: SecretRule::AsIs,
            raw_body: false,
        }
    }

    /// This recipe with `mistakes` applied, or `None` when one cannot apply to `req`
    /// (e.g. dropping a port the Host header does not have).
    pub fn with(&self, mistakes: &[Mistake], req: &RequestView<'_>) -> Option<Recipe> {
        let mut r = self.clone();
        let declared = self.declared(req);
        let host_has_port = sigv2::host_without_port(req.host) != req.host;
        let default_port = format!(":{}", req.scheme.default_port());
        let port_is_default = req.host.ends_with(&default_port);
        for m in mistakes {
            match m {
                Mistake::SpaceAsPlus => r.space_plus = true,
                Mistake::TildeEncoded => r.tilde_encoded = true,
                Mistake::SubDelimsBare => r.sub_delims_bare = true,
                Mistake::LowercaseHex => r.lowercase_hex = true,
                Mistake::SubDelimsLowercaseHex => r.sub_delims_lowercase = true,
                Mistake::HostWithScheme => r.host = HostRule::WithScheme,
                Mistake::DoubleEncoding => r.double = true,
                Mistake::NotSorted => r.sort = SortRule::None,
                Mistake::CaseInsensitiveSort => r.sort = SortRule::CaseInsensitive,
                Mistake::SortedDecodedNames => r.sort = SortRule::ByDecodedName,
                Mistake::SortedPairs => r.sort = SortRule::ByPair,
                Mistake::SignatureParamIncluded => r.signature_param = true,
                Mistake::EmptyParamsDropped => r.drop_empty = true,
                Mistake::EmptyParamsWithoutEquals => r.empty_without_equals = true,
                Mistake::TimestampNotSigned if req.params.get("Timestamp").is_some() => r.drop_timestamp = true,
                Mistake::HostPortDropped if host_has_port => r.host = HostRule::PortDropped,
                Mistake::HostDefaultPortAdded if !host_has_port || port_is_default => {
                    r.host = HostRule::DefaultPortAdded;
                }
                Mistake::HostNotLowercased if req.host.bytes().any(|b| b.is_ascii_uppercase()) => {
                    r.host = HostRule::AsSent;
                }
                Mistake::EmptyPathNotSlash if matches!(req.path, "" | "/") => r.empty_path = true,
                Mistake::WrongMethod if matches!(req.method, "GET" | "POST") => r.wrong_method = true,
                Mistake::Sha1InsteadOfSha256 if declared == SignatureMethod::HmacSha256 => {
                    r.algorithm = Some(HmacAlgorithm::Sha1);
                }
                Mistake::Sha256InsteadOfSha1 if declared == SignatureMethod::HmacSha1 => {
                    r.algorithm = Some(HmacAlgorithm::Sha256);
                }
                Mistake::CrlfLineEnds => r.crlf = true,
                Mistake::SecretTrailingNewline => r.secret = SecretRule::TrailingNewline,
                Mistake::SecretWithSpaces => r.secret = SecretRule::Spaces,
                Mistake::RawFormBodySigned if req.method == "POST" => r.raw_body = true,
                Mistake::SignaturePlusNotEncoded => {}
                _ => return None,
            }
        }
        Some(r)
    }

    fn declared(&self, req: &RequestView<'_>) -> SignatureMethod {
        req.params.get("SignatureMethod").and_then(|m| m.parse().ok()).unwrap_or(self.default_method)
    }

    /// The HMAC this recipe signs with for `req`.
    pub fn algorithm(&self) -> Option<HmacAlgorithm> {
        self.algorithm
    }

    /// Whether the recipe signs with something other than the secret as given.
    pub fn changes_secret(&self) -> bool {
        self.secret != SecretRule::AsIs
    }

    /// The string to sign (the first variant when a mistake has several).
    pub fn string_to_sign(&self, req: &RequestView<'_>) -> String {
        self.strings_to_sign(req).swap_remove(0)
    }

    /// Every string to sign this recipe can produce for `req` (several only when a mistake
    /// has variants, such as `:443` or `:80` for an added default port).
    pub fn strings_to_sign(&self, req: &RequestView<'_>) -> Vec<String> {
        let method = match (self.wrong_method, req.method) {
            (true, "GET") => "POST",
            (true, "POST") => "GET",
            (_, m) => m,
        };
        let path = if self.empty_path { "" } else { sigv2::canonical_path(req.path) };
        let query = self.canonical_query(req);
        let canonical = sigv2::canonical_host(req.host, req.scheme).into_owned();
        let hosts: Vec<String> = match self.host {
            HostRule::Canonical => vec![canonical],
            HostRule::PortDropped => vec![sigv2::host_without_port(&canonical).to_owned()],
            HostRule::DefaultPortAdded => vec![format!("{canonical}:443"), format!("{canonical}:80")],
            HostRule::AsSent => vec![req.host.to_owned()],
            HostRule::WithScheme => vec![format!("http://{}", req.host), format!("https://{}", req.host)],
        };
        let nl = if self.crlf { "\r\n" } else { "\n" };
        hosts.into_iter().map(|h| [method, h.as_str(), path, query.as_str()].join(nl)).collect()
    }

    /// The base64 signatures of `string_to_sign` under every secret variant.
    pub fn signatures(&self, req: &RequestView<'_>, secret: &SecretKey, string_to_sign: &str) -> Vec<String> {
        let alg = self.algorithm.unwrap_or_else(|| self.declared(req).algorithm());
        let secrets: Vec<SecretKey> = match self.secret {
            SecretRule::AsIs => vec![secret.clone()],
            SecretRule::TrailingNewline => {
                vec![secret.map_bytes(|s| [s, b"\n"].concat()), secret.map_bytes(|s| [s, b"\r\n"].concat())]
            }
            SecretRule::Spaces => {
                vec![secret.map_bytes(|s| [s, b" "].concat()), secret.map_bytes(|s| [b" ", s].concat())]
            }
        };
        secrets.iter().map(|k| hmac(alg, k, string_to_sign.as_bytes()).to_base64()).collect()
    }

    fn canonical_query(&self, req: &RequestView<'_>) -> String {
        let signed = |p: &&Param| {
            p.name != sigv2::SIGNATURE_PARAM
                && !(self.drop_empty && p.value.is_empty())
                && !(self.drop_timestamp && p.name == "Timestamp")
        };
        if self.raw_body {
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
        let extra = self.signature_param.then_some(&placeholder);
        let mut pairs: Vec<(String, String, &str)> = req
            .params
            .iter()
            .filter(signed)
            .chain(extra)
            .map(|p| (self.encode(&p.name), self.encode(&p.value), p.name.as_str()))
            .collect();
        match self.sort {
            SortRule::ByEncodedName => pairs.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1))),
            SortRule::None => {}
            SortRule::CaseInsensitive => pairs.sort_by_cached_key(|p| (p.0.to_ascii_lowercase(), p.1.clone())),
            SortRule::ByDecodedName => pairs.sort_by(|a, b| (a.2, &a.1).cmp(&(b.2, &b.1))),
            SortRule::ByPair => pairs.sort_by_cached_key(|p| format!("{}={}", p.0, p.1)),
        }
        let joined: Vec<String> = pairs
            .into_iter()
            .map(|(n, v, _)| if v.is_empty() && self.empty_without_equals { n } else { format!("{n}={v}") })
            .collect();
        joined.join("&")
    }

    fn encode(&self, text: &str) -> String {
        let once = self.encode_once(text.as_bytes());
        if self.double {
            self.encode_once(once.as_bytes())
        } else {
            once
        }
    }

    fn encode_once(&self, bytes: &[u8]) -> String {
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

/// The `Signature` value a client that makes `mistakes` would send for `req` (which must
/// not carry a `Signature` yet), or `None` when a mistake cannot apply to `req`.
pub fn sign_with_mistakes(
    req: &RequestView<'_>,
    secret: &SecretKey,
    default_method: SignatureMethod,
    mistakes: &[Mistake],
) -> Option<String> {
    let recipe = Recipe::correct(default_method).with(mistakes, req)?;
    let sig = recipe.signatures(req, secret, &recipe.string_to_sign(req)).swap_remove(0);
    if mistakes.contains(&Mistake::SignaturePlusNotEncoded) {
        if !sig.contains('+') {
            return None;
        }
        return Some(sig.replace('+', " "));
    }
    Some(sig)
}
