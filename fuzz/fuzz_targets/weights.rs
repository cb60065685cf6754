//! Any bytes given as a weight file (GGUF, safetensors or a PyTorch archive, chosen by the first
//! byte) must load or be refused with an error: never a panic, an abort or an allocation far
//! beyond the file's size.
#![no_main]

use std::io::Write;

use libfuzzer_sys::fuzz_target;
use textchem::model::weights::{TensorStore, WeightFormat};

fuzz_target!(|data: &[u8]| {
    let Some((&kind, bytes)) = data.split_first() else {
        return;
    };
    let format = match kind % 3 {
        0 => WeightFormat::Gguf,
        1 => WeightFormat::Safetensors,
        _ => WeightFormat::PytorchBin,
    };
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(bytes).unwrap();
    let _ = TensorStore::load(file.path(), format);
});
