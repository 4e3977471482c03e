//! amzsig: a conformance harness and mock endpoint for Amazon request signers: it signs,
//! verifies and canonicalises requests exactly as Amazon does (Signature Version 2 for the
//! Product Advertising API, MWS and the Query APIs; Signature Version 4 for any AWS
//! service), says *why* a signature does not match, and serves a mock Amazon endpoint.
//!
//! # Verify a signed SigV2 URL
//!
//! The PA-API Developer Guide's ItemLookup example (secret `1234567890`; the signature is
//! the guide's own):
//!
//! ```
//! use amzsig::clock::UtcTime;
//! use amzsig::crypto::SecretKey;
//! use amzsig::request::OwnedRequest;
//! use amzsig::sigv2::{self, VerifyPolicy};
//! use amzsig::crypto::SingleKey;
//!
//! let url = "http://webservices.amazon.com/onca/xml?Service=AWSECommerceService\
//!     &AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&AssociateTag=mytag-20&Operation=ItemLookup\
//!     &ItemId=0679722769&ResponseGroup=Images%2CItemAttributes%2COffers%2CReviews\
//!     &Version=2013-08-01&Timestamp=2014-08-18T12%3A00%3A00Z\
//!     &Signature=j7bZM0LXZ9eXeZruTqWm2DIvDYVUU3wxPPpp%2BiXxzQc%3D";
//! let request = OwnedRequest::from_url("GET", url)?;
//! let secret = SecretKey::new("1234567890");
//! let keys = SingleKey { id: Some("AKIAIOSFODNN7EXAMPLE"), secret: &secret };
//! let now = UtcTime::parse_iso8601("2014-08-18T12:05:00Z")?;
//! let verified = sigv2::verify(&request.view(), &keys, now, &VerifyPolicy::default())?;
//! assert_eq!(verified.access_key_id, "AKIAIOSFODNN7EXAMPLE");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Verify a SigV4 request
//!
//! The official AWS SigV4 test suite's `get-vanilla` request, header form, then the same
//! request presigned:
//!
//! ```
//! use amzsig::clock::UtcTime;
//! use amzsig::crypto::SecretKey;
//! use amzsig::crypto::SingleKey;
//! use amzsig::sigv4::{self, ParsedRequest, SigningParams, SigningSettings, VerifyPolicy};
//!
//! let text = "GET / HTTP/1.1\r\nHost:example.amazonaws.com\r\nX-Amz-Date:20150830T123600Z\r\n\
//!     Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
//!     SignedHeaders=host;x-amz-date, \
//!     Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31\r\n\r\n";
//! let request = ParsedRequest::parse(text.as_bytes())?;
//! let secret = SecretKey::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
//! let keys = SingleKey { id: Some("AKIDEXAMPLE"), secret: &secret };
//! let now = UtcTime::parse_iso8601("2015-08-30T12:36:00Z")?;
//! let policy = VerifyPolicy { expected_service: Some("service"), ..VerifyPolicy::default() };
//! assert!(sigv4::verify(&request.view(), &keys, now, &policy).is_ok());
//!
//! // Presigned: the signature goes into the query string.
//! let settings = SigningSettings::default().presigned(300);
//! let unsigned = ParsedRequest::parse(b"GET / HTTP/1.1\r\nHost:example.amazonaws.com\r\n\r\n")?;
//! let params = SigningParams {
//!     access_key_id: "AKIDEXAMPLE",
//!     secret: &secret,
//!     session_token: None,
//!     region: "us-east-1",
//!     service: "service",
//!     time: now,
//!     settings,
//! };
//! let signed = sigv4::sign(&unsigned.view(), &params);
//! let mut query = unsigned.query.clone();
//! for (name, value) in &signed.query_params {
//!     query.push(name, value);
//! }
//! let presigned = sigv4::SignableRequest { query: &query, ..unsigned.view() };
//! assert!(sigv4::verify(&presigned, &keys, now, &policy).is_ok());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Explain a mismatch
//!
//! Amazon only says the signature does not match; [`diagnose::diagnose`] finds the signer
//! mistake (or pair of mistakes) that reproduces the signature sent, and the string the
//! client must have signed:
//!
//! ```
//! use amzsig::crypto::SecretKey;
//! use amzsig::diagnose::{self, Budget, Subject};
//! use amzsig::encoding::ParamList;
//! use amzsig::request::{RequestView, Scheme};
//! use amzsig::sigv2::{self, SignatureMethod};
//!
//! let mut params: ParamList = [
//!     ("Service", "AWSECommerceService"),
//!     ("AWSAccessKeyId", "AKIAIOSFODNN7EXAMPLE"),
//!     ("Operation", "ItemSearch"),
//!     ("Keywords", "Harry Potter"),
//!     ("Timestamp", "2014-08-18T12:00:00Z"),
//! ]
//! .into_iter()
//! .collect();
//! let secret = SecretKey::new("1234567890");
//! let (host, path) = ("webservices.amazon.com", "/onca/xml");
//! // A client that encoded the space as '+' (form encoding) signs this:
//! let view = RequestView { method: "GET", scheme: Scheme::Https, host, path, params: &params };
//! let mistakes = [diagnose::v2::SPACE_AS_PLUS];
//! let wrong = diagnose::v2::sign_with_mistakes(&view, &secret, SignatureMethod::HmacSha256, &mistakes).unwrap();
//! params.push(sigv2::SIGNATURE_PARAM, wrong);
//! let view = RequestView { method: "GET", scheme: Scheme::Https, host, path, params: &params };
//! let d = diagnose::diagnose(Subject::V2 { view, default_method: SignatureMethod::HmacSha256 }, &secret, Budget::DEFAULT);
//! assert_eq!(d.header_value(), "space-as-plus");
//! assert!(d.best().unwrap().client_string_to_sign.contains("Keywords=Harry+Potter"));
//! ```
//!
//! # The mock endpoint in a test
//!
//! [`server::MockServer`] serves the mock on a free loopback port inside your test's
//! runtime; its journal says what arrived and how it was judged, and its methods change
//! keys and sellers or put everything back as it started:
//!
//! ```
//! use amzsig::crypto::SecretKey;
//! use amzsig::encoding::ParamList;
//! use amzsig::request::{RequestView, Scheme};
//! use amzsig::server::MockServer;
//! use amzsig::sigv2::{self, SignatureMethod};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let server = MockServer::builder().clock("fixed:2014-08-18T12:00:00Z".parse()?).start().await?;
//! let host = server.addr().to_string(); // the Host header the client will send
//! let params: ParamList = [
//!     ("Service", "AWSECommerceService"),
//!     ("AWSAccessKeyId", "AKIAIOSFODNN7EXAMPLE"),
//!     ("AssociateTag", "mytag-20"),
//!     ("Operation", "ItemLookup"),
//!     ("ItemId", "0679722769"),
//!     ("Timestamp", "2014-08-18T12:00:00Z"),
//! ]
//! .into_iter()
//! .collect();
//! let view = RequestView { method: "GET", scheme: Scheme::Http, host: &host, path: "/onca/xml", params: &params };
//! let signed = sigv2::sign(&view, SignatureMethod::HmacSha256, &SecretKey::new("1234567890"));
//! let url = format!("{}/onca/xml?{}", server.base_url(), sigv2::wire_query(&params, Some(&signed.signature)));
//!
//! assert_eq!(reqwest::get(&url).await?.status().as_u16(), 200);
//! assert_eq!(server.last().unwrap().operation.as_deref(), Some("ItemLookup"));
//!
//! server.rotate_key("AKIAIOSFODNN7EXAMPLE", "a new secret")?; // the old secret stops working
//! let refused = reqwest::get(&url).await?;
//! assert_eq!(refused.status().as_u16(), 403);
//! assert_eq!(server.last().unwrap().error_code.as_deref(), Some("SignatureDoesNotMatch"));
//!
//! server.reset(); // journal, throttle and keystore as started
//! assert!(server.journal().is_empty());
//! server.stop().await;
//! # Ok(())
//! # }
//! ```
//!
//! # Map
//!
//! The crate is layered (see `ARCHITECTURE.md`): a pure signing core ([`encoding`],
//! [`crypto`], [`clock`], [`request`], [`sigv2`], [`sigv4`], [`scheme`]) with no IO; domain
//! data and the diagnosis ([`keystore`], [`catalogue`], [`xml`], [`diagnose`](mod@diagnose)); pure
//! service rules behind one request pipeline ([`services::pipeline`]); the IO shells
//! ([`journal`], [`server`]); the harness ([`scenario`], [`adapter`], [`runner`],
//! [`report`], [`fuzzer`]); and the command line ([`cli`]).

