//! The native window: eframe with the wgpu renderer set up so the model can share its GPU device.

use std::sync::Arc;

use super::{App, AppOptions};
use crate::gpu::{AdapterSummary, GpuContext};

/// Opens the window and runs until it is closed.
pub fn run_native(options: AppOptions) -> anyhow::Result<()> {
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("textchem")
            .with_inner_size([1280.0, 800.0]),
        wgpu_options: renderer_for_compute(),
        ..Default::default()
    };
    eframe::run_native(
        "textchem",
        native,
        Box::new(move |cc| Ok(Box::new(App::new(cc, options)))),
    )
    .map_err(|e| anyhow::anyhow!("could not open the window: {e}"))
}

/// The renderer's GPU device for the model to share, unless it is OpenGL (the kernels
/// are written for Vulkan, Metal and DX12).
pub(super) fn window_gpu(render: &eframe::egui_wgpu::RenderState) -> Option<GpuContext> {
    let info = render.adapter.get_info();
    (info.backend != wgpu::Backend::Gl).then(|| {
        GpuContext::from_window_device(
            render.device.clone(),
            render.queue.clone(),
            AdapterSummary::of(&info),
        )
    })
}

/// eframe's wgpu setup with the device limits the model's kernels ask for, so the worker can
/// share the renderer's device instead of opening a second one on the same GPU.
fn renderer_for_compute() -> eframe::egui_wgpu::WgpuConfiguration {
    use eframe::egui_wgpu::{WgpuConfiguration, WgpuSetup, WgpuSetupCreateNew};
    let mut setup = WgpuSetupCreateNew::without_display_handle();
    let drawing = Arc::clone(&setup.device_descriptor);
    setup.device_descriptor = Arc::new(move |adapter| {
        let mut desc = drawing(adapter);
        if adapter.get_info().backend != wgpu::Backend::Gl {
            desc.required_limits = GpuContext::limits_for(adapter);
        }
        desc
    });
    WgpuConfiguration {
        wgpu_setup: WgpuSetup::CreateNew(setup),
        ..Default::default()
    }
}
