//! [`sign_with_mistakes`]: a SigV4 request signed the way a client that makes the
//! given mistakes would sign it, ready to send (the tests, the broken test adapters and
//! `amzsig explain`'s own tests use it). The correct signer ([`crate::sigv4::sign`]) sets
//! the headers or query parameters; the [`Recipe`] with the mistakes computes the
//! signature; transit mistakes (a proxy rewriting a signed header) are applied after.

use super::recipe::{BodyHashes, Claim, Recipe};
use super::{
    Mistake, SIGNED_HEADER_CHANGED, UNSIGNED_PAYLOAD_NOT_ALLOWED, WRONG_REGION, WRONG_SCOPE_DATE, WRONG_SERVICE,
};
use crate::encoding::{encode_into, Param, ParamList};
use crate::sigv4::{
    self, CredentialScope, SignableRequest, SignatureLocation, SigningParams, ALGORITHM, AUTHORIZATION,
    SCOPE_TERMINATOR, X_AMZ_CONTENT_SHA256, X_AMZ_CREDENTIAL, X_AMZ_SIGNATURE,
};

/// A request signed with mistakes, as the client sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRequest {
    /// The header fields to send, in order (the request's own, then `X-Amz-Date` and the
    /// other signer headers, then `Authorization` in the header form).
    pub headers: Vec<(String, String)>,
    /// The query parameters to send, in order (presigned: with the `X-Amz-*` ones).
    pub query: ParamList,
    /// [`query`](Self::query) as a raw query string (no `?`): each parameter as it was
    /// given, added ones percent-encoded.
    pub raw_query: String,
    /// The canonical request the client signed.
    pub canonical_request: String,
    /// The string to sign the client signed.
    pub string_to_sign: String,
    /// The signature as sent.
    pub signature: String,
}

/// Signs `req` (which must not carry a signature yet) the way a client making `mistakes`
/// would, with `params` describing the *right* scope and settings (the endpoint's). `None`
/// when a mistake cannot change anything for this request (a port to drop that the Host
/// does not have, a path that encodes alike once and twice, …).
pub fn sign_with_mistakes(
    req: &SignableRequest<'_>,
    params: &SigningParams<'_>,
    mistakes: &[Mistake],
) -> Option<SignedRequest> {
    let has = |m| mistakes.contains(&m);
    let region = if has(WRONG_REGION) { other_region(params.region) } else { params.region };
    let service = if has(WRONG_SERVICE) { other_service(params.service) } else { params.service };
    let out = sigv4::sign(req, &SigningParams { region, service, ..*params });
    let amz_date = params.time.to_amz_date();
    let scope_date = if has(WRONG_SCOPE_DATE) {
        params.time.plus_secs(-86_400).to_amz_date()[..8].to_owned()
    } else {
        amz_date[..8].to_owned()
    };
    let scope = CredentialScope {
        date: scope_date,
        region: region.to_owned(),
        service: service.to_owned(),
        terminator: SCOPE_TERMINATOR.to_owned(),
    };
    let credential = format!("{}/{scope}", params.access_key_id);

    let mut headers = req.headers.to_vec();
    let mut query = req.query.clone();
    match out.location {
        SignatureLocation::Headers => {
            let mut set = out.clone();
            set.headers.retain(|(n, _)| n != AUTHORIZATION);
            set.apply_headers(&mut headers);
        }
        SignatureLocation::QueryParams => {
            query.0.retain(|p| !out.query_params.iter().any(|(n, _)| *n == p.name));
            for (n, v) in out.query_params.iter().filter(|(n, _)| n != X_AMZ_SIGNATURE) {
                let v = if n == X_AMZ_CREDENTIAL { &credential } else { v };
                query.0.push(Param::new(n.clone(), v.clone()));
            }
        }
    }
    let claim = Claim {
        location: out.location,
        scope,
        signed_headers: out.canonical_request.signed_headers.split(';').map(str::to_owned).collect(),
        signature: String::new(),
        raw_date: amz_date,
        memo: BodyHashes::default(),
    };
    let policy = crate::sigv4::VerifyPolicy {
        expected_region: Some(params.region),
        expected_service: Some(params.service),
        settings: params.settings,
        ..crate::sigv4::VerifyPolicy::default()
    };
    let in_recipe: Vec<Mistake> = mistakes.iter().copied().filter(|m| *m != SIGNED_HEADER_CHANGED).collect();
    let recipe = {
        let view = SignableRequest { headers: (&headers).into(), query: &query, ..*req };
        Recipe::correct().with(&in_recipe, &view, &claim, &policy)?
    };
    // A client that hashes the wrong body also sends that hash in x-amz-content-sha256
    // (S3), where S3 takes it as is; there UNSIGNED-PAYLOAD is allowed, not a mistake.
    if let Some(h) = headers.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(X_AMZ_CONTENT_SHA256)) {
        if has(UNSIGNED_PAYLOAD_NOT_ALLOWED) {
            return None;
        }
        h.1 = recipe.client_payload_hash(req, &claim, &params.settings);
    }
    let view = SignableRequest { headers: (&headers).into(), query: &query, ..*req };
    let computed = recipe.first(&view, &claim, &policy, params.secret)?;
    match out.location {
        SignatureLocation::Headers => headers.push((
            AUTHORIZATION.to_owned(),
            format!(
                "{ALGORITHM} Credential={credential}, SignedHeaders={}, Signature={}",
                claim.signed_headers.join(";"),
                computed.signature
            ),
        )),
        SignatureLocation::QueryParams => query.0.push(Param::new(X_AMZ_SIGNATURE, computed.signature.clone())),
    }
    if has(SIGNED_HEADER_CHANGED) {
        rewrite_in_transit(&mut headers, &claim.signed_headers)?;
    }
    Some(SignedRequest {
        raw_query: raw_query(&query),
        headers,
        query,
        canonical_request: computed.canonical_request,
        string_to_sign: computed.string_to_sign,
        signature: computed.signature,
    })
}

