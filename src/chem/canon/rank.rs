//! Canonical atom ranks: a total order of the atoms that depends only on the molecule, not on the
//! order its atoms were given in.
//!
//! Atoms start from invariants (degree, element, isotope, charge, H count, aromaticity, class)
//! and are refined by their neighbours' ranks and bond types until stable (partition refinement,
//! as in Weininger's CANON and RDKit's canonicalisation). Stereo enters as soon as it is defined
//! by ranks: a centre whose neighbours all differ gets an R/S-like parity, a double bond whose
//! substituents differ on each end gets a cis/trans label, and refinement continues. Remaining
//! ties (symmetric atoms) are broken one at a time, lowest class first, refining after each.

use super::stereo::{DoubleBond, Slot, StereoSet, cis_relative_to, odd_permutation, substituents};
use crate::chem::mol::Molecule;
use crate::chem::rings::RingInfo;

/// Label bits added to an atom's refinement key once its stereo is expressible in ranks.
const CENTRE_ANTICLOCKWISE: u32 = 1;
const CENTRE_CLOCKWISE: u32 = 2;
const DOUBLE_CIS: u32 = 4;
const DOUBLE_TRANS: u32 = 8;

/// Ranks (0-based, one per atom, all distinct) and drops from `stereo` what is not real stereo
/// (a "centre" with two identical substituents, a double bond with two identical substituents on
/// one end), so that such input marks cannot change the output.
pub(crate) fn canonical_ranks(
    mol: &Molecule,
    adj: &[Vec<(usize, usize)>],
    stereo: &mut StereoSet,
) -> Vec<u32> {
    let n = mol.atom_count();
    let bond_code: Vec<u64> = mol
        .bonds()
        .map(|b| {
            let bond = mol.bond(b);
            if bond.aromatic {
                5
            } else {
                u64::from(bond.order.valence())
            }
        })
        .collect();
    let keys = atom_keys(mol, adj);
    let mut ranks = initial_ranks(&keys);
    let mut refiner = Refiner::new(adj, bond_code);
    let mut labels = Labels::new(n, stereo);
    refiner.refine(&mut ranks, &labels.extra);
    while labels.update(adj, &ranks, stereo) {
        refiner.refine(&mut ranks, &labels.extra);
    }
    drop_unresolved(mol, stereo, &mut labels);
    let mut ties = TieBreaker {
        mol,
        adj,
        stereo,
        keys,
        refiner,
        ring_atom: None,
        budget: SEARCH_BUDGET,
    };
    ties.complete(State { ranks, labels }).1.ranks
}

/// Branches the tie-breaking search may explore per molecule before it falls back to taking
/// the first member of each tied class.
const SEARCH_BUDGET: usize = 256;

#[derive(Clone)]
struct State {
    ranks: Vec<u32>,
    labels: Labels,
}

/// Breaks ties until every atom has its own rank.
///
/// Refinement leaves tied exactly the atoms it cannot tell apart. In trees (chains, substituents)
/// those are symmetric, and any member may go first. In symmetric ring systems (cages,
/// phthalocyanines, hexasubstituted rings) refinement can tie atoms that are not symmetric;
/// there (and while ring stereo is unresolved) every member of the tied class is tried, and the
/// choice whose completed ranking gives the smallest certificate (the ranked graph and its stereo
/// labels written as numbers) wins. Past the search budget, the first member is taken.
struct TieBreaker<'a> {
    mol: &'a Molecule,
    adj: &'a [Vec<(usize, usize)>],
    stereo: &'a StereoSet,
    keys: Vec<(u64, u32)>,
    refiner: Refiner<'a>,
    ring_atom: Option<Vec<bool>>,
    budget: usize,
}

