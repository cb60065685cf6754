//! Finding and reading a T5 checkpoint folder: `config.json` plus one weight file
//! (a quantized GGUF written by `textchem model quantize`, `model.safetensors`, or `pytorch_model.bin`).
//!
//! Every tensor is read into memory as f32 (or kept quantized from a GGUF); the T5 module asks
//! this store for tensors by their Hugging Face names and gets a clear error naming the file
//! and tensor when one is missing or mis-shaped.

use anyhow::{Context, Result, bail};
use candle_core::quantized::{GgmlDType, QTensor, gguf_file};
use candle_core::{DType, Device, Tensor};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The weight file formats, in the order loading prefers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightFormat {
    Gguf,
    Safetensors,
    PytorchBin,
}

/// Quantized files are named after their format so several can sit beside the weights.
pub fn gguf_file_name(dtype: GgmlDType) -> String {
    format!("model-{}.gguf", ggml_name(dtype))
}

pub fn ggml_name(dtype: GgmlDType) -> &'static str {
    match dtype {
        GgmlDType::Q8_0 => "q8_0",
        GgmlDType::Q4K => "q4k",
        GgmlDType::F32 => "f32",
        GgmlDType::F16 => "f16",
        _ => "other",
    }
}

/// Which weight file to load from a checkpoint folder. `prefer` picks one GGUF among several;
/// without it the q4k file wins (the default quantized format), then q8_0, then f16.
pub fn find_weights(dir: &Path, prefer: Option<WeightFormat>) -> Result<(PathBuf, WeightFormat)> {
    let gguf = [GgmlDType::Q4K, GgmlDType::Q8_0, GgmlDType::F16]
        .iter()
        .map(|d| dir.join(gguf_file_name(*d)))
        .find(|p| p.is_file());
    let candidates = [
        (gguf, WeightFormat::Gguf),
        (
            Some(dir.join("model.safetensors")),
            WeightFormat::Safetensors,
        ),
        (
            Some(dir.join("pytorch_model.bin")),
            WeightFormat::PytorchBin,
        ),
    ];
    let found: Vec<_> = candidates
        .into_iter()
        .filter_map(|(p, f)| p.filter(|p| p.is_file()).map(|p| (p, f)))
        .collect();
    let pick = match prefer {
        Some(want) => found.into_iter().find(|(_, f)| *f == want),
        None => found.into_iter().next(),
    };
    pick.with_context(|| {
        format!(
            "no weights in {}: expected model.safetensors, pytorch_model.bin or a model-*.gguf \
             (download the checkpoint again or run `textchem model quantize`)",
            dir.display()
        )
    })
}

/// All tensors of one checkpoint, by Hugging Face name.
pub struct TensorStore {
    source: PathBuf,
    float: HashMap<String, Tensor>,
    quantized: HashMap<String, QTensor>,
}

impl TensorStore {
    pub fn load(path: &Path, format: WeightFormat) -> Result<Self> {
        let device = Device::Cpu;
        let read = || -> Result<Self> {
            let mut store = TensorStore {
                source: path.to_path_buf(),
                float: HashMap::new(),
                quantized: HashMap::new(),
            };
            match format {
                WeightFormat::Safetensors => {
                    for (name, t) in candle_core::safetensors::load(path, &device)? {
                        store.insert_float(name, t)?;
                    }
                }
                // candle's reader interprets only the pickle opcodes that build a state dict;
                // it never runs code from the file, unlike Python's `torch.load`.
                WeightFormat::PytorchBin => {
                    super::pytorch_archive::check(path)?;
                    for (name, t) in candle_core::pickle::read_all(path)? {
                        store.insert_float(name, t)?;
                    }
                }
                WeightFormat::Gguf => {
                    let mut file = std::fs::File::open(path)?;
                    let len = file.metadata()?.len();
                    let content = gguf_file::Content::read(&mut file)?;
                    check_gguf_extents(&content, len)?;
                    for name in content.tensor_infos.keys() {
                        let q = content.tensor(&mut file, name, &device)?;
                        store.insert_qtensor(name.clone(), q)?;
                    }
                }
            }
            Ok(store)
        };
        // Readers of other crates panic on some malformed files (candle's pickle reader on a
        // tensor rebuilt from too short an argument tuple): that is a damaged file too.
        let malformed = || match format {
            WeightFormat::PytorchBin => {
                "the PyTorch archive is malformed (its pickle does not describe tensors)"
            }
            WeightFormat::Safetensors => "the safetensors file is malformed",
            WeightFormat::Gguf => "the GGUF file is malformed",
        };
        let store = catch_quietly(read)
            .unwrap_or_else(|()| Err(anyhow::anyhow!(malformed())))
            .with_context(|| format!("cannot read the weights {}", path.display()))?;
        if let Some(name) = store.first_non_finite()? {
            bail!(
                "tensor {name} in {} holds NaN or infinite values: the file is damaged; download \
                 the checkpoint again (or quantize again from its float weights)",
                path.display()
            );
        }
        Ok(store)
    }

