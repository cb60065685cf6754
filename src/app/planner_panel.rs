//! The planner's view: target box, the route tree with round-trip marks, its buttons, and what
//! they do to the app.

use egui::{Color32, RichText, Ui, Vec2};

use super::App;
use super::card::AnalysisCache;
use super::export_actions::Export;
use super::image_size::ImageSize;
use super::painter::canvas;
use super::panels::{copy_image, image_size_choice};
use super::planner::{Expansion, Planner, RoundTrip};

enum PlannerAction {
    Plan,
    Expand(usize),
    Prune(usize, usize),
    Choose(usize, usize),
    Export(Export),
    ShowOnCanvas(String),
    CopyImage,
}

/// The planner tab: the route with its controls, then the actions they asked for.
pub fn show(app: &mut App, ui: &mut Ui) {
    egui::CentralPanel::default().show(ui, |ui| {
        let mut actions = Vec::new();
        let t = &mut app.transient;
        route(
            ui,
            &mut t.planner,
            t.planner_error.as_deref(),
            &mut t.cache,
            &mut t.canvas.image_size,
            &mut actions,
        );
        for a in actions {
            let t = &mut app.transient;
            match a {
                PlannerAction::Plan => {
                    let target = t.planner.target_input.clone();
                    t.planner_error = t.planner.set_target(&target).err();
                }
                PlannerAction::Expand(n) => {
                    t.planner
                        .expand(n, app.backend.as_mut(), t.settings.generate);
                }
                PlannerAction::Prune(n, k) => t.planner.prune(n, k),
                PlannerAction::Choose(n, k) => t.planner.choose(n, k),
                PlannerAction::Export(export) => t.dialogs.ask_save(export),
                PlannerAction::ShowOnCanvas(s) => app.show_on_canvas(s),
                PlannerAction::CopyImage => {
                    let size = t.canvas.image_size;
                    t.notice = Some(match t.planner.route_scene() {
                        Some(scene) => copy_image(ui.ctx(), &scene, size),
                        None => "no route to copy".to_owned(),
                    });
                }
            }
        }
    });
}

fn route(
    ui: &mut Ui,
    p: &mut Planner,
    error: Option<&str>,
    cache: &mut AnalysisCache,
    image_size: &mut ImageSize,
    actions: &mut Vec<PlannerAction>,
) {
    ui.heading("Retrosynthesis planner");
    ui.horizontal_wrapped(|ui| {
        let l = ui.label("Target SMILES");
        let r = ui
            .text_edit_singleline(&mut p.target_input)
            .labelled_by(l.id);
        if r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
            actions.push(PlannerAction::Plan);
        }
        let l = ui.label("Top-k");
        ui.add(egui::DragValue::new(&mut p.top_k).range(1..=10))
            .labelled_by(l.id);
        if ui.button("Plan").clicked() {
            actions.push(PlannerAction::Plan);
        }
    });
    ui.horizontal_wrapped(|ui| {
        if !p.nodes.is_empty() {
            if ui.button("Export route CSV…").clicked() {
                actions.push(PlannerAction::Export(Export::RouteCsv));
            }
            if ui.button("Export route reactions…").clicked() {
                actions.push(PlannerAction::Export(Export::RouteReactions));
            }
            if ui.button("Export route SVG…").clicked() {
                actions.push(PlannerAction::Export(Export::RouteSvg(*image_size)));
            }
            if ui.button("Export route PNG…").clicked() {
                actions.push(PlannerAction::Export(Export::RoutePng(*image_size)));
            }
            if ui.button("Copy route image").clicked() {
                actions.push(PlannerAction::CopyImage);
            }
        }
    });
    if let Some(e) = error {
        ui.colored_label(ui.visuals().error_fg_color, e);
    }
    if !p.nodes.is_empty() {
        image_size_choice(ui, image_size);
        route_summary(ui, p);
    }
    ui.weak(
        "Each expansion asks the model for precursor sets; each set is checked by forward \
         prediction: 'round trip confirmed' when the model predicts the target back.",
    );
    ui.separator();
    if p.nodes.is_empty() {
        return;
    }
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| node(ui, p, 0, cache, actions));
}

