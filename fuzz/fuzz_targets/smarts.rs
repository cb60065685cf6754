//! Any byte string given to the SMARTS reader must come back as a pattern or an error (its column
//! within the input), never a panic or a hang; a pattern that parses is matched against a few
//! molecules under a small step limit, and its counts must agree with its yes/no answer.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use textchem::chem::smarts::{PreparedMolecule, Smarts};
use textchem::chem::smiles::parse_molecule;

const MOLECULES: &[&str] = &[
    "CC(=O)Oc1ccccc1C(=O)O",
    "C[N+](C)(C)CC(=O)[O-].[Na+].[Cl-]",
    "C12CCC(CC1)CC2",
    "[2H]OC1=CC=C[nH]1",
    "O=S(=O)(N)c1ccc2c(c1)C3CC2CC3",
];

fn targets() -> &'static [PreparedMolecule] {
    static T: OnceLock<Vec<PreparedMolecule>> = OnceLock::new();
    T.get_or_init(|| {
        MOLECULES
            .iter()
            .map(|s| PreparedMolecule::new(&parse_molecule(s).expect("seed molecule")))
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let chars = text.chars().count();
    match Smarts::parse(&text) {
        Err(e) => assert!(e.column <= chars, "{e} beyond {chars} chars"),
        Ok(p) => {
            for t in targets() {
                if let Ok(m) = p.matches_limited(t, 20_000) {
                    let mut sets: Vec<Vec<usize>> = m
                        .iter()
                        .map(|m| {
                            let mut s: Vec<usize> = m.iter().map(|a| a.index()).collect();
                            s.sort_unstable();
                            s
                        })
                        .collect();
                    let n = sets.len();
                    sets.sort();
                    sets.dedup();
                    assert_eq!(sets.len(), n, "matches not unique");
                    assert_eq!(p.is_match_prepared(t), n > 0);
                }
            }
        }
    }
});
