//! Every signer mistake is pinned by a request signed *outside* amzsig: the files in
//! `vectors/mistakes/{v2,v4,streaming}/<id>.yaml` are written by `vectors/mistakes/make.py`, an
//! independent Python model of each broken client (standard library only, written from
//! the mistakes' descriptions and Amazon's documentation). This test walks the folders
//! and checks, for each file, that amzsig's verifier refuses the request and that its
//! diagnosis names the file's mistake (`expect`, the set of acceptable ids; an empty set
//! marks a control request signed the right way, which must verify). Every mistake of
//! every catalogue must have a file. CI regenerates the files with `make.py --check`.

use crate::support::{files_with_ext, root};
use amzsig::clock::UtcTime;
use amzsig::crypto::KeyState;
use amzsig::crypto::SecretKey;
use amzsig::diagnose::{diagnose, Budget, Mistake, Subject};
use amzsig::encoding::{parse_query, ParamList, PlusMeans};
use amzsig::keystore::{Family, FamilyKeys, Keystore};
use amzsig::request::{RequestView, Scheme};
use amzsig::sigv2::{self, SignatureMethod, VerifyPolicy};
use amzsig::sigv4::{self, Payload, SignableRequest, SigningSettings};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::Path;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PinFile {
    mistake: String,
    client: String,
    /// A known disagreement between the model and amzsig (a finding, see make.py).
    #[serde(default)]
    disagreement: Option<String>,
    access_key_id: String,
    #[serde(default)]
    endpoint: Option<Endpoint>,
    request: SentRequest,
    expect: Vec<String>,
}

/// The SigV4 endpoint the request was sent to: what the server verifies with.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Endpoint {
    service: String,
    region: String,
    /// `general` or `s3`.
    rules: String,
}

/// The request as sent.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SentRequest {
    method: String,
    #[serde(default)]
    scheme: Option<String>,
    #[serde(default)]
    host: Option<String>,
    path: String,
    #[serde(default)]
    query: Option<String>,
    #[serde(default)]
    headers: Vec<(String, String)>,
    #[serde(default)]
    body: Option<String>,
}

/// Which folder a file is in: the scheme its requests are signed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    V2,
    V4,
    Streaming,
}

/// A request ready for a diagnoser.
enum Pinned<'a> {
    V2(RequestView<'a>),
    V4(SignableRequest<'a>, amzsig::sigv4::VerifyPolicy<'a>),
    /// An aws-chunked upload: the raw body is the payload.
    Streaming(SignableRequest<'a>, amzsig::sigv4::VerifyPolicy<'a>),
}

/// The ids of the diagnosis's best finding (empty when nothing explains the signature).
/// The one place this test calls amzsig's diagnosers.
fn diagnosed(req: &Pinned<'_>, secret: &SecretKey) -> Vec<String> {
    let subject = match req {
        Pinned::V2(view) => Subject::V2 { view: *view, default_method: SignatureMethod::HmacSha256 },
        Pinned::V4(signable, policy) => Subject::V4 { request: *signable, policy: *policy },
        Pinned::Streaming(signable, policy) => Subject::V4Streaming { request: *signable, policy: *policy },
    };
    diagnose(subject, secret, Budget::DEFAULT)
        .best()
        .map(|f| f.mistakes.iter().map(|m| m.id().to_owned()).collect())
        .unwrap_or_default()
}

/// Whether the verifier accepts the request at its own time.
fn verifies(req: &Pinned<'_>, keys: FamilyKeys<'_>) -> Result<bool, String> {
    match req {
        Pinned::V2(view) => {
            let time = view.params.get("Timestamp").ok_or("no Timestamp")?;
            let now = UtcTime::parse_iso8601(time).map_err(|e| e.to_string())?;
            Ok(sigv2::verify(view, &keys, now, &VerifyPolicy::default()).is_ok())
        }
        Pinned::V4(signable, policy) => {
            let date = signable.header("X-Amz-Date").ok_or("no X-Amz-Date")?;
            let now = sigv4::parse_amz_date(date).map_err(|e| e.to_string())?;
            Ok(sigv4::verify(signable, &keys, now, policy).is_ok())
        }
        Pinned::Streaming(signable, policy) => streaming_verifies(signable, policy, keys),
    }
}

