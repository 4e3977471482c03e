//! `ItemLookup` and `SimilarityLookup`: items by id, and items similar to given ones.
//!
//! ItemLookup as recorded live (redtoad/python-amazon-product-api `tests/2011-08-01/`):
//! the echo `ItemLookupRequest` fills in defaults (`IdType` ASIN, `ResponseGroup` Small,
//! `VariationPage` All) and splits `ResponseGroup` into one element per group
//! (`ResultPaginator-us-itemlookup-related-items-pagination.xml`); `ItemId` is echoed as
//! sent; an unknown id is `AWS.InvalidParameterValue` with `IsValid` `True`
//! (`ItemLookup-us-invalid-item-id.xml`); `IdType` ISBN/UPC/EAN/SKU without `SearchIndex`
//! is `AWS.MissingParameterValueCombination` (`…-valid-isbn-no-searchindex.xml`) and an
//! ISBN-13 finds the book (`…-valid-isbn.xml`). Up to ten ids (DG "ItemLookup"; more is
//! `AWS.ExceededMaximumParameterValues`, whose DG entry names ItemLookup). `SearchIndex`
//! with `IdType` ASIN is refused with the recorded restricted-combination template (DG:
//! "SearchIndex … cannot be used when IdType is ASIN").
//!
//! SimilarityLookup (DG "SimilarityLookup"): `SimilarityType` Intersection (default:
//! items similar to all given ASINs) or Random (to any); none found is
//! `AWS.ECommerceService.NoSimilarities`.

use super::inband::{
    check_response_groups, invalid_enumerated, InBand, ITEM_LOOKUP_RULES, ITEM_LOOKUP_SEARCH_INDICES, SIMILARITY_RULES,
};
use super::items::{Aspects, OfferFilter, CONDITIONS};
use super::{Band, OpReply};
use crate::catalogue::paapi::{IdKind, Item};
use crate::xml::Element;

/// At most this many `ItemId` values.
const MAX_IDS: usize = 10;

/// The `IdType` values (recorded `AWS.MissingParameterValueCombination` lists the
/// non-ASIN ones).
const ID_TYPES: &str = "ASIN, DPCI, EAN, ISBN, SKU, UPC";

/// What an `IdType` value asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IdType {
    /// A catalogue identifier.
    Known(IdKind),
    /// `DPCI` (a Target department id): valid, matches nothing here.
    Dpci,
    /// Not an `IdType`.
    Invalid,
}

fn id_type_of(value: &str) -> IdType {
    match value {
        "ASIN" => IdType::Known(IdKind::Asin),
        "ISBN" => IdType::Known(IdKind::Isbn),
        "EAN" => IdType::Known(IdKind::Ean),
        "UPC" => IdType::Known(IdKind::Upc),
        "SKU" => IdType::Known(IdKind::Sku),
        "DPCI" => IdType::Dpci,
        _ => IdType::Invalid,
    }
}

fn check_condition(b: &Band<'_>, errors: &mut Vec<InBand>) {
    if let Some(c) = b.get("Condition") {
        if !super::inband::is_listed(CONDITIONS, c) {
            errors.push(invalid_enumerated("Condition", CONDITIONS));
        }
    }
}

fn check_ids<'a>(b: &Band<'a>, errors: &mut Vec<InBand>) -> Vec<&'a str> {
    let ids: Vec<&str> = b.get("ItemId").map(super::split_list).unwrap_or_default();
    if ids.is_empty() {
        errors.push(InBand::MissingParameters("ItemId"));
    } else if ids.len() > MAX_IDS {
        errors.push(InBand::ExceededMaximumParameterValues { param: "ItemId", max: MAX_IDS });
    }
    ids
}

