//! The desktop app (eframe/egui): one `App` state, panels as functions over it, the model behind
//! a request/event queue so nothing in `logic` or `ui` waits.

pub mod analysis;
pub mod backend;
pub mod card;
pub mod classify;
pub mod dialogs;
mod export_actions;
pub mod fetch;
pub mod history;
pub mod jobs;
pub mod painter;
mod panels;
mod pending_dialogs;
pub mod planner;
mod planner_panel;
pub mod screenshot;
mod window;
pub mod worker_backend;

use std::path::PathBuf;
use std::sync::Arc;

use backend::{Event, GenerateOptions, ModelBackend, ModelChoice, RequestId};
use card::{AnalysisCache, CardAction};
use dialogs::{FileDialogs, NativeDialogs};
use export_actions::Sources;
use fetch::{FetchProgress, ModelFetcher};
use history::{Exchange, History, Status};
use jobs::{End, JobId, Jobs, Outcome};
use painter::View;
use pending_dialogs::{PendingDialogs, Purpose};
use screenshot::Screenshot;
pub use window::run_native;

use crate::gpu::GpuContext;
use crate::model::task::Task;

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

/// The central view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Chat,
    Planner,
}

/// Settings of the model panel.
pub struct ModelSettings {
    pub choice: ModelChoice,
    pub generate: GenerateOptions,
    pub dark: bool,
    /// The format the Quantize button writes.
    pub quantize_to: crate::model::quantize::QuantFormat,
    /// Where the next load puts the model (auto: a hardware GPU when there is one).
    pub device: crate::runtime::Device,
}

/// The model's state as the last events described it.
#[derive(Default)]
pub struct ModelState {
    pub loaded: Option<String>,
    /// Where the loaded model runs: "CPU" or "GPU: <adapter>".
    pub device: Option<String>,
    pub loading: Option<(RequestId, String)>,
    pub error: Option<String>,
    /// The running generation: (request, exchange, step, max steps, partial text).
    pub busy: Option<Busy>,
}

pub struct Busy {
    pub request: RequestId,
    pub exchange: u64,
    pub step: usize,
    pub max_steps: usize,
    pub partial: String,
}

pub struct App {
    history: History,
    cache: AnalysisCache,
    /// The message box.
    input: String,
    /// The task the user picked for the current input; `None` follows the classifier.
    task_override: Option<Task>,
    search: String,
    /// An exchange picked in the history panel, shown above the chat.
    focus: Option<u64>,
    /// The SMILES shown large on the canvas.
    canvas_smiles: Option<String>,
    canvas_view: View,
    settings: ModelSettings,
    model: ModelState,
    backend: Box<dyn ModelBackend>,
    /// File dialogs asked for and not yet answered.
    dialogs: PendingDialogs,
    /// One line telling the user what just happened (exported, saved, failed to save).
    notice: Option<String>,
    screenshot: Option<Screenshot>,
    tab: Tab,
    planner: planner::Planner,
    planner_error: Option<String>,
    /// Downloads and quantizations running beside the model worker.
    jobs: Jobs,
    fetcher: Arc<dyn ModelFetcher>,
    /// The download whose checkpoint is loaded once it is on disk.
    load_after: Option<JobId>,
    dirty: bool,
    ctx: egui::Context,
}

