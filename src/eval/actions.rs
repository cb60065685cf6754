//! Paragraph-to-actions scores: corpus BLEU-2 and BLEU-4 on the action strings' BERT tokens
//! (the caption tokenization), exact match of the whole action sequence (whitespace-trimmed),
//! and action-type sequence accuracy: the fraction of rows whose sequence of action names
//! (`ADD; STIR; FILTER` gives ADD, STIR, FILTER) equals the reference's.

use anyhow::Result;

use super::Metrics;
use super::bleu::bleu2_and_4;
use super::predictions::PredictionRow;
use super::text_tokens::TextTokenizer;

/// The action names of an action sequence: the first word of each `;`-separated action, with a
/// trailing `.` removed (the last action ends the sentence).
pub fn action_types(actions: &str) -> Vec<&str> {
    actions
        .split(';')
        .filter_map(|a| a.split_whitespace().next())
        .map(|name| name.trim_end_matches('.'))
        .filter(|name| !name.is_empty())
        .collect()
}

pub fn score(rows: &[PredictionRow], tokenizer: &TextTokenizer) -> Result<Metrics> {
    let mut references = Vec::with_capacity(rows.len());
    let mut hypotheses = Vec::with_capacity(rows.len());
    let mut exact = 0usize;
    let mut same_types = 0usize;
    for row in rows {
        references.push(tokenizer.tokenize(&row.reference)?);
        hypotheses.push(tokenizer.tokenize(row.best())?);
        exact += usize::from(row.reference.trim() == row.best().trim());
        same_types += usize::from(action_types(&row.reference) == action_types(row.best()));
    }
    let fraction = |count: usize| {
        if rows.is_empty() {
            0.0
        } else {
            count as f64 / rows.len() as f64
        }
    };
    let mut m = bleu2_and_4(&references, &hypotheses);
    m.push("exact", fraction(exact));
    m.push("action_types", fraction(same_types));
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_names_in_order() {
        assert_eq!(
            action_types("ADD LiAlH4 (24.4 mL); STIR for 2 h at 0 °C; FILTER keep filtrate."),
            ["ADD", "STIR", "FILTER"]
        );
        assert_eq!(action_types("CONCENTRATE."), ["CONCENTRATE"]);
        assert!(action_types("  ").is_empty());
    }
}
