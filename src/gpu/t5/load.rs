//! Loading a checkpoint onto the GPU: every weight uploaded once, in the layout the kernels
//! read, plus the relative-position bucket tables.

use super::{
    Attention, DecoderLayer, EncoderLayer, FeedForward, GpuT5Model, NO_TOKEN, Projection,
    step_uniform,
};
use crate::gpu::context::GpuContext;
use crate::gpu::kernels::{Kernels, uniform};
use crate::gpu::weights::{GpuMatrix, upload_float};
use crate::model::checkpoint::{AttentionSpec, Checkpoint, FeedForwardSpec, TensorSpec, read_dir};
use crate::model::config::T5Config;
use crate::model::t5::relative_position_bucket;
use crate::model::weights::TensorStore;
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
        let (cfg, store) = read_dir(dir)?;
        Self::load(ctx, cfg, &store)
            .with_context(|| format!("loading {} onto the GPU", store.source().display()))
    }

    fn upload(
        ctx: &GpuContext,
        kernels: Kernels,
        cfg: T5Config,
        store: &TensorStore,
    ) -> Result<Self> {
        let layout = Checkpoint::of_store(&cfg, store);
        let mat = |t: &TensorSpec| GpuMatrix::upload(ctx, store, &t.name, t.dims[0], t.dims[1]);
        let vec = |t: &TensorSpec| upload_float(ctx, store, &t.name, &t.dims);
        // Stacks `parts` where stored alike; their columns start at `col0`.
        let stacked = |parts: &[&TensorSpec], col0: usize| -> Result<Vec<Projection>> {
            let specs: Vec<_> = parts
                .iter()
                .map(|t| (t.name.as_str(), t.dims[0], t.dims[1]))
                .collect();
            Ok(GpuMatrix::upload_stacked(ctx, store, &specs)?
                .into_iter()
                .map(|(w, row0)| Projection {
                    w,
                    col0: col0 + row0,
                })
                .collect())
        };
        // Self-attention computes q, k and v together; cross-attention q each step and
        // K/V once per input, so its q stays apart.
        let attention = |a: &AttentionSpec, cross: bool| -> Result<Attention> {
            let proj = if cross {
                let mut proj = stacked(&[&a.q], 0)?;
                proj.extend(stacked(&[&a.k, &a.v], a.q.dims[0])?);
                proj
            } else {
                stacked(&[&a.q, &a.k, &a.v], 0)?
            };
            Ok(Attention {
                norm: vec(&a.norm)?,
                proj,
                o: mat(&a.o)?,
            })
        };
        let feed_forward = |f: &FeedForwardSpec| -> Result<FeedForward> {
            Ok(FeedForward {
                norm: vec(&f.norm)?,
                wi: mat(&f.wi)?,
                wo: mat(&f.wo)?,
            })
        };
        let (encoder, decoder) = layout.build_layers(
            |layer| {
                Ok(EncoderLayer {
                    attn: attention(&layer.attn, false)?,
                    ff: feed_forward(&layer.ff)?,
                })
            },
            |layer| {
                Ok(DecoderLayer {
                    self_attn: attention(&layer.self_attn, false)?,
                    cross_attn: attention(&layer.cross_attn, true)?,
                    ff: feed_forward(&layer.ff)?,
                })
            },
        )?;
        let buckets = |bidirectional| {
            ctx.storage_init(
                "buckets",
                bytemuck::cast_slice(&bucket_table(&cfg, bidirectional)),
            )
        };
        Ok(GpuT5Model {
            shared: mat(&layout.shared)?,
            lm_head: layout.lm_head.as_ref().map(mat).transpose()?,
            encoder,
            decoder,
            encoder_bias: vec(&layout.encoder_bias)?,
            decoder_bias: vec(&layout.decoder_bias)?,
            encoder_buckets: buckets(true),
            decoder_buckets: buckets(false),
            encoder_norm: vec(&layout.encoder_norm)?,
            decoder_norm: vec(&layout.decoder_norm)?,
            dummy: ctx.storage("unused", 4),
            sinks: [0, 1, 2].map(|_| ctx.storage("unused output", 4)),
            no_step: uniform(ctx, &step_uniform(0, NO_TOKEN)),
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
