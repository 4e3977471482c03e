//! `amzsig explain`: says why a request's signature does not match — which classic signer
//! mistake reproduces it — with the string the client signed next to the right one. With
//! `--sig v4`, the SigV4 catalogue (`diagnose::v4`) and the canonical requests.

use super::input::{read_input, v4_access_key_id, v4_time, RequestArgs, SecretArgs, V4Args};
use super::{EXIT_FAILED, EXIT_OK};
use crate::adapter::error_chain;
use crate::clock::{Clock, UtcTime};
use crate::crypto::SecretKey;
use crate::crypto::{KeyState, SingleKey};
use crate::diagnose::{compare_canonical_requests, diagnose, Budget, Subject};
use crate::keystore::{Family, Keystore};
use crate::scheme::Failure;
use crate::sigv2::{self, VerifyPolicy};
use crate::sigv4;
use anyhow::{bail, Context, Result};
use clap::Args;
use std::path::PathBuf;

/// Shown at the end of `amzsig explain --help`.
const EXAMPLES: &str = "Examples:
  amzsig explain 'http://webservices.amazon.com/onca/xml?...&Signature=...'
  amzsig explain --sig v4 --region us-east-1 --service iam --request captured.http
  amzsig explain --sig v4 --region us-east-1 --service iam --request captured.http \\
    --client-creq client-canonical-request.txt";

/// Explain why a signature does not match (which signer mistake reproduces it).
///
/// The secret comes from --secret-env / --secret-file, or else from the keystore (the
/// embedded default holds Amazon's documentation keys) by the request's access key id.
/// Time: without --clock the request is judged at its own time (Timestamp, Expires or
/// X-Amz-Date), so old examples are not "expired"; with --clock (e.g. the mock's
/// 'fixed:…') it is judged as the mock judges it, skew and expiry included.
///
/// Every refusal about the signature (a mismatch, the scope's date, region or service,
/// the algorithm, an unsigned host, skew and expiry) is diagnosed, as the mock's
/// x-amzsig-diagnosis header is: the mistake that reproduces the signature, or none.
///
/// SigV4 (--sig v4): --region and --service are the endpoint's (a scope naming another
/// is a finding); --client-creq FILE compares the client's own canonical request, e.g.
/// from its debug log, with the right one.
///
/// Exit status 0 when the signature is valid, 1 when it is not, 2 on bad input.
#[derive(Debug, Args)]
#[command(after_long_help = EXAMPLES)]
pub struct ExplainArgs {
    #[command(flatten)]
    request: RequestArgs,

    #[command(flatten)]
    secret: SecretArgs,

    #[command(flatten)]
    v4: V4Args,

    /// Keystore to find the secret in when no secret is given (default: the embedded one).
    #[arg(long, value_name = "FILE")]
    keystore: Option<PathBuf>,

    /// Judge the time as the mock would at this clock: 'system', 'fixed:2014-08-18T12:00:00Z'
    /// or 'offset:SECONDS' (default: the request's own time).
    #[arg(long, value_name = "CLOCK")]
    clock: Option<String>,
    /// Which of a keystore key's secrets to use (`paapi`, `mws`, `aws`); default: from the
    /// request (`/onca/xml` or a PA-API 5.0 path: paapi; an `amazonaws.com` host, a SimpleDB
    /// request or any other SigV4 request: aws; other SigV2 requests: mws).
    #[arg(long, value_name = "FAMILY", value_parser = parse_family)]
    family: Option<Family>,

    /// SigV4: the canonical request the client logged ('-' reads stdin), compared with
    /// the right one.
    #[arg(long, value_name = "FILE")]
    client_creq: Option<PathBuf>,
}

fn parse_family(s: &str) -> Result<Family, String> {
    Family::from_name(s).ok_or_else(|| format!("'{s}' is not one of paapi, mws, aws"))
}

/// The family a SigV2 request's key signs for, guessed from where it was sent (and, for
/// SimpleDB, its Version and Action).
fn v2_family(host: &str, path: &str, params: &crate::encoding::ParamList) -> Family {
    let host = crate::sigv2::host_without_port(host).to_ascii_lowercase();
    if path == "/onca/xml" {
        Family::Paapi
    } else if host.ends_with(".amazonaws.com")
        || host.ends_with(".amazonaws.com.cn")
        || crate::services::query::QueryApi::for_params(params).is_some()
    {
        Family::Aws
    } else {
        Family::Mws
    }
}

/// The secret from the arguments, else the keystore's (the secret of `family`) for
/// `access_key_id`.
fn secret_for(args: &ExplainArgs, access_key_id: Option<&str>, family: Family) -> Result<SecretKey> {
    match args.secret.load() {
        Ok(s) => Ok(s),
        Err(e) => {
            let keystore = match &args.keystore {
                Some(p) => Keystore::load_file(p)?,
                None => Keystore::embedded_default(),
            };
            let Some(id) = access_key_id else { bail!("{e:#}, and the request names no access key id") };
            let family = args.family.unwrap_or(family);
            match keystore.family(family).lookup(id) {
                KeyState::Active(s) => Ok(s.clone()),
                _ => bail!("{e:#}, and {id} is not an active {} key in {}", family.name(), keystore.origin()),
            }
        }
    }
}

