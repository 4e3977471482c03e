//! The reference adapter's SigV4 side: a [`RequestV4`] signed with [`crate::sigv4::sign`]
//! (header form or presigned URL), answered with what goes on the wire.
//!
//! Settings follow the AWS General Reference ("Signature Version 4 signing process") and,
//! for service `s3`, the Amazon S3 API Reference ("Signature Calculations for the
//! Authorization Header": single URI encoding, no path normalisation,
//! `x-amz-content-sha256` on every request; "Authenticating Requests: Using Query
//! Parameters": presigned URLs sign `UNSIGNED-PAYLOAD`). The payload modes `unsigned` and
//! `content-sha256` send the hashed payload as `x-amz-content-sha256`, set by the signer
//! itself so that the header and the canonical request agree.

use super::protocol::{Answer, PayloadMode, RequestV4, Signed};
use super::{error_chain, AdapterError};
use crate::clock::UtcTime;
use crate::crypto::SecretKey;
use crate::diagnose::v4::sign_with_mistakes;
use crate::diagnose::Mistake;
use crate::request::OwnedRequest;
use crate::sigv4::{self, ContentSha256Header, Payload, SignableRequest, SigningParams, SigningSettings};

/// What [`prepare`] makes of a request: the wire pieces before signing.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    /// The URL split up (host: the authority as written).
    pub url: OwnedRequest,
    /// The raw query string as given (without `?`).
    pub raw_query: String,
    /// `Host` first (as given, or the URL's authority), then the request's headers.
    pub headers: Vec<(String, String)>,
    /// The signing time.
    pub time: UtcTime,
    /// Settings for the service and payload mode.
    pub settings: SigningSettings,
}

/// Checks and splits a SigV4 request (no signing yet).
pub(crate) fn prepare(req: &RequestV4) -> Result<Prepared, AdapterError> {
    let url = OwnedRequest::from_url(&req.method, &req.endpoint).map_err(AdapterError::BadEndpoint)?;
    let raw_query = req.endpoint.split('#').next().unwrap_or("").split_once('?').map_or("", |(_, q)| q).to_owned();
    let time = UtcTime::parse_iso8601(&req.timestamp).map_err(AdapterError::BadTimestamp)?;
    if time.to_amz_date() != req.amz_date {
        return Err(AdapterError::AmzDateMismatch { amz_date: req.amz_date.clone(), timestamp: req.timestamp.clone() });
    }
    let mut headers: Vec<(String, String)> = Vec::with_capacity(req.headers.len() + 1);
    if !req.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        headers.push(("Host".to_owned(), url.host.clone()));
    }
    headers.extend(req.headers.iter().cloned());
    let mut settings = if req.service == "s3" { SigningSettings::s3() } else { SigningSettings::default() };
    settings.content_sha256_header = match req.payload {
        PayloadMode::Signed if req.service != "s3" => ContentSha256Header::Omit,
        PayloadMode::Signed | PayloadMode::Unsigned | PayloadMode::ContentSha256 => ContentSha256Header::Add,
    };
    if let Some(expires) = req.presign_expires {
        settings = settings.presigned(expires);
    }
    Ok(Prepared { url, raw_query, headers, time, settings })
}

