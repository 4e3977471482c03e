//! The one request pipeline: every caller that wants the mock's answer to a request (the
//! server's handler, the runner's offline judge for every scheme, the benchmark floor)
//! calls [`process`] with the raw request, and gets back the outcome and, for a refused
//! signature, its explanation.
//!
//! Steps, in order: pick the service ([`super::dispatch`]: no service is
//! [`Processed::NoService`]); decode the query string and, for a form POST
//! (`application/x-www-form-urlencoded`), the body, which SigV2 signs with the query (a
//! bad escape is the service's `MalformedQueryString`); refuse more parameters than the
//! limit; with the parameters known, send a SigV2 Query API request (SimpleDB, EC2) to its
//! service (`query::refine`); run the service's rules ([`super::handle`]); and for every
//! refusal about the signature ([`Failure::is_about_signature`]: mismatch, scope, algorithm,
//! unsigned host, time), diagnose it with the key's secret (of the answering service's
//! family) and the very rules the service verified with
//! ([`super::v4_rules`] for SigV4).
//!
//! Nothing here knows an HTTP framework: headers arrive as `(name, value)` pairs, as
//! received, in order.

use super::{Ctx, Outcome, Route, RouteKey, ServiceRequest};
use crate::crypto::KeyState;
use crate::diagnose::{diagnose, Budget, Diagnosis, Subject};
use crate::encoding::{parse_query, PlusMeans};
use crate::keystore::FamilyKeys;
use crate::request::{RequestView, Scheme};
use crate::scheme::Failure;
use crate::sigv2::SignatureMethod;
use crate::sigv4::streaming::{ChunkChain, Decoder, StreamingError, StreamingHead};

/// A request as it arrived: what the HTTP layer read, nothing interpreted yet.
#[derive(Debug, Clone, Copy)]
pub struct RawRequest<'a> {
    /// The HTTP method.
    pub method: &'a str,
    /// `http` or `https` (what the client connected with; decides the default port).
    pub scheme: Scheme,
    /// The request target in origin form: the raw path, then `?` and the raw query if any.
    pub target: &'a str,
    /// Every header as received, in order (a name may repeat; the `Host` header is one of
    /// them).
    pub headers: &'a [(String, String)],
    /// The body bytes.
    pub body: &'a [u8],
}

impl<'a> RawRequest<'a> {
    /// The first value of header `name` (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The `Host` header as sent (empty when absent).
    pub fn host(&self) -> &'a str {
        self.header("host").unwrap_or_default()
    }

    /// The raw path (the target up to `?`, without a fragment).
    pub fn path(&self) -> &'a str {
        let t = self.target.split('#').next().unwrap_or_default();
        t.split_once('?').map_or(t, |(p, _)| p)
    }

    /// The raw query string (after `?`, without `?`; empty when absent).
    pub fn query(&self) -> &'a str {
        let t = self.target.split('#').next().unwrap_or_default();
        t.split_once('?').map_or("", |(_, q)| q)
    }

    /// True when the body is a form whose parameters are signed with the query's.
    fn is_form(&self) -> bool {
        self.header("content-type")
            .is_some_and(|c| c.get(..33).is_some_and(|p| p.eq_ignore_ascii_case("application/x-www-form-urlencoded")))
    }
}

/// The pipeline's own limits (the HTTP layer enforces the others before a request gets here).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PipelineLimits {
    /// Most query + form parameters accepted; past it, the service's `MalformedQueryString`.
    pub max_params: usize,
    /// Largest aws-chunked payload (`x-amz-decoded-content-length`) taken; past it, S3's
    /// `EntityTooLarge` before any body byte is read.
    pub max_upload_bytes: u64,
}

impl Default for PipelineLimits {
    fn default() -> Self {
        PipelineLimits { max_params: 4096, max_upload_bytes: 5 << 30 }
    }
}

/// The pipeline's answer.
// Returned by value once per request; boxing the common variant would add an allocation
// to every answer for the sake of the rare 404.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Processed {
    /// No Amazon service lives at this host and path (the server answers a plain 404).
    NoService,
    /// A service answered.
    Answered {
        /// What to send back, and the record for the journal.
        outcome: Outcome,
        /// For a refused signature, why it did not match (the diagnosis of its scheme).
        explanation: Option<Diagnosis>,
    },
}

