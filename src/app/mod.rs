//! The desktop app (eframe/egui): one `App` state, panels as functions over it, the model behind
//! a request/event queue so nothing in `logic` or `ui` waits.
//!
//! Here: the `App`, its construction, the handling of model events, card actions and dialog
//! answers, and the `eframe::App` impl. Elsewhere: its state in `state` (persisted vs
//! transient); the panels in `panels` and `planner_panel`; downloads and quantizing in
//! `model_jobs`; history.json writes in `history_saver`; file dialogs in `pending_dialogs` and
//! the files they lead to in `export_actions`; start-up options in `options`; the native window
//! in `window`.

pub mod analysis;
pub mod backend;
pub mod card;
pub mod classify;
pub mod dialogs;
mod export_actions;
pub mod fetch;
mod first_run;
pub mod history;
mod history_saver;
pub mod image_size;
pub mod jobs;
mod model_jobs;
pub mod molecule_search;
mod options;
pub mod painter;
mod panels;
mod pending_dialogs;
pub mod planner;
mod planner_panel;
pub mod screenshot;
pub mod script;
mod state;
mod window;
pub mod worker_backend;

use std::path::PathBuf;
use std::sync::Arc;

use backend::{Event, ModelBackend, ModelChoice, RequestId};
use card::{AnalysisCache, CardAction};
use export_actions::Sources;
use fetch::ModelFetcher;
use history::{Exchange, History, Restored, Status};
use history_saver::HistorySaver;
use jobs::Jobs;
pub use options::{AppOptions, BackendFactory};
use painter::View;
use pending_dialogs::{PendingDialogs, Purpose};
use screenshot::Screenshot;
pub use state::{Busy, ModelSettings, ModelState, Tab};
use state::{Canvas, Chat, Persisted, Transient};
pub use window::run_native;

use crate::model::task::Task;

/// The app: what it saves, what the window shows and waits on, and the services that answer.
pub struct App {
    /// Saved to history.json after each change, restored at start.
    persisted: Persisted,
    /// Everything else the window shows or waits on.
    transient: Transient,
    /// The history changed since its last snapshot went to the saver.
    unsaved: bool,
    /// Writes history.json on its own thread.
    saver: HistorySaver,
    /// The model worker: requests go out, events come back.
    backend: Box<dyn ModelBackend>,
    /// Where catalogue checkpoints are downloaded from.
    fetcher: Arc<dyn ModelFetcher>,
    /// Woken by background work so `logic` picks up its results.
    ctx: egui::Context,
}

impl App {
    /// The app in a window: `cc` gives the egui context and, with the wgpu renderer, the GPU
    /// device the model shares (see `window::window_gpu`).
    pub fn new(cc: &eframe::CreationContext<'_>, options: AppOptions) -> App {
        let ctx = &cc.egui_ctx;
        let window_gpu = cc.wgpu_render_state.as_ref().and_then(window::window_gpu);
        let Restored { history, notice } = History::restore(&options.data_dir);
        let transient = Transient {
            tab: Tab::Chat,
            chat: Chat::default(),
            canvas: Canvas::default(),
            planner: planner::Planner::new(),
            planner_error: None,
            settings: ModelSettings {
                choice: ModelChoice::Catalogue(
                    crate::model::catalogue::Catalogue::builtin()
                        .default
                        .clone(),
                ),
                generate: options.generate,
                dark: ctx.global_style().visuals.dark_mode,
                quantize_to: crate::model::quantize::QuantFormat::default(),
                source_input: String::new(),
                device: crate::runtime::Device::Auto,
            },
            model: ModelState::default(),
            jobs: Jobs::default(),
            dialogs: PendingDialogs::new(options.dialogs, ctx.clone()),
            notice,
            exports_done: std::sync::mpsc::channel(),
            screenshot: options
                .screenshot
                .map(|p| Screenshot::new(p, options.screenshot_frames)),
            script: (!options.script.is_empty()).then(|| script::Script::new(&options.script)),
            cache: AnalysisCache::default(),
            molecule_search: Default::default(),
        };
        let repaint = ctx.clone();
        let saver = HistorySaver::spawn(history.path.clone(), history.extra.clone(), move || {
            repaint.request_repaint()
        });
        let mut app = App {
            persisted: Persisted { history },
            transient,
            unsaved: false,
            saver,
            backend: (options.backend)(ctx, window_gpu),
            fetcher: options.fetcher,
            ctx: ctx.clone(),
        };
        if let Some(smiles) = app.persisted.history.exchanges.last().and_then(main_smiles) {
            app.show_on_canvas(smiles);
        }
        if let Some(choice) = options.initial_model {
            app.transient.settings.choice = choice;
            app.load_model();
        }
        if let Some(folder) = &options.script.model_folder {
            // As typing it into "Model folder or hub id" and pressing Load.
            app.transient.settings.source_input = folder.display().to_string();
            app.load_source();
        }
        if let Some(input) = options.initial_input {
            app.transient.chat.input = input;
            app.send();
        }
        app
    }

