//! Hypervalent groups drawn without charges become their charge-separated form before valences
//! are checked, as RDKit's sanitization does first ("cleanUp", RDKit Book): a nitro group or
//! N-oxide drawn as `N(=O)=O` / `N(C)(C)(C)=O` becomes `[N+]([O-])`, an azide `N=N#N` becomes
//! `N=[N+]=[N-]`, and a halogen with only oxygen neighbours (`O=Cl(=O)O`, perchlorate) becomes
//! `[Cl+n]` with `[O-]`s. The reader then accepts these forms (their valences are fine once
//! charged) and every drawing of such a group gets one canonical SMILES.
//!
//! RDKit's documentation also lists `C=P(=O)` ylides; RDKit 2026.09 leaves them as drawn when it
//! reads SMILES, and so does textchem.

use crate::chem::element::Element;
use crate::chem::mol::{AtomIdx, BondIdx, BondOrder, Molecule};

/// Rewrites the hypervalent groups of a graph as read (before implicit hydrogens are assigned:
/// an unbracketed atom's valence is its bonds alone, so `N(=O)=O` stays four-valent and is
/// rejected, as in RDKit).
pub(crate) fn separate_charges(mol: &mut Molecule) {
    for a in 0..mol.atom_count() {
        let a = AtomIdx::new(a);
        let atom = mol.atom(a);
        if atom.charge != 0 {
            continue;
        }
        match atom.element {
            Element::N if valence(mol, a) == 5 => {
                let partner = bond_to(mol, a, Element::O, BondOrder::Double)
                    .or_else(|| bond_to(mol, a, Element::N, BondOrder::Triple));
                if let Some((partner, b)) = partner {
                    separate(mol, a, partner, b);
                }
            }
            Element::CL | Element::BR | Element::I => {
                let neighbours = mol.neighbors(a);
                let only_oxygen = !neighbours.is_empty()
                    && neighbours
                        .iter()
                        .all(|&(n, _)| mol.atom(n).element == Element::O);
                if only_oxygen && matches!(valence(mol, a), 3 | 5 | 7) {
                    for (o, b) in neighbours {
                        if is_plain(mol, b, BondOrder::Double) {
                            separate(mol, a, o, b);
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

/// Bond orders plus written hydrogens; an atom with aromatic bonds counts one more for its
/// share of the pi system (aromatic bonds are still single here), so `O=n1ccccc1` is
/// five-valent like the N-oxide it stands for.
fn valence(mol: &Molecule, a: AtomIdx) -> u16 {
    let aromatic = mol.bonds_at(a).any(|(_, bond)| bond.aromatic);
    u16::from(mol.atom(a).hydrogens) + mol.bond_valence_sum(a) + u16::from(aromatic)
}

fn is_plain(mol: &Molecule, b: BondIdx, order: BondOrder) -> bool {
    let bond = mol.bond(b);
    bond.order == order && !bond.aromatic
}

/// The first terminal neighbour of `a` (in input order) of `element` joined by a non-aromatic
/// bond of `order`. Only a terminal atom takes the negative charge: RDKit leaves `CN#N=N` and
/// `CN(=[O+]C)=[O+]C` as drawn (and rejects them).
fn bond_to(
    mol: &Molecule,
    a: AtomIdx,
    element: Element,
    order: BondOrder,
) -> Option<(AtomIdx, BondIdx)> {
    mol.neighbors(a).into_iter().find(|&(n, b)| {
        mol.atom(n).element == element && mol.degree(n) == 1 && is_plain(mol, b, order)
    })
}

/// Lowers bond `b` by one order, the centre taking a positive charge and the partner a negative.
fn separate(mol: &mut Molecule, centre: AtomIdx, partner: AtomIdx, b: BondIdx) {
    let bond = mol.bond_mut(b);
    bond.order = BondOrder::from_valence(bond.order.valence() - 1).unwrap_or(BondOrder::Single);
    mol.atom_mut(centre).charge += 1;
    mol.atom_mut(partner).charge -= 1;
}
