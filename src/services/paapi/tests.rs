//! Tests for the PA-API service: a table of signed requests covering every operation and
//! every error, each answer snapshotted and parsed back (status, root, namespace, code,
//! message, request-id spelling, journal record); then the stateful cart flow, the
//! throttle, every locale host, and the gateway table walked over every
//! [`VerifyFailure`].

use super::*;
use crate::catalogue::Catalogue;
use crate::crypto::SecretKey;
use crate::keystore::{KeyStatus, Keystore};
use crate::request::{RequestView, Scheme};
use crate::services::throttle::Buckets;
use crate::services::{ServiceOptions, Throttle, Unlimited};
use crate::sigv2::{self, HostForm, VerifyFailure};
use crate::xml::{self, Element, Node};
use std::fmt::Write as _;
use std::sync::Mutex;

const NOW: &str = "2014-08-18T12:00:00Z";
const REQUEST_ID: &str = "0bc42699-4acf-4b29-884d-ddb89c0d98c7";
const USER_AGENT: &str = "amzsig-test/1.0";
/// The 2013-08-01 DG's example key (AssociateTag `mytag-20` for `us` in the keystore).
const DOCS_KEY: (&str, &str) = ("AKIAIOSFODNN7EXAMPLE", "1234567890");
/// The 2011-08-01 DG's all-zero key (tags for `us` and `uk` only).
const ZERO_KEY: (&str, &str) = ("00000000000000000000", "1234567890");
/// A parameter value meaning "remove this default parameter".
const DROP: &str = "\u{0}drop";

