//! `amzsig adapter`: amzsig's own signer speaking the adapter protocol on stdin/stdout —
//! the reference client. With `--mistake`, a deliberately broken client (test fixtures).

use super::EXIT_OK;
use crate::adapter::reference;
use crate::diagnose::Mistake;
use anyhow::{Context, Result};
use clap::Args;

/// Serve the adapter protocol with amzsig's own signer (the reference client).
///
/// With --mistake ID (repeatable) it signs like a client that makes those classic
/// mistakes (ids: amzsig adapter --list-mistakes).
#[derive(Debug, Args)]
pub struct AdapterArgs {
    /// Sign with this classic mistake (repeatable).
    #[arg(long, value_name = "ID")]
    mistake: Vec<String>,

    /// List the mistake ids and exit.
    #[arg(long)]
    list_mistakes: bool,
}

pub(super) fn run(args: &AdapterArgs) -> Result<u8> {
    if args.list_mistakes {
        for m in Mistake::ALL {
            emitln!("{:<30} {}", m.id(), m.describe());
        }
        return Ok(EXIT_OK);
    }
    let mistakes = args
        .mistake
        .iter()
        .map(|id| Mistake::from_id(id).with_context(|| format!("unknown mistake '{id}' (see --list-mistakes)")))
        .collect::<Result<Vec<_>>>()?;
    reference::serve_stdio(&mistakes).context("the adapter's stdin/stdout failed")?;
    Ok(EXIT_OK)
}
