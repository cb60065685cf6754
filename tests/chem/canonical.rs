//! Canonical SMILES: one string per molecule whatever its atom order, stereo kept.

use textchem::chem::canon::{WriteOptions, canonical_reaction_smiles, canonical_smiles, renumber};
use textchem::chem::mol::{AtomStereo, DoubleBondStereo, StereoClass, StereoNeighbor};
use textchem::chem::{Atom, AtomIdx, Bond, BondIdx, BondOrder, Element, Molecule, Reaction};

/// Small deterministic generator for permutations (xorshift64*).
pub struct Shuffler(u64);

impl Shuffler {
    pub fn new(seed: u64) -> Shuffler {
        Shuffler(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut p: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            p.swap(i, j);
        }
        p
    }

    /// `mol` with atoms and bonds in a random order.
    pub fn shuffled(&mut self, mol: &Molecule) -> Molecule {
        let atoms: Vec<AtomIdx> = self
            .permutation(mol.atom_count())
            .into_iter()
            .map(AtomIdx::new)
            .collect();
        let bonds: Vec<BondIdx> = self
            .permutation(mol.bond_count())
            .into_iter()
            .map(BondIdx::new)
            .collect();
        renumber(mol, &atoms, &bonds)
    }
}

/// Hand-built molecules (heavy atoms with explicit H counts), so these tests need no parser.
struct Build(Molecule);

impl Build {
    fn new() -> Build {
        Build(Molecule::new())
    }

    fn atom(mut self, symbol: &str, hydrogens: u8) -> Build {
        let mut atom = Atom::new(Element::from_symbol(symbol).unwrap());
        atom.hydrogens = hydrogens;
        self.0.add_atom(atom);
        self
    }

    fn charged(mut self, symbol: &str, hydrogens: u8, charge: i8) -> Build {
        let mut atom = Atom::new(Element::from_symbol(symbol).unwrap());
        atom.hydrogens = hydrogens;
        atom.charge = charge;
        atom.bracket = true;
        self.0.add_atom(atom);
        self
    }

    fn bond(mut self, a: usize, b: usize, order: u8) -> Build {
        let order = BondOrder::from_valence(order).unwrap();
        self.0
            .add_bond(AtomIdx::new(a), AtomIdx::new(b), Bond::new(order));
        self
    }

    fn chiral(mut self, centre: usize, slots: &[Option<usize>], clockwise: bool) -> Build {
        let neighbors = slots
            .iter()
            .map(|s| {
                s.map_or(StereoNeighbor::Implicit, |a| {
                    StereoNeighbor::Atom(AtomIdx::new(a))
                })
            })
            .collect();
        self.0.atom_mut(AtomIdx::new(centre)).stereo = Some(AtomStereo {
            class: StereoClass::Tetrahedral { clockwise },
            neighbors,
        });
        self
    }

    fn cis_trans(mut self, a: usize, b: usize, refs: (usize, usize), cis: bool) -> Build {
        let bond = self
            .0
            .bond_between(AtomIdx::new(a), AtomIdx::new(b))
            .unwrap();
        let (first, _) = self.0.bond_atoms(bond);
        let (begin_ref, end_ref) = if first.index() == a {
            (refs.0, refs.1)
        } else {
            (refs.1, refs.0)
        };
        self.0.bond_mut(bond).stereo = Some(DoubleBondStereo {
            begin_ref: AtomIdx::new(begin_ref),
            end_ref: AtomIdx::new(end_ref),
            cis,
        });
        self
    }

    fn done(self) -> Molecule {
        self.0
    }
}

/// Asserts that `n` random atom/bond orders of `mol` all give `expected`.
fn assert_order_independent(mol: &Molecule, expected: &str, n: usize) {
    let mut shuffler = Shuffler::new(expected.len() as u64 + 7);
    assert_eq!(canonical_smiles(mol), expected);
    for _ in 0..n {
        let m = shuffler.shuffled(mol);
        assert_eq!(canonical_smiles(&m), expected, "from a shuffled order");
    }
}

