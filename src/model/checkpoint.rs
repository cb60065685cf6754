//! The layout of a Hugging Face T5 v1.0 checkpoint: every tensor the network reads, under its
//! name in the file and with the shape `config.json` implies. The CPU and GPU loaders, the
//! quantizer and the random-weights generator all read names from here, so a naming rule (the
//! shared-embedding fallbacks, where the position biases live) is written once.

use std::path::Path;

use anyhow::Result;

use super::config::T5Config;
use super::weights::{TensorStore, find_weights};

/// One tensor of the checkpoint: its name in the weight file and its expected shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorSpec {
    pub name: String,
    pub dims: Vec<usize>,
}

impl TensorSpec {
    fn new(name: String, dims: &[usize]) -> TensorSpec {
        TensorSpec {
            name,
            dims: dims.to_vec(),
        }
    }
}

/// An attention sublayer: its pre-norm and the four projections.
#[derive(Debug, Clone)]
pub struct AttentionSpec {
    pub norm: TensorSpec,
    pub q: TensorSpec,
    pub k: TensorSpec,
    pub v: TensorSpec,
    pub o: TensorSpec,
}

/// A feed-forward sublayer (T5 v1.0's ReLU `DenseReluDense`).
#[derive(Debug, Clone)]
pub struct FeedForwardSpec {
    pub norm: TensorSpec,
    pub wi: TensorSpec,
    pub wo: TensorSpec,
}

#[derive(Debug, Clone)]
pub struct EncoderLayerSpec {
    pub attn: AttentionSpec,
    pub ff: FeedForwardSpec,
}

#[derive(Debug, Clone)]
pub struct DecoderLayerSpec {
    pub self_attn: AttentionSpec,
    pub cross_attn: AttentionSpec,
    pub ff: FeedForwardSpec,
}

/// Every tensor of a T5 checkpoint with a given config.
#[derive(Debug, Clone)]
pub struct Checkpoint {
    /// The token embedding; with tied embeddings also the output projection.
    pub shared: TensorSpec,
    /// The output projection when embeddings are not tied.
    pub lm_head: Option<TensorSpec>,
    pub encoder: Vec<EncoderLayerSpec>,
    pub decoder: Vec<DecoderLayerSpec>,
    /// Relative position bias tables (buckets × heads); T5 keeps one per stack, in layer 0.
    pub encoder_bias: TensorSpec,
    pub decoder_bias: TensorSpec,
    pub encoder_norm: TensorSpec,
    pub decoder_norm: TensorSpec,
}

/// Names the shared embedding may be stored under: PyTorch files of tied models sometimes keep
/// only one of the stacks' copies.
const SHARED_NAMES: [&str; 3] = [
    "shared.weight",
    "encoder.embed_tokens.weight",
    "decoder.embed_tokens.weight",
];

