//! Decoding on the GPU: the decoder state (self-attention caches, cross-attention K/V, the
//! recorded step), growing, repeating and reordering its rows for beam search, and the
//! decode steps, which return logits or each row's best continuations ranked on the device.

use super::encode::GpuEncoded;
use super::recorder::{AttentionInputs, MODE_ADD, MODE_WRITE, QkvOut, Recorder};
use super::{GpuT5Model, NO_TOKEN, step_uniform};
use crate::gpu::kernels::params::{RankParams, RowsParams};
use crate::gpu::kernels::{Dispatch, record, uniform};
use crate::model::generate::{Candidate, is_identity, repeated_rows};
use anyhow::{Result, bail};

/// Decoder caches and the recorded step for one batch of rows (input × beam).
pub struct GpuDecoderState {
    rows: usize,
    inputs: usize,
    enc_len: usize,
    pub(super) position: usize,
    capacity: usize,
    cross_kv: Vec<(wgpu::Buffer, wgpu::Buffer)>,
    cross_mask: Option<wgpu::Buffer>,
    self_kv: Vec<(wgpu::Buffer, wgpu::Buffer)>,
    step: wgpu::Buffer,
    pub(super) plan: Option<Plan>,
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
pub(super) struct Plan {
    key: PlanKey,
    tokens: wgpu::Buffer,
    logits: wgpu::Buffer,
    pub(super) running: wgpu::Buffer,
    ranked: wgpu::Buffer,
    pub(super) ops: Vec<Dispatch>,
    pub(super) rank: Dispatch,
    staging: wgpu::Buffer,
}

#[derive(Clone, Copy, PartialEq, Eq)]
struct PlanKey {
    rows: usize,
    lq: usize,
    capacity: usize,
    k: usize,
}

impl GpuT5Model {
    /// Prepares decoding: every layer's cross-attention K/V from the encoder output, once.
    pub fn start(&self, e: &GpuEncoded) -> Result<GpuDecoderState> {
        let ctx = &self.ctx;
        let n = e.rows * e.len;
        let inner = self.cfg.inner_dim();
        let run = || {
            let mut r = Recorder::new(self);
            let cross_kv: Vec<_> = self
                .decoder
                .iter()
                .map(|layer| {
                    let (k, v) = (
                        ctx.storage("cross k", n * inner),
                        ctx.storage("cross v", n * inner),
                    );
                    // K and V as "caches" of the input's length, written at position 0.
                    let out = QkvOut {
                        q: None,
                        k: Some(&k),
                        v: Some(&v),
                        lq: e.len,
                        cap: e.len,
                        step: &self.no_step,
                    };
                    r.project(
                        &e.hidden,
                        n,
                        &layer.cross_attn.proj,
                        inner..3 * inner,
                        None,
                        &out,
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
                step: uniform(ctx, &step_uniform(0, NO_TOKEN)),
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
                if let Some((ok, ov)) = state.self_kv.get(l)
                    && state.position > 0
                {
                    for (src, dst) in [(ok, &pair.0), (ov, &pair.1)] {
                        // gather_rows reads rows of the old capacity and writes the new one.
                        let params = RowsParams {
                            rows: rows as u32,
                            lq: state.position as u32,
                            inner: inner as u32,
                            capacity: state.capacity as u32,
                            dst_capacity: capacity as u32,
                            pad0: 0,
                            pad1: 0,
                            pad2: 0,
                        };
                        r.gather(&params, src, &parents, dst);
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

    /// Repeats every row `n` times (row r becomes rows r*n..r*n+n): one row per beam.
    pub fn repeat(&self, state: &mut GpuDecoderState, n: usize) -> Result<()> {
        let capacity = state.capacity;
        self.rebuild_caches(state, &repeated_rows(state.rows, n), capacity)
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
        state.pending = (!is_identity(&composed)).then_some(composed);
        Ok(())
    }

    /// Records the pending reordering (if any) into `enc`: each cache gathered by parent into
    /// the scratch and copied back, so the recorded step keeps its buffers.
    pub(super) fn record_pending_reorder(
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
                let params = RowsParams {
                    rows: rows as u32,
                    lq: cap as u32,
                    inner: inner as u32,
                    capacity: cap as u32,
                    dst_capacity: cap as u32,
                    pad0: 0,
                    pad1: 0,
                    pad2: 0,
                };
                r.gather(&params, cache, &parents, &scratch);
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
            let (q, att) = (ctx.storage("q", n * inner), ctx.storage("att", n * inner));
            let ff = ctx.storage("ff", n * cfg.d_ff);
            let scores = ctx.storage("scores", n * cfg.num_heads * cap.max(state.enc_len));
            let logits = ctx.storage("logits", n * cfg.vocab_size);
            let running = ctx.storage("running scores", n);
            let ranked = ctx.storage("ranked", 2 * k * n);
            let mut r = Recorder::new(self);
            r.embed(&tokens, n, &xs);
            for (l, layer) in self.decoder.iter().enumerate() {
                let (sk, sv) = &state.self_kv[l];
                let a = &layer.self_attn;
                // q, and this step's keys and values straight into the caches.
                let qkv = QkvOut {
                    q: Some(&q),
                    k: Some(sk),
                    v: Some(sv),
                    lq,
                    cap,
                    step: &state.step,
                };
                r.project(&xs, n, &a.proj, 0..3 * inner, Some(&a.norm), &qkv);
                let self_spec = AttentionInputs {
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
                r.linear(&att, n, &a.o, &xs, MODE_ADD, 1.0, None);

                let c = &layer.cross_attn;
                let (ck, cv) = &state.cross_kv[l];
                let q_only = QkvOut {
                    k: None,
                    v: None,
                    ..qkv
                };
                r.project(&xs, n, &c.proj, 0..inner, Some(&c.norm), &q_only);
                let cross_spec = AttentionInputs {
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
                r.linear(&att, n, &c.o, &xs, MODE_ADD, 1.0, None);
                r.feed_forward(&layer.ff, &xs, &ff, n);
            }
            // The final norm runs in the output projection's prologue.
            let norm = Some(&self.decoder_norm);
            match &self.lm_head {
                // Tied embeddings: HF (after Mesh TensorFlow) rescales by d_model^-0.5 first.
                None => {
                    let scale = (cfg.d_model as f64).powf(-0.5) as f32;
                    r.linear(&xs, n, &self.shared, &logits, MODE_WRITE, scale, norm)
                }
                Some(head) => r.linear(&xs, n, head, &logits, MODE_WRITE, 1.0, norm),
            }
            let rank = Dispatch::new(
                ctx,
                &self.kernels.rank,
                &RankParams {
                    vocab: cfg.vocab_size as u32,
                    k: k as u32,
                    pad0: 0,
                    pad1: 0,
                },
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
    pub(super) fn prepare(
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
            bytemuck::bytes_of(&step_uniform(state.position, banned)),
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
