//! Corpus BLEU (Papineni et al. 2002) in the form nltk's `corpus_bleu` computes without a
//! smoothing function: clipped n-gram counts summed over the corpus before dividing, the
//! brevity penalty from the summed closest reference lengths, and a geometric mean weighted
//! by `weights` (its length is the highest n-gram order).

use super::Metrics;
use std::collections::HashMap;
use std::hash::Hash;

/// BLEU-2 weights as the MolT5 caption scripts use them.
pub const BLEU2: [f64; 2] = [0.5, 0.5];
/// BLEU-4 weights, nltk's default.
pub const BLEU4: [f64; 4] = [0.25; 4];

/// Corpus BLEU of `hypotheses`, each scored against its references (`references[i]` belongs to
/// `hypotheses[i]`; extra entries on either side are ignored). 0 when no unigram matches.
pub fn corpus_bleu<T: Eq + Hash>(
    references: &[Vec<&[T]>],
    hypotheses: &[&[T]],
    weights: &[f64],
) -> f64 {
    let orders = weights.len();
    let mut numerators = vec![0u64; orders];
    let mut denominators = vec![0u64; orders];
    let mut hypothesis_length = 0usize;
    let mut reference_length = 0usize;
    for (refs, hyp) in references.iter().zip(hypotheses) {
        for n in 1..=orders {
            let (matched, total) = modified_precision(refs, hyp, n);
            numerators[n - 1] += matched;
            denominators[n - 1] += total;
        }
        hypothesis_length += hyp.len();
        reference_length += closest_reference_length(refs, hyp.len());
    }
    if numerators.first().is_none_or(|&n| n == 0) {
        return 0.0;
    }
    let log_sum: f64 = weights
        .iter()
        .zip(numerators.iter().zip(&denominators))
        .map(|(w, (&num, &den))| {
            // Without smoothing a zero count stands in as the smallest positive float, so the
            // score collapses to (nearly) zero instead of failing, as nltk does.
            let p = if num == 0 {
                f64::MIN_POSITIVE
            } else {
                num as f64 / den as f64
            };
            w * p.ln()
        })
        .sum();
    brevity_penalty(reference_length, hypothesis_length) * log_sum.exp()
}

/// Matched (clipped by the most any one reference holds) and total n-grams of `hyp`; the total
/// is at least 1, so an empty hypothesis still counts against the precision.
fn modified_precision<T: Eq + Hash>(refs: &[&[T]], hyp: &[T], n: usize) -> (u64, u64) {
    let counts = ngram_counts(hyp, n);
    let mut most_in_a_reference: HashMap<&[T], usize> = HashMap::new();
    for r in refs {
        let reference_counts = ngram_counts(r, n);
        for gram in counts.keys() {
            let c = reference_counts.get(gram).copied().unwrap_or(0);
            let best = most_in_a_reference.entry(gram).or_insert(0);
            *best = (*best).max(c);
        }
    }
    let matched: usize = counts
        .iter()
        .map(|(gram, &c)| c.min(most_in_a_reference.get(gram).copied().unwrap_or(0)))
        .sum();
    let total: usize = counts.values().sum();
    (matched as u64, total.max(1) as u64)
}

pub(crate) fn ngram_counts<T: Eq + Hash>(tokens: &[T], n: usize) -> HashMap<&[T], usize> {
    let mut counts = HashMap::new();
    if n > 0 && tokens.len() >= n {
        for gram in tokens.windows(n) {
            *counts.entry(gram).or_insert(0) += 1;
        }
    }
    counts
}

/// The reference length nearest `hyp_len`, the shorter one on a tie.
fn closest_reference_length<T>(refs: &[&[T]], hyp_len: usize) -> usize {
    refs.iter()
        .map(|r| r.len())
        .min_by_key(|&l| (l.abs_diff(hyp_len), l))
        .unwrap_or(0)
}

fn brevity_penalty(reference_length: usize, hypothesis_length: usize) -> f64 {
    if hypothesis_length > reference_length {
        1.0
    } else if hypothesis_length == 0 {
        0.0
    } else {
        (1.0 - reference_length as f64 / hypothesis_length as f64).exp()
    }
}

/// `bleu2` and `bleu4` of word sequences, the text tasks' first two metrics.
pub fn bleu2_and_4(references: &[Vec<String>], hypotheses: &[Vec<String>]) -> Metrics {
    let mut m = Metrics::default();
    m.push("bleu2", corpus_bleu_single(references, hypotheses, &BLEU2));
    m.push("bleu4", corpus_bleu_single(references, hypotheses, &BLEU4));
    m
}

/// Corpus BLEU of one reference per hypothesis, the common case.
pub fn corpus_bleu_single<T: Eq + Hash>(
    references: &[Vec<T>],
    hypotheses: &[Vec<T>],
    weights: &[f64],
) -> f64 {
    let refs: Vec<Vec<&[T]>> = references.iter().map(|r| vec![r.as_slice()]).collect();
    let hyps: Vec<&[T]> = hypotheses.iter().map(Vec::as_slice).collect();
    corpus_bleu(&refs, &hyps, weights)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<&str> {
        s.split(' ').collect()
    }

    /// nltk's `corpus_bleu` documentation example (three references for the first hypothesis).
    #[test]
    fn nltk_documented_corpus_example() {
        let hyp1 = words(
            "It is a guide to action which ensures that the military always obeys the commands of the party",
        );
        let ref1a = words(
            "It is a guide to action that ensures that the military will forever heed Party commands",
        );
        let ref1b = words(
            "It is a guiding principle which makes the military forces always being under the command of the Party",
        );
        let ref1c = words(
            "It is the practical guide for the army always to heed the directions of the party",
        );
        let hyp2 = words("he read the book because he was interested in world history");
        let ref2a = words("he was interested in world history because he read the book");
        let references = vec![vec![&ref1a[..], &ref1b[..], &ref1c[..]], vec![&ref2a[..]]];
        let hypotheses = [&hyp1[..], &hyp2[..]];
        let bleu4 = corpus_bleu(&references, &hypotheses, &BLEU4);
        assert!((bleu4 - 0.5920778868801042).abs() < 1e-12, "{bleu4}");
        let bleu2 = corpus_bleu(&references, &hypotheses, &BLEU2);
        assert!((bleu2 - 0.8242803277698696).abs() < 1e-12, "{bleu2}");
        // A short hypothesis with no trigram: nltk's tiny float instead of zero, times the
        // brevity penalty.
        let short = corpus_bleu(&[vec![&ref2a[..]]], &[&["he", "read"][..]], &BLEU4);
        assert!(
            (short / 1.6570936272787165e-156 - 1.0).abs() < 1e-9,
            "{short}"
        );
    }

    #[test]
    fn no_unigram_match_or_empty_hypothesis_scores_zero() {
        let reference = [vec![1, 2, 3]];
        assert_eq!(
            corpus_bleu_single(&reference, &[vec![4, 5, 6]], &BLEU4),
            0.0
        );
        assert_eq!(corpus_bleu_single(&reference, &[vec![]], &BLEU4), 0.0);
        assert_eq!(
            corpus_bleu_single(&reference, &[vec![1, 2, 3]], &BLEU2),
            1.0
        );
    }
}
