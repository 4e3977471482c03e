//! Fuzz target `encoding_roundtrip`: AWS percent-encoding: `decode(encode(s)) == s` and the encoded alphabet.
//! The body and its properties: `checks::encoding_roundtrip` in `fuzz/src/checks.rs`.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| amzsig_fuzz::checks::encoding_roundtrip(data));
