//! Wedge and hash bonds for tetrahedral centres: one bond per centre, narrow end at the centre,
//! chosen to be acyclic and to lead away from other stereocentres where possible; wedge or hash
//! is whichever makes the drawn 3D sense match the recorded `@`/`@@`.

use super::layout::Vec2;
use crate::chem::mol::{StereoClass, StereoNeighbor};
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
        let real: Vec<Vec2> = mol
            .neighbors(c)
            .iter()
            .map(|(x, _)| pos[x.index()] - here)
            .collect();
        // The implicit H (or lone pair) sits opposite the drawn bonds.
        let implicit = -real.iter().fold(Vec2::ZERO, |s, v| s + v.unit());
        let vec3 = |nb: &StereoNeighbor, z: f64| -> [f64; 3] {
            match nb {
                StereoNeighbor::Atom(x) => {
                    let v = (pos[x.index()] - here).unit();
                    [v.x, v.y, if *x == n { z } else { 0.0 }]
                }
                // With three drawn bonds the hidden H is taken at the centre, so the sense is
                // the lifted bond's side of the turn of the other two, as MDL readers (RDKit)
                // take it, whatever the spread of the drawn bonds; with two it lies in the gap
                // they leave.
                StereoNeighbor::Implicit if real.len() >= 3 => [0.0, 0.0, 0.0],
                StereoNeighbor::Implicit => [implicit.x, implicit.y, 0.0],
            }
        };
        let volume = |z: f64| {
            let v: Vec<[f64; 3]> = st.neighbors.iter().map(|nb| vec3(nb, z)).collect();
            let d = |i: usize| {
                let r = if v.len() > 3 { v[0] } else { [0.0; 3] };
                [v[i][0] - r[0], v[i][1] - r[1], v[i][2] - r[2]]
            };
            let (a, b, cc) = if v.len() > 3 {
                (d(1), d(2), d(3))
            } else {
                (d(0), d(1), d(2))
            };
            a[0] * (b[1] * cc[2] - b[2] * cc[1]) - a[1] * (b[0] * cc[2] - b[2] * cc[0])
                + a[2] * (b[0] * cc[1] - b[1] * cc[0])
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
