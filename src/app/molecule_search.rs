//! The history panel's molecule searches over every SMILES in the history: substructure (a
//! SMARTS pattern; a plain SMILES is one too) and similarity (Morgan radius 2 on 2048 bits,
//! Tanimoto, as RDKit's `GetMorganFingerprintAsBitVect(m, 2, 2048)`). Each SMILES is read,
//! prepared and fingerprinted once, and each pattern matched against it once; new work is done a
//! time budget at a time, so a long history never stalls a frame.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::chem::fingerprint::{FingerprintBits, morgan_bits, tanimoto_bits};
use crate::chem::smarts::{PreparedMolecule, Smarts, SmartsError};
use crate::chem::smiles::parse_molecule;
use crate::depict::highlight::Highlight;

/// Morgan radius and bit count of "Similar to this".
pub const MORGAN_RADIUS: u32 = 2;
pub const MORGAN_BITS: u32 = 2048;

/// What one SMILES gives the searches, computed once.
struct Indexed {
    prepared: PreparedMolecule,
    fingerprint: FingerprintBits,
    /// Every bond as its two atoms, to mark those between two matched atoms.
    bonds: Vec<(usize, usize)>,
}

struct Pattern {
    text: String,
    parsed: Result<Smarts, SmartsError>,
    /// By SMILES: the atoms and bonds the pattern covers, `None` when it does not occur.
    hits: HashMap<String, Option<Highlight>>,
}

struct Similar {
    smiles: String,
    /// `None` when the reference does not read as a molecule.
    fingerprint: Option<FingerprintBits>,
}

#[derive(Default)]
pub struct MoleculeSearch {
    /// By trimmed SMILES; `None` for text that is not a molecule (prose, reactions).
    molecules: HashMap<String, Option<Indexed>>,
    pattern: Option<Pattern>,
    similar: Option<Similar>,
}

/// Bounded like the analysis cache: a long session must not keep every molecule alive.
const MAX_MOLECULES: usize = 20_000;

impl MoleculeSearch {
    /// Sets the substructure pattern (`None`: no substructure search); a new text is parsed at
    /// once and its matches recomputed as `step` is called.
    pub fn set_pattern(&mut self, text: Option<&str>) {
        let text = text.map(str::trim).filter(|t| !t.is_empty());
        if self.pattern.as_ref().map(|p| p.text.as_str()) == text {
            return;
        }
        self.pattern = text.map(|t| Pattern {
            text: t.to_owned(),
            parsed: Smarts::parse(t),
            hits: HashMap::new(),
        });
    }

    /// Why the pattern does not parse (message and column).
    pub fn pattern_error(&self) -> Option<&SmartsError> {
        self.pattern.as_ref()?.parsed.as_ref().err()
    }

    pub fn pattern_active(&self) -> bool {
        self.pattern.is_some()
    }

    /// Sets the molecule "Similar to this" compares with (`None`: no similarity ordering).
    pub fn set_similar(&mut self, smiles: Option<&str>) {
        let smiles = smiles.map(str::trim);
        if self.similar.as_ref().map(|s| s.smiles.as_str()) == smiles {
            return;
        }
        self.similar = smiles.map(|s| Similar {
            smiles: s.to_owned(),
            fingerprint: parse_molecule(s)
                .ok()
                .map(|m| morgan_bits(&m, MORGAN_RADIUS, MORGAN_BITS)),
        });
    }

    pub fn similar_to(&self) -> Option<&str> {
        self.similar.as_ref().map(|s| s.smiles.as_str())
    }

