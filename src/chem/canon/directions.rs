//! `/` and `\` marks for stereo double bonds.
//!
//! The side of substituent `n` of double-bond end `e`, read on bond n–e, is "up" for `n/e` or
//! `e\n` and "down" for `n\e` or `e/n`; two substituents on opposite ends are cis when they are
//! on the same side, and the two substituents of one end are on opposite sides. Every plain
//! single bond around a stereo double bond gets a mark, so that a bond shared by two double bonds
//! (C=C–C=C) carries one mark that suits both; double bonds are handled along conjugated chains,
//! each starting from a mark a neighbour already set.

use super::stereo::{DoubleBond, StereoSet, cis_relative_to, substituents};
use super::writer::Walk;
use crate::chem::aromaticity::Flags;
use crate::chem::mol::{Adjacency, AtomIdx, BondOrder, Molecule};
use crate::chem::pool::Pooled;

/// `/` (true) or `\` (false), as written after the bond's first-written atom.
pub(crate) type Direction = Option<bool>;

/// For each end of a double bond: the (substituent, bond) pairs that may carry a mark.
type Markable = [Vec<(usize, usize)>; 2];

pub(crate) fn bond_directions(
    mol: &Molecule,
    adj: &Adjacency,
    walk: &Walk,
    stereo: &StereoSet,
    flags: &Flags,
) -> Pooled<Direction> {
    let mut dir: Pooled<Direction> = Pooled::filled(mol.bond_count(), None);
    let mut dbs: Vec<(&DoubleBond, Markable)> = stereo
        .double_bonds
        .iter()
        .map(|db| (db, markable(mol, adj, walk, flags, db)))
        .filter(|(_, c)| !c[0].is_empty() && !c[1].is_empty())
        .collect();
    dbs.sort_by_key(|(db, _)| walk.position[db.ends[0]].min(walk.position[db.ends[1]]));
    let mut done = vec![false; dbs.len()];
    while let Some(i) = next_double_bond(&dbs, &done, &dir) {
        done[i] = true;
        let (db, cands) = &dbs[i];
        mark(db, cands, walk, &mut dir);
    }
    dir
}

/// The next double bond to mark: one touching an already marked bond (to follow conjugated
/// chains), else the first unmarked one in writing order.
fn next_double_bond(
    dbs: &[(&DoubleBond, Markable)],
    done: &[bool],
    dir: &[Direction],
) -> Option<usize> {
    let open = || (0..dbs.len()).filter(|&i| !done[i]);
    open()
        .find(|&i| dbs[i].1.iter().flatten().any(|&(_, b)| dir[b].is_some()))
        .or_else(|| open().next())
}

/// Plain single bonds to each end's substituents, tree bonds first; ring-closure bonds only
/// when an end has no tree bond to mark. An end whose substituents are all joined by aromatic
/// bonds (a double bond leaving an aromatic ring, `C/N=c1\sccn1C`) marks one of those, as
/// RDKit writes it; readers take `/` `\` between aromatic atoms as an aromatic bond.
fn markable(
    mol: &Molecule,
    adj: &Adjacency,
    walk: &Walk,
    flags: &Flags,
    db: &DoubleBond,
) -> Markable {
    let mut out: Markable = [Vec::new(), Vec::new()];
    for (e, cands) in out.iter_mut().enumerate() {
        let (end, other) = (db.ends[e], db.ends[1 - e]);
        let mut aromatic = Vec::new();
        for &n in &substituents(adj, end, other) {
            let b = mol
                .bond_between(AtomIdx::new(end), AtomIdx::new(n))
                .expect("substituent is bonded");
            // A dative bond is written as an arrow and cannot carry a mark.
            if mol.bond(b).order != BondOrder::Single || mol.bond(b).dative {
                continue;
            }
            if flags.bonds[b.index()] {
                aromatic.push((n, b.index()));
            } else {
                cands.push((n, b.index()));
            }
        }
        if cands.is_empty() {
            *cands = aromatic;
        }
        let is_tree = |&(n, b): &(usize, usize)| {
            walk.parent_bond[n] == Some(b) || walk.parent_bond[end] == Some(b)
        };
        if cands.iter().any(is_tree) {
            cands.retain(is_tree);
        } else {
            cands.truncate(1);
        }
        cands.sort_by_key(|&(n, _)| walk.position[n]);
    }
    out
}

/// Marks the bonds around one double bond, starting from a mark already set if there is one,
/// else giving the first-written end's first substituent "up". Marks already set by other
/// double bonds are kept (a conflict, possible only in cyclic conjugation, is left as is).
fn mark(db: &DoubleBond, cands: &Markable, walk: &Walk, dir: &mut [Direction]) {
    let side_of = |dir: &[Direction], e: usize, (n, b): (usize, usize)| {
        dir[b].map(|up| up == walk.writes_bond_from(n, db.ends[e]))
    };
    let first_end = usize::from(walk.position[db.ends[1]] < walk.position[db.ends[0]]);
    let anchor = [first_end, 1 - first_end]
        .iter()
        .flat_map(|&e| cands[e].iter().map(move |&c| (e, c)))
        .find_map(|(e, c)| side_of(dir, e, c).map(|s| (e, c, s)));
    let (ae, (an, _), a_side) = anchor.unwrap_or((first_end, cands[first_end][0], true));
    for (e, list) in cands.iter().enumerate() {
        for &(n, b) in list {
            if dir[b].is_some() {
                continue;
            }
            let up = if e == ae {
                // Same end: the other substituent (or the anchor itself) sits opposite.
                if n == an { a_side } else { !a_side }
            } else {
                let mut picks = [0; 2];
                picks[ae] = an;
                picks[e] = n;
                if cis_relative_to(db, picks) {
                    a_side
                } else {
                    !a_side
                }
            };
            dir[b] = Some(up == walk.writes_bond_from(n, db.ends[e]));
        }
    }
}
