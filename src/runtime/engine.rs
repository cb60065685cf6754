//! One loaded model (network + tokenizer) answering task requests synchronously: what the CLI's
//! `run` and `batch` call directly and the background worker calls on its thread.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};

use anyhow::{Context, Result, anyhow, bail};
use serde::{Deserialize, Serialize};
use tokenizers::Tokenizer;

use super::device::{Device, Selected};
use super::panics::{lock, panic_message};
use crate::gpu::{GpuContext, GpuT5Model};
use crate::model::config::T5Config;
use crate::model::folder::{ModelFiles, check_folder};
use crate::model::generate::{Cancelled, GenerateConfig, Generated, StepCallback, generate};
use crate::model::hub::HubSettings;
use crate::model::source::{ModelSource, resolve};
use crate::model::t5::T5Model;
use crate::model::task::{Task, clean_output, interpret_output};
use crate::model::tokenizer::load_tokenizer;
use crate::model::weights::{TensorStore, WeightFormat, find_weights};

/// The longest input the model reads, in tokens: the checkpoints' `model_max_length`, the
/// length they were trained on. Longer inputs are refused before any memory is spent on them.
pub const MAX_INPUT_TOKENS: usize = 512;

/// Decoding settings a user chooses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenerateOptions {
    /// Beam count; 1 is greedy decoding. Every beam is returned, best first.
    pub beams: usize,
    /// Maximum decoder length, counting the decoder start token (HF `max_length`).
    pub max_length: usize,
}

impl Default for GenerateOptions {
    /// The Text+Chem T5 authors' decoding: 10 beams, max length 512.
    fn default() -> Self {
        GenerateOptions {
            beams: 10,
            max_length: 512,
        }
    }
}

impl GenerateOptions {
    /// Decoding steps at most (tokens after the start token).
    pub fn max_steps(&self) -> usize {
        self.max_length.saturating_sub(1)
    }

    fn config(&self) -> Result<GenerateConfig> {
        if self.beams == 0 {
            bail!("the beam count must be at least 1 (1 is greedy decoding)");
        }
        if self.max_length < 2 {
            bail!(
                "max length {} leaves no room for an output token (it counts the decoder start token; use 2 or more)",
                self.max_length
            );
        }
        Ok(if self.beams == 1 {
            GenerateConfig::greedy(self.max_length)
        } else {
            GenerateConfig::beam(self.beams, self.max_length)
        })
    }
}

/// One task's answers, best first. Serialised as `textchem run --format json` prints it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Answer {
    pub task: String,
    pub input: String,
    pub model: String,
    pub results: Vec<RankedOutput>,
}

/// One answer. `valid` and `canonical_smiles` are null for text tasks; `error` holds the SMILES
/// reader's message (what and at which column) when a SMILES answer is not valid.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct RankedOutput {
    pub rank: usize,
    pub text: String,
    /// HF's sequence score: length-normalised log-probability for beam search, summed
    /// log-probability for greedy decoding.
    pub score: f32,
    pub valid: Option<bool>,
    pub canonical_smiles: Option<String>,
    pub error: Option<String>,
}

/// A loaded model and its tokenizer, on the GPU or the CPU.
///
/// A GPU engine keeps running on the CPU once the GPU fails (a lost device, out of memory):
/// the CPU network is loaded from the same weight file on first need, the request is redone
/// there, and a notice says so (`take_notices`).
pub struct Engine {
    /// The network on the GPU, when it runs there and has not failed.
    gpu: Option<GpuT5Model>,
    /// The CPU network: loaded up front for CPU engines, on the first GPU failure otherwise.
    cpu: OnceLock<T5Model>,
    gpu_failed: AtomicBool,
    notices: Mutex<Vec<String>>,
    tokenizer: Tokenizer,
    name: String,
    config: PathBuf,
    weights: PathBuf,
    format: WeightFormat,
    /// The GPU adapter in words, while the model runs there.
    adapter: Option<String>,
}

impl Engine {
    /// Loads from a resolved folder onto the CPU, preferring a quantized GGUF when there is one.
    pub fn load(files: &ModelFiles, name: &str) -> Result<Engine> {
        Self::load_on(files, name, Device::Cpu, None, &mut |_| {})
    }

