//! Dot products of quantized weight rows with quantized activation rows: AVX2 versions
//! chosen at run time when the CPU has them, and portable scalar versions (also the
//! reference the SIMD ones are tested against).
//!
//! Weights are repacked at load time from the GGUF blocks into layouts with f32 scales and
//! unpacked 6-bit q4k scales, so the inner loops convert no f16 and unpack no bits.

use super::blocks::{BlockQ4K, BlockQ8_0, QuantizedRow, scale_min_k4};

/// q8_0 block with its scale widened to f32.
#[derive(Clone, Copy)]
#[repr(C)]
pub struct PackedQ8_0 {
    pub d: f32,
    pub qs: [i8; 32],
}

/// q4k block with the super-scales widened and the 6-bit sub-block scales/mins unpacked.
#[derive(Clone, Copy)]
#[repr(C)]
pub struct PackedQ4K {
    pub d: f32,
    pub dmin: f32,
    pub sc: [u8; 8],
    pub m: [u8; 8],
    pub qs: [u8; 128],
}

impl From<&BlockQ8_0> for PackedQ8_0 {
    fn from(b: &BlockQ8_0) -> Self {
        PackedQ8_0 {
            d: b.d.to_f32(),
            qs: b.qs,
        }
    }
}

impl From<&BlockQ4K> for PackedQ4K {
    fn from(b: &BlockQ4K) -> Self {
        let mut sc = [0u8; 8];
        let mut m = [0u8; 8];
        for j in 0..8 {
            (sc[j], m[j]) = scale_min_k4(j, &b.scales);
        }
        PackedQ4K {
            d: b.d.to_f32(),
            dmin: b.dmin.to_f32(),
            sc,
            m,
            qs: b.qs,
        }
    }
}

impl PackedQ8_0 {
    pub fn dequantize(&self, out: &mut [f32]) {
        for (o, &q) in out.iter_mut().zip(&self.qs) {
            *o = self.d * q as f32;
        }
    }
}

impl PackedQ4K {
    pub fn dequantize(&self, out: &mut [f32]) {
        for j in 0..4 {
            let (lo_scale, lo_min) = (
                self.d * self.sc[2 * j] as f32,
                self.dmin * self.m[2 * j] as f32,
            );
            let (hi_scale, hi_min) = (
                self.d * self.sc[2 * j + 1] as f32,
                self.dmin * self.m[2 * j + 1] as f32,
            );
            for (l, &q) in self.qs[32 * j..32 * j + 32].iter().enumerate() {
                out[64 * j + l] = lo_scale * (q & 0xF) as f32 - lo_min;
                out[64 * j + 32 + l] = hi_scale * (q >> 4) as f32 - hi_min;
            }
        }
    }
}

pub fn dot_q8_0_scalar(w: &[PackedQ8_0], x: &QuantizedRow) -> f32 {
    let mut acc = 0f32;
    for (b, blk) in w.iter().enumerate() {
        let xq = &x.qs[32 * b..32 * b + 32];
        let isum: i32 = blk
            .qs
            .iter()
            .zip(xq)
            .map(|(&a, &c)| a as i32 * c as i32)
            .sum();
        acc += blk.d * x.d[b] * isum as f32;
    }
    acc
}

pub fn dot_q4k_scalar(w: &[PackedQ4K], x: &QuantizedRow) -> f32 {
    let mut acc = 0f32;
    for (b, blk) in w.iter().enumerate() {
        for j in 0..4 {
            let qs = &blk.qs[32 * j..32 * j + 32];
            for (half, shift) in [(0usize, 0u8), (1, 4)] {
                let s = 2 * j + half;
                let sub = 8 * b + s;
                let xq = &x.qs[32 * sub..32 * sub + 32];
                let isum: i32 = qs
                    .iter()
                    .zip(xq)
                    .map(|(&q, &c)| ((q >> shift) & 0xF) as i32 * c as i32)
                    .sum();
                acc += x.d[sub]
                    * (blk.d * blk.sc[s] as f32 * isum as f32
                        - blk.dmin * blk.m[s] as f32 * x.sums[sub] as f32);
            }
        }
    }
    acc
}

