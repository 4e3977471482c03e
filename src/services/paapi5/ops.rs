//! The four PA-API 5.0 operations over the shared catalogue, answering JSON shaped like
//! the documentation's samples (GetItems "Sample Response": `ItemsResult.Items[]` with
//! `ASIN`, `DetailPageURL`, `ItemInfo.Title` {`DisplayValue`, `Label`, `Locale`},
//! `Offers.Listings[]` {`Price` {`Amount`, `Currency`, `DisplayAmount`}}; SearchItems
//! `SearchResult` {`TotalResultCount`, `SearchURL`, `Items`}; GetVariations
//! `VariationsResult` {`VariationSummary`, `Items`}; GetBrowseNodes `BrowseNodesResult.
//! BrowseNodes[]` {`Id`, `DisplayName`, `ContextFreeName`, `IsRoot`, `Ancestor`,
//! `Children`}) and invalid ids reported in a top-level `Errors` array of
//! `com.amazon.paapi5#ErrorData` ("The ItemId {id} provided in the request is invalid.").

use super::errors::Refusal;
use super::locale::Locale5;
use super::Operation;
use crate::catalogue::paapi::{BrowseNode, Item, PaapiCatalogue};
use serde_json::{json, Map, Value};

/// What an operation reads.
pub(super) struct Input<'a> {
    pub body: &'a Map<String, Value>,
    pub locale: &'static Locale5,
    pub catalogue: &'a PaapiCatalogue,
    pub partner_tag: &'a str,
}

/// A successful answer: the body and the first item-level error code (journal).
pub(super) struct OpAnswer {
    pub body: Value,
    pub first_error: Option<&'static str>,
}

/// The resource groups an item can carry (GetItems "Resources").
const ITEM_RESOURCES: &[&str] = &[
    "BrowseNodeInfo.BrowseNodes",
    "BrowseNodeInfo.BrowseNodes.Ancestor",
    "BrowseNodeInfo.BrowseNodes.SalesRank",
    "BrowseNodeInfo.WebsiteSalesRank",
    "Images.Primary.Small",
    "Images.Primary.Medium",
    "Images.Primary.Large",
    "ItemInfo.ByLineInfo",
    "ItemInfo.Classifications",
    "ItemInfo.ContentInfo",
    "ItemInfo.ExternalIds",
    "ItemInfo.Features",
    "ItemInfo.ManufactureInfo",
    "ItemInfo.ProductInfo",
    "ItemInfo.Title",
    "Offers.Listings.Availability.Message",
    "Offers.Listings.Availability.Type",
    "Offers.Listings.Condition",
    "Offers.Listings.MerchantInfo",
    "Offers.Listings.Price",
    "Offers.Summaries.LowestPrice",
    "Offers.Summaries.OfferCount",
];

/// Browse-node resources (GetBrowseNodes "Resources").
const NODE_RESOURCES: &[&str] = &["BrowseNodes.Ancestor", "BrowseNodes.Children"];

/// Search-only resources.
const SEARCH_RESOURCES: &[&str] = &["SearchRefinements"];

/// Variation-only resources.
const VARIATION_RESOURCES: &[&str] = &["VariationSummary.VariationDimension", "VariationSummary.Price.HighestPrice"];

pub(super) fn run(op: Operation, input: &Input<'_>) -> Result<OpAnswer, Refusal> {
    let allowed: Vec<&str> = match op {
        Operation::GetItems => ITEM_RESOURCES.to_vec(),
        Operation::SearchItems => [ITEM_RESOURCES, SEARCH_RESOURCES].concat(),
        Operation::GetVariations => [ITEM_RESOURCES, VARIATION_RESOURCES].concat(),
        Operation::GetBrowseNodes => NODE_RESOURCES.to_vec(),
    };
    let resources = resources(input.body, &allowed)?;
    match op {
        Operation::GetItems => get_items(input, &resources),
        Operation::SearchItems => search_items(input, &resources),
        Operation::GetVariations => get_variations(input, &resources),
        Operation::GetBrowseNodes => get_browse_nodes(input, &resources),
    }
}

