//! Last resort for a component that still has a clash or a bond crossing after placement and
//! collision repair (most are cages and bridged polycycles with crowded substituents): the
//! whole component is relaxed by stress majorization from its current drawing, and the relaxed
//! drawing is kept only if it has fewer problems. Bonds stay near unit length (they weigh most),
//! angles give a little; a clean drawing is worth more to the reader than perfect polygons.

use super::geom::{Vec2, segments_meet};
use super::graph::Graph;
use super::rings::Rings;

/// Non-bonded atoms closer than this are a clash (the metric of ../shared/eval).
const CLASH: f64 = 0.4;
/// Components larger than this are left as they are (the pair matrix grows quadratically).
const MAX_ATOMS: usize = 150;
/// Target spacing per bond of graph distance beyond two bonds, tried in this order.
const FAR_STEPS: [f64; 1] = [0.9];
const SWEEPS: usize = 150;

/// Clashing atom pairs plus crossing (or touching) bond pairs of `comp` (sorted atoms).
pub fn problems(g: &Graph, comp: &[usize], pos: &[Vec2]) -> usize {
    let mut count = 0;
    for (i, &a) in comp.iter().enumerate() {
        for &b in &comp[i + 1..] {
            if (pos[a] - pos[b]).len2() < CLASH * CLASH && !g.bonded(a, b) {
                count += 1;
            }
        }
    }
    let bonds: Vec<(usize, usize)> = g
        .bonds
        .iter()
        .filter(|b| comp.binary_search(&b.a).is_ok())
        .map(|b| (b.a, b.b))
        .collect();
    for (i, &(a, b)) in bonds.iter().enumerate() {
        for &(c, d) in &bonds[i + 1..] {
            if a != c && a != d && b != c && b != d && segments_meet(pos[a], pos[b], pos[c], pos[d])
            {
                count += 1;
            }
        }
    }
    count
}

/// Relaxes component `comp` (sorted atoms) when it has problems; keeps the relaxed drawing only
/// if it has fewer. Deterministic: a fixed number of sweeps per try, no clock.
pub fn untangle(g: &Graph, rings: &Rings, comp: &[usize], pos: &mut [Vec2]) {
    if comp.len() > MAX_ATOMS {
        return;
    }
    let mut best = problems(g, comp, pos);
    if best == 0 {
        return;
    }
    let ring_list: Vec<&[usize]> = rings
        .rings
        .iter()
        .filter(|r| comp.binary_search(&r[0]).is_ok())
        .map(|r| r.as_slice())
        .collect();
    let start: Vec<Vec2> = pos.to_vec();
    let mut best_pos: Option<Vec<Vec2>> = None;
    for far_step in FAR_STEPS {
        let mut trial = start.clone();
        super::stress::refine(g, &ring_list, comp, &[], far_step, &mut trial, SWEEPS);
        let n = problems(g, comp, &trial);
        if n < best {
            best = n;
            best_pos = Some(trial);
            if n == 0 {
                break;
            }
        }
    }
    if let Some(p) = best_pos {
        for &a in comp {
            pos[a] = p[a];
        }
    }
}
