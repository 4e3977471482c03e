//! Why was an aws-chunked upload refused after its seed signature verified? The catalogue
//! of streaming signer mistakes (ids `stream-…`): the chunk and trailer strings to sign
//! built the wrong way (searched: each knob, then each compatible pair, re-signs the
//! refused chunk or trailer and compares with the signature it carried), and the framing
//! mistakes a refusal names by itself (a short chunk, a wrong or missing decoded length,
//! `Content-Length` set to the payload's length, a trailer nobody announced).
//!
//! The rules each mistake breaks (S3 API Reference, "Signature Calculations for the
//! Authorization Header: Transferring Payload in Multiple Chunks (Chunked Upload)" and
//! "… Including Trailing Headers"): the chunk string to sign is
//! `AWS4-HMAC-SHA256-PAYLOAD \n X-Amz-Date \n scope \n previous-signature \n
//! hex(SHA256("")) \n hex(SHA256(chunk))`, the first chunk's previous signature is the seed
//! (the request's own signature), each later chunk's the chunk before's; the trailer's is
//! `AWS4-HMAC-SHA256-TRAILER \n X-Amz-Date \n scope \n last-chunk-signature \n
//! hex(SHA256(canonical-trailers))` with `name:value\n` per trailer; `Content-Length` is the
//! encoded length and `x-amz-decoded-content-length` the payload's; "Only the last chunk is
//! allowed to have a size less than 8192 bytes". The client mistakes behind them are
//! recorded in `../shared/reference/s3-streaming-sigv2-sigv4a.md` §2.9 (aws/aws-sdk-js-v3#3829,
//! #6949; aws/aws-sdk-cpp#2727; versity/versitygw#1656).
//!
//! The search needs no body: the refused chunk's string to sign (in the
//! [`StreamingError`]) holds the date, scope, previous signature and the chunk's hash, so
//! the pipeline explains an upload it streamed and kept nothing of.

use super::{Diagnosis, Finding, Mistake, SchemeId, Step};
use crate::crypto::{constant_time_eq, sha256_hex, SecretKey};
use crate::sigv4::streaming::{ChecksumForm, StreamingError};
use crate::sigv4::{sign_text, signing_key};

const CHUNK_STRING: Step = Step::new("chunk-string-to-sign", "chunked upload: the chunk's string to sign");
const CHAIN: Step = Step::new("chunk-chain", "chunked upload: the previous signature each chunk chains from");
const TRAILER_STRING: Step = Step::new("trailer-string-to-sign", "chunked upload: the trailer's string to sign");
const SIGNATURE_TEXT: Step = Step::new("signature", "chunked upload: the chunk-signature value");
const FRAMING: Step = Step::new("framing", "chunked upload: chunk sizes, lengths and trailers");

/// What a row changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Knob {
    /// The previous signature the client chained from.
    Previous(Previous),
    /// The chunk string to sign without its `hex(SHA256(""))` line.
    NoEmptyHash,
    /// The first line of the string to sign (`AWS4-HMAC-SHA256` for a chunk,
    /// `AWS4-HMAC-SHA256-PAYLOAD` for the trailer).
    Algorithm,
    /// The scope's date (`YYYYMMDD`) where `X-Amz-Date` belongs.
    DateOnly,
    /// The canonical trailers hashed without their final newline.
    TrailerNoNewline,
    /// The signature written in uppercase hex.
    Uppercase,
    /// A framing mistake the refusal names by itself (never searched).
    Framing,
}

/// Which previous signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Previous {
    /// The seed for every chunk (and the trailer): the chain never moves on.
    Seed,
    /// Nothing: the first chunk chained from an empty signature.
    Empty,
}