/// Answers `raw` as the mock does: route, decode, the service's rules, and the diagnosis
/// of a refused signature.
///
/// ```
/// use amzsig::catalogue::Catalogue;
/// use amzsig::clock::UtcTime;
/// use amzsig::keystore::Keystore;
/// use amzsig::request::Scheme;
/// use amzsig::services::pipeline::{process, PipelineLimits, Processed, RawRequest};
/// use amzsig::services::{Ctx, ServiceOptions, Unlimited};
///
/// let (keys, catalogue, options) = (Keystore::embedded_default(), Catalogue::embedded_default(), ServiceOptions::default());
/// let ctx = Ctx {
///     keys: &keys,
///     catalogue: &catalogue,
///     now: UtcTime::parse_iso8601("2014-08-18T12:00:00Z")?,
///     options: &options,
///     request_id: "e220a839-7b1d-4daf-ae78-9e6aa1b965f4",
///     throttle: &Unlimited,
///     signing_keys: None,
///     s3: None,
/// };
/// let headers = vec![("host".to_owned(), "webservices.amazon.com".to_owned())];
/// // A bad percent-escape is PA-API's own XML error, not a crash.
/// let raw = RawRequest { method: "GET", scheme: Scheme::Https, target: "/onca/xml?Operation=%ZZ", headers: &headers, body: b"" };
/// let Processed::Answered { outcome, .. } = process(&raw, &ctx, &PipelineLimits::default()) else { panic!() };
/// assert_eq!((outcome.status, outcome.record.error_code.as_deref()), (400, Some("MalformedQueryString")));
/// // Nothing Amazon serves lives at this path on a non-Amazon host.
/// let headers = vec![("host".to_owned(), "127.0.0.1:8080".to_owned())];
/// let raw = RawRequest { target: "/nowhere", headers: &headers, ..raw };
/// assert_eq!(process(&raw, &ctx, &PipelineLimits::default()), Processed::NoService);
/// # Ok::<(), amzsig::clock::TimeParseError>(())
/// ```
pub fn process(raw: &RawRequest<'_>, ctx: &Ctx<'_>, limits: &PipelineLimits) -> Processed {
    process_shared(raw, None, ctx, limits)
}

/// [`process`] for a body the caller holds as shared bytes (`shared` is `raw.body`): a
/// service that keeps the body (S3's PutObject, UploadPart) takes it without a copy.
pub fn process_shared(
    raw: &RawRequest<'_>,
    shared: Option<&bytes::Bytes>,
    ctx: &Ctx<'_>,
    limits: &PipelineLimits,
) -> Processed {
    // The same bytes, not a copy: checked by address, never by content.
    let shared = shared.filter(|b| std::ptr::eq(b.as_ref(), raw.body));
    match plan_body(raw, ctx, limits) {
        BodyPlan::Whole => process_decoded(raw, shared, &[], ctx, *limits),
        BodyPlan::Refused(answer) => answer,
        BodyPlan::Chunked(mut body) => {
            let decoded = body.feed(raw.body).and_then(|()| body.finish());
            process_chunked(raw, &decoded, ctx, limits)
        }
    }
}

/// How a request's body is to be taken, decided from its head alone (method, target,
/// headers): see [`plan_body`].
#[derive(Debug)]
// One per request, moved once; the chunked variant carries the decoder's state.
#[allow(clippy::large_enum_variant)]
pub enum BodyPlan {
    /// Read the whole body and call [`process`] (every request but an aws-chunked upload).
    Whole,
    /// An aws-chunked upload whose seed signature and head verified: feed the body to
    /// the [`ChunkedBody`] as it arrives, then call [`process_chunked`].
    Chunked(ChunkedBody),
    /// The head alone is refused (the seed signature, the session token, the decoded
    /// length, the framing, the trailer announced): send this; the body is not needed.
    Refused(Processed),
}

/// The body of an aws-chunked upload, taken piece by piece: each chunk's bytes are kept
/// once its signature verifies (memory: the decoded payload, nothing else but one line).
#[derive(Debug)]
pub struct ChunkedBody {
    decoder: Decoder,
    data: Vec<u8>,
}

/// An aws-chunked body decoded and verified: the payload and the trailing headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedBody {
    /// The payload (what the chunks carried), shared: a service that keeps it (S3) takes
    /// it without a copy ([`ServiceRequest::shared_body`]).
    pub data: bytes::Bytes,
    /// The trailing headers (lowercase names), without the trailer signature.
    pub trailers: Vec<(String, String)>,
}

