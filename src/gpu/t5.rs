//! The T5 v1.0 forward pass on the GPU, mirroring `model::t5` step for step: the same
//! pre-norm sublayers, relative-position buckets (bidirectional encoder, causal decoder),
//! cross-attention K/V computed once per input, the tied output projection scaled by
//! d_model^-0.5, and decoder caches the generation loop can repeat and reorder.
//!
//! Weights are uploaded once. A decode step writes the new tokens, the position and the
//! rows' running scores, replays the recorded dispatches of every layer in one compute pass
//! and reads back each row's best continuations, ranked on the device (k = 1 for greedy
//! decoding, twice the beams for beam search): one submission, and a few bytes per row
//! instead of the vocabulary's logits.

use super::context::GpuContext;
use super::kernels::{Dispatch, Kernel, Kernels, groups_for, record, record_timed};
use super::weights::{GpuMatrix, upload_float};
use crate::model::config::T5Config;
use crate::model::generate::{Candidate, Seq2Seq};
use crate::model::t5::relative_position_bucket;
use crate::model::weights::{TensorStore, find_weights};
use anyhow::{Context, Result, bail};

struct Attention {
    norm: wgpu::Buffer,
    q: GpuMatrix,
    k: GpuMatrix,
    v: GpuMatrix,
    o: GpuMatrix,
}

struct FeedForward {
    norm: wgpu::Buffer,
    wi: GpuMatrix,
    wo: GpuMatrix,
}

struct EncoderLayer {
    attn: Attention,
    ff: FeedForward,
}

struct DecoderLayer {
    self_attn: Attention,
    cross_attn: Attention,
    ff: FeedForward,
}

pub struct GpuT5Model {
    ctx: GpuContext,
    kernels: Kernels,
    cfg: T5Config,
    shared: GpuMatrix,
    lm_head: Option<GpuMatrix>,
    encoder: Vec<EncoderLayer>,
    decoder: Vec<DecoderLayer>,
    encoder_bias: wgpu::Buffer,
    decoder_bias: wgpu::Buffer,
    /// Bucket of each relative position clamped to ±max_distance (every farther position
    /// shares the last bucket), computed by the CPU path's own function.
    encoder_buckets: wgpu::Buffer,
    decoder_buckets: wgpu::Buffer,
    encoder_norm: wgpu::Buffer,
    decoder_norm: wgpu::Buffer,
    /// Bound where a kernel's optional input is switched off.
    dummy: wgpu::Buffer,
}

/// Encoder output of `rows` inputs of `len` tokens, on the GPU.
pub struct GpuEncoded {
    hidden: wgpu::Buffer,
    rows: usize,
    len: usize,
    /// 1 for real tokens, 0 for padding, when the batch is padded.
    mask: Option<wgpu::Buffer>,
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

/// Decoder caches and the recorded step for one batch of rows (input × beam).
pub struct GpuDecoderState {
    rows: usize,
    inputs: usize,
    enc_len: usize,
    position: usize,
    capacity: usize,
    cross_kv: Vec<(wgpu::Buffer, wgpu::Buffer)>,
    cross_mask: Option<wgpu::Buffer>,
    self_kv: Vec<(wgpu::Buffer, wgpu::Buffer)>,
    step: wgpu::Buffer,
    plan: Option<Plan>,
    reorder: Option<Reorder>,
    /// A beam reordering not yet applied to the caches (row i takes row `pending[i]`): it is
    /// recorded into the next step's submission rather than submitted on its own.
    pending: Option<Vec<u32>>,
}

/// Beam reordering for the current caches: each cache is gathered into `scratch` by
/// `parents`, then copied back, so the recorded step keeps pointing at the same buffers.
struct Reorder {
    parents: wgpu::Buffer,
    scratch: wgpu::Buffer,
    gathers: Vec<Dispatch>,
}

impl GpuDecoderState {
    pub fn rows(&self) -> usize {
        self.rows
    }
    pub fn position(&self) -> usize {
        self.position
    }

