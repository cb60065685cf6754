//! The app's view of the model runtime: requests go out tagged with ids, events come back through
//! a queue the app drains each frame. The #4 worker implements this; without it, `NoModel`
//! answers every model request with how to get a model, and everything local keeps working.

use std::collections::VecDeque;
use std::path::PathBuf;

use crate::model::task::Task;

pub type RequestId = u64;

/// Which checkpoint to load.
#[derive(Clone, Debug, PartialEq)]
pub enum ModelChoice {
    /// A catalogue name such as `small-augm` (downloaded from the Hugging Face hub when needed).
    Catalogue(String),
    /// A checkpoint folder on disk.
    Folder(PathBuf),
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GenerateSettings {
    pub beams: usize,
    pub max_length: usize,
}

impl Default for GenerateSettings {
    /// The authors' decoding: 10 beams, up to 512 tokens.
    fn default() -> Self {
        GenerateSettings {
            beams: 10,
            max_length: 512,
        }
    }
}

/// What the runtime reports: the #4 worker's events themselves (a finished request carries the
/// whole `Answer`, model name included).
pub use crate::model::worker::Event;

pub trait ModelBackend {
    fn load(&mut self, choice: ModelChoice, device: crate::gpu::Device) -> RequestId;
    fn generate(&mut self, task: Task, input: &str, settings: GenerateSettings) -> RequestId;
    /// Stops a running request; its `Cancelled` event follows.
    fn cancel(&mut self, id: RequestId);
    /// The next event, never blocking.
    fn try_recv(&mut self) -> Option<Event>;
}

/// How to get a model, for messages shown where a model is needed.
pub const HOW_TO_GET_A_MODEL: &str = "open Model settings and load one of the GT4SD checkpoints \
     (downloaded once from the Hugging Face hub) or a local checkpoint folder; drawing, \
     properties and CSV export work without one";

/// The runtime when no model worker is available in this build.
#[derive(Default)]
pub struct NoModel {
    next_id: RequestId,
    events: VecDeque<Event>,
}

impl NoModel {
    fn id(&mut self) -> RequestId {
        self.next_id += 1;
        self.next_id
    }
}

impl ModelBackend for NoModel {
    fn load(&mut self, _choice: ModelChoice, _device: crate::gpu::Device) -> RequestId {
        let id = self.id();
        self.events.push_back(Event::Failed {
            id,
            message: "this build has no model runtime (the worker of issue #4); \
                      drawing, properties and CSV export still work"
                .into(),
        });
        id
    }

    fn generate(&mut self, task: Task, _input: &str, _settings: GenerateSettings) -> RequestId {
        let id = self.id();
        self.events.push_back(Event::Failed {
            id,
            message: format!(
                "no model loaded: the {} task needs the Text+Chem T5 model; {HOW_TO_GET_A_MODEL}",
                task.name()
            ),
        });
        id
    }

    fn cancel(&mut self, _id: RequestId) {}

    fn try_recv(&mut self) -> Option<Event> {
        self.events.pop_front()
    }
}
