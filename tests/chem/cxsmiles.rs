//! Dative bonds and CXSMILES layers, against what RDKit 2026.09 reads from the same strings
//! (expected values taken from RDKit's output for each input).

use textchem::chem::canon::{
    canonical_cxsmiles, canonical_reaction_cxsmiles, canonical_reaction_smiles, canonical_smiles,
};
use textchem::chem::props::formula::molecular_formula;
use textchem::chem::smiles::{
    SmilesErrorKind, parse_cxreaction, parse_cxsmiles, parse_molecule, parse_reaction,
};
use textchem::chem::{AtomIdx, Molecule, StereoGroupKind};

use crate::canonical::Shuffler;

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
    // A ring of fewer than eight atoms holds its double bonds cis: the flags add nothing (ChemAxon
    // writes them on benzene's Kekulé bonds).
    assert_eq!(canon("C1CC=CCC1 |c:2|"), canon("C1CC=CCC1"));
    assert_eq!(
        canon("C/C=C/C1=CC=CC=C1 |c:5,7,t:3|"),
        canon("C/C=C/c1ccccc1")
    );
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
        ("CC |$a;b;c$|", 9, "atom labels past atom 1"),
        ("CC |$_AV:;;c$|", 11, "atom values past atom 1"),
        ("CC |H:0|", 4, "hydrogen bonds"),
        ("CC(C)O |atomProp:0.foo.bar|", 8, "atom properties"),
        ("*CC* |Sg:n:1,2::ht:::|", 6, "S-groups"),
        ("CC |SgD:1:foo:bar::::|", 4, "S-groups"),
        ("C[C@H](O)CC |r|", 13, "relative-stereo"),
        ("CCO |(0,0,;1,0,;2,0,),wU:1.0|", 25, "wedge at atom 1"),
        ("CCC |rb:0:2|", 5, "query features"),
        ("*C.CC |m:0:2.3|", 7, "multi-centre"),
    ] {
        assert_one_warning(s, column, says);
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

/// Reading `s` gives exactly one warning, at `column`, that says `says`.
fn assert_one_warning(s: &str, column: usize, says: &str) {
    let cx = parse_cxsmiles(s).unwrap_or_else(|e| panic!("{s}: {e}"));
    assert_eq!(cx.warnings.len(), 1, "{s}: {:?}", cx.warnings);
    assert_eq!(cx.warnings[0].column, column, "{s}");
    assert!(
        cx.warnings[0].message.contains(says),
        "{s}: {}",
        cx.warnings[0]
    );
}

#[test]
fn coordinates_that_do_not_read_are_warned_about_with_their_column() {
    for (s, column, says) in [
        ("CC |(0,0,;1,x,)|", 10, "'1,x,' is not x,y,z"),
        ("CC |(0,0,;1,nan,)|", 10, "is not x,y,z"),
        ("CC |(0,0,)|", 4, "1 positions for 2 atoms"),
    ] {
        assert_one_warning(s, column, says);
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

fn cx(s: &str) -> Molecule {
    parse_cxsmiles(s)
        .unwrap_or_else(|e| panic!("{s}: {e}"))
        .molecule
}

fn labels(m: &Molecule) -> Vec<Option<&str>> {
    m.atom_values().map(|a| a.label()).collect()
}

#[test]
fn atom_labels_and_values_are_kept_and_written_in_output_order() {
    let m = cx("OCC |$foo;;$,$_AV:;7;$|");
    assert_eq!(labels(&m), vec![Some("foo"), None, None]);
    assert_eq!(m.atom(AtomIdx::new(1)).value(), Some("7"));
    // RDKit's MolToCXSmiles for the same strings: where textchem's canonical SMILES is RDKit's,
    // so is the layer.
    for (input, rdkit) in [
        ("*c1ccccc1 |$_R1;;;;;;$|", "*c1ccccc1 |$_R1;;;;;;$|"),
        ("OCC |$foo;;$|", "CCO |$;;foo$|"),
        ("CC* |$;;A_p$,$_AV:;;5$|", "*CC |$A_p;;$,$_AV:5;;$|"),
        (
            "[CH2]C[C@H](O)C* |^1:0,a:2,$;;;;;_R1$,$_AV:;;;;;7$|",
            "*C[C@@H](O)C[CH2] |$_R1;;;;;$,$_AV:7;;;;;$,^1:5,a:2|",
        ),
        ("CC |$a;b$,$_AV:1;2$|", "CC |$a;b$,$_AV:1;2$|"),
        ("[H]OC |$;x;$|", "CO |$;x$|"),
    ] {
        assert_eq!(canonical_cxsmiles(&cx(input)), rdkit, "{input}");
    }
    // Plain canonical SMILES has no label layer, and is the unlabelled molecule's.
    assert_eq!(canonical_smiles(&cx("*C* |$_R1;;_R2$|")), "*C*");
    // Labels read without warnings; too many entries are ignored with one, as RDKit ignores them.
    assert!(
        parse_cxsmiles("*C* |$_R1;;_R2$|")
            .unwrap()
            .warnings
            .is_empty()
    );
    assert_eq!(canonical_cxsmiles(&cx("CC |$a;b;c;d$|")), "CC |$a;b$|");
}

#[test]
fn label_escapes_are_read_and_written_as_rdkit_does() {
    let m = cx("CCO |$a&#59;b;c&#36;d;e&#124;f&#38;g$|");
    assert_eq!(labels(&m), vec![Some("a;b"), Some("c$d"), Some("e|f&g")]);
    assert_eq!(
        canonical_cxsmiles(&m),
        "CCO |$a&#59;b;c&#36;d;e&#124;f&#38;g$|"
    );
    // RDKit escapes controls, `$&';` `` ` `` `{|}` and DEL; `&` not starting `&#` is plain text.
    assert_eq!(
        canonical_cxsmiles(&cx("CC |$a&b;&#123;c&#125;&#9;&#39;&#96;$|")),
        "CC |$a&#38;b;&#123;c&#125;&#9;&#39;&#96;$|"
    );
    // Non-ASCII text is written as it is (RDKit writes each UTF-8 byte sign-extended, and reads
    // those escapes back: so do we).
    assert_eq!(labels(&cx("CC |$;Ä$|"))[1], Some("Ä"));
    assert_eq!(
        labels(&cx("CC |$;&#4294967235;&#4294967172;$|"))[1],
        Some("Ä")
    );
    assert_eq!(canonical_cxsmiles(&cx("CC |$;Ä$|")), "CC |$;Ä$|");
    // RDKit rejects a malformed escape.
    for (s, column) in [
        ("CC |$a&#59b;$|", 6),
        ("CC |$&#x41;;$|", 5),
        ("CC |$;&#;$|", 6),
        ("CC |$&#195;;$|", 5),
    ] {
        let e = parse_cxsmiles(s).expect_err(s);
        assert_eq!(e.kind, SmilesErrorKind::BadCxLayer, "{s}: {e}");
        assert_eq!(e.offset, column, "{s}: {e}");
    }
}

#[test]
fn labels_tell_symmetric_atoms_apart_in_any_atom_order() {
    // RDKit's output for these depends on the input order; ours is one string per molecule.
    for (a, b) in [
        ("*C* |$_R1;;_R2$|", "*C* |$_R2;;_R1$|"),
        ("c1ccccc1 |$x;;;;;$|", "c1ccccc1 |$;;;x;;$|"),
        ("*CC(*)C* |$_R1;;;_R2;;_R3$|", "*CC(*)C* |$_R3;;;_R2;;_R1$|"),
        ("CC(C)O |$;;a;$|", "CC(C)O |$a;;;$|"),
    ] {
        assert_eq!(
            canonical_cxsmiles(&cx(a)),
            canonical_cxsmiles(&cx(b)),
            "{a} / {b}"
        );
    }
    assert_eq!(
        canonical_cxsmiles(&cx("*C* |$_R2;;_R1$|")),
        "*C* |$_R1;;_R2$|"
    );
    assert_ne!(
        canonical_cxsmiles(&cx("*CC* |$_R1;;;_R1$|")),
        canonical_cxsmiles(&cx("*CC* |$_R1;;;_R2$|"))
    );
}

/// Our canonical CXSMILES with each atom's (label, value) as an atom class numbered by its rank
/// among the molecule's distinct pairs: the `mapped` column of the fixture.
fn mapped(ours: &str) -> String {
    let mut m = cx(ours);
    let key = |a: &textchem::chem::Atom| {
        a.notes.is_some().then(|| {
            (
                a.label().unwrap_or("").to_string(),
                a.value().unwrap_or("").to_string(),
            )
        })
    };
    let mut distinct: Vec<_> = m.atom_values().filter_map(key).collect();
    distinct.sort();
    distinct.dedup();
    for atom in m.atom_values_mut() {
        if let Some(k) = key(atom) {
            atom.atom_class = Some(distinct.binary_search(&k).unwrap() as u32 + 1);
        }
        atom.notes = None;
    }
    canonical_smiles(&m)
}

#[test]
fn labelled_fragments_agree_with_rdkit() {
    let fixture = include_str!("../fixtures/chem/rdkit_cxsmiles_labels.tsv");
    let mut shuffler = Shuffler::new(7);
    let (mut rows, mut same_string) = (0, 0);
    for line in fixture
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("id\t"))
    {
        let cols: Vec<&str> = line.split('\t').collect();
        let (id, input, rdkit, stable, rdkit_mapped) =
            (cols[0], cols[1], cols[2], cols[3], cols[4]);
        let read = parse_cxsmiles(input).unwrap_or_else(|e| panic!("{id}: {input}: {e}"));
        assert!(read.warnings.is_empty(), "{id}: {:?}", read.warnings);
        let ours = canonical_cxsmiles(&read.molecule);
        // Where RDKit's string does not depend on the atom order and its SMILES is ours, its
        // layer is ours too, but for non-ASCII text (RDKit writes its bytes as `&#4294967...;`).
        let smiles = ours.split(' ').next();
        if stable == "1" && rdkit.split(' ').next() == smiles && !rdkit.contains("&#42949") {
            assert_eq!(ours, rdkit, "{id}: {input}");
            same_string += 1;
        }
        // RDKit's writing of the molecule, in RDKit's atom order, is the same molecule to us.
        assert_eq!(canonical_cxsmiles(&cx(rdkit)), ours, "{id}: {input}");
        // The labels sit on the atoms RDKit puts them on: the molecule with labels as atom
        // classes is the one RDKit wrote with labels as map numbers.
        let theirs = canonical_smiles(&parse_molecule(rdkit_mapped).unwrap());
        assert_eq!(mapped(&ours), theirs, "{id}: {input} -> {ours}");
        assert_eq!(canonical_cxsmiles(&cx(&ours)), ours, "{id}: round trip");
        for _ in 0..3 {
            let other = shuffler.shuffled(&read.molecule);
            assert_eq!(canonical_cxsmiles(&other), ours, "{id}: another atom order");
        }
        rows += 1;
    }
    assert_eq!((rows, same_string), (140, 74));
}

#[test]
fn reaction_layers_span_the_reaction() {
    // RDKit's ReactionFromSmiles: indices run over reactants, agents, products.
    let r = parse_cxreaction("CC.O>N>CCO |^1:3|").unwrap();
    assert!(r.warnings.is_empty());
    assert_eq!(canonical_cxsmiles(&r.reaction.agents[0]), "[NH2] |^1:0|");
    let r = parse_cxreaction("*C.*N>>*CN |$_R1;;_R2;;_R1;;$|  amide").unwrap();
    assert_eq!(r.name.as_deref(), Some("amide"));
    assert_eq!(
        labels(&r.reaction.products[0]),
        vec![Some("_R1"), None, None]
    );
    assert_eq!(
        canonical_reaction_cxsmiles(&r.reaction),
        "*C.*N>>*CN |$_R1;;_R2;;_R1;;$|"
    );
    // Stereo groups numbered across the whole reaction, OR before AND, as RDKit writes them.
    let r = parse_cxreaction("C[C@H](O)CC.C[C@@H](N)CC>>C[C@H](O)CC |&1:1,&2:6,o1:11|").unwrap();
    let s = canonical_reaction_smiles(&r.reaction);
    assert_eq!(
        s,
        "CC[C@@H](C)N.CC[C@@H](C)O>>CC[C@@H](C)O |o1:12,&1:2,&2:7|"
    );
    assert_eq!(canonical_reaction_cxsmiles(&r.reaction), s);
    // Errors and warnings carry their column in the line.
    let e = parse_cxreaction("CC>>CO |^1:4|").unwrap_err();
    assert_eq!((e.kind, e.offset), (SmilesErrorKind::BadCxLayer, 11));
    let r = parse_cxreaction("CC>>CO |r|").unwrap();
    assert_eq!(r.warnings[0].column, 8);
    // A label holding '>' does not make a molecule a reaction.
    assert!(!textchem::chem::smiles::is_reaction("CC |$a&#62;b;$| x>y"));
}

/// Each role's species as canonical CXSMILES, sorted.
fn roles(r: &textchem::chem::Reaction) -> [Vec<String>; 3] {
    [&r.reactants, &r.agents, &r.products].map(|role| {
        let mut v: Vec<String> = role.iter().map(canonical_cxsmiles).collect();
        v.sort();
        v
    })
}

#[test]
fn reaction_cxsmiles_agree_with_rdkit() {
    let fixture = include_str!("../fixtures/chem/rdkit_cxsmiles_reactions.tsv");
    let mut rows = 0;
    for line in fixture
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("id\t"))
    {
        let cols: Vec<&str> = line.split('\t').collect();
        let (id, input, rdkit) = (cols[0], cols[1], cols[3]);
        let read = parse_cxreaction(input).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert!(read.warnings.is_empty(), "{id}: {:?}", read.warnings);
        // Each species is the molecule RDKit reads from the reaction's layer.
        let species: Vec<&Molecule> = read.reaction.species().collect();
        assert_eq!(species.len(), cols.len() - 4, "{id}");
        for (m, rdkit_species) in species.iter().zip(&cols[4..]) {
            let theirs = canonical_cxsmiles(&cx(rdkit_species));
            assert_eq!(canonical_cxsmiles(m), theirs, "{id}: {rdkit_species}");
        }
        // RDKit's writing of the reaction gives our string, and ours reads back to itself.
        let written = canonical_reaction_cxsmiles(&read.reaction);
        let theirs = parse_cxreaction(rdkit).unwrap_or_else(|e| panic!("{id}: {rdkit}: {e}"));
        assert_eq!(
            canonical_reaction_cxsmiles(&theirs.reaction),
            written,
            "{id}"
        );
        let again = parse_cxreaction(&written).unwrap_or_else(|e| panic!("{id}: {written}: {e}"));
        assert_eq!(
            roles(&again.reaction),
            roles(&read.reaction),
            "{id}: {written}"
        );
        assert_eq!(
            canonical_reaction_cxsmiles(&again.reaction),
            written,
            "{id}"
        );
        rows += 1;
    }
    assert_eq!(rows, 40);
}
