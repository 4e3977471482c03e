//! The one integration-test binary (one link on a 2-core machine): modules per area.

mod cli;
mod support;
mod tidy;
mod vectors_sigv2;
