//! Scripted runs (`textchem gui --type-model-folder DIR --save-png-typed PNG`): steps taken
//! through the same fields, buttons and typed-path prompts a user takes, one check per frame,
//! so a run without a file-dialog portal (CI's Xvfb) exercises the real window's fallbacks.
//! Each step must finish before a deadline; a step that cannot finish fails the run.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::App;
use super::export_actions::Export;
use super::pending_dialogs::Purpose;

/// What a scripted run does after the window is up.
#[derive(Clone, Debug, Default)]
pub struct ScriptSteps {
    /// Typed into "Model folder or hub id" and loaded with its Load button at start; the run
    /// waits until the model has loaded.
    pub model_folder: Option<PathBuf>,
    /// Save PNG… on the canvas, then this path typed into the prompt that appears when no file
    /// dialog can open; the run waits until the file is written.
    pub save_png: Option<PathBuf>,
    /// How long the steps may take in all.
    pub timeout: Duration,
    /// Where the outcome is written for whoever started the window.
    pub report: ScriptReport,
}

impl ScriptSteps {
    pub fn is_empty(&self) -> bool {
        self.model_folder.is_none() && self.save_png.is_none()
    }
}

/// How a scripted run ended: `None` while unfinished (also when the window closed first),
/// else `Ok` or why it failed.
pub type ScriptReport = Arc<Mutex<Option<Result<(), String>>>>;

enum Step {
    WaitForModel,
    PressSavePng(PathBuf),
    TypePngPath(PathBuf),
    WaitForPng(PathBuf),
    Done,
}

pub struct Script {
    step: Step,
    save_png: Option<PathBuf>,
    deadline: Instant,
    timeout: Duration,
    report: ScriptReport,
}

impl Script {
    /// The model folder, when there is one, is typed in by `App::new` (before the first
    /// message, as `--model` is loaded); the rest runs frame by frame from `tick`.
    pub fn new(steps: &ScriptSteps) -> Script {
        let mut script = Script {
            step: Step::Done,
            save_png: steps.save_png.clone(),
            deadline: Instant::now() + steps.timeout,
            timeout: steps.timeout,
            report: steps.report.clone(),
        };
        script.step = if steps.model_folder.is_some() {
            Step::WaitForModel
        } else {
            script.after_model()
        };
        script
    }

    fn after_model(&mut self) -> Step {
        match self.save_png.take() {
            Some(path) => Step::PressSavePng(path),
            None => Step::Done,
        }
    }

    pub fn finished(&self) -> bool {
        matches!(self.step, Step::Done)
    }

    /// One frame's worth of the script. On failure the report says why and the window closes.
    pub fn tick(&mut self, app: &mut App, ctx: &egui::Context) {
        if self.finished() {
            return;
        }
        match self.advance(app) {
            Ok(()) if self.finished() => *self.report.lock().unwrap() = Some(Ok(())),
            Ok(()) if Instant::now() > self.deadline => self.fail(
                ctx,
                format!(
                    "scripted run: {} not done after {} s",
                    self.waiting_for(),
                    self.timeout.as_secs()
                ),
            ),
            // Frames keep coming while waiting, so the deadline is noticed.
            Ok(()) => ctx.request_repaint_after(Duration::from_millis(100)),
            Err(e) => self.fail(ctx, format!("scripted run: {e}")),
        }
    }

    fn fail(&mut self, ctx: &egui::Context, message: String) {
        *self.report.lock().unwrap() = Some(Err(message));
        self.step = Step::Done;
        ctx.send_viewport_cmd(egui::ViewportCommand::Close);
    }

    fn waiting_for(&self) -> String {
        match &self.step {
            Step::WaitForModel => "loading the typed model folder".to_owned(),
            Step::PressSavePng(_) => "pressing Save PNG…".to_owned(),
            Step::TypePngPath(p) => format!(
                "typing {} into the Save PNG path field (no field appeared: did a file dialog \
                 open? TEXTCHEM_NO_DIALOGS=1 turns dialogs off)",
                p.display()
            ),
            Step::WaitForPng(p) => format!("writing {}", p.display()),
            Step::Done => "nothing".to_owned(),
        }
    }

    /// Moves on as far as this frame allows; an error is a step that cannot succeed.
    fn advance(&mut self, app: &mut App) -> Result<(), String> {
        let t = &mut app.transient;
        match std::mem::replace(&mut self.step, Step::Done) {
            Step::WaitForModel => {
                let model = &t.model;
                let idle = model.loading.is_none() && model.load_after.is_none();
                self.step = match (&model.loaded, &model.error) {
                    (Some(name), _) if idle => {
                        let device = model.device.as_deref().unwrap_or("unknown device");
                        println!("loaded model {name} on {device}");
                        self.after_model()
                    }
                    (None, Some(e)) if idle => {
                        return Err(format!("the model did not load: {e}"));
                    }
                    _ => Step::WaitForModel,
                };
            }
            Step::PressSavePng(path) => {
                // The button shows only under a drawing; it asks as the button does.
                let smiles = t
                    .canvas
                    .smiles
                    .clone()
                    .filter(|s| t.cache.get(s).drawing.is_some())
                    .ok_or("nothing on the canvas to save (give --input a SMILES)")?;
                let size = t.canvas.image_size;
                t.dialogs.ask_save(Export::MoleculePng(smiles, size));
                self.step = Step::TypePngPath(path);
            }
            Step::TypePngPath(path) => {
                let prompt = t
                    .dialogs
                    .prompts
                    .iter_mut()
                    .find(|p| matches!(p.purpose, Purpose::Export(Export::MoleculePng(..))));
                let Some(prompt) = prompt else {
                    self.step = Step::TypePngPath(path);
                    return Ok(());
                };
                prompt.text = path.display().to_string();
                let id = prompt.id;
                app.submit_prompt(id);
                if let Some(p) = app.transient.dialogs.prompts.iter().find(|p| p.id == id) {
                    let why = p.error.as_deref().unwrap_or("no reason given");
                    return Err(format!("the Save PNG path field refused it: {why}"));
                }
                self.step = Step::WaitForPng(path);
            }
            Step::WaitForPng(path) => {
                let notice = t.notice.as_deref().unwrap_or("");
                if notice.starts_with("could not save") {
                    return Err(notice.to_owned());
                }
                let written = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
                self.step = if notice.starts_with("saved ") && written > 0 {
                    println!("saved PNG {} ({written} bytes)", path.display());
                    Step::Done
                } else {
                    Step::WaitForPng(path)
                };
            }
            Step::Done => {}
        }
        Ok(())
    }
}
