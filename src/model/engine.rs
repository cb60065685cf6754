//! One loaded model (network + tokenizer) answering task requests synchronously: what the CLI's
//! `run` and `batch` call directly and the background worker calls on its thread.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use serde::{Deserialize, Serialize};
use tokenizers::Tokenizer;

use super::folder::{ModelFiles, check_folder};
use super::generate::{GenerateConfig, StepCallback, generate};
use super::source::{HubSettings, ModelSource, resolve};
use super::t5::T5Model;
use super::task::{Task, clean_output, interpret_output};
use super::tokenizer::load_tokenizer;
use super::weights::{T5Config, TensorStore, WeightFormat, find_weights};

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

pub struct Engine {
    model: T5Model,
    tokenizer: Tokenizer,
    name: String,
    weights: PathBuf,
}

impl Engine {
    /// Loads from a resolved folder, preferring a quantized GGUF when there is one.
    pub fn load(files: &ModelFiles, name: &str) -> Result<Engine> {
        let tokenizer = load_tokenizer(&files.folder)?;
        let (weights, format) = weights_file(files)?;
        Self::load_weights(files, name, tokenizer, weights, format)
    }

    fn load_weights(
        files: &ModelFiles,
        name: &str,
        tokenizer: Tokenizer,
        weights: PathBuf,
        format: WeightFormat,
    ) -> Result<Engine> {
        let cfg = T5Config::from_file(&files.config)?;
        let store = TensorStore::load(&weights, format)?;
        let model = T5Model::load(cfg, &store).with_context(|| {
            format!(
                "{} does not fit {}: download the checkpoint again",
                weights.display(),
                files.config.display()
            )
        })?;
        if tokenizer.get_vocab_size(true) > model.config().vocab_size {
            bail!(
                "{} has {} tokens but the model's vocabulary ({}) has {}: the folder mixes two checkpoints",
                files.spiece.display(),
                tokenizer.get_vocab_size(true),
                files.config.display(),
                model.config().vocab_size
            );
        }
        Ok(Engine {
            model,
            tokenizer,
            name: name.to_owned(),
            weights,
        })
    }

    /// Resolves `source` (downloading through hf-hub when the cache lacks files) and loads it.
    /// Hub settings come from the environment; download progress is reported as stage lines.
    pub fn load_source(source: &ModelSource, on_stage: &mut dyn FnMut(&str)) -> Result<Engine> {
        let mut hub = HubSettings::from_env()?;
        // The worker has no terminal: stage lines replace hf-hub's progress bar.
        hub.progress = false;
        Self::load_source_with(source, &hub, on_stage)
    }

    /// As `load_source`, with explicit hub settings (the CLI turns hf-hub's progress bar on).
    pub fn load_source_with(
        source: &ModelSource,
        hub: &HubSettings,
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
        on_stage("building the tokenizer");
        let tokenizer = load_tokenizer(&files.folder)?;
        let (weights, format) = weights_file(&files)?;
        on_stage(&format!("loading weights {}", file_name(&weights)));
        Self::load_weights(&files, &name, tokenizer, weights, format)
    }

    pub fn model_name(&self) -> &str {
        &self.name
    }

    /// The weight file the network was loaded from.
    pub fn weights(&self) -> &Path {
        &self.weights
    }

    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
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
        let generated = generate(&self.model, encoding.get_ids(), &cfg, on_step)?;
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
