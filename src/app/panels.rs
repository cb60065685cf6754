//! The panels: top bar (model state, busy, cancel), history (search, CSV export), the molecule
//! canvas with model settings, the message bar and the chat of cards.

use egui::{Key, RichText, Ui, Vec2};

use super::backend::ModelChoice;
use super::card::{self, CardAction, task_label};
use super::export_actions::Export;
use super::first_run::FirstRun;
use super::history::Exchange;
use super::image_size::ImageSize;
use super::painter::{View, canvas_marked};
use super::pending_dialogs::Purpose;
use super::state::Transient;
use super::{App, Tab, main_smiles};
use crate::model::catalogue::Catalogue;
use crate::model::task::Task;

/// The answer lengths Max length allows, in tokens.
const MAX_LENGTH: std::ops::RangeInclusive<usize> = 8..=512;

/// Cards shown in the chat; older exchanges are reached through the history panel.
const CHAT_CARDS: usize = 30;

pub fn top_bar(app: &mut App, ui: &mut Ui) {
    egui::Panel::top("top").show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.heading("textchem");
            ui.selectable_value(&mut app.transient.tab, Tab::Chat, "Chat");
            ui.selectable_value(
                &mut app.transient.tab,
                Tab::Planner,
                "Retrosynthesis planner",
            );
            ui.separator();
            match (&app.transient.model.loaded, &app.transient.model.loading) {
                (_, Some((_, stage))) => {
                    ui.spinner();
                    ui.label(format!("Loading model: {stage}"));
                }
                (Some(name), None) => {
                    ui.label(format!("Model: {name}"));
                    if let Some(device) = &app.transient.model.device {
                        ui.weak(format!("on the {device}"));
                    }
                }
                (None, None) => {
                    ui.weak("No model loaded");
                }
            }
            let mut cancel = None;
            if let Some(b) = &app.transient.model.busy {
                ui.separator();
                ui.spinner();
                let frac = if b.max_steps > 0 {
                    b.step as f32 / b.max_steps as f32
                } else {
                    0.0
                };
                ui.label(format!(
                    "Generating: step {} of at most {}",
                    b.step, b.max_steps
                ));
                ui.add(egui::ProgressBar::new(frac).desired_width(120.0));
                if ui.button("Cancel").clicked() {
                    cancel = Some(b.exchange);
                }
            }
            // Escape cancels the running request, as the Cancel button does.
            if let Some(b) = &app.transient.model.busy
                && ui.input(|i| i.key_pressed(Key::Escape))
            {
                cancel = Some(b.exchange);
            }
            if let Some(id) = cancel {
                app.cancel_exchange(id);
            }
            if let Some(n) = &app.transient.notice {
                ui.separator();
                ui.label(n);
            }
        });
    });
}

/// Dialogs that could not open, each as a typed path field with what it is for and why.
pub fn path_prompts(app: &mut App, ui: &mut Ui) {
    if app.transient.dialogs.prompts.is_empty() {
        return;
    }
    let mut submit = None;
    let mut dismiss = None;
    egui::Panel::top("path prompts").show(ui, |ui| {
        for p in &mut app.transient.dialogs.prompts {
            let title = p.purpose.title();
            ui.push_id(p.id, |ui| {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    format!("{title}: no file dialog could open ({}).", p.reason),
                );
                ui.horizontal(|ui| {
                    let folder = matches!(p.purpose, Purpose::ModelFolder);
                    // Also the field's accessible name, which tests find it by.
                    let label = ui.label(format!("Path for {title}"));
                    let edit = ui
                        .add(
                            egui::TextEdit::singleline(&mut p.text)
                                .hint_text(if folder {
                                    "/path/to/checkpoint"
                                } else {
                                    "/path/to/file"
                                })
                                .desired_width(420.0),
                        )
                        .labelled_by(label.id);
                    let enter = edit.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
                    let ok = ui.button(if folder {
                        "Use this folder"
                    } else {
                        "Save here"
                    });
                    if ok.clicked() || enter {
                        submit = Some(p.id);
                    }
                    if ui.button("Dismiss").clicked() {
                        dismiss = Some(p.id);
                    }
                });
                if let Some(e) = &p.error {
                    ui.colored_label(ui.visuals().error_fg_color, e);
                }
            });
        }
    });
    if let Some(id) = dismiss {
        app.transient.dialogs.dismiss(id);
    }
    if let Some(id) = submit {
        app.submit_prompt(id);
    }
}

