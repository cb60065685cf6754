//! The compiled WGSL kernels and a recorded dispatch: a pipeline, its bind group (buffers and
//! a small uniform of sizes) and a workgroup count. Decode steps replay recorded dispatches,
//! so a step creates no GPU objects; only the step uniform (the position) changes.

pub mod params;

use super::context::GpuContext;
use anyhow::Result;
use bytemuck::Pod;
use params::{AttentionParams, EmbedParams, MatmulParams, RankParams, RmsNormParams, RowsParams};
use std::marker::PhantomData;

// The shader sources, compiled below and parsed by the layout test in `params`.
const EMBED_WGSL: &str = include_str!("shaders/embed.wgsl");
const RMS_NORM_WGSL: &str = include_str!("shaders/rms_norm.wgsl");
const MATMUL_WGSL: &str = include_str!("shaders/matmul.wgsl");
const ATTENTION_WGSL: &str = include_str!("shaders/attention.wgsl");
const ROWS_WGSL: &str = include_str!("shaders/rows.wgsl");
const RANK_WGSL: &str = include_str!("shaders/rank.wgsl");

pub struct Kernels {
    pub embed_f32: Kernel<EmbedParams>,
    pub embed_f16: Kernel<EmbedParams>,
    pub embed_q8: Kernel<EmbedParams>,
    pub embed_q4k: Kernel<EmbedParams>,
    pub rms_norm: Kernel<RmsNormParams>,
    pub matmul_f32: Kernel<MatmulParams>,
    pub matmul_f16: Kernel<MatmulParams>,
    pub matmul_q8: Kernel<MatmulParams>,
    pub matmul_q4k: Kernel<MatmulParams>,
    pub attention: Kernel<AttentionParams>,
    pub gather_rows: Kernel<RowsParams>,
    pub rank: Kernel<RankParams>,
}

/// A compiled entry point and its name (for profiles). `P` is the Rust mirror of its
/// shader's `Params`, so a dispatch cannot pass another kernel's parameters.
pub struct Kernel<P> {
    pipeline: wgpu::ComputePipeline,
    pub name: &'static str,
    params: PhantomData<P>,
}

impl<P> Kernel<P> {
    fn compile(ctx: &GpuContext, module: &wgpu::ShaderModule, entry: &'static str) -> Self {
        Kernel {
            pipeline: ctx
                .device
                .create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                    label: Some(entry),
                    layout: None,
                    module,
                    entry_point: Some(entry),
                    compilation_options: Default::default(),
                    cache: None,
                }),
            name: entry,
            params: PhantomData,
        }
    }
}

/// A uniform holding `value` (a mirror from `params`), zero-padded as `GpuContext::uniform`
/// pads.
pub fn uniform<P: Pod>(ctx: &GpuContext, value: &P) -> wgpu::Buffer {
    ctx.uniform(bytemuck::cast_slice(bytemuck::bytes_of(value)))
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
        let embed = module("embed", EMBED_WGSL);
        let norm = module("rms_norm", RMS_NORM_WGSL);
        let matmul = module("matmul", MATMUL_WGSL);
        let attention = module("attention", ATTENTION_WGSL);
        let rows = module("rows", ROWS_WGSL);
        let rank = module("rank", RANK_WGSL);
        let kernels = Kernels {
            embed_f32: Kernel::compile(ctx, &embed, "embed_f32"),
            embed_f16: Kernel::compile(ctx, &embed, "embed_f16"),
            embed_q8: Kernel::compile(ctx, &embed, "embed_q8"),
            embed_q4k: Kernel::compile(ctx, &embed, "embed_q4k"),
            rms_norm: Kernel::compile(ctx, &norm, "rms_norm"),
            matmul_f32: Kernel::compile(ctx, &matmul, "matmul_f32"),
            matmul_f16: Kernel::compile(ctx, &matmul, "matmul_f16"),
            matmul_q8: Kernel::compile(ctx, &matmul, "matmul_q8"),
            matmul_q4k: Kernel::compile(ctx, &matmul, "matmul_q4k"),
            attention: Kernel::compile(ctx, &attention, "attention"),
            gather_rows: Kernel::compile(ctx, &rows, "gather_rows"),
            rank: Kernel::compile(ctx, &rank, "rank"),
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
    pub kernel: &'static str,
}

impl Dispatch {
    /// `params` fill the uniform at binding 0; `buffers` are (binding, buffer) pairs, exactly
    /// the bindings the entry point uses (layouts are derived from the shader).
    pub fn new<P: Pod>(
        ctx: &GpuContext,
        kernel: &Kernel<P>,
        params: &P,
        buffers: &[(u32, &wgpu::Buffer)],
        groups: (u32, u32, u32),
    ) -> Self {
        let uniform = uniform(ctx, params);
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
            layout: &kernel.pipeline.get_bind_group_layout(0),
            entries: &entries,
        });
        Dispatch {
            pipeline: kernel.pipeline.clone(),
            bind_group,
            groups,
            kernel: kernel.name,
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
        d.record_in(&mut pass);
    }
}

