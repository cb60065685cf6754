//! Average and monoisotopic masses.
//!
//! The element weights and isotope masses are RDKit 2026.09's periodic-table values
//! (`atomic_weights.tsv`, `isotopes.tsv`, regenerated with `scripts/rdkit_reference.py
//! mass-tables`), because textchem's masses must equal RDKit's to the printed digit; those values
//! are IUPAC conventional atomic weights and NIST isotope masses. Summation follows RDKit's
//! `MolWt` / `ExactMolWt`: atoms in order, then all hydrogens at once, so rounding agrees too.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use crate::chem::{Element, Molecule};

/// Electron mass in unified atomic mass units, rounded to 11 decimals as RDKit's constant is
/// (with more digits a few sums round the other way at the sixth decimal; this value gives
/// RDKit's `ExactMolWt` bit for bit on ChEBI-20 and the drug set). Exact masses remove one per
/// positive charge and add one per negative charge.
pub const ELECTRON_MASS: f64 = 0.000_548_579_91;

const ATOMIC_WEIGHTS_TSV: &str = include_str!("atomic_weights.tsv");
const ISOTOPES_TSV: &str = include_str!("isotopes.tsv");

struct MassTables {
    /// Indexed by atomic number; index 0 (the `*` wildcard) weighs nothing.
    atomic_weight: Vec<f64>,
    /// Exact mass of the most abundant (or, without stable isotopes, the reference) isotope.
    most_common_isotope_mass: Vec<f64>,
    isotope_mass: HashMap<(u8, u16), f64>,
}

fn data_rows(tsv: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    tsv.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split('\t').collect())
}

fn tables() -> &'static MassTables {
    static TABLES: OnceLock<MassTables> = OnceLock::new();
    TABLES.get_or_init(|| {
        // The tables are compiled in; a malformed row is a build-time data error, hence expect.
        let mut atomic_weight = vec![0.0; 119];
        let mut most_common_isotope_mass = vec![0.0; 119];
        for row in data_rows(ATOMIC_WEIGHTS_TSV) {
            let z: usize = row[0].parse().expect("atomic_weights.tsv: Z");
            atomic_weight[z] = row[2].parse().expect("atomic_weights.tsv: weight");
            most_common_isotope_mass[z] = row[4].parse().expect("atomic_weights.tsv: mass");
        }
        let isotope_mass = data_rows(ISOTOPES_TSV)
            .map(|row| {
                let z: u8 = row[0].parse().expect("isotopes.tsv: Z");
                let a: u16 = row[1].parse().expect("isotopes.tsv: A");
                let m: f64 = row[2].parse().expect("isotopes.tsv: mass");
                ((z, a), m)
            })
            .collect();
        MassTables {
            atomic_weight,
            most_common_isotope_mass,
            isotope_mass,
        }
    })
}

/// Standard atomic weight (average over natural isotopic abundance); 0 for the wildcard.
pub fn atomic_weight(e: Element) -> f64 {
    tables().atomic_weight[usize::from(e.atomic_number())]
}

/// Exact mass of one isotope, if it is known.
pub fn isotope_mass(e: Element, mass_number: u16) -> Option<f64> {
    tables()
        .isotope_mass
        .get(&(e.atomic_number(), mass_number))
        .copied()
}

/// Exact mass of the element's most abundant isotope (for elements without stable isotopes,
/// the one RDKit's table names); 0 for the wildcard.
pub fn most_common_isotope_mass(e: Element) -> f64 {
    tables().most_common_isotope_mass[usize::from(e.atomic_number())]
}

/// An isotope label with no known mass, e.g. `[1C]`. No mass function returns it any more (such
/// an atom weighs its mass number, as in RDKit); the type stays for callers that match on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnknownIsotope {
    pub element: Element,
    pub mass_number: u16,
}

impl fmt::Display for UnknownIsotope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "no mass is known for isotope {}{}",
            self.mass_number, self.element
        )
    }
}

impl std::error::Error for UnknownIsotope {}

