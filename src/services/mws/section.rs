//! MWS addresses: endpoint hosts, API sections (path, version, response namespace) and the
//! operations each section serves, with their throttling limits.
//!
//! Facts (`protocols.md` §3.1, §3.2, §3.6): hosts and marketplaces from python-amazon-mws
//! `mws/mws.py` and the MWS "Using multiple marketplaces" page; paths, versions and the
//! namespaces observed live (ScaleLeap/amazon-mws-api-sdk recordings, peddler cassettes).
//! Throttling values from each operation's MWS API reference page, "Throttling" section
//! (read in bizon/mws-api-doc, a mirror of the MWS documentation: `Orders_ListOrders.md`,
//! `Orders_GetOrder.md`, `Orders_ListOrderItems.md`, `Products_Throttling.md`,
//! `Products_GetServiceStatus.md`, `Sellers_ListMarketplaceParticipations.md`,
//! `Sellers_GetServiceStatus.md`, `Feeds_SubmitFeed.md`, `Feeds_GetFeedSubmissionList.md`,
//! `Feeds_GetFeedSubmissionResult.md`, `Reports_RequestReport.md`,
//! `Reports_GetReportRequestList.md`, `Reports_GetReport.md`), which agree with boto's
//! `api_action` values where boto has them.

/// The MWS endpoint hosts (`protocols.md` §3.1).
pub(crate) const HOSTS: &[&str] = &[
    "mws.amazonservices.com",
    "mws-eu.amazonservices.com",
    "mws-fe.amazonservices.com",
    "mws.amazonservices.ca",
    "mws.amazonservices.com.mx",
    "mws.amazonservices.in",
    "mws.amazonservices.jp",
    "mws.amazonservices.com.au",
    "mws.amazonservices.ae",
];

/// Namespace of Feeds and Reports responses, observed live (note `amazonaws`, trailing
/// slash); the Developer Guide prints `http://mws.amazonservices.com/doc/2009-01-01/`.
pub(crate) const LEGACY_NAMESPACE: &str = "http://mws.amazonaws.com/doc/2009-01-01/";

/// The name used in messages for the shared Feeds/Reports endpoint at `/`, whose service is
/// "MarketplaceWebService" (MWS Developer Guide, "Example HTTP errors": `ServiceName=
/// MarketplaceWebService`).
pub(crate) const ROOT_SECTION_NAME: &str = "MarketplaceWebService";

/// An MWS API section the mock serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Section {
    /// Orders 2013-09-01.
    Orders,
    /// Products 2011-10-01.
    Products,
    /// Sellers 2011-07-01.
    Sellers,
    /// Feeds 2009-01-01.
    Feeds,
    /// Reports 2009-01-01.
    Reports,
}

impl Section {
    const ALL: [Section; 5] = [Self::Orders, Self::Products, Self::Sellers, Self::Feeds, Self::Reports];

    /// The name in paths and messages (`Orders`).
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Orders => "Orders",
            Self::Products => "Products",
            Self::Sellers => "Sellers",
            Self::Feeds => "Feeds",
            Self::Reports => "Reports",
        }
    }

    /// The `Version` the section answers.
    pub(crate) fn version(self) -> &'static str {
        match self {
            Self::Orders => "2013-09-01",
            Self::Products => "2011-10-01",
            Self::Sellers => "2011-07-01",
            Self::Feeds | Self::Reports => "2009-01-01",
        }
    }

    /// The response namespace, as observed live (the same on every regional host).
    pub(crate) fn namespace(self) -> &'static str {
        match self {
            Self::Orders => "https://mws.amazonservices.com/Orders/2013-09-01",
            Self::Products => "http://mws.amazonservices.com/schema/Products/2011-10-01",
            Self::Sellers => "https://mws.amazonservices.com/Sellers/2011-07-01",
            Self::Feeds | Self::Reports => LEGACY_NAMESPACE,
        }
    }

    fn by_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// What a request path addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Address<'a> {
    /// `/` (or empty): the shared Feeds/Reports endpoint; `Action` picks the section.
    Root,
    /// `/{Section}/{Version}` of a section the mock serves (the version may be wrong).
    Section(Section, &'a str),
    /// `/{Name}/{Version}` of a section the mock does not serve.
    Other(&'a str, &'a str),
    /// Any other path.
    Unknown,
}

