//! 2D coordinates for molecule drawings (bond length 1.0), deterministic for a given graph.
//!
//! Pipeline per connected component: ring perception → ring systems as fused regular polygons
//! (`ring_system`) → breadth-first placement of chains and further ring systems (`placement`) →
//! collision repair (`repair`) → whole-component relaxation of what is still tangled
//! (`untangle`) → long axis horizontal (`orient`); components are then packed side by side.
//!
//! Every search is bounded by counted work (candidate drawings, sweeps, pair evaluations), never
//! by a clock: the same input gives the same coordinates on every run, machine and load.

mod bridged;
mod geom;
mod graph;
mod macrocycle;
mod orient;
mod placement;
mod repair;
mod ring_system;
mod rings;
mod stress;
mod untangle;

pub use geom::Vec2;
pub use graph::Graph;

use crate::chem::Molecule;
use crate::chem::rings::RingInfo;

/// Bond length in layout units.
pub const BOND_LENGTH: f64 = 1.0;

#[derive(Clone, Debug)]
pub struct LayoutOptions {
    /// Cap on collision repair per molecule, in pair evaluations (atom pairs and bond pairs
    /// scored): nothing can hang. Placement itself always completes; only the optional repair
    /// stops early. A work count rather than a clock, so the same input gives the same
    /// coordinates on every run, machine and load.
    pub repair_work: u64,
}

/// Default repair cap: a few hundred milliseconds for the largest molecules of the stress sets.
pub const REPAIR_WORK: u64 = 100_000_000;

impl Default for LayoutOptions {
    fn default() -> Self {
        LayoutOptions {
            repair_work: REPAIR_WORK,
        }
    }
}

/// The unit direction through the middle of the widest angular gap between `dirs` (directions
/// from one atom): where something more attached to that atom has the most room.
pub fn widest_gap(dirs: &[Vec2]) -> Vec2 {
    geom::gap_slots(dirs, 1)[0]
}

/// Atom coordinates in atom-index order.
pub fn layout(mol: &Molecule) -> Vec<Vec2> {
    layout_with(mol, &LayoutOptions::default())
}

pub fn layout_with(mol: &Molecule, opts: &LayoutOptions) -> Vec<Vec2> {
    layout_with_rings(mol, &RingInfo::new(mol), opts)
}

/// Layout reusing ring perception the caller already has (drawing needs it too).
pub fn layout_with_rings(mol: &Molecule, info: &RingInfo, opts: &LayoutOptions) -> Vec<Vec2> {
    let mut budget = opts.repair_work;
    let g = Graph::from_molecule(mol);
    let g = &g;
    let ring_info = rings::Rings::new(g, info);
    let mut pos = vec![Vec2::ZERO; g.n];
    let comps = g.components();
    for comp in &comps {
        placement::place_component(g, &ring_info, comp, &mut pos);
        budget = repair::repair(g, &ring_info.ring_bond, comp, &mut pos, budget);
        untangle::untangle(g, &ring_info, comp, &mut pos);
        orient::orient(comp, &mut pos);
    }
    orient::pack(&comps, &mut pos);
    pos
}
