//! The papers' evaluation metrics for Python, as `textchem eval --predictions` computes them.

use std::path::{Path, PathBuf};

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use textchem::eval::predictions::{PredictionRow, Predictions};
use textchem::eval::text_tokens::TextTokenizer;
use textchem::eval::wordnet::WordNet;
use textchem::eval::{EvalOptions, evaluate as score};
use textchem::model::task::Task;

use crate::heavy;

/// One prediction as Python gave it: an output, or the ranked outputs best first.
fn outputs(i: usize, value: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    if value.is_instance_of::<PyString>() {
        return Ok(vec![value.extract()?]);
    }
    let ranked: Vec<String> = value.extract().map_err(|_| {
        PyTypeError::new_err(format!(
            "prediction {i}: expected a str or a list of str (ranked outputs, best first)"
        ))
    })?;
    if ranked.is_empty() {
        return Err(PyValueError::new_err(format!(
            "prediction {i}: an empty list (give at least the best output, \"\" for none)"
        )));
    }
    Ok(ranked)
}

/// Scores the model outputs `predictions` against `references` for `task` (forward, retro,
/// actions, molecule, caption) with the metrics of the MolT5 and Text+Chem T5 papers, exactly
/// as `textchem eval --predictions` scores a file of these rows: returns its JSON report as a
/// dict, `{"task": str, "n": int, "metrics": {name: float, ...}}`, metrics in the CLI's order.
///
/// Each prediction is a `str`, or a list of ranked outputs (best first) for the top-k scores
/// of the reaction tasks. `text_vocab` (a BERT vocab.txt) and `wordnet` (a WordNet 3.0 database
/// folder) are the CLI's `--text-vocab` and `--wordnet`. Raises `ValueError` for an unknown
/// task, lists of different lengths or no rows, and `TypeError` for a prediction of another
/// type. The GIL is released while scoring.
#[pyfunction]
#[pyo3(signature = (task, references, predictions, text_vocab = None, wordnet = None))]
pub fn evaluate<'py>(
    py: Python<'py>,
    task: &str,
    references: Vec<String>,
    predictions: Vec<Bound<'py, PyAny>>,
    text_vocab: Option<PathBuf>,
    wordnet: Option<PathBuf>,
) -> PyResult<Bound<'py, PyDict>> {
    let task: Task = task
        .parse()
        .map_err(|e: anyhow::Error| PyValueError::new_err(format!("{e:#}")))?;
    if references.len() != predictions.len() {
        return Err(PyValueError::new_err(format!(
            "{} references but {} predictions: give one prediction per reference",
            references.len(),
            predictions.len()
        )));
    }
    if references.is_empty() {
        return Err(PyValueError::new_err("no rows to score"));
    }
    let rows = references
        .into_iter()
        .zip(&predictions)
        .enumerate()
        .map(|(i, (reference, p))| {
            Ok(PredictionRow {
                reference,
                outputs: outputs(i, p)?,
            })
        })
        .collect::<PyResult<Vec<PredictionRow>>>()?;
    let report = heavy(py, || {
        let failed = |e: anyhow::Error| PyValueError::new_err(format!("{e:#}"));
        let options = EvalOptions {
            text_tokenizer: text_vocab
                .as_deref()
                .map(TextTokenizer::with_vocab)
                .transpose()
                .map_err(failed)?,
            synonyms: match wordnet.as_deref() {
                Some(dir) => Some(Box::new(WordNet::open(dir).map_err(failed)?)),
                None => None,
            },
        };
        let predictions = Predictions {
            path: Path::new("<python>").to_owned(),
            ranks: rows.iter().map(|r| r.outputs.len()).max().unwrap_or(1),
            rows,
        };
        score(task, &predictions, &options).map_err(failed)
    })?;
    let metrics = PyDict::new(py);
    for (name, value) in &report.metrics.0 {
        metrics.set_item(name, value)?;
    }
    let dict = PyDict::new(py);
    dict.set_item("task", &report.task)?;
    dict.set_item("n", report.n)?;
    dict.set_item("metrics", metrics)?;
    Ok(dict)
}
