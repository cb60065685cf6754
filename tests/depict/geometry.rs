//! What a chemist sees in the coordinates: unit bonds, regular rings, 120° zig-zags, linear sp
//! atoms, E/Z kept, no clashes or crossings, the same drawing every time.

use textchem::chem::Molecule;
use textchem::depict::layout::{Vec2, layout};

use super::{coords, mol};

fn bond_lengths(m: &Molecule, p: &[Vec2]) -> Vec<f64> {
    m.bonds()
        .map(|b| {
            let (x, y) = m.bond_atoms(b);
            (p[x.index()] - p[y.index()]).len()
        })
        .collect()
}

/// Angle at `b` between a and c, in degrees.
fn angle(p: &[Vec2], a: usize, b: usize, c: usize) -> f64 {
    let (u, v) = (p[a] - p[b], p[c] - p[b]);
    (u.dot(v) / (u.len() * v.len()))
        .clamp(-1.0, 1.0)
        .acos()
        .to_degrees()
}

fn segments_cross(p1: Vec2, p2: Vec2, q1: Vec2, q2: Vec2) -> bool {
    let (r, s) = (p2 - p1, q2 - q1);
    r.cross(q1 - p1) * r.cross(q2 - p1) < -1e-9 && s.cross(p1 - q1) * s.cross(p2 - q1) < -1e-9
}

/// Non-bonded atoms closer than 0.4 bond lengths, or two bonds crossing (the metric of
/// ../shared/eval/layout_metrics.py).
fn has_problem(m: &Molecule, p: &[Vec2]) -> bool {
    let n = m.atom_count();
    for i in 0..n {
        for j in i + 1..n {
            let bonded = m
                .bond_between(
                    textchem::chem::AtomIdx::new(i),
                    textchem::chem::AtomIdx::new(j),
                )
                .is_some();
            if !bonded && (p[i] - p[j]).len() < 0.4 {
                return true;
            }
        }
    }
    let bonds: Vec<(usize, usize)> = m
        .bonds()
        .map(|b| {
            let (x, y) = m.bond_atoms(b);
            (x.index(), y.index())
        })
        .collect();
    for (k, &(a, b)) in bonds.iter().enumerate() {
        for &(c, d) in &bonds[k + 1..] {
            if a != c && a != d && b != c && b != d && segments_cross(p[a], p[b], p[c], p[d]) {
                return true;
            }
        }
    }
    false
}

#[test]
fn benzene_is_a_regular_hexagon_of_unit_bonds() {
    let (m, p) = coords("c1ccccc1");
    for l in bond_lengths(&m, &p) {
        assert!((l - 1.0).abs() < 1e-6, "bond length {l}");
    }
    let c = p.iter().fold(Vec2::ZERO, |s, &q| s + q) * (1.0 / 6.0);
    for q in &p {
        assert!(((*q - c).len() - 1.0).abs() < 1e-6);
    }
}

#[test]
fn chains_zig_zag_at_120_degrees() {
    let (_, p) = coords("CCCCCCCC");
    for i in 1..7 {
        assert!((angle(&p, i - 1, i, i + 1) - 120.0).abs() < 1e-6);
    }
    // A zig-zag, not a curl: every other atom on the same side.
    assert!((p[0] - p[7]).len() > 6.0);
}

#[test]
fn triple_bonds_are_straight_and_quaternary_centres_a_cross() {
    let (_, p) = coords("CC#CC");
    assert!((angle(&p, 0, 1, 2) - 180.0).abs() < 1e-3);
    assert!((angle(&p, 1, 2, 3) - 180.0).abs() < 1e-3);
    let (_, p) = coords("CC(C)(C)C");
    // A cross: of the six angles between the four bonds, four are 90° and two 180°.
    let nbrs = [0, 2, 3, 4];
    let mut right = 0;
    let mut straight = 0;
    for i in 0..4 {
        for j in i + 1..4 {
            let t = angle(&p, nbrs[i], 1, nbrs[j]);
            right += usize::from((t - 90.0).abs() < 1e-6);
            straight += usize::from((t - 180.0).abs() < 1e-3);
        }
    }
    assert_eq!((right, straight), (4, 2), "{p:?}");
}

#[test]
fn a_ring_substituent_bisects_the_exterior_angle() {
    let (_, p) = coords("Cc1ccccc1");
    // Atom 0 (methyl) on ring atom 1, whose ring neighbours are 2 and 6.
    assert!((angle(&p, 0, 1, 2) - angle(&p, 0, 1, 6)).abs() < 1e-6);
    assert!((angle(&p, 0, 1, 2) - 120.0).abs() < 1e-6);
}

