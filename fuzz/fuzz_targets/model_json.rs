//! Any text given as `config.json` or `tokenizer_config.json` must be read or refused with an
//! error, never a panic; a config that is read has sizes a T5 can have.
#![no_main]

use libfuzzer_sys::fuzz_target;
use textchem::model::config::T5Config;
use textchem::model::tokenizer::T5TokenizerConfig;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(cfg) = T5Config::from_json(&text) {
        assert!(cfg.num_layers > 0 && cfg.d_model > 0 && cfg.layer_norm_epsilon > 0.0);
    }
    if let Ok(cfg) = T5TokenizerConfig::from_json(&text) {
        assert!(cfg.extra_ids <= 100_000);
    }
});
