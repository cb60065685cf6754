//! Molecular properties against RDKit 2026.09 reference values.
//!
//! Fixtures (`tests/fixtures/chem/*_rdkit.tsv`, made by `scripts/rdkit_reference.py`) hold
//! samples of ChEBI-20, the approved drugs and USPTO reaction species; the full ChEBI-20 and
//! drug sets are compared when `../shared` is present. Any other reference file made by the
//! script can be compared with `TEXTCHEM_RDKIT_REFERENCE=FILE cargo test --test chem full_`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use textchem::chem::Molecule;
use textchem::chem::props::{Properties, counts};
use textchem::chem::smiles::parse_molecule;

use crate::shared_path;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/chem")
        .join(name)
}

fn parse(smiles: &str) -> Molecule {
    parse_molecule(smiles).unwrap_or_else(|e| panic!("{smiles}: {e}"))
}

fn props(smiles: &str) -> Properties {
    Properties::of(&parse(smiles)).unwrap()
}

/// Our value of one reference column, formatted as the reference file writes it.
fn ours(column: &str, mol: &Molecule, p: &Properties) -> Option<String> {
    Some(match column {
        "formula" => p.formula.clone(),
        "monoisotopic_mass" => format!("{:.6}", p.monoisotopic_mass),
        "average_mass" => format!("{:.4}", p.average_mass),
        "heavy_atoms" => p.heavy_atoms.to_string(),
        "hcounts" => {
            let h: Vec<String> = counts::hydrogen_counts(mol)
                .iter()
                .map(|(_, h)| h.to_string())
                .collect();
            h.join(" ")
        }
        "logp" => format!("{:.4}", p.logp),
        "tpsa" => format!("{:.2}", p.tpsa),
        "hbd" => p.donors.to_string(),
        "hba" => p.acceptors.to_string(),
        "nhoh" => p.lipinski_hbd.to_string(),
        "no" => p.lipinski_hba.to_string(),
        "rotatable_bonds" => p.rotatable_bonds.to_string(),
        "rings" => p.rings.to_string(),
        "formal_charge" => p.formal_charge.to_string(),
        _ => return None,
    })
}

/// Numbers within rounding of the printed digits count as equal (the reference prints
/// 4 decimals of logP and 2 of TPSA).
fn same(column: &str, theirs: &str, ours: &str) -> bool {
    match column {
        "logp" | "tpsa" => match (theirs.parse::<f64>(), ours.parse::<f64>()) {
            (Ok(a), Ok(b)) => (a - b).abs() < if column == "logp" { 2e-4 } else { 0.011 },
            _ => false,
        },
        _ => theirs == ours,
    }
}

#[derive(Default, Debug)]
struct Agreement {
    /// Molecules RDKit reads and textchem reads too.
    molecules: usize,
    /// Molecules RDKit reads and textchem rejects: SMILES and our error.
    unread: Vec<String>,
    /// Column → (rows that differ, first few examples).
    differ: BTreeMap<String, (usize, Vec<String>)>,
}

impl Agreement {
    fn count(&self, column: &str) -> usize {
        self.differ.get(column).map_or(0, |d| d.0)
    }

    fn note(&mut self, column: &str, example: String) {
        let entry = self.differ.entry(column.to_string()).or_default();
        entry.0 += 1;
        if entry.1.len() < 5 {
            entry.1.push(example);
        }
    }
}

/// Compares every row RDKit accepted in a reference TSV (`id, smiles, ...columns`); SMILES we
/// cannot read are listed apart (the reader's bar, checked by `every_reference_molecule_is_read`).
fn compare(path: &Path) -> Agreement {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines().filter(|l| !l.starts_with('#'));
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let error_col = header.iter().position(|h| *h == "error").unwrap();
    let mut agreement = Agreement::default();
    for line in lines {
        let fields: Vec<&str> = line.split('\t').collect();
        if !fields[error_col].is_empty() {
            continue;
        }
        let smiles = fields[1];
        let mol = match parse_molecule(smiles) {
            Ok(m) => m,
            Err(e) => {
                agreement.unread.push(format!("{smiles}: {e}"));
                continue;
            }
        };
        agreement.molecules += 1;
        let computed = Properties::of(&mol).map_err(|e| e.to_string());
        for (k, column) in header.iter().enumerate().skip(2) {
            let got = match &computed {
                Ok(p) => ours(column, &mol, p),
                Err(e) => Some(format!("error: {e}")),
            };
            if let Some(got) = got
                && !same(column, fields[k], &got)
            {
                let example = format!("{smiles}: RDKit {} ours {got}", fields[k]);
                agreement.note(column, example);
            }
        }
    }
    agreement
}

