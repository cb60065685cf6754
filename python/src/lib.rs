//! The `textchem._native` extension module: textchem's properties, canonical SMILES, InChI,
//! fingerprints and similarity, SMARTS matching, drawings, evaluation metrics and model runtime
//! for Python. `python/textchem/__init__.py` re-exports it as `textchem`.
//!
//! Every call that does real work releases the GIL, so Python threads run it in parallel, and
//! catches panics, so a bug surfaces as `RuntimeError` instead of taking the interpreter down.

mod evaluate;
mod fingerprints;
mod substructure;

use std::any::Any;
use std::ffi::CString;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Mutex, PoisonError};

use pyo3::exceptions::{PyRuntimeError, PyUserWarning, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};
use rayon::prelude::*;

use textchem::chem::canon::{
    canonical_cxsmiles, canonical_reaction_cxsmiles, canonical_reaction_smiles, canonical_smiles,
};
use textchem::chem::inchi::inchi as inchi_of;
use textchem::chem::props::table::{header, line_row, props_row};
use textchem::chem::smiles::{
    is_reaction, parse_cxreaction, parse_cxsmiles, parse_molecule, parse_reaction,
};
use textchem::depict::{self, Style, molecule_scene, reaction_scene};
use textchem::model::hub::HubSettings;
use textchem::model::source::ModelSource;
use textchem::model::task::Task;
use textchem::runtime::best::{ANSWER_COLUMNS, answer_fields};
use textchem::runtime::{Device, Engine, GenerateOptions, RankedOutput};

/// Runs `work` without the GIL, turning a panic into `RuntimeError`.
fn heavy<T: Send>(py: Python<'_>, work: impl FnOnce() -> PyResult<T> + Send) -> PyResult<T> {
    py.allow_threads(|| {
        catch_unwind(AssertUnwindSafe(work)).unwrap_or_else(|payload| {
            Err(PyRuntimeError::new_err(format!(
                "textchem failed internally: {}",
                panic_text(&*payload)
            )))
        })
    })
}

fn panic_text(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}

/// What a props column holds in Python: the CSV text read as a number where it is one.
enum Kind {
    Float,
    Int,
    Text,
}

fn column_kind(name: &str) -> Kind {
    match name {
        "average_mass" | "monoisotopic_mass" | "logp" | "tpsa" => Kind::Float,
        "heavy_atoms" | "hbd" | "hba" | "rotatable_bonds" | "rings" | "formal_charge" => Kind::Int,
        _ => Kind::Text,
    }
}

fn field_value<'py>(py: Python<'py>, kind: &Kind, text: &str) -> PyResult<Bound<'py, PyAny>> {
    if text.is_empty() {
        return Ok(py.None().into_bound(py));
    }
    Ok(match kind {
        Kind::Float => match text.parse::<f64>() {
            Ok(v) => v.into_pyobject(py)?.into_any(),
            Err(_) => PyString::new(py, text).into_any(),
        },
        Kind::Int => match text.parse::<i64>() {
            Ok(v) => v.into_pyobject(py)?.into_any(),
            Err(_) => PyString::new(py, text).into_any(),
        },
        Kind::Text => PyString::new(py, text).into_any(),
    })
}

/// Molecular properties of each SMILES, as `textchem props` computes them: one dict per item, in
/// order, with the CLI's columns (`id`, `input`, `canonical_smiles`, `formula`, `average_mass`,
/// `monoisotopic_mass`, `heavy_atoms`, `hydrogens`, `error`; with `all=True` also `logp`, `tpsa`,
/// `hbd`, `hba`, `rotatable_bonds`, `rings`, `formal_charge`).
///
/// Each item is read like a line of the CLI's input, `SMILES [|cx layer|] [id]`; `id` defaults
/// to the 1-based position. Numbers are the CSV's rounded values as `float`/`int`, empty fields
/// are `None`. An item that cannot be read is not an exception: its row has the reason (what
/// and at which column) in `error`, as in the CSV. The GIL is released while rows are computed:
/// on every core, or with `parallel=False` on the calling thread only (for callers that run
/// their own threads or processes).
#[pyfunction]
#[pyo3(signature = (smiles, all = false, parallel = true))]
fn props(
    py: Python<'_>,
    smiles: Vec<String>,
    all: bool,
    parallel: bool,
) -> PyResult<Vec<Bound<'_, PyDict>>> {
    let row = |(i, text): (usize, &String)| {
        let id = (i + 1).to_string();
        // A blank item still gets its row: the reader's "empty SMILES" error.
        line_row(&id, text, all).unwrap_or_else(|| props_row(&id, text.trim(), all))
    };
    let rows: Vec<Vec<String>> = heavy(py, || {
        Ok(if parallel {
            smiles.par_iter().enumerate().map(row).collect()
        } else {
            smiles.iter().enumerate().map(row).collect()
        })
    })?;
    // The dicts are built holding the GIL: one interned key string per column keeps that short.
    let columns: Vec<(Bound<'_, PyString>, Kind)> = header(all)
        .into_iter()
        .map(|c| (PyString::intern(py, c), column_kind(c)))
        .collect();
    rows.iter()
        .map(|row| {
            let dict = PyDict::new(py);
            for ((name, kind), text) in columns.iter().zip(row) {
                dict.set_item(name, field_value(py, kind, text)?)?;
            }
            Ok(dict)
        })
        .collect()
}

