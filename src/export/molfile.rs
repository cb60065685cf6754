//! MDL MOL file (V2000 connection table) with the 2D coordinates of the depiction layout, for
//! pasting into ChemDraw, Ketcher, RDKit... Charges, isotopes and unpaired electrons go in
//! `M  CHG` / `M  ISO` / `M  RAD` lines; bonds are written in their Kekulé orders.

use std::fmt::Write;

use crate::chem::Molecule;
use crate::chem::rings::RingInfo;
use crate::depict::layout::{LayoutOptions, layout_with_rings};
use crate::depict::radicals::radical_electrons;

/// The V2000 MOL block of `mol`, titled `name`.
pub fn mol_block(mol: &Molecule, name: &str) -> String {
    let info = RingInfo::new(mol);
    let pos = layout_with_rings(mol, &info, &LayoutOptions::default());
    let mut s = String::new();
    let _ = writeln!(s, "{}", name.lines().next().unwrap_or(""));
    let _ = writeln!(s, "  textchem          2D");
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "{:>3}{:>3}  0  0  0  0  0  0  0  0999 V2000",
        mol.atom_count(),
        mol.bond_count()
    );
    for a in mol.atoms() {
        let p = pos[a.index()];
        let _ = writeln!(
            s,
            "{:>10.4}{:>10.4}{:>10.4} {:<3} 0  0  0  0  0  0  0  0  0  0  0  0",
            p.x,
            p.y,
            0.0,
            mol.atom(a).element.symbol()
        );
    }
    for b in mol.bonds() {
        let (x, y) = mol.bond_atoms(b);
        let _ = writeln!(
            s,
            "{:>3}{:>3}{:>3}  0",
            x.index() + 1,
            y.index() + 1,
            mol.bond(b).order.valence()
        );
    }
    let charged: Vec<(usize, i8)> = mol
        .atoms()
        .filter(|&a| mol.atom(a).charge != 0)
        .map(|a| (a.index() + 1, mol.atom(a).charge))
        .collect();
    for chunk in charged.chunks(8) {
        let _ = write!(s, "M  CHG{:>3}", chunk.len());
        for (i, c) in chunk {
            let _ = write!(s, " {i:>3} {c:>3}");
        }
        s.push('\n');
    }
    let isotopes: Vec<(usize, u16)> = mol
        .atoms()
        .filter_map(|a| mol.atom(a).isotope.map(|m| (a.index() + 1, m)))
        .collect();
    for chunk in isotopes.chunks(8) {
        let _ = write!(s, "M  ISO{:>3}", chunk.len());
        for (i, m) in chunk {
            let _ = write!(s, " {i:>3} {m:>3}");
        }
        s.push('\n');
    }
    // Unpaired electrons: without them a reader fills the valence with hydrogens ([N]=O would
    // come back as HN=O). MDL codes: 2 doublet (one electron), 3 triplet (two).
    let radicals: Vec<(usize, u8)> = mol
        .atoms()
        .filter_map(|a| match radical_electrons(mol, a) {
            0 => None,
            1 => Some((a.index() + 1, 2)),
            _ => Some((a.index() + 1, 3)),
        })
        .collect();
    for chunk in radicals.chunks(8) {
        let _ = write!(s, "M  RAD{:>3}", chunk.len());
        for (i, r) in chunk {
            let _ = write!(s, " {i:>3} {r:>3}");
        }
        s.push('\n');
    }
    s.push_str("M  END\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chem::smiles::parse_molecule;

    #[test]
    fn acetate_has_its_counts_atoms_bonds_and_charge() {
        let m = parse_molecule("CC(=O)[O-]").unwrap();
        let block = mol_block(&m, "acetate");
        let lines: Vec<&str> = block.lines().collect();
        assert_eq!(lines[0], "acetate");
        assert_eq!(&lines[3][..6], "  4  3");
        assert!(lines[3].ends_with("V2000"));
        // Atom lines: x, y, z in 10-wide columns, then the symbol at column 32.
        assert_eq!(&lines[4][31..34], "C  ");
        assert_eq!(&lines[7][31..34], "O  ");
        assert_eq!(lines[9], "  2  3  2  0");
        assert_eq!(lines[11], "M  CHG  1   4  -1");
        assert_eq!(*lines.last().unwrap(), "M  END");
    }

    #[test]
    fn unpaired_electrons_are_listed() {
        let m = parse_molecule("[N]=O").unwrap();
        assert!(mol_block(&m, "").contains("M  RAD  1   1   2\n"));
        let m = parse_molecule("[O]").unwrap();
        assert!(mol_block(&m, "").contains("M  RAD  1   1   3\n"));
        assert!(!mol_block(&parse_molecule("CCO").unwrap(), "").contains("RAD"));
    }

    #[test]
    fn isotopes_are_listed() {
        let m = parse_molecule("[13CH4]").unwrap();
        assert!(mol_block(&m, "").contains("M  ISO  1   1  13"));
    }
}
