//! `textchem eval --task T --predictions FILE`: the papers' metrics for a predictions file
//! (MolT5 TSV: `ground truth` and `output` columns, ranked `output_2`… columns for top-k).
//!
//! `textchem eval --task T --data FILE [--model M] [--limit N] [--beams N]` first runs the model
//! on a data set (ChEBI-20 TSV, USPTO TSV, paragraph2actions src-*.txt, GT4SD .jsonl), writing
//! every beam to a predictions TSV (`--output`, resumable like `batch`: rerun the same command
//! after an interruption and the rows already written are kept), then scores it and writes the
//! report beside it (`OUTPUT.report.json`) as well as to stdout. For `retro` that run also
//! reports `roundtrip`: the model, asked the forward task, turns the predicted precursors back
//! into the product.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};

use super::resume::{self, RunRecord};
use super::run::{ModelArgs, load_engine, run_with_progress};
use crate::eval::data::{Example, read_examples};
use crate::eval::predictions::{
    Columns, OUTPUT_COLUMN, PredictionRow, REFERENCE_COLUMN, read_predictions,
};
use crate::eval::reaction::normalise;
use crate::eval::text_tokens::TextTokenizer;
use crate::eval::wordnet::WordNet;
use crate::eval::{EvalOptions, Report, evaluate};
use crate::model::task::Task;
use crate::runtime::engine::Engine;
use crate::runtime::engine::GenerateOptions;

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    Json,
    Markdown,
}

#[derive(clap::Args, Debug)]
pub struct EvalArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    /// A predictions file to score: TSV (CSV when named *.csv) with a header holding the
    /// reference and output columns.
    #[arg(long, conflicts_with = "data", required_unless_present = "data")]
    pub predictions: Option<PathBuf>,
    /// The reference and output column names, `REF,PRED` (default `ground truth,output`).
    #[arg(long)]
    pub columns: Option<Columns>,
    /// A data set to run the model on first, then score.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// With --data: only the first N examples.
    #[arg(long, requires = "data")]
    pub limit: Option<usize>,
    /// With --data: the predictions TSV to write (default: `eval-TASK-DATANAME.tsv` here).
    #[arg(long, requires = "data")]
    pub output: Option<PathBuf>,
    /// With --data: discard predictions an earlier run wrote to the output.
    #[arg(long, requires = "data")]
    pub overwrite: bool,
    /// A BERT `vocab.txt`: caption and action tokens become WordPiece sub-words (SciBERT's
    /// vocabulary gives the paper's tokenization); without it, whole basic tokens.
    #[arg(long)]
    pub text_vocab: Option<PathBuf>,
    /// A WordNet 3.0 database folder (index.*, data.*, *.exc; e.g. /usr/share/wordnet from
    /// Debian's wordnet-base): METEOR then also matches WordNet synonyms, as nltk does with its
    /// WordNet corpus. Without it only exact and Porter-stem matches count.
    #[arg(long)]
    pub wordnet: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "json")]
    pub format: ReportFormat,
}

pub fn run(args: EvalArgs) -> Result<()> {
    let options = EvalOptions {
        text_tokenizer: args
            .text_vocab
            .as_deref()
            .map(TextTokenizer::with_vocab)
            .transpose()?,
        synonyms: match &args.wordnet {
            Some(dir) => Some(Box::new(WordNet::open(dir)?)),
            None => None,
        },
    };
    // The model a generation loaded, for the round trip to reuse.
    let mut engine = None;
    let (predictions_path, columns, report_path) = match (&args.predictions, &args.data) {
        (Some(p), _) => (p.clone(), args.columns.clone().unwrap_or_default(), None),
        (None, Some(data)) => {
            let output = args
                .output
                .clone()
                .unwrap_or_else(|| default_output(&args, data));
            engine = generate(&args, data, &output)?;
            let report = report_path(&output);
            (output, Columns::default(), Some(report))
        }
        (None, None) => bail!("pass --predictions FILE, or --data FILE to run a model first"),
    };
    let started = Instant::now();
    let predictions = read_predictions(&predictions_path, &columns)?;
    if predictions.rows.is_empty() {
        bail!("{} has no rows to score", predictions_path.display());
    }
    let mut report = evaluate(args.model.task, &predictions, &options)?;
    eprintln!(
        "scored {} rows of {} in {:.2}s",
        report.n,
        predictions_path.display(),
        started.elapsed().as_secs_f64()
    );
    if args.model.task == Task::Retro
        && let Some(data) = &args.data
    {
        let engine = match engine {
            Some(engine) => engine,
            None => load_engine(&args.model)?,
        };
        let share = roundtrip(&args, &engine, data, &predictions.rows)?;
        report.metrics.push("roundtrip", share);
    }
    if let Some(path) = report_path {
        fs::write(&path, report.to_json() + "\n")
            .with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("report written to {}", path.display());
    }
    print_report(&report, args.format)
}

