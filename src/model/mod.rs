//! Model runtime: the Text+Chem T5 on candle, its weights, quantization and generation.

pub mod generate;
pub mod quantize;
pub mod random;
pub mod t5;
pub mod weights;
