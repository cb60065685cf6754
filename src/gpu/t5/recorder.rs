//! Recording kernel dispatches against the model's weights: embedding, RMS norm, linear maps
//! (with the activation quantization the q8_0 and q4k matmuls need), attention, and the row
//! gathers that copy decoder caches. Encoding and decoding record their passes with it once;
//! decode steps replay the recording.

use super::{FeedForward, GpuT5Model};
use crate::gpu::kernels::params::{
    AttentionParams, EmbedParams, MatmulParams, QuantizeParams, RmsNormParams, RowsParams,
};
use crate::gpu::kernels::{Dispatch, Kernel, groups_for, record};
use crate::gpu::weights::GpuMatrix;
use bytemuck::Pod;

/// Scratch for the quantized paths: activations as i8 blocks, their scales and sums.
pub(super) struct QScratch {
    xq: wgpu::Buffer,
    xd: wgpu::Buffer,
    xs: wgpu::Buffer,
}

/// What a linear map does with its output (matmul.wgsl's `mode`).
pub(super) const MODE_WRITE: u32 = 0;
const MODE_RELU: u32 = 1;
/// Adds to the output: the residual connections.
pub(super) const MODE_ADD: u32 = 2;

/// Records kernels against this model's weights.
pub(super) struct Recorder<'a> {
    m: &'a GpuT5Model,
    pub(super) ops: Vec<Dispatch>,
    /// What the q8 scratch holds since the last kernel that could change it: consecutive
    /// quantized matmuls of one input (q, k and v; every layer's cross-attention K/V)
    /// quantize it once.
    quantized: Option<QuantizedInput>,
}

/// An input quantized into a scratch: (input, x_scale bits, blocks, scratch).
type QuantizedInput = (wgpu::Buffer, u32, usize, wgpu::Buffer);

impl<'a> Recorder<'a> {
    pub(super) fn new(m: &'a GpuT5Model) -> Self {
        Recorder {
            m,
            ops: vec![],
            quantized: None,
        }
    }

    pub(super) fn push<P: Pod>(
        &mut self,
        kernel: &Kernel<P>,
        params: &P,
        buffers: &[(u32, &wgpu::Buffer)],
        groups: (u32, u32, u32),
    ) {
        // Any kernel may write the quantized input; `linear` restores what stays valid.
        self.quantized = None;
        self.ops
            .push(Dispatch::new(&self.m.ctx, kernel, params, buffers, groups));
    }

    pub(super) fn embed(&mut self, ids: &wgpu::Buffer, rows: usize, out: &wgpu::Buffer) {
        let d = self.m.cfg.d_model;
        let params = EmbedParams {
            rows: rows as u32,
            d: d as u32,
            vocab: self.m.cfg.vocab_size as u32,
            pad: 0,
        };
        let groups = (groups_for(rows * d), 1, 1);
        let k = &self.m.kernels;
        match &self.m.shared {
            GpuMatrix::F32 { w, .. } => {
                self.push(&k.embed_f32, &params, &[(1, ids), (2, w), (4, out)], groups)
            }
            GpuMatrix::F16 { w, .. } => {
                self.push(&k.embed_f16, &params, &[(1, ids), (2, w), (4, out)], groups)
            }
            GpuMatrix::Q8 { qs, scales, .. } => self.push(
                &k.embed_q8,
                &params,
                &[(1, ids), (2, qs), (3, scales), (4, out)],
                groups,
            ),
            GpuMatrix::Q4K {
                qs, scales, mins, ..
            } => self.push(
                &k.embed_q4k,
                &params,
                &[(1, ids), (2, qs), (3, scales), (4, out), (5, mins)],
                groups,
            ),
        }
    }

    pub(super) fn norm(
        &mut self,
        x: &wgpu::Buffer,
        w: &wgpu::Buffer,
        rows: usize,
        out: &wgpu::Buffer,
    ) {
        let cfg = &self.m.cfg;
        let params = RmsNormParams {
            rows: rows as u32,
            d: cfg.d_model as u32,
            eps: cfg.layer_norm_epsilon as f32,
            pad: 0,
        };
        self.push(
            &self.m.kernels.rms_norm,
            &params,
            &[(1, x), (2, w), (3, out)],
            (rows as u32, 1, 1),
        );
    }