    /// Kernels one ranked decode step runs, once a step has been recorded (each is a
    /// dispatch with a barrier before the next: the figure to keep low on fast GPUs).
    pub fn kernels_per_step(&self) -> Option<usize> {
        self.plan.as_ref().map(|p| p.ops.len() + 1)
    }
}

/// The recorded dispatches of one decoder step for (rows, tokens per row, cache capacity,
/// continuations ranked per row), with the activation buffers they use.
struct Plan {
    key: PlanKey,
    tokens: wgpu::Buffer,
    logits: wgpu::Buffer,
    running: wgpu::Buffer,
    ranked: wgpu::Buffer,
    ops: Vec<Dispatch>,
    rank: Dispatch,
    staging: wgpu::Buffer,
}

#[derive(Clone, Copy, PartialEq, Eq)]
struct PlanKey {
    rows: usize,
    lq: usize,
    capacity: usize,
    k: usize,
}

/// Scratch for the quantized paths: activations as i8 blocks, their scales and sums.
struct QScratch {
    xq: wgpu::Buffer,
    xd: wgpu::Buffer,
    xs: wgpu::Buffer,
}

const MODE_WRITE: u32 = 0;
const MODE_RELU: u32 = 1;
const MODE_ADD: u32 = 2;
const NO_TOKEN: u32 = u32::MAX;

/// Records kernels against this model's weights.
struct Recorder<'a> {
    m: &'a GpuT5Model,
    ops: Vec<Dispatch>,
    /// What the q8 scratch holds since the last kernel that could change it: consecutive
    /// quantized matmuls of one input (q, k and v; every layer's cross-attention K/V)
    /// quantize it once.
    quantized: Option<QuantizedInput>,
}

/// An input quantized into a scratch: (input, x_scale bits, blocks, scratch).
type QuantizedInput = (wgpu::Buffer, u32, usize, wgpu::Buffer);

impl<'a> Recorder<'a> {
    fn new(m: &'a GpuT5Model) -> Self {
        Recorder {
            m,
            ops: vec![],
            quantized: None,
        }
    }

    fn push(
        &mut self,
        kernel: &Kernel,
        params: &[u32],
        buffers: &[(u32, &wgpu::Buffer)],
        groups: (u32, u32, u32),
    ) {
        // Any kernel may write the quantized input; `linear` restores what stays valid.
        self.quantized = None;
        self.ops
            .push(Dispatch::new(&self.m.ctx, kernel, params, buffers, groups));
    }

