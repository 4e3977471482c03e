//! PA-API's second error layer: request-validation errors answered with HTTP 200 inside
//! the normal response, as `Request/IsValid` plus `Errors/Error(Code, Message)` (DG
//! "Error Numbers": "2XX errors are caused by mistakes in the request").
//!
//! [`InBand`] is the catalogue; [`InBand::code`], [`InBand::message`] and
//! [`InBand::invalidates`] are its one table. Message sources:
//! - recorded live (redtoad/python-amazon-product-api `tests/2011-08-01/`):
//!   `AWS.InvalidParameterValue` (ItemLookup/BrowseNodeLookup `*-invalid-item-id`,
//!   `*-fails-for-wrong-input`), `AWS.InvalidEnumeratedParameter` and
//!   `AWS.InvalidResponseGroup` (`*-invalid-response-group`, `*-invalid-search-index`,
//!   whitespace and all), `AWS.MissingParameterValueCombination`
//!   (`ItemLookup-*-valid-isbn-no-searchindex`), `AWS.MinimumParameterRequirement`
//!   (`ItemSearch-*-no-parameters`, "atleast" sic),
//!   `AWS.RestrictedParameterValueCombination` (two spaces), `AWS.MissingParameters`,
//!   `AWS.ParameterOutOfRange` (two spaces), the cart errors (`Cart*-*.xml`), and
//!   `AWS.ECommerceService.NoExactMatches` (`ItemSearch-cn-unicode-parameter`); the
//!   Japanese texts from the `-jp-` captures;
//! - DG "Error Messages" templates (transcribed in a public Scala client,
//!   `gipsetter.amazon.api.AmazonErrors`): `AWS.InvalidOperationParameter`,
//!   `AWS.MissingOperationParameter`, `AWS.InvalidServiceParameter`,
//!   `AWS.MissingServiceParameter`, `AWS.InvalidISO8601Time`,
//!   `AWS.ExceededMaximumParameterValues`, `AWS.InvalidParameterCombination`;
//! - `AWS.ECommerceService.NoSimilarities`: DG (manualslib p.214) and the redtoad
//!   client's regex (English and Japanese).
//!
//! `IsValid` is `False` for syntax errors, missing or invalid enumerated parameters and
//! unregistered accounts, `True` when the request parses but an id is bad or nothing
//! matches (DG "Syntax and Parameter Errors"; the captures agree).

use super::locale::Lang;
use crate::xml::{paapi as envelope, Element};
use std::collections::{BTreeMap, HashSet};
use std::sync::{PoisonError, RwLock};

/// The operations PA-API 2011-08-01 serves, as listed in `AWS.InvalidOperationParameter`.
pub(crate) const VALID_OPERATIONS: &str =
    "BrowseNodeLookup, CartAdd, CartClear, CartCreate, CartGet, CartModify, ItemLookup, ItemSearch, SimilarityLookup";

