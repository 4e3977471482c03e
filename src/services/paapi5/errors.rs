//! PA-API 5.0's error answers: one table from a refusal to (HTTP status, `__type`, code,
//! exact message), rendered as `{"__type":"com.amazon.paapi5#{Exception}","Errors":
//! [{"Code":…,"Message":…}]}` with an `x-amzn-RequestId` header.
//!
//! Sources, per row (messages verbatim unless marked as our choice):
//! - `InvalidSignature` (401) "The request has not been correctly signed. If you are using
//!   an AWS SDK, requests are signed for you automatically; otherwise, go to
//!   https://{host}/paapi5/documentation/sending-request.html#signing.": captured in
//!   sergioteula/python-amazon-paapi issues #39, #40 (webservices.amazon.com) and
//!   alefiori82/amazon-paapi5 issue #2 (webservices.amazon.es: the host is the locale's).
//! - `UnrecognizedClient` (401) "The Access Key ID or security token included in the
//!   request is invalid.": captured in jorgerosal/amazon-paapi issue #7.
//! - `TooManyRequests` (429) "The request was denied due to request throttling. Please
//!   verify the number of requests made per second to the Amazon Product Advertising
//!   API.": captured in sergioteula/python-amazon-paapi issue #32, jorgerosal/amazon-paapi
//!   issue #8, samirsalman/AmazonOffers-TelegramBot issue #1 (status 429).
//! - `IncompleteSignature` (400), `InvalidAssociate` (403), `InvalidPartnerTag` (400),
//!   `AccessDenied` (403): PA-API 5.0 "Error Messages" (webservices.amazon.com/paapi5/
//!   documentation/troubleshooting/error-messages.html; exceptions
//!   `IncompleteSignatureException`, `AssociateValidationException`,
//!   `InvalidPartnerTagException`, `AccessDeniedException`). The page's
//!   "[associate central link for requested marketplace]" is the locale's Associates
//!   Central (`https://affiliate-program.amazon.{tld}/`, as in protocols.md §2.4); the
//!   `IncompleteSignature` link text names the "Sending a Request" page
//!   (https://{host}/paapi5/documentation/sending-request.html), our rendering.
//! - Item-level `InvalidParameterValue` "The ItemId {id} provided in the request is
//!   invalid." with `"__type":"com.amazon.paapi5#ErrorData"`: captured in public client
//!   code that parses it (e.g. comments quoting live `Errors` arrays of GetItems).
//! - Not captured, our choice: a scope for another region or service, a scope date that
//!   is not X-Amz-Date's, and an X-Amz-Date outside 15 minutes are `InvalidSignature`
//!   (401) with the AWS front end's texts ("Credential should be scoped to a valid region,
//!   not '{region}'. ", "Credential should be scoped to correct service:
//!   'ProductAdvertisingAPI'. ", "Signature expired: {t} is now earlier than {min} ({now} -
//!   15 min.)"; see [`crate::services::aws`] for their sources); `MissingParameter` (400)
//!   "The request must contain the parameter {name}." (the AWS Query front end's text);
//!   `InvalidParameterValue` (400) "The value {v} provided in the request for {name} is
//!   invalid." (shaped like the captured item-level text); `UnknownOperation` (404)
//!   for a path or `X-Amz-Target` that names no operation; `NoResults` (404) "No results
//!   found for your request." for a search with no match; an inactive key is answered like
//!   an unknown one (`UnrecognizedClient`); a session token that does not fit its key
//!   (missing on a temporary key, sent with a long-term key, another token) is
//!   `UnrecognizedClient` too, whose captured message names the security token; an
//!   expired temporary credential is `ExpiredToken` (401, `ExpiredTokenException`) with
//!   the AWS front end's "The security token included in the request is expired" (see
//!   [`crate::services::aws::messages`]).

use super::locale::Locale5;
use crate::clock::UtcTime;
use crate::services::aws::messages;

/// Why PA-API 5.0 refuses a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The SigV4 check failed.
    Verify(crate::sigv4::VerifyFailure),
    /// One request per second per key used up.
    Throttled,
    /// The session token does not fit the key (a temporary key without its token, a
    /// long-term key with one, another token).
    InvalidToken,
    /// The right session token, but the temporary credentials have expired.
    ExpiredToken,
    /// The key's account is not registered for PA-API (no Associate tag anywhere).
    NotRegistered {
        /// The access key id.
        access_key_id: String,
    },
    /// The key's account has no Associate store in this locale.
    NotAnAssociate {
        /// The access key id.
        access_key_id: String,
    },
    /// `PartnerTag` missing or not the account's tag in this locale.
    InvalidPartnerTag {
        /// The access key id.
        access_key_id: String,
    },
    /// A required parameter is absent.
    MissingParameter(&'static str),
    /// A parameter's value is not allowed (`name`, value as sent).
    InvalidParameterValue(&'static str, String),
    /// The body is not a JSON object.
    MalformedBody,
    /// The path or `X-Amz-Target` names no operation.
    UnknownOperation,
    /// A search found nothing.
    NoResults,
}

/// What to answer: status, exception type, code, message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Answer {
    /// HTTP status.
    pub status: u16,
    /// The exception name after `com.amazon.paapi5#`.
    pub exception: &'static str,
    /// `Errors[0].Code`.
    pub code: &'static str,
    /// `Errors[0].Message`.
    pub message: String,
}