pub fn history_panel(app: &mut App, ui: &mut Ui) {
    egui::Panel::left("history")
        .resizable(true)
        .default_size(260.0)
        .show(ui, |ui| {
            ui.heading("History");
            let label = ui.label("Search history");
            let chat = &mut app.transient.chat;
            ui.add(
                egui::TextEdit::singleline(&mut chat.search).hint_text(if chat.substructure {
                    "SMARTS or SMILES, e.g. c1ccccc1"
                } else {
                    "SMILES, text, task"
                }),
            )
            .labelled_by(label.id);
            ui.checkbox(&mut chat.substructure, "Contains substructure")
                .on_hover_text(
                    "Read the search as a SMARTS pattern (a SMILES is one too) and list the \
                     exchanges whose input or answers contain it; matched atoms are marked on \
                     the cards",
                );
            if let Some(s) = chat.similar_to.clone() {
                ui.horizontal_wrapped(|ui| {
                    ui.weak("Ordered by similarity to");
                    ui.monospace(short(&s, 30));
                    if ui.small_button("Clear similarity").clicked() {
                        app.transient.chat.similar_to = None;
                    }
                });
            }
            let listing = listed(app);
            if let Some(e) = app.transient.molecule_search.pattern_error() {
                ui.colored_label(ui.visuals().error_fg_color, format!("Invalid SMARTS: {e}"));
            }
            if listing.pending > 0 {
                // The rest is searched over the next frames.
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.weak(format!("Searching: {} molecules left", listing.pending));
                });
                ui.ctx().request_repaint();
            }
            let ids: Vec<u64> = listing.rows.iter().map(|r| r.0).collect();
            ui.horizontal(|ui| {
                ui.weak(format!("{} of {}", ids.len(), app.history().len()));
                if ui
                    .button("Export CSV…")
                    .on_hover_text("One row per result of the exchanges listed here")
                    .clicked()
                {
                    app.transient
                        .dialogs
                        .ask_save(Export::HistoryCsv(ids.clone()));
                }
                if ui
                    .button("Export SDF…")
                    .on_hover_text(
                        "The molecules of the exchanges listed here: inputs that are SMILES and \
                         every valid SMILES answer, with name, canonical SMILES and formula",
                    )
                    .clicked()
                {
                    app.transient
                        .dialogs
                        .ask_save(Export::HistorySdf(ids.clone()));
                }
            });
            ui.separator();
            egui::ScrollArea::vertical().show(ui, |ui| {
                let mut clicked = None;
                for &(id, score) in &listing.rows {
                    let Some(x) = app.exchange(id) else { continue };
                    let mut text = format!("#{} {}: {}", x.id, x.task, short(&x.input, 40));
                    if let Some(s) = score {
                        text = format!("{s:.2} · {text}");
                    }
                    if ui
                        .selectable_label(app.transient.chat.focus == Some(x.id), text)
                        .clicked()
                    {
                        clicked = Some(x.id);
                    }
                }
                if let Some(id) = clicked {
                    app.transient.chat.focus = Some(id);
                    if let Some(s) = app.exchange(id).and_then(main_smiles) {
                        app.show_on_canvas(s);
                    }
                }
            });
        });
}

/// What the history panel lists: exchange ids in order, each with its similarity when
/// "Similar to this" is on; and how many molecules are still to be searched.
struct Listing {
    rows: Vec<(u64, Option<f64>)>,
    pending: usize,
}

/// Time the molecule searches may take per frame; the rest waits for the next frames.
const SEARCH_BUDGET: std::time::Duration = std::time::Duration::from_millis(8);

