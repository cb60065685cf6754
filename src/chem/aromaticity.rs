//! Aromaticity perception on the Kekulé graph, after the RDKit aromaticity model (RDKit Book,
//! "The RDKit Aromaticity Model"): a ring, or a fused ring system, is aromatic when its atoms can
//! all take part and their π electrons number 4n+2.
//!
//! π electrons per ring atom: 1 for an atom with a double bond in the ring (c, pyridine n); 2 for
//! an atom with a lone pair and no double bond (pyrrole [nH], o, s, [cH-]); 0 for an atom whose
//! double bond goes out of the ring to a more electronegative atom (C=O, C=N: "O=c(a)a"), and for
//! an empty p orbital ([cH+] in tropylium); a dummy `*` gives whatever count makes the ring aromatic.
//! Fused systems: every bond-connected combination of relevant cycles is tried (when a system's
//! rings are not all aromatic alone); as in RDKit, bonds shared by two rings of an aromatic
//! combination become aromatic only if some single aromatic ring holds them. Combinations skip
//! rings of more than 10 atoms and unions that are not one ring envelope (phenalene's centre);
//! with these two limits the aromatic atoms equal RDKit 2026.09's on ChEBI-20 and the approved
//! drugs (see docs/canonical.md).

use super::element::Element;
use super::mol::{Adjacency, AtomIdx, BondIdx, BondOrder, Molecule};
use super::pool::{Pooled, poolable};
use super::rings::RingCore;

/// Rings larger than this are never aromatic, which also bounds the work on macrocycles.
const MAX_RING_SIZE: usize = 24;
/// Larger rings (the 16-ring of porphyrins) count alone but never in fused combinations.
const MAX_FUSED_MEMBER_SIZE: usize = 10;
/// Fused systems with more candidate rings than this try pairs of rings only (the number of
/// combinations grows as 2^n).
const MAX_RINGS_FOR_ALL_COMBINATIONS: usize = 10;

/// π electrons an atom can give to a ring it belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Donor {
    /// Cannot be part of an aromatic ring (sp3, too many neighbours, unsupported element).
    None,
    Electrons(u8),
    /// The wildcard atom: 0, 1 or 2.
    Any,
}

poolable!(Donor);

/// Clears and recomputes the `aromatic` flags of all atoms and bonds from the Kekulé structure.
pub fn perceive(mol: &mut Molecule) {
    let adj = Adjacency::new(mol);
    let rings = RingCore::new(&adj, mol.bond_count());
    let flags = aromatic_flags(mol, &adj, &rings);
    set_flags(mol, &flags);
}

/// Perceived aromaticity of each atom and bond, kept beside the molecule (the canonical writer
/// reads these instead of writing them into a copy of the molecule).
#[derive(Clone, Debug, Default)]
pub(crate) struct Flags {
    pub atoms: Pooled<bool>,
    pub bonds: Pooled<bool>,
}

impl Flags {
    /// The flags as the molecule has them.
    pub fn of(mol: &Molecule) -> Flags {
        Flags {
            atoms: mol.atom_values().map(|a| a.aromatic).collect(),
            bonds: mol.bond_values().map(|b| b.aromatic).collect(),
        }
    }
}

fn set_flags(mol: &mut Molecule, flags: &Flags) {
    for (atom, &aromatic) in mol.atom_values_mut().zip(&flags.atoms) {
        atom.aromatic = aromatic;
    }
    for (bond, &aromatic) in mol.bond_values_mut().zip(&flags.bonds) {
        bond.aromatic = aromatic;
    }
}

