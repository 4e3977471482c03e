//! The scenario file format (YAML) as strict DTOs, and their validation into
//! [`super::Scenario`].
//!
//! ```yaml
//! source: "where the facts come from"          # default for every scenario below
//! scenarios:
//!   - name: paapi-space-in-keywords            # unique
//!     rule: "a space is encoded as %20, never +"
//!     catches: [space-as-plus]                 # diagnose::v2 mistake ids
//!     tags: [encoding]
//!     service: paapi                           # paapi | mws
//!     request:
//!       method: GET                            # default GET
//!       endpoint: https://webservices.amazon.com/onca/xml
//!       params: [[Operation, ItemSearch], [Keywords, harry potter]]
//!       credentials: paapi                     # alias, or {access_key_id, secret_key}
//!       timestamp: "2014-08-18T12:00:00Z"      # default: the suite time
//!       signature_method: HmacSHA256           # omit for PA-API style
//!       location: query                        # or form
//!     expect: accepted                         # or {error: SignatureDoesNotMatch}
//!     live: {repeat: 2, expect_last: {error: RequestThrottled}}
//! ```
//!
//! A SigV2 Query API on the generic endpoint (SimpleDB, EC2) is `service: aws` with
//! `sig: v2` and the SigV2 keys above.
//!
//! A SigV4 scenario (`sig: v4`, services `paapi5` and `aws`) gives the request as it goes
//! on the wire, and the scope:
//!
//! ```yaml
//!   - name: sts-get-caller-identity
//!     sig: v4                                  # the default for paapi5 and aws
//!     catches: [v4-query-not-sorted]           # diagnose::v4 mistake ids (v4-…)
//!     service: aws                             # paapi5 | aws
//!     request:
//!       method: POST
//!       endpoint: https://sts.amazonaws.com/   # path and query as sent
//!       headers: [[Content-Type, "application/x-www-form-urlencoded; charset=utf-8"]]
//!       body: "Action=GetCallerIdentity&Version=2011-06-15"
//!       credentials: aws                       # alias or {access_key_id, secret_key, session_token}
//!       region: us-east-1                      # the credential scope
//!       scope_service: sts
//!       payload: signed                        # signed | unsigned | content-sha256
//!       presign_expires: 3600                  # presigned URL instead of Authorization
//!     expect: accepted
//!     tolerate: [Nonce]                        # may be added by a client without deviating
//!     live: {host_independent: true}           # outcome does not need the scenario's Host:
//!                                              # clients without `host-header` run it too
//! ```
//!
//! Credential aliases (the embedded keystore's documentation keys): `paapi`, `paapi-2011`,
//! `aws`, `aws-v2` (AKIAIOSFODNN7EXAMPLE with the AWS docs' secret), `mws` (developer 1234-3214-4321), `mws-other` (authorised by nobody), `sts` (the
//! STS AssumeRole example's temporary credentials: ASIAIOSFODNN7EXAMPLE with its session
//! token, which the client must send as `X-Amz-Security-Token`).

