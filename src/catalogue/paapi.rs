//! The PA-API part of the mock's catalogue: items (with per-locale prices and offers,
//! images, sales rank, browse nodes, similar items) and the browse-node tree.
//!
//! Shapes follow the Product Advertising API 4.x schema (`AWSECommerceService.wsdl`,
//! API 2011-08-01: `Item`, `ItemAttributes`, `Offers`, `BrowseNode`) and recorded live
//! responses (redtoad/python-amazon-product-api `tests/2011-08-01/*.xml`). The YAML
//! (`paapi.yaml`) is a DTO with `deny_unknown_fields`; [`PaapiCatalogue`] is the
//! validated form (every referenced ASIN, browse node and locale exists), built with
//! `TryFrom` so that every load path validates.

use serde::Deserialize;
use std::collections::BTreeMap;

/// An amount in the currency's minor unit (cents, pence; yen for JPY), keyed by PA-API
/// locale code (`us`, `uk`, `de`, `jp`, ...).
pub(crate) type LocalePrices = BTreeMap<String, i64>;

/// The validated PA-API catalogue.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(try_from = "PaapiCatalogueFile")]
pub struct PaapiCatalogue {
    items: Vec<Item>,
    by_asin: BTreeMap<String, usize>,
    nodes: Vec<BrowseNode>,
    node_index: BTreeMap<String, usize>,
}

/// One catalogue item.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// The ASIN (10 characters).
    pub asin: String,
    /// The URL slug of the detail page (`Ulysses-James-Joyce`); derived from the title
    /// when absent.
    #[serde(default)]
    pub slug: Option<String>,
    /// `Title`.
    pub title: String,
    /// The `SearchIndex` the item is found under (`Books`, `DVD`, `Electronics`, ...).
    pub search_index: String,
    /// `ProductGroup` (`Book`, `DVD`, `Electronics`, `Kitchen`, `eBooks`).
    pub product_group: String,
    /// `ProductTypeName` (`ABIS_BOOK`, ...).
    #[serde(default)]
    pub product_type_name: Option<String>,
    /// `Binding` (`Paperback`, `DVD`, ...).
    #[serde(default)]
    pub binding: Option<String>,
    /// `Author` values.
    #[serde(default)]
    pub authors: Vec<String>,
    /// `Actor` values.
    #[serde(default)]
    pub actors: Vec<String>,
    /// `Artist` values.
    #[serde(default)]
    pub artists: Vec<String>,
    /// `Director` values.
    #[serde(default)]
    pub directors: Vec<String>,
    /// `Creator` values with their `Role` attribute.
    #[serde(default)]
    pub creators: Vec<Creator>,
    /// `Brand`.
    #[serde(default)]
    pub brand: Option<String>,
    /// `Manufacturer`.
    #[serde(default)]
    pub manufacturer: Option<String>,
    /// `Publisher`.
    #[serde(default)]
    pub publisher: Option<String>,
    /// `Studio`.
    #[serde(default)]
    pub studio: Option<String>,
    /// `Label`.
    #[serde(default)]
    pub label: Option<String>,
    /// `Model`.
    #[serde(default)]
    pub model: Option<String>,
    /// `MPN`.
    #[serde(default)]
    pub mpn: Option<String>,
    /// `PartNumber`.
    #[serde(default)]
    pub part_number: Option<String>,
    /// `ISBN` (ISBN-10).
    #[serde(default)]
    pub isbn: Option<String>,
    /// `EAN` (EAN-13; ISBN-13 for books).
    #[serde(default)]
    pub ean: Option<String>,
    /// `UPC` (UPC-A, 12 digits).
    #[serde(default)]
    pub upc: Option<String>,
    /// A merchant `SKU` (for `IdType=SKU` lookups).
    #[serde(default)]
    pub sku: Option<String>,
    /// `Edition`.
    #[serde(default)]
    pub edition: Option<String>,
    /// `NumberOfPages`.
    #[serde(default)]
    pub number_of_pages: Option<u32>,
    /// `NumberOfDiscs`.
    #[serde(default)]
    pub number_of_discs: Option<u32>,
    /// `NumberOfItems`.
    #[serde(default)]
    pub number_of_items: Option<u32>,
    /// `PublicationDate` (`YYYY-MM-DD`).
    #[serde(default)]
    pub publication_date: Option<String>,
    /// `ReleaseDate` (`YYYY-MM-DD`).
    #[serde(default)]
    pub release_date: Option<String>,
    /// `RunningTime`, minutes.
    #[serde(default)]
    pub running_time_minutes: Option<u32>,
    /// `AudienceRating`.
    #[serde(default)]
    pub audience_rating: Option<String>,
    /// `AspectRatio`.
    #[serde(default)]
    pub aspect_ratio: Option<String>,
    /// `RegionCode`.
    #[serde(default)]
    pub region_code: Option<String>,
    /// `Format` values.
    #[serde(default)]
    pub formats: Vec<String>,
    /// `Feature` bullet points.
    #[serde(default)]
    pub features: Vec<String>,
    /// `Languages/Language`.
    #[serde(default)]
    pub languages: Vec<Language>,
    /// `ListPrice` per locale.
    #[serde(default)]
    pub list_price: LocalePrices,
    /// Offers (new and used); an item with no offer in a locale cannot go into a cart.
    #[serde(default)]
    pub offers: Vec<Offer>,
    /// `SalesRank`.
    #[serde(default)]
    pub sales_rank: Option<u64>,
    /// The primary image.
    #[serde(default)]
    pub image: Option<Image>,
    /// Browse nodes the item is filed under (leaf nodes).
    #[serde(default)]
    pub browse_nodes: Vec<String>,
    /// ASINs of similar items (`SimilarProducts`, `SimilarityLookup`).
    #[serde(default)]
    pub similar: Vec<String>,
    /// Whether the item has customer reviews (`CustomerReviews/HasReviews`).
    #[serde(default)]
    pub has_reviews: bool,
}

