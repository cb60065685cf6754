//! Valence model: implicit hydrogens of organic-subset atoms and the valences an atom may have
//! (RDKit's, the reference for textchem's verdict on a SMILES).
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
/// is accepted (most metals, `*`), and also for the few charges no valence fits (see
/// [`valence_rule`]). These follow RDKit's valence model, which is the reference for textchem's
/// "valid SMILES" verdict, except that neutral nitrogen may also be five-valent (see
/// [`valence_rule`]).
pub fn allowed_valences(element: Element, charge: i8) -> &'static [u8] {
    match valence_rule(element, charge) {
        ValenceRule::Any | ValenceRule::NoValence => &[],
        ValenceRule::NeutralNitrogen => &[3, 5],
        ValenceRule::Listed(list) => list,
    }
}

/// Which total valences (bond orders + hydrogens) an atom may have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValenceRule {
    /// Any valence (metals, `*`).
    Any,
    /// These valences, ascending; a bracket atom may also stay below the largest one (a radical).
    Listed(&'static [u8]),
    /// Neutral nitrogen: 3, or 5 as written. RDKit allows only 3 (and reads `CN(=O)=O` by first
    /// rewriting it as `C[N+](=O)[O-]`, see `chem::sanitize`); textchem also accepts a
    /// five-valent N as written (`C1=CN2=NC=NC=2N=C1`), as OpenSMILES and most readers of
    /// NextMove's benchmark do, which keeps the benchmark score above 99.98 %. Four never fits
    /// (a neutral N with four bonds has an odd electron left over), and an unbracketed N only
    /// gets hydrogens up to 3.
    NeutralNitrogen,
    /// No atom of this element can carry this charge (`[P-6]`).
    NoValence,
}

impl ValenceRule {
    /// Whether an atom of this kind may have a total valence of `total`.
    pub fn allows(self, total: u16) -> bool {
        match self {
            ValenceRule::Any => true,
            ValenceRule::NoValence => false,
            ValenceRule::NeutralNitrogen => total <= 3 || total == 5,
            ValenceRule::Listed(list) => list.last().is_some_and(|&max| total <= u16::from(max)),
        }
    }
}

/// The valence rule of an atom of `element` with `charge`, as RDKit 2026.09 applies it (its
/// behaviour on every element and charge -4..+4 is recorded in
/// `tests/fixtures/chem/rdkit_valence_limits.tsv`):
/// - elements whose neutral list is open-ended (alkali and alkaline-earth metals, transition
///   metals, lanthanides, actinides) take any valence whatever their charge;
/// - a charged atom takes the list of the element with the same number of electrons
///   (`[N+]` like C, `[O-]` like F, `[Cl+]` like S, `[S-]` like Cl), any valence when there is
///   no such element;
/// - except that P, S, As and Se anions keep their own hypervalent states less one per charge
///   when the isoelectronic element allows fewer (`[S-]` up to 5, `[P-2]` up to 3);
/// - the hydride `[H-]` may bridge two atoms.
pub fn valence_rule(element: Element, charge: i8) -> ValenceRule {
    let z = element.atomic_number();
    let Some(own) = neutral_valences(z) else {
        return ValenceRule::Any;
    };
    if charge == 0 {
        return if z == 7 {
            ValenceRule::NeutralNitrogen
        } else {
            ValenceRule::Listed(own)
        };
    }
    if z == 1 && charge == -1 {
        return ValenceRule::Listed(&[0, 1, 2]);
    }
    if charge < 0 && matches!(z, 15 | 16 | 33 | 34) {
        return expanded_anion(z, charge);
    }
    let isoelectronic = i16::from(z) - i16::from(charge);
    match u8::try_from(isoelectronic)
        .ok()
        .filter(|n| (1..=118).contains(n))
    {
        Some(n) => neutral_valences(n).map_or(ValenceRule::Any, ValenceRule::Listed),
        None => ValenceRule::Any,
    }
}

/// P, As (valences 3, 5) and S, Se (2, 4, 6) with a negative charge: each valence less the
/// charge, together with the isoelectronic element's (when it has a list).
fn expanded_anion(z: u8, charge: i8) -> ValenceRule {
    let group_15 = matches!(z, 15 | 33);
    let list: &'static [u8] = match (group_15, charge) {
        (true, -1) => &[2, 4, 6],
        (true, -2) => &[1, 3],
        (true, -3) => &[0, 2],
        (true, -4) => &[1],
        (true, -5) => &[0],
        (false, -1) => &[1, 3, 5],
        (false, -2) => &[0, 2, 4],
        (false, -3) => &[1, 3],
        (false, -4) => &[0, 2],
        (false, -5) => &[1],
        (false, -6) => &[0],
        _ => return ValenceRule::NoValence,
    };
    ValenceRule::Listed(list)
}

