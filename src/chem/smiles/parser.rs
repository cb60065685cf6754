//! The OpenSMILES grammar: atoms, bonds, branches, ring closures and components become a graph.
//!
//! This step only reads what is written. Implicit hydrogens, kekulization and double-bond stereo
//! are derived afterwards from the graph (see `smiles::read_molecule`).

use std::collections::HashMap;

use super::bracket::read_bracket_atom;
use super::cursor::Cursor;
use super::error::{SmilesError, SmilesErrorKind};
use crate::chem::element::Element;
use crate::chem::mol::{
    Atom, AtomIdx, AtomStereo, Bond, BondIdx, BondOrder, Molecule, StereoClass, StereoNeighbor,
};

/// The graph as written, with what later steps need to know about the text.
pub(crate) struct RawSmiles {
    pub mol: Molecule,
    /// Character offset of each atom (of its first character).
    pub atom_offsets: Vec<usize>,
    /// The `/` or `\` written on each bond (indexed by bond index), if any.
    pub direction_marks: Vec<Option<DirectionMark>>,
}

/// A `/` or `\` bond: `up` says the atom written after `from` lies above it (`/`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct DirectionMark {
    pub from: AtomIdx,
    pub up: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BondSymbol {
    Single,
    Double,
    Triple,
    Quadruple,
    Aromatic,
    Up,
    Down,
    /// `->`: a dative bond donated by the atom written before the arrow.
    DativeForward,
    /// `<-`: a dative bond donated by the atom written after the arrow.
    DativeBackward,
}

#[derive(Clone, Copy, Debug)]
struct PendingBond {
    symbol: BondSymbol,
    offset: usize,
}

struct RingOpening {
    atom: AtomIdx,
    bond: Option<PendingBond>,
    offset: usize,
    /// Position reserved in the opening atom's neighbour order (the digit's place).
    slot: usize,
}

/// One position in an atom's neighbour order, as the text gives it (stereo depends on it).
#[derive(Clone, Copy, Debug)]
enum Slot {
    Atom(AtomIdx),
    ImplicitH,
    OpenRing,
}

struct Parser<'a> {
    cur: Cursor<'a>,
    raw: RawSmiles,
    /// The atom the next atom bonds to.
    prev: Option<AtomIdx>,
    /// The last token was an atom, ring closure or closed branch, so a ring-closure digit may
    /// follow and belongs to `prev`. OpenSMILES puts digits before branches, but `[C@](Cl)1(F)I`
    /// is read by nearly every toolkit (NextMove's stereo benchmark), the digit keeping its place
    /// in the neighbour order.
    after_atom: bool,
    pending: Option<PendingBond>,
    /// For each open `(`: the branch point and the offset of the parenthesis.
    branches: Vec<(AtomIdx, usize)>,
    /// Open ring bonds numbered 0-99, indexed by number (grown on demand), and the rarer
    /// `%(nnnnn)` ones in a map (100,000 may be open at once).
    rings: Vec<Option<RingOpening>>,
    big_rings: HashMap<u32, RingOpening>,
    slots: Vec<Vec<Slot>>,
    chirality: Vec<Option<StereoClass>>,
    has_preceding: Vec<bool>,
    /// Unwritten bonds between a `*` and an aromatic atom, with the `*`.
    wildcard_bonds: Vec<(AtomIdx, BondIdx)>,
}

