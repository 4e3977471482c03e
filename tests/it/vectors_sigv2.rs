//! Every SigV2 vector in `vectors/sigv2/*.yaml`, checked stage by stage (canonical query,
//! string to sign, signature) and then verified: every case states the verifier's outcome
//! for the request carrying the expected signature (`verify: valid`, or `verify: {refused:
//! <VerifyFailure variant>}`), checked at the request's own time (`Timestamp`, else
//! `Expires`). Adding a case adds a file entry, not Rust. The expected values and outcomes
//! are computed independently by `vectors/sigv2/check.py`.

use crate::support::{files_with_ext, root};
use amzsig::clock::UtcTime;
use amzsig::crypto::SecretKey;
use amzsig::crypto::SingleKey;
use amzsig::encoding::{parse_query, ParamList, PlusMeans};
use amzsig::request::{RequestView, Scheme};
use amzsig::sigv2::{self, SignatureMethod, VerifyFailure, VerifyPolicy};
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
    verify: Outcome,
}

/// What the verifier answers for the request sent with the expected signature.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "OutcomeFile")]
enum Outcome {
    /// It verifies.
    Valid,
    /// It is refused with this `VerifyFailure` variant (its name).
    Refused(String),
}

/// The file form of [`Outcome`]: `valid` or `{refused: Variant}`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OutcomeFile {
    Word(String),
    Refused { refused: String },
}

impl TryFrom<OutcomeFile> for Outcome {
    type Error = String;
    fn try_from(f: OutcomeFile) -> Result<Self, String> {
        match f {
            OutcomeFile::Word(w) if w == "valid" => Ok(Self::Valid),
            OutcomeFile::Word(w) => Err(format!("verify: expected 'valid' or {{refused: <failure>}}, got {w:?}")),
            OutcomeFile::Refused { refused } => Ok(Self::Refused(refused)),
        }
    }
}

/// The name of a failure's variant (`MissingParameter("Timestamp")` → `MissingParameter`).
fn variant_name(failure: &VerifyFailure) -> String {
    let debug = format!("{failure:?}");
    debug.split(['(', ' ', '{']).next().unwrap_or_default().to_owned()
}

/// When the request happened: its `Timestamp`, else its `Expires`; a request with neither
/// (or with a malformed one) is refused before the clock matters, so any instant does.
fn request_time(params: &ParamList) -> UtcTime {
    params
        .get("Timestamp")
        .or_else(|| params.get("Expires"))
        .and_then(|t| UtcTime::parse_iso8601(t).ok())
        .unwrap_or_else(|| UtcTime::parse_iso8601("2014-08-18T12:00:00Z").expect("a valid instant"))
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

    // The request as sent with the expected signature, verified at its own time.
    let mut with_sig = params.clone();
    with_sig.set(sigv2::SIGNATURE_PARAM, case.expected.signature.clone());
    let view = RequestView { params: &with_sig, ..view };
    let policy = VerifyPolicy { default_method: method, ..VerifyPolicy::default() };
    let keys = SingleKey { id: None, secret: &secret };
    let got = match sigv2::verify(&view, &keys, request_time(&with_sig), &policy) {
        Ok(_) => Outcome::Valid,
        Err(e) => Outcome::Refused(variant_name(&e)),
    };
    if got != case.verify {
        return Err(format!("stage verify:\n  got:  {got:?}\n  want: {:?}", case.verify));
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
