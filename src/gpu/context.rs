//! The wgpu device the kernels run on: adapter choice, error capture (wgpu reports most
//! failures through a callback; here they become `Result`s), buffer helpers and read-back.

use anyhow::{Context, Result, anyhow, bail};
use std::sync::{Arc, Mutex};
use wgpu::util::DeviceExt;

/// The adapter in words, for notices and benchmark lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdapterSummary {
    pub name: String,
    pub backend: String,
    pub kind: String,
    /// llvmpipe, lavapipe, WARP: a rasteriser running on the CPU.
    pub software: bool,
}

impl std::fmt::Display for AdapterSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}, {})", self.name, self.backend, self.kind)
    }
}

impl AdapterSummary {
    pub fn of(info: &wgpu::AdapterInfo) -> Self {
        AdapterSummary {
            name: info.name.clone(),
            backend: format!("{:?}", info.backend),
            kind: format!("{:?}", info.device_type),
            software: info.device_type == wgpu::DeviceType::Cpu,
        }
    }
}

/// A device, its queue, and the first error wgpu reported on it since the last check.
#[derive(Clone)]
pub struct GpuContext {
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    pub adapter: AdapterSummary,
    /// The device is the app window's renderer's, shared with the model.
    pub shared_with_window: bool,
    error: Arc<Mutex<Option<String>>>,
}

/// Hardware first: a software adapter is the last resort.
fn preference(kind: wgpu::DeviceType) -> u8 {
    match kind {
        wgpu::DeviceType::DiscreteGpu => 0,
        wgpu::DeviceType::IntegratedGpu => 1,
        wgpu::DeviceType::VirtualGpu => 2,
        wgpu::DeviceType::Other => 3,
        wgpu::DeviceType::Cpu => 4,
    }
}

