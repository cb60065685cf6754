//! Reading SMILES and reaction SMILES: what a chemist expects to get back, and precise errors.

use textchem::chem::mol::{StereoClass, StereoNeighbor};
use textchem::chem::smiles::{SmilesErrorKind, parse_molecule, parse_reaction};
use textchem::chem::{AtomIdx, BondOrder, Molecule};

use super::shared_path;

fn hydrogens(smiles: &str) -> Vec<u8> {
    let mol = parse_molecule(smiles).unwrap_or_else(|e| panic!("{smiles}: {e}"));
    mol.atoms().map(|a| mol.atom(a).hydrogens).collect()
}

fn double_bonds_per_atom(mol: &Molecule) -> Vec<usize> {
    mol.atoms()
        .map(|a| {
            mol.neighbors(a)
                .iter()
                .filter(|(_, b)| mol.bond(*b).order == BondOrder::Double)
                .count()
        })
        .collect()
}

fn error_of(smiles: &str) -> (SmilesErrorKind, usize, Vec<usize>) {
    match parse_molecule(smiles) {
        Ok(_) => panic!("{smiles} should be rejected"),
        Err(e) => (e.kind, e.offset, e.atoms),
    }
}

fn atom(i: usize) -> AtomIdx {
    AtomIdx::new(i)
}

#[test]
fn benzene_kekulizes_to_alternating_bonds_and_keeps_its_aromatic_flags() {
    let mol = parse_molecule("c1ccccc1").unwrap();
    assert_eq!(mol.atom_count(), 6);
    assert_eq!(mol.bond_count(), 6);
    assert_eq!(double_bonds_per_atom(&mol), vec![1; 6]);
    assert_eq!(
        mol.bonds()
            .filter(|&b| mol.bond(b).order == BondOrder::Double)
            .count(),
        3
    );
    assert!(mol.bonds().all(|b| mol.bond(b).aromatic));
    assert!(mol.atoms().all(|a| mol.atom(a).aromatic));
    assert_eq!(hydrogens("c1ccccc1"), vec![1; 6]);
}

#[test]
fn pyrrole_nh_keeps_its_hydrogen_and_gets_no_double_bond() {
    let mol = parse_molecule("c1cc[nH]c1").unwrap();
    assert_eq!(hydrogens("c1cc[nH]c1"), vec![1, 1, 1, 1, 1]);
    assert_eq!(double_bonds_per_atom(&mol), vec![1, 1, 1, 0, 1]);
    // Without its H the ring has five atoms that each need a double bond: no Kekulé form.
    let (kind, offset, atoms) = error_of("c1ccnc1");
    assert_eq!(kind, SmilesErrorKind::CannotKekulize);
    assert_eq!((offset, atoms), (0, vec![0, 1, 2, 3, 4]));
}

#[test]
fn broken_aromatic_ring_is_reported_with_its_atoms() {
    let err = parse_molecule("CCc1cccc1").unwrap_err();
    assert_eq!(err.kind, SmilesErrorKind::CannotKekulize);
    assert_eq!(err.atoms, vec![2, 3, 4, 5, 6]);
    assert_eq!(err.offset, 2);
    assert_eq!(
        err.to_string(),
        "cannot kekulize aromatic system (atoms 2,3,4,5,6) at column 2"
    );
}

