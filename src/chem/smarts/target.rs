//! A molecule prepared for matching: the per-atom and per-bond facts SMARTS primitives ask
//! about, computed once so that many patterns can be matched against it.
//!
//! The facts follow RDKit on a molecule read by `MolFromSmiles`: aromaticity as RDKit perceives
//! it (not as written); the hydrogen atoms RDKit's reader removes (those `chem::hydrogens` folds)
//! counted on their neighbour and invisible to the search; ring facts (`R`, `r`, `x`) from the
//! relevant cycles. RDKit's sanitization keeps a symmetrized SSSR, which adds to one SSSR the
//! rings of equal size that another atom order would have chosen (the third ring of
//! bicyclo[2.2.2]octane); the relevant cycles are that set on these molecules (docs/smarts.md).

use crate::chem::aromaticity;
use crate::chem::hydrogens::foldable_hydrogens;
use crate::chem::rings::RingInfo;
use crate::chem::{AtomIdx, BondOrder, Element, Molecule};

#[derive(Clone, Debug, Default)]
pub(crate) struct AtomFacts {
    pub atomic_number: u8,
    pub aromatic: bool,
    pub isotope: Option<u16>,
    pub charge: i8,
    /// Hydrogens that are not graph atoms (after folding plain graph hydrogens).
    pub implicit_h: u32,
    /// All hydrogens, graph atoms included.
    pub total_h: u32,
    /// Graph neighbours the search sees.
    pub degree: u32,
    pub total_degree: u32,
    pub valence: u32,
    /// Rings of the ring set through the atom.
    pub ring_count: u32,
    /// Size of the smallest ring through the atom; 0 outside rings.
    pub smallest_ring: u32,
    pub ring_bonds: u32,
    /// Visible neighbours that are neither carbon nor hydrogen, and those of them not aromatic.
    pub hetero_neighbours: u32,
    pub aliphatic_hetero_neighbours: u32,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct BondFacts {
    pub order: BondOrder,
    pub aromatic: bool,
    pub in_ring: bool,
}

/// A molecule prepared once for matching any number of SMARTS patterns.
#[derive(Clone, Debug, Default)]
pub struct PreparedMolecule {
    pub(crate) atoms: Vec<AtomFacts>,
    pub(crate) bonds: Vec<BondFacts>,
    /// Whether the search may map a query atom onto each atom (not a folded hydrogen).
    pub(crate) visible: Vec<bool>,
    /// Visible neighbours of each atom with the connecting bond.
    pub(crate) neighbours: Vec<Vec<(usize, usize)>>,
    /// Rings of the ring set, each as its bond indices.
    pub(crate) ring_bond_sets: Vec<Vec<usize>>,
    /// Connected components among the visible atoms.
    pub(crate) fragments: usize,
    /// Visible atoms of each atomic number, to skip patterns that need an element the molecule
    /// lacks (or more of it than it has) without searching.
    pub(crate) element_counts: Vec<u32>,
}

impl PreparedMolecule {
    pub fn new(mol: &Molecule) -> PreparedMolecule {
        let mut perceived = mol.clone();
        aromaticity::perceive(&mut perceived);
        let mol = &perceived;
        let n = mol.atom_count();
        let visible: Vec<bool> = match foldable_hydrogens(mol) {
            Some(fold) => fold.iter().map(|f| !f).collect(),
            None => vec![true; n],
        };
        let rings = RingInfo::new(mol);
        let ring_bond_sets: Vec<Vec<usize>> = (0..rings.relevant_cycles().len())
            .map(|r| {
                rings
                    .relevant_cycle_bonds(r)
                    .iter()
                    .map(|b| b.index())
                    .collect()
            })
            .collect();
        let mut ring_count = vec![0u32; n];
        let mut smallest_ring = vec![0u32; n];
        for ring in rings.relevant_cycles() {
            let size = ring.len() as u32;
            for a in ring {
                ring_count[a.index()] += 1;
                let s = &mut smallest_ring[a.index()];
                if *s == 0 || size < *s {
                    *s = size;
                }
            }
        }
        let bonds: Vec<BondFacts> = mol
            .bonds()
            .map(|b| {
                let bond = mol.bond(b);
                BondFacts {
                    order: bond.order,
                    aromatic: bond.aromatic,
                    in_ring: rings.is_ring_bond(b),
                }
            })
            .collect();
        let mut neighbours = vec![Vec::new(); n];
        for (b, (x, y, _)) in mol.bonds_with_atoms().enumerate() {
            let (x, y) = (x.index(), y.index());
            if visible[x] && visible[y] {
                neighbours[x].push((y, b));
                neighbours[y].push((x, b));
            }
        }
        for list in &mut neighbours {
            list.sort_by_key(|&(_, b)| b);
        }
        let atoms: Vec<AtomFacts> = mol
            .atoms()
            .map(|a| {
                let atom = mol.atom(a);
                let i = a.index();
                let mut graph_h = 0;
                let mut folded_h = 0;
                let mut bond_orders = 0u32;
                let mut ring_bonds = 0;
                for (other, b) in mol.neighbors(a) {
                    bond_orders += u32::from(mol.bond(b).order.valence());
                    if bonds[b.index()].in_ring {
                        ring_bonds += 1;
                    }
                    if mol.atom(other).element == Element::H {
                        graph_h += 1;
                        if !visible[other.index()] {
                            folded_h += 1;
                        }
                    }
                }
                let implicit_h = u32::from(atom.hydrogens) + folded_h;
                let mut hetero_neighbours = 0;
                let mut aliphatic_hetero_neighbours = 0;
                for &(other, _) in &neighbours[i] {
                    let o = mol.atom(AtomIdx::new(other));
                    if o.element != Element::C && o.element != Element::H {
                        hetero_neighbours += 1;
                        if !o.aromatic {
                            aliphatic_hetero_neighbours += 1;
                        }
                    }
                }
                let degree = neighbours[i].len() as u32;
                AtomFacts {
                    atomic_number: atom.element.atomic_number(),
                    aromatic: atom.aromatic,
                    isotope: atom.isotope,
                    charge: atom.charge,
                    implicit_h,
                    total_h: u32::from(atom.hydrogens) + graph_h,
                    degree,
                    total_degree: degree + implicit_h,
                    valence: bond_orders + u32::from(atom.hydrogens),
                    ring_count: ring_count[i],
                    smallest_ring: smallest_ring[i],
                    ring_bonds,
                    hetero_neighbours,
                    aliphatic_hetero_neighbours,
                }
            })
            .collect();
        let fragments = count_fragments(&visible, &neighbours);
        let mut element_counts = vec![0; 256];
        for (facts, _) in atoms.iter().zip(&visible).filter(|(_, v)| **v) {
            element_counts[usize::from(facts.atomic_number)] += 1;
        }
        PreparedMolecule {
            atoms,
            bonds,
            visible,
            neighbours,
            ring_bond_sets,
            fragments,
            element_counts,
        }
    }

    pub fn atom_count(&self) -> usize {
        self.atoms.len()
    }

    /// Rings of the ring set whose bonds are all aromatic.
    pub fn aromatic_ring_count(&self) -> usize {
        self.ring_bond_sets
            .iter()
            .filter(|r| r.iter().all(|&b| self.bonds[b].aromatic))
            .count()
    }

    /// Connected components (a folded hydrogen is part of its neighbour's).
    pub fn fragment_count(&self) -> usize {
        self.fragments
    }

    /// Whether any atom carries a mass number.
    pub fn has_isotope(&self) -> bool {
        self.atoms.iter().any(|a| a.isotope.is_some())
    }
}

fn count_fragments(visible: &[bool], neighbours: &[Vec<(usize, usize)>]) -> usize {
    let mut seen = vec![false; visible.len()];
    let mut count = 0;
    for start in 0..visible.len() {
        if seen[start] || !visible[start] {
            continue;
        }
        count += 1;
        seen[start] = true;
        let mut stack = vec![start];
        while let Some(a) = stack.pop() {
            for &(b, _) in &neighbours[a] {
                if !seen[b] {
                    seen[b] = true;
                    stack.push(b);
                }
            }
        }
    }
    count
}
