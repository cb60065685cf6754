//! Dative bonds and CXSMILES layers, against what RDKit 2026.09 reads from the same strings
//! (expected values taken from RDKit's output for each input).

use textchem::chem::canon::{canonical_cxsmiles, canonical_smiles};
use textchem::chem::props::formula::molecular_formula;
use textchem::chem::smiles::{SmilesErrorKind, parse_cxsmiles, parse_molecule, parse_reaction};
use textchem::chem::{AtomIdx, StereoGroupKind};

fn canon(s: &str) -> String {
    canonical_smiles(
        &parse_cxsmiles(s)
            .unwrap_or_else(|e| panic!("{s}: {e}"))
            .molecule,
    )
}

fn hydrogens(s: &str) -> Vec<u8> {
    let m = parse_molecule(s).unwrap_or_else(|e| panic!("{s}: {e}"));
    m.atom_values().map(|a| a.hydrogens).collect()
}

#[test]
fn dative_bonds_add_nothing_to_the_donor_and_one_to_the_acceptor() {
    // RDKit's H counts for the same strings.
    assert_eq!(hydrogens("N->[Pt]"), vec![3, 0]);
    assert_eq!(hydrogens("O->O"), vec![2, 1]);
    assert_eq!(hydrogens("CN(->[Cu])C"), vec![3, 1, 0, 3]);
    assert_eq!(hydrogens("C1->[Cu]OC1"), vec![3, 0, 0, 2]);
    let cisplatin = parse_molecule("[NH3]->[Pt](Cl)(Cl)<-[NH3]").unwrap();
    assert_eq!(molecular_formula(&cisplatin), "H6Cl2N2Pt");
    // The acceptor's valence is checked: N with three H accepting a bond is four-valent.
    let e = parse_molecule("[NH3]->[Pt]->[NH3]").unwrap_err();
    assert_eq!(e.kind, SmilesErrorKind::InvalidValence);
}

#[test]
fn dative_bonds_round_trip_in_either_direction_and_atom_order() {
    for (input, expected) in [
        ("[NH3]->[Pt](Cl)(Cl)<-[NH3]", "N->[Pt](<-N)(Cl)Cl"),
        ("[Pt]<-N", "N->[Pt]"),
        ("O->O", "O<-O"),
        ("[OH][Al](<-[OH2])<-[OH2]", "O[Al](<-O)<-O"),
        ("[Cu]1CCN->1", "C1C[Cu]<-N1"),
        ("[Cu]1CCN<-1", "C1C[Cu]->N1"),
    ] {
        assert_eq!(canon(input), expected, "{input}");
        assert_eq!(canon(expected), expected, "{expected}");
    }
    // Direction matters: the two are different molecules.
    assert_ne!(canon("[Cu]1CCN->1"), canon("[Cu]1CCN<-1"));
}

#[test]
fn dative_bonds_close_no_ring_and_are_no_reaction_arrow() {
    // RDKit leaves dative bonds out of rings, so these atoms are aromatic outside a ring.
    let e = parse_molecule("c1cc->[Fe]cc1").unwrap_err();
    assert_eq!(e.kind, SmilesErrorKind::AromaticOutsideRing);
    assert!(textchem::chem::smiles::is_reaction("CC>>CO"));
    assert!(!textchem::chem::smiles::is_reaction("N->[Pt]"));
    assert!(parse_reaction("N->[Pt]>>[Pt]").is_ok());
    let e = parse_molecule("C<C").unwrap_err();
    assert_eq!(e.kind, SmilesErrorKind::UnexpectedCharacter);
    assert_eq!(e.offset, 1);
}

#[test]
fn radicals_take_hydrogens_off_as_rdkit_does() {
    // RDKit: `CC |^1:1|` is [CH2]C, ^2..^4 two electrons, ^5..^7 three.
    assert_eq!(canon("CC |^1:1|"), "[CH2]C");
    assert_eq!(canon("CC |^3:1|"), "[CH]C");
    assert_eq!(canon("CC |^6:1|"), "[C]C");
    assert_eq!(canon("C[CH2] |^1:1|"), "[CH2]C");
    let cx = parse_cxsmiles("CC[NH2] |^1:2|").unwrap();
    assert_eq!(cx.warnings.len(), 1, "{:?}", cx.warnings);
    assert_eq!(canonical_smiles(&cx.molecule), "CCN");
    assert_eq!(canonical_cxsmiles(&cx.molecule), "CCN");
    let radical = parse_cxsmiles("CC |^1:1|").unwrap().molecule;
    assert_eq!(canonical_cxsmiles(&radical), "[CH2]C |^1:0|");
}

