//! The `Item` element as ItemLookup, ItemSearch and SimilarityLookup return it, shaped by
//! the requested response groups.
//!
//! Element order is the 2011-08-01 schema's `Item` sequence (`ASIN`, `DetailPageURL`,
//! `ItemLinks`, `SalesRank`, images, `ItemAttributes`, `OfferSummary`, `Offers`,
//! `CustomerReviews`, `SimilarProducts`, `BrowseNodes`); contents follow recorded
//! responses (redtoad/python-amazon-product-api `tests/2011-08-01/ItemLookup-us-valid-asin.xml`
//! for Small, `ResultPaginator-us-itemlookup-related-items-pagination.xml` for Large):
//! links carry `SubscriptionId={AKID}`, `tag={AssociateTag}`, `linkCode=xm2`,
//! `camp=2025`, `creative=165953` (detail page) or `386001` (other links), URL-encoded
//! after the path. Response-group contents follow the DG "Response Groups" pages:
//! Small ⊂ Medium ⊂ Large; Offers implies OfferSummary.

use super::{browse, Band};
use crate::catalogue::paapi::{Image, Item, Offer};
use crate::crypto::{hmac, HmacAlgorithm, SecretKey};
use crate::encoding::encode;
use crate::xml::{paapi::price, Element};

/// What to render for an item.
#[allow(clippy::struct_excessive_bools)] // one flag per response-group aspect
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Aspects {
    small: bool,
    attributes: bool,
    images: bool,
    sales_rank: bool,
    offer_summary: bool,
    offers: bool,
    reviews: bool,
    similarities: bool,
    browse_nodes: bool,
}

impl Aspects {
    /// The union of what the groups include (unknown or unrendered groups add nothing).
    pub(super) fn from_groups(groups: &[String]) -> Self {
        let mut a = Self::default();
        for g in groups {
            match g.as_str() {
                "Small" => a.small = true,
                "ItemAttributes" => a.attributes = true,
                "Images" => a.images = true,
                "SalesRank" => a.sales_rank = true,
                "OfferSummary" => a.offer_summary = true,
                "Offers" | "OfferFull" => (a.offers, a.offer_summary) = (true, true),
                "Reviews" | "CustomerReviews" => a.reviews = true,
                "Similarities" => a.similarities = true,
                "BrowseNodes" => a.browse_nodes = true,
                "Medium" | "Large" => {
                    (a.small, a.attributes, a.images, a.sales_rank, a.offer_summary) = (true, true, true, true, true);
                    if g == "Large" {
                        (a.offers, a.reviews, a.similarities, a.browse_nodes) = (true, true, true, true);
                    }
                }
                _ => {}
            }
        }
        a
    }
}

/// Which offers `Offers` lists (`Condition`, `MerchantId`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct OfferFilter<'a> {
    /// `New`, `Used`, `Collectible`, `Refurbished`, or `All`.
    pub(super) condition: &'a str,
    /// Only Amazon's own offers (`MerchantId=Amazon`).
    pub(super) amazon_only: bool,
}

/// The valid `Condition` values (DG "ItemLookup": All, Collectible, New, Refurbished,
/// Used), printed as BrowseNodeLookup's enumeration message prints its list.
pub(super) const CONDITIONS: &str = "All, Collectible, New, Refurbished, Used";

impl<'a> OfferFilter<'a> {
    /// From the request (default: new offers from any merchant).
    pub(super) fn from_band(b: &Band<'a>) -> Self {
        let amazon_only = b.get("MerchantId").or_else(|| b.get("Merchant")).is_some_and(|m| m == "Amazon");
        Self { condition: b.get("Condition").unwrap_or("New"), amazon_only }
    }

    fn admits(&self, offer: &Offer) -> bool {
        (self.condition == "All" || offer.condition == self.condition) && (!self.amazon_only || is_amazon(offer))
    }
}

fn is_amazon(offer: &Offer) -> bool {
    offer.merchant == "Amazon"
}

/// The merchant's display name in this locale (`Amazon` → `Amazon.co.uk`).
pub(super) fn merchant_name<'a>(b: &Band<'_>, offer: &'a Offer) -> &'a str {
    if is_amazon(offer) {
        b.locale.store_name
    } else {
        &offer.merchant
    }
}

