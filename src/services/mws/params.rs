//! Reading MWS request parameters: numbered lists (`MarketplaceId.Id.1`, `IdList.Id.2`,
//! MWS Developer Guide "Query string": "a list of values … `Param.N`"), ISO 8601 dates,
//! bounded integers, marketplace checks, and the deterministic values a stateless mock
//! needs (derived ids, opaque `NextToken`s, `Content-MD5`).

use super::errors::MwsError;
use crate::catalogue::mws::MwsCatalogue;
use crate::clock::UtcTime;
use crate::crypto::base64_encode;
use crate::encoding::ParamList;
use crate::keystore::Keystore;
use md5::{Digest, Md5};

/// The values of `prefix.1`, `prefix.2`, … in index order (members with a non-numeric or
/// zero index are ignored).
pub(super) fn list<'a>(params: &'a ParamList, prefix: &str) -> Vec<&'a str> {
    let mut found: Vec<(u32, &str)> = params
        .iter()
        .filter_map(|p| {
            let n = p.name.strip_prefix(prefix)?.strip_prefix('.')?;
            let i: u32 = n.parse().ok().filter(|i| *i > 0 && !n.starts_with('0'))?;
            Some((i, p.value.as_str()))
        })
        .collect();
    found.sort_by_key(|(i, _)| *i);
    found.into_iter().map(|(_, v)| v).collect()
}

/// How many members `prefix.N` has.
pub(super) fn count(params: &ParamList, prefix: &str) -> usize {
    list(params, prefix).len()
}

/// A required parameter.
pub(super) fn required<'a>(params: &'a ParamList, name: &str) -> Result<&'a str, MwsError> {
    params.get(name).filter(|v| !v.is_empty()).ok_or_else(|| MwsError::missing(name))
}

/// An optional ISO 8601 date parameter.
pub(super) fn date(params: &ParamList, name: &str) -> Result<Option<UtcTime>, MwsError> {
    match params.get(name) {
        None => Ok(None),
        Some(raw) => UtcTime::parse_iso8601(raw).map(Some).map_err(|_| MwsError::invalid_value(name, raw)),
    }
}

/// An optional integer parameter in `min..=max`, else `default`.
pub(super) fn bounded(
    params: &ParamList,
    name: &str,
    min: usize,
    max: usize,
    default: usize,
) -> Result<usize, MwsError> {
    match params.get(name) {
        None => Ok(default),
        Some(raw) => {
            raw.parse().ok().filter(|n| (min..=max).contains(n)).ok_or_else(|| MwsError::invalid_value(name, raw))
        }
    }
}

/// Checks a list of MarketplaceIds: each must be a known marketplace served by `host`
/// (else 400 InvalidParameterValue "Value {id} for parameter {param} is invalid.", message
/// chosen) in which the seller participates (else 400 InvalidParameterValue "Seller {s} is
/// not registered to sell in marketplace {id}.", message chosen after the Orders reference:
/// "An error is returned if the value is not a Marketplace in which the seller is
/// registered to sell").
pub(super) fn check_marketplaces(
    catalogue: &MwsCatalogue,
    keys: &Keystore,
    host: &str,
    seller_id: &str,
    param: &str,
    ids: &[&str],
) -> Result<(), MwsError> {
    let participates = keys.seller(seller_id).map(|s| s.marketplaces.as_slice()).unwrap_or_default();
    for id in ids {
        match catalogue.marketplace(id) {
            Some(m) if m.endpoint == host => {}
            _ => return Err(MwsError::invalid_value(param, id)),
        }
        if !participates.iter().any(|p| p == id) {
            return Err(MwsError::invalid(format!(
                "Seller {seller_id} is not registered to sell in marketplace {id}."
            )));
        }
    }
    Ok(())
}

/// `base64(md5(bytes))`, the `Content-MD5` form (RFC 1864; MWS "Working with Content-MD5
/// checksums").
pub(super) fn content_md5(bytes: &[u8]) -> String {
    base64_encode(&Md5::digest(bytes))
}

/// FNV-1a, 64 bits: a stable hash for derived values (not for security).
pub(super) fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in *part {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// An 11-digit id derived from the request id (like the live `51799018438`), so that the
/// same request id always gives the same `FeedSubmissionId` / `ReportRequestId`.
pub(super) fn derived_id(request_id: &str, salt: &str) -> String {
    format!("5{:010}", fnv1a(&[salt.as_bytes(), request_id.as_bytes()]) % 10_000_000_000)
}

/// A `YYYY-MM-DDThh:mm:ss+00:00` date, the form Feeds and Reports answer with.
pub(super) fn feed_date(t: UtcTime) -> String {
    let z = t.to_iso8601();
    format!("{}+00:00", z.strip_suffix('Z').unwrap_or(&z))
}

/// Encodes a paging state as an opaque token (base64 of `|`-joined fields).
pub(super) fn encode_token(fields: &[&str]) -> String {
    base64_encode(fields.join("|").as_bytes())
}

/// Decodes a token made by [`encode_token`] with `n` fields.
pub(super) fn decode_token(token: &str, n: usize) -> Option<Vec<String>> {
    let bytes = crate::crypto::base64_decode(token)?;
    let text = String::from_utf8(bytes).ok()?;
    let fields: Vec<String> = text.split('|').map(str::to_owned).collect();
    (fields.len() == n).then_some(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_read_in_index_order() {
        let p: ParamList = [
            ("IdList.Id.10", "j"),
            ("IdList.Id.2", "b"),
            ("IdList.Id.1", "a"),
            ("IdList.Id.01", "x"),
            ("IdList.Idx.3", "y"),
        ]
        .into_iter()
        .collect();
        assert_eq!(list(&p, "IdList.Id"), ["a", "b", "j"]);
        assert_eq!(count(&p, "Other"), 0);
    }

    #[test]
    fn content_md5_vectors() {
        // vectors-official.yaml, content_md5_vectors.
        assert_eq!(content_md5(b""), "1B2M2Y8AsgTpgAmY7PhCfg==");
        assert_eq!(content_md5(b"abc\tdef"), "Zj+Bh1BJ8HzBb9ToK28qFQ==");
    }

    #[test]
    fn tokens_round_trip_and_ids_are_stable() {
        let t = encode_token(&["a", "b|c"]);
        assert_eq!(decode_token(&t, 3).unwrap(), ["a", "b", "c"]);
        assert!(decode_token("not base64!", 1).is_none());
        assert_eq!(derived_id("r", "feed"), derived_id("r", "feed"));
        assert_ne!(derived_id("r", "feed"), derived_id("r", "report"));
        assert_eq!(derived_id("r", "feed").len(), 11);
        assert_eq!(feed_date(UtcTime::from_unix_secs(0)), "1970-01-01T00:00:00+00:00");
    }
}
