//! From the graph as written to a molecule, or the reason there is none: the checks of RDKit's
//! sanitization (RDKit Book, "Molecule Sanitization"), in its order, so that textchem calls a
//! SMILES valid exactly when RDKit's `MolFromSmiles` does and names the same problem:
//! 1. hypervalent groups become charge-separated (`hypervalent`);
//! 2. implicit hydrogens, and the valence of every atom whose bonds are all known (no aromatic
//!    bonds): too many bonds is `InvalidValence`;
//! 3. every aromatic atom must lie in a ring (`AromaticOutsideRing`);
//! 4. aromatic bonds get Kekulé orders (`CannotKekulize`), and then the valence of the atoms on
//!    them is checked too.

use super::error::{SmilesError, SmilesErrorKind};
use super::hypervalent::separate_charges;
use super::parser::RawSmiles;
use crate::chem::kekulize::kekulize;
use crate::chem::mol::{AtomIdx, Molecule};
use crate::chem::rings::ring_atom_flags;
use crate::chem::valence::{assign_implicit_hydrogens, over_valent_atoms};

/// Runs the checks on `raw`; `base` is the offset errors fall back to when no atom is named.
pub(crate) fn sanitize(raw: &mut RawSmiles, base: usize) -> Result<(), SmilesError> {
    separate_charges(&mut raw.mol);
    assign_implicit_hydrogens(&mut raw.mol);
    let error = |kind: SmilesErrorKind, atoms: Vec<AtomIdx>| {
        let atoms: Vec<usize> = atoms.iter().map(|a| a.index()).collect();
        let offset = atoms.first().map_or(base, |&a| raw.atom_offsets[a]);
        SmilesError::new(kind, offset).with_atoms(atoms)
    };
    let has_aromatic_bond = aromatic_bond_flags(&raw.mol);
    let settled: Vec<AtomIdx> = over_valent_atoms(&raw.mol)
        .into_iter()
        .filter(|a| !has_aromatic_bond[a.index()])
        .collect();
    if !settled.is_empty() {
        return Err(error(SmilesErrorKind::InvalidValence, settled));
    }
    let outside = aromatic_atoms_outside_rings(&raw.mol);
    if !outside.is_empty() {
        return Err(error(SmilesErrorKind::AromaticOutsideRing, outside));
    }
    if let Err(e) = kekulize(&mut raw.mol) {
        return Err(error(SmilesErrorKind::CannotKekulize, e.atoms));
    }
    let bad = over_valent_atoms(&raw.mol);
    if !bad.is_empty() {
        return Err(error(SmilesErrorKind::InvalidValence, bad));
    }
    Ok(())
}

/// Whether each atom has an aromatic bond (its Kekulé valence is not known before kekulization).
fn aromatic_bond_flags(mol: &Molecule) -> Vec<bool> {
    let mut flags = vec![false; mol.atom_count()];
    for (x, y, bond) in mol.bonds_with_atoms() {
        if bond.aromatic {
            flags[x.index()] = true;
            flags[y.index()] = true;
        }
    }
    flags
}

/// Lowercase atoms that no ring passes through (RDKit: "non-ring atom marked aromatic"). An
/// aromatic bond between uppercase atoms (`C:C`) is allowed anywhere.
fn aromatic_atoms_outside_rings(mol: &Molecule) -> Vec<AtomIdx> {
    if !mol.atom_values().any(|a| a.aromatic) {
        return Vec::new();
    }
    let in_ring = ring_atom_flags(mol);
    mol.atoms()
        .filter(|&a| mol.atom(a).aromatic && !in_ring[a.index()])
        .collect()
}
