//! The adapter protocol's messages (version 1), with a strict, pure decoder.
//!
//! Version 1 has two request shapes, told apart by `sig`: [`Request`] (`"v2"`: decoded
//! parameters, the client adds the authentication parameters) and [`RequestV4`] (`"v4"`:
//! URL, headers and body as they go on the wire, plus the credential scope, the payload
//! mode and an optional presigned expiry). SigV4 requests go only to adapters that announce
//! the `sigv4` capability, so adapters written for SigV2 never see one.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

pub use crate::scenario::{Location, PayloadMode};
pub use crate::scheme::SchemeId;
use crate::sigv2::SignatureMethod;

/// The protocol version this runner speaks.
pub const PROTOCOL_VERSION: u32 = 1;

/// What the runner asks for: a request's `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RequestKind {
    /// `sign` (offline): return what would be sent.
    Sign,
    /// `send` (live): sign, send to the endpoint and report what happened.
    Send,
}

/// What an adapter announces it can do, in its `hello` (`docs/adapters.md`, "hello" and
/// "SigV4"). Parsed once, when the hello arrives; an adapter that announces a word amzsig
/// does not know fails to start ([`UnknownCapability`]) instead of having scenarios
/// silently skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Capability {
    /// `sigv2`: understands SigV2 requests.
    Sigv2,
    /// `sigv4`: understands SigV4 requests.
    Sigv4,
    /// `send`: sends the request itself, with the client's own HTTP stack (live mode).
    Send,
    /// `post-form`: SigV2 parameters in a POST form body.
    PostForm,
    /// `hmac-sha1`: SigV2 with `SignatureMethod=HmacSHA1`.
    HmacSha1,
    /// `expires`: SigV2 `Expires` instead of `Timestamp`.
    Expires,
    /// `security-token`: temporary credentials (`SecurityToken`, `X-Amz-Security-Token`).
    SecurityToken,
    /// `paapi`: Product Advertising API 4.x.
    Paapi,
    /// `mws`: Amazon MWS.
    Mws,
    /// `paapi5`: Product Advertising API 5.0.
    Paapi5,
    /// `aws`: any other AWS API (the mock's generic SigV4 endpoint).
    Aws,
    /// `presign`: SigV4 presigned URLs.
    Presign,
    /// `unsigned-payload`: SigV4 `UNSIGNED-PAYLOAD`.
    UnsignedPayload,
    /// `content-sha256`: sends the payload hash as `x-amz-content-sha256`.
    ContentSha256,
    /// `host-header`: can send a `Host` that differs from the URL's authority.
    HostHeader,
    /// `own-clock`: reads its own clock (cannot sign at a given time).
    OwnClock,
}

impl Capability {
    /// Every capability, in the order `docs/adapters.md` lists them.
    pub const ALL: [Capability; 16] = [
        Self::Sigv2,
        Self::Sigv4,
        Self::Send,
        Self::PostForm,
        Self::HmacSha1,
        Self::Expires,
        Self::SecurityToken,
        Self::Paapi,
        Self::Mws,
        Self::Paapi5,
        Self::Aws,
        Self::Presign,
        Self::UnsignedPayload,
        Self::ContentSha256,
        Self::HostHeader,
        Self::OwnClock,
    ];

    /// The word on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sigv2 => "sigv2",
            Self::Sigv4 => "sigv4",
            Self::Send => "send",
            Self::PostForm => "post-form",
            Self::HmacSha1 => "hmac-sha1",
            Self::Expires => "expires",
            Self::SecurityToken => "security-token",
            Self::Paapi => "paapi",
            Self::Mws => "mws",
            Self::Paapi5 => "paapi5",
            Self::Aws => "aws",
            Self::Presign => "presign",
            Self::UnsignedPayload => "unsigned-payload",
            Self::ContentSha256 => "content-sha256",
            Self::HostHeader => "host-header",
            Self::OwnClock => "own-clock",
        }
    }

    /// The capability that names `service` (an adapter that names services does only those).
    pub fn service(service: crate::scenario::Service) -> Capability {
        use crate::scenario::Service;
        match service {
            Service::Paapi => Self::Paapi,
            Service::Mws => Self::Mws,
            Service::Paapi5 => Self::Paapi5,
            Service::Aws => Self::Aws,
        }
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A capability word amzsig does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown capability '{word}' (amzsig knows: {})", Capability::ALL.map(Capability::as_str).join(", "))]
pub struct UnknownCapability {
    /// The word the adapter announced.
    pub word: String,
}

impl FromStr for Capability {
    type Err = UnknownCapability;
    fn from_str(word: &str) -> Result<Self, UnknownCapability> {
        Capability::ALL
            .into_iter()
            .find(|c| c.as_str() == word)
            .ok_or_else(|| UnknownCapability { word: word.to_owned() })
    }
}

impl Serialize for Capability {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Capability {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer)?.parse().map_err(serde::de::Error::custom)
    }
}

