//! The molecule graph every other part of textchem works on, and `Adjacency`, its neighbour
//! lists as plain indices for code that walks the graph many times.
//!
//! Invariants (established by the SMILES reader and kept by every transformation):
//! - atoms are numbered in input order (for SMILES: order of appearance);
//! - bond orders are Kekulé orders; aromaticity is a flag on atoms and bonds, so the graph can be
//!   written either as aromatic or as Kekulé SMILES and drawn with alternating double bonds;
//! - `Atom::hydrogens` is the total count of hydrogens that are not graph nodes (implicit ones
//!   from the valence model, or the count written in a bracket atom).

use petgraph::graph::{EdgeIndex, NodeIndex, UnGraph};
use petgraph::visit::EdgeRef;

use super::element::Element;
use super::pool::Pooled;

pub type AtomIdx = NodeIndex<u32>;
pub type BondIdx = EdgeIndex<u32>;

/// Kekulé bond order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum BondOrder {
    #[default]
    Single = 1,
    Double = 2,
    Triple = 3,
    Quadruple = 4,
}

impl BondOrder {
    pub fn valence(self) -> u8 {
        self as u8
    }

    pub fn from_valence(v: u8) -> Option<BondOrder> {
        match v {
            1 => Some(BondOrder::Single),
            2 => Some(BondOrder::Double),
            3 => Some(BondOrder::Triple),
            4 => Some(BondOrder::Quadruple),
            _ => None,
        }
    }
}

/// One neighbour position around a stereocentre, in the order that defines its parity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StereoNeighbor {
    Atom(AtomIdx),
    /// The implicit hydrogen of a bracket atom such as `[C@H]`, or the lone pair of a
    /// three-coordinate centre such as `C[S@](=O)CC`.
    Implicit,
}

impl StereoNeighbor {
    /// The neighbour's atom index, or `None` for the implicit H / lone pair.
    pub fn atom(self) -> Option<AtomIdx> {
        match self {
            StereoNeighbor::Atom(a) => Some(a),
            StereoNeighbor::Implicit => None,
        }
    }
}

/// The OpenSMILES stereo classes. `@` / `@@` on a four- (or three-) coordinate atom are
/// tetrahedral; the others carry their permutation number (`@SP1`, `@TB12`, `@OH30`...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StereoClass {
    /// Looking from the first neighbour, the others are arranged anticlockwise (`@`) or
    /// clockwise (`@@`).
    Tetrahedral {
        clockwise: bool,
    },
    /// `@AL1` / `@AL2` (extended tetrahedral, allenes).
    Allenal(u8),
    SquarePlanar(u8),
    TrigonalBipyramidal(u8),
    Octahedral(u8),
}

/// Stereo configuration of an atom, relative to an explicit neighbour order.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AtomStereo {
    pub class: StereoClass,
    /// Neighbours in the order the parity refers to (for SMILES input: the order in which the
    /// bonds appear in the string, with the implicit H in the position of the bracket).
    pub neighbors: Vec<StereoNeighbor>,
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Atom {
    pub element: Element,
    pub isotope: Option<u16>,
    pub charge: i8,
    pub aromatic: bool,
    /// Hydrogens attached to this atom that are not graph nodes.
    pub hydrogens: u8,
    /// The atom was written in brackets, so `hydrogens` was given rather than derived.
    pub bracket: bool,
    pub atom_class: Option<u32>,
    pub stereo: Option<AtomStereo>,
    /// CXSMILES label and value; boxed because few atoms have them and atoms are copied often.
    pub notes: Option<Box<AtomNotes>>,
}

/// What a CXSMILES layer says of an atom beyond its chemistry.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct AtomNotes {
    /// Atom label (`$...$`, RDKit's `atomLabel`): free text, or on `*` an R-group (`_R1`), an
    /// attachment point (`_AP1`) or a query label (`A_p`, `Q_e`, `star_e`...). Never empty.
    pub label: Option<Box<str>>,
    /// Atom value (`$_AV:...$`, RDKit's `molFileValue`); never empty.
    pub value: Option<Box<str>>,
}

