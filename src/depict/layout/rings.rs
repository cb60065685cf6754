//! Ring perception for layout: ring bonds, a smallest set of smallest rings (each in cyclic
//! order) and ring systems (rings joined through shared atoms).
//!
//! Temporary and private: layout needs rings before `chem::rings` has landed on main. It is
//! replaced by `chem::rings::RingInfo` once that is available.

use std::collections::{HashMap, HashSet};

use super::geom::{Vec2, point_in_polygon};
use super::graph::Graph;

/// Candidate rings considered by the Horton fallback stop here so cage compounds stay fast.
const MAX_HORTON_CANDIDATES: usize = 20_000;

pub struct Rings {
    /// Whether each bond lies on a cycle (is not a bridge).
    pub ring_bond: Vec<bool>,
    /// Smallest set of smallest rings, atoms in cyclic order, smallest rings first.
    pub rings: Vec<Vec<usize>>,
    /// Ring systems, each a list of indices into `rings`.
    pub systems: Vec<Vec<usize>>,
    /// The ring system each atom belongs to.
    pub atom_system: Vec<Option<usize>>,
    /// Indices into `rings` of the rings through each atom.
    pub atom_rings: Vec<Vec<usize>>,
}

impl Rings {
    pub fn perceive(g: &Graph) -> Rings {
        let ring_bond = ring_bonds(g);
        let rings = sssr(g, &ring_bond);
        let (systems, atom_system) = ring_systems(g.n, &rings);
        let mut atom_rings = vec![Vec::new(); g.n];
        for (r, ring) in rings.iter().enumerate() {
            for &a in ring {
                atom_rings[a].push(r);
            }
        }
        Rings {
            ring_bond,
            rings,
            systems,
            atom_system,
            atom_rings,
        }
    }

    /// Whether the point `a + d * 0.5` falls inside one of `a`'s rings, with positions `pos`.
    pub fn points_into_ring(&self, a: usize, d: Vec2, pos: &[Vec2]) -> bool {
        let p = pos[a] + d * 0.5;
        self.atom_rings[a].iter().any(|&r| {
            let poly: Vec<Vec2> = self.rings[r].iter().map(|&x| pos[x]).collect();
            point_in_polygon(p, &poly)
        })
    }
}

/// Bonds that lie on a cycle: the complement of the bridges (iterative Tarjan, so deep chains
/// cannot overflow the stack).
fn ring_bonds(g: &Graph) -> Vec<bool> {
    let n = g.n;
    let mut ring = vec![true; g.bonds.len()];
    let mut disc = vec![usize::MAX; n];
    let mut low = vec![0usize; n];
    let mut t = 0;
    for root in 0..n {
        if disc[root] != usize::MAX {
            continue;
        }
        disc[root] = t;
        low[root] = t;
        t += 1;
        // (atom, bond it was reached by, next adjacency index)
        let mut stack: Vec<(usize, usize, usize)> = vec![(root, usize::MAX, 0)];
        while let Some(top) = stack.last_mut() {
            let (v, pb, i) = *top;
            if i < g.adj[v].len() {
                top.2 += 1;
                let (w, b) = g.adj[v][i];
                if b == pb {
                    continue;
                }
                if disc[w] == usize::MAX {
                    disc[w] = t;
                    low[w] = t;
                    t += 1;
                    stack.push((w, b, 0));
                } else {
                    low[v] = low[v].min(disc[w]);
                }
            } else {
                stack.pop();
                if let Some(&(u, _, _)) = stack.last() {
                    low[u] = low[u].min(low[v]);
                    if low[v] > disc[u] {
                        ring[pb] = false;
                    }
                }
            }
        }
    }
    ring
}

/// A cycle as atoms in order plus its bond set as a bit vector (for GF(2) independence).
struct Cycle {
    atoms: Vec<usize>,
    bits: Vec<u64>,
}

fn cycle_bits(g: &Graph, atoms: &[usize], words: usize) -> Option<Vec<u64>> {
    let mut bits = vec![0u64; words];
    for k in 0..atoms.len() {
        let (a, b) = (atoms[k], atoms[(k + 1) % atoms.len()]);
        let bond = g.adj[a].iter().find(|&&(w, _)| w == b)?.1;
        bits[bond / 64] |= 1 << (bond % 64);
    }
    Some(bits)
}