fn answer(status: u16, exception: &'static str, code: &'static str, message: String) -> Answer {
    Answer { status, exception, code, message }
}

/// The Associates Central site of a locale (`https://affiliate-program.amazon.co.uk/`).
fn associates_central(locale: &Locale5) -> String {
    let tld = locale.marketplace.trim_start_matches("www.amazon.");
    format!("https://affiliate-program.amazon.{tld}/")
}

/// The one table from a refusal to its answer.
/// `now` and `max_skew_secs` word the time errors.
pub(crate) fn answer_for(refusal: &Refusal, locale: &Locale5, now: UtcTime, max_skew_secs: i64) -> Answer {
    match refusal {
        Refusal::Verify(f) => verify_answer(f, locale, now, max_skew_secs),
        Refusal::InvalidToken => unrecognized_client(),
        Refusal::ExpiredToken => answer(
            401,
            "ExpiredTokenException",
            "ExpiredToken",
            crate::services::aws::messages::EXPIRED_TOKEN.to_owned(),
        ),
        Refusal::Throttled => answer(
            429,
            "TooManyRequestsException",
            "TooManyRequests",
            "The request was denied due to request throttling. Please verify the number of requests made per \
             second to the Amazon Product Advertising API."
                .to_owned(),
        ),
        Refusal::NotRegistered { .. } => answer(
            403,
            "AccessDeniedException",
            "AccessDenied",
            "The Access Key is not enabled for accessing Product Advertising API. For information on registering \
             for Product Advertising API, see Register for Product Advertising API."
                .to_owned(),
        ),
        Refusal::NotAnAssociate { access_key_id } => answer(
            403,
            "AssociateValidationException",
            "InvalidAssociate",
            format!(
                "Your access key {access_key_id} is not mapped to primary of approved associate store. Please visit \
                 associate central at {}",
                associates_central(locale)
            ),
        ),
        Refusal::InvalidPartnerTag { access_key_id } => answer(
            400,
            "InvalidPartnerTagException",
            "InvalidPartnerTag",
            format!(
                "The partner tag is not mapped to a valid associate store with your access key {access_key_id}. \
                 Please visit associates central at {}",
                associates_central(locale)
            ),
        ),
        Refusal::MissingParameter(name) => answer(
            400,
            "MissingParameterException",
            "MissingParameter",
            format!("The request must contain the parameter {name}."),
        ),
        Refusal::InvalidParameterValue(name, value) => answer(
            400,
            "InvalidParameterValueException",
            "InvalidParameterValue",
            format!("The value {value} provided in the request for {name} is invalid."),
        ),
        Refusal::MalformedBody => answer(
            400,
            "InvalidParameterValueException",
            "InvalidParameterValue",
            "The request body is not a valid JSON object.".to_owned(),
        ),
        Refusal::UnknownOperation => answer(
            404,
            "UnknownOperationException",
            "UnknownOperation",
            "The operation requested is invalid. Please verify that the operation name is typed correctly.".to_owned(),
        ),
        Refusal::NoResults => {
            answer(404, "ResourceNotFoundException", "NoResults", "No results found for your request.".to_owned())
        }
    }
}

/// `UnrecognizedClient`: an unknown or inactive key, or a session token that does not fit.
fn unrecognized_client() -> Answer {
    answer(
        401,
        "UnrecognizedClientException",
        "UnrecognizedClient",
        "The Access Key ID or security token included in the request is invalid.".to_owned(),
    )
}

fn verify_answer(f: &crate::sigv4::VerifyFailure, locale: &Locale5, now: UtcTime, max_skew_secs: i64) -> Answer {
    use crate::sigv4::VerifyFailure as F;
    let invalid_signature = |message: String| answer(401, "InvalidSignatureException", "InvalidSignature", message);
    match f {
        F::UnknownAccessKey(_) | F::InactiveAccessKey(_) => unrecognized_client(),
        F::Mismatch { .. } | F::MalformedSignature(_) | F::ContentSha256Mismatch { .. } => invalid_signature(format!(
            "The request has not been correctly signed. If you are using an AWS SDK, requests are signed for you \
             automatically; otherwise, go to https://{}/paapi5/documentation/sending-request.html#signing.",
            locale.host
        )),
        F::WrongRegion { .. } | F::WrongService { .. } | F::ScopeDateMismatch { .. } => {
            invalid_signature(messages::scope(f).unwrap_or_default())
        }
        F::RequestTimeTooSkewed { .. } | F::Expired { .. } | F::NotYetValid { .. } => {
            invalid_signature(messages::signature_expired(f, now, max_skew_secs).unwrap_or_default())
        }
        _ => answer(
            400,
            "IncompleteSignatureException",
            "IncompleteSignature",
            format!(
                "The request signature did not include all of the required components. If you are using an AWS \
                 SDK, requests are signed for you automatically; otherwise, go to \
                 https://{}/paapi5/documentation/sending-request.html.",
                locale.host
            ),
        ),
    }
}
