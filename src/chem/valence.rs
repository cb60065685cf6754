//! Valence model: implicit hydrogens of organic-subset atoms and the valences an atom may have.
//!
//! Implicit hydrogens follow the OpenSMILES default-valence rule the way RDKit and the consensus
//! of NextMove's SMILES-reading benchmark apply it: an organic-subset atom written without
//! brackets takes the lowest normal valence at least its explicit valence and fills the rest with
//! hydrogens. An atom with aromatic bonds counts one extra bond for its share of the pi system
//! (its double bond after kekulization) and only ever uses its lowest valence, so thiophene's `s`
//! and pyridine's `n` get no hydrogen while benzene's `c` gets one. An aromatic atom written with
//! only explicit single bonds (`c-n-c`) is not part of a pi system and counts none.

use crate::chem::element::Element;
use crate::chem::mol::{AtomIdx, Molecule};

/// The valences an atom of `element` with `charge` may have, ascending; empty when any valence
/// is acceptable (metals, noble gases, `*`). These are RDKit's lists for the main-group elements,
/// except that nitrogen may also be five-valent (as OpenSMILES and the consensus of NextMove's
/// benchmark read `CN(=O)=O` or `N(C)(C)(C)C`).
///
/// A charged atom behaves like its isoelectronic neighbour in the same row of the p block:
/// `[N+]` like carbon (4), `[O-]` like fluorine (1), `[B-]` like carbon, `[C+]` like boron.
pub fn allowed_valences(element: Element, charge: i8) -> &'static [u8] {
    let z = i16::from(element.atomic_number());
    let Some(row) = P_BLOCK_ROWS.iter().find(|r| (r.0..=r.1).contains(&z)) else {
        return if charge == 0 {
            neutral_valences(element.atomic_number())
        } else {
            &[]
        };
    };
    let effective = z - i16::from(charge);
    if (row.0..=row.1).contains(&effective) {
        neutral_valences(effective as u8)
    } else {
        &[]
    }
}

/// First and last atomic number of the p-block main-group elements (groups 13-17) of one row.
const P_BLOCK_ROWS: [(i16, i16); 4] = [(5, 9), (13, 17), (31, 35), (49, 53)];

fn neutral_valences(z: u8) -> &'static [u8] {
    match z {
        1 => &[1],
        5 | 13 | 31 | 49 => &[3],
        6 | 14 | 32 => &[4],
        50 => &[2, 4],
        7 => &[3, 5],
        15 => &[3, 5, 7],
        33 | 51 => &[3, 5],
        8 => &[2],
        16 | 34 | 52 => &[2, 4, 6],
        9 => &[1],
        17 | 35 | 53 => &[1, 3, 5, 7],
        _ => &[],
    }
}

/// Hydrogens an organic-subset atom written without brackets carries, given the sum of its
/// bond orders (aromatic bonds counted as single, before kekulization) and whether any of its
/// bonds is aromatic.
pub fn implicit_hydrogens(element: Element, in_pi_system: bool, bond_order_sum: u8) -> u8 {
    let valences = element.default_valences();
    let Some(&lowest) = valences.first() else {
        return 0;
    };
    if in_pi_system {
        return lowest.saturating_sub(bond_order_sum.saturating_add(1));
    }
    valences
        .iter()
        .find(|&&v| v >= bond_order_sum)
        .map_or(0, |&v| v - bond_order_sum)
}

/// Sets `hydrogens` on every atom written without brackets (aromatic bonds must still be single).
pub fn assign_implicit_hydrogens(mol: &mut Molecule) {
    let atoms: Vec<AtomIdx> = mol.atoms().collect();
    for a in atoms {
        if mol.atom(a).bracket {
            continue;
        }
        let sum = mol.bond_order_sum(a);
        let in_pi_system = mol.neighbors(a).iter().any(|(_, b)| mol.bond(*b).aromatic);
        let atom = mol.atom_mut(a);
        atom.hydrogens = implicit_hydrogens(atom.element, in_pi_system, sum);
    }
}

/// Atoms whose total valence (bond orders + hydrogens, after kekulization) exceeds every valence
/// their element and charge allow, in index order.
pub fn over_valent_atoms(mol: &Molecule) -> Vec<AtomIdx> {
    mol.atoms()
        .filter(|&a| {
            let atom = mol.atom(a);
            let allowed = allowed_valences(atom.element, atom.charge);
            let total = u16::from(mol.bond_order_sum(a)) + u16::from(atom.hydrogens);
            allowed.last().is_some_and(|&max| total > u16::from(max))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charged_atoms_take_the_valence_of_their_isoelectronic_neighbour() {
        assert_eq!(allowed_valences(Element::N, 1), &[4]);
        assert_eq!(allowed_valences(Element::O, -1), &[1]);
        assert_eq!(allowed_valences(Element::B, -1), &[4]);
        assert_eq!(allowed_valences(Element::C, 1), &[3]);
        assert_eq!(allowed_valences(Element::S, 1), &[3, 5, 7]);
        assert!(allowed_valences(Element::from_symbol("Na").unwrap(), 1).is_empty());
    }

    #[test]
    fn default_valence_rule() {
        assert_eq!(implicit_hydrogens(Element::C, false, 0), 4);
        assert_eq!(implicit_hydrogens(Element::N, false, 4), 1);
        assert_eq!(implicit_hydrogens(Element::S, false, 3), 1);
        assert_eq!(implicit_hydrogens(Element::C, true, 2), 1);
        assert_eq!(implicit_hydrogens(Element::S, true, 2), 0);
        assert_eq!(implicit_hydrogens(Element::N, true, 2), 0);
        assert_eq!(implicit_hydrogens(Element::I, false, 3), 0);
    }
}
