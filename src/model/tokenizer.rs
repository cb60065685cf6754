//! The T5 tokenizer built from `spiece.model`, equal to HF transformers' `T5TokenizerFast` conversion
//! (`convert_slow_tokenizer.T5Converter`, transformers 4.57). The GT4SD checkpoints ship no
//! tokenizer.json, so the conversion is redone here and its result cached next to the model.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde_json::Value;
use tokenizers::decoders::DecoderWrapper;
use tokenizers::models::unigram::Unigram;
use tokenizers::normalizers::{NormalizerWrapper, Precompiled, Replace, Sequence, Strip};
use tokenizers::pre_tokenizers::PreTokenizerWrapper;
use tokenizers::pre_tokenizers::metaspace::{Metaspace, PrependScheme};
use tokenizers::processors::template::TemplateProcessing;
use tokenizers::{AddedToken, Tokenizer};

use super::spiece::{ModelType, PieceType, SpieceModel};

/// Where the conversion caches its result, beside `spiece.model`.
pub const TOKENIZER_JSON: &str = "tokenizer.json";

/// The settings HF reads from `tokenizer_config.json` that change the converted tokenizer.
#[derive(Debug, Clone, PartialEq)]
pub struct T5TokenizerConfig {
    pub eos_token: String,
    pub unk_token: String,
    pub pad_token: String,
    /// Number of `<extra_id_N>` sentinels appended after the sentencepiece pieces.
    pub extra_ids: usize,
    pub additional_special_tokens: Vec<String>,
    /// HF's `legacy` flag (absent in the GT4SD files, meaning true): false prepends `▁` only to the
    /// first word of an input instead of after every special token.
    pub legacy: bool,
    pub add_prefix_space: bool,
}

impl Default for T5TokenizerConfig {
    fn default() -> Self {
        Self {
            eos_token: "</s>".into(),
            unk_token: "<unk>".into(),
            pad_token: "<pad>".into(),
            extra_ids: 100,
            additional_special_tokens: extra_id_tokens(100),
            legacy: true,
            add_prefix_space: true,
        }
    }
}

fn extra_id_tokens(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("<extra_id_{i}>")).collect()
}

/// The most sentinel tokens read: T5 has 100, and each costs memory before the vocabulary can
/// be checked against the model's.
const MAX_EXTRA_IDS: u64 = 100_000;

/// A special token is written either as a string or as an `AddedToken` object with `content`.
fn token_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o.get("content").and_then(Value::as_str).map(str::to_owned),
        _ => None,
    }
}

impl T5TokenizerConfig {
    /// Reads `tokenizer_config.json` the way `T5Tokenizer.__init__` does; absent keys keep T5's defaults.
    pub fn from_json(text: &str) -> Result<Self> {
        let json: Value = serde_json::from_str(text).context("not valid JSON")?;
        let mut config = Self::default();
        let text_of = |key: &str| json.get(key).and_then(token_text);
        if let Some(t) = text_of("eos_token") {
            config.eos_token = t;
        }
        if let Some(t) = text_of("unk_token") {
            config.unk_token = t;
        }
        if let Some(t) = text_of("pad_token") {
            config.pad_token = t;
        }
        if let Some(n) = json.get("extra_ids").and_then(Value::as_u64) {
            if n > MAX_EXTRA_IDS {
                bail!(
                    "extra_ids is {n}; T5 tokenizers have 100 sentinel tokens, and at most {MAX_EXTRA_IDS} are read"
                );
            }
            config.extra_ids = n as usize;
        }
        let listed: Option<Vec<String>> = json
            .get("additional_special_tokens")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(token_text).collect());
        config.additional_special_tokens = match listed {
            // As T5Tokenizer: a list without sentinels gets them appended; a list with them must hold all.
            Some(mut tokens) => {
                let sentinels = tokens.iter().filter(|t| t.contains("<extra_id_")).count();
                if sentinels == 0 {
                    tokens.extend(extra_id_tokens(config.extra_ids));
                } else if config.extra_ids > 0 && sentinels != config.extra_ids {
                    bail!(
                        "extra_ids is {} but additional_special_tokens lists {sentinels} <extra_id_N> tokens",
                        config.extra_ids
                    );
                }
                tokens
            }
            None => extra_id_tokens(config.extra_ids),
        };
        if let Some(b) = json.get("legacy").and_then(Value::as_bool) {
            config.legacy = b;
        }
        if let Some(b) = json.get("add_prefix_space").and_then(Value::as_bool) {
            config.add_prefix_space = b;
        }
        Ok(config)
    }

    /// HF's `_get_prepend_scheme`.
    fn prepend_scheme(&self) -> PrependScheme {
        match (self.add_prefix_space, self.legacy) {
            (false, _) => PrependScheme::Never,
            (true, true) => PrependScheme::Always,
            (true, false) => PrependScheme::First,
        }
    }
}

