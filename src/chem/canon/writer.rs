//! SMILES writer: a depth-first walk that follows a given atom ranking (canonical ranks for
//! canonical SMILES, input order otherwise), with ring-closure digits, branches, bracket atoms
//! only where needed, tetrahedral parity re-expressed for the written neighbour order, and `/` `\`
//! bond directions chosen for each stereo double bond.

use super::directions::{self, Direction};
use super::stereo::{Slot, StereoSet, odd_permutation};
use crate::chem::aromaticity::Flags;
use crate::chem::element::Element;
use crate::chem::mol::{Adjacency, BondOrder, Molecule};
use crate::chem::pool::{Pooled, poolable};
use std::fmt::Write;

/// How to spell the molecule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WriteOptions {
    /// Walk in canonical order (the same string for every atom order of the same molecule);
    /// otherwise in input order, starting each component at its first atom.
    pub canonical: bool,
    /// Lowercase aromatic atoms with implicit aromatic bonds; otherwise Kekulé bond orders.
    pub aromatic: bool,
}

impl Default for WriteOptions {
    fn default() -> WriteOptions {
        WriteOptions {
            canonical: true,
            aromatic: true,
        }
    }
}

/// The depth-first walk: which bonds are tree bonds and which are ring closures, in what order.
pub(crate) struct Walk {
    /// Atoms in the order they are written, with a component break before each start atom.
    preorder: Pooled<usize>,
    pub position: Pooled<usize>,
    starts: Pooled<bool>,
    pub parent_bond: Pooled<Option<usize>>,
    parent: Pooled<Option<usize>>,
    /// Neighbours by ascending rank: the order branches are taken in.
    sorted: Adjacency,
    /// Ring-closure bonds of atom `a` are `ring_bonds[ring_start[a]..ring_start[a + 1]]`, in
    /// the order their digits are written: (partner, bond).
    ring_start: Pooled<usize>,
    ring_bonds: Pooled<(usize, usize)>,
}

impl Walk {
    fn new(adj: &Adjacency, ranks: &[u32]) -> Walk {
        let n = adj.len();
        let mut sorted = adj.clone();
        sorted.sort_neighbours_by_key(|a| ranks[a]);
        let mut walk = Walk {
            preorder: Pooled::with_capacity(n),
            position: Pooled::filled(n, usize::MAX),
            starts: Pooled::filled(n, false),
            parent_bond: Pooled::filled(n, None),
            parent: Pooled::filled(n, None),
            sorted,
            ring_start: Pooled::new(),
            ring_bonds: Pooled::new(),
        };
        // Ranks are distinct (0..n), so the rank order is the inverse permutation.
        let mut by_rank: Pooled<usize> = Pooled::filled(n, 0);
        for (a, &r) in ranks.iter().enumerate() {
            by_rank[r as usize] = a;
        }
        let mut closures: Pooled<(usize, usize, usize)> = Pooled::with_capacity(8);
        let mut stack: Pooled<(usize, usize)> = Pooled::with_capacity(n);
        for &start in &by_rank {
            if walk.position[start] != usize::MAX {
                continue;
            }
            walk.starts[start] = true;
            walk.visit(start);
            stack.push((start, 0));
            while let Some((a, next)) = stack.last_mut() {
                let a = *a;
                let Some(&(w, b)) = walk.sorted[a].get(*next) else {
                    stack.pop();
                    continue;
                };
                *next += 1;
                if Some(b) == walk.parent_bond[a] {
                    continue;
                }
                if walk.position[w] == usize::MAX {
                    walk.parent_bond[w] = Some(b);
                    walk.parent[w] = Some(a);
                    walk.visit(w);
                    stack.push((w, 0));
                } else if walk.position[w] < walk.position[a] {
                    // `w` is an ancestor still on the stack: it opens the ring, `a` closes it.
                    // (The same bond seen later from `w` finds `a` written after it: skipped.)
                    closures.push((w, a, b));
                }
            }
        }
        walk.index_ring_bonds(&closures);
        walk
    }

