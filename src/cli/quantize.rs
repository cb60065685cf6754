//! `textchem model quantize --to q8_0|q4k DIR`: writes the GGUF beside the weights.

use crate::model::quantize::{QuantFormat, quantize_dir};
use anyhow::Result;
use std::path::Path;

pub fn run(dir: &Path, to: QuantFormat) -> Result<()> {
    let start = std::time::Instant::now();
    let report = quantize_dir(dir, to)?;
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
