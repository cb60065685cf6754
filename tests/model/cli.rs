//! `textchem run` and `textchem batch` on the tiny fixture model, through the built binary.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

use crate::fixtures::{fixture_copy, textchem};

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn run_json_is_the_answer_object_with_ranked_checked_results() {
    let model = fixture_copy("t5-tiny-a");
    let dir = model.path().to_str().unwrap();
    let out = textchem(&[
        "run",
        "--task",
        "forward",
        "--model",
        dir,
        "--beams",
        "3",
        "--max-length",
        "24",
        "--format",
        "json",
        "CCO.CC(=O)O",
    ]);
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let object = json.as_object().unwrap();
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["input", "model", "results", "task"]);
    assert_eq!(json["task"], "forward");
    assert_eq!(json["input"], "CCO.CC(=O)O");
    assert_eq!(json["model"], dir);
    let results = json["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    for (i, r) in results.iter().enumerate() {
        let mut keys: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "canonical_smiles",
                "error",
                "rank",
                "score",
                "text",
                "valid"
            ]
        );
        assert_eq!(r["rank"], i + 1);
        assert!(r["score"].as_f64().unwrap() < 0.0);
        let valid = r["valid"].as_bool().unwrap();
        assert_eq!(valid, r["canonical_smiles"].is_string(), "{r}");
        assert_eq!(!valid, r["error"].is_string(), "{r}");
    }
    let scores: Vec<f64> = results
        .iter()
        .map(|r| r["score"].as_f64().unwrap())
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");

    // Text tasks: validity and canonical SMILES are null.
    let out = textchem(&[
        "run",
        "--task",
        "caption",
        "--model",
        dir,
        "--beams",
        "2",
        "--max-length",
        "16",
        "--format",
        "json",
        "CCO",
    ]);
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    for r in json["results"].as_array().unwrap() {
        assert!(r["valid"].is_null() && r["canonical_smiles"].is_null() && r["error"].is_null());
    }
}

#[test]
fn run_text_lists_ranked_answers_with_their_verdicts_and_reads_stdin() {
    let model = fixture_copy("t5-tiny-b");
    let dir = model.path().to_str().unwrap();
    let json_out = textchem(&[
        "run",
        "--task",
        "retro",
        "--model",
        dir,
        "--beams",
        "2",
        "--max-length",
        "24",
        "--format",
        "json",
        "c1ccccc1O",
    ]);
    let json: Value = serde_json::from_str(&stdout(&json_out)).unwrap();

    let mut child = Command::new(env!("CARGO_BIN_EXE_textchem"))
        .args([
            "run",
            "--task",
            "retro",
            "--model",
            dir,
            "--beams",
            "2",
            "--max-length",
            "24",
            "-",
        ])
        .env("HF_HUB_OFFLINE", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"c1ccccc1O\n")
        .unwrap();
    let text = stdout(&child.wait_with_output().unwrap());
    let lines: Vec<&str> = text.lines().collect();
    // One line per answer (rank, score, text), then its SMILES verdict.
    assert_eq!(lines.len(), 4, "{text}");
    for (i, r) in json["results"].as_array().unwrap().iter().enumerate() {
        let head = lines[2 * i];
        assert!(
            head.trim_start().starts_with(&format!("{}.", i + 1)),
            "{head}"
        );
        assert!(head.ends_with(r["text"].as_str().unwrap()), "{head} vs {r}");
        let verdict = lines[2 * i + 1].trim();
        if r["valid"] == true {
            assert_eq!(
                verdict,
                format!(
                    "valid; canonical {}",
                    r["canonical_smiles"].as_str().unwrap()
                )
            );
        } else {
            assert!(verdict.starts_with("invalid: "), "{verdict}");
        }
    }
}

