//! The remote shopping cart: `CartCreate`, `CartAdd`, `CartModify`, `CartGet`,
//! `CartClear`.
//!
//! Shapes recorded live (redtoad/python-amazon-product-api `tests/2011-08-01/Cart*-us-*`):
//! `Cart/Request(IsValid, Cart…Request echo)`, then `CartId` (`178-5227311-4914036`),
//! `HMAC` (base64), `URLEncodedHMAC`, `PurchaseURL`
//! (`https://www.amazon.com/gp/cart/aws-merge.html?cart-id=…%26associate-id={tag}%26
//! hmac=…%26SubscriptionId={AKID}%26MergeCart=False`), `SubTotal`, `CartItems(SubTotal,
//! CartItem(CartItemId, ASIN, SellerNickname, Quantity, Title, ProductGroup, Price,
//! ItemTotal)…)`. Newly added items come first; a `CartItemId` is stable per item; a
//! cleared cart shows only `CartId`, `HMAC`, `URLEncodedHMAC`; an unknown `CartItemId` in
//! CartModify is ignored; quantities are 1..999 (0..999 in CartModify); errors as
//! recorded (`ItemNotEligibleForCart` with an empty item for an unknown ASIN,
//! `ItemAlreadyInCart` with the cart still shown, `CartInfoMismatch` without it).
//!
//! **State without a store.** Services are pure, so the cart lives in what the client
//! sends back: the `HMAC` is `base64(mac ‖ contents)`, where `contents` lists
//! `ASIN,offer,quantity,c|s` per line and `mac` is the first 20 bytes of an HMAC-SHA1 over
//! (locale, AssociateTag, CartId, contents) under a fixed mock key. The `CartId` keeps the
//! real `NNN-NNNNNNN-NNNNNNN` shape and never changes; the `HMAC` changes whenever the
//! contents change (Amazon kept it fixed), so clients must send back the `HMAC` of the
//! latest cart response. A tampered, foreign or stale-locale `HMAC` answers
//! `CartInfoMismatch`, as a wrong one does on Amazon. An empty cart's `HMAC` is 28
//! characters, the length Amazon's have.

use super::inband::{check_response_groups, invalid_enumerated, InBand, ResponseGroupRules, CART_RULES};
use super::items::{merchant_name, mock_token_key, offer_listing_id, offers_here, similar_products};
use super::{Band, OpReply};
use crate::crypto::{base64_decode, base64_encode, constant_time_eq, hmac, sha256_hex, HmacAlgorithm};
use crate::encoding::encode;
use crate::xml::{paapi::price, Element};
use std::collections::BTreeMap;

const MAC_LEN: usize = 20;

/// One cart line.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Line {
    asin: String,
    offer: usize,
    quantity: u32,
    saved_for_later: bool,
}

/// The cart contents (newest line first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Cart {
    lines: Vec<Line>,
}

impl Cart {
    fn contents(&self) -> String {
        let line =
            |l: &Line| format!("{},{},{},{}", l.asin, l.offer, l.quantity, if l.saved_for_later { 's' } else { 'c' });
        self.lines.iter().map(line).collect::<Vec<_>>().join(";")
    }

    fn parse(text: &str) -> Option<Self> {
        let mut lines = Vec::new();
        for l in text.split(';').filter(|l| !l.is_empty()) {
            let mut f = l.split(',');
            let (asin, offer, quantity, flag) = (f.next()?, f.next()?, f.next()?, f.next()?);
            lines.push(Line {
                asin: asin.to_owned(),
                offer: offer.parse().ok()?,
                quantity: quantity.parse().ok()?,
                saved_for_later: match flag {
                    "s" => true,
                    "c" => false,
                    _ => return None,
                },
            });
        }
        Some(Self { lines })
    }
}

fn mac(b: &Band<'_>, cart_id: &str, contents: &str) -> Vec<u8> {
    let msg = format!("cart\n{}\n{}\n{cart_id}\n{contents}", b.locale.code, b.tag);
    hmac(HmacAlgorithm::Sha1, &mock_token_key(), msg.as_bytes()).as_bytes()[..MAC_LEN].to_vec()
}

