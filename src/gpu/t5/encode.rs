//! The encoder pass: embeddings, every encoder layer and the final norm in one submission,
//! leaving the hidden states on the GPU for the decoder's cross-attention.

use super::recorder::{AttentionInputs, MODE_ADD, QkvOut, Recorder};
use super::{GpuT5Model, NO_TOKEN, step_uniform};
use crate::gpu::kernels::uniform;
use anyhow::{Result, bail};

/// Encoder output of `rows` inputs of `len` tokens, on the GPU.
pub struct GpuEncoded {
    pub(super) hidden: wgpu::Buffer,
    pub(super) rows: usize,
    pub(super) len: usize,
    /// 1 for real tokens, 0 for padding, when the batch is padded.
    pub(super) mask: Option<wgpu::Buffer>,
}

impl GpuEncoded {
    pub fn rows(&self) -> usize {
        self.rows
    }
    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl GpuT5Model {
    /// Encodes `rows` inputs of equal length (`ids` row-major); `mask` is 1 for real tokens
    /// and 0 for padding.
    pub fn encode(&self, ids: &[u32], rows: usize, mask: Option<&[u32]>) -> Result<GpuEncoded> {
        if rows == 0 || ids.is_empty() || !ids.len().is_multiple_of(rows) {
            bail!("cannot encode {} ids as {rows} rows", ids.len());
        }
        self.check_ids(ids)?;
        let len = ids.len() / rows;
        if mask.is_some_and(|m| m.len() != ids.len()) {
            bail!("the attention mask does not match the input ids");
        }
        let cfg = &self.cfg;
        let (d, inner, n) = (cfg.d_model, cfg.inner_dim(), rows * len);
        let ctx = &self.ctx;
        let run = || -> Result<GpuEncoded> {
            let ids_buf = ctx.storage_init("ids", bytemuck::cast_slice(ids));
            let mask_buf = mask.map(|m| ctx.storage_init("mask", bytemuck::cast_slice(m)));
            let step = uniform(ctx, &step_uniform(0, NO_TOKEN));
            let xs = ctx.storage("xs", n * d);
            let (q, k, v, att) = (
                ctx.storage("q", n * inner),
                ctx.storage("k", n * inner),
                ctx.storage("v", n * inner),
                ctx.storage("att", n * inner),
            );
            let ff = ctx.storage("ff", n * cfg.d_ff);
            let scores = ctx.storage("scores", n * cfg.num_heads * len);
            let hidden = ctx.storage("encoded", n * d);
            let mut r = Recorder::new(self);
            r.embed(&ids_buf, n, &xs);
            let spec = AttentionInputs {
                rows,
                lq: len,
                k: &k,
                v: &v,
                kv_row_div: 1,
                kv_row_len: len,
                static_keys: Some(len),
                bias: Some((&self.encoder_bias, &self.encoder_buckets)),
                mask: mask_buf.as_ref(),
                scores_stride: len,
            };
            // k and v as "caches" of `len` positions per row, written at position 0.
            let qkv = QkvOut {
                q: Some(&q),
                k: Some(&k),
                v: Some(&v),
                lq: len,
                cap: len,
                step: &step,
            };
            for layer in &self.encoder {
                let a = &layer.attn;
                r.project(&xs, n, &a.proj, 0..3 * inner, Some(&a.norm), &qkv);
                r.attention(&spec, &q, &step, &scores, &att);
                r.linear(&att, n, &a.o, &xs, MODE_ADD, 1.0, None);
                r.feed_forward(&layer.ff, &xs, &ff, n);
            }
            r.norm(&xs, &self.encoder_norm, n, &hidden);
            self.submit(&r.ops);
            Ok(GpuEncoded {
                hidden,
                rows,
                len,
                mask: mask_buf,
            })
        };
        let encoded = ctx.allocating("encoding the input", run)??;
        ctx.wait()?;
        Ok(encoded)
    }

    /// The encoder's final hidden states (rows, len, d_model), row-major (tests).
    pub fn read_encoded(&self, e: &GpuEncoded) -> Result<Vec<f32>> {
        self.ctx
            .read_f32(&e.hidden, e.rows * e.len * self.cfg.d_model)
    }
}