impl Atom {
    pub fn new(element: Element) -> Atom {
        Atom {
            element,
            ..Atom::default()
        }
    }

    pub fn label(&self) -> Option<&str> {
        self.notes.as_ref()?.label.as_deref()
    }

    pub fn value(&self) -> Option<&str> {
        self.notes.as_ref()?.value.as_deref()
    }

    pub fn set_label(&mut self, label: Option<Box<str>>) {
        self.notes.get_or_insert_default().label = label;
        self.drop_empty_notes();
    }

    pub fn set_value(&mut self, value: Option<Box<str>>) {
        self.notes.get_or_insert_default().value = value;
        self.drop_empty_notes();
    }

    fn drop_empty_notes(&mut self) {
        if self.notes.as_deref() == Some(&AtomNotes::default()) {
            self.notes = None;
        }
    }
}

/// Configuration of a double bond, given by one reference neighbour on each end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DoubleBondStereo {
    /// A neighbour of the bond's first endpoint (`Molecule::bond_atoms(b).0`).
    pub begin_ref: AtomIdx,
    /// A neighbour of the bond's second endpoint.
    pub end_ref: AtomIdx,
    /// The reference atoms are on the same side (Z with respect to them) or not (E).
    pub cis: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Bond {
    pub order: BondOrder,
    pub aromatic: bool,
    pub stereo: Option<DoubleBondStereo>,
    /// A dative (coordinate) bond, RDKit's `->`: single, donated by the bond's first endpoint
    /// (`Molecule::bond_atoms(b).0`) to the second. It adds nothing to the donor's valence and
    /// one to the acceptor's, and takes no part in rings' aromaticity.
    pub dative: bool,
}

impl Bond {
    pub fn new(order: BondOrder) -> Bond {
        Bond {
            order,
            ..Bond::default()
        }
    }

    /// A dative bond; its donor must be the first atom given to [`Molecule::add_bond`].
    pub fn dative() -> Bond {
        Bond {
            dative: true,
            ..Bond::default()
        }
    }
}

/// What an enhanced stereo group (RDKit's, CXSMILES `a:`, `o1:`, `&1:`) says of its centres'
/// marks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StereoGroupKind {
    /// The configuration is as written.
    Absolute,
    /// One of the two configurations (as written, or all inverted), unknown which.
    Or,
    /// A mixture of both configurations (a racemate for one group).
    And,
}

/// A set of stereocentres whose marks are read together ([`StereoGroupKind`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StereoGroup {
    pub kind: StereoGroupKind,
    /// Atoms with tetrahedral stereo, ascending.
    pub atoms: Vec<AtomIdx>,
}

impl StereoGroup {
    /// The groups of `groups` with each atom renumbered by `new` (`None`: the atom is gone),
    /// groups left empty dropped.
    pub fn renumbered(
        groups: &[StereoGroup],
        new: impl Fn(AtomIdx) -> Option<AtomIdx>,
    ) -> Vec<StereoGroup> {
        groups
            .iter()
            .map(|g| StereoGroup {
                kind: g.kind,
                atoms: g.atoms.iter().filter_map(|&a| new(a)).collect(),
            })
            .filter(|g| !g.atoms.is_empty())
            .collect()
    }
}

/// A molecule: one or more connected components (a salt such as `[Na+].[Cl-]` is one molecule
/// with two components).
#[derive(Clone, Debug, Default)]
pub struct Molecule {
    graph: UnGraph<Atom, Bond>,
    /// Enhanced stereo groups, from a CXSMILES layer; empty for plain SMILES.
    pub stereo_groups: Vec<StereoGroup>,
}

impl Molecule {
    pub fn new() -> Molecule {
        Molecule::default()
    }