/// Builds the tokenizer HF's `T5Converter` makes from `spiece` and the tokenizer config.
pub fn build_t5_tokenizer(spiece: &SpieceModel, config: &T5TokenizerConfig) -> Result<Tokenizer> {
    if spiece.model_type != ModelType::Unigram {
        bail!(
            "spiece.model was trained as {:?}; T5 tokenizers are Unigram",
            spiece.model_type
        );
    }
    // Vocabulary: the pieces in file order, then the sentinels from <extra_id_{n-1}> down to <extra_id_0>.
    let mut vocab: Vec<(String, f64)> = spiece
        .pieces
        .iter()
        .map(|p| (p.piece.clone(), f64::from(p.score)))
        .collect();
    vocab.extend(
        (0..config.extra_ids)
            .rev()
            .map(|i| (format!("<extra_id_{i}>"), 0.0)),
    );
    // HF's converter ignores byte_fallback (it warns); so does this, to give the same ids.
    let unigram = Unigram::from(vocab, Some(spiece.unk_id as usize), false)
        .map_err(|e| anyhow::anyhow!("building the Unigram model: {e}"))?;
    let mut tokenizer = Tokenizer::new(unigram);

    tokenizer
        .with_normalizer(Some(normalizer(spiece)?))
        .map_err(|e| anyhow::anyhow!("setting the normalizer: {e}"))?;
    let metaspace = Metaspace::new('▁', config.prepend_scheme(), true);
    tokenizer.with_pre_tokenizer(Some(PreTokenizerWrapper::Metaspace(metaspace.clone())));
    tokenizer.with_decoder(Some(DecoderWrapper::Metaspace(metaspace)));

    let eos_id = id_of(&tokenizer, &config.eos_token)?;
    let template = TemplateProcessing::builder()
        .try_single(format!("$A {}", config.eos_token))
        .and_then(|b| b.try_pair(format!("$A {eos} $B {eos}", eos = config.eos_token)))
        .map_err(|e| anyhow::anyhow!("post-processor template: {e}"))?
        .special_tokens(vec![(config.eos_token.clone(), eos_id)])
        .build()
        .map_err(|e| anyhow::anyhow!("post-processor: {e}"))?;
    tokenizer.with_post_processor(Some(template));

    // Control pieces become special added tokens and user-defined pieces plain ones, never normalized
    // (SpmConverter.tokenizer); then the tokenizer's own special tokens (PreTrainedTokenizerFast).
    let spm_added: Vec<AddedToken> = spiece
        .pieces
        .iter()
        .filter(|p| matches!(p.kind, PieceType::Control | PieceType::UserDefined))
        .map(|p| AddedToken::from(p.piece.clone(), p.kind == PieceType::Control).normalized(false))
        .collect();
    tokenizer
        .add_tokens(spm_added)
        .map_err(|e| anyhow::anyhow!("adding sentencepiece's control pieces: {e}"))?;
    let specials: Vec<AddedToken> = [&config.eos_token, &config.unk_token, &config.pad_token]
        .into_iter()
        .chain(&config.additional_special_tokens)
        .map(|t| AddedToken::from(t.clone(), true))
        .collect();
    tokenizer
        .add_special_tokens(specials)
        .map_err(|e| anyhow::anyhow!("adding the special tokens: {e}"))?;
    Ok(tokenizer)
}

