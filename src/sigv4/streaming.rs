//! aws-chunked streaming (Amazon S3 API Reference, "Signature Calculations for the
//! Authorization Header: Transferring Payload in Multiple Chunks (Chunked Upload)" and
//! "… Including Trailing Headers"): the body of a streaming upload is a sequence of
//! chunks, each signed in a chain that starts at the request's own (seed) signature, then
//! optionally trailing headers (a checksum) with a signature of their own.
//!
//! Framing: `hex(size) ";chunk-signature=" sig "\r\n" data "\r\n"`, a final
//! `0;chunk-signature=sig\r\n`, then trailer lines and `x-amz-trailer-signature:sig` (signed
//! trailer), then an empty line. Unsigned trailers (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`)
//! have no `;chunk-signature` and no trailer signature.
//!
//! Chunk string to sign: `AWS4-HMAC-SHA256-PAYLOAD \n date \n scope \n previous-signature
//! \n hex(SHA256("")) \n hex(SHA256(data))`; trailer string to sign:
//! `AWS4-HMAC-SHA256-TRAILER \n date \n scope \n last-chunk-signature \n
//! hex(SHA256(canonical-trailers))`, the trailers canonicalised as `name:value\n` (lowercase
//! names, sorted). Both are signed with the request's signing key.
//!
//! [`Decoder`] takes the body in pieces of any size ([`Decoder::feed`]) and hands out each
//! chunk's bytes only after its signature is verified, so a caller can stream an upload
//! with memory bounded by one chunk and store nothing of a refused one. Pure: no IO.

use super::{sign_text, SigningKey};
use crate::crypto::{constant_time_eq, sha256_hex};

/// `x-amz-content-sha256` of a signed-chunk upload.
pub const STREAMING_PAYLOAD: &str = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
/// `x-amz-content-sha256` of a signed-chunk upload with a signed trailer.
pub const STREAMING_PAYLOAD_TRAILER: &str = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
/// `x-amz-content-sha256` of an unsigned-chunk upload with an (unsigned) trailer.
pub const STREAMING_UNSIGNED_PAYLOAD_TRAILER: &str = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
/// Every chunk but the last carries at least this many bytes ("Only the last chunk is
/// allowed to have a size less than 8192 bytes", S3's `InvalidChunkSizeError`).
pub const MIN_CHUNK_SIZE: usize = 8192;
/// hex(SHA256("")), the fifth line of every chunk string to sign.
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
/// The longest chunk-size line accepted (a size, `;chunk-signature=` and 64 hex digits).
const MAX_HEADER_LINE: usize = 256;
/// The most trailer bytes accepted (a few checksum lines and the signature).
const MAX_TRAILER_BYTES: usize = 8192;

