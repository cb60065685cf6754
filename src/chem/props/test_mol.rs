//! Hand-built molecules for unit tests (the SMILES reader lives elsewhere and tests here must not
//! depend on it).

use crate::chem::{Atom, Bond, BondOrder, Element, Molecule};

/// One atom: symbol (lower case = aromatic), hydrogens, charge, isotope (0 = none).
pub type A<'a> = (&'a str, u8, i8, u16);
/// One bond: atom indices and Kekulé order; `arom` marks aromatic bonds.
pub type B = (usize, usize, u8, bool);

pub fn build(atoms: &[A], bonds: &[B]) -> Molecule {
    let mut m = Molecule::new();
    let idx: Vec<_> = atoms
        .iter()
        .map(|&(sym, h, charge, iso)| {
            let aromatic = sym.chars().next().is_some_and(|c| c.is_ascii_lowercase());
            let mut canon = sym.to_string();
            if aromatic {
                canon[..1].make_ascii_uppercase();
            }
            let mut atom = Atom::new(Element::from_symbol(&canon).expect("test element"));
            atom.aromatic = aromatic;
            atom.hydrogens = h;
            atom.charge = charge;
            atom.isotope = (iso != 0).then_some(iso);
            m.add_atom(atom)
        })
        .collect();
    for &(a, b, order, arom) in bonds {
        let mut bond = Bond::new(BondOrder::from_valence(order).expect("test bond order"));
        bond.aromatic = arom;
        m.add_bond(idx[a], idx[b], bond);
    }
    m
}

pub fn ethanol() -> Molecule {
    build(
        &[("C", 3, 0, 0), ("C", 2, 0, 0), ("O", 1, 0, 0)],
        &[(0, 1, 1, false), (1, 2, 1, false)],
    )
}

pub fn acetate() -> Molecule {
    build(
        &[
            ("C", 3, 0, 0),
            ("C", 0, 0, 0),
            ("O", 0, 0, 0),
            ("O", 0, -1, 0),
        ],
        &[(0, 1, 1, false), (1, 2, 2, false), (1, 3, 1, false)],
    )
}

/// Aspirin, `CC(=O)Oc1ccccc1C(=O)O`, in Kekulé form with aromatic flags.
pub fn aspirin() -> Molecule {
    build(
        &[
            ("C", 3, 0, 0),
            ("C", 0, 0, 0),
            ("O", 0, 0, 0),
            ("O", 0, 0, 0),
            ("c", 0, 0, 0),
            ("c", 1, 0, 0),
            ("c", 1, 0, 0),
            ("c", 1, 0, 0),
            ("c", 1, 0, 0),
            ("c", 0, 0, 0),
            ("C", 0, 0, 0),
            ("O", 0, 0, 0),
            ("O", 1, 0, 0),
        ],
        &[
            (0, 1, 1, false),
            (1, 2, 2, false),
            (1, 3, 1, false),
            (3, 4, 1, false),
            (4, 5, 2, true),
            (5, 6, 1, true),
            (6, 7, 2, true),
            (7, 8, 1, true),
            (8, 9, 2, true),
            (9, 4, 1, true),
            (9, 10, 1, false),
            (10, 11, 2, false),
            (10, 12, 1, false),
        ],
    )
}
