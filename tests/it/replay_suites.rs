//! The official SigV4 suites' signed requests replayed byte for byte over a socket at the
//! mock (`aws-sig-v4-test-suite/*/*.sreq`, `aws-signing-test-suite-v4/*/{header,query}-
//! signed-request.txt`, read in place from `../shared/reference/vectors/`; a missing folder
//! fails unless `AMZSIG_ALLOW_MISSING_SUITES=1`). The clock is the suites' time,
//! 2015-08-30T12:36:00Z; the keystore is the embedded one (it holds the suites' AKIDEXAMPLE)
//! plus `ANOTREAL`, the key `double-encode-path` is signed with (see `vectors_sigv4.rs`).
//!
//! The files use LF line ends; the only change made to their bytes is LF → CRLF (HTTP/1.1's
//! line end), and a file is sent as it is otherwise (no header added, none removed).
//!
//! Every request is accepted (200), except:
//! - the session-token cases: AKIDEXAMPLE is a long-term key, so a token with it is
//!   refused as AWS refuses it (`InvalidClientTokenId`, README's key table), with no
//!   diagnosis (not a signature refusal);
//! - requests that are not valid HTTP/1.1 as written: a raw space in the request target
//!   (`get-space*`), obsolete header folding (`get-header-value-multiline`; RFC 9112 §5.2
//!   lets a server reject it with 400), a request line without the HTTP version
//!   (`double-url-encode`): hyper answers 400 with an empty body, before the mock sees
//!   the request;
//! - the classic `post-x-www-form-urlencoded*` `.sreq`s, which carry a body without
//!   `Content-Length`: by RFC 9112 §6.3 such a request has no body, so what arrives is
//!   signed over a body that is not there (403 `SignatureDoesNotMatch`, explained;
//!   the CRT copies of the same cases send `Content-Length` and are accepted);
//! - `double-encode-path`, sent to an API Gateway host (`….execute-api.us-east-1.
//!   amazonaws.com`) but signed for the service `service`: the host's endpoint prefix
//!   decides, so it is refused and named `v4-wrong-service`, as AWS would refuse it.

use crate::support::{root, sigv4_suite_dir};
use amzsig::clock::Clock;
use amzsig::keystore::Keystore;
use amzsig::server::MockServer;
use amzsig::services::ServiceFrom;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The suites' signing time.
const SUITE_TIME: &str = "2015-08-30T12:36:00Z";

/// What one replayed request must get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    /// 200.
    Accepted,
    /// 403 `InvalidClientTokenId`, no diagnosis header.
    SessionTokenRefused,
    /// 400 from the HTTP layer.
    NotHttp11,
    /// 403 `SignatureDoesNotMatch` with this diagnosis.
    Refused(&'static str),
}

fn want(suite: &str, case: &str) -> Want {
    match case {
        "get-vanilla-with-session-token" | "post-sts-header-after" | "post-sts-header-before" => {
            Want::SessionTokenRefused
        }
        "get-space"
        | "get-space-normalized"
        | "get-space-unnormalized"
        | "get-header-value-multiline"
        | "double-url-encode" => Want::NotHttp11,
        "post-x-www-form-urlencoded" | "post-x-www-form-urlencoded-parameters" if suite == "aws-sig-v4-test-suite" => {
            Want::Refused("unknown")
        }
        "double-encode-path" => Want::Refused("v4-wrong-service"),
        _ => Want::Accepted,
    }
}

/// Every signed request of both suites: (suite, case, file).
fn signed_requests(dir: &Path) -> Vec<(String, String, PathBuf)> {
    let mut out = Vec::new();
    for case in crate::support::classic_cases(&dir.join("aws-sig-v4-test-suite")) {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        out.push(("aws-sig-v4-test-suite".to_owned(), name.clone(), case.join(format!("{name}.sreq"))));
    }
    let crt = dir.join("aws-signing-test-suite-v4");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&crt).unwrap().flatten().map(|e| e.path()).collect();
    cases.sort();
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        for form in ["header", "query"] {
            let file = case.join(format!("{form}-signed-request.txt"));
            if file.is_file() {
                out.push(("aws-signing-test-suite-v4".to_owned(), name.clone(), file));
            }
        }
    }
    out
}

