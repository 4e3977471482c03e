//! PA-API 4.x envelopes: the gateway's error response and the service's response wrapper
//! (`OperationRequest`, `Request/IsValid`, `Errors`), plus the `Price` shape.
//!
//! Sources (recorded live, redtoad/python-amazon-product-api `tests/`):
//! - gateway errors, `APICalls-fails-for-invalid-signature.xml`:
//!   `<ItemLookupErrorResponse xmlns="http://ecs.amazonaws.com/doc/2011-08-01/"><Error>
//!   <Code/><Message/></Error><RequestId/></ItemLookupErrorResponse>` (the id element is
//!   spelled `RequestID` in other captures: `APICalls-fails-for-wrong-aws-key.xml`);
//! - the per-IP throttle, `APICalls-fails-for-too-many-requests.xml`: a bare
//!   `<ErrorResponse>` without namespace;
//! - responses, `2011-08-01/ItemLookup-us-valid-asin.xml`: `{Operation}Response` in
//!   `http://webservices.amazon.com/AWSECommerceService/{Version}`, first child
//!   `OperationRequest` (`HTTPHeaders/Header`, `RequestId`, `Arguments/Argument`,
//!   `RequestProcessingTime`), then the operation's container with `Request/IsValid` and
//!   `Errors/Error(Code, Message)`;
//! - `OperationRequest/Errors` for errors outside any operation: the 2011-08-01 schema
//!   (`tests/2011-08-01/AWSECommerceService.wsdl`, element `OperationRequest`).
//!
//! The services decide what goes in; this module only shapes elements.

use super::{Element, Writer};

/// The gateway error namespace: `http://ecs.amazonaws.com/doc/{version}/` (note the host
/// and the trailing slash, both unlike the success namespace).
pub(crate) fn error_namespace(version: &str) -> String {
    format!("http://ecs.amazonaws.com/doc/{version}/")
}

/// The response namespace: `http://webservices.amazon.com/AWSECommerceService/{version}`.
pub(crate) fn response_namespace(version: &str) -> String {
    format!("http://webservices.amazon.com/AWSECommerceService/{version}")
}

/// How the request-id element after a gateway `Error` is spelled (captures differ by
/// error: `RequestId` for SignatureDoesNotMatch and RequestExpired, `RequestID` for the
/// others).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RequestIdSpelling {
    /// `<RequestId>`.
    RequestId,
    /// `<RequestID>`.
    RequestID,
}

impl RequestIdSpelling {
    /// The element name.
    pub(crate) fn element_name(self) -> &'static str {
        match self {
            Self::RequestId => "RequestId",
            Self::RequestID => "RequestID",
        }
    }
}

/// A gateway error body: `<{root} xmlns=…><Error><Code/><Message/></Error><RequestId/>`.
/// `namespace` is `None` for the bare per-IP `ErrorResponse`.
pub(crate) fn error_response(
    root: &str,
    namespace: Option<&str>,
    code: &str,
    message: &str,
    request_id: &str,
    spelling: RequestIdSpelling,
) -> Element {
    let mut e = Element::new(root);
    if let Some(ns) = namespace {
        e = e.attr("xmlns", ns);
    }
    e.child(Element::new("Error").leaf("Code", code).leaf("Message", message)).leaf(spelling.element_name(), request_id)
}

/// One in-band error: `(Code, Message)`.
pub(crate) type InBandError<'a> = (&'a str, &'a str);

/// `<Errors><Error><Code/><Message/></Error>…</Errors>`.
pub(crate) fn errors(list: &[InBandError<'_>]) -> Element {
    Element::new("Errors").children(
        list.iter().map(|(code, message)| Element::new("Error").leaf("Code", *code).leaf("Message", *message)),
    )
}

/// The `OperationRequest` element.
pub(crate) struct OperationRequest<'a> {
    /// The client's `User-Agent` (`HTTPHeaders/Header[@Name="UserAgent"]`), when sent.
    pub user_agent: Option<&'a str>,
    /// `RequestId`.
    pub request_id: &'a str,
    /// Every parameter as received (decoded), in the order sent, `Signature` included.
    pub arguments: Vec<(&'a str, &'a str)>,
    /// Errors that belong to no operation (missing or unknown `Operation`, `Service`).
    pub errors: Vec<InBandError<'a>>,
    /// `RequestProcessingTime`, seconds as text (`0.0138170000000000`).
    pub processing_time: &'a str,
}

