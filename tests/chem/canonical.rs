//! Canonical SMILES: one string per molecule whatever its atom order, stereo kept.

use textchem::chem::canon::{WriteOptions, canonical_reaction_smiles, canonical_smiles, renumber};
use textchem::chem::mol::{AtomStereo, DoubleBondStereo, StereoClass, StereoNeighbor};
use textchem::chem::{Atom, AtomIdx, Bond, BondIdx, BondOrder, Element, Molecule, Reaction};

/// Small deterministic generator for permutations (xorshift64*).
pub struct Shuffler(u64);

impl Shuffler {
    pub fn new(seed: u64) -> Shuffler {
        Shuffler(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut p: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            p.swap(i, j);
        }
        p
    }

    /// `mol` with atoms and bonds in a random order.
    pub fn shuffled(&mut self, mol: &Molecule) -> Molecule {
        let atoms: Vec<AtomIdx> = self
            .permutation(mol.atom_count())
            .into_iter()
            .map(AtomIdx::new)
            .collect();
        let bonds: Vec<BondIdx> = self
            .permutation(mol.bond_count())
            .into_iter()
            .map(BondIdx::new)
            .collect();
        renumber(mol, &atoms, &bonds)
    }
}

/// Hand-built molecules (heavy atoms with explicit H counts), so these tests need no parser.
struct Build(Molecule);

impl Build {
    fn new() -> Build {
        Build(Molecule::new())
    }

    fn atom(mut self, symbol: &str, hydrogens: u8) -> Build {
        let mut atom = Atom::new(Element::from_symbol(symbol).unwrap());
        atom.hydrogens = hydrogens;
        self.0.add_atom(atom);
        self
    }

    fn charged(mut self, symbol: &str, hydrogens: u8, charge: i8) -> Build {
        let mut atom = Atom::new(Element::from_symbol(symbol).unwrap());
        atom.hydrogens = hydrogens;
        atom.charge = charge;
        atom.bracket = true;
        self.0.add_atom(atom);
        self
    }

    fn bond(mut self, a: usize, b: usize, order: u8) -> Build {
        let order = BondOrder::from_valence(order).unwrap();
        self.0
            .add_bond(AtomIdx::new(a), AtomIdx::new(b), Bond::new(order));
        self
    }

    fn chiral(mut self, centre: usize, slots: &[Option<usize>], clockwise: bool) -> Build {
        let neighbors = slots
            .iter()
            .map(|s| {
                s.map_or(StereoNeighbor::Implicit, |a| {
                    StereoNeighbor::Atom(AtomIdx::new(a))
                })
            })
            .collect();
        self.0.atom_mut(AtomIdx::new(centre)).stereo = Some(AtomStereo {
            class: StereoClass::Tetrahedral { clockwise },
            neighbors,
        });
        self
    }

    fn cis_trans(mut self, a: usize, b: usize, refs: (usize, usize), cis: bool) -> Build {
        let bond = self
            .0
            .bond_between(AtomIdx::new(a), AtomIdx::new(b))
            .unwrap();
        let (first, _) = self.0.bond_atoms(bond);
        let (begin_ref, end_ref) = if first.index() == a {
            (refs.0, refs.1)
        } else {
            (refs.1, refs.0)
        };
        self.0.bond_mut(bond).stereo = Some(DoubleBondStereo {
            begin_ref: AtomIdx::new(begin_ref),
            end_ref: AtomIdx::new(end_ref),
            cis,
        });
        self
    }

    fn done(self) -> Molecule {
        self.0
    }
}

/// Asserts that `n` random atom/bond orders of `mol` all give `expected`.
fn assert_order_independent(mol: &Molecule, expected: &str, n: usize) {
    let mut shuffler = Shuffler::new(expected.len() as u64 + 7);
    assert_eq!(canonical_smiles(mol), expected);
    for _ in 0..n {
        let m = shuffler.shuffled(mol);
        assert_eq!(canonical_smiles(&m), expected, "from a shuffled order");
    }
}

fn ethanol() -> Molecule {
    Build::new()
        .atom("C", 3)
        .atom("C", 2)
        .atom("O", 1)
        .bond(0, 1, 1)
        .bond(1, 2, 1)
        .done()
}

/// Kekulé benzene with one substituent X bonded to atom 0.
fn phenyl_with(x: &str, hx: u8) -> Molecule {
    Build::new()
        .atom("C", 0)
        .atom("C", 1)
        .atom("C", 1)
        .atom("C", 1)
        .atom("C", 1)
        .atom("C", 1)
        .atom(x, hx)
        .bond(0, 1, 2)
        .bond(1, 2, 1)
        .bond(2, 3, 2)
        .bond(3, 4, 1)
        .bond(4, 5, 2)
        .bond(5, 0, 1)
        .bond(0, 6, 1)
        .done()
}

#[test]
fn ethanol_and_phenol_read_the_same_from_every_order() {
    assert_order_independent(&ethanol(), "CCO", 20);
    assert_order_independent(&phenyl_with("O", 1), "Oc1ccccc1", 50);
}

#[test]
fn the_kekule_structure_chosen_does_not_matter() {
    // Toluene with the double bonds in the other Kekulé positions.
    let other = Build::new()
        .atom("C", 0)
        .atom("C", 1)
        .atom("C", 1)
        .atom("C", 1)
        .atom("C", 1)
        .atom("C", 1)
        .atom("C", 3)
        .bond(0, 1, 1)
        .bond(1, 2, 2)
        .bond(2, 3, 1)
        .bond(3, 4, 2)
        .bond(4, 5, 1)
        .bond(5, 0, 2)
        .bond(0, 6, 1)
        .done();
    assert_eq!(
        canonical_smiles(&other),
        canonical_smiles(&phenyl_with("C", 3))
    );
    assert_eq!(canonical_smiles(&other), "Cc1ccccc1");
}

