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
pub struct ChunkChain<'k> {
    key: &'k SigningKey,
    amz_date: String,
    scope: String,
    previous: String,
}

impl<'k> ChunkChain<'k> {
    /// A chain that starts at `seed_signature`.
    pub fn new(key: &'k SigningKey, amz_date: &str, scope: &str, seed_signature: &str) -> Self {
        Self { key, amz_date: amz_date.to_owned(), scope: scope.to_owned(), previous: seed_signature.to_owned() }
    }

    /// The string to sign of the next chunk, whose bytes are `data`.
    pub fn chunk_string_to_sign(&self, data: &[u8]) -> String {
        format!(
            "AWS4-HMAC-SHA256-PAYLOAD\n{}\n{}\n{}\n{EMPTY_SHA256}\n{}",
            self.amz_date,
            self.scope,
            self.previous,
            sha256_hex(data)
        )
    }

    /// Signs the next chunk and moves the chain on: the returned signature is the one the
    /// chunk after it chains from.
    pub fn sign_chunk(&mut self, data: &[u8]) -> String {
        let signature = sign_text(self.key, &self.chunk_string_to_sign(data));
        self.previous.clone_from(&signature);
        signature
    }

    /// The trailer's string to sign, over `canonical_trailers` (see [`canonical_trailers`]).
    pub fn trailer_string_to_sign(&self, canonical_trailers: &str) -> String {
        format!(
            "AWS4-HMAC-SHA256-TRAILER\n{}\n{}\n{}\n{}",
            self.amz_date,
            self.scope,
            self.previous,
            sha256_hex(canonical_trailers.as_bytes())
        )
    }

    /// The trailer's signature.
    pub fn sign_trailer(&self, canonical_trailers: &str) -> String {
        sign_text(self.key, &self.trailer_string_to_sign(canonical_trailers))
    }
}

/// Trailing headers as they are signed: `name:value\n` each, names lowercased, values
/// trimmed, sorted by name.
pub fn canonical_trailers(trailers: &[(String, String)]) -> String {
    let mut lines: Vec<String> =
        trailers.iter().map(|(n, v)| format!("{}:{}\n", n.to_ascii_lowercase(), v.trim())).collect();
    lines.sort();
    lines.concat()
}

/// Why a streaming body is refused, with S3's answer for it (`s3_code`).
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
        /// The string to sign the server computed for it.
        string_to_sign: String,
    },
    /// The trailer's signature does not match.
    #[error("the trailer signature does not match")]
    TrailerSignature {
        /// The string to sign the server computed for it.
        string_to_sign: String,
    },
    /// The trailing headers are missing, unreadable or not what `x-amz-trailer` announced.
    #[error("the trailing headers are not well-formed: {0}")]
    MalformedTrailer(&'static str),
    /// The chunks carry another number of bytes than `x-amz-decoded-content-length`.
    #[error("the chunks carry {provided} bytes, x-amz-decoded-content-length says {expected}")]
    DecodedLength {
        /// `x-amz-decoded-content-length`.
        expected: u64,
        /// What the chunks carried.
        provided: u64,
    },
}

impl StreamingError {
    /// S3's error code for it (S3 API Reference error codes; the recorded answers in
    /// versity/versitygw's issues #1660, #1665, #1684, #1691, listed in the shared
    /// reference `s3-streaming-sigv2-sigv4a.md` §2.5).
    pub fn s3_code(&self) -> &'static str {
        match self {
            Self::Incomplete(_) | Self::DecodedLength { .. } => "IncompleteBody",
            Self::ChunkTooSmall { .. } => "InvalidChunkSizeError",
            Self::ChunkSignature { .. } | Self::TrailerSignature { .. } => "SignatureDoesNotMatch",
            Self::MalformedTrailer(_) => "MalformedTrailerError",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    /// Waiting for a chunk's size line.
    Header,
    /// Waiting for `size` data bytes and their CRLF.
    Data { size: usize, signature: Option<String> },
    /// After the final chunk of a body without trailer: the CRLF that ends it.
    FinalCrlf,
    /// After the final chunk: trailer lines until an empty line.
    Trailer,
    /// The body is complete.
    Done,
}

/// An aws-chunked body decoder (see the module docs). Feed it the body in pieces; it
/// returns each chunk's bytes once verified.
#[derive(Debug)]
pub struct Decoder<'k> {
    mode: StreamingMode,
    chain: Option<ChunkChain<'k>>,
    announced_trailer: Option<String>,
    decoded_length: Option<u64>,
    buffer: Vec<u8>,
    state: State,
    chunks: usize,
    last_size: Option<usize>,
    decoded: u64,
    trailers: Vec<(String, String)>,
    trailer_signature: Option<String>,
}

