//! A compact, index-based view of a `Molecule` for layout: adjacency lists and bond facts in
//! plain `usize`s, built once so the hot loops never go through petgraph.

use crate::chem::Molecule;

/// One bond as layout needs it.
#[derive(Clone, Debug)]
pub struct LBond {
    pub a: usize,
    pub b: usize,
    pub order: u8,
    /// Double-bond configuration: (neighbour of `a`, neighbour of `b`, cis).
    pub stereo: Option<(usize, usize, bool)>,
}

#[derive(Clone, Debug)]
pub struct Graph {
    pub n: usize,
    /// Neighbours of each atom as (atom, bond), in bond (input) order.
    pub adj: Vec<Vec<(usize, usize)>>,
    pub bonds: Vec<LBond>,
}

impl Graph {
    pub fn from_molecule(mol: &Molecule) -> Graph {
        let n = mol.atom_count();
        let mut adj = vec![Vec::new(); n];
        let mut bonds = Vec::with_capacity(mol.bond_count());
        for b in mol.bonds() {
            let (x, y) = mol.bond_atoms(b);
            let bond = mol.bond(b);
            let (a, c) = (x.index(), y.index());
            let stereo = bond
                .stereo
                .map(|s| (s.begin_ref.index(), s.end_ref.index(), s.cis));
            adj[a].push((c, bonds.len()));
            adj[c].push((a, bonds.len()));
            bonds.push(LBond {
                a,
                b: c,
                order: bond.order.valence(),
                stereo,
            });
        }
        Graph { n, adj, bonds }
    }

    pub fn degree(&self, a: usize) -> usize {
        self.adj[a].len()
    }

    /// Atoms drawn with straight (180°) bonds: a triple bond, or two cumulated double bonds.
    pub fn is_linear(&self, a: usize) -> bool {
        if self.degree(a) != 2 {
            return false;
        }
        let orders: Vec<u8> = self.adj[a]
            .iter()
            .map(|&(_, b)| self.bonds[b].order)
            .collect();
        orders.contains(&3) || orders.iter().filter(|&&o| o == 2).count() == 2
    }

    pub fn other(&self, bond: usize, a: usize) -> usize {
        let b = &self.bonds[bond];
        if b.a == a { b.b } else { b.a }
    }

    pub fn bonded(&self, a: usize, b: usize) -> bool {
        self.adj[a].iter().any(|&(x, _)| x == b)
    }

    /// Connected components as sorted atom lists, ordered by their first atom.
    pub fn components(&self) -> Vec<Vec<usize>> {
        let mut seen = vec![false; self.n];
        let mut out = Vec::new();
        for s in 0..self.n {
            if seen[s] {
                continue;
            }
            seen[s] = true;
            let mut comp = vec![s];
            let mut stack = vec![s];
            while let Some(a) = stack.pop() {
                for &(w, _) in &self.adj[a] {
                    if !seen[w] {
                        seen[w] = true;
                        comp.push(w);
                        stack.push(w);
                    }
                }
            }
            comp.sort_unstable();
            out.push(comp);
        }
        out
    }
}
