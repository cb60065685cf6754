//! Writing what the user found to files other programs read: CSV (spreadsheets, pandas) and
//! MOL blocks and SD files (structure editors, cheminformatics pipelines).

pub mod csv;
pub mod molfile;
pub mod sdf;