/// A `Creator` with its `Role`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Creator {
    /// `Role` attribute (`Illustrator`, `Editor`, `Producer`).
    pub role: String,
    /// The name.
    pub name: String,
}

/// A `Languages/Language` entry.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Language {
    /// `Name` (`English`).
    pub name: String,
    /// `Type` (`Published`, `Original Language`, `Subtitled`).
    #[serde(rename = "type")]
    pub kind: String,
}

/// An offer: one merchant's listing in one condition, priced per locale.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Offer {
    /// `Condition` (`New`, `Used`, `Collectible`, `Refurbished`).
    #[serde(default = "default_condition")]
    pub condition: String,
    /// The merchant; `Amazon` becomes the locale's store name (`Amazon.co.uk`).
    #[serde(default = "default_merchant")]
    pub merchant: String,
    /// The price per locale; the offer exists only in these locales.
    pub price: LocalePrices,
    /// `Availability` text.
    #[serde(default = "default_availability")]
    pub availability: String,
    /// `AvailabilityAttributes/AvailabilityType`.
    #[serde(default = "default_availability_type")]
    pub availability_type: String,
    /// `AvailabilityAttributes/MinimumHours`.
    #[serde(default)]
    pub minimum_hours: u32,
    /// `AvailabilityAttributes/MaximumHours`.
    #[serde(default)]
    pub maximum_hours: u32,
    /// `IsEligibleForSuperSaverShipping`.
    #[serde(default)]
    pub super_saver_shipping: bool,
}

fn default_condition() -> String {
    "New".to_owned()
}
fn default_merchant() -> String {
    "Amazon".to_owned()
}
fn default_availability() -> String {
    "Usually ships in 24 hours".to_owned()
}
fn default_availability_type() -> String {
    "now".to_owned()
}

/// The primary image: an image id on `images-na.ssl-images-amazon.com` and the size of the
/// large rendition (the smaller ones are scaled from it).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Image {
    /// The image id (`51X4-ppnLqL`).
    pub id: String,
    /// Width of the large image, pixels.
    pub width: u32,
    /// Height of the large image, pixels.
    pub height: u32,
}

/// A browse node.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrowseNode {
    /// `BrowseNodeId`.
    pub id: String,
    /// `Name`.
    pub name: String,
    /// The parent node's id; `None` for a store root.
    #[serde(default)]
    pub parent: Option<String>,
    /// `IsCategoryRoot` (the top of a store's category tree).
    #[serde(default)]
    pub is_category_root: bool,
}

/// The file form.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaapiCatalogueFile {
    /// Items.
    #[serde(default)]
    pub items: Vec<Item>,
    /// Browse nodes, parents before children.
    #[serde(default)]
    pub browse_nodes: Vec<BrowseNode>,
}

