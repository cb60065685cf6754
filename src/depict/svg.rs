//! SVG backend: renders a `Scene` to an SVG document string.

use std::fmt::Write;

use super::scene::{Item, LineCap, Scene, Shift, text_extent};

/// Font family written into the SVG; the PNG backend ships the same face in assets/fonts.
pub const FONT_FAMILY: &str = "DejaVu Sans, Arial, sans-serif";

pub fn to_svg(scene: &Scene) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0}" height="{h:.0}" viewBox="0 0 {w:.2} {h:.2}">"#,
        w = scene.width,
        h = scene.height
    );
    let _ = writeln!(s, r##"<rect width="100%" height="100%" fill="#ffffff"/>"##);
    for item in &scene.items {
        match item {
            Item::Line {
                from,
                to,
                width,
                color,
                cap,
            } => {
                let _ = write!(
                    s,
                    r#"<line x1="{:.2}" y1="{:.2}" x2="{:.2}" y2="{:.2}" stroke="{}" stroke-width="{:.2}""#,
                    from.x,
                    from.y,
                    to.x,
                    to.y,
                    color.hex(),
                    width
                );
                // Butt is SVG's default cap.
                if *cap == LineCap::Round {
                    s.push_str(r#" stroke-linecap="round""#);
                }
                s.push_str("/>\n");
            }
            Item::Polygon { points, color } => {
                s.push_str(r#"<polygon points=""#);
                for (k, p) in points.iter().enumerate() {
                    let sep = if k == 0 { "" } else { " " };
                    let _ = write!(s, "{sep}{:.2},{:.2}", p.x, p.y);
                }
                let _ = writeln!(s, r#"" fill="{}"/>"#, color.hex());
            }
            Item::Text {
                at,
                spans,
                anchor_span,
                size,
                color,
            } => {
                let (left, _) = text_extent(spans, *anchor_span, *size);
                let _ = write!(
                    s,
                    r#"<text x="{:.2}" y="{:.2}" font-family="{}" font-size="{:.2}" fill="{}">"#,
                    at.x - left,
                    at.y + size * 0.35,
                    FONT_FAMILY,
                    size,
                    color.hex()
                );
                for span in spans {
                    let (dy, k) = match span.shift {
                        Shift::Normal => (0.0, 1.0),
                        Shift::Sub => (0.25, 0.7),
                        Shift::Super => (-0.4, 0.7),
                    };
                    // A shifted span is followed by an empty one shifting back to the baseline.
                    let _ = write!(
                        s,
                        r#"<tspan dy="{:.2}" font-size="{:.2}">{}</tspan>"#,
                        dy * size,
                        size * k,
                        escape(&span.text)
                    );
                    if dy != 0.0 {
                        let _ = write!(s, r#"<tspan dy="{:.2}"></tspan>"#, -dy * size);
                    }
                }
                let _ = writeln!(s, "</text>");
            }
            Item::Circle { at, radius, color } => {
                let _ = writeln!(
                    s,
                    r#"<circle cx="{:.2}" cy="{:.2}" r="{:.2}" fill="{}"/>"#,
                    at.x,
                    at.y,
                    radius,
                    color.hex()
                );
            }
        }
    }
    s.push_str("</svg>\n");
    s
}

fn escape(t: &str) -> String {
    t.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
