//! Renumbering a molecule (for invariance tests and for callers that need a given atom order).

use crate::chem::mol::{
    AtomIdx, AtomStereo, BondIdx, DoubleBondStereo, Molecule, StereoGroup, StereoNeighbor,
};

/// A copy of `mol` whose atom `i` is `mol`'s atom `atom_order[i]`, with bonds added in
/// `bond_order` (each written from its lower new index). Stereo neighbour lists and double-bond
/// reference atoms are remapped, so the copy is the same molecule, stereo included.
///
/// Panics if `atom_order` / `bond_order` are not permutations of the atoms / bonds.
pub fn renumber(mol: &Molecule, atom_order: &[AtomIdx], bond_order: &[BondIdx]) -> Molecule {
    assert_eq!(atom_order.len(), mol.atom_count(), "atom permutation");
    assert_eq!(bond_order.len(), mol.bond_count(), "bond permutation");
    let mut new_index = vec![usize::MAX; mol.atom_count()];
    for (i, a) in atom_order.iter().enumerate() {
        assert_eq!(new_index[a.index()], usize::MAX, "atom listed twice");
        new_index[a.index()] = i;
    }
    let map = |a: AtomIdx| AtomIdx::new(new_index[a.index()]);
    let mut out = Molecule::new();
    for &a in atom_order {
        let mut atom = mol.atom(a).clone();
        if let Some(st) = &atom.stereo {
            atom.stereo = Some(AtomStereo {
                class: st.class,
                neighbors: st
                    .neighbors
                    .iter()
                    .map(|n| match n {
                        StereoNeighbor::Atom(x) => StereoNeighbor::Atom(map(*x)),
                        StereoNeighbor::Implicit => StereoNeighbor::Implicit,
                    })
                    .collect(),
            });
        }
        out.add_atom(atom);
    }
    for &b in bond_order {
        let (x, y) = mol.bond_atoms(b);
        let mut bond = mol.bond(b).clone();
        let (nx, ny) = (map(x), map(y));
        // A dative bond keeps its donor first.
        let swap = ny < nx && !bond.dative;
        bond.stereo = bond.stereo.map(|s| {
            let (br, er) = (map(s.begin_ref), map(s.end_ref));
            let (begin_ref, end_ref) = if swap { (er, br) } else { (br, er) };
            DoubleBondStereo {
                begin_ref,
                end_ref,
                cis: s.cis,
            }
        });
        if swap {
            out.add_bond(ny, nx, bond);
        } else {
            out.add_bond(nx, ny, bond);
        }
    }
    out.stereo_groups = mol
        .stereo_groups
        .iter()
        .map(|g| {
            let mut atoms: Vec<AtomIdx> = g.atoms.iter().map(|&a| map(a)).collect();
            atoms.sort();
            StereoGroup {
                kind: g.kind,
                atoms,
            }
        })
        .collect();
    out
}
