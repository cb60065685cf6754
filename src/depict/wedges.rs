//! Wedge and hash bonds for tetrahedral centres: one bond per centre, narrow end at the centre,
//! chosen to be acyclic and to lead away from other stereocentres where possible; wedge or hash
//! is whichever makes the drawn 3D sense match the recorded `@`/`@@`.

use super::layout::Vec2;
use crate::chem::mol::StereoClass;
use crate::chem::stereo_geometry::drawn_volume;
use crate::chem::{AtomIdx, BondIdx, Molecule};

/// A stereo bond to draw: from `centre` (narrow end) along `bond`; hashed when pointing away.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StereoBond {
    pub bond: BondIdx,
    pub centre: AtomIdx,
    pub hashed: bool,
}

pub fn stereo_bonds(mol: &Molecule, pos: &[Vec2], ring_bond: &[bool]) -> Vec<StereoBond> {
    let mut out: Vec<StereoBond> = Vec::new();
    let points: Vec<[f64; 2]> = pos.iter().map(|p| [p.x, p.y]).collect();
    for c in mol.atoms() {
        let Some(st) = &mol.atom(c).stereo else {
            continue;
        };
        let StereoClass::Tetrahedral { clockwise } = st.class else {
            continue;
        };
        if st.neighbors.len() < 3 {
            continue;
        }
        let taken = |b: BondIdx| out.iter().any(|s| s.bond == b);
        let is_centre = |a: AtomIdx| mol.atom(a).stereo.is_some();
        let here = pos[c.index()];
        let nbrs = mol.neighbors(c);
        // With three drawn bonds the sense is read from the wedged bond's lift and the turn
        // of the other two; if those two are (nearly) in line there is no turn to read.
        let ambiguous = |n: AtomIdx| {
            let others: Vec<Vec2> = nbrs
                .iter()
                .filter(|(x, _)| *x != n)
                .map(|(x, _)| (pos[x.index()] - here).unit())
                .collect();
            others.len() == 2 && others[0].cross(others[1]).abs() < 0.2
        };
        let Some(&(n, bond)) = nbrs
            .iter()
            .filter(|(_, b)| !taken(*b))
            .min_by_key(|(n, b)| {
                (
                    ambiguous(*n),
                    ring_bond[b.index()],
                    is_centre(*n),
                    mol.degree(*n) > 1,
                    b.index(),
                )
            })
        else {
            continue;
        };
        let volume = |z: f64| {
            drawn_volume(
                mol,
                c,
                &st.neighbors,
                &points,
                |x| if x == n { z } else { 0.0 },
            )
        };
        // In y-up layout coordinates `@` (anticlockwise seen from the first neighbour) has a
        // negative signed volume; a wedge lifts its neighbour towards the viewer (+z).
        let want_negative = !clockwise;
        let wedge_ok = (volume(1.0) < 0.0) == want_negative;
        out.push(StereoBond {
            bond,
            centre: c,
            hashed: !wedge_ok,
        });
    }
    out
}