impl App {
    /// The app in a window: `cc` gives the egui context and, with the wgpu renderer, the GPU
    /// device the model shares (see `window::window_gpu`).
    pub fn new(cc: &eframe::CreationContext<'_>, options: AppOptions) -> App {
        let ctx = &cc.egui_ctx;
        let window_gpu = cc.wgpu_render_state.as_ref().and_then(window::window_gpu);
        let (history, notice) = match History::load(&options.data_dir) {
            Ok(h) => (h, None),
            Err(e) => (
                History {
                    path: options.data_dir.join("history.json"),
                    exchanges: Vec::new(),
                },
                // Keep the unreadable file: saving goes to the same path only after a change.
                Some(format!("could not restore history: {e:#}")),
            ),
        };
        let mut app = App {
            history,
            cache: AnalysisCache::default(),
            input: String::new(),
            task_override: None,
            search: String::new(),
            focus: None,
            canvas_smiles: None,
            canvas_view: View::default(),
            settings: ModelSettings {
                choice: ModelChoice::Catalogue(
                    crate::model::catalogue::Catalogue::builtin()
                        .default
                        .clone(),
                ),
                generate: options.generate,
                dark: ctx.global_style().visuals.dark_mode,
                quantize_to: crate::model::quantize::QuantFormat::default(),
                device: crate::runtime::Device::Auto,
            },
            model: ModelState::default(),
            backend: (options.backend)(ctx, window_gpu),
            dialogs: PendingDialogs::new(options.dialogs, ctx.clone()),
            notice,
            screenshot: options
                .screenshot
                .map(|p| Screenshot::new(p, options.screenshot_frames)),
            tab: Tab::Chat,
            planner: planner::Planner::new(),
            planner_error: None,
            jobs: Jobs::default(),
            fetcher: options.fetcher,
            load_after: None,
            dirty: false,
            ctx: ctx.clone(),
        };
        if let Some(last) = app.history.exchanges.last() {
            app.canvas_smiles = main_smiles(last);
        }
        if let Some(choice) = options.initial_model {
            app.settings.choice = choice;
            app.load_model();
        }
        if let Some(input) = options.initial_input {
            app.input = input;
            app.send();
        }
        app
    }