/// The mass of an isotope-labelled atom: its isotope's exact mass, or, for a label with no
/// tabulated mass (`[28Co]`, `[1C]`), the mass number itself, as RDKit falls back. A labelled
/// attachment point (`[16*]`, BRICS) weighs nothing, like any `*`.
fn labelled_mass(e: Element, mass_number: u16) -> f64 {
    if e == Element::WILDCARD {
        return 0.0;
    }
    isotope_mass(e, mass_number).unwrap_or(f64::from(mass_number))
}

/// Molecular weight from standard atomic weights; isotope-labelled atoms count with their
/// isotope's exact mass (as RDKit's `MolWt`). Never fails (see [`UnknownIsotope`]).
pub fn average_mass(mol: &Molecule) -> Result<f64, UnknownIsotope> {
    mass_sum(mol, atomic_weight, 0.0)
}

/// Monoisotopic mass: each unlabelled atom counts as its most abundant isotope, and charges
/// remove or add electrons (as RDKit's `ExactMolWt`). Never fails (see [`UnknownIsotope`]).
pub fn monoisotopic_mass(mol: &Molecule) -> Result<f64, UnknownIsotope> {
    mass_sum(mol, most_common_isotope_mass, ELECTRON_MASS)
}

/// Sums atom masses (labelled atoms by their isotope, the others by `unlabelled`), takes
/// `electron_mass` per unit of positive charge, then adds the hydrogens. The order of the
/// additions is RDKit's, so the exact mass agrees bit for bit.
fn mass_sum(
    mol: &Molecule,
    unlabelled: fn(Element) -> f64,
    electron_mass: f64,
) -> Result<f64, UnknownIsotope> {
    let mut sum = 0.0;
    let mut hydrogens = 0u32;
    for i in mol.atoms() {
        let atom = mol.atom(i);
        // Isotope 0 means "no label" (RDKit reads `[0C]` as plain carbon).
        sum += match atom.isotope.filter(|&a| a != 0) {
            Some(a) => labelled_mass(atom.element, a),
            None => unlabelled(atom.element),
        };
        hydrogens += u32::from(atom.hydrogens);
        sum -= electron_mass * f64::from(atom.charge);
    }
    Ok(sum + f64::from(hydrogens) * unlabelled(Element::H))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn el(s: &str) -> Element {
        Element::from_symbol(s).unwrap()
    }

    #[test]
    fn tables_cover_every_element_and_the_labels_chemists_use() {
        for z in 1..=118u8 {
            let e = Element::from_atomic_number(z).unwrap();
            assert!(atomic_weight(e) > 0.0, "{e} has no weight");
            assert!(most_common_isotope_mass(e) > 0.0, "{e} has no isotope mass");
        }
        for (sym, a, mass) in [
            ("H", 2, 2.014_101_778),
            ("H", 3, 3.016_049_278),
            ("C", 11, 11.011_433_6),
            ("C", 13, 13.003_354_838),
            ("C", 14, 14.003_241_988),
            ("F", 18, 18.000_938),
            ("P", 32, 31.973_907_3),
            ("S", 35, 34.969_032_1),
            ("Tc", 99, 98.906_255),
            ("I", 123, 122.905_589),
            ("I", 125, 124.904_630_2),
            ("I", 131, 130.906_124_6),
        ] {
            let got = isotope_mass(el(sym), a).unwrap();
            assert!((got - mass).abs() < 1e-5, "{a}{sym}: {got} vs {mass}");
        }
        assert_eq!(isotope_mass(el("C"), 1), None);
    }

    #[test]
    fn labels_without_a_tabulated_mass_weigh_their_mass_number() {
        assert_eq!(labelled_mass(el("Co"), 28), 28.0);
        assert_eq!(labelled_mass(Element::WILDCARD, 16), 0.0);
        assert_eq!(
            labelled_mass(el("C"), 13),
            isotope_mass(el("C"), 13).unwrap()
        );
    }

    #[test]
    fn common_elements_have_their_iupac_weights() {
        for (sym, w) in [("H", 1.008), ("C", 12.011), ("N", 14.007), ("O", 15.999)] {
            assert_eq!(atomic_weight(el(sym)), w);
        }
        assert_eq!(most_common_isotope_mass(el("C")), 12.0);
    }
}
