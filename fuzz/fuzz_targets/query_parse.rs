//! Fuzz target `query_parse`: `amzsig::encoding::parse_query` on arbitrary bytes: positions, raw forms, re-encoding.
//! The body and its properties: `checks::query_parse` in `fuzz/src/checks.rs`.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| amzsig_fuzz::checks::query_parse(data));
