//! Speed of reading, aromaticity perception and canonical writing over ChEBI-20 (6,601 SMILES),
//! and of fingerprinting the same molecules (Morgan bits and counts, RDKit path bits), of
//! SMARTS screening and MACCS keys.
//! Skips (benchmarks nothing) when ../shared is absent. Compare with
//! `python3 scripts/rdkit_smiles_bench.py`, `python3 scripts/rdkit_fingerprint_speed.py` and
//! `python3 scripts/rdkit_smarts_speed.py` on the same files; figures in docs/canonical.md,
//! docs/fingerprints.md and docs/smarts.md.
//!
//! Times are process CPU time, not wall-clock time: on a machine shared with other jobs the wall
//! clock measures the queue, and the RDKit script reports CPU time the same way.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;
use textchem::chem::canon::canonical_smiles;
use textchem::chem::fingerprint::{RdkitPathOptions, morgan_bits, morgan_counts, rdkit_path_bits};
use textchem::chem::maccs::maccs_keys_prepared;
use textchem::chem::smarts::{PreparedMolecule, Smarts};
use textchem::chem::smiles::parse_molecule;

/// The patterns of the SMARTS agreement test (scripts/rdkit_smarts.py writes the same list).
const SMARTS_PATTERNS: &str = include_str!("../tests/chem/fixtures/smarts_patterns.txt");

fn chebi20_smiles() -> Option<Vec<String>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/chebi20");
    let mut out = Vec::new();
    for file in ["test.txt", "validation.txt"] {
        let text = std::fs::read_to_string(dir.join(file)).ok()?;
        out.extend(
            text.lines()
                .skip(1)
                .filter_map(|l| l.split('\t').nth(1))
                .map(|s| s.replace("\\\\", "\\")),
        );
    }
    Some(out)
}

fn cpu_time() -> Duration {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime only writes the timespec we pass.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut t) };
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// Runs `work` `iters` times and returns the CPU time it took.
fn cpu_timed(iters: u64, mut work: impl FnMut()) -> Duration {
    let start = cpu_time();
    for _ in 0..iters {
        work();
    }
    cpu_time() - start
}

fn bench(c: &mut Criterion) {
    let Some(smiles) = chebi20_smiles() else {
        eprintln!("skipping: ../shared/data/chebi20 not found");
        return;
    };
    let molecules: Vec<_> = smiles
        .iter()
        .filter_map(|s| parse_molecule(s).ok())
        .collect();
    let mut group = c.benchmark_group("chebi20");
    group.sample_size(10);
    group.throughput(Throughput::Elements(smiles.len() as u64));
    group.bench_function("parse+perceive+canonical", |b| {
        b.iter_custom(|iters| {
            cpu_timed(iters, || {
                for s in &smiles {
                    if let Ok(m) = parse_molecule(s) {
                        black_box(canonical_smiles(&m));
                    }
                }
            })
        })
    });
    group.bench_function("parse", |b| {
        b.iter_custom(|iters| {
            cpu_timed(iters, || {
                for s in &smiles {
                    let _ = black_box(parse_molecule(s));
                }
            })
        })
    });
    group.throughput(Throughput::Elements(molecules.len() as u64));
    group.bench_function("perceive+canonical", |b| {
        b.iter_custom(|iters| {
            cpu_timed(iters, || {
                for m in &molecules {
                    black_box(canonical_smiles(m));
                }
            })
        })
    });
    let patterns: Vec<Smarts> = SMARTS_PATTERNS
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| Smarts::parse(l).expect("fixture pattern"))
        .collect();
    group.bench_function("prepare+smarts-counts", |b| {
        b.iter_custom(|iters| {
            cpu_timed(iters, || {
                for m in &molecules {
                    let target = PreparedMolecule::new(m);
                    for p in &patterns {
                        black_box(p.count_unique_prepared(&target));
                    }
                }
            })
        })
    });
    group.bench_function("prepare+maccs", |b| {
        b.iter_custom(|iters| {
            cpu_timed(iters, || {
                for m in &molecules {
                    black_box(maccs_keys_prepared(&PreparedMolecule::new(m)));
                }
            })
        })
    });
    group.finish();
    fingerprints(c, &smiles, &molecules);
}

/// Fingerprints per molecule, from the parsed molecule (RDKit's timing starts from its Mol
/// objects likewise) and from the SMILES.
fn fingerprints(c: &mut Criterion, smiles: &[String], molecules: &[textchem::chem::Molecule]) {
    let mut group = c.benchmark_group("chebi20_fingerprints");
    group.sample_size(10);
    group.throughput(Throughput::Elements(molecules.len() as u64));
    group.bench_function("morgan_r2_2048_bits", |b| {
        b.iter_custom(|iters| {
            cpu_timed(iters, || {
                for m in molecules {
                    black_box(morgan_bits(m, 2, 2048));
                }
            })
        })
    });
    group.bench_function("morgan_r2_counts", |b| {
        b.iter_custom(|iters| {
            cpu_timed(iters, || {
                for m in molecules {
                    black_box(morgan_counts(m, 2));
                }
            })
        })
    });
    let path = RdkitPathOptions::default();
    group.bench_function("rdkit_path_2048", |b| {
        b.iter_custom(|iters| {
            cpu_timed(iters, || {
                for m in molecules {
                    black_box(rdkit_path_bits(m, &path).expect("default options"));
                }
            })
        })
    });
    group.throughput(Throughput::Elements(smiles.len() as u64));
    group.bench_function("parse+morgan_r2_2048_bits", |b| {
        b.iter_custom(|iters| {
            cpu_timed(iters, || {
                for s in smiles {
                    if let Ok(m) = parse_molecule(s) {
                        black_box(morgan_bits(&m, 2, 2048));
                    }
                }
            })
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
