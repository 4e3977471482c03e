//! Scenarios: the suite that checks a signing client, one YAML list per theme under
//! `scenarios/<service>/`. Each scenario names the rule it checks, the classic mistakes it
//! catches, the request inputs, and the outcome a correct client gets from Amazon.
//!
//! `file.rs` holds the strict file DTOs; [`load_dir`] and [`from_yaml_str`] turn them into
//! validated [`Scenario`]s (parsing text is pure; only `load_dir` reads files).
//!
//! A scenario is SigV2 (`sig: v2`, the default: PA-API 4 `/onca/xml` and MWS, parameters
//! given decoded) or SigV4 (`sig: v4`: PA-API 5.0 or any AWS service through the mock's
//! generic SigV4 endpoint; the URL, headers and body are given as they go on the wire, with
//! the scope's region and service, the payload mode and an optional presigned expiry).

mod file;

pub use file::alias as credentials_alias;

use crate::diagnose::Mistake;
use crate::scheme::SchemeId;
use std::path::{Path, PathBuf};

/// The time every scenario's server clock reads, and the default `Timestamp`.
pub const SUITE_TIME: &str = "2014-08-18T12:00:00Z";

/// The mock service a scenario talks to (its reports' class name and `--tag` word).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Service {
    /// Product Advertising API 4.x (`/onca/xml`, SigV2).
    Paapi,
    /// Amazon MWS (SigV2).
    Mws,
    /// Product Advertising API 5.0 (`POST /paapi5/{operation}`, SigV4).
    Paapi5,
    /// Any other AWS API, through the mock's generic SigV4 endpoint.
    Aws,
}

impl Service {
    /// The word used in files, reports and `--tag`.
    pub fn as_str(self) -> &'static str {
        match self {
            Service::Paapi => "paapi",
            Service::Mws => "mws",
            Service::Paapi5 => "paapi5",
            Service::Aws => "aws",
        }
    }
}

/// What a SigV4 client signs as the payload (the canonical request's last line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PayloadMode {
    /// The SHA-256 of the body; no `x-amz-content-sha256` header (most services).
    Signed,
    /// `UNSIGNED-PAYLOAD`, announced in `x-amz-content-sha256` (S3).
    Unsigned,
    /// The SHA-256 of the body, also sent as `x-amz-content-sha256` (S3).
    ContentSha256,
}

impl PayloadMode {
    /// The word used in files and in the adapter protocol.
    pub fn as_str(self) -> &'static str {
        match self {
            PayloadMode::Signed => "signed",
            PayloadMode::Unsigned => "unsigned",
            PayloadMode::ContentSha256 => "content-sha256",
        }
    }
}

/// The SigV4-only inputs of a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V4Inputs {
    /// Headers the client must send besides the ones the signer adds, in order.
    pub headers: Vec<(String, String)>,
    /// The body (UTF-8 text: JSON, form or XML).
    pub body: String,
    /// The credential scope's region.
    pub region: String,
    /// The credential scope's service (`ProductAdvertisingAPI`, `sts`, `s3`, ...).
    pub service: String,
    /// Payload mode.
    pub payload: PayloadMode,
    /// A presigned URL valid for this many seconds instead of the `Authorization` header.
    pub presign_expires: Option<u64>,
}

/// Credentials handed to the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// Access key id.
    pub access_key_id: String,
    /// Secret (test keys only; reports redact it).
    pub secret_key: String,
    /// Optional session token (`SecurityToken`).
    pub session_token: Option<String>,
}

/// Where the parameters go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Location {
    /// URL query string.
    Query,
    /// POST form body.
    Form,
}

/// The SigV2-only inputs of a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V2Inputs {
    /// Decoded parameters in order (no authentication parameters).
    pub params: Vec<(String, String)>,
    /// `Expires` instead of `Timestamp`.
    pub expires: Option<String>,
    /// `SignatureMethod` to declare (`None`: PA-API style, no SignatureMethod/Version).
    pub signature_method: Option<crate::sigv2::SignatureMethod>,
    /// Query or form.
    pub location: Location,
    /// Add a `Nonce` parameter chosen so that the correct signature contains `+`.
    pub signature_needs_plus: bool,
}

/// The scheme-specific inputs of a scenario: the variant is the scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inputs {
    /// Signature Version 2 (query or form parameters, given decoded).
    V2(V2Inputs),
    /// Signature Version 4 (URL, headers and body as sent, scope, payload mode).
    V4(V4Inputs),
}

