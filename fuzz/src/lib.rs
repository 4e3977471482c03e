//! amzsig's fuzz crate: the targets' bodies live in [`checks`], one plain function per
//! target, so the cargo-fuzz binaries (`fuzz_targets/*.rs`) and the stable-toolchain
//! replay test in the main crate (`tests/it/fuzz_corpus.rs`) run the same code.

pub mod checks;
