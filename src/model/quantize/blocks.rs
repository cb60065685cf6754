//! The two GGUF block layouts textchem quantizes to, byte-compatible with ggml/candle
//! (so the files open in other GGUF tools), plus the per-row activation quantization the
//! integer dot products need.

use half::f16;

pub const Q8_0_BLOCK: usize = 32;
pub const QK_K: usize = 256;

/// q8_0: 32 weights as i8 with one f16 scale (8.5 bits per weight).
#[derive(Clone, Copy)]
#[repr(C)]
pub struct BlockQ8_0 {
    pub d: f16,
    pub qs: [i8; Q8_0_BLOCK],
}

/// q4k: 256 weights in 8 sub-blocks of 32; 4-bit values, a 6-bit scale and min per
/// sub-block, and f16 super-scales for both (4.5 bits per weight).
#[derive(Clone, Copy)]
#[repr(C)]
pub struct BlockQ4K {
    pub d: f16,
    pub dmin: f16,
    pub scales: [u8; 12],
    pub qs: [u8; QK_K / 2],
}

const _: () = assert!(std::mem::size_of::<BlockQ8_0>() == 34);
const _: () = assert!(std::mem::size_of::<BlockQ4K>() == 144);

/// Reinterprets ggml block bytes as blocks. Both block types are plain bytes and f16s
/// with no invalid bit patterns, so any byte string of the right length is a valid value.
pub fn blocks_from_bytes<B: Copy>(bytes: &[u8]) -> Option<Vec<B>> {
    let size = std::mem::size_of::<B>();
    if !bytes.len().is_multiple_of(size) {
        return None;
    }
    let n = bytes.len() / size;
    let mut out = Vec::<B>::with_capacity(n);
    // SAFETY: `out` has room for n blocks = bytes.len() bytes; B is Copy plain data (above).
    unsafe {
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), out.as_mut_ptr() as *mut u8, bytes.len());
        out.set_len(n);
    }
    Some(out)
}

/// The 6-bit scale and min of sub-block `j` (ggml's `get_scale_min_k4`).
#[inline]
pub fn scale_min_k4(j: usize, q: &[u8; 12]) -> (u8, u8) {
    if j < 4 {
        (q[j] & 63, q[j + 4] & 63)
    } else {
        (
            (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4),
            (q[j + 4] >> 4) | ((q[j] >> 6) << 4),
        )
    }
}

impl BlockQ8_0 {
    pub fn dequantize(&self, out: &mut [f32]) {
        let d = self.d.to_f32();
        for (o, &q) in out.iter_mut().zip(&self.qs) {
            *o = d * q as f32;
        }
    }
}

impl BlockQ4K {
    pub fn dequantize(&self, out: &mut [f32]) {
        let d = self.d.to_f32();
        let dmin = self.dmin.to_f32();
        for j in 0..4 {
            let (sc_lo, m_lo) = scale_min_k4(2 * j, &self.scales);
            let (sc_hi, m_hi) = scale_min_k4(2 * j + 1, &self.scales);
            let qs = &self.qs[32 * j..32 * j + 32];
            for (l, &q) in qs.iter().enumerate() {
                out[64 * j + l] = d * sc_lo as f32 * (q & 0xF) as f32 - dmin * m_lo as f32;
                out[64 * j + 32 + l] = d * sc_hi as f32 * (q >> 4) as f32 - dmin * m_hi as f32;
            }
        }
    }
}

/// An activation row quantized to i8 in blocks of 32 with one f32 scale each, plus the
/// block sums (q4k's min term needs Σx per 32-wide sub-block).
pub struct QuantizedRow {
    pub qs: Vec<i8>,
    pub d: Vec<f32>,
    pub sums: Vec<i32>,
    /// d × sum per block: q4k's min term as one f32 dot product.
    pub d_sums: Vec<f32>,
}

impl QuantizedRow {
    pub fn new(xs: &[f32]) -> Self {
        #[cfg(target_arch = "x86_64")]
        if super::kernels::detected_isa() == super::kernels::Isa::Avx2 {
            // SAFETY: Avx2 is only detected on CPUs with AVX2 and FMA.
            return unsafe { Self::new_avx2(xs) };
        }
        Self::quantize(xs)
    }

    /// `quantize` compiled for AVX2: its lane loops become vector instructions. Runs once per
    /// activation row and matrix on the decoding thread, before the parallel products.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn new_avx2(xs: &[f32]) -> Self {
        Self::quantize(xs)
    }

    #[inline(always)]
    fn quantize(xs: &[f32]) -> Self {
        let blocks = xs.len() / Q8_0_BLOCK;
        let mut row = QuantizedRow {
            qs: vec![0; xs.len()],
            d: Vec::with_capacity(blocks),
            sums: Vec::with_capacity(blocks),
            d_sums: Vec::with_capacity(blocks),
        };
        for (x, q) in xs
            .chunks_exact(Q8_0_BLOCK)
            .zip(row.qs.chunks_exact_mut(Q8_0_BLOCK))
        {
            // Lane-wise maxima, then across lanes: the same maximum, in vector registers.
            let mut lanes = [0f32; 8];
            for x8 in x.chunks_exact(8) {
                for (m, v) in lanes.iter_mut().zip(x8) {
                    *m = m.max(v.abs());
                }
            }
            let amax = lanes.iter().fold(0f32, |m, &v| m.max(v));
            let d = amax / 127.0;
            let id = if d > 0.0 { 1.0 / d } else { 0.0 };
            let mut sum = 0i32;
            for (qi, xi) in q.iter_mut().zip(x) {
                *qi = round_half_away(xi * id) as i8;
                sum += *qi as i32;
            }
            row.d.push(d);
            row.sums.push(sum);
            row.d_sums.push(d * sum as f32);
        }
        row
    }
}

/// `f32::round` (halves away from zero) from truncation, which vectorises: `v - trunc(v)` is
/// exact, so the halfway test is too.
#[inline(always)]
fn round_half_away(v: f32) -> f32 {
    let t = v.trunc();
    if (v - t).abs() >= 0.5 {
        t + 1f32.copysign(v)
    } else {
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_matches_f32_round() {
        let mut cases = vec![
            0.5f32,
            -0.5,
            1.5,
            -1.5,
            2.5,
            0.49999997,
            -0.49999997,
            126.5,
            -127.0,
        ];
        cases.extend((0..2000).map(|i| (i as f32 - 1000.0) * 0.12345));
        for v in cases {
            assert_eq!(round_half_away(v), v.round(), "{v}");
        }
    }

    /// The vector build of the quantizer gives the portable one's bytes and scales.
    #[test]
    fn quantized_rows_are_the_same_on_every_path() {
        let xs: Vec<f32> = (0..256)
            .map(|i| ((i * 37 % 101) as f32 - 50.0) / 7.0)
            .collect();
        let a = QuantizedRow::new(&xs);
        let b = QuantizedRow::quantize(&xs);
        assert_eq!(a.qs, b.qs);
        assert_eq!(a.d, b.d);
        assert_eq!(a.sums, b.sums);
    }
}
