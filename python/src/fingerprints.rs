//! Fingerprints, Tanimoto similarity and similarity ranking for Python, as `textchem
//! fingerprint` and `textchem similar` compute them.

use std::collections::{BTreeMap, BTreeSet};

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use rayon::prelude::*;

use textchem::chem::fingerprint::Fingerprint;
use textchem::chem::props::table::{line_molecule, split_line};
use textchem::chem::smiles::is_reaction;
use textchem::cli::fingerprint::{FingerprintChoice, FingerprintKind, molecule};

use crate::heavy;

/// The fingerprint options of a call, checked, with messages in Python's terms.
pub fn choice(kind: &str, radius: u32, bits: u32, counts: bool) -> PyResult<FingerprintChoice> {
    let kind = match kind.to_ascii_lowercase().as_str() {
        "morgan" => FingerprintKind::Morgan,
        "rdkit" => FingerprintKind::Rdkit,
        "maccs" => FingerprintKind::Maccs,
        other => {
            return Err(PyValueError::new_err(format!(
                "unknown fingerprint kind {other:?}: use \"morgan\", \"rdkit\" or \"maccs\""
            )));
        }
    };
    if bits == 0 {
        return Err(PyValueError::new_err("bits must be at least 1"));
    }
    if counts && kind != FingerprintKind::Morgan {
        return Err(PyValueError::new_err(
            "counts=True is only offered for kind=\"morgan\"",
        ));
    }
    if kind == FingerprintKind::Maccs && bits != 2048 {
        return Err(PyValueError::new_err(
            "bits does not apply to kind=\"maccs\" (166 fixed keys)",
        ));
    }
    Ok(FingerprintChoice {
        kind,
        radius,
        bits,
        counts,
    })
}

/// The fingerprint of one item, read like a line of the CLI's input (`SMILES [|cx layer|] [id]`,
/// the id ignored), or why it has none.
fn item_fingerprint(text: &str, choice: &FingerprintChoice) -> Result<Fingerprint, String> {
    match split_line(text) {
        // A blank item: the reader's "empty SMILES" error.
        None => molecule(text.trim()).and_then(|mol| choice.compute(&mol)),
        // The layer's warnings (what it holds that the molecule does not keep) do not change
        // the fingerprint.
        Some(line) if !is_reaction(line.smiles) => line_molecule(text, &line)
            .map_err(|e| e.to_string())
            .and_then(|(mol, _warnings)| choice.compute(&mol)),
        Some(line) => molecule(line.smiles).and_then(|mol| choice.compute(&mol)),
    }
}

/// Fingerprints of every item, on every core or on the calling thread only.
fn fingerprints_of(
    smiles: &[String],
    choice: &FingerprintChoice,
    parallel: bool,
) -> Vec<Result<Fingerprint, String>> {
    if parallel {
        smiles
            .par_iter()
            .map(|s| item_fingerprint(s, choice))
            .collect()
    } else {
        smiles.iter().map(|s| item_fingerprint(s, choice)).collect()
    }
}

/// `ValueError` naming the first item that has no result, for `strict=True`.
pub fn first_error<T>(results: &[Result<T, String>]) -> PyResult<()> {
    match results
        .iter()
        .enumerate()
        .find_map(|(i, r)| r.as_ref().err().map(|e| (i, e)))
    {
        Some((i, e)) => Err(PyValueError::new_err(format!("item {i}: {e}"))),
        None => Ok(()),
    }
}

fn fingerprint_object<'py>(py: Python<'py>, fp: &Fingerprint) -> PyResult<Bound<'py, PyAny>> {
    Ok(match fp {
        Fingerprint::Bits(bits) => {
            PyList::new(py, bits.on_bits().collect::<Vec<u32>>())?.into_any()
        }
        Fingerprint::Counts(counts) => {
            let dict = PyDict::new(py);
            for (id, n) in counts.entries() {
                dict.set_item(id, n)?;
            }
            dict.into_any()
        }
    })
}

/// A fingerprint of each SMILES, as `textchem fingerprint` computes it (bit-identical to RDKit
/// 2026.09's): `kind="morgan"` (Morgan/ECFP of `radius`, folded to `bits`; with `counts=True`
/// the unfolded environment counts), `"rdkit"` (RDKit's path fingerprint of `bits` bits) or
/// `"maccs"` (the 166 MACCS keys; `bits` does not apply).
///
/// Returns one value per item, in order: the ascending on-bit indices as a `list[int]` (MACCS
/// key numbers 1..166), or with `counts=True` a `dict[int, int]` of environment id to count.
/// Each item is read like a line of the CLI's input (`SMILES [|cx layer|] [id]`, the id
/// ignored). An item that cannot be read (or a reaction) is `None`; with `strict=True` it
/// raises `ValueError` naming the item's position and the reason instead. Bad options raise
/// `ValueError`. The GIL is released while fingerprints are computed: on every core, or with
/// `parallel=False` on the calling thread only.
#[pyfunction]
#[pyo3(signature = (smiles, kind = "morgan", radius = 2, bits = 2048, counts = false, strict = false, parallel = true))]
#[allow(clippy::too_many_arguments)]
pub fn fingerprint(
    py: Python<'_>,
    smiles: Vec<String>,
    kind: &str,
    radius: u32,
    bits: u32,
    counts: bool,
    strict: bool,
    parallel: bool,
) -> PyResult<Vec<Py<PyAny>>> {
    let choice = choice(kind, radius, bits, counts)?;
    let results = heavy(py, || Ok(fingerprints_of(&smiles, &choice, parallel)))?;
    if strict {
        first_error(&results)?;
    }
    results
        .iter()
        .map(|r| match r {
            Ok(fp) => Ok(fingerprint_object(py, fp)?.unbind()),
            Err(_) => Ok(py.None()),
        })
        .collect()
}