/// The item's offers that exist in this locale: (index, offer, price).
pub(super) fn offers_here<'i>(b: &Band<'_>, item: &'i Item) -> Vec<(usize, &'i Offer, i64)> {
    item.offers.iter().enumerate().filter_map(|(i, o)| o.price.get(b.locale.code).map(|&p| (i, o, p))).collect()
}

/// The lowest new price in this locale (search price filters and sorting).
pub(super) fn lowest_new_price(b: &Band<'_>, item: &Item) -> Option<i64> {
    offers_here(b, item).into_iter().filter(|(_, o, _)| o.condition == "New").map(|(_, _, p)| p).min()
}

/// A key for the mock's opaque tokens (offer listing ids, review iframe signatures, cart
/// HMACs). Not a secret: it only makes tokens tamper-evident.
pub(super) fn mock_token_key() -> SecretKey {
    SecretKey::new("amzsig PA-API mock token key (not a secret)")
}

/// An `OfferListingId`: opaque, base64, stable for (locale, ASIN, offer).
pub(super) fn offer_listing_id(locale: &str, asin: &str, offer: usize) -> String {
    let mac = hmac(HmacAlgorithm::Sha256, &mock_token_key(), format!("offer\n{locale}\n{asin}\n{offer}").as_bytes());
    mac.to_base64()
}

/// The detail page slug: the catalogue's, or the title's first words.
fn slug(item: &Item) -> String {
    if let Some(s) = &item.slug {
        return s.clone();
    }
    let words: Vec<String> = item
        .title
        .split_whitespace()
        .map(|w| w.chars().filter(char::is_ascii_alphanumeric).collect::<String>())
        .filter(|w| !w.is_empty())
        .take(5)
        .collect();
    words.join("-")
}

/// `SubscriptionId%3D…%26tag%3D…%26linkCode%3Dxm2%26camp%3D2025%26creative%3D…%26creativeASIN%3D…`.
fn link_tail(b: &Band<'_>, asin: &str, creative: &str) -> String {
    format!(
        "SubscriptionId%3D{}%26tag%3D{}%26linkCode%3Dxm2%26camp%3D2025%26creative%3D{creative}%26creativeASIN%3D{asin}",
        encode(b.access_key_id.as_bytes()),
        encode(b.tag.as_bytes())
    )
}

/// `DetailPageURL`.
pub(super) fn detail_page_url(b: &Band<'_>, item: &Item) -> String {
    format!("{}/{}/dp/{}%3F{}", b.locale.retail_base(), slug(item), item.asin, link_tail(b, &item.asin, "165953"))
}

fn item_links(b: &Band<'_>, item: &Item) -> Element {
    let base = b.locale.retail_base();
    let asin = &item.asin;
    let tail = link_tail(b, asin, "386001");
    let registry = |kind: &str| format!("{base}/gp/registry/{kind}/add-item.html%3Fasin.0%3D{asin}%26{tail}");
    let links = [
        ("Technical Details", format!("{base}/{}/dp/tech-data/{asin}%3F{tail}", slug(item))),
        ("Add To Baby Registry", registry("baby")),
        ("Add To Wedding Registry", registry("wedding")),
        ("Add To Wishlist", registry("wishlist")),
        ("Tell A Friend", format!("{base}/gp/pdp/taf/{asin}%3F{tail}")),
        ("All Customer Reviews", format!("{base}/review/product/{asin}%3F{tail}")),
        ("All Offers", format!("{base}/gp/offer-listing/{asin}%3F{tail}")),
    ];
    Element::new("ItemLinks")
        .children(links.into_iter().map(|(d, url)| Element::new("ItemLink").leaf("Description", d).leaf("URL", url)))
}

