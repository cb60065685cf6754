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
/// Where an atom's note (its label's rank) sits in its refinement key, above the stereo bits.
const NOTE_SHIFT: u32 = 4;
const NOTE_MAX: u32 = u32::MAX >> NOTE_SHIFT;

/// Ranks (0-based, one per atom, all distinct) and drops from `stereo` what is not real stereo
/// (a "centre" with two identical substituents, a double bond with two identical substituents on
/// one end), so that such input marks cannot change the output.
///
/// `notes` (one number per atom, 0 for none; CXSMILES labels) split the classes that remain
/// after refinement and stereo, before ties are broken: they never reorder atoms that the
/// molecule itself tells apart, and they do not make stereo real (RDKit's stereo perception
/// ignores labels too).
pub(crate) fn canonical_ranks(
    mol: &Molecule,
    adj: &Adjacency,
    rings: Option<&RingCore>,
    flags: &Flags,
    stereo: &mut StereoSet,
    notes: Option<&[u32]>,
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
    if let Some(notes) = notes {
        touched.clear();
        for (a, &note) in notes.iter().enumerate() {
            if note != 0 {
                labels.extra[a] |= note.min(NOTE_MAX) << NOTE_SHIFT;
                touched.push(a);
            }
        }
        refiner.refine(&mut ranks, &labels.extra, Some(&touched));
        while labels.update(adj, &ranks, stereo, &mut touched) {
            refiner.refine(&mut ranks, &labels.extra, Some(&touched));
        }
    }
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
///
/// Inside `refine` an atom's rank is read through its class (`cells[cell_of[a]].0`): when a
/// class splits, its largest unchanged part keeps the class and only moves its start, so a
/// split costs what its changed atoms cost, not the class's size (a long chain splits one
/// pair of atoms per pass from a class holding all the others).
pub(super) struct Refiner<'a> {
    adj: &'a Adjacency,
    pub bond_code: Pooled<u64>,
    offsets: Pooled<usize>,
    keys: Pooled<u64>,
    /// The atoms in rank order; each class is a contiguous range.
    order: Pooled<usize>,
    /// Where each atom is in `order`.
    position: Pooled<usize>,
    /// Each atom's class, an index into `cells`.
    cell_of: Pooled<u32>,
    /// Each class as its range `order[start..end]`; `start` is its atoms' rank.
    cells: Pooled<(usize, usize)>,
    /// An atom is dirty (its key may have changed) when `dirty[a] == stamp`; bumping the stamp
    /// clears every mark at once.
    dirty: Pooled<u32>,
    stamp: u32,
    counts: Pooled<u32>,
    /// The dirty atoms of the current pass, and the atoms given a new class in it.
    pending: Pooled<usize>,
    moved: Pooled<usize>,
    /// New bounds of classes that kept their atoms but lost some, applied after the pass so
    /// that every class of a pass is judged by the same ranks.
    new_bounds: Pooled<(usize, usize, usize)>,
    /// New classes of moved atoms, applied after the pass.
    new_cell_of: Pooled<(usize, usize)>,
    scratch: Pooled<usize>,
    groups: Pooled<(usize, usize)>,
    /// Per-atom refinement key packed into one number (see `compute_keys`).
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
            position: Pooled::filled(adj.len(), 0),
            cell_of: Pooled::filled(adj.len(), 0),
            cells: Pooled::with_capacity(adj.len()),
            dirty: Pooled::filled(adj.len(), 0),
            stamp: 0,
            counts: Pooled::filled(adj.len(), 0),
            pending: Pooled::with_capacity(adj.len()),
            moved: Pooled::with_capacity(adj.len()),
            new_bounds: Pooled::new(),
            new_cell_of: Pooled::new(),
            scratch: Pooled::new(),
            groups: Pooled::new(),
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

    fn new_stamp(&mut self) {
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.dirty.fill(u32::MAX);
            self.stamp = 1;
        }
    }

    fn rank(&self, a: usize) -> usize {
        self.cells[self.cell_of[a] as usize].0
    }

    fn class_size(&self, a: usize) -> usize {
        let (start, end) = self.cells[self.cell_of[a] as usize];
        end - start
    }

    /// Splits classes by (stereo label, sorted neighbour ranks and bond types) until stable.
    ///
    /// `touched`: `None` when the ranks may be anything, so the first pass sorts every class;
    /// otherwise the ranks are a refinement's stable result in which only the atoms in
    /// `touched` have a new key (a neighbour moved to another class, or their stereo label
    /// changed), so only they are looked at: the other atoms of a class still share one key.
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
            let id = self.cells.len() as u32;
            self.cells.push((start, end));
            for p in start..end {
                let a = self.order[p];
                self.cell_of[a] = id;
                self.position[a] = p;
            }
            start = end;
        }
        self.new_stamp();
        self.pending.clear();
        match touched {
            // The first pass sorts every class of two or more atoms.
            None => {
                self.moved.clear();
                self.new_bounds.clear();
                self.new_cell_of.clear();
                for c in 0..self.cells.len() {
                    let (start, end) = self.cells[c];
                    if end - start > 1 {
                        self.split_class(c, None, extra);
                    }
                }
                self.apply_pass();
            }
            Some(touched) => {
                for &a in touched {
                    if self.dirty[a] != self.stamp && self.class_size(a) > 1 {
                        self.dirty[a] = self.stamp;
                        self.pending.push(a);
                    }
                }
            }
        }
        while !self.pending.is_empty() {
            // Dirty atoms grouped by class: classes are ranges of `order`.
            let mut pending = std::mem::take(&mut self.pending);
            pending.sort_unstable_by_key(|&a| self.position[a]);
            self.moved.clear();
            self.new_bounds.clear();
            self.new_cell_of.clear();
            let mut i = 0;
            while i < pending.len() {
                let c = self.cell_of[pending[i]];
                let mut j = i + 1;
                while j < pending.len() && self.cell_of[pending[j]] == c {
                    j += 1;
                }
                self.split_class(c as usize, Some(&pending[i..j]), extra);
                i = j;
            }
            self.pending = pending;
            self.apply_pass();
        }
        for (a, r) in ranks.iter_mut().enumerate() {
            *r = self.rank(a) as u32;
        }
    }

    /// Applies a pass's new classes and leaves in `pending` the atoms to look at next: only
    /// the neighbours of atoms that changed class can split, so along a chain refinement is
    /// a wave, not n full passes.
    fn apply_pass(&mut self) {
        self.pending.clear();
        for &(c, start, end) in self.new_bounds.iter() {
            self.cells[c] = (start, end);
        }
        for &(a, c) in self.new_cell_of.iter() {
            self.cell_of[a] = c as u32;
        }
        self.new_stamp();
        for i in 0..self.moved.len() {
            let a = self.moved[i];
            for &(nb, _) in &self.adj[a] {
                if self.dirty[nb] != self.stamp && self.class_size(nb) > 1 {
                    self.dirty[nb] = self.stamp;
                    self.pending.push(nb);
                }
            }
        }
    }

    /// Moves atom `a` to `target` in `order`, swapping with the atom there.
    fn swap_into(&mut self, a: usize, target: usize) {
        let from = self.position[a];
        let other = self.order[target];
        self.order.swap(from, target);
        self.position[other] = from;
        self.position[a] = target;
    }

    /// Splits class `c` by the keys of its dirty atoms `dirty` (all its atoms, or only those
    /// whose key may have changed: the others share one key). The sub-classes take the class's
    /// range in key order; the one holding the unchanged atoms (with every atom dirty, the
    /// largest) keeps the class, the others become new classes and their atoms are `moved`.
    fn split_class(&mut self, c: usize, dirty: Option<&[usize]>, extra: &[u32]) {
        let (start, end) = self.cells[c];
        let mut atoms = std::mem::take(&mut self.scratch);
        atoms.clear();
        atoms.extend_from_slice(dirty.unwrap_or(&self.order[start..end]));
        // A member whose key did not change stands for all such members.
        let unchanged = if atoms.len() == end - start {
            None
        } else {
            self.order[start..end]
                .iter()
                .copied()
                .find(|&a| self.dirty[a] != self.stamp)
        };
        let packable = self.compute_keys(&atoms, unchanged, extra);
        let (keys, offsets, packed) = (&self.keys, &self.offsets, &self.packed);
        let cmp = |x: usize, y: usize| {
            if packable {
                packed[x].cmp(&packed[y])
            } else {
                (extra[x], &keys[offsets[x]..offsets[x + 1]])
                    .cmp(&(extra[y], &keys[offsets[y]..offsets[y + 1]]))
            }
        };
        if atoms.len() == 2 {
            if cmp(atoms[0], atoms[1]).is_gt() {
                atoms.swap(0, 1);
            }
        } else if packable {
            atoms.sort_unstable_by_key(|&a| packed[a]);
        } else {
            atoms.sort_unstable_by(|&x, &y| cmp(x, y));
        }
        // The atoms before and after the part that keeps the class.
        let (before, after) = match unchanged {
            // The largest sub-class keeps the class: then the atoms that move, whose
            // neighbours are looked at next, are at most half of it.
            None => {
                let (mut best, mut i) = ((0, 0), 0);
                while i < atoms.len() {
                    let mut j = i + 1;
                    while j < atoms.len() && cmp(atoms[i], atoms[j]).is_eq() {
                        j += 1;
                    }
                    if j - i > best.1 - best.0 {
                        best = (i, j);
                    }
                    i = j;
                }
                (best.0, atoms.len() - best.1)
            }
            Some(u) => {
                let before = atoms.partition_point(|&a| cmp(a, u).is_lt());
                let after = atoms.len() - atoms.partition_point(|&a| cmp(a, u).is_le());
                (before, after)
            }
        };
        if before == 0 && after == 0 {
            self.scratch = atoms;
            return;
        }
        let tail = atoms.len() - after;
        // Runs of equal keys among the atoms that leave the class.
        let mut groups = std::mem::take(&mut self.groups);
        groups.clear();
        for range in [0..before, tail..atoms.len()] {
            let mut i = range.start;
            while i < range.end {
                let mut j = i + 1;
                while j < range.end && cmp(atoms[i], atoms[j]).is_eq() {
                    j += 1;
                }
                groups.push((i, j));
                i = j;
            }
        }
        for (i, &a) in atoms[..before].iter().enumerate() {
            self.swap_into(a, start + i);
        }
        for (i, &a) in atoms[tail..].iter().enumerate().rev() {
            self.swap_into(a, end - after + i);
        }
        self.new_bounds.push((c, start + before, end - after));
        for &(i, j) in groups.iter() {
            let at = if i < before {
                start + i
            } else {
                end - after + (i - tail)
            };
            let id = self.cells.len();
            self.cells.push((at, at + j - i));
            for &a in &atoms[i..j] {
                self.new_cell_of.push((a, id));
                self.moved.push(a);
            }
        }
        self.groups = groups;
        self.scratch = atoms;
    }

    /// Writes the refinement keys of `atoms` (and of `unchanged`) with the current ranks: into
    /// `packed` when they fit one number (true), else into `keys`. Atoms of one class have the
    /// same degree (it is part of the initial invariant), so their key lists compare element
    /// by element, and a few keys pack into one number that sorts the same way.
    fn compute_keys(&mut self, atoms: &[usize], unchanged: Option<usize>, extra: &[u32]) -> bool {
        let first = unchanged.unwrap_or(atoms[0]);
        let degree = self.offsets[first + 1] - self.offsets[first];
        let same_degree = atoms
            .iter()
            .all(|&a| self.offsets[a + 1] - self.offsets[a] == degree);
        // A key is a rank and a 3-bit bond code; labels take 4 bits.
        let n = self.adj.len();
        let width = if n < 1 << 13 { 16 } else { 32 };
        let packable = same_degree && (width == 16 && degree <= 4 || degree <= 3) && n < 1 << 29;
        for &a in atoms.iter().chain(unchanged.iter()) {
            if packable {
                let mut k = [0u64; 4];
                for (slot, &(nb, b)) in k.iter_mut().zip(&self.adj[a]) {
                    *slot = (self.rank(nb) as u64) << 3 | self.bond_code[b];
                }
                // At most 4 keys: sorted in place, no call into a sort.
                for i in 1..degree {
                    let mut j = i;
                    while j > 0 && k[j - 1] > k[j] {
                        k.swap(j - 1, j);
                        j -= 1;
                    }
                }
                self.packed[a] = k[..degree]
                    .iter()
                    .fold(u128::from(extra[a]), |acc, &k| acc << width | u128::from(k));
            } else {
                let (from, to) = (self.offsets[a], self.offsets[a + 1]);
                for i in 0..to - from {
                    let (nb, b) = self.adj[a][i];
                    self.keys[from + i] = (self.rank(nb) as u64) << 3 | self.bond_code[b];
                }
                self.keys[from..to].sort_unstable();
            }
        }
        packable
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
