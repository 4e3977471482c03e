//! `amzsig sign`: signs a request with SigV2 and prints the signed URL, form body or a
//! curl command line.

use super::input::{RequestArgs, SecretArgs};
use super::EXIT_OK;
use crate::clock::Clock;
use crate::request::ParamLocation;
use crate::sigv2::{self, SignatureMethod};
use anyhow::{Context, Result};
use clap::{Args, ValueEnum};

/// Sign a request (SigV2) and print it ready to send.
///
/// Example (the PA-API Developer Guide's ItemLookup):
///
///   AMZSIG_SECRET_KEY=1234567890 amzsig sign 'http://webservices.amazon.com/onca/xml?Service=AWSECommerceService&AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&AssociateTag=mytag-20&Operation=ItemLookup&ItemId=0679722769&ResponseGroup=Images,ItemAttributes,Offers,Reviews&Version=2013-08-01&Timestamp=2014-08-18T12:00:00Z'
#[derive(Debug, Args)]
pub struct SignArgs {
    #[command(flatten)]
    request: RequestArgs,

    #[command(flatten)]
    secret: SecretArgs,

    /// Add AWSAccessKeyId=ID unless the request already has one.
    #[arg(long, value_name = "ID", env = "AMZSIG_ACCESS_KEY_ID")]
    access_key_id: Option<String>,

    /// HMAC to sign with; by default the request's SignatureMethod, else HmacSHA256.
    #[arg(long, value_name = "METHOD", value_parser = ["HmacSHA256", "HmacSHA1"])]
    signature_method: Option<String>,

    /// Clock for the Timestamp added when the request has neither Timestamp nor Expires:
    /// 'system', 'fixed:2014-08-18T12:00:00Z' or 'offset:-60' (seconds).
    #[arg(long, default_value = "system", value_name = "CLOCK")]
    clock: String,

    /// What to print: the signed URL, the form body, or a curl command line. Default: url
    /// for GET, body for POST.
    #[arg(long, value_enum)]
    output: Option<Output>,
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
}

pub(super) fn run(args: &SignArgs) -> Result<u8> {
    let mut req = args.request.load()?;
    let secret = args.secret.load()?;
    let clock: Clock = args.clock.parse().context("bad --clock")?;
    if let Some(id) = &args.access_key_id {
        if req.params.get("AWSAccessKeyId").is_none() {
            req.params.push("AWSAccessKeyId", id.clone());
        }
    }
    if req.params.get("Timestamp").is_none() && req.params.get("Expires").is_none() {
        req.params.push("Timestamp", clock.now().to_iso8601());
    }
    let method = match args.signature_method.as_deref().or(req.params.get("SignatureMethod")) {
        Some(m) => m.parse::<SignatureMethod>().map_err(anyhow::Error::msg)?,
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
    }
    Ok(EXIT_OK)
}
