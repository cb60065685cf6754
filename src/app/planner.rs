//! Retrosynthesis planner: the user sets a target; each expansion asks the model for the top-k
//! precursor sets, and each set is checked by forward prediction (a round trip: does the model
//! turn those precursors back into the target?). Precursors can be expanded in turn, building a
//! route tree, marked as available (bought), and options pruned; the route exports as CSV.

use super::backend::{Event, GenerateOptions, ModelBackend, RequestId};
use super::history::ResultRecord;
use crate::chem::canon::canonical_smiles;
use crate::chem::smiles::{parse_molecule, parse_reaction};
use crate::depict::layout::Vec2;
use crate::depict::scene::{Color, Item, Scene, Shift, Span};
use crate::depict::{Style, molecule_scene, reaction_scene};
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
        if let Expansion::Done(sets) = &mut self.nodes[n].expansion
            && k < sets.len()
        {
            sets.remove(k);
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
                Ok(results) => Expansion::Done(self.precursor_sets(n, &results, backend, base)),
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

    /// The precursor sets reachable from the target, depth first (the CSV's and the picture's
    /// order): (node, set index).
    fn route(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut stack = vec![0usize];
        while let Some(n) = stack.pop() {
            if let Some(Expansion::Done(sets)) = self.nodes.get(n).map(|n| &n.expansion) {
                for (k, s) in sets.iter().enumerate() {
                    out.push((n, k));
                    stack.extend(s.children.iter().rev());
                }
            }
        }
        out
    }

    /// The route as a picture, in bond-length units: one row per precursor set reachable from
    /// the target, drawn as the reaction precursors → product, indented by depth under a caption
    /// with its rank, score and round trip. A route not expanded yet is the target alone.
    pub fn route_scene(&self) -> Option<Scene> {
        let target = self.nodes.first()?;
        let mut items = Vec::new();
        let mut y = 0.0;
        for (n, k) in self.route() {
            let node = &self.nodes[n];
            let Expansion::Done(sets) = &node.expansion else {
                continue;
            };
            let set = &sets[k];
            let x = node.depth as f64 * ROUTE_INDENT;
            let round_trip = match &set.round_trip {
                RoundTrip::Confirmed => "round trip confirmed".to_owned(),
                RoundTrip::Differs(other) => format!("forward predicts {other}"),
                RoundTrip::Checking(_) => "round trip not checked yet".to_owned(),
                RoundTrip::Failed(m) => m.clone(),
            };
            let score = set.score.map(|s| format!(" · score {:.3}", s + 0.0));
            let caption = format!(
                "{}: option {}{} · {round_trip}",
                node.smiles,
                k + 1,
                score.unwrap_or_default()
            );
            items.push(caption_item(x, y + ROUTE_CAPTION / 2.0, caption));
            y += ROUTE_CAPTION;
            let reaction = format!("{}>>{}", set.smiles, node.smiles);
            if let Ok(r) = parse_reaction(&reaction) {
                y = place(&mut items, reaction_scene(&r, &Style::default()), x, y);
            }
            y += ROUTE_GAP;
        }
        if items.is_empty() {
            let m = parse_molecule(&target.smiles).ok()?;
            place(&mut items, molecule_scene(&m, &Style::default()), 0.0, 0.0);
        }
        Some(Scene::fitted(items))
    }

    /// The route picture fitted to its size at a legible scale: SVG text.
    pub fn route_svg(&self) -> Option<String> {
        self.route_scene()
            .map(|s| crate::depict::svg::to_svg(&at_route_scale(s)))
    }

    /// The route picture as PNG bytes.
    pub fn route_png(&self) -> Option<anyhow::Result<Vec<u8>>> {
        self.route_scene()
            .map(|s| crate::depict::png::to_png(&at_route_scale(s)))
    }

    /// The route as CSV: one row per precursor set reachable from the target.
    pub fn route_csv(&self) -> String {
        let mut out = String::from("depth,product,precursors,score,round_trip,available\r\n");
        for (n, k) in self.route() {
            let node = &self.nodes[n];
            let Expansion::Done(sets) = &node.expansion else {
                continue;
            };
            let s = &sets[k];
            let rt = match &s.round_trip {
                RoundTrip::Confirmed => "confirmed",
                RoundTrip::Differs(_) => "differs",
                RoundTrip::Checking(_) => "checking",
                RoundTrip::Failed(_) => "failed",
            };
            let available: Vec<&str> = s
                .children
                .iter()
                .filter(|&&c| self.nodes[c].available)
                .map(|&c| self.nodes[c].smiles.as_str())
                .collect();
            out.push_str(&format!(
                "{},{},{},{},{},{}\r\n",
                node.depth,
                field(&node.smiles),
                field(&s.smiles),
                // `+ 0.0` turns a -0.0 log-probability into 0.0 so the CSV never says "-0.0000".
                s.score
                    .map(|x| format!("{:.4}", x + 0.0))
                    .unwrap_or_default(),
                rt,
                field(&available.join("."))
            ));
        }
        out
    }
}

