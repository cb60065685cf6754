//! Coordinates for one ring system in its own frame: the first ring as a regular polygon, then
//! each further ring built onto the atoms already placed — a shared bond gives a regular polygon
//! fused on that edge, a shared atom a spiro polygon, longer shared paths (bridges) an arc of
//! unit bonds between the placed ends, bulging to the less crowded side. Bridged systems whose
//! drawings all come out tangled also try the other inside/outside combinations of the arcs,
//! convex (barycentric) drawings of each outline, and stress relaxation of the best few.

use std::f64::consts::{PI, TAU};

use super::geom::{Vec2, gap_slots, segments_cross};
use super::graph::Graph;

/// Circumradius of a regular polygon with `k` unit sides.
pub fn polygon_radius(k: usize) -> f64 {
    0.5 / (PI / k as f64).sin()
}

/// Lays out `rings` (one system, atoms in cyclic order) into `pos`, setting `placed`;
/// `alternatives` are further cycles of the system worth trying as the outline.
///
/// Fused and spiro systems grow from the most connected ring. Bridged systems (rings sharing
/// more than a bond) are grown from several start cycles — each ring, and each envelope of two
/// bridged rings — and the least tangled result is kept: drawing the envelope as the outer
/// polygon with the bridge inside is the familiar picture of norbornane or a morphinan.
pub fn layout_system(
    g: &Graph,
    rings: &[&[usize]],
    alternatives: &[&[usize]],
    pos: &mut [Vec2],
    placed: &mut [bool],
) {
    let atoms = super::bridged::system_atoms(rings);
    let mut starts: Vec<(Vec<usize>, f64)> = super::bridged::start_cycles(rings, alternatives)
        .into_iter()
        .map(|c| (c, 0.0))
        .collect();
    if starts.is_empty() {
        let first = rings[start_ring(rings)].to_vec();
        // Spiro junctions may turn either way; the straight one is tried first.
        let twists: &[f64] = if super::bridged::has_spiro(rings) {
            &SPIRO_TWISTS
        } else {
            &[0.0]
        };
        starts = twists.iter().map(|&t| (first.clone(), t)).collect();
    }
    if starts.len() == 1 {
        grow(g, rings, &atoms, &starts[0].0, starts[0].1, 0, pos, placed);
        // A fused system whose own rings clash or cross (a macrocycle around fused rings) is
        // relaxed too; crowded substituents alone are left to collision repair.
        if rings.len() > 1 && super::bridged::core_tangled(g, &atoms, pos) {
            let score = super::bridged::tangle(g, rings, &atoms, pos);
            {
                let coords: Vec<Vec2> = atoms.iter().map(|&a| pos[a]).collect();
                relax_best(
                    g,
                    rings,
                    &atoms,
                    vec![(score, coords.clone())],
                    (score, coords),
                    pos,
                );
            }
        }
        super::macrocycle::enforce_ring_stereo(g, rings, &atoms, pos);
        return;
    }
    let mut best: Option<(f64, Vec<Vec2>)> = None;
    let mut tangled: Vec<(f64, Vec<Vec2>)> = Vec::new();
    // (score, start index, arcs with a side to choose) of each greedy drawing.
    let mut greedy: Vec<(f64, usize, usize)> = Vec::new();
    let mut try_start = |s: usize, flips: u64, best: &mut Option<(f64, Vec<Vec2>)>| {
        let (start, twist) = &starts[s];
        atoms.iter().for_each(|&a| placed[a] = false);
        let arcs = grow(g, rings, &atoms, start, *twist, flips, pos, placed);
        let score = super::bridged::tangle(g, rings, &atoms, pos);
        let coords: Vec<Vec2> = atoms.iter().map(|&a| pos[a]).collect();
        if score >= TANGLED {
            tangled.push((score, coords.clone()));
        }
        if best.as_ref().is_none_or(|b| score < b.0 - 1e-9) {
            *best = Some((score, coords));
        }
        (score, arcs)
    };
    for s in 0..starts.len() {
        let (score, arcs) = try_start(s, 0, &mut best);
        greedy.push((score, s, arcs));
    }
    // Each arc's side is chosen greedily, one arc at a time; when every greedy drawing is
    // tangled, the other inside/outside combinations of the arcs are tried too (least tangled
    // starts first, a fixed number of drawings in all).
    if atoms.len() <= MAX_SEARCH_ATOMS && best.as_ref().is_some_and(|b| b.0 >= TANGLED) {
        greedy.sort_by(|x, y| x.0.partial_cmp(&y.0).unwrap_or(std::cmp::Ordering::Equal));
        let mut grown = 0;
        'starts: for &(_, s, arcs) in &greedy {
            let bits = arcs.min(MAX_FLIP_ARCS);
            for flips in 1..(1u64 << bits) {
                if grown >= MAX_FLIP_DRAWINGS || best.as_ref().is_some_and(|b| b.0 < TANGLED) {
                    break 'starts;
                }
                grown += 1;
                try_start(s, flips, &mut best);
            }
        }
    }
    if let Some(best) = best {
        if atoms.len() <= MAX_SEARCH_ATOMS && best.0 >= TANGLED {
            // Convex drawings: each start cycle as the outline, everything else inside at the
            // barycentre of its neighbours (Tutte), crossing-free whenever that cycle can be
            // the outer face; stress relaxation then evens out the bond lengths.
            let barycentric: Vec<(f64, Vec<Vec2>)> = starts
                .iter()
                .take(MAX_BARYCENTRIC)
                .map(|(outline, _)| (0.0, barycentric_drawing(g, &atoms, outline)))
                .collect();
            tangled.splice(0..0, barycentric);
        }
        relax_best(g, rings, &atoms, tangled, best, pos);
        atoms.iter().for_each(|&a| placed[a] = true);
    }
    super::macrocycle::enforce_ring_stereo(g, rings, &atoms, pos);
}