/// RDKit's valence lists for neutral atoms (its periodic table); `None` where the list is
/// open-ended.
fn neutral_valences(z: u8) -> Option<&'static [u8]> {
    Some(match z {
        0 => return None,
        1 => &[1],
        2 | 10 | 18 | 36 | 86 => &[0],
        4 => &[2],
        5 | 7 | 13 | 31 | 49 => &[3],
        6 | 14 | 32 => &[4],
        8 => &[2],
        9 | 17 | 35 | 55 | 87 => &[1],
        15 | 33 | 51 | 83 => &[3, 5],
        16 | 34 | 52 | 84 => &[2, 4, 6],
        50 | 82 => &[2, 4],
        53 | 85 => &[1, 3, 5],
        54 => &[0, 2, 4, 6],
        _ => return None,
    })
}

/// Hydrogens an organic-subset atom written without brackets carries, given the sum of its
/// bond orders (aromatic bonds counted as single, before kekulization) and whether any of its
/// bonds is aromatic.
pub fn implicit_hydrogens(element: Element, in_pi_system: bool, bond_order_sum: u16) -> u8 {
    fill_to_valence(element.default_valences(), in_pi_system, bond_order_sum)
}

/// Hydrogens an atom of a MOL file carries when its valence field does not fix them, as RDKit's
/// `MolFromMolBlock` fills them: every atom whose element has a default valence in RDKit's
/// periodic table (alkali and alkaline-earth metals included: a lone `Na` is NaH) fills to it,
/// a charged atom to the valences of the element with as many electrons ([`valence_rule`], or
/// that element's default) provided its own element has one; `unpaired` electrons take the
/// place of as many hydrogens. Sum of bond orders and pi membership as for
/// [`implicit_hydrogens`].
pub fn mol_file_hydrogens(
    element: Element,
    charge: i8,
    in_pi_system: bool,
    bond_order_sum: u16,
    unpaired: u8,
) -> u8 {
    let z = element.atomic_number();
    let Some(own) = rdkit_default_valences(z) else {
        return 0;
    };
    let valences: &[u8] = if charge == 0 {
        own
    } else {
        match valence_rule(element, charge) {
            ValenceRule::Listed(list) => list,
            ValenceRule::NeutralNitrogen => &[3],
            ValenceRule::NoValence => &[],
            ValenceRule::Any => u8::try_from(i16::from(z) - i16::from(charge))
                .ok()
                .filter(|n| (1..=118).contains(n))
                .and_then(rdkit_default_valences)
                .unwrap_or(&[]),
        }
    };
    let valences = if z == 7 && charge == 0 {
        &[3][..]
    } else {
        valences
    };
    fill_to_valence(
        valences,
        in_pi_system,
        bond_order_sum.saturating_add(u16::from(unpaired)),
    )
}

/// [`neutral_valences`], with the alkali and alkaline-earth metals' default valence that RDKit
/// uses to fill atoms of a MOL file.
fn rdkit_default_valences(z: u8) -> Option<&'static [u8]> {
    match z {
        3 | 11 | 19 | 37 | 55 | 87 => Some(&[1]),
        4 | 12 | 20 | 38 | 56 | 88 => Some(&[2]),
        _ => neutral_valences(z),
    }
}