/// SpmConverter.normalizer: the precompiled charsmap, then strip the right end and turn runs of
/// spaces into one `▁` (sentencepiece's remove_extra_whitespaces, as HF approximates it).
fn normalizer(spiece: &SpieceModel) -> Result<NormalizerWrapper> {
    let mut steps: Vec<NormalizerWrapper> = Vec::new();
    let charsmap = &spiece.normalizer.precompiled_charsmap;
    if !charsmap.is_empty() {
        let precompiled = Precompiled::from(charsmap)
            .map_err(|e| anyhow::anyhow!("spiece.model's precompiled charsmap: {e}"))?;
        steps.push(NormalizerWrapper::Precompiled(precompiled));
    }
    steps.push(NormalizerWrapper::StripNormalizer(Strip::new(false, true)));
    let spaces = Replace::new(
        tokenizers::normalizers::replace::ReplacePattern::Regex(" {2,}".into()),
        "▁",
    )
    .map_err(|e| anyhow::anyhow!("whitespace rule: {e}"))?;
    steps.push(NormalizerWrapper::Replace(spaces));
    Ok(NormalizerWrapper::Sequence(Sequence::new(steps)))
}

fn id_of(tokenizer: &Tokenizer, token: &str) -> Result<u32> {
    tokenizer
        .token_to_id(token)
        .with_context(|| format!("the special token {token:?} is not in spiece.model's vocabulary"))
}

/// Builds the tokenizer from a checkpoint folder's `spiece.model` and `tokenizer_config.json`
/// (the latter optional: T5's defaults apply), without touching any cache.
pub fn build_from_folder(folder: &Path) -> Result<Tokenizer> {
    let spiece_path = folder.join("spiece.model");
    let bytes = fs::read(&spiece_path).with_context(|| {
        format!(
            "cannot read {}: a T5 checkpoint folder needs its sentencepiece model (download it again)",
            spiece_path.display()
        )
    })?;
    let spiece = SpieceModel::parse(&bytes)
        .with_context(|| format!("{} is corrupt (download it again)", spiece_path.display()))?;
    let config_path = folder.join("tokenizer_config.json");
    let config = match fs::read_to_string(&config_path) {
        Ok(text) => T5TokenizerConfig::from_json(&text).with_context(|| {
            format!("{} is not a valid tokenizer config", config_path.display())
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => T5TokenizerConfig::default(),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", config_path.display())),
    };
    build_t5_tokenizer(&spiece, &config).with_context(|| {
        format!(
            "cannot build the tokenizer from {} and {} (download them again)",
            spiece_path.display(),
            config_path.display()
        )
    })
}

/// The folder's tokenizer: its `tokenizer.json` when that is at least as new as `spiece.model` and
/// `tokenizer_config.json` (a repo's own file or an earlier conversion), else converted and cached
/// there. A folder that cannot be written (read-only cache) just skips the cache.
pub fn load_tokenizer(folder: &Path) -> Result<Tokenizer> {
    let cached = folder.join(TOKENIZER_JSON);
    if cache_is_fresh(folder, &cached)
        && let Ok(tokenizer) = Tokenizer::from_file(&cached)
    {
        return Ok(tokenizer);
    }
    // An unreadable cache (e.g. an interrupted write) is rebuilt below rather than reported.
    let tokenizer = build_from_folder(folder)?;
    let _ = write_cache(&tokenizer, &cached);
    Ok(tokenizer)
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn cache_is_fresh(folder: &Path, cached: &Path) -> bool {
    let Some(cache_time) = modified(cached) else {
        return false;
    };
    let sources: [PathBuf; 2] = [
        folder.join("spiece.model"),
        folder.join("tokenizer_config.json"),
    ];
    sources
        .iter()
        .all(|s| modified(s).is_none_or(|t| t <= cache_time))
}

/// Writes through a temporary file so a crash never leaves a half-written tokenizer.json.
fn write_cache(tokenizer: &Tokenizer, path: &Path) -> Result<()> {
    let json = tokenizer
        .to_string(false)
        .map_err(|e| anyhow::anyhow!("serialising the tokenizer: {e}"))?;
    let tmp = path.with_extension("json.tmp");
    fs::write(&tmp, json)?;
    fs::rename(&tmp, path)?;
    Ok(())
}