/// When no polygon-and-arc drawing came out clean (`best` still tangled), relaxes the least
/// tangled few by stress majorization, and writes whichever drawing scores best into `pos`.
fn relax_best(
    g: &Graph,
    rings: &[&[usize]],
    atoms: &[usize],
    mut tangled: Vec<(f64, Vec<Vec2>)>,
    mut best: (f64, Vec<Vec2>),
    pos: &mut [Vec2],
) {
    if best.0 >= TANGLED {
        let mut work = 0u64;
        tangled.sort_by(|x, y| x.0.partial_cmp(&y.0).unwrap_or(std::cmp::Ordering::Equal));
        // Barycentric drawings (score 0 before relaxation) come first, with one spacing.
        let convex = tangled.iter().filter(|t| t.0 == 0.0).count();
        for (k, (_, coords)) in tangled.into_iter().take(STRESS_TRIES + convex).enumerate() {
            let steps = if k < convex {
                &STRESS_FAR_STEPS[..1]
            } else {
                &STRESS_FAR_STEPS[..]
            };
            for &far_step in steps {
                // Enough work, or a clean drawing found.
                if work >= STRESS_WORK || best.0 < TANGLED {
                    break;
                }
                for (&a, &p) in atoms.iter().zip(&coords) {
                    pos[a] = p;
                }
                let stubs = super::bridged::exocyclic_stubs(g, rings, atoms, pos);
                work +=
                    super::stress::refine(g, rings, atoms, &stubs, far_step, pos, STRESS_SWEEPS);
                let relaxed: Vec<Vec2> = atoms.iter().map(|&a| pos[a]).collect();
                // Relaxation can pull a clean start into a crossing on its way to even bonds:
                // part-way blends of start and relaxed drawing are scored too.
                for t in BLENDS {
                    for ((&a, &p0), &p1) in atoms.iter().zip(&coords).zip(&relaxed) {
                        pos[a] = p0 * (1.0 - t) + p1 * t;
                    }
                    let score = super::bridged::tangle(g, rings, atoms, pos);
                    // Only worth the less regular polygons if a clash or crossing goes away.
                    if score < best.0 - STRESS_GAIN {
                        best = (score, atoms.iter().map(|&a| pos[a]).collect());
                    }
                }
            }
        }
    }
    for (&a, p) in atoms.iter().zip(best.1) {
        pos[a] = p;
    }
}

/// Fractions of the way from a start drawing to its relaxed drawing that are scored.
const BLENDS: [f64; 5] = [1.0, 0.75, 0.5, 0.25, 0.0];

/// Start cycles tried as the convex outline of a barycentric drawing.
const MAX_BARYCENTRIC: usize = 6;
/// Gauss-Seidel sweeps of the barycentric drawing.
const BARYCENTRIC_SWEEPS: usize = 200;

