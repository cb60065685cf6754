//! Molecule (text to SMILES) scores as the MolT5 molecule-translation evaluation defines them:
//! character-level corpus BLEU-4, mean Levenshtein distance of the strings, validity (the
//! fraction of outputs that parse), and per-pair metrics on the parsed molecules.
//!
//! Pair metrics take the parsed reference and output. Each says whether it averages over every
//! row (exact matches: a row whose output does not parse counts as a miss) or only over the rows
//! where both parse (similarities, as MolT5 averages its fingerprint Tanimoto scores).

use rayon::prelude::*;

use crate::chem::Molecule;
use crate::chem::canon::canonical_smiles;
use crate::chem::fingerprint::{
    RdkitPathOptions, morgan_counts, rdkit_path_bits, tanimoto_bits, tanimoto_counts,
};
use crate::chem::inchi::inchi;
use crate::chem::maccs::maccs_bits;
use crate::chem::smiles::parse_molecule;

use super::Metrics;
use super::bleu::{BLEU4, corpus_bleu_single};
use super::levenshtein::levenshtein;
use super::predictions::PredictionRow;

/// Which rows a pair metric's mean is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Over {
    AllRows,
    ValidPairs,
}

/// A metric of one (reference, output) molecule pair.
pub struct PairMetric {
    pub name: &'static str,
    pub over: Over,
    pub score: fn(reference: &Molecule, output: &Molecule) -> f64,
}

/// The pair metrics `score` reports, in order.
pub const PAIR_METRICS: &[PairMetric] = &[
    PairMetric {
        name: "exact",
        over: Over::AllRows,
        score: same_inchi,
    },
    PairMetric {
        name: "exact_canonical",
        over: Over::AllRows,
        score: same_canonical_smiles,
    },
    PairMetric {
        name: "maccs_fts",
        over: Over::ValidPairs,
        score: maccs_similarity,
    },
    PairMetric {
        name: "rdk_fts",
        over: Over::ValidPairs,
        score: rdkit_path_similarity,
    },
    PairMetric {
        name: "morgan_fts",
        over: Over::ValidPairs,
        score: morgan_count_similarity,
    },
];

/// Tanimoto of MACCS keys (`GenMACCSKeys`), as MolT5's `maccs_fts`.
pub fn maccs_similarity(reference: &Molecule, output: &Molecule) -> f64 {
    tanimoto_bits(&maccs_bits(reference), &maccs_bits(output))
}

/// Tanimoto of RDKit path fingerprints (`RDKFingerprint` defaults), as MolT5's `rdk_fts`; a
/// molecule too branched to enumerate (see `MAX_SUBGRAPHS`) scores 0.
pub fn rdkit_path_similarity(reference: &Molecule, output: &Molecule) -> f64 {
    let options = RdkitPathOptions::default();
    match (
        rdkit_path_bits(reference, &options),
        rdkit_path_bits(output, &options),
    ) {
        (Ok(r), Ok(o)) => tanimoto_bits(&r, &o),
        _ => 0.0,
    }
}

/// Tanimoto of unfolded Morgan radius-2 counts, as MolT5's `morgan_fts`
/// (`GetMorganFingerprint(m, 2)` and `TanimotoSimilarity`).
pub fn morgan_count_similarity(reference: &Molecule, output: &Molecule) -> f64 {
    tanimoto_counts(&morgan_counts(reference, 2), &morgan_counts(output, 2))
}

/// 1 when both molecules have the same standard InChI (MolT5's exact match); a molecule the
/// InChI library refuses matches nothing.
pub fn same_inchi(reference: &Molecule, output: &Molecule) -> f64 {
    match (inchi(reference), inchi(output)) {
        (Ok(r), Ok(o)) => f64::from(u8::from(r.inchi == o.inchi)),
        _ => 0.0,
    }
}

/// 1 when both molecules have the same canonical SMILES (stereo included).
pub fn same_canonical_smiles(reference: &Molecule, output: &Molecule) -> f64 {
    f64::from(u8::from(
        canonical_smiles(reference) == canonical_smiles(output),
    ))
}

pub fn score(rows: &[PredictionRow]) -> Metrics {
    score_with(rows, PAIR_METRICS)
}

/// Scores with the given pair metrics (the string metrics and validity always).
pub fn score_with(rows: &[PredictionRow], pair_metrics: &[PairMetric]) -> Metrics {
    let chars = |s: &str| s.chars().collect::<Vec<char>>();
    let references: Vec<Vec<char>> = rows.iter().map(|r| chars(&r.reference)).collect();
    let hypotheses: Vec<Vec<char>> = rows.iter().map(|r| chars(r.best())).collect();
    // Rows are independent: parse and score them in parallel, then add up in row order.
    let per_row: Vec<RowScores> = rows
        .par_iter()
        .map(|row| score_row(row, pair_metrics))
        .collect();
    let mut distance = 0usize;
    let mut valid = 0usize;
    let mut valid_references = 0usize;
    let mut valid_pairs = 0usize;
    let mut sums = vec![0.0; pair_metrics.len()];
    for row in &per_row {
        distance += row.distance;
        valid += usize::from(row.output_parses);
        valid_references += usize::from(row.reference_parses);
        if let Some(scores) = &row.pair_scores {
            valid_pairs += 1;
            for (sum, score) in sums.iter_mut().zip(scores) {
                *sum += score;
            }
        }
    }
    let fraction = |count: f64, of: usize| if of == 0 { 0.0 } else { count / of as f64 };
    let mut m = Metrics::default();
    m.push("bleu", corpus_bleu_single(&references, &hypotheses, &BLEU4));
    m.push("levenshtein", fraction(distance as f64, rows.len()));
    m.push("validity", fraction(valid as f64, rows.len()));
    for (sum, metric) in sums.iter().zip(pair_metrics) {
        let of = match metric.over {
            Over::AllRows => rows.len(),
            Over::ValidPairs => valid_pairs,
        };
        m.push(metric.name, fraction(*sum, of));
    }
    m.push(
        "reference_validity",
        fraction(valid_references as f64, rows.len()),
    );
    m
}

struct RowScores {
    distance: usize,
    output_parses: bool,
    reference_parses: bool,
    /// Each pair metric's score, when both sides parse.
    pair_scores: Option<Vec<f64>>,
}

fn score_row(row: &PredictionRow, pair_metrics: &[PairMetric]) -> RowScores {
    let output = parse_molecule(row.best()).ok();
    let reference = parse_molecule(&row.reference).ok();
    RowScores {
        distance: levenshtein(&row.reference, row.best()),
        output_parses: output.is_some(),
        reference_parses: reference.is_some(),
        pair_scores: match (&reference, &output) {
            (Some(r), Some(o)) => Some(pair_metrics.iter().map(|m| (m.score)(r, o)).collect()),
            _ => None,
        },
    }
}
