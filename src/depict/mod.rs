//! 2D depiction: coordinates (`layout`), drawing conventions into a backend-neutral `scene` of
//! plain primitives (`draw`, `labels`, `wedges`, `radicals`, `shapes`, `highlight`), and
//! backends (`svg`, `png`; the app paints scenes with egui).

pub mod draw;
pub mod highlight;
pub mod labels;
pub mod layout;
pub mod png;
pub mod radicals;
pub mod scene;
pub mod shapes;
pub mod svg;
pub mod wedges;

pub use draw::{Style, molecule_scene, reaction_scene};

/// SVG of a molecule fitted into `width` × `height` pixels.
pub fn molecule_svg(mol: &crate::chem::Molecule, width: f64, height: f64) -> String {
    let mut scene = molecule_scene(mol, &Style::default());
    scene.fit(width, height, 10.0);
    svg::to_svg(&scene)
}

/// SVG of a reaction fitted into `width` × `height` pixels.
pub fn reaction_svg(rxn: &crate::chem::Reaction, width: f64, height: f64) -> String {
    let mut scene = reaction_scene(rxn, &Style::default());
    scene.fit(width, height, 10.0);
    svg::to_svg(&scene)
}
