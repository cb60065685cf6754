//! The T5 v1.0 encoder-decoder (Text+Chem T5's architecture) on candle.
//!
//! Adapted from candle-transformers 0.11.1 `models/t5.rs` (Apache-2.0/MIT, © the candle
//! authors), with the fixes Hugging Face parity needs: tied-embedding logits scaled by
//! d_model^-0.5 (candle multiplied by sqrt(d_model)), causal position buckets in the decoder,
//! cross-attention keys/values computed once per input, caches owned by the caller so beam
//! search can reorder them, and an encoder attention mask for padded batches.

mod attention;
mod dense;
mod layers;
mod position;

pub use attention::KvCache;
pub use position::bucket as relative_position_bucket;

use crate::model::checkpoint::{Checkpoint, TensorSpec, read_dir};
use crate::model::config::T5Config;
use crate::model::generate::{Seq2Seq, is_identity, repeated_rows};
use crate::model::weights::TensorStore;
use anyhow::{Context, Result, bail};
use attention::AttentionLayer;
use candle_core::{DType, Device, Tensor};
use layers::{FeedForward, Linear, RmsNorm};

struct EncoderBlock {
    attn: AttentionLayer,
    ff: FeedForward,
}

struct DecoderBlock {
    self_attn: AttentionLayer,
    cross_attn: AttentionLayer,
    ff: FeedForward,
}

pub struct T5Model {
    cfg: T5Config,
    /// The shared token embedding; with tied embeddings it is the output projection too.
    shared: Linear,
    lm_head: Option<Linear>,
    encoder: Vec<EncoderBlock>,
    encoder_bias: Tensor,
    encoder_norm: RmsNorm,
    decoder: Vec<DecoderBlock>,
    decoder_bias: Tensor,
    decoder_norm: RmsNorm,
}

/// Everything the decoder carries from one step to the next for a batch of rows
/// (input × beam): the self-attention caches and the per-input cross-attention K/V.
#[derive(Clone)]
pub struct DecoderState {
    self_kv: Vec<KvCache>,
    cross_kv: Vec<(Tensor, Tensor)>,
    /// Additive (B, 1, 1, S) mask hiding padded encoder positions, when there are any.
    cross_mask: Option<Tensor>,
    position: usize,
}

impl DecoderState {
    pub fn rows(&self) -> usize {
        self.cross_kv
            .first()
            .map_or(0, |(k, _)| k.dim(0).unwrap_or(0))
    }

    /// Number of decoder tokens already seen.
    pub fn position(&self) -> usize {
        self.position
    }

    /// Repeats every row `n` times (row r becomes rows r*n..r*n+n): one row per beam.
    pub fn repeat_rows(&mut self, n: usize) -> Result<()> {
        let idx = Tensor::new(repeated_rows(self.rows(), n).as_slice(), &Device::Cpu)?;
        for (k, v) in &mut self.cross_kv {
            *k = k.index_select(&idx, 0)?;
            *v = v.index_select(&idx, 0)?;
        }
        if let Some(m) = &mut self.cross_mask {
            *m = m.index_select(&idx, 0)?;
        }
        for c in &mut self.self_kv {
            c.select_rows(&idx)?;
        }
        Ok(())
    }

    /// Row i takes the self-attention cache of row `parents[i]` (beam search reordering).
    /// Cross-attention K/V are per input, and beams never move between inputs.
    pub fn reorder(&mut self, parents: &[u32]) -> Result<()> {
        if is_identity(parents) {
            return Ok(());
        }
        let idx = Tensor::new(parents, &Device::Cpu)?;
        for c in &mut self.self_kv {
            c.select_rows(&idx)?;
        }
        Ok(())
    }
}

