//! Reading MOL blocks and SD files: RDKit's blocks against RDKit's reading of them
//! (`scripts/rdkit_molblocks.py fixture`), and textchem's own blocks read back.

use textchem::chem::canon::canonical_smiles;
use textchem::chem::molfile::{parse_mol_block, sd_records};
use textchem::chem::smiles::{parse_cxsmiles, parse_molecule};
use textchem::export::molfile::mol_block;

fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/chem")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every block RDKit wrote (2D V2000 with and without the chiral flag, V3000, 3D with hydrogen
/// atoms, dative bonds, enhanced stereo) gives the molecule RDKit reads from it: compared
/// through textchem, as textchem's canonical SMILES of the block and of RDKit's canonical
/// (CX)SMILES.
#[test]
fn rdkit_blocks_read_as_rdkit_reads_them() {
    let text = fixture("rdkit_molblocks.sdf");
    let mut misses = Vec::new();
    let mut count = 0;
    for record in sd_records(&text) {
        count += 1;
        let form = record.field("form").unwrap_or("").to_owned();
        let expected = record.field("rdkit").expect("rdkit field").to_owned();
        let want = canonical_smiles(
            &parse_cxsmiles(&expected)
                .unwrap_or_else(|e| panic!("{expected}: {e}"))
                .molecule,
        );
        match &record.molecule {
            Ok(m) => {
                let got = canonical_smiles(m);
                if got != want {
                    misses.push(format!("{} ({form}): {got} != {want}", record.title));
                }
            }
            Err(e) => misses.push(format!("{} ({form}): {e}", record.title)),
        }
    }
    assert!(count >= 150, "{count} records");
    assert!(
        misses.is_empty(),
        "{} of {count}:\n{}",
        misses.len(),
        misses.join("\n")
    );
}

/// textchem's own MOL blocks of the drugs fixture read back as the molecule written, stereo
/// included.
#[test]
fn own_blocks_read_back_as_the_same_molecule() {
    let text = fixture("drugs_rdkit.tsv");
    let mut misses = Vec::new();
    let mut count = 0;
    for line in text.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let mut cols = line.split('\t');
        let (Some(id), Some(smiles)) = (cols.next(), cols.next()) else {
            continue;
        };
        let Ok(m) = parse_molecule(smiles) else {
            continue;
        };
        count += 1;
        let want = canonical_smiles(&m);
        let block = mol_block(&m, id);
        match parse_mol_block(&block) {
            Ok(back) => {
                let got = canonical_smiles(&back);
                if got != want {
                    misses.push(format!("{id}: {got} != {want}"));
                }
            }
            Err(e) => misses.push(format!("{id}: {e}")),
        }
    }
    assert!(count > 900, "{count} molecules");
    assert!(
        misses.is_empty(),
        "{} of {count}:\n{}",
        misses.len(),
        misses.join("\n")
    );
}
