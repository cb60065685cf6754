//! Ring perception: ring atoms and bonds, the smallest set of smallest rings (SSSR, a minimum
//! cycle basis), the relevant cycles (the union of all minimum cycle bases) and fused ring systems.
//!
//! Method: bridges (Tarjan) split ring bonds from chain bonds; each connected piece of ring bonds
//! is handled alone. A piece with one independent cycle is that cycle. Otherwise Horton's candidate
//! cycles (shortest path to each end of an edge, from every root) are sorted by size and kept by
//! Gaussian elimination over GF(2) on edge bit sets: a candidate independent of all *strictly
//! shorter* cycles is relevant; one independent of all cycles kept so far joins the SSSR.
//! Only branch atoms serve as roots, which keeps fused systems cheap.

use super::mol::{AtomIdx, BondIdx, Molecule};

/// Ring facts of one molecule. Ring indices refer to [`RingInfo::rings`].
#[derive(Clone, Debug, Default)]
pub struct RingInfo {
    /// SSSR rings, smallest first, each as atoms in cyclic order.
    rings: Vec<Vec<AtomIdx>>,
    /// Bonds of each SSSR ring: `ring_bonds[r][i]` joins `rings[r][i]` and `rings[r][i + 1]`.
    ring_bonds: Vec<Vec<BondIdx>>,
    /// Relevant cycles (a superset of the SSSR that does not depend on atom order).
    relevant: Vec<Vec<AtomIdx>>,
    relevant_bonds: Vec<Vec<BondIdx>>,
    ring_atom: Vec<bool>,
    ring_bond: Vec<bool>,
    /// Groups of SSSR ring indices that share bonds (fused systems).
    systems: Vec<Vec<usize>>,
}

impl RingInfo {
    pub fn new(mol: &Molecule) -> RingInfo {
        RingInfo::with_adjacency(mol, &Adjacency::new(mol))
    }

    /// As [`RingInfo::new`], reusing the caller's neighbour lists.
    pub(crate) fn with_adjacency(mol: &Molecule, adj: &Adjacency) -> RingInfo {
        let n = mol.atom_count();
        let ring_bond = non_bridges(adj, mol.bond_count());
        let mut info = RingInfo {
            ring_atom: vec![false; n],
            ring_bond,
            ..RingInfo::default()
        };
        if !info.ring_bond.iter().any(|&b| b) {
            return info;
        }
        for b in mol.bonds() {
            if info.ring_bond[b.index()] {
                let (x, y) = mol.bond_atoms(b);
                info.ring_atom[x.index()] = true;
                info.ring_atom[y.index()] = true;
            }
        }
        for piece in ring_pieces(adj, &info.ring_bond) {
            let cycles = piece.cycles();
            let first_sssr = info.rings.len();
            for c in &cycles.sssr {
                let (atoms, bonds) = piece.ordered(c);
                info.rings.push(atoms);
                info.ring_bonds.push(bonds);
            }
            for c in &cycles.relevant {
                // Most relevant cycles are SSSR rings already walked.
                let (atoms, bonds) = match cycles.sssr.iter().position(|s| s == c) {
                    Some(i) => (
                        info.rings[first_sssr + i].clone(),
                        info.ring_bonds[first_sssr + i].clone(),
                    ),
                    None => piece.ordered(c),
                };
                info.relevant.push(atoms);
                info.relevant_bonds.push(bonds);
            }
        }
        // Smallest first, so callers that want "the" ring of an atom meet small rings first.
        let mut order: Vec<usize> = (0..info.rings.len()).collect();
        order.sort_by_key(|&r| info.rings[r].len());
        let (mut rings, mut bonds) = (
            std::mem::take(&mut info.rings),
            std::mem::take(&mut info.ring_bonds),
        );
        info.rings = order
            .iter()
            .map(|&r| std::mem::take(&mut rings[r]))
            .collect();
        info.ring_bonds = order
            .iter()
            .map(|&r| std::mem::take(&mut bonds[r]))
            .collect();
        info.systems = fused_groups(&info.ring_bonds, mol.bond_count());
        info
    }

