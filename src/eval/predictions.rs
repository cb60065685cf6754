//! Reading a predictions file: one row per example with its reference and the model's
//! output(s). The MolT5 format is a tab-separated file with a header naming `ground truth` and
//! `output` (other columns ignored); a `.csv` file is read as quoted CSV instead.
//!
//! Ranked outputs (for top-k scores) are further columns named after the output column with a
//! rank suffix: `output`, `output_2`, `output_3`, … (`output` is rank 1; the ranks must follow
//! one another). An empty cell past rank 1 means the model gave fewer answers for that row.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

pub const REFERENCE_COLUMN: &str = "ground truth";
pub const OUTPUT_COLUMN: &str = "output";

/// One example: the reference and the outputs, best first (at least one, possibly empty).
#[derive(Debug, Clone, PartialEq)]
pub struct PredictionRow {
    pub reference: String,
    pub outputs: Vec<String>,
}

impl PredictionRow {
    /// The first-ranked output.
    pub fn best(&self) -> &str {
        &self.outputs[0]
    }
}

#[derive(Debug, Clone)]
pub struct Predictions {
    pub path: PathBuf,
    pub rows: Vec<PredictionRow>,
    /// How many ranked output columns the file has.
    pub ranks: usize,
}

/// The columns to read: the reference column and the (rank-1) output column.
#[derive(Debug, Clone)]
pub struct Columns {
    pub reference: String,
    pub output: String,
}

impl Default for Columns {
    fn default() -> Self {
        Columns {
            reference: REFERENCE_COLUMN.into(),
            output: OUTPUT_COLUMN.into(),
        }
    }
}

impl std::str::FromStr for Columns {
    type Err = String;

    /// `REF,PRED`.
    fn from_str(s: &str) -> Result<Self, String> {
        match s.split_once(',') {
            Some((r, p)) if !r.trim().is_empty() && !p.trim().is_empty() => Ok(Columns {
                reference: r.trim().into(),
                output: p.trim().into(),
            }),
            _ => Err(format!(
                "expected REFERENCE_COLUMN,OUTPUT_COLUMN, got {s:?}"
            )),
        }
    }
}

/// Whether `path` is read as CSV (by its extension) rather than TSV.
pub fn is_csv(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
}

pub fn read_predictions(path: &Path, columns: &Columns) -> Result<Predictions> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot open {}", path.display()))?;
    parse_predictions(path, &bytes, columns)
}

/// Reads predictions from `bytes` (`path` names the file in errors and picks TSV or CSV).
pub fn parse_predictions(path: &Path, bytes: &[u8], columns: &Columns) -> Result<Predictions> {
    let mut builder = csv::ReaderBuilder::new();
    if !is_csv(path) {
        // The MolT5 scripts read these files with quoting off: a `"` is text.
        builder.delimiter(b'\t').quoting(false);
    }
    let mut reader = builder.from_reader(bytes);
    let headers = reader
        .headers()
        .with_context(|| format!("cannot read the header row of {}", path.display()))?
        .clone();
    let find = |name: &str| headers.iter().position(|h| h.trim() == name);
    let names = || headers.iter().collect::<Vec<_>>().join(", ");
    let Some(reference) = find(&columns.reference) else {
        bail!(
            "{} has no column {:?} (its columns: {}); name the columns with --columns REF,PRED",
            path.display(),
            columns.reference,
            names()
        );
    };
    let Some(first) = find(&columns.output) else {
        bail!(
            "{} has no column {:?} (its columns: {}); name the columns with --columns REF,PRED",
            path.display(),
            columns.output,
            names()
        );
    };
    let mut outputs = vec![first];
    while let Some(next) = find(&format!("{}_{}", columns.output, outputs.len() + 1)) {
        outputs.push(next);
    }
    let mut rows = vec![];
    for record in reader.records() {
        let record = record.with_context(|| format!("{} is not a valid table", path.display()))?;
        let line = record.position().map_or(0, |p| p.line());
        let cell = |i: usize| -> Result<String> {
            record.get(i).map(str::to_owned).with_context(|| {
                format!(
                    "line {line} of {} has {} fields, fewer than the header's {}",
                    path.display(),
                    record.len(),
                    headers.len()
                )
            })
        };
        let mut ranked = vec![cell(first)?];
        for &i in &outputs[1..] {
            let text = cell(i)?;
            if text.is_empty() {
                break;
            }
            ranked.push(text);
        }
        rows.push(PredictionRow {
            reference: cell(reference)?,
            outputs: ranked,
        });
    }
    Ok(Predictions {
        path: path.to_owned(),
        rows,
        ranks: outputs.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsv_keeps_quotes_and_reads_ranked_columns() {
        let text = "SMILES\tground truth\toutput\toutput_2\nC\t\"a\" b\tx\ty\nN\tc\tz\t\n";
        let p =
            parse_predictions(Path::new("p.txt"), text.as_bytes(), &Columns::default()).unwrap();
        assert_eq!(p.ranks, 2);
        assert_eq!(p.rows[0].reference, "\"a\" b");
        assert_eq!(p.rows[0].outputs, ["x", "y"]);
        assert_eq!(p.rows[1].outputs, ["z"]);
    }

    #[test]
    fn csv_by_extension_and_named_columns() {
        let text = "ref,pred\n\"a, b\",c\n";
        let columns: Columns = "ref,pred".parse().unwrap();
        let p = parse_predictions(Path::new("p.CSV"), text.as_bytes(), &columns).unwrap();
        assert_eq!(p.rows[0].reference, "a, b");
        assert_eq!(p.rows[0].best(), "c");
    }

    #[test]
    fn missing_columns_and_short_rows_are_named() {
        let err =
            parse_predictions(Path::new("p.tsv"), b"a\tb\n", &Columns::default()).unwrap_err();
        assert!(
            err.to_string().contains("no column \"ground truth\""),
            "{err}"
        );
        let err = parse_predictions(
            Path::new("p.tsv"),
            b"ground truth\toutput\nx\n",
            &Columns::default(),
        )
        .unwrap_err();
        assert!(format!("{err:#}").contains("line: 2"), "{err:#}");
    }
}
