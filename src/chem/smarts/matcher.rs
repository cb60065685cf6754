//! Subgraph matching of query graphs against a prepared molecule: depth-first extension of a
//! partial mapping (VF2-style), query atoms taken in an order where each one after the first of
//! its component is bonded to one already mapped, so candidates come from that atom's
//! neighbours and every bond to mapped atoms is checked as soon as an atom is placed.

use super::query::{AtomPrimitive, BondPrimitive, QueryGraph, required_atomic_number};
use super::target::{AtomFacts, BondFacts, PreparedMolecule};
use crate::chem::BondOrder;
use crate::chem::word_hash::WordHashSet;

/// Candidate atoms tried in one search at most by default (about a second); only pathological
/// patterns, such as many disconnected `*`, come near it.
pub const MAX_SEARCH_STEPS: u64 = 100_000_000;

/// The order in which a query graph's atoms are placed.
#[derive(Clone, Debug, Default)]
pub(crate) struct Plan {
    /// Query atoms in placement order.
    order: Vec<usize>,
    /// For each position: a query atom placed earlier and bonded to this one, and that bond.
    anchor: Vec<Option<(usize, usize)>>,
    /// For each position: the other bonds to atoms placed earlier, `(query atom, query bond)`.
    closures: Vec<Vec<(usize, usize)>>,
}

impl Plan {
    /// Components in order of their first atom, each walked depth-first from it; atom 0 first.
    pub fn new(g: &QueryGraph) -> Plan {
        let n = g.atoms.len();
        let mut adj = vec![Vec::new(); n];
        for (b, (x, y, _)) in g.bonds.iter().enumerate() {
            adj[*x].push((*y, b));
            adj[*y].push((*x, b));
        }
        let mut position = vec![usize::MAX; n];
        let mut plan = Plan::default();
        for root in 0..n {
            if position[root] != usize::MAX {
                continue;
            }
            let mut stack = vec![(root, None)];
            while let Some((q, via)) = stack.pop() {
                if position[q] != usize::MAX {
                    continue;
                }
                position[q] = plan.order.len();
                plan.order.push(q);
                plan.anchor.push(via);
                let closures = adj[q]
                    .iter()
                    .filter(|&&(o, b)| {
                        position[o] != usize::MAX && via.is_none_or(|(_, vb)| vb != b)
                    })
                    .copied()
                    .collect();
                plan.closures.push(closures);
                for &(o, b) in adj[q].iter().rev() {
                    if position[o] == usize::MAX {
                        stack.push((o, Some((q, b))));
                    }
                }
            }
        }
        plan
    }
}

/// One pattern's graphs (main first, then the recursive ones) with their plans.
pub(crate) struct Compiled {
    pub graphs: Vec<QueryGraph>,
    pub plans: Vec<Plan>,
    /// `(atomic number, atoms)` the main graph needs at least: a molecule with fewer has no match.
    pub required: Vec<(u8, u32)>,
    /// Per graph and bond: whether the bond lies on a cycle of the pattern. Its image then lies
    /// on a cycle of the molecule, so only ring bonds are tried for it, which cuts the search
    /// for ring patterns from every path of the ring's length to the paths along rings.
    pub cyclic: Vec<Vec<bool>>,
}

impl Compiled {
    pub fn new(graphs: Vec<QueryGraph>) -> Compiled {
        let plans = graphs.iter().map(Plan::new).collect();
        let mut required: Vec<(u8, u32)> = Vec::new();
        for n in graphs[0].atoms.iter().filter_map(required_atomic_number) {
            match required.iter_mut().find(|(m, _)| *m == n) {
                Some((_, count)) => *count += 1,
                None => required.push((n, 1)),
            }
        }
        let cyclic = graphs.iter().map(cyclic_bonds).collect();
        Compiled {
            graphs,
            plans,
            required,
            cyclic,
        }
    }
}

/// Whether each bond of `g` lies on a cycle: its ends stay connected without it.
fn cyclic_bonds(g: &QueryGraph) -> Vec<bool> {
    let n = g.atoms.len();
    (0..g.bonds.len())
        .map(|skip| {
            let (from, to, _) = g.bonds[skip];
            let mut seen = vec![false; n];
            let mut stack = vec![from];
            seen[from] = true;
            while let Some(a) = stack.pop() {
                for (b, &(x, y, _)) in g.bonds.iter().enumerate() {
                    let next = match (b != skip, x == a, y == a) {
                        (true, true, _) => y,
                        (true, _, true) => x,
                        _ => continue,
                    };
                    if !seen[next] {
                        seen[next] = true;
                        stack.push(next);
                    }
                }
            }
            seen[to]
        })
        .collect()
}

