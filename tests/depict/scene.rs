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

#[test]
fn a_dative_bond_is_a_line_with_an_arrowhead_at_the_acceptor() {
    use textchem::chem::smiles::parse_molecule;
    use textchem::depict::molecule_scene;
    for smiles in ["N->[Pt]", "[Pt]<-N"] {
        let mol = parse_molecule(smiles).unwrap();
        let n = mol
            .atoms()
            .find(|&a| mol.atom(a).element.symbol() == "N")
            .unwrap();
        let pt = mol
            .atoms()
            .find(|&a| mol.atom(a).element.symbol() == "Pt")
            .unwrap();
        let scene = molecule_scene(&mol, &Style::default());
        let heads: Vec<&[Vec2]> = scene.polygons().collect();
        assert_eq!(heads.len(), 1, "{smiles}: one arrowhead");
        // The tip is the point nearest the acceptor.
        let pos = textchem::depict::layout::layout(&mol);
        let (tip, base) = (heads[0][0], (heads[0][1] + heads[0][2]) * 0.5);
        let towards_pt = pos[pt.index()] - pos[n.index()];
        let d = tip - base;
        assert!(
            d.x * towards_pt.x + d.y * towards_pt.y > 0.0,
            "{smiles}: points to Pt"
        );
    }
    // A plain single bond has no head.
    let plain = parse_molecule("N[Pt]").unwrap();
    assert_eq!(
        molecule_scene(&plain, &Style::default()).polygons().count(),
        0
    );
}
