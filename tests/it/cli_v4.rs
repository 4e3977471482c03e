//! The `amzsig` binary with `--sig v4`, end to end, over the official AWS SigV4 suites read
//! in place from `../shared/reference/vectors/` (override with `AMZSIG_SIGV4_SUITE_DIR`;
//! a missing folder fails those tests unless `AMZSIG_ALLOW_MISSING_SUITES=1`, which skips
//! them and says so on stderr):
//! `sign` reproduces every classic case's published `.authz`, `.creq` and `.sts`;
//! `canonicalize` the `.creq` and `.sts`; `verify` accepts every published `.sreq` and
//! rejects a one-character change; presigned URLs match the CRT suite's. Then `explain`
//! names every SigV4 catalogue mistake made on purpose, and bad input gets one line and
//! exit status 2.

use crate::support::{amzsig, classic_cases, sigv4_suite_dir, stdout, CrtContext};
use amzsig::clock::UtcTime;
use amzsig::crypto::SecretKey;
use amzsig::diagnose::{v4, Mistake};
use amzsig::encoding::{parse_query, PlusMeans};
use amzsig::sigv4::{ParsedRequest, Payload, SignableRequest, SigningParams, SigningSettings};
use std::path::{Path, PathBuf};
use std::process::Output;

const SECRET_VALUE: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const SECRET: (&str, &str) = ("AMZSIG_SECRET_KEY", SECRET_VALUE);
const SCOPE: [&str; 4] = ["--region", "us-east-1", "--service", "service"];

/// Every case of the classic suite as (name, folder), sorted by name.
fn classic_cases_by_name(suite: &Path) -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> =
        classic_cases(suite).into_iter().map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), p)).collect();
    out.sort();
    out
}

fn read(path: &Path) -> String {
    String::from_utf8(std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))).unwrap()
}

fn parse(path: &Path) -> ParsedRequest {
    ParsedRequest::parse(read(path).as_bytes()).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn header(req: &ParsedRequest, name: &str) -> Option<String> {
    req.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone())
}

fn out_text(o: &Output) -> String {
    format!("exit {:?}\nstdout:\n{}\nstderr:\n{}", o.status.code(), stdout(o), String::from_utf8_lossy(&o.stderr))
}