/// Shortest path from `from` to `to` over ring bonds, not using bond `skip`; atoms from `from`
/// to `to` inclusive.
fn shortest_path(
    g: &Graph,
    ring_bond: &[bool],
    from: usize,
    to: usize,
    skip: usize,
    prev: &mut [usize],
) -> Option<Vec<usize>> {
    prev.iter_mut().for_each(|p| *p = usize::MAX);
    prev[from] = from;
    let mut queue = std::collections::VecDeque::from([from]);
    while let Some(a) = queue.pop_front() {
        for &(w, b) in &g.adj[a] {
            if b == skip || !ring_bond[b] || prev[w] != usize::MAX {
                continue;
            }
            prev[w] = a;
            if w == to {
                let mut path = vec![to];
                while *path.last().unwrap() != from {
                    path.push(prev[*path.last().unwrap()]);
                }
                path.reverse();
                return Some(path);
            }
            queue.push_back(w);
        }
    }
    None
}

/// XOR basis over GF(2) keyed by each row's highest set bit.
#[derive(Default)]
struct Basis {
    rows: HashMap<usize, Vec<u64>>,
}

impl Basis {
    /// Adds `bits` if independent of the rows so far; returns whether it was.
    fn insert(&mut self, bits: &[u64]) -> bool {
        let mut x = bits.to_vec();
        loop {
            let Some(hi) = highest_bit(&x) else {
                return false;
            };
            match self.rows.get(&hi) {
                Some(row) => x.iter_mut().zip(row).for_each(|(a, b)| *a ^= b),
                None => {
                    self.rows.insert(hi, x);
                    return true;
                }
            }
        }
    }
}

fn highest_bit(x: &[u64]) -> Option<usize> {
    x.iter()
        .enumerate()
        .rev()
        .find(|(_, w)| **w != 0)
        .map(|(i, w)| i * 64 + 63 - w.leading_zeros() as usize)
}

/// Smallest set of smallest rings: candidates are the shortest cycle through each ring bond
/// (enough for nearly all molecules), completed with Horton's candidates when they do not span
/// the cycle space; picked smallest first while independent over GF(2).
fn sssr(g: &Graph, ring_bond: &[bool]) -> Vec<Vec<usize>> {
    let ring_edges = ring_bond.iter().filter(|&&r| r).count();
    if ring_edges == 0 {
        return Vec::new();
    }
    let mut ring_atom = vec![false; g.n];
    for (b, bond) in g.bonds.iter().enumerate() {
        if ring_bond[b] {
            ring_atom[bond.a] = true;
            ring_atom[bond.b] = true;
        }
    }
    // Cyclomatic number of the ring part: edges - atoms + blocks' components.
    let comps = ring_components(g, ring_bond, &ring_atom);
    let nullity = ring_edges + comps - ring_atom.iter().filter(|&&r| r).count();
    let words = g.bonds.len().div_ceil(64);
    let mut prev = vec![usize::MAX; g.n];
    let mut seen: HashSet<Vec<u64>> = HashSet::new();
    let mut cands: Vec<Cycle> = Vec::new();
    for (b, bond) in g.bonds.iter().enumerate() {
        if !ring_bond[b] {
            continue;
        }
        if let Some(atoms) = shortest_path(g, ring_bond, bond.a, bond.b, b, &mut prev)
            && let Some(bits) = cycle_bits(g, &atoms, words)
            && seen.insert(bits.clone())
        {
            cands.push(Cycle { atoms, bits });
        }
    }
    let mut basis = Basis::default();
    let mut rings = pick_independent(&mut cands, &mut basis, nullity);
    if rings.len() < nullity {
        let mut more = horton_candidates(g, ring_bond, &ring_atom, words, &mut seen);
        rings.extend(pick_independent(
            &mut more,
            &mut basis,
            nullity - rings.len(),
        ));
    }
    rings.sort_by_key(|r| r.len());
    rings
}

fn pick_independent(cands: &mut [Cycle], basis: &mut Basis, want: usize) -> Vec<Vec<usize>> {
    cands.sort_by_key(|c| c.atoms.len());
    let mut out = Vec::new();
    for c in cands.iter() {
        if out.len() == want {
            break;
        }
        if basis.insert(&c.bits) {
            out.push(c.atoms.clone());
        }
    }
    out
}

fn ring_components(g: &Graph, ring_bond: &[bool], ring_atom: &[bool]) -> usize {
    let mut seen = vec![false; g.n];
    let mut count = 0;
    for s in 0..g.n {
        if !ring_atom[s] || seen[s] {
            continue;
        }
        count += 1;
        seen[s] = true;
        let mut stack = vec![s];
        while let Some(a) = stack.pop() {
            for &(w, b) in &g.adj[a] {
                if ring_bond[b] && !seen[w] {
                    seen[w] = true;
                    stack.push(w);
                }
            }
        }
    }
    count
}

