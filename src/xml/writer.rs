//! A streaming XML writer: the same output as rendering an [`Element`] tree (same escaping,
//! `<X/>` for an element with no content), written straight into one buffer, for bodies
//! that are rendered on every request (PA-API items): no tree to allocate, fill and drop.
//!
//! ```
//! use amzsig::xml::{Element, Writer};
//! let mut w = Writer::fragment();
//! w.element("Item", &[("Kind", "book")], |w| {
//!     w.leaf("Title", "Ulysses & co");
//!     w.element("Empty", &[], |_| {});
//! });
//! let tree = Element::new("Item").attr("Kind", "book").leaf("Title", "Ulysses & co").child(Element::new("Empty"));
//! assert_eq!(w.finish(), tree.to_fragment());
//! ```

use super::{escape_into, write_element, Element, Node};

/// Writes elements, attributes and text in document order into one string.
#[derive(Debug, Default)]
pub struct Writer {
    out: String,
    document: bool,
}

impl Writer {
    /// A document: starts with `<?xml version="1.0"?>`, as [`Element::to_document`] does.
    pub fn document() -> Self {
        let mut out = String::with_capacity(super::render_capacity());
        out.push_str(super::DECLARATION);
        Self { out, document: true }
    }

    /// A fragment (no declaration), as [`Element::to_fragment`].
    pub fn fragment() -> Self {
        Self { out: String::with_capacity(256), document: false }
    }

    /// `<name attrs…>content</name>`, or `<name attrs…/>` when `content` writes nothing.
    pub fn element(&mut self, name: &str, attrs: &[(&str, &str)], content: impl FnOnce(&mut Self)) -> &mut Self {
        self.start(name, attrs);
        let mark = self.out.len();
        content(self);
        if self.out.len() == mark {
            self.out.pop();
            self.out.push_str("/>");
        } else {
            self.end(name);
        }
        self
    }

    /// `<name>text</name>` (also when `text` is empty, like [`Element::leaf`]).
    pub fn leaf(&mut self, name: &str, text: &str) -> &mut Self {
        self.leaf_with_attrs(name, &[], text)
    }

    /// `<name attrs…>text</name>`.
    pub fn leaf_with_attrs(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) -> &mut Self {
        self.start(name, attrs);
        escape_into(&mut self.out, text, false);
        self.end(name);
        self
    }

    /// `<name>text</name>` when `text` is `Some`.
    pub fn leaf_opt(&mut self, name: &str, text: Option<&str>) -> &mut Self {
        if let Some(t) = text {
            self.leaf(name, t);
        }
        self
    }

    /// Character data, escaped.
    pub fn text(&mut self, text: &str) -> &mut Self {
        escape_into(&mut self.out, text, false);
        self
    }

    /// An element tree, exactly as [`Element::to_fragment`] renders it.
    pub fn tree(&mut self, e: &Element) -> &mut Self {
        write_element(&mut self.out, e);
        self
    }

    /// A child node of a tree.
    pub fn node(&mut self, n: &Node) -> &mut Self {
        match n {
            Node::Element(e) => write_element(&mut self.out, e),
            Node::Text(t) => escape_into(&mut self.out, t, false),
        }
        self
    }

    /// The text written.
    pub fn finish(self) -> String {
        if self.document {
            super::remember_render_len(self.out.len());
        }
        self.out
    }

    fn start(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.out.push('<');
        self.out.push_str(name);
        for (k, v) in attrs {
            self.out.push(' ');
            self.out.push_str(k);
            self.out.push_str("=\"");
            escape_into(&mut self.out, v, true);
            self.out.push('"');
        }
        self.out.push('>');
    }

    fn end(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Writes `e` through the writer's own calls (not `tree`), to compare with the renderer.
    fn write_like(w: &mut Writer, e: &Element) {
        let attrs: Vec<(&str, &str)> = e.attrs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        match e.children.as_slice() {
            [Node::Text(t)] => {
                w.leaf_with_attrs(&e.name, &attrs, t);
            }
            children => {
                w.element(&e.name, &attrs, |w| {
                    for c in children {
                        match c {
                            Node::Element(c) => write_like(w, c),
                            Node::Text(t) => {
                                w.text(t);
                            }
                        }
                    }
                });
            }
        }
    }

    fn tree() -> impl Strategy<Value = Element> {
        let leaf = ("[A-Z][a-z]{0,5}", "\\PC{0,8}", proptest::option::of("[^\\x00]{0,6}")).prop_map(|(n, t, a)| {
            let e = Element::new(n);
            let e = match a {
                Some(a) => e.attr("A", a),
                None => e,
            };
            if t.is_empty() {
                e
            } else {
                e.text(t)
            }
        });
        leaf.prop_recursive(3, 24, 4, |inner| {
            ("[A-Z][a-z]{0,5}", proptest::collection::vec(inner, 0..4))
                .prop_map(|(n, children)| Element::new(n).children(children))
        })
    }

    proptest! {
        #[test]
        fn writes_what_the_tree_renders(e in tree()) {
            let mut w = Writer::fragment();
            write_like(&mut w, &e);
            prop_assert_eq!(w.finish(), e.to_fragment());
            let mut d = Writer::document();
            d.tree(&e);
            prop_assert_eq!(d.finish(), e.to_document());
        }
    }
}
