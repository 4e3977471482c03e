//! The scenario file format (YAML) as strict DTOs, and their validation into
//! [`super::Scenario`].
//!
//! ```yaml
//! source: "where the facts come from"          # default for every scenario below
//! scenarios:
//!   - name: paapi-space-in-keywords            # unique
//!     rule: "a space is encoded as %20, never +"
//!     catches: [space-as-plus]                 # diagnose::Mistake ids
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
//! Credential aliases (the embedded keystore's documentation keys): `paapi`, `paapi-2011`,
//! `aws`, `mws` (developer 1234-3214-4321), `mws-other` (authorised by nobody).

use super::{Credentials, Expected, Live, Location, Scenario, ScenarioError, ScenarioRequest, SUITE_TIME};
use crate::diagnose::Mistake;
use crate::services::ServiceKind;
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
    service: ServiceKind,
    #[serde(default)]
    source: Option<String>,
    request: RequestDto,
    expect: ExpectDto,
    #[serde(default)]
    live: Option<LiveDto>,
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

impl<'de> Deserialize<'de> for ServiceKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match String::deserialize(d)?.as_str() {
            "paapi" => Ok(ServiceKind::Paapi),
            "mws" => Ok(ServiceKind::Mws),
            other => Err(serde::de::Error::custom(format!("service '{other}' is not paapi or mws"))),
        }
    }
}

/// The documentation credentials behind an alias (`paapi`, `paapi-2011`, `aws`, `mws`,
/// `mws-other`), so files and reports never need to spell a secret.
pub fn alias(name: &str) -> Option<Credentials> {
    let (id, secret) = match name {
        "paapi" => ("AKIAIOSFODNN7EXAMPLE", "1234567890"),
        "paapi-2011" => ("00000000000000000000", "1234567890"),
        "aws" => ("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        "mws" => ("022QF0EXAMPLEH9DHM02", "kWcrlEXAMPLEM/LtmEENI/aVmYvHNif5zB+d9+ct"),
        "mws-other" => ("AKIAOTHERDEVEXAMPLE0", "otherDevSecretEXAMPLEKEY0000000000000000"),
        _ => return None,
    };
    Some(Credentials { access_key_id: id.to_owned(), secret_key: secret.to_owned(), session_token: None })
}

fn expected(e: ExpectDto) -> Result<Expected, String> {
    match e {
        ExpectDto::Word(w) if w == "accepted" => Ok(Expected::Accepted),
        ExpectDto::Word(w) => Err(format!("expect '{w}' is not 'accepted' or {{error: CODE}}")),
        ExpectDto::Error { error } => Ok(Expected::Error(error)),
    }
}

impl ScenarioDto {
    pub(super) fn validate(self, file_source: Option<&str>, file: &Path) -> Result<Scenario, ScenarioError> {
        let invalid = |message: String| ScenarioError::Invalid {
            file: file.display().to_string(),
            scenario: self.name.clone(),
            message,
        };
        let catches = self
            .catches
            .iter()
            .map(|id| Mistake::from_id(id).ok_or_else(|| invalid(format!("unknown mistake '{id}'"))))
            .collect::<Result<Vec<_>, _>>()?;
        let credentials = match self.request.credentials {
            CredentialsDto::Alias(a) => alias(&a).ok_or_else(|| invalid(format!("unknown credentials alias '{a}'")))?,
            CredentialsDto::Explicit { access_key_id, secret_key, session_token } => {
                Credentials { access_key_id, secret_key, session_token }
            }
        };
        if !(self.request.endpoint.starts_with("https://") || self.request.endpoint.starts_with("http://")) {
            return Err(invalid(format!("endpoint '{}' is not an http(s) URL", self.request.endpoint)));
        }
        let method = self.request.method.unwrap_or_else(|| "GET".to_owned()).to_ascii_uppercase();
        let location = self.request.location.unwrap_or(if method == "POST" { Location::Form } else { Location::Query });
        let source = self
            .source
            .or_else(|| file_source.map(str::to_owned))
            .ok_or_else(|| invalid("no source (give one per scenario or per file)".to_owned()))?;
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
            },
        };
        Ok(Scenario {
            rule: self.rule,
            catches,
            tags: self.tags,
            service: self.service,
            source,
            request: ScenarioRequest {
                method,
                endpoint: self.request.endpoint,
                params: self.request.params,
                credentials,
                timestamp,
                expires: self.request.expires,
                signature_method: self.request.signature_method,
                location,
                signature_needs_plus: self.request.signature_needs_plus,
            },
            expect: expected(self.expect).map_err(invalid)?,
            live,
            file: file.to_path_buf(),
            name: self.name,
        })
    }
}
