//! AWS Signature Version 4 (placeholder; being written).
