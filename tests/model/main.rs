//! Model runtime integration tests against the committed fixtures in `tests/fixtures/model`.

mod cli;
mod eval;
mod fixtures;
mod gpu;
mod hostile;
mod shard;
mod t5;
mod tokenizer;
mod worker;