fn ethanol() -> Molecule {
    Build::new()
        .atom("C", 3)
        .atom("C", 2)
        .atom("O", 1)
        .bond(0, 1, 1)
        .bond(1, 2, 1)
        .done()
}

/// Kekulé benzene with one substituent X bonded to atom 0.
fn phenyl_with(x: &str, hx: u8) -> Molecule {
    Build::new()
        .atom("C", 0)
        .atom("C", 1)
        .atom("C", 1)
        .atom("C", 1)
        .atom("C", 1)
        .atom("C", 1)
        .atom(x, hx)
        .bond(0, 1, 2)
        .bond(1, 2, 1)
        .bond(2, 3, 2)
        .bond(3, 4, 1)
        .bond(4, 5, 2)
        .bond(5, 0, 1)
        .bond(0, 6, 1)
        .done()
}

#[test]
fn ethanol_and_phenol_read_the_same_from_every_order() {
    assert_order_independent(&ethanol(), "CCO", 20);
    assert_order_independent(&phenyl_with("O", 1), "Oc1ccccc1", 50);
}

#[test]
fn the_kekule_structure_chosen_does_not_matter() {
    // Toluene with the double bonds in the other Kekulé positions.
    let other = Build::new()
        .atom("C", 0)
        .atom("C", 1)
        .atom("C", 1)
        .atom("C", 1)
        .atom("C", 1)
        .atom("C", 1)
        .atom("C", 3)
        .bond(0, 1, 1)
        .bond(1, 2, 2)
        .bond(2, 3, 1)
        .bond(3, 4, 2)
        .bond(4, 5, 1)
        .bond(5, 0, 2)
        .bond(0, 6, 1)
        .done();
    assert_eq!(
        canonical_smiles(&other),
        canonical_smiles(&phenyl_with("C", 3))
    );
    assert_eq!(canonical_smiles(&other), "Cc1ccccc1");
}

#[test]
fn kekule_output_writes_bond_orders() {
    let s = textchem::chem::canon::write_smiles(
        &phenyl_with("O", 1),
        WriteOptions {
            canonical: true,
            aromatic: false,
        },
    );
    assert_eq!(s.matches('=').count(), 3, "{s}");
    assert!(!s.contains('c'), "{s}");
}

#[test]
fn pyrrole_nitrogen_keeps_its_hydrogen_in_brackets() {
    let pyrrole = Build::new()
        .atom("N", 1)
        .atom("C", 1)
        .atom("C", 1)
        .atom("C", 1)
        .atom("C", 1)
        .bond(0, 1, 1)
        .bond(1, 2, 2)
        .bond(2, 3, 1)
        .bond(3, 4, 2)
        .bond(4, 0, 1)
        .done();
    assert_order_independent(&pyrrole, "c1cc[nH]c1", 20);
}

/// C[C@H](N)O: atoms C0, C1, N2, O3; C1 sees C0, H, N2, O3 anticlockwise.
fn alanine_core(clockwise: bool) -> Molecule {
    Build::new()
        .atom("C", 3)
        .atom("C", 1)
        .atom("N", 2)
        .atom("O", 1)
        .bond(0, 1, 1)
        .bond(1, 2, 1)
        .bond(1, 3, 1)
        .chiral(1, &[Some(0), None, Some(2), Some(3)], clockwise)
        .done()
}

#[test]
fn tetrahedral_stereo_is_canonical_and_enantiomers_differ() {
    let s = canonical_smiles(&alanine_core(false));
    let mirror = canonical_smiles(&alanine_core(true));
    assert_ne!(s, mirror);
    assert!(s.contains('@') && mirror.contains('@'));
    assert_order_independent(&alanine_core(false), &s, 30);
    assert_order_independent(&alanine_core(true), &mirror, 30);
    // N[C@@H](C)O lists the same centre as N, H, C, O clockwise: the same molecule.
    let same = Build::new()
        .atom("N", 2)
        .atom("C", 1)
        .atom("C", 3)
        .atom("O", 1)
        .bond(0, 1, 1)
        .bond(1, 2, 1)
        .bond(1, 3, 1)
        .chiral(1, &[Some(0), None, Some(2), Some(3)], true)
        .done();
    assert_eq!(canonical_smiles(&same), s);
}

