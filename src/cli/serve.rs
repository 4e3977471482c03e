//! `amzsig serve`: runs the mock Amazon endpoint until Ctrl-C or SIGTERM.
//!
//! The first line on stdout is the base URL (`http://127.0.0.1:PORT`, `https://…` with
//! `--tls`), so scripts can start it with `--listen 127.0.0.1:0` and read the port; logs go
//! to stderr. With `--tls-ca-out FILE` the CA certificate is written before that line.
//!
//! The HTTP layer's limits and timeouts ([`Limits`]) come from the config file's `limits:`
//! section, and each has a flag that wins over it (README, "Limits and timeouts").

use super::EXIT_OK;
use crate::clock::Clock;
use crate::keystore::Keystore;
use crate::server::log::BufferedLog;
use crate::server::{AdminAccess, LimitOverrides, MockServer, ServerConfig, TlsSetup};
use crate::services::Throttling;
use crate::sigv2::HostMatch;
use anyhow::{bail, Context, Result};
use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Run the mock Amazon endpoint (PA-API, MWS).
///
/// With no options it listens on 127.0.0.1:8080 with the embedded default keystore
/// (Amazon's documentation example keys) and catalogue.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Config file (YAML: listen, clock, keystore, catalogue, throttling, ...); flags win.
    #[arg(long, value_name = "FILE", env = "AMZSIG_CONFIG")]
    config: Option<PathBuf>,

    /// Address to listen on; port 0 picks a free port (the first stdout line says which).
    #[arg(long, value_name = "ADDR", env = "AMZSIG_LISTEN")]
    listen: Option<SocketAddr>,

    /// Keystore file (YAML), instead of the config's or the embedded default.
    #[arg(long, value_name = "FILE")]
    keystore: Option<PathBuf>,

    /// Clock: 'system', 'fixed:2014-08-18T12:00:00Z' or 'offset:SECONDS'.
    #[arg(long, value_name = "CLOCK")]
    clock: Option<String>,

    /// Turn throttling off (PA-API's one request per second, MWS quotas).
    #[arg(long)]
    no_throttle: bool,

    /// Also accept signatures over the host without its port (many MWS client libraries).
    #[arg(long)]
    accept_host_without_port: bool,

    /// Who may call the admin API under /__amzsig/: 'loopback' (the default) or 'any' (a
    /// mock in a container, whose tests do not connect from loopback; only on an isolated
    /// network).
    #[arg(long, value_name = "WHO", env = "AMZSIG_ADMIN")]
    admin: Option<AdminArg>,

    /// The in-memory S3's cap on object and part data, in bytes (an upload past it gets
    /// 400 EntityTooLarge) [default: 1073741824].
    #[arg(long, value_name = "BYTES")]
    s3_max_bytes: Option<u64>,

    /// A base domain for S3 virtual-hosted buckets ({bucket}.DOMAIN), besides
    /// {bucket}.s3[.region].amazonaws.com and {bucket}.localhost; repeatable.
    #[arg(long = "s3-domain", value_name = "DOMAIN")]
    s3_domains: Vec<String>,

    /// Write the journal as JSON to this file on shutdown.
    #[arg(long, value_name = "FILE")]
    journal_out: Option<PathBuf>,

    #[command(flatten)]
    tls: TlsArgs,

    #[command(flatten)]
    limits: LimitArgs,
}

/// Flags for HTTPS (`--tls`; each wins over the config's `tls:` key).
#[derive(Debug, Args)]
#[command(next_help_heading = "HTTPS")]
struct TlsArgs {
    /// Serve HTTPS with a CA and certificate made at start (for 127.0.0.1, ::1, localhost,
    /// *.localhost, s3.localhost, *.s3.localhost).
    #[arg(long)]
    tls: bool,

    /// Write the generated CA certificate (PEM) here, for clients to trust (AWS_CA_BUNDLE,
    /// NODE_EXTRA_CA_CERTS, REQUESTS_CA_BUNDLE); written before the URL is printed.
    #[arg(long, value_name = "FILE")]
    tls_ca_out: Option<PathBuf>,

