//! Everything textchem knows about a SMILES without a model: canonical form, formula, masses,
//! the reader's error, and a drawing with atom positions for hovering.

use crate::chem::canon::{canonical_reaction_smiles, canonical_smiles};
use crate::chem::props::{formula::molecular_formula, masses};
use crate::chem::rings::RingInfo;
use crate::chem::smiles::{parse_molecule, parse_reaction};
use crate::chem::{Molecule, Reaction};
use crate::depict::layout::{self, LayoutOptions, Vec2};
use crate::depict::scene::Scene;
use crate::depict::{Style, molecule_scene, reaction_scene, svg};

/// The chemistry core's facts about one SMILES (molecule or reaction).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    pub canonical: Option<String>,
    pub formula: Option<String>,
    pub average_mass: Option<f64>,
    pub monoisotopic_mass: Option<f64>,
    /// The reader's error (what and at which column) when the SMILES is invalid.
    pub error: Option<String>,
}

/// Reads `smiles` and summarises it; reactions (containing `>`) get only a canonical form.
pub fn summarize(smiles: &str) -> Summary {
    let s = smiles.trim();
    if s.contains('>') {
        return match parse_reaction(s) {
            Ok(r) => Summary {
                canonical: Some(canonical_reaction_smiles(&r)),
                ..Summary::default()
            },
            Err(e) => Summary {
                error: Some(e.to_string()),
                ..Summary::default()
            },
        };
    }
    match parse_molecule(s) {
        Ok(m) => molecule_summary(&m),
        Err(e) => Summary {
            error: Some(e.to_string()),
            ..Summary::default()
        },
    }
}

fn molecule_summary(m: &Molecule) -> Summary {
    let (average_mass, monoisotopic_mass, error) =
        match (masses::average_mass(m), masses::monoisotopic_mass(m)) {
            (Ok(a), Ok(b)) => (Some(a), Some(b), None),
            (Err(e), _) | (_, Err(e)) => (None, None, Some(e.to_string())),
        };
    Summary {
        canonical: Some(canonical_smiles(m)),
        formula: Some(molecular_formula(m)),
        average_mass,
        monoisotopic_mass,
        error,
    }
}

/// What the painter shows on hover for one atom.
#[derive(Clone, Debug, PartialEq)]
pub struct AtomInfo {
    pub index: usize,
    pub symbol: String,
    pub charge: i8,
    pub hydrogens: u8,
    /// Position in the scene's (unfitted, bond-length) coordinates.
    pub pos: Vec2,
}

/// A drawing in bond-length units, and for a single molecule its atoms' positions.
#[derive(Clone, Debug)]
pub struct Drawing {
    pub scene: Scene,
    pub atoms: Vec<AtomInfo>,
}

impl Drawing {
    pub fn of_molecule(m: &Molecule) -> Drawing {
        let scene = molecule_scene(m, &Style::default());
        // The same deterministic layout the scene was drawn from, y flipped as draw.rs does.
        let info = RingInfo::new(m);
        let pos = layout::layout_with_rings(m, &info, &LayoutOptions::default());
        let atoms = m
            .atoms()
            .map(|a| {
                let atom = m.atom(a);
                let p = pos[a.index()];
                AtomInfo {
                    index: a.index(),
                    symbol: atom.element.symbol().to_owned(),
                    charge: atom.charge,
                    hydrogens: atom.hydrogens,
                    pos: Vec2::new(p.x, -p.y),
                }
            })
            .collect();
        Drawing { scene, atoms }
    }

    pub fn of_reaction(r: &Reaction) -> Drawing {
        Drawing {
            scene: reaction_scene(r, &Style::default()),
            atoms: Vec::new(),
        }
    }

    /// The drawing as an SVG document fitted into `width` × `height`.
    pub fn svg(&self, width: f64, height: f64) -> String {
        let mut scene = self.scene.clone();
        scene.fit(width, height, 10.0);
        svg::to_svg(&scene)
    }

    /// The drawing as PNG bytes.
    pub fn png(&self, width: f64, height: f64) -> anyhow::Result<Vec<u8>> {
        let mut scene = self.scene.clone();
        scene.fit(width, height, 10.0);
        crate::depict::png::to_png(&scene)
    }
}

/// A SMILES read once: its summary and, when valid, its drawing.
#[derive(Clone, Debug)]
pub struct Analysis {
    pub smiles: String,
    pub summary: Summary,
    pub drawing: Option<Drawing>,
}

impl Analysis {
    pub fn of(smiles: &str) -> Analysis {
        let s = smiles.trim();
        let (summary, drawing) = if s.contains('>') {
            match parse_reaction(s) {
                Ok(r) => (
                    Summary {
                        canonical: Some(canonical_reaction_smiles(&r)),
                        ..Summary::default()
                    },
                    Some(Drawing::of_reaction(&r)),
                ),
                Err(e) => (
                    Summary {
                        error: Some(e.to_string()),
                        ..Summary::default()
                    },
                    None,
                ),
            }
        } else {
            match parse_molecule(s) {
                Ok(m) => (molecule_summary(&m), Some(Drawing::of_molecule(&m))),
                Err(e) => (
                    Summary {
                        error: Some(e.to_string()),
                        ..Summary::default()
                    },
                    None,
                ),
            }
        };
        Analysis {
            smiles: s.to_owned(),
            summary,
            drawing,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ethanol_is_summarised_and_drawn_with_hoverable_atoms() {
        let a = Analysis::of("OCC");
        assert_eq!(a.summary.canonical.as_deref(), Some("CCO"));
        assert_eq!(a.summary.formula.as_deref(), Some("C2H6O"));
        assert_eq!(format!("{:.3}", a.summary.average_mass.unwrap()), "46.069");
        let d = a.drawing.unwrap();
        assert_eq!(d.atoms.len(), 3);
        assert_eq!((d.atoms[0].symbol.as_str(), d.atoms[0].hydrogens), ("O", 1));
        // The atom positions lie inside the scene's own bounds.
        let (lo, hi) = d.scene.bounds();
        for a in &d.atoms {
            assert!(a.pos.x >= lo.x - 1e-9 && a.pos.x <= hi.x + 1e-9, "{a:?}");
        }
    }

    #[test]
    fn invalid_smiles_carry_the_readers_error_with_its_column() {
        let a = Analysis::of("CC(C");
        assert!(a.drawing.is_none());
        let e = a.summary.error.unwrap();
        assert!(e.contains("column"), "{e}");
    }

    #[test]
    fn reactions_are_drawn_and_canonicalised() {
        let a = Analysis::of("CCO.CC(=O)O>>CCOC(C)=O");
        assert!(a.summary.canonical.unwrap().contains(">>"));
        assert!(a.drawing.unwrap().svg(400.0, 200.0).starts_with("<svg"));
    }
}
