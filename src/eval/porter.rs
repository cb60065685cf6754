//! The Porter stemmer (Porter 1980) as nltk's `PorterStemmer` behaves in its default
//! NLTK_EXTENSIONS mode: the published steps plus nltk's irregular forms, its `-ies`/`-ied`
//! handling of four-letter words, `y -> i` only after a consonant that is not the whole stem,
//! `bli -> ble`, `alli -> al` applied first and re-run, `fulli` and `logi`, and words of one or two
//! letters left as they are. Words are lower-cased first.

/// The stem of `word`.
pub fn stem(word: &str) -> String {
    let lower = word.to_lowercase();
    if let Some(irregular) = irregular_form(&lower) {
        return irregular.to_owned();
    }
    // The length test reads the word as given, before lower-casing (as nltk does).
    if word.chars().count() <= 2 {
        return lower;
    }
    let mut w: Vec<char> = lower.chars().collect();
    w = step1a(w);
    w = step1b(w);
    w = step1c(w);
    w = step2(w);
    w = step3(w);
    w = step4(w);
    w = step5a(w);
    w = step5b(w);
    w.into_iter().collect()
}

fn irregular_form(word: &str) -> Option<&'static str> {
    Some(match word {
        "sky" | "skies" => "sky",
        "dying" => "die",
        "lying" => "lie",
        "tying" => "tie",
        "news" => "news",
        "innings" | "inning" => "inning",
        "outings" | "outing" => "outing",
        "cannings" | "canning" => "canning",
        "howe" => "howe",
        "proceed" => "proceed",
        "exceed" => "exceed",
        "succeed" => "succeed",
        _ => return None,
    })
}

fn is_consonant(w: &[char], i: usize) -> bool {
    match w[i] {
        'a' | 'e' | 'i' | 'o' | 'u' => false,
        'y' => i == 0 || !is_consonant(w, i - 1),
        _ => true,
    }
}

/// m: the number of vowel-consonant sequences in the stem.
fn measure(stem: &[char]) -> usize {
    let mut count = 0;
    let mut previous_vowel = false;
    for i in 0..stem.len() {
        let consonant = is_consonant(stem, i);
        if consonant && previous_vowel {
            count += 1;
        }
        previous_vowel = !consonant;
    }
    count
}

fn positive_measure(stem: &[char]) -> bool {
    measure(stem) > 0
}

fn contains_vowel(stem: &[char]) -> bool {
    (0..stem.len()).any(|i| !is_consonant(stem, i))
}

fn ends_double_consonant(w: &[char]) -> bool {
    let n = w.len();
    n >= 2 && w[n - 1] == w[n - 2] && is_consonant(w, n - 1)
}

/// *o: consonant-vowel-consonant at the end, the last not w, x or y; or (nltk) a two-letter
/// vowel-consonant word.
fn ends_cvc(w: &[char]) -> bool {
    let n = w.len();
    (n >= 3
        && is_consonant(w, n - 3)
        && !is_consonant(w, n - 2)
        && is_consonant(w, n - 1)
        && !matches!(w[n - 1], 'w' | 'x' | 'y'))
        || (n == 2 && !is_consonant(w, 0) && is_consonant(w, 1))
}

fn ends_with(w: &[char], suffix: &str) -> bool {
    let n = suffix.chars().count();
    w.len() >= n && w[w.len() - n..].iter().copied().eq(suffix.chars())
}

fn replace_suffix(w: &[char], suffix: &str, replacement: &str) -> Vec<char> {
    let mut out = w[..w.len() - suffix.chars().count()].to_vec();
    out.extend(replacement.chars());
    out
}

type Condition<'a> = &'a dyn Fn(&[char]) -> bool;

/// A suffix rule; `DOUBLE` stands for "ends in a double consonant".
struct Rule<'a> {
    suffix: &'a str,
    replacement: String,
    condition: Option<Condition<'a>>,
}

const DOUBLE: &str = "*d";