impl OperationRequest<'_> {
    /// Writes the element (the same text as `to_element`, without the tree).
    pub(crate) fn write(&self, w: &mut Writer) {
        w.element("OperationRequest", &[], |w| {
            if let Some(ua) = self.user_agent {
                w.element("HTTPHeaders", &[], |w| {
                    w.element("Header", &[("Name", "UserAgent"), ("Value", ua)], |_| {});
                });
            }
            w.leaf("RequestId", self.request_id);
            if !self.arguments.is_empty() {
                w.element("Arguments", &[], |w| {
                    for (n, v) in &self.arguments {
                        w.element("Argument", &[("Name", n), ("Value", v)], |_| {});
                    }
                });
            }
            if !self.errors.is_empty() {
                w.tree(&errors(&self.errors));
            }
            w.leaf("RequestProcessingTime", self.processing_time);
        });
    }

    /// The element.
    #[cfg(test)]
    pub(crate) fn to_element(&self) -> Element {
        let mut e = Element::new("OperationRequest");
        if let Some(ua) = self.user_agent {
            e.push(
                Element::new("HTTPHeaders").child(Element::new("Header").attr("Name", "UserAgent").attr("Value", ua)),
            );
        }
        e = e.leaf("RequestId", self.request_id);
        if !self.arguments.is_empty() {
            e.push(Element::new("Arguments").children(
                self.arguments.iter().map(|(n, v)| Element::new("Argument").attr("Name", *n).attr("Value", *v)),
            ));
        }
        if !self.errors.is_empty() {
            e.push(errors(&self.errors));
        }
        e.leaf("RequestProcessingTime", self.processing_time)
    }
}

/// `<Request><IsValid/>{echo}<Errors/></Request>`: the first child of an operation's
/// container.
pub(crate) fn request(is_valid: bool, echo: Option<Element>, errs: &[InBandError<'_>]) -> Element {
    let mut e = Element::new("Request").leaf("IsValid", if is_valid { "True" } else { "False" });
    if let Some(echo) = echo {
        e.push(echo);
    }
    if !errs.is_empty() {
        e.push(errors(errs));
    }
    e
}

/// `<{operation}Response xmlns=…>{OperationRequest}{body…}</…>`.
#[cfg(test)]
pub(crate) fn response(
    root: &str,
    version: &str,
    operation_request: &OperationRequest<'_>,
    body: Vec<Element>,
) -> Element {
    Element::new(root).attr("xmlns", response_namespace(version)).child(operation_request.to_element()).children(body)
}

/// A `Price`-typed element: `<{name}><Amount/><CurrencyCode/><FormattedPrice/></{name}>`.
pub(crate) fn price(name: &str, amount: i64, currency: &str, formatted: &str) -> Element {
    Element::new(name)
        .leaf("Amount", amount.to_string())
        .leaf("CurrencyCode", currency)
        .leaf("FormattedPrice", formatted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gateway_error_matches_the_recorded_shape() {
        let doc = error_response(
            "ItemLookupErrorResponse",
            Some(&error_namespace("2011-08-01")),
            "SignatureDoesNotMatch",
            "m",
            "b6bc6a8d",
            RequestIdSpelling::RequestId,
        )
        .to_document();
        assert_eq!(
            doc,
            "<?xml version=\"1.0\"?><ItemLookupErrorResponse xmlns=\"http://ecs.amazonaws.com/doc/2011-08-01/\">\
             <Error><Code>SignatureDoesNotMatch</Code><Message>m</Message></Error>\
             <RequestId>b6bc6a8d</RequestId></ItemLookupErrorResponse>"
        );
    }

    #[test]
    fn operation_request_writes_what_its_tree_renders() {
        for (ua, arguments, errs) in [
            (Some("curl/8 <&>"), vec![("Operation", "ItemLookup"), ("Keywords", "a \"b\" & c")], vec![("AWS.X", "y")]),
            (None, vec![], vec![]),
        ] {
            let op =
                OperationRequest { user_agent: ua, request_id: "id", arguments, errors: errs, processing_time: "0.01" };
            let mut w = Writer::fragment();
            op.write(&mut w);
            assert_eq!(w.finish(), op.to_element().to_fragment());
        }
    }

    #[test]
    fn response_wrapper_orders_children_like_the_schema() {
        let op = OperationRequest {
            user_agent: Some("ua"),
            request_id: "id",
            arguments: vec![("Operation", "ItemLookup")],
            errors: vec![("AWS.X", "y")],
            processing_time: "0.01",
        };
        let body = vec![Element::new("Items").child(request(false, None, &[("AWS.Z", "z")]))];
        let back = crate::xml::parse(&response("ItemLookupResponse", "2011-08-01", &op, body).to_document()).unwrap();
        let names: Vec<_> = back
            .path("OperationRequest")
            .unwrap()
            .children
            .iter()
            .filter_map(|n| match n {
                crate::xml::Node::Element(e) => Some(e.name.as_str()),
                crate::xml::Node::Text(_) => None,
            })
            .collect();
        assert_eq!(names, ["HTTPHeaders", "RequestId", "Arguments", "Errors", "RequestProcessingTime"]);
        assert_eq!(back.path("Items/Request/IsValid").unwrap().text_content(), "False");
        assert_eq!(back.attr_value("xmlns"), Some("http://webservices.amazon.com/AWSECommerceService/2011-08-01"));
    }
}
