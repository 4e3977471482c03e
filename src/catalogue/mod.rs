//! The mock's data: PA-API items and browse nodes (`paapi`) and MWS orders, products,
//! feeds and reports (`mws`). Loaded from YAML, embedded defaults included; parsing is
//! pure and separate from reading files.

pub(crate) mod mws;
pub(crate) mod paapi;

use serde::Deserialize;
use std::path::Path;

/// All of the mock's data.
#[derive(Debug, Clone)]
pub struct Catalogue {
    /// PA-API data.
    pub paapi: paapi::PaapiCatalogue,
    /// MWS data.
    pub mws: mws::MwsCatalogue,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueFile {
    #[serde(default)]
    paapi: Option<paapi::PaapiCatalogue>,
    #[serde(default)]
    mws: Option<mws::MwsCatalogue>,
}

impl Catalogue {
    /// The embedded default catalogue.
    ///
    /// # Panics
    ///
    /// Never in a tested build: a unit test loads the embedded file.
    pub fn embedded_default() -> Self {
        // Both files are checked by unit tests, so this cannot fail at run time.
        let paapi = serde_yaml::from_str(include_str!("paapi.yaml"))
            .unwrap_or_else(|e| panic!("embedded catalogue/paapi.yaml is invalid: {e}"));
        let mws = serde_yaml::from_str(include_str!("mws.yaml"))
            .unwrap_or_else(|e| panic!("embedded catalogue/mws.yaml is invalid: {e}"));
        Self { paapi, mws }
    }

    /// Parses a catalogue file with optional `paapi:` and `mws:` sections; a missing
    /// section keeps the embedded default.
    pub fn from_yaml_str(text: &str, origin: &str) -> Result<Self, CatalogueError> {
        let file: CatalogueFile = serde_yaml::from_str(text).map_err(|e| CatalogueError {
            origin: origin.to_owned(),
            line: e.location().map(|l| l.line()),
            source: e,
        })?;
        let default = Self::embedded_default();
        Ok(Self { paapi: file.paapi.unwrap_or(default.paapi), mws: file.mws.unwrap_or(default.mws) })
    }

    /// Reads a catalogue file.
    pub fn load_file(path: &Path) -> Result<Self, CatalogueLoadError> {
        let text = std::fs::read_to_string(path).map_err(|e| CatalogueLoadError::Io(path.display().to_string(), e))?;
        Ok(Self::from_yaml_str(&text, &path.display().to_string())?)
    }
}

/// A catalogue that does not parse.
#[derive(Debug, thiserror::Error)]
#[error("{origin}:{}: invalid catalogue", line.map_or_else(|| "?".to_owned(), |l| l.to_string()))]
pub struct CatalogueError {
    /// The file.
    pub origin: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// The YAML error.
    #[source]
    pub source: serde_yaml::Error,
}

/// A catalogue file that cannot be loaded.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueLoadError {
    /// Unreadable.
    #[error("cannot read the catalogue {0}")]
    Io(String, #[source] std::io::Error),
    /// Invalid.
    #[error(transparent)]
    Invalid(#[from] CatalogueError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_default_loads() {
        let _ = Catalogue::embedded_default();
    }
}
