//! Double-bond stereo from the `/` and `\` marks on the single bonds around a double bond.
//!
//! Marks that contradict each other (two neighbours of one end both "above") leave that double
//! bond's configuration unspecified rather than rejecting the molecule: real writers (Avalon)
//! emit such strings for valid molecules, and RDKit and the other readers of NextMove's benchmark
//! read them the same way.

use super::parser::RawSmiles;
use crate::chem::mol::{AtomIdx, BondIdx, BondOrder, DoubleBondStereo};
use crate::chem::rings::in_ring_smaller_than;

/// Sets `Bond::stereo` on every written double bond with a consistently marked neighbour at
/// both ends.
pub(crate) fn assign_double_bond_stereo(raw: &mut RawSmiles) {
    if raw.direction_marks.iter().all(Option::is_none) {
        return;
    }
    let bonds: Vec<BondIdx> = raw.mol.bonds().collect();
    for b in bonds {
        let bond = raw.mol.bond(b);
        if bond.order != BondOrder::Double || bond.aromatic {
            continue;
        }
        let (x, y) = raw.mol.bond_atoms(b);
        let (Some((rx, x_up)), Some((ry, y_up))) = (reference(raw, x, b), reference(raw, y, b))
        else {
            continue;
        };
        // A ring of fewer than eight atoms holds its double bonds cis; RDKit keeps no
        // configuration there, and marks around such a bond (often written for a neighbouring
        // double bond) say nothing about it.
        if in_ring_smaller_than(&raw.mol, b, 8) {
            continue;
        }
        raw.mol.bond_mut(b).stereo = Some(DoubleBondStereo {
            begin_ref: rx,
            end_ref: ry,
            cis: x_up == y_up,
        });
    }
}

/// The first marked neighbour of `a` (other than across `double`) and whether it lies above `a`;
/// `None` when there is none or two marked neighbours claim the same side.
fn reference(raw: &RawSmiles, a: AtomIdx, double: BondIdx) -> Option<(AtomIdx, bool)> {
    let mut found: Option<(AtomIdx, bool)> = None;
    for (n, b) in raw.mol.neighbors(a) {
        if b == double {
            continue;
        }
        let Some(mark) = raw.direction_marks.get(b.index()).copied().flatten() else {
            continue;
        };
        // `X/A`: A lies above X, so X lies below A; `A/X`: X lies above A.
        let n_up = if mark.from == a { mark.up } else { !mark.up };
        match found {
            None => found = Some((n, n_up)),
            Some((_, first_up)) if first_up == n_up => return None,
            Some(_) => {}
        }
    }
    found
}