    /// out (rows, w.rows) = x (rows, w.cols) · wᵀ, written, relu'd or added (by `mode`).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn linear(
        &mut self,
        x: &wgpu::Buffer,
        rows: usize,
        w: &GpuMatrix,
        out: &wgpu::Buffer,
        mode: u32,
        x_scale: f32,
        scratch: &QScratch,
    ) {
        let (n, k) = (w.rows(), w.cols());
        let params = MatmulParams {
            m: rows as u32,
            n: n as u32,
            k: k as u32,
            mode,
            x_scale,
            pad0: 0,
            pad1: 0,
            pad2: 0,
        };
        // matmul.wgsl: 32 outputs × 4 rows per workgroup.
        let groups = (n.div_ceil(32) as u32, rows.div_ceil(4) as u32, 1);
        let kern = &self.m.kernels;
        match w {
            GpuMatrix::F32 { w, .. } => self.push(
                &kern.matmul_f32,
                &params,
                &[(1, x), (4, w), (7, out)],
                groups,
            ),
            GpuMatrix::F16 { w, .. } => self.push(
                &kern.matmul_f16,
                &params,
                &[(1, x), (5, w), (7, out)],
                groups,
            ),
            GpuMatrix::Q8 { qs, scales, .. } => {
                let input = self.quantize(x, rows * k / 32, x_scale, scratch);
                self.push(
                    &kern.matmul_q8,
                    &params,
                    &[
                        (2, &scratch.xq),
                        (3, &scratch.xd),
                        (5, qs),
                        (6, scales),
                        (7, out),
                    ],
                    groups,
                );
                self.keep_quantized(input, out);
            }
            GpuMatrix::Q4K {
                qs, scales, mins, ..
            } => {
                let input = self.quantize(x, rows * k / 32, x_scale, scratch);
                self.push(
                    &kern.matmul_q4k,
                    &params,
                    &[
                        (2, &scratch.xq),
                        (3, &scratch.xd),
                        (5, qs),
                        (6, scales),
                        (7, out),
                        (8, mins),
                        (9, &scratch.xs),
                    ],
                    groups,
                );
                self.keep_quantized(input, out);
            }
        }
    }

    /// Activations to i8 blocks of 32 (with scales and sums) for the quantized matmuls,
    /// unless the scratch already holds them. Returns what the scratch holds.
    fn quantize(
        &mut self,
        x: &wgpu::Buffer,
        blocks: usize,
        x_scale: f32,
        scratch: &QScratch,
    ) -> QuantizedInput {
        let input = (x.clone(), x_scale.to_bits(), blocks, scratch.xq.clone());
        if self.quantized.as_ref() != Some(&input) {
            self.push(
                &self.m.kernels.quantize_q8,
                &QuantizeParams {
                    blocks: blocks as u32,
                    x_scale,
                    pad0: 0,
                    pad1: 0,
                },
                &[(1, x), (2, &scratch.xq), (3, &scratch.xd), (4, &scratch.xs)],
                (groups_for(blocks), 1, 1),
            );
        }
        input
    }

    /// After a quantized matmul: the scratch still holds `input` unless the matmul wrote it.
    fn keep_quantized(&mut self, input: QuantizedInput, out: &wgpu::Buffer) {
        if input.0 != *out {
            self.quantized = Some(input);
        }
    }
}

/// Where an attention kernel finds its keys and how it masks them.
pub(super) struct AttentionInputs<'b> {
    pub(super) rows: usize,
    pub(super) lq: usize,
    pub(super) k: &'b wgpu::Buffer,
    pub(super) v: &'b wgpu::Buffer,
    pub(super) kv_row_div: usize,
    pub(super) kv_row_len: usize,
    /// Fixed key count (encoder output); None: the decoder cache up to pos + lq, causally.
    pub(super) static_keys: Option<usize>,
    pub(super) bias: Option<(&'b wgpu::Buffer, &'b wgpu::Buffer)>,
    pub(super) mask: Option<&'b wgpu::Buffer>,
    pub(super) scores_stride: usize,
}

