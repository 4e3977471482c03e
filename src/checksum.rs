//! S3's flexible checksums (issue #15, item 3): the algorithms S3 names in
//! `x-amz-checksum-*` headers and trailers and in `x-amz-sdk-checksum-algorithm`, an
//! incremental [`Hasher`], and the parsing of a sent value. Pure: no IO, no clock.
//!
//! A value is the base64 (standard, padded) of the **big-endian** digest
//! (`../shared/reference/s3-streaming-sigv2-sigv4a.md` §2.4; botocore's
//! `httpchecksum.py` writes `crc.to_bytes(4, byteorder='big')`). S3 refuses a value that is
//! not base64 or not the digest's length with `400 InvalidRequest`, "Value for
//! x-amz-checksum-sha256 header is invalid." (AWS-recorded, LocalStack snapshot
//! `test_s3_checksum_no_algorithm`, same reference §2.5): [`parse_value`] says which.
//!
//! Algorithms: CRC32, CRC32C, CRC64NVME, SHA1, SHA256 (since 2022/2025) and the 2026
//! additions MD5, SHA512, XXHASH64, XXHASH3, XXHASH128 (S3 model enum per botocore
//! 1.42.94, 2026-04-22, reference §2.4). For the xxHash family S3's exact convention is
//! **not confirmed** by a recorded S3 answer: seed 0 and xxHash's canonical (big-endian)
//! form, as aws-c-checksums' `aws_xxhash64_compute(0, …)` test writes XXH64("Hello world")
//! = `c500b0c912b376d8`; XXHASH3 is XXH3-64, XXHASH128 is XXH3-128. Their header names
//! (`x-amz-checksum-xxhash64`, …) are the lowercased enum value, like the older five.
//!
//! Crates, measured (release, 64 MiB buffer, best of 5, on the CI machine: x86-64 with
//! AVX-512/VPCLMULQDQ; `/tmp` scratch program, figures in MiB/s):
//!
//! | crate | CRC-32 | CRC-32C | CRC-64/NVME | packages added to `server` |
//! | --- | ---: | ---: | ---: | --- |
//! | `crc` 3.4 (`Table<16>`, slice-by-16) | 5 048 | 4 993 | 3 242 | 2 (`crc`, `crc-catalog`) |
//! | `crc32fast` 1.5 / `crc32c` 0.6 / `crc64fast-nvme` 1.2 | 29 650 | 15 300 | 14 877 | 3 (`crc32fast` is already there through flate2) |
//! | **`crc-fast` 1.10** (AWS Labs, SIMD, runtime CPU detection) | 29 503 | 32 880 | 32 404 | **2** (`crc-fast`, `spin`) |
//!
//! `crc-fast` is chosen: the fastest for all three (S3 upload target: ≥ 0.7 of a plain
//! PUT, so a slow CRC64NVME — the AWS CLI v2 default — would matter), maintained by
//! AWS Labs, and two packages (`crc-fast` and `spin`; its `digest` dependency is already in
//! the tree through `sha2`), without its default `ffi`/`panic-handler` features. MD5 uses `md-5` (already
//! the server's), SHA-1/256/512 `sha1`/`sha2` (the core's), xxHash `xxhash-rust` (no
//! dependencies; only the three hashes enabled). The module is behind feature `checksum`
//! (included in `server`) so the pure core's package count does not grow; `server` grows by
//! 3 packages (82 → 85), the binary's tree by 3 (115 → 118).

use std::fmt;

use md5::Digest as _;

use crate::crypto::{base64_decode, base64_encode, constant_time_eq};

/// A checksum algorithm S3 accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChecksumAlgorithm {
    /// CRC-32/ISO-HDLC (zlib's), 4 bytes.
    Crc32,
    /// CRC-32C (Castagnoli, iSCSI), 4 bytes.
    Crc32c,
    /// CRC-64/NVME, 8 bytes.
    Crc64Nvme,
    /// SHA-1, 20 bytes.
    Sha1,
    /// SHA-256, 32 bytes.
    Sha256,
    /// SHA-512, 64 bytes (2026 addition).
    Sha512,
    /// MD5, 16 bytes (2026 addition).
    Md5,
    /// XXH64, seed 0, 8 bytes (2026 addition).
    XxHash64,
    /// XXH3-64, seed 0, 8 bytes (2026 addition).
    XxHash3,
    /// XXH3-128, seed 0, 16 bytes (2026 addition).
    XxHash128,
}

