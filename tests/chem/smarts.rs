//! SMARTS match counts and MACCS keys against RDKit's, on the committed sample written by
//! `scripts/rdkit_smarts.py` (ChEBI-20 test molecules and approved drugs). With
//! `TEXTCHEM_SMARTS_REFERENCE=DIR` (written by `scripts/rdkit_smarts.py --full DIR`) the same
//! comparison runs on every molecule of both sets.

use textchem::chem::maccs::maccs_keys_prepared;
use textchem::chem::smarts::{PreparedMolecule, Smarts};
use textchem::chem::smiles::parse_molecule;

const PATTERNS: &str = include_str!("fixtures/smarts_patterns.txt");
const COUNTS: &str = include_str!("fixtures/smarts_counts.tsv");
const MACCS: &str = include_str!("fixtures/maccs_keys.tsv");

fn data_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
}

/// `(pairs compared, disagreements)` between our unique-match counts and RDKit's.
fn compare_counts(patterns: &str, counts: &str) -> (usize, Vec<String>) {
    let patterns: Vec<Smarts> = data_lines(patterns)
        .map(|s| Smarts::parse(s).unwrap_or_else(|e| panic!("{s}: {e}")))
        .collect();
    let mut pairs = 0;
    let mut disagreements = Vec::new();
    for line in data_lines(counts) {
        let fields: Vec<&str> = line.split('\t').collect();
        assert_eq!(
            fields.len(),
            patterns.len() + 1,
            "bad reference line {line}"
        );
        pairs += patterns.len();
        let mol = match parse_molecule(fields[0]) {
            Ok(m) => m,
            Err(e) => {
                disagreements.push(format!("{}: not read: {e}", fields[0]));
                continue;
            }
        };
        let target = PreparedMolecule::new(&mol);
        for (p, want) in patterns.iter().zip(&fields[1..]) {
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
    (pairs, disagreements)
}

/// `(molecules compared, disagreements)` between our MACCS keys and RDKit's.
fn compare_maccs(reference: &str) -> (usize, Vec<String>) {
    let mut molecules = 0;
    let mut disagreements = Vec::new();
    for line in data_lines(reference) {
        let (smiles, keys) = line.split_once('\t').expect("SMILES, keys");
        molecules += 1;
        let want: Vec<u32> = keys
            .split(' ')
            .filter(|k| !k.is_empty())
            .map(|k| k.parse().expect("key"))
            .collect();
        let got = match parse_molecule(smiles) {
            Ok(mol) => maccs_keys_prepared(&PreparedMolecule::new(&mol)),
            Err(e) => {
                disagreements.push(format!("{smiles}: not read: {e}"));
                continue;
            }
        };
        if got != want {
            let extra: Vec<&u32> = got.iter().filter(|k| !want.contains(k)).collect();
            let missing: Vec<&u32> = want.iter().filter(|k| !got.contains(k)).collect();
            disagreements.push(format!(
                "{smiles}: keys only ours {extra:?}, only RDKit's {missing:?}"
            ));
        }
    }
    (molecules, disagreements)
}

fn check(what: &str, total: usize, disagreements: &[String], min_rate: f64, min_total: usize) {
    let rate = 1.0 - disagreements.len() as f64 / total as f64;
    eprintln!(
        "{what}: {} of {total} differ from RDKit ({:.3}% agree)",
        disagreements.len(),
        rate * 100.0
    );
    for d in disagreements.iter().take(40) {
        eprintln!("  {d}");
    }
    assert!(total >= min_total, "{what}: reference too small ({total})");
    assert!(
        rate >= min_rate,
        "{what}: agreement {:.3}% below {:.1}%; disagreements:\n{}",
        rate * 100.0,
        min_rate * 100.0,
        disagreements.join("\n")
    );
}

#[test]
fn unique_match_counts_agree_with_rdkit() {
    let (pairs, disagreements) = compare_counts(PATTERNS, COUNTS);
    check("SMARTS counts", pairs, &disagreements, 0.999, 10_000);
}

#[test]
fn maccs_keys_agree_with_rdkit() {
    let (molecules, disagreements) = compare_maccs(MACCS);
    check("MACCS keys", molecules, &disagreements, 0.995, 250);
}

/// The full reference, when `TEXTCHEM_SMARTS_REFERENCE` names one.
fn full_reference(file: &str) -> Option<String> {
    let Ok(dir) = std::env::var("TEXTCHEM_SMARTS_REFERENCE") else {
        eprintln!("skipping: TEXTCHEM_SMARTS_REFERENCE not set");
        return None;
    };
    let path = std::path::Path::new(&dir).join(file);
    Some(std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

#[test]
fn full_reference_counts_agree_with_rdkit() {
    let (Some(patterns), Some(counts)) = (
        full_reference("smarts_patterns.txt"),
        full_reference("smarts_counts.tsv"),
    ) else {
        return;
    };
    let (pairs, disagreements) = compare_counts(&patterns, &counts);
    check(
        "SMARTS counts (full)",
        pairs,
        &disagreements,
        0.999,
        100_000,
    );
}

#[test]
fn full_reference_maccs_keys_agree_with_rdkit() {
    let Some(reference) = full_reference("maccs_keys.tsv") else {
        return;
    };
    let (molecules, disagreements) = compare_maccs(&reference);
    check("MACCS keys (full)", molecules, &disagreements, 0.995, 1_000);
}