/// How a streaming body is framed and signed (from `x-amz-content-sha256`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StreamingMode {
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`: signed chunks, no trailer.
    Signed,
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`: signed chunks, signed trailer.
    SignedTrailer,
    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER`: plain chunks, unsigned trailer.
    UnsignedTrailer,
}

impl StreamingMode {
    /// The mode an `x-amz-content-sha256` value names, if it names one.
    pub fn from_content_sha256(value: &str) -> Option<Self> {
        match value {
            STREAMING_PAYLOAD => Some(Self::Signed),
            STREAMING_PAYLOAD_TRAILER => Some(Self::SignedTrailer),
            STREAMING_UNSIGNED_PAYLOAD_TRAILER => Some(Self::UnsignedTrailer),
            _ => None,
        }
    }

    /// Whether chunks carry signatures.
    pub fn signed_chunks(self) -> bool {
        matches!(self, Self::Signed | Self::SignedTrailer)
    }

    /// Whether trailing headers follow the last chunk.
    pub fn has_trailer(self) -> bool {
        matches!(self, Self::SignedTrailer | Self::UnsignedTrailer)
    }
}

/// What chains the chunk signatures: the request's signing key, its `X-Amz-Date`, its
/// credential scope and the signature so far (the seed: the request's own signature).
#[derive(Debug, Clone)]
pub struct ChunkChain {
    key: SigningKey,
    amz_date: String,
    scope: String,
    previous: String,
}

impl ChunkChain {
    /// A chain that starts at `seed_signature`.
    pub fn new(key: &SigningKey, amz_date: &str, scope: &str, seed_signature: &str) -> Self {
        Self {
            key: key.clone(),
            amz_date: amz_date.to_owned(),
            scope: scope.to_owned(),
            previous: seed_signature.to_owned(),
        }
    }

    /// The string to sign of the next chunk, whose bytes are `data`.
    pub fn chunk_string_to_sign(&self, data: &[u8]) -> String {
        self.chunk_string_to_sign_hashed(&sha256_hex(data))
    }

    /// The string to sign of the next chunk, whose bytes hash to `data_sha256` (hex).
    fn chunk_string_to_sign_hashed(&self, data_sha256: &str) -> String {
        format!(
            "AWS4-HMAC-SHA256-PAYLOAD\n{}\n{}\n{}\n{EMPTY_SHA256}\n{data_sha256}",
            self.amz_date, self.scope, self.previous
        )
    }

    /// Signs the next chunk and moves the chain on: the returned signature is the one the
    /// chunk after it chains from.
    pub fn sign_chunk(&mut self, data: &[u8]) -> String {
        let signature = sign_text(&self.key, &self.chunk_string_to_sign(data));
        self.previous.clone_from(&signature);
        signature
    }

    /// The trailer's string to sign, over `canonical_trailers` (see [`canonical_trailers`]).
    pub fn trailer_string_to_sign(&self, canonical_trailers: &str) -> String {
        trailer_string_to_sign(&self.amz_date, &self.scope, &self.previous, canonical_trailers)
    }

    /// The trailer's signature.
    pub fn sign_trailer(&self, canonical_trailers: &str) -> String {
        sign_text(&self.key, &self.trailer_string_to_sign(canonical_trailers))
    }
}

/// A chunk's string to sign: `AWS4-HMAC-SHA256-PAYLOAD`, the request's `X-Amz-Date`, its
/// credential scope, the previous signature, `hex(SHA256(""))` and the chunk's hash (hex).
pub fn chunk_string_to_sign(amz_date: &str, scope: &str, previous: &str, data_sha256: &str) -> String {
    format!("AWS4-HMAC-SHA256-PAYLOAD\n{amz_date}\n{scope}\n{previous}\n{EMPTY_SHA256}\n{data_sha256}")
}

/// The trailer's string to sign: `AWS4-HMAC-SHA256-TRAILER`, `X-Amz-Date`, the scope, the
/// last chunk's signature and the hash of `canonical_trailers`.
pub fn trailer_string_to_sign(amz_date: &str, scope: &str, previous: &str, canonical_trailers: &str) -> String {
    format!("AWS4-HMAC-SHA256-TRAILER\n{amz_date}\n{scope}\n{previous}\n{}", sha256_hex(canonical_trailers.as_bytes()))
}

/// One chunk as read, for a caller that shows the body (`amzsig canonicalize`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkRecord {
    /// Its size.
    pub size: usize,
    /// The `chunk-signature` it carried, if any.
    pub signature: Option<String>,
    /// hex(SHA256(data)).
    pub data_sha256: String,
}

/// Trailing headers as they are signed: `name:value\n` each, names lowercased, values
/// trimmed, sorted by name.
pub fn canonical_trailers(trailers: &[(String, String)]) -> String {
    let mut lines: Vec<String> =
        trailers.iter().map(|(n, v)| format!("{}:{}\n", n.to_ascii_lowercase(), v.trim())).collect();
    lines.sort();
    lines.concat()
}

/// Checksum trailers S3 accepts in `x-amz-trailer` (S3 API Reference, "PutObject":
/// `x-amz-checksum-crc32`, `-crc32c`, `-crc64nvme`, `-sha1`, `-sha256`; and the 2026
/// additions `-md5`, `-sha512`, `-xxhash64`, `-xxhash3`, `-xxhash128`, botocore 1.42.94).
pub const CHECKSUM_TRAILERS: [&str; 10] = [
    "x-amz-checksum-crc32",
    "x-amz-checksum-crc32c",
    "x-amz-checksum-crc64nvme",
    "x-amz-checksum-sha1",
    "x-amz-checksum-sha256",
    "x-amz-checksum-md5",
    "x-amz-checksum-sha512",
    "x-amz-checksum-xxhash64",
    "x-amz-checksum-xxhash3",
    "x-amz-checksum-xxhash128",
];

/// Why a streaming body is refused, with S3's answer for it ([`StreamingError::s3_code`],
/// [`StreamingError::s3_status`], [`StreamingError::s3_message`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StreamingError {
    /// The framing is broken or the body ends early.
    #[error("the request body terminated unexpectedly ({0})")]
    Incomplete(&'static str),
    /// A chunk before the last is smaller than [`MIN_CHUNK_SIZE`].
    #[error("only the last chunk may be smaller than 8192 bytes: chunk {chunk} has {size}")]
    ChunkTooSmall {
        /// 1-based chunk number.
        chunk: usize,
        /// Its size.
        size: usize,
    },
    /// A chunk's signature is not the one its bytes and the chain give.
    #[error("chunk {chunk}'s signature does not match")]
    ChunkSignature {
        /// 1-based chunk number (the final empty chunk counts).
        chunk: usize,
        /// The signature the chunk carried.
        provided: String,
        /// The string to sign the server computed for it.
        string_to_sign: String,
    },
    /// The trailer's signature does not match.
    #[error("the trailer signature does not match")]
    TrailerSignature {
        /// The signature the trailer carried.
        provided: String,
        /// The trailers as the server canonicalised them (`name:value\n` each).
        canonical_trailers: String,
        /// The string to sign the server computed for it.
        string_to_sign: String,
    },
    /// The trailing headers are missing, unreadable or not what `x-amz-trailer` announced.
    #[error("the trailing headers are not well-formed: {0}")]
    MalformedTrailer(&'static str),
    /// A trailer came that no `x-amz-trailer` header announced.
    #[error("the trailer {0:?} was sent, but no x-amz-trailer header announced it")]
    TrailerNotAnnounced(String),
    /// The chunks carry another number of bytes than `x-amz-decoded-content-length`.
    #[error("the chunks carry {provided} bytes, x-amz-decoded-content-length says {expected}")]
    DecodedLength {
        /// `x-amz-decoded-content-length`.
        expected: u64,
        /// What the chunks carried.
        provided: u64,
    },
    /// No `x-amz-decoded-content-length` header.
    #[error("an aws-chunked upload without x-amz-decoded-content-length")]
    DecodedLengthMissing,
    /// `x-amz-decoded-content-length` is not a number.
    #[error("x-amz-decoded-content-length is not a number")]
    DecodedLengthInvalid,
    /// Neither `Content-Length` nor `Transfer-Encoding: chunked` frames the body.
    #[error("an aws-chunked upload with neither Content-Length nor Transfer-Encoding")]
    NoContentLength,
    /// `x-amz-trailer` names no checksum S3 knows.
    #[error("x-amz-trailer names {0:?}, which is not a supported trailer")]
    UnsupportedTrailer(String),
    /// Signed chunks need the `Authorization` header's signature as their seed.
    #[error("signed chunks without an Authorization header to seed them (a presigned URL has none)")]
    NoSeed,
    /// A checksum (header or trailer) that is not the payload's, in the form it was sent.
    #[error("{header} is not the payload's checksum ({form})")]
    Checksum {
        /// The header or trailer name (`x-amz-checksum-crc32`).
        header: String,
        /// What the value is, when it is the right digest written the wrong way.
        form: ChecksumForm,
    },
    /// The upload's payload is larger than the server takes (the mock's upload limit; S3's
    /// is 5 GiB for one PUT).
    #[error("the upload's payload is larger than {limit} bytes")]
    TooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
}

impl StreamingError {
    /// S3's error code for it (S3 API Reference error codes; the recorded answers in
    /// versity/versitygw's issues #1043, #1088, #1161, #1656, #1660, #1665, #1684, #1691,
    /// listed in the shared reference `s3-streaming-sigv2-sigv4a.md` §2.5).
    pub fn s3_code(&self) -> &'static str {
        match self {
            Self::Incomplete(_) | Self::DecodedLength { .. } => "IncompleteBody",
            Self::ChunkTooSmall { .. } => "InvalidChunkSizeError",
            Self::ChunkSignature { .. } | Self::TrailerSignature { .. } | Self::DecodedLengthMissing => {
                "SignatureDoesNotMatch"
            }
            Self::MalformedTrailer(_) | Self::TrailerNotAnnounced(_) => "MalformedTrailerError",
            Self::DecodedLengthInvalid | Self::NoContentLength => "MissingContentLength",
            Self::UnsupportedTrailer(_) | Self::NoSeed => "InvalidRequest",
            Self::TooLarge { .. } => "EntityTooLarge",
            Self::Checksum { .. } => "BadDigest",
        }
    }

    /// S3's HTTP status for it.
    pub fn s3_status(&self) -> u16 {
        match self.s3_code() {
            "SignatureDoesNotMatch" => 403,
            "MissingContentLength" => 411,
            _ => 400,
        }
    }

    /// S3's message for it (the same sources as [`StreamingError::s3_code`]; `NoSeed` is
    /// amzsig's wording: no recorded answer).
    pub fn s3_message(&self) -> &'static str {
        match self {
            Self::Incomplete(_) => "The request body terminated unexpectedly",
            Self::DecodedLength { .. } => {
                "You did not provide the number of bytes specified by the Content-Length HTTP header"
            }
            Self::ChunkTooSmall { .. } => "Only the last chunk is allowed to have a size less than 8192 bytes",
            Self::ChunkSignature { .. } | Self::TrailerSignature { .. } | Self::DecodedLengthMissing => {
                "The request signature we calculated does not match the signature you provided. Check your key and signing method."
            }
            Self::MalformedTrailer(_) | Self::TrailerNotAnnounced(_) => {
                "The request contained trailing data that was not well-formed or did not conform to our published schema."
            }
            Self::DecodedLengthInvalid | Self::NoContentLength => "You must provide the Content-Length HTTP header.",
            Self::UnsupportedTrailer(_) => "The value specified in the x-amz-trailer header is not supported",
            Self::NoSeed => "Signed aws-chunked payloads need the Authorization header; a presigned URL cannot seed them.",
            // S3 API Reference, "Error responses", EntityTooLarge.
            Self::TooLarge { .. } => "Your proposed upload exceeds the maximum allowed object size.",
            Self::Checksum { .. } => "The checksum you specified did not match the calculated checksum.",
        }
    }

    /// True for the failures of a chunk's or the trailer's signature.
    pub fn is_signature_mismatch(&self) -> bool {
        matches!(self, Self::ChunkSignature { .. } | Self::TrailerSignature { .. })
    }
}

/// How a refused checksum value was written, as far as the server can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChecksumForm {
    /// The right digest in hex instead of base64.
    Hex,
    /// The right digest's bytes in reverse (little-endian) order, base64.
    ByteOrder,
    /// Not the payload's digest in any form known.
    Other,
}

impl std::fmt::Display for ChecksumForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Hex => "the right digest in hex, not base64",
            Self::ByteOrder => "the right digest with its bytes reversed",
            Self::Other => "another value",
        })
    }
}

/// What a streaming upload's headers say about its body, checked before any body byte is
/// read (S3's order: the seed signature is verified first, by the caller).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamingHead {
    /// The mode `x-amz-content-sha256` names.
    pub mode: StreamingMode,
    /// `x-amz-decoded-content-length`.
    pub decoded_length: u64,
    /// `x-amz-trailer`, lowercase and trimmed.
    pub trailer: Option<String>,
}

impl StreamingHead {
    /// Reads the head of an upload whose `x-amz-content-sha256` is a streaming literal:
    /// `None` when it is not one. `header` gives a header's first value by name.
    ///
    /// # Errors
    ///
    /// S3's refusals that need no body: the decoded length missing or not a number, no
    /// framing (neither `Content-Length` nor `Transfer-Encoding`), an `x-amz-trailer` S3
    /// does not support.
    pub fn read<'h>(header: impl Fn(&str) -> Option<&'h str>) -> Option<Result<Self, StreamingError>> {
        let mode = StreamingMode::from_content_sha256(header("x-amz-content-sha256")?.trim())?;
        Some(Self::read_mode(mode, header, true))
    }

    /// [`StreamingHead::read`] for a request whose whole body is at hand (a captured file):
    /// how it was framed on the wire is not asked.
    pub fn read_captured<'h>(header: impl Fn(&str) -> Option<&'h str>) -> Option<Result<Self, StreamingError>> {
        let mode = StreamingMode::from_content_sha256(header("x-amz-content-sha256")?.trim())?;
        Some(Self::read_mode(mode, header, false))
    }

    fn read_mode<'h>(
        mode: StreamingMode,
        header: impl Fn(&str) -> Option<&'h str>,
        framing: bool,
    ) -> Result<Self, StreamingError> {
        let decoded_length = match header("x-amz-decoded-content-length") {
            None => return Err(StreamingError::DecodedLengthMissing),
            Some(v) => v.trim().parse::<u64>().map_err(|_| StreamingError::DecodedLengthInvalid)?,
        };
        let chunked = header("transfer-encoding").is_some_and(|t| !t.trim().eq_ignore_ascii_case("identity"));
        if framing && header("content-length").is_none() && !chunked {
            return Err(StreamingError::NoContentLength);
        }
        let trailer = header("x-amz-trailer").map(|t| t.trim().to_ascii_lowercase());
        if let Some(t) = &trailer {
            if !CHECKSUM_TRAILERS.contains(&t.as_str()) {
                return Err(StreamingError::UnsupportedTrailer(t.clone()));
            }
        }
        Ok(Self { mode, decoded_length, trailer })
    }
}

#[derive(Debug, Clone)]
enum State {
    /// Reading a chunk's size line.
    Header,
    /// Reading a chunk's data straight into the output: `remaining` bytes still to come.
    Data { size: usize, remaining: usize, signature: Option<String> },
    /// After a chunk's data: its CRLF, then its signature is checked.
    DataCrlf { size: usize, signature: Option<String> },
    /// After the final chunk of a body without trailer: the CRLF that ends it.
    FinalCrlf,
    /// After the final chunk: trailer lines until an empty line.
    Trailer,
    /// The body is complete.
    Done,
    /// A problem was found: the decoder is spent.
    Failed,
}

/// An aws-chunked body decoder (see the module docs). Feed it the body in pieces; it
/// appends each chunk's bytes to the caller's buffer and keeps them there only once the
/// chunk's signature verifies, so after every [`Decoder::feed`] the buffer holds verified
/// bytes only and the decoder itself holds at most one unfinished line.
#[derive(Debug)]
pub struct Decoder {
    mode: StreamingMode,
    chain: Option<ChunkChain>,
    announced_trailer: Option<String>,
    decoded_length: Option<u64>,
    /// An unfinished size, CRLF or trailer line.
    line: Vec<u8>,
    state: State,
    /// SHA-256 of the current chunk's data so far (signed chunks only).
    hasher: Option<sha2::Sha256>,
    /// Where the current chunk starts in the caller's buffer.
    mark: usize,
    chunks: usize,
    last_size: Option<usize>,
    decoded: u64,
    trailers: Vec<(String, String)>,
    trailer_signature: Option<String>,
    /// Every chunk read, when recording.
    log: Option<Vec<ChunkRecord>>,
}

impl Decoder {
    /// A decoder for `mode`; `chain` is required for the signed modes (`None` there means
    /// chunk signatures are read but not checked); `announced_trailer` is `x-amz-trailer`;
    /// `decoded_length` is `x-amz-decoded-content-length`.
    pub fn new(
        mode: StreamingMode,
        chain: Option<ChunkChain>,
        announced_trailer: Option<&str>,
        decoded_length: Option<u64>,
    ) -> Self {
        Self {
            mode,
            chain,
            announced_trailer: announced_trailer.map(|t| t.trim().to_ascii_lowercase()),
            decoded_length,
            line: Vec::new(),
            state: State::Header,
            hasher: None,
            mark: 0,
            chunks: 0,
            last_size: None,
            decoded: 0,
            trailers: Vec::new(),
            trailer_signature: None,
            log: None,
        }
    }

    /// Also records every chunk read ([`Decoder::chunk_log`]): sizes, the signatures sent,
    /// the data's hashes.
    #[must_use]
    pub fn recording(mut self) -> Self {
        self.log = Some(Vec::new());
        self
    }

    /// The chunks read so far (empty unless [`Decoder::recording`]).
    pub fn chunk_log(&self) -> &[ChunkRecord] {
        self.log.as_deref().unwrap_or_default()
    }

    /// The trailer signature sent, once read.
    pub fn trailer_signature(&self) -> Option<&str> {
        self.trailer_signature.as_deref()
    }

    /// The trailing headers read so far.
    pub fn trailers(&self) -> &[(String, String)] {
        &self.trailers
    }

    /// Takes the next piece of the body; appends to `out` the bytes of every chunk the
    /// piece completes (each verified first; the bytes of a chunk still arriving are in
    /// `out` past its verified part only until the next call).
    ///
    /// # Errors
    ///
    /// The first framing, size, signature or trailer problem; `out` is cut back to the
    /// bytes of the chunks verified before it. After an error the decoder is spent.
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), StreamingError> {
        let result = self.feed_inner(input, out);
        if result.is_err() {
            out.truncate(self.mark.min(out.len()));
            self.state = State::Failed;
        }
        result
    }

    #[allow(clippy::too_many_lines)] // one state machine, a branch per state
    fn feed_inner(&mut self, mut input: &[u8], out: &mut Vec<u8>) -> Result<(), StreamingError> {
        if matches!(self.state, State::Failed) {
            return Err(StreamingError::Incomplete("the body was already refused"));
        }
        if matches!(self.state, State::Done) {
            return if input.is_empty() {
                Ok(())
            } else {
                Err(StreamingError::Incomplete("bytes after the body's end"))
            };
        }
        loop {
            match std::mem::replace(&mut self.state, State::Done) {
                State::Header => {
                    let Some(line) = self.take_line(&mut input, MAX_HEADER_LINE, true)? else {
                        self.state = State::Header;
                        return Ok(());
                    };
                    let line = std::str::from_utf8(&line)
                        .map_err(|_| StreamingError::Incomplete("a chunk header is not text"))?;
                    let (size, signature) = self.parse_header(line)?;
                    // A chunk before this one (not the last: more data follows) was too small;
                    // the last data chunk may be small ("Only the last chunk is allowed to
                    // have a size less than 8192 bytes").
                    if let Some(previous) = self.last_size.filter(|p| size > 0 && *p < MIN_CHUNK_SIZE) {
                        if self.mode.signed_chunks() {
                            return Err(StreamingError::ChunkTooSmall { chunk: self.chunks, size: previous });
                        }
                    }
                    // More than announced: refused before the bytes are taken (the payload
                    // was reserved at the announced size).
                    if let Some(expected) = self.decoded_length.filter(|e| self.decoded + size as u64 > *e) {
                        return Err(StreamingError::DecodedLength { expected, provided: self.decoded + size as u64 });
                    }
                    if size == 0 {
                        self.chunks += 1;
                        self.record(0, signature.as_deref(), EMPTY_SHA256);
                        self.verify_chunk(EMPTY_SHA256, signature)?;
                        self.state = if self.mode.has_trailer() { State::Trailer } else { State::FinalCrlf };
                    } else {
                        self.mark = out.len();
                        if self.chain.is_some() || self.log.is_some() {
                            self.hasher = Some(sha2::Digest::new());
                        }
                        self.state = State::Data { size, remaining: size, signature };
                    }
                }
                State::Data { size, remaining, signature } => {
                    let n = remaining.min(input.len());
                    let (data, rest) = input.split_at(n);
                    if let Some(h) = self.hasher.as_mut() {
                        sha2::Digest::update(h, data);
                    }
                    out.extend_from_slice(data);
                    input = rest;
                    if remaining > n {
                        self.state = State::Data { size, remaining: remaining - n, signature };
                        return Ok(());
                    }
                    self.state = State::DataCrlf { size, signature };
                }
                State::DataCrlf { size, signature } => {
                    if !self.take_crlf(&mut input)? {
                        self.state = State::DataCrlf { size, signature };
                        return Ok(());
                    }
                    self.chunks += 1;
                    let hashed = self.hasher.take().map(|h| crate::crypto::hex(&sha2::Digest::finalize(h)));
                    self.record(size, signature.as_deref(), hashed.as_deref().unwrap_or_default());
                    self.verify_chunk(hashed.as_deref().unwrap_or_default(), signature)?;
                    self.mark = out.len();
                    self.decoded += size as u64;
                    self.last_size = Some(size);
                    self.state = State::Header;
                }
                State::FinalCrlf => {
                    if !self.take_crlf(&mut input)? {
                        self.state = State::FinalCrlf;
                        return Ok(());
                    }
                    self.finish_body(input)?;
                    return Ok(());
                }
                State::Trailer => {
                    let Some(line) = self.take_line(&mut input, MAX_TRAILER_BYTES, false)? else {
                        self.state = State::Trailer;
                        return Ok(());
                    };
                    let line = std::str::from_utf8(&line)
                        .map_err(|_| StreamingError::MalformedTrailer("a trailer line is not text"))?
                        .to_owned();
                    if line.is_empty() {
                        // minio-go writes an empty line between a signed trailer and its
                        // signature (`addSignedTrailer`): the body ends only once the
                        // signature a signed trailer needs has come.
                        let awaiting_signature = self.mode == StreamingMode::SignedTrailer
                            && !self.trailers.is_empty()
                            && self.trailer_signature.is_none();
                        if !awaiting_signature {
                            self.finish_body(input)?;
                            return Ok(());
                        }
                        self.state = State::Trailer;
                        continue;
                    }
                    let (name, value) =
                        line.split_once(':').ok_or(StreamingError::MalformedTrailer("a trailer line without ':'"))?;
                    let name = name.trim().to_ascii_lowercase();
                    if name == "x-amz-trailer-signature" {
                        self.trailer_signature = Some(value.trim().to_owned());
                    } else {
                        self.trailers.push((name, value.trim().to_owned()));
                    }
                    self.state = State::Trailer;
                }
                State::Done => return Ok(()),
                State::Failed => return Err(StreamingError::Incomplete("the body was already refused")),
            }
        }
    }

    /// The next line from the unfinished line and `input` (CRLF-ended, or LF-ended too
    /// when `crlf_only` is false), without its end; `None` when it has not ended yet.
    fn take_line(&mut self, input: &mut &[u8], max: usize, crlf_only: bool) -> Result<Option<Vec<u8>>, StreamingError> {
        let Some(lf) = input.iter().position(|&b| b == b'\n') else {
            self.line.extend_from_slice(input);
            *input = &[];
            if self.line.len() > max {
                return Err(if crlf_only {
                    StreamingError::Incomplete("a chunk header line is too long")
                } else {
                    StreamingError::MalformedTrailer("the trailer is too long")
                });
            }
            return Ok(None);
        };
        self.line.extend_from_slice(&input[..=lf]);
        *input = &input[lf + 1..];
        let mut line = std::mem::take(&mut self.line);
        line.pop();
        if line.last() == Some(&b'\r') {
            line.pop();
        } else if crlf_only {
            return Err(StreamingError::Incomplete("a chunk header not ended by CRLF"));
        }
        Ok(Some(line))
    }

    /// Reads the CRLF that ends a chunk's data (or the body): true once both bytes came.
    fn take_crlf(&mut self, input: &mut &[u8]) -> Result<bool, StreamingError> {
        while self.line.len() < 2 {
            let Some((&b, rest)) = input.split_first() else { return Ok(false) };
            self.line.push(b);
            *input = rest;
        }
        if self.line.as_slice() != b"\r\n" {
            return Err(StreamingError::Incomplete("a chunk's data is not followed by CRLF"));
        }
        self.line.clear();
        Ok(true)
    }

    /// Ends the body: the trailing headers, once everything was fed.
    ///
    /// # Errors
    ///
    /// When the body stopped before its end.
    pub fn finish(self) -> Result<Vec<(String, String)>, StreamingError> {
        if !matches!(self.state, State::Done) || self.chunks == 0 {
            return Err(StreamingError::Incomplete("the body ended before its final chunk"));
        }
        Ok(self.trailers)
    }

    /// How many chunks were read (the final empty one included).
    pub fn chunks(&self) -> usize {
        self.chunks
    }

    /// How many payload bytes the verified chunks carried so far.
    pub fn decoded(&self) -> u64 {
        self.decoded
    }

    fn parse_header(&self, line: &str) -> Result<(usize, Option<String>), StreamingError> {
        let (size, rest) = match line.split_once(';') {
            Some((s, r)) => (s, Some(r)),
            None => (line, None),
        };
        let size = usize::from_str_radix(size.trim(), 16)
            .ok()
            .filter(|_| !size.trim().is_empty())
            .ok_or(StreamingError::Incomplete("a chunk size is not hexadecimal"))?;
        let signature = match (rest, self.mode.signed_chunks()) {
            (Some(r), true) => Some(
                r.trim()
                    .strip_prefix("chunk-signature=")
                    .filter(|s| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()))
                    .ok_or(StreamingError::Incomplete("a chunk has no well-formed chunk-signature"))?
                    .to_owned(),
            ),
            (None, true) => return Err(StreamingError::Incomplete("a signed chunk has no chunk-signature")),
            (_, false) => None,
        };
        Ok((size, signature))
    }

    fn record(&mut self, size: usize, signature: Option<&str>, data_sha256: &str) {
        if let Some(log) = self.log.as_mut() {
            log.push(ChunkRecord {
                size,
                signature: signature.map(str::to_owned),
                data_sha256: data_sha256.to_owned(),
            });
        }
    }

    /// Checks the chunk whose data hashes to `data_sha256` against the signature it carried.
    fn verify_chunk(&mut self, data_sha256: &str, sent: Option<String>) -> Result<(), StreamingError> {
        let (Some(chain), Some(sent)) = (self.chain.as_mut(), sent) else {
            return Ok(());
        };
        let string_to_sign = chain.chunk_string_to_sign_hashed(data_sha256);
        let expected = sign_text(&chain.key, &string_to_sign);
        if constant_time_eq(expected.as_bytes(), sent.as_bytes()) {
            chain.previous = expected;
            Ok(())
        } else {
            Err(StreamingError::ChunkSignature { chunk: self.chunks, provided: sent, string_to_sign })
        }
    }

    fn finish_body(&mut self, rest: &[u8]) -> Result<(), StreamingError> {
        if !rest.is_empty() {
            return Err(StreamingError::Incomplete("bytes after the body's end"));
        }
        if let Some(expected) = self.decoded_length.filter(|e| *e != self.decoded) {
            return Err(StreamingError::DecodedLength { expected, provided: self.decoded });
        }
        if self.mode.has_trailer() {
            match (&self.announced_trailer, self.trailers.as_slice()) {
                (None, []) => {}
                (Some(want), [(name, _)]) if want == name => {}
                (None, [(name, _), ..]) => return Err(StreamingError::TrailerNotAnnounced(name.clone())),
                (Some(_), []) => return Err(StreamingError::MalformedTrailer("the announced trailer is missing")),
                (Some(_), _) => return Err(StreamingError::MalformedTrailer("the trailer is not the one announced")),
            }
            if self.mode == StreamingMode::SignedTrailer {
                if let Some(chain) = &self.chain {
                    let canonical = canonical_trailers(&self.trailers);
                    let sent = self
                        .trailer_signature
                        .as_deref()
                        .ok_or(StreamingError::MalformedTrailer("a signed trailer without x-amz-trailer-signature"))?;
                    let expected = chain.sign_trailer(&canonical);
                    if !constant_time_eq(expected.as_bytes(), sent.as_bytes()) {
                        return Err(StreamingError::TrailerSignature {
                            provided: sent.to_owned(),
                            string_to_sign: chain.trailer_string_to_sign(&canonical),
                            canonical_trailers: canonical,
                        });
                    }
                }
            }
        }
        self.state = State::Done;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