#[test]
fn hydrogen_counts_of_heteroaromatics_match_the_toolkits() {
    // Expected counts as RDKit and the NextMove benchmark consensus give them.
    assert_eq!(
        hydrogens("c1ccc2[nH]ccc2c1"),
        vec![1, 1, 1, 0, 1, 1, 1, 0, 1]
    );
    assert_eq!(hydrogens("[O-][n+]1ccccc1"), vec![0, 0, 1, 1, 1, 1, 1]);
    assert_eq!(hydrogens("c1cc[n+]([O-])cc1"), vec![1, 1, 1, 0, 0, 1, 1]);
    assert_eq!(hydrogens("O=c1cc[nH]cc1"), vec![0, 0, 1, 1, 1, 1, 1]);
    assert_eq!(hydrogens("c1ccsc1"), vec![1, 1, 1, 0, 1]);
    assert_eq!(hydrogens("c1ccoc1"), vec![1, 1, 1, 0, 1]);
    assert_eq!(hydrogens("c1cc[se]c1"), vec![1, 1, 1, 0, 1]);
    assert_eq!(hydrogens("n1ccccc1"), vec![0, 1, 1, 1, 1, 1]);
    assert_eq!(
        hydrogens("c1ccc2ccccc2c1"),
        vec![1, 1, 1, 0, 1, 1, 1, 1, 0, 1]
    );
    assert_eq!(hydrogens("Cn1cnc2c1c(=O)n(C)c(=O)n2C").len(), 14);
    assert_eq!(hydrogens("C1=CC=CN2C=CC=C12")[..4], [1, 1, 1, 1]);
}

#[test]
fn aromatic_bonds_as_other_toolkits_write_them() {
    // `:` makes a bond aromatic even between atoms written in upper case (ChemDoodle).
    assert_eq!(hydrogens("C:1:C:C:C:C:C:1"), vec![1; 6]);
    let mol = parse_molecule("c1:c:[Te+]:c:c:c:1").unwrap();
    assert_eq!(double_bonds_per_atom(&mol), vec![1; 6]);
    // `/` between two aromatic ring atoms (OpenChemLib) stays an aromatic ring bond.
    let mol = parse_molecule("C/C=C/c1cc/c2ccccc2c1").unwrap();
    assert!(mol.bonds().filter(|&b| mol.bond(b).aromatic).count() == 11);
    // An aromatic `n` joined only by explicit single bonds is not in a pi system: it keeps an H,
    // as in this carbazole.
    assert_eq!(hydrogens("c1ccc2c(c1)-n-c1ccccc1-2")[6], 1);
}

#[test]
fn hydrogen_counts_of_the_default_valence_rule() {
    assert_eq!(hydrogens("B"), vec![3]);
    assert_eq!(hydrogens("C"), vec![4]);
    assert_eq!(hydrogens("[CH3]"), vec![3]); // a methyl radical: brackets say exactly 3
    assert_eq!(hydrogens("[C]"), vec![0]);
    assert_eq!(hydrogens("CC(=O)O"), vec![3, 0, 0, 1]);
    assert_eq!(hydrogens("N(C)(C)(C)C"), vec![1, 3, 3, 3, 3]); // next normal valence, 5
    assert_eq!(hydrogens("S(C)(C)C"), vec![1, 3, 3, 3]);
    assert_eq!(hydrogens("CS(=O)(=O)C"), vec![3, 0, 0, 0, 3]);
    assert_eq!(hydrogens("ICl"), vec![0, 0]);
    assert_eq!(hydrogens("[NH4+]"), vec![4]);
    assert_eq!(hydrogens("[2H]C([2H])([2H])O"), vec![0, 0, 0, 0, 1]);
}

#[test]
fn bracket_atoms_carry_isotope_charge_class_and_hydrogens() {
    let mol = parse_molecule("[13CH3:7][N+](C)(C)C.[Cl-]").unwrap();
    let c = mol.atom(atom(0));
    assert_eq!(
        (c.isotope, c.hydrogens, c.atom_class),
        (Some(13), 3, Some(7))
    );
    assert!(c.bracket);
    assert_eq!(mol.atom(atom(1)).charge, 1);
    assert_eq!(mol.atom(atom(5)).charge, -1);
    assert_eq!(mol.components().len(), 2);
    assert_eq!(parse_molecule("[Fe++]").unwrap().atom(atom(0)).charge, 2);
    assert_eq!(parse_molecule("[O--]").unwrap().atom(atom(0)).charge, -2);
    assert_eq!(parse_molecule("[Cu+2]").unwrap().atom(atom(0)).charge, 2);
    assert_eq!(
        parse_molecule("[Sc]")
            .unwrap()
            .atom(atom(0))
            .element
            .symbol(),
        "Sc"
    );
}

