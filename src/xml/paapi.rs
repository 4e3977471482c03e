//! paapi envelopes (placeholder; being written).