/// One row per algorithm: the value, S3's name (`ChecksumAlgorithm` enum value), the
/// header name and the digest length in bytes.
const TABLE: &[(ChecksumAlgorithm, &str, &str, usize)] = &[
    (ChecksumAlgorithm::Crc32, "CRC32", "x-amz-checksum-crc32", 4),
    (ChecksumAlgorithm::Crc32c, "CRC32C", "x-amz-checksum-crc32c", 4),
    (ChecksumAlgorithm::Crc64Nvme, "CRC64NVME", "x-amz-checksum-crc64nvme", 8),
    (ChecksumAlgorithm::Sha1, "SHA1", "x-amz-checksum-sha1", 20),
    (ChecksumAlgorithm::Sha256, "SHA256", "x-amz-checksum-sha256", 32),
    (ChecksumAlgorithm::Sha512, "SHA512", "x-amz-checksum-sha512", 64),
    (ChecksumAlgorithm::Md5, "MD5", "x-amz-checksum-md5", 16),
    (ChecksumAlgorithm::XxHash64, "XXHASH64", "x-amz-checksum-xxhash64", 8),
    (ChecksumAlgorithm::XxHash3, "XXHASH3", "x-amz-checksum-xxhash3", 8),
    (ChecksumAlgorithm::XxHash128, "XXHASH128", "x-amz-checksum-xxhash128", 16),
];

/// The prefix every checksum header (and trailer) name starts with.
pub const HEADER_PREFIX: &str = "x-amz-checksum-";

impl ChecksumAlgorithm {
    /// Every algorithm, in S3's model order of introduction.
    pub const ALL: [ChecksumAlgorithm; 10] = [
        Self::Crc32,
        Self::Crc32c,
        Self::Crc64Nvme,
        Self::Sha1,
        Self::Sha256,
        Self::Sha512,
        Self::Md5,
        Self::XxHash64,
        Self::XxHash3,
        Self::XxHash128,
    ];

    fn row(self) -> &'static (ChecksumAlgorithm, &'static str, &'static str, usize) {
        TABLE.iter().find(|row| row.0 == self).unwrap_or(&TABLE[0])
    }

    /// S3's name: `CRC32`, `CRC64NVME`, `SHA256`… (the `x-amz-sdk-checksum-algorithm`
    /// and `ChecksumAlgorithm` value).
    pub fn name(self) -> &'static str {
        self.row().1
    }

    /// The header (and trailer) name, lowercase: `x-amz-checksum-crc32`.
    pub fn header_name(self) -> &'static str {
        self.row().2
    }

    /// The digest's length in bytes.
    pub fn digest_len(self) -> usize {
        self.row().3
    }

    /// The algorithm S3's name names, ignoring ASCII case (S3 accepts `crc32` too).
    pub fn from_name(name: &str) -> Option<Self> {
        TABLE.iter().find(|row| row.1.eq_ignore_ascii_case(name)).map(|row| row.0)
    }

    /// The algorithm a header (or trailer) name names, ignoring ASCII case; `None` for a
    /// name that is no checksum header or names no known algorithm.
    pub fn from_header_name(name: &str) -> Option<Self> {
        TABLE.iter().find(|row| row.2.eq_ignore_ascii_case(name)).map(|row| row.0)
    }
}

impl fmt::Display for ChecksumAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a sent checksum value is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChecksumError {
    /// The value is not standard padded base64.
    #[error("the {algorithm} value is not base64")]
    NotBase64 {
        /// The algorithm the value was sent for.
        algorithm: ChecksumAlgorithm,
    },
    /// The value decodes to the wrong number of bytes.
    #[error("the {algorithm} value decodes to {actual} bytes, not {expected}")]
    WrongLength {
        /// The algorithm the value was sent for.
        algorithm: ChecksumAlgorithm,
        /// The algorithm's digest length.
        expected: usize,
        /// The decoded length.
        actual: usize,
    },
}

impl ChecksumError {
    /// The algorithm the refused value was sent for (S3 names its header in the message).
    pub fn algorithm(&self) -> ChecksumAlgorithm {
        match self {
            Self::NotBase64 { algorithm } | Self::WrongLength { algorithm, .. } => *algorithm,
        }
    }
}

/// Decodes a sent value: base64 of exactly the algorithm's digest length.
pub fn parse_value(algorithm: ChecksumAlgorithm, value: &str) -> Result<Vec<u8>, ChecksumError> {
    let bytes = base64_decode(value).ok_or(ChecksumError::NotBase64 { algorithm })?;
    if bytes.len() == algorithm.digest_len() {
        Ok(bytes)
    } else {
        Err(ChecksumError::WrongLength { algorithm, expected: algorithm.digest_len(), actual: bytes.len() })
    }
}

/// A finished digest: big-endian bytes, as S3 sends them.
#[derive(Clone, PartialEq, Eq)]
pub struct Digest {
    algorithm: ChecksumAlgorithm,
    bytes: [u8; 64],
}

impl Digest {
    fn new(algorithm: ChecksumAlgorithm, bytes: &[u8]) -> Self {
        let mut buf = [0; 64];
        buf[..bytes.len()].copy_from_slice(bytes);
        Self { algorithm, bytes: buf }
    }

    /// The algorithm.
    pub fn algorithm(&self) -> ChecksumAlgorithm {
        self.algorithm
    }

    /// The digest's bytes (big-endian).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.algorithm.digest_len()]
    }

    /// The value as sent in a header or trailer (standard padded base64).
    pub fn to_base64(&self) -> String {
        base64_encode(self.as_bytes())
    }

    /// Whether `sent` (decoded bytes, e.g. from [`parse_value`]) is this digest, compared
    /// in constant time.
    pub fn matches(&self, sent: &[u8]) -> bool {
        constant_time_eq(self.as_bytes(), sent)
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({} {})", self.algorithm, self.to_base64())
    }
}