impl Dispatch {
    fn record_in(&self, pass: &mut wgpu::ComputePass<'_>) {
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, &self.bind_group, &[]);
        pass.dispatch_workgroups(self.groups.0, self.groups.1, self.groups.2);
    }
}

/// Records each dispatch in a pass of its own with timestamps before and after it (queries
/// 2i and 2i+1 of `queries`), for `GpuT5Model::profile_step`.
pub fn record_timed(
    encoder: &mut wgpu::CommandEncoder,
    dispatches: &[&Dispatch],
    queries: &wgpu::QuerySet,
) {
    for (i, d) in dispatches.iter().enumerate() {
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some(d.kernel),
            timestamp_writes: Some(wgpu::ComputePassTimestampWrites {
                query_set: queries,
                beginning_of_pass_write_index: Some(2 * i as u32),
                end_of_pass_write_index: Some(2 * i as u32 + 1),
            }),
        });
        d.record_in(&mut pass);
    }
}

#[cfg(test)]
mod tests {
    use super::params::Step;
    use super::*;
    use crate::model::generate::best_continuations;

    /// The ranking kernel against the CPU's definition, on rows full of ties (13 logit
    /// levels over 1,000 tokens), a banned token among the best, and running scores.
    #[test]
    fn ranking_kernel_orders_like_the_cpu_with_ties_and_a_banned_token() {
        let ctx = match GpuContext::open(true) {
            Ok(ctx) => ctx,
            Err(e) if std::env::var_os("TEXTCHEM_REQUIRE_GPU").is_some() => {
                panic!("TEXTCHEM_REQUIRE_GPU is set but no GPU adapter opens: {e:#}")
            }
            Err(e) => return eprintln!("skipping GPU test: {e:#}"),
        };
        let kernels = Kernels::compile(&ctx).unwrap();
        let (vocab, k) = (1000usize, 20usize);
        let running = [0.0f32, -3.5, -1.0e9];
        let logits: Vec<f32> = (0..running.len() * vocab)
            .map(|i| ((i * 7919) % 13) as f32 * 0.5 - 2.0)
            .collect();
        let banned = (0..vocab).find(|&j| logits[j] == 4.0).unwrap() as u32;
        let ranked = ctx.storage("ranked", running.len() * 2 * k);
        let rank = Dispatch::new(
            &ctx,
            &kernels.rank,
            &RankParams {
                vocab: vocab as u32,
                k: k as u32,
                pad0: 0,
                pad1: 0,
            },
            &[
                (
                    1,
                    &uniform(
                        &ctx,
                        &Step {
                            pos: 0,
                            banned,
                            pad0: 0,
                            pad1: 0,
                        },
                    ),
                ),
                (
                    2,
                    &ctx.storage_init("logits", bytemuck::cast_slice(&logits)),
                ),
                (
                    3,
                    &ctx.storage_init("running", bytemuck::cast_slice(&running)),
                ),
                (4, &ranked),
            ],
            (running.len() as u32, 1, 1),
        );
        let mut enc = ctx.device.create_command_encoder(&Default::default());
        record(&mut enc, &[rank]);
        ctx.queue.submit([enc.finish()]);
        let words: Vec<u32> = ctx
            .read_f32(&ranked, running.len() * 2 * k)
            .unwrap()
            .into_iter()
            .map(f32::to_bits)
            .collect();
        for (row, &score) in running.iter().enumerate() {
            let want = best_continuations(
                logits[row * vocab..(row + 1) * vocab].to_vec(),
                score,
                k,
                Some(banned),
            );
            let got = &words[row * 2 * k..(row + 1) * 2 * k];
            let tokens: Vec<u32> = got.chunks(2).map(|p| p[0]).collect();
            let want_tokens: Vec<u32> = want.iter().map(|c| c.token).collect();
            assert_eq!(tokens, want_tokens, "row {row}");
            assert!(!tokens.contains(&banned));
            for (pair, c) in got.chunks(2).zip(&want) {
                let s = f32::from_bits(pair[1]);
                assert!(
                    (s - c.score).abs() <= 1e-5 * c.score.abs().max(1.0),
                    "row {row}: {s} vs {}",
                    c.score
                );
            }
        }
    }
}