/// The canonical SMILES of a molecule, or the canonical reaction SMILES of `reactants>agents>
/// products`. A CXSMILES layer after the SMILES (`C[C@H](O)CC |&1:1|`) is read and what it
/// holds is written back in canonical order; what textchem does not keep of it is reported as a
/// `UserWarning`. Raises `ValueError` with the reader's message (what is wrong and at which
/// column) when the SMILES cannot be read.
#[pyfunction]
fn canonical(py: Python<'_>, smiles: &str) -> PyResult<String> {
    let (canonical, warnings) = heavy(py, || {
        let read = match (is_reaction(smiles), smiles.contains('|')) {
            (true, false) => {
                parse_reaction(smiles).map(|r| (canonical_reaction_smiles(&r), vec![]))
            }
            (false, false) => parse_molecule(smiles).map(|m| (canonical_smiles(&m), vec![])),
            (true, true) => parse_cxreaction(smiles)
                .map(|r| (canonical_reaction_cxsmiles(&r.reaction), r.warnings)),
            (false, true) => {
                parse_cxsmiles(smiles).map(|m| (canonical_cxsmiles(&m.molecule), m.warnings))
            }
        };
        read.map_err(|e| PyValueError::new_err(e.to_string()))
    })?;
    for w in warnings {
        let text = CString::new(w.to_string()).unwrap_or_default();
        PyErr::warn(py, &py.get_type::<PyUserWarning>(), &text, 1)?;
    }
    Ok(canonical)
}

/// The standard InChI and InChIKey of a molecule SMILES, as a tuple `(inchi, inchikey)`,
/// computed by the IUPAC InChI library as RDKit's `MolToInchi` calls it (the `inchi` and
/// `inchikey` columns of `props(..., all=True)`). Raises `ValueError` for a SMILES that cannot
/// be read (what and at which column), a reaction, or a molecule InChI cannot describe (e.g. a
/// `*` atom), naming why.
#[pyfunction]
fn inchi(py: Python<'_>, smiles: &str) -> PyResult<(String, String)> {
    heavy(py, || {
        if is_reaction(smiles) {
            return Err(PyValueError::new_err(
                "a reaction SMILES has no InChI: give one molecule",
            ));
        }
        let mol = parse_molecule(smiles).map_err(|e| PyValueError::new_err(e.to_string()))?;
        let out = inchi_of(&mol).map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok((out.inchi, out.key))
    })
}

/// The two drawings `draw` makes.
enum Drawing {
    Svg(String),
    Png(Vec<u8>),
}