/// An incremental checksum: feed pieces of any size with [`Hasher::update`], then
/// [`Hasher::finish`]. Splitting the input never changes the result.
#[derive(Clone)]
pub struct Hasher {
    state: State,
}

#[derive(Clone)]
enum State {
    Crc(ChecksumAlgorithm, crc_fast::Digest),
    Sha1(sha1::Sha1),
    Sha256(sha2::Sha256),
    Sha512(Box<sha2::Sha512>),
    Md5(md5::Md5),
    XxHash64(Box<xxhash_rust::xxh64::Xxh64>),
    XxHash3(Box<xxhash_rust::xxh3::Xxh3>),
    XxHash128(Box<xxhash_rust::xxh3::Xxh3>),
}

impl Hasher {
    /// A hasher for `algorithm`, over no bytes yet.
    pub fn new(algorithm: ChecksumAlgorithm) -> Self {
        use crc_fast::CrcAlgorithm as C;
        let crc = |c: C| State::Crc(algorithm, crc_fast::Digest::new(c));
        let state = match algorithm {
            ChecksumAlgorithm::Crc32 => crc(C::Crc32IsoHdlc),
            ChecksumAlgorithm::Crc32c => crc(C::Crc32Iscsi),
            ChecksumAlgorithm::Crc64Nvme => crc(C::Crc64Nvme),
            ChecksumAlgorithm::Sha1 => State::Sha1(sha1::Sha1::new()),
            ChecksumAlgorithm::Sha256 => State::Sha256(sha2::Sha256::new()),
            ChecksumAlgorithm::Sha512 => State::Sha512(Box::default()),
            ChecksumAlgorithm::Md5 => State::Md5(md5::Md5::new()),
            ChecksumAlgorithm::XxHash64 => State::XxHash64(Box::new(xxhash_rust::xxh64::Xxh64::new(0))),
            ChecksumAlgorithm::XxHash3 => State::XxHash3(Box::default()),
            ChecksumAlgorithm::XxHash128 => State::XxHash128(Box::default()),
        };
        Self { state }
    }

    /// The algorithm.
    pub fn algorithm(&self) -> ChecksumAlgorithm {
        match &self.state {
            State::Crc(algorithm, _) => *algorithm,
            State::Sha1(_) => ChecksumAlgorithm::Sha1,
            State::Sha256(_) => ChecksumAlgorithm::Sha256,
            State::Sha512(_) => ChecksumAlgorithm::Sha512,
            State::Md5(_) => ChecksumAlgorithm::Md5,
            State::XxHash64(_) => ChecksumAlgorithm::XxHash64,
            State::XxHash3(_) => ChecksumAlgorithm::XxHash3,
            State::XxHash128(_) => ChecksumAlgorithm::XxHash128,
        }
    }

    /// Feeds the next piece of the input.
    pub fn update(&mut self, data: &[u8]) {
        match &mut self.state {
            State::Crc(_, d) => d.update(data),
            State::Sha1(h) => h.update(data),
            State::Sha256(h) => h.update(data),
            State::Sha512(h) => h.update(data),
            State::Md5(h) => h.update(data),
            State::XxHash64(h) => h.update(data),
            State::XxHash3(h) | State::XxHash128(h) => h.update(data),
        }
    }

    /// The digest of everything fed, big-endian.
    pub fn finish(self) -> Digest {
        let algorithm = self.algorithm();
        match self.state {
            State::Crc(_, d) => {
                // A CRC-32 is the low 4 bytes of crc-fast's u64.
                let be = d.finalize().to_be_bytes();
                Digest::new(algorithm, &be[8 - algorithm.digest_len()..])
            }
            State::Sha1(h) => Digest::new(algorithm, &h.finalize()),
            State::Sha256(h) => Digest::new(algorithm, &h.finalize()),
            State::Sha512(h) => Digest::new(algorithm, &h.finalize()),
            State::Md5(h) => Digest::new(algorithm, &h.finalize()),
            State::XxHash64(h) => Digest::new(algorithm, &h.digest().to_be_bytes()),
            State::XxHash3(h) => Digest::new(algorithm, &h.digest().to_be_bytes()),
            State::XxHash128(h) => Digest::new(algorithm, &h.digest128().to_be_bytes()),
        }
    }

    /// The value as sent in a header or trailer: `finish().to_base64()`.
    pub fn finish_base64(self) -> String {
        self.finish().to_base64()
    }
}

impl fmt::Debug for Hasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hasher").field("algorithm", &self.algorithm()).finish_non_exhaustive()
    }
}

/// The digest of `data` in one call.
pub fn digest(algorithm: ChecksumAlgorithm, data: &[u8]) -> Digest {
    let mut hasher = Hasher::new(algorithm);
    hasher.update(data);
    hasher.finish()
}

#[cfg(test)]
mod tests;
