//! `ItemSearch`: items of a search index matching the criteria, ten per page.
//!
//! Recorded live (redtoad/python-amazon-product-api `tests/2011-08-01/`): the echo
//! `ItemSearchRequest` lists the criteria in schema order with `ItemPage` 1 and
//! `ResponseGroup` Small filled in (`ItemSearch-us-lookup-by-title.xml`); then
//! `TotalResults`, `TotalPages` (ten items a page), `MoreSearchResultsUrl`, `Item`…;
//! no criterion is `AWS.MinimumParameterRequirement` (`…-no-parameters.xml`);
//! `SearchIndex=All` with `BrowseNode` is `AWS.RestrictedParameterValueCombination`
//! (`…-invalid-parameter-combination.xml`); nothing found is
//! `AWS.ECommerceService.NoExactMatches` with `TotalResults` 0 and the URL still present
//! (`ItemSearch-cn-unicode-parameter.xml`). `ItemPage` above 10 (5 for All) is refused
//! (PA-API "API changes" of 2011-11-01); the message follows the recorded
//! `AWS.ParameterOutOfRange` template.

use super::inband::{
    check_response_groups, invalid_enumerated, is_listed, InBand, ITEM_SEARCH_RULES, ITEM_SEARCH_SEARCH_INDICES,
};
use super::items::{lowest_new_price, Aspects, OfferFilter, CONDITIONS};
use super::{Band, OpReply};
use crate::catalogue::paapi::Item;
use crate::encoding::encode;
use crate::xml::Element;

/// The echo's elements, in the 2011-08-01 schema's `ItemSearchRequest` order.
const ECHOED: &[&str] = &[
    "Actor",
    "Artist",
    "Availability",
    "Author",
    "Brand",
    "BrowseNode",
    "Composer",
    "Conductor",
    "Director",
    "ItemPage",
    "Keywords",
    "Manufacturer",
    "MaximumPrice",
    "MerchantId",
    "MinimumPrice",
    "MinPercentageOff",
    "MusicLabel",
    "Orchestra",
    "Power",
    "Publisher",
    "ResponseGroup",
    "SearchIndex",
    "Sort",
    "Title",
];

/// The criteria of which at least one is required (recorded message's list).
const CRITERIA: &[&str] = &[
    "Keywords",
    "Title",
    "Power",
    "BrowseNode",
    "Artist",
    "Author",
    "Actor",
    "Director",
    "AudienceRating",
    "Manufacturer",
    "MusicLabel",
    "Composer",
    "Publisher",
    "Brand",
    "Conductor",
    "Orchestra",
    "TextStream",
    "Cuisine",
    "City",
    "Neighborhood",
];

const PAGE_SIZE: usize = 10;

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

/// Every word of `query` appears among the words of one of `fields`' texts combined (the
/// rule `matches` applies, stated on whole texts for the tests).
#[cfg(test)]
fn all_words_in<'a>(query: &str, fields: impl IntoIterator<Item = &'a str>) -> bool {
    let texts: Vec<&str> = fields.into_iter().collect();
    all_words_among(&words(query), &texts)
}

/// `all_words_in` with the query already split into lowercase words, and no allocation
/// per text or word (`matches` runs it for every catalogue item of every search).
fn all_words_among(query_words: &[String], texts: &[&str]) -> bool {
    !query_words.is_empty()
        && query_words.iter().all(|w| {
            texts.iter().any(|t| t.split(|c: char| !c.is_alphanumeric()).any(|h| !h.is_empty() && lower_eq(h, w)))
        })
}

/// `h.to_lowercase() == lower`, without building the lowercase copy for ASCII words.
fn lower_eq(h: &str, lower: &str) -> bool {
    if h.is_ascii() {
        h.len() == lower.len() && h.bytes().zip(lower.bytes()).all(|(a, b)| a.to_ascii_lowercase() == b)
    } else {
        h.to_lowercase() == lower
    }
}

/// The item's texts a field criterion (`Title`, `Author`, …) is matched against.
fn field_texts<'i>(item: &'i Item, param: &str) -> &'i [String] {
    match param {
        "Title" => std::slice::from_ref(&item.title),
        "Author" => &item.authors,
        "Actor" => &item.actors,
        "Artist" => &item.artists,
        "Director" => &item.directors,
        "Manufacturer" => item.manufacturer.as_slice(),
        "Publisher" => item.publisher.as_slice(),
        "Brand" => item.brand.as_slice(),
        "AudienceRating" => item.audience_rating.as_slice(),
        _ => &[],
    }
}

