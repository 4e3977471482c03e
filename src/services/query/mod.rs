//! The classic AWS Query APIs signed with SigV2 (`SignatureVersion=2`), on the generic AWS
//! endpoint: Amazon SimpleDB (2009-04-15), EC2's Query API and Elastic MapReduce
//! (2009-03-31, whose `DescribeJobFlows` is the AWS General Reference's SigV2 example).
//!
//! Which API: the Host when it names one (`sdb.amazonaws.com`, `sdb.{region}.amazonaws.com`,
//! `ec2.amazonaws.com`, `ec2.{region}.amazonaws.com`, `elasticmapreduce[.{region}]
//! .amazonaws.com`), else (loopback, an unknown host)
//! SimpleDB's `Version` (2009-04-15) with one of its ten `Action`s. [`refine`] makes that
//! decision once the form body is decoded: a SigV2 request that [`super::dispatch`] sent to
//! the generic SigV4 endpoint (an `amazonaws.com` host) or to MWS's default (`/` on a host
//! that is no MWS host) comes here instead. MWS's own hosts and requests (their Versions
//! are section dates, never 2009-04-15) keep going to MWS.
//!
//! The signature is checked with the keystore's `aws` secrets
//! ([`crate::keystore::Family::Aws`]): the AWS documentation's SigV2 examples sign
//! `AKIAIOSFODNN7EXAMPLE` with `wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`.
//!
//! Answers, in each API's own XML:
//! - SimpleDB: errors `<Response><Errors><Error><Code/><Message/><BoxUsage/></Error></Errors>
//!   <RequestID/></Response>` (`protocols.md` §4: a recorded SimpleDB error with `BoxUsage`
//!   inside `Error`; boto's tests: `AuthorizationFailure` 403 with `BoxUsage`); success
//!   `{Action}Response` in `http://sdb.amazonaws.com/doc/2009-04-15/` with `{Action}Result`
//!   and `ResponseMetadata/RequestId` + `BoxUsage` (SimpleDB Developer Guide, ListDomains and
//!   DomainMetadata "Sample Response"; botocore's sdb model reads `ListDomainsResult`'s
//!   flattened `DomainName`s). `ListDomains` answers the Developer Guide sample's two
//!   domains; `DomainMetadata` answers for them (`NoSuchDomain` otherwise); `Select` reads
//!   the domain after `from` in its `SelectExpression` and answers an empty `SelectResult`
//!   for a demo domain (they hold no items: `DomainMetadata` says `ItemCount` 0),
//!   `NoSuchDomain` for another, `InvalidQueryExpression` when the expression is not
//!   `select … from domain …` (botocore's sdb model lists both errors for Select; the
//!   messages are the model's); the other SimpleDB actions are answered `NotImplemented`
//!   (501, our code: the mock stores nothing).
//! - EC2: errors `<Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/>
//!   </Response>` (`protocols.md` §4: an EC2 `AuthFailure` 401 and boto's
//!   `InvalidInstanceID.NotFound`); a request that authenticates is answered
//!   `NotImplemented` (no EC2 operation is mocked).
//! - EMR: the Query protocol's `<ErrorResponse><Error><Type/><Code/><Message/></Error>
//!   <RequestId/></ErrorResponse>` in `http://elasticmapreduce.amazonaws.com/doc/2009-03-31`
//!   (the shape the generic endpoint answers Query services with, `aws::protocol`; no
//!   recorded EMR error was found); `DescribeJobFlows` answers an empty `JobFlows` list
//!   (EMR API 2009-03-31: `DescribeJobFlowsResult/JobFlows`), other actions
//!   `NotImplemented`. With the embedded keystore the General Reference's example request
//!   (AKIAIOSFODNN7EXAMPLE, 2011-10-03T15:19:30) verifies as published.
//!
//! Error codes (SimpleDB Developer Guide, "API Error Codes": `AuthFailure` 403 "AWS was not
//! able to validate the provided access keys.", `AuthMissingFailure` 403 "AWS was not able to
//! authenticate the request: access keys are missing.", `InvalidAction` 400 "The action …
//! is not valid for this web service.", `NoSuchDomain`, `MissingParameter`,
//! `InvalidParameterValue`; AWS "Common Errors": `SignatureDoesNotMatch` 403 and its text,
//! `RequestExpired` 400, `MissingAction` 400, `InvalidParameterCombination` 400), one table in
//! `verify_failure`.

