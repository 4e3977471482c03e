//! The official AWS SigV4 test suites (placeholder; being written).
