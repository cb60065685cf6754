//! Any byte string given to the SMILES and reaction readers must come back as a molecule or an
//! error, never a panic or a hang; an error's offset must lie within the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use textchem::chem::smiles::{SmilesError, parse_molecule, parse_reaction};

fn check(result: Result<(), SmilesError>, chars: usize) {
    if let Err(e) = result {
        assert!(e.offset <= chars, "{e} beyond {chars} chars");
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let chars = text.chars().count();
    check(parse_molecule(&text).map(drop), chars);
    check(parse_reaction(&text).map(drop), chars);
});