/// Formula, both masses, heavy atoms and per-atom H counts must agree on every molecule.
fn assert_exact_columns(name: &str, a: &Agreement) {
    for column in [
        "formula",
        "monoisotopic_mass",
        "average_mass",
        "heavy_atoms",
        "hcounts",
    ] {
        assert_eq!(
            a.count(column),
            0,
            "{name}: {column} differs from RDKit for {} of {} molecules: {:?}",
            a.count(column),
            a.molecules,
            a.differ.get(column)
        );
    }
}

/// Descriptors must agree on at least `min` of the molecules.
fn assert_descriptors(name: &str, a: &Agreement, min: f64) {
    for column in [
        "logp",
        "tpsa",
        "hbd",
        "hba",
        "nhoh",
        "no",
        "rotatable_bonds",
    ] {
        let share = 1.0 - a.count(column) as f64 / a.molecules as f64;
        assert!(
            share >= min,
            "{name}: {column} agrees with RDKit on only {:.2}%: {:?}",
            share * 100.0,
            a.differ.get(column)
        );
    }
}

const FIXTURES: [&str; 5] = [
    "chebi20_test_rdkit.tsv",
    "chebi20_validation_rdkit.tsv",
    "drugs_rdkit.tsv",
    "uspto50k_species_rdkit.tsv",
    "uspto_mit_species_rdkit.tsv",
];

#[test]
fn fixtures_agree_with_rdkit() {
    for name in FIXTURES {
        let a = compare(&fixture(name));
        assert!(a.molecules >= 500, "{name}: only {} rows", a.molecules);
        assert_exact_columns(name, &a);
        assert_descriptors(name, &a, 0.998);
    }
}

/// Made by ../shared/eval/rdkit_props.py with RDKit 2026.09 (formula, masses, H counts).
const SHARED_REFERENCES: [&str; 3] = [
    "data/chebi20/test.rdkit.tsv",
    "data/chebi20/validation.rdkit.tsv",
    "data/drugs/chembl_approved_drugs.rdkit.tsv",
];

#[test]
fn full_chebi20_and_drug_sets_agree_with_rdkit() {
    for rel in SHARED_REFERENCES {
        let Some(path) = shared_path(rel) else {
            return;
        };
        let a = compare(&path);
        assert!(a.molecules > 2000);
        assert_exact_columns(rel, &a);
    }
}

/// SMILES of a reference file (RDKit-accepted rows) that textchem cannot read, with the error.
fn unread(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            let rdkit_rejects = fields.last().is_some_and(|e| !e.is_empty());
            if rdkit_rejects {
                return None;
            }
            parse_molecule(fields[1])
                .err()
                .map(|e| format!("{}: {e}", fields[1]))
        })
        .collect()
}

#[test]
fn every_reference_molecule_is_read() {
    let mut unread_smiles = Vec::new();
    for name in FIXTURES {
        unread_smiles.extend(unread(&fixture(name)));
    }
    for rel in SHARED_REFERENCES {
        if let Some(path) = shared_path(rel) {
            unread_smiles.extend(unread(&path));
        }
    }
    let unread = unread_smiles;
    assert!(
        unread.is_empty(),
        "{} molecules RDKit reads are rejected: {unread:#?}",
        unread.len()
    );
}

#[test]
fn full_reference_file_from_the_environment_agrees_with_rdkit() {
    let Some(path) = std::env::var_os("TEXTCHEM_RDKIT_REFERENCE") else {
        eprintln!("skipping: TEXTCHEM_RDKIT_REFERENCE not set");
        return;
    };
    let a = compare(Path::new(&path));
    eprintln!(
        "{} molecules compared, {} not read: {:?}",
        a.molecules,
        a.unread.len(),
        a.unread
    );
    for (column, (n, examples)) in &a.differ {
        eprintln!("{column}: {n} of {} differ, e.g. {examples:?}", a.molecules);
    }
    assert_exact_columns(&path.to_string_lossy(), &a);
}

#[test]
fn ethanol_weighs_46_069_and_46_041865() {
    let p = props("CCO");
    assert_eq!(p.formula, "C2H6O");
    assert_eq!(format!("{:.3}", p.average_mass), "46.069");
    assert_eq!(format!("{:.6}", p.monoisotopic_mass), "46.041865");
}

#[test]
fn acetate_formula_carries_the_charge() {
    let p = props("CC(=O)[O-]");
    assert_eq!(p.formula, "C2H3O2-");
    assert_eq!(p.formal_charge, -1);
    assert_eq!(format!("{:.6}", p.monoisotopic_mass), "59.013853");
}

