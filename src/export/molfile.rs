//! MDL MOL file with the 2D coordinates of the depiction layout, for pasting into ChemDraw,
//! Ketcher, RDKit... Bonds are written in their Kekulé orders.
//!
//! Stereo is carried the way MDL readers (RDKit among them) take it from a 2D drawing: each
//! tetrahedral centre gets the wedge or hash the depiction draws (narrow end, the bond's first
//! atom, at the centre); cis/trans double bonds are read from the coordinates, which the layout
//! gives their configuration; a double bond that could be cis or trans but whose configuration
//! is not given is marked "either", or a reader would take the drawn one. The chiral flag says
//! that ungrouped centres are absolute, as they are in SMILES.
//!
//! V2000 (the widest read) unless it cannot say what the molecule holds: dative bonds, enhanced
//! stereo groups or more than 999 atoms or bonds need V3000, as RDKit decides. V2000 puts
//! charges, isotopes and unpaired electrons in `M  CHG` / `M  ISO` / `M  RAD` lines; V3000 as
//! atom properties.

use std::fmt::Write;

use crate::chem::mol::{BondOrder, DoubleBondStereo, StereoGroupKind};
use crate::chem::rings::{RingInfo, in_ring_smaller_than};
use crate::chem::{AtomIdx, BondIdx, Molecule};
use crate::depict::layout::{LayoutOptions, Vec2, layout_with_rings};
use crate::depict::radicals::radical_electrons;
use crate::depict::wedges::stereo_bonds;

/// The MOL block of `mol`, titled `name`: V2000, or V3000 where V2000 cannot hold it.
pub fn mol_block(mol: &Molecule, name: &str) -> String {
    let info = RingInfo::new(mol);
    let pos = layout_with_rings(mol, &info, &LayoutOptions::default());
    let stereo = BlockStereo::new(mol, &info, &pos);
    let mut s = String::new();
    let _ = writeln!(s, "{}", name.lines().next().unwrap_or(""));
    let _ = writeln!(s, "  textchem          2D");
    let _ = writeln!(s);
    if needs_v3000(mol, &stereo) {
        v3000(&mut s, mol, &pos, &stereo);
    } else {
        v2000(&mut s, mol, &pos, &stereo);
    }
    s.push_str("M  END\n");
    s
}

/// What a bond line says of stereo.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BondMark {
    None,
    /// Wedge (towards the viewer) or hash (away), narrow end at `centre`.
    Wedge {
        centre: AtomIdx,
        hashed: bool,
    },
    /// A double bond of unknown configuration.
    Either,
}

/// The stereo a block writes.
struct BlockStereo {
    marks: Vec<BondMark>,
    /// Enhanced stereo groups restricted to the wedged centres; empty groups left out.
    groups: Vec<(StereoGroupKind, Vec<AtomIdx>)>,
    /// A wedged centre outside OR and AND groups: its configuration is absolute.
    chiral: bool,
}

impl BlockStereo {
    fn new(mol: &Molecule, info: &RingInfo, pos: &[Vec2]) -> BlockStereo {
        let mut marks = vec![BondMark::None; mol.bond_count()];
        let (centres, _) = crate::chem::canon::resolved_stereo(mol);
        let mut ring_bond = vec![false; mol.bond_count()];
        for r in 0..info.rings().len() {
            for b in info.ring_bonds(r) {
                ring_bond[b.index()] = true;
            }
        }
        // The wedges the drawing shows, kept where the mark makes a real centre (a reader
        // would drop the others; a wedge there would only claim stereo that is not).
        for w in stereo_bonds(mol, pos, &ring_bond) {
            if centres.binary_search(&w.centre.index()).is_ok() {
                marks[w.bond.index()] = BondMark::Wedge {
                    centre: w.centre,
                    hashed: w.hashed,
                };
            }
        }
        for b in unspecified_stereo_bonds(mol) {
            marks[b.index()] = BondMark::Either;
        }
        let wedged: Vec<AtomIdx> = marks
            .iter()
            .filter_map(|m| match m {
                BondMark::Wedge { centre, .. } => Some(*centre),
                _ => None,
            })
            .collect();
        let groups: Vec<(StereoGroupKind, Vec<AtomIdx>)> = mol
            .stereo_groups
            .iter()
            .map(|g| {
                let atoms: Vec<AtomIdx> = g
                    .atoms
                    .iter()
                    .copied()
                    .filter(|a| wedged.contains(a))
                    .collect();
                (g.kind, atoms)
            })
            .filter(|(_, atoms)| !atoms.is_empty())
            .collect();
        let chiral = wedged.iter().any(|c| {
            !groups
                .iter()
                .any(|(k, atoms)| *k != StereoGroupKind::Absolute && atoms.contains(c))
        });
        BlockStereo {
            marks,
            groups,
            chiral,
        }
    }
}

