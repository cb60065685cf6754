//! Topological polar surface area (Ertl, Rohde & Selzer, J. Med. Chem. 2000, 43, 3714): a sum
//! of tabulated contributions of N and O atoms, typed by their hydrogens, charge, aromaticity
//! and bonds. S and P are left out, as in the paper's main model and RDKit's default.

use crate::chem::{AtomIdx, Element, Molecule};

use super::environment::{AtomEnvironment, in_three_ring};

/// Contribution of one atom in Å², from Ertl et al.'s Table 1. Types the table lacks get the
/// fallback RDKit uses (a linear estimate from neighbours and hydrogens).
pub fn contribution(mol: &Molecule, i: AtomIdx) -> f64 {
    let atom = mol.atom(i);
    let env = AtomEnvironment::of(mol, i);
    let (s, d, t, a, h) = (
        env.single,
        env.double,
        env.triple,
        env.aromatic,
        env.hydrogens,
    );
    let heavy = env.heavy_neighbors();
    let charge = atom.charge;
    match atom.element {
        Element::N => nitrogen(mol, i, (s, d, t, a, h), charge)
            .unwrap_or_else(|| 30.5 - f64::from(heavy) * 8.2 + f64::from(h) * 1.5),
        Element::O => oxygen(mol, i, (s, d, a, h), charge)
            .unwrap_or_else(|| 28.5 - f64::from(heavy) * 8.6 + f64::from(h) * 1.5),
        _ => 0.0,
    }
}

type Bonds = (u32, u32, u32, u32, u32);

fn nitrogen(mol: &Molecule, i: AtomIdx, bonds: Bonds, charge: i8) -> Option<f64> {
    let (s, d, t, a, h) = bonds;
    let value = match (charge, h, s, d, t, a) {
        (0, 0, 3, 0, 0, 0) if in_three_ring(mol, i) => 3.01,
        (0, 0, 3, 0, 0, 0) => 3.24,
        (0, 0, 1, 1, 0, 0) => 12.36,
        (0, 0, 0, 0, 1, 0) => 23.79,
        (0, 0, 1, 2, 0, 0) => 11.68,
        (0, 0, 0, 1, 1, 0) => 13.60,
        (0, 1, 2, 0, 0, 0) if in_three_ring(mol, i) => 21.94,
        (0, 1, 2, 0, 0, 0) => 12.03,
        (0, 1, 0, 1, 0, 0) => 23.85,
        (0, 2, 1, 0, 0, 0) => 26.02,
        (0, 0, 0, 0, 0, 2) => 12.89,
        (0, 0, 0, 0, 0, 3) => 4.41,
        (0, 0, 1, 0, 0, 2) => 4.93,
        (0, 0, 0, 1, 0, 2) => 8.39,
        (0, 1, 0, 0, 0, 2) => 15.79,
        (1, 0, 4, 0, 0, 0) => 0.00,
        (1, 0, 2, 1, 0, 0) => 3.01,
        (1, 0, 1, 0, 1, 0) => 4.36,
        (1, 1, 3, 0, 0, 0) => 4.44,
        (1, 1, 1, 1, 0, 0) => 13.97,
        (1, 2, 2, 0, 0, 0) => 16.61,
        (1, 2, 0, 1, 0, 0) => 25.59,
        (1, 3, 1, 0, 0, 0) => 27.64,
        (1, 0, 0, 0, 0, 3) => 4.10,
        (1, 0, 1, 0, 0, 2) => 3.88,
        (1, 1, 0, 0, 0, 2) => 14.14,
        _ => return None,
    };
    Some(value)
}

fn oxygen(mol: &Molecule, i: AtomIdx, bonds: (u32, u32, u32, u32), charge: i8) -> Option<f64> {
    let (s, d, a, h) = bonds;
    let value = match (charge, h, s, d, a) {
        (0, 0, 2, 0, 0) if in_three_ring(mol, i) => 12.53,
        (0, 0, 2, 0, 0) => 9.23,
        (0, 0, 0, 1, 0) => 17.07,
        (0, 1, 1, 0, 0) => 20.23,
        (-1, 0, 1, 0, 0) => 23.06,
        (0, 0, 0, 0, 2) => 13.14,
        _ => return None,
    };
    Some(value)
}

/// TPSA in Å².
pub fn tpsa(mol: &Molecule) -> f64 {
    mol.atoms().map(|i| contribution(mol, i)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chem::props::test_mol;

    #[test]
    fn aspirin_tpsa_is_63_6() {
        // 2 × C=O (17.07) + ester O (9.23) + OH (20.23); RDKit and Ertl's paper give 63.60.
        assert!((tpsa(&test_mol::aspirin()) - 63.60).abs() < 1e-9);
    }

    #[test]
    fn ethanol_tpsa_is_one_hydroxyl() {
        assert!((tpsa(&test_mol::ethanol()) - 20.23).abs() < 1e-9);
    }
}