use super::{
    Credentials, Expected, Inputs, Live, Location, PayloadMode, Problem, Scenario, ScenarioError, ScenarioRequest,
    Service, V2Inputs, V4Inputs, SUITE_TIME,
};
use crate::scheme::SchemeId;
use serde::Deserialize;
use std::path::Path;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ScenarioFile {
    #[serde(default)]
    pub source: Option<String>,
    pub scenarios: Vec<ScenarioDto>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ScenarioDto {
    name: String,
    rule: String,
    #[serde(default)]
    catches: Vec<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    sig: Option<SigDto>,
    service: Service,
    #[serde(default)]
    source: Option<String>,
    request: RequestDto,
    expect: ExpectDto,
    #[serde(default)]
    live: Option<LiveDto>,
    /// Parameters or headers the service tolerates a client adding (e.g. `SignatureVersion`).
    #[serde(default)]
    tolerate: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestDto {
    #[serde(default)]
    method: Option<String>,
    endpoint: String,
    #[serde(default)]
    params: Vec<(String, String)>,
    credentials: CredentialsDto,
    #[serde(default)]
    timestamp: Option<String>,
    #[serde(default)]
    expires: Option<String>,
    #[serde(default)]
    signature_method: Option<String>,
    #[serde(default)]
    location: Option<Location>,
    #[serde(default)]
    signature_needs_plus: bool,
    #[serde(default)]
    headers: Option<Vec<(String, String)>>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    scope_service: Option<String>,
    #[serde(default)]
    payload: Option<PayloadMode>,
    #[serde(default)]
    presign_expires: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum CredentialsDto {
    Alias(String),
    Explicit {
        access_key_id: String,
        secret_key: String,
        #[serde(default)]
        session_token: Option<String>,
    },
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum ExpectDto {
    Word(String),
    Error { error: String },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LiveDto {
    #[serde(default)]
    repeat: Option<u32>,
    #[serde(default)]
    expect_last: Option<ExpectDto>,
    #[serde(default)]
    skip: bool,
    #[serde(default)]
    host_independent: bool,
}

impl<'de> Deserialize<'de> for Location {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match String::deserialize(d)?.as_str() {
            "query" => Ok(Location::Query),
            "form" => Ok(Location::Form),
            other => Err(serde::de::Error::custom(format!("location '{other}' is not query or form"))),
        }
    }
}

impl<'de> Deserialize<'de> for Service {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match String::deserialize(d)?.as_str() {
            "paapi" => Ok(Service::Paapi),
            "mws" => Ok(Service::Mws),
            "paapi5" => Ok(Service::Paapi5),
            "aws" => Ok(Service::Aws),
            other => Err(serde::de::Error::custom(format!("service '{other}' is not paapi, mws, paapi5 or aws"))),
        }
    }
}

/// The `sig:` key: which scheme signs the scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SigDto {
    V2,
    V4,
}

impl SigDto {
    fn scheme(self) -> SchemeId {
        match self {
            SigDto::V2 => SchemeId::V2Query,
            SigDto::V4 => SchemeId::V4,
        }
    }
}

impl<'de> Deserialize<'de> for SigDto {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match String::deserialize(d)?.as_str() {
            "v2" => Ok(SigDto::V2),
            "v4" => Ok(SigDto::V4),
            other => Err(serde::de::Error::custom(format!("sig '{other}' is not v2 or v4"))),
        }
    }
}

impl<'de> Deserialize<'de> for PayloadMode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match String::deserialize(d)?.as_str() {
            "signed" => Ok(PayloadMode::Signed),
            "unsigned" => Ok(PayloadMode::Unsigned),
            "content-sha256" => Ok(PayloadMode::ContentSha256),
            other => {
                Err(serde::de::Error::custom(format!("payload '{other}' is not signed, unsigned or content-sha256")))
            }
        }
    }
}

