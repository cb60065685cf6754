//! The `textchem props` table: its columns and the row for one input line, shared by the CLI's
//! CSV and the Python package's dicts.
//!
//! A line is `SMILES [|cx layer|] [id]`, split at spaces and tabs (a Unicode space belongs to
//! the SMILES and is reported with its column). A CXSMILES layer is not read yet: its row
//! carries an error naming it rather than dropping it silently. Reaction SMILES (containing
//! `>`) get their canonical reaction SMILES and empty per-molecule columns. Records of an SD
//! file get rows too ([`record_row`]).

use crate::chem::Molecule;
use crate::chem::canon::{canonical_reaction_smiles, canonical_smiles};
use crate::chem::inchi::inchi;
use crate::chem::molfile::SdRecord;
use crate::chem::props::{Properties, counts, formula, masses};
use crate::chem::smiles::{
    CxWarning, SmilesError, apply_cx_layer, apply_reaction_cx_layer, is_reaction, parse_molecule,
    parse_reaction,
};

/// The columns of every row, in order.
pub const COLUMNS: [&str; 9] = [
    "id",
    "input",
    "canonical_smiles",
    "formula",
    "average_mass",
    "monoisotopic_mass",
    "heavy_atoms",
    "hydrogens",
    "error",
];

/// The descriptor columns `--all` adds after `COLUMNS`.
pub const EXTRA_COLUMNS: [&str; 9] = [
    "logp",
    "tpsa",
    "hbd",
    "hba",
    "rotatable_bonds",
    "rings",
    "formal_charge",
    "inchi",
    "inchikey",
];

/// Where a row's error text goes.
pub const ERROR: usize = 8;

/// The header: `COLUMNS`, then `EXTRA_COLUMNS` when `all`.
pub fn header(all: bool) -> Vec<&'static str> {
    let mut header = COLUMNS.to_vec();
    if all {
        header.extend(EXTRA_COLUMNS);
    }
    header
}

/// One input line: `SMILES [|cx layer|] [id]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PropsLine<'a> {
    pub smiles: &'a str,
    /// A CXSMILES layer `|...|` written after the SMILES, bars included.
    pub cx_layer: Option<&'a str>,
    /// The rest of the line, trimmed.
    pub id: Option<&'a str>,
}

/// Splits a line at ASCII spaces and tabs only, so that a Unicode space inside a SMILES
/// (`O=C<NBSP>=O`) stays in it and the reader reports its column; `None` for blank lines.
pub fn split_line(line: &str) -> Option<PropsLine<'_>> {
    let is_gap = |c: char| c == ' ' || c == '\t';
    let line = line.trim_matches(|c: char| is_gap(c) || c.is_ascii_whitespace());
    if line.is_empty() {
        return None;
    }
    let Some((smiles, rest)) = line.split_once(is_gap) else {
        return Some(PropsLine {
            smiles: line,
            cx_layer: None,
            id: None,
        });
    };
    let rest = rest.trim_start_matches(is_gap);
    // A CXSMILES layer runs from `|` to the next `|`.
    let (cx_layer, rest) = match rest.strip_prefix('|').and_then(|r| r.find('|')) {
        Some(end) => (Some(&rest[..end + 2]), &rest[end + 2..]),
        None => (None, rest),
    };
    let id = Some(rest.trim_matches(is_gap)).filter(|s| !s.is_empty());
    Some(PropsLine {
        smiles,
        cx_layer,
        id,
    })
}

/// The row for one line's text, its id defaulting to `default_id`; `None` for a blank line.
pub fn line_row(default_id: &str, text: &str, all: bool) -> Option<Vec<String>> {
    let line = split_line(text)?;
    let id = line.id.unwrap_or(default_id);
    Some(match line.cx_layer {
        Some(layer) => cx_props_row(id, text, &line, layer, all),
        None => props_row(id, line.smiles, all),
    })
}

/// Where `layer`, a slice of the line `text`, starts: in characters, as error columns count.
pub fn layer_column(text: &str, layer: &str) -> usize {
    text[..layer.as_ptr() as usize - text.as_ptr() as usize]
        .chars()
        .count()
}

/// Reads a line's molecule: its SMILES and, when the line has one, its CXSMILES layer. The
/// warnings say what the layer holds that the molecule does not keep.
pub fn line_molecule(
    text: &str,
    line: &PropsLine<'_>,
) -> Result<(Molecule, Vec<CxWarning>), SmilesError> {
    let mut mol = parse_molecule(line.smiles)?;
    let warnings = match line.cx_layer {
        Some(layer) => apply_cx_layer(&mut mol, layer, layer_column(text, layer))?,
        None => Vec::new(),
    };
    Ok((mol, warnings))
}