/// The `HMAC` a client must send back for this cart.
fn seal(b: &Band<'_>, cart_id: &str, cart: &Cart) -> String {
    let contents = cart.contents();
    let mut bytes = mac(b, cart_id, &contents);
    bytes.extend_from_slice(contents.as_bytes());
    base64_encode(&bytes)
}

/// The cart behind a `CartId` and `HMAC`, if they belong together (and to this locale
/// and AssociateTag).
fn open(b: &Band<'_>, cart_id: &str, sealed: &str) -> Option<Cart> {
    let bytes = base64_decode(sealed)?;
    if bytes.len() < MAC_LEN {
        return None;
    }
    let (given, contents) = bytes.split_at(MAC_LEN);
    let contents = std::str::from_utf8(contents).ok()?;
    if !constant_time_eq(given, &mac(b, cart_id, contents)) {
        return None;
    }
    let cart = Cart::parse(contents)?;
    cart.lines.iter().all(|l| b.catalogue.item(&l.asin).is_some()).then_some(cart)
}

fn digits(seed: &str, n: usize) -> String {
    let hex = sha256_hex(seed.as_bytes());
    let value = u128::from_str_radix(&hex[..32], 16).unwrap_or(0);
    let all = format!("{value:039}");
    all[all.len() - n..].to_owned()
}

/// A new `CartId` in Amazon's shape, the first digit by region.
fn new_cart_id(b: &Band<'_>) -> String {
    let d = digits(&format!("cart-id\n{}\n{}", b.request_id, b.access_key_id), 16);
    format!("{}{}-{}-{}", b.locale.cart_id_digit, &d[..2], &d[2..9], &d[9..16])
}

/// A `CartItemId` (recorded: `U24FI3NHT8Y1PC`): `U` and 13 base-36 characters, stable per
/// item and offer.
fn cart_item_id(asin: &str, offer: usize) -> String {
    let hex = sha256_hex(format!("cart-item\n{asin}\n{offer}").as_bytes());
    let mut v = u128::from_str_radix(&hex[..32], 16).unwrap_or(0);
    let mut out = String::from("U");
    for _ in 0..13 {
        let d = u32::try_from(v % 36).unwrap_or(0);
        out.push(char::from_digit(d, 36).unwrap_or('0').to_ascii_uppercase());
        v /= 36;
    }
    out
}

/// `Item.N.*` parameters, by N.
#[derive(Debug, Clone, Default)]
struct Requested<'a> {
    asin: Option<&'a str>,
    offer_listing_id: Option<&'a str>,
    cart_item_id: Option<&'a str>,
    quantity: Option<&'a str>,
    action: Option<&'a str>,
}

fn requested<'a>(b: &Band<'a>) -> Vec<Requested<'a>> {
    let mut by_n: BTreeMap<u32, Requested<'a>> = BTreeMap::new();
    for p in b.params {
        let Some(rest) = p.name.strip_prefix("Item.") else { continue };
        let Some((n, field)) = rest.split_once('.') else { continue };
        let Ok(n) = n.parse::<u32>() else { continue };
        let r = by_n.entry(n).or_default();
        let value = Some(p.value.as_str()).filter(|v| !v.is_empty());
        match field {
            "ASIN" => r.asin = value,
            "OfferListingId" => r.offer_listing_id = value,
            "CartItemId" => r.cart_item_id = value,
            "Quantity" => r.quantity = value,
            "Action" => r.action = value,
            _ => {}
        }
    }
    by_n.into_values().collect()
}

