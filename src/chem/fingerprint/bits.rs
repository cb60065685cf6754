//! The two fingerprint shapes: a fixed-length bit vector (folded fingerprints) and a sparse
//! map from hashed feature id to count (unfolded count fingerprints).

use std::fmt;

/// A fixed-length bit vector; bits are numbered from 0.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct FingerprintBits {
    n_bits: u32,
    words: Vec<u64>,
}

impl FingerprintBits {
    /// All bits off. `n_bits` must be positive (a fingerprint with no bits cannot hold a
    /// feature; callers validate the user's size first).
    pub fn new(n_bits: u32) -> FingerprintBits {
        assert!(n_bits > 0, "a fingerprint needs at least one bit");
        FingerprintBits {
            n_bits,
            words: vec![0; n_bits.div_ceil(64) as usize],
        }
    }

    /// A vector of `n_bits` with the given bits on. Fails on a bit outside the vector.
    pub fn from_on_bits(
        n_bits: u32,
        on: impl IntoIterator<Item = u32>,
    ) -> Result<FingerprintBits, BitOutOfRange> {
        let mut fp = FingerprintBits::new(n_bits);
        for bit in on {
            if bit >= n_bits {
                return Err(BitOutOfRange { bit, n_bits });
            }
            fp.set(bit);
        }
        Ok(fp)
    }

    pub fn n_bits(&self) -> u32 {
        self.n_bits
    }

    /// Turns bit `bit % n_bits` on (features are hashed to any 32-bit value and folded).
    #[inline]
    pub fn set(&mut self, bit: u32) {
        let bit = bit % self.n_bits;
        self.words[(bit / 64) as usize] |= 1u64 << (bit % 64);
    }

    pub fn contains(&self, bit: u32) -> bool {
        bit < self.n_bits && self.words[(bit / 64) as usize] & (1u64 << (bit % 64)) != 0
    }

    /// The number of bits on.
    pub fn count_ones(&self) -> u32 {
        self.words.iter().map(|w| w.count_ones()).sum()
    }

    /// Bits on in both vectors. Vectors of different lengths share only their common prefix.
    pub fn count_common(&self, other: &FingerprintBits) -> u32 {
        self.words
            .iter()
            .zip(&other.words)
            .map(|(a, b)| (a & b).count_ones())
            .sum()
    }

    /// The indices of the bits that are on, ascending.
    pub fn on_bits(&self) -> impl Iterator<Item = u32> + '_ {
        self.words.iter().enumerate().flat_map(|(i, &w)| {
            let base = i as u32 * 64;
            BitsOf(w).map(move |b| base + b)
        })
    }

    /// The on bits as the CLI writes them: indices ascending, separated by single spaces.
    pub fn on_bits_text(&self) -> String {
        let mut out = String::new();
        for (k, bit) in self.on_bits().enumerate() {
            if k > 0 {
                out.push(' ');
            }
            out.push_str(&bit.to_string());
        }
        out
    }
}

impl fmt::Debug for FingerprintBits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "FingerprintBits({}: [{}])",
            self.n_bits,
            self.on_bits_text()
        )
    }
}

/// Iterates the set bit positions of one word, lowest first.
struct BitsOf(u64);

impl Iterator for BitsOf {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        if self.0 == 0 {
            return None;
        }
        let b = self.0.trailing_zeros();
        self.0 &= self.0 - 1;
        Some(b)
    }
}

/// A bit index given for a vector too short to hold it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BitOutOfRange {
    pub bit: u32,
    pub n_bits: u32,
}

impl fmt::Display for BitOutOfRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "bit {} is outside a fingerprint of {} bits",
            self.bit, self.n_bits
        )
    }
}

impl std::error::Error for BitOutOfRange {}

/// Feature counts keyed by 32-bit feature id (RDKit's `UIntSparseIntVect`), kept sorted by id.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct SparseCounts {
    entries: Vec<(u32, u32)>,
}

impl SparseCounts {
    /// Counts each id of `ids` (in any order, repeats adding up).
    pub fn from_ids(ids: impl IntoIterator<Item = u32>) -> SparseCounts {
        let mut ids: Vec<u32> = ids.into_iter().collect();
        ids.sort_unstable();
        let mut entries: Vec<(u32, u32)> = Vec::with_capacity(ids.len());
        for id in ids {
            match entries.last_mut() {
                Some((last, n)) if *last == id => *n += 1,
                _ => entries.push((id, 1)),
            }
        }
        SparseCounts { entries }
    }

    /// `(id, count)` pairs, ids ascending, counts positive.
    pub fn entries(&self) -> &[(u32, u32)] {
        &self.entries
    }

    pub fn get(&self, id: u32) -> u32 {
        match self.entries.binary_search_by_key(&id, |&(k, _)| k) {
            Ok(i) => self.entries[i].1,
            Err(_) => 0,
        }
    }

    /// The number of distinct ids.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The sum of all counts.
    pub fn total(&self) -> u64 {
        self.entries.iter().map(|&(_, n)| u64::from(n)).sum()
    }

    /// Folds the ids onto `n_bits` bits (id modulo `n_bits`), as a bit vector.
    pub fn fold(&self, n_bits: u32) -> FingerprintBits {
        let mut fp = FingerprintBits::new(n_bits);
        for &(id, _) in &self.entries {
            fp.set(id);
        }
        fp
    }

    /// The ids and counts as the CLI writes them: `id:count` pairs, ids ascending.
    pub fn to_text(&self) -> String {
        let parts: Vec<String> = self
            .entries
            .iter()
            .map(|(id, n)| format!("{id}:{n}"))
            .collect();
        parts.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_fold_modulo_and_list_ascending() {
        let mut fp = FingerprintBits::new(100);
        for b in [5, 99, 164, 0, 64] {
            fp.set(b);
        }
        assert_eq!(fp.on_bits().collect::<Vec<_>>(), vec![0, 5, 64, 99]);
        assert_eq!(fp.on_bits_text(), "0 5 64 99");
        assert_eq!(fp.count_ones(), 4);
        assert!(fp.contains(64) && !fp.contains(63) && !fp.contains(1000));
    }

    #[test]
    fn from_on_bits_rejects_a_bit_past_the_end() {
        assert_eq!(
            FingerprintBits::from_on_bits(16, [3, 16]),
            Err(BitOutOfRange {
                bit: 16,
                n_bits: 16
            })
        );
    }

    #[test]
    fn counts_add_up_repeats_and_fold() {
        let c = SparseCounts::from_ids([7, 3, 7, 4_000_000_000, 7]);
        assert_eq!(c.entries(), &[(3, 1), (7, 3), (4_000_000_000, 1)]);
        assert_eq!((c.get(7), c.get(8), c.total(), c.len()), (3, 0, 5, 3));
        assert_eq!(c.to_text(), "3:1 7:3 4000000000:1");
        assert_eq!(
            c.fold(4).on_bits().collect::<Vec<_>>(),
            vec![0, 3] // 4e9 % 4 == 0, 7 % 4 == 3, 3 % 4 == 3
        );
    }
}