/// Which kernels this CPU runs; detected once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Isa {
    Scalar,
    #[cfg(target_arch = "x86_64")]
    Avx2,
}

pub fn detected_isa() -> Isa {
    static ISA: std::sync::OnceLock<Isa> = std::sync::OnceLock::new();
    *ISA.get_or_init(|| {
        #[cfg(target_arch = "x86_64")]
        if std::env::var_os("TEXTCHEM_NO_SIMD").is_none()
            && is_x86_feature_detected!("avx2")
            && is_x86_feature_detected!("fma")
        {
            return Isa::Avx2;
        }
        Isa::Scalar
    })
}

pub fn dot_q8_0(isa: Isa, w: &[PackedQ8_0], x: &QuantizedRow) -> f32 {
    match isa {
        Isa::Scalar => dot_q8_0_scalar(w, x),
        // SAFETY: Avx2 is only returned by `detected_isa` when the CPU has AVX2 and FMA.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => unsafe { avx2::dot_q8_0(w, x) },
    }
}

pub fn dot_q4k(isa: Isa, w: &[PackedQ4K], x: &QuantizedRow) -> f32 {
    match isa {
        Isa::Scalar => dot_q4k_scalar(w, x),
        // SAFETY: as above.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => unsafe { avx2::dot_q4k(w, x) },
    }
}

/// Products computed per weight row, `(out, m)` (the layout row-parallel loops fill: each task
/// owns a contiguous slice), as the `(m, out)` matrix callers use. One activation row (greedy
/// decoding) needs no copy.
pub fn by_activation_row(per_weight_row: Vec<f32>, m: usize) -> Vec<f32> {
    if m <= 1 {
        return per_weight_row;
    }
    let out_dim = per_weight_row.len() / m;
    let mut y = vec![0f32; per_weight_row.len()];
    for (row, outs) in per_weight_row.chunks_exact(m).enumerate() {
        for (i, v) in outs.iter().enumerate() {
            y[i * out_dim + row] = *v;
        }
    }
    y
}

#[cfg(target_arch = "x86_64")]
pub(crate) use avx2::hsum as hsum_avx2;

/// `out[i] = w · xs[i]` for up to `MAX_ROWS` activation rows: each weight block is loaded
/// and unpacked once for all rows (beams, encoder positions).
pub const MAX_ROWS: usize = 4;

/// Rows per call of the `_rows` kernels on this CPU: the AVX-512 VNNI kernels keep eight
/// rows' sums in registers, the AVX2 ones four.
pub fn max_rows(isa: Isa) -> usize {
    match isa {
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 if has_vnni() => 8,
        _ => MAX_ROWS,
    }
}

/// Whether the AVX-512 VNNI kernels run here (beam and encoder rows): one `vpdpbusd` per 64
/// byte products instead of `maddubs` + `madd` per 32, and twice the width. Detected once;
/// `TEXTCHEM_NO_AVX512=1` keeps the AVX2 kernels (to compare them).
#[cfg(target_arch = "x86_64")]
pub fn has_vnni() -> bool {
    static VNNI: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *VNNI.get_or_init(|| {
        std::env::var_os("TEXTCHEM_NO_AVX512").is_none()
            && is_x86_feature_detected!("avx512f")
            && is_x86_feature_detected!("avx512bw")
            && is_x86_feature_detected!("avx512vl")
            && is_x86_feature_detected!("avx512vnni")
    })
}

