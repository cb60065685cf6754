//! textchem: a native chemistry assistant around the Text+Chem T5 model.
//!
//! Dependencies point one way: `app` → `model` / `depict` → `chem`.

pub mod app;
pub mod chem;
pub mod cli;
pub mod depict;
pub mod export;
pub mod gpu;
pub mod model;
pub mod runtime;
