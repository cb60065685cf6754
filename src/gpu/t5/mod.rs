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
//!
//! This file holds the model and its weights' shape; `load` uploads them, `recorder` turns
//! layers into kernel dispatches, `encode` and `decode` run the two halves, and `profile`
//! times a decode step per kernel.

mod decode;
mod encode;
mod load;
mod profile;
mod recorder;

pub use decode::GpuDecoderState;
pub use encode::GpuEncoded;

use super::context::GpuContext;
use super::kernels::Kernels;
use super::kernels::params::Step;
use super::weights::GpuMatrix;
use crate::model::config::T5Config;
use crate::model::generate::{Candidate, Seq2Seq};
use anyhow::{Result, bail};

/// Weights whose outputs are columns `col0..col0 + w.rows()` of an attention's q, k and v
/// side by side (each `inner` wide): q, k and v stacked in one matrix, so one matmul computes
/// them (k and v for cross-attention, whose q runs each step and K/V once per input).
struct Projection {
    w: GpuMatrix,
    col0: usize,
}

struct Attention {
    norm: wgpu::Buffer,
    /// Covering q, k and v; more than one piece only where they are stored differently.
    proj: Vec<Projection>,
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

/// Written where a kernel expects a token id but none applies ("no banned token"); the
/// ranking kernel also marks missing candidates with it.
const NO_TOKEN: u32 = u32::MAX;

/// The step uniform for tokens at position `pos`, ranking every token but `banned`.
fn step_uniform(pos: usize, banned: u32) -> Step {
    Step {
        pos: pos as u32,
        banned,
        pad0: 0,
        pad1: 0,
    }
}

/// A T5 checkpoint's weights on the GPU and the kernels that run them.
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
    /// Bound where a matmul's optional outputs are unused (one each: outputs are written).
    sinks: [wgpu::Buffer; 3],
    /// The step uniform of kernels outside a decode step (position 0).
    no_step: wgpu::Buffer,
}

impl GpuT5Model {
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