pub fn dot_q8_0_rows(isa: Isa, w: &[PackedQ8_0], xs: &[&QuantizedRow], out: &mut [f32]) {
    match isa {
        // SAFETY: Avx2 is only detected on CPUs with AVX2 and FMA, and the VNNI kernels run
        // only where `has_vnni` found their features.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 if has_vnni() && xs.len() <= 8 => unsafe {
            match xs.len() {
                8 => avx512::dot_q8_0_n::<8>(w, xs, out),
                7 => avx512::dot_q8_0_n::<7>(w, xs, out),
                6 => avx512::dot_q8_0_n::<6>(w, xs, out),
                5 => avx512::dot_q8_0_n::<5>(w, xs, out),
                4 => avx512::dot_q8_0_n::<4>(w, xs, out),
                3 => avx512::dot_q8_0_n::<3>(w, xs, out),
                2 => avx512::dot_q8_0_n::<2>(w, xs, out),
                _ => avx512::dot_q8_0_n::<1>(w, xs, out),
            }
        },
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => unsafe {
            match xs.len() {
                4 => avx2::dot_q8_0_n::<4>(w, xs, out),
                3 => avx2::dot_q8_0_n::<3>(w, xs, out),
                2 => avx2::dot_q8_0_n::<2>(w, xs, out),
                _ => avx2::dot_q8_0_n::<1>(w, xs, out),
            }
        },
        Isa::Scalar => {
            for (o, x) in out.iter_mut().zip(xs) {
                *o = dot_q8_0_scalar(w, x);
            }
        }
    }
}

pub fn dot_q4k_rows(isa: Isa, w: &[PackedQ4K], xs: &[&QuantizedRow], out: &mut [f32]) {
    match isa {
        // SAFETY: as above.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 if has_vnni() && xs.len() <= 8 => unsafe {
            match xs.len() {
                8 => avx512::dot_q4k_n::<8>(w, xs, out),
                7 => avx512::dot_q4k_n::<7>(w, xs, out),
                6 => avx512::dot_q4k_n::<6>(w, xs, out),
                5 => avx512::dot_q4k_n::<5>(w, xs, out),
                4 => avx512::dot_q4k_n::<4>(w, xs, out),
                3 => avx512::dot_q4k_n::<3>(w, xs, out),
                2 => avx512::dot_q4k_n::<2>(w, xs, out),
                _ => avx512::dot_q4k_n::<1>(w, xs, out),
            }
        },
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => unsafe {
            match xs.len() {
                4 => avx2::dot_q4k_n::<4>(w, xs, out),
                3 => avx2::dot_q4k_n::<3>(w, xs, out),
                2 => avx2::dot_q4k_n::<2>(w, xs, out),
                _ => avx2::dot_q4k_n::<1>(w, xs, out),
            }
        },
        Isa::Scalar => {
            for (o, x) in out.iter_mut().zip(xs) {
                *o = dot_q4k_scalar(w, x);
            }
        }
    }
}

/// `[w[0] · x, …, w[3] · x]` for q8_0 rows of equal length (greedy decoding).
pub fn dot_q8_0_4_rows(isa: Isa, w: [&[PackedQ8_0]; 4], x: &QuantizedRow) -> [f32; 4] {
    assert!(
        w.iter().all(|r| r.len() == w[0].len()),
        "rows of unequal length"
    );
    match isa {
        // SAFETY: as above; the rows' lengths were checked.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => unsafe { avx2::dot_q8_0_4w(w, x) },
        Isa::Scalar => w.map(|w| dot_q8_0_scalar(w, x)),
    }
}

