//! Amazon MWS (Marketplace Web Service) as pure request rules: the Orders, Products,
//! Sellers, Feeds and Reports sections, signed with Signature Version 2, answered in the
//! shapes and with the errors MWS used.
//!
//! Sources: MWS Developer Guide ("Required request parameters", "Signing a query
//! request", "Response format", "Handling errors", "Throttling", "Working with Content-MD5
//! checksums"), the sections' API references, and recorded live exchanges; the facts are
//! collected in `protocols.md` §1 and §3, with their sources.
//!
//! A request goes through these checks, in this order, and the first failure answers
//! (each is documented at the function or table that implements it):
//!
//! 1. the path: `/{Section}/{Version}` of a served section, or `/` where `Action` picks
//!    Feeds or Reports ([`section::address`]);
//! 2. `Action` present, and an operation of that section (else 404 InvalidAddress
//!    "Operation X is not available for section S/V"); GetServiceStatus exists for Orders,
//!    Products and Sellers only;
//! 3. `Version` present and the section's version (else 404 InvalidAddress naming the
//!    version asked for);
//! 4. `AWSAccessKeyId`, `Signature`, `SignatureVersion`, `SignatureMethod`, `Timestamp` (or
//!    `Expires`), then `SellerId` (or the older `Merchant`) present (else 400
//!    InvalidParameterValue "Missing required parameter X.");
//! 5. the SigV2 signature, with [`errors::verify_failure`] mapping each failure;
//! 6. the seller/developer/MWSAuthToken authorisation (401 AccessDenied);
//! 7. throttling ([`quota`]: 503 RequestThrottled / QuotaExceeded);
//! 8. the operation's own parameters, ids and marketplaces: a missing one answers like
//!    step 4 (`RequestID`), an invalid one 400 InvalidParameterValue with `RequestId`, and
//!    Feeds and Reports have their own codes (see [`errors`] and the section modules).
//!
//! Every response carries `x-mws-request-id`, `x-mws-timestamp`, `x-amz-request-id` and
//! `x-amz-rid` headers (`protocols.md` §3.4); operations with an hourly quota add the
//! `x-mws-quota-*` headers once the request is authenticated; report and feed-result
//! downloads add `Content-MD5`. XML is `text/xml`; `GetReport` is
//! `text/plain;charset=Cp1252`.
//!
//! The mock is stateless: `SubmitFeed` and `RequestReport` answer with ids derived from the
//! request id, and later lookups of such ids are unknown ids (only the catalogue's feeds,
//! report requests and reports can be looked up).

pub(crate) mod errors;
mod feeds;
mod orders;
mod params;
mod products;
pub(crate) mod quota;
mod reports;
pub(crate) mod section;
mod sellers;
#[cfg(test)]
mod tests;

use super::{Ctx, Outcome, Record, ServiceKind, ServiceRequest, Verdict};
use crate::catalogue::mws::MwsCatalogue;
use crate::encoding::ParamList;
use crate::keystore::{Family, MwsAuthorization};
use crate::sigv2::{SignatureMethod, VerifyPolicy};
use crate::xml::Element;
use errors::MwsError;
use section::{Address, Operation, Section};

/// True for an MWS endpoint host (lowercase, no port): the hosts of `protocols.md` §3.1.
pub(crate) fn is_mws_host(host: &str) -> bool {
    section::HOSTS.contains(&host)
}

/// True for a path of an MWS section (or `/`, where Feeds and Reports live).
pub(crate) fn is_mws_path(path: &str) -> bool {
    matches!(path, "/" | "")
        || ["/Orders/", "/Products/", "/Sellers/", "/Feeds/", "/Reports/"].iter().any(|p| path.starts_with(p))
}

/// Answers an MWS request sent to `host` (the endpoint the request is treated as sent to,
/// e.g. `mws.amazonservices.com`; it decides which MarketplaceIds are valid). The
/// signature is checked against the Host header as sent.
pub(crate) fn handle(ctx: &Ctx<'_>, req: &ServiceRequest<'_>, host: &str) -> Outcome {
    let params = req.view.params;
    let mut exchange = Exchange {
        record: Record {
            operation: params.get("Action").map(str::to_owned),
            access_key_id: params.get("AWSAccessKeyId").map(str::to_owned),
            ..Record::refused(ServiceKind::Mws)
        },
        headers: common_headers(ctx),
        namespace: section::LEGACY_NAMESPACE.to_owned(),
    };
    let result = exchange.run(ctx, req, host);
    let Exchange { mut record, mut headers, namespace } = exchange;
    match result {
        Ok(reply) => {
            record.verdict = Verdict::Accepted;
            record.error_code = reply.in_band_error.map(str::to_owned);
            headers.extend(reply.headers);
            Outcome {
                status: 200,
                content_type: reply.content_type.to_owned(),
                headers,
                body: reply.body,
                object: None,
                record,
            }
        }
        Err(e) => {
            record.error_code = Some(e.code.to_owned());
            Outcome {
                status: e.status,
                content_type: "text/xml".to_owned(),
                headers,
                body: e.to_document(&namespace, ctx.request_id),
                object: None,
                record,
            }
        }
    }
}