#[test]
fn labelled_methane_and_deuterium() {
    let p = props("[13CH4]");
    assert_eq!(p.formula, "CH4");
    assert_eq!(format!("{:.6}", p.monoisotopic_mass), "17.034655");
    let p = props("[2H]");
    assert_eq!((p.formula.as_str(), p.heavy_atoms), ("H", 0));
    assert_eq!(format!("{:.6}", p.monoisotopic_mass), "2.014102");
    // Explicit graph hydrogens count as H.
    let p = props("[H]C([H])([H])[H]");
    assert_eq!((p.formula.as_str(), p.heavy_atoms), ("CH4", 1));
    assert_eq!(
        counts::hydrogen_counts(&parse("[H]C([H])([H])[H]")).len(),
        1
    );
}

#[test]
fn sodium_chloride_is_clna() {
    let p = props("[Na+].[Cl-]");
    assert_eq!(p.formula, "ClNa");
    assert_eq!(format!("{:.4}", p.average_mass), "58.4430");
    assert_eq!(format!("{:.6}", p.monoisotopic_mass), "57.958622");
}

#[test]
fn aspirin_logp_and_tpsa_match_rdkit() {
    // RDKit 2026.09: Crippen.MolLogP 1.3101, CalcTPSA 63.60 (Ertl's paper also gives 63.6);
    // the Kekulé form must give the same values.
    for smiles in ["CC(=O)Oc1ccccc1C(=O)O", "CC(=O)OC1=CC=CC=C1C(=O)O"] {
        let p = props(smiles);
        assert!((p.logp - 1.3101).abs() < 1e-3, "{smiles}: logP {}", p.logp);
        assert!((p.tpsa - 63.60).abs() < 1e-6, "{smiles}: TPSA {}", p.tpsa);
        assert_eq!(
            (p.lipinski_hbd, p.lipinski_hba, p.rotatable_bonds),
            (1, 4, 2)
        );
    }
}

#[test]
fn crippen_and_tpsa_types_match_rdkit_on_functional_groups() {
    // (SMILES, RDKit 2026.09 Crippen.MolLogP, CalcTPSA): one molecule per atom-type family,
    // including the TPSA fallback for types Ertl's table lacks (water, ammonium, azide).
    let cases = [
        ("O", -0.8247, 31.50),
        ("[NH4+]", 0.3762, 36.50),
        ("c1cc[nH]c1", 1.0147, 15.79),
        ("[O-][n+]1ccccc1", 0.3200, 26.94),
        ("O=[N+]([O-])c1ccccc1", 1.5948, 43.14),
        ("CC(=O)O", 0.0909, 37.30),
        ("Oc1ccccc1", 1.3922, 20.23),
        ("Clc1ccccc1", 2.3400, 0.00),
        ("FC(F)(F)c1ccccc1", 2.7054, 0.00),
        ("O=Cc1ccccc1", 1.4991, 17.07),
        ("NC=O", -0.8985, 43.09),
        ("CS(C)=O", -0.0053, 17.07),
        ("c1ccsc1", 1.7481, 0.00),
        ("c1ccc(P(c2ccccc2)c2ccccc2)cc1", 3.4448, 0.00),
        ("CN=[N+]=[N-]", 0.9265, 48.76),
        ("C1CO1", 0.0166, 12.53),
        ("C1CN1", -0.4104, 21.94),
        ("N#Cc1ccccc1", 1.5583, 23.79),
        ("C[N+](C)(C)C", 0.3224, 0.00),
        ("[Na+].[Cl-]", -5.9920, 0.00),
        ("CC(C)(C)c1ccccc1", 2.9841, 0.00),
        ("C=CC#C", 0.8056, 0.00),
        // Hypervalent drawings are typed in RDKit's charge-separated form.
        ("CN(=O)=O", -0.1071, 43.14),
        ("C[N+](=O)[O-]", -0.1071, 43.14),
        ("[O-]Cl(=O)(=O)=O", -4.7560, 92.24),
        ("CN=N#N", 0.9265, 48.76),
        ("[O-2].[Zn+2]", -0.1213, 28.50),
    ];
    for (smiles, logp, tpsa) in cases {
        let p = props(smiles);
        assert!(
            (p.logp - logp).abs() < 1e-4,
            "{smiles}: logP {} vs {logp}",
            p.logp
        );
        assert!(
            (p.tpsa - tpsa).abs() < 1e-6,
            "{smiles}: TPSA {} vs {tpsa}",
            p.tpsa
        );
    }
}