/// A 2D drawing of a molecule or reaction SMILES, as `textchem draw` makes it: an SVG document
/// (`str`) or PNG image (`bytes`) of `width` x `height` pixels (16 to 10000). Raises
/// `ValueError` for an unreadable SMILES, an unknown format or a size out of range.
#[pyfunction]
#[pyo3(signature = (smiles_or_reaction, format = "svg", width = 500.0, height = 350.0))]
fn draw(
    py: Python<'_>,
    smiles_or_reaction: &str,
    format: &str,
    width: f64,
    height: f64,
) -> PyResult<Py<PyAny>> {
    if !((16.0..=10_000.0).contains(&width) && (16.0..=10_000.0).contains(&height)) {
        return Err(PyValueError::new_err(
            "width and height must be between 16 and 10000 pixels",
        ));
    }
    let png = match format.to_ascii_lowercase().as_str() {
        "svg" => false,
        "png" => true,
        other => {
            return Err(PyValueError::new_err(format!(
                "unknown format {other:?}: use \"svg\" or \"png\""
            )));
        }
    };
    let text = smiles_or_reaction;
    let drawing = heavy(py, || {
        let style = Style::default();
        let scene = if is_reaction(text) {
            parse_reaction(text).map(|rxn| reaction_scene(&rxn, &style))
        } else {
            parse_molecule(text).map(|mol| molecule_scene(&mol, &style))
        };
        let mut scene = scene.map_err(|e| PyValueError::new_err(e.to_string()))?;
        scene.fit(width, height, 10.0);
        Ok(if png {
            Drawing::Png(
                depict::png::to_png(&scene)
                    .map_err(|e| PyRuntimeError::new_err(format!("{e:#}")))?,
            )
        } else {
            Drawing::Svg(depict::svg::to_svg(&scene))
        })
    })?;
    Ok(match drawing {
        Drawing::Svg(svg) => PyString::new(py, &svg).into_any().unbind(),
        Drawing::Png(png) => PyBytes::new(py, &png).into_any().unbind(),
    })
}

/// A loaded Text+Chem T5 checkpoint: `model` is a checkpoint folder (config.json, spiece.model,
/// weights), a catalogue name (small-standard, small-augm, base-standard, base-augm) or a
/// Hugging Face hub id[@revision], as `textchem run --model` takes it. `device` is "auto" (a
/// hardware GPU when one opens, else the CPU), "cpu" or "gpu".
///
/// One Model may be shared by several Python threads: calls take turns on the network (each
/// one already uses every core) and give the same answers as when made alone.
#[pyclass(frozen, module = "textchem")]
struct Model {
    engine: Mutex<Engine>,
    name: String,
    device: String,
}

#[pymethods]
impl Model {
    #[new]
    #[pyo3(signature = (model, device = "auto"))]
    fn new(py: Python<'_>, model: &str, device: &str) -> PyResult<Self> {
        let device: Device = device
            .parse()
            .map_err(|e: anyhow::Error| PyValueError::new_err(format!("{e:#}")))?;
        let engine = heavy(py, || {
            let source =
                ModelSource::parse(model).map_err(|e| PyValueError::new_err(format!("{e:#}")))?;
            let mut hub =
                HubSettings::from_env().map_err(|e| PyRuntimeError::new_err(format!("{e:#}")))?;
            hub.progress = false;
            Engine::load_source_with(&source, &hub, device, None, &mut |_| {})
                .map_err(|e| PyValueError::new_err(format!("cannot load {model}: {e:#}")))
        })?;
        for notice in engine.take_notices() {
            eprintln!("textchem notice: {notice}");
        }
        Ok(Model {
            name: engine.model_name().to_owned(),
            device: engine.device(),
            engine: Mutex::new(engine),
        })
    }

