//! Evaluation: the metrics of the MolT5 and Text+Chem T5 papers, computed natively on a
//! predictions file (reference and output per row) for each task.
//!
//! Each metric has its own module, written from its published definition and checked against
//! the Python packages the papers used (`scripts/molt5_eval_reference.py`): corpus BLEU
//! (`bleu`), ROUGE (`rouge`), METEOR (`meteor`, with the Porter stemmer in `porter`), edit
//! distance (`levenshtein`). `text_tokens` splits captions as BERT does. The task scorers
//! (`caption`, `molecule`, `reaction`, `actions`) put them together into one [`Report`];
//! `predictions` reads the MolT5 TSV format and `data` the data sets' own formats.

pub mod actions;
pub mod bleu;
pub mod caption;
pub mod data;
pub mod levenshtein;
pub mod meteor;
pub mod molecule;
pub mod porter;
pub mod predictions;
pub mod reaction;
pub mod rouge;
pub mod text_tokens;
pub mod wordnet;

use anyhow::Result;
use serde::Serialize;

use crate::model::task::Task;
use predictions::Predictions;
use text_tokens::TextTokenizer;

/// What a task's scores are: the task name, how many rows, and named metrics in a fixed order.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub task: String,
    pub n: usize,
    pub metrics: Metrics,
}

/// Metric names and values in the order the scorer produced them (serialised as a JSON object).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metrics(pub Vec<(String, f64)>);

impl Metrics {
    pub fn push(&mut self, name: impl Into<String>, value: f64) {
        self.0.push((name.into(), value));
    }

    pub fn get(&self, name: &str) -> Option<f64> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| *v)
    }
}

impl Serialize for Metrics {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// Settings that change how some tasks score.
#[derive(Default)]
pub struct EvalOptions {
    /// Caption tokenization (basic BERT tokens unless a WordPiece vocabulary is given).
    pub text_tokenizer: Option<TextTokenizer>,
    /// WordNet synonyms for METEOR's third pass.
    pub synonyms: Option<Box<dyn meteor::Synonyms>>,
}

/// Scores `predictions` for `task`.
pub fn evaluate(task: Task, predictions: &Predictions, options: &EvalOptions) -> Result<Report> {
    let basic;
    let tokenizer = match &options.text_tokenizer {
        Some(t) => t,
        None => {
            basic = TextTokenizer::basic();
            &basic
        }
    };
    let rows = &predictions.rows;
    let metrics = match task {
        Task::Caption => caption::score(rows, tokenizer, options.synonyms.as_deref())?,
        Task::Molecule => molecule::score(rows),
        Task::Forward | Task::Retro => reaction::score(rows),
        Task::Actions => actions::score(rows, tokenizer)?,
    };
    Ok(Report {
        task: task.name().to_owned(),
        n: rows.len(),
        metrics,
    })
}

impl Report {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report always serialises")
    }

    /// A two-column Markdown table: metric and value (4 decimals; counts and distances as they are).
    pub fn to_markdown(&self) -> String {
        let mut out = format!(
            "task: {}, n = {}\n\n| metric | value |\n|---|---|\n",
            self.task, self.n
        );
        for (name, value) in &self.metrics.0 {
            out.push_str(&format!("| {name} | {value:.4} |\n"));
        }
        out
    }
}
