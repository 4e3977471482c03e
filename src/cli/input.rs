//! Shared inputs of the subcommands: the request (a URL plus extra parameters, or a
//! captured HTTP request from a file or stdin), the secret (an environment variable or
//! a file, never an argument), and the SigV4 options (`--sig v4`: region, service,
//! headers, body, S3 rules) with the SigV4 request they describe.

use crate::clock::{Clock, UtcTime};
use crate::crypto::SecretKey;
use crate::encoding::{encode_into, parse_query, Param, PlusMeans};
use crate::request::{OwnedRequest, ParamLocation, Scheme};
use crate::sigv4::{self, ParsedRequest, SigningSettings};
use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use std::io::Read;
use std::path::{Path, PathBuf};

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

    /// HTTP method of the request (SigV2: GET or POST; SigV4: any).
    #[arg(short = 'X', long, default_value = "GET")]
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
        if !["GET", "POST"].contains(&self.method.to_ascii_uppercase().as_str()) {
            bail!("SigV2 requests are GET or POST, not '{}' (other methods need --sig v4)", self.method);
        }
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

pub(crate) fn read_input(path: &Path) -> Result<Vec<u8>> {
    if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin().read_to_end(&mut buf).context("cannot read stdin")?;
        Ok(buf)
    } else {
        std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
    }
}

/// The signature version a subcommand works with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SigVersion {
    /// Signature Version 2 (PA-API 4, MWS, Query APIs).
    V2,
    /// Signature Version 4 (every current AWS API, PA-API 5).
    V4,
}

/// The SigV4 options shared by sign, verify, canonicalize and explain.
#[derive(Debug, Args)]
pub(crate) struct V4Args {
    /// Signature version.
    #[arg(long = "sig", value_enum, default_value = "v2", value_name = "VERSION")]
    pub sig: SigVersion,

    /// SigV4: the region of the credential scope (verify, explain: the endpoint's region,
    /// checked against the scope).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,

    /// SigV4: the service of the credential scope, e.g. iam, s3, execute-api,
    /// ProductAdvertisingAPI (verify, explain: the endpoint's service).
    #[arg(long, value_name = "SERVICE")]
    pub service: Option<String>,

    /// SigV4: a request header 'Name: value' (repeatable), added after the request's own.
    /// A URL's host becomes the Host header unless one is given.
    #[arg(long = "header", short = 'H', value_name = "NAME: VALUE")]
    pub headers: Vec<String>,

    /// SigV4: the request body, read from FILE ('-' reads stdin); replaces a captured
    /// request's body.
    #[arg(long, value_name = "FILE")]
    pub body: Option<PathBuf>,

    /// SigV4: S3's rules (path encoded once and not normalised, x-amz-content-sha256,
    /// UNSIGNED-PAYLOAD in presigned URLs).
    #[arg(long)]
    pub s3: bool,
}

/// A SigV4 request read from the command line, and the scheme it is sent with.
#[derive(Debug)]
pub(crate) struct V4Request {
    /// `http` or `https` (from the URL, or `--scheme` for a captured request).
    pub scheme: Scheme,
    /// Method, path, query, headers in order, body.
    pub req: ParsedRequest,
}

impl V4Request {
    /// The `Host` header's value.
    pub(crate) fn host(&self) -> &str {
        self.req.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case("host")).map_or("", |(_, v)| v.as_str())
    }

    /// `scheme://host/path` (no query).
    pub(crate) fn base_url(&self) -> String {
        format!("{}://{}{}", self.scheme.as_str(), self.host(), self.req.path)
    }
}

impl V4Args {
    /// True for `--sig v4`.
    pub(crate) fn is_v4(&self) -> bool {
        self.sig == SigVersion::V4
    }

    /// Refuses SigV4 options given without `--sig v4`.
    pub(crate) fn check_v2(&self) -> Result<()> {
        if self.region.is_some() || self.service.is_some() || !self.headers.is_empty() || self.body.is_some() || self.s3
        {
            bail!("--region, --service, --header, --body and --s3 are SigV4 options: add --sig v4");
        }
        Ok(())
    }

    /// The canonicalisation rules: S3's with `--s3`, else the general ones.
    pub(crate) fn settings(&self) -> SigningSettings {
        if self.s3 {
            SigningSettings::s3()
        } else {
            SigningSettings::default()
        }
    }

    /// The region and service a signer needs.
    pub(crate) fn scope(&self) -> Result<(&str, &str)> {
        match (self.region.as_deref(), self.service.as_deref()) {
            (Some(r), Some(s)) if !r.is_empty() && !s.is_empty() => Ok((r, s)),
            _ => bail!("--sig v4 needs --region and --service to sign (e.g. --region us-east-1 --service iam)"),
        }
    }

