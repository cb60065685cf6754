//! The Text+Chem T5 model runtime: tokenizer, model sources, tasks (and, from the t5 work, the network
//! and generation).

pub mod catalogue;
pub mod folder;
pub mod source;
pub mod spiece;
pub mod task;
pub mod tokenizer;
