//! The compiled WGSL kernels and a recorded dispatch: a pipeline, its bind group (buffers and
//! a small uniform of sizes) and a workgroup count. Decode steps replay recorded dispatches,
//! so a step creates no GPU objects; only the step uniform (the position) changes.

use super::context::GpuContext;
use anyhow::Result;

pub struct Kernels {
    pub embed_f32: wgpu::ComputePipeline,
    pub embed_q8: wgpu::ComputePipeline,
    pub embed_q4k: wgpu::ComputePipeline,
    pub rms_norm: wgpu::ComputePipeline,
    pub matmul_f32: wgpu::ComputePipeline,
    pub matmul_q8: wgpu::ComputePipeline,
    pub matmul_q4k: wgpu::ComputePipeline,
    pub quantize_q8: wgpu::ComputePipeline,
    pub attention: wgpu::ComputePipeline,
    pub kv_append: wgpu::ComputePipeline,
    pub gather_rows: wgpu::ComputePipeline,
    pub argmax: wgpu::ComputePipeline,
}

/// Grid-stride kernels of 64 threads: enough workgroups for `n` items, within the
/// per-dimension dispatch limit.
pub fn groups_for(n: usize) -> u32 {
    n.div_ceil(64).clamp(1, 65535) as u32
}

impl Kernels {
    pub fn compile(ctx: &GpuContext) -> Result<Self> {
        let module = |name: &str, src: &str| {
            ctx.device
                .create_shader_module(wgpu::ShaderModuleDescriptor {
                    label: Some(name),
                    source: wgpu::ShaderSource::Wgsl(src.into()),
                })
        };
        let embed = module("embed", include_str!("shaders/embed.wgsl"));
        let norm = module("rms_norm", include_str!("shaders/rms_norm.wgsl"));
        let matmul = module("matmul", include_str!("shaders/matmul.wgsl"));
        let quantize = module("quantize", include_str!("shaders/quantize.wgsl"));
        let attention = module("attention", include_str!("shaders/attention.wgsl"));
        let rows = module("rows", include_str!("shaders/rows.wgsl"));
        let argmax = module("argmax", include_str!("shaders/argmax.wgsl"));
        let pipeline = |m: &wgpu::ShaderModule, entry: &str| {
            ctx.device
                .create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                    label: Some(entry),
                    layout: None,
                    module: m,
                    entry_point: Some(entry),
                    compilation_options: Default::default(),
                    cache: None,
                })
        };
        let kernels = Kernels {
            embed_f32: pipeline(&embed, "embed_f32"),
            embed_q8: pipeline(&embed, "embed_q8"),
            embed_q4k: pipeline(&embed, "embed_q4k"),
            rms_norm: pipeline(&norm, "rms_norm"),
            matmul_f32: pipeline(&matmul, "matmul_f32"),
            matmul_q8: pipeline(&matmul, "matmul_q8"),
            matmul_q4k: pipeline(&matmul, "matmul_q4k"),
            quantize_q8: pipeline(&quantize, "quantize_q8"),
            attention: pipeline(&attention, "attention"),
            kv_append: pipeline(&rows, "kv_append"),
            gather_rows: pipeline(&rows, "gather_rows"),
            argmax: pipeline(&argmax, "argmax"),
        };
        ctx.wait()?;
        Ok(kernels)
    }
}

/// One recorded kernel launch.
pub struct Dispatch {
    pipeline: wgpu::ComputePipeline,
    bind_group: wgpu::BindGroup,
    groups: (u32, u32, u32),
}

impl Dispatch {
    /// `params` fill the uniform at binding 0; `buffers` are (binding, buffer) pairs, exactly
    /// the bindings the entry point uses (layouts are derived from the shader).
    pub fn new(
        ctx: &GpuContext,
        pipeline: &wgpu::ComputePipeline,
        params: &[u32],
        buffers: &[(u32, &wgpu::Buffer)],
        groups: (u32, u32, u32),
    ) -> Self {
        let uniform = ctx.uniform(params);
        let mut entries = vec![wgpu::BindGroupEntry {
            binding: 0,
            resource: uniform.as_entire_binding(),
        }];
        entries.extend(buffers.iter().map(|(b, buf)| wgpu::BindGroupEntry {
            binding: *b,
            resource: buf.as_entire_binding(),
        }));
        let bind_group = ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: None,
            layout: &pipeline.get_bind_group_layout(0),
            entries: &entries,
        });
        Dispatch {
            pipeline: pipeline.clone(),
            bind_group,
            groups,
        }
    }
}

/// Records `dispatches` into one compute pass of `encoder`, in order (wgpu inserts the
/// barriers between a kernel that writes a buffer and the next that reads it).
pub fn record(encoder: &mut wgpu::CommandEncoder, dispatches: &[Dispatch]) {
    let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
        label: None,
        timestamp_writes: None,
    });
    for d in dispatches {
        pass.set_pipeline(&d.pipeline);
        pass.set_bind_group(0, &d.bind_group, &[]);
        pass.dispatch_workgroups(d.groups.0, d.groups.1, d.groups.2);
    }
}