/// Whether an aws-chunked upload verifies: its seed (the SigV4 verifier, with the
/// streaming literal as the payload hash), then its body (the decoder, chained from the
/// seed), as a server reads it.
fn streaming_verifies(
    signable: &SignableRequest<'_>,
    policy: &amzsig::sigv4::VerifyPolicy<'_>,
    keys: FamilyKeys<'_>,
) -> Result<bool, String> {
    use amzsig::sigv4::streaming::{ChunkChain, Decoder, StreamingHead};
    let date = signable.header("X-Amz-Date").ok_or("no X-Amz-Date")?;
    let now = sigv4::parse_amz_date(date).map_err(|e| e.to_string())?;
    let literal = signable.header("X-Amz-Content-Sha256").ok_or("no X-Amz-Content-Sha256")?;
    let seed_request = SignableRequest { payload: Payload::Precomputed(literal), ..*signable };
    let Ok(verified) = sigv4::verify(&seed_request, &keys, now, policy) else { return Ok(false) };
    let Some(Ok(head)) = StreamingHead::read_captured(|n| signable.header(n)) else { return Ok(false) };
    let KeyState::Active(secret) = keys.lookup(&verified.access_key_id) else { return Ok(false) };
    let scope = &verified.scope;
    let key = sigv4::signing_key(secret, &scope.date, &scope.region, &scope.service);
    let seed = signable.header("Authorization").and_then(|a| a.rsplit("Signature=").next()).unwrap_or_default();
    let chain = ChunkChain::new(&key, date, &scope.to_string(), seed.trim());
    let mut decoder = Decoder::new(
        head.mode,
        head.mode.signed_chunks().then_some(chain),
        head.trailer.as_deref(),
        Some(head.decoded_length),
    );
    let Payload::Bytes(body) = signable.payload else { return Err("no body".to_owned()) };
    let mut payload = Vec::new();
    let Ok(trailers) = decoder.feed(body, &mut payload).and_then(|()| decoder.finish()) else { return Ok(false) };
    // A checksum trailer must be the payload's (base64 of the big-endian digest), as S3 checks.
    Ok(trailers.iter().all(|(name, value)| {
        amzsig::checksum::ChecksumAlgorithm::from_header_name(name)
            .is_none_or(|a| amzsig::checksum::digest(a, &payload).to_base64() == value.trim())
    }))
}

fn parse(text: &str, what: &str) -> Result<ParamList, String> {
    parse_query(text.as_bytes(), PlusMeans::Space).map_err(|e| format!("{what} does not parse: {e}"))
}

/// The mistake a file pins: its name up to `--` (`<id>--<variant>.yaml`).
fn mistake_of(path: &Path) -> String {
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    stem.split_once("--").map_or(&*stem, |(id, _)| id).to_owned()
}

/// Checks one file: `Ok(true)` when it pins its mistake, `Ok(false)` for a recorded
/// disagreement that still holds; `Err` says what is wrong.
fn check(path: &Path, keys: &Keystore, kind: Kind) -> Result<bool, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let file: PinFile = serde_yaml::from_str(&text).map_err(|e| e.to_string())?;
    if file.mistake != mistake_of(path) || file.client.is_empty() {
        return Err(format!("mistake {:?} is not the file's name, or no client line", file.mistake));
    }
    let agrees = agreement(&file, keys, kind);
    match (&file.disagreement, agrees) {
        (None, Ok(())) => Ok(true),
        (None, Err(e)) => Err(e),
        (Some(_), Err(_)) => Ok(false),
        (Some(d), Ok(())) => Err(format!("amzsig now agrees with the model: remove the recorded disagreement ({d})")),
    }
}