/// Double bonds without a configuration that would have one if it were given: a reader of 2D
/// coordinates would otherwise take the drawn geometry as the configuration. Found by giving
/// every plausible bond a configuration and keeping those that stereo perception keeps
/// (different substituents on each end, not aromatic); bonds in rings under 8 atoms cannot be
/// trans, so they are left out first, as RDKit leaves them out.
fn unspecified_stereo_bonds(mol: &Molecule) -> Vec<BondIdx> {
    let mut probe = mol.clone();
    let mut tried = Vec::new();
    for b in mol.bonds() {
        let bond = mol.bond(b);
        if bond.order != BondOrder::Double
            || bond.stereo.is_some()
            || bond.aromatic
            || bond.dative
            || in_ring_smaller_than(mol, b, 8)
        {
            continue;
        }
        let (x, y) = mol.bond_atoms(b);
        let other = |end: AtomIdx, opposite: AtomIdx| {
            mol.neighbors(end)
                .into_iter()
                .map(|(n, _)| n)
                .find(|&n| n != opposite)
        };
        if let (Some(rx), Some(ry)) = (other(x, y), other(y, x)) {
            probe.bond_mut(b).stereo = Some(DoubleBondStereo {
                begin_ref: rx,
                end_ref: ry,
                cis: false,
            });
            tried.push(b);
        }
    }
    if tried.is_empty() {
        return tried;
    }
    let (_, real) = crate::chem::canon::resolved_stereo(&probe);
    tried.retain(|b| real.binary_search(&b.index()).is_ok());
    tried
}

fn needs_v3000(mol: &Molecule, stereo: &BlockStereo) -> bool {
    mol.atom_count() > 999
        || mol.bond_count() > 999
        || !stereo.groups.is_empty()
        || mol.bond_values().any(|b| b.dative)
}

/// MDL radical codes: 2 doublet (one unpaired electron), 3 triplet (two).
fn radical_code(mol: &Molecule, a: AtomIdx) -> Option<u8> {
    match radical_electrons(mol, a) {
        0 => None,
        1 => Some(2),
        _ => Some(3),
    }
}

/// The valence to state for atom `a` (bonds plus hydrogens), where a reader would otherwise
/// fill it with hydrogens from a default valence: a bracket atom outside the organic subset
/// (`[25Mg]`, `[MgH2]`, `C[SnH](C)C`), or one with more unpaired electrons than a radical
/// code says (`[B]`). `Some(0)` is a zero valence.
fn stated_valence(mol: &Molecule, a: AtomIdx) -> Option<u16> {
    let atom = mol.atom(a);
    let fixed = atom.element.default_valences().is_empty() || radical_electrons(mol, a) > 2;
    let bonds: u16 = mol
        .neighbors(a)
        .iter()
        .map(|&(_, b)| u16::from(mol.valence_contribution(b, a)))
        .sum();
    (atom.bracket && fixed).then(|| bonds + u16::from(atom.hydrogens))
}

/// The bond's atoms in the order the line gives them: a wedge's centre first.
fn bond_line_atoms(mol: &Molecule, b: BondIdx, mark: BondMark) -> (usize, usize) {
    let (x, y) = mol.bond_atoms(b);
    match mark {
        BondMark::Wedge { centre, .. } if centre == y => (y.index() + 1, x.index() + 1),
        _ => (x.index() + 1, y.index() + 1),
    }
}