use super::{Ctx, Outcome, Record, ServiceKind, ServiceRequest, Verdict};
use crate::encoding::ParamList;
use crate::keystore::Family;
use crate::scheme::SchemeId;
use crate::sigv2::{SignatureMethod, VerifyFailure, VerifyPolicy};
use crate::xml::Element;

/// A Query API the mock verifies SigV2 for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryApi {
    /// Amazon SimpleDB, API version 2009-04-15.
    SimpleDb,
    /// Amazon EC2's Query API (authentication only; no operation is mocked).
    Ec2,
    /// Amazon Elastic MapReduce, API version 2009-03-31.
    Emr,
}

/// SimpleDB's API version (the one botocore's `sdb` model speaks).
pub(crate) const SIMPLEDB_VERSION: &str = "2009-04-15";

/// SimpleDB's actions (botocore `sdb/2009-04-15/service-2.json`, `operations`).
const SIMPLEDB_ACTIONS: [&str; 10] = [
    "BatchDeleteAttributes",
    "BatchPutAttributes",
    "CreateDomain",
    "DeleteAttributes",
    "DeleteDomain",
    "DomainMetadata",
    "GetAttributes",
    "ListDomains",
    "PutAttributes",
    "Select",
];

/// EMR's API version (2009-03-31, the General Reference's SigV2 example).
const EMR_VERSION: &str = "2009-03-31";

/// EMR's actions in API 2009-03-31 (EMR API Reference 2009-03-31, "Actions").
const EMR_ACTIONS: [&str; 7] = [
    "AddInstanceGroups",
    "AddJobFlowSteps",
    "DescribeJobFlows",
    "ModifyInstanceGroups",
    "RunJobFlow",
    "SetTerminationProtection",
    "TerminateJobFlows",
];

/// The domains `ListDomains` answers (the SimpleDB Developer Guide's ListDomains sample).
pub(crate) const DEMO_DOMAINS: [&str; 2] = ["Domain1-200706011651", "Domain2-200706011652"];

/// `BoxUsage` of every answer (the value of the Developer Guide's samples).
const BOX_USAGE: &str = "0.0000219907";

impl QueryApi {
    /// The endpoint prefix (`sdb`, `ec2`).
    pub fn name(self) -> &'static str {
        match self {
            Self::SimpleDb => "sdb",
            Self::Ec2 => "ec2",
            Self::Emr => "elasticmapreduce",
        }
    }

    /// The API a real AWS host (lowercase, no port) serves, when it is one of these.
    pub fn for_host(host: &str) -> Option<Self> {
        let rest = host.strip_suffix(".amazonaws.com").or_else(|| host.strip_suffix(".amazonaws.com.cn"))?;
        let (prefix, region) = rest.split_once('.').map_or((rest, None), |(p, r)| (p, Some(r)));
        let region_ok = region.is_none_or(|r| !r.is_empty() && !r.contains('.'));
        match prefix {
            "sdb" if region_ok => Some(Self::SimpleDb),
            "ec2" if region_ok => Some(Self::Ec2),
            "elasticmapreduce" if region_ok => Some(Self::Emr),
            _ => None,
        }
    }

    /// The API the parameters name when the host does not decide: SimpleDB's `Version` with
    /// one of its actions, or EMR's with one of its (no MWS API has either version).
    pub fn for_params(params: &ParamList) -> Option<Self> {
        let action = params.get("Action")?;
        match params.get("Version")? {
            SIMPLEDB_VERSION if SIMPLEDB_ACTIONS.contains(&action) => Some(Self::SimpleDb),
            EMR_VERSION if EMR_ACTIONS.contains(&action) => Some(Self::Emr),
            _ => None,
        }
    }
}

/// True when `params` carry SigV2's parameters (what a Query API client signs with).
fn is_sigv2(params: &ParamList) -> bool {
    params.get("SignatureVersion") == Some("2") || params.get("AWSAccessKeyId").is_some()
}

