//! The egui backend of the depiction scene: lines, filled polygons and circles, labels with
//! sub- and superscripts; and a molecule canvas with zoom, pan and atom hover.

use egui::text::{CCursor, LayoutJob};
use egui::{
    Align, Color32, FontId, Painter, Pos2, Rect, Response, Sense, Shape, Stroke, TextFormat, Ui,
    Vec2,
};

use super::analysis::{AtomInfo, Drawing};
use crate::depict::highlight::Highlight;
use crate::depict::layout::Vec2 as SceneVec;
use crate::depict::scene::{Color, Item, MAX_BOND_PX, Scene, Shift};

/// Maps scene coordinates (bond lengths, y down) to screen points: `origin + p * scale`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ToScreen {
    pub origin: Pos2,
    pub scale: f32,
}

impl ToScreen {
    pub fn point(&self, p: SceneVec) -> Pos2 {
        self.origin + Vec2::new(p.x as f32, p.y as f32) * self.scale
    }

    /// Centres `scene` in `rect` at the largest scale that fits (capped like `Scene::fit`).
    pub fn fit(scene: &Scene, rect: Rect, margin: f32) -> ToScreen {
        let (lo, hi) = scene.bounds();
        let (w, h) = (
            ((hi.x - lo.x) as f32).max(1e-3),
            ((hi.y - lo.y) as f32).max(1e-3),
        );
        let scale = ((rect.width() - 2.0 * margin) / w)
            .min((rect.height() - 2.0 * margin) / h)
            .min(MAX_BOND_PX as f32)
            .max(1e-3);
        let centre = Vec2::new((lo.x + hi.x) as f32 / 2.0, (lo.y + hi.y) as f32 / 2.0);
        ToScreen {
            origin: rect.center() - centre * scale,
            scale,
        }
    }
}

fn color(c: Color) -> Color32 {
    Color32::from_rgb(c.0, c.1, c.2)
}

/// Paints every item of `scene` with `painter` (a widget-ready function: give it any painter
/// and a transform; the canvas below is one user).
pub fn paint_scene(painter: &Painter, scene: &Scene, t: ToScreen) {
    let k = t.scale;
    for item in &scene.items {
        match item {
            // egui strokes have square ends whatever the scene's cap.
            Item::Line {
                from,
                to,
                width,
                color: c,
                cap: _,
            } => {
                painter.line_segment(
                    [t.point(*from), t.point(*to)],
                    Stroke::new((*width as f32 * k).max(1.0), color(*c)),
                );
            }
            Item::Polygon { points, color: c } => {
                painter.add(Shape::convex_polygon(
                    points.iter().map(|&p| t.point(p)).collect(),
                    color(*c),
                    Stroke::NONE,
                ));
            }
            Item::Text {
                at,
                spans,
                anchor_span,
                size,
                color: c,
            } => {
                let px = (*size as f32 * k).max(4.0);
                let mut job = LayoutJob::default();
                for span in spans {
                    let (font, valign) = match span.shift {
                        Shift::Normal => (px, Align::Center),
                        Shift::Sub => (px * 0.7, Align::BOTTOM),
                        Shift::Super => (px * 0.7, Align::TOP),
                    };
                    job.append(
                        &span.text,
                        0.0,
                        TextFormat {
                            font_id: FontId::proportional(font),
                            color: color(*c),
                            valign,
                            ..TextFormat::default()
                        },
                    );
                }
                let galley = painter.layout_job(job);
                // Centre the first character of the anchor span (the atom symbol) on the atom.
                let idx: usize = spans[..*anchor_span]
                    .iter()
                    .map(|s| s.text.chars().count())
                    .sum();
                let a = galley.pos_from_cursor(CCursor::new(idx));
                let b = galley.pos_from_cursor(CCursor::new(idx + 1));
                let anchor = Pos2::new((a.min.x + b.min.x) / 2.0, a.center().y);
                let pos = t.point(*at) - anchor.to_vec2();
                painter.galley(pos, galley, color(*c));
            }
            Item::Circle {
                at,
                radius,
                color: c,
            } => {
                painter.circle_filled(t.point(*at), (*radius as f32 * k).max(1.5), color(*c));
            }
        }
    }
}

/// Zoom and pan of one canvas.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct View {
    pub zoom: f32,
    pub pan: Vec2,
}

impl Default for View {
    fn default() -> Self {
        View {
            zoom: 1.0,
            pan: Vec2::ZERO,
        }
    }
}

/// The atom nearest `pointer` within half a bond length, if any.
pub fn atom_at(atoms: &[AtomInfo], t: ToScreen, pointer: Pos2) -> Option<&AtomInfo> {
    atoms
        .iter()
        .map(|a| (a, t.point(a.pos).distance(pointer)))
        .filter(|&(_, d)| d <= 0.5 * t.scale)
        .min_by(|x, y| x.1.total_cmp(&y.1))
        .map(|(a, _)| a)
}

/// One line describing an atom: index, element, charge, hydrogens.
pub fn atom_description(a: &AtomInfo) -> String {
    let charge = match a.charge {
        0 => "0".to_owned(),
        c if c > 0 => format!("+{c}"),
        c => c.to_string(),
    };
    format!(
        "atom {} · {} · charge {} · {} H",
        a.index, a.symbol, charge, a.hydrogens
    )
}

