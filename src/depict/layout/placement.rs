//! Initial coordinates for one connected component: the largest ring system (or one end of the
//! longest chain) first, then breadth-first outwards. Chains zig-zag at 120°, sp atoms run
//! straight, quaternary centres form a 90° cross, exocyclic bonds share the exterior angle of
//! their ring atom evenly, each further ring system is rotated onto its attachment bond and
//! mirrored to the less crowded side, and stereo double bonds get their cis/trans geometry.

use std::collections::VecDeque;
use std::f64::consts::{FRAC_PI_2, FRAC_PI_3, TAU};

use super::geom::{Vec2, gap_slots, gap_slots_outside};
use super::graph::Graph;
use super::ring_system::layout_system;
use super::rings::Rings;

pub struct Placer<'a> {
    g: &'a Graph,
    rings: &'a Rings,
    comp: &'a [usize],
    pos: &'a mut [Vec2],
    placed: Vec<bool>,
    /// Side (+1 anticlockwise, -1 clockwise) of the last 60° turn that led to a chain atom; 0
    /// when the atom was not reached along a chain (ring atoms, the start).
    turn: Vec<i8>,
    /// Size of the part of the component hanging below each atom (DFS from the start): puts the
    /// heaviest branch on the main zig-zag.
    subtree: Vec<usize>,
}

/// Places every atom of `comp` (one connected component) into `pos`.
pub fn place_component(g: &Graph, rings: &Rings, comp: &[usize], pos: &mut [Vec2]) {
    let mut p = Placer {
        g,
        rings,
        comp,
        pos,
        placed: vec![false; g.n],
        turn: vec![0; g.n],
        subtree: vec![1; g.n],
    };
    p.run();
}

