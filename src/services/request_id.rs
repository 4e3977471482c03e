//! Request ids in Amazon's shapes (a UUID for MWS and PA-API, and the 20-character
//! uppercase `x-amz-rid`), from a seedable generator so that a fixed clock and seed give
//! byte-identical responses (snapshot tests, recorded vectors).

/// A splitmix64 sequence: fast, seedable, not cryptographic (ids need not be secret).
#[derive(Debug, Clone)]
pub(crate) struct RequestIds {
    state: u64,
}

impl RequestIds {
    /// A generator starting from `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// The next id as a version-4-shaped UUID (`8-4-4-4-12` lowercase hex).
    pub(crate) fn next_uuid(&mut self) -> String {
        let (a, b) = (self.next_u64(), self.next_u64());
        uuid_from(a, b)
    }
}

/// `a` and `b` as 32 lowercase hex digits shaped `8-4-4-4-12`: version 4 in the third
/// group, an RFC 4122 variant (8, 9, a or b, picked by the 17th digit) in the fourth.
/// Built digit by digit, without `format!` (one id per request).
fn uuid_from(a: u64, b: u64) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut hex = [0u8; 32];
    for (i, digit) in hex.iter_mut().enumerate() {
        let (word, n) = if i < 16 { (a, i) } else { (b, i - 16) };
        *digit = HEX[usize::try_from((word >> (60 - 4 * n)) & 0xf).unwrap_or(0)];
    }
    let variant = b"89ab"[usize::from(hex[16] % 4)];
    let mut out = String::with_capacity(36);
    let mut push = |bytes: &[u8]| out.extend(bytes.iter().map(|&b| char::from(b)));
    push(&hex[0..8]);
    push(b"-");
    push(&hex[8..12]);
    push(b"-4");
    push(&hex[13..16]);
    push(&[b'-', variant]);
    push(&hex[17..20]);
    push(b"-");
    push(&hex[20..32]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn uuid_is_the_formatted_one(a in any::<u64>(), b in any::<u64>()) {
            let hex = format!("{a:016x}{b:016x}");
            let variant = ["8", "9", "a", "b"][usize::from(hex.as_bytes()[16] % 4)];
            let want = format!("{}-{}-4{}-{variant}{}-{}", &hex[0..8], &hex[8..12], &hex[13..16], &hex[17..20], &hex[20..32]);
            prop_assert_eq!(uuid_from(a, b), want);
        }
    }

    #[test]
    fn same_seed_same_ids() {
        let (mut a, mut b) = (RequestIds::new(7), RequestIds::new(7));
        let id = a.next_uuid();
        assert_eq!(id, b.next_uuid());
        assert_eq!(id.len(), 36);
        assert_ne!(id, a.next_uuid());
    }
}
