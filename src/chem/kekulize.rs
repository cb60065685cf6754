//! Kekulization: turns aromatic bonds into alternating single and double bonds.
//!
//! Every aromatic atom that still lacks one bond to reach a normal valence (benzene's `c`,
//! pyridine's `n`, `[n+]`) must get exactly one double bond among its aromatic bonds; atoms that
//! are saturated already (pyrrole's `[nH]`, furan's `o`, thiophene's `s`) get none. Choosing the
//! double bonds is a perfect matching on the atoms that need one, found with Edmonds' blossom
//! algorithm, so fused and odd-membered systems (azulene, indolizine) are handled exactly.

use std::collections::VecDeque;

use crate::chem::element::Element;
use crate::chem::mol::{AtomIdx, BondIdx, BondOrder, Molecule};
use crate::chem::pool::Pooled;
use crate::chem::valence::{allowed_valences, explicit_valence};

/// An aromatic system with no valid Kekulé structure: its atoms, ascending.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KekulizeError {
    pub atoms: Vec<AtomIdx>,
}

/// Whether an aromatic atom must take a double bond: one more bond brings it to its lowest
/// allowed valence. Aromatic bonds still count as single here.
pub fn needs_double_bond(mol: &Molecule, a: AtomIdx) -> bool {
    let atom = mol.atom(a);
    let current = explicit_valence(mol, a) + u16::from(atom.hydrogens);
    allowed_valences(atom.element, atom.charge)
        .iter()
        .map(|&v| u16::from(v))
        .find(|&v| v >= current)
        .is_some_and(|v| v > current)
}

/// Gives every aromatic bond a Kekulé order (the `aromatic` flags stay as they were).
pub fn kekulize(mol: &mut Molecule) -> Result<(), KekulizeError> {
    for system in aromatic_systems(mol) {
        let needing: Vec<AtomIdx> = system
            .iter()
            .copied()
            .filter(|&a| needs_double_bond(mol, a))
            .collect();
        if needing.is_empty() {
            continue;
        }
        // A `*` in an aromatic ring may take a double bond or not, whichever completes the rest.
        let optional: Vec<AtomIdx> = system
            .iter()
            .copied()
            .filter(|&a| mol.atom(a).element == Element::WILDCARD)
            .collect();
        let doubles = match_system(mol, &needing, &optional).ok_or_else(|| KekulizeError {
            atoms: system.clone(),
        })?;
        for b in doubles {
            mol.bond_mut(b).order = BondOrder::Double;
        }
    }
    Ok(())
}

/// Connected sets of atoms joined by aromatic bonds, each ascending, ordered by first atom.
fn aromatic_systems(mol: &Molecule) -> Vec<Vec<AtomIdx>> {
    let mut systems = Vec::new();
    // Atoms with an aromatic bond, in one pass over the bonds (most molecules have none).
    let mut has_aromatic_bond = Pooled::filled(mol.atom_count(), false);
    let mut any = false;
    for (x, y, bond) in mol.bonds_with_atoms() {
        if bond.aromatic {
            has_aromatic_bond[x.index()] = true;
            has_aromatic_bond[y.index()] = true;
            any = true;
        }
    }
    if !any {
        return systems;
    }
    let mut seen = Pooled::filled(mol.atom_count(), false);
    for start in mol.atoms() {
        if seen[start.index()] || !has_aromatic_bond[start.index()] {
            continue;
        }
        seen[start.index()] = true;
        let mut system = vec![start];
        let mut stack = vec![start];
        while let Some(a) = stack.pop() {
            for (n, bond) in mol.bonds_at(a) {
                if bond.aromatic && !seen[n.index()] {
                    seen[n.index()] = true;
                    system.push(n);
                    stack.push(n);
                }
            }
        }
        system.sort();
        systems.push(system);
    }
    systems
}

const NONE: usize = usize::MAX;