impl Placer<'_> {
    fn run(&mut self) {
        let start_system = self.largest_system();
        let start = match start_system {
            Some(s) => self.system_atoms(s)[0],
            None => self.chain_end(),
        };
        self.compute_subtrees(start);
        let mut queue = VecDeque::new();
        match start_system {
            Some(s) => {
                let (local, _) = self.local_system(s);
                for &(a, p) in &local {
                    self.pos[a] = p;
                    self.placed[a] = true;
                    queue.push_back(a);
                }
            }
            None => {
                self.pos[start] = Vec2::ZERO;
                self.placed[start] = true;
                self.turn[start] = 1;
                queue.push_back(start);
            }
        }
        while let Some(a) = queue.pop_front() {
            for c in self.place_children(a) {
                if let Some(s) = self.rings.atom_system[c] {
                    let atoms = self.attach_system(s, c, a);
                    queue.extend(atoms);
                } else {
                    queue.push_back(c);
                }
            }
        }
    }

    fn system_atoms(&self, s: usize) -> Vec<usize> {
        let mut atoms: Vec<usize> = self
            .comp
            .iter()
            .copied()
            .filter(|&a| self.rings.atom_system[a] == Some(s))
            .collect();
        atoms.sort_unstable();
        atoms
    }

    /// The ring system with the most atoms in this component (earliest on ties).
    fn largest_system(&self) -> Option<usize> {
        let mut counts: Vec<(usize, usize)> = Vec::new();
        for &a in self.comp {
            if let Some(s) = self.rings.atom_system[a] {
                match counts.iter_mut().find(|(x, _)| *x == s) {
                    Some(c) => c.1 += 1,
                    None => counts.push((s, 1)),
                }
            }
        }
        counts
            .into_iter()
            .max_by(|x, y| x.1.cmp(&y.1).then(y.0.cmp(&x.0)))
            .map(|(s, _)| s)
    }

    /// One end of a longest path (double BFS): the chain then zig-zags from end to end.
    fn chain_end(&self) -> usize {
        let far = |from: usize| {
            let mut dist = vec![usize::MAX; self.g.n];
            dist[from] = 0;
            let mut q = VecDeque::from([from]);
            let mut last = from;
            while let Some(a) = q.pop_front() {
                last = a;
                for &(w, _) in &self.g.adj[a] {
                    if dist[w] == usize::MAX {
                        dist[w] = dist[a] + 1;
                        q.push_back(w);
                    }
                }
            }
            last
        };
        far(far(self.comp[0]))
    }

    fn compute_subtrees(&mut self, start: usize) {
        let mut order = Vec::with_capacity(self.comp.len());
        let mut parent = vec![usize::MAX; self.g.n];
        parent[start] = start;
        let mut stack = vec![start];
        while let Some(a) = stack.pop() {
            order.push(a);
            for &(w, _) in &self.g.adj[a] {
                if parent[w] == usize::MAX {
                    parent[w] = a;
                    stack.push(w);
                }
            }
        }
        for &a in order.iter().rev() {
            if a != start {
                self.subtree[parent[a]] += self.subtree[a];
            }
        }
    }

    /// Local coordinates of a ring system: its atoms (ascending) with their positions, and the
    /// same positions in a full-size array for index lookups.
    fn local_system(&self, s: usize) -> (Vec<(usize, Vec2)>, Vec<Vec2>) {
        let rings: Vec<&[usize]> = self.rings.systems[s]
            .iter()
            .map(|&r| self.rings.rings[r].as_slice())
            .collect();
        let extra: Vec<&[usize]> = self
            .rings
            .relevant
            .iter()
            .filter(|c| c.iter().all(|&a| self.rings.atom_system[a] == Some(s)))
            .map(|c| c.as_slice())
            .collect();
        let mut pos = vec![Vec2::ZERO; self.g.n];
        let mut placed = vec![false; self.g.n];
        layout_system(self.g, &rings, &extra, &mut pos, &mut placed);
        let atoms = self
            .system_atoms(s)
            .into_iter()
            .map(|a| (a, pos[a]))
            .collect();
        (atoms, pos)
    }

    /// Sum of 1/d² from `p` to every placed atom: how crowded a candidate position is.
    fn crowding(&self, p: Vec2) -> f64 {
        self.comp
            .iter()
            .filter(|&&q| self.placed[q])
            .map(|&q| 1.0 / (p - self.pos[q]).len2().max(1e-4))
            .sum()
    }

    /// Places the unplaced neighbours of `a` and returns them in placement order.
    fn place_children(&mut self, a: usize) -> Vec<usize> {
        let mut children: Vec<usize> = self.g.adj[a]
            .iter()
            .map(|&(w, _)| w)
            .filter(|&w| !self.placed[w])
            .collect();
        if children.is_empty() {
            return children;
        }
        // Heaviest branch first: it takes the slot that continues the main line.
        children.sort_by(|&x, &y| self.subtree[y].cmp(&self.subtree[x]).then(x.cmp(&y)));
        let dirs: Vec<(Vec2, i8)> = if self.rings.atom_system[a].is_some() {
            self.ring_atom_slots(a, children.len())
        } else {
            let parents: Vec<usize> = self.g.adj[a]
                .iter()
                .map(|&(w, _)| w)
                .filter(|&w| self.placed[w])
                .collect();
            match parents.as_slice() {
                [] => self.chain_slots(a, Vec2::new(1.0, 0.0), &children),
                [p] => {
                    let d = (self.pos[a] - self.pos[*p]).unit();
                    let mut slots = self.chain_slots(a, d, &children);
                    if self.breaks_double_bond_stereo(*p, a, &children, &slots) {
                        for s in &mut slots {
                            s.0 = s.0.reflect(Vec2::ZERO, d);
                            s.1 = -s.1;
                        }
                    }
                    slots
                }
                _ => {
                    let dirs: Vec<Vec2> =
                        parents.iter().map(|&w| self.pos[w] - self.pos[a]).collect();
                    gap_slots(&dirs, children.len())
                        .into_iter()
                        .map(|d| (d, 0))
                        .collect()
                }
            }
        };
        for (&c, &(d, t)) in children.iter().zip(&dirs) {
            self.pos[c] = self.pos[a] + d;
            self.placed[c] = true;
            self.turn[c] = t;
        }
        children
    }

    /// Directions for `children` of chain atom `a` reached along `d` (unit), with the turn sign
    /// each child records for the zig-zag that follows it.
    fn chain_slots(&self, a: usize, d: Vec2, children: &[usize]) -> Vec<(Vec2, i8)> {
        let k = children.len();
        let t = self.turn[a];
        // Turn away from the previous turn (zig-zag); with no history, to the emptier side.
        let side = || -> i8 {
            if t != 0 {
                return -t;
            }
            let here = self.pos[a];
            let plus = self.crowding(here + d.rotate(FRAC_PI_3));
            let minus = self.crowding(here + d.rotate(-FRAC_PI_3));
            if minus < plus - 1e-9 { -1 } else { 1 }
        };
        match k {
            1 if self.g.is_linear(a) => vec![(d, t)],
            1 => {
                let s = side();
                vec![(d.rotate(f64::from(s) * FRAC_PI_3), s)]
            }
            2 => {
                let s = side();
                vec![
                    (d.rotate(f64::from(s) * FRAC_PI_3), s),
                    (d.rotate(-f64::from(s) * FRAC_PI_3), -s),
                ]
            }
            3 => vec![(d, t), (d.rotate(FRAC_PI_2), 1), (d.rotate(-FRAC_PI_2), -1)],
            _ => {
                let back = (-d).angle();
                (0..k)
                    .map(|i| {
                        let ang = back + TAU * (i + 1) as f64 / (k + 1) as f64;
                        (Vec2::from_angle(ang), 0)
                    })
                    .collect()
            }
        }
    }

    /// Exocyclic directions of ring atom `a`: its exterior angle shared evenly by all its
    /// non-ring neighbours; slots nearest the already placed ones are taken by them.
    fn ring_atom_slots(&self, a: usize, want: usize) -> Vec<(Vec2, i8)> {
        let sys = self.rings.atom_system[a];
        let (inner, outer): (Vec<usize>, Vec<usize>) = self.g.adj[a]
            .iter()
            .map(|&(w, _)| w)
            .partition(|&w| self.rings.atom_system[w] == sys && self.is_ring_neighbour(a, w));
        let dirs: Vec<Vec2> = inner.iter().map(|&w| self.pos[w] - self.pos[a]).collect();
        // The substituent of a stereo ring double bond's end goes opposite the bisector of its
        // ring bonds, whichever side that is: only there is it across the double bond from the
        // ring neighbour, as the ring's drawn configuration assumes. (A trans bond drawn as a
        // zig-zag turns that side towards the ring's inside.)
        if let ([u, v], [_]) = (dirs.as_slice(), outer.as_slice())
            && want == 1
            && self.ends_stereo_ring_double_bond(a)
        {
            let out = -(u.unit() + v.unit());
            if out.len() > 1e-6 {
                return vec![(out.unit(), 0)];
            }
        }
        let inside = |d: Vec2| self.rings.points_into_ring(a, d, self.pos);
        let mut slots = gap_slots_outside(&dirs, outer.len(), &inside);
        for &w in outer.iter().filter(|&&w| self.placed[w]) {
            let d = (self.pos[w] - self.pos[a]).unit();
            if let Some(i) = (0..slots.len()).max_by(|&i, &j| {
                slots[i]
                    .dot(d)
                    .partial_cmp(&slots[j].dot(d))
                    .unwrap_or(std::cmp::Ordering::Equal)
            }) {
                slots.remove(i);
            }
        }
        slots.truncate(want);
        // Should placement have lost a slot (it cannot for a consistent graph), spread the rest.
        while slots.len() < want {
            slots.push(Vec2::from_angle(slots.len() as f64));
        }
        slots.into_iter().map(|d| (d, 0)).collect()
    }

    /// Whether `a` is an end of a ring double bond with a configuration.
    fn ends_stereo_ring_double_bond(&self, a: usize) -> bool {
        self.g.adj[a].iter().any(|&(_, b)| {
            let bond = &self.g.bonds[b];
            bond.order == 2 && bond.stereo.is_some() && self.rings.ring_bond[b]
        })
    }

    fn is_ring_neighbour(&self, a: usize, w: usize) -> bool {
        self.g.adj[a]
            .iter()
            .any(|&(x, b)| x == w && self.rings.ring_bond[b])
    }

    /// Whether giving `children` of `a` the directions `slots` puts the stereo reference atoms
    /// of a double bond p=a on the wrong sides.
    fn breaks_double_bond_stereo(
        &self,
        p: usize,
        a: usize,
        children: &[usize],
        slots: &[(Vec2, i8)],
    ) -> bool {
        let Some(&(_, bond)) = self.g.adj[a].iter().find(|&&(w, _)| w == p) else {
            return false;
        };
        let b = &self.g.bonds[bond];
        let Some((ra, rb, cis)) = b.stereo else {
            return false;
        };
        let (ref_p, ref_a) = if b.a == p { (ra, rb) } else { (rb, ra) };
        let Some(i) = children.iter().position(|&c| c == ref_a) else {
            return false;
        };
        if !self.placed[ref_p] {
            return false;
        }
        let axis = self.pos[a] - self.pos[p];
        let side_p = axis.cross(self.pos[ref_p] - self.pos[p]);
        let side_a = axis.cross(self.pos[a] + slots[i].0 - self.pos[p]);
        (side_p * side_a > 0.0) != cis
    }

    /// Moves ring system `s` into place through its atom `c`, already positioned as a child of
    /// `a`: rotated so the bond a–c leaves along `c`'s exterior bisector, mirrored if that is
    /// less crowded (or needed for a stereo double bond a=c). Returns the system's atoms.
    fn attach_system(&mut self, s: usize, c: usize, a: usize) -> Vec<usize> {
        let (local, lpos) = self.local_system(s);
        let lc = lpos[c];
        let inner: Vec<Vec2> = self.g.adj[c]
            .iter()
            .filter(|&&(w, b)| self.rings.ring_bond[b] && self.rings.atom_system[w] == Some(s))
            .map(|&(w, _)| lpos[w] - lc)
            .collect();
        let n_exo = self.g.degree(c) - inner.len();
        let inside = |d: Vec2| self.rings.points_into_ring(c, d, &lpos);
        let axis = gap_slots_outside(&inner, n_exo.max(1), &inside)[0];
        let target = (self.pos[a] - self.pos[c]).unit();
        let rot = target.angle() - axis.angle();
        let anchor = self.pos[c];
        let transform = |p: Vec2, mirror: bool| {
            let v = p - lc;
            let v = if mirror {
                v.reflect(Vec2::ZERO, axis)
            } else {
                v
            };
            anchor + v.rotate(rot)
        };
        let score = |mirror: bool| -> f64 {
            local
                .iter()
                .filter(|(x, _)| *x != c)
                .map(|&(_, p)| self.crowding(transform(p, mirror)))
                .sum()
        };
        let mut mirror = score(true) < score(false) - 1e-9;
        if let Some(need) = self.stereo_mirror(a, c, &local, &|p| transform(p, false)) {
            mirror = need;
        }
        let mut atoms = Vec::with_capacity(local.len());
        atoms.push(c);
        for &(x, p) in &local {
            if x != c {
                self.pos[x] = transform(p, mirror);
                self.placed[x] = true;
                atoms.push(x);
            }
        }
        atoms
    }

    /// For a stereo double bond a=c into a ring system: whether the system must be mirrored
    /// (None when the bond carries no configuration the system decides).
    fn stereo_mirror(
        &self,
        a: usize,
        c: usize,
        local: &[(usize, Vec2)],
        place: &dyn Fn(Vec2) -> Vec2,
    ) -> Option<bool> {
        let &(_, bond) = self.g.adj[a].iter().find(|&&(w, _)| w == c)?;
        let b = &self.g.bonds[bond];
        let (ra, rb, cis) = b.stereo?;
        let (ref_a, ref_c) = if b.a == a { (ra, rb) } else { (rb, ra) };
        let lp = local.iter().find(|(x, _)| *x == ref_c)?.1;
        if !self.placed[ref_a] {
            return None;
        }
        let axis = self.pos[c] - self.pos[a];
        let side_a = axis.cross(self.pos[ref_a] - self.pos[a]);
        let side_c = axis.cross(place(lp) - self.pos[a]);
        Some((side_a * side_c > 0.0) != cis)
    }
}
