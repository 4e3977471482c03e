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
//! s3_max_bytes: 1073741824       # the in-memory S3's cap on object data (then EntityTooLarge)
//! s3_domains: [example.test]     # base domains of virtual-hosted buckets ({bucket}.example.test)
//! limits:                        # every key optional; defaults shown (see `Limits`)
//!   max_header_bytes: 65536      # request line + headers -> 431
//!   max_headers: 100             # header count -> 431
//!   max_uri_bytes: 16384         # request target (path + query) -> 414
//!   max_body_bytes: 16777216     # body -> 413
//!   max_upload_bytes: 5368709120 # an S3 upload's payload -> S3's EntityTooLarge
//!   max_params: 4096             # query + form parameters -> 400 MalformedQueryString
//!   header_read_timeout_ms: 10000  # whole head, from its first byte -> 408
//!   body_read_timeout_ms: 30000    # whole body, from the end of the head -> 408
//!   keep_alive_timeout_ms: 60000   # idle time between requests -> close
//!   max_connections: 1024          # more wait in the listen backlog
//!   shutdown_grace_ms: 10000       # in-flight requests get this long on stop
//! tls:                           # feature `tls`: serve HTTPS (absent: plain HTTP)
//!   generate: true               # a CA + certificate made at start…
//!   names: [bucket.localhost]    # …for these names beyond the defaults
//!   ca_out: mock-ca.pem          # and its CA certificate written here
//!   # or one's own pair instead: cert: server.pem, key: server-key.pem
//! ```
//!
//! The default sizes follow the Application Load Balancer quotas that front many AWS
//! endpoints (request line 16 KB, whole header 64 KB: "Quotas for your Application Load
//! Balancers", docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html)
//! and the ALB idle timeout default (60 s); `docs/robustness.md` explains each answer.