/// `[w[0] · x, …, w[3] · x]`: four weight rows against one activation row, the shape of greedy
/// decoding. The rows must have the same length.
pub fn dot_q4k_4_rows(isa: Isa, w: [&[PackedQ4K]; 4], x: &QuantizedRow) -> [f32; 4] {
    assert!(
        w.iter().all(|r| r.len() == w[0].len()),
        "rows of unequal length"
    );
    match isa {
        // SAFETY: as above; the rows' lengths were checked.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => unsafe { avx2::dot_q4k_4w(w, x) },
        Isa::Scalar => w.map(|w| dot_q4k_scalar(w, x)),
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{PackedQ4K, PackedQ8_0, QuantizedRow};
    use std::arch::x86_64::*;

    /// The sum of a register's eight lanes.
    #[target_feature(enable = "avx2,fma")]
    pub(crate) unsafe fn hsum(v: __m256) -> f32 {
        let s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
        let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
        let s = _mm_add_ss(s, _mm_movehdup_ps(s));
        _mm_cvtss_f32(s)
    }

    /// Σ over 32 lanes of u8 × i8 as eight i32 lanes. maddubs saturates at i16, so the
    /// unsigned side must stay ≤ 127 (q8_0 magnitudes) or ≤ 15 (q4k nibbles): both hold.
    /// A q4k block's eight sub-block scales times `d` and mins times `dmin`, as floats.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn scaled_scales_mins(blk: &PackedQ4K) -> (__m256, __m256) {
        // SAFETY: sc and m are 8 bytes each.
        let (sc, m) = unsafe {
            (
                _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64(
                    blk.sc.as_ptr() as *const __m128i
                ))),
                _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64(
                    blk.m.as_ptr() as *const __m128i
                ))),
            )
        };
        (
            _mm256_mul_ps(sc, _mm256_set1_ps(blk.d)),
            _mm256_mul_ps(m, _mm256_set1_ps(blk.dmin)),
        )
    }

    #[target_feature(enable = "avx2,fma")]
    unsafe fn dot_u8_i8(u: __m256i, s: __m256i) -> __m256i {
        _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1))
    }

    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn dot_q8_0(w: &[PackedQ8_0], x: &QuantizedRow) -> f32 {
        let mut acc = _mm256_setzero_ps();
        for (b, blk) in w.iter().enumerate() {
            // SAFETY: both pointers address 32 readable bytes (a block and its activation block).
            let (wv, xv) = unsafe {
                (
                    _mm256_loadu_si256(blk.qs.as_ptr() as *const __m256i),
                    _mm256_loadu_si256(x.qs.as_ptr().add(32 * b) as *const __m256i),
                )
            };
            // |w| · (x · sign w) = w · x, with the unsigned operand maddubs needs.
            let p = unsafe { dot_u8_i8(_mm256_sign_epi8(wv, wv), _mm256_sign_epi8(xv, wv)) };
            let scale = _mm256_set1_ps(blk.d * x.d[b]);
            acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p), scale, acc);
        }
        unsafe { hsum(acc) }
    }

    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn dot_q4k(w: &[PackedQ4K], x: &QuantizedRow) -> f32 {
        let mut acc = _mm256_setzero_ps();
        let mut min_acc = 0f32;
        let nibble = _mm256_set1_epi8(0x0F);
        for (b, blk) in w.iter().enumerate() {
            for j in 0..4 {
                let sub = 8 * b + 2 * j;
                // SAFETY: 32 bytes of this block's qs and two 32-byte activation sub-blocks.
                let (q, x_lo, x_hi) = unsafe {
                    (
                        _mm256_loadu_si256(blk.qs.as_ptr().add(32 * j) as *const __m256i),
                        _mm256_loadu_si256(x.qs.as_ptr().add(32 * sub) as *const __m256i),
                        _mm256_loadu_si256(x.qs.as_ptr().add(32 * sub + 32) as *const __m256i),
                    )
                };
                let lo = _mm256_and_si256(q, nibble);
                let hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), nibble);
                let (d_lo, d_hi) = (x.d[sub], x.d[sub + 1]);
                let c_lo = _mm256_set1_ps(blk.d * blk.sc[2 * j] as f32 * d_lo);
                let c_hi = _mm256_set1_ps(blk.d * blk.sc[2 * j + 1] as f32 * d_hi);
                let (p_lo, p_hi) = unsafe { (dot_u8_i8(lo, x_lo), dot_u8_i8(hi, x_hi)) };
                acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p_lo), c_lo, acc);
                acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p_hi), c_hi, acc);
                min_acc += blk.dmin
                    * (blk.m[2 * j] as f32 * d_lo * x.sums[sub] as f32
                        + blk.m[2 * j + 1] as f32 * d_hi * x.sums[sub + 1] as f32);
            }
        }
        unsafe { hsum(acc) - min_acc }
    }

    /// q8_0 against N activation rows (N ≤ MAX_ROWS, `xs.len() == N`).
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn dot_q8_0_n<const N: usize>(
        w: &[PackedQ8_0],
        xs: &[&QuantizedRow],
        out: &mut [f32],
    ) {
        let mut acc = [_mm256_setzero_ps(); N];
        for (b, blk) in w.iter().enumerate() {
            // SAFETY: a block's 32 bytes.
            let wv = unsafe { _mm256_loadu_si256(blk.qs.as_ptr() as *const __m256i) };
            let aw = _mm256_sign_epi8(wv, wv);
            for r in 0..N {
                let x = xs[r];
                // SAFETY: activation block b of a row as long as the weight row.
                let xv = unsafe { _mm256_loadu_si256(x.qs.as_ptr().add(32 * b) as *const __m256i) };
                let p = unsafe { dot_u8_i8(aw, _mm256_sign_epi8(xv, wv)) };
                acc[r] = _mm256_fmadd_ps(
                    _mm256_cvtepi32_ps(p),
                    _mm256_set1_ps(blk.d * x.d[b]),
                    acc[r],
                );
            }
        }
        for r in 0..N {
            out[r] = unsafe { hsum(acc[r]) };
        }
    }

    /// q8_0: four weight rows against one activation row, with the next four rows
    /// prefetched (see `dot_q4k_4w`).
    // Block b of four rows in lockstep: an index reads more plainly than four zipped iterators.
    #[allow(clippy::needless_range_loop)]
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn dot_q8_0_4w(w: [&[PackedQ8_0]; 4], x: &QuantizedRow) -> [f32; 4] {
        let mut acc = [_mm256_setzero_ps(); 4];
        let ahead = 4 * std::mem::size_of_val(w[0]);
        for b in 0..w[0].len() {
            // SAFETY: activation block b of a row as long as the weight rows.
            let xv = unsafe { _mm256_loadu_si256(x.qs.as_ptr().add(32 * b) as *const __m256i) };
            for k in 0..4 {
                let blk = &w[k][b];
                _mm_prefetch::<_MM_HINT_T0>(
                    (blk as *const PackedQ8_0 as *const i8).wrapping_add(ahead),
                );
                // SAFETY: a block's 32 bytes.
                let wv = unsafe { _mm256_loadu_si256(blk.qs.as_ptr() as *const __m256i) };
                let p = unsafe { dot_u8_i8(_mm256_sign_epi8(wv, wv), _mm256_sign_epi8(xv, wv)) };
                acc[k] = _mm256_fmadd_ps(
                    _mm256_cvtepi32_ps(p),
                    _mm256_set1_ps(blk.d * x.d[b]),
                    acc[k],
                );
            }
        }
        std::array::from_fn(|k| unsafe { hsum(acc[k]) })
    }

    /// q4k: four weight rows against one activation row. With one row, each block's eight
    /// FMAs form one dependency chain and the core waits on their latency; four rows give four
    /// independent chains, and each activation sub-block is loaded once for the four.
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn dot_q4k_4w(w: [&[PackedQ4K]; 4], x: &QuantizedRow) -> [f32; 4] {
        let mut acc = [_mm256_setzero_ps(); 4];
        let mut min_acc = [_mm256_setzero_ps(); 4];
        let nibble = _mm256_set1_epi8(0x0F);
        let ahead = 4 * std::mem::size_of_val(w[0]);
        for b in 0..w[0].len() {
            // Callers walk a matrix four consecutive rows at a time: ask for this block of
            // the next four rows, one call ahead, which the hardware prefetcher does not see
            // coming across the gaps between the four streams. (Prefetching never faults, so
            // the last call may point past the matrix.)
            for row in &w {
                let p = (&row[b] as *const PackedQ4K as *const i8).wrapping_add(ahead);
                _mm_prefetch::<_MM_HINT_T0>(p);
                _mm_prefetch::<_MM_HINT_T0>(p.wrapping_add(64));
                _mm_prefetch::<_MM_HINT_T0>(p.wrapping_add(128));
            }
            // SAFETY: the 8 sub-block scales of activation block b.
            let (dx, dxs) = unsafe {
                (
                    _mm256_loadu_ps(x.d.as_ptr().add(8 * b)),
                    _mm256_loadu_ps(x.d_sums.as_ptr().add(8 * b)),
                )
            };
            // Per row, the eight sub-block factors d·sc·dx, read back one at a time as
            // broadcasts (a load each, rather than a shuffle per sub-block).
            let mut c = [[0f32; 8]; 4];
            for k in 0..4 {
                let blk = &w[k][b];
                // SAFETY: sc and m are 8 bytes each; c[k] holds 8 floats.
                unsafe {
                    let sc = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64(
                        blk.sc.as_ptr() as *const __m128i,
                    )));
                    let m = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64(
                        blk.m.as_ptr() as *const __m128i,
                    )));
                    let sc = _mm256_mul_ps(_mm256_mul_ps(sc, _mm256_set1_ps(blk.d)), dx);
                    _mm256_storeu_ps(c[k].as_mut_ptr(), sc);
                    let m = _mm256_mul_ps(m, _mm256_set1_ps(blk.dmin));
                    min_acc[k] = _mm256_fmadd_ps(m, dxs, min_acc[k]);
                }
            }
            for j in 0..4 {
                let sub = 8 * b + 2 * j;
                // SAFETY: two 32-byte activation sub-blocks of a row as long as the weights.
                let (x_lo, x_hi) = unsafe {
                    (
                        _mm256_loadu_si256(x.qs.as_ptr().add(32 * sub) as *const __m256i),
                        _mm256_loadu_si256(x.qs.as_ptr().add(32 * sub + 32) as *const __m256i),
                    )
                };
                for k in 0..4 {
                    // SAFETY: 32 bytes of this block's qs.
                    let q = unsafe {
                        _mm256_loadu_si256(w[k][b].qs.as_ptr().add(32 * j) as *const __m256i)
                    };
                    let lo = _mm256_and_si256(q, nibble);
                    let hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), nibble);
                    let (p_lo, p_hi) = unsafe { (dot_u8_i8(lo, x_lo), dot_u8_i8(hi, x_hi)) };
                    let c_lo = _mm256_set1_ps(c[k][2 * j]);
                    let c_hi = _mm256_set1_ps(c[k][2 * j + 1]);
                    acc[k] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p_lo), c_lo, acc[k]);
                    acc[k] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p_hi), c_hi, acc[k]);
                }
            }
        }
        std::array::from_fn(|k| unsafe { hsum(acc[k]) - hsum(min_acc[k]) })
    }

    /// q4k against N activation rows. Per block, the eight sub-block scales become one f32
    /// vector (d·sc ⊙ the activation scales) whose lanes are broadcast with a permute, and
    /// the min term is one 8-lane product with the activations' d×sum.
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn dot_q4k_n<const N: usize>(
        w: &[PackedQ4K],
        xs: &[&QuantizedRow],
        out: &mut [f32],
    ) {
        let mut acc = [_mm256_setzero_ps(); N];
        let mut min_acc = [_mm256_setzero_ps(); N];
        let nibble = _mm256_set1_epi8(0x0F);
        let lanes: [__m256i; 8] = std::array::from_fn(|i| _mm256_set1_epi32(i as i32));
        for (b, blk) in w.iter().enumerate() {
            // SAFETY: the caller's CPU has AVX2 (this function's features include it).
            let (sc, m) = unsafe { scaled_scales_mins(blk) };
            let mut c = [_mm256_setzero_ps(); N];
            for r in 0..N {
                // SAFETY: the 8 sub-block scales of activation block b.
                let (dx, dxs) = unsafe {
                    (
                        _mm256_loadu_ps(xs[r].d.as_ptr().add(8 * b)),
                        _mm256_loadu_ps(xs[r].d_sums.as_ptr().add(8 * b)),
                    )
                };
                c[r] = _mm256_mul_ps(sc, dx);
                min_acc[r] = _mm256_fmadd_ps(m, dxs, min_acc[r]);
            }
            for j in 0..4 {
                // SAFETY: 32 bytes of this block's qs.
                let q =
                    unsafe { _mm256_loadu_si256(blk.qs.as_ptr().add(32 * j) as *const __m256i) };
                let lo = _mm256_and_si256(q, nibble);
                let hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), nibble);
                let sub = 8 * b + 2 * j;
                for r in 0..N {
                    // SAFETY: two 32-byte activation sub-blocks of a row as long as the weights.
                    let (x_lo, x_hi) = unsafe {
                        (
                            _mm256_loadu_si256(xs[r].qs.as_ptr().add(32 * sub) as *const __m256i),
                            _mm256_loadu_si256(
                                xs[r].qs.as_ptr().add(32 * sub + 32) as *const __m256i
                            ),
                        )
                    };
                    let (p_lo, p_hi) = unsafe { (dot_u8_i8(lo, x_lo), dot_u8_i8(hi, x_hi)) };
                    let c_lo = _mm256_permutevar8x32_ps(c[r], lanes[2 * j]);
                    let c_hi = _mm256_permutevar8x32_ps(c[r], lanes[2 * j + 1]);
                    acc[r] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p_lo), c_lo, acc[r]);
                    acc[r] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p_hi), c_hi, acc[r]);
                }
            }
        }
        for r in 0..N {
            out[r] = unsafe { hsum(acc[r]) - hsum(min_acc[r]) };
        }
    }
}