    /// The first tensor (by name) holding a NaN or an infinity. A damaged weight file would
    /// otherwise run and answer with NaN scores. Quantized blocks are checked by their scales,
    /// the only floats they hold.
    pub fn first_non_finite(&self) -> Result<Option<String>> {
        let mut names: Vec<&String> = self.names().collect();
        names.sort();
        for name in names {
            let finite = match (self.float.get(name), self.quantized.get(name)) {
                (Some(t), _) => t
                    .flatten_all()?
                    .to_vec1::<f32>()?
                    .iter()
                    .all(|x| x.is_finite()),
                (None, Some(q)) => quantized_is_finite(q)?,
                (None, None) => true,
            };
            if !finite {
                return Ok(Some(name.clone()));
            }
        }
        Ok(None)
    }

    pub fn from_tensors(source: &str, float: HashMap<String, Tensor>) -> Self {
        TensorStore {
            source: PathBuf::from(source),
            float,
            quantized: HashMap::new(),
        }
    }

    /// A store from GGUF-typed tensors (as written to or read from a GGUF file).
    pub fn from_qtensors(source: &str, tensors: Vec<(String, QTensor)>) -> Result<Self> {
        let mut store = TensorStore::from_tensors(source, HashMap::new());
        for (name, q) in tensors {
            store.insert_qtensor(name, q)?;
        }
        Ok(store)
    }

    /// f16 matrices stay f16 (as GGUF f16 tensors: the conversion is exact), so the GPU can
    /// keep them at half size; everything else becomes f32.
    fn insert_float(&mut self, name: String, t: Tensor) -> Result<()> {
        if t.dtype() == DType::F16 && t.rank() == 2 {
            let q = QTensor::quantize(&t.to_dtype(DType::F32)?, GgmlDType::F16)?;
            self.quantized.insert(name, q);
        } else {
            self.float.insert(name, t.to_dtype(DType::F32)?);
        }
        Ok(())
    }

    /// f32 GGUF tensors become plain tensors; quantized and f16 ones stay as stored, so
    /// the GPU can keep f16 matrices at half size.
    fn insert_qtensor(&mut self, name: String, q: QTensor) -> Result<()> {
        if q.dtype() == GgmlDType::F32 {
            self.float.insert(name, q.dequantize(&Device::Cpu)?);
        } else {
            self.quantized.insert(name, q);
        }
        Ok(())
    }

    pub fn source(&self) -> &Path {
        &self.source
    }

    pub fn contains(&self, name: &str) -> bool {
        self.float.contains_key(name) || self.quantized.contains_key(name)
    }

    pub fn names(&self) -> impl Iterator<Item = &String> {
        self.float.keys().chain(self.quantized.keys())
    }

    /// A float tensor, dequantized if it was stored quantized, checked against `dims`.
    pub fn float(&self, name: &str, dims: &[usize]) -> Result<Tensor> {
        let t = match (self.float.get(name), self.quantized.get(name)) {
            (Some(t), _) => t.clone(),
            (None, Some(q)) => q.dequantize(&Device::Cpu)?,
            (None, None) => bail!(self.missing(name)),
        };
        self.check_dims(name, t.dims(), dims)?;
        Ok(t)
    }

    /// A float tensor whatever its shape (for copying a checkpoint into another format).
    pub fn float_any_shape(&self, name: &str) -> Result<Tensor> {
        match (self.float.get(name), self.quantized.get(name)) {
            (Some(t), _) => Ok(t.clone()),
            (None, Some(q)) => Ok(q.dequantize(&Device::Cpu)?),
            (None, None) => bail!(self.missing(name)),
        }
    }

    /// The stored form of a matrix: quantized (or f16) when the file holds it so.
    pub fn matrix(&self, name: &str, dims: &[usize]) -> Result<StoredMatrix<'_>> {
        if let Some(q) = self.quantized.get(name) {
            self.check_dims(name, q.shape().dims(), dims)?;
            return Ok(StoredMatrix::Quantized(q));
        }
        Ok(StoredMatrix::Float(self.float(name, dims)?))
    }

    fn missing(&self, name: &str) -> String {
        format!(
            "tensor {name} is missing from {} (is this a T5 checkpoint matching config.json?)",
            self.source.display()
        )
    }

    fn check_dims(&self, name: &str, got: &[usize], want: &[usize]) -> Result<()> {
        if got != want {
            bail!(
                "tensor {name} in {} has shape {got:?}, config.json implies {want:?}",
                self.source.display()
            );
        }
        Ok(())
    }
}

