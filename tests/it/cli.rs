//! The `amzsig` binary end to end: sign, verify, canonicalize, exit codes and messages.

use crate::support::{amzsig, stdout};

const DG_URL: &str = "http://webservices.amazon.com/onca/xml?Service=AWSECommerceService&AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&AssociateTag=mytag-20&Operation=ItemLookup&ItemId=0679722769&ResponseGroup=Images,ItemAttributes,Offers,Reviews&Version=2013-08-01&Timestamp=2014-08-18T12:00:00Z";
const DG_SIG: &str = "j7bZM0LXZ9eXeZruTqWm2DIvDYVUU3wxPPpp%2BiXxzQc%3D";
const SECRET: (&str, &str) = ("AMZSIG_SECRET_KEY", "1234567890");
const FIXED: &str = "--clock=fixed:2014-08-18T12:00:00Z";

fn signed_dg_url() -> String {
    let out = amzsig(&["sign", DG_URL], &[SECRET]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    stdout(&out).trim().to_owned()
}

#[test]
fn sign_reproduces_the_developer_guide_example() {
    let url = signed_dg_url();
    assert!(url.ends_with(&format!("&Signature={DG_SIG}")), "{url}");
    assert!(url.starts_with("http://webservices.amazon.com/onca/xml?Service=AWSECommerceService&"), "{url}");
}

#[test]
fn verify_accepts_the_signed_url_and_rejects_every_one_character_change() {
    let url = signed_dg_url();
    let ok = amzsig(&["verify", FIXED, &url], &[SECRET]);
    assert_eq!(ok.status.code(), Some(0), "{}", stdout(&ok));
    assert!(stdout(&ok).starts_with("OK: valid HmacSHA256 signature by AKIAIOSFODNN7EXAMPLE"), "{}", stdout(&ok));

    // Every byte of the path and query, changed to another character that keeps the URL
    // well-formed.
    let start = url.find("/onca").unwrap();
    let bytes = url.as_bytes();
    for i in start..url.len() {
        let mut changed = bytes.to_vec();
        // Inside an escape, pick another hex digit that still decodes to ASCII.
        changed[i] = match (i >= 1 && bytes[i - 1] == b'%', i >= 2 && bytes[i - 2] == b'%', bytes[i]) {
            (true, _, b'2') => b'3',
            (true, _, _) => b'2',
            (_, true, b'A') => b'B',
            (_, true, _) => b'A',
            (_, _, b'x') => b'y',
            _ => b'x',
        };
        let changed = String::from_utf8(changed).unwrap();
        let out = amzsig(&["verify", FIXED, &changed], &[SECRET]);
        assert_eq!(out.status.code(), Some(1), "change at byte {i} not rejected: {changed}\n{}", stdout(&out));
        assert!(stdout(&out).starts_with("FAIL: "), "{}", stdout(&out));
    }
}

#[test]
fn verify_explains_expiry_and_mismatch() {
    let url = signed_dg_url();
    let late = amzsig(&["verify", "--clock=fixed:2014-08-18T12:20:00Z", &url], &[SECRET]);
    assert_eq!(late.status.code(), Some(1));
    assert_eq!(stdout(&late).trim(), "FAIL: request has expired: Timestamp date is 2014-08-18T12:00:00Z");

    let wrong_secret = amzsig(&["verify", FIXED, &url], &[("AMZSIG_SECRET_KEY", "123456789")]);
    assert_eq!(wrong_secret.status.code(), Some(1));
    let text = stdout(&wrong_secret);
    assert!(text.contains("FAIL: the signature does not match"), "{text}");
    assert!(text.contains("GET\nwebservices.amazon.com\n/onca/xml\nAWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&AssociateTag=mytag-20&ItemId=0679722769"), "{text}");
    assert!(!text.contains("1234567890") && !text.contains("123456789\n"), "secret leaked: {text}");
}

#[test]
fn verify_reads_a_captured_post_request() {
    let dir = std::env::temp_dir().join(format!("amzsig-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let body = amzsig(
        &[
            "sign",
            "-X",
            "POST",
            "https://mws.amazonservices.com/Orders/2013-09-01",
            "Action=ListOrders",
            "SellerId=A1ExampleE6",
            "AWSAccessKeyId=022QF0EXAMPLEH9DHM02",
            "SignatureVersion=2",
            "SignatureMethod=HmacSHA1",
            "Version=2013-09-01",
            "Timestamp=2014-08-18T12:00:00.000Z",
        ],
        &[("AMZSIG_SECRET_KEY", "kWcrlEXAMPLEM/LtmEENI/aVmYvHNif5zB+d9+ct")],
    );
    assert!(body.status.success());
    let body = stdout(&body);
    let request = format!(
        "POST /Orders/2013-09-01 HTTP/1.1\r\nHost: mws.amazonservices.com\r\nContent-Type: application/x-www-form-urlencoded; charset=utf-8\r\n\r\n{}",
        body.trim()
    );
    let file = dir.join("req.http");
    std::fs::write(&file, request).unwrap();
    let secret_file = dir.join("secret");
    std::fs::write(&secret_file, "kWcrlEXAMPLEM/LtmEENI/aVmYvHNif5zB+d9+ct\n").unwrap();
    let out = amzsig(
        &["verify", FIXED, "--request", file.to_str().unwrap(), "--secret-file", secret_file.to_str().unwrap()],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("valid HmacSHA1 signature by 022QF0EXAMPLEH9DHM02"));
}

#[test]
fn canonicalize_prints_both_stages() {
    let out = amzsig(&["canonicalize", "https://Example.COM:443?b=2&a=x+y"], &[]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), "canonical query:\na=x%20y&b=2\n\nstring to sign:\nGET\nexample.com\n/\na=x%20y&b=2\n");
}

#[test]
fn errors_are_one_line_and_exit_2() {
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);
    let cases: [Case; 4] = [
        (&["sign", DG_URL], &[], "amzsig: error: no secret key: set the environment variable AMZSIG_SECRET_KEY or pass --secret-file FILE\n"),
        (&["verify", "webservices.amazon.com/onca/xml"], &[SECRET], "amzsig: error: 'webservices.amazon.com/onca/xml' is not an absolute http:// or https:// URL\n"),
        (&["canonicalize", "https://h/?a=%G0"], &[], "amzsig: error: the URL's query string does not decode: invalid percent-escape ('%' must be followed by two hex digits) at byte 13\n"),
        (&["verify", "--request", "/nonexistent/req.http"], &[SECRET], "amzsig: error: cannot read /nonexistent/req.http: No such file or directory (os error 2)\n"),
    ];
    for (args, env, want) in cases {
        let out = amzsig(args, env);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&out.stderr), want, "{args:?}");
    }
    let usage = amzsig(&["sign"], &[]);
    assert_eq!(usage.status.code(), Some(2));
}