impl GpuContext {
    /// Opens the best adapter wgpu finds (`WGPU_BACKEND` limits the backends). Without
    /// `allow_software`, a software rasteriser is refused: it is slower than the CPU path.
    pub fn open(allow_software: bool) -> Result<Self> {
        let desc = wgpu::InstanceDescriptor::new_without_display_handle_from_env();
        let backends = desc.backends;
        let instance = wgpu::Instance::new(desc);
        let mut adapters = pollster::block_on(instance.enumerate_adapters(backends));
        adapters.sort_by_key(|a| preference(a.get_info().device_type));
        let Some(adapter) = adapters.into_iter().next() else {
            bail!(
                "no GPU adapter found (wgpu saw no Vulkan, Metal or DX12 device{})",
                if cfg!(target_os = "linux") {
                    "; on Linux, Mesa's mesa-vulkan-drivers package provides one"
                } else {
                    ""
                }
            );
        };
        let summary = AdapterSummary::of(&adapter.get_info());
        if summary.software && !allow_software {
            bail!("only a software GPU adapter is available ({summary}): it counts as CPU");
        }
        let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
            label: Some("textchem"),
            required_limits: Self::limits_for(&adapter),
            // Timestamps let `bench --profile` time each kernel; nothing else needs features.
            required_features: adapter.features() & wgpu::Features::TIMESTAMP_QUERY,
            memory_hints: wgpu::MemoryHints::Performance,
            ..Default::default()
        }))
        .with_context(|| format!("cannot open the GPU device {summary}"))?;
        Ok(Self::wrap(device, queue, summary))
    }

    /// The device limits the kernels ask for: everything the adapter offers (large weight
    /// buffers, eight storage buffers per kernel). The app's renderer opens its device with
    /// these too, so the model can share it.
    pub fn limits_for(adapter: &wgpu::Adapter) -> wgpu::Limits {
        adapter.limits()
    }

    /// Wraps the app window's renderer device, so the model and the drawing share one GPU.
    /// wgpu errors on it (the renderer's too) are then reported to the model's next check
    /// instead of wgpu's default handler, which panics.
    pub fn from_window_device(
        device: wgpu::Device,
        queue: wgpu::Queue,
        adapter: AdapterSummary,
    ) -> Self {
        GpuContext {
            shared_with_window: true,
            ..Self::wrap(device, queue, adapter)
        }
    }

    fn wrap(device: wgpu::Device, queue: wgpu::Queue, adapter: AdapterSummary) -> Self {
        let error = Arc::new(Mutex::new(None::<String>));
        let slot = error.clone();
        device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
            let mut slot = slot.lock().unwrap_or_else(|p| p.into_inner());
            slot.get_or_insert_with(|| match e {
                wgpu::Error::OutOfMemory { .. } => "the GPU ran out of memory".to_string(),
                other => format!("GPU error: {other}"),
            });
        }));
        let slot = error.clone();
        device.set_device_lost_callback(move |reason, message| {
            let mut slot = slot.lock().unwrap_or_else(|p| p.into_inner());
            slot.get_or_insert_with(|| format!("the GPU device was lost ({reason:?}): {message}"));
        });
        GpuContext {
            device,
            queue,
            adapter,
            shared_with_window: false,
            error,
        }
    }

    /// The first error wgpu reported since the last check, as an `Err`.
    pub fn check(&self) -> Result<()> {
        let mut slot = self.error.lock().unwrap_or_else(|p| p.into_inner());
        match slot.take() {
            Some(message) => Err(anyhow!(message)),
            None => Ok(()),
        }
    }

    /// Blocks until the queue is idle, then reports any error.
    pub fn wait(&self) -> Result<()> {
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| anyhow!("waiting for the GPU failed: {e}"))?;
        self.check()
    }

    /// Runs `make` inside an out-of-memory error scope: allocation failures come back as
    /// an error naming `what` instead of surfacing later.
    pub fn allocating<T>(&self, what: &str, make: impl FnOnce() -> T) -> Result<T> {
        let scope = self.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let value = make();
        if pollster::block_on(scope.pop()).is_some() {
            bail!("the GPU has not enough memory for {what}");
        }
        self.check()?;
        Ok(value)
    }

    pub fn storage_init(&self, label: &str, data: &[u8]) -> wgpu::Buffer {
        // wgpu refuses zero-sized bindings; an empty tensor still gets one word.
        let data: &[u8] = if data.is_empty() { &[0; 4] } else { data };
        self.device
            .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some(label),
                contents: data,
                usage: wgpu::BufferUsages::STORAGE
                    | wgpu::BufferUsages::COPY_DST
                    | wgpu::BufferUsages::COPY_SRC,
            })
    }

    /// A zeroed storage buffer of `words` 4-byte values.
    pub fn storage(&self, label: &str, words: usize) -> wgpu::Buffer {
        self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(label),
            size: 4 * words.max(1) as u64,
            usage: wgpu::BufferUsages::STORAGE
                | wgpu::BufferUsages::COPY_DST
                | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        })
    }

    /// A uniform of up to 16 words, zero-padded to 16 (the largest parameter struct).
    pub fn uniform(&self, words: &[u32]) -> wgpu::Buffer {
        let mut padded = words.to_vec();
        padded.resize(words.len().div_ceil(4).max(4) * 4, 0);
        self.device
            .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some("params"),
                contents: bytemuck::cast_slice(&padded),
                usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            })
    }

    pub fn staging(&self, bytes: u64) -> wgpu::Buffer {
        self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("read-back"),
            size: bytes.max(4),
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        })
    }

    /// Maps `staging` (already filled by a submitted copy) and returns its first `words`.
    pub fn read_staging<T: bytemuck::Pod>(
        &self,
        staging: &wgpu::Buffer,
        words: usize,
    ) -> Result<Vec<T>> {
        let bytes = (words * std::mem::size_of::<T>()) as u64;
        let slice = staging.slice(..bytes);
        let (tx, rx) = std::sync::mpsc::channel();
        slice.map_async(wgpu::MapMode::Read, move |r| {
            let _ = tx.send(r);
        });
        self.wait()?;
        rx.recv()
            .map_err(|_| anyhow!("the GPU read-back never completed"))?
            .map_err(|e| anyhow!("cannot read GPU results back: {e}"))?;
        let out = {
            let view = slice
                .get_mapped_range()
                .map_err(|e| anyhow!("cannot read GPU results back: {e:?}"))?;
            bytemuck::cast_slice::<u8, T>(&view).to_vec()
        };
        staging.unmap();
        Ok(out)
    }

    /// Copies `words` f32 values of `buffer` to the CPU (tests, one-off reads).
    pub fn read_f32(&self, buffer: &wgpu::Buffer, words: usize) -> Result<Vec<f32>> {
        let staging = self.staging(4 * words as u64);
        let mut enc = self.device.create_command_encoder(&Default::default());
        enc.copy_buffer_to_buffer(buffer, 0, &staging, 0, Some(4 * words as u64));
        self.queue.submit([enc.finish()]);
        self.read_staging(&staging, words)
    }
}
