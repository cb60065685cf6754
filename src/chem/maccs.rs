//! MACCS 166 structural keys with RDKit's definitions (`MACCSkeys.GenMACCSKeys`).
//!
//! Keys are numbered 1..=166 as in RDKit; a molecule's fingerprint is the list of keys it sets.
//! All but three keys are a SMARTS pattern and a count: the key is set when the pattern has more
//! unique matches than the count. The patterns and counts are RDKit's (rdkit/Chem/MACCSkeys.py,
//! BSD licence, by Greg Landrum and Rational Discovery LLC). Key 125 (more than one aromatic ring)
//! and key 166 (more than one fragment) are computed from the molecule; key 1 (isotope) is never
//! set, as RDKit leaves it undefined.

use std::sync::OnceLock;

use crate::chem::Molecule;
use crate::chem::fingerprint::FingerprintBits;
use crate::chem::smarts::{PreparedMolecule, Smarts};

/// Number of keys; key numbers run 1..=MACCS_KEYS.
pub const MACCS_KEYS: u32 = 166;

/// `(key, count, SMARTS)`: the key is set when the SMARTS has more than `count` unique matches.
const KEY_PATTERNS: &[(u32, usize, &str)] = &[
    (2, 0, r"[#104]"),
    (3, 0, r"[#32,#33,#34,#50,#51,#52,#82,#83,#84]"),
    (4, 0, r"[Ac,Th,Pa,U,Np,Pu,Am,Cm,Bk,Cf,Es,Fm,Md,No,Lr]"),
    (5, 0, r"[Sc,Ti,Y,Zr,Hf]"),
    (6, 0, r"[La,Ce,Pr,Nd,Pm,Sm,Eu,Gd,Tb,Dy,Ho,Er,Tm,Yb,Lu]"),
    (7, 0, r"[V,Cr,Mn,Nb,Mo,Tc,Ta,W,Re]"),
    (8, 0, r"[!#6;!#1]1~*~*~*~1"),
    (9, 0, r"[Fe,Co,Ni,Ru,Rh,Pd,Os,Ir,Pt]"),
    (10, 0, r"[Be,Mg,Ca,Sr,Ba,Ra]"),
    (11, 0, r"*1~*~*~*~1"),
    (12, 0, r"[Cu,Zn,Ag,Cd,Au,Hg]"),
    (13, 0, r"[#8]~[#7](~[#6])~[#6]"),
    (14, 0, r"[#16]-[#16]"),
    (15, 0, r"[#8]~[#6](~[#8])~[#8]"),
    (16, 0, r"[!#6;!#1]1~*~*~1"),
    (17, 0, r"[#6]#[#6]"),
    (18, 0, r"[#5,#13,#31,#49,#81]"),
    (19, 0, r"*1~*~*~*~*~*~*~1"),
    (20, 0, r"[#14]"),
    (21, 0, r"[#6]=[#6](~[!#6;!#1])~[!#6;!#1]"),
    (22, 0, r"*1~*~*~1"),
    (23, 0, r"[#7]~[#6](~[#8])~[#8]"),
    (24, 0, r"[#7]-[#8]"),
    (25, 0, r"[#7]~[#6](~[#7])~[#7]"),
    (26, 0, r"[#6]=;@[#6](@*)@*"),
    (27, 0, r"[I]"),
    (28, 0, r"[!#6;!#1]~[CH2]~[!#6;!#1]"),
    (29, 0, r"[#15]"),
    (30, 0, r"[#6]~[!#6;!#1](~[#6])(~[#6])~*"),
    (31, 0, r"[!#6;!#1]~[F,Cl,Br,I]"),
    (32, 0, r"[#6]~[#16]~[#7]"),
    (33, 0, r"[#7]~[#16]"),
    (34, 0, r"[CH2]=*"),
    (35, 0, r"[Li,Na,K,Rb,Cs,Fr]"),
    (36, 0, r"[#16R]"),
    (37, 0, r"[#7]~[#6](~[#8])~[#7]"),
    (38, 0, r"[#7]~[#6](~[#6])~[#7]"),
    (39, 0, r"[#8]~[#16](~[#8])~[#8]"),
    (40, 0, r"[#16]-[#8]"),
    (41, 0, r"[#6]#[#7]"),
    (42, 0, r"F"),
    (43, 0, r"[!#6;!#1;!H0]~*~[!#6;!#1;!H0]"),
    (
        44,
        0,
        r"[!#1;!#6;!#7;!#8;!#9;!#14;!#15;!#16;!#17;!#35;!#53]",
    ),
    (45, 0, r"[#6]=[#6]~[#7]"),
    (46, 0, r"Br"),
    (47, 0, r"[#16]~*~[#7]"),
    (48, 0, r"[#8]~[!#6;!#1](~[#8])(~[#8])"),
    (49, 0, r"[!+0]"),
    (50, 0, r"[#6]=[#6](~[#6])~[#6]"),
    (51, 0, r"[#6]~[#16]~[#8]"),
    (52, 0, r"[#7]~[#7]"),
    (53, 0, r"[!#6;!#1;!H0]~*~*~*~[!#6;!#1;!H0]"),
    (54, 0, r"[!#6;!#1;!H0]~*~*~[!#6;!#1;!H0]"),
    (55, 0, r"[#8]~[#16]~[#8]"),
    (56, 0, r"[#8]~[#7](~[#8])~[#6]"),
    (57, 0, r"[#8R]"),
    (58, 0, r"[!#6;!#1]~[#16]~[!#6;!#1]"),
    (59, 0, r"[#16]!:*:*"),
    (60, 0, r"[#16]=[#8]"),
    (61, 0, r"*~[#16](~*)~*"),
    (62, 0, r"*@*!@*@*"),
    (63, 0, r"[#7]=[#8]"),
    (64, 0, r"*@*!@[#16]"),
    (65, 0, r"c:n"),
    (66, 0, r"[#6]~[#6](~[#6])(~[#6])~*"),
    (67, 0, r"[!#6;!#1]~[#16]"),
    (68, 0, r"[!#6;!#1;!H0]~[!#6;!#1;!H0]"),
    (69, 0, r"[!#6;!#1]~[!#6;!#1;!H0]"),
    (70, 0, r"[!#6;!#1]~[#7]~[!#6;!#1]"),
    (71, 0, r"[#7]~[#8]"),
    (72, 0, r"[#8]~*~*~[#8]"),
    (73, 0, r"[#16]=*"),
    (74, 0, r"[CH3]~*~[CH3]"),
    (75, 0, r"*!@[#7]@*"),
    (76, 0, r"[#6]=[#6](~*)~*"),
    (77, 0, r"[#7]~*~[#7]"),
    (78, 0, r"[#6]=[#7]"),
    (79, 0, r"[#7]~*~*~[#7]"),
    (80, 0, r"[#7]~*~*~*~[#7]"),
    (81, 0, r"[#16]~*(~*)~*"),
    (82, 0, r"*~[CH2]~[!#6;!#1;!H0]"),
    (83, 0, r"[!#6;!#1]1~*~*~*~*~1"),
    (84, 0, r"[NH2]"),
    (85, 0, r"[#6]~[#7](~[#6])~[#6]"),
    (86, 0, r"[C;H2,H3][!#6;!#1][C;H2,H3]"),
    (87, 0, r"[F,Cl,Br,I]!@*@*"),
    (88, 0, r"[#16]"),
    (89, 0, r"[#8]~*~*~*~[#8]"),
    (
        90,
        0,
        r"[$([!#6;!#1;!H0]~*~*~[CH2]~*),$([!#6;!#1;!H0;R]1@[R]@[R]@[CH2;R]1),$([!#6;!#1;!H0]~[R]1@[R]@[CH2;R]1)]",
    ),
    (
        91,
        0,
        r"[$([!#6;!#1;!H0]~*~*~*~[CH2]~*),$([!#6;!#1;!H0;R]1@[R]@[R]@[R]@[CH2;R]1),$([!#6;!#1;!H0]~[R]1@[R]@[R]@[CH2;R]1),$([!#6;!#1;!H0]~*~[R]1@[R]@[CH2;R]1)]",
    ),
    (92, 0, r"[#8]~[#6](~[#7])~[#6]"),
    (93, 0, r"[!#6;!#1]~[CH3]"),
    (94, 0, r"[!#6;!#1]~[#7]"),
    (95, 0, r"[#7]~*~*~[#8]"),
    (96, 0, r"*1~*~*~*~*~1"),
    (97, 0, r"[#7]~*~*~*~[#8]"),
    (98, 0, r"[!#6;!#1]1~*~*~*~*~*~1"),
    (99, 0, r"[#6]=[#6]"),
    (100, 0, r"*~[CH2]~[#7]"),
    (
        101,
        0,
        r"[$([R]@1@[R]@[R]@[R]@[R]@[R]@[R]@[R]1),$([R]@1@[R]@[R]@[R]@[R]@[R]@[R]@[R]@[R]1),$([R]@1@[R]@[R]@[R]@[R]@[R]@[R]@[R]@[R]@[R]1),$([R]@1@[R]@[R]@[R]@[R]@[R]@[R]@[R]@[R]@[R]@[R]1),$([R]@1@[R]@[R]@[R]@[R]@[R]@[R]@[R]@[R]@[R]@[R]@[R]1),$([R]@1@[R]@[R]@[R]@[R]@[R]@[R]@[R]@[R]@[R]@[R]@[R]@[R]1),$([R]@1@[R]@[R]@[R]@[R]@[R]@[R]@[R]@[R]@[R]@[R]@[R]@[R]@[R]1)]",
    ),
    (102, 0, r"[!#6;!#1]~[#8]"),
    (103, 0, r"Cl"),
    (104, 0, r"[!#6;!#1;!H0]~*~[CH2]~*"),
    (105, 0, r"*@*(@*)@*"),
    (106, 0, r"[!#6;!#1]~*(~[!#6;!#1])~[!#6;!#1]"),
    (107, 0, r"[F,Cl,Br,I]~*(~*)~*"),
    (108, 0, r"[CH3]~*~*~*~[CH2]~*"),
    (109, 0, r"*~[CH2]~[#8]"),
    (110, 0, r"[#7]~[#6]~[#8]"),
    (111, 0, r"[#7]~*~[CH2]~*"),
    (112, 0, r"*~*(~*)(~*)~*"),
    (113, 0, r"[#8]!:*:*"),
    (114, 0, r"[CH3]~[CH2]~*"),
    (115, 0, r"[CH3]~*~[CH2]~*"),
    (116, 0, r"[$([CH3]~*~*~[CH2]~*),$([CH3]~*1~*~[CH2]1)]"),
    (117, 0, r"[#7]~*~[#8]"),
    (118, 1, r"[$(*~[CH2]~[CH2]~*),$(*1~[CH2]~[CH2]1)]"),
    (119, 0, r"[#7]=*"),
    (120, 1, r"[!#6;R]"),
    (121, 0, r"[#7;R]"),
    (122, 0, r"*~[#7](~*)~*"),
    (123, 0, r"[#8]~[#6]~[#8]"),
    (124, 0, r"[!#6;!#1]~[!#6;!#1]"),
    (126, 0, r"*!@[#8]!@*"),
    (127, 1, r"*@*!@[#8]"),
    (
        128,
        0,
        r"[$(*~[CH2]~*~*~*~[CH2]~*),$([R]1@[CH2;R]@[R]@[R]@[R]@[CH2;R]1),$(*~[CH2]~[R]1@[R]@[R]@[CH2;R]1),$(*~[CH2]~*~[R]1@[R]@[CH2;R]1)]",
    ),
    (
        129,
        0,
        r"[$(*~[CH2]~*~*~[CH2]~*),$([R]1@[CH2]@[R]@[R]@[CH2;R]1),$(*~[CH2]~[R]1@[R]@[CH2;R]1)]",
    ),
    (130, 1, r"[!#6;!#1]~[!#6;!#1]"),
    (131, 1, r"[!#6;!#1;!H0]"),
    (132, 0, r"[#8]~*~[CH2]~*"),
    (133, 0, r"*@*!@[#7]"),
    (134, 0, r"[F,Cl,Br,I]"),
    (135, 0, r"[#7]!:*:*"),
    (136, 1, r"[#8]=*"),
    (137, 0, r"[!C;!c;R]"),
    (138, 1, r"[!#6;!#1]~[CH2]~*"),
    (139, 0, r"[O;!H0]"),
    (140, 3, r"[#8]"),
    (141, 2, r"[CH3]"),
    (142, 1, r"[#7]"),
    (143, 0, r"*@*!@[#8]"),
    (144, 0, r"*!:*:*!:*"),
    (145, 1, r"*1~*~*~*~*~*~1"),
    (146, 2, r"[#8]"),
    (147, 0, r"[$(*~[CH2]~[CH2]~*),$([R]1@[CH2;R]@[CH2;R]1)]"),
    (148, 0, r"*~[!#6;!#1](~*)~*"),
    (149, 1, r"[C;H3,H4]"),
    (150, 0, r"*!@*@*!@*"),
    (151, 0, r"[#7;!H0]"),
    (152, 0, r"[#8]~[#6](~[#6])~[#6]"),
    (153, 0, r"[!#6;!#1]~[CH2]~*"),
    (154, 0, r"[#6]=[#8]"),
    (155, 0, r"*!@[CH2]!@*"),
    (156, 0, r"[#7]~*(~*)~*"),
    (157, 0, r"[#6]-[#8]"),
    (158, 0, r"[#6]-[#7]"),
    (159, 1, r"[#8]"),
    (160, 0, r"[C;H3,H4]"),
    (161, 0, r"[#7]"),
    (162, 0, r"a"),
    (163, 0, r"*1~*~*~*~*~*~1"),
    (164, 0, r"[#8]"),
    (165, 0, r"[R]"),
];

