//! The MWS part of the mock's data: marketplaces, a seller's orders with their items,
//! products with identifiers, attributes, sales ranks and lowest offers, feed
//! submissions with processing summaries, and report requests with report bodies.
//!
//! Shapes follow the MWS API references (Orders 2013-09-01 "Orders Datatypes", Products
//! 2011-10-01 "Products Datatypes", Feeds and Reports 2009-01-01, Sellers 2011-07-01
//! "ListMarketplaceParticipations") and recorded live responses
//! (ScaleLeap/amazon-mws-api-sdk `test/integration/__recordings__/`). Marketplace ids and
//! endpoints: `protocols.md` §3.1. Dates are kept as the text Amazon answers with (`Z` for
//! Orders, `+00:00` for Feeds and Reports); [`MwsCatalogue::validate`] checks that every
//! one parses, that ids are unique and that cross references resolve.

// Field names mirror MWS's own elements (`OrderStatus`, `OrderTotal`, `IsBusinessOrder`…).
#![allow(clippy::struct_field_names)]

use crate::clock::UtcTime;
use serde::Deserialize;
use std::collections::BTreeSet;

/// The MWS part of the catalogue.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MwsCatalogue {
    /// What `GetServiceStatus` answers (every section).
    #[serde(default)]
    pub service_status: ServiceStatus,
    /// Marketplaces (ids, domains, currencies, languages).
    #[serde(default)]
    pub marketplaces: Vec<Marketplace>,
    /// Orders, with their items.
    #[serde(default)]
    pub orders: Vec<Order>,
    /// Products.
    #[serde(default)]
    pub products: Vec<Product>,
    /// Feed submissions.
    #[serde(default)]
    pub feeds: Vec<FeedSubmission>,
    /// Report requests.
    #[serde(default)]
    pub report_requests: Vec<ReportRequest>,
    /// Generated reports.
    #[serde(default)]
    pub reports: Vec<Report>,
}

/// `GetServiceStatus` values (MWS "GetServiceStatus": GREEN, GREEN_I, YELLOW, RED).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
pub enum ServiceStatus {
    /// Running normally.
    #[default]
    #[serde(rename = "GREEN")]
    Green,
    /// Running normally, with an informational message.
    #[serde(rename = "GREEN_I")]
    GreenI,
    /// Elevated error rates or degraded performance.
    #[serde(rename = "YELLOW")]
    Yellow,
    /// Not available or severely degraded.
    #[serde(rename = "RED")]
    Red,
}

impl ServiceStatus {
    /// The value as Amazon spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Green => "GREEN",
            Self::GreenI => "GREEN_I",
            Self::Yellow => "YELLOW",
            Self::Red => "RED",
        }
    }
}

/// A marketplace (`ListMarketplaceParticipations` `Marketplace` element).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Marketplace {
    /// `MarketplaceId`, e.g. `ATVPDKIKX0DER`.
    pub id: String,
    /// `DefaultCountryCode`, e.g. `US`.
    pub country: String,
    /// `DomainName`, e.g. `www.amazon.com`.
    pub domain: String,
    /// `Name`, e.g. `Amazon.com`.
    pub name: String,
    /// `DefaultCurrencyCode`, e.g. `USD`.
    pub currency: String,
    /// `DefaultLanguageCode`, e.g. `en_US`.
    pub language: String,
    /// The MWS endpoint host that serves it.
    pub endpoint: String,
}

/// An amount of money as Amazon writes it (`CurrencyCode`, `Amount` with its decimals).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Money {
    /// ISO 4217 code.
    pub currency: String,
    /// Decimal text, e.g. `25.00`.
    pub amount: String,
}

