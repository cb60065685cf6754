//! Long chores beside the model worker (downloading a checkpoint, quantizing one), run as jobs
//! in the manner of objdiff's job system: each runs on its own thread, reports its stage and
//! progress through a channel and wakes the UI, and can be asked to stop. `logic` polls them and
//! never waits.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};

pub type JobId = u64;

/// What a finished job produced.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// A checkpoint is on disk in this folder (downloaded or found in the cache).
    Downloaded { name: String, folder: PathBuf },
    /// A quantized copy was written; `folder` holds it, `summary` says what was done.
    Quantized { folder: PathBuf, summary: String },
}

/// How a job ended.
#[derive(Clone, Debug, PartialEq)]
pub enum End {
    Done(Outcome),
    Failed(String),
    Cancelled,
}

enum Update {
    Stage {
        message: String,
        cancellable: bool,
    },
    StageProgress {
        message: String,
        done: u64,
        total: u64,
    },
    End(End),
}

/// A running job as the interface shows it.
pub struct Job {
    pub id: JobId,
    pub title: String,
    /// What it is doing (the file being fetched...).
    pub stage: String,
    /// Bytes (or steps) done and expected; `None` until known (an indeterminate bar).
    pub progress: Option<(u64, u64)>,
    /// Whether Cancel can stop the current stage.
    pub cancellable: bool,
    /// Cancel was asked for; the job ends at its next check.
    pub cancelling: bool,
    /// When the current stage's progress began and how far it was: the speed's baseline.
    rate_from: Option<(std::time::Instant, u64)>,
    cancel: Arc<AtomicBool>,
    rx: Receiver<Update>,
}

impl Job {
    /// Share of the work done, when known.
    pub fn fraction(&self) -> Option<f32> {
        self.progress
            .filter(|&(_, total)| total > 0)
            .map(|(done, total)| (done as f64 / total as f64).min(1.0) as f32)
    }

    /// Units (bytes) per second since the current stage's progress began, once measurable.
    pub fn speed(&self) -> Option<f64> {
        let (since, from) = self.rate_from?;
        let (done, _) = self.progress?;
        let secs = since.elapsed().as_secs_f64();
        (secs > 0.2 && done > from).then(|| (done - from) as f64 / secs)
    }
}

/// The job's side: reports progress and reads the cancel flag.
pub struct Reporter {
    tx: Sender<Update>,
    cancel: Arc<AtomicBool>,
    wake: Arc<dyn Fn() + Send + Sync>,
}

impl Reporter {
    pub fn stage(&self, message: impl Into<String>, cancellable: bool) {
        self.send(Update::Stage {
            message: message.into(),
            cancellable,
        });
    }

    /// A stage with known progress (a file being downloaded): cancellable.
    pub fn stage_progress(&self, message: &str, done: u64, total: u64) {
        self.send(Update::StageProgress {
            message: message.to_owned(),
            done,
            total,
        });
    }

    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    fn send(&self, u: Update) {
        if self.tx.send(u).is_ok() {
            (self.wake)();
        }
    }
}

/// The running jobs.
#[derive(Default)]
pub struct Jobs {
    running: Vec<Job>,
    next: JobId,
}