/// The inputs given to the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioRequest {
    /// HTTP method.
    pub method: String,
    /// Full endpoint URL (scheme, host, path; for SigV4 also the query as sent); the live
    /// runner swaps in the mock's address.
    pub endpoint: String,
    /// Who signs.
    pub credentials: Credentials,
    /// The time the client must sign at (`Timestamp` verbatim for SigV2, unless `Expires`
    /// is set; the `X-Amz-Date` for SigV4).
    pub timestamp: Option<String>,
    /// What the scheme needs besides.
    pub inputs: Inputs,
}

impl ScenarioRequest {
    /// The SigV2 inputs, if this is a SigV2 scenario.
    pub fn v2(&self) -> Option<&V2Inputs> {
        match &self.inputs {
            Inputs::V2(v2) => Some(v2),
            Inputs::V4(_) => None,
        }
    }

    /// The SigV4 inputs, if this is a SigV4 scenario.
    pub fn v4(&self) -> Option<&V4Inputs> {
        match &self.inputs {
            Inputs::V4(v4) => Some(v4),
            Inputs::V2(_) => None,
        }
    }
}

/// What a correct client gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    /// Authenticated and answered (in-band PA-API parameter errors included).
    Accepted,
    /// Refused with this error code.
    Error(String),
}

/// Live-mode extras.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Live {
    /// Send the request this many times back to back (throttling scenarios).
    pub repeat: u32,
    /// What the last of the repeated requests gets.
    pub expect_last: Option<Expected>,
    /// Skip this scenario in live mode (it cannot be reproduced over a socket).
    pub skip: bool,
    /// SigV4: the outcome does not depend on the scenario's Host, so a client that cannot
    /// send a `Host` header of its own may send to the mock's address as is.
    pub host_independent: bool,
}

/// A validated scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    /// Unique name (`<service>/<name>` in reports).
    pub name: String,
    /// The rule it checks, in words.
    pub rule: String,
    /// Mistakes a client that fails it most likely makes, of the scenario's scheme
    /// (`v4-…` ids for SigV4 scenarios).
    pub catches: Vec<Mistake>,
    /// Free tags for `--tag`.
    pub tags: Vec<String>,
    /// The service.
    pub service: Service,
    /// Where the facts it encodes come from.
    pub source: String,
    /// Client inputs.
    pub request: ScenarioRequest,
    /// The expected outcome.
    pub expect: Expected,
    /// Live-mode extras.
    pub live: Live,
    /// Parameters (SigV2) or query parameters (SigV4) a client may add without deviating
    /// from the request asked for (the signer's own are always allowed).
    pub tolerate: Vec<String>,
    /// The file it came from.
    pub file: PathBuf,
}

impl Scenario {
    /// The signature scheme (the variant of `request.inputs`).
    pub fn sig(&self) -> SchemeId {
        match self.request.inputs {
            Inputs::V2(_) => SchemeId::V2Query,
            Inputs::V4(_) => SchemeId::V4,
        }
    }

    /// True when `tag` is one of this scenario's tags, its service, its signature version
    /// (`v2`, `v4`) or its name.
    pub fn matches_tag(&self, tag: &str) -> bool {
        self.tags.iter().any(|t| t == tag)
            || self.service.as_str() == tag
            || self.sig().as_str() == tag
            || self.name == tag
    }
}

/// A scenario file that is not valid.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// Unreadable file or folder.
    #[error("cannot read {0}")]
    Io(String, #[source] std::io::Error),
    /// Not a scenario file (YAML shape, unknown keys).
    #[error("{file}:{}: invalid scenario file", line.map_or_else(|| "?".to_owned(), |l| l.to_string()))]
    Syntax {
        /// The file.
        file: String,
        /// 1-based line.
        line: Option<usize>,
        /// The YAML error.
        #[source]
        source: serde_yaml::Error,
    },
    /// A value that does not validate.
    #[error("{file}: scenario '{scenario}': {problem}")]
    Invalid {
        /// The file.
        file: String,
        /// The scenario name.
        scenario: String,
        /// What is wrong.
        problem: Problem,
    },
    /// Two scenarios share a name.
    #[error("duplicate scenario name '{0}' ({1} and {2})")]
    Duplicate(String, String, String),
}

