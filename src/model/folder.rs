//! A checkpoint folder laid out like the GT4SD repos, checked before anything is loaded: every
//! missing or damaged file is reported by name with what to do about it.

use std::fs::{self, File};
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::spiece::SpieceModel;

pub const CONFIG: &str = "config.json";
pub const SPIECE: &str = "spiece.model";
pub const TOKENIZER_CONFIG: &str = "tokenizer_config.json";
pub const SAFETENSORS: &str = "model.safetensors";
pub const PYTORCH: &str = "pytorch_model.bin";

/// The files of one checkpoint folder. At least one weights file is present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelFiles {
    pub folder: PathBuf,
    pub config: PathBuf,
    pub spiece: PathBuf,
    /// Optional: without it the tokenizer uses T5's defaults.
    pub tokenizer_config: Option<PathBuf>,
    /// Quantized weights (`*.gguf`), sorted by name.
    pub gguf: Vec<PathBuf>,
    pub safetensors: Option<PathBuf>,
    pub pytorch: Option<PathBuf>,
}

impl ModelFiles {
    /// The full-precision weights: safetensors before the pickle (no pickle reading when avoidable).
    pub fn full_precision_weights(&self) -> Option<&Path> {
        self.safetensors.as_deref().or(self.pytorch.as_deref())
    }
}

const LAYOUT: &str = "a model folder holds config.json, spiece.model, tokenizer_config.json and \
                      model.safetensors, pytorch_model.bin or a .gguf, as the GT4SD repos do";

/// Finds and checks the files of `folder` (headers only: weights are not read in full).
pub fn check_folder(folder: &Path) -> Result<ModelFiles> {
    if !folder.is_dir() {
        bail!(
            "model folder {} does not exist ({LAYOUT})",
            folder.display()
        );
    }
    let config = required(folder, CONFIG)?;
    check_config(&config)?;
    let spiece = required(folder, SPIECE)?;
    let bytes = fs::read(&spiece).with_context(|| format!("cannot read {}", spiece.display()))?;
    SpieceModel::parse(&bytes)
        .with_context(|| format!("{} is corrupt: download it again", spiece.display()))?;
    let tokenizer_config = Some(folder.join(TOKENIZER_CONFIG)).filter(|p| p.is_file());

    let present = |name: &str| Some(folder.join(name)).filter(|p| p.is_file());
    let files = ModelFiles {
        folder: folder.to_path_buf(),
        config,
        spiece,
        tokenizer_config,
        gguf: gguf_files(folder)?,
        safetensors: present(SAFETENSORS),
        pytorch: present(PYTORCH),
    };
    if files.gguf.is_empty() && files.full_precision_weights().is_none() {
        bail!("no weights in {}: {LAYOUT}", folder.display());
    }
    if let Some(p) = &files.safetensors {
        check_safetensors(p)?;
    }
    if let Some(p) = &files.pytorch {
        check_torch_zip(p)?;
    }
    for p in &files.gguf {
        check_magic(p, b"GGUF", "a GGUF file")?;
    }
    Ok(files)
}

fn required(folder: &Path, name: &str) -> Result<PathBuf> {
    let path = folder.join(name);
    if !path.is_file() {
        bail!("{} is missing: {LAYOUT}", path.display());
    }
    Ok(path)
}

fn gguf_files(folder: &Path) -> Result<Vec<PathBuf>> {
    let mut found: Vec<PathBuf> = fs::read_dir(folder)
        .with_context(|| format!("cannot list {}", folder.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "gguf") && p.is_file())
        .collect();
    found.sort();
    Ok(found)
}

fn check_config(path: &Path) -> Result<()> {
    let text =
        fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let json: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not valid JSON: download it again", path.display()))?;
    let model_type = json
        .get("model_type")
        .and_then(|v| v.as_str())
        .unwrap_or("");
    if model_type != "t5" {
        bail!(
            "{} describes a {model_type:?} model, not a T5 (model_type \"t5\")",
            path.display()
        );
    }
    Ok(())
}

fn damaged(path: &Path, what: &str) -> anyhow::Error {
    anyhow::anyhow!(
        "{} is damaged ({what}); an interrupted download leaves this: delete it and download it again",
        path.display()
    )
}

fn check_magic(path: &Path, magic: &[u8], kind: &str) -> Result<()> {
    let mut head = vec![0u8; magic.len()];
    File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .map_err(|_| damaged(path, &format!("too short to be {kind}")))?;
    if head != magic {
        return Err(damaged(path, &format!("not {kind}")));
    }
    Ok(())
}

