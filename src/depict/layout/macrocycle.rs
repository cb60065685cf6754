//! Cis/trans double bonds in large rings. A macrocycle drawn as a regular polygon shows every
//! ring double bond cis; a trans one (E in most natural macrolides) is redrawn as a zig-zag by
//! moving its two atoms, the ring neighbours on either side held fixed (a four-bar linkage).

use std::f64::consts::{PI, TAU};

use super::geom::{Vec2, segments_cross};
use super::graph::Graph;

/// Rings smaller than this always draw their double bonds cis (as chemistry requires).
const MIN_RING: usize = 8;
/// Positions of the first moved atom tried around its fixed neighbour.
const STEPS: usize = 144;
/// Sine of the smallest bend (about 10°) that shows a double bond's configuration.
const STRAIGHT_SIN: f64 = 0.17;
/// Rounds over a ring's stereo double bonds.
const PASSES: usize = 3;

/// Makes every stereo double bond of `rings` (one laid-out system, atoms `atoms` sorted) whose
/// two atoms lie in a single ring of at least `MIN_RING` atoms show its configuration.
pub fn enforce_ring_stereo(g: &Graph, rings: &[&[usize]], atoms: &[usize], pos: &mut [Vec2]) {
    let ring_count = |a: usize| rings.iter().filter(|r| r.contains(&a)).count();
    for ring in rings.iter().filter(|r| r.len() >= MIN_RING) {
        let k = ring.len();
        // (p, a, b, q) and whether p and q must be cis, for each bond a=b that can be redrawn.
        let bonds: Vec<([usize; 4], bool)> = (0..k)
            .filter_map(|i| {
                let quad = [
                    ring[(i + k - 1) % k],
                    ring[i],
                    ring[(i + 1) % k],
                    ring[(i + 2) % k],
                ];
                if ring_count(quad[1]) != 1 || ring_count(quad[2]) != 1 {
                    return None;
                }
                ring_cis(g, quad).map(|want| (quad, want))
            })
            .collect();
        // Redrawing a bond moves the ring neighbours of the next one in a conjugated run, so
        // each redrawing keeps the bonds around it that are right, and a few passes settle runs.
        for _ in 0..PASSES {
            let mut moved = false;
            for (i, &(quad, want)) in bonds.iter().enumerate() {
                if drawn_cis(pos, quad) == want && !straight(pos, quad) {
                    continue;
                }
                let keep: Vec<([usize; 4], bool)> = bonds
                    .iter()
                    .enumerate()
                    .filter(|&(j, &(other, w))| {
                        j != i
                            && (other.contains(&quad[1]) || other.contains(&quad[2]))
                            && drawn_cis(pos, other) == w
                    })
                    .map(|(_, &x)| x)
                    .collect();
                if let Some((na, nb)) = linkage(g, atoms, pos, quad, want, &keep) {
                    pos[quad[1]] = na;
                    pos[quad[2]] = nb;
                    moved = true;
                }
            }
            if !moved {
                break;
            }
        }
    }
}

/// Whether the ring neighbours `p` (of `a`) and `q` (of `b`) must be cis about the stereo double
/// bond a=b; None when the bond has no configuration.
fn ring_cis(g: &Graph, [p, a, b, q]: [usize; 4]) -> Option<bool> {
    let &(_, bond) = g.adj[a].iter().find(|&&(w, _)| w == b)?;
    let bd = &g.bonds[bond];
    let (ra, rb, cis) = bd.stereo?;
    if bd.order != 2 {
        return None;
    }
    let (ref_a, ref_b) = if bd.a == a { (ra, rb) } else { (rb, ra) };
    // A reference that is the substituent, not the ring neighbour, sits on the other side.
    Some(cis ^ (ref_a != p) ^ (ref_b != q))
}

/// Whether p–a=b–q is drawn (nearly) straight at a or b, which shows neither configuration
/// (MDL readers take such a bond as unknown).
fn straight(pos: &[Vec2], [p, a, b, q]: [usize; 4]) -> bool {
    let bent = |x: usize, c: usize, y: usize| {
        let (u, v) = ((pos[x] - pos[c]).unit(), (pos[y] - pos[c]).unit());
        u.cross(v).abs() > STRAIGHT_SIN || u.dot(v) > 0.0
    };
    !bent(p, a, b) || !bent(a, b, q)
}

