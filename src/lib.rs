//! amzsig: a conformance harness and mock endpoint for Amazon request signers.
//!
//! The crate is layered (see `ARCHITECTURE.md`): a pure signing core ([`encoding`],
//! [`crypto`], [`clock`], [`request`], [`sigv2`]) with no IO; domain data ([`keystore`],
//! [`catalogue`], [`xml`]); pure service rules ([`services`]); the IO shells
//! ([`journal`], [`server`]); and the command line ([`cli`]). Start with
//! [`sigv2::sign`] and [`sigv2::verify`], or [`server::MockServer`] for tests.

pub mod adapter;
pub mod catalogue;
pub mod cli;
pub mod clock;
pub mod crypto;
pub mod diagnose;
pub mod encoding;
pub mod fuzzer;
pub mod journal;
pub mod keystore;
pub mod report;
pub mod request;
pub mod runner;
pub mod scenario;
pub mod scheme;
pub mod server;
pub mod services;
pub mod sigv2;
pub mod sigv4;
pub mod xml;
