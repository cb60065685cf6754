//! Where the model runs: a hardware GPU, any wgpu adapter, or the CPU.

use anyhow::{Result, bail};

use crate::gpu::GpuContext;

/// Where the model runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Device {
    /// A hardware GPU when wgpu finds one, else the CPU. Software rasterisers (llvmpipe,
    /// lavapipe, WARP) count as CPU here: they are slower than the CPU path.
    #[default]
    Auto,
    Cpu,
    /// Any wgpu adapter, software ones included (that is how tests run without a GPU).
    Gpu,
}

impl std::str::FromStr for Device {
    type Err = anyhow::Error;

    fn from_str(s: &str) -> Result<Self> {
        Ok(match s {
            "auto" => Device::Auto,
            "cpu" => Device::Cpu,
            "gpu" => Device::Gpu,
            other => bail!("unknown device {other:?} (auto, cpu or gpu)"),
        })
    }
}

impl std::fmt::Display for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Device::Auto => "auto",
            Device::Cpu => "cpu",
            Device::Gpu => "gpu",
        })
    }
}

/// What `Device` resolved to: a GPU context, or the CPU with the reason when the GPU was
/// asked for or considered and is not used.
pub enum Selected {
    Gpu(GpuContext),
    Cpu { reason: Option<String> },
}

impl Device {
    /// Resolves the choice: `Gpu` fails when no adapter opens; `Auto` falls back to the CPU
    /// with a reason; `Cpu` never touches wgpu.
    pub fn select(self) -> Result<Selected> {
        self.select_sharing(None)
    }

    /// As `select`, reusing `window`, the app renderer's device, instead of opening a second
    /// one: for `Gpu` always, for `Auto` when it is a hardware GPU.
    pub fn select_sharing(self, window: Option<&GpuContext>) -> Result<Selected> {
        match (self, window) {
            (Device::Cpu, _) => Ok(Selected::Cpu { reason: None }),
            (Device::Gpu, Some(ctx)) => Ok(Selected::Gpu(ctx.clone())),
            (Device::Auto, Some(ctx)) if !ctx.adapter.software => Ok(Selected::Gpu(ctx.clone())),
            (Device::Gpu, _) => Ok(Selected::Gpu(GpuContext::open(true)?)),
            (Device::Auto, _) => match GpuContext::open(false) {
                Ok(ctx) => Ok(Selected::Gpu(ctx)),
                Err(e) => Ok(Selected::Cpu {
                    reason: Some(format!("{e:#}")),
                }),
            },
        }
    }
}
