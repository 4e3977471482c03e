//! Product Advertising API 4.x (`AWSECommerceService`, REST `GET|POST /onca/xml`, SigV2)
//! as pure request rules: [`handle`] decides the answer to one request.
//!
//! Spec: PA-API Developer Guide (API 2011-08-01 and 2013-08-01): "Anatomy of a REST
//! Request", "Authenticating REST Requests", "Common Request Parameters", "Error
//! Messages", "Error Numbers", the operation pages; recorded live responses in
//! redtoad/python-amazon-product-api `tests/` (cited per module). Facts and choices are
//! gathered in `reference/protocols.md` §2.
//!
//! Order of checks, Amazon's gateway first, then the service:
//! 1. the path must be `/onca/xml` (else 404, plain text: there is no XML for it);
//! 2. gateway (non-200, `{Operation}ErrorResponse` in `http://ecs.amazonaws.com/doc/
//!    {Version}/`, table in [`gateway`]): the SigV2 check ([`crate::sigv2::verify`];
//!    `SignatureMethod` absent means HmacSHA256), then one request per second per access
//!    key (503, counted only for requests that authenticated), then retired operations
//!    (410), then an account not registered for PA-API (403 `AWS.InvalidAccount`) or
//!    with no Associate tag in this locale (400 `AWS.InvalidAssociate`);
//! 3. service (HTTP 200, `{Operation}Response` in `http://webservices.amazon.com/
//!    AWSECommerceService/{Version}`, catalogue in [`inband`]): `Service`, `Operation`
//!    and `Version` problems in `OperationRequest/Errors`; `AssociateTag` missing
//!    (`AWS.MissingParameters`) or not the key's tag for this locale
//!    (`AWS.InvalidParameterValue`, `IsValid` False) in the operation's `Request`; then the
//!    operation itself.
//!
//! Choices where no source decides (see also the module docs):
//! - `Version`: absent means 2005-10-05, the documented default also seen in a live
//!   2019 throttling error (protocols.md §2.1 "conflict", §6.6); the namespace echoes the
//!   requested version. A `Version` that is not a `YYYY-MM-DD` date is
//!   `AWS.InvalidISO8601Time` (DG: "returned if your request has an invalid value for the
//!   Version parameter"); any well-formed date is accepted.
//! - Request-level errors go to `OperationRequest/Errors` (the schema's place for them);
//!   without a usable `Operation` the roots are `ErrorResponse` / `Response`.
//! - No PA-API 4 response header is documented (`x-amzn-RequestId` belongs to PA-API 5),
//!   so [`Outcome::headers`] is empty; the content type is `text/xml;charset=UTF-8`.
//! - `RequestProcessingTime` is derived from the request id, so answers are reproducible.

pub(crate) mod gateway;
pub(crate) mod inband;
pub(crate) mod locale;

mod browse;
mod cart;
mod items;
mod lookup;
mod nodes;
mod search;
#[cfg(test)]
mod tests;

use super::{Ctx, Outcome, Quota, Record, ServiceKind, ServiceRequest, ThrottleDecision, Throttling, Verdict};
use crate::catalogue::paapi::Item;
use crate::catalogue::paapi::PaapiCatalogue;
use crate::clock::UtcTime;
use crate::encoding::ParamList;
use crate::keystore::Family;
use crate::sigv2::{SignatureMethod, VerifyPolicy};
use crate::xml::{paapi as envelope, Element, Writer};
use gateway::Refusal;
use inband::InBand;
use items::{Aspects, OfferFilter};
use locale::{Lang, Locale};

/// The path PA-API answers at.
pub(crate) const PATH: &str = "/onca/xml";
/// The `Service` parameter's only value.
pub(crate) const SERVICE: &str = "AWSECommerceService";
/// The version assumed when a request has no `Version`.
pub(crate) const DEFAULT_VERSION: &str = "2005-10-05";
/// `Content-Type` of every XML answer.
pub(crate) const CONTENT_TYPE: &str = "text/xml;charset=UTF-8";
/// One request per second per access key (PA-API "Efficiency Guidelines", from
/// 2012-09-03), no burst.
pub(crate) const QUOTA: Quota = Quota { burst: 1.0, restore_secs: 1.0 };

/// Locale code of a PA-API host (lowercase, no port), e.g. `webservices.amazon.co.uk` → `uk`.
pub(crate) fn locale_for_host(host: &str) -> Option<&'static str> {
    locale::for_host(host).map(|l| l.code)
}