/// Horton's candidate cycles: for every ring atom v and ring bond (x, y), the path v..x, the
/// bond, and y..v when the two tree paths meet only at v.
fn horton_candidates(
    g: &Graph,
    ring_bond: &[bool],
    ring_atom: &[bool],
    words: usize,
    seen: &mut HashSet<Vec<u64>>,
) -> Vec<Cycle> {
    let mut out = Vec::new();
    let mut parent = vec![usize::MAX; g.n];
    for v in (0..g.n).filter(|&v| ring_atom[v]) {
        parent.iter_mut().for_each(|p| *p = usize::MAX);
        parent[v] = v;
        let mut queue = std::collections::VecDeque::from([v]);
        while let Some(a) = queue.pop_front() {
            for &(w, b) in &g.adj[a] {
                if ring_bond[b] && parent[w] == usize::MAX {
                    parent[w] = a;
                    queue.push_back(w);
                }
            }
        }
        let path_to = |mut x: usize| {
            let mut p = vec![x];
            while x != v {
                x = parent[x];
                p.push(x);
            }
            p
        };
        for (b, bond) in g.bonds.iter().enumerate() {
            if !ring_bond[b] || parent[bond.a] == usize::MAX || parent[bond.b] == usize::MAX {
                continue;
            }
            let px = path_to(bond.a);
            let py = path_to(bond.b);
            let shared = px.iter().filter(|a| py.contains(a)).count();
            if shared != 1 {
                continue;
            }
            // v .. x, y .. v: a simple cycle.
            let mut atoms: Vec<usize> = px.into_iter().rev().collect();
            atoms.extend(py.into_iter().take_while(|&a| a != v));
            if let Some(bits) = cycle_bits(g, &atoms, words)
                && seen.insert(bits.clone())
            {
                out.push(Cycle { atoms, bits });
                if out.len() >= MAX_HORTON_CANDIDATES {
                    return out;
                }
            }
        }
    }
    out
}

/// Groups rings that share an atom; returns the systems and each atom's system.
fn ring_systems(n: usize, rings: &[Vec<usize>]) -> (Vec<Vec<usize>>, Vec<Option<usize>>) {
    let mut owner: Vec<Option<usize>> = vec![None; n];
    let mut parent: Vec<usize> = (0..rings.len()).collect();
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    for (r, ring) in rings.iter().enumerate() {
        for &a in ring {
            match owner[a] {
                None => owner[a] = Some(r),
                Some(o) => {
                    let (x, y) = (find(&mut parent, o), find(&mut parent, r));
                    if x != y {
                        parent[x.max(y)] = x.min(y);
                    }
                }
            }
        }
    }
    let mut index: HashMap<usize, usize> = HashMap::new();
    let mut systems: Vec<Vec<usize>> = Vec::new();
    for r in 0..rings.len() {
        let root = find(&mut parent, r);
        let s = *index.entry(root).or_insert_with(|| {
            systems.push(Vec::new());
            systems.len() - 1
        });
        systems[s].push(r);
    }
    let atom_system = owner
        .iter()
        .map(|o| o.map(|r| index[&find(&mut parent, r)]))
        .collect();
    (systems, atom_system)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naphthalene_has_two_six_rings_in_one_system() {
        let g = Graph::from_edges(
            10,
            &[
                (0, 1),
                (1, 2),
                (2, 3),
                (3, 4),
                (4, 5),
                (5, 0),
                (4, 6),
                (6, 7),
                (7, 8),
                (8, 9),
                (9, 5),
            ],
        );
        let r = Rings::perceive(&g);
        assert_eq!(r.rings.len(), 2);
        assert!(r.rings.iter().all(|ring| ring.len() == 6));
        assert_eq!(r.systems.len(), 1);
    }

    #[test]
    fn cubane_gets_five_four_rings() {
        let e = [
            (0, 1),
            (1, 2),
            (2, 3),
            (3, 0),
            (4, 5),
            (5, 6),
            (6, 7),
            (7, 4),
            (0, 4),
            (1, 5),
            (2, 6),
            (3, 7),
        ];
        let r = Rings::perceive(&Graph::from_edges(8, &e));
        assert_eq!(r.rings.len(), 5);
        assert!(r.rings.iter().all(|ring| ring.len() == 4));
    }
}