/// The aromatic atoms and bonds of the Kekulé structure (the molecule's own flags are ignored).
pub(crate) fn aromatic_flags(mol: &Molecule, adj: &Adjacency, rings: &RingCore) -> Flags {
    let mut flags = Flags {
        atoms: Pooled::filled(mol.atom_count(), false),
        bonds: Pooled::filled(mol.bond_count(), false),
    };
    // Acyclic molecules (a third of typical sets) are done.
    if rings.is_empty() {
        return flags;
    }
    let donors: Pooled<Donor> = mol.atoms().map(|a| donor(mol, adj, rings, a)).collect();
    // Candidate cycles: small enough and made only of atoms that can take part.
    let cycles: Pooled<usize> = (0..rings.len())
        .filter(|&c| {
            let atoms = rings.atoms(c);
            atoms.len() <= MAX_RING_SIZE && atoms.iter().all(|a| donors[a.index()] != Donor::None)
        })
        .collect();
    let (aromatic_atom, aromatic_bond) = (&mut flags.atoms, &mut flags.bonds);
    for group in bond_connected_groups(rings, &cycles, mol.bond_count()) {
        let mut alone = Pooled::filled(group.len(), false);
        for (i, &c) in group.iter().enumerate() {
            if huckel(&donors, rings.atoms(c).iter().copied()) {
                alone[i] = true;
                mark(rings, &[c], aromatic_atom, aromatic_bond);
            }
        }
        if group.len() > 1 && alone.iter().any(|&a| !a) {
            let group: Vec<usize> = group
                .iter()
                .copied()
                .filter(|&c| rings.atoms(c).len() <= MAX_FUSED_MEMBER_SIZE)
                .collect();
            fused_combinations(rings, &donors, &group, aromatic_atom, aromatic_bond);
        }
    }
    flags
}

/// Tries combinations of 2 or more bond-connected rings of one fused group; an aromatic
/// combination marks its atoms and the bonds that belong to exactly one of its rings.
fn fused_combinations(
    rings: &RingCore,
    donors: &[Donor],
    group: &[usize],
    aromatic_atom: &mut [bool],
    aromatic_bond: &mut [bool],
) {
    let n = group.len();
    // Every subset of a small system; only pairs of a large one (fullerenes have 32 rings).
    let combos: Vec<Vec<usize>> = if n <= MAX_RINGS_FOR_ALL_COMBINATIONS {
        (1u32..1 << n)
            .filter(|mask| mask.count_ones() >= 2)
            .map(|mask| {
                (0..n)
                    .filter(|i| mask >> i & 1 == 1)
                    .map(|i| group[i])
                    .collect()
            })
            .collect()
    } else {
        (0..n)
            .flat_map(|i| (i + 1..n).map(move |j| vec![group[i], group[j]]))
            .collect()
    };
    for combo in combos {
        if !bond_connected(rings, &combo) {
            continue;
        }
        let mut atoms: Vec<AtomIdx> = combo
            .iter()
            .flat_map(|&c| rings.atoms(c).iter().copied())
            .collect();
        atoms.sort();
        atoms.dedup();
        // The union must be one ring envelope: every atom on exactly two bonds that belong to
        // one ring of the combination. An atom inside it (the centre of phenalene, the middle
        // of two rings sharing two bonds in a cage) rules the combination out.
        if !is_envelope(rings, &combo, &atoms) {
            continue;
        }
        if huckel(donors, atoms.iter().copied()) {
            for a in &atoms {
                aromatic_atom[a.index()] = true;
            }
            for &c in &combo {
                for b in rings.bonds(c) {
                    let shared = combo
                        .iter()
                        .filter(|&&o| rings.bonds(o).contains(b))
                        .count();
                    if shared == 1 {
                        aromatic_bond[b.index()] = true;
                    }
                }
            }
        }
    }
}

fn is_envelope(rings: &RingCore, combo: &[usize], atoms: &[AtomIdx]) -> bool {
    let mut envelope_bonds = vec![0u8; atoms.len()];
    let mut count = std::collections::HashMap::new();
    for &c in combo {
        for &b in rings.bonds(c) {
            *count.entry(b).or_insert(0u8) += 1;
        }
    }
    for &c in combo {
        let ring = rings.atoms(c);
        for (i, b) in rings.bonds(c).iter().enumerate() {
            if count[b] == 1 {
                for a in [ring[i], ring[(i + 1) % ring.len()]] {
                    let k = atoms
                        .binary_search(&a)
                        .expect("ring atoms are in the union");
                    envelope_bonds[k] += 1;
                }
            }
        }
    }
    envelope_bonds.iter().all(|&e| e == 2)
}

