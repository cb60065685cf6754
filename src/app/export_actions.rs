//! Files written through a save dialog: the listed history as CSV or SDF, a card's molecule as
//! SDF, the canvas molecule as SVG or PNG, the selected route as CSV, reaction SMILES, SVG or
//! PNG. Each export names its dialog and, once the user has chosen a path, copies what it needs
//! from the app; rendering and writing (atomically) then run on their own thread, which says
//! what it wrote.

use std::path::Path;

use anyhow::{Result, anyhow};

use super::card::AnalysisCache;
use super::dialogs::SaveRequest;
use super::history::{Exchange, write_atomically};
use super::image_size::ImageSize;
use super::planner::Planner;

/// A file the user asked to save, waiting for its path.
pub enum Export {
    /// One row per result of these exchanges (the ones the history search lists).
    HistoryCsv(Vec<u64>),
    /// The valid molecules of these exchanges (inputs and answers) as an SD file.
    HistorySdf(Vec<u64>),
    /// One molecule (a card's) as an SD file.
    MoleculeSdf(String),
    MoleculeSvg(String, ImageSize),
    MoleculePng(String, ImageSize),
    RouteCsv,
    /// The route's steps as reaction SMILES, one a line.
    RouteReactions,
    RouteSvg(ImageSize),
    RoutePng(ImageSize),
}

/// What an export reads from.
pub struct Sources<'a> {
    pub exchanges: &'a [Exchange],
    pub cache: &'a mut AnalysisCache,
    pub planner: &'a Planner,
}

impl Export {
    /// The save dialog to ask with: title, suggested file name and file type.
    pub fn save_request(&self) -> SaveRequest {
        let (title, file_name, kind, extension) = match self {
            Export::HistoryCsv(_) => (
                "Export history as CSV",
                "textchem-history.csv",
                "CSV",
                "csv",
            ),
            Export::HistorySdf(_) => (
                "Export molecules as SDF",
                "textchem-molecules.sdf",
                "SD file",
                "sdf",
            ),
            Export::MoleculeSdf(_) => ("Save molecule as SDF", "molecule.sdf", "SD file", "sdf"),
            Export::MoleculeSvg(..) => ("Save drawing as SVG", "molecule.svg", "SVG image", "svg"),
            Export::MoleculePng(..) => ("Save drawing as PNG", "molecule.png", "PNG image", "png"),
            Export::RouteCsv => ("Export route as CSV", "route.csv", "CSV", "csv"),
            Export::RouteReactions => (
                "Export route as reaction SMILES",
                "route.smi",
                "Reaction SMILES",
                "smi",
            ),
            Export::RouteSvg(_) => ("Export route as SVG", "route.svg", "SVG image", "svg"),
            Export::RoutePng(_) => ("Export route as PNG", "route.png", "PNG image", "png"),
        };
        SaveRequest::new(title, file_name, kind, extension)
    }

