//! Atom, hydrogen and ring counts.

use crate::chem::{AtomIdx, Element, Molecule};

/// Atoms heavier than hydrogen; wildcard `*` atoms are not counted (RDKit's convention).
pub fn heavy_atom_count(mol: &Molecule) -> usize {
    mol.atoms()
        .filter(|&i| mol.atom(i).element.atomic_number() > 1)
        .count()
}

/// A graph `[H]` that only stands in for an ordinary hydrogen of its one neighbour: no isotope,
/// no charge, bonded to exactly one atom that is neither hydrogen nor a wildcard. Toolkits
/// (RDKit's `RemoveHs`) fold these into the neighbour's H count; labelled or charged ones stay.
pub fn is_plain_graph_hydrogen(mol: &Molecule, i: AtomIdx) -> bool {
    let atom = mol.atom(i);
    if atom.element != Element::H || atom.isotope.is_some() || atom.charge != 0 {
        return false;
    }
    if atom.hydrogens != 0 {
        return false;
    }
    let neighbors = mol.neighbors(i);
    match neighbors.as_slice() {
        [(n, _)] => {
            let e = mol.atom(*n).element;
            e != Element::H && e != Element::WILDCARD
        }
        _ => false,
    }
}

/// All hydrogens on an atom: its `hydrogens` count plus bonded graph hydrogens.
pub fn total_hydrogens_on(mol: &Molecule, i: AtomIdx) -> u32 {
    let graph_h = mol
        .neighbors(i)
        .iter()
        .filter(|(n, _)| mol.atom(*n).element == Element::H)
        .count() as u32;
    u32::from(mol.atom(i).hydrogens) + graph_h
}

/// Per-atom total hydrogen counts in input order (the NextMove SMILES-reading benchmark's
/// convention). Plain graph hydrogens are counted on their neighbour and not listed themselves,
/// so `[H]C([H])([H])[H]` gives `4` as it does for `C`.
pub fn hydrogen_counts(mol: &Molecule) -> Vec<(AtomIdx, u32)> {
    mol.atoms()
        .filter(|&i| !is_plain_graph_hydrogen(mol, i))
        .map(|i| {
            let folded = mol
                .neighbors(i)
                .iter()
                .filter(|(n, _)| is_plain_graph_hydrogen(mol, *n))
                .count() as u32;
            (i, u32::from(mol.atom(i).hydrogens) + folded)
        })
        .collect()
}

/// Number of rings as the cyclomatic number (bonds − atoms + components), which equals the size
/// of the smallest set of smallest rings.
pub fn ring_count(mol: &Molecule) -> usize {
    (mol.bond_count() + mol.components().len()).saturating_sub(mol.atom_count())
}

/// For each bond (by index), whether it lies on a ring, i.e. is not a bridge of the graph.
pub fn ring_bonds(mol: &Molecule) -> Vec<bool> {
    // Iterative Tarjan bridge search: a bond u–v (v a DFS child) is a bridge when nothing below
    // v reaches u or above without using that bond.
    let n = mol.atom_count();
    let mut in_ring = vec![true; mol.bond_count()];
    let mut order = vec![usize::MAX; n];
    let mut low = vec![0usize; n];
    let mut counter = 0;
    for root in mol.atoms() {
        if order[root.index()] != usize::MAX {
            continue;
        }
        order[root.index()] = counter;
        low[root.index()] = counter;
        counter += 1;
        // (atom, bond used to enter it, neighbours, next neighbour position)
        let mut stack = vec![(root, None, mol.neighbors(root), 0usize)];
        while let Some(top) = stack.last_mut() {
            let (u, parent_bond) = (top.0, top.1);
            if top.3 < top.2.len() {
                let (v, b) = top.2[top.3];
                top.3 += 1;
                if Some(b) == parent_bond {
                    continue;
                }
                if order[v.index()] == usize::MAX {
                    order[v.index()] = counter;
                    low[v.index()] = counter;
                    counter += 1;
                    stack.push((v, Some(b), mol.neighbors(v), 0));
                } else {
                    low[u.index()] = low[u.index()].min(order[v.index()]);
                }
            } else {
                stack.pop();
                if let (Some(b), Some(parent)) = (parent_bond, stack.last()) {
                    let p = parent.0;
                    low[p.index()] = low[p.index()].min(low[u.index()]);
                    if low[u.index()] > order[p.index()] {
                        in_ring[b.index()] = false;
                    }
                }
            }
        }
    }
    in_ring
}

/// Whether each atom (by index) is on a ring.
pub fn ring_atoms(mol: &Molecule) -> Vec<bool> {
    let bonds = ring_bonds(mol);
    let mut atoms = vec![false; mol.atom_count()];
    for b in mol.bonds() {
        if bonds[b.index()] {
            let (x, y) = mol.bond_atoms(b);
            atoms[x.index()] = true;
            atoms[y.index()] = true;
        }
    }
    atoms
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chem::props::test_mol::build;

    #[test]
    fn plain_graph_hydrogens_fold_into_their_neighbour_but_labelled_ones_stay() {
        // [H]C([H])([H])[2H]: three plain H fold into C; the deuterium stays an atom.
        let m = build(
            &[
                ("H", 0, 0, 0),
                ("C", 0, 0, 0),
                ("H", 0, 0, 0),
                ("H", 0, 0, 0),
                ("H", 0, 0, 2),
            ],
            &[
                (0, 1, 1, false),
                (1, 2, 1, false),
                (1, 3, 1, false),
                (1, 4, 1, false),
            ],
        );
        let counts: Vec<(usize, u32)> = hydrogen_counts(&m)
            .iter()
            .map(|(a, h)| (a.index(), *h))
            .collect();
        assert_eq!(counts, vec![(1, 3), (4, 0)]);
        assert_eq!(total_hydrogens_on(&m, AtomIdx::new(1)), 4);
        assert_eq!(heavy_atom_count(&m), 1);
    }

    #[test]
    fn ring_bonds_exclude_the_link_between_two_rings() {
        // Bicyclopropyl: two triangles joined by one bond; two components add nothing.
        let m = build(
            &[("C", 1, 0, 0), ("C", 2, 0, 0), ("C", 2, 0, 0)]
                .iter()
                .chain(&[("C", 1, 0, 0), ("C", 2, 0, 0), ("C", 2, 0, 0)])
                .copied()
                .collect::<Vec<_>>(),
            &[
                (0, 1, 1, false),
                (1, 2, 1, false),
                (2, 0, 1, false),
                (0, 3, 1, false),
                (3, 4, 1, false),
                (4, 5, 1, false),
                (5, 3, 1, false),
            ],
        );
        assert_eq!(
            ring_bonds(&m),
            vec![true, true, true, false, true, true, true]
        );
        assert_eq!(ring_count(&m), 2);
        assert!(ring_atoms(&m).iter().all(|&r| r));
    }
}
