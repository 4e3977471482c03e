//! `amzsig canonicalize`: prints the canonical query and the string to sign (SigV2), or
//! the canonical request and the string to sign (SigV4, `--sig v4`), so a developer can
//! diff them against what their own signer builds.

use super::input::{v4_time, RequestArgs, V4Args};
use super::EXIT_OK;
use crate::adapter::error_chain;
use crate::crypto::SecretKey;
use crate::crypto::SingleKey;
use crate::sigv2;
use crate::sigv4::{self, SigningParams, AUTHORIZATION, X_AMZ_ALGORITHM};
use anyhow::{bail, Result};
use clap::Args;

/// Print the canonical query string and the string to sign (SigV2), or the canonical
/// request and the string to sign (SigV4).
///
/// SigV4: a request that is not signed yet is canonicalised as a signer would (every
/// header signed; --region and --service needed; the time is --clock, else the request's
/// X-Amz-Date, else now). A signed request (Authorization header or presigned URL) is
/// canonicalised as the server does, with the headers and scope it claims.
#[derive(Debug, Args)]
pub struct CanonicalizeArgs {
    #[command(flatten)]
    request: RequestArgs,

    #[command(flatten)]
    v4: V4Args,

    /// SigV4: the signing time of an unsigned request: 'system', 'fixed:…', 'offset:SECS'.
    #[arg(long, value_name = "CLOCK")]
    clock: Option<String>,

    /// SigV4: the session token signed with the request (X-Amz-Security-Token).
    #[arg(long, value_name = "TOKEN", env = "AMZSIG_SESSION_TOKEN", hide_env_values = true)]
    session_token: Option<String>,
}

pub(super) fn run(args: &CanonicalizeArgs) -> Result<u8> {
    if args.v4.is_v4() {
        return run_v4(args);
    }
    args.v4.check_v2()?;
    if args.clock.is_some() || args.session_token.is_some() {
        bail!("--clock and --session-token are SigV4 options here: add --sig v4");
    }
    let req = args.request.load()?;
    let c = sigv2::canonicalize(&req.view());
    emitln!("canonical query:\n{}\n\nstring to sign:\n{}", c.canonical_query(), c.string_to_sign);
    Ok(EXIT_OK)
}

fn run_v4(args: &CanonicalizeArgs) -> Result<u8> {
    let input = args.v4.load_request(&args.request)?;
    let view = input.req.view();
    let time = v4_time(args.clock.as_deref(), &input.req)?;
    // Nothing printed here depends on the secret: a placeholder keeps the secret out.
    let placeholder = SecretKey::new("");
    let signed = view.header(AUTHORIZATION).is_some() || view.query.find(X_AMZ_ALGORITHM).is_some();
    let (creq, sts) = if signed {
        let policy = crate::sigv4::VerifyPolicy {
            max_skew_secs: i64::MAX / 2000,
            expected_region: args.v4.region.as_deref(),
            expected_service: args.v4.service.as_deref(),
            settings: args.v4.settings(),
        };
        let keys = SingleKey { id: None, secret: &placeholder };
        match sigv4::verify(&view, &keys, time, &policy) {
            Ok(v) => (v.canonical_request.to_string(), v.string_to_sign.to_string()),
            Err(crate::sigv4::VerifyFailure::Mismatch { canonical_request, string_to_sign }) => {
                (canonical_request.to_string(), string_to_sign.to_string())
            }
            Err(other) => bail!("cannot canonicalise the signed request as the server would: {}", error_chain(&other)),
        }
    } else {
        let (region, service) = args.v4.scope()?;
        let out = sigv4::sign(
            &view,
            &SigningParams {
                access_key_id: "",
                secret: &placeholder,
                session_token: args.session_token.as_deref().filter(|t| !t.is_empty()),
                region,
                service,
                time,
                settings: args.v4.settings(),
            },
        );
        (out.canonical_request.to_string(), out.string_to_sign.to_string())
    };
    emitln!("canonical request:\n{creq}\n\nstring to sign:\n{sts}");
    if signed {
        chunked_body(&view, &input.req.body, &sts)?;
    }
    Ok(EXIT_OK)
}

/// For an aws-chunked upload, each chunk's string to sign and the trailer's, chained from
/// the signatures the request carries (the seed, then each chunk's as sent): what the
/// server signs for each, secret-free.
fn chunked_body(view: &sigv4::SignableRequest<'_>, body: &[u8], seed_sts: &str) -> Result<()> {
    use sigv4::streaming::{canonical_trailers, chunk_string_to_sign, trailer_string_to_sign, Decoder, StreamingHead};
    let Some(head) = StreamingHead::read_captured(|n| view.header(n)) else { return Ok(()) };
    let head = head.map_err(|e| anyhow::anyhow!("the aws-chunked upload's headers: {e}"))?;
    let mut lines = seed_sts.split('\n').skip(1);
    let (Some(amz_date), Some(scope)) = (lines.next(), lines.next()) else { return Ok(()) };
    let seed = match view.header(AUTHORIZATION).map(sigv4::parse_authorization) {
        Some(Ok(a)) => a.signature,
        _ if head.mode.signed_chunks() => {
            bail!("signed aws-chunked chunks need the Authorization header's signature as their seed (a presigned URL has none)")
        }
        _ => String::new(),
    };
    let mut decoder = Decoder::new(head.mode, None, head.trailer.as_deref(), Some(head.decoded_length)).recording();
    let result = decoder.feed(body, &mut Vec::new());
    let mut previous = seed;
    emitln!("\naws-chunked body ({:?}):", head.mode);
    for (i, chunk) in decoder.chunk_log().iter().enumerate() {
        if head.mode.signed_chunks() {
            let text = chunk_string_to_sign(amz_date, scope, &previous, &chunk.data_sha256);
            emitln!("\nchunk {} ({} bytes) string to sign:\n{text}", i + 1, chunk.size);
            previous = chunk.signature.clone().unwrap_or_default();
        } else {
            emitln!("chunk {} ({} bytes)", i + 1, chunk.size);
        }
    }
    if head.mode == sigv4::streaming::StreamingMode::SignedTrailer && !decoder.trailers().is_empty() {
        let canonical = canonical_trailers(decoder.trailers());
        emitln!(
            "\ncanonical trailers:\n{canonical}\ntrailer string to sign:\n{}",
            trailer_string_to_sign(amz_date, scope, &previous, &canonical)
        );
    } else if !decoder.trailers().is_empty() {
        let t: Vec<String> = decoder.trailers().iter().map(|(n, v)| format!("{n}:{v}")).collect();
        emitln!("trailer (unsigned): {}", t.join(", "));
    }
    if let Err(e) = result {
        emitln!("\nthe body stops being readable there: {e} (S3 answers {})", e.s3_code());
    }
    Ok(())
}
