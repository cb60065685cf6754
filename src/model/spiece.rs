//! A minimal reader for sentencepiece's `ModelProto` (the `spiece.model` file of T5 checkpoints).
//!
//! Only the fields HF's T5 tokenizer conversion uses are read: the pieces (text, score, type), the
//! trainer's model type and unk id, and the normalizer's precompiled charsmap and flags. Everything
//! else is skipped by wire type, so newer sentencepiece files still load. Field numbers follow
//! sentencepiece's `sentencepiece_model.proto`.

use std::fmt;

/// How sentencepiece classifies a piece (`SentencePiece.Type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PieceType {
    Normal,
    Unknown,
    Control,
    UserDefined,
    Unused,
    Byte,
}

impl PieceType {
    fn from_proto(value: u64) -> Option<Self> {
        Some(match value {
            1 => Self::Normal,
            2 => Self::Unknown,
            3 => Self::Control,
            4 => Self::UserDefined,
            5 => Self::Unused,
            6 => Self::Byte,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Piece {
    pub piece: String,
    pub score: f32,
    pub kind: PieceType,
}

/// The sentencepiece algorithm the file was trained with (`TrainerSpec.ModelType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelType {
    Unigram,
    Bpe,
    Word,
    Char,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NormalizerSpec {
    pub name: String,
    pub precompiled_charsmap: Vec<u8>,
    pub add_dummy_prefix: bool,
    pub remove_extra_whitespaces: bool,
}

impl Default for NormalizerSpec {
    // The proto's declared defaults: both flags are true when the field is absent.
    fn default() -> Self {
        Self {
            name: String::new(),
            precompiled_charsmap: Vec::new(),
            add_dummy_prefix: true,
            remove_extra_whitespaces: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SpieceModel {
    pub pieces: Vec<Piece>,
    pub model_type: ModelType,
    pub unk_id: u32,
    pub byte_fallback: bool,
    pub normalizer: NormalizerSpec,
}

/// A malformed `spiece.model`: what was wrong and at which byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpieceError {
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for SpieceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "malformed sentencepiece model at byte {}: {}",
            self.offset, self.message
        )
    }
}

impl std::error::Error for SpieceError {}

type Result<T> = std::result::Result<T, SpieceError>;

impl SpieceModel {
    pub fn parse(bytes: &[u8]) -> Result<Self> {
        let mut model = SpieceModel {
            pieces: Vec::new(),
            // Defaults declared in the proto for absent fields.
            model_type: ModelType::Unigram,
            unk_id: 0,
            byte_fallback: false,
            normalizer: NormalizerSpec::default(),
        };
        let mut reader = Reader::new(bytes, 0);
        while let Some((field, value)) = reader.next_field()? {
            match (field, value) {
                (1, Value::Bytes(b, at)) => model.pieces.push(parse_piece(b, at)?),
                (2, Value::Bytes(b, at)) => parse_trainer_spec(b, at, &mut model)?,
                (3, Value::Bytes(b, at)) => model.normalizer = parse_normalizer(b, at)?,
                _ => {}
            }
        }
        if model.pieces.is_empty() {
            return Err(SpieceError {
                offset: 0,
                message: "no pieces (is this a sentencepiece model file?)".into(),
            });
        }
        if model.unk_id as usize >= model.pieces.len() {
            return Err(SpieceError {
                offset: 0,
                message: format!(
                    "unk_id {} is past the {} pieces",
                    model.unk_id,
                    model.pieces.len()
                ),
            });
        }
        Ok(model)
    }
}

fn parse_piece(bytes: &[u8], base: usize) -> Result<Piece> {
    let mut piece = Piece {
        piece: String::new(),
        score: 0.0,
        kind: PieceType::Normal,
    };
    let mut reader = Reader::new(bytes, base);
    while let Some((field, value)) = reader.next_field()? {
        match (field, value) {
            (1, Value::Bytes(b, at)) => {
                piece.piece = String::from_utf8(b.to_vec()).map_err(|_| SpieceError {
                    offset: at,
                    message: "piece text is not UTF-8".into(),
                })?
            }
            (2, Value::Fixed32(bits)) => piece.score = f32::from_bits(bits),
            (3, Value::Varint(v, at)) => {
                piece.kind = PieceType::from_proto(v).ok_or_else(|| SpieceError {
                    offset: at,
                    message: format!("unknown piece type {v}"),
                })?
            }
            _ => {}
        }
    }
    Ok(piece)
}

fn parse_trainer_spec(bytes: &[u8], base: usize, model: &mut SpieceModel) -> Result<()> {
    let mut reader = Reader::new(bytes, base);
    while let Some((field, value)) = reader.next_field()? {
        match (field, value) {
            (3, Value::Varint(v, at)) => {
                model.model_type = match v {
                    1 => ModelType::Unigram,
                    2 => ModelType::Bpe,
                    3 => ModelType::Word,
                    4 => ModelType::Char,
                    _ => {
                        return Err(SpieceError {
                            offset: at,
                            message: format!("unknown model type {v}"),
                        });
                    }
                }
            }
            (35, Value::Varint(v, _)) => model.byte_fallback = v != 0,
            (40, Value::Varint(v, at)) => {
                model.unk_id = u32::try_from(v).map_err(|_| SpieceError {
                    offset: at,
                    message: format!("unk_id {v} out of range"),
                })?
            }
            _ => {}
        }
    }
    Ok(())
}

fn parse_normalizer(bytes: &[u8], base: usize) -> Result<NormalizerSpec> {
    let mut spec = NormalizerSpec::default();
    let mut reader = Reader::new(bytes, base);
    while let Some((field, value)) = reader.next_field()? {
        match (field, value) {
            (1, Value::Bytes(b, _)) => spec.name = String::from_utf8_lossy(b).into_owned(),
            (2, Value::Bytes(b, _)) => spec.precompiled_charsmap = b.to_vec(),
            (3, Value::Varint(v, _)) => spec.add_dummy_prefix = v != 0,
            (4, Value::Varint(v, _)) => spec.remove_extra_whitespaces = v != 0,
            _ => {}
        }
    }
    Ok(spec)
}

/// One decoded field value; byte offsets are absolute, for error messages.
enum Value<'a> {
    Varint(u64, usize),
    Fixed32(u32),
    Fixed64,
    Bytes(&'a [u8], usize),
}

/// Protobuf wire-format reader over one message's bytes.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    base: usize,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8], base: usize) -> Self {
        Self {
            bytes,
            pos: 0,
            base,
        }
    }

    fn error(&self, message: impl Into<String>) -> SpieceError {
        SpieceError {
            offset: self.base + self.pos,
            message: message.into(),
        }
    }

    fn varint(&mut self) -> Result<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *self
                .bytes
                .get(self.pos)
                .ok_or_else(|| self.error("truncated varint"))?;
            self.pos += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(self.error("varint longer than 10 bytes"))
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len());
        let end = end.ok_or_else(|| self.error(format!("field of {n} bytes runs past the end")))?;
        let slice = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(slice)
    }

