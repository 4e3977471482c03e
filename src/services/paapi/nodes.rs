//! Browse-node elements shared by `BrowseNodeLookup` (`browse`) and the items' `BrowseNodes`
//! response group (`items`): `BrowseNode(BrowseNodeId, Name)`, with ancestors nested as in
//! recorded Large responses (redtoad/python-amazon-product-api
//! `tests/2011-08-01/BrowseNodeLookup-us-books-browsenode.xml`).

use crate::catalogue::paapi::{BrowseNode, PaapiCatalogue};
use crate::xml::Element;

/// `BrowseNode(BrowseNodeId, Name[, IsCategoryRoot][, Ancestors/…])`, ancestors nested
/// (the shape of `Item/BrowseNodes` in recorded Large responses).
pub(super) fn with_ancestors(c: &PaapiCatalogue, node: &BrowseNode) -> Element {
    let mut e = id_name(node);
    if node.is_category_root {
        e = e.leaf("IsCategoryRoot", "1");
    }
    if let Some(parent) = node.parent.as_deref().and_then(|p| c.node(p)) {
        e.push(Element::new("Ancestors").child(with_ancestors(c, parent)));
    }
    e
}

pub(super) fn id_name(node: &BrowseNode) -> Element {
    Element::new("BrowseNode").leaf("BrowseNodeId", node.id.clone()).leaf("Name", node.name.clone())
}