/// One in-band error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum InBand {
    /// `AWS.MissingParameters`.
    MissingParameters(&'static str),
    /// `AWS.InvalidParameterValue` for a bad id (`IsValid` stays `True`).
    InvalidParameterValue {
        /// The value as sent.
        value: String,
        /// The parameter.
        param: &'static str,
    },
    /// `AWS.InvalidParameterValue` for an `AssociateTag` not registered for this key in
    /// this locale (`IsValid` `False`: an account problem).
    InvalidAssociateTag(String),
    /// `AWS.InvalidEnumeratedParameter`.
    InvalidEnumeratedParameter {
        /// The parameter.
        param: &'static str,
        /// The list of valid values as Amazon prints it (English message).
        valid: &'static str,
        /// The list as printed in Japanese messages.
        valid_ja: &'static str,
    },
    /// `AWS.InvalidResponseGroup`.
    InvalidResponseGroup {
        /// The operation named in the message (Amazon prints `ItemLookup` for ItemSearch
        /// too, and nothing for BrowseNodeLookup).
        operation: &'static str,
        /// The list of valid groups as printed.
        valid: &'static str,
        /// Whether the JP locale translates this message (it does not for
        /// BrowseNodeLookup).
        translated: bool,
    },
    /// `AWS.MinimumParameterRequirement` (ItemSearch without search criteria).
    MinimumParameterRequirement,
    /// `AWS.RestrictedParameterValueCombination`.
    RestrictedParameterValueCombination {
        /// The parameter whose value restricts.
        param: &'static str,
        /// Its value.
        value: String,
        /// The parameter that may not be present.
        other: &'static str,
    },
    /// `AWS.MissingParameterValueCombination` (`IdType` other than ASIN needs
    /// `SearchIndex`).
    MissingSearchIndexForIdType,
    /// `AWS.ParameterOutOfRange`.
    ParameterOutOfRange {
        /// The parameter.
        param: &'static str,
        /// Smallest valid value.
        low: u32,
        /// Largest valid value.
        high: u32,
    },
    /// `AWS.ExceededMaximumParameterValues`.
    ExceededMaximumParameterValues {
        /// The parameter.
        param: &'static str,
        /// The maximum count.
        max: usize,
    },
    /// `AWS.InvalidParameterCombination`.
    InvalidParameterCombination {
        /// First parameter.
        first: &'static str,
        /// Second parameter.
        second: &'static str,
    },
    /// `AWS.InvalidISO8601Time` ("returned if your request has an invalid value for the
    /// Version parameter", DG).
    InvalidIso8601Time(&'static str),
    /// `AWS.MissingOperationParameter`.
    MissingOperationParameter,
    /// `AWS.InvalidOperationParameter`.
    InvalidOperationParameter,
    /// `AWS.MissingServiceParameter`.
    MissingServiceParameter,
    /// `AWS.InvalidServiceParameter`.
    InvalidServiceParameter,
    /// `AWS.ECommerceService.NoExactMatches`.
    NoExactMatches,
    /// `AWS.ECommerceService.NoSimilarities`, with the ASINs asked about.
    NoSimilarities(String),
    /// `AWS.ECommerceService.ItemNotEligibleForCart`; the item is empty when the ASIN is
    /// unknown (as recorded: "The item you specified, , is not eligible …").
    ItemNotEligibleForCart(String),
    /// `AWS.ECommerceService.ItemAlreadyInCart`.
    ItemAlreadyInCart(String),
    /// `AWS.ECommerceService.CartInfoMismatch`.
    CartInfoMismatch,
}

const MINIMUM_PARAMETERS: &str = "'Keywords','Title','Power','BrowseNode','Artist','Author','Actor','Director',\
    'AudienceRating','Manufacturer','MusicLabel','Composer','Publisher','Brand','Conductor','Orchestra','TextStream',\
    'Cuisine','City','Neighborhood'";

const ID_TYPES_NEEDING_INDEX: &str = "['DPCI', 'SKU',\n\t\t\t\t'UPC', 'EAN','ISBN']";

impl InBand {
    /// `Error/Code`.
    pub(crate) fn code(&self) -> &'static str {
        match self {
            Self::MissingParameters(_) => "AWS.MissingParameters",
            Self::InvalidParameterValue { .. } | Self::InvalidAssociateTag(_) => "AWS.InvalidParameterValue",
            Self::InvalidEnumeratedParameter { .. } => "AWS.InvalidEnumeratedParameter",
            Self::InvalidResponseGroup { .. } => "AWS.InvalidResponseGroup",
            Self::MinimumParameterRequirement => "AWS.MinimumParameterRequirement",
            Self::RestrictedParameterValueCombination { .. } => "AWS.RestrictedParameterValueCombination",
            Self::MissingSearchIndexForIdType => "AWS.MissingParameterValueCombination",
            Self::ParameterOutOfRange { .. } => "AWS.ParameterOutOfRange",
            Self::ExceededMaximumParameterValues { .. } => "AWS.ExceededMaximumParameterValues",
            Self::InvalidParameterCombination { .. } => "AWS.InvalidParameterCombination",
            Self::InvalidIso8601Time(_) => "AWS.InvalidISO8601Time",
            Self::MissingOperationParameter => "AWS.MissingOperationParameter",
            Self::InvalidOperationParameter => "AWS.InvalidOperationParameter",
            Self::MissingServiceParameter => "AWS.MissingServiceParameter",
            Self::InvalidServiceParameter => "AWS.InvalidServiceParameter",
            Self::NoExactMatches => "AWS.ECommerceService.NoExactMatches",
            Self::NoSimilarities(_) => "AWS.ECommerceService.NoSimilarities",
            Self::ItemNotEligibleForCart(_) => "AWS.ECommerceService.ItemNotEligibleForCart",
            Self::ItemAlreadyInCart(_) => "AWS.ECommerceService.ItemAlreadyInCart",
            Self::CartInfoMismatch => "AWS.ECommerceService.CartInfoMismatch",
        }
    }

    /// Whether this error makes `IsValid` `False`.
    pub(crate) fn invalidates(&self) -> bool {
        !matches!(
            self,
            Self::InvalidParameterValue { .. }
                | Self::NoExactMatches
                | Self::NoSimilarities(_)
                | Self::ItemNotEligibleForCart(_)
                | Self::ItemAlreadyInCart(_)
                | Self::CartInfoMismatch
        )
    }

    /// `Error/Message` in the locale's language (Japanese only where a JP capture shows
    /// the translation; English otherwise).
    pub(crate) fn message(&self, lang: Lang) -> String {
        if lang == Lang::Ja {
            if let Some(m) = self.message_ja() {
                return m;
            }
        }
        self.message_en()
    }

    fn message_en(&self) -> String {
        match self {
            Self::MissingParameters(p) => {
                format!("Your request is missing required parameters. Required parameters include {p}.")
            }
            Self::InvalidParameterValue { value, param } => {
                format!("{value} is not a valid value for {param}. Please change this value and retry your request.")
            }
            Self::InvalidAssociateTag(tag) => format!(
                "{tag} is not a valid value for AssociateTag. Please change this value and retry your request."
            ),
            Self::InvalidEnumeratedParameter { param, valid, .. } => {
                format!("The value you specified for {param} is invalid. Valid values include {valid}.")
            }
            Self::InvalidResponseGroup { operation, valid, .. } => format!(
                "Your ResponseGroup parameter is invalid. Valid response groups for {operation} requests include {valid}."
            ),
            Self::MinimumParameterRequirement => {
                format!("Your request should have atleast 1 of the following parameters: {MINIMUM_PARAMETERS}.")
            }
            Self::RestrictedParameterValueCombination { param, value, other } => format!(
                "Your request contained a restricted parameter combination.  When {param} equals {value}, {other} \
                 cannot be present."
            ),
            Self::MissingSearchIndexForIdType => format!(
                "Your request is missing a required parameter combination.  When IdType equals \
                 {ID_TYPES_NEEDING_INDEX}, SearchIndex must be present."
            ),
            Self::ParameterOutOfRange { param, low, high } => {
                format!("The value you specified for {param} is invalid.  Valid values must be between {low} and {high}.")
            }
            Self::ExceededMaximumParameterValues { param, max } => format!(
                "Your request contains too many values for {param}. This parameter can have a maximum of {max} values."
            ),
            Self::InvalidParameterCombination { first, second } => format!(
                "Your request contains an invalid parameter combination. {first} and {second} cannot appear in the \
                 same request."
            ),
            Self::InvalidIso8601Time(p) => {
                format!("{p} has an invalid value. It must contain a valid ISO 8601 date and time.")
            }
            Self::MissingOperationParameter => format!(
                "Your request is missing the Operation parameter. Please add the Operation parameter to your request \
                 and retry. Valid values for the Operation parameter include {VALID_OPERATIONS}."
            ),
            Self::InvalidOperationParameter => format!(
                "The Operation parameter is invalid. Please modify the Operation parameter and retry. Valid values \
                 for the Operation parameter include {VALID_OPERATIONS}."
            ),
            Self::MissingServiceParameter => "Your request is missing the Service parameter. Please add the Service \
                parameter to your request and retry. Valid values for the Service parameter include \
                AWSECommerceService."
                .to_owned(),
            Self::InvalidServiceParameter => "The Service parameter is invalid. Please modify the Service parameter \
                and retry. Valid values for the Service parameter include AWSECommerceService."
                .to_owned(),
            Self::NoExactMatches => "We did not find any matches for your request.".to_owned(),
            Self::NoSimilarities(asins) => format!("There are no similar items for this ASIN: {asins}."),
            Self::ItemNotEligibleForCart(item) => format!(
                "The item you specified, {item}, is not eligible to be added to the cart. Check the item's \
                 availability to make sure it is available."
            ),
            Self::ItemAlreadyInCart(item) => format!("The item you specified, {item}, is already in your cart."),
            Self::CartInfoMismatch => "Your request contains an invalid AssociateTag, CartId and HMAC combination. \
                Please verify the AssociateTag, CartId, HMAC and retry. Remember that all Cart operations must pass \
                in the CartId and HMAC that were returned to you during the CartCreate operation."
                .to_owned(),
        }
    }

    fn message_ja(&self) -> Option<String> {
        Some(match self {
            Self::MissingParameters(p) => {
                format!("リクエストには、必要なパラメータが含まれていません。必要なパラメータには、{p}などがあります。")
            }
            Self::InvalidParameterValue { value, param } => {
                format!("{value}は、{param}の値として無効です。値を変更してから、再度リクエストを実行してください。")
            }
            Self::InvalidAssociateTag(tag) => {
                format!("{tag}は、AssociateTagの値として無効です。値を変更してから、再度リクエストを実行してください。")
            }
            Self::InvalidEnumeratedParameter { param, valid_ja, .. } => {
                format!("{param}に指定した値は無効です。{valid_ja}などが有効な値の例です。")
            }
            Self::InvalidResponseGroup { operation, valid, translated: true } => format!(
                "ResponseGroupパラメータが無効です。{operation}リクエストで有効なレスポンス・グループは、{valid}などです。"
            ),
            Self::MinimumParameterRequirement => {
                format!("次のパラメータのうち、最低1個がリクエストに含まれている必要があります：{MINIMUM_PARAMETERS}")
            }
            Self::RestrictedParameterValueCombination { param, value, other } => format!(
                "リクエストには、使用できないパラメータの組み合わせが含まれています。{param}が{value}である場合、 {other}は使えません。"
            ),
            Self::MissingSearchIndexForIdType => format!(
                "リクエストには必要なパラメータの組み合わせが含まれていません。IdTypeが{ID_TYPES_NEEDING_INDEX}である場合、SearchIndexが必要です。"
            ),
            Self::ParameterOutOfRange { param, low, high } => {
                format!("{param} として指定した値は無効です。有効な値は、{low}から{high}までのものです。")
            }
            Self::NoExactMatches => "リクエストに該当する結果がありません。".to_owned(),
            Self::NoSimilarities(asins) => format!("このASIN、{asins}と類似する商品はありません。"),
            Self::ItemNotEligibleForCart(item) => format!(
                "リクエストで商品として指定された{item}は、カートに追加する商品として、適格ではありません。商品の在庫があるかどうか確かめてください。"
            ),
            Self::ItemAlreadyInCart(item) => {
                format!("リクエストで商品として指定された{item}は、すでにショッピングカートの中に入っています。")
            }
            Self::CartInfoMismatch => "リクエストに指定されたAssociateTag、CartId、およびHMACの組み合わせが不正です。\
                AssociateTag、CartId、およびHMACの値を確認して再度実行してください。なお、ショッピングカートを操作する、\
                CartCreate以外のすべてのオペレーションで、CartCreateオペレーションで返されるCartIdとHMACが必要になるので注意してください。"
                .to_owned(),
            _ => return None,
        })
    }
}