#[test]
fn double_bond_configuration_is_drawn_as_written() {
    let side = |smiles: &str| {
        let (_, p) = coords(smiles);
        let axis = p[2] - p[1];
        axis.cross(p[0] - p[1]) * axis.cross(p[3] - p[1])
    };
    assert!(side("C/C=C/C") < 0.0, "trans: methyls on opposite sides");
    assert!(side("C/C=C\\C") > 0.0, "cis: methyls on the same side");
    // A longer chain that would zig-zag trans by default must still come out cis.
    assert!(side("C/C=C\\CCCCC") > 0.0);
}

#[test]
fn trans_double_bonds_in_macrocycles_are_drawn_trans() {
    // Ring neighbours of the double bond (atoms 4 and 7 around 5=6) of a 12-membered ring.
    let side = |smiles: &str| {
        let (_, p) = coords(smiles);
        let axis = p[6] - p[5];
        axis.cross(p[4] - p[5]) * axis.cross(p[7] - p[5])
    };
    assert!(
        side("C1CCCC/C=C/CCCCC1") < 0.0,
        "E: ring continues on opposite sides"
    );
    assert!(
        side("C1CCCC/C=C\\CCCCC1") > 0.0,
        "Z: ring continues on the same side"
    );
}

/// Every double bond with a configuration is drawn with it: in a conjugated run of a polyene
/// macrolide (amphotericin B: redrawing one bond must not undo its neighbour), with a ring
/// substituent on the bond (tacrolimus: the methyl goes across the bond from the ring), and a
/// tetraene beside an epoxide (natamycin).
#[test]
fn conjugated_and_substituted_macrocycle_double_bonds_keep_their_configuration() {
    for smiles in [
        "C[C@@H]1[C@H](O)[C@@H](C)/C=C/C=C/C=C/C=C/C=C/C=C/C=C/[C@H](O[C@@H]2O[C@H](C)[C@@H](O)\
         [C@H](N)[C@@H]2O)C[C@@H]2O[C@](O)(C[C@@H](O)C[C@@H](O)[C@H](O)CC[C@@H](O)C[C@@H](O)CC(=O)\
         O[C@H]1C)C[C@H](O)[C@H]2C(=O)O",
        "C=CC[C@@H]1/C=C(\\C)C[C@H](C)C[C@H](OC)[C@H]2O[C@@](O)(C(=O)C(=O)N3CCCC[C@H]3C(=O)O\
         [C@H](/C(C)=C/[C@@H]3CC[C@@H](O)[C@H](OC)C3)[C@H](C)[C@@H](O)CC1=O)[C@H](C)C[C@@H]2OC",
        "C[C@@H]1C/C=C/C=C/C=C/C=C/[C@H](O[C@@H]2O[C@H](C)[C@@H](O)[C@H](N)[C@@H]2O)C[C@@H]2O\
         [C@](O)(C[C@@H](O)C[C@H]3O[C@@H]3/C=C/C(=O)O1)C[C@H](O)[C@H]2C(=O)O",
    ] {
        let (m, p) = coords(smiles);
        for b in m.bonds() {
            let Some(st) = m.bond(b).stereo else { continue };
            let (x, y) = m.bond_atoms(b);
            let axis = p[y.index()] - p[x.index()];
            let side = axis.cross(p[st.begin_ref.index()] - p[x.index()])
                * axis.cross(p[st.end_ref.index()] - p[x.index()]);
            assert_eq!(side > 0.0, st.cis, "bond {} of {smiles}", b.index());
        }
    }
}

#[test]
fn bridged_systems_relaxed_until_clean() {
    // ChEBI-20 test molecules (CIDs 25112180, 3002216) whose polygon-and-arc drawings crossed
    // before the stress relaxation of tangled ring systems.
    for smiles in [
        "COC1=C(C=C2C(=C1)NC3=C(C[C@]45CCO[C@H]4CCN6[C@@H]5[C@@]23CC6)C(=O)OC)O",
        "C[C@H]1[C@@H](C(=O)O[C@H]2[C@@H]([C@@H]([C@]3([C@@H]([C@@H]([C@@H]4[C@H]([C@@]3([C@@]2(C)O)O[C@]4(COC(=O)C5=C1N=CC=C5)C)O)OC(=O)C)OC(=O)C)COC(=O)C)OC(=O)C)OC(=O)C)C",
    ] {
        let (m, p) = coords(smiles);
        assert!(!has_problem(&m, &p), "{smiles}");
    }
}

#[test]
fn fused_ring_systems_and_crowded_molecules_have_no_clash_or_crossing() {
    for smiles in [
        "c1ccc2ccccc2c1",
        "Cn1c(=O)c2c(ncn2C)n(C)c1=O",
        "C[C@]12CC[C@H]3[C@@H](CC=C4C[C@@H](O)CC[C@]34C)[C@@H]1CC[C@@H]2O",
        "CC(C)(C)C(C(C)(C)C)(C(C)(C)C)O",
        "C1CC2(CCCC2)CC1",
        "OC[C@H]1O[C@@H](O[C@]2(CO)O[C@H](CO)[C@@H](O)[C@@H]2O)[C@H](O)[C@@H](O)[C@@H]1O",
    ] {
        let (m, p) = coords(smiles);
        assert!(!has_problem(&m, &p), "{smiles}");
        assert!(p.iter().all(|q| q.x.is_finite() && q.y.is_finite()));
    }
}

