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
            let amax = x.iter().fold(0f32, |m, v| m.max(v.abs()));
            let d = amax / 127.0;
            let id = if d > 0.0 { 1.0 / d } else { 0.0 };
            let mut sum = 0i32;
            for (qi, xi) in q.iter_mut().zip(x) {
                *qi = (xi * id).round() as i8;
                sum += *qi as i32;
            }
            row.d.push(d);
            row.sums.push(sum);
            row.d_sums.push(d * sum as f32);
        }
        row
    }
}