/// `<Request>` with `IsValid` computed from the errors, the echo (left out when it has
/// nothing to echo, as recorded for a CartCreate without items), and the errors.
pub(crate) fn request_element(errors: &[InBand], echo: Option<Element>, lang: Lang) -> Element {
    let echo = echo.filter(|e| !e.children.is_empty());
    let texts: Vec<(&str, String)> = errors.iter().map(|e| (e.code(), e.message(lang))).collect();
    let pairs: Vec<(&str, &str)> = texts.iter().map(|(c, m)| (*c, m.as_str())).collect();
    envelope::request(!errors.iter().any(InBand::invalidates), echo, &pairs)
}

// ----------------------------------------------------------------- enumerations

/// Every response group name, as listed by `AWS.InvalidEnumeratedParameter` (recorded,
/// `ItemLookup-us-invalid-response-group.xml`, whitespace included).
pub(crate) const ALL_RESPONSE_GROUPS: &str = "[\n    \t\t'Tags', 'Help', 'ListMinimum', 'VariationSummary', 'VariationMatrix',\n    \t\t'TransactionDetails', 'VariationMinimum', 'VariationImages',\n    \t\t'PartBrandBinsSummary', 'CustomerFull', 'CartNewReleases',\n    \t\t'ItemIds', 'SalesRank', 'TagsSummary', 'Fitments',\n    \t\t'Subjects', 'Medium', 'ListmaniaLists',\n    \t\t'PartBrowseNodeBinsSummary', 'TopSellers', 'Request',\n    \t\t'HasPartCompatibility', 'PromotionDetails', 'ListFull',\n    \t\t'Small', 'Seller', 'OfferFull', 'Accessories',\n    \t\t'VehicleMakes', 'MerchantItemAttributes', 'TaggedItems',\n    \t\t'VehicleParts', 'BrowseNodeInfo', 'ItemAttributes',\n    \t\t'PromotionalTag', 'VehicleOptions', 'ListItems', 'Offers',\n    \t\t'TaggedGuides', 'NewReleases', 'VehiclePartFit',\n    \t\t'OfferSummary', 'VariationOffers', 'CartSimilarities',\n    \t\t'Reviews', 'ShippingCharges', 'ShippingOptions', 'EditorialReview',\n    \t\t'CustomerInfo', 'PromotionSummary', 'BrowseNodes',\n    \t\t'PartnerTransactionDetails', 'VehicleYears', 'SearchBins',\n    \t\t'VehicleTrims', 'Similarities', 'AlternateVersions',\n    \t\t'SearchInside', 'CustomerReviews', 'SellerListing',\n    \t\t'OfferListings', 'Cart', 'TaggedListmaniaLists',\n    \t\t'VehicleModels', 'ListInfo', 'Large', 'CustomerLists',\n    \t\t'Tracks', 'CartTopSellers', 'Images', 'Variations',\n    \t'RelatedItems','Collections'\n    \t]";

