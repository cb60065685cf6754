//! Wedge bonds and reaction arrows as scene primitives. Their geometry is decided here, once,
//! while the scene is built, so the SVG, the PNG and the app's painter all draw the same shapes.

use super::layout::Vec2;
use super::scene::{Color, Item, LineCap};

/// Lines across a hashed wedge.
const HASH_LINES: usize = 6;
/// Stroke width of those lines, relative to the wedge's half width.
const HASH_LINE_WIDTH: f64 = 0.35;
/// Length of an arrow head in shaft widths; the head is as wide as it is long.
const ARROW_HEAD_LENGTH: f64 = 6.0;

/// The unit normal of `from`→`to`, turned anticlockwise in y-up terms.
fn normal(from: Vec2, to: Vec2) -> Vec2 {
    (to - from).unit().rotate(std::f64::consts::FRAC_PI_2)
}

/// A solid wedge: a triangle with its point at `tip` (the stereocentre), reaching `half_width`
/// to either side of the bond at `base`.
pub fn wedge(tip: Vec2, base: Vec2, half_width: f64, color: Color) -> Item {
    let n = normal(tip, base) * half_width;
    Item::Polygon {
        points: vec![tip, base + n, base - n],
        color,
    }
}

/// A hashed wedge: lines across the bond that widen from `tip` (the stereocentre) until they
/// reach `half_width` to either side at `base`.
pub fn hashed_wedge(tip: Vec2, base: Vec2, half_width: f64, color: Color) -> Vec<Item> {
    let n = normal(tip, base) * half_width;
    (1..=HASH_LINES)
        .map(|k| {
            let t = k as f64 / HASH_LINES as f64;
            let centre = tip + (base - tip) * t;
            let across = n * t;
            Item::Line {
                from: centre + across,
                to: centre - across,
                width: half_width * HASH_LINE_WIDTH,
                color,
                cap: LineCap::Butt,
            }
        })
        .collect()
}

/// A reaction arrow from `from` to `to` with a shaft `width` wide: the shaft stops where the
/// filled triangular head begins, and the head's point is `to`.
pub fn arrow(from: Vec2, to: Vec2, width: f64, color: Color) -> [Item; 2] {
    let d = (to - from).unit();
    let n = normal(from, to);
    let head = width * ARROW_HEAD_LENGTH;
    let head_base = to - d * head;
    [
        Item::Line {
            from,
            to: head_base,
            width,
            color,
            cap: LineCap::Butt,
        },
        Item::Polygon {
            points: vec![to, head_base + n * head * 0.5, head_base - n * head * 0.5],
            color,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Vec2, b: Vec2) -> bool {
        (a - b).len() < 1e-12
    }

    #[test]
    fn arrow_is_a_shaft_up_to_a_triangular_head() {
        let [shaft, head] = arrow(Vec2::new(1.0, 2.0), Vec2::new(4.0, 2.0), 0.1, Color::BLACK);
        let Item::Line {
            from, to, width, ..
        } = shaft
        else {
            panic!("{shaft:?}")
        };
        assert!(close(from, Vec2::new(1.0, 2.0)) && close(to, Vec2::new(3.4, 2.0)));
        assert_eq!(width, 0.1);
        let Item::Polygon { points, .. } = head else {
            panic!("{head:?}")
        };
        let want = [
            Vec2::new(4.0, 2.0),
            Vec2::new(3.4, 2.3),
            Vec2::new(3.4, 1.7),
        ];
        assert_eq!(points.len(), 3);
        assert!(
            points.iter().zip(&want).all(|(&p, &w)| close(p, w)),
            "{points:?}"
        );
    }

    #[test]
    fn wedges_are_narrow_at_the_stereocentre() {
        let (tip, base) = (Vec2::ZERO, Vec2::new(0.0, 1.0));
        let Item::Polygon { points, .. } = wedge(tip, base, 0.2, Color::BLACK) else {
            panic!()
        };
        assert!(close(points[0], tip));
        assert!(close(points[1], Vec2::new(-0.2, 1.0)) && close(points[2], Vec2::new(0.2, 1.0)));
        let hashes = hashed_wedge(tip, base, 0.2, Color::BLACK);
        let spans: Vec<f64> = hashes
            .iter()
            .map(|h| match h {
                Item::Line { from, to, .. } => (*from - *to).len(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(spans.len(), HASH_LINES);
        assert!(spans.windows(2).all(|w| w[0] < w[1]));
        assert!((spans[HASH_LINES - 1] - 0.4).abs() < 1e-12);
    }
}