/// The route once the parameters (query and form body) are known: a SigV2 Query request
/// that [`super::dispatch`] sent to the generic SigV4 endpoint or to MWS's default goes to
/// the Query API it names (see the module docs); any other route stays.
pub(crate) fn refine(route: super::Route, key: &super::RouteKey<'_>, params: &ParamList) -> super::Route {
    use super::Route;
    let bare = crate::sigv2::host_without_port(key.host).to_ascii_lowercase();
    let signed_v4 = key.scheme() == Some(SchemeId::V4) || key.header("x-amz-target").is_some();
    let api = match &route {
        Route::Aws if !signed_v4 && is_sigv2(params) => {
            QueryApi::for_host(&bare).or_else(|| QueryApi::for_params(params))
        }
        Route::Mws { .. } if !super::mws::is_mws_host(&bare) && is_sigv2(params) => {
            QueryApi::for_host(&bare).or_else(|| QueryApi::for_params(params))
        }
        _ => None,
    };
    api.map_or(route, |api| Route::Query { api })
}

/// An error answer: status, code, message.
#[derive(Debug, Clone, PartialEq, Eq)]
struct QueryError {
    status: u16,
    code: &'static str,
    message: String,
}

impl QueryError {
    fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into() }
    }
}

/// `SignatureDoesNotMatch`'s text (AWS "Common Errors"; the same as the SigV4 endpoint's).
const SIGNATURE_MISMATCH: &str = super::aws::messages::SIGNATURE_MISMATCH;

/// Each SigV2 failure as `api` answers it:
///
/// | failure | status | code | message |
/// |---|---|---|---|
/// | MissingParameter(AWSAccessKeyId) | 403 | AuthMissingFailure | SimpleDB DG (EC2: the same, chosen) |
/// | MissingParameter(p) | 400 | MissingParameter | "The request must contain the parameter {p}." |
/// | TimestampWithExpires | 400 | InvalidParameterCombination | EC2's "The parameter Timestamp cannot be used with the parameter Expires" |
/// | UnsupportedSignatureVersion / Method, MalformedTimestamp | 400 | InvalidParameterValue | "Value {v} for parameter {p} is invalid." (chosen) |
/// | UnknownAccessKey / InactiveAccessKey | SimpleDB 403, EC2 401 | AuthFailure | SimpleDB DG; EC2 as recorded (`protocols.md` §4) |
/// | SignatureNotBase64 / WrongLength / Mismatch | 403 | SignatureDoesNotMatch | AWS "Common Errors" |
/// | Expired / TimestampInFuture | 400 | RequestExpired | "Request has expired. {p} date is {raw}." (Alexa's table wording) / "Request is not yet valid. Timestamp date is {raw}." (chosen) |
fn verify_failure(api: QueryApi, failure: &VerifyFailure) -> QueryError {
    let bad = |m: String| QueryError::new(400, "InvalidParameterValue", m);
    match failure {
        VerifyFailure::MissingParameter("AWSAccessKeyId") => QueryError::new(
            403,
            "AuthMissingFailure",
            "AWS was not able to authenticate the request: access keys are missing.",
        ),
        VerifyFailure::MissingParameter(p) => {
            QueryError::new(400, "MissingParameter", format!("The request must contain the parameter {p}."))
        }
        VerifyFailure::TimestampWithExpires => QueryError::new(
            400,
            "InvalidParameterCombination",
            "The parameter Timestamp cannot be used with the parameter Expires",
        ),
        VerifyFailure::UnsupportedSignatureVersion(_)
        | VerifyFailure::UnsupportedSignatureMethod(_)
        | VerifyFailure::MalformedTimestamp { .. } => bad(crate::services::sigv2_invalid_value(failure)),
        VerifyFailure::UnknownAccessKey(_) | VerifyFailure::InactiveAccessKey(_) => match api {
            QueryApi::SimpleDb => {
                QueryError::new(403, "AuthFailure", "AWS was not able to validate the provided access keys.")
            }
            QueryApi::Ec2 => {
                QueryError::new(401, "AuthFailure", "AWS was not able to validate the provided access credentials")
            }
            // The Query services' common error (AWS "Common Errors": InvalidClientTokenId 403).
            QueryApi::Emr => QueryError::new(
                403,
                "InvalidClientTokenId",
                "The AWS Access Key Id you provided does not exist in our records.",
            ),
        },
        VerifyFailure::SignatureNotBase64 { .. }
        | VerifyFailure::SignatureWrongLength { .. }
        | VerifyFailure::Mismatch { .. } => QueryError::new(403, "SignatureDoesNotMatch", SIGNATURE_MISMATCH),
        VerifyFailure::Expired { param, raw } => {
            QueryError::new(400, "RequestExpired", format!("Request has expired. {param} date is {raw}."))
        }
        VerifyFailure::TimestampInFuture { raw } => {
            QueryError::new(400, "RequestExpired", format!("Request is not yet valid. Timestamp date is {raw}."))
        }
    }
}