/// The file's bytes with LF line ends made CRLF (nothing else changes).
fn wire_bytes(file: &Path) -> Vec<u8> {
    let raw = std::fs::read(file).unwrap();
    let mut out = Vec::with_capacity(raw.len() + 32);
    for (i, b) in raw.iter().enumerate() {
        if *b == b'\n' && (i == 0 || raw[i - 1] != b'\r') {
            out.push(b'\r');
        }
        out.push(*b);
    }
    // A file that stops after its last header still ends its head.
    if !out.windows(4).any(|w| w == b"\r\n\r\n") {
        out.extend_from_slice(if out.ends_with(b"\r\n") { b"\r\n" } else { b"\r\n\r\n" });
    }
    out
}

/// Status line, headers (lowercase names) and body of the first answer on a connection
/// that got `bytes`, read until the server closes (bounded by timeouts and size).
pub(crate) fn replay(addr: std::net::SocketAddr, bytes: &[u8]) -> (u16, Vec<(String, String)>, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    stream.set_write_timeout(Some(Duration::from_secs(10))).unwrap();
    stream.write_all(bytes).unwrap();
    stream.shutdown(std::net::Shutdown::Write).unwrap();
    let mut answer = Vec::new();
    let _ = stream.take(1 << 20).read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok()).unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    (status, headers, body.to_owned())
}

fn keystore() -> Keystore {
    let text = std::fs::read_to_string(root().join("src/keystore/default.yaml")).unwrap();
    let account = "accounts:\n  - name: smithy-rs-placeholder\n    description: double-encode-path's signer (smithy-rs \
                   tests' placeholder)\n    access_keys:\n      - id: ANOTREAL\n        secret: notrealrnrELgWzOk3IfjzDKtFBhDby\n";
    assert!(text.contains("\naccounts:\n"), "the embedded keystore's accounts list");
    Keystore::from_yaml_str(&text.replacen("\naccounts:\n", &format!("\n{account}"), 1), "replay keystore").unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_suites_signed_requests_are_accepted_byte_for_byte() {
    let Some(dir) = sigv4_suite_dir() else { return };
    let server = MockServer::builder()
        .clock(format!("fixed:{SUITE_TIME}").parse::<Clock>().unwrap())
        .keystore(keystore())
        .start()
        .await
        .unwrap();
    let addr = server.addr();
    let requests = signed_requests(&dir);
    let mut problems = Vec::new();
    let mut tally = std::collections::BTreeMap::<String, usize>::new();
    for (suite, case, file) in &requests {
        let bytes = wire_bytes(file);
        let (status, headers, body) = tokio::task::spawn_blocking(move || replay(addr, &bytes)).await.unwrap();
        let header = |n: &str| headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
        let diagnosis = header("x-amzsig-diagnosis");
        let w = want(suite, case);
        *tally.entry(format!("{w:?}")).or_default() += 1;
        let ok = match w {
            Want::Accepted => status == 200 && diagnosis.is_none(),
            Want::SessionTokenRefused => {
                status == 403 && body.contains("<Code>InvalidClientTokenId</Code>") && diagnosis.is_none()
            }
            Want::NotHttp11 => status == 400 && diagnosis.is_none(),
            Want::Refused(mistake) => {
                status == 403 && body.contains("<Code>SignatureDoesNotMatch</Code>") && diagnosis == Some(mistake)
            }
        };
        if !ok {
            let file = file.strip_prefix(&dir).unwrap_or(file).display();
            problems.push(format!("{file}: want {w:?}, got {status} diagnosis {diagnosis:?}: {body:.200}"));
        }
    }
    // Who decided the service, in the journal: the host for API Gateway, the scope for
    // example.amazonaws.com (not a known endpoint prefix).
    let journal = server.journal();
    let from = |host: &str| journal.iter().find(|e| e.host.starts_with(host)).and_then(|e| e.service_from);
    assert_eq!(from("example.amazonaws.com"), Some(ServiceFrom::Scope));
    assert_eq!(from("tj9n5r0m12.execute-api"), Some(ServiceFrom::Host));
    server.stop().await;
    assert!(
        problems.is_empty(),
        "{} of {} replayed requests:\n{}",
        problems.len(),
        requests.len(),
        problems.join("\n")
    );
    // The suites' sizes: a shrinking set fails here.
    let count = |w: &str| tally.get(w).copied().unwrap_or(0);
    assert_eq!(requests.len(), 112, "34 classic .sreq + 39 header + 39 query signed requests: {tally:?}");
    assert_eq!(count("Accepted"), 91, "{tally:?}");
    assert_eq!(count("SessionTokenRefused"), 9, "{tally:?}");
    assert_eq!(count("NotHttp11"), 9, "{tally:?}");
}
