//! METEOR (Banerjee and Lavie 2005) as nltk's `meteor_score` computes it: words lower-cased,
//! aligned in three passes (exact, then Porter stems, then WordNet synonyms when a synonym
//! source is given), each pass pairing words from the end of the hypothesis backwards with the
//! last unmatched equal reference word; then a recall-weighted harmonic mean (alpha 0.9) times a
//! fragmentation penalty `1 - gamma * (chunks / matches)^beta` (beta 3, gamma 0.5).

use super::porter;

pub const ALPHA: f64 = 0.9;
pub const BETA: f64 = 3.0;
pub const GAMMA: f64 = 0.5;

/// Synonyms of a (stemmed, lower-case) word, for the third alignment pass.
pub trait Synonyms: Sync {
    /// Every lemma name of every synset of `word` that is a single word; `word` itself need not
    /// be included.
    fn synonyms(&self, word: &str) -> Vec<String>;
}

/// Word positions and (possibly stemmed) text still unmatched.
type Enumerated = Vec<(usize, String)>;

/// The best METEOR score of `hypothesis` over `references`.
pub fn meteor_score(
    references: &[&[String]],
    hypothesis: &[String],
    synonyms: Option<&dyn Synonyms>,
) -> f64 {
    references
        .iter()
        .map(|r| single_meteor_score(r, hypothesis, synonyms))
        .fold(0.0, f64::max)
}

pub fn single_meteor_score(
    reference: &[String],
    hypothesis: &[String],
    synonyms: Option<&dyn Synonyms>,
) -> f64 {
    let hyp: Enumerated = hypothesis
        .iter()
        .map(|w| w.to_lowercase())
        .enumerate()
        .collect();
    let reference: Enumerated = reference
        .iter()
        .map(|w| w.to_lowercase())
        .enumerate()
        .collect();
    let translation_length = hyp.len();
    let reference_length = reference.len();
    let mut matches = align(hyp, reference, synonyms);
    matches.sort_by_key(|m| m.0);
    let matched = matches.len();
    if matched == 0 || translation_length == 0 || reference_length == 0 {
        return 0.0;
    }
    let precision = matched as f64 / translation_length as f64;
    let recall = matched as f64 / reference_length as f64;
    let fmean = precision * recall / (ALPHA * precision + (1.0 - ALPHA) * recall);
    let fragmentation = count_chunks(&matches) as f64 / matched as f64;
    let penalty = GAMMA * fragmentation.powf(BETA);
    (1.0 - penalty) * fmean
}

/// (hypothesis position, reference position) pairs from the three passes.
fn align(
    hyp: Enumerated,
    reference: Enumerated,
    synonyms: Option<&dyn Synonyms>,
) -> Vec<(usize, usize)> {
    let (mut matches, hyp, reference) = match_equal(hyp, reference);
    let stemmed = |list: Enumerated| -> Enumerated {
        list.into_iter()
            .map(|(i, w)| (i, porter::stem(&w)))
            .collect()
    };
    let (stem_matches, hyp, reference) = match_equal(stemmed(hyp), stemmed(reference));
    matches.extend(stem_matches);
    if let Some(source) = synonyms {
        matches.extend(match_synonyms(hyp, reference, source));
    }
    matches
}

/// From the last hypothesis word backwards, each pairs with the last equal reference word left.
fn match_equal(
    mut hyp: Enumerated,
    mut reference: Enumerated,
) -> (Vec<(usize, usize)>, Enumerated, Enumerated) {
    let mut matches = vec![];
    for i in (0..hyp.len()).rev() {
        if let Some(j) = (0..reference.len())
            .rev()
            .find(|&j| hyp[i].1 == reference[j].1)
        {
            matches.push((hyp[i].0, reference[j].0));
            hyp.remove(i);
            reference.remove(j);
        }
    }
    (matches, hyp, reference)
}

fn match_synonyms(
    mut hyp: Enumerated,
    mut reference: Enumerated,
    source: &dyn Synonyms,
) -> Vec<(usize, usize)> {
    let mut matches = vec![];
    for i in (0..hyp.len()).rev() {
        let mut words = source.synonyms(&hyp[i].1);
        words.push(hyp[i].1.clone());
        if let Some(j) = (0..reference.len())
            .rev()
            .find(|&j| words.contains(&reference[j].1))
        {
            matches.push((hyp[i].0, reference[j].0));
            hyp.remove(i);
            reference.remove(j);
        }
    }
    matches
}

/// Runs of matches adjacent on both sides, counted over matches sorted by hypothesis position.
fn count_chunks(matches: &[(usize, usize)]) -> usize {
    1 + matches
        .windows(2)
        .filter(|w| !(w[1].0 == w[0].0 + 1 && w[1].1 == w[0].1 + 1))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split(' ').map(str::to_owned).collect()
    }

    /// nltk's `meteor_score` documentation examples; the values are nltk 3.10's with no synonym
    /// source (the first is also the documented 0.6944).
    #[test]
    fn nltk_documented_examples() {
        let hyp1 = words(
            "It is a guide to action which ensures that the military always obeys the commands of the party",
        );
        let hyp2 = words(
            "It is to insure the troops forever hearing the activity guidebook that party direct",
        );
        let ref1 = words(
            "It is a guide to action that ensures that the military will forever heed Party commands",
        );
        let ref2 = words(
            "It is the guiding principle which guarantees the military forces always being under the command of the Party",
        );
        let ref3 = words(
            "It is the practical guide for the army always to heed the directions of the party",
        );
        let refs = [&ref1[..], &ref2[..], &ref3[..]];
        let s1 = meteor_score(&refs, &hyp1, None);
        assert!((s1 - 0.6944444444444445).abs() < 1e-12, "{s1}");
        let s2 = meteor_score(&refs, &hyp2, None);
        assert!((s2 - 0.3035391371738569).abs() < 1e-12, "{s2}");
        let none = meteor_score(
            &[&words("this is a cat")[..]],
            &words("non matching hypothesis"),
            None,
        );
        assert_eq!(none, 0.0);
    }

    struct Pairs;
    impl Synonyms for Pairs {
        fn synonyms(&self, word: &str) -> Vec<String> {
            match word {
                "big" => vec!["larg".into()],
                _ => vec![],
            }
        }
    }

    #[test]
    fn synonyms_match_only_when_a_source_is_given() {
        let reference = words("a large dog");
        let hypothesis = words("a big dog");
        let without = single_meteor_score(&reference, &hypothesis, None);
        let with = single_meteor_score(&reference, &hypothesis, Some(&Pairs));
        assert!(with > without, "{with} vs {without}");
        // Three matches in one chunk: fmean 1, penalty 0.5 * (1/3)^3.
        assert!((with - (1.0 - 0.5 / 27.0)).abs() < 1e-12, "{with}");
    }
}
