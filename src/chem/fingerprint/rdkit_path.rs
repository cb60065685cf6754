//! The RDKit path fingerprint (`Chem.RDKFingerprint`, or `rdFingerprintGenerator.
//! GetRDKitFPGenerator` with `numBitsPerFeature=2`): every connected subgraph of 1 to 7 bonds
//! is hashed from its bonds, and the hash sets bits.
//!
//! A bond's hash combines the number of subgraph bonds it touches, its type (aromatic or
//! order), and the two atoms' codes (atomic number and aromatic flag) with their degrees inside
//! the subgraph, larger code first. A one-bond subgraph's hash is its bond's; larger subgraphs
//! hash their sorted bond hashes followed by their atom count. The hash modulo the size is one
//! bit; each further bit per hash comes from a small Mersenne twister seeded with the hash.

use super::bits::FingerprintBits;
use super::boost_hash::{SmallTwister, combine, hash_values};
use super::rdkit_form;
use super::subgraphs::for_each_connected_bond_set;
use crate::chem::Molecule;

/// RDKit's code for an aromatic bond (`Bond::AROMATIC`); other bonds use their order.
const AROMATIC_BOND: u32 = 12;

/// The parameters of `RDKFingerprint` this implementation supports, with its defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RdkitPathOptions {
    /// Smallest subgraph, in bonds (at least 1).
    pub min_path: u32,
    /// Largest subgraph, in bonds.
    pub max_path: u32,
    /// Fingerprint length in bits (at least 1).
    pub fp_size: u32,
    /// Bits set per subgraph (at least 1).
    pub bits_per_hash: u32,
    /// Whether bond types enter the hash (otherwise every bond hashes as 1).
    pub use_bond_order: bool,
}

impl Default for RdkitPathOptions {
    fn default() -> RdkitPathOptions {
        RdkitPathOptions {
            min_path: 1,
            max_path: 7,
            fp_size: 2048,
            bits_per_hash: 2,
            use_bond_order: true,
        }
    }
}

/// Why a set of options cannot make a fingerprint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadPathOptions(&'static str);

impl std::fmt::Display for BadPathOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for BadPathOptions {}

impl RdkitPathOptions {
    pub fn check(&self) -> Result<(), BadPathOptions> {
        if self.min_path == 0 {
            return Err(BadPathOptions(
                "the smallest path must have at least 1 bond",
            ));
        }
        if self.max_path < self.min_path {
            return Err(BadPathOptions(
                "the largest path is shorter than the smallest",
            ));
        }
        if self.fp_size == 0 {
            return Err(BadPathOptions("the fingerprint needs at least 1 bit"));
        }
        if self.bits_per_hash == 0 {
            return Err(BadPathOptions("each path must set at least 1 bit"));
        }
        Ok(())
    }
}

/// The RDKit path fingerprint of `mol` (`RDKFingerprint(mol)` with `RdkitPathOptions`' fields
/// as its arguments).
pub fn rdkit_path_bits(
    mol: &Molecule,
    options: &RdkitPathOptions,
) -> Result<FingerprintBits, BadPathOptions> {
    options.check()?;
    Ok(rdkit_path_bits_of(&rdkit_form(mol), options))
}

