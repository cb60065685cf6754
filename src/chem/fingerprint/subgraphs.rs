//! Enumeration of connected bond subgraphs: every connected set of 1 to `max_bonds` bonds,
//! each exactly once (what RDKit's `findAllSubgraphsOfLengthsMtoN` lists, in another order).
//!
//! Method: Wernicke's ESU on the line graph (bonds as vertices, adjacent when they share an
//! atom). A set is grown from its lowest bond only, and a bond joins the extension list only
//! when it is an exclusive neighbour of the bond just added (not already next to the set), so
//! no set is reached twice.

/// Calls `visit` with the bond indices of every connected bond set of `1..=max_bonds` bonds.
/// `ends[b]` are the two atoms of bond `b`; `bonds_at[a]` the bonds at atom `a`.
pub fn for_each_connected_bond_set(
    ends: &[(usize, usize)],
    bonds_at: &[Vec<usize>],
    max_bonds: usize,
    mut visit: impl FnMut(&[usize]),
) {
    if max_bonds == 0 {
        return;
    }
    let mut set = Vec::with_capacity(max_bonds);
    for root in 0..ends.len() {
        let extension: Vec<usize> = neighbours(ends, bonds_at, root)
            .filter(|&b| b > root)
            .collect();
        set.push(root);
        extend(
            ends, bonds_at, max_bonds, root, &mut set, extension, &mut visit,
        );
        set.pop();
    }
}

/// Bonds sharing an atom with bond `b` (a bond in a ring of two atoms' multigraph does not
/// occur: atoms share at most one bond).
fn neighbours<'a>(
    ends: &'a [(usize, usize)],
    bonds_at: &'a [Vec<usize>],
    b: usize,
) -> impl Iterator<Item = usize> + 'a {
    let (x, y) = ends[b];
    bonds_at[x]
        .iter()
        .chain(&bonds_at[y])
        .copied()
        .filter(move |&o| o != b)
}

fn touches(ends: &[(usize, usize)], a: usize, b: usize) -> bool {
    let (p, q) = ends[a];
    let (r, s) = ends[b];
    p == r || p == s || q == r || q == s
}

fn extend(
    ends: &[(usize, usize)],
    bonds_at: &[Vec<usize>],
    max_bonds: usize,
    root: usize,
    set: &mut Vec<usize>,
    mut extension: Vec<usize>,
    visit: &mut impl FnMut(&[usize]),
) {
    visit(set);
    if set.len() == max_bonds {
        return;
    }
    while let Some(w) = extension.pop() {
        let mut next = extension.clone();
        for u in neighbours(ends, bonds_at, w) {
            if u > root
                && !set.contains(&u)
                && !set.iter().any(|&s| touches(ends, s, u))
                && !next.contains(&u)
            {
                next.push(u);
            }
        }
        set.push(w);
        extend(ends, bonds_at, max_bonds, root, set, next, visit);
        set.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn sets(ends: &[(usize, usize)], n_atoms: usize, max: usize) -> Vec<BTreeSet<usize>> {
        let mut bonds_at = vec![Vec::new(); n_atoms];
        for (b, &(x, y)) in ends.iter().enumerate() {
            bonds_at[x].push(b);
            bonds_at[y].push(b);
        }
        let mut out = Vec::new();
        for_each_connected_bond_set(ends, &bonds_at, max, |s| {
            out.push(s.iter().copied().collect())
        });
        out
    }

    #[test]
    fn cyclopropane_and_isobutane_sets_are_complete_and_unique() {
        // A triangle: 3 single bonds, 3 pairs, 1 triple.
        let tri = sets(&[(0, 1), (1, 2), (2, 0)], 3, 7);
        assert_eq!(tri.len(), 7);
        let unique: BTreeSet<_> = tri.iter().cloned().collect();
        assert_eq!(unique.len(), 7);
        // A star of 3 bonds: every non-empty subset is connected.
        assert_eq!(sets(&[(0, 1), (0, 2), (0, 3)], 4, 7).len(), 7);
        // A chain of 4 bonds up to 2 bonds: 4 singles and 3 adjacent pairs.
        assert_eq!(sets(&[(0, 1), (1, 2), (2, 3), (3, 4)], 5, 2).len(), 7);
    }
}
