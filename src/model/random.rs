//! Randomly initialised T5 checkpoints at the shapes of t5-small and t5-base, with Hugging
//! Face's `T5PreTrainedModel._init_weights` scales, for benchmarks and quantization checks
//! that must not depend on downloading the real checkpoints.

use crate::model::weights::{T5Config, TensorStore};
use anyhow::{Result, bail};
use candle_core::{Device, Tensor};
use std::collections::HashMap;

/// T5 v1.0 configs of the published sizes (Text+Chem T5 small and base share them).
pub fn shape_config(name: &str) -> Result<T5Config> {
    let (d_model, d_ff, layers, heads) = match name {
        "t5-small" => (512, 2048, 6, 8),
        "t5-base" => (768, 3072, 12, 12),
        other => bail!("unknown model shape {other:?} (t5-small or t5-base)"),
    };
    T5Config::from_json(&format!(
        r#"{{"vocab_size": 32128, "d_model": {d_model}, "d_kv": 64, "d_ff": {d_ff},
            "num_layers": {layers}, "num_heads": {heads}, "feed_forward_proj": "relu"}}"#
    ))
}

/// SplitMix64 with Box–Muller: a tiny deterministic normal sampler, so a seed names the
/// same model on every machine.
struct Normal(u64);

impl Normal {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    fn fill(&mut self, n: usize, std: f64) -> Vec<f32> {
        let mut out = Vec::with_capacity(n + 1);
        while out.len() < n {
            let (u1, u2) = (self.uniform(), self.uniform());
            let r = (-2.0 * u1.ln()).sqrt() * std;
            let t = std::f64::consts::TAU * u2;
            out.push((r * t.cos()) as f32);
            out.push((r * t.sin()) as f32);
        }
        out.truncate(n);
        out
    }
}

/// All tensors of a random T5 with `cfg`'s shape.
pub fn random_store(cfg: &T5Config, seed: u64) -> Result<TensorStore> {
    let mut rng = Normal(seed);
    let mut tensors = HashMap::new();
    let mut put = |name: String, dims: &[usize], std: f64| -> Result<()> {
        let n = dims.iter().product();
        let t = Tensor::from_vec(rng.fill(n, std), dims, &Device::Cpu)?;
        tensors.insert(name, t);
        Ok(())
    };
    let (d, ff, inner, h) = (cfg.d_model, cfg.d_ff, cfg.inner_dim(), cfg.num_heads);
    let df = d as f64;
    put("shared.weight".into(), &[cfg.vocab_size, d], 1.0)?;
    let mut norms = vec![];
    for (stack, layers) in [
        ("encoder", cfg.num_layers),
        ("decoder", cfg.decoder_layers()),
    ] {
        for i in 0..layers {
            let mut attn = |sub: usize, kind: &str| -> Result<()> {
                let p = format!("{stack}.block.{i}.layer.{sub}.{kind}");
                put(
                    format!("{p}.q.weight"),
                    &[inner, d],
                    (df * cfg.d_kv as f64).powf(-0.5),
                )?;
                put(format!("{p}.k.weight"), &[inner, d], df.powf(-0.5))?;
                put(format!("{p}.v.weight"), &[inner, d], df.powf(-0.5))?;
                put(
                    format!("{p}.o.weight"),
                    &[d, inner],
                    (inner as f64).powf(-0.5),
                )?;
                if i == 0 && kind == "SelfAttention" {
                    let dims = [cfg.relative_attention_num_buckets, h];
                    put(
                        format!("{p}.relative_attention_bias.weight"),
                        &dims,
                        df.powf(-0.5),
                    )?;
                }
                norms.push(format!("{stack}.block.{i}.layer.{sub}.layer_norm.weight"));
                Ok(())
            };
            attn(0, "SelfAttention")?;
            let ff_sub = if stack == "decoder" {
                attn(1, "EncDecAttention")?;
                2
            } else {
                1
            };
            let p = format!("{stack}.block.{i}.layer.{ff_sub}");
            put(
                format!("{p}.DenseReluDense.wi.weight"),
                &[ff, d],
                df.powf(-0.5),
            )?;
            put(
                format!("{p}.DenseReluDense.wo.weight"),
                &[d, ff],
                (ff as f64).powf(-0.5),
            )?;
            norms.push(format!("{p}.layer_norm.weight"));
        }
        norms.push(format!("{stack}.final_layer_norm.weight"));
    }
    for name in norms {
        tensors.insert(
            name,
            Tensor::ones(d, candle_core::DType::F32, &Device::Cpu)?,
        );
    }
    Ok(TensorStore::from_tensors(
        &format!("random seed {seed}"),
        tensors,
    ))
}