    /// Digits at an atom: closings first (in the order their rings were opened), then openings
    /// (in the order their partners are written).
    fn index_ring_bonds(&mut self, closures: &[(usize, usize, usize)]) {
        let n = self.position.len();
        let pos = &self.position;
        // (atom, closing first, partner's position, partner, bond)
        let mut entries: Pooled<(usize, bool, usize, usize, usize)> =
            Pooled::with_capacity(2 * closures.len());
        for &(o, c, b) in closures {
            entries.push((c, false, pos[o], o, b));
            entries.push((o, true, pos[c], c, b));
        }
        entries.sort_unstable_by_key(|&(a, opening, p, _, _)| (a, opening, p));
        self.ring_start = Pooled::filled(n + 1, 0);
        for &(a, ..) in &entries {
            self.ring_start[a + 1] += 1;
        }
        for i in 0..n {
            self.ring_start[i + 1] += self.ring_start[i];
        }
        self.ring_bonds = entries.iter().map(|&(_, _, _, p, b)| (p, b)).collect();
    }

    fn ring_bonds_of(&self, a: usize) -> &[(usize, usize)] {
        &self.ring_bonds[self.ring_start[a]..self.ring_start[a + 1]]
    }

    /// Tree children of `a` in the order they are written.
    fn children(&self, a: usize) -> impl DoubleEndedIterator<Item = (usize, usize)> + '_ {
        self.sorted[a]
            .iter()
            .copied()
            .filter(move |&(w, b)| self.parent_bond[w] == Some(b) && self.parent[w] == Some(a))
    }

    fn visit(&mut self, a: usize) {
        self.position[a] = self.preorder.len();
        self.preorder.push(a);
    }

    /// Neighbours of `a` in the order the SMILES string presents them, with the implicit H /
    /// lone pair (when the centre has one) right after the preceding atom.
    fn written_slots(&self, a: usize, has_implicit: bool) -> Pooled<Slot> {
        let mut slots = Pooled::with_capacity(4);
        if let Some(p) = self.parent[a] {
            slots.push(Some(p));
        }
        if has_implicit {
            slots.push(None);
        }
        slots.extend(self.ring_bonds_of(a).iter().map(|&(p, _)| Some(p)));
        slots.extend(self.children(a).map(|(c, _)| Some(c)));
        slots
    }

    /// Whether `a` is written before `b`'s bond symbol is read from it (tree parent or ring opener).
    pub fn writes_bond_from(&self, a: usize, b: usize) -> bool {
        self.position[a] < self.position[b]
    }
}

/// Where each atom went in a written string, for layers that refer to atoms by their output
/// position.
#[derive(Clone, Debug, Default)]
pub(crate) struct Written {
    /// Output position (0-based, in writing order) of each atom.
    pub position: Vec<usize>,
    /// Whether each atom was written with a tetrahedral or other chirality mark.
    pub marked: Vec<bool>,
}

/// Writes `mol` following `ranks` (lower rank first).
pub(crate) fn write(
    mol: &Molecule,
    adj: &Adjacency,
    ranks: &[u32],
    stereo: &StereoSet,
    flags: &Flags,
    aromatic: bool,
) -> String {
    write_recorded(mol, adj, ranks, stereo, flags, aromatic, None)
}

