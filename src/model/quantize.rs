//! Quantization of a checkpoint to a GGUF file beside its weights (`model-q8_0.gguf`,
//! `model-q4k.gguf`, or `model-f16.gguf`: half-precision matrices, half the size of f32 and
//! half the GPU memory; the CPU runs them as f32), and the quantized linear maps that run it.
//!
//! Matrices are quantized with candle's ggml-compatible quantizers; layer norms and the
//! small relative-position tables stay f32. The run-time kernels are textchem's own
//! (see `kernels`): candle 0.11's CPU q8_0 path measured slower than f32 here.

pub mod blocks;
pub mod kernels;
mod qlinear;

pub use qlinear::QLinear;

use crate::model::checkpoint::{Checkpoint, TensorSpec};
use crate::model::config::T5Config;
use crate::model::t5::T5Model;
use crate::model::weights::{TensorStore, WeightFormat, find_weights, ggml_name, gguf_file_name};
use anyhow::{Context, Result, bail};
use candle_core::quantized::{GgmlDType, QTensor, gguf_file};
use std::path::{Path, PathBuf};

/// A quantized file's format; the names are the GGUF type names that files and reports use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum QuantFormat {
    /// 8-bit blocks of 32 weights with one f16 scale.
    #[value(name = "q8_0")]
    Q8_0,
    /// 4-bit k-quant super-blocks; the embedding and FFN outputs stay q8_0 (the default).
    #[value(name = "q4k")]
    #[default]
    Q4K,
    /// Half precision: half the size, near-lossless; the GPU keeps it at half size.
    #[value(name = "f16")]
    F16,
}

impl QuantFormat {
    pub fn ggml(self) -> GgmlDType {
        match self {
            QuantFormat::Q8_0 => GgmlDType::Q8_0,
            QuantFormat::Q4K => GgmlDType::Q4K,
            QuantFormat::F16 => GgmlDType::F16,
        }
    }

    /// As in file names and reports: q8_0, q4k, f16.
    pub fn name(self) -> &'static str {
        ggml_name(self.ggml())
    }
}

pub struct QuantizeReport {
    pub source: PathBuf,
    pub output: PathBuf,
    pub source_bytes: u64,
    pub output_bytes: u64,
    pub quantized: usize,
    /// Matrices whose rows do not fit the format's block and fell back to q8_0 or f32.
    pub fallbacks: Vec<String>,
}

/// The type a projection is meant to have in a file of format `want`. q4k files keep the
/// layout's sensitive matrices at q8_0, as llama.cpp's Q4_K_M keeps its output and FFN-down
/// matrices at higher precision: the shared embedding, which as the tied output projection
/// decides the top token, and the FFN output (`wo`) matrices. With every matrix at 4 bits, the
/// trained t5-small-shaped check models disagreed with fp32's top token on 1.8% and 10.3% of
/// positions; with these at q8_0, on 0.1% and 0.3% (docs/model-runtime.md).
fn intended_type(layout: &Checkpoint, name: &str, want: GgmlDType) -> GgmlDType {
    if want == GgmlDType::Q4K && layout.is_sensitive(name) {
        GgmlDType::Q8_0
    } else {
        want
    }
}

/// The type a tensor is stored as: projections in their intended type when their rows split
/// into whole blocks (else q8_0, else f32); norms and position-bias tables in f32.
fn storage_type(layout: &Checkpoint, spec: &TensorSpec, want: GgmlDType) -> GgmlDType {
    if !layout.is_projection(spec) {
        return GgmlDType::F32;
    }
    let row = spec.dims[1];
    let want = intended_type(layout, &spec.name, want);
    [want, GgmlDType::Q8_0]
        .into_iter()
        .find(|t| row.is_multiple_of(t.block_size()))
        .unwrap_or(GgmlDType::F32)
}

/// Tensors by name, in GGUF types.
pub type NamedQTensors = Vec<(String, QTensor)>;

/// Every tensor the model reads (the checkpoint layout's, so aliases of the shared embedding
/// are left out), in the GGUF type `storage_type` picks; also names the
/// matrices that fell back from the requested format.
pub fn quantize_tensors(
    store: &TensorStore,
    cfg: &T5Config,
    format: QuantFormat,
) -> Result<(NamedQTensors, Vec<String>)> {
    let want = format.ggml();
    let layout = Checkpoint::of_store(cfg, store);
    let mut specs = layout.tensors();
    specs.sort_by(|a, b| a.name.cmp(&b.name));
    let mut tensors = Vec::with_capacity(specs.len());
    let mut fallbacks = vec![];
    for spec in specs {
        let name = &spec.name;
        let t = store.float(name, &spec.dims)?;
        let ty = storage_type(&layout, spec, want);
        if layout.is_projection(spec) && ty != intended_type(&layout, name, want) {
            fallbacks.push(format!("{name} ({})", ggml_name(ty)));
        }
        let q = QTensor::quantize(&t, ty).with_context(|| format!("quantizing {name}"))?;
        tensors.push((name.clone(), q));
    }
    if tensors.iter().all(|(_, q)| q.dtype() == GgmlDType::F32) {
        bail!(
            "no matrix of {} could be quantized",
            store.source().display()
        );
    }
    Ok((tensors, fallbacks))
}

