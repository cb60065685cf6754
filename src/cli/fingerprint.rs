//! `textchem fingerprint [FILE|-]`: a fingerprint per SMILES line, as CSV `id,on_bits,error`
//! (`id,counts,error` with `--counts`).
//!
//! Lines are read as `textchem props` reads them (`SMILES [|cx layer|] [id]`, the id defaulting
//! to the line number); a line that cannot be read gets its row with the reason in `error`, and
//! rows keep input order while chunks of lines are computed on every core.

use std::io::{self, BufRead, BufWriter, Write};
use std::path::PathBuf;

use super::lines::{LineError, open_input, rows_in_chunks};
use super::props::write_record;
use crate::chem::Molecule;
use crate::chem::fingerprint::morgan::{morgan_bits_of, morgan_counts_of};
use crate::chem::fingerprint::rdkit_path::rdkit_path_bits_of;
use crate::chem::fingerprint::{Fingerprint, RdkitPathOptions, rdkit_form};
use crate::chem::maccs::maccs_bits;
use crate::chem::props::table::{line_molecule, split_line, warning_text};
use crate::chem::smiles::{is_reaction, parse_molecule};

/// The fingerprint families the command line offers.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum FingerprintKind {
    /// Morgan / ECFP (RDKit's `GetMorganFingerprintAsBitVect`; with `--counts`,
    /// `GetMorganFingerprint`).
    #[default]
    Morgan,
    /// RDKit's path fingerprint (`RDKFingerprint` defaults; `--bits` sets its size).
    Rdkit,
    /// RDKit's 166 MACCS keys (`GenMACCSKeys`; on bits are key numbers 1..=166).
    Maccs,
}

/// Which fingerprint to compute, as the user chose it on the command line.
#[derive(clap::Args, Clone, Copy, Debug, PartialEq, Eq)]
pub struct FingerprintChoice {
    /// Fingerprint family.
    #[arg(long, value_enum, default_value_t)]
    pub kind: FingerprintKind,
    /// Morgan radius (2 is ECFP4).
    #[arg(long, default_value_t = 2)]
    pub radius: u32,
    /// Fingerprint length in bits.
    #[arg(long, default_value_t = 2048, value_parser = clap::value_parser!(u32).range(1..))]
    pub bits: u32,
    /// Unfolded Morgan counts (hashed environment id -> count) instead of bits; similarities
    /// are then count Tanimoto (sum of minima over sum of maxima).
    #[arg(long)]
    pub counts: bool,
}

impl Default for FingerprintChoice {
    fn default() -> FingerprintChoice {
        FingerprintChoice {
            kind: FingerprintKind::Morgan,
            radius: 2,
            bits: 2048,
            counts: false,
        }
    }
}

impl FingerprintChoice {
    /// Refuses combinations that have no meaning, before any line is read.
    pub fn check(&self) -> anyhow::Result<()> {
        if self.bits == 0 {
            anyhow::bail!("--bits must be at least 1");
        }
        if self.counts && self.kind != FingerprintKind::Morgan {
            anyhow::bail!("--counts is only offered for --kind morgan");
        }
        if self.kind == FingerprintKind::Maccs && self.bits != 2048 {
            anyhow::bail!("--bits does not apply to --kind maccs (166 fixed keys)");
        }
        Ok(())
    }

    /// The fingerprint of one molecule, or why it has none.
    pub fn compute(&self, mol: &Molecule) -> Result<Fingerprint, String> {
        Ok(match self.kind {
            // The SMARTS matcher prepares the molecule as RDKit's reader holds it by itself.
            FingerprintKind::Maccs => Fingerprint::Bits(maccs_bits(mol)),
            FingerprintKind::Morgan if self.counts => {
                Fingerprint::Counts(morgan_counts_of(&rdkit_form(mol), self.radius))
            }
            FingerprintKind::Morgan => {
                Fingerprint::Bits(morgan_bits_of(&rdkit_form(mol), self.radius, self.bits))
            }
            FingerprintKind::Rdkit => {
                let options = RdkitPathOptions {
                    fp_size: self.bits,
                    ..RdkitPathOptions::default()
                };
                Fingerprint::Bits(
                    rdkit_path_bits_of(&rdkit_form(mol), &options).map_err(|e| e.to_string())?,
                )
            }
        })
    }
}

#[derive(clap::Args, Debug)]
pub struct FingerprintArgs {
    /// File with one SMILES per line (`SMILES [|cx layer|] [id]`); `-` or nothing reads
    /// standard input.
    pub input: Option<PathBuf>,
    #[command(flatten)]
    pub choice: FingerprintChoice,
}

pub fn run(args: FingerprintArgs) -> anyhow::Result<()> {
    args.choice.check()?;
    let input = open_input(args.input.as_deref())?;
    let mut out = BufWriter::new(io::stdout().lock());
    write_fingerprints(input, &mut out, &args.choice)?;
    out.flush()?;
    Ok(())
}

/// Reads SMILES lines from `input` and writes the CSV (header included) to `out`.
pub fn write_fingerprints(
    input: impl BufRead,
    out: &mut impl Write,
    choice: &FingerprintChoice,
) -> io::Result<()> {
    let column = if choice.counts { "counts" } else { "on_bits" };
    write_record(out, &["id", column, "error"])?;
    for_each_chunk(input, choice, |rows| {
        for row in rows {
            let (text, error) = match &row.fingerprint {
                Ok(fp) => (fp.to_text(), row.warnings.clone()),
                Err(e) => (String::new(), e.clone()),
            };
            write_record(out, &[row.id.as_str(), &text, &error])?;
        }
        Ok(())
    })
}