impl<'k> Decoder<'k> {
    /// A decoder for `mode`; `chain` is required for the signed modes (`None` there means
    /// chunk signatures are read but not checked); `announced_trailer` is `x-amz-trailer`;
    /// `decoded_length` is `x-amz-decoded-content-length`.
    pub fn new(
        mode: StreamingMode,
        chain: Option<ChunkChain<'k>>,
        announced_trailer: Option<&str>,
        decoded_length: Option<u64>,
    ) -> Self {
        Self {
            mode,
            chain,
            announced_trailer: announced_trailer.map(|t| t.trim().to_ascii_lowercase()),
            decoded_length,
            buffer: Vec::new(),
            state: State::Header,
            chunks: 0,
            last_size: None,
            decoded: 0,
            trailers: Vec::new(),
            trailer_signature: None,
        }
    }

    /// Takes the next piece of the body; appends to `out` the bytes of every chunk the
    /// piece completes (each verified first).
    ///
    /// # Errors
    ///
    /// The first framing, size, signature or trailer problem; after an error the decoder
    /// is spent.
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), StreamingError> {
        if self.state == State::Done {
            return if input.is_empty() {
                Ok(())
            } else {
                Err(StreamingError::Incomplete("bytes after the body's end"))
            };
        }
        self.buffer.extend_from_slice(input);
        loop {
            match self.state.clone() {
                State::Header => {
                    let Some(end) = find_crlf(&self.buffer) else {
                        if self.buffer.len() > MAX_HEADER_LINE {
                            return Err(StreamingError::Incomplete("a chunk header line is too long"));
                        }
                        return Ok(());
                    };
                    let line = std::str::from_utf8(&self.buffer[..end])
                        .map_err(|_| StreamingError::Incomplete("a chunk header is not text"))?;
                    let (size, signature) = self.parse_header(line)?;
                    self.buffer.drain(..end + 2);
                    // A chunk before this one (not the last: more data follows) was too small;
                    // the last data chunk may be small ("Only the last chunk is allowed to
                    // have a size less than 8192 bytes").
                    if let Some(previous) = self.last_size.filter(|p| size > 0 && *p < MIN_CHUNK_SIZE) {
                        if self.mode.signed_chunks() {
                            return Err(StreamingError::ChunkTooSmall { chunk: self.chunks, size: previous });
                        }
                    }
                    if size == 0 {
                        self.chunks += 1;
                        self.verify_chunk(&[], signature.as_deref())?;
                        self.state = if self.mode.has_trailer() { State::Trailer } else { State::FinalCrlf };
                    } else {
                        self.state = State::Data { size, signature };
                    }
                }
                State::FinalCrlf => {
                    if self.buffer.len() < 2 {
                        return Ok(());
                    }
                    if &self.buffer[..2] != b"\r\n" {
                        return Err(StreamingError::Incomplete("no CRLF after the final chunk"));
                    }
                    self.buffer.drain(..2);
                    return self.finish_body();
                }
                State::Data { size, signature } => {
                    if self.buffer.len() < size + 2 {
                        return Ok(());
                    }
                    if &self.buffer[size..size + 2] != b"\r\n" {
                        return Err(StreamingError::Incomplete("a chunk's data is not followed by CRLF"));
                    }
                    let chunk: Vec<u8> = self.buffer.drain(..size + 2).take(size).collect();
                    self.chunks += 1;
                    self.verify_chunk(&chunk, signature.as_deref())?;
                    out.extend_from_slice(&chunk);
                    self.decoded += size as u64;
                    self.last_size = Some(size);
                    self.state = State::Header;
                }
                State::Trailer => {
                    let Some(end) = find_line_end(&self.buffer) else {
                        if self.buffer.len() > MAX_TRAILER_BYTES {
                            return Err(StreamingError::MalformedTrailer("the trailer is too long"));
                        }
                        return Ok(());
                    };
                    let (line_len, eol_len) = end;
                    let line = std::str::from_utf8(&self.buffer[..line_len])
                        .map_err(|_| StreamingError::MalformedTrailer("a trailer line is not text"))?
                        .to_owned();
                    self.buffer.drain(..line_len + eol_len);
                    if line.is_empty() {
                        return self.finish_body();
                    }
                    let (name, value) =
                        line.split_once(':').ok_or(StreamingError::MalformedTrailer("a trailer line without ':'"))?;
                    let name = name.trim().to_ascii_lowercase();
                    if name == "x-amz-trailer-signature" {
                        self.trailer_signature = Some(value.trim().to_owned());
                    } else {
                        self.trailers.push((name, value.trim().to_owned()));
                    }
                }
                State::Done => return Ok(()),
            }
        }
    }

    /// Ends the body: the trailing headers, once everything was fed.
    ///
    /// # Errors
    ///
    /// When the body stopped before its end.
    pub fn finish(self) -> Result<Vec<(String, String)>, StreamingError> {
        if self.state != State::Done {
            return Err(StreamingError::Incomplete("the body ended before its final chunk"));
        }
        Ok(self.trailers)
    }

    /// How many chunks were read (the final empty one included).
    pub fn chunks(&self) -> usize {
        self.chunks
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

    fn verify_chunk(&mut self, data: &[u8], sent: Option<&str>) -> Result<(), StreamingError> {
        let (Some(chain), Some(sent)) = (self.chain.as_mut(), sent) else {
            return Ok(());
        };
        let string_to_sign = chain.chunk_string_to_sign(data);
        let expected = chain.sign_chunk(data);
        if constant_time_eq(expected.as_bytes(), sent.as_bytes()) {
            Ok(())
        } else {
            Err(StreamingError::ChunkSignature { chunk: self.chunks, string_to_sign })
        }
    }

    fn finish_body(&mut self) -> Result<(), StreamingError> {
        if !self.buffer.is_empty() {
            return Err(StreamingError::Incomplete("bytes after the body's end"));
        }
        if let Some(expected) = self.decoded_length.filter(|e| *e != self.decoded) {
            return Err(StreamingError::DecodedLength { expected, provided: self.decoded });
        }
        if self.mode.has_trailer() {
            match (&self.announced_trailer, self.trailers.as_slice()) {
                (None, []) => {}
                (Some(want), [(name, _)]) if want == name => {}
                (None, _) => {
                    return Err(StreamingError::MalformedTrailer("a trailer that x-amz-trailer did not announce"))
                }
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
                            string_to_sign: chain.trailer_string_to_sign(&canonical),
                        });
                    }
                }
            }
        }
        self.state = State::Done;
        Ok(())
    }
}

/// The position of the first CRLF.
fn find_crlf(buffer: &[u8]) -> Option<usize> {
    buffer.windows(2).position(|w| w == b"\r\n")
}

/// The first line's length and its end's length (CRLF, or a bare LF as minio-go writes
/// trailer lines).
fn find_line_end(buffer: &[u8]) -> Option<(usize, usize)> {
    let lf = buffer.iter().position(|&b| b == b'\n')?;
    Some(if lf > 0 && buffer[lf - 1] == b'\r' { (lf - 1, 2) } else { (lf, 1) })
}

#[cfg(test)]
mod tests;