#[test]
fn ring_closures_with_percent_numbers_and_bond_orders() {
    let mol = parse_molecule("C%10CCCCC%10").unwrap();
    assert_eq!((mol.atom_count(), mol.bond_count()), (6, 6));
    let mol = parse_molecule("C=1CCCCC=1").unwrap();
    let b = mol.bond_between(atom(0), atom(5)).unwrap();
    assert_eq!(mol.bond(b).order, BondOrder::Double);
    // A ring-closure digit can be reused once its ring is closed.
    let mol = parse_molecule("C1CC1C1CC1").unwrap();
    assert_eq!(mol.bond_count(), 7);
}

#[test]
fn tetrahedral_neighbours_follow_the_smiles_order() {
    let mol = parse_molecule("C[C@H](N)O").unwrap();
    let stereo = mol.atom(atom(1)).stereo.clone().unwrap();
    assert_eq!(stereo.class, StereoClass::Tetrahedral { clockwise: false });
    use StereoNeighbor::{Atom as A, Implicit};
    assert_eq!(
        stereo.neighbors,
        vec![A(atom(0)), Implicit, A(atom(2)), A(atom(3))]
    );
    // First atom: the implicit H comes first. Ring closures take the place of their digit.
    let mol = parse_molecule("[C@@H](F)(Cl)Br").unwrap();
    let s = mol.atom(atom(0)).stereo.clone().unwrap();
    assert_eq!(s.class, StereoClass::Tetrahedral { clockwise: true });
    assert_eq!(
        s.neighbors,
        vec![Implicit, A(atom(1)), A(atom(2)), A(atom(3))]
    );
    let mol = parse_molecule("C[C@]1(F)CCO1").unwrap();
    let s = mol.atom(atom(1)).stereo.clone().unwrap();
    assert_eq!(
        s.neighbors,
        vec![A(atom(0)), A(atom(5)), A(atom(2)), A(atom(3))]
    );
    // A three-coordinate centre: the lone pair stands where an H would.
    let mol = parse_molecule("C[S@](=O)CC").unwrap();
    let s = mol.atom(atom(1)).stereo.clone().unwrap();
    assert_eq!(
        s.neighbors,
        vec![A(atom(0)), Implicit, A(atom(2)), A(atom(3))]
    );
    // `@TH2` is `@@`; other classes keep their permutation number.
    let mol = parse_molecule("F[C@TH2](Cl)(Br)I").unwrap();
    let s = mol.atom(atom(1)).stereo.clone().unwrap();
    assert_eq!(s.class, StereoClass::Tetrahedral { clockwise: true });
    let mol = parse_molecule("F[Co@OH30](F)(F)(F)(F)F").unwrap();
    let s = mol.atom(atom(1)).stereo.clone().unwrap();
    assert_eq!(s.class, StereoClass::Octahedral(30));
    // An `@` on an atom that cannot be a stereocentre says nothing.
    assert!(
        parse_molecule("C[C@H2]C")
            .unwrap()
            .atom(atom(1))
            .stereo
            .is_none()
    );
}

fn double_bond_cis(smiles: &str) -> Option<bool> {
    let mol = parse_molecule(smiles).unwrap();
    let b = mol
        .bonds()
        .find(|&b| mol.bond(b).order == BondOrder::Double)
        .unwrap();
    mol.bond(b).stereo.map(|s| s.cis)
}

#[test]
fn slashes_give_cis_and_trans_double_bonds() {
    assert_eq!(double_bond_cis("F/C=C/F"), Some(false));
    assert_eq!(double_bond_cis("F\\C=C\\F"), Some(false));
    assert_eq!(double_bond_cis("F/C=C\\F"), Some(true));
    assert_eq!(double_bond_cis("C(/F)=C/F"), Some(true));
    assert_eq!(double_bond_cis("FC=CF"), None);
    assert_eq!(double_bond_cis("F/C=CF"), None);
    // The references are the marked neighbours.
    let mol = parse_molecule("F/C=C/F").unwrap();
    let b = mol.bond_between(atom(1), atom(2)).unwrap();
    let s = mol.bond(b).stereo.unwrap();
    assert_eq!((s.begin_ref, s.end_ref), (atom(0), atom(3)));
    // Ring-closure marks: `C/1` is read as if the partner followed the digit.
    assert_eq!(double_bond_cis("C/1=C/CCCCCC1"), Some(true));
    assert_eq!(double_bond_cis("F/C=C/1.F1"), Some(false));
    // Contradicting marks leave the bond unspecified, as RDKit does.
    assert_eq!(double_bond_cis("F/C(\\F)=C/F"), None);
    assert_eq!(double_bond_cis("F/C(/Cl)=C/F"), Some(false));
}

