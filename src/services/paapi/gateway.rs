//! PA-API's first error layer: Amazon's gateway answers authentication, throttling and
//! account problems with a non-200 status and a separate envelope,
//! `<{Operation}ErrorResponse xmlns="http://ecs.amazonaws.com/doc/{Version}/">` (DG
//! "Error Numbers": "4XX errors indicate the request was not authenticated correctly",
//! "A 503 error means that you are submitting requests too quickly").
//!
//! [`answer`] is the one table from a refusal to (HTTP status, code, exact message,
//! request-id spelling). Sources, per row:
//! - `MissingClientTokenId`, `InvalidClientTokenId`, `SignatureDoesNotMatch`, `Deprecated`:
//!   recorded live (redtoad/python-amazon-product-api `tests/2011-08-01/APICredentials-*`,
//!   `tests/APICalls-fails-for-wrong-aws-key.xml`, `…-invalid-signature.xml`,
//!   `tests/2011-08-01/DeprecatedOperations-*`); 410 for `Deprecated` is what that client
//!   expects (`amazonproduct/api.py`).
//! - `MissingParameter` "The request must contain the parameter Signature.": a live
//!   response quoted in a Ruby/AWS tutorial (protocols.md §2.4); the Timestamp variant by
//!   analogy.
//! - `RequestExpired` "Request has expired. Timestamp date is {raw}.": quoted live in
//!   eliseosoto/go-amazon-product-api tests; also used for a Timestamp too far in the
//!   future (our choice: no capture shows that case).
//! - `RequestThrottled` (503) "AWS Access Key ID: {AKID}. You are submitting requests too
//!   quickly. Please retry your requests at a slower rate.": live 503s quoted in public
//!   code (protocols.md §2.4, e.g. cmljnelson.blog 2019, namespace 2005-10-05).
//! - `AWS.InvalidAssociate` (400) "Your {AKID} is not registered as an Amazon Associate.
//!   Please register as an associate at {url}.": text quoted live on bokuranotameno.com
//!   (2016) and m-ynko.azi2.com (2017); HTTP 400 from Amazon's own WordPress plugin
//!   (amazon-associates-link-builder `Paapi_Helper::get_error_message`, 400 → "not
//!   registered as an Amazon Associate").
//! - `InvalidParameterValue` for `SignatureVersion`/`SignatureMethod`/a malformed
//!   `Timestamp`, and `InvalidParameterCombination` for `Timestamp` with `Expires`: not
//!   captured for PA-API; the texts of Amazon's Query front end (SimpleDB/EC2, as copied
//!   by prior-art fakes such as ec2stack and txAWS). Our choice.
//! - `AWS.InvalidAccount` (403) "Your AccessKey Id is not registered for Product
//!   Advertising API. Please use the AccessKey Id obtained after registering at {url}": DG
//!   "Error Messages" (for a key used "in a locale where it is not registered"); the URL
//!   as recorded in redtoad `tests/APICalls-fails-for-invalid-account.xml`
//!   (`…/gp/flex/advertising/api/sign-in.html`); captures show it both in-band and from
//!   the gateway, Amazon's plugin maps HTTP 403 to it: we answer it from the gateway, for
//!   keys whose account has no Associate tag anywhere (the trailing period is ours).
//! - An inactive key: not captured; answered like an unknown key (403
//!   `InvalidClientTokenId`), the journal keeps the difference (`Record::failure`).
//! - Statuses not captured (`MissingClientTokenId`, `InvalidClientTokenId`: 403;
//!   `MissingParameter`, `RequestExpired`: 400) follow AWS's Query-API convention.
//! - Request-id spelling as captured: `RequestId` after `SignatureDoesNotMatch`,
//!   `RequestExpired` and `AWS.InvalidAccount` (protocols.md §2.4), `RequestID` after the
//!   others.

use crate::sigv2::VerifyFailure;
use crate::xml::paapi::RequestIdSpelling;

/// Why the gateway refuses a request.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Refusal<'a> {
    /// The SigV2 check failed.
    Verify(&'a VerifyFailure),
    /// The key's one request per second is used up.
    Throttled {
        /// The access key id.
        access_key_id: &'a str,
    },
    /// An operation retired by Amazon (`Help`, `SellerLookup`, ...).
    Deprecated {
        /// The operation.
        operation: &'a str,
    },
    /// The key's account is not registered for PA-API at all (no Associate tag in any
    /// locale: an MWS developer's key, say).
    NotRegistered {
        /// The locale's Associates Central host.
        associates_host: &'a str,
    },
    /// The key's account has no Associate tag in this locale.
    NotAnAssociate {
        /// The access key id.
        access_key_id: &'a str,
        /// The locale's Associates Central host.
        associates_host: &'a str,
    },
}

