use clap::Parser;

fn main() -> anyhow::Result<()> {
    textchem::cli::run(textchem::cli::Cli::parse())
}
