//! Products 2011-10-01: ListMatchingProducts, GetMatchingProductForId,
//! GetLowestOfferListingsForASIN.
//!
//! Products API reference (`Products_ListMatchingProducts`,
//! `Products_GetMatchingProductForId`, `Products_GetLowestOfferListingsForASIN`,
//! `Products_Datatypes`) and recorded responses (`protocols.md` §3.7; ScaleLeap
//! recordings `products_*` and fixtures `products_list_matching_products.xml`,
//! `products_get_lowest_offer_listings_for_asin.xml`): a `Product` has `Identifiers`,
//! `AttributeSets/ns2:ItemAttributes[@xml:lang]`, `Relationships`, `SalesRankings`; the
//! attribute namespace is declared as `xmlns:ns2` on `Products` (and on `Product` in the
//! lowest-offer answer). Identifiers that match nothing are per-item errors inside a 200:
//! `status="ClientError"` with `InvalidParameterValue` "Invalid ASIN identifier PRESS001
//! for marketplace A2EUQ1WTGCTBG2" (observed for IdType ASIN; the same pattern is used for
//! the other id types and for GetLowestOfferListingsForASIN).
//!
//! Chosen: a Query matches a product when every word occurs in its title, brand, author,
//! manufacturer, keywords or identifiers (case-insensitive), at most 10 products as the
//! reference says; list-size limits (5 ids, 20 ASINs) answer 400 InvalidParameterValue
//! with a message restating the limit.

use super::errors::MwsError;
use super::params::{list, required};
use super::{Call, Reply};
use crate::catalogue::mws::{ItemAttributes, OfferListing, Product};
use crate::xml::mws::{item_error, money, result, PRODUCTS_ATTRIBUTES_NS};
use crate::xml::Element;

const ID_TYPES: &[&str] = &["ASIN", "GCID", "SellerSKU", "UPC", "EAN", "ISBN", "JAN"];
const CONDITIONS: &[&str] = &["New", "Used", "Collectible", "Refurbished", "Club"];

/// The `MarketplaceId` every Products operation requires, checked.
fn marketplace<'p>(call: &Call<'p>) -> Result<&'p str, MwsError> {
    let id = required(call.params, "MarketplaceId")?;
    call.check_marketplaces("MarketplaceId", &[id])?;
    Ok(id)
}

/// `xml:lang` of a marketplace's attribute sets (`en_US` becomes `en-US`).
fn lang(call: &Call<'_>, marketplace_id: &str) -> String {
    call.catalogue().marketplace(marketplace_id).map_or_else(|| "en-US".to_owned(), |m| m.language.replace('_', "-"))
}

/// ListMatchingProducts.
pub(super) fn list_matching_products(call: &Call<'_>) -> Result<Reply, MwsError> {
    let mp = marketplace(call)?;
    let query = required(call.params, "Query")?;
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    let lang = lang(call, mp);
    let found = call
        .catalogue()
        .products
        .iter()
        .filter(|p| p.marketplace_id == mp && words.iter().all(|w| haystack(p).contains(w.as_str())))
        .take(10)
        .map(|p| product(p, &lang));
    let products = Element::new("Products")
        .attr("xmlns", call.section.namespace())
        .attr("xmlns:ns2", PRODUCTS_ATTRIBUTES_NS)
        .children(found);
    Ok(call.respond([result(call.op.name()).child(products)]))
}

fn haystack(p: &Product) -> String {
    let a = &p.attributes;
    [Some(&a.title), a.brand.as_ref(), a.author.as_ref(), a.manufacturer.as_ref(), Some(&p.asin)]
        .into_iter()
        .flatten()
        .chain(&p.keywords)
        .chain(p.upc.iter().chain(&p.ean).chain(&p.isbn))
        .map(|s| s.to_lowercase())
        .collect::<Vec<_>>()
        .join(" ")
}

