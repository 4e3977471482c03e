//! Every SigV2 vector in `vectors/sigv2/*.yaml`, checked stage by stage (canonical query,
//! string to sign, signature) and then verified. Adding a case adds a file entry, not Rust.
//! The expected values are computed independently by `vectors/sigv2/check.py`.

use crate::support::{files_with_ext, root};
use amzsig::clock::UtcTime;
use amzsig::crypto::SecretKey;
use amzsig::encoding::{parse_query, ParamList, PlusMeans};
use amzsig::request::{RequestView, Scheme};
use amzsig::sigv2::{self, SignatureMethod, SingleKey, VerifyFailure, VerifyPolicy};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VectorFile {
    source: String,
    cases: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    id: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    source: Option<String>,
    method: String,
    #[serde(default)]
    scheme: Option<String>,
    host: String,
    path: String,
    signature_method: String,
    #[serde(default)]
    access_key_id: Option<String>,
    secret_key: String,
    #[serde(default)]
    params: Option<Vec<(String, String)>>,
    #[serde(default)]
    query: Option<String>,
    expected: Expected,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    canonical_query: String,
    string_to_sign: String,
    signature: String,
}

fn params_of(case: &Case) -> ParamList {
    match (&case.params, &case.query) {
        (Some(p), None) => p.iter().cloned().collect(),
        (None, Some(q)) => parse_query(q.as_bytes(), PlusMeans::Space)
            .unwrap_or_else(|e| panic!("{}: query does not parse: {e}", case.id)),
        _ => panic!("{}: give exactly one of params and query", case.id),
    }
}

/// Checks one case; returns the first failing stage as a message.
fn check(case: &Case) -> Result<(), String> {
    let params = params_of(case);
    let scheme = match case.scheme.as_deref() {
        None | Some("https") => Scheme::Https,
        Some("http") => Scheme::Http,
        Some(other) => return Err(format!("unknown scheme {other}")),
    };
    let view = RequestView { method: &case.method, scheme, host: &case.host, path: &case.path, params: &params };
    let method = case.signature_method.parse::<SignatureMethod>().map_err(|e| e.to_string())?;
    let secret = SecretKey::new(case.secret_key.as_str());
    let signed = sigv2::sign(&view, method, &secret);
    let stage = |name: &str, got: &str, want: &str| {
        if got == want {
            Ok(())
        } else {
            Err(format!("stage {name}:\n  got:  {got:?}\n  want: {want:?}"))
        }
    };
    stage("canonical_query", signed.canonical.canonical_query(), &case.expected.canonical_query)?;
    stage("string_to_sign", &signed.canonical.string_to_sign, &case.expected.string_to_sign)?;
    stage("signature", &signed.signature, &case.expected.signature)?;

    // The verifier accepts the published signature when the request carries the usual
    // authentication parameters (some library vectors sign bare parameter sets).
    if params.get("AWSAccessKeyId").is_some() && params.get("Timestamp").is_some() && params.get("Expires").is_none() {
        if let Ok(now) = amzsig::clock::UtcTime::parse_iso8601(params.get("Timestamp").unwrap_or_default()) {
            let mut with_sig = params.clone();
            with_sig.set(sigv2::SIGNATURE_PARAM, case.expected.signature.clone());
            let view = RequestView { params: &with_sig, ..view };
            let policy = VerifyPolicy { default_method: method, ..VerifyPolicy::default() };
            let keys = SingleKey { id: None, secret: &secret };
            match sigv2::verify(&view, &keys, now, &policy) {
                Ok(_) | Err(VerifyFailure::UnsupportedSignatureVersion(_)) => {}
                Err(e) => return Err(format!("stage verify: {e}")),
            }
        }
    }
    Ok(())
}

fn load_all() -> Vec<(String, Case)> {
    let files = files_with_ext(&root().join("vectors/sigv2"), ".yaml");
    assert!(!files.is_empty(), "no vector files found");
    let mut cases = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let file: VectorFile = serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        assert!(!file.source.is_empty(), "{}: empty source", f.display());
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        cases.extend(file.cases.into_iter().map(|c| (name.clone(), c)));
    }
    cases
}

#[test]
fn every_sigv2_vector() {
    let cases = load_all();
    let mut ids = std::collections::HashSet::new();
    let mut failures = Vec::new();
    for (file, case) in &cases {
        assert!(ids.insert(case.id.clone()), "duplicate id {}", case.id);
        let _ = (&case.description, &case.source, &case.access_key_id);
        if let Err(msg) = check(case) {
            failures.push(format!("{file} / {}: {msg}", case.id));
        }
    }
    assert!(cases.len() >= 60, "only {} cases", cases.len());
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

/// Paste a failing case's id here to debug it alone.
#[test]
fn smoke() {
    let id = "paapi-dg2013-itemlookup-associatetag";
    let (_, case) = load_all().into_iter().find(|(_, c)| c.id == id).expect("smoke case exists");
    check(&case).unwrap();
}

/// A published signature stops verifying after any one-character change to the query.
#[test]
fn one_character_changes_are_rejected() {
    let (_, case) = load_all().into_iter().find(|(_, c)| c.id == "paapi-dg2013-itemlookup-associatetag").unwrap();
    let secret = SecretKey::new(case.secret_key.as_str());
    let mut params = params_of(&case);
    params.set(sigv2::SIGNATURE_PARAM, case.expected.signature.clone());
    let wire = sigv2::wire_query(&params, None);
    let now = UtcTime::parse_iso8601("2014-08-18T12:00:00Z").unwrap();
    let keys = SingleKey { id: None, secret: &secret };
    for i in 0..wire.len() {
        let mut bytes = wire.clone().into_bytes();
        bytes[i] = match (i >= 1 && wire.as_bytes()[i - 1] == b'%', i >= 2 && wire.as_bytes()[i - 2] == b'%', bytes[i])
        {
            (true, _, b'2') => b'3',
            (true, _, _) => b'2',
            (_, true, b'A') => b'B',
            (_, true, _) => b'A',
            (_, _, b'x') => b'y',
            _ => b'x',
        };
        let changed = parse_query(&bytes, PlusMeans::Space).expect("the change keeps the query well-formed");
        let view =
            RequestView { method: "GET", scheme: Scheme::Https, host: &case.host, path: &case.path, params: &changed };
        assert!(
            sigv2::verify(&view, &keys, now, &VerifyPolicy::default()).is_err(),
            "change at {i} accepted: {}",
            String::from_utf8_lossy(&bytes)
        );
    }
}
