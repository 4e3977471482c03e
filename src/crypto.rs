//! The only module that touches a secret's bytes: HMAC-SHA256 / HMAC-SHA1 (RFC 2104),
//! SHA-256 and MD5-free digests, base64 (RFC 4648 §4, with padding), and constant-time
//! comparison.
//!
//! [`SecretKey`] cannot leak by accident: its `Debug` prints a placeholder, it has no
//! `Display` or `Serialize`, and its bytes are zeroed when it is dropped; [`SessionToken`]
//! (temporary credentials' token) is held the same way. SHA-256 uses
//! the CPU's SHA extensions when present (the `sha2` crate detects them at run time).

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::fmt;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// A secret access key. Never printed, never serialised, zeroed on drop.
#[derive(Clone)]
pub struct SecretKey(Zeroizing<Vec<u8>>);

impl SecretKey {
    /// Wraps the secret's bytes (normally its UTF-8 text).
    pub fn new(secret: impl Into<Vec<u8>>) -> Self {
        Self(Zeroizing::new(secret.into()))
    }

    /// The raw bytes: for keyed hashing inside this crate's signing code only.
    pub(crate) fn expose(&self) -> &[u8] {
        &self.0
    }

    /// Constant-time equality with another secret.
    pub fn ct_eq(&self, other: &SecretKey) -> bool {
        constant_time_eq(&self.0, &other.0)
    }

    /// A copy of this secret with a transformation applied to its bytes.
    ///
    /// Used by the diagnosis engine to model client mistakes such as a trailing newline
    /// read from a file; the result is another `SecretKey`, so it cannot leak either.
    #[must_use]
    pub fn map_bytes(&self, f: impl FnOnce(&[u8]) -> Vec<u8>) -> SecretKey {
        SecretKey::new(f(&self.0))
    }

    /// True when `text` occurs in the secret or the secret occurs in `text`; for leak tests.
    pub fn appears_in(&self, text: &str) -> bool {
        !self.0.is_empty() && text.as_bytes().windows(self.0.len()).any(|w| constant_time_eq(w, &self.0))
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

/// The session token of temporary credentials (STS `SessionToken`, sent as
/// `X-Amz-Security-Token`): as secret as a key. Redacting `Debug`, no `Display` or
/// `Serialize`, zeroed on drop; a received token is compared in constant time.
#[derive(Clone)]
pub struct SessionToken(SecretKey);

impl SessionToken {
    /// Wraps the token's text.
    pub fn new(token: impl Into<Vec<u8>>) -> Self {
        Self(SecretKey::new(token))
    }

    /// Constant-time comparison with a token as received.
    pub fn matches(&self, sent: &str) -> bool {
        constant_time_eq(self.0.expose(), sent.as_bytes())
    }

    /// True when the token occurs in `text`; for leak tests.
    pub fn appears_in(&self, text: &str) -> bool {
        self.0.appears_in(text)
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(<redacted>)")
    }
}

/// The HMAC variants SigV2 allows (`SignatureMethod`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HmacAlgorithm {
    /// `HmacSHA256`: 32-byte MAC, 44 base64 characters.
    Sha256,
    /// `HmacSHA1`: 20-byte MAC, 28 base64 characters.
    Sha1,
}

impl HmacAlgorithm {
    /// Length of the raw MAC in bytes.
    pub fn mac_len(self) -> usize {
        match self {
            Self::Sha256 => 32,
            Self::Sha1 => 20,
        }
    }
}

/// A MAC value of either length, without heap allocation.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct MacBytes {
    bytes: [u8; 32],
    len: u8,
}

impl MacBytes {
    /// The MAC's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    /// Base64 with padding, as SigV2 sends it.
    pub fn to_base64(&self) -> String {
        base64_encode(self.as_bytes())
    }

    /// Lowercase hex, as SigV4 sends it.
    pub fn to_hex(&self) -> String {
        hex(self.as_bytes())
    }

    /// A MAC of at most 32 bytes.
    pub(crate) fn from_slice(s: &[u8]) -> Self {
        let mut bytes = [0u8; 32];
        bytes[..s.len()].copy_from_slice(s);
        Self { bytes, len: u8::try_from(s.len()).unwrap_or(32) }
    }
}

impl fmt::Debug for MacBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MacBytes({})", self.to_hex())
    }
}

/// HMAC of `message` keyed by `key` with the given algorithm.
pub fn hmac(alg: HmacAlgorithm, key: &SecretKey, message: &[u8]) -> MacBytes {
    hmac_raw(alg, key.expose(), message)
}

/// HMAC keyed by raw bytes: for derived keys (the SigV4 signing-key chain), never secrets.
pub(crate) fn hmac_raw(alg: HmacAlgorithm, key: &[u8], message: &[u8]) -> MacBytes {
    match alg {
        HmacAlgorithm::Sha256 => {
            let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
            mac.update(message);
            MacBytes::from_slice(&mac.finalize().into_bytes())
        }
        HmacAlgorithm::Sha1 => {
            let mut mac = <Hmac<sha1::Sha1> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
            mac.update(message);
            MacBytes::from_slice(&mac.finalize().into_bytes())
        }
    }
}

