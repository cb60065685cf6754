//! `textchem run --task T [--model ID_OR_DIR] [--beams N] [--max-length L] [--format text|json] INPUT`:
//! one task on one input, the ranked answers on stdout (SMILES answers with their validity and
//! canonical SMILES). Loading and decoding progress go to stderr.

use std::io::{IsTerminal, Read, Write};
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::builder::TypedValueParser;

use crate::model::generate::Progress;
use crate::model::hub::HubSettings;
use crate::model::source::ModelSource;
use crate::model::task::Task;
use crate::runtime::Device;
use crate::runtime::engine::{Answer, Engine, GenerateOptions};

/// The options `run` and `batch` share: which task, which model, how to decode.
#[derive(clap::Args, Debug, Clone)]
pub struct ModelArgs {
    /// The task (its prompt prefix is added to each input).
    #[arg(long, value_parser = task_parser())]
    pub task: Task,
    /// A checkpoint folder (config.json, spiece.model, weights), a catalogue name
    /// (small-standard, small-augm, base-standard, base-augm) or a hub id[@revision].
    /// Default: the catalogue's default model from the Hugging Face cache, downloaded when missing.
    #[arg(long)]
    pub model: Option<String>,
    /// Beam count (1 is greedy decoding); every beam is an answer, best first.
    #[arg(long, default_value_t = GenerateOptions::default().beams)]
    pub beams: usize,
    /// Maximum output length in tokens, counting the decoder start token.
    #[arg(long, default_value_t = GenerateOptions::default().max_length)]
    pub max_length: usize,
    /// Where the model runs: auto (a hardware GPU when wgpu finds one, else the CPU), cpu, or
    /// gpu (any wgpu adapter; the CPU with a notice when none opens).
    #[arg(long, default_value_t = Device::Auto)]
    pub device: Device,
}

impl ModelArgs {
    pub fn options(&self) -> Result<GenerateOptions> {
        if self.beams == 0 {
            bail!("--beams must be at least 1 (1 is greedy decoding)");
        }
        if self.max_length < 2 {
            bail!("--max-length must be at least 2 (it counts the decoder start token)");
        }
        Ok(GenerateOptions {
            beams: self.beams,
            max_length: self.max_length,
        })
    }
}

fn task_parser() -> impl TypedValueParser<Value = Task> {
    clap::builder::PossibleValuesParser::new(Task::ALL.map(Task::name)).map(|s| {
        s.parse::<Task>()
            .expect("clap only passes the listed task names")
    })
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// The input text or SMILES; `-` reads standard input.
    pub input: String,
}

pub fn run(args: RunArgs) -> Result<()> {
    let options = args.model.options()?;
    let input = if args.input == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("reading the input from standard input")?;
        text
    } else {
        args.input
    };
    if input.trim().is_empty() {
        bail!(
            "the input is empty: pass the text or SMILES to work on, or `-` to read standard input"
        );
    }
    let engine = load_engine(&args.model)?;
    let answer = run_with_progress(&engine, args.model.task, &input, &options)?;
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&answer)?)?,
        Format::Text => write!(out, "{}", render_text(&answer))?,
    }
    Ok(())
}

/// Loads `--model` (or the catalogue default) onto `--device`, with stage lines and notices on
/// stderr and hf-hub's progress bar when stderr is a terminal.
pub fn load_engine(args: &ModelArgs) -> Result<Engine> {
    let model = args.model.as_deref();
    let source = match model {
        Some(spec) => ModelSource::parse(spec)?,
        None => ModelSource::default_model(),
    };
    let mut hub = HubSettings::from_env()?;
    hub.progress = std::io::stderr().is_terminal();
    let started = Instant::now();
    let on_stage = &mut |stage: &str| eprintln!("{stage}");
    let engine = Engine::load_source_with(&source, &hub, args.device, None, on_stage).map_err(
        |e| match (&source, model) {
            (ModelSource::Hub { .. }, None) => e.context(
                "the default model is not available: pass --model DIR with a checkpoint folder \
                 (config.json, spiece.model and weights), or run once with network access to \
                 download it into the Hugging Face cache",
            ),
            (ModelSource::Hub { .. }, Some(_)) => e.context(
                "the model is not available: pass --model DIR with a checkpoint folder, or run \
                 once with network access to download it",
            ),
            (ModelSource::Folder(_), _) => e,
        },
    )?;
    print_notices(&engine);
    eprintln!(
        "loaded {} from {} on the {} in {:.1}s",
        engine.model_name(),
        engine.weights().display(),
        engine.device(),
        started.elapsed().as_secs_f64()
    );
    Ok(engine)
}

/// Runs one input, showing the decoding step on stderr when it is a terminal.
pub fn run_with_progress(
    engine: &Engine,
    task: Task,
    input: &str,
    options: &GenerateOptions,
) -> Result<Answer> {
    let show = std::io::stderr().is_terminal();
    let mut last = Instant::now();
    let mut on_step = |p: &Progress| {
        if show && last.elapsed() >= Duration::from_millis(200) {
            last = Instant::now();
            eprint!("\rdecoding: step {}/{}", p.step, options.max_steps());
        }
        ControlFlow::Continue(())
    };
    let answer = engine.run(task, input, options, &mut on_step);
    if show {
        eprint!("\r\x1b[K");
    }
    print_notices(engine);
    answer
}

fn print_notices(engine: &Engine) {
    for notice in engine.take_notices() {
        eprintln!("notice: {notice}");
    }
}

/// One block per answer: rank, score and text, then the SMILES verdict for SMILES tasks.
pub fn render_text(answer: &Answer) -> String {
    let mut out = String::new();
    for r in &answer.results {
        out.push_str(&format!("{:>2}. {:>9.4}  {}\n", r.rank, r.score, r.text));
        match (r.valid, &r.canonical_smiles, &r.error) {
            (Some(true), Some(canonical), _) => {
                out.push_str(&format!("               valid; canonical {canonical}\n"))
            }
            (Some(false), _, error) => out.push_str(&format!(
                "               invalid: {}\n",
                error.as_deref().unwrap_or("not a SMILES")
            )),
            _ => {}
        }
    }
    out
}
