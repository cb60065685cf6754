//! `textchem match SMARTS [FILE|-]`: the number of unique matches of a SMARTS pattern in each
//! SMILES line, as CSV `id,matches,error`.
//!
//! Lines are read as `props` reads them (`SMILES [id]`, split at spaces and tabs; blank lines
//! skipped; a line that cannot be read gets a row with its error and the run goes on). Matches
//! are unique by atom set, as RDKit's `GetSubstructMatches` counts them.

use std::io::{self, BufRead, BufWriter, Write};
use std::path::PathBuf;

use super::lines::{LineError, open_input, rows_in_chunks};
use super::props::write_record;
use crate::chem::props::table::{line_molecule, split_line, warning_text};
use crate::chem::smarts::{MAX_SEARCH_STEPS, PreparedMolecule, Smarts};
use crate::chem::smiles::is_reaction;

#[derive(clap::Args, Debug)]
pub struct MatchArgs {
    /// The SMARTS pattern (quote it for the shell).
    pub smarts: String,
    /// File with one SMILES per line (`SMILES [id]`); `-` or nothing reads standard input.
    pub input: Option<PathBuf>,
}

const COLUMNS: [&str; 3] = ["id", "matches", "error"];

pub fn run(args: MatchArgs) -> anyhow::Result<()> {
    let pattern = Smarts::parse(&args.smarts).map_err(|e| {
        anyhow::anyhow!(
            "bad SMARTS: {e}\n  {}\n  {}^",
            args.smarts,
            " ".repeat(e.column)
        )
    })?;
    let input = open_input(args.input.as_deref())?;
    let mut out = BufWriter::new(io::stdout().lock());
    write_matches(&pattern, input, &mut out)?;
    out.flush()?;
    Ok(())
}

/// Reads SMILES lines from `input` and writes the CSV (header included) to `out`, rows in input
/// order; chunks of lines are matched on every core.
pub fn write_matches(
    pattern: &Smarts,
    input: impl BufRead,
    out: &mut impl Write,
) -> io::Result<()> {
    write_record(out, &COLUMNS)?;
    rows_in_chunks(
        input,
        |number, text| line_row(pattern, number, text),
        |rows| rows.iter().try_for_each(|row| write_record(out, row)),
    )
}

/// The row for one input line; `None` for a blank line.
fn line_row(
    pattern: &Smarts,
    number: usize,
    text: Result<String, LineError>,
) -> Option<[String; 3]> {
    let text = match text {
        Ok(t) => t,
        Err(e) => {
            return Some([
                number.to_string(),
                String::new(),
                format!("line {number}: {e}"),
            ]);
        }
    };
    let line = split_line(&text)?;
    let id = line.id.map_or_else(|| number.to_string(), str::to_string);
    let result = if is_reaction(line.smiles) {
        Err("a reaction SMILES: match takes molecules".to_string())
    } else {
        line_molecule(&text, &line)
            .map_err(|e| e.to_string())
            .and_then(|(mol, warnings)| {
                pattern
                    .matches_limited(&PreparedMolecule::new(&mol), MAX_SEARCH_STEPS)
                    .map(|m| (m.len(), warning_text(&warnings)))
                    .map_err(|e| e.to_string())
            })
    };
    Some(match result {
        Ok((n, warnings)) => [id, n.to_string(), warnings],
        Err(e) => [id, String::new(), e],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(pattern: &str, input: &str) -> String {
        let mut out = Vec::new();
        let p = Smarts::parse(pattern).unwrap();
        write_matches(&p, input.as_bytes(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn counts_unique_matches_per_line_in_input_order() {
        let out = csv("[OX2H]", "OCCO glycol\nC1CC bad\n\nc1ccccc1O\nCC>>CC rxn\n");
        let rows: Vec<&str> = out.lines().collect();
        assert_eq!(rows[0], "id,matches,error");
        assert_eq!(rows[1], "glycol,2,");
        assert!(
            rows[2].starts_with("bad,,") && rows[2].contains("column"),
            "{}",
            rows[2]
        );
        assert_eq!(rows[3], "4,1,");
        assert!(rows[4].starts_with("rxn,,"), "{}", rows[4]);
        assert_eq!(rows.len(), 5);
    }

    #[test]
    fn a_cxsmiles_layer_is_read_and_what_it_loses_is_a_warning() {
        // The radical makes the ethyl carbon's H count 2; a label past the last atom is dropped.
        let out = csv("[CH2;v3]", "C[CH2] |^1:1| radical\nCC |$R;;x$| labelled\n");
        let rows: Vec<&str> = out.lines().collect();
        assert_eq!(rows[1], "radical,1,");
        assert!(
            rows[2].starts_with("labelled,0,warning:") && rows[2].contains("column"),
            "{}",
            rows[2]
        );
    }

    #[test]
    fn a_bad_pattern_is_an_error_with_its_column() {
        let args = MatchArgs {
            smarts: "C(=O".to_string(),
            input: Some(PathBuf::from("/nonexistent")),
        };
        let e = run(args).unwrap_err().to_string();
        assert!(e.contains("bad SMARTS") && e.contains("column 1"), "{e}");
    }
}