/// safetensors: an 8-byte little-endian header length, a JSON header, then exactly the tensor bytes
/// the header's offsets cover, so a truncated file is caught without reading the tensors.
fn check_safetensors(path: &Path) -> Result<()> {
    let mut file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let size = file.metadata()?.len();
    let mut len = [0u8; 8];
    file.read_exact(&mut len)
        .map_err(|_| damaged(path, "shorter than a safetensors header"))?;
    let header_len = u64::from_le_bytes(len);
    if header_len > size.saturating_sub(8) || header_len > 100_000_000 {
        return Err(damaged(path, "header length past the end of the file"));
    }
    let mut header = vec![0u8; header_len as usize];
    file.read_exact(&mut header)
        .map_err(|_| damaged(path, "truncated header"))?;
    let json: serde_json::Value =
        serde_json::from_slice(&header).map_err(|_| damaged(path, "header is not JSON"))?;
    let data_end = json
        .as_object()
        .ok_or_else(|| damaged(path, "header is not a JSON object"))?
        .iter()
        .filter(|(k, _)| *k != "__metadata__")
        .filter_map(|(_, v)| v.get("data_offsets")?.get(1)?.as_u64())
        .max()
        .unwrap_or(0);
    if 8 + header_len + data_end != size {
        return Err(damaged(
            path,
            &format!(
                "{size} bytes, the header says {}",
                8 + header_len + data_end
            ),
        ));
    }
    Ok(())
}

/// PyTorch checkpoints are zip archives; a complete one ends with the end-of-central-directory record.
fn check_torch_zip(path: &Path) -> Result<()> {
    check_magic(path, b"PK\x03\x04", "a PyTorch zip checkpoint")?;
    let mut file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let size = file.metadata()?.len();
    let tail_len = size.min(66_000); // the record (22 bytes) plus the longest zip comment
    file.seek(SeekFrom::End(-(tail_len as i64)))?;
    let mut tail = vec![0u8; tail_len as usize];
    file.read_exact(&mut tail)?;
    if !tail.windows(4).any(|w| w == b"PK\x05\x06") {
        return Err(damaged(path, "the zip archive's end record is missing"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/model")
            .join(name)
    }

    fn copy_of(name: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for entry in fs::read_dir(fixture(name)).unwrap() {
            let path = entry.unwrap().path();
            fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
        dir
    }

    fn error_of(folder: &Path) -> String {
        format!("{:#}", check_folder(folder).unwrap_err())
    }

    #[test]
    fn fixture_folders_check_out_with_both_weight_formats() {
        for name in ["t5-tiny-a", "t5-tiny-b"] {
            let files = check_folder(&fixture(name)).unwrap();
            assert!(files.safetensors.is_some() && files.pytorch.is_some());
            assert_eq!(files.full_precision_weights(), files.safetensors.as_deref());
            assert!(files.tokenizer_config.is_some());
        }
    }

    #[test]
    fn missing_files_are_named_with_the_expected_layout() {
        let dir = copy_of("t5-tiny-a");
        fs::remove_file(dir.path().join(SAFETENSORS)).unwrap();
        let files = check_folder(dir.path()).unwrap();
        assert_eq!(files.full_precision_weights(), files.pytorch.as_deref());
        fs::remove_file(dir.path().join(PYTORCH)).unwrap();
        let err = error_of(dir.path());
        assert!(
            err.contains("no weights") && err.contains("model.safetensors"),
            "{err}"
        );
        fs::remove_file(dir.path().join(SPIECE)).unwrap();
        assert!(error_of(dir.path()).contains("spiece.model is missing"));
        fs::remove_file(dir.path().join(CONFIG)).unwrap();
        assert!(error_of(dir.path()).contains("config.json is missing"));
        assert!(error_of(&dir.path().join("nowhere")).contains("does not exist"));
    }

    #[test]
    fn truncated_weights_are_reported_as_damaged_downloads() {
        for file in [SAFETENSORS, PYTORCH] {
            let dir = copy_of("t5-tiny-a");
            let path = dir.path().join(file);
            let bytes = fs::read(&path).unwrap();
            fs::write(&path, &bytes[..bytes.len() - 1000]).unwrap();
            let err = error_of(dir.path());
            assert!(
                err.contains(file) && err.contains("damaged") && err.contains("download it again"),
                "{err}"
            );
        }
    }

    #[test]
    fn a_non_t5_config_or_bad_gguf_is_rejected() {
        let dir = copy_of("t5-tiny-b");
        fs::write(dir.path().join("model.q8_0.gguf"), b"not a gguf").unwrap();
        assert!(error_of(dir.path()).contains("model.q8_0.gguf"));
        fs::remove_file(dir.path().join("model.q8_0.gguf")).unwrap();
        fs::write(dir.path().join(CONFIG), r#"{"model_type": "bert"}"#).unwrap();
        assert!(error_of(dir.path()).contains("not a T5"));
        fs::write(dir.path().join(CONFIG), "{").unwrap();
        assert!(error_of(dir.path()).contains("not valid JSON"));
    }
}
