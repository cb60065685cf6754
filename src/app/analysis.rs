//! Everything textchem knows about a SMILES without a model: canonical form, formula, masses,
//! the reader's error, and a drawing with atom positions for hovering. A pasted MOL block is
//! read as the molecule it holds and stands for its canonical SMILES.

use crate::chem::canon::{
    canonical_cxsmiles, canonical_reaction_cxsmiles, canonical_reaction_smiles, canonical_smiles,
};
use crate::chem::inchi::{InchiOutput, inchi};
use crate::chem::molfile::{MolfileError, looks_like_mol_block, read_pasted_mol_block};
use crate::chem::props::{Properties, formula::molecular_formula, masses};
use crate::chem::rings::RingInfo;
use crate::chem::smiles::{
    SmilesError, parse_cxreaction, parse_cxsmiles, parse_graph_as_written, parse_molecule,
};
use crate::chem::{Molecule, Reaction};
use crate::depict::labels::atom_symbol;
use crate::depict::layout::{self, LayoutOptions, Vec2};
use crate::depict::scene::{Color, Item, Scene};
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
    /// `props --all`'s descriptors (logP, TPSA, donors and acceptors, rotatable bonds, rings,
    /// charge) for a molecule.
    pub props: Option<Properties>,
    /// A molecule's standard InChI and InChIKey with the InChI library's warnings, or why it
    /// has none (a wildcard atom, a structure the library rejects).
    pub inchi: Option<Result<InchiOutput, String>>,
    /// What a CXSMILES layer after the SMILES says that textchem does not keep, with columns.
    pub warnings: Vec<String>,
}

/// A rule of thumb for oral drugs and how a molecule fares against it.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleCheck {
    pub rule: &'static str,
    /// The limits broken, each as "what value > limit".
    pub violations: Vec<String>,
}

impl RuleCheck {
    /// Lipinski's rule of five (mass ≤ 500, cLogP ≤ 5, donors ≤ 5, acceptors ≤ 10; one
    /// violation is tolerated) and Veber's rule (rotatable bonds ≤ 10, TPSA ≤ 140 Å²).
    pub fn all(p: &Properties) -> [RuleCheck; 2] {
        let over = |name: &str, value: f64, limit: f64, digits: usize| {
            (value > limit).then(|| format!("{name} {value:.digits$} > {limit}"))
        };
        let lipinski = [
            over("mass", p.average_mass, 500.0, 1),
            over("cLogP", p.logp, 5.0, 2),
            over("donors", p.lipinski_hbd.into(), 5.0, 0),
            over("acceptors", p.lipinski_hba.into(), 10.0, 0),
        ];
        let veber = [
            over("rotatable bonds", p.rotatable_bonds as f64, 10.0, 0),
            over("TPSA", p.tpsa, 140.0, 1),
        ];
        [
            RuleCheck {
                rule: "Lipinski",
                violations: lipinski.into_iter().flatten().collect(),
            },
            RuleCheck {
                rule: "Veber",
                violations: veber.into_iter().flatten().collect(),
            },
        ]
    }

    /// Lipinski allows one violation; Veber none.
    pub fn passes(&self) -> bool {
        self.violations.len() <= usize::from(self.rule == "Lipinski")
    }

    /// "Lipinski: passes", "Lipinski: passes (1 violation: cLogP 5.60 > 5)", "Veber: fails (…)".
    pub fn text(&self) -> String {
        let verdict = if self.passes() { "passes" } else { "fails" };
        match self.violations.len() {
            0 => format!("{}: {verdict}", self.rule),
            n => format!(
                "{}: {verdict} ({n} violation{}: {})",
                self.rule,
                if n == 1 { "" } else { "s" },
                self.violations.join(", ")
            ),
        }
    }
}

/// A SMILES as the user or the model wrote it, read.
enum Input {
    Molecule(Molecule, Layer),
    Reaction(Reaction, Layer),
}

/// Whether the SMILES came with a CXSMILES layer, and what of it was not kept.
struct Layer {
    written: bool,
    warnings: Vec<String>,
}

/// Why an input was not read.
enum ReadError {
    Smiles(SmilesError),
    MolBlock(MolfileError),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Smiles(e) => e.fmt(f),
            ReadError::MolBlock(e) => write!(f, "MOL block {e}"),
        }
    }
}

