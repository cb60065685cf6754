//! Charge-separated forms of hypervalent groups, as RDKit's sanitization writes them before it
//! computes anything (RDKit Book, "Molecule Sanitization", cleanUp): a nitro group drawn as
//! `N(=O)=O`, an azide as `N=N#N`, `C=P(=O)` ylides and halogen oxoacids such as `Cl(=O)(=O)=O`
//! become `[N+](=O)[O-]`, `N=[N+]=[N-]`, `C=[P+][O-]` and `[Cl+3]([O-])([O-])[O-]`. Atom-typed
//! descriptors (TPSA, cLogP, acceptors) then give one value however the group was drawn.

use crate::chem::{AtomIdx, BondOrder, Element, Molecule};

use super::environment::{BondKind, bond_kind};

/// Bond-order sum plus hydrogens (graph hydrogens are bonds already).
fn valence(mol: &Molecule, i: AtomIdx) -> u32 {
    u32::from(mol.bond_order_sum(i)) + u32::from(mol.atom(i).hydrogens)
}

/// Neighbours joined to `i` by a non-aromatic bond of `order`, with the bond.
fn neighbours_by(
    mol: &Molecule,
    i: AtomIdx,
    kind: BondKind,
) -> Vec<(AtomIdx, crate::chem::BondIdx)> {
    mol.neighbors(i)
        .into_iter()
        .filter(|&(_, b)| bond_kind(mol.bond(b)) == kind)
        .collect()
}

/// Turns the double (or triple) bond `b` from `centre` to `partner` down one order, moving a
/// positive charge to the centre and a negative one to the partner.
fn separate(mol: &mut Molecule, centre: AtomIdx, partner: AtomIdx, b: crate::chem::BondIdx) {
    let lower = BondOrder::from_valence(mol.bond(b).order.valence() - 1)
        .expect("only double and triple bonds are separated");
    mol.bond_mut(b).order = lower;
    mol.atom_mut(centre).charge += 1;
    mol.atom_mut(partner).charge -= 1;
}

/// Applies RDKit's clean-up rules in place; returns whether anything changed.
pub fn separate_charges(mol: &mut Molecule) -> bool {
    let mut changed = false;
    for i in mol.atoms().collect::<Vec<_>>() {
        let atom = mol.atom(i);
        if atom.charge != 0 || atom.aromatic {
            continue;
        }
        let is = |n: AtomIdx, e: Element| mol.atom(n).element == e;
        match atom.element {
            Element::N if valence(mol, i) == 5 => {
                // Nitro-like N(=O)=O: one N=O becomes N+–O-.
                let to_o: Vec<_> = neighbours_by(mol, i, BondKind::Double)
                    .into_iter()
                    .filter(|&(n, _)| is(n, Element::O))
                    .collect();
                if let Some(&(o, b)) = to_o.first() {
                    separate(mol, i, o, b);
                    changed = true;
                    continue;
                }
                // Azide-like N=N#N: the triple bond becomes N+=N-.
                let to_n: Vec<_> = neighbours_by(mol, i, BondKind::Triple)
                    .into_iter()
                    .filter(|&(n, _)| is(n, Element::N))
                    .collect();
                if let Some(&(n, b)) = to_n.first() {
                    separate(mol, i, n, b);
                    changed = true;
                }
            }
            Element::P if valence(mol, i) == 5 => {
                let doubles = neighbours_by(mol, i, BondKind::Double);
                let to_o: Vec<_> = doubles
                    .iter()
                    .copied()
                    .filter(|&(n, _)| is(n, Element::O))
                    .collect();
                let to_c_or_p = doubles
                    .iter()
                    .any(|&(n, _)| is(n, Element::C) || is(n, Element::P));
                if to_o.len() == 1 && to_c_or_p {
                    let (o, b) = to_o[0];
                    separate(mol, i, o, b);
                    changed = true;
                }
            }
            Element::CL | Element::BR | Element::I => {
                let neighbours = mol.neighbors(i);
                let all_oxygen =
                    !neighbours.is_empty() && neighbours.iter().all(|&(n, _)| is(n, Element::O));
                if all_oxygen && matches!(valence(mol, i), 3 | 5 | 7) {
                    for (o, b) in neighbours {
                        if bond_kind(mol.bond(b)) == BondKind::Double {
                            separate(mol, i, o, b);
                        }
                    }
                    changed = true;
                }
            }
            _ => {}
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chem::props::test_mol::build;

    #[test]
    fn pentavalent_nitro_becomes_charge_separated() {
        // CN(=O)=O
        let mut m = build(
            &[
                ("C", 3, 0, 0),
                ("N", 0, 0, 0),
                ("O", 0, 0, 0),
                ("O", 0, 0, 0),
            ],
            &[(0, 1, 1, false), (1, 2, 2, false), (1, 3, 2, false)],
        );
        assert!(separate_charges(&mut m));
        let charges: Vec<i8> = m.atoms().map(|i| m.atom(i).charge).collect();
        assert_eq!(charges, vec![0, 1, -1, 0]);
        assert_eq!(m.bond_order_sum(AtomIdx::new(1)), 4);
    }

    #[test]
    fn perchlorate_becomes_cl3_plus_with_four_oxide_oxygens() {
        // [O-]Cl(=O)(=O)=O
        let mut m = build(
            &[
                ("O", 0, -1, 0),
                ("Cl", 0, 0, 0),
                ("O", 0, 0, 0),
                ("O", 0, 0, 0),
                ("O", 0, 0, 0),
            ],
            &[
                (0, 1, 1, false),
                (1, 2, 2, false),
                (1, 3, 2, false),
                (1, 4, 2, false),
            ],
        );
        assert!(separate_charges(&mut m));
        let charges: Vec<i8> = m.atoms().map(|i| m.atom(i).charge).collect();
        assert_eq!(charges, vec![-1, 3, -1, -1, -1]);
    }

    #[test]
    fn ordinary_groups_are_left_alone() {
        // Nitromethane already charge-separated, and a sulfone.
        let mut m = build(
            &[
                ("C", 3, 0, 0),
                ("N", 0, 1, 0),
                ("O", 0, 0, 0),
                ("O", 0, -1, 0),
            ],
            &[(0, 1, 1, false), (1, 2, 2, false), (1, 3, 1, false)],
        );
        assert!(!separate_charges(&mut m));
    }
}