/// Tutte's barycentric drawing of the system `atoms` (sorted): `outline` as a regular polygon,
/// every other atom at the mean of its neighbours in the system. Coordinates in `atoms` order.
fn barycentric_drawing(g: &Graph, atoms: &[usize], outline: &[usize]) -> Vec<Vec2> {
    let idx = |a: usize| atoms.binary_search(&a).ok();
    let mut fixed = vec![false; atoms.len()];
    let mut x = vec![Vec2::ZERO; atoms.len()];
    let k = outline.len();
    let r = polygon_radius(k);
    for (i, &a) in outline.iter().enumerate() {
        if let Some(j) = idx(a) {
            x[j] = Vec2::from_angle(PI / 2.0 + TAU * i as f64 / k as f64) * r;
            fixed[j] = true;
        }
    }
    let adj: Vec<Vec<usize>> = atoms
        .iter()
        .map(|&a| g.adj[a].iter().filter_map(|&(w, _)| idx(w)).collect())
        .collect();
    // Start inner atoms apart (a small spiral), so paths between the same two atoms separate.
    for (j, p) in x.iter_mut().enumerate() {
        if !fixed[j] {
            *p = Vec2::from_angle(j as f64 * 2.4) * (0.05 * r);
        }
    }
    for _ in 0..BARYCENTRIC_SWEEPS {
        for j in 0..atoms.len() {
            if fixed[j] || adj[j].is_empty() {
                continue;
            }
            let sum = adj[j].iter().fold(Vec2::ZERO, |s, &w| s + x[w]);
            x[j] = sum * (1.0 / adj[j].len() as f64);
        }
    }
    x
}

/// Target spacing per bond of graph distance tried by the stress refinement: tighter keeps
/// bonds nearer unit length, looser opens room for substituents.
const STRESS_FAR_STEPS: [f64; 2] = [0.8, 1.0];

/// Cap on relaxation work per ring system, in pair evaluations (sweeps × pairs): large cages
/// stop trying further candidates (the best so far is kept), so layout time stays bounded. A
/// work count, not a clock, so the drawing is the same on every run and under any load.
const STRESS_WORK: u64 = 4_000_000;

/// How much a relaxed drawing must lower the tangle score to replace the polygon drawing.
const STRESS_GAIN: f64 = 10.0;

/// A tangle score this high means a clash or crossing (each costs 20).
const TANGLED: f64 = 15.0;
/// Tangled candidates relaxed by stress majorization, least tangled first.
const STRESS_TRIES: usize = 3;
const STRESS_SWEEPS: usize = 120;

/// Turns (radians) tried for a spiro ring away from the exterior bisector of its spiro atom:
/// a ring fused further along (the benzo of a spiro-lactone) may need to lean aside.
const SPIRO_TWISTS: [f64; 5] = [0.0, 0.35, -0.35, 0.7, -0.7];

/// Bridged systems up to this many atoms get the wider searches below (arc sides enumerated,
/// barycentric outlines) when every greedy drawing is tangled; larger ones cost too much.
const MAX_SEARCH_ATOMS: usize = 24;
/// Arcs whose side is enumerated when every greedy drawing of a bridged system is tangled.
const MAX_FLIP_ARCS: usize = 6;
/// Drawings grown with enumerated arc sides per ring system, all starts together.
const MAX_FLIP_DRAWINGS: usize = 32;

/// Places `first` as a regular polygon, then the other rings onto what is placed. Bit `i` of
/// `flips` puts the `i`-th arc on the side opposite to the greedy choice. Returns how many arcs
/// had a side to choose.
#[allow(clippy::too_many_arguments)]
fn grow(
    g: &Graph,
    rings: &[&[usize]],
    system: &[usize],
    first: &[usize],
    spiro_twist: f64,
    flips: u64,
    pos: &mut [Vec2],
    placed: &mut [bool],
) -> usize {
    let mut arcs = 0;
    let mut done = vec![false; rings.len()];
    place_polygon(first, Vec2::ZERO, PI / 2.0, pos, placed);
    let mut members: Vec<usize> = first.to_vec();
    loop {
        // Most constrained ring next (most atoms placed), smaller rings first on ties.
        let next = rings
            .iter()
            .enumerate()
            .filter(|(r, _)| !done[*r])
            .map(|(r, ring)| (r, ring.iter().filter(|&&a| placed[a]).count(), ring.len()))
            .filter(|&(_, p, _)| p > 0)
            .max_by(|x, y| x.1.cmp(&y.1).then(y.2.cmp(&x.2)).then(y.0.cmp(&x.0)));
        let Some((r, count, len)) = next else { break };
        done[r] = true;
        if count == len {
            continue;
        }
        if count == 1 {
            place_spiro(g, rings[r], spiro_twist, pos, placed);
        } else {
            place_segments(g, system, rings[r], pos, placed, &members, flips, &mut arcs);
        }
        for &a in rings[r] {
            if !members.contains(&a) {
                members.push(a);
            }
        }
    }
    arcs
}

