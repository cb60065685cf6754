//! Writes the canonical SMILES (or the error) of every line of the given files, one output line
//! per input line: a regression dump for changes that must not change results, and a fixed
//! workload for profilers.
//!
//!     cargo run --release --example canon_dump -- FILE... > dump.txt
//!     valgrind --tool=callgrind target/release/examples/canon_dump FILE > /dev/null
//!
//! Lines containing `>` are read as reaction SMILES, others as `SMILES [|cx layer|]`; `\\` is
//! read as `\` (ChEBI-20's escaping).

use std::io::{BufWriter, Write};

use textchem::chem::canon::{canonical_reaction_smiles, canonical_smiles};
use textchem::chem::smiles::{parse_cxsmiles, parse_reaction};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::io::stdout();
    let mut out = BufWriter::new(out.lock());
    for path in std::env::args().skip(1) {
        let text = std::fs::read_to_string(&path)?;
        for line in text.lines() {
            let smiles = line.replace("\\\\", "\\");
            let result = if textchem::chem::smiles::is_reaction(&smiles) {
                parse_reaction(&smiles).map(|r| canonical_reaction_smiles(&r))
            } else {
                parse_cxsmiles(&smiles).map(|m| canonical_smiles(&m.molecule))
            };
            match result {
                Ok(s) => writeln!(out, "{s}")?,
                Err(e) => writeln!(out, "error: {e} | {e:?}")?,
            }
        }
    }
    Ok(())
}
