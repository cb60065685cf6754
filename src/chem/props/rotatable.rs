//! Rotatable bonds, as RDKit's default (strict) definition counts them: a non-ring single bond
//! between two non-terminal atoms, neither of them in a triple bond, not to a CF3, CCl3, CBr3 or
//! tert-butyl carbon, and not the C–X bond of an amide, ester, thioamide or amidine-like group
//! (such bonds are conjugated and do not rotate freely). Terminal means one non-hydrogen
//! neighbour, so a CD3 group is terminal like a CH3 (as RDKit counts it).

use crate::chem::{AtomIdx, Element, Molecule};

use super::counts::ring_bonds;
use super::environment::{AtomEnvironment, BondKind, bond_kind};

fn is_aliphatic(mol: &Molecule, i: AtomIdx, e: Element) -> bool {
    let atom = mol.atom(i);
    atom.element == e && !atom.aromatic
}

/// `!$(*#*) & !D1 & !$(C(F)(F)F) & !$(C(Cl)(Cl)Cl) & !$(C(Br)(Br)Br) & !$(C([CH3])([CH3])[CH3])`
fn can_rotate(mol: &Molecule, i: AtomIdx) -> bool {
    let env = AtomEnvironment::of(mol, i);
    if env.triple > 0 || env.heavy_neighbors() <= 1 {
        return false;
    }
    if is_aliphatic(mol, i, Element::C) {
        let neighbors = mol.neighbors(i);
        let count =
            |pred: &dyn Fn(AtomIdx) -> bool| neighbors.iter().filter(|(n, _)| pred(*n)).count();
        for halogen in [Element::F, Element::CL, Element::BR] {
            if count(&|n| mol.atom(n).element == halogen) >= 3 {
                return false;
            }
        }
        let methyl = |n: AtomIdx| {
            is_aliphatic(mol, n, Element::C) && AtomEnvironment::of(mol, n).hydrogens == 3
        };
        if count(&methyl) >= 3 {
            return false;
        }
    }
    true
}

/// `[CD3](=[N,O,S])-!@[#7,O,S!D1]` or `[CD3](=[N+])-!@[#7!D1]` anchored at `c`: an amide-like
/// carbon, looked at through any of its acyclic single bonds.
fn is_amide_like_carbon(mol: &Molecule, c: AtomIdx, ring: &[bool]) -> bool {
    if !is_aliphatic(mol, c, Element::C) || AtomEnvironment::of(mol, c).heavy_neighbors() != 3 {
        return false;
    }
    let neighbors = mol.neighbors(c);
    let double_to = |pred: &dyn Fn(AtomIdx) -> bool| {
        neighbors
            .iter()
            .any(|&(n, b)| bond_kind(mol.bond(b)) == BondKind::Double && pred(n))
    };
    let acyclic_single_to = |pred: &dyn Fn(AtomIdx) -> bool| {
        neighbors.iter().any(|&(n, b)| {
            bond_kind(mol.bond(b)) == BondKind::Single && !ring[b.index()] && pred(n)
        })
    };
    let not_terminal = |n: AtomIdx| AtomEnvironment::of(mol, n).heavy_neighbors() != 1;
    let hetero = |n: AtomIdx| {
        [Element::N, Element::O, Element::S]
            .iter()
            .any(|&e| is_aliphatic(mol, n, e))
    };
    let amide_partner = |n: AtomIdx| {
        mol.atom(n).element == Element::N
            || is_aliphatic(mol, n, Element::O)
            || (is_aliphatic(mol, n, Element::S) && not_terminal(n))
    };
    let cationic_n = |n: AtomIdx| is_aliphatic(mol, n, Element::N) && mol.atom(n).charge == 1;
    let amidinium_partner = |n: AtomIdx| mol.atom(n).element == Element::N && not_terminal(n);
    (double_to(&hetero) && acyclic_single_to(&amide_partner))
        || (double_to(&cationic_n) && acyclic_single_to(&amidinium_partner))
}

/// `[#7,O,S!D1]-!@[CD3]=[N,O,S]` (and the amidinium analogue) anchored at `x`.
fn is_amide_like_heteroatom(mol: &Molecule, x: AtomIdx, ring: &[bool]) -> bool {
    mol.neighbors(x).into_iter().any(|(c, b)| {
        bond_kind(mol.bond(b)) == BondKind::Single
            && !ring[b.index()]
            && is_amide_like_carbon_via(mol, c, x)
    })
}

/// Whether `c` is an amide-like carbon whose single-bonded partner is `x`.
fn is_amide_like_carbon_via(mol: &Molecule, c: AtomIdx, x: AtomIdx) -> bool {
    if !is_aliphatic(mol, c, Element::C) || AtomEnvironment::of(mol, c).heavy_neighbors() != 3 {
        return false;
    }
    let x_atom = mol.atom(x);
    let x_not_terminal = AtomEnvironment::of(mol, x).heavy_neighbors() != 1;
    let x_amide = x_atom.element == Element::N
        || is_aliphatic(mol, x, Element::O)
        || (is_aliphatic(mol, x, Element::S) && x_not_terminal);
    let x_amidinium = x_atom.element == Element::N && x_not_terminal;
    mol.neighbors(c).into_iter().any(|(n, b)| {
        if n == x || bond_kind(mol.bond(b)) != BondKind::Double {
            return false;
        }
        let hetero = [Element::N, Element::O, Element::S]
            .iter()
            .any(|&e| is_aliphatic(mol, n, e));
        let cationic_n = is_aliphatic(mol, n, Element::N) && mol.atom(n).charge == 1;
        (x_amide && hetero) || (x_amidinium && cationic_n)
    })
}

/// The first atom of RDKit's strict pattern also excludes amide-like atoms.
fn can_rotate_strict(mol: &Molecule, i: AtomIdx, ring: &[bool]) -> bool {
    can_rotate(mol, i)
        && !is_amide_like_carbon(mol, i, ring)
        && !is_amide_like_heteroatom(mol, i, ring)
}

/// Number of rotatable bonds (RDKit `NumRotatableBonds`, strict definition).
pub fn rotatable_bond_count(mol: &Molecule) -> usize {
    let ring = ring_bonds(mol);
    mol.bonds()
        .filter(|&b| {
            let kind = bond_kind(mol.bond(b));
            if !matches!(kind, BondKind::Single | BondKind::Aromatic) || ring[b.index()] {
                return false;
            }
            let (x, y) = mol.bond_atoms(b);
            if mol.atom(x).element == Element::H || mol.atom(y).element == Element::H {
                return false;
            }
            (can_rotate_strict(mol, x, &ring) && can_rotate(mol, y))
                || (can_rotate_strict(mol, y, &ring) && can_rotate(mol, x))
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chem::props::test_mol;

    #[test]
    fn ethanol_and_aspirin_rotors() {
        assert_eq!(rotatable_bond_count(&test_mol::ethanol()), 0);
        // Aspirin: the aryl O–c and c–C(acid) bonds; the ester C(=O)–O bond is amide-like
        // and the methyl and OH ends are terminal (RDKit also counts 2).
        assert_eq!(rotatable_bond_count(&test_mol::aspirin()), 2);
    }
}
