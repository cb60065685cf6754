//! SD files: several molecules in one file, each a MOL block followed by data fields
//! (name, SMILES as written, canonical SMILES, formula) and the `$$$$` separator, for
//! RDKit, KNIME, DataWarrior and registration systems.

use std::fmt::Write;

use crate::chem::Molecule;
use crate::chem::canon::canonical_smiles;
use crate::chem::props::formula::molecular_formula;

use super::molfile::mol_block;

/// One record: `mol` titled `name`, with `smiles` (as the user or model wrote it) among its
/// data fields.
pub fn sdf_record(mol: &Molecule, name: &str, smiles: &str) -> String {
    let mut s = mol_block(mol, name);
    data_field(&mut s, "name", name);
    data_field(&mut s, "smiles", smiles);
    data_field(&mut s, "canonical_smiles", &canonical_smiles(mol));
    data_field(&mut s, "formula", &molecular_formula(mol));
    s.push_str("$$$$\n");
    s
}

/// A data item: header line, one value line (a value cannot span lines: a blank line ends it),
/// blank line.
fn data_field(s: &mut String, name: &str, value: &str) {
    let value = value.lines().next().unwrap_or("");
    let _ = write!(s, "> <{name}>\n{value}\n\n");
}

/// Records for `entries` (name, SMILES), in order, skipping those that do not read; returns the
/// file and, for each skipped entry, its name and the reader's error. A CXSMILES layer is read
/// too, so enhanced stereo groups and coordinate bonds reach the MOL block.
pub fn to_sdf<'a>(
    entries: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> (String, Vec<(String, String)>) {
    let mut out = String::new();
    let mut skipped = Vec::new();
    for (name, smiles) in entries {
        match crate::chem::smiles::parse_cxsmiles(smiles) {
            Ok(m) => out.push_str(&sdf_record(&m.molecule, name, smiles)),
            Err(e) => skipped.push((name.to_owned(), e.to_string())),
        }
    }
    (out, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MOLECULES: &[(&str, &str)] = &[
        ("aspirin", "CC(=O)Oc1ccccc1C(=O)O"),
        ("acetate", "CC(=O)[O-]"),
        ("ammonium chloride", "[NH4+].[Cl-]"),
        ("heavy methane", "[13CH4]"),
        ("caffeine", "Cn1cnc2c1c(=O)n(C)c(=O)n2C"),
        ("pyrrole", "c1cc[nH]c1"),
        ("L-alanine", "C[C@@H](C(=O)O)N"),
    ];

    #[test]
    fn records_have_counts_fields_and_separators() {
        let (sdf, skipped) = to_sdf(
            MOLECULES
                .iter()
                .copied()
                .chain([("broken", "C1CC")].iter().copied()),
        );
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0].0, "broken");
        let records: Vec<&str> = sdf.split_terminator("$$$$\n").collect();
        assert_eq!(records.len(), MOLECULES.len());
        for (record, (name, smiles)) in records.iter().zip(MOLECULES) {
            let lines: Vec<&str> = record.lines().collect();
            assert_eq!(lines[0], *name);
            assert!(lines[3].ends_with("V2000"), "{}", lines[3]);
            let m = crate::chem::smiles::parse_molecule(smiles).unwrap();
            let atoms: usize = lines[3][..3].trim().parse().unwrap();
            let bonds: usize = lines[3][3..6].trim().parse().unwrap();
            assert_eq!((atoms, bonds), (m.atom_count(), m.bond_count()));
            let end = lines.iter().position(|l| *l == "M  END").unwrap();
            let fields = &lines[end + 1..];
            let value = |f: &str| {
                let k = fields
                    .iter()
                    .position(|l| *l == format!("> <{f}>"))
                    .unwrap();
                fields[k + 1]
            };
            assert_eq!(value("name"), *name);
            assert_eq!(value("smiles"), *smiles);
            assert_eq!(value("canonical_smiles"), canonical_smiles(&m));
            assert_eq!(value("formula"), molecular_formula(&m));
        }
        assert!(sdf.contains("> <formula>\nC9H8O4\n\n"));
    }

    fn have_rdkit() -> bool {
        std::process::Command::new("python3")
            .args(["-c", "import rdkit"])
            .output()
            .is_ok_and(|o| o.status.success())
    }

    /// Runs scripts/check_sdf_rdkit.py on `sdf`: its exit status and standard output.
    fn rdkit_check(sdf: &str) -> (std::process::Output, String) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("check.sdf");
        std::fs::write(&path, sdf).unwrap();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/check_sdf_rdkit.py");
        let out = std::process::Command::new("python3")
            .arg(script)
            .arg(&path)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        (out, stdout)
    }

    /// RDKit reads the file back: same molecules (canonical SMILES compared by RDKit) and
    /// fields. Skipped where python3 with RDKit is not installed.
    #[test]
    fn rdkit_reads_the_records_back() {
        if !have_rdkit() {
            eprintln!("skipping: python3 with rdkit is not installed");
            return;
        }
        let (out, stdout) = rdkit_check(&to_sdf(MOLECULES.iter().copied()).0);
        assert!(
            out.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.contains(&format!("{} records", MOLECULES.len())),
            "{stdout}"
        );
    }

    /// Stereo that MOL blocks carry: tetrahedral centres (wedges, ring and chain, implicit H
    /// or four neighbours, a sulfoxide's lone pair), cis/trans from the coordinates, an open
    /// double bond, enhanced stereo groups and coordinate bonds (V3000).
    const STEREO: &[(&str, &str)] = &[
        ("L-alanine", "C[C@@H](C(=O)O)N"),
        ("(R)-butan-2-ol", "CC[C@@H](C)O"),
        ("quaternary", "C[C@](F)(Cl)CC"),
        ("menthol", "CC(C)[C@@H]1CC[C@@H](C)C[C@H]1O"),
        // Centres with two of their three ring bonds drawn in line: the wedge goes on one of
        // those two, where the sense can be read.
        ("CID 160614", "C1CCN2C[C@@H]3C[C@H]([C@@H]2C1)CN4C3=CCCC4"),
        (
            "retapamulin",
            "C=C[C@]1(C)C[C@@H](OC(=O)CS[C@@H]2C[C@H]3CC[C@@H](C2)N3C)[C@]2(C)[C@H](C)CC[C@]3(CCC(=O)\
             [C@H]32)[C@@H](C)[C@@H]1O",
        ),
        ("sulfoxide", "C[S@](=O)CC"),
        ("E-but-2-ene", "C/C=C/C"),
        ("Z-but-2-ene", "C/C=C\\C"),
        ("but-2-ene", "CC=CC"),
        (
            "tamoxifen",
            "CC/C(=C(\\c1ccccc1)c1ccc(OCCN(C)C)cc1)c1ccccc1",
        ),
        ("or and and", "C[C@H](O)C[C@@H](C)O |o1:1,&2:4|"),
        ("absolute group", "C[C@H](O)CC |a:1|"),
        ("cisplatin", "[NH3]->[Pt](Cl)(Cl)<-[NH3]"),
    ];

    /// RDKit reads each molecule back as the same stereoisomer (scripts/check_sdf_rdkit.py
    /// compares isomeric SMILES and stereo groups).
    #[test]
    fn rdkit_reads_the_configurations_back() {
        if !have_rdkit() {
            eprintln!("skipping: python3 with rdkit is not installed");
            return;
        }
        let (sdf, skipped) = to_sdf(STEREO.iter().copied());
        assert!(skipped.is_empty(), "{skipped:?}");
        let (out, stdout) = rdkit_check(&sdf);
        let n = STEREO.len();
        assert!(out.status.success(), "{stdout}");
        assert!(
            stdout.contains(&format!(
                "{n} records, 0 problems; stereo kept: {n}/{n} (ours)"
            )),
            "{stdout}"
        );
    }

    /// The 2,628 approved drugs of the shared data (when present) go through an SD file and
    /// RDKit reads every one back as the same molecule with the same formula, and at least as
    /// many as the same stereoisomer as after RDKit's own MOL round trip (the one left is
    /// moxidectin, whose 16-membered ring has a trans double bond at a ring fusion, which the
    /// layout does not redraw).
    #[test]
    fn approved_drugs_survive_the_rdkit_round_trip() {
        let tsv = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/data/drugs/chembl_approved_drugs.rdkit.tsv"
        );
        let Ok(text) = std::fs::read_to_string(tsv) else {
            eprintln!("skipping: {tsv} is not here");
            return;
        };
        if !have_rdkit() {
            eprintln!("skipping: python3 with rdkit is not installed");
            return;
        }
        // RDKit's own rejects (a non-empty error column) are left out.
        let rows: Vec<(&str, &str)> = text
            .lines()
            .skip(1)
            .filter_map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                (f.len() > 8 && f[8].is_empty()).then(|| (f[0], f[1]))
            })
            .collect();
        let (sdf, skipped) = to_sdf(rows.iter().copied());
        assert!(skipped.is_empty(), "{skipped:?}");
        let (_, stdout) = rdkit_check(&sdf);
        let summary = stdout.lines().last().unwrap_or("");
        eprintln!("{summary}");
        assert!(
            summary.starts_with(&format!("{} records,", rows.len())),
            "{stdout}"
        );
        let others: Vec<&str> = stdout
            .lines()
            .filter(|l| l.starts_with("record ") && !l.contains(" stereo: "))
            .collect();
        assert!(others.is_empty(), "{stdout}");
        // "stereo kept: S/N (ours), R/N (RDKit's own MOL round trip)"
        let counts: Vec<usize> = summary
            .split("stereo kept: ")
            .nth(1)
            .unwrap_or("")
            .split(", ")
            .filter_map(|part| part.split('/').next()?.parse().ok())
            .collect();
        let [ours, rdkit] = counts[..] else {
            panic!("{summary}");
        };
        // Measured: 2627 (RDKit's own: 2626).
        assert!(ours >= 2627 && ours >= rdkit, "{stdout}");
    }
}
