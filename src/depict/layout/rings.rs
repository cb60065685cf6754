//! Ring facts layout needs, taken from `chem::rings::RingInfo`: ring bonds, the SSSR rings in
//! cyclic order, and ring systems joined through any shared atom (spiro rings are laid out
//! together with the rings they share an atom with, unlike `RingInfo::ring_systems`).

use std::collections::HashMap;

use super::geom::{Vec2, point_in_polygon};
use super::graph::Graph;
use crate::chem::rings::RingInfo;

pub struct Rings {
    /// Whether each bond lies on a cycle (is not a bridge).
    pub ring_bond: Vec<bool>,
    /// Smallest set of smallest rings, atoms in cyclic order, smallest rings first.
    pub rings: Vec<Vec<usize>>,
    /// Ring systems, each a list of indices into `rings`.
    pub systems: Vec<Vec<usize>>,
    /// The ring system each atom belongs to.
    pub atom_system: Vec<Option<usize>>,
    /// Indices into `rings` of the rings through each atom.
    pub atom_rings: Vec<Vec<usize>>,
    /// Relevant cycles (all SSSR alternatives): more start cycles for bridged systems, so their
    /// drawing does not hinge on which equally small ring the SSSR happened to pick.
    pub relevant: Vec<Vec<usize>>,
}

impl Rings {
    pub fn new(g: &Graph, info: &RingInfo) -> Rings {
        let ring_bond = (0..g.bonds.len())
            .map(|b| info.is_ring_bond(crate::chem::BondIdx::new(b)))
            .collect();
        let rings: Vec<Vec<usize>> = info
            .rings()
            .iter()
            .map(|r| r.iter().map(|a| a.index()).collect())
            .collect();
        let (systems, atom_system) = ring_systems(g.n, &rings);
        let mut atom_rings = vec![Vec::new(); g.n];
        for (r, ring) in rings.iter().enumerate() {
            for &a in ring {
                atom_rings[a].push(r);
            }
        }
        Rings {
            ring_bond,
            rings,
            systems,
            atom_system,
            atom_rings,
            relevant: info
                .relevant_cycles()
                .iter()
                .map(|r| r.iter().map(|a| a.index()).collect())
                .collect(),
        }
    }

    /// Whether the point `a + d * 0.5` falls inside one of `a`'s rings, with positions `pos`.
    pub fn points_into_ring(&self, a: usize, d: Vec2, pos: &[Vec2]) -> bool {
        let p = pos[a] + d * 0.5;
        self.atom_rings[a].iter().any(|&r| {
            let poly: Vec<Vec2> = self.rings[r].iter().map(|&x| pos[x]).collect();
            point_in_polygon(p, &poly)
        })
    }
}

/// Groups rings that share an atom; returns the systems and each atom's system.
fn ring_systems(n: usize, rings: &[Vec<usize>]) -> (Vec<Vec<usize>>, Vec<Option<usize>>) {
    let mut owner: Vec<Option<usize>> = vec![None; n];
    let mut parent: Vec<usize> = (0..rings.len()).collect();
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    for (r, ring) in rings.iter().enumerate() {
        for &a in ring {
            match owner[a] {
                None => owner[a] = Some(r),
                Some(o) => {
                    let (x, y) = (find(&mut parent, o), find(&mut parent, r));
                    if x != y {
                        parent[x.max(y)] = x.min(y);
                    }
                }
            }
        }
    }
    let mut index: HashMap<usize, usize> = HashMap::new();
    let mut systems: Vec<Vec<usize>> = Vec::new();
    for r in 0..rings.len() {
        let root = find(&mut parent, r);
        let s = *index.entry(root).or_insert_with(|| {
            systems.push(Vec::new());
            systems.len() - 1
        });
        systems[s].push(r);
    }
    let atom_system = owner
        .iter()
        .map(|o| o.map(|r| index[&find(&mut parent, r)]))
        .collect();
    (systems, atom_system)
}