#[test]
fn run_without_a_model_offline_says_how_to_get_one() {
    let cache = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_textchem"))
        .args(["run", "--task", "caption", "CCO"])
        .env("HF_HUB_OFFLINE", "1")
        .env("HF_HUB_CACHE", cache.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("--model DIR") && err.contains("network") && err.contains("HF_HUB_OFFLINE"),
        "{err}"
    );
    let out = textchem(&["run", "--task", "reverse", "CCO"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("forward"), "{}", stderr(&out));
}

fn write_input(dir: &Path, rows: &[(&str, &str)]) -> std::path::PathBuf {
    let path = dir.join("in.csv");
    let mut text = String::from("id,smiles\n");
    for (id, smiles) in rows {
        text.push_str(&format!("{id},\"{smiles}\"\n"));
    }
    std::fs::write(&path, text).unwrap();
    path
}

fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap();
    reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

const ROWS: [(&str, &str); 5] = [
    ("a", "CCO"),
    ("b", "c1ccccc1C(=O)O"),
    ("c", ""),
    ("d", "CC(C)Cc1ccc(cc1)C(C)C(=O)O"),
    ("e", "O=C=O"),
];

fn batch(model: &str, input: &Path, column: &str, output: &Path) -> Output {
    batch_with(model, input, column, output, &["--task", "forward"])
}

/// `batch` with 2 beams and 24 tokens, and `extra` arguments (the task among them).
fn batch_with(model: &str, input: &Path, column: &str, output: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "batch",
        "--model",
        model,
        "--beams",
        "2",
        "--max-length",
        "24",
    ];
    args.extend(["--input", input.to_str().unwrap(), "--column", column]);
    args.extend(["--output", output.to_str().unwrap()]);
    args.extend(extra);
    textchem(&args)
}

#[test]
fn batch_writes_one_checked_row_per_input_row() {
    let model = fixture_copy("t5-tiny-a");
    let work = tempfile::tempdir().unwrap();
    let input = write_input(work.path(), &ROWS);
    let output = work.path().join("out.csv");
    let out = batch(model.path().to_str().unwrap(), &input, "smiles", &output);
    stdout(&out);
    assert!(stderr(&out).contains("5/5 rows"), "{}", stderr(&out));
    let table = read_csv(&output);
    assert_eq!(
        table[0],
        [
            "row",
            "id",
            "smiles",
            "output",
            "valid",
            "canonical_smiles",
            "score",
            "error"
        ]
    );
    assert_eq!(table.len(), 1 + ROWS.len());
    for (i, (row, (id, smiles))) in table[1..].iter().zip(ROWS).enumerate() {
        assert_eq!(row[0], (i + 1).to_string());
        assert_eq!((row[1].as_str(), row[2].as_str()), (id, smiles));
        if smiles.is_empty() {
            // An empty input is that row's error, not the batch's.
            assert!(
                row[3].is_empty() && row[7].contains("needs an input"),
                "{row:?}"
            );
            continue;
        }
        assert!(["true", "false"].contains(&row[4].as_str()), "{row:?}");
        assert_eq!(row[4] == "true", !row[5].is_empty(), "{row:?}");
        assert!(row[6].parse::<f32>().unwrap() < 0.0);
    }
    // Rank 1 of `run` on the same input.
    let run = textchem(&[
        "run",
        "--task",
        "forward",
        "--model",
        model.path().to_str().unwrap(),
        "--beams",
        "2",
        "--max-length",
        "24",
        "--format",
        "json",
        ROWS[1].1,
    ]);
    let json: Value = serde_json::from_str(&stdout(&run)).unwrap();
    assert_eq!(table[2][3], json["results"][0]["text"].as_str().unwrap());
}

#[test]
fn batch_resumes_after_a_crash_without_redoing_finished_rows() {
    let model = fixture_copy("t5-tiny-a");
    let work = tempfile::tempdir().unwrap();
    let input = write_input(work.path(), &ROWS);
    let output = work.path().join("out.csv");
    stdout(&batch(
        model.path().to_str().unwrap(),
        &input,
        "smiles",
        &output,
    ));
    let full = std::fs::read_to_string(&output).unwrap();
    let complete = read_csv(&output);

    // A crash after two rows, in the middle of writing the third. The two finished rows are
    // marked so a redo would show.
    let lines: Vec<&str> = full.lines().collect();
    let mark = |line: &str| line.replacen(",", ",KEPT-", 1);
    let partial = &lines[3][..lines[3].len() / 2];
    let crashed = format!(
        "{}\n{}\n{}\n{partial}",
        lines[0],
        mark(lines[1]),
        mark(lines[2])
    );
    std::fs::write(&output, crashed).unwrap();

    let out = batch(model.path().to_str().unwrap(), &input, "smiles", &output);
    stdout(&out);
    let err = stderr(&out);
    assert!(err.contains("2 rows already done, 3 to go"), "{err}");
    assert!(err.contains("incomplete last row"), "{err}");
    let resumed = read_csv(&output);
    assert_eq!(resumed.len(), complete.len());
    assert_eq!(resumed[1][1], "KEPT-a");
    assert_eq!(resumed[2][1], "KEPT-b");
    assert_eq!(resumed[3..], complete[3..]);

    // Everything done: nothing is loaded (the model's weights are gone) or rewritten.
    for entry in std::fs::read_dir(model.path()).unwrap() {
        let path = entry.unwrap().path();
        if path
            .extension()
            .is_some_and(|e| e == "safetensors" || e == "bin")
        {
            std::fs::remove_file(path).unwrap();
        }
    }
    let out = batch(model.path().to_str().unwrap(), &input, "smiles", &output);
    assert!(
        stderr(&out).contains("all 5 rows are in"),
        "{}",
        stderr(&out)
    );
    assert_eq!(read_csv(&output), resumed);
}

