//! Molecules and reactions to a `Scene`: bonds (double bonds inside rings, terminal C=O
//! centred, triple bonds, wedges/hashes), labels, and the bonds stopping short of them.
//! Works in bond-length units with y pointing down; `Scene::fit` scales to pixels.

use super::labels::atom_label;
use super::layout::{self, LayoutOptions, Vec2};
use super::radicals::{dot_positions, radical_electrons};
use super::scene::{Color, Item, LineCap, Scene, Shift, Span, text_extent};
use super::shapes::{arrow, hashed_wedge, wedge};
use super::wedges::stereo_bonds;
use crate::chem::mol::Adjacency;
use crate::chem::rings::RingInfo;
use crate::chem::{BondIdx, Molecule, Reaction};

#[derive(Clone, Debug)]
pub struct Style {
    pub line_width: f64,
    pub font_size: f64,
    /// Distance between the lines of a double bond.
    pub double_gap: f64,
    /// Colour heteroatom labels (CPK-like) instead of all black.
    pub element_colors: bool,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            line_width: 0.06,
            font_size: 0.5,
            double_gap: 0.18,
            element_colors: true,
        }
    }
}

fn element_color(symbol: &str) -> Color {
    match symbol {
        "O" => Color(0xd0, 0x10, 0x10),
        "N" => Color(0x20, 0x30, 0xd0),
        "S" => Color(0xb0, 0x90, 0x00),
        "P" => Color(0xe0, 0x70, 0x00),
        "F" | "Cl" => Color(0x10, 0x90, 0x10),
        "Br" => Color(0x90, 0x20, 0x20),
        "I" => Color(0x70, 0x10, 0x90),
        _ => Color::BLACK,
    }
}

/// The drawing of one molecule in bond units (not yet fitted to a size).
pub fn molecule_scene(mol: &Molecule, style: &Style) -> Scene {
    let drawer = MoleculeDrawer::new(mol, style);
    // Labels first: their boxes decide where bonds stop and how far out radical dots sit.
    let (mut items, boxes) = drawer.labels();
    drawer.radical_dots(&boxes, &mut items);
    drawer.bonds(&boxes, &mut items);
    Scene::fitted(items)
}

/// What the drawing steps of one molecule share: its neighbour lists, coordinates and rings.
struct MoleculeDrawer<'a> {
    mol: &'a Molecule,
    style: &'a Style,
    adj: Adjacency,
    /// Atom positions in drawing coordinates (y down).
    pos: Vec<Vec2>,
    /// The same positions y up, as layout gives them: label sides and stereo are decided there.
    pos_y_up: Vec<Vec2>,
    rings: RingInfo,
    /// Per bond: whether it lies on an SSSR ring.
    ring_bond: Vec<bool>,
}

/// An atom label's extent around the atom: `left` and `right` of it, `half_height` above and
/// below.
#[derive(Clone, Copy, Debug)]
struct LabelBox {
    left: f64,
    right: f64,
    half_height: f64,
}

