//! Any bytes given to `props` (the line reader, then the SMILES reader and the property
//! columns) must give one CSV row per non-blank line, never a panic or a lost line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use textchem::cli::lines::Lines;
use textchem::cli::props::write_props;

fuzz_target!(|data: &[u8]| {
    let lines = Lines::with_limit(data, 256).count();
    let mut out = Vec::new();
    write_props(data, &mut out, true).unwrap();
    let rows = out.split(|&b| b == b'\n').count() - 1;
    // Header plus at most one row per line (blank lines give none).
    assert!(rows <= lines + 1, "{rows} rows from {lines} lines");
});