impl Address<'_> {
    /// The namespace errors at this address are answered in.
    pub(crate) fn namespace(&self) -> String {
        match self {
            Address::Root | Address::Unknown => LEGACY_NAMESPACE.to_owned(),
            Address::Section(s, _) => s.namespace().to_owned(),
            // The pattern of the observed `https://mws.amazonservices.com/ShipmentInvoicing/2018-09-01`.
            Address::Other(name, version) => format!("https://mws.amazonservices.com/{name}/{version}"),
        }
    }
}

/// Reads a request path (as sent, without the query).
pub(crate) fn address(path: &str) -> Address<'_> {
    if path.is_empty() || path == "/" {
        return Address::Root;
    }
    let mut parts = path.strip_prefix('/').unwrap_or(path).split('/');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(name), Some(version), None) if !name.is_empty() && !version.is_empty() => match Section::by_name(name) {
            Some(s) => Address::Section(s, version),
            None => Address::Other(name, version),
        },
        _ => Address::Unknown,
    }
}

/// The operations the mock implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operation {
    /// Orders, Products, Sellers.
    GetServiceStatus,
    /// Orders.
    ListOrders,
    /// Orders.
    ListOrdersByNextToken,
    /// Orders.
    GetOrder,
    /// Orders.
    ListOrderItems,
    /// Products.
    ListMatchingProducts,
    /// Products.
    GetMatchingProductForId,
    /// Products.
    GetLowestOfferListingsForAsin,
    /// Sellers.
    ListMarketplaceParticipations,
    /// Feeds.
    SubmitFeed,
    /// Feeds.
    GetFeedSubmissionList,
    /// Feeds.
    GetFeedSubmissionResult,
    /// Reports.
    RequestReport,
    /// Reports.
    GetReportRequestList,
    /// Reports.
    GetReport,
}

/// An operation's throttling limits (MWS Developer Guide, "Throttling": maximum request
/// quota, restore rate, optional hourly request quota), counted per seller, developer
/// access key and `group`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Limits {
    /// Operations that share a bucket share a group name.
    pub group: &'static str,
    /// Maximum request quota (bucket size).
    pub burst: f64,
    /// Seconds to restore one request (or one item, when `items_param` is set).
    pub restore_secs: f64,
    /// Hourly request quota, reported in the `x-mws-quota-*` headers.
    pub hourly: Option<f64>,
    /// For per-item throttling (Products "Per-Item Throttling"): the list parameter whose
    /// members each use one unit of the bucket.
    pub items_param: Option<&'static str>,
}

const fn limits(group: &'static str, burst: f64, restore_secs: f64, hourly: Option<f64>) -> Limits {
    Limits { group, burst, restore_secs, hourly, items_param: None }
}

struct Entry {
    op: Operation,
    name: &'static str,
    sections: &'static [Section],
    limits: Limits,
}

/// One row per operation: name, sections, limits (sources in the module docs).
const OPERATIONS: &[Entry] = &[
    Entry {
        op: Operation::GetServiceStatus,
        name: "GetServiceStatus",
        sections: &[Section::Orders, Section::Products, Section::Sellers],
        limits: limits("GetServiceStatus", 2.0, 300.0, None),
    },
    Entry {
        op: Operation::ListOrders,
        name: "ListOrders",
        sections: &[Section::Orders],
        limits: limits("ListOrders", 6.0, 60.0, None),
    },
    Entry {
        // "The ListOrders and ListOrdersByNextToken operations together share a maximum
        // request quota of six and a restore rate of one request every minute."
        op: Operation::ListOrdersByNextToken,
        name: "ListOrdersByNextToken",
        sections: &[Section::Orders],
        limits: limits("ListOrders", 6.0, 60.0, None),
    },
    Entry {
        op: Operation::GetOrder,
        name: "GetOrder",
        sections: &[Section::Orders],
        limits: limits("GetOrder", 6.0, 60.0, None),
    },
    Entry {
        op: Operation::ListOrderItems,
        name: "ListOrderItems",
        sections: &[Section::Orders],
        limits: limits("ListOrderItems", 30.0, 2.0, None),
    },
    Entry {
        op: Operation::ListMatchingProducts,
        name: "ListMatchingProducts",
        sections: &[Section::Products],
        limits: limits("ListMatchingProducts", 20.0, 5.0, Some(720.0)),
    },
    Entry {
        op: Operation::GetMatchingProductForId,
        name: "GetMatchingProductForId",
        sections: &[Section::Products],
        limits: Limits {
            group: "GetMatchingProductForId",
            burst: 20.0,
            restore_secs: 0.2,
            hourly: Some(18000.0),
            items_param: Some("IdList.Id"),
        },
    },
    Entry {
        op: Operation::GetLowestOfferListingsForAsin,
        name: "GetLowestOfferListingsForASIN",
        sections: &[Section::Products],
        limits: Limits {
            // Shared with GetLowestOfferListingsForSKU.
            group: "GetLowestOfferListings",
            burst: 20.0,
            restore_secs: 0.1,
            hourly: Some(36000.0),
            items_param: Some("ASINList.ASIN"),
        },
    },
    Entry {
        op: Operation::ListMarketplaceParticipations,
        name: "ListMarketplaceParticipations",
        sections: &[Section::Sellers],
        limits: limits("ListMarketplaceParticipations", 15.0, 60.0, None),
    },
    Entry {
        op: Operation::SubmitFeed,
        name: "SubmitFeed",
        sections: &[Section::Feeds],
        limits: limits("SubmitFeed", 15.0, 120.0, Some(30.0)),
    },
    Entry {
        op: Operation::GetFeedSubmissionList,
        name: "GetFeedSubmissionList",
        sections: &[Section::Feeds],
        limits: limits("GetFeedSubmissionList", 10.0, 45.0, Some(80.0)),
    },
    Entry {
        op: Operation::GetFeedSubmissionResult,
        name: "GetFeedSubmissionResult",
        sections: &[Section::Feeds],
        limits: limits("GetFeedSubmissionResult", 15.0, 60.0, Some(60.0)),
    },
    Entry {
        op: Operation::RequestReport,
        name: "RequestReport",
        sections: &[Section::Reports],
        limits: limits("RequestReport", 15.0, 60.0, Some(60.0)),
    },
    Entry {
        op: Operation::GetReportRequestList,
        name: "GetReportRequestList",
        sections: &[Section::Reports],
        limits: limits("GetReportRequestList", 10.0, 45.0, Some(80.0)),
    },
    Entry {
        op: Operation::GetReport,
        name: "GetReport",
        sections: &[Section::Reports],
        limits: limits("GetReport", 15.0, 60.0, Some(60.0)),
    },
];

