//! The tokenizer built from `spiece.model` against HF transformers' `T5TokenizerFast` on the fixtures
//! (tests/fixtures/model/tokenizer_reference.json, made by scripts/make_model_fixtures.py).

use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use textchem::model::tokenizer::{
    T5TokenizerConfig, TOKENIZER_JSON, build_from_folder, load_tokenizer,
};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/model")
}

#[derive(Deserialize)]
struct Reference {
    folder: String,
    backend: Value,
    strings: Vec<StringCase>,
}

#[derive(Deserialize)]
struct StringCase {
    category: String,
    text: String,
    ids: Vec<u32>,
    decoded: String,
    decoded_with_special: String,
}

fn reference() -> Reference {
    let text = fs::read_to_string(fixtures().join("tokenizer_reference.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn ids_and_decoded_strings_match_hf_on_every_fixture_string() {
    let reference = reference();
    assert!(reference.strings.len() >= 3000);
    let tokenizer = build_from_folder(&fixtures().join(&reference.folder)).unwrap();
    let mut failures = Vec::new();
    for case in &reference.strings {
        let ids = tokenizer
            .encode(case.text.as_str(), true)
            .unwrap()
            .get_ids()
            .to_vec();
        let decoded = tokenizer.decode(&case.ids, true).unwrap();
        let with_special = tokenizer.decode(&case.ids, false).unwrap();
        if ids != case.ids || decoded != case.decoded || with_special != case.decoded_with_special {
            failures.push(format!(
                "[{}] {:?}: ids {:?} (HF {:?}), decoded {:?} (HF {:?}), with special {:?} (HF {:?})",
                case.category, case.text, ids, case.ids, decoded, case.decoded, with_special, case.decoded_with_special
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} strings differ from HF; first ones:\n{}",
        failures.len(),
        reference.strings.len(),
        failures[..failures.len().min(10)].join("\n")
    );
}

#[test]
fn runs_of_characters_missing_from_the_vocabulary_become_one_unk() {
    let tokenizer = build_from_folder(&fixtures().join("t5-tiny-a")).unwrap();
    let unk = tokenizer.token_to_id("<unk>").unwrap();
    let ids = tokenizer
        .encode("C\\{}<C", true)
        .unwrap()
        .get_ids()
        .to_vec();
    assert_eq!(ids.iter().filter(|&&i| i == unk).count(), 1, "{ids:?}");
    assert_eq!(ids.last(), tokenizer.token_to_id("</s>").as_ref());
}

/// HF's converted tokenizer.json with the vocabulary replaced by its length and the charsmap by its
/// sha256 (as the fixture script records it).
fn summary(mut json: Value) -> Value {
    for norm in json["normalizer"]["normalizers"].as_array_mut().unwrap() {
        if norm["type"] == "Precompiled" {
            let map = norm.as_object_mut().unwrap();
            let blob = map.remove("precompiled_charsmap").unwrap();
            let bytes = base64_decode(blob.as_str().unwrap());
            map.insert(
                "precompiled_charsmap_sha256".into(),
                format!("{:x}", Sha256::digest(bytes)).into(),
            );
        }
    }
    let model = json["model"].as_object_mut().unwrap();
    let len = model.remove("vocab").unwrap().as_array().unwrap().len();
    model.insert("vocab_len".into(), len.into());
    json
}

fn base64_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in text.bytes().filter(|&c| c != b'=') {
        acc = acc << 6 | ALPHABET.iter().position(|&a| a == c).unwrap() as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

#[test]
fn converted_pipeline_equals_hfs_tokenizer_json() {
    let reference = reference();
    let tokenizer = build_from_folder(&fixtures().join(&reference.folder)).unwrap();
    let ours: Value = serde_json::from_str(&tokenizer.to_string(false).unwrap()).unwrap();
    assert_eq!(summary(ours), reference.backend);
}

fn temp_copy_of(model: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "spiece.model",
        "tokenizer_config.json",
        "special_tokens_map.json",
        "config.json",
    ] {
        fs::copy(fixtures().join(model).join(name), dir.path().join(name)).unwrap();
    }
    dir
}

#[test]
fn the_converted_tokenizer_is_cached_beside_the_model_and_reused() {
    let dir = temp_copy_of("t5-tiny-a");
    let text = "Caption the following SMILES: CC(=O)Oc1ccccc1C(=O)O";
    let built = load_tokenizer(dir.path()).unwrap();
    let cache = dir.path().join(TOKENIZER_JSON);
    assert!(cache.exists());
    let cached = load_tokenizer(dir.path()).unwrap();
    assert_eq!(
        built.encode(text, true).unwrap().get_ids(),
        cached.encode(text, true).unwrap().get_ids()
    );
    // A damaged cache is rebuilt, not reported.
    fs::write(&cache, "{not json").unwrap();
    let rebuilt = load_tokenizer(dir.path()).unwrap();
    assert_eq!(
        built.encode(text, true).unwrap().get_ids(),
        rebuilt.encode(text, true).unwrap().get_ids()
    );
    assert!(tokenizers::Tokenizer::from_file(&cache).is_ok());
}

#[test]
fn missing_or_corrupt_spiece_model_names_the_file() {
    let dir = temp_copy_of("t5-tiny-a");
    let spiece = dir.path().join("spiece.model");
    fs::remove_file(&spiece).unwrap();
    let err = format!("{:#}", build_from_folder(dir.path()).unwrap_err());
    assert!(
        err.contains("spiece.model") && err.contains("download"),
        "{err}"
    );

    let bytes = fs::read(fixtures().join("t5-tiny-a/spiece.model")).unwrap();
    fs::write(&spiece, &bytes[..bytes.len() / 2]).unwrap();
    let err = format!("{:#}", build_from_folder(dir.path()).unwrap_err());
    assert!(
        err.contains("spiece.model") && err.contains("corrupt") && err.contains("byte"),
        "{err}"
    );
}

#[test]
fn non_legacy_configs_prepend_the_space_to_the_first_word_only() {
    let legacy = T5TokenizerConfig::from_json(r#"{"eos_token": "</s>"}"#).unwrap();
    assert!(legacy.legacy && legacy.add_prefix_space);
    assert_eq!(legacy.additional_special_tokens.len(), 100);
    let dir = temp_copy_of("t5-tiny-a");
    fs::write(
        dir.path().join("tokenizer_config.json"),
        r#"{"legacy": false}"#,
    )
    .unwrap();
    let tokenizer = build_from_folder(dir.path()).unwrap();
    let json: Value = serde_json::from_str(&tokenizer.to_string(false).unwrap()).unwrap();
    assert_eq!(json["pre_tokenizer"]["prepend_scheme"], "first");
    assert_eq!(json["decoder"]["prepend_scheme"], "first");
}
