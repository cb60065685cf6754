//! Morgan and RDKit path fingerprints, and Tanimoto similarities, against RDKit 2026.09.
//!
//! Fixtures (made by `scripts/rdkit_fingerprints.py`, see `tests/fixtures/chem/README.md`):
//! `fingerprints.tsv` holds 100 random molecules each of ChEBI-20 test and the approved drugs
//! with RDKit's Morgan bits (r=2, 2048), Morgan counts (r=2) and path fingerprint;
//! `fingerprint_tanimoto.tsv` holds pairs with RDKit's Tanimoto on each. The full sets are
//! compared by the script's `compare` mode (docs/fingerprints.md).

use std::path::Path;

use textchem::chem::fingerprint::{
    Fingerprint, FingerprintBits, RdkitPathOptions, morgan_bits, morgan_counts, rdkit_path_bits,
};
use textchem::chem::smiles::parse_molecule;

/// The data rows of a fixture, split at tabs (comment lines and the header skipped).
fn rows(name: &str) -> Vec<Vec<String>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/chem")
        .join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .skip(1)
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

/// The bits of a fixture's hex column: character k holds bits 4k..4k+3, lowest bit first.
fn hex_bits(hex: &str) -> Vec<u32> {
    let mut bits = Vec::new();
    for (k, c) in hex.chars().enumerate() {
        let nibble = c.to_digit(16).expect("hex digit");
        for b in 0..4 {
            if nibble & (1 << b) != 0 {
                bits.push(4 * k as u32 + b);
            }
        }
    }
    bits
}

fn numbers(text: &str) -> Vec<u32> {
    text.split_whitespace()
        .map(|n| n.parse().expect("a bit index"))
        .collect()
}

/// One fingerprint's agreement over the fixture: fails when under `threshold` (a fraction),
/// listing every disagreement.
fn check_agreement(
    what: &str,
    threshold: f64,
    mut same: impl FnMut(&[String]) -> Result<(), String>,
) {
    let rows = rows("fingerprints.tsv");
    assert!(rows.len() >= 200, "fixture has {} rows", rows.len());
    let mut bad = Vec::new();
    for row in &rows {
        if let Err(why) = same(row) {
            bad.push(format!("{} {}: {why}", row[1], row[2]));
        }
    }
    let agree = (rows.len() - bad.len()) as f64 / rows.len() as f64;
    eprintln!(
        "{what}: {}/{} identical",
        rows.len() - bad.len(),
        rows.len()
    );
    assert!(
        agree >= threshold,
        "{what}: {:.2}% identical, under {:.1}%:\n{}",
        100.0 * agree,
        100.0 * threshold,
        bad.join("\n")
    );
}

/// Bits compared as sets, with the differences named.
fn compare_bits(ours: &[u32], theirs: &[u32]) -> Result<(), String> {
    if ours == theirs {
        return Ok(());
    }
    let missing: Vec<_> = theirs.iter().filter(|b| !ours.contains(b)).collect();
    let extra: Vec<_> = ours.iter().filter(|b| !theirs.contains(b)).collect();
    Err(format!("missing {missing:?}, extra {extra:?}"))
}

#[test]
fn morgan_bits_equal_rdkits() {
    check_agreement("Morgan r=2 2048 bits", 0.995, |row| {
        let mol = parse_molecule(&row[2]).map_err(|e| e.to_string())?;
        let ours: Vec<u32> = morgan_bits(&mol, 2, 2048).on_bits().collect();
        compare_bits(&ours, &numbers(&row[3]))
    });
}

#[test]
fn morgan_counts_equal_rdkits() {
    check_agreement("Morgan r=2 counts", 0.995, |row| {
        let mol = parse_molecule(&row[2]).map_err(|e| e.to_string())?;
        let ours = morgan_counts(&mol, 2).to_text();
        if ours == row[4] {
            Ok(())
        } else {
            Err(format!("ours {ours}, RDKit {}", row[4]))
        }
    });
}