    /// An empty molecule with room for `atoms` atoms and `bonds` bonds.
    pub fn with_capacity(atoms: usize, bonds: usize) -> Molecule {
        Molecule {
            graph: UnGraph::with_capacity(atoms, bonds),
            stereo_groups: Vec::new(),
        }
    }

    pub fn add_atom(&mut self, atom: Atom) -> AtomIdx {
        self.graph.add_node(atom)
    }

    pub fn add_bond(&mut self, a: AtomIdx, b: AtomIdx, bond: Bond) -> BondIdx {
        self.graph.add_edge(a, b, bond)
    }

    pub fn atom_count(&self) -> usize {
        self.graph.node_count()
    }

    pub fn bond_count(&self) -> usize {
        self.graph.edge_count()
    }

    pub fn atom(&self, i: AtomIdx) -> &Atom {
        &self.graph[i]
    }

    pub fn atom_mut(&mut self, i: AtomIdx) -> &mut Atom {
        &mut self.graph[i]
    }

    pub fn bond(&self, b: BondIdx) -> &Bond {
        &self.graph[b]
    }

    pub fn bond_mut(&mut self, b: BondIdx) -> &mut Bond {
        &mut self.graph[b]
    }

    /// The two atoms of a bond, in the order they were added.
    pub fn bond_atoms(&self, b: BondIdx) -> (AtomIdx, AtomIdx) {
        self.graph
            .edge_endpoints(b)
            .expect("bond index out of range")
    }

