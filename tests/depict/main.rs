//! Depiction integration tests (one test binary): layout geometry, the `layout` CLI, the
//! scene's primitives, and SVG snapshots.

mod cli;
mod geometry;
mod scene;
mod snapshots;

use textchem::chem::Molecule;
use textchem::chem::smiles::parse_molecule;
use textchem::depict::layout::{Vec2, layout};

pub fn mol(smiles: &str) -> Molecule {
    parse_molecule(smiles).unwrap_or_else(|e| panic!("{smiles}: {e}"))
}

pub fn coords(smiles: &str) -> (Molecule, Vec<Vec2>) {
    let m = mol(smiles);
    let p = layout(&m);
    (m, p)
}

/// `../shared/<rel>` beside the repository when this checkout has one; tests that need it skip.
pub fn shared_path(rel: &str) -> Option<std::path::PathBuf> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("shared")
        .join(rel);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipping: {} not found", p.display());
        None
    }
}
