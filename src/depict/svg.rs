//! SVG backend: renders a `Scene` to an SVG document string.

use std::fmt::Write;

use super::scene::{Item, Scene, Shift, text_extent};

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
            } => {
                let _ = writeln!(
                    s,
                    r#"<line x1="{:.2}" y1="{:.2}" x2="{:.2}" y2="{:.2}" stroke="{}" stroke-width="{:.2}" stroke-linecap="round"/>"#,
                    from.x,
                    from.y,
                    to.x,
                    to.y,
                    color.hex(),
                    width
                );
            }
            Item::Wedge {
                tip,
                base,
                half_width,
                hashed,
                color,
            } => {
                let n = (*base - *tip).unit().rotate(std::f64::consts::FRAC_PI_2) * *half_width;
                if *hashed {
                    // Hash lines widen from the stereocentre outwards.
                    let steps = 6;
                    for k in 1..=steps {
                        let t = k as f64 / steps as f64;
                        let c = *tip + (*base - *tip) * t;
                        let h = n * t;
                        let _ = writeln!(
                            s,
                            r#"<line x1="{:.2}" y1="{:.2}" x2="{:.2}" y2="{:.2}" stroke="{}" stroke-width="{:.2}"/>"#,
                            c.x + h.x,
                            c.y + h.y,
                            c.x - h.x,
                            c.y - h.y,
                            color.hex(),
                            half_width * 0.35
                        );
                    }
                } else {
                    let (a, b) = (*base + n, *base - n);
                    let _ = writeln!(
                        s,
                        r#"<polygon points="{:.2},{:.2} {:.2},{:.2} {:.2},{:.2}" fill="{}"/>"#,
                        tip.x,
                        tip.y,
                        a.x,
                        a.y,
                        b.x,
                        b.y,
                        color.hex()
                    );
                }
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
                    // Absolute x per span keeps layout identical across renderers.
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
            Item::Dot { at, radius, color } => {
                let _ = writeln!(
                    s,
                    r#"<circle cx="{:.2}" cy="{:.2}" r="{:.2}" fill="{}"/>"#,
                    at.x,
                    at.y,
                    radius,
                    color.hex()
                );
            }
            Item::Arrow { from, to, width } => {
                let d = (*to - *from).unit();
                let n = d.rotate(std::f64::consts::FRAC_PI_2);
                let head = *width * 6.0;
                let (a, b) = (
                    *to - d * head + n * head * 0.5,
                    *to - d * head - n * head * 0.5,
                );
                let _ = writeln!(
                    s,
                    r##"<line x1="{:.2}" y1="{:.2}" x2="{:.2}" y2="{:.2}" stroke="#000000" stroke-width="{:.2}"/>"##,
                    from.x,
                    from.y,
                    to.x - d.x * head,
                    to.y - d.y * head,
                    width
                );
                let _ = writeln!(
                    s,
                    r##"<polygon points="{:.2},{:.2} {:.2},{:.2} {:.2},{:.2}" fill="#000000"/>"##,
                    to.x, to.y, a.x, a.y, b.x, b.y
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