impl<'a> MoleculeDrawer<'a> {
    fn new(mol: &'a Molecule, style: &'a Style) -> MoleculeDrawer<'a> {
        let rings = RingInfo::new(mol);
        let pos_y_up = layout::layout_with_rings(mol, &rings, &LayoutOptions::default());
        let pos = pos_y_up.iter().map(|p| Vec2::new(p.x, -p.y)).collect();
        let mut ring_bond = vec![false; mol.bond_count()];
        for r in 0..rings.rings().len() {
            for b in rings.ring_bonds(r) {
                ring_bond[b.index()] = true;
            }
        }
        MoleculeDrawer {
            mol,
            style,
            adj: Adjacency::new(mol),
            pos,
            pos_y_up,
            rings,
            ring_bond,
        }
    }

    /// The atom labels, and each labelled atom's label box.
    fn labels(&self) -> (Vec<Item>, Vec<Option<LabelBox>>) {
        let (mol, style) = (self.mol, self.style);
        let mut items = Vec::new();
        let mut boxes = vec![None; mol.atom_count()];
        for a in mol.atoms() {
            let Some((spans, anchor)) = atom_label(mol, a, &self.pos_y_up) else {
                continue;
            };
            let color = if style.element_colors {
                element_color(mol.atom(a).element.symbol())
            } else {
                Color::BLACK
            };
            let (left, right) = text_extent(&spans, anchor, style.font_size);
            boxes[a.index()] = Some(LabelBox {
                left,
                right,
                half_height: style.font_size * 0.45,
            });
            items.push(Item::Text {
                at: self.pos[a.index()],
                spans,
                anchor_span: anchor,
                size: style.font_size,
                color,
            });
        }
        (items, boxes)
    }

    /// Unpaired electrons: dots beside the atom (or its label) on its emptiest side.
    fn radical_dots(&self, boxes: &[Option<LabelBox>], items: &mut Vec<Item>) {
        let (mol, style, pos) = (self.mol, self.style, &self.pos);
        for a in mol.atoms() {
            let count = radical_electrons(mol, a);
            if count == 0 {
                continue;
            }
            let i = a.index();
            let dirs: Vec<Vec2> = self.adj[i]
                .iter()
                .map(|&(w, _)| (pos[w] - pos[i]).unit())
                .collect();
            let out = if dirs.is_empty() {
                Vec2::new(0.0, -1.0)
            } else {
                layout::widest_gap(&dirs)
            };
            let clearance = match boxes[i] {
                Some(label) => label.exit(out, style.font_size) + style.font_size * 0.12,
                None => style.font_size * 0.45,
            };
            for at in dot_positions(pos[i], &dirs, count, clearance, style.font_size * 0.3) {
                items.push(Item::Circle {
                    at,
                    radius: style.line_width * 1.2,
                    color: Color::BLACK,
                });
            }
        }
    }

    /// Every bond, stopping short of labels: a wedge or hash at stereocentres, otherwise one,
    /// two or three lines.
    fn bonds(&self, boxes: &[Option<LabelBox>], items: &mut Vec<Item>) {
        let (mol, style, pos) = (self.mol, self.style, &self.pos);
        // Stereo is decided in y-up coordinates, where `@` means anticlockwise.
        let wedges = stereo_bonds(mol, &self.pos_y_up, &self.ring_bond);
        for b in mol.bonds() {
            let (x, y) = mol.bond_atoms(b);
            let (i, j) = (x.index(), y.index());
            let d = (pos[j] - pos[i]).unit();
            let exit = |label: Option<LabelBox>, d: Vec2| {
                label.map_or(0.0, |l| l.exit(d, style.font_size))
            };
            let (ci, cj) = (exit(boxes[i], d), exit(boxes[j], -d));
            let (p, q) = trim(pos[i], pos[j], ci, cj);
            if let Some(w) = wedges.iter().find(|w| w.bond == b) {
                let (tip, base) = if w.centre == x { (p, q) } else { (q, p) };
                let half_width = style.double_gap * 0.8;
                if w.hashed {
                    items.extend(hashed_wedge(tip, base, half_width, Color::BLACK));
                } else {
                    items.push(wedge(tip, base, half_width, Color::BLACK));
                }
                continue;
            }
            let line = |from: Vec2, to: Vec2| Item::Line {
                from,
                to,
                width: style.line_width,
                color: Color::BLACK,
                cap: LineCap::Round,
            };
            let normal = (q - p).unit().rotate(std::f64::consts::FRAC_PI_2);
            match mol.bond(b).order.valence() {
                2 => {
                    let side = self.double_bond_side(b, i, j);
                    if side == 0.0 {
                        let o = normal * (style.double_gap / 2.0);
                        items.push(line(p + o, q + o));
                        items.push(line(p - o, q - o));
                    } else {
                        items.push(line(p, q));
                        let o = normal * (style.double_gap * side);
                        // The inner line is shorter so the ring corners stay clean.
                        let inset = (q - p) * 0.12;
                        let (s, e) = (
                            if ci > 0.0 { p } else { p + inset },
                            if cj > 0.0 { q } else { q - inset },
                        );
                        items.push(line(s + o, e + o));
                    }
                }
                3 => {
                    let o = normal * style.double_gap;
                    items.push(line(p, q));
                    items.push(line(p + o, q + o));
                    items.push(line(p - o, q - o));
                }
                _ => {
                    items.push(line(p, q));
                    if let Some(donor) = mol.dative_donor(b) {
                        // A coordinate bond: an arrowhead at the acceptor's end.
                        let (from, to) = if donor == x { (p, q) } else { (q, p) };
                        items.push(arrowhead(from, to, style.double_gap * 0.9));
                    }
                }
            }
        }
    }

    /// Which side of i→j the second line of double bond `b` goes: +1 / -1 along the left
    /// normal, or 0 for a centred pair (terminal C=O, O=C=O, a bond with nothing on either side).
    fn double_bond_side(&self, b: BondIdx, i: usize, j: usize) -> f64 {
        let pos = &self.pos;
        let axis = pos[j] - pos[i];
        let side_of = |p: Vec2| axis.cross(p - pos[i]).signum();
        // In a ring: towards the centre of the smallest ring through the bond.
        let rings = self.rings.rings();
        if let Some(r) = (0..rings.len())
            .filter(|&r| self.rings.ring_bonds(r).contains(&b))
            .min_by_key(|&r| rings[r].len())
        {
            let ring = &rings[r];
            let c =
                ring.iter().fold(Vec2::ZERO, |s, a| s + pos[a.index()]) * (1.0 / ring.len() as f64);
            return side_of(c);
        }
        if self.adj[i].len() == 1 || self.adj[j].len() == 1 {
            return 0.0;
        }
        let sum: f64 = [i, j]
            .iter()
            .flat_map(|&a| self.adj[a].iter().map(|&(w, _)| w))
            .filter(|&w| w != i && w != j)
            .map(|w| side_of(pos[w]))
            .sum();
        if sum.abs() < 0.5 { 0.0 } else { sum.signum() }
    }
}