    /// The SSSR: as many rings as the molecule has independent cycles, smallest first, each in
    /// cyclic order. Not unique for some cage molecules; see [`RingInfo::relevant_cycles`].
    pub fn rings(&self) -> &[Vec<AtomIdx>] {
        &self.rings
    }

    /// Bonds of SSSR ring `r`, parallel to its atoms: bond `i` joins atom `i` and atom `i + 1`.
    pub fn ring_bonds(&self, r: usize) -> &[BondIdx] {
        &self.ring_bonds[r]
    }

    /// Relevant cycles: every cycle that is not a sum of strictly shorter ones. Unlike the SSSR this
    /// set does not depend on atom order, so perception that must be canonical uses it.
    pub fn relevant_cycles(&self) -> &[Vec<AtomIdx>] {
        &self.relevant
    }

    /// Bonds of relevant cycle `r`, parallel to its atoms.
    pub fn relevant_cycle_bonds(&self, r: usize) -> &[BondIdx] {
        &self.relevant_bonds[r]
    }

    pub fn num_rings(&self) -> usize {
        self.rings.len()
    }

    pub fn is_ring_atom(&self, a: AtomIdx) -> bool {
        self.ring_atom[a.index()]
    }

    pub fn is_ring_bond(&self, b: BondIdx) -> bool {
        self.ring_bond[b.index()]
    }

    /// SSSR indices of the rings that contain atom `a`.
    pub fn atom_rings(&self, a: AtomIdx) -> Vec<usize> {
        (0..self.rings.len())
            .filter(|&r| self.rings[r].contains(&a))
            .collect()
    }

    /// Fused ring systems: groups of SSSR ring indices joined by shared bonds. Spiro rings (one
    /// shared atom) are separate systems, as a 2D layout places them separately.
    pub fn ring_systems(&self) -> &[Vec<usize>] {
        &self.systems
    }
}

/// Neighbour lists `(atom, bond)` as plain indices, in one flat array (one allocation instead of
/// one per atom: perception and writing are allocation-bound on small molecules).
#[derive(Clone, Debug)]
pub(crate) struct Adjacency {
    start: Vec<usize>,
    entries: Vec<(usize, usize)>,
}

