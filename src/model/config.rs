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

/// The largest size any field may have: far above every published T5 (t5-11b has d_ff 65536,
/// vocab 32128), and small enough that products of sizes cannot overflow.
const MAX_SIZE: usize = 1 << 20;

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
        cfg.validate()?;
        Ok(cfg)
    }

    /// Refuses sizes no T5 has: a zero (the network would answer garbage), or one so large
    /// that allocating for it would exhaust memory before any weight is checked.
    fn validate(&self) -> Result<()> {
        let sizes = [
            ("vocab_size", self.vocab_size),
            ("d_model", self.d_model),
            ("d_kv", self.d_kv),
            ("d_ff", self.d_ff),
            ("num_layers", self.num_layers),
            ("num_decoder_layers", self.decoder_layers()),
            ("num_heads", self.num_heads),
            (
                "relative_attention_num_buckets",
                self.relative_attention_num_buckets,
            ),
            (
                "relative_attention_max_distance",
                self.relative_attention_max_distance,
            ),
        ];
        for (name, value) in sizes {
            if value == 0 || value > MAX_SIZE {
                bail!("{name} is {value}; a T5 needs 1 to {MAX_SIZE}");
            }
        }
        if !(self.layer_norm_epsilon > 0.0 && self.layer_norm_epsilon < 1.0) {
            bail!(
                "layer_norm_epsilon is {}; it must be a small positive number (T5 uses 1e-6)",
                self.layer_norm_epsilon
            );
        }
        for (name, id) in [
            ("pad_token_id", self.pad_token_id),
            ("eos_token_id", self.eos_token_id),
            ("decoder_start_token_id", self.decoder_start_token_id),
        ] {
            if id as usize >= self.vocab_size {
                bail!(
                    "{name} {id} is outside the vocabulary (vocab_size {})",
                    self.vocab_size
                );
            }
        }
        Ok(())
    }

    pub fn decoder_layers(&self) -> usize {
        self.num_decoder_layers.unwrap_or(self.num_layers)
    }

    /// The lengths of all the quantizable matrix rows (inner dimensions).
    pub fn inner_dim(&self) -> usize {
        self.num_heads * self.d_kv
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small valid config with `field` set to `value` (JSON).
    fn with(field: &str, value: &str) -> Result<T5Config> {
        let mut json: serde_json::Value = serde_json::from_str(
            r#"{"vocab_size": 100, "d_model": 8, "d_kv": 2, "d_ff": 16,
                "num_layers": 2, "num_heads": 4}"#,
        )
        .unwrap();
        if !field.is_empty() {
            json[field] = serde_json::from_str(value).unwrap();
        }
        T5Config::from_json(&json.to_string())
    }

    #[test]
    fn a_plain_config_reads_with_t5_defaults() {
        let cfg = with("", "").unwrap();
        assert_eq!(cfg.decoder_layers(), 2);
        assert_eq!(cfg.relative_attention_num_buckets, 32);
        assert_eq!(cfg.layer_norm_epsilon, 1e-6);
    }

    #[test]
    fn impossible_sizes_are_refused_with_the_field_named() {
        let err = |field: &str, value: &str| format!("{:#}", with(field, value).unwrap_err());
        assert!(err("num_layers", "0").contains("num_layers is 0"));
        assert!(err("num_decoder_layers", "0").contains("num_decoder_layers is 0"));
        assert!(err("layer_norm_epsilon", "-1").contains("layer_norm_epsilon is -1"));
        assert!(err("d_model", "1000000000000").contains("d_model is 1000000000000"));
        assert!(err("eos_token_id", "100").contains("eos_token_id 100 is outside"));
    }
}
