//! Command-line interface: one module per subcommand; `main.rs` only dispatches.

pub mod props;

use clap::{Parser, Subcommand};

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
    }
}
