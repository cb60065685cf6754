//! Why a SMILES string was rejected, and where.

use std::fmt;

/// What is wrong with a SMILES string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SmilesErrorKind {
    /// Nothing to read (empty string, or only whitespace).
    Empty,
    /// A character that has no meaning at this place.
    UnexpectedCharacter,
    /// A ring-closure digit that is never closed.
    UnclosedRing,
    /// A ring closure that bonds an atom to itself, or two atoms that are already bonded.
    BadRingClosure,
    /// The two ends of a ring closure give different bond orders (`C=1CCC#1`).
    RingBondMismatch,
    /// A `(` without its `)`, or a `)` without its `(`.
    UnmatchedParenthesis,
    /// A branch `(...)` or ring-closure digit that does not follow an atom, or an empty branch.
    BranchWithoutAtom,
    /// A bond symbol with no atom on one side (`C=`, `=C`, `C=.C`, `C==C`).
    BondWithoutAtom,
    /// A `[` without its `]`.
    UnclosedBracket,
    /// An element symbol that does not exist, or that must be written in brackets.
    UnknownElement,
    /// A charge outside -15..=+15 or written badly.
    BadCharge,
    /// An isotope (mass number) that does not fit.
    BadIsotope,
    /// A chirality class or permutation number that OpenSMILES does not define (`@TH3`).
    BadChirality,
    /// An atom class (`:n`) that does not fit.
    BadAtomClass,
    /// An atom with more bonds than any of its normal valences allows (`C(C)(C)(C)(C)C`).
    InvalidValence,
    /// Aromatic atoms for which no alternating single/double bond pattern exists.
    CannotKekulize,
    /// A lowercase (aromatic) atom that is not in a ring (`sc`, `CCOC(o)=O`).
    AromaticOutsideRing,
    /// A reaction that is not `reactants>agents>products`.
    BadReaction,
    /// A CXSMILES layer (`|...|` after the SMILES) that cannot be read: an unknown field, a
    /// malformed list, an atom or bond index the SMILES does not have.
    BadCxLayer,
}

impl SmilesErrorKind {
    fn describe(self) -> &'static str {
        match self {
            SmilesErrorKind::Empty => "empty SMILES",
            SmilesErrorKind::UnexpectedCharacter => "unexpected character",
            SmilesErrorKind::UnclosedRing => "unclosed ring bond",
            SmilesErrorKind::BadRingClosure => {
                "ring closure bonds an atom to itself or repeats a bond"
            }
            SmilesErrorKind::RingBondMismatch => "ring closure bond orders differ",
            SmilesErrorKind::UnmatchedParenthesis => "unmatched parenthesis",
            SmilesErrorKind::BranchWithoutAtom => "branch or ring closure without a preceding atom",
            SmilesErrorKind::BondWithoutAtom => "bond without an atom",
            SmilesErrorKind::UnclosedBracket => "unclosed bracket atom",
            SmilesErrorKind::UnknownElement => "unknown element",
            SmilesErrorKind::BadCharge => "bad charge",
            SmilesErrorKind::BadIsotope => "bad isotope",
            SmilesErrorKind::BadChirality => "bad chirality",
            SmilesErrorKind::BadAtomClass => "bad atom class",
            SmilesErrorKind::InvalidValence => "impossible valence",
            SmilesErrorKind::CannotKekulize => "cannot kekulize aromatic system",
            SmilesErrorKind::AromaticOutsideRing => "aromatic atom outside a ring",
            SmilesErrorKind::BadReaction => "bad reaction SMILES",
            SmilesErrorKind::BadCxLayer => "bad CXSMILES layer",
        }
    }
}

/// A rejected SMILES: what is wrong, where (0-based character offset into the input) and, for
/// valence, aromaticity and kekulization problems, which atoms (0-based indices in order of
/// appearance).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmilesError {
    pub kind: SmilesErrorKind,
    pub offset: usize,
    pub atoms: Vec<usize>,
    /// A short detail such as the offending text (`"Xx"`), may be empty.
    pub detail: String,
}

impl SmilesError {
    pub fn new(kind: SmilesErrorKind, offset: usize) -> SmilesError {
        SmilesError {
            kind,
            offset,
            atoms: Vec::new(),
            detail: String::new(),
        }
    }

    pub fn with_atoms(mut self, atoms: Vec<usize>) -> SmilesError {
        self.atoms = atoms;
        self
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> SmilesError {
        self.detail = detail.into();
        self
    }
}

impl fmt::Display for SmilesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.describe())?;
        if !self.detail.is_empty() {
            write!(f, " {}", self.detail)?;
        }
        if !self.atoms.is_empty() {
            let list: Vec<String> = self.atoms.iter().map(|a| a.to_string()).collect();
            write!(f, " (atoms {})", list.join(","))?;
        }
        write!(f, " at column {}", self.offset)
    }
}

impl std::error::Error for SmilesError {}