/// One non-blank input line with its fingerprint or the reason it has none.
pub struct FingerprintRow {
    /// 0-based position among the non-blank lines (the input order).
    pub order: usize,
    pub id: String,
    pub smiles: String,
    pub fingerprint: Result<Fingerprint, String>,
    /// What the line's CXSMILES layer held that the molecule does not keep.
    pub warnings: String,
}

/// Reads `input` in chunks, fingerprints each chunk on every core, and hands each chunk's rows
/// (in input order; blank lines skipped) to `sink`.
pub fn for_each_chunk(
    input: impl BufRead,
    choice: &FingerprintChoice,
    mut sink: impl FnMut(Vec<FingerprintRow>) -> io::Result<()>,
) -> io::Result<()> {
    let mut order = 0;
    rows_in_chunks(
        input,
        |number, text| line_row(number, text, choice),
        |rows| {
            let rows = rows
                .into_iter()
                .map(|mut row| {
                    row.order = order;
                    order += 1;
                    row
                })
                .collect();
            sink(rows)
        },
    )
}

/// The row for one input line; `None` for a blank line.
fn line_row(
    number: usize,
    text: Result<String, LineError>,
    choice: &FingerprintChoice,
) -> Option<FingerprintRow> {
    let text = match text {
        Ok(text) => text,
        Err(e) => {
            return Some(FingerprintRow {
                order: 0,
                id: number.to_string(),
                smiles: String::new(),
                fingerprint: Err(format!("line {number}: {e}")),
                warnings: String::new(),
            });
        }
    };
    let line = split_line(&text)?;
    let id = line.id.map_or_else(|| number.to_string(), str::to_string);
    let read = if is_reaction(line.smiles) {
        Err("a reaction SMILES has no molecule fingerprint".to_string())
    } else {
        line_molecule(&text, &line).map_err(|e| e.to_string())
    };
    let (fingerprint, warnings) = match read {
        Ok((mol, warnings)) => (choice.compute(&mol), warning_text(&warnings)),
        Err(e) => (Err(e), String::new()),
    };
    Some(FingerprintRow {
        order: 0,
        id,
        smiles: line.smiles.to_string(),
        fingerprint,
        warnings,
    })
}

/// Reads one molecule SMILES; a reaction is refused (it has no single fingerprint).
pub fn molecule(smiles: &str) -> Result<Molecule, String> {
    if crate::chem::smiles::is_reaction(smiles) {
        return Err("a reaction SMILES has no molecule fingerprint".to_string());
    }
    parse_molecule(smiles).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(input: &str, choice: FingerprintChoice) -> String {
        let mut out = Vec::new();
        write_fingerprints(input.as_bytes(), &mut out, &choice).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn rows_keep_input_order_with_errors_in_place() {
        let out = csv(
            "CCO ethanol\nC1CC bad\n\nCC>>CC rxn\nC\n",
            FingerprintChoice::default(),
        );
        let rows: Vec<&str> = out.lines().collect();
        assert_eq!(rows[0], "id,on_bits,error");
        assert!(
            rows[1].starts_with("ethanol,") && rows[1].ends_with(','),
            "{}",
            rows[1]
        );
        assert!(
            rows[2].starts_with("bad,,") && rows[2].contains("column"),
            "{}",
            rows[2]
        );
        assert!(rows[3].starts_with("rxn,,a reaction"), "{}", rows[3]);
        assert!(rows[4].starts_with("5,"), "{}", rows[4]);
        assert_eq!(rows.len(), 5);
    }

    #[test]
    fn methane_bits_and_counts_are_rdkits() {
        // GetMorganFingerprint(C, 2) has the one id 2246733040; 2246733040 % 2048 == 1264.
        let out = csv("C m\n", FingerprintChoice::default());
        assert_eq!(out.lines().nth(1).unwrap(), "m,1264,");
        let counts = FingerprintChoice {
            counts: true,
            ..FingerprintChoice::default()
        };
        let out = csv("C m\n", counts);
        assert_eq!(out.lines().next().unwrap(), "id,counts,error");
        assert_eq!(out.lines().nth(1).unwrap(), "m,2246733040:1,");
    }

    #[test]
    fn rdkit_kind_gives_rdkits_path_bits() {
        let choice = FingerprintChoice {
            kind: FingerprintKind::Rdkit,
            ..FingerprintChoice::default()
        };
        let out = csv("CCO\n", choice);
        assert_eq!(
            out.lines().nth(1).unwrap(),
            "1,562 1183 1308 1339 1728 1772,"
        );
    }

    #[test]
    fn maccs_kind_gives_rdkits_keys() {
        let choice = FingerprintChoice {
            kind: FingerprintKind::Maccs,
            ..FingerprintChoice::default()
        };
        // MACCSkeys.GenMACCSKeys(aspirin).GetOnBits() in RDKit 2026.09.
        let out = csv("CC(=O)Oc1ccccc1C(=O)O aspirin\n", choice);
        assert_eq!(
            out.lines().nth(1).unwrap(),
            "aspirin,89 113 123 126 127 136 139 140 143 144 146 150 152 154 157 159 160 162 163 \
             164 165,"
        );
        let wide = FingerprintChoice {
            bits: 1024,
            ..choice
        };
        assert!(wide.check().is_err());
    }

    #[test]
    fn counts_with_the_path_fingerprint_is_refused() {
        let choice = FingerprintChoice {
            kind: FingerprintKind::Rdkit,
            counts: true,
            ..FingerprintChoice::default()
        };
        assert!(choice.check().is_err());
    }
}