/// Signs `req` as a client that makes `mistakes` would (none: correctly, with
/// [`sigv4::sign`]; else with [`sign_with_mistakes`]).
pub fn sign(req: &RequestV4, mistakes: &[Mistake]) -> Answer {
    let error = |message: String| Answer::Error { id: Some(req.id.clone()), message, unsupported: false };
    let p = match prepare(req) {
        Ok(p) => p,
        Err(e) => return error(error_chain(&e)),
    };
    let payload =
        if req.payload == PayloadMode::Unsigned { Payload::Unsigned } else { Payload::Bytes(req.body.as_bytes()) };
    let view = SignableRequest {
        method: &p.url.method,
        path: &p.url.path,
        query: &p.url.params,
        headers: (&p.headers).into(),
        payload,
    };
    let secret = SecretKey::new(req.credentials.secret_key.as_str());
    let params = SigningParams {
        access_key_id: &req.credentials.access_key_id,
        secret: &secret,
        session_token: req.credentials.session_token.as_deref(),
        region: &req.region,
        service: &req.service,
        time: p.time,
        settings: p.settings,
    };
    let base = format!("{}://{}{}", p.url.scheme.as_str(), p.url.host, p.url.path);
    if !mistakes.is_empty() {
        let Some(signed) = sign_with_mistakes(&view, &params, mistakes) else {
            let ids: Vec<&str> = mistakes.iter().map(|m| m.id()).collect();
            return error(format!("the mistakes {} cannot apply to this request", ids.join("+")));
        };
        let url = if signed.raw_query.is_empty() { base } else { format!("{base}?{}", signed.raw_query) };
        return Answer::Signed(Signed {
            id: req.id.clone(),
            method: Some(req.method.clone()),
            url,
            headers: signed.headers,
            body: req.body.clone(),
        });
    }
    let out = sigv4::sign(&view, &params);
    let mut headers = p.headers;
    let url = if out.query_params.is_empty() {
        out.apply_headers(&mut headers);
        if p.raw_query.is_empty() {
            base
        } else {
            format!("{base}?{}", p.raw_query)
        }
    } else {
        format!("{base}?{}", out.presigned_query(&p.url.params))
    };
    Answer::Signed(Signed {
        id: req.id.clone(),
        method: Some(req.method.clone()),
        url,
        headers,
        body: req.body.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapter::protocol::WireCredentials;

    fn request(endpoint: &str, service: &str, payload: PayloadMode, presign: Option<u64>) -> RequestV4 {
        RequestV4 {
            kind: crate::adapter::protocol::RequestKind::Sign,
            id: "1".into(),
            sig: crate::scheme::SchemeId::V4,
            method: "GET".into(),
            endpoint: endpoint.into(),
            headers: Vec::new(),
            body: String::new(),
            credentials: WireCredentials {
                access_key_id: "AKIDEXAMPLE".into(),
                secret_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
                session_token: None,
            },
            timestamp: "2015-08-30T12:36:00Z".into(),
            amz_date: "20150830T123600Z".into(),
            region: "us-east-1".into(),
            service: service.into(),
            payload,
            presign_expires: presign,
        }
    }

    #[test]
    fn signs_the_suite_get_vanilla() {
        // aws-sig-v4-test-suite/get-vanilla: GET / on example.amazonaws.com, service "service".
        let Answer::Signed(s) =
            sign(&request("https://example.amazonaws.com/", "service", PayloadMode::Signed, None), &[])
        else {
            panic!("not signed")
        };
        let auth = s.headers.iter().find(|(n, _)| n == "Authorization").map(|(_, v)| v.as_str()).unwrap();
        assert_eq!(
            auth,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders=host;x-amz-date, \
             Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        );
        assert_eq!(s.url, "https://example.amazonaws.com/");
    }

    #[test]
    fn presigned_urls_keep_the_query_and_add_the_auth_parameters() {
        let Answer::Signed(s) =
            sign(&request("https://b.s3.amazonaws.com/k?x-id=GetObject", "s3", PayloadMode::Unsigned, Some(60)), &[])
        else {
            panic!("not signed")
        };
        assert!(s.url.starts_with("https://b.s3.amazonaws.com/k?x-id=GetObject&X-Amz-Algorithm=AWS4-HMAC-SHA256&"));
        assert!(s.url.contains("&X-Amz-Expires=60&") && s.url.contains("&X-Amz-Signature="), "{}", s.url);
        assert!(!s.headers.iter().any(|(n, _)| n == "Authorization"));
    }

    #[test]
    fn a_date_that_disagrees_with_the_timestamp_is_refused() {
        let mut r = request("https://example.amazonaws.com/", "service", PayloadMode::Signed, None);
        r.amz_date = "20150830T123601Z".into();
        assert!(matches!(sign(&r, &[]), Answer::Error { .. }));
    }
}