impl Adjacency {
    pub fn new(mol: &Molecule) -> Adjacency {
        let n = mol.atom_count();
        let mut start = vec![0usize; n + 1];
        for b in mol.bonds() {
            let (x, y) = mol.bond_atoms(b);
            start[x.index() + 1] += 1;
            start[y.index() + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut entries = vec![(0, 0); start[n]];
        for b in mol.bonds() {
            let (x, y) = mol.bond_atoms(b);
            let (x, y) = (x.index(), y.index());
            entries[fill[x]] = (y, b.index());
            fill[x] += 1;
            entries[fill[y]] = (x, b.index());
            fill[y] += 1;
        }
        Adjacency { start, entries }
    }

    pub fn len(&self) -> usize {
        self.start.len() - 1
    }

    pub fn iter(&self) -> impl Iterator<Item = &[(usize, usize)]> {
        (0..self.len()).map(|a| &self[a])
    }

    /// Each atom's neighbours ordered by `key` of the neighbour atom.
    pub fn sort_neighbours_by_key<K: Ord>(&mut self, key: impl Fn(usize) -> K) {
        for a in 0..self.len() {
            self.entries[self.start[a]..self.start[a + 1]].sort_by_key(|&(n, _)| key(n));
        }
    }
}

impl std::ops::Index<usize> for Adjacency {
    type Output = [(usize, usize)];

    fn index(&self, a: usize) -> &[(usize, usize)] {
        &self.entries[self.start[a]..self.start[a + 1]]
    }
}

/// Marks every bond that lies on a cycle (is not a bridge), by an iterative Tarjan low-link DFS.
fn non_bridges(adj: &Adjacency, nbonds: usize) -> Vec<bool> {
    let n = adj.len();
    let mut in_ring = vec![true; nbonds];
    let mut disc = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut time = 0;
    // Stack frames: (atom, bond we came in by, next neighbour position).
    let mut stack: Vec<(usize, usize, usize)> = Vec::new();
    for root in 0..n {
        if disc[root] != usize::MAX {
            continue;
        }
        disc[root] = time;
        low[root] = time;
        time += 1;
        stack.push((root, usize::MAX, 0));
        while let Some(&mut (v, in_bond, ref mut pos)) = stack.last_mut() {
            if let Some(&(w, b)) = adj[v].get(*pos) {
                *pos += 1;
                if b == in_bond {
                    continue;
                }
                if disc[w] == usize::MAX {
                    disc[w] = time;
                    low[w] = time;
                    time += 1;
                    stack.push((w, b, 0));
                } else {
                    low[v] = low[v].min(disc[w]);
                }
            } else {
                stack.pop();
                if let Some(&(p, _, _)) = stack.last() {
                    low[p] = low[p].min(low[v]);
                    if low[v] > disc[p] {
                        in_ring[in_bond] = false;
                    }
                }
            }
        }
    }
    in_ring
}

/// One connected piece of ring bonds, with local atom and edge numbering.
struct Piece {
    atoms: Vec<usize>,
    /// Local edges: (local atom, local atom, global bond).
    edges: Vec<(usize, usize, usize)>,
    /// Local adjacency, (local atom, local edge), flat: atom `v`'s entries are
    /// `adj[adj_start[v]..adj_start[v + 1]]`.
    adj_start: Vec<usize>,
    adj: Vec<(usize, usize)>,
}

/// An edge bit set over a piece's local edges.
type EdgeSet = Vec<u64>;

struct Cycles {
    sssr: Vec<EdgeSet>,
    relevant: Vec<EdgeSet>,
}

fn ring_pieces(adj: &Adjacency, ring_bond: &[bool]) -> Vec<Piece> {
    let n = adj.len();
    let mut local = vec![usize::MAX; n];
    let mut pieces = Vec::new();
    for start in 0..n {
        if local[start] != usize::MAX || !adj[start].iter().any(|&(_, b)| ring_bond[b]) {
            continue;
        }
        let mut atoms = Vec::with_capacity(n - start);
        atoms.push(start);
        local[start] = 0;
        let mut i = 0;
        while i < atoms.len() {
            let v = atoms[i];
            for &(w, b) in &adj[v] {
                if ring_bond[b] && local[w] == usize::MAX {
                    local[w] = atoms.len();
                    atoms.push(w);
                }
            }
            i += 1;
        }
        let mut edges = Vec::with_capacity(atoms.len() + 4);
        let mut adj_start = vec![0; atoms.len() + 1];
        for (lv, &v) in atoms.iter().enumerate() {
            for &(w, b) in &adj[v] {
                if ring_bond[b] && v < w {
                    edges.push((lv, local[w], b));
                    adj_start[lv + 1] += 1;
                    adj_start[local[w] + 1] += 1;
                }
            }
        }
        for i in 0..atoms.len() {
            adj_start[i + 1] += adj_start[i];
        }
        // Filled in edge order, so each atom lists its edges in the order they were found.
        let mut fill = adj_start.clone();
        let mut ladj = vec![(0, 0); edges.len() * 2];
        for (e, &(x, y, _)) in edges.iter().enumerate() {
            ladj[fill[x]] = (y, e);
            fill[x] += 1;
            ladj[fill[y]] = (x, e);
            fill[y] += 1;
        }
        pieces.push(Piece {
            atoms,
            edges,
            adj_start,
            adj: ladj,
        });
    }
    pieces
}

impl Piece {
    fn nbrs(&self, v: usize) -> &[(usize, usize)] {
        &self.adj[self.adj_start[v]..self.adj_start[v + 1]]
    }

    fn words(&self) -> usize {
        self.edges.len().div_ceil(64)
    }

    fn cycles(&self) -> Cycles {
        let rank = self.edges.len() + 1 - self.atoms.len();
        let words = self.words();
        if rank == 1 {
            // A simple ring (the common case): the whole piece is the cycle.
            let all = full_set(self.edges.len(), words);
            return Cycles {
                sssr: vec![all.clone()],
                relevant: vec![all],
            };
        }
        // Candidates are kept as (root, closing edge) and bucketed by length; edge sets are
        // built only for the short buckets actually examined, as most candidates are long.
        // Roots: branch atoms only. Horton's argument works from any atom of a basis cycle, and
        // in a piece with two or more independent cycles every cycle has a branch atom.
        let roots: Vec<usize> = (0..self.atoms.len())
            .filter(|&v| self.nbrs(v).len() > 2)
            .collect();
        let tree = self.shortest_path_trees(&roots);
        let mut buckets: Vec<Vec<(usize, usize)>> = vec![Vec::new(); self.atoms.len() + 1];
        for (r, &root) in roots.iter().enumerate() {
            for (e, &(x, y, _)) in self.edges.iter().enumerate() {
                if let Some(len) = tree.candidate_length(r, root, x, y) {
                    buckets[len].push((r, e));
                }
            }
        }
        let mut basis = Basis::new(words);
        let mut out = Cycles {
            sssr: Vec::new(),
            relevant: Vec::new(),
        };
        let mut arena: Vec<u64> = Vec::new();
        for bucket in buckets.iter().filter(|b| !b.is_empty()) {
            if out.sssr.len() == rank {
                break;
            }
            arena.clear();
            arena.resize(bucket.len() * words, 0);
            for (i, &(r, e)) in bucket.iter().enumerate() {
                tree.fill_cycle(self, r, roots[r], e, &mut arena[i * words..(i + 1) * words]);
            }
            let set = |i: usize| &arena[i * words..(i + 1) * words];
            let mut order: Vec<usize> = (0..bucket.len()).collect();
            order.sort_unstable_by(|&x, &y| set(x).cmp(set(y)));
            order.dedup_by(|x, y| set(*x) == set(*y));
            // Relevant: independent of the strictly shorter cycles kept so far.
            let shorter = basis.len();
            for &c in &order {
                if basis.is_independent(set(c), shorter) {
                    out.relevant.push(set(c).to_vec());
                }
            }
            for &c in &order {
                if basis.insert(set(c)) {
                    out.sssr.push(set(c).to_vec());
                }
            }
        }
        out
    }

    /// Breadth-first trees from each root (Horton's shortest paths).
    fn shortest_path_trees(&self, roots: &[usize]) -> Trees {
        let n = self.atoms.len();
        let mut t = Trees {
            n,
            dist: vec![usize::MAX; n * roots.len()],
            parent_edge: vec![usize::MAX; n * roots.len()],
            branch: vec![usize::MAX; n * roots.len()],
        };
        let mut queue = Vec::with_capacity(n);
        for (r, &root) in roots.iter().enumerate() {
            let base = r * n;
            queue.clear();
            t.dist[base + root] = 0;
            t.branch[base + root] = root;
            queue.push(root);
            let mut head = 0;
            while head < queue.len() {
                let v = queue[head];
                head += 1;
                for &(w, e) in self.nbrs(v) {
                    if t.dist[base + w] == usize::MAX {
                        t.dist[base + w] = t.dist[base + v] + 1;
                        t.parent_edge[base + w] = e;
                        t.branch[base + w] = if v == root { w } else { t.branch[base + v] };
                        queue.push(w);
                    }
                }
            }
        }
        t
    }

    /// The cycle's atoms in cyclic order (global indices) and the bonds between consecutive atoms.
    fn ordered(&self, set: &EdgeSet) -> (Vec<AtomIdx>, Vec<BondIdx>) {
        let first = (0..self.edges.len())
            .find(|&e| has_bit(set, e))
            .expect("a cycle has edges");
        let (start, mut cur, b0) = self.edges[first];
        let len: usize = set.iter().map(|w| w.count_ones() as usize).sum();
        let mut atoms = Vec::with_capacity(len);
        let mut bonds = Vec::with_capacity(len);
        atoms.push(AtomIdx::new(self.atoms[start]));
        bonds.push(BondIdx::new(b0));
        let mut prev_edge = first;
        while cur != start {
            atoms.push(AtomIdx::new(self.atoms[cur]));
            let &(next, e) = self
                .nbrs(cur)
                .iter()
                .find(|&&(_, e)| e != prev_edge && has_bit(set, e))
                .expect("every atom of a cycle has two cycle edges");
            bonds.push(BondIdx::new(self.edges[e].2));
            prev_edge = e;
            cur = next;
        }
        (atoms, bonds)
    }
}

/// Shortest-path trees of a piece, one per root (`r` indexes the roots), stored row by row.
struct Trees {
    n: usize,
    dist: Vec<usize>,
    parent_edge: Vec<usize>,
    /// The first atom after the root on the path to each atom.
    branch: Vec<usize>,
}

impl Trees {
    /// Horton's candidate for `root` and edge (x, y): the paths root→x and root→y closed by the
    /// edge, a simple cycle when the two paths leave the root by different atoms.
    fn candidate_length(&self, r: usize, root: usize, x: usize, y: usize) -> Option<usize> {
        let base = r * self.n;
        (x != root && y != root && self.branch[base + x] != self.branch[base + y])
            .then(|| self.dist[base + x] + self.dist[base + y] + 1)
    }

    fn fill_cycle(&self, piece: &Piece, r: usize, root: usize, e: usize, set: &mut [u64]) {
        let base = r * self.n;
        let (x, y, _) = piece.edges[e];
        set_bit(set, e);
        for mut v in [x, y] {
            while v != root {
                let pe = self.parent_edge[base + v];
                set_bit(set, pe);
                let (a, b, _) = piece.edges[pe];
                v = if a == v { b } else { a };
            }
        }
    }
}

fn full_set(bits: usize, words: usize) -> EdgeSet {
    let mut s = vec![0u64; words];
    for e in 0..bits {
        set_bit(&mut s, e);
    }
    s
}

fn set_bit(s: &mut [u64], i: usize) {
    s[i / 64] |= 1 << (i % 64);
}

fn has_bit(s: &[u64], i: usize) -> bool {
    s[i / 64] >> (i % 64) & 1 == 1
}

/// Cycles kept so far in echelon form over GF(2): each row is free of earlier rows' pivots.
struct Basis {
    words: usize,
    rows: Vec<u64>,
    pivots: Vec<usize>,
    scratch: Vec<u64>,
}

impl Basis {
    fn new(words: usize) -> Basis {
        Basis {
            words,
            rows: Vec::new(),
            pivots: Vec::new(),
            scratch: vec![0; words],
        }
    }

    fn len(&self) -> usize {
        self.pivots.len()
    }

    /// Reduces `v` by the first `rows` rows into the scratch vector; its pivot if non-zero.
    fn reduce(&mut self, v: &[u64], rows: usize) -> Option<usize> {
        self.scratch.copy_from_slice(v);
        for (r, &pivot) in self.pivots[..rows].iter().enumerate() {
            if has_bit(&self.scratch, pivot) {
                let row = &self.rows[r * self.words..(r + 1) * self.words];
                for (x, y) in self.scratch.iter_mut().zip(row) {
                    *x ^= y;
                }
            }
        }
        let word = self.scratch.iter().position(|&w| w != 0)?;
        Some(word * 64 + self.scratch[word].trailing_zeros() as usize)
    }

    fn is_independent(&mut self, v: &[u64], rows: usize) -> bool {
        self.reduce(v, rows).is_some()
    }

    /// Adds `v` if it is independent of the rows; whether it was.
    fn insert(&mut self, v: &[u64]) -> bool {
        match self.reduce(v, self.len()) {
            Some(pivot) => {
                self.rows.extend_from_slice(&self.scratch);
                self.pivots.push(pivot);
                true
            }
            None => false,
        }
    }
}

/// Groups rings that share at least one bond (union-find over ring indices).
fn fused_groups(ring_bonds: &[Vec<BondIdx>], nbonds: usize) -> Vec<Vec<usize>> {
    let mut parent: Vec<usize> = (0..ring_bonds.len()).collect();
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    let mut owner = vec![usize::MAX; nbonds];
    for (r, bonds) in ring_bonds.iter().enumerate() {
        for b in bonds {
            let o = owner[b.index()];
            if o == usize::MAX {
                owner[b.index()] = r;
            } else {
                let (a, c) = (find(&mut parent, o), find(&mut parent, r));
                parent[a] = c;
            }
        }
    }
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut group_of_root = vec![usize::MAX; ring_bonds.len()];
    for r in 0..ring_bonds.len() {
        let root = find(&mut parent, r);
        if group_of_root[root] == usize::MAX {
            group_of_root[root] = groups.len();
            groups.push(Vec::new());
        }
        groups[group_of_root[root]].push(r);
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chem::{Atom, Bond, BondOrder, Element};

    /// Carbon skeleton from an edge list (bond orders do not matter for rings).
    fn skeleton(n: usize, edges: &[(usize, usize)]) -> Molecule {
        let mut m = Molecule::new();
        let atoms: Vec<AtomIdx> = (0..n).map(|_| m.add_atom(Atom::new(Element::C))).collect();
        for &(a, b) in edges {
            m.add_bond(atoms[a], atoms[b], Bond::new(BondOrder::Single));
        }
        m
    }

    fn sizes(info: &RingInfo) -> Vec<usize> {
        info.rings().iter().map(Vec::len).collect()
    }

    #[test]
    fn naphthalene_has_two_fused_six_rings_in_cyclic_order() {
        let m = skeleton(
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
                (9, 3),
            ],
        );
        let info = RingInfo::new(&m);
        assert_eq!(sizes(&info), vec![6, 6]);
        assert_eq!(info.ring_systems(), &[vec![0, 1]]);
        for (r, ring) in info.rings().iter().enumerate() {
            for (i, &a) in ring.iter().enumerate() {
                let b = ring[(i + 1) % ring.len()];
                assert_eq!(m.bond_between(a, b), Some(info.ring_bonds(r)[i]));
            }
        }
        // The 10-ring envelope is a sum of the two 6-rings, so it is not relevant.
        assert_eq!(info.relevant_cycles().len(), 2);
    }

    #[test]
    fn chain_atoms_and_bridges_are_not_ring_members() {
        // Cyclopropyl-ethyl-cyclobutane: two separate rings joined by a chain.
        let m = skeleton(
            9,
            &[
                (0, 1),
                (1, 2),
                (2, 0),
                (2, 3),
                (3, 4),
                (4, 5),
                (5, 6),
                (6, 7),
                (7, 8),
                (8, 5),
            ],
        );
        let info = RingInfo::new(&m);
        assert_eq!(sizes(&info), vec![3, 4]);
        assert!(!info.is_ring_atom(AtomIdx::new(3)));
        assert!(info.is_ring_atom(AtomIdx::new(5)));
        assert!(!info.is_ring_bond(m.bond_between(2.into(), 3.into()).unwrap()));
        assert_eq!(info.ring_systems().len(), 2);
    }

    #[test]
    fn cubane_has_five_four_rings_and_six_relevant_ones() {
        // Cube: the SSSR holds 5 of the 6 faces; all 6 are relevant (none is a sum of shorter).
        let m = skeleton(
            8,
            &[
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
            ],
        );
        let info = RingInfo::new(&m);
        assert_eq!(sizes(&info), vec![4; 5]);
        assert_eq!(info.relevant_cycles().len(), 6);
    }

    #[test]
    fn spiro_rings_are_separate_systems() {
        let m = skeleton(
            7,
            &[
                (0, 1),
                (1, 2),
                (2, 0),
                (0, 3),
                (3, 4),
                (4, 5),
                (5, 6),
                (6, 0),
            ],
        );
        let info = RingInfo::new(&m);
        assert_eq!(sizes(&info), vec![3, 5]);
        assert_eq!(info.ring_systems().len(), 2);
        assert_eq!(info.atom_rings(AtomIdx::new(0)), vec![0, 1]);
    }
}
