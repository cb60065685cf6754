//! Chemistry core: elements, the molecule graph, SMILES and reactions, properties.

pub mod element;
pub mod mol;
pub mod props;

pub use element::Element;
pub use mol::{Atom, AtomIdx, Bond, BondIdx, BondOrder, Molecule, Reaction};
