//! Query-string and form-body parsing into [`Param`]s that keep the raw bytes next to
//! the decoded text, so later stages can tell `+` from `%20` and `~` from `%7E`.
//!
//! Format: `application/x-www-form-urlencoded` (WHATWG URL §5.1) as Amazon's front ends
//! read it: pairs separated by `&`, name and value split at the first `=`, `+` decoded
//! as a space (an unencoded `+` in a GET URL reaches Amazon as a space). Empty segments
//! (`a=1&&b=2`) are skipped; a segment without `=` is a name with an empty value.

use super::{decode, DecodeError, DecodeErrorKind};

/// How a literal `+` in the input is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlusMeans {
    /// `+` is a space: query strings and form bodies as servers read them.
    Space,
    /// `+` is a plus sign: a path segment, or a value that was never form-encoded.
    Literal,
}

/// One parameter as it arrived and as it decodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// The name exactly as sent (still percent-encoded).
    pub raw_name: String,
    /// The value exactly as sent, `None` when the segment had no `=`.
    pub raw_value: Option<String>,
    /// The decoded name.
    pub name: String,
    /// The decoded value (empty when there was no `=`).
    pub value: String,
    /// Byte offset of this pair in the parsed input.
    pub pos: usize,
}

impl Param {
    /// A parameter built from decoded text, with the raw form being its canonical encoding.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        let (name, value) = (name.into(), value.into());
        Self {
            raw_name: super::encode(name.as_bytes()),
            raw_value: Some(super::encode(value.as_bytes())),
            name,
            value,
            pos: 0,
        }
    }
}

/// Parameters in the order they were sent; duplicates are kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParamList(pub Vec<Param>);

impl ParamList {
    /// The decoded value of the first parameter named exactly `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.find(name).map(|p| p.value.as_str())
    }

    /// The first parameter named exactly `name`.
    pub fn find(&self, name: &str) -> Option<&Param> {
        self.0.iter().find(|p| p.name == name)
    }

    /// How many parameters are named exactly `name`.
    pub fn count(&self, name: &str) -> usize {
        self.0.iter().filter(|p| p.name == name).count()
    }

    /// Appends a parameter from decoded text.
    pub fn push(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.0.push(Param::new(name, value));
    }

    /// Replaces every parameter named `name` by one with `value` (appended at the end).
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        self.remove(name);
        self.push(name, value);
    }

    /// Removes every parameter named exactly `name`.
    pub fn remove(&mut self, name: &str) {
        self.0.retain(|p| p.name != name);
    }

    /// Iterates over the parameters in sent order.
    pub fn iter(&self) -> std::slice::Iter<'_, Param> {
        self.0.iter()
    }

    /// Number of parameters.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are no parameters.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'a> IntoIterator for &'a ParamList {
    type Item = &'a Param;
    type IntoIter = std::slice::Iter<'a, Param>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<N: Into<String>, V: Into<String>> FromIterator<(N, V)> for ParamList {
    fn from_iter<I: IntoIterator<Item = (N, V)>>(iter: I) -> Self {
        Self(iter.into_iter().map(|(n, v)| Param::new(n, v)).collect())
    }
}

/// Parses a query string (without the `?`) or a form body.
///
/// ```
/// use amzsig::encoding::{parse_query, PlusMeans};
/// let params = parse_query(b"Keywords=a+b%20c&Flag", PlusMeans::Space).unwrap();
/// assert_eq!(params.get("Keywords"), Some("a b c"));
/// assert_eq!(params.0[0].raw_value.as_deref(), Some("a+b%20c"));
/// assert_eq!(params.get("Flag"), Some(""));
/// ```
pub fn parse_query(input: &[u8], plus: PlusMeans) -> Result<ParamList, DecodeError> {
    let mut params = Vec::new();
    let mut start = 0;
    for segment in input.split(|&b| b == b'&') {
        let pos = start;
        start += segment.len() + 1;
        if segment.is_empty() {
            continue;
        }
        let (raw_name, raw_value) = match segment.iter().position(|&b| b == b'=') {
            Some(eq) => (&segment[..eq], Some(&segment[eq + 1..])),
            None => (segment, None),
        };
        let name = decode(raw_name, plus, pos)?;
        let value_pos = pos + raw_name.len() + 1;
        let value = match raw_value {
            Some(v) => decode(v, plus, value_pos)?,
            None => String::new(),
        };
        params.push(Param {
            raw_name: raw_text(raw_name, pos)?,
            raw_value: raw_value.map(|v| raw_text(v, value_pos)).transpose()?,
            name,
            value,
            pos,
        });
    }
    Ok(ParamList(params))
}

fn raw_text(raw: &[u8], pos: usize) -> Result<String, DecodeError> {
    String::from_utf8(raw.to_vec())
        .map_err(|e| DecodeError { pos: pos + e.utf8_error().valid_up_to(), kind: DecodeErrorKind::InvalidUtf8 })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn keeps_raw_and_decoded_forms() {
        let p = parse_query(b"a=%7E&b=~&c=+&d=%20&&e", PlusMeans::Space).unwrap();
        let got: Vec<_> =
            p.iter().map(|p| (p.raw_name.as_str(), p.raw_value.as_deref(), p.value.as_str(), p.pos)).collect();
        assert_eq!(
            got,
            [
                ("a", Some("%7E"), "~", 0),
                ("b", Some("~"), "~", 6),
                ("c", Some("+"), " ", 10),
                ("d", Some("%20"), " ", 14),
                ("e", None, "", 21),
            ]
        );
    }

    #[test]
    fn errors_carry_the_position_in_the_whole_input() {
        let err = parse_query(b"Good=1&Bad=%G1", PlusMeans::Space).unwrap_err();
        assert_eq!(err.pos, 11);
        let err = parse_query(b"Good=1&N%FF=1", PlusMeans::Space).unwrap_err();
        assert_eq!((err.pos, err.kind), (8, DecodeErrorKind::InvalidUtf8));
    }

    proptest! {
        #[test]
        fn parser_never_panics_and_positions_are_in_range(raw in proptest::collection::vec(any::<u8>(), 0..128)) {
            match parse_query(&raw, PlusMeans::Space) {
                Ok(list) => for p in &list { prop_assert!(p.pos < raw.len()); },
                Err(e) => prop_assert!(e.pos <= raw.len()),
            }
        }

        #[test]
        fn parse_inverts_canonical_encoding(pairs in proptest::collection::vec((".*", ".*"), 0..8)) {
            let list: ParamList = pairs.iter().cloned().collect();
            let wire: Vec<String> = list.iter().map(|p| format!("{}={}", p.raw_name, p.raw_value.as_deref().unwrap_or(""))).collect();
            let parsed = parse_query(wire.join("&").as_bytes(), PlusMeans::Space).unwrap();
            let names: Vec<_> = parsed.iter().map(|p| (p.name.clone(), p.value.clone())).collect();
            prop_assert_eq!(names, pairs);
        }
    }
}
