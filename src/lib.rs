//! textchem: a native chemistry assistant around the Text+Chem T5 model.
//!
//! Dependencies point one way (`layering` checks it; docs/architecture.md draws it):
//!
//! ```text
//! cli ─→ app ─→ export ─→ depict ─→ chem
//!  │ │    │                           ↑
//!  │ └────┴─→ runtime ─→ gpu ─→ model ┘
//!  └─→ eval ─→ model, chem
//! ```
//!
//! `chem` reads and writes molecules; `depict` lays them out and draws them; `export` writes
//! CSV and MOL blocks; `model` is the T5 on the CPU with its tokenizer, weights and generation;
//! `gpu` runs the same network through wgpu; `runtime` chooses between them and serves requests
//! on a background thread; `eval` scores predictions with the papers' metrics; `app` is the desktop window; `cli` the
//! command line.

pub mod app;
pub mod chem;
pub mod cli;
pub mod depict;
pub mod eval;
pub mod export;
pub mod gpu;
#[cfg(test)]
mod layering;
pub mod model;
pub mod runtime;