/// Hydrogens that bring an atom to the lowest of `valences` at least its bond-order sum (only
/// the lowest for an atom in a pi system, which counts one bond more); 0 above all of them.
fn fill_to_valence(valences: &[u8], in_pi_system: bool, bond_order_sum: u16) -> u8 {
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

/// Sum of the bond orders at an atom (aromatic bonds count as they stand, a dative bond only at
/// its acceptor), without overflow.
pub fn explicit_valence(mol: &Molecule, a: AtomIdx) -> u16 {
    mol.bond_valence_sum(a)
}

/// Unpaired electrons on atom `a`, as RDKit documents them for atoms with a fixed hydrogen
/// count: a bracket atom whose bonds plus hydrogens fall short of its lowest allowed valence
/// carries the difference ([CH3] one, [O] two, [N]=O one); 0 for atoms written without
/// brackets, metals and atoms whose valence is reached.
pub fn radical_electrons(mol: &Molecule, a: AtomIdx) -> u8 {
    let atom = mol.atom(a);
    if !atom.bracket {
        return 0;
    }
    let Some(&lowest) = allowed_valences(atom.element, atom.charge).first() else {
        return 0;
    };
    let used = explicit_valence(mol, a) + u16::from(atom.hydrogens);
    u8::try_from(u16::from(lowest).saturating_sub(used)).unwrap_or(0)
}

/// Every atom's explicit valence (as [`explicit_valence`]) and whether it has an aromatic bond,
/// in one pass over the bonds.
fn valences_and_pi(mol: &Molecule) -> (Pooled<u16>, Pooled<bool>) {
    let mut sum = Pooled::filled(mol.atom_count(), 0u16);
    let mut pi = Pooled::filled(mol.atom_count(), false);
    for (x, y, bond) in mol.bonds_with_atoms() {
        let order = u16::from(bond.order.valence());
        // A dative bond adds nothing to its donor (the first endpoint).
        sum[x.index()] += if bond.dative { 0 } else { order };
        sum[y.index()] += order;
        for a in [x.index(), y.index()] {
            pi[a] |= bond.aromatic;
        }
    }
    (sum, pi)
}

/// Sets `hydrogens` on every atom written without brackets (aromatic bonds must still be single).
/// Such an atom is charged only when a hypervalent group was charge-separated (the `[O-]` of
/// `CN(=O)=O`); it then fills to the valence of its charged state.
pub fn assign_implicit_hydrogens(mol: &mut Molecule) {
    let (sum, pi) = valences_and_pi(mol);
    for (a, atom) in mol.atom_values_mut().enumerate() {
        if atom.bracket {
            continue;
        }
        atom.hydrogens = if atom.charge == 0 {
            implicit_hydrogens(atom.element, pi[a], sum[a])
        } else {
            let valences = match valence_rule(atom.element, atom.charge) {
                ValenceRule::Listed(list) => list,
                _ => &[],
            };
            fill_to_valence(valences, pi[a], sum[a])
        };
    }
}

/// Atoms whose total valence (bond orders + hydrogens; aromatic bonds as they stand, so after
/// kekulization) their element and charge do not allow ([`valence_rule`]), in index order.
///
/// One single bond to a metal does not count when it would push a ligand atom over its valence:
/// it is a dative (coordinate) bond, as RDKit reads the carbonyl `[O]=C`, water `[OH2]` or amine
/// `N(C)(C)(C)` of a metal complex written with plain bonds. As in RDKit, only one such bond per
/// atom is dative (`C[N](C)(C)([Fe])[Fe]` stays over-valent), and a closed-shell ion that takes
/// no bond at all (`[Cl-]`, `[O-2]`) does not donate one.
pub fn over_valent_atoms(mol: &Molecule) -> Vec<AtomIdx> {
    let (sum, _) = valences_and_pi(mol);
    mol.atoms()
        .filter(|&a| {
            let atom = mol.atom(a);
            let rule = valence_rule(atom.element, atom.charge);
            let total = sum[a.index()] + u16::from(atom.hydrogens);
            if rule.allows(total) {
                return false;
            }
            let can_donate = rule.allows(1)
                && mol.bonds_at(a).any(|(n, bond)| {
                    is_metal(mol.atom(n).element) && bond.order == BondOrder::Single && !bond.dative
                });
            !(can_donate && rule.allows(total - 1))
        })
        .collect()
}

/// Metals, as RDKit's reading of metal complexes counts them: every element but hydrogen, the
/// noble gases, boron, carbon, nitrogen, oxygen, silicon, phosphorus, sulfur, arsenic,
/// selenium, tellurium and the halogens (germanium and antimony count as metals).
pub fn is_metal(element: Element) -> bool {
    !matches!(
        element.atomic_number(),
        0..=2 | 5..=10 | 14..=18 | 33..=36 | 52..=54 | 85 | 86
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charged_atoms_take_the_valence_of_their_isoelectronic_neighbour() {
        assert_eq!(allowed_valences(Element::N, 1), &[4]);
        assert_eq!(allowed_valences(Element::O, -1), &[1]);
        assert_eq!(allowed_valences(Element::O, 1), &[3]);
        assert_eq!(allowed_valences(Element::B, -1), &[4]);
        assert_eq!(allowed_valences(Element::C, 1), &[3]);
        assert_eq!(allowed_valences(Element::S, 1), &[3, 5]);
        assert_eq!(allowed_valences(Element::CL, 1), &[2, 4, 6]);
        assert_eq!(allowed_valences(Element::CL, -1), &[0]);
        assert!(allowed_valences(Element::from_symbol("Na").unwrap(), 1).is_empty());
    }

    #[test]
    fn phosphorus_and_sulfur_anions_keep_their_expanded_valences() {
        assert_eq!(allowed_valences(Element::S, -1), &[1, 3, 5]);
        assert_eq!(allowed_valences(Element::P, -1), &[2, 4, 6]);
        assert_eq!(valence_rule(Element::P, -6), ValenceRule::NoValence);
        assert!(!ValenceRule::NoValence.allows(0));
    }

    #[test]
    fn bracket_atoms_may_stay_below_their_largest_valence() {
        let sulfur = valence_rule(Element::S, 0);
        assert!(sulfur.allows(3) && sulfur.allows(6) && !sulfur.allows(7));
        let nitrogen = valence_rule(Element::N, 0);
        assert!(nitrogen.allows(3) && !nitrogen.allows(4) && nitrogen.allows(5));
        let phosphorus = valence_rule(Element::P, 0);
        assert!(phosphorus.allows(5) && !phosphorus.allows(6));
        assert!(valence_rule(Element::from_symbol("Fe").unwrap(), 3).allows(9));
    }

    #[test]
    fn default_valence_rule() {
        assert_eq!(implicit_hydrogens(Element::C, false, 0), 4);
        assert_eq!(implicit_hydrogens(Element::N, false, 4), 0);
        assert_eq!(implicit_hydrogens(Element::S, false, 3), 1);
        assert_eq!(implicit_hydrogens(Element::C, true, 2), 1);
        assert_eq!(implicit_hydrogens(Element::S, true, 2), 0);
        assert_eq!(implicit_hydrogens(Element::N, true, 2), 0);
        assert_eq!(implicit_hydrogens(Element::I, false, 3), 0);
        assert_eq!(implicit_hydrogens(Element::I, false, 2), 0);
    }
}
