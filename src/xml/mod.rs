//! XML bodies: a small element tree ([`Element`]) that services fill with typed values,
//! a one-pass writer that renders it with correct escaping, and a quick-xml parser that
//! reads bodies back (tests, runner). No HTTP knowledge.
//!
//! Amazon's XML: PA-API 4.x success and error envelopes (Developer Guide, "Error
//! Messages"; recorded responses in redtoad/python-amazon-product-api tests) and MWS
//! (Developer Guide, "Response format", "Errors"). Each service's envelopes (error
//! responses, success wrappers) live in `paapi` and `mws`; operation bodies are
//! assembled by the services from [`Element`]s.

pub(crate) mod mws;
pub(crate) mod paapi;
mod writer;

pub use writer::Writer;

use quick_xml::events::{BytesStart, Event};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Length of the last rendered document: the capacity hint for the next one.
static LAST_RENDER_LEN: AtomicUsize = AtomicUsize::new(4096);

/// The declaration every document starts with.
const DECLARATION: &str = "<?xml version=\"1.0\"?>";

/// A buffer size for the next document: like the last one rendered (bodies repeat in
/// size), so a body is written without regrowing the buffer.
fn render_capacity() -> usize {
    let hint = LAST_RENDER_LEN.load(Ordering::Relaxed);
    (hint + hint / 8).clamp(256, 1 << 20)
}

fn remember_render_len(len: usize) {
    LAST_RENDER_LEN.store(len, Ordering::Relaxed);
}

/// An XML element: name, attributes in order, children.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    /// Tag name (may carry a prefix, e.g. `ns2:ItemAttributes`).
    pub name: String,
    /// Attributes in the order they are written.
    pub attrs: Vec<(String, String)>,
    /// Child nodes.
    pub children: Vec<Node>,
}

/// A child of an [`Element`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// A nested element.
    Element(Element),
    /// Character data (escaped when written).
    Text(String),
}

impl Element {
    /// An empty element.
    pub fn new(name: impl Into<String>) -> Self {
        Self { name: name.into(), attrs: Vec::new(), children: Vec::new() }
    }

    /// Adds an attribute (builder style).
    #[must_use]
    pub fn attr(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.attrs.push((name.into(), value.into()));
        self
    }

    /// Adds a child element (builder style).
    #[must_use]
    pub fn child(mut self, child: Element) -> Self {
        self.children.push(Node::Element(child));
        self
    }

    /// Adds child elements (builder style).
    #[must_use]
    pub fn children(mut self, children: impl IntoIterator<Item = Element>) -> Self {
        self.children.extend(children.into_iter().map(Node::Element));
        self
    }

    /// Adds text content (builder style).
    #[must_use]
    pub fn text(mut self, text: impl Into<String>) -> Self {
        if self.children.capacity() == 0 {
            // Most text sits alone in a leaf: room for exactly one child.
            self.children.reserve_exact(1);
        }
        self.children.push(Node::Text(text.into()));
        self
    }

    /// Adds `<name>text</name>` (builder style).
    #[must_use]
    pub fn leaf(self, name: impl Into<String>, text: impl Into<String>) -> Self {
        self.child(Element::new(name).text(text))
    }

    /// Adds `<name>text</name>` when `text` is `Some` (builder style).
    #[must_use]
    pub fn leaf_opt(self, name: impl Into<String>, text: Option<impl Into<String>>) -> Self {
        match text {
            Some(t) => self.leaf(name, t),
            None => self,
        }
    }

    /// Appends a child element in place.
    pub fn push(&mut self, child: Element) {
        self.children.push(Node::Element(child));
    }

    /// The first child element named `name`.
    pub fn find(&self, name: &str) -> Option<&Element> {
        self.children.iter().find_map(|n| match n {
            Node::Element(e) if e.name == name => Some(e),
            _ => None,
        })
    }

    /// Renders the element as a document with an `<?xml version="1.0"?>` declaration.
    pub fn to_document(&self) -> String {
        self.render(true)
    }

    /// Renders the element alone (no declaration).
    pub fn to_fragment(&self) -> String {
        self.render(false)
    }

    fn render(&self, declaration: bool) -> String {
        let mut out = String::with_capacity(render_capacity());
        if declaration {
            out.push_str(DECLARATION);
        }
        write_element(&mut out, self);
        if declaration {
            remember_render_len(out.len());
        }
        out
    }
}

