//! Loading and quantizing the chosen model. A catalogue model is downloaded first, as a job with
//! progress and Cancel; quantizing runs as a job too. When a job ends, its outcome loads the
//! model or tells the user what was written.

use std::path::PathBuf;
use std::sync::Arc;

use super::App;
use super::backend::ModelChoice;
use super::fetch::FetchProgress;
use super::jobs::{End, JobId, Outcome, Reporter};
use super::pending_dialogs::expand_home;
use crate::model::catalogue::Catalogue;

/// What a typed model source means: an existing folder, a catalogue name or hub id, or any
/// other hub id (`owner/name`, fetched at its main revision).
pub fn choice_from_text(text: &str) -> Result<ModelChoice, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("type a checkpoint folder or a hub id first".into());
    }
    let path = expand_home(text);
    if path.is_dir() {
        return Ok(ModelChoice::Folder(path));
    }
    if let Some(m) = Catalogue::builtin().find(text) {
        return Ok(ModelChoice::Catalogue(m.name.clone()));
    }
    let hub_id = text.split('/').count() == 2
        && !text.starts_with(['/', '.', '~'])
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c));
    if hub_id {
        Ok(ModelChoice::Catalogue(text.to_owned()))
    } else {
        Err(format!(
            "{text}: no such folder, and not a catalogue name or hub id (owner/name)"
        ))
    }
}

impl App {
    /// Loads the chosen model: a folder at once, a catalogue model once a download job has
    /// put its files in the cache (at once when they are there already).
    pub(super) fn load_model(&mut self) {
        self.transient.model.error = None;
        match self.transient.settings.choice.clone() {
            ModelChoice::Catalogue(name) => {
                let job = self.spawn_fetch(&name, |_, name, folder| {
                    Ok(Outcome::Downloaded { name, folder })
                });
                self.transient.model.load_after = Some(job);
            }
            choice @ ModelChoice::Folder(_) => self.load_now(choice),
        }
    }

    /// Loads what the "Model folder or hub id" field names (see `choice_from_text`).
    pub(super) fn load_source(&mut self) {
        match choice_from_text(&self.transient.settings.source_input) {
            Ok(choice) => {
                self.transient.settings.choice = choice;
                self.load_model();
            }
            Err(e) => self.transient.model.error = Some(e),
        }
    }

    fn load_now(&mut self, choice: ModelChoice) {
        let id = self.backend.load(choice, self.transient.settings.device);
        self.transient.model.loading = Some((id, "starting".into()));
        self.ctx.request_repaint();
    }

    /// Starts a job that fetches catalogue model `name` with progress and cancel, then runs
    /// `then` on its folder.
    fn spawn_fetch(
        &mut self,
        name: &str,
        then: impl FnOnce(&Reporter, String, PathBuf) -> anyhow::Result<Outcome> + Send + 'static,
    ) -> JobId {
        let fetcher = Arc::clone(&self.fetcher);
        let name = name.to_owned();
        let wake = self.waker();
        self.transient
            .jobs
            .spawn(format!("Downloading {name}"), wake, move |r| {
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
    pub(super) fn quantize(&mut self) {
        use crate::model::quantize::quantize_dir;
        let format = self.transient.settings.quantize_to;
        let fmt_name = format.name();
        let work = move |r: &Reporter, folder: PathBuf| -> anyhow::Result<Outcome> {
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
        match self.transient.settings.choice.clone() {
            ModelChoice::Catalogue(name) => {
                self.spawn_fetch(&name, move |r, _, folder| work(r, folder));
            }
            ModelChoice::Folder(folder) => {
                let title = format!("Quantizing {}", folder.display());
                let wake = self.waker();
                self.transient
                    .jobs
                    .spawn(title, wake, move |r| work(r, folder));
            }
        }
    }

    fn waker(&self) -> Arc<dyn Fn() + Send + Sync> {
        let ctx = self.ctx.clone();
        Arc::new(move || ctx.request_repaint())
    }

    /// Applies the jobs' reports and what the finished ones produced.
    pub(super) fn poll_jobs(&mut self) {
        for (id, title, end) in self.transient.jobs.poll() {
            let load = self.transient.model.load_after == Some(id);
            if load {
                self.transient.model.load_after = None;
            }
            match end {
                End::Done(Outcome::Downloaded { name, folder }) => {
                    // The files are in the cache: the worker finds them there and names the
                    // model by its hub id.
                    // A hub id outside the catalogue loads from the folder it was fetched to.
                    if load {
                        let known = Catalogue::builtin().find(&name).is_some();
                        self.load_now(if known {
                            ModelChoice::Catalogue(name)
                        } else {
                            ModelChoice::Folder(folder)
                        });
                    }
                }
                End::Done(Outcome::Quantized { summary, .. }) => {
                    self.transient.notice = Some(format!("quantized {summary}"));
                    if self.transient.model.loaded.is_some() {
                        self.load_model();
                    }
                }
                End::Failed(m) => self.transient.model.error = Some(format!("{title}: {m}")),
                End::Cancelled => self.transient.notice = Some(format!("{title}: cancelled")),
            }
        }
    }
}