    /// Another name (DNS name or IP address) for the generated certificate, e.g.
    /// bucket.localhost for a virtual-hosted S3 client; repeatable.
    #[arg(long, value_name = "NAME")]
    tls_name: Vec<String>,

    /// Serve HTTPS with one's own certificate chain (PEM; with --tls-key; no CA is made).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,

    /// The private key (PEM) of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
}

impl TlsArgs {
    /// Applies the flags to the config's TLS settings; a contradiction is a usage error.
    fn apply(&self, config: &mut ServerConfig) -> Result<()> {
        if let (Some(cert), Some(key)) = (&self.tls_cert, &self.tls_key) {
            if self.tls_ca_out.is_some() || !self.tls_name.is_empty() {
                bail!("--tls-ca-out and --tls-name are for a generated certificate, not with --tls-cert/--tls-key");
            }
            config.tls = Some(TlsSetup::Files { cert: cert.clone(), key: key.clone() });
            config.tls_ca_out = None;
            return Ok(());
        }
        if self.tls && config.tls.is_none() {
            config.tls = Some(TlsSetup::generated());
        }
        let generated_only = self.tls_ca_out.is_some() || !self.tls_name.is_empty();
        match &mut config.tls {
            Some(TlsSetup::Generated { extra_names }) => extra_names.extend(self.tls_name.iter().cloned()),
            None if generated_only => bail!("--tls-ca-out and --tls-name need --tls (or a config file's tls: key)"),
            Some(_) if generated_only => {
                bail!("--tls-ca-out and --tls-name are for a generated certificate, not the config's cert and key")
            }
            _ => {}
        }
        if let Some(path) = &self.tls_ca_out {
            config.tls_ca_out = Some(path.clone());
        }
        Ok(())
    }
}

/// Who may call the admin API (`--admin`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum AdminArg {
    /// Peers on 127.0.0.0/8 or ::1 only.
    Loopback,
    /// Any peer.
    Any,
}

/// Flags for the HTTP layer's limits (each overrides the config's `limits:` key).
#[derive(Debug, Args)]
#[command(next_help_heading = "Limits and timeouts")]
struct LimitArgs {
    /// Largest request line plus headers, in bytes (431 above) [default: 65536].
    #[arg(long, value_name = "BYTES")]
    max_header_bytes: Option<usize>,

    /// Most header fields in a request (431 above) [default: 100].
    #[arg(long, value_name = "N")]
    max_headers: Option<usize>,

    /// Longest request target, path and query, in bytes (414 above) [default: 16384].
    #[arg(long, value_name = "BYTES")]
    max_uri_bytes: Option<usize>,

    /// Largest request body in bytes (413 above) [default: 16777216].
    #[arg(long, value_name = "BYTES")]
    max_body_bytes: Option<usize>,

    /// Largest S3 upload payload in bytes: a PUT or POST to S3, or an aws-chunked upload's
    /// decoded payload (S3's 400 EntityTooLarge above) [default: 5368709120].
    #[arg(long, value_name = "BYTES")]
    max_upload_bytes: Option<u64>,

    /// Most query plus form parameters (the service's 400 MalformedQueryString above) [default: 4096].
    #[arg(long, value_name = "N")]
    max_params: Option<usize>,

    /// Time allowed for a whole request head, in milliseconds (then 408) [default: 10000].
    #[arg(long, value_name = "MS")]
    header_timeout_ms: Option<u64>,

    /// Time allowed for a whole body after the head, in milliseconds (then 408) [default: 30000].
    #[arg(long, value_name = "MS")]
    body_timeout_ms: Option<u64>,

    /// Idle time between requests on a connection, in milliseconds (then close) [default: 60000].
    #[arg(long, value_name = "MS")]
    keep_alive_ms: Option<u64>,

    /// Connections served at once (more wait in the backlog) [default: 1024].
    #[arg(long, value_name = "N")]
    max_connections: Option<usize>,
}