#[test]
fn enhanced_stereo_groups_are_kept_and_written_canonically() {
    let cx = parse_cxsmiles("C[C@H](O)CC |&1:1|").unwrap();
    assert!(cx.warnings.is_empty());
    let groups = &cx.molecule.stereo_groups;
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].kind, StereoGroupKind::And);
    assert_eq!(groups[0].atoms, vec![AtomIdx::new(1)]);
    // A racemate is one string whichever enantiomer was written; the pure one has no layer.
    let racemate = canon("C[C@H](O)CC |&1:1|");
    assert_eq!(racemate, canon("C[C@@H](O)CC |&1:1|"));
    assert_eq!(racemate, canon("CC[C@H](C)O |&1:2|"));
    assert!(racemate.ends_with(" |&1:2|"), "{racemate}");
    assert!(!canon("C[C@H](O)CC").contains('|'));
    // Kinds and numbering: RDKit writes `o1:` and `&1:` groups of their own.
    let two = canon("C[C@H](O)[C@H](C)O |&1:1,o1:3|");
    assert!(two.contains("o1:") && two.contains("&1:"), "{two}");
    assert_eq!(
        canon("C[C@H](O)[C@H](C)O |&1:1,3|"),
        canon("C[C@@H](O)[C@@H](C)O |&1:1,3|")
    );
    assert_ne!(
        canon("C[C@H](O)[C@H](C)O |&1:1,3|"),
        canon("C[C@H](O)[C@@H](C)O |&1:1,3|")
    );
    // An atom without a mark is left out, with a warning (RDKit drops it silently).
    let cx = parse_cxsmiles("C[C@H](O)CC |&1:1,&2:3|").unwrap();
    assert_eq!(cx.molecule.stereo_groups.len(), 1);
    assert_eq!(cx.warnings.len(), 1);
    assert_eq!(cx.warnings[0].column, 21);
    // Explicit hydrogens folded before writing keep the group on the right atom.
    assert_eq!(canon("[H]C([H])([H])[C@H](O)CC |&1:4|"), racemate);
}

#[test]
fn coordinate_bonds_and_double_bond_layers() {
    // RDKit: `C:atom.bond` makes the bond dative with that atom as donor.
    assert_eq!(canon("C[Pt]N |C:2.1|"), canon("C[Pt]<-N"));
    assert_eq!(canon("N[Pt]C |C:0.0|"), canon("N->[Pt]C"));
    // `c:` / `t:` relative to each end's lowest-numbered neighbour (RDKit's reading).
    assert_eq!(canon("CC(F)=CC |c:2|"), canon("C/C=C(\\C)F"));
    assert_eq!(canon("FC(C)=C(Cl)Br |t:2|"), canon("C/C(F)=C(\\Cl)Br"));
    assert_eq!(canon("C/C=C/C |ctu:1|"), "CC=CC");
}