catalogue! {
    scheme: SchemeId::V4Streaming, knob: Knob;
    /// Every chunk chained from the seed instead of the chunk before it.
    NOT_CHAINED = "stream-not-chained", CHAIN, Knob::Previous(Previous::Seed), excludes [],
        "each chunk (or the trailer) was signed with the seed signature as the previous signature, not the chunk before's";
    /// The first chunk chained from an empty previous signature.
    UNSEEDED = "stream-unseeded", CHAIN, Knob::Previous(Previous::Empty), excludes [],
        "the first chunk's previous signature was empty instead of the seed (the request's own signature)";
    /// The chunk string to sign lacks `hex(SHA256(""))`.
    NO_EMPTY_HASH = "stream-no-empty-hash", CHUNK_STRING, Knob::NoEmptyHash, excludes [],
        "the chunk string to sign lacks the line hex(SHA256(\"\")) before the chunk's hash";
    /// The wrong first line.
    WRONG_ALGORITHM = "stream-wrong-algorithm", CHUNK_STRING, Knob::Algorithm, excludes [],
        "the string to sign starts with the request's algorithm line instead of AWS4-HMAC-SHA256-PAYLOAD (chunks) or AWS4-HMAC-SHA256-TRAILER (trailer)";
    /// The scope's date where the timestamp belongs.
    DATE_ONLY = "stream-date-only", CHUNK_STRING, Knob::DateOnly, excludes [],
        "the string to sign has the scope's date (YYYYMMDD) where X-Amz-Date's timestamp belongs";
    /// The canonical trailers without their final newline.
    TRAILER_NO_NEWLINE = "stream-trailer-no-final-newline", TRAILER_STRING, Knob::TrailerNoNewline, excludes [],
        "the canonical trailers were hashed without their final newline";
    /// Uppercase hex.
    UPPERCASE_SIGNATURE = "stream-uppercase-signature", SIGNATURE_TEXT, Knob::Uppercase, excludes [],
        "the chunk or trailer signature was written in uppercase hex";
    /// A short chunk before the last.
    SMALL_CHUNK = "stream-small-chunk", FRAMING, Knob::Framing, excludes [],
        "a chunk before the last carried fewer than 8192 bytes";
    /// `x-amz-decoded-content-length` is not what the chunks carry.
    DECODED_LENGTH_WRONG = "stream-decoded-length-wrong", FRAMING, Knob::Framing, excludes [],
        "x-amz-decoded-content-length is not the number of bytes the chunks carry";
    /// No `x-amz-decoded-content-length`.
    DECODED_LENGTH_MISSING = "stream-decoded-length-missing", FRAMING, Knob::Framing, excludes [],
        "x-amz-decoded-content-length was not sent (S3 answers SignatureDoesNotMatch)";
    /// `Content-Length` set to the payload's length.
    CONTENT_LENGTH_DECODED = "stream-content-length-is-decoded-length", FRAMING, Knob::Framing, excludes [],
        "Content-Length was set to the payload's length instead of the encoded body's (chunk headers and signatures included), so the body was cut short";
    /// A checksum written in hex.
    CHECKSUM_HEX = "stream-checksum-hex", FRAMING, Knob::Framing, excludes [],
        "the x-amz-checksum- value is the right digest in hex; S3 wants it base64";
    /// A checksum with its bytes reversed.
    CHECKSUM_BYTE_ORDER = "stream-checksum-byte-order", FRAMING, Knob::Framing, excludes [],
        "the x-amz-checksum- value is the right digest with its bytes reversed (little-endian); S3 wants big-endian";
    /// A trailer nobody announced.
    TRAILER_NOT_ANNOUNCED = "stream-trailer-not-announced", FRAMING, Knob::Framing, excludes [],
        "a trailer was sent without an x-amz-trailer header announcing it";
}

/// What the refused upload's head says, for the framing mistakes.
#[derive(Debug, Clone, Copy, Default)]
pub struct UploadHead<'a> {
    /// `Content-Length`, as sent.
    pub content_length: Option<&'a str>,
    /// `x-amz-decoded-content-length`, as sent.
    pub decoded_content_length: Option<&'a str>,
    /// The seed: the `Authorization` header's signature.
    pub seed_signature: Option<&'a str>,
}

impl<'a> UploadHead<'a> {
    /// The head of a request whose headers `header` gives by name.
    pub fn read(header: impl Fn(&str) -> Option<&'a str>) -> Self {
        let seed_signature = header("authorization")
            .and_then(|a| a.rsplit("Signature=").next().filter(|_| a.contains("Signature=")))
            .map(str::trim);
        Self {
            content_length: header("content-length"),
            decoded_content_length: header("x-amz-decoded-content-length"),
            seed_signature,
        }
    }
}

