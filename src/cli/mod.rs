//! The command line: clap definitions, one file per subcommand, and the exit-code rule
//! (0 ok, 1 a signature or check failed, 2 usage or IO error).
//!
//! Each subcommand turns its parsed arguments into plain values before doing any work,
//! and keeps no logic a test would want: that lives in the library layers below.

// The doc comments in this module are clap's `--help` texts, written for a terminal: bare
// URLs and `<placeholders>` are meant literally.
#![allow(rustdoc::bare_urls, rustdoc::invalid_html_tags)]

/// `println!` that ends quietly when stdout is a closed pipe (`amzsig explain … | head`).
macro_rules! emitln {
    ($($arg:tt)*) => { $crate::cli::emit(&format!("{}\n", format_args!($($arg)*))) };
}

mod adapter;
mod canonicalize;
mod explain;
mod fuzz;
mod input;
mod run;
mod serve;
mod sign;
mod verify;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Sign, verify and explain Amazon request signatures (SigV2: Product Advertising API 4,
/// MWS, Query APIs; SigV4 with --sig v4: every current AWS API, PA-API 5), and run a mock
/// Amazon endpoint that checks them.
///
/// Secrets are never taken on the command line: they come from an environment variable
/// (AMZSIG_SECRET_KEY by default) or a file.
#[derive(Debug, Parser)]
#[command(name = "amzsig", version, about, long_about)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign a request and print the signed URL or form body (SigV4: the headers to add, or
    /// a presigned URL).
    Sign(sign::SignArgs),
    /// Check the signature of a signed URL or a captured HTTP request.
    Verify(verify::VerifyArgs),
    /// Print the canonical query (SigV4: the canonical request) and the string to sign.
    #[command(alias = "canonicalise")]
    Canonicalize(canonicalize::CanonicalizeArgs),
    /// Explain why a signature does not match (which signer mistake reproduces it).
    Explain(explain::ExplainArgs),
    /// Run the mock Amazon endpoint.
    Serve(serve::ServeArgs),
    /// Run the scenario suite against a signing client.
    Run(run::RunArgs),
    /// Serve the adapter protocol with amzsig's own signer (the reference client).
    Adapter(adapter::AdapterArgs),
    /// Fuzz a signing client against amzsig's verifier (differential fuzzing).
    Fuzz(fuzz::FuzzArgs),
}

/// Writes to stdout; if the reader has gone away, exits quietly with status 0.
pub(crate) fn emit(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if out.write_all(text.as_bytes()).and_then(|()| out.flush()).is_err() {
        std::process::exit(0);
    }
}

/// Exit status: all good.
pub const EXIT_OK: u8 = 0;
/// Exit status: a signature did not verify or a check failed.
pub const EXIT_FAILED: u8 = 1;
/// Exit status: bad usage, unreadable input, IO error.
pub const EXIT_ERROR: u8 = 2;

/// Runs a parsed command line and returns the process exit status. Errors are printed as
/// one line on stderr, with their causes chained.
pub fn run(args: Args) -> ExitCode {
    let result = match args.command {
        Command::Sign(a) => sign::run(&a),
        Command::Verify(a) => verify::run(&a),
        Command::Canonicalize(a) => canonicalize::run(&a),
        Command::Explain(a) => explain::run(&a),
        Command::Serve(a) => serve::run(&a),
        Command::Run(a) => run::run(&a),
        Command::Adapter(a) => adapter::run(&a),
        Command::Fuzz(a) => fuzz::run(&a),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("amzsig: error: {err:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Args::command().debug_assert();
    }
}
