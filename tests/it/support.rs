//! Shared helpers: paths into the repository (the scenario suite, the official SigV4
//! suites), running the built binary with bounded waits, and running the reference adapter
//! over scenarios.

use amzsig::adapter::Adapter;
use amzsig::runner::{self, Mode, RunOptions, RunReport, ScenarioResult, Status};
use amzsig::scenario::{self, Scenario};
use amzsig::xml::{Element, Node};
use serde::Deserialize;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

/// The repository root.
pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The opt-out that lets a run without the official suites pass (`=1`); without it a
/// missing suite folder fails the test, on CI or not.
pub(crate) const ALLOW_MISSING_SUITES: &str = "AMZSIG_ALLOW_MISSING_SUITES";

/// The folder holding both official SigV4 suites (`../shared/reference/vectors/`, or
/// `AMZSIG_SIGV4_SUITE_DIR`). A missing folder fails the calling test, unless
/// `AMZSIG_ALLOW_MISSING_SUITES=1` is set: then this prints one line to stderr naming the
/// folder and returns `None`, and the caller skips the suites.
pub(crate) fn sigv4_suite_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("AMZSIG_SIGV4_SUITE_DIR")
        .map_or_else(|| root().join("../shared/reference/vectors"), PathBuf::from);
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var(ALLOW_MISSING_SUITES).as_deref() == Ok("1"),
        "the official SigV4 suites are missing at {} (set AMZSIG_SIGV4_SUITE_DIR to their folder, \
         or {ALLOW_MISSING_SUITES}=1 to skip them)",
        dir.display()
    );
    eprintln!("skipped: official SigV4 suites not found at {} ({ALLOW_MISSING_SUITES}=1)", dir.display());
    None
}

/// The folder of the S3 worked examples (`../shared/reference/s3/`), with the same rule as
/// [`sigv4_suite_dir`]: missing fails the caller unless `AMZSIG_ALLOW_MISSING_SUITES=1`.
pub(crate) fn s3_reference_dir() -> Option<PathBuf> {
    let dir = root().join("../shared/reference/s3");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var(ALLOW_MISSING_SUITES).as_deref() == Ok("1"),
        "the S3 worked examples are missing at {} (or set {ALLOW_MISSING_SUITES}=1 to skip them)",
        dir.display()
    );
    eprintln!("skipped: S3 worked examples not found at {} ({ALLOW_MISSING_SUITES}=1)", dir.display());
    None
}

/// The credentials of a CRT-suite `context.json`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Credentials {
    pub(crate) access_key_id: String,
    pub(crate) secret_access_key: String,
    #[serde(default)]
    pub(crate) token: Option<String>,
}

/// A CRT-suite case's `context.json` (`aws-signing-test-suite-v4/<case>/context.json`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CrtContext {
    pub(crate) credentials: Credentials,
    pub(crate) expiration_in_seconds: u64,
    pub(crate) normalize: bool,
    pub(crate) region: String,
    pub(crate) service: String,
    pub(crate) sign_body: bool,
    pub(crate) timestamp: String,
    #[serde(default)]
    pub(crate) omit_session_token: bool,
}

/// Every folder under `dir` holding `<name>/<name>.req`, sorted (classic-suite cases may
/// sit in sub-folders, such as `normalize-path/` and `post-sts-token/` upstream).
pub(crate) fn classic_cases(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                if p.join(format!("{name}.req")).is_file() {
                    out.push(p.clone());
                }
                stack.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Every scenario of the suite in `scenarios/`.
pub(crate) fn scenarios() -> Vec<Scenario> {
    scenario::load_dir(&root().join("scenarios")).expect("the scenario suite loads")
}

/// Runs `selected` through `amzsig adapter{flags}` (the reference adapter; `flags` such as
/// ` --mistake space-as-plus`) in `mode`.
pub(crate) fn run_reference_adapter(flags: &str, selected: &[&Scenario], mode: Mode) -> RunReport {
    let cmd = format!("'{}' adapter{flags}", env!("CARGO_BIN_EXE_amzsig"));
    let mut adapter = Adapter::spawn(&cmd, &[], Duration::from_secs(20)).expect("the reference adapter starts");
    runner::run(selected, &mut adapter, mode, &RunOptions::default())
}

/// One line per result that neither passed nor was skipped.
pub(crate) fn failures(report: &RunReport) -> Vec<String> {
    report
        .results
        .iter()
        .filter(|r| !matches!(r.status, Status::Pass | Status::Skip | Status::NotExercised))
        .map(|r| format!("{}: expected {}, got {} {:?}", r.name, r.expected, r.got, r.message))
        .collect()
}

/// Whether the result's diagnosis names the mistake `id`, alone or in a combination.
pub(crate) fn names_mistake(r: &ScenarioResult, id: &str) -> bool {
    r.detail
        .as_ref()
        .is_some_and(|d| d.mistakes.iter().any(|x| x == id) || d.also.iter().any(|x| x.split('+').any(|y| y == id)))
}

/// The first element named `name`, depth first, `e` itself included.
pub(crate) fn find_element<'a>(e: &'a Element, name: &str) -> Option<&'a Element> {
    if e.name == name {
        return Some(e);
    }
    e.children.iter().find_map(|c| match c {
        Node::Element(child) => find_element(child, name),
        Node::Text(_) => None,
    })
}

/// All files under `dir` (recursively) whose name ends with `ext`, sorted.
pub(crate) fn files_with_ext(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.to_string_lossy().ends_with(ext) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Runs the `amzsig` binary with `args` and extra environment variables.
pub(crate) fn amzsig(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_amzsig"));
    cmd.args(args).env_remove("AMZSIG_SECRET_KEY").env_remove("AMZSIG_ACCESS_KEY_ID").stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("the amzsig binary runs")
}

/// Stdout as text.
pub(crate) fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Starts `amzsig serve` on a free loopback port with the Developer Guide's fixed clock,
/// writing its journal to `journal` on exit; returns the child (stderr piped) and its base URL.
pub(crate) fn spawn_serve(journal: &Path) -> (Child, String) {
    let journal = journal.to_str().expect("a UTF-8 temporary path");
    spawn_serve_with(&["--listen", "127.0.0.1:0", "--clock", "fixed:2014-08-18T12:00:00Z", "--journal-out", journal])
}

/// Starts `amzsig serve ARGS`; returns the child (stderr piped) and its first stdout line
/// (the base URL).
pub(crate) fn spawn_serve_with(args: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_amzsig"))
        .arg("serve")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the amzsig binary runs");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("piped stdout")).read_line(&mut first).expect("a first line");
    (child, first.trim().to_owned())
}

/// Sends SIGTERM and waits at most 10 s for the child to exit.
pub(crate) fn terminate(child: &mut Child) -> ExitStatus {
    Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill runs");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().expect("wait works") {
            return status;
        }
        assert!(Instant::now() < deadline, "serve did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    }
}
