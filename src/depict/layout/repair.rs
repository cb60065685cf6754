//! Collision repair: removes atom clashes and bond crossings left by the placement, preferring
//! moves that keep ideal geometry. For each problem (closest pair first) it tries, on the bonds
//! of the path between the two atoms: flipping one side across a rotatable bond (angles and
//! lengths unchanged), then bending a side about a bond end (by a fixed angle, or into the
//! middle of another gap between the bond end's other bonds), then stretching a bond. A move is
//! taken only if it lowers the congestion score: Σ 1/d² over close non-bonded pairs plus a
//! fixed penalty per bond crossing.

use std::collections::{HashSet, VecDeque};

use std::f64::consts::{PI, TAU};

use super::geom::{Vec2, norm_angle, segments_cross};
use super::graph::Graph;

/// Non-bonded atoms closer than this (bond = 1) are a problem worth a move.
const CLOSE: f64 = 0.75;
/// Closer than this (or crossing) is a real clash: worth bending or stretching, which cost
/// ideal geometry; a near miss between CLOSE and this is only worth a flip.
const CLASH: f64 = 0.5;
/// Pairs further apart than this do not count towards congestion (keeps moves local).
const CUTOFF: f64 = 3.0;
/// Penalty of one bond crossing, in congestion units (a crossing is worse than a near miss).
const CROSSING_PENALTY: f64 = 8.0;
/// Bends tried, in radians: the smallest one that helps wins.
const BENDS: [f64; 4] = [0.35, -0.35, 0.7, -0.7];
const STRETCH: f64 = 0.4;
/// Gaps narrower than this (radians, about 70°) are no place for a swung side.
const MIN_GAP: f64 = 1.2;

pub struct Repair<'a> {
    g: &'a Graph,
    ring_bond: &'a [bool],
    comp: &'a [usize],
    bonds: Vec<usize>,
    pos: &'a mut [Vec2],
    /// Work done so far and the cap on it, in pair evaluations (atom pairs and bond pairs
    /// looked at): repair stops there, keeping the best so far. Counting work instead of
    /// reading a clock keeps the drawing the same on every run and under any load.
    work: u64,
    budget: u64,
}

/// Repairs one component in place; stops early (keeping the best so far) once `budget` pair
/// evaluations are spent. Returns the work left for further components.
pub fn repair(g: &Graph, ring_bond: &[bool], comp: &[usize], pos: &mut [Vec2], budget: u64) -> u64 {
    let mut in_comp = vec![false; g.n];
    comp.iter().for_each(|&a| in_comp[a] = true);
    let bonds = (0..g.bonds.len())
        .filter(|&b| in_comp[g.bonds[b].a])
        .collect();
    let mut r = Repair {
        g,
        ring_bond,
        comp,
        bonds,
        pos,
        work: 0,
        budget,
    };
    r.run();
    budget.saturating_sub(r.work)
}

/// A rigid move of the atoms on one side of a bond.
#[derive(Clone, Copy, Debug)]
enum Move {
    /// Reflect the side across the bond's line.
    Flip,
    /// Rotate the side about the bond's near atom.
    Bend(f64),
    /// Push the side outwards along the bond.
    Stretch,
}