/// The request grammar shared by sign, verify, canonicalize and explain: a URL (then
/// NAME=VALUE parameters, -X) or `--request FILE` (then --scheme), never both or neither.
/// Each broken rule is one line on stderr and exit status 2, whatever the command; each
/// rule kept works.
#[test]
fn the_request_is_a_url_or_a_captured_request() {
    let dir = std::env::temp_dir().join(format!("amzsig-grammar-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let signed = signed_dg_url();
    let (unsigned, _) = signed.split_once("&Signature=").unwrap();
    let target = signed.strip_prefix("http://webservices.amazon.com").unwrap();
    let file = dir.join("dg.http");
    std::fs::write(&file, format!("GET {target} HTTP/1.1\r\nHost: webservices.amazon.com\r\n\r\n")).unwrap();
    let file = file.to_str().unwrap();

    let both = "amzsig: error: give one request: a URL or --request FILE, not both\n";
    let param_with_file = "amzsig: error: 'A=1': NAME=VALUE parameters go after a URL; a captured request (--request) is used as it was sent\n";
    let wrong: [(&[&str], &str); 8] = [
        (&["--request", file, "A=1"], param_with_file),
        (&["--request", file, "http://h/"], both),
        (&["--request", file, "-X", "GET"], "amzsig: error: -X goes with a URL: a captured request (--request) has its method in its request line\n"),
        (&[], "amzsig: error: no request: give a URL or --request FILE\n"),
        (&["A=1"], "amzsig: error: 'A=1' is not a URL: give a URL (http:// or https://) or --request FILE, then NAME=VALUE parameters\n"),
        (&["http://h/", "https://i/"], "amzsig: error: 'https://i/' is a second URL: give one request\n"),
        (&["http://h/", "A"], "amzsig: error: parameter 'A' is not NAME=VALUE\n"),
        (&["--scheme", "http", "http://h/"], "amzsig: error: --scheme goes with --request: a URL names its own scheme\n"),
    ];
    for command in [&["sign"][..], &["verify"], &["canonicalize"], &["explain"], &["verify", "--sig", "v4"]] {
        for (args, want) in &wrong {
            let argv: Vec<&str> = command.iter().chain(args.iter()).copied().collect();
            let out = amzsig(&argv, &[SECRET]);
            assert_eq!(out.status.code(), Some(2), "{argv:?}");
            assert_eq!(String::from_utf8_lossy(&out.stderr), *want, "{argv:?}");
            assert!(out.stdout.is_empty(), "{argv:?}");
        }
    }

    // A URL with the signature as a decoded NAME=VALUE parameter; the captured request.
    let sig = "Signature=j7bZM0LXZ9eXeZruTqWm2DIvDYVUU3wxPPpp+iXxzQc=";
    for argv in [
        &["verify", FIXED, unsigned, sig][..],
        &["verify", FIXED, "--request", file],
        &["verify", FIXED, "--request", file, "--scheme", "http"],
    ] {
        let out = amzsig(argv, &[SECRET]);
        assert_eq!(out.status.code(), Some(0), "{argv:?}: {}{}", stdout(&out), String::from_utf8_lossy(&out.stderr));
    }
    // -X and parameters with a URL: a POST's parameters are its form body.
    let out = amzsig(&["canonicalize", "-X", "post", "https://h/p?b=2", "a=x y"], &[]);
    assert_eq!(stdout(&out), "canonical query:\na=x%20y&b=2\n\nstring to sign:\nPOST\nh\n/p\na=x%20y&b=2\n");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn serve_admin_access_is_loopback_or_any() {
    // A word that is neither is a usage error (exit 2) naming the choices, flag or env.
    let flag = amzsig(&["serve", "--admin", "everyone", "--listen", "127.0.0.1:0"], &[]);
    let env = amzsig(&["serve", "--listen", "127.0.0.1:0"], &[("AMZSIG_ADMIN", "everyone")]);
    for out in [flag, env] {
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("'everyone'") && err.contains("loopback") && err.contains("any"), "{err}");
    }
}

/// `explain` with the embedded keystore picks the key's secret of the request's family:
/// a SimpleDB request on loopback (signed by botocore with the AWS docs' secret, in
/// tests/data/services/query.yaml) verifies with the `aws` secret, not PA-API's; with
/// `--family paapi` it does not.
#[test]
fn explain_uses_the_keystore_secret_of_the_requests_family() {
    let text = std::fs::read_to_string(crate::support::root().join("tests/data/services/query.yaml")).unwrap();
    let body = text
        .split("name: sdb-list-domains-loopback\n")
        .nth(1)
        .and_then(|rest| rest.lines().find_map(|l| l.trim().strip_prefix("body: \"")))
        .map(|b| b.trim_end_matches('"'))
        .expect("the loopback ListDomains case");
    let url = format!("http://127.0.0.1:8080/?{body}");
    let out = amzsig(&["explain", &url, "--method", "POST"], &[]);
    assert!(stdout(&out).starts_with("OK: the signature is valid"), "{}", stdout(&out));
    let out = amzsig(&["explain", &url, "--method", "POST", "--family", "paapi"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(!stdout(&out).contains("wJalrXUtnFEMI") && !stdout(&out).contains("1234567890"));
}
