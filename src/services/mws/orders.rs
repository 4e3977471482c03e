//! Orders 2013-09-01: ListOrders, ListOrdersByNextToken, GetOrder, ListOrderItems.
//!
//! Orders API reference (`Orders_ListOrders`, `Orders_ListOrdersByNextToken`,
//! `Orders_GetOrder`, `Orders_ListOrderItems`, `Orders_Datatypes`); element order as in the
//! recorded responses (ScaleLeap recordings and `test/unit/__fixtures__/orders_*.xml`):
//! `ListOrdersResult/(NextToken?, Orders, CreatedBefore | LastUpdatedBefore)`. Like Amazon,
//! the upper date bound answered is two minutes before now (a live ListOrders at 11:22:24
//! answered `CreatedBefore` 11:20:25) unless the request asked for an earlier one.
//!
//! Validation messages: "CreatedAfter or LastUpdatedAfter must be specified" is observed
//! (ScaleLeap `error_response.xml`, `RequestId`); the others restate the reference's rules
//! ("Specifying both CreatedAfter and LastUpdatedAfter returns an error", "Must be later
//! than CreatedAfter", "Unshipped and PartiallyShipped must be used together …") and are
//! chosen. An AmazonOrderId that is not one of the seller's orders is 400
//! InvalidParameterValue "Value X for parameter AmazonOrderId is invalid." (chosen).
//! `NextToken` is an opaque base64 string carrying the query, so paging needs no state.

use super::errors::MwsError;
use super::params::{self, bounded, date, list, required};
use super::{Call, Reply};
use crate::catalogue::mws::{Address, Money, Order, OrderItem};
use crate::clock::UtcTime;
use crate::xml::mws::{money, result};
use crate::xml::Element;

const STATUSES: &[&str] = &[
    "PendingAvailability",
    "Pending",
    "Unshipped",
    "PartiallyShipped",
    "Shipped",
    "InvoiceUnconfirmed",
    "Canceled",
    "Unfulfillable",
];

/// Which date ListOrders filters on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Created,
    Updated,
}

/// A ListOrders query, also carried by its NextToken.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Query {
    mode: Mode,
    after: UtcTime,
    before: UtcTime,
    marketplaces: Vec<String>,
    statuses: Vec<String>,
    channels: Vec<String>,
    max: usize,
    offset: usize,
}

const TOKEN_FIELDS: usize = 10;

impl Query {
    fn token(&self, seller_id: &str, offset: usize) -> String {
        params::encode_token(&[
            "1",
            seller_id,
            if self.mode == Mode::Created { "C" } else { "U" },
            &self.after.unix_millis().to_string(),
            &self.before.unix_millis().to_string(),
            &self.marketplaces.join(","),
            &self.statuses.join(","),
            &self.channels.join(","),
            &self.max.to_string(),
            &offset.to_string(),
        ])
    }

    fn from_token(token: &str, seller_id: &str) -> Option<Self> {
        let f = params::decode_token(token, TOKEN_FIELDS)?;
        let split = |s: &str| s.split(',').filter(|x| !x.is_empty()).map(str::to_owned).collect::<Vec<_>>();
        if f[0] != "1" || f[1] != seller_id {
            return None;
        }
        Some(Self {
            mode: match f[2].as_str() {
                "C" => Mode::Created,
                "U" => Mode::Updated,
                _ => return None,
            },
            after: UtcTime::from_unix_millis(f[3].parse().ok()?),
            before: UtcTime::from_unix_millis(f[4].parse().ok()?),
            marketplaces: split(&f[5]),
            statuses: split(&f[6]),
            channels: split(&f[7]),
            max: f[8].parse().ok().filter(|m| (1..=100).contains(m))?,
            offset: f[9].parse().ok()?,
        })
    }
}

