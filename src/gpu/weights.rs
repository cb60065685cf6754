//! Model weights on the GPU, uploaded once: f32 matrices as they are, f16 ones as they are
//! (two per word, unpacked in the kernels; rows of odd length are widened to f32), q8_0 matrices as
//! their i8 values (four per word) plus one f32 scale per block of 32 (the GGUF blocks'
//! 34-byte layout is not word-aligned, so it is split at upload), q4k matrices per
//! sub-block of 32: eight 4-bit values per word, the scale d·sc and the min dmin·m as f32
//! (the products the CPU kernels form first, so both paths round alike).

use super::context::GpuContext;
use crate::model::quantize::blocks::{
    BlockQ4K, BlockQ8_0, Q8_0_BLOCK, QK_K, blocks_from_bytes, scale_min_k4,
};
use crate::model::weights::{StoredMatrix, TensorStore};
use anyhow::{Context, Result, anyhow, bail};
use candle_core::Tensor;
use candle_core::quantized::GgmlDType;

pub enum GpuMatrix {
    F32 {
        w: wgpu::Buffer,
        rows: usize,
        cols: usize,
    },
    F16 {
        w: wgpu::Buffer,
        rows: usize,
        cols: usize,
    },
    Q8 {
        qs: wgpu::Buffer,
        scales: wgpu::Buffer,
        rows: usize,
        cols: usize,
    },
    Q4K {
        qs: wgpu::Buffer,
        scales: wgpu::Buffer,
        mins: wgpu::Buffer,
        rows: usize,
        cols: usize,
    },
}

/// q4k blocks as (nibble words, scale per sub-block, min per sub-block).
fn repack_q4k(blocks: &[BlockQ4K]) -> (Vec<u32>, Vec<f32>, Vec<f32>) {
    let mut words = Vec::with_capacity(blocks.len() * 32);
    let mut scales = Vec::with_capacity(blocks.len() * 8);
    let mut mins = Vec::with_capacity(blocks.len() * 8);
    for b in blocks {
        let (d, dmin) = (b.d.to_f32(), b.dmin.to_f32());
        for s in 0..8 {
            let (sc, m) = scale_min_k4(s, &b.scales);
            scales.push(d * sc as f32);
            mins.push(dmin * m as f32);
            // Sub-block s holds the low (even s) or high (odd s) nibbles of bytes 32·(s/2)..
            let bytes = &b.qs[32 * (s / 2)..32 * (s / 2) + 32];
            let shift = 4 * (s % 2);
            for chunk in bytes.chunks_exact(8) {
                let word = chunk.iter().enumerate().fold(0u32, |w, (i, &q)| {
                    w | ((((q >> shift) & 0xF) as u32) << (4 * i))
                });
                words.push(word);
            }
        }
    }
    (words, scales, mins)
}

fn f32_data(t: &Tensor) -> Result<Vec<f32>> {
    Ok(t.flatten_all()?.to_vec1::<f32>()?)
}

impl GpuMatrix {
    pub fn upload(
        ctx: &GpuContext,
        store: &TensorStore,
        name: &str,
        rows: usize,
        cols: usize,
    ) -> Result<Self> {
        let m = match store.matrix(name, &[rows, cols])? {
            StoredMatrix::Float(t) => Self::f32(ctx, name, &t, rows, cols)?,
            StoredMatrix::Quantized(q) => match q.dtype() {
                GgmlDType::Q8_0 => {
                    let bytes = q.data()?;
                    let blocks: Vec<BlockQ8_0> = blocks_from_bytes(&bytes)
                        .ok_or_else(|| anyhow!("truncated q8_0 data in {name}"))?;
                    if blocks.len() * Q8_0_BLOCK != rows * cols {
                        bail!(
                            "{name}: {} q8_0 blocks for a {rows}x{cols} matrix",
                            blocks.len()
                        );
                    }
                    let scales: Vec<f32> = blocks.iter().map(|b| b.d.to_f32()).collect();
                    let qs: Vec<u8> = blocks.iter().flat_map(|b| b.qs.map(|v| v as u8)).collect();
                    GpuMatrix::Q8 {
                        qs: ctx.storage_init(name, &qs),
                        scales: ctx.storage_init(name, bytemuck::cast_slice(&scales)),
                        rows,
                        cols,
                    }
                }
                GgmlDType::F16 if cols.is_multiple_of(2) => {
                    let bytes = q.data()?;
                    if bytes.len() != 2 * rows * cols {
                        bail!(
                            "{name}: {} bytes of f16 for a {rows}x{cols} matrix",
                            bytes.len()
                        );
                    }
                    // Little-endian halves: element 2i is the low half of word i, as
                    // WGSL's unpack2x16float reads it.
                    GpuMatrix::F16 {
                        w: ctx.storage_init(name, &bytes),
                        rows,
                        cols,
                    }
                }
                GgmlDType::F16 => {
                    let t = q.dequantize(&candle_core::Device::Cpu)?;
                    Self::f32(ctx, name, &t, rows, cols)?
                }
                GgmlDType::Q4K => {
                    let bytes = q.data()?;
                    let blocks: Vec<BlockQ4K> = blocks_from_bytes(&bytes)
                        .ok_or_else(|| anyhow!("truncated q4k data in {name}"))?;
                    if blocks.len() * QK_K != rows * cols {
                        bail!(
                            "{name}: {} q4k blocks for a {rows}x{cols} matrix",
                            blocks.len()
                        );
                    }
                    let (qs, scales, mins) = repack_q4k(&blocks);
                    GpuMatrix::Q4K {
                        qs: ctx.storage_init(name, bytemuck::cast_slice(&qs)),
                        scales: ctx.storage_init(name, bytemuck::cast_slice(&scales)),
                        mins: ctx.storage_init(name, bytemuck::cast_slice(&mins)),
                        rows,
                        cols,
                    }
                }
                other => bail!(
                    "{name} is stored as {other:?}; the GPU kernels run f32, f16, q8_0 and \
                     q4k weights (run this model on the CPU)"
                ),
            },
        };
        Ok(m)
    }

    fn f32(ctx: &GpuContext, name: &str, t: &Tensor, rows: usize, cols: usize) -> Result<Self> {
        Ok(GpuMatrix::F32 {
            w: ctx.storage_init(name, bytemuck::cast_slice(&f32_data(t)?)),
            rows,
            cols,
        })
    }

    pub fn rows(&self) -> usize {
        match self {
            GpuMatrix::F32 { rows, .. }
            | GpuMatrix::F16 { rows, .. }
            | GpuMatrix::Q8 { rows, .. }
            | GpuMatrix::Q4K { rows, .. } => *rows,
        }
    }

    pub fn cols(&self) -> usize {
        match self {
            GpuMatrix::F32 { cols, .. }
            | GpuMatrix::F16 { cols, .. }
            | GpuMatrix::Q8 { cols, .. }
            | GpuMatrix::Q4K { cols, .. } => *cols,
        }
    }
}

/// A float vector or small table (layer norms, relative-position biases).
pub fn upload_float(
    ctx: &GpuContext,
    store: &TensorStore,
    name: &str,
    dims: &[usize],
) -> Result<wgpu::Buffer> {
    let t = store
        .float(name, dims)
        .with_context(|| format!("uploading {name}"))?;
    Ok(ctx.storage_init(name, bytemuck::cast_slice(&f32_data(&t)?)))
}