    /// Does the work `smiles` still need for the active searches, for at most `budget`; returns
    /// how many of them are left for later frames.
    pub fn step<'a>(
        &mut self,
        smiles: impl IntoIterator<Item = &'a str>,
        budget: Duration,
    ) -> usize {
        let start = Instant::now();
        let mut left = 0;
        for s in smiles {
            let s = s.trim();
            if !self.needs_work(s) {
                continue;
            }
            if start.elapsed() >= budget {
                left += 1;
                continue;
            }
            self.index(s);
            self.match_pattern(s);
        }
        left
    }

    fn needs_work(&self, s: &str) -> bool {
        let pattern_pending = self
            .pattern
            .as_ref()
            .is_some_and(|p| p.parsed.is_ok() && !p.hits.contains_key(s));
        let index_pending = self.similar.is_some() && !self.molecules.contains_key(s);
        pattern_pending || index_pending
    }

    fn index(&mut self, s: &str) {
        if self.molecules.contains_key(s) {
            return;
        }
        if self.molecules.len() >= MAX_MOLECULES {
            self.molecules.clear();
        }
        // Reactions and prose are not searched as molecules.
        let indexed = (!crate::chem::smiles::is_reaction(s) && !s.contains(char::is_whitespace))
            .then(|| parse_molecule(s).ok())
            .flatten()
            .map(|m| Indexed {
                prepared: PreparedMolecule::new(&m),
                fingerprint: morgan_bits(&m, MORGAN_RADIUS, MORGAN_BITS),
                bonds: m
                    .bonds_with_atoms()
                    .map(|(a, b, _)| (a.index(), b.index()))
                    .collect(),
            });
        self.molecules.insert(s.to_owned(), indexed);
    }

    fn match_pattern(&mut self, s: &str) {
        let Some(p) = &mut self.pattern else { return };
        let Ok(smarts) = &p.parsed else { return };
        if p.hits.contains_key(s) {
            return;
        }
        let hit = self
            .molecules
            .get(s)
            .and_then(Option::as_ref)
            .and_then(|m| {
                let found = smarts.matches_prepared(&m.prepared);
                if found.is_empty() {
                    return None;
                }
                let mut atoms: Vec<usize> = found.iter().flatten().map(|a| a.index()).collect();
                atoms.sort_unstable();
                atoms.dedup();
                let bonds = m
                    .bonds
                    .iter()
                    .copied()
                    .filter(|(a, b)| {
                        found.iter().any(|f| {
                            f.iter().any(|x| x.index() == *a) && f.iter().any(|x| x.index() == *b)
                        })
                    })
                    .collect();
                Some(Highlight { atoms, bonds })
            });
        p.hits.insert(s.to_owned(), hit);
    }

    /// Whether the pattern occurs in `smiles`: `None` while not yet computed, or with no
    /// (valid) pattern.
    pub fn contains(&self, smiles: &str) -> Option<bool> {
        let p = self.pattern.as_ref()?;
        p.parsed.as_ref().ok()?;
        p.hits.get(smiles.trim()).map(Option::is_some)
    }

    /// The atoms and bonds the pattern covers in `smiles`, once computed.
    pub fn highlight(&self, smiles: &str) -> Option<&Highlight> {
        self.pattern.as_ref()?.hits.get(smiles.trim())?.as_ref()
    }

    /// Tanimoto similarity of `smiles` to the "Similar to this" molecule, once indexed; `None`
    /// for text that is not a molecule.
    pub fn similarity(&self, smiles: &str) -> Option<f64> {
        let reference = self.similar.as_ref()?.fingerprint.as_ref()?;
        let m = self.molecules.get(smiles.trim())?.as_ref()?;
        Some(tanimoto_bits(reference, &m.fingerprint))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: Duration = Duration::from_secs(3600);

    #[test]
    fn a_pattern_finds_and_marks_the_molecules_that_contain_it() {
        let mut s = MoleculeSearch::default();
        s.set_pattern(Some("C(=O)[OH]"));
        let history = ["CC(=O)Oc1ccccc1C(=O)O", "c1ccccc1", "CCO", "a sentence"];
        assert_eq!(s.step(history, ALL), 0);
        assert_eq!(s.contains("CC(=O)Oc1ccccc1C(=O)O"), Some(true));
        assert_eq!(s.contains("c1ccccc1"), Some(false));
        assert_eq!(s.contains("a sentence"), Some(false));
        assert_eq!(s.contains("never seen"), None);
        let h = s.highlight("CC(=O)Oc1ccccc1C(=O)O").unwrap();
        // The acid carbon and its two oxygens, and the two bonds between them.
        assert_eq!(h.atoms, vec![10, 11, 12]);
        assert_eq!(h.bonds.len(), 2, "{h:?}");
    }

    #[test]
    fn an_invalid_pattern_reports_its_column_and_matches_nothing() {
        let mut s = MoleculeSearch::default();
        s.set_pattern(Some("C(=O"));
        assert_eq!(s.step(["CC(=O)O"], ALL), 0);
        let e = s.pattern_error().unwrap();
        assert!(e.to_string().contains("column"), "{e}");
        assert_eq!(s.contains("CC(=O)O"), None);
    }

    #[test]
    fn broken_patterns_are_errors_with_a_column_never_panics() {
        let mut s = MoleculeSearch::default();
        for text in [
            "[", "C(", ")", "c1cc", "[C@@@@@", "C$(", "[#999]", "C=", "[N;!", "**>",
        ] {
            s.set_pattern(Some(text));
            assert_eq!(s.step(["CC(=O)Oc1ccccc1C(=O)O", "c1ccccc1"], ALL), 0);
            match s.pattern_error() {
                Some(e) => {
                    assert!(e.column <= text.len(), "{text}: {e}");
                    assert_eq!(s.contains("c1ccccc1"), None, "{text}");
                }
                None => assert!(s.contains("c1ccccc1").is_some(), "{text}"),
            }
        }
    }

    #[test]
    fn similarity_is_one_for_the_same_molecule_in_another_atom_order() {
        let mut s = MoleculeSearch::default();
        s.set_similar(Some("CC(=O)Oc1ccccc1C(=O)O"));
        s.step(["OC(=O)c1ccccc1OC(C)=O", "CCO"], ALL);
        assert_eq!(s.similarity("OC(=O)c1ccccc1OC(C)=O"), Some(1.0));
        assert!(s.similarity("CCO").unwrap() < 0.2);
    }

    #[test]
    fn work_past_the_budget_is_left_for_later_steps() {
        let mut s = MoleculeSearch::default();
        s.set_pattern(Some("c1ccccc1"));
        let many: Vec<String> = (1..200)
            .map(|n| format!("c1ccccc1{}", "C".repeat(n)))
            .collect();
        let left = s.step(many.iter().map(String::as_str), Duration::ZERO);
        assert_eq!(left, many.len());
        assert_eq!(s.step(many.iter().map(String::as_str), ALL), 0);
        assert!(many.iter().all(|m| s.contains(m) == Some(true)));
    }
}