#[test]
fn rdkit_path_bits_equal_rdkits() {
    check_agreement("RDKit path fingerprint", 0.99, |row| {
        let mol = parse_molecule(&row[2]).map_err(|e| e.to_string())?;
        let ours: Vec<u32> = rdkit_path_bits(&mol, &RdkitPathOptions::default())
            .map_err(|e| e.to_string())?
            .on_bits()
            .collect();
        compare_bits(&ours, &hex_bits(&row[5]))
    });
}

#[test]
fn tanimoto_values_equal_rdkits() {
    let rows = rows("fingerprint_tanimoto.tsv");
    assert!(rows.len() >= 50);
    let mut bad = Vec::new();
    let path = RdkitPathOptions::default();
    for row in &rows {
        let a = parse_molecule(&row[0]).unwrap();
        let b = parse_molecule(&row[1]).unwrap();
        let bits = |m| Fingerprint::Bits(morgan_bits(m, 2, 2048));
        let counts = |m| Fingerprint::Counts(morgan_counts(m, 2));
        let paths = |m| Fingerprint::Bits(rdkit_path_bits(m, &path).unwrap());
        let ours = [
            bits(&a).tanimoto(&bits(&b)).unwrap(),
            counts(&a).tanimoto(&counts(&b)).unwrap(),
            paths(&a).tanimoto(&paths(&b)).unwrap(),
        ];
        for (k, (&mine, theirs)) in ours.iter().zip(&row[2..5]).enumerate() {
            let theirs: f64 = theirs.parse().unwrap();
            if (mine - theirs).abs() > 1e-12 {
                bad.push(format!(
                    "{} / {} [{k}]: ours {mine}, RDKit {theirs}",
                    row[0], row[1]
                ));
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn folding_a_count_fingerprint_gives_the_bit_fingerprint() {
    let mol = parse_molecule("CN1C=NC2=C1C(=O)N(C(=O)N2C)C").unwrap();
    let folded: FingerprintBits = morgan_counts(&mol, 2).fold(2048);
    assert_eq!(folded, morgan_bits(&mol, 2, 2048));
    // Radius 3 adds environments; radius 0 is the atom invariants alone.
    assert!(morgan_counts(&mol, 3).len() > morgan_counts(&mol, 2).len());
    assert_eq!(morgan_counts(&mol, 0).total(), 14);
}

/// Every way of writing a molecule gives its one fingerprint: the dialects fixture writes 400
/// molecules as RDKit's canonical, Kekulé, random-order, explicit-H, bracket-H and hypervalent
/// SMILES, and RDKit gives each molecule one fingerprint in all of them.
#[test]
fn fingerprints_do_not_depend_on_how_the_smiles_is_written() {
    let fixture = include_str!("../fixtures/chem/rdkit_dialects_normalisation.tsv");
    let path = RdkitPathOptions::default();
    let mut first: std::collections::HashMap<String, (String, FingerprintBits, FingerprintBits)> =
        std::collections::HashMap::new();
    let mut bad = Vec::new();
    let mut compared = 0;
    for line in fixture.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let fields: Vec<&str> = line.split('\t').collect();
        let (id, dialect, smiles) = (fields[0], fields[1], fields[2]);
        let Ok(mol) = parse_molecule(smiles) else {
            continue;
        };
        let morgan = morgan_bits(&mol, 2, 2048);
        let paths = rdkit_path_bits(&mol, &path).unwrap();
        match first.get(id) {
            None => {
                first.insert(id.to_string(), (dialect.to_string(), morgan, paths));
            }
            Some((first_dialect, m, p)) => {
                compared += 1;
                if *m != morgan || *p != paths {
                    bad.push(format!(
                        "{id}: {dialect} differs from {first_dialect}: {smiles}"
                    ));
                }
            }
        }
    }
    assert!(compared >= 1500, "only {compared} comparisons");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