/// The exchanges the search matches, newest first or most similar first: the ones listed, and
/// the ones the CSV export writes.
fn listed(app: &mut App) -> Listing {
    let query = app.transient.chat.search.trim().to_owned();
    let substructure = app.transient.chat.substructure && !query.is_empty();
    let t = &mut app.transient;
    let exchanges = &app.persisted.history.exchanges;
    let search = &mut t.molecule_search;
    search.set_pattern(substructure.then_some(query.as_str()));
    search.set_similar(t.chat.similar_to.as_deref());
    let pending = if search.pattern_active() || search.similar_to().is_some() {
        // Newest first: those are the ones on screen.
        search.step(exchanges.iter().rev().flat_map(molecules), SEARCH_BUDGET)
    } else {
        0
    };
    let matching: Vec<&Exchange> = if substructure {
        exchanges
            .iter()
            .rev()
            .filter(|x| molecules(x).any(|s| search.contains(s) == Some(true)))
            .collect()
    } else {
        // A query that reads as a molecule also finds it written in any atom order.
        let canonical = (!query.is_empty() && !query.contains(' '))
            .then(|| t.cache.get(&query).summary.canonical.clone())
            .flatten();
        exchanges
            .iter()
            .rev()
            .filter(|x| {
                x.matches(&query)
                    || canonical.as_ref().is_some_and(|c| {
                        let mut same =
                            |s: &str| t.cache.get(s).summary.canonical.as_ref() == Some(c);
                        same(&x.input) || x.results.iter().any(|r| same(&r.text))
                    })
            })
            .collect()
    };
    let rows = if search.similar_to().is_some() {
        // The best of an exchange's molecules; exchanges without one are not listed.
        let mut scored: Vec<(u64, Option<f64>)> = matching
            .iter()
            .filter_map(|x| {
                let best = molecules(x)
                    .filter_map(|s| search.similarity(s))
                    .max_by(f64::total_cmp)?;
                Some((x.id, Some(best)))
            })
            .collect();
        // Stable: equal similarities stay newest first.
        scored.sort_by(|a, b| b.1.unwrap_or(0.0).total_cmp(&a.1.unwrap_or(0.0)));
        scored
    } else {
        matching.iter().map(|x| (x.id, None)).collect()
    };
    Listing { rows, pending }
}

/// The texts of an exchange that may be molecules: its input and its answers.
fn molecules(x: &Exchange) -> impl Iterator<Item = &str> {
    std::iter::once(x.input.as_str()).chain(x.results.iter().map(|r| r.text.as_str()))
}

fn short(s: &str, n: usize) -> String {
    let s = s.replace('\n', " ");
    if s.chars().count() <= n {
        s
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

pub fn side_panel(app: &mut App, ui: &mut Ui) {
    egui::Panel::right("side")
        .resizable(true)
        .default_size(440.0)
        .show(ui, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                molecule_canvas(app, ui);
                ui.separator();
                model_settings(app, ui);
            });
        });
}

fn molecule_canvas(app: &mut App, ui: &mut Ui) {
    ui.heading("Molecule");
    let Some(smiles) = app.transient.canvas.smiles.clone() else {
        ui.weak("Type a SMILES or a description below; its structure appears here.");
        return;
    };
    let a = app.transient.cache.get(&smiles);
    let Some(d) = &a.drawing else {
        ui.weak("Nothing to draw.");
        return;
    };
    ui.label(RichText::new(&smiles).monospace());
    let w = ui.available_width();
    canvas_marked(
        ui,
        d,
        Vec2::new(w, (w * 0.75).min(420.0)),
        Some(&mut app.transient.canvas.view),
        app.transient.molecule_search.highlight(&smiles),
    );
    ui.weak("Scroll to zoom, drag to pan, double-click to reset; hover an atom for details.");
    image_size_choice(ui, &mut app.transient.canvas.image_size);
    let size = app.transient.canvas.image_size;
    ui.horizontal(|ui| {
        if ui.button("Save PNG…").clicked() {
            app.transient
                .dialogs
                .ask_save(Export::MoleculePng(smiles.clone(), size));
        }
        if ui.button("Save SVG…").clicked() {
            app.transient
                .dialogs
                .ask_save(Export::MoleculeSvg(smiles.clone(), size));
        }
        let copy = ui
            .button("Copy image")
            .on_hover_text("The picture at the size above, as an image on the clipboard");
        if copy.clicked() {
            app.transient.notice = Some(copy_image(ui.ctx(), &d.scene, size));
        }
        if ui.button("Reset view").clicked() {
            app.transient.canvas.view = View::default();
        }
    });
}

