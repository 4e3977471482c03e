//! Fuzz target `sigv4_verify`: SigV4: request text through `ParsedRequest::parse` and `sigv4::verify`; sign then verify.
//! The body and its properties: `checks::sigv4_verify` in `fuzz/src/checks.rs`.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| amzsig_fuzz::checks::sigv4_verify(data));
