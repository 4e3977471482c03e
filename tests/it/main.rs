//! The one integration-test binary (one link on a 2-core machine): modules per area.

mod cli;
mod diagnose;
mod difffuzz;
mod fuzz_corpus;
mod runner;
mod secrets;
mod server;
mod server_services;
mod support;
mod tidy;
mod vectors_sigv2;
mod vectors_sigv4;
