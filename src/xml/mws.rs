//! mws envelopes (placeholder; being written).
