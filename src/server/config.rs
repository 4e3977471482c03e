//! The server's configuration: a plain [`ServerConfig`] (what `serve` and the library API
//! start from) and the YAML file that `amzsig serve --config FILE` reads into it.
//!
//! File format (every key optional; paths are relative to the config file):
//!
//! ```yaml
//! listen: 127.0.0.1:8080
//! clock: system                  # or fixed:2014-08-18T12:00:00Z, offset:-900
//! keystore: keys.yaml            # default: the embedded keystore
//! catalogue: catalogue.yaml      # default: the embedded catalogue
//! throttling: true
//! accept_host_without_port: false
//! max_skew_seconds: 900
//! journal_capacity: 1000
//! default_paapi_locale: us
//! default_mws_host: mws.amazonservices.com
//! admin: loopback                # or any
//! request_id_seed: 0
//! ```

use crate::catalogue::{Catalogue, CatalogueLoadError};
use crate::clock::Clock;
use crate::keystore::{Keystore, KeystoreError};
use crate::services::{ServiceOptions, Throttling};
use crate::sigv2::HostMatch;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Who may call the admin endpoints under `/__amzsig/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AdminAccess {
    /// Only peers on 127.0.0.0/8 or ::1.
    #[default]
    Loopback,
    /// Any peer (only for a mock on an isolated network).
    Any,
}

/// Everything the server needs to start.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Address to bind; port 0 picks a free port.
    pub listen: SocketAddr,
    /// Keys, accounts, sellers.
    pub keystore: Keystore,
    /// Mock data.
    pub catalogue: Catalogue,
    /// Where "now" comes from.
    pub clock: Clock,
    /// Strictness and defaults.
    pub options: ServiceOptions,
    /// Journal size (entries).
    pub journal_capacity: usize,
    /// Seed of the request-id sequence.
    pub request_id_seed: u64,
    /// Admin endpoint access.
    pub admin: AdminAccess,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            keystore: Keystore::embedded_default(),
            catalogue: Catalogue::embedded_default(),
            clock: Clock::System,
            options: ServiceOptions::default(),
            journal_capacity: 1000,
            request_id_seed: 0,
            admin: AdminAccess::Loopback,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    listen: Option<SocketAddr>,
    clock: Option<String>,
    keystore: Option<PathBuf>,
    catalogue: Option<PathBuf>,
    throttling: Option<bool>,
    accept_host_without_port: Option<bool>,
    max_skew_seconds: Option<i64>,
    journal_capacity: Option<usize>,
    default_paapi_locale: Option<String>,
    default_mws_host: Option<String>,
    admin: Option<AdminAccess>,
    request_id_seed: Option<u64>,
}

/// A configuration that cannot be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file cannot be read.
    #[error("cannot read the config file {0}")]
    Io(String, #[source] std::io::Error),
    /// Not valid config YAML.
    #[error("{origin}:{}: invalid config", line.map_or_else(|| "?".to_owned(), |l| l.to_string()))]
    Syntax {
        /// The file.
        origin: String,
        /// 1-based line.
        line: Option<usize>,
        /// The YAML error.
        #[source]
        source: serde_yaml::Error,
    },
    /// A bad value.
    #[error("{origin}: {message}")]
    Value {
        /// The file.
        origin: String,
        /// What is wrong.
        message: String,
    },
    /// The keystore it names is invalid.
    #[error(transparent)]
    Keystore(#[from] KeystoreError),
    /// The catalogue it names is invalid.
    #[error(transparent)]
    Catalogue(#[from] CatalogueLoadError),
}

impl ServerConfig {
    /// Reads a config file on top of the defaults.
    pub fn load_file(path: &Path) -> Result<Self, ConfigError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Io(origin.clone(), e))?;
        let file: ConfigFile = serde_yaml::from_str(&text).map_err(|e| ConfigError::Syntax {
            origin: origin.clone(),
            line: e.location().map(|l| l.line()),
            source: e,
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        let mut config = ServerConfig::default();
        if let Some(listen) = file.listen {
            config.listen = listen;
        }
        if let Some(clock) = file.clock {
            config.clock = clock
                .parse()
                .map_err(|e| ConfigError::Value { origin: origin.clone(), message: format!("clock: {e}") })?;
        }
        if let Some(k) = file.keystore {
            config.keystore = Keystore::load_file(&base.join(k))?;
        }
        if let Some(c) = file.catalogue {
            config.catalogue = Catalogue::load_file(&base.join(c))?;
        }
        if let Some(t) = file.throttling {
            config.options.throttling = if t { Throttling::On } else { Throttling::Off };
        }
        if let Some(h) = file.accept_host_without_port {
            config.options.host_match = if h { HostMatch::AlsoWithoutPort } else { HostMatch::Exact };
        }
        if let Some(s) = file.max_skew_seconds {
            config.options.max_skew_secs = s;
        }
        if let Some(n) = file.journal_capacity {
            config.journal_capacity = n;
        }
        if let Some(l) = file.default_paapi_locale {
            if crate::services::paapi::locale_code(&l).is_none() {
                return Err(ConfigError::Value {
                    origin,
                    message: format!("default_paapi_locale: unknown locale '{l}'"),
                });
            }
            config.options.default_paapi_locale = l;
        }
        if let Some(h) = file.default_mws_host {
            config.options.default_mws_host = h;
        }
        if let Some(a) = file.admin {
            config.admin = a;
        }
        if let Some(s) = file.request_id_seed {
            config.request_id_seed = s;
        }
        Ok(config)
    }
}
