//! One exchange drawn as a card: the input, its structure and properties, the model's ranked
//! answers (each SMILES checked, drawn and summarised), copy buttons and "use as input".

use std::collections::HashMap;
use std::sync::Arc;

use egui::{Color32, RichText, Ui, Vec2};

use super::analysis::Analysis;
use super::history::{Exchange, Status};
use super::painter::canvas;
use crate::model::task::{OutputKind, Task};

/// Analyses by SMILES, computed once per string and shared by cards and the canvas.
#[derive(Default)]
pub struct AnalysisCache {
    map: HashMap<String, Arc<Analysis>>,
}

impl AnalysisCache {
    pub fn get(&mut self, smiles: &str) -> Arc<Analysis> {
        let key = smiles.trim();
        if let Some(a) = self.map.get(key) {
            return a.clone();
        }
        let a = Arc::new(Analysis::of(key));
        // Bounded: a long session must not keep every drawing alive.
        if self.map.len() > 2000 {
            self.map.clear();
        }
        self.map.insert(key.to_owned(), a.clone());
        a
    }
}

/// What a click on a card asks the app to do.
#[derive(Clone, Debug, PartialEq)]
pub enum CardAction {
    UseAsInput(String),
    ShowOnCanvas(String),
    /// Run the exchange's input again as another task.
    RunAs(u64, Task),
    Cancel(u64),
}

/// How a task is named in the interface.
pub fn task_label(task: Task) -> &'static str {
    match task {
        Task::Forward => "forward prediction",
        Task::Retro => "retrosynthesis",
        Task::Actions => "paragraph to actions",
        Task::Molecule => "text to molecule",
        Task::Caption => "caption",
    }
}

/// Tasks whose input is SMILES (so the input itself is drawn and checked).
pub fn input_is_smiles(task: Task) -> bool {
    matches!(task, Task::Forward | Task::Retro | Task::Caption)
}

pub fn show(ui: &mut Ui, x: &Exchange, cache: &mut AnalysisCache, actions: &mut Vec<CardAction>) {
    let task = x.task();
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal(|ui| {
            ui.strong(format!("#{}", x.id));
            ui.label(
                RichText::new(task.map_or(x.task.clone(), |t| task_label(t).to_owned())).strong(),
            );
            ui.weak(&x.timestamp);
            if let Some(m) = &x.model {
                ui.weak(m);
            }
        });
        ui.label(RichText::new(&x.input).monospace());
        if let Some(t) = task
            && input_is_smiles(t)
        {
            let a = cache.get(&x.input);
            structure(ui, &a, "input", actions);
        }
        status(ui, x, actions);
        for r in &x.results {
            ui.separator();
            ui.horizontal(|ui| {
                ui.strong(format!("{}.", r.rank));
                if let Some(s) = r.score {
                    ui.weak(format!("score {s:.3}"));
                }
            });
            match task.map(Task::output_kind) {
                Some(OutputKind::Smiles) => {
                    ui.label(RichText::new(&r.text).monospace());
                    let a = cache.get(&r.text);
                    structure(ui, &a, &format!("answer {}", r.rank), actions);
                }
                _ if task == Some(Task::Actions) => action_list(ui, &r.text),
                _ => {
                    ui.label(&r.text);
                    if ui.small_button("Copy text").clicked() {
                        ui.ctx().copy_text(r.text.clone());
                    }
                }
            }
        }
        if let Some(t) = task {
            ui.horizontal_wrapped(|ui| {
                ui.weak("Run as:");
                for other in Task::ALL.into_iter().filter(|&o| o != t) {
                    if ui.small_button(task_label(other)).clicked() {
                        actions.push(CardAction::RunAs(x.id, other));
                    }
                }
            });
        }
    });
}

fn status(ui: &mut Ui, x: &Exchange, actions: &mut Vec<CardAction>) {
    match &x.status {
        Status::Local | Status::Done => {}
        Status::Running(_) => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("The model is working…");
                if ui.button("Cancel").clicked() {
                    actions.push(CardAction::Cancel(x.id));
                }
            });
        }
        Status::Failed(m) => {
            ui.colored_label(ui.visuals().warn_fg_color, format!("Model: {m}"));
        }
        Status::Cancelled => {
            ui.weak("Cancelled.");
        }
    }
}

