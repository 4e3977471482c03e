//! The `amzsig` binary: parses the command line and hands it to [`amzsig::cli::run`].

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    amzsig::cli::run(amzsig::cli::Args::parse())
}
