//! Enforces the layout `ARCHITECTURE.md` describes: a `//!` doc on every source file, the
//! layer table (a module uses only its own layer or lower ones), no IO, async or HTTP in
//! the pure core, no `#[should_panic]`/`#[ignore]`, and no trailing whitespace.

use crate::support::{files_with_ext, root};

/// The layer of each top-level module (`src/<name>.rs` or `src/<name>/`).
const LAYERS: &[(&str, u8)] = &[
    ("encoding", 0),
    ("crypto", 0),
    ("clock", 0),
    ("request", 0),
    ("sigv2", 1),
    ("sigv4", 1),
    ("keystore", 2),
    ("catalogue", 2),
    ("diagnose", 2),
    ("xml", 2),
    ("services", 3),
    ("journal", 4),
    ("server", 4),
    ("scenario", 5),
    ("adapter", 5),
    ("runner", 5),
    ("report", 5),
    ("fuzzer", 5),
    ("cli", 6),
];

/// The one file-reading edge function each of these layer-2 modules may have
/// (`load_file`): parsing stays pure and separate (house style, habit 9).
const LOAD_FILE_EDGES: &[&str] = &["keystore", "catalogue"];

/// What the pure core (layers 0 to 3, except `clock`'s reading of the time) never names.
const FORBIDDEN_IN_CORE: &[&str] = &[
    "tokio",
    "axum",
    "hyper",
    "reqwest",
    "std::fs",
    "std::net",
    "std::process",
    "async fn",
    "SystemTime::now",
    "Instant::now",
];

fn module_of(rel: &str) -> Option<&str> {
    let first = rel.strip_prefix("src/")?.split('/').next()?;
    Some(first.strip_suffix(".rs").unwrap_or(first))
}

fn layer(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|&(_, l)| l)
}

#[test]
fn every_source_file_opens_with_a_module_doc() {
    for f in files_with_ext(&root().join("src"), ".rs").into_iter().chain(files_with_ext(&root().join("tests"), ".rs"))
    {
        let text = std::fs::read_to_string(&f).unwrap();
        assert!(text.starts_with("//!"), "{} must open with a //! doc comment", f.display());
    }
}

#[test]
fn modules_use_only_their_layer_or_lower() {
    let mut violations = Vec::new();
    for f in files_with_ext(&root().join("src"), ".rs") {
        let rel = f.strip_prefix(root()).unwrap().to_string_lossy().replace('\\', "/");
        let Some(module) = module_of(&rel) else {
            continue;
        };
        let Some(own) = layer(module) else {
            assert!(
                matches!(module, "lib" | "main"),
                "{rel}: module '{module}' is not in the layer table (tests/it/tidy.rs, ARCHITECTURE.md)"
            );
            continue;
        };
        let text = std::fs::read_to_string(&f).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for (other, their) in LAYERS {
                if *their > own && code.contains(&format!("crate::{other}")) {
                    violations
                        .push(format!("{rel}:{}: layer {own} module '{module}' uses layer {their} '{other}'", n + 1));
                }
            }
            if own <= 3 && !(module == "clock" && code.contains("SystemTime::now")) {
                for name in FORBIDDEN_IN_CORE {
                    let edge = *name == "std::fs"
                        && LOAD_FILE_EDGES.contains(&module)
                        && code.contains("std::fs::read_to_string(");
                    if code.contains(name) && !edge {
                        violations.push(format!("{rel}:{}: pure module '{module}' names '{name}'", n + 1));
                    }
                }
            }
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

#[test]
fn no_should_panic_ignore_or_trailing_whitespace() {
    let mut problems = Vec::new();
    let this_file = root().join("tests/it/tidy.rs");
    for f in files_with_ext(&root().join("src"), ".rs").into_iter().chain(files_with_ext(&root().join("tests"), ".rs"))
    {
        let text = std::fs::read_to_string(&f).unwrap();
        for (n, line) in text.lines().enumerate() {
            if f != this_file && (line.contains("#[should_panic") || line.contains("#[ignore")) {
                problems.push(format!(
                    "{}:{}: no #[should_panic] or #[ignore]: assert the Err instead",
                    f.display(),
                    n + 1
                ));
            }
            if line.ends_with(' ') || line.ends_with('\t') {
                problems.push(format!("{}:{}: trailing whitespace", f.display(), n + 1));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn secrets_are_compared_in_constant_time() {
    // Signatures and keys are compared with crypto::constant_time_eq, never == or !=.
    for f in files_with_ext(&root().join("src"), ".rs") {
        let text = std::fs::read_to_string(&f).unwrap();
        for (n, line) in text.lines().enumerate() {
            let l = line.replace(' ', "").replace("sigv2::", "").replace("sigv4::", "");
            assert!(
                !(l.contains("==sig") || l.contains("!=sig") || l.contains("signature==") || l.contains("signature!=")),
                "{}:{}: compare signatures with crypto::constant_time_eq",
                f.display(),
                n + 1
            );
        }
    }
}
