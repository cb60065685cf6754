//! Canonical atom ranks: a total order of the atoms that depends only on the molecule, not on the
//! order its atoms were given in.
//!
//! Atoms start from invariants (degree, element, isotope, charge, H count, aromaticity, class)
//! and are refined by their neighbours' ranks and bond types until stable (partition refinement,
//! as in Weininger's CANON and RDKit's canonicalisation). Stereo enters as soon as it is defined
//! by ranks: a centre whose neighbours all differ gets an R/S-like parity, a double bond whose
//! substituents differ on each end gets a cis/trans label, and refinement continues. Remaining
//! ties are broken by `ties.rs`.

use super::stereo::{DoubleBond, Slot, StereoSet, cis_relative_to, odd_permutation, substituents};
use super::ties::{State, TieBreaker};
use crate::chem::aromaticity::Flags;
use crate::chem::mol::{Adjacency, Molecule};
use crate::chem::pool::Pooled;
use crate::chem::rings::RingCore;

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
    adj: &Adjacency,
    rings: Option<&RingCore>,
    flags: &Flags,
    stereo: &mut StereoSet,
) -> Pooled<u32> {
    // Rings are needed only for ring stereo and symmetric ring systems; without the caller's,
    // they are computed on first use.
    let n = mol.atom_count();
    let bond_code: Pooled<u64> = mol
        .bonds()
        .map(|b| {
            let bond = mol.bond(b);
            if flags.bonds[b.index()] {
                5
            } else if bond.dative {
                6
            } else {
                u64::from(bond.order.valence())
            }
        })
        .collect();
    let keys = atom_keys(mol, adj, flags);
    let (mut ranks, order) = initial_ranks(&keys);
    let mut refiner = Refiner::new(adj, bond_code, order);
    let mut labels = Labels::new(n, stereo);
    refiner.refine(&mut ranks, &labels.extra, None);
    let mut touched = Pooled::new();
    while labels.update(adj, &ranks, stereo, &mut touched) {
        refiner.refine(&mut ranks, &labels.extra, Some(&touched));
    }
    drop_unresolved(mol, adj, rings, stereo, &mut labels);
    TieBreaker::new(mol, adj, rings, stereo, keys, refiner)
        .complete(State { ranks, labels })
        .1
        .ranks
}

fn atom_keys(mol: &Molecule, adj: &Adjacency, flags: &Flags) -> Pooled<(u64, u32)> {
    // Dative bonds donated and accepted per atom (the bond code alone has no direction), six
    // bits each; counted only for the rare molecule that has them.
    let mut dative = Pooled::new();
    if !adj.dative_bonds().is_empty() {
        dative = Pooled::filled(mol.atom_count(), 0u64);
        for &b in adj.dative_bonds() {
            let (donor, acceptor) = mol.bond_atoms(crate::chem::BondIdx::new(b));
            dative[donor.index()] = (dative[donor.index()] + 1).min(0x3f);
            let accepted = (dative[acceptor.index()] >> 6) + 1;
            dative[acceptor.index()] = dative[acceptor.index()] & 0x3f | accepted.min(0x3f) << 6;
        }
    }
    mol.atoms()
        .map(|a| {
            let atom = mol.atom(a);
            let dative = dative.get(a.index()).copied().unwrap_or(0);
            // Degree first: terminal atoms rank lowest, so strings start at a chain end.
            let packed = (adj[a.index()].len() as u64 & 0x7ff) << 53
                | u64::from(atom.element.atomic_number()) << 45
                | u64::from(atom.isotope.unwrap_or(0)) << 29
                | u64::from((i16::from(atom.charge) + 128) as u16) << 21
                | u64::from(atom.hydrogens) << 13
                | dative << 1
                | u64::from(flags.atoms[a.index()]);
            (packed, atom.atom_class.unwrap_or(0))
        })
        .collect()
}