/// Puts the drawing on the clipboard as an image and says so, or says why it cannot.
pub(super) fn copy_image(
    ctx: &egui::Context,
    scene: &crate::depict::scene::Scene,
    size: ImageSize,
) -> String {
    if !CLIPBOARD_IMAGES {
        return "This platform's clipboard takes no images: use Save PNG… or Copy SVG instead."
            .to_owned();
    }
    match size.color_image(scene.clone()) {
        Ok(image) => {
            let [w, h] = image.size;
            ctx.copy_image(image);
            format!("copied a {w}×{h} image to the clipboard")
        }
        Err(e) => format!("could not copy the image: {e:#}"),
    }
}

/// Whether eframe's clipboard takes images here (arboard on desktop systems; not on mobile or
/// the web).
const CLIPBOARD_IMAGES: bool = cfg!(not(any(
    target_os = "android",
    target_os = "ios",
    target_arch = "wasm32"
)));

/// The saved picture's size: 1×, 2×, 4× the screen scale, or a width in cm at 300 dpi.
pub(super) fn image_size_choice(ui: &mut Ui, size: &mut ImageSize) {
    ui.horizontal_wrapped(|ui| {
        ui.label("Image size")
            .on_hover_text("Saved pictures are cropped to the drawing with a small margin.");
        for k in [1u8, 2, 4] {
            ui.selectable_value(size, ImageSize::Scale(k), format!("{k}×"));
        }
        let print = matches!(size, ImageSize::Print { .. });
        if ui
            .selectable_label(print, "300 dpi")
            .on_hover_text("For slides and print: the PNG records 300 dpi and has the width below.")
            .clicked()
            && !print
        {
            *size = ImageSize::Print { width_cm: 8.0 };
        }
        if let ImageSize::Print { width_cm } = size {
            let l = ui.label("Width (cm)");
            ui.add(egui::DragValue::new(width_cm).range(1.0..=50.0).speed(0.1))
                .labelled_by(l.id);
        }
    });
}