/// How a case's request is signed.
#[derive(Debug, Clone, Copy)]
enum Signer {
    /// Signed with this key (its id goes into `AWSAccessKeyId` unless the case sets one).
    Key((&'static str, &'static str)),
    /// Sent with this literal `Signature` (decoded value).
    Literal(&'static str),
    /// No `Signature`.
    Unsigned,
}

#[derive(Debug, Clone, Copy)]
struct Case {
    name: &'static str,
    host: &'static str,
    path: &'static str,
    method: &'static str,
    /// Parameters over the defaults (`Service`, `AWSAccessKeyId`, `AssociateTag`,
    /// `Version`, `Timestamp`); [`DROP`] removes one.
    params: &'static [(&'static str, &'static str)],
    signer: Signer,
    now: &'static str,
    status: u16,
    code: Option<&'static str>,
    /// The exact message, when the case pins it.
    message: Option<&'static str>,
    /// The exact `Arguments/Argument[@Name="Signature"]` (documentation vectors).
    signature: Option<&'static str>,
}

const OK: Case = Case {
    name: "",
    host: "webservices.amazon.com",
    path: "/onca/xml",
    method: "GET",
    params: &[],
    signer: Signer::Key(DOCS_KEY),
    now: NOW,
    status: 200,
    code: None,
    message: None,
    signature: None,
};

const ULYSSES: (&str, &str) = ("ItemId", "0679722769");
const LOOKUP: (&str, &str) = ("Operation", "ItemLookup");
const SEARCH: (&str, &str) = ("Operation", "ItemSearch");
const BROWSE: (&str, &str) = ("Operation", "BrowseNodeLookup");
const SIMILAR: (&str, &str) = ("Operation", "SimilarityLookup");
const CREATE: (&str, &str) = ("Operation", "CartCreate");

#[rustfmt::skip]
const CASES: &[Case] = &[
    // ------------------------------------------------------------- gateway (layer A)
    Case { name: "gw-missing-access-key", params: &[LOOKUP, ULYSSES, ("AWSAccessKeyId", DROP)], signer: Signer::Literal("j7bZM0LXZ9eXeZruTqWm2DIvDYVUU3wxPPpp+iXxzQc="), status: 403, code: Some("MissingClientTokenId"), message: Some("Request must contain AWSAccessKeyId or X.509 certificate."), ..OK },
    Case { name: "gw-missing-signature", params: &[LOOKUP, ULYSSES], signer: Signer::Unsigned, status: 400, code: Some("MissingParameter"), message: Some("The request must contain the parameter Signature."), ..OK },
    Case { name: "gw-missing-timestamp", params: &[LOOKUP, ULYSSES, ("Timestamp", DROP)], status: 400, code: Some("MissingParameter"), message: Some("The request must contain the parameter Timestamp."), ..OK },
    Case { name: "gw-unknown-key", params: &[LOOKUP, ULYSSES], signer: Signer::Key(("AKIAUNKNOWNEXAMPLE00", "secret")), status: 403, code: Some("InvalidClientTokenId"), message: Some("The AWS Access Key Id you provided does not exist in our records."), ..OK },
    Case { name: "gw-inactive-key", params: &[LOOKUP, ULYSSES, ("AssociateTag", "awsdocs-20")], signer: Signer::Key(("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")), status: 403, code: Some("InvalidClientTokenId"), ..OK },
    Case { name: "gw-wrong-secret", params: &[LOOKUP, ULYSSES], signer: Signer::Key(("AKIAIOSFODNN7EXAMPLE", "not-the-secret")), status: 403, code: Some("SignatureDoesNotMatch"), message: Some(gateway::SIGNATURE_DOES_NOT_MATCH), ..OK },
    Case { name: "gw-signature-plus-as-space", params: &[LOOKUP, ULYSSES, ("ResponseGroup", "Images,ItemAttributes,Offers,Reviews")], signer: Signer::Literal("j7bZM0LXZ9eXeZruTqWm2DIvDYVUU3wxPPpp iXxzQc="), status: 403, code: Some("SignatureDoesNotMatch"), ..OK },
    Case { name: "gw-signature-wrong-length", params: &[LOOKUP, ULYSSES], signer: Signer::Literal("AAAA"), status: 403, code: Some("SignatureDoesNotMatch"), ..OK },
    Case { name: "gw-request-expired", params: &[LOOKUP, ULYSSES, ("Timestamp", "2014-08-18T11:00:00Z")], status: 400, code: Some("RequestExpired"), message: Some("Request has expired. Timestamp date is 2014-08-18T11:00:00Z."), ..OK },
    Case { name: "gw-timestamp-in-future", params: &[LOOKUP, ULYSSES, ("Timestamp", "2014-08-18T13:00:00-00:00")], status: 400, code: Some("RequestExpired"), message: Some("Request has expired. Timestamp date is 2014-08-18T13:00:00-00:00."), ..OK },
    Case { name: "gw-malformed-timestamp", params: &[LOOKUP, ULYSSES, ("Timestamp", "yesterday")], status: 400, code: Some("InvalidParameterValue"), ..OK },
    Case { name: "gw-timestamp-with-expires", params: &[LOOKUP, ULYSSES, ("Expires", "2014-08-18T12:10:00Z")], status: 400, code: Some("InvalidParameterCombination"), ..OK },
    Case { name: "gw-signature-version-1", params: &[LOOKUP, ULYSSES, ("SignatureVersion", "1")], status: 400, code: Some("InvalidParameterValue"), ..OK },
    Case { name: "gw-signature-method-md5", params: &[LOOKUP, ULYSSES, ("SignatureMethod", "HmacMD5")], status: 400, code: Some("InvalidParameterValue"), ..OK },
    Case { name: "gw-deprecated-operation", params: &[("Operation", "Help"), ("HelpType", "Operation"), ("About", "ItemLookup")], status: 410, code: Some("Deprecated"), message: Some("Feature Help is deprecated."), ..OK },
    Case { name: "gw-not-an-associate-in-de", host: "webservices.amazon.de", params: &[LOOKUP, ULYSSES], signer: Signer::Key(ZERO_KEY), status: 400, code: Some("AWS.InvalidAssociate"), message: Some("Your 00000000000000000000 is not registered as an Amazon Associate. Please register as an associate at https://partnernet.amazon.de/assoc_credentials/home."), ..OK },
    Case { name: "gw-mws-key-not-registered-for-paapi", params: &[LOOKUP, ULYSSES], signer: Signer::Key(("022QF0EXAMPLEH9DHM02", "kWcrlEXAMPLEM/LtmEENI/aVmYvHNif5zB+d9+ct")), status: 403, code: Some("AWS.InvalidAccount"), message: Some("Your AccessKey Id is not registered for Product Advertising API. Please use the AccessKey Id obtained after registering at https://affiliate-program.amazon.com/gp/flex/advertising/api/sign-in.html."), ..OK },
    Case { name: "gw-no-version-default-namespace", params: &[LOOKUP, ULYSSES, ("Version", DROP)], signer: Signer::Literal("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="), status: 403, code: Some("SignatureDoesNotMatch"), ..OK },
    Case { name: "gw-no-operation", params: &[ULYSSES], signer: Signer::Unsigned, status: 400, code: Some("MissingParameter"), ..OK },
    // ------------------------------------------------------------- request level (layer B)
    Case { name: "missing-service", params: &[LOOKUP, ULYSSES, ("Service", DROP)], code: Some("AWS.MissingServiceParameter"), ..OK },
    Case { name: "invalid-service", params: &[LOOKUP, ULYSSES, ("Service", "AWSProductData")], code: Some("AWS.InvalidServiceParameter"), ..OK },
    Case { name: "missing-operation", params: &[ULYSSES], code: Some("AWS.MissingOperationParameter"), ..OK },
    Case { name: "invalid-operation", params: &[("Operation", "ItemLookups"), ULYSSES], code: Some("AWS.InvalidOperationParameter"), message: Some("The Operation parameter is invalid. Please modify the Operation parameter and retry. Valid values for the Operation parameter include BrowseNodeLookup, CartAdd, CartClear, CartCreate, CartGet, CartModify, ItemLookup, ItemSearch, SimilarityLookup."), ..OK },
    Case { name: "invalid-version", params: &[LOOKUP, ULYSSES, ("Version", "latest")], code: Some("AWS.InvalidISO8601Time"), message: Some("Version has an invalid value. It must contain a valid ISO 8601 date and time."), ..OK },
    Case { name: "missing-associate-tag", params: &[LOOKUP, ULYSSES, ("AssociateTag", DROP)], code: Some("AWS.MissingParameters"), message: Some("Your request is missing required parameters. Required parameters include AssociateTag."), ..OK },
    Case { name: "foreign-associate-tag", params: &[LOOKUP, ULYSSES, ("AssociateTag", "othertag-20")], code: Some("AWS.InvalidParameterValue"), message: Some("othertag-20 is not a valid value for AssociateTag. Please change this value and retry your request."), ..OK },
    Case { name: "no-version-defaults-to-2005-10-05", params: &[LOOKUP, ULYSSES, ("Version", DROP)], ..OK },
    // ------------------------------------------------------------- ItemLookup
    Case { name: "itemlookup-dg-2013", params: &[LOOKUP, ULYSSES, ("ResponseGroup", "Images,ItemAttributes,Offers,Reviews")], signature: Some("j7bZM0LXZ9eXeZruTqWm2DIvDYVUU3wxPPpp+iXxzQc="), ..OK },
    Case { name: "itemlookup-small", params: &[LOOKUP, ULYSSES], ..OK },
    Case { name: "itemlookup-large-dvd", params: &[LOOKUP, ("ItemId", "B000NK8EWI"), ("ResponseGroup", "Large")], ..OK },
    Case { name: "itemlookup-medium-uk", host: "webservices.amazon.co.uk", params: &[LOOKUP, ("ItemId", "0747532745"), ("ResponseGroup", "Medium"), ("AssociateTag", "mytag-21")], ..OK },
    Case { name: "itemlookup-offers-de", host: "webservices.amazon.de", params: &[LOOKUP, ("ItemId", "0201896834"), ("ResponseGroup", "OfferSummary,Offers"), ("AssociateTag", "mytag-21")], ..OK },
    Case { name: "itemlookup-offers-jp", host: "webservices.amazon.co.jp", params: &[LOOKUP, ("ItemId", "0201896834"), ("ResponseGroup", "Offers"), ("AssociateTag", "mytag-22")], ..OK },
    Case { name: "itemlookup-offers-all-conditions", params: &[LOOKUP, ULYSSES, ("ResponseGroup", "Offers"), ("Condition", "All")], ..OK },
    Case { name: "itemlookup-isbn13", params: &[LOOKUP, ("IdType", "ISBN"), ("SearchIndex", "Books"), ("ItemId", "9780679722762")], ..OK },
    Case { name: "itemlookup-upc", params: &[LOOKUP, ("IdType", "UPC"), ("SearchIndex", "DVD"), ("ItemId", "786936888034"), ("ResponseGroup", "ItemAttributes")], ..OK },
    Case { name: "itemlookup-ean", params: &[LOOKUP, ("IdType", "EAN"), ("SearchIndex", "All"), ("ItemId", "0027242243422"), ("ResponseGroup", "ItemIds")], ..OK },
    Case { name: "itemlookup-sku", params: &[LOOKUP, ("IdType", "SKU"), ("SearchIndex", "Electronics"), ("ItemId", "SANDISK-32G-ULTRA"), ("ResponseGroup", "Images,SalesRank")], ..OK },
    Case { name: "itemlookup-browse-nodes-and-similarities", params: &[LOOKUP, ("ItemId", "0201896834"), ("ResponseGroup", "BrowseNodes,Similarities")], ..OK },
    Case { name: "itemlookup-three-ids", params: &[LOOKUP, ("ItemId", "0201896834,0201896842,0201896850")], ..OK },
    Case { name: "itemlookup-eleven-ids", params: &[LOOKUP, ("ItemId", "A1,A2,A3,A4,A5,A6,A7,A8,A9,A10,A11")], code: Some("AWS.ExceededMaximumParameterValues"), message: Some("Your request contains too many values for ItemId. This parameter can have a maximum of 10 values."), ..OK },
    Case { name: "itemlookup-unknown-id", params: &[LOOKUP, ("ItemId", "1234567890123")], code: Some("AWS.InvalidParameterValue"), message: Some("1234567890123 is not a valid value for ItemId. Please change this value and retry your request."), ..OK },
    Case { name: "itemlookup-one-known-one-unknown", params: &[LOOKUP, ("ItemId", "0679722769,B00BOGUS00")], code: Some("AWS.InvalidParameterValue"), ..OK },
    Case { name: "itemlookup-isbn-without-searchindex", params: &[LOOKUP, ("IdType", "ISBN"), ("ItemId", "9780679722762")], code: Some("AWS.MissingParameterValueCombination"), message: Some("Your request is missing a required parameter combination.  When IdType equals ['DPCI', 'SKU',\n\t\t\t\t'UPC', 'EAN','ISBN'], SearchIndex must be present."), ..OK },
    Case { name: "itemlookup-asin-with-searchindex", params: &[LOOKUP, ULYSSES, ("SearchIndex", "Books")], code: Some("AWS.RestrictedParameterValueCombination"), ..OK },
    Case { name: "itemlookup-invalid-response-group", params: &[LOOKUP, ("IdType", "ISBN"), ("SearchIndex", "All"), ("ItemId", "9780747532743"), ("ResponseGroup", "???")], code: Some("AWS.InvalidEnumeratedParameter"), ..OK },
    Case { name: "itemlookup-invalid-search-index", params: &[LOOKUP, ("IdType", "ISBN"), ("SearchIndex", "???"), ("ItemId", "9780747532743")], code: Some("AWS.InvalidEnumeratedParameter"), ..OK },
    Case { name: "itemlookup-invalid-id-type", params: &[LOOKUP, ULYSSES, ("IdType", "GTIN")], code: Some("AWS.InvalidEnumeratedParameter"), message: Some("The value you specified for IdType is invalid. Valid values include ASIN, DPCI, EAN, ISBN, SKU, UPC."), ..OK },
    Case { name: "itemlookup-invalid-condition", params: &[LOOKUP, ULYSSES, ("Condition", "Mint")], code: Some("AWS.InvalidEnumeratedParameter"), ..OK },
    Case { name: "itemlookup-missing-item-id", params: &[LOOKUP], code: Some("AWS.MissingParameters"), message: Some("Your request is missing required parameters. Required parameters include ItemId."), ..OK },
    Case { name: "itemlookup-jp-unknown-id-in-japanese", host: "webservices.amazon.co.jp", params: &[LOOKUP, ("ItemId", "1234567890123"), ("AssociateTag", "mytag-22")], code: Some("AWS.InvalidParameterValue"), message: Some("1234567890123は、ItemIdの値として無効です。値を変更してから、再度リクエストを実行してください。"), ..OK },
    Case { name: "itemlookup-validate-only", params: &[LOOKUP, ULYSSES, ("Validate", "True")], ..OK },
    Case { name: "itemlookup-post-form", method: "POST", params: &[LOOKUP, ULYSSES], ..OK },
    Case { name: "itemlookup-2009-host-uk", host: "ecs.amazonaws.co.uk", params: &[LOOKUP, ULYSSES, ("AssociateTag", "mytag-21"), ("Version", "2011-08-01")], ..OK },
    // ------------------------------------------------------------- ItemSearch
    Case { name: "itemsearch-dg-2011-uk", host: "ecs.amazonaws.co.uk", params: &[SEARCH, ("Actor", "Johnny Depp"), ("ResponseGroup", "ItemAttributes,Offers,Images,Reviews,Variations"), ("Version", "2009-01-01"), ("SearchIndex", "DVD"), ("Sort", "salesrank"), ("Timestamp", "2009-01-01T12:00:00Z")], signer: Signer::Key(ZERO_KEY), now: "2009-01-01T12:05:00Z", signature: Some("TuM6E5L9u/uNqOX09ET03BXVmHLVFfJIna5cxXuHxiU="), ..OK },
    Case { name: "itemsearch-title", params: &[SEARCH, ("SearchIndex", "Books"), ("Title", "Art of Computer Programming")], ..OK },
    Case { name: "itemsearch-keywords-all", params: &[SEARCH, ("SearchIndex", "All"), ("Keywords", "joyce")], ..OK },
    Case { name: "itemsearch-browse-node", params: &[SEARCH, ("SearchIndex", "Books"), ("BrowseNode", "1000"), ("Sort", "price"), ("ResponseGroup", "ItemIds,OfferSummary")], ..OK },
    Case { name: "itemsearch-price-range", params: &[SEARCH, ("SearchIndex", "Kitchen"), ("Keywords", "kitchen"), ("MinimumPrice", "2000"), ("MaximumPrice", "5000")], ..OK },
    Case { name: "itemsearch-no-criteria", params: &[SEARCH, ("SearchIndex", "Books"), ("ItemPage", "1")], code: Some("AWS.MinimumParameterRequirement"), message: Some("Your request should have atleast 1 of the following parameters: 'Keywords','Title','Power','BrowseNode','Artist','Author','Actor','Director','AudienceRating','Manufacturer','MusicLabel','Composer','Publisher','Brand','Conductor','Orchestra','TextStream','Cuisine','City','Neighborhood'."), ..OK },
    Case { name: "itemsearch-all-with-browse-node", params: &[SEARCH, ("SearchIndex", "All"), ("BrowseNode", "132")], code: Some("AWS.RestrictedParameterValueCombination"), message: Some("Your request contained a restricted parameter combination.  When SearchIndex equals All, BrowseNode cannot be present."), ..OK },
    Case { name: "itemsearch-missing-search-index", params: &[SEARCH, ("Keywords", "joyce")], code: Some("AWS.MissingParameters"), ..OK },
    Case { name: "itemsearch-invalid-search-index", params: &[SEARCH, ("SearchIndex", "???"), ("BrowseNode", "132")], code: Some("AWS.InvalidEnumeratedParameter"), ..OK },
    Case { name: "itemsearch-invalid-response-group", params: &[SEARCH, ("SearchIndex", "All"), ("ResponseGroup", "???")], code: Some("AWS.InvalidEnumeratedParameter"), ..OK },
    Case { name: "itemsearch-item-page-11", params: &[SEARCH, ("SearchIndex", "Books"), ("Keywords", "knuth"), ("ItemPage", "11")], code: Some("AWS.ParameterOutOfRange"), message: Some("The value you specified for ItemPage is invalid.  Valid values must be between 1 and 10."), ..OK },
    Case { name: "itemsearch-no-matches-unicode", params: &[SEARCH, ("SearchIndex", "Books"), ("Author", "Félix J. Palma"), ("ItemPage", "1")], code: Some("AWS.ECommerceService.NoExactMatches"), message: Some("We did not find any matches for your request."), ..OK },
    // ------------------------------------------------------------- BrowseNodeLookup
    Case { name: "browsenode-dg-2011", host: "ecs.amazonaws.com", params: &[BROWSE, ("Version", "2009-01-01"), ("BrowseNodeId", "465600"), ("ResponseGroup", "BrowseNodeInfo,TopSellers,NewReleases,MostWishedFor,MostGifted"), ("Timestamp", "2009-01-01T12:00:00Z")], signer: Signer::Key(ZERO_KEY), now: "2009-01-01T12:00:00Z", signature: Some("kEXxAIqhh6eBhLhrVMz2gt3ocMaH/OBVPbjvc9TG8ao="), ..OK },
    Case { name: "browsenode-books-subjects", params: &[BROWSE, ("BrowseNodeId", "1000")], ..OK },
    Case { name: "browsenode-two-ids", params: &[BROWSE, ("BrowseNodeId", "2649512011,172282")], ..OK },
    Case { name: "browsenode-unknown", params: &[BROWSE, ("BrowseNodeId", "???")], code: Some("AWS.InvalidParameterValue"), message: Some("??? is not a valid value for BrowseNodeId. Please change this value and retry your request."), ..OK },
    Case { name: "browsenode-invalid-response-group", params: &[BROWSE, ("BrowseNodeId", "1000"), ("ResponseGroup", "Large")], code: Some("AWS.InvalidResponseGroup"), message: Some("Your ResponseGroup parameter is invalid. Valid response groups for  requests include Request, BrowseNodeInfo, TopSellers, NewReleases, MostWishedFor, MostGifted."), ..OK },
    Case { name: "browsenode-missing-id", params: &[BROWSE], code: Some("AWS.MissingParameters"), ..OK },
    // ------------------------------------------------------------- SimilarityLookup
    Case { name: "similarity-dg-2011", params: &[SIMILAR, ("ItemId", "B0011ZK6PC,B000NK8EWI"), ("ResponseGroup", "Offers,ItemAttributes"), ("SimilarityType", "Intersection"), ("Condition", "New"), ("Merchant", "Amazon")], ..OK },
    Case { name: "similarity-random", params: &[SIMILAR, ("ItemId", "0201896834,B00006JSUA"), ("SimilarityType", "Random")], ..OK },
    Case { name: "similarity-none", params: &[SIMILAR, ("ItemId", "0747532745")], code: Some("AWS.ECommerceService.NoSimilarities"), message: Some("There are no similar items for this ASIN: 0747532745."), ..OK },
    Case { name: "similarity-unknown-asin", params: &[SIMILAR, ("ItemId", "B00BOGUS00")], code: Some("AWS.InvalidParameterValue"), ..OK },
    Case { name: "similarity-invalid-type", params: &[SIMILAR, ULYSSES, ("SimilarityType", "Union")], code: Some("AWS.InvalidEnumeratedParameter"), ..OK },
    // ------------------------------------------------------------- carts (stateless cases)
    Case { name: "cartcreate-two-items", params: &[CREATE, ("Item.1.ASIN", "0201896842"), ("Item.1.Quantity", "2"), ("Item.2.ASIN", "0201896834"), ("Item.2.Quantity", "1")], ..OK },
    Case { name: "cartcreate-dg-offer-listing-id", params: &[CREATE, ("Item.1.OfferListingId", "j8ejq9wxDfSYWf2OCp6XQGDsVrWhl08GSQ9m5j+e8MS449BN1XGUC3DfU5Zw4nt/FBt87cspLow1QXzfvZpvzg=="), ("Item.1.Quantity", "3")], code: Some("AWS.ECommerceService.ItemNotEligibleForCart"), message: Some("The item you specified, , is not eligible to be added to the cart. Check the item's availability to make sure it is available."), ..OK },
    Case { name: "cartcreate-unknown-asin", params: &[CREATE, ("Item.1.ASIN", "021554"), ("Item.1.Quantity", "1")], code: Some("AWS.ECommerceService.ItemNotEligibleForCart"), ..OK },
    Case { name: "cartcreate-item-without-offers", params: &[CREATE, ("Item.1.ASIN", "B00A3MV2GK"), ("Item.1.Quantity", "1")], code: Some("AWS.ECommerceService.ItemNotEligibleForCart"), message: Some("The item you specified, B00A3MV2GK, is not eligible to be added to the cart. Check the item's availability to make sure it is available."), ..OK },
    Case { name: "cartcreate-no-items", params: &[CREATE], code: Some("AWS.MissingParameters"), message: Some("Your request is missing required parameters. Required parameters include Items."), ..OK },
    Case { name: "cartcreate-quantity-1000", params: &[CREATE, ("Item.1.ASIN", "0201896834"), ("Item.1.Quantity", "1000")], code: Some("AWS.ParameterOutOfRange"), message: Some("The value you specified for Quantity is invalid.  Valid values must be between 1 and 999."), ..OK },
    Case { name: "cartcreate-asin-and-offer-listing-id", params: &[CREATE, ("Item.1.ASIN", "0201896834"), ("Item.1.OfferListingId", "x"), ("Item.1.Quantity", "1")], code: Some("AWS.InvalidParameterCombination"), ..OK },
    Case { name: "cartget-wrong-cart-id", params: &[("Operation", "CartGet"), ("CartId", "???"), ("HMAC", "/CJY6riI8E6nf2Y1pU5YQMBbucQ=")], code: Some("AWS.ECommerceService.CartInfoMismatch"), ..OK },
    Case { name: "cartadd-missing-cart-id", params: &[("Operation", "CartAdd"), ("HMAC", "x"), ("Item.1.ASIN", "0201896834")], code: Some("AWS.MissingParameters"), ..OK },
    Case { name: "cartmodify-negative-quantity", params: &[("Operation", "CartModify"), ("CartId", "187-3912207-6112912"), ("HMAC", "6fGzpv/UZDwIhie+vWCc/7aMeQs="), ("Item.1.CartItemId", "0201896834"), ("Item.1.Quantity", "-1")], code: Some("AWS.ParameterOutOfRange"), message: Some("The value you specified for Quantity is invalid.  Valid values must be between 0 and 999."), ..OK },
    Case { name: "cartclear-invalid-response-group", params: &[("Operation", "CartClear"), ("CartId", "1"), ("HMAC", "x"), ("ResponseGroup", "Large")], code: Some("AWS.InvalidResponseGroup"), ..OK },
    // ------------------------------------------------------------- not PA-API
    Case { name: "soap-path", path: "/onca/soap", params: &[LOOKUP, ULYSSES], status: 404, code: Some("NotFound"), ..OK },
];

fn time(s: &str) -> UtcTime {
    UtcTime::parse_iso8601(s).unwrap()
}

/// The request a case describes: defaults, overrides, then the signature.
fn build(case: &Case) -> ParamList {
    let akid = match case.signer {
        Signer::Key((akid, _)) => akid,
        _ => DOCS_KEY.0,
    };
    let mut params: ParamList = [
        ("Service", SERVICE),
        ("AWSAccessKeyId", akid),
        ("AssociateTag", "mytag-20"),
        ("Version", "2013-08-01"),
        ("Timestamp", NOW),
    ]
    .into_iter()
    .collect();
    for &(name, value) in case.params {
        match (value == DROP, params.find(name).is_some()) {
            (true, _) => params.remove(name),
            (false, true) => {
                // Keep the position (the Arguments echo shows the sent order).
                let p = params.0.iter_mut().find(|p| p.name == name).unwrap();
                *p = crate::encoding::Param::new(name, value);
            }
            (false, false) => params.push(name, value),
        }
    }
    match case.signer {
        Signer::Key((_, secret)) => {
            let view = RequestView {
                method: case.method,
                scheme: Scheme::Https,
                host: case.host,
                path: case.path,
                params: &params,
            };
            let signed = sigv2::sign(&view, sigv2::SignatureMethod::HmacSha256, &SecretKey::new(secret));
            params.push("Signature", signed.signature);
        }
        Signer::Literal(sig) => params.push("Signature", sig),
        Signer::Unsigned => {}
    }
    params
}

/// A keystore with one inactive key (`AKIDEXAMPLE`).
fn keystore() -> Keystore {
    let mut keys = Keystore::embedded_default();
    keys.set_key_status("AKIDEXAMPLE", KeyStatus::Inactive).unwrap();
    keys
}

fn call(
    keys: &Keystore,
    catalogue: &Catalogue,
    throttle: &dyn Throttle,
    now: UtcTime,
    case: &Case,
    params: &ParamList,
) -> Outcome {
    let options = ServiceOptions::default();
    let ctx = Ctx { keys, catalogue, now, options: &options, request_id: REQUEST_ID, throttle };
    let req = ServiceRequest {
        view: RequestView { method: case.method, scheme: Scheme::Https, host: case.host, path: case.path, params },
        query: params,
        body: &[],
        content_type: (case.method == "POST").then_some("application/x-www-form-urlencoded"),
        content_md5: None,
        user_agent: Some(USER_AGENT),
        headers: &[],
    };
    let locale = locale_for_host(case.host).unwrap_or("us");
    handle(&ctx, &req, locale)
}

fn child_elements(e: &Element) -> impl Iterator<Item = &Element> {
    e.children.iter().filter_map(|n| match n {
        Node::Element(e) => Some(e),
        Node::Text(_) => None,
    })
}

/// The first in-band `Error` (request level, then the operation's `Request`).
fn first_error(root: &Element) -> Option<(String, String)> {
    let from = |errors: &Element| {
        errors
            .path("Error")
            .map(|e| (e.path("Code").unwrap().text_content(), e.path("Message").unwrap().text_content()))
    };
    root.path("OperationRequest/Errors")
        .and_then(from)
        .or_else(|| child_elements(root).find_map(|c| c.path("Request/Errors")).and_then(from))
}

fn check(case: &Case, out: &Outcome) {
    let name = case.name;
    assert_eq!(out.status, case.status, "{name}: {}", out.body);
    let op = case.params.iter().find(|(n, _)| *n == "Operation").map(|(_, v)| *v);
    let version = case.params.iter().find(|(n, _)| *n == "Version").map_or("2013-08-01", |(_, v)| *v);
    let version = if version == DROP || !is_version(version) { DEFAULT_VERSION } else { version };
    assert_eq!(out.record.error_code.as_deref(), case.code, "{name}: journal error code");
    if case.status == 404 {
        assert!(out.content_type.starts_with("text/plain"), "{name}");
        return;
    }
    assert_eq!(out.content_type, CONTENT_TYPE, "{name}");
    assert!(out.headers.is_empty(), "{name}");
    let root = xml::parse(&out.body).unwrap_or_else(|e| panic!("{name}: {e}\n{}", out.body));
    if case.status == 200 {
        assert_eq!(out.record.verdict, Verdict::Accepted, "{name}");
        assert_eq!(out.record.host_form, Some(HostForm::AsSent), "{name}");
        assert_eq!(root.name, op.map_or_else(|| "Response".to_owned(), |o| format!("{o}Response")), "{name}");
        assert_eq!(root.attr_value("xmlns"), Some(envelope::response_namespace(version).as_str()), "{name}");
        assert_eq!(root.path("OperationRequest/RequestId").unwrap().text_content(), REQUEST_ID, "{name}");
        let ua = root.path("OperationRequest/HTTPHeaders/Header").unwrap();
        assert_eq!((ua.attr_value("Name"), ua.attr_value("Value")), (Some("UserAgent"), Some(USER_AGENT)), "{name}");
        let args = root.path("OperationRequest/Arguments").unwrap();
        assert_eq!(child_elements(args).count(), build(case).len(), "{name}: every argument echoed");
        let got = first_error(&root);
        assert_eq!(got.as_ref().map(|(c, _)| c.as_str()), case.code, "{name}: in-band code");
        if let (Some(want), Some((_, msg))) = (case.message, &got) {
            assert_eq!(msg, want, "{name}: message");
        }
        if let Some(container) = child_elements(&root).nth(1) {
            let valid = container.path("Request/IsValid").unwrap().text_content();
            assert!(valid == "True" || valid == "False", "{name}");
        }
        if let Some(sig) = case.signature {
            let echoed = child_elements(args).find(|a| a.attr_value("Name") == Some("Signature")).unwrap();
            assert_eq!(echoed.attr_value("Value"), Some(sig), "{name}: documentation signature");
        }
    } else {
        assert_eq!(out.record.verdict, Verdict::Refused, "{name}");
        let want_root = op.map_or_else(|| "ErrorResponse".to_owned(), |o| format!("{o}ErrorResponse"));
        assert_eq!(root.name, want_root, "{name}");
        assert_eq!(root.attr_value("xmlns"), Some(envelope::error_namespace(version).as_str()), "{name}");
        let code = root.path("Error/Code").unwrap().text_content();
        assert_eq!(Some(code.as_str()), case.code, "{name}");
        if let Some(want) = case.message {
            assert_eq!(root.path("Error/Message").unwrap().text_content(), want, "{name}");
        }
        let spelling = if matches!(code.as_str(), "SignatureDoesNotMatch" | "RequestExpired" | "AWS.InvalidAccount") {
            "RequestId"
        } else {
            "RequestID"
        };
        assert_eq!(root.path(spelling).map(Element::text_content).as_deref(), Some(REQUEST_ID), "{name}: {spelling}");
        let names: Vec<&str> = child_elements(&root).map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["Error", spelling], "{name}");
    }
}