    pub fn history(&self) -> &[Exchange] {
        &self.persisted.history.exchanges
    }

    /// The SMILES drawn large in the side panel.
    pub fn canvas_smiles(&self) -> Option<&str> {
        self.transient.canvas.smiles.as_deref()
    }

    pub fn notice(&self) -> Option<&str> {
        self.transient.notice.as_deref()
    }

    /// The task the current input would run as: the one picked, else the one detected (none
    /// while the box is empty).
    pub fn current_task(&self) -> Option<Task> {
        let chat = &self.transient.chat;
        chat.task_override.or_else(|| classify::detect(&chat.input))
    }

    /// The chat shows the first-run panel: no model is loaded yet.
    fn first_run_visible(&self) -> bool {
        self.transient.tab == Tab::Chat && self.transient.model.loaded.is_none()
    }

    /// Sends the message box as a new exchange.
    pub fn send(&mut self) {
        let input = self.transient.chat.input.trim().to_owned();
        if input.is_empty() {
            return;
        }
        let task = self
            .current_task()
            .unwrap_or_else(|| classify::classify(&input));
        self.start(task, &input);
        self.transient.chat.input.clear();
        self.transient.chat.task_override = None;
    }

    /// Records an exchange, checks its SMILES locally and, when the input is sound, asks the
    /// model.
    fn start(&mut self, task: Task, input: &str) {
        let mut x = Exchange::new(self.persisted.history.next_id(), task, input);
        let analysis = card::input_is_smiles(task).then(|| self.transient.cache.get(input));
        let bad_input = analysis.as_ref().is_some_and(|a| a.summary.error.is_some());
        if let Some(a) = &analysis
            && a.drawing.is_some()
        {
            self.show_on_canvas(a.smiles.clone());
        }
        if !bad_input {
            let generate = self.transient.settings.generate;
            let id = self
                .backend
                .generate(task, &classify::model_input(task, input), generate);
            let model = &mut self.transient.model;
            x.status = Status::Running(id);
            x.model = model.loaded.clone();
            // The worker takes requests in order: a later one waits behind the running one.
            if model.busy.is_none() {
                model.busy = Some(Busy::new(id, x.id, generate.max_length));
            }
        }
        // The answer to this request is the one the canvas and the chat follow.
        self.transient.chat.latest = Some(x.id);
        self.transient.chat.scroll_to = Some(x.id);
        self.persisted.history.exchanges.push(x);
        self.unsaved = true;
        self.ctx.request_repaint();
    }

    /// Shows `smiles` large in the side panel, from its default zoom and pan.
    fn show_on_canvas(&mut self, smiles: String) {
        let canvas = &mut self.transient.canvas;
        canvas.smiles = Some(smiles);
        canvas.view = View::default();
    }

