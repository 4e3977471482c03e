//! The one integration-test binary (one link on a 2-core machine): modules per area.

mod cli;
mod cli_v4;
mod coverage;
mod diagnose;
mod difffuzz;
mod fuzz_corpus;
mod hostile;
mod mistakes;
mod mock_vs_explain;
mod replay_suites;
mod runner;
mod runner_v4;
mod secrets;
mod serve_log;
mod server;
mod server_query;
mod server_s3;
mod server_services;
mod server_tls;
mod server_v4;
mod streaming;
mod support;
mod tidy;
mod vectors_checksums;
mod vectors_sigv2;
mod vectors_sigv4;