/// The runner's `hello`.
pub fn hello_request() -> String {
    format!("{{\"type\":\"hello\",\"protocol\":{PROTOCOL_VERSION}}}")
}

/// Credentials in a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WireCredentials {
    /// Access key id.
    pub access_key_id: String,
    /// Secret key.
    pub secret_key: String,
    /// Session token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_token: Option<String>,
}

/// A `sign` or `send` request from the runner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// `sign` or `send`.
    #[serde(rename = "type")]
    pub kind: RequestKind,
    /// Request id (the answer repeats it).
    #[serde(default)]
    pub id: String,
    /// Signature version: `v2`.
    pub sig: SchemeId,
    /// HTTP method.
    pub method: String,
    /// Endpoint URL (scheme, host, path).
    pub endpoint: String,
    /// Decoded parameters in order, without authentication parameters.
    pub params: Vec<(String, String)>,
    /// Who signs.
    pub credentials: WireCredentials,
    /// `Timestamp` to use verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// `Expires` instead of `Timestamp`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// `SignatureMethod` to declare (`HmacSHA256`, `HmacSHA1`); absent means PA-API style
    /// (none declared).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "signature_method_word")]
    pub signature_method: Option<SignatureMethod>,
    /// `query` or `form`.
    pub location: Location,
}

/// A SigV4 `sign` or `send` request from the runner (`sig: "v4"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestV4 {
    /// `sign` or `send`.
    #[serde(rename = "type")]
    pub kind: RequestKind,
    /// Request id (the answer repeats it).
    #[serde(default)]
    pub id: String,
    /// Signature version: `v4`.
    pub sig: SchemeId,
    /// HTTP method.
    pub method: String,
    /// The URL to request: scheme, authority, path and query exactly as they go on the
    /// wire (the client canonicalises them; it must not re-encode the path or reorder the
    /// query it sends).
    pub endpoint: String,
    /// Headers to send besides the ones the signer adds, in order (values as given, spaces
    /// included). A `Host` header here is the Host to send (and sign) when it differs from
    /// the endpoint's authority.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// The body (UTF-8 text).
    #[serde(default)]
    pub body: String,
    /// Who signs.
    pub credentials: WireCredentials,
    /// The signing time, ISO 8601 (`2014-08-18T12:00:00Z`).
    pub timestamp: String,
    /// The same instant as `X-Amz-Date` wants it (`20140818T120000Z`).
    pub amz_date: String,
    /// The credential scope's region.
    pub region: String,
    /// The credential scope's service (`ProductAdvertisingAPI`, `sts`, `s3`, ...).
    pub service: String,
    /// `signed` (hash the body), `unsigned` (`UNSIGNED-PAYLOAD`, sent as
    /// `x-amz-content-sha256`) or `content-sha256` (hash the body and send it as
    /// `x-amz-content-sha256`).
    pub payload: PayloadMode,
    /// Presign: put the signature in the query (`X-Amz-*` parameters) valid for this many
    /// seconds, instead of the `Authorization` header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub presign_expires: Option<u64>,
}

/// `signature_method` as Amazon spells it (`HmacSHA256`, `HmacSHA1`); any other word is
/// refused when decoding.
pub(crate) mod signature_method_word {
    use crate::sigv2::SignatureMethod;
    use serde::{Deserialize, Deserializer, Serializer};

    #[allow(clippy::ref_option, clippy::trivially_copy_pass_by_ref)] // serde hands fields by reference
    pub(crate) fn serialize<S: Serializer>(method: &Option<SignatureMethod>, s: S) -> Result<S::Ok, S::Error> {
        match method {
            Some(m) => s.serialize_str(m.as_str()),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SignatureMethod>, D::Error> {
        Option::<String>::deserialize(d)?.map(|w| w.parse().map_err(serde::de::Error::custom)).transpose()
    }
}

/// Either request shape, as the adapter side decodes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnyRequest {
    /// `sig: "v2"`.
    V2(Request),
    /// `sig: "v4"`.
    V4(RequestV4),
}

/// The adapter's `hello`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Hello {
    /// Protocol version.
    pub protocol: u32,
    /// Client name.
    #[serde(default)]
    pub name: String,
    /// Client version.
    #[serde(default)]
    pub version: String,
    /// Capabilities, in the order announced (an unknown word is refused when decoding).
    #[serde(default)]
    pub capabilities: Vec<Capability>,
}