/// The (canonical request, string to sign) sections of `canonicalize` / `sign -v` output.
fn sections(text: &str) -> Option<(String, String)> {
    let start = text.find("canonical request:\n")? + "canonical request:\n".len();
    let (creq, sts) = text[start..].split_once("\n\nstring to sign:\n")?;
    Some((creq.to_owned(), sts.trim_end_matches('\n').to_owned()))
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("amzsig-cli-v4-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// The classic suite's session token for a case: what its `.sreq` sends, except in
/// `post-sts-header-after`, where it is added after signing (`_notes/post-sts-token__readme.txt`).
fn token_args(name: &str, sreq: &ParsedRequest) -> Vec<String> {
    match header(sreq, "X-Amz-Security-Token") {
        Some(t) if name != "post-sts-header-after" => vec!["--session-token".into(), t],
        _ => Vec::new(),
    }
}

#[test]
fn sign_and_canonicalize_reproduce_every_classic_case() {
    let Some(dir) = sigv4_suite_dir() else { return };
    let cases = classic_cases_by_name(&dir.join("aws-sig-v4-test-suite"));
    assert_eq!(cases.len(), 34, "the classic suite has 34 cases");
    let mut failures = Vec::new();
    for (name, case) in &cases {
        let file = |ext: &str| case.join(format!("{name}.{ext}"));
        let req = file("req").to_string_lossy().into_owned();
        let tokens = token_args(name, &parse(&file("sreq")));
        let (authz, creq, sts) = (read(&file("authz")), read(&file("creq")), read(&file("sts")));

        let mut args: Vec<&str> =
            vec!["sign", "--sig", "v4", "--access-key-id", "AKIDEXAMPLE", "-v", "--request", &req];
        args.extend(SCOPE);
        args.extend(tokens.iter().map(String::as_str));
        let out = amzsig(&args, &[SECRET]);
        let text = stdout(&out);
        let got_authz = text.lines().find_map(|l| l.strip_prefix("Authorization: "));
        if !out.status.success() || got_authz != Some(authz.as_str()) {
            failures.push(format!("{name}: sign: want Authorization: {authz}\n{}", out_text(&out)));
            continue;
        }
        if sections(&text) != Some((creq.clone(), sts.clone())) {
            failures.push(format!("{name}: sign -v: canonical request / string to sign differ\n{text}"));
        }

        let mut args: Vec<&str> = vec!["canonicalize", "--sig", "v4", "--request", &req];
        args.extend(SCOPE);
        args.extend(tokens.iter().map(String::as_str));
        let out = amzsig(&args, &[]);
        if !out.status.success() || sections(&stdout(&out)) != Some((creq, sts)) {
            failures.push(format!("{name}: canonicalize differs\n{}", out_text(&out)));
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn verify_accepts_every_published_signed_request_and_rejects_a_change() {
    let Some(dir) = sigv4_suite_dir() else { return };
    let cases = classic_cases_by_name(&dir.join("aws-sig-v4-test-suite"));
    assert_eq!(cases.len(), 34);
    let mut failures = Vec::new();
    for (name, case) in &cases {
        let mut sreq = parse(&case.join(format!("{name}.sreq")));
        if name == "get-vanilla-with-session-token" {
            // Suite defect (see vectors_sigv4.rs KNOWN_DEFECTS): its .sreq carries
            // get-vanilla's signature; verify the case's own .authz instead.
            let authz = read(&case.join(format!("{name}.authz")));
            sreq.headers
                .iter_mut()
                .filter(|(n, _)| n.eq_ignore_ascii_case("authorization"))
                .for_each(|h| h.1 = authz.clone());
        }
        let time = amzsig::sigv4::parse_amz_date(&header(&sreq, "X-Amz-Date").unwrap()).unwrap();
        let clock = format!("--clock=fixed:{}", time.to_iso8601());
        let run = |req: &ParsedRequest, tag: &str| {
            let file = scratch(&format!("{name}-{tag}.sreq"));
            std::fs::write(&file, req.to_http_text()).unwrap();
            let mut args = vec!["verify", "--sig", "v4", clock.as_str(), "--request", file.to_str().unwrap()];
            args.extend(SCOPE);
            amzsig(&args, &[SECRET])
        };
        let ok = run(&sreq, "published");
        if ok.status.code() != Some(0)
            || !stdout(&ok).starts_with("OK: valid SigV4 signature (Authorization header) by AKIDEXAMPLE")
        {
            failures.push(format!("{name}: the published request is not accepted\n{}", out_text(&ok)));
            continue;
        }
        // One character of the signature, then one of the Host value.
        let mut sig = sreq.clone();
        let auth = sig.headers.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case("authorization")).unwrap();
        let at = auth.1.len() - 1;
        let last = if auth.1.ends_with('0') { "1" } else { "0" };
        auth.1.replace_range(at.., last);
        let mut host = sreq.clone();
        host.headers.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case("host")).unwrap().1.replace_range(0..1, "x");
        for (tag, changed) in [("signature", &sig), ("host", &host)] {
            let out = run(changed, tag);
            let text = stdout(&out);
            if out.status.code() != Some(1)
                || !text.starts_with("FAIL: the request signature we calculated does not match")
                || !text.contains("The server's canonical request")
            {
                failures.push(format!("{name}: a changed {tag} is not rejected as a mismatch\n{}", out_text(&out)));
            }
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn presigned_urls_reproduce_the_crt_suite() {
    let Some(dir) = sigv4_suite_dir() else { return };
    let suite = dir.join("aws-signing-test-suite-v4");
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&suite).unwrap().flatten().map(|e| e.path()).collect();
    cases.sort();
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let (Ok(context), true) =
            (std::fs::read_to_string(case.join("context.json")), case.join("query-signed-request.txt").is_file())
        else {
            continue;
        };
        let ctx: CrtContext = serde_json::from_str(&context).unwrap();
        let request = parse(&case.join("request.txt"));
        // What the CLI cannot express: unnormalised non-S3 paths, signed bodies as a
        // header, session tokens left unsigned, and request.txt paths the CRT harness
        // reads percent-decoded (vectors_sigv4.rs covers those through the library).
        if !ctx.normalize || ctx.sign_body || ctx.credentials.token.is_some() || request.path.contains('%') {
            continue;
        }
        let key = ctx.credentials.access_key_id.as_str();
        let req = case.join("request.txt").to_string_lossy().into_owned();
        let (expires, clock) = (ctx.expiration_in_seconds.to_string(), format!("--clock=fixed:{}", ctx.timestamp));
        let args = [
            "sign",
            "--sig",
            "v4",
            "--presign",
            "--expires",
            &expires,
            &clock,
            "--access-key-id",
            key,
            "--region",
            &ctx.region,
            "--service",
            &ctx.service,
            "--request",
            &req,
        ];
        let out = amzsig(&args, &[SECRET]);
        let published = parse(&case.join("query-signed-request.txt"));
        let want = format!("https://{}{}", header(&published, "host").unwrap(), published.target());
        if stdout(&out).trim_end() != want {
            failures.push(format!("{name}: presigned URL\n  want {want}\n{}", out_text(&out)));
            continue;
        }
        let signed = case.join("query-signed-request.txt").to_string_lossy().into_owned();
        let verify = |file: &str| {
            amzsig(
                &[
                    "verify",
                    "--sig",
                    "v4",
                    &clock,
                    "--region",
                    &ctx.region,
                    "--service",
                    &ctx.service,
                    "--request",
                    file,
                ],
                &[SECRET],
            )
        };
        let ok = verify(&signed);
        if ok.status.code() != Some(0) || !stdout(&ok).starts_with("OK: valid SigV4 signature (presigned URL)") {
            failures.push(format!("{name}: the published presigned request is not accepted\n{}", out_text(&ok)));
        }
        let text = read(&case.join("query-signed-request.txt"));
        let at = text.find("X-Amz-Signature=").unwrap() + "X-Amz-Signature=".len();
        let mut changed = text.clone();
        changed.replace_range(at..=at, if &text[at..=at] == "0" { "1" } else { "0" });
        let file = scratch(&format!("{name}-query.txt"));
        std::fs::write(&file, changed).unwrap();
        let bad = verify(file.to_str().unwrap());
        if bad.status.code() != Some(1)
            || !stdout(&bad).starts_with("FAIL: the request signature we calculated does not match")
        {
            failures.push(format!("{name}: a changed presigned signature is not rejected\n{}", out_text(&bad)));
        }
        checked += 1;
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
    println!("{checked} CRT presigned cases checked");
    assert!(checked >= 20, "only {checked} CRT presigned cases checked");
}

/// A request on which every SigV4 mistake changes something (the same shape as the
/// library's catalogue test): escaped, dotted, doubled-slash path; unsorted query with a
/// space, '/', '~'; unsorted mixed-case headers, a value with inner blanks, a rewritable
/// Content-Type, a Date header a minute before X-Amz-Date; a body.
fn mistaken_request(m: Mistake) -> (PathBuf, bool) {
    let s3 = matches!(m, v4::PATH_DOUBLE_ENCODED | v4::PATH_NORMALIZED);
    let host = if m == v4::HOST_PORT_DROPPED { "127.0.0.1:8443" } else { "example.amazonaws.com" };
    let headers: Vec<(String, String)> = [
        ("Host", host),
        ("Content-Type", "application/x-www-form-urlencoded"),
        ("X-Custom", "a   b\t c"),
        ("Date", "Sun, 30 Aug 2015 12:35:00 GMT"),
    ]
    .iter()
    .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
    .collect();
    let query = parse_query(b"b=2&a=hello%20world&c=x/y~", PlusMeans::Space).unwrap();
    let body = b"Action=ListUsers&Version=2010-05-08";
    let path = "/a//b/../c%20d";
    let req = SignableRequest {
        method: "POST",
        path,
        query: &query,
        headers: (&headers).into(),
        payload: Payload::Bytes(body),
    };
    let secret = SecretKey::new(SECRET_VALUE);
    let params = SigningParams {
        access_key_id: "AKIDEXAMPLE",
        secret: &secret,
        session_token: None,
        region: "us-east-1",
        service: "iam",
        time: UtcTime::parse_iso8601("2015-08-30T12:36:00Z").unwrap(),
        settings: if s3 { SigningSettings::s3() } else { SigningSettings::default() },
    };
    let signed = v4::sign_with_mistakes(&req, &params, &[m]).unwrap_or_else(|| panic!("{m} cannot be made"));
    let text = ParsedRequest {
        method: "POST".into(),
        path: path.into(),
        raw_query: Some(signed.raw_query),
        query: signed.query,
        version: Some("HTTP/1.1".into()),
        headers: signed.headers,
        body: body.to_vec(),
    }
    .to_http_text();
    let file = scratch(&format!("{m}.http"));
    std::fs::write(&file, text).unwrap();
    (file, s3)
}

#[test]
fn explain_names_every_catalogue_mistake() {
    let mut failures = Vec::new();
    for m in v4::ALL {
        let (file, s3) = mistaken_request(m);
        let mut args = vec!["explain", "--sig", "v4", "--region", "us-east-1", "--service", "iam", "--request"];
        args.push(file.to_str().unwrap());
        if s3 {
            args.push("--s3");
        }
        let out = amzsig(&args, &[SECRET]);
        let text = stdout(&out);
        let first = text.lines().next().unwrap_or_default();
        if out.status.code() != Some(1)
            || !first.starts_with(&format!("The client's signature is reproduced by: {m} ("))
        {
            failures.push(format!("{m}: {}", out_text(&out)));
        }
        if SecretKey::new(SECRET_VALUE).appears_in(&text) || SecretKey::new(SECRET_VALUE).appears_in(&out_text(&out)) {
            failures.push(format!("{m}: the secret appears in the output"));
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn explain_finds_the_secret_in_the_keystore_and_compares_a_logged_canonical_request() {
    let (file, _) = mistaken_request(v4::SIGNED_HEADER_CHANGED);
    let logged = scratch("client.creq");
    // What the client would log: the right canonical request but with Content-Type as it
    // was before the proxy added a charset.
    let out = amzsig(&["canonicalize", "--sig", "v4", "--request", file.to_str().unwrap()], &[]);
    let (creq, _) = sections(&stdout(&out)).unwrap();
    std::fs::write(&logged, creq.replace("; charset=utf-8", "")).unwrap();
    let args = [
        "explain",
        "--sig",
        "v4",
        "--region",
        "us-east-1",
        "--service",
        "iam",
        "--request",
        file.to_str().unwrap(),
        "--client-creq",
        logged.to_str().unwrap(),
    ];
    let out = amzsig(&args, &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{}", out_text(&out));
    assert!(text.starts_with("The client's signature is reproduced by: v4-signed-header-changed ("), "{text}");
    assert!(text.contains("signed header 'content-type' changed after signing"), "{text}");
    assert!(
        text.contains("The client's logged canonical request differs: signed header content-type's value differs: the client signed 'application/x-www-form-urlencoded', the server has 'application/x-www-form-urlencoded; charset=utf-8'"),
        "{text}"
    );
}

#[test]
fn a_signed_request_round_trips_through_verify() {
    let body = scratch("body.json");
    std::fs::write(&body, "{\"Keywords\": \"harry potter\"}").unwrap();
    let sign = |extra: &[&str]| {
        let mut args = vec![
            "sign",
            "--sig",
            "v4",
            "--access-key-id",
            "AKIDEXAMPLE",
            "--region",
            "eu-west-1",
            "--service",
            "s3",
            "--clock=fixed:2024-05-01T10:00:00Z",
            "-X",
            "PUT",
            "-H",
            "Content-Type:  application/json ",
            "--body",
            body.to_str().unwrap(),
            "https://bucket.s3.eu-west-1.amazonaws.com/a%20b/c+d.txt?x-id=PutObject",
        ];
        args.extend(extra);
        amzsig(&args, &[SECRET, ("AMZSIG_SESSION_TOKEN", "FQoGZXIvYXdzEXAMPLETOKEN")])
    };
    for (extra, fixed) in [(&["--s3"][..], "fixed:2024-05-01T10:05:00Z"), (&[][..], "fixed:2024-05-01T09:55:00Z")] {
        let mut args = extra.to_vec();
        args.extend(["--output", "request"]);
        let out = sign(&args);
        assert_eq!(out.status.code(), Some(0), "{}", out_text(&out));
        let text = stdout(&out);
        assert!(
            text.contains("X-Amz-Security-Token:FQoGZXIvYXdzEXAMPLETOKEN") && text.contains("{\"Keywords\""),
            "{text}"
        );
        let file = scratch("signed.http");
        std::fs::write(&file, &text).unwrap();
        let mut args = vec!["verify", "--sig", "v4", "--region", "eu-west-1", "--service", "s3", "--clock"];
        args.extend([fixed, "--request", file.to_str().unwrap()]);
        args.extend(extra);
        let ok = amzsig(&args, &[SECRET]);
        assert_eq!(ok.status.code(), Some(0), "{extra:?}: {}", out_text(&ok));
        let wrong_region = amzsig(&[&args[..4], &["eu-central-1"], &args[5..]].concat(), &[SECRET]);
        assert_eq!(
            stdout(&wrong_region).trim(),
            "FAIL: credential scope region 'eu-west-1' is wrong; expecting 'eu-central-1'"
        );
    }
    // A presigned S3 URL (UNSIGNED-PAYLOAD) verifies as a URL sent with the header it signed,
    // and not without it.
    let ct = "Content-Type: application/json";
    let url = sign(&["--s3", "--presign", "--expires", "300"]);
    let url = stdout(&url).trim().to_owned();
    assert!(url.contains("X-Amz-Expires=300") && url.contains("X-Amz-Security-Token="), "{url}");
    let no_header = amzsig(&["verify", "--sig", "v4", "--s3", "-X", "PUT", &url], &[SECRET]);
    assert_eq!(stdout(&no_header).trim(), "FAIL: signed header 'content-type' is not in the request");
    let ok = amzsig(
        &["verify", "--sig", "v4", "--s3", "-X", "PUT", "-H", ct, "--clock=fixed:2024-05-01T10:04:00Z", &url],
        &[SECRET],
    );
    assert_eq!(ok.status.code(), Some(0), "{}", out_text(&ok));
    let late = amzsig(
        &["verify", "--sig", "v4", "--s3", "-X", "PUT", "-H", ct, "--clock=fixed:2024-05-01T10:06:00Z", &url],
        &[SECRET],
    );
    assert_eq!(stdout(&late).trim(), "FAIL: request has expired: X-Amz-Date 20240501T100000Z, X-Amz-Expires 300");
    // curl output quotes every argument.
    let curl = stdout(&sign(&["--output", "curl"]));
    assert!(
        curl.starts_with("curl -sS -X PUT -H 'Content-Type: application/json' -H 'X-Amz-Security-Token: "),
        "{curl}"
    );
    assert!(
        curl.trim_end().ends_with("'https://bucket.s3.eu-west-1.amazonaws.com/a%20b/c+d.txt?x-id=PutObject'"),
        "{curl}"
    );
}

#[test]
fn bad_input_gets_one_line_and_exit_2() {
    let garbage = scratch("garbage.http");
    std::fs::write(&garbage, "GET\n").unwrap();
    let url = "https://example.amazonaws.com/";
    let cases: &[(&[&str], &str)] = &[
        (&["sign", "--sig", "v4", "--access-key-id", "AKID", url], "--sig v4 needs --region and --service to sign"),
        (&["sign", "--sig", "v4", "--region", "r", "--service", "s", url], "--sig v4 needs the access key id"),
        (
            &["sign", "--sig", "v4", "--access-key-id", "A", "--region", "r", "--service", "s", "-H", "NoColon", url],
            "header 'NoColon' is not 'Name: value'",
        ),
        (
            &[
                "sign",
                "--sig",
                "v4",
                "--access-key-id",
                "A",
                "--region",
                "r",
                "--service",
                "s",
                "--presign",
                "--expires",
                "604801",
                url,
            ],
            "--expires 604801 is out of range",
        ),
        (
            &[
                "sign",
                "--sig",
                "v4",
                "--access-key-id",
                "A",
                "--region",
                "r",
                "--service",
                "s",
                "--presign",
                "--output",
                "headers",
                url,
            ],
            "a presigned request adds no headers",
        ),
        (
            &["sign", "--region", "us-east-1", url],
            "--region, --service, --header, --body and --s3 are SigV4 options: add --sig v4",
        ),
        (&["sign", "-X", "PUT", url], "SigV2 requests are GET or POST"),
        (&["verify", "--sig", "v4", "--request", garbage.to_str().unwrap()], "cannot read the request in"),
        (&["verify", "--sig", "v4", "example.amazonaws.com/"], "is not an absolute http:// or https:// URL"),
        (&["canonicalize", "--sig", "v4", "https://h/?a=%G0"], "the URL's query string does not decode"),
        (
            &[
                "sign",
                "--sig",
                "v4",
                "--access-key-id",
                "A",
                "--region",
                "r",
                "--service",
                "s",
                "--body",
                "/nonexistent/body",
                url,
            ],
            "cannot read /nonexistent/body",
        ),
    ];
    for (args, want) in cases {
        let out = amzsig(args, &[SECRET]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", out_text(&out));
        assert!(
            err.starts_with("amzsig: error: ") && err.contains(want) && err.lines().count() == 1,
            "{args:?}: {err}"
        );
        assert!(!err.contains(SECRET_VALUE), "{args:?}: secret leaked");
    }
    let out = amzsig(&["explain", "--sig", "v4", url], &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        err.starts_with("amzsig: error: no secret key") && err.ends_with("and the request names no access key id\n"),
        "{err}"
    );
    // A presigned URL checked as SigV2 gets a hint.
    let out = amzsig(&["verify", "https://h/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=abc"], &[SECRET]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).ends_with("(This is a SigV4 presigned URL: add --sig v4.)\n"), "{}", stdout(&out));
    // An unsigned request is a failed check, not a usage error.
    let out = amzsig(&["verify", "--sig", "v4", url], &[SECRET]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out).trim(),
        "FAIL: the request carries no authentication (no Authorization header, no X-Amz-Algorithm parameter)"
    );
}

#[test]
fn help_documents_sigv4() {
    for cmd in ["sign", "verify", "canonicalize", "explain"] {
        let out = amzsig(&[cmd, "--help"], &[]);
        let text = stdout(&out);
        assert!(
            out.status.success() && text.contains("--sig <VERSION>") && text.contains("--region <REGION>"),
            "{cmd}: {text}"
        );
    }
    let top = stdout(&amzsig(&["--help"], &[]));
    assert!(top.contains("SigV4"), "{top}");
}