    /// Runs `task` (forward, retro, actions, molecule, caption) on each of `inputs` and returns,
    /// per input, its ranked answers: dicts with `rank`, `text`, `score`, `valid`,
    /// `canonical_smiles` and `error`, exactly the `results` of `textchem run --format json`
    /// (`valid`, `canonical_smiles` are None for text tasks). `beams=1` is greedy decoding;
    /// `max_length` counts the decoder start token. Raises `ValueError` for an unknown task,
    /// bad decoding settings, or an input the model refuses (empty, too long), naming it.
    #[pyo3(signature = (task, inputs, beams = 10, max_length = 512))]
    fn run<'py>(
        &self,
        py: Python<'py>,
        task: &str,
        inputs: Vec<String>,
        beams: usize,
        max_length: usize,
    ) -> PyResult<Vec<Vec<Bound<'py, PyDict>>>> {
        let (task, options) = decoding(task, beams, max_length)?;
        if let Some(i) = inputs.iter().position(|s| s.trim().is_empty()) {
            return Err(PyValueError::new_err(format!("input {i} is empty")));
        }
        let results = heavy(py, || {
            let engine = self.engine.lock().unwrap_or_else(PoisonError::into_inner);
            let mut answers = Vec::with_capacity(inputs.len());
            for (i, input) in inputs.iter().enumerate() {
                let answer = engine
                    .run(task, input, &options, &mut |_| {
                        std::ops::ControlFlow::Continue(())
                    })
                    .map_err(|e| PyValueError::new_err(format!("input {i}: {e:#}")))?;
                answers.push(answer.results);
            }
            for notice in engine.take_notices() {
                eprintln!("textchem notice: {notice}");
            }
            Ok(answers)
        })?;
        results
            .iter()
            .map(|ranked| ranked.iter().map(|r| result_dict(py, r)).collect())
            .collect()
    }

    /// Per input, its best answer as `textchem batch` writes it in its row: a dict of `str`
    /// with `output`, `valid` ("true", "false" or "" for text tasks), `canonical_smiles`,
    /// `score` and `error`. An input the model refuses (empty, too long) gets its reason in
    /// `error` instead of an exception, so a table keeps one row per input; use it where rows
    /// must equal the CLI's (pandas, Ray Data). Raises `ValueError` for an unknown task or bad
    /// decoding settings.
    #[pyo3(signature = (task, inputs, beams = 10, max_length = 512))]
    fn best<'py>(
        &self,
        py: Python<'py>,
        task: &str,
        inputs: Vec<String>,
        beams: usize,
        max_length: usize,
    ) -> PyResult<Vec<Bound<'py, PyDict>>> {
        let (task, options) = decoding(task, beams, max_length)?;
        let rows = heavy(py, || {
            let engine = self.engine.lock().unwrap_or_else(PoisonError::into_inner);
            let rows: Vec<[String; 5]> = inputs
                .iter()
                .map(|input| {
                    let answer = engine.run(task, input, &options, &mut |_| {
                        std::ops::ControlFlow::Continue(())
                    });
                    answer_fields(&answer)
                })
                .collect();
            for notice in engine.take_notices() {
                eprintln!("textchem notice: {notice}");
            }
            Ok(rows)
        })?;
        rows.iter()
            .map(|fields| {
                let dict = PyDict::new(py);
                for (name, value) in ANSWER_COLUMNS.iter().zip(fields) {
                    dict.set_item(name, value)?;
                }
                Ok(dict)
            })
            .collect()
    }

    /// The model's name (the folder, catalogue entry or hub id it was loaded from).
    #[getter]
    fn name(&self) -> &str {
        &self.name
    }

    /// Where the model runs, in words: "CPU" or "GPU: <adapter>".
    #[getter]
    fn device(&self) -> &str {
        &self.device
    }

    fn __repr__(&self) -> String {
        format!("textchem.Model({:?}, device {:?})", self.name, self.device)
    }
}

/// The task and decoding settings of a `run` or `best` call, checked.
fn decoding(task: &str, beams: usize, max_length: usize) -> PyResult<(Task, GenerateOptions)> {
    let task: Task = task
        .parse()
        .map_err(|e: anyhow::Error| PyValueError::new_err(format!("{e:#}")))?;
    if beams == 0 {
        return Err(PyValueError::new_err(
            "beams must be at least 1 (1 is greedy decoding)",
        ));
    }
    if max_length < 2 {
        return Err(PyValueError::new_err(
            "max_length must be at least 2 (it counts the decoder start token)",
        ));
    }
    Ok((task, GenerateOptions { beams, max_length }))
}

/// One ranked answer as the dict `textchem run --format json` prints. The score is the f32's
/// shortest decimal form read as a float, so it equals the JSON's number.
fn result_dict<'py>(py: Python<'py>, r: &RankedOutput) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item("rank", r.rank)?;
    dict.set_item("text", &r.text)?;
    let score: f64 = r.score.to_string().parse().unwrap_or(f64::from(r.score));
    dict.set_item("score", score)?;
    dict.set_item("valid", r.valid)?;
    dict.set_item("canonical_smiles", &r.canonical_smiles)?;
    dict.set_item("error", &r.error)?;
    Ok(dict)
}

#[pymodule]
#[pyo3(name = "_native")]
fn textchem_native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(props, m)?)?;
    m.add_function(wrap_pyfunction!(canonical, m)?)?;
    m.add_function(wrap_pyfunction!(draw, m)?)?;
    m.add_function(wrap_pyfunction!(inchi, m)?)?;
    m.add_function(wrap_pyfunction!(fingerprints::fingerprint, m)?)?;
    m.add_function(wrap_pyfunction!(fingerprints::tanimoto, m)?)?;
    m.add_function(wrap_pyfunction!(fingerprints::similar, m)?)?;
    m.add_function(wrap_pyfunction!(substructure::match_, m)?)?;
    m.add_function(wrap_pyfunction!(evaluate::evaluate, m)?)?;
    m.add_class::<Model>()?;
    m.add("PROPS_COLUMNS", header(true))?;
    Ok(())
}
