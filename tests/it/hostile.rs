//! The hostile-input table (issue #7): each row is raw bytes written on a real TCP socket
//! to a real `MockServer` on 127.0.0.1 (clients refuse to send most of these), with the
//! exact answer it must get: the service's status and error code parsed from its XML where
//! the request reaches a service, the plain HTTP status where the HTTP layer answers, or a
//! close without an answer. After every row the server must still answer a correctly
//! signed request, and the journal must hold exactly the entries the row should add.
//! Every socket read is bounded; the whole file runs in a few seconds (the slow rows use
//! short timeouts from the config). Why each answer: `docs/robustness.md`.

use crate::server::{fixed_config, signed, wire, DG_TIME};
use crate::support::find_element;
use amzsig::journal::JournalEntry;
use amzsig::server::{MockServer, ServerConfig};
use amzsig::services::Throttling;
use amzsig::xml::{self, Element};
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

const PAAPI_SECRET: &str = "1234567890";
const MWS_SECRET: &str = "kWcrlEXAMPLEM/LtmEENI/aVmYvHNif5zB+d9+ct";
const TOKEN: &str = "amzn.mws.4ea38b7b-f563-7709-4bae-87aeaEXAMPLE";
const MWS_HOST: &str = "mws.amazonservices.com";
/// Short timeouts so the slow rows take about a second each.
const HEADER_TIMEOUT: Duration = Duration::from_millis(1200);
const BODY_TIMEOUT: Duration = Duration::from_secs(1);
const KEEP_ALIVE: Duration = Duration::from_millis(1500);
/// The bound on every socket read of the test.
const READ_BOUND: Duration = Duration::from_secs(8);

/// A server on its own runtime, driven from plain threads and sockets.
struct Live {
    rt: tokio::runtime::Runtime,
    server: Option<MockServer>,
    addr: SocketAddr,
}

impl Live {
    fn start(config: ServerConfig) -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let server = rt.block_on(MockServer::start_with(config)).unwrap();
        let addr = server.addr();
        Self { rt, server: Some(server), addr }
    }

    fn host(&self) -> String {
        self.addr.to_string()
    }

    fn journal(&self) -> Vec<JournalEntry> {
        self.server.as_ref().unwrap().journal()
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            self.rt.block_on(server.stop());
        }
    }
}

fn table_config() -> ServerConfig {
    let mut config = fixed_config();
    config.options.throttling = Throttling::Off;
    config.limits.header_read_timeout = HEADER_TIMEOUT;
    config.limits.body_read_timeout = BODY_TIMEOUT;
    config.limits.keep_alive_timeout = KEEP_ALIVE;
    config
}

/// One answer read off the socket.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The `<Code>` of the XML body (error envelopes and PA-API's in-band `Errors`).
    fn code(&self) -> Option<String> {
        let text = std::str::from_utf8(&self.body).ok()?;
        let doc = xml::parse(text).ok()?;
        find_element(&doc, "Code").map(Element::text_content)
    }
}

/// Reads `max` answers, then (when `then_eof`) waits for the close and fails on any
/// further byte. Every read is bounded; a read that runs into the bound fails the test
/// (the server hung).
fn read_answers(stream: &mut TcpStream, max: usize, then_eof: bool) -> Vec<Answer> {
    stream.set_read_timeout(Some(READ_BOUND)).unwrap();
    let mut buf: Vec<u8> = Vec::new();
    let mut answers = Vec::new();
    let mut eof = false;
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        // Take every complete answer the buffer holds.
        while answers.len() < max {
            let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else { break };
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            let mut lines = head.split("\r\n");
            let status_line = lines.next().unwrap_or_default();
            let status: u16 = status_line.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
            let headers: Vec<(String, String)> = lines
                .filter_map(|l| l.split_once(':').map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned())))
                .collect();
            let len = headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
                .and_then(|(_, v)| v.parse::<usize>().ok());
            let body_start = end + 4;
            let body_len = match len {
                Some(n) => n,
                None if eof => buf.len() - body_start,
                None => break,
            };
            if buf.len() < body_start + body_len {
                break;
            }
            let body = buf[body_start..body_start + body_len].to_vec();
            buf.drain(..body_start + body_len);
            answers.push(Answer { status, headers, body });
        }
        if answers.len() == max && !then_eof {
            return answers;
        }
        if eof {
            assert!(buf.is_empty(), "bytes after the answers: {:?}", String::from_utf8_lossy(&buf));
            return answers;
        }
        match stream.read(&mut chunk) {
            Ok(0) => eof = true,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                panic!("no answer or close within {READ_BOUND:?} (have {} answers)", answers.len())
            }
            // A reset: the peer closed with bytes of ours unread.
            Err(_) => eof = true,
        }
    }
}

/// How a row's bytes are written.
enum Send {
    /// All at once, then wait for the answers and the close.
    All(Vec<u8>),
    /// All at once, then shut the write side (the client is done sending).
    ThenHalfClose(Vec<u8>),
    /// One byte every interval (a slow client), until the server answers or closes.
    Drip(Vec<u8>, Duration),
    /// `head`, then `total` body bytes as fast as the socket takes them; the server must
    /// answer before reading them all.
    Stream { head: Vec<u8>, total: usize, chunked: bool },
}