fn v2000(s: &mut String, mol: &Molecule, pos: &[Vec2], stereo: &BlockStereo) {
    let _ = writeln!(
        s,
        "{:>3}{:>3}  0  0{:>3}  0  0  0  0  0999 V2000",
        mol.atom_count(),
        mol.bond_count(),
        u8::from(stereo.chiral)
    );
    for a in mol.atoms() {
        let p = pos[a.index()];
        // Valence field: 15 stands for zero; above 14 it cannot be said.
        let valence = match stated_valence(mol, a) {
            Some(0) => 15,
            Some(v) if v <= 14 => v,
            _ => 0,
        };
        let _ = writeln!(
            s,
            "{:>10.4}{:>10.4}{:>10.4} {:<3} 0  0  0  0  0{valence:>3}  0  0  0  0  0  0",
            p.x,
            p.y,
            0.0,
            mol.atom(a).element.symbol()
        );
    }
    for b in mol.bonds() {
        let mark = stereo.marks[b.index()];
        let (x, y) = bond_line_atoms(mol, b, mark);
        // Bond stereo field: 1 wedge, 6 hash, 3 "either" on a double bond.
        let field = match mark {
            BondMark::None => 0,
            BondMark::Wedge { hashed: false, .. } => 1,
            BondMark::Wedge { hashed: true, .. } => 6,
            BondMark::Either => 3,
        };
        let _ = writeln!(
            s,
            "{x:>3}{y:>3}{:>3}{field:>3}",
            mol.bond(b).order.valence()
        );
    }
    let charged: Vec<(usize, i8)> = mol
        .atoms()
        .filter(|&a| mol.atom(a).charge != 0)
        .map(|a| (a.index() + 1, mol.atom(a).charge))
        .collect();
    property_lines(s, "CHG", &charged);
    let isotopes: Vec<(usize, u16)> = mol
        .atoms()
        .filter_map(|a| mol.atom(a).isotope.map(|m| (a.index() + 1, m)))
        .collect();
    property_lines(s, "ISO", &isotopes);
    // Unpaired electrons: without them a reader fills the valence with hydrogens ([N]=O would
    // come back as HN=O).
    let radicals: Vec<(usize, u8)> = mol
        .atoms()
        .filter_map(|a| radical_code(mol, a).map(|r| (a.index() + 1, r)))
        .collect();
    property_lines(s, "RAD", &radicals);
}

/// `M  CHG`-style lines, at most 8 entries each.
fn property_lines<T: std::fmt::Display>(s: &mut String, tag: &str, items: &[(usize, T)]) {
    for chunk in items.chunks(8) {
        let _ = write!(s, "M  {tag}{:>3}", chunk.len());
        for (i, v) in chunk {
            let _ = write!(s, " {i:>3} {v:>3}");
        }
        s.push('\n');
    }
}