    fn next_field(&mut self) -> Result<Option<(u64, Value<'a>)>> {
        if self.pos == self.bytes.len() {
            return Ok(None);
        }
        let key = self.varint()?;
        let (field, wire_type) = (key >> 3, key & 7);
        if field == 0 {
            return Err(self.error("field number 0"));
        }
        let at = self.base + self.pos;
        let value = match wire_type {
            0 => Value::Varint(self.varint()?, at),
            1 => {
                self.take(8)?;
                Value::Fixed64
            }
            2 => {
                let len = usize::try_from(self.varint()?)
                    .map_err(|_| self.error("length out of range"))?;
                let at = self.base + self.pos;
                Value::Bytes(self.take(len)?, at)
            }
            5 => {
                let b = self.take(4)?;
                Value::Fixed32(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            }
            other => return Err(self.error(format!("unsupported wire type {other}"))),
        };
        Ok(Some((field, value)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn varint(mut v: u64, out: &mut Vec<u8>) {
        while v >= 0x80 {
            out.push((v as u8) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }

    fn bytes_field(field: u64, payload: &[u8], out: &mut Vec<u8>) {
        varint(field << 3 | 2, out);
        varint(payload.len() as u64, out);
        out.extend_from_slice(payload);
    }

    fn piece(text: &str, score: f32, kind: u64) -> Vec<u8> {
        let mut p = Vec::new();
        bytes_field(1, text.as_bytes(), &mut p);
        varint(2 << 3 | 5, &mut p);
        p.extend_from_slice(&score.to_le_bytes());
        varint(3 << 3, &mut p);
        varint(kind, &mut p);
        p
    }

    #[test]
    fn reads_pieces_trainer_and_normalizer_fields_and_skips_others() {
        let mut m = Vec::new();
        bytes_field(1, &piece("<unk>", 0.0, 2), &mut m);
        bytes_field(1, &piece("▁the", -3.5, 1), &mut m);
        let mut trainer = Vec::new();
        varint(3 << 3, &mut trainer);
        varint(1, &mut trainer);
        varint(40 << 3, &mut trainer);
        varint(0, &mut trainer);
        varint(9 << 3 | 1, &mut trainer); // an unknown fixed64 field
        trainer.extend_from_slice(&[0; 8]);
        bytes_field(2, &trainer, &mut m);
        let mut norm = Vec::new();
        bytes_field(2, &[1, 2, 3], &mut norm);
        varint(3 << 3, &mut norm);
        varint(0, &mut norm);
        bytes_field(3, &norm, &mut m);
        bytes_field(4, b"self test data", &mut m);

        let model = SpieceModel::parse(&m).unwrap();
        assert_eq!(model.pieces.len(), 2);
        assert_eq!(
            model.pieces[1],
            Piece {
                piece: "▁the".into(),
                score: -3.5,
                kind: PieceType::Normal
            }
        );
        assert_eq!(model.pieces[0].kind, PieceType::Unknown);
        assert_eq!(model.model_type, ModelType::Unigram);
        assert_eq!(model.normalizer.precompiled_charsmap, vec![1, 2, 3]);
        assert!(!model.normalizer.add_dummy_prefix);
        assert!(model.normalizer.remove_extra_whitespaces);
    }

    #[test]
    fn truncated_input_reports_the_offset() {
        let mut m = Vec::new();
        bytes_field(1, &piece("<unk>", 0.0, 2), &mut m);
        let cut = &m[..m.len() - 3];
        let err = SpieceModel::parse(cut).unwrap_err();
        assert!(err.message.contains("runs past the end"), "{err}");
        assert_eq!(err.offset, 2);
    }

    #[test]
    fn non_sentencepiece_bytes_are_rejected() {
        assert!(SpieceModel::parse(b"").is_err());
        assert!(SpieceModel::parse(b"{\"model\": 1}").is_err());
    }
}
