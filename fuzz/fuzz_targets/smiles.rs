//! Any byte string given to the SMILES and reaction readers must come back as a molecule or an
//! error, never a panic or a hang; an error's offset must lie within the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use textchem::chem::smiles::{parse_molecule, parse_reaction};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let chars = text.chars().count();
    if let Err(e) = parse_molecule(&text) {
        assert!(e.offset <= chars, "offset {} beyond {chars} chars", e.offset);
        let _ = e.to_string();
    }
    if let Err(e) = parse_reaction(&text) {
        assert!(e.offset <= chars, "offset {} beyond {chars} chars", e.offset);
    }
});