/// [`write`], recording where each atom went when `record` is given.
pub(crate) fn write_recorded(
    mol: &Molecule,
    adj: &Adjacency,
    ranks: &[u32],
    stereo: &StereoSet,
    flags: &Flags,
    aromatic: bool,
    record: Option<&mut Written>,
) -> String {
    let walk = Walk::new(adj, ranks);
    let chirality = chirality_marks(&walk, stereo);
    let directions = directions::bond_directions(mol, adj, &walk, stereo, flags);
    let mut out = String::with_capacity(mol.atom_count() * 4);
    let mut digit_of_bond = Pooled::filled(mol.bond_count(), 0u32);
    let mut digits_in_use: Pooled<bool> = Pooled::with_capacity(8);
    let mut stack: Pooled<Step> = Pooled::with_capacity(mol.atom_count() + 8);
    for &start in walk.preorder.iter().filter(|&&a| walk.starts[a]) {
        if !out.is_empty() {
            out.push('.');
        }
        stack.push(Step::Atom(start));
        while let Some(step) = stack.pop() {
            let a = match step {
                Step::Open => {
                    out.push('(');
                    continue;
                }
                Step::Close => {
                    out.push(')');
                    continue;
                }
                Step::Atom(a) => a,
            };
            if let Some(b) = walk.parent_bond[a] {
                let from = walk.parent[a].expect("a tree bond has a parent");
                write_bond(&mut out, mol, flags, b, directions[b], from, a, aromatic);
            }
            write_atom(&mut out, mol, adj, flags, a, chirality[a], aromatic);
            let mut freed = Vec::new();
            for &(partner, b) in walk.ring_bonds_of(a) {
                if walk.writes_bond_from(a, partner) {
                    let d = digits_in_use.iter().position(|u| !u).unwrap_or_else(|| {
                        digits_in_use.push(false);
                        digits_in_use.len() - 1
                    });
                    digits_in_use[d] = true;
                    digit_of_bond[b] = d as u32 + 1;
                    write_bond(&mut out, mol, flags, b, directions[b], a, partner, aromatic);
                    write_digit(&mut out, d as u32 + 1);
                } else {
                    write_digit(&mut out, digit_of_bond[b]);
                    freed.push(digit_of_bond[b] as usize - 1);
                }
            }
            // Digits closed here are reused only by later atoms, never reopened on this one.
            for d in freed {
                digits_in_use[d] = false;
            }
            let last = walk.children(a).next_back().map(|(c, _)| c);
            for (c, _) in walk.children(a).rev() {
                if Some(c) == last {
                    stack.push(Step::Atom(c));
                } else {
                    stack.push(Step::Close);
                    stack.push(Step::Atom(c));
                    stack.push(Step::Open);
                }
            }
        }
    }
    if let Some(record) = record {
        record.position = walk.position.to_vec();
        record.marked = chirality.iter().map(Option::is_some).collect();
    }
    out
}

enum Step {
    Atom(usize),
    Open,
    Close,
}

poolable!(Step);

fn write_digit(out: &mut String, d: u32) {
    if d < 10 {
        out.push(char::from(b'0' + d as u8));
    } else {
        let _ = write!(out, "%{d}");
    }
}

#[allow(clippy::too_many_arguments)]
fn write_bond(
    out: &mut String,
    mol: &Molecule,
    flags: &Flags,
    b: usize,
    direction: Direction,
    from: usize,
    to: usize,
    aromatic: bool,
) {
    let bond = mol.bond(crate::chem::BondIdx::new(b));
    if let Some(donor) = mol.dative_donor(crate::chem::BondIdx::new(b)) {
        out.push_str(if donor.index() == from { "->" } else { "<-" });
        return;
    }
    if aromatic && flags.bonds[b] {
        // Aromatic bonds are implicit, unless one carries a double bond's stereo mark.
        if let Some(up) = direction {
            out.push(if up { '/' } else { '\\' });
        }
        return;
    }
    match bond.order {
        BondOrder::Single => {
            if let Some(up) = direction {
                out.push(if up { '/' } else { '\\' });
            } else if aromatic && flags.atoms[from] && flags.atoms[to] {
                // Between aromatic atoms a bare bond would read as aromatic.
                out.push('-');
            }
        }
        BondOrder::Double => out.push('='),
        BondOrder::Triple => out.push('#'),
        BondOrder::Quadruple => out.push('$'),
    }
}

/// `@@` (Some(true)) or `@` (Some(false)) per atom, for the neighbour order of the walk.
fn chirality_marks(walk: &Walk, stereo: &StereoSet) -> Pooled<Option<bool>> {
    let mut marks = Pooled::filled(walk.position.len(), None);
    for c in &stereo.centres {
        let has_implicit = c.slots.contains(&None);
        let written = walk.written_slots(c.atom, has_implicit);
        marks[c.atom] = Some(c.clockwise ^ odd_permutation(&c.slots, &written));
    }
    marks
}