impl Jobs {
    /// Starts `work` on its own thread; `wake` runs after each of its reports (the app
    /// repaints). A job that fails after Cancel was asked for ends as cancelled.
    pub fn spawn(
        &mut self,
        title: impl Into<String>,
        wake: Arc<dyn Fn() + Send + Sync>,
        work: impl FnOnce(&Reporter) -> anyhow::Result<Outcome> + Send + 'static,
    ) -> JobId {
        self.next += 1;
        let (tx, rx) = channel();
        let cancel = Arc::new(AtomicBool::new(false));
        let reporter = Reporter {
            tx,
            cancel: Arc::clone(&cancel),
            wake,
        };
        let title = title.into();
        std::thread::Builder::new()
            .name(format!("textchem-job-{}", self.next))
            .spawn(move || {
                let result =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&reporter)));
                let end = match result {
                    Ok(Ok(outcome)) => End::Done(outcome),
                    Ok(Err(_)) if reporter.cancelled() => End::Cancelled,
                    Ok(Err(e)) => End::Failed(format!("{e:#}")),
                    Err(_) => End::Failed("the job panicked".into()),
                };
                reporter.send(Update::End(end));
            })
            .expect("the OS refused to start a job thread");
        self.running.push(Job {
            id: self.next,
            title,
            stage: String::new(),
            progress: None,
            cancellable: true,
            cancelling: false,
            rate_from: None,
            cancel,
            rx,
        });
        self.next
    }

    /// Applies the jobs' reports; returns the jobs that ended (and forgets them).
    pub fn poll(&mut self) -> Vec<(JobId, String, End)> {
        let mut ended = Vec::new();
        for job in &mut self.running {
            while let Ok(u) = job.rx.try_recv() {
                match u {
                    Update::Stage {
                        message,
                        cancellable,
                    } => {
                        job.stage = message;
                        job.cancellable = cancellable;
                        job.progress = None;
                        job.rate_from = None;
                    }
                    Update::StageProgress {
                        message,
                        done,
                        total,
                    } => {
                        // A new file restarts the speed's measurement.
                        if job.stage != message || job.rate_from.is_none() {
                            job.rate_from = Some((std::time::Instant::now(), done));
                        }
                        job.stage = message;
                        job.cancellable = true;
                        job.progress = Some((done, total));
                    }
                    Update::End(end) => {
                        ended.push((job.id, job.title.clone(), end));
                        break;
                    }
                }
            }
        }
        self.running
            .retain(|j| !ended.iter().any(|(id, _, _)| *id == j.id));
        ended
    }

    pub fn cancel(&mut self, id: JobId) {
        if let Some(job) = self.running.iter_mut().find(|j| j.id == id) {
            job.cancel.store(true, Ordering::Relaxed);
            job.cancelling = true;
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &Job> {
        self.running.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.running.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn wait_end(jobs: &mut Jobs) -> (String, End) {
        let start = Instant::now();
        loop {
            if let Some((_, title, end)) = jobs.poll().pop() {
                return (title, end);
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "the job never ended"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn jobs_report_progress_and_end_and_cancel_stops_them() {
        let mut jobs = Jobs::default();
        let wake: Arc<dyn Fn() + Send + Sync> = Arc::new(|| {});
        let (go, wait) = channel::<()>();
        let id = jobs.spawn("count", Arc::clone(&wake), move |r| {
            r.stage_progress("counting", 1, 4);
            wait.recv().ok();
            Ok(Outcome::Quantized {
                folder: PathBuf::from("x"),
                summary: "4".into(),
            })
        });
        let start = Instant::now();
        while jobs.iter().next().unwrap().progress.is_none() {
            assert!(start.elapsed() < Duration::from_secs(30));
            assert!(jobs.poll().is_empty());
        }
        let job = jobs.iter().next().unwrap();
        assert_eq!(
            (job.id, job.stage.as_str(), job.fraction()),
            (id, "counting", Some(0.25))
        );
        go.send(()).unwrap();
        let (title, end) = wait_end(&mut jobs);
        assert_eq!(title, "count");
        assert!(
            matches!(end, End::Done(Outcome::Quantized { .. })),
            "{end:?}"
        );
        assert!(jobs.is_empty());

        // Cancel: the job sees the flag and gives up; its error reads as cancelled.
        let id = jobs.spawn("spin", Arc::clone(&wake), |r| {
            while !r.cancelled() {
                std::thread::sleep(Duration::from_millis(1));
            }
            anyhow::bail!("stopped")
        });
        jobs.cancel(id);
        assert!(jobs.iter().next().unwrap().cancelling);
        assert_eq!(wait_end(&mut jobs).1, End::Cancelled);

        jobs.spawn("fail", wake, |_| anyhow::bail!("no network"));
        assert_eq!(wait_end(&mut jobs).1, End::Failed("no network".into()));
    }
}
