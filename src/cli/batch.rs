//! `textchem batch --task T --input in.csv --column C --output out.csv`: one task over every row
//! of a CSV file.
//!
//! The output keeps each input row's columns, preceded by `row` (the 1-based data row number in
//! the input) and followed by the best answer: `output`, `valid`, `canonical_smiles` (empty for
//! text tasks), `score` and `error`. Only the first-ranked answer is written, so each input row is
//! exactly one output row; `run --format json` shows every beam of one input.
//!
//! Each row is written and flushed as soon as it is done. Run the same command again after a
//! crash or Ctrl-C and the rows already in the output (matched by `row`) are skipped; at most
//! the row in progress is lost. `OUT.textchem.json` records what produced the output (input
//! file and content hash, task, column, model, weight file, decoding); a run with other
//! settings is refused unless `--overwrite` starts the output again.
//!
//! `--shard K/N` runs only the rows whose 0-based number is K modulo N, so N processes (an
//! array job's tasks) split one input without talking to each other; each writes its own
//! resumable output, and `textchem merge` joins them into the output one process would write.

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use csv::StringRecord;

use super::resume::{self, RunRecord, Shard};
use super::run::{ModelArgs, load_engine, run_with_progress};
use crate::model::task::Task;
use crate::runtime::best::{ANSWER_COLUMNS, answer_fields, failure_fields};
use crate::runtime::engine::{Engine, GenerateOptions};

#[derive(clap::Args, Debug)]
pub struct BatchArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    /// CSV file with a header row.
    #[arg(long)]
    pub input: PathBuf,
    /// The input column holding each row's text or SMILES.
    #[arg(long)]
    pub column: String,
    /// The output CSV. When it exists, rows already in it are skipped (resume), provided the
    /// same input, task, model and decoding wrote it.
    #[arg(long)]
    pub output: PathBuf,
    /// Start the output again, discarding rows an earlier run wrote.
    #[arg(long)]
    pub overwrite: bool,
    /// Run only shard K of N (`0/4` .. `3/4`): the data rows whose 0-based number is K modulo
    /// N. Each shard writes its own --output; `textchem merge` joins them in input order.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
}

/// The column numbering the input's data rows, first in the output.
const ROW: &str = "row";

pub fn run(args: BatchArgs) -> Result<()> {
    let options = args.model.options()?;
    let bytes =
        fs::read(&args.input).with_context(|| format!("cannot open {}", args.input.display()))?;
    let (headers, rows) = read_input(&args.input, &bytes)?;
    let column = headers
        .iter()
        .position(|h| h == args.column)
        .with_context(|| {
            format!(
                "{} has no column {:?}; its columns are: {}",
                args.input.display(),
                args.column,
                headers.iter().collect::<Vec<_>>().join(", ")
            )
        })?;
    let out_header = output_header(&headers, &args.input)?;
    let mut record = RunRecord {
        input: args.input.display().to_string(),
        input_bytes: bytes.len() as u64,
        input_hash: resume::fnv1a64(&bytes),
        task: args.model.task.name().to_owned(),
        column: args.column.clone(),
        model: args.model.model.clone().unwrap_or_else(|| "default".into()),
        weights: None,
        beams: options.beams,
        max_length: options.max_length,
        shard: args.shard,
        input_rows: Some(rows.len()),
    };
    drop(bytes);
    let earlier = if args.overwrite {
        for path in [args.output.clone(), resume::sidecar_path(&args.output)] {
            match fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(e).with_context(|| format!("cannot remove {}", path.display()));
                }
                _ => {}
            }
        }
        None
    } else {
        let earlier = resume::read(&args.output)?;
        if has_rows(&args.output)? {
            resume::check(&args.output, earlier.as_ref(), &record)?;
        }
        earlier
    };
    let done = resume_state(&args.output, &out_header)?;
    let mine: Vec<usize> = (0..rows.len())
        .filter(|&i| args.shard.is_none_or(|s| s.holds(i)))
        .collect();
    let todo: Vec<usize> = mine
        .iter()
        .copied()
        .filter(|i| !done.contains(&(i + 1)))
        .collect();
    if !done.is_empty() {
        eprintln!(
            "{}: {} rows already done, {} to go",
            args.output.display(),
            mine.len() - todo.len(),
            todo.len()
        );
    }
    if todo.is_empty() {
        // A shard with no rows (more shards than rows) still leaves an output for `merge`.
        if !has_rows(&args.output)? {
            open_output(&args.output, &record, &out_header)?;
        }
        eprintln!("all {} rows are in {}", mine.len(), args.output.display());
        return Ok(());
    }
    let engine = load_engine(&args.model)?;
    record.weights = engine
        .weights()
        .file_name()
        .map(|n| n.to_string_lossy().into_owned());
    if let Some(earlier) = &earlier {
        resume::check(&args.output, Some(earlier), &record)?;
    }
    let mut out = open_output(&args.output, &record, &out_header)?;
    let mut progress = ProgressLine::new(todo.len(), mine.len() - todo.len(), mine.len());
    for i in todo {
        let record = answer_row(&engine, args.model.task, &options, i, &rows[i], column);
        out.write_record(&record)
            .and_then(|()| Ok(out.flush()?))
            .with_context(|| format!("cannot write {}", args.output.display()))?;
        progress.row_done();
    }
    progress.finish(&args.output);
    Ok(())
}

