//! The app's view of the model runtime: requests go out tagged with ids, events come back through
//! a queue the app drains each frame. `WorkerBackend` implements it over the runtime's worker;
//! tests script it.

use std::path::PathBuf;

use crate::model::task::Task;

pub use crate::runtime::{Event, GenerateOptions, RequestId};

/// Which checkpoint to load.
#[derive(Clone, Debug, PartialEq)]
pub enum ModelChoice {
    /// A catalogue name such as `small-augm` (downloaded from the Hugging Face hub when needed).
    Catalogue(String),
    /// A checkpoint folder on disk.
    Folder(PathBuf),
}

pub trait ModelBackend {
    fn load(&mut self, choice: ModelChoice, device: crate::runtime::Device) -> RequestId;
    fn generate(&mut self, task: Task, input: &str, settings: GenerateOptions) -> RequestId;
    /// Stops a running request; its `Cancelled` event follows.
    fn cancel(&mut self, id: RequestId);
    /// The next event, never blocking.
    fn try_recv(&mut self) -> Option<Event>;
}
