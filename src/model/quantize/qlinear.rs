//! A linear map with quantized weights: activations are quantized per row to i8 blocks,
//! then every output is an integer dot product, spread over the CPU's cores by output row.
//! Decoding is bound by streaming the weights, so each weight row is read once per call
//! and reused for every activation row (beams, encoder positions).

use super::blocks::{BlockQ4K, BlockQ8_0, Q8_0_BLOCK, QK_K, QuantizedRow, blocks_from_bytes};
use super::kernels::{self, PackedQ4K, PackedQ8_0, detected_isa};
use anyhow::{Result, bail};
use candle_core::quantized::{GgmlDType, QTensor};
use candle_core::{Device, Tensor};
use rayon::prelude::*;

enum Rows {
    Q8_0(Vec<PackedQ8_0>),
    Q4K(Vec<PackedQ4K>),
}

pub struct QLinear {
    rows: Rows,
    out_dim: usize,
    in_dim: usize,
}

/// Output rows handed to one task: enough work to outweigh scheduling, small enough to
/// balance two to sixteen cores.
const ROWS_PER_TASK: usize = 64;

impl QLinear {
    pub fn from_qtensor(q: &QTensor) -> Result<Self> {
        let (out_dim, in_dim) = q.shape().dims2()?;
        let bytes = q.data()?;
        let rows = match q.dtype() {
            GgmlDType::Q8_0 => {
                let b: Vec<BlockQ8_0> = blocks_from_bytes(&bytes)
                    .ok_or_else(|| anyhow::anyhow!("truncated q8_0 data"))?;
                Rows::Q8_0(b.iter().map(PackedQ8_0::from).collect())
            }
            GgmlDType::Q4K => {
                let b: Vec<BlockQ4K> = blocks_from_bytes(&bytes)
                    .ok_or_else(|| anyhow::anyhow!("truncated q4k data"))?;
                Rows::Q4K(b.iter().map(PackedQ4K::from).collect())
            }
            other => bail!("quantized type {other:?} is not supported (use q8_0 or q4k)"),
        };
        let block = match rows {
            Rows::Q8_0(_) => Q8_0_BLOCK,
            Rows::Q4K(_) => QK_K,
        };
        let blocks = match &rows {
            Rows::Q8_0(v) => v.len(),
            Rows::Q4K(v) => v.len(),
        };
        if in_dim % block != 0 || blocks * block != out_dim * in_dim {
            bail!(
                "quantized matrix {out_dim}x{in_dim} does not fit its {blocks} blocks of {block}"
            );
        }
        Ok(QLinear {
            rows,
            out_dim,
            in_dim,
        })
    }

    pub fn out_dim(&self) -> usize {
        self.out_dim
    }

    /// `xs`: (..., in) f32 → (..., out) f32.
    pub fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let dims = xs.dims().to_vec();
        let in_dim = *dims.last().unwrap_or(&0);
        if in_dim != self.in_dim {
            bail!(
                "quantized linear expects {} inputs, got {in_dim}",
                self.in_dim
            );
        }
        let m = xs.elem_count() / in_dim;
        let x = xs.flatten_all()?.to_vec1::<f32>()?;
        let qx: Vec<QuantizedRow> = x.chunks_exact(in_dim).map(QuantizedRow::new).collect();
        let isa = detected_isa();
        // Computed transposed (output row major) so each task owns a contiguous slice.
        let mut yt = vec![0f32; self.out_dim * m];
        match &self.rows {
            Rows::Q8_0(w) => {
                let per_row = self.in_dim / Q8_0_BLOCK;
                yt.par_chunks_mut(ROWS_PER_TASK * m)
                    .enumerate()
                    .for_each(|(t, out)| {
                        for (r, o) in out.chunks_mut(m).enumerate() {
                            let row = ROWS_PER_TASK * t + r;
                            let wr = &w[row * per_row..(row + 1) * per_row];
                            for (oi, xr) in o.iter_mut().zip(&qx) {
                                *oi = kernels::dot_q8_0(isa, wr, xr);
                            }
                        }
                    });
            }
            Rows::Q4K(w) => {
                let per_row = self.in_dim / QK_K;
                yt.par_chunks_mut(ROWS_PER_TASK * m)
                    .enumerate()
                    .for_each(|(t, out)| {
                        for (r, o) in out.chunks_mut(m).enumerate() {
                            let row = ROWS_PER_TASK * t + r;
                            let wr = &w[row * per_row..(row + 1) * per_row];
                            for (oi, xr) in o.iter_mut().zip(&qx) {
                                *oi = kernels::dot_q4k(isa, wr, xr);
                            }
                        }
                    });
            }
        }
        let mut y = vec![0f32; self.out_dim * m];
        for (row, chunk) in yt.chunks_exact(m).enumerate() {
            for (i, v) in chunk.iter().enumerate() {
                y[i * self.out_dim + row] = *v;
            }
        }
        let mut out = dims;
        *out.last_mut().expect("non-empty dims") = self.out_dim;
        Ok(Tensor::from_vec(y, out, &Device::Cpu)?)
    }

    /// Dequantized rows `ids` (N,) → (N, in): the embedding lookup of a tied embedding.
    pub fn rows(&self, ids: &Tensor) -> Result<Tensor> {
        let ids = ids.to_vec1::<u32>()?;
        let mut out = vec![0f32; ids.len() * self.in_dim];
        for (o, &id) in out.chunks_exact_mut(self.in_dim).zip(&ids) {
            let id = id as usize;
            if id >= self.out_dim {
                bail!("row {id} is outside a {}-row matrix", self.out_dim);
            }
            match &self.rows {
                Rows::Q8_0(w) => {
                    let per_row = self.in_dim / Q8_0_BLOCK;
                    for (blk, chunk) in w[id * per_row..(id + 1) * per_row]
                        .iter()
                        .zip(o.chunks_exact_mut(Q8_0_BLOCK))
                    {
                        blk.dequantize(chunk);
                    }
                }
                Rows::Q4K(w) => {
                    let per_row = self.in_dim / QK_K;
                    for (blk, chunk) in w[id * per_row..(id + 1) * per_row]
                        .iter()
                        .zip(o.chunks_exact_mut(QK_K))
                    {
                        blk.dequantize(chunk);
                    }
                }
            }
        }
        Ok(Tensor::from_vec(
            out,
            (ids.len(), self.in_dim),
            &Device::Cpu,
        )?)
    }
}
