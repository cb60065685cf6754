//! Hydrogen atoms written as graph nodes (`[H]OC([H])([H])[H]`) folded into their neighbour's
//! hydrogen count, as RDKit's reader does by default, so that a molecule has one canonical
//! SMILES whether its hydrogens were written as atoms or not.
//!
//! Like RDKit, hydrogens that say more than a count stay atoms: isotopes (`[2H]`), charged
//! hydrogens (`[H+]`, `[H-]`), a hydrogen with no neighbour, with several, or bonded to another
//! hydrogen or to `*`, and a hydrogen that is the only reference for the configuration of a
//! double bond (`[H]/N=C/C`). A folded hydrogen that was a stereocentre's neighbour becomes its
//! implicit hydrogen; one that was a double bond's reference hands that role to the other
//! substituent (with cis and trans swapped).

use crate::chem::element::Element;
use crate::chem::mol::{
    AtomIdx, AtomStereo, Bond, DoubleBondStereo, Molecule, StereoGroup, StereoNeighbor,
};

/// `mol` with its foldable hydrogen atoms folded, or `None` when it has none (the common case,
/// which costs one pass over the atoms).
pub fn fold_explicit_hydrogens(mol: &Molecule) -> Option<Molecule> {
    foldable_hydrogens(mol).map(|fold| rebuild(mol, &fold))
}

/// Which atoms [`fold_explicit_hydrogens`] would fold (indexed by atom), or `None` when none.
pub fn foldable_hydrogens(mol: &Molecule) -> Option<Vec<bool>> {
    if !mol.atom_values().any(|a| a.element == Element::H) {
        return None;
    }
    let mut fold: Vec<bool> = mol.atoms().map(|a| is_plain_hydrogen(mol, a)).collect();
    keep_stereo_references(mol, &mut fold);
    fold.contains(&true).then_some(fold)
}

/// A hydrogen that carries nothing but itself, on a single bond to a real atom.
fn is_plain_hydrogen(mol: &Molecule, a: AtomIdx) -> bool {
    let atom = mol.atom(a);
    if atom.element != Element::H
        || atom.isotope.is_some()
        || atom.charge != 0
        || atom.hydrogens != 0
        || atom.stereo.is_some()
    {
        return false;
    }
    let mut bonds = mol.bonds_at(a);
    match (bonds.next(), bonds.next()) {
        (Some((n, bond)), None) => {
            let e = mol.atom(n).element;
            bond.order.valence() == 1
                && !bond.aromatic
                && !bond.dative
                && e != Element::H
                && e != Element::WILDCARD
        }
        _ => false,
    }
}

/// Unmarks hydrogens that are the only possible reference of a stereo double bond's end.
fn keep_stereo_references(mol: &Molecule, fold: &mut [bool]) {
    for b in mol.bonds() {
        let Some(st) = mol.bond(b).stereo else {
            continue;
        };
        let (x, y) = mol.bond_atoms(b);
        for (end, other, r) in [(x, y, st.begin_ref), (y, x, st.end_ref)] {
            if fold[r.index()] && replacement(mol, end, other, r).is_none() {
                fold[r.index()] = false;
            }
        }
    }
}

/// Another substituent of double-bond end `end` than `r` (and the partner `other`).
fn replacement(mol: &Molecule, end: AtomIdx, other: AtomIdx, r: AtomIdx) -> Option<AtomIdx> {
    mol.neighbors(end)
        .into_iter()
        .map(|(n, _)| n)
        .find(|&n| n != other && n != r)
}

