//! Damaged and hostile checkpoint folders through the built binary: each ends in exit status 1
//! with a message naming the file at fault, never a panic (101), an abort (134) or NaN answers.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::fixtures::fixture_copy;

/// `textchem run` on `model` with `input` on standard input; returns (exit code, stderr).
fn run(model: &Path, input: &str) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_textchem"))
        .args(["run", "--task", "caption", "--beams", "1"])
        .args(["--max-length", "8", "--device", "cpu", "--model"])
        .args([model.to_str().unwrap(), "-"])
        .env("HF_HUB_OFFLINE", "1")
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A write error means the binary stopped reading early; its status tells why.
    let _ = child.stdin.take().unwrap().write_all(input.as_bytes());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let out_text = String::from_utf8_lossy(&out.stdout);
    assert!(!out_text.contains("NaN"), "NaN in the answers: {out_text}");
    (out.status.code().unwrap_or(-1), err)
}

fn assert_refused(model: &Path, input: &str, file: &str, reason: &str) {
    let (code, err) = run(model, input);
    assert_eq!(code, 1, "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains(file), "the message names {file}: {err}");
    assert!(err.contains(reason), "the message says {reason:?}: {err}");
}

/// Sets `key` in the folder's JSON file `name`.
fn edit_json(dir: &Path, name: &str, key: &str, value: serde_json::Value) {
    let path = dir.join(name);
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    json[key] = value;
    std::fs::write(path, json.to_string()).unwrap();
}

#[test]
fn impossible_configs_are_refused_naming_config_json() {
    for (key, value, reason) in [
        ("num_layers", serde_json::json!(0), "num_layers is 0"),
        (
            "layer_norm_epsilon",
            serde_json::json!(-1.0),
            "layer_norm_epsilon is -1",
        ),
        ("d_ff", serde_json::json!(1u64 << 40), "d_ff is"),
    ] {
        let model = fixture_copy("t5-tiny-a");
        edit_json(model.path(), "config.json", key, value);
        assert_refused(model.path(), "CCO", "config.json", reason);
    }
}

#[test]
fn absurd_sentinel_counts_are_refused_before_allocating() {
    for n in [100_000_000u64, 1_000_000_000_000] {
        let model = fixture_copy("t5-tiny-a");
        let _ = std::fs::remove_file(model.path().join("tokenizer.json"));
        edit_json(
            model.path(),
            "tokenizer_config.json",
            "extra_ids",
            serde_json::json!(n),
        );
        edit_json(
            model.path(),
            "tokenizer_config.json",
            "additional_special_tokens",
            serde_json::json!([]),
        );
        assert_refused(model.path(), "CCO", "tokenizer_config.json", "extra_ids is");
    }
}

#[test]
fn flipped_bits_in_the_weights_are_caught_at_load() {
    let model = fixture_copy("t5-tiny-a");
    let path = model.path().join("model.safetensors");
    let mut bytes = std::fs::read(&path).unwrap();
    let header = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    // The first value of the first tensor in the data section becomes a NaN.
    bytes[8 + header..8 + header + 4].copy_from_slice(&f32::NAN.to_le_bytes());
    std::fs::write(&path, bytes).unwrap();
    assert_refused(model.path(), "CCO", "model.safetensors", "NaN");
}

/// A zip holding `entries` stored uncompressed, as PyTorch writes its archives.
fn stored_zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = vec![];
    let mut central = vec![];
    for (name, data) in entries {
        let mut crc = flate2::Crc::new();
        crc.update(data);
        let (crc, size, name_len) = (crc.sum(), data.len() as u32, name.len() as u16);
        let common = |out: &mut Vec<u8>| {
            out.extend(20u16.to_le_bytes()); // version needed
            out.extend(0u16.to_le_bytes()); // flags
            out.extend(0u16.to_le_bytes()); // stored
            out.extend(0u32.to_le_bytes()); // time and date
            out.extend(crc.to_le_bytes());
            out.extend(size.to_le_bytes());
            out.extend(size.to_le_bytes());
            out.extend(name_len.to_le_bytes());
            out.extend(0u16.to_le_bytes()); // extra field
        };
        let offset = zip.len() as u32;
        zip.extend(0x0403_4b50u32.to_le_bytes());
        common(&mut zip);
        zip.extend(name.as_bytes());
        zip.extend(*data);
        central.extend(0x0201_4b50u32.to_le_bytes());
        central.extend(20u16.to_le_bytes()); // version made by
        common(&mut central);
        central.extend([0u8; 6]); // comment length, disk, internal attributes
        central.extend(0u32.to_le_bytes()); // external attributes
        central.extend(offset.to_le_bytes());
        central.extend(name.as_bytes());
    }
    let (central_at, central_len) = (zip.len() as u32, central.len() as u32);
    zip.extend(central);
    zip.extend(0x0605_4b50u32.to_le_bytes());
    zip.extend([0u8; 4]); // disk numbers
    zip.extend((entries.len() as u16).to_le_bytes());
    zip.extend((entries.len() as u16).to_le_bytes());
    zip.extend(central_len.to_le_bytes());
    zip.extend(central_at.to_le_bytes());
    zip.extend(0u16.to_le_bytes());
    zip
}

