//! The decoder's framing, size, chain and trailer rules on bodies built here (the
//! documentation's worked examples, which pin the signatures, are in
//! `tests/it/streaming.rs`).

use super::*;
use crate::crypto::SecretKey;
use crate::sigv4::signing_key;

const SEED: &str = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";

fn key() -> SigningKey {
    signing_key(&SecretKey::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), "20130524", "us-east-1", "s3")
}

fn chain(key: &SigningKey) -> ChunkChain {
    ChunkChain::new(key, "20130524T000000Z", "20130524/us-east-1/s3/aws4_request", SEED)
}

/// A signed-chunk body of `sizes` bytes of `a` (the last size 0 is added), optionally with
/// signed trailers.
fn signed_body(key: &SigningKey, sizes: &[usize], trailers: &[(&str, &str)]) -> Vec<u8> {
    let mut c = chain(key);
    let mut body = Vec::new();
    for &size in sizes.iter().chain(&[0]) {
        let data = vec![b'a'; size];
        let sig = c.sign_chunk(&data);
        body.extend_from_slice(format!("{size:x};chunk-signature={sig}\r\n").as_bytes());
        if size > 0 {
            body.extend_from_slice(&data);
            body.extend_from_slice(b"\r\n");
        }
    }
    if trailers.is_empty() {
        body.extend_from_slice(b"\r\n");
    } else {
        let owned: Vec<(String, String)> = trailers.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect();
        for (n, v) in &owned {
            body.extend_from_slice(format!("{n}:{v}\r\n").as_bytes());
        }
        let sig = c.sign_trailer(&canonical_trailers(&owned));
        body.extend_from_slice(format!("x-amz-trailer-signature:{sig}\r\n\r\n").as_bytes());
    }
    body
}

/// The body's bytes and trailers, or the error with how many bytes were handed out first.
type Decoded = (Vec<u8>, Vec<(String, String)>);

fn decode_in_pieces(
    mode: StreamingMode,
    key: &SigningKey,
    body: &[u8],
    trailer: Option<&str>,
    piece: usize,
) -> Result<Decoded, (StreamingError, usize)> {
    let mut d = Decoder::new(mode, Some(chain(key)), trailer, None);
    let mut out = Vec::new();
    for part in body.chunks(piece) {
        d.feed(part, &mut out).map_err(|e| (e, out.len()))?;
    }
    let released = out.len();
    d.finish().map(|t| (out, t)).map_err(|e| (e, released))
}

#[test]
fn any_piece_size_gives_the_same_body() {
    let k = key();
    let body = signed_body(&k, &[9000, 8192, 10], &[]);
    for piece in [1, 2, 7, 64, 8193, body.len()] {
        let (data, trailers) = decode_in_pieces(StreamingMode::Signed, &k, &body, None, piece).unwrap();
        assert_eq!(data.len(), 9000 + 8192 + 10, "piece {piece}");
        assert!(trailers.is_empty());
    }
}

#[test]
fn a_tampered_chunk_is_refused_before_its_bytes_are_released() {
    let k = key();
    let mut body = signed_body(&k, &[9000, 9000], &[]);
    let second_data = body.len() - 9000 - 2 - 3 - 80; // inside the second chunk's data
    body[second_data] = b'b';
    let (err, released) = decode_in_pieces(StreamingMode::Signed, &k, &body, None, 4096).unwrap_err();
    assert!(matches!(err, StreamingError::ChunkSignature { chunk: 2, .. }), "{err:?}");
    assert_eq!(err.s3_code(), "SignatureDoesNotMatch");
    assert_eq!(released, 9000, "only the verified first chunk was handed out");
}

#[test]
fn a_small_chunk_before_the_last_is_refused() {
    let k = key();
    let body = signed_body(&k, &[100, 9000], &[]);
    let (err, _) = decode_in_pieces(StreamingMode::Signed, &k, &body, None, 1000).unwrap_err();
    assert_eq!(err, StreamingError::ChunkTooSmall { chunk: 1, size: 100 });
    assert_eq!(err.s3_code(), "InvalidChunkSizeError");
    // The last data chunk may be small.
    assert!(decode_in_pieces(StreamingMode::Signed, &k, &signed_body(&k, &[9000, 100], &[]), None, 1000).is_ok());
}

#[test]
fn trailers_are_announced_signed_and_checked() {
    let k = key();
    let body = signed_body(&k, &[9000], &[("x-amz-checksum-crc32", "AAAAAA==")]);
    let ok = decode_in_pieces(StreamingMode::SignedTrailer, &k, &body, Some("x-amz-checksum-crc32"), 333).unwrap();
    assert_eq!(ok.1, [("x-amz-checksum-crc32".to_owned(), "AAAAAA==".to_owned())]);
    let (err, _) =
        decode_in_pieces(StreamingMode::SignedTrailer, &k, &body, Some("x-amz-checksum-sha256"), 333).unwrap_err();
    assert_eq!(err.s3_code(), "MalformedTrailerError");
    let (err, _) = decode_in_pieces(StreamingMode::SignedTrailer, &k, &body, None, 333).unwrap_err();
    assert_eq!(err.s3_code(), "MalformedTrailerError");
    let text = String::from_utf8(body).unwrap().replace("AAAAAA==", "AAAAAB==");
    let (err, _) =
        decode_in_pieces(StreamingMode::SignedTrailer, &k, text.as_bytes(), Some("x-amz-checksum-crc32"), 333)
            .unwrap_err();
    assert!(matches!(err, StreamingError::TrailerSignature { .. }), "{err:?}");
}

#[test]
fn broken_framing_and_lengths_are_incomplete_bodies() {
    let k = key();
    let body = signed_body(&k, &[9000], &[]);
    let cut = &body[..body.len() - 5];
    let (err, _) = decode_in_pieces(StreamingMode::Signed, &k, cut, None, 100).unwrap_err();
    assert_eq!(err.s3_code(), "IncompleteBody");
    for bad in [&b"zz;chunk-signature=00\r\n"[..], b"10\r\n0123456789abcdef\r\n", b"3;chunk-signature=xyz\r\nabc\r\n"] {
        let (err, _) = decode_in_pieces(StreamingMode::Signed, &k, bad, None, 100).unwrap_err();
        assert_eq!(err.s3_code(), "IncompleteBody", "{bad:?}");
    }
    let mut d = Decoder::new(StreamingMode::Signed, Some(chain(&k)), None, Some(9001));
    let err = d.feed(&body, &mut Vec::new()).unwrap_err();
    assert_eq!(err, StreamingError::DecodedLength { expected: 9001, provided: 9000 });
}

#[test]
fn unsigned_trailer_bodies_need_no_chain_and_allow_small_chunks() {
    let body = b"8\r\nhello wo\r\n3\r\nrld\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n";
    let mut d = Decoder::new(StreamingMode::UnsignedTrailer, None, Some("x-amz-checksum-crc32"), Some(11));
    let mut out = Vec::new();
    d.feed(body, &mut out).unwrap();
    assert_eq!(out, b"hello world");
    assert_eq!(d.finish().unwrap(), [("x-amz-checksum-crc32".to_owned(), "DUoRhQ==".to_owned())]);
}
