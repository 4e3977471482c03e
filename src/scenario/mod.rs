//! Scenarios: the suite that checks a signing client, one YAML list per theme under
//! `scenarios/<service>/`. Each scenario names the rule it checks, the classic mistakes it
//! catches, the request inputs, and the outcome a correct client gets from Amazon.
//!
//! `file.rs` holds the strict file DTOs; [`load_dir`] and [`from_yaml_str`] turn them into
//! validated [`Scenario`]s (parsing text is pure; only `load_dir` reads files).

mod file;

pub use file::alias as credentials_alias;

use crate::diagnose::Mistake;
use crate::services::ServiceKind;
use std::path::{Path, PathBuf};

/// The time every scenario's server clock reads, and the default `Timestamp`.
pub const SUITE_TIME: &str = "2014-08-18T12:00:00Z";

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

/// The inputs given to the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioRequest {
    /// HTTP method.
    pub method: String,
    /// Full endpoint URL (scheme, host, path); the live runner swaps in the mock's address.
    pub endpoint: String,
    /// Decoded parameters in order (no authentication parameters).
    pub params: Vec<(String, String)>,
    /// Who signs.
    pub credentials: Credentials,
    /// `Timestamp` the client must use (verbatim), unless `expires` is set.
    pub timestamp: Option<String>,
    /// `Expires` instead of `Timestamp`.
    pub expires: Option<String>,
    /// `SignatureMethod` to declare (`None`: PA-API style, no SignatureMethod/Version).
    pub signature_method: Option<String>,
    /// Query or form.
    pub location: Location,
    /// Add a `Nonce` parameter chosen so that the correct signature contains `+`.
    pub signature_needs_plus: bool,
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
}

/// A validated scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    /// Unique name (`<service>/<name>` in reports).
    pub name: String,
    /// The rule it checks, in words.
    pub rule: String,
    /// Mistakes a client that fails it most likely makes.
    pub catches: Vec<Mistake>,
    /// Free tags for `--tag`.
    pub tags: Vec<String>,
    /// The service.
    pub service: ServiceKind,
    /// Where the facts it encodes come from.
    pub source: String,
    /// Client inputs.
    pub request: ScenarioRequest,
    /// The expected outcome.
    pub expect: Expected,
    /// Live-mode extras.
    pub live: Live,
    /// The file it came from.
    pub file: PathBuf,
}

impl Scenario {
    /// True when any of `tags` is one of this scenario's tags, its service, or its name.
    pub fn matches_tag(&self, tag: &str) -> bool {
        let service = match self.service {
            ServiceKind::Paapi => "paapi",
            ServiceKind::Mws => "mws",
        };
        self.tags.iter().any(|t| t == tag) || service == tag || self.name == tag
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
    #[error("{file}: scenario '{scenario}': {message}")]
    Invalid {
        /// The file.
        file: String,
        /// The scenario name.
        scenario: String,
        /// What is wrong.
        message: String,
    },
    /// Two scenarios share a name.
    #[error("duplicate scenario name '{0}' ({1} and {2})")]
    Duplicate(String, String, String),
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

    #[test]
    fn unknown_mistake_ids_are_rejected() {
        let text = "source: s\nscenarios:\n  - name: x\n    rule: r\n    service: paapi\n    catches: [space-as-pluss]\n    request:\n      endpoint: https://webservices.amazon.com/onca/xml\n      credentials: paapi\n    expect: accepted\n";
        let err = from_yaml_str(text, Path::new("s.yaml")).unwrap_err();
        assert!(err.to_string().contains("unknown mistake 'space-as-pluss'"), "{err}");
    }
}