/// Explains `error`, the refusal of an aws-chunked upload whose seed verified, given the
/// secret of its access key: the framing mistake it names, or the knobs (one, then two)
/// that reproduce the chunk's or trailer's signature.
pub fn explain(error: &StreamingError, head: &UploadHead<'_>, secret: &SecretKey) -> Diagnosis {
    let finding = |mistake: Mistake, detail: String| Finding {
        mistakes: vec![mistake],
        detail: Some(detail),
        client_canonical_request: None,
        client_string_to_sign: String::new(),
    };
    let structural = |f: Finding| Diagnosis {
        scheme: SchemeId::V4Streaming,
        correct_canonical_request: None,
        correct_string_to_sign: String::new(),
        findings: vec![f],
        problem: None,
        budget_exhausted: false,
        signature_matches: false,
    };
    match error {
        StreamingError::ChunkTooSmall { chunk, size } => {
            structural(finding(SMALL_CHUNK, format!("chunk {chunk} carried {size} bytes and was not the last")))
        }
        StreamingError::DecodedLength { expected, provided } => structural(finding(
            DECODED_LENGTH_WRONG,
            format!("x-amz-decoded-content-length says {expected}, the chunks carried {provided}"),
        )),
        StreamingError::DecodedLengthMissing => {
            structural(finding(DECODED_LENGTH_MISSING, "no x-amz-decoded-content-length header".to_owned()))
        }
        StreamingError::TrailerNotAnnounced(name) => {
            structural(finding(TRAILER_NOT_ANNOUNCED, format!("the trailer {name} came without x-amz-trailer")))
        }
        StreamingError::Checksum { header, form: ChecksumForm::Hex } => {
            structural(finding(CHECKSUM_HEX, format!("{header} was sent in hex")))
        }
        StreamingError::Checksum { header, form: ChecksumForm::ByteOrder } => {
            structural(finding(CHECKSUM_BYTE_ORDER, format!("{header} was sent with its bytes reversed")))
        }
        StreamingError::Incomplete(_)
            if head.content_length.is_some() && head.content_length == head.decoded_content_length =>
        {
            let length = head.content_length.unwrap_or_default();
            structural(finding(
                CONTENT_LENGTH_DECODED,
                format!("Content-Length and x-amz-decoded-content-length are both {length}"),
            ))
        }
        StreamingError::ChunkSignature { chunk, provided, string_to_sign } => {
            search(Signed::Chunk { number: *chunk }, string_to_sign, provided, head, secret)
        }
        StreamingError::TrailerSignature { provided, string_to_sign, canonical_trailers } => {
            search(Signed::Trailer { canonical: canonical_trailers }, string_to_sign, provided, head, secret)
        }
        other => Diagnosis::unusable(SchemeId::V4Streaming, format!("no signer mistake is known for it: {other}")),
    }
}

/// Diagnoses a whole captured upload: a seed that does not verify is a SigV4 diagnosis
/// (the seed is an ordinary SigV4 signature); otherwise the body is decoded with the chain
/// and its first refusal explained ([`explain`]). The request's own `X-Amz-Date` is taken
/// as the time, so a late request is judged on its signature alone.
pub fn diagnose_upload(
    request: &crate::sigv4::SignableRequest<'_>,
    secret: &SecretKey,
    policy: &crate::sigv4::VerifyPolicy<'_>,
    budget: super::Budget,
) -> Diagnosis {
    use crate::sigv4::streaming::{ChunkChain, Decoder, StreamingHead};
    use crate::sigv4::{Payload, X_AMZ_CONTENT_SHA256};
    let body = match request.payload {
        Payload::Bytes(b) => b,
        _ => &[],
    };
    let Some(literal) = request.header(X_AMZ_CONTENT_SHA256).map(str::trim) else {
        return super::v4::diagnose(request, secret, policy, budget);
    };
    let seed_request = crate::sigv4::SignableRequest { payload: Payload::Precomputed(literal), ..*request };
    let lookup = crate::crypto::SingleKey { id: None, secret };
    let now = request.header("x-amz-date").and_then(|d| crate::sigv4::parse_amz_date(d).ok());
    let Some(now) = now else { return super::v4::diagnose(&seed_request, secret, policy, budget) };
    let Ok(verified) = crate::sigv4::verify(&seed_request, &lookup, now, policy) else {
        return super::v4::diagnose(&seed_request, secret, policy, budget);
    };
    let head = UploadHead::read(|name| request.header(name));
    let problem = |text: String| Diagnosis::unusable(SchemeId::V4Streaming, text);
    let streaming = match StreamingHead::read_captured(|name| request.header(name)) {
        None => return problem(format!("x-amz-content-sha256 {literal} is not a streaming payload")),
        Some(Err(e)) => return explain(&e, &head, secret),
        Some(Ok(h)) => h,
    };
    if streaming.mode.signed_chunks() && head.seed_signature.is_none() {
        return explain(&StreamingError::NoSeed, &head, secret);
    }
    let scope = &verified.scope;
    let key = signing_key(secret, &scope.date, &scope.region, &scope.service);
    let chain = streaming.mode.signed_chunks().then(|| {
        ChunkChain::new(
            &key,
            &verified.request_time.to_amz_date(),
            &scope.to_string(),
            head.seed_signature.unwrap_or(""),
        )
    });
    let mut decoder = Decoder::new(streaming.mode, chain, streaming.trailer.as_deref(), Some(streaming.decoded_length));
    let mut payload = Vec::new();
    let result = decoder.feed(body, &mut payload).and_then(|()| decoder.finish());
    #[cfg(feature = "checksum")]
    let result = result.and_then(|trailers| checksum_of(&trailers, &payload).map(|()| trailers));
    match result {
        Ok(_) => {
            let mut d = problem("the upload verifies: its seed, every chunk and its trailer".to_owned());
            d.problem = None;
            d.signature_matches = true;
            d
        }
        Err(e) => explain(&e, &head, secret),
    }
}