/// Whether amzsig's verifier and diagnosis agree with the file; `Err` says how not.
fn agreement(file: &PinFile, keys: &Keystore, kind: Kind) -> Result<(), String> {
    let v4 = kind != Kind::V2;
    // make.py signs SigV4 with the AWS docs' key and SigV2 with the PA-API and MWS guides'.
    let keys = keys.family(if v4 { Family::Aws } else { Family::Paapi });
    let KeyState::Active(secret) = keys.lookup(&file.access_key_id) else {
        return Err(format!("{} is not an active key of the embedded keystore", file.access_key_id));
    };
    let r = &file.request;
    let params;
    let query;
    let pinned = if v4 {
        let e = file.endpoint.as_ref().ok_or("a SigV4 file needs an endpoint")?;
        let settings = match e.rules.as_str() {
            "general" => SigningSettings::default(),
            "s3" => SigningSettings::s3(),
            other => return Err(format!("unknown rules {other:?}")),
        };
        query = parse(r.query.as_deref().unwrap_or_default(), "query")?;
        let policy = amzsig::sigv4::VerifyPolicy {
            expected_service: Some(&e.service),
            expected_region: Some(&e.region),
            settings,
            ..amzsig::sigv4::VerifyPolicy::default()
        };
        let payload = Payload::Bytes(r.body.as_deref().unwrap_or_default().as_bytes());
        let signable =
            SignableRequest { method: &r.method, path: &r.path, query: &query, headers: (&r.headers).into(), payload };
        if kind == Kind::Streaming {
            Pinned::Streaming(signable, policy)
        } else {
            Pinned::V4(signable, policy)
        }
    } else {
        let scheme = match r.scheme.as_deref() {
            Some("http") => Scheme::Http,
            Some("https") => Scheme::Https,
            other => return Err(format!("scheme {other:?}")),
        };
        params = match (r.method.as_str(), &r.query, &r.body) {
            ("GET", Some(q), None) => parse(q, "query")?,
            ("POST", None, Some(b)) => parse(b, "body")?,
            _ => return Err("a SigV2 file has a GET query or a POST form body".to_owned()),
        };
        if params.get("AWSAccessKeyId") != Some(file.access_key_id.as_str()) {
            return Err("access_key_id is not the request's AWSAccessKeyId".to_owned());
        }
        let host = r.host.as_deref().ok_or("no host")?;
        Pinned::V2(RequestView { method: &r.method, scheme, host, path: &r.path, params: &params })
    };

    let valid = verifies(&pinned, keys)?;
    let got = diagnosed(&pinned, secret);
    match (file.expect.is_empty(), valid) {
        (true, true) => Ok(()),
        (true, false) => Err("the control request does not verify".to_owned()),
        (false, true) => Err("the request verifies: the model's mistake changed nothing".to_owned()),
        (false, false) if got.len() == 1 && file.expect.contains(&got[0]) => Ok(()),
        (false, false) => Err(format!("diagnosed {got:?}, expected one of {:?}", file.expect)),
    }
}

#[test]
fn every_mistake_is_pinned_by_an_independent_request() {
    let keys = Keystore::embedded_default();
    let dir = root().join("vectors/mistakes");
    let mut failures = Vec::new();
    let mut pinned = BTreeSet::new();
    let mut count = 0;
    for (folder, kind) in [("v2", Kind::V2), ("v4", Kind::V4), ("streaming", Kind::Streaming)] {
        for path in files_with_ext(&dir.join(folder), ".yaml") {
            count += 1;
            let name = format!("{folder}/{}", path.file_name().unwrap_or_default().to_string_lossy());
            match check(&path, &keys, kind) {
                Ok(true) => {
                    pinned.insert(mistake_of(&path));
                }
                Ok(false) => {}
                Err(e) => failures.push(format!("{name}: {e}")),
            }
        }
    }
    let ids = Mistake::all().map(Mistake::id);
    for id in ids {
        if !pinned.contains(id) {
            failures.push(format!("{id}: no file in vectors/mistakes pins this mistake"));
        }
    }
    assert!(count >= 51, "only {count} files in vectors/mistakes");
    assert!(failures.is_empty(), "{} problem(s):\n{}", failures.len(), failures.join("\n"));
}
