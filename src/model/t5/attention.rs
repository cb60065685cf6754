//! T5 multi-head attention (no 1/sqrt(d) scaling: T5 folds it into the initialisation) and
//! the key/value caches the decoder keeps between steps.

use super::layers::{Linear, RmsNorm};
use crate::model::checkpoint::AttentionSpec;
use crate::model::config::T5Config;
use crate::model::quantize::kernels::{Isa, detected_isa};
use crate::model::weights::TensorStore;
use anyhow::Result;
use candle_core::Tensor;
use rayon::prelude::*;

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

    /// Keys and values (..., H·d_kv) as flat rows: the decoder's layout (heads side by side).
    pub fn project_kv_rows(&self, xs: &Tensor) -> Result<(Vec<f32>, Vec<f32>)> {
        Ok((
            self.k.forward(xs)?.flatten_all()?.to_vec1()?,
            self.v.forward(xs)?.flatten_all()?.to_vec1()?,
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

    /// Decoder self-attention over `l` new tokens per row (`xs` (B, L, D)): appends their
    /// keys/values to `cache` (whose row layout `history` already covers them), then
    /// attends causally with the position biases of `bias`.
    pub fn forward_cached(
        &self,
        xs: &Tensor,
        cache: &mut KvCache,
        history: &History,
        bias: &CausalBias,
    ) -> Result<Tensor> {
        let (b, l, _) = xs.dims3()?;
        let h = self.norm.forward(xs)?;
        let (k, v) = self.attn.project_kv_rows(&h)?;
        let inner = self.attn.heads * self.attn.d_kv;
        cache.append(&k, &v, b, l, inner);
        let cache = &*cache;
        let q: Vec<f32> = self.attn.q.forward(&h)?.flatten_all()?.to_vec1()?;
        let start = history.len() - l;
        let out = attend_rows(&q, b * l, self.attn.heads, self.attn.d_kv, |unit| {
            let (row, i) = (unit / l, unit % l);
            let pos = start + i;
            UnitKeys {
                // Causal: query `pos` sees keys 0..=pos.
                n: pos + 1,
                kv: move |t: usize| {
                    let at = (t * b + history.slot(t, row)) * inner;
                    (&cache.k[at..at + inner], &cache.v[at..at + inner])
                },
                bias: move |head: usize, t: usize| bias.get(head, pos - t),
            }
        });
        let out = Tensor::from_vec(out, (b, l, inner), xs.device())?;
        Ok((xs + self.attn.o.forward(&out)?)?)
    }

    /// Cross-attention over keys/values computed once from the encoder output.
    pub fn forward_cross(&self, xs: &Tensor, cross: &CrossKv) -> Result<Tensor> {
        let (b, l, _) = xs.dims3()?;
        let h = self.norm.forward(xs)?;
        let q: Vec<f32> = self.attn.q.forward(&h)?.flatten_all()?.to_vec1()?;
        let inner = self.attn.heads * self.attn.d_kv;
        let s = cross.len;
        let out = attend_rows(&q, b * l, self.attn.heads, self.attn.d_kv, |unit| {
            let input = cross.row_input[unit / l] as usize;
            let (k, v) = (&cross.k[input * s * inner..], &cross.v[input * s * inner..]);
            let mask = cross.mask.as_ref().map(|m| &m[input * s..(input + 1) * s]);
            UnitKeys {
                n: s,
                kv: move |t: usize| {
                    (
                        &k[t * inner..(t + 1) * inner],
                        &v[t * inner..(t + 1) * inner],
                    )
                },
                bias: move |_: usize, t: usize| mask.map_or(0.0, |m| m[t]),
            }
        });
        let out = Tensor::from_vec(out, (b, l, inner), xs.device())?;
        Ok((xs + self.attn.o.forward(&out)?)?)
    }
}

/// The keys one query row attends to: how many, key/value `t` (all heads side by side), and
/// the additive bias of (head, t).
struct UnitKeys<KV, B> {
    n: usize,
    kv: KV,
    bias: B,
}

/// Attention of `units` query rows (`q`: units × H·d_kv) over their own keys, with plain loops:
/// decode steps have 1–10 query rows, where candle's batched matmuls, head transposes and
/// cache copies cost more than the arithmetic. Rows run in parallel.
fn attend_rows<'a, F, KV, B>(q: &[f32], units: usize, heads: usize, d: usize, keys: F) -> Vec<f32>
where
    F: Fn(usize) -> UnitKeys<KV, B> + Sync,
    KV: Fn(usize) -> (&'a [f32], &'a [f32]),
    B: Fn(usize, usize) -> f32,
{
    let inner = heads * d;
    let isa = detected_isa();
    let mut out = vec![0f32; units * inner];
    out.par_chunks_mut(inner)
        .enumerate()
        .for_each(|(unit, out)| {
            let q = &q[unit * inner..(unit + 1) * inner];
            match isa {
                // SAFETY: Avx2 is only detected on CPUs with AVX2 and FMA.
                #[cfg(target_arch = "x86_64")]
                Isa::Avx2 => unsafe { attend_unit_avx2(q, heads, d, keys(unit), out) },
                _ => attend_unit(q, heads, d, keys(unit), out),
            }
        });
    out
}

/// `attend_unit` compiled for AVX2: its 8-lane loops become vector instructions.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn attend_unit_avx2<'a, KV, B>(
    q: &[f32],
    heads: usize,
    d: usize,
    keys: UnitKeys<KV, B>,
    out: &mut [f32],
) where
    KV: Fn(usize) -> (&'a [f32], &'a [f32]),
    B: Fn(usize, usize) -> f32,
{
    attend_unit(q, heads, d, keys, out)
}

/// One query row over its keys, every head: scores key by key (each cached key row read once
/// for all heads), a softmax per head as candle's (exponentials of the shifted scores over
/// their sum), then the values weighted the same way.
#[inline(always)]
fn attend_unit<'a, KV, B>(q: &[f32], heads: usize, d: usize, keys: UnitKeys<KV, B>, out: &mut [f32])
where
    KV: Fn(usize) -> (&'a [f32], &'a [f32]),
    B: Fn(usize, usize) -> f32,
{
    let UnitKeys { n, kv, bias } = keys;
    let mut scores = vec![0f32; heads * n];
    for t in 0..n {
        let k = kv(t).0;
        for h in 0..heads {
            let span = h * d..(h + 1) * d;
            scores[h * n + t] = dot8(&q[span.clone()], &k[span]) + bias(h, t);
        }
    }
    let mut sums = vec![0f32; heads];
    for (s, total) in scores.chunks_exact_mut(n.max(1)).zip(&mut sums) {
        let max = s.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let mut sum = 0f32;
        for s in s.iter_mut() {
            *s = (*s - max).exp();
            sum += *s;
        }
        *total = sum;
    }
    for t in 0..n {
        let v = kv(t).1;
        for h in 0..heads {
            let w = scores[h * n + t] / sums[h];
            let span = h * d..(h + 1) * d;
            for (o, v) in out[span.clone()].iter_mut().zip(&v[span]) {
                *o += w * v;
            }
        }
    }
}

/// A dot product in eight lanes, summed at the end (vectorises without reassociation).
#[inline(always)]
fn dot8(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let (a8, b8) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = a8
        .remainder()
        .iter()
        .zip(b8.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in a8.zip(b8) {
        for i in 0..8 {
            acc[i] += x[i] * y[i];
        }
    }
    // Halves folded onto each other: the order a vector horizontal sum takes.
    let s4: [f32; 4] = std::array::from_fn(|i| acc[i] + acc[i + 4]);
    let s2 = [s4[0] + s4[2], s4[1] + s4[3]];
    s2[0] + s2[1] + tail
}

/// Which cache slot holds each row's key/value at each position, `position × rows`: row b's
/// token t is in slot `slot(t, b)`. Beam search reorders rows by rewriting this table (a few
/// hundred integers) instead of copying every layer's cache; all layers share it.
#[derive(Clone, Default)]
pub struct History {
    slots: Vec<u32>,
    rows: usize,
}

impl History {
    pub fn new(rows: usize) -> Self {
        History {
            slots: Vec::new(),
            rows,
        }
    }

    /// Positions recorded.
    pub(super) fn len(&self) -> usize {
        self.slots.len().checked_div(self.rows).unwrap_or(0)
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    fn slot(&self, t: usize, row: usize) -> usize {
        self.slots[t * self.rows + row] as usize
    }

    /// `l` new positions, each row's entry in its own slot (where `KvCache::append` puts it).
    pub fn push(&mut self, l: usize) {
        for _ in 0..l {
            self.slots.extend(0..self.rows as u32);
        }
    }

    /// Row i takes row `parents[i]`'s history.
    pub fn reorder(&mut self, parents: &[u32]) {
        let rows = self.rows;
        for t in self.slots.chunks_exact_mut(rows) {
            let old: Vec<u32> = t.to_vec();
            for (s, &p) in t.iter_mut().zip(parents) {
                *s = old[p as usize];
            }
        }
    }

    /// Every row repeated `n` times over caches rebuilt to match (row r becomes rows
    /// r*n..r*n+n, each in its own slot again).
    pub fn repeat_rows(&mut self, n: usize, caches: &mut [KvCache], inner: usize) {
        let (rows, len) = (self.rows, self.len());
        for cache in caches.iter_mut() {
            let mut k = Vec::with_capacity(cache.k.len() * n);
            let mut v = Vec::with_capacity(cache.v.len() * n);
            for t in 0..len {
                for r in 0..rows * n {
                    let at = (t * rows + self.slot(t, r / n)) * inner;
                    k.extend_from_slice(&cache.k[at..at + inner]);
                    v.extend_from_slice(&cache.v[at..at + inner]);
                }
            }
            *cache = KvCache { k, v };
        }
        self.rows = rows * n;
        self.slots.clear();
        self.push(len);
    }
}

/// Keys and values of one decoder layer's tokens so far, position-major: the entry of slot s
/// at position t (all heads side by side) starts at `(t · rows + s) · H·d_kv`. A step appends
/// at the end, so the cache is never copied (amortised growth aside).
#[derive(Clone, Default)]
pub struct KvCache {
    k: Vec<f32>,
    v: Vec<f32>,
}

impl KvCache {
    /// Appends `k`/`v` (B, L, inner): position-major, row b's token in slot b.
    fn append(&mut self, k: &[f32], v: &[f32], b: usize, l: usize, inner: usize) {
        for i in 0..l {
            for row in 0..b {
                let at = (row * l + i) * inner;
                self.k.extend_from_slice(&k[at..at + inner]);
                self.v.extend_from_slice(&v[at..at + inner]);
            }
        }
    }
}

/// Cross-attention keys/values of one layer, per input (inputs × S × H·d_kv), the rows'
/// inputs (beams share their input's keys instead of copies) and the additive mask of padded
/// encoder positions (inputs × S).
#[derive(Clone)]
pub struct CrossKv {
    pub k: Vec<f32>,
    pub v: Vec<f32>,
    pub len: usize,
    pub row_input: std::sync::Arc<Vec<u32>>,
    pub mask: Option<std::sync::Arc<Vec<f32>>>,
}

/// The decoder's position biases by head and distance (query − key ≥ 0): one table lookup per
/// score instead of a (B, H, L, T) tensor per step.
pub struct CausalBias {
    values: Vec<f32>,
    distances: usize,
}

impl CausalBias {
    /// `table` (buckets × H, row-major) for distances 0..distances.
    pub fn new(
        table: &[f32],
        heads: usize,
        distances: usize,
        bucket: impl Fn(usize) -> usize,
    ) -> Self {
        let mut values = vec![0f32; heads * distances];
        for dist in 0..distances {
            let b = bucket(dist);
            for h in 0..heads {
                values[h * distances + dist] = table[b * heads + h];
            }
        }
        CausalBias { values, distances }
    }

    fn get(&self, head: usize, distance: usize) -> f32 {
        self.values[head * self.distances + distance]
    }
}