    /// Takes what the file needs from the app (owned copies) and returns the work that renders
    /// and writes it, to run off the UI thread; that work returns the line that tells the user.
    pub fn prepare(self, from: Sources<'_>) -> Result<Writer> {
        let listed = |ids: &[u64]| -> Vec<Exchange> {
            from.exchanges
                .iter()
                .filter(|x| ids.contains(&x.id))
                .cloned()
                .collect()
        };
        let scene = |smiles: &str, cache: &mut AnalysisCache| {
            cache
                .get(smiles)
                .drawing
                .as_ref()
                .map(|d| d.scene.clone())
                .ok_or_else(|| anyhow!("nothing to draw"))
        };
        Ok(match self {
            Export::HistoryCsv(ids) => {
                let exchanges = listed(&ids);
                Box::new(move |path| {
                    let rows: Vec<_> = exchanges.iter().flat_map(Exchange::csv_rows).collect();
                    let csv = crate::export::csv::to_csv(&rows);
                    write_atomically(path, csv.as_bytes())
                        .map(|()| format!("exported {} rows to {}", rows.len(), path.display()))
                })
            }
            Export::HistorySdf(ids) => {
                let exchanges = listed(&ids);
                Box::new(move |path| {
                    let entries: Vec<_> = exchanges.iter().flat_map(sdf_entries).collect();
                    write_sdf(path, &entries)
                })
            }
            Export::MoleculeSdf(smiles) => {
                Box::new(move |path| write_sdf(path, &[(smiles.clone(), smiles)]))
            }
            Export::MoleculeSvg(smiles, size) => {
                let scene = scene(&smiles, from.cache)?;
                Box::new(move |path| {
                    write_atomically(path, size.svg(scene).as_bytes())
                        .map(|()| format!("saved {} ({})", path.display(), size.describe()))
                })
            }
            Export::MoleculePng(smiles, size) => {
                let scene = scene(&smiles, from.cache)?;
                Box::new(move |path| {
                    size.png(scene)
                        .and_then(|png| write_atomically(path, &png))
                        .map(|()| format!("saved {} ({})", path.display(), size.describe()))
                })
            }
            Export::RouteCsv => {
                let csv = from.planner.route_csv();
                Box::new(move |path| {
                    write_atomically(path, csv.as_bytes())
                        .map(|()| format!("saved route to {}", path.display()))
                })
            }
            Export::RouteReactions => {
                let lines = from.planner.route_reactions();
                Box::new(move |path| {
                    write_atomically(path, lines.as_bytes())
                        .map(|()| format!("saved route reactions to {}", path.display()))
                })
            }
            Export::RouteSvg(size) | Export::RoutePng(size) => {
                let scene = from
                    .planner
                    .route_scene()
                    .ok_or_else(|| anyhow!("no route to draw"))?;
                let png = matches!(self, Export::RoutePng(_));
                Box::new(move |path| {
                    let bytes = if png {
                        size.png(scene)?
                    } else {
                        size.svg(scene).into_bytes()
                    };
                    write_atomically(path, &bytes).map(|()| {
                        format!(
                            "saved route picture to {} ({})",
                            path.display(),
                            size.describe()
                        )
                    })
                })
            }
        })
    }
}

/// Renders and writes an export to the path given; returns what to tell the user.
pub type Writer = Box<dyn FnOnce(&Path) -> Result<String> + Send>;

/// An exchange's molecules for an SD file, each (name, SMILES): its input when it reads as a
/// molecule, and its SMILES answers the reader accepted.
fn sdf_entries(x: &Exchange) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let input = x.input.trim();
    if !crate::chem::smiles::is_reaction(input)
        && crate::chem::smiles::parse_molecule(input).is_ok()
    {
        out.push((format!("#{} input", x.id), input.to_owned()));
    }
    let smiles_answers = x
        .task()
        .is_some_and(|t| t.output_kind() == crate::model::task::OutputKind::Smiles);
    for r in &x.results {
        // Entries saved before validity was recorded are read again.
        let valid = r.valid.unwrap_or_else(|| {
            smiles_answers && crate::chem::smiles::parse_molecule(&r.text).is_ok()
        });
        if smiles_answers && valid {
            out.push((
                format!("#{} {} answer {}", x.id, x.task, r.rank),
                r.text.clone(),
            ));
        }
    }
    out
}

/// Writes `entries` (name, SMILES) as an SD file; says how many were written and which did not
/// read.
fn write_sdf(path: &Path, entries: &[(String, String)]) -> Result<String> {
    let (sdf, skipped) =
        crate::export::sdf::to_sdf(entries.iter().map(|(n, s)| (n.as_str(), s.as_str())));
    let written = entries.len() - skipped.len();
    if written == 0 {
        return Err(anyhow!("no molecule to write"));
    }
    write_atomically(path, sdf.as_bytes())?;
    let mut msg = format!("saved {written} molecules to {}", path.display());
    if let Some((name, e)) = skipped.first() {
        msg.push_str(&format!("; {} skipped ({name}: {e})", skipped.len()));
    }
    Ok(msg)
}
