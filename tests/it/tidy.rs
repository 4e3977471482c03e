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
    ("checksum", 0),
    ("sigv2", 1),
    ("sigv4", 1),
    ("scheme", 1),
    ("keystore", 2),
    ("catalogue", 2),
    ("diagnose", 2),
    ("interop", 2),
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
            if f != this_file
                && (line.contains("#[should_panic") || line.contains("#[ignore") || line.contains("```ignore"))
            {
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

/// What the signature schemes (layer 1) never name: their types stay free of file
/// formats and HTTP frameworks, so every caller (server, CLI, runner) can use them.
const FORBIDDEN_IN_SCHEMES: &[&str] = &["serde_yaml", "quick_xml", "http::", "axum", "hyper", "reqwest"];

/// Source text without `//` comments (string literals that contain `//` are cut too,
/// which only ever hides text from the checks below, never invents it).
fn code_of(text: &str) -> String {
    text.lines().map(|l| l.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n")
}

#[test]
fn schemes_name_no_file_format_or_http_types() {
    let mut violations = Vec::new();
    for f in files_with_ext(&root().join("src"), ".rs") {
        let rel = f.strip_prefix(root()).unwrap().to_string_lossy().replace('\\', "/");
        if module_of(&rel).and_then(layer) != Some(1) {
            continue;
        }
        let text = std::fs::read_to_string(&f).unwrap();
        for (n, line) in code_of(&text).lines().enumerate() {
            for name in FORBIDDEN_IN_SCHEMES {
                if line.contains(name) {
                    violations.push(format!("{rel}:{}: layer-1 module names '{name}'", n + 1));
                }
            }
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

/// True when `code` refers to sibling module `sibling` of a module at `path` (e.g.
/// `runner`): `super::sibling`, `crate::runner::sibling`, or `sibling::` inside a
/// `use super::{…}` group.
fn refers_to_sibling(code: &str, path: &str, sibling: &str) -> bool {
    let word_end = |rest: &str| !rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_');
    let direct = [format!("super::{sibling}"), format!("crate::{path}::{sibling}")];
    if direct.iter().any(|p| code.match_indices(p.as_str()).any(|(i, m)| word_end(&code[i + m.len()..]))) {
        return true;
    }
    code.match_indices("super::{").any(|(i, m)| {
        let group = &code[i + m.len()..];
        let group = &group[..group.find('}').unwrap_or(group.len())];
        group
            .match_indices(&format!("{sibling}::"))
            .any(|(j, _)| j == 0 || !group[..j].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == ':'))
    })
}

#[test]
fn no_two_sibling_modules_import_each_other() {
    let mut cycles = Vec::new();
    let mut dirs = vec![root().join("src")];
    while let Some(dir) = dirs.pop() {
        let mut children: Vec<(String, String)> = Vec::new();
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            if p.is_dir() {
                dirs.push(p.clone());
                let code: String = files_with_ext(&p, ".rs")
                    .iter()
                    .map(|f| code_of(&std::fs::read_to_string(f).unwrap()))
                    .collect::<Vec<_>>()
                    .join("\n");
                children.push((name, code));
            } else if p.extension().is_some_and(|x| x == "rs") && !matches!(name.as_str(), "mod" | "lib" | "main") {
                children.push((name, code_of(&std::fs::read_to_string(&p).unwrap())));
            }
        }
        let path = dir.strip_prefix(root().join("src")).unwrap().to_string_lossy().replace(['/', '\\'], "::");
        for (i, (a, a_code)) in children.iter().enumerate() {
            for (b, b_code) in &children[i + 1..] {
                if refers_to_sibling(a_code, &path, b) && refers_to_sibling(b_code, &path, a) {
                    cycles.push(format!("src/{path}: '{a}' and '{b}' import each other"));
                }
            }
        }
    }
    assert!(cycles.is_empty(), "{}", cycles.join("\n"));
}

#[test]
fn sibling_detection_sees_every_import_form() {
    assert!(refers_to_sibling("use super::judge::x;", "runner", "judge"));
    assert!(refers_to_sibling("use super::{a, judge::x};", "runner", "judge"));
    assert!(refers_to_sibling("crate::runner::judge::f()", "runner", "judge"));
    assert!(!refers_to_sibling("use super::judgement;", "runner", "judge"));
    assert!(!refers_to_sibling("use super::{prejudge::x};", "runner", "judge"));
}

#[test]
fn only_the_pipeline_routes_and_answers() {
    // Routing, the services' rules and the diagnosis of a refusal are called in one place,
    // `services::pipeline`; the server, the runner and the benchmarks call the pipeline.
    let mut violations = Vec::new();
    let files = files_with_ext(&root().join("src"), ".rs")
        .into_iter()
        .chain(files_with_ext(&root().join("examples"), ".rs"))
        .chain(files_with_ext(&root().join("benches"), ".rs"));
    for f in files {
        let rel = f.strip_prefix(root()).unwrap().to_string_lossy().replace('\\', "/");
        if rel.starts_with("src/services/") {
            continue;
        }
        // The shells around the pipeline (the server, the runner, the benchmark floor) must
        // not diagnose beside it; library examples (`examples/verify_url.rs`) may.
        let in_shell =
            rel.starts_with("src/server/") || rel.starts_with("src/runner/") || rel == "examples/bare_server.rs";
        let code = code_of(&std::fs::read_to_string(&f).unwrap());
        for (n, line) in code.lines().enumerate() {
            let mut names = vec!["services::handle(", "services::dispatch(", "services::malformed("];
            if in_shell {
                names.push("diagnose(");
            }
            for name in names {
                if line.contains(name) {
                    violations.push(format!("{rel}:{}: calls {name}…) outside services::pipeline", n + 1));
                }
            }
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

/// The adapter protocol's example is the file CI runs (`docs/example_adapter.py`, in
/// `scripts/clients.sh`): the doc shows it verbatim, so what a newcomer copies is what works.
#[test]
fn the_protocol_doc_shows_the_example_adapter_verbatim() {
    let doc = std::fs::read_to_string(root().join("docs/adapters.md")).unwrap();
    let file = std::fs::read_to_string(root().join("docs/example_adapter.py")).unwrap();
    assert!(
        doc.contains(&format!("```python\n{file}```")),
        "docs/adapters.md must show docs/example_adapter.py verbatim"
    );
    let clients = std::fs::read_to_string(root().join("scripts/clients.sh")).unwrap();
    assert!(clients.contains("|docs/example_adapter.py|"), "scripts/clients.sh must run the example adapter");
}
