//! `amzsig verify`: checks a signed URL or captured request (SigV2, or SigV4 with
//! `--sig v4`) and says why it fails.

use super::input::{RequestArgs, SecretArgs, V4Args};
use super::{EXIT_FAILED, EXIT_OK};
use crate::clock::Clock;
use crate::crypto::SingleKey;
use crate::sigv2::{self, HostForm, HostMatch, VerifyFailure, VerifyPolicy};
use crate::sigv4::{self, SignatureLocation};
use anyhow::{bail, Context, Result};
use clap::Args;

/// Shown at the end of `amzsig verify --help`.
const EXAMPLES: &str = "Examples:
  amzsig verify --clock fixed:2014-08-18T12:00:00Z 'http://webservices.amazon.com/onca/xml?...'
  amzsig verify --sig v4 --region us-east-1 --service service \\
    --clock fixed:2015-08-30T12:36:00Z --request get-vanilla.sreq
  amzsig verify --sig v4 --s3 'https://b.s3.amazonaws.com/key?X-Amz-Algorithm=AWS4-HMAC-SHA256&...'

The request is a URL (then NAME=VALUE parameters, -X) or --request FILE (then --scheme),
never both: a captured request is checked as it was sent.";

/// Verify the signature of a signed URL or captured request (SigV2; SigV4 with --sig v4:
/// the Authorization header or a presigned URL).
///
/// Exit status 0 when the signature is valid, 1 when it is not (the reason is printed),
/// 2 when the input cannot be read.
#[derive(Debug, Args)]
#[command(after_long_help = EXAMPLES)]
pub struct VerifyArgs {
    #[command(flatten)]
    request: RequestArgs,

    #[command(flatten)]
    secret: SecretArgs,

    #[command(flatten)]
    v4: V4Args,

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
    if args.v4.is_v4() {
        return run_v4(args);
    }
    args.v4.check_v2()?;
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
            if req.params.get(sigv4::X_AMZ_ALGORITHM).is_some() {
                emitln!("(This is a SigV4 presigned URL: add --sig v4.)");
            }
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

fn run_v4(args: &VerifyArgs) -> Result<u8> {
    if args.allow_host_without_port {
        bail!("--allow-host-without-port is a SigV2 option (SigV4 signs the Host header as sent)");
    }
    let input = args.v4.load_request(&args.request)?;
    let secret = args.secret.load()?;
    let clock: Clock = args.clock.parse().context("bad --clock")?;
    let policy = crate::sigv4::VerifyPolicy {
        max_skew_secs: args.max_skew,
        expected_region: args.v4.region.as_deref(),
        expected_service: args.v4.service.as_deref(),
        settings: args.v4.settings(),
    };
    let keys = SingleKey { id: None, secret: &secret };
    match sigv4::verify(&input.req.view(), &keys, clock.now(), &policy) {
        Ok(v) => {
            let form = match v.location {
                SignatureLocation::Headers => "Authorization header",
                SignatureLocation::QueryParams => "presigned URL",
            };
            emitln!("OK: valid SigV4 signature ({form}) by {} for {}", v.access_key_id, v.scope);
            verify_stream(&input.req.view(), &input.req.body, &v, &secret)
        }
        Err(failure) => {
            emitln!("FAIL: {}", crate::adapter::error_chain(&failure));
            if let crate::sigv4::VerifyFailure::Mismatch { canonical_request, string_to_sign } = &failure {
                emitln!(
                    "\nThe server's canonical request (the client must have signed a different one):\n{canonical_request}\n\n\
                     The server's string to sign:\n{string_to_sign}"
                );
            }
            Ok(EXIT_FAILED)
        }
    }
}

/// For an aws-chunked upload (`x-amz-content-sha256` a streaming literal), the body after
/// the seed: every chunk signature in order, the decoded length, the trailer and its
/// signature. The first bad one fails the command, with its string to sign.
fn verify_stream(
    view: &sigv4::SignableRequest<'_>,
    body: &[u8],
    verified: &sigv4::Verified,
    secret: &crate::crypto::SecretKey,
) -> Result<u8> {
    use sigv4::streaming::{ChunkChain, Decoder, StreamingError, StreamingHead};
    // The head's rules as the mock applies them (decoded length, trailer announced), but for
    // the wire framing, which a captured file does not have.
    let head = match StreamingHead::read_captured(|n| view.header(n)) {
        None => return Ok(EXIT_OK),
        Some(Ok(head)) => head,
        Some(Err(e)) => {
            emitln!("FAIL: the aws-chunked upload: {e} (S3 answers {})", e.s3_code());
            return Ok(EXIT_FAILED);
        }
    };
    let mode = head.mode;
    let chain = if mode.signed_chunks() {
        let seed = match view.header(sigv4::AUTHORIZATION).map(sigv4::parse_authorization) {
            Some(Ok(a)) => a.signature,
            _ => bail!(
                "signed aws-chunked chunks need the Authorization header's signature as their seed (a presigned URL has none)"
            ),
        };
        let scope = &verified.scope;
        let key = sigv4::signing_key(secret, &scope.date, &scope.region, &scope.service);
        let scope_text = sigv4::credential_scope(&scope.date, &scope.region, &scope.service);
        Some(ChunkChain::new(&key, &verified.request_time.to_amz_date(), &scope_text, &seed))
    } else {
        None
    };
    let mut decoder = Decoder::new(mode, chain, head.trailer.as_deref(), Some(head.decoded_length));
    let mut data = Vec::new();
    let result =
        decoder.feed(body, &mut data).map(|()| decoder.chunks()).and_then(|n| decoder.finish().map(|t| (n, t)));
    match result {
        Ok((chunks, trailers)) => {
            let signed = if mode.signed_chunks() { ", every chunk signature valid" } else { "" };
            let trailer: Vec<String> = trailers.iter().map(|(n, v)| format!("{n}: {v}")).collect();
            emitln!(
                "OK: aws-chunked body: {chunks} chunks, {} bytes{signed}{}",
                data.len(),
                if trailer.is_empty() { String::new() } else { format!("; trailer {}", trailer.join(", ")) }
            );
            Ok(EXIT_OK)
        }
        Err(e) => {
            emitln!("FAIL: the aws-chunked body: {e} (S3 answers {})", e.s3_code());
            if let StreamingError::ChunkSignature { string_to_sign, .. }
            | StreamingError::TrailerSignature { string_to_sign, .. } = &e
            {
                emitln!("\nThe server's string to sign for it:\n{string_to_sign}");
            }
            Ok(EXIT_FAILED)
        }
    }
}
