//! The 32-bit hash combination RDKit's fingerprints use (its portable copy of Boost's
//! `hash_combine` / `hash_range`, with a 32-bit seed everywhere), and the small Mersenne
//! twister the path fingerprint seeds per path to choose extra bits.

/// Mixes `value` into `seed`: `seed ^= value + 0x9e3779b9 + (seed << 6) + (seed >> 2)`, all in
/// 32-bit wrapping arithmetic.
#[inline]
pub fn combine(seed: &mut u32, value: u32) {
    *seed ^= value
        .wrapping_add(0x9e37_79b9)
        .wrapping_add(*seed << 6)
        .wrapping_add(*seed >> 2);
}

/// `hash_range` over a sequence: combines each value into a seed that starts at 0.
#[inline]
pub fn hash_values(values: impl IntoIterator<Item = u32>) -> u32 {
    let mut seed = 0;
    for v in values {
        combine(&mut seed, v);
    }
    seed
}

/// The hash of a pair `(first, second)`, as Boost hashes `std::pair`.
#[inline]
pub fn hash_pair(first: u32, second: u32) -> u32 {
    hash_values([first, second])
}

/// Boost's `mersenne_twister<uint32_t, 32, 4, 2, 31, 0x9908b0df, 11, 7, 0x9d2c5680, 15,
/// 0xefc60000, 18>`: a Mersenne twister with a state of only 4 words, which RDKit chose
/// because it is cheap to reseed for every path.
pub struct SmallTwister {
    state: [u32; 4],
    next: usize,
}

impl SmallTwister {
    const N: usize = 4;
    const M: usize = 2;
    const MATRIX_A: u32 = 0x9908_b0df;
    const UPPER: u32 = 0x8000_0000;
    const LOWER: u32 = 0x7fff_ffff;

    pub fn new(seed: u32) -> SmallTwister {
        let mut state = [seed, 0, 0, 0];
        for i in 1..Self::N {
            let p = state[i - 1];
            state[i] = 1_812_433_253u32
                .wrapping_mul(p ^ (p >> 30))
                .wrapping_add(i as u32);
        }
        SmallTwister {
            state,
            next: Self::N,
        }
    }

    fn twist(&mut self) {
        let x = &mut self.state;
        for j in 0..Self::N {
            let following = x[(j + 1) % Self::N];
            let y = (x[j] & Self::UPPER) | (following & Self::LOWER);
            let mag = if following & 1 == 1 {
                Self::MATRIX_A
            } else {
                0
            };
            x[j] = x[(j + Self::M) % Self::N] ^ (y >> 1) ^ mag;
        }
        self.next = 0;
    }

    pub fn next_u32(&mut self) -> u32 {
        if self.next >= Self::N {
            self.twist();
        }
        let mut z = self.state[self.next];
        self.next += 1;
        z ^= z >> 11;
        z ^= (z << 7) & 0x9d2c_5680;
        z ^= (z << 15) & 0xefc6_0000;
        z ^ (z >> 18)
    }

    /// A draw from Boost's `uniform_int<>(0, INT_MAX)` on this engine: the engine's range is
    /// exactly twice as wide, so each draw is one engine output halved.
    pub fn next_nonnegative_i32(&mut self) -> u32 {
        self.next_u32() >> 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_range_gives_rdkits_methane_invariant() {
        // RDKit's Morgan invariant of methane's carbon (atomic number, total degree, total H,
        // charge, delta mass) is the single key of `GetMorganFingerprint(C, 2)`.
        assert_eq!(hash_values([6, 4, 4, 0, 0]), 2_246_733_040);
        assert_eq!(hash_values([]), 0);
    }

    #[test]
    fn twister_gives_boosts_sequence() {
        // The engine's first outputs for seed 42, from the model this port was checked with
        // (its bits equal RDKit's RDKFingerprint, which draws from this engine).
        let mut t = SmallTwister::new(42);
        let got: Vec<u32> = (0..6).map(|_| t.next_u32()).collect();
        assert_eq!(
            got,
            [
                1_883_979_205,
                1_377_153_355,
                1_187_317_547,
                3_024_787_646,
                621_373_942,
                3_613_142_966
            ]
        );
    }
}