impl Repair<'_> {
    fn spent(&self) -> bool {
        self.work >= self.budget
    }

    fn run(&mut self) {
        let mut stuck: HashSet<(usize, usize)> = HashSet::new();
        let max_moves = 20 + 3 * self.comp.len();
        for _ in 0..max_moves {
            if self.spent() {
                return;
            }
            let Some(problem) = self.problems().into_iter().find(|p| !stuck.contains(p)) else {
                return;
            };
            let severe = (self.pos[problem.0] - self.pos[problem.1]).len() < CLASH
                || !self.g.bonded(problem.0, problem.1) && self.crossing_at(problem);
            if !self.fix(problem, severe) {
                stuck.insert(problem);
            }
        }
    }

    /// Clashing pairs (closest first), then crossings as the pair of their nearest end atoms.
    fn problems(&mut self) -> Vec<(usize, usize)> {
        let (n, m) = (self.comp.len() as u64, self.bonds.len() as u64);
        self.work += n * n / 2 + m * m / 2;
        let mut close: Vec<(f64, (usize, usize))> = Vec::new();
        for (i, &a) in self.comp.iter().enumerate() {
            for &b in &self.comp[i + 1..] {
                // Squared distances first: a square root only for the few close pairs.
                let d2 = (self.pos[a] - self.pos[b]).len2();
                if d2 < CLOSE * CLOSE && !self.g.bonded(a, b) {
                    close.push((d2.sqrt(), (a, b)));
                }
            }
        }
        close.sort_by(|x, y| x.0.partial_cmp(&y.0).unwrap_or(std::cmp::Ordering::Equal));
        let mut out: Vec<(usize, usize)> = close.into_iter().map(|c| c.1).collect();
        for (i, &b1) in self.bonds.iter().enumerate() {
            for &b2 in &self.bonds[i + 1..] {
                let (x, y) = (&self.g.bonds[b1], &self.g.bonds[b2]);
                if x.a == y.a || x.a == y.b || x.b == y.a || x.b == y.b {
                    continue;
                }
                if segments_cross(self.pos[x.a], self.pos[x.b], self.pos[y.a], self.pos[y.b]) {
                    let pairs = [(x.a, y.a), (x.a, y.b), (x.b, y.a), (x.b, y.b)];
                    let near = pairs
                        .into_iter()
                        .min_by(|p, q| {
                            let dp = (self.pos[p.0] - self.pos[p.1]).len2();
                            let dq = (self.pos[q.0] - self.pos[q.1]).len2();
                            dp.partial_cmp(&dq).unwrap_or(std::cmp::Ordering::Equal)
                        })
                        .unwrap();
                    out.push((near.0.min(near.1), near.0.max(near.1)));
                }
            }
        }
        out
    }

    /// Tries flips, then bends, then stretches on the path between the pair; applies the best
    /// improving move of the first kind that has one.
    fn fix(&mut self, (x, y): (usize, usize), severe: bool) -> bool {
        let path = self.path_bonds(x, y);
        // Any acyclic bond can bend or stretch (a terminal atom swings about its neighbour);
        // flipping needs something on both sides to be worth it, and keeps E/Z bonds intact.
        let movable: Vec<usize> = path.into_iter().filter(|&b| !self.ring_bond[b]).collect();
        let flips: Vec<(usize, Move)> = movable
            .iter()
            .filter(|&&b| {
                let bond = &self.g.bonds[b];
                self.g.degree(bond.a) > 1
                    && self.g.degree(bond.b) > 1
                    && !(bond.order == 2 && bond.stereo.is_some())
            })
            .map(|&b| (b, Move::Flip))
            .collect();
        let mut bends: Vec<(usize, Move)> = movable
            .iter()
            .flat_map(|&b| BENDS.iter().map(move |&t| (b, Move::Bend(t))))
            .collect();
        // Swinging the side into the middle of another gap between the pivot's other bonds:
        // a substituent drawn into a bridge moves out to the free side of its ring atom.
        for &b in &movable {
            bends.extend(self.gap_turns(b).into_iter().map(|t| (b, Move::Bend(t))));
        }
        let stretches: Vec<(usize, Move)> = movable.iter().map(|&b| (b, Move::Stretch)).collect();
        let kinds = if severe {
            vec![flips, bends, stretches]
        } else {
            vec![flips]
        };
        for moves in kinds {
            let mut best: Option<(f64, Vec<usize>, Vec<Vec2>)> = None;
            for (b, mv) in moves {
                if self.spent() {
                    return false;
                }
                let (side, pivot, other) = self.smaller_side(b);
                let new: Vec<Vec2> = side
                    .iter()
                    .map(|&s| self.moved(self.pos[s], pivot, other, mv))
                    .collect();
                let delta = self.delta(&side, &new);
                if delta < -1e-6 && best.as_ref().is_none_or(|bst| delta < bst.0 - 1e-12) {
                    best = Some((delta, side, new));
                }
            }
            if let Some((_, side, new)) = best {
                for (&s, p) in side.iter().zip(new) {
                    self.pos[s] = p;
                }
                return true;
            }
        }
        false
    }

    /// Rotations about bond `b`'s fixed atom that point the bond into the middle of each
    /// angular gap between the fixed atom's other bonds (the current gap excluded).
    fn gap_turns(&self, b: usize) -> Vec<f64> {
        let (_, pivot, other) = self.smaller_side(b);
        let c = self.pos[pivot];
        let mut angles: Vec<f64> = self.g.adj[pivot]
            .iter()
            .filter(|&&(w, _)| w != other)
            .map(|&(w, _)| norm_angle((self.pos[w] - c).angle()))
            .collect();
        if angles.len() < 2 {
            return Vec::new();
        }
        angles.sort_by(|x, y| x.partial_cmp(y).unwrap_or(std::cmp::Ordering::Equal));
        let now = norm_angle((self.pos[other] - c).angle());
        let mut turns = Vec::new();
        for i in 0..angles.len() {
            let next = if i + 1 < angles.len() {
                angles[i + 1]
            } else {
                angles[0] + TAU
            };
            let mid = 0.5 * (angles[i] + next);
            let inside =
                |a: f64| (a >= angles[i] && a < next) || (a + TAU >= angles[i] && a + TAU < next);
            if next - angles[i] > MIN_GAP && !inside(now) {
                let t = (mid - now).rem_euclid(TAU);
                turns.push(if t > PI { t - TAU } else { t });
            }
        }
        turns
    }

    /// Whether some bond at `x` crosses some bond at `y` (the pair stands for a crossing).
    fn crossing_at(&self, (x, y): (usize, usize)) -> bool {
        self.g.adj[x].iter().any(|&(xa, _)| {
            self.g.adj[y].iter().any(|&(ya, _)| {
                xa != y
                    && ya != x
                    && xa != ya
                    && segments_cross(self.pos[x], self.pos[xa], self.pos[y], self.pos[ya])
            })
        })
    }

    /// Where a point of the moving side goes; `pivot` is the fixed end of the bond, `other` the
    /// moving end.
    fn moved(&self, p: Vec2, pivot: usize, other: usize, mv: Move) -> Vec2 {
        let (c, o) = (self.pos[pivot], self.pos[other]);
        match mv {
            Move::Flip => p.reflect(c, o),
            Move::Bend(t) => c + (p - c).rotate(t),
            Move::Stretch => p + (o - c).unit() * STRETCH,
        }
    }

    /// Atoms on the smaller side of bridge bond `b`, with the bond's fixed atom and moving atom.
    fn smaller_side(&self, b: usize) -> (Vec<usize>, usize, usize) {
        let bond = &self.g.bonds[b];
        let side_b = self.side(bond.b, b);
        if side_b.len() * 2 <= self.comp.len() {
            (side_b, bond.a, bond.b)
        } else {
            (self.side(bond.a, b), bond.b, bond.a)
        }
    }

    fn side(&self, from: usize, skip: usize) -> Vec<usize> {
        let mut seen = HashSet::from([from]);
        let mut out = vec![from];
        let mut q = VecDeque::from([from]);
        while let Some(a) = q.pop_front() {
            for &(w, b) in &self.g.adj[a] {
                if b != skip && seen.insert(w) {
                    out.push(w);
                    q.push_back(w);
                }
            }
        }
        out
    }

    /// Bonds on a shortest path from x to y.
    fn path_bonds(&self, x: usize, y: usize) -> Vec<usize> {
        let mut prev: Vec<Option<(usize, usize)>> = vec![None; self.g.n];
        let mut q = VecDeque::from([x]);
        let mut seen = HashSet::from([x]);
        while let Some(a) = q.pop_front() {
            if a == y {
                break;
            }
            for &(w, b) in &self.g.adj[a] {
                if seen.insert(w) {
                    prev[w] = Some((a, b));
                    q.push_back(w);
                }
            }
        }
        let mut out = Vec::new();
        let mut at = y;
        while let Some((p, b)) = prev[at] {
            out.push(b);
            at = p;
        }
        out
    }

    /// Change in congestion score if the atoms `side` moved to `new`.
    fn delta(&mut self, side: &[usize], new: &[Vec2]) -> f64 {
        let mut moving = vec![false; self.g.n];
        side.iter().for_each(|&s| moving[s] = true);
        let term = |d2: f64| {
            if d2 < CUTOFF * CUTOFF {
                1.0 / d2.max(1e-4)
            } else {
                0.0
            }
        };
        let mut delta = 0.0;
        for (&s, &np) in side.iter().zip(new) {
            for &t in self.comp {
                if moving[t] || self.g.bonded(s, t) {
                    continue;
                }
                delta += term((np - self.pos[t]).len2()) - term((self.pos[s] - self.pos[t]).len2());
            }
        }
        let mut after = self.pos.to_vec();
        for (&s, &p) in side.iter().zip(new) {
            after[s] = p;
        }
        let (moved, fixed): (Vec<usize>, Vec<usize>) = self
            .bonds
            .iter()
            .partition(|&&b| moving[self.g.bonds[b].a] || moving[self.g.bonds[b].b]);
        self.work += (side.len() * self.comp.len() + moved.len() * fixed.len() + self.g.n) as u64;
        let mut crossings = 0i64;
        for &b1 in &moved {
            let x = &self.g.bonds[b1];
            let (np1, np2) = (after[x.a], after[x.b]);
            for &b2 in &fixed {
                let y = &self.g.bonds[b2];
                if x.a == y.a || x.a == y.b || x.b == y.a || x.b == y.b {
                    continue;
                }
                let (q1, q2) = (self.pos[y.a], self.pos[y.b]);
                crossings += i64::from(segments_cross(np1, np2, q1, q2));
                crossings -= i64::from(segments_cross(self.pos[x.a], self.pos[x.b], q1, q2));
            }
        }
        delta + CROSSING_PENALTY * crossings as f64
    }
}