#[test]
fn every_case_answers_as_amazon_does() {
    let keys = keystore();
    let catalogue = Catalogue::embedded_default();
    for case in CASES {
        let params = build(case);
        let out = call(&keys, &catalogue, &Unlimited, time(case.now), case, &params);
        check(case, &out);
        let after_auth = ["AWS.InvalidAccount", "AWS.InvalidAssociate", "Deprecated", "NotFound"];
        let failure_expected = case.status != 200 && !case.code.is_some_and(|c| after_auth.contains(&c));
        assert_eq!(out.record.failure.is_some(), failure_expected, "{}: record.failure", case.name);
        insta::assert_snapshot!(case.name, out.body);
    }
}

#[test]
fn case_names_are_unique() {
    let mut names: Vec<_> = CASES.iter().map(|c| c.name).collect();
    names.sort_unstable();
    let n = names.len();
    names.dedup();
    assert_eq!(names.len(), n);
}

// ----------------------------------------------------------------- carts

struct CartSession {
    keys: Keystore,
    catalogue: Catalogue,
    cart_id: String,
    hmac: String,
}

impl CartSession {
    fn send(
        &self,
        name: &'static str,
        params: &'static [(&'static str, &'static str)],
        extra: &[(&str, &str)],
    ) -> Element {
        let case = Case { name, params, ..OK };
        let mut list = build(&case);
        list.remove("Signature");
        for (n, v) in extra {
            list.push(*n, *v);
        }
        let view =
            RequestView { method: "GET", scheme: Scheme::Https, host: case.host, path: case.path, params: &list };
        let signed = sigv2::sign(&view, sigv2::SignatureMethod::HmacSha256, &SecretKey::new(DOCS_KEY.1));
        list.push("Signature", signed.signature);
        let out = call(&self.keys, &self.catalogue, &Unlimited, time(NOW), &case, &list);
        assert_eq!(out.status, 200, "{name}: {}", out.body);
        insta::assert_snapshot!(name, out.body);
        xml::parse(&out.body).unwrap()
    }