pub(super) fn run(args: &ExplainArgs) -> Result<u8> {
    if args.v4.is_v4() {
        return run_v4(args);
    }
    args.v4.check_v2()?;
    if args.client_creq.is_some() {
        bail!("--client-creq is a SigV4 option: add --sig v4");
    }
    let req = args.request.load()?;
    let view = req.view();
    let secret = secret_for(args, req.params.get("AWSAccessKeyId"), v2_family(view.host, view.path, view.params))?;
    // Judge the signature at the request's own time unless a clock is given, so old
    // examples are not "expired".
    let now = match &args.clock {
        Some(c) => c.parse::<Clock>().context("bad --clock")?.now(),
        None => req
            .params
            .get("Timestamp")
            .or(req.params.get("Expires"))
            .and_then(|t| UtcTime::parse_iso8601(t).ok())
            .unwrap_or_else(|| Clock::System.now()),
    };
    let keys = SingleKey { id: None, secret: &secret };
    match sigv2::verify(&view, &keys, now, &VerifyPolicy::default()) {
        Ok(v) => {
            emitln!("OK: the signature is valid ({} by {}); nothing to explain.", v.method, v.access_key_id);
            Ok(EXIT_OK)
        }
        Err(f) if Failure::V2(f.clone()).is_about_signature() => {
            let subject = Subject::V2 { view, default_method: sigv2::SignatureMethod::HmacSha256 };
            emitln!("{}", diagnose(subject, &secret, Budget::UNLIMITED));
            if !Failure::V2(f.clone()).is_signature_mismatch() {
                emitln!("\nThe verifier refused it: {f}");
            }
            Ok(EXIT_FAILED)
        }
        Err(other) => {
            emitln!("FAIL before the signature could be compared: {other}");
            if req.params.get(sigv4::X_AMZ_ALGORITHM).is_some() {
                emitln!("(This is a SigV4 presigned URL: add --sig v4.)");
            }
            Ok(EXIT_FAILED)
        }
    }
}

/// True when `x-amz-content-sha256` names an aws-chunked body.
fn is_streaming(view: &sigv4::SignableRequest<'_>) -> bool {
    view.header(sigv4::X_AMZ_CONTENT_SHA256)
        .is_some_and(|v| sigv4::streaming::StreamingMode::from_content_sha256(v.trim()).is_some())
}

fn run_v4(args: &ExplainArgs) -> Result<u8> {
    let input = args.v4.load_request(&args.request)?;
    let client_creq = match &args.client_creq {
        Some(path) => Some(String::from_utf8_lossy(&read_input(path)?).into_owned()),
        None => None,
    };
    let paapi5 = args.v4.service.as_deref() == Some("ProductAdvertisingAPI")
        || input.req.path.starts_with(crate::services::PAAPI5_PREFIX);
    let family = if paapi5 { Family::Paapi } else { Family::Aws };
    let secret = secret_for(args, v4_access_key_id(&input.req).as_deref(), family)?;
    // Judge the signature at the request's own time, so old examples are not "expired"
    // (a malformed X-Amz-Date is then reported by the verifier, as a failed check).
    let now = match &args.clock {
        Some(c) => v4_time(Some(c), &input.req)?,
        None => v4_time(None, &input.req).unwrap_or_else(|_| Clock::System.now()),
    };
    let policy = crate::sigv4::VerifyPolicy {
        expected_region: args.v4.region.as_deref(),
        expected_service: args.v4.service.as_deref(),
        settings: args.v4.settings(),
        ..crate::sigv4::VerifyPolicy::default()
    };
    let view = input.req.view();
    match sigv4::verify(&view, &SingleKey { id: None, secret: &secret }, now, &policy) {
        Ok(v) if is_streaming(&view) => {
            // The seed verified: the aws-chunked body's chunks, trailer and lengths next.
            let diagnosis = diagnose(Subject::V4Streaming { request: view, policy }, &secret, Budget::UNLIMITED);
            if diagnosis.signature_matches {
                emitln!(
                    "OK: the seed signature (SigV4 by {} for {}) and the aws-chunked body are valid; nothing to explain.",
                    v.access_key_id,
                    v.scope
                );
                return Ok(EXIT_OK);
            }
            emitln!(
                "The seed signature is valid (SigV4 by {} for {}); the aws-chunked body is refused.",
                v.access_key_id,
                v.scope
            );
            emitln!("{diagnosis}");
            Ok(EXIT_FAILED)
        }
        Ok(v) => {
            emitln!("OK: the signature is valid (SigV4 by {} for {}); nothing to explain.", v.access_key_id, v.scope);
            Ok(EXIT_OK)
        }
        Err(f) if Failure::V4(f.clone()).is_about_signature() => {
            let diagnosis = diagnose(Subject::V4 { request: view, policy }, &secret, Budget::UNLIMITED);
            emitln!("{diagnosis}");
            if !Failure::V4(f.clone()).is_signature_mismatch() {
                emitln!("\nThe verifier refused it: {}", error_chain(&f));
            }
            if let Some(client) = client_creq {
                match compare_canonical_requests(&client, diagnosis.correct_canonical_request.as_deref().unwrap_or_default()) {
                    None => emitln!("\nThe client's logged canonical request is the right one: the key or the string to sign differs."),
                    Some(d) => emitln!("\nThe client's logged canonical request differs: {d}"),
                }
            }
            Ok(EXIT_FAILED)
        }
        Err(other) => {
            emitln!("FAIL before the signature could be compared: {}", error_chain(&other));
            Ok(EXIT_FAILED)
        }
    }
}