impl ChunkedBody {
    /// Takes the next piece of the body.
    ///
    /// # Errors
    ///
    /// The first streaming rule the body breaks (S3's answer: [`StreamingError::s3_code`]);
    /// the body is refused then, whatever follows.
    pub fn feed(&mut self, piece: &[u8]) -> Result<(), StreamingError> {
        self.decoder.feed(piece, &mut self.data)
    }

    /// The payload and trailers, once the whole body was fed.
    ///
    /// # Errors
    ///
    /// When the body ended before its final chunk and trailer.
    pub fn finish(self) -> Result<DecodedBody, StreamingError> {
        let trailers = self.decoder.finish()?;
        Ok(DecodedBody { data: bytes::Bytes::from(self.data), trailers })
    }
}

/// Decides from `raw`'s head how its body is taken: an upload whose
/// `x-amz-content-sha256` is a streaming literal (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD`,
/// `…-TRAILER`, `STREAMING-UNSIGNED-PAYLOAD-TRAILER`) to the generic SigV4 endpoint is
/// authenticated now (its seed signature and session token, as S3 does before the body)
/// and its head checked ([`StreamingHead::read`]); its body is then decoded chunk by
/// chunk, each chunk chained from the seed. Everything else is read whole. `raw.body` is
/// not looked at.
pub fn plan_body(raw: &RawRequest<'_>, ctx: &Ctx<'_>, limits: &PipelineLimits) -> BodyPlan {
    let Some(head) = StreamingHead::read(|name| raw.header(name)) else { return BodyPlan::Whole };
    let head_only = RawRequest { body: b"", ..*raw };
    let decided = with_request(&head_only, &[], ctx, *limits, |route, req| {
        if *route != Route::Aws {
            return None;
        }
        let auth = match super::aws::authenticate(ctx, req) {
            Ok(auth) => auth,
            Err(outcome) => {
                let explanation = explain(route, ctx, req, &outcome);
                return Some(BodyPlan::Refused(Processed::Answered { outcome, explanation }));
            }
        };
        let head = match head {
            Ok(head) => head,
            Err(e) => return Some(stream_refusal(route, ctx, req, &e)),
        };
        let chain = if head.mode.signed_chunks() {
            let seed = match req.header(crate::sigv4::AUTHORIZATION).map(crate::sigv4::parse_authorization) {
                Some(Ok(a)) => a.signature,
                _ => return Some(stream_refusal(route, ctx, req, &StreamingError::NoSeed)),
            };
            let scope = &auth.verified.scope;
            let KeyState::Active(secret) =
                ctx.keys.family(crate::keystore::Family::Aws).lookup(&auth.verified.access_key_id)
            else {
                return None;
            };
            let key = match ctx.signing_keys {
                Some(cache) => cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get_or_derive(
                    secret,
                    &scope.date,
                    &scope.region,
                    &scope.service,
                ),
                None => crate::sigv4::signing_key(secret, &scope.date, &scope.region, &scope.service),
            };
            Some(ChunkChain::new(&key, &auth.verified.request_time.to_amz_date(), &scope.to_string(), &seed))
        } else {
            None
        };
        if head.decoded_length > limits.max_upload_bytes {
            return Some(stream_refusal(route, ctx, req, &StreamingError::TooLarge { limit: limits.max_upload_bytes }));
        }
        let decoder = Decoder::new(head.mode, chain, head.trailer.as_deref(), Some(head.decoded_length));
        // The payload is kept whole (it becomes the object): reserved once at the size the
        // client announced (within the limit), so it is never copied to grow.
        let reserve = usize::try_from(head.decoded_length).unwrap_or(0);
        Some(BodyPlan::Chunked(ChunkedBody { decoder, data: Vec::with_capacity(reserve) }))
    });
    match decided {
        Ok(Some(plan)) => plan,
        Ok(None) => BodyPlan::Whole,
        Err(answer) => BodyPlan::Refused(answer),
    }
}

/// What the head of a body that may pass the ordinary limit says ([`plan_upload`]).
#[derive(Debug)]
// One per large request, moved once.
#[allow(clippy::large_enum_variant)]
pub enum UploadPlan {
    /// Not an upload to S3: the ordinary body limit applies.
    NotUpload,
    /// An S3 upload whose head authenticates: its body may be object-sized.
    Upload,
    /// An S3 upload whose head is refused (signature, key, token): answered before its
    /// body is read, as S3 does.
    Refused(Processed),
}