/// As [`rdkit_path_bits`] on a molecule already in [`rdkit_form`], with checked options.
pub fn rdkit_path_bits_of(mol: &Molecule, options: &RdkitPathOptions) -> FingerprintBits {
    let mut fp = FingerprintBits::new(options.fp_size);
    let atom_codes: Vec<u32> = mol
        .atom_values()
        .map(|a| (u32::from(a.element.atomic_number()) % 128) << 1 | u32::from(a.aromatic))
        .collect();
    let ends: Vec<(usize, usize)> = mol
        .bonds_with_atoms()
        .map(|(x, y, _)| (x.index(), y.index()))
        .collect();
    let bond_codes: Vec<u32> = mol
        .bond_values()
        .map(|b| match (options.use_bond_order, b.aromatic) {
            (false, _) => 1,
            (true, true) => AROMATIC_BOND,
            (true, false) => u32::from(b.order.valence()),
        })
        .collect();
    let mut bonds_at = vec![Vec::new(); mol.atom_count()];
    for (b, &(x, y)) in ends.iter().enumerate() {
        bonds_at[x].push(b);
        bonds_at[y].push(b);
    }

    // Per-subgraph scratch: atom degrees inside the subgraph (reset after each), bond hashes.
    let mut degree = vec![0u32; mol.atom_count()];
    let mut hashes: Vec<u32> = Vec::with_capacity(options.max_path as usize + 1);
    let min = options.min_path as usize;
    for_each_connected_bond_set(&ends, &bonds_at, options.max_path as usize, |set| {
        if set.len() < min {
            return;
        }
        let mut atoms = 0u32;
        for &b in set {
            let (x, y) = ends[b];
            for a in [x, y] {
                if degree[a] == 0 {
                    atoms += 1;
                }
                degree[a] += 1;
            }
        }
        hashes.clear();
        for (i, &b) in set.iter().enumerate() {
            let (x, y) = ends[b];
            let touching = set
                .iter()
                .enumerate()
                .filter(|&(j, &o)| j != i && shares_atom(ends[o], (x, y)))
                .count() as u32;
            let (mut code1, mut code2) = (atom_codes[x], atom_codes[y]);
            let (mut deg1, mut deg2) = (degree[x], degree[y]);
            if code1 < code2 {
                std::mem::swap(&mut code1, &mut code2);
                std::mem::swap(&mut deg1, &mut deg2);
            } else if code1 == code2 && deg1 < deg2 {
                std::mem::swap(&mut deg1, &mut deg2);
            }
            let mut h = touching;
            for v in [bond_codes[b], code1, deg1, code2, deg2] {
                combine(&mut h, v);
            }
            hashes.push(h);
        }
        for &b in set {
            let (x, y) = ends[b];
            degree[x] = 0;
            degree[y] = 0;
        }
        let seed = if hashes.len() == 1 {
            hashes[0]
        } else {
            hashes.sort_unstable();
            hashes.push(atoms);
            hash_values(hashes.iter().copied())
        };
        fp.set(seed % options.fp_size);
        if options.bits_per_hash > 1 {
            let mut twister = SmallTwister::new(seed);
            for _ in 1..options.bits_per_hash {
                fp.set(twister.next_nonnegative_i32() % options.fp_size);
            }
        }
    });
    fp
}

fn shares_atom((p, q): (usize, usize), (r, s): (usize, usize)) -> bool {
    p == r || p == s || q == r || q == s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chem::smiles::parse_molecule;

    fn bits(smiles: &str) -> Vec<u32> {
        rdkit_path_bits(
            &parse_molecule(smiles).unwrap(),
            &RdkitPathOptions::default(),
        )
        .unwrap()
        .on_bits()
        .collect()
    }

    #[test]
    fn small_molecules_give_rdkits_bits() {
        // Chem.RDKFingerprint(Chem.MolFromSmiles(...)).GetOnBits() in RDKit 2026.09.
        assert_eq!(bits("CCO"), vec![562, 1183, 1308, 1339, 1728, 1772]);
        assert_eq!(bits("CC(C)C"), vec![173, 709, 1308, 1405, 1772, 1813]);
        assert_eq!(bits("C1CC1"), vec![581, 709, 1308, 1442, 1772, 1813]);
    }

    #[test]
    fn bad_options_are_refused() {
        let mol = parse_molecule("CC").unwrap();
        for bad in [
            RdkitPathOptions {
                min_path: 0,
                ..RdkitPathOptions::default()
            },
            RdkitPathOptions {
                max_path: 0,
                ..RdkitPathOptions::default()
            },
            RdkitPathOptions {
                fp_size: 0,
                ..RdkitPathOptions::default()
            },
        ] {
            assert!(rdkit_path_bits(&mol, &bad).is_err());
        }
    }
}
