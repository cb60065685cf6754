//! The committed fixture models (`tests/fixtures/model`) and their HF reference outputs,
//! shared by the model tests.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the built `textchem` binary with `args`, never reaching for the network or a
/// developer's model cache.
pub fn textchem(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_textchem"))
        .args(args)
        .env("HF_HUB_OFFLINE", "1")
        .output()
        .unwrap()
}

/// Two tiny T5 v1.0 models: `a` with d_kv × heads = d_model, `b` without.
pub const MODELS: [&str; 2] = ["t5-tiny-a", "t5-tiny-b"];

pub fn fixture_dir(model: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/model")
        .join(model)
}

/// HF transformers' outputs for a fixture model (`<model>.reference.json`).
pub fn reference(model: &str) -> Value {
    let path = fixture_dir(model).with_extension("reference.json");
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// A private copy of a fixture folder: loading caches tokenizer.json beside spiece.model.
pub fn fixture_copy(model: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(fixture_dir(model)).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    dir
}

pub fn id_rows(v: &Value) -> Vec<Vec<u32>> {
    serde_json::from_value(v.clone()).unwrap()
}

pub fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

/// Teacher-forced (input, decoder tokens) pairs from a reference file: every logits case
/// (padding cut off) and every greedy sequence (without its final `</s>`).
pub fn agreement_cases(model_name: &str) -> Vec<(Vec<u32>, Vec<u32>)> {
    let r = reference(model_name);
    let mut cases = vec![];
    for case in r["logits"].as_array().unwrap() {
        let inputs = id_rows(&case["input_ids"]);
        let masks = id_rows(&case["attention_mask"]);
        for ((input, decoder), mask) in inputs
            .into_iter()
            .zip(id_rows(&case["decoder_input_ids"]))
            .zip(masks)
        {
            let real = mask.iter().filter(|&&v| v == 1).count();
            cases.push((input[..real].to_vec(), decoder));
        }
    }
    for case in r["generation"]["greedy"].as_array().unwrap() {
        let input: Vec<u32> = serde_json::from_value(case["input_ids"].clone()).unwrap();
        let mut seq: Vec<u32> = serde_json::from_value(case["sequence"].clone()).unwrap();
        seq.pop();
        cases.push((input, seq));
    }
    cases
}