use crate::catalogue::{Catalogue, CatalogueLoadError};
use crate::clock::Clock;
use crate::keystore::{Keystore, KeystoreError};
use crate::services::{ServiceOptions, Throttling};
use crate::sigv2::HostMatch;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Who may call the admin endpoints under `/__amzsig/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
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
    /// Sizes and timeouts of the HTTP layer.
    pub limits: Limits,
    /// The in-memory S3's cap, in bytes of object and part data.
    pub s3_max_bytes: u64,
    /// Serve HTTPS: where the certificate comes from (`None`: plain HTTP).
    #[cfg(feature = "tls")]
    pub tls: Option<super::TlsSetup>,
    /// Where `serve` writes the generated CA certificate (the file's `tls.ca_out`).
    #[cfg(feature = "tls")]
    pub tls_ca_out: Option<PathBuf>,
}

/// Sizes, counts and timeouts the HTTP layer enforces (each answer is in `docs/robustness.md`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Request line plus headers, in bytes; more gets 431.
    pub max_header_bytes: usize,
    /// Number of header fields; more gets 431.
    pub max_headers: usize,
    /// Request target (path and query) in bytes; longer gets 414.
    pub max_uri_bytes: usize,
    /// Body in bytes; larger gets 413 (refused from `Content-Length` before reading).
    pub max_body_bytes: usize,
    /// An S3 upload's payload in bytes (a `PUT` or `POST` to S3 over
    /// [`Limits::max_body_bytes`], or an aws-chunked upload's decoded payload); larger
    /// gets S3's 400 `EntityTooLarge`. S3's own limit for one PUT is 5 GiB.
    pub max_upload_bytes: u64,
    /// Query plus form parameters; more gets the service's 400 `MalformedQueryString`.
    pub max_params: usize,
    /// Time to receive a whole request head, from its first byte (from the accept for a
    /// connection's first request); then 408 and close, or a silent close if no byte came.
    pub header_read_timeout: Duration,
    /// Time to receive a whole body once the head is in; then 408 and close.
    pub body_read_timeout: Duration,
    /// Idle time allowed between two requests on one connection; then close.
    pub keep_alive_timeout: Duration,
    /// Connections served at once; further ones wait in the listen backlog.
    pub max_connections: usize,
    /// On stop, how long in-flight requests may take before their connections are dropped.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_header_bytes: 64 * 1024,
            max_headers: 100,
            max_uri_bytes: 16 * 1024,
            max_body_bytes: 16 * 1024 * 1024,
            max_upload_bytes: 5 * 1024 * 1024 * 1024,
            max_params: 4096,
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            keep_alive_timeout: Duration::from_secs(60),
            max_connections: 1024,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

impl Limits {
    /// Smallest accepted `max_header_bytes` (a request line and a Host header must fit).
    pub const MIN_HEADER_BYTES: usize = 1024;
    /// Smallest accepted `max_uri_bytes`.
    pub const MIN_URI_BYTES: usize = 256;

    /// Checks that every limit can work; the error names the offending key.
    pub fn validate(&self) -> Result<(), LimitError> {
        if self.max_header_bytes < Self::MIN_HEADER_BYTES {
            return Err(LimitError::TooSmall { key: "max_header_bytes", min: Self::MIN_HEADER_BYTES });
        }
        if self.max_uri_bytes < Self::MIN_URI_BYTES {
            return Err(LimitError::TooSmall { key: "max_uri_bytes", min: Self::MIN_URI_BYTES });
        }
        if self.max_uri_bytes > self.max_header_bytes {
            // Else a long target would get the head's 431 before its own 414.
            return Err(LimitError::UriOverHeader);
        }
        let positive = [
            ("max_headers", self.max_headers),
            ("max_params", self.max_params),
            ("max_connections", self.max_connections),
        ];
        if let Some(&(key, _)) = positive.iter().find(|(_, v)| *v == 0) {
            return Err(LimitError::Zero(key));
        }
        let times = [
            ("header_read_timeout", self.header_read_timeout),
            ("body_read_timeout", self.body_read_timeout),
            ("keep_alive_timeout", self.keep_alive_timeout),
        ];
        if let Some(&(key, _)) = times.iter().find(|(_, v)| v.is_zero()) {
            return Err(LimitError::ZeroTime(key));
        }
        Ok(())
    }
}

/// A [`Limits`] value that cannot work; the message starts with the offending key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LimitError {
    /// A size below its minimum.
    #[error("{key}: at least {min} bytes")]
    TooSmall {
        /// The limit's key.
        key: &'static str,
        /// Its smallest accepted value.
        min: usize,
    },
    /// `max_uri_bytes` above `max_header_bytes`.
    #[error("max_uri_bytes: at most max_header_bytes")]
    UriOverHeader,
    /// A count of 0.
    #[error("{0}: must be at least 1")]
    Zero(&'static str),
    /// A timeout of 0.
    #[error("{0}: must be longer than 0 ms")]
    ZeroTime(&'static str),
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
            limits: Limits::default(),
            s3_max_bytes: crate::services::s3::DEFAULT_MAX_BYTES,
            #[cfg(feature = "tls")]
            tls: None,
            #[cfg(feature = "tls")]
            tls_ca_out: None,
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
    s3_max_bytes: Option<u64>,
    s3_domains: Option<Vec<String>>,
    #[serde(default)]
    limits: LimitOverrides,
    #[cfg(feature = "tls")]
    tls: Option<TlsFile>,
}

/// The config file's `tls:` key.
#[cfg(feature = "tls")]
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct TlsFile {
    generate: Option<bool>,
    #[serde(default)]
    names: Vec<String>,
    ca_out: Option<PathBuf>,
    cert: Option<PathBuf>,
    key: Option<PathBuf>,
}

/// Changes to some of the [`Limits`]: the config file's `limits:` key, and `amzsig serve`'s
/// limit flags. `None` keeps the value it is applied to; times are in milliseconds.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitOverrides {
    /// [`Limits::max_header_bytes`].
    pub max_header_bytes: Option<usize>,
    /// [`Limits::max_headers`].
    pub max_headers: Option<usize>,
    /// [`Limits::max_uri_bytes`].
    pub max_uri_bytes: Option<usize>,
    /// [`Limits::max_body_bytes`].
    pub max_body_bytes: Option<usize>,
    /// [`Limits::max_upload_bytes`].
    pub max_upload_bytes: Option<u64>,
    /// [`Limits::max_params`].
    pub max_params: Option<usize>,
    /// [`Limits::header_read_timeout`], in milliseconds.
    pub header_read_timeout_ms: Option<u64>,
    /// [`Limits::body_read_timeout`], in milliseconds.
    pub body_read_timeout_ms: Option<u64>,
    /// [`Limits::keep_alive_timeout`], in milliseconds.
    pub keep_alive_timeout_ms: Option<u64>,
    /// [`Limits::max_connections`].
    pub max_connections: Option<usize>,
    /// [`Limits::shutdown_grace`], in milliseconds.
    pub shutdown_grace_ms: Option<u64>,
}

impl LimitOverrides {
    /// Sets each limit given here on `l`, keeping the others.
    pub fn apply(&self, l: &mut Limits) {
        let ms = Duration::from_millis;
        l.max_header_bytes = self.max_header_bytes.unwrap_or(l.max_header_bytes);
        l.max_headers = self.max_headers.unwrap_or(l.max_headers);
        l.max_uri_bytes = self.max_uri_bytes.unwrap_or(l.max_uri_bytes);
        l.max_body_bytes = self.max_body_bytes.unwrap_or(l.max_body_bytes);
        l.max_upload_bytes = self.max_upload_bytes.unwrap_or(l.max_upload_bytes);
        l.max_params = self.max_params.unwrap_or(l.max_params);
        l.header_read_timeout = self.header_read_timeout_ms.map_or(l.header_read_timeout, ms);
        l.body_read_timeout = self.body_read_timeout_ms.map_or(l.body_read_timeout, ms);
        l.keep_alive_timeout = self.keep_alive_timeout_ms.map_or(l.keep_alive_timeout, ms);
        l.max_connections = self.max_connections.unwrap_or(l.max_connections);
        l.shutdown_grace = self.shutdown_grace_ms.map_or(l.shutdown_grace, ms);
    }
}

/// A configuration that cannot be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
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

/// A base domain as `ServiceOptions::s3_domains` holds it: lowercase, no leading or
/// trailing dot.
pub(crate) fn normalise_domain(domain: &str) -> String {
    domain.trim().trim_matches('.').to_ascii_lowercase()
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
        if let Some(m) = file.s3_max_bytes {
            config.s3_max_bytes = m;
        }
        if let Some(domains) = file.s3_domains {
            config.options.s3_domains = domains.iter().map(|d| normalise_domain(d)).filter(|d| !d.is_empty()).collect();
        }
        #[cfg(feature = "tls")]
        if let Some(tls) = file.tls {
            let bad = |message: &str| ConfigError::Value { origin: origin.clone(), message: format!("tls: {message}") };
            config.tls = Some(match (tls.generate, tls.cert, tls.key) {
                (Some(true) | None, None, None) => super::TlsSetup::Generated { extra_names: tls.names },
                (Some(false) | None, Some(cert), Some(key)) if tls.names.is_empty() && tls.ca_out.is_none() => {
                    super::TlsSetup::Files { cert: base.join(cert), key: base.join(key) }
                }
                (_, Some(_), Some(_)) => {
                    return Err(bad("cert and key are one's own pair: no generate, names or ca_out with them"))
                }
                (Some(false), None, None) => return Err(bad("generate: false needs cert and key")),
                _ => return Err(bad("cert and key go together")),
            });
            config.tls_ca_out = tls.ca_out.map(|p| base.join(p));
        }
        file.limits.apply(&mut config.limits);
        config
            .limits
            .validate()
            .map_err(|e| ConfigError::Value { origin: origin.clone(), message: format!("limits: {e}") })?;
        Ok(config)
    }
}
