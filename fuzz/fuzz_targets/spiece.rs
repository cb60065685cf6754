//! Any bytes given as `spiece.model` must parse or be refused, and a parsed model must build a
//! tokenizer or be refused: never a panic, a hang or an allocation the input does not justify.
#![no_main]

use libfuzzer_sys::fuzz_target;
use textchem::model::spiece::SpieceModel;
use textchem::model::tokenizer::{T5TokenizerConfig, build_t5_tokenizer};

fuzz_target!(|data: &[u8]| {
    if let Ok(model) = SpieceModel::parse(data) {
        let _ = build_t5_tokenizer(&model, &T5TokenizerConfig::default());
    }
});