impl LimitArgs {
    fn overrides(&self) -> LimitOverrides {
        LimitOverrides {
            max_header_bytes: self.max_header_bytes,
            max_headers: self.max_headers,
            max_uri_bytes: self.max_uri_bytes,
            max_body_bytes: self.max_body_bytes,
            max_upload_bytes: self.max_upload_bytes,
            max_params: self.max_params,
            header_read_timeout_ms: self.header_timeout_ms,
            body_read_timeout_ms: self.body_timeout_ms,
            keep_alive_timeout_ms: self.keep_alive_ms,
            max_connections: self.max_connections,
            shutdown_grace_ms: None,
        }
    }
}

pub(super) fn run(args: &ServeArgs) -> Result<u8> {
    // Declared first, dropped last: whatever was logged, up to the end of the stop, is
    // written out when `run` returns (normally, with an error or unwinding).
    let (log, _log_flusher) = BufferedLog::stderr();
    let _ = tracing_subscriber::fmt()
        .with_writer(log)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .try_init();
    let mut config = match &args.config {
        Some(path) => ServerConfig::load_file(path)?,
        None => ServerConfig { listen: SocketAddr::from(([127, 0, 0, 1], 8080)), ..ServerConfig::default() },
    };
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    if let Some(path) = &args.keystore {
        config.keystore = Keystore::load_file(path)?;
    }
    if let Some(clock) = &args.clock {
        config.clock = clock.parse::<Clock>().context("bad --clock")?;
    }
    if args.no_throttle {
        config.options.throttling = Throttling::Off;
    }
    if args.accept_host_without_port {
        config.options.host_match = HostMatch::AlsoWithoutPort;
    }
    if let Some(admin) = args.admin {
        config.admin = match admin {
            AdminArg::Loopback => AdminAccess::Loopback,
            AdminArg::Any => AdminAccess::Any,
        };
    }
    if let Some(m) = args.s3_max_bytes {
        config.s3_max_bytes = m;
    }
    if !args.s3_domains.is_empty() {
        config.options.s3_domains =
            args.s3_domains.iter().map(|d| crate::server::normalise_domain(d)).filter(|d| !d.is_empty()).collect();
    }
    args.tls.apply(&mut config)?;
    args.limits.overrides().apply(&mut config.limits);
    config.limits.validate().map_err(|e| anyhow::anyhow!("bad limit: {e}"))?;
    // Request ids are reproducible under a fixed clock; on the wall clock, vary them per run.
    if config.clock == Clock::System && config.request_id_seed == 0 {
        config.request_id_seed = u64::try_from(Clock::System.now().unix_millis()).unwrap_or(1);
    }
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the runtime")?;
    runtime.block_on(async {
        let keystore_origin = config.keystore.origin().to_owned();
        let ca_out = config.tls_ca_out.clone();
        let server = MockServer::start_with(config).await?;
        if let Some(path) = &ca_out {
            // Only the CA certificate: its key was dropped once the leaf was signed.
            let pem = server.ca_pem().context("no CA certificate was made")?;
            std::fs::write(path, pem)
                .with_context(|| format!("cannot write the CA certificate to {}", path.display()))?;
        }
        // Install the handlers before announcing the URL: a script that reads the URL and
        // sends SIGTERM at once must get a graceful stop, not the default kill.
        let stop = shutdown_signal()?;
        emitln!("{}", server.base_url());
        tracing::info!("amzsig mock endpoint on {} (keystore: {keystore_origin})", server.base_url());
        stop.await;
        tracing::info!("shutting down: finishing in-flight requests");
        let state = server.state().clone();
        server.stop().await;
        // After the stop, so the requests that were in flight are in it.
        if let Some(path) = &args.journal_out {
            std::fs::write(path, state.journal().to_json())
                .with_context(|| format!("cannot write the journal to {}", path.display()))?;
        }
        Ok(EXIT_OK)
    })
}

/// Registers SIGINT and SIGTERM handlers now; the returned future completes on either.
#[cfg(unix)]
fn shutdown_signal() -> Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut interrupt = signal(SignalKind::interrupt()).context("cannot handle SIGINT")?;
    let mut terminate = signal(SignalKind::terminate()).context("cannot handle SIGTERM")?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {},
            _ = terminate.recv() => {},
        }
    })
}

/// Registers the Ctrl-C handler; the returned future completes on it.
#[cfg(not(unix))]
fn shutdown_signal() -> Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}