/// The field criteria, matched in this order.
const FIELD_CRITERIA: [&str; 9] =
    ["Title", "Author", "Actor", "Artist", "Director", "Manufacturer", "Publisher", "Brand", "AudienceRating"];

/// A search's criteria, read from the request once (not once per catalogue item).
struct Criteria<'a> {
    /// Field criteria present in the request, with their lowercase words.
    fields: Vec<(&'static str, Vec<String>)>,
    keywords: Option<Vec<String>>,
    browse_node: Option<&'a str>,
    min_price: Option<i64>,
    max_price: Option<i64>,
}

impl<'a> Criteria<'a> {
    fn new(b: &Band<'a>) -> Self {
        let bound = |p: &str| b.get(p).and_then(|v| v.parse::<i64>().ok());
        Criteria {
            fields: FIELD_CRITERIA.iter().filter_map(|&p| b.get(p).map(|q| (p, words(q)))).collect(),
            keywords: b.get("Keywords").map(words),
            browse_node: b.get("BrowseNode"),
            min_price: bound("MinimumPrice"),
            max_price: bound("MaximumPrice"),
        }
    }
}

fn names(v: &[String]) -> impl Iterator<Item = &str> {
    v.iter().map(String::as_str)
}

fn matches(b: &Band<'_>, c: &Criteria<'_>, item: &Item, si: &str) -> bool {
    if !matches!(si, "All" | "Blended") && item.search_index != si {
        return false;
    }
    for (param, query_words) in &c.fields {
        let texts: Vec<&str> = names(field_texts(item, param)).collect();
        if !all_words_among(query_words, &texts) {
            return false;
        }
    }
    if let Some(k) = &c.keywords {
        let mut hay: Vec<&str> = vec![item.title.as_str(), item.product_group.as_str()];
        for v in [&item.authors, &item.actors, &item.artists, &item.directors, &item.features] {
            hay.extend(names(v));
        }
        hay.extend(item.creators.iter().map(|c| c.name.as_str()));
        hay.extend(
            [&item.manufacturer, &item.brand, &item.publisher, &item.binding, &item.model]
                .into_iter()
                .flatten()
                .map(String::as_str),
        );
        if !all_words_among(k, &hay) {
            return false;
        }
    }
    if let Some(node) = c.browse_node {
        if !b.catalogue.item_in_node(item, node) {
            return false;
        }
    }
    if c.min_price.is_none() && c.max_price.is_none() {
        return true;
    }
    let price = lowest_new_price(b, item);
    if let Some(min) = c.min_price {
        if price.is_none_or(|p| p < min) {
            return false;
        }
    }
    if let Some(max) = c.max_price {
        if price.is_none_or(|p| p > max) {
            return false;
        }
    }
    true
}

/// `Sort` (DG "Sort Values"): salesrank, price, -price, titlerank, -titlerank; anything
/// else keeps relevance (catalogue) order.
fn sort(b: &Band<'_>, found: &mut [&Item]) {
    match b.get("Sort") {
        Some("salesrank") => found.sort_by_key(|it| it.sales_rank.unwrap_or(u64::MAX)),
        Some("price") => found.sort_by_key(|it| lowest_new_price(b, it).unwrap_or(i64::MAX)),
        Some("-price") => found.sort_by_key(|it| std::cmp::Reverse(lowest_new_price(b, it).unwrap_or(0))),
        Some("titlerank") => found.sort_by(|x, y| x.title.cmp(&y.title)),
        Some("-titlerank") => found.sort_by(|x, y| y.title.cmp(&x.title)),
        _ => {}
    }
}

/// The `search-alias` of a search index on the retail site.
fn search_alias(si: &str) -> String {
    match si {
        "Books" => "stripbooks".to_owned(),
        "KindleStore" => "digital-text".to_owned(),
        "All" | "Blended" => "aps".to_owned(),
        other => other.to_lowercase(),
    }
}

