//! Request ids in Amazon's shapes (a UUID for MWS and PA-API, and the 20-character
//! uppercase `x-amz-rid`), from a seedable generator so that a fixed clock and seed give
//! byte-identical responses (snapshot tests, recorded vectors).

/// A splitmix64 sequence: fast, seedable, not cryptographic (ids need not be secret).
#[derive(Debug, Clone)]
pub struct RequestIds {
    state: u64,
}

impl RequestIds {
    /// A generator starting from `seed`.
    pub fn new(seed: u64) -> Self {
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
    pub fn next_uuid(&mut self) -> String {
        let (a, b) = (self.next_u64(), self.next_u64());
        let hex = format!("{a:016x}{b:016x}");
        // Version 4 in the third group, RFC 4122 variant (8, 9, a or b) in the fourth.
        let variant = ["8", "9", "a", "b"][usize::from(hex.as_bytes()[16] % 4)];
        format!("{}-{}-4{}-{variant}{}-{}", &hex[0..8], &hex[8..12], &hex[13..16], &hex[17..20], &hex[20..32])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_ids() {
        let (mut a, mut b) = (RequestIds::new(7), RequestIds::new(7));
        let id = a.next_uuid();
        assert_eq!(id, b.next_uuid());
        assert_eq!(id.len(), 36);
        assert_ne!(id, a.next_uuid());
    }
}