fn image(name: &str, img: &Image, max_side: Option<u32>) -> Element {
    let (w, h) = match max_side {
        None => (img.width, img.height),
        Some(side) => {
            let long = img.width.max(img.height).max(1);
            let scale = |v: u32| (u64::from(v) * u64::from(side) + u64::from(long) / 2) / u64::from(long);
            (u32::try_from(scale(img.width)).unwrap_or(side), u32::try_from(scale(img.height)).unwrap_or(side))
        }
    };
    let suffix = max_side.map_or_else(String::new, |s| format!("._SL{s}_"));
    Element::new(name)
        .leaf("URL", format!("https://images-na.ssl-images-amazon.com/images/I/{}{suffix}.jpg", img.id))
        .child(Element::new("Height").attr("Units", "pixels").text(h.to_string()))
        .child(Element::new("Width").attr("Units", "pixels").text(w.to_string()))
}

fn images(img: &Image) -> Vec<Element> {
    let set = Element::new("ImageSet").attr("Category", "primary").children([
        image("SwatchImage", img, Some(30)),
        image("SmallImage", img, Some(75)),
        image("ThumbnailImage", img, Some(75)),
        image("TinyImage", img, Some(110)),
        image("MediumImage", img, Some(160)),
        image("LargeImage", img, None),
    ]);
    vec![
        image("SmallImage", img, Some(75)),
        image("MediumImage", img, Some(160)),
        image("LargeImage", img, None),
        Element::new("ImageSets").child(set),
    ]
}

fn leaves(e: &mut Element, name: &str, values: &[String]) {
    for v in values {
        e.push(Element::new(name).text(v.clone()));
    }
}

fn creators(e: &mut Element, item: &Item) {
    for c in &item.creators {
        e.push(Element::new("Creator").attr("Role", c.role.clone()).text(c.name.clone()));
    }
}

/// `ItemAttributes` as the Small group shows it (recorded: Author, Creator, Manufacturer,
/// ProductGroup, Title; Actor/Artist/Director for media).
fn small_attributes(item: &Item) -> Element {
    let mut e = Element::new("ItemAttributes");
    leaves(&mut e, "Actor", &item.actors);
    leaves(&mut e, "Artist", &item.artists);
    leaves(&mut e, "Author", &item.authors);
    creators(&mut e, item);
    leaves(&mut e, "Director", &item.directors);
    e.leaf_opt("Manufacturer", item.manufacturer.clone())
        .leaf("ProductGroup", item.product_group.clone())
        .leaf("Title", item.title.clone())
}

/// `ItemAttributes` in full, in the schema's (alphabetical) order.
fn full_attributes(b: &Band<'_>, item: &Item) -> Element {
    let mut e = Element::new("ItemAttributes");
    leaves(&mut e, "Actor", &item.actors);
    leaves(&mut e, "Artist", &item.artists);
    let mut e =
        e.leaf_opt("AspectRatio", item.aspect_ratio.clone()).leaf_opt("AudienceRating", item.audience_rating.clone());
    leaves(&mut e, "Author", &item.authors);
    let mut e = e.leaf_opt("Binding", item.binding.clone()).leaf_opt("Brand", item.brand.clone());
    creators(&mut e, item);
    leaves(&mut e, "Director", &item.directors);
    let mut e = e.leaf_opt("EAN", item.ean.clone());
    if let Some(ean) = &item.ean {
        e.push(Element::new("EANList").leaf("EANListElement", ean.clone()));
    }
    let mut e = e.leaf_opt("Edition", item.edition.clone());
    leaves(&mut e, "Feature", &item.features);
    leaves(&mut e, "Format", &item.formats);
    let mut e = e.leaf_opt("ISBN", item.isbn.clone()).leaf_opt("Label", item.label.clone());
    if !item.languages.is_empty() {
        e.push(
            Element::new("Languages").children(
                item.languages
                    .iter()
                    .map(|l| Element::new("Language").leaf("Name", l.name.clone()).leaf("Type", l.kind.clone())),
            ),
        );
    }
    if let Some(&amount) = item.list_price.get(b.locale.code) {
        e.push(price("ListPrice", amount, b.locale.currency, &b.locale.format_price(amount)));
    }
    let num = |n: Option<u32>| n.map(|v| v.to_string());
    let mut e = e
        .leaf_opt("Manufacturer", item.manufacturer.clone())
        .leaf_opt("Model", item.model.clone())
        .leaf_opt("MPN", item.mpn.clone())
        .leaf_opt("NumberOfDiscs", num(item.number_of_discs))
        .leaf_opt("NumberOfItems", num(item.number_of_items))
        .leaf_opt("NumberOfPages", num(item.number_of_pages))
        .leaf_opt("PartNumber", item.part_number.clone())
        .leaf("ProductGroup", item.product_group.clone())
        .leaf_opt("ProductTypeName", item.product_type_name.clone())
        .leaf_opt("PublicationDate", item.publication_date.clone())
        .leaf_opt("Publisher", item.publisher.clone())
        .leaf_opt("RegionCode", item.region_code.clone())
        .leaf_opt("ReleaseDate", item.release_date.clone());
    if let Some(minutes) = item.running_time_minutes {
        e.push(Element::new("RunningTime").attr("Units", "minutes").text(minutes.to_string()));
    }
    let mut e =
        e.leaf_opt("Studio", item.studio.clone()).leaf("Title", item.title.clone()).leaf_opt("UPC", item.upc.clone());
    if let Some(upc) = &item.upc {
        e.push(Element::new("UPCList").leaf("UPCListElement", upc.clone()));
    }
    e
}

