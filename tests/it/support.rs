//! Shared helpers: paths into the repository and running the built binary with bounded
//! waits.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

/// The repository root.
pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
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
    let mut child = Command::new(env!("CARGO_BIN_EXE_amzsig"))
        .args(["serve", "--listen", "127.0.0.1:0", "--clock", "fixed:2014-08-18T12:00:00Z", "--journal-out"])
        .arg(journal)
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
