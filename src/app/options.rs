//! How the app is started: where its data lives, what it does first, and the services it uses
//! (dialogs, model backend, checkpoint source), which tests replace with stand-ins.

use std::path::PathBuf;
use std::sync::Arc;

use super::backend::{GenerateOptions, ModelBackend, ModelChoice};
use super::dialogs::{FileDialogs, NativeDialogs};
use super::fetch::{self, ModelFetcher};
use super::script::ScriptSteps;
use super::{history, screenshot, worker_backend};
use crate::gpu::GpuContext;

/// Builds the model backend once the window's context exists (the worker wakes the UI through
/// it), given the renderer's GPU device to share when it draws with wgpu.
pub type BackendFactory =
    Box<dyn FnOnce(&egui::Context, Option<GpuContext>) -> Box<dyn ModelBackend>>;

/// How the app is started.
pub struct AppOptions {
    /// Where history.json lives (see `history::data_dir`).
    pub data_dir: PathBuf,
    /// Sent as the first message once the window is up.
    pub initial_input: Option<String>,
    /// Loaded at start, before the first message is sent.
    pub initial_model: Option<ModelChoice>,
    /// Beams and max length the model settings start with.
    pub generate: GenerateOptions,
    /// Save a screenshot here after the first frames, then close.
    pub screenshot: Option<PathBuf>,
    /// Frames to draw before the screenshot; above the default, frame times are printed.
    pub screenshot_frames: u32,
    /// Scripted steps taken through the UI after start (before the screenshot), and where
    /// their outcome is reported.
    pub script: ScriptSteps,
    pub dialogs: Box<dyn FileDialogs>,
    pub backend: BackendFactory,
    /// Where catalogue checkpoints are downloaded from (the hub; a stand-in in tests).
    pub fetcher: Arc<dyn ModelFetcher>,
}

impl AppOptions {
    /// The desktop defaults: user data directory, native dialogs, the model worker thread.
    pub fn desktop() -> AppOptions {
        AppOptions {
            data_dir: history::data_dir(),
            initial_input: None,
            initial_model: None,
            generate: GenerateOptions::default(),
            screenshot: None,
            screenshot_frames: screenshot::SETTLE_FRAMES,
            script: ScriptSteps::default(),
            dialogs: Box::new(NativeDialogs),
            fetcher: Arc::new(fetch::HubFetcher),
            backend: Box::new(|ctx, window| {
                let ctx = ctx.clone();
                Box::new(worker_backend::WorkerBackend::spawn(
                    move || ctx.request_repaint(),
                    window,
                ))
            }),
        }
    }
}
