//! The panel a new user meets while no model is loaded: what textchem does, the catalogue's
//! checkpoints with their sizes, what quantizing buys, one button that downloads and loads the
//! default (progress, speed and Cancel through the job system), and a field for a local folder
//! or hub id.

use egui::{RichText, Ui};

use super::panels::{jobs, model_source_field};
use super::state::Transient;
use crate::model::catalogue::Catalogue;

/// What the panel asks the app to do.
pub enum FirstRun {
    /// Download the catalogue's default model, then load it.
    Download,
    ChooseFolder,
    /// Load what the folder or hub id field names.
    LoadSource,
}

/// Open at first (an empty history); later starts show it folded, one click away.
pub fn show(ui: &mut Ui, t: &mut Transient, first_start: bool) -> Option<FirstRun> {
    let mut asked = None;
    let frame = egui::Frame::group(ui.style()).fill(ui.visuals().faint_bg_color);
    frame.show(ui, |ui| {
        ui.set_width(ui.available_width());
        egui::CollapsingHeader::new(
            RichText::new("Get started: load a model to get answers").strong(),
        )
        .default_open(first_start)
        .show(ui, |ui| asked = body(ui, t));
        // Outside the fold: what a load is doing, and why it failed, stay in sight.
        jobs(t, ui);
        if let Some(e) = &t.model.error {
            ui.colored_label(ui.visuals().warn_fg_color, e);
        }
    });
    ui.add_space(6.0);
    asked
}

fn body(ui: &mut Ui, t: &mut Transient) -> Option<FirstRun> {
    let mut asked = None;
    ui.label(
        "textchem reads SMILES without a model: it draws them, checks them and computes their \
         formula, masses, logP, TPSA and drug-likeness. With a Text+Chem T5 model it also \
         predicts reaction products, proposes precursors (and plans routes), captions \
         molecules, turns descriptions into molecules and procedures into actions.",
    );
    ui.add_space(4.0);
    let catalogue = Catalogue::builtin();
    ui.strong("The checkpoints (downloaded once from the Hugging Face hub, then cached)");
    // Wrapped rows rather than a grid: the chat may be narrow, and nothing may push it wider.
    for m in &catalogue.models {
        ui.horizontal_wrapped(|ui| {
            let name = if m.name == catalogue.default {
                format!("{} (default)", m.name)
            } else {
                m.name.clone()
            };
            ui.label(RichText::new(name).monospace());
            ui.label(format!("~{} MB", m.approx_size_mb));
            ui.weak(&m.shape);
        });
    }
    ui.weak(
        "'augm' checkpoints were trained on augmented SMILES (more robust to atom order); \
         base models are larger and more accurate, small ones faster.",
    );
    ui.weak(
        "Quantize (Model settings) writes an 8-bit or 4-bit copy beside the weights: about 4 to \
         6 times smaller than the 32-bit download, faster on the CPU, with nearly the same \
         answers; loading prefers it.",
    );
    ui.add_space(4.0);
    let default = catalogue.default_entry();
    let idle = t.model.loading.is_none() && t.model.load_after.is_none();
    let download = format!(
        "Download and load {} (~{} MB)",
        default.name, default.approx_size_mb
    );
    if ui
        .add_enabled(idle, egui::Button::new(download))
        .on_hover_text("From the cache at once when it is already there")
        .clicked()
    {
        asked = Some(FirstRun::Download);
    }
    ui.horizontal_wrapped(|ui| {
        ui.label("Or use a checkpoint you have:");
        if ui.button("Choose a folder…").clicked() {
            asked = Some(FirstRun::ChooseFolder);
        }
    });
    if model_source_field(t, ui, "Checkpoint folder or hub id", "Load it") {
        asked = Some(FirstRun::LoadSource);
    }
    asked
}
