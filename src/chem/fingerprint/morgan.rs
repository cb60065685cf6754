//! Morgan (ECFP-like) fingerprints as RDKit computes them (`GetMorganFingerprint`,
//! `GetMorganFingerprintAsBitVect`, `rdFingerprintGenerator.GetMorganGenerator`), without
//! chirality.
//!
//! Each atom starts from a hash of its connectivity invariants (atomic number, total degree,
//! hydrogens, formal charge, isotope mass offset, ring membership). Every round, an atom's new
//! identifier hashes the round number, its identifier and the sorted (bond type, neighbour
//! identifier) pairs. An environment, the set of bonds within the round's radius, is emitted
//! once: of atoms whose environments cover the same bonds in one round, only the smallest
//! identifier counts, and an environment seen in an earlier round is dropped. Atoms whose
//! environment was dropped, and isolated atoms, take no further part; their identifier reads as
//! 0 to their neighbours from the round after next, as in RDKit.

use super::bits::{FingerprintBits, SparseCounts};
use super::boost_hash::{combine, hash_pair, hash_values};
use super::rdkit_form;
use crate::chem::mol::Adjacency;
use crate::chem::props::masses::{atomic_weight, isotope_mass};
use crate::chem::rings::ring_atom_flags;
use crate::chem::word_hash::WordHashSet;
use crate::chem::{Atom, Element, Molecule};

/// RDKit's code for an aromatic bond (`Bond::AROMATIC`); other bonds use their order.
const AROMATIC_BOND: u32 = 12;

/// The unfolded Morgan fingerprint of `mol`: each environment's 32-bit identifier with the
/// number of atoms that produced it (RDKit's `GetMorganFingerprint(mol, radius)`).
pub fn morgan_counts(mol: &Molecule, radius: u32) -> SparseCounts {
    morgan_counts_of(&rdkit_form(mol), radius)
}

/// The Morgan fingerprint folded onto `n_bits` bits: identifier modulo `n_bits`
/// (`GetMorganFingerprintAsBitVect(mol, radius, nBits)`). `n_bits` must be positive.
pub fn morgan_bits(mol: &Molecule, radius: u32, n_bits: u32) -> FingerprintBits {
    morgan_bits_of(&rdkit_form(mol), radius, n_bits)
}

/// As [`morgan_counts`] on a molecule already in [`rdkit_form`].
pub fn morgan_counts_of(mol: &Molecule, radius: u32) -> SparseCounts {
    SparseCounts::from_ids(morgan_identifiers(mol, radius))
}

/// As [`morgan_bits`] on a molecule already in [`rdkit_form`].
pub fn morgan_bits_of(mol: &Molecule, radius: u32, n_bits: u32) -> FingerprintBits {
    let mut fp = FingerprintBits::new(n_bits);
    for id in morgan_identifiers(mol, radius) {
        fp.set(id);
    }
    fp
}

/// Every environment's identifier, one per emitted environment (repeats are real: two atoms
/// with equal environments count twice). `mol` must already be in [`rdkit_form`].
pub fn morgan_identifiers(mol: &Molecule, radius: u32) -> Vec<u32> {
    let n = mol.atom_count();
    let adj = Adjacency::new(mol);
    let bond_codes: Vec<u32> = mol
        .bond_values()
        .map(|b| {
            if b.aromatic {
                AROMATIC_BOND
            } else {
                u32::from(b.order.valence())
            }
        })
        .collect();
    let mut current = atom_invariants(mol);
    let mut ids = current.clone();
    if n == 0 || radius == 0 {
        return ids;
    }

    // Environments as bond bit sets, one row of `words` per atom: the previous round's and the
    // one being grown (which keeps what it had, as RDKit's does).
    let words = mol.bond_count().div_ceil(64).max(1);
    let mut previous_env = vec![0u64; n * words];
    let mut env = vec![0u64; n * words];
    let mut next = vec![0u32; n];
    let mut dead = vec![false; n];
    let mut seen = SeenEnvironments::new(words);
    let mut neighbours: Vec<(i32, u32)> = Vec::with_capacity(8);
    let mut round: Vec<(usize, u32)> = Vec::with_capacity(n);

    for layer in 0..radius {
        // Once every atom is out, later rounds add nothing (this also bounds a huge radius).
        if dead.iter().all(|&d| d) {
            break;
        }
        round.clear();
        for a in 0..n {
            if dead[a] {
                continue;
            }
            if adj[a].is_empty() {
                dead[a] = true;
                continue;
            }
            neighbours.clear();
            for &(other, bond) in &adj[a] {
                env[a * words + bond / 64] |= 1u64 << (bond % 64);
                for w in 0..words {
                    env[a * words + w] |= previous_env[other * words + w];
                }
                neighbours.push((bond_codes[bond] as i32, current[other]));
            }
            neighbours.sort_unstable();
            let mut id = layer;
            combine(&mut id, current[a]);
            for &(bond_code, neighbour_id) in &neighbours {
                combine(&mut id, hash_pair(bond_code as u32, neighbour_id));
            }
            next[a] = id;
            round.push((a, id));
        }

        let row = |a: usize| &env[a * words..(a + 1) * words];
        round.sort_unstable_by(|x, y| {
            row(x.0)
                .cmp(row(y.0))
                .then(x.1.cmp(&y.1))
                .then(x.0.cmp(&y.0))
        });
        for &(a, id) in &round {
            if seen.insert(row(a)) {
                ids.push(id);
            } else {
                dead[a] = true;
            }
        }

        std::mem::swap(&mut current, &mut next);
        next.fill(0);
        previous_env.copy_from_slice(&env);
    }
    ids
}