/// Matching state for one pattern against one molecule.
pub(crate) struct Matcher<'a> {
    pattern: &'a Compiled,
    target: &'a PreparedMolecule,
    /// Per recursive graph and atom: 0 not yet known, 1 matches, 2 does not.
    recursive: Vec<Vec<u8>>,
    steps: u64,
    max_steps: u64,
}

impl<'a> Matcher<'a> {
    pub fn new(pattern: &'a Compiled, target: &'a PreparedMolecule, max_steps: u64) -> Matcher<'a> {
        Matcher {
            pattern,
            target,
            recursive: vec![Vec::new(); pattern.graphs.len()],
            steps: 0,
            max_steps,
        }
    }

    /// Whether the search stopped at its step limit (its answers may then be incomplete).
    pub fn stopped_early(&self) -> bool {
        self.steps > self.max_steps
    }

    /// Matches of the main graph, unique by atom set, each in query atom order; stops once
    /// `limit` are found.
    pub fn unique_matches(&mut self, limit: usize) -> Vec<Vec<usize>> {
        let mut out = Vec::new();
        self.each_unique(limit, |m| out.push(m.to_vec()));
        out
    }

    /// How many matches of the main graph are unique by atom set.
    pub fn unique_count(&mut self) -> usize {
        let mut count = 0;
        self.each_unique(usize::MAX, |_| count += 1);
        count
    }

    /// Calls `each` with every match unique by atom set, up to `limit` of them.
    fn each_unique(&mut self, limit: usize, mut each: impl FnMut(&[usize])) {
        let counts = &self.target.element_counts;
        let screened_out = self
            .pattern
            .required
            .iter()
            .any(|&(n, k)| counts[usize::from(n)] < k);
        if limit == 0 || screened_out {
            return;
        }
        let mut seen: WordHashSet<Vec<usize>> = WordHashSet::default();
        let mut key = Vec::new();
        let mut found = 0;
        self.search(0, None, &mut |m| {
            key.clear();
            key.extend_from_slice(m);
            key.sort_unstable();
            if !seen.contains(&key) {
                seen.insert(key.clone());
                each(m);
                found += 1;
            }
            found < limit
        });
    }

    /// Depth-first search of graph `g` (atom 0 fixed to `start` if given); `found` gets each
    /// complete mapping (query atom -> target atom) and returns whether to go on.
    fn search(&mut self, g: usize, start: Option<usize>, found: &mut dyn FnMut(&[usize]) -> bool) {
        let n = self.pattern.graphs[g].atoms.len();
        let mut map = vec![usize::MAX; n];
        let mut used = vec![false; self.target.atom_count()];
        self.extend(g, 0, start, &mut map, &mut used, found);
    }

    /// Places the query atom at position `k`; returns false once the search should stop.
    fn extend(
        &mut self,
        g: usize,
        k: usize,
        start: Option<usize>,
        map: &mut [usize],
        used: &mut [bool],
        found: &mut dyn FnMut(&[usize]) -> bool,
    ) -> bool {
        let plan = &self.pattern.plans[g];
        if k == plan.order.len() {
            return found(map);
        }
        let q = plan.order[k];
        // Candidates come from the target, which outlives this borrow of `self`.
        let target = self.target;
        match (plan.anchor[k], start) {
            (Some((qa, qb)), _) => {
                for &(t, tb) in &target.neighbours[map[qa]] {
                    if !self.bond_matches(g, qb, tb) {
                        self.steps += 1;
                        continue;
                    }
                    if !self.try_place(g, k, q, t, start, map, used, found) {
                        return false;
                    }
                }
            }
            (None, Some(s)) if k == 0 => {
                return self.try_place(g, k, q, s, start, map, used, found);
            }
            (None, _) => {
                for t in (0..target.atom_count()).filter(|&t| target.visible[t]) {
                    if !self.try_place(g, k, q, t, start, map, used, found) {
                        return false;
                    }
                }
            }
        }
        true
    }

    /// Tries target atom `t` for the query atom at position `k` (its anchor bond already
    /// checked) and extends from there; false once the search should stop.
    #[allow(clippy::too_many_arguments)]
    fn try_place(
        &mut self,
        g: usize,
        k: usize,
        q: usize,
        t: usize,
        start: Option<usize>,
        map: &mut [usize],
        used: &mut [bool],
        found: &mut dyn FnMut(&[usize]) -> bool,
    ) -> bool {
        self.steps += 1;
        if self.steps > self.max_steps {
            return false;
        }
        if used[t] || !self.closures_match(g, k, t, map) || !self.atom_matches(g, q, t) {
            return true;
        }
        map[q] = t;
        used[t] = true;
        let go_on = self.extend(g, k + 1, start, map, used, found);
        used[t] = false;
        map[q] = usize::MAX;
        go_on
    }

    fn closures_match(&self, g: usize, k: usize, t: usize, map: &[usize]) -> bool {
        let (pattern, target) = (self.pattern, self.target);
        pattern.plans[g].closures[k].iter().all(|&(qo, qb)| {
            let other = map[qo];
            target.neighbours[t]
                .iter()
                .find(|&&(n, _)| n == other)
                .is_some_and(|&(_, tb)| self.bond_matches(g, qb, tb))
        })
    }

    fn bond_matches(&self, g: usize, qb: usize, tb: usize) -> bool {
        let bond = &self.target.bonds[tb];
        if self.pattern.cyclic[g][qb] && !bond.in_ring {
            return false;
        }
        self.pattern.graphs[g].bonds[qb]
            .2
            .eval(&mut |p| bond_primitive_matches(*p, bond))
    }

    fn atom_matches(&mut self, g: usize, q: usize, t: usize) -> bool {
        let pattern = self.pattern;
        let facts = &self.target.atoms[t];
        pattern.graphs[g].atoms[q].eval(&mut |p| match p {
            AtomPrimitive::Recursive(r) => self.recursive_matches(*r + 1, t),
            _ => atom_primitive_matches(p, facts),
        })
    }

    /// Whether recursive graph `g` has a match with its first atom on `t` (memoized).
    fn recursive_matches(&mut self, g: usize, t: usize) -> bool {
        if self.recursive[g].is_empty() {
            self.recursive[g] = vec![0; self.target.atom_count()];
        }
        match self.recursive[g][t] {
            1 => return true,
            2 => return false,
            _ => {}
        }
        let mut hit = false;
        self.search(g, Some(t), &mut |_| {
            hit = true;
            false
        });
        self.recursive[g][t] = if hit { 1 } else { 2 };
        hit
    }
}

