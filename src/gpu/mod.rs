//! GPU inference through wgpu: WGSL compute kernels for the T5 forward pass (`t5`) and the
//! device they run on (`context`). Choosing between the GPU and the CPU is `runtime::device`'s job.
//!
//! wgpu reaches Vulkan, Metal and DX12, so integrated and discrete GPUs of every vendor run
//! the same kernels. Every failure (no adapter, a lost device, out of memory, a rejected
//! kernel) is an error value: callers fall back to the CPU path and say so.

mod context;
mod kernels;
mod t5;
mod weights;

pub use context::{AdapterSummary, GpuContext};
pub use t5::GpuT5Model;
