//! `textchem eval`: the metrics against the MolT5 reference script's values on the shared
//! ChEBI-20 predictions, the reaction and action scores on perturbed copies of the shared
//! USPTO and paragraph2actions references (answers known by construction), and the CLI.

use std::path::{Path, PathBuf};
use std::process::Command;

use textchem::eval::data::read_examples;
use textchem::eval::predictions::{Columns, PredictionRow, Predictions, read_predictions};
use textchem::eval::reaction::normalise;
use textchem::eval::text_tokens::TextTokenizer;
use textchem::eval::wordnet::WordNet;
use textchem::eval::{EvalOptions, Report, evaluate};
use textchem::model::task::Task;

use crate::fixtures::textchem;

fn shared_path(rel: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(rel);
    if p.exists() {
        Some(p)
    } else {
        eprintln!(
            "skipping: {} not found (no ../shared beside the checkout)",
            p.display()
        );
        None
    }
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/eval")
        .join(name)
}

fn score(task: Task, rows: Vec<PredictionRow>) -> Report {
    let predictions = Predictions {
        path: PathBuf::from("perturbed"),
        ranks: rows.iter().map(|r| r.outputs.len()).max().unwrap_or(1),
        rows,
    };
    evaluate(task, &predictions, &EvalOptions::default()).unwrap()
}

/// Every metric both sides report agrees within 0.002 (0.05 for the edit distance), and the
/// metrics textchem computes today are all among them.
fn check_against_reference(task: Task, predictions: &str, reference: &str, expected: &[&str]) {
    check_with_options(
        task,
        predictions,
        reference,
        expected,
        &EvalOptions::default(),
    );
}

fn check_with_options(
    task: Task,
    predictions: &str,
    reference: &str,
    expected: &[&str],
    options: &EvalOptions,
) {
    let Some(path) = shared_path(&format!("data/chebi20/predictions/{predictions}")) else {
        return;
    };
    let report = evaluate(
        task,
        &read_predictions(&path, &Columns::default()).unwrap(),
        options,
    )
    .unwrap();
    let text = std::fs::read_to_string(fixture(reference)).unwrap();
    let reference: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(report.n as u64, reference["n"].as_u64().unwrap());
    let mut compared = vec![];
    for (name, value) in reference["metrics"].as_object().unwrap() {
        let Some(ours) = report.metrics.get(name) else {
            continue;
        };
        let theirs = value.as_f64().unwrap();
        let tolerance = if name == "levenshtein" { 0.05 } else { 0.002 };
        assert!(
            (ours - theirs).abs() <= tolerance,
            "{name}: textchem {ours}, reference {theirs}"
        );
        compared.push(name.as_str());
    }
    for name in expected {
        assert!(
            compared.contains(name),
            "{name} was not compared ({compared:?})"
        );
    }
}

#[test]
fn molt5_base_molecule_metrics_match_the_reference_script() {
    check_against_reference(
        Task::Molecule,
        "molt5-base-caption2smiles.txt",
        "molt5-base-caption2smiles.reference.json",
        &[
            "bleu",
            "levenshtein",
            "validity",
            "exact",
            "rdk_fts",
            "morgan_fts",
        ],
    );
}

#[test]
fn molt5_base_caption_metrics_match_the_reference_script() {
    check_against_reference(
        Task::Caption,
        "molt5-base-smiles2caption.txt",
        "molt5-base-smiles2caption.reference.json",
        &["bleu2", "bleu4", "rouge1", "rouge2", "rougeL", "meteor"],
    );
}

/// With a WordPiece vocabulary (`scripts/eval_test_vocab.py`: 2,000 words and single
/// characters, so rarer words split into `##` pieces) the caption tokens are
/// BertTokenizerFast's, as the MolT5 script tokenizes with SciBERT's vocabulary.
#[test]
fn molt5_base_caption_metrics_with_wordpiece_match_the_reference_script() {
    let options = EvalOptions {
        text_tokenizer: Some(TextTokenizer::with_vocab(&fixture("test_vocab.txt")).unwrap()),
        ..EvalOptions::default()
    };
    check_with_options(
        Task::Caption,
        "molt5-base-smiles2caption.txt",
        "molt5-base-smiles2caption.wordpiece.reference.json",
        &["bleu2", "bleu4", "meteor"],
        &options,
    );
}