fn atom_primitive_matches(p: &AtomPrimitive, a: &AtomFacts) -> bool {
    match *p {
        AtomPrimitive::Any | AtomPrimitive::Chirality => true,
        AtomPrimitive::Aromatic => a.aromatic,
        AtomPrimitive::Aliphatic => !a.aromatic,
        AtomPrimitive::AtomicNumber(z) => a.atomic_number == z,
        AtomPrimitive::Element {
            atomic_number,
            aromatic,
        } => a.atomic_number == atomic_number && a.aromatic == aromatic,
        AtomPrimitive::Isotope(m) => a.isotope == Some(m),
        AtomPrimitive::Charge(c) => a.charge == c,
        AtomPrimitive::TotalHydrogens(c) => c.contains(a.total_h),
        AtomPrimitive::ImplicitHydrogens(c) => c.contains(a.implicit_h),
        AtomPrimitive::Degree(c) => c.contains(a.degree),
        AtomPrimitive::TotalDegree(c) => c.contains(a.total_degree),
        AtomPrimitive::Valence(c) => c.contains(a.valence),
        AtomPrimitive::RingCount(c) => c.contains(a.ring_count),
        AtomPrimitive::SmallestRing(c) => c.contains(a.smallest_ring),
        AtomPrimitive::RingConnectivity(c) => c.contains(a.ring_bonds),
        AtomPrimitive::HeteroNeighbours(c) => c.contains(a.hetero_neighbours),
        AtomPrimitive::AliphaticHeteroNeighbours(c) => c.contains(a.aliphatic_hetero_neighbours),
        AtomPrimitive::Recursive(_) => false,
    }
}

fn bond_primitive_matches(p: BondPrimitive, b: &BondFacts) -> bool {
    match p {
        BondPrimitive::Any => true,
        BondPrimitive::SingleOrAromatic => b.aromatic || b.order == BondOrder::Single,
        BondPrimitive::Single => !b.aromatic && b.order == BondOrder::Single,
        BondPrimitive::Double => !b.aromatic && b.order == BondOrder::Double,
        BondPrimitive::Triple => !b.aromatic && b.order == BondOrder::Triple,
        BondPrimitive::Quadruple => !b.aromatic && b.order == BondOrder::Quadruple,
        BondPrimitive::Aromatic => b.aromatic,
        BondPrimitive::Ring => b.in_ring,
    }
}
