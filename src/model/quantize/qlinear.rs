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

/// The most activation rows any kernel takes per call (`kernels::max_rows`).
const MAX_GROUP: usize = 8;

/// The output matrix, written by many tasks at disjoint positions.
#[derive(Clone, Copy)]
struct SharedOut(*mut f32);

// SAFETY: tasks write disjoint elements only (see the writes), and the buffer outlives them.
unsafe impl Send for SharedOut {}
unsafe impl Sync for SharedOut {}

impl SharedOut {
    /// # Safety
    /// `at` is inside the buffer and no other thread touches it meanwhile.
    unsafe fn write(self, at: usize, v: f32) {
        // SAFETY: the caller's.
        unsafe { *self.0.add(at) = v };
    }
}

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
        let out_dim = self.out_dim;
        let mut y = vec![0f32; out_dim * m];
        if let [x] = qx.as_slice() {
            // Greedy decoding: the four-weight-rows kernels, tasks owning contiguous outputs.
            y.par_chunks_mut(ROWS_PER_TASK)
                .enumerate()
                .for_each(|(t, out)| {
                    let first = ROWS_PER_TASK * t;
                    let done = self.rows_by_four(first, out, x);
                    for (r, o) in out[done..].iter_mut().enumerate() {
                        self.run_row(isa, first + done + r, &[x], std::slice::from_mut(o));
                    }
                });
        } else {
            // Activation rows in near-equal groups the kernels keep in registers (10 beams: two
            // of five), each weight row read once for a group.
            let groups = m.div_ceil(kernels::max_rows(isa));
            let size = m.div_ceil(groups);
            let groups: Vec<Vec<&QuantizedRow>> =
                qx.chunks(size).map(|g| g.iter().collect()).collect();
            // Enough tasks for every core to get several, none under four rows.
            let per_task = (out_dim / (4 * rayon::current_num_threads())).clamp(4, ROWS_PER_TASK);
            let y_at = SharedOut(y.as_mut_ptr());
            (0..out_dim.div_ceil(per_task))
                .into_par_iter()
                .for_each(|t| {
                    let mut sums = [0f32; MAX_GROUP];
                    for row in t * per_task..((t + 1) * per_task).min(out_dim) {
                        let mut i = 0;
                        for g in &groups {
                            let sums = &mut sums[..g.len()];
                            self.run_row(isa, row, g, sums);
                            for (k, &v) in sums.iter().enumerate() {
                                // SAFETY: (i + k, row) is inside the m × out_dim output, and
                                // only the task owning `row` writes column `row`.
                                unsafe { y_at.write((i + k) * out_dim + row, v) };
                            }
                            i += g.len();
                        }
                    }
                });
        }
        let mut out = dims;
        *out.last_mut().expect("non-empty dims") = out_dim;
        Ok(Tensor::from_vec(y, out, &Device::Cpu)?)
    }

    /// `out[i] = row · xs[i]` for up to `max_rows` activation rows.
    fn run_row(&self, isa: kernels::Isa, row: usize, xs: &[&QuantizedRow], out: &mut [f32]) {
        match &self.rows {
            Rows::Q8_0(w) => {
                let per_row = self.in_dim / Q8_0_BLOCK;
                kernels::dot_q8_0_rows(isa, &w[row * per_row..(row + 1) * per_row], xs, out)
            }
            Rows::Q4K(w) => {
                let per_row = self.in_dim / QK_K;
                kernels::dot_q4k_rows(isa, &w[row * per_row..(row + 1) * per_row], xs, out)
            }
        }
    }

    /// Greedy decoding (one activation row): `out[i] = row(first + i) · x`, four rows per
    /// kernel call; returns how many outputs it filled (the rest are fewer than four).
    fn rows_by_four(&self, first: usize, out: &mut [f32], x: &QuantizedRow) -> usize {
        let isa = detected_isa();
        let mut done = 0;
        for o in out.chunks_exact_mut(4) {
            let r = first + done;
            let y = match &self.rows {
                Rows::Q8_0(w) => {
                    let per_row = self.in_dim / Q8_0_BLOCK;
                    let row = |i: usize| &w[i * per_row..(i + 1) * per_row];
                    kernels::dot_q8_0_4_rows(isa, [row(r), row(r + 1), row(r + 2), row(r + 3)], x)
                }
                Rows::Q4K(w) => {
                    let per_row = self.in_dim / QK_K;
                    let row = |i: usize| &w[i * per_row..(i + 1) * per_row];
                    kernels::dot_q4k_4_rows(isa, [row(r), row(r + 1), row(r + 2), row(r + 3)], x)
                }
            };
            o.copy_from_slice(&y);
            done += 4;
        }
        done
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::quantize::kernels::{Isa, dot_q4k_scalar, dot_q8_0_scalar};

    /// A deterministic matrix with varied row scales and a few outliers, like trained weights.
    fn matrix(rows: usize, cols: usize, seed: u32) -> Vec<f32> {
        (0..rows * cols)
            .map(|i| {
                let x = ((i as u32).wrapping_mul(2654435761).wrapping_add(seed) >> 8) as f32
                    / (1u32 << 24) as f32
                    - 0.5;
                let row_scale = 0.02 + 0.01 * (i / cols % 7) as f32;
                if i % 97 == 0 {
                    8.0 * x * row_scale
                } else {
                    x * row_scale
                }
            })
            .collect()
    }

    /// One activation row takes the four-weight-rows kernels (70 rows: 17 quads and two rows by
    /// the general kernel); five take the general one.
    fn check_against_dequantized(dtype: GgmlDType, m: usize) {
        let (out_dim, in_dim) = (70, 512);
        let w =
            Tensor::from_vec(matrix(out_dim, in_dim, 1), (out_dim, in_dim), &Device::Cpu).unwrap();
        let q = QTensor::quantize(&w, dtype).unwrap();
        let lin = QLinear::from_qtensor(&q).unwrap();
        let x = Tensor::from_vec(matrix(m, in_dim, 7), (1, m, in_dim), &Device::Cpu).unwrap();
        let y = lin.forward(&x).unwrap();
        assert_eq!(y.dims(), &[1, m, out_dim]);
        // Reference: the same quantized weights dequantized by candle, in f32.
        let wd = q.dequantize(&Device::Cpu).unwrap();
        let want = x.squeeze(0).unwrap().matmul(&wd.t().unwrap()).unwrap();
        let (y, want): (Vec<f32>, Vec<f32>) = (
            y.flatten_all().unwrap().to_vec1().unwrap(),
            want.flatten_all().unwrap().to_vec1().unwrap(),
        );
        let scale = want.iter().fold(0f32, |a, v| a.max(v.abs()));
        let err = y
            .iter()
            .zip(&want)
            .fold(0f32, |a, (p, q)| a.max((p - q).abs()));
        // Only the activations' 8-bit quantization separates the two.
        assert!(
            err <= 0.01 * scale,
            "{dtype:?}: error {err} against output scale {scale}"
        );
        // Embedding rows are the exact dequantized rows.
        let ids = Tensor::new(&[3u32, 0, 69], &Device::Cpu).unwrap();
        let rows = lin.rows(&ids).unwrap();
        let want = wd.index_select(&ids, 0).unwrap();
        let diff = (rows - want)
            .unwrap()
            .abs()
            .unwrap()
            .max_all()
            .unwrap()
            .to_scalar::<f32>()
            .unwrap();
        assert!(diff <= 1e-6, "{dtype:?} rows differ by {diff}");
    }

    #[test]
    fn q8_0_matches_dequantized_matmul() {
        for m in [1, 5] {
            check_against_dequantized(GgmlDType::Q8_0, m);
        }
    }

    #[test]
    fn q4k_matches_dequantized_matmul() {
        for m in [1, 5] {
            check_against_dequantized(GgmlDType::Q4K, m);
        }
    }

    /// Equal up to float summation order.
    fn assert_close(got: [f32; 4], want: [f32; 4], what: &str) {
        for (g, w) in got.iter().zip(&want) {
            assert!(
                (g - w).abs() <= 1e-5 * w.abs().max(1.0),
                "{what}: {got:?} vs {want:?}"
            );
        }
    }

    #[test]
    fn simd_kernels_agree_with_scalar_ones() {
        let isa = detected_isa();
        if isa == Isa::Scalar {
            eprintln!("skipping: this CPU runs the scalar kernels only");
            return;
        }
        let w = Tensor::from_vec(matrix(4, 1024, 3), (4, 1024), &Device::Cpu).unwrap();
        let x = QuantizedRow::new(&matrix(1, 1024, 11));
        for dtype in [GgmlDType::Q8_0, GgmlDType::Q4K] {
            let q = QTensor::quantize(&w, dtype).unwrap();
            let bytes = q.data().unwrap();
            let (simd, scalar) = match dtype {
                GgmlDType::Q8_0 => {
                    let b: Vec<PackedQ8_0> = blocks_from_bytes::<BlockQ8_0>(&bytes)
                        .unwrap()
                        .iter()
                        .map(PackedQ8_0::from)
                        .collect();
                    let rows = [&b[..32], &b[32..64], &b[64..96], &b[96..128]];
                    let four = kernels::dot_q8_0_4_rows(isa, rows, &x);
                    assert_close(four, rows.map(|r| dot_q8_0_scalar(r, &x)), "q8_0 four rows");
                    (
                        kernels::dot_q8_0(isa, &b[..32], &x),
                        dot_q8_0_scalar(&b[..32], &x),
                    )
                }
                _ => {
                    let b: Vec<PackedQ4K> = blocks_from_bytes::<BlockQ4K>(&bytes)
                        .unwrap()
                        .iter()
                        .map(PackedQ4K::from)
                        .collect();
                    let rows = [&b[..4], &b[4..8], &b[8..12], &b[12..16]];
                    let four = kernels::dot_q4k_4_rows(isa, rows, &x);
                    assert_close(four, rows.map(|r| dot_q4k_scalar(r, &x)), "q4k four rows");
                    (
                        kernels::dot_q4k(isa, &b[..4], &x),
                        dot_q4k_scalar(&b[..4], &x),
                    )
                }
            };
            assert!(
                (simd - scalar).abs() <= 1e-5 * scalar.abs().max(1.0),
                "{dtype:?}: {simd} vs {scalar}"
            );
        }
    }

    #[test]
    fn mismatched_inputs_are_errors() {
        let w = Tensor::from_vec(matrix(2, 64, 1), (2, 64), &Device::Cpu).unwrap();
        let lin = QLinear::from_qtensor(&QTensor::quantize(&w, GgmlDType::Q8_0).unwrap()).unwrap();
        let x = Tensor::zeros((1, 32), candle_core::DType::F32, &Device::Cpu).unwrap();
        assert!(
            lin.forward(&x)
                .unwrap_err()
                .to_string()
                .contains("expects 64 inputs")
        );
        let ids = Tensor::new(&[2u32], &Device::Cpu).unwrap();
        assert!(lin.rows(&ids).unwrap_err().to_string().contains("outside"));
    }
}