/// An HMAC keyed once and cloned for every message: the diagnosis signs hundreds of
/// strings with the same few keys, and keying costs two compressions of the hash. Its
/// `Debug` prints nothing of the key.
#[derive(Clone)]
pub(crate) enum KeyedMac {
    /// HMAC-SHA256.
    Sha256(Hmac<Sha256>),
    /// HMAC-SHA1.
    Sha1(Hmac<sha1::Sha1>),
}

impl KeyedMac {
    /// An HMAC keyed by a secret.
    pub(crate) fn new(alg: HmacAlgorithm, key: &SecretKey) -> Self {
        Self::from_raw(alg, key.expose())
    }

    /// An HMAC keyed by raw bytes: derived keys (the SigV4 signing key), never secrets.
    pub(crate) fn from_raw(alg: HmacAlgorithm, key: &[u8]) -> Self {
        match alg {
            HmacAlgorithm::Sha256 => {
                Self::Sha256(<Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length"))
            }
            HmacAlgorithm::Sha1 => {
                Self::Sha1(<Hmac<sha1::Sha1> as Mac>::new_from_slice(key).expect("HMAC takes any key length"))
            }
        }
    }

    /// The MAC of the concatenation of `parts`.
    pub(crate) fn mac(&self, parts: &[&[u8]]) -> MacBytes {
        match self {
            Self::Sha256(keyed) => {
                let mut mac = keyed.clone();
                for p in parts {
                    mac.update(p);
                }
                MacBytes::from_slice(&mac.finalize().into_bytes())
            }
            Self::Sha1(keyed) => {
                let mut mac = keyed.clone();
                for p in parts {
                    mac.update(p);
                }
                MacBytes::from_slice(&mac.finalize().into_bytes())
            }
        }
    }
}

impl KeyedMac {
    /// This HMAC with `bytes` absorbed: the state a message starting with `bytes`
    /// continues from.
    pub(crate) fn absorb(&self, bytes: &[u8]) -> KeyedMac {
        let mut out = self.clone();
        match &mut out {
            Self::Sha256(m) => m.update(bytes),
            Self::Sha1(m) => m.update(bytes),
        }
        out
    }
}

/// How many leading 64-byte blocks (the block of SHA-256 and SHA-1) `a` and `b` share.
fn common_blocks(a: &[u8], b: &[u8]) -> usize {
    a.chunks_exact(64).zip(b.chunks_exact(64)).take_while(|(x, y)| x == y).count()
}

/// A keyed HMAC with its state after every 64-byte block of a reference message: a
/// message that shares the reference's first blocks is finished from there (the
/// diagnosis signs hundreds of strings that differ from the right one late).
#[derive(Debug, Clone)]
pub(crate) struct PrefixMac {
    reference: Vec<u8>,
    /// `states[k]`: the HMAC with the reference's first `k` blocks absorbed.
    states: Vec<KeyedMac>,
}

impl PrefixMac {
    pub(crate) fn new(keyed: KeyedMac, reference: Vec<u8>) -> Self {
        let mut states = vec![keyed];
        for block in reference.chunks_exact(64) {
            let next = states[states.len() - 1].absorb(block);
            states.push(next);
        }
        Self { reference, states }
    }

    /// The MAC of `message`.
    pub(crate) fn mac(&self, message: &[u8]) -> MacBytes {
        let k = common_blocks(&self.reference, message);
        self.states[k].mac(&[&message[k * 64..]])
    }
}

/// SHA-256 with its state after every 64-byte block of a reference message; see
/// [`PrefixMac`].
#[derive(Debug, Clone)]
pub(crate) struct PrefixSha256 {
    reference: Vec<u8>,
    states: Vec<Sha256>,
}

impl PrefixSha256 {
    pub(crate) fn new(reference: Vec<u8>) -> Self {
        let mut states = vec![Sha256::new()];
        for block in reference.chunks_exact(64) {
            let mut next = states[states.len() - 1].clone();
            next.update(block);
            states.push(next);
        }
        Self { reference, states }
    }

    /// The SHA-256 of `message`.
    pub(crate) fn digest(&self, message: &[u8]) -> [u8; 32] {
        let k = common_blocks(&self.reference, message);
        let mut h = self.states[k].clone();
        h.update(&message[k * 64..]);
        h.finalize().into()
    }
}

impl fmt::Debug for KeyedMac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyedMac(<redacted>)")
    }
}

/// SHA-256 of `data` as lowercase hex.
pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}

/// Standard base64 with padding.
pub fn base64_encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Decodes standard base64 with padding; `None` when `text` is not valid base64.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}

/// Compares two byte strings in time that depends only on their lengths.
///
/// ```
/// use amzsig::crypto::constant_time_eq;
///
/// assert!(constant_time_eq(b"j7bZM0LX", b"j7bZM0LX"));
/// assert!(!constant_time_eq(b"j7bZM0LX", b"j7bZM0LY"));
/// ```
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

