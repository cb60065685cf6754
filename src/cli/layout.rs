//! `textchem layout [FILE|-]`: 2D coordinates for every SMILES of a file, one JSON object per
//! line, in the format `../shared/eval/layout_metrics.py --coords` scores.

use std::io::{BufWriter, Write};

use super::lines::{Lines, open_input};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use serde_json::json;

use crate::chem::smiles::parse_molecule;
use crate::depict::layout::layout;

#[derive(clap::Args, Debug)]
pub struct LayoutArgs {
    /// Input: lines of `SMILES [id]`, or the ChEBI-20 TSV (CID<TAB>SMILES<TAB>description, with
    /// its header line); `-` or nothing reads standard input.
    pub input: Option<PathBuf>,
}

pub fn run(args: &LayoutArgs) -> anyhow::Result<()> {
    let reader = open_input(args.input.as_deref())?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut tsv = false;
    for line in Lines::new(reader) {
        let (number, line) = line.context("reading input")?;
        // Ids default to 0-based line numbers, as the metrics script counts.
        let k = number - 1;
        let line = match line {
            Ok(line) => line,
            Err(e) => {
                let error = format!("line {number}: {e}");
                writeln!(out, "{}", json!({"id": k.to_string(), "error": error}))?;
                continue;
            }
        };
        if k == 0 && is_tsv_header(&line) {
            tsv = true;
            continue;
        }
        let Some((id, smiles)) = split_record(&line, k, tsv) else {
            continue;
        };
        writeln!(out, "{}", record(&id, &smiles))?;
    }
    out.flush()?;
    Ok(())
}

fn is_tsv_header(line: &str) -> bool {
    line.contains('\t')
        && matches!(
            line.split('\t')
                .next()
                .map(|f| f.trim().to_ascii_uppercase())
                .as_deref(),
            Some("CID") | Some("ID")
        )
}

/// (id, SMILES) of one input line; `None` for blank and `#` comment lines. A line without an id
/// is named by its 0-based line number, as the metrics script does.
fn split_record(line: &str, k: usize, tsv: bool) -> Option<(String, String)> {
    if tsv {
        let mut f = line.split('\t');
        let id = f.next()?.trim().to_string();
        // ChEBI-20 writes some backslashes doubled (an escaping artefact): read `\\` as `\`.
        let smiles = f.next()?.trim().replace("\\\\", "\\");
        return (!smiles.is_empty()).then_some((id, smiles));
    }
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let mut parts = line.splitn(2, char::is_whitespace);
    let smiles = parts.next()?.to_string();
    let id = parts
        .next()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| k.to_string());
    Some((id, smiles))
}

/// The JSON record for one molecule: coordinates and bonds, or the reason there are none.
fn record(id: &str, smiles: &str) -> serde_json::Value {
    let t0 = Instant::now();
    let mol = match parse_molecule(smiles) {
        Ok(m) => m,
        Err(e) => return json!({"id": id, "error": format!("parse: {e}")}),
    };
    let t1 = Instant::now();
    let pos = layout(&mol);
    let t2 = Instant::now();
    let atoms: Vec<[f64; 2]> = pos.iter().map(|p| [round(p.x), round(p.y)]).collect();
    let bonds: Vec<[usize; 2]> = mol
        .bonds()
        .map(|b| {
            let (x, y) = mol.bond_atoms(b);
            [x.index(), y.index()]
        })
        .collect();
    json!({
        "id": id,
        "atoms": atoms,
        "bonds": bonds,
        "t_parse": (t1 - t0).as_secs_f64(),
        "t_layout": (t2 - t1).as_secs_f64(),
    })
}

/// Four decimals are far below drawing resolution and keep the output compact.
fn round(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_smi_and_chebi_lines() {
        assert_eq!(
            split_record("CCO ethanol", 3, false),
            Some(("ethanol".into(), "CCO".into()))
        );
        assert_eq!(
            split_record("CCO", 3, false),
            Some(("3".into(), "CCO".into()))
        );
        assert_eq!(split_record("  ", 1, false), None);
        assert!(is_tsv_header("CID\tSMILES\tdescription"));
        assert_eq!(
            split_record("42\tC/C=C\\\\C\tdesc", 1, true),
            Some(("42".into(), "C/C=C\\C".into()))
        );
    }

    #[test]
    fn bad_smiles_gives_an_error_record() {
        let r = record("x", "C1CC");
        assert_eq!(r["id"], "x");
        assert!(r["error"].as_str().unwrap().starts_with("parse"));
        let ok = record("y", "CCO");
        assert_eq!(ok["atoms"].as_array().unwrap().len(), 3);
        assert_eq!(ok["bonds"].as_array().unwrap().len(), 2);
    }
}
