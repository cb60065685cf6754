//! The small building blocks of T5: linear maps (dense or quantized), T5's RMS layer norm,
//! and the ReLU feed-forward of T5 v1.0.

use super::dense;
use crate::model::checkpoint::{FeedForwardSpec, TensorSpec};
use crate::model::quantize::QLinear;
use crate::model::weights::{StoredMatrix, TensorStore};
use anyhow::Result;
use candle_core::quantized::GgmlDType;
use candle_core::{CpuStorage, D, Device, Storage, Tensor};

/// A bias-free linear map `y = x Wᵀ`, with W stored as (out, in) like PyTorch.
pub enum Linear {
    Dense(Tensor),
    Quantized(QLinear),
}

impl Linear {
    pub fn load(store: &TensorStore, spec: &TensorSpec) -> Result<Self> {
        Ok(match store.matrix(&spec.name, &spec.dims)? {
            StoredMatrix::Float(w) => Linear::Dense(w),
            // The CPU multiplies f16 weights as f32 (exactly their values).
            StoredMatrix::Quantized(q) if q.dtype() == GgmlDType::F16 => {
                Linear::Dense(q.dequantize(&Device::Cpu)?)
            }
            StoredMatrix::Quantized(q) => Linear::Quantized(QLinear::from_qtensor(q)?),
        })
    }

    /// `xs`: (..., in) → (..., out).
    pub fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        match self {
            Linear::Dense(w) => {
                let dims = xs.dims().to_vec();
                let in_dim = dims[dims.len() - 1];
                let rows = xs.elem_count() / in_dim;
                let mut out = dims;
                *out.last_mut().expect("xs has a last dim") = w.dim(0)?;
                if rows <= dense::MAX_ROWS {
                    // Decode steps: every core reads a share of the weights.
                    let x = xs.flatten_all()?.to_vec1::<f32>()?;
                    let w = w.flatten_all()?;
                    let (storage, layout) = w.storage_and_layout();
                    if let (Storage::Cpu(CpuStorage::F32(data)), Some((start, end))) =
                        (&*storage, layout.contiguous_offsets())
                    {
                        let y = dense::matmul_few_rows(&data[start..end], in_dim, &x);
                        return Ok(Tensor::from_vec(y, out, &Device::Cpu)?);
                    }
                }
                let ys = xs.reshape((rows, in_dim))?.matmul(&w.t()?)?;
                Ok(ys.reshape(out)?)
            }
            Linear::Quantized(q) => q.forward(xs),
        }
    }
}

/// T5's layer norm: scale only, no mean subtraction and no bias (an RMS norm).
pub struct RmsNorm {
    weight: Tensor,
    eps: f64,
}

impl RmsNorm {
    pub fn load(store: &TensorStore, spec: &TensorSpec, eps: f64) -> Result<Self> {
        Ok(RmsNorm {
            weight: store.float(&spec.name, &spec.dims)?,
            eps,
        })
    }

    pub fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let variance = xs.sqr()?.mean_keepdim(D::Minus1)?;
        let xs = xs.broadcast_div(&(variance + self.eps)?.sqrt()?)?;
        Ok(xs.broadcast_mul(&self.weight)?)
    }
}

/// T5 v1.0's feed-forward sublayer with its pre-norm and residual: x + wo(relu(wi(norm(x)))).
pub struct FeedForward {
    norm: RmsNorm,
    wi: Linear,
    wo: Linear,
}

impl FeedForward {
    pub fn load(store: &TensorStore, spec: &FeedForwardSpec, eps: f64) -> Result<Self> {
        Ok(FeedForward {
            norm: RmsNorm::load(store, &spec.norm, eps)?,
            wi: Linear::load(store, &spec.wi)?,
            wo: Linear::load(store, &spec.wo)?,
        })
    }

    pub fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let h = self.wi.forward(&self.norm.forward(xs)?)?.relu()?;
        Ok((xs + self.wo.forward(&h)?)?)
    }
}