/// METEOR with WordNet synonyms against nltk's with the same database (Debian's wordnet-base
/// files; skipped where they are not installed).
#[test]
fn molt5_base_meteor_with_wordnet_matches_nltk() {
    let wordnet_dir = Path::new("/usr/share/wordnet");
    if !wordnet_dir.join("index.noun").exists() {
        eprintln!("skipping: no WordNet database in {}", wordnet_dir.display());
        return;
    }
    let Some(path) = shared_path("data/chebi20/predictions/molt5-base-smiles2caption.txt") else {
        return;
    };
    let options = EvalOptions {
        synonyms: Some(Box::new(WordNet::open(wordnet_dir).unwrap())),
        ..EvalOptions::default()
    };
    let report = evaluate(
        Task::Caption,
        &read_predictions(&path, &Columns::default()).unwrap(),
        &options,
    )
    .unwrap();
    let text =
        std::fs::read_to_string(fixture("molt5-base-smiles2caption.reference.json")).unwrap();
    let reference: serde_json::Value = serde_json::from_str(&text).unwrap();
    let expected = reference["metrics"]["meteor_wordnet"].as_f64().unwrap();
    let ours = report.metrics.get("meteor").unwrap();
    assert!(
        (ours - expected).abs() < 1e-9,
        "textchem {ours}, nltk {expected}"
    );
}

/// The reference's components in reverse order, each written canonically: the same reaction
/// side in another string.
fn rewritten(smiles: &str) -> String {
    let mut parts: Vec<String> = smiles
        .split('.')
        .map(|p| {
            textchem::chem::canon::canonical_smiles(
                &textchem::chem::smiles::parse_molecule(p).unwrap(),
            )
        })
        .collect();
    parts.reverse();
    parts.join(".")
}

/// Rows of references that parse, in multiples of 40, with known outputs: row i is right at
/// rank 1 unless i % 10 == 0; those wrong rows carry an extra component (and every 40th an
/// unparseable output), and every 20th has the right answer at rank 2. So exact 0.9, top-3
/// 0.95, validity 0.975.
fn perturbed_reaction_rows(references: Vec<String>) -> Vec<PredictionRow> {
    let usable: Vec<String> = references
        .into_iter()
        .filter(|r| normalise(r).is_some())
        .take(2000)
        .collect();
    let n = usable.len() / 40 * 40;
    assert!(n >= 400, "only {n} usable references");
    usable[..n]
        .iter()
        .enumerate()
        .map(|(i, reference)| {
            let right = rewritten(reference);
            let wrong = format!("{reference}.C");
            let outputs = match i {
                i if i % 40 == 0 => vec!["C1CC".to_owned(), right, wrong],
                i if i % 20 == 0 => vec![wrong.clone(), right, wrong],
                i if i % 10 == 0 => vec![wrong.clone(), wrong.clone(), wrong],
                _ => vec![right, wrong.clone(), wrong],
            };
            PredictionRow {
                reference: reference.clone(),
                outputs,
            }
        })
        .collect()
}

fn check_reaction_report(report: &Report) {
    let m = &report.metrics;
    assert!((m.get("exact").unwrap() - 0.9).abs() < 1e-12, "{m:?}");
    assert!((m.get("top_3").unwrap() - 0.95).abs() < 1e-12, "{m:?}");
    assert!((m.get("validity").unwrap() - 0.975).abs() < 1e-12, "{m:?}");
    assert_eq!(m.get("top_5"), None);
}

#[test]
fn forward_scores_on_perturbed_uspto_mit_products() {
    let Some(path) = shared_path("data/reactions/uspto_mit/test_unmapped.tsv") else {
        return;
    };
    let examples = read_examples(&path, Task::Forward).unwrap();
    assert_eq!(examples.len(), 40_000);
    let rows = perturbed_reaction_rows(
        examples
            .into_iter()
            .take(2400)
            .map(|e| e.reference)
            .collect(),
    );
    check_reaction_report(&score(Task::Forward, rows));
}

#[test]
fn retro_scores_on_perturbed_uspto50k_reactants() {
    let Some(path) = shared_path("data/reactions/uspto50k/test_unmapped.tsv") else {
        return;
    };
    let examples = read_examples(&path, Task::Retro).unwrap();
    assert_eq!(examples.len(), 5007);
    assert!(
        examples[0].reference.contains('.'),
        "retro references are reactant sets"
    );
    let rows = perturbed_reaction_rows(
        examples
            .into_iter()
            .take(2400)
            .map(|e| e.reference)
            .collect(),
    );
    check_reaction_report(&score(Task::Retro, rows));
}