impl TieBreaker<'_> {
    fn complete(&mut self, mut state: State) -> (Vec<u64>, State) {
        while let Some(tied) = self.refiner.lowest_tied_class(&state.ranks) {
            let members: Vec<usize> = (0..state.ranks.len())
                .filter(|&a| state.ranks[a] == tied)
                .collect();
            if self.budget > 0 && self.needs_search(&state, &members) {
                let mut best: Option<(Vec<u64>, State)> = None;
                for &m in &members {
                    self.budget = self.budget.saturating_sub(1);
                    let mut branch = state.clone();
                    self.put_first(&mut branch, tied, m);
                    let done = self.complete(branch);
                    if best.as_ref().is_none_or(|(c, _)| done.0 < *c) {
                        best = Some(done);
                    }
                }
                return best.expect("a tied class has members");
            }
            if let Some(c) = stereo_tie_choice(self.stereo, &state.labels, &state.ranks, tied) {
                self.put_first(&mut state, tied, c);
                continue;
            }
            self.put_first(&mut state, tied, members[0]);
        }
        if self.budget == SEARCH_BUDGET {
            // No search happened: no certificate is compared.
            return (Vec::new(), state);
        }
        (self.certificate(&state), state)
    }

    fn put_first(&mut self, state: &mut State, tied: u32, chosen: usize) {
        for (a, r) in state.ranks.iter_mut().enumerate() {
            if *r == tied && a != chosen {
                *r = tied + 1;
            }
        }
        self.refiner.refine(&mut state.ranks, &state.labels.extra);
        while state.labels.update(self.adj, &state.ranks, self.stereo) {
            self.refiner.refine(&mut state.ranks, &state.labels.extra);
        }
    }

    /// Whether the tied class may not be symmetric: it holds ring atoms, or ring atoms are tied
    /// elsewhere (their ties may hide an asymmetry that this choice decides), or stereo is
    /// still unresolved.
    fn needs_search(&mut self, state: &State, members: &[usize]) -> bool {
        if state.labels.centre_done.iter().any(|&d| !d) {
            return true;
        }
        if members.len() < 3 {
            return false;
        }
        let mol = self.mol;
        let ring_atom = self.ring_atom.get_or_insert_with(|| {
            let rings = RingInfo::new(mol);
            mol.atoms().map(|a| rings.is_ring_atom(a)).collect()
        });
        if members.iter().filter(|&&a| ring_atom[a]).count() >= 3 {
            return true;
        }
        let mut tied_ring_atoms = vec![0u32; state.ranks.len()];
        for (a, &r) in state.ranks.iter().enumerate() {
            if ring_atom[a] {
                tied_ring_atoms[r as usize] += 1;
            }
        }
        tied_ring_atoms.iter().any(|&c| c >= 3)
    }

    /// The molecule in rank order: atom keys and stereo labels, then the sorted bond list.
    fn certificate(&self, state: &State) -> Vec<u64> {
        let n = state.ranks.len();
        let mut at_rank = vec![0; n];
        for (a, &r) in state.ranks.iter().enumerate() {
            at_rank[r as usize] = a;
        }
        let mut cert = Vec::with_capacity(3 * n + self.mol.bond_count());
        for &a in &at_rank {
            cert.extend([
                self.keys[a].0,
                u64::from(self.keys[a].1),
                u64::from(state.labels.extra[a]),
            ]);
        }
        let mut bonds: Vec<u64> = (0..n)
            .flat_map(|a| self.adj[a].iter().map(move |&(b, bond)| (a, b, bond)))
            .filter(|&(a, b, _)| state.ranks[a] < state.ranks[b])
            .map(|(a, b, bond)| {
                u64::from(state.ranks[a]) << 35
                    | u64::from(state.ranks[b]) << 3
                    | self.refiner.bond_code[bond]
            })
            .collect();
        bonds.sort_unstable();
        cert.extend(bonds);
        cert
    }
}

fn atom_keys(mol: &Molecule, adj: &[Vec<(usize, usize)>]) -> Vec<(u64, u32)> {
    mol.atoms()
        .map(|a| {
            let atom = mol.atom(a);
            // Degree first: terminal atoms rank lowest, so strings start at a chain end.
            let packed = (adj[a.index()].len() as u64 & 0x7ff) << 53
                | u64::from(atom.element.atomic_number()) << 45
                | u64::from(atom.isotope.unwrap_or(0)) << 29
                | u64::from((i16::from(atom.charge) + 128) as u16) << 21
                | u64::from(atom.hydrogens) << 13
                | u64::from(atom.aromatic);
            (packed, atom.atom_class.unwrap_or(0))
        })
        .collect()
}

fn initial_ranks(keys: &[(u64, u32)]) -> Vec<u32> {
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by_key(|&a| keys[a]);
    let mut ranks = vec![0u32; keys.len()];
    for (i, &a) in order.iter().enumerate() {
        ranks[a] = if i > 0 && keys[order[i - 1]] == keys[a] {
            ranks[order[i - 1]]
        } else {
            i as u32
        };
    }
    ranks
}

/// Partition refinement with reusable buffers. A rank is the number of atoms ordered before
/// the atom's class, so refining never reorders existing classes, only splits them.
struct Refiner<'a> {
    adj: &'a [Vec<(usize, usize)>],
    bond_code: Vec<u64>,
    offsets: Vec<usize>,
    keys: Vec<u64>,
    order: Vec<usize>,
    new_ranks: Vec<u32>,
    counts: Vec<u32>,
}

