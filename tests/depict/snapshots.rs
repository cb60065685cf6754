//! SVG snapshots of a fixed set of drawings, reviewed by eye once (docs/gallery shows them) and
//! guarded here. Run with `UPDATE_SNAPSHOTS=1` to rewrite them after an intended change.

use textchem::chem::smiles::parse_reaction;
use textchem::depict::{molecule_svg, reaction_svg};

use super::mol;

const CASES: &[(&str, &str)] = &[
    ("benzene", "c1ccccc1"),
    ("caffeine", "Cn1c(=O)c2c(ncn2C)n(C)c1=O"),
    ("salt", "[Na+].[O-]C(=O)c1ccccc1"),
    ("isotope", "[13CH3]C(=O)[18OH]"),
    ("stereocentre", "N[C@@H](C)C(=O)O"),
    ("alkene", "C/C=C/C(=O)O"),
    ("radical", "CC1(C)CCCC(C)(C)N1[O]"),
    ("macrocycle_trans", "O=C1CCCC/C=C/CCCCCO1"),
];

const REACTION: (&str, &str) = ("reaction", "CC(=O)O.OCC>[H+]>CC(=O)OCC.O");

fn check(name: &str, svg: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/depict/snapshots")
        .join(format!("{name}.svg"));
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, svg).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing snapshot {}", path.display()));
    assert_eq!(
        svg, want,
        "{name}: drawing changed (UPDATE_SNAPSHOTS=1 to accept)"
    );
}

#[test]
fn molecule_drawings_match_their_snapshots() {
    for (name, smiles) in CASES {
        check(name, &molecule_svg(&mol(smiles), 400.0, 300.0));
    }
}

#[test]
fn reaction_drawing_matches_its_snapshot() {
    let rxn = parse_reaction(REACTION.1).unwrap();
    check(REACTION.0, &reaction_svg(&rxn, 700.0, 250.0));
}

#[test]
fn radicals_are_drawn_as_dots() {
    // TEMPO: one unpaired electron on the oxygen; methyl radical: one; closed shells: none.
    let dots = |smiles: &str| {
        molecule_svg(&mol(smiles), 400.0, 300.0)
            .matches("<circle")
            .count()
    };
    assert_eq!(dots("CC1(C)CCCC(C)(C)N1[O]"), 1);
    assert_eq!(dots("[CH3]"), 1);
    assert_eq!(dots("[O]"), 2);
    assert_eq!(dots("CC(=O)[O-]"), 0);
}

#[test]
fn drawings_follow_the_conventions() {
    // Implicit carbons, OH on the side away from its bond, charges and isotopes written.
    let svg = molecule_svg(&mol("[Na+].[O-]C(=O)c1ccccc1"), 400.0, 300.0);
    assert!(svg.contains(">Na<") && svg.contains(">+<") && svg.contains(">\u{2212}<"));
    assert!(!svg.contains(">C<"));
    let svg = molecule_svg(&mol("[13CH3]C(=O)[18OH]"), 400.0, 300.0);
    assert!(svg.contains(">13<") && svg.contains(">18<"));
    // A stereocentre gets exactly one wedge or hash.
    let svg = molecule_svg(&mol("N[C@@H](C)C(=O)O"), 400.0, 300.0);
    let wedges = svg.matches("<polygon").count();
    let hashes = svg.matches("stroke-width=").count() - svg.matches("<line").count();
    assert!(wedges == 1 || svg.contains("<line") && hashes == 0);
}