/// Why a PA-API catalogue is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaapiCatalogueError {
    /// Two items with one ASIN.
    #[error("duplicate ASIN '{0}'")]
    DuplicateAsin(String),
    /// Two browse nodes with one id.
    #[error("duplicate browse node id '{0}'")]
    DuplicateNode(String),
    /// A node's parent is not defined before it.
    #[error("browse node '{node}': parent '{parent}' is not defined above it")]
    UnknownParent {
        /// The node.
        node: String,
        /// Its parent id.
        parent: String,
    },
    /// An item names a browse node that does not exist.
    #[error("item '{asin}': unknown browse node '{node}'")]
    UnknownNode {
        /// The item.
        asin: String,
        /// The node id.
        node: String,
    },
    /// An item names a similar ASIN that does not exist.
    #[error("item '{asin}': similar ASIN '{similar}' is not in the catalogue")]
    UnknownSimilar {
        /// The item.
        asin: String,
        /// The missing ASIN.
        similar: String,
    },
    /// A price for a locale PA-API does not have.
    #[error("item '{asin}': unknown PA-API locale '{locale}'")]
    UnknownLocale {
        /// The item.
        asin: String,
        /// The locale code.
        locale: String,
    },
    /// A negative or zero price.
    #[error("item '{asin}': price {amount} for '{locale}' must be positive")]
    BadPrice {
        /// The item.
        asin: String,
        /// The locale code.
        locale: String,
        /// The amount.
        amount: i64,
    },
}

impl TryFrom<PaapiCatalogueFile> for PaapiCatalogue {
    type Error = PaapiCatalogueError;

    fn try_from(file: PaapiCatalogueFile) -> Result<Self, Self::Error> {
        let mut node_index = BTreeMap::new();
        for (i, n) in file.browse_nodes.iter().enumerate() {
            if let Some(parent) = &n.parent {
                if !node_index.contains_key(parent) {
                    return Err(PaapiCatalogueError::UnknownParent { node: n.id.clone(), parent: parent.clone() });
                }
            }
            if node_index.insert(n.id.clone(), i).is_some() {
                return Err(PaapiCatalogueError::DuplicateNode(n.id.clone()));
            }
        }
        let mut by_asin = BTreeMap::new();
        for (i, item) in file.items.iter().enumerate() {
            if by_asin.insert(item.asin.clone(), i).is_some() {
                return Err(PaapiCatalogueError::DuplicateAsin(item.asin.clone()));
            }
        }
        for item in &file.items {
            if let Some(node) = item.browse_nodes.iter().find(|n| !node_index.contains_key(*n)) {
                return Err(PaapiCatalogueError::UnknownNode { asin: item.asin.clone(), node: node.clone() });
            }
            if let Some(s) = item.similar.iter().find(|s| !by_asin.contains_key(*s)) {
                return Err(PaapiCatalogueError::UnknownSimilar { asin: item.asin.clone(), similar: s.clone() });
            }
            let prices = item.offers.iter().flat_map(|o| o.price.iter()).chain(item.list_price.iter());
            for (locale, &amount) in prices {
                if !crate::keystore::PAAPI_LOCALES.contains(&locale.as_str()) {
                    return Err(PaapiCatalogueError::UnknownLocale { asin: item.asin.clone(), locale: locale.clone() });
                }
                if amount <= 0 {
                    return Err(PaapiCatalogueError::BadPrice {
                        asin: item.asin.clone(),
                        locale: locale.clone(),
                        amount,
                    });
                }
            }
        }
        Ok(Self { items: file.items, by_asin, nodes: file.browse_nodes, node_index })
    }
}

/// Which catalogue field an `ItemLookup` `IdType` searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    /// `ASIN`.
    Asin,
    /// `ISBN`: ISBN-10, or ISBN-13 (matched against the EAN).
    Isbn,
    /// `EAN`.
    Ean,
    /// `UPC` (a 12-digit UPC also matches as the EAN with a leading zero).
    Upc,
    /// `SKU`.
    Sku,
}

impl PaapiCatalogue {
    /// Every item, in file order.
    pub fn items(&self) -> &[Item] {
        &self.items
    }

    /// The item with this ASIN.
    pub fn item(&self, asin: &str) -> Option<&Item> {
        self.by_asin.get(asin).map(|&i| &self.items[i])
    }

    /// Items whose identifier of `kind` equals `value`.
    pub fn find(&self, kind: IdKind, value: &str) -> Vec<&Item> {
        let value = value.trim();
        self.items
            .iter()
            .filter(|it| match kind {
                IdKind::Asin => it.asin == value,
                IdKind::Isbn => it.isbn.as_deref() == Some(value) || it.ean.as_deref() == Some(value),
                IdKind::Ean => it.ean.as_deref() == Some(value),
                IdKind::Upc => {
                    it.upc.as_deref() == Some(value) || it.ean.as_deref() == Some(format!("0{value}").as_str())
                }
                IdKind::Sku => it.sku.as_deref() == Some(value),
            })
            .collect()
    }

