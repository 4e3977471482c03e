//! Query-string and form-body parsing into [`Param`]s that keep the raw bytes next to
//! the decoded text, so later stages can tell `+` from `%20` and `~` from `%7E`.
//!
//! Format: `application/x-www-form-urlencoded` (WHATWG URL §5.1) as Amazon's front ends
//! read it: pairs separated by `&`, name and value split at the first `=`, `+` decoded
//! as a space (an unencoded `+` in a GET URL reaches Amazon as a space). Empty segments
//! (`a=1&&b=2`) are skipped; a segment without `=` is a name with an empty value.
//!
//! Every request goes through here, so a parse allocates per query, not per parameter:
//! the four texts of each [`Param`] are [`ParamText`] ranges of one shared buffer, and a
//! decoded form equal to its raw form (no `%`, no `+`) is the same range.

use super::{DecodeError, DecodeErrorKind};
use std::rc::Rc;

/// How a literal `+` in the input is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlusMeans {
    /// `+` is a space: query strings and form bodies as servers read them.
    Space,
    /// `+` is a plus sign: a path segment, or a value that was never form-encoded.
    Literal,
}

/// A parameter's text: a range of a buffer shared by every parameter of one parse (the
/// decoded forms that differ from the raw text, then the input), so parsing allocates per
/// query, not four strings per parameter. Reads as a `&str` (`Deref`, `as_str`,
/// comparisons with `str` and `String`); cloning is a reference-count increment.
///
/// The count is an `Rc`, not an `Arc`: a parse stays on the thread that made it (no
/// caller sends one), and an atomic count made parsing slower than four allocations per
/// parameter with mimalloc (ItemSearch's 9 parameters, parse and two lookups: 683 ns with
/// `String`s, 800 ns with `Arc`, 555 ns with `Rc`). So [`ParamList`] is not `Send`; to
/// move parameters to another thread, copy them out (`name.to_string()`).
#[derive(Clone)]
pub struct ParamText {
    buf: Rc<String>,
    start: usize,
    end: usize,
}

impl ParamText {
    /// The text.
    pub fn as_str(&self) -> &str {
        // The ranges are made at char boundaries of `buf`, which never changes.
        self.buf.get(self.start..self.end).unwrap_or_default()
    }

    /// True when the text is exactly `s` (lengths compared first, without slicing: the
    /// parameter lookups compare every name of a request many times).
    pub fn is(&self, s: &str) -> bool {
        self.end - self.start == s.len() && self.as_str() == s
    }

    fn range(buf: &Rc<String>, start: usize, end: usize) -> Self {
        Self { buf: buf.clone(), start, end }
    }
}

impl Default for ParamText {
    fn default() -> Self {
        Self::from(String::new())
    }
}

impl From<String> for ParamText {
    fn from(s: String) -> Self {
        let end = s.len();
        Self { buf: Rc::new(s), start: 0, end }
    }
}

impl From<&str> for ParamText {
    fn from(s: &str) -> Self {
        Self::from(s.to_owned())
    }
}

impl From<ParamText> for String {
    fn from(t: ParamText) -> Self {
        t.as_str().to_owned()
    }
}

impl std::ops::Deref for ParamText {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for ParamText {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<[u8]> for ParamText {
    fn as_ref(&self) -> &[u8] {
        self.as_str().as_bytes()
    }
}

impl std::borrow::Borrow<str> for ParamText {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Debug for ParamText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for ParamText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq for ParamText {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for ParamText {}

impl PartialOrd for ParamText {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ParamText {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl std::hash::Hash for ParamText {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

macro_rules! text_eq {
    ($($other:ty),*) => {$(
        impl PartialEq<$other> for ParamText {
            fn eq(&self, other: &$other) -> bool {
                self.is(AsRef::<str>::as_ref(other))
            }
        }
        impl PartialEq<ParamText> for $other {
            fn eq(&self, other: &ParamText) -> bool {
                other.is(AsRef::<str>::as_ref(self))
            }
        }
    )*};
}
text_eq!(str, &str, String);

/// One parameter as it arrived and as it decodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// The name exactly as sent (still percent-encoded).
    pub raw_name: ParamText,
    /// The value exactly as sent, `None` when the segment had no `=`.
    pub raw_value: Option<ParamText>,
    /// The decoded name.
    pub name: ParamText,
    /// The decoded value (empty when there was no `=`).
    pub value: ParamText,
    /// Byte offset of this pair in the parsed input.
    pub pos: usize,
}

impl Param {
    /// A parameter built from decoded text, with the raw form being its canonical encoding
    /// (the four texts share one buffer).
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        let (name, value) = (name.into(), value.into());
        let mut buf = super::encode(name.as_bytes());
        let raw_name_end = buf.len();
        super::encode_into(&mut buf, value.as_bytes());
        let raw_value_end = buf.len();
        buf.push_str(&name);
        let name_end = buf.len();
        buf.push_str(&value);
        let end = buf.len();
        let buf = Rc::new(buf);
        Self {
            raw_name: ParamText::range(&buf, 0, raw_name_end),
            raw_value: Some(ParamText::range(&buf, raw_name_end, raw_value_end)),
            name: ParamText::range(&buf, raw_value_end, name_end),
            value: ParamText::range(&buf, name_end, end),
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
        self.0.iter().find(|p| p.name.is(name))
    }