/// `MoreSearchResultsUrl` (recorded: `…/gp/redirect.html?camp=2025&creative=386001&
/// location={encoded search URL}&linkCode=xm2&tag={tag}&SubscriptionId={AKID}`; the
/// inner query is form-encoded, `+` for space, then the whole URL is encoded again).
fn more_results_url(b: &Band<'_>, si: &str) -> String {
    let query = CRITERIA.iter().filter(|c| **c != "BrowseNode").find_map(|c| b.get(c));
    let selector = match (query, b.get("BrowseNode")) {
        (None, Some(node)) => format!("node={}", encode(node.as_bytes())),
        (query, _) => format!("keywords={}", encode(query.unwrap_or("").as_bytes()).replace("%20", "+")),
    };
    let location = format!("{}/gp/search?{selector}&url=search-alias%3D{}", b.locale.retail_base(), search_alias(si));
    format!(
        "{}/gp/redirect.html?camp=2025&creative=386001&location={}&linkCode=xm2&tag={}&SubscriptionId={}",
        b.locale.retail_base(),
        encode(location.as_bytes()),
        encode(b.tag.as_bytes()),
        encode(b.access_key_id.as_bytes())
    )
}

/// Answers `ItemSearch`.
pub(super) fn run<'a>(b: &Band<'a>, pre: Vec<InBand>) -> OpReply<'a> {
    let groups = b.response_groups("Small");
    let mut echo = Element::new("ItemSearchRequest");
    for &name in ECHOED {
        match name {
            "ItemPage" => echo = echo.leaf("ItemPage", b.get("ItemPage").unwrap_or("1")),
            "ResponseGroup" => {
                echo = echo.children(groups.iter().map(|g| Element::new("ResponseGroup").text(g.clone())));
            }
            _ => echo = echo.leaf_opt(name, b.get(name)),
        }
    }
    let mut errors = pre;
    let si = b.get("SearchIndex");
    match si {
        None => errors.push(InBand::MissingParameters("SearchIndex")),
        Some(si) if !is_listed(ITEM_SEARCH_SEARCH_INDICES, si) => {
            errors.push(invalid_enumerated("SearchIndex", ITEM_SEARCH_SEARCH_INDICES));
        }
        Some(_) => {}
    }
    errors.extend(check_response_groups(&groups, ITEM_SEARCH_RULES));
    if !CRITERIA.iter().any(|c| b.get(c).is_some()) {
        errors.push(InBand::MinimumParameterRequirement);
    }
    if si == Some("All") && b.get("BrowseNode").is_some() {
        errors.push(InBand::RestrictedParameterValueCombination {
            param: "SearchIndex",
            value: "All".to_owned(),
            other: "BrowseNode",
        });
    }
    if let Some(c) = b.get("Condition") {
        if !is_listed(CONDITIONS, c) {
            errors.push(invalid_enumerated("Condition", CONDITIONS));
        }
    }
    let max_page: u32 = if si == Some("All") { 5 } else { 10 };
    let page = b.get("ItemPage").map_or(Some(1), |p| p.parse::<u32>().ok());
    let page = match page {
        Some(p) if (1..=max_page).contains(&p) => p,
        _ => {
            errors.push(InBand::ParameterOutOfRange { param: "ItemPage", low: 1, high: max_page });
            1
        }
    };
    let Some(si) = si.filter(|_| !errors.iter().any(InBand::invalidates) && !b.validate_only) else {
        return OpReply::new("Items", &errors, Some(echo), Vec::new(), b.locale.lang);
    };
    let criteria = Criteria::new(b);
    let mut found: Vec<&Item> = b.catalogue.items().iter().filter(|it| matches(b, &criteria, it, si)).collect();
    sort(b, &mut found);
    if found.is_empty() {
        errors.push(InBand::NoExactMatches);
    }
    let total = found.len();
    let pages = total.div_ceil(PAGE_SIZE);
    let aspects = Aspects::from_groups(&groups);
    let filter = OfferFilter::from_band(b);
    let start = usize::try_from(page - 1).unwrap_or(0) * PAGE_SIZE;
    let rest = vec![
        Element::new("TotalResults").text(total.to_string()),
        Element::new("TotalPages").text(pages.to_string()),
        Element::new("MoreSearchResultsUrl").text(more_results_url(b, si)),
    ];
    let page_items = found.iter().skip(start).take(PAGE_SIZE).copied().collect();
    OpReply::new("Items", &errors, Some(echo), rest, b.locale.lang).with_items(page_items, aspects, filter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_match_case_and_punctuation_insensitively() {
        assert!(all_words_in("harry potter", ["Harry Potter and the Philosopher's Stone"]));
        assert!(all_words_in("Johnny Depp", ["Orlando Bloom", "Johnny Depp"]));
        assert!(!all_words_in("Johnny Cash", ["Johnny Depp"]));
        assert!(!all_words_in("", ["anything"]));
    }
}