/// Refuses tensors whose declared shape does not fit in the file, before anything is allocated
/// for them (a damaged header could otherwise ask for terabytes).
fn check_gguf_extents(content: &gguf_file::Content, file_len: u64) -> Result<()> {
    for (name, info) in &content.tensor_infos {
        let dtype = info.ggml_dtype;
        let elements = info
            .shape
            .dims()
            .iter()
            .try_fold(1u64, |n, &d| n.checked_mul(d as u64));
        if elements == Some(0) {
            // candle would view an empty buffer as blocks through an unaligned pointer.
            bail!(
                "tensor {name} has no values ({:?}): the file is damaged",
                info.shape.dims()
            );
        }
        let bytes = elements
            .filter(|n| n % dtype.block_size() as u64 == 0)
            .and_then(|n| (n / dtype.block_size() as u64).checked_mul(dtype.type_size() as u64));
        let end = bytes
            .and_then(|b| b.checked_add(info.offset))
            .and_then(|e| e.checked_add(content.tensor_data_offset));
        if end.is_none_or(|end| end > file_len) {
            bail!(
                "tensor {name} ({:?}, {:?}) does not fit in the file: it is truncated or damaged",
                info.shape.dims(),
                dtype
            );
        }
    }
    Ok(())
}

thread_local! {
    /// Set while this thread runs code whose panics are caught and reported as errors.
    static PANICS_CAUGHT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f`, turning a panic into `Err` without the panic hook printing it (only on this
/// thread: panics elsewhere are reported as usual).
fn catch_quietly<T>(f: impl FnOnce() -> T) -> std::result::Result<T, ()> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !PANICS_CAUGHT.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    let outer = PANICS_CAUGHT.with(|c| c.replace(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    PANICS_CAUGHT.with(|c| c.set(outer));
    result.map_err(drop)
}

fn quantized_is_finite(q: &QTensor) -> Result<bool> {
    use super::quantize::blocks::{BlockQ4K, BlockQ8_0, blocks_from_bytes};
    let bytes = q.data()?;
    let finite = |x: half::f16| x.is_finite();
    let checked = match q.dtype() {
        GgmlDType::F16 => bytes
            .chunks_exact(2)
            .all(|b| finite(half::f16::from_le_bytes([b[0], b[1]]))),
        GgmlDType::Q8_0 => blocks_from_bytes::<BlockQ8_0>(&bytes)
            .is_some_and(|blocks| blocks.iter().all(|b| finite(b.d))),
        GgmlDType::Q4K => blocks_from_bytes::<BlockQ4K>(&bytes)
            .is_some_and(|blocks| blocks.iter().all(|b| finite(b.d) && finite(b.dmin))),
        _ => q
            .dequantize(&Device::Cpu)?
            .flatten_all()?
            .to_vec1::<f32>()?
            .iter()
            .all(|x| x.is_finite()),
    };
    Ok(checked)
}

pub enum StoredMatrix<'a> {
    Float(Tensor),
    Quantized(&'a QTensor),
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A GGUF v3 file with one f32 tensor `w` of `dims`, holding `data_bytes` bytes of data.
    fn gguf(dims: &[u64], data_bytes: usize) -> Vec<u8> {
        let mut out = b"GGUF".to_vec();
        out.extend(3u32.to_le_bytes());
        out.extend(1u64.to_le_bytes()); // tensors
        out.extend(0u64.to_le_bytes()); // metadata entries
        out.extend(1u64.to_le_bytes());
        out.extend(b"w");
        out.extend((dims.len() as u32).to_le_bytes());
        for d in dims {
            out.extend(d.to_le_bytes());
        }
        out.extend(0u32.to_le_bytes()); // f32
        out.extend(0u64.to_le_bytes()); // offset in the data section
        out.resize(out.len().next_multiple_of(32), 0);
        out.extend(std::iter::repeat_n(0u8, data_bytes));
        out
    }

    fn load_err(bytes: &[u8]) -> String {
        match load(bytes) {
            Ok(_) => panic!("loaded"),
            Err(e) => format!("{e:#}"),
        }
    }

    fn load(bytes: &[u8]) -> Result<TensorStore> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("model-q8_0.gguf");
        std::fs::write(&path, bytes).unwrap();
        TensorStore::load(&path, WeightFormat::Gguf)
    }

    #[test]
    fn a_gguf_tensor_that_fits_its_file_loads() {
        let store = load(&gguf(&[4, 2], 32)).unwrap();
        assert_eq!(store.float("w", &[2, 4]).unwrap().dims(), [2, 4]);
    }

    #[test]
    fn a_gguf_tensor_larger_than_its_file_is_refused_before_allocating() {
        for dims in [vec![1u64 << 40, 1 << 20], vec![u64::MAX, 3], vec![4, 3]] {
            let err = load_err(&gguf(&dims, 32));
            assert!(err.contains("does not fit in the file"), "{dims:?}: {err}");
        }
    }

    /// A fuzzer finding: a zero-sized tensor made candle build a block slice from an unaligned
    /// empty buffer (an abort in debug builds, undefined behaviour in release ones).
    #[test]
    fn a_gguf_tensor_without_values_is_refused() {
        let err = load_err(&gguf(&[1u64 << 62, 0], 32));
        assert!(err.contains("has no values"), "{err}");
    }

    #[test]
    fn weights_holding_nan_are_refused() {
        let mut bytes = gguf(&[4, 2], 32);
        let n = bytes.len();
        bytes[n - 4..].copy_from_slice(&f32::NAN.to_le_bytes());
        let err = load_err(&bytes);
        assert!(err.contains("tensor w") && err.contains("NaN"), "{err}");
    }
}