/// A set of aromatic bonds that touches every atom of `needing` exactly once and atoms of
/// `optional` at most once, if one exists.
fn match_system(mol: &Molecule, needing: &[AtomIdx], optional: &[AtomIdx]) -> Option<Vec<BondIdx>> {
    if needing.len() % 2 == 1 && optional.is_empty() {
        return None;
    }
    let mut vertices: Vec<AtomIdx> = needing.iter().chain(optional).copied().collect();
    vertices.sort();
    let required: Vec<bool> = vertices
        .iter()
        .map(|a| needing.binary_search(a).is_ok())
        .collect();
    let local = |a: AtomIdx| vertices.binary_search(&a).ok();
    let adj: Vec<Vec<usize>> = vertices
        .iter()
        .map(|&a| {
            mol.neighbors(a)
                .into_iter()
                .filter(|(_, b)| mol.bond(*b).aromatic)
                .filter_map(|(n, _)| local(n))
                .collect()
        })
        .collect();
    let mut mate = vec![NONE; vertices.len()];
    // A greedy start in atom order settles most systems; the blossom search fixes the rest.
    for v in 0..adj.len() {
        if mate[v] != NONE || !required[v] {
            continue;
        }
        if let Some(&u) = adj[v].iter().find(|&&u| mate[u] == NONE && required[u]) {
            mate[v] = u;
            mate[u] = v;
        }
    }
    for root in 0..adj.len() {
        if mate[root] == NONE && required[root] {
            let parent = augmenting_path(&adj, &mate, root)?;
            augment(&mut mate, &parent.0, parent.1);
        }
    }
    let mut doubles = Vec::new();
    for (v, &u) in mate.iter().enumerate() {
        if u != NONE && v < u {
            doubles.push(mol.bond_between(vertices[v], vertices[u])?);
        }
    }
    Some(doubles)
}

fn augment(mate: &mut [usize], parent: &[usize], end: usize) {
    let mut v = end;
    while v != NONE {
        let pv = parent[v];
        let next = mate[pv];
        mate[v] = pv;
        mate[pv] = v;
        v = next;
    }
}

/// Edmonds' search for an augmenting path from an unmatched `root`: returns the parent links and
/// the free vertex the path ends at.
fn augmenting_path(adj: &[Vec<usize>], mate: &[usize], root: usize) -> Option<(Vec<usize>, usize)> {
    let n = adj.len();
    let mut used = vec![false; n];
    let mut parent = vec![NONE; n];
    let mut base: Vec<usize> = (0..n).collect();
    let mut queue = VecDeque::from([root]);
    used[root] = true;
    while let Some(v) = queue.pop_front() {
        for &to in &adj[v] {
            if base[v] == base[to] || mate[v] == to {
                continue;
            }
            if to == root || (mate[to] != NONE && parent[mate[to]] != NONE) {
                // An odd cycle: contract the blossom onto its base.
                let cur_base = lowest_common_ancestor(mate, &parent, &base, v, to);
                let mut blossom = vec![false; n];
                mark_path(mate, &mut parent, &base, &mut blossom, v, cur_base, to);
                mark_path(mate, &mut parent, &base, &mut blossom, to, cur_base, v);
                for i in 0..n {
                    if blossom[base[i]] {
                        base[i] = cur_base;
                        if !used[i] {
                            used[i] = true;
                            queue.push_back(i);
                        }
                    }
                }
            } else if parent[to] == NONE {
                parent[to] = v;
                if mate[to] == NONE {
                    return Some((parent, to));
                }
                used[mate[to]] = true;
                queue.push_back(mate[to]);
            }
        }
    }
    None
}

fn lowest_common_ancestor(
    mate: &[usize],
    parent: &[usize],
    base: &[usize],
    mut a: usize,
    mut b: usize,
) -> usize {
    let mut on_path = vec![false; mate.len()];
    loop {
        a = base[a];
        on_path[a] = true;
        if mate[a] == NONE {
            break;
        }
        a = parent[mate[a]];
    }
    loop {
        b = base[b];
        if on_path[b] {
            return b;
        }
        b = parent[mate[b]];
    }
}

fn mark_path(
    mate: &[usize],
    parent: &mut [usize],
    base: &[usize],
    blossom: &mut [bool],
    mut v: usize,
    b: usize,
    mut child: usize,
) {
    while base[v] != b {
        blossom[base[v]] = true;
        blossom[base[mate[v]]] = true;
        parent[v] = child;
        child = mate[v];
        v = parent[mate[v]];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ring of `n` atoms where every atom needs a double bond, as an adjacency list.
    fn ring(n: usize) -> Vec<Vec<usize>> {
        (0..n).map(|i| vec![(i + n - 1) % n, (i + 1) % n]).collect()
    }

    #[test]
    fn blossom_search_repairs_a_bad_greedy_start() {
        // Path 0-1-2-3 with the greedy choice 1-2: only the augmenting path 0-1=2-3 fixes it.
        let adj = vec![vec![1], vec![0, 2], vec![1, 3], vec![2]];
        let mut mate = vec![NONE, 2, 1, NONE];
        let (parent, end) = augmenting_path(&adj, &mate, 0).unwrap();
        augment(&mut mate, &parent, end);
        assert_eq!(mate, vec![1, 0, 3, 2]);
    }

    #[test]
    fn odd_ring_has_no_perfect_matching() {
        let adj = ring(5);
        let mate = vec![1, 0, 3, 2, NONE];
        assert!(augmenting_path(&adj, &mate, 4).is_none());
    }
}
