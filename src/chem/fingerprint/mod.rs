//! Molecular fingerprints bit-identical to RDKit 2026.09's, and the similarities computed on
//! them.
//!
//! - [`morgan`]: Morgan / ECFP environments (`GetMorganFingerprintAsBitVect`,
//!   `GetMorganFingerprint`), folded to bits or kept as unfolded counts;
//! - [`rdkit_path`]: the RDKit path fingerprint (`RDKFingerprint`), hashed branched subgraphs;
//! - [`bits`]: the bit-vector and sparse-count types; [`similarity`]: Tanimoto and Dice.
//!
//! Both fingerprints are read from the molecule as RDKit's SMILES reader leaves it: explicit
//! hydrogen atoms folded into counts, hypervalent groups charge-separated and aromaticity
//! perceived ([`rdkit_form`]), so a Kekulé and an aromatic SMILES of one compound give the
//! same fingerprint, as they do in RDKit.

pub mod bits;
mod boost_hash;
pub mod morgan;
pub mod rdkit_path;
pub mod similarity;
mod subgraphs;

pub use bits::{FingerprintBits, SparseCounts};
pub use morgan::{morgan_bits, morgan_counts};
pub use rdkit_path::{PathFingerprintError, RdkitPathOptions, rdkit_path_bits};
pub use similarity::{dice_bits, dice_counts, tanimoto_bits, tanimoto_counts};

use crate::chem::Molecule;

/// A computed fingerprint of either shape; similarities compare two of the same shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fingerprint {
    Bits(FingerprintBits),
    Counts(SparseCounts),
}

impl Fingerprint {
    /// Tanimoto similarity; `None` when the shapes (or bit lengths) differ.
    pub fn tanimoto(&self, other: &Fingerprint) -> Option<f64> {
        match (self, other) {
            (Fingerprint::Bits(a), Fingerprint::Bits(b)) if a.n_bits() == b.n_bits() => {
                Some(tanimoto_bits(a, b))
            }
            (Fingerprint::Counts(a), Fingerprint::Counts(b)) => Some(tanimoto_counts(a, b)),
            _ => None,
        }
    }

    /// Dice similarity; `None` when the shapes (or bit lengths) differ.
    pub fn dice(&self, other: &Fingerprint) -> Option<f64> {
        match (self, other) {
            (Fingerprint::Bits(a), Fingerprint::Bits(b)) if a.n_bits() == b.n_bits() => {
                Some(dice_bits(a, b))
            }
            (Fingerprint::Counts(a), Fingerprint::Counts(b)) => Some(dice_counts(a, b)),
            _ => None,
        }
    }

    /// The CLI's text form: on-bit indices, or `id:count` pairs, ascending and space-separated.
    pub fn to_text(&self) -> String {
        match self {
            Fingerprint::Bits(b) => b.on_bits_text(),
            Fingerprint::Counts(c) => c.to_text(),
        }
    }
}
use crate::chem::aromaticity::perceive;
use crate::chem::hydrogens::fold_explicit_hydrogens;
use crate::chem::props::charge_separation::separate_charges;

/// `mol` as RDKit's sanitized reader would hold it: plain hydrogen atoms folded into their
/// neighbour's count, hypervalent nitro-style groups charge-separated, aromaticity perceived.
pub fn rdkit_form(mol: &Molecule) -> Molecule {
    let mut m = fold_explicit_hydrogens(mol).unwrap_or_else(|| mol.clone());
    separate_charges(&mut m);
    perceive(&mut m);
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn similarities_need_fingerprints_of_one_shape() {
        let bits = |n, on: &[u32]| {
            Fingerprint::Bits(FingerprintBits::from_on_bits(n, on.iter().copied()).unwrap())
        };
        let counts = Fingerprint::Counts(SparseCounts::from_ids([1, 2]));
        assert_eq!(
            bits(64, &[1, 2]).tanimoto(&bits(64, &[2, 3])),
            Some(1.0 / 3.0)
        );
        assert_eq!(bits(64, &[1, 2]).dice(&bits(64, &[2, 3])), Some(0.5));
        assert_eq!(bits(64, &[1]).tanimoto(&bits(128, &[1])), None);
        assert_eq!(bits(64, &[1]).tanimoto(&counts), None);
        assert_eq!(counts.tanimoto(&counts), Some(1.0));
        assert_eq!(counts.to_text(), "1:1 2:1");
        assert_eq!(bits(64, &[9, 3]).to_text(), "3 9");
    }
}
