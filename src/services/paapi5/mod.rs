//! Product Advertising API 5.0 (`POST /paapi5/{operation}`, SigV4, JSON) as pure request
//! rules: [`handle`] decides the answer to one request.
//!
//! Spec: PA-API 5.0 documentation (webservices.amazon.com/paapi5/documentation/):
//! "Sending a Request" (POST to `https://{host}/paapi5/{operation}` with the signed
//! headers `content-encoding: amz-1.0`, `content-type: application/json; charset=utf-8`,
//! `host`, `x-amz-date`, `x-amz-target: com.amazon.paapi5.v1.ProductAdvertisingAPIv1.
//! {Operation}`; SigV4 service `ProductAdvertisingAPI`), "Common Request Parameters"
//! (`PartnerTag`, `PartnerType` = `Associates`, `Marketplace` optional: "We determine the
//! target Amazon Locale from the Host value"), the operation pages (GetItems: `ItemIds`, at
//! most 10, `ItemIdType` `ASIN`; SearchItems: `Keywords`, `SearchIndex`, `ItemCount` 1–10,
//! `ItemPage` 1–10; GetVariations: `ASIN`; GetBrowseNodes: `BrowseNodeIds`, at most 10;
//! `Resources` per operation), "API Rates" (one request per second per key initially);
//! reference/protocols.md §5.1. Response shapes (`ItemsResult.Items[].ASIN`,
//! `DetailPageURL`, `ItemInfo.Title.DisplayValue`, `Offers.Listings[].Price`, top-level
//! `Errors` of `com.amazon.paapi5#ErrorData`) follow the documentation's samples and
//! captured answers quoted in client code; error texts and their sources are in
//! [`errors`]. The data is the V2 PA-API's catalogue ([`crate::catalogue::paapi`]).
//!
//! Order of checks: the operation from the path (404 `UnknownOperation`), the SigV4 check
//! ([`crate::sigv4::verify`], scope `{date}/{locale region}/ProductAdvertisingAPI`), the
//! session token of temporary credentials (`X-Amz-Security-Token`, header or presigned
//! query, judged by [`crate::keystore::Keystore::session`]; like the generic endpoint,
//! [`crate::services::aws`], a token problem wins over a signature mismatch or a time
//! failure, because AWS reads the token to find the secret), one
//! request per second per key (429), `X-Amz-Target` naming the path's operation, the
//! account (no Associate tag anywhere: 403 `AccessDenied`; none in this locale: 403
//! `InvalidAssociate`), the JSON body, `PartnerTag` (400 `InvalidPartnerTag`),
//! `PartnerType`, `Marketplace`, then the operation.
//!
//! Choices where no source decides: `content-encoding` and `content-type` are not
//! required (they are checked only through the signature when signed); a `Marketplace`
//! other than the host's is `InvalidParameterValue` (a captured report says Amazon
//! answers `TooManyRequests` then, which would hide the cause); `Resources` left out
//! gives only `ASIN` and `DetailPageURL`; GetVariations returns the item and its
//! catalogue `similar` items as its variations; `x-amzn-RequestId` is sent on every answer.

pub(crate) mod errors;
pub(crate) mod locale;
mod ops;

use super::{Ctx, Outcome, Quota, Record, ServiceKind, ServiceRequest, ThrottleDecision, Throttling, Verdict};
use crate::keystore::{Family, SessionCheck};
use crate::sigv4::SigningSettings;
use errors::Refusal;
use locale::Locale5;
use serde_json::Value;

/// The SigV4 service name of PA-API 5.0.
pub(crate) const SERVICE: &str = "ProductAdvertisingAPI";
/// The `X-Amz-Target` prefix; the operation name follows.
pub(crate) const TARGET_PREFIX: &str = "com.amazon.paapi5.v1.ProductAdvertisingAPIv1.";
/// `Content-Type` of every answer.
pub(crate) const CONTENT_TYPE: &str = "application/json";
/// One request per second per access key ("API Rates": 1 TPS initially), no burst.
pub(crate) const QUOTA: Quota = Quota { burst: 1.0, restore_secs: 1.0 };

/// The operations served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operation {
    /// `GetItems`.
    GetItems,
    /// `SearchItems`.
    SearchItems,
    /// `GetVariations`.
    GetVariations,
    /// `GetBrowseNodes`.
    GetBrowseNodes,
}

impl Operation {
    /// Every operation.
    pub(crate) const ALL: [Operation; 4] =
        [Self::GetItems, Self::SearchItems, Self::GetVariations, Self::GetBrowseNodes];

