//! The checksum module's own rules: names both ways, value parsing, and that splitting
//! the input never changes a digest. The values themselves are checked against
//! independently computed vectors in `tests/it/vectors_checksums.rs`.

use super::*;
use proptest::prelude::*;

#[test]
fn names_and_header_names_round_trip_ignoring_case() {
    for alg in ChecksumAlgorithm::ALL {
        assert_eq!(ChecksumAlgorithm::from_name(alg.name()), Some(alg));
        assert_eq!(ChecksumAlgorithm::from_name(&alg.name().to_ascii_lowercase()), Some(alg));
        assert_eq!(ChecksumAlgorithm::from_header_name(alg.header_name()), Some(alg));
        let upper = alg.header_name().to_ascii_uppercase();
        assert_eq!(ChecksumAlgorithm::from_header_name(&upper), Some(alg));
        assert!(alg.header_name().starts_with(HEADER_PREFIX));
    }
    // Spelled out, not derived from the table: S3's names (reference §2.4).
    assert_eq!(ChecksumAlgorithm::from_header_name("X-Amz-Checksum-CRC64NVME"), Some(ChecksumAlgorithm::Crc64Nvme));
    assert_eq!(ChecksumAlgorithm::from_name("crc32c"), Some(ChecksumAlgorithm::Crc32c));
    assert_eq!(ChecksumAlgorithm::Sha256.header_name(), "x-amz-checksum-sha256");
    assert_eq!(ChecksumAlgorithm::Crc64Nvme.name(), "CRC64NVME");
    assert_eq!(ChecksumAlgorithm::from_name("CRC16"), None);
    assert_eq!(ChecksumAlgorithm::from_header_name("x-amz-checksum-"), None);
    assert_eq!(ChecksumAlgorithm::from_header_name("x-amz-checksum-type"), None);
    assert_eq!(ChecksumAlgorithm::from_header_name("crc32"), None);
}

#[test]
fn digest_lengths_are_the_algorithms_sizes() {
    let sizes: Vec<usize> = ChecksumAlgorithm::ALL.iter().map(|a| a.digest_len()).collect();
    assert_eq!(sizes, [4, 4, 8, 20, 32, 64, 16, 8, 8, 16]);
    for alg in ChecksumAlgorithm::ALL {
        assert_eq!(digest(alg, b"x").as_bytes().len(), alg.digest_len(), "{alg}");
    }
}

#[test]
fn parse_value_accepts_base64_of_the_right_length_only() {
    use ChecksumAlgorithm::{Crc32, Crc64Nvme, Sha256};
    // CRC-32("123456789") = 0xCBF43926 (CRC catalogue check value) = y/Q5Jg==.
    assert_eq!(parse_value(Crc32, "y/Q5Jg==").unwrap(), [0xcb, 0xf4, 0x39, 0x26]);
    assert_eq!(parse_value(Crc32, "y/Q5Jg"), Err(ChecksumError::NotBase64 { algorithm: Crc32 }), "unpadded");
    assert_eq!(
        parse_value(Crc32, "cbf43926"),
        Err(ChecksumError::WrongLength { algorithm: Crc32, expected: 4, actual: 6 }),
        "hex, not base64"
    );
    assert_eq!(parse_value(Crc32, ""), Err(ChecksumError::WrongLength { algorithm: Crc32, expected: 4, actual: 0 }));
    assert_eq!(parse_value(Crc32, "not base64!"), Err(ChecksumError::NotBase64 { algorithm: Crc32 }));
    // A CRC-32 sent as CRC64NVME: 4 bytes, not 8.
    let err = parse_value(Crc64Nvme, "y/Q5Jg==").unwrap_err();
    assert_eq!(err, ChecksumError::WrongLength { algorithm: Crc64Nvme, expected: 8, actual: 4 });
    assert_eq!(err.algorithm(), Crc64Nvme);
    assert_eq!(err.to_string(), "the CRC64NVME value decodes to 4 bytes, not 8");
    assert!(parse_value(Sha256, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=").is_ok());
}

#[test]
fn a_digest_matches_its_own_bytes_only() {
    let d = digest(ChecksumAlgorithm::Crc32, b"123456789");
    assert_eq!(d.to_base64(), "y/Q5Jg==");
    assert!(d.matches(&[0xcb, 0xf4, 0x39, 0x26]));
    assert!(!d.matches(&[0x26, 0x39, 0xf4, 0xcb]), "little-endian is a different value");
    assert!(!d.matches(&[0xcb, 0xf4, 0x39]));
    assert_eq!(format!("{d:?}"), "Digest(CRC32 y/Q5Jg==)");
}

proptest! {
    #[test]
    fn any_split_gives_the_one_shot_digest(
        data in proptest::collection::vec(any::<u8>(), 0..3000),
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..6),
        alg in prop::sample::select(ChecksumAlgorithm::ALL.to_vec()),
    ) {
        let mut at: Vec<usize> = cuts.iter().map(|i| i.index(data.len() + 1)).collect();
        at.sort_unstable();
        let mut hasher = Hasher::new(alg);
        let mut start = 0;
        for &cut in &at {
            hasher.update(&data[start..cut]);
            start = cut;
        }
        hasher.update(&data[start..]);
        prop_assert_eq!(hasher.algorithm(), alg);
        prop_assert_eq!(hasher.finish(), digest(alg, &data));
    }
}
