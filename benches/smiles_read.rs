//! Reading speed: `parse_molecule` over the 3,300 ChEBI-20 test SMILES (from `../shared`, or a
//! few built-in molecules where the checkout has none).
//!
//!     cargo bench --bench smiles_read
//!     python3 scripts/rdkit_read_speed.py ../shared/data/chebi20/test.txt   # RDKit, same input

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use textchem::chem::smiles::parse_molecule;

fn chebi20_smiles() -> Vec<String> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/chebi20/test.txt"
    );
    match std::fs::read_to_string(path) {
        Ok(text) => text
            .lines()
            .skip(1)
            .filter_map(|l| l.split('\t').nth(1))
            .map(str::to_string)
            .collect(),
        Err(_) => [
            "CC(=O)Oc1ccccc1C(=O)O",
            "Cn1c(=O)c2c(ncn2C)n(C)c1=O",
            "C[C@H](N)C(=O)O",
            "COc1cc2nc(N3CCN(C(=O)c4ccco4)CC3)nc(N)c2cc1OC",
        ]
        .map(String::from)
        .to_vec(),
    }
}

fn bench_read(c: &mut Criterion) {
    let smiles = chebi20_smiles();
    let mut group = c.benchmark_group("smiles_read");
    group.throughput(Throughput::Elements(smiles.len() as u64));
    group.bench_function("parse_molecule/chebi20_test", |b| {
        b.iter(|| smiles.iter().filter(|s| parse_molecule(s).is_ok()).count())
    });
    group.finish();
}

criterion_group!(benches, bench_read);
criterion_main!(benches);