impl MacBytes {
    /// Constant-time equality with another MAC, a word at a time (the diagnosis compares
    /// hundreds of candidates with the signature sent).
    pub(crate) fn ct_matches(&self, other: &MacBytes) -> bool {
        let words = |m: &MacBytes| {
            let mut w = [0u64; 4];
            for (i, c) in m.bytes.chunks_exact(8).enumerate() {
                w[i] = u64::from_le_bytes(c.try_into().expect("eight bytes"));
            }
            w
        };
        self.len == other.len && bool::from(words(self).ct_eq(&words(other)))
    }
}

// Key lookup: how a verifier (of any scheme) finds the secret of an access key id.

/// What a key lookup found for an access key id.
#[derive(Debug, Clone, Copy)]
pub enum KeyState<'a> {
    /// The key exists and may sign.
    Active(&'a SecretKey),
    /// The key exists but was deactivated.
    Inactive,
    /// No such key.
    Unknown,
}

/// Finds the secret for an access key id (a keystore, a map, a single key).
pub trait SecretLookup {
    /// The state of `access_key_id`.
    fn lookup(&self, access_key_id: &str) -> KeyState<'_>;
}

impl<S: std::hash::BuildHasher> SecretLookup for std::collections::HashMap<String, SecretKey, S> {
    fn lookup(&self, access_key_id: &str) -> KeyState<'_> {
        self.get(access_key_id).map_or(KeyState::Unknown, KeyState::Active)
    }
}

/// One secret that answers for one access key id, or for any id when `id` is `None`
/// (the CLI's `verify --secret-env`).
#[derive(Debug)]
pub struct SingleKey<'a> {
    /// The access key id it answers for; `None` answers for every id.
    pub id: Option<&'a str>,
    /// The secret.
    pub secret: &'a SecretKey,
}

impl SecretLookup for SingleKey<'_> {
    fn lookup(&self, access_key_id: &str) -> KeyState<'_> {
        match self.id {
            Some(id) if id != access_key_id => KeyState::Unknown,
            _ => KeyState::Active(self.secret),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4231_case_2_and_rfc2202_case_2() {
        let key = SecretKey::new("Jefe");
        let msg = b"what do ya want for nothing?";
        assert_eq!(
            hmac(HmacAlgorithm::Sha256, &key, msg).to_hex(),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(hmac(HmacAlgorithm::Sha1, &key, msg).to_hex(), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
    }

    #[test]
    fn a_keyed_mac_is_the_hmac_of_the_joined_parts() {
        let key = SecretKey::new("Jefe");
        for alg in [HmacAlgorithm::Sha256, HmacAlgorithm::Sha1] {
            let keyed = KeyedMac::new(alg, &key);
            let whole = hmac(alg, &key, b"what do ya want for nothing?");
            assert_eq!(keyed.mac(&[b"what do ya ", b"", b"want for nothing?"]), whole);
            assert_eq!(keyed.mac(&[b"what do ya want for nothing?"]), whole, "a clone per message");
            assert!(!key.appears_in(&format!("{keyed:?}")));
        }
    }

    #[test]
    fn prefix_states_give_the_whole_hash() {
        let key = SecretKey::new("Jefe");
        let reference: Vec<u8> = (0..200u8).collect();
        let mac = PrefixMac::new(KeyedMac::new(HmacAlgorithm::Sha256, &key), reference.clone());
        let sha = PrefixSha256::new(reference.clone());
        for cut in [0, 1, 63, 64, 65, 128, 130, 199, 200] {
            for tail in [&b""[..], b"x", &[7u8; 90]] {
                let message = [&reference[..cut], tail].concat();
                assert_eq!(mac.mac(&message), hmac(HmacAlgorithm::Sha256, &key, &message), "{cut} {}", tail.len());
                assert_eq!(hex(&sha.digest(&message)), sha256_hex(&message));
            }
        }
        assert!(!key.appears_in(&format!("{mac:?}")));
    }

    #[test]
    fn secret_never_prints() {
        let key = SecretKey::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
        let shown = format!("{key:?} {key:#?}");
        assert!(!key.appears_in(&shown), "{shown}");
        assert!(key.appears_in("xx wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY yy"));
    }

    #[test]
    fn session_token_never_prints_and_compares_exactly() {
        let token = SessionToken::new("AQoDYXdzEPT//////////wEXAMPLEtoken");
        let shown = format!("{token:?} {token:#?}");
        assert!(!token.appears_in(&shown), "{shown}");
        assert!(token.appears_in("X-Amz-Security-Token: AQoDYXdzEPT//////////wEXAMPLEtoken"));
        assert!(token.matches("AQoDYXdzEPT//////////wEXAMPLEtoken"));
        assert!(!token.matches("AQoDYXdzEPT//////////wEXAMPLEtokeN"));
        assert!(!token.matches("AQoDYXdzEPT//////////wEXAMPLEtoken "));
        assert!(!token.matches(""));
    }

    #[test]
    fn constant_time_eq_checks_length_and_bytes() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}