/// One side of `tanimoto`: on bits or counts as Python gave them.
enum Operand {
    Bits(Vec<u32>),
    Counts(BTreeMap<u32, u64>),
}

fn operand(value: &Bound<'_, PyAny>, name: &str) -> PyResult<Operand> {
    if let Ok(dict) = value.downcast::<PyDict>() {
        let mut counts = BTreeMap::new();
        for (k, v) in dict.iter() {
            let id: u32 = k.extract().map_err(|_| {
                PyValueError::new_err(format!("{name}: count ids must be integers 0..2**32"))
            })?;
            let n: u64 = v.extract().map_err(|_| {
                PyValueError::new_err(format!("{name}: counts must be integers 0 or more"))
            })?;
            counts.insert(id, n);
        }
        return Ok(Operand::Counts(counts));
    }
    if value.is_instance_of::<pyo3::types::PyString>() {
        return Err(PyTypeError::new_err(format!(
            "{name}: expected a list of on bits or a dict of counts, not a str"
        )));
    }
    let bits: Vec<u32> = value.extract().map_err(|_| {
        PyTypeError::new_err(format!(
            "{name}: expected a list of on-bit indices (integers 0..2**32) or a dict of counts"
        ))
    })?;
    Ok(Operand::Bits(bits))
}

/// Σ min / Σ max over the ids of two count maps; 0 for two empty ones (RDKit's convention).
fn count_tanimoto(a: &BTreeMap<u32, u64>, b: &BTreeMap<u32, u64>) -> f64 {
    let mut common = 0u128;
    let mut union = 0u128;
    for (id, &x) in a {
        let y = b.get(id).copied().unwrap_or(0);
        common += u128::from(x.min(y));
        union += u128::from(x.max(y));
    }
    union += b
        .iter()
        .filter(|(id, _)| !a.contains_key(id))
        .map(|(_, &y)| u128::from(y))
        .sum::<u128>();
    if union == 0 {
        0.0
    } else {
        common as f64 / union as f64
    }
}

/// The Tanimoto similarity of two fingerprints as `fingerprint` returns them: two lists of on
/// bits (|A ∩ B| / |A ∪ B|) or two count dicts (Σ min / Σ max over ids, as RDKit computes it on
/// count vectors). Two empty fingerprints have similarity 0, as in RDKit. Raises `TypeError`
/// for a list with a dict, or for anything else.
#[pyfunction]
pub fn tanimoto(a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>) -> PyResult<f64> {
    match (operand(a, "a")?, operand(b, "b")?) {
        (Operand::Bits(a), Operand::Bits(b)) => Ok(set_tanimoto(&a, &b)),
        (Operand::Counts(a), Operand::Counts(b)) => Ok(count_tanimoto(&a, &b)),
        _ => Err(PyTypeError::new_err(
            "tanimoto compares two lists of on bits or two dicts of counts, not one of each",
        )),
    }
}

/// |A ∩ B| / |A ∪ B| on sets of bit indices (repeats count once); 0 for two empty sets.
fn set_tanimoto(a: &[u32], b: &[u32]) -> f64 {
    let a: BTreeSet<u32> = a.iter().copied().collect();
    let b: BTreeSet<u32> = b.iter().copied().collect();
    let common = a.intersection(&b).count();
    let union = a.len() + b.len() - common;
    if union == 0 {
        0.0
    } else {
        common as f64 / union as f64
    }
}

/// Ranks `smiles` by Tanimoto similarity to `query`, as `textchem similar` does: a list of
/// `(index, similarity)` pairs, most similar first, ties in input order, `index` being the
/// item's 0-based position in `smiles`. Items that cannot be read are left out of the ranking
/// (with `strict=True` the first raises `ValueError` instead). `top` keeps only the best
/// `top`. The fingerprint options are `fingerprint`'s. Raises `ValueError` for an unreadable
/// query or bad options. Runs on every core with the GIL released.
#[pyfunction]
#[pyo3(signature = (query, smiles, kind = "morgan", radius = 2, bits = 2048, counts = false, top = None, strict = false))]
#[allow(clippy::too_many_arguments)]
pub fn similar(
    py: Python<'_>,
    query: &str,
    smiles: Vec<String>,
    kind: &str,
    radius: u32,
    bits: u32,
    counts: bool,
    top: Option<usize>,
    strict: bool,
) -> PyResult<Vec<(usize, f64)>> {
    let choice = choice(kind, radius, bits, counts)?;
    heavy(py, || {
        let query_fp = molecule(query)
            .and_then(|mol| choice.compute(&mol))
            .map_err(|e| PyValueError::new_err(format!("the query SMILES: {e}")))?;
        let results = fingerprints_of(&smiles, &choice, true);
        if strict {
            first_error(&results)?;
        }
        let mut ranked: Vec<(usize, f64)> = results
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.as_ref().ok().map(|fp| (i, fp)))
            // Both come from the same choice, so the shapes always match.
            .map(|(i, fp)| (i, query_fp.tanimoto(fp).unwrap_or(0.0)))
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        if let Some(k) = top {
            ranked.truncate(k);
        }
        Ok(ranked)
    })
}
