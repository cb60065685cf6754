//! SMARTS substructure counts for Python, as `textchem match` computes them.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use rayon::prelude::*;

use textchem::chem::props::table::{line_molecule, split_line};
use textchem::chem::smarts::{MAX_SEARCH_STEPS, PreparedMolecule, Smarts};
use textchem::chem::smiles::{is_reaction, parse_molecule};

use crate::fingerprints::first_error;
use crate::heavy;

/// The number of unique matches of `pattern` in one item, read like a line of the CLI's input
/// (`SMILES [|cx layer|] [id]`, the id ignored), or why there is none.
fn item_matches(pattern: &Smarts, text: &str) -> Result<usize, String> {
    let mol = match split_line(text) {
        // A blank item: the reader's "empty SMILES" error.
        None => parse_molecule(text.trim()).map_err(|e| e.to_string())?,
        Some(line) if is_reaction(line.smiles) => {
            return Err("a reaction SMILES: match takes molecules".to_string());
        }
        Some(line) => line_molecule(text, &line).map_err(|e| e.to_string())?.0,
    };
    pattern
        .matches_limited(&PreparedMolecule::new(&mol), MAX_SEARCH_STEPS)
        .map(|m| m.len())
        .map_err(|e| e.to_string())
}

/// The number of matches of the SMARTS `smarts` in each SMILES, unique by atom set as RDKit's
/// `GetSubstructMatches` counts them and as `textchem match` prints them: one `int` per item,
/// in order. Each item is read like a line of the CLI's input (`SMILES [id]`, the id ignored).
/// An item that cannot be read, a reaction, or a search that would try too many mappings is
/// `None`; with `strict=True` it raises `ValueError` naming the item's position and the reason
/// instead. A SMARTS that does not parse raises `ValueError` with what is wrong and its 0-based
/// column. The GIL is released while matching: on every core, or with `parallel=False` on the
/// calling thread only.
#[pyfunction(name = "match")]
#[pyo3(signature = (smarts, smiles, strict = false, parallel = true))]
pub fn match_(
    py: Python<'_>,
    smarts: &str,
    smiles: Vec<String>,
    strict: bool,
    parallel: bool,
) -> PyResult<Vec<Option<usize>>> {
    let results = heavy(py, || {
        let pattern = Smarts::parse(smarts)
            .map_err(|e| PyValueError::new_err(format!("bad SMARTS {smarts:?}: {e}")))?;
        Ok(if parallel {
            smiles
                .par_iter()
                .map(|s| item_matches(&pattern, s))
                .collect()
        } else {
            smiles
                .iter()
                .map(|s| item_matches(&pattern, s))
                .collect::<Vec<_>>()
        })
    })?;
    if strict {
        first_error(&results)?;
    }
    Ok(results.into_iter().map(Result::ok).collect())
}
