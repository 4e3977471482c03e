//! MWS errors as data: every refusal the mock answers is an [`MwsError`] (HTTP status,
//! `Type`, `Code`, exact `Message`, request-id spelling, optional `<Detail/>`), and
//! [`verify_failure`] is the one table that maps each SigV2 [`VerifyFailure`] to one.
//!
//! Sources for codes, statuses and messages (`protocols.md` §3.5): MWS Developer Guide,
//! "Handling errors" (DG_Errors: the code/status table) and recorded live responses:
//! - InvalidAccessKeyId, 403, "The AWS Access Key Id you provided does not exist in our
//!   records.", `RequestID` (peddler `test/vcr_cassettes/Errors.yml`);
//! - SignatureDoesNotMatch, 403, "The request signature we calculated does not match …"
//!   (bhushankummar/amazon-mws issue #162);
//! - AccessDenied, 401, "Access to Orders.ListOrders is denied", `RequestID`
//!   (CPIGroup/phpAmazonMWS #165, peddler #150); "Missing required MWSAuthToken for
//!   Seller." with code AccessDenied (looxis/laravel-amazon-mws issue #13, beardon/mws-api
//!   #110);
//! - InvalidAddress, 404, "Operation X is not available for section S/V", `RequestID`
//!   (peddler `ShipmentInvoicing.yml`);
//! - InvalidParameterValue, 400, "Missing required parameter SellerId.", `RequestID`
//!   (python-amazon-mws issue #85, Products; peddler issue #149);
//! - RequestThrottled, 503, "Request is throttled", empty `Type`, `RequestID` (peddler
//!   `Errors.yml`, Orders GetOrder, 2016);
//! - QuotaExceeded, 503 (DG_Errors); message after the third-party quote in
//!   `protocols.md` §3.5.
//!
//! Where no source gives a message, the one chosen here says so in its doc comment.

use super::section::Section;
use crate::sigv2::VerifyFailure;
use crate::xml::mws::{error_response, ErrorItem, ErrorType, RequestIdElement};

/// An MWS error response, before it is rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MwsError {
    /// HTTP status.
    pub status: u16,
    /// `Error/Type`.
    pub kind: ErrorType,
    /// `Error/Code`.
    pub code: &'static str,
    /// `Error/Message`.
    pub message: String,
    /// `RequestID` or `RequestId`.
    pub spelling: RequestIdElement,
    /// Whether `<Detail/>` follows the message.
    pub detail: bool,
}

impl MwsError {
    /// A gateway error (`Type` Sender, `RequestID`).
    pub(crate) fn gateway(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            kind: ErrorType::Sender,
            code,
            message: message.into(),
            spelling: RequestIdElement::Gateway,
            detail: false,
        }
    }

    /// A section's own validation error (`Type` Sender, `RequestId`).
    pub(crate) fn section(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self { spelling: RequestIdElement::Section, ..Self::gateway(status, code, message) }
    }

    /// A Feeds error in the older shape (`RequestID` and an empty `<Detail/>`, as in the
    /// example responses of the `amazonmws` Python package's README for
    /// FeedProcessingResultNotReady, InvalidFeedSubmissionId and InvalidRequest).
    pub(crate) fn feeds(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self { detail: true, ..Self::gateway(status, code, message) }
    }

    /// 400 InvalidParameterValue "Missing required parameter {name}." (`RequestID`), the
    /// observed answer for a missing SellerId, used for every missing required parameter.
    pub(crate) fn missing(name: &str) -> Self {
        Self::gateway(400, "InvalidParameterValue", format!("Missing required parameter {name}."))
    }

    /// 400 InvalidParameterValue "Value {value} for parameter {name} is invalid."
    /// (`RequestId`). Message chosen: no recorded MWS message for a malformed value.
    pub(crate) fn invalid_value(name: &str, value: &str) -> Self {
        Self::section(400, "InvalidParameterValue", format!("Value {value} for parameter {name} is invalid."))
    }

    /// 400 InvalidParameterValue with a message (`RequestId`).
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::section(400, "InvalidParameterValue", message)
    }

    /// 404 InvalidAddress "Operation {action} is not available for section {section}/{version}".
    pub(crate) fn invalid_address(action: &str, section: &str, version: &str) -> Self {
        Self::gateway(
            404,
            "InvalidAddress",
            format!("Operation {action} is not available for section {section}/{version}"),
        )
    }

    /// 401 AccessDenied "Access to {Section}.{Operation} is denied".
    pub(crate) fn access_denied(section: Section, action: &str) -> Self {
        Self::gateway(401, "AccessDenied", format!("Access to {}.{action} is denied", section.name()))
    }

    /// 503 RequestThrottled "Request is throttled", with the empty `Type` seen live.
    pub(crate) fn throttled() -> Self {
        Self { kind: ErrorType::Empty, ..Self::gateway(503, "RequestThrottled", "Request is throttled") }
    }

    /// 503 QuotaExceeded. The message follows the one quoted by a third party ("You
    /// exceeded your quota of 30.0 requests per 1 hour for operation
    /// Feeds/2009-01-01/SubmitFeed. Your quota will reset on …"); the reset time's format
    /// is not known, ISO 8601 with milliseconds is used.
    pub(crate) fn quota_exceeded(hourly: f64, section: Section, action: &str, resets_on: &str) -> Self {
        Self::gateway(
            503,
            "QuotaExceeded",
            format!(
                "You exceeded your quota of {hourly:.1} requests per 1 hour for operation {}/{}/{action}. \
                 Your quota will reset on {resets_on}",
                section.name(),
                section.version()
            ),
        )
    }

    /// The `ErrorResponse` document in `namespace`.
    pub(crate) fn to_document(&self, namespace: &str, request_id: &str) -> String {
        let item = ErrorItem { kind: self.kind, code: self.code, message: &self.message, detail: self.detail };
        error_response(namespace, &item, request_id, self.spelling).to_document()
    }
}

