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
    let mut ranks = initial_ranks(mol, adj);
    let mut refiner = Refiner::new(adj, bond_code);
    let mut labels = Labels::new(n, stereo);
    refiner.refine(&mut ranks, &labels.extra);
    while labels.update(adj, &ranks, stereo) {
        refiner.refine(&mut ranks, &labels.extra);
    }
    drop_unresolved(mol, stereo, &mut labels);
    while let Some(tied) = refiner.lowest_tied_class(&ranks) {
        // Any member will do: refinement made them indistinguishable.
        let chosen = (0..n)
            .find(|&a| ranks[a] == tied)
            .expect("class has members");
        for (a, r) in ranks.iter_mut().enumerate() {
            if *r == tied && a != chosen {
                *r = tied + 1;
            }
        }
        refiner.refine(&mut ranks, &labels.extra);
        while labels.update(adj, &ranks, stereo) {
            refiner.refine(&mut ranks, &labels.extra);
        }
    }
    ranks
}

fn initial_ranks(mol: &Molecule, adj: &[Vec<(usize, usize)>]) -> Vec<u32> {
    let keys: Vec<(u64, u32)> = mol
        .atoms()
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
        .collect();
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