#[test]
fn coordinates_are_ignored_and_other_layers_warned_about() {
    // Empty fields and lists and trailing commas are read as RDKit reads them.
    let quiet = [
        "C |(0,0,)|",
        "C[C@H](O)F |(0,0,;1,0,;1,1,;2,0,),wD:1.0|",
        "CC ||",
        "C |,|",
        "CC |^1:0,|",
        "CC |^1:0,,|",
        "C[C@H](O)F |&1:|",
    ];
    for s in quiet {
        let cx = parse_cxsmiles(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        assert!(cx.warnings.is_empty(), "{s}: {:?}", cx.warnings);
    }
    for (s, column, says) in [
        ("*C |$R1;$|", 4, "atom labels"),
        ("CC |$_AV:foo;bar$|", 4, "atom values"),
        ("CC |H:0|", 4, "hydrogen bonds"),
        ("CC(C)O |atomProp:0.foo.bar|", 8, "atom properties"),
        ("*CC* |Sg:n:1,2::ht:::|", 6, "S-groups"),
        ("CC |SgD:1:foo:bar::::|", 4, "S-groups"),
        ("C[C@H](O)CC |r|", 13, "relative-stereo"),
        ("CCO |(0,0,;1,0,;2,0,),wU:1.0|", 25, "wedge at atom 1"),
        ("CCC |rb:0:2|", 5, "query features"),
        ("*C.CC |m:0:2.3|", 7, "multi-centre"),
    ] {
        let cx = parse_cxsmiles(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        assert_eq!(cx.warnings.len(), 1, "{s}: {:?}", cx.warnings);
        assert_eq!(cx.warnings[0].column, column, "{s}");
        assert!(
            cx.warnings[0].message.contains(says),
            "{s}: {}",
            cx.warnings[0]
        );
    }
}

/// RDKit's coordinates for `C[C@H](O)F`, `C[C@@H](O)F` and `C[C@](O)(F)Cl`, and its wedges.
const DRAWN_CENTRES: [(&str, &str, &str); 3] = [
    (
        "C[C@H](O)F",
        "(-1.29904,-0.75,;0,0,;1.29904,-0.75,;0,1.5,)",
        "wU:1.0",
    ),
    (
        "C[C@@H](O)F",
        "(-1.29904,-0.75,;0,0,;1.29904,-0.75,;0,1.5,)",
        "wD:1.0",
    ),
    (
        "C[C@](O)(F)Cl",
        "(-1.29904,-0.75,;0,0,;1.29904,0.75,;0.75,-1.29904,;-0.75,1.29904,)",
        "wD:1.0",
    ),
];

#[test]
fn wedges_and_coordinates_give_an_unmarked_centre_its_configuration() {
    for (marked, coordinates, wedge) in DRAWN_CENTRES {
        let unmarked = marked.replace("@@", "").replace('@', "");
        let s = format!("{unmarked} |{coordinates},{wedge}|");
        let cx = parse_cxsmiles(&s).unwrap();
        assert!(cx.warnings.is_empty(), "{s}: {:?}", cx.warnings);
        assert_eq!(canonical_smiles(&cx.molecule), canon(marked), "{s}");
        // The hash instead of the wedge is the mirror image.
        let flipped = s.replace(
            wedge,
            &wedge.replace('U', "x").replace('D', "U").replace('x', "D"),
        );
        assert_eq!(canon(&flipped), canon(&mirrored(marked)), "{flipped}");
        // The marked SMILES with the same layer: the wedge agrees, nothing to say.
        let cx = parse_cxsmiles(&format!("{marked} |{coordinates},{wedge}|")).unwrap();
        assert!(cx.warnings.is_empty(), "{marked}: {:?}", cx.warnings);
    }
}

#[test]
fn a_wedge_against_the_at_mark_keeps_the_mark_and_says_so() {
    let (marked, coordinates, wedge) = DRAWN_CENTRES[0];
    let s = format!("{} |{coordinates},{}|", mirrored(marked), wedge);
    let cx = parse_cxsmiles(&s).unwrap();
    assert_eq!(canonical_smiles(&cx.molecule), canon(&mirrored(marked)));
    assert_eq!(cx.warnings.len(), 1, "{:?}", cx.warnings);
    assert!(cx.warnings[0].message.contains("other configuration"));
    assert_eq!(cx.warnings[0].column, s.find("wU").unwrap() + 3);
}

#[test]
fn wedges_that_cannot_be_read_are_warned_about() {
    for (s, says) in [
        // No coordinates to place the wedge.
        ("C[CH](O)F |wU:1.0|", "needs 2D coordinates"),
        // 3D coordinates: wedges belong to drawings.
        (
            "C[CH](O)F |(0,0,1;1,0,0;1,1,0;2,1,0),wU:1.0|",
            "needs 2D coordinates",
        ),
        // Not a possible centre.
        (
            "CCO |(0,0,;1,0,;2,0,),wU:1.0|",
            "cannot be a tetrahedral centre",
        ),
    ] {
        let cx = parse_cxsmiles(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        assert_eq!(cx.warnings.len(), 1, "{s}: {:?}", cx.warnings);
        assert!(
            cx.warnings[0].message.contains(says),
            "{s}: {}",
            cx.warnings[0]
        );
        assert!(!canonical_smiles(&cx.molecule).contains('@'), "{s}");
    }
}

#[test]
fn text_after_the_smiles_or_its_layer_is_a_name() {
    let cx = parse_cxsmiles("CC |^1:1|  ethyl radical").unwrap();
    assert_eq!(cx.name.as_deref(), Some("ethyl radical"));
    assert_eq!(canonical_smiles(&cx.molecule), "[CH2]C");
    let cx = parse_cxsmiles("CC\tethane").unwrap();
    assert_eq!(cx.name.as_deref(), Some("ethane"));
    assert_eq!(parse_cxsmiles(" CC ").unwrap().name, None);
}

#[test]
fn bad_layers_are_errors_with_their_column() {
    for (s, column) in [
        ("C |junk|", 3),
        ("CC |^1:5|", 7),
        ("CC |&1:x|", 7),
        ("CC |(0,0,|", 4),
        ("CC |C:0.5|", 6),
        ("C[Pt]N |C:0.1|", 10),
        ("CC |^1:0", 3),
        ("CC |^1:|", 4),
    ] {
        let e = parse_cxsmiles(s).expect_err(s);
        assert_eq!(e.kind, SmilesErrorKind::BadCxLayer, "{s}: {e}");
        assert_eq!(e.offset, column, "{s}: {e}");
    }
}

/// `@` and `@@` swapped: the mirror image of every written centre.
fn mirrored(s: &str) -> String {
    s.replace("@@", "\u{0}")
        .replace('@', "@@")
        .replace('\u{0}', "@")
}

#[test]
fn rdkit_written_cxsmiles_and_dative_forms_read_as_rdkit_reads_them() {
    let fixture = include_str!("../fixtures/chem/rdkit_dialects_cxsmiles.tsv");
    let mut source = std::collections::HashMap::new();
    let mut rows = Vec::new();
    for line in fixture
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("id\t"))
    {
        let cols: Vec<&str> = line.split('\t').collect();
        let (id, dialect, smiles, rdkit) = (cols[0], cols[1], cols[2], cols[3]);
        if dialect == "canonical" {
            source.insert(id, canon(smiles));
        }
        rows.push((id, dialect, smiles, rdkit));
    }
    let mut checked = [0; 4];
    for (id, dialect, smiles, rdkit) in rows {
        let ours = canon(smiles);
        match dialect {
            // Coordinates add nothing: the molecule RDKit wrote them for.
            "cx_coords" => {
                assert_eq!(Some(&ours), source.get(id), "{id}: {smiles}");
                checked[0] += 1;
            }
            // All centres in one AND group: the layer lists them, the mirror image gives the
            // same string, and without the layer the SMILES is RDKit's molecule or its mirror.
            // Without `@` marks: every centre as its wedge and the coordinates draw it.
            "cx_wedges" => {
                assert_eq!(Some(&ours), source.get(id), "{id}: {smiles}");
                assert_eq!(ours, canon(rdkit), "{id}: RDKit reads {rdkit}");
                checked[3] += 1;
            }
            "cx_enhanced" => {
                let (plain, layer) = ours.split_once(" |").expect("a layer");
                let (_, written) = smiles.split_once(" |").unwrap();
                let count = |l: &str| l.trim_end_matches('|')[3..].split(',').count();
                assert!(layer.starts_with("&1:"), "{id}: {ours}");
                assert_eq!(count(layer), count(written), "{id}: {ours}");
                let (input_smiles, input_layer) = smiles.split_once(' ').unwrap();
                let mirror = format!("{} {input_layer}", mirrored(input_smiles));
                assert_eq!(canon(&mirror), ours, "{id}: {smiles}");
                let plain = canon(plain);
                assert!(
                    plain == canon(rdkit) || plain == canon(&mirrored(rdkit)),
                    "{id}: {ours} vs RDKit {rdkit}"
                );
                checked[1] += 1;
            }
            "dative" => {
                assert_eq!(ours, canon(rdkit), "{id}: {smiles}");
                assert_eq!(canon(&ours), ours, "{id}: round trip");
                assert!(ours.contains("->") || ours.contains("<-"), "{ours}");
                checked[2] += 1;
            }
            _ => {}
        }
    }
    assert_eq!(checked, [40, 23, 5, 23]);
}
