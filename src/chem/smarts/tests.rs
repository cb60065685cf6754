//! Pattern semantics and parse errors; expected counts are RDKit 2026.09's
//! (`len(mol.GetSubstructMatches(Chem.MolFromSmarts(p)))`).

use super::Smarts;
use crate::chem::smiles::parse_molecule;

fn count(pattern: &str, smiles: &str) -> usize {
    let p = Smarts::parse(pattern).unwrap_or_else(|e| panic!("{pattern}: {e}"));
    p.count_unique(&parse_molecule(smiles).expect("test SMILES"))
}

const RANGES: &str = "OCC(N)c1ccncc1C(=O)NCCl";

#[test]
fn counts_match_rdkit() {
    let cases: &[(&str, &str, usize)] = &[
        ("[h]", "C[NH3+]", 2),
        ("[h1]", "c1cc[nH]c1", 5),
        ("[h]", "[H]OC", 2),
        ("[H]", "[2H]C", 1),
        ("[#1]", "[2H]C", 1),
        ("[#1]", "[H]C", 0),
        ("[H+]", "[H+]", 1),
        ("[2H]", "[2H]OC", 1),
        ("[X4]", "C[NH3+]", 2),
        ("[D1]", "[2H]OC", 2),
        ("[x]", "C1CCCC1C", 5),
        ("[x2]", "C1CC2CC1C2", 4),
        ("[v4]", "c1ccccc1", 6),
        ("[v3]", "c1cc[nH]c1", 1),
        ("C", "c1ccccc1", 0),
        ("[C,c;H1]", "c1ccccc1C", 5),
        ("[!C;!c;R]", "C1CCOC1", 1),
        ("*~*", "[Na+].[Cl-]", 0),
        ("[Rh]", "[Rh]", 1),
        ("C-C", "c1ccccc1", 0),
        ("CC", "c1ccccc1", 0),
        ("c:c", "C1=CC=CC=C1", 6),
        ("[#6]/[#6]", "CC", 1),
        ("[C;R2]", "C12CCCCC1CCCC2", 2),
        ("[r5]", "C1CCC2C1CCCC2", 5),
        ("[$(C=O);!$(C-N)]", "CC(=O)NC(C)=O.CC=O", 1),
        ("O=[C;!$(C-[OH])]", "CC(=O)O", 0),
        ("[a;r6]", "c1ccc2ccccc2c1", 10),
        ("[N&+]", "C[N+](C)(C)C", 1),
        ("[!#6&!#1]", "CNO", 2),
        ("[C,N;!H0]", "CNC", 3),
        ("[O;H1,-1]", "CC(=O)[O-]", 1),
        ("[R0]", "CC1CC1", 1),
        ("C~C~C", "CCCC", 2),
        ("*!@*", "C1CCCCC1CC", 2),
        ("[#7;v5]", "C[N+](=O)[O-]", 0),
        ("[S;v6]", "CS(=O)(=O)C", 1),
        ("C.C", "CCC", 3),
        ("[++]", "[Fe+2]", 1),
        ("[-]", "[O-]C", 1),
        ("[13C]", "[13CH4]", 1),
        ("[se]", "c1cc[se]c1", 1),
        ("[Cl]", "CCl", 1),
        ("[C@H](F)(Cl)Br", "F[C@@H](Cl)Br", 1),
        ("[Cr]$[Cr]", "[Cr]$[Cr]", 1),
        ("[h1]", "[2H]OC", 0),
        ("[h0]", "[2H]OC", 2),
        ("[H1]", "[2H]OC", 1),
        ("[X2]", "[2H]OC", 1),
        ("[v2]", "[2H]OC", 1),
        ("[h3]", "[NH3+]C", 2),
        // RDKit's extensions: ranges and heteroatom neighbours.
        ("[D{2-3}]", RANGES, 11),
        ("[D{-1}]", RANGES, 4),
        ("[h{2-}]", RANGES, 3),
        ("[r{-1}]", RANGES, 9),
        ("[R{-1}]", RANGES, 15),
        ("[v{-1}]", RANGES, 1),
        ("[x{2-3}]", RANGES, 6),
        ("[X{2-}]", RANGES, 13),
        ("[D{3-2}]", RANGES, 0),
        ("[z]", RANGES, 6),
        ("[Z]", RANGES, 4),
        ("[z2]", RANGES, 2),
        ("[Z1]", RANGES, 2),
        ("[Z0]", RANGES, 11),
        ("[z{2-3}]", RANGES, 2),
        // RDKit keeps a hydrogen that alone fixes a double bond's configuration.
        ("[#1]", "[H]/N=C/C", 1),
        ("[D1]", "[H]/N=C/C", 2),
        ("[#1]", "[H][H]", 2),
        ("[Cr]-[Cr]", "[Cr]$[Cr]", 0),
        // The third ring of bicyclo[2.2.2]octane counts, as in RDKit's symmetrized SSSR.
        ("[R3]", "C12CCC(CC1)CC2", 2),
    ];
    for &(p, s, want) in cases {
        assert_eq!(count(p, s), want, "{p} on {s}");
    }
}

