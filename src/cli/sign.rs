//! `amzsig sign`: signs a request with SigV2 and prints the signed URL, form body or a
//! curl command line; with `--sig v4`, signs with SigV4 and prints the headers to add
//! (or the presigned URL, the signed request, a curl command line).

use super::input::{v4_time, RequestArgs, SecretArgs, V4Args};
use super::EXIT_OK;
use crate::clock::Clock;
use crate::encoding::{parse_query, PlusMeans};
use crate::request::ParamLocation;
use crate::sigv2::{self, SignatureMethod};
use crate::sigv4::{self, Payload, SignatureLocation, SigningParams, MAX_EXPIRES_SECS};
use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};

/// Shown at the end of `amzsig sign --help`.
const EXAMPLES: &str = "Examples:
  SigV2 (the PA-API Developer Guide's ItemLookup; AMZSIG_SECRET_KEY=1234567890):
    amzsig sign 'http://webservices.amazon.com/onca/xml?Service=AWSECommerceService&...'
  SigV4, header form (prints X-Amz-Date and Authorization; AMZSIG_SECRET_KEY set):
    amzsig sign --sig v4 --access-key-id AKIDEXAMPLE --region us-east-1 --service iam \\
      --clock fixed:2015-08-30T12:36:00Z --verbose \\
      'https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08'
  SigV4 from an AWS test-suite request file:
    amzsig sign --sig v4 --access-key-id AKIDEXAMPLE --region us-east-1 --service service \\
      --request get-vanilla.req
  S3 presigned URL; a JSON body from a file as a curl command:
    amzsig sign --sig v4 --s3 --presign --expires 300 --region us-east-1 --service s3 URL
    amzsig sign --sig v4 -X POST -H 'Content-Type: application/json' --body body.json \\
      --output curl --region us-east-1 --service execute-api URL";

/// Sign a request (SigV2, or SigV4 with --sig v4) and print it ready to send. SigV4's
/// signing time is --clock, else the request's X-Amz-Date, else now.
#[derive(Debug, Args)]
#[command(after_long_help = EXAMPLES)]
pub struct SignArgs {
    #[command(flatten)]
    request: RequestArgs,

    #[command(flatten)]
    secret: SecretArgs,

    #[command(flatten)]
    v4: V4Args,

    /// Add AWSAccessKeyId=ID unless the request already has one (SigV4: the credential's
    /// access key id, required).
    #[arg(long, value_name = "ID", env = "AMZSIG_ACCESS_KEY_ID")]
    access_key_id: Option<String>,

    /// HMAC to sign with; by default the request's SignatureMethod, else HmacSHA256.
    #[arg(long, value_name = "METHOD", value_parser = ["HmacSHA256", "HmacSHA1"])]
    signature_method: Option<String>,

    /// Clock for the Timestamp added when the request has neither Timestamp nor Expires:
    /// 'system', 'fixed:2014-08-18T12:00:00Z' or 'offset:-60' (seconds); default system.
    /// SigV4: the signing time (default: the request's X-Amz-Date, else system).
    #[arg(long, value_name = "CLOCK")]
    clock: Option<String>,

    /// What to print: the signed URL, the form body, or a curl command line. Default: url
    /// for GET, body for POST. SigV4: headers (default), url (with --presign, the
    /// default), request (the signed HTTP request), curl.
    #[arg(long, value_enum)]
    output: Option<Output>,

    /// SigV4: sign UNSIGNED-PAYLOAD instead of the body's SHA-256.
    #[arg(long)]
    unsigned_payload: bool,

    /// SigV4: put the signature in a presigned URL's query instead of the Authorization
    /// header.
    #[arg(long)]
    presign: bool,

    /// SigV4: how long the presigned URL is valid, in seconds (1 to 604800; default 3600).
    #[arg(long, value_name = "SECS", requires = "presign")]
    expires: Option<u64>,

    /// SigV4: the session token of temporary credentials (X-Amz-Security-Token). Prefer
    /// the environment variable.
    #[arg(long, value_name = "TOKEN", env = "AMZSIG_SESSION_TOKEN", hide_env_values = true)]
    session_token: Option<String>,

    /// SigV4: also print the canonical request and the string to sign.
    #[arg(long, short = 'v')]
    verbose: bool,
}

/// What `sign` prints.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Output {
    /// The full URL with the signed query string.
    Url,
    /// The signed parameters as one line of form body (or query string).
    Body,
    /// A curl command line that sends the request.
    Curl,
    /// SigV4: the headers the signer sets, one `Name: value` per line.
    Headers,
    /// SigV4: the whole signed request as HTTP text.
    Request,
}

