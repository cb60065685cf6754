//! Per-kernel GPU times of one decode step (`bench --profile`), from timestamp queries.

use super::decode::GpuDecoderState;
use super::{GpuT5Model, NO_TOKEN};
use crate::gpu::kernels::{Dispatch, record_timed};
use anyhow::{Result, bail};

/// GPU time per kernel of one decode step.
pub struct StepProfile {
    /// (kernel, launches, seconds), slowest first.
    pub kernels: Vec<(&'static str, usize, f64)>,
}

impl StepProfile {
    pub fn total_seconds(&self) -> f64 {
        self.kernels.iter().map(|k| k.2).sum()
    }
}

impl GpuT5Model {
    /// `decode_ranked` with a timestamp before and after every kernel, each in a pass of its
    /// own (so kernels cannot overlap and the sum is at least the step's usual GPU time).
    /// None when the device cannot time (no `TIMESTAMP_QUERY`).
    pub fn profile_step(
        &self,
        state: &mut GpuDecoderState,
        tokens: &[u32],
        running: &[f32],
        k: usize,
    ) -> Result<Option<StepProfile>> {
        let ctx = &self.ctx;
        if !ctx
            .device
            .features()
            .contains(wgpu::Features::TIMESTAMP_QUERY)
        {
            return Ok(None);
        }
        let k = k.clamp(1, self.cfg.vocab_size);
        self.prepare(state, tokens, 1, Some((k, NO_TOKEN)))?;
        let mut enc = ctx.device.create_command_encoder(&Default::default());
        self.record_pending_reorder(state, &mut enc)?;
        let plan = state.plan.as_ref().expect("prepared");
        ctx.queue
            .write_buffer(&plan.running, 0, bytemuck::cast_slice(running));
        let ops: Vec<&Dispatch> = plan.ops.iter().chain([&plan.rank]).collect();
        let count = 2 * ops.len() as u32;
        if count > wgpu::QUERY_SET_MAX_QUERIES {
            bail!("{} kernels per step are too many to time", ops.len());
        }
        let queries = ctx.device.create_query_set(&wgpu::QuerySetDescriptor {
            label: Some("kernel times"),
            ty: wgpu::QueryType::Timestamp,
            count,
        });
        let resolved = ctx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("kernel times"),
            size: 8 * count as u64,
            usage: wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        });
        let staging = ctx.staging(8 * count as u64);
        record_timed(&mut enc, &ops, &queries);
        enc.resolve_query_set(&queries, 0..count, &resolved, 0);
        enc.copy_buffer_to_buffer(&resolved, 0, &staging, 0, Some(8 * count as u64));
        ctx.queue.submit([enc.finish()]);
        let ticks: Vec<u64> = ctx.read_staging(&staging, count as usize)?;
        state.position += 1;
        let tick_seconds = ctx.queue.get_timestamp_period() as f64 * 1e-9;
        let mut by_kernel: Vec<(&'static str, usize, f64)> = vec![];
        for (op, pair) in ops.iter().zip(ticks.chunks_exact(2)) {
            let seconds = pair[1].saturating_sub(pair[0]) as f64 * tick_seconds;
            match by_kernel.iter_mut().find(|e| e.0 == op.kernel) {
                Some(e) => {
                    e.1 += 1;
                    e.2 += seconds;
                }
                None => by_kernel.push((op.kernel, 1, seconds)),
            }
        }
        by_kernel.sort_by(|a, b| b.2.total_cmp(&a.2));
        Ok(Some(StepProfile { kernels: by_kernel }))
    }
}
