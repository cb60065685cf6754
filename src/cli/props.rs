//! `textchem props [FILE|-]`: molecular properties of SMILES lines, or of the records of an SD
//! or MOL file (`.sdf`, `.sd`, `.mol`), as CSV.
//!
//! The columns and each line's row come from `chem::props::table`; this module reads the lines,
//! computes chunks of them on every core and writes the CSV. A line that cannot be read still
//! gets a row, with the reason in `error`, and the run goes on.

use std::io::{self, BufRead, BufWriter, Write};

use super::lines::{LineError, open_input, rows_in_chunks};
use std::path::PathBuf;

use crate::chem::props::table::{error_row, header, record_row};

#[derive(clap::Args, Debug)]
pub struct PropsArgs {
    /// File with one SMILES per line (`SMILES [|cx layer|] [id]`); `-` or nothing reads
    /// standard input.
    pub input: Option<PathBuf>,
    /// Also write logp, tpsa, hbd, hba (Lipinski), rotatable_bonds, rings, formal_charge and the
    /// standard InChI and InChIKey.
    #[arg(long)]
    pub all: bool,
    /// For an SD file: the data field (`> <NAME>`) that names each row; records without it on
    /// one line are named by their title, or else their number.
    #[arg(long, value_name = "NAME")]
    pub id_field: Option<String>,
}

/// Whether `path` names an SD or MOL file, read record by record.
fn is_sd_file(path: &std::path::Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["sdf", "sd", "mol"].contains(&e.to_ascii_lowercase().as_str()))
}

