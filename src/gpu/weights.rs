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

/// A matrix read from the store in the layout of its GPU buffers, before upload.
enum Host {
    F32(Vec<f32>),
    /// Little-endian halves: element 2i is the low half of word i, as WGSL's
    /// unpack2x16float reads it.
    F16(Vec<u8>),
    Q8 {
        qs: Vec<u8>,
        scales: Vec<f32>,
    },
    Q4K {
        qs: Vec<u32>,
        scales: Vec<f32>,
        mins: Vec<f32>,
    },
}

impl Host {
    fn read(store: &TensorStore, name: &str, rows: usize, cols: usize) -> Result<Self> {
        Ok(match store.matrix(name, &[rows, cols])? {
            StoredMatrix::Float(t) => Host::F32(f32_data(&t)?),
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
                    Host::Q8 {
                        scales: blocks.iter().map(|b| b.d.to_f32()).collect(),
                        qs: blocks.iter().flat_map(|b| b.qs.map(|v| v as u8)).collect(),
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
                    Host::F16(bytes.into_owned())
                }
                GgmlDType::F16 => Host::F32(f32_data(&q.dequantize(&candle_core::Device::Cpu)?)?),
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
                    Host::Q4K { qs, scales, mins }
                }
                other => bail!(
                    "{name} is stored as {other:?}; the GPU kernels run f32, f16, q8_0 and \
                     q4k weights (run this model on the CPU)"
                ),
            },
        })
    }

    /// `self` with `other`'s rows below it (every format keeps whole rows contiguous,
    /// blocks included, so stacking rows appends the arrays); None for different formats.
    fn stack(&mut self, other: Host) -> Option<()> {
        match (self, other) {
            (Host::F32(a), Host::F32(b)) => a.extend(b),
            (Host::F16(a), Host::F16(b)) => a.extend(b),
            (Host::Q8 { qs, scales }, Host::Q8 { qs: q2, scales: s2 }) => {
                qs.extend(q2);
                scales.extend(s2);
            }
            (
                Host::Q4K { qs, scales, mins },
                Host::Q4K {
                    qs: q2,
                    scales: s2,
                    mins: m2,
                },
            ) => {
                qs.extend(q2);
                scales.extend(s2);
                mins.extend(m2);
            }
            _ => return None,
        }
        Some(())
    }

    fn same_format(&self, other: &Host) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
    }

    fn upload(self, ctx: &GpuContext, name: &str, rows: usize, cols: usize) -> GpuMatrix {
        match self {
            Host::F32(w) => GpuMatrix::F32 {
                w: ctx.storage_init(name, bytemuck::cast_slice(&w)),
                rows,
                cols,
            },
            Host::F16(w) => GpuMatrix::F16 {
                w: ctx.storage_init(name, &w),
                rows,
                cols,
            },
            Host::Q8 { qs, scales } => GpuMatrix::Q8 {
                qs: ctx.storage_init(name, &qs),
                scales: ctx.storage_init(name, bytemuck::cast_slice(&scales)),
                rows,
                cols,
            },
            Host::Q4K { qs, scales, mins } => GpuMatrix::Q4K {
                qs: ctx.storage_init(name, bytemuck::cast_slice(&qs)),
                scales: ctx.storage_init(name, bytemuck::cast_slice(&scales)),
                mins: ctx.storage_init(name, bytemuck::cast_slice(&mins)),
                rows,
                cols,
            },
        }
    }
}

impl GpuMatrix {
    pub fn upload(
        ctx: &GpuContext,
        store: &TensorStore,
        name: &str,
        rows: usize,
        cols: usize,
    ) -> Result<Self> {
        Ok(Host::read(store, name, rows, cols)?.upload(ctx, name, rows, cols))
    }

    /// The named matrices (rows, cols) stacked by rows in one matrix, so one matmul computes
    /// all their outputs (an attention's q, k and v); split where consecutive matrices are
    /// stored differently or have other widths. Each piece comes with its first row.
    pub fn upload_stacked(
        ctx: &GpuContext,
        store: &TensorStore,
        parts: &[(&str, usize, usize)],
    ) -> Result<Vec<(GpuMatrix, usize)>> {
        let mut pieces = vec![];
        // The piece being built: (data, name, first row, rows, cols).
        let mut open: Option<(Host, &str, usize, usize, usize)> = None;
        let mut row0 = 0;
        for &(name, rows, cols) in parts {
            let host = Host::read(store, name, rows, cols)?;
            match &mut open {
                Some((data, _, _, r, c)) if *c == cols && data.same_format(&host) => {
                    data.stack(host).expect("same format");
                    *r += rows;
                }
                _ => {
                    if let Some((data, first, start, r, c)) = open.take() {
                        pieces.push((data.upload(ctx, first, r, c), start));
                    }
                    open = Some((host, name, row0, rows, cols));
                }
            }
            row0 += rows;
        }
        if let Some((data, first, start, r, c)) = open {
            pieces.push((data.upload(ctx, first, r, c), start));
        }
        Ok(pieces)
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
