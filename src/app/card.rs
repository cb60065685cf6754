//! One exchange drawn as a card: the input, its structure and properties, the model's ranked
//! answers (each SMILES checked, drawn and summarised), copy buttons and "use as input".

use std::collections::HashMap;
use std::sync::Arc;

use egui::{Color32, RichText, Ui, Vec2};

use super::analysis::RuleCheck;
use super::analysis::{Analysis, InvalidSite};
use super::history::{Exchange, ResultRecord, Status};
use super::molecule_search::MoleculeSearch;
use super::painter::{canvas, canvas_marked};
use crate::chem::inchi::InchiOutput;
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
    /// Ask the model again, as the same task.
    Retry(u64),
    /// Order the history by similarity to this molecule.
    SimilarTo(String),
    /// Save this molecule as an SD file.
    SaveSdf(String),
}

/// How the chat wants a card shown.
#[derive(Clone, Copy, Default)]
pub struct CardView<'a> {
    /// Hide SMILES answers that do not read.
    pub valid_only: bool,
    /// Requests ahead of this card's in the worker's line (0: running), when it waits.
    pub ahead: Option<usize>,
    /// The history's molecule searches: drawings mark the substructure they match.
    pub search: Option<&'a MoleculeSearch>,
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

/// What the tooltip on an answer's probability says.
pub const PROBABILITY_TIP: &str = "exp of the model's length-normalised score (its mean \
     log-probability per token): how sure the model is of this answer, token by token. It \
     compares answers to the same question; it is not the chance that the answer is right.";

/// The probability shown for a score, e.g. `0.905`.
pub fn probability(score: f32) -> String {
    format!("{:.3}", f64::from(score).exp())
}

/// Answers that are the same molecule (by canonical SMILES), shown once under the best rank.
pub struct AnswerGroup<'a> {
    pub first: &'a ResultRecord,
    pub ranks: Vec<usize>,
    /// False for a SMILES answer that does not read.
    pub valid: bool,
}

/// The exchange's answers, merged by canonical SMILES when the task answers with SMILES.
pub fn answer_groups<'a>(
    task: Option<Task>,
    results: &'a [ResultRecord],
    cache: &mut AnalysisCache,
) -> Vec<AnswerGroup<'a>> {
    let smiles = task.map(Task::output_kind) == Some(OutputKind::Smiles);
    let mut groups: Vec<(Option<String>, AnswerGroup<'a>)> = Vec::new();
    for r in results {
        let (key, valid) = if smiles {
            let a = cache.get(&r.text);
            let valid = r.valid.unwrap_or(true) && a.summary.error.is_none();
            let key = valid.then(|| a.summary.canonical.clone()).flatten();
            (key, valid)
        } else {
            (None, true)
        };
        match groups.iter_mut().find(|(k, _)| k.is_some() && *k == key) {
            Some((_, g)) => g.ranks.push(r.rank),
            None => groups.push((
                key,
                AnswerGroup {
                    first: r,
                    ranks: vec![r.rank],
                    valid,
                },
            )),
        }
    }
    groups.into_iter().map(|(_, g)| g).collect()
}

