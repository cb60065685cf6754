//! Breaking the ties refinement leaves, so that every atom gets its own rank.

use super::rank::{Labels, Refiner};
use super::stereo::{Slot, StereoSet, odd_permutation};
use crate::chem::mol::{Adjacency, Molecule};
use crate::chem::pool::Pooled;
use crate::chem::rings::RingCore;

/// Branches the tie-breaking search may explore per molecule before it falls back to taking
/// the first member of each tied class.
const SEARCH_BUDGET: usize = 256;

/// Ranks and stereo labels part-way through tie breaking.
#[derive(Clone)]
pub(super) struct State {
    pub ranks: Pooled<u32>,
    pub labels: Labels,
}

/// Breaks ties until every atom has its own rank.
///
/// Refinement leaves tied exactly the atoms it cannot tell apart. In trees (chains, substituents)
/// those are symmetric, and any member may go first. In symmetric ring systems (cages,
/// phthalocyanines, hexasubstituted rings) refinement can tie atoms that are not symmetric;
/// there (and while ring stereo is unresolved) every member of the tied class is tried, and the
/// choice whose completed ranking gives the smallest certificate (the ranked graph and its stereo
/// labels written as numbers) wins. Past the search budget, the first member is taken.
pub(super) struct TieBreaker<'a> {
    mol: &'a Molecule,
    adj: &'a Adjacency,
    rings: Option<&'a RingCore>,
    stereo: &'a StereoSet,
    keys: Pooled<(u64, u32)>,
    refiner: Refiner<'a>,
    ring_atom: Option<Pooled<bool>>,
    budget: usize,
    /// Atoms whose refinement key may have changed (scratch).
    touched: Pooled<usize>,
}

impl<'a> TieBreaker<'a> {
    pub fn new(
        mol: &'a Molecule,
        adj: &'a Adjacency,
        rings: Option<&'a RingCore>,
        stereo: &'a StereoSet,
        keys: Pooled<(u64, u32)>,
        refiner: Refiner<'a>,
    ) -> TieBreaker<'a> {
        TieBreaker {
            mol,
            adj,
            rings,
            stereo,
            keys,
            refiner,
            ring_atom: None,
            budget: SEARCH_BUDGET,
            touched: Pooled::new(),
        }
    }

    /// Completes the ranking; with the certificate when a search compared branches.
    pub fn complete(&mut self, mut state: State) -> (Vec<u64>, State) {
        while let Some(tied) = self.refiner.lowest_tied_class(&state.ranks) {
            let members: Pooled<usize> = (0..state.ranks.len())
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
        // The ranks were stable: only the neighbours of the atoms that move up can split.
        self.touched.clear();
        for (a, &r) in state.ranks.iter().enumerate() {
            if r == tied && a != chosen {
                self.touched.extend(self.adj[a].iter().map(|&(nb, _)| nb));
            }
        }
        self.refiner.put_first(&mut state.ranks, tied, chosen);
        self.refiner
            .refine(&mut state.ranks, &state.labels.extra, Some(&self.touched));
        while state
            .labels
            .update(self.adj, &state.ranks, self.stereo, &mut self.touched)
        {
            self.refiner
                .refine(&mut state.ranks, &state.labels.extra, Some(&self.touched));
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
        let (mol, adj, rings) = (self.mol, self.adj, self.rings);
        let ring_atom = self.ring_atom.get_or_insert_with(|| {
            let ring_atom = |r: &RingCore| mol.atoms().map(|a| r.is_ring_atom(a)).collect();
            rings.map_or_else(
                || ring_atom(&RingCore::new(adj, mol.bond_count())),
                ring_atom,
            )
        });
        if members.iter().filter(|&&a| ring_atom[a]).count() >= 3 {
            return true;
        }
        let mut tied_ring_atoms = Pooled::filled(state.ranks.len(), 0u32);
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