fn echo_items(items: &[Requested<'_>], modify: bool) -> Option<Element> {
    (!items.is_empty()).then(|| {
        Element::new("Items").children(items.iter().map(|r| {
            let e = Element::new("Item");
            let e = if modify {
                e.leaf_opt("Action", r.action).leaf_opt("CartItemId", r.cart_item_id)
            } else {
                e.leaf_opt("ASIN", r.asin).leaf_opt("OfferListingId", r.offer_listing_id)
            };
            e.leaf_opt("Quantity", r.quantity)
        }))
    })
}

/// Validates quantities (`low..=999`) and field combinations; errors once per kind.
fn check_items(items: &[Requested<'_>], low: u32, modify: bool, errors: &mut Vec<InBand>) {
    if items.iter().all(|r| r.asin.is_none() && r.offer_listing_id.is_none() && r.cart_item_id.is_none()) {
        errors.push(InBand::MissingParameters("Items"));
        return;
    }
    let bad_quantity =
        items.iter().any(|r| r.quantity.is_some_and(|q| q.parse::<u32>().map_or(true, |q| !(low..=999).contains(&q))));
    if bad_quantity {
        errors.push(InBand::ParameterOutOfRange { param: "Quantity", low, high: 999 });
    }
    if !modify && items.iter().any(|r| r.asin.is_some() && r.offer_listing_id.is_some()) {
        errors.push(InBand::InvalidParameterCombination { first: "ASIN", second: "OfferListingId" });
    }
    if modify && items.iter().any(|r| r.action.is_some_and(|a| !matches!(a, "MoveToCart" | "SaveForLater"))) {
        errors.push(invalid_enumerated("Action", "MoveToCart, SaveForLater"));
    }
}

/// The offer an `Item.N` names, or the error it earns.
fn resolve(b: &Band<'_>, r: &Requested<'_>) -> Result<(String, usize), InBand> {
    if let Some(id) = r.offer_listing_id {
        return b
            .catalogue
            .items()
            .iter()
            .flat_map(|it| offers_here(b, it).into_iter().map(move |(i, _, _)| (it, i)))
            .find(|(it, i)| constant_time_eq(offer_listing_id(b.locale.code, &it.asin, *i).as_bytes(), id.as_bytes()))
            .map(|(it, i)| (it.asin.clone(), i))
            .ok_or_else(|| InBand::ItemNotEligibleForCart(String::new()));
    }
    let asin = r.asin.unwrap_or("");
    let Some(item) = b.catalogue.item(asin) else { return Err(InBand::ItemNotEligibleForCart(String::new())) };
    offers_here(b, item)
        .into_iter()
        .find(|(_, o, _)| o.condition == "New")
        .map(|(i, _, _)| (item.asin.clone(), i))
        .ok_or_else(|| InBand::ItemNotEligibleForCart(asin.to_owned()))
}

fn quantity(r: &Requested<'_>) -> u32 {
    r.quantity.and_then(|q| q.parse().ok()).unwrap_or(1)
}

fn line_element(b: &Band<'_>, name: &str, line: &Line) -> Option<(Element, i64)> {
    let item = b.catalogue.item(&line.asin)?;
    let offer = item.offers.get(line.offer)?;
    let unit = *offer.price.get(b.locale.code)?;
    let total = unit * i64::from(line.quantity);
    let money = |n: &str, v: i64| price(n, v, b.locale.currency, &b.locale.format_price(v));
    let e = Element::new(name)
        .leaf("CartItemId", cart_item_id(&line.asin, line.offer))
        .leaf("ASIN", line.asin.clone())
        .leaf("SellerNickname", merchant_name(b, offer))
        .leaf("Quantity", line.quantity.to_string())
        .leaf("Title", item.title.clone())
        .leaf("ProductGroup", item.product_group.clone())
        .child(money("Price", unit))
        .child(money("ItemTotal", total));
    Some((e, total))
}

fn line_group(b: &Band<'_>, group: &str, item_name: &str, lines: &[&Line]) -> Option<(Element, i64)> {
    let rendered: Vec<(Element, i64)> = lines.iter().filter_map(|l| line_element(b, item_name, l)).collect();
    if rendered.is_empty() {
        return None;
    }
    let sum: i64 = rendered.iter().map(|(_, t)| t).sum();
    let e = Element::new(group)
        .child(price("SubTotal", sum, b.locale.currency, &b.locale.format_price(sum)))
        .children(rendered.into_iter().map(|(e, _)| e));
    Some((e, sum))
}

/// `CartId`, `HMAC`, `URLEncodedHMAC`, and for a non-empty cart `PurchaseURL`,
/// `SubTotal`, `CartItems`, `SavedForLaterItems`, `SimilarProducts`.
fn cart_elements(b: &Band<'_>, cart_id: &str, cart: &Cart, groups: &[String]) -> Vec<Element> {
    let sealed = seal(b, cart_id, cart);
    let mut out = vec![
        Element::new("CartId").text(cart_id),
        Element::new("HMAC").text(sealed.clone()),
        Element::new("URLEncodedHMAC").text(encode(sealed.as_bytes())),
    ];
    let active: Vec<&Line> = cart.lines.iter().filter(|l| !l.saved_for_later).collect();
    let saved: Vec<&Line> = cart.lines.iter().filter(|l| l.saved_for_later).collect();
    if let Some((items, sum)) = line_group(b, "CartItems", "CartItem", &active) {
        let merge = if b.get("MergeCart") == Some("True") { "True" } else { "False" };
        out.push(Element::new("PurchaseURL").text(format!(
            "https://{}/gp/cart/aws-merge.html?cart-id={cart_id}%26associate-id={}%26hmac={}%26SubscriptionId={}%26MergeCart={merge}",
            b.locale.retail_host,
            encode(b.tag.as_bytes()),
            sealed.replace('+', "%2B"),
            encode(b.access_key_id.as_bytes()),
        )));
        out.push(price("SubTotal", sum, b.locale.currency, &b.locale.format_price(sum)));
        out.push(items);
    }
    if let Some((items, _)) = line_group(b, "SavedForLaterItems", "SavedForLaterItem", &saved) {
        out.push(items);
    }
    if groups.iter().any(|g| g == "CartSimilarities") {
        let in_cart: Vec<&str> = cart.lines.iter().map(|l| l.asin.as_str()).collect();
        let mut similar: Vec<&String> = Vec::new();
        for l in &cart.lines {
            for s in b.catalogue.item(&l.asin).map(|it| it.similar.iter()).into_iter().flatten() {
                if !in_cart.contains(&s.as_str()) && !similar.contains(&s) {
                    similar.push(s);
                }
            }
        }
        out.extend(similar_products(b, similar));
    }
    out
}

/// Which cart operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CartOp {
    /// `CartCreate`.
    Create,
    /// `CartAdd`.
    Add,
    /// `CartModify`.
    Modify,
    /// `CartGet`.
    Get,
    /// `CartClear`.
    Clear,
}

impl CartOp {
    fn name(self) -> &'static str {
        match self {
            Self::Create => "CartCreate",
            Self::Add => "CartAdd",
            Self::Modify => "CartModify",
            Self::Get => "CartGet",
            Self::Clear => "CartClear",
        }
    }

    fn echo_name(self) -> &'static str {
        match self {
            Self::Create => "CartCreateRequest",
            Self::Add => "CartAddRequest",
            Self::Modify => "CartModifyRequest",
            Self::Get => "CartGetRequest",
            Self::Clear => "CartClearRequest",
        }
    }
}