    /// Every browse node, in file order.
    pub fn nodes(&self) -> &[BrowseNode] {
        &self.nodes
    }

    /// The browse node with this id.
    pub fn node(&self, id: &str) -> Option<&BrowseNode> {
        self.node_index.get(id).map(|&i| &self.nodes[i])
    }

    /// The direct children of a node, in file order.
    pub fn children<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a BrowseNode> + 'a {
        self.nodes.iter().filter(move |n| n.parent.as_deref() == Some(id))
    }

    /// The ancestors of a node, nearest first.
    pub fn ancestors(&self, id: &str) -> Vec<&BrowseNode> {
        let mut out = Vec::new();
        let mut cur = self.node(id).and_then(|n| n.parent.as_deref());
        while let Some(p) = cur.and_then(|p| self.node(p)) {
            out.push(p);
            cur = p.parent.as_deref();
        }
        out
    }

    /// True when `node` is `ancestor` or lies below it.
    pub fn is_within(&self, node: &str, ancestor: &str) -> bool {
        node == ancestor || self.ancestors(node).iter().any(|a| a.id == ancestor)
    }

    /// True when the item is filed under `node` or one of its descendants.
    pub fn item_in_node(&self, item: &Item, node: &str) -> bool {
        item.browse_nodes.iter().any(|n| self.is_within(n, node))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn embedded() -> PaapiCatalogue {
        serde_yaml::from_str(include_str!("paapi.yaml")).unwrap()
    }

    #[test]
    fn embedded_catalogue_is_valid_and_has_the_documentation_examples() {
        let c = embedded();
        for asin in ["0679722769", "B0011ZK6PC", "B000NK8EWI"] {
            assert!(c.item(asin).is_some(), "{asin}");
        }
        for node in ["465600", "1000"] {
            assert!(c.node(node).is_some(), "{node}");
        }
        assert_eq!(c.find(IdKind::Isbn, "9780679722762")[0].asin, "0679722769");
        assert!(c.item_in_node(c.item("0679722769").unwrap(), "1000"));
        assert_eq!(c.ancestors("465600").iter().map(|n| n.id.as_str()).collect::<Vec<_>>(), ["17", "1000", "283155"]);
    }

    fn check_digit_ok(digits: &str, weights: [u32; 2]) -> bool {
        let sum: u32 = digits.chars().rev().enumerate().map(|(i, c)| c.to_digit(10).unwrap() * weights[i % 2]).sum();
        sum % 10 == 0
    }

    #[test]
    fn embedded_identifiers_have_valid_check_digits() {
        for item in embedded().items() {
            if let Some(isbn) = &item.isbn {
                let sum: u32 = isbn.chars().zip((1..=10).rev()).map(|(c, w)| c.to_digit(10).unwrap_or(10) * w).sum();
                assert_eq!(sum % 11, 0, "{}: ISBN {isbn}", item.asin);
            }
            if let Some(ean) = &item.ean {
                assert!(ean.len() == 13 && check_digit_ok(ean, [1, 3]), "{}: EAN {ean}", item.asin);
            }
            if let Some(upc) = &item.upc {
                assert!(upc.len() == 12 && check_digit_ok(upc, [1, 3]), "{}: UPC {upc}", item.asin);
            }
        }
    }

    #[test]
    fn invalid_catalogues_are_refused_with_the_reason() {
        let cases = [
            (
                "items: [{asin: A, title: T, search_index: Books, product_group: Book, browse_nodes: ['9']}]",
                "unknown browse node '9'",
            ),
            (
                "items: [{asin: A, title: T, search_index: Books, product_group: Book, similar: [B]}]",
                "similar ASIN 'B'",
            ),
            (
                "items: [{asin: A, title: T, search_index: Books, product_group: Book, list_price: {xx: 1}}]",
                "unknown PA-API locale 'xx'",
            ),
            ("browse_nodes: [{id: '2', name: N, parent: '1'}]", "parent '1' is not defined"),
            ("items: [{asin: A, title: T, search_index: Books, product_group: Book, colour: red}]", "unknown field"),
        ];
        for (yaml, want) in cases {
            let err = serde_yaml::from_str::<PaapiCatalogue>(yaml).unwrap_err().to_string();
            assert!(err.contains(want), "{yaml}: {err}");
        }
    }
}
