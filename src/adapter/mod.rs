//! The adapter protocol (`docs/adapters.md`, version 1): JSON lines between the runner and
//! a long-running child process that wraps a third-party signing client.
//!
//! - [`protocol`]: the messages, and [`protocol::decode_answer`], the pure decoder (fuzzed).
//! - [`Adapter`]: a spawned child with bounded waits for every answer.
//! - [`mod@reference`]: amzsig's own signer behind the same protocol (`amzsig adapter`),
//!   optionally with deliberate [`crate::diagnose::Mistake`]s (the broken test fixtures).
//! - `reference_v4`: its SigV4 side ([`crate::sigv4::sign`]).
//! - `http`: the reference adapter's minimal HTTP/1.1 client for live mode (loopback only).

pub(crate) mod http;
pub mod protocol;
pub mod reference;
pub(crate) mod reference_v4;

pub use protocol::{Answer, AnyRequest, Capability, Hello, Request, RequestKind, RequestV4, Sent, Signed};

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::Duration;

/// Why talking to an adapter failed.
#[derive(Debug, thiserror::Error)]
pub enum AdapterError {
    /// The command could not be started.
    #[error("cannot start the adapter '{0}'")]
    Spawn(String, #[source] std::io::Error),
    /// Writing to its stdin failed (it probably exited).
    #[error("cannot write to the adapter (did it exit?)")]
    Write(#[source] std::io::Error),
    /// It closed stdout.
    #[error("the adapter closed its stdout (exited?){}", stderr_tail(.0))]
    Closed(String),
    /// No answer in time.
    #[error("no answer from the adapter within {0:?}")]
    Timeout(Duration),
    /// A `hello` that is not protocol JSON, or that announces a capability amzsig does
    /// not know ([`protocol::UnknownCapability`]).
    #[error("the adapter's hello is refused")]
    Hello(#[source] protocol::ProtocolError),
    /// An answer that is not protocol JSON.
    #[error("bad answer from the adapter: {0}")]
    Protocol(#[from] protocol::ProtocolError),
    /// An answer for another request, or of the wrong type.
    #[error("unexpected answer from the adapter: {0}")]
    Unexpected(String),
    /// A `signed` answer whose URL does not parse.
    #[error("the client produced a bad URL")]
    BadUrl(#[source] crate::request::RequestParseError),
    /// A `signed` answer whose form body does not parse.
    #[error("the client produced a bad form body")]
    BadFormBody(#[source] crate::encoding::DecodeError),
    /// A SigV4 request whose endpoint does not parse (the reference adapter's side).
    #[error(transparent)]
    BadEndpoint(crate::request::RequestParseError),
    /// A SigV4 request whose `timestamp` is not ISO 8601.
    #[error("timestamp")]
    BadTimestamp(#[source] crate::clock::TimeParseError),
    /// A SigV4 request whose `amz_date` is another instant than its `timestamp`.
    #[error("amz_date {amz_date} is not the timestamp {timestamp}")]
    AmzDateMismatch {
        /// The `amz_date` given.
        amz_date: String,
        /// The `timestamp` given.
        timestamp: String,
    },
    /// A mistake id in neither catalogue (`amzsig adapter --mistake`).
    #[error("unknown mistake '{0}'")]
    UnknownMistake(String),
}

/// `error` and its causes on one line, `error: cause: cause` (as the CLI prints errors), for
/// the places that keep an error as text: a report's message, an `error` answer.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

fn stderr_tail(s: &str) -> String {
    if s.is_empty() {
        String::new()
    } else {
        format!("; its stderr ended with:\n{s}")
    }
}

/// A running adapter process.
#[derive(Debug)]
pub struct Adapter {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<std::io::Result<String>>,
    stderr: Receiver<String>,
    timeout: Duration,
    next_id: u64,
    /// What it said in `hello`.
    pub hello: Hello,
}

impl Adapter {
    /// Starts `command` through `sh -c` and exchanges `hello`. A hello that announces a
    /// capability amzsig does not know is refused ([`protocol::UnknownCapability`]).
    pub fn spawn(command: &str, env: &[(String, String)], timeout: Duration) -> Result<Adapter, AdapterError> {
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(command)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| AdapterError::Spawn(command.to_owned(), e))?;
        let stdin = child.stdin.take().ok_or_else(|| AdapterError::Unexpected("no stdin".into()))?;
        let stdout = child.stdout.take().ok_or_else(|| AdapterError::Unexpected("no stdout".into()))?;
        let stderr = child.stderr.take().ok_or_else(|| AdapterError::Unexpected("no stderr".into()))?;
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let (etx, stderr_rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if etx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut adapter = Adapter {
            child,
            stdin,
            lines,
            stderr: stderr_rx,
            timeout,
            next_id: 1,
            hello: Hello { protocol: 1, name: String::new(), version: String::new(), capabilities: Vec::new() },
        };
        adapter.write(&protocol::hello_request())?;
        let hello = adapter.read().map_err(|e| match e {
            AdapterError::Protocol(e) => AdapterError::Hello(e),
            other => other,
        })?;
        match hello {
            Answer::Hello(h) => adapter.hello = h,
            other => return Err(AdapterError::Unexpected(format!("expected hello, got {other:?}"))),
        }
        Ok(adapter)
    }

    /// True when the adapter announced `capability`.
    pub fn can(&self, capability: Capability) -> bool {
        self.hello.capabilities.contains(&capability)
    }

    /// Sends a request (`sign` or `send`) and waits for its answer.
    pub fn call(&mut self, mut request: Request) -> Result<Answer, AdapterError> {
        request.id = self.next_id.to_string();
        self.exchange(&request, &request.id)
    }

    /// Sends a SigV4 request (`sign` or `send`) and waits for its answer.
    pub fn call_v4(&mut self, mut request: RequestV4) -> Result<Answer, AdapterError> {
        request.id = self.next_id.to_string();
        self.exchange(&request, &request.id)
    }

    /// Either shape.
    pub fn call_any(&mut self, request: AnyRequest) -> Result<Answer, AdapterError> {
        match request {
            AnyRequest::V2(r) => self.call(r),
            AnyRequest::V4(r) => self.call_v4(r),
        }
    }

    fn exchange(&mut self, request: &impl serde::Serialize, id: &str) -> Result<Answer, AdapterError> {
        self.next_id += 1;
        self.write(&serde_json::to_string(request).map_err(|e| AdapterError::Unexpected(e.to_string()))?)?;
        // Late answers to earlier requests that timed out are skipped (at most one per
        // earlier request; each read is bounded by the timeout).
        for _ in 0..self.next_id {
            let answer = self.read()?;
            match answer.id() {
                Some(got) if got.parse::<u64>().is_ok_and(|g| id.parse::<u64>().is_ok_and(|want| g < want)) => {}
                Some(got) if got != id => {
                    return Err(AdapterError::Unexpected(format!("answer for id {got}, expected {id}")))
                }
                _ => return Ok(answer),
            }
        }
        Err(AdapterError::Unexpected(format!("no answer for id {id} among the late answers to earlier requests")))
    }

    fn write(&mut self, line: &str) -> Result<(), AdapterError> {
        self.stdin.write_all(line.as_bytes()).map_err(AdapterError::Write)?;
        self.stdin.write_all(b"\n").map_err(AdapterError::Write)?;
        self.stdin.flush().map_err(AdapterError::Write)
    }

    fn read(&mut self) -> Result<Answer, AdapterError> {
        match self.lines.recv_timeout(self.timeout) {
            Ok(Ok(line)) => Ok(protocol::decode_answer(&line)?),
            Ok(Err(_)) | Err(RecvTimeoutError::Disconnected) => {
                std::thread::sleep(Duration::from_millis(50));
                let tail: Vec<String> = self.stderr.try_iter().collect();
                let start = tail.len().saturating_sub(20);
                Err(AdapterError::Closed(tail[start..].join("\n")))
            }
            Err(RecvTimeoutError::Timeout) => Err(AdapterError::Timeout(self.timeout)),
        }
    }
}

impl Drop for Adapter {
    fn drop(&mut self) {
        // Closing stdin asks the adapter to exit; make sure it does.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_adapter_announcing_an_unknown_capability_fails_to_start() {
        let script = r#"read -r h; echo '{"type":"hello","protocol":1,"name":"x","capabilities":["sigv2","teleport"]}'; read -r x"#;
        let text = match Adapter::spawn(script, &[], Duration::from_secs(5)) {
            Ok(a) => panic!("started with {:?}", a.hello),
            Err(e) => error_chain(&e),
        };
        assert!(
            text.starts_with(
                "the adapter's hello is refused: unknown capability 'teleport' (amzsig knows: sigv2, sigv4, send,"
            ),
            "{text}"
        );
    }

    #[test]
    fn known_capabilities_are_parsed_once_and_asked_by_value() {
        let script = r#"read -r h; echo '{"type":"hello","protocol":1,"name":"x","capabilities":["sigv2","post-form"]}'; read -r x"#;
        let adapter = Adapter::spawn(script, &[], Duration::from_secs(5)).unwrap();
        assert_eq!(adapter.hello.capabilities, [Capability::Sigv2, Capability::PostForm]);
        assert!(adapter.can(Capability::PostForm) && !adapter.can(Capability::Send));
    }
}