struct Key {
    number: u32,
    count: usize,
    pattern: Smarts,
}

fn keys() -> &'static [Key] {
    static KEYS: OnceLock<Vec<Key>> = OnceLock::new();
    KEYS.get_or_init(|| {
        KEY_PATTERNS
            .iter()
            .map(|&(number, count, smarts)| Key {
                number,
                count,
                pattern: Smarts::parse(smarts)
                    .unwrap_or_else(|e| panic!("MACCS key {number} {smarts}: {e}")),
            })
            .collect()
    })
}

/// The MACCS keys a molecule sets, ascending (RDKit numbering, 1..=166).
pub fn maccs_keys(mol: &Molecule) -> Vec<u32> {
    maccs_keys_prepared(&PreparedMolecule::new(mol))
}

/// The keys as RDKit's 167-bit vector (`GenMACCSKeys`: bit k is key k; bit 0 is never set).
pub fn maccs_bits(mol: &Molecule) -> FingerprintBits {
    FingerprintBits::from_on_bits(MACCS_BITS, maccs_keys(mol)).expect("keys are 1..=166")
}

/// The length of RDKit's MACCS bit vector.
pub const MACCS_BITS: u32 = 167;

/// As [`maccs_keys`], on a molecule already prepared for matching.
pub fn maccs_keys_prepared(target: &PreparedMolecule) -> Vec<u32> {
    let mut set: Vec<u32> = keys()
        .iter()
        .filter(|k| {
            if k.count == 0 {
                k.pattern.is_match_prepared(target)
            } else {
                k.pattern.count_unique_prepared(target) > k.count
            }
        })
        .map(|k| k.number)
        .collect();
    if target.aromatic_ring_count() > 1 {
        set.push(125);
    }
    if target.fragment_count() > 1 {
        set.push(166);
    }
    set.sort_unstable();
    set
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chem::smiles::parse_molecule;

    fn keys_of(smiles: &str) -> Vec<u32> {
        maccs_keys(&parse_molecule(smiles).unwrap())
    }

    #[test]
    fn every_key_pattern_parses_and_numbers_are_in_range() {
        assert_eq!(keys().len(), 163);
        assert!(keys().iter().all(|k| (2..=MACCS_KEYS).contains(&k.number)));
    }

    #[test]
    fn keys_match_rdkit_on_small_molecules() {
        // RDKit 2026.09 `list(MACCSkeys.GenMACCSKeys(m).GetOnBits())`.
        assert_eq!(
            keys_of("CNO"),
            [
                24, 68, 69, 71, 93, 94, 102, 124, 131, 139, 151, 158, 160, 161, 164
            ]
        );
        assert_eq!(keys_of("CCC"), [74, 114, 149, 155, 160]);
        assert_eq!(keys_of("C.C"), [149, 160, 166]);
        assert_eq!(keys_of("c1ccccc1-c1ccccc1"), [62, 125, 145, 162, 163, 165]);
        assert_eq!(keys_of("CC1CC1"), [22, 115, 116, 147, 160, 165]);
        assert_eq!(keys_of("[13CH4]"), [160]);
        assert_eq!(keys_of("[Rf]"), [2, 44]);
    }
}
