//! `amzsig serve`'s buffered log (`server::log`) loses nothing on a SIGTERM stop: N
//! requests, a SIGTERM, then exactly N request lines on stderr.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// Sends one request on its own connection (`Connection: close`) and returns the status line.
fn get(addr: &str, target: &str) -> String {
    let mut s = TcpStream::connect(addr).expect("serve accepts");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(s, "GET {target} HTTP/1.1\r\nHost: webservices.amazon.com\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).expect("an answer within 10 s");
    answer.lines().next().unwrap_or_default().to_owned()
}

struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if self.0.try_wait().ok().flatten().is_none() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

#[test]
fn every_request_line_is_on_stderr_after_sigterm() {
    const N: usize = 400;
    let dir = std::env::temp_dir().join(format!("amzsig-serve-log-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (child, base) = crate::support::spawn_serve(&dir.join("journal.json"));
    // Killed if an assertion fails before the SIGTERM (no server left behind).
    let mut child = KillOnDrop(child);
    // Read stderr as it comes, so a full pipe never stalls the server.
    let mut stderr = child.0.stderr.take().expect("piped stderr");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        stderr.read_to_string(&mut text).expect("stderr is text");
        text
    });
    let addr = base.trim_start_matches("http://").to_owned();
    for i in 0..N {
        // Unsigned: refused (403, no AWSAccessKeyId), logged like any request.
        let status = get(&addr, &format!("/onca/xml?Service=AWSECommerceService&Operation=ItemLookup&ItemId={i}"));
        assert!(status.starts_with("HTTP/1.1 403"), "request {i}: {status}");
    }
    let exit = crate::support::terminate(&mut child.0);
    assert!(exit.success(), "serve exits 0 on SIGTERM: {exit:?}");
    let log = reader.join().unwrap();
    let lines = log.lines().filter(|l| l.contains("GET webservices.amazon.com/onca/xml -> 403")).count();
    assert_eq!(lines, N, "one log line per request, none lost on the stop:\n{log}");
    assert!(log.contains("shutting down"), "{log}");
    let _ = std::fs::remove_dir_all(&dir);
}