/// Ranks by invariant (tied atoms share the rank of their class's first position), and the
/// atoms in rank order.
fn initial_ranks(keys: &[(u64, u32)]) -> (Pooled<u32>, Pooled<usize>) {
    // Key and atom in one number: one plain sort, no lookups while sorting.
    let mut sorted: Pooled<u128> = keys
        .iter()
        .enumerate()
        .map(|(a, &(k, class))| u128::from(k) << 64 | u128::from(class) << 32 | a as u128)
        .collect();
    sorted.sort_unstable();
    let mut ranks = Pooled::filled(keys.len(), 0u32);
    let mut class_start = 0;
    for (i, &x) in sorted.iter().enumerate() {
        if i > 0 && sorted[i - 1] >> 32 != x >> 32 {
            class_start = i as u32;
        }
        ranks[(x & 0xffff_ffff) as usize] = class_start;
    }
    let order = sorted.iter().map(|&x| (x & 0xffff_ffff) as usize).collect();
    (ranks, order)
}

/// Partition refinement with reusable buffers. A rank is the number of atoms ordered before
/// the atom's class, so refining never reorders existing classes, only splits them.
pub(super) struct Refiner<'a> {
    adj: &'a Adjacency,
    pub bond_code: Pooled<u64>,
    offsets: Pooled<usize>,
    keys: Pooled<u64>,
    order: Pooled<usize>,
    new_ranks: Pooled<u32>,
    /// An atom is dirty when `dirty[a] == stamp` (bumping the stamp clears every mark at once).
    dirty: Pooled<u32>,
    stamp: u32,
    counts: Pooled<u32>,
    /// Classes of two or more atoms, as `order[start..end]` ranges: singletons cannot split,
    /// so a pass visits only these instead of all atoms.
    cells: Pooled<(usize, usize)>,
    next_cells: Pooled<(usize, usize)>,
    changed: Pooled<usize>,
    /// Per-atom refinement key packed into one number (see `split_class`).
    packed: Pooled<u128>,
}