/// ListOrders.
pub(super) fn list_orders(call: &Call<'_>) -> Result<Reply, MwsError> {
    let p = call.params;
    let mut marketplaces = list(p, "MarketplaceId.Id");
    marketplaces.extend(p.get("MarketplaceId"));
    if marketplaces.is_empty() {
        return Err(MwsError::missing("MarketplaceId"));
    }
    call.check_marketplaces("MarketplaceId", &marketplaces)?;
    let (created_after, updated_after) = (date(p, "CreatedAfter")?, date(p, "LastUpdatedAfter")?);
    let (created_before, updated_before) = (date(p, "CreatedBefore")?, date(p, "LastUpdatedBefore")?);
    let (mode, after, before) = match (created_after, updated_after) {
        (Some(_), Some(_)) => {
            return Err(MwsError::invalid("CreatedAfter and LastUpdatedAfter cannot both be specified"))
        }
        (None, None) => return Err(MwsError::invalid("CreatedAfter or LastUpdatedAfter must be specified")),
        (Some(a), None) => {
            if updated_before.is_some() {
                return Err(MwsError::invalid("LastUpdatedBefore can only be specified with LastUpdatedAfter"));
            }
            (Mode::Created, a, created_before)
        }
        (None, Some(a)) => {
            if created_before.is_some() {
                return Err(MwsError::invalid("CreatedBefore can only be specified with CreatedAfter"));
            }
            (Mode::Updated, a, updated_before)
        }
    };
    let (after_name, before_name) = match mode {
        Mode::Created => ("CreatedAfter", "CreatedBefore"),
        Mode::Updated => ("LastUpdatedAfter", "LastUpdatedBefore"),
    };
    if before.is_some_and(|b| b <= after) {
        return Err(MwsError::invalid(format!("{before_name} must be later than {after_name}")));
    }
    let latest = call.ctx.now.plus_secs(-120);
    let before = before.map_or(latest, |b| b.min(latest));

    let statuses = list(p, "OrderStatus.Status");
    if let Some(bad) = statuses.iter().find(|s| !STATUSES.contains(s)) {
        return Err(MwsError::invalid_value("OrderStatus", bad));
    }
    if statuses.contains(&"Unshipped") != statuses.contains(&"PartiallyShipped") {
        return Err(MwsError::invalid(
            "Unshipped and PartiallyShipped must be used together in this version of the Orders API section.",
        ));
    }
    let channels = list(p, "FulfillmentChannel.Channel");
    if let Some(bad) = channels.iter().find(|c| !matches!(**c, "AFN" | "MFN")) {
        return Err(MwsError::invalid_value("FulfillmentChannel", bad));
    }
    let query = Query {
        mode,
        after,
        before,
        marketplaces: marketplaces.iter().map(|s| (*s).to_owned()).collect(),
        statuses: statuses.iter().map(|s| (*s).to_owned()).collect(),
        channels: channels.iter().map(|s| (*s).to_owned()).collect(),
        max: bounded(p, "MaxResultsPerPage", 1, 100, 100)?,
        offset: 0,
    };
    Ok(page(call, &query))
}

/// ListOrdersByNextToken: the next page of the query the token carries; a token that is
/// not one of ours, or another seller's, is 400 InvalidParameterValue "Value X for
/// parameter NextToken is invalid." (chosen).
pub(super) fn list_orders_by_next_token(call: &Call<'_>) -> Result<Reply, MwsError> {
    let token = required(call.params, "NextToken")?;
    let query = Query::from_token(token, call.seller_id).ok_or_else(|| MwsError::invalid_value("NextToken", token))?;
    Ok(page(call, &query))
}

fn page(call: &Call<'_>, q: &Query) -> Reply {
    let when = |o: &Order| {
        let d = if q.mode == Mode::Created { &o.purchase_date } else { &o.last_update_date };
        UtcTime::parse_iso8601(d).unwrap_or(UtcTime::from_unix_millis(i64::MIN))
    };
    let mut matching: Vec<&Order> = call
        .catalogue()
        .orders
        .iter()
        .filter(|o| o.seller_id == call.seller_id && q.marketplaces.contains(&o.marketplace_id))
        .filter(|o| q.statuses.is_empty() || q.statuses.contains(&o.order_status))
        .filter(|o| q.channels.is_empty() || q.channels.contains(&o.fulfillment_channel))
        .filter(|o| (q.after..=q.before).contains(&when(o)))
        .collect();
    matching.sort_by_key(|o| (when(o), o.amazon_order_id.clone()));
    let end = q.offset.saturating_add(q.max).min(matching.len());
    let shown = matching.get(q.offset..end).unwrap_or_default();
    let mut r = result(call.op.name());
    if end < matching.len() {
        r = r.leaf("NextToken", q.token(call.seller_id, end));
    }
    r = r.child(Element::new("Orders").children(shown.iter().map(|o| order(o))));
    let bound = if q.mode == Mode::Created { "CreatedBefore" } else { "LastUpdatedBefore" };
    call.respond([r.leaf(bound, q.before.to_iso8601_millis())])
}

/// GetOrder: `AmazonOrderId.Id.N`, 1 to 50 of the seller's orders.
pub(super) fn get_order(call: &Call<'_>) -> Result<Reply, MwsError> {
    let ids = list(call.params, "AmazonOrderId.Id");
    if ids.is_empty() {
        return Err(MwsError::missing("AmazonOrderId"));
    }
    if ids.len() > 50 {
        return Err(MwsError::invalid("A maximum of 50 AmazonOrderId values can be specified"));
    }
    let orders = ids.iter().map(|id| seller_order(call, id)).collect::<Result<Vec<_>, _>>()?;
    let r = result(call.op.name()).child(Element::new("Orders").children(orders.into_iter().map(order)));
    Ok(call.respond([r]))
}

