//! Recording kernel dispatches against the model's weights: embedding, RMS norm, linear maps
//! (with the RMS norm and the activation quantization in the matmul's prologue, and q/k/v
//! written straight into their buffers and caches), attention, and the row gathers that copy
//! decoder caches. Encoding and decoding record their passes with it once; decode steps
//! replay the recording.

use super::{FeedForward, GpuT5Model, Projection};
use crate::gpu::kernels::params::{
    AttentionParams, EmbedParams, MatmulParams, RmsNormParams, RowsParams,
};
use crate::gpu::kernels::{Dispatch, Kernel, groups_for, record};
use crate::gpu::weights::GpuMatrix;
use bytemuck::Pod;
use std::ops::Range;

/// What a linear map does with its output (matmul.wgsl's `mode`).
pub(super) const MODE_WRITE: u32 = 0;
const MODE_RELU: u32 = 1;
/// Adds to the output: the residual connections.
pub(super) const MODE_ADD: u32 = 2;
/// Splits the columns of q/k/v projections into q and the key and value caches.
const MODE_QKV: u32 = 3;

/// Where q/k/v projections write: q (rows, inner), and caches of `cap` positions per row
/// that take each row's `lq` tokens at the step's position.
pub(super) struct QkvOut<'b> {
    pub(super) q: Option<&'b wgpu::Buffer>,
    pub(super) k: Option<&'b wgpu::Buffer>,
    pub(super) v: Option<&'b wgpu::Buffer>,
    pub(super) lq: usize,
    pub(super) cap: usize,
    pub(super) step: &'b wgpu::Buffer,
}

/// One matmul's inputs and outputs besides the weights.
struct MatmulCall<'b> {
    x: &'b wgpu::Buffer,
    norm: Option<&'b wgpu::Buffer>,
    step: &'b wgpu::Buffer,
    outs: [&'b wgpu::Buffer; 3],
}

/// Records kernels against this model's weights.
pub(super) struct Recorder<'a> {
    m: &'a GpuT5Model,
    pub(super) ops: Vec<Dispatch>,
}

impl<'a> Recorder<'a> {
    pub(super) fn new(m: &'a GpuT5Model) -> Self {
        Recorder { m, ops: vec![] }
    }

    pub(super) fn push<P: Pod>(
        &mut self,
        kernel: &Kernel<P>,
        params: &P,
        buffers: &[(u32, &wgpu::Buffer)],
        groups: (u32, u32, u32),
    ) {
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

    /// A separate RMS norm (the encoder's final one, whose output the caller keeps).
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

    /// out (rows, w.rows) = (norm(x) or x) (rows, w.cols) · wᵀ, written, relu'd or added
    /// (by `mode`); `norm` is an RMS norm's weights, applied in the matmul's prologue.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn linear(
        &mut self,
        x: &wgpu::Buffer,
        rows: usize,
        w: &GpuMatrix,
        out: &wgpu::Buffer,
        mode: u32,
        x_scale: f32,
        norm: Option<&wgpu::Buffer>,
    ) {
        let params = self.matmul_params(rows, w, mode, x_scale, norm.is_some());
        let sinks = &self.m.sinks;
        let call = MatmulCall {
            x,
            norm,
            step: &self.m.no_step,
            outs: [out, &sinks[1], &sinks[2]],
        };
        self.matmul(w, &params, &call);
    }

    /// The attention projections whose columns lie in `cols` (of q, k, v side by side, each
    /// `inner` wide), from (norm(x) or x): one matmul per stacked piece, each writing q and
    /// the new keys and values where `out` says (the cache append needs no kernel).
    pub(super) fn project(
        &mut self,
        x: &wgpu::Buffer,
        rows: usize,
        proj: &[Projection],
        cols: Range<usize>,
        norm: Option<&wgpu::Buffer>,
        out: &QkvOut,
    ) {
        let inner = self.m.cfg.inner_dim();
        let sinks = &self.m.sinks;
        for p in proj.iter().filter(|p| cols.contains(&p.col0)) {
            let mut params = self.matmul_params(rows, &p.w, MODE_QKV, 1.0, norm.is_some());
            params.col0 = p.col0 as u32;
            params.split = inner as u32;
            params.lq = out.lq as u32;
            params.cap = out.cap as u32;
            let call = MatmulCall {
                x,
                norm,
                step: out.step,
                outs: [
                    out.q.unwrap_or(&sinks[0]),
                    out.k.unwrap_or(&sinks[1]),
                    out.v.unwrap_or(&sinks[2]),
                ],
            };
            self.matmul(&p.w, &params, &call);
        }
    }

    fn matmul_params(
        &self,
        rows: usize,
        w: &GpuMatrix,
        mode: u32,
        x_scale: f32,
        norm: bool,
    ) -> MatmulParams {
        MatmulParams {
            m: rows as u32,
            n: w.rows() as u32,
            k: w.cols() as u32,
            mode,
            x_scale,
            eps: self.m.cfg.layer_norm_epsilon as f32,
            use_norm: norm as u32,
            col0: 0,
            split: 1,
            lq: 1,
            cap: 1,
            pad0: 0,
        }
    }

    fn matmul(&mut self, w: &GpuMatrix, params: &MatmulParams, c: &MatmulCall) {
        // matmul.wgsl: 32 outputs × 4 rows per workgroup.
        let groups = (
            (params.n as usize).div_ceil(32) as u32,
            (params.m as usize).div_ceil(4) as u32,
            1,
        );
        let kern = &self.m.kernels;
        let [y, yk, yv] = c.outs;
        let norm = c.norm.unwrap_or(&self.m.dummy);
        let common = [(1, c.step), (2, c.x), (3, norm), (8, y), (9, yk), (10, yv)];
        let (kernel, weights): (_, Vec<(u32, &wgpu::Buffer)>) = match w {
            GpuMatrix::F32 { w, .. } => (&kern.matmul_f32, vec![(4, w)]),
            GpuMatrix::F16 { w, .. } => (&kern.matmul_f16, vec![(5, w)]),
            GpuMatrix::Q8 { qs, scales, .. } => (&kern.matmul_q8, vec![(5, qs), (6, scales)]),
            GpuMatrix::Q4K {
                qs, scales, mins, ..
            } => (&kern.matmul_q4k, vec![(5, qs), (6, scales), (7, mins)]),
        };
        let buffers: Vec<(u32, &wgpu::Buffer)> = common.into_iter().chain(weights).collect();
        self.push(kernel, params, &buffers, groups);
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

    /// The feed-forward sublayer: xs += wo · relu(wi · norm(xs)), through `mid` (the norm in
    /// wi's prologue).
    pub(super) fn feed_forward(
        &mut self,
        ff: &FeedForward,
        xs: &wgpu::Buffer,
        mid: &wgpu::Buffer,
        n: usize,
    ) {
        self.linear(xs, n, &ff.wi, mid, MODE_RELU, 1.0, Some(&ff.norm));
        self.linear(mid, n, &ff.wo, xs, MODE_ADD, 1.0, None);
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
    /// Records `ops` into one submission of their own.
    pub(super) fn submit(&self, ops: &[Dispatch]) {
        let mut enc = self.ctx.device.create_command_encoder(&Default::default());
        record(&mut enc, ops);
        self.ctx.queue.submit([enc.finish()]);
    }
}