/// ItemLookup's response groups (recorded `AWS.InvalidResponseGroup`).
pub(crate) const ITEM_LOOKUP_RESPONSE_GROUPS: &str = "['Request','ItemIds','Small','Medium','Large','Offers','OfferFull','OfferSummary','OfferListings','PromotionSummary','PromotionDetails','Variations','VariationImages','VariationMinimum','VariationSummary','TagsSummary','Tags','VariationMatrix','VariationOffers','ItemAttributes','MerchantItemAttributes','Tracks','Accessories','EditorialReview','SalesRank','BrowseNodes','Images','Similarities','Subjects','Reviews','ListmaniaLists','SearchInside','PromotionalTag','AlternateVersions','Collections','ShippingCharges','RelatedItems','ShippingOptions']";

/// ItemSearch's response groups (recorded; the message names "ItemLookup" anyway).
pub(crate) const ITEM_SEARCH_RESPONSE_GROUPS: &str = "['Request','ItemIds','Small','Medium','Large','Offers','OfferFull','OfferSummary','OfferListings','PromotionSummary','PromotionDetails','VariationMinimum','VariationSummary','VariationMatrix','VariationOffers','Variations','TagsSummary','Tags','ItemAttributes','MerchantItemAttributes','Tracks','Accessories','EditorialReview','SalesRank','BrowseNodes','Images','Similarities','Subjects','Reviews','ListmaniaLists','SearchInside','PromotionalTag','SearchBins','AlternateVersions','Collections','RelatedItems','ShippingCharges','ShippingOptions']";