    /// Loads from a resolved folder onto `device`, reusing `window` (the app renderer's GPU
    /// device) rather than opening another when the GPU is chosen. When the GPU cannot be used
    /// the model runs on the CPU: for `Device::Auto` that is a stage line, for `Device::Gpu`
    /// also a notice.
    pub fn load_on(
        files: &ModelFiles,
        name: &str,
        device: Device,
        window: Option<&GpuContext>,
        on_stage: &mut dyn FnMut(&str),
    ) -> Result<Engine> {
        on_stage("building the tokenizer");
        let tokenizer = load_tokenizer(&files.folder)?;
        let (weights, format) = weights_file(files)?;
        on_stage(&format!("loading weights {}", file_name(&weights)));
        let cfg = T5Config::from_file(&files.config)?;
        let store = TensorStore::load(&weights, format)?;
        let misfit = || {
            format!(
                "{} does not fit {}: download the checkpoint again",
                weights.display(),
                files.config.display()
            )
        };
        if tokenizer.get_vocab_size(true) > cfg.vocab_size {
            bail!(
                "{} has {} tokens but the model's vocabulary ({}) has {}: the folder mixes two checkpoints",
                files.spiece.display(),
                tokenizer.get_vocab_size(true),
                files.config.display(),
                cfg.vocab_size
            );
        }
        let mut engine = Engine {
            gpu: None,
            cpu: OnceLock::new(),
            gpu_failed: AtomicBool::new(false),
            notices: Mutex::default(),
            tokenizer,
            name: name.to_owned(),
            config: files.config.clone(),
            weights: weights.clone(),
            format,
            adapter: None,
        };
        let cpu_reason = match device.select_sharing(window) {
            Ok(Selected::Gpu(ctx)) => {
                let adapter = if ctx.shared_with_window {
                    format!("{}, shared with the window", ctx.adapter)
                } else {
                    ctx.adapter.to_string()
                };
                on_stage(&format!("uploading the weights to the GPU: {adapter}"));
                match GpuT5Model::load(ctx, cfg.clone(), &store) {
                    Ok(model) => {
                        engine.gpu = Some(model);
                        engine.adapter = Some(adapter);
                        return Ok(engine);
                    }
                    Err(e) => format!("the GPU {adapter} could not take the model: {e:#}"),
                }
            }
            Ok(Selected::Cpu { reason }) => reason.unwrap_or_default(),
            Err(e) => format!("{e:#}"),
        };
        if device != Device::Cpu {
            on_stage(&format!("running on the CPU: {cpu_reason}"));
            if device == Device::Gpu {
                engine.notice(format!(
                    "The GPU was asked for but the model runs on the CPU: {cpu_reason}"
                ));
            }
        }
        let model = T5Model::load(cfg, &store).with_context(misfit)?;
        let _ = engine.cpu.set(model);
        Ok(engine)
    }

    /// Resolves `source` (downloading through hf-hub when the cache lacks files) and loads it
    /// onto `device`. Hub settings come from the environment; download progress is reported
    /// as stage lines.
    pub fn load_source(
        source: &ModelSource,
        device: Device,
        window: Option<&GpuContext>,
        on_stage: &mut dyn FnMut(&str),
    ) -> Result<Engine> {
        let mut hub = HubSettings::from_env()?;
        // The worker has no terminal: stage lines replace hf-hub's progress bar.
        hub.progress = false;
        Self::load_source_with(source, &hub, device, window, on_stage)
    }

    /// As `load_source`, with explicit hub settings (the CLI turns hf-hub's progress bar on).
    pub fn load_source_with(
        source: &ModelSource,
        hub: &HubSettings,
        device: Device,
        window: Option<&GpuContext>,
        on_stage: &mut dyn FnMut(&str),
    ) -> Result<Engine> {
        let name = source_name(source);
        let files = match source {
            ModelSource::Folder(path) => {
                on_stage(&format!("checking {}", path.display()));
                check_folder(path)?
            }
            ModelSource::Hub { .. } => {
                on_stage(&format!(
                    "fetching {name} into {} (only files the cache lacks are downloaded)",
                    hub.cache_dir.display()
                ));
                resolve(source, hub)?
            }
        };
        Self::load_on(&files, &name, device, window, on_stage)
    }

    pub fn model_name(&self) -> &str {
        &self.name
    }

    /// The weight file the network was loaded from.
    pub fn weights(&self) -> &Path {
        &self.weights
    }

    /// Where the model runs, in words: the GPU adapter, or "CPU".
    pub fn device(&self) -> String {
        match &self.adapter {
            Some(adapter) if !self.gpu_has_failed() => format!("GPU: {adapter}"),
            _ => "CPU".to_owned(),
        }
    }

    /// The GPU the model runs on, while it runs there.
    pub fn gpu_context(&self) -> Option<&GpuContext> {
        self.gpu
            .as_ref()
            .filter(|_| !self.gpu_has_failed())
            .map(GpuT5Model::context)
    }

    /// Notices not yet shown to the user (the GPU was refused or failed: the CPU runs instead).
    pub fn take_notices(&self) -> Vec<String> {
        std::mem::take(&mut *lock(&self.notices))
    }

    fn notice(&self, message: String) {
        lock(&self.notices).push(message);
    }