/// A `signed` answer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Signed {
    /// Request id.
    pub id: String,
    /// Method the client would use.
    #[serde(default)]
    pub method: Option<String>,
    /// Full URL.
    pub url: String,
    /// Headers the client sets.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// Form body.
    #[serde(default)]
    pub body: String,
}

impl Signed {
    /// The request the client would send: its URL, its `Host` header when it sets one, and
    /// the form body's parameters after the query's. `default_method` applies when the
    /// answer names none.
    pub fn to_request(&self, default_method: &str) -> Result<crate::request::OwnedRequest, super::AdapterError> {
        use crate::encoding::{parse_query, PlusMeans};
        let method = self.method.as_deref().unwrap_or(default_method);
        let mut owned =
            crate::request::OwnedRequest::from_url(method, &self.url).map_err(super::AdapterError::BadUrl)?;
        if let Some((_, host)) = self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("host")) {
            host.clone_into(&mut owned.host);
        }
        if !self.body.is_empty() {
            let form = parse_query(self.body.as_bytes(), PlusMeans::Space).map_err(super::AdapterError::BadFormBody)?;
            owned.params.0.extend(form.0);
            owned.location = crate::request::ParamLocation::Form;
        }
        Ok(owned)
    }
}

/// A `sent` answer (live mode).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Sent {
    /// Request id.
    pub id: String,
    /// HTTP status the client got (absent or null: none).
    #[serde(default)]
    pub status: Option<u16>,
    /// Body it got.
    #[serde(default)]
    pub body: String,
    /// What the client surfaced as an error.
    #[serde(default)]
    pub error: Option<String>,
    /// HTTP attempts made (retries included).
    #[serde(default)]
    pub attempts: Option<u32>,
}

/// Any answer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Answer {
    /// `hello`.
    Hello(Hello),
    /// `signed`.
    Signed(Signed),
    /// `sent`.
    Sent(Sent),
    /// `error`: the client refused.
    Error {
        /// Request id.
        #[serde(default)]
        id: Option<String>,
        /// Its message.
        message: String,
        /// True when the client cannot express this input at all (e.g. a header it does not
        /// let its caller set): the runner skips the scenario instead of failing it.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        unsupported: bool,
    },
}

impl Answer {
    /// The request id it answers, if any.
    pub fn id(&self) -> Option<&str> {
        match self {
            Answer::Hello(_) => None,
            Answer::Signed(s) => Some(&s.id),
            Answer::Sent(s) => Some(&s.id),
            Answer::Error { id, .. } => id.as_deref(),
        }
    }
}

/// An answer line that is not protocol JSON.
#[derive(Debug, thiserror::Error)]
#[error("{message} in line {line:?}")]
pub struct ProtocolError {
    /// What is wrong.
    pub message: String,
    /// The line (shortened).
    pub line: String,
}

/// Decodes one answer line. Never panics.
pub fn decode_answer(line: &str) -> Result<Answer, ProtocolError> {
    serde_json::from_str(line.trim())
        .map_err(|e| ProtocolError { message: e.to_string(), line: line.chars().take(200).collect() })
}

/// Decodes one SigV2 request line (the reference adapter's side). Never panics.
pub fn decode_request(line: &str) -> Result<Request, ProtocolError> {
    serde_json::from_str(line.trim())
        .map_err(|e| ProtocolError { message: e.to_string(), line: line.chars().take(200).collect() })
}