/// Answers a SigV2 Query request for `api`: the action is named, the signature verifies
/// (with the `aws` secrets), then the operation.
pub(crate) fn handle(ctx: &Ctx<'_>, req: &ServiceRequest<'_>, api: QueryApi) -> Outcome {
    let params = req.view.params;
    let mut record = Record {
        operation: params.get("Action").map(str::to_owned),
        access_key_id: params.get("AWSAccessKeyId").map(str::to_owned),
        ..Record::refused(ServiceKind::Aws)
    };
    let answer = run(ctx, req, api, &mut record);
    let (status, body) = match answer {
        Ok(body) => {
            record.verdict = Verdict::Accepted;
            (200, body)
        }
        Err(e) => {
            record.error_code = Some(e.code.to_owned());
            (e.status, error_body(api, &e, ctx.request_id))
        }
    };
    Outcome { status, content_type: "text/xml".to_owned(), headers: Vec::new(), body, object: None, record }
}

fn run(ctx: &Ctx<'_>, req: &ServiceRequest<'_>, api: QueryApi, record: &mut Record) -> Result<String, QueryError> {
    let params = req.view.params;
    let Some(action) = params.get("Action").filter(|a| !a.is_empty()) else {
        return Err(QueryError::new(400, "MissingAction", "No action was supplied with this request."));
    };
    let policy = VerifyPolicy {
        max_skew_secs: ctx.options.max_skew_secs,
        default_method: SignatureMethod::HmacSha256,
        host_match: ctx.options.host_match,
    };
    let verified = crate::sigv2::verify(&req.view, &ctx.keys.family(Family::Aws), ctx.now, &policy).map_err(|f| {
        let e = verify_failure(api, &f);
        record.failure = Some(f.into());
        e
    })?;
    record.host_form = Some(verified.host_form);
    match api {
        QueryApi::SimpleDb => simpledb(ctx, params, action),
        QueryApi::Ec2 => Err(not_implemented(api, action)),
        QueryApi::Emr => emr(ctx, params, action),
    }
}

fn not_implemented(api: QueryApi, action: &str) -> QueryError {
    QueryError::new(
        501,
        "NotImplemented",
        format!(
            "The amzsig mock authenticated this request but does not implement the {} action {action}.",
            api.name()
        ),
    )
}

/// SimpleDB's operations.
fn simpledb(ctx: &Ctx<'_>, params: &ParamList, action: &str) -> Result<String, QueryError> {
    if !SIMPLEDB_ACTIONS.contains(&action) {
        return Err(QueryError::new(
            400,
            "InvalidAction",
            format!("The action {action} is not valid for this web service."),
        ));
    }
    match params.get("Version") {
        None => {
            return Err(QueryError::new(400, "MissingParameter", "The request must contain the parameter Version."))
        }
        Some(SIMPLEDB_VERSION) => {}
        Some(v) => {
            return Err(QueryError::new(400, "NoSuchVersion", format!("The requested version ({v}) is not valid.")));
        }
    }
    let result = match action {
        "ListDomains" => {
            Element::new("ListDomainsResult").children(DEMO_DOMAINS.map(|d| Element::new("DomainName").text(d)))
        }
        "DomainMetadata" => {
            let Some(name) = params.get("DomainName").filter(|n| !n.is_empty()) else {
                return Err(QueryError::new(
                    400,
                    "MissingParameter",
                    "The request must contain the parameter DomainName.",
                ));
            };
            if !DEMO_DOMAINS.contains(&name) {
                return Err(QueryError::new(400, "NoSuchDomain", "The specified domain does not exist."));
            }
            Element::new("DomainMetadataResult")
                .leaf("ItemCount", "0")
                .leaf("ItemNamesSizeBytes", "0")
                .leaf("AttributeNameCount", "0")
                .leaf("AttributeNamesSizeBytes", "0")
                .leaf("AttributeValueCount", "0")
                .leaf("AttributeValuesSizeBytes", "0")
                .leaf("Timestamp", ctx.now.unix_secs().to_string())
        }
        "Select" => {
            let Some(expression) = params.get("SelectExpression").filter(|e| !e.is_empty()) else {
                return Err(QueryError::new(
                    400,
                    "MissingParameter",
                    "The request must contain the parameter SelectExpression.",
                ));
            };
            let Some(domain) = select_domain(expression) else {
                return Err(QueryError::new(
                    400,
                    "InvalidQueryExpression",
                    "The specified query expression syntax is not valid.",
                ));
            };
            if !DEMO_DOMAINS.contains(&domain.as_str()) {
                return Err(QueryError::new(400, "NoSuchDomain", "The specified domain does not exist."));
            }
            Element::new("SelectResult")
        }
        _ => return Err(not_implemented(QueryApi::SimpleDb, action)),
    };
    let root = Element::new(format!("{action}Response"))
        .attr("xmlns", format!("http://sdb.amazonaws.com/doc/{SIMPLEDB_VERSION}/"))
        .child(result)
        .child(Element::new("ResponseMetadata").leaf("RequestId", ctx.request_id).leaf("BoxUsage", BOX_USAGE));
    Ok(root.to_document())
}