/// The trailers' checksum against the payload: its form when it is not the payload's.
#[cfg(feature = "checksum")]
fn checksum_of(trailers: &[(String, String)], payload: &[u8]) -> Result<(), StreamingError> {
    for (name, value) in trailers {
        let Some(algorithm) = crate::checksum::ChecksumAlgorithm::from_header_name(name) else { continue };
        let digest = crate::checksum::digest(algorithm, payload);
        if let Err(form) = checksum_form(digest.as_bytes(), value) {
            return Err(StreamingError::Checksum { header: name.clone(), form });
        }
    }
    Ok(())
}

/// Whether `sent` is `digest` (base64, big-endian), or else how it was written.
pub fn checksum_form(digest: &[u8], sent: &str) -> Result<(), ChecksumForm> {
    use crate::crypto::{base64_decode, hex};
    let sent = sent.trim();
    match base64_decode(sent) {
        Some(bytes) if constant_time_eq(&bytes, digest) => return Ok(()),
        Some(bytes) if bytes.iter().rev().eq(digest.iter()) => return Err(ChecksumForm::ByteOrder),
        _ => {}
    }
    if sent.eq_ignore_ascii_case(&hex(digest)) {
        return Err(ChecksumForm::Hex);
    }
    Err(ChecksumForm::Other)
}

/// What was signed: a chunk (1-based) or the trailer.
#[derive(Debug, Clone, Copy)]
enum Signed<'a> {
    Chunk { number: usize },
    Trailer { canonical: &'a str },
}

/// The server's string to sign, read back into its lines.
struct Lines<'a> {
    date: &'a str,
    scope: &'a str,
    previous: &'a str,
    /// The chunk's data hash, or the trailers' hash.
    hash: &'a str,
}

fn lines(string_to_sign: &str) -> Option<Lines<'_>> {
    let parts: Vec<&str> = string_to_sign.split('\n').collect();
    match parts.as_slice() {
        [_, date, scope, previous, _, hash] | [_, date, scope, previous, hash] => {
            Some(Lines { date, scope, previous, hash })
        }
        _ => None,
    }
}

/// The client's string to sign under `knobs`, or `None` when a knob does not apply.
fn client_string(signed: Signed<'_>, l: &Lines<'_>, seed: Option<&str>, knobs: &[Knob]) -> Option<String> {
    let has = |k: Knob| knobs.contains(&k);
    let date = if has(Knob::DateOnly) { l.date.get(..8)? } else { l.date };
    let previous = match knobs.iter().find_map(|k| if let Knob::Previous(p) = k { Some(*p) } else { None }) {
        None => l.previous,
        Some(Previous::Seed) => {
            // The seed is what a chunk after the first, or the trailer, would not chain from.
            let seed = seed?;
            if matches!(signed, Signed::Chunk { number: 1 }) || seed == l.previous {
                return None;
            }
            seed
        }
        Some(Previous::Empty) => {
            if !matches!(signed, Signed::Chunk { number: 1 }) {
                return None;
            }
            ""
        }
    };
    match signed {
        Signed::Chunk { .. } => {
            if has(Knob::TrailerNoNewline) {
                return None;
            }
            let algorithm = if has(Knob::Algorithm) { "AWS4-HMAC-SHA256" } else { "AWS4-HMAC-SHA256-PAYLOAD" };
            let empty = if has(Knob::NoEmptyHash) { String::new() } else { format!("{}\n", sha256_hex(b"")) };
            Some(format!("{algorithm}\n{date}\n{}\n{previous}\n{empty}{}", l.scope, l.hash))
        }
        Signed::Trailer { canonical } => {
            if has(Knob::NoEmptyHash) {
                return None;
            }
            let algorithm = if has(Knob::Algorithm) { "AWS4-HMAC-SHA256-PAYLOAD" } else { "AWS4-HMAC-SHA256-TRAILER" };
            let hash = if has(Knob::TrailerNoNewline) {
                sha256_hex(canonical.strip_suffix('\n')?.as_bytes())
            } else {
                l.hash.to_owned()
            };
            Some(format!("{algorithm}\n{date}\n{}\n{previous}\n{hash}", l.scope))
        }
    }
}

