//! The `amzsig` binary: parses the command line and hands it to [`amzsig::cli::run`].

use clap::Parser;
use std::process::ExitCode;

// The mock renders a body per request from many small allocations on several threads;
// mimalloc avoids glibc's arena-lock contention there (see BENCHMARKS.md, load).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    amzsig::cli::run(amzsig::cli::Args::parse())
}