impl<'a> Refiner<'a> {
    fn new(adj: &'a [Vec<(usize, usize)>], bond_code: Vec<u64>) -> Refiner<'a> {
        let mut offsets = Vec::with_capacity(adj.len() + 1);
        offsets.push(0);
        for nbrs in adj {
            offsets.push(offsets.last().unwrap() + nbrs.len());
        }
        Refiner {
            adj,
            bond_code,
            keys: vec![0; *offsets.last().unwrap()],
            offsets,
            order: (0..adj.len()).collect(),
            new_ranks: vec![0; adj.len()],
            counts: vec![0; adj.len()],
        }
    }

    /// Class sizes by rank (a rank is its class's first position, so ranks index sizes).
    fn count_sizes(&mut self, ranks: &[u32]) {
        self.counts.fill(0);
        for &r in ranks {
            self.counts[r as usize] += 1;
        }
    }

    /// The lowest rank shared by two or more atoms.
    fn lowest_tied_class(&mut self, ranks: &[u32]) -> Option<u32> {
        self.count_sizes(ranks);
        self.counts.iter().position(|&c| c > 1).map(|r| r as u32)
    }

    /// Splits classes by (stereo label, sorted neighbour ranks and bond types) until stable.
    /// Only classes with two or more atoms are re-sorted: singletons cannot split.
    fn refine(&mut self, ranks: &mut [u32], extra: &[u32]) {
        let n = ranks.len();
        self.order.sort_unstable_by_key(|&a| ranks[a]);
        loop {
            let mut split = false;
            let mut start = 0;
            while start < n {
                let r = ranks[self.order[start]];
                let mut end = start + 1;
                while end < n && ranks[self.order[end]] == r {
                    end += 1;
                }
                if end - start > 1 {
                    split |= self.split_class(start, end, ranks, extra);
                } else {
                    self.new_ranks[self.order[start]] = r;
                }
                start = end;
            }
            // New ranks were written to `new_ranks` for split classes only; apply them all at
            // once so every class was judged by the same (previous) neighbour ranks.
            for i in 0..n {
                let a = self.order[i];
                ranks[a] = self.new_ranks[a];
            }
            if !split {
                break;
            }
        }
    }

    /// Sorts class `order[start..end]` by its refinement keys and records the sub-class ranks
    /// in `new_ranks`; whether the class split.
    fn split_class(&mut self, start: usize, end: usize, ranks: &[u32], extra: &[u32]) -> bool {
        for &a in &self.order[start..end] {
            let slice = &mut self.keys[self.offsets[a]..self.offsets[a + 1]];
            for (k, &(nb, b)) in slice.iter_mut().zip(&self.adj[a]) {
                *k = u64::from(ranks[nb]) << 3 | self.bond_code[b];
            }
            slice.sort_unstable();
        }
        let (keys, offsets) = (&self.keys, &self.offsets);
        let key = |a: usize| (extra[a], &keys[offsets[a]..offsets[a + 1]]);
        self.order[start..end].sort_unstable_by(|&x, &y| key(x).cmp(&key(y)));
        let mut split = false;
        for i in start..end {
            let a = self.order[i];
            if i > start && key(self.order[i - 1]) == key(a) {
                self.new_ranks[a] = self.new_ranks[self.order[i - 1]];
            } else {
                self.new_ranks[a] = i as u32;
                split |= i > start;
            }
        }
        split
    }
}

/// Stereo labels folded into the refinement, with which stereo elements already have one.
#[derive(Clone)]
struct Labels {
    extra: Vec<u32>,
    centre_done: Vec<bool>,
    double_done: Vec<bool>,
}

impl Labels {
    fn new(n: usize, stereo: &StereoSet) -> Labels {
        Labels {
            extra: vec![0; n],
            centre_done: vec![false; stereo.centres.len()],
            double_done: vec![false; stereo.double_bonds.len()],
        }
    }

