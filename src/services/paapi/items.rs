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

use super::{nodes, Band};
use crate::catalogue::paapi::{Image, Item, Offer};
use crate::crypto::{hmac, HmacAlgorithm, SecretKey};
use crate::encoding::encode;
use crate::xml::{Element, Writer};

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

fn write_item_links(w: &mut Writer, b: &Band<'_>, item: &Item) {
    let base = b.locale.retail_base();
    let asin = item.asin.as_str();
    let tail = link_tail(b, asin, "386001");
    let slug = slug(item);
    // Seven URLs from the same pieces, assembled in one reused buffer.
    let mut url = String::with_capacity(base.len() + tail.len() + 96);
    let mut link = |w: &mut Writer, description: &str, parts: &[&str]| {
        url.clear();
        for part in parts {
            url.push_str(part);
        }
        w.element("ItemLink", &[], |w| {
            w.leaf("Description", description).leaf("URL", &url);
        });
    };
    w.element("ItemLinks", &[], |w| {
        link(w, "Technical Details", &[&base, "/", &slug, "/dp/tech-data/", asin, "%3F", &tail]);
        for (description, kind) in
            [("Add To Baby Registry", "baby"), ("Add To Wedding Registry", "wedding"), ("Add To Wishlist", "wishlist")]
        {
            link(w, description, &[&base, "/gp/registry/", kind, "/add-item.html%3Fasin.0%3D", asin, "%26", &tail]);
        }
        link(w, "Tell A Friend", &[&base, "/gp/pdp/taf/", asin, "%3F", &tail]);
        link(w, "All Customer Reviews", &[&base, "/review/product/", asin, "%3F", &tail]);
        link(w, "All Offers", &[&base, "/gp/offer-listing/", asin, "%3F", &tail]);
    });
}

fn write_image(w: &mut Writer, url: &mut String, name: &str, img: &Image, max_side: Option<u32>) {
    const BASE: &str = "https://images-na.ssl-images-amazon.com/images/I/";
    let (width, height) = match max_side {
        None => (img.width, img.height),
        Some(side) => {
            let long = img.width.max(img.height).max(1);
            let scale = |v: u32| (u64::from(v) * u64::from(side) + u64::from(long) / 2) / u64::from(long);
            (u32::try_from(scale(img.width)).unwrap_or(side), u32::try_from(scale(img.height)).unwrap_or(side))
        }
    };
    // Nine images per item: URLs and numbers built in one reused buffer, not with `format!`.
    url.clear();
    url.push_str(BASE);
    url.push_str(&img.id);
    if let Some(side) = max_side {
        url.push_str("._SL");
        push_decimal(url, side);
        url.push('_');
    }
    url.push_str(".jpg");
    let mut number = String::with_capacity(10);
    w.element(name, &[], |w| {
        w.leaf("URL", url);
        push_decimal(&mut number, height);
        w.leaf_with_attrs("Height", &[("Units", "pixels")], &number);
        number.clear();
        push_decimal(&mut number, width);
        w.leaf_with_attrs("Width", &[("Units", "pixels")], &number);
    });
}

/// Appends `v` in decimal.
fn push_decimal(out: &mut String, v: u32) {
    let mut digits = [0_u8; 10];
    let mut n = v;
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + u8::try_from(n % 10).unwrap_or(0);
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend(digits[i..].iter().map(|&d| char::from(d)));
}

/// `v` in decimal, in a string just large enough.
fn decimal(v: u32) -> String {
    let mut s = String::with_capacity(10);
    push_decimal(&mut s, v);
    s
}

fn write_images(w: &mut Writer, img: &Image) {
    let mut url = String::with_capacity(80);
    write_image(w, &mut url, "SmallImage", img, Some(75));
    write_image(w, &mut url, "MediumImage", img, Some(160));
    write_image(w, &mut url, "LargeImage", img, None);
    w.element("ImageSets", &[], |w| {
        w.element("ImageSet", &[("Category", "primary")], |w| {
            write_image(w, &mut url, "SwatchImage", img, Some(30));
            write_image(w, &mut url, "SmallImage", img, Some(75));
            write_image(w, &mut url, "ThumbnailImage", img, Some(75));
            write_image(w, &mut url, "TinyImage", img, Some(110));
            write_image(w, &mut url, "MediumImage", img, Some(160));
            write_image(w, &mut url, "LargeImage", img, None);
        });
    });
}

fn leaves(w: &mut Writer, name: &str, values: &[String]) {
    for v in values {
        w.leaf(name, v);
    }
}

fn creators(w: &mut Writer, item: &Item) {
    for c in &item.creators {
        w.leaf_with_attrs("Creator", &[("Role", &c.role)], &c.name);
    }
}