/// Indent per route depth, space for a caption, and between rows, in bond lengths.
const ROUTE_INDENT: f64 = 2.0;
const ROUTE_CAPTION: f64 = 1.2;
const ROUTE_GAP: f64 = 1.0;
/// Pixels per bond length in exported route pictures, and their margin.
const ROUTE_PX: f64 = 30.0;
const ROUTE_MARGIN: f64 = 16.0;

/// A left-aligned caption whose first character sits at (x, y).
fn caption_item(x: f64, y: f64, text: String) -> Item {
    let size = 0.45;
    Item::Text {
        at: Vec2::new(x + size * 0.3, y),
        spans: vec![Span {
            text,
            shift: Shift::Normal,
        }],
        anchor_span: 0,
        size,
        color: Color(0x40, 0x40, 0x40),
    }
}

/// Moves `scene`'s items so its top left corner is at (x, y) and adds them; returns its bottom.
fn place(items: &mut Vec<Item>, mut scene: Scene, x: f64, y: f64) -> f64 {
    let (lo, hi) = scene.bounds();
    scene.transform(1.0, Vec2::new(x - lo.x, y - lo.y));
    items.extend(scene.items);
    y + (hi.y - lo.y)
}

/// Scales a route scene (bond-length units) to `ROUTE_PX` pixels per bond.
fn at_route_scale(mut scene: Scene) -> Scene {
    let (lo, hi) = scene.bounds();
    let w = (hi.x - lo.x) * ROUTE_PX + 2.0 * ROUTE_MARGIN;
    let h = (hi.y - lo.y) * ROUTE_PX + 2.0 * ROUTE_MARGIN;
    scene.fit(w, h, ROUTE_MARGIN);
    scene
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
        p.nodes[1].available = true;
        p.prune(0, 2);
        let csv = p.route_csv();
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[1], "0,CCOC(C)=O,CCO.CC(=O)O,0.0000,confirmed,CCO");
        assert_eq!(lines[2], "0,CCOC(C)=O,CCO.CC(=O)Cl,-1.0000,differs,");
        assert_eq!(lines.len(), 4);

        // The picture: one reaction arrow per valid set left after pruning, one caption each.
        // (Without stereocentres the only polygons are arrow heads.)
        let scene = p.route_scene().unwrap();
        let arrows = scene
            .items
            .iter()
            .filter(|i| matches!(i, Item::Polygon { .. }))
            .count();
        assert_eq!(arrows, 2);
        let captions: Vec<String> = scene
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Text { spans, .. } if spans[0].text.contains("option") => {
                    Some(spans[0].text.clone())
                }
                _ => None,
            })
            .collect();
        assert_eq!(
            captions,
            [
                "CCOC(C)=O: option 1 · score 0.000 · round trip confirmed",
                "CCOC(C)=O: option 2 · score -1.000 · forward predicts CCOCC"
            ]
        );
        let svg = p.route_svg().unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("round trip confirmed"));
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