    /// The operation's name (`X-Amz-Target` suffix).
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::GetItems => "GetItems",
            Self::SearchItems => "SearchItems",
            Self::GetVariations => "GetVariations",
            Self::GetBrowseNodes => "GetBrowseNodes",
        }
    }

    /// The operation at `/paapi5/{lowercase name}`.
    pub(crate) fn from_path(path: &str) -> Option<Self> {
        let op = path.strip_prefix(super::PAAPI5_PREFIX)?;
        Self::ALL.into_iter().find(|o| o.name().eq_ignore_ascii_case(op) && op.bytes().all(|b| b.is_ascii_lowercase()))
    }
}

/// The SigV4 rules of a locale's endpoint: scope `…/{region}/ProductAdvertisingAPI/…`,
/// the general canonicalisation.
pub(crate) fn rules(locale: &str) -> super::V4Rules {
    let loc = locale::by_code(locale).unwrap_or(&locale::LOCALES[0]);
    super::V4Rules {
        service: Some(SERVICE.to_owned()),
        region: Some(loc.region.to_owned()),
        settings: SigningSettings::default(),
    }
}

/// Locale code of a PA-API 5.0 host (lowercase, no port).
pub(crate) fn locale_for_host(host: &str) -> Option<&'static str> {
    locale::for_host(host).map(|l| l.code)
}

/// The static locale code equal to `code`, if PA-API 5.0 serves it.
pub(crate) fn locale_code(code: &str) -> Option<&'static str> {
    locale::by_code(code).map(|l| l.code)
}

fn new_record(operation: Option<&str>) -> Record {
    Record { operation: operation.map(str::to_owned), ..Record::refused(ServiceKind::Paapi5) }
}

/// The `X-Amz-Target` operation, when the header has the PA-API prefix.
fn target_operation<'a>(req: &ServiceRequest<'a>) -> Option<&'a str> {
    req.header("x-amz-target").and_then(|t| t.trim().strip_prefix(TARGET_PREFIX))
}

/// Answers a PA-API 5.0 request sent to a host of `locale`.
pub(crate) fn handle(ctx: &Ctx<'_>, req: &ServiceRequest<'_>, locale: &'static str) -> Outcome {
    let loc = locale::by_code(locale).unwrap_or(&locale::LOCALES[0]);
    let op = Operation::from_path(req.view.path).filter(|_| req.view.method == "POST");
    let mut record = new_record(op.map(Operation::name).or_else(|| target_operation(req)));
    let Some(op) = op else {
        return refused(ctx, loc, record, &Refusal::UnknownOperation);
    };

    let signable = req.signable();
    let rules = rules(loc.code);
    let policy = rules.policy(ctx.options.max_skew_secs);
    record.access_key_id = claimed_access_key(req);
    let token =
        req.header(crate::sigv4::X_AMZ_SECURITY_TOKEN).or_else(|| req.query.get(crate::sigv4::X_AMZ_SECURITY_TOKEN));
    let verified = match ctx.verify_v4(&signable, &policy, Family::Paapi) {
        Ok(v) => v,
        Err(failure) => {
            if let (true, Some(akid)) = (super::aws::after_key_lookup(&failure), &record.access_key_id) {
                if let Some(r) = token_refusal(ctx.keys.session(akid, token, ctx.now)) {
                    return refused(ctx, loc, record, &r);
                }
            }
            record.failure = Some(failure.clone().into());
            return refused(ctx, loc, record, &Refusal::Verify(failure));
        }
    };
    let akid = verified.access_key_id.clone();
    record.access_key_id = Some(akid.clone());
    if let Some(r) = token_refusal(ctx.keys.session(&akid, token, ctx.now)) {
        return refused(ctx, loc, record, &r);
    }
    if ctx.options.throttling == Throttling::On {
        if let ThrottleDecision::Throttled { .. } = ctx.throttle.take(&format!("paapi5:{akid}"), QUOTA, ctx.now) {
            return refused(ctx, loc, record, &Refusal::Throttled);
        }
    }
    if target_operation(req) != Some(op.name()) {
        return refused(ctx, loc, record, &Refusal::UnknownOperation);
    }
    let tags = ctx.keys.account_for_key(&akid).map(|a| &a.associate_tags);
    if tags.is_none_or(std::collections::BTreeMap::is_empty) {
        return refused(ctx, loc, record, &Refusal::NotRegistered { access_key_id: akid });
    }
    let Some(registered) = tags.and_then(|t| t.get(loc.code)) else {
        return refused(ctx, loc, record, &Refusal::NotAnAssociate { access_key_id: akid });
    };
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(req.body) else {
        return refused(ctx, loc, record, &Refusal::MalformedBody);
    };
    let partner_tag = body.get("PartnerTag").and_then(Value::as_str).unwrap_or("");
    if !crate::crypto::constant_time_eq(partner_tag.as_bytes(), registered.as_bytes()) {
        return refused(ctx, loc, record, &Refusal::InvalidPartnerTag { access_key_id: akid });
    }
    match body.get("PartnerType") {
        None => return refused(ctx, loc, record, &Refusal::MissingParameter("PartnerType")),
        Some(Value::String(s)) if s == "Associates" => {}
        Some(other) => {
            return refused(ctx, loc, record, &Refusal::InvalidParameterValue("PartnerType", value_text(other)))
        }
    }
    if let Some(m) = body.get("Marketplace") {
        if m.as_str().is_none_or(|m| !m.eq_ignore_ascii_case(loc.marketplace)) {
            return refused(ctx, loc, record, &Refusal::InvalidParameterValue("Marketplace", value_text(m)));
        }
    }
    let input = ops::Input { body: &body, locale: loc, catalogue: &ctx.catalogue.paapi, partner_tag };
    match ops::run(op, &input) {
        Ok(answer) => {
            record.verdict = Verdict::Accepted;
            record.error_code = answer.first_error.map(str::to_owned);
            Outcome {
                status: 200,
                content_type: CONTENT_TYPE.to_owned(),
                headers: request_id_header(ctx.request_id),
                body: answer.body.to_string(),
                object: None,
                record,
            }
        }
        Err(refusal) => {
            // Authenticated: a parameter problem is the caller's, not the signature's.
            let mut out = refused(ctx, loc, record, &refusal);
            out.record.verdict = Verdict::Accepted;
            out
        }
    }
}