/// An order (Orders 2013-09-01 `Order`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Order {
    /// 3-7-7 id.
    pub amazon_order_id: String,
    /// The seller it belongs to.
    pub seller_id: String,
    /// Where it was placed.
    pub marketplace_id: String,
    /// `PurchaseDate`.
    pub purchase_date: String,
    /// `LastUpdateDate`.
    pub last_update_date: String,
    /// `OrderStatus` (Pending, Unshipped, PartiallyShipped, Shipped, Canceled, ...).
    pub order_status: String,
    /// `FulfillmentChannel` (MFN or AFN).
    pub fulfillment_channel: String,
    /// `SalesChannel`, e.g. `Amazon.com`.
    pub sales_channel: String,
    /// `ShipServiceLevel`.
    #[serde(default)]
    pub ship_service_level: Option<String>,
    /// `ShippingAddress` (absent while Pending).
    #[serde(default)]
    pub shipping_address: Option<Address>,
    /// `OrderTotal` (absent while Pending).
    #[serde(default)]
    pub order_total: Option<Money>,
    /// `NumberOfItemsShipped`.
    pub number_of_items_shipped: u32,
    /// `NumberOfItemsUnshipped`.
    pub number_of_items_unshipped: u32,
    /// `PaymentMethod` (Other, COD, CVS).
    pub payment_method: String,
    /// `PaymentMethodDetails/PaymentMethodDetail`.
    #[serde(default)]
    pub payment_method_details: Vec<String>,
    /// `BuyerEmail` (anonymised).
    #[serde(default)]
    pub buyer_email: Option<String>,
    /// `BuyerName`.
    #[serde(default)]
    pub buyer_name: Option<String>,
    /// `ShipmentServiceLevelCategory`.
    #[serde(default)]
    pub shipment_service_level_category: Option<String>,
    /// `OrderType`.
    pub order_type: String,
    /// `EarliestShipDate`.
    #[serde(default)]
    pub earliest_ship_date: Option<String>,
    /// `LatestShipDate`.
    #[serde(default)]
    pub latest_ship_date: Option<String>,
    /// `IsBusinessOrder`.
    #[serde(default)]
    pub is_business_order: bool,
    /// `IsPrime`.
    #[serde(default)]
    pub is_prime: bool,
    /// `IsPremiumOrder`.
    #[serde(default)]
    pub is_premium_order: bool,
    /// The items (`ListOrderItems`).
    pub items: Vec<OrderItem>,
}

/// A shipping address (Orders `Address`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Address {
    /// `Name`.
    pub name: String,
    /// `AddressLine1`.
    pub address_line1: String,
    /// `AddressLine2`.
    #[serde(default)]
    pub address_line2: Option<String>,
    /// `City`.
    pub city: String,
    /// `StateOrRegion`.
    #[serde(default)]
    pub state_or_region: Option<String>,
    /// `PostalCode`.
    pub postal_code: String,
    /// `CountryCode`.
    pub country_code: String,
    /// `Phone`.
    #[serde(default)]
    pub phone: Option<String>,
    /// `AddressType` (Residential, Commercial).
    #[serde(default)]
    pub address_type: Option<String>,
}

/// An order item (Orders `OrderItem`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderItem {
    /// `ASIN`.
    pub asin: String,
    /// `SellerSKU`.
    pub seller_sku: String,
    /// `OrderItemId`.
    pub order_item_id: String,
    /// `Title`.
    pub title: String,
    /// `QuantityOrdered`.
    pub quantity_ordered: u32,
    /// `QuantityShipped`.
    pub quantity_shipped: u32,
    /// `ItemPrice`.
    #[serde(default)]
    pub item_price: Option<Money>,
    /// `ShippingPrice`.
    #[serde(default)]
    pub shipping_price: Option<Money>,
    /// `ItemTax`.
    #[serde(default)]
    pub item_tax: Option<Money>,
    /// `ShippingTax`.
    #[serde(default)]
    pub shipping_tax: Option<Money>,
    /// `PromotionDiscount`.
    #[serde(default)]
    pub promotion_discount: Option<Money>,
    /// `ConditionId` (New, Used, ...).
    #[serde(default)]
    pub condition_id: Option<String>,
    /// `ConditionSubtypeId`.
    #[serde(default)]
    pub condition_subtype_id: Option<String>,
}

