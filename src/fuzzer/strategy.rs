//! Generated requests, biased to where signers break: every ASCII byte, reserved and
//! sub-delimiter characters, multi-byte UTF-8 and emoji, empty and long values, names that
//! sort differently by byte and by case, numbered list names, repeated names, ports,
//! uppercase hosts, empty paths, POST forms and HmacSHA1.

use crate::sigv2::SignatureMethod;
use proptest::prelude::*;
use serde::Serialize;

/// One generated request (the client adds the authentication parameters).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FuzzCase {
    /// GET or POST.
    pub method: String,
    /// `http` or `https`.
    pub scheme: String,
    /// Host (may carry a port, may be uppercase).
    pub host: String,
    /// Path (may be empty).
    pub path: String,
    /// Decoded parameters in order.
    pub params: Vec<(String, String)>,
    /// Declared SignatureMethod, if any.
    #[serde(serialize_with = "crate::adapter::protocol::signature_method_word::serialize")]
    pub signature_method: Option<SignatureMethod>,
    /// Credentials alias (`paapi`, `aws`: documentation keys; see `scenario::credentials_alias`),
    /// so that reports never carry a secret.
    pub credentials: String,
}

impl FuzzCase {
    /// `scheme://host/path`.
    pub fn endpoint(&self) -> String {
        format!("{}://{}{}", self.scheme, self.host, self.path)
    }
}

fn hard_text(max: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::collection::vec(prop_oneof![
            4 => proptest::char::range(' ', '~'),
            1 => prop::sample::select(vec!['é', 'ü', 'ß', '日', '本', '😀', '📚', '\u{2713}', '\t', '\n', '\u{7f}']),
        ], 0..max).prop_map(|v| v.into_iter().collect()),
        1 => Just(String::new()),
        1 => "[a-z ]{200,600}",
        1 => prop::sample::select(vec![" ", "+", "~", "*", "!'()", "%41", "a b", "a+b", "/=&", "%", ",", ":"]).prop_map(str::to_owned),
    ]
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec![
            "Keywords", "Title", "ItemId", "ResponseGroup", "SearchIndex", "Sort", "alpha", "Zeta", "zeta",
            "Item.1", "Item.10", "Item.2", "IdList.Id.1", "IdList.Id.10", "a~", "aé", "a b", "Marketplace", "x",
        ]).prop_map(str::to_owned),
        1 => "[A-Za-z][A-Za-z0-9._~-]{0,12}",
        1 => hard_text(8).prop_filter("names are not empty", |s| !s.is_empty()),
    ]
}

/// The strategy of cases an adapter with these capabilities can sign.
pub fn fuzz_case(can_post: bool, can_sha1: bool, only_paapi: bool) -> impl Strategy<Value = FuzzCase> {
    let hosts = if only_paapi {
        vec![
            "webservices.amazon.com",
            "webservices.amazon.co.uk",
            "WebServices.Amazon.com",
            "webservices.amazon.com:8443",
        ]
    } else {
        vec![
            "webservices.amazon.com",
            "webservices.amazon.co.uk",
            "WebServices.Amazon.com",
            "webservices.amazon.com:8443",
            "mws.amazonservices.com",
            "mws-eu.amazonservices.com:8443",
        ]
    };
    let methods = if can_post { vec!["GET", "GET", "POST"] } else { vec!["GET"] };
    let sig_methods = if can_sha1 {
        vec![None, Some(SignatureMethod::HmacSha256), Some(SignatureMethod::HmacSha1)]
    } else {
        vec![None, Some(SignatureMethod::HmacSha256)]
    };
    (
        prop::sample::select(methods),
        prop::sample::select(vec!["https", "http"]),
        prop::sample::select(hosts),
        prop::sample::select(vec!["/onca/xml", "/", "", "/Orders/2013-09-01"]),
        proptest::collection::vec((name(), hard_text(24)), 1..6),
        prop::sample::select(sig_methods),
        prop::sample::select(vec!["paapi", "aws"]),
    )
        .prop_map(|(method, scheme, host, path, generated, sig, credentials)| {
            let mut params = service_params(host);
            params.extend(generated);
            FuzzCase {
                method: method.to_owned(),
                scheme: scheme.to_owned(),
                host: host.to_owned(),
                path: path.to_owned(),
                params,
                signature_method: sig,
                credentials: credentials.to_owned(),
            }
        })
}

/// The parameters a request to `host`'s service cannot do without, first, so that a
/// client that checks them (PA-API clients refuse to sign without an `AssociateTag`, MWS
/// clients need a `SellerId`) signs the case instead of refusing it: PA-API's `Service`,
/// `Operation` and `AssociateTag` (the Developer Guide's example tag), MWS's `SellerId`
/// (the MWS guide's example seller) and `Action`.
fn service_params(host: &str) -> Vec<(String, String)> {
    let pairs: &[(&str, &str)] = if host.to_ascii_lowercase().starts_with("mws") {
        &[("Action", "ListOrders"), ("SellerId", "A1ExampleE6")]
    } else {
        &[("Service", "AWSECommerceService"), ("Operation", "ItemSearch"), ("AssociateTag", "mytag-20")]
    };
    pairs.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect()
}