impl LabelBox {
    /// How far a line leaving the atom along unit `d` runs inside this box, plus a small gap:
    /// bonds stop short of labels.
    fn exit(self, d: Vec2, font_size: f64) -> f64 {
        let tx = if d.x > 1e-9 {
            self.right / d.x
        } else if d.x < -1e-9 {
            self.left / -d.x
        } else {
            f64::INFINITY
        };
        let ty = if d.y.abs() > 1e-9 {
            self.half_height / d.y.abs()
        } else {
            f64::INFINITY
        };
        (tx.min(ty) + font_size * 0.1).min(0.45)
    }
}

/// A filled triangle with its tip at `to`, pointing from `from`, `size` long and wide.
fn arrowhead(from: Vec2, to: Vec2, size: f64) -> Item {
    let d = (to - from).unit();
    let base = to - d * (size * 1.6);
    let side = d.rotate(std::f64::consts::FRAC_PI_2) * size;
    Item::Polygon {
        points: vec![to, base + side, base - side],
        color: Color::BLACK,
    }
}

/// Shortens the segment p–q by `ca` at p and `cb` at q (labels' clearance).
fn trim(p: Vec2, q: Vec2, ca: f64, cb: f64) -> (Vec2, Vec2) {
    let d = (q - p).unit();
    (p + d * ca, q - d * cb)
}

/// Reactants + reactants → products, agents written small over the arrow; each species is
/// one molecule drawing (a `~` species is one multi-component molecule, drawn together).
pub fn reaction_scene(rxn: &Reaction, style: &Style) -> Scene {
    let mut items = Vec::new();
    let mut x = 0.0;
    let gap = 0.8;
    let place = |scene: Scene, x: &mut f64, items: &mut Vec<Item>, k: f64, y: f64| {
        let mut s = scene;
        s.transform(k, Vec2::ZERO);
        let (lo, hi) = s.bounds();
        s.transform(1.0, Vec2::new(*x - lo.x, y - (lo.y + hi.y) / 2.0));
        *x += hi.x - lo.x;
        items.extend(s.items);
        (hi.y - lo.y) / 2.0
    };
    let plus = |x: &mut f64, items: &mut Vec<Item>| {
        *x += gap;
        items.push(text_item("+", Vec2::new(*x, 0.0), style.font_size * 1.4));
        *x += gap;
    };
    for (k, m) in rxn.reactants.iter().enumerate() {
        if k > 0 {
            plus(&mut x, &mut items);
        }
        place(molecule_scene(m, style), &mut x, &mut items, 1.0, 0.0);
    }
    x += gap;
    // Agents over the arrow, scaled down; the arrow is at least as long as they are wide.
    let mut agent_items = Vec::new();
    let mut ax = 0.0;
    let mut agent_half_height: f64 = 0.0;
    for (k, m) in rxn.agents.iter().enumerate() {
        if k > 0 {
            ax += gap * 0.6;
        }
        let h = place(
            molecule_scene(m, style),
            &mut ax,
            &mut agent_items,
            0.6,
            0.0,
        );
        agent_half_height = agent_half_height.max(h);
    }
    let arrow_len = (ax + 1.0).max(2.5);
    let lift = -(agent_half_height + 0.4);
    for item in &mut agent_items {
        let mut s = Scene {
            items: vec![item.clone()],
            ..Scene::default()
        };
        s.transform(1.0, Vec2::new(x + (arrow_len - ax) / 2.0, lift));
        *item = s.items.remove(0);
    }
    items.extend(agent_items);
    items.extend(arrow(
        Vec2::new(x, 0.0),
        Vec2::new(x + arrow_len, 0.0),
        style.line_width,
        Color::BLACK,
    ));
    x += arrow_len + gap;
    for (k, m) in rxn.products.iter().enumerate() {
        if k > 0 {
            plus(&mut x, &mut items);
        }
        place(molecule_scene(m, style), &mut x, &mut items, 1.0, 0.0);
    }
    Scene::fitted(items)
}

fn text_item(t: &str, at: Vec2, size: f64) -> Item {
    Item::Text {
        at,
        spans: vec![Span {
            text: t.into(),
            shift: Shift::Normal,
        }],
        anchor_span: 0,
        size,
        color: Color::BLACK,
    }
}
