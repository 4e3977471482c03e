//! AWS's flavour of RFC 3986 percent-encoding, and query/form parsing that keeps
//! every parameter both as the client sent it and decoded.
//!
//! Amazon's rule (PA-API Developer Guide, "Authenticating REST Requests"; AWS General
//! Reference, "Signature Version 2 signing process"): do not encode the unreserved set
//! `A-Z a-z 0-9 - _ . ~` (RFC 3986 §2.3); encode every other byte of the UTF-8 form as
//! `%XY` with uppercase hex; space is `%20`, never `+`.
//!
//! Parsing is strict: a `%` not followed by two hex digits, or a decoded name or value
//! that is not UTF-8, is a [`DecodeError`] with the byte position in the input. The
//! parser never panics on any input (a property test and a fuzz target check it).

mod query;

pub use query::{parse_query, Param, ParamList, ParamText, PlusMeans};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};
use std::fmt;

/// Every byte except the RFC 3986 unreserved set `A-Z a-z 0-9 - _ . ~` is encoded.
pub const AWS_ENCODE_SET: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// Percent-encodes `bytes` the way Amazon canonicalises names and values.
///
/// ```
/// assert_eq!(amzsig::encoding::encode("a b+~*é".as_bytes()), "a%20b%2B~%2A%C3%A9");
/// ```
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 2);
    encode_into(&mut out, bytes);
    out
}

/// Appends the encoded form of `bytes` to `out` (no allocation when `out` has room).
pub fn encode_into(out: &mut String, bytes: &[u8]) {
    let mut buf = std::mem::take(out).into_bytes();
    encode_bytes_into(&mut buf, bytes);
    // Only ASCII was appended to valid UTF-8, so this cannot fail.
    *out = String::from_utf8(buf).unwrap_or_default();
}

/// Appends the encoded form of `bytes` to a byte buffer (always ASCII): the signing hot
/// path, which copies runs of unreserved bytes in one go.
pub fn encode_bytes_into(out: &mut Vec<u8>, bytes: &[u8]) {
    if bytes.iter().all(|&b| UNRESERVED[usize::from(b)]) {
        out.extend_from_slice(bytes);
        return;
    }
    out.reserve(bytes.len() * 3);
    let mut run_start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if !UNRESERVED[usize::from(b)] {
            out.extend_from_slice(&bytes[run_start..i]);
            out.extend_from_slice(&ESCAPES[usize::from(b)]);
            run_start = i + 1;
        }
    }
    out.extend_from_slice(&bytes[run_start..]);
}

/// `%XY` for every byte value, uppercase hex.
static ESCAPES: [[u8; 3]; 256] = {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut t = [[0u8; 3]; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = [b'%', HEX[i >> 4], HEX[i & 15]];
        i += 1;
    }
    t
};

/// Compares the encoded forms of `a` and `b` byte by byte without encoding them.
///
/// At the first differing byte: an escaped byte (`%XY`) sorts before any unreserved byte
/// (`%` is 0x25, below every unreserved character), two escaped bytes compare by value
/// (uppercase hex keeps numeric order), and two unreserved bytes compare as themselves.
pub fn cmp_encoded(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let common = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    match (a.get(common), b.get(common)) {
        (Some(&x), Some(&y)) => match (is_unreserved(x), is_unreserved(y)) {
            (true, true) | (false, false) => x.cmp(&y),
            (false, true) => Ordering::Less,
            (true, false) => Ordering::Greater,
        },
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
    }
}

/// Unreserved bytes (RFC 3986 §2.3), as a lookup table.
#[allow(clippy::cast_possible_truncation)] // i < 256
static UNRESERVED: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.' || b == b'~';
        i += 1;
    }
    t
};

/// True when `b` is in the RFC 3986 unreserved set and is never encoded.
#[inline]
pub fn is_unreserved(b: u8) -> bool {
    UNRESERVED[usize::from(b)]
}

/// What went wrong while decoding, and where (a byte offset into the decoded input).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at byte {pos}")]
pub struct DecodeError {
    /// Byte offset into the input where the problem starts.
    pub pos: usize,
    /// What is wrong there.
    pub kind: DecodeErrorKind,
}

/// The kinds of [`DecodeError`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeErrorKind {
    /// `%` not followed by two hexadecimal digits.
    InvalidEscape,
    /// The decoded bytes are not valid UTF-8.
    InvalidUtf8,
}

impl fmt::Display for DecodeErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::InvalidEscape => "invalid percent-escape ('%' must be followed by two hex digits)",
            Self::InvalidUtf8 => "decoded bytes are not valid UTF-8",
        })
    }
}