fn model_settings(app: &mut App, ui: &mut Ui) {
    egui::CollapsingHeader::new("Model settings")
        .default_open(true)
        .show(ui, |ui| {
            let catalogue = Catalogue::builtin();
            let current = match &app.transient.settings.choice {
                ModelChoice::Catalogue(n) => n.clone(),
                ModelChoice::Folder(p) => format!("folder {}", p.display()),
            };
            egui::ComboBox::from_label("Model")
                .selected_text(current)
                .show_ui(ui, |ui| {
                    for m in &catalogue.models {
                        ui.selectable_value(
                            &mut app.transient.settings.choice,
                            ModelChoice::Catalogue(m.name.clone()),
                            format!("{} (~{} MB)", m.name, m.approx_size_mb),
                        );
                    }
                });
            let mut pick = false;
            let mut load = false;
            let idle =
                app.transient.model.loading.is_none() && app.transient.model.load_after.is_none();
            ui.horizontal(|ui| {
                pick = ui.button("Choose folder…").clicked();
                load = ui
                    .add_enabled(idle, egui::Button::new("Load model"))
                    .on_hover_text("A catalogue model is downloaded first when it is not cached")
                    .clicked();
            });
            if pick {
                app.transient.dialogs.ask_folder();
            }
            if load {
                app.load_model();
            }
            if model_source_field(&mut app.transient, ui, "Model folder or hub id", "Load") {
                app.load_source();
            }
            // While the first-run panel shows, progress and errors are shown there (once).
            let first_run = app.first_run_visible();
            if !first_run {
                jobs(&mut app.transient, ui);
            }
            let mut quantize = false;
            ui.horizontal(|ui| {
                use crate::model::quantize::QuantFormat;
                let name = |f: QuantFormat| match f {
                    QuantFormat::Q8_0 => "q8_0 (8-bit)",
                    QuantFormat::Q4K => "q4k (4-bit)",
                    QuantFormat::F16 => "f16 (16-bit)",
                };
                let formats = [QuantFormat::Q4K, QuantFormat::Q8_0, QuantFormat::F16];
                pick_one(
                    ui,
                    "Quantized format",
                    &mut app.transient.settings.quantize_to,
                    &formats,
                    name,
                );
                quantize = ui
                    .add_enabled(app.transient.jobs.is_empty(), egui::Button::new("Quantize"))
                    .on_hover_text(
                        "Write a quantized copy of the chosen checkpoint's weights beside them; \
                         loading prefers it (smaller, faster on the CPU)",
                    )
                    .clicked();
            });
            if quantize {
                app.quantize();
            }
            ui.horizontal(|ui| {
                use crate::runtime::Device;
                let name = |d: Device| match d {
                    Device::Auto => "Auto (a GPU when there is one)",
                    Device::Cpu => "CPU",
                    Device::Gpu => "GPU (any adapter)",
                };
                let devices = [Device::Auto, Device::Cpu, Device::Gpu];
                pick_one(
                    ui,
                    "Run the model on",
                    &mut app.transient.settings.device,
                    &devices,
                    name,
                )
                .on_hover_text(
                    "Takes effect at the next Load; if the GPU cannot be used or fails, \
                         the model runs on the CPU and a notice says why",
                );
            });
            let g = &mut app.transient.settings.generate;
            ui.horizontal(|ui| {
                let l = ui.label("Beams");
                ui.add(egui::DragValue::new(&mut g.beams).range(1..=20))
                    .labelled_by(l.id);
                let l = ui.label("Max length");
                ui.add(egui::DragValue::new(&mut g.max_length).range(MAX_LENGTH))
                    .labelled_by(l.id)
                    .on_hover_text("Tokens the model may write per answer");
                // Say the limits: a value outside them is clamped, never silently.
                ui.weak(format!(
                    "({} to {} tokens)",
                    MAX_LENGTH.start(),
                    MAX_LENGTH.end()
                ));
            });
            if let Some(e) = &app.transient.model.error
                && !first_run
            {
                ui.colored_label(ui.visuals().warn_fg_color, e);
            }
            ui.horizontal(|ui| {
                ui.label("Theme");
                // The context's theme, which the system or a test may have set.
                let mut dark = ui.visuals().dark_mode;
                ui.selectable_value(&mut dark, false, "Light");
                ui.selectable_value(&mut dark, true, "Dark");
                if dark != app.transient.settings.dark {
                    app.transient.settings.dark = dark;
                    ui.ctx().set_theme(if dark {
                        egui::Theme::Dark
                    } else {
                        egui::Theme::Light
                    });
                }
            });
        });
}

/// The "Model folder or hub id" field and its Load button; true when the user asked to load.
pub fn model_source_field(t: &mut Transient, ui: &mut Ui, name: &str, button: &str) -> bool {
    let idle = t.model.loading.is_none() && t.model.load_after.is_none();
    let mut load = false;
    ui.horizontal_wrapped(|ui| {
        let l = ui.label(name);
        let edit = ui
            .add(
                egui::TextEdit::singleline(&mut t.settings.source_input)
                    .hint_text("/path/to/checkpoint or owner/name")
                    .desired_width(ui.available_width().clamp(120.0, 220.0)),
            )
            .labelled_by(l.id);
        let enter = edit.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
        let button = ui
            .add_enabled(idle, egui::Button::new(button))
            .on_hover_text(
                "A folder with config.json, spiece.model and the weights; or a Hugging Face \
                 hub id, downloaded first",
            );
        load = idle && (button.clicked() || enter);
    });
    load
}

/// Downloads and quantizations in progress: what, how far, how fast, and Cancel.
pub fn jobs(t: &mut Transient, ui: &mut Ui) {
    let mut cancel = None;
    for job in t.jobs.iter() {
        let mut line = format!("{}: {}", job.title, job.stage);
        if let Some((done, total)) = job.progress {
            line.push_str(&format!(", {} of {}", bytes(done), bytes(total)));
        }
        if let Some(rate) = job.speed() {
            line.push_str(&format!(" at {}/s", bytes(rate as u64)));
        }
        ui.label(line);
        ui.horizontal(|ui| {
            match job.fraction() {
                Some(f) => {
                    ui.add(
                        egui::ProgressBar::new(f)
                            .show_percentage()
                            .desired_width(200.0),
                    );
                }
                None => {
                    ui.spinner();
                }
            }
            if job.cancelling {
                ui.weak("Cancelling…");
            } else if job.cancellable && ui.button("Cancel download").clicked() {
                cancel = Some(job.id);
            }
        });
    }
    if let Some(id) = cancel {
        t.jobs.cancel(id);
    }
}