impl Checkpoint {
    /// The layout for `cfg`; `stored` says whether the weight file holds a name (it picks the
    /// shared embedding's name among its aliases).
    pub fn new(cfg: &T5Config, stored: impl Fn(&str) -> bool) -> Checkpoint {
        let d = cfg.d_model;
        let inner = cfg.inner_dim();
        let attention = |layer: &str, kind: &str| {
            let p = format!("{layer}.{kind}");
            AttentionSpec {
                norm: TensorSpec::new(format!("{layer}.layer_norm.weight"), &[d]),
                q: TensorSpec::new(format!("{p}.q.weight"), &[inner, d]),
                k: TensorSpec::new(format!("{p}.k.weight"), &[inner, d]),
                v: TensorSpec::new(format!("{p}.v.weight"), &[inner, d]),
                o: TensorSpec::new(format!("{p}.o.weight"), &[d, inner]),
            }
        };
        let feed_forward = |layer: &str| FeedForwardSpec {
            norm: TensorSpec::new(format!("{layer}.layer_norm.weight"), &[d]),
            wi: TensorSpec::new(format!("{layer}.DenseReluDense.wi.weight"), &[cfg.d_ff, d]),
            wo: TensorSpec::new(format!("{layer}.DenseReluDense.wo.weight"), &[d, cfg.d_ff]),
        };
        let encoder = (0..cfg.num_layers)
            .map(|i| {
                let p = format!("encoder.block.{i}.layer");
                EncoderLayerSpec {
                    attn: attention(&format!("{p}.0"), "SelfAttention"),
                    ff: feed_forward(&format!("{p}.1")),
                }
            })
            .collect();
        let decoder = (0..cfg.decoder_layers())
            .map(|i| {
                let p = format!("decoder.block.{i}.layer");
                DecoderLayerSpec {
                    self_attn: attention(&format!("{p}.0"), "SelfAttention"),
                    cross_attn: attention(&format!("{p}.1"), "EncDecAttention"),
                    ff: feed_forward(&format!("{p}.2")),
                }
            })
            .collect();
        let bias = |stack: &str| {
            TensorSpec::new(
                format!("{stack}.block.0.layer.0.SelfAttention.relative_attention_bias.weight"),
                &[cfg.relative_attention_num_buckets, cfg.num_heads],
            )
        };
        let shared = SHARED_NAMES
            .into_iter()
            .find(|n| stored(n))
            .unwrap_or(SHARED_NAMES[0]);
        let vocab = [cfg.vocab_size, d];
        Checkpoint {
            shared: TensorSpec::new(shared.to_owned(), &vocab),
            lm_head: (!cfg.tie_word_embeddings)
                .then(|| TensorSpec::new("lm_head.weight".into(), &vocab)),
            encoder,
            decoder,
            encoder_bias: bias("encoder"),
            decoder_bias: bias("decoder"),
            encoder_norm: TensorSpec::new("encoder.final_layer_norm.weight".into(), &[d]),
            decoder_norm: TensorSpec::new("decoder.final_layer_norm.weight".into(), &[d]),
        }
    }

    /// The layout of the checkpoint `store` holds.
    pub fn of_store(cfg: &T5Config, store: &TensorStore) -> Checkpoint {
        Checkpoint::new(cfg, |name| store.contains(name))
    }

    /// A network's encoder and decoder layers, each built from its tensors by the backend.
    pub fn build_layers<E, D>(
        &self,
        encoder_layer: impl Fn(&EncoderLayerSpec) -> Result<E>,
        decoder_layer: impl Fn(&DecoderLayerSpec) -> Result<D>,
    ) -> Result<(Vec<E>, Vec<D>)> {
        let encoder = self
            .encoder
            .iter()
            .map(encoder_layer)
            .collect::<Result<_>>()?;
        let decoder = self
            .decoder
            .iter()
            .map(decoder_layer)
            .collect::<Result<_>>()?;
        Ok((encoder, decoder))
    }

    /// Every tensor the network reads, each once.
    pub fn tensors(&self) -> Vec<&TensorSpec> {
        fn attention(a: &AttentionSpec) -> [&TensorSpec; 5] {
            [&a.norm, &a.q, &a.k, &a.v, &a.o]
        }
        fn ff(f: &FeedForwardSpec) -> [&TensorSpec; 3] {
            [&f.norm, &f.wi, &f.wo]
        }
        let mut all = vec![&self.shared];
        all.extend(&self.lm_head);
        for layer in &self.encoder {
            all.extend(attention(&layer.attn));
            all.extend(ff(&layer.ff));
        }
        for layer in &self.decoder {
            all.extend(attention(&layer.self_attn));
            all.extend(attention(&layer.cross_attn));
            all.extend(ff(&layer.ff));
        }
        all.extend([
            &self.encoder_bias,
            &self.decoder_bias,
            &self.encoder_norm,
            &self.decoder_norm,
        ]);
        all
    }

