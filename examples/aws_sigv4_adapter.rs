//! amzsig adapter (protocol v1, SigV4; `docs/adapters.md`) for the `aws-sigv4` crate, the
//! signer of the AWS SDK for Rust (`aws_sigv4::http_request::sign`). Built by
//! `scripts/clients.sh` with `cargo build --example aws_sigv4_adapter` and run as
//! `target/debug/examples/aws_sigv4_adapter`.
//!
//! What is the crate's own code: the whole signature (`sign` with `SigningSettings`:
//! canonical URI, query, headers, payload hash, `x-amz-content-sha256` with
//! `PayloadChecksumKind::XAmzSha256`, `X-Amz-Security-Token`, the `Authorization` header or
//! the presigned query parameters) and the instructions it returns (headers to set,
//! query parameters to add).
//!
//! What is glue here: the settings for a service as the AWS SDK for Rust sets them (S3:
//! `PercentEncodingMode::Single`, `UriPathNormalizationMode::Disabled`,
//! `PayloadChecksumKind::XAmzSha256`; others the defaults; `expires_in` for presigned
//! URLs; `SignableBody::UnsignedPayload` for the `unsigned` mode); the signing time is the
//! message's (the crate takes the time as a parameter); the crate's query parameters are
//! appended percent-encoded (RFC 3986 unreserved kept, as the SDK's query writer does);
//! the `Host` the SDK's HTTP stack would send (no default port) is reported in `signed`;
//! `send` writes the request on a loopback TCP socket (HTTP/1.1, `Connection: close`) —
//! the crate does no HTTP itself.

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    sign, PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SignatureLocation, SigningSettings,
    UriPathNormalizationMode,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::io::{BufRead, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// RFC 3986: everything but the unreserved characters is encoded.
const QUERY: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

struct Signed {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: String,
}

fn text<'a>(msg: &'a Value, key: &str) -> Result<&'a str, String> {
    msg[key].as_str().ok_or_else(|| format!("'{key}' missing"))
}

/// `YYYY-MM-DDThh:mm:ssZ` (what the runner sends) as a `SystemTime`.
fn parse_time(iso: &str) -> Result<SystemTime, String> {
    let b = iso.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Result<i64, String> {
        iso.get(r).and_then(|s| s.parse().ok()).ok_or_else(|| format!("bad timestamp {iso}"))
    };
    if b.len() < 20 || b[4] != b'-' || b[10] != b'T' || !iso.ends_with('Z') {
        return Err(format!("bad timestamp {iso}"));
    }
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hh, mm, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = u64::try_from(days * 86_400 + hh * 3600 + mm * 60 + ss).map_err(|e| e.to_string())?;
    Ok(UNIX_EPOCH + Duration::from_secs(secs))
}

fn sign_message(msg: &Value) -> Result<Signed, String> {
    if msg["sig"] != "v4" {
        return Err("unsupported: this adapter drives aws-sigv4 only".to_owned());
    }
    let creds = &msg["credentials"];
    let identity: Identity = Credentials::new(
        text(creds, "access_key_id")?,
        text(creds, "secret_key")?,
        creds["session_token"].as_str().map(str::to_owned),
        None,
        "amzsig",
    )
    .into();
    let service = text(msg, "service")?;
    let mut settings = SigningSettings::default();
    if service == "s3" {
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    }
    let payload = text(msg, "payload")?;
    if payload == "content-sha256" {
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    }
    if let Some(secs) = msg["presign_expires"].as_u64() {
        settings.signature_location = SignatureLocation::QueryParams;
        settings.expires_in = Some(Duration::from_secs(secs));
    }
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(text(msg, "region")?)
        .name(service)
        .time(parse_time(text(msg, "timestamp")?)?)
        .settings(settings)
        .build()
        .map_err(|e| e.to_string())?
        .into();
    let method = text(msg, "method")?;
    let url = text(msg, "endpoint")?;
    let mut headers: Vec<(String, String)> = Vec::new();
    for pair in msg["headers"].as_array().into_iter().flatten() {
        let (Some(n), Some(v)) = (pair[0].as_str(), pair[1].as_str()) else { return Err("bad header".to_owned()) };
        headers.push((n.to_owned(), v.to_owned()));
    }
    let body = msg["body"].as_str().unwrap_or("");
    let signable_body = if payload == "unsigned" {
        headers.push(("x-amz-content-sha256".to_owned(), "UNSIGNED-PAYLOAD".to_owned()));
        SignableBody::UnsignedPayload
    } else {
        SignableBody::Bytes(body.as_bytes())
    };
    let request =
        SignableRequest::new(method, url, headers.iter().map(|(n, v)| (n.as_str(), v.as_str())), signable_body)
            .map_err(|e| e.to_string())?;
    let (instructions, _signature) = sign(request, &params).map_err(|e| e.to_string())?.into_parts();
    let (new_headers, new_query) = instructions.into_parts();
    for h in new_headers {
        headers.retain(|(n, _)| !n.eq_ignore_ascii_case(h.name()));
        headers.push((h.name().to_owned(), h.value().to_owned()));
    }
    if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        headers.insert(0, ("host".to_owned(), wire_host(url)));
    }
    let mut url = url.to_owned();
    for (name, value) in new_query {
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(name);
        url.push('=');
        url.extend(percent_encoding::utf8_percent_encode(&value, QUERY));
    }
    Ok(Signed { method: method.to_owned(), url, headers, body: body.to_owned() })
}