/// What a byte needs when written, as bits: 1 work in text, 2 work in attributes (3:
/// both). Every character that needs work starts with an ASCII byte below 0x20,
/// one of `&<>"`, or 0xEF (the lead byte of U+FFFE/U+FFFF).
const ESCAPE_CLASS: [u8; 256] = {
    let mut t = [0_u8; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = 3;
        i += 1;
    }
    t[b'\t' as usize] = 2;
    t[b'\n' as usize] = 2;
    t[b'"' as usize] = 2;
    t[b'&' as usize] = 3;
    t[b'<' as usize] = 3;
    t[b'>' as usize] = 3;
    t[0xEF] = 3;
    t
};

/// Appends `text` escaped for XML 1.0 so that it parses back to the same characters:
/// markup characters and CR become references (parsers turn a raw CR into LF), and in
/// attributes TAB and LF too (parsers normalise them to spaces). Characters XML 1.0 cannot
/// carry at all (C0 controls other than TAB/LF/CR, U+FFFE, U+FFFF) become U+FFFD.
///
/// Skips 8 bytes at a time while none needs work (one table lookup per byte, no branch),
/// then handles the bytes of that chunk one by one; runs that need nothing are copied as
/// slices.
fn escape_into(out: &mut String, text: &str, in_attribute: bool) {
    let mask = if in_attribute { 2 } else { 1 };
    let bytes = text.as_bytes();
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        while let Some(chunk) = bytes.get(i..i + 8) {
            let class = chunk.iter().fold(0, |acc, &b| acc | ESCAPE_CLASS[usize::from(b)]);
            if class & mask != 0 {
                break;
            }
            i += 8;
        }
        let stop = (i + 8).min(bytes.len());
        while i < stop {
            let b = bytes[i];
            if ESCAPE_CLASS[usize::from(b)] & mask == 0 {
                i += 1;
                continue;
            }
            let (replacement, width) = match b {
                b'&' => ("&amp;", 1),
                b'<' => ("&lt;", 1),
                b'>' => ("&gt;", 1),
                b'"' => ("&quot;", 1),
                b'\r' => ("&#13;", 1),
                b'\t' => ("&#9;", 1),
                b'\n' => ("&#10;", 1),
                0xEF if matches!(bytes.get(i + 1..i + 3), Some([0xBF, 0xBE | 0xBF])) => ("\u{FFFD}", 3),
                0xEF => {
                    // Another character of the EF block: copied as it is.
                    i += 1;
                    continue;
                }
                _ => ("\u{FFFD}", 1),
            };
            // `i` is at an ASCII byte or a lead byte: both are character boundaries.
            out.push_str(&text[copied..i]);
            out.push_str(replacement);
            i += width;
            copied = i;
        }
    }
    out.push_str(&text[copied..]);
}

/// Writes `e` into `out` in one pass with no allocation per element (the mock renders a
/// body per request; quick-xml parses every rendered body back in the tests).
fn write_element(out: &mut String, e: &Element) {
    out.push('<');
    out.push_str(&e.name);
    for (k, v) in &e.attrs {
        out.push(' ');
        out.push_str(k);
        out.push_str("=\"");
        escape_into(out, v, true);
        out.push('"');
    }
    if e.children.is_empty() {
        out.push_str("/>");
        return;
    }
    out.push('>');
    for child in &e.children {
        match child {
            Node::Element(c) => write_element(out, c),
            Node::Text(t) => escape_into(out, t, false),
        }
    }
    out.push_str("</");
    out.push_str(&e.name);
    out.push('>');
}