/// `Resources`: a list of known names for this operation.
fn resources(body: &Map<String, Value>, allowed: &[&str]) -> Result<Vec<String>, Refusal> {
    let Some(v) = body.get("Resources") else { return Ok(Vec::new()) };
    let Some(list) = v.as_array() else {
        return Err(Refusal::InvalidParameterValue("Resources", v.to_string()));
    };
    list.iter()
        .map(|r| match r.as_str() {
            Some(s) if allowed.contains(&s) => Ok(s.to_owned()),
            _ => Err(Refusal::InvalidParameterValue("Resources", format!("[{}]", super::value_text(r)))),
        })
        .collect()
}

/// A list of strings parameter (`ItemIds`, `BrowseNodeIds`), 1 to `max` entries.
fn id_list(body: &Map<String, Value>, name: &'static str, max: usize) -> Result<Vec<String>, Refusal> {
    let v = body.get(name).ok_or(Refusal::MissingParameter(name))?;
    let list = v.as_array().filter(|l| !l.is_empty() && l.len() <= max);
    let ids: Option<Vec<String>> = list.and_then(|l| l.iter().map(|i| i.as_str().map(str::to_owned)).collect());
    ids.ok_or_else(|| Refusal::InvalidParameterValue(name, v.to_string()))
}

/// An integer parameter in `1..=max`, or `default`.
fn small_int(body: &Map<String, Value>, name: &'static str, max: u64, default: u64) -> Result<u64, Refusal> {
    match body.get(name) {
        None => Ok(default),
        Some(v) => v
            .as_u64()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| Refusal::InvalidParameterValue(name, v.to_string())),
    }
}

fn error_data(kind: &str, id: &str) -> Value {
    json!({
        "__type": "com.amazon.paapi5#ErrorData",
        "Code": "InvalidParameterValue",
        "Message": format!("The {kind} {id} provided in the request is invalid."),
    })
}

fn with_errors(mut body: Value, errors: Vec<Value>) -> OpAnswer {
    let first_error = (!errors.is_empty()).then_some("InvalidParameterValue");
    if let (Some(map), false) = (body.as_object_mut(), errors.is_empty()) {
        map.insert("Errors".to_owned(), Value::Array(errors));
    }
    OpAnswer { body, first_error }
}

fn get_items(input: &Input<'_>, resources: &[String]) -> Result<OpAnswer, Refusal> {
    let ids = id_list(input.body, "ItemIds", 10)?;
    if let Some(t) = input.body.get("ItemIdType") {
        if t.as_str() != Some("ASIN") {
            return Err(Refusal::InvalidParameterValue("ItemIdType", super::value_text(t)));
        }
    }
    let mut items = Vec::new();
    let mut errors = Vec::new();
    for id in &ids {
        match input.catalogue.item(id) {
            Some(item) => items.push(item_json(input, item, resources)),
            None => errors.push(error_data("ItemId", id)),
        }
    }
    let body = if items.is_empty() { json!({}) } else { json!({"ItemsResult": {"Items": items}}) };
    Ok(with_errors(body, errors))
}

