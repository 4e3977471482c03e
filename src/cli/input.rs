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

/// Where the request comes from. The grammar, shared by sign, verify, canonicalize and
/// explain: a request is a URL *or* `--request FILE`, never both and never neither; a URL
/// may be followed by `NAME=VALUE` parameters and takes `-X METHOD`; a captured request
/// takes `--scheme` and nothing else (it is used as it was sent: its method is in its
/// request line, its parameters in its target or body). Anything else is one line on
/// stderr and exit status 2 ([`RequestArgs::source`]).
#[derive(Debug, Args)]
pub(crate) struct RequestArgs {
    /// The request URL, e.g. 'https://webservices.amazon.com/onca/xml?Service=...'.
    /// Quote it: '&' means something to the shell. Give either a URL or --request FILE.
    #[arg(value_name = "URL")]
    pub url: Option<String>,

    /// With a URL only: extra parameters NAME=VALUE (decoded text), appended after the
    /// URL's own (for -X POST, SigV2: the form body's).
    #[arg(value_name = "NAME=VALUE")]
    pub params: Vec<String>,

    /// With a URL only: the HTTP method (SigV2: GET or POST; SigV4: any). Default GET.
    #[arg(short = 'X', long)]
    pub method: Option<String>,

    /// Read a captured HTTP request (request line, headers, blank line, body) from this
    /// file instead of a URL; '-' reads stdin. Used as it was sent: no NAME=VALUE, no -X.
    #[arg(long, value_name = "FILE")]
    pub request: Option<PathBuf>,

    /// With --request only: the scheme the captured request was sent with (decides the
    /// default port): http or https. Default https.
    #[arg(long, value_parser = ["http", "https"])]
    pub scheme: Option<String>,
}

/// The request the command line names, checked against the grammar.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Source<'a> {
    /// A URL, its method and the extra parameters (name, value) after it.
    Url { url: &'a str, method: String, params: Vec<(&'a str, &'a str)> },
    /// A captured HTTP request in a file ('-': stdin), sent with `scheme`.
    Captured { path: &'a Path, scheme: Scheme },
}

/// Whether `text` starts like an absolute http(s) URL.
fn looks_like_url(text: &str) -> bool {
    let lower = text.get(..8).unwrap_or(text).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

impl RequestArgs {
    /// The request these arguments name, or a one-line error saying which rule of the
    /// grammar they break.
    pub(crate) fn source(&self) -> Result<Source<'_>> {
        match (&self.request, self.url.as_deref()) {
            (None, None) => bail!("no request: give a URL or --request FILE"),
            (Some(_), Some(first)) if looks_like_url(first) => {
                bail!("give one request: a URL or --request FILE, not both")
            }
            (Some(_), Some(first)) => bail!(
                "'{first}': NAME=VALUE parameters go after a URL; a captured request (--request) is used as it was sent"
            ),
            (Some(path), None) => {
                if self.method.is_some() {
                    bail!("-X goes with a URL: a captured request (--request) has its method in its request line");
                }
                let scheme = if self.scheme.as_deref() == Some("http") { Scheme::Http } else { Scheme::Https };
                Ok(Source::Captured { path, scheme })
            }
            (None, Some(url)) => {
                if !looks_like_url(url) && url.contains('=') {
                    bail!("'{url}' is not a URL: give a URL (http:// or https://) or --request FILE, then NAME=VALUE parameters");
                }
                if self.scheme.is_some() {
                    bail!("--scheme goes with --request: a URL names its own scheme");
                }
                let mut params = Vec::with_capacity(self.params.len());
                for p in &self.params {
                    if looks_like_url(p) {
                        bail!("'{p}' is a second URL: give one request");
                    }
                    let Some(pair) = p.split_once('=') else { bail!("parameter '{p}' is not NAME=VALUE") };
                    params.push(pair);
                }
                let method = self.method.as_deref().unwrap_or("GET").to_ascii_uppercase();
                Ok(Source::Url { url, method, params })
            }
        }
    }

    /// Builds the owned (SigV2) request these arguments describe.
    pub(crate) fn load(&self) -> Result<OwnedRequest> {
        match self.source()? {
            Source::Captured { path, scheme } => {
                let text = read_input(path)?;
                OwnedRequest::from_http_text(&text, scheme)
                    .with_context(|| format!("cannot read the request in {}", path.display()))
            }
            Source::Url { url, method, params } => {
                if !["GET", "POST"].contains(&method.as_str()) {
                    bail!("SigV2 requests are GET or POST, not '{method}' (other methods need --sig v4)");
                }
                let mut req = OwnedRequest::from_url(&method, url)?;
                for (name, value) in params {
                    req.params.0.push(Param::new(name, value));
                }
                if req.method == "POST" {
                    req.location = ParamLocation::Form;
                }
                Ok(req)
            }
        }
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
        let source = args.source()?;
        let (scheme, mut req, extra) = match source {
            Source::Captured { path, scheme } => {
                let text = read_input(path)?;
                let req = ParsedRequest::parse(&text)
                    .with_context(|| format!("cannot read the request in {}", path.display()))?;
                (scheme, req, Vec::new())
            }
            Source::Url { url, method, params } => {
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
                    method,
                    path: path.to_owned(),
                    raw_query: raw_query.map(str::to_owned),
                    query,
                    version: None,
                    headers: vec![("Host".to_owned(), host.to_owned())],
                    body: Vec::new(),
                };
                (scheme, req, params)
            }
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
        for (name, value) in extra {
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
