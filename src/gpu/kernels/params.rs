//! Rust mirrors of the WGSL uniform structs: each shader's `struct Params` (binding 0) and
//! the `struct Step` that attention.wgsl, rank.wgsl and rows.wgsl share (binding 1). Same
//! field names, types and order as the WGSL, padding fields included, so the bytes written
//! are the bytes the kernel reads; the test below checks each layout against the shader
//! source the kernels compile.

use bytemuck::{Pod, Zeroable};

/// embed.wgsl: `rows` token ids to rows of `d` values from a `vocab`-row table.
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable)]
pub struct EmbedParams {
    pub rows: u32,
    pub d: u32,
    pub vocab: u32,
    pub pad: u32,
}

/// rms_norm.wgsl: `rows` rows of `d` values.
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable)]
pub struct RmsNormParams {
    pub rows: u32,
    pub d: u32,
    pub eps: f32,
    pub pad: u32,
}

/// matmul.wgsl: y (m, n) = (x · x_scale) (m, k) · wᵀ, written, relu'd or added by `mode`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable)]
pub struct MatmulParams {
    pub m: u32,
    pub n: u32,
    pub k: u32,
    pub mode: u32,
    pub x_scale: f32,
    pub pad0: u32,
    pub pad1: u32,
    pub pad2: u32,
}

/// quantize.wgsl: `blocks` blocks of 32 activations, scaled by `x_scale`, to i8.
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable)]
pub struct QuantizeParams {
    pub blocks: u32,
    pub x_scale: f32,
    pub pad0: u32,
    pub pad1: u32,
}

/// attention.wgsl (its comments say what each field selects).
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable)]
pub struct AttentionParams {
    pub heads: u32,
    pub dkv: u32,
    pub inner: u32,
    pub lq: u32,
    pub kv_row_div: u32,
    pub kv_row_stride: u32,
    pub static_keys: u32,
    pub causal: u32,
    pub use_bias: u32,
    pub bucket_center: u32,
    pub use_mask: u32,
    pub mask_row_stride: u32,
    pub scores_stride: u32,
    pub pad0: u32,
    pub pad1: u32,
    pub pad2: u32,
}

/// rank.wgsl: each row's `k` best of `vocab` logits.
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable)]
pub struct RankParams {
    pub vocab: u32,
    pub k: u32,
    pub pad0: u32,
    pub pad1: u32,
}

/// rows.wgsl: `rows` rows of `lq` positions of `inner` values. `capacity` is the positions
/// per row of the cache kv_append writes into or gather_rows reads; `dst_capacity` of the
/// rows gather_rows writes.
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable)]
pub struct RowsParams {
    pub rows: u32,
    pub lq: u32,
    pub inner: u32,
    pub capacity: u32,
    pub dst_capacity: u32,
    pub pad0: u32,
    pub pad1: u32,
    pub pad2: u32,
}

/// The step uniform: what changes between decode steps without re-recording them (the
/// position of the new tokens, the token ranking skips).
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable)]
pub struct Step {
    pub pos: u32,
    pub banned: u32,
    pub pad0: u32,
    pub pad1: u32,
}