/// The warnings as the `error` column gives them.
pub fn warning_text(warnings: &[CxWarning]) -> String {
    warnings
        .iter()
        .map(|w| format!("warning: {w}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The CSV fields for a line of `text` whose SMILES carries the CXSMILES `layer`. What the
/// layer says that textchem does not keep goes into `error` as warnings, with the values
/// computed for the molecule as read.
fn cx_props_row(id: &str, text: &str, line: &PropsLine<'_>, layer: &str, all: bool) -> Vec<String> {
    let smiles = line.smiles;
    if is_reaction(smiles) {
        // Reactions get only a canonical form, as without a layer.
        let mut row = empty_row(id, all);
        row[1] = format!("{smiles} {layer}");
        let read = parse_reaction(smiles).and_then(|mut r| {
            let warnings = apply_reaction_cx_layer(&mut r, layer, layer_column(text, layer))?;
            Ok((r, warnings))
        });
        row[ERROR] = match read {
            Ok((reaction, warnings)) => {
                row[2] = canonical_reaction_smiles(&reaction);
                warning_text(&warnings)
            }
            Err(e) => e.to_string(),
        };
        return row;
    }
    let mut row = empty_row(id, all);
    row[1] = format!("{smiles} {layer}");
    row[ERROR] = match line_molecule(text, line) {
        Ok((mol, warnings)) => match fill_molecule(&mut row, mol, all) {
            Some(error) => error,
            None => warning_text(&warnings),
        },
        Err(e) => e.to_string(),
    };
    row
}

/// A row with only an id, every other field empty.
pub fn empty_row(id: &str, all: bool) -> Vec<String> {
    let width = COLUMNS.len() + if all { EXTRA_COLUMNS.len() } else { 0 };
    let mut row = vec![String::new(); width];
    row[0] = id.to_string();
    row
}

/// A row with only an id and an error, for a line that could not be read.
pub fn error_row(id: &str, error: &str, all: bool) -> Vec<String> {
    let mut row = empty_row(id, all);
    row[ERROR] = error.to_string();
    row
}

/// The row of one SD record: its id is the value of data field `id_field` when the record has
/// it on one non-empty line, else the title, else the record number; `input` says where the
/// record starts. A record that does not read gets its error with the line it is on.
pub fn record_row(record: &SdRecord, id_field: Option<&str>, all: bool) -> Vec<String> {
    let field = id_field
        .and_then(|name| record.field(name))
        .map(str::trim)
        .filter(|v| !v.is_empty() && !v.contains('\n'));
    let number = record.number.to_string();
    let id = field
        .or(Some(record.title.as_str()).filter(|t| !t.is_empty()))
        .unwrap_or(&number);
    let mut row = empty_row(id, all);
    row[1] = format!("record {} (line {})", record.number, record.line);
    let error = match &record.molecule {
        Ok(mol) => fill_molecule(&mut row, mol.clone(), all),
        Err(e) => Some(format!("record {}: {e}", record.number)),
    };
    row[ERROR] = error.unwrap_or_default();
    row
}

/// The CSV fields for one input SMILES, in header order.
pub fn props_row(id: &str, smiles: &str, all: bool) -> Vec<String> {
    let mut row = empty_row(id, all);
    row[1] = smiles.to_string();
    let error = if is_reaction(smiles) {
        match parse_reaction(smiles) {
            Ok(reaction) => {
                row[2] = canonical_reaction_smiles(&reaction);
                None
            }
            Err(e) => Some(e.to_string()),
        }
    } else {
        match parse_molecule(smiles) {
            Ok(mol) => fill_molecule(&mut row, mol, all),
            Err(e) => Some(e.to_string()),
        }
    };
    row[ERROR] = error.unwrap_or_default();
    row
}

/// Fills the per-molecule columns; returns the error text when a value cannot be computed.
fn fill_molecule(row: &mut [String], mol: Molecule, all: bool) -> Option<String> {
    row[2] = canonical_smiles(&mol);
    row[3] = formula::molecular_formula(&mol);
    row[6] = counts::heavy_atom_count(&mol).to_string();
    let hydrogens: Vec<String> = counts::hydrogen_counts(&mol)
        .iter()
        .map(|(_, h)| h.to_string())
        .collect();
    row[7] = hydrogens.join(" ");
    // Masses need no perception; the descriptors of `--all` do (Properties::of perceives a copy).
    let masses = masses::average_mass(&mol).and_then(|a| Ok((a, masses::monoisotopic_mass(&mol)?)));
    let (average, monoisotopic) = match masses {
        Ok(m) => m,
        Err(e) => return Some(e.to_string()),
    };
    row[4] = format!("{average:.4}");
    row[5] = format!("{monoisotopic:.6}");
    if all {
        let props = match Properties::of(&mol) {
            Ok(p) => p,
            Err(e) => return Some(e.to_string()),
        };
        let extra = [
            format!("{:.4}", props.logp),
            format!("{:.2}", props.tpsa),
            props.lipinski_hbd.to_string(),
            props.lipinski_hba.to_string(),
            props.rotatable_bonds.to_string(),
            props.rings.to_string(),
            props.formal_charge.to_string(),
        ];
        for (slot, value) in row[COLUMNS.len()..].iter_mut().zip(extra) {
            *slot = value;
        }
        // The InChI library runs one molecule at a time (it is not re-entrant); the rest of the
        // row is computed in parallel around it.
        match inchi(&mol) {
            Ok(id) => {
                let at = COLUMNS.len() + EXTRA_COLUMNS.len() - 2;
                row[at] = id.inchi;
                row[at + 1] = id.key;
            }
            Err(e) => return Some(e.to_string()),
        }
    }
    None
}
