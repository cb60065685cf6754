//! Speed of `textchem eval` scoring on the whole ChEBI-20 test set (3,300 rows per task): the
//! MolT5-base molecule and caption predictions, read and scored as the command does. Skips
//! (benchmarks nothing) when ../shared is absent. Compare with
//! `python3 scripts/molt5_eval_reference.py --task molecule|caption FILE` (it prints its time);
//! figures in docs/eval.md.
//!
//! Times are wall-clock: the scorers spread rows over threads, so wall time is what a user waits.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;
use textchem::eval::predictions::{Columns, read_predictions};
use textchem::eval::{EvalOptions, evaluate};
use textchem::model::task::Task;

fn bench(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/chebi20/predictions");
    if !dir.exists() {
        eprintln!("skipping: {} not found", dir.display());
        return;
    }
    let mut group = c.benchmark_group("chebi20-eval");
    group.sample_size(10);
    for (task, file) in [
        (Task::Molecule, "molt5-base-caption2smiles.txt"),
        (Task::Caption, "molt5-base-smiles2caption.txt"),
    ] {
        let path = dir.join(file);
        let rows = read_predictions(&path, &Columns::default())
            .unwrap()
            .rows
            .len();
        group.throughput(Throughput::Elements(rows as u64));
        group.bench_function(task.name(), |b| {
            b.iter(|| {
                let predictions = read_predictions(&path, &Columns::default()).unwrap();
                black_box(evaluate(task, &predictions, &EvalOptions::default()).unwrap())
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