/// The static locale code equal to `code`, if it is one.
pub(crate) fn locale_code(code: &str) -> Option<&'static str> {
    crate::keystore::PAAPI_LOCALES.iter().copied().find(|c| *c == code)
}

/// The operations served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operation {
    /// `ItemLookup`.
    ItemLookup,
    /// `ItemSearch`.
    ItemSearch,
    /// `BrowseNodeLookup`.
    BrowseNodeLookup,
    /// `SimilarityLookup`.
    SimilarityLookup,
    /// `CartCreate`.
    CartCreate,
    /// `CartAdd`.
    CartAdd,
    /// `CartModify`.
    CartModify,
    /// `CartGet`.
    CartGet,
    /// `CartClear`.
    CartClear,
}

impl Operation {
    /// Every operation.
    pub(crate) const ALL: [Operation; 9] = [
        Self::ItemLookup,
        Self::ItemSearch,
        Self::BrowseNodeLookup,
        Self::SimilarityLookup,
        Self::CartCreate,
        Self::CartAdd,
        Self::CartModify,
        Self::CartGet,
        Self::CartClear,
    ];

    /// The `Operation` value.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::ItemLookup => "ItemLookup",
            Self::ItemSearch => "ItemSearch",
            Self::BrowseNodeLookup => "BrowseNodeLookup",
            Self::SimilarityLookup => "SimilarityLookup",
            Self::CartCreate => "CartCreate",
            Self::CartAdd => "CartAdd",
            Self::CartModify => "CartModify",
            Self::CartGet => "CartGet",
            Self::CartClear => "CartClear",
        }
    }

    /// The operation with this exact (case-sensitive) name.
    pub(crate) fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.name() == name)
    }

    /// The element holding the operation's `Request` and results.
    fn container(self) -> &'static str {
        match self {
            Self::ItemLookup | Self::ItemSearch | Self::SimilarityLookup => "Items",
            Self::BrowseNodeLookup => "BrowseNodes",
            _ => "Cart",
        }
    }
}

/// Comma-separated values, trimmed, empties dropped.
fn split_list(value: &str) -> Vec<&str> {
    value.split(',').map(str::trim).filter(|v| !v.is_empty()).collect()
}

/// Everything an operation needs once the gateway let the request through.
struct Band<'a> {
    params: &'a ParamList,
    locale: &'static Locale,
    access_key_id: &'a str,
    /// `AssociateTag` as sent (empty when absent).
    tag: &'a str,
    catalogue: &'a PaapiCatalogue,
    now: UtcTime,
    request_id: &'a str,
    /// `Validate=True`: check the request, do not execute it (DG "Common Request
    /// Parameters").
    validate_only: bool,
}

impl<'a> Band<'a> {
    /// A parameter's decoded value; an empty value counts as absent.
    fn get(&self, name: &str) -> Option<&'a str> {
        self.params.get(name).filter(|v| !v.is_empty())
    }

    /// `ResponseGroup` values, or the operation's default.
    fn response_groups(&self, default: &str) -> Vec<String> {
        let groups: Vec<String> =
            self.get("ResponseGroup").map(split_list).unwrap_or_default().into_iter().map(str::to_owned).collect();
        if groups.is_empty() {
            vec![default.to_owned()]
        } else {
            groups
        }
    }
}

/// An operation's answer: its container element, the items written after the
/// container's children (streamed by [`items::write_item`], not built as a tree: the
/// request path of ItemLookup), and the first error code (journal).
struct OpReply<'a> {
    container: Element,
    items: Vec<&'a Item>,
    shape: Option<(Aspects, OfferFilter<'a>)>,
    error_code: Option<&'static str>,
}

impl<'a> OpReply<'a> {
    fn new(container: &str, errors: &[InBand], echo: Option<Element>, rest: Vec<Element>, lang: Lang) -> Self {
        Self {
            container: Element::new(container).child(inband::request_element(errors, echo, lang)).children(rest),
            items: Vec::new(),
            shape: None,
            error_code: errors.first().map(InBand::code),
        }
    }

    /// Appends `items`, rendered with `aspects` and `filter`.
    fn with_items(mut self, items: Vec<&'a Item>, aspects: Aspects, filter: OfferFilter<'a>) -> Self {
        self.items = items;
        self.shape = Some((aspects, filter));
        self
    }

