//! The best answer of a run as the text fields `textchem batch` writes per row, shared by the
//! CLI and the Python package so both give the same table.

use anyhow::Result;

use super::engine::Answer;

/// The columns added per input row, in order.
pub const ANSWER_COLUMNS: [&str; 5] = ["output", "valid", "canonical_smiles", "score", "error"];

/// The fields for one run's outcome: the first-ranked answer (`valid` is `true`, `false` or
/// empty for text tasks), or the error in the last field with the others empty.
pub fn answer_fields(answer: &Result<Answer>) -> [String; 5] {
    match answer.as_ref().map(|a| a.results.first()) {
        Ok(Some(best)) => {
            let flag = |v: Option<bool>| v.map_or("", |v| if v { "true" } else { "false" });
            [
                best.text.clone(),
                flag(best.valid).to_owned(),
                best.canonical_smiles.clone().unwrap_or_default(),
                best.score.to_string(),
                best.error.clone().unwrap_or_default(),
            ]
        }
        Ok(None) => failure_fields("no answer"),
        Err(e) => failure_fields(&format!("{e:#}")),
    }
}

/// The fields of a row that could not be run: empty, with `message` as the error.
pub fn failure_fields(message: &str) -> [String; 5] {
    let mut fields: [String; 5] = Default::default();
    fields[4] = message.to_owned();
    fields
}