/// `ItemAttributes` as the Small group shows it (recorded: Author, Creator, Manufacturer,
/// ProductGroup, Title; Actor/Artist/Director for media).
fn write_small_attributes(w: &mut Writer, item: &Item) {
    w.element("ItemAttributes", &[], |w| {
        leaves(w, "Actor", &item.actors);
        leaves(w, "Artist", &item.artists);
        leaves(w, "Author", &item.authors);
        creators(w, item);
        leaves(w, "Director", &item.directors);
        w.leaf_opt("Manufacturer", item.manufacturer.as_deref())
            .leaf("ProductGroup", &item.product_group)
            .leaf("Title", &item.title);
    });
}

/// A `Price`-typed element, as `xml::paapi::price` shapes it.
fn write_price(w: &mut Writer, b: &Band<'_>, name: &str, amount: i64) {
    let mut digits = String::with_capacity(20);
    if amount < 0 {
        digits.push('-');
    }
    let mut magnitude = amount.unsigned_abs();
    let mut reversed = [0_u8; 20];
    let mut n = 0;
    loop {
        reversed[n] = b'0' + u8::try_from(magnitude % 10).unwrap_or(0);
        n += 1;
        magnitude /= 10;
        if magnitude == 0 {
            break;
        }
    }
    digits.extend(reversed[..n].iter().rev().map(|&d| char::from(d)));
    let formatted = b.locale.format_price(amount);
    w.element(name, &[], |w| {
        w.leaf("Amount", &digits).leaf("CurrencyCode", b.locale.currency).leaf("FormattedPrice", &formatted);
    });
}

/// `ItemAttributes` in full, in the schema's (alphabetical) order.
fn write_full_attributes(w: &mut Writer, b: &Band<'_>, item: &Item) {
    let num = |n: Option<u32>| n.map(decimal);
    w.element("ItemAttributes", &[], |w| {
        leaves(w, "Actor", &item.actors);
        leaves(w, "Artist", &item.artists);
        w.leaf_opt("AspectRatio", item.aspect_ratio.as_deref())
            .leaf_opt("AudienceRating", item.audience_rating.as_deref());
        leaves(w, "Author", &item.authors);
        w.leaf_opt("Binding", item.binding.as_deref()).leaf_opt("Brand", item.brand.as_deref());
        creators(w, item);
        leaves(w, "Director", &item.directors);
        w.leaf_opt("EAN", item.ean.as_deref());
        if let Some(ean) = &item.ean {
            w.element("EANList", &[], |w| {
                w.leaf("EANListElement", ean);
            });
        }
        w.leaf_opt("Edition", item.edition.as_deref());
        leaves(w, "Feature", &item.features);
        leaves(w, "Format", &item.formats);
        w.leaf_opt("ISBN", item.isbn.as_deref()).leaf_opt("Label", item.label.as_deref());
        if !item.languages.is_empty() {
            w.element("Languages", &[], |w| {
                for l in &item.languages {
                    w.element("Language", &[], |w| {
                        w.leaf("Name", &l.name).leaf("Type", &l.kind);
                    });
                }
            });
        }
        if let Some(&amount) = item.list_price.get(b.locale.code) {
            write_price(w, b, "ListPrice", amount);
        }
        w.leaf_opt("Manufacturer", item.manufacturer.as_deref())
            .leaf_opt("Model", item.model.as_deref())
            .leaf_opt("MPN", item.mpn.as_deref())
            .leaf_opt("NumberOfDiscs", num(item.number_of_discs).as_deref())
            .leaf_opt("NumberOfItems", num(item.number_of_items).as_deref())
            .leaf_opt("NumberOfPages", num(item.number_of_pages).as_deref())
            .leaf_opt("PartNumber", item.part_number.as_deref())
            .leaf("ProductGroup", &item.product_group)
            .leaf_opt("ProductTypeName", item.product_type_name.as_deref())
            .leaf_opt("PublicationDate", item.publication_date.as_deref())
            .leaf_opt("Publisher", item.publisher.as_deref())
            .leaf_opt("RegionCode", item.region_code.as_deref())
            .leaf_opt("ReleaseDate", item.release_date.as_deref());
        if let Some(minutes) = item.running_time_minutes {
            w.leaf_with_attrs("RunningTime", &[("Units", "minutes")], &decimal(minutes));
        }
        w.leaf_opt("Studio", item.studio.as_deref()).leaf("Title", &item.title).leaf_opt("UPC", item.upc.as_deref());
        if let Some(upc) = &item.upc {
            w.element("UPCList", &[], |w| {
                w.leaf("UPCListElement", upc);
            });
        }
    });
}

