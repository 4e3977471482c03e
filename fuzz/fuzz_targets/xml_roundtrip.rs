//! Fuzz target `xml_roundtrip`: XML: an arbitrary `Element` tree renders and parses back to the same tree.
//! The body and its properties: `checks::xml_roundtrip` in `fuzz/src/checks.rs`.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| amzsig_fuzz::checks::xml_roundtrip(data));