impl Recorder<'_> {
    pub(super) fn attention(
        &mut self,
        spec: &AttentionInputs,
        q: &wgpu::Buffer,
        step: &wgpu::Buffer,
        scores: &wgpu::Buffer,
        out: &wgpu::Buffer,
    ) {
        let cfg = &self.m.cfg;
        let inner = cfg.inner_dim();
        let dummy = &self.m.dummy;
        let (bias, buckets) = spec.bias.unwrap_or((dummy, dummy));
        let params = AttentionParams {
            heads: cfg.num_heads as u32,
            dkv: cfg.d_kv as u32,
            inner: inner as u32,
            lq: spec.lq as u32,
            kv_row_div: spec.kv_row_div as u32,
            kv_row_stride: (spec.kv_row_len * inner) as u32,
            static_keys: spec.static_keys.unwrap_or(0) as u32,
            causal: spec.static_keys.is_none() as u32,
            use_bias: spec.bias.is_some() as u32,
            // The bucket tables start at -max_distance.
            bucket_center: cfg.relative_attention_max_distance as u32,
            use_mask: spec.mask.is_some() as u32,
            mask_row_stride: spec.kv_row_len as u32,
            scores_stride: spec.scores_stride as u32,
            pad0: 0,
            pad1: 0,
            pad2: 0,
        };
        self.push(
            &self.m.kernels.attention,
            &params,
            &[
                (1, step),
                (2, q),
                (3, spec.k),
                (4, spec.v),
                (5, bias),
                (6, buckets),
                (7, spec.mask.unwrap_or(dummy)),
                (8, scores),
                (9, out),
            ],
            ((spec.rows * spec.lq) as u32, cfg.num_heads as u32, 1),
        );
    }

    /// The feed-forward sublayer: xs += wo · relu(wi · norm(xs)), through `h` and `mid`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn feed_forward(
        &mut self,
        ff: &FeedForward,
        xs: &wgpu::Buffer,
        h: &wgpu::Buffer,
        mid: &wgpu::Buffer,
        n: usize,
        scratch: &QScratch,
    ) {
        self.norm(xs, &ff.norm, n, h);
        self.linear(h, n, &ff.wi, mid, MODE_RELU, 1.0, scratch);
        self.linear(mid, n, &ff.wo, xs, MODE_ADD, 1.0, scratch);
    }

    /// dst row r = src row parents[r] for the first `params.lq` positions (source and
    /// destination rows may hold different numbers of positions).
    pub(super) fn gather(
        &mut self,
        params: &RowsParams,
        src: &wgpu::Buffer,
        parents: &wgpu::Buffer,
        dst: &wgpu::Buffer,
    ) {
        let n = params.rows as usize * params.lq as usize * params.inner as usize;
        self.push(
            &self.m.kernels.gather_rows,
            params,
            &[(2, src), (3, parents), (4, dst)],
            (groups_for(n), 1, 1),
        );
    }
}

impl GpuT5Model {
    /// The widest input of any matrix (sizes the q8_0 scratch).
    fn max_in(&self) -> usize {
        self.cfg
            .d_model
            .max(self.cfg.d_ff)
            .max(self.cfg.inner_dim())
    }

    pub(super) fn scratch(&self, rows: usize) -> QScratch {
        let words = rows * self.max_in();
        QScratch {
            xq: self.ctx.storage("xq", words / 4 + 1),
            xd: self.ctx.storage("xd", words / 32 + 1),
            xs: self.ctx.storage("xs", words / 32 + 1),
        }
    }

    /// Records `ops` into one submission of their own.
    pub(super) fn submit(&self, ops: &[Dispatch]) {
        let mut enc = self.ctx.device.create_command_encoder(&Default::default());
        record(&mut enc, ops);
        self.ctx.queue.submit([enc.finish()]);
    }
}
