//! WordNet synonyms for METEOR's third alignment pass, read from a WordNet 3.0 database folder
//! (`index.*`, `data.*`, `*.exc`: Princeton's `dict/` folder, Debian's `wordnet-base` in
//! `/usr/share/wordnet`, or nltk's `wordnet` corpus folder).
//!
//! The lookup is nltk's `wordnet.synsets(word)` in every part of speech: the word lower-cased,
//! then its base forms (the exception list's entry when the word has one, otherwise the
//! detachment rules applied once, plus the word itself) that the index lists for that part of
//! speech; the synonyms are the single-word lemma names of those synsets.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use anyhow::{Context, Result, bail};

use super::meteor::Synonyms;

/// Parts of speech in nltk's order, with their file suffixes.
const PARTS: [(char, &str); 4] = [('n', "noun"), ('v', "verb"), ('a', "adj"), ('r', "adv")];

/// Suffix rules per part of speech (nltk's `MORPHOLOGICAL_SUBSTITUTIONS`, from WordNet's morphy).
fn substitutions(part: usize) -> &'static [(&'static str, &'static str)] {
    match part {
        0 => &[
            ("s", ""),
            ("ses", "s"),
            ("ves", "f"),
            ("xes", "x"),
            ("zes", "z"),
            ("ches", "ch"),
            ("shes", "sh"),
            ("men", "man"),
            ("ies", "y"),
        ],
        1 => &[
            ("s", ""),
            ("ies", "y"),
            ("es", "e"),
            ("es", ""),
            ("ed", "e"),
            ("ed", ""),
            ("ing", "e"),
            ("ing", ""),
        ],
        2 => &[("er", ""), ("est", ""), ("er", "e"), ("est", "e")],
        _ => &[],
    }
}

struct Part {
    /// Lemma to its synsets' byte offsets in the data file.
    index: HashMap<String, Vec<usize>>,
    /// Inflected form to its base forms.
    exceptions: HashMap<String, Vec<String>>,
    data: String,
}

pub struct WordNet {
    parts: Vec<Part>,
}

impl WordNet {
    pub fn open(dir: &Path) -> Result<WordNet> {
        let mut parts = vec![];
        for (_, name) in PARTS {
            let read = |file: String| {
                let path = dir.join(&file);
                std::fs::read_to_string(&path).with_context(|| {
                    format!(
                        "cannot read {}: --wordnet wants a WordNet 3.0 dict folder",
                        path.display()
                    )
                })
            };
            let index_text = read(format!("index.{name}"))?;
            let data = read(format!("data.{name}"))?;
            // Exception lists are optional (adverbs have few).
            let exceptions_text = read(format!("{name}.exc")).unwrap_or_default();
            parts.push(Part {
                index: parse_index(&index_text, &dir.join(format!("index.{name}")))?,
                exceptions: exceptions_text
                    .lines()
                    .filter_map(|l| {
                        let mut words = l.split_whitespace().map(str::to_owned);
                        Some((words.next()?, words.collect()))
                    })
                    .collect(),
                data,
            });
        }
        Ok(WordNet { parts })
    }

    /// The forms of `word` the index lists for part `p` (nltk's `_morphy`).
    fn base_forms(&self, word: &str, p: usize) -> Vec<&str> {
        let part = &self.parts[p];
        let mut candidates: Vec<String> = vec![word.to_owned()];
        match part.exceptions.get(word) {
            Some(bases) => candidates.extend(bases.iter().cloned()),
            None => candidates.extend(substitutions(p).iter().filter_map(|(old, new)| {
                word.strip_suffix(old).map(|stem| format!("{stem}{new}"))
            })),
        }
        let mut seen = HashSet::new();
        candidates
            .iter()
            .filter_map(|c| {
                part.index
                    .get_key_value(c.as_str())
                    .map(|(k, _)| k.as_str())
            })
            .filter(|k| seen.insert(*k))
            .collect()
    }