pub fn run(args: PropsArgs) -> anyhow::Result<()> {
    let mut out = BufWriter::new(io::stdout().lock());
    match args.input.as_deref() {
        Some(path) if is_sd_file(path) => {
            let bytes =
                std::fs::read(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            let text = String::from_utf8_lossy(&bytes);
            write_sd_props(&text, &mut out, args.id_field.as_deref(), args.all)?;
        }
        _ => write_props(open_input(args.input.as_deref())?, &mut out, args.all)?,
    }
    out.flush()?;
    Ok(())
}

/// Reads SMILES lines from `input` and writes the CSV (header included) to `out`.
pub fn write_props(input: impl BufRead, out: &mut impl Write, all: bool) -> io::Result<()> {
    write_record(out, &header(all))?;
    rows_in_chunks(
        input,
        |number, text| line_row(number, text, all),
        |rows| rows.iter().try_for_each(|row| write_record(out, row)),
    )
}

/// Writes the CSV (header included) of the records of SD file `text`, one row per record.
pub fn write_sd_props(
    text: &str,
    out: &mut impl Write,
    id_field: Option<&str>,
    all: bool,
) -> io::Result<()> {
    write_record(out, &header(all))?;
    for record in crate::chem::molfile::sd_records(text) {
        write_record(out, &record_row(&record, id_field, all))?;
    }
    Ok(())
}

/// The row for one input line; `None` for a blank line. Lines without an id are named by
/// their 1-based line number.
fn line_row(number: usize, text: Result<String, LineError>, all: bool) -> Option<Vec<String>> {
    match text {
        Ok(text) => crate::chem::props::table::line_row(&number.to_string(), &text, all),
        Err(e) => Some(error_row(
            &number.to_string(),
            &format!("line {number}: {e}"),
            all,
        )),
    }
}

/// Writes one CSV record (RFC 4180): fields with a comma, quote or line break are quoted, and
/// quotes inside are doubled.
pub fn write_record(out: &mut impl Write, fields: &[impl AsRef<str>]) -> io::Result<()> {
    for (k, field) in fields.iter().enumerate() {
        if k > 0 {
            out.write_all(b",")?;
        }
        let field = field.as_ref();
        if field.contains([',', '"', '\n', '\r']) {
            write!(out, "\"{}\"", field.replace('"', "\"\""))?;
        } else {
            out.write_all(field.as_bytes())?;
        }
    }
    out.write_all(b"\r\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chem::props::table::split_line;

    fn csv(input: &str, all: bool) -> String {
        let mut out = Vec::new();
        write_props(input.as_bytes(), &mut out, all).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn ethanol_row_has_formula_masses_and_per_atom_hydrogens() {
        let out = csv("CCO ethanol\n", false);
        let mut lines = out.lines();
        assert_eq!(
            lines.next().unwrap(),
            "id,input,canonical_smiles,formula,average_mass,monoisotopic_mass,heavy_atoms,hydrogens,error"
        );
        assert_eq!(
            lines.next().unwrap(),
            "ethanol,CCO,CCO,C2H6O,46.0690,46.041865,3,3 2 1,"
        );
    }

    #[test]
    fn a_bad_line_reports_its_error_and_the_run_goes_on() {
        let out = csv("C1CC bad\n\nCC(=O)[O-] acetate\n", false);
        let rows: Vec<&str> = out.lines().collect();
        assert_eq!(rows.len(), 3, "{out}");
        assert!(rows[1].starts_with("bad,C1CC,,,,,,,"), "{}", rows[1]);
        assert!(rows[1].contains("column"), "error says where: {}", rows[1]);
        assert!(rows[2].starts_with("acetate,CC(=O)[O-],"));
        assert!(
            rows[2].contains(",C2H3O2-,59.0440,59.013853,4,3 0 0 0,"),
            "{}",
            rows[2]
        );
    }

    #[test]
    fn reactions_get_canonical_reaction_smiles_only() {
        let out = csv("CCO.CC(=O)O>[H+]>CCOC(C)=O.O esterification\n", false);
        let row = out.lines().nth(1).unwrap();
        let fields: Vec<&str> = row.split(',').collect();
        assert_eq!(fields[0], "esterification");
        assert!(fields[2].matches('>').count() == 2, "{row}");
        assert!(fields[3..].iter().all(|f| f.is_empty()), "{row}");
    }

    #[test]
    fn all_adds_descriptor_columns() {
        let out = csv("CC(=O)Oc1ccccc1C(=O)O aspirin\n", true);
        let mut lines = out.lines();
        assert!(lines.next().unwrap().ends_with(
            "error,logp,tpsa,hbd,hba,rotatable_bonds,rings,formal_charge,inchi,inchikey"
        ));
        assert!(lines.next().unwrap().ends_with(
            ",,1.3101,63.60,1,4,2,1,0,\"InChI=1S/C9H8O4/c1-6(10)13-8-5-3-2-4-7(8)9(11)12/h2-5H,1H3,(H,11,12)\",BSYNRYMUTXBXSQ-UHFFFAOYSA-N"
        ));
    }

    #[test]
    fn with_all_reactions_get_empty_inchi_columns_and_a_wildcard_an_inchi_error() {
        let out = csv("CCO>>CC=O r\nC* star\n", true);
        let rows: Vec<&str> = out.lines().skip(1).collect();
        let fields: Vec<&str> = rows[0].split(',').collect();
        assert_eq!(fields.len(), 18, "{}", rows[0]);
        assert!(fields[3..].iter().all(|f| f.is_empty()), "{}", rows[0]);
        assert!(rows[1].contains("wildcard"), "{}", rows[1]);
        assert!(rows[1].ends_with(",,"), "no InChI columns: {}", rows[1]);
    }

    #[test]
    fn fields_with_commas_and_quotes_are_quoted() {
        let mut out = Vec::new();
        write_record(&mut out, &["a,b", "say \"hi\"", "plain"]).unwrap();
        assert_eq!(out, b"\"a,b\",\"say \"\"hi\"\"\",plain\r\n");
    }

    fn parts(line: &str) -> Option<(&str, Option<&str>, Option<&str>)> {
        split_line(line).map(|l| (l.smiles, l.cx_layer, l.id))
    }

    #[test]
    fn ids_default_to_line_numbers_and_may_contain_spaces() {
        assert_eq!(parts("  CCO  "), Some(("CCO", None, None)));
        assert_eq!(
            parts("CCO\tethyl alcohol"),
            Some(("CCO", None, Some("ethyl alcohol")))
        );
        assert_eq!(parts("   "), None);
        let out = csv("\nC\n", false);
        assert!(out.lines().nth(1).unwrap().starts_with("2,C,C,CH4,"));
    }

    #[test]
    fn a_cxsmiles_layer_is_split_off_and_read() {
        assert_eq!(
            parts("CC |^1:1| ethyl"),
            Some(("CC", Some("|^1:1|"), Some("ethyl")))
        );
        assert_eq!(
            parts("C[C@H](O)CC |&1:1|"),
            Some(("C[C@H](O)CC", Some("|&1:1|"), None))
        );
        let out = csv("CC |^1:1| ethyl\n", false);
        let row = out.lines().nth(1).unwrap();
        // The ethyl radical, not ethane.
        assert!(row.starts_with("ethyl,CC |^1:1|,[CH2]C,C2H5,"), "{row}");
        let out = csv("*C |$_R1;;x$| methyl\n", false);
        let row = out.lines().nth(1).unwrap();
        assert!(
            row.contains("warning: atom labels past atom 1 are ignored at column 10"),
            "{row}"
        );
        // A reaction's layer numbers atoms across the reaction: atom 3 is the product's O.
        let out = csv("CC>>CO |^1:3|\n", false);
        let row = out.lines().nth(1).unwrap();
        assert!(row.contains(",CC>>CO |^1:3|,CC>>C[O],"), "{row}");
        assert!(!row.contains("warning"), "{row}");
        let out = csv("CC>>CO |^1:4,r|\n", false);
        let row = out.lines().nth(1).unwrap();
        assert!(
            row.contains("bad CXSMILES layer (atom 4 of 4) at column 11"),
            "{row}"
        );
        let out = csv("CC |^1:7|\n", false);
        let row = out.lines().nth(1).unwrap();
        assert!(
            row.contains("bad CXSMILES layer (atom 7 of 2) at column 7"),
            "{row}"
        );
    }

    #[test]
    fn a_unicode_space_inside_a_smiles_is_an_error_with_its_column() {
        assert_eq!(parts("O=C\u{a0}=O"), Some(("O=C\u{a0}=O", None, None)));
        let out = csv("O=C\u{a0}=O\n", false);
        let row = out.lines().nth(1).unwrap();
        assert!(row.contains("column 3"), "{row}");
        assert!(!row.contains("CH2O"), "{row}");
    }

    #[test]
    fn a_latin1_byte_costs_one_row_not_the_rest_of_the_file() {
        let mut input = Vec::new();
        for i in 1..=10_000 {
            if i == 5_000 {
                input.extend_from_slice(b"C\xE9 caf\xE9\n");
            } else {
                input.extend_from_slice(format!("C{} m{i}\n", "C".repeat(i % 5)).as_bytes());
            }
        }
        let mut out = Vec::new();
        write_props(input.as_slice(), &mut out, false).unwrap();
        let out = String::from_utf8(out).unwrap();
        let rows: Vec<&str> = out.lines().skip(1).collect();
        assert_eq!(rows.len(), 10_000);
        let errors: Vec<&&str> = rows.iter().filter(|r| !r.ends_with(',')).collect();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].starts_with("5000,,")
                && errors[0].contains("line 5000: the line is not UTF-8"),
            "{}",
            errors[0]
        );
        assert!(rows[9_999].starts_with("m10000,"));
    }

    const SD: &str = "ethanol\n  test\n\n  3  2  0  0  0  0  0  0  0  0999 V2000\n    0.0000    0.0000    0.0000 C   0  0  0  0  0  0  0  0  0  0  0  0\n    1.2990    0.7500    0.0000 C   0  0  0  0  0  0  0  0  0  0  0  0\n    2.5981    0.0000    0.0000 O   0  0  0  0  0  0  0  0  0  0  0  0\n  1  2  1  0\n  2  3  1  0\nM  END\n> <ID>\nE-1\n\n$$$$\nbroken\n  test\n\n  2  1  0  0  0  0  0  0  0  0999 V2000\n    0.0000    0.0000    0.0000 C   0  0  0  0  0  0  0  0  0  0  0  0\n  1  2  1  0\nM  END\n$$$$\n";

    #[test]
    fn sd_records_get_one_row_each_and_a_bad_one_its_error() {
        let mut out = Vec::new();
        write_sd_props(SD, &mut out, None, false).unwrap();
        let out = String::from_utf8(out).unwrap();
        let rows: Vec<&str> = out.lines().collect();
        assert_eq!(rows.len(), 3, "{out}");
        assert_eq!(
            rows[1],
            "ethanol,record 1 (line 1),CCO,C2H6O,46.0690,46.041865,3,3 2 1,"
        );
        assert!(
            rows[2].starts_with("broken,record 2 (line 15),,"),
            "{}",
            rows[2]
        );
        assert!(rows[2].contains("record 2: line 20: "), "{}", rows[2]);
        let mut out = Vec::new();
        write_sd_props(SD, &mut out, Some("ID"), false).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(out.lines().nth(1).unwrap().starts_with("E-1,"), "{out}");
        // Without the field the title names the row.
        assert!(out.lines().nth(2).unwrap().starts_with("broken,"), "{out}");
        assert!(is_sd_file(std::path::Path::new("x/drugs.SDF")));
        assert!(!is_sd_file(std::path::Path::new("x/drugs.smi")));
    }

    #[test]
    fn a_byte_order_mark_does_not_spoil_the_first_line() {
        let out = csv("\u{FEFF}CCO ethanol\n", false);
        assert!(
            out.lines()
                .nth(1)
                .unwrap()
                .starts_with("ethanol,CCO,CCO,C2H6O,")
        );
    }
}