/// Hydrogens a reader infers for an unbracketed organic-subset atom with this bond-order sum.
fn implied_hydrogens(element: Element, bond_order_sum: u8) -> Option<u8> {
    let v = element
        .default_valences()
        .iter()
        .find(|&&v| v >= bond_order_sum)?;
    Some(v - bond_order_sum)
}

fn write_atom(
    out: &mut String,
    mol: &Molecule,
    adj: &Adjacency,
    flags: &Flags,
    a: usize,
    chirality: Option<bool>,
    aromatic: bool,
) {
    let atom_idx = crate::chem::AtomIdx::new(a);
    let atom = mol.atom(atom_idx);
    let lower = aromatic && flags.atoms[a] && can_be_aromatic(atom.element);
    let order_sum = adj[a].iter().fold(0u8, |sum, &(_, b)| {
        sum.saturating_add(mol.valence_contribution(crate::chem::BondIdx::new(b), atom_idx))
    });
    // None: no default valence fits, so a reader would reject the bare atom.
    let implied = if atom.element.is_organic_subset() {
        implied_hydrogens(atom.element, order_sum)
    } else {
        Some(0)
    };
    // A reader gives an unbracketed aromatic n/p/b no hydrogen ([nH] must be spelled out).
    let hidden_h = lower && atom.element != Element::C && atom.hydrogens > 0;
    let bare = atom.element.is_organic_subset() || atom.element == Element::WILDCARD;
    let bracket = !bare
        || atom.charge != 0
        || atom.isotope.is_some()
        || atom.atom_class.is_some()
        || chirality.is_some()
        || hidden_h
        || (atom.element == Element::WILDCARD && atom.hydrogens > 0)
        || (atom.element != Element::WILDCARD && Some(atom.hydrogens) != implied);
    let symbol = atom.element.symbol();
    if !bracket {
        push_symbol(out, symbol, lower);
        return;
    }
    out.push('[');
    if let Some(iso) = atom.isotope {
        let _ = write!(out, "{iso}");
    }
    push_symbol(out, symbol, lower);
    match chirality {
        Some(true) => out.push_str("@@"),
        Some(false) => out.push('@'),
        None => {}
    }
    match atom.hydrogens {
        0 => {}
        1 => out.push('H'),
        h => {
            let _ = write!(out, "H{h}");
        }
    }
    match atom.charge {
        0 => {}
        1 => out.push('+'),
        -1 => out.push('-'),
        q if q > 0 => {
            let _ = write!(out, "+{q}");
        }
        q => {
            let _ = write!(out, "-{}", -i16::from(q));
        }
    }
    if let Some(class) = atom.atom_class {
        let _ = write!(out, ":{class}");
    }
    out.push(']');
}

/// Elements OpenSMILES lets one write in lowercase.
fn can_be_aromatic(e: Element) -> bool {
    matches!(e.atomic_number(), 5 | 6 | 7 | 8 | 15 | 16 | 33 | 34 | 52)
}

/// Symbols are one or two ASCII letters: pushing them one by one avoids a `memcpy` call per atom.
fn push_symbol(out: &mut String, symbol: &str, lower: bool) {
    for &b in symbol.as_bytes() {
        out.push(char::from(if lower { b.to_ascii_lowercase() } else { b }));
    }
}

/// Input-order ranks, for non-canonical output.
pub(crate) fn input_order(n: usize) -> Pooled<u32> {
    (0..n as u32).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn implied_hydrogens_follow_the_default_valences() {
        assert_eq!(implied_hydrogens(Element::C, 1), Some(3));
        assert_eq!(implied_hydrogens(Element::N, 3), Some(0));
        assert_eq!(implied_hydrogens(Element::N, 4), None);
        assert_eq!(implied_hydrogens(Element::S, 3), Some(1));
        assert_eq!(implied_hydrogens(Element::O, 3), None);
    }
}