fn rule<'a>(suffix: &'a str, replacement: &str, condition: Option<Condition<'a>>) -> Rule<'a> {
    Rule {
        suffix,
        replacement: replacement.to_owned(),
        condition,
    }
}

/// The first rule whose suffix the word has decides: applied when its condition holds on the
/// stem, otherwise the word is kept and no later rule is tried.
fn apply_rules(w: Vec<char>, rules: &[Rule]) -> Vec<char> {
    for r in rules {
        let stem = if r.suffix == DOUBLE {
            if !ends_double_consonant(&w) {
                continue;
            }
            w[..w.len() - 2].to_vec()
        } else if ends_with(&w, r.suffix) {
            replace_suffix(&w, r.suffix, "")
        } else {
            continue;
        };
        if r.condition.is_none_or(|c| c(&stem)) {
            let mut out = stem;
            out.extend(r.replacement.chars());
            return out;
        }
        return w;
    }
    w
}

fn step1a(w: Vec<char>) -> Vec<char> {
    if ends_with(&w, "ies") && w.len() == 4 {
        return replace_suffix(&w, "ies", "ie");
    }
    apply_rules(
        w,
        &[
            rule("sses", "ss", None),
            rule("ies", "i", None),
            rule("ss", "ss", None),
            rule("s", "", None),
        ],
    )
}

fn step1b(w: Vec<char>) -> Vec<char> {
    if ends_with(&w, "ied") {
        let replacement = if w.len() == 4 { "ie" } else { "i" };
        return replace_suffix(&w, "ied", replacement);
    }
    if ends_with(&w, "eed") {
        let stem = replace_suffix(&w, "eed", "");
        return if measure(&stem) > 0 {
            replace_suffix(&w, "eed", "ee")
        } else {
            w
        };
    }
    let Some(stem) = ["ed", "ing"]
        .iter()
        .filter(|s| ends_with(&w, s))
        .map(|s| replace_suffix(&w, s, ""))
        .find(|stem| contains_vowel(stem))
    else {
        return w;
    };
    let last = *stem.last().expect("a stem with a vowel is not empty");
    let single = last.to_string();
    let not_lsz = move |_: &[char]| !matches!(last, 'l' | 's' | 'z');
    let cvc = |s: &[char]| measure(s) == 1 && ends_cvc(s);
    apply_rules(
        stem,
        &[
            rule("at", "ate", None),
            rule("bl", "ble", None),
            rule("iz", "ize", None),
            rule(DOUBLE, &single, Some(&not_lsz)),
            rule("", "e", Some(&cvc)),
        ],
    )
}

fn step1c(w: Vec<char>) -> Vec<char> {
    let consonant_before = |s: &[char]| s.len() > 1 && is_consonant(s, s.len() - 1);
    apply_rules(w, &[rule("y", "i", Some(&consonant_before))])
}

fn step2(w: Vec<char>) -> Vec<char> {
    if ends_with(&w, "alli") && positive_measure(&replace_suffix(&w, "alli", "")) {
        return step2(replace_suffix(&w, "alli", "al"));
    }
    let m: Condition = &positive_measure;
    // `logi -> log` keeps the `l` with the stem, so short stems (geo-, theo-) qualify.
    let word_without_ogi = w[..w.len().saturating_sub(3)].to_vec();
    let logi = move |_: &[char]| positive_measure(&word_without_ogi);
    let table = [
        ("ational", "ate"),
        ("tional", "tion"),
        ("enci", "ence"),
        ("anci", "ance"),
        ("izer", "ize"),
        ("bli", "ble"),
        ("alli", "al"),
        ("entli", "ent"),
        ("eli", "e"),
        ("ousli", "ous"),
        ("ization", "ize"),
        ("ation", "ate"),
        ("ator", "ate"),
        ("alism", "al"),
        ("iveness", "ive"),
        ("fulness", "ful"),
        ("ousness", "ous"),
        ("aliti", "al"),
        ("iviti", "ive"),
        ("biliti", "ble"),
        ("fulli", "ful"),
    ];
    let mut rules: Vec<Rule> = table.iter().map(|(s, r)| rule(s, r, Some(m))).collect();
    rules.push(rule("logi", "log", Some(&logi)));
    apply_rules(w, &rules)
}