/// What is wrong with a scenario whose file parses ([`ScenarioError::Invalid`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// A `catches` id in neither mistake catalogue of its signature version.
    #[error("unknown {}mistake '{id}'", if *.v4 { "SigV4 " } else { "" })]
    UnknownMistake {
        /// The id.
        id: String,
        /// Looked up among the SigV4 mistakes.
        v4: bool,
    },
    /// A credentials alias no documentation example gives.
    #[error("unknown credentials alias '{0}'")]
    UnknownAlias(String),
    /// A `signature_method` that is neither `HmacSHA256` nor `HmacSHA1`.
    #[error(transparent)]
    SignatureMethod(crate::sigv2::UnknownSignatureMethod),
    /// An endpoint that is not an `http(s)://` URL.
    #[error("endpoint '{0}' is not an http(s) URL")]
    Endpoint(String),
    /// No `source:` for the scenario or its file.
    #[error("no source (give one per scenario or per file)")]
    NoSource,
    /// A SigV4 scenario's timestamp that is not ISO 8601.
    #[error("timestamp '{text}': {source}")]
    Timestamp {
        /// The timestamp given.
        text: String,
        /// Why it does not parse.
        #[source]
        source: crate::clock::TimeParseError,
    },
    /// An `expect` word other than `accepted`.
    #[error("expect '{0}' is not 'accepted' or {{error: CODE}}")]
    Expect(String),
    /// A SigV4-only key in a SigV2 scenario.
    #[error("'{0}' is a SigV4 key (add sig: v4)")]
    SigV4Key(&'static str),
    /// A SigV2-only key in a SigV4 scenario.
    #[error("'{0}' is a SigV2 key (SigV4 scenarios give the URL as sent)")]
    SigV2Key(&'static str),
    /// A SigV4 scenario without `region`.
    #[error("a SigV4 scenario needs a region")]
    NoRegion,
    /// A SigV4 scenario without `scope_service`.
    #[error("a SigV4 scenario needs scope_service")]
    NoScopeService,
    /// `presign_expires: 0`.
    #[error("presign_expires must be at least 1")]
    ZeroPresign,
    /// A service signed with the other signature version.
    #[error("service '{}' is not signed with {}", .service.as_str(), .sig.as_str().to_ascii_uppercase())]
    SigForService {
        /// The service.
        service: Service,
        /// The signature scheme given.
        sig: SchemeId,
    },
}

/// Parses one scenario file's text.
pub fn from_yaml_str(text: &str, file: &Path) -> Result<Vec<Scenario>, ScenarioError> {
    let dto: file::ScenarioFile = serde_yaml::from_str(text).map_err(|e| ScenarioError::Syntax {
        file: file.display().to_string(),
        line: e.location().map(|l| l.line()),
        source: e,
    })?;
    dto.scenarios.into_iter().map(|s| s.validate(dto.source.as_deref(), file)).collect()
}

/// Loads every `*.yaml` under `dir` (recursively), sorted by path; names must be unique.
pub fn load_dir(dir: &Path) -> Result<Vec<Scenario>, ScenarioError> {
    let mut files = Vec::new();
    collect_yaml(dir, &mut files)?;
    files.sort();
    let mut all: Vec<Scenario> = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).map_err(|e| ScenarioError::Io(f.display().to_string(), e))?;
        for s in from_yaml_str(&text, &f)? {
            if let Some(other) = all.iter().find(|o| o.name == s.name) {
                return Err(ScenarioError::Duplicate(
                    s.name,
                    other.file.display().to_string(),
                    f.display().to_string(),
                ));
            }
            all.push(s);
        }
    }
    Ok(all)
}