#[test]
fn doubled_backslash_from_chebi_text_reads_as_one() {
    assert_eq!(double_bond_cis("F/C=C\\\\F"), Some(true));
    let mol = parse_molecule("C[C@]\\\\4(CC/C4=C/C)C").unwrap();
    assert_eq!(mol.atom_count(), 8);
}

#[test]
fn errors_say_what_and_where() {
    use SmilesErrorKind::*;
    assert_eq!(error_of("C1CC").0, UnclosedRing);
    assert_eq!(error_of("CC1CC2CC2").1, 2);
    assert_eq!(error_of("CC(C"), (UnmatchedParenthesis, 2, vec![]));
    assert_eq!(error_of("CC)C"), (UnmatchedParenthesis, 2, vec![]));
    assert_eq!(error_of("CC=").0, BondWithoutAtom);
    assert_eq!(error_of("CC=").1, 2);
    assert_eq!(error_of("=CC").1, 0);
    assert_eq!(error_of("C==C"), (BondWithoutAtom, 2, vec![]));
    assert_eq!(error_of("C=.C"), (BondWithoutAtom, 1, vec![]));
    assert_eq!(error_of("CC[Xy]C"), (UnknownElement, 3, vec![]));
    assert_eq!(error_of("CCNa").0, UnknownElement);
    assert_eq!(error_of("C[C"), (UnclosedBracket, 1, vec![]));
    assert_eq!(error_of("[N+16]").0, BadCharge);
    assert_eq!(error_of("[C@TH3]").0, BadChirality);
    assert_eq!(error_of("C11").0, BadRingClosure);
    assert_eq!(error_of("C=1CC#1").0, RingBondMismatch);
    assert!(
        parse_molecule("C1CCCCC=1").is_ok(),
        "one end may give the order"
    );
    assert_eq!(error_of("C()C").0, BranchWithoutAtom);
    assert_eq!(error_of("(C)C").0, BranchWithoutAtom);
    assert_eq!(error_of("").0, Empty);
    assert_eq!(error_of("C C").0, UnexpectedCharacter);
    assert_eq!(error_of("C(C)(C)(C)(C)C"), (InvalidValence, 0, vec![0]));
    // Offsets count characters, not bytes.
    assert_eq!(error_of("CCé").1, 2);
    let e = parse_molecule("CC(C").unwrap_err();
    assert_eq!(e.to_string(), "unmatched parenthesis at column 2");
    let e = parse_molecule("CC[Xy]").unwrap_err();
    assert_eq!(e.to_string(), "unknown element 'Xy' at column 3");
}

#[test]
fn reactions_split_into_roles_and_species() {
    let r = parse_reaction("CC(=O)O.OCC>[H+]>CC(=O)OCC.O").unwrap();
    assert_eq!(
        (r.reactants.len(), r.agents.len(), r.products.len()),
        (2, 1, 2)
    );
    assert_eq!(r.products[0].atom_count(), 6);
    let r = parse_reaction("CC(=O)[O-]~[K+].CCBr>>CCOC(C)=O").unwrap();
    assert_eq!(r.reactants.len(), 2);
    assert_eq!(r.reactants[0].components().len(), 2);
    assert_eq!(r.reactants[0].atom_count(), 5);
    let r = parse_reaction("[Na+]~[OH-]>>").unwrap();
    assert_eq!((r.reactants.len(), r.products.len()), (1, 0));
    let r = parse_reaction(">>").unwrap();
    assert!(r.reactants.is_empty() && r.agents.is_empty() && r.products.is_empty());
    // Errors point into the whole reaction string.
    let e = parse_reaction("CC>>CC1").unwrap_err();
    assert_eq!((e.kind, e.offset), (SmilesErrorKind::UnclosedRing, 6));
    let e = parse_reaction("CC>O>c1ccccc1.c1cccc1").unwrap_err();
    assert_eq!((e.kind, e.offset), (SmilesErrorKind::CannotKekulize, 14));
    assert_eq!(
        parse_reaction("CC>C").unwrap_err().kind,
        SmilesErrorKind::BadReaction
    );
    assert_eq!(
        parse_reaction("C>C>C>C").unwrap_err().kind,
        SmilesErrorKind::BadReaction
    );
}

