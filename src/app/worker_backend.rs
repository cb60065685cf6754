//! The runtime's worker as the app's `ModelBackend`: one background thread, requests tagged
//! with ids, its events passed on as they come (the worker wakes the UI after each).

use std::collections::VecDeque;

use super::backend::{Event, ModelBackend, ModelChoice, RequestId};
use crate::gpu::GpuContext;
use crate::model::source::ModelSource;
use crate::model::task::Task;
use crate::runtime::Device;
use crate::runtime::engine::GenerateOptions;
use crate::runtime::worker::{Command, Worker};

pub struct WorkerBackend {
    worker: Worker,
    /// Failures found before a request reached the worker (an unknown model name).
    local: VecDeque<Event>,
    next_local: RequestId,
}

impl WorkerBackend {
    /// Starts the worker; `wake` runs after each of its events (the app repaints). Models
    /// placed on the GPU reuse `window`, the renderer's device, when there is one.
    pub fn spawn(
        wake: impl Fn() + Send + Sync + 'static,
        window: Option<GpuContext>,
    ) -> WorkerBackend {
        WorkerBackend {
            worker: Worker::spawn_sharing(wake, window),
            local: VecDeque::new(),
            // Local ids count down from the top so they never meet the worker's.
            next_local: RequestId::MAX,
        }
    }
}

impl ModelBackend for WorkerBackend {
    fn load(&mut self, choice: ModelChoice, device: Device) -> RequestId {
        let source = match choice {
            ModelChoice::Folder(p) => Ok(ModelSource::Folder(p)),
            ModelChoice::Catalogue(name) => ModelSource::parse(&name),
        };
        match source {
            Ok(source) => self.worker.submit(Command::Load { source, device }),
            Err(e) => {
                let id = self.next_local;
                self.next_local -= 1;
                self.local.push_back(Event::Failed {
                    id,
                    message: format!("{e:#}"),
                });
                id
            }
        }
    }

    fn generate(&mut self, task: Task, input: &str, settings: GenerateOptions) -> RequestId {
        self.worker.submit(Command::Generate {
            task,
            input: input.to_owned(),
            options: GenerateOptions {
                beams: settings.beams,
                max_length: settings.max_length,
            },
        })
    }

    fn cancel(&mut self, id: RequestId) {
        self.worker.cancel(id);
    }

    fn try_recv(&mut self) -> Option<Event> {
        self.local.pop_front().or_else(|| self.worker.try_recv())
    }
}
