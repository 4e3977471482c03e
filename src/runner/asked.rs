//! Did the client send what the scenario asked? A signature check alone cannot tell: a
//! client that drops the second `ItemId`, rewrites `foo` as `Foo` or overwrites `Version`
//! signs *its* request correctly and the mock accepts it, yet the scenario's rule was
//! never tested. This module compares the request asked for with the one sent, as data
//! ([`Deviation`]), and says when a scenario's rule could not be exercised at all.
//!
//! SigV2: every asked parameter with every value, by exact name; names the signer adds
//! (`AWSAccessKeyId`, `Signature*`, `Timestamp`/`Expires`, `SecurityToken`) and the
//! scenario's `tolerate` list may be added; `Timestamp` is compared verbatim when the
//! scenario gives one of its own (not the suite's default time) and the client does not
//! read its own clock. SigV4: the headers the scenario sets (values compared after the
//! trimming canonicalisation does), the endpoint's query parameters, and the body.

use crate::encoding::ParamList;
use std::fmt;

/// Parameters a SigV2 signer adds: never a deviation. `Version` too when the scenario does
/// not set one: client libraries fill in the API version they were written for, as the
/// service would its default (one it does set must arrive unchanged).
const SIGNER_PARAMS: &[&str] = &[
    "AWSAccessKeyId",
    "Signature",
    "SignatureMethod",
    "SignatureVersion",
    "Timestamp",
    "Expires",
    "SecurityToken",
    "Version",
];

/// One way the sent request differs from the asked one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Deviation {
    /// An asked parameter (or header) is not there at all.
    Missing(String),
    /// An asked parameter arrived under another letter case (`foo` sent as `Foo`).
    Renamed { asked: String, sent: String },
    /// The `nth` of `of` values of a repeated parameter is gone.
    Dropped { name: String, nth: usize, of: usize },
    /// A value was replaced.
    Changed { name: String, asked: String, sent: String },
    /// A parameter (or header) nobody asked for.
    Added(String),
    /// A value sent more often than asked.
    Repeated { name: String, asked: usize, sent: usize },
    /// The body is not the one asked for.
    Body,
}

impl fmt::Display for Deviation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing(name) => write!(f, "left out {name}"),
            Self::Renamed { asked, sent } => write!(f, "renamed {asked} to {sent}"),
            Self::Dropped { name, nth, of } => write!(f, "dropped the {} of {of} values of {name}", ordinal(*nth)),
            Self::Changed { name, asked, sent } => write!(f, "{name} overwritten ('{asked}' sent as '{sent}')"),
            Self::Added(name) => write!(f, "added {name}"),
            Self::Repeated { name, asked, sent } => write!(f, "sent {name} {sent} times, asked {asked}"),
            Self::Body => f.write_str("changed the body"),
        }
    }
}

fn ordinal(n: usize) -> String {
    match n {
        1 => "first".to_owned(),
        2 => "second".to_owned(),
        3 => "third".to_owned(),
        n => format!("{n}th"),
    }
}

/// The deviations, as one line (`"dropped the second of 2 values of ItemId; added Foo"`).
pub(super) fn describe(deviations: &[Deviation]) -> String {
    deviations.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}

/// What a SigV2 scenario asked for.
pub(super) struct AskedV2<'a> {
    /// Decoded parameters in order (no authentication parameters).
    pub params: &'a [(String, String)],
    /// The access key id the client signs with.
    pub access_key_id: &'a str,
    /// `Timestamp` that must arrive verbatim, when the scenario's rule needs it.
    pub verbatim_timestamp: Option<&'a str>,
    /// Names the service tolerates being added.
    pub tolerate: &'a [String],
}

/// The differences between the asked SigV2 parameters and the `sent` ones.
pub(super) fn v2(asked: &AskedV2<'_>, sent: &ParamList) -> Vec<Deviation> {
    let mut out = Vec::new();
    let sent_pairs: Vec<(&str, &str)> = sent.iter().map(|p| (p.name.as_str(), p.value.as_str())).collect();
    compare_pairs(asked.params, &sent_pairs, &mut out, |name| {
        SIGNER_PARAMS.contains(&name) || asked.tolerate.iter().any(|t| t == name)
    });
    if let Some(id) = sent.get("AWSAccessKeyId").filter(|id| *id != asked.access_key_id) {
        out.push(Deviation::Changed {
            name: "AWSAccessKeyId".to_owned(),
            asked: asked.access_key_id.to_owned(),
            sent: id.to_owned(),
        });
    }
    if let Some(t) = asked.verbatim_timestamp {
        match sent.get("Timestamp") {
            Some(s) if s == t => {}
            Some(s) => {
                out.push(Deviation::Changed { name: "Timestamp".to_owned(), asked: t.to_owned(), sent: s.to_owned() });
            }
            None => out.push(Deviation::Missing("Timestamp".to_owned())),
        }
    }
    out
}