fn write_offer_summary(w: &mut Writer, b: &Band<'_>, item: &Item) {
    let here = offers_here(b, item);
    w.element("OfferSummary", &[], |w| {
        let conditions = [
            ("New", "LowestNewPrice"),
            ("Used", "LowestUsedPrice"),
            ("Collectible", "LowestCollectiblePrice"),
            ("Refurbished", "LowestRefurbishedPrice"),
        ];
        for (condition, name) in conditions {
            if let Some(p) = here.iter().filter(|(_, o, _)| o.condition == condition).map(|(_, _, p)| *p).min() {
                write_price(w, b, name, p);
            }
        }
        for (condition, name) in [
            ("New", "TotalNew"),
            ("Used", "TotalUsed"),
            ("Collectible", "TotalCollectible"),
            ("Refurbished", "TotalRefurbished"),
        ] {
            let count = here.iter().filter(|(_, o, _)| o.condition == condition).count();
            w.leaf(name, &decimal(u32::try_from(count).unwrap_or(u32::MAX)));
        }
    });
}

fn write_offers(w: &mut Writer, b: &Band<'_>, item: &Item, filter: &OfferFilter<'_>) {
    let listed: Vec<_> = offers_here(b, item).into_iter().filter(|(_, o, _)| filter.admits(o)).collect();
    let more = if listed.is_empty() {
        "0".to_owned()
    } else {
        format!("{}/gp/offer-listing/{}%3F{}", b.locale.retail_base(), item.asin, link_tail(b, &item.asin, "386001"))
    };
    w.element("Offers", &[], |w| {
        w.leaf("TotalOffers", &decimal(u32::try_from(listed.len()).unwrap_or(u32::MAX)))
            .leaf("TotalOfferPages", if listed.is_empty() { "0" } else { "1" })
            .leaf("MoreOffersUrl", &more);
        for (i, o, p) in &listed {
            w.element("Offer", &[], |w| {
                w.element("Merchant", &[], |w| {
                    w.leaf("Name", merchant_name(b, o));
                });
                w.element("OfferAttributes", &[], |w| {
                    w.leaf("Condition", &o.condition);
                });
                w.element("OfferListing", &[], |w| {
                    w.leaf("OfferListingId", &offer_listing_id(b.locale.code, &item.asin, *i));
                    write_price(w, b, "Price", *p);
                    w.leaf("Availability", &o.availability);
                    w.element("AvailabilityAttributes", &[], |w| {
                        w.leaf("AvailabilityType", &o.availability_type)
                            .leaf("MinimumHours", &decimal(o.minimum_hours))
                            .leaf("MaximumHours", &decimal(o.maximum_hours));
                    });
                    w.leaf("IsEligibleForSuperSaverShipping", if o.super_saver_shipping { "1" } else { "0" });
                });
            });
        }
    });
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

/// Writes the `Item` element.
pub(super) fn write_item(w: &mut Writer, b: &Band<'_>, item: &Item, aspects: Aspects, filter: &OfferFilter<'_>) {
    w.element("Item", &[], |w| {
        w.leaf("ASIN", &item.asin);
        if aspects.small || aspects.attributes {
            w.leaf("DetailPageURL", &detail_page_url(b, item));
            write_item_links(w, b, item);
        }
        if aspects.sales_rank {
            w.leaf_opt("SalesRank", item.sales_rank.map(|r| r.to_string()).as_deref());
        }
        if let (true, Some(img)) = (aspects.images, &item.image) {
            write_images(w, img);
        }
        if aspects.attributes {
            write_full_attributes(w, b, item);
        } else if aspects.small {
            write_small_attributes(w, item);
        }
        if aspects.offer_summary {
            write_offer_summary(w, b, item);
        }
        if aspects.offers {
            write_offers(w, b, item, filter);
        }
        if aspects.reviews {
            w.tree(&customer_reviews(b, item));
        }
        if aspects.similarities {
            if let Some(s) = similar_products(b, &item.similar) {
                w.tree(&s);
            }
        }
        if aspects.browse_nodes && !item.browse_nodes.is_empty() {
            let nodes = Element::new("BrowseNodes").children(
                item.browse_nodes
                    .iter()
                    .filter_map(|n| b.catalogue.node(n))
                    .map(|n| nodes::with_ancestors(b.catalogue, n)),
            );
            w.tree(&nodes);
        }
    });
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
    fn decimal_matches_to_string() {
        for v in [0, 1, 9, 10, 75, 99, 100, 500, 4_294_967_295, 1_000_000_007] {
            assert_eq!(decimal(v), v.to_string());
        }
    }

    #[test]
    fn images_scale_to_the_longer_side() {
        let img = Image { id: "X".into(), width: 328, height: 500 };
        let mut w = Writer::fragment();
        write_image(&mut w, &mut String::new(), "SmallImage", &img, Some(75));
        let back = crate::xml::parse(&w.finish()).unwrap();
        assert_eq!(back.path("Height").unwrap().text_content(), "75");
        assert_eq!(back.path("Width").unwrap().text_content(), "49");
        assert_eq!(
            back.path("URL").unwrap().text_content(),
            "https://images-na.ssl-images-amazon.com/images/I/X._SL75_.jpg"
        );
    }
}
