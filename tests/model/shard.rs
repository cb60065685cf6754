//! `batch --shard K/N` and `merge` on the tiny fixture model: the shards together are the
//! unsharded output, and the Slurm array script does the same with only its index set.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::fixtures::{fixture_copy, textchem};

fn ok(out: Output) -> Output {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn failure(out: Output) -> String {
    assert!(!out.status.success(), "expected a failure");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// An input of `n` rows: varied SMILES, an empty one, and a field that needs quoting.
fn write_input(dir: &Path, n: usize) -> PathBuf {
    const SMILES: [&str; 7] = [
        "CCO",
        "c1ccccc1C(=O)O",
        "",
        "CC(C)Cc1ccc(cc1)C(C)C(=O)O",
        "O=C=O",
        "C1CC",
        "CC(=O)Oc1ccccc1C(=O)O",
    ];
    let mut text = String::from("id,smiles,note\n");
    for i in 0..n {
        text.push_str(&format!("m{i},\"{}\",\"a, b\"\n", SMILES[i % SMILES.len()]));
    }
    let path = dir.join("in.csv");
    std::fs::write(&path, text).unwrap();
    path
}

fn batch(model: &Path, input: &Path, output: &Path, shard: Option<&str>) -> Output {
    let mut args = vec!["batch", "--task", "forward", "--beams", "2"];
    args.extend(["--max-length", "16", "--column", "smiles"]);
    args.extend(["--model", model.to_str().unwrap()]);
    args.extend(["--input", input.to_str().unwrap()]);
    args.extend(["--output", output.to_str().unwrap()]);
    if let Some(shard) = shard {
        args.extend(["--shard", shard]);
    }
    textchem(&args)
}

fn merge(output: &Path, shards: &[PathBuf]) -> Output {
    let mut args = vec!["merge", output.to_str().unwrap()];
    args.extend(shards.iter().map(|p| p.to_str().unwrap()));
    textchem(&args)
}

fn row_numbers(path: &Path) -> Vec<usize> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    reader
        .records()
        .map(|r| r.unwrap()[0].parse().unwrap())
        .collect()
}

#[test]
fn three_shards_merged_are_the_unsharded_output() {
    let model = fixture_copy("t5-tiny-a");
    let work = tempfile::tempdir().unwrap();
    let input = write_input(work.path(), 11);
    let whole = work.path().join("whole.csv");
    ok(batch(model.path(), &input, &whole, None));

    let shards: Vec<PathBuf> = (0..3)
        .map(|k| work.path().join(format!("shard-{k}.csv")))
        .collect();
    for (k, path) in shards.iter().enumerate() {
        ok(batch(model.path(), &input, path, Some(&format!("{k}/3"))));
        // Shard k holds exactly the rows whose 0-based number is k modulo 3.
        let expected: Vec<usize> = (1..=11).filter(|r| (r - 1) % 3 == k).collect();
        assert_eq!(row_numbers(path), expected);
    }
    let merged = work.path().join("merged.csv");
    // Any order of the shard files gives the same merge.
    let reversed: Vec<PathBuf> = shards.iter().rev().cloned().collect();
    ok(merge(&merged, &reversed));
    assert_eq!(row_numbers(&merged), (1..=11).collect::<Vec<_>>());
    assert_eq!(
        std::fs::read_to_string(&merged).unwrap(),
        std::fs::read_to_string(&whole).unwrap()
    );
    // The merged record is the unsharded run's: `batch` on the merged output has nothing to do.
    let again = ok(batch(model.path(), &input, &merged, None));
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("all 11 rows are in"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );

    // A missing shard, a shard twice, or a shard of another run is refused.
    let err = failure(merge(&merged, &shards[..2]));
    assert!(
        err.contains("rows are missing") && err.contains("2/3"),
        "{err}"
    );
    let twice = [shards[0].clone(), shards[1].clone(), shards[0].clone()];
    let err = failure(merge(&merged, &twice));
    assert!(err.contains("shard 0/3 is given twice"), "{err}");
    let retro = work.path().join("retro-1.csv");
    let out = textchem(&[
        "batch",
        "--task",
        "retro",
        "--beams",
        "2",
        "--max-length",
        "16",
        "--column",
        "smiles",
        "--model",
        model.path().to_str().unwrap(),
        "--input",
        input.to_str().unwrap(),
        "--output",
        retro.to_str().unwrap(),
        "--shard",
        "1/3",
    ]);
    ok(out);
    let mixed = [shards[0].clone(), retro, shards[2].clone()];
    let err = failure(merge(&merged, &mixed));
    assert!(err.contains("task: forward → retro"), "{err}");
}

#[test]
fn a_shard_resumes_only_as_the_same_shard() {
    let model = fixture_copy("t5-tiny-a");
    let work = tempfile::tempdir().unwrap();
    let input = write_input(work.path(), 4);
    let output = work.path().join("shard.csv");
    ok(batch(model.path(), &input, &output, Some("1/2")));
    let err = failure(batch(model.path(), &input, &output, Some("0/2")));
    assert!(err.contains("shard: 1/2 → 0/2"), "{err}");
    let err = failure(batch(model.path(), &input, &output, None));
    assert!(err.contains("shard: 1/2 → all rows"), "{err}");
    let err = failure(batch(model.path(), &input, &output, Some("2/2")));
    assert!(err.contains("numbered 0 to 1"), "{err}");
}

#[test]
fn a_merge_names_a_row_written_twice() {
    let model = fixture_copy("t5-tiny-a");
    let work = tempfile::tempdir().unwrap();
    let input = write_input(work.path(), 4);
    let shards: Vec<PathBuf> = (0..2)
        .map(|k| work.path().join(format!("s{k}.csv")))
        .collect();
    for (k, path) in shards.iter().enumerate() {
        ok(batch(model.path(), &input, path, Some(&format!("{k}/2"))));
    }
    // A copy of shard 0's first row appended to shard 0: the same row number twice.
    let text = std::fs::read_to_string(&shards[0]).unwrap();
    let first_row = text.lines().nth(1).unwrap().to_owned();
    std::fs::write(&shards[0], format!("{text}{first_row}\n")).unwrap();
    let err = failure(merge(&work.path().join("m.csv"), &shards));
    assert!(err.contains("row 1 is twice"), "{err}");
}

#[test]
fn the_slurm_array_script_runs_each_index_as_its_shard() {
    let model = fixture_copy("t5-tiny-a");
    let work = tempfile::tempdir().unwrap();
    let input = write_input(work.path(), 7);
    let whole = work.path().join("whole.csv");
    ok(batch(model.path(), &input, &whole, None));
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/slurm/batch_array.sbatch");
    let out_dir = work.path().join("shards");
    for k in 0..3 {
        // What Slurm does per array task: the script with its index in the environment.
        let out = Command::new("bash")
            .arg(&script)
            .env("SLURM_ARRAY_TASK_ID", k.to_string())
            .env("SLURM_ARRAY_TASK_COUNT", "3")
            .env("TEXTCHEM", env!("CARGO_BIN_EXE_textchem"))
            .env("INPUT", &input)
            .env("TASK", "forward")
            .env("MODEL", model.path())
            .env("BEAMS", "2")
            .env("MAX_LENGTH", "16")
            .env("OUT_DIR", &out_dir)
            .env("HF_HUB_OFFLINE", "1")
            .output()
            .unwrap();
        ok(out);
    }
    let shards: Vec<PathBuf> = (0..3)
        .map(|k| out_dir.join(format!("shard-{k}-of-3.csv")))
        .collect();
    let merged = work.path().join("merged.csv");
    ok(merge(&merged, &shards));
    assert_eq!(
        std::fs::read_to_string(&merged).unwrap(),
        std::fs::read_to_string(&whole).unwrap()
    );
    // Without an array index the script stops before running anything.
    let out = Command::new("bash")
        .arg(&script)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env("INPUT", &input)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("array job"));
    assert!(!out.status.success());
}
