//! `textchem draw SMILES_OR_REACTION -o out.svg|out.png`: one structure or reaction drawing.

use std::path::PathBuf;

use anyhow::{Context, bail};

use crate::chem::smiles::{parse_cxreaction, parse_cxsmiles};
use crate::depict::{self, Style, molecule_scene, reaction_scene};

#[derive(clap::Args, Debug)]
pub struct DrawArgs {
    /// A SMILES, or a reaction SMILES `reactants>agents>products`.
    pub smiles: String,
    /// Output file; the extension picks the format (.svg or .png).
    #[arg(short, long)]
    pub output: PathBuf,
    #[arg(long, default_value_t = 500.0)]
    pub width: f64,
    #[arg(long, default_value_t = 350.0)]
    pub height: f64,
}

pub fn run(args: &DrawArgs) -> anyhow::Result<()> {
    if !(args.width >= 16.0
        && args.height >= 16.0
        && args.width <= 10_000.0
        && args.height <= 10_000.0)
    {
        bail!("--width and --height must be between 16 and 10000 pixels");
    }
    let style = Style::default();
    let mut scene = if crate::chem::smiles::is_reaction(&args.smiles) {
        let rxn = parse_cxreaction(&args.smiles).context("reading the reaction SMILES")?;
        for w in &rxn.warnings {
            eprintln!("warning: {w}");
        }
        reaction_scene(&rxn.reaction, &style)
    } else {
        // `SMILES |layer|`: radicals and coordinate bonds of the layer are drawn, what it says
        // beyond that is reported.
        let cx = parse_cxsmiles(&args.smiles).context("reading the SMILES")?;
        for w in &cx.warnings {
            eprintln!("warning: {w}");
        }
        molecule_scene(&cx.molecule, &style)
    };
    scene.fit(args.width, args.height, 10.0);
    let ext = args
        .output
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase());
    let bytes = match ext.as_deref() {
        Some("svg") => depict::svg::to_svg(&scene).into_bytes(),
        Some("png") => depict::png::to_png(&scene)?,
        _ => bail!(
            "cannot tell the format of {}: use a .svg or .png file name",
            args.output.display()
        ),
    };
    std::fs::write(&args.output, bytes)
        .with_context(|| format!("cannot write {}", args.output.display()))
}