/// Parses a document back into an [`Element`] tree (for tests and the scenario runner).
pub fn parse(text: &str) -> Result<Element, ParseXmlError> {
    use quick_xml::Reader;
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root = None;
    loop {
        let event = reader.read_event().map_err(|e| ParseXmlError(e.to_string()))?;
        match event {
            Event::Start(s) => stack.push(element_of(&s)?),
            Event::Empty(s) => {
                let e = element_of(&s)?;
                match stack.last_mut() {
                    Some(parent) => parent.push(e),
                    None => root = Some(e),
                }
            }
            Event::End(_) => {
                let e = drop_indentation(stack.pop().ok_or_else(|| ParseXmlError("unbalanced end tag".into()))?);
                match stack.last_mut() {
                    Some(parent) => parent.push(e),
                    None => root = Some(e),
                }
            }
            Event::Text(t) => {
                let text = t.decode().map_err(|e| ParseXmlError(e.to_string()))?;
                push_text(&mut stack, &text);
            }
            Event::GeneralRef(r) => {
                let name = String::from_utf8_lossy(&r).into_owned();
                let ch = match name.as_str() {
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    "quot" => '"',
                    "apos" => '\'',
                    other => other
                        .strip_prefix("#x")
                        .map(|h| u32::from_str_radix(h, 16))
                        .or_else(|| other.strip_prefix('#').map(str::parse::<u32>))
                        .and_then(Result::ok)
                        .and_then(char::from_u32)
                        .ok_or_else(|| ParseXmlError(format!("unknown entity &{other};")))?,
                };
                push_text(&mut stack, ch.encode_utf8(&mut [0; 4]));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err(ParseXmlError("unclosed element".into()));
    }
    root.ok_or_else(|| ParseXmlError("no root element".into()))
}

/// Appends text to the open element, merging with a preceding text node.
fn push_text(stack: &mut [Element], text: &str) {
    let Some(parent) = stack.last_mut() else { return };
    match parent.children.last_mut() {
        Some(Node::Text(t)) => t.push_str(text),
        _ => parent.children.push(Node::Text(text.to_owned())),
    }
}

/// Drops whitespace-only text (indentation) from an element that has element children.
fn drop_indentation(mut e: Element) -> Element {
    if e.children.iter().any(|c| matches!(c, Node::Element(_))) {
        e.children.retain(|c| !matches!(c, Node::Text(t) if t.trim().is_empty()));
    }
    e
}

fn element_of(s: &BytesStart<'_>) -> Result<Element, ParseXmlError> {
    let mut e = Element::new(String::from_utf8_lossy(s.name().as_ref()).into_owned());
    for a in s.attributes() {
        let a = a.map_err(|e| ParseXmlError(e.to_string()))?;
        let v = a.unescape_value().map_err(|e| ParseXmlError(e.to_string()))?;
        e.attrs.push((String::from_utf8_lossy(a.key.as_ref()).into_owned(), v.into_owned()));
    }
    Ok(e)
}

impl Element {
    /// The concatenated text of this element's direct text children.
    pub fn text_content(&self) -> String {
        self.children
            .iter()
            .filter_map(|n| match n {
                Node::Text(t) => Some(t.as_str()),
                Node::Element(_) => None,
            })
            .collect()
    }

    /// Follows a path of child names (`"Items/Request/IsValid"`).
    pub fn path(&self, path: &str) -> Option<&Element> {
        path.split('/').try_fold(self, |e, name| e.find(name))
    }

    /// The value of attribute `name`.
    pub fn attr_value(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// A document that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed XML: {0}")]
pub struct ParseXmlError(pub String);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn renders_and_parses_back() {
        let doc = Element::new("R")
            .attr("xmlns", "http://example.com/")
            .child(Element::new("A").text("x < y & \"z\""))
            .child(Element::new("Empty"))
            .to_document();
        assert_eq!(
            doc,
            "<?xml version=\"1.0\"?><R xmlns=\"http://example.com/\"><A>x &lt; y &amp; \"z\"</A><Empty/></R>"
        );
        let back = parse(&doc).unwrap();
        assert_eq!(back.path("A").unwrap().text_content(), "x < y & \"z\"");
        assert_eq!(back.attr_value("xmlns"), Some("http://example.com/"));
    }

    /// The character-by-character escaper the table-driven one replaced: the reference.
    fn escape_by_chars(text: &str, in_attribute: bool) -> String {
        let mut out = String::new();
        for c in text.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' if in_attribute => out.push_str("&quot;"),
                '\r' => out.push_str("&#13;"),
                '\t' if in_attribute => out.push_str("&#9;"),
                '\n' if in_attribute => out.push_str("&#10;"),
                '\t' | '\n' => out.push(c),
                c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
                c => out.push(c),
            }
        }
        out
    }

    proptest! {
        #[test]
        fn escaping_matches_the_reference(text in "(\\PC|[\\x00-\\x1F\"&<>\u{FFFD}-\u{FFFF}\u{F000}-\u{FFFC}])*", attr: bool) {
            let mut out = String::new();
            escape_into(&mut out, &text, attr);
            prop_assert_eq!(out, escape_by_chars(&text, attr));
        }

        #[test]
        fn any_text_round_trips(text in "[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\u{FFFE}\\u{FFFF}]{1,40}", attr in "[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F]{0,20}") {
            prop_assume!(!text.trim().is_empty());
            let doc = Element::new("R").attr("a", attr.clone()).child(Element::new("T").text(text.clone())).to_document();
            let back = parse(&doc).unwrap();
            prop_assert_eq!(back.path("T").unwrap().text_content(), text);
            prop_assert_eq!(back.attr_value("a"), Some(attr.as_str()));
        }
    }
}