impl T5Model {
    pub fn load(cfg: T5Config, store: &TensorStore) -> Result<Self> {
        let eps = cfg.layer_norm_epsilon;
        let layout = Checkpoint::of_store(&cfg, store);
        let (encoder, decoder) = layout.build_layers(
            |layer| {
                Ok(EncoderBlock {
                    attn: AttentionLayer::load(store, &layer.attn, &cfg)?,
                    ff: FeedForward::load(store, &layer.ff, eps)?,
                })
            },
            |layer| {
                Ok(DecoderBlock {
                    self_attn: AttentionLayer::load(store, &layer.self_attn, &cfg)?,
                    cross_attn: AttentionLayer::load(store, &layer.cross_attn, &cfg)?,
                    ff: FeedForward::load(store, &layer.ff, eps)?,
                })
            },
        )?;
        let bias = |spec: &TensorSpec| store.float(&spec.name, &spec.dims);
        Ok(T5Model {
            shared: Linear::load(store, &layout.shared)?,
            lm_head: layout
                .lm_head
                .as_ref()
                .map(|spec| Linear::load(store, spec))
                .transpose()?,
            encoder_bias: bias(&layout.encoder_bias)?,
            decoder_bias: bias(&layout.decoder_bias)?,
            encoder_norm: RmsNorm::load(store, &layout.encoder_norm, eps)?,
            decoder_norm: RmsNorm::load(store, &layout.decoder_norm, eps)?,
            cfg,
            encoder,
            decoder,
        })
    }

    /// Loads a checkpoint folder (config.json + the preferred weight file).
    pub fn load_dir(dir: &std::path::Path) -> Result<Self> {
        let (cfg, store) = read_dir(dir)?;
        Self::load(cfg, &store).with_context(|| format!("loading {}", store.source().display()))
    }

    pub fn config(&self) -> &T5Config {
        &self.cfg
    }

    fn embed(&self, ids: &Tensor) -> Result<Tensor> {
        let (b, l) = ids.dims2()?;
        let flat = ids.flatten_all()?;
        let rows = match &self.shared {
            Linear::Dense(w) => w.index_select(&flat, 0)?,
            Linear::Quantized(q) => q.rows(&flat)?,
        };
        Ok(rows.reshape((b, l, self.cfg.d_model))?)
    }

    /// Position biases (1, H, Lq, Lk) from a (buckets, H) table.
    fn position_bias(
        &self,
        table: &Tensor,
        q_start: usize,
        q_len: usize,
        k_len: usize,
        bidirectional: bool,
    ) -> Result<Tensor> {
        let grid = position::bucket_grid(
            q_start,
            q_len,
            k_len,
            bidirectional,
            self.cfg.relative_attention_num_buckets,
            self.cfg.relative_attention_max_distance,
        );
        let ids = Tensor::new(grid.as_slice(), &Device::Cpu)?;
        let bias = table
            .index_select(&ids, 0)?
            .reshape((q_len, k_len, self.cfg.num_heads))?;
        Ok(bias.permute((2, 0, 1))?.unsqueeze(0)?.contiguous()?)
    }

    /// HF's extended attention mask: 0 where attended, the lowest f32 where masked.
    fn additive_mask(mask: &Tensor) -> Result<Tensor> {
        let (b, s) = mask.dims2()?;
        let keep = mask.to_dtype(DType::F32)?;
        let add = ((keep - 1.0)? * -(f32::MIN as f64))?;
        Ok(add.reshape((b, 1, 1, s))?)
    }

    /// Encodes token ids (B, S) u32; `mask` (B, S) is 1 for real tokens and 0 for padding.
    /// Returns the final hidden states (B, S, d_model).
    pub fn encode(&self, ids: &Tensor, mask: Option<&Tensor>) -> Result<Tensor> {
        let (_, s) = ids.dims2()?;
        if s == 0 {
            bail!("cannot encode an empty input");
        }
        self.check_ids(ids)?;
        let mut bias = self.position_bias(&self.encoder_bias, 0, s, s, true)?;
        if let Some(mask) = mask {
            bias = bias.broadcast_add(&Self::additive_mask(mask)?)?;
        }
        let mut xs = self.embed(ids)?;
        for block in &self.encoder {
            xs = block.attn.forward_self(&xs, &bias)?;
            xs = block.ff.forward(&xs)?;
        }
        self.encoder_norm.forward(&xs)
    }

    fn check_ids(&self, ids: &Tensor) -> Result<()> {
        let max = ids.flatten_all()?.max(0)?.to_scalar::<u32>()?;
        if max as usize >= self.cfg.vocab_size {
            bail!(
                "token id {max} is outside the vocabulary (size {})",
                self.cfg.vocab_size
            );
        }
        Ok(())
    }

