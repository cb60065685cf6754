//! Chemistry core: elements, the molecule graph, SMILES and reactions, properties.

pub mod aromaticity;
pub mod canon;
pub mod element;
pub mod fingerprint;
pub mod hydrogens;
pub mod inchi;
pub mod kekulize;
pub mod maccs;
pub mod mol;
pub mod molfile;
mod pool;
pub mod props;
pub mod rings;
pub mod smarts;
pub mod smiles;
pub mod stereo_geometry;
pub mod valence;
mod word_hash;

pub use element::Element;
pub use mol::{
    Atom, AtomIdx, Bond, BondIdx, BondOrder, Molecule, Reaction, StereoGroup, StereoGroupKind,
};
