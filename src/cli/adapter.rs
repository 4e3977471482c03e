//! `amzsig adapter`: amzsig's own signer speaking the adapter protocol on stdin/stdout —
//! the reference client. With `--mistake`, a deliberately broken client (test fixtures).

use super::EXIT_OK;
use crate::adapter::reference::{self, Mistakes};
use crate::adapter::Capability;
use crate::diagnose::Mistake;
use anyhow::{Context, Result};
use clap::Args;

/// Serve the adapter protocol with amzsig's own signer (the reference client).
///
/// With --mistake ID (repeatable) it signs like a client that makes those classic
/// mistakes (ids: amzsig adapter --list-mistakes; `v4-…` ids apply to SigV4 requests,
/// the others to SigV2 requests).
#[derive(Debug, Args)]
pub struct AdapterArgs {
    /// Sign with this classic mistake (repeatable).
    #[arg(long, value_name = "ID")]
    mistake: Vec<String>,

    /// List the mistake ids and exit.
    #[arg(long)]
    list_mistakes: bool,

    /// Speak only this scheme (v2 or v4): a single-scheme client, which announces only
    /// that scheme's capabilities.
    #[arg(long, value_name = "SIG", value_parser = ["v2", "v4"])]
    sig: Option<String>,

    /// Announce this service only (repeatable: paapi, mws, aws, paapi5), as a client
    /// written for one API does; the runner then gives it only that service's scenarios.
    #[arg(long, value_name = "SERVICE", value_parser = ["paapi", "mws", "aws", "paapi5"])]
    service: Vec<String>,
}

pub(super) fn run(args: &AdapterArgs) -> Result<u8> {
    if args.list_mistakes {
        for m in Mistake::all() {
            emitln!("{:<38} {}", m.id(), m.describe());
        }
        return Ok(EXIT_OK);
    }
    let mut mistakes = Mistakes::from_ids(&args.mistake).map_err(|e| anyhow::anyhow!("{e} (see --list-mistakes)"))?;
    mistakes.only = match args.sig.as_deref() {
        Some("v2") => Some(crate::scheme::SchemeId::V2Query),
        Some(_) => Some(crate::scheme::SchemeId::V4),
        None => None,
    };
    mistakes.services = args
        .service
        .iter()
        .map(|s| match s.as_str() {
            "paapi" => Capability::Paapi,
            "mws" => Capability::Mws,
            "paapi5" => Capability::Paapi5,
            _ => Capability::Aws,
        })
        .collect();
    reference::serve_stdio(&mistakes).context("the adapter's stdin/stdout failed")?;
    Ok(EXIT_OK)
}