/// Reads one SMILES (no reaction arrows); `base` is the character offset of `text` in the
/// user's string. `~` separates components like `.` does.
pub(crate) fn parse(text: &str, base: usize) -> Result<RawSmiles, SmilesError> {
    // Upper bounds from the text, so that the per-atom arrays never grow while reading: every
    // atom starts with a letter or `*`, and bonds number at most atoms plus ring closures.
    let (mut atoms, mut closures) = (0, 0);
    for &c in text.as_bytes() {
        match c {
            b'A'..=b'Z' | b'a'..=b'z' | b'*' => atoms += 1,
            b'0'..=b'9' | b'%' => closures += 1,
            _ => {}
        }
    }
    let bonds = atoms + closures;
    let mut p = Parser {
        cur: Cursor::new(text, base),
        raw: RawSmiles {
            mol: Molecule::with_capacity(atoms, bonds),
            atom_offsets: Vec::with_capacity(atoms),
            direction_marks: Vec::with_capacity(bonds),
        },
        prev: None,
        after_atom: false,
        pending: None,
        branches: Vec::new(),
        rings: Vec::new(),
        big_rings: HashMap::new(),
        slots: Vec::with_capacity(atoms),
        chirality: Vec::with_capacity(atoms),
        has_preceding: Vec::with_capacity(atoms),
        wildcard_bonds: Vec::new(),
    };
    p.run()?;
    p.finish()
}