/// The ring sharing atoms with the most other rings; ties go to the larger ring, then to the
/// earlier one, so the layout grows outwards from the core.
fn start_ring(rings: &[&[usize]]) -> usize {
    let shares = |r: usize| {
        rings
            .iter()
            .enumerate()
            .filter(|&(o, other)| o != r && other.iter().any(|a| rings[r].contains(a)))
            .count()
    };
    (0..rings.len())
        .max_by(|&x, &y| {
            shares(x)
                .cmp(&shares(y))
                .then(rings[x].len().cmp(&rings[y].len()))
                .then(y.cmp(&x))
        })
        .unwrap_or(0)
}

/// A regular polygon of unit sides centred at `centre`, first atom at angle `start`.
fn place_polygon(ring: &[usize], centre: Vec2, start: f64, pos: &mut [Vec2], placed: &mut [bool]) {
    let k = ring.len();
    let r = polygon_radius(k);
    for (i, &a) in ring.iter().enumerate() {
        pos[a] = centre + Vec2::from_angle(start + TAU * i as f64 / k as f64) * r;
        placed[a] = true;
    }
}

/// A ring sharing a single atom with what is placed: a polygon on the far side of that atom.
fn place_spiro(g: &Graph, ring: &[usize], twist: f64, pos: &mut [Vec2], placed: &mut [bool]) {
    let i0 = ring.iter().position(|&a| placed[a]).unwrap_or(0);
    let s = ring[i0];
    let away: Vec2 = g.adj[s]
        .iter()
        .filter(|&&(w, _)| placed[w])
        .fold(Vec2::ZERO, |acc, &(w, _)| acc + (pos[s] - pos[w]));
    let dir = away.unit().rotate(twist);
    let k = ring.len();
    let centre = pos[s] + dir * polygon_radius(k);
    let start = (pos[s] - centre).angle();
    for i in 1..k {
        let a = ring[(i0 + i) % k];
        pos[a] = centre + Vec2::from_angle(start + TAU * i as f64 / k as f64) * polygon_radius(k);
        placed[a] = true;
    }
}

/// Each run of unplaced atoms between two placed ones becomes an arc of unit bonds; `arcs`
/// counts the arcs placed so far, and the arc whose bit is set in `flips` goes on the other side.
#[allow(clippy::too_many_arguments)]
fn place_segments(
    g: &Graph,
    system: &[usize],
    ring: &[usize],
    pos: &mut [Vec2],
    placed: &mut [bool],
    members: &[usize],
    flips: u64,
    arcs: &mut usize,
) {
    let k = ring.len();
    let stubs = exocyclic_stubs(g, system, members, pos, placed);
    let Some(start) = (0..k).find(|&i| placed[ring[i]] && !placed[ring[(i + 1) % k]]) else {
        return;
    };
    let mut i = start;
    loop {
        // ring[i] placed, ring[i+1] not: collect the run.
        let a = ring[i];
        let mut run = Vec::new();
        let mut j = (i + 1) % k;
        while !placed[ring[j]] {
            run.push(ring[j]);
            j = (j + 1) % k;
        }
        let b = ring[j];
        let walls = Walls {
            g,
            pos,
            members,
            stubs: &stubs,
            ends: (a, b),
        };
        let flip = *arcs < 64 && flips & (1 << *arcs) != 0;
        *arcs += 1;
        let pts = best_arc(pos[a], pos[b], run.len() + 1, &walls, flip);
        for (&atom, p) in run.iter().zip(pts) {
            pos[atom] = p;
            placed[atom] = true;
        }
        match (0..k)
            .map(|d| (j + d) % k)
            .find(|&x| placed[ring[x]] && !placed[ring[(x + 1) % k]])
        {
            Some(x) => i = x,
            None => break,
        }
    }
}