fn collect_yaml(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), ScenarioError> {
    let entries = std::fs::read_dir(dir).map_err(|e| ScenarioError::Io(dir.display().to_string(), e))?;
    for e in entries {
        let path = e.map_err(|e| ScenarioError::Io(dir.display().to_string(), e))?.path();
        if path.is_dir() {
            collect_yaml(&path, out)?;
        } else if path.extension().is_some_and(|x| x == "yaml" || x == "yml")
            && !path.file_name().is_some_and(|n| n.to_string_lossy().starts_with("expected-failures"))
        {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misspelt_keys_name_the_file_and_line() {
        let text = "scenarios:\n  - name: x\n    rule: r\n    service: paapi\n    requets: {}\n";
        let err = from_yaml_str(text, Path::new("s.yaml")).unwrap_err();
        assert!(err.to_string().starts_with("s.yaml:5: invalid scenario file"), "{err}");
    }

    const V4: &str = "source: s\nscenarios:\n  - name: x\n    rule: r\n    sig: v4\n    service: aws\n    catches: [v4-query-not-sorted]\n    request:\n      endpoint: https://sts.amazonaws.com/?Action=GetCallerIdentity\n      credentials: aws\n      region: us-east-1\n      scope_service: sts\n    expect: accepted\n";

    #[test]
    fn v4_scenarios_parse_with_their_defaults() {
        let s = &from_yaml_str(V4, Path::new("v4.yaml")).unwrap()[0];
        assert_eq!((s.sig(), s.service), (SchemeId::V4, Service::Aws));
        assert_eq!(s.catches, [crate::diagnose::v4::QUERY_NOT_SORTED]);
        let v4 = s.request.v4().unwrap();
        assert_eq!((v4.region.as_str(), v4.service.as_str(), v4.payload), ("us-east-1", "sts", PayloadMode::Signed));
        assert_eq!(s.request.timestamp.as_deref(), Some(SUITE_TIME));
        assert!(s.matches_tag("v4") && s.matches_tag("aws") && !s.matches_tag("v2"));
    }

    #[test]
    fn v4_scenarios_refuse_v2_keys_and_v2_mistakes() {
        let cases = [
            (V4.replace("      region:", "      params: [[a, b]]\n      region:"), "'params' is a SigV2 key"),
            (V4.replace("v4-query-not-sorted", "space-as-plus"), "unknown SigV4 mistake 'space-as-plus'"),
            (V4.replace("      region: us-east-1\n", ""), "a SigV4 scenario needs a region"),
            (
                V4.replace("    sig: v4\n", "    sig: v2\n")
                    .replace("service: aws", "service: paapi5")
                    .replace("    catches: [v4-query-not-sorted]\n", ""),
                "service 'paapi5' is not signed with V2",
            ),
            // `aws` with `sig: v2` is a SigV2 Query API: its mistakes are SigV2's.
            (V4.replace("    sig: v4\n", "    sig: v2\n"), "unknown mistake 'v4-query-not-sorted'"),
            (V4.replace("scope_service: sts\n", "scope_service: sts\n      presign_expires: 0\n"), "presign_expires"),
        ];
        for (text, want) in cases {
            let err = from_yaml_str(&text, Path::new("v4.yaml")).unwrap_err().to_string();
            assert!(err.contains(want), "{want}: {err}");
        }
        let v2 = "source: s\nscenarios:\n  - name: x\n    rule: r\n    service: paapi\n    request:\n      endpoint: https://webservices.amazon.com/onca/xml\n      credentials: paapi\n      region: us-east-1\n    expect: accepted\n";
        let err = from_yaml_str(v2, Path::new("v2.yaml")).unwrap_err().to_string();
        assert!(err.contains("'region' is a SigV4 key"), "{err}");
    }

    #[test]
    fn an_unknown_signature_method_is_rejected_at_load() {
        let text = "source: s\nscenarios:\n  - name: x\n    rule: r\n    service: mws\n    request:\n      endpoint: https://mws.amazonservices.com/\n      credentials: mws\n      signature_method: HmacMD5\n    expect: accepted\n";
        let err = from_yaml_str(text, Path::new("s.yaml")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "s.yaml: scenario 'x': unsupported SignatureMethod 'HmacMD5' (HmacSHA256 or HmacSHA1)"
        );
        let ok = from_yaml_str(&text.replace("HmacMD5", "HmacSHA1"), Path::new("s.yaml")).unwrap();
        assert_eq!(ok[0].request.v2().unwrap().signature_method, Some(crate::sigv2::SignatureMethod::HmacSha1));
    }

    #[test]
    fn unknown_mistake_ids_are_rejected() {
        let text = "source: s\nscenarios:\n  - name: x\n    rule: r\n    service: paapi\n    catches: [space-as-pluss]\n    request:\n      endpoint: https://webservices.amazon.com/onca/xml\n      credentials: paapi\n    expect: accepted\n";
        let err = from_yaml_str(text, Path::new("s.yaml")).unwrap_err();
        assert!(err.to_string().contains("unknown mistake 'space-as-pluss'"), "{err}");
    }
}
