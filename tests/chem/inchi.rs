//! Standard InChI and InChIKey against RDKit 2026.09's `MolToInchi` / `MolToInchiKey`.
//!
//! The fixture (`tests/fixtures/chem/inchi_rdkit.tsv`, made by `scripts/rdkit_inchi.py`) holds
//! 500 molecules of ChEBI-20 test and the approved drugs, most with stereo or charges. Any other
//! reference file made by the script can be compared with
//! `TEXTCHEM_INCHI_REFERENCE=FILE cargo test --test chem inchi` (see `docs/inchi.md`).

use std::path::{Path, PathBuf};

use textchem::chem::inchi::inchi;
use textchem::chem::smiles::parse_molecule;

struct Row {
    id: String,
    smiles: String,
    inchi: String,
    key: String,
}

fn reference_rows(path: &Path) -> Vec<Row> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines().filter(|l| !l.starts_with('#'));
    let header: Vec<&str> = lines.next().expect("header").split('\t').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).expect(name);
    let (id, smiles, inchi, key, error) = (
        col("id"),
        col("smiles"),
        col("inchi"),
        col("inchikey"),
        col("error"),
    );
    lines
        .map(|l| l.split('\t').collect::<Vec<&str>>())
        .filter(|f| f[error].is_empty())
        .map(|f| Row {
            id: f[id].to_string(),
            smiles: f[smiles].to_string(),
            inchi: f[inchi].to_string(),
            key: f[key].to_string(),
        })
        .collect()
}

/// The rows whose InChIKey differs from RDKit's, each described for the failure message.
fn disagreements(rows: &[Row]) -> Vec<String> {
    rows.iter()
        .filter_map(|r| {
            let ours = parse_molecule(&r.smiles)
                .map_err(|e| e.to_string())
                .and_then(|m| inchi(&m).map_err(|e| e.to_string()));
            match ours {
                Ok(o) if o.key == r.key => None,
                Ok(o) => Some(format!(
                    "{} {}\n  rdkit    {}\n  textchem {}",
                    r.id, r.smiles, r.inchi, o.inchi
                )),
                Err(e) => Some(format!(
                    "{} {}\n  rdkit    {}\n  error    {e}",
                    r.id, r.smiles, r.inchi
                )),
            }
        })
        .collect()
}

fn assert_agreement(rows: &[Row], at_least: f64) {
    assert!(!rows.is_empty());
    let wrong = disagreements(rows);
    let share = 1.0 - wrong.len() as f64 / rows.len() as f64;
    eprintln!(
        "InChIKey identical on {}/{} ({:.2}%)",
        rows.len() - wrong.len(),
        rows.len(),
        100.0 * share
    );
    assert!(
        share >= at_least,
        "{} of {} InChIKeys differ from RDKit's:\n{}",
        wrong.len(),
        rows.len(),
        wrong.join("\n")
    );
}

#[test]
fn inchikeys_match_rdkit_on_the_fixture() {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/chem/inchi_rdkit.tsv");
    let rows = reference_rows(&path);
    assert_eq!(rows.len(), 500);
    assert!(
        rows.iter()
            .filter(|r| r.inchi.contains("/t") || r.inchi.contains("/b"))
            .count()
            >= 200
    );
    assert!(
        rows.iter()
            .filter(|r| r.inchi.contains("/q") || r.inchi.contains("/p"))
            .count()
            >= 50
    );
    assert_agreement(&rows, 0.999);
}

#[test]
fn inchikeys_match_rdkit_on_a_named_reference() {
    let Some(path) = std::env::var_os("TEXTCHEM_INCHI_REFERENCE") else {
        eprintln!("skipping: TEXTCHEM_INCHI_REFERENCE not set");
        return;
    };
    assert_agreement(&reference_rows(Path::new(&path)), 0.999);
}
