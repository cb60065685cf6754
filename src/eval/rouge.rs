//! ROUGE-1, ROUGE-2 and ROUGE-L F-measures (Lin 2004) as the `rouge-score` package computes them
//! with its default tokenizer and no stemming: lower-case, every run of characters other than
//! `a-z0-9` becomes a space, split on whitespace.

use super::bleu::ngram_counts;

/// Precision, recall and F-measure of one prediction against one target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RougeScore {
    pub precision: f64,
    pub recall: f64,
    pub fmeasure: f64,
}

/// The rouge-score default tokens of `text`.
pub fn rouge_tokens(text: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    lower
        .split(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit()))
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

fn score(matched: usize, target_total: usize, prediction_total: usize) -> RougeScore {
    let precision = matched as f64 / prediction_total.max(1) as f64;
    let recall = matched as f64 / target_total.max(1) as f64;
    RougeScore {
        precision,
        recall,
        fmeasure: f_measure(precision, recall),
    }
}

fn f_measure(precision: f64, recall: f64) -> f64 {
    if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    }
}

/// ROUGE-N: n-gram overlap, each n-gram counted at most as often as it occurs on both sides.
pub fn rouge_n(target: &[String], prediction: &[String], n: usize) -> RougeScore {
    let t = ngram_counts(target, n);
    let p = ngram_counts(prediction, n);
    let matched = t
        .iter()
        .map(|(gram, &c)| c.min(p.get(gram).copied().unwrap_or(0)))
        .sum();
    score(matched, t.values().sum(), p.values().sum())
}

/// ROUGE-L: the longest common subsequence of the token lists.
pub fn rouge_l(target: &[String], prediction: &[String]) -> RougeScore {
    if target.is_empty() || prediction.is_empty() {
        return RougeScore {
            precision: 0.0,
            recall: 0.0,
            fmeasure: 0.0,
        };
    }
    let lcs = lcs_length(target, prediction);
    let precision = lcs as f64 / prediction.len() as f64;
    let recall = lcs as f64 / target.len() as f64;
    RougeScore {
        precision,
        recall,
        fmeasure: f_measure(precision, recall),
    }
}

/// Longest common subsequence length, one row of the table at a time.
fn lcs_length<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    let mut previous = vec![0usize; b.len() + 1];
    let mut current = vec![0usize; b.len() + 1];
    for x in a {
        for (j, y) in b.iter().enumerate() {
            current[j + 1] = if x == y {
                previous[j] + 1
            } else {
                previous[j + 1].max(current[j])
            };
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// Mean ROUGE-1, ROUGE-2 and ROUGE-L F-measures over (target, prediction) text pairs.
pub fn mean_rouge_f<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> [f64; 3] {
    let mut sums = [0.0; 3];
    let mut n = 0usize;
    for (target, prediction) in pairs {
        let t = rouge_tokens(target);
        let p = rouge_tokens(prediction);
        sums[0] += rouge_n(&t, &p, 1).fmeasure;
        sums[1] += rouge_n(&t, &p, 2).fmeasure;
        sums[2] += rouge_l(&t, &p).fmeasure;
        n += 1;
    }
    sums.map(|s| if n == 0 { 0.0 } else { s / n as f64 })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: RougeScore, p: f64, r: f64, f: f64) {
        assert!(
            (a.precision - p).abs() < 1e-12
                && (a.recall - r).abs() < 1e-12
                && (a.fmeasure - f).abs() < 1e-12,
            "{a:?}"
        );
    }

    /// rouge-score's README example (target first, then prediction); values from rouge-score 0.1.2.
    #[test]
    fn rouge_score_readme_example() {
        let t = rouge_tokens("The quick brown fox jumps over the lazy dog");
        let p = rouge_tokens("The quick brown dog jumps on the log.");
        close(
            rouge_n(&t, &p, 1),
            0.75,
            0.6666666666666666,
            0.7058823529411765,
        );
        close(
            rouge_n(&t, &p, 2),
            0.2857142857142857,
            0.25,
            0.26666666666666666,
        );
        close(
            rouge_l(&t, &p),
            0.625,
            0.5555555555555556,
            0.5882352941176471,
        );
    }

    #[test]
    fn tokens_are_lower_case_alphanumeric_runs() {
        assert_eq!(
            rouge_tokens("A (2S)-hydroxy-Acid, café"),
            ["a", "2s", "hydroxy", "acid", "caf"]
        );
        assert_eq!(rouge_l(&[], &rouge_tokens("x")).fmeasure, 0.0);
    }
}
