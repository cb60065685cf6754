//! f32 linear maps for decode-shaped inputs (a few activation rows): split over output rows on
//! the rayon pool, with AVX2+FMA dot products where the CPU has them. candle's matmul ran
//! these products on one thread (t5-base f32 greedy decoding used one core of two), and for
//! one row reading the weights is the whole cost, so every core should be reading. Beam
//! steps take two weight rows against four activation rows at a time, so each weight load
//! serves four rows (docs/model-runtime.md has the measurements).

#[cfg(target_arch = "x86_64")]
use crate::model::quantize::kernels::hsum_avx2;
use crate::model::quantize::kernels::{Isa, by_activation_row, detected_isa};
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
    // Filled per weight row, so each task owns a contiguous slice.
    let mut yt = vec![0f32; out_dim * m];
    let x_rows: Vec<&[f32]> = x.chunks_exact(in_dim).collect();
    let w_row = |row: usize| &w[row * in_dim..(row + 1) * in_dim];
    yt.par_chunks_mut(ROWS_PER_TASK * m)
        .enumerate()
        .for_each(|(task, out)| {
            let first = ROWS_PER_TASK * task;
            // Pairs of weight rows against four activation rows at a time (beam steps): each
            // loaded weight vector serves four rows, and eight sums are in flight.
            let mut done = 0;
            if m >= 4 {
                for (p, pair) in out.chunks_exact_mut(2 * m).enumerate() {
                    let (r0, r1) = (first + 2 * p, first + 2 * p + 1);
                    let (o0, o1) = pair.split_at_mut(m);
                    let mut i = 0;
                    while i + 4 <= m {
                        let xs = [x_rows[i], x_rows[i + 1], x_rows[i + 2], x_rows[i + 3]];
                        let [y0, y1] = dot_2x4(isa, [w_row(r0), w_row(r1)], xs);
                        o0[i..i + 4].copy_from_slice(&y0);
                        o1[i..i + 4].copy_from_slice(&y1);
                        i += 4;
                    }
                    for j in i..m {
                        o0[j] = dot(isa, w_row(r0), x_rows[j]);
                        o1[j] = dot(isa, w_row(r1), x_rows[j]);
                    }
                    done += 2;
                }
            }
            for (r, o) in out[done * m..].chunks_mut(m).enumerate() {
                let w_r = w_row(first + done + r);
                for (v, x_row) in o.iter_mut().zip(&x_rows) {
                    *v = dot(isa, w_r, x_row);
                }
            }
        });
    by_activation_row(yt, m)
}

fn dot(isa: Isa, a: &[f32], b: &[f32]) -> f32 {
    match isa {
        // SAFETY: Avx2 is only detected on CPUs with AVX2 and FMA.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => unsafe { dot_avx2(a, b) },
        Isa::Scalar => dot_scalar(a, b),
    }
}

/// `[[w[0]·xs[j]]_j, [w[1]·xs[j]]_j]`.
fn dot_2x4(isa: Isa, w: [&[f32]; 2], xs: [&[f32]; 4]) -> [[f32; 4]; 2] {
    match isa {
        // SAFETY: as in `dot`.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => unsafe { dot_2x4_avx2(w, xs) },
        Isa::Scalar => w.map(|w| xs.map(|x| dot_scalar(w, x))),
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
    // SAFETY: this function's features.
    unsafe { hsum_avx2(sum) + dot_scalar(&a[i..n], &b[i..n]) }
}

/// Two weight rows against four activation rows, 8 lanes at a time, eight accumulators.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn dot_2x4_avx2(w: [&[f32]; 2], xs: [&[f32]; 4]) -> [[f32; 4]; 2] {
    use std::arch::x86_64::*;
    let n = w.iter().chain(&xs).map(|r| r.len()).min().unwrap_or(0);
    let mut acc = [[_mm256_setzero_ps(); 4]; 2];
    let mut i = 0;
    while i + 8 <= n {
        // SAFETY: i + 8 ≤ n, within every row.
        let xv = xs.map(|x| unsafe { _mm256_loadu_ps(x.as_ptr().add(i)) });
        for (acc, w) in acc.iter_mut().zip(&w) {
            let wv = unsafe { _mm256_loadu_ps(w.as_ptr().add(i)) };
            for (a, x) in acc.iter_mut().zip(&xv) {
                *a = _mm256_fmadd_ps(wv, *x, *a);
            }
        }
        i += 8;
    }
    std::array::from_fn(|r| {
        std::array::from_fn(|j| {
            // SAFETY: this function's features.
            unsafe { hsum_avx2(acc[r][j]) + dot_scalar(&w[r][i..n], &xs[j][i..n]) }
        })
    })
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
            // Odd, so the last weight row has no pair.
            let out_dim = 71;
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

    /// The portable kernels (other CPUs, TEXTCHEM_NO_SIMD) give the same sums.
    #[test]
    fn scalar_kernels_agree_with_the_detected_ones() {
        let isa = detected_isa();
        let w = values(2 * 100, 3);
        let x = values(4 * 100, 4);
        let (w0, w1) = w.split_at(100);
        let xs: Vec<&[f32]> = x.chunks_exact(100).collect();
        let xs = [xs[0], xs[1], xs[2], xs[3]];
        let fast = dot_2x4(isa, [w0, w1], xs);
        let portable = dot_2x4(Isa::Scalar, [w0, w1], xs);
        for r in 0..2 {
            for j in 0..4 {
                assert!((fast[r][j] - portable[r][j]).abs() <= 1e-4, "{r} {j}");
                let single = dot(Isa::Scalar, [w0, w1][r], xs[j]);
                assert!((single - portable[r][j]).abs() <= 1e-4, "{r} {j}");
            }
        }
    }
}