    /// Labels every stereo element that the current ranks make expressible; true if any was new.
    fn update(&mut self, adj: &[Vec<(usize, usize)>], ranks: &[u32], stereo: &StereoSet) -> bool {
        let mut changed = false;
        for (i, c) in stereo.centres.iter().enumerate() {
            if self.centre_done[i] {
                continue;
            }
            let key = |s: &Slot| s.map_or(-1, |x| i64::from(ranks[x]));
            let mut sorted = c.slots;
            sorted.sort_by_key(key);
            if sorted.windows(2).any(|w| key(&w[0]) == key(&w[1])) {
                continue;
            }
            let clockwise = c.clockwise ^ odd_permutation(&c.slots, &sorted);
            self.extra[c.atom] |= if clockwise {
                CENTRE_CLOCKWISE
            } else {
                CENTRE_ANTICLOCKWISE
            };
            self.centre_done[i] = true;
            changed = true;
        }
        for (i, db) in stereo.double_bonds.iter().enumerate() {
            if self.double_done[i] {
                continue;
            }
            let Some(picks) = ranked_substituents(adj, ranks, db) else {
                continue;
            };
            let label = if cis_relative_to(db, picks) {
                DOUBLE_CIS
            } else {
                DOUBLE_TRANS
            };
            self.extra[db.ends[0]] |= label;
            self.extra[db.ends[1]] |= label;
            self.double_done[i] = true;
            changed = true;
        }
        changed
    }
}

/// Which member of tied class `tied` to rank first, when the choice decides an unresolved ring
/// centre (the two ring neighbours of C1 in a 1,4-disubstituted cyclohexane). The two choices
/// are mirror images that spell the same molecule with every mark inverted, so the member that
/// makes the lowest-ranked such centre clockwise is taken: a choice made by the molecule alone.
fn stereo_tie_choice(
    stereo: &StereoSet,
    labels: &Labels,
    ranks: &[u32],
    tied: u32,
) -> Option<usize> {
    let key = |s: &Slot| s.map_or(-1, |x| i64::from(ranks[x]));
    let centre = stereo
        .centres
        .iter()
        .enumerate()
        .filter(|(i, c)| {
            !labels.centre_done[*i]
                && c.slots.iter().filter(|s| key(s) == i64::from(tied)).count() == 2
        })
        .min_by_key(|(_, c)| ranks[c.atom])?
        .1;
    let pair: Vec<usize> = centre
        .slots
        .iter()
        .filter_map(|s| s.filter(|&x| ranks[x] == tied))
        .collect();
    // Ranks as if pair[0] came first: it keeps `tied`, its twin moves up.
    let trial = |s: &Slot| match s {
        Some(x) if *x == pair[1] => i64::from(tied) + 1,
        _ => key(s),
    };
    let mut sorted = centre.slots;
    sorted.sort_by_key(trial);
    if sorted.windows(2).any(|w| trial(&w[0]) == trial(&w[1])) {
        return None;
    }
    let clockwise = centre.clockwise ^ odd_permutation(&centre.slots, &sorted);
    Some(if clockwise { pair[0] } else { pair[1] })
}

/// The highest-ranked substituent on each end, when each end's substituents differ in rank.
fn ranked_substituents(
    adj: &[Vec<(usize, usize)>],
    ranks: &[u32],
    db: &DoubleBond,
) -> Option<[usize; 2]> {
    let mut picks = [0; 2];
    for (e, pick) in picks.iter_mut().enumerate() {
        let subs = substituents(adj, db.ends[e], db.ends[1 - e]);
        *pick = match subs[..] {
            [s] => s,
            [s, t] if ranks[s] != ranks[t] => {
                if ranks[s] > ranks[t] {
                    s
                } else {
                    t
                }
            }
            _ => return None,
        };
    }
    Some(picks)
}

/// After symmetry-free refinement: a double bond with two equal substituents on an end has no
/// configuration, and a centre with two equal substituents has none unless it is ring stereo
/// (like the two CH of cis-1,4-dimethylcyclohexane, which share a ring with another centre).
fn drop_unresolved(mol: &Molecule, stereo: &mut StereoSet, labels: &mut Labels) {
    let mut keep_db = labels.double_done.iter();
    stereo.double_bonds.retain(|_| *keep_db.next().unwrap());
    labels.double_done.retain(|&d| d);
    if labels.centre_done.iter().all(|&d| d) {
        return;
    }
    let rings = RingInfo::new(mol);
    loop {
        let centres: Vec<usize> = stereo.centres.iter().map(|c| c.atom).collect();
        let unresolved_keep = |i: usize| {
            let atom = centres[i];
            rings.rings().iter().any(|ring| {
                ring.iter().any(|a| a.index() == atom)
                    && ring
                        .iter()
                        .any(|a| a.index() != atom && centres.contains(&a.index()))
            })
        };
        let drop: Vec<bool> = (0..centres.len())
            .map(|i| !labels.centre_done[i] && !unresolved_keep(i))
            .collect();
        if !drop.iter().any(|&d| d) {
            break;
        }
        let mut it = drop.iter();
        stereo.centres.retain(|_| !*it.next().unwrap());
        let mut it = drop.iter();
        labels.centre_done.retain(|_| !*it.next().unwrap());
    }
}
