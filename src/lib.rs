//! amzsig: a conformance harness and mock endpoint for Amazon request signers.
//!
//! The crate is layered (see `ARCHITECTURE.md`): a pure signing core ([`encoding`],
//! [`crypto`], [`clock`], [`request`], [`sigv2`]) with no IO, and the command line
//! ([`cli`]) on top. Start with [`sigv2::sign`] and [`sigv2::verify`].

pub mod cli;
pub mod clock;
pub mod crypto;
pub mod encoding;
pub mod request;
pub mod sigv2;
