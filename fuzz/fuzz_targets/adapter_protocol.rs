//! Fuzz target `adapter_protocol`: The adapter protocol decoders on arbitrary lines; decoded messages round-trip.
//! The body and its properties: `checks::adapter_protocol` in `fuzz/src/checks.rs`.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| amzsig_fuzz::checks::adapter_protocol(data));