fn offer_summary(b: &Band<'_>, item: &Item) -> Element {
    let here = offers_here(b, item);
    let mut e = Element::new("OfferSummary");
    let conditions = [
        ("New", "LowestNewPrice"),
        ("Used", "LowestUsedPrice"),
        ("Collectible", "LowestCollectiblePrice"),
        ("Refurbished", "LowestRefurbishedPrice"),
    ];
    for (condition, name) in conditions {
        if let Some(p) = here.iter().filter(|(_, o, _)| o.condition == condition).map(|(_, _, p)| *p).min() {
            e.push(price(name, p, b.locale.currency, &b.locale.format_price(p)));
        }
    }
    for (condition, name) in [
        ("New", "TotalNew"),
        ("Used", "TotalUsed"),
        ("Collectible", "TotalCollectible"),
        ("Refurbished", "TotalRefurbished"),
    ] {
        e.push(Element::new(name).text(here.iter().filter(|(_, o, _)| o.condition == condition).count().to_string()));
    }
    e
}

fn offers(b: &Band<'_>, item: &Item, filter: &OfferFilter<'_>) -> Element {
    let listed: Vec<_> = offers_here(b, item).into_iter().filter(|(_, o, _)| filter.admits(o)).collect();
    let more = if listed.is_empty() {
        "0".to_owned()
    } else {
        format!("{}/gp/offer-listing/{}%3F{}", b.locale.retail_base(), item.asin, link_tail(b, &item.asin, "386001"))
    };
    let mut e = Element::new("Offers")
        .leaf("TotalOffers", listed.len().to_string())
        .leaf("TotalOfferPages", if listed.is_empty() { "0" } else { "1" })
        .leaf("MoreOffersUrl", more);
    for (i, o, p) in listed {
        let listing = Element::new("OfferListing")
            .leaf("OfferListingId", offer_listing_id(b.locale.code, &item.asin, i))
            .child(price("Price", p, b.locale.currency, &b.locale.format_price(p)))
            .leaf("Availability", o.availability.clone())
            .child(
                Element::new("AvailabilityAttributes")
                    .leaf("AvailabilityType", o.availability_type.clone())
                    .leaf("MinimumHours", o.minimum_hours.to_string())
                    .leaf("MaximumHours", o.maximum_hours.to_string()),
            )
            .leaf("IsEligibleForSuperSaverShipping", if o.super_saver_shipping { "1" } else { "0" });
        e.push(
            Element::new("Offer")
                .child(Element::new("Merchant").leaf("Name", merchant_name(b, o)))
                .child(Element::new("OfferAttributes").leaf("Condition", o.condition.clone()))
                .child(listing),
        );
    }
    e
}