    pub fn atoms(&self) -> impl Iterator<Item = AtomIdx> + '_ {
        self.graph.node_indices()
    }

    pub fn bonds(&self) -> impl Iterator<Item = BondIdx> + '_ {
        self.graph.edge_indices()
    }

    /// Every atom in index order (as [`Molecule::atoms`] gives their indices).
    pub fn atom_values(&self) -> impl Iterator<Item = &Atom> + '_ {
        self.graph.node_weights()
    }

    pub fn atom_values_mut(&mut self) -> impl Iterator<Item = &mut Atom> + '_ {
        self.graph.node_weights_mut()
    }

    /// Every bond in index order (as [`Molecule::bonds`] gives their indices).
    pub fn bond_values(&self) -> impl Iterator<Item = &Bond> + '_ {
        self.graph.edge_weights()
    }

    pub fn bond_values_mut(&mut self) -> impl Iterator<Item = &mut Bond> + '_ {
        self.graph.edge_weights_mut()
    }

    /// Every bond with its two atoms (in the order they were added), in bond index order.
    pub fn bonds_with_atoms(&self) -> impl Iterator<Item = (AtomIdx, AtomIdx, &Bond)> + '_ {
        self.graph
            .raw_edges()
            .iter()
            .map(|e| (e.source(), e.target(), &e.weight))
    }

    /// The bonds at an atom, each with the atom at its other end, in no particular order and
    /// without allocating ([`Molecule::neighbors`] gives input order).
    pub fn bonds_at(&self, i: AtomIdx) -> impl Iterator<Item = (AtomIdx, &Bond)> + '_ {
        self.graph.edges(i).map(move |e| {
            let other = if e.source() == i {
                e.target()
            } else {
                e.source()
            };
            (other, e.weight())
        })
    }

    /// Neighbours of an atom with the connecting bond, in the order the bonds were added.
    pub fn neighbors(&self, i: AtomIdx) -> Vec<(AtomIdx, BondIdx)> {
        // petgraph iterates the newest edge first; input order is what stereo and output expect.
        let mut n: Vec<(AtomIdx, BondIdx)> = self
            .graph
            .edges(i)
            .map(|e| {
                (
                    if e.source() == i {
                        e.target()
                    } else {
                        e.source()
                    },
                    e.id(),
                )
            })
            .collect();
        n.sort_by_key(|(_, b)| *b);
        n
    }

    pub fn degree(&self, i: AtomIdx) -> usize {
        self.graph.edges(i).count()
    }

    pub fn bond_between(&self, a: AtomIdx, b: AtomIdx) -> Option<BondIdx> {
        self.graph.find_edge(a, b)
    }

    /// Sum of the Kekulé bond orders at an atom (explicit valence, without hydrogens), a dative
    /// bond counting for its acceptor only; saturates at 255 (SMILES can give an atom hundreds
    /// of bonds).
    pub fn bond_order_sum(&self, i: AtomIdx) -> u8 {
        // An undirected graph reports every edge from `i`, so the donor end of a dative bond
        // is read from the bond's stored endpoints.
        self.graph.edges(i).fold(0u8, |sum, e| {
            sum.saturating_add(self.valence_contribution(e.id(), i))
        })
    }

    /// [`Molecule::bond_order_sum`] without saturation.
    pub fn bond_valence_sum(&self, i: AtomIdx) -> u16 {
        self.graph
            .edges(i)
            .map(|e| u16::from(self.valence_contribution(e.id(), i)))
            .sum()
    }

    /// What bond `b` adds to the valence of its atom `a`: its order, or for a dative bond 0 at
    /// the donor and 1 at the acceptor (RDKit's rule).
    pub fn valence_contribution(&self, b: BondIdx, a: AtomIdx) -> u8 {
        let bond = &self.graph[b];
        if bond.dative && self.bond_atoms(b).0 == a {
            0
        } else {
            bond.order.valence()
        }
    }

    /// Swaps the two endpoints of bond `b` (so that a dative bond's donor comes first), keeping
    /// every bond index.
    pub fn reverse_bond(&mut self, b: BondIdx) {
        let (x, y) = self.bond_atoms(b);
        let mut rebuilt = UnGraph::with_capacity(self.graph.node_count(), self.graph.edge_count());
        for atom in self.graph.node_weights() {
            rebuilt.add_node(atom.clone());
        }
        for (i, e) in self.graph.raw_edges().iter().enumerate() {
            let (s, t) = if i == b.index() {
                (y, x)
            } else {
                (e.source(), e.target())
            };
            rebuilt.add_edge(s, t, e.weight.clone());
        }
        self.graph = rebuilt;
    }

    /// The donor of a dative bond, `None` for other bonds.
    pub fn dative_donor(&self, b: BondIdx) -> Option<AtomIdx> {
        self.graph[b].dative.then(|| self.bond_atoms(b).0)
    }

    /// Adds `other`'s atoms, bonds and stereo groups after this molecule's, as one more
    /// component: its atom `i` becomes atom `self.atom_count() + i` (bonds likewise).
    pub fn append(&mut self, other: &Molecule) {
        let offset = self.atom_count();
        let shift = |a: AtomIdx| AtomIdx::new(a.index() + offset);
        for atom in other.atom_values() {
            let mut atom = atom.clone();
            if let Some(st) = atom.stereo.as_mut() {
                for n in &mut st.neighbors {
                    if let StereoNeighbor::Atom(x) = n {
                        *x = shift(*x);
                    }
                }
            }
            self.add_atom(atom);
        }
        for (x, y, bond) in other.bonds_with_atoms() {
            let mut bond = bond.clone();
            if let Some(s) = bond.stereo.as_mut() {
                s.begin_ref = shift(s.begin_ref);
                s.end_ref = shift(s.end_ref);
            }
            self.add_bond(shift(x), shift(y), bond);
        }
        self.stereo_groups
            .extend(other.stereo_groups.iter().map(|g| StereoGroup {
                kind: g.kind,
                atoms: g.atoms.iter().map(|&a| shift(a)).collect(),
            }));
    }

    /// The atoms `atoms` (a range that no bond leaves) with their bonds, stereo and stereo
    /// groups, renumbered from 0: the inverse of [`Molecule::append`].
    pub fn extract(&self, atoms: std::ops::Range<usize>) -> Molecule {
        let inside = |a: AtomIdx| atoms.contains(&a.index());
        let shift = |a: AtomIdx| AtomIdx::new(a.index() - atoms.start);
        let mut out = Molecule::new();
        for i in atoms.clone() {
            let mut atom = self.atom(AtomIdx::new(i)).clone();
            if let Some(st) = atom.stereo.as_mut() {
                for n in &mut st.neighbors {
                    if let StereoNeighbor::Atom(x) = n {
                        *x = shift(*x);
                    }
                }
            }
            out.add_atom(atom);
        }
        for (x, y, bond) in self.bonds_with_atoms() {
            if !inside(x) {
                continue;
            }
            assert!(inside(y), "a bond leaves the extracted atoms");
            let mut bond = bond.clone();
            if let Some(s) = bond.stereo.as_mut() {
                s.begin_ref = shift(s.begin_ref);
                s.end_ref = shift(s.end_ref);
            }
            out.add_bond(shift(x), shift(y), bond);
        }
        out.stereo_groups =
            StereoGroup::renumbered(&self.stereo_groups, |a| inside(a).then(|| shift(a)));
        out
    }

    /// Connected components, each as atom indices in ascending order; components are ordered by
    /// their first atom.
    pub fn components(&self) -> Vec<Vec<AtomIdx>> {
        let mut seen = vec![false; self.atom_count()];
        let mut out = Vec::new();
        for start in self.atoms() {
            if seen[start.index()] {
                continue;
            }
            seen[start.index()] = true;
            let mut comp = vec![start];
            let mut stack = vec![start];
            while let Some(a) = stack.pop() {
                for n in self.graph.neighbors(a) {
                    if !seen[n.index()] {
                        seen[n.index()] = true;
                        comp.push(n);
                        stack.push(n);
                    }
                }
            }
            comp.sort();
            out.push(comp);
        }
        out
    }
}

