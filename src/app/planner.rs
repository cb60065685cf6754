//! Retrosynthesis planner: the user sets a target; each expansion asks the model for the top-k
//! precursor sets, and each set is checked by forward prediction (a round trip: does the model
//! turn those precursors back into the target?). Precursors can be expanded in turn, building a
//! route tree, marked as available (bought), and options pruned. One option per molecule makes
//! the selected route, which exports as CSV, reaction SMILES and a left-to-right picture.

use super::backend::{Event, GenerateOptions, ModelBackend, RequestId};
use super::history::ResultRecord;
use super::image_size::ImageSize;
use crate::chem::canon::canonical_smiles;
use crate::chem::smiles::parse_molecule;
use crate::depict::layout::Vec2;
use crate::depict::scene::{Color, Item, Scene, Shift, Span};
use crate::depict::shapes::arrow;
use crate::depict::{Style, molecule_scene};
use crate::export::csv::field;
use crate::model::task::Task;

/// Whether a precursor set's forward prediction gives the target back.
#[derive(Clone, Debug, PartialEq)]
pub enum RoundTrip {
    Checking(RequestId),
    /// ✓: the forward model's best answer is the target (canonical SMILES compared).
    Confirmed,
    /// ✗: it predicts something else (shown).
    Differs(String),
    Failed(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct PrecursorSet {
    /// Dot-separated precursor SMILES as the model wrote them.
    pub smiles: String,
    pub score: Option<f32>,
    pub valid: bool,
    pub round_trip: RoundTrip,
    /// Node ids of the precursors (one per component), once the set is valid.
    pub children: Vec<usize>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expansion {
    NotExpanded,
    Running(RequestId),
    Done(Vec<PrecursorSet>),
    Failed(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub smiles: String,
    pub depth: usize,
    pub available: bool,
    pub collapsed: bool,
    pub expansion: Expansion,
    /// The precursor set the selected route takes from here (an index into the expansion's sets).
    pub chosen: Option<usize>,
}

#[derive(Default)]
pub struct Planner {
    /// The target being typed.
    pub target_input: String,
    /// Node 0 is the target; precursors follow.
    pub nodes: Vec<Node>,
    pub top_k: usize,
}

fn canonical(s: &str) -> Option<String> {
    parse_molecule(s).ok().map(|m| canonical_smiles(&m))
}

impl Planner {
    pub fn new() -> Planner {
        Planner {
            top_k: 5,
            ..Planner::default()
        }
    }

    /// Starts a new route tree for `target` (a valid SMILES, else the reader's error).
    pub fn set_target(&mut self, target: &str) -> Result<(), String> {
        let target = target.trim();
        parse_molecule(target).map_err(|e| e.to_string())?;
        self.nodes = vec![Node {
            smiles: target.to_owned(),
            depth: 0,
            available: false,
            collapsed: false,
            expansion: Expansion::NotExpanded,
            chosen: None,
        }];
        Ok(())
    }

    /// Asks the model for the top-k precursor sets of node `n`.
    pub fn expand(&mut self, n: usize, backend: &mut dyn ModelBackend, base: GenerateOptions) {
        let settings = GenerateOptions {
            beams: self.top_k.max(1),
            ..base
        };
        let id = backend.generate(Task::Retro, &self.nodes[n].smiles, settings);
        self.nodes[n].expansion = Expansion::Running(id);
        self.nodes[n].collapsed = false;
    }

    /// Drops precursor set `k` of node `n` (its subtree stays in `nodes` but is unreachable).
    pub fn prune(&mut self, n: usize, k: usize) {
        let node = &mut self.nodes[n];
        if let Expansion::Done(sets) = &mut node.expansion
            && k < sets.len()
        {
            sets.remove(k);
            node.chosen = match node.chosen {
                Some(c) if c == k => sets.iter().position(|s| s.valid),
                Some(c) if c > k => Some(c - 1),
                other => other,
            };
        }
    }

    /// Makes precursor set `k` of node `n` the selected route's step from `n` (valid sets only).
    pub fn choose(&mut self, n: usize, k: usize) {
        if let Expansion::Done(sets) = &self.nodes[n].expansion
            && sets.get(k).is_some_and(|s| s.valid)
        {
            self.nodes[n].chosen = Some(k);
        }
    }

    /// Whether any of the planner's requests is `id`.
    fn owns(&self, id: RequestId) -> bool {
        self.nodes.iter().any(|n| match &n.expansion {
            Expansion::Running(r) => *r == id,
            Expansion::Done(sets) => sets.iter().any(|s| s.round_trip == RoundTrip::Checking(id)),
            _ => false,
        })
    }

    /// Takes the event when it answers one of the planner's requests.
    pub fn handle(
        &mut self,
        event: &Event,
        backend: &mut dyn ModelBackend,
        base: GenerateOptions,
    ) -> bool {
        let (id, outcome): (RequestId, Result<Vec<ResultRecord>, String>) = match event {
            Event::Finished { id, answer } => (
                *id,
                Ok(answer.results.iter().cloned().map(Into::into).collect()),
            ),
            Event::Failed { id, message } => (*id, Err(message.clone())),
            Event::Cancelled { id } => (*id, Err("cancelled".into())),
            Event::Progress { id, .. } | Event::Partial { id, .. } => {
                return self.owns(*id);
            }
            _ => return false,
        };
        if !self.owns(id) {
            return false;
        }
        if let Some(n) = self
            .nodes
            .iter()
            .position(|n| n.expansion == Expansion::Running(id))
        {
            self.nodes[n].expansion = match outcome {
                Ok(results) => {
                    let sets = self.precursor_sets(n, &results, backend, base);
                    // The route goes through the best-ranked set that reads until the user picks.
                    self.nodes[n].chosen = sets.iter().position(|s| s.valid);
                    Expansion::Done(sets)
                }
                Err(m) => Expansion::Failed(m),
            };
            return true;
        }
        for n in 0..self.nodes.len() {
            let target = canonical(&self.nodes[n].smiles);
            if let Expansion::Done(sets) = &mut self.nodes[n].expansion {
                for s in sets.iter_mut() {
                    if s.round_trip == RoundTrip::Checking(id) {
                        s.round_trip = match &outcome {
                            Ok(results) => match results.first() {
                                Some(best)
                                    if canonical(&best.text) == target && target.is_some() =>
                                {
                                    RoundTrip::Confirmed
                                }
                                Some(best) => RoundTrip::Differs(best.text.clone()),
                                None => RoundTrip::Failed("no prediction".into()),
                            },
                            Err(m) => RoundTrip::Failed(m.clone()),
                        };
                    }
                }
            }
        }
        true
    }

    /// Turns retro answers into precursor sets, adds their molecules as nodes, and asks for
    /// each valid set's forward check.
    fn precursor_sets(
        &mut self,
        n: usize,
        results: &[ResultRecord],
        backend: &mut dyn ModelBackend,
        base: GenerateOptions,
    ) -> Vec<PrecursorSet> {
        let depth = self.nodes[n].depth + 1;
        let mut sets = Vec::new();
        for r in results {
            let valid = r.valid.unwrap_or_else(|| parse_molecule(&r.text).is_ok());
            let mut children = Vec::new();
            let round_trip = if valid {
                for part in r.text.split('.').filter(|p| !p.is_empty()) {
                    children.push(self.nodes.len());
                    self.nodes.push(Node {
                        smiles: part.to_owned(),
                        depth,
                        available: false,
                        collapsed: false,
                        expansion: Expansion::NotExpanded,
                        chosen: None,
                    });
                }
                let settings = GenerateOptions { beams: 1, ..base };
                RoundTrip::Checking(backend.generate(Task::Forward, &r.text, settings))
            } else {
                RoundTrip::Failed(r.error.clone().unwrap_or_else(|| "invalid SMILES".into()))
            };
            sets.push(PrecursorSet {
                smiles: r.text.clone(),
                score: r.score,
                valid,
                round_trip,
                children,
            });
        }
        sets
    }

    /// The selected route's steps, target first, depth first: (node, chosen set). The route
    /// stops at available molecules (bought) and at molecules with no chosen set.
    pub fn selected_route(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut stack = vec![0usize];
        while let Some(n) = stack.pop() {
            let Some(node) = self.nodes.get(n) else {
                continue;
            };
            if node.available && n != 0 {
                continue;
            }
            if let (Expansion::Done(sets), Some(k)) = (&node.expansion, node.chosen)
                && let Some(set) = sets.get(k)
            {
                out.push((n, k));
                stack.extend(set.children.iter().rev());
            }
        }
        out
    }

    /// The selected route's starting materials: the precursors no chosen step expands.
    pub fn route_leaves(&self) -> Vec<usize> {
        let steps = self.selected_route();
        steps
            .iter()
            .flat_map(|&(n, k)| self.set(n, k).children.clone())
            .filter(|c| !steps.iter().any(|&(m, _)| m == *c))
            .collect()
    }

    fn set(&self, n: usize, k: usize) -> &PrecursorSet {
        match &self.nodes[n].expansion {
            Expansion::Done(sets) => &sets[k],
            _ => unreachable!("route steps are expanded nodes"),
        }
    }

    /// The selected route's overall probability: the product of its steps' probabilities, each
    /// the exponential of the step's length-normalised log score (so the sum of the log scores,
    /// exponentiated). `None` without steps or when a step has no score.
    pub fn route_probability(&self) -> Option<f64> {
        let steps = self.selected_route();
        if steps.is_empty() {
            return None;
        }
        let mut sum = 0.0f64;
        for (n, k) in steps {
            sum += f64::from(self.set(n, k).score?);
        }
        Some(sum.exp())
    }

    /// The selected route as reaction SMILES, one step a line, in the order a chemist runs them
    /// (the steps furthest from the target first).
    pub fn route_reactions(&self) -> String {
        let mut out = String::new();
        for (n, k) in self.selected_route().into_iter().rev() {
            out.push_str(&format!(
                "{}>>{}\n",
                self.set(n, k).smiles,
                self.nodes[n].smiles
            ));
        }
        out
    }

    /// The selected route drawn left to right, in bond-length units: starting materials on the
    /// left, the target on the right, an arrow into each product labelled with the step's
    /// probability and round trip, and each starting material marked available or not.
    pub fn route_scene(&self) -> Option<Scene> {
        let target = self.nodes.first()?;
        let steps = self.selected_route();
        let mut route_nodes = vec![0usize];
        for &(n, k) in &steps {
            route_nodes.extend(self.set(n, k).children.iter().copied());
        }
        let leaves = self.route_leaves();
        let mut drawings = std::collections::HashMap::new();
        for &n in &route_nodes {
            let m = parse_molecule(&self.nodes[n].smiles).ok()?;
            let mut scene = molecule_scene(&m, &Style::default());
            let (lo, _) = scene.bounds();
            scene.transform(1.0, Vec2::new(-lo.x, -lo.y));
            let (_, hi) = scene.bounds();
            // A starting material's box holds its "available" mark below it.
            let mark = leaves
                .contains(&n)
                .then(|| leaf_mark(self.nodes[n].available));
            let (box_w, box_h) = match &mark {
                Some((text, _)) => (hi.x.max(caption_width(text)), hi.y + LEAF_MARK),
                None => (hi.x, hi.y),
            };
            drawings.insert(
                n,
                Placed {
                    scene,
                    w: hi.x,
                    h: hi.y,
                    box_w,
                    box_h,
                    mark,
                },
            );
        }
        // Columns by depth (the target's rightmost), each as wide as its widest molecule.
        let depth_of = |n: usize| self.nodes[n].depth - target.depth;
        let max_depth = route_nodes.iter().map(|&n| depth_of(n)).max().unwrap_or(0);
        let mut col_width = vec![0.0f64; max_depth + 1];
        for &n in &route_nodes {
            col_width[depth_of(n)] = col_width[depth_of(n)].max(drawings[&n].box_w);
        }
        let mut col_left = vec![0.0; max_depth + 1];
        let mut x = 0.0;
        for d in (0..=max_depth).rev() {
            col_left[d] = x;
            x += col_width[d] + ROUTE_ARROW;
        }
        // Rows: leaves stacked in route order, each product centred on its precursors.
        let mut centre = std::collections::HashMap::new();
        let mut cursor = ROUTE_CAPTION * 2.0;
        self.place_rows(0, &steps, &drawings, &mut centre, &mut cursor);
        let mut items = Vec::new();
        let probability = self
            .route_probability()
            .map(|p| format!(" · route probability {p:.3} (product of the steps' probabilities)"))
            .unwrap_or_default();
        items.push(caption_item(
            0.0,
            ROUTE_CAPTION / 2.0,
            format!("Route to {}{probability}", target.smiles),
            GREY,
        ));
        for &n in &route_nodes {
            let placed = &drawings[&n];
            let d = depth_of(n);
            let left = col_left[d] + (col_width[d] - placed.w) / 2.0;
            let top = centre[&n] - placed.box_h / 2.0;
            let mut scene = placed.scene.clone();
            scene.transform(1.0, Vec2::new(left, top));
            items.extend(scene.items);
            if let Some((text, color)) = placed.mark {
                let left = col_left[d] + (col_width[d] - caption_width(text)) / 2.0;
                items.push(caption_item(
                    left,
                    top + placed.h + LEAF_MARK / 2.0,
                    text.to_owned(),
                    color,
                ));
            }
        }
        for &(n, k) in &steps {
            let d = depth_of(n);
            let y = centre[&n];
            let from = Vec2::new(col_left[d + 1] + col_width[d + 1] + 0.4, y);
            let to = Vec2::new(col_left[d] - 0.4, y);
            items.extend(arrow(from, to, Style::default().line_width, Color::BLACK));
            let set = self.set(n, k);
            let p = set
                .score
                .map(|s| format!("p {:.2}", f64::from(s).exp()))
                .unwrap_or_else(|| "no score".into());
            items.push(caption_item(from.x + 0.2, y - 0.45, p, GREY));
            let rt = match &set.round_trip {
                RoundTrip::Confirmed => "confirmed",
                RoundTrip::Differs(_) => "differs",
                RoundTrip::Checking(_) => "checking",
                RoundTrip::Failed(_) => "failed",
            };
            items.push(caption_item(from.x + 0.2, y + 0.45, rt.to_owned(), GREY));
        }
        Some(Scene::fitted(items))
    }

    /// Gives node `n` and its route subtree vertical centres; leaves take the next free rows.
    fn place_rows(
        &self,
        n: usize,
        steps: &[(usize, usize)],
        drawings: &std::collections::HashMap<usize, Placed>,
        centre: &mut std::collections::HashMap<usize, f64>,
        cursor: &mut f64,
    ) {
        let h = drawings[&n].box_h;
        let children = match steps.iter().find(|&&(m, _)| m == n) {
            Some(&(_, k)) => self.set(n, k).children.clone(),
            None => Vec::new(),
        };
        if children.is_empty() {
            centre.insert(n, *cursor + h / 2.0);
            *cursor += h + ROUTE_ROW_GAP;
            return;
        }
        for &c in &children {
            self.place_rows(c, steps, drawings, centre, cursor);
        }
        let y = (centre[&children[0]] + centre[children.last().unwrap()]) / 2.0;
        centre.insert(n, y);
        *cursor = cursor.max(y + h / 2.0 + ROUTE_ROW_GAP);
    }

    /// The route picture as SVG text at `size`.
    pub fn route_svg(&self, size: ImageSize) -> Option<String> {
        self.route_scene().map(|s| size.svg(s))
    }

    /// The route picture as PNG bytes at `size`.
    pub fn route_png(&self, size: ImageSize) -> Option<anyhow::Result<Vec<u8>>> {
        self.route_scene().map(|s| size.png(s))
    }

    /// The selected route as CSV: one row per step, target first; `available` lists the step's
    /// precursors marked available, `starting_material` those the route does not expand.
    pub fn route_csv(&self) -> String {
        let mut out = String::from(
            "depth,product,precursors,score,probability,round_trip,available,starting_materials\r\n",
        );
        let steps = self.selected_route();
        let leaves = self.route_leaves();
        for &(n, k) in &steps {
            let node = &self.nodes[n];
            let s = self.set(n, k);
            let rt = match &s.round_trip {
                RoundTrip::Confirmed => "confirmed",
                RoundTrip::Differs(_) => "differs",
                RoundTrip::Checking(_) => "checking",
                RoundTrip::Failed(_) => "failed",
            };
            let pick = |keep: &dyn Fn(usize) -> bool| {
                s.children
                    .iter()
                    .filter(|&&c| keep(c))
                    .map(|&c| self.nodes[c].smiles.as_str())
                    .collect::<Vec<_>>()
                    .join(".")
            };
            let available = pick(&|c| self.nodes[c].available);
            let starting = pick(&|c| leaves.contains(&c));
            out.push_str(&format!(
                "{},{},{},{},{},{},{},{}\r\n",
                node.depth,
                field(&node.smiles),
                field(&s.smiles),
                // `+ 0.0` turns a -0.0 log-probability into 0.0 so the CSV never says "-0.0000".
                s.score
                    .map(|x| format!("{:.4}", x + 0.0))
                    .unwrap_or_default(),
                s.score
                    .map(|x| format!("{:.4}", f64::from(x).exp()))
                    .unwrap_or_default(),
                rt,
                field(&available),
                field(&starting),
            ));
        }
        out
    }
}

/// Space for a caption, between rows and between columns (the arrows), in bond lengths.
const ROUTE_CAPTION: f64 = 1.2;
const ROUTE_ROW_GAP: f64 = 1.4;
const ROUTE_ARROW: f64 = 3.2;
const GREY: Color = Color(0x40, 0x40, 0x40);
const GREEN: Color = Color(0x10, 0x90, 0x30);
const ORANGE: Color = Color(0xd0, 0x60, 0x00);

/// A molecule of the route picture in bond lengths, its top left corner at the origin, and the
/// box it takes with its "available" mark.
struct Placed {
    scene: Scene,
    w: f64,
    h: f64,
    box_w: f64,
    box_h: f64,
    mark: Option<(&'static str, Color)>,
}

/// What a starting material's mark says, and its colour.
fn leaf_mark(available: bool) -> (&'static str, Color) {
    if available {
        ("available", GREEN)
    } else {
        ("not available", ORANGE)
    }
}

/// Height of a starting material's mark, in bond lengths.
const LEAF_MARK: f64 = 0.9;
/// Size of caption text, in bond lengths.
const CAPTION_SIZE: f64 = 0.45;

fn caption_width(text: &str) -> f64 {
    text.chars().count() as f64 * crate::depict::scene::CHAR_WIDTH * CAPTION_SIZE
}

/// A left-aligned caption whose first character sits at (x, y).
fn caption_item(x: f64, y: f64, text: String, color: Color) -> Item {
    let size = CAPTION_SIZE;
    Item::Text {
        at: Vec2::new(x + size * 0.3, y),
        spans: vec![Span {
            text,
            shift: Shift::Normal,
        }],
        anchor_span: 0,
        size,
        color,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::engine::{Answer, RankedOutput};
    use std::collections::VecDeque;

    /// A scripted runtime: each generate request is answered by the next queued answer.
    #[derive(Default)]
    struct Scripted {
        answers: VecDeque<Vec<&'static str>>,
        asked: Vec<(Task, String)>,
        events: VecDeque<Event>,
    }

    impl ModelBackend for Scripted {
        fn load(
            &mut self,
            _: super::super::backend::ModelChoice,
            _: crate::runtime::Device,
        ) -> RequestId {
            0
        }
        fn generate(&mut self, task: Task, input: &str, _: GenerateOptions) -> RequestId {
            self.asked.push((task, input.to_owned()));
            let id = self.asked.len() as RequestId;
            let results = self
                .answers
                .pop_front()
                .unwrap_or_default()
                .into_iter()
                .enumerate()
                .map(|(k, t)| RankedOutput {
                    rank: k + 1,
                    text: t.to_owned(),
                    score: -(k as f32),
                    valid: None,
                    canonical_smiles: None,
                    error: None,
                })
                .collect();
            self.events.push_back(Event::Finished {
                id,
                answer: Answer {
                    task: task.name().into(),
                    input: input.into(),
                    model: "scripted".into(),
                    results,
                },
            });
            id
        }
        fn cancel(&mut self, _: RequestId) {}
        fn try_recv(&mut self) -> Option<Event> {
            self.events.pop_front()
        }
    }

    fn drain(p: &mut Planner, b: &mut Scripted) {
        while let Some(e) = b.try_recv() {
            assert!(p.handle(&e, b, GenerateOptions::default()), "{e:?}");
        }
    }

    #[test]
    fn expansions_are_checked_by_forward_prediction_and_export_as_a_route() {
        let mut p = Planner::new();
        assert!(p.set_target("CC(=O)OCC").is_ok());
        assert!(p.set_target("CC(").unwrap_err().contains("column"));
        p.set_target("CCOC(C)=O").unwrap();
        let mut b = Scripted::default();
        // Retro: two precursor sets and one broken answer; then the forward checks.
        b.answers
            .push_back(vec!["CCO.CC(=O)O", "CCO.CC(=O)Cl", "CC(("]);
        b.answers.push_back(vec!["O=C(C)OCC"]);
        b.answers.push_back(vec!["CCOCC"]);
        p.expand(0, &mut b, GenerateOptions::default());
        drain(&mut p, &mut b);
        assert_eq!(b.asked[1], (Task::Forward, "CCO.CC(=O)O".to_owned()));
        let Expansion::Done(sets) = &p.nodes[0].expansion else {
            panic!("{:?}", p.nodes[0].expansion)
        };
        assert_eq!(sets.len(), 3);
        assert_eq!(sets[0].round_trip, RoundTrip::Confirmed);
        assert_eq!(sets[1].round_trip, RoundTrip::Differs("CCOCC".into()));
        assert!(!sets[2].valid && matches!(sets[2].round_trip, RoundTrip::Failed(_)));
        assert_eq!(p.nodes.len(), 5);
        assert_eq!(p.nodes[0].chosen, Some(0));
        p.nodes[1].available = true;
        p.prune(0, 2);
        let csv = p.route_csv();
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(
            lines[1],
            "0,CCOC(C)=O,CCO.CC(=O)O,0.0000,1.0000,confirmed,CCO,CCO.CC(=O)O"
        );
        assert_eq!(lines.len(), 3, "only the selected step: {csv}");
        assert_eq!(p.route_reactions(), "CCO.CC(=O)O>>CCOC(C)=O\n");

        // Choosing the second option swaps the route; its probability is e^-1.
        p.choose(0, 1);
        assert!(
            p.route_csv()
                .contains(",CCO.CC(=O)Cl,-1.0000,0.3679,differs,")
        );
        assert!((p.route_probability().unwrap() - (-1.0f64).exp()).abs() < 1e-6);
        p.choose(0, 0);

        // A second step: acetic acid from acetaldehyde. Reactions run furthest step first.
        b.answers.push_back(vec!["CC=O"]);
        b.answers.push_back(vec!["CC(=O)O"]);
        p.expand(2, &mut b, GenerateOptions::default());
        drain(&mut p, &mut b);
        assert_eq!(p.selected_route(), [(0, 0), (2, 0)]);
        assert_eq!(
            p.route_reactions(),
            "CC=O>>CC(=O)O\nCCO.CC(=O)O>>CCOC(C)=O\n"
        );
        let leaves: Vec<&str> = p
            .route_leaves()
            .iter()
            .map(|&n| p.nodes[n].smiles.as_str())
            .collect();
        assert_eq!(leaves, ["CCO", "CC=O"]);

        // The picture: one arrow per step (without stereocentres the only polygons are arrow
        // heads), the leaves marked, the unchosen option absent.
        let scene = p.route_scene().unwrap();
        let arrows = scene
            .items
            .iter()
            .filter(|i| matches!(i, Item::Polygon { .. }))
            .count();
        assert_eq!(arrows, 2);
        let texts: Vec<String> = scene
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Text { spans, .. } if spans[0].text.len() > 2 => Some(spans[0].text.clone()),
                _ => None,
            })
            .collect();
        assert!(texts.contains(&"available".to_owned()), "{texts:?}");
        assert!(texts.contains(&"not available".to_owned()), "{texts:?}");
        assert!(texts.iter().any(|t| t.contains("route probability 1.000")));
        // Left to right: every starting material's mark is left of the arrow into the target.
        let last_head = scene
            .polygons()
            .map(|pts| pts.iter().map(|q| q.x).fold(f64::INFINITY, f64::min))
            .fold(f64::NEG_INFINITY, f64::max);
        for item in &scene.items {
            if let Item::Text { at, spans, .. } = item
                && spans[0].text.ends_with("available")
            {
                assert!(at.x < last_head, "{} at {}", spans[0].text, at.x);
            }
        }
        let svg = p.route_svg(ImageSize::Scale(1)).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains(">available<"));
        assert!(!svg.contains("Cl"));
    }

    #[test]
    fn events_of_other_requests_are_left_to_the_chat() {
        let mut p = Planner::new();
        p.set_target("CCO").unwrap();
        let mut b = Scripted::default();
        let e = Event::Cancelled { id: 42 };
        assert!(!p.handle(&e, &mut b, GenerateOptions::default()));
    }
}
