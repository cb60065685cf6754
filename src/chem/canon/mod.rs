//! Canonical SMILES: one string per molecule, whatever order its atoms came in.
//!
//! `canonical_smiles` perceives aromaticity on a copy (RDKit-like model), ranks the atoms
//! canonically (stereo included) and writes aromatic SMILES with tetrahedral and double-bond
//! stereo. Components are written in rank order, so their order is canonical too.

mod directions;
mod rank;
mod renumber;
mod stereo;
mod writer;

pub use renumber::renumber;
pub use writer::WriteOptions;

use super::aromaticity;
use super::mol::{Molecule, Reaction};
use super::rings::adjacency;
use stereo::StereoSet;

/// The canonical aromatic SMILES of `mol`.
pub fn canonical_smiles(mol: &Molecule) -> String {
    let mut m = mol.clone();
    aromaticity::perceive(&mut m);
    write_smiles(&m, WriteOptions::default())
}

/// Writes `mol` as it stands (aromatic flags as they are set; call
/// [`aromaticity::perceive`] first for perceived aromaticity).
pub fn write_smiles(mol: &Molecule, options: WriteOptions) -> String {
    let adj = adjacency(mol);
    let mut stereo = StereoSet::collect(mol, &adj);
    let ranks = if options.canonical {
        rank::canonical_ranks(mol, &adj, &mut stereo)
    } else {
        writer::input_order(mol.atom_count())
    };
    writer::write(mol, &adj, &ranks, &stereo, options.aromatic)
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