/// `CustomerReviews`: an expiring, signed iframe URL (recorded shape:
/// `…/reviews/iframe?akid=…&alinkCode=xm2&asin=…&atag=…&exp=…&v=2&sig=…`).
fn customer_reviews(b: &Band<'_>, item: &Item) -> Element {
    let exp = b.now.plus_secs(24 * 3600).to_iso8601();
    let sig = hmac(HmacAlgorithm::Sha256, &mock_token_key(), format!("reviews\n{}\n{exp}", item.asin).as_bytes());
    let url = format!(
        "{}/reviews/iframe?akid={}&alinkCode=xm2&asin={}&atag={}&exp={}&v=2&sig={}",
        b.locale.retail_base(),
        encode(b.access_key_id.as_bytes()),
        item.asin,
        encode(b.tag.as_bytes()),
        encode(exp.as_bytes()),
        encode(sig.to_base64().as_bytes())
    );
    Element::new("CustomerReviews")
        .leaf("IFrameURL", url)
        .leaf("HasReviews", if item.has_reviews { "true" } else { "false" })
}

/// `SimilarProducts/SimilarProduct(ASIN, Title)` for a list of ASINs.
pub(super) fn similar_products<'a>(b: &Band<'_>, asins: impl IntoIterator<Item = &'a String>) -> Option<Element> {
    let products: Vec<Element> = asins
        .into_iter()
        .filter_map(|a| b.catalogue.item(a))
        .map(|s| Element::new("SimilarProduct").leaf("ASIN", s.asin.clone()).leaf("Title", s.title.clone()))
        .collect();
    (!products.is_empty()).then(|| Element::new("SimilarProducts").children(products))
}

/// The `Item` element.
pub(super) fn item_element(b: &Band<'_>, item: &Item, aspects: Aspects, filter: &OfferFilter<'_>) -> Element {
    let mut e = Element::new("Item").leaf("ASIN", item.asin.clone());
    let linked = aspects.small || aspects.attributes;
    if linked {
        e = e.leaf("DetailPageURL", detail_page_url(b, item)).child(item_links(b, item));
    }
    if aspects.sales_rank {
        e = e.leaf_opt("SalesRank", item.sales_rank.map(|r| r.to_string()));
    }
    if let (true, Some(img)) = (aspects.images, &item.image) {
        e = e.children(images(img));
    }
    if aspects.attributes {
        e.push(full_attributes(b, item));
    } else if aspects.small {
        e.push(small_attributes(item));
    }
    if aspects.offer_summary {
        e.push(offer_summary(b, item));
    }
    if aspects.offers {
        e.push(offers(b, item, filter));
    }
    if aspects.reviews {
        e.push(customer_reviews(b, item));
    }
    if aspects.similarities {
        if let Some(s) = similar_products(b, &item.similar) {
            e.push(s);
        }
    }
    if aspects.browse_nodes && !item.browse_nodes.is_empty() {
        e.push(
            Element::new("BrowseNodes").children(
                item.browse_nodes
                    .iter()
                    .filter_map(|n| b.catalogue.node(n))
                    .map(|n| browse::with_ancestors(b.catalogue, n)),
            ),
        );
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_expand_like_the_dg_says() {
        let a = Aspects::from_groups(&["Large".to_owned()]);
        assert!(a.small && a.attributes && a.offers && a.browse_nodes && a.similarities);
        let m = Aspects::from_groups(&["Medium".to_owned()]);
        assert!(m.offer_summary && !m.offers && !m.browse_nodes);
        let o = Aspects::from_groups(&["Offers".to_owned()]);
        assert!(o.offers && o.offer_summary && !o.small);
        assert_eq!(Aspects::from_groups(&["Request".to_owned()]), Aspects::default());
    }

    #[test]
    fn images_scale_to_the_longer_side() {
        let img = Image { id: "X".into(), width: 328, height: 500 };
        let small = image("SmallImage", &img, Some(75));
        let back = crate::xml::parse(&small.to_fragment()).unwrap();
        assert_eq!(back.path("Height").unwrap().text_content(), "75");
        assert_eq!(back.path("Width").unwrap().text_content(), "49");
        assert_eq!(
            back.path("URL").unwrap().text_content(),
            "https://images-na.ssl-images-amazon.com/images/I/X._SL75_.jpg"
        );
    }
}