#[test]
fn a_stereo_mark_on_a_centre_with_two_equal_groups_is_dropped() {
    // [C@H](C)(C)O is isopropanol: no stereocentre.
    let m = Build::new()
        .atom("C", 1)
        .atom("C", 3)
        .atom("C", 3)
        .atom("O", 1)
        .bond(0, 1, 1)
        .bond(0, 2, 1)
        .bond(0, 3, 1)
        .chiral(0, &[None, Some(1), Some(2), Some(3)], false)
        .done();
    assert_eq!(canonical_smiles(&m), "CC(C)O");
}

/// F/C=C/F (trans) or F/C=C\F (cis): F0 C1 C2 F3.
fn difluoroethene(cis: bool) -> Molecule {
    Build::new()
        .atom("F", 0)
        .atom("C", 1)
        .atom("C", 1)
        .atom("F", 0)
        .bond(0, 1, 1)
        .bond(1, 2, 2)
        .bond(2, 3, 1)
        .cis_trans(1, 2, (0, 3), cis)
        .done()
}

#[test]
fn double_bond_stereo_is_written_and_canonical() {
    assert_order_independent(&difluoroethene(false), "F/C=C/F", 20);
    assert_order_independent(&difluoroethene(true), "F/C=C\\F", 20);
}

#[test]
fn conjugated_double_bonds_share_a_direction_consistently() {
    // C/C=C/C=C\C : hexa-2,4-diene, E then Z.
    let m = Build::new()
        .atom("C", 3)
        .atom("C", 1)
        .atom("C", 1)
        .atom("C", 1)
        .atom("C", 1)
        .atom("C", 3)
        .bond(0, 1, 1)
        .bond(1, 2, 2)
        .bond(2, 3, 1)
        .bond(3, 4, 2)
        .bond(4, 5, 1)
        .cis_trans(1, 2, (0, 3), false)
        .cis_trans(3, 4, (2, 5), true)
        .done();
    let s = canonical_smiles(&m);
    assert_order_independent(&m, &s, 30);
    assert_eq!(s.matches(['/', '\\']).count(), 3, "{s}");
}

#[test]
fn salts_write_their_components_in_canonical_order() {
    let salt = Build::new()
        .charged("Na", 0, 1)
        .atom("C", 3)
        .atom("C", 0)
        .atom("O", 0)
        .charged("O", 0, -1)
        .bond(1, 2, 1)
        .bond(2, 3, 2)
        .bond(2, 4, 1)
        .done();
    let s = canonical_smiles(&salt);
    assert_order_independent(&salt, &s, 20);
    let mut parts: Vec<&str> = s.split('.').collect();
    parts.sort();
    assert_eq!(parts, vec!["CC([O-])=O", "[Na+]"]);
}

#[test]
fn reactions_join_ionic_fragments_with_tilde_and_sort_species() {
    let salt = Build::new().charged("Na", 0, 1).charged("O", 1, -1).done();
    let r = Reaction {
        reactants: vec![phenyl_with("O", 1), ethanol()],
        agents: vec![salt],
        products: vec![],
    };
    let s = canonical_reaction_smiles(&r);
    assert!(
        s == "CCO.Oc1ccccc1>[Na+]~[OH-]>" || s == "CCO.Oc1ccccc1>[OH-]~[Na+]>",
        "{s}"
    );
}

// ---- With the SMILES reader: round trips and whole data sets. ----

use super::shared_path;
use textchem::chem::smiles::{parse_molecule, parse_reaction};