    /// Whether `tensor` (one of this layout's) is a matrix the quantizer may store in blocks:
    /// not a norm vector or a position-bias table.
    pub fn is_projection(&self, tensor: &TensorSpec) -> bool {
        tensor.dims.len() == 2 && *tensor != self.encoder_bias && *tensor != self.decoder_bias
    }

    /// Whether `name` decides the top token more than the rest: the shared embedding (the tied
    /// output projection) and the feed-forward output matrices. 4-bit files keep these at 8 bits.
    pub fn is_sensitive(&self, name: &str) -> bool {
        name == self.shared.name
            || self.encoder.iter().any(|l| l.ff.wo.name == name)
            || self.decoder.iter().any(|l| l.ff.wo.name == name)
    }
}

/// A checkpoint folder's config and the tensors of its preferred weight file.
pub fn read_dir(dir: &Path) -> Result<(T5Config, TensorStore)> {
    let cfg = T5Config::from_file(&dir.join(super::folder::CONFIG))?;
    let (path, format) = find_weights(dir, None)?;
    let store = TensorStore::load(&path, format)?;
    Ok((cfg, store))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> T5Config {
        T5Config::from_json(
            r#"{"vocab_size": 10, "d_model": 8, "d_kv": 2, "d_ff": 16, "num_layers": 2,
                "num_decoder_layers": 1, "num_heads": 4}"#,
        )
        .unwrap()
    }

    #[test]
    fn the_layout_names_every_tensor_of_a_hugging_face_t5_once() {
        let layout = Checkpoint::new(&config(), |_| false);
        let names: Vec<&str> = layout.tensors().iter().map(|t| t.name.as_str()).collect();
        // shared + 2 encoder layers × 8 + 1 decoder layer × 13 + 2 biases + 2 final norms.
        assert_eq!(names.len(), 1 + 16 + 13 + 4);
        let unique: std::collections::HashSet<_> = names.iter().collect();
        assert_eq!(unique.len(), names.len());
        assert!(names.contains(&"decoder.block.0.layer.1.EncDecAttention.k.weight"));
        assert!(names.contains(&"encoder.block.1.layer.1.DenseReluDense.wo.weight"));
        assert_eq!(
            layout.decoder_bias.name,
            "decoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight"
        );
        assert_eq!(layout.decoder_bias.dims, [32, 4]);
        assert_eq!(layout.decoder[0].ff.wi.dims, [16, 8]);
    }

    #[test]
    fn the_shared_embedding_falls_back_to_a_stacks_copy() {
        let cfg = config();
        assert_eq!(
            Checkpoint::new(&cfg, |_| false).shared.name,
            "shared.weight"
        );
        let only_decoder = |n: &str| n == "decoder.embed_tokens.weight";
        assert_eq!(
            Checkpoint::new(&cfg, only_decoder).shared.name,
            "decoder.embed_tokens.weight"
        );
        let both = |n: &str| n == "shared.weight" || n == "encoder.embed_tokens.weight";
        assert_eq!(Checkpoint::new(&cfg, both).shared.name, "shared.weight");
    }

    #[test]
    fn untied_checkpoints_have_an_output_projection() {
        let mut cfg = config();
        assert!(Checkpoint::new(&cfg, |_| false).lm_head.is_none());
        cfg.tie_word_embeddings = false;
        let layout = Checkpoint::new(&cfg, |_| false);
        assert_eq!(layout.lm_head.as_ref().unwrap().name, "lm_head.weight");
    }

    #[test]
    fn bias_tables_and_norms_are_not_projections() {
        let layout = Checkpoint::new(&config(), |_| false);
        assert!(layout.is_projection(&layout.encoder[0].attn.q));
        assert!(layout.is_projection(&layout.shared));
        assert!(!layout.is_projection(&layout.encoder_bias));
        assert!(!layout.is_projection(&layout.decoder_bias));
        assert!(!layout.is_projection(&layout.encoder_norm));
    }
}