/// ListOrderItems: the items of one of the seller's orders.
pub(super) fn list_order_items(call: &Call<'_>) -> Result<Reply, MwsError> {
    let id = required(call.params, "AmazonOrderId")?;
    let o = seller_order(call, id)?;
    let r = result(call.op.name())
        .leaf("AmazonOrderId", &o.amazon_order_id)
        .child(Element::new("OrderItems").children(o.items.iter().map(item)));
    Ok(call.respond([r]))
}

fn seller_order<'c>(call: &'c Call<'_>, id: &str) -> Result<&'c Order, MwsError> {
    call.catalogue()
        .order(id)
        .filter(|o| o.seller_id == call.seller_id)
        .ok_or_else(|| MwsError::invalid_value("AmazonOrderId", id))
}

fn money_opt(name: &str, m: Option<&Money>) -> Option<Element> {
    m.map(|m| money(name, &m.currency, &m.amount))
}

fn order(o: &Order) -> Element {
    let mut e = Element::new("Order")
        .leaf("AmazonOrderId", &o.amazon_order_id)
        .leaf("PurchaseDate", &o.purchase_date)
        .leaf("LastUpdateDate", &o.last_update_date)
        .leaf("OrderStatus", &o.order_status)
        .leaf("FulfillmentChannel", &o.fulfillment_channel)
        .leaf("SalesChannel", &o.sales_channel)
        .leaf_opt("ShipServiceLevel", o.ship_service_level.as_deref());
    if let Some(a) = &o.shipping_address {
        e.push(address(a));
    }
    if let Some(m) = money_opt("OrderTotal", o.order_total.as_ref()) {
        e.push(m);
    }
    e = e
        .leaf("NumberOfItemsShipped", o.number_of_items_shipped.to_string())
        .leaf("NumberOfItemsUnshipped", o.number_of_items_unshipped.to_string())
        .leaf("PaymentMethod", &o.payment_method);
    if !o.payment_method_details.is_empty() {
        e = e.child(
            Element::new("PaymentMethodDetails")
                .children(o.payment_method_details.iter().map(|d| Element::new("PaymentMethodDetail").text(d))),
        );
    }
    e.leaf("MarketplaceId", &o.marketplace_id)
        .leaf_opt("BuyerEmail", o.buyer_email.as_deref())
        .leaf_opt("BuyerName", o.buyer_name.as_deref())
        .leaf_opt("ShipmentServiceLevelCategory", o.shipment_service_level_category.as_deref())
        .leaf("OrderType", &o.order_type)
        .leaf_opt("EarliestShipDate", o.earliest_ship_date.as_deref())
        .leaf_opt("LatestShipDate", o.latest_ship_date.as_deref())
        .leaf("IsBusinessOrder", o.is_business_order.to_string())
        .leaf("IsPrime", o.is_prime.to_string())
        .leaf("IsPremiumOrder", o.is_premium_order.to_string())
}

fn address(a: &Address) -> Element {
    Element::new("ShippingAddress")
        .leaf("Name", &a.name)
        .leaf("AddressLine1", &a.address_line1)
        .leaf_opt("AddressLine2", a.address_line2.as_deref())
        .leaf("City", &a.city)
        .leaf_opt("StateOrRegion", a.state_or_region.as_deref())
        .leaf("PostalCode", &a.postal_code)
        .leaf("CountryCode", &a.country_code)
        .leaf_opt("Phone", a.phone.as_deref())
        .leaf_opt("AddressType", a.address_type.as_deref())
}

fn item(i: &OrderItem) -> Element {
    let mut e = Element::new("OrderItem")
        .leaf("ASIN", &i.asin)
        .leaf("SellerSKU", &i.seller_sku)
        .leaf("OrderItemId", &i.order_item_id)
        .leaf("Title", &i.title)
        .leaf("QuantityOrdered", i.quantity_ordered.to_string())
        .leaf("QuantityShipped", i.quantity_shipped.to_string());
    for (name, m) in [
        ("ItemPrice", &i.item_price),
        ("ShippingPrice", &i.shipping_price),
        ("ItemTax", &i.item_tax),
        ("ShippingTax", &i.shipping_tax),
        ("PromotionDiscount", &i.promotion_discount),
    ] {
        if let Some(m) = money_opt(name, m.as_ref()) {
            e.push(m);
        }
    }
    e.leaf_opt("ConditionId", i.condition_id.as_deref())
        .leaf_opt("ConditionSubtypeId", i.condition_subtype_id.as_deref())
}
