//! Writes one SD file (textchem's SDF export) from tables of SMILES, for checking the MOL
//! blocks against another toolkit's reading:
//!
//!     cargo run -j1 --example sdf_export -- TABLE... > out.sdf
//!     python3 scripts/check_sdf_rdkit.py out.sdf
//!
//! Each table has a header row; tab-separated if the header has a tab, CSV otherwise. The
//! `smiles` column (any case) is read, and the record named by the first of `name`,
//! `pref_name`, `cid` present (else the row number). `\\` is read as `\` (ChEBI-20's escaping).
//! Rows that do not read are left out and listed on standard error.

use std::io::Write;

use textchem::export::sdf::to_sdf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut entries: Vec<(String, String)> = Vec::new();
    for path in std::env::args().skip(1) {
        let text = std::fs::read_to_string(&path)?;
        let header = text.lines().next().unwrap_or("");
        let delimiter = if header.contains('\t') { b'\t' } else { b',' };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .quoting(delimiter == b',')
            .flexible(true)
            .from_reader(text.as_bytes());
        let columns: Vec<String> = reader
            .headers()?
            .iter()
            .map(|h| h.to_ascii_lowercase())
            .collect();
        let find = |name: &str| columns.iter().position(|c| c == name);
        let smiles = find("smiles").ok_or(format!("{path}: no smiles column"))?;
        let name = ["name", "pref_name", "cid"].iter().find_map(|n| find(n));
        for (row, record) in reader.records().enumerate() {
            let record = record?;
            let s = record.get(smiles).unwrap_or("").replace("\\\\", "\\");
            let n = name
                .and_then(|k| record.get(k))
                .map_or_else(|| (row + 1).to_string(), str::to_owned);
            entries.push((n, s));
        }
    }
    let (sdf, skipped) = to_sdf(entries.iter().map(|(n, s)| (n.as_str(), s.as_str())));
    for (name, error) in &skipped {
        eprintln!("skipped {name}: {error}");
    }
    std::io::stdout().lock().write_all(sdf.as_bytes())?;
    Ok(())
}