    pub fn history(&self) -> &[Exchange] {
        &self.history.exchanges
    }

    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
    }

    /// The task the current input would run as: the one picked, else the one detected (none
    /// while the box is empty).
    pub fn current_task(&self) -> Option<Task> {
        self.task_override.or_else(|| classify::detect(&self.input))
    }

    /// Sends the message box as a new exchange.
    pub fn send(&mut self) {
        let input = self.input.trim().to_owned();
        if input.is_empty() {
            return;
        }
        let task = self
            .current_task()
            .unwrap_or_else(|| classify::classify(&input));
        self.start(task, &input);
        self.input.clear();
        self.task_override = None;
    }

    /// Records an exchange, checks its SMILES locally and, when the input is sound, asks the
    /// model.
    fn start(&mut self, task: Task, input: &str) {
        let mut x = Exchange::new(self.history.next_id(), task, input);
        let analysis = card::input_is_smiles(task).then(|| self.cache.get(input));
        let bad_input = analysis.as_ref().is_some_and(|a| a.summary.error.is_some());
        if let Some(a) = &analysis
            && a.drawing.is_some()
        {
            self.canvas_smiles = Some(a.smiles.clone());
            self.canvas_view = View::default();
        }
        if !bad_input {
            let id = self.backend.generate(
                task,
                &classify::model_input(task, input),
                self.settings.generate,
            );
            x.status = Status::Running(id);
            x.model = self.model.loaded.clone();
            self.model.busy = Some(Busy {
                request: id,
                exchange: x.id,
                step: 0,
                max_steps: self.settings.generate.max_length,
                partial: String::new(),
            });
        }
        self.history.exchanges.push(x);
        self.dirty = true;
        self.ctx.request_repaint();
    }

    fn exchange_for(&mut self, request: RequestId) -> Option<&mut Exchange> {
        self.history
            .exchanges
            .iter_mut()
            .rev()
            .find(|x| x.status == Status::Running(request))
    }

    fn handle_event(&mut self, event: Event) {
        match event {
            Event::Loading { id, stage } => self.model.loading = Some((id, stage)),
            Event::Notice { message, .. } => self.notice = Some(message),
            Event::Loaded { model, device, .. } => {
                self.model.loading = None;
                self.model.error = None;
                self.model.loaded = Some(model);
                self.model.device = Some(device);
            }
            Event::Progress {
                id,
                step,
                max_steps,
            } => {
                if let Some(b) = self.model.busy.as_mut().filter(|b| b.request == id) {
                    b.step = step;
                    b.max_steps = max_steps;
                }
            }
            Event::Partial { id, text } => {
                if let Some(b) = self.model.busy.as_mut().filter(|b| b.request == id) {
                    b.partial = text;
                }
            }
            Event::Finished { id, answer } => {
                if let Some(x) = self.exchange_for(id) {
                    x.results = answer.results.into_iter().map(Into::into).collect();
                    x.model = Some(answer.model);
                    x.status = Status::Done;
                    let first = main_smiles(x);
                    if first.is_some() {
                        self.canvas_smiles = first;
                    }
                }
                self.finish(id);
            }
            Event::Failed { id, message } => {
                if self.model.loading.as_ref().is_some_and(|l| l.0 == id) {
                    self.model.loading = None;
                    self.model.error = Some(message);
                } else if let Some(x) = self.exchange_for(id) {
                    x.status = Status::Failed(message);
                } else {
                    self.model.error = Some(message);
                }
                self.finish(id);
            }
            Event::Cancelled { id } => {
                if let Some(x) = self.exchange_for(id) {
                    x.status = Status::Cancelled;
                }
                self.finish(id);
            }
        }
    }

    fn finish(&mut self, id: RequestId) {
        if self.model.busy.as_ref().is_some_and(|b| b.request == id) {
            self.model.busy = None;
        }
        self.dirty = true;
    }

    fn apply(&mut self, action: CardAction) {
        match action {
            CardAction::UseAsInput(s) => {
                self.input = s;
                self.task_override = None;
            }
            CardAction::ShowOnCanvas(s) => {
                self.canvas_smiles = Some(s);
                self.canvas_view = View::default();
            }
            CardAction::RunAs(id, task) => {
                if let Some(input) = self
                    .history
                    .exchanges
                    .iter()
                    .find(|x| x.id == id)
                    .map(|x| x.input.clone())
                {
                    self.start(task, &input);
                }
            }
            CardAction::Cancel(id) => self.cancel_exchange(id),
        }
    }

    /// Cancels the running request of exchange `id`.
    pub fn cancel_exchange(&mut self, id: u64) {
        if let Some(Status::Running(request)) = self
            .history
            .exchanges
            .iter()
            .find(|x| x.id == id)
            .map(|x| x.status.clone())
        {
            self.backend.cancel(request);
        }
    }

    /// Acts on a dialog's answer: writes the export there, or takes the folder as the model.
    fn on_dialog(&mut self, purpose: Purpose, path: PathBuf) {
        match purpose {
            Purpose::ModelFolder => self.settings.choice = ModelChoice::Folder(path),
            Purpose::Export(export) => {
                let from = Sources {
                    exchanges: &self.history.exchanges,
                    cache: &mut self.cache,
                    planner: &self.planner,
                };
                self.notice = Some(match export.write(&path, from) {
                    Ok(msg) => msg,
                    Err(e) => format!("failed: {e:#}"),
                });
            }
        }
    }

    /// Loads the chosen model: a folder at once, a catalogue model once a download job has
    /// put its files in the cache (at once when they are there already).
    fn load_model(&mut self) {
        self.model.error = None;
        match self.settings.choice.clone() {
            ModelChoice::Catalogue(name) => {
                let job = self.spawn_fetch(&name, |_, name, folder| {
                    Ok(Outcome::Downloaded { name, folder })
                });
                self.load_after = Some(job);
            }
            choice @ ModelChoice::Folder(_) => self.load_now(choice),
        }
    }

    fn load_now(&mut self, choice: ModelChoice) {
        let id = self.backend.load(choice, self.settings.device);
        self.model.loading = Some((id, "starting".into()));
        self.ctx.request_repaint();
    }

    /// Starts a job that fetches catalogue model `name` with progress and cancel, then runs
    /// `then` on its folder.
    fn spawn_fetch(
        &mut self,
        name: &str,
        then: impl FnOnce(&jobs::Reporter, String, PathBuf) -> anyhow::Result<Outcome> + Send + 'static,
    ) -> JobId {
        let fetcher = Arc::clone(&self.fetcher);
        let name = name.to_owned();
        self.jobs
            .spawn(format!("Downloading {name}"), self.waker(), move |r| {
                r.stage("checking the cache", true);
                let folder = fetcher.fetch(&name, &mut |p: FetchProgress<'_>| {
                    r.stage_progress(p.file, p.done, p.total);
                    if r.cancelled() {
                        std::ops::ControlFlow::Break(())
                    } else {
                        std::ops::ControlFlow::Continue(())
                    }
                })?;
                then(r, name, folder)
            })
    }

    /// Writes a quantized copy of the chosen checkpoint beside its weights (fetching a
    /// catalogue model first), then reloads the model if one is loaded.
    fn quantize(&mut self) {
        use crate::model::quantize::quantize_dir;
        let format = self.settings.quantize_to;
        let fmt_name = format.name();
        let work = move |r: &jobs::Reporter, folder: PathBuf| -> anyhow::Result<Outcome> {
            r.stage(format!("writing {fmt_name} weights"), false);
            let report = quantize_dir(&folder, format)?;
            let mb = |b: u64| b as f64 / 1e6;
            let mut summary = format!(
                "{} matrices to {fmt_name}: {} ({:.1} MB to {:.1} MB)",
                report.quantized,
                report.output.display(),
                mb(report.source_bytes),
                mb(report.output_bytes)
            );
            if !report.fallbacks.is_empty() {
                summary.push_str(&format!("; kept wider: {}", report.fallbacks.join(", ")));
            }
            Ok(Outcome::Quantized { folder, summary })
        };
        match self.settings.choice.clone() {
            ModelChoice::Catalogue(name) => {
                self.spawn_fetch(&name, move |r, _, folder| work(r, folder));
            }
            ModelChoice::Folder(folder) => {
                let title = format!("Quantizing {}", folder.display());
                self.jobs
                    .spawn(title, self.waker(), move |r| work(r, folder));
            }
        }
    }

    fn waker(&self) -> Arc<dyn Fn() + Send + Sync> {
        let ctx = self.ctx.clone();
        Arc::new(move || ctx.request_repaint())
    }

    /// Applies the jobs' reports and what the finished ones produced.
    fn poll_jobs(&mut self) {
        for (id, title, end) in self.jobs.poll() {
            let load = self.load_after == Some(id);
            if load {
                self.load_after = None;
            }
            match end {
                End::Done(Outcome::Downloaded { name, .. }) => {
                    // The worker finds the files in the cache now, and names the model by its
                    // hub id.
                    if load {
                        self.load_now(ModelChoice::Catalogue(name));
                    }
                }
                End::Done(Outcome::Quantized { summary, .. }) => {
                    self.notice = Some(format!("quantized {summary}"));
                    if self.model.loaded.is_some() {
                        self.load_model();
                    }
                }
                End::Failed(m) => self.model.error = Some(format!("{title}: {m}")),
                End::Cancelled => self.notice = Some(format!("{title}: cancelled")),
            }
        }
    }

    /// Saves the history when it changed (atomically; see `History::save`).
    fn save_if_dirty(&mut self) {
        if self.dirty {
            self.dirty = false;
            if let Err(e) = self.history.save() {
                self.notice = Some(format!("could not save history: {e:#}"));
            }
        }
    }
}

