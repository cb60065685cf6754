//! T5 parity with Hugging Face transformers 4.57.6 on the committed fixture models:
//! teacher-forced logits (both weight formats), greedy and beam-search outputs and scores,
//! and the quantized GGUF formats' agreement with fp32.

use candle_core::{Device, Tensor};
use serde_json::Value;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use textchem::model::generate::{Cancelled, GenerateConfig, Generated, generate};
use textchem::model::t5::T5Model;
use textchem::model::weights::{T5Config, TensorStore, WeightFormat, find_weights};

const MODELS: [&str; 2] = ["t5-tiny-a", "t5-tiny-b"];
const TOL: f32 = 1e-4;

fn fixture_dir(model: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/model")
        .join(model)
}

fn reference(model: &str) -> Value {
    let path = fixture_dir(model).with_extension("reference.json");
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn load(model: &str, format: WeightFormat) -> T5Model {
    let dir = fixture_dir(model);
    let cfg = T5Config::from_file(&dir.join("config.json")).unwrap();
    let (path, found) = find_weights(&dir, Some(format)).unwrap();
    assert_eq!(found, format);
    T5Model::load(cfg, &TensorStore::load(&path, format).unwrap()).unwrap()
}

fn ids_tensor(v: &Value) -> Tensor {
    let rows: Vec<Vec<u32>> = serde_json::from_value(v.clone()).unwrap();
    let (b, l) = (rows.len(), rows[0].len());
    Tensor::from_vec(rows.concat(), (b, l), &Device::Cpu).unwrap()
}

fn floats(v: &Value) -> Vec<f32> {
    serde_json::from_value(v.clone()).unwrap()
}

fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

/// HF's checksum: Σ_j x[j]·cos(j) over a row.
fn projection(row: &[f32]) -> f32 {
    row.iter()
        .enumerate()
        .map(|(j, x)| x * (j as f32).cos())
        .sum()
}

/// Compares one logits case; returns the largest difference seen on full rows and maxima.
fn check_logits_case(model: &T5Model, case: &Value, label: &str) -> f32 {
    let ids = ids_tensor(&case["input_ids"]);
    let mask = ids_tensor(&case["attention_mask"]);
    let dec = ids_tensor(&case["decoder_input_ids"]);
    let encoded = model.encode(&ids, Some(&mask)).unwrap();
    let mut state = model.start_decoding(&encoded, Some(&mask)).unwrap();
    let logits = model.decode(&mut state, &dec).unwrap();
    let want_shape: Vec<usize> = serde_json::from_value(case["logits"]["shape"].clone()).unwrap();
    assert_eq!(
        logits.dims(),
        want_shape.as_slice(),
        "{label}: logits shape"
    );
    let logits: Vec<Vec<Vec<f32>>> = logits.to_vec3().unwrap();
    let mut worst = 0f32;

    // Full rows of batch item 0: every logit within the tolerance.
    for (pos, row) in case["logits"]["full"].as_object().unwrap() {
        let pos: usize = pos.parse().unwrap();
        let d = max_abs_diff(&logits[0][pos], &floats(row));
        assert!(d <= TOL, "{label}: logits row {pos} differs by {d}");
        worst = worst.max(d);
    }
    // Every position of every batch item: maximum, argmax and checksum.
    for (b, batch) in logits.iter().enumerate() {
        let maxes = floats(&case["logits"]["max"][b]);
        let argmaxes: Vec<usize> =
            serde_json::from_value(case["logits"]["argmax"][b].clone()).unwrap();
        let projections = floats(&case["logits"]["projection"][b]);
        for (pos, row) in batch.iter().enumerate() {
            let (am, m) = row
                .iter()
                .enumerate()
                .fold((0, f32::MIN), |a, (i, &v)| if v > a.1 { (i, v) } else { a });
            let d = (m - maxes[pos]).abs();
            assert!(
                d <= TOL,
                "{label}: batch {b} position {pos} max differs by {d}"
            );
            worst = worst.max(d);
            assert_eq!(
                am, argmaxes[pos],
                "{label}: batch {b} position {pos} argmax"
            );
            // The checksum sums ~800 logits of magnitude ~10, rounded to 7 digits in the file.
            let p = projection(row);
            assert!(
                (p - projections[pos]).abs() <= 1e-3 * p.abs().max(1.0),
                "{label}: batch {b} position {pos} checksum {p} vs {}",
                projections[pos]
            );
        }
    }
    // Encoder hidden states: the first two rows in full.
    let enc: Vec<Vec<Vec<f32>>> = encoded.to_vec3().unwrap();
    for (r, row) in case["encoder_hidden"]["first_rows"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let d = max_abs_diff(&enc[0][r], &floats(row));
        assert!(d <= TOL, "{label}: encoder row {r} differs by {d}");
    }
    worst
}

#[test]
fn logits_match_hf_for_every_model_and_weight_format() {
    for model_name in MODELS {
        let reference = reference(model_name);
        for format in [WeightFormat::Safetensors, WeightFormat::PytorchBin] {
            let model = load(model_name, format);
            for case in reference["logits"].as_array().unwrap() {
                let label = format!("{model_name} {format:?} {}", case["name"]);
                let worst = check_logits_case(&model, case, &label);
                eprintln!("{label}: max abs diff {worst:.2e}");
            }
        }
    }
}

/// HF pads shorter beams with `</s>` (pad id 0 is falsy in its fill-value expression);
/// a sequence ends at its first `</s>` after the start token.
fn trim_sequence(seq: &[u32], eos: u32) -> Vec<u32> {
    match seq.iter().skip(1).position(|&t| t == eos) {
        Some(i) => seq[..i + 2].to_vec(),
        None => seq.to_vec(),
    }
}

fn run(model: &T5Model, input: &[u32], cfg: &GenerateConfig) -> Vec<Generated> {
    generate(model, input, cfg, &mut |_| ControlFlow::Continue(())).unwrap()
}

#[test]
fn greedy_sequences_and_scores_match_hf() {
    for model_name in MODELS {
        let model = load(model_name, WeightFormat::Safetensors);
        for case in reference(model_name)["generation"]["greedy"]
            .as_array()
            .unwrap()
        {
            let input: Vec<u32> = serde_json::from_value(case["input_ids"].clone()).unwrap();
            let max_length = case["max_length"].as_u64().unwrap() as usize;
            let out = run(&model, &input, &GenerateConfig::greedy(max_length));
            let want: Vec<u32> = serde_json::from_value(case["sequence"].clone()).unwrap();
            assert_eq!(out[0].tokens, want, "{model_name} greedy {}", case["input"]);
            let score = case["score"].as_f64().unwrap() as f32;
            assert!(
                (out[0].score - score).abs() <= TOL,
                "{model_name} greedy score {} vs {score}",
                out[0].score
            );
        }
    }
}

fn check_beams(key: &str) {
    for model_name in MODELS {
        let model = load(model_name, WeightFormat::Safetensors);
        for case in reference(model_name)["generation"][key].as_array().unwrap() {
            let input: Vec<u32> = serde_json::from_value(case["input_ids"].clone()).unwrap();
            let beams = case["num_beams"].as_u64().unwrap() as usize;
            let max_length = case["max_length"].as_u64().unwrap() as usize;
            let mut cfg = GenerateConfig::beam(beams, max_length);
            cfg.num_return_sequences = case["num_return_sequences"].as_u64().unwrap() as usize;
            let out = run(&model, &input, &cfg);
            let want: Vec<Vec<u32>> = serde_json::from_value(case["sequences"].clone()).unwrap();
            let scores = floats(&case["sequences_scores"]);
            assert_eq!(
                out.len(),
                want.len(),
                "{model_name} {key} {}",
                case["input"]
            );
            for (i, (got, w)) in out.iter().zip(&want).enumerate() {
                assert_eq!(
                    got.tokens,
                    trim_sequence(w, 1),
                    "{model_name} {key} {} rank {i}",
                    case["input"]
                );
                assert!(
                    (got.score - scores[i]).abs() <= TOL,
                    "{model_name} {key} {} rank {i}: score {} vs {}",
                    case["input"],
                    got.score,
                    scores[i]
                );
            }
        }
    }
}

#[test]
fn beam5_sequences_and_scores_match_hf() {
    check_beams("beam5");
}

#[test]
fn beam10_sequences_and_scores_match_hf() {
    check_beams("beam10");
}

#[test]
fn cancelling_stops_generation_at_the_step_asked() {
    let model = load("t5-tiny-a", WeightFormat::Safetensors);
    let case = &reference("t5-tiny-a")["generation"]["beam5"][0];
    let input: Vec<u32> = serde_json::from_value(case["input_ids"].clone()).unwrap();
    for cfg in [GenerateConfig::greedy(32), GenerateConfig::beam(5, 40)] {
        let mut steps = 0;
        let err = generate(&model, &input, &cfg, &mut |p| {
            steps = p.step;
            if p.step == 3 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .unwrap_err();
        assert!(err.downcast_ref::<Cancelled>().is_some(), "{err}");
        assert_eq!(steps, 3, "no step ran after the cancel");
    }
}

#[test]
fn bad_inputs_get_clear_errors() {
    let model = load("t5-tiny-a", WeightFormat::Safetensors);
    let err = generate(&model, &[], &GenerateConfig::greedy(8), &mut |_| {
        ControlFlow::Continue(())
    })
    .unwrap_err();
    assert!(err.to_string().contains("no tokens"), "{err}");
    let err = generate(&model, &[5000, 1], &GenerateConfig::greedy(8), &mut |_| {
        ControlFlow::Continue(())
    })
    .unwrap_err();
    assert!(err.to_string().contains("outside the vocabulary"), "{err}");
    let dir = tempdir("t5-missing");
    std::fs::copy(
        fixture_dir("t5-tiny-a").join("config.json"),
        dir.join("config.json"),
    )
    .unwrap();
    let err = T5Model::load_dir(&dir).err().unwrap();
    assert!(format!("{err:#}").contains("no weights in"), "{err:#}");
}

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("textchem-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
