//! `textchem merge OUT SHARD...`: joins the outputs of `textchem batch --shard K/N` into the
//! output one unsharded `batch` run writes: every input row once, in input order, with the
//! run's record beside it (so `batch` on OUT finds every row done).
//!
//! The shards must come from one run: the same input content, task, column, model and decoding
//! (their records say), the same columns, and every shard of the split present and finished.
//! A missing row, a row twice, or a disagreement is an error naming the files involved.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use csv::StringRecord;

use super::resume::{self, RunRecord, Shard};

#[derive(clap::Args, Debug)]
pub struct MergeArgs {
    /// The merged output CSV; its record is written beside it as `batch` does.
    pub output: PathBuf,
    /// The shard outputs (`batch --shard K/N --output FILE`), in any order.
    #[arg(required = true)]
    pub shards: Vec<PathBuf>,
}

pub fn run(args: MergeArgs) -> Result<()> {
    if let Some(same) = args.shards.iter().find(|s| **s == args.output) {
        bail!(
            "{} is both the merged output and a shard: pass another output",
            same.display()
        );
    }
    let shards: Vec<ShardOutput> = args
        .shards
        .iter()
        .map(|p| read_shard(p))
        .collect::<Result<_>>()?;
    let (record, header, rows) = merge(&shards)?;
    resume::write(&args.output, &record)?;
    let mut out = csv::Writer::from_path(&args.output)
        .with_context(|| format!("cannot write {}", args.output.display()))?;
    out.write_record(header)?;
    for row in &rows {
        out.write_record(*row)?;
    }
    out.flush()
        .with_context(|| format!("cannot write {}", args.output.display()))?;
    eprintln!(
        "merged {} rows from {} shards into {}",
        rows.len(),
        shards.len(),
        args.output.display()
    );
    Ok(())
}

/// One shard's output file: its record, header and rows (by 1-based input row number).
pub struct ShardOutput {
    pub path: PathBuf,
    pub record: RunRecord,
    pub shard: Shard,
    pub header: StringRecord,
    pub rows: Vec<(usize, StringRecord)>,
}

/// Reads a shard output. An unfinished last line (a crash while writing) is left out, so its
/// row counts as missing.
pub fn read_shard(path: &Path) -> Result<ShardOutput> {
    let record = resume::read(path)?.with_context(|| {
        format!(
            "{} has no record ({}): merge joins outputs of `textchem batch --shard K/N`",
            path.display(),
            resume::sidecar_path(path).display()
        )
    })?;
    let Some(shard) = record.shard else {
        bail!(
            "{} holds all rows, not a shard: merge joins outputs of `textchem batch --shard K/N`",
            path.display()
        );
    };
    let bytes = fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(&bytes[..complete]);
    let mut records = reader.records();
    let header = match records.next() {
        Some(header) => header.with_context(|| format!("cannot read {}", path.display()))?,
        None => bail!(
            "{} is empty: its shard {shard} has not started",
            path.display()
        ),
    };
    let mut rows = vec![];
    for record in records {
        let record = record.with_context(|| format!("cannot read {}", path.display()))?;
        let line = record.position().map_or(0, |p| p.line());
        let number = record.get(0).and_then(|r| r.parse::<usize>().ok());
        match number {
            Some(n) if n >= 1 && record.len() == header.len() => rows.push((n, record)),
            _ => bail!(
                "line {line} of {} is not a row `batch` wrote (a row number and {} fields)",
                path.display(),
                header.len()
            ),
        }
    }
    Ok(ShardOutput {
        path: path.to_owned(),
        record,
        shard,
        header,
        rows,
    })
}

/// The merged record, header and rows in input order, after checking that the shards are one
/// whole run.
pub fn merge(shards: &[ShardOutput]) -> Result<(RunRecord, &StringRecord, Vec<&StringRecord>)> {
    let Some(first) = shards.first() else {
        bail!("no shard outputs to merge");
    };
    let count = first.shard.count;
    let mut by_index: BTreeMap<usize, &ShardOutput> = BTreeMap::new();
    for s in shards {
        let mut record = s.record.clone();
        record.shard = first.record.shard;
        let differences = record.differences(&first.record);
        if !differences.is_empty() {
            bail!(
                "{} and {} come from different runs ({}): merge only shards of one input, task \
                 and model",
                first.path.display(),
                s.path.display(),
                differences.join("; ")
            );
        }
        if s.shard.count != count {
            bail!(
                "{} is shard {} but {} is shard {}: every shard must be of the same split",
                first.path.display(),
                first.shard,
                s.path.display(),
                s.shard
            );
        }
        if s.header != first.header {
            bail!(
                "{} and {} have different columns",
                first.path.display(),
                s.path.display()
            );
        }
        if let Some(other) = by_index.insert(s.shard.index, s) {
            bail!(
                "shard {} is given twice: {} and {}",
                s.shard,
                other.path.display(),
                s.path.display()
            );
        }
    }
    let Some(total) = first.record.input_rows else {
        bail!(
            "{} does not record how many rows its input has: rerun its shard with this textchem",
            resume::sidecar_path(&first.path).display()
        );
    };
    let mut rows: Vec<Option<(&StringRecord, &Path)>> = vec![None; total];
    for s in shards {
        for (number, row) in &s.rows {
            if *number > total || !s.shard.holds(number - 1) {
                bail!(
                    "{} holds row {number}, which is not in its shard {} of {total} rows",
                    s.path.display(),
                    s.shard
                );
            }
            if let Some((_, other)) = rows[number - 1].replace((row, &s.path)) {
                bail!(
                    "row {number} is twice: in {} and {}",
                    other.display(),
                    s.path.display()
                );
            }
        }
    }
    let missing: Vec<usize> = (1..=total).filter(|&n| rows[n - 1].is_none()).collect();
    if let Some(&n) = missing.first() {
        let shard = Shard {
            index: (n - 1) % count,
            count,
        };
        let place = match by_index.get(&shard.index) {
            Some(s) => format!("{} is unfinished", s.path.display()),
            None => format!("no output of shard {shard} was given"),
        };
        bail!(
            "{} of {total} rows are missing, the first row {n} of shard {shard}: {place} (run its \
             `batch --shard {shard}` again to finish it)",
            missing.len()
        );
    }
    let mut record = first.record.clone();
    record.shard = None;
    // The weight file is known to any shard that loaded the model.
    record.weights = shards.iter().find_map(|s| s.record.weights.clone());
    let rows = rows.into_iter().flatten().map(|(row, _)| row).collect();
    Ok((record, &first.header, rows))
}