    /// The lemma names of the synset at `offset` of part `p`, adjective markers like `(a)` removed.
    fn lemma_names(&self, p: usize, offset: usize) -> Vec<&str> {
        let Some(line) = self.parts[p]
            .data
            .get(offset..)
            .and_then(|rest| rest.lines().next())
        else {
            return vec![];
        };
        let fields: Vec<&str> = line.split(' ').collect();
        let Some(count) = fields
            .get(3)
            .and_then(|c| usize::from_str_radix(c, 16).ok())
        else {
            return vec![];
        };
        (0..count)
            .filter_map(|i| fields.get(4 + 2 * i))
            .map(|name| match name.find('(') {
                Some(marker) if name.ends_with(')') => &name[..marker],
                _ => name,
            })
            .collect()
    }
}

impl Synonyms for WordNet {
    fn synonyms(&self, word: &str) -> Vec<String> {
        let word = word.to_lowercase();
        let mut names = vec![];
        for p in 0..PARTS.len() {
            for form in self.base_forms(&word, p) {
                for &offset in &self.parts[p].index[form] {
                    names.extend(
                        self.lemma_names(p, offset)
                            .into_iter()
                            .filter(|n| !n.contains('_'))
                            .map(str::to_owned),
                    );
                }
            }
        }
        names
    }
}

/// `lemma pos synset_cnt p_cnt [pointers] sense_cnt tagsense_cnt offsets…` lines; the licence
/// header lines start with spaces.
fn parse_index(text: &str, path: &Path) -> Result<HashMap<String, Vec<usize>>> {
    let mut index = HashMap::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with(' ') && !l.is_empty())
    {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let number = |i: usize| fields.get(i).and_then(|f| f.parse::<usize>().ok());
        let (Some(synsets), Some(pointers)) = (number(2), number(3)) else {
            bail!(
                "line {} of {} is not a WordNet index line",
                n + 1,
                path.display()
            );
        };
        let first = 4 + pointers + 2;
        let offsets: Option<Vec<usize>> = (first..first + synsets).map(number).collect();
        let Some(offsets) = offsets else {
            bail!(
                "line {} of {} lists fewer synset offsets than it says",
                n + 1,
                path.display()
            );
        };
        index.insert(fields[0].to_owned(), offsets);
    }
    Ok(index)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A two-synset noun database in WordNet's file formats (offsets are byte positions).
    fn tiny_wordnet() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let header = "  1 licence line\n";
        let first = "00000000 05 n 02 mouse 0 computer_mouse 0 000 | a device\n";
        let second_offset = header.len() + first.len();
        let data = format!(
            "{header}{first}{second_offset:08} 05 n 02 mouse 1 rodent(a) 0 000 | an animal\n"
        );
        let first_offset = header.len();
        std::fs::write(dir.path().join("data.noun"), data).unwrap();
        std::fs::write(
            dir.path().join("index.noun"),
            format!("{header}mouse n 2 0 2 0 {first_offset:08} {second_offset:08}\n"),
        )
        .unwrap();
        std::fs::write(dir.path().join("noun.exc"), "mice mouse\n").unwrap();
        for name in ["verb", "adj", "adv"] {
            std::fs::write(dir.path().join(format!("index.{name}")), header).unwrap();
            std::fs::write(dir.path().join(format!("data.{name}")), header).unwrap();
        }
        dir
    }

    #[test]
    fn exceptions_rules_and_markers() {
        let dir = tiny_wordnet();
        let wn = WordNet::open(dir.path()).unwrap();
        // Multi-word lemma names are left out; `(a)` markers are removed.
        assert_eq!(wn.synonyms("mouse"), ["mouse", "mouse", "rodent"]);
        assert_eq!(wn.synonyms("Mice"), ["mouse", "mouse", "rodent"]);
        assert_eq!(wn.synonyms("mouses"), ["mouse", "mouse", "rodent"]);
        assert!(wn.synonyms("cat").is_empty());
    }

    #[test]
    fn a_folder_without_the_files_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let err = WordNet::open(dir.path()).err().unwrap().to_string();
        assert!(
            err.contains("index.noun") && err.contains("WordNet 3.0"),
            "{err}"
        );
    }
}