/// The molecule without the folded atoms: atoms and bonds keep their order, stereo refers to
/// the new indices.
fn rebuild(mol: &Molecule, fold: &[bool]) -> Molecule {
    let mut new_index = vec![None; mol.atom_count()];
    let mut out = Molecule::with_capacity(mol.atom_count(), mol.bond_count());
    for a in mol.atoms() {
        if !fold[a.index()] {
            new_index[a.index()] = Some(out.add_atom(mol.atom(a).clone()));
        }
    }
    for (x, y, bond) in mol.bonds_with_atoms() {
        match (new_index[x.index()], new_index[y.index()]) {
            (Some(nx), Some(ny)) => {
                let stereo = bond
                    .stereo
                    .and_then(|st| double_bond_stereo(mol, x, y, st, fold));
                let stereo = stereo.map(|st| DoubleBondStereo {
                    begin_ref: remap(&new_index, st.begin_ref),
                    end_ref: remap(&new_index, st.end_ref),
                    cis: st.cis,
                });
                out.add_bond(
                    nx,
                    ny,
                    Bond {
                        stereo,
                        ..bond.clone()
                    },
                );
            }
            (Some(heavy), None) | (None, Some(heavy)) => out.atom_mut(heavy).hydrogens += 1,
            (None, None) => {}
        }
    }
    for a in mol.atoms() {
        let Some(na) = new_index[a.index()] else {
            continue;
        };
        if let Some(st) = &mol.atom(a).stereo {
            let neighbors =
                st.neighbors
                    .iter()
                    .map(|n| match n {
                        StereoNeighbor::Atom(x) => new_index[x.index()]
                            .map_or(StereoNeighbor::Implicit, StereoNeighbor::Atom),
                        StereoNeighbor::Implicit => StereoNeighbor::Implicit,
                    })
                    .collect();
            out.atom_mut(na).stereo = Some(AtomStereo {
                class: st.class,
                neighbors,
            });
        }
    }
    out.stereo_groups = StereoGroup::renumbered(&mol.stereo_groups, |a| new_index[a.index()]);
    out
}

/// The double bond's configuration with folded reference hydrogens replaced by the other
/// substituent of their end (which flips cis and trans); `None` when an end has none left.
fn double_bond_stereo(
    mol: &Molecule,
    x: AtomIdx,
    y: AtomIdx,
    st: DoubleBondStereo,
    fold: &[bool],
) -> Option<DoubleBondStereo> {
    let mut st = st;
    if fold[st.begin_ref.index()] {
        st.begin_ref = replacement(mol, x, y, st.begin_ref).filter(|n| !fold[n.index()])?;
        st.cis = !st.cis;
    }
    if fold[st.end_ref.index()] {
        st.end_ref = replacement(mol, y, x, st.end_ref).filter(|n| !fold[n.index()])?;
        st.cis = !st.cis;
    }
    Some(st)
}

fn remap(new_index: &[Option<AtomIdx>], a: AtomIdx) -> AtomIdx {
    new_index[a.index()].expect("stereo references are kept atoms")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chem::canon::canonical_smiles;
    use crate::chem::smiles::parse_molecule;

    fn canonical(smiles: &str) -> String {
        canonical_smiles(&parse_molecule(smiles).unwrap())
    }

    #[test]
    fn written_hydrogens_fold_into_counts() {
        assert_eq!(canonical("[H]OC([H])([H])[H]"), canonical("CO"));
        assert_eq!(canonical("[H]n1cccc1"), canonical("c1cc[nH]c1"));
        assert_eq!(canonical("[H][N+]([H])([H])[H]"), "[NH4+]");
        assert_eq!(canonical("[H][C]"), "[CH]");
    }

    #[test]
    fn hydrogens_that_say_more_stay_atoms() {
        for smiles in ["[2H]C", "[H][H]", "[H+]", "[H-]C", "*[H]", "[H]/N=C/C"] {
            let mol = parse_molecule(smiles).unwrap();
            assert!(fold_explicit_hydrogens(&mol).is_none(), "{smiles}");
        }
    }

    #[test]
    fn stereo_survives_folding() {
        assert_eq!(canonical("[H][C@](F)(Cl)Br"), canonical("F[C@@H](Cl)Br"));
        assert_eq!(canonical("F[C@]([H])(Cl)Br"), canonical("F[C@H](Cl)Br"));
        assert_eq!(canonical("[H]/C(F)=C/F"), canonical("F/C=C\\F"));
        assert_eq!(canonical("[H][C@@H](C)O"), canonical("CCO"));
    }
}
