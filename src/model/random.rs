//! Randomly initialised T5 checkpoints at the shapes of t5-small and t5-base, with Hugging
//! Face's `T5PreTrainedModel._init_weights` scales, for benchmarks and quantization checks
//! that must not depend on downloading the real checkpoints.

use crate::model::checkpoint::{AttentionSpec, Checkpoint, TensorSpec};
use crate::model::config::T5Config;
use crate::model::weights::TensorStore;
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

fn input_scale(spec: &TensorSpec) -> f64 {
    (spec.dims[1] as f64).powf(-0.5)
}

/// An attention sublayer's tensors with their stds, and its position-bias table when it has one.
fn attention_draws<'a>(
    a: &'a AttentionSpec,
    bias: Option<&'a TensorSpec>,
    d_model: f64,
    d_kv: f64,
) -> Vec<(&'a TensorSpec, f64)> {
    let mut out = vec![
        (&a.q, (d_model * d_kv).powf(-0.5)),
        (&a.k, input_scale(&a.k)),
        (&a.v, input_scale(&a.v)),
        (&a.o, input_scale(&a.o)),
    ];
    out.extend(bias.map(|b| (b, d_model.powf(-0.5))));
    out
}

/// All tensors of a random T5 with `cfg`'s shape, drawn with Hugging Face's initial scales
/// (a projection's std is its input width^-0.5; q's also divides by d_kv^0.5); norms are ones.
pub fn random_store(cfg: &T5Config, seed: u64) -> Result<TensorStore> {
    let layout = Checkpoint::new(cfg, |_| false);
    let d = cfg.d_model as f64;
    // A fixed draw order (per stack and layer: q, k, v, o, the position bias, wi, wo) keeps
    // each seed's weights the same.
    let mut draws: Vec<(&TensorSpec, f64)> = vec![(&layout.shared, 1.0)];
    let mut norms: Vec<&TensorSpec> = vec![];
    let attention = |a, bias| attention_draws(a, bias, d, cfg.d_kv as f64);
    for (i, layer) in layout.encoder.iter().enumerate() {
        draws.extend(attention(
            &layer.attn,
            (i == 0).then_some(&layout.encoder_bias),
        ));
        draws.extend([
            (&layer.ff.wi, input_scale(&layer.ff.wi)),
            (&layer.ff.wo, input_scale(&layer.ff.wo)),
        ]);
        norms.extend([&layer.attn.norm, &layer.ff.norm]);
    }
    norms.push(&layout.encoder_norm);
    for (i, layer) in layout.decoder.iter().enumerate() {
        draws.extend(attention(
            &layer.self_attn,
            (i == 0).then_some(&layout.decoder_bias),
        ));
        draws.extend(attention(&layer.cross_attn, None));
        draws.extend([
            (&layer.ff.wi, input_scale(&layer.ff.wi)),
            (&layer.ff.wo, input_scale(&layer.ff.wo)),
        ]);
        norms.extend([
            &layer.self_attn.norm,
            &layer.cross_attn.norm,
            &layer.ff.norm,
        ]);
    }
    norms.push(&layout.decoder_norm);
    let mut rng = Normal(seed);
    let mut tensors = HashMap::new();
    for (spec, std) in draws {
        let n = spec.dims.iter().product();
        let t = Tensor::from_vec(rng.fill(n, std), spec.dims.as_slice(), &Device::Cpu)?;
        tensors.insert(spec.name.clone(), t);
    }
    for spec in norms {
        let t = Tensor::ones(spec.dims.as_slice(), candle_core::DType::F32, &Device::Cpu)?;
        tensors.insert(spec.name.clone(), t);
    }
    Ok(TensorStore::from_tensors(
        &format!("random seed {seed}"),
        tensors,
    ))
}