fn canon(smiles: &str) -> String {
    canonical_smiles(&parse_molecule(smiles).unwrap_or_else(|e| panic!("{smiles}: {e}")))
}

/// What a round trip must keep: per atom (element, H count, charge, isotope), sorted, and the
/// bond orders, sorted.
type GraphFacts = (Vec<(u8, u8, i8, u16)>, Vec<u8>);

fn graph_facts(m: &Molecule) -> GraphFacts {
    let mut atoms: Vec<_> = m
        .atoms()
        .map(|a| {
            let x = m.atom(a);
            (
                x.element.atomic_number(),
                x.hydrogens,
                x.charge,
                x.isotope.unwrap_or(0),
            )
        })
        .collect();
    atoms.sort_unstable();
    let mut bonds: Vec<u8> = m.bonds().map(|b| m.bond(b).order.valence()).collect();
    bonds.sort_unstable();
    (atoms, bonds)
}

/// Problems with one molecule: its canonical string changes with atom order, or reading the
/// string back gives another graph or another canonical string.
fn check_molecule(smiles: &str, shuffler: &mut Shuffler, orders: usize) -> Result<(), String> {
    let m = parse_molecule(smiles).map_err(|e| format!("{smiles}: does not parse: {e}"))?;
    let c = canonical_smiles(&m);
    for _ in 0..orders {
        let other = canonical_smiles(&shuffler.shuffled(&m));
        if other != c {
            return Err(format!("{smiles}: {c} but also {other}"));
        }
    }
    let back = parse_molecule(&c).map_err(|e| format!("{smiles}: {c} does not parse: {e}"))?;
    if graph_facts(&back) != graph_facts(&m) {
        return Err(format!("{smiles}: {c} reads back as another graph"));
    }
    let again = canonical_smiles(&back);
    if again != c {
        return Err(format!("{smiles}: {c} reads back and writes {again}"));
    }
    Ok(())
}

#[test]
fn alanine_like_centre_keeps_its_stereo_through_a_round_trip() {
    let c = canon("C[C@H](N)O");
    assert_eq!(canon(&c), c);
    assert_eq!(canon("N[C@@H](C)O"), c);
    assert_eq!(canon("O[C@H](C)N"), c);
    assert_ne!(canon("C[C@@H](N)O"), c);
    // The string read back has the same centre: its mirror image is still different.
    assert_ne!(
        canon(&c.replace("@@", "X").replace('@', "@@").replace('X', "@")),
        c
    );
}

#[test]
fn real_molecules_read_back_identically() {
    assert_eq!(canon("OC(=O)c1ccccc1O"), canon("c1ccc(c(c1)C(=O)O)O"));
    assert_eq!(canon("C1=CC=CC=C1"), "c1ccccc1");
    assert_eq!(
        canon("Cn1cnc2c1c(=O)n(C)c(=O)n2C"),
        canon("CN1C=NC2=C1C(=O)N(C)C(=O)N2C")
    );
    assert_eq!(canon("F/C=C/F"), canon("F\\C=C\\F"));
    assert_ne!(canon("F/C=C/F"), canon("F/C=C\\F"));
    assert_eq!(canon("[Na+].[Cl-]"), canon("[Cl-].[Na+]"));
}

#[test]
fn reaction_smiles_species_are_canonical_and_ionic_groups_kept() {
    let r = parse_reaction("OC(=O)c1ccccc1.OCC>[Na+]~[OH-]>CCOC(=O)c1ccccc1").unwrap();
    let s = canonical_reaction_smiles(&r);
    let swapped = parse_reaction("CCO.c1ccc(cc1)C(O)=O>[OH-]~[Na+]>O=C(OCC)c1ccccc1").unwrap();
    assert_eq!(canonical_reaction_smiles(&swapped), s);
    assert!(s.contains('~'), "{s}");
    assert_eq!(s.matches('>').count(), 2);
}