/// The domain a select expression reads (`select output from domain [where …]`): a name
/// of `a-z A-Z 0-9 _ - .`, or any text between backticks (a doubled backtick is one),
/// per the SimpleDB Developer Guide's "Select" syntax. `None` when the expression is not
/// of that shape.
fn select_domain(expression: &str) -> Option<String> {
    let lower = expression.to_ascii_lowercase();
    if !lower.trim_start().starts_with("select ") {
        return None;
    }
    let at = lower.find(" from ")? + " from ".len();
    let rest = expression[at..].trim_start();
    if let Some(quoted) = rest.strip_prefix('`') {
        let mut name = String::new();
        let mut chars = quoted.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, chars.peek()) {
                ('`', Some('`')) => {
                    name.push('`');
                    chars.next();
                }
                ('`', _) => return Some(name),
                (c, _) => name.push(c),
            }
        }
        return None;
    }
    let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')).collect();
    (!name.is_empty()).then_some(name)
}

/// EMR's namespace (API 2009-03-31).
const EMR_NAMESPACE: &str = "http://elasticmapreduce.amazonaws.com/doc/2009-03-31";

/// Elastic MapReduce's operations: `DescribeJobFlows` (no job flows).
fn emr(ctx: &Ctx<'_>, params: &ParamList, action: &str) -> Result<String, QueryError> {
    if action != "DescribeJobFlows" {
        return Err(not_implemented(QueryApi::Emr, action));
    }
    if params.get("Version").is_none() {
        return Err(QueryError::new(400, "MissingParameter", "The request must contain the parameter Version."));
    }
    let root = Element::new("DescribeJobFlowsResponse")
        .attr("xmlns", EMR_NAMESPACE)
        .child(Element::new("DescribeJobFlowsResult").child(Element::new("JobFlows")))
        .child(Element::new("ResponseMetadata").leaf("RequestId", ctx.request_id));
    Ok(root.to_document())
}

/// The API's error envelope (see the module docs).
fn error_body(api: QueryApi, e: &QueryError, request_id: &str) -> String {
    if api == QueryApi::Emr {
        let kind = if e.status >= 500 { "Receiver" } else { "Sender" };
        return Element::new("ErrorResponse")
            .attr("xmlns", EMR_NAMESPACE)
            .child(Element::new("Error").leaf("Type", kind).leaf("Code", e.code).leaf("Message", e.message.as_str()))
            .leaf("RequestId", request_id)
            .to_document();
    }
    let mut error = Element::new("Error").leaf("Code", e.code).leaf("Message", e.message.as_str());
    if api == QueryApi::SimpleDb {
        error = error.leaf("BoxUsage", BOX_USAGE);
    }
    Element::new("Response").child(Element::new("Errors").child(error)).leaf("RequestID", request_id).to_document()
}

#[cfg(test)]
mod tests;
