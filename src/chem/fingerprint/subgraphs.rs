//! Enumeration of connected bond subgraphs: every connected set of 1 to `max_bonds` bonds,
//! each exactly once (what RDKit's `findAllSubgraphsOfLengthsMtoN` lists, in another order).
//!
//! Method: Wernicke's ESU on the line graph (bonds as vertices, adjacent when they share an
//! atom). A set is grown from its lowest bond only, and a bond joins the extension list only
//! when it is an exclusive neighbour of the bond just added (not already next to the set), so
//! no set is reached twice.

use std::ops::ControlFlow;

/// A molecule's bonds as the enumeration needs them.
pub struct BondGraph {
    /// The two atoms of each bond.
    pub ends: Vec<(usize, usize)>,
    /// The bonds at each atom.
    pub bonds_at: Vec<Vec<usize>>,
}

impl BondGraph {
    pub fn new(n_atoms: usize, ends: Vec<(usize, usize)>) -> BondGraph {
        let mut bonds_at = vec![Vec::new(); n_atoms];
        for (b, &(x, y)) in ends.iter().enumerate() {
            bonds_at[x].push(b);
            bonds_at[y].push(b);
        }
        BondGraph { ends, bonds_at }
    }

    /// Bonds sharing an atom with bond `b`.
    fn neighbours(&self, b: usize) -> impl Iterator<Item = usize> + '_ {
        let (x, y) = self.ends[b];
        self.bonds_at[x]
            .iter()
            .chain(&self.bonds_at[y])
            .copied()
            .filter(move |&o| o != b)
    }

    /// Whether bonds `a` and `b` share an atom.
    pub fn touch(&self, a: usize, b: usize) -> bool {
        let (p, q) = self.ends[a];
        let (r, s) = self.ends[b];
        p == r || p == s || q == r || q == s
    }

    /// Calls `visit` with the bond indices of every connected bond set of `1..=max_bonds`
    /// bonds; stops early when `visit` breaks.
    pub fn for_each_connected_set(
        &self,
        max_bonds: usize,
        mut visit: impl FnMut(&[usize]) -> ControlFlow<()>,
    ) -> ControlFlow<()> {
        if max_bonds == 0 {
            return ControlFlow::Continue(());
        }
        let mut set = Vec::with_capacity(max_bonds);
        // One extension list per depth, reused for every set (the sets number in the
        // hundreds of thousands, their lists in the handfuls).
        let mut levels: Vec<Vec<usize>> = vec![Vec::new(); max_bonds + 1];
        for root in 0..self.ends.len() {
            levels[0].clear();
            levels[0].extend(self.neighbours(root).filter(|&b| b > root));
            set.push(root);
            self.extend(max_bonds, root, &mut set, &mut levels, &mut visit)?;
            set.pop();
        }
        ControlFlow::Continue(())
    }

    /// Visits `set`, then every set that grows it by bonds of its extension list
    /// (`levels[0]`); `levels[1..]` are the deeper sets' lists.
    fn extend(
        &self,
        max_bonds: usize,
        root: usize,
        set: &mut Vec<usize>,
        levels: &mut [Vec<usize>],
        visit: &mut impl FnMut(&[usize]) -> ControlFlow<()>,
    ) -> ControlFlow<()> {
        visit(set)?;
        if set.len() == max_bonds {
            return ControlFlow::Continue(());
        }
        let (extension, deeper) = levels
            .split_first_mut()
            .expect("one extension list per depth below max_bonds");
        while let Some(w) = extension.pop() {
            let next = &mut deeper[0];
            next.clear();
            next.extend_from_slice(extension);
            for u in self.neighbours(w) {
                if u > root
                    && !set.contains(&u)
                    && !set.iter().any(|&s| self.touch(s, u))
                    && !next.contains(&u)
                {
                    next.push(u);
                }
            }
            set.push(w);
            self.extend(max_bonds, root, set, deeper, visit)?;
            set.pop();
        }
        ControlFlow::Continue(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn sets(ends: &[(usize, usize)], n_atoms: usize, max: usize) -> Vec<BTreeSet<usize>> {
        let graph = BondGraph::new(n_atoms, ends.to_vec());
        let mut out = Vec::new();
        let _ = graph.for_each_connected_set(max, |s| {
            out.push(s.iter().copied().collect());
            ControlFlow::Continue(())
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

    #[test]
    fn a_break_stops_the_enumeration() {
        let graph = BondGraph::new(4, vec![(0, 1), (0, 2), (0, 3)]);
        let mut seen = 0;
        let flow = graph.for_each_connected_set(7, |_| {
            seen += 1;
            if seen == 2 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        assert_eq!((flow, seen), (ControlFlow::Break(()), 2));
    }
}