/// The committed fixture: ChEBI-20 molecules with RDKit's aromatic atom and bond counts.
fn fixture() -> Vec<(String, usize, usize)> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/canonical_smiles.tsv"
    );
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("id\t"))
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (
                f[1].to_string(),
                f[2].parse().unwrap(),
                f[3].parse().unwrap(),
            )
        })
        .collect()
}

#[test]
fn fixture_molecules_are_order_independent_and_round_trip() {
    let mut shuffler = Shuffler::new(20);
    let molecules = fixture();
    assert!(molecules.len() > 300);
    let problems: Vec<String> = molecules
        .iter()
        .filter_map(|(s, _, _)| check_molecule(s, &mut shuffler, 10).err())
        .collect();
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn aromaticity_matches_rdkit_on_the_fixture() {
    let mut wrong = Vec::new();
    for (smiles, atoms, bonds) in fixture() {
        let mut m = parse_molecule(&smiles).unwrap();
        textchem::chem::aromaticity::perceive(&mut m);
        let a = m.atoms().filter(|&x| m.atom(x).aromatic).count();
        let b = m.bonds().filter(|&x| m.bond(x).aromatic).count();
        if (a, b) != (atoms, bonds) {
            wrong.push(format!(
                "{smiles}: {a}/{b} aromatic atoms/bonds, RDKit {atoms}/{bonds}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// SMILES of a ChEBI-20 style TSV (CID, SMILES, description), doubled backslashes read as one.
fn chebi_smiles(path: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .skip(1)
        .filter_map(|l| l.split('\t').nth(1))
        .map(|s| s.replace("\\\\", "\\"))
        .collect()
}

/// Checks every parsable SMILES with `orders` atom orders; returns (checked, problems).
fn check_all(smiles: &[String], orders: usize) -> (usize, Vec<String>) {
    let mut shuffler = Shuffler::new(5);
    let (mut checked, mut problems) = (0, Vec::new());
    for s in smiles {
        if parse_molecule(s).is_err() {
            continue; // the reader's business (tests/chem/parse.rs)
        }
        checked += 1;
        if let Err(p) = check_molecule(s, &mut shuffler, orders) {
            problems.push(p);
        }
    }
    (checked, problems)
}

#[test]
fn ten_atom_orders_of_each_chebi20_molecule_give_one_string() {
    let Some(chebi) = shared_path("data/chebi20") else {
        return;
    };
    let mut smiles = chebi_smiles(&chebi.join("test.txt"));
    smiles.extend(chebi_smiles(&chebi.join("validation.txt")));
    let (checked, problems) = check_all(&smiles, 10);
    assert!(checked >= 5_000, "only {checked} molecules");
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn approved_drugs_give_one_string_and_round_trip() {
    let Some(drugs) = shared_path("data/drugs/chembl_approved_drugs.csv") else {
        return;
    };
    // Three orders, not ten, to keep the debug test run short (the ten-order figure for the
    // drugs is in docs/canonical.md).
    let smiles: Vec<String> = std::fs::read_to_string(drugs)
        .unwrap()
        .lines()
        .skip(1)
        .filter_map(|l| l.rsplit(',').next().map(str::to_string))
        .collect();
    let (checked, problems) = check_all(&smiles, 3);
    assert!(checked >= 2_600, "only {checked} molecules");
    assert!(problems.is_empty(), "{problems:#?}");
}

/// NextMove's stereo sets: every input of one id is the same stereoisomer, so all must give one
/// canonical string. The outputs also go to `$CARGO_TARGET_TMPDIR/stereosmiles/{set}.smi` for
/// `../shared/eval/smilesreading_score.py stereo`.
#[test]
fn stereo_sets_give_one_string_per_stereoisomer() {
    let Some(dir) = shared_path("data/smilesreading/4-stereosmiles") else {
        return;
    };
    let out_dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("stereosmiles");
    std::fs::create_dir_all(&out_dir).unwrap();
    let mut split = Vec::new();
    for set in [
        "cistrans",
        "cistrans_nitrogen",
        "tetrahedral",
        "tetrahedral_distantbcdigit",
    ] {
        let text = std::fs::read_to_string(dir.join(format!("{set}.smi"))).unwrap();
        let mut groups: std::collections::BTreeMap<&str, std::collections::BTreeSet<String>> =
            Default::default();
        let mut out = String::new();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let mut f = line.split_whitespace();
            let (smiles, id) = (f.next().unwrap(), f.next().unwrap_or(""));
            // Inputs the reader rejects are the reader's business; they leave an empty line.
            let c = parse_molecule(smiles).map(|m| canonical_smiles(&m));
            out.push_str(c.as_deref().unwrap_or(""));
            out.push('\n');
            if let Ok(c) = c {
                groups.entry(id).or_default().insert(c);
            }
        }
        std::fs::write(out_dir.join(format!("{set}.smi")), out).unwrap();
        split.extend(
            groups
                .into_iter()
                .filter(|(_, g)| g.len() > 1)
                .map(|(id, g)| format!("{set} id {id}: {g:?}")),
        );
    }
    assert!(split.is_empty(), "{split:#?}");
}

/// Aromatic atoms and bonds as RDKit wrote them in its canonical SMILES (lowercase atoms; bonds
/// between them without an explicit `-`), read back by our reader, which keeps written flags.
fn written_aromaticity(smiles: &str) -> Option<(usize, usize)> {
    let m = parse_molecule(smiles).ok()?;
    Some((
        m.atoms().filter(|&a| m.atom(a).aromatic).count(),
        m.bonds().filter(|&b| m.bond(b).aromatic).count(),
    ))
}

#[test]
fn aromaticity_matches_rdkit_on_chebi20_and_drugs() {
    let (Some(chebi), Some(drugs)) = (
        shared_path("data/chebi20"),
        shared_path("data/drugs/chembl_approved_drugs.rdkit.tsv"),
    ) else {
        return;
    };
    let files = [
        chebi.join("test.rdkit.tsv"),
        chebi.join("validation.rdkit.tsv"),
        drugs,
    ];
    let (mut compared, mut wrong) = (0, Vec::new());
    for file in files {
        let text = std::fs::read_to_string(file).unwrap();
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split('\t').collect();
            let Some(rdkit) = f.get(2).and_then(|s| written_aromaticity(s)) else {
                continue;
            };
            let Ok(mut m) = parse_molecule(f[1]) else {
                continue;
            };
            textchem::chem::aromaticity::perceive(&mut m);
            compared += 1;
            let ours = (
                m.atoms().filter(|&a| m.atom(a).aromatic).count(),
                m.bonds().filter(|&b| m.bond(b).aromatic).count(),
            );
            // A `/` or `\` mark between aromatic atoms reads as a plain single bond, so RDKit's
            // bond count is only known without them.
            let marks = f[2].contains(['/', '\\']);
            if ours.0 != rdkit.0 || (!marks && ours.1 != rdkit.1) {
                wrong.push(format!("{}: ours {ours:?}, RDKit {rdkit:?}", f[1]));
            }
        }
    }
    assert!(compared > 9_000, "only {compared} compared");
    assert!(wrong.is_empty(), "{} differ: {wrong:#?}", wrong.len());
}

/// Buckminsterfullerene (Kekulé SMILES as PubChem gives it; RDKit 2026.09 perceives all 60 atoms
/// and 90 bonds aromatic): 32 fused rings must neither hang the combination search nor leave the
/// string order-dependent, although every atom is symmetric to every other.
#[test]
fn fullerene_is_aromatic_and_canonical() {
    let c60 = "C12=C3C4=C5C6=C1C7=C8C9=C1C%10=C%11C(=C29)C3=C2C3=C4C4=C5C5=C9C6=C7C6=C7C8=C1\
               C1=C8C%10=C%10C%11=C2C2=C3C3=C4C4=C5C5=C%11C%12=C(C6=C95)C7=C1C1=C%12C5=C%11C4=C3\
               C3=C5C(=C81)C%10=C23";
    let mut m = parse_molecule(c60).unwrap();
    textchem::chem::aromaticity::perceive(&mut m);
    assert_eq!(m.atoms().filter(|&a| m.atom(a).aromatic).count(), 60);
    assert_eq!(m.bonds().filter(|&b| m.bond(b).aromatic).count(), 90);
    check_molecule(c60, &mut Shuffler::new(60), 3).unwrap();
}

/// Ring stereo whose centres have two tied ring neighbours: cis/trans-1,4-cyclohexanes, an
/// adamantane (from the SmilesDrawer ChEMBL list), a cyclobutane and lindane-type
/// hexachlorocyclohexane. Each is achiral or its stereo depends on the ring as a whole, so
/// tie-breaking must not decide the marks.
#[test]
fn ring_stereo_is_order_independent() {
    let mut shuffler = Shuffler::new(14);
    for smiles in [
        "C[C@H]1CC[C@@H](N)CC1",
        "C[C@H]1CC[C@H](N)CC1",
        "O[C@H]1C[C@@H](N)C1",
        "CC1(C)CCN([C@@H]2C3CC4CC2C[C@](O)(C4)C3)C(=O)c5cnn(c6ccccc6)c15",
        "Cl[C@H]1[C@H](Cl)[C@@H](Cl)[C@@H](Cl)[C@H](Cl)[C@H]1Cl",
    ] {
        check_molecule(smiles, &mut shuffler, 10).unwrap();
    }
    assert_ne!(
        canon("C[C@H]1CC[C@@H](N)CC1"),
        canon("C[C@H]1CC[C@H](N)CC1")
    );
}

/// Long polymers, refined as a long wave in which the class that keeps the unchanged atoms
/// must still rank them as a full re-sort would. Past 8,192 atoms refinement keys are packed
/// in 32-bit fields (the chain); six-coordinate sulfur takes the unpacked keys.
#[test]
fn large_polymers_are_order_independent() {
    let mut shuffler = Shuffler::new(9);
    for smiles in [
        "C".repeat(9000),
        format!("C{}", "CC(c1ccccc1)".repeat(200)),
        format!("C{}C", "C(C)(C)".repeat(300)),
        format!("C{}", "S(F)(F)(F)(F)C".repeat(100)),
        format!("O{}", "CCO".repeat(500)),
        format!("C{}O", "/C=C/C".repeat(200)),
    ] {
        check_molecule(&smiles, &mut shuffler, 2).unwrap();
    }
}

#[test]
fn a_double_bond_in_a_ring_of_fewer_than_eight_atoms_has_no_configuration() {
    // RDKit keeps none there: the ring holds the bond cis.
    assert_eq!(canon("C1CC/C=C\\CC1"), canon("C1CCC=CCC1"));
    assert_eq!(canon("C1C/C=C\\CC1"), canon("C1CC=CCC1"));
    assert_eq!(canon("C1CCCC/C=C\\1"), canon("C1CCCCC=C1"));
    // From eight atoms on the ring can hold either, and the marks count.
    assert_ne!(canon("C1CCC/C=C\\CC1"), canon("C1CCC/C=C/CC1"));
    assert_ne!(canon("C1CCC/C=C\\CC1"), canon("C1CCCC=CCC1"));
    // A mark written for a chain double bond next to a ring double bond gives the ring bond no
    // configuration, so the output reads back to itself (a cyanine dye's ring, reduced).
    for s in [
        "C/C=C/C1=C(/C)CCCC1",
        "CC1(C)C(/C=C/C=2CCC/C(=C\\C=C3/N(C)c4ccccc4C3(C)C)/C2Oc2ccccc2)=[N+](C)c2ccccc12",
    ] {
        let once = canon(s);
        assert_eq!(canon(&once), once, "{s}");
    }
}