    /// The SigV4 request: a captured HTTP request (`--request FILE`, the AWS test suite's
    /// `.req`/`.sreq` format) or a URL with `-X`, plus `--header`s, `NAME=VALUE` query
    /// parameters and `--body`.
    pub(crate) fn load_request(&self, args: &RequestArgs) -> Result<V4Request> {
        let stdin = |p: &Option<PathBuf>| p.as_ref().is_some_and(|p| p.as_os_str() == "-");
        if stdin(&args.request) && stdin(&self.body) {
            bail!("--request - and --body - cannot both read stdin");
        }
        let (scheme, mut req) = if let Some(path) = &args.request {
            let text = read_input(path)?;
            let req = ParsedRequest::parse(&text)
                .with_context(|| format!("cannot read the request in {}", path.display()))?;
            (if args.scheme == "http" { Scheme::Http } else { Scheme::Https }, req)
        } else {
            let url = args.url.as_deref().unwrap_or_default();
            let (scheme, rest) = if let Some(r) = url.strip_prefix("https://") {
                (Scheme::Https, r)
            } else if let Some(r) = url.strip_prefix("http://") {
                (Scheme::Http, r)
            } else {
                bail!("'{url}' is not an absolute http:// or https:// URL");
            };
            let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            let host = &rest[..authority_end];
            if host.is_empty() || host.contains(['@', ' ']) {
                bail!("'{url}' has no usable host");
            }
            let target = rest[authority_end..].split('#').next().unwrap_or("");
            let (path, raw_query) = match target.split_once('?') {
                Some((p, q)) => (p, Some(q)),
                None => (target, None),
            };
            let query_start = url.len() - rest.len() + authority_end + path.len() + 1;
            let query = parse_query(raw_query.unwrap_or_default().as_bytes(), PlusMeans::Space).map_err(|e| {
                anyhow::Error::new(crate::encoding::DecodeError { pos: e.pos + query_start, ..e })
                    .context("the URL's query string does not decode")
            })?;
            let req = ParsedRequest {
                method: args.method.to_ascii_uppercase(),
                path: path.to_owned(),
                raw_query: raw_query.map(str::to_owned),
                query,
                version: None,
                headers: vec![("Host".to_owned(), host.to_owned())],
                body: Vec::new(),
            };
            (scheme, req)
        };
        for h in &self.headers {
            let Some((name, value)) = h.split_once(':') else { bail!("header '{h}' is not 'Name: value'") };
            let name = name.trim();
            if name.is_empty() || name.contains([' ', '\t']) {
                bail!("header '{h}' has no valid name");
            }
            if args.request.is_none() && name.eq_ignore_ascii_case("host") {
                req.headers.retain(|(n, _)| !n.eq_ignore_ascii_case("host"));
            }
            req.headers.push((name.to_owned(), value.trim_matches([' ', '\t']).to_owned()));
        }
        for p in &args.params {
            let Some((name, value)) = p.split_once('=') else { bail!("parameter '{p}' is not NAME=VALUE") };
            let mut raw = req.raw_query.take().filter(|q| !q.is_empty()).map(|q| q + "&").unwrap_or_default();
            encode_into(&mut raw, name.as_bytes());
            raw.push('=');
            encode_into(&mut raw, value.as_bytes());
            req.raw_query = Some(raw);
            req.query.0.push(Param::new(name, value));
        }
        if let Some(path) = &self.body {
            req.body = read_input(path)?;
        }
        Ok(V4Request { scheme, req })
    }
}

/// The time a SigV4 command works at: `--clock` when given, else the request's own
/// `X-Amz-Date` (header or presigned parameter), else the system clock.
pub(crate) fn v4_time(clock: Option<&str>, req: &ParsedRequest) -> Result<UtcTime> {
    if let Some(c) = clock {
        return Ok(c.parse::<Clock>().context("bad --clock")?.now());
    }
    let own = req
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(sigv4::X_AMZ_DATE))
        .map(|(_, v)| v.as_str())
        .or_else(|| req.query.get(sigv4::X_AMZ_DATE));
    match own {
        Some(d) => {
            sigv4::parse_amz_date(d.trim()).with_context(|| format!("the request's X-Amz-Date '{d}' is malformed"))
        }
        None => Ok(Clock::System.now()),
    }
}

/// The access key id a SigV4 request claims (Authorization's Credential, or
/// X-Amz-Credential).
pub(crate) fn v4_access_key_id(req: &ParsedRequest) -> Option<String> {
    let auth = req.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(sigv4::AUTHORIZATION));
    if let Some((_, v)) = auth {
        return sigv4::parse_authorization(v).ok().map(|a| a.credential.access_key_id);
    }
    req.query.get(sigv4::X_AMZ_CREDENTIAL).and_then(|c| sigv4::parse_credential(c).ok()).map(|c| c.access_key_id)
}
