//! Bridged ring systems: candidate start cycles for the ring-system layout and a score that
//! says how tangled a candidate layout came out.

use super::geom::{Vec2, gap_slots_outside, point_in_polygon, segments_cross};
use super::graph::Graph;

/// Envelope candidates beyond this many are not tried (keeps cages and large systems fast).
const MAX_STARTS: usize = 24;

/// Start cycles worth trying when the system is bridged (some two rings share more than one
/// bond); empty for fused and spiro systems, which need no search. Envelopes come first, then
/// the rings themselves.
pub fn start_cycles(rings: &[&[usize]], alternatives: &[&[usize]]) -> Vec<Vec<usize>> {
    let bridged = (0..rings.len()).any(|i| {
        (i + 1..rings.len()).any(|j| rings[i].iter().filter(|a| rings[j].contains(a)).count() >= 3)
    });
    if !bridged {
        return Vec::new();
    }
    let mut cycles: Vec<&[usize]> = rings.to_vec();
    for alt in alternatives {
        if !cycles.iter().any(|c| same_cycle(c, alt)) {
            cycles.push(alt);
        }
    }
    let mut envelopes: Vec<Vec<usize>> = Vec::new();
    for i in 0..cycles.len() {
        for j in i + 1..cycles.len() {
            let shared = cycles[i].iter().filter(|a| cycles[j].contains(a)).count();
            if shared >= 2
                && let Some(env) = envelope(cycles[i], cycles[j])
                && !envelopes.iter().any(|e| same_cycle(e, &env))
            {
                envelopes.push(env);
            }
        }
    }
    envelopes.sort_by_key(|e| std::cmp::Reverse(e.len()));
    envelopes.truncate(MAX_STARTS);
    envelopes.extend(cycles.iter().map(|r| r.to_vec()));
    envelopes
}

fn same_cycle(a: &[usize], b: &[usize]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.contains(x))
}

/// The cycle around two rings that share one contiguous path: ring `a`'s own atoms from one end
/// of the shared path to the other, then ring `b`'s own atoms back, the ends included once.
fn envelope(a: &[usize], b: &[usize]) -> Option<Vec<usize>> {
    let k = a.len();
    let in_b = |x: usize| b.contains(&x);
    // Start of a's private run: a shared atom followed by a private one.
    let s = (0..k).find(|&i| in_b(a[i]) && !in_b(a[(i + 1) % k]))?;
    let mut cycle = vec![a[s]];
    let mut i = (s + 1) % k;
    while !in_b(a[i]) {
        cycle.push(a[i]);
        i = (i + 1) % k;
    }
    let end = a[i];
    cycle.push(end);
    // The shared atoms must form one run in `a` for the envelope to be a simple cycle.
    let private_a = a.iter().filter(|&&x| !in_b(x)).count();
    if cycle.len() != private_a + 2 {
        return None;
    }
    // Walk b from `end` through its private atoms back to a[s].
    let m = b.len();
    let e = b.iter().position(|&x| x == end)?;
    for dir in [1, m - 1] {
        let mut j = (e + dir) % m;
        let mut run = Vec::new();
        while !a.contains(&b[j]) {
            run.push(b[j]);
            j = (j + dir) % m;
        }
        if b[j] == a[s] && !run.is_empty() {
            cycle.extend(run);
            return Some(cycle);
        }
    }
    None
}

/// Whether some two rings share exactly one atom.
pub fn has_spiro(rings: &[&[usize]]) -> bool {
    (0..rings.len()).any(|i| {
        (i + 1..rings.len()).any(|j| rings[i].iter().filter(|a| rings[j].contains(a)).count() == 1)
    })
}

pub fn system_atoms(rings: &[&[usize]]) -> Vec<usize> {
    let mut atoms: Vec<usize> = rings.iter().flat_map(|r| r.iter().copied()).collect();
    atoms.sort_unstable();
    atoms.dedup();
    atoms
}

