//! Loading and quantizing the chosen model. A catalogue model is downloaded first, as a job with
//! progress and Cancel; quantizing runs as a job too. When a job ends, its outcome loads the
//! model or tells the user what was written.

use std::path::PathBuf;
use std::sync::Arc;

use super::App;
use super::backend::ModelChoice;
use super::fetch::FetchProgress;
use super::jobs::{End, JobId, Outcome, Reporter};

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
                End::Done(Outcome::Downloaded { name, .. }) => {
                    // The files are in the cache: the worker finds them there and names the
                    // model by its hub id.
                    if load {
                        self.load_now(ModelChoice::Catalogue(name));
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
