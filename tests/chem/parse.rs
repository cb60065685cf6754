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
fn fused_and_odd_membered_aromatic_systems_kekulize() {
    for smiles in [
        "c1ccc2cc3ccccc3cc2c1",                   // anthracene
        "c1cc2ccc3cccc4ccc(c1)c2c34",             // pyrene
        "c1cc2ccc3ccc4ccc5ccc6ccc1c7c2c3c4c5c67", // coronene
        "c1ccc2cccc2cc1",                         // azulene: 5 + 7 ring
        "c1ccn2cccc2c1",                          // indolizine: n shared by both rings
        "Cn1cnc2c1c(=O)n(C)c(=O)n2C",             // caffeine
        "O=c1[nH]c(=O)c2[nH]c(=O)[nH]c2[nH]1",    // uric acid
        "c1ccc2c(c1)oc1ccccc12",                  // dibenzofuran
    ] {
        let mol = parse_molecule(smiles).unwrap_or_else(|e| panic!("{smiles}: {e}"));
        // No atom ends with two double bonds, and every aromatic carbon has exactly one.
        for a in mol.atoms() {
            let doubles = double_bonds_per_atom(&mol)[a.index()];
            assert!(doubles <= 1, "{smiles}: atom {}", a.index());
            if mol.atom(a).aromatic && mol.atom(a).element.symbol() == "C" {
                assert_eq!(doubles, 1, "{smiles}: atom {}", a.index());
            }
        }
    }
}

#[test]
fn wildcard_atoms_in_aromatic_rings() {
    // A `*` inside a ring takes the double bond its neighbours need, or none.
    let mol = parse_molecule("c1cc*cc1").unwrap();
    assert_eq!(double_bonds_per_atom(&mol), vec![1; 6]);
    let mol = parse_molecule("c1c*cc1").unwrap();
    assert_eq!(double_bonds_per_atom(&mol), vec![1, 1, 0, 1, 1]);
    // R groups keep plain single bonds and take no part in kekulization.
    let mol = parse_molecule("*c1ccc(*)cc1").unwrap();
    let star_bond = mol.bond_between(atom(0), atom(1)).unwrap();
    assert!(!mol.bond(star_bond).aromatic);
    assert_eq!(hydrogens("*c1ccc(*)cc1"), vec![0, 0, 1, 1, 0, 0, 1, 1]);
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
    // Nitrogen fills to 3 only (RDKit): four bonds is an error, five as written carry no H.
    assert_eq!(hydrogens("N(C)(C)(C)(C)C"), vec![0, 3, 3, 3, 3, 3]);
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
    assert_eq!(error_of("CCNa"), (UnknownElement, 2, vec![]));
    assert_eq!(
        parse_molecule("[Cl-].Na").unwrap_err().to_string(),
        "unknown element 'Na' (write it in brackets) at column 6"
    );
    assert_eq!(error_of("CCZn").1, 2);
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
    assert_eq!(error_of("CC[O-]C").2, vec![2]);
    // A bond to a metal is a dative bond when the ligand's valence is already full.
    assert!(parse_molecule("CC1=[O][Fe]ON1C").is_ok());
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
    // Hundreds of bonds on one atom: an impossible valence, not an overflow.
    let star = format!("C{}", "(#C)".repeat(300));
    assert_eq!(error_of(&star).0, SmilesErrorKind::InvalidValence);
    let star = format!("[Fe]{}", "($[Fe])".repeat(300));
    assert!(parse_molecule(&star).is_ok());
}