/// The headers every MWS response carries (`protocols.md` §3.4): the request id twice,
/// the server time, and a 20-character `x-amz-rid` derived from the request id.
fn common_headers(ctx: &Ctx<'_>) -> Vec<(String, String)> {
    vec![
        ("x-mws-request-id".to_owned(), ctx.request_id.to_owned()),
        ("x-mws-timestamp".to_owned(), ctx.now.to_iso8601_millis()),
        ("x-amz-request-id".to_owned(), ctx.request_id.to_owned()),
        ("x-amz-rid".to_owned(), amz_rid(ctx.request_id)),
    ]
}

/// 20 uppercase alphanumerics, stable for a request id.
fn amz_rid(request_id: &str) -> String {
    const ALPHABET: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut out = String::with_capacity(20);
    for half in [b"rid-a".as_slice(), b"rid-b"] {
        let mut h = params::fnv1a(&[half, request_id.as_bytes()]);
        for _ in 0..10 {
            out.push(char::from(ALPHABET[usize::try_from(h % 36).unwrap_or(0)]));
            h /= 36;
        }
    }
    out
}

/// What the journal and the response accumulate while the checks run.
struct Exchange {
    record: Record,
    headers: Vec<(String, String)>,
    namespace: String,
}

impl Exchange {
    fn run(&mut self, ctx: &Ctx<'_>, req: &ServiceRequest<'_>, host: &str) -> Result<Reply, MwsError> {
        let params = req.view.params;
        let address = section::address(req.view.path);
        self.namespace = address.namespace();
        let action = params::required(params, "Action")?;
        let (section, op) = resolve(address, action, req.view.path)?;
        section.namespace().clone_into(&mut self.namespace);
        let version = params::required(params, "Version")?;
        if let Address::Section(_, path_version) = address {
            if path_version != section.version() {
                return Err(MwsError::invalid_address(action, section.name(), path_version));
            }
        }
        if version != section.version() {
            return Err(MwsError::invalid_address(action, section.name(), version));
        }
        for name in ["AWSAccessKeyId", "Signature", "SignatureVersion", "SignatureMethod"] {
            params::required(params, name)?;
        }
        if params.get("Timestamp").is_none() && params.get("Expires").is_none() {
            return Err(MwsError::missing("Timestamp"));
        }
        let seller_id = params
            .get("SellerId")
            .or_else(|| params.get("Merchant"))
            .filter(|s| !s.is_empty())
            .ok_or_else(|| MwsError::missing("SellerId"))?;

        let policy = VerifyPolicy {
            max_skew_secs: ctx.options.max_skew_secs,
            default_method: SignatureMethod::HmacSha256,
            host_match: ctx.options.host_match,
        };
        let verified =
            crate::sigv2::verify(&req.view, &ctx.keys.family(Family::Mws), ctx.now, &policy).map_err(|f| {
                let e = errors::verify_failure(&f);
                self.record.failure = Some(f.into());
                e
            })?;
        self.record.host_form = Some(verified.host_form);
        authorize(ctx, section, op, seller_id, &verified.access_key_id, params.get("MWSAuthToken"))?;
        quota::take(ctx, params, seller_id, &verified.access_key_id, section, op, &mut self.headers)?;

        let call = Call { ctx, req, params, host, section, op, seller_id };
        match op {
            Operation::GetServiceStatus => Ok(call.service_status()),
            Operation::ListOrders => orders::list_orders(&call),
            Operation::ListOrdersByNextToken => orders::list_orders_by_next_token(&call),
            Operation::GetOrder => orders::get_order(&call),
            Operation::ListOrderItems => orders::list_order_items(&call),
            Operation::ListMatchingProducts => products::list_matching_products(&call),
            Operation::GetMatchingProductForId => products::get_matching_product_for_id(&call),
            Operation::GetLowestOfferListingsForAsin => products::get_lowest_offer_listings_for_asin(&call),
            Operation::ListMarketplaceParticipations => Ok(sellers::list_marketplace_participations(&call)),
            Operation::SubmitFeed => feeds::submit_feed(&call),
            Operation::GetFeedSubmissionList => feeds::get_feed_submission_list(&call),
            Operation::GetFeedSubmissionResult => feeds::get_feed_submission_result(&call),
            Operation::RequestReport => reports::request_report(&call),
            Operation::GetReportRequestList => reports::get_report_request_list(&call),
            Operation::GetReport => reports::get_report(&call),
        }
    }
}

