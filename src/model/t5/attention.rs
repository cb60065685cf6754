//! T5 multi-head attention (no 1/sqrt(d) scaling: T5 folds it into the initialisation) and
//! the key/value caches the decoder keeps between steps.

use super::layers::{Linear, RmsNorm};
use crate::model::checkpoint::AttentionSpec;
use crate::model::config::T5Config;
use crate::model::weights::TensorStore;
use anyhow::Result;
use candle_core::Tensor;

/// The q/k/v/o projections of one attention sublayer.
pub struct Attention {
    q: Linear,
    k: Linear,
    v: Linear,
    o: Linear,
    heads: usize,
    d_kv: usize,
}

impl Attention {
    pub fn load(
        store: &TensorStore,
        spec: &AttentionSpec,
        heads: usize,
        d_kv: usize,
    ) -> Result<Self> {
        Ok(Attention {
            q: Linear::load(store, &spec.q)?,
            k: Linear::load(store, &spec.k)?,
            v: Linear::load(store, &spec.v)?,
            o: Linear::load(store, &spec.o)?,
            heads,
            d_kv,
        })
    }

    /// (B, L, D) → (B, H, L, d_kv)
    fn split_heads(&self, xs: &Tensor) -> Result<Tensor> {
        let (b, l, _) = xs.dims3()?;
        Ok(xs
            .reshape((b, l, self.heads, self.d_kv))?
            .transpose(1, 2)?
            .contiguous()?)
    }

    pub fn project_kv(&self, xs: &Tensor) -> Result<(Tensor, Tensor)> {
        Ok((
            self.split_heads(&self.k.forward(xs)?)?,
            self.split_heads(&self.v.forward(xs)?)?,
        ))
    }

    /// Attention of the queries from `xs` over `k`/`v` (B, H, T, d_kv); `bias` broadcasts
    /// onto the (B, H, L, T) scores and carries position biases and masks.
    pub fn attend(
        &self,
        xs: &Tensor,
        k: &Tensor,
        v: &Tensor,
        bias: Option<&Tensor>,
    ) -> Result<Tensor> {
        let (b, l, _) = xs.dims3()?;
        let q = self.split_heads(&self.q.forward(xs)?)?;
        let mut scores = q.matmul(&k.t()?)?;
        if let Some(bias) = bias {
            scores = scores.broadcast_add(bias)?;
        }
        let weights = candle_nn::ops::softmax_last_dim(&scores)?;
        let out = weights
            .matmul(v)?
            .transpose(1, 2)?
            .reshape((b, l, self.heads * self.d_kv))?;
        self.o.forward(&out)
    }
}

/// An attention sublayer with its pre-norm and residual connection.
pub struct AttentionLayer {
    pub norm: RmsNorm,
    pub attn: Attention,
}

impl AttentionLayer {
    pub fn load(store: &TensorStore, spec: &AttentionSpec, cfg: &T5Config) -> Result<Self> {
        Ok(AttentionLayer {
            norm: RmsNorm::load(store, &spec.norm, cfg.layer_norm_epsilon)?,
            attn: Attention::load(store, spec, cfg.num_heads, cfg.d_kv)?,
        })
    }

    /// Self-attention without a cache (the encoder).
    pub fn forward_self(&self, xs: &Tensor, bias: &Tensor) -> Result<Tensor> {
        let h = self.norm.forward(xs)?;
        let (k, v) = self.attn.project_kv(&h)?;
        Ok((xs + self.attn.attend(&h, &k, &v, Some(bias))?)?)
    }

    /// Decoder self-attention: appends this step's keys/values to `cache` first.
    pub fn forward_cached(
        &self,
        xs: &Tensor,
        cache: &mut KvCache,
        bias: &Tensor,
    ) -> Result<Tensor> {
        let h = self.norm.forward(xs)?;
        let (k, v) = self.attn.project_kv(&h)?;
        let (k, v) = cache.append(k, v)?;
        Ok((xs + self.attn.attend(&h, &k, &v, Some(bias))?)?)
    }

    /// Cross-attention over keys/values computed once from the encoder output.
    pub fn forward_cross(
        &self,
        xs: &Tensor,
        kv: &(Tensor, Tensor),
        mask: Option<&Tensor>,
    ) -> Result<Tensor> {
        let h = self.norm.forward(xs)?;
        Ok((xs + self.attn.attend(&h, &kv.0, &kv.1, mask)?)?)
    }
}

/// Keys and values of the tokens decoded so far, (B, H, T, d_kv) each. Owned by the
/// generation loop so beam search can reorder rows when beams change parents.
#[derive(Clone, Default)]
pub struct KvCache {
    kv: Option<(Tensor, Tensor)>,
}

impl KvCache {
    pub fn len(&self) -> usize {
        self.kv.as_ref().map_or(0, |(k, _)| k.dim(2).unwrap_or(0))
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn append(&mut self, k: Tensor, v: Tensor) -> Result<(Tensor, Tensor)> {
        let kv = match self.kv.take() {
            None => (k, v),
            Some((pk, pv)) => (Tensor::cat(&[&pk, &k], 2)?, Tensor::cat(&[&pv, &v], 2)?),
        };
        self.kv = Some(kv.clone());
        Ok(kv)
    }

    /// Row `i` of the result is row `rows[i]` of the cache (beam search's parent beams).
    pub fn select_rows(&mut self, rows: &Tensor) -> Result<()> {
        if let Some((k, v)) = self.kv.take() {
            self.kv = Some((k.index_select(rows, 0)?, v.index_select(rows, 0)?));
        }
        Ok(())
    }
}