/// For a `PUT` or `POST` whose body may pass the ordinary limit: whether it is an upload
/// to S3 (the generic SigV4 endpoint answering in S3's protocol), and if so whether its
/// head authenticates (the signature over `x-amz-content-sha256` as sent; the body's hash
/// is checked once the body is in).
pub fn plan_upload(raw: &RawRequest<'_>, ctx: &Ctx<'_>, limits: &PipelineLimits) -> UploadPlan {
    if !matches!(raw.method, "PUT" | "POST") {
        return UploadPlan::NotUpload;
    }
    let head_only = RawRequest { body: b"", ..*raw };
    let plan = with_request(&head_only, &[], ctx, *limits, |route, req| {
        if *route != Route::Aws || !super::aws::is_s3(req) {
            return UploadPlan::NotUpload;
        }
        match super::aws::authenticate(ctx, req) {
            Ok(_) => UploadPlan::Upload,
            // The empty body stands for the one still to come: its hash is not judged here.
            Err(o)
                if matches!(
                    o.record.failure,
                    Some(Failure::V4(crate::sigv4::VerifyFailure::ContentSha256Mismatch { .. }))
                ) =>
            {
                UploadPlan::Upload
            }
            Err(outcome) => {
                let explanation = explain(route, ctx, req, &outcome);
                UploadPlan::Refused(Processed::Answered { outcome, explanation })
            }
        }
    });
    plan.unwrap_or(UploadPlan::NotUpload)
}

/// A streaming rule broken before the body: S3's answer, explained when it is about a
/// signature.
fn stream_refusal(route: &Route, ctx: &Ctx<'_>, req: &ServiceRequest<'_>, e: &StreamingError) -> BodyPlan {
    let outcome = super::aws::stream_refused(ctx, req, e);
    let explanation = explain(route, ctx, req, &outcome);
    BodyPlan::Refused(Processed::Answered { outcome, explanation })
}

/// Answers an aws-chunked upload planned by [`plan_body`] (`raw`: its head) once its body
/// was fed: with the decoded payload and trailers, the service's rules as for any request
/// (the seed signature is verified again, with the streaming literal as the payload hash);
/// a body that broke a streaming rule is refused in S3's words, and nothing of it is kept.
pub fn process_chunked(
    raw: &RawRequest<'_>,
    body: &Result<DecodedBody, StreamingError>,
    ctx: &Ctx<'_>,
    limits: &PipelineLimits,
) -> Processed {
    match body {
        Ok(decoded) => {
            let raw = RawRequest { body: &decoded.data, ..*raw };
            process_decoded(&raw, Some(&decoded.data), &decoded.trailers, ctx, *limits)
        }
        Err(e) => {
            let head_only = RawRequest { body: b"", ..*raw };
            let answered = with_request(&head_only, &[], ctx, *limits, |route, req| {
                let outcome = super::aws::stream_refused(ctx, req, e);
                let explanation = explain(route, ctx, req, &outcome);
                Processed::Answered { outcome, explanation }
            });
            answered.unwrap_or_else(|answer| answer)
        }
    }
}

/// The pipeline after the body is known: route, decode, the service's rules, the
/// explanation.
fn process_decoded(
    raw: &RawRequest<'_>,
    shared: Option<&bytes::Bytes>,
    trailers: &[(String, String)],
    ctx: &Ctx<'_>,
    limits: PipelineLimits,
) -> Processed {
    let answered = with_request(raw, trailers, ctx, limits, |route, req| {
        let req = ServiceRequest { shared_body: shared, ..*req };
        let req = &req;
        let outcome = super::handle(route, ctx, req);
        let explanation = explain(route, ctx, req, &outcome);
        Processed::Answered { outcome, explanation }
    });
    answered.unwrap_or_else(|answer| answer)
}