/// A drawing on white paper: scroll or pinch to zoom, drag to pan, double-click to reset when
/// `view` is given; hovering an atom highlights it and shows its description.
pub fn canvas(ui: &mut Ui, drawing: &Drawing, size: Vec2, view: Option<&mut View>) -> Response {
    canvas_marked(ui, drawing, size, view, None)
}

/// `canvas` with `marks` (a substructure match) drawn under the structure.
pub fn canvas_marked(
    ui: &mut Ui,
    drawing: &Drawing,
    size: Vec2,
    view: Option<&mut View>,
    marks: Option<&Highlight>,
) -> Response {
    let sense = if view.is_some() {
        Sense::click_and_drag()
    } else {
        Sense::click()
    };
    let (response, painter) = ui.allocate_painter(size, sense);
    let rect = response.rect;
    let painter = painter.with_clip_rect(rect);
    painter.rect_filled(rect, 4.0, Color32::WHITE);
    let mut t = ToScreen::fit(&drawing.scene, rect, 12.0);
    if let Some(view) = view {
        if response.hovered() {
            let (scroll, zoom) = ui.input(|i| (i.smooth_scroll_delta().y, i.zoom_delta()));
            let factor = zoom * (scroll / 200.0).exp();
            if factor != 1.0 {
                // Zoom about the pointer so the atom under it stays put.
                let pointer = response.hover_pos().unwrap_or(rect.center());
                let new_zoom = (view.zoom * factor).clamp(0.2, 20.0);
                let f = new_zoom / view.zoom;
                let anchor = pointer - rect.center();
                view.pan = anchor - (anchor - view.pan) * f;
                view.zoom = new_zoom;
            }
        }
        view.pan += response.drag_delta();
        if response.double_clicked() {
            *view = View::default();
        }
        let c = rect.center();
        t = ToScreen {
            origin: c + (t.origin - c) * view.zoom + view.pan,
            scale: t.scale * view.zoom,
        };
    }
    if let Some(h) = marks {
        let positions: Vec<SceneVec> = drawing.atoms.iter().map(|a| a.pos).collect();
        let under = Scene {
            items: h.items(&positions),
            ..Scene::default()
        };
        paint_scene(&painter, &under, t);
    }
    paint_scene(&painter, &drawing.scene, t);
    let hovered = response
        .hover_pos()
        .and_then(|p| atom_at(&drawing.atoms, t, p))
        .cloned();
    match hovered {
        Some(atom) => {
            painter.circle_stroke(
                t.point(atom.pos),
                0.35 * t.scale,
                Stroke::new(2.0, Color32::from_rgb(0x30, 0x80, 0xe0)),
            );
            response.on_hover_text_at_pointer(atom_description(&atom))
        }
        None => response,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::analysis::Analysis;

    #[test]
    fn fitting_centres_the_drawing_and_hover_finds_the_atom_under_the_pointer() {
        let d = Analysis::of("OCC[N+](C)(C)C").drawing.unwrap();
        let rect = Rect::from_min_size(Pos2::new(10.0, 20.0), Vec2::new(400.0, 300.0));
        let t = ToScreen::fit(&d.scene, rect, 12.0);
        for a in &d.atoms {
            assert!(rect.contains(t.point(a.pos)), "{a:?}");
        }
        let n = &d.atoms[3];
        let hit = atom_at(&d.atoms, t, t.point(n.pos) + Vec2::new(2.0, -1.0)).unwrap();
        assert_eq!(atom_description(hit), "atom 3 · N · charge +1 · 0 H");
        assert_eq!(atom_description(&d.atoms[0]), "atom 0 · O · charge 0 · 1 H");
        assert!(atom_at(&d.atoms, t, rect.min).is_none());
    }

    #[test]
    fn the_arrow_head_is_painted_as_the_scenes_polygon() {
        let rxn = crate::chem::smiles::parse_reaction("CCO>>CC=O").unwrap();
        let scene = crate::depict::reaction_scene(&rxn, &crate::depict::Style::default());
        let polygons: Vec<&[SceneVec]> = scene.polygons().collect();
        assert_eq!(polygons.len(), 1, "one arrow head, no wedges");
        let t = ToScreen {
            origin: Pos2::new(5.0, 7.0),
            scale: 30.0,
        };
        let ctx = egui::Context::default();
        let mut out = ctx.run_pass(egui::RawInput::default(), |ctx| {
            paint_scene(&ctx.layer_painter(egui::LayerId::background()), &scene, t);
        });
        let painted: Vec<Vec<Pos2>> = std::mem::take(&mut out.shapes)
            .into_iter()
            .filter_map(|c| match c.shape {
                Shape::Path(path) if path.closed => Some(path.points),
                _ => None,
            })
            .collect();
        out.drop_without_applying_deltas();
        let want: Vec<Pos2> = polygons[0].iter().map(|&p| t.point(p)).collect();
        assert_eq!(painted, vec![want]);
    }
}
