//! `textchem similar QUERY [FILE|-]`: ranks the SMILES lines of a file by Tanimoto similarity
//! to a query molecule, as CSV `rank,id,smiles,similarity,error`.
//!
//! Ties keep input order. Lines that cannot be read are listed after the ranking, in input
//! order, with an empty rank and their reason. With `--top K` only the best K are kept while
//! reading, so memory stays bounded by K and one chunk of lines.

use std::io::{self, BufRead, BufWriter, Write};
use std::path::PathBuf;

use super::fingerprint::{FingerprintChoice, for_each_chunk, molecule};
use super::lines::open_input;
use super::props::write_record;

#[derive(clap::Args, Debug)]
pub struct SimilarArgs {
    /// The query molecule's SMILES.
    pub query: String,
    /// File with one SMILES per line (`SMILES [|cx layer|] [id]`); `-` or nothing reads
    /// standard input.
    pub input: Option<PathBuf>,
    #[command(flatten)]
    pub choice: FingerprintChoice,
    /// Keep only the K most similar lines.
    #[arg(long, value_name = "K")]
    pub top: Option<usize>,
}

pub fn run(args: SimilarArgs) -> anyhow::Result<()> {
    args.choice.check()?;
    let input = open_input(args.input.as_deref())?;
    let mut out = BufWriter::new(io::stdout().lock());
    write_ranking(&args.query, input, &mut out, &args.choice, args.top)?;
    out.flush()?;
    Ok(())
}

/// One ranked line.
struct Scored {
    similarity: f64,
    order: usize,
    id: String,
    smiles: String,
}

/// Ranks the lines of `input` by similarity to `query` and writes the CSV to `out`.
pub fn write_ranking(
    query: &str,
    input: impl BufRead,
    out: &mut impl Write,
    choice: &FingerprintChoice,
    top: Option<usize>,
) -> anyhow::Result<()> {
    let query_mol = molecule(query).map_err(|e| anyhow::anyhow!("the query SMILES: {e}"))?;
    let query_fp = choice
        .compute(&query_mol)
        .map_err(|e| anyhow::anyhow!("the query SMILES: {e}"))?;
    let mut ranked: Vec<Scored> = Vec::new();
    let mut errors: Vec<(String, String, String)> = Vec::new();
    let best_first = |a: &Scored, b: &Scored| {
        b.similarity
            .total_cmp(&a.similarity)
            .then(a.order.cmp(&b.order))
    };
    for_each_chunk(input, choice, |rows| {
        for row in rows {
            match row.fingerprint {
                Ok(fp) => ranked.push(Scored {
                    // Both come from the same choice, so the shapes always match.
                    similarity: query_fp.tanimoto(&fp).unwrap_or(0.0),
                    order: row.order,
                    id: row.id,
                    smiles: row.smiles,
                }),
                Err(e) => errors.push((row.id, row.smiles, e)),
            }
        }
        if let Some(k) = top {
            ranked.sort_by(best_first);
            ranked.truncate(k);
        }
        Ok(())
    })?;
    ranked.sort_by(best_first);
    if let Some(k) = top {
        ranked.truncate(k);
    }
    write_record(out, &["rank", "id", "smiles", "similarity", "error"])?;
    for (rank, s) in ranked.iter().enumerate() {
        let fields = [
            (rank + 1).to_string(),
            s.id.clone(),
            s.smiles.clone(),
            s.similarity.to_string(),
            String::new(),
        ];
        write_record(out, &fields)?;
    }
    for (id, smiles, error) in &errors {
        write_record(out, &["", id.as_str(), smiles.as_str(), "", error.as_str()])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::fingerprint::FingerprintKind;

    fn rank(query: &str, input: &str, choice: FingerprintChoice, top: Option<usize>) -> String {
        let mut out = Vec::new();
        write_ranking(query, input.as_bytes(), &mut out, &choice, top).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_query_itself_ranks_first_and_errors_come_last() {
        let input = "CCCC butane\nC1CC bad\nCCO ethanol\nCCO ethanol2\nc1ccccc1 benzene\n";
        let out = rank("CCO", input, FingerprintChoice::default(), None);
        let rows: Vec<&str> = out.lines().collect();
        assert_eq!(rows[0], "rank,id,smiles,similarity,error");
        assert_eq!(rows[1], "1,ethanol,CCO,1,");
        assert_eq!(rows[2], "2,ethanol2,CCO,1,", "ties keep input order");
        assert!(rows[3].starts_with("3,butane,"), "{}", rows[3]);
        assert_eq!(rows[4], "4,benzene,c1ccccc1,0,");
        assert!(rows[5].starts_with(",bad,C1CC,,"), "{}", rows[5]);
        assert_eq!(rows.len(), 6);
    }

    #[test]
    fn top_keeps_the_best_k_and_counts_work() {
        let input = "CCCC a\nCCO b\nCCN c\nCCO d\n";
        let counts = FingerprintChoice {
            counts: true,
            ..FingerprintChoice::default()
        };
        let out = rank("CCO", input, counts, Some(2));
        let rows: Vec<&str> = out.lines().collect();
        assert_eq!(
            rows,
            vec![
                "rank,id,smiles,similarity,error",
                "1,b,CCO,1,",
                "2,d,CCO,1,"
            ]
        );
        let rdkit = FingerprintChoice {
            kind: FingerprintKind::Rdkit,
            ..FingerprintChoice::default()
        };
        assert!(rank("CCO", input, rdkit, Some(1)).contains("1,b,CCO,1,"));
    }

    #[test]
    fn a_bad_query_is_an_error_that_names_it() {
        let mut out = Vec::new();
        let err = write_ranking(
            "C1CC",
            "CC\n".as_bytes(),
            &mut out,
            &FingerprintChoice::default(),
            None,
        )
        .unwrap_err();
        assert!(err.to_string().contains("query"), "{err}");
    }
}