/// Answers a cart operation.
pub(super) fn run<'a>(b: &Band<'a>, op: CartOp, pre: Vec<InBand>) -> OpReply<'a> {
    let items = requested(b);
    let sent_groups = b.get("ResponseGroup").map(|_| b.response_groups("Cart"));
    let groups = b.response_groups("Cart");
    let mut echo = Element::new(op.echo_name());
    if op != CartOp::Create {
        echo = echo.leaf_opt("CartId", b.get("CartId")).leaf_opt("HMAC", b.get("HMAC"));
    }
    echo = echo.leaf_opt("MergeCart", b.get("MergeCart"));
    if matches!(op, CartOp::Create | CartOp::Add | CartOp::Modify) {
        echo = echo.children(echo_items(&items, op == CartOp::Modify));
    }
    for g in sent_groups.iter().flatten() {
        echo = echo.leaf("ResponseGroup", g.clone());
    }

    let mut errors = pre;
    if op != CartOp::Create {
        for p in ["CartId", "HMAC"] {
            if b.get(p).is_none() && !errors.iter().any(|e| matches!(e, InBand::MissingParameters(_))) {
                errors.push(InBand::MissingParameters(p));
            }
        }
    }
    match op {
        CartOp::Create | CartOp::Add => check_items(&items, 1, false, &mut errors),
        CartOp::Modify => check_items(&items, 0, true, &mut errors),
        CartOp::Get | CartOp::Clear => {}
    }
    errors.extend(check_response_groups(&groups, ResponseGroupRules { label: op.name(), ..CART_RULES }));
    let lang = b.locale.lang;
    if errors.iter().any(InBand::invalidates) || b.validate_only {
        return OpReply::new("Cart", &errors, Some(echo), Vec::new(), lang);
    }

    let (cart_id, mut cart) = if op == CartOp::Create {
        (new_cart_id(b), Cart::default())
    } else {
        let cart_id = b.get("CartId").unwrap_or("");
        let Some(cart) = open(b, cart_id, b.get("HMAC").unwrap_or("")) else {
            errors.push(InBand::CartInfoMismatch);
            return OpReply::new("Cart", &errors, Some(echo), Vec::new(), lang);
        };
        (cart_id.to_owned(), cart)
    };
    let show = match op {
        CartOp::Create | CartOp::Add => add(b, &items, &mut cart, &mut errors),
        CartOp::Modify => {
            modify(&items, &mut cart);
            true
        }
        CartOp::Clear => {
            cart.lines.clear();
            true
        }
        CartOp::Get => true,
    };
    let rest = if show { cart_elements(b, &cart_id, &cart, &groups) } else { Vec::new() };
    OpReply::new("Cart", &errors, Some(echo), rest, lang)
}