/// Answers `ItemLookup`.
pub(super) fn item_lookup<'a>(b: &Band<'a>, pre: Vec<InBand>) -> OpReply<'a> {
    let id_type = b.get("IdType").unwrap_or("ASIN");
    let groups = b.response_groups("Small");
    let mut echo = Element::new("ItemLookupRequest")
        .leaf("IdType", id_type)
        .leaf_opt("MerchantId", b.get("MerchantId"))
        .leaf_opt("ItemId", b.get("ItemId"));
    for g in &groups {
        echo = echo.leaf("ResponseGroup", g.clone());
    }
    let search_index = b.get("SearchIndex");
    let echo = echo.leaf_opt("SearchIndex", search_index).leaf("VariationPage", "All");

    let mut errors = pre;
    let kind = id_type_of(id_type);
    if kind == IdType::Invalid {
        errors.push(invalid_enumerated("IdType", ID_TYPES));
    }
    if let Some(si) = search_index {
        if !super::inband::is_listed(ITEM_LOOKUP_SEARCH_INDICES, si) {
            errors.push(invalid_enumerated("SearchIndex", ITEM_LOOKUP_SEARCH_INDICES));
        }
    }
    errors.extend(check_response_groups(&groups, ITEM_LOOKUP_RULES));
    check_condition(b, &mut errors);
    match (kind, search_index) {
        (IdType::Known(IdKind::Asin), Some(_)) => errors.push(InBand::RestrictedParameterValueCombination {
            param: "IdType",
            value: "ASIN".to_owned(),
            other: "SearchIndex",
        }),
        (IdType::Known(IdKind::Isbn | IdKind::Ean | IdKind::Upc | IdKind::Sku) | IdType::Dpci, None) => {
            errors.push(InBand::MissingSearchIndexForIdType);
        }
        _ => {}
    }
    let ids = check_ids(b, &mut errors);
    if errors.iter().any(InBand::invalidates) || b.validate_only {
        return OpReply::new("Items", &errors, Some(echo), Vec::new(), b.locale.lang);
    }
    let aspects = Aspects::from_groups(&groups);
    let filter = OfferFilter::from_band(b);
    let mut items = Vec::new();
    for id in ids {
        let found: Vec<&Item> = match kind {
            IdType::Known(k) => b.catalogue.find(k, id).into_iter().filter(|it| in_index(it, search_index)).collect(),
            IdType::Dpci | IdType::Invalid => Vec::new(),
        };
        if found.is_empty() {
            errors.push(InBand::InvalidParameterValue { value: id.to_owned(), param: "ItemId" });
        }
        items.extend(found);
    }
    OpReply::new("Items", &errors, Some(echo), Vec::new(), b.locale.lang).with_items(items, aspects, filter)
}

fn in_index(item: &Item, search_index: Option<&str>) -> bool {
    match search_index {
        None | Some("All" | "Blended") => true,
        Some(si) => item.search_index == si,
    }
}

/// Answers `SimilarityLookup`.
pub(super) fn similarity_lookup<'a>(b: &Band<'a>, pre: Vec<InBand>) -> OpReply<'a> {
    let groups = b.response_groups("Small");
    let similarity = b.get("SimilarityType").unwrap_or("Intersection");
    let mut echo = Element::new("SimilarityLookupRequest")
        .leaf_opt("ItemId", b.get("ItemId"))
        .leaf_opt("MerchantId", b.get("MerchantId"));
    for g in &groups {
        echo = echo.leaf("ResponseGroup", g.clone());
    }
    let echo = echo.leaf("SimilarityType", similarity);

    let mut errors = pre;
    if !matches!(similarity, "Intersection" | "Random") {
        errors.push(invalid_enumerated("SimilarityType", "Intersection, Random"));
    }
    errors.extend(check_response_groups(&groups, SIMILARITY_RULES));
    check_condition(b, &mut errors);
    let ids = check_ids(b, &mut errors);
    if errors.iter().any(InBand::invalidates) || b.validate_only {
        return OpReply::new("Items", &errors, Some(echo), Vec::new(), b.locale.lang);
    }
    let mut known: Vec<&Item> = Vec::new();
    for id in &ids {
        match b.catalogue.item(id) {
            Some(it) => known.push(it),
            None => errors.push(InBand::InvalidParameterValue { value: (*id).to_owned(), param: "ItemId" }),
        }
    }
    let similar: Vec<&Item> = b
        .catalogue
        .items()
        .iter()
        .filter(|cand| !ids.contains(&cand.asin.as_str()))
        .filter(|cand| {
            let related = |it: &&Item| it.similar.contains(&cand.asin);
            !known.is_empty()
                && if similarity == "Random" { known.iter().any(related) } else { known.iter().all(related) }
        })
        .collect();
    if similar.is_empty() && !known.is_empty() {
        errors.push(InBand::NoSimilarities(known.iter().map(|it| it.asin.as_str()).collect::<Vec<_>>().join(",")));
    }
    let aspects = Aspects::from_groups(&groups);
    let filter = OfferFilter::from_band(b);
    OpReply::new("Items", &errors, Some(echo), Vec::new(), b.locale.lang).with_items(similar, aspects, filter)
}
