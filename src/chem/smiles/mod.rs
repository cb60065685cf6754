//! Reading SMILES and reaction SMILES (OpenSMILES grammar) into [`Molecule`]s.
//!
//! Reading happens in steps, each in its own module: the grammar builds the graph as written
//! (`parser`, `bracket`), the valence model adds implicit hydrogens (`chem::valence`), aromatic
//! bonds get Kekulé orders (`chem::kekulize`), over-valent atoms are rejected, and `/` `\` marks
//! become double-bond stereo (`stereo`). Reactions split into species first (`reaction`).

mod bracket;
mod cursor;
mod error;
mod parser;
mod reaction;
mod stereo;

pub use error::{SmilesError, SmilesErrorKind};
pub use reaction::parse_reaction;

use crate::chem::kekulize::kekulize;
use crate::chem::mol::Molecule;
use crate::chem::valence::{assign_implicit_hydrogens, over_valent_atoms};

/// Reads one SMILES string (several components may be joined by `.`, or by `~` as one species).
/// Surrounding whitespace is ignored; error offsets count characters of `s` from 0.
pub fn parse_molecule(s: &str) -> Result<Molecule, SmilesError> {
    let (text, base) = trim(s);
    if text.is_empty() {
        return Err(SmilesError::new(SmilesErrorKind::Empty, 0));
    }
    read_molecule(text, base)
}

/// `s` without surrounding whitespace, and the character offset where it starts.
pub(crate) fn trim(s: &str) -> (&str, usize) {
    let start = s.len() - s.trim_start().len();
    (s.trim(), s[..start].chars().count())
}

/// Reads a SMILES that starts at character offset `base` of the user's string.
pub(crate) fn read_molecule(text: &str, base: usize) -> Result<Molecule, SmilesError> {
    let mut raw = parser::parse(text, base)?;
    assign_implicit_hydrogens(&mut raw.mol);
    let offset_of = |atoms: &[usize]| atoms.first().map_or(base, |&a| raw.atom_offsets[a]);
    if let Err(e) = kekulize(&mut raw.mol) {
        let atoms: Vec<usize> = e.atoms.iter().map(|a| a.index()).collect();
        return Err(
            SmilesError::new(SmilesErrorKind::CannotKekulize, offset_of(&atoms)).with_atoms(atoms),
        );
    }
    let bad: Vec<usize> = over_valent_atoms(&raw.mol)
        .iter()
        .map(|a| a.index())
        .collect();
    if !bad.is_empty() {
        return Err(
            SmilesError::new(SmilesErrorKind::InvalidValence, offset_of(&bad)).with_atoms(bad),
        );
    }
    stereo::assign_double_bond_stereo(&mut raw);
    Ok(raw.mol)
}