/// The fixture with its weights replaced by a PyTorch archive of these entries.
fn model_with_archive(entries: &[(&str, &[u8])]) -> tempfile::TempDir {
    let model = fixture_copy("t5-tiny-a");
    std::fs::remove_file(model.path().join("model.safetensors")).unwrap();
    std::fs::write(model.path().join("pytorch_model.bin"), stored_zip(entries)).unwrap();
    model
}

#[test]
fn a_pickle_string_longer_than_its_file_is_refused_before_allocating() {
    // A BINUNICODE claiming 4 GiB: candle would zero a buffer of that size before reading.
    let pickle = b"\x80\x02}X\xf0\xff\xff\xffshared.weight.";
    let model = model_with_archive(&[("archive/data.pkl", pickle)]);
    let reason = "pickle opcode 0x58 at byte 3 claims 4294967280 bytes";
    assert_refused(model.path(), "CCO", "pytorch_model.bin", reason);
}

#[test]
fn a_tensor_larger_than_its_storage_is_refused_before_allocating() {
    // shared.weight of shape (2^30, 1024) f32 over a 4-byte storage: reading it as candle does
    // would ask for 4 TiB, and a failed allocation aborts the process.
    let pickle = b"\x80\x02}X\x0d\x00\x00\x00shared.weight\
                   ctorch._utils\n_rebuild_tensor_v2\n\
                   ((X\x07\x00\x00\x00storagectorch\nFloatStorage\n\
                   X\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x01tQ\
                   K\x00(J\x00\x00\x00\x40J\x00\x04\x00\x00t(J\x00\x04\x00\x00K\x01t\
                   \x89ccollections\nOrderedDict\n)RtRs.";
    let model = model_with_archive(&[("archive/data.pkl", pickle), ("archive/data/0", &[0u8; 4])]);
    let reason = "tensor shared.weight of shape [1073741824, 1024] needs more than the 4 bytes";
    assert_refused(model.path(), "CCO", "pytorch_model.bin", reason);
}

#[test]
fn a_pickle_rebuilding_a_tensor_from_too_few_arguments_is_an_error_not_a_panic() {
    // {"shared.weight": torch._utils._rebuild_tensor_v2(0)}: one argument where six are due.
    let pickle = b"\x80\x02}X\x0d\x00\x00\x00shared.weight\
                   ctorch._utils\n_rebuild_tensor_v2\n(K\x00tRs.";
    let model = model_with_archive(&[("archive/data.pkl", pickle)]);
    assert_refused(model.path(), "CCO", "pytorch_model.bin", "malformed");
}

#[test]
fn an_input_longer_than_the_model_reads_is_refused_without_allocating_for_it() {
    let model = fixture_copy("t5-tiny-a");
    let input = "C".repeat(300_000);
    let (code, err) = run(model.path(), &input);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("at most 512"), "{err}");
}
