//! Any byte string given to the SMILES, CXSMILES and reaction readers must come back as a
//! molecule or an error, never a panic or a hang; an error's offset and a warning's column must
//! lie within the input. What the CXSMILES readers (molecules and reactions) accept is also
//! written canonically (layers, labels, enhanced stereo groups and dative bonds go through the
//! writer).
#![no_main]

use libfuzzer_sys::fuzz_target;
use textchem::chem::canon::{
    canonical_cxsmiles, canonical_reaction_cxsmiles, canonical_reaction_smiles, canonical_smiles,
};
use textchem::chem::smiles::{
    SmilesError, parse_cxreaction, parse_cxsmiles, parse_molecule, parse_reaction,
};

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
    match parse_cxsmiles(&text) {
        Ok(cx) => {
            for w in &cx.warnings {
                assert!(w.column <= chars, "{w} beyond {chars} chars");
            }
            canonical_smiles(&cx.molecule);
            canonical_cxsmiles(&cx.molecule);
        }
        Err(e) => check(Err(e), chars),
    }
    match parse_cxreaction(&text) {
        Ok(cx) => {
            for w in &cx.warnings {
                assert!(w.column <= chars, "{w} beyond {chars} chars");
            }
            canonical_reaction_smiles(&cx.reaction);
            canonical_reaction_cxsmiles(&cx.reaction);
        }
        Err(e) => check(Err(e), chars),
    }
});