#[test]
fn kekule_output_writes_bond_orders() {
    let s = textchem::chem::canon::write_smiles(
        &phenyl_with("O", 1),
        WriteOptions {
            canonical: true,
            aromatic: false,
        },
    );
    assert_eq!(s.matches('=').count(), 3, "{s}");
    assert!(!s.contains('c'), "{s}");
}

#[test]
fn pyrrole_nitrogen_keeps_its_hydrogen_in_brackets() {
    let pyrrole = Build::new()
        .atom("N", 1)
        .atom("C", 1)
        .atom("C", 1)
        .atom("C", 1)
        .atom("C", 1)
        .bond(0, 1, 1)
        .bond(1, 2, 2)
        .bond(2, 3, 1)
        .bond(3, 4, 2)
        .bond(4, 0, 1)
        .done();
    assert_order_independent(&pyrrole, "c1cc[nH]c1", 20);
}

/// C[C@H](N)O: atoms C0, C1, N2, O3; C1 sees C0, H, N2, O3 anticlockwise.
fn alanine_core(clockwise: bool) -> Molecule {
    Build::new()
        .atom("C", 3)
        .atom("C", 1)
        .atom("N", 2)
        .atom("O", 1)
        .bond(0, 1, 1)
        .bond(1, 2, 1)
        .bond(1, 3, 1)
        .chiral(1, &[Some(0), None, Some(2), Some(3)], clockwise)
        .done()
}

#[test]
fn tetrahedral_stereo_is_canonical_and_enantiomers_differ() {
    let s = canonical_smiles(&alanine_core(false));
    let mirror = canonical_smiles(&alanine_core(true));
    assert_ne!(s, mirror);
    assert!(s.contains('@') && mirror.contains('@'));
    assert_order_independent(&alanine_core(false), &s, 30);
    assert_order_independent(&alanine_core(true), &mirror, 30);
    // N[C@@H](C)O lists the same centre as N, H, C, O clockwise: the same molecule.
    let same = Build::new()
        .atom("N", 2)
        .atom("C", 1)
        .atom("C", 3)
        .atom("O", 1)
        .bond(0, 1, 1)
        .bond(1, 2, 1)
        .bond(1, 3, 1)
        .chiral(1, &[Some(0), None, Some(2), Some(3)], true)
        .done();
    assert_eq!(canonical_smiles(&same), s);
}

#[test]
fn a_stereo_mark_on_a_centre_with_two_equal_groups_is_dropped() {
    // [C@H](C)(C)O is isopropanol: no stereocentre.
    let m = Build::new()
        .atom("C", 1)
        .atom("C", 3)
        .atom("C", 3)
        .atom("O", 1)
        .bond(0, 1, 1)
        .bond(0, 2, 1)
        .bond(0, 3, 1)
        .chiral(0, &[None, Some(1), Some(2), Some(3)], false)
        .done();
    assert_eq!(canonical_smiles(&m), "CC(C)O");
}

/// F/C=C/F (trans) or F/C=C\F (cis): F0 C1 C2 F3.
fn difluoroethene(cis: bool) -> Molecule {
    Build::new()
        .atom("F", 0)
        .atom("C", 1)
        .atom("C", 1)
        .atom("F", 0)
        .bond(0, 1, 1)
        .bond(1, 2, 2)
        .bond(2, 3, 1)
        .cis_trans(1, 2, (0, 3), cis)
        .done()
}

#[test]
fn double_bond_stereo_is_written_and_canonical() {
    assert_order_independent(&difluoroethene(false), "F/C=C/F", 20);
    assert_order_independent(&difluoroethene(true), "F/C=C\\F", 20);
}

#[test]
fn conjugated_double_bonds_share_a_direction_consistently() {
    // C/C=C/C=C\C : hexa-2,4-diene, E then Z.
    let m = Build::new()
        .atom("C", 3)
        .atom("C", 1)
        .atom("C", 1)
        .atom("C", 1)
        .atom("C", 1)
        .atom("C", 3)
        .bond(0, 1, 1)
        .bond(1, 2, 2)
        .bond(2, 3, 1)
        .bond(3, 4, 2)
        .bond(4, 5, 1)
        .cis_trans(1, 2, (0, 3), false)
        .cis_trans(3, 4, (2, 5), true)
        .done();
    let s = canonical_smiles(&m);
    assert_order_independent(&m, &s, 30);
    assert_eq!(s.matches(['/', '\\']).count(), 3, "{s}");
}

#[test]
fn salts_write_their_components_in_canonical_order() {
    let salt = Build::new()
        .charged("Na", 0, 1)
        .atom("C", 3)
        .atom("C", 0)
        .atom("O", 0)
        .charged("O", 0, -1)
        .bond(1, 2, 1)
        .bond(2, 3, 2)
        .bond(2, 4, 1)
        .done();
    let s = canonical_smiles(&salt);
    assert_order_independent(&salt, &s, 20);
    let mut parts: Vec<&str> = s.split('.').collect();
    parts.sort();
    assert_eq!(parts, vec!["CC([O-])=O", "[Na+]"]);
}

#[test]
fn reactions_join_ionic_fragments_with_tilde_and_sort_species() {
    let salt = Build::new().charged("Na", 0, 1).charged("O", 1, -1).done();
    let r = Reaction {
        reactants: vec![phenyl_with("O", 1), ethanol()],
        agents: vec![salt],
        products: vec![],
    };
    let s = canonical_reaction_smiles(&r);
    assert!(
        s == "CCO.Oc1ccccc1>[Na+]~[OH-]>" || s == "CCO.Oc1ccccc1>[OH-]~[Na+]>",
        "{s}"
    );
}