    fn exchange_for(&mut self, request: RequestId) -> Option<&mut Exchange> {
        self.persisted
            .history
            .exchanges
            .iter_mut()
            .rev()
            .find(|x| x.status == Status::Running(request))
    }

    /// Applies a model event to the model's state and to the exchange it answers.
    fn handle_event(&mut self, event: Event) {
        let state = &mut self.transient.model;
        match event {
            Event::Loading { id, stage } => state.loading = Some((id, stage)),
            Event::Notice { message, .. } => self.transient.notice = Some(message),
            Event::Loaded { model, device, .. } => {
                state.loading = None;
                state.error = None;
                state.loaded = Some(model);
                state.device = Some(device);
            }
            Event::Progress {
                id,
                step,
                max_steps,
            } => {
                if let Some(b) = state.busy.as_mut().filter(|b| b.request == id) {
                    b.step = step;
                    b.max_steps = max_steps;
                }
            }
            Event::Partial { id, text } => {
                if let Some(b) = state.busy.as_mut().filter(|b| b.request == id) {
                    b.partial = text;
                }
            }
            Event::Finished { id, answer } => {
                let mut shown = None;
                let latest = self.transient.chat.latest;
                if let Some(x) = self.exchange_for(id) {
                    x.results = answer.results.into_iter().map(Into::into).collect();
                    x.model = Some(answer.model);
                    x.status = Status::Done;
                    // An earlier request finishing late must not take the canvas from the
                    // one the user made last.
                    if latest.is_none_or(|l| l == x.id) {
                        shown = main_smiles(x);
                    }
                    let x_id = x.id;
                    self.transient.chat.scroll_to = Some(x_id);
                }
                // The answer's molecule replaces the one shown; the same one keeps its zoom.
                if let Some(smiles) = shown
                    && self.transient.canvas.smiles.as_ref() != Some(&smiles)
                {
                    self.show_on_canvas(smiles);
                }
                self.finish(id);
            }
            Event::Failed { id, message } => {
                if state.loading.as_ref().is_some_and(|l| l.0 == id) {
                    state.loading = None;
                    state.error = Some(message);
                } else if let Some(x) = self.exchange_for(id) {
                    x.status = Status::Failed(message);
                } else {
                    self.transient.model.error = Some(message);
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
        let busy = &mut self.transient.model.busy;
        if busy.as_ref().is_some_and(|b| b.request == id) {
            // The next request in line is the one the worker takes now.
            let max_steps = self.transient.settings.generate.max_length;
            *busy = self
                .persisted
                .history
                .exchanges
                .iter()
                .find_map(|x| match x.status {
                    Status::Running(r) => Some(Busy::new(r, x.id, max_steps)),
                    _ => None,
                });
        }
        self.unsaved = true;
    }

    fn apply(&mut self, action: CardAction) {
        match action {
            CardAction::UseAsInput(s) => {
                self.transient.chat.input = s;
                self.transient.chat.task_override = None;
            }
            CardAction::ShowOnCanvas(s) => self.show_on_canvas(s),
            CardAction::RunAs(id, task) => {
                if let Some(input) = self.exchange(id).map(|x| x.input.clone()) {
                    self.start(task, &input);
                }
            }
            CardAction::Cancel(id) => self.cancel_exchange(id),
            CardAction::SimilarTo(s) => self.transient.chat.similar_to = Some(s),
            CardAction::SaveSdf(smiles) => self
                .transient
                .dialogs
                .ask_save(export_actions::Export::MoleculeSdf(smiles)),
            CardAction::Retry(id) => {
                if let Some((task, input)) = self
                    .exchange(id)
                    .and_then(|x| Some((x.task()?, x.input.clone())))
                {
                    self.start(task, &input);
                }
            }
        }
    }

    fn exchange(&self, id: u64) -> Option<&Exchange> {
        self.persisted.history.exchanges.iter().find(|x| x.id == id)
    }

    /// Cancels the running request of exchange `id`.
    pub fn cancel_exchange(&mut self, id: u64) {
        if let Some(&Status::Running(request)) = self.exchange(id).map(|x| &x.status) {
            self.backend.cancel(request);
        }
    }

    /// Acts on a dialog's answer: writes the export there, or takes the folder as the model.
    fn on_dialog(&mut self, purpose: Purpose, path: PathBuf) {
        let t = &mut self.transient;
        match purpose {
            // Choosing the folder is the request to load it: no second click on Load.
            Purpose::ModelFolder => {
                t.settings.source_input = path.display().to_string();
                t.settings.choice = ModelChoice::Folder(path);
                self.load_model();
            }
            Purpose::Export(export) => {
                let from = Sources {
                    exchanges: &self.persisted.history.exchanges,
                    cache: &mut t.cache,
                    planner: &t.planner,
                };
                match export.prepare(from) {
                    Ok(writer) => {
                        t.notice = Some(format!("saving {}…", path.display()));
                        let done = t.exports_done.0.clone();
                        let ctx = self.ctx.clone();
                        std::thread::spawn(move || {
                            let msg = writer(&path).unwrap_or_else(|e| {
                                format!("could not save {}: {e:#}", path.display())
                            });
                            let _ = done.send(msg);
                            ctx.request_repaint();
                        });
                    }
                    Err(e) => t.notice = Some(format!("could not save {}: {e:#}", path.display())),
                }
            }
        }
    }

    /// Takes path prompt `id`'s typed path (its confirm button): acts on it when it is usable,
    /// else the prompt stays and says why.
    fn submit_prompt(&mut self, id: u64) {
        if let Some((purpose, path)) = self.transient.dialogs.submit(id) {
            self.on_dialog(purpose, path);
        }
    }

    /// Hands the history to the saver when it changed, and reports failed writes.
    fn save_if_changed(&mut self) {
        if std::mem::take(&mut self.unsaved) {
            self.saver.save(self.persisted.history.exchanges.clone());
        }
        if let Some(e) = self.saver.failures().pop() {
            self.transient.notice = Some(format!("could not save history: {e}"));
        }
    }

    /// Hands over the last change and waits until history.json holds it (on exit; tests that
    /// read the file).
    pub fn flush_history(&mut self) {
        self.save_if_changed();
        self.saver.flush();
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
            let t = &mut self.transient;
            if !t
                .planner
                .handle(&event, self.backend.as_mut(), t.settings.generate)
            {
                self.handle_event(event);
            }
        }
        for (purpose, path) in self.transient.dialogs.answers() {
            self.on_dialog(purpose, path);
        }
        while let Ok(msg) = self.transient.exports_done.1.try_recv() {
            self.transient.notice = Some(msg);
        }
        self.poll_jobs();
        self.save_if_changed();
        if let Some(mut script) = self.transient.script.take() {
            script.tick(self, ctx);
            self.transient.script = Some(script);
        }
        let t = &mut self.transient;
        let scripted = t.script.as_ref().is_none_or(|s| s.finished());
        if let Some(shot) = &mut t.screenshot
            && scripted
        {
            shot.tick(ctx, t.model.busy.is_some(), frame.info().cpu_usage);
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let start = std::time::Instant::now();
        panels::top_bar(self, ui);
        panels::path_prompts(self, ui);
        panels::history_panel(self, ui);
        panels::side_panel(self, ui);
        match self.transient.tab {
            Tab::Chat => {
                panels::input_bar(self, ui);
                panels::chat(self, ui);
            }
            Tab::Planner => planner_panel::show(self, ui),
        }
        if let Some(shot) = &mut self.transient.screenshot {
            shot.ui_times.push(start.elapsed().as_secs_f64() * 1e3);
        }
    }

    /// The window is closing: the last change reaches the disk before the process ends.
    fn on_exit(&mut self) {
        self.flush_history();
    }
}

impl Drop for App {
    /// Also without `on_exit` (a test's harness, a failed start): nothing changed is lost.
    fn drop(&mut self) {
        self.flush_history();
    }
}