fn step3(w: Vec<char>) -> Vec<char> {
    let m: Condition = &positive_measure;
    let rules: Vec<Rule> = [
        ("icate", "ic"),
        ("ative", ""),
        ("alize", "al"),
        ("iciti", "ic"),
        ("ical", "ic"),
        ("ful", ""),
        ("ness", ""),
    ]
    .iter()
    .map(|(s, r)| rule(s, r, Some(m)))
    .collect();
    apply_rules(w, &rules)
}

fn step4(w: Vec<char>) -> Vec<char> {
    let m1 = |s: &[char]| measure(s) > 1;
    let ion = |s: &[char]| measure(s) > 1 && matches!(s.last(), Some('s' | 't'));
    let rules: Vec<Rule> = [
        "al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ion",
        "ou", "ism", "ate", "iti", "ous", "ive", "ize",
    ]
    .iter()
    .map(|s| {
        let condition: Condition = if *s == "ion" { &ion } else { &m1 };
        rule(s, "", Some(condition))
    })
    .collect();
    apply_rules(w, &rules)
}

fn step5a(w: Vec<char>) -> Vec<char> {
    if ends_with(&w, "e") {
        let stem = replace_suffix(&w, "e", "");
        let m = measure(&stem);
        if m > 1 || (m == 1 && !ends_cvc(&stem)) {
            return stem;
        }
    }
    w
}

fn step5b(w: Vec<char>) -> Vec<char> {
    let without_last_l = w[..w.len().saturating_sub(1)].to_vec();
    let m1 = move |_: &[char]| measure(&without_last_l) > 1;
    apply_rules(w, &[rule("ll", "l", Some(&m1))])
}

#[cfg(test)]
mod tests {
    use super::stem;

    #[test]
    fn the_papers_examples_and_nltk_extensions() {
        for (word, expected) in [
            ("caresses", "caress"),
            ("ponies", "poni"),
            ("ties", "tie"),
            ("cats", "cat"),
            ("agreed", "agre"),
            ("plastered", "plaster"),
            ("motoring", "motor"),
            ("hopping", "hop"),
            ("falling", "fall"),
            ("filing", "file"),
            ("happy", "happi"),
            ("relational", "relat"),
            ("generalization", "gener"),
            ("electrical", "electr"),
            ("adjustment", "adjust"),
            ("controlling", "control"),
            ("dying", "die"),
            ("skies", "sky"),
            ("is", "is"),
            ("Molecule", "molecul"),
            ("generously", "gener"),
            ("geology", "geolog"),
            ("hopefully", "hope"),
            ("conditional", "condit"),
        ] {
            assert_eq!(stem(word), expected, "{word}");
        }
    }
}

#[cfg(test)]
mod fixture_tests {
    use super::stem;

    /// Every distinct word of the ChEBI-20 descriptions, stemmed by nltk
    /// (`scripts/porter_stems_reference.py`).
    #[test]
    fn matches_nltk_on_the_chebi_vocabulary() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/eval/porter_stems.tsv"
        );
        let text = std::fs::read_to_string(path).unwrap();
        let mut wrong = vec![];
        let mut n = 0;
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let (word, expected) = line.split_once('\t').unwrap();
            n += 1;
            if stem(word) != expected {
                wrong.push(format!("{word}: {} (nltk {expected})", stem(word)));
            }
        }
        assert!(n > 10_000, "{n}");
        assert!(
            wrong.is_empty(),
            "{} of {n} differ: {:?}",
            wrong.len(),
            &wrong[..wrong.len().min(20)]
        );
    }
}
