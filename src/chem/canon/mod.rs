//! Canonical SMILES: one string per molecule, whatever order its atoms came in.
//!
//! `canonical_smiles` perceives aromaticity on a copy (RDKit-like model), ranks the atoms
//! canonically (stereo included) and writes aromatic SMILES with tetrahedral and double-bond
//! stereo. Components are written in rank order, so their order is canonical too.

mod directions;
mod rank;
mod renumber;
mod stereo;
mod ties;
mod writer;

pub use renumber::renumber;
pub use writer::WriteOptions;

use super::aromaticity;
use super::mol::{Molecule, Reaction};
use super::rings::{Adjacency, RingInfo};
use stereo::StereoSet;

/// The canonical aromatic SMILES of `mol`.
pub fn canonical_smiles(mol: &Molecule) -> String {
    let mut m = mol.clone();
    let adj = Adjacency::new(&m);
    let rings = RingInfo::with_adjacency(&m, &adj);
    aromaticity::perceive_with_adjacency(&mut m, &adj, &rings);
    write_with(&m, &adj, Some(&rings), WriteOptions::default())
}

/// Writes `mol` as it stands (aromatic flags as they are set; call
/// [`aromaticity::perceive`] first for perceived aromaticity).
pub fn write_smiles(mol: &Molecule, options: WriteOptions) -> String {
    write_with(mol, &Adjacency::new(mol), None, options)
}

/// Writes with the neighbour lists and, when the caller has them, the rings.
fn write_with(
    mol: &Molecule,
    adj: &Adjacency,
    rings: Option<&RingInfo>,
    options: WriteOptions,
) -> String {
    let mut stereo = StereoSet::collect(mol, adj);
    let ranks = if options.canonical {
        rank::canonical_ranks(mol, adj, rings, &mut stereo)
    } else {
        writer::input_order(mol.atom_count())
    };
    writer::write(mol, adj, &ranks, &stereo, options.aromatic)
}

/// Canonical reaction SMILES `reactants>agents>products`: each species canonical, its ionic
/// fragments joined by `~` (the training data's notation), species sorted within each role.
pub fn canonical_reaction_smiles(r: &Reaction) -> String {
    let role = |species: &[Molecule]| {
        let mut parts: Vec<String> = species
            .iter()
            .map(|m| canonical_smiles(m).replace('.', "~"))
            .collect();
        parts.sort();
        parts.join(".")
    };
    format!(
        "{}>{}>{}",
        role(&r.reactants),
        role(&r.agents),
        role(&r.products)
    )
}