/// The Host header the SDK's HTTP stack (hyper, via the `http` crate's URI) sends for
/// `url`: the authority without the scheme's default port.
fn wire_host(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("https", url));
    let authority = &rest[..rest.find(['/', '?']).unwrap_or(rest.len())];
    let default = if scheme.eq_ignore_ascii_case("http") { ":80" } else { ":443" };
    authority.strip_suffix(default).unwrap_or(authority).to_owned()
}

/// One HTTP/1.1 exchange on a loopback socket: (status, body).
fn send(s: &Signed) -> Result<(u16, String), String> {
    let rest = s.url.strip_prefix("http://").ok_or("live mode needs an http:// URL")?;
    let (authority, target) = rest.find('/').map_or((rest, "/"), |i| (&rest[..i], &rest[i..]));
    let addr = authority.to_socket_addrs().map_err(|e| e.to_string())?.next().ok_or("no address")?;
    if !addr.ip().is_loopback() {
        return Err(format!("refusing to connect to {authority}: loopback only"));
    }
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).map_err(|e| e.to_string())?;
    stream.set_read_timeout(Some(Duration::from_secs(10))).map_err(|e| e.to_string())?;
    let mut head = format!("{} {target} HTTP/1.1\r\n", s.method);
    if !s.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        let _ = write!(head, "Host: {authority}\r\n");
    }
    for (n, v) in &s.headers {
        let _ = write!(head, "{n}: {v}\r\n");
    }
    let _ = write!(head, "Content-Length: {}\r\nConnection: close\r\n\r\n", s.body.len());
    stream.write_all(head.as_bytes()).map_err(|e| e.to_string())?;
    stream.write_all(s.body.as_bytes()).map_err(|e| e.to_string())?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&response);
    let (head, body) = text.split_once("\r\n\r\n").ok_or("malformed response")?;
    let status = head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).ok_or("malformed status line")?;
    Ok((status, body.to_owned()))
}

fn answer(line: &str) -> Value {
    let msg: Value = match serde_json::from_str(line) {
        Ok(v) => v,
        Err(e) => return json!({"type": "error", "id": null, "message": format!("bad JSON: {e}")}),
    };
    let id = msg["id"].clone();
    let error = |message: String| {
        let unsupported = message.starts_with("unsupported: ");
        json!({"type": "error", "id": id, "message": message, "unsupported": unsupported})
    };
    match msg["type"].as_str() {
        Some("hello") => json!({
            "type": "hello", "protocol": 1, "name": "aws-sigv4 (Rust crate)",
            "version": std::env::var("AMZSIG_AWS_SIGV4_VERSION").unwrap_or_else(|_| "1.x".to_owned()),
            "capabilities": ["sigv4", "send", "presign", "unsigned-payload", "content-sha256", "security-token", "host-header"]
        }),
        Some("sign") => match sign_message(&msg) {
            Ok(s) => {
                json!({"type": "signed", "id": id, "method": s.method, "url": s.url, "headers": s.headers, "body": s.body})
            }
            Err(e) => error(e),
        },
        Some("send") => match sign_message(&msg).and_then(|s| send(&s)) {
            Ok((status, body)) => json!({"type": "sent", "id": id, "status": status, "body": body,
                "error": if status >= 400 { Some(format!("HTTP {status}")) } else { None }, "attempts": 1}),
            Err(e) => error(e),
        },
        other => error(format!("unsupported message type {other:?}")),
    }
}

fn main() {
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout().lock();
    for line in stdin.lock().lines().map_while(Result::ok) {
        if line.trim().is_empty() {
            continue;
        }
        if writeln!(stdout, "{}", answer(&line)).and_then(|()| stdout.flush()).is_err() {
            break;
        }
    }
}
