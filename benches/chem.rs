//! Speed of reading, aromaticity perception and canonical writing over ChEBI-20 (6,601 SMILES).
//! Skips (benchmarks nothing) when ../shared is absent. Compare with
//! `python3 scripts/rdkit_smiles_bench.py` on the same files; figures in docs/canonical.md.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use textchem::chem::canon::canonical_smiles;
use textchem::chem::smiles::parse_molecule;

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
        b.iter(|| {
            for s in &smiles {
                if let Ok(m) = parse_molecule(s) {
                    black_box(canonical_smiles(&m));
                }
            }
        })
    });
    group.bench_function("parse", |b| {
        b.iter(|| {
            for s in &smiles {
                let _ = black_box(parse_molecule(s));
            }
        })
    });
    group.throughput(Throughput::Elements(molecules.len() as u64));
    group.bench_function("perceive+canonical", |b| {
        b.iter(|| {
            for m in &molecules {
                black_box(canonical_smiles(m));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
