//! A T5 checkpoint's `config.json`: the fields the runtime reads, with Hugging Face's defaults.

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use std::path::Path;

/// The fields of a Hugging Face T5 `config.json` that the runtime uses.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct T5Config {
    pub vocab_size: usize,
    pub d_model: usize,
    pub d_kv: usize,
    pub d_ff: usize,
    pub num_layers: usize,
    #[serde(default)]
    pub num_decoder_layers: Option<usize>,
    pub num_heads: usize,
    #[serde(default = "default_buckets")]
    pub relative_attention_num_buckets: usize,
    #[serde(default = "default_max_distance")]
    pub relative_attention_max_distance: usize,
    #[serde(default = "default_eps")]
    pub layer_norm_epsilon: f64,
    #[serde(default = "default_ff_proj")]
    pub feed_forward_proj: String,
    #[serde(default = "default_true")]
    pub tie_word_embeddings: bool,
    #[serde(default)]
    pub pad_token_id: u32,
    #[serde(default = "default_eos")]
    pub eos_token_id: u32,
    #[serde(default)]
    pub decoder_start_token_id: u32,
}

fn default_buckets() -> usize {
    32
}
fn default_max_distance() -> usize {
    128
}
fn default_eps() -> f64 {
    1e-6
}
fn default_ff_proj() -> String {
    "relu".into()
}
fn default_true() -> bool {
    true
}
fn default_eos() -> u32 {
    1
}

impl T5Config {
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the model config {}", path.display()))?;
        Self::from_json(&text).with_context(|| format!("in {}", path.display()))
    }

    pub fn from_json(text: &str) -> Result<Self> {
        let cfg: T5Config =
            serde_json::from_str(text).context("config.json is not a T5 configuration")?;
        // Text+Chem T5 is T5 v1.0: a plain ReLU feed-forward. Gated variants (T5 v1.1, flan)
        // have other weight names; refusing them here beats a confusing missing-tensor error.
        if cfg.feed_forward_proj != "relu" {
            bail!(
                "feed_forward_proj {:?} is not supported (only T5 v1.0 \"relu\")",
                cfg.feed_forward_proj
            );
        }
        if cfg.num_heads == 0 || cfg.d_kv == 0 || cfg.d_model == 0 {
            bail!("config.json has a zero d_model, d_kv or num_heads");
        }
        Ok(cfg)
    }

    pub fn decoder_layers(&self) -> usize {
        self.num_decoder_layers.unwrap_or(self.num_layers)
    }

    /// The lengths of all the quantizable matrix rows (inner dimensions).
    pub fn inner_dim(&self) -> usize {
        self.num_heads * self.d_kv
    }
}