pub(super) fn run(args: &SignArgs) -> Result<u8> {
    if args.v4.is_v4() {
        return run_v4(args);
    }
    args.v4.check_v2()?;
    if args.unsigned_payload || args.presign || args.verbose || args.session_token.is_some() {
        bail!("--unsigned-payload, --presign, --session-token and --verbose are SigV4 options: add --sig v4");
    }
    let mut req = args.request.load()?;
    let secret = args.secret.load()?;
    let clock: Clock = args.clock.as_deref().unwrap_or("system").parse().context("bad --clock")?;
    if let Some(id) = &args.access_key_id {
        if req.params.get("AWSAccessKeyId").is_none() {
            req.params.push("AWSAccessKeyId", id.clone());
        }
    }
    if req.params.get("Timestamp").is_none() && req.params.get("Expires").is_none() {
        req.params.push("Timestamp", clock.now().to_iso8601());
    }
    let method = match args.signature_method.as_deref().or(req.params.get("SignatureMethod")) {
        Some(m) => m.parse::<SignatureMethod>()?,
        None => SignatureMethod::HmacSha256,
    };
    req.params.remove(sigv2::SIGNATURE_PARAM);
    let signed = sigv2::sign(&req.view(), method, &secret);
    let wire = signed.wire_query(&req.params);
    let base = format!("{}://{}{}", req.scheme.as_str(), req.host, req.path);
    let output = args.output.unwrap_or(match req.location {
        ParamLocation::Query => Output::Url,
        ParamLocation::Form => Output::Body,
    });
    match (output, req.location) {
        (Output::Url, _) => emitln!("{base}?{wire}"),
        (Output::Body, _) => emitln!("{wire}"),
        (Output::Curl, ParamLocation::Query) => emitln!("curl -sS '{base}?{wire}'"),
        (Output::Curl, ParamLocation::Form) => emitln!(
            "curl -sS -X {} -H 'Content-Type: application/x-www-form-urlencoded; charset=utf-8' --data '{wire}' '{base}'",
            req.method
        ),
        (Output::Headers | Output::Request, _) => {
            bail!("--output headers and --output request are SigV4 outputs: add --sig v4")
        }
    }
    Ok(EXIT_OK)
}

fn run_v4(args: &SignArgs) -> Result<u8> {
    if args.signature_method.is_some() {
        bail!("--signature-method is a SigV2 option (SigV4 always signs with HMAC-SHA256)");
    }
    let input = args.v4.load_request(&args.request)?;
    let secret = args.secret.load()?;
    let (region, service) = args.v4.scope()?;
    let Some(access_key_id) = args.access_key_id.as_deref().filter(|id| !id.is_empty()) else {
        bail!("--sig v4 needs the access key id: pass --access-key-id ID or set AMZSIG_ACCESS_KEY_ID");
    };
    let time = v4_time(args.clock.as_deref(), &input.req)?;
    let mut settings = args.v4.settings();
    if args.presign {
        let expires = args.expires.unwrap_or(3600);
        if !(1..=MAX_EXPIRES_SECS).contains(&expires) {
            bail!("--expires {expires} is out of range: a presigned URL lives 1 to {MAX_EXPIRES_SECS} seconds");
        }
        settings = settings.presigned(expires);
    }
    let mut view = input.req.view();
    if args.unsigned_payload {
        view.payload = Payload::Unsigned;
    }
    let out = sigv4::sign(
        &view,
        &SigningParams {
            access_key_id,
            secret: &secret,
            session_token: args.session_token.as_deref().filter(|t| !t.is_empty()),
            region,
            service,
            time,
            settings,
        },
    );
    let mut signed = input.req.clone();
    match out.location {
        SignatureLocation::Headers => out.apply_headers(&mut signed.headers),
        SignatureLocation::QueryParams => {
            let q = out.presigned_query(&signed.query);
            signed.query = parse_query(q.as_bytes(), PlusMeans::Space).context("the presigned query does not parse")?;
            signed.raw_query = Some(q);
        }
    }
    let url = match &signed.raw_query {
        Some(q) if !q.is_empty() => format!("{}?{q}", input.base_url()),
        _ => input.base_url(),
    };
    let default = if args.presign { Output::Url } else { Output::Headers };
    match (args.output.unwrap_or(default), out.location) {
        (Output::Headers, SignatureLocation::Headers) => {
            for (name, value) in &out.headers {
                emitln!("{name}: {value}");
            }
        }
        (Output::Headers, SignatureLocation::QueryParams) => bail!("a presigned request adds no headers: --output url"),
        (Output::Url, SignatureLocation::QueryParams) => emitln!("{url}"),
        (Output::Url, SignatureLocation::Headers) => {
            bail!("the signature is in the headers, not the URL: use --presign, or --output headers/request/curl")
        }
        (Output::Request, _) => {
            // Exactly the request: a newline after a body would become part of it.
            let mut text = String::from_utf8_lossy(&signed.to_http_text()).into_owned();
            if signed.body.is_empty() {
                text.push('\n');
            }
            super::emit(&text);
        }
        (Output::Curl, _) => {
            let mut parts = vec![format!("curl -sS -X {}", signed.method)];
            for (name, value) in signed.headers.iter().filter(|(n, _)| !n.eq_ignore_ascii_case("host")) {
                parts.push(format!("-H {}", shell_quote(&format!("{name}: {value}"))));
            }
            match &args.v4.body {
                Some(path) if !signed.body.is_empty() => {
                    let at = if path.as_os_str() == "-" { "-".to_owned() } else { path.display().to_string() };
                    parts.push(format!("--data-binary {}", shell_quote(&format!("@{at}"))));
                }
                _ if !signed.body.is_empty() => {
                    parts.push(format!("--data-binary {}", shell_quote(&String::from_utf8_lossy(&signed.body))));
                }
                _ => {}
            }
            let cmd = parts.join(" ");
            emitln!("{cmd} {}", shell_quote(&url));
        }
        (Output::Body, _) => bail!("--output body is for SigV2 form posts; SigV4 sends the body as it is"),
    }
    if args.verbose {
        emitln!("\ncanonical request:\n{}\n\nstring to sign:\n{}", out.canonical_request, out.string_to_sign);
    }
    Ok(EXIT_OK)
}

/// `text` in single quotes for a POSIX shell.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}