/// A quantized copy of a store, as loading its GGUF would give (benchmarks, tests).
pub fn quantize_in_memory(
    store: &TensorStore,
    cfg: &T5Config,
    format: QuantFormat,
) -> Result<TensorStore> {
    let (tensors, _) = quantize_tensors(store, cfg, format)?;
    let source = format!(
        "{} ({} in memory)",
        store.source().display(),
        ggml_name(format.ggml())
    );
    TensorStore::from_qtensors(&source, tensors)
}

/// Writes `dir/model-<format>.gguf` from the folder's safetensors or PyTorch weights.
pub fn quantize_dir(dir: &Path, format: QuantFormat) -> Result<QuantizeReport> {
    let cfg_text = std::fs::read_to_string(dir.join("config.json"))
        .with_context(|| format!("cannot read {}", dir.join("config.json").display()))?;
    let cfg = T5Config::from_json(&cfg_text)?;
    let (source, src_format) = find_weights(dir, Some(WeightFormat::Safetensors))
        .or_else(|_| find_weights(dir, Some(WeightFormat::PytorchBin)))
        .context("quantizing needs the float weights")?;
    let store = TensorStore::load(&source, src_format)?;
    let (tensors, fallbacks) = quantize_tensors(&store, &cfg, format)?;
    drop(store);
    let output = dir.join(gguf_file_name(format.ggml()));
    let meta_cfg = gguf_file::Value::String(cfg_text);
    let meta_arch = gguf_file::Value::String("t5".into());
    let meta_q = gguf_file::Value::String(ggml_name(format.ggml()).into());
    let metadata = [
        ("general.architecture", &meta_arch),
        ("textchem.quantization", &meta_q),
        ("textchem.t5.config_json", &meta_cfg),
    ];
    let tensor_refs: Vec<(&str, &QTensor)> = tensors.iter().map(|(n, q)| (n.as_str(), q)).collect();
    // Write to a temporary name first: an interrupted run must not leave a file that
    // loading would prefer over the intact float weights.
    let partial = output.with_extension("gguf.partial");
    let mut file = std::io::BufWriter::new(
        std::fs::File::create(&partial)
            .with_context(|| format!("cannot create {}", partial.display()))?,
    );
    gguf_file::write(&mut file, &metadata, &tensor_refs)?;
    file.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    std::fs::rename(&partial, &output)?;
    Ok(QuantizeReport {
        source_bytes: std::fs::metadata(&source)?.len(),
        output_bytes: std::fs::metadata(&output)?.len(),
        quantized: tensors
            .iter()
            .filter(|(_, q)| q.dtype() != GgmlDType::F32)
            .count(),
        source,
        output,
        fallbacks,
    })
}

/// Teacher-forced top-1 agreement of a quantized model with its float original: for each
/// (input, decoder tokens) pair, the share of decoder positions where both models' largest
/// logit is the same token. Returns (agreeing, total) positions.
pub fn top1_agreement(
    float: &T5Model,
    quantized: &T5Model,
    cases: &[(Vec<u32>, Vec<u32>)],
) -> Result<(usize, usize)> {
    let (mut agree, mut total) = (0, 0);
    for (input, decoder) in cases {
        let ids =
            candle_core::Tensor::new(input.as_slice(), &candle_core::Device::Cpu)?.unsqueeze(0)?;
        let dec = candle_core::Tensor::new(decoder.as_slice(), &candle_core::Device::Cpu)?
            .unsqueeze(0)?;
        let a = float
            .forward(&ids, None, &dec)?
            .squeeze(0)?
            .argmax(1)?
            .to_vec1::<u32>()?;
        let b = quantized
            .forward(&ids, None, &dec)?
            .squeeze(0)?
            .argmax(1)?
            .to_vec1::<u32>()?;
        agree += a.iter().zip(&b).filter(|(x, y)| x == y).count();
        total += a.len();
    }
    Ok((agree, total))
}
