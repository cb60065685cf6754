//! Unpaired electrons drawn as dots beside their atom (IUPAC 2008, GR-1.9). The molecule graph
//! has no radical field, so the count is derived here the way RDKit documents it for atoms with
//! a fixed hydrogen count: a bracket atom whose bonds plus hydrogens fall short of its lowest
//! allowed valence carries the difference as unpaired electrons ([CH3] one, [O] two, [N]=O one).

use super::layout::Vec2;
use crate::chem::{AtomIdx, Molecule};

/// Unpaired electrons on atom `a` (see [`crate::chem::valence::radical_electrons`]).
pub fn radical_electrons(mol: &Molecule, a: AtomIdx) -> u8 {
    crate::chem::valence::radical_electrons(mol, a)
}

/// Centres of the dots for `count` unpaired electrons on an atom at `at` whose bonds leave along
/// `bond_dirs` (unit vectors): placed `clearance` out on the emptiest side, paired dots side by
/// side across that direction.
pub fn dot_positions(
    at: Vec2,
    bond_dirs: &[Vec2],
    count: u8,
    clearance: f64,
    gap: f64,
) -> Vec<Vec2> {
    if count == 0 {
        return Vec::new();
    }
    let out = free_direction(bond_dirs);
    let across = out.rotate(std::f64::consts::FRAC_PI_2);
    let centre = at + out * clearance;
    let k = f64::from(count.min(4));
    (0..count.min(4))
        .map(|i| centre + across * (gap * (f64::from(i) - (k - 1.0) / 2.0)))
        .collect()
}

/// The middle of the widest angular gap between `dirs`; straight up with no bonds, opposite the
/// bond with one.
fn free_direction(dirs: &[Vec2]) -> Vec2 {
    match dirs {
        [] => Vec2::new(0.0, -1.0),
        [d] => -d.unit(),
        _ => super::layout::widest_gap(dirs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chem::smiles::parse_molecule;

    fn radicals(smiles: &str) -> Vec<u8> {
        let mol = parse_molecule(smiles).unwrap();
        mol.atoms().map(|a| radical_electrons(&mol, a)).collect()
    }

    #[test]
    fn counts_follow_the_missing_valence() {
        assert_eq!(radicals("[CH3]"), vec![1]);
        assert_eq!(radicals("[CH2]C"), vec![1, 0]);
        assert_eq!(radicals("[O]"), vec![2]);
        assert_eq!(radicals("[N]=O"), vec![1, 0]);
        assert_eq!(radicals("[O-]C"), vec![0, 0]);
        assert_eq!(radicals("[Na+].[Cl-]"), vec![0, 0]);
        assert_eq!(radicals("CC[NH3+]"), vec![0, 0, 0]);
    }

    #[test]
    fn two_dots_sit_side_by_side_away_from_the_bond() {
        let dots = dot_positions(Vec2::ZERO, &[Vec2::new(1.0, 0.0)], 2, 0.4, 0.2);
        assert_eq!(dots.len(), 2);
        assert!(dots.iter().all(|p| (p.x + 0.4).abs() < 1e-9));
        assert!((dots[0].y - dots[1].y).abs() > 0.19);
    }
}
