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
use attention::{CausalBias, CrossKv, History};
pub use position::bucket as relative_position_bucket;

use crate::model::checkpoint::{Checkpoint, TensorSpec, read_dir};
use crate::model::config::T5Config;
use crate::model::generate::{Candidate, Seq2Seq, is_identity, rank_row, repeated_rows};
use crate::model::weights::TensorStore;
use anyhow::{Context, Result, bail};
use attention::AttentionLayer;
use candle_core::{DType, Device, Tensor};
use layers::{FeedForward, Linear, RmsNorm};
use rayon::prelude::*;

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
/// (input × beam): the self-attention caches with the table of which slot holds each row's
/// tokens, and the per-input cross-attention K/V.
#[derive(Clone)]
pub struct DecoderState {
    self_kv: Vec<KvCache>,
    history: History,
    cross_kv: Vec<CrossKv>,
    /// H·d_kv: the width of one cached key.
    inner: usize,
}

impl DecoderState {
    pub fn rows(&self) -> usize {
        self.history.rows()
    }

    /// Number of decoder tokens already seen.
    pub fn position(&self) -> usize {
        self.history.len()
    }

    /// Repeats every row `n` times (row r becomes rows r*n..r*n+n): one row per beam.
    /// Beams share their input's cross-attention K/V.
    pub fn repeat_rows(&mut self, n: usize) -> Result<()> {
        let row_input = std::sync::Arc::new(
            repeated_rows(self.rows(), n)
                .into_iter()
                .map(|r| self.cross_kv.first().map_or(0, |c| c.row_input[r as usize]))
                .collect::<Vec<u32>>(),
        );
        for c in &mut self.cross_kv {
            c.row_input = row_input.clone();
        }
        self.history.repeat_rows(n, &mut self.self_kv, self.inner);
        Ok(())
    }

    /// Row i takes the self-attention cache of row `parents[i]` (beam search reordering): only
    /// the slot table changes. Cross-attention K/V are per input, and beams never move between
    /// inputs.
    pub fn reorder(&mut self, parents: &[u32]) -> Result<()> {
        let rows = self.rows();
        if parents.len() != rows {
            bail!("{} parents for {rows} rows", parents.len());
        }
        if let Some(p) = parents.iter().find(|&&p| p as usize >= rows) {
            bail!("parent row {p} of {rows} rows");
        }
        if !is_identity(parents) {
            self.history.reorder(parents);
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
        let (rows, len, _) = encoded.dims3()?;
        let row_input = std::sync::Arc::new((0..rows as u32).collect::<Vec<_>>());
        let mask = match mask {
            Some(m) => Some(std::sync::Arc::new(
                Self::additive_mask(m)?.flatten_all()?.to_vec1::<f32>()?,
            )),
            None => None,
        };
        let cross_kv = self
            .decoder
            .iter()
            .map(|b| {
                let (k, v) = b.cross_attn.attn.project_kv_rows(encoded)?;
                Ok(CrossKv {
                    k,
                    v,
                    len,
                    row_input: row_input.clone(),
                    mask: mask.clone(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(DecoderState {
            self_kv: vec![KvCache::default(); self.decoder.len()],
            history: History::new(rows),
            cross_kv,
            inner: self.cfg.num_heads * self.cfg.d_kv,
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
        let start = state.position();
        let (nb, md) = (
            self.cfg.relative_attention_num_buckets,
            self.cfg.relative_attention_max_distance,
        );
        let bias = CausalBias::new(
            &self.decoder_bias.flatten_all()?.to_vec1::<f32>()?,
            self.cfg.num_heads,
            start + l,
            |dist| position::bucket(-(dist as i64), false, nb, md) as usize,
        );
        state.history.push(l);
        let mut xs = self.embed(tokens)?;
        for (i, block) in self.decoder.iter().enumerate() {
            xs = block.self_attn.forward_cached(
                &xs,
                &mut state.self_kv[i],
                &state.history,
                &bias,
            )?;
            xs = block.cross_attn.forward_cross(&xs, &state.cross_kv[i])?;
            xs = block.ff.forward(&xs)?;
        }
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

    /// The default's ranking on the logits as they come out, rows in parallel.
    fn next_candidates(
        &self,
        state: &mut DecoderState,
        last: &[u32],
        running: &[f32],
        k: usize,
        banned: Option<u32>,
    ) -> Result<Vec<Vec<Candidate>>> {
        if running.len() != last.len() {
            bail!("{} running scores for {} rows", running.len(), last.len());
        }
        let tokens = Tensor::new(last, &Device::Cpu)?.unsqueeze(1)?;
        let logits = self.decode(state, &tokens)?.flatten_all()?;
        let (storage, layout) = logits.storage_and_layout();
        let (candle_core::Storage::Cpu(candle_core::CpuStorage::F32(data)), Some((a, b))) =
            (&*storage, layout.contiguous_offsets())
        else {
            bail!("logits are not contiguous f32 on the CPU");
        };
        let vocab = (b - a) / last.len().max(1);
        Ok(data[a..b]
            .par_chunks(vocab)
            .zip(running)
            .map(|(row, &score)| rank_row(row, score, k, banned))
            .collect())
    }
}
