//! Forward and retrosynthesis scores: exact match of canonical SMILES at ranks 1..k, and
//! validity of the first-ranked output. Both sides are normalised the same way: `~` (one
//! species' ionic fragments) read as `.`, each component written canonically, components
//! sorted, so component order and notation do not count.

use rayon::prelude::*;

use crate::chem::canon::canonical_smiles;
use crate::chem::smiles::parse_molecule;

use super::Metrics;
use super::predictions::PredictionRow;

/// The ranks reported as `top_k` when the file has that many outputs per row.
pub const TOP_K: [usize; 4] = [3, 5, 10, 20];

/// The normalised form of a (multi-component) SMILES, or `None` when it does not parse.
pub fn normalise(smiles: &str) -> Option<String> {
    let mol = parse_molecule(&smiles.replace('~', ".")).ok()?;
    let canonical = canonical_smiles(&mol);
    let mut parts: Vec<&str> = canonical.split('.').collect();
    parts.sort_unstable();
    Some(parts.join("."))
}

pub fn score(rows: &[PredictionRow]) -> Metrics {
    let ranks = rows.iter().map(|r| r.outputs.len()).max().unwrap_or(1);
    // Per row: whether the reference and the first output parse, and the rank (1-based) of the
    // first correct output. Rows are independent, so they are normalised in parallel.
    let per_row: Vec<(bool, bool, Option<usize>)> = rows
        .par_iter()
        .map(|row| {
            let reference = normalise(&row.reference);
            let outputs: Vec<Option<String>> = row.outputs.iter().map(|o| normalise(o)).collect();
            let hit = reference.as_ref().and_then(|r| {
                outputs
                    .iter()
                    .position(|o| o.as_ref() == Some(r))
                    .map(|p| p + 1)
            });
            (reference.is_some(), outputs[0].is_some(), hit)
        })
        .collect();
    let valid_references = per_row.iter().filter(|r| r.0).count();
    let valid = per_row.iter().filter(|r| r.1).count();
    let first_hit: Vec<Option<usize>> = per_row.iter().map(|r| r.2).collect();
    let fraction = |count: usize| {
        if rows.is_empty() {
            0.0
        } else {
            count as f64 / rows.len() as f64
        }
    };
    let within = |k: usize| {
        first_hit
            .iter()
            .filter(|h| h.is_some_and(|h| h <= k))
            .count()
    };
    let mut m = Metrics::default();
    m.push("exact", fraction(within(1)));
    for k in TOP_K.into_iter().filter(|&k| k <= ranks) {
        m.push(format!("top_{k}"), fraction(within(k)));
    }
    m.push("validity", fraction(valid));
    m.push("reference_validity", fraction(valid_references));
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(reference: &str, outputs: &[&str]) -> PredictionRow {
        PredictionRow {
            reference: reference.into(),
            outputs: outputs.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn component_order_and_tilde_do_not_count() {
        assert_eq!(normalise("[Na+]~[Cl-].OCC"), normalise("CCO.[Cl-].[Na+]"));
        assert_ne!(normalise("CCO"), normalise("CCN"));
        assert_eq!(normalise("C1CC"), None);
    }

    #[test]
    fn top_k_counts_the_first_correct_rank() {
        let rows = [
            row("CCO", &["OCC", "x", "y"]),
            row("CCN", &["CCO", "NCC", "y"]),
            row("CCC", &["C1CC", "CCO", "CCCC"]),
            row("CC", &["CC", "", ""]),
        ];
        let m = score(&rows);
        assert_eq!(m.get("exact"), Some(0.5));
        assert_eq!(m.get("top_3"), Some(0.75));
        assert_eq!(m.get("top_5"), None);
        assert_eq!(m.get("validity"), Some(0.75));
    }
}