#[test]
fn layout_is_deterministic_and_components_sit_side_by_side() {
    let m = mol("[Na+].[O-]C(=O)c1ccccc1");
    assert_eq!(layout(&m), layout(&m));
    let p = layout(&m);
    let benzoate_min_x = p[1..].iter().map(|q| q.x).fold(f64::INFINITY, f64::min);
    assert!(p[0].x < benzoate_min_x - 1.0, "sodium left of benzoate");
}

/// Hard cages and bridged systems, whose drawings go through the capped searches (arc sides,
/// stress relaxation, collision repair): paclitaxel, trabectedin and CL-20.
const HARD_CAGES: [&str; 3] = [
    "CC(=O)O[C@H]1C(=O)[C@@]2(C)[C@H]([C@H](OC(=O)c3ccccc3)[C@]3(O)C[C@H](OC(=O)[C@H](O)[C@@H](NC(=O)c4ccccc4)c4ccccc4)C(C)=C1C3(C)C)[C@]1(OC(C)=O)CO[C@@H]1C[C@@H]2O",
    "COc1cc2c(cc1O)CCN[C@]21CS[C@@H]2c3c(OC(C)=O)c(C)c4c(c3[C@H](COC1=O)N1[C@@H]2[C@H]2c3c(cc(C)c(OC)c3O)C[C@@H]([C@@H]1O)N2C)OCO4",
    "[O-][N+](=O)N1C2C3N(C4C(N3[N+](=O)[O-])N(C1C(N2[N+](=O)[O-])N4[N+](=O)[O-])[N+](=O)[O-])[N+](=O)[O-]",
];

#[test]
fn hard_cages_lay_out_bit_identically_on_every_run_and_under_load() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    for smiles in HARD_CAGES {
        let m = mol(smiles);
        let first = layout(&m);
        // The searches stop on work counts, not a clock: busy threads competing for the CPU
        // must not change a single coordinate bit.
        let stop = Arc::new(AtomicBool::new(false));
        let busy: Vec<_> = (0..4)
            .map(|_| {
                let stop = Arc::clone(&stop);
                std::thread::spawn(move || {
                    let mut x = 0u64;
                    while !stop.load(Ordering::Relaxed) {
                        x = std::hint::black_box(
                            x.wrapping_mul(6364136223846793005).wrapping_add(1),
                        );
                    }
                    x
                })
            })
            .collect();
        let loaded = layout(&m);
        let m2 = m.clone();
        let other_thread = std::thread::spawn(move || layout(&m2)).join().unwrap();
        stop.store(true, Ordering::Relaxed);
        busy.into_iter().for_each(|t| {
            t.join().unwrap();
        });
        let bits = |p: &[Vec2]| -> Vec<(u64, u64)> {
            p.iter().map(|q| (q.x.to_bits(), q.y.to_bits())).collect()
        };
        assert_eq!(bits(&first), bits(&loaded), "{smiles}");
        assert_eq!(bits(&first), bits(&other_thread), "{smiles}");
    }
}

#[test]
fn long_axis_is_horizontal() {
    let (_, p) = coords("CCCCCCCCCCCCCCCCCC(=O)O");
    let (xs, ys): (Vec<f64>, Vec<f64>) = p.iter().map(|q| (q.x, q.y)).unzip();
    let span = |v: &[f64]| {
        v.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
            - v.iter().cloned().fold(f64::INFINITY, f64::min)
    };
    assert!(span(&xs) > 3.0 * span(&ys));
}

#[test]
fn chebi20_sample_is_laid_out_cleanly() {
    let Some(path) = super::shared_path("data/chebi20/test.txt") else {
        return;
    };
    let text = std::fs::read_to_string(path).unwrap();
    let (mut total, mut bad) = (0, 0);
    for line in text.lines().skip(1).take(400) {
        let smiles = line.split('\t').nth(1).unwrap().replace("\\\\", "\\");
        let m = mol(&smiles);
        let p = layout(&m);
        assert!(p.iter().all(|q| q.x.is_finite() && q.y.is_finite()));
        total += 1;
        bad += usize::from(has_problem(&m, &p));
    }
    // The full test set gives 1.1% (docs/depiction.md); a sample must stay in that range.
    assert!(
        bad * 100 <= 3 * total,
        "{bad} of {total} with a clash or crossing"
    );
}
