//! `BrowseNodeLookup`: a browse node's name, children and ancestors, and its top sellers
//! and new releases.
//!
//! Shape recorded live (redtoad/python-amazon-product-api
//! `tests/2011-08-01/BrowseNodeLookup-us-books-browsenode.xml`): `BrowseNodes/Request
//! (IsValid, BrowseNodeLookupRequest/BrowseNodeId)`, then `BrowseNode(BrowseNodeId, Name,
//! IsCategoryRoot, Children/BrowseNode(BrowseNodeId, Name)…, Ancestors/BrowseNode…)`. An
//! unknown id answers `AWS.InvalidParameterValue` with `IsValid` `True`
//! (`…-fails-for-wrong-input.xml`); a bad `ResponseGroup` answers the group error, then
//! the enumeration error, with no echo (`…-fails-for-wrong-input-2.xml`; we echo anyway).
//! `TopSellers/TopSeller(ASIN, Title)`, `NewReleases/NewRelease(ASIN, Title)` and
//! `TopItemSet(Type, TopItem…)` follow the 2011-08-01 schema's `BrowseNode` element.

use super::inband::{check_response_groups, InBand, BROWSE_NODE_RULES};
use super::nodes::{id_name, with_ancestors};
use super::{Band, OpReply};
use crate::catalogue::paapi::{BrowseNode, Item};
use crate::xml::Element;

/// At most this many ids per request (DG "BrowseNodeLookup": up to ten).
const MAX_IDS: usize = 10;

fn items_under<'a>(b: &Band<'a>, node: &BrowseNode) -> Vec<&'a Item> {
    b.catalogue.items().iter().filter(|it| b.catalogue.item_in_node(it, &node.id)).collect()
}

fn asin_title(name: &str, item: &Item) -> Element {
    Element::new(name).leaf("ASIN", item.asin.clone()).leaf("Title", item.title.clone())
}

fn node_element(b: &Band<'_>, node: &BrowseNode, groups: &[String]) -> Element {
    let has = |g: &str| groups.iter().any(|x| x == g);
    let mut e = id_name(node);
    if has("BrowseNodeInfo") {
        if node.is_category_root {
            e = e.leaf("IsCategoryRoot", "1");
        }
        let children: Vec<Element> = b.catalogue.children(&node.id).map(id_name).collect();
        if !children.is_empty() {
            e.push(Element::new("Children").children(children));
        }
        if let Some(parent) = node.parent.as_deref().and_then(|p| b.catalogue.node(p)) {
            e.push(Element::new("Ancestors").child(with_ancestors(b.catalogue, parent)));
        }
    }
    let mut by_rank = items_under(b, node);
    by_rank.sort_by_key(|it| it.sales_rank.unwrap_or(u64::MAX));
    by_rank.truncate(10);
    if has("TopSellers") && !by_rank.is_empty() {
        e.push(Element::new("TopSellers").children(by_rank.iter().map(|it| asin_title("TopSeller", it))));
    }
    if has("NewReleases") {
        let mut by_date = items_under(b, node);
        by_date.sort_by(|x, y| release(y).cmp(release(x)));
        by_date.truncate(10);
        if !by_date.is_empty() {
            e.push(Element::new("NewReleases").children(by_date.iter().map(|it| asin_title("NewRelease", it))));
        }
    }
    for kind in ["MostGifted", "MostWishedFor"] {
        if has(kind) && !by_rank.is_empty() {
            e.push(Element::new("TopItemSet").leaf("Type", kind).children(by_rank.iter().map(|it| {
                Element::new("TopItem")
                    .leaf("ASIN", it.asin.clone())
                    .leaf("Title", it.title.clone())
                    .leaf("DetailPageURL", super::items::detail_page_url(b, it))
                    .leaf("ProductGroup", it.product_group.clone())
            })));
        }
    }
    e
}

fn release(item: &Item) -> &str {
    item.release_date.as_deref().or(item.publication_date.as_deref()).unwrap_or("")
}

/// Answers `BrowseNodeLookup`.
pub(super) fn run<'a>(b: &Band<'a>, pre: Vec<InBand>) -> OpReply<'a> {
    let sent_groups = b.get("ResponseGroup").map(|_| b.response_groups("BrowseNodeInfo"));
    let mut echo = Element::new("BrowseNodeLookupRequest").leaf_opt("BrowseNodeId", b.get("BrowseNodeId"));
    for g in sent_groups.iter().flatten() {
        echo = echo.leaf("ResponseGroup", g.clone());
    }
    let mut errors = pre;
    let groups = b.response_groups("BrowseNodeInfo");
    errors.extend(check_response_groups(&groups, BROWSE_NODE_RULES));
    let ids: Vec<&str> = b.get("BrowseNodeId").map(super::split_list).unwrap_or_default();
    if ids.is_empty() {
        errors.push(InBand::MissingParameters("BrowseNodeId"));
    } else if ids.len() > MAX_IDS {
        errors.push(InBand::ExceededMaximumParameterValues { param: "BrowseNodeId", max: MAX_IDS });
    }
    if errors.iter().any(InBand::invalidates) || b.validate_only {
        return OpReply::new("BrowseNodes", &errors, Some(echo), Vec::new(), b.locale.lang);
    }
    let mut nodes = Vec::new();
    for id in ids {
        match b.catalogue.node(id) {
            Some(node) => nodes.push(node_element(b, node, &groups)),
            None => errors.push(InBand::InvalidParameterValue { value: id.to_owned(), param: "BrowseNodeId" }),
        }
    }
    OpReply::new("BrowseNodes", &errors, Some(echo), nodes, b.locale.lang)
}