/// A crossing drawn by a new arc costs as much as a near-coincident atom.
const ARC_CROSSING: f64 = 100.0;

/// What a new arc must not cross: the bonds among placed ring atoms and the stubs of their
/// future substituents; `ends` are the placed atoms the arc joins.
struct Walls<'a> {
    g: &'a Graph,
    pos: &'a [Vec2],
    members: &'a [usize],
    stubs: &'a [(usize, Vec2)],
    ends: (usize, usize),
}

impl Walls<'_> {
    /// Crossings of the polyline a, pts.., b with the walls.
    fn crossings(&self, a: Vec2, pts: &[Vec2], b: Vec2) -> usize {
        let mut line = vec![a];
        line.extend_from_slice(pts);
        line.push(b);
        let (ea, eb) = self.ends;
        let mut count = 0;
        for w in line.windows(2) {
            for &x in self.members {
                for &(y, _) in &self.g.adj[x] {
                    if y < x || !self.members.contains(&y) {
                        continue;
                    }
                    if [x, y].iter().any(|&e| e == ea || e == eb) {
                        continue;
                    }
                    count += usize::from(segments_cross(w[0], w[1], self.pos[x], self.pos[y]));
                }
            }
            for &(q, end) in self.stubs {
                if q != ea && q != eb {
                    count += usize::from(segments_cross(w[0], w[1], self.pos[q], end));
                }
            }
        }
        count
    }
}

/// Where the substituents of the placed ring atoms will go (one bond out along their exterior
/// gap), so a bridge is not drawn across a substituent's place (the N-methyl of tropane).
fn exocyclic_stubs(
    g: &Graph,
    system: &[usize],
    members: &[usize],
    pos: &[Vec2],
    placed: &[bool],
) -> Vec<(usize, Vec2)> {
    let mut out = Vec::new();
    for &q in members {
        let in_system = g.adj[q]
            .iter()
            .filter(|&&(w, _)| system.binary_search(&w).is_ok())
            .count();
        let k = g.degree(q) - in_system;
        let inner: Vec<Vec2> = g.adj[q]
            .iter()
            .filter(|&&(w, _)| placed[w] && system.binary_search(&w).is_ok())
            .map(|&(w, _)| pos[w] - pos[q])
            .collect();
        if k > 0 && inner.len() == in_system {
            out.extend(gap_slots(&inner, k).into_iter().map(|d| (q, pos[q] + d)));
        }
    }
    out
}

/// Shorter chords tried for a bridge that has no room at full bond length (e.g. the third
/// two-atom bridge of bicyclo[2.2.2]octane, which at unit length would lie on the envelope).
const CHORD_SCALES: [f64; 4] = [1.0, 0.85, 0.7, 0.0];

/// The `m - 1` inner points of an arc of `m` chords from `a` to `b`: unit chords on whichever
/// side of the line a–b is less crowded by `members`, shorter ones (down to the straight line)
/// only when they relieve crowding by more than they cost in bond length. With `flip` the
/// chosen chord is drawn on the other side.
fn best_arc(a: Vec2, b: Vec2, m: usize, walls: &Walls, flip: bool) -> Vec<Vec2> {
    let normal = (b - a).unit().rotate(PI / 2.0);
    let crowding = |pts: &[Vec2]| -> f64 {
        let near: f64 = pts
            .iter()
            .map(|p| {
                let atoms: f64 = walls
                    .members
                    .iter()
                    .map(|&q| 1.0 / (*p - walls.pos[q]).len2().max(1e-4))
                    .sum();
                let subs: f64 = walls
                    .stubs
                    .iter()
                    .map(|&(_, q)| 1.0 / (*p - q).len2().max(1e-4))
                    .sum();
                atoms + subs
            })
            .sum();
        near + ARC_CROSSING * walls.crossings(a, pts, b) as f64
    };
    let mut best: Option<(f64, Vec<Vec2>, Vec2, f64)> = None;
    for scale in CHORD_SCALES {
        let chord = if scale > 0.0 {
            scale
        } else {
            (b - a).len() / m as f64
        };
        if chord * m as f64 <= (b - a).len() * 0.999 && scale > 0.0 {
            continue;
        }
        for side in [normal, -normal] {
            let pts = arc_points_scaled(a, b, m, side, chord);
            let cost = crowding(&pts) + 80.0 * m as f64 * (1.0 - chord).powi(2);
            if best.as_ref().is_none_or(|x| cost < x.0 - 1e-9) {
                best = Some((cost, pts, side, chord));
            }
        }
    }
    match best {
        Some((_, _, side, chord)) if flip => arc_points_scaled(a, b, m, -side, chord),
        Some((_, pts, _, _)) => pts,
        None => Vec::new(),
    }
}

