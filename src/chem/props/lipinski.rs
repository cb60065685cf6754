//! Hydrogen-bond donors and acceptors.
//!
//! Lipinski's rule of five counts donors as the hydrogens on N and O ("NH + OH", RDKit's
//! `NHOHCount`) and acceptors as the N and O atoms (`NOCount`). RDKit's `NumHDonors` /
//! `NumHAcceptors` use narrower functional-group definitions, given here as well.

use crate::chem::{AtomIdx, Element, Molecule};

use super::counts::total_hydrogens_on;
use super::environment::{AtomEnvironment, BondKind, bond_kind};

/// Hydrogens on nitrogen and oxygen atoms (Lipinski donors).
pub fn nhoh_count(mol: &Molecule) -> u32 {
    mol.atoms()
        .filter(|&i| matches!(mol.atom(i).element, Element::N | Element::O))
        .map(|i| total_hydrogens_on(mol, i))
        .sum()
}

/// Nitrogen and oxygen atoms (Lipinski acceptors).
pub fn no_count(mol: &Molecule) -> u32 {
    mol.atoms()
        .filter(|&i| matches!(mol.atom(i).element, Element::N | Element::O))
        .count() as u32
}

/// RDKit's donor definition: N–H on a neutral trivalent or cationic tetravalent aliphatic
/// nitrogen, a neutral O–H or S–H, and a neutral aromatic n–H.
pub fn is_donor(mol: &Molecule, i: AtomIdx) -> bool {
    let atom = mol.atom(i);
    let env = AtomEnvironment::of(mol, i);
    if env.hydrogens == 0 {
        return false;
    }
    match (atom.element, atom.aromatic) {
        (Element::N, false) => env.valence == 3 || (atom.charge == 1 && env.valence == 4),
        (Element::O | Element::S, false) => env.hydrogens == 1 && atom.charge == 0,
        (Element::N, true) => env.hydrogens == 1 && atom.charge == 0,
        _ => false,
    }
}

/// Whether some single bond from `i` leads to an atom with a double bond (outside rings when
/// `acyclic_only`) to O, N, P or S — a carbonyl-like neighbour that withdraws the lone pair.
fn next_to_multiple_bond_hetero(mol: &Molecule, i: AtomIdx, acyclic_only: Option<&[bool]>) -> bool {
    mol.neighbors(i).into_iter().any(|(n, b)| {
        bond_kind(mol.bond(b)) == BondKind::Single
            && mol.neighbors(n).into_iter().any(|(x, b2)| {
                x != i
                    && bond_kind(mol.bond(b2)) == BondKind::Double
                    && acyclic_only.is_none_or(|ring| !ring[b2.index()])
                    && !mol.atom(x).aromatic
                    && matches!(
                        mol.atom(x).element,
                        Element::O | Element::N | Element::P | Element::S
                    )
            })
    })
}

/// RDKit's acceptor definition (as `CalcNumHBA` applies it, checked against RDKit 2026.09):
/// hydroxyl O/S not on a carbonyl-like atom, other divalent O/S, anionic O/S, trivalent N that
/// is not an amide-like N, pyridine-like aromatic n (two neighbours, no H, neutral), and
/// neutral aromatic o and s. Fluorine does not count.
pub fn is_acceptor(mol: &Molecule, i: AtomIdx, ring_bonds: &[bool]) -> bool {
    let atom = mol.atom(i);
    let env = AtomEnvironment::of(mol, i);
    match (atom.element, atom.aromatic) {
        (Element::O | Element::S, false) => {
            // `[O,S;-]`: exactly one negative charge (an O2- oxide is not counted).
            if atom.charge == -1 {
                return true;
            }
            if env.valence != 2 {
                return false;
            }
            match env.hydrogens {
                0 => true,
                1 => {
                    // `[O,S;H1;v2]-[!$(*=[O,N,P,S])]`: the heavy neighbour has no C=O-like bond.
                    mol.neighbors(i).into_iter().any(|(n, b)| {
                        bond_kind(mol.bond(b)) == BondKind::Single
                            && mol.atom(n).element != Element::H
                            && !mol.neighbors(n).into_iter().any(|(x, b2)| {
                                bond_kind(mol.bond(b2)) == BondKind::Double
                                    && !mol.atom(x).aromatic
                                    && matches!(
                                        mol.atom(x).element,
                                        Element::O | Element::N | Element::P | Element::S
                                    )
                            })
                    })
                }
                _ => false,
            }
        }
        (Element::N, false) => {
            env.valence == 3 && !next_to_multiple_bond_hetero(mol, i, Some(ring_bonds))
        }
        (Element::N, true) => env.hydrogens == 0 && atom.charge == 0 && env.degree == 2,
        (Element::O | Element::S, true) => atom.charge == 0,
        _ => false,
    }
}

/// RDKit's `NumHDonors`.
pub fn donor_count(mol: &Molecule) -> usize {
    mol.atoms().filter(|&i| is_donor(mol, i)).count()
}

/// RDKit's `NumHAcceptors`.
pub fn acceptor_count(mol: &Molecule) -> usize {
    let ring = super::counts::ring_bonds(mol);
    mol.atoms().filter(|&i| is_acceptor(mol, i, &ring)).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chem::props::test_mol;

    #[test]
    fn aspirin_has_one_lipinski_donor_and_four_acceptors() {
        let m = test_mol::aspirin();
        assert_eq!(nhoh_count(&m), 1);
        assert_eq!(no_count(&m), 4);
        assert_eq!(donor_count(&m), 1);
        assert_eq!(acceptor_count(&m), 3);
    }
}