/// Adds the requested items (new ones first, in request order); true when the cart is
/// to be shown: something was added, or every refusal was "already in your cart".
fn add(b: &Band<'_>, items: &[Requested<'_>], cart: &mut Cart, errors: &mut Vec<InBand>) -> bool {
    let mut added = Vec::new();
    let mut ineligible = false;
    for r in items.iter().filter(|r| r.asin.is_some() || r.offer_listing_id.is_some()) {
        match resolve(b, r) {
            Ok((asin, offer)) => {
                if cart.lines.iter().chain(&added).any(|l: &Line| l.asin == asin) {
                    errors.push(InBand::ItemAlreadyInCart(asin));
                } else {
                    added.push(Line { asin, offer, quantity: quantity(r), saved_for_later: false });
                }
            }
            Err(e) => {
                ineligible = true;
                errors.push(e);
            }
        }
    }
    let any = !added.is_empty();
    added.append(&mut cart.lines);
    cart.lines = added;
    any || !ineligible
}

/// Applies `Item.N.CartItemId` changes; unknown ids are ignored (as recorded).
fn modify(items: &[Requested<'_>], cart: &mut Cart) {
    for r in items {
        let Some(id) = r.cart_item_id else { continue };
        let Some(pos) = cart.lines.iter().position(|l| cart_item_id(&l.asin, l.offer) == id) else { continue };
        match r.action {
            Some("SaveForLater") => cart.lines[pos].saved_for_later = true,
            Some("MoveToCart") => cart.lines[pos].saved_for_later = false,
            _ => {}
        }
        match r.quantity.and_then(|q| q.parse::<u32>().ok()) {
            Some(0) => {
                cart.lines.remove(pos);
            }
            Some(q) => cart.lines[pos].quantity = q,
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contents_round_trip() {
        let cart = Cart {
            lines: vec![
                Line { asin: "0201896842".into(), offer: 0, quantity: 2, saved_for_later: false },
                Line { asin: "B000NK8EWI".into(), offer: 1, quantity: 1, saved_for_later: true },
            ],
        };
        assert_eq!(cart.contents(), "0201896842,0,2,c;B000NK8EWI,1,1,s");
        assert_eq!(Cart::parse(&cart.contents()), Some(cart));
        assert_eq!(Cart::parse(""), Some(Cart::default()));
        assert_eq!(Cart::parse("A,x,1,c"), None);
    }

    #[test]
    fn cart_item_ids_look_like_amazons() {
        let id = cart_item_id("0201896842", 0);
        assert_eq!(id.len(), 14);
        assert!(id.starts_with('U') && id.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()));
        assert_eq!(id, cart_item_id("0201896842", 0));
        assert_ne!(id, cart_item_id("0201896834", 0));
    }
}
