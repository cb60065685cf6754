//! Loading a checkpoint onto the GPU: every weight uploaded once, in the layout the kernels
//! read, plus the relative-position bucket tables.

use super::{Attention, DecoderLayer, EncoderLayer, FeedForward, GpuT5Model};
use crate::gpu::context::GpuContext;
use crate::gpu::kernels::Kernels;
use crate::gpu::weights::{GpuMatrix, upload_float};
use crate::model::t5::relative_position_bucket;
use crate::model::weights::{T5Config, TensorStore, find_weights};
use anyhow::{Context, Result};

impl GpuT5Model {
    /// Uploads a checkpoint's weights (f32, f16, q8_0 or q4k matrices) to the device.
    pub fn load(ctx: GpuContext, cfg: T5Config, store: &TensorStore) -> Result<Self> {
        let kernels = Kernels::compile(&ctx).context("compiling the GPU kernels")?;
        let model = ctx.allocating("the model weights", || {
            Self::upload(&ctx, kernels, cfg, store)
        })??;
        ctx.wait()?;
        Ok(model)
    }

    /// Loads a checkpoint folder (config.json + the preferred weight file) onto the device.
    pub fn load_dir(ctx: GpuContext, dir: &std::path::Path) -> Result<Self> {
        let cfg = T5Config::from_file(&dir.join("config.json"))?;
        let (path, format) = find_weights(dir, None)?;
        let store = TensorStore::load(&path, format)?;
        Self::load(ctx, cfg, &store)
            .with_context(|| format!("loading {} onto the GPU", path.display()))
    }

    fn upload(
        ctx: &GpuContext,
        kernels: Kernels,
        cfg: T5Config,
        store: &TensorStore,
    ) -> Result<Self> {
        let d = cfg.d_model;
        let inner = cfg.inner_dim();
        let mat = |name: String, rows, cols| GpuMatrix::upload(ctx, store, &name, rows, cols);
        let vec = |name: String| upload_float(ctx, store, &name, &[d]);
        // `layer` is e.g. `encoder.block.0.layer.0`: the norm sits beside the sublayer
        // (`layer.0.layer_norm`), the projections below it (`layer.0.SelfAttention.q`).
        let attention_at = |layer: String, name: &str| -> Result<Attention> {
            let p = format!("{layer}.{name}");
            Ok(Attention {
                norm: vec(format!("{layer}.layer_norm.weight"))?,
                q: mat(format!("{p}.q.weight"), inner, d)?,
                k: mat(format!("{p}.k.weight"), inner, d)?,
                v: mat(format!("{p}.v.weight"), inner, d)?,
                o: mat(format!("{p}.o.weight"), d, inner)?,
            })
        };
        let feed_forward = |p: String| -> Result<FeedForward> {
            Ok(FeedForward {
                norm: vec(format!("{p}.layer_norm.weight"))?,
                wi: mat(format!("{p}.DenseReluDense.wi.weight"), cfg.d_ff, d)?,
                wo: mat(format!("{p}.DenseReluDense.wo.weight"), d, cfg.d_ff)?,
            })
        };
        let shared_name = [
            "shared.weight",
            "encoder.embed_tokens.weight",
            "decoder.embed_tokens.weight",
        ]
        .into_iter()
        .find(|n| store.contains(n))
        .unwrap_or("shared.weight");
        let encoder = (0..cfg.num_layers)
            .map(|i| {
                let p = format!("encoder.block.{i}.layer");
                Ok(EncoderLayer {
                    attn: attention_at(format!("{p}.0"), "SelfAttention")?,
                    ff: feed_forward(format!("{p}.1"))?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let decoder = (0..cfg.decoder_layers())
            .map(|i| {
                let p = format!("decoder.block.{i}.layer");
                Ok(DecoderLayer {
                    self_attn: attention_at(format!("{p}.0"), "SelfAttention")?,
                    cross_attn: attention_at(format!("{p}.1"), "EncDecAttention")?,
                    ff: feed_forward(format!("{p}.2"))?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let bias_dims = [cfg.relative_attention_num_buckets, cfg.num_heads];
        let bias = |stack: &str| {
            upload_float(
                ctx,
                store,
                &format!("{stack}.block.0.layer.0.SelfAttention.relative_attention_bias.weight"),
                &bias_dims,
            )
        };
        let buckets = |bidirectional| {
            ctx.storage_init(
                "buckets",
                bytemuck::cast_slice(&bucket_table(&cfg, bidirectional)),
            )
        };
        Ok(GpuT5Model {
            shared: mat(shared_name.to_string(), cfg.vocab_size, d)?,
            lm_head: if cfg.tie_word_embeddings {
                None
            } else {
                Some(mat("lm_head.weight".into(), cfg.vocab_size, d)?)
            },
            encoder,
            decoder,
            encoder_bias: bias("encoder")?,
            decoder_bias: bias("decoder")?,
            encoder_buckets: buckets(true),
            decoder_buckets: buckets(false),
            encoder_norm: vec("encoder.final_layer_norm.weight".into())?,
            decoder_norm: vec("decoder.final_layer_norm.weight".into())?,
            dummy: ctx.storage("unused", 4),
            ctx: ctx.clone(),
            kernels,
            cfg,
        })
    }
}

/// Bucket of each relative position from -max_distance to max_distance (index rel +
/// max_distance); the kernels clamp farther positions to the ends.
fn bucket_table(cfg: &T5Config, bidirectional: bool) -> Vec<u32> {
    let c = cfg.relative_attention_max_distance as i64;
    (-c..=c)
        .map(|rel| {
            relative_position_bucket(
                rel,
                bidirectional,
                cfg.relative_attention_num_buckets,
                cfg.relative_attention_max_distance,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clamped_bucket_tables_cover_every_distance() {
        // The kernels clamp relative positions to ±max_distance; farther ones must fall in
        // the same bucket as the clamp point, in both directions and both formulas.
        for bidirectional in [true, false] {
            for (nb, md) in [(32, 128), (32, 64), (16, 32)] {
                for rel in [-100_000i64, -5000, -129, -128, 128, 129, 5000, 100_000] {
                    let clamped = rel.clamp(-(md as i64), md as i64);
                    assert_eq!(
                        relative_position_bucket(rel, bidirectional, nb, md),
                        relative_position_bucket(clamped, bidirectional, nb, md),
                        "rel {rel}, bidirectional {bidirectional}, {nb}/{md}"
                    );
                }
            }
        }
    }
}