/// One answer a row must get.
#[derive(Debug, Clone, Copy)]
enum Want {
    /// The HTTP layer's plain-text answer with this status (and `Connection: close`).
    Http(u16),
    /// A service's answer: status and the `<Code>` in its XML.
    Service(u16, &'static str),
    /// A service's success (200, no error code).
    Success,
}

struct Row {
    name: &'static str,
    send: Send,
    /// The answers, in order; after them the server closes or waits for more.
    want: Vec<Want>,
    /// The journal entries the row adds: (status, error code).
    journal: Vec<(u16, Option<&'static str>)>,
    /// Slowest acceptable answer (the time-outs' rows are bounded from below too).
    within: Option<(Duration, Duration)>,
}

fn row(name: &'static str, send: Send, want: Want) -> Row {
    let journal = match want {
        Want::Service(status, code) => vec![(status, Some(code))],
        Want::Success => vec![(200, None)],
        Want::Http(status) => vec![(status, None)],
    };
    Row { name, send, want: vec![want], journal, within: None }
}

/// A row answered before a request exists (hyper's or the guard's refusal): no entry.
fn unparsed(name: &'static str, send: Send, want: Vec<Want>) -> Row {
    Row { name, send, want, journal: Vec::new(), within: None }
}

/// The Developer Guide's ItemLookup with `changes` applied (a `None` value removes the
/// parameter), signed for `host`; returns the query string.
fn paapi_query(host: &str, changes: &[(&'static str, Option<&str>)]) -> String {
    let mut params: Vec<(&str, String)> = vec![
        ("Service", "AWSECommerceService".to_owned()),
        ("AWSAccessKeyId", "AKIAIOSFODNN7EXAMPLE".to_owned()),
        ("AssociateTag", "mytag-20".to_owned()),
        ("Operation", "ItemLookup".to_owned()),
        ("ItemId", "0679722769".to_owned()),
        ("ResponseGroup", "ItemAttributes".to_owned()),
        ("Version", "2013-08-01".to_owned()),
        ("Timestamp", DG_TIME.to_owned()),
    ];
    for (name, value) in changes {
        params.retain(|(n, _)| n != name);
        if let Some(v) = value {
            params.push((name, (*v).to_owned()));
        }
    }
    let refs: Vec<(&str, &str)> = params.iter().map(|(n, v)| (*n, v.as_str())).collect();
    wire(&signed("GET", host, "/onca/xml", &refs, PAAPI_SECRET))
}

fn get(path_and_query: &str, host: &str) -> Vec<u8> {
    format!("GET {path_and_query} HTTP/1.1\r\nHost: {host}\r\n\r\n").into_bytes()
}

/// MWS GetServiceStatus (Orders) as a signed form body, with `extra` parameters signed in.
fn mws_body(extra: &[(&str, &str)]) -> String {
    mws_body_at(DG_TIME, extra)
}

/// [`mws_body`] with the given Timestamp, signed.
fn mws_body_at(timestamp: &str, extra: &[(&str, &str)]) -> String {
    let mut params = vec![
        ("AWSAccessKeyId", "022QF0EXAMPLEH9DHM02"),
        ("Action", "GetServiceStatus"),
        ("SellerId", "A1ExampleE6"),
        ("MWSAuthToken", TOKEN),
        ("SignatureVersion", "2"),
        ("SignatureMethod", "HmacSHA256"),
        ("Timestamp", timestamp),
        ("Version", "2013-09-01"),
    ];
    params.extend_from_slice(extra);
    wire(&signed("POST", MWS_HOST, "/Orders/2013-09-01", &params, MWS_SECRET))
}

fn mws_post(body: &str) -> Vec<u8> {
    format!(
        "POST /Orders/2013-09-01 HTTP/1.1\r\nHost: {MWS_HOST}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn with_timestamp(host: &str, ts: &str) -> Vec<u8> {
    get(&format!("/onca/xml?{}", paapi_query(host, &[("Timestamp", Some(ts))])), host)
}

/// A TLS 1.2/1.3 ClientHello record's first bytes (RFC 8446 §4.1.2 layout, random zeroed).
fn client_hello() -> Vec<u8> {
    let mut hello = vec![0x16, 0x03, 0x01, 0x00, 0x2f, 0x01, 0x00, 0x00, 0x2b, 0x03, 0x03];
    hello.extend_from_slice(&[0u8; 32]);
    hello.extend_from_slice(&[0x00, 0x00, 0x02, 0x13, 0x01, 0x01, 0x00]);
    hello
}

#[allow(clippy::too_many_lines)] // a data table: one entry per hostile input
fn rows(host: &str) -> Vec<Row> {
    let ok_query = paapi_query(host, &[]);
    let unsigned = "Service=AWSECommerceService&AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Operation=ItemLookup&ItemId=1&Timestamp=2014-08-18T12%3A00%3A00Z";
    let big_query = format!("/onca/xml?{ok_query}&Pad={}", "a".repeat(1024 * 1024));
    let many_query = format!("/onca/xml?{}", (0..10_000).map(|i| format!("P{i}=v")).collect::<Vec<_>>().join("&"));
    let many_body =
        format!("{}&{}", mws_body(&[]), (0..10_000).map(|i| format!("P{i}=v")).collect::<Vec<_>>().join("&"));
    let form = mws_body(&[]);
    let chunked_ok = format!(
        "POST /Orders/2013-09-01 HTTP/1.1\r\nHost: {MWS_HOST}\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{}\r\n{:x}\r\n{}\r\n0\r\n\r\n",
        10,
        &form[..10],
        form.len() - 10,
        &form[10..]
    );
    let chunk_head = format!(
        "POST /Orders/2013-09-01 HTTP/1.1\r\nHost: {MWS_HOST}\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    let form_head = |len: usize| {
        format!(
            "POST /Orders/2013-09-01 HTTP/1.1\r\nHost: {MWS_HOST}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {len}\r\n\r\n"
        )
    };
    let signature_10k = paapi_query(host, &[]).replace("Signature=", &format!("Signature={}", "A".repeat(10 * 1024)));
    let too_many_headers =
        format!("GET /onca/xml?{ok_query} HTTP/1.1\r\nHost: {host}\r\n{}\r\n", "X-Pad: 1\r\n".repeat(200));
    let huge_header =
        format!("GET /onca/xml?{ok_query} HTTP/1.1\r\nHost: {host}\r\nX-Pad: {}\r\n\r\n", "a".repeat(70_000));
    let long_path = format!("/{}", "p".repeat(20 * 1024));
    let s = |b: Vec<u8>| Send::All(b);
    let paapi_err = |code| Want::Service(400, code);
    vec![
        // Percent-escapes and UTF-8 (parsing: `encoding::parse_query`).
        row("bad escape in a name", s(get(&format!("/onca/xml?It%ZZem=1&{unsigned}"), host)), paapi_err("MalformedQueryString")),
        row("bad escape in a value", s(get(&format!("/onca/xml?{unsigned}&ItemId=%G1"), host)), paapi_err("MalformedQueryString")),
        row("bad escape in the Signature", s(get(&format!("/onca/xml?{unsigned}&Signature=abc%2"), host)), paapi_err("MalformedQueryString")),
        row("escape cut at the end", s(get(&format!("/onca/xml?{unsigned}&Signature=%"), host)), paapi_err("MalformedQueryString")),
        row("invalid UTF-8 in a name", s(get(&format!("/onca/xml?%FF%FE=1&{unsigned}"), host)), paapi_err("MalformedQueryString")),
        row("invalid UTF-8 in a value", s(get(&format!("/onca/xml?{unsigned}&Keywords=%C3%28"), host)), paapi_err("MalformedQueryString")),
        row("overlong UTF-8 (%C0%AF)", s(get(&format!("/onca/xml?{unsigned}&Keywords=%C0%AF"), host)), paapi_err("MalformedQueryString")),
        row(
            "invalid UTF-8 in a form body name",
            s(mws_post(&format!("{form}&%FF=1"))),
            Want::Service(400, "MalformedQueryString"),
        ),
        unparsed("raw byte 0xFF in the request line", s([&b"GET /onca/xml?a=\xff HTTP/1.1\r\nHost: x\r\n\r\n"[..]].concat()), vec![Want::Http(400)]),
        // NUL bytes.
        unparsed("raw NUL in the request line", s(b"GET /onca/xml?a=\0 HTTP/1.1\r\nHost: x\r\n\r\n".to_vec()), vec![Want::Http(400)]),
        unparsed("raw NUL in a header value", s(format!("GET /onca/xml?{ok_query} HTTP/1.1\r\nHost: {host}\r\nX-A: a\0b\r\n\r\n").into_bytes()), vec![Want::Http(400)]),
        row("%00 in a signed value", s(get(&format!("/onca/xml?{}", paapi_query(host, &[("ItemId", Some("\0"))])), host)), Want::Service(200, "AWS.InvalidParameterValue")),
        row("%00 in a name", s(get(&format!("/onca/xml?{ok_query}&%00=1"), host)), Want::Service(403, "SignatureDoesNotMatch")),
        // Sizes.
        unparsed("1 MB query string", s(get(&big_query, host)), vec![Want::Http(414)]),
        unparsed("10,000 parameters in the query", s(get(&many_query, host)), vec![Want::Http(414)]),
        row("10,000 parameters in a form body", s(mws_post(&many_body)), Want::Service(400, "MalformedQueryString")),
        row(
            "100 MB body announced by Content-Length",
            Send::Stream { head: form_head(100 * 1024 * 1024).into_bytes(), total: 100 * 1024 * 1024, chunked: false },
            Want::Http(413),
        ),
        row(
            "100 MB chunked body",
            Send::Stream { head: chunk_head.clone().into_bytes(), total: 100 * 1024 * 1024, chunked: true },
            Want::Http(413),
        ),
        unparsed("request line longer than the limit", s(get(&long_path, host)), vec![Want::Http(414)]),
        unparsed("too many headers (200)", s(too_many_headers.into_bytes()), vec![Want::Http(431)]),
        unparsed("a 70 KB header", s(huge_header.into_bytes()), vec![Want::Http(431)]),
        row("Signature of 10 KB", s(get(&format!("/onca/xml?{signature_10k}"), host)), Want::Service(403, "SignatureDoesNotMatch")),
        // Names.
        row(
            "duplicate names (ItemId twice)",
            s(get(&format!("/onca/xml?{ok_query}&ItemId=0679722769"), host)),
            Want::Service(403, "SignatureDoesNotMatch"),
        ),
        row("empty name (=v)", s(get(&format!("/onca/xml?{ok_query}&=v"), host)), Want::Service(403, "SignatureDoesNotMatch")),
        row("'=' only", s(get("/onca/xml?=", host)), Want::Service(403, "MissingClientTokenId")),
        row("empty pairs (&&&)", s(get(&format!("/onca/xml?&&&{ok_query}&&"), host)), Want::Success),
        // Host.
        row("missing Host (HTTP/1.1)", s(format!("GET /onca/xml?{ok_query} HTTP/1.1\r\n\r\n").into_bytes()), Want::Http(400)),
        row(
            "two Host headers",
            s(format!("GET /onca/xml?{ok_query} HTTP/1.1\r\nHost: {host}\r\nHost: {host}\r\n\r\n").into_bytes()),
            Want::Http(400),
        ),
        row("Host with a wrong port", s(get(&format!("/onca/xml?{ok_query}"), "127.0.0.1:1")), Want::Service(403, "SignatureDoesNotMatch")),
        row("Host of another service (MWS)", s(get(&format!("/onca/xml?{ok_query}"), MWS_HOST)), Want::Service(400, "InvalidParameterValue")),
        row("HTTP/1.0 with Host", s(format!("GET /onca/xml?{ok_query} HTTP/1.0\r\nHost: {host}\r\n\r\n").into_bytes()), Want::Success),
        row(
            "HTTP/1.0 without Host",
            s(format!("GET /onca/xml?{ok_query} HTTP/1.0\r\n\r\n").into_bytes()),
            Want::Service(403, "SignatureDoesNotMatch"),
        ),
        // Bodies.
        row("chunked body, valid", s(chunked_ok.into_bytes()), Want::Success),
        row("chunked body, bad chunk size", s(format!("{chunk_head}zz\r\nabc\r\n0\r\n\r\n").into_bytes()), Want::Http(400)),
        row(
            "chunked body, chunk longer than announced",
            s(format!("{chunk_head}3\r\nabcdef\r\n0\r\n\r\n").into_bytes()),
            Want::Http(400),
        ),
        row(
            "Content-Length larger than the body, then close",
            Send::ThenHalfClose(format!("{}{}", form_head(form.len() + 100), form).into_bytes()),
            Want::Http(400),
        ),
        Row {
            name: "Content-Length larger than the body, client waits",
            send: s(format!("{}{}", form_head(form.len() + 100), form).into_bytes()),
            want: vec![Want::Http(408)],
            journal: vec![(408, None)],
            within: Some((BODY_TIMEOUT, BODY_TIMEOUT * 4)),
        },
        Row {
            name: "Content-Length smaller than the body",
            send: s(format!("{}{}", form_head(form.len() - 20), form).into_bytes()),
            // The first request is the body cut short; the rest never becomes a head, and
            // the layer cannot tell it from an idle pause: closed after the keep-alive time.
            want: vec![Want::Service(403, "SignatureDoesNotMatch")],
            journal: vec![(403, Some("SignatureDoesNotMatch"))],
            within: Some((KEEP_ALIVE, KEEP_ALIVE * 3)),
        },
        unparsed(
            "two different Content-Length headers",
            s(format!("POST /Orders/2013-09-01 HTTP/1.1\r\nHost: {MWS_HOST}\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd").into_bytes()),
            vec![Want::Http(400)],
        ),
        // Timestamps, each correctly signed (only the time is wrong).
        // No zone is read as UTC (the AWS SigV2 example itself sends `2011-10-03T15:19:30`).
        row("Timestamp without a zone", s(with_timestamp(host, "2014-08-18T12:00:00")), Want::Success),
        row("Timestamp with month 13", s(with_timestamp(host, "2014-13-18T12:00:00Z")), Want::Service(400, "InvalidParameterValue")),
        row("Timestamp 24:61", s(with_timestamp(host, "2014-08-18T24:61:00Z")), Want::Service(400, "InvalidParameterValue")),
        row("Timestamp in lowercase (t, z)", s(with_timestamp(host, "2014-08-18t12:00:00z")), Want::Service(400, "InvalidParameterValue")),
        row("Timestamp in epoch seconds", s(with_timestamp(host, "1408363200")), Want::Service(400, "InvalidParameterValue")),
        row("Timestamp empty", s(with_timestamp(host, "")), Want::Service(400, "InvalidParameterValue")),
        row("Timestamp far in the future", s(with_timestamp(host, "2099-01-01T00:00:00Z")), Want::Service(400, "RequestExpired")),
        row("Timestamp as an RFC 1123 date", s(with_timestamp(host, "Mon, 18 Aug 2014 12:00:00 GMT")), Want::Service(400, "InvalidParameterValue")),
        row("MWS Timestamp as an RFC 1123 date", s(mws_post(&mws_body_at("Mon, 18 Aug 2014 12:00:00 GMT", &[]))), Want::Service(400, "InvalidParameterValue")),
        row("MWS Timestamp with month 13", s(mws_post(&mws_body_at("2014-13-18T12:00:00Z", &[]))), Want::Service(400, "InvalidParameterValue")),
        row("MWS Timestamp far in the future", s(mws_post(&mws_body_at("2099-01-01T00:00:00Z", &[]))), Want::Service(400, "InvalidParameterValue")),
        row("MWS Timestamp with an offset and millis", s(mws_post(&mws_body_at("2014-08-18T05:00:00.123-07:00", &[]))), Want::Success),
        // Not HTTP at all, or not HTTP/1.
        unparsed("a non-HTTP line", s(b"HELLO WORLD\r\n\r\n".to_vec()), vec![Want::Http(400)]),
        unparsed("TLS ClientHello on the plain port", s(client_hello()), vec![Want::Http(400)]),
        unparsed("HTTP/2 preface", s(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec()), Vec::new()),
        unparsed("a header name with a space", s(format!("GET /onca/xml HTTP/1.1\r\nHost: {host}\r\nBad Name: 1\r\n\r\n").into_bytes()), vec![Want::Http(400)]),
        // Time.
        Row {
            name: "slow client, one byte per second",
            send: Send::Drip(get(&format!("/onca/xml?{ok_query}"), host), Duration::from_secs(1)),
            want: vec![Want::Http(408)],
            journal: Vec::new(),
            within: Some((HEADER_TIMEOUT, HEADER_TIMEOUT * 3)),
        },
        Row {
            name: "a connection that sends nothing",
            send: s(Vec::new()),
            want: Vec::new(),
            journal: Vec::new(),
            within: Some((HEADER_TIMEOUT, HEADER_TIMEOUT * 3)),
        },
        Row {
            name: "keep-alive connection left idle after a request",
            send: s(get(&format!("/onca/xml?{ok_query}"), host)),
            want: vec![Want::Success],
            journal: vec![(200, None)],
            within: Some((KEEP_ALIVE, KEEP_ALIVE * 3)),
        },
        Row {
            name: "two pipelined requests",
            send: s([get(&format!("/onca/xml?{ok_query}"), host), get(&format!("/onca/xml?{ok_query}"), host)].concat()),
            want: vec![Want::Success, Want::Success],
            journal: vec![(200, None), (200, None)],
            within: None,
        },
        row(
            "Expect: 100-continue with a body over the limit",
            s(format!(
                "POST /Orders/2013-09-01 HTTP/1.1\r\nHost: {MWS_HOST}\r\nExpect: 100-continue\r\nContent-Length: 999999999\r\n\r\n"
            )
            .into_bytes()),
            Want::Http(413),
        ),
        row("unknown method", s(format!("BREW /onca/xml?{ok_query} HTTP/1.1\r\nHost: {host}\r\n\r\n").into_bytes()), Want::Service(403, "SignatureDoesNotMatch")),
        row("no service at this path", s(get("/nothing/here", host)), Want::Http(404)),
    ]
}

/// Writes the row's bytes (from a second thread, so a server that stops reading cannot
/// block the test) and returns the answers, how long they took, and the body bytes the
/// writer got out.
fn exchange(addr: SocketAddr, how: Send, want: usize, then_eof: bool) -> (Vec<Answer>, Duration, usize) {
    let start = Instant::now();
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_write_timeout(Some(READ_BOUND)).unwrap();
    let mut writer = stream.try_clone().unwrap();
    let finished = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop = finished.clone();
    let handle = std::thread::spawn(move || -> usize {
        match how {
            Send::All(bytes) => {
                let _ = writer.write_all(&bytes);
                0
            }
            Send::ThenHalfClose(bytes) => {
                let _ = writer.write_all(&bytes);
                let _ = writer.shutdown(Shutdown::Write);
                0
            }
            Send::Drip(bytes, every) => {
                for b in bytes {
                    if stop.load(std::sync::atomic::Ordering::SeqCst) || writer.write_all(&[b]).is_err() {
                        break;
                    }
                    std::thread::sleep(every);
                }
                0
            }
            Send::Stream { head, total, chunked } => {
                if writer.write_all(&head).is_err() {
                    return 0;
                }
                let piece = vec![b'a'; 64 * 1024];
                let mut sent = 0;
                while sent < total && !stop.load(std::sync::atomic::Ordering::SeqCst) {
                    let r = if chunked {
                        writer.write_all(format!("{:x}\r\n", piece.len()).as_bytes()).and_then(|()| {
                            writer.write_all(&piece)?;
                            writer.write_all(b"\r\n")
                        })
                    } else {
                        writer.write_all(&piece)
                    };
                    if r.is_err() {
                        break;
                    }
                    sent += piece.len();
                }
                sent
            }
        }
    });
    let got = read_answers(&mut stream, want, then_eof);
    let elapsed = start.elapsed();
    finished.store(true, std::sync::atomic::Ordering::SeqCst);
    let pushed = handle.join().unwrap();
    (got, elapsed, pushed)
}

/// A correctly signed ItemLookup gets its 200 (the server is alive and unharmed).
fn assert_healthy(live: &Live, after: &str) {
    let host = live.host();
    let before = live.journal().len();
    let (answers, _, _) =
        exchange(live.addr, Send::All(get(&format!("/onca/xml?{}", paapi_query(&host, &[])), &host)), 1, false);
    let a = answers.first().unwrap_or_else(|| panic!("after '{after}': no answer to a valid request"));
    assert_eq!((a.status, a.code()), (200, None), "after '{after}': {}", String::from_utf8_lossy(&a.body));
    assert!(String::from_utf8_lossy(&a.body).contains("<IsValid>True</IsValid>"), "after '{after}'");
    let journal = live.journal();
    assert_eq!(journal.len(), before + 1, "after '{after}': the valid request is journaled");
}

fn check(want: Want, got: &Answer) -> Result<(), String> {
    let body = String::from_utf8_lossy(&got.body);
    let (status, code) = (got.status, got.code());
    let ok = match want {
        Want::Http(s) => {
            status == s
                && code.is_none()
                && got.header("content-type").is_none_or(|c| c.starts_with("text/plain"))
                && (s == 404 || got.header("connection").is_some_and(|c| c.eq_ignore_ascii_case("close")))
        }
        Want::Service(s, c) => status == s && code.as_deref() == Some(c),
        Want::Success => status == 200 && code.is_none(),
    };
    if ok {
        Ok(())
    } else {
        let short: String = body.chars().take(300).collect();
        Err(format!("want {want:?}, got {status} {code:?} {:?}: {short}", got.headers))
    }
}

#[test]
fn hostile_inputs_get_their_exact_answers() {
    let live = Live::start(table_config());
    let host = live.host();
    let rows = rows(&host);
    assert!(rows.len() >= 40, "the table has {} rows", rows.len());
    let mut failures = Vec::new();
    for row in rows {
        let before = live.journal();
        let expected = row.want.len();
        // Refusals close the connection; so do the rows about time-outs.
        let then_eof = row.within.is_some() || row.want.iter().any(|w| matches!(w, Want::Http(s) if *s != 404));
        let (answers, elapsed, sent) = exchange(live.addr, row.send, expected, then_eof || expected == 0);
        let mut problems = Vec::new();
        if answers.len() != expected {
            problems.push(format!(
                "{} answers, want {expected}: {:?}",
                answers.len(),
                answers.iter().map(|a| a.status).collect::<Vec<_>>()
            ));
        }
        for (want, got) in row.want.iter().zip(&answers) {
            if let Err(e) = check(*want, got) {
                problems.push(e);
            }
            if got.status >= 500 {
                problems.push(format!("a {} answer", got.status));
            }
        }
        if let Some((min, max)) = row.within {
            if elapsed < min.mul_f32(0.9) || elapsed > max {
                problems.push(format!("answered after {elapsed:?}, want between {min:?} and {max:?}"));
            }
        }
        if sent > 0 {
            eprintln!("{}: the client got {sent} body bytes out before the answer, {elapsed:?}", row.name);
        }
        if sent > 40 * 1024 * 1024 {
            problems.push(format!("the server read {sent} body bytes before refusing"));
        }
        let after = live.journal();
        let added: Vec<(u16, Option<String>)> = after
            .iter()
            .filter(|e| !before.iter().any(|b| b.seq == e.seq))
            .map(|e| (e.status, e.error_code.clone()))
            .collect();
        let want_added: Vec<(u16, Option<String>)> =
            row.journal.iter().map(|(s, c)| (*s, c.map(str::to_owned))).collect();
        if added != want_added {
            problems.push(format!("journal added {added:?}, want {want_added:?}"));
        }
        if let Some(last) = after.last().filter(|_| !want_added.is_empty()) {
            if last.method.is_empty() || last.request_id.is_empty() || !last.path.starts_with('/') {
                problems.push(format!("journal entry without what was received: {last:?}"));
            }
        }
        if !problems.is_empty() {
            failures.push(format!("{}: {}", row.name, problems.join("; ")));
        }
        assert_healthy(&live, row.name);
    }
    assert!(failures.is_empty(), "{} rows failed:\n{}", failures.len(), failures.join("\n"));
}

/// Refused requests that name a key must not spend that key's throttle token: after a
/// volley of them, the key's first valid request passes (and its second is throttled, so
/// the throttle is on). The clock is fixed, so no token comes back during the test.
#[test]
fn refused_requests_leave_other_clients_state_alone() {
    let mut config = table_config();
    config.options.throttling = Throttling::On;
    let live = Live::start(config);
    let host = live.host();
    let ok_query = paapi_query(&host, &[]);
    let tampered = ok_query.replace("ItemId=0679722769", "ItemId=0679722760");
    let volley: Vec<Vec<u8>> = vec![
        get(&format!("/onca/xml?{tampered}"), &host),
        get(&format!("/onca/xml?{}", ok_query.replace("Signature=", "Signature=AAAA")), &host),
        with_timestamp(&host, "2099-01-01T00:00:00Z"),
        with_timestamp(&host, "Mon, 18 Aug 2014 12:00:00 GMT"),
        get(&format!("/onca/xml?{ok_query}&Bad=%ZZ"), &host),
        get(&format!("/onca/xml?{ok_query}&Pad={}", "a".repeat(20_000)), &host),
        format!("GET /onca/xml?{ok_query} HTTP/1.1\r\n\r\n").into_bytes(),
        format!("GET /onca/xml?{ok_query} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 999999999\r\n\r\n").into_bytes(),
        mws_post(&mws_body(&[]).replace("GetServiceStatus", "GetServiceStatuz")),
    ];
    for request in volley {
        let (answers, _, _) = exchange(live.addr, Send::All(request), 1, false);
        let a = &answers[0];
        assert!(a.status >= 400 && a.status != 503 && a.status < 500, "a refusal, not {}: {:?}", a.status, a.code());
    }
    let valid = || exchange(live.addr, Send::All(get(&format!("/onca/xml?{ok_query}"), &host)), 1, false).0;
    let first = valid();
    assert_eq!((first[0].status, first[0].code()), (200, None), "{}", String::from_utf8_lossy(&first[0].body));
    let second = valid();
    assert_eq!((second[0].status, second[0].code().as_deref()), (503, Some("RequestThrottled")));
    // MWS: the developer's GetServiceStatus quota is untouched by the refused Action above.
    let (mws, _, _) = exchange(live.addr, Send::All(mws_post(&mws_body(&[]))), 1, false);
    assert_eq!((mws[0].status, mws[0].code()), (200, None), "{}", String::from_utf8_lossy(&mws[0].body));
}

/// Past `max_connections`, clients wait in the backlog and are served when a slot frees.
#[test]
fn connections_past_the_limit_wait_for_a_slot() {
    let mut config = table_config();
    config.limits.max_connections = 2;
    let live = Live::start(config);
    let host = live.host();
    // Two clients that connect and say nothing hold both slots until the header timeout.
    let idle: Vec<TcpStream> = (0..2).map(|_| TcpStream::connect(live.addr).unwrap()).collect();
    std::thread::sleep(Duration::from_millis(100));
    let (answers, elapsed, _) =
        exchange(live.addr, Send::All(get(&format!("/onca/xml?{}", paapi_query(&host, &[])), &host)), 1, false);
    assert_eq!(answers[0].status, 200);
    assert!(elapsed >= HEADER_TIMEOUT.mul_f32(0.8), "served after {elapsed:?}: the limit did not hold");
    assert!(elapsed < HEADER_TIMEOUT * 4, "served after {elapsed:?}");
    drop(idle);
    let (answers, elapsed, _) =
        exchange(live.addr, Send::All(get(&format!("/onca/xml?{}", paapi_query(&host, &[])), &host)), 1, false);
    assert_eq!(answers[0].status, 200);
    assert!(elapsed < HEADER_TIMEOUT, "a free slot serves at once, took {elapsed:?}");
}

/// On stop, a request whose body is still arriving is answered before the server ends;
/// new connections are refused.
#[test]
fn stop_lets_in_flight_requests_finish() {
    let mut live = Live::start(table_config());
    let body = mws_body(&[]);
    let head = format!(
        "POST /Orders/2013-09-01 HTTP/1.1\r\nHost: {MWS_HOST}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    let mut stream = TcpStream::connect(live.addr).unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&body.as_bytes()[..10]).unwrap();
    std::thread::sleep(Duration::from_millis(100));
    let server = live.server.take().unwrap();
    let stopper = std::thread::spawn({
        let handle = live.rt.handle().clone();
        move || handle.block_on(server.stop())
    });
    std::thread::sleep(Duration::from_millis(200));
    assert!(!stopper.is_finished(), "stop waits for the in-flight request");
    stream.write_all(&body.as_bytes()[10..]).unwrap();
    let answers = read_answers(&mut stream, 1, true);
    assert_eq!((answers[0].status, answers[0].code()), (200, None));
    let start = Instant::now();
    while !stopper.is_finished() {
        assert!(start.elapsed() < READ_BOUND, "stop did not finish");
        std::thread::sleep(Duration::from_millis(10));
    }
    stopper.join().unwrap();
    assert!(TcpStream::connect(live.addr).is_err(), "the listener is closed after stop");
}

/// A fresh directory under the system temp dir for this test.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("amzsig-hostile-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `amzsig serve` with `args`; it must exit (bounded wait) and not succeed.
fn serve_must_fail(args: &[&str]) -> (i32, String) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_amzsig"))
        .arg("serve")
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > READ_BOUND {
            let _ = child.kill();
            let _ = child.wait();
            panic!("serve {args:?} kept running");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    (status.code().unwrap_or(-1), stderr)
}

/// Hostile keystore files through the binary: exit 2, one line naming the file and line.
#[test]
fn serve_refuses_hostile_keystore_files() {
    let dir = scratch("keystore");
    let cases: &[(&str, &str, &str)] = &[
        ("syntax.yaml", "accounts: [\n", ":1: did not find expected node content"),
        ("crlf.yaml", "accounts:\r\n  - name: a\r\n    acess_keys: []\r\n", ":3: accounts[0]: unknown field `acess_keys`"),
        ("dup.yaml", "accounts:\n  - name: a\n    access_keys:\n      - {id: AKIA1, secret: s}\n      - {id: AKIA1, secret: t}\n", ":5: duplicate access key id 'AKIA1'"),
        ("type.yaml", "accounts:\n  - name: [a]\n", ":2: accounts[0].name: invalid type: sequence"),
        ("nosecret.yaml", "accounts:\n  - name: a\n    access_keys:\n      - id: AKIA1\n", ":4: access key 'AKIA1' has no secret: give 'secret' (every service) or 'secrets' with any of paapi, mws, aws"),
        ("empty.yaml", "", ": the keystore is empty"),
        (
            "dev.yaml",
            "sellers:\n  - seller_id: S1\n    authorizations:\n      - {developer_id: '1-2', mws_auth_token: amzn.mws.x}\n",
            ":4: seller 'S1' authorises developer '1-2'",
        ),
    ];
    for (file, text, want) in cases {
        let path = dir.join(file);
        std::fs::write(&path, text).unwrap();
        let (code, stderr) = serve_must_fail(&["--keystore", path.to_str().unwrap()]);
        let expected = format!("{}{want}", path.display());
        assert_eq!(code, 2, "{file}: {stderr}");
        assert!(stderr.contains(&expected), "{file}: want {expected:?} in:\n{stderr}");
        assert!(!stderr.contains("panicked") && !stderr.contains(" at line "), "{file}: {stderr}");
        // One line, the problem said once (not repeated by the error chain).
        let problem = want.trim_start_matches(|c: char| c == ':' || c.is_ascii_digit()).trim();
        assert_eq!((stderr.lines().count(), stderr.matches(problem).count()), (1, 1), "{file}: {stderr}");
    }
    let missing = dir.join("absent.yaml");
    let (code, stderr) = serve_must_fail(&["--keystore", missing.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stderr.contains(&missing.display().to_string()), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Limits come from the config file's `limits:` section and the flags; bad ones are refused.
#[test]
fn limits_are_configurable_and_checked() {
    let dir = scratch("limits");
    let good = dir.join("good.yaml");
    std::fs::write(&good, "limits:\n  max_uri_bytes: 300\n  header_read_timeout_ms: 250\n  max_connections: 3\n")
        .unwrap();
    let config = ServerConfig::load_file(&good).unwrap();
    assert_eq!(config.limits.max_uri_bytes, 300);
    assert_eq!(config.limits.header_read_timeout, Duration::from_millis(250));
    assert_eq!(config.limits.max_connections, 3);
    assert_eq!(config.limits.max_body_bytes, 16 * 1024 * 1024, "others keep their defaults");
    for (text, want) in [
        ("limits:\n  max_header_bytes: 10\n", "limits: max_header_bytes: at least 1024 bytes"),
        ("limits:\n  max_params: 0\n", "limits: max_params: must be at least 1"),
        ("limits:\n  keep_alive_timeout_ms: 0\n", "limits: keep_alive_timeout: must be longer than 0 ms"),
        ("limits:\n  max_header_bytes: 8192\n", "limits: max_uri_bytes: at most max_header_bytes"),
    ] {
        let bad = dir.join("bad.yaml");
        std::fs::write(&bad, text).unwrap();
        let err = ServerConfig::load_file(&bad).unwrap_err().to_string();
        assert!(err.contains(want), "{err}");
    }
    let bad = dir.join("unknown.yaml");
    std::fs::write(&bad, "limits:\n  max_bodybytes: 1\n").unwrap();
    assert!(ServerConfig::load_file(&bad).unwrap_err().to_string().contains(":2:"));
    // A configured limit is the one enforced: a 300-byte target limit gives 414 at 301.
    let live = Live::start(ServerConfig { limits: config.limits.clone(), ..table_config() });
    let host = live.host();
    let path = format!("/{}", "a".repeat(299));
    let (a, _, _) = exchange(live.addr, Send::All(get(&path, &host)), 1, false);
    assert_eq!(a[0].status, 404, "300 bytes pass the 414 check");
    let path = format!("/{}", "a".repeat(300));
    let (a, _, _) = exchange(live.addr, Send::All(get(&path, &host)), 1, true);
    assert_eq!(a[0].status, 414);
    // And a flag: `--max-uri-bytes 10` is refused (below the minimum), exit 2.
    let (code, stderr) = serve_must_fail(&["--max-uri-bytes", "10"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("max_uri_bytes"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}