#[test]
fn hostile_input_is_rejected_without_panicking() {
    let inputs = [
        "(",
        ")",
        "[",
        "]",
        "%",
        "%(",
        "%(1",
        "C%(99999999)",
        "C%1",
        "[C@TH]",
        "[C@OH99]",
        "[99999999C]",
        "[C:99999999999]",
        "[CH9]",
        "C\u{0}",
        "\u{feff}C",
        "c",
        "[c]",
        "*",
        "C((C))",
        "C.",
        ".C",
        "C..C",
        "C(.C)",
        "[H+]",
        "C1.C1",
        "c1ccccc1~",
        "C/=C",
        "\\\\",
        "C%(12",
        ">",
        "[Na+]>>",
        "[C++++++++++++++++]",
        "[C-16]",
        "[N@@@]",
        "C@",
    ];
    for s in inputs {
        let _ = parse_molecule(s);
        let _ = parse_reaction(s);
    }
    assert!(
        parse_molecule("C1.C1").is_ok(),
        "a ring bond may join dot-separated parts"
    );
}

/// The SMILES column of a TSV or the last field of a CSV line.
fn smiles_column(line: &str, tsv: bool) -> Option<&str> {
    if tsv {
        line.split('\t').nth(1)
    } else {
        line.rsplit(',').next()
    }
}

#[test]
fn every_chebi20_and_approved_drug_smiles_parses() {
    let files = [
        ("data/chebi20/test.txt", true),
        ("data/chebi20/validation.txt", true),
        ("data/drugs/chembl_approved_drugs.csv", false),
    ];
    for (rel, tsv) in files {
        let Some(path) = shared_path(rel) else {
            return;
        };
        let text = std::fs::read_to_string(&path).unwrap();
        let mut failures = Vec::new();
        let mut count = 0;
        for line in text.lines().skip(1) {
            let Some(smiles) = smiles_column(line, tsv).filter(|s| !s.is_empty()) else {
                continue;
            };
            count += 1;
            if let Err(e) = parse_molecule(smiles) {
                failures.push(format!("{smiles}: {e}"));
            }
        }
        assert!(count > 2000, "{rel}: only {count} SMILES");
        assert!(failures.is_empty(), "{rel}: {failures:#?}");
    }
}

#[test]
fn hydrogen_counts_equal_rdkit_on_chebi20_and_drugs() {
    // `*.rdkit.tsv`: RDKit 2026.09's per-atom total H counts (column `hcounts`) for each SMILES.
    let files = [
        "data/chebi20/test.rdkit.tsv",
        "data/chebi20/validation.rdkit.tsv",
        "data/drugs/chembl_approved_drugs.rdkit.tsv",
    ];
    for rel in files {
        let Some(path) = shared_path(rel) else {
            return;
        };
        let text = std::fs::read_to_string(&path).unwrap();
        let mut differ = Vec::new();
        for line in text.lines().skip(1) {
            let cols: Vec<&str> = line.split('\t').collect();
            let (smiles, expected) = (cols[1], cols[7]);
            if expected.is_empty() {
                continue;
            }
            let mol = parse_molecule(smiles).unwrap();
            let mine: Vec<String> = mol
                .atoms()
                .map(|a| mol.atom(a).hydrogens.to_string())
                .collect();
            if mine.join(" ") != expected {
                differ.push(smiles.to_string());
            }
        }
        assert!(differ.is_empty(), "{rel}: {differ:#?}");
    }
}
