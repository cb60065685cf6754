//! Any byte string given to the MOL block and SD file readers must come back as molecules or
//! errors, never a panic, a hang or an allocation the input does not pay for (counts lines
//! claiming millions of atoms); an error's line must lie within the input. What reads is also
//! written canonically.
#![no_main]

use libfuzzer_sys::fuzz_target;
use textchem::chem::canon::canonical_smiles;
use textchem::chem::molfile::{MolfileError, read_mol_block, read_pasted_mol_block, sd_records};

fn check(result: Result<textchem::chem::Molecule, MolfileError>, lines: usize) {
    match result {
        Ok(m) => {
            canonical_smiles(&m);
        }
        Err(e) => assert!(e.line >= 1 && e.line <= lines + 1, "{e} beyond {lines} lines"),
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let lines = text.lines().count();
    check(read_mol_block(&text).map(|b| b.molecule), lines);
    check(read_pasted_mol_block(&text).map(|b| b.molecule), lines);
    for record in sd_records(&text) {
        assert!(record.line <= lines, "record at line {} of {lines}", record.line);
        check(record.molecule, lines);
    }
});