#[test]
fn operator_precedence() {
    // `,` binds tighter than `;`, `&` tighter than `,`: [C,N;H1] is (C or N) and H1, while
    // [C,N&H1] is C or (N and H1).
    assert_eq!(count("[C,N;H1]", "CC(C)N(C)C"), 1);
    assert_eq!(count("[C,N&H1]", "CC(C)N(C)C"), 5);
    assert_eq!(count("[!C;!N]", "CCO"), 1);
    assert_eq!(count("[!!C]", "CCO"), 2);
}

#[test]
fn matches_are_unique_by_atom_set_in_pattern_order() {
    let p = Smarts::parse("C(O)O").unwrap();
    let m = p.matches(&parse_molecule("OC(O)C").unwrap());
    assert_eq!(m.len(), 1);
    assert_eq!(m[0][0].index(), 1);
    assert!(p.is_match(&parse_molecule("OCO").unwrap()));
    assert!(!p.is_match(&parse_molecule("CO").unwrap()));
}

#[test]
fn errors_name_the_column() {
    let cases: &[(&str, usize)] = &[
        ("C(", 1),
        ("C)", 1),
        ("[C", 0),
        ("C=", 1),
        ("C1CC", 1),
        ("[$(C]", 4),
        ("", 0),
        ("C((C))", 2),
        ("[Q]", 1),
        ("C..C", 2),
        ("[!]", 2),
        ("C&C", 1),
        ("[#200]", 1),
        ("C%1", 2),
        ("=C", 0),
        ("C(=)C", 3),
        ("[C+16]", 2),
        ("Cé", 1),
        ("[D{}]", 3),
        ("[D{2}]", 4),
        ("[H{1-2}]", 2),
    ];
    for &(p, col) in cases {
        let e = Smarts::parse(p).expect_err(p);
        assert_eq!(e.column, col, "{p}: {e}");
    }
}

#[test]
fn a_search_past_its_step_limit_says_so() {
    let p = Smarts::parse("*.*.*.*.*.*").unwrap();
    let target = super::PreparedMolecule::new(&parse_molecule("CCCCCCCCCCCC").unwrap());
    let e = p.matches_limited(&target, 10_000).unwrap_err();
    assert!(e.found.len() < 924, "{e}");
    assert_eq!(p.matches_limited(&target, u64::MAX).unwrap().len(), 924);
}

#[test]
fn hostile_patterns_are_refused_or_matched_without_deep_recursion() {
    let many_not = format!("[{}C]", "!".repeat(100_001));
    assert_eq!(count(&many_not, "CO"), 1);
    let long_chain = "C".repeat(5000);
    let e = Smarts::parse(&long_chain).unwrap_err();
    assert_eq!(e.column, 1000, "{e}");
    let nested = format!("{}C{}", "[$(".repeat(100), ")]".repeat(100));
    assert!(Smarts::parse(&nested).is_err());
}
