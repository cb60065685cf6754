//! The stereo a writer can express: tetrahedral centres and double-bond configurations, checked
//! against the graph and stated in plain indices; plus the parity arithmetic on neighbour orders.

use crate::chem::aromaticity::Flags;
use crate::chem::mol::{Adjacency, BondOrder, Molecule, StereoClass};
use crate::chem::pool::Pooled;

/// A neighbour slot around a centre: an atom, or the implicit H / lone pair (`None`).
pub(crate) type Slot = Option<usize>;

#[derive(Clone, Debug)]
pub(crate) struct Tetrahedral {
    pub atom: usize,
    /// The neighbours in the order `clockwise` refers to.
    pub slots: [Slot; 4],
    /// `@@`: looking from the first slot, the other three turn clockwise.
    pub clockwise: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct DoubleBond {
    pub ends: [usize; 2],
    /// A neighbour of each end (other than the opposite end).
    pub refs: [usize; 2],
    pub cis: bool,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct StereoSet {
    pub centres: Vec<Tetrahedral>,
    pub double_bonds: Vec<DoubleBond>,
}

impl StereoSet {
    /// Collects the stereo of `mol` that is consistent with its graph. Stereo that does not fit
    /// (a centre whose listed neighbours are not its neighbours, a "double bond" that is single
    /// or aromatic) is left out rather than written wrongly. Non-tetrahedral classes
    /// (`@SP`, `@TB`, `@OH`, `@AL`) are not written.
    pub fn collect(mol: &Molecule, adj: &Adjacency, flags: &Flags) -> StereoSet {
        let mut set = StereoSet::default();
        for a in mol.atoms() {
            let atom = mol.atom(a);
            let Some(st) = &atom.stereo else { continue };
            let StereoClass::Tetrahedral { clockwise } = st.class else {
                continue;
            };
            if st.neighbors.len() != 4 {
                continue;
            }
            let slots: Vec<Slot> = st
                .neighbors
                .iter()
                .map(|n| n.atom().map(|x| x.index()))
                .collect();
            let implicit = slots.iter().filter(|s| s.is_none()).count();
            let nbrs = &adj[a.index()];
            let fits = implicit <= 1
                && atom.hydrogens as usize <= implicit
                && nbrs.len() + implicit == 4
                && nbrs.iter().all(|(n, _)| slots.contains(&Some(*n)));
            if fits {
                set.centres.push(Tetrahedral {
                    atom: a.index(),
                    slots: [slots[0], slots[1], slots[2], slots[3]],
                    clockwise,
                });
            }
        }
        for b in mol.bonds() {
            let bond = mol.bond(b);
            let Some(st) = bond.stereo else { continue };
            if bond.order != BondOrder::Double || flags.bonds[b.index()] {
                continue;
            }
            let (x, y) = mol.bond_atoms(b);
            let (x, y) = (x.index(), y.index());
            let (rx, ry) = (st.begin_ref.index(), st.end_ref.index());
            let is_nbr = |a: usize, r: usize, other: usize| {
                r != other && adj[a].iter().any(|&(n, _)| n == r)
            };
            if is_nbr(x, rx, y) && is_nbr(y, ry, x) {
                set.double_bonds.push(DoubleBond {
                    ends: [x, y],
                    refs: [rx, ry],
                    cis: st.cis,
                });
            }
        }
        set
    }
}

/// Whether `to` is an odd permutation of `from` (both hold the same distinct items).
pub(crate) fn odd_permutation<T: PartialEq + Copy>(from: &[T], to: &[T]) -> bool {
    // Neighbour lists are short: work on a stack copy (no allocation) when it fits.
    let mut stack;
    let mut heap;
    let v: &mut [T] = match from.first() {
        Some(&first) if from.len() <= 8 => {
            stack = [first; 8];
            stack[..from.len()].copy_from_slice(from);
            &mut stack[..from.len()]
        }
        _ => {
            heap = from.to_vec();
            &mut heap
        }
    };
    let mut odd = false;
    for i in 0..v.len() {
        if v[i] != to[i] {
            let j = (i + 1..v.len())
                .find(|&j| v[j] == to[i])
                .expect("same items");
            v.swap(i, j);
            odd = !odd;
        }
    }
    odd
}

/// The other neighbours of a double-bond end, apart from the opposite end.
pub(crate) fn substituents(adj: &Adjacency, end: usize, other: usize) -> Pooled<usize> {
    adj[end]
        .iter()
        .map(|&(n, _)| n)
        .filter(|&n| n != other)
        .collect()
}

/// Cis/trans relative to substituents `picks` instead of the stored reference atoms: swapping
/// the reference on one end to the other substituent flips the relation.
pub(crate) fn cis_relative_to(db: &DoubleBond, picks: [usize; 2]) -> bool {
    db.cis ^ (picks[0] != db.refs[0]) ^ (picks[1] != db.refs[1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permutation_parity() {
        assert!(!odd_permutation(&[1, 2, 3, 4], &[1, 2, 3, 4]));
        assert!(odd_permutation(&[1, 2, 3, 4], &[2, 1, 3, 4]));
        assert!(!odd_permutation(&[1, 2, 3, 4], &[2, 3, 1, 4]));
        assert!(!odd_permutation(&[1, 2, 3, 4], &[4, 3, 2, 1]));
    }
}
