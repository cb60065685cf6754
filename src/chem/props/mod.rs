//! Molecular properties: formula, masses, counts, and the drug-likeness descriptors
//! (Lipinski donors/acceptors, rotatable bonds, Crippen cLogP, Ertl TPSA).
//!
//! Every function reads a [`Molecule`] as the SMILES reader leaves it: Kekulé bond orders with
//! aromatic flags, and non-graph hydrogens in `Atom::hydrogens`.

pub mod charge_separation;
pub mod counts;
pub mod crippen;
mod environment;
pub mod formula;
pub mod lipinski;
pub mod masses;
pub mod rotatable;
pub mod table;
pub mod tpsa;

#[cfg(test)]
pub(crate) mod test_mol;

use crate::chem::Molecule;
use crate::chem::aromaticity::perceive;

pub use masses::UnknownIsotope;

/// The per-molecule values `textchem props` reports.
#[derive(Clone, Debug, PartialEq)]
pub struct Properties {
    pub formula: String,
    pub average_mass: f64,
    pub monoisotopic_mass: f64,
    pub heavy_atoms: usize,
    /// Total hydrogens in the molecule.
    pub hydrogens: u32,
    pub formal_charge: i32,
    pub rings: usize,
    /// Lipinski's donors: hydrogens on N and O.
    pub lipinski_hbd: u32,
    /// Lipinski's acceptors: N and O atoms.
    pub lipinski_hba: u32,
    /// RDKit's `NumHDonors` (functional-group donors).
    pub donors: usize,
    /// RDKit's `NumHAcceptors` (functional-group acceptors).
    pub acceptors: usize,
    pub rotatable_bonds: usize,
    pub tpsa: f64,
    /// Crippen cLogP.
    pub logp: f64,
}

