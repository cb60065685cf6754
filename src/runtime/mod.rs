//! Running the model for the app and the CLI: where it runs (`device`), one loaded model
//! answering tasks (`engine`), and the background thread that serves requests (`worker`).
//!
//! This layer sits above both backends: it chooses between the candle network in `model` and
//! the wgpu network in `gpu`, and falls back from one to the other.

pub mod best;
pub mod device;
pub mod engine;
mod panics;
pub mod worker;

pub use device::{Device, Selected};
pub use engine::{Answer, Engine, GenerateOptions, RankedOutput};
pub use worker::{Command, Event, RequestId, Worker};