/// What a SigV4 scenario asked for.
pub(super) struct AskedV4<'a> {
    /// The endpoint's query parameters (decoded).
    pub query: &'a [(String, String)],
    /// The headers the scenario sets.
    pub headers: &'a [(String, String)],
    /// The body.
    pub body: &'a [u8],
    /// The signing time the client was given (`X-Amz-Date` form), unless it reads its own
    /// clock.
    pub amz_date: Option<&'a str>,
}

/// The differences between the asked SigV4 request and the sent one. `sent_headers` is
/// `None` when the sent headers are not known (live mode: the journal keeps none).
pub(super) fn v4<'a>(
    asked: &AskedV4<'a>,
    sent_query: &ParamList,
    sent_headers: Option<&'a [(String, String)]>,
    sent_body: &[u8],
) -> Vec<Deviation> {
    let mut out = Vec::new();
    let sent_pairs: Vec<(&str, &str)> = sent_query.iter().map(|p| (p.name.as_str(), p.value.as_str())).collect();
    // A presigned URL adds the X-Amz-* parameters; anything else added is a deviation.
    compare_pairs(asked.query, &sent_pairs, &mut out, |name| name.starts_with("X-Amz-"));
    // The signing time: a client that dates the request otherwise (from a caller's `Date`
    // header, its own clock) signs another request than asked.
    if let Some(want) = asked.amz_date {
        let sent_date = sent_query.get("X-Amz-Date").or_else(|| {
            sent_headers?.iter().find(|(n, _)| n.eq_ignore_ascii_case("x-amz-date")).map(|(_, v)| v.as_str())
        });
        if let Some(got) = sent_date.filter(|got| got.trim() != want) {
            out.push(Deviation::Changed {
                name: "X-Amz-Date".to_owned(),
                asked: want.to_owned(),
                sent: got.to_owned(),
            });
        }
    }
    if let Some(headers) = sent_headers {
        let mut names: Vec<&str> = Vec::new();
        for (n, _) in asked.headers {
            if !n.eq_ignore_ascii_case("host") && !names.iter().any(|m| m.eq_ignore_ascii_case(n)) {
                names.push(n);
            }
        }
        for name in names {
            let values = |list: &'a [(String, String)]| -> Vec<&'a str> {
                list.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim()).collect()
            };
            let wanted = values(asked.headers);
            let mut sent = values(headers);
            if sent.is_empty() {
                out.push(Deviation::Missing(name.to_owned()));
                continue;
            }
            for w in wanted {
                if let Some(at) = sent.iter().position(|v| *v == w) {
                    sent.remove(at);
                } else if sent.is_empty() {
                    out.push(Deviation::Missing(name.to_owned()));
                } else {
                    let got = sent.remove(0);
                    out.push(Deviation::Changed { name: name.to_owned(), asked: w.to_owned(), sent: got.to_owned() });
                }
            }
        }
    }
    if !same_body(sent_body, asked.body) {
        out.push(Deviation::Body);
    }
    out
}

/// True when two bodies are the same bytes, or the same JSON document (clients serialise
/// JSON their own way: `{"Limit":10}` and `{"Limit": 10}` ask for the same thing).
fn same_body(sent: &[u8], asked: &[u8]) -> bool {
    if sent == asked {
        return true;
    }
    let json = |b: &[u8]| serde_json::from_slice::<serde_json::Value>(b).ok();
    matches!((json(sent), json(asked)), (Some(a), Some(b)) if a == b)
}