    fn gpu_has_failed(&self) -> bool {
        self.gpu_failed.load(Ordering::Relaxed)
    }

    /// Generates on the GPU while it works, else on the CPU. A GPU failure other than a
    /// cancel moves the engine to the CPU for good, and the request is redone there.
    fn generate(
        &self,
        input_ids: &[u32],
        cfg: &GenerateConfig,
        on_step: &mut StepCallback,
    ) -> Result<Vec<Generated>> {
        if let Some(gpu) = self.gpu.as_ref().filter(|_| !self.gpu_has_failed()) {
            // wgpu panics on some failures of a lost device instead of returning an error.
            let on_gpu = catch_unwind(AssertUnwindSafe(|| {
                generate(gpu, input_ids, cfg, &mut *on_step)
            }))
            .unwrap_or_else(|panic| {
                Err(anyhow!(
                    "the GPU path panicked: {}",
                    panic_message(panic.as_ref())
                ))
            });
            match on_gpu {
                Err(e) if !e.chain().any(|c| c.is::<Cancelled>()) => {
                    self.gpu_failed.store(true, Ordering::Relaxed);
                    self.notice(format!(
                        "The GPU failed ({e:#}); textchem now runs the model on the CPU."
                    ));
                }
                done => return done,
            }
        }
        generate(self.cpu_model()?, input_ids, cfg, on_step)
    }

    /// The CPU network, loaded from the weight file when the engine started on the GPU.
    fn cpu_model(&self) -> Result<&T5Model> {
        if let Some(model) = self.cpu.get() {
            return Ok(model);
        }
        let cfg = T5Config::from_file(&self.config)?;
        let store = TensorStore::load(&self.weights, self.format)?;
        let model = T5Model::load(cfg, &store)
            .with_context(|| format!("loading {} for the CPU", self.weights.display()))?;
        Ok(self.cpu.get_or_init(|| model))
    }

    /// Runs one task; `on_step` sees every decoding step and may cancel.
    pub fn run(
        &self,
        task: Task,
        input: &str,
        opts: &GenerateOptions,
        on_step: &mut StepCallback,
    ) -> Result<Answer> {
        let cfg = opts.config()?;
        let prompt = task.prompt(input)?;
        let encoding = self
            .tokenizer
            .encode(prompt.as_str(), true)
            .map_err(|e| anyhow!("tokenizing the input: {e}"))?;
        let ids = encoding.get_ids();
        if ids.len() > MAX_INPUT_TOKENS {
            bail!(
                "the input is {} tokens long; the model reads at most {MAX_INPUT_TOKENS} \
                 (it was trained on inputs up to that length): shorten it",
                ids.len()
            );
        }
        let generated = self.generate(ids, &cfg, on_step)?;
        if generated.iter().any(|g| !g.score.is_finite()) {
            bail!(
                "the model's scores are not numbers (NaN): its weights {} are damaged; \
                 download the checkpoint again",
                self.weights.display()
            );
        }
        let results = generated
            .iter()
            .enumerate()
            .map(|(i, g)| {
                let out = interpret_output(task, &self.tokenizer, &g.tokens)?;
                let (valid, canonical_smiles, error) = match out.smiles {
                    Some(check) => (Some(check.valid), check.canonical_smiles, check.error),
                    None => (None, None, None),
                };
                Ok(RankedOutput {
                    rank: i + 1,
                    text: out.text,
                    score: g.score,
                    valid,
                    canonical_smiles,
                    error,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Answer {
            task: task.name().to_owned(),
            input: input.trim().to_owned(),
            model: self.name.clone(),
            results,
        })
    }

    /// The cleaned text of a partial token sequence (empty when it cannot be decoded).
    pub fn partial_text(&self, task: Task, ids: &[u32]) -> String {
        clean_output(task, &self.tokenizer, ids).unwrap_or_default()
    }
}

/// The name answers carry: the folder path, or `repo@revision`.
pub fn source_name(source: &ModelSource) -> String {
    match source {
        ModelSource::Folder(path) => path.display().to_string(),
        ModelSource::Hub { repo_id, revision } => format!("{repo_id}@{revision}"),
    }
}

/// The weight file to load: a `model-q4k.gguf`/`model-q8_0.gguf` first, then any other GGUF the
/// folder holds, then the full-precision weights.
fn weights_file(files: &ModelFiles) -> Result<(PathBuf, WeightFormat)> {
    match (find_weights(&files.folder, None), files.gguf.first()) {
        (Ok(found), _) if found.1 == WeightFormat::Gguf => Ok(found),
        (_, Some(gguf)) => Ok((gguf.clone(), WeightFormat::Gguf)),
        (found, None) => found,
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into(),
    )
}