    /// Prepares decoding for encoder outputs (B, S, D): cross-attention K/V of every
    /// layer are computed here once instead of at every step.
    pub fn start_decoding(&self, encoded: &Tensor, mask: Option<&Tensor>) -> Result<DecoderState> {
        let cross_kv = self
            .decoder
            .iter()
            .map(|b| b.cross_attn.attn.project_kv(encoded))
            .collect::<Result<Vec<_>>>()?;
        Ok(DecoderState {
            self_kv: vec![KvCache::default(); self.decoder.len()],
            cross_kv,
            cross_mask: mask.map(Self::additive_mask).transpose()?,
            position: 0,
        })
    }

    /// Runs the decoder on the next tokens (B, L) and returns logits (B, L, vocab).
    pub fn decode(&self, state: &mut DecoderState, tokens: &Tensor) -> Result<Tensor> {
        let (b, l) = tokens.dims2()?;
        if b != state.rows() {
            bail!(
                "decoder got {b} rows of tokens for a state of {} rows",
                state.rows()
            );
        }
        self.check_ids(tokens)?;
        let start = state.position;
        let mut bias = self.position_bias(&self.decoder_bias, start, l, start + l, false)?;
        if l > 1 {
            // Causal mask within this chunk: query i must not see keys after start + i.
            let mask: Vec<f32> = (0..l)
                .flat_map(|i| {
                    (0..start + l).map(move |j| if j > start + i { f32::MIN } else { 0.0 })
                })
                .collect();
            let mask = Tensor::from_vec(mask, (1, 1, l, start + l), &Device::Cpu)?;
            bias = bias.broadcast_add(&mask)?;
        }
        let mut xs = self.embed(tokens)?;
        for (i, block) in self.decoder.iter().enumerate() {
            xs = block
                .self_attn
                .forward_cached(&xs, &mut state.self_kv[i], &bias)?;
            xs = block.cross_attn.forward_cross(
                &xs,
                &state.cross_kv[i],
                state.cross_mask.as_ref(),
            )?;
            xs = block.ff.forward(&xs)?;
        }
        state.position += l;
        let xs = self.decoder_norm.forward(&xs)?;
        match &self.lm_head {
            // Tied embeddings: HF (after Mesh TensorFlow) rescales by d_model^-0.5 first.
            None => self
                .shared
                .forward(&(xs * (self.cfg.d_model as f64).powf(-0.5))?),
            Some(head) => head.forward(&xs),
        }
    }

    /// Teacher-forced logits (B, L, vocab) for `decoder_ids` (starting with the start id).
    pub fn forward(
        &self,
        ids: &Tensor,
        mask: Option<&Tensor>,
        decoder_ids: &Tensor,
    ) -> Result<Tensor> {
        let encoded = self.encode(ids, mask)?;
        let mut state = self.start_decoding(&encoded, mask)?;
        self.decode(&mut state, decoder_ids)
    }
}

/// Generation on the CPU: the same calls `generate` made before it was device-neutral.
impl Seq2Seq for T5Model {
    type Encoded = Tensor;
    type State = DecoderState;

    fn encode_input(&self, input: &[u32]) -> Result<Tensor> {
        let ids = Tensor::new(input, &Device::Cpu)?.unsqueeze(0)?;
        self.encode(&ids, None)
    }

    fn start_decoder(&self, encoded: &Tensor) -> Result<DecoderState> {
        self.start_decoding(encoded, None)
    }

    fn repeat_rows(&self, state: &mut DecoderState, n: usize) -> Result<()> {
        state.repeat_rows(n)
    }

    fn next_logits(&self, state: &mut DecoderState, last: &[u32]) -> Result<Vec<Vec<f32>>> {
        let tokens = Tensor::new(last, &Device::Cpu)?.unsqueeze(1)?;
        Ok(self.decode(state, &tokens)?.squeeze(1)?.to_vec2::<f32>()?)
    }

    fn reorder_rows(&self, state: &mut DecoderState, parents: &[u32]) -> Result<()> {
        state.reorder(parents)
    }
}
