//! `amzsig verify`: checks a signed URL or captured request and says why it fails.

use super::input::{RequestArgs, SecretArgs};
use super::{EXIT_FAILED, EXIT_OK};
use crate::clock::Clock;
use crate::sigv2::{self, HostForm, HostMatch, SingleKey, VerifyFailure, VerifyPolicy};
use anyhow::{Context, Result};
use clap::Args;

/// Verify the SigV2 signature of a signed URL or captured request.
///
/// Exit status 0 when the signature is valid, 1 when it is not (the reason is printed),
/// 2 when the input cannot be read.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    request: RequestArgs,

    #[command(flatten)]
    secret: SecretArgs,

    /// Clock to judge Timestamp/Expires against: 'system', 'fixed:2014-08-18T12:00:00Z',
    /// or 'offset:SECONDS'.
    #[arg(long, default_value = "system", value_name = "CLOCK")]
    clock: String,

    /// Allowed distance between Timestamp and now, in seconds.
    #[arg(long, default_value_t = 900, value_name = "SECONDS")]
    max_skew: i64,

    /// Also accept a signature over the host without its port (what many MWS libraries sign).
    #[arg(long)]
    allow_host_without_port: bool,
}

pub(super) fn run(args: &VerifyArgs) -> Result<u8> {
    let req = args.request.load()?;
    let secret = args.secret.load()?;
    let clock: Clock = args.clock.parse().context("bad --clock")?;
    let policy = VerifyPolicy {
        max_skew_secs: args.max_skew,
        host_match: if args.allow_host_without_port { HostMatch::AlsoWithoutPort } else { HostMatch::Exact },
        ..VerifyPolicy::default()
    };
    let keys = SingleKey { id: None, secret: &secret };
    match sigv2::verify(&req.view(), &keys, clock.now(), &policy) {
        Ok(v) => {
            let host = match v.host_form {
                HostForm::AsSent => "the Host header",
                HostForm::WithoutPort => "the host without its port",
            };
            emitln!("OK: valid {} signature by {} over {host}", v.method, v.access_key_id);
            Ok(EXIT_OK)
        }
        Err(failure) => {
            emitln!("FAIL: {failure}");
            if let VerifyFailure::Mismatch { expected } = &failure {
                emitln!(
                    "\nThe server signed this string (the client must have signed a different one):\n{}",
                    expected.string_to_sign
                );
            }
            Ok(EXIT_FAILED)
        }
    }
}