/// Reads a MOL block, or a molecule or reaction SMILES with a CXSMILES layer (`CC |^1:1|`)
/// when one follows it; without a layer the text must be one SMILES, so stray words stay an
/// error.
fn read_input(text: &str) -> Result<Input, ReadError> {
    let s = text.trim();
    if looks_like_mol_block(s) {
        // Untrimmed at the start, so that error lines count the lines as pasted.
        let block = read_pasted_mol_block(text.trim_end()).map_err(ReadError::MolBlock)?;
        let layer = Layer {
            written: false,
            warnings: Vec::new(),
        };
        return Ok(Input::Molecule(block.molecule, layer));
    }
    read_smiles(s).map_err(ReadError::Smiles)
}

/// The canonical SMILES of a pasted MOL block, or `None` when `s` is not one that reads.
pub fn mol_block_smiles(s: &str) -> Option<String> {
    looks_like_mol_block(s.trim())
        .then(|| read_pasted_mol_block(s.trim_end()).ok())
        .flatten()
        .map(|b| canonical_smiles(&b.molecule))
}

fn read_smiles(s: &str) -> Result<Input, SmilesError> {
    let written = s.contains('|');
    let warnings = |w: Vec<crate::chem::smiles::CxWarning>| Layer {
        written,
        warnings: w.iter().map(ToString::to_string).collect(),
    };
    match (crate::chem::smiles::is_reaction(s), written) {
        (true, _) => parse_cxreaction(s).map(|r| Input::Reaction(r.reaction, warnings(r.warnings))),
        (false, true) => {
            parse_cxsmiles(s).map(|m| Input::Molecule(m.molecule, warnings(m.warnings)))
        }
        (false, false) => parse_molecule(s).map(|m| Input::Molecule(m, warnings(Vec::new()))),
    }
}

fn reaction_summary(r: &Reaction, layer: Layer) -> Summary {
    Summary {
        canonical: Some(if layer.written {
            canonical_reaction_cxsmiles(r)
        } else {
            canonical_reaction_smiles(r)
        }),
        warnings: layer.warnings,
        ..Summary::default()
    }
}

/// Reads `smiles` and summarises it; reactions (containing `>`) get only a canonical form.
pub fn summarize(smiles: &str) -> Summary {
    match read_input(smiles) {
        Ok(Input::Molecule(m, layer)) => molecule_summary(&m, layer),
        Ok(Input::Reaction(r, layer)) => reaction_summary(&r, layer),
        Err(e) => Summary {
            error: Some(e.to_string()),
            ..Summary::default()
        },
    }
}

