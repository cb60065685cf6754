//! Ring perception: ring atoms and bonds, the smallest set of smallest rings (SSSR, a minimum
//! cycle basis), the relevant cycles (the union of all minimum cycle bases) and fused ring systems.
//!
//! Method: bridges (Tarjan) split ring bonds from chain bonds; each connected piece of ring bonds
//! is handled alone. A piece with one independent cycle is that cycle. Otherwise Horton's candidate
//! cycles (shortest path to each end of an edge, from every root) are sorted by size and kept by
//! Gaussian elimination over GF(2) on edge bit sets: a candidate independent of all *strictly
//! shorter* cycles is relevant; one independent of all cycles kept so far joins the SSSR.
//! Only branch atoms serve as roots, which keeps fused systems cheap.

use super::mol::{Adjacency, AtomIdx, BondIdx, Molecule};
use super::pool::Pooled;

/// Ring facts of one molecule. Ring indices refer to [`RingInfo::rings`].
#[derive(Clone, Debug, Default)]
pub struct RingInfo {
    /// Ring atoms and bonds and the relevant cycles, flat (what perception needs).
    core: RingCore,
    /// SSSR rings, smallest first, each as atoms in cyclic order.
    rings: Vec<Vec<AtomIdx>>,
    /// Bonds of each SSSR ring: `ring_bonds[r][i]` joins `rings[r][i]` and `rings[r][i + 1]`.
    ring_bonds: Vec<Vec<BondIdx>>,
    /// Relevant cycles (a superset of the SSSR that does not depend on atom order).
    relevant: Vec<Vec<AtomIdx>>,
    /// Groups of SSSR ring indices that share bonds (fused systems).
    systems: Vec<Vec<usize>>,
}

impl RingInfo {
    pub fn new(mol: &Molecule) -> RingInfo {
        RingInfo::with_adjacency(mol, &Adjacency::new(mol))
    }

    /// As [`RingInfo::new`], reusing the caller's neighbour lists.
    pub(crate) fn with_adjacency(mol: &Molecule, adj: &Adjacency) -> RingInfo {
        let core = RingCore::new(adj, mol.bond_count());
        let relevant = (0..core.len()).map(|c| core.atoms(c).to_vec()).collect();
        // Smallest first (a stable sort: pieces in order, each piece's rings as found), so
        // callers that want "the" ring of an atom meet small rings first.
        let mut order = core.sssr.clone();
        order.sort_by_key(|&c| core.atoms(c).len());
        let rings: Vec<Vec<AtomIdx>> = order.iter().map(|&c| core.atoms(c).to_vec()).collect();
        let ring_bonds: Vec<Vec<BondIdx>> = order.iter().map(|&c| core.bonds(c).to_vec()).collect();
        let systems = fused_groups(&ring_bonds, mol.bond_count());
        RingInfo {
            core,
            rings,
            ring_bonds,
            relevant,
            systems,
        }
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
        self.core.bonds(r)
    }

    pub fn is_ring_atom(&self, a: AtomIdx) -> bool {
        self.core.is_ring_atom(a)
    }