#[test]
fn action_scores_on_perturbed_paragraph2actions_targets() {
    let Some(dir) = shared_path("data/paragraph2actions") else {
        return;
    };
    let mut targets = vec![];
    for split in ["train", "valid", "test"] {
        let examples = read_examples(&dir.join(format!("src-{split}.txt")), Task::Actions).unwrap();
        targets.extend(examples.into_iter().map(|e| e.reference));
    }
    assert_eq!(targets.len(), 100);
    let exact: Vec<PredictionRow> = targets
        .iter()
        .map(|t| PredictionRow {
            reference: t.clone(),
            outputs: vec![t.clone()],
        })
        .collect();
    let all_right = score(Task::Actions, exact);
    for name in ["bleu2", "exact", "action_types"] {
        assert_eq!(all_right.metrics.get(name), Some(1.0), "{name}");
    }
    // nltk's value for these identical pairs: an action string too short for a 4-gram still
    // adds one to the 4-gram denominator, so even a perfect corpus scores below 1.
    let bleu4 = all_right.metrics.get("bleu4").unwrap();
    assert!((bleu4 - 0.9955195230691172).abs() < 1e-12, "{bleu4}");
    // Every 10th row gets another first action (types and text wrong); every 10th + 5 a changed
    // detail (text wrong, types right).
    let perturbed: Vec<PredictionRow> = targets
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let output = match i % 10 {
                0 => match t.split_once(' ') {
                    Some((_, rest)) => format!("WAIT {rest}"),
                    None => "WAIT.".to_owned(),
                },
                5 => format!("{} at 25 °C", t.trim_end_matches('.')),
                _ => t.clone(),
            };
            PredictionRow {
                reference: t.clone(),
                outputs: vec![output],
            }
        })
        .collect();
    let report = score(Task::Actions, perturbed);
    let m = &report.metrics;
    assert!((m.get("exact").unwrap() - 0.8).abs() < 1e-12, "{m:?}");
    assert!(
        (m.get("action_types").unwrap() - 0.9).abs() < 1e-12,
        "{m:?}"
    );
    let bleu4 = m.get("bleu4").unwrap();
    assert!(bleu4 > 0.8 && bleu4 < 1.0, "{m:?}");
}

#[test]
fn data_readers_read_the_shared_sets() {
    let Some(data) = shared_path("data") else {
        return;
    };
    let caption = read_examples(&data.join("chebi20/test.txt"), Task::Caption).unwrap();
    assert_eq!(caption.len(), 3300);
    assert!(
        caption.iter().all(|e| !e.input.contains("\\\\")),
        "doubled backslashes are read as one"
    );
    let molecule = read_examples(&data.join("chebi20/test.txt"), Task::Molecule).unwrap();
    assert_eq!(molecule[0].reference, caption[0].input);
    let forward = read_examples(
        &data.join("reactions/uspto50k/test_unmapped.tsv"),
        Task::Forward,
    )
    .unwrap();
    assert_eq!(forward.len(), 5007);
    for task in Task::ALL {
        let samples = read_examples(&data.join("gt4sd_samples/test.jsonl"), task).unwrap();
        assert!(!samples.is_empty() && samples.iter().all(|s| !s.input.starts_with(task.prefix())));
    }
}

#[test]
fn the_command_prints_json_or_markdown_and_names_bad_columns() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("p.tsv");
    std::fs::write(
        &file,
        "SMILES\tground truth\toutput\nx\tCCO\tOCC\nx\tCCN\tC1CC\n",
    )
    .unwrap();
    let run = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_textchem"))
            .args(["eval", "--task", "molecule", "--predictions"])
            .arg(&file)
            .args(extra)
            .output()
            .unwrap()
    };
    let out = run(&[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["task"], "molecule");
    assert_eq!(json["n"], 2);
    assert_eq!(json["metrics"]["validity"], 0.5);
    assert_eq!(json["metrics"]["exact_canonical"], 0.5);
    let md = run(&["--format", "markdown"]);
    assert!(String::from_utf8_lossy(&md.stdout).contains("| validity | 0.5000 |"));
    let bad = run(&["--columns", "ref,pred"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no column \"ref\""));
}