/// SimilarityLookup's response groups (not captured: ItemLookup's item groups, our
/// choice).
pub(crate) const SIMILARITY_RESPONSE_GROUPS: &str = "['Request','ItemIds','Small','Medium','Large','Offers','OfferFull','OfferSummary','OfferListings','PromotionSummary','PromotionDetails','Variations','VariationImages','VariationMinimum','VariationSummary','TagsSummary','Tags','VariationMatrix','VariationOffers','ItemAttributes','MerchantItemAttributes','Tracks','Accessories','EditorialReview','SalesRank','BrowseNodes','Images','Similarities','Subjects','Reviews','ListmaniaLists','SearchInside','PromotionalTag','ShippingCharges','ShippingOptions']";

/// The cart operations' response groups (not captured; DG "CartCreate" lists these).
pub(crate) const CART_RESPONSE_GROUPS: &str =
    "['Request','Cart','CartSimilarities','CartTopSellers','CartNewReleases']";

/// BrowseNodeLookup's response groups, in the `AWS.InvalidResponseGroup` order (recorded).
pub(crate) const BROWSE_NODE_RESPONSE_GROUPS: &str =
    "Request, BrowseNodeInfo, TopSellers, NewReleases, MostWishedFor, MostGifted";

/// BrowseNodeLookup's `AWS.InvalidEnumeratedParameter` list (recorded, English and JP).
const BROWSE_NODE_ENUMERATION: &str = "BrowseNodeInfo, MostGifted, MostWishedFor, NewReleases, Request, TopSellers";
const BROWSE_NODE_ENUMERATION_JA: &str =
    "BrowseNodeInfo\u{3001} MostGifted\u{3001} MostWishedFor\u{3001} NewReleases\u{3001} Request\u{3001} TopSellers";