/// How tangled a ring-system layout is: clashes and crossings dominate, then bonds off unit
/// length, then plain crowding as a tie-breaker.
pub fn tangle(g: &Graph, rings: &[&[usize]], atoms: &[usize], pos: &[Vec2]) -> f64 {
    let mut score = 0.0;
    let mut bonds = Vec::new();
    for (i, &a) in atoms.iter().enumerate() {
        for &(w, _) in &g.adj[a] {
            if w > a && atoms.binary_search(&w).is_ok() {
                bonds.push((a, w));
                score += 5.0 * ((pos[a] - pos[w]).len() - 1.0).abs();
            }
        }
        for &b in &atoms[i + 1..] {
            if g.bonded(a, b) {
                continue;
            }
            let d2 = (pos[a] - pos[b]).len2();
            if d2 < 0.25 {
                score += 20.0;
            }
            score += 0.05 / d2.max(1e-4);
        }
    }
    // Stubs for the exocyclic bonds: a bridge drawn inside its envelope leaves its
    // substituents nowhere to go, and this is where that shows.
    let stubs = exocyclic_stubs(g, rings, atoms, pos);
    score + stub_conflicts(&stubs, atoms, &bonds, pos) + bond_crossings(&bonds, pos)
}

/// Where each system atom's substituents will go: one bond out, spread through its widest
/// gap that is not inside one of its rings.
pub fn exocyclic_stubs(
    g: &Graph,
    rings: &[&[usize]],
    atoms: &[usize],
    pos: &[Vec2],
) -> Vec<(usize, Vec2)> {
    let mut stubs: Vec<(usize, Vec2)> = Vec::new();
    for &a in atoms {
        let inner: Vec<Vec2> = g.adj[a]
            .iter()
            .filter(|&&(w, _)| atoms.binary_search(&w).is_ok())
            .map(|&(w, _)| pos[w] - pos[a])
            .collect();
        let k = g.degree(a) - inner.len();
        if k > 0 {
            let inside = |d: Vec2| {
                rings.iter().filter(|r| r.contains(&a)).any(|r| {
                    let poly: Vec<Vec2> = r.iter().map(|&x| pos[x]).collect();
                    point_in_polygon(pos[a] + d * 0.5, &poly)
                })
            };
            let slots = gap_slots_outside(&inner, k, &inside);
            stubs.extend(slots.into_iter().map(|d| (a, pos[a] + d)));
        }
    }
    stubs
}

/// Clashes and crossings of the substituent stubs with the system and each other.
fn stub_conflicts(
    stubs: &[(usize, Vec2)],
    atoms: &[usize],
    bonds: &[(usize, usize)],
    pos: &[Vec2],
) -> f64 {
    let mut score = 0.0;
    for (i, &(a, end)) in stubs.iter().enumerate() {
        for &x in atoms {
            if x != a && (pos[x] - end).len2() < 0.25 {
                score += 20.0;
            }
        }
        for &(_, other) in &stubs[i + 1..] {
            if (other - end).len2() < 0.25 {
                score += 20.0;
            }
        }
        for &(c, d) in bonds {
            if a != c && a != d && segments_cross(pos[a], end, pos[c], pos[d]) {
                score += 20.0;
            }
        }
    }
    score
}

/// Whether two of the system's atoms clash (closer than half a bond) or two of its bonds cross.
pub fn core_tangled(g: &Graph, atoms: &[usize], pos: &[Vec2]) -> bool {
    let mut bonds = Vec::new();
    for (i, &a) in atoms.iter().enumerate() {
        for &(w, _) in &g.adj[a] {
            if w > a && atoms.binary_search(&w).is_ok() {
                bonds.push((a, w));
            }
        }
        if atoms[i + 1..]
            .iter()
            .any(|&b| !g.bonded(a, b) && (pos[a] - pos[b]).len2() < 0.25)
        {
            return true;
        }
    }
    bond_crossings(&bonds, pos) > 0.0
}

/// Crossings among the system's own bonds.
fn bond_crossings(bonds: &[(usize, usize)], pos: &[Vec2]) -> f64 {
    let mut score = 0.0;
    for (i, &(a, b)) in bonds.iter().enumerate() {
        for &(c, d) in &bonds[i + 1..] {
            if a != c
                && a != d
                && b != c
                && b != d
                && segments_cross(pos[a], pos[b], pos[c], pos[d])
            {
                score += 20.0;
            }
        }
    }
    score
}