/// Percent-decodes `raw`, treating `+` as [`PlusMeans`] says.
///
/// `base` is added to every reported position, so callers decoding a slice of a larger
/// input report positions in that input.
pub fn decode(raw: &[u8], plus: PlusMeans, base: usize) -> Result<String, DecodeError> {
    let mut out = Vec::new();
    decode_into(&mut out, raw, plus, base)?;
    String::from_utf8(out).map_err(|e| DecodeError {
        pos: base + raw_offset_of(raw, e.utf8_error().valid_up_to()),
        kind: DecodeErrorKind::InvalidUtf8,
    })
}

/// Percent-decodes `raw` into `out` (cleared first) without checking that the result is
/// UTF-8; escape errors as [`decode`]'s.
pub(crate) fn decode_into(out: &mut Vec<u8>, raw: &[u8], plus: PlusMeans, base: usize) -> Result<(), DecodeError> {
    out.clear();
    out.reserve(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'%' => {
                let hi = raw.get(i + 1).and_then(|&b| hex_value(b));
                let lo = raw.get(i + 2).and_then(|&b| hex_value(b));
                match (hi, lo) {
                    (Some(hi), Some(lo)) => out.push(hi << 4 | lo),
                    _ => return Err(DecodeError { pos: base + i, kind: DecodeErrorKind::InvalidEscape }),
                }
                i += 3;
            }
            b'+' if plus == PlusMeans::Space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    Ok(())
}

/// Maps an offset in the decoded output back to the offset in `raw` that produced it.
pub(crate) fn raw_offset_of(raw: &[u8], decoded_offset: usize) -> usize {
    let (mut i, mut n) = (0, 0);
    while i < raw.len() && n < decoded_offset {
        i += if raw[i] == b'%' { 3 } else { 1 };
        n += 1;
    }
    i.min(raw.len())
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn encodes_the_documented_examples() {
        assert_eq!(encode(b"ItemAttributes,Offers"), "ItemAttributes%2COffers");
        assert_eq!(encode(b"2009-01-01T12:00:00Z"), "2009-01-01T12%3A00%3A00Z");
        assert_eq!(encode("\u{2713}".as_bytes()), "%E2%9C%93");
        assert_eq!(encode(b"-_.~"), "-_.~");
        assert_eq!(encode(b" +*"), "%20%2B%2A");
    }

    #[test]
    fn decode_reports_positions() {
        let err = decode(b"abc%4", PlusMeans::Space, 10).unwrap_err();
        assert_eq!(err, DecodeError { pos: 13, kind: DecodeErrorKind::InvalidEscape });
        let err = decode(b"ab%zz", PlusMeans::Space, 0).unwrap_err();
        assert_eq!(err.pos, 2);
        let err = decode(b"a%C3%28", PlusMeans::Space, 0).unwrap_err();
        assert_eq!(err, DecodeError { pos: 1, kind: DecodeErrorKind::InvalidUtf8 });
        assert_eq!(decode(b"a+b%2B", PlusMeans::Space, 0).unwrap(), "a b+");
        assert_eq!(decode(b"a+b", PlusMeans::Literal, 0).unwrap(), "a+b");
    }

    proptest! {
        #[test]
        fn decode_inverts_encode(s in any::<String>()) {
            let encoded = encode(s.as_bytes());
            prop_assert_eq!(decode(encoded.as_bytes(), PlusMeans::Space, 0).unwrap(), s);
        }

        #[test]
        fn encoded_alphabet_is_unreserved_or_uppercase_escapes(s in any::<String>()) {
            let encoded = encode(s.as_bytes());
            let b = encoded.as_bytes();
            let mut i = 0;
            while i < b.len() {
                if b[i] == b'%' {
                    prop_assert!(i + 2 < b.len());
                    let hex = &b[i + 1..i + 3];
                    prop_assert!(hex.iter().all(|c| c.is_ascii_digit() || (b'A'..=b'F').contains(c)));
                    i += 3;
                } else {
                    prop_assert!(is_unreserved(b[i]), "byte {:?} left bare", b[i] as char);
                    i += 1;
                }
            }
        }

        #[test]
        fn matches_the_percent_encoding_crate(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let reference: String = percent_encoding::percent_encode(&bytes, AWS_ENCODE_SET).collect();
            prop_assert_eq!(encode(&bytes), reference);
        }

        #[test]
        fn cmp_encoded_orders_like_the_encoded_strings(a in proptest::collection::vec(any::<u8>(), 0..12), b in proptest::collection::vec(any::<u8>(), 0..12)) {
            prop_assert_eq!(cmp_encoded(&a, &b), encode(&a).cmp(&encode(&b)));
            let shared: Vec<u8> = a.iter().chain(&b).copied().collect();
            prop_assert_eq!(cmp_encoded(&shared, &a), encode(&shared).cmp(&encode(&a)));
        }

        #[test]
        fn decode_never_panics(raw in proptest::collection::vec(any::<u8>(), 0..64)) {
            if let Err(e) = decode(&raw, PlusMeans::Space, 0) {
                prop_assert!(e.pos <= raw.len());
            }
        }
    }
}