/// ItemLookup's search indices (recorded US list).
pub(crate) const ITEM_LOOKUP_SEARCH_INDICES: &str = "[\n\t\t\t\t'All','Apparel','Appliances','ArtsAndCrafts','Automotive','Baby','Beauty','Blended','Books','Classical','DVD','DigitalMusic','Electronics','GiftCards','GourmetFood','Grocery','HealthPersonalCare','HomeGarden','Industrial','Jewelry','KindleStore','Kitchen','MP3Downloads','Magazines','Merchants','Miscellaneous','Music','MusicTracks','MusicalInstruments','MobileApps','OfficeProducts','OutdoorLiving','PCHardware','PetSupplies','Photo','Shoes','SilverMerchants','Software','SportingGoods','Tools','Toys','UnboxVideo','VHS','Video','VideoGames','Watches','Wireless','WirelessAccessories'\n\t\t\t\t]";

/// ItemSearch's search indices (recorded US list, with Amazon's `,,`).
pub(crate) const ITEM_SEARCH_SEARCH_INDICES: &str = "[\n\t\t\t\t'All','Apparel','Appliances','ArtsAndCrafts','Automotive','Baby','Beauty','Blended','Books','Classical','Collectibles','DVD','DigitalMusic','Electronics','GiftCards','GourmetFood','Grocery','HealthPersonalCare','HomeGarden','Industrial','Jewelry','KindleStore','Kitchen','LawnAndGarden','Marketplace','MP3Downloads','Magazines',,'Miscellaneous','Music','MusicTracks','MusicalInstruments','MobileApps','OfficeProducts','OutdoorLiving','PCHardware','PetSupplies','Photo','Shoes','Software','SportingGoods','Tools','Toys','UnboxVideo','VHS','Video','VideoGames','Watches','Wireless','WirelessAccessories'\n\t\t\t\t]";