impl Properties {
    /// Computes every property. The `Result` is kept for callers; no molecule fails any more
    /// (an isotope label without a tabulated mass weighs its mass number, as in RDKit).
    ///
    /// The descriptor atom types (Crippen, TPSA, acceptors) are defined on the aromatic form
    /// with hypervalent groups charge-separated, so they are computed on a copy prepared as
    /// RDKit's sanitization prepares it ([`charge_separation`], then aromaticity perception):
    /// Kekulé and aromatic SMILES, `N(=O)=O` and `[N+](=O)[O-]`, give the same values. Formula
    /// and masses do not change under either step.
    pub fn of(mol: &Molecule) -> Result<Properties, UnknownIsotope> {
        let mut aromatic = mol.clone();
        charge_separation::separate_charges(&mut aromatic);
        perceive(&mut aromatic);
        let mol = &aromatic;
        Ok(Properties {
            formula: formula::molecular_formula(mol),
            average_mass: masses::average_mass(mol)?,
            monoisotopic_mass: masses::monoisotopic_mass(mol)?,
            heavy_atoms: counts::heavy_atom_count(mol),
            hydrogens: formula::element_counts(mol).get("H").copied().unwrap_or(0),
            formal_charge: formula::net_charge(mol),
            rings: counts::ring_count(mol),
            lipinski_hbd: lipinski::nhoh_count(mol),
            lipinski_hba: lipinski::no_count(mol),
            donors: lipinski::donor_count(mol),
            acceptors: lipinski::acceptor_count(mol),
            rotatable_bonds: rotatable::rotatable_bond_count(mol),
            tpsa: tpsa::tpsa(mol),
            logp: crippen::crippen_logp(mol),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::test_mol::{self, build};
    use super::*;

    fn props(m: &Molecule) -> Properties {
        Properties::of(m).unwrap()
    }

    #[test]
    fn ethanol_is_c2h6o_of_46_069_and_46_041865() {
        let p = props(&test_mol::ethanol());
        assert_eq!(p.formula, "C2H6O");
        assert_eq!(format!("{:.3}", p.average_mass), "46.069");
        assert_eq!(format!("{:.6}", p.monoisotopic_mass), "46.041865");
        assert_eq!((p.heavy_atoms, p.hydrogens, p.rings), (3, 6, 0));
    }

    #[test]
    fn acetate_carries_its_charge_and_an_extra_electron() {
        let p = props(&test_mol::acetate());
        assert_eq!(p.formula, "C2H3O2-");
        assert_eq!(p.formal_charge, -1);
        // RDKit: 59.013853 (acetic acid minus a proton, plus the electron's mass).
        assert_eq!(format!("{:.6}", p.monoisotopic_mass), "59.013853");
        assert_eq!(format!("{:.4}", p.average_mass), "59.0440");
    }

    #[test]
    fn isotope_labels_change_masses_but_not_the_formula() {
        // [13CH4]
        let p = props(&build(&[("C", 4, 0, 13)], &[]));
        assert_eq!(p.formula, "CH4");
        assert_eq!(format!("{:.6}", p.monoisotopic_mass), "17.034655");
        assert_eq!(format!("{:.4}", p.average_mass), "17.0354");
        // [2H]: a lone deuterium atom is hydrogen in the formula and not a heavy atom.
        let p = props(&build(&[("H", 0, 0, 2)], &[]));
        assert_eq!(p.formula, "H");
        assert_eq!(format!("{:.6}", p.monoisotopic_mass), "2.014102");
        assert_eq!((p.heavy_atoms, p.hydrogens), (0, 1));
        // C[2H]: graph hydrogens count in the formula.
        let p = props(&build(
            &[("C", 3, 0, 0), ("H", 0, 0, 2)],
            &[(0, 1, 1, false)],
        ));
        assert_eq!(p.formula, "CH4");
        assert_eq!(format!("{:.6}", p.monoisotopic_mass), "17.037577");
    }

    #[test]
    fn sodium_chloride_is_written_clna_without_carbon() {
        let p = props(&build(&[("Na", 0, 1, 0), ("Cl", 0, -1, 0)], &[]));
        assert_eq!(p.formula, "ClNa");
        assert_eq!(p.formal_charge, 0);
        assert_eq!(format!("{:.6}", p.monoisotopic_mass), "57.958622");
        assert_eq!(format!("{:.4}", p.average_mass), "58.4430");
        assert_eq!(p.heavy_atoms, 2);
    }

    #[test]
    fn hydrogen_comes_first_without_carbon_and_charges_print_their_size() {
        let water = build(&[("O", 2, 0, 0)], &[]);
        assert_eq!(formula::molecular_formula(&water), "H2O");
        let ammonium_chloride = build(&[("Cl", 0, -1, 0), ("N", 4, 1, 0)], &[]);
        assert_eq!(formula::molecular_formula(&ammonium_chloride), "H4ClN");
        let calcium = build(&[("Ca", 0, 2, 0)], &[]);
        assert_eq!(formula::molecular_formula(&calcium), "Ca+2");
        let methyl_wildcard = build(&[("*", 0, 0, 0), ("C", 3, 0, 0)], &[(0, 1, 1, false)]);
        assert_eq!(formula::molecular_formula(&methyl_wildcard), "CH3*");
    }

    #[test]
    fn isotopes_without_a_tabulated_mass_weigh_their_mass_number() {
        // RDKit 2026.09: [1C] and [28Co] weigh 1.0 and 28.0 (exact and average).
        let p = props(&build(&[("C", 0, 0, 1)], &[]));
        assert_eq!((p.monoisotopic_mass, p.average_mass), (1.0, 1.0));
        let p = props(&build(&[("Co", 0, 0, 28)], &[]));
        assert_eq!((p.monoisotopic_mass, p.average_mass), (28.0, 28.0));
    }

    #[test]
    fn aspirin_counts() {
        let p = props(&test_mol::aspirin());
        assert_eq!(p.formula, "C9H8O4");
        assert_eq!(format!("{:.6}", p.monoisotopic_mass), "180.042259");
        assert_eq!(format!("{:.4}", p.average_mass), "180.1590");
        assert_eq!((p.heavy_atoms, p.rings, p.rotatable_bonds), (13, 1, 2));
        assert_eq!((p.lipinski_hbd, p.lipinski_hba), (1, 4));
    }
}
