//! The app's state, split by how long it lives: `Persisted` is saved to history.json and restored
//! at start; `Transient` lasts as long as the window. Within each, fields are grouped by the part
//! of the window they serve.

use super::backend::{GenerateOptions, ModelChoice, RequestId};
use super::card::AnalysisCache;
use super::history::History;
use super::image_size::ImageSize;
use super::jobs::{JobId, Jobs};
use super::molecule_search::MoleculeSearch;
use super::painter::View;
use super::pending_dialogs::PendingDialogs;
use super::planner::Planner;
use super::screenshot::Screenshot;
use super::script::Script;
use crate::model::task::Task;

/// What is saved and restored: the exchanges, in history.json.
pub struct Persisted {
    pub history: History,
}

/// What lives only as long as the window.
pub struct Transient {
    pub tab: Tab,
    pub chat: Chat,
    pub canvas: Canvas,
    pub planner: Planner,
    /// Why the last Plan was refused (the target's reader error).
    pub planner_error: Option<String>,
    pub settings: ModelSettings,
    pub model: ModelState,
    /// Downloads and quantizations running beside the model worker.
    pub jobs: Jobs,
    /// File dialogs asked for and not yet answered.
    pub dialogs: PendingDialogs,
    /// One line telling the user what just happened (exported, saved, failed to save).
    pub notice: Option<String>,
    /// Export threads report here what they wrote (or why they could not).
    pub exports_done: (
        std::sync::mpsc::Sender<String>,
        std::sync::mpsc::Receiver<String>,
    ),
    /// `--screenshot`: capture after the first frames, then close.
    pub screenshot: Option<Screenshot>,
    /// `--type-model-folder`, `--save-png-typed`: steps taken through the UI; the screenshot
    /// waits until they are done.
    pub script: Option<Script>,
    /// Analyses by SMILES, computed once and shared by the cards, the canvas and the planner.
    pub cache: AnalysisCache,
    /// The history panel's substructure and similarity searches, with their per-SMILES work.
    pub molecule_search: MoleculeSearch,
}

/// The central view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Chat,
    Planner,
}

/// The message box and the history panel's choices.
#[derive(Default)]
pub struct Chat {
    /// The message box.
    pub input: String,
    /// The task the user picked for the current input; `None` follows the classifier.
    pub task_override: Option<Task>,
    /// The history panel's search box.
    pub search: String,
    /// The search box holds a SMARTS (or SMILES) to find as a substructure of the molecules.
    pub substructure: bool,
    /// "Similar to this": the history is ordered by similarity to this molecule.
    pub similar_to: Option<String>,
    /// An exchange picked in the history panel, shown above the chat.
    pub focus: Option<u64>,
    /// The cards hide SMILES answers that do not read.
    pub valid_only: bool,
    /// The exchange of the request the user made last: its answer goes on the canvas.
    pub latest: Option<u64>,
    /// The card to bring into view at the next frame (a new request, a new answer).
    pub scroll_to: Option<u64>,
}

/// The molecule shown large in the side panel, and how it is zoomed and panned.
#[derive(Default)]
pub struct Canvas {
    pub smiles: Option<String>,
    pub view: View,
    /// How large Save PNG / Save SVG make the picture.
    pub image_size: ImageSize,
}

/// Settings of the model panel (not saved: each start begins from the defaults and the command
/// line).
pub struct ModelSettings {
    pub choice: ModelChoice,
    pub generate: GenerateOptions,
    pub dark: bool,
    /// The format the Quantize button writes.
    pub quantize_to: crate::model::quantize::QuantFormat,
    /// The "Model folder or hub id" field.
    pub source_input: String,
    /// Where the next load puts the model (auto: a hardware GPU when there is one).
    pub device: crate::runtime::Device,
}

/// The model's state as the last events described it.
#[derive(Default)]
pub struct ModelState {
    pub loaded: Option<String>,
    /// Where the loaded model runs: "CPU" or "GPU: <adapter>".
    pub device: Option<String>,
    pub loading: Option<(RequestId, String)>,
    /// The download whose checkpoint is loaded once it is on disk.
    pub load_after: Option<JobId>,
    pub error: Option<String>,
    /// The running generation.
    pub busy: Option<Busy>,
}

impl Busy {
    pub fn new(request: RequestId, exchange: u64, max_steps: usize) -> Busy {
        Busy {
            request,
            exchange,
            step: 0,
            max_steps,
            partial: String::new(),
        }
    }
}

/// A generation in progress, as the top bar and the chat show it.
pub struct Busy {
    pub request: RequestId,
    pub exchange: u64,
    pub step: usize,
    pub max_steps: usize,
    /// The best running sequence so far.
    pub partial: String,
}