    fn embed(&mut self, ids: &wgpu::Buffer, rows: usize, out: &wgpu::Buffer) {
        let d = self.m.cfg.d_model;
        let params = [rows as u32, d as u32, self.m.cfg.vocab_size as u32];
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

    fn norm(&mut self, x: &wgpu::Buffer, w: &wgpu::Buffer, rows: usize, out: &wgpu::Buffer) {
        let cfg = &self.m.cfg;
        let params = [
            rows as u32,
            cfg.d_model as u32,
            (cfg.layer_norm_epsilon as f32).to_bits(),
        ];
        self.push(
            &self.m.kernels.rms_norm,
            &params,
            &[(1, x), (2, w), (3, out)],
            (rows as u32, 1, 1),
        );
    }

    /// out (rows, w.rows) = x (rows, w.cols) · wᵀ, written, relu'd or added (by `mode`).
    #[allow(clippy::too_many_arguments)]
    fn linear(
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
        let params = [rows as u32, n as u32, k as u32, mode, x_scale.to_bits()];
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
                &[blocks as u32, x_scale.to_bits()],
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
struct AttentionSpec<'b> {
    rows: usize,
    lq: usize,
    k: &'b wgpu::Buffer,
    v: &'b wgpu::Buffer,
    kv_row_div: usize,
    kv_row_len: usize,
    /// Fixed key count (encoder output); None: the decoder cache up to pos + lq, causally.
    static_keys: Option<usize>,
    bias: Option<(&'b wgpu::Buffer, &'b wgpu::Buffer)>,
    mask: Option<&'b wgpu::Buffer>,
    scores_stride: usize,
}

impl Recorder<'_> {
    fn attention(
        &mut self,
        spec: &AttentionSpec,
        q: &wgpu::Buffer,
        step: &wgpu::Buffer,
        scores: &wgpu::Buffer,
        out: &wgpu::Buffer,
    ) {
        let cfg = &self.m.cfg;
        let inner = cfg.inner_dim();
        let dummy = &self.m.dummy;
        let (bias, buckets) = spec.bias.unwrap_or((dummy, dummy));
        let params = [
            cfg.num_heads as u32,
            cfg.d_kv as u32,
            inner as u32,
            spec.lq as u32,
            spec.kv_row_div as u32,
            (spec.kv_row_len * inner) as u32,
            spec.static_keys.unwrap_or(0) as u32,
            spec.static_keys.is_none() as u32,
            spec.bias.is_some() as u32,
            cfg.relative_attention_max_distance as u32,
            spec.mask.is_some() as u32,
            spec.kv_row_len as u32,
            spec.scores_stride as u32,
        ];
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
}

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

    pub fn config(&self) -> &T5Config {
        &self.cfg
    }

    pub fn context(&self) -> &GpuContext {
        &self.ctx
    }

    fn check_ids(&self, ids: &[u32]) -> Result<()> {
        if let Some(&bad) = ids.iter().find(|&&t| t as usize >= self.cfg.vocab_size) {
            bail!(
                "token id {bad} is outside the vocabulary (size {})",
                self.cfg.vocab_size
            );
        }
        Ok(())
    }

    /// The widest input of any matrix (sizes the q8_0 scratch).
    fn max_in(&self) -> usize {
        self.cfg
            .d_model
            .max(self.cfg.d_ff)
            .max(self.cfg.inner_dim())
    }

    fn scratch(&self, rows: usize) -> QScratch {
        let words = rows * self.max_in();
        QScratch {
            xq: self.ctx.storage("xq", words / 4 + 1),
            xd: self.ctx.storage("xd", words / 32 + 1),
            xs: self.ctx.storage("xs", words / 32 + 1),
        }
    }

    fn submit(&self, ops: &[Dispatch]) {
        let mut enc = self.ctx.device.create_command_encoder(&Default::default());
        record(&mut enc, ops);
        self.ctx.queue.submit([enc.finish()]);
    }

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
            let step = ctx.uniform(&[0, NO_TOKEN]);
            let xs = ctx.storage("xs", n * d);
            let h = ctx.storage("h", n * d);
            let (q, k, v, att) = (
                ctx.storage("q", n * inner),
                ctx.storage("k", n * inner),
                ctx.storage("v", n * inner),
                ctx.storage("att", n * inner),
            );
            let ff = ctx.storage("ff", n * cfg.d_ff);
            let scores = ctx.storage("scores", n * cfg.num_heads * len);
            let scratch = self.scratch(n);
            let hidden = ctx.storage("encoded", n * d);
            let mut r = Recorder::new(self);
            r.embed(&ids_buf, n, &xs);
            let spec = AttentionSpec {
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
            for layer in &self.encoder {
                let a = &layer.attn;
                r.norm(&xs, &a.norm, n, &h);
                r.linear(&h, n, &a.q, &q, MODE_WRITE, 1.0, &scratch);
                r.linear(&h, n, &a.k, &k, MODE_WRITE, 1.0, &scratch);
                r.linear(&h, n, &a.v, &v, MODE_WRITE, 1.0, &scratch);
                r.attention(&spec, &q, &step, &scores, &att);
                r.linear(&att, n, &a.o, &xs, MODE_ADD, 1.0, &scratch);
                self.record_ff(&mut r, &layer.ff, &xs, &h, &ff, n, &scratch);
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

    #[allow(clippy::too_many_arguments)]
    fn record_ff(
        &self,
        r: &mut Recorder,
        ff: &FeedForward,
        xs: &wgpu::Buffer,
        h: &wgpu::Buffer,
        mid: &wgpu::Buffer,
        n: usize,
        scratch: &QScratch,
    ) {
        r.norm(xs, &ff.norm, n, h);
        r.linear(h, n, &ff.wi, mid, MODE_RELU, 1.0, scratch);
        r.linear(mid, n, &ff.wo, xs, MODE_ADD, 1.0, scratch);
    }

    /// The encoder's final hidden states (rows, len, d_model), row-major (tests).
    pub fn read_encoded(&self, e: &GpuEncoded) -> Result<Vec<f32>> {
        self.ctx
            .read_f32(&e.hidden, e.rows * e.len * self.cfg.d_model)
    }

    /// Prepares decoding: every layer's cross-attention K/V from the encoder output, once.
    pub fn start(&self, e: &GpuEncoded) -> Result<GpuDecoderState> {
        let ctx = &self.ctx;
        let n = e.rows * e.len;
        let inner = self.cfg.inner_dim();
        let run = || {
            let scratch = self.scratch(n);
            let mut r = Recorder::new(self);
            let cross_kv: Vec<_> = self
                .decoder
                .iter()
                .map(|layer| {
                    let (k, v) = (
                        ctx.storage("cross k", n * inner),
                        ctx.storage("cross v", n * inner),
                    );
                    r.linear(
                        &e.hidden,
                        n,
                        &layer.cross_attn.k,
                        &k,
                        MODE_WRITE,
                        1.0,
                        &scratch,
                    );
                    r.linear(
                        &e.hidden,
                        n,
                        &layer.cross_attn.v,
                        &v,
                        MODE_WRITE,
                        1.0,
                        &scratch,
                    );
                    (k, v)
                })
                .collect();
            self.submit(&r.ops);
            GpuDecoderState {
                rows: e.rows,
                inputs: e.rows,
                enc_len: e.len,
                position: 0,
                capacity: 0,
                cross_kv,
                cross_mask: e.mask.clone(),
                self_kv: vec![],
                step: ctx.uniform(&[0, NO_TOKEN]),
                plan: None,
                reorder: None,
                pending: None,
            }
        };
        let state = ctx.allocating("the decoder state", run)?;
        ctx.wait()?;
        Ok(state)
    }

    /// Self-attention caches for `rows` rows of `capacity` positions, filled from the old
    /// caches' rows `sources` (first `state.position` positions).
    fn rebuild_caches(
        &self,
        state: &mut GpuDecoderState,
        sources: &[u32],
        capacity: usize,
    ) -> Result<()> {
        let ctx = &self.ctx;
        let inner = self.cfg.inner_dim();
        let rows = sources.len();
        // A pending reordering is folded in: row r's data sits in physical row pending[r].
        let sources: Vec<u32> = match state.pending.take() {
            Some(pending) => sources.iter().map(|&s| pending[s as usize]).collect(),
            None => sources.to_vec(),
        };
        let run = || {
            let parents = ctx.storage_init("parents", bytemuck::cast_slice(&sources));
            let mut r = Recorder::new(self);
            let mut fresh = vec![];
            for l in 0..self.decoder.len() {
                let pair = (
                    ctx.storage("self k", rows * capacity * inner),
                    ctx.storage("self v", rows * capacity * inner),
                );
                if let Some((ok, ov)) = state.self_kv.get(l) {
                    if state.position > 0 {
                        for (src, dst) in [(ok, &pair.0), (ov, &pair.1)] {
                            let params = [
                                rows as u32,
                                state.position as u32,
                                inner as u32,
                                state.capacity as u32,
                            ];
                            // gather_rows reads rows of the old capacity and writes the new one.
                            self.gather(&mut r, &params, capacity, src, &parents, dst);
                        }
                    }
                }
                fresh.push(pair);
            }
            self.submit(&r.ops);
            fresh
        };
        state.self_kv = ctx.allocating("the decoder caches", run)?;
        state.rows = rows;
        state.capacity = capacity;
        state.plan = None;
        state.reorder = None;
        ctx.check()
    }

    fn gather(
        &self,
        r: &mut Recorder,
        params: &[u32; 4],
        dst_capacity: usize,
        src: &wgpu::Buffer,
        parents: &wgpu::Buffer,
        dst: &wgpu::Buffer,
    ) {
        let [rows, used, inner, src_capacity] = *params;
        let n = rows as usize * used as usize * inner as usize;
        r.push(
            &self.kernels.gather_rows,
            &[rows, used, inner, src_capacity, dst_capacity as u32],
            &[(2, src), (3, parents), (4, dst)],
            (groups_for(n), 1, 1),
        );
    }

    /// Repeats every row `n` times (row r becomes rows r*n..r*n+n): one row per beam.
    pub fn repeat(&self, state: &mut GpuDecoderState, n: usize) -> Result<()> {
        let sources: Vec<u32> = (0..state.rows as u32)
            .flat_map(|r| std::iter::repeat_n(r, n))
            .collect();
        let capacity = state.capacity;
        self.rebuild_caches(state, &sources, capacity)
    }

    /// Row i takes the self-attention cache of row `parents[i]` (beam search reordering).
    /// Applied at the start of the next step's submission.
    pub fn reorder(&self, state: &mut GpuDecoderState, parents: &[u32]) -> Result<()> {
        if parents.len() != state.rows {
            bail!("{} parents for {} rows", parents.len(), state.rows);
        }
        if let Some(&bad) = parents.iter().find(|&&p| p as usize >= state.rows) {
            bail!("parent row {bad} of {} rows", state.rows);
        }
        if state.position == 0 {
            return Ok(());
        }
        // Two reorderings in a row compose: row i ends with row previous[parents[i]].
        let composed: Vec<u32> = match state.pending.take() {
            Some(previous) => parents.iter().map(|&p| previous[p as usize]).collect(),
            None => parents.to_vec(),
        };
        let identity = composed.iter().enumerate().all(|(i, &p)| p as usize == i);
        state.pending = (!identity).then_some(composed);
        Ok(())
    }

    /// Records the pending reordering (if any) into `enc`: each cache gathered by parent into
    /// the scratch and copied back, so the recorded step keeps its buffers.
    fn record_pending_reorder(
        &self,
        state: &mut GpuDecoderState,
        enc: &mut wgpu::CommandEncoder,
    ) -> Result<()> {
        let Some(parents) = state.pending.take() else {
            return Ok(());
        };
        if state.reorder.is_none() {
            state.reorder = Some(self.record_reorder(state)?);
        }
        let ro = state.reorder.as_ref().expect("recorded above");
        // Queue writes land before the submission this encoder goes into.
        self.ctx
            .queue
            .write_buffer(&ro.parents, 0, bytemuck::cast_slice(&parents));
        let bytes = (state.rows * state.capacity * self.cfg.inner_dim() * 4) as u64;
        let caches = state.self_kv.iter().flat_map(|(k, v)| [k, v]);
        for (gather, cache) in ro.gathers.iter().zip(caches) {
            record(enc, std::slice::from_ref(gather));
            enc.copy_buffer_to_buffer(&ro.scratch, 0, cache, 0, Some(bytes));
        }
        Ok(())
    }

    fn record_reorder(&self, state: &GpuDecoderState) -> Result<Reorder> {
        let ctx = &self.ctx;
        let inner = self.cfg.inner_dim();
        let (rows, cap) = (state.rows, state.capacity);
        ctx.allocating("beam reordering", || {
            let parents = ctx.storage("parents", rows);
            let scratch = ctx.storage("reorder scratch", rows * cap * inner);
            let mut r = Recorder::new(self);
            for cache in state.self_kv.iter().flat_map(|(k, v)| [k, v]) {
                let params = [rows as u32, cap as u32, inner as u32, cap as u32];
                self.gather(&mut r, &params, cap, cache, &parents, &scratch);
            }
            Reorder {
                parents,
                scratch,
                gathers: r.ops,
            }
        })
    }

    fn build_plan(&self, state: &GpuDecoderState, key: PlanKey) -> Result<Plan> {
        let ctx = &self.ctx;
        let cfg = &self.cfg;
        let PlanKey { rows, lq, k, .. } = key;
        let cap = state.capacity;
        let n = rows * lq;
        let (d, inner) = (cfg.d_model, cfg.inner_dim());
        let run = || {
            let tokens = ctx.storage("tokens", n);
            let xs = ctx.storage("xs", n * d);
            let h = ctx.storage("h", n * d);
            let (q, kn, vn, att) = (
                ctx.storage("q", n * inner),
                ctx.storage("k new", n * inner),
                ctx.storage("v new", n * inner),
                ctx.storage("att", n * inner),
            );
            let ff = ctx.storage("ff", n * cfg.d_ff);
            let scores = ctx.storage("scores", n * cfg.num_heads * cap.max(state.enc_len));
            let logits = ctx.storage("logits", n * cfg.vocab_size);
            let running = ctx.storage("running scores", n);
            let ranked = ctx.storage("ranked", 2 * k * n);
            let scratch = self.scratch(n);
            let mut r = Recorder::new(self);
            r.embed(&tokens, n, &xs);
            for (l, layer) in self.decoder.iter().enumerate() {
                let (sk, sv) = &state.self_kv[l];
                let a = &layer.self_attn;
                r.norm(&xs, &a.norm, n, &h);
                r.linear(&h, n, &a.q, &q, MODE_WRITE, 1.0, &scratch);
                r.linear(&h, n, &a.k, &kn, MODE_WRITE, 1.0, &scratch);
                r.linear(&h, n, &a.v, &vn, MODE_WRITE, 1.0, &scratch);
                for (src, dst) in [(&kn, sk), (&vn, sv)] {
                    r.push(
                        &self.kernels.kv_append,
                        &[rows as u32, lq as u32, inner as u32, cap as u32],
                        &[(1, &state.step), (2, src), (4, dst)],
                        (groups_for(n * inner), 1, 1),
                    );
                }
                let self_spec = AttentionSpec {
                    rows,
                    lq,
                    k: sk,
                    v: sv,
                    kv_row_div: 1,
                    kv_row_len: cap,
                    static_keys: None,
                    bias: Some((&self.decoder_bias, &self.decoder_buckets)),
                    mask: None,
                    scores_stride: cap.max(state.enc_len),
                };
                r.attention(&self_spec, &q, &state.step, &scores, &att);
                r.linear(&att, n, &a.o, &xs, MODE_ADD, 1.0, &scratch);

                let c = &layer.cross_attn;
                let (ck, cv) = &state.cross_kv[l];
                r.norm(&xs, &c.norm, n, &h);
                r.linear(&h, n, &c.q, &q, MODE_WRITE, 1.0, &scratch);
                let cross_spec = AttentionSpec {
                    rows,
                    lq,
                    k: ck,
                    v: cv,
                    kv_row_div: rows / state.inputs,
                    kv_row_len: state.enc_len,
                    static_keys: Some(state.enc_len),
                    bias: None,
                    mask: state.cross_mask.as_ref(),
                    scores_stride: cap.max(state.enc_len),
                };
                r.attention(&cross_spec, &q, &state.step, &scores, &att);
                r.linear(&att, n, &c.o, &xs, MODE_ADD, 1.0, &scratch);
                self.record_ff(&mut r, &layer.ff, &xs, &h, &ff, n, &scratch);
            }
            r.norm(&xs, &self.decoder_norm, n, &h);
            match &self.lm_head {
                // Tied embeddings: HF (after Mesh TensorFlow) rescales by d_model^-0.5 first.
                None => {
                    let scale = (cfg.d_model as f64).powf(-0.5) as f32;
                    r.linear(&h, n, &self.shared, &logits, MODE_WRITE, scale, &scratch)
                }
                Some(head) => r.linear(&h, n, head, &logits, MODE_WRITE, 1.0, &scratch),
            }
            let rank = Dispatch::new(
                ctx,
                &self.kernels.rank,
                &[cfg.vocab_size as u32, k as u32],
                &[(1, &state.step), (2, &logits), (3, &running), (4, &ranked)],
                (n as u32, 1, 1),
            );
            Plan {
                key,
                staging: ctx.staging(4 * (n * cfg.vocab_size.max(2 * k)) as u64),
                tokens,
                logits,
                running,
                ranked,
                ops: r.ops,
                rank,
            }
        };
        ctx.allocating("a decoder step", run)
    }

    /// Grows the caches for `lq` more tokens and records the step for the current shape
    /// (ranking `k` continuations per row, when asked to rank).
    fn prepare(
        &self,
        state: &mut GpuDecoderState,
        tokens: &[u32],
        lq: usize,
        ranking: Option<(usize, u32)>,
    ) -> Result<()> {
        if lq == 0 || tokens.len() != state.rows * lq {
            bail!(
                "decoder got {} tokens for {} rows of {lq}",
                tokens.len(),
                state.rows
            );
        }
        self.check_ids(tokens)?;
        let needed = state.position + lq;
        if needed > state.capacity {
            let capacity = needed.next_power_of_two().max(32);
            let keep: Vec<u32> = (0..state.rows as u32).collect();
            self.rebuild_caches(state, &keep, capacity)?;
        }
        let (k, banned) = ranking.unwrap_or((1, NO_TOKEN));
        let key = PlanKey {
            rows: state.rows,
            lq,
            capacity: state.capacity,
            k,
        };
        // Returning logits works with any ranking width: keep the plan if only k differs.
        let usable = |p: &Plan| {
            PlanKey { k: p.key.k, ..key } == p.key && (ranking.is_none() || p.key.k == k)
        };
        if !state.plan.as_ref().is_some_and(usable) {
            state.plan = Some(self.build_plan(state, key)?);
        }
        let plan = state.plan.as_ref().expect("built above");
        self.ctx
            .queue
            .write_buffer(&plan.tokens, 0, bytemuck::cast_slice(tokens));
        self.ctx.queue.write_buffer(
            &state.step,
            0,
            bytemuck::cast_slice(&[state.position as u32, banned, 0, 0]),
        );
        Ok(())
    }

    /// Runs the decoder on the next `lq` tokens of every row (`tokens` row-major) and
    /// returns the logits (rows, lq, vocab), row-major.
    pub fn decode(
        &self,
        state: &mut GpuDecoderState,
        tokens: &[u32],
        lq: usize,
    ) -> Result<Vec<f32>> {
        self.prepare(state, tokens, lq, None)?;
        let mut enc = self.ctx.device.create_command_encoder(&Default::default());
        self.record_pending_reorder(state, &mut enc)?;
        let plan = state.plan.as_ref().expect("prepared");
        let words = tokens.len() * self.cfg.vocab_size;
        record(&mut enc, &plan.ops);
        enc.copy_buffer_to_buffer(&plan.logits, 0, &plan.staging, 0, Some(4 * words as u64));
        self.ctx.queue.submit([enc.finish()]);
        let out = self.ctx.read_staging(&plan.staging, words)?;
        state.position += lq;
        Ok(out)
    }

    /// One step per row that returns each row's `k` best continuations, scored from
    /// `running` (see `Seq2Seq::next_candidates`) and ranked on the device.
    pub fn decode_ranked(
        &self,
        state: &mut GpuDecoderState,
        tokens: &[u32],
        running: &[f32],
        k: usize,
        banned: Option<u32>,
    ) -> Result<Vec<Vec<Candidate>>> {
        if running.len() != tokens.len() {
            bail!("{} running scores for {} rows", running.len(), tokens.len());
        }
        let k = k.clamp(1, self.cfg.vocab_size);
        self.prepare(state, tokens, 1, Some((k, banned.unwrap_or(NO_TOKEN))))?;
        let mut enc = self.ctx.device.create_command_encoder(&Default::default());
        self.record_pending_reorder(state, &mut enc)?;
        let plan = state.plan.as_ref().expect("prepared");
        self.ctx
            .queue
            .write_buffer(&plan.running, 0, bytemuck::cast_slice(running));
        let words = 2 * k * tokens.len();
        record(&mut enc, &plan.ops);
        record(&mut enc, std::slice::from_ref(&plan.rank));
        enc.copy_buffer_to_buffer(&plan.ranked, 0, &plan.staging, 0, Some(4 * words as u64));
        self.ctx.queue.submit([enc.finish()]);
        let ranked: Vec<u32> = self.ctx.read_staging(&plan.staging, words)?;
        state.position += 1;
        Ok(ranked
            .chunks_exact(2 * k)
            .map(|row| {
                row.chunks_exact(2)
                    .filter(|pair| pair[0] != NO_TOKEN)
                    .map(|pair| Candidate {
                        token: pair[0],
                        score: f32::from_bits(pair[1]),
                    })
                    .collect()
            })
            .collect())
    }
}

/// GPU time per kernel of one decode step.
pub struct StepProfile {
    /// (kernel, launches, seconds), slowest first.
    pub kernels: Vec<(&'static str, usize, f64)>,
}

impl StepProfile {
    pub fn total_seconds(&self) -> f64 {
        self.kernels.iter().map(|k| k.2).sum()
    }
}

impl GpuT5Model {
    /// `decode_ranked` with a timestamp before and after every kernel, each in a pass of its
    /// own (so kernels cannot overlap and the sum is at least the step's usual GPU time).
    /// None when the device cannot time (no `TIMESTAMP_QUERY`).
    pub fn profile_step(
        &self,
        state: &mut GpuDecoderState,
        tokens: &[u32],
        running: &[f32],
        k: usize,
    ) -> Result<Option<StepProfile>> {
        let ctx = &self.ctx;
        if !ctx
            .device
            .features()
            .contains(wgpu::Features::TIMESTAMP_QUERY)
        {
            return Ok(None);
        }
        let k = k.clamp(1, self.cfg.vocab_size);
        self.prepare(state, tokens, 1, Some((k, NO_TOKEN)))?;
        let mut enc = ctx.device.create_command_encoder(&Default::default());
        self.record_pending_reorder(state, &mut enc)?;
        let plan = state.plan.as_ref().expect("prepared");
        ctx.queue
            .write_buffer(&plan.running, 0, bytemuck::cast_slice(running));
        let ops: Vec<&Dispatch> = plan.ops.iter().chain([&plan.rank]).collect();
        let count = 2 * ops.len() as u32;
        if count > wgpu::QUERY_SET_MAX_QUERIES {
            bail!("{} kernels per step are too many to time", ops.len());
        }
        let queries = ctx.device.create_query_set(&wgpu::QuerySetDescriptor {
            label: Some("kernel times"),
            ty: wgpu::QueryType::Timestamp,
            count,
        });
        let resolved = ctx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("kernel times"),
            size: 8 * count as u64,
            usage: wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        });
        let staging = ctx.staging(8 * count as u64);
        record_timed(&mut enc, &ops, &queries);
        enc.resolve_query_set(&queries, 0..count, &resolved, 0);
        enc.copy_buffer_to_buffer(&resolved, 0, &staging, 0, Some(8 * count as u64));
        ctx.queue.submit([enc.finish()]);
        let ticks: Vec<u64> = ctx.read_staging(&staging, count as usize)?;
        state.position += 1;
        let tick_seconds = ctx.queue.get_timestamp_period() as f64 * 1e-9;
        let mut by_kernel: Vec<(&'static str, usize, f64)> = vec![];
        for (op, pair) in ops.iter().zip(ticks.chunks_exact(2)) {
            let seconds = pair[1].saturating_sub(pair[0]) as f64 * tick_seconds;
            match by_kernel.iter_mut().find(|e| e.0 == op.kernel) {
                Some(e) => {
                    e.1 += 1;
                    e.2 += seconds;
                }
                None => by_kernel.push((op.kernel, 1, seconds)),
            }
        }
        by_kernel.sort_by(|a, b| b.2.total_cmp(&a.2));
        Ok(Some(StepProfile { kernels: by_kernel }))
    }
}

impl Seq2Seq for GpuT5Model {
    type Encoded = GpuEncoded;
    type State = GpuDecoderState;

    fn encode_input(&self, input: &[u32]) -> Result<GpuEncoded> {
        self.encode(input, 1, None)
    }

    fn start_decoder(&self, encoded: &GpuEncoded) -> Result<GpuDecoderState> {
        self.start(encoded)
    }

    fn repeat_rows(&self, state: &mut GpuDecoderState, n: usize) -> Result<()> {
        self.repeat(state, n)
    }

    fn next_logits(&self, state: &mut GpuDecoderState, last: &[u32]) -> Result<Vec<Vec<f32>>> {
        let vocab = self.cfg.vocab_size;
        Ok(self
            .decode(state, last, 1)?
            .chunks_exact(vocab)
            .map(<[f32]>::to_vec)
            .collect())
    }

    fn reorder_rows(&self, state: &mut GpuDecoderState, parents: &[u32]) -> Result<()> {
        self.reorder(state, parents)
    }

    fn next_candidates(
        &self,
        state: &mut GpuDecoderState,
        last: &[u32],
        running: &[f32],
        k: usize,
        banned: Option<u32>,
    ) -> Result<Vec<Vec<Candidate>>> {
        self.decode_ranked(state, last, running, k, banned)
    }
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