/// What a proxy does to the first signed header it may touch: adds `; charset=utf-8` to
/// a `Content-Type` without one, or appends an element to any other value (as `Via` or
/// `X-Forwarded-For` grow). `None` when no signed header but the signer's own is sent.
fn rewrite_in_transit(headers: &mut [(String, String)], signed: &[String]) -> Option<()> {
    const OWN: [&str; 5] = ["host", "x-amz-date", X_AMZ_CONTENT_SHA256, "x-amz-security-token", "authorization"];
    let (name, value) = headers.iter_mut().find(|(n, _)| {
        signed.iter().any(|s| s.eq_ignore_ascii_case(n)) && !OWN.iter().any(|o| o.eq_ignore_ascii_case(n))
    })?;
    if name.eq_ignore_ascii_case("content-type") && !value.to_ascii_lowercase().contains("charset=") {
        value.push_str("; charset=utf-8");
    } else {
        value.push_str(", 1.1 amzsig-proxy");
    }
    Some(())
}

/// Each parameter as it was given (raw), joined with `&`.
fn raw_query(query: &ParamList) -> String {
    let mut out = String::new();
    for p in &query.0 {
        if !out.is_empty() {
            out.push('&');
        }
        if p.raw_name.is_empty() && !p.name.is_empty() {
            encode_into(&mut out, p.name.as_bytes());
        } else {
            out.push_str(&p.raw_name);
        }
        if let Some(v) = &p.raw_value {
            out.push('=');
            out.push_str(v);
        }
    }
    out
}

/// A region that is not `region`, for the wrong-region mistake.
fn other_region(region: &str) -> &'static str {
    if region == "us-east-1" {
        "us-west-2"
    } else {
        "us-east-1"
    }
}

/// A service that is not `service`, for the wrong-service mistake.
fn other_service(service: &str) -> &'static str {
    if service == "execute-api" {
        "s3"
    } else {
        "execute-api"
    }
}
