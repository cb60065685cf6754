//! What the descriptor atom types look at around one atom: hydrogens, neighbours and the kinds of
//! bonds. Aromatic bonds are counted as aromatic whatever their Kekulé order, as toolkits that
//! type atoms on the aromatic form do.

use crate::chem::{AtomIdx, Bond, BondOrder, Element, Molecule};

use super::counts::{is_plain_graph_hydrogen, total_hydrogens_on};

/// The bond kinds descriptor tables distinguish.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BondKind {
    Single,
    Double,
    Triple,
    Aromatic,
    Other,
}

pub fn bond_kind(bond: &Bond) -> BondKind {
    if bond.aromatic {
        return BondKind::Aromatic;
    }
    if bond.dative {
        return BondKind::Other;
    }
    match bond.order {
        BondOrder::Single => BondKind::Single,
        BondOrder::Double => BondKind::Double,
        BondOrder::Triple => BondKind::Triple,
        BondOrder::Quadruple => BondKind::Other,
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AtomEnvironment {
    /// Total hydrogens (non-graph and bonded graph ones).
    pub hydrogens: u32,
    /// Neighbours other than plain graph hydrogens (SMARTS `D` after hydrogen removal).
    pub degree: u32,
    pub single: u32,
    pub double: u32,
    pub triple: u32,
    pub aromatic: u32,
    /// Bond-order sum with hydrogens (SMARTS `v` on the Kekulé form).
    pub valence: u32,
}

impl AtomEnvironment {
    pub fn of(mol: &Molecule, i: AtomIdx) -> AtomEnvironment {
        let mut env = AtomEnvironment {
            hydrogens: total_hydrogens_on(mol, i),
            ..AtomEnvironment::default()
        };
        env.valence = env.hydrogens;
        for (n, b) in mol.neighbors(i) {
            let bond = mol.bond(b);
            env.valence += u32::from(mol.valence_contribution(b, i));
            if mol.atom(n).element == Element::H {
                // Hydrogens are already in `hydrogens`; a charged or labelled one still counts
                // as a neighbour, as it stays in the graph.
                if !is_plain_graph_hydrogen(mol, n) {
                    env.degree += 1;
                }
                continue;
            }
            env.degree += 1;
            match bond_kind(bond) {
                BondKind::Single => env.single += 1,
                BondKind::Double => env.double += 1,
                BondKind::Triple => env.triple += 1,
                BondKind::Aromatic => env.aromatic += 1,
                BondKind::Other => {}
            }
        }
        env
    }

    /// Heavy (non-hydrogen) neighbours.
    pub fn heavy_neighbors(&self) -> u32 {
        self.single + self.double + self.triple + self.aromatic
    }
}

/// Whether the atom is in a three-membered ring (two of its neighbours are bonded).
pub fn in_three_ring(mol: &Molecule, i: AtomIdx) -> bool {
    let n: Vec<AtomIdx> = mol.neighbors(i).into_iter().map(|(a, _)| a).collect();
    n.iter()
        .enumerate()
        .any(|(k, &a)| n[k + 1..].iter().any(|&b| mol.bond_between(a, b).is_some()))
}