/// A product in one marketplace (Products 2011-10-01 `Product`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    /// `ASIN`.
    pub asin: String,
    /// The marketplace of this record.
    pub marketplace_id: String,
    /// Sellers' SKUs for it.
    #[serde(default)]
    pub seller_skus: Vec<SellerSku>,
    /// UPC (12 digits).
    #[serde(default)]
    pub upc: Option<String>,
    /// EAN (13 digits).
    #[serde(default)]
    pub ean: Option<String>,
    /// ISBN.
    #[serde(default)]
    pub isbn: Option<String>,
    /// Extra words `ListMatchingProducts` matches on.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// `AttributeSets/ns2:ItemAttributes`.
    pub attributes: ItemAttributes,
    /// `SalesRankings/SalesRank`.
    #[serde(default)]
    pub sales_ranks: Vec<SalesRank>,
    /// `LowestOfferListings/LowestOfferListing`.
    #[serde(default)]
    pub lowest_offers: Vec<OfferListing>,
}

/// A seller's SKU for a product.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SellerSku {
    /// The seller.
    pub seller_id: String,
    /// `SellerSKU`.
    pub sku: String,
}

/// `ns2:ItemAttributes` (the subset the mock answers with; written in this order, which
/// is the alphabetical order Amazon uses).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemAttributes {
    /// `ns2:Author`.
    #[serde(default)]
    pub author: Option<String>,
    /// `ns2:Binding`.
    #[serde(default)]
    pub binding: Option<String>,
    /// `ns2:Brand`.
    #[serde(default)]
    pub brand: Option<String>,
    /// `ns2:Color`.
    #[serde(default)]
    pub color: Option<String>,
    /// `ns2:Label`.
    #[serde(default)]
    pub label: Option<String>,
    /// `ns2:ListPrice` (`ns2:Amount`, `ns2:CurrencyCode`).
    #[serde(default)]
    pub list_price: Option<Money>,
    /// `ns2:Manufacturer`.
    #[serde(default)]
    pub manufacturer: Option<String>,
    /// `ns2:Model`.
    #[serde(default)]
    pub model: Option<String>,
    /// `ns2:NumberOfPages`.
    #[serde(default)]
    pub number_of_pages: Option<u32>,
    /// `ns2:PackageQuantity`.
    #[serde(default)]
    pub package_quantity: Option<u32>,
    /// `ns2:PartNumber`.
    #[serde(default)]
    pub part_number: Option<String>,
    /// `ns2:ProductGroup`.
    #[serde(default)]
    pub product_group: Option<String>,
    /// `ns2:ProductTypeName`.
    #[serde(default)]
    pub product_type_name: Option<String>,
    /// `ns2:Publisher`.
    #[serde(default)]
    pub publisher: Option<String>,
    /// `ns2:SmallImage`.
    #[serde(default)]
    pub small_image: Option<Image>,
    /// `ns2:Studio`.
    #[serde(default)]
    pub studio: Option<String>,
    /// `ns2:Title`.
    pub title: String,
}

/// `ns2:SmallImage`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Image {
    /// `ns2:URL`.
    pub url: String,
    /// `ns2:Height` in pixels.
    pub height: u32,
    /// `ns2:Width` in pixels.
    pub width: u32,
}

/// `SalesRank`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SalesRank {
    /// `ProductCategoryId`.
    pub category: String,
    /// `Rank`.
    pub rank: u32,
}

/// `LowestOfferListing`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfferListing {
    /// `Qualifiers/ItemCondition` (New, Used, Collectible, Refurbished, Club).
    pub condition: String,
    /// `Qualifiers/ItemSubcondition`.
    pub subcondition: String,
    /// `Qualifiers/FulfillmentChannel` (Amazon, Merchant).
    pub fulfillment_channel: String,
    /// `Qualifiers/ShipsDomestically` (True, False).
    pub ships_domestically: String,
    /// `Qualifiers/ShippingTime/Max`, e.g. `0-2 days`.
    pub shipping_time_max: String,
    /// `Qualifiers/SellerPositiveFeedbackRating`, e.g. `98-100%`.
    pub feedback_rating: String,
    /// `NumberOfOfferListingsConsidered`.
    pub listings_considered: u32,
    /// `SellerFeedbackCount`.
    pub feedback_count: u32,
    /// `Price/LandedPrice`.
    pub landed_price: Money,
    /// `Price/ListingPrice`.
    pub listing_price: Money,
    /// `Price/Shipping`.
    pub shipping: Money,
    /// `MultipleOffersAtLowestPrice` (True, False).
    pub multiple_offers_at_lowest_price: String,
}

