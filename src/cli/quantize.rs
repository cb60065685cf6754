//! `textchem model quantize --to q8_0|q4k DIR`: writes the GGUF beside the weights.

use crate::model::quantize::{QuantFormat, quantize_dir};
use anyhow::Result;
use std::path::Path;

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum QuantArg {
    #[value(name = "q8_0")]
    Q8_0,
    #[value(name = "q4k")]
    Q4k,
    /// Half precision: half the size, near-lossless; the GPU keeps it at half size.
    #[value(name = "f16")]
    F16,
}

impl From<QuantArg> for QuantFormat {
    fn from(q: QuantArg) -> Self {
        match q {
            QuantArg::Q8_0 => QuantFormat::Q8_0,
            QuantArg::Q4k => QuantFormat::Q4K,
            QuantArg::F16 => QuantFormat::F16,
        }
    }
}

pub fn run(dir: &Path, to: QuantArg) -> Result<()> {
    let start = std::time::Instant::now();
    let report = quantize_dir(dir, to.into())?;
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    println!(
        "wrote {} ({:.1} MiB, from {} at {:.1} MiB; {} matrices quantized) in {:.1}s",
        report.output.display(),
        mib(report.output_bytes),
        report.source.display(),
        mib(report.source_bytes),
        report.quantized,
        start.elapsed().as_secs_f64()
    );
    if !report.fallbacks.is_empty() {
        println!(
            "rows not a multiple of the block size, stored wider: {}",
            report.fallbacks.join(", ")
        );
    }
    println!("loading {} now prefers this file", dir.display());
    Ok(())
}
