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
use crate::chem::mol::{AtomIdx, BondOrder, Molecule};
use crate::chem::pool::Pooled;

/// The valences an atom of `element` with `charge` may have, ascending; empty when any valence
/// is acceptable (most metals, noble gases, `*`). These are RDKit's lists for the main-group
/// elements, except that nitrogen may also be five-valent (as OpenSMILES and the consensus of
/// NextMove's benchmark read `CN(=O)=O` or `N(C)(C)(C)C`) and Cl, Br and I may be 1, 3, 5 or
/// 7-valent (perchlorate, periodinanes).
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
pub fn implicit_hydrogens(element: Element, in_pi_system: bool, bond_order_sum: u16) -> u8 {
    let valences = element.default_valences();
    let Some(&lowest) = valences.first() else {
        return 0;
    };
    let fill = |v: u8| u16::from(v).saturating_sub(bond_order_sum) as u8;
    if in_pi_system {
        return fill(lowest).saturating_sub(1);
    }
    valences
        .iter()
        .find(|&&v| u16::from(v) >= bond_order_sum)
        .map_or(0, |&v| fill(v))
}

/// Sum of the bond orders at an atom (aromatic bonds count as they stand), without overflow.
pub fn explicit_valence(mol: &Molecule, a: AtomIdx) -> u16 {
    mol.bonds_at(a)
        .map(|(_, bond)| u16::from(bond.order.valence()))
        .sum()
}

/// Every atom's explicit valence (as [`explicit_valence`]) and whether it has an aromatic bond,
/// in one pass over the bonds.
fn valences_and_pi(mol: &Molecule) -> (Pooled<u16>, Pooled<bool>) {
    let mut sum = Pooled::filled(mol.atom_count(), 0u16);
    let mut pi = Pooled::filled(mol.atom_count(), false);
    for (x, y, bond) in mol.bonds_with_atoms() {
        let order = u16::from(bond.order.valence());
        for a in [x.index(), y.index()] {
            sum[a] += order;
            pi[a] |= bond.aromatic;
        }
    }
    (sum, pi)
}

/// Sets `hydrogens` on every atom written without brackets (aromatic bonds must still be single).
pub fn assign_implicit_hydrogens(mol: &mut Molecule) {
    let (sum, pi) = valences_and_pi(mol);
    for (a, atom) in mol.atom_values_mut().enumerate() {
        if !atom.bracket {
            atom.hydrogens = implicit_hydrogens(atom.element, pi[a], sum[a]);
        }
    }
}

/// Atoms whose total valence (bond orders + hydrogens, after kekulization) exceeds every valence
/// their element and charge allow, in index order.
///
/// Single bonds to metals do not count when they would push a ligand atom over its valence: such
/// a bond is a dative (coordinate) bond, as RDKit reads the carbonyl `[O]=C` or porphyrin `[N+]`
/// of a metal complex written with plain bonds.
pub fn over_valent_atoms(mol: &Molecule) -> Vec<AtomIdx> {
    let (sum, _) = valences_and_pi(mol);
    mol.atoms()
        .filter(|&a| {
            let atom = mol.atom(a);
            let Some(&max) = allowed_valences(atom.element, atom.charge).last() else {
                return false;
            };
            let total = sum[a.index()] + u16::from(atom.hydrogens);
            if total <= u16::from(max) {
                return false;
            }
            let dative = mol
                .bonds_at(a)
                .filter(|(n, bond)| {
                    is_metal(mol.atom(*n).element) && bond.order == BondOrder::Single
                })
                .count() as u16;
            total.saturating_sub(dative) > u16::from(max)
        })
        .collect()
}

/// Metals (and the metalloids that bond like them); not the elements of organic chemistry,
/// boron, silicon, germanium, arsenic, antimony, tellurium, the halogens or the noble gases.
pub fn is_metal(element: Element) -> bool {
    !matches!(
        element.atomic_number(),
        0..=2 | 5..=10 | 14..=18 | 32..=36 | 51..=54 | 85 | 86
    )
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