/// A feed submission (Feeds `FeedSubmissionInfo`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedSubmission {
    /// `FeedSubmissionId` (digits).
    pub feed_submission_id: String,
    /// The seller.
    pub seller_id: String,
    /// `FeedType`, e.g. `_POST_PRODUCT_DATA_`.
    pub feed_type: String,
    /// `FeedProcessingStatus` (`_SUBMITTED_`, `_IN_PROGRESS_`, `_DONE_`, `_CANCELLED_`).
    pub status: String,
    /// `SubmittedDate`.
    pub submitted_date: String,
    /// `StartedProcessingDate`.
    #[serde(default)]
    pub started_processing_date: Option<String>,
    /// `CompletedProcessingDate`.
    #[serde(default)]
    pub completed_processing_date: Option<String>,
    /// The processing report's summary (present once `_DONE_`).
    #[serde(default)]
    pub processing_summary: Option<ProcessingSummary>,
}

/// `ProcessingReport/ProcessingSummary`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcessingSummary {
    /// `MessagesProcessed`.
    pub messages_processed: u32,
    /// `MessagesSuccessful`.
    pub messages_successful: u32,
    /// `MessagesWithError`.
    pub messages_with_error: u32,
    /// `MessagesWithWarning`.
    pub messages_with_warning: u32,
}

/// A report request (Reports `ReportRequestInfo`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportRequest {
    /// `ReportRequestId`.
    pub report_request_id: String,
    /// The seller.
    pub seller_id: String,
    /// `ReportType`.
    pub report_type: String,
    /// `ReportProcessingStatus` (`_SUBMITTED_`, `_IN_PROGRESS_`, `_DONE_`, `_DONE_NO_DATA_`, `_CANCELLED_`).
    pub status: String,
    /// `StartDate`.
    pub start_date: String,
    /// `EndDate`.
    pub end_date: String,
    /// `Scheduled`.
    #[serde(default)]
    pub scheduled: bool,
    /// `SubmittedDate`.
    pub submitted_date: String,
    /// `StartedProcessingDate`.
    #[serde(default)]
    pub started_processing_date: Option<String>,
    /// `CompletedDate`.
    #[serde(default)]
    pub completed_date: Option<String>,
    /// `GeneratedReportId`.
    #[serde(default)]
    pub generated_report_id: Option<String>,
}

/// A generated report (Reports `ReportInfo` plus its `GetReport` body).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// `ReportId`.
    pub report_id: String,
    /// `ReportRequestId`.
    pub report_request_id: String,
    /// The seller.
    pub seller_id: String,
    /// `ReportType`.
    pub report_type: String,
    /// `AvailableDate`.
    pub available_date: String,
    /// `Acknowledged`.
    #[serde(default)]
    pub acknowledged: bool,
    /// The flat-file body `GetReport` answers with (tab-separated, Windows-1252-safe).
    pub body: String,
}

/// A catalogue whose references or dates do not hold together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("mws catalogue: {0}")]
pub struct MwsCatalogueError(pub String);

impl MwsCatalogue {
    /// A marketplace by id.
    pub fn marketplace(&self, id: &str) -> Option<&Marketplace> {
        self.marketplaces.iter().find(|m| m.id == id)
    }

    /// An order by id.
    pub fn order(&self, amazon_order_id: &str) -> Option<&Order> {
        self.orders.iter().find(|o| o.amazon_order_id == amazon_order_id)
    }

    /// A product by ASIN in a marketplace.
    pub fn product_by_asin(&self, marketplace_id: &str, asin: &str) -> Option<&Product> {
        self.products.iter().find(|p| p.marketplace_id == marketplace_id && p.asin == asin)
    }

    /// A feed submission by id.
    pub fn feed(&self, feed_submission_id: &str) -> Option<&FeedSubmission> {
        self.feeds.iter().find(|f| f.feed_submission_id == feed_submission_id)
    }

    /// A report request by id.
    pub fn report_request(&self, report_request_id: &str) -> Option<&ReportRequest> {
        self.report_requests.iter().find(|r| r.report_request_id == report_request_id)
    }

