//! Fuzz target `diagnose`: `diagnose()` names the mistake `sign_with_mistakes` made, and only sound findings.
//! The body and its properties: `checks::diagnose_mistakes` in `fuzz/src/checks.rs`.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| amzsig_fuzz::checks::diagnose_mistakes(data));