    fn with_cart(&self) -> [(&str, &str); 2] {
        [("CartId", self.cart_id.as_str()), ("HMAC", self.hmac.as_str())]
    }

    fn keep(&mut self, root: &Element) {
        self.cart_id = root.path("Cart/CartId").unwrap().text_content();
        self.hmac = root.path("Cart/HMAC").unwrap().text_content();
    }
}

fn cart_asins(root: &Element, group: &str, item: &str) -> Vec<(String, String)> {
    root.path(&format!("Cart/{group}"))
        .map(|g| {
            child_elements(g)
                .filter(|e| e.name == item)
                .map(|e| (e.path("ASIN").unwrap().text_content(), e.path("Quantity").unwrap().text_content()))
                .collect()
        })
        .unwrap_or_default()
}

fn code_of(root: &Element) -> Option<String> {
    first_error(root).map(|(c, _)| c)
}

#[test]
fn a_cart_keeps_its_contents_across_requests() {
    let mut s = CartSession {
        keys: Keystore::embedded_default(),
        catalogue: Catalogue::embedded_default(),
        cart_id: String::new(),
        hmac: String::new(),
    };
    let created = s.send(
        "cart-flow-1-create",
        &[
            CREATE,
            ("Item.1.ASIN", "0201896842"),
            ("Item.1.Quantity", "2"),
            ("Item.2.ASIN", "0201896834"),
            ("Item.2.Quantity", "1"),
        ],
        &[],
    );
    s.keep(&created);
    assert!(s.cart_id.len() == 19 && s.cart_id.starts_with('1'), "{}", s.cart_id);
    assert_eq!(created.path("Cart/SubTotal/FormattedPrice").unwrap().text_content(), "$174.51");
    assert_eq!(created.path("Cart/URLEncodedHMAC").unwrap().text_content(), crate::encoding::encode(s.hmac.as_bytes()));

    let first_hmac = s.hmac.clone();
    let added = s.send(
        "cart-flow-2-add",
        &[("Operation", "CartAdd"), ("Item.1.ASIN", "0201896850"), ("Item.1.Quantity", "3")],
        &s.with_cart(),
    );
    s.keep(&added);
    assert_eq!(code_of(&added), None);
    assert_eq!(
        cart_asins(&added, "CartItems", "CartItem"),
        [("0201896850".into(), "3".into()), ("0201896842".into(), "2".into()), ("0201896834".into(), "1".into())]
    );
    assert_eq!(added.path("Cart/SubTotal/Amount").unwrap().text_content(), "35403");

    let again = s.send(
        "cart-flow-3-add-again",
        &[("Operation", "CartAdd"), ("Item.1.ASIN", "0201896834"), ("Item.1.Quantity", "2")],
        &s.with_cart(),
    );
    assert_eq!(code_of(&again).as_deref(), Some("AWS.ECommerceService.ItemAlreadyInCart"));
    assert_eq!(again.path("Cart/HMAC").unwrap().text_content(), s.hmac, "unchanged contents, unchanged HMAC");

    let vol2 = cart_item_id_of(&added, "0201896842");
    let vol1 = cart_item_id_of(&added, "0201896834");
    let modified = s.send(
        "cart-flow-4-modify",
        &[("Operation", "CartModify")],
        &[
            s.with_cart()[0],
            s.with_cart()[1],
            ("Item.1.CartItemId", vol2.as_str()),
            ("Item.1.Quantity", "0"),
            ("Item.2.CartItemId", vol1.as_str()),
            ("Item.2.Action", "SaveForLater"),
            ("Item.3.CartItemId", "0201896850"),
            ("Item.3.Quantity", "0"),
        ],
    );
    s.keep(&modified);
    assert_eq!(cart_asins(&modified, "CartItems", "CartItem"), [("0201896850".into(), "3".into())]);
    assert_eq!(cart_asins(&modified, "SavedForLaterItems", "SavedForLaterItem"), [("0201896834".into(), "1".into())]);

    let got = s.send(
        "cart-flow-5-get",
        &[("Operation", "CartGet"), ("ResponseGroup", "Cart,CartSimilarities")],
        &s.with_cart(),
    );
    assert_eq!(got.path("Cart/CartId").unwrap().text_content(), s.cart_id, "the CartId never changes");
    assert_eq!(got.path("Cart/SimilarProducts/SimilarProduct/ASIN").unwrap().text_content(), "0201896842");

    // The documented limit of a store-less cart: an old HMAC still opens the contents it
    // was issued for.
    let stale = s.send(
        "cart-flow-6-stale-hmac",
        &[("Operation", "CartGet")],
        &[("CartId", s.cart_id.as_str()), ("HMAC", first_hmac.as_str())],
    );
    assert_eq!(code_of(&stale), None);
    assert_eq!(cart_asins(&stale, "CartItems", "CartItem").len(), 2);

    let cleared = s.send("cart-flow-7-clear", &[("Operation", "CartClear")], &s.with_cart());
    s.keep(&cleared);
    let names: Vec<&str> = child_elements(cleared.path("Cart").unwrap()).map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["Request", "CartId", "HMAC", "URLEncodedHMAC"]);
    assert_eq!(s.hmac.len(), 28, "an empty cart's HMAC has Amazon's length");

    let mut tampered = s.hmac.clone().into_bytes();
    tampered[3] = if tampered[3] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let refused = s.send(
        "cart-flow-8-tampered-hmac",
        &[("Operation", "CartGet")],
        &[("CartId", s.cart_id.as_str()), ("HMAC", tampered.as_str())],
    );
    assert_eq!(code_of(&refused).as_deref(), Some("AWS.ECommerceService.CartInfoMismatch"));
}

