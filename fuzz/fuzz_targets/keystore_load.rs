//! Fuzz target `keystore_load`: `Keystore::from_yaml_str` on arbitrary text: errors, never panics.
//! The body and its properties: `checks::keystore_load` in `fuzz/src/checks.rs`.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| amzsig_fuzz::checks::keystore_load(data));