impl<'a> Refiner<'a> {
    /// `order`: the atoms sorted by their initial ranks.
    fn new(adj: &'a Adjacency, bond_code: Pooled<u64>, order: Pooled<usize>) -> Refiner<'a> {
        let mut offsets = Pooled::with_capacity(adj.len() + 1);
        offsets.push(0);
        let mut total = 0;
        for nbrs in adj.iter() {
            total += nbrs.len();
            offsets.push(total);
        }
        Refiner {
            adj,
            bond_code,
            keys: Pooled::filled(*offsets.last().unwrap(), 0),
            offsets,
            order,
            new_ranks: Pooled::filled(adj.len(), 0),
            dirty: Pooled::filled(adj.len(), 0),
            stamp: 0,
            counts: Pooled::filled(adj.len(), 0),
            cells: Pooled::with_capacity(adj.len() / 2),
            next_cells: Pooled::with_capacity(adj.len() / 2),
            changed: Pooled::with_capacity(adj.len()),
            packed: Pooled::filled(adj.len(), 0),
        }
    }

    /// Class sizes by rank (a rank is its class's first position, so ranks index sizes).
    fn count_sizes(&mut self, ranks: &[u32]) {
        self.counts.fill(0);
        for &r in ranks {
            self.counts[r as usize] += 1;
        }
    }

    /// Ranks `chosen` before the rest of its class `tied` (the others move up by one), keeping
    /// the rank order of `order` when it held.
    pub fn put_first(&mut self, ranks: &mut [u32], tied: u32, chosen: usize) {
        let t = tied as usize;
        let in_order = self.order.get(t).is_some_and(|&a| ranks[a] == tied)
            && self.order.is_sorted_by_key(|&a| ranks[a]);
        for (a, r) in ranks.iter_mut().enumerate() {
            if *r == tied && a != chosen {
                *r = tied + 1;
            }
        }
        if in_order {
            // The class holds positions tied.. of `order`: the chosen atom goes first.
            if let Some(p) = self.order[t..].iter().position(|&a| a == chosen) {
                self.order.swap(t, t + p);
            }
        }
    }

    /// The lowest rank shared by two or more atoms.
    pub fn lowest_tied_class(&mut self, ranks: &[u32]) -> Option<u32> {
        self.count_sizes(ranks);
        self.counts.iter().position(|&c| c > 1).map(|r| r as u32)
    }

    /// Splits classes by (stereo label, sorted neighbour ranks and bond types) until stable.
    /// Only classes with two or more atoms are re-sorted: singletons cannot split.
    ///
    /// `touched`: `None` when the ranks may be anything, so the first pass splits every class;
    /// otherwise the ranks are a refinement's stable result in which only the atoms in
    /// `touched` have a new key (a neighbour moved to another class, or their stereo label
    /// changed), so the first pass splits only their classes: no other class can split.
    pub fn refine(&mut self, ranks: &mut [u32], extra: &[u32], touched: Option<&[usize]>) {
        let n = ranks.len();
        // Usually in order already: from the last refinement, or kept so by `put_first`.
        if !self.order.is_sorted_by_key(|&a| ranks[a]) {
            self.order.sort_unstable_by_key(|&a| ranks[a]);
        }
        self.cells.clear();
        let mut start = 0;
        while start < n {
            let r = ranks[self.order[start]];
            let mut end = start + 1;
            while end < n && ranks[self.order[end]] == r {
                end += 1;
            }
            if end - start > 1 {
                self.cells.push((start, end));
            }
            start = end;
        }
        // Only a class with a member next to an atom whose rank just changed can split (the
        // first pass looks at all): along a chain, refinement is a wave, not n full passes.
        let mut all_dirty = touched.is_none();
        if let Some(touched) = touched {
            self.stamp = self.stamp.wrapping_add(1);
            if self.stamp == 0 {
                self.dirty.fill(u32::MAX);
            }
            for &a in touched {
                self.dirty[a] = self.stamp;
            }
        }
        loop {
            self.changed.clear();
            self.next_cells.clear();
            for i in 0..self.cells.len() {
                let (start, end) = self.cells[i];
                let dirty = all_dirty
                    || self.order[start..end]
                        .iter()
                        .any(|&a| self.dirty[a] == self.stamp);
                if dirty {
                    self.split_class(start, end, ranks, extra);
                } else {
                    self.next_cells.push((start, end));
                }
            }
            if self.changed.is_empty() {
                break;
            }
            std::mem::swap(&mut self.cells, &mut self.next_cells);
            // New ranks were written to `new_ranks`; apply them all at once so every class was
            // judged by the same (previous) neighbour ranks.
            all_dirty = false;
            self.stamp = self.stamp.wrapping_add(1);
            if self.stamp == 0 {
                self.dirty.fill(u32::MAX);
            }
            for &a in &self.changed {
                ranks[a] = self.new_ranks[a];
                for &(nb, _) in &self.adj[a] {
                    self.dirty[nb] = self.stamp;
                }
            }
        }
    }

    /// Sorts class `order[start..end]` by its refinement keys and records the sub-class ranks
    /// in `new_ranks`, the atoms whose rank changes in `changed`, and the sub-classes of two or
    /// more atoms in `next_cells`.
    fn split_class(&mut self, start: usize, end: usize, ranks: &[u32], extra: &[u32]) {
        let offsets = &self.offsets;
        // Atoms of one class have the same degree (it is part of the initial invariant), so
        // their key lists compare element by element; up to 4 keys of 16 bits pack into one
        // number that sorts the same way.
        let degree = offsets[self.order[start] + 1] - offsets[self.order[start]];
        let packable = degree <= 4
            && self.adj.len() < 1 << 13
            && self.order[start..end]
                .iter()
                .all(|&a| offsets[a + 1] - offsets[a] == degree);
        if packable {
            for &a in &self.order[start..end] {
                // The neighbour keys sorted in place (at most 4: no call into a sort).
                let mut k = [0u64; 4];
                for (slot, &(nb, b)) in k.iter_mut().zip(&self.adj[a]) {
                    *slot = u64::from(ranks[nb]) << 3 | self.bond_code[b];
                }
                for i in 1..degree {
                    let mut j = i;
                    while j > 0 && k[j - 1] > k[j] {
                        k.swap(j - 1, j);
                        j -= 1;
                    }
                }
                // Labels take 4 bits: with up to 3 keys the number fits in 64 bits.
                self.packed[a] = if degree <= 3 {
                    u128::from(
                        k[..degree]
                            .iter()
                            .fold(u64::from(extra[a]), |acc, &k| acc << 16 | k),
                    )
                } else {
                    k[..degree]
                        .iter()
                        .fold(u128::from(extra[a]), |acc, &k| acc << 16 | u128::from(k))
                };
            }
            let packed = &self.packed;
            if end - start == 2 {
                if packed[self.order[start]] > packed[self.order[start + 1]] {
                    self.order.swap(start, start + 1);
                }
            } else {
                self.order[start..end].sort_unstable_by_key(|&a| packed[a]);
            }
        } else {
            for &a in &self.order[start..end] {
                let slice = &mut self.keys[offsets[a]..offsets[a + 1]];
                for (k, &(nb, b)) in slice.iter_mut().zip(&self.adj[a]) {
                    *k = u64::from(ranks[nb]) << 3 | self.bond_code[b];
                }
                slice.sort_unstable();
            }
            let keys = &self.keys;
            let key = |a: usize| (extra[a], &keys[offsets[a]..offsets[a + 1]]);
            self.order[start..end].sort_unstable_by(|&x, &y| key(x).cmp(&key(y)));
        }
        let (keys, offsets) = (&self.keys, &self.offsets);
        let key = |a: usize| (extra[a], &keys[offsets[a]..offsets[a + 1]]);
        let packed = &self.packed;
        let same = |x: usize, y: usize| {
            if packable {
                packed[x] == packed[y]
            } else {
                key(x) == key(y)
            }
        };
        let mut sub_start = start;
        for i in start..end {
            let a = self.order[i];
            if i > start && same(self.order[i - 1], a) {
                self.new_ranks[a] = self.new_ranks[self.order[i - 1]];
            } else {
                if i - sub_start > 1 {
                    self.next_cells.push((sub_start, i));
                }
                sub_start = i;
                self.new_ranks[a] = i as u32;
            }
            if self.new_ranks[a] != ranks[a] {
                self.changed.push(a);
            }
        }
        if end - sub_start > 1 {
            self.next_cells.push((sub_start, end));
        }
    }
}

/// Stereo labels folded into the refinement, with which stereo elements already have one.
#[derive(Clone)]
pub(super) struct Labels {
    pub extra: Pooled<u32>,
    pub centre_done: Pooled<bool>,
    double_done: Pooled<bool>,
}

impl Labels {
    fn new(n: usize, stereo: &StereoSet) -> Labels {
        Labels {
            extra: Pooled::filled(n, 0),
            centre_done: Pooled::filled(stereo.centres.len(), false),
            double_done: Pooled::filled(stereo.double_bonds.len(), false),
        }
    }