/// Drawing, validity, canonical SMILES, formula, masses and the buttons for one SMILES.
fn structure(ui: &mut Ui, a: &Analysis, what: &str, actions: &mut Vec<CardAction>) {
    let s = &a.summary;
    if let Some(e) = &s.error {
        ui.colored_label(ui.visuals().error_fg_color, format!("Invalid SMILES: {e}"));
        if ui.small_button("Edit").clicked() {
            actions.push(CardAction::UseAsInput(a.smiles.clone()));
        }
        return;
    }
    ui.horizontal_top(|ui| {
        if let Some(d) = &a.drawing {
            let w = ui.available_width().min(320.0);
            let r = canvas(ui, d, Vec2::new(w, 200.0), None);
            if r.clicked() {
                actions.push(CardAction::ShowOnCanvas(a.smiles.clone()));
            }
        }
        ui.vertical(|ui| {
            ui.colored_label(Color32::from_rgb(0x20, 0xa0, 0x40), "valid SMILES");
            egui::Grid::new(("props", what, &a.smiles))
                .num_columns(2)
                .show(ui, |ui| {
                    if let Some(c) = &s.canonical {
                        ui.label("Canonical");
                        ui.label(RichText::new(c).monospace());
                        ui.end_row();
                    }
                    if let Some(f) = &s.formula {
                        ui.label("Formula");
                        ui.label(f);
                        ui.end_row();
                    }
                    if let Some(m) = s.average_mass {
                        ui.label("Average mass");
                        ui.label(format!("{m:.3} g/mol"));
                        ui.end_row();
                    }
                    if let Some(m) = s.monoisotopic_mass {
                        ui.label("Monoisotopic mass");
                        ui.label(format!("{m:.5}"));
                        ui.end_row();
                    }
                });
            ui.horizontal_wrapped(|ui| {
                if ui.small_button("Copy SMILES").clicked() {
                    ui.ctx().copy_text(a.smiles.clone());
                }
                if let Some(c) = &s.canonical
                    && ui.small_button("Copy canonical").clicked()
                {
                    ui.ctx().copy_text(c.clone());
                }
                if !a.smiles.contains('>')
                    && ui.small_button("Copy MOL block").clicked()
                    && let Ok(m) = crate::chem::smiles::parse_molecule(&a.smiles)
                {
                    ui.ctx()
                        .copy_text(crate::export::molfile::mol_block(&m, &a.smiles));
                }
                if let Some(d) = &a.drawing
                    && ui.small_button("Copy SVG").clicked()
                {
                    ui.ctx().copy_text(d.svg(400.0, 300.0));
                }
                if ui.small_button("Use as input").clicked() {
                    actions.push(CardAction::UseAsInput(a.smiles.clone()));
                }
                if ui.small_button("Show on canvas").clicked() {
                    actions.push(CardAction::ShowOnCanvas(a.smiles.clone()));
                }
            });
        });
    });
}

/// Splits an actions answer (`ADD x; STIR for 2 h; ...`) into numbered steps.
pub fn split_actions(text: &str) -> Vec<(String, String)> {
    text.split(';')
        .map(|s| s.trim().trim_end_matches('.').trim())
        .filter(|s| !s.is_empty())
        .map(|s| {
            let (verb, rest) = s.split_once(' ').unwrap_or((s, ""));
            (verb.to_owned(), rest.to_owned())
        })
        .collect()
}

fn action_list(ui: &mut Ui, text: &str) {
    for (k, (verb, params)) in split_actions(text).iter().enumerate() {
        ui.horizontal_wrapped(|ui| {
            ui.label(format!("{}.", k + 1));
            ui.label(RichText::new(verb).strong().monospace());
            ui.label(params);
        });
    }
    if ui.small_button("Copy text").clicked() {
        ui.ctx().copy_text(text.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_are_split_into_verbs_and_parameters() {
        let steps = split_actions("ADD water (5 mL); STIR for 2 h at 25 °C; FILTER.");
        assert_eq!(
            steps,
            vec![
                ("ADD".to_owned(), "water (5 mL)".to_owned()),
                ("STIR".to_owned(), "for 2 h at 25 °C".to_owned()),
                ("FILTER".to_owned(), String::new()),
            ]
        );
    }
}