/// Bond sets already emitted. Most molecules have at most 64 bonds, so their sets are single
/// words and need no allocation each.
enum SeenEnvironments {
    OneWord(WordHashSet<u64>),
    Wide(WordHashSet<Vec<u64>>),
}

impl SeenEnvironments {
    fn new(words: usize) -> SeenEnvironments {
        if words == 1 {
            SeenEnvironments::OneWord(WordHashSet::default())
        } else {
            SeenEnvironments::Wide(WordHashSet::default())
        }
    }

    /// Adds a bond set; false when it was already there.
    fn insert(&mut self, row: &[u64]) -> bool {
        match self {
            SeenEnvironments::OneWord(set) => set.insert(row[0]),
            SeenEnvironments::Wide(set) => set.insert(row.to_vec()),
        }
    }
}

/// RDKit's connectivity invariants (`getConnectivityInvariants` with ring membership), hashed:
/// atomic number, total degree (hydrogens included), total hydrogens (graph ones included),
/// formal charge, mass offset, and 1 for a ring atom.
fn atom_invariants(mol: &Molecule) -> Vec<u32> {
    let in_ring = ring_atom_flags(mol);
    mol.atoms()
        .map(|i| {
            let atom = mol.atom(i);
            let implicit = u32::from(atom.hydrogens);
            // Hydrogen atoms left in the graph ([2H], [H+]...) count among the hydrogens too.
            let graph_hydrogens = mol
                .bonds_at(i)
                .filter(|&(other, _)| mol.atom(other).element == Element::H)
                .count() as u32;
            let fields = [
                u32::from(atom.element.atomic_number()),
                mol.degree(i) as u32 + implicit,
                implicit + graph_hydrogens,
                i32::from(atom.charge) as u32,
                mass_offset(atom) as u32,
            ];
            if in_ring[i.index()] {
                hash_values(fields.into_iter().chain([1]))
            } else {
                hash_values(fields)
            }
        })
        .collect()
}

/// The atom's mass minus its element's standard atomic weight, truncated toward zero: 0 for an
/// unlabelled atom, about +1 for `[2H]` or `[13C]`... An isotope with no tabulated mass weighs
/// its mass number, and a labelled `*` weighs nothing (RDKit's conventions).
fn mass_offset(atom: &Atom) -> i32 {
    let Some(mass_number) = atom.isotope.filter(|&a| a != 0) else {
        return 0;
    };
    let mass = if atom.element == Element::WILDCARD {
        0.0
    } else {
        isotope_mass(atom.element, mass_number).unwrap_or(f64::from(mass_number))
    };
    (mass - atomic_weight(atom.element)) as i32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chem::smiles::parse_molecule;

    fn counts(smiles: &str) -> Vec<(u32, u32)> {
        morgan_counts(&parse_molecule(smiles).unwrap(), 2)
            .entries()
            .to_vec()
    }

    #[test]
    fn methane_has_one_environment_with_rdkits_identifier() {
        assert_eq!(counts("C"), vec![(2_246_733_040, 1)]);
    }

    #[test]
    fn graph_hydrogens_count_on_their_neighbour() {
        // RDKit: GetMorganFingerprint([2H]C, 2) and ([2H][2H], 2).
        assert_eq!(
            counts("[2H]C"),
            vec![(1_481_020_642, 1), (2_246_733_040, 1), (4_277_593_707, 1)]
        );
        assert_eq!(
            counts("[2H][2H]"),
            vec![(1_087_646_443, 1), (4_277_646_648, 2)]
        );
    }

    #[test]
    fn kekule_aromatic_and_explicit_hydrogen_forms_agree() {
        assert_eq!(counts("c1ccccc1O"), counts("OC1=CC=CC=C1"));
        assert_eq!(counts("CO"), counts("[H]OC([H])([H])[H]"));
    }

    #[test]
    fn folded_bits_are_identifiers_modulo_size() {
        let mol = parse_molecule("CC(=O)Oc1ccccc1C(=O)O").unwrap();
        let counts = morgan_counts(&mol, 2);
        let bits = morgan_bits(&mol, 2, 1024);
        assert_eq!(bits, counts.fold(1024));
        assert!(bits.count_ones() > 10);
    }
}