fn mark(rings: &RingCore, cycles: &[usize], atoms: &mut [bool], bonds: &mut [bool]) {
    for &c in cycles {
        for a in rings.atoms(c) {
            atoms[a.index()] = true;
        }
        for b in rings.bonds(c) {
            bonds[b.index()] = true;
        }
    }
}

/// Whether the atoms' π electrons can total 4n+2 (wildcards give 0, 1 or 2 each).
fn huckel(donors: &[Donor], atoms: impl Iterator<Item = AtomIdx>) -> bool {
    let (mut fixed, mut wild) = (0u32, 0u32);
    for a in atoms {
        match donors[a.index()] {
            Donor::Electrons(e) => fixed += u32::from(e),
            Donor::Any => wild += 1,
            Donor::None => return false,
        }
    }
    (fixed..=fixed + 2 * wild).any(|e| e >= 2 && (e - 2) % 4 == 0)
}

fn shares_bond(rings: &RingCore, a: usize, b: usize) -> bool {
    let bb = rings.bonds(b);
    rings.bonds(a).iter().any(|x| bb.contains(x))
}

fn bond_connected(rings: &RingCore, combo: &[usize]) -> bool {
    let mut reached = vec![false; combo.len()];
    reached[0] = true;
    let mut stack = vec![0];
    while let Some(i) = stack.pop() {
        for j in 0..combo.len() {
            if !reached[j] && shares_bond(rings, combo[i], combo[j]) {
                reached[j] = true;
                stack.push(j);
            }
        }
    }
    reached.iter().all(|&r| r)
}

/// Splits candidate cycles into groups connected through shared bonds.
fn bond_connected_groups(rings: &RingCore, cycles: &[usize], nbonds: usize) -> Vec<Vec<usize>> {
    let mut owner = Pooled::filled(nbonds, usize::MAX);
    let mut group_of: Pooled<usize> = (0..cycles.len()).collect();
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    for (i, &c) in cycles.iter().enumerate() {
        for b in rings.bonds(c) {
            match owner[b.index()] {
                usize::MAX => owner[b.index()] = i,
                o => {
                    let (x, y) = (find(&mut group_of, o), find(&mut group_of, i));
                    group_of[x] = y;
                }
            }
        }
    }
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut index_of_root = Pooled::filled(cycles.len(), usize::MAX);
    for (i, &c) in cycles.iter().enumerate() {
        let r = find(&mut group_of, i);
        if index_of_root[r] == usize::MAX {
            index_of_root[r] = groups.len();
            groups.push(Vec::new());
        }
        groups[index_of_root[r]].push(c);
    }
    groups
}

/// Outer-shell electrons and default valence of the elements that may be aromatic.
fn shell(e: Element) -> Option<(i32, i32)> {
    Some(match e.atomic_number() {
        5 => (3, 3),
        6 => (4, 4),
        7 | 15 | 33 => (5, 3),
        8 | 16 | 34 | 52 => (6, 2),
        _ => return None,
    })
}

/// The electronegativity order the model needs: an exocyclic double bond to a more
/// electronegative atom takes the ring atom's π electron.
fn electronegativity(e: Element) -> f32 {
    match e.atomic_number() {
        1 => 2.20,
        5 => 2.04,
        6 => 2.55,
        7 => 3.04,
        8 => 3.44,
        9 => 3.98,
        14 => 1.90,
        15 => 2.19,
        16 => 2.58,
        17 => 3.16,
        33 => 2.18,
        34 => 2.55,
        35 => 2.96,
        52 => 2.1,
        53 => 2.66,
        _ => 1.5,
    }
}