/// The share of rows whose first-ranked precursors the model, asked the forward task with
/// greedy decoding, turns back into the row's product (both normalised as `exact` compares
/// them). Rows are `read_examples`' examples in order, so row i's product is example i's input.
fn roundtrip(args: &EvalArgs, engine: &Engine, data: &Path, rows: &[PredictionRow]) -> Result<f64> {
    let mut examples = read_examples(data, Task::Retro)?;
    examples.truncate(rows.len());
    if examples.len() != rows.len() {
        bail!(
            "the predictions have {} rows but {} has {} examples",
            rows.len(),
            data.display(),
            examples.len()
        );
    }
    let greedy = GenerateOptions {
        beams: 1,
        max_length: args.model.options()?.max_length,
    };
    let mut back = 0usize;
    for (i, (example, row)) in examples.iter().zip(rows).enumerate() {
        let precursors = row.best();
        let product = normalise(&example.input);
        if !precursors.trim().is_empty() && product.is_some() {
            match run_with_progress(engine, Task::Forward, precursors, &greedy) {
                Ok(answer) => {
                    let predicted = answer.results.first().and_then(|r| normalise(&r.text));
                    back += usize::from(predicted.is_some() && predicted == product);
                }
                Err(e) => eprintln!("round trip of example {}: {e:#} (a miss)", i + 1),
            }
        }
        eprintln!("round trip: {}/{} examples", i + 1, rows.len());
    }
    Ok(back as f64 / rows.len() as f64)
}

fn print_report(report: &Report, format: ReportFormat) -> Result<()> {
    let text = match format {
        ReportFormat::Json => report.to_json() + "\n",
        ReportFormat::Markdown => report.to_markdown(),
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(())
}

fn default_output(args: &EvalArgs, data: &Path) -> PathBuf {
    let stem = data
        .file_stem()
        .map_or("data".into(), |s| s.to_string_lossy().into_owned());
    PathBuf::from(format!("eval-{}-{stem}.tsv", args.model.task.name()))
}

/// `OUTPUT.report.json` beside the predictions.
pub fn report_path(output: &Path) -> PathBuf {
    let mut name = output.as_os_str().to_owned();
    name.push(".report.json");
    PathBuf::from(name)
}

/// A cell of the predictions TSV: quoting is off in this format, so tabs and line breaks in
/// model text become spaces.
fn cell(text: &str) -> String {
    text.replace(['\t', '\n', '\r'], " ")
}

/// Runs the model over the data (from where an earlier run stopped), appending one TSV row per
/// example: `row`, `input`, `ground truth`, then one output column per beam.
/// Returns the model when it had to be loaded (some examples were still to run).
fn generate(args: &EvalArgs, data: &Path, output: &Path) -> Result<Option<Engine>> {
    let options = args.model.options()?;
    let mut examples = read_examples(data, args.model.task)?;
    if let Some(limit) = args.limit {
        examples.truncate(limit);
    }
    if examples.is_empty() {
        match args.limit {
            Some(0) => bail!("--limit 0 leaves nothing to run"),
            _ => bail!("{} has no examples to run", data.display()),
        }
    }
    let bytes = fs::read(data).with_context(|| format!("cannot open {}", data.display()))?;
    let mut record = RunRecord {
        input: data.display().to_string(),
        input_bytes: bytes.len() as u64,
        input_hash: resume::fnv1a64(&bytes),
        task: args.model.task.name().to_owned(),
        // Which examples: a run with another --limit is another run.
        column: args
            .limit
            .map_or("all examples".into(), |l| format!("first {l} examples")),
        model: args.model.model.clone().unwrap_or_else(|| "default".into()),
        weights: None,
        beams: options.beams,
        max_length: options.max_length,
        shard: None,
        input_rows: None,
    };
    drop(bytes);
    let header = header(options.beams);
    if args.overwrite {
        for path in [output.to_owned(), resume::sidecar_path(output)] {
            match fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(e).with_context(|| format!("cannot remove {}", path.display()));
                }
                _ => {}
            }
        }
    }
    let earlier = resume::read(output)?;
    let done = rows_done(output, &header)?;
    if done > 0 {
        resume::check(output, earlier.as_ref(), &record)?;
    }
    if done >= examples.len() {
        eprintln!(
            "all {} examples are in {}",
            examples.len(),
            output.display()
        );
        return Ok(None);
    }
    if done > 0 {
        eprintln!(
            "{}: {done} examples already done, {} to go",
            output.display(),
            examples.len() - done
        );
    }
    let engine = load_engine(&args.model)?;
    record.weights = engine
        .weights()
        .file_name()
        .map(|n| n.to_string_lossy().into_owned());
    if let Some(earlier) = &earlier
        && done > 0
    {
        resume::check(output, Some(earlier), &record)?;
    }
    resume::write(output, &record)?;
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(output)
        .with_context(|| format!("cannot write {}", output.display()))?;
    if done == 0 {
        file.set_len(0)?;
        writeln!(file, "{header}")?;
    }
    let started = Instant::now();
    for (i, example) in examples.iter().enumerate().skip(done) {
        let line = answer_line(&engine, args, &options, i, example);
        writeln!(file, "{line}")
            .and_then(|()| file.flush())
            .with_context(|| format!("cannot write {}", output.display()))?;
        let finished = i + 1 - done;
        let rate = finished as f64 / started.elapsed().as_secs_f64().max(1e-9);
        eprintln!(
            "{}/{} examples, {rate:.2}/s, ETA {:.0}s",
            i + 1,
            examples.len(),
            (examples.len() - i - 1) as f64 / rate.max(1e-9)
        );
    }
    Ok(Some(engine))
}