/// The SMILES an exchange is about: its first valid SMILES answer, else its SMILES input.
fn main_smiles(x: &Exchange) -> Option<String> {
    let task = x.task()?;
    if task.output_kind() == crate::model::task::OutputKind::Smiles
        && let Some(r) = x.results.iter().find(|r| r.valid != Some(false))
    {
        return Some(r.text.clone());
    }
    card::input_is_smiles(task).then(|| x.input.clone())
}

impl eframe::App for App {
    fn logic(&mut self, ctx: &egui::Context, frame: &mut eframe::Frame) {
        while let Some(event) = self.backend.try_recv() {
            if !self
                .planner
                .handle(&event, self.backend.as_mut(), self.settings.generate)
            {
                self.handle_event(event);
            }
        }
        for (purpose, path) in self.dialogs.answers() {
            self.on_dialog(purpose, path);
        }
        self.poll_jobs();
        self.save_if_dirty();
        if let Some(shot) = &mut self.screenshot {
            shot.tick(ctx, self.model.busy.is_some(), frame.info().cpu_usage);
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let start = std::time::Instant::now();
        panels::top_bar(self, ui);
        panels::history_panel(self, ui);
        panels::side_panel(self, ui);
        match self.tab {
            Tab::Chat => {
                panels::input_bar(self, ui);
                panels::chat(self, ui);
            }
            Tab::Planner => planner_panel::show(self, ui),
        }
        if let Some(shot) = &mut self.screenshot {
            shot.ui_times.push(start.elapsed().as_secs_f64() * 1e3);
        }
    }
}