fn cart_item_id_of(root: &Element, asin: &str) -> String {
    let items = root.path("Cart/CartItems").unwrap();
    child_elements(items)
        .find(|e| e.name == "CartItem" && e.path("ASIN").unwrap().text_content() == asin)
        .unwrap()
        .path("CartItemId")
        .unwrap()
        .text_content()
}

#[test]
fn an_offer_listing_id_from_item_lookup_goes_into_a_cart() {
    let s = CartSession {
        keys: Keystore::embedded_default(),
        catalogue: Catalogue::embedded_default(),
        cart_id: String::new(),
        hmac: String::new(),
    };
    let looked = s.send("cart-offer-1-lookup", &[LOOKUP, ("ItemId", "B00005LM0T"), ("ResponseGroup", "Offers")], &[]);
    let id = looked.path("Items/Item/Offers/Offer/OfferListing/OfferListingId").unwrap().text_content();
    assert!(id.contains('+') || id.contains('/') || id.ends_with('='), "a base64 id exercises encoding: {id}");
    let created =
        s.send("cart-offer-2-create", &[CREATE, ("Item.1.Quantity", "1")], &[("Item.1.OfferListingId", id.as_str())]);
    assert_eq!(cart_asins(&created, "CartItems", "CartItem"), [("B00005LM0T".into(), "1".into())]);
}

