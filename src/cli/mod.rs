//! Command-line interface: one module per subcommand; `main.rs` only dispatches.

pub mod props;

use clap::{Parser, Subcommand};

pub mod draw;
pub mod layout;

#[derive(Parser, Debug)]
#[command(
    name = "textchem",
    version,
    about = "Chemistry assistant around the Text+Chem T5 model"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Print the elements textchem knows (a quick self-check).
    Elements,
    /// Molecular properties (formula, masses, H counts...) of SMILES lines, as CSV.
    Props(props::PropsArgs),
    /// 2D coordinates for each SMILES of a file, as JSON lines (for layout_metrics.py).
    Layout(layout::LayoutArgs),
    /// Draw a molecule or reaction SMILES to an SVG or PNG file.
    Draw(draw::DrawArgs),
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Elements => {
            for z in 1..=118u8 {
                let e = crate::chem::Element::from_atomic_number(z).expect("1..=118 are elements");
                println!("{z}\t{e}");
            }
            Ok(())
        }
        Command::Props(args) => props::run(args),
        Command::Layout(args) => layout::run(&args),
        Command::Draw(args) => draw::run(&args),
    }
}
