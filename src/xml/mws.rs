//! Amazon MWS envelopes: the `ErrorResponse` every section answers failures with, the
//! `{Action}Response` / `{Action}Result` / `ResponseMetadata` success wrapper, and the
//! small shapes several sections share (money, in-band per-item errors).
//!
//! Sources: MWS Developer Guide, "Response format" (DG_ResponseFormat: the root is
//! `ErrorResponse` "irrespective of the action requested", one or more `Error` elements with
//! `Type`, `Code`, `Message`, optional `Detail`, then the request id) and recorded live
//! responses (`protocols.md` §3.5, §3.7: lineofflight/peddler VCR cassettes,
//! ScaleLeap/amazon-mws-api-sdk HAR recordings). The request-id element after the errors is
//! spelled `RequestID` by the gateway (authentication, address, throttling) and `RequestId`
//! by the sections' own validation; success responses always carry
//! `ResponseMetadata/RequestId`.

use super::Element;

/// The namespace of the Products attribute sets (`xmlns:ns2` on `Products`/`Product`).
pub(crate) const PRODUCTS_ATTRIBUTES_NS: &str = "http://mws.amazonservices.com/schema/Products/2011-10-01/default.xsd";

/// How the request-id element of an `ErrorResponse` is spelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RequestIdElement {
    /// `<RequestID>`: gateway errors (InvalidAccessKeyId, SignatureDoesNotMatch, AccessDenied,
    /// InvalidAddress, RequestThrottled, ...).
    Gateway,
    /// `<RequestId>`: a section's own validation errors (InvalidParameterValue for
    /// "CreatedAfter or LastUpdatedAfter must be specified", InvalidReportRequestId, ...).
    Section,
}

impl RequestIdElement {
    /// The element name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Gateway => "RequestID",
            Self::Section => "RequestId",
        }
    }
}

/// `Error/Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ErrorType {
    /// `Sender`: the client's fault.
    Sender,
    /// An empty `<Type></Type>`, as live throttling responses had (peddler
    /// `test/vcr_cassettes/Errors.yml`, Orders GetOrder, 2016).
    Empty,
}

impl ErrorType {
    /// The element's text.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Sender => "Sender",
            Self::Empty => "",
        }
    }
}

/// One `Error` of an `ErrorResponse`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ErrorItem<'a> {
    /// `Type`.
    pub kind: ErrorType,
    /// `Code`.
    pub code: &'a str,
    /// `Message`.
    pub message: &'a str,
    /// Whether an empty `<Detail/>` follows the message (older Feeds responses).
    pub detail: bool,
}

/// `<ErrorResponse xmlns=namespace><Error>…</Error><RequestID|RequestId>…</…></ErrorResponse>`.
pub(crate) fn error_response(
    namespace: &str,
    error: &ErrorItem<'_>,
    request_id: &str,
    spelling: RequestIdElement,
) -> Element {
    let mut e = Element::new("Error")
        .child(Element::new("Type").text(error.kind.as_str()))
        .leaf("Code", error.code)
        .leaf("Message", error.message);
    if error.detail {
        e.push(Element::new("Detail"));
    }
    Element::new("ErrorResponse").attr("xmlns", namespace).child(e).leaf(spelling.name(), request_id)
}

/// The empty `{action}Result` element, to be filled by the operation.
pub(crate) fn result(action: &str) -> Element {
    Element::new(format!("{action}Result"))
}

/// `<{action}Response xmlns=namespace>{results…}<ResponseMetadata><RequestId>…</RequestId></ResponseMetadata></…>`.
pub(crate) fn response(
    action: &str,
    namespace: &str,
    results: impl IntoIterator<Item = Element>,
    request_id: &str,
) -> Element {
    Element::new(format!("{action}Response"))
        .attr("xmlns", namespace)
        .children(results)
        .child(Element::new("ResponseMetadata").leaf("RequestId", request_id))
}

/// `<name><CurrencyCode>…</CurrencyCode><Amount>…</Amount></name>` (Orders and Products
/// price types).
pub(crate) fn money(name: &str, currency: &str, amount: &str) -> Element {
    Element::new(name).leaf("CurrencyCode", currency).leaf("Amount", amount)
}

/// An in-band per-item error inside a successful response (`GetMatchingProductForIdResult
/// status="ClientError"`): `<Error><Type>Sender</Type><Code>…</Code><Message>…</Message></Error>`.
pub(crate) fn item_error(code: &str, message: &str) -> Element {
    Element::new("Error").leaf("Type", ErrorType::Sender.as_str()).leaf("Code", code).leaf("Message", message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_envelope_matches_the_recorded_shape() {
        let item = ErrorItem { kind: ErrorType::Sender, code: "InvalidAccessKeyId", message: "m", detail: false };
        let doc =
            error_response("https://mws.amazonservices.com/Orders/2013-09-01", &item, "rid", RequestIdElement::Gateway)
                .to_document();
        assert_eq!(
            doc,
            "<?xml version=\"1.0\"?><ErrorResponse xmlns=\"https://mws.amazonservices.com/Orders/2013-09-01\"><Error>\
             <Type>Sender</Type><Code>InvalidAccessKeyId</Code><Message>m</Message></Error>\
             <RequestID>rid</RequestID></ErrorResponse>"
        );
        let empty = ErrorItem { kind: ErrorType::Empty, code: "RequestThrottled", message: "m", detail: true };
        let back =
            crate::xml::parse(&error_response("ns", &empty, "r", RequestIdElement::Section).to_document()).unwrap();
        assert_eq!(back.path("Error/Type").unwrap().text_content(), "");
        assert!(back.path("Error/Detail").is_some());
        assert_eq!(back.path("RequestId").unwrap().text_content(), "r");
    }

    #[test]
    fn success_wrapper() {
        let doc = response("GetServiceStatus", "ns", [result("GetServiceStatus").leaf("Status", "GREEN")], "rid");
        let back = crate::xml::parse(&doc.to_document()).unwrap();
        assert_eq!(back.name, "GetServiceStatusResponse");
        assert_eq!(back.path("GetServiceStatusResult/Status").unwrap().text_content(), "GREEN");
        assert_eq!(back.path("ResponseMetadata/RequestId").unwrap().text_content(), "rid");
    }
}