/// Every asked `(name, value)` against the sent ones, by exact name, value multisets per
/// name; names nobody asked for are deviations unless `may_add` says otherwise.
fn compare_pairs(
    asked: &[(String, String)],
    sent: &[(&str, &str)],
    out: &mut Vec<Deviation>,
    may_add: impl Fn(&str) -> bool,
) {
    let mut names: Vec<&str> = Vec::new();
    for (n, _) in asked {
        if !names.contains(&n.as_str()) {
            names.push(n);
        }
    }
    let mut renamed_to: Vec<&str> = Vec::new();
    for name in &names {
        let asked_values: Vec<&str> = asked.iter().filter(|(n, _)| n == name).map(|(_, v)| v.as_str()).collect();
        let mut sent_values: Vec<&str> = sent.iter().filter(|(n, _)| n == name).map(|(_, v)| *v).collect();
        if sent_values.is_empty() {
            let other = sent
                .iter()
                .map(|(n, _)| *n)
                .find(|n| n.eq_ignore_ascii_case(name) && !names.contains(n) && !renamed_to.contains(n));
            if let Some(other) = other {
                renamed_to.push(other);
                out.push(Deviation::Renamed { asked: (*name).to_owned(), sent: other.to_owned() });
            } else {
                out.push(Deviation::Missing((*name).to_owned()));
            }
            continue;
        }
        let mut unmatched: Vec<(usize, &str)> = Vec::new();
        for (i, v) in asked_values.iter().enumerate() {
            if let Some(at) = sent_values.iter().position(|s| s == v) {
                sent_values.remove(at);
            } else {
                unmatched.push((i + 1, v));
            }
        }
        // Left-over sent values replaced asked ones first; beyond that they are extra.
        for (nth, asked_value) in unmatched {
            if sent_values.is_empty() {
                out.push(Deviation::Dropped { name: (*name).to_owned(), nth, of: asked_values.len() });
            } else {
                let sent_value = sent_values.remove(0);
                out.push(Deviation::Changed {
                    name: (*name).to_owned(),
                    asked: asked_value.to_owned(),
                    sent: sent_value.to_owned(),
                });
            }
        }
        if !sent_values.is_empty() {
            let sent_count = sent.iter().filter(|(n, _)| n == name).count();
            out.push(Deviation::Repeated { name: (*name).to_owned(), asked: asked_values.len(), sent: sent_count });
        }
    }
    let mut added: Vec<&str> = Vec::new();
    for (n, _) in sent {
        if !names.contains(n) && !renamed_to.contains(n) && !may_add(n) && !added.contains(n) {
            added.push(n);
            out.push(Deviation::Added((*n).to_owned()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::{parse_query, PlusMeans};

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect()
    }

    fn sent(query: &str) -> ParamList {
        parse_query(query.as_bytes(), PlusMeans::Space).unwrap()
    }

    fn check(asked: &[(&str, &str)], query: &str) -> String {
        let params = pairs(asked);
        let asked = AskedV2 { params: &params, access_key_id: "AKID", verbatim_timestamp: None, tolerate: &[] };
        describe(&v2(&asked, &sent(query)))
    }

    #[test]
    fn the_request_asked_for_is_no_deviation() {
        let asked = [("Operation", "ItemLookup"), ("ItemId", "1"), ("ItemId", "2")];
        let q = "ItemId=2&ItemId=1&Operation=ItemLookup&AWSAccessKeyId=AKID&Timestamp=t&Signature=s&SignatureVersion=2";
        assert_eq!(check(&asked, q), "");
    }

    #[test]
    fn each_kind_of_change_is_named() {
        let asked = [("ItemId", "1"), ("ItemId", "2"), ("foo", "bar"), ("Version", "2013-08-01")];
        assert_eq!(
            check(&asked, "ItemId=1&Foo=bar&Version=2011-08-01&AssociateTag=x&AWSAccessKeyId=AKID"),
            "dropped the second of 2 values of ItemId; renamed foo to Foo; \
             Version overwritten ('2013-08-01' sent as '2011-08-01'); added AssociateTag"
        );
        assert_eq!(check(&[("A", "1")], "A=1&A=1"), "sent A 2 times, asked 1");
        assert_eq!(check(&[("A", "1")], "B=1"), "left out A; added B");
        assert_eq!(
            check(&[("A", "1")], "A=1&AWSAccessKeyId=OTHER"),
            "AWSAccessKeyId overwritten ('AKID' sent as 'OTHER')"
        );
    }

    #[test]
    fn tolerated_names_and_verbatim_timestamps() {
        let params = pairs(&[("A", "1")]);
        let tolerate = ["Nonce".to_owned()];
        let asked = AskedV2 {
            params: &params,
            access_key_id: "AKID",
            verbatim_timestamp: Some("2014-08-18T12:00:00.000-00:00"),
            tolerate: &tolerate,
        };
        let d = v2(&asked, &sent("A=1&Nonce=3&Timestamp=2014-08-18T12%3A00%3A00Z"));
        assert_eq!(
            describe(&d),
            "Timestamp overwritten ('2014-08-18T12:00:00.000-00:00' sent as '2014-08-18T12:00:00Z')"
        );
    }

    #[test]
    fn sigv4_headers_query_and_body() {
        let query = pairs(&[("list-type", "2")]);
        let headers = pairs(&[("Host", "h"), ("X-Custom", "a  b")]);
        let asked = AskedV4 { query: &query, headers: &headers, body: b"{}", amz_date: None };
        let sent_headers = pairs(&[("x-custom", "a  b ")]);
        assert_eq!(describe(&v4(&asked, &sent("list-type=2&X-Amz-Date=d"), Some(&sent_headers), b"{}")), "");
        assert_eq!(describe(&v4(&asked, &sent("list-type=2"), None, b"{ }")), "", "the same JSON document");
        let sent_headers = pairs(&[("x-custom", "a b")]);
        assert_eq!(
            describe(&v4(&asked, &sent("extra=1"), Some(&sent_headers), b"")),
            "left out list-type; added extra; X-Custom overwritten ('a  b' sent as 'a b'); changed the body"
        );
        let dated = AskedV4 { amz_date: Some("20140818T120000Z"), ..asked };
        let sent_headers = pairs(&[("x-custom", "a  b"), ("X-Amz-Date", "20140817T235500Z")]);
        assert_eq!(
            describe(&v4(&dated, &sent("list-type=2"), Some(&sent_headers), b"{}")),
            "X-Amz-Date overwritten ('20140818T120000Z' sent as '20140817T235500Z')"
        );
    }
}
