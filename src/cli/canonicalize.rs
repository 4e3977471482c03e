//! `amzsig canonicalize`: prints the canonical query and the string to sign, so a
//! developer can diff them against what their own signer builds.

use super::input::RequestArgs;
use super::EXIT_OK;
use crate::sigv2;
use anyhow::Result;
use clap::Args;

/// Print the canonical query string and the string to sign.
#[derive(Debug, Args)]
pub struct CanonicalizeArgs {
    #[command(flatten)]
    request: RequestArgs,
}

pub(super) fn run(args: &CanonicalizeArgs) -> Result<u8> {
    let req = args.request.load()?;
    let c = sigv2::canonicalize(&req.view());
    emitln!("canonical query:\n{}\n\nstring to sign:\n{}", c.canonical_query(), c.string_to_sign);
    Ok(EXIT_OK)
}
