//! Sellers 2011-07-01: ListMarketplaceParticipations.
//!
//! Sellers API reference (`Sellers_ListMarketplaceParticipations`: no request parameters
//! besides the required ones) and the live response recorded in ScaleLeap's
//! `Sellers_*/should-be-able-to-query-marketplace-participation` HAR:
//! `ListParticipations/Participation(MarketplaceId, SellerId, HasSellerSuspendedListings)`
//! then `ListMarketplaces/Marketplace(MarketplaceId, DefaultCountryCode, DomainName, Name,
//! DefaultCurrencyCode, DefaultLanguageCode)`. The participations are the keystore seller's
//! marketplaces, described from the catalogue.

use super::{Call, Reply};
use crate::xml::mws::result;
use crate::xml::Element;

/// ListMarketplaceParticipations.
pub(super) fn list_marketplace_participations(call: &Call<'_>) -> Reply {
    let ids: &[String] = call.ctx.keys.seller(call.seller_id).map(|s| s.marketplaces.as_slice()).unwrap_or_default();
    let participations = ids.iter().map(|id| {
        Element::new("Participation")
            .leaf("MarketplaceId", id)
            .leaf("SellerId", call.seller_id)
            .leaf("HasSellerSuspendedListings", "No")
    });
    let marketplaces = ids.iter().filter_map(|id| call.catalogue().marketplace(id)).map(|m| {
        Element::new("Marketplace")
            .leaf("MarketplaceId", &m.id)
            .leaf("DefaultCountryCode", &m.country)
            .leaf("DomainName", &m.domain)
            .leaf("Name", &m.name)
            .leaf("DefaultCurrencyCode", &m.currency)
            .leaf("DefaultLanguageCode", &m.language)
    });
    let r = result(call.op.name())
        .child(Element::new("ListParticipations").children(participations))
        .child(Element::new("ListMarketplaces").children(marketplaces));
    call.respond([r])
}
