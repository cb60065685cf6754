//! Canonical SMILES: one string per molecule, whatever order its atoms came in.
//!
//! `canonical_smiles` perceives aromaticity (RDKit-like model, flags kept beside the molecule), ranks the atoms
//! canonically (stereo included) and writes aromatic SMILES with tetrahedral and double-bond
//! stereo. Components are written in rank order, so their order is canonical too.

mod cxlayer;
mod directions;
mod rank;
mod renumber;
mod stereo;
mod ties;
mod writer;

pub use renumber::renumber;
pub use writer::WriteOptions;

use super::aromaticity::{self, Flags};
use super::hydrogens::fold_explicit_hydrogens;
use super::mol::{Adjacency, Molecule, Reaction};
use super::rings::RingCore;
use stereo::StereoSet;

/// The canonical aromatic SMILES of `mol`. Hydrogens written as atoms are folded into counts
/// first, as RDKit's reader does ([`fold_explicit_hydrogens`]), so `[H]OC([H])([H])[H]` and `CO`
/// get one string.
///
/// A molecule with enhanced stereo groups (read from a CXSMILES layer) is written with a
/// layer for them (`CC[C@H](C)O |&1:2|`), since the SMILES alone would claim one configuration.
pub fn canonical_smiles(mol: &Molecule) -> String {
    let folded = fold_explicit_hydrogens(mol);
    let mol = folded.as_ref().unwrap_or(mol);
    if mol.stereo_groups.is_empty() {
        canonical_smiles_of(mol)
    } else {
        cxlayer::canonical_with_layer(mol, false).to_string()
    }
}

/// Canonical CXSMILES, as RDKit's `MolToCXSmiles` writes it without coordinates: the
/// canonical SMILES and a layer with atom labels and values (`*c1ccccc1 |$_R1;;;;;;$|`),
/// unpaired electrons (`[CH2]C |^1:0|`) and enhanced stereo groups, atoms numbered in output
/// order; no layer when there is nothing to say. Labels and values also break the ties that
/// symmetry leaves in the atom order, so where they tell symmetric atoms apart the string is
/// still one per molecule (RDKit's then depends on the input order).
pub fn canonical_cxsmiles(mol: &Molecule) -> String {
    let folded = fold_explicit_hydrogens(mol);
    cxlayer::canonical_with_layer(folded.as_ref().unwrap_or(mol), true).to_string()
}

fn canonical_smiles_of(mol: &Molecule) -> String {
    let adj = Adjacency::new(mol);
    let rings = RingCore::new(&adj, mol.bond_count());
    let flags = aromaticity::aromatic_flags(mol, &adj, &rings);
    write_with(mol, &adj, Some(&rings), &flags, WriteOptions::default())
}

/// Writes `mol` as it stands (aromatic flags as they are set; call
/// [`aromaticity::perceive`] first for perceived aromaticity).
pub fn write_smiles(mol: &Molecule, options: WriteOptions) -> String {
    write_with(mol, &Adjacency::new(mol), None, &Flags::of(mol), options)
}

/// Writes with the neighbour lists and, when the caller has them, the rings.
fn write_with(
    mol: &Molecule,
    adj: &Adjacency,
    rings: Option<&RingCore>,
    flags: &Flags,
    options: WriteOptions,
) -> String {
    let mut stereo = StereoSet::collect(mol, adj, flags);
    let ranks = if options.canonical {
        rank::canonical_ranks(mol, adj, rings, flags, &mut stereo, None)
    } else {
        writer::input_order(mol.atom_count())
    };
    writer::write(mol, adj, &ranks, &stereo, flags, options.aromatic)
}

/// The stereo of `mol` that canonical SMILES keeps, as RDKit's reader keeps it: the atoms of real
/// tetrahedral centres and the bonds of real cis/trans double bonds, each ascending. Marks on a
/// centre with two equal substituents (not ring stereo), on a double bond with equal substituents
/// on one end, or on a bond that perception makes aromatic are not in it.
pub(crate) fn resolved_stereo(mol: &Molecule) -> (Vec<usize>, Vec<usize>) {
    let adj = Adjacency::new(mol);
    let rings = RingCore::new(&adj, mol.bond_count());
    let flags = aromaticity::aromatic_flags(mol, &adj, &rings);
    let mut stereo = StereoSet::collect(mol, &adj, &flags);
    rank::canonical_ranks(mol, &adj, Some(&rings), &flags, &mut stereo, None);
    let mut centres: Vec<usize> = stereo.centres.iter().map(|c| c.atom).collect();
    let mut bonds: Vec<usize> = stereo
        .double_bonds
        .iter()
        .filter_map(|d| {
            let [x, y] = d.ends.map(super::mol::AtomIdx::new);
            mol.bond_between(x, y).map(|b| b.index())
        })
        .collect();
    centres.sort_unstable();
    bonds.sort_unstable();
    (centres, bonds)
}

/// Canonical reaction SMILES `reactants>agents>products`: each species canonical, its ionic
/// fragments joined by `~` (the training data's notation), species sorted within each role.
/// Enhanced stereo groups go into one layer for the whole reaction, atoms numbered across it
/// (reactants, agents, products), as for [`canonical_smiles`].
pub fn canonical_reaction_smiles(r: &Reaction) -> String {
    reaction_with_layer(r, false)
}

/// [`canonical_reaction_smiles`] with the layer of [`canonical_cxsmiles`]: labels, values,
/// radicals and stereo groups, atoms numbered across the reaction as RDKit's
/// `ReactionToCXSmiles` numbers them.
pub fn canonical_reaction_cxsmiles(r: &Reaction) -> String {
    reaction_with_layer(r, true)
}

fn reaction_with_layer(r: &Reaction, cx: bool) -> String {
    let role = |species: &[Molecule]| {
        let mut parts: Vec<(String, cxlayer::CxParts)> = species
            .iter()
            .map(|m| {
                let folded = fold_explicit_hydrogens(m);
                let mut parts = cxlayer::canonical_with_layer(folded.as_ref().unwrap_or(m), cx);
                parts.smiles = parts.smiles.replace('.', "~");
                (parts.layer(), parts)
            })
            .collect();
        parts.sort_by(|x, y| (&x.1.smiles, &x.0).cmp(&(&y.1.smiles, &y.0)));
        let parts: Vec<cxlayer::CxParts> = parts.into_iter().map(|(_, p)| p).collect();
        cxlayer::CxParts::concat(&parts, ".")
    };
    let roles = [role(&r.reactants), role(&r.agents), role(&r.products)];
    cxlayer::CxParts::concat(&roles, ">").to_string()
}
