//! Command-line interface: one module per subcommand; `main.rs` only dispatches.

pub mod batch;
pub mod bench;
pub mod draw;
pub mod eval;
pub mod fingerprint;
pub mod gui;
pub mod layout;
pub mod lines;
pub mod match_;
pub mod merge;
pub mod props;
pub mod quantize;
pub mod resume;
pub mod run;
pub mod similar;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "textchem",
    version,
    about = "Chemistry assistant around the Text+Chem T5 model"
)]
pub struct Cli {
    /// Without a subcommand, textchem opens its window.
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Print the elements textchem knows (a quick self-check).
    Elements,
    /// Molecular properties (formula, masses, H counts...) of SMILES lines, as CSV.
    Props(props::PropsArgs),
    /// A fingerprint (Morgan or RDKit path, as RDKit computes them) per SMILES line, as CSV.
    Fingerprint(fingerprint::FingerprintArgs),
    /// Rank SMILES lines by Tanimoto similarity to a query molecule, as CSV.
    Similar(similar::SimilarArgs),
    /// Count the unique matches of a SMARTS pattern in each SMILES line, as CSV.
    Match(match_::MatchArgs),
    /// Work on a model checkpoint folder.
    Model {
        #[command(subcommand)]
        command: ModelCommand,
    },
    /// Measure generation speed (tokens/s) of random t5-small/t5-base shaped models or a
    /// checkpoint folder, in f32 and the quantized formats.
    Bench(bench::BenchArgs),
    /// 2D coordinates for each SMILES of a file, as JSON lines (for layout_metrics.py).
    Layout(layout::LayoutArgs),
    /// Draw a molecule or reaction SMILES to an SVG or PNG file.
    Draw(draw::DrawArgs),
    /// Open the desktop app (the default when no subcommand is given).
    Gui(gui::GuiArgs),
    /// Run one task (forward, retro, actions, molecule, caption) on one input and print the
    /// ranked answers.
    Run(run::RunArgs),
    /// Run one task over a column of a CSV file, writing a CSV with the best answer per row
    /// (resumable).
    Batch(batch::BatchArgs),
    /// Score predictions (or a model on a data set) with the papers' metrics: BLEU, ROUGE,
    /// METEOR, Levenshtein, validity, exact match.
    Eval(eval::EvalArgs),
    /// Join the outputs of `batch --shard K/N` into the output of one unsharded run, in input
    /// order (every row exactly once).
    Merge(merge::MergeArgs),
}

#[derive(Subcommand, Debug)]
pub enum ModelCommand {
    /// Quantize a checkpoint's weights to a GGUF file beside them; loading then prefers it.
    Quantize {
        /// The checkpoint folder (config.json and model.safetensors or pytorch_model.bin).
        dir: PathBuf,
        /// The quantized format: q4k (the default: 4-bit, with the embedding and FFN output
        /// matrices at 8 bits; fastest), q8_0 (8-bit everywhere) or f16 (half precision).
        #[arg(long, value_enum, default_value_t)]
        to: crate::model::quantize::QuantFormat,
    },
}

/// Runs a parsed command. Call it from `main` before starting any thread.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    // SAFETY: `main` calls this right after parsing arguments, while single-threaded.
    unsafe { crate::model::pin_thread_count() };
    let Some(command) = cli.command else {
        return gui::run(gui::GuiArgs::default());
    };
    match command {
        Command::Elements => {
            for z in 1..=118u8 {
                let e = crate::chem::Element::from_atomic_number(z).expect("1..=118 are elements");
                println!("{z}\t{e}");
            }
            Ok(())
        }
        Command::Props(args) => props::run(args),
        Command::Fingerprint(args) => fingerprint::run(args),
        Command::Similar(args) => similar::run(args),
        Command::Match(args) => match_::run(args),
        Command::Model {
            command: ModelCommand::Quantize { dir, to },
        } => quantize::run(&dir, to),
        Command::Bench(args) => bench::run(args),
        Command::Layout(args) => layout::run(&args),
        Command::Draw(args) => draw::run(&args),
        Command::Gui(args) => gui::run(args),
        Command::Run(args) => run::run(args),
        Command::Batch(args) => batch::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Merge(args) => merge::run(args),
    }
}