    /// How many parameters are named exactly `name`.
    pub fn count(&self, name: &str) -> usize {
        self.0.iter().filter(|p| p.name.is(name)).count()
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
        self.0.retain(|p| !p.name.is(name));
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
    // Ranges into one buffer: the decoded forms that differ from the raw text first
    // (`Place::Decoded`), then the input itself (`Place::Input`), so each parse allocates
    // this buffer, its `Rc`, the list and at most one scratch vector.
    // Sized once: decoded texts are never longer than their raw forms.
    let mut decoded = String::with_capacity(2 * input.len());
    let mut scratch = Vec::new();
    let mut spans: Vec<[Span; 4]> = Vec::new();
    // Valid UTF-8 as a whole (every real request): no raw text needs checking on its own.
    // Otherwise the checks below find the first bad byte, in the order they always did.
    let whole = std::str::from_utf8(input).ok();
    let checked = whole.is_some();
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
        let name = decode_span(raw_name, plus, pos, checked, &mut decoded, &mut scratch)?;
        let value_pos = pos + raw_name.len() + 1;
        let value = match raw_value {
            Some(v) => decode_span(v, plus, value_pos, checked, &mut decoded, &mut scratch)?,
            None => Span::EMPTY,
        };
        if !checked {
            raw_text(raw_name, pos)?;
        }
        let raw_value = match raw_value {
            Some(v) => {
                if !checked {
                    raw_text(v, value_pos)?;
                }
                Span::input(value_pos, v.len())
            }
            None => Span::NONE,
        };
        spans.push([Span::input(pos, raw_name.len()), raw_value, name, value]);
    }
    // Every byte of the input is in a checked segment or is `&`/`=`: it is UTF-8.
    let input = match whole {
        Some(text) => text,
        None => raw_text(input, 0)?,
    };
    let offset = decoded.len();
    decoded.push_str(input);
    let buf = Rc::new(decoded);
    let text = |s: Span| match s.place {
        Place::Decoded => ParamText::range(&buf, s.start, s.end),
        Place::Input | Place::None => ParamText::range(&buf, offset + s.start, offset + s.end),
    };
    let params = spans
        .into_iter()
        .map(|[raw_name, raw_value, name, value]| Param {
            pos: raw_name.start,
            raw_name: text(raw_name),
            raw_value: (raw_value.place != Place::None).then(|| text(raw_value)),
            name: text(name),
            value: text(value),
        })
        .collect();
    Ok(ParamList(params))
}

/// Where a [`Span`] lies in `parse_query`'s buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// In the input (raw text, or decoded text equal to it).
    Input,
    /// In the decoded forms written before the input.
    Decoded,
    /// No text (a segment without `=` has no raw value).
    None,
}

#[derive(Debug, Clone, Copy)]
struct Span {
    place: Place,
    start: usize,
    end: usize,
}

impl Span {
    const EMPTY: Span = Span { place: Place::Decoded, start: 0, end: 0 };
    const NONE: Span = Span { place: Place::None, start: 0, end: 0 };

    fn input(start: usize, len: usize) -> Span {
        Span { place: Place::Input, start, end: start + len }
    }
}

/// Decodes `raw` (at `base` in the input): when decoding changes nothing, the decoded text
/// is the raw text's span of the input; otherwise it is appended to `decoded`. Errors as
/// [`super::decode`]'s; `utf8` says the raw text is already known to be UTF-8.
fn decode_span(
    raw: &[u8],
    plus: PlusMeans,
    base: usize,
    utf8: bool,
    decoded: &mut String,
    scratch: &mut Vec<u8>,
) -> Result<Span, DecodeError> {
    let changes = raw.iter().any(|&b| b == b'%' || (b == b'+' && plus == PlusMeans::Space));
    if !changes {
        // Without escapes an offset in the decoded text is the same offset in `raw`.
        if !utf8 {
            raw_text(raw, base)?;
        }
        return Ok(Span::input(base, raw.len()));
    }
    super::decode_into(scratch, raw, plus, base)?;
    let start = decoded.len();
    decoded.push_str(std::str::from_utf8(scratch).map_err(|e| DecodeError {
        pos: base + super::raw_offset_of(raw, e.valid_up_to()),
        kind: DecodeErrorKind::InvalidUtf8,
    })?);
    Ok(Span { place: Place::Decoded, start, end: decoded.len() })
}

fn raw_text(raw: &[u8], pos: usize) -> Result<&str, DecodeError> {
    std::str::from_utf8(raw).map_err(|e| DecodeError { pos: pos + e.valid_up_to(), kind: DecodeErrorKind::InvalidUtf8 })
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
            let names: Vec<_> = parsed.iter().map(|p| (p.name.to_string(), p.value.to_string())).collect();
            prop_assert_eq!(names, pairs);
        }
    }
}
