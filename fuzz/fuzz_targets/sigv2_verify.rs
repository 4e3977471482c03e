//! Fuzz target `sigv2_verify`: SigV2: `sigv2::verify` on arbitrary queries and URLs; `sigv2::sign` then verify.
//! The body and its properties: `checks::sigv2_verify` in `fuzz/src/checks.rs`.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| amzsig_fuzz::checks::sigv2_verify(data));