    pub fn is_ring_bond(&self, b: BondIdx) -> bool {
        self.core.is_ring_bond(b)
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

/// Ring atoms, ring bonds and the relevant cycles (each in cyclic order, with its bonds), in
/// flat arrays: what aromaticity perception and canonical ranking need, without the per-ring
/// vectors, SSSR order and ring systems that [`RingInfo`] adds for layout.
#[derive(Clone, Debug, Default)]
pub(crate) struct RingCore {
    ring_atom: Pooled<bool>,
    ring_bond: Pooled<bool>,
    /// Cycle `c` is `atoms[start[c]..start[c + 1]]`, its bonds the same range of `bonds`.
    start: Pooled<usize>,
    atoms: Pooled<AtomIdx>,
    bonds: Pooled<BondIdx>,
    /// The relevant cycles that form the SSSR, as found (piece by piece, shortest first).
    sssr: Pooled<usize>,
}

impl RingCore {
    pub fn new(adj: &Adjacency, nbonds: usize) -> RingCore {
        let n = adj.len();
        let ring_bond = non_bridges(adj, nbonds);
        let mut core = RingCore {
            ring_atom: Pooled::filled(n, false),
            ring_bond,
            start: Pooled::filled(1, 0),
            ..RingCore::default()
        };
        let mut ring_atoms = 0;
        for (a, nbrs) in adj.iter().enumerate() {
            if nbrs.iter().any(|&(_, b)| core.ring_bond[b]) {
                core.ring_atom[a] = true;
                ring_atoms += 1;
            }
        }
        if ring_atoms == 0 {
            return core;
        }
        // Room for the usual case (relevant cycles = SSSR, fused bonds in two rings).
        let ring_bonds = core.ring_bond.iter().filter(|&&b| b).count();
        let cycles = ring_bonds + 1 - ring_atoms.min(ring_bonds);
        core.start.reserve(cycles + 1);
        core.sssr.reserve(cycles);
        core.atoms.reserve(2 * ring_bonds);
        core.bonds.reserve(2 * ring_bonds);
        let mut pieces = Pieces::new(n, nbonds);
        while let Some(piece) = pieces.next(adj, &core.ring_bond) {
            match piece {
                PieceKind::Ring(start) => core.push_ring(adj, start),
                PieceKind::Fused(piece) => piece.cycles(&mut core),
            }
        }
        core
    }

    /// The number of relevant cycles.
    pub fn len(&self) -> usize {
        self.start.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Atoms of relevant cycle `c` in cyclic order.
    pub fn atoms(&self, c: usize) -> &[AtomIdx] {
        &self.atoms[self.start[c]..self.start[c + 1]]
    }

    /// Bonds of relevant cycle `c`, parallel to its atoms: bond `i` joins atom `i` and `i + 1`.
    pub fn bonds(&self, c: usize) -> &[BondIdx] {
        &self.bonds[self.start[c]..self.start[c + 1]]
    }

    pub fn is_ring_atom(&self, a: AtomIdx) -> bool {
        self.ring_atom[a.index()]
    }

    pub fn is_ring_bond(&self, b: BondIdx) -> bool {
        self.ring_bond[b.index()]
    }

    /// Appends the piece that starts at `start` (its lowest atom) when it is one simple ring,
    /// walked as [`Piece::ordered`] walks it: from `start` along its first ring bond, then
    /// along each atom's other ring bond.
    fn push_ring(&mut self, adj: &Adjacency, start: usize) {
        let ring_bond = &self.ring_bond;
        let &(mut cur, mut prev) = adj[start]
            .iter()
            .find(|&&(_, b)| ring_bond[b])
            .expect("a ring atom has a ring bond");
        self.atoms.push(AtomIdx::new(start));
        self.bonds.push(BondIdx::new(prev));
        while cur != start {
            self.atoms.push(AtomIdx::new(cur));
            let &(next, b) = adj[cur]
                .iter()
                .find(|&&(_, b)| b != prev && ring_bond[b])
                .expect("every atom of a ring has two ring bonds");
            self.bonds.push(BondIdx::new(b));
            prev = b;
            cur = next;
        }
        self.start.push(self.atoms.len());
        let c = self.len() - 1;
        self.sssr.push(c);
    }

    /// Appends a cycle; its index.
    fn push(&mut self, piece: &Piece, in_cycle: impl Fn(usize) -> bool) -> usize {
        piece.ordered(in_cycle, &mut self.atoms, &mut self.bonds);
        self.start.push(self.atoms.len());
        self.len() - 1
    }
}

/// Whether each atom lies on a cycle (has a bond that is not a bridge), without perceiving
/// the rings themselves.
pub(crate) fn ring_atom_flags(mol: &Molecule) -> Pooled<bool> {
    let adj = Adjacency::new(mol);
    let ring_bond = non_bridges(&adj, mol.bond_count());
    adj.iter()
        .map(|neighbours| neighbours.iter().any(|&(_, b)| ring_bond[b]))
        .collect()
}

/// Whether bond `b` lies on a ring of fewer than `size` atoms: a path between its ends, not
/// through `b` and not through dative bonds (which close no rings), of at most `size - 2` bonds.
/// A breadth-first search bounded by that length, so it stays cheap on large molecules.
pub fn in_ring_smaller_than(mol: &Molecule, b: BondIdx, size: usize) -> bool {
    let (from, to) = mol.bond_atoms(b);
    let mut depth = std::collections::HashMap::from([(from, 0usize)]);
    let mut queue = std::collections::VecDeque::from([from]);
    while let Some(a) = queue.pop_front() {
        let d = depth[&a];
        if d + 2 > size.saturating_sub(1) {
            continue;
        }
        for (n, nb) in mol.neighbors(a) {
            if nb == b || mol.bond(nb).dative || depth.contains_key(&n) {
                continue;
            }
            if n == to {
                return true;
            }
            depth.insert(n, d + 1);
            queue.push_back(n);
        }
    }
    false
}

/// Marks every bond that lies on a cycle (is not a bridge), by an iterative Tarjan low-link DFS.
/// Dative bonds are left out of the graph (as RDKit's ring finding leaves them out), so they
/// and the cycles through them are not rings.
fn non_bridges(adj: &Adjacency, nbonds: usize) -> Pooled<bool> {
    const UNSEEN: u32 = u32::MAX;
    let n = adj.len();
    let mut in_ring = Pooled::filled(nbonds, true);
    for b in 0..nbonds {
        if adj.is_dative(b) {
            in_ring[b] = false;
        }
    }
    // (discovery time, low link) per atom.
    let mut time_low = Pooled::filled(n, (UNSEEN, 0u32));
    let mut time = 0;
    // Stack frames: (atom, bond we came in by, next neighbour position).
    let mut stack: Pooled<(u32, u32, u32)> = Pooled::with_capacity(n);
    for root in 0..n {
        if time_low[root].0 != UNSEEN {
            continue;
        }
        time_low[root] = (time, time);
        time += 1;
        stack.push((root as u32, u32::MAX, 0));
        while let Some(&mut (v, in_bond, ref mut pos)) = stack.last_mut() {
            if let Some(&(w, b)) = adj[v as usize].get(*pos as usize) {
                *pos += 1;
                if b as u32 == in_bond || adj.is_dative(b) {
                    continue;
                }
                if time_low[w].0 == UNSEEN {
                    time_low[w] = (time, time);
                    time += 1;
                    stack.push((w as u32, b as u32, 0));
                } else {
                    let t = time_low[w].0;
                    let low = &mut time_low[v as usize].1;
                    *low = (*low).min(t);
                }
            } else {
                stack.pop();
                if let Some(&(p, _, _)) = stack.last() {
                    let low_v = time_low[v as usize].1;
                    let (disc_p, low_p) = &mut time_low[p as usize];
                    *low_p = (*low_p).min(low_v);
                    if low_v > *disc_p {
                        in_ring[in_bond as usize] = false;
                    }
                }
            }
        }
    }
    in_ring
}

/// One connected piece of ring bonds, with local atom and edge numbering.
#[derive(Default)]
struct Piece {
    atoms: Pooled<usize>,
    /// Local edges: (local atom, local atom, global bond).
    edges: Pooled<(usize, usize, usize)>,
    /// Local adjacency, (local atom, local edge), flat: atom `v`'s entries are
    /// `adj[adj_start[v]..adj_start[v + 1]]`.
    adj_start: Pooled<usize>,
    adj: Pooled<(usize, usize)>,
    /// Scratch for filling `adj`.
    fill: Pooled<usize>,
}

/// The ring pieces of a molecule one after the other, in one reused set of buffers.
struct Pieces {
    local: Pooled<usize>,
    next_start: usize,
    piece: Piece,
}

impl Pieces {
    fn new(n: usize, nbonds: usize) -> Pieces {
        Pieces {
            local: Pooled::filled(n, usize::MAX),
            next_start: 0,
            piece: Piece {
                atoms: Pooled::with_capacity(n),
                edges: Pooled::with_capacity(nbonds),
                adj_start: Pooled::with_capacity(n + 1),
                adj: Pooled::with_capacity(2 * nbonds),
                fill: Pooled::with_capacity(n + 1),
            },
        }
    }

    fn next(&mut self, adj: &Adjacency, ring_bond: &[bool]) -> Option<PieceKind<'_>> {
        let n = adj.len();
        let local = &mut self.local;
        let start = (self.next_start..n)
            .find(|&a| local[a] == usize::MAX && adj[a].iter().any(|&(_, b)| ring_bond[b]))?;
        self.next_start = start + 1;
        let p = &mut self.piece;
        p.atoms.clear();
        p.atoms.push(start);
        local[start] = 0;
        let mut i = 0;
        // Ring bonds counted from both ends.
        let mut ends = 0;
        while i < p.atoms.len() {
            let v = p.atoms[i];
            for &(w, b) in &adj[v] {
                if ring_bond[b] {
                    ends += 1;
                    if local[w] == usize::MAX {
                        local[w] = p.atoms.len();
                        p.atoms.push(w);
                    }
                }
            }
            i += 1;
        }
        if ends / 2 == p.atoms.len() {
            // As many bonds as atoms: one simple ring (the common case), walked directly.
            return Some(PieceKind::Ring(start));
        }
        p.edges.clear();
        p.adj_start.clear();
        p.adj_start.resize(p.atoms.len() + 1, 0);
        for (lv, &v) in p.atoms.iter().enumerate() {
            for &(w, b) in &adj[v] {
                if ring_bond[b] && v < w {
                    p.edges.push((lv, local[w], b));
                    p.adj_start[lv + 1] += 1;
                    p.adj_start[local[w] + 1] += 1;
                }
            }
        }
        for i in 0..p.atoms.len() {
            p.adj_start[i + 1] += p.adj_start[i];
        }
        // Filled in edge order, so each atom lists its edges in the order they were found.
        p.fill.clear();
        p.fill.extend_from_slice(&p.adj_start);
        p.adj.clear();
        p.adj.resize(p.edges.len() * 2, (0, 0));
        for (e, &(x, y, _)) in p.edges.iter().enumerate() {
            p.adj[p.fill[x]] = (y, e);
            p.fill[x] += 1;
            p.adj[p.fill[y]] = (x, e);
            p.fill[y] += 1;
        }
        Some(PieceKind::Fused(&self.piece))
    }
}

/// A piece of ring bonds: one simple ring (given by its lowest atom), or fused rings.
enum PieceKind<'a> {
    Ring(usize),
    Fused(&'a Piece),
}

impl Piece {
    fn nbrs(&self, v: usize) -> &[(usize, usize)] {
        &self.adj[self.adj_start[v]..self.adj_start[v + 1]]
    }

    fn words(&self) -> usize {
        self.edges.len().div_ceil(64)
    }

    /// Appends the piece's relevant cycles to `core`, marking those of its SSSR.
    fn cycles(&self, core: &mut RingCore) {
        let rank = self.edges.len() + 1 - self.atoms.len();
        if rank == 1 {
            // A simple ring (the common case): the whole piece is the cycle.
            let c = core.push(self, |_| true);
            core.sssr.push(c);
            return;
        }
        let words = self.words();
        // Candidates are kept as (root, closing edge) and bucketed by length; edge sets are
        // built only for the short buckets actually examined, as most candidates are long.
        // Roots: branch atoms only. Horton's argument works from any atom of a basis cycle, and
        // in a piece with two or more independent cycles every cycle has a branch atom.
        let roots: Pooled<usize> = (0..self.atoms.len())
            .filter(|&v| self.nbrs(v).len() > 2)
            .collect();
        let tree = self.shortest_path_trees(&roots);
        // (length, root, closing edge), shortest first; each length is one bucket.
        let mut candidates: Pooled<(usize, usize, usize)> = Pooled::new();
        for (r, &root) in roots.iter().enumerate() {
            for (e, &(x, y, _)) in self.edges.iter().enumerate() {
                if let Some(len) = tree.candidate_length(r, root, x, y) {
                    candidates.push((len, r, e));
                }
            }
        }
        candidates.sort_unstable();
        // Horton's candidates close each cycle through one shortest path per atom, so an
        // even cycle whose far atom is reached by three or more shortest paths (the three
        // 6-rings of quinuclidine or DABCO, from one bridgehead) can be missed as a relevant
        // cycle. Pairs of other shortest paths into such an atom are tried too: for relevance
        // only, so the SSSR stays the one Horton's candidates give.
        let extra = self.even_cycles_through_other_paths(&roots, &tree);
        let mut basis = Basis::new(words);
        let mut found = 0;
        let mut arena: Pooled<u64> = Pooled::new();
        let mut extra_arena: Pooled<u64> = Pooled::new();
        let mut relevant_index: Pooled<usize> = Pooled::new();
        let mut order: Pooled<usize> = Pooled::new();
        let (mut next, mut next_extra) = (0, 0);
        // One bucket per length, Horton's candidates and the extra ones together.
        loop {
            let len = match (candidates.get(next), extra.get(next_extra)) {
                (Some(c), Some(x)) => c.0.min(x.0),
                (Some(c), None) => c.0,
                (None, Some(x)) => x.0,
                (None, None) => break,
            };
            if found == rank {
                break;
            }
            let bucket =
                &candidates[next..][..candidates[next..].iter().take_while(|c| c.0 == len).count()];
            next += bucket.len();
            let extra_bucket = &extra[next_extra..][..extra[next_extra..]
                .iter()
                .take_while(|c| c.0 == len)
                .count()];
            next_extra += extra_bucket.len();
            arena.clear();
            arena.resize(bucket.len() * words, 0);
            for (i, &(_, r, e)) in bucket.iter().enumerate() {
                tree.fill_cycle(self, r, roots[r], e, &mut arena[i * words..(i + 1) * words]);
            }
            let set = |i: usize| &arena[i * words..(i + 1) * words];
            order.clear();
            order.extend(0..bucket.len());
            order.sort_unstable_by(|&x, &y| set(x).cmp(set(y)));
            order.dedup_by(|x, y| set(*x) == set(*y));
            // Relevant: independent of the strictly shorter cycles kept so far.
            let shorter = basis.len();
            relevant_index.clear();
            for &c in &order {
                relevant_index.push(if basis.is_independent(set(c), shorter) {
                    core.push(self, |e| has_bit(set(c), e))
                } else {
                    usize::MAX
                });
            }
            // A cycle independent of all kept so far is independent of the shorter ones too,
            // so every SSSR ring is one of the relevant cycles just added.
            for (i, &c) in order.iter().enumerate() {
                if basis.insert(set(c)) {
                    core.sssr.push(relevant_index[i]);
                    found += 1;
                }
            }
            extra_arena.clear();
            extra_arena.resize(extra_bucket.len() * words, 0);
            for (i, &(_, r, pe, qe)) in extra_bucket.iter().enumerate() {
                let slot = &mut extra_arena[i * words..(i + 1) * words];
                tree.fill_pair(self, r, roots[r], [pe, qe], slot);
            }
            let extra_set = |i: usize| &extra_arena[i * words..(i + 1) * words];
            for i in 0..extra_bucket.len() {
                let s = extra_set(i);
                let seen = order.iter().any(|&c| set(c) == s) || (0..i).any(|j| extra_set(j) == s);
                if !seen && basis.is_independent(s, shorter) {
                    core.push(self, |e| has_bit(s, e));
                }
            }
        }
    }

    /// Even cycles from each root closed at an atom `y` through two of its shortest-path
    /// predecessors other than its tree parent (the pairs with the parent are Horton's
    /// candidates already): (length, root, edge into `y` from each predecessor), shortest first.
    fn even_cycles_through_other_paths(
        &self,
        roots: &[usize],
        tree: &Trees,
    ) -> Vec<(usize, usize, usize, usize)> {
        let mut out = Vec::new();
        let mut preds: Pooled<(usize, usize)> = Pooled::new();
        for r in 0..roots.len() {
            let row = &tree.nodes[r * tree.n..(r + 1) * tree.n];
            for y in 0..tree.n {
                let node = row[y];
                // Two predecessors besides the parent need three neighbours.
                if node.dist == usize::MAX || node.dist < 2 || self.nbrs(y).len() < 3 {
                    continue;
                }
                preds.clear();
                preds.extend(self.nbrs(y).iter().copied().filter(|&(w, e)| {
                    e != node.parent_edge && row[w].dist.checked_add(1) == Some(node.dist)
                }));
                for (i, &(p, pe)) in preds.iter().enumerate() {
                    for &(q, qe) in &preds[i + 1..] {
                        if row[p].branch != row[q].branch {
                            out.push((2 * node.dist, r, pe, qe));
                        }
                    }
                }
            }
        }
        out.sort_unstable();
        out
    }

    /// Breadth-first trees from each root (Horton's shortest paths).
    fn shortest_path_trees(&self, roots: &[usize]) -> Trees {
        let n = self.atoms.len();
        let mut t = Trees {
            n,
            nodes: vec![TreeNode::UNREACHED; n * roots.len()],
        };
        let mut queue: Pooled<usize> = Pooled::with_capacity(n);
        for (r, &root) in roots.iter().enumerate() {
            let row = &mut t.nodes[r * n..(r + 1) * n];
            queue.clear();
            row[root] = TreeNode {
                dist: 0,
                parent_edge: usize::MAX,
                branch: root,
            };
            queue.push(root);
            let mut head = 0;
            while head < queue.len() {
                let v = queue[head];
                head += 1;
                let (dist, branch) = (row[v].dist + 1, row[v].branch);
                for &(w, e) in self.nbrs(v) {
                    if row[w].dist == usize::MAX {
                        row[w] = TreeNode {
                            dist,
                            parent_edge: e,
                            branch: if v == root { w } else { branch },
                        };
                        queue.push(w);
                    }
                }
            }
        }
        t
    }

    /// Appends the cycle's atoms in cyclic order (global indices) and the bonds between
    /// consecutive atoms; `in_cycle` says which local edges the cycle holds.
    fn ordered(
        &self,
        in_cycle: impl Fn(usize) -> bool,
        atoms: &mut Pooled<AtomIdx>,
        bonds: &mut Pooled<BondIdx>,
    ) {
        let first = (0..self.edges.len())
            .find(|&e| in_cycle(e))
            .expect("a cycle has edges");
        let (start, mut cur, b0) = self.edges[first];
        atoms.push(AtomIdx::new(self.atoms[start]));
        bonds.push(BondIdx::new(b0));
        let mut prev_edge = first;
        while cur != start {
            atoms.push(AtomIdx::new(self.atoms[cur]));
            let &(next, e) = self
                .nbrs(cur)
                .iter()
                .find(|&&(_, e)| e != prev_edge && in_cycle(e))
                .expect("every atom of a cycle has two cycle edges");
            bonds.push(BondIdx::new(self.edges[e].2));
            prev_edge = e;
            cur = next;
        }
    }
}

/// Shortest-path trees of a piece, one per root (`r` indexes the roots), stored row by row.
struct Trees {
    n: usize,
    nodes: Vec<TreeNode>,
}

#[derive(Clone, Copy)]
struct TreeNode {
    dist: usize,
    parent_edge: usize,
    /// The first atom after the root on the path to this atom.
    branch: usize,
}

impl TreeNode {
    const UNREACHED: TreeNode = TreeNode {
        dist: usize::MAX,
        parent_edge: usize::MAX,
        branch: usize::MAX,
    };
}

impl Trees {
    /// Horton's candidate for `root` and edge (x, y): the paths root→x and root→y closed by the
    /// edge, a simple cycle when the two paths leave the root by different atoms.
    fn candidate_length(&self, r: usize, root: usize, x: usize, y: usize) -> Option<usize> {
        let row = &self.nodes[r * self.n..(r + 1) * self.n];
        (x != root && y != root && row[x].branch != row[y].branch)
            .then(|| row[x].dist + row[y].dist + 1)
    }

    /// The cycle of two edges into one atom, each closed by its other end's path to the root.
    fn fill_pair(&self, piece: &Piece, r: usize, root: usize, edges: [usize; 2], set: &mut [u64]) {
        let row = &self.nodes[r * self.n..(r + 1) * self.n];
        for e in edges {
            set_bit(set, e);
            let (a, b, _) = piece.edges[e];
            // The edge's end nearer the root.
            let mut v = if row[a].dist < row[b].dist { a } else { b };
            while v != root {
                let pe = row[v].parent_edge;
                set_bit(set, pe);
                let (a, b, _) = piece.edges[pe];
                v = if a == v { b } else { a };
            }
        }
    }

    fn fill_cycle(&self, piece: &Piece, r: usize, root: usize, e: usize, set: &mut [u64]) {
        let row = &self.nodes[r * self.n..(r + 1) * self.n];
        let (x, y, _) = piece.edges[e];
        set_bit(set, e);
        for mut v in [x, y] {
            while v != root {
                let pe = row[v].parent_edge;
                set_bit(set, pe);
                let (a, b, _) = piece.edges[pe];
                v = if a == v { b } else { a };
            }
        }
    }
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
    rows: Pooled<u64>,
    pivots: Pooled<usize>,
    scratch: Pooled<u64>,
}

impl Basis {
    fn new(words: usize) -> Basis {
        Basis {
            words,
            rows: Pooled::new(),
            pivots: Pooled::new(),
            scratch: Pooled::filled(words, 0),
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
    fn a_simple_ring_is_walked_from_its_lowest_atom_along_its_first_bond() {
        // Toluene's skeleton, methyl first: the ring starts at atom 1 and goes on to atom 2.
        let m = skeleton(7, &[(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 6), (6, 1)]);
        let info = RingInfo::new(&m);
        let ring: Vec<usize> = info.rings()[0].iter().map(|a| a.index()).collect();
        assert_eq!(ring, vec![1, 2, 3, 4, 5, 6]);
        assert_eq!(info.relevant_cycles(), info.rings());
        assert_eq!(
            m.bond_between(6.into(), 1.into()),
            Some(info.ring_bonds(0)[5])
        );
    }

    #[test]
    fn quinuclidine_and_dabco_have_three_relevant_six_rings() {
        // Bicyclo[2.2.2]octane: bridgeheads 0 and 1, three two-atom bridges. Any two of the
        // three 6-rings form the SSSR; none is a sum of shorter cycles, so all three are
        // relevant (each bridgehead reaches the other by three shortest paths).
        let m = skeleton(
            8,
            &[
                (0, 2),
                (2, 3),
                (3, 1),
                (0, 4),
                (4, 5),
                (5, 1),
                (0, 6),
                (6, 7),
                (7, 1),
            ],
        );
        let info = RingInfo::new(&m);
        assert_eq!(sizes(&info), vec![6, 6]);
        assert_eq!(info.relevant_cycles().len(), 3);
        let mut cycles: Vec<Vec<usize>> = info
            .relevant_cycles()
            .iter()
            .map(|c| {
                let mut c: Vec<usize> = c.iter().map(|a| a.index()).collect();
                c.sort();
                c
            })
            .collect();
        cycles.sort();
        assert_eq!(
            cycles,
            vec![
                vec![0, 1, 2, 3, 4, 5],
                vec![0, 1, 2, 3, 6, 7],
                vec![0, 1, 4, 5, 6, 7]
            ]
        );
        for (r, cycle) in info.relevant_cycles().iter().enumerate() {
            for (i, &a) in cycle.iter().enumerate() {
                let b = cycle[(i + 1) % cycle.len()];
                assert_eq!(m.bond_between(a, b), Some(info.relevant_cycle_bonds(r)[i]));
            }
        }
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