// AVX-512 intrinsics are stable from Rust 1.89, hence Cargo.toml's rust-version.
#[cfg(target_arch = "x86_64")]
mod avx512 {
    // The kernels index blocks of several rows in lockstep.
    #![allow(clippy::needless_range_loop)]
    use super::avx2::scaled_scales_mins;
    use super::{PackedQ4K, PackedQ8_0, QuantizedRow};
    use std::arch::x86_64::*;

    /// `a` in lanes 0–7, `b` in lanes 8–15.
    #[target_feature(enable = "avx512f,avx2")]
    fn pair(a: f32, b: f32) -> __m512 {
        _mm512_castpd_ps(_mm512_insertf64x4::<1>(
            _mm512_castps_pd(_mm512_set1_ps(a)),
            _mm256_castps_pd(_mm256_set1_ps(b)),
        ))
    }

    /// q8_0 against N activation rows, two blocks (64 bytes) per instruction. `vpdpbusd`
    /// multiplies unsigned by signed bytes, so the weights' signs move onto the activations
    /// (|w| · ±x, exact: both stay within ±127) as in the AVX2 kernel; its i32 sums never
    /// saturate.
    #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vnni,avx2,fma")]
    pub unsafe fn dot_q8_0_n<const N: usize>(
        w: &[PackedQ8_0],
        xs: &[&QuantizedRow],
        out: &mut [f32],
    ) {
        let mut acc = [_mm512_setzero_ps(); N];
        let pairs = w.len() / 2;
        let zero = _mm512_setzero_si512();
        for p in 0..pairs {
            let (b0, b1) = (&w[2 * p], &w[2 * p + 1]);
            // SAFETY: each block's 32 bytes.
            let wv = unsafe {
                _mm512_inserti64x4::<1>(
                    _mm512_castsi256_si512(_mm256_loadu_si256(b0.qs.as_ptr() as *const __m256i)),
                    _mm256_loadu_si256(b1.qs.as_ptr() as *const __m256i),
                )
            };
            let neg = _mm512_movepi8_mask(wv);
            let aw = _mm512_abs_epi8(wv);
            let ws = pair(b0.d, b1.d);
            for r in 0..N {
                let x = xs[r];
                // SAFETY: activation blocks 2p and 2p + 1 of a row as long as the weights.
                let (xv, dx) = unsafe {
                    (
                        _mm512_loadu_si512(x.qs.as_ptr().add(64 * p) as *const _),
                        pair(*x.d.get_unchecked(2 * p), *x.d.get_unchecked(2 * p + 1)),
                    )
                };
                let sx = _mm512_mask_sub_epi8(xv, neg, zero, xv);
                let dot = _mm512_dpbusd_epi32(zero, aw, sx);
                acc[r] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot), _mm512_mul_ps(ws, dx), acc[r]);
            }
        }
        for r in 0..N {
            let mut sum = _mm512_reduce_add_ps(acc[r]);
            if w.len() % 2 == 1 {
                // An odd last block (rows of 32·odd values).
                let b = w.len() - 1;
                let xq = &xs[r].qs[32 * b..32 * b + 32];
                let isum: i32 = w[b]
                    .qs
                    .iter()
                    .zip(xq)
                    .map(|(&a, &c)| a as i32 * c as i32)
                    .sum();
                sum += w[b].d * xs[r].d[b] * isum as f32;
            }
            out[r] = sum;
        }
    }

    /// q4k against N activation rows: per 32 weight bytes, the low and high nibbles (two
    /// sub-blocks) side by side in one register against the two activation sub-blocks, so
    /// one `vpdpbusd` serves 64 products; the sub-block factors d·sc·dx come from one
    /// vector per block and row by a lane permute.
    #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vnni,avx2,fma")]
    pub unsafe fn dot_q4k_n<const N: usize>(
        w: &[PackedQ4K],
        xs: &[&QuantizedRow],
        out: &mut [f32],
    ) {
        let mut acc = [_mm512_setzero_ps(); N];
        let mut min_acc = [_mm256_setzero_ps(); N];
        let nibble = _mm256_set1_epi8(0x0F);
        let zero = _mm512_setzero_si512();
        // Lanes 0–7 take factor 2j, lanes 8–15 factor 2j + 1.
        let pick: [__m512i; 4] = std::array::from_fn(|j| {
            _mm512_inserti64x4::<1>(
                _mm512_set1_epi32(2 * j as i32),
                _mm256_set1_epi32(2 * j as i32 + 1),
            )
        });
        for (b, blk) in w.iter().enumerate() {
            // SAFETY: the caller's CPU has AVX2 (this function's features include it).
            let (sc, m) = unsafe { scaled_scales_mins(blk) };
            let mut c = [_mm512_setzero_ps(); N];
            for r in 0..N {
                // SAFETY: the 8 sub-block scales of activation block b.
                let (dx, dxs) = unsafe {
                    (
                        _mm256_loadu_ps(xs[r].d.as_ptr().add(8 * b)),
                        _mm256_loadu_ps(xs[r].d_sums.as_ptr().add(8 * b)),
                    )
                };
                c[r] = _mm512_castps256_ps512(_mm256_mul_ps(sc, dx));
                min_acc[r] = _mm256_fmadd_ps(m, dxs, min_acc[r]);
            }
            for j in 0..4 {
                // SAFETY: 32 bytes of this block's qs.
                let q =
                    unsafe { _mm256_loadu_si256(blk.qs.as_ptr().add(32 * j) as *const __m256i) };
                let nib = _mm512_inserti64x4::<1>(
                    _mm512_castsi256_si512(_mm256_and_si256(q, nibble)),
                    _mm256_and_si256(_mm256_srli_epi16::<4>(q), nibble),
                );
                let sub = 8 * b + 2 * j;
                for r in 0..N {
                    // SAFETY: activation sub-blocks `sub` and `sub + 1` (64 bytes).
                    let xv =
                        unsafe { _mm512_loadu_si512(xs[r].qs.as_ptr().add(32 * sub) as *const _) };
                    let dot = _mm512_dpbusd_epi32(zero, nib, xv);
                    let f = _mm512_permutexvar_ps(pick[j], c[r]);
                    acc[r] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot), f, acc[r]);
                }
            }
        }
        for r in 0..N {
            out[r] = _mm512_reduce_add_ps(acc[r]) - unsafe { super::avx2::hsum(min_acc[r]) };
        }
    }
}