    /// Writes the container: its children, then the items.
    fn write(&self, w: &mut Writer, b: &Band<'_>) {
        let attrs: Vec<(&str, &str)> = self.container.attrs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        w.element(&self.container.name, &attrs, |w| {
            for child in &self.container.children {
                w.node(child);
            }
            if let Some((aspects, filter)) = &self.shape {
                for item in &self.items {
                    items::write_item(w, b, item, *aspects, filter);
                }
            }
        });
    }
}

/// A `Version` value that is a real `YYYY-MM-DD` date (checked digit by digit, no
/// allocation: every request asks twice).
fn is_version(v: &str) -> bool {
    let b = v.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0_u32, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0')))
    };
    let (Some(year), Some(month), Some(day)) = (num(0..4), num(5..7), num(8..10)) else { return false };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// A plain operation name (usable in an element name).
fn is_plain_name(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric()) && s.as_bytes()[0].is_ascii_alphabetic()
}

/// `RequestProcessingTime`, derived from the request id (reproducible answers), in the
/// recorded shape `0.0NNNNN0000000000`.
fn processing_time(request_id: &str) -> String {
    let h =
        request_id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    format!("0.0{:05}0000000000", h % 100_000)
}

/// Answers a PA-API request sent to a host of `locale`.
pub(crate) fn handle(ctx: &Ctx<'_>, req: &ServiceRequest<'_>, locale: &'static str) -> Outcome {
    let params = req.view.params;
    let operation = params.get("Operation").filter(|o| !o.is_empty());
    let requested_version = params.get("Version").filter(|v| !v.is_empty());
    let version = requested_version.filter(|v| is_version(v)).unwrap_or(DEFAULT_VERSION);
    let mut record = Record {
        operation: operation.map(str::to_owned),
        access_key_id: params.get("AWSAccessKeyId").map(str::to_owned),
        ..Record::refused(ServiceKind::Paapi)
    };
    if req.view.path != PATH {
        record.error_code = Some("NotFound".to_owned());
        return Outcome {
            status: 404,
            content_type: "text/plain;charset=UTF-8".to_owned(),
            headers: Vec::new(),
            body: format!("Not Found: the Product Advertising API answers at {PATH}\n"),
            object: None,
            record,
        };
    }
    let loc = locale::by_code(locale).unwrap_or(&locale::LOCALES[0]);
    let refuse = |record: Record, refusal: &Refusal<'_>| refused(ctx, record, refusal, operation, version);

    let policy = VerifyPolicy {
        max_skew_secs: ctx.options.max_skew_secs,
        default_method: SignatureMethod::HmacSha256,
        host_match: ctx.options.host_match,
    };
    let verified = match crate::sigv2::verify(&req.view, &ctx.keys.family(Family::Paapi), ctx.now, &policy) {
        Ok(v) => v,
        Err(failure) => {
            let out = refuse(record, &Refusal::Verify(&failure));
            return Outcome { record: Record { failure: Some(failure.into()), ..out.record }, ..out };
        }
    };
    record.host_form = Some(verified.host_form);
    let akid = verified.access_key_id.as_str();
    if ctx.options.throttling == Throttling::On {
        let key = format!("paapi:{akid}");
        if let ThrottleDecision::Throttled { .. } = ctx.throttle.take(&key, QUOTA, ctx.now) {
            return refuse(record, &Refusal::Throttled { access_key_id: akid });
        }
    }
    if let Some(op) = operation.filter(|o| gateway::DEPRECATED_OPERATIONS.contains(o)) {
        return refuse(record, &Refusal::Deprecated { operation: op });
    }
    let tags = ctx.keys.account_for_key(akid).map(|a| &a.associate_tags);
    if tags.is_none_or(std::collections::BTreeMap::is_empty) {
        return refuse(record, &Refusal::NotRegistered { associates_host: loc.associates_host });
    }
    let Some(registered) = tags.and_then(|t| t.get(loc.code)) else {
        return refuse(record, &Refusal::NotAnAssociate { access_key_id: akid, associates_host: loc.associates_host });
    };

    record.verdict = Verdict::Accepted;
    let band = Band {
        params,
        locale: loc,
        access_key_id: akid,
        tag: params.get("AssociateTag").unwrap_or(""),
        catalogue: &ctx.catalogue.paapi,
        now: ctx.now,
        request_id: ctx.request_id,
        validate_only: params.get("Validate") == Some("True"),
    };
    let (root, reply, request_errors, error_code) = serve(&band, operation, requested_version, registered);
    record.error_code = error_code.map(str::to_owned);
    let texts: Vec<(&str, String)> = request_errors.iter().map(|e| (e.code(), e.message(loc.lang))).collect();
    let operation_request = envelope::OperationRequest {
        user_agent: req.user_agent,
        request_id: ctx.request_id,
        arguments: params.iter().map(|p| (p.name.as_str(), p.value.as_str())).collect(),
        errors: texts.iter().map(|(c, m)| (*c, m.as_str())).collect(),
        processing_time: &processing_time(ctx.request_id),
    };
    let mut w = Writer::document();
    let namespace = envelope::response_namespace(version);
    w.element(&root, &[("xmlns", &namespace)], |w| {
        operation_request.write(w);
        if let Some(reply) = &reply {
            reply.write(w, &band);
        }
    });
    let doc = w.finish();
    Outcome { status: 200, content_type: CONTENT_TYPE.to_owned(), headers: Vec::new(), body: doc, object: None, record }
}

