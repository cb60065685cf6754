//! Caption tokens for BLEU and METEOR: BERT's basic tokenization (clean control characters,
//! lower-case, strip accents, split on whitespace and punctuation, each CJK character alone),
//! the WordPiece pre-tokenization the MolT5 scripts run through a BERT tokenizer. With a
//! vocabulary file, each word is further split into WordPiece sub-words (`##` continuations),
//! as the paper's SciBERT tokenizer does.

use std::path::Path;

use anyhow::{Context, Result, anyhow};
use tokenizers::models::wordpiece::WordPiece;
use tokenizers::normalizers::bert::BertNormalizer;
use tokenizers::pre_tokenizers::bert::BertPreTokenizer;
use tokenizers::{
    Model, NormalizedString, Normalizer, OffsetReferential, OffsetType, PreTokenizedString,
    PreTokenizer,
};

/// The MolT5 scripts tokenize with truncation at 512 tokens (no special tokens added).
pub const MAX_TOKENS: usize = 512;

pub struct TextTokenizer {
    normalizer: BertNormalizer,
    wordpiece: Option<WordPiece>,
}

impl TextTokenizer {
    /// Basic tokenization only (no vocabulary).
    pub fn basic() -> Self {
        TextTokenizer {
            normalizer: BertNormalizer::new(true, true, None, true),
            wordpiece: None,
        }
    }

    /// Basic tokenization then WordPiece with the vocabulary in `vocab` (one token a line, as
    /// BERT's `vocab.txt`).
    pub fn with_vocab(vocab: &Path) -> Result<Self> {
        let path = vocab
            .to_str()
            .with_context(|| format!("{} is not a UTF-8 path", vocab.display()))?;
        let wordpiece = WordPiece::from_file(path).build().map_err(|e| {
            anyhow!(
                "cannot read the WordPiece vocabulary {}: {e}",
                vocab.display()
            )
        })?;
        if wordpiece.token_to_id("[UNK]").is_none() {
            anyhow::bail!(
                "{} has no [UNK] token: it is not a BERT vocabulary",
                vocab.display()
            );
        }
        Ok(TextTokenizer {
            wordpiece: Some(wordpiece),
            ..Self::basic()
        })
    }

    /// The tokens of `text`, at most [`MAX_TOKENS`].
    pub fn tokenize(&self, text: &str) -> Result<Vec<String>> {
        let mut normalized = NormalizedString::from(text);
        self.normalizer
            .normalize(&mut normalized)
            .map_err(|e| anyhow!("cannot normalize {text:?}: {e}"))?;
        let mut pre = PreTokenizedString::from(normalized);
        BertPreTokenizer
            .pre_tokenize(&mut pre)
            .map_err(|e| anyhow!("cannot split {text:?}: {e}"))?;
        let mut tokens = vec![];
        for (word, _, _) in pre.get_splits(OffsetReferential::Original, OffsetType::None) {
            match &self.wordpiece {
                None => tokens.push(word.to_owned()),
                Some(wp) => tokens.extend(
                    wp.tokenize(word)
                        .map_err(|e| anyhow!("cannot split {word:?} into sub-words: {e}"))?
                        .into_iter()
                        .map(|t| t.value),
                ),
            }
            if tokens.len() >= MAX_TOKENS {
                tokens.truncate(MAX_TOKENS);
                break;
            }
        }
        Ok(tokens)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_tokens_split_punctuation_and_drop_accents_and_case() {
        let t = TextTokenizer::basic();
        assert_eq!(
            t.tokenize("The molecule is a (2S)-Hydroxy acid; café 中文.")
                .unwrap(),
            [
                "the", "molecule", "is", "a", "(", "2s", ")", "-", "hydroxy", "acid", ";", "cafe",
                "中", "文", "."
            ]
        );
    }

    #[test]
    fn wordpiece_splits_words_into_known_sub_words() {
        let dir = tempfile::tempdir().unwrap();
        let vocab = dir.path().join("vocab.txt");
        std::fs::write(
            &vocab,
            "[PAD]\n[UNK]\n[CLS]\n[SEP]\nthe\nmole\n##cule\nis\n",
        )
        .unwrap();
        let t = TextTokenizer::with_vocab(&vocab).unwrap();
        assert_eq!(
            t.tokenize("The molecule is xyz").unwrap(),
            ["the", "mole", "##cule", "is", "[UNK]"]
        );
    }
}