pub fn show(
    ui: &mut Ui,
    x: &Exchange,
    view: CardView<'_>,
    cache: &mut AnalysisCache,
    actions: &mut Vec<CardAction>,
) -> egui::Response {
    let valid_only = view.valid_only;
    let task = x.task();
    let frame = egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal_wrapped(|ui| {
            ui.strong(format!("#{}", x.id));
            ui.label(
                RichText::new(task.map_or(x.task.clone(), |t| task_label(t).to_owned())).strong(),
            );
            ui.weak(&x.timestamp);
            if let Some(m) = &x.model {
                ui.weak(m);
            }
        });
        ui.add(egui::Label::new(RichText::new(&x.input).monospace()).wrap());
        if let Some(t) = task
            && input_is_smiles(t)
        {
            let a = cache.get(&x.input);
            structure(ui, &a, view.search, actions);
        }
        status(ui, x, view.ahead, actions);
        let groups = answer_groups(task, &x.results, cache);
        let hidden = groups.iter().filter(|g| valid_only && !g.valid).count();
        for g in groups.iter().filter(|g| !valid_only || g.valid) {
            let r = g.first;
            ui.separator();
            ui.horizontal_wrapped(|ui| {
                ui.strong(format!("{}.", r.rank));
                if let Some(s) = r.score {
                    ui.label(format!("p = {}", probability(s)))
                        .on_hover_text(PROBABILITY_TIP);
                }
                if g.ranks.len() > 1 {
                    let ranks: Vec<String> = g.ranks.iter().map(usize::to_string).collect();
                    ui.weak(format!("ranks {} (the same molecule)", ranks.join(", ")));
                }
            });
            match task.map(Task::output_kind) {
                Some(OutputKind::Smiles) => {
                    ui.add(egui::Label::new(RichText::new(&r.text).monospace()).wrap());
                    let a = cache.get(&r.text);
                    structure(ui, &a, view.search, actions);
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
        if hidden > 0 {
            ui.weak(format!(
                "{hidden} invalid answer{} hidden",
                if hidden == 1 { "" } else { "s" }
            ));
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
    frame.response
}

fn status(ui: &mut Ui, x: &Exchange, ahead: Option<usize>, actions: &mut Vec<CardAction>) {
    let retry = |ui: &mut Ui, actions: &mut Vec<CardAction>| {
        let b = ui.small_button("Retry");
        let name = format!("Retry request #{}", x.id);
        b.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, name.clone()));
        if b.clicked() {
            actions.push(CardAction::Retry(x.id));
        }
    };
    match &x.status {
        Status::Local | Status::Done => {}
        Status::Running(_) => {
            ui.horizontal(|ui| {
                ui.spinner();
                match ahead {
                    Some(0) | None => ui.label("The model is working…"),
                    Some(1) => ui.label("Queued: 1 request ahead"),
                    Some(n) => ui.label(format!("Queued: {n} requests ahead")),
                };
                let cancel = ui.button("Cancel");
                // Screen readers (and tests) tell the cards' Cancel buttons apart by request.
                let name = format!("Cancel request #{}", x.id);
                cancel.widget_info(|| {
                    egui::WidgetInfo::labeled(egui::Role::Button, true, name.clone())
                });
                if cancel.clicked() {
                    actions.push(CardAction::Cancel(x.id));
                }
            });
        }
        Status::Failed(m) => {
            ui.horizontal_wrapped(|ui| {
                ui.colored_label(ui.visuals().warn_fg_color, format!("Model: {m}"));
                retry(ui, actions);
            });
        }
        Status::Cancelled => {
            ui.horizontal(|ui| {
                ui.weak("Cancelled.");
                retry(ui, actions);
            });
        }
    }
}

/// Drawing, validity, canonical SMILES, formula, masses and the buttons for one SMILES.
fn structure(
    ui: &mut Ui,
    a: &Analysis,
    search: Option<&MoleculeSearch>,
    actions: &mut Vec<CardAction>,
) {
    let s = &a.summary;
    if let Some(e) = &s.error {
        ui.colored_label(ui.visuals().error_fg_color, format!("Invalid SMILES: {e}"));
        if let Some(site) = &a.invalid {
            invalid_site(ui, &a.smiles, site);
        }
        if ui.small_button("Edit").clicked() {
            actions.push(CardAction::UseAsInput(a.smiles.clone()));
        }
        return;
    }
    // Side by side when the card is wide enough, else the drawing above its properties; either
    // way every line wraps inside the card instead of running past the panel's edge.
    let wide = ui.available_width() >= 2.0 * CARD_DRAWING_WIDTH;
    let mut body = |ui: &mut Ui| {
        if let Some(d) = &a.drawing {
            let w = ui.available_width().min(CARD_DRAWING_WIDTH);
            let marks = search.and_then(|s| s.highlight(&a.smiles));
            let r = canvas_marked(ui, d, Vec2::new(w, 200.0), None, marks);
            if r.clicked() {
                actions.push(CardAction::ShowOnCanvas(a.smiles.clone()));
            }
        }
        ui.vertical(|ui| properties(ui, a, actions));
    };
    if wide {
        ui.horizontal_top(|ui| body(ui));
    } else {
        body(ui);
    }
    for w in &s.warnings {
        ui.weak(format!("CXSMILES layer: {w}"));
    }
}

/// Where an invalid SMILES goes wrong: the graph as written with the named atoms circled, or the
/// SMILES text with the character the reader stopped at marked.
fn invalid_site(ui: &mut Ui, smiles: &str, site: &InvalidSite) {
    if let Some(d) = &site.drawing {
        let w = ui.available_width().min(CARD_DRAWING_WIDTH);
        canvas(ui, d, Vec2::new(w, 160.0), None);
        ui.weak("As written, with the atoms the reader names circled in red.");
        return;
    }
    let chars: Vec<char> = smiles.chars().collect();
    let at = site.offset.min(chars.len());
    let before: String = chars[..at].iter().collect();
    // Past the end (an unclosed ring or branch): mark the place after the last character.
    let marked: String = chars.get(at).map_or("␣".to_owned(), |c| c.to_string());
    let after: String = chars
        .get(at + 1..)
        .map_or(String::new(), |r| r.iter().collect());
    let font = egui::TextStyle::Monospace.resolve(ui.style());
    let normal = egui::TextFormat::simple(font.clone(), ui.visuals().text_color());
    let mark = egui::TextFormat {
        background: Color32::from_rgb(0xff, 0xb0, 0xb0),
        color: Color32::BLACK,
        underline: egui::Stroke::new(1.5, ui.visuals().error_fg_color),
        ..egui::TextFormat::simple(font, Color32::BLACK)
    };
    let mut job = egui::text::LayoutJob::default();
    job.append(&before, 0.0, normal.clone());
    job.append(&marked, 0.0, mark);
    job.append(&after, 0.0, normal);
    job.wrap.max_width = ui.available_width();
    ui.label(job);
    ui.weak(format!(
        "marked: where the reader stopped (column {})",
        site.offset
    ));
}

/// The drawing's width in a card.
const CARD_DRAWING_WIDTH: f32 = 320.0;

/// Validity, canonical SMILES, formula, masses and the copy buttons, wrapped to the width left.
fn properties(ui: &mut Ui, a: &Analysis, actions: &mut Vec<CardAction>) {
    let s = &a.summary;
    ui.colored_label(Color32::from_rgb(0x20, 0xa0, 0x40), "valid SMILES");
    if let Some(c) = &s.canonical {
        ui.weak("Canonical SMILES");
        ui.add(egui::Label::new(RichText::new(c).monospace()).wrap());
    }
    let row = |ui: &mut Ui, name: &str, value: String| {
        ui.horizontal_wrapped(|ui| {
            ui.weak(name);
            ui.label(value);
        });
    };
    if let Some(f) = &s.formula {
        row(ui, "Formula", f.clone());
    }
    if let Some(ids) = &s.inchi {
        inchi_key(ui, ids);
    }
    if let Some(m) = s.average_mass {
        row(ui, "Average mass", format!("{m:.3} g/mol"));
    }
    if let Some(m) = s.monoisotopic_mass {
        row(ui, "Monoisotopic mass", format!("{m:.5} Da"));
    }
    if let Some(p) = &s.props {
        row(ui, "cLogP (Crippen)", format!("{:.2}", p.logp));
        row(ui, "TPSA", format!("{:.1} Å²", p.tpsa));
        row(
            ui,
            "H-bond donors / acceptors",
            format!(
                "{} / {} (Lipinski: NH+OH, N+O)",
                p.lipinski_hbd, p.lipinski_hba
            ),
        );
        row(ui, "Rotatable bonds", p.rotatable_bonds.to_string());
        row(ui, "Rings", p.rings.to_string());
        row(ui, "Heavy atoms", p.heavy_atoms.to_string());
        let charge = match p.formal_charge {
            0 => "0".to_owned(),
            q => format!("{q:+}"),
        };
        row(ui, "Formal charge", charge);
        for check in RuleCheck::all(p) {
            let color = if check.passes() {
                Color32::from_rgb(0x20, 0xa0, 0x40)
            } else {
                ui.visuals().warn_fg_color
            };
            ui.colored_label(color, check.text())
                .on_hover_text(match check.rule {
                    "Lipinski" => {
                        "Rule of five for oral drugs: mass ≤ 500 g/mol, cLogP ≤ 5, ≤ 5 donors, \
                     ≤ 10 acceptors; one violation is tolerated"
                    }
                    _ => "Oral bioavailability: ≤ 10 rotatable bonds and TPSA ≤ 140 Å²",
                });
        }
    }
    ui.horizontal_wrapped(|ui| {
        if ui.small_button("Copy SMILES").clicked() {
            ui.ctx().copy_text(a.smiles.clone());
        }
        if let Some(c) = &s.canonical
            && ui.small_button("Copy canonical").clicked()
        {
            ui.ctx().copy_text(c.clone());
        }
        if !crate::chem::smiles::is_reaction(&a.smiles)
            && ui.small_button("Copy MOL block").clicked()
            && let Ok(m) = crate::chem::smiles::parse_cxsmiles(&a.smiles)
        {
            ui.ctx()
                .copy_text(crate::export::molfile::mol_block(&m.molecule, &a.smiles));
        }
        if !crate::chem::smiles::is_reaction(&a.smiles) && ui.small_button("Save SDF…").clicked() {
            actions.push(CardAction::SaveSdf(a.smiles.clone()));
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
        if !crate::chem::smiles::is_reaction(&a.smiles)
            && ui
                .small_button("Similar to this")
                .on_hover_text("Order the history by Tanimoto similarity (Morgan radius 2, 2048 bits) to this molecule")
                .clicked()
        {
            actions.push(CardAction::SimilarTo(a.smiles.clone()));
        }
    });
}

/// The InChIKey with a copy button (the full InChI on hover) and the InChI library's warnings;
/// or why there is none.
fn inchi_key(ui: &mut Ui, ids: &Result<InchiOutput, String>) {
    match ids {
        Ok(ids) => {
            ui.horizontal_wrapped(|ui| {
                ui.weak("InChIKey");
                ui.add(egui::Label::new(RichText::new(&ids.key).monospace()))
                    .on_hover_text(&ids.inchi);
                if ui
                    .small_button("Copy InChIKey")
                    .on_hover_text("The standard InChIKey, as PubChem and ChEMBL index it")
                    .clicked()
                {
                    ui.ctx().copy_text(ids.key.clone());
                }
                if ui.small_button("Copy InChI").clicked() {
                    ui.ctx().copy_text(ids.inchi.clone());
                }
            });
            for w in &ids.warnings {
                ui.colored_label(ui.visuals().warn_fg_color, format!("InChI: {w}"));
            }
        }
        Err(e) => {
            ui.horizontal_wrapped(|ui| {
                ui.weak("InChIKey");
                ui.weak(format!("none: {e}"));
            });
        }
    }
}

/// One step of a paragraph-to-actions answer: the action's verb and its parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The action in capitals (`ADD`, `STIR`, `FILTER`, `SETTEMPERATURE`…); empty when the
    /// model wrote a step without one.
    pub verb: String,
    /// The rest of the step as written: what is added, for how long, at which temperature.
    pub params: String,
}

/// Splits an actions answer (`ADD water; STIR for 2 h at 25 °C; FILTER`) into its steps.
pub fn parse_actions(text: &str) -> Vec<Step> {
    text.split(';')
        .map(|s| s.trim().trim_end_matches('.').trim())
        .filter(|s| !s.is_empty())
        .map(|s| {
            let (first, rest) = s.split_once(char::is_whitespace).unwrap_or((s, ""));
            let is_verb = first
                .chars()
                .all(|c| c.is_ascii_uppercase() || c == '_' || c == '-')
                && first.chars().any(|c| c.is_ascii_uppercase());
            if is_verb {
                Step {
                    verb: first.to_owned(),
                    params: rest.trim().to_owned(),
                }
            } else {
                Step {
                    verb: String::new(),
                    params: s.to_owned(),
                }
            }
        })
        .collect()
}

/// How a step reads in the list: `2. STIR for 2 h at 25 °C`.
pub fn step_text(k: usize, step: &Step) -> String {
    [format!("{k}."), step.verb.clone(), step.params.clone()]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The numbered step list, each verb set off in strong monospace, lines wrapped.
fn action_list(ui: &mut Ui, text: &str) {
    let steps = parse_actions(text);
    if steps.is_empty() {
        ui.label(text);
    }
    let body = egui::TextStyle::Body.resolve(ui.style());
    let mono = egui::TextStyle::Monospace.resolve(ui.style());
    let (normal, strong) = (ui.visuals().text_color(), ui.visuals().strong_text_color());
    for (k, step) in steps.iter().enumerate() {
        let mut job = egui::text::LayoutJob::default();
        let mut add = |text: &str, font: &egui::FontId, color: Color32| {
            job.append(
                text,
                0.0,
                egui::TextFormat {
                    font_id: font.clone(),
                    color,
                    ..Default::default()
                },
            );
        };
        add(&format!("{}.", k + 1), &body, normal);
        if !step.verb.is_empty() {
            add(" ", &body, normal);
            add(&step.verb, &mono, strong);
        }
        if !step.params.is_empty() {
            add(" ", &body, normal);
            add(&step.params, &body, normal);
        }
        ui.add(egui::Label::new(job).wrap());
    }
    if ui.small_button("Copy text").clicked() {
        ui.ctx().copy_text(text.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(verb: &str, params: &str) -> Step {
        Step {
            verb: verb.into(),
            params: params.into(),
        }
    }

    #[test]
    fn actions_are_split_into_verbs_and_parameters() {
        let steps = parse_actions("ADD water (5 mL); STIR for 2 h at 25 °C; FILTER.");
        assert_eq!(
            steps,
            vec![
                step("ADD", "water (5 mL)"),
                step("STIR", "for 2 h at 25 °C"),
                step("FILTER", ""),
            ]
        );
        assert_eq!(step_text(2, &steps[1]), "2. STIR for 2 h at 25 °C");
        assert_eq!(step_text(3, &steps[2]), "3. FILTER");
    }

    #[test]
    fn odd_answers_keep_their_text() {
        // Empty steps and stray separators vanish; a step without a verb keeps all its words.
        let steps = parse_actions(
            " ;SETTEMPERATURE 0 °C;; then wait overnight ; YIELD product (1.2 g, 90%) ",
        );
        assert_eq!(
            steps,
            vec![
                step("SETTEMPERATURE", "0 °C"),
                step("", "then wait overnight"),
                step("YIELD", "product (1.2 g, 90%)"),
            ]
        );
        assert_eq!(step_text(2, &steps[1]), "2. then wait overnight");
        assert!(parse_actions("").is_empty());
        assert_eq!(parse_actions("NOACTION"), vec![step("NOACTION", "")]);
    }
}