/// The service layer: (root element, the operation's answer, request-level errors, first
/// error code).
fn serve<'a>(
    b: &Band<'a>,
    operation: Option<&str>,
    requested_version: Option<&str>,
    registered_tag: &str,
) -> (String, Option<OpReply<'a>>, Vec<InBand>, Option<&'static str>) {
    let root = operation.filter(|o| is_plain_name(o)).map_or_else(|| "Response".to_owned(), |o| format!("{o}Response"));
    let request_error = match (b.get("Service"), operation) {
        (None, _) => Some(InBand::MissingServiceParameter),
        (Some(s), _) if s != SERVICE => Some(InBand::InvalidServiceParameter),
        (_, None) => Some(InBand::MissingOperationParameter),
        (_, Some(o)) if Operation::parse(o).is_none() => Some(InBand::InvalidOperationParameter),
        _ => requested_version.filter(|v| !is_version(v)).map(|_| InBand::InvalidIso8601Time("Version")),
    };
    if let Some(e) = request_error {
        let code = e.code();
        return (root, None, vec![e], Some(code));
    }
    let Some(op) = operation.and_then(Operation::parse) else {
        return (root, None, Vec::new(), None);
    };
    let mut pre = Vec::new();
    match b.get("AssociateTag") {
        None => pre.push(InBand::MissingParameters("AssociateTag")),
        Some(t) if !crate::crypto::constant_time_eq(t.as_bytes(), registered_tag.as_bytes()) => {
            pre.push(InBand::InvalidAssociateTag(t.to_owned()));
        }
        Some(_) => {}
    }
    let reply = match op {
        Operation::ItemLookup => lookup::item_lookup(b, pre),
        Operation::SimilarityLookup => lookup::similarity_lookup(b, pre),
        Operation::ItemSearch => search::run(b, pre),
        Operation::BrowseNodeLookup => browse::run(b, pre),
        Operation::CartCreate => cart::run(b, cart::CartOp::Create, pre),
        Operation::CartAdd => cart::run(b, cart::CartOp::Add, pre),
        Operation::CartModify => cart::run(b, cart::CartOp::Modify, pre),
        Operation::CartGet => cart::run(b, cart::CartOp::Get, pre),
        Operation::CartClear => cart::run(b, cart::CartOp::Clear, pre),
    };
    debug_assert_eq!(reply.container.name, op.container());
    let error_code = reply.error_code;
    (root, Some(reply), Vec::new(), error_code)
}

/// A gateway refusal as an [`Outcome`].
fn refused(
    ctx: &Ctx<'_>,
    mut record: Record,
    refusal: &Refusal<'_>,
    operation: Option<&str>,
    version: &str,
) -> Outcome {
    let answer = gateway::answer(refusal);
    let root = operation
        .filter(|o| is_plain_name(o))
        .map_or_else(|| "ErrorResponse".to_owned(), |o| format!("{o}ErrorResponse"));
    let body = envelope::error_response(
        &root,
        Some(&envelope::error_namespace(version)),
        answer.code,
        &answer.message,
        ctx.request_id,
        answer.spelling,
    )
    .to_document();
    record.error_code = Some(answer.code.to_owned());
    Outcome {
        status: answer.status,
        content_type: CONTENT_TYPE.to_owned(),
        headers: Vec::new(),
        body,
        object: None,
        record,
    }
}

/// The answer services give before they exist (MWS uses it until it is written).
#[allow(dead_code)]
pub(crate) fn unimplemented_outcome(service: ServiceKind) -> Outcome {
    Outcome {
        status: 501,
        content_type: "text/plain".into(),
        headers: Vec::new(),
        body: "not implemented yet".into(),
        object: None,
        record: Record::refused(service),
    }
}