fn search_items(input: &Input<'_>, resources: &[String]) -> Result<OpAnswer, Refusal> {
    let text = |name: &str| input.body.get(name).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
    let keywords = text("Keywords");
    let node = text("BrowseNodeId");
    let (title, author, brand) = (text("Title"), text("Author"), text("Brand"));
    if keywords.is_none() && node.is_none() && title.is_none() && author.is_none() && brand.is_none() {
        return Err(Refusal::MissingParameter("Keywords"));
    }
    let index = text("SearchIndex").unwrap_or("All");
    let count = small_int(input.body, "ItemCount", 10, 10)?;
    let page = small_int(input.body, "ItemPage", 10, 1)?;
    let matches: Vec<&Item> = input
        .catalogue
        .items()
        .iter()
        .filter(|i| index == "All" || i.search_index.eq_ignore_ascii_case(index))
        .filter(|i| keywords.is_none_or(|k| words_match(k, &haystack(i))))
        .filter(|i| title.is_none_or(|t| words_match(t, &i.title)))
        .filter(|i| author.is_none_or(|a| words_match(a, &i.authors.join(" "))))
        .filter(|i| brand.is_none_or(|b| i.brand.as_deref().is_some_and(|ib| words_match(b, ib))))
        .filter(|i| node.is_none_or(|n| input.catalogue.item_in_node(i, n)))
        .filter(|i| {
            i.list_price.contains_key(input.locale.code)
                || i.offers.iter().any(|o| o.price.contains_key(input.locale.code))
        })
        .collect();
    let start = usize::try_from((page - 1) * count).unwrap_or(usize::MAX);
    let page_items: Vec<Value> = matches
        .iter()
        .skip(start)
        .take(usize::try_from(count).unwrap_or(10))
        .map(|i| item_json(input, i, resources))
        .collect();
    if page_items.is_empty() {
        return Err(Refusal::NoResults);
    }
    let query = keywords.unwrap_or_default().replace(' ', "+");
    let url = format!(
        "https://{}/s?k={query}&rh=p_n_availability%3A-1&tag={}&linkCode=osi",
        input.locale.marketplace, input.partner_tag
    );
    Ok(with_errors(
        json!({"SearchResult": {"Items": page_items, "SearchURL": url, "TotalResultCount": matches.len()}}),
        Vec::new(),
    ))
}

fn get_variations(input: &Input<'_>, resources: &[String]) -> Result<OpAnswer, Refusal> {
    let asin = input.body.get("ASIN").ok_or(Refusal::MissingParameter("ASIN"))?;
    let asin = asin.as_str().ok_or_else(|| Refusal::InvalidParameterValue("ASIN", asin.to_string()))?;
    let Some(item) = input.catalogue.item(asin) else {
        return Ok(with_errors(json!({}), vec![error_data("ItemId", asin)]));
    };
    let family: Vec<&Item> =
        std::iter::once(item).chain(item.similar.iter().filter_map(|s| input.catalogue.item(s))).collect();
    let count = family.len();
    let items: Vec<Value> = family.into_iter().map(|i| item_json(input, i, resources)).collect();
    Ok(with_errors(
        json!({"VariationsResult": {
            "Items": items,
            "VariationSummary": {"PageCount": 1, "VariationCount": count},
        }}),
        Vec::new(),
    ))
}

fn get_browse_nodes(input: &Input<'_>, resources: &[String]) -> Result<OpAnswer, Refusal> {
    let ids = id_list(input.body, "BrowseNodeIds", 10)?;
    let mut nodes = Vec::new();
    let mut errors = Vec::new();
    for id in &ids {
        match input.catalogue.node(id) {
            Some(node) => nodes.push(node_json(input, node, resources)),
            None => errors.push(error_data("BrowseNodeId", id)),
        }
    }
    let body = if nodes.is_empty() { json!({}) } else { json!({"BrowseNodesResult": {"BrowseNodes": nodes}}) };
    Ok(with_errors(body, errors))
}

fn haystack(item: &Item) -> String {
    let mut h = item.title.clone();
    for part in item.authors.iter().chain(&item.artists).chain(&item.actors).chain(item.brand.iter()) {
        h.push(' ');
        h.push_str(part);
    }
    h
}

/// Every word of `query` occurs in `text`, case-insensitively.
fn words_match(query: &str, text: &str) -> bool {
    let text = text.to_lowercase();
    query.split_whitespace().all(|w| text.contains(&w.to_lowercase()))
}

fn wants(resources: &[String], prefix: &str) -> bool {
    resources.iter().any(|r| r == prefix || r.starts_with(&format!("{prefix}.")))
}

