//! Layout speed: `cargo bench --bench depict`. Lays out ChEBI-20 test molecules (parsed
//! beforehand) when ../shared is beside the checkout, else a fixed set of drug-like molecules.
//! Results and the RDKit comparison are recorded in docs/depiction.md.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use textchem::chem::Molecule;
use textchem::chem::smiles::parse_molecule;
use textchem::depict::layout::layout;

const FALLBACK: &[&str] = &[
    "CC(=O)Oc1ccccc1C(=O)O",
    "Cn1c(=O)c2c(ncn2C)n(C)c1=O",
    "C[C@]12CC[C@H]3[C@@H](CC=C4C[C@@H](O)CC[C@]34C)[C@@H]1CC[C@@H]2O",
    "CCCCCCCCCCCCCCCC(=O)OC[C@H](COP(=O)(O)OCC[N+](C)(C)C)OC(=O)CCCCCCCC=CCCCCCCCC",
    "CN1[C@H]2CC[C@@H]1[C@H]([C@H](C2)OC(=O)c1ccccc1)C(=O)OC",
    "OC[C@H]1O[C@@H](O[C@]2(CO)O[C@H](CO)[C@@H](O)[C@@H]2O)[C@H](O)[C@@H](O)[C@@H]1O",
];

fn molecules() -> Vec<Molecule> {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/chebi20/test.txt");
    match std::fs::read_to_string(&path) {
        Ok(text) => text
            .lines()
            .skip(1)
            .filter_map(|l| l.split('\t').nth(1))
            .filter_map(|s| parse_molecule(&s.replace("\\\\", "\\")).ok())
            .collect(),
        Err(_) => FALLBACK
            .iter()
            .map(|s| parse_molecule(s).unwrap())
            .collect(),
    }
}

fn bench_layout(c: &mut Criterion) {
    let mols = molecules();
    let mut group = c.benchmark_group("layout");
    group.throughput(Throughput::Elements(mols.len() as u64));
    group.sample_size(10);
    group.bench_function("chebi20_test_all", |b| {
        b.iter(|| {
            for m in &mols {
                std::hint::black_box(layout(m));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench_layout);
criterion_main!(benches);