/// Step 2: the operation at this address. Unknown operations, GetServiceStatus for Feeds
/// and Reports, and sections the mock does not serve are 404 InvalidAddress with the
/// observed message; at `/` the section is named `MarketplaceWebService/2009-01-01`, and a
/// path of another shape gets "Operation X is not available for path P" (both chosen).
fn resolve(address: Address<'_>, action: &str, path: &str) -> Result<(Section, Operation), MwsError> {
    match address {
        Address::Root => Operation::find_at_root(action)
            .ok_or_else(|| MwsError::invalid_address(action, section::ROOT_SECTION_NAME, Section::Feeds.version())),
        Address::Section(s, v) => {
            Operation::find(s, action).map(|op| (s, op)).ok_or_else(|| MwsError::invalid_address(action, s.name(), v))
        }
        Address::Other(name, v) => Err(MwsError::invalid_address(action, name, v)),
        Address::Unknown => Err(MwsError::gateway(
            404,
            "InvalidAddress",
            format!("Operation {action} is not available for path {path}"),
        )),
    }
}

/// Step 6: may this key act for this seller? ([`crate::keystore::Keystore::mws_authorization`]).
///
/// | answer | response |
/// |---|---|
/// | Own, Delegated | allowed |
/// | MissingToken | 401 AccessDenied "Missing required MWSAuthToken for Seller." (message from public issue titles; code from looxis/laravel-amazon-mws #13) |
/// | NotAuthorized | 401 AccessDenied "Access to {Section}.{Operation} is denied" (observed) |
/// | WrongToken | the same (chosen: no recorded answer for a token of another developer) |
/// | UnknownSeller | the same (chosen: Amazon does not reveal whether a seller exists) |
fn authorize(
    ctx: &Ctx<'_>,
    section: Section,
    op: Operation,
    seller_id: &str,
    access_key_id: &str,
    token: Option<&str>,
) -> Result<(), MwsError> {
    match ctx.keys.mws_authorization(seller_id, access_key_id, token) {
        MwsAuthorization::Own | MwsAuthorization::Delegated { .. } => Ok(()),
        MwsAuthorization::MissingToken => {
            Err(MwsError::gateway(401, "AccessDenied", "Missing required MWSAuthToken for Seller."))
        }
        MwsAuthorization::NotAuthorized | MwsAuthorization::WrongToken | MwsAuthorization::UnknownSeller => {
            Err(MwsError::access_denied(section, op.name()))
        }
    }
}

/// An authenticated, authorised call to one operation.
struct Call<'a> {
    ctx: &'a Ctx<'a>,
    req: &'a ServiceRequest<'a>,
    params: &'a ParamList,
    host: &'a str,
    section: Section,
    op: Operation,
    seller_id: &'a str,
}

impl Call<'_> {
    fn catalogue(&self) -> &MwsCatalogue {
        &self.ctx.catalogue.mws
    }

    /// Checks MarketplaceIds for this seller and endpoint.
    fn check_marketplaces(&self, param: &str, ids: &[&str]) -> Result<(), MwsError> {
        params::check_marketplaces(self.catalogue(), self.ctx.keys, self.host, self.seller_id, param, ids)
    }

    /// `{Action}Response` with these results, in the section's namespace.
    fn respond(&self, results: impl IntoIterator<Item = Element>) -> Reply {
        Reply::xml(&crate::xml::mws::response(self.op.name(), self.section.namespace(), results, self.ctx.request_id))
    }

    /// `GetServiceStatus`: the catalogue's status and the server time (the same instant as
    /// the `x-mws-timestamp` header, as observed).
    fn service_status(&self) -> Reply {
        let result = crate::xml::mws::result(self.op.name())
            .leaf("Status", self.catalogue().service_status.as_str())
            .leaf("Timestamp", self.ctx.now.to_iso8601_millis());
        self.respond([result])
    }
}

/// A successful answer.
struct Reply {
    content_type: &'static str,
    body: String,
    headers: Vec<(String, String)>,
    /// The first in-band per-item error code (Products `status="ClientError"`), for the journal.
    in_band_error: Option<&'static str>,
}

impl Reply {
    fn xml(doc: &Element) -> Self {
        Self { content_type: "text/xml", body: doc.to_document(), headers: Vec::new(), in_band_error: None }
    }

    /// A download (`GetReport`, `GetFeedSubmissionResult`) with its `Content-MD5` header.
    fn download(content_type: &'static str, body: String) -> Self {
        let md5 = params::content_md5(body.as_bytes());
        Self { content_type, body, headers: vec![("Content-MD5".to_owned(), md5)], in_band_error: None }
    }
}