/// Opens `output` for appending rows, writing the run's record first (an output never exists
/// without one) and the header when the file is new.
fn open_output(
    output: &Path,
    record: &RunRecord,
    header: &StringRecord,
) -> Result<csv::Writer<File>> {
    resume::write(output, record)?;
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(output)
        .with_context(|| format!("cannot write {}", output.display()))?;
    let fresh = file.metadata()?.len() == 0;
    let mut out = csv::Writer::from_writer(file);
    if fresh {
        out.write_record(header)?;
        out.flush()?;
    }
    Ok(out)
}

/// The header and data rows of the input CSV. A row that is not UTF-8 keeps its place, its
/// text read lossily; `answer_row` reports it instead of running the model on it.
fn read_input(path: &Path, bytes: &[u8]) -> Result<(StringRecord, Vec<InputRow>)> {
    let mut reader = csv::Reader::from_reader(bytes);
    let headers = reader
        .headers()
        .with_context(|| format!("cannot read the header row of {}", path.display()))?
        .clone();
    let mut rows = vec![];
    for record in reader.byte_records() {
        let record =
            record.with_context(|| format!("{} is not a valid CSV file", path.display()))?;
        let line = record.position().map_or(0, |p| p.line());
        rows.push(match StringRecord::from_byte_record(record) {
            Ok(text) => InputRow { text, error: None },
            Err(e) => {
                let bytes = e.into_byte_record();
                let lossy = bytes.iter().map(String::from_utf8_lossy);
                InputRow {
                    text: StringRecord::from_iter(lossy),
                    error: Some(format!(
                        "line {line} of {} is not UTF-8 text; convert the file to UTF-8",
                        path.display()
                    )),
                }
            }
        });
    }
    Ok((headers, rows))
}

/// One data row of the input, with why it cannot be run when it cannot.
struct InputRow {
    text: StringRecord,
    error: Option<String>,
}