/// The names in a printed list: quoted (`'A','B'`) or plain (`A, B`).
pub(crate) fn listed_names(list: &str) -> Vec<&str> {
    if list.contains('\'') {
        list.split('\'').skip(1).step_by(2).filter(|s| !s.is_empty()).collect()
    } else {
        list.split(',').map(str::trim).filter(|s| !s.is_empty()).collect()
    }
}

/// Whether `name` is one of the names in a printed list: the same answer as
/// `listed_names(list).contains(&name)`. The request path asks this for every
/// `ResponseGroup` against lists of up to 73 names, so each list is split once into a set
/// that is kept for the life of the process (the lists are this module's constants: a
/// dozen small sets).
pub(crate) fn is_listed(list: &'static str, name: &str) -> bool {
    type Sets = BTreeMap<(usize, usize), &'static HashSet<&'static str>>;
    static SETS: RwLock<Sets> = RwLock::new(BTreeMap::new());
    let key = (list.as_ptr() as usize, list.len());
    let known = SETS.read().unwrap_or_else(PoisonError::into_inner).get(&key).copied();
    let set = known.unwrap_or_else(|| {
        let mut sets = SETS.write().unwrap_or_else(PoisonError::into_inner);
        *sets.entry(key).or_insert_with(|| Box::leak(Box::new(listed_names(list).into_iter().collect())))
    });
    set.contains(name)
}

/// The enumerated-value error for a value not in a printed list (same list in English
/// and Japanese).
pub(crate) fn invalid_enumerated(param: &'static str, valid: &'static str) -> InBand {
    InBand::InvalidEnumeratedParameter { param, valid, valid_ja: valid }
}

/// How an operation validates `ResponseGroup`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ResponseGroupRules {
    /// The operation's own list.
    pub valid: &'static str,
    /// The operation named in `AWS.InvalidResponseGroup`.
    pub label: &'static str,
    /// BrowseNodeLookup's variant: its own enumeration, the group error first, and an
    /// untranslated group error in JP.
    pub browse_node: bool,
}

/// Item operations (`ItemLookup`).
pub(crate) const ITEM_LOOKUP_RULES: ResponseGroupRules =
    ResponseGroupRules { valid: ITEM_LOOKUP_RESPONSE_GROUPS, label: "ItemLookup", browse_node: false };
/// `ItemSearch` (labelled "ItemLookup" by Amazon).
pub(crate) const ITEM_SEARCH_RULES: ResponseGroupRules =
    ResponseGroupRules { valid: ITEM_SEARCH_RESPONSE_GROUPS, label: "ItemLookup", browse_node: false };
/// `SimilarityLookup`.
pub(crate) const SIMILARITY_RULES: ResponseGroupRules =
    ResponseGroupRules { valid: SIMILARITY_RESPONSE_GROUPS, label: "SimilarityLookup", browse_node: false };
/// The cart operations (the label is set to the operation's name).
pub(crate) const CART_RULES: ResponseGroupRules =
    ResponseGroupRules { valid: CART_RESPONSE_GROUPS, label: "CartGet", browse_node: false };
/// `BrowseNodeLookup`.
pub(crate) const BROWSE_NODE_RULES: ResponseGroupRules =
    ResponseGroupRules { valid: BROWSE_NODE_RESPONSE_GROUPS, label: "", browse_node: true };