/// Inner points of an arc of `m` chords of length `chord` (a scaled unit arc).
fn arc_points_scaled(a: Vec2, b: Vec2, m: usize, side: Vec2, chord: f64) -> Vec<Vec2> {
    if chord <= 1e-9 {
        return arc_points(a, b, m, side);
    }
    let k = 1.0 / chord;
    let pts = arc_points(Vec2::ZERO, (b - a) * k, m, side);
    pts.into_iter().map(|p| a + p * chord).collect()
}

/// Inner points of an arc with `m` unit chords from `a` to `b` bulging towards `side`. When the
/// ends are too far apart for `m` unit bonds the points lie evenly on the straight line.
pub fn arc_points(a: Vec2, b: Vec2, m: usize, side: Vec2) -> Vec<Vec2> {
    let d = (b - a).len();
    let mf = m as f64;
    if m < 2 {
        return Vec::new();
    }
    if d >= mf * 0.999 || d < 1e-9 {
        if d < 1e-9 {
            // Coincident ends: a full circle through the point, away from `side`'s opposite.
            let r = polygon_radius(m);
            let centre = a + side.unit() * r;
            let start = (a - centre).angle();
            return (1..m)
                .map(|i| centre + Vec2::from_angle(start + TAU * i as f64 / mf) * r)
                .collect();
        }
        return (1..m).map(|i| a + (b - a) * (i as f64 / mf)).collect();
    }
    // Subtended angle φ in (0, 2π): chord(φ) = sin(φ/2) / sin(φ/(2m)) falls from m to 0.
    let chord = |phi: f64| (phi / 2.0).sin() / (phi / (2.0 * mf)).sin();
    let (mut lo, mut hi) = (1e-9, TAU - 1e-9);
    // Bisection to a small bracket, then Newton steps (chord is smooth and decreasing there).
    for _ in 0..14 {
        let mid = 0.5 * (lo + hi);
        if chord(mid) > d { lo = mid } else { hi = mid }
    }
    let mut phi = 0.5 * (lo + hi);
    for _ in 0..3 {
        let (s2, c2) = (phi / 2.0).sin_cos();
        let (sm, cm) = (phi / (2.0 * mf)).sin_cos();
        let slope = (0.5 * c2 * sm - s2 * cm / (2.0 * mf)) / (sm * sm);
        if slope.abs() < 1e-12 {
            break;
        }
        phi = (phi - (s2 / sm - d) / slope).clamp(lo, hi);
    }
    let r = 0.5 / (phi / (2.0 * mf)).sin();
    let mid = (a + b) * 0.5;
    let n = side.unit();
    let centre = mid - n * (r * (phi / 2.0).cos());
    let start = (a - centre).angle();
    // Turn the way whose arc midpoint lies straight out along `side` from the centre.
    let towards = |s: f64| Vec2::from_angle(start + s * phi / 2.0).dot(n);
    let sign = if towards(1.0) >= towards(-1.0) {
        1.0
    } else {
        -1.0
    };
    (1..m)
        .map(|i| centre + Vec2::from_angle(start + sign * phi * i as f64 / mf) * r)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arc_of_five_on_a_unit_edge_is_a_regular_hexagon() {
        let (a, b) = (Vec2::ZERO, Vec2::new(1.0, 0.0));
        let pts = arc_points(a, b, 5, Vec2::new(0.0, 1.0));
        let mut all = vec![a];
        all.extend(pts);
        all.push(b);
        for w in all.windows(2) {
            assert!(((w[1] - w[0]).len() - 1.0).abs() < 1e-6);
        }
        assert!(all.iter().all(|p| p.y >= -1e-9));
        let c = Vec2::new(0.5, 3f64.sqrt() / 2.0);
        assert!(all.iter().all(|p| ((*p - c).len() - 1.0).abs() < 1e-6));
    }
}