fn text_field(value: &str, label: &str, locale: &Locale5) -> Value {
    json!({"DisplayValue": value, "Label": label, "Locale": locale.language})
}

fn price(locale: &Locale5, minor: i64) -> Value {
    let v2 = crate::services::paapi::locale::by_code(locale.code);
    let decimals = v2.map_or(2, |l| l.price_format.decimals);
    let scale = 10_i64.pow(decimals);
    // Amounts are exact in minor units; the JSON number is major units.
    #[allow(clippy::cast_precision_loss)]
    let amount = minor as f64 / scale as f64;
    let display = v2.map_or_else(|| minor.to_string(), |l| l.format_price(minor));
    json!({"Amount": amount, "Currency": locale.currency, "DisplayAmount": display})
}

fn item_json(input: &Input<'_>, item: &Item, resources: &[String]) -> Value {
    let loc = input.locale;
    let mut out = Map::new();
    out.insert("ASIN".into(), json!(item.asin));
    out.insert(
        "DetailPageURL".into(),
        json!(format!(
            "https://{}/dp/{}?tag={}&linkCode=ogi&th=1&psc=1",
            loc.marketplace, item.asin, input.partner_tag
        )),
    );
    let mut info = Map::new();
    if wants(resources, "ItemInfo.Title") {
        info.insert("Title".into(), text_field(&item.title, "Title", loc));
    }
    if wants(resources, "ItemInfo.ByLineInfo") {
        let mut by = Map::new();
        if let Some(b) = &item.brand {
            by.insert("Brand".into(), text_field(b, "Brand", loc));
        }
        if let Some(m) = &item.manufacturer {
            by.insert("Manufacturer".into(), text_field(m, "Manufacturer", loc));
        }
        let contributors: Vec<Value> = item
            .authors
            .iter()
            .map(|a| json!({"Locale": loc.language, "Name": a, "Role": "Author", "RoleType": "author"}))
            .chain(item.creators.iter().map(
                |c| json!({"Locale": loc.language, "Name": c.name, "Role": c.role, "RoleType": c.role.to_lowercase()}),
            ))
            .collect();
        if !contributors.is_empty() {
            by.insert("Contributors".into(), Value::Array(contributors));
        }
        info.insert("ByLineInfo".into(), Value::Object(by));
    }
    if wants(resources, "ItemInfo.Features") && !item.features.is_empty() {
        info.insert(
            "Features".into(),
            json!({"DisplayValues": item.features, "Label": "Features", "Locale": loc.language}),
        );
    }
    if wants(resources, "ItemInfo.ExternalIds") {
        let mut ids = Map::new();
        for (key, label, value) in
            [("EANs", "EAN", &item.ean), ("ISBNs", "ISBN", &item.isbn), ("UPCs", "UPC", &item.upc)]
        {
            if let Some(v) = value {
                ids.insert(key.into(), json!({"DisplayValues": [v], "Label": label, "Locale": "en_US"}));
            }
        }
        info.insert("ExternalIds".into(), Value::Object(ids));
    }
    if wants(resources, "ItemInfo.Classifications") {
        info.insert(
            "Classifications".into(),
            json!({
                "Binding": text_field(item.binding.as_deref().unwrap_or(&item.product_group), "Binding", loc),
                "ProductGroup": text_field(&item.product_group, "ProductGroup", loc),
            }),
        );
    }
    if !info.is_empty() {
        out.insert("ItemInfo".into(), Value::Object(info));
    }
    if wants(resources, "Images") {
        if let Some(img) = &item.image {
            let url = |suffix: &str| format!("https://m.media-amazon.com/images/I/{}.{suffix}.jpg", img.id);
            let mut primary = Map::new();
            for (res, key, size) in [
                ("Images.Primary.Small", "Small", 75),
                ("Images.Primary.Medium", "Medium", 160),
                ("Images.Primary.Large", "Large", 500),
            ] {
                if resources.iter().any(|r| r == res) {
                    primary
                        .insert(key.into(), json!({"URL": url(&format!("_SL{size}_")), "Height": size, "Width": size}));
                }
            }
            out.insert("Images".into(), json!({"Primary": primary}));
        }
    }
    if wants(resources, "Offers") {
        out.insert("Offers".into(), offers_json(input, item, resources));
    }
    if wants(resources, "BrowseNodeInfo") {
        let ancestor = ["BrowseNodes.Ancestor".to_owned()];
        let nodes: Vec<Value> = item
            .browse_nodes
            .iter()
            .filter_map(|n| input.catalogue.node(n))
            .map(|n| {
                let with_ancestor = resources.iter().any(|r| r == "BrowseNodeInfo.BrowseNodes.Ancestor");
                node_json(input, n, if with_ancestor { &ancestor[..] } else { &[] })
            })
            .collect();
        out.insert("BrowseNodeInfo".into(), json!({"BrowseNodes": nodes}));
    }
    Value::Object(out)
}