fn donor(mol: &Molecule, adj: &Adjacency, rings: &RingCore, a: AtomIdx) -> Donor {
    if !rings.is_ring_atom(a) {
        return Donor::None;
    }
    let atom = mol.atom(a);
    if atom.element == Element::WILDCARD {
        return Donor::Any;
    }
    let Some((outer, valence)) = shell(atom.element) else {
        return Donor::None;
    };
    let nbrs = &adj[a.index()];
    let degree = (nbrs.len() + usize::from(atom.hydrogens)) as i32;
    if degree > 3 {
        return Donor::None;
    }
    let bond = |b: usize| mol.bond(BondIdx::new(b));
    let mut multiple = nbrs
        .iter()
        .filter(|&&(_, b)| bond(b).order != BondOrder::Single);
    let first_multiple = multiple.next();
    // Cumulated or triple bonds (C1=C=NC=N1) cannot join an aromatic ring.
    if multiple.next().is_some() {
        return Donor::None;
    }
    let charge = i32::from(atom.charge);
    let lone_pairs = (outer - valence - charge).max(0);
    let mut electrons = (valence - degree) + lone_pairs;
    let unsaturation = i32::from(mol.bond_order_sum(a)) - nbrs.len() as i32;
    if electrons > 1 && unsaturation > 1 {
        electrons = 1;
    }
    let exocyclic = first_multiple
        .filter(|&&(_, b)| !rings.is_ring_bond(BondIdx::new(b)))
        .map(|&(n, _)| AtomIdx::new(n));
    match electrons {
        e if e < 0 => Donor::None,
        0 => {
            if exocyclic.is_some() {
                Donor::Electrons(0)
            } else if first_multiple.is_some() {
                Donor::Electrons(1)
            } else {
                Donor::None
            }
        }
        1 => match exocyclic {
            Some(n) if electronegativity(mol.atom(n).element) > electronegativity(atom.element) => {
                Donor::Electrons(0)
            }
            Some(_) => Donor::Electrons(1),
            None if first_multiple.is_some() => Donor::Electrons(1),
            // Empty p orbital: tropylium and cyclopropenyl cations.
            None if charge == 1 => Donor::Electrons(0),
            None => Donor::None,
        },
        _ => {
            if first_multiple.is_none() {
                Donor::Electrons(2)
            } else {
                Donor::Electrons(1)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chem::{Atom, Bond};

    /// A ring of `elements` with bond orders `orders` (bond i joins atom i and i+1), hydrogens
    /// filled by the lowest default valence.
    fn ring(elements: &[(Element, i8)], orders: &[u8]) -> Molecule {
        let mut m = Molecule::new();
        let atoms: Vec<AtomIdx> = elements
            .iter()
            .map(|&(e, q)| {
                m.add_atom(Atom {
                    charge: q,
                    ..Atom::new(e)
                })
            })
            .collect();
        for (i, &o) in orders.iter().enumerate() {
            let (a, b) = (atoms[i], atoms[(i + 1) % atoms.len()]);
            m.add_bond(a, b, Bond::new(BondOrder::from_valence(o).unwrap()));
        }
        fill_hydrogens(&mut m);
        m
    }

    fn fill_hydrogens(m: &mut Molecule) {
        for a in m.atoms().collect::<Vec<_>>() {
            let sum = m.bond_order_sum(a) as i32;
            let atom = m.atom(a);
            let v = atom.element.default_valences()[0] as i32
                + atom.charge.abs() as i32 * if atom.element == Element::N { 1 } else { -1 };
            m.atom_mut(a).hydrogens = (v - sum).max(0) as u8;
        }
    }

    fn aromatic_atoms(m: &Molecule) -> usize {
        m.atoms().filter(|&a| m.atom(a).aromatic).count()
    }

    const C: (Element, i8) = (Element::C, 0);

    #[test]
    fn benzene_pyrrole_and_furan_are_aromatic() {
        let mut benzene = ring(&[C; 6], &[2, 1, 2, 1, 2, 1]);
        perceive(&mut benzene);
        assert_eq!(aromatic_atoms(&benzene), 6);
        assert!(benzene.bonds().all(|b| benzene.bond(b).aromatic));

        let mut pyrrole = ring(&[(Element::N, 0), C, C, C, C], &[1, 2, 1, 2, 1]);
        assert_eq!(pyrrole.atom(AtomIdx::new(0)).hydrogens, 1);
        perceive(&mut pyrrole);
        assert_eq!(aromatic_atoms(&pyrrole), 5);

        let mut furan = ring(&[(Element::O, 0), C, C, C, C], &[1, 2, 1, 2, 1]);
        perceive(&mut furan);
        assert_eq!(aromatic_atoms(&furan), 5);
    }

    #[test]
    fn cyclobutadiene_cyclohexadiene_and_cyclopentadiene_are_not() {
        for (n, orders) in [
            (4, vec![2, 1, 2, 1]),
            (6, vec![2, 1, 2, 1, 1, 1]),
            (5, vec![2, 1, 2, 1, 1]),
        ] {
            let mut m = ring(&vec![C; n], &orders);
            perceive(&mut m);
            assert_eq!(aromatic_atoms(&m), 0, "ring of {n} with {orders:?}");
        }
    }

    #[test]
    fn pyridone_is_aromatic_with_its_exocyclic_carbonyl() {
        // O=C1C=CC=CN1: the C=O carbon gives 0 electrons, [nH] gives 2: 6 in all (as RDKit).
        let mut m = ring(&[C, C, C, C, C, (Element::N, 0)], &[1, 2, 1, 2, 1, 1]);
        let o = m.add_atom(Atom::new(Element::O));
        m.add_bond(AtomIdx::new(0), o, Bond::new(BondOrder::Double));
        fill_hydrogens(&mut m);
        perceive(&mut m);
        assert_eq!(aromatic_atoms(&m), 6);
        assert!(!m.atom(o).aromatic);
    }

    #[test]
    fn tropylium_cation_is_aromatic_and_fulvene_is_not() {
        let mut trop = ring(&[(Element::C, 1), C, C, C, C, C, C], &[1, 2, 1, 2, 1, 2, 1]);
        perceive(&mut trop);
        assert_eq!(aromatic_atoms(&trop), 7);

        let mut fulvene = ring(&[C; 5], &[1, 2, 1, 2, 1]);
        let ch2 = fulvene.add_atom(Atom::new(Element::C));
        fulvene.add_bond(AtomIdx::new(0), ch2, Bond::new(BondOrder::Double));
        fill_hydrogens(&mut fulvene);
        perceive(&mut fulvene);
        assert_eq!(aromatic_atoms(&fulvene), 0);
    }

    #[test]
    fn azulene_is_aromatic_as_a_fused_system_but_not_its_fusion_bond() {
        // C1=CC2=CC=CC=CC2=C1 : neither the 5- nor the 7-ring is 4n+2 alone, together 10.
        let mut m = Molecule::new();
        let a: Vec<AtomIdx> = (0..10).map(|_| m.add_atom(Atom::new(Element::C))).collect();
        let bonds = [
            (0, 1, 2),
            (1, 2, 1),
            (2, 3, 2),
            (3, 4, 1),
            (4, 5, 2),
            (5, 6, 1),
            (6, 7, 2),
            (7, 8, 1),
            (8, 2, 1),
            (8, 9, 2),
            (9, 0, 1),
        ];
        for (x, y, o) in bonds {
            m.add_bond(a[x], a[y], Bond::new(BondOrder::from_valence(o).unwrap()));
        }
        fill_hydrogens(&mut m);
        perceive(&mut m);
        assert_eq!(aromatic_atoms(&m), 10);
        let fusion = m.bond_between(a[2], a[8]).unwrap();
        assert!(!m.bond(fusion).aromatic);
        assert_eq!(m.bonds().filter(|&b| m.bond(b).aromatic).count(), 10);
    }
}