/// The exact SignatureDoesNotMatch message (bhushankummar/amazon-mws issue #162).
pub(crate) const SIGNATURE_MESSAGE: &str =
    "The request signature we calculated does not match the signature you provided. \
     Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

/// The exact InvalidAccessKeyId message (peddler `Errors.yml`).
pub(crate) const ACCESS_KEY_MESSAGE: &str = "The AWS Access Key Id you provided does not exist in our records.";

/// The table: every SigV2 verification failure as MWS answers it.
///
/// | failure | status | code | message |
/// |---|---|---|---|
/// | MissingParameter | 400 | InvalidParameterValue | "Missing required parameter {p}." (observed for SellerId) |
/// | TimestampWithExpires | 400 | InvalidParameterValue | EC2's "The parameter Timestamp cannot be used with the parameter Expires" (chosen) |
/// | UnsupportedSignatureVersion / Method | 400 | InvalidParameterValue | "Value {v} for parameter {p} is invalid." (chosen) |
/// | MalformedTimestamp | 400 | InvalidParameterValue | "Value {raw} for parameter {p} is invalid." (chosen) |
/// | UnknownAccessKey | 403 | InvalidAccessKeyId | observed |
/// | InactiveAccessKey | 403 | InvalidAccessKeyId | the same (chosen: Amazon does not reveal that a key exists) |
/// | SignatureNotBase64 / WrongLength / Mismatch | 403 | SignatureDoesNotMatch | observed |
/// | Expired | 400 | InvalidParameterValue (DG_Errors: "… or the request expired") | "Request has expired. {p} date is {raw}." (`protocols.md` §6 note 7; wording chosen) |
/// | TimestampInFuture | 400 | InvalidParameterValue | "Request is not yet valid. Timestamp date is {raw}." (chosen) |
///
/// All are gateway errors (`RequestID`).
pub(crate) fn verify_failure(failure: &VerifyFailure) -> MwsError {
    let bad = |m: String| MwsError::gateway(400, "InvalidParameterValue", m);
    match failure {
        VerifyFailure::MissingParameter(p) => MwsError::missing(p),
        VerifyFailure::TimestampWithExpires => {
            bad("The parameter Timestamp cannot be used with the parameter Expires".to_owned())
        }
        VerifyFailure::UnsupportedSignatureVersion(_)
        | VerifyFailure::UnsupportedSignatureMethod(_)
        | VerifyFailure::MalformedTimestamp { .. } => bad(crate::services::sigv2_invalid_value(failure)),
        VerifyFailure::UnknownAccessKey(_) | VerifyFailure::InactiveAccessKey(_) => {
            MwsError::gateway(403, "InvalidAccessKeyId", ACCESS_KEY_MESSAGE)
        }
        VerifyFailure::SignatureNotBase64 { .. }
        | VerifyFailure::SignatureWrongLength { .. }
        | VerifyFailure::Mismatch { .. } => MwsError::gateway(403, "SignatureDoesNotMatch", SIGNATURE_MESSAGE),
        VerifyFailure::Expired { param, raw } => bad(format!("Request has expired. {param} date is {raw}.")),
        VerifyFailure::TimestampInFuture { raw } => bad(format!("Request is not yet valid. Timestamp date is {raw}.")),
    }
}