/// The refusal for a session token that does not fit its key, if any.
fn token_refusal(check: SessionCheck) -> Option<Refusal> {
    match check {
        SessionCheck::LongTerm | SessionCheck::Valid | SessionCheck::UnknownKey => None,
        SessionCheck::MissingToken | SessionCheck::UnexpectedToken | SessionCheck::WrongToken => {
            Some(Refusal::InvalidToken)
        }
        SessionCheck::Expired => Some(Refusal::ExpiredToken),
    }
}

/// The access key id the request claims (for the journal, before verification).
fn claimed_access_key(req: &ServiceRequest<'_>) -> Option<String> {
    let credential = match req.header("authorization") {
        Some(a) => a.split("Credential=").nth(1)?.split([',', ' ']).next()?.to_owned(),
        None => req.query.get(crate::sigv4::X_AMZ_CREDENTIAL)?.to_owned(),
    };
    credential.split('/').next().filter(|k| !k.is_empty()).map(str::to_owned)
}

/// A JSON value as it appears in a message (strings without quotes).
fn value_text(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
}

fn request_id_header(request_id: &str) -> Vec<(String, String)> {
    vec![("x-amzn-RequestId".to_owned(), request_id.to_owned())]
}

fn error_body(answer: &errors::Answer) -> String {
    serde_json::json!({
        "__type": format!("com.amazon.paapi5#{}", answer.exception),
        "Errors": [{"Code": answer.code, "Message": answer.message}],
    })
    .to_string()
}

fn refused(ctx: &Ctx<'_>, locale: &Locale5, mut record: Record, refusal: &Refusal) -> Outcome {
    let answer = errors::answer_for(refusal, locale, ctx.now, ctx.options.max_skew_secs);
    record.error_code = Some(answer.code.to_owned());
    Outcome {
        status: answer.status,
        content_type: CONTENT_TYPE.to_owned(),
        headers: request_id_header(ctx.request_id),
        body: error_body(&answer),
        object: None,
        record,
    }
}

/// The answer to a request whose query string does not decode (PA-API 5.0 takes no query
/// parameters; the text is the AWS Query front end's `MalformedQueryString`).
pub(crate) fn malformed(request_id: &str, message: &str) -> Outcome {
    let mut record = new_record(None);
    record.error_code = Some("MalformedQueryString".to_owned());
    let answer = errors::Answer {
        status: 400,
        exception: "MalformedQueryStringException",
        code: "MalformedQueryString",
        message: message.to_owned(),
    };
    Outcome {
        status: 400,
        content_type: CONTENT_TYPE.to_owned(),
        headers: request_id_header(request_id),
        body: error_body(&answer),
        object: None,
        record,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_by_lowercase_path_only() {
        assert_eq!(Operation::from_path("/paapi5/getitems"), Some(Operation::GetItems));
        assert_eq!(Operation::from_path("/paapi5/getbrowsenodes"), Some(Operation::GetBrowseNodes));
        assert_eq!(Operation::from_path("/paapi5/GetItems"), None);
        assert_eq!(Operation::from_path("/paapi5/getitem"), None);
    }

    #[test]
    fn every_locale_has_a_v2_price_format_and_region() {
        for l in locale::LOCALES {
            assert!(crate::services::paapi::locale::by_code(l.code).is_some(), "{}", l.code);
            assert!(["us-east-1", "eu-west-1", "us-west-2"].contains(&l.region), "{}", l.code);
            assert_eq!(locale_for_host(l.host), Some(l.code));
        }
    }
}
