//! SMARTS match counts and MACCS keys against RDKit's, on the committed sample written by
//! `scripts/rdkit_smarts.py` (ChEBI-20 test molecules and approved drugs).

use textchem::chem::smarts::{PreparedMolecule, Smarts};
use textchem::chem::smiles::parse_molecule;

const PATTERNS: &str = include_str!("fixtures/smarts_patterns.txt");
const COUNTS: &str = include_str!("fixtures/smarts_counts.tsv");

fn data_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
}

#[test]
fn unique_match_counts_agree_with_rdkit() {
    let patterns: Vec<Smarts> = data_lines(PATTERNS)
        .map(|s| Smarts::parse(s).unwrap_or_else(|e| panic!("{s}: {e}")))
        .collect();
    let mut pairs = 0;
    let mut disagreements = Vec::new();
    for line in data_lines(COUNTS) {
        let fields: Vec<&str> = line.split('\t').collect();
        assert_eq!(fields.len(), patterns.len() + 1, "bad fixture line {line}");
        let mol = match parse_molecule(fields[0]) {
            Ok(m) => m,
            Err(e) => {
                pairs += patterns.len();
                disagreements.push(format!("{}: not read: {e}", fields[0]));
                continue;
            }
        };
        let target = PreparedMolecule::new(&mol);
        for (p, want) in patterns.iter().zip(&fields[1..]) {
            pairs += 1;
            let want: usize = want.parse().expect("count");
            let got = p.count_unique_prepared(&target);
            if got != want {
                disagreements.push(format!(
                    "{} {}: ours {got}, RDKit {want}",
                    fields[0],
                    p.as_str()
                ));
            }
        }
    }
    let rate = 1.0 - disagreements.len() as f64 / pairs as f64;
    eprintln!(
        "SMARTS counts: {} of {pairs} (molecule, pattern) pairs differ from RDKit",
        disagreements.len()
    );
    for d in disagreements.iter().take(40) {
        eprintln!("  {d}");
    }
    assert!(pairs > 10_000, "fixture too small: {pairs} pairs");
    assert!(
        rate >= 0.999,
        "agreement {:.4}% over {pairs} pairs; disagreements:\n{}",
        rate * 100.0,
        disagreements.join("\n")
    );
}