// The answer instead of the request is the pipeline's answer itself, moved once.
#[allow(clippy::result_large_err)]
/// Routes and decodes `raw` into the request the services see, and calls `then` with it;
/// a request no service serves, or whose parameters do not decode, is the answer instead.
fn with_request<T>(
    raw: &RawRequest<'_>,
    trailers: &[(String, String)],
    ctx: &Ctx<'_>,
    limits: PipelineLimits,
    then: impl FnOnce(&Route, &ServiceRequest<'_>) -> T,
) -> Result<T, Processed> {
    let (host, path, query_text) = (raw.host(), raw.path(), raw.query());
    let key = RouteKey { method: raw.method, host, path, query: query_text, headers: raw.headers };
    let Some(route) = super::dispatch(&key, ctx.options) else { return Err(Processed::NoService) };
    let answered = |outcome| Processed::Answered { outcome, explanation: None };
    let query = match parse_query(query_text.as_bytes(), PlusMeans::Space) {
        Ok(q) => q,
        Err(e) => return Err(answered(super::malformed(&route, ctx.request_id, &format!("{e} of the query string")))),
    };
    // Form POSTs sign query and body together; otherwise the query is the parameter list
    // (borrowed, not copied: this is every request's path).
    let with_form;
    let params = if raw.is_form() {
        let mut all = query.clone();
        match parse_query(raw.body, PlusMeans::Space) {
            Ok(body) => all.0.extend(body.0),
            Err(e) => return Err(answered(super::malformed(&route, ctx.request_id, &format!("{e} of the form body")))),
        }
        with_form = all;
        &with_form
    } else {
        &query
    };
    if params.len() > limits.max_params {
        let detail = format!("{} parameters, more than the {} accepted", params.len(), limits.max_params);
        return Err(answered(super::malformed(&route, ctx.request_id, &detail)));
    }
    // A SigV2 Query API (SimpleDB, EC2) is told from MWS and the SigV4 endpoint by its
    // parameters, which a form POST carries in the body.
    let route = super::query::refine(route, &key, params);
    let req = ServiceRequest {
        view: RequestView { method: raw.method, scheme: raw.scheme, host, path, params },
        query: &query,
        body: raw.body,
        content_type: raw.header("content-type"),
        content_md5: raw.header("content-md5"),
        user_agent: raw.header("user-agent"),
        headers: raw.headers,
        trailers,
        shared_body: None,
    };
    Ok(then(&route, &req))
}

/// For a refusal about the signature ([`Failure::is_about_signature`]: a mismatch, the
/// scope, the algorithm, an unsigned host, the time), finds the signer mistake that
/// explains it, with the secret of the key the request named and the rules the service
/// verified with, within the default [`Budget`] (the request path stays bounded; the
/// header says when it ran out). A key without an active secret gives a diagnosis that
/// names no mistake (`unknown`), so every such refusal is explained.
fn explain(route: &Route, ctx: &Ctx<'_>, req: &ServiceRequest<'_>, outcome: &Outcome) -> Option<Diagnosis> {
    let failure = outcome.record.failure.as_ref().filter(|f| f.is_about_signature())?;
    // Every service records the access key id the request claims; its service names the
    // family of secrets it verified with.
    let keys = ctx.keys.family(outcome.record.service.family());
    let Some(secret) = outcome.record.access_key_id.as_deref().and_then(|id| active_secret(keys, id)) else {
        return Some(Diagnosis::unusable(failure.scheme(), "the request names no active access key".to_owned()));
    };
    let rules;
    let subject = match failure {
        Failure::V2(_) => Subject::V2 { view: req.view, default_method: SignatureMethod::HmacSha256 },
        Failure::Streaming(e) => {
            let head = crate::diagnose::streaming::UploadHead::read(|name| req.header(name));
            return Some(crate::diagnose::streaming::explain(e, &head, secret));
        }
        Failure::V4(_) => {
            rules = super::v4_rules(route, req)?;
            Subject::V4 { request: req.signable(), policy: rules.policy(ctx.options.max_skew_secs) }
        }
    };
    Some(diagnose(subject, secret, Budget::DEFAULT))
}

fn active_secret<'k>(keys: FamilyKeys<'k>, access_key_id: &str) -> Option<&'k crate::crypto::SecretKey> {
    match keys.lookup(access_key_id) {
        KeyState::Active(secret) => Some(secret),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Catalogue;
    use crate::clock::UtcTime;
    use crate::crypto::SecretKey;
    use crate::encoding::ParamList;
    use crate::services::{ServiceOptions, Throttling, Unlimited, Verdict};

    const NOW: &str = "2014-08-18T12:00:00Z";
    /// The PA-API Developer Guide's example key (the embedded keystore's).
    const SECRET: &str = "1234567890";

    fn lookup(extra: &[(&str, &str)]) -> ParamList {
        let mut params = vec![
            ("Service", "AWSECommerceService"),
            ("AWSAccessKeyId", "AKIAIOSFODNN7EXAMPLE"),
            ("AssociateTag", "mytag-20"),
            ("Operation", "ItemLookup"),
            ("ItemId", "0679722769"),
            ("Timestamp", NOW),
        ];
        params.extend_from_slice(extra);
        params.into_iter().collect()
    }

    /// `params` signed for `host` (or with `mistakes`), as a query string.
    fn signed_query(params: &ParamList, host: &str, mistakes: &[crate::diagnose::Mistake]) -> String {
        let view = RequestView { method: "GET", scheme: Scheme::Http, host, path: "/onca/xml", params };
        let secret = SecretKey::new(SECRET);
        let signature = if mistakes.is_empty() {
            crate::sigv2::sign(&view, SignatureMethod::HmacSha256, &secret).signature
        } else {
            crate::diagnose::v2::sign_with_mistakes(&view, &secret, SignatureMethod::HmacSha256, mistakes).unwrap()
        };
        crate::sigv2::wire_query(params, Some(&signature))
    }

    fn run(method: &str, target: &str, headers: &[(&str, &str)], body: &[u8], limits: PipelineLimits) -> Processed {
        let keys = crate::keystore::Keystore::embedded_default();
        let catalogue = Catalogue::embedded_default();
        let options = ServiceOptions { throttling: Throttling::Off, ..ServiceOptions::default() };
        let ctx = Ctx {
            keys: &keys,
            catalogue: &catalogue,
            now: UtcTime::parse_iso8601(NOW).unwrap(),
            options: &options,
            request_id: "00000000-0000-4000-8000-000000000000",
            throttle: &Unlimited,
            signing_keys: None,
            s3: None,
        };
        let headers: Vec<(String, String)> = headers.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect();
        let raw = RawRequest { method, scheme: Scheme::Http, target, headers: &headers, body };
        process(&raw, &ctx, &limits)
    }

    fn answered(p: Processed) -> (Outcome, Option<Diagnosis>) {
        match p {
            Processed::Answered { outcome, explanation } => (outcome, explanation),
            Processed::NoService => panic!("no service answered"),
        }
    }

    const HOST: [(&str, &str); 1] = [("host", "webservices.amazon.com")];

    #[test]
    fn a_signed_request_is_accepted_without_explanation() {
        let target = format!("/onca/xml?{}", signed_query(&lookup(&[]), "webservices.amazon.com", &[]));
        let (outcome, explanation) = answered(run("GET", &target, &HOST, b"", PipelineLimits::default()));
        assert_eq!((outcome.status, outcome.record.verdict), (200, Verdict::Accepted));
        assert_eq!(outcome.record.operation.as_deref(), Some("ItemLookup"));
        assert_eq!(explanation, None);
    }

    #[test]
    fn a_mistake_is_refused_and_explained() {
        let params = lookup(&[("Keywords", "Harry Potter")]);
        let target = format!(
            "/onca/xml?{}",
            signed_query(&params, "webservices.amazon.com", &[crate::diagnose::v2::SPACE_AS_PLUS])
        );
        let (outcome, explanation) = answered(run("GET", &target, &HOST, b"", PipelineLimits::default()));
        assert_eq!(outcome.record.error_code.as_deref(), Some("SignatureDoesNotMatch"));
        assert!(outcome.record.failure.as_ref().is_some_and(crate::scheme::Failure::is_signature_mismatch));
        assert_eq!(explanation.map(|d| d.header_value()).as_deref(), Some("space-as-plus"));
    }

    #[test]
    fn every_signature_refusal_is_explained() {
        // A right signature sent 20 minutes late (PA-API's window is 15 minutes): refused
        // about the signature's time, explained with no mistake to name.
        let params: ParamList = [
            ("Service", "AWSECommerceService"),
            ("AWSAccessKeyId", "AKIAIOSFODNN7EXAMPLE"),
            ("AssociateTag", "mytag-20"),
            ("Operation", "ItemLookup"),
            ("ItemId", "0679722769"),
            ("Timestamp", "2014-08-18T11:40:00Z"),
        ]
        .into_iter()
        .collect();
        let target = format!("/onca/xml?{}", signed_query(&params, "webservices.amazon.com", &[]));
        let (outcome, explanation) = answered(run("GET", &target, &HOST, b"", PipelineLimits::default()));
        assert!(outcome.record.failure.as_ref().is_some_and(|f| f.is_about_signature() && !f.is_signature_mismatch()));
        let explanation = explanation.expect("a time refusal is explained");
        assert_eq!((explanation.header_value().as_str(), explanation.signature_matches), ("unknown", true));
        // An unknown key is not a refusal about the signature: nothing to explain.
        let target = target.replace("AKIAIOSFODNN7EXAMPLE", "AKIAUNKNOWNEXAMPLE00");
        let (outcome, explanation) = answered(run("GET", &target, &HOST, b"", PipelineLimits::default()));
        assert!(outcome.record.failure.as_ref().is_some_and(|f| !f.is_about_signature()));
        assert_eq!(explanation, None);
    }

    #[test]
    fn the_host_header_decides_what_was_signed() {
        // Signed for the locale host, sent with another Host: the signature cannot match.
        let target = format!("/onca/xml?{}", signed_query(&lookup(&[]), "webservices.amazon.co.uk", &[]));
        let (outcome, explanation) = answered(run("GET", &target, &HOST, b"", PipelineLimits::default()));
        assert_eq!(outcome.record.error_code.as_deref(), Some("SignatureDoesNotMatch"));
        assert!(explanation.is_some());
    }

    #[test]
    fn a_form_body_is_signed_with_the_query() {
        // A form POST signs "POST" and the body's parameters.
        let params = lookup(&[]);
        let view = RequestView {
            method: "POST",
            scheme: Scheme::Http,
            host: "webservices.amazon.com",
            path: "/onca/xml",
            params: &params,
        };
        let signature = crate::sigv2::sign(&view, SignatureMethod::HmacSha256, &SecretKey::new(SECRET)).signature;
        let form = crate::sigv2::wire_query(&params, Some(&signature));
        let headers = [HOST[0], ("content-type", "application/x-www-form-urlencoded; charset=utf-8")];
        let (outcome, _) = answered(run("POST", "/onca/xml", &headers, form.as_bytes(), PipelineLimits::default()));
        assert_eq!(outcome.record.verdict, Verdict::Accepted, "{}", outcome.body);
        // Without the form content type, the body is not parameters: nothing is signed.
        let (outcome, _) = answered(run("POST", "/onca/xml", &HOST, form.as_bytes(), PipelineLimits::default()));
        assert_eq!(outcome.record.verdict, Verdict::Refused);
    }

    #[test]
    fn bad_input_gets_the_services_own_error() {
        let (outcome, explanation) = answered(run("GET", "/onca/xml?a=%ZZ", &HOST, b"", PipelineLimits::default()));
        assert_eq!((outcome.status, outcome.record.error_code.as_deref()), (400, Some("MalformedQueryString")));
        assert!(outcome.body.contains("of the query string"), "{}", outcome.body);
        assert_eq!(explanation, None);
        let target = format!("/onca/xml?{}", signed_query(&lookup(&[]), "webservices.amazon.com", &[]));
        let (outcome, _) =
            answered(run("GET", &target, &HOST, b"", PipelineLimits { max_params: 3, ..PipelineLimits::default() }));
        assert_eq!(outcome.record.error_code.as_deref(), Some("MalformedQueryString"));
        assert!(outcome.body.contains("more than the 3 accepted"), "{}", outcome.body);
    }

    #[test]
    fn no_service_at_an_unknown_place() {
        assert_eq!(
            run("GET", "/nowhere", &[("host", "127.0.0.1:8080")], b"", PipelineLimits::default()),
            Processed::NoService
        );
    }

    #[test]
    fn raw_parts() {
        let headers = vec![("Host".to_owned(), "h:1".to_owned())];
        let raw =
            RawRequest { method: "GET", scheme: Scheme::Http, target: "/p/q?a=1&b#frag", headers: &headers, body: b"" };
        assert_eq!((raw.host(), raw.path(), raw.query()), ("h:1", "/p/q", "a=1&b"));
        let raw = RawRequest { target: "/only", ..raw };
        assert_eq!((raw.path(), raw.query()), ("/only", ""));
    }
}
