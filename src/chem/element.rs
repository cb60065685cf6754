//! Chemical elements: symbols, atomic numbers and the SMILES organic-subset valences.

use std::fmt;

/// Element symbols indexed by atomic number; index 0 is the SMILES wildcard `*`.
/// A `static`, not a `const`: indexing a `const` array copies all of it (1.9 KB) to the stack
/// on every call.
static SYMBOLS: [&str; 119] = [
    "*", "H", "He", "Li", "Be", "B", "C", "N", "O", "F", "Ne", "Na", "Mg", "Al", "Si", "P", "S",
    "Cl", "Ar", "K", "Ca", "Sc", "Ti", "V", "Cr", "Mn", "Fe", "Co", "Ni", "Cu", "Zn", "Ga", "Ge",
    "As", "Se", "Br", "Kr", "Rb", "Sr", "Y", "Zr", "Nb", "Mo", "Tc", "Ru", "Rh", "Pd", "Ag", "Cd",
    "In", "Sn", "Sb", "Te", "I", "Xe", "Cs", "Ba", "La", "Ce", "Pr", "Nd", "Pm", "Sm", "Eu", "Gd",
    "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu", "Hf", "Ta", "W", "Re", "Os", "Ir", "Pt", "Au", "Hg",
    "Tl", "Pb", "Bi", "Po", "At", "Rn", "Fr", "Ra", "Ac", "Th", "Pa", "U", "Np", "Pu", "Am", "Cm",
    "Bk", "Cf", "Es", "Fm", "Md", "No", "Lr", "Rf", "Db", "Sg", "Bh", "Hs", "Mt", "Ds", "Rg", "Cn",
    "Nh", "Fl", "Mc", "Lv", "Ts", "Og",
];

/// An element, stored as its atomic number (0 is the `*` wildcard atom).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Element(u8);

impl Element {
    pub const WILDCARD: Element = Element(0);
    pub const H: Element = Element(1);
    pub const B: Element = Element(5);
    pub const C: Element = Element(6);
    pub const N: Element = Element(7);
    pub const O: Element = Element(8);
    pub const F: Element = Element(9);
    pub const P: Element = Element(15);
    pub const S: Element = Element(16);
    pub const CL: Element = Element(17);
    pub const BR: Element = Element(35);
    pub const I: Element = Element(53);

    /// The element with this atomic number (0..=118).
    pub fn from_atomic_number(z: u8) -> Option<Element> {
        (usize::from(z) < SYMBOLS.len()).then_some(Element(z))
    }

    /// Looks up an element by its exact (case-sensitive) symbol, e.g. `"Cl"`; `"*"` is the wildcard.
    pub fn from_symbol(symbol: &str) -> Option<Element> {
        SYMBOLS
            .iter()
            .position(|s| *s == symbol)
            .map(|z| Element(z as u8))
    }

    pub fn atomic_number(self) -> u8 {
        self.0
    }

    pub fn symbol(self) -> &'static str {
        SYMBOLS[usize::from(self.0)]
    }

    /// Valences an unbracketed atom of the OpenSMILES organic subset (B C N O P S F Cl Br I)
    /// fills with implicit hydrogens, ascending; empty for every other element (their hydrogens
    /// must be written in brackets). Nitrogen fills to 3 only, as in RDKit (OpenSMILES also
    /// lists 5; `N(C)(C)(C)C` is an error, not `NH`). Iodine fills to 1 only, as OpenSMILES and
    /// the majority of NextMove's benchmark readers do (RDKit also fills a two- or four-bonded
    /// iodine to 3 or 5; the verdict is the same either way).
    pub fn default_valences(self) -> &'static [u8] {
        match self.0 {
            5 | 7 => &[3],
            6 => &[4],
            8 => &[2],
            15 => &[3, 5],
            16 => &[2, 4, 6],
            9 | 17 | 35 | 53 => &[1],
            _ => &[],
        }
    }

    /// Whether the element may be written without brackets in SMILES.
    pub fn is_organic_subset(self) -> bool {
        !self.default_valences().is_empty()
    }
}

impl fmt::Display for Element {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_round_trip_through_atomic_numbers() {
        for z in 0..=118u8 {
            let e = Element::from_atomic_number(z).unwrap();
            assert_eq!(Element::from_symbol(e.symbol()), Some(e));
        }
        assert_eq!(Element::from_symbol("Cl"), Some(Element::CL));
        assert_eq!(Element::from_symbol("CL"), None);
        assert_eq!(Element::from_atomic_number(119), None);
    }
}
