//! The background inference thread: one loaded model, requests in, events out.
//!
//! Requests run one at a time in submission order. Each carries a cancel flag that the decoding
//! step callback reads, so a cancel stops generation within one decode step. Errors, and panics
//! caught around each request, come back as `Failed` events; the thread keeps serving.

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::device::Device;
use super::engine::{Answer, Engine, GenerateOptions};
use super::panics::{lock, panic_message};
use crate::gpu::GpuContext;
use crate::model::generate::{Cancelled, Progress};
use crate::model::source::ModelSource;
use crate::model::task::Task;

pub type RequestId = u64;

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Loads a model onto a device (the CPU when the GPU cannot be used), replacing the
    /// current one once loading succeeded (a failed load keeps it).
    Load { source: ModelSource, device: Device },
    Generate {
        task: Task,
        input: String,
        options: GenerateOptions,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Loading {
        id: RequestId,
        stage: String,
    },
    Loaded {
        id: RequestId,
        model: String,
        /// Where it runs: "CPU" or "GPU: <adapter>".
        device: String,
    },
    /// Something the user should see that does not end the request: the GPU was refused or
    /// failed and the model runs on the CPU instead.
    Notice {
        id: RequestId,
        message: String,
    },
    /// Sent after every decoding step.
    Progress {
        id: RequestId,
        step: usize,
        max_steps: usize,
    },
    /// The best running sequence so far, cleaned; at most every `PARTIAL_INTERVAL`.
    Partial {
        id: RequestId,
        text: String,
    },
    Finished {
        id: RequestId,
        answer: Answer,
    },
    Failed {
        id: RequestId,
        message: String,
    },
    Cancelled {
        id: RequestId,
    },
}

impl Event {
    /// The request this event belongs to.
    pub fn id(&self) -> RequestId {
        match self {
            Event::Loading { id, .. }
            | Event::Loaded { id, .. }
            | Event::Progress { id, .. }
            | Event::Partial { id, .. }
            | Event::Notice { id, .. }
            | Event::Finished { id, .. }
            | Event::Failed { id, .. }
            | Event::Cancelled { id } => *id,
        }
    }

    /// Whether this is the request's last event.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            Event::Loaded { .. }
                | Event::Finished { .. }
                | Event::Failed { .. }
                | Event::Cancelled { .. }
        )
    }
}

/// Partial output is for the eye: ten updates a second is plenty and keeps decoding cheap.
pub const PARTIAL_INTERVAL: Duration = Duration::from_millis(100);

struct Job {
    id: RequestId,
    command: Command,
    cancel: Arc<AtomicBool>,
}

type CancelFlags = Arc<Mutex<HashMap<RequestId, Arc<AtomicBool>>>>;

pub struct Worker {
    jobs: Option<Sender<Job>>,
    events: Receiver<Event>,
    next_id: AtomicU64,
    /// Flags of requests submitted and not yet finished.
    cancels: CancelFlags,
    thread: Option<JoinHandle<()>>,
}

impl Worker {
    /// Starts the thread. `wake` is called after every event is sent (the app passes
    /// `move || ctx.request_repaint()`); a panic in it is contained, and the event still arrives.
    pub fn spawn(wake: impl Fn() + Send + Sync + 'static) -> Worker {
        Self::spawn_sharing(wake, None)
    }

    /// As `spawn`; loads that run on the GPU reuse `window`, the app renderer's device.
    pub fn spawn_sharing(
        wake: impl Fn() + Send + Sync + 'static,
        window: Option<GpuContext>,
    ) -> Worker {
        let (job_tx, job_rx) = mpsc::channel::<Job>();
        let (event_tx, event_rx) = mpsc::channel::<Event>();
        let cancels: CancelFlags = Arc::default();
        let thread_cancels = Arc::clone(&cancels);
        let thread = std::thread::Builder::new()
            .name("textchem-model".into())
            .spawn(move || serve(job_rx, event_tx, wake, thread_cancels, window))
            .expect("the OS refused to start the model thread");
        Worker {
            jobs: Some(job_tx),
            events: event_rx,
            next_id: AtomicU64::new(1),
            cancels,
            thread: Some(thread),
        }
    }

    /// Queues a request; ids increase from 1.
    pub fn submit(&self, command: Command) -> RequestId {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let cancel = Arc::new(AtomicBool::new(false));
        lock(&self.cancels).insert(id, Arc::clone(&cancel));
        let job = Job {
            id,
            command,
            cancel,
        };
        if let Some(jobs) = &self.jobs {
            // The thread only exits when this sender is dropped, so sending cannot fail.
            let _ = jobs.send(job);
        }
        id
    }

    /// Cancels a queued or running request: generation stops within one decode step and the
    /// request ends with `Cancelled` (a load in progress finishes, then is discarded). Unknown or
    /// finished ids are ignored.
    pub fn cancel(&self, id: RequestId) {
        if let Some(flag) = lock(&self.cancels).get(&id) {
            flag.store(true, Ordering::Relaxed);
        }
    }