fn molecule_summary(m: &Molecule, layer: Layer) -> Summary {
    let (average_mass, monoisotopic_mass, error) =
        match (masses::average_mass(m), masses::monoisotopic_mass(m)) {
            (Ok(a), Ok(b)) => (Some(a), Some(b), None),
            (Err(e), _) | (_, Err(e)) => (None, None, Some(e.to_string())),
        };
    Summary {
        canonical: Some(if layer.written {
            canonical_cxsmiles(m)
        } else {
            canonical_smiles(m)
        }),
        warnings: layer.warnings,
        formula: Some(molecular_formula(m)),
        average_mass,
        monoisotopic_mass,
        error,
        props: Properties::of(m).ok(),
        inchi: Some(inchi(m).map_err(|e| e.to_string())),
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
                    symbol: atom_symbol(atom).to_owned(),
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

    /// The drawing with a filled circle behind each of `atoms` (indices in SMILES order).
    pub fn highlighted(mut self, atoms: &[usize]) -> Drawing {
        let circles: Vec<Item> = self
            .atoms
            .iter()
            .filter(|a| atoms.contains(&a.index))
            .map(|a| Item::Circle {
                at: a.pos,
                radius: 0.38,
                color: HIGHLIGHT,
            })
            .collect();
        self.scene.items.splice(0..0, circles);
        self
    }

    /// The drawing as an SVG document fitted into `width` × `height`.
    pub fn svg(&self, width: f64, height: f64) -> String {
        let mut scene = self.scene.clone();
        scene.fit(width, height, 10.0);
        svg::to_svg(&scene)
    }
}

/// A SMILES read once: its summary and, when valid, its drawing.
#[derive(Clone, Debug)]
pub struct Analysis {
    pub smiles: String,
    pub summary: Summary,
    pub drawing: Option<Drawing>,
    /// Where an invalid SMILES goes wrong.
    pub invalid: Option<InvalidSite>,
}

/// The reader's error located: the character it stopped at and the atoms it names, drawn with
/// those atoms circled when the graph as written can be drawn.
#[derive(Clone, Debug)]
pub struct InvalidSite {
    /// 0-based character offset into the SMILES (as trimmed).
    pub offset: usize,
    pub atoms: Vec<usize>,
    pub drawing: Option<Drawing>,
}

/// Fill behind the atoms an error names.
const HIGHLIGHT: Color = Color(0xff, 0xb0, 0xb0);

impl InvalidSite {
    fn of(smiles: &str, e: &SmilesError) -> InvalidSite {
        let drawing = if e.atoms.is_empty() || crate::chem::smiles::is_reaction(smiles) {
            None
        } else {
            parse_graph_as_written(smiles)
                .ok()
                .map(|m| Drawing::of_molecule(&m).highlighted(&e.atoms))
        };
        InvalidSite {
            offset: e.offset,
            atoms: e.atoms.clone(),
            drawing,
        }
    }
}

impl Analysis {
    pub fn of(smiles: &str) -> Analysis {
        // A MOL block is shown (and drawn on the canvas) as its canonical SMILES.
        let from_block = mol_block_smiles(smiles);
        let text = from_block.as_deref().unwrap_or(smiles);
        let s = text.trim();
        let (summary, drawing, invalid) = match read_input(text) {
            Ok(Input::Molecule(m, layer)) => {
                let drawing = Drawing::of_molecule(&m);
                (molecule_summary(&m, layer), Some(drawing), None)
            }
            Ok(Input::Reaction(r, layer)) => {
                let drawing = Drawing::of_reaction(&r);
                (reaction_summary(&r, layer), Some(drawing), None)
            }
            Err(ReadError::Smiles(e)) => invalid_summary(s, &e),
            Err(e @ ReadError::MolBlock(_)) => {
                let summary = Summary {
                    error: Some(e.to_string()),
                    ..Summary::default()
                };
                (summary, None, None)
            }
        };
        Analysis {
            smiles: s.to_owned(),
            summary,
            drawing,
            invalid,
        }
    }
}

fn invalid_summary(s: &str, e: &SmilesError) -> (Summary, Option<Drawing>, Option<InvalidSite>) {
    let summary = Summary {
        error: Some(e.to_string()),
        ..Summary::default()
    };
    (summary, None, Some(InvalidSite::of(s, e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALANINE_BLOCK: &str = "
  textchem          2D

  6  5  0  0  1  0  0  0  0  0999 V2000
    0.0000    0.0000    0.0000 N   0  0  0  0  0  0  0  0  0  0  0  0
    1.2990    0.7500    0.0000 C   0  0  0  0  0  0  0  0  0  0  0  0
    1.2990    2.2500    0.0000 C   0  0  0  0  0  0  0  0  0  0  0  0
    2.5981    0.0000    0.0000 C   0  0  0  0  0  0  0  0  0  0  0  0
    2.5981   -1.5000    0.0000 O   0  0  0  0  0  0  0  0  0  0  0  0
    3.8971    0.7500    0.0000 O   0  0  0  0  0  0  0  0  0  0  0  0
  2  1  1  0
  2  3  1  1
  2  4  1  0
  4  5  2  0
  4  6  1  0
M  END
";

    #[test]
    fn a_pasted_mol_block_is_its_molecule() {
        let a = Analysis::of(ALANINE_BLOCK);
        let expected = canonical_smiles(&parse_molecule("N[C@@H](C)C(=O)O").unwrap());
        assert_eq!(a.summary.canonical.as_deref(), Some(expected.as_str()));
        assert_eq!(a.smiles, expected);
        assert!(a.drawing.is_some() && a.summary.error.is_none());
        assert_eq!(summarize(ALANINE_BLOCK).canonical, Some(expected.clone()));
        assert_eq!(mol_block_smiles(ALANINE_BLOCK), Some(expected));
        // A block that does not read says where.
        let broken = ALANINE_BLOCK.replace(" O   0  0", " Xx  0  0");
        let a = Analysis::of(&broken);
        let error = a.summary.error.unwrap();
        assert!(
            error.starts_with("MOL block line 9: unknown atom symbol"),
            "{error}"
        );
        assert!(a.drawing.is_none());
    }

    #[test]
    fn ethanol_is_summarised_and_drawn_with_hoverable_atoms() {
        let a = Analysis::of("OCC");
        assert_eq!(a.summary.canonical.as_deref(), Some("CCO"));
        assert_eq!(a.summary.formula.as_deref(), Some("C2H6O"));
        let ids = a.summary.inchi.clone().unwrap().unwrap();
        assert_eq!(ids.key, "LFQSCWFLJHTTHZ-UHFFFAOYSA-N");
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
    fn aspirin_passes_lipinski_and_veber_and_a_long_chain_does_not() {
        let a = summarize("CC(=O)Oc1ccccc1C(=O)O");
        let p = a.props.unwrap();
        let [lipinski, veber] = RuleCheck::all(&p);
        assert_eq!(lipinski.text(), "Lipinski: passes");
        assert_eq!(veber.text(), "Veber: passes");
        let chain = summarize(&"C".repeat(20)).props.unwrap();
        let [lipinski, veber] = RuleCheck::all(&chain);
        assert!(lipinski.passes(), "{}", lipinski.text());
        assert!(
            lipinski.text().contains("1 violation: cLogP"),
            "{}",
            lipinski.text()
        );
        assert!(!veber.passes());
        assert!(
            veber
                .text()
                .starts_with("Veber: fails (1 violation: rotatable bonds 17 > 10")
        );
    }

    #[test]
    fn invalid_smiles_carry_the_readers_error_with_its_column() {
        let a = Analysis::of("CC(C");
        assert!(a.drawing.is_none());
        let e = a.summary.error.unwrap();
        assert!(e.contains("column"), "{e}");
        // A grammar error names no atoms: only its place in the text.
        let site = a.invalid.unwrap();
        assert_eq!(site.offset, 2);
        assert!(site.atoms.is_empty() && site.drawing.is_none());
    }

    #[test]
    fn atoms_an_error_names_are_circled_in_the_graph_as_written() {
        let circles = |smiles: &str| {
            let site = Analysis::of(smiles).invalid.unwrap();
            let d = site.drawing.unwrap();
            let n = d
                .scene
                .items
                .iter()
                .filter(|i| matches!(i, Item::Circle { color, .. } if *color == HIGHLIGHT))
                .count();
            (site.atoms, n)
        };
        // Five-valent carbon: the central atom.
        assert_eq!(circles("C(C)(C)(C)(C)C"), (vec![0], 1));
        // Aromatic five-ring of carbons: no Kekulé form, every atom named.
        let (atoms, n) = circles("c1cccc1");
        assert_eq!((atoms.len(), n), (5, 5));
        // Aromatic atom outside a ring.
        assert_eq!(circles("Cc").1, 1);
    }

    #[test]
    fn a_cxsmiles_layer_is_read_kept_in_the_canonical_form_and_its_losses_listed() {
        let racemate = Analysis::of("C[C@H](O)CC |&1:1|");
        assert_eq!(racemate.summary.error, None);
        let canonical = racemate.summary.canonical.unwrap();
        assert!(canonical.ends_with(" |&1:2|"), "{canonical}");
        assert!(racemate.drawing.is_some());
        let labelled = summarize("*c1ccccc1 |$_R1;;;;;;$,w:0.0|");
        assert!(labelled.canonical.unwrap().contains("_R1"));
        assert_eq!(labelled.warnings.len(), 1, "{:?}", labelled.warnings);
        assert!(labelled.warnings[0].contains("wiggly"));
        // Without a layer, words after the SMILES are still an error.
        assert!(summarize("CCO ethanol").error.is_some());
        let reaction = summarize("CC>>C[CH2] |^1:3|");
        assert!(reaction.canonical.unwrap().contains("|^1:"));
    }

    #[test]
    fn a_labelled_star_is_hovered_as_its_label() {
        let a = Analysis::of("*c1ccccc1 |$_R1;;;;;;$|");
        let atoms = &a.drawing.unwrap().atoms;
        assert_eq!(atoms[0].symbol, "R1");
        assert_eq!(atoms[1].symbol, "C");
    }

    #[test]
    fn reactions_are_drawn_and_canonicalised() {
        let a = Analysis::of("CCO.CC(=O)O>>CCOC(C)=O");
        assert!(a.summary.canonical.unwrap().contains(">>"));
        assert!(a.drawing.unwrap().svg(400.0, 200.0).starts_with("<svg"));
    }
}