/// Re-signs the refused chunk or trailer under each searchable knob, then each compatible
/// pair, and keeps what reproduces the signature it carried.
fn search(
    signed: Signed<'_>,
    string_to_sign: &str,
    provided: &str,
    head: &UploadHead<'_>,
    secret: &SecretKey,
) -> Diagnosis {
    let mut diagnosis = Diagnosis {
        scheme: SchemeId::V4Streaming,
        correct_canonical_request: None,
        correct_string_to_sign: string_to_sign.to_owned(),
        findings: Vec::new(),
        problem: None,
        budget_exhausted: false,
        signature_matches: false,
    };
    let Some(l) = lines(string_to_sign) else {
        diagnosis.problem = Some("the string to sign cannot be read back".to_owned());
        return diagnosis;
    };
    let scope: Vec<&str> = l.scope.split('/').collect();
    let [date, region, service, _] = scope.as_slice() else {
        diagnosis.problem = Some(format!("the credential scope {} cannot be read", l.scope));
        return diagnosis;
    };
    let key = signing_key(secret, date, region, service);
    for set in super::candidate_sets(SchemeId::V4Streaming) {
        let knobs: Vec<Knob> = set.iter().map(|m| CATALOGUE[m.index()].knob).collect();
        if knobs.contains(&Knob::Framing) {
            continue;
        }
        let text_knobs: Vec<Knob> = knobs.iter().copied().filter(|k| *k != Knob::Uppercase).collect();
        let Some(text) = client_string(signed, &l, head.seed_signature, &text_knobs) else { continue };
        let mut signature = sign_text(&key, &text);
        if knobs.contains(&Knob::Uppercase) {
            signature.make_ascii_uppercase();
        }
        if constant_time_eq(signature.as_bytes(), provided.as_bytes()) {
            let what = match signed {
                Signed::Chunk { number } => format!("chunk {number}"),
                Signed::Trailer { .. } => "the trailer".to_owned(),
            };
            diagnosis.findings.push(Finding {
                mistakes: set,
                detail: Some(format!("{what} was signed this way")),
                client_canonical_request: None,
                client_string_to_sign: text,
            });
            break;
        }
    }
    diagnosis
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sigv4::streaming::{ChunkChain, Decoder, StreamingMode};

    const SEED: &str = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
    const DATE: &str = "20130524T000000Z";
    const SCOPE: &str = "20130524/us-east-1/s3/aws4_request";

    fn secret() -> SecretKey {
        SecretKey::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    }

    /// A signed-chunk body whose chunk `wrong` (1-based) is signed with `text(previous,
    /// data)` instead of the rule; the others chain correctly from what was sent.
    fn body_with(sizes: &[usize], wrong: usize, text: impl Fn(&str, &[u8]) -> String) -> Vec<u8> {
        let key = signing_key(&secret(), "20130524", "us-east-1", "s3");
        let mut chain = ChunkChain::new(&key, DATE, SCOPE, SEED);
        let mut body = Vec::new();
        let mut previous = SEED.to_owned();
        for (i, &size) in sizes.iter().chain(&[0]).enumerate() {
            let data = vec![b'a'; size];
            let sig = if i + 1 == wrong {
                sign_text(&key, &text(&previous, &data))
            } else {
                let s = chain.sign_chunk(&data);
                previous.clone_from(&s);
                s
            };
            body.extend_from_slice(format!("{size:x};chunk-signature={sig}\r\n").as_bytes());
            if size > 0 {
                body.extend_from_slice(&data);
                body.extend_from_slice(b"\r\n");
            }
        }
        body.extend_from_slice(b"\r\n");
        body
    }

    fn refusal(body: &[u8]) -> StreamingError {
        let key = signing_key(&secret(), "20130524", "us-east-1", "s3");
        let mut d = Decoder::new(StreamingMode::Signed, Some(ChunkChain::new(&key, DATE, SCOPE, SEED)), None, None);
        d.feed(body, &mut Vec::new()).unwrap_err()
    }

    /// How a broken client writes a chunk's string to sign from (previous, data).
    type Text<'a> = Box<dyn Fn(&str, &[u8]) -> String + 'a>;

    fn ids(d: &Diagnosis) -> String {
        d.header_value()
    }

    #[test]
    fn a_chunk_string_to_sign_built_the_wrong_way_is_named() {
        let head = UploadHead { seed_signature: Some(SEED), ..UploadHead::default() };
        let empty = sha256_hex(b"");
        let cases: [(&str, usize, Text<'_>); 5] = [
            (
                "stream-not-chained",
                2,
                Box::new(|_, d| {
                    format!("AWS4-HMAC-SHA256-PAYLOAD\n{DATE}\n{SCOPE}\n{SEED}\n{empty}\n{}", sha256_hex(d))
                }),
            ),
            (
                "stream-unseeded",
                1,
                Box::new(|_, d| format!("AWS4-HMAC-SHA256-PAYLOAD\n{DATE}\n{SCOPE}\n\n{empty}\n{}", sha256_hex(d))),
            ),
            (
                "stream-no-empty-hash",
                1,
                Box::new(|p, d| format!("AWS4-HMAC-SHA256-PAYLOAD\n{DATE}\n{SCOPE}\n{p}\n{}", sha256_hex(d))),
            ),
            (
                "stream-wrong-algorithm",
                2,
                Box::new(|p, d| format!("AWS4-HMAC-SHA256\n{DATE}\n{SCOPE}\n{p}\n{empty}\n{}", sha256_hex(d))),
            ),
            (
                "stream-wrong-algorithm+stream-date-only",
                3,
                Box::new(|p, d| format!("AWS4-HMAC-SHA256\n20130524\n{SCOPE}\n{p}\n{empty}\n{}", sha256_hex(d))),
            ),
        ];
        for (want, wrong, text) in cases {
            let err = refusal(&body_with(&[9000, 8192], wrong, text));
            let d = explain(&err, &head, &secret());
            assert_eq!(ids(&d), want, "{err:?}\n{d}");
        }
    }

    #[test]
    fn a_wrong_secret_names_no_mistake() {
        let err = refusal(&body_with(&[9000], 1, |p, d| format!("x{p}{}", sha256_hex(d))));
        let d = explain(&err, &UploadHead { seed_signature: Some(SEED), ..UploadHead::default() }, &secret());
        assert_eq!(ids(&d), "unknown");
        assert!(d.correct_string_to_sign.starts_with("AWS4-HMAC-SHA256-PAYLOAD\n"), "{d}");
    }

    #[test]
    fn framing_refusals_name_their_mistake() {
        let head = UploadHead::default();
        let e = StreamingError::ChunkTooSmall { chunk: 1, size: 100 };
        assert_eq!(ids(&explain(&e, &head, &secret())), "stream-small-chunk");
        let e = StreamingError::DecodedLength { expected: 10, provided: 9 };
        assert_eq!(ids(&explain(&e, &head, &secret())), "stream-decoded-length-wrong");
        let e = StreamingError::DecodedLengthMissing;
        assert_eq!(ids(&explain(&e, &head, &secret())), "stream-decoded-length-missing");
        let e = StreamingError::TrailerNotAnnounced("x-amz-checksum-crc32".to_owned());
        assert_eq!(ids(&explain(&e, &head, &secret())), "stream-trailer-not-announced");
        let cut =
            UploadHead { content_length: Some("9000"), decoded_content_length: Some("9000"), seed_signature: None };
        let e = StreamingError::Incomplete("the body ended before its final chunk");
        assert_eq!(ids(&explain(&e, &cut, &secret())), "stream-content-length-is-decoded-length");
        assert_eq!(ids(&explain(&e, &head, &secret())), "unknown");
    }
}
