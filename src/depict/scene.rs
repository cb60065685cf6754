//! A backend-neutral drawing in drawing units (y down): plain primitives only (lines, filled
//! polygons, filled circles, text runs with anchors). Composite marks such as wedges and arrows
//! are already turned into these (`shapes`), so the SVG, the PNG (rendered from the SVG) and the
//! app's painter draw the same geometry and only decide how to put each primitive on screen.

use super::layout::Vec2;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Color(pub u8, pub u8, pub u8);

impl Color {
    pub const BLACK: Color = Color(0, 0, 0);

    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

/// Vertical placement of part of a label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shift {
    Normal,
    /// Subscript: hydrogen counts.
    Sub,
    /// Superscript: charges, isotopes (written before the symbol).
    Super,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Span {
    pub text: String,
    pub shift: Shift,
}

/// How a line's ends are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineCap {
    /// Rounded by half the width past each end, so bonds meeting at an atom join cleanly.
    Round,
    /// Cut square at the ends (hash lines, arrow shafts).
    Butt,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// A stroke `width` wide, centred on the segment `from`–`to`.
    Line {
        from: Vec2,
        to: Vec2,
        width: f64,
        color: Color,
        cap: LineCap,
    },
    /// A filled convex polygon (wedge bonds, arrow heads).
    Polygon { points: Vec<Vec2>, color: Color },
    /// A label whose first character of `spans[anchor_span]` is centred on `at`; the text
    /// runs left to right from there (`at` is the baseline-free centre of that character).
    Text {
        at: Vec2,
        spans: Vec<Span>,
        /// Index of the span holding the atom's own symbol (centred on the atom).
        anchor_span: usize,
        size: f64,
        color: Color,
    },
    /// A filled circle of `radius` centred on `at` (an unpaired electron).
    Circle { at: Vec2, radius: f64, color: Color },
}

/// Largest scale `Scene::fit` uses, in pixels per bond length (scenes are built in bond units).
pub const MAX_BOND_PX: f64 = 40.0;

#[derive(Clone, Debug, Default)]
pub struct Scene {
    pub width: f64,
    pub height: f64,
    pub items: Vec<Item>,
}

/// Width of a character relative to the font size, for laying out text without a font engine
/// (the shipped font's average advance; good enough to centre labels and shorten bonds).
pub const CHAR_WIDTH: f64 = 0.6;

impl Scene {
    /// The filled polygons (arrow heads, wedges), in drawing order.
    pub fn polygons(&self) -> impl Iterator<Item = &[Vec2]> {
        self.items.iter().filter_map(|i| match i {
            Item::Polygon { points, .. } => Some(points.as_slice()),
            _ => None,
        })
    }

    /// Shifts and scales every item so the drawing fits `width` × `height` with `margin`,
    /// keeping its aspect ratio and centring it.
    /// Small molecules are not blown up beyond `MAX_BOND_PX` pixels per bond.
    pub fn fit(&mut self, width: f64, height: f64, margin: f64) {
        let (lo, hi) = self.bounds();
        let (w, h) = ((hi.x - lo.x).max(1e-6), (hi.y - lo.y).max(1e-6));
        let k = ((width - 2.0 * margin) / w)
            .min((height - 2.0 * margin) / h)
            .min(MAX_BOND_PX);
        let off = Vec2::new(
            (width - w * k) / 2.0 - lo.x * k,
            (height - h * k) / 2.0 - lo.y * k,
        );
        self.transform(k, off);
        self.width = width;
        self.height = height;
    }

    /// Scales the drawing to `px_per_unit` and sizes the scene to its bounding box plus
    /// `margin` on each side: an image with no empty space beyond the margin.
    pub fn crop(&mut self, px_per_unit: f64, margin: f64) {
        let (lo, hi) = self.bounds();
        let k = px_per_unit;
        self.transform(k, Vec2::new(margin - lo.x * k, margin - lo.y * k));
        self.width = (hi.x - lo.x) * k + 2.0 * margin;
        self.height = (hi.y - lo.y) * k + 2.0 * margin;
    }

    /// Scales every item by `k` about the origin, then moves it by `off`.
    pub fn transform(&mut self, k: f64, off: Vec2) {
        let tf = |p: Vec2| p * k + off;
        for item in &mut self.items {
            match item {
                Item::Line {
                    from, to, width, ..
                } => {
                    *from = tf(*from);
                    *to = tf(*to);
                    *width *= k;
                }
                Item::Polygon { points, .. } => {
                    for p in points {
                        *p = tf(*p);
                    }
                }
                Item::Text { at, size, .. } => {
                    *at = tf(*at);
                    *size *= k;
                }
                Item::Circle { at, radius, .. } => {
                    *at = tf(*at);
                    *radius *= k;
                }
            }
        }
    }

    /// A scene whose size is the bounding box of its items.
    pub fn fitted(items: Vec<Item>) -> Scene {
        let mut scene = Scene {
            width: 0.0,
            height: 0.0,
            items,
        };
        let (lo, hi) = scene.bounds();
        scene.width = hi.x - lo.x;
        scene.height = hi.y - lo.y;
        scene
    }

    /// Bounding box of all items (text estimated from its length).
    pub fn bounds(&self) -> (Vec2, Vec2) {
        let mut lo = Vec2::new(f64::INFINITY, f64::INFINITY);
        let mut hi = Vec2::new(f64::NEG_INFINITY, f64::NEG_INFINITY);
        let mut add = |p: Vec2| {
            lo = Vec2::new(lo.x.min(p.x), lo.y.min(p.y));
            hi = Vec2::new(hi.x.max(p.x), hi.y.max(p.y));
        };
        for item in &self.items {
            match item {
                Item::Line { from, to, .. } => {
                    add(*from);
                    add(*to);
                }
                Item::Polygon { points, .. } => points.iter().copied().for_each(&mut add),
                Item::Circle { at, radius, .. } => {
                    add(*at - Vec2::new(*radius, *radius));
                    add(*at + Vec2::new(*radius, *radius));
                }
                Item::Text {
                    at,
                    spans,
                    anchor_span,
                    size,
                    ..
                } => {
                    let (left, right) = text_extent(spans, *anchor_span, *size);
                    add(*at + Vec2::new(-left, -size * 0.6));
                    add(*at + Vec2::new(right, size * 0.6));
                }
            }
        }
        if lo.x > hi.x {
            return (Vec2::ZERO, Vec2::new(1.0, 1.0));
        }
        (lo, hi)
    }
}

/// Horizontal extent of a label left and right of its anchor point.
pub fn text_extent(spans: &[Span], anchor_span: usize, size: f64) -> (f64, f64) {
    let w = |s: &Span| {
        let k = if s.shift == Shift::Normal { 1.0 } else { 0.7 };
        s.text.chars().count() as f64 * CHAR_WIDTH * size * k
    };
    let before: f64 = spans[..anchor_span].iter().map(w).sum();
    let total: f64 = spans.iter().map(w).sum();
    let half_char = CHAR_WIDTH * size / 2.0;
    (before + half_char, total - before - half_char)
}