/// `Offers.Listings[]` of an item in the locale.
fn offers_json(input: &Input<'_>, item: &Item, resources: &[String]) -> Value {
    let loc = input.locale;
    let listings: Vec<Value> = item
        .offers
        .iter()
        .filter_map(|o| o.price.get(loc.code).map(|p| (o, *p)))
        .map(|(o, p)| {
            let mut l = Map::new();
            l.insert("Id".into(), json!(format!("{}-{}", item.asin, o.condition.to_lowercase())));
            l.insert("IsBuyBoxWinner".into(), json!(true));
            if resources.iter().any(|r| r == "Offers.Listings.Price") {
                l.insert("Price".into(), price(loc, p));
            }
            if resources.iter().any(|r| r == "Offers.Listings.Condition") {
                l.insert("Condition".into(), json!({"Value": o.condition}));
            }
            if resources.iter().any(|r| r == "Offers.Listings.MerchantInfo") {
                let store = crate::services::paapi::locale::by_code(loc.code).map_or("Amazon", |l| l.store_name);
                let name = if o.merchant == "Amazon" { store } else { o.merchant.as_str() };
                l.insert("MerchantInfo".into(), json!({"Name": name}));
            }
            if resources.iter().any(|r| r.starts_with("Offers.Listings.Availability")) {
                l.insert("Availability".into(), json!({"Message": o.availability, "Type": o.availability_type}));
            }
            Value::Object(l)
        })
        .collect();
    json!({"Listings": listings})
}

fn node_json(input: &Input<'_>, node: &BrowseNode, resources: &[String]) -> Value {
    let mut out = Map::new();
    out.insert("ContextFreeName".into(), json!(node.name));
    out.insert("DisplayName".into(), json!(node.name));
    out.insert("Id".into(), json!(node.id));
    out.insert("IsRoot".into(), json!(node.parent.is_none()));
    if resources.iter().any(|r| r == "BrowseNodes.Ancestor") {
        // Nearest first, each holding the next one up, as the documentation's sample nests them.
        let mut ancestor: Option<Value> = None;
        for a in input.catalogue.ancestors(&node.id).iter().rev() {
            let mut v = json!({"ContextFreeName": a.name, "DisplayName": a.name, "Id": a.id});
            if let (Some(up), Some(map)) = (ancestor.take(), v.as_object_mut()) {
                map.insert("Ancestor".into(), up);
            }
            ancestor = Some(v);
        }
        if let Some(a) = ancestor {
            out.insert("Ancestor".into(), a);
        }
    }
    if resources.iter().any(|r| r == "BrowseNodes.Children") {
        let children: Vec<Value> = input
            .catalogue
            .children(&node.id)
            .map(|c| json!({"ContextFreeName": c.name, "DisplayName": c.name, "Id": c.id}))
            .collect();
        if !children.is_empty() {
            out.insert("Children".into(), Value::Array(children));
        }
    }
    Value::Object(out)
}
