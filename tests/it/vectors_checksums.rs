//! Every checksum vector in `vectors/checksums/checksums.yaml`, for every algorithm:
//! one-shot, fed in pieces, and each value the named sources publish. The expected values
//! are computed independently by `vectors/checksums/check.py` (CI runs it); adding an
//! input adds a file entry, not Rust.

use crate::support::root;
use amzsig::checksum::{digest, parse_value, ChecksumAlgorithm, Hasher};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VectorFile {
    cases: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    id: String,
    description: String,
    input: Input,
    #[serde(default)]
    published: Vec<Published>,
    expected: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Input {
    text: Option<String>,
    repeat: Option<String>,
    count: Option<usize>,
    hex: Option<String>,
    byte_range: Option<(u8, u8)>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Published {
    algorithm: String,
    hex: Option<String>,
    base64: Option<String>,
    source: String,
}

fn unhex(s: &str) -> Vec<u8> {
    let s = s.trim_start_matches("0x");
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex")).collect()
}

impl Input {
    fn bytes(&self) -> Vec<u8> {
        let count = self.count.unwrap_or(1);
        match (&self.text, &self.repeat, &self.hex, self.byte_range) {
            (Some(t), None, None, None) => t.as_bytes().to_vec(),
            (None, Some(r), None, None) => r.repeat(count).into_bytes(),
            (None, None, Some(h), None) => unhex(h),
            (None, None, None, Some((lo, hi))) => (lo..=hi).collect::<Vec<u8>>().repeat(count),
            _ => panic!("an input is exactly one of text, repeat, hex, byte_range: {self:?}"),
        }
    }
}

fn cases() -> Vec<Case> {
    let path = root().join("vectors/checksums/checksums.yaml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let file: VectorFile = serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    file.cases
}

#[test]
fn every_vector_for_every_algorithm() {
    let cases = cases();
    assert!(cases.len() >= 10, "the file lost cases: {}", cases.len());
    let mut checked = 0;
    for case in &cases {
        assert!(!case.description.is_empty(), "{}: no description", case.id);
        let data = case.input.bytes();
        let names: Vec<&str> = case.expected.keys().map(String::as_str).collect();
        let mut all: Vec<&str> = ChecksumAlgorithm::ALL.iter().map(|a| a.name()).collect();
        all.sort_unstable();
        assert_eq!(names, all, "{}: expected must name every algorithm", case.id);
        for (name, want) in &case.expected {
            let alg = ChecksumAlgorithm::from_name(name).unwrap_or_else(|| panic!("{}: unknown {name}", case.id));
            assert_eq!(&digest(alg, &data).to_base64(), want, "{} {name} one-shot", case.id);
            // fed in uneven pieces: 1, 7, 64, 1000, … bytes
            let mut hasher = Hasher::new(alg);
            let mut rest = &data[..];
            for size in [1, 7, 64, 1000].into_iter().cycle() {
                if rest.is_empty() {
                    break;
                }
                let (piece, tail) = rest.split_at(size.min(rest.len()));
                hasher.update(piece);
                rest = tail;
            }
            assert_eq!(&hasher.finish_base64(), want, "{} {name} in pieces", case.id);
            // and the value parses back to the digest's bytes
            let parsed = parse_value(alg, want).expect("expected values are valid");
            assert!(digest(alg, &data).matches(&parsed), "{} {name} parse", case.id);
            checked += 1;
        }
        for p in &case.published {
            assert!(!p.source.is_empty(), "{}: a published value names its source", case.id);
            let alg = ChecksumAlgorithm::from_name(&p.algorithm).expect("known algorithm");
            let want = match (&p.hex, &p.base64) {
                (Some(h), None) => unhex(h),
                (None, Some(b)) => parse_value(alg, b).expect("published base64"),
                _ => panic!("{}: a published value is hex or base64", case.id),
            };
            assert_eq!(
                digest(alg, &data).as_bytes(),
                &want[..],
                "{} {} published ({})",
                case.id,
                p.algorithm,
                p.source
            );
            checked += 1;
        }
    }
    assert!(checked >= 120, "only {checked} values checked");
}
