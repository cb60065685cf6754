//! Reading SMILES and reaction SMILES (OpenSMILES grammar) into [`Molecule`]s.
//!
//! Reading happens in steps, each in its own module: the grammar builds the graph as written
//! (`parser`, `bracket`); `sanitize` then runs RDKit's sanitization checks in RDKit's order
//! (hypervalent groups charge-separated by `hypervalent`, implicit hydrogens from
//! `chem::valence`, valences, aromatic atoms only in rings, Kekulé orders from `chem::kekulize`);
//! finally `/` `\` marks become double-bond stereo (`stereo`). Reactions split into species
//! first (`reaction`).

mod bracket;
mod cursor;
mod cxsmiles;
mod error;
pub(crate) mod hypervalent;
mod parser;
mod reaction;
mod sanitize;
mod stereo;

pub use cxsmiles::{
    CxMolecule, CxReaction, CxWarning, apply_cx_layer, apply_reaction_cx_layer, parse_cxreaction,
    parse_cxsmiles,
};
pub use error::{SmilesError, SmilesErrorKind};
pub use reaction::{is_reaction, parse_reaction};

use crate::chem::mol::Molecule;

/// Reads one SMILES string (several components may be joined by `.`, or by `~` as one species).
/// Surrounding whitespace is ignored; error offsets count characters of `s` from 0.
pub fn parse_molecule(s: &str) -> Result<Molecule, SmilesError> {
    let (text, base) = trim(s);
    if text.is_empty() {
        return Err(SmilesError::new(SmilesErrorKind::Empty, 0));
    }
    read_molecule(text, base)
}

/// The graph as written, without sanitization's checks (implicit hydrogens assigned, aromatic
/// bonds left as written): to show where a SMILES that the checks reject goes wrong. Only
/// grammar errors are returned.
pub fn parse_graph_as_written(s: &str) -> Result<Molecule, SmilesError> {
    let (text, base) = trim(s);
    if text.is_empty() {
        return Err(SmilesError::new(SmilesErrorKind::Empty, 0));
    }
    let mut raw = parser::parse(text, base)?;
    crate::chem::valence::assign_implicit_hydrogens(&mut raw.mol);
    Ok(raw.mol)
}

/// `s` without surrounding whitespace, and the character offset where it starts.
pub(crate) fn trim(s: &str) -> (&str, usize) {
    let start = s.len() - s.trim_start().len();
    (s.trim(), s[..start].chars().count())
}

/// Reads a SMILES that starts at character offset `base` of the user's string.
pub(crate) fn read_molecule(text: &str, base: usize) -> Result<Molecule, SmilesError> {
    let mut raw = parser::parse(text, base)?;
    sanitize::sanitize(&mut raw, base)?;
    stereo::assign_double_bond_stereo(&mut raw);
    Ok(raw.mol)
}
