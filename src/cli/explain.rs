//! `amzsig explain`: says why a request's signature does not match — which classic signer
//! mistake reproduces it — with the string the client signed next to the right one.

use super::input::{RequestArgs, SecretArgs};
use super::{EXIT_FAILED, EXIT_OK};
use crate::clock::UtcTime;
use crate::diagnose::diagnose;
use crate::keystore::Keystore;
use crate::sigv2::{self, KeyState, SecretLookup, SingleKey, VerifyFailure, VerifyPolicy};
use anyhow::{bail, Result};
use clap::Args;
use std::path::PathBuf;

/// Explain why a signature does not match (which signer mistake reproduces it).
///
/// The secret comes from --secret-env / --secret-file, or else from the keystore (the
/// embedded default holds Amazon's documentation keys) by the request's AWSAccessKeyId.
/// Time is not checked: explain looks at the signature only.
///
/// Exit status 0 when the signature is valid, 1 when it is not, 2 on bad input.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    #[command(flatten)]
    request: RequestArgs,

    #[command(flatten)]
    secret: SecretArgs,

    /// Keystore to find the secret in when no secret is given (default: the embedded one).
    #[arg(long, value_name = "FILE")]
    keystore: Option<PathBuf>,
}

pub(super) fn run(args: &ExplainArgs) -> Result<u8> {
    let req = args.request.load()?;
    let view = req.view();
    let secret = match args.secret.load() {
        Ok(s) => s,
        Err(e) => {
            let keystore = match &args.keystore {
                Some(p) => Keystore::load_file(p)?,
                None => Keystore::embedded_default(),
            };
            let Some(id) = req.params.get("AWSAccessKeyId") else { bail!("the request has no AWSAccessKeyId") };
            match keystore.lookup(id) {
                KeyState::Active(s) => s.clone(),
                _ => bail!("{e:#}, and {id} is not an active key in {}", keystore.origin()),
            }
        }
    };
    // Judge the signature at the request's own time, so old examples are not "expired".
    let now = req
        .params
        .get("Timestamp")
        .or(req.params.get("Expires"))
        .and_then(|t| UtcTime::parse_iso8601(t).ok())
        .unwrap_or_else(|| crate::clock::Clock::System.now());
    let keys = SingleKey { id: None, secret: &secret };
    match sigv2::verify(&view, &keys, now, &VerifyPolicy::default()) {
        Ok(v) => {
            emitln!("OK: the signature is valid ({} by {}); nothing to explain.", v.method, v.access_key_id);
            Ok(EXIT_OK)
        }
        Err(
            VerifyFailure::Mismatch { .. }
            | VerifyFailure::SignatureWrongLength { .. }
            | VerifyFailure::SignatureNotBase64 { .. },
        ) => {
            emitln!("{}", diagnose(&view, &secret, sigv2::SignatureMethod::HmacSha256));
            Ok(EXIT_FAILED)
        }
        Err(other) => {
            emitln!("FAIL before the signature could be compared: {other}");
            Ok(EXIT_FAILED)
        }
    }
}
