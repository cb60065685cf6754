//! `textchem gui`: the desktop app, optionally sending a first message and saving a screenshot.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;

use crate::app::backend::ModelChoice;
use crate::app::script::ScriptSteps;
use crate::app::{AppOptions, run_native};

#[derive(Args, Debug, Default)]
pub struct GuiArgs {
    /// A first message to send once the window is up (SMILES, reaction, description...).
    #[arg(long)]
    pub input: Option<String>,
    /// Save a PNG screenshot of the window after the first frames, then exit.
    #[arg(long, value_name = "PNG")]
    pub screenshot: Option<PathBuf>,
    /// With --screenshot: frames to draw first; above 10, frame times are printed (p50/p95).
    #[arg(long, default_value_t = crate::app::screenshot::SETTLE_FRAMES)]
    pub frames: u32,
    /// Keep history in this folder instead of the user data directory (also TEXTCHEM_DATA_DIR).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Load this checkpoint folder at start (before --input is sent).
    #[arg(long, value_name = "DIR")]
    pub model: Option<PathBuf>,
    /// Longest answer, in tokens (the Model settings' max length).
    #[arg(long)]
    pub max_length: Option<usize>,
    /// Beams (the Model settings' beams).
    #[arg(long)]
    pub beams: Option<usize>,
    /// Scripted: type this folder into "Model folder or hub id" and press Load, then wait until
    /// the model has loaded (before --input is sent, before --screenshot).
    #[arg(long, value_name = "DIR", conflicts_with = "model")]
    pub type_model_folder: Option<PathBuf>,
    /// Scripted: press Save PNG… under the drawing and, where no file dialog opens (no portal,
    /// TEXTCHEM_NO_DIALOGS=1), type this path into the field that appears and confirm; then
    /// wait until the file is written (before --screenshot).
    #[arg(long, value_name = "PNG")]
    pub save_png_typed: Option<PathBuf>,
    /// Seconds the scripted steps may take in all before the run fails.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub script_timeout: u64,
}

pub fn run(args: GuiArgs) -> anyhow::Result<()> {
    let mut options = AppOptions::desktop();
    if let Some(dir) = args.data_dir {
        options.data_dir = dir;
    }
    options.initial_input = args.input;
    options.initial_model = args.model.map(ModelChoice::Folder);
    if let Some(n) = args.max_length {
        options.generate.max_length = n;
    }
    if let Some(n) = args.beams {
        options.generate.beams = n;
    }
    options.script = ScriptSteps {
        model_folder: args.type_model_folder,
        save_png: args.save_png_typed.clone(),
        timeout: Duration::from_secs(args.script_timeout),
        report: Default::default(),
    };
    let report = options.script.report.clone();
    let scripted = !options.script.is_empty();
    options.screenshot = args.screenshot.clone();
    options.screenshot_frames = args.frames;
    // A stale file must not pass for this run's.
    for path in [&args.screenshot, &args.save_png_typed]
        .into_iter()
        .flatten()
    {
        let _ = std::fs::remove_file(path);
    }
    run_native(options)?;
    if scripted {
        match report.lock().unwrap().take() {
            Some(Ok(())) => {}
            Some(Err(e)) => bail!("{e}"),
            None => bail!("the window closed before the scripted steps were done"),
        }
    }
    if let Some(path) = args.screenshot {
        let len = std::fs::metadata(&path)
            .with_context(|| format!("the window closed without writing {}", path.display()))?
            .len();
        if len == 0 {
            bail!("{} is empty", path.display());
        }
        println!("saved {}", path.display());
    }
    Ok(())
}