#[test]
fn large_inputs_are_read_in_linear_passes() {
    let chain = "C".repeat(100_000);
    assert_eq!(parse_molecule(&chain).unwrap().atom_count(), 100_000);
    let nested = format!("{}C{}", "C(".repeat(10_000), ")".repeat(10_000));
    assert_eq!(parse_molecule(&nested).unwrap().atom_count(), 10_001);
    let ring = format!("c1{}1", "c".repeat(9_999));
    let mol = parse_molecule(&ring).unwrap();
    assert_eq!(double_bonds_per_atom(&mol), vec![1; 10_000]);
    let odd_ring = format!("c1{}1", "c".repeat(10_000));
    let err = parse_molecule(&odd_ring).unwrap_err();
    assert_eq!(err.atoms.len(), 10_001);
    // 20,000 ring bonds open at once, then closed in the same order.
    let opens: String = (0..20_000).map(|i| format!("C%({i})")).collect();
    let mol = parse_molecule(&format!("{opens}{opens}")).unwrap();
    assert_eq!(mol.bond_count(), 39_999 + 20_000);
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

/// A neighbour of a stereo centre in the original molecule's numbering (`None`: implicit H or
/// lone pair).
type NeighborKey = Option<usize>;

/// Whether `b` is an even permutation of `a` (`None` when they hold different neighbours).
fn even_permutation(a: &[NeighborKey], b: &[NeighborKey]) -> Option<bool> {
    let mut b = b.to_vec();
    let mut even = true;
    for (i, key) in a.iter().enumerate() {
        let j = b.iter().skip(i).position(|k| k == key)? + i;
        if j != i {
            b.swap(i, j);
            even = !even;
        }
    }
    Some(even)
}

#[test]
fn stereo_survives_rdkit_rewriting() {
    // Fixture: ChEBI-20 stereo SMILES and RDKit's random-order rewrites (see its header and
    // scripts/stereo_pairs_rdkit.py). Both strings must give the same configurations.
    let text = include_str!("fixtures/stereo_pairs.tsv");
    let (mut centres, mut double_bonds) = (0, 0);
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let cols: Vec<&str> = line.split('\t').collect();
        let original = parse_molecule(cols[0]).unwrap();
        let rewrite = parse_molecule(cols[1]).unwrap();
        let to_original: Vec<usize> = cols[2].split(' ').map(|n| n.parse().unwrap()).collect();
        let mut to_rewrite = vec![0; to_original.len()];
        for (j, &i) in to_original.iter().enumerate() {
            to_rewrite[i] = j;
        }
        let key =
            |n: &StereoNeighbor, map: &dyn Fn(usize) -> usize| n.atom().map(|a| map(a.index()));
        for a in original.atoms() {
            let (Some(s), Some(t)) = (
                original.atom(a).stereo.as_ref(),
                rewrite.atom(atom(to_rewrite[a.index()])).stereo.as_ref(),
            ) else {
                continue;
            };
            let mine: Vec<NeighborKey> = s.neighbors.iter().map(|n| key(n, &|i| i)).collect();
            let theirs: Vec<NeighborKey> = t
                .neighbors
                .iter()
                .map(|n| key(n, &|j| to_original[j]))
                .collect();
            let even = even_permutation(&mine, &theirs)
                .unwrap_or_else(|| panic!("{}: atom {a:?} neighbours differ", cols[0]));
            assert!(
                (s.class == t.class) == even,
                "{} vs {}: atom {} configuration differs",
                cols[0],
                cols[1],
                a.index()
            );
            centres += 1;
        }
        for b in original.bonds() {
            let Some(s) = original.bond(b).stereo else {
                continue;
            };
            let (u, v) = original.bond_atoms(b);
            let rb = rewrite
                .bond_between(atom(to_rewrite[u.index()]), atom(to_rewrite[v.index()]))
                .unwrap();
            let Some(t) = rewrite.bond(rb).stereo else {
                continue;
            };
            let (x, _) = rewrite.bond_atoms(rb);
            let (t_u_ref, t_v_ref) = if to_original[x.index()] == u.index() {
                (t.begin_ref, t.end_ref)
            } else {
                (t.end_ref, t.begin_ref)
            };
            // A different reference atom on one end flips cis and trans.
            let mut cis = t.cis;
            if to_original[t_u_ref.index()] != s.begin_ref.index() {
                cis = !cis;
            }
            if to_original[t_v_ref.index()] != s.end_ref.index() {
                cis = !cis;
            }
            assert_eq!(cis, s.cis, "{} vs {}: bond {:?}", cols[0], cols[1], (u, v));
            double_bonds += 1;
        }
    }
    eprintln!("compared {centres} centres, {double_bonds} double bonds");
    assert!(
        centres > 1000 && double_bonds > 50,
        "{centres} {double_bonds}"
    );
}

#[test]
fn every_uspto_reaction_parses() {
    // USPTO-50K (atom-mapped `reactants>>product`, third CSV column) and USPTO-MIT (TSV columns
    // reactants, reagents, product).
    let mut failures = Vec::new();
    let mut count = 0;
    for rel in ["uspto50k/test.csv", "uspto50k/valid.csv"] {
        let Some(path) = shared_path(&format!("data/reactions/{rel}")) else {
            return;
        };
        for line in std::fs::read_to_string(path).unwrap().lines().skip(1) {
            let rxn = line.splitn(3, ',').nth(2).unwrap_or_default();
            count += 1;
            if let Err(e) = parse_reaction(rxn) {
                failures.push(format!("{rxn}: {e}"));
            }
        }
    }
    let Some(path) = shared_path("data/reactions/uspto_mit/test_unmapped.tsv") else {
        return;
    };
    for line in std::fs::read_to_string(path).unwrap().lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let rxn = format!("{}>{}>{}", cols[1], cols[2], cols[3]);
        count += 1;
        if let Err(e) = parse_reaction(&rxn) {
            failures.push(format!("{rxn}: {e}"));
        }
    }
    assert!(count > 50_000, "only {count} reactions");
    // Six USPTO-MIT reagent records are impossible species (RDKit 2026.09 rejects them too): a
    // carbocation `[CH2+]` with four bonds and a six-coordinate `[IH2+3]`.
    let impossible = [
        "[N]1[CH2+]([S][CH3])[S]",
        "[Br][CH2][CH2+]([C]([F])([F])[CH2][F])",
        "[OH][IH2+3]([O-])([OH])([OH])([OH])[OH]",
    ];
    let unexpected: Vec<&String> = failures
        .iter()
        .filter(|f| !(f.contains("impossible valence") && impossible.iter().any(|s| f.contains(s))))
        .collect();
    assert!(unexpected.is_empty(), "{unexpected:#?}");
    assert_eq!(failures.len(), 6);
}

