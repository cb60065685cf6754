//! Caption (SMILES to text) scores as the MolT5 text-translation evaluation defines them:
//! corpus BLEU-2 and BLEU-4 and mean METEOR on BERT tokens of the lower-cased text, mean
//! ROUGE-1/2/L F-measures on rouge-score's own tokens.

use anyhow::Result;
use rayon::prelude::*;

use super::Metrics;
use super::bleu::bleu2_and_4;
use super::meteor::{Synonyms, meteor_score};
use super::predictions::PredictionRow;
use super::rouge::mean_rouge_f;
use super::text_tokens::TextTokenizer;

pub fn score(
    rows: &[PredictionRow],
    tokenizer: &TextTokenizer,
    synonyms: Option<&dyn Synonyms>,
) -> Result<Metrics> {
    // Rows are independent: tokenize and score them in parallel, then add up in row order.
    let per_row: Vec<(Vec<String>, Vec<String>, f64)> = rows
        .par_iter()
        .map(|row| -> Result<_> {
            let reference = tokenizer.tokenize(&row.reference)?;
            let hypothesis = tokenizer.tokenize(row.best())?;
            let meteor = meteor_score(&[&reference], &hypothesis, synonyms);
            Ok((reference, hypothesis, meteor))
        })
        .collect::<Result<_>>()?;
    let mut references = Vec::with_capacity(rows.len());
    let mut hypotheses = Vec::with_capacity(rows.len());
    let mut meteor_sum = 0.0;
    for (reference, hypothesis, meteor) in per_row {
        meteor_sum += meteor;
        references.push(reference);
        hypotheses.push(hypothesis);
    }
    let mean = |sum: f64| {
        if rows.is_empty() {
            0.0
        } else {
            sum / rows.len() as f64
        }
    };
    let [rouge1, rouge2, rouge_l] =
        mean_rouge_f(rows.iter().map(|r| (r.reference.as_str(), r.best())));
    let mut m = bleu2_and_4(&references, &hypotheses);
    m.push("rouge1", rouge1);
    m.push("rouge2", rouge2);
    m.push("rougeL", rouge_l);
    m.push("meteor", mean(meteor_sum));
    Ok(m)
}