fn drawn_cis(pos: &[Vec2], [p, a, b, q]: [usize; 4]) -> bool {
    let axis = pos[b] - pos[a];
    axis.cross(pos[p] - pos[a]) * axis.cross(pos[q] - pos[a]) > 0.0
}

/// New places for `a` and `b` with unit bonds p–a, a–b, b–q showing `want_cis`, angles near
/// 120°, crossing no bond of the system and crowding it least, and keeping the configuration
/// of the bonds in `keep` ((p, a, b, q) and cis, as drawn now).
fn linkage(
    g: &Graph,
    atoms: &[usize],
    pos: &[Vec2],
    [p, a, b, q]: [usize; 4],
    want_cis: bool,
    keep: &[([usize; 4], bool)],
) -> Option<(Vec2, Vec2)> {
    let (pp, pq) = (pos[p], pos[q]);
    let others: Vec<usize> = atoms
        .iter()
        .copied()
        .filter(|&x| x != a && x != b)
        .collect();
    let walls: Vec<(usize, usize)> = others
        .iter()
        .flat_map(|&x| g.adj[x].iter().map(move |&(y, _)| (x, y)))
        .filter(|&(x, y)| x < y && y != a && y != b && atoms.binary_search(&y).is_ok())
        .collect();
    let mut best: Option<(f64, Vec2, Vec2)> = None;
    for s in 0..STEPS {
        let na = pp + Vec2::from_angle(TAU * s as f64 / STEPS as f64);
        for nb in unit_circle_meets(na, pq) {
            let axis = nb - na;
            let cis = axis.cross(pp - na) * axis.cross(pq - na) > 0.0;
            if cis != want_cis {
                continue;
            }
            let at = |x: usize| match x {
                _ if x == a => na,
                _ if x == b => nb,
                _ => pos[x],
            };
            let kept = keep.iter().all(|&([p2, a2, b2, q2], w)| {
                let axis = at(b2) - at(a2);
                (axis.cross(at(p2) - at(a2)) * axis.cross(at(q2) - at(a2)) > 0.0) == w
            });
            if !kept {
                continue;
            }
            let dev = |x: Vec2, c: Vec2, y: Vec2| {
                let ang = (x - c).angle() - (y - c).angle();
                let ang = ang.rem_euclid(TAU);
                let ang = if ang > PI { TAU - ang } else { ang };
                (ang - 2.0 * PI / 3.0).powi(2)
            };
            let mut cost = 10.0 * (dev(pp, na, nb) + dev(na, nb, pq));
            for &x in &others {
                for c in [na, nb] {
                    let d2 = (pos[x] - c).len2();
                    if x != p && x != q {
                        cost += 1.0 / d2.max(1e-4);
                        if d2 < 0.25 {
                            cost += 100.0;
                        }
                    }
                }
            }
            for &(x, y) in &walls {
                for (s1, s2, ends) in [(pp, na, p), (na, nb, usize::MAX), (nb, pq, q)] {
                    if x != ends && y != ends && segments_cross(s1, s2, pos[x], pos[y]) {
                        cost += 100.0;
                    }
                }
            }
            if best.as_ref().is_none_or(|bst| cost < bst.0) {
                best = Some((cost, na, nb));
            }
        }
    }
    best.filter(|b| b.0 < 100.0).map(|b| (b.1, b.2))
}

/// Points at unit distance from both `a` and `b` (none when they are over 2 apart).
fn unit_circle_meets(a: Vec2, b: Vec2) -> Vec<Vec2> {
    let d = (b - a).len();
    if !(1e-9..=2.0).contains(&d) {
        return Vec::new();
    }
    let mid = (a + b) * 0.5;
    let h = (1.0 - (d / 2.0).powi(2)).max(0.0).sqrt();
    let n = (b - a).unit().rotate(PI / 2.0);
    vec![mid + n * h, mid - n * h]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn circles_meet_symmetrically() {
        let pts = unit_circle_meets(Vec2::ZERO, Vec2::new(1.0, 0.0));
        assert_eq!(pts.len(), 2);
        for p in pts {
            assert!((p.len() - 1.0).abs() < 1e-9);
            assert!(((p - Vec2::new(1.0, 0.0)).len() - 1.0).abs() < 1e-9);
        }
        assert!(unit_circle_meets(Vec2::ZERO, Vec2::new(3.0, 0.0)).is_empty());
    }
}