/// A molecule's neighbour lists: each atom's `(neighbour, bond)` pairs as plain indices, in bond
/// (input) order, in one flat array (one allocation instead of one per atom: perception and
/// writing are allocation-bound on small molecules). Code that walks the graph many times builds
/// this once instead of going through [`Molecule::neighbors`].
#[derive(Clone, Debug)]
pub(crate) struct Adjacency {
    start: Pooled<usize>,
    entries: Pooled<(usize, usize)>,
    /// Dative bonds in ascending order (nearly always none): ring perception leaves them out,
    /// as RDKit's does.
    dative: Vec<usize>,
}

impl Adjacency {
    pub fn new(mol: &Molecule) -> Adjacency {
        let n = mol.atom_count();
        let mut start = Pooled::filled(n + 1, 0usize);
        for b in mol.bonds() {
            let (x, y) = mol.bond_atoms(b);
            start[x.index() + 1] += 1;
            start[y.index() + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut entries = Pooled::filled(start[n], (0, 0));
        let mut dative = Vec::new();
        for (b, (x, y, bond)) in mol.bonds_with_atoms().enumerate() {
            let (x, y) = (x.index(), y.index());
            entries[fill[x]] = (y, b);
            fill[x] += 1;
            entries[fill[y]] = (x, b);
            fill[y] += 1;
            if bond.dative {
                dative.push(b);
            }
        }
        Adjacency {
            start,
            entries,
            dative,
        }
    }

    /// Whether bond `b` is dative (and so in no ring).
    pub fn is_dative(&self, b: usize) -> bool {
        !self.dative.is_empty() && self.dative.binary_search(&b).is_ok()
    }

    /// The dative bonds, ascending (nearly always none).
    pub fn dative_bonds(&self) -> &[usize] {
        &self.dative
    }

    pub fn len(&self) -> usize {
        self.start.len() - 1
    }

    pub fn iter(&self) -> impl Iterator<Item = &[(usize, usize)]> {
        (0..self.len()).map(|a| &self[a])
    }

    /// Each atom's neighbours ordered by `key` of the neighbour atom.
    pub fn sort_neighbours_by_key<K: Ord>(&mut self, key: impl Fn(usize) -> K) {
        for a in 0..self.len() {
            let list = &mut self.entries[self.start[a]..self.start[a + 1]];
            if list.len() <= 8 {
                // Short lists (nearly all): an insertion sort without a call into `sort`.
                for i in 1..list.len() {
                    let mut j = i;
                    while j > 0 && key(list[j - 1].0) > key(list[j].0) {
                        list.swap(j - 1, j);
                        j -= 1;
                    }
                }
            } else {
                list.sort_by_key(|&(n, _)| key(n));
            }
        }
    }
}

impl std::ops::Index<usize> for Adjacency {
    type Output = [(usize, usize)];

    fn index(&self, a: usize) -> &[(usize, usize)] {
        &self.entries[self.start[a]..self.start[a + 1]]
    }
}

/// A reaction `reactants>agents>products`. Each entry is one species: the `.`-separated parts of
/// reaction SMILES, where fragments joined by `~` (one ionic species, e.g. `[Na+]~[OH-]`) form
/// one multi-component molecule.
#[derive(Clone, Debug, Default)]
pub struct Reaction {
    pub reactants: Vec<Molecule>,
    pub agents: Vec<Molecule>,
    pub products: Vec<Molecule>,
}

impl Reaction {
    /// Every species in reaction order: reactants, agents, products.
    pub fn species(&self) -> impl Iterator<Item = &Molecule> + '_ {
        self.reactants
            .iter()
            .chain(&self.agents)
            .chain(&self.products)
    }

    pub fn species_mut(&mut self) -> impl Iterator<Item = &mut Molecule> + '_ {
        self.reactants
            .iter_mut()
            .chain(&mut self.agents)
            .chain(&mut self.products)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dative_bond_counts_one_at_the_acceptor_and_nothing_at_the_donor() {
        let m = crate::chem::smiles::parse_molecule("[NH3]->[Pt](Cl)Cl").unwrap();
        let (n, pt) = (AtomIdx::new(0), AtomIdx::new(1));
        assert_eq!((m.bond_valence_sum(n), m.bond_valence_sum(pt)), (0, 3));
        assert_eq!((m.bond_order_sum(n), m.bond_order_sum(pt)), (0, 3));
    }

    #[test]
    fn atoms_stay_small_and_notes_vanish_when_cleared() {
        // Atoms are copied in every ranking pass; labels are rare and stay behind a pointer.
        assert!(
            std::mem::size_of::<Atom>() <= 64,
            "{}",
            std::mem::size_of::<Atom>()
        );
        let mut a = Atom::new(Element::WILDCARD);
        a.set_label(Some("_R1".into()));
        a.set_value(Some("7".into()));
        assert_eq!((a.label(), a.value()), (Some("_R1"), Some("7")));
        a.set_label(None);
        a.set_value(None);
        assert_eq!(a.notes, None);
    }

    #[test]
    fn neighbors_come_in_insertion_order_and_components_split() {
        let mut m = Molecule::new();
        let c = m.add_atom(Atom::new(Element::C));
        let o = m.add_atom(Atom::new(Element::O));
        let n = m.add_atom(Atom::new(Element::N));
        let na = m.add_atom(Atom::new(Element::from_symbol("Na").unwrap()));
        m.add_bond(c, o, Bond::new(BondOrder::Double));
        m.add_bond(c, n, Bond::new(BondOrder::Single));
        let order: Vec<AtomIdx> = m.neighbors(c).iter().map(|(a, _)| *a).collect();
        assert_eq!(order, vec![o, n]);
        assert_eq!(m.bond_order_sum(c), 3);
        assert_eq!(m.components(), vec![vec![c, o, n], vec![na]]);
    }
}