    /// Labels every stereo element that the current ranks make expressible; true if any was new.
    /// The atoms whose label changed are left in `touched`.
    pub fn update(
        &mut self,
        adj: &Adjacency,
        ranks: &[u32],
        stereo: &StereoSet,
        touched: &mut Pooled<usize>,
    ) -> bool {
        touched.clear();
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
            touched.push(c.atom);
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
            touched.extend(db.ends);
            changed = true;
        }
        changed
    }
}

/// The highest-ranked substituent on each end, when each end's substituents differ in rank.
fn ranked_substituents(adj: &Adjacency, ranks: &[u32], db: &DoubleBond) -> Option<[usize; 2]> {
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
/// Relevant cycles, not the SSSR: in cages (adamantane) the SSSR depends on atom order.
fn drop_unresolved(
    mol: &Molecule,
    adj: &Adjacency,
    rings: Option<&RingCore>,
    stereo: &mut StereoSet,
    labels: &mut Labels,
) {
    let mut keep_db = labels.double_done.iter();
    stereo.double_bonds.retain(|_| *keep_db.next().unwrap());
    labels.double_done.retain(|&d| d);
    if labels.centre_done.iter().all(|&d| d) {
        return;
    }
    let owned;
    let rings = match rings {
        Some(r) => r,
        None => {
            owned = RingCore::new(adj, mol.bond_count());
            &owned
        }
    };
    loop {
        let centres: Vec<usize> = stereo.centres.iter().map(|c| c.atom).collect();
        let unresolved_keep = |i: usize| {
            let atom = centres[i];
            (0..rings.len()).map(|c| rings.atoms(c)).any(|ring| {
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