/// The documentation credentials behind an alias (`paapi`, `paapi-2011`, `aws`, `aws-v2`,
/// `mws`, `mws-other`, `sts`), so files and reports never need to spell a secret or a token.
pub fn alias(name: &str) -> Option<Credentials> {
    if name == "sts" {
        return Some(Credentials {
            access_key_id: "ASIAIOSFODNN7EXAMPLE".to_owned(),
            secret_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY".to_owned(),
            session_token: Some(STS_EXAMPLE_TOKEN.to_owned()),
        });
    }
    let (id, secret) = match name {
        "paapi" => ("AKIAIOSFODNN7EXAMPLE", "1234567890"),
        "paapi-2011" => ("00000000000000000000", "1234567890"),
        "aws" => ("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        // The AWS General Reference's SigV2 example key (the keystore's `aws` secret of
        // AKIAIOSFODNN7EXAMPLE; PA-API signs the same id with 1234567890).
        "aws-v2" => ("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        "mws" => ("022QF0EXAMPLEH9DHM02", "kWcrlEXAMPLEM/LtmEENI/aVmYvHNif5zB+d9+ct"),
        "mws-other" => ("AKIAOTHERDEVEXAMPLE0", "otherDevSecretEXAMPLEKEY0000000000000000"),
        _ => return None,
    };
    Some(Credentials { access_key_id: id.to_owned(), secret_key: secret.to_owned(), session_token: None })
}

/// The STS AssumeRole example's session token (AWS STS API Reference, AssumeRole,
/// "Example"; the embedded keystore's `sts-docs` account).
const STS_EXAMPLE_TOKEN: &str =
    "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXm\
xfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvl\
Rd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2\
ICCR/oLxBA==";

fn expected(e: ExpectDto) -> Result<Expected, Problem> {
    match e {
        ExpectDto::Word(w) if w == "accepted" => Ok(Expected::Accepted),
        ExpectDto::Word(w) => Err(Problem::Expect(w)),
        ExpectDto::Error { error } => Ok(Expected::Error(error)),
    }
}

impl ScenarioDto {
    /// The signature version, and the SigV4 inputs of a SigV4 scenario; SigV2-only keys in a
    /// SigV4 scenario (and the other way round) are refused.
    fn inputs(&self, method: &str) -> Result<Inputs, Problem> {
        let sig = self.sig.map_or(
            match self.service {
                Service::Paapi | Service::Mws => SchemeId::V2Query,
                Service::Paapi5 | Service::Aws => SchemeId::V4,
            },
            SigDto::scheme,
        );
        let r = &self.request;
        let inputs = match (sig, self.service) {
            // `sig: v2` with `aws`: a SigV2 Query API (SimpleDB, EC2) on the generic endpoint.
            (SchemeId::V2Query, Service::Paapi | Service::Mws | Service::Aws) => {
                let v4_only = [
                    ("headers", r.headers.is_some()),
                    ("body", r.body.is_some()),
                    ("region", r.region.is_some()),
                    ("scope_service", r.scope_service.is_some()),
                    ("payload", r.payload.is_some()),
                    ("presign_expires", r.presign_expires.is_some()),
                ];
                if let Some(&(key, _)) = v4_only.iter().find(|(_, set)| *set) {
                    return Err(Problem::SigV4Key(key));
                }
                Inputs::V2(V2Inputs {
                    params: r.params.clone(),
                    expires: r.expires.clone(),
                    signature_method: r
                        .signature_method
                        .as_deref()
                        .map(str::parse)
                        .transpose()
                        .map_err(Problem::SignatureMethod)?,
                    location: r.location.unwrap_or(if method == "POST" { Location::Form } else { Location::Query }),
                    signature_needs_plus: r.signature_needs_plus,
                })
            }
            (SchemeId::V4, Service::Paapi5 | Service::Aws) => {
                let v2_only = [
                    ("params", !r.params.is_empty()),
                    ("expires", r.expires.is_some()),
                    ("signature_method", r.signature_method.is_some()),
                    ("location", r.location.is_some()),
                    ("signature_needs_plus", r.signature_needs_plus),
                ];
                if let Some(&(key, _)) = v2_only.iter().find(|(_, set)| *set) {
                    return Err(Problem::SigV2Key(key));
                }
                let region = r.region.clone().ok_or(Problem::NoRegion)?;
                let service = r.scope_service.clone().ok_or(Problem::NoScopeService)?;
                if r.presign_expires == Some(0) {
                    return Err(Problem::ZeroPresign);
                }
                Inputs::V4(V4Inputs {
                    headers: r.headers.clone().unwrap_or_default(),
                    body: r.body.clone().unwrap_or_default(),
                    region,
                    service,
                    payload: r.payload.unwrap_or(PayloadMode::Signed),
                    presign_expires: r.presign_expires,
                })
            }
            (sig, service) => return Err(Problem::SigForService { service, sig }),
        };
        Ok(inputs)
    }
    pub(super) fn validate(self, file_source: Option<&str>, file: &Path) -> Result<Scenario, ScenarioError> {
        let invalid = |problem: Problem| ScenarioError::Invalid {
            file: file.display().to_string(),
            scenario: self.name.clone(),
            problem,
        };
        let v4_ids = match self.sig {
            Some(sig) => sig == SigDto::V4,
            None => matches!(self.service, Service::Paapi5 | Service::Aws),
        };
        let scheme = if v4_ids { SchemeId::V4 } else { SchemeId::V2Query };
        let catches = self
            .catches
            .iter()
            .map(|id| scheme.mistake(id).ok_or_else(|| invalid(Problem::UnknownMistake { id: id.clone(), v4: v4_ids })))
            .collect::<Result<Vec<_>, _>>()?;
        let method = self.request.method.clone().unwrap_or_else(|| "GET".to_owned()).to_ascii_uppercase();
        let inputs = self.inputs(&method).map_err(invalid)?;
        let credentials = match self.request.credentials {
            CredentialsDto::Alias(a) => alias(&a).ok_or_else(|| invalid(Problem::UnknownAlias(a.clone())))?,
            CredentialsDto::Explicit { access_key_id, secret_key, session_token } => {
                Credentials { access_key_id, secret_key, session_token }
            }
        };
        if !(self.request.endpoint.starts_with("https://") || self.request.endpoint.starts_with("http://")) {
            return Err(invalid(Problem::Endpoint(self.request.endpoint.clone())));
        }
        let source =
            self.source.or_else(|| file_source.map(str::to_owned)).ok_or_else(|| invalid(Problem::NoSource))?;
        let timestamp = match (&self.request.timestamp, &self.request.expires) {
            (None, None) => Some(SUITE_TIME.to_owned()),
            (t, _) => t.clone(),
        };
        let live = match self.live {
            None => Live::default(),
            Some(l) => Live {
                repeat: l.repeat.unwrap_or(1),
                expect_last: l.expect_last.map(expected).transpose().map_err(invalid)?,
                skip: l.skip,
                host_independent: l.host_independent,
            },
        };
        if let Some(t) = self.request.timestamp.as_deref().filter(|_| matches!(inputs, Inputs::V4(_))) {
            crate::clock::UtcTime::parse_iso8601(t)
                .map_err(|source| invalid(Problem::Timestamp { text: t.to_owned(), source }))?;
        }
        Ok(Scenario {
            rule: self.rule,
            catches,
            tags: self.tags,
            service: self.service,
            source,
            request: ScenarioRequest { method, endpoint: self.request.endpoint, credentials, timestamp, inputs },
            expect: expected(self.expect).map_err(invalid)?,
            live,
            tolerate: self.tolerate,
            file: file.to_path_buf(),
            name: self.name,
        })
    }
}