fn eval_on_data(model: &Path, data: &Path, output: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_textchem"))
        .args([
            "eval",
            "--task",
            "forward",
            "--beams",
            "2",
            "--max-length",
            "12",
            "--model",
        ])
        .arg(model)
        .arg("--data")
        .arg(data)
        .arg("--output")
        .arg(output)
        .env("HF_HUB_OFFLINE", "1")
        .output()
        .unwrap()
}

/// `--data` runs the model (the tiny fixture: its answers are noise, the file format and the
/// resume are what count), writes every beam and the report, and resumes after a crash.
#[test]
fn data_runs_the_model_writes_beams_and_resumes() {
    let model = crate::fixtures::fixture_copy("t5-tiny-a");
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("reactions.tsv");
    std::fs::write(&data, "reactants\treagents\tproduct\nCCO.CC(=O)O\tO\tCCOC(C)=O\nCC=C\t\tCCC\nc1ccccc1\tBr\tBrc1ccccc1\n")
        .unwrap();
    let output = work.path().join("preds.tsv");
    let out = eval_on_data(model.path(), &data, &output);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["n"], 3);
    assert!(report["metrics"]["exact"].is_number() && report["metrics"]["top_3"].is_null());
    let beside: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(work.path().join("preds.tsv.report.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(beside, report);
    let full = std::fs::read_to_string(&output).unwrap();
    let lines: Vec<&str> = full.lines().collect();
    assert_eq!(lines[0], "row\tinput\tground truth\toutput\toutput_2");
    assert!(
        lines[1].starts_with("1\tCCO.CC(=O)O.O\tCCOC(C)=O\t"),
        "{}",
        lines[1]
    );
    assert_eq!(lines.len(), 4);

    // A crash while writing the third row: the first two are kept (marked to show a redo).
    let marked = lines[1].replacen("CCOC(C)=O", "KEPT", 1);
    std::fs::write(
        &output,
        format!("{}\n{marked}\n{}\n{}", lines[0], lines[2], &lines[3][..4]),
    )
    .unwrap();
    let out = eval_on_data(model.path(), &data, &output);
    assert!(String::from_utf8_lossy(&out.stderr).contains("2 examples already done, 1 to go"));
    let resumed = std::fs::read_to_string(&output).unwrap();
    assert!(resumed.lines().nth(1).unwrap().contains("KEPT"));
    assert_eq!(resumed.lines().nth(3), Some(lines[3]));
}

/// `retro` with `--data` and a model also reports `roundtrip`: the share of rows whose first
/// output, run through the forward task greedily, gives back the product. The same forward
/// runs through `textchem run` decide what it must be.
#[test]
fn retro_on_data_reports_the_forward_round_trip() {
    let model = crate::fixtures::fixture_copy("t5-tiny-a");
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("retro.tsv");
    let products = ["CCOC(C)=O", "CCC", "Brc1ccccc1"];
    std::fs::write(
        &data,
        "reactants\tproduct\nCCO.CC(=O)O\tCCOC(C)=O\nCC=C\tCCC\nc1ccccc1.Br\tBrc1ccccc1\n",
    )
    .unwrap();
    let output = work.path().join("preds.tsv");
    let model_dir = model.path().to_str().unwrap();
    let out = textchem(&[
        "eval",
        "--task",
        "retro",
        "--beams",
        "1",
        "--max-length",
        "24",
        "--model",
        model_dir,
        "--data",
        data.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let roundtrip = report["metrics"]["roundtrip"]
        .as_f64()
        .expect("roundtrip reported");
    let predictions = std::fs::read_to_string(&output).unwrap();
    let mut back = 0;
    for (line, product) in predictions.lines().skip(1).zip(products) {
        let precursors = line.split('\t').nth(3).unwrap();
        let run = textchem(&[
            "run",
            "--task",
            "forward",
            "--beams",
            "1",
            "--max-length",
            "24",
            "--model",
            model_dir,
            "--format",
            "json",
            precursors,
        ]);
        let answer: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
        let text = answer["results"][0]["text"].as_str().unwrap();
        let same = textchem::eval::reaction::normalise(text)
            .is_some_and(|t| Some(t) == textchem::eval::reaction::normalise(product));
        back += usize::from(same);
    }
    assert_eq!(roundtrip, back as f64 / 3.0);
}