/// Checks requested response groups; errors in Amazon's order.
pub(crate) fn check_response_groups(groups: &[String], rules: ResponseGroupRules) -> Vec<InBand> {
    let (enumeration, enumeration_ja) = if rules.browse_node {
        (BROWSE_NODE_ENUMERATION, BROWSE_NODE_ENUMERATION_JA)
    } else {
        (ALL_RESPONSE_GROUPS, ALL_RESPONSE_GROUPS)
    };
    let not_enumerated = groups.iter().any(|g| !is_listed(enumeration, g));
    let not_own = groups.iter().any(|g| !is_listed(rules.valid, g));
    let enumerated = not_enumerated.then_some(InBand::InvalidEnumeratedParameter {
        param: "ResponseGroup",
        valid: enumeration,
        valid_ja: enumeration_ja,
    });
    let group = not_own.then_some(InBand::InvalidResponseGroup {
        operation: rules.label,
        valid: rules.valid,
        translated: !rules.browse_node,
    });
    if rules.browse_node {
        group.into_iter().chain(enumerated).collect()
    } else {
        enumerated.into_iter().chain(group).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_parse_to_names() {
        assert!(listed_names(ALL_RESPONSE_GROUPS).contains(&"Collections"));
        assert_eq!(listed_names(ALL_RESPONSE_GROUPS).len(), 73);
        assert!(!listed_names(ITEM_SEARCH_SEARCH_INDICES).contains(&""));
        assert_eq!(listed_names(BROWSE_NODE_RESPONSE_GROUPS)[1], "BrowseNodeInfo");
    }

    const LISTS: [&str; 11] = [
        ALL_RESPONSE_GROUPS,
        ITEM_LOOKUP_RESPONSE_GROUPS,
        ITEM_SEARCH_RESPONSE_GROUPS,
        SIMILARITY_RESPONSE_GROUPS,
        CART_RESPONSE_GROUPS,
        VALID_OPERATIONS,
        BROWSE_NODE_RESPONSE_GROUPS,
        ITEM_SEARCH_SEARCH_INDICES,
        ITEM_LOOKUP_SEARCH_INDICES,
        BROWSE_NODE_ENUMERATION,
        super::super::items::CONDITIONS,
    ];

    #[test]
    fn is_listed_agrees_with_listed_names() {
        for list in LISTS {
            for name in listed_names(list) {
                assert!(is_listed(list, name), "{name}");
            }
            for probe in ["", " ", "Small ", " Small", "'Books'", "Books','Music", "All,", "Used, New", "ll", "Mediu"] {
                assert_eq!(is_listed(list, probe), listed_names(list).contains(&probe), "{probe:?} in {list}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn is_listed_agrees_on_any_name(which in 0..LISTS.len(), name in "[ ,'A-Za-z]{0,12}") {
            let list = LISTS[which];
            proptest::prop_assert_eq!(is_listed(list, &name), listed_names(list).contains(&name.as_str()));
        }
    }

    #[test]
    fn response_group_errors_come_in_amazons_order() {
        let bad = vec!["???".to_owned()];
        let codes = |rules| check_response_groups(&bad, rules).iter().map(InBand::code).collect::<Vec<_>>();
        assert_eq!(codes(ITEM_LOOKUP_RULES), ["AWS.InvalidEnumeratedParameter", "AWS.InvalidResponseGroup"]);
        assert_eq!(codes(BROWSE_NODE_RULES), ["AWS.InvalidResponseGroup", "AWS.InvalidEnumeratedParameter"]);
        let only_elsewhere = vec!["Cart".to_owned()];
        let errs = check_response_groups(&only_elsewhere, ITEM_LOOKUP_RULES);
        assert_eq!(errs.iter().map(InBand::code).collect::<Vec<_>>(), ["AWS.InvalidResponseGroup"]);
        assert!(check_response_groups(&["Large".to_owned(), "Offers".to_owned()], ITEM_LOOKUP_RULES).is_empty());
    }
}