/// What the gateway answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Answer {
    /// HTTP status.
    pub status: u16,
    /// `Error/Code`.
    pub code: &'static str,
    /// `Error/Message`.
    pub message: String,
    /// `RequestId` or `RequestID`.
    pub spelling: RequestIdSpelling,
}

/// "The request signature we calculated does not match …" (recorded live).
pub(crate) const SIGNATURE_DOES_NOT_MATCH: &str =
    "The request signature we calculated does not match the signature you \
     provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

/// The one table: refusal → (status, code, message, request-id spelling).
pub(crate) fn answer(refusal: &Refusal<'_>) -> Answer {
    use RequestIdSpelling::{RequestID, RequestId};
    let a = |status, code, message: String, spelling| Answer { status, code, message, spelling };
    match *refusal {
        Refusal::Verify(failure) => match failure {
            VerifyFailure::MissingParameter("AWSAccessKeyId") => a(
                403,
                "MissingClientTokenId",
                "Request must contain AWSAccessKeyId or X.509 certificate.".to_owned(),
                RequestID,
            ),
            VerifyFailure::MissingParameter(p) => {
                a(400, "MissingParameter", format!("The request must contain the parameter {p}."), RequestID)
            }
            VerifyFailure::TimestampWithExpires => a(
                400,
                "InvalidParameterCombination",
                "The parameter Timestamp cannot be used with the parameter Expires".to_owned(),
                RequestID,
            ),
            VerifyFailure::UnsupportedSignatureVersion(v) => a(
                400,
                "InvalidParameterValue",
                format!("Value ({v}) for parameter SignatureVersion is invalid. Valid Signature versions are 2."),
                RequestID,
            ),
            VerifyFailure::UnsupportedSignatureMethod(m) => a(
                400,
                "InvalidParameterValue",
                format!("Value ({m}) for parameter SignatureMethod is invalid. Unknown signature method."),
                RequestID,
            ),
            VerifyFailure::MalformedTimestamp { param, raw } => a(
                400,
                "InvalidParameterValue",
                format!("Value ({raw}) for parameter {param} is invalid. Must be in ISO8601 format."),
                RequestID,
            ),
            VerifyFailure::UnknownAccessKey(_) | VerifyFailure::InactiveAccessKey(_) => a(
                403,
                "InvalidClientTokenId",
                "The AWS Access Key Id you provided does not exist in our records.".to_owned(),
                RequestID,
            ),
            VerifyFailure::SignatureNotBase64 { .. }
            | VerifyFailure::SignatureWrongLength { .. }
            | VerifyFailure::Mismatch { .. } => {
                a(403, "SignatureDoesNotMatch", SIGNATURE_DOES_NOT_MATCH.to_owned(), RequestId)
            }
            VerifyFailure::Expired { param, raw } => {
                a(400, "RequestExpired", format!("Request has expired. {param} date is {raw}."), RequestId)
            }
            VerifyFailure::TimestampInFuture { raw } => {
                a(400, "RequestExpired", format!("Request has expired. Timestamp date is {raw}."), RequestId)
            }
        },
        Refusal::Throttled { access_key_id } => a(
            503,
            "RequestThrottled",
            format!(
                "AWS Access Key ID: {access_key_id}. You are submitting requests too quickly. Please retry your \
                 requests at a slower rate."
            ),
            RequestID,
        ),
        Refusal::Deprecated { operation } => {
            a(410, "Deprecated", format!("Feature {operation} is deprecated."), RequestID)
        }
        Refusal::NotRegistered { associates_host } => a(
            403,
            "AWS.InvalidAccount",
            format!(
                "Your AccessKey Id is not registered for Product Advertising API. Please use the AccessKey Id \
                 obtained after registering at https://{associates_host}/gp/flex/advertising/api/sign-in.html."
            ),
            RequestId,
        ),
        Refusal::NotAnAssociate { access_key_id, associates_host } => a(
            400,
            "AWS.InvalidAssociate",
            format!(
                "Your {access_key_id} is not registered as an Amazon Associate. Please register as an associate at \
                 https://{associates_host}/assoc_credentials/home."
            ),
            RequestID,
        ),
    }
}

/// Operations Amazon retired; calling them answers 410 `Deprecated` (redtoad
/// `tests/2011-08-01/DeprecatedOperations-*`, the 13 features listed there).
pub(crate) const DEPRECATED_OPERATIONS: &[&str] = &[
    "CustomerContentLookup",
    "CustomerContentSearch",
    "Help",
    "ListLookup",
    "ListSearch",
    "SellerListingLookup",
    "SellerListingSearch",
    "SellerLookup",
    "TagLookup",
    "TransactionLookup",
    "VehiclePartLookup",
    "VehiclePartSearch",
    "VehicleSearch",
];