// The names most programs need, at the root: verify and sign with [`sigv2`] and [`sigv4`],
// explain with [`diagnose()`], run the mock with [`MockServer`].
pub use clock::{Clock, UtcTime};
pub use crypto::{KeyState, SecretKey, SecretLookup, SingleKey};
pub use diagnose::{diagnose, Budget, Diagnosis, Subject};
pub use encoding::ParamList;
#[cfg(feature = "server")]
pub use journal::JournalEntry;
#[cfg(feature = "server")]
pub use keystore::Keystore;
pub use request::{OwnedRequest, RequestView, Scheme};
pub use scheme::{Failure, SchemeId};
#[cfg(feature = "server")]
pub use server::{MockServer, MockServerBuilder};
#[cfg(feature = "server")]
pub use services::Verdict;

// The pure core: always built.
pub mod clock;
pub mod crypto;
pub mod diagnose;
pub mod encoding;
pub mod request;
pub mod scheme;
pub mod sigv2;
pub mod sigv4;

// Conversions from other crates' request types (feature `http`).
#[cfg(feature = "checksum")]
pub mod checksum;
#[cfg(feature = "http")]
pub mod interop;

// The mock endpoint (feature `server`).
#[cfg(feature = "server")]
pub mod catalogue;
#[cfg(feature = "server")]
pub mod journal;
#[cfg(feature = "server")]
pub mod keystore;
#[cfg(feature = "server")]
pub mod server;
#[cfg(feature = "server")]
pub mod services;
#[cfg(feature = "server")]
pub mod xml;

// The harness (feature `harness`).
#[cfg(feature = "harness")]
pub mod adapter;
#[cfg(feature = "harness")]
pub mod fuzzer;
#[cfg(feature = "harness")]
pub mod report;
#[cfg(feature = "harness")]
pub mod runner;
#[cfg(feature = "harness")]
pub mod scenario;

// The command line (feature `cli`, the default): public only so that the `amzsig` binary
// can call it; not an API (hidden from the docs, free to change).
#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod cli;
