//! Stress refinement for tangled bridged ring systems (Gansner, Koren & North 2004, "Graph
//! drawing by stress majorization"). Polygons and arcs alone cannot draw every cage without a
//! crossing; relaxing all pairwise distances towards graph-derived targets, starting from the
//! polygon drawing, untangles most of them while bonds (heavily weighted) stay near unit length.

use std::collections::VecDeque;
use std::f64::consts::PI;

use super::geom::Vec2;
use super::graph::Graph;

/// Weight multiplier for bonded pairs: bond lengths matter most on paper.
const BOND_WEIGHT: f64 = 12.0;
/// Weight multiplier for 1-3 pairs (they fix the bond angles).
const ANGLE_WEIGHT: f64 = 2.0;

/// Target distances and weights for all pairs of `atoms` (sorted), from their graph distances
/// inside the system (`far_step` per bond beyond two); 1-3 pairs in a common small ring get that ring polygon's diagonal.
struct Targets {
    n: usize,
    dist: Vec<f64>,
    weight: Vec<f64>,
}

impl Targets {
    /// `shell[k]` is the index (into `atoms`) of the system atom a first-shell substituent
    /// hangs from; substituents come after the system atoms.
    fn new(
        g: &Graph,
        rings: &[&[usize]],
        atoms: &[usize],
        shell: &[usize],
        far_step: f64,
    ) -> Targets {
        let m = atoms.len();
        let n = m + shell.len();
        let idx = |a: usize| atoms.binary_search(&a).ok();
        let adj: Vec<Vec<usize>> = atoms
            .iter()
            .map(|&a| g.adj[a].iter().filter_map(|&(w, _)| idx(w)).collect())
            .collect();
        let mut hops = vec![usize::MAX; n * n];
        for s in 0..m {
            hops[s * n + s] = 0;
            let mut q = VecDeque::from([s]);
            while let Some(x) = q.pop_front() {
                for &y in &adj[x] {
                    if hops[s * n + y] == usize::MAX {
                        hops[s * n + y] = hops[s * n + x] + 1;
                        q.push_back(y);
                    }
                }
            }
        }
        for (k, &anchor) in shell.iter().enumerate() {
            let i = m + k;
            hops[i * n + i] = 0;
            for x in 0..m {
                let h = hops[anchor * n + x] + 1;
                hops[i * n + x] = h;
                hops[x * n + i] = h;
            }
            for (l, &other) in shell.iter().enumerate().take(k) {
                let h = hops[anchor * n + other] + 2;
                hops[i * n + m + l] = h;
                hops[(m + l) * n + i] = h;
            }
        }
        // Diagonal of a regular k-gon between atoms two apart: 2 sin(interior / 2).
        let mut diag = vec![f64::INFINITY; n * n];
        for ring in rings {
            let k = ring.len();
            let d = 2.0 * (((k as f64 - 2.0) * PI / k as f64) / 2.0).sin();
            for i in 0..k {
                if let (Some(x), Some(y)) = (idx(ring[i]), idx(ring[(i + 2) % k])) {
                    diag[x * n + y] = diag[x * n + y].min(d);
                    diag[y * n + x] = diag[y * n + x].min(d);
                }
            }
        }
        let mut dist = vec![0.0; n * n];
        let mut weight = vec![0.0; n * n];
        for i in 0..n * n {
            let (d, w) = match hops[i] {
                0 | usize::MAX => (0.0, 0.0),
                1 => (1.0, BOND_WEIGHT),
                2 if diag[i].is_finite() => (diag[i], ANGLE_WEIGHT / (diag[i] * diag[i])),
                2 => (3f64.sqrt(), ANGLE_WEIGHT / 3.0),
                h => {
                    let d = far_step * h as f64;
                    (d, 1.0 / (d * d))
                }
            };
            dist[i] = d;
            weight[i] = w;
        }
        Targets { n, dist, weight }
    }
}

/// Relaxes the coordinates of `atoms` (sorted, one ring system of `rings`) in `pos` by
/// `sweeps` rounds of localized stress majorization; the drawing it starts from decides which
/// of the mirror-image minima it ends in.
///
/// `stubs` are the first-shell substituents (anchor atom, where it points) relaxed along with
/// the system so that it leaves them room; only the system atoms' new places are kept.
///
/// Returns the work done in pair evaluations (sweeps run × pairs), which callers count against
/// a fixed cap so that the result never depends on the clock.
pub fn refine(
    g: &Graph,
    rings: &[&[usize]],
    atoms: &[usize],
    stubs: &[(usize, Vec2)],
    far_step: f64,
    pos: &mut [Vec2],
    sweeps: usize,
) -> u64 {
    let shell: Vec<usize> = stubs
        .iter()
        .filter_map(|&(a, _)| atoms.binary_search(&a).ok())
        .collect();
    let t = Targets::new(g, rings, atoms, &shell, far_step);
    let n = t.n;
    let mut x: Vec<Vec2> = atoms.iter().map(|&a| pos[a]).collect();
    x.extend(stubs.iter().map(|&(_, p)| p));
    let mut done = 0u64;
    for _ in 0..sweeps {
        done += 1;
        let mut moved = 0.0f64;
        for i in 0..n {
            let (mut num, mut den) = (Vec2::ZERO, 0.0);
            for j in 0..n {
                let w = t.weight[i * n + j];
                if w == 0.0 {
                    continue;
                }
                let diff = x[i] - x[j];
                // sqrt of the square, not hypot: this is the hot loop.
                let len = diff.len2().sqrt();
                // Coincident atoms: nudge along a fixed direction so they can separate.
                let dir = if len > 1e-9 {
                    diff * (1.0 / len)
                } else {
                    Vec2::from_angle(i as f64)
                };
                num += (x[j] + dir * t.dist[i * n + j]) * w;
                den += w;
            }
            if den > 0.0 {
                let new = num * (1.0 / den);
                moved = moved.max((new - x[i]).len());
                x[i] = new;
            }
        }
        if moved < 1e-3 {
            break;
        }
    }
    for (&a, p) in atoms.iter().zip(x) {
        pos[a] = p;
    }
    done * (n * n) as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chem::smiles::parse_molecule;

    /// Adamantane drawn badly on purpose (all atoms on a small circle, bonds crossing): stress
    /// brings every bond back near unit length.
    #[test]
    fn relaxes_a_crumpled_cage_to_near_unit_bonds() {
        let mol = parse_molecule("C1C2CC3CC1CC(C2)C3").unwrap();
        let g = Graph::from_molecule(&mol);
        let atoms: Vec<usize> = (0..g.n).collect();
        let mut pos: Vec<Vec2> = (0..g.n)
            .map(|i| Vec2::from_angle(i as f64 * 2.3) * 0.5)
            .collect();
        refine(&g, &[], &atoms, &[], 0.8, &mut pos, 300);
        for b in &g.bonds {
            let len = (pos[b.a] - pos[b.b]).len();
            assert!((len - 1.0).abs() < 0.2, "bond {}-{} is {len}", b.a, b.b);
        }
    }
}