    /// A report by id.
    pub fn report(&self, report_id: &str) -> Option<&Report> {
        self.reports.iter().find(|r| r.report_id == report_id)
    }

    /// Checks that every date parses, ids are unique, and references resolve.
    pub fn validate(&self) -> Result<(), MwsCatalogueError> {
        let err = |m: String| Err(MwsCatalogueError(m));
        let date = |what: &str, d: &str| -> Result<(), MwsCatalogueError> {
            UtcTime::parse_iso8601(d).map(|_| ()).map_err(|_| MwsCatalogueError(format!("{what}: bad date '{d}'")))
        };
        unique("marketplace", self.marketplaces.iter().map(|m| m.id.as_str()))?;
        unique("order", self.orders.iter().map(|o| o.amazon_order_id.as_str()))?;
        unique("feed", self.feeds.iter().map(|f| f.feed_submission_id.as_str()))?;
        unique("report request", self.report_requests.iter().map(|r| r.report_request_id.as_str()))?;
        unique("report", self.reports.iter().map(|r| r.report_id.as_str()))?;
        for o in &self.orders {
            let id = &o.amazon_order_id;
            if self.marketplace(&o.marketplace_id).is_none() {
                return err(format!("order {id}: unknown marketplace {}", o.marketplace_id));
            }
            for d in [&o.purchase_date, &o.last_update_date]
                .into_iter()
                .chain(&o.earliest_ship_date)
                .chain(&o.latest_ship_date)
            {
                date(id, d)?;
            }
            if o.items.is_empty() {
                return err(format!("order {id}: no items"));
            }
        }
        for p in &self.products {
            if self.marketplace(&p.marketplace_id).is_none() {
                return err(format!("product {}: unknown marketplace {}", p.asin, p.marketplace_id));
            }
        }
        for f in &self.feeds {
            let id = &f.feed_submission_id;
            if !id.bytes().all(|b| b.is_ascii_digit()) {
                return err(format!("feed {id}: ids are digits"));
            }
            for d in
                std::iter::once(&f.submitted_date).chain(&f.started_processing_date).chain(&f.completed_processing_date)
            {
                date(id, d)?;
            }
            if (f.status == "_DONE_") != f.processing_summary.is_some() {
                return err(format!("feed {id}: a processing summary goes with _DONE_ and only with it"));
            }
        }
        for r in &self.report_requests {
            let id = &r.report_request_id;
            for d in [&r.start_date, &r.end_date, &r.submitted_date]
                .into_iter()
                .chain(&r.started_processing_date)
                .chain(&r.completed_date)
            {
                date(id, d)?;
            }
            if let Some(g) = &r.generated_report_id {
                if self.report(g).is_none() {
                    return err(format!("report request {id}: unknown generated report {g}"));
                }
            }
        }
        for r in &self.reports {
            date(&r.report_id, &r.available_date)?;
            if self.report_request(&r.report_request_id).is_none() {
                return err(format!("report {}: unknown report request {}", r.report_id, r.report_request_id));
            }
            if !r.body.bytes().all(|b| b == b'\t' || b == b'\n' || (0x20..0x7f).contains(&b)) {
                return err(format!("report {}: the body must be printable ASCII, tabs and newlines", r.report_id));
            }
        }
        Ok(())
    }
}

fn unique<'a>(what: &str, ids: impl Iterator<Item = &'a str>) -> Result<(), MwsCatalogueError> {
    let mut seen = BTreeSet::new();
    for id in ids {
        if !seen.insert(id) {
            return Err(MwsCatalogueError(format!("duplicate {what} id {id}")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_mws_catalogue_is_consistent() {
        let c: MwsCatalogue = serde_yaml::from_str(include_str!("mws.yaml")).unwrap();
        c.validate().unwrap();
        assert!(c.marketplace("ATVPDKIKX0DER").is_some());
        assert!(c.orders.len() >= 3);
    }

    #[test]
    fn unknown_fields_are_refused() {
        let e = serde_yaml::from_str::<MwsCatalogue>("service_status: GREEN\ncolour: red\n").unwrap_err();
        assert!(e.to_string().contains("colour"), "{e}");
    }
}