/// GetMatchingProductForId.
pub(super) fn get_matching_product_for_id(call: &Call<'_>) -> Result<Reply, MwsError> {
    let mp = marketplace(call)?;
    let id_type = required(call.params, "IdType")?;
    if !ID_TYPES.contains(&id_type) {
        return Err(MwsError::invalid_value("IdType", id_type));
    }
    let ids = list(call.params, "IdList.Id");
    if ids.is_empty() {
        return Err(MwsError::missing("IdList.Id.1"));
    }
    if ids.len() > 5 {
        return Err(MwsError::invalid("IdList cannot contain more than 5 Id values"));
    }
    let lang = lang(call, mp);
    let mut in_band = None;
    let results = ids.iter().map(|id| {
        let r = result(call.op.name()).attr("Id", *id).attr("IdType", id_type);
        if let Some(p) = find(call, mp, id_type, id) {
            r.attr("status", "Success")
                .child(Element::new("Products").attr("xmlns:ns2", PRODUCTS_ATTRIBUTES_NS).child(product(p, &lang)))
        } else {
            in_band.get_or_insert("InvalidParameterValue");
            client_error(r, &format!("Invalid {id_type} identifier {id} for marketplace {mp}"))
        }
    });
    let results: Vec<Element> = results.collect();
    let mut reply = call.respond(results);
    reply.in_band_error = in_band;
    Ok(reply)
}

fn find<'c>(call: &'c Call<'_>, mp: &str, id_type: &str, id: &str) -> Option<&'c Product> {
    call.catalogue().products.iter().filter(|p| p.marketplace_id == mp).find(|p| match id_type {
        "ASIN" => p.asin == id,
        "SellerSKU" => p.seller_skus.iter().any(|s| s.seller_id == call.seller_id && s.sku == id),
        "UPC" => p.upc.as_deref() == Some(id),
        "EAN" => p.ean.as_deref() == Some(id),
        "ISBN" => p.isbn.as_deref() == Some(id),
        _ => false,
    })
}

/// GetLowestOfferListingsForASIN (`ItemCondition` filters the listings).
pub(super) fn get_lowest_offer_listings_for_asin(call: &Call<'_>) -> Result<Reply, MwsError> {
    let mp = marketplace(call)?;
    let asins = list(call.params, "ASINList.ASIN");
    if asins.is_empty() {
        return Err(MwsError::missing("ASINList.ASIN.1"));
    }
    if asins.len() > 20 {
        return Err(MwsError::invalid("ASINList cannot contain more than 20 ASIN values"));
    }
    let condition = call.params.get("ItemCondition");
    if let Some(c) = condition.filter(|c| !CONDITIONS.contains(c)) {
        return Err(MwsError::invalid_value("ItemCondition", c));
    }
    let mut in_band = None;
    let mut results = Vec::new();
    for asin in asins {
        let r = result(call.op.name()).attr("ASIN", asin);
        results.push(if let Some(p) = call.catalogue().product_by_asin(mp, asin) {
            let listings = p.lowest_offers.iter().filter(|o| condition.is_none_or(|c| o.condition == c));
            r.attr("status", "Success").leaf("AllOfferListingsConsidered", "true").child(
                Element::new("Product")
                    .attr("xmlns", call.section.namespace())
                    .attr("xmlns:ns2", PRODUCTS_ATTRIBUTES_NS)
                    .child(identifiers(p))
                    .child(Element::new("LowestOfferListings").children(listings.map(offer))),
            )
        } else {
            in_band.get_or_insert("InvalidParameterValue");
            client_error(r, &format!("Invalid ASIN identifier {asin} for marketplace {mp}"))
        });
    }
    let mut reply = call.respond(results);
    reply.in_band_error = in_band;
    Ok(reply)
}

/// A `status="ClientError"` result with its in-band error.
fn client_error(r: Element, message: &str) -> Element {
    r.attr("status", "ClientError").child(item_error("InvalidParameterValue", message))
}