/// Atom labels that tell the atoms of a small molecule apart whatever the atom order: element,
/// refined three times by the sorted labels of the neighbours. `None` if two atoms share one.
fn order_free_labels(mol: &Molecule) -> Option<Vec<String>> {
    let mut labels: Vec<String> = mol
        .atoms()
        .map(|a| mol.atom(a).element.symbol().to_string())
        .collect();
    for _ in 0..3 {
        labels = mol
            .atoms()
            .map(|a| {
                let mut around: Vec<&str> = mol
                    .neighbors(a)
                    .iter()
                    .map(|(n, _)| labels[n.index()].as_str())
                    .collect();
                around.sort();
                format!("{}({})", labels[a.index()], around.join(","))
            })
            .collect();
    }
    let mut sorted = labels.clone();
    sorted.sort();
    sorted.dedup();
    (sorted.len() == labels.len()).then_some(labels)
}

/// Tetrahedral parities and cis/trans flags keyed by order-free labels, comparable between two
/// SMILES of one molecule.
fn configurations(mol: &Molecule) -> Option<Vec<(String, bool)>> {
    let labels = order_free_labels(mol)?;
    let mut out = Vec::new();
    for a in mol.atoms() {
        let Some(stereo) = &mol.atom(a).stereo else {
            continue;
        };
        let keys: Vec<NeighborKey> = stereo
            .neighbors
            .iter()
            .map(|n| n.atom().map(|x| x.index()))
            .collect();
        // Sort the neighbours by label; the permutation's parity says how the order differed.
        let mut sorted = keys.clone();
        sorted.sort_by_key(|k| k.map(|i| labels[i].clone()));
        let even = even_permutation(&sorted, &keys)?;
        let clockwise = stereo.class == StereoClass::Tetrahedral { clockwise: true };
        out.push((labels[a.index()].clone(), clockwise == even));
    }
    for b in mol.bonds() {
        let Some(s) = mol.bond(b).stereo else {
            continue;
        };
        // Reference on each end: the neighbour with the smallest label.
        let (u, v) = mol.bond_atoms(b);
        let lowest = |end: AtomIdx, other: AtomIdx| {
            mol.neighbors(end)
                .iter()
                .map(|(n, _)| *n)
                .filter(|&n| n != other)
                .min_by_key(|n| labels[n.index()].clone())
        };
        let mut cis = s.cis;
        if lowest(u, v)? != s.begin_ref {
            cis = !cis;
        }
        if lowest(v, u)? != s.end_ref {
            cis = !cis;
        }
        let mut ends = [labels[u.index()].clone(), labels[v.index()].clone()];
        ends.sort();
        out.push((ends.join("="), cis));
    }
    out.sort();
    Some(out)
}

/// One SMILES and the configurations read from it.
type StereoReading<'a> = (&'a str, Vec<(String, bool)>);

#[test]
fn every_writing_of_a_stereoisomer_reads_the_same() {
    // NextMove's 4-stereosmiles sets: all SMILES that share an id are one stereoisomer, written
    // with the marks in every position (branches, ring-closure digits, distant digits).
    for set in [
        "tetrahedral",
        "tetrahedral_distantbcdigit",
        "cistrans",
        "cistrans_nitrogen",
    ] {
        let Some(path) = shared_path(&format!("data/smilesreading/4-stereosmiles/{set}.smi"))
        else {
            return;
        };
        let text = std::fs::read_to_string(path).unwrap();
        let mut groups: std::collections::BTreeMap<&str, Vec<StereoReading>> = Default::default();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let (smiles, id) = line.split_once(char::is_whitespace).unwrap();
            let mol = parse_molecule(smiles).unwrap_or_else(|e| panic!("{set} {smiles}: {e}"));
            let config = configurations(&mol).unwrap_or_else(|| panic!("{smiles}: symmetric"));
            assert!(!config.is_empty(), "{set} {smiles}: no stereo read");
            groups.entry(id.trim()).or_default().push((smiles, config));
        }
        for (id, members) in groups {
            let (first, reference) = &members[0];
            for (smiles, config) in &members[1..] {
                assert_eq!(config, reference, "{set} id {id}: {smiles} vs {first}");
            }
        }
    }
}
