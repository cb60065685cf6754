//! The RDKit path fingerprint (`Chem.RDKFingerprint`, or equally `rdFingerprintGenerator.
//! GetRDKitFPGenerator(fpSize=2048)`): every connected subgraph of 1 to 7 bonds is hashed from
//! its bonds, and the hash sets bits.
//!
//! A bond's hash combines the number of subgraph bonds it touches, its type (aromatic or
//! order), and the two atoms' codes (atomic number and aromatic flag) with their degrees inside
//! the subgraph, larger code first. A one-bond subgraph's hash is its bond's; larger subgraphs
//! hash their sorted bond hashes followed by their atom count. The hash modulo the size is one
//! bit; each further bit per hash comes from a small Mersenne twister seeded with the hash.

use super::bits::FingerprintBits;
use super::boost_hash::{SmallTwister, combine, hash_values};
use super::rdkit_form;
use super::subgraphs::BondGraph;
use crate::chem::Molecule;
use std::ops::ControlFlow;

/// RDKit's code for an aromatic bond (`Bond::AROMATIC`); other bonds use their order.
const AROMATIC_BOND: u32 = 12;

/// The default bound on subgraphs hashed for one molecule. ChEBI-20 and the approved drugs
/// have at most 22,039 subgraphs of 1 to 7 bonds (median 1,016); an atom with dozens of
/// ligands has billions, which would never finish, so such a molecule is refused instead.
pub const MAX_SUBGRAPHS: u64 = 20_000_000;

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
    /// A molecule with more subgraphs than this is refused (RDKit has no bound).
    pub max_subgraphs: u64,
}

impl Default for RdkitPathOptions {
    fn default() -> RdkitPathOptions {
        RdkitPathOptions {
            min_path: 1,
            max_path: 7,
            fp_size: 2048,
            bits_per_hash: 2,
            use_bond_order: true,
            max_subgraphs: MAX_SUBGRAPHS,
        }
    }
}

/// Why a path fingerprint could not be made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathFingerprintError {
    /// The options cannot make a fingerprint (the reason says which).
    BadOptions(&'static str),
    /// The molecule has more than `max_subgraphs` subgraphs within the path length.
    TooManySubgraphs { max_subgraphs: u64, max_path: u32 },
}

impl std::fmt::Display for PathFingerprintError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PathFingerprintError::BadOptions(why) => f.write_str(why),
            PathFingerprintError::TooManySubgraphs {
                max_subgraphs,
                max_path,
            } => write!(
                f,
                "the molecule has more than {max_subgraphs} connected subgraphs of up to \
                 {max_path} bonds (an atom with very many neighbours); no path fingerprint"
            ),
        }
    }
}

impl std::error::Error for PathFingerprintError {}

impl RdkitPathOptions {
    pub fn check(&self) -> Result<(), PathFingerprintError> {
        if self.min_path == 0 {
            return Err(PathFingerprintError::BadOptions(
                "the smallest path must have at least 1 bond",
            ));
        }
        if self.max_path < self.min_path {
            return Err(PathFingerprintError::BadOptions(
                "the largest path is shorter than the smallest",
            ));
        }
        if self.fp_size == 0 {
            return Err(PathFingerprintError::BadOptions(
                "the fingerprint needs at least 1 bit",
            ));
        }
        if self.bits_per_hash == 0 {
            return Err(PathFingerprintError::BadOptions(
                "each path must set at least 1 bit",
            ));
        }
        Ok(())
    }
}

/// The RDKit path fingerprint of `mol` (`RDKFingerprint(mol)` with `RdkitPathOptions`' fields
/// as its arguments).
pub fn rdkit_path_bits(
    mol: &Molecule,
    options: &RdkitPathOptions,
) -> Result<FingerprintBits, PathFingerprintError> {
    options.check()?;
    rdkit_path_bits_of(&rdkit_form(mol), options)
}

/// As [`rdkit_path_bits`] on a molecule already in [`rdkit_form`].
pub fn rdkit_path_bits_of(
    mol: &Molecule,
    options: &RdkitPathOptions,
) -> Result<FingerprintBits, PathFingerprintError> {
    options.check()?;
    let mut fp = FingerprintBits::new(options.fp_size);
    let atom_codes: Vec<u32> = mol
        .atom_values()
        .map(|a| (u32::from(a.element.atomic_number()) % 128) << 1 | u32::from(a.aromatic))
        .collect();
    let graph = BondGraph::new(
        mol.atom_count(),
        mol.bonds_with_atoms()
            .map(|(x, y, _)| (x.index(), y.index()))
            .collect(),
    );
    let bond_codes: Vec<u32> = mol
        .bond_values()
        .map(|b| match (options.use_bond_order, b.aromatic) {
            (false, _) => 1,
            (true, true) => AROMATIC_BOND,
            (true, false) => u32::from(b.order.valence()),
        })
        .collect();

    // Per-subgraph scratch: atom degrees inside the subgraph (reset after each), bond hashes.
    let mut degree = vec![0u32; mol.atom_count()];
    let mut hashes: Vec<u32> = Vec::with_capacity(options.max_path as usize + 1);
    let min = options.min_path as usize;
    let ends = &graph.ends;
    let mut visited = 0u64;
    let flow = graph.for_each_connected_set(options.max_path as usize, |set| {
        visited += 1;
        if visited > options.max_subgraphs {
            return ControlFlow::Break(());
        }
        if set.len() < min {
            return ControlFlow::Continue(());
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
                .filter(|&(j, &o)| j != i && graph.touch(o, b))
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
        ControlFlow::Continue(())
    });
    match flow {
        ControlFlow::Continue(()) => Ok(fp),
        ControlFlow::Break(()) => Err(PathFingerprintError::TooManySubgraphs {
            max_subgraphs: options.max_subgraphs,
            max_path: options.max_path,
        }),
    }
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
    fn an_atom_with_very_many_ligands_is_refused_not_enumerated_forever() {
        // 60 ligands on one atom: C(60, 7) = 386 million stars of 7 bonds alone. The bound is
        // lowered here so that the refusal comes quickly in a debug build.
        let smiles = format!("[Fe]{}", "(C)".repeat(60));
        let mol = parse_molecule(&smiles).unwrap();
        let options = RdkitPathOptions {
            max_subgraphs: 100_000,
            ..RdkitPathOptions::default()
        };
        assert_eq!(
            rdkit_path_bits(&mol, &options),
            Err(PathFingerprintError::TooManySubgraphs {
                max_subgraphs: 100_000,
                max_path: 7
            })
        );
        // Under the bound, the same kind of molecule is fingerprinted.
        let small = parse_molecule("[Fe](C)(C)(C)(C)(C)(C)").unwrap();
        assert!(rdkit_path_bits(&small, &options).is_ok());
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