/// The selected route in one line: its steps, starting materials and overall probability.
fn route_summary(ui: &mut Ui, p: &Planner) {
    let steps = p.selected_route().len();
    let leaves = p.route_leaves();
    let available = leaves.iter().filter(|&&n| p.nodes[n].available).count();
    ui.horizontal_wrapped(|ui| {
        ui.label(format!(
            "Selected route: {steps} step{}, {} starting material{} ({available} available)",
            if steps == 1 { "" } else { "s" },
            leaves.len(),
            if leaves.len() == 1 { "" } else { "s" },
        ));
        if let Some(prob) = p.route_probability() {
            ui.label(format!("route probability {prob:.3}"))
                .on_hover_text(
                    "The product of the steps' probabilities; each step's probability is the \
                 exponential of the model's length-normalised log score for that option \
                 (so this is exp of the sum of the steps' scores). It ranks routes; it is \
                 not a yield.",
                );
        }
    });
}

fn node(
    ui: &mut Ui,
    p: &mut Planner,
    n: usize,
    cache: &mut AnalysisCache,
    actions: &mut Vec<PlannerAction>,
) {
    let smiles = p.nodes[n].smiles.clone();
    ui.horizontal(|ui| {
        let a = cache.get(&smiles);
        if let Some(d) = &a.drawing
            && canvas(ui, d, Vec2::new(150.0, 100.0), None).clicked()
        {
            actions.push(PlannerAction::ShowOnCanvas(smiles.clone()));
        }
        ui.vertical(|ui| {
            ui.label(RichText::new(&smiles).monospace());
            ui.horizontal(|ui| {
                let node = &mut p.nodes[n];
                ui.checkbox(&mut node.available, "available");
                match &node.expansion {
                    Expansion::NotExpanded | Expansion::Failed(_) => {
                        if !node.available && ui.small_button("Expand").clicked() {
                            actions.push(PlannerAction::Expand(n));
                        }
                    }
                    Expansion::Running(_) => {
                        ui.spinner();
                        ui.label("asking the model…");
                    }
                    Expansion::Done(_) => {
                        let label = if node.collapsed { "Show" } else { "Collapse" };
                        if ui.small_button(label).clicked() {
                            node.collapsed = !node.collapsed;
                        }
                    }
                }
            });
            if let Expansion::Failed(m) = &p.nodes[n].expansion {
                ui.colored_label(ui.visuals().warn_fg_color, m);
            }
        });
    });
    if p.nodes[n].collapsed {
        return;
    }
    let Expansion::Done(sets) = p.nodes[n].expansion.clone() else {
        return;
    };
    ui.indent(("route", n), |ui| {
        for (k, s) in sets.iter().enumerate() {
            ui.horizontal_wrapped(|ui| {
                ui.strong(format!("{}.", k + 1));
                ui.label(RichText::new(&s.smiles).monospace());
                if let Some(score) = s.score {
                    // `+ 0.0`: a -0.0 log-probability reads as 0.000.
                    ui.weak(format!("score {:.3}", score + 0.0));
                }
                match &s.round_trip {
                    RoundTrip::Confirmed => {
                        ui.colored_label(
                            Color32::from_rgb(0x20, 0xa0, 0x40),
                            "round trip confirmed",
                        );
                    }
                    RoundTrip::Differs(other) => {
                        ui.colored_label(
                            ui.visuals().warn_fg_color,
                            format!("forward predicts {other}"),
                        );
                    }
                    RoundTrip::Checking(_) => {
                        ui.spinner();
                        ui.label("checking");
                    }
                    RoundTrip::Failed(m) => {
                        ui.colored_label(ui.visuals().error_fg_color, m.clone());
                    }
                }
                if s.valid
                    && ui
                        .radio(p.nodes[n].chosen == Some(k), "use in route")
                        .on_hover_text("The exported route takes this option for this molecule.")
                        .clicked()
                {
                    actions.push(PlannerAction::Choose(n, k));
                }
                if ui.small_button("Prune").clicked() {
                    actions.push(PlannerAction::Prune(n, k));
                }
            });
            if s.valid {
                let rxn = format!("{}>>{}", s.smiles, smiles);
                let a = cache.get(&rxn);
                if let Some(d) = &a.drawing {
                    let w = ui.available_width().min(520.0);
                    canvas(ui, d, Vec2::new(w, 110.0), None);
                }
            }
            ui.indent(("set", n, k), |ui| {
                for &c in &s.children {
                    node(ui, p, c, cache, actions);
                }
            });
        }
    });
}
