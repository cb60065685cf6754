//! Writes the canonical SMILES (or the error) of every line of the given files, one output line
//! per input line: a regression dump for changes that must not change results, and a fixed
//! workload for profilers.
//!
//!     cargo run --release --example canon_dump -- [--cx] FILE... > dump.txt
//!     valgrind --tool=callgrind target/release/examples/canon_dump FILE > /dev/null
//!
//! Lines containing `>` are read as reaction SMILES, others as `SMILES [|cx layer|]`, both with
//! an optional CXSMILES layer; `\\` is read as `\` (ChEBI-20's escaping). With `--cx` the output
//! is canonical CXSMILES (labels, radicals and stereo groups in the layer) instead of canonical
//! SMILES. A `.sdf` or `.mol` file gives one output line per record instead (its molecule's
//! canonical SMILES, or `error: line N: ...`).

use std::io::{BufWriter, Write};

use textchem::chem::canon::{
    canonical_cxsmiles, canonical_reaction_cxsmiles, canonical_reaction_smiles, canonical_smiles,
};
use textchem::chem::molfile::sd_records;
use textchem::chem::smiles::{parse_cxreaction, parse_cxsmiles};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::io::stdout();
    let mut out = BufWriter::new(out.lock());
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cx = args.iter().any(|a| a == "--cx");
    for path in args.iter().filter(|a| *a != "--cx") {
        let text = std::fs::read_to_string(path)?;
        if path.ends_with(".sdf") || path.ends_with(".mol") {
            for record in sd_records(&text) {
                match record.molecule {
                    Ok(m) if cx => writeln!(out, "{}", canonical_cxsmiles(&m))?,
                    Ok(m) => writeln!(out, "{}", canonical_smiles(&m))?,
                    Err(e) => writeln!(out, "error: {e}")?,
                }
            }
            continue;
        }
        for line in text.lines() {
            let smiles = line.replace("\\\\", "\\");
            let result = if textchem::chem::smiles::is_reaction(&smiles) {
                parse_cxreaction(&smiles).map(|r| match cx {
                    true => canonical_reaction_cxsmiles(&r.reaction),
                    false => canonical_reaction_smiles(&r.reaction),
                })
            } else {
                parse_cxsmiles(&smiles).map(|m| match cx {
                    true => canonical_cxsmiles(&m.molecule),
                    false => canonical_smiles(&m.molecule),
                })
            };
            match result {
                Ok(s) => writeln!(out, "{s}")?,
                Err(e) => writeln!(out, "error: {e} | {e:?}")?,
            }
        }
    }
    Ok(())
}