fn v3000(s: &mut String, mol: &Molecule, pos: &[Vec2], stereo: &BlockStereo) {
    s.push_str("  0  0  0  0  0  0  0  0  0  0999 V3000\n");
    v30(s, "BEGIN CTAB");
    v30(
        s,
        &format!(
            "COUNTS {} {} 0 0 {}",
            mol.atom_count(),
            mol.bond_count(),
            u8::from(stereo.chiral)
        ),
    );
    v30(s, "BEGIN ATOM");
    for a in mol.atoms() {
        let p = pos[a.index()];
        let atom = mol.atom(a);
        let mut line = format!(
            "{} {} {:.4} {:.4} 0 0",
            a.index() + 1,
            atom.element.symbol(),
            p.x,
            p.y
        );
        if atom.charge != 0 {
            let _ = write!(line, " CHG={}", atom.charge);
        }
        if let Some(r) = radical_code(mol, a) {
            let _ = write!(line, " RAD={r}");
        }
        if let Some(m) = atom.isotope {
            let _ = write!(line, " MASS={m}");
        }
        match stated_valence(mol, a) {
            Some(0) => line.push_str(" VAL=-1"),
            Some(v) => {
                let _ = write!(line, " VAL={v}");
            }
            None => {}
        }
        v30(s, &line);
    }
    v30(s, "END ATOM");
    if mol.bond_count() > 0 {
        v30(s, "BEGIN BOND");
        for b in mol.bonds() {
            let mark = stereo.marks[b.index()];
            let (x, y) = bond_line_atoms(mol, b, mark);
            let bond = mol.bond(b);
            // Type 9: coordinate bond, donor first (as the molecule stores it).
            let kind = if bond.dative { 9 } else { bond.order.valence() };
            let mut line = format!("{} {kind} {x} {y}", b.index() + 1);
            match mark {
                BondMark::None => {}
                BondMark::Wedge { hashed, .. } => {
                    let _ = write!(line, " CFG={}", if hashed { 3 } else { 1 });
                }
                BondMark::Either => line.push_str(" CFG=2"),
            }
            v30(s, &line);
        }
        v30(s, "END BOND");
    }
    if !stereo.groups.is_empty() {
        v30(s, "BEGIN COLLECTION");
        let (mut or, mut and) = (0, 0);
        for (kind, atoms) in &stereo.groups {
            let name = match kind {
                StereoGroupKind::Absolute => "STEABS".to_owned(),
                StereoGroupKind::Or => {
                    or += 1;
                    format!("STEREL{or}")
                }
                StereoGroupKind::And => {
                    and += 1;
                    format!("STERAC{and}")
                }
            };
            let mut line = format!("MDLV30/{name} ATOMS=({}", atoms.len());
            for a in atoms {
                let _ = write!(line, " {}", a.index() + 1);
            }
            line.push(')');
            v30(s, &line);
        }
        v30(s, "END COLLECTION");
    }
    v30(s, "END CTAB");
}

