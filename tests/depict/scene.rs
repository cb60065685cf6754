//! The scene is the one description of a drawing's geometry: a reaction arrow is a shaft line
//! and a head polygon built with the scene, and the backends draw those points as they are.

use textchem::chem::smiles::parse_reaction;
use textchem::depict::layout::Vec2;
use textchem::depict::scene::{Item, LineCap};
use textchem::depict::{Style, reaction_scene, svg};

#[test]
fn the_arrow_head_is_one_scene_polygon_that_the_svg_writes_unchanged() {
    let rxn = parse_reaction("CCO>>CC=O").unwrap();
    let mut scene = reaction_scene(&rxn, &Style::default());
    scene.fit(700.0, 250.0, 10.0);
    let heads: Vec<&[Vec2]> = scene.polygons().collect();
    assert_eq!(heads.len(), 1, "one arrow head, no wedges");
    let head = heads[0];
    assert_eq!(head.len(), 3);
    let (tip, base) = (head[0], (head[1] + head[2]) * 0.5);

    // The shaft runs along the axis and stops where the head begins; the head is six shaft
    // widths long and as wide as it is long.
    let (from, to, width) = scene
        .items
        .iter()
        .find_map(|i| match *i {
            Item::Line {
                from,
                to,
                width,
                cap: LineCap::Butt,
                ..
            } => Some((from, to, width)),
            _ => None,
        })
        .expect("the arrow's shaft");
    let close = |a: Vec2, b: Vec2| (a - b).len() < 1e-9;
    assert!(close(to, base), "{to:?} {base:?}");
    assert!(from.x < to.x && (from.y - tip.y).abs() < 1e-9 && (to.y - tip.y).abs() < 1e-9);
    assert!(((tip - base).len() - 6.0 * width).abs() < 1e-9);
    assert!(((head[1] - head[2]).len() - 6.0 * width).abs() < 1e-9);

    let points: Vec<String> = head
        .iter()
        .map(|p| format!("{:.2},{:.2}", p.x, p.y))
        .collect();
    let svg = svg::to_svg(&scene);
    let written = format!(
        r##"<polygon points="{}" fill="#000000"/>"##,
        points.join(" ")
    );
    assert!(svg.contains(&written), "{written} not in\n{svg}");
}