// ----------------------------------------------------------------- throttle

/// The server's token buckets behind a mutex (a real, counting throttle).
#[derive(Default)]
struct Counting(Mutex<Buckets>);

impl Throttle for Counting {
    fn take(&self, key: &str, quota: Quota, now: UtcTime) -> ThrottleDecision {
        self.0.lock().unwrap().take(key, quota, now)
    }
}

#[test]
fn one_request_per_second_per_key_and_only_authenticated_requests_count() {
    let keys = keystore();
    let catalogue = Catalogue::embedded_default();
    let throttle = Counting::default();
    let case = Case { name: "throttled", params: &[LOOKUP, ULYSSES], ..OK };
    let params = build(&case);
    let t0 = time(NOW);
    let unsigned = Case { signer: Signer::Literal("AAAA"), ..case };
    assert_eq!(call(&keys, &catalogue, &throttle, t0, &unsigned, &build(&unsigned)).status, 403);
    assert_eq!(call(&keys, &catalogue, &throttle, t0, &case, &params).status, 200, "a refused request used no quota");
    let second = call(&keys, &catalogue, &throttle, t0, &case, &params);
    let case_503 = Case { status: 503, code: Some("RequestThrottled"), message: Some("AWS Access Key ID: AKIAIOSFODNN7EXAMPLE. You are submitting requests too quickly. Please retry your requests at a slower rate."), ..case };
    check(&case_503, &second);
    insta::assert_snapshot!("gw-throttled", second.body);
    let zero = Case { signer: Signer::Key(ZERO_KEY), ..case };
    assert_eq!(
        call(&keys, &catalogue, &throttle, t0, &zero, &build(&zero)).status,
        200,
        "another key has its own bucket"
    );
    let later = time("2014-08-18T12:00:01Z");
    assert_eq!(call(&keys, &catalogue, &throttle, later, &case, &params).status, 200, "a second later");
}