/// A byte count in decimal units, as download sizes are given.
fn bytes(n: u64) -> String {
    match n {
        0..1_000 => format!("{n} B"),
        1_000..1_000_000 => format!("{:.1} kB", n as f64 / 1e3),
        _ => format!("{:.1} MB", n as f64 / 1e6),
    }
}

/// The message box, the task it will run as (switchable with one click) and Send.
pub fn input_bar(app: &mut App, ui: &mut Ui) {
    egui::Panel::bottom("input").show(ui, |ui| {
        ui.add_space(4.0);
        let label = ui.label("Message");
        // A long paste scrolls inside the box instead of pushing Send off-screen.
        let edit = egui::ScrollArea::vertical()
            .max_height(INPUT_MAX_HEIGHT)
            .show(ui, |ui| {
                ui.add(
                    egui::TextEdit::multiline(&mut app.transient.chat.input)
                        .hint_text(
                            "SMILES, a reaction (A.B>>), a description, or a procedure paragraph",
                        )
                        .desired_rows(2)
                        .desired_width(f32::INFINITY),
                )
                .labelled_by(label.id)
            })
            .inner;
        let enter =
            edit.has_focus() && ui.input(|i| i.key_pressed(Key::Enter) && !i.modifiers.shift);
        let detected = super::classify::detect(&app.transient.chat.input);
        let current = app.current_task();
        let mut send = false;
        // The task line and the length line sit above the buttons, so the buttons never move
        // when the task or the count changes.
        ui.horizontal(|ui| {
            match current {
                Some(t) => {
                    ui.label(format!("Task: {}", task_label(t)));
                    ui.weak(if app.transient.chat.task_override.is_some() {
                        "(chosen)"
                    } else {
                        "(detected)"
                    });
                }
                None => {
                    ui.label("Task: none");
                    ui.weak("(detected as you type, or pick one)");
                }
            }
            let chars = app.transient.chat.input.chars().count();
            if chars > 0 {
                ui.separator();
                let tokens = estimate_tokens(&app.transient.chat.input);
                let limit = crate::runtime::engine::MAX_INPUT_TOKENS;
                let text = format!("about {tokens} of {limit} tokens");
                let hover = "Estimated from the length (about 1 token per 2 characters); the \
                             model's tokenizer is not run while you type. The model reads at \
                             most 512 tokens and refuses longer inputs.";
                if tokens > limit {
                    ui.colored_label(ui.visuals().warn_fg_color, format!("{text}: too long"))
                        .on_hover_text(hover);
                } else {
                    ui.weak(text).on_hover_text(hover);
                }
            }
        });
        ui.horizontal_wrapped(|ui| {
            for t in Task::ALL {
                if ui
                    .selectable_label(Some(t) == current, task_label(t))
                    .clicked()
                {
                    app.transient.chat.task_override = (Some(t) != detected).then_some(t);
                }
            }
            send = ui.button("Send").clicked();
        });
        if enter {
            // The multiline edit already took the newline.
            let input = &mut app.transient.chat.input;
            input.truncate(input.trim_end_matches(['\n', '\r']).len());
            send = true;
        }
        if send {
            app.send();
            edit.request_focus();
        }
    });
}

/// The message box's height before it scrolls.
const INPUT_MAX_HEIGHT: f32 = 120.0;

/// The model's token count for `text`, estimated: SentencePiece splits SMILES into pieces of
/// one to three characters and prose into pieces of about four, so two characters per token
/// errs towards warning early.
pub fn estimate_tokens(text: &str) -> usize {
    text.trim().chars().count().div_ceil(2)
}

