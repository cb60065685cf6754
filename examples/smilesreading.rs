//! Writes textchem's answers to NextMove's SMILES-reading benchmark.
//!
//! For every `2-aromaticsmiles/<set>/<writer>.smi(.gz)` of the benchmark it writes
//! `OUT/textchem_reading_<writer>.txt`: per input line `<title> h1 h2 ...` (total hydrogens on each
//! atom in SMILES order) or `# <title> <ErrorKind>`, the format `smilesreading_score.py` scores.
//!
//!     cargo run --release --example smilesreading -- ../shared/data/smilesreading /tmp/sr
//!     python3 ../shared/eval/smilesreading_score.py hcount --mine-dir /tmp/sr --name textchem

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::Path;
use std::time::Instant;

use textchem::chem::smiles::parse_molecule;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [data, out, rest @ ..] = args.as_slice() else {
        return Err("usage: smilesreading BENCHMARK_DIR OUT_DIR [SET=chembl]".into());
    };
    let set = rest.first().map_or("chembl", String::as_str);
    std::fs::create_dir_all(out)?;
    let dir = Path::new(data).join("2-aromaticsmiles").join(set);
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().contains(".smi"))
        .collect();
    inputs.sort();
    let start = Instant::now();
    let (mut molecules, mut errors) = (0usize, 0usize);
    for path in inputs {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let writer = name.split(".smi").next().unwrap_or_default().to_string();
        let reader: Box<dyn Read> = if name.ends_with(".gz") {
            Box::new(flate2::read::GzDecoder::new(File::open(&path)?))
        } else {
            Box::new(File::open(&path)?)
        };
        let out_path = Path::new(out).join(format!("textchem_reading_{writer}.txt"));
        let mut w = BufWriter::new(File::create(out_path)?);
        for line in BufReader::new(reader).lines() {
            let line = line?;
            let parts: Vec<&str> = line.split_whitespace().collect();
            match parts.as_slice() {
                [] => {}
                [title] => writeln!(w, "# {title} No_input")?,
                [smiles, .., title] => {
                    molecules += 1;
                    match parse_molecule(smiles) {
                        Ok(mol) => {
                            let h: Vec<String> = mol
                                .atoms()
                                .map(|a| mol.atom(a).hydrogens.to_string())
                                .collect();
                            writeln!(w, "{title} {}", h.join(" "))?;
                        }
                        Err(e) => {
                            errors += 1;
                            writeln!(w, "# {title} {:?}", e.kind)?;
                        }
                    }
                }
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "{molecules} SMILES read, {errors} rejected, {secs:.2} s ({:.0} SMILES/s, including gunzip and output)",
        molecules as f64 / secs
    );
    Ok(())
}