// ----------------------------------------------------------------- locales

#[test]
fn the_same_signed_request_is_accepted_on_every_locale_host() {
    let keys = Keystore::embedded_default();
    let catalogue = Catalogue::embedded_default();
    let account = keys.account_for_key(DOCS_KEY.0).unwrap();
    for loc in locale::LOCALES {
        let tag = account.associate_tags[loc.code].as_str();
        for &host in loc.hosts {
            let case = Case { name: "locale", host, params: &[LOOKUP, ULYSSES], ..OK };
            let mut params = build(&case);
            params.remove("Signature");
            params.set("AssociateTag", tag);
            let view = RequestView { method: "GET", scheme: Scheme::Https, host, path: PATH, params: &params };
            params.push(
                "Signature",
                sigv2::sign(&view, sigv2::SignatureMethod::HmacSha256, &SecretKey::new(DOCS_KEY.1)).signature,
            );
            assert_eq!(locale_for_host(host), Some(loc.code));
            let out = call(&keys, &catalogue, &Unlimited, time(NOW), &case, &params);
            assert_eq!(out.status, 200, "{host}: {}", out.body);
            let root = xml::parse(&out.body).unwrap();
            assert_eq!(first_error(&root), None, "{host}");
            let url = root.path("Items/Item/DetailPageURL").unwrap().text_content();
            assert!(url.starts_with(&format!("http://{}/", loc.retail_host)), "{host}: {url}");
            assert!(
                url.contains(&format!("tag%3D{tag}%26")) && url.contains("SubscriptionId%3DAKIAIOSFODNN7EXAMPLE"),
                "{url}"
            );
        }
    }
    assert_eq!(locale_for_host("webservices.amazon.nl"), None);
    assert_eq!(locale_code("uk"), Some("uk"));
    assert_eq!(locale_code("gb"), None);
}