fn header(beams: usize) -> String {
    let mut columns = vec![
        "row".to_owned(),
        "input".to_owned(),
        REFERENCE_COLUMN.to_owned(),
        OUTPUT_COLUMN.to_owned(),
    ];
    columns.extend((2..=beams).map(|k| format!("{OUTPUT_COLUMN}_{k}")));
    columns.join("\t")
}

fn answer_line(
    engine: &crate::runtime::engine::Engine,
    args: &EvalArgs,
    options: &crate::runtime::engine::GenerateOptions,
    index: usize,
    example: &Example,
) -> String {
    let mut fields = vec![
        (index + 1).to_string(),
        cell(&example.input),
        cell(&example.reference),
    ];
    match run_with_progress(engine, args.model.task, &example.input, options) {
        Ok(answer) => fields.extend(answer.results.iter().map(|r| cell(&r.text))),
        Err(e) => eprintln!("example {}: {e:#} (scored as an empty output)", index + 1),
    }
    fields.resize(options.beams + 3, String::new());
    fields.join("\t")
}

/// How many complete rows `output` holds, after cutting off a partly written last line; an
/// output with another header belongs to another run.
fn rows_done(output: &Path, header: &str) -> Result<usize> {
    let text = match fs::read(output) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", output.display())),
    };
    let complete = text.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    if complete < text.len() {
        OpenOptions::new()
            .write(true)
            .open(output)
            .and_then(|f| f.set_len(complete as u64))
            .with_context(|| format!("cannot repair {}", output.display()))?;
    }
    let text = String::from_utf8_lossy(&text[..complete]);
    let mut lines = text.lines();
    match lines.next() {
        None => Ok(0),
        Some(first) if first == header => Ok(lines.count()),
        Some(_) => bail!(
            "{} exists with other columns than this run writes: pass --overwrite or another --output",
            output.display()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interrupted_output_keeps_its_complete_rows() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("p.tsv");
        let h = header(2);
        assert_eq!(rows_done(&out, &h).unwrap(), 0);
        fs::write(&out, format!("{h}\n1\ta\tb\tc\td\n2\ta\tb")).unwrap();
        assert_eq!(rows_done(&out, &h).unwrap(), 1);
        assert_eq!(
            fs::read_to_string(&out).unwrap(),
            format!("{h}\n1\ta\tb\tc\td\n")
        );
        assert!(rows_done(&out, &header(3)).is_err());
        assert_eq!(cell("a\tb\nc"), "a b c");
    }
}
