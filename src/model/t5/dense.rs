//! f32 linear maps for decode-shaped inputs (a few activation rows): split over output rows on
//! the rayon pool, with AVX2+FMA dot products where the CPU has them. candle's matmul ran
//! these products on one thread (t5-base f32 greedy decoding used one core of two), and for
//! them reading the weights is the whole cost, so every core should be reading.

use crate::model::quantize::kernels::{Isa, detected_isa};
use rayon::prelude::*;

/// Inputs with up to this many rows (greedy and beam steps) take this path; longer ones
/// (encoder inputs) are real matrix products and stay with candle's gemm.
pub const MAX_ROWS: usize = 16;

/// Output rows per rayon task: enough work to outweigh the task, few enough to balance.
const ROWS_PER_TASK: usize = 32;

/// `y (m, out) = x (m, in) · wᵀ` for `w` (out, in) row-major, `x` (m, in) row-major.
pub fn matmul_few_rows(w: &[f32], in_dim: usize, x: &[f32]) -> Vec<f32> {
    let out_dim = w.len() / in_dim;
    let m = x.len() / in_dim;
    let isa = detected_isa();
    // Computed transposed (output-row major), so each task owns a contiguous slice.
    let mut yt = vec![0f32; out_dim * m];
    yt.par_chunks_mut(ROWS_PER_TASK * m)
        .enumerate()
        .for_each(|(task, out)| {
            for (r, o) in out.chunks_mut(m).enumerate() {
                let row = ROWS_PER_TASK * task + r;
                let w_row = &w[row * in_dim..(row + 1) * in_dim];
                for (v, x_row) in o.iter_mut().zip(x.chunks_exact(in_dim)) {
                    *v = dot(isa, w_row, x_row);
                }
            }
        });
    if m == 1 {
        return yt;
    }
    let mut y = vec![0f32; out_dim * m];
    for (row, outs) in yt.chunks_exact(m).enumerate() {
        for (i, v) in outs.iter().enumerate() {
            y[i * out_dim + row] = *v;
        }
    }
    y
}

fn dot(isa: Isa, a: &[f32], b: &[f32]) -> f32 {
    match isa {
        // SAFETY: Avx2 is only detected on CPUs with AVX2 and FMA.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => unsafe { dot_avx2(a, b) },
        Isa::Scalar => dot_scalar(a, b),
    }
}

/// Eight independent partial sums, which the compiler keeps in one vector register.
fn dot_scalar(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let (a8, b8) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = a8
        .remainder()
        .iter()
        .zip(b8.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in a8.zip(b8) {
        for ((s, x), y) in acc.iter_mut().zip(x).zip(y) {
            *s += x * y;
        }
    }
    acc.iter().sum::<f32>() + tail
}

/// Four 8-lane accumulators: four independent FMA chains hide the FMA latency.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn dot_avx2(a: &[f32], b: &[f32]) -> f32 {
    use std::arch::x86_64::*;
    let n = a.len().min(b.len());
    let mut acc = [_mm256_setzero_ps(); 4];
    let mut i = 0;
    while i + 32 <= n {
        for (k, acc) in acc.iter_mut().enumerate() {
            // SAFETY: i + 8k + 8 ≤ n, within both slices.
            let (x, y) = unsafe {
                (
                    _mm256_loadu_ps(a.as_ptr().add(i + 8 * k)),
                    _mm256_loadu_ps(b.as_ptr().add(i + 8 * k)),
                )
            };
            *acc = _mm256_fmadd_ps(x, y, *acc);
        }
        i += 32;
    }
    let sum = _mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3]));
    let half = _mm_add_ps(_mm256_castps256_ps128(sum), _mm256_extractf128_ps(sum, 1));
    let quad = _mm_add_ps(half, _mm_movehl_ps(half, half));
    let one = _mm_add_ss(quad, _mm_shuffle_ps(quad, quad, 1));
    _mm_cvtss_f32(one) + dot_scalar(&a[i..n], &b[i..n])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(n: usize, seed: u32) -> Vec<f32> {
        (0..n)
            .map(|i| {
                ((i as u32).wrapping_mul(2654435761).wrapping_add(seed) % 2001) as f32 / 1000.0
                    - 1.0
            })
            .collect()
    }

    /// Every row count up to MAX_ROWS and widths with and without a tail, against f64 sums.
    #[test]
    fn few_row_products_match_exact_sums() {
        for in_dim in [1, 7, 32, 48, 100, 768] {
            let out_dim = 70;
            let w = values(out_dim * in_dim, 1);
            for m in 1..=MAX_ROWS {
                let x = values(m * in_dim, 2 + m as u32);
                let y = matmul_few_rows(&w, in_dim, &x);
                assert_eq!(y.len(), m * out_dim);
                for i in 0..m {
                    for o in 0..out_dim {
                        let exact: f64 = (0..in_dim)
                            .map(|c| w[o * in_dim + c] as f64 * x[i * in_dim + c] as f64)
                            .sum();
                        let got = y[i * out_dim + o] as f64;
                        assert!(
                            (got - exact).abs() <= 1e-5 * (in_dim as f64).sqrt(),
                            "in {in_dim}, m {m}, row {i}, out {o}: {got} vs {exact}"
                        );
                    }
                }
            }
        }
    }
}
