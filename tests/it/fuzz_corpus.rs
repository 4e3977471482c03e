//! Replays every committed fuzz corpus file (`fuzz/corpus/<target>/*`) through the same
//! function the cargo-fuzz target runs (`fuzz/src/checks.rs`, included here), so the
//! stable toolchain and CI check the seeds and every minimised finding without libFuzzer.
//! A failure names the target and the file; reproduce it with
//! `cargo fuzz run <target> fuzz/corpus/<target>/<file>` (see `fuzz/README.md`).

// The checks are `pub` for the fuzz crate's binaries; here they are only called.
#[allow(unreachable_pub, dead_code)]
#[path = "../../fuzz/src/checks.rs"]
mod checks;

use crate::support::root;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// The file names of the targets, from `fuzz/fuzz_targets/` and from `fuzz/Cargo.toml`.
fn declared_targets() -> (Vec<String>, String) {
    let mut files: Vec<String> = std::fs::read_dir(root().join("fuzz/fuzz_targets"))
        .expect("fuzz/fuzz_targets exists")
        .map(|e| e.expect("a directory entry").file_name().to_string_lossy().into_owned())
        .filter_map(|n| n.strip_suffix(".rs").map(str::to_owned))
        .collect();
    files.sort();
    let manifest = std::fs::read_to_string(root().join("fuzz/Cargo.toml")).expect("fuzz/Cargo.toml exists");
    (files, manifest)
}

#[test]
fn every_target_has_a_check_a_bin_and_a_corpus() {
    let (files, manifest) = declared_targets();
    let mut names: Vec<String> = checks::TARGETS.iter().map(|(n, _)| (*n).to_owned()).collect();
    names.sort();
    assert_eq!(files, names, "fuzz/fuzz_targets/*.rs and checks::TARGETS list the same targets");
    for name in &names {
        assert!(manifest.contains(&format!("name = \"{name}\"\npath = \"fuzz_targets/{name}.rs\"")), "[[bin]] {name}");
        let source = std::fs::read_to_string(root().join(format!("fuzz/fuzz_targets/{name}.rs"))).unwrap();
        assert!(source.contains("amzsig_fuzz::checks::"), "fuzz_targets/{name}.rs calls its check");
        assert!(root().join("fuzz/corpus").join(name).is_dir(), "fuzz/corpus/{name}/ exists");
    }
    let dict = std::fs::read_to_string(root().join("fuzz/dict/aws.dict")).expect("fuzz/dict/aws.dict exists");
    assert!(dict.lines().filter(|l| l.contains('=') && !l.starts_with('#')).count() > 20);
}

#[test]
fn every_corpus_file_passes_its_check() {
    let mut failures = Vec::new();
    for &(name, check) in checks::TARGETS {
        let dir = root().join("fuzz/corpus").join(name);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("a directory entry").path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "fuzz/corpus/{name}/ has no files");
        for file in &files {
            let data = std::fs::read(file).unwrap();
            if let Err(panic) = catch_unwind(AssertUnwindSafe(|| check(&data))) {
                let message = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_default();
                failures.push(format!("{name}: {}: {message}", file.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{} corpus file(s) fail:\n{}", failures.len(), failures.join("\n"));
}

/// Paste a failing input here to debug it under the stable toolchain.
#[test]
fn smoke() {
    checks::query_parse(b"a=%7E&b=~&c=+&d=%20&&e");
    checks::sigv4_verify(b"GET / HTTP/1.1\nHost:example.amazonaws.com");
}