impl Operation {
    fn entry(self) -> &'static Entry {
        // Every variant has a row (a unit test walks them).
        OPERATIONS.iter().find(|e| e.op == self).unwrap_or(&OPERATIONS[0])
    }

    /// The `Action` value.
    pub(crate) fn name(self) -> &'static str {
        self.entry().name
    }

    /// Its throttling limits.
    pub(crate) fn limits(self) -> Limits {
        self.entry().limits
    }

    /// The operation named `action` in `section`.
    pub(crate) fn find(section: Section, action: &str) -> Option<Self> {
        OPERATIONS.iter().find(|e| e.name == action && e.sections.contains(&section)).map(|e| e.op)
    }

    /// At `/`: the Feeds or Reports operation named `action`.
    pub(crate) fn find_at_root(action: &str) -> Option<(Section, Self)> {
        [Section::Feeds, Section::Reports].into_iter().find_map(|s| Self::find(s, action).map(|op| (s, op)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(address(""), Address::Root);
        assert_eq!(address("/"), Address::Root);
        assert_eq!(address("/Orders/2013-09-01"), Address::Section(Section::Orders, "2013-09-01"));
        assert_eq!(address("/Orders/2011-01-01"), Address::Section(Section::Orders, "2011-01-01"));
        assert_eq!(address("/Finances/2015-05-01"), Address::Other("Finances", "2015-05-01"));
        assert_eq!(address("/Orders/2013-09-01/"), Address::Unknown);
        assert_eq!(address("/Orders"), Address::Unknown);
    }

    #[test]
    fn every_operation_has_one_row() {
        let all = [
            Operation::GetServiceStatus,
            Operation::ListOrders,
            Operation::ListOrdersByNextToken,
            Operation::GetOrder,
            Operation::ListOrderItems,
            Operation::ListMatchingProducts,
            Operation::GetMatchingProductForId,
            Operation::GetLowestOfferListingsForAsin,
            Operation::ListMarketplaceParticipations,
            Operation::SubmitFeed,
            Operation::GetFeedSubmissionList,
            Operation::GetFeedSubmissionResult,
            Operation::RequestReport,
            Operation::GetReportRequestList,
            Operation::GetReport,
        ];
        assert_eq!(all.len(), OPERATIONS.len());
        for op in all {
            assert_eq!(OPERATIONS.iter().filter(|e| e.op == op).count(), 1, "{op:?}");
            assert_eq!(op.entry().op, op);
        }
        assert_eq!(Operation::find_at_root("RequestReport"), Some((Section::Reports, Operation::RequestReport)));
        assert_eq!(Operation::find(Section::Feeds, "GetServiceStatus"), None);
    }
}