impl Parser<'_> {
    fn run(&mut self) -> Result<(), SmilesError> {
        while let Some(c) = self.cur.peek() {
            match c {
                b'(' => self.open_branch()?,
                b')' => self.close_branch()?,
                b'.' | b'~' => self.dot()?,
                b'-' | b'=' | b'#' | b'$' | b':' | b'/' | b'\\' | b'<' => self.bond_symbol(c)?,
                b'0'..=b'9' | b'%' => self.ring_bond()?,
                b'[' => {
                    let offset = self.cur.offset();
                    let b = read_bracket_atom(&mut self.cur)?;
                    let atom = Atom {
                        element: b.element,
                        isotope: b.isotope,
                        charge: b.charge,
                        aromatic: b.aromatic,
                        hydrogens: b.hydrogens,
                        bracket: true,
                        atom_class: b.atom_class,
                        ..Atom::default()
                    };
                    self.add_atom(atom, b.chirality, offset)?;
                }
                _ => {
                    let offset = self.cur.offset();
                    let atom = self.organic_atom()?;
                    self.add_atom(atom, None, offset)?;
                }
            }
        }
        Ok(())
    }

    fn open_branch(&mut self) -> Result<(), SmilesError> {
        let offset = self.cur.offset();
        let Some(prev) = self.prev.filter(|_| self.pending.is_none()) else {
            return Err(self.misplaced(SmilesErrorKind::BranchWithoutAtom));
        };
        self.branches.push((prev, offset));
        self.after_atom = false;
        self.cur.bump();
        if self.cur.peek() == Some(b')') {
            return Err(self
                .cur
                .error(SmilesErrorKind::BranchWithoutAtom)
                .with_detail("(empty branch)"));
        }
        // OpenSMILES: a branch holds a chain, which starts with a bond or an atom; RDKit
        // rejects `C((C)C)` too.
        if self.cur.peek() == Some(b'(') {
            return Err(self
                .cur
                .error(SmilesErrorKind::BranchWithoutAtom)
                .with_detail("(a branch starts with a bond or an atom, not another branch)"));
        }
        Ok(())
    }

    fn close_branch(&mut self) -> Result<(), SmilesError> {
        if let Some(bond) = self.pending {
            return Err(SmilesError::new(
                SmilesErrorKind::BondWithoutAtom,
                bond.offset,
            ));
        }
        let Some((branch_point, _)) = self.branches.pop() else {
            return Err(self.cur.error(SmilesErrorKind::UnmatchedParenthesis));
        };
        if self.prev.is_none() {
            // `C(.C)`: a component ended inside the branch.
            return Err(self.cur.error(SmilesErrorKind::BranchWithoutAtom));
        }
        self.prev = Some(branch_point);
        self.after_atom = true;
        self.cur.bump();
        Ok(())
    }

    fn dot(&mut self) -> Result<(), SmilesError> {
        if let Some(bond) = self.pending {
            return Err(SmilesError::new(
                SmilesErrorKind::BondWithoutAtom,
                bond.offset,
            ));
        }
        if self.prev.is_none() {
            return Err(self.cur.unexpected());
        }
        self.prev = None;
        self.after_atom = false;
        self.cur.bump();
        Ok(())
    }

    fn bond_symbol(&mut self, c: u8) -> Result<(), SmilesError> {
        let offset = self.cur.offset();
        if self.prev.is_none() || self.pending.is_some() {
            return Err(SmilesError::new(SmilesErrorKind::BondWithoutAtom, offset));
        }
        let next = self.cur.peek_at(1);
        let symbol = match c {
            b'-' if next == Some(b'>') => BondSymbol::DativeForward,
            b'<' if next == Some(b'-') => BondSymbol::DativeBackward,
            b'<' => return Err(self.cur.unexpected().with_detail("('<' starts only '<-')")),
            b'-' => BondSymbol::Single,
            b'=' => BondSymbol::Double,
            b'#' => BondSymbol::Triple,
            b'$' => BondSymbol::Quadruple,
            b':' => BondSymbol::Aromatic,
            b'/' => BondSymbol::Up,
            _ => BondSymbol::Down,
        };
        self.cur.bump();
        if matches!(
            symbol,
            BondSymbol::DativeForward | BondSymbol::DativeBackward
        ) {
            self.cur.bump();
        }
        // ChEBI-derived text doubles its backslashes (an escaping artefact): `\\` is one `\`.
        if c == b'\\' && self.cur.peek() == Some(b'\\') {
            self.cur.bump();
        }
        self.pending = Some(PendingBond { symbol, offset });
        Ok(())
    }

    fn ring_bond(&mut self) -> Result<(), SmilesError> {
        let offset = self.cur.offset();
        let Some(atom) = self.prev.filter(|_| self.after_atom) else {
            return Err(self.misplaced(SmilesErrorKind::BranchWithoutAtom));
        };
        let number = self.ring_number()?;
        let bond = self.pending.take();
        if let Some(open) = self.take_ring(number) {
            self.close_ring(open, atom, bond, offset)
        } else {
            let slot = self.slots[atom.index()].len();
            self.push_slot(atom, Slot::OpenRing);
            let open = RingOpening {
                atom,
                bond,
                offset,
                slot,
            };
            if number < 100 {
                let i = number as usize;
                if self.rings.len() <= i {
                    self.rings.resize_with(i + 1, || None);
                }
                self.rings[i] = Some(open);
            } else {
                self.big_rings.insert(number, open);
            }
            Ok(())
        }
    }

    /// Removes and returns the open ring bond with this number, if there is one.
    fn take_ring(&mut self, number: u32) -> Option<RingOpening> {
        if number < 100 {
            self.rings.get_mut(number as usize).and_then(Option::take)
        } else {
            self.big_rings.remove(&number)
        }
    }

    /// `7`, `%12`, or RDKit's `%(123)`.
    fn ring_number(&mut self) -> Result<u32, SmilesError> {
        if self.cur.peek() != Some(b'%') {
            let d = self.cur.peek().unwrap_or(b'0');
            self.cur.bump();
            return Ok(u32::from(d - b'0'));
        }
        self.cur.bump();
        let text = if self.cur.peek() == Some(b'(') {
            self.cur.bump();
            let digits = self.cur.digits(5);
            if self.cur.peek() != Some(b')') {
                return Err(self.cur.unexpected());
            }
            self.cur.bump();
            digits
        } else {
            let digits = self.cur.digits(2).filter(|(t, _)| t.len() == 2);
            if digits.is_none() {
                return Err(self.cur.unexpected().with_detail("(% needs two digits)"));
            }
            digits
        };
        match text {
            Some((t, _)) => Ok(t.parse().unwrap_or(0)),
            None => Err(self.cur.unexpected()),
        }
    }

    fn close_ring(
        &mut self,
        open: RingOpening,
        atom: AtomIdx,
        bond: Option<PendingBond>,
        offset: usize,
    ) -> Result<(), SmilesError> {
        if open.atom == atom || self.raw.mol.bond_between(open.atom, atom).is_some() {
            return Err(SmilesError::new(SmilesErrorKind::BadRingClosure, offset));
        }
        // Both ends may carry a bond symbol; they must agree (directions are read from the
        // opening end, where the bond is first written).
        let symbol = match (open.bond, bond) {
            (Some(a), Some(b)) => {
                let directional = |s: BondSymbol| matches!(s, BondSymbol::Up | BondSymbol::Down);
                let dative = |s: BondSymbol| {
                    matches!(s, BondSymbol::DativeForward | BondSymbol::DativeBackward)
                };
                // An arrow is read from the end it is written at, so `->` at one end agrees
                // with `<-` at the other.
                let agree = if dative(a.symbol) || dative(b.symbol) {
                    dative(a.symbol) && dative(b.symbol) && a.symbol != b.symbol
                } else {
                    a.symbol == b.symbol || (directional(a.symbol) && directional(b.symbol))
                };
                if !agree {
                    return Err(SmilesError::new(
                        SmilesErrorKind::RingBondMismatch,
                        b.offset,
                    ));
                }
                Some(a)
            }
            (a, b) => a.or(b),
        };
        // A direction mark points from the atom it is written after.
        let mark_from = if open.bond.is_some() { open.atom } else { atom };
        self.bond(open.atom, atom, symbol, mark_from);
        if let Some(slot) = self.slots[open.atom.index()].get_mut(open.slot) {
            *slot = Slot::Atom(atom);
        }
        self.push_slot(atom, Slot::Atom(open.atom));
        self.after_atom = true;
        Ok(())
    }

    fn organic_atom(&mut self) -> Result<Atom, SmilesError> {
        let c = self.cur.peek().unwrap_or(b' ');
        let next = self.cur.peek_at(1);
        let (z, aromatic, len) = match (c, next) {
            (b'C', Some(b'l')) => (17, false, 2),
            (b'B', Some(b'r')) => (35, false, 2),
            (b'B', _) => (5, false, 1),
            (b'C', _) => (6, false, 1),
            (b'N', _) => (7, false, 1),
            (b'O', _) => (8, false, 1),
            (b'P', _) => (15, false, 1),
            (b'S', _) => (16, false, 1),
            (b'F', _) => (9, false, 1),
            (b'I', _) => (53, false, 1),
            (b'b', _) => (5, true, 1),
            (b'c', _) => (6, true, 1),
            (b'n', _) => (7, true, 1),
            (b'o', _) => (8, true, 1),
            (b'p', _) => (15, true, 1),
            (b's', _) => (16, true, 1),
            (b'*', _) => (0, false, 1),
            _ if c.is_ascii_alphabetic() => {
                // `Na` outside brackets reads as N then an impossible `a`: name the element.
                if let Some(first) = self.cur.peek_back().filter(u8::is_ascii_uppercase) {
                    let pair = [first, c];
                    let symbol = std::str::from_utf8(&pair).unwrap_or("");
                    if Element::from_symbol(symbol).is_some() {
                        let at = self.cur.offset() - 1;
                        return Err(SmilesError::new(SmilesErrorKind::UnknownElement, at)
                            .with_detail(format!("'{symbol}' (write it in brackets)")));
                    }
                }
                let at = self.cur.offset();
                let word = self.cur.letters_from(at);
                let detail = match word.get(..2).and_then(Element::from_symbol) {
                    Some(_) => format!("'{}' (write it in brackets)", &word[..2]),
                    None => format!("'{word}'"),
                };
                return Err(self
                    .cur
                    .error(SmilesErrorKind::UnknownElement)
                    .with_detail(detail));
            }
            _ => return Err(self.cur.unexpected()),
        };
        for _ in 0..len {
            self.cur.bump();
        }
        let element = Element::from_atomic_number(z).unwrap_or_default();
        let mut atom = Atom::new(element);
        atom.aromatic = aromatic;
        Ok(atom)
    }

    fn add_atom(
        &mut self,
        atom: Atom,
        chirality: Option<StereoClass>,
        offset: usize,
    ) -> Result<(), SmilesError> {
        let has_h = atom.hydrogens > 0;
        let idx = self.raw.mol.add_atom(atom);
        self.raw.atom_offsets.push(offset);
        // A stereocentre lists its (usually four) neighbours; other atoms list none.
        self.slots.push(if chirality.is_some() {
            Vec::with_capacity(4)
        } else {
            Vec::new()
        });
        self.chirality.push(chirality);
        self.has_preceding.push(self.prev.is_some());
        if let Some(prev) = self.prev {
            let bond = self.pending.take();
            self.bond(prev, idx, bond, prev);
            self.push_slot(prev, Slot::Atom(idx));
            self.push_slot(idx, Slot::Atom(prev));
        }
        if chirality.is_some() && has_h {
            self.push_slot(idx, Slot::ImplicitH);
        }
        self.prev = Some(idx);
        self.after_atom = true;
        Ok(())
    }

    /// Records a neighbour position; only stereocentres need their neighbour order, so other
    /// atoms keep an empty (unallocated) list.
    fn push_slot(&mut self, a: AtomIdx, slot: Slot) {
        if self.chirality[a.index()].is_some() {
            self.slots[a.index()].push(slot);
        }
    }

    fn bond(
        &mut self,
        from: AtomIdx,
        to: AtomIdx,
        symbol: Option<PendingBond>,
        mark_from: AtomIdx,
    ) {
        let both_aromatic = self.raw.mol.atom(from).aromatic && self.raw.mol.atom(to).aromatic;
        // Aromatic bonds get their Kekulé orders later. An unwritten bond between aromatic atoms
        // is aromatic, and so is a `/` `\` one (writers mark ring bonds of aromatic atoms next to
        // a stereo double bond); `:` is aromatic whatever the atoms (ChemDoodle writes `c:C`).
        let (order, aromatic) = match symbol.map(|b| b.symbol) {
            None | Some(BondSymbol::Up | BondSymbol::Down) => (BondOrder::Single, both_aromatic),
            Some(BondSymbol::Aromatic) => (BondOrder::Single, true),
            Some(BondSymbol::Single) => (BondOrder::Single, false),
            Some(BondSymbol::Double) => (BondOrder::Double, false),
            Some(BondSymbol::Triple) => (BondOrder::Triple, false),
            Some(BondSymbol::Quadruple) => (BondOrder::Quadruple, false),
            Some(BondSymbol::DativeForward | BondSymbol::DativeBackward) => {
                (BondOrder::Single, false)
            }
        };
        // A dative bond's first endpoint is its donor: the atom the arrow points away from.
        let other = if mark_from == from { to } else { from };
        let (first, second, dative) = match symbol.map(|b| b.symbol) {
            Some(BondSymbol::DativeForward) => (mark_from, other, true),
            Some(BondSymbol::DativeBackward) => (other, mark_from, true),
            _ => (from, to, false),
        };
        let b = self.raw.mol.add_bond(
            first,
            second,
            Bond {
                order,
                aromatic,
                stereo: None,
                dative,
            },
        );
        let mark = symbol.and_then(|s| match s.symbol {
            BondSymbol::Up | BondSymbol::Down => Some(DirectionMark {
                from: mark_from,
                up: s.symbol == BondSymbol::Up,
            }),
            _ => None,
        });
        if symbol.is_none() && (self.raw.mol.atom(from).aromatic || self.raw.mol.atom(to).aromatic)
        {
            for star in [from, to] {
                if self.raw.mol.atom(star).element == Element::WILDCARD {
                    self.wildcard_bonds.push((star, b));
                }
            }
        }
        if self.raw.direction_marks.len() <= b.index() {
            self.raw.direction_marks.resize(b.index() + 1, None);
        }
        self.raw.direction_marks[b.index()] = mark;
    }

    /// An error for a token that needs a preceding atom: a bond left dangling is the cause
    /// when there is one.
    fn misplaced(&self, kind: SmilesErrorKind) -> SmilesError {
        match self.pending {
            Some(bond) if self.prev.is_some() => {
                SmilesError::new(SmilesErrorKind::BondWithoutAtom, bond.offset)
            }
            _ => self.cur.error(kind),
        }
    }

    fn finish(mut self) -> Result<RawSmiles, SmilesError> {
        debug_assert!(self.cur.at_end());
        if let Some(bond) = self.pending {
            return Err(SmilesError::new(
                SmilesErrorKind::BondWithoutAtom,
                bond.offset,
            ));
        }
        if let Some((_, offset)) = self.branches.first() {
            return Err(SmilesError::new(
                SmilesErrorKind::UnmatchedParenthesis,
                *offset,
            ));
        }
        let small = (0u32..)
            .zip(&self.rings)
            .filter_map(|(n, o)| o.as_ref().map(|o| (n, o)));
        let big = self.big_rings.iter().map(|(n, o)| (*n, o));
        if let Some((n, open)) = small.chain(big).min_by_key(|(_, o)| o.offset) {
            return Err(SmilesError::new(SmilesErrorKind::UnclosedRing, open.offset)
                .with_detail(format!("{n}")));
        }
        if self.raw.mol.atom_count() == 0 {
            return Err(self.cur.error(SmilesErrorKind::Empty));
        }
        self.aromatic_wildcards();
        let atoms: Vec<AtomIdx> = self.raw.mol.atoms().collect();
        for a in atoms {
            if let Some(class) = self.chirality[a.index()] {
                let stereo = self.atom_stereo(a, class);
                self.raw.mol.atom_mut(a).stereo = stereo;
            }
        }
        Ok(self.raw)
    }

    /// A `*` written between two aromatic atoms (`c1cc*cc1`) stands for a ring atom of the
    /// aromatic system: its unwritten bonds to them are aromatic (a `*` on one aromatic atom,
    /// such as an R group, keeps a plain single bond).
    fn aromatic_wildcards(&mut self) {
        for &(star, b) in &self.wildcard_bonds {
            let count = self
                .wildcard_bonds
                .iter()
                .filter(|(s, _)| *s == star)
                .count();
            if count >= 2 {
                self.raw.mol.bond_mut(b).aromatic = true;
            }
        }
    }

    /// The stereo neighbour order of a chiral atom: as written, with the implicit H (or the lone
    /// pair of a three-coordinate centre) right after the preceding atom.
    fn atom_stereo(&self, a: AtomIdx, class: StereoClass) -> Option<AtomStereo> {
        let mut neighbors: Vec<StereoNeighbor> = self.slots[a.index()]
            .iter()
            .filter_map(|s| match s {
                Slot::Atom(n) => Some(StereoNeighbor::Atom(*n)),
                Slot::ImplicitH => Some(StereoNeighbor::Implicit),
                Slot::OpenRing => None,
            })
            .collect();
        if self.raw.mol.atom(a).hydrogens > 1 {
            return None;
        }
        if let StereoClass::Tetrahedral { .. } = class {
            match neighbors.len() {
                4 => {}
                3 if self.raw.mol.atom(a).hydrogens == 0 => {
                    let at = usize::from(self.has_preceding[a.index()]);
                    neighbors.insert(at, StereoNeighbor::Implicit);
                }
                // A tetrahedral mark on an atom that cannot be a stereocentre says nothing.
                _ => return None,
            }
        }
        Some(AtomStereo { class, neighbors })
    }
}
