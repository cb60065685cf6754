//! Writing what the user found to files other programs read: CSV (spreadsheets, pandas) and
//! MOL blocks (structure editors).

pub mod csv;
pub mod molfile;