    /// The next event, if one is waiting; never blocks.
    pub fn try_recv(&self) -> Option<Event> {
        self.events.try_recv().ok()
    }

    /// The next event, waiting at most `t`.
    pub fn recv_timeout(&self, t: Duration) -> Option<Event> {
        self.events.recv_timeout(t).ok()
    }
}

impl Drop for Worker {
    /// Cancels everything queued or running and joins the thread.
    fn drop(&mut self) {
        for flag in lock(&self.cancels).values() {
            flag.store(true, Ordering::Relaxed);
        }
        self.jobs = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(
    jobs: Receiver<Job>,
    events: Sender<Event>,
    wake: impl Fn() + Sync,
    cancels: CancelFlags,
    window: Option<GpuContext>,
) {
    let emit = |event: Event| {
        if events.send(event).is_ok() {
            call_wake(&wake);
        }
    };
    let mut engine: Option<Engine> = None;
    while let Ok(job) = jobs.recv() {
        let id = job.id;
        if job.cancel.load(Ordering::Relaxed) {
            emit(Event::Cancelled { id });
        } else {
            let handled = catch_unwind(AssertUnwindSafe(|| {
                handle(&job, &mut engine, window.as_ref(), &emit)
            }));
            if let Err(panic) = handled {
                emit(Event::Failed {
                    id,
                    message: format!(
                        "internal error while handling the request: {}; the model thread is still running \
                         (please report this with the input that caused it)",
                        panic_message(panic.as_ref())
                    ),
                });
            }
        }
        lock(&cancels).remove(&id);
    }
}

/// Runs the caller's `wake` notification, containing a panic in it: the event is already
/// queued (polling still finds it), so neither the request nor the thread should die with it.
/// The panic hook has already printed the panic.
fn call_wake(wake: &dyn Fn()) {
    let _ = catch_unwind(AssertUnwindSafe(wake));
}

fn handle(
    job: &Job,
    engine: &mut Option<Engine>,
    window: Option<&GpuContext>,
    emit: &(dyn Fn(Event) + Sync),
) {
    let id = job.id;
    let cancelled = || job.cancel.load(Ordering::Relaxed);
    match &job.command {
        Command::Load { source, device } => {
            let mut on_stage = |stage: &str| {
                emit(Event::Loading {
                    id,
                    stage: stage.to_owned(),
                })
            };
            match Engine::load_source(source, *device, window, &mut on_stage) {
                Ok(_) if cancelled() => emit(Event::Cancelled { id }),
                Ok(loaded) => {
                    emit_notices(id, &loaded, emit);
                    let model = loaded.model_name().to_owned();
                    let device = loaded.device();
                    *engine = Some(loaded);
                    emit(Event::Loaded { id, model, device });
                }
                Err(e) => emit(Event::Failed {
                    id,
                    message: format!("{e:#}"),
                }),
            }
        }
        Command::Generate {
            task,
            input,
            options,
        } => {
            let Some(engine) = engine.as_ref() else {
                emit(Event::Failed {
                    id,
                    message: "no model loaded: load one first — a checkpoint folder (config.json, \
                              spiece.model and weights) or a hub id such as \
                              GT4SD/multitask-text-and-chemistry-t5-base-augm"
                        .into(),
                });
                return;
            };
            let generated = generate(job, engine, *task, input, options, emit);
            emit_notices(id, engine, emit);
            let event = match generated {
                Ok(answer) => Event::Finished { id, answer },
                Err(e) if e.chain().any(|c| c.is::<Cancelled>()) => Event::Cancelled { id },
                Err(e) => Event::Failed {
                    id,
                    message: format!("{e:#}"),
                },
            };
            emit(event);
        }
    }
}

fn emit_notices(id: RequestId, engine: &Engine, emit: &(dyn Fn(Event) + Sync)) {
    for message in engine.take_notices() {
        emit(Event::Notice { id, message });
    }
}

fn generate(
    job: &Job,
    engine: &Engine,
    task: Task,
    input: &str,
    options: &GenerateOptions,
    emit: &(dyn Fn(Event) + Sync),
) -> anyhow::Result<Answer> {
    let id = job.id;
    let max_steps = options.max_steps();
    let mut last_partial: Option<Instant> = None;
    let mut last_text = String::new();
    let mut on_step = |p: &Progress| {
        emit(Event::Progress {
            id,
            step: p.step,
            max_steps,
        });
        if last_partial.is_none_or(|t| t.elapsed() >= PARTIAL_INTERVAL) {
            let text = engine.partial_text(task, p.best);
            if text != last_text {
                last_partial = Some(Instant::now());
                last_text.clone_from(&text);
                emit(Event::Partial { id, text });
            }
        }
        // Read after reporting the step: the step that saw the cancel is the last one run.
        if job.cancel.load(Ordering::Relaxed) {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    };
    engine.run(task, input, options, &mut on_step)
}
