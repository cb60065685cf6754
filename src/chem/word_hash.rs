//! A fast hash for sets built inside one computation from the molecule's own numbers (bond
//! sets, atom index lists), not from outside input: the DoS resistance of the standard hasher
//! buys nothing there and its cost showed in fingerprints and substructure counts.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

/// A `HashSet` with [`WordHasher`].
pub(crate) type WordHashSet<T> = HashSet<T, BuildHasherDefault<WordHasher>>;

/// Multiply-and-rotate over 64-bit words.
#[derive(Default)]
pub(crate) struct WordHasher(u64);

impl WordHasher {
    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(23) ^ word).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

impl Hasher for WordHasher {
    fn finish(&self) -> u64 {
        self.0 ^ self.0 >> 29
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, word: u64) {
        self.mix(word);
    }

    fn write_usize(&mut self, n: usize) {
        self.mix(n as u64);
    }
}