pub fn chat(app: &mut App, ui: &mut Ui) {
    egui::CentralPanel::default().show(ui, |ui| {
        let mut actions: Vec<CardAction> = Vec::new();
        let mut first_run = None;
        let show_first_run = app.first_run_visible();
        let exchanges = &app.persisted.history.exchanges;
        let t = &mut app.transient;
        ui.horizontal(|ui| {
            ui.checkbox(&mut t.chat.valid_only, "Valid answers only")
                .on_hover_text("Hide SMILES answers that do not read as molecules");
        });
        let valid_only = t.chat.valid_only;
        let aheads: Vec<(u64, usize)> = exchanges
            .iter()
            .filter_map(|x| Some((x.id, app_ahead(t, exchanges, x.id)?)))
            .collect();
        // Out of `t` while the cards borrow it, and put back below.
        let search = std::mem::take(&mut t.molecule_search);
        let view = |id: u64| card::CardView {
            valid_only,
            ahead: aheads.iter().find(|a| a.0 == id).map(|a| a.1),
            search: Some(&search),
        };
        egui::ScrollArea::vertical()
            .stick_to_bottom(true)
            .auto_shrink([false, false])
            .show(ui, |ui| {
                if let Some(id) = t.chat.focus
                    && let Some(x) = exchanges.iter().find(|x| x.id == id)
                {
                    ui.horizontal(|ui| {
                        ui.strong("From history");
                        if ui.small_button("Close").clicked() {
                            t.chat.focus = None;
                        }
                    });
                    // The same card also shows in the chat below: its own id scope keeps the
                    // widget ids apart.
                    ui.push_id(("focus", x.id), |ui| {
                        card::show(ui, x, view(x.id), &mut t.cache, &mut actions);
                    });
                    ui.separator();
                }
                if show_first_run {
                    first_run = super::first_run::show(ui, t, exchanges.is_empty());
                } else if exchanges.is_empty() {
                    welcome(ui);
                }
                let recent: &[Exchange] = &exchanges[exchanges.len().saturating_sub(CHAT_CARDS)..];
                for x in recent {
                    let card = ui.push_id(("card", x.id), |ui| {
                        card::show(ui, x, view(x.id), &mut t.cache, &mut actions)
                    });
                    // A new request or answer comes into view even after scrolling away; at
                    // once, so buttons are not moving under the pointer.
                    if t.chat.scroll_to == Some(x.id) {
                        card.inner.scroll_to_me_animation(
                            Some(egui::Align::Max),
                            egui::style::ScrollAnimation::none(),
                        );
                        t.chat.scroll_to = None;
                    }
                    ui.add_space(6.0);
                }
                if let Some(b) = &t.model.busy
                    && !b.partial.is_empty()
                {
                    ui.weak(format!("… {}", b.partial));
                }
            });
        t.molecule_search = search;
        for a in actions {
            app.apply(a);
        }
        match first_run {
            Some(FirstRun::Download) => {
                app.transient.settings.choice =
                    ModelChoice::Catalogue(Catalogue::builtin().default);
                app.load_model();
            }
            Some(FirstRun::ChooseFolder) => app.transient.dialogs.ask_folder(),
            Some(FirstRun::LoadSource) => app.load_source(),
            None => {}
        }
    });
}

/// `App::requests_ahead` over borrowed parts (the chat holds the app split).
fn app_ahead(t: &super::state::Transient, exchanges: &[Exchange], id: u64) -> Option<usize> {
    use super::history::Status;
    let running = t.model.busy.as_ref().map(|b| b.exchange);
    if running == Some(id) {
        return Some(0);
    }
    let k = exchanges
        .iter()
        .filter(|x| matches!(x.status, Status::Running(_)) && Some(x.id) != running)
        .position(|x| x.id == id)?;
    Some(k + usize::from(running.is_some()))
}

fn welcome(ui: &mut Ui) {
    ui.heading("Welcome to textchem");
    ui.label(
        "Type a SMILES to see it drawn with its formula and masses (and captioned by the model),",
    );
    ui.label(
        "a reaction such as CCO.CC(=O)O>> to predict its product, a description to get a molecule,",
    );
    ui.label(
        "or an experimental paragraph to get its actions. Everything is saved in your history.",
    );
}

/// A drop-down choosing `value` among `options`, each shown by `name`.
fn pick_one<T: Copy + PartialEq>(
    ui: &mut Ui,
    label: &str,
    value: &mut T,
    options: &[T],
    name: impl Fn(T) -> &'static str,
) -> egui::Response {
    egui::ComboBox::from_label(label)
        .selected_text(name(*value))
        .show_ui(ui, |ui| {
            for &option in options {
                ui.selectable_value(value, option, name(option));
            }
        })
        .response
}