// ----------------------------------------------------------------- gateway table

#[test]
fn the_gateway_table_covers_every_verify_failure() {
    let params: ParamList = [("Operation", "ItemLookup")].into_iter().collect();
    let view = RequestView {
        method: "GET",
        scheme: Scheme::Https,
        host: "webservices.amazon.com",
        path: PATH,
        params: &params,
    };
    let failures = [
        VerifyFailure::MissingParameter("AWSAccessKeyId"),
        VerifyFailure::MissingParameter("Signature"),
        VerifyFailure::MissingParameter("Timestamp"),
        VerifyFailure::TimestampWithExpires,
        VerifyFailure::UnsupportedSignatureVersion("1".into()),
        VerifyFailure::UnsupportedSignatureMethod("HmacMD5".into()),
        VerifyFailure::MalformedTimestamp { param: "Timestamp", raw: "yesterday".into() },
        VerifyFailure::UnknownAccessKey("AKIAUNKNOWN".into()),
        VerifyFailure::InactiveAccessKey("AKIDEXAMPLE".into()),
        VerifyFailure::SignatureNotBase64 { raw: "a b".into() },
        VerifyFailure::SignatureWrongLength { method: sigv2::SignatureMethod::HmacSha256, expected: 32, actual: 3 },
        VerifyFailure::Expired { param: "Timestamp", raw: "2014-08-18T11:00:00Z".into() },
        VerifyFailure::Expired { param: "Expires", raw: "2014-08-18T11:00:00Z".into() },
        VerifyFailure::TimestampInFuture { raw: "2014-08-18T13:00:00Z".into() },
        VerifyFailure::Mismatch { expected: sigv2::canonicalize(&view) },
    ];
    let others = [
        Refusal::Throttled { access_key_id: "AKIAIOSFODNN7EXAMPLE" },
        Refusal::Deprecated { operation: "SellerLookup" },
        Refusal::NotRegistered { associates_host: "affiliate-program.amazon.com" },
        Refusal::NotAnAssociate {
            access_key_id: "AKIAIOSFODNN7EXAMPLE",
            associates_host: "affiliate-program.amazon.com",
        },
    ];
    let mut rendered = String::new();
    for refusal in failures.iter().map(Refusal::Verify).chain(others) {
        let a = gateway::answer(&refusal);
        assert!(matches!(a.status, 400 | 403 | 410 | 503), "{refusal:?}");
        assert!(a.message.ends_with('.') || a.code == "InvalidParameterCombination", "{refusal:?}: {}", a.message);
        let doc = envelope::error_response(
            "ItemLookupErrorResponse",
            Some(&envelope::error_namespace("2011-08-01")),
            a.code,
            &a.message,
            REQUEST_ID,
            a.spelling,
        )
        .to_document();
        let back = xml::parse(&doc).unwrap();
        assert_eq!(back.path("Error/Message").unwrap().text_content(), a.message);
        let _ = writeln!(rendered, "{refusal:?}\n  -> {} {} {:?}\n  {doc}", a.status, a.code, a.spelling);
    }
    insta::assert_snapshot!("gateway-table", rendered);
}

/// The former `is_version`, by round trip through the clock's parser: the reference the
/// allocation-free check must agree with.
fn is_version_by_round_trip(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && crate::clock::UtcTime::parse_iso8601(&format!("{v}T00:00:00Z")).is_ok_and(|t| t.to_iso8601().starts_with(v))
}

proptest::proptest! {
    #[test]
    fn is_version_agrees_with_the_round_trip(y in 0_u32..=9999, m in 0_u32..=13, d in 0_u32..=32, junk in "[-0-9a-zT:]{0,11}") {
        let date = format!("{y:04}-{m:02}-{d:02}");
        proptest::prop_assert_eq!(is_version(&date), is_version_by_round_trip(&date), "{}", date);
        proptest::prop_assert_eq!(is_version(&junk), is_version_by_round_trip(&junk), "{}", junk);
    }
}

#[test]
fn versions_and_names() {
    for good in ["2011-08-01", "2005-10-05", "2013-08-01"] {
        assert!(is_version(good), "{good}");
    }
    for bad in ["latest", "2011-8-01", "2011-13-01", "2011-02-30", "2011-08-01T00:00:00Z", ""] {
        assert!(!is_version(bad), "{bad}");
    }
    assert!(is_plain_name("ItemLookup") && !is_plain_name("Item Lookup") && !is_plain_name("1x"));
    assert_eq!(processing_time(REQUEST_ID).len(), "0.0138170000000000".len());
    for op in Operation::ALL {
        assert_eq!(Operation::parse(op.name()), Some(op));
    }
    assert_eq!(Operation::parse("itemlookup"), None, "names are case-sensitive");
}

#[test]
fn refusals_keep_the_verify_failure_for_diagnosis() {
    let keys = keystore();
    let catalogue = Catalogue::embedded_default();
    let by_name = |name: &str| CASES.iter().find(|c| c.name == name).unwrap();
    let failure = |name: &str| {
        let case = by_name(name);
        call(&keys, &catalogue, &Unlimited, time(case.now), case, &build(case))
            .record
            .failure
            .and_then(|f| f.as_v2().cloned())
    };
    assert!(matches!(failure("gw-signature-plus-as-space"), Some(VerifyFailure::SignatureNotBase64 { .. })));
    assert!(matches!(failure("gw-signature-wrong-length"), Some(VerifyFailure::SignatureWrongLength { .. })));
    assert!(matches!(failure("gw-wrong-secret"), Some(VerifyFailure::Mismatch { .. })));
    assert!(matches!(failure("gw-inactive-key"), Some(VerifyFailure::InactiveAccessKey(_))));
    assert!(matches!(failure("gw-timestamp-in-future"), Some(VerifyFailure::TimestampInFuture { .. })));
    assert_eq!(failure("itemlookup-small"), None);
}