#[test]
fn batch_refuses_to_resume_an_output_of_another_input_or_task() {
    let model = fixture_copy("t5-tiny-a");
    let model = model.path().to_str().unwrap();
    let work = tempfile::tempdir().unwrap();
    let input = write_input(work.path(), &ROWS[..2]);
    let output = work.path().join("out.csv");
    stdout(&batch(model, &input, "smiles", &output));
    let first = std::fs::read(&output).unwrap();

    let other = work.path().join("other");
    std::fs::create_dir(&other).unwrap();
    let other_input = write_input(&other, &ROWS[1..]);
    let out = batch(model, &other_input, "smiles", &output);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("written by another run") && err.contains("input:"),
        "{err}"
    );
    assert!(err.contains("--overwrite"), "{err}");

    let retro = ["--task", "retro"];
    let out = batch_with(model, &input, "smiles", &output, &retro);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("task: forward → retro"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read(&output).unwrap(),
        first,
        "a refused run writes nothing"
    );

    let overwrite = ["--task", "retro", "--overwrite"];
    stdout(&batch_with(model, &input, "smiles", &output, &overwrite));
    let table = read_csv(&output);
    assert_eq!(table.len(), 3);
    let record = std::fs::read_to_string(work.path().join("out.csv.textchem.json")).unwrap();
    assert!(record.contains("\"task\": \"retro\""), "{record}");
}

#[test]
fn a_batch_row_that_is_not_utf8_is_an_error_row_and_the_rest_run() {
    let model = fixture_copy("t5-tiny-a");
    let work = tempfile::tempdir().unwrap();
    let input = work.path().join("in.csv");
    std::fs::write(&input, b"id,smiles\na,CCO\nb,C\xE9O\nc,CCN\n").unwrap();
    let output = work.path().join("out.csv");
    stdout(&batch(
        model.path().to_str().unwrap(),
        &input,
        "smiles",
        &output,
    ));
    let table = read_csv(&output);
    assert_eq!(table.len(), 4);
    assert!(
        table[2][7].contains("line 3") && table[2][7].contains("not UTF-8"),
        "{:?}",
        table[2]
    );
    // The other rows ran: they have answers (the tiny model's are noise, so not valid SMILES).
    assert!(
        !table[1][3].is_empty() && !table[3][3].is_empty(),
        "{table:?}"
    );
}

#[test]
fn batch_names_the_available_columns_when_one_is_missing() {
    let work = tempfile::tempdir().unwrap();
    let input = write_input(work.path(), &ROWS);
    let output = work.path().join("out.csv");
    let out = batch("/nonexistent-model", &input, "SMILES", &output);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("no column \"SMILES\"") && err.contains("id, smiles"),
        "{err}"
    );
    assert!(!output.exists());
}

#[test]
fn run_on_a_gpu_that_does_not_open_answers_on_the_cpu_with_a_notice() {
    let model = fixture_copy("t5-tiny-a");
    let dir = model.path().to_str().unwrap();
    let args = ["run", "--task", "forward", "--model", dir, "--beams", "2"];
    let on_cpu = textchem(&[&args[..], &["--device", "cpu", "--max-length", "16", "CCO"]].concat());
    // No Linux machine has a Metal adapter: the GPU cannot open.
    let out = Command::new(env!("CARGO_BIN_EXE_textchem"))
        .args(args)
        .args(["--device", "gpu", "--max-length", "16", "CCO"])
        .env("HF_HUB_OFFLINE", "1")
        .env("WGPU_BACKEND", "metal")
        .output()
        .unwrap();
    if cfg!(target_os = "macos") {
        return;
    }
    assert_eq!(stdout(&out), stdout(&on_cpu));
    let err = stderr(&out);
    assert!(
        err.contains("notice: The GPU was asked for but the model runs on the CPU")
            && err.contains("on the CPU in"),
        "{err}"
    );
    // An unknown device name is refused with the choices.
    let out = textchem(&[&args[..], &["--device", "tpu", "CCO"]].concat());
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("auto, cpu or gpu"),
        "{}",
        stderr(&out)
    );
}