fn identifiers(p: &Product) -> Element {
    Element::new("Identifiers")
        .child(Element::new("MarketplaceASIN").leaf("MarketplaceId", &p.marketplace_id).leaf("ASIN", &p.asin))
}

fn product(p: &Product, lang: &str) -> Element {
    Element::new("Product")
        .child(identifiers(p))
        .child(Element::new("AttributeSets").child(attributes(&p.attributes, lang)))
        .child(Element::new("Relationships"))
        .child(Element::new("SalesRankings").children(p.sales_ranks.iter().map(|r| {
            Element::new("SalesRank").leaf("ProductCategoryId", &r.category).leaf("Rank", r.rank.to_string())
        })))
}

fn attributes(a: &ItemAttributes, lang: &str) -> Element {
    let ns2 = |name: &str| format!("ns2:{name}");
    let mut e = Element::new("ns2:ItemAttributes")
        .attr("xml:lang", lang)
        .leaf_opt(ns2("Author"), a.author.as_deref())
        .leaf_opt(ns2("Binding"), a.binding.as_deref())
        .leaf_opt(ns2("Brand"), a.brand.as_deref())
        .leaf_opt(ns2("Color"), a.color.as_deref())
        .leaf_opt(ns2("Label"), a.label.as_deref());
    if let Some(m) = &a.list_price {
        e.push(Element::new(ns2("ListPrice")).leaf(ns2("Amount"), &m.amount).leaf(ns2("CurrencyCode"), &m.currency));
    }
    e = e
        .leaf_opt(ns2("Manufacturer"), a.manufacturer.as_deref())
        .leaf_opt(ns2("Model"), a.model.as_deref())
        .leaf_opt(ns2("NumberOfPages"), a.number_of_pages.map(|n| n.to_string()))
        .leaf_opt(ns2("PackageQuantity"), a.package_quantity.map(|n| n.to_string()))
        .leaf_opt(ns2("PartNumber"), a.part_number.as_deref())
        .leaf_opt(ns2("ProductGroup"), a.product_group.as_deref())
        .leaf_opt(ns2("ProductTypeName"), a.product_type_name.as_deref())
        .leaf_opt(ns2("Publisher"), a.publisher.as_deref());
    if let Some(i) = &a.small_image {
        e.push(
            Element::new(ns2("SmallImage"))
                .leaf(ns2("URL"), &i.url)
                .child(Element::new(ns2("Height")).attr("Units", "pixels").text(i.height.to_string()))
                .child(Element::new(ns2("Width")).attr("Units", "pixels").text(i.width.to_string())),
        );
    }
    e.leaf_opt(ns2("Studio"), a.studio.as_deref()).leaf(ns2("Title"), &a.title)
}

fn offer(o: &OfferListing) -> Element {
    Element::new("LowestOfferListing")
        .child(
            Element::new("Qualifiers")
                .leaf("ItemCondition", &o.condition)
                .leaf("ItemSubcondition", &o.subcondition)
                .leaf("FulfillmentChannel", &o.fulfillment_channel)
                .leaf("ShipsDomestically", &o.ships_domestically)
                .child(Element::new("ShippingTime").leaf("Max", &o.shipping_time_max))
                .leaf("SellerPositiveFeedbackRating", &o.feedback_rating),
        )
        .leaf("NumberOfOfferListingsConsidered", o.listings_considered.to_string())
        .leaf("SellerFeedbackCount", o.feedback_count.to_string())
        .child(
            Element::new("Price")
                .child(money("LandedPrice", &o.landed_price.currency, &o.landed_price.amount))
                .child(money("ListingPrice", &o.listing_price.currency, &o.listing_price.amount))
                .child(money("Shipping", &o.shipping.currency, &o.shipping.amount)),
        )
        .leaf("MultipleOffersAtLowestPrice", &o.multiple_offers_at_lowest_price)
}