/// Decodes one request line of either shape, by its `sig` (absent: `v2`). Never panics.
pub fn decode_any_request(line: &str) -> Result<AnyRequest, ProtocolError> {
    let error = |e: serde_json::Error| ProtocolError { message: e.to_string(), line: line.chars().take(200).collect() };
    let value: serde_json::Value = serde_json::from_str(line.trim()).map_err(error)?;
    let sig = value.get("sig").map(SchemeId::deserialize).transpose().map_err(error)?;
    match sig {
        Some(SchemeId::V4) => serde_json::from_value(value).map(AnyRequest::V4).map_err(error),
        Some(SchemeId::V2Query) | None => serde_json::from_value(value).map(AnyRequest::V2).map_err(error),
        Some(other) => Err(ProtocolError {
            message: format!("no adapter request is signed with the scheme {other}"),
            line: line.chars().take(200).collect(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decodes_each_answer() {
        let hello = decode_answer(r#"{"type":"hello","protocol":1,"name":"x","version":"1","capabilities":["sigv2"]}"#)
            .unwrap();
        assert!(matches!(hello, Answer::Hello(h) if h.capabilities == [Capability::Sigv2]));
        let signed = decode_answer(r#"{"type":"signed","id":"3","url":"https://h/?a=1"}"#).unwrap();
        assert_eq!(signed.id(), Some("3"));
        let err = decode_answer(r#"{"type":"error","id":"4","message":"boom"}"#).unwrap();
        assert!(matches!(err, Answer::Error { message, unsupported: false, .. } if message == "boom"));
        let skip = decode_answer(r#"{"type":"error","id":"5","message":"no","unsupported":true}"#).unwrap();
        assert!(matches!(skip, Answer::Error { unsupported: true, .. }));
        assert!(decode_answer("not json").is_err());
        assert!(decode_answer(r#"{"type":"weird"}"#).is_err());
    }

    #[test]
    fn decodes_both_request_shapes() {
        let v4 = r#"{"type":"sign","id":"1","sig":"v4","method":"GET","endpoint":"https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15","credentials":{"access_key_id":"AKIDEXAMPLE","secret_key":"s"},"timestamp":"2014-08-18T12:00:00Z","amz_date":"20140818T120000Z","region":"us-east-1","service":"sts","payload":"signed"}"#;
        assert!(matches!(decode_any_request(v4), Ok(AnyRequest::V4(r)) if r.service == "sts" && r.headers.is_empty()));
        let v2 = r#"{"type":"sign","id":"1","sig":"v2","method":"GET","endpoint":"https://h/onca/xml","params":[],"credentials":{"access_key_id":"a","secret_key":"s"},"location":"query"}"#;
        assert!(matches!(decode_any_request(v2), Ok(AnyRequest::V2(_))));
        // A v4 field in a v2 message is refused, and the other way round.
        assert!(decode_any_request(&v2.replace("\"params\"", "\"region\":\"x\",\"params\"")).is_err());
        assert!(decode_any_request(&v4.replace("\"payload\"", "\"location\":\"query\",\"payload\"")).is_err());
    }

    #[test]
    fn an_unknown_capability_is_refused_naming_the_word_and_the_known_ones() {
        let e = decode_answer(r#"{"type":"hello","protocol":1,"capabilities":["sigv2","post-forms"]}"#).unwrap_err();
        assert!(
            e.message.starts_with("unknown capability 'post-forms' (amzsig knows: sigv2, sigv4, send, post-form,"),
            "{e}"
        );
        assert!(e.message.contains("own-clock)"), "{e}");
        assert_eq!("frob".parse::<Capability>(), Err(UnknownCapability { word: "frob".into() }));
    }

    #[test]
    fn every_capability_round_trips_as_its_word() {
        for c in Capability::ALL {
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
            assert_eq!(serde_json::from_str::<Capability>(&json).unwrap(), c);
            assert_eq!(c.as_str().parse::<Capability>(), Ok(c));
        }
        let words: std::collections::HashSet<_> = Capability::ALL.map(Capability::as_str).into_iter().collect();
        assert_eq!(words.len(), Capability::ALL.len());
    }

    /// The typed messages encode to exactly the JSON the string-typed ones did.
    #[test]
    fn typed_requests_encode_to_the_same_json() {
        let v2 = r#"{"type":"send","id":"1","sig":"v2","method":"POST","endpoint":"https://mws.amazonservices.com/","params":[["Action","X"]],"credentials":{"access_key_id":"a","secret_key":"s","session_token":"t"},"timestamp":"2014-08-18T12:00:00Z","signature_method":"HmacSHA1","location":"form"}"#;
        let AnyRequest::V2(r) = decode_any_request(v2).unwrap() else { panic!("not v2") };
        assert_eq!((r.kind, r.sig, r.location), (RequestKind::Send, SchemeId::V2Query, Location::Form));
        assert_eq!(r.signature_method, Some(SignatureMethod::HmacSha1));
        assert_eq!(serde_json::to_string(&r).unwrap(), v2);
        for (payload, mode) in [
            ("signed", PayloadMode::Signed),
            ("unsigned", PayloadMode::Unsigned),
            ("content-sha256", PayloadMode::ContentSha256),
        ] {
            let v4 = format!(
                r#"{{"type":"sign","id":"2","sig":"v4","method":"PUT","endpoint":"https://b.s3.amazonaws.com/k","headers":[["Host","h"]],"body":"x","credentials":{{"access_key_id":"a","secret_key":"s"}},"timestamp":"2014-08-18T12:00:00Z","amz_date":"20140818T120000Z","region":"us-east-1","service":"s3","payload":"{payload}","presign_expires":60}}"#
            );
            let AnyRequest::V4(r) = decode_any_request(&v4).unwrap() else { panic!("not v4") };
            assert_eq!((r.kind, r.sig, r.payload), (RequestKind::Sign, SchemeId::V4, mode));
            assert_eq!(serde_json::to_string(&r).unwrap(), v4);
        }
        let hello =
            r#"{"type":"hello","protocol":1,"name":"n","version":"1","capabilities":["sigv4","own-clock","aws"]}"#;
        assert_eq!(serde_json::to_string(&decode_answer(hello).unwrap()).unwrap(), hello);
        // Words outside the vocabularies are refused.
        assert!(decode_any_request(&v2.replace(r#""form""#, r#""body""#)).is_err());
        assert!(decode_any_request(&v2.replace(r#""send""#, r#""post""#)).is_err());
        assert!(decode_any_request(&v2.replace(r#""v2""#, r#""v3""#)).is_err());
        assert!(decode_any_request(&v2.replace("HmacSHA1", "HmacMD5")).is_err());
        let AnyRequest::V2(r) = decode_any_request(&v2.replace("HmacSHA1", "HmacSHA256")).unwrap() else { panic!() };
        assert_eq!(r.signature_method, Some(SignatureMethod::HmacSha256));
        let AnyRequest::V2(r) = decode_any_request(&v2.replace(r#","signature_method":"HmacSHA1""#, "")).unwrap()
        else {
            panic!()
        };
        assert_eq!(r.signature_method, None);
        assert!(!serde_json::to_string(&r).unwrap().contains("signature_method"));
    }

    fn json<T: Serialize>(v: &T) -> String {
        serde_json::to_value(v).unwrap().as_str().unwrap().to_owned()
    }

    /// The schema's closed vocabularies are exactly the enums' words.
    #[test]
    fn the_schema_lists_the_same_words() {
        let schema: serde_json::Value =
            serde_json::from_str(include_str!("../../docs/adapter-protocol.schema.json")).unwrap();
        let words = |v: &serde_json::Value| -> Vec<String> {
            v["enum"].as_array().unwrap().iter().map(|w| w.as_str().unwrap().to_owned()).collect()
        };
        let defs = &schema["$defs"];
        assert_eq!(
            words(&defs["adapter_hello"]["properties"]["capabilities"]["items"]),
            Capability::ALL.map(|c| c.as_str().to_owned())
        );
        assert_eq!(
            words(&defs["request"]["properties"]["type"]),
            [RequestKind::Sign, RequestKind::Send].map(|k| json(&k))
        );
        assert_eq!(
            words(&defs["request_v4"]["properties"]["type"]),
            [RequestKind::Sign, RequestKind::Send].map(|k| json(&k))
        );
        assert_eq!(
            words(&defs["request"]["properties"]["location"]),
            [Location::Query, Location::Form].map(|l| json(&l))
        );
        assert_eq!(
            words(&defs["request_v4"]["properties"]["payload"]),
            [PayloadMode::Signed, PayloadMode::Unsigned, PayloadMode::ContentSha256].map(|p| json(&p))
        );
        assert_eq!(defs["request"]["properties"]["sig"]["const"].as_str(), Some(json(&SchemeId::V2Query).as_str()));
        assert_eq!(
            words(&defs["request"]["properties"]["signature_method"]),
            [SignatureMethod::HmacSha256, SignatureMethod::HmacSha1].map(|m| m.as_str().to_owned())
        );
        assert_eq!(defs["request_v4"]["properties"]["sig"]["const"].as_str(), Some(json(&SchemeId::V4).as_str()));
    }

    proptest! {
        #[test]
        fn decoder_never_panics(s in "\\PC{0,200}") {
            let _ = decode_answer(&s);
            let _ = decode_request(&s);
            let _ = decode_any_request(&s);
        }
    }
}