/// Whether `path` holds anything (a fresh output may exist empty).
fn has_rows(path: &Path) -> Result<bool> {
    match fs::metadata(path) {
        Ok(m) => Ok(m.len() > 0),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

fn output_header(input_headers: &StringRecord, input: &Path) -> Result<StringRecord> {
    let ours: Vec<&str> = std::iter::once(ROW).chain(ANSWER_COLUMNS).collect();
    if let Some(clash) = input_headers.iter().find(|h| ours.contains(h)) {
        bail!(
            "{} already has a column {clash:?}, which batch adds to its output ({}): rename it",
            input.display(),
            ours.join(", ")
        );
    }
    let mut header = StringRecord::new();
    header.push_field(ROW);
    header.extend(input_headers.iter());
    header.extend(ANSWER_COLUMNS);
    Ok(header)
}

/// The `row` numbers already in `path`, after cutting off an incomplete last row (a crash while
/// writing). A missing or empty file is a fresh start.
fn resume_state(path: &Path, header: &StringRecord) -> Result<HashSet<usize>> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(HashSet::new()),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    // Rows are written whole and flushed, so only newline-terminated ones are complete.
    let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(&bytes[..complete]);
    let mut record = StringRecord::new();
    let mut done = HashSet::new();
    let mut good_end = 0;
    let mut header_seen = false;
    while let Ok(true) = reader.read_record(&mut record) {
        if !header_seen {
            if &record != header {
                bail!(
                    "{} exists with other columns than this run writes ({} instead of {}): it \
                     belongs to another input or task; pass another --output or delete it",
                    path.display(),
                    record.iter().collect::<Vec<_>>().join(","),
                    header.iter().collect::<Vec<_>>().join(",")
                );
            }
            header_seen = true;
        } else {
            let row = record.get(0).and_then(|r| r.parse::<usize>().ok());
            match row {
                Some(row) if record.len() == header.len() => done.insert(row),
                _ => break,
            };
        }
        good_end = reader.position().byte();
    }
    if good_end < bytes.len() as u64 {
        eprintln!(
            "{}: dropping an incomplete last row ({} bytes); it is done again",
            path.display(),
            bytes.len() as u64 - good_end
        );
        OpenOptions::new()
            .write(true)
            .open(path)
            .and_then(|f: File| f.set_len(good_end))
            .with_context(|| format!("cannot repair {}", path.display()))?;
    }
    Ok(done)
}

/// The output row for data row `index` (0-based): a failed row carries its error and the batch
/// goes on.
fn answer_row(
    engine: &Engine,
    task: Task,
    options: &GenerateOptions,
    index: usize,
    input_row: &InputRow,
    column: usize,
) -> StringRecord {
    let mut row = StringRecord::new();
    row.push_field(&(index + 1).to_string());
    row.extend(input_row.text.iter());
    let fields = match &input_row.error {
        Some(error) => failure_fields(error),
        None => {
            let input = input_row.text.get(column).unwrap_or("");
            answer_fields(&run_with_progress(engine, task, input, options))
        }
    };
    row.extend(fields);
    row
}

/// "rows done/total, rate, ETA" on stderr: rewritten in place on a terminal, otherwise a line
/// every few seconds.
struct ProgressLine {
    todo: usize,
    done_before: usize,
    total: usize,
    done_now: usize,
    started: Instant,
    last: Instant,
    terminal: bool,
}

impl ProgressLine {
    fn new(todo: usize, done_before: usize, total: usize) -> Self {
        let now = Instant::now();
        ProgressLine {
            todo,
            done_before,
            total,
            done_now: 0,
            started: now,
            last: now,
            terminal: std::io::stderr().is_terminal(),
        }
    }

    fn row_done(&mut self) {
        self.done_now += 1;
        let every = if self.terminal {
            Duration::from_millis(200)
        } else {
            Duration::from_secs(5)
        };
        if self.last.elapsed() >= every || self.done_now == self.todo {
            self.last = Instant::now();
            let line = self.line();
            if self.terminal {
                eprint!("\r\x1b[K{line}");
            } else {
                eprintln!("{line}");
            }
        }
    }

    fn line(&self) -> String {
        let secs = self.started.elapsed().as_secs_f64();
        let rate = self.done_now as f64 / secs.max(1e-9);
        let left = self.todo - self.done_now;
        let eta = if rate > 0.0 {
            format_duration(left as f64 / rate)
        } else {
            "?".into()
        };
        format!(
            "{}/{} rows, {:.2} rows/s, ETA {eta}",
            self.done_before + self.done_now,
            self.total,
            rate
        )
    }

    fn finish(&self, output: &Path) {
        if self.terminal {
            eprintln!();
        }
        eprintln!(
            "wrote {} rows to {} in {}",
            self.done_now,
            output.display(),
            format_duration(self.started.elapsed().as_secs_f64())
        );
        let _ = std::io::stderr().flush();
    }
}

fn format_duration(secs: f64) -> String {
    let s = secs.round() as u64;
    if s >= 3600 {
        format!("{}h{:02}m", s / 3600, (s % 3600) / 60)
    } else if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}