/// One V3000 entry: `M  V30 ` lines of at most 80 characters, a long entry broken after a
/// space with `-` at the end of each line but the last (the format's continuation).
fn v30(s: &mut String, content: &str) {
    const ROOM: usize = 80 - "M  V30 ".len() - 1;
    let mut rest = content;
    while rest.len() > ROOM + 1 {
        let cut = rest[..ROOM].rfind(' ').map_or(ROOM, |i| i + 1);
        let _ = writeln!(s, "M  V30 {}-", &rest[..cut]);
        rest = &rest[cut..];
    }
    let _ = writeln!(s, "M  V30 {rest}");
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
    fn fixed_hydrogen_counts_are_stated_as_valences() {
        // Columns 49-51: the valence field (15 for zero).
        let vvv = |smiles: &str, atom: usize| {
            let block = mol_block(&parse_molecule(smiles).unwrap(), "");
            block.lines().nth(4 + atom).unwrap()[48..51]
                .trim()
                .to_owned()
        };
        assert_eq!(vvv("[25Mg]", 0), "15");
        assert_eq!(vvv("[MgH2]", 0), "2");
        assert_eq!(vvv("C[SnH](C)C", 1), "4");
        assert_eq!(vvv("[B]", 0), "15");
        // Organic-subset atoms keep the reader's default.
        assert_eq!(vvv("CCO", 1), "0");
        assert_eq!(vvv("[NH4+]", 0), "0");
        let m = parse_molecule("[NH3]->[Pt](Cl)(Cl)<-[NH3]").unwrap();
        let block = mol_block(&m, "");
        let pt = block
            .lines()
            .find(|l| l.starts_with("M  V30 2 Pt "))
            .unwrap();
        assert!(pt.ends_with(" 0 0 VAL=4"), "{block}");
    }

    #[test]
    fn isotopes_are_listed() {
        let m = parse_molecule("[13CH4]").unwrap();
        assert!(mol_block(&m, "").contains("M  ISO  1   1  13"));
    }

    /// The bond lines of a V2000 block.
    fn bond_lines(block: &str) -> Vec<&str> {
        let lines: Vec<&str> = block.lines().collect();
        let atoms: usize = lines[3][..3].trim().parse().unwrap();
        let bonds: usize = lines[3][3..6].trim().parse().unwrap();
        lines[4 + atoms..4 + atoms + bonds].to_vec()
    }

    fn stereo_field(line: &str) -> &str {
        line[9..12].trim()
    }

    #[test]
    fn a_centre_gets_one_wedge_line_starting_at_the_centre() {
        // The wedge goes on a terminal bond; the first one listed is O-C, written from the
        // centre (atom 2), so its atoms are swapped.
        let m = parse_molecule("O[C@@H](C)CC").unwrap();
        let block = mol_block(&m, "");
        let marked: Vec<&str> = bond_lines(&block)
            .into_iter()
            .filter(|l| stereo_field(l) != "0")
            .collect();
        assert_eq!(marked.len(), 1, "{block}");
        assert!(["1", "6"].contains(&stereo_field(marked[0])), "{block}");
        assert_eq!(&marked[0][..9], "  2  1  1", "{block}");
        // Chiral flag: the configuration is absolute.
        assert_eq!(&block.lines().nth(3).unwrap()[12..15], "  1");
        // The mirror image differs only in the mark.
        let other = mol_block(&parse_molecule("O[C@H](C)CC").unwrap(), "");
        let flip = bond_lines(&other)
            .into_iter()
            .find(|l| stereo_field(l) != "0")
            .unwrap();
        assert_eq!(&flip[..9], &marked[0][..9]);
        assert_ne!(stereo_field(flip), stereo_field(marked[0]));
        // No stereo, no marks and no chiral flag.
        let flat = mol_block(&parse_molecule("OC(C)CC").unwrap(), "");
        assert!(bond_lines(&flat).iter().all(|l| stereo_field(l) == "0"));
        assert_eq!(&flat.lines().nth(3).unwrap()[12..15], "  0");
        // A mark on an atom with two equal substituents is not stereo: no wedge.
        let not = mol_block(&parse_molecule("C[C@H](C)O").unwrap(), "");
        assert!(
            bond_lines(&not).iter().all(|l| stereo_field(l) == "0"),
            "{not}"
        );
    }

    /// F[C@H](Cl)Br by hand: looking from F, H-Cl-Br turn anticlockwise. With the H hidden at
    /// the centre, the drawn bond vectors (the wedged one lifted towards the viewer, the hashed
    /// one pushed away) have a positive triple product F·(Cl×Br) exactly for that sense.
    #[test]
    fn the_written_wedge_gives_the_written_parity() {
        for (smiles, sign) in [("F[C@H](Cl)Br", 1.0), ("F[C@@H](Cl)Br", -1.0)] {
            let block = mol_block(&parse_molecule(smiles).unwrap(), "");
            let lines: Vec<&str> = block.lines().collect();
            let xy = |i: usize| -> [f64; 2] {
                let l = lines[4 + i];
                [
                    l[..10].trim().parse().unwrap(),
                    l[10..20].trim().parse().unwrap(),
                ]
            };
            let c = xy(1);
            let mut v: Vec<[f64; 3]> = [0, 2, 3]
                .iter()
                .map(|&i| [xy(i)[0] - c[0], xy(i)[1] - c[1], 0.0])
                .collect();
            for l in bond_lines(&block) {
                let a: usize = l[..3].trim().parse().unwrap();
                let b: usize = l[3..6].trim().parse().unwrap();
                let z = match stereo_field(l) {
                    "1" => 1.0,
                    "6" => -1.0,
                    _ => continue,
                };
                assert_eq!(a, 2, "{block}");
                let k = [1, 3, 4].iter().position(|&x| x == b).unwrap();
                v[k][2] = z;
            }
            let [a, b, c] = [v[0], v[1], v[2]];
            let triple = a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0])
                + a[2] * (b[0] * c[1] - b[1] * c[0]);
            assert!(triple * sign > 0.0, "{smiles}\n{block}");
        }
    }

    #[test]
    fn unspecified_stereo_double_bonds_are_marked_either() {
        let block = mol_block(&parse_molecule("CC=CC").unwrap(), "");
        assert_eq!(bond_lines(&block)[1], "  2  3  2  3");
        // Given configurations are drawn, not marked.
        let block = mol_block(&parse_molecule("C/C=C/C").unwrap(), "");
        assert_eq!(bond_lines(&block)[1], "  2  3  2  0");
        // Equal substituents on one end: no configuration to leave open.
        let block = mol_block(&parse_molecule("CC=C(C)C").unwrap(), "");
        assert_eq!(bond_lines(&block)[1], "  2  3  2  0");
        // Rings under 8 atoms are cis; in larger ones the bond may be either.
        let block = mol_block(&parse_molecule("CC1=CCCCC1").unwrap(), "");
        assert!(bond_lines(&block).iter().all(|l| stereo_field(l) == "0"));
        let block = mol_block(&parse_molecule("CC1=CCCCCCCC1").unwrap(), "");
        assert_eq!(bond_lines(&block)[1], "  2  3  2  3");
    }

    #[test]
    fn dative_bonds_need_v3000() {
        let m = parse_molecule("[15NH3]->[Pt+2](Cl)(Cl)<-[NH3]").unwrap();
        let block = mol_block(&m, "cisplatin");
        let lines: Vec<&str> = block.lines().collect();
        assert!(lines[3].ends_with("V3000"), "{block}");
        assert!(block.contains("M  V30 COUNTS 5 4 0 0 0\n"), "{block}");
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("M  V30 1 N ") && l.ends_with(" MASS=15"))
        );
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("M  V30 2 Pt ") && l.ends_with(" CHG=2 VAL=4"))
        );
        // Type 9, donor first.
        assert!(block.contains("M  V30 1 9 1 2\n"), "{block}");
        assert!(block.contains("M  V30 4 9 5 2\n"), "{block}");
        assert!(!block.contains("M  CHG") && !block.contains("M  ISO"));
        assert!(block.ends_with("M  V30 END CTAB\nM  END\n"), "{block}");
    }

    #[test]
    fn enhanced_stereo_groups_need_v3000() {
        let cx = crate::chem::smiles::parse_cxsmiles("C[C@H](O)C[C@@H](C)O |o1:1,&2:4|").unwrap();
        let block = mol_block(&cx.molecule, "");
        assert!(block.lines().nth(3).unwrap().ends_with("V3000"), "{block}");
        // Both centres are in OR/AND groups: not absolute.
        assert!(block.contains("M  V30 COUNTS 7 6 0 0 0\n"), "{block}");
        let cfg: Vec<&str> = block.lines().filter(|l| l.contains(" CFG=")).collect();
        assert_eq!(cfg.len(), 2, "{block}");
        assert!(cfg[0].starts_with("M  V30 1 1 2 1 CFG="), "{block}");
        assert!(block.contains(
            "M  V30 BEGIN COLLECTION\nM  V30 MDLV30/STEREL1 ATOMS=(1 2)\n\
             M  V30 MDLV30/STERAC1 ATOMS=(1 5)\nM  V30 END COLLECTION\n"
        ));
        let cx = crate::chem::smiles::parse_cxsmiles("C[C@H](O)CC |a:1|").unwrap();
        let block = mol_block(&cx.molecule, "");
        assert!(block.contains("M  V30 COUNTS 5 4 0 0 1\n"), "{block}");
        assert!(
            block.contains("M  V30 MDLV30/STEABS ATOMS=(1 2)\n"),
            "{block}"
        );
    }

    #[test]
    fn large_molecules_need_v3000_and_long_entries_continue() {
        let mut m = Molecule::new();
        for _ in 0..1000 {
            m.add_atom(crate::chem::Atom::new(
                crate::chem::Element::from_atomic_number(6).unwrap(),
            ));
        }
        let none = BlockStereo {
            marks: Vec::new(),
            groups: Vec::new(),
            chiral: false,
        };
        assert!(needs_v3000(&m, &none));
        let mut s = String::new();
        let atoms: Vec<String> = (1..=40).map(|i| i.to_string()).collect();
        let entry = format!("MDLV30/STERAC1 ATOMS=(40 {})", atoms.join(" "));
        v30(&mut s, &entry);
        let lines: Vec<&str> = s.lines().collect();
        assert!(lines.len() > 1);
        assert!(
            lines
                .iter()
                .all(|l| l.len() <= 80 && l.starts_with("M  V30 "))
        );
        assert!(lines[..lines.len() - 1].iter().all(|l| l.ends_with(" -")));
        let joined: String = lines
            .iter()
            .map(|l| l["M  V30 ".len()..].trim_end_matches('-'))
            .collect();
        assert_eq!(joined, entry);
    }
}
