//! Shared inputs of the subcommands: the request (a URL plus extra parameters, or a
//! captured HTTP request from a file or stdin) and the secret (an environment variable or
//! a file, never an argument).

use crate::crypto::SecretKey;
use crate::encoding::Param;
use crate::request::{OwnedRequest, ParamLocation, Scheme};
use anyhow::{bail, Context, Result};
use clap::Args;
use std::io::Read;
use std::path::PathBuf;

/// Where the request comes from.
#[derive(Debug, Args)]
pub(crate) struct RequestArgs {
    /// The request URL, e.g. 'https://webservices.amazon.com/onca/xml?Service=...'.
    /// Quote it: '&' means something to the shell.
    #[arg(value_name = "URL", required_unless_present = "request")]
    pub url: Option<String>,

    /// Extra parameters NAME=VALUE (decoded text), appended after the URL's own.
    #[arg(value_name = "NAME=VALUE")]
    pub params: Vec<String>,

    /// HTTP method of the request.
    #[arg(short = 'X', long, default_value = "GET", value_parser = ["GET", "POST", "get", "post"])]
    pub method: String,

    /// Read a captured HTTP request (request line, headers, blank line, body) from this
    /// file instead of a URL; '-' reads stdin.
    #[arg(long, value_name = "FILE", conflicts_with = "url")]
    pub request: Option<PathBuf>,

    /// Scheme of a captured request (decides the default port): http or https.
    #[arg(long, default_value = "https", value_parser = ["http", "https"])]
    pub scheme: String,
}

impl RequestArgs {
    /// Builds the owned request these arguments describe.
    pub(crate) fn load(&self) -> Result<OwnedRequest> {
        let mut req = if let Some(path) = &self.request {
            let scheme = if self.scheme == "http" { Scheme::Http } else { Scheme::Https };
            let text = read_input(path)?;
            OwnedRequest::from_http_text(&text, scheme)
                .with_context(|| format!("cannot read the request in {}", path.display()))?
        } else {
            let url = self.url.as_deref().unwrap_or_default();
            OwnedRequest::from_url(&self.method, url)?
        };
        for p in &self.params {
            let Some((name, value)) = p.split_once('=') else {
                bail!("parameter '{p}' is not NAME=VALUE");
            };
            req.params.0.push(Param::new(name, value));
        }
        if self.request.is_none() && req.method == "POST" {
            req.location = ParamLocation::Form;
        }
        Ok(req)
    }
}

/// Where the secret comes from.
#[derive(Debug, Args)]
pub(crate) struct SecretArgs {
    /// Environment variable that holds the secret access key.
    #[arg(long, value_name = "VAR", default_value = "AMZSIG_SECRET_KEY")]
    pub secret_env: String,

    /// File that holds the secret access key (one trailing newline is ignored).
    #[arg(long, value_name = "FILE")]
    pub secret_file: Option<PathBuf>,
}

impl SecretArgs {
    /// Reads the secret from the file if given, else from the environment variable.
    pub(crate) fn load(&self) -> Result<SecretKey> {
        if let Some(path) = &self.secret_file {
            let mut bytes =
                std::fs::read(path).with_context(|| format!("cannot read the secret file {}", path.display()))?;
            if bytes.ends_with(b"\n") {
                bytes.pop();
                if bytes.ends_with(b"\r") {
                    bytes.pop();
                }
            }
            return Ok(SecretKey::new(bytes));
        }
        match std::env::var_os(&self.secret_env) {
            Some(v) if !v.is_empty() => Ok(SecretKey::new(v.into_encoded_bytes())),
            _ => bail!("no secret key: set the environment variable {} or pass --secret-file FILE", self.secret_env),
        }
    }
}

fn read_input(path: &PathBuf) -> Result<Vec<u8>> {
    if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin().read_to_end(&mut buf).context("cannot read stdin")?;
        Ok(buf)
    } else {
        std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
    }
}
