//! Standard InChI and InChIKey of a molecule, computed by the IUPAC reference library (InChI
//! 1.07, vendored and built by the `inchi` crate).
//!
//! The library gets the molecule the way RDKit's `MolToInchi` hands it over with default options,
//! RDKit being the reference textchem is measured against: Kekulé bond orders, formal charges,
//! isotopes as shifts from the rounded atomic weight, no coordinates, and stereo as 0D parities
//! (tetrahedral centres from `@`/`@@`, double bonds from `/` `\`). Hydrogen counts are left for the
//! library to derive on C, N, O and the halogens F, Cl, Br, I unless the atom is a radical, and are
//! given exactly on every other element. A perchlorate written charge-separated (`[Cl+3]` with
//! `[O-]`s, the form the reader turns `O=Cl(=O)(=O)O` into) is handed over with its double bonds,
//! as RDKit does.

use std::fmt;

use crate::chem::canon::resolved_stereo;
use crate::chem::element::Element;
use crate::chem::hydrogens::fold_explicit_hydrogens;
use crate::chem::mol::{AtomIdx, BondIdx, BondOrder, Molecule, StereoClass, StereoNeighbor};
use crate::chem::props::masses::atomic_weight;
use crate::chem::valence::allowed_valences;

/// A molecule's identifiers and what the library had to say while computing them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InchiOutput {
    /// Standard InChI (`InChI=1S/...`).
    pub inchi: String,
    /// The 27-character InChIKey of `inchi`.
    pub key: String,
    /// The library's warnings (e.g. "Omitted undefined stereo", "Charges were rearranged"),
    /// one per entry; empty for a clean result.
    pub warnings: Vec<String>,
}

/// Why a molecule has no InChI.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InchiError {
    /// The molecule has no atoms.
    Empty,
    /// InChI has no symbol for the wildcard atom `*` (its atom index).
    Wildcard { atom: usize },
    /// InChI has no quadruple bond (its two atoms).
    QuadrupleBond { atoms: (usize, usize) },
    /// An isotope mass number too large for InChI's isotope field.
    IsotopeOutOfRange { atom: usize, mass: u16 },
    /// An atom carries more hydrogens than InChI accepts on one atom.
    TooManyHydrogens { atom: usize, count: u8 },
    /// The library rejected the structure or failed; its message.
    Library(String),
}

/// Atom numbers in messages count from 0, as the reader's errors do.
impl fmt::Display for InchiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InchiError::Empty => f.write_str("no InChI for an empty molecule"),
            InchiError::Wildcard { atom } => {
                write!(f, "no InChI for the wildcard atom * (atom {atom})")
            }
            InchiError::QuadrupleBond { atoms: (a, b) } => {
                write!(
                    f,
                    "no InChI for the quadruple bond between atoms {a} and {b}"
                )
            }
            InchiError::IsotopeOutOfRange { atom, mass } => write!(
                f,
                "no InChI for isotope {mass} on atom {atom} (mass number too large)"
            ),
            InchiError::TooManyHydrogens { atom, count } => write!(
                f,
                "no InChI for atom {atom} with {count} hydrogens (at most 127)"
            ),
            InchiError::Library(message) => write!(f, "InChI library: {message}"),
        }
    }
}

impl std::error::Error for InchiError {}

/// The standard InChI and InChIKey of `mol`. Hydrogens written as atoms are folded into counts
/// first, as RDKit's SMILES reader does; those that stay atoms (`[2H]`) are passed as atoms.
pub fn inchi(mol: &Molecule) -> Result<InchiOutput, InchiError> {
    match fold_explicit_hydrogens(mol) {
        Some(folded) => inchi_of(&folded),
        None => inchi_of(mol),
    }
}

fn inchi_of(mol: &Molecule) -> Result<InchiOutput, InchiError> {
    if mol.atom_count() == 0 {
        return Err(InchiError::Empty);
    }
    let input = library_input(mol)?;
    // AuxInfo (atom numbering) is not used; skipping it leaves the InChI itself unchanged.
    let options = inchi::Options::new().aux_info(false);
    let out = input.to_inchi(options).map_err(library_error)?;
    let key = inchi::inchikey(out.inchi()).map_err(library_error)?;
    Ok(InchiOutput {
        warnings: split_warnings(out.message()),
        inchi: out.into_inchi(),
        key,
    })
}

fn library_error(e: inchi::InchiError) -> InchiError {
    InchiError::Library(match e {
        inchi::InchiError::Failed { message, .. } if !message.is_empty() => message,
        other => other.to_string(),
    })
}

/// The library joins its warnings with "; ".
fn split_warnings(message: &str) -> Vec<String> {
    message
        .split(';')
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The molecule as the library's input structure (atom `i` of `mol` is atom `i` there).
fn library_input(mol: &Molecule) -> Result<inchi::Molecule, InchiError> {
    let perchlorates = perchlorate_double_bonds(mol);
    let mut input = inchi::Molecule::new();
    for a in mol.atoms() {
        let atom = mol.atom(a);
        if atom.element == Element::WILDCARD {
            return Err(InchiError::Wildcard { atom: a.index() });
        }
        let charge = if perchlorates.neutral_atoms.contains(&a) {
            0
        } else {
            atom.charge
        };
        let mut lib = inchi::Atom::new(atom.element.symbol()).charge(charge);
        if let Some(mass) = atom.isotope.filter(|&m| m > 0) {
            lib = lib.isotope(isotope_code(atom.element, mass).ok_or(
                InchiError::IsotopeOutOfRange {
                    atom: a.index(),
                    mass,
                },
            )?);
        }
        if !derives_hydrogens(mol, a) {
            let count = i8::try_from(atom.hydrogens).map_err(|_| InchiError::TooManyHydrogens {
                atom: a.index(),
                count: atom.hydrogens,
            })?;
            lib = lib.implicit_hydrogens(inchi::ImplicitH::Exactly(count as u8));
        }
        input.add_atom(lib);
    }
    for b in mol.bonds() {
        let (x, y) = mol.bond_atoms(b);
        let order = match mol.bond(b).order {
            _ if perchlorates.double_bonds.contains(&b) => inchi::BondOrder::Double,
            BondOrder::Single => inchi::BondOrder::Single,
            BondOrder::Double => inchi::BondOrder::Double,
            BondOrder::Triple => inchi::BondOrder::Triple,
            BondOrder::Quadruple => {
                return Err(InchiError::QuadrupleBond {
                    atoms: (x.index(), y.index()),
                });
            }
        };
        input
            .add_bond(x.index(), y.index(), order)
            .map_err(library_error)?;
    }
    // Only the stereo RDKit's reader keeps reaches the library: a mark it drops (on one centre of
    // a ring pair whose partner is unmarked, on a ring bond perception makes aromatic) would
    // otherwise turn an undefined element into a defined one.
    let has_stereo = mol.atom_values().any(|a| a.stereo.is_some())
        || mol.bond_values().any(|b| b.stereo.is_some());
    if !has_stereo {
        return Ok(input);
    }
    let (centres, double_bonds) = resolved_stereo(mol);
    for &a in &centres {
        if let Some(stereo) = tetrahedral_parity(mol, AtomIdx::new(a)) {
            input.add_stereo(stereo);
        }
    }
    for &b in &double_bonds {
        let b = BondIdx::new(b);
        let bond = mol.bond(b);
        let Some(st) = bond.stereo else { continue };
        if bond.order != BondOrder::Double {
            continue;
        }
        let (x, y) = mol.bond_atoms(b);
        let bonded = |p: AtomIdx, q: AtomIdx| p != q && mol.bond_between(p, q).is_some();
        if st.begin_ref == y || st.end_ref == x || !bonded(x, st.begin_ref) {
            continue;
        }
        if !bonded(y, st.end_ref) {
            continue;
        }
        // InChI's 'o' is the two listed neighbours on the same side.
        input.add_stereo(inchi::Stereo::DoubleBond {
            ends: [
                st.begin_ref.index(),
                x.index(),
                y.index(),
                st.end_ref.index(),
            ],
            parity: if st.cis {
                inchi::Parity::Odd
            } else {
                inchi::Parity::Even
            },
        });
    }
    Ok(input)
}

/// The library's flag for an isotopic mass given as a difference from the element's rounded
/// average mass (`ISOTOPIC_SHIFT_FLAG` in `inchi_api.h`).
const ISOTOPIC_SHIFT_FLAG: i32 = 10_000;

/// The isotope as RDKit passes it: a shift from the rounded atomic weight (RDKit's weights,
/// which textchem's mass tables hold), so that even improbable mass numbers (`[999C]`) give
/// RDKit's InChI. `None` when the code does not fit the library's 16-bit field.
fn isotope_code(element: Element, mass: u16) -> Option<u16> {
    let rounded = (atomic_weight(element) + 0.5) as i32;
    let code = ISOTOPIC_SHIFT_FLAG + i32::from(mass) - rounded;
    u16::try_from(code)
        .ok()
        .filter(|&c| i16::try_from(c).is_ok())
}

/// Whether the library should derive this atom's hydrogens from its own valence model: RDKit
/// lets it on C, N, O, F, Cl, Br and I, except on radicals.
fn derives_hydrogens(mol: &Molecule, a: AtomIdx) -> bool {
    matches!(
        mol.atom(a).element.atomic_number(),
        6 | 7 | 8 | 9 | 17 | 35 | 53
    ) && !is_radical(mol, a)
}

/// A bracket atom whose bonds and hydrogens fall short of the next valence its element and
/// charge allow (`[CH3]`, `[O]`, `[N]`): it has unpaired electrons.
fn is_radical(mol: &Molecule, a: AtomIdx) -> bool {
    let atom = mol.atom(a);
    if !atom.bracket {
        return false;
    }
    let total = u16::from(mol.bond_order_sum(a)) + u16::from(atom.hydrogens);
    allowed_valences(atom.element, atom.charge)
        .iter()
        .map(|&v| u16::from(v))
        .find(|&v| v >= total)
        .is_some_and(|v| v > total)
}

/// The 0D parity of a tetrahedral centre, or `None` when it has none the library can use (no
/// stereo, a non-tetrahedral class, listed neighbours that are not its neighbours, two implicit
/// hydrogens).
fn tetrahedral_parity(mol: &Molecule, a: AtomIdx) -> Option<inchi::Stereo> {
    let atom = mol.atom(a);
    let st = atom.stereo.as_ref()?;
    let StereoClass::Tetrahedral { clockwise } = st.class else {
        return None;
    };
    if st.neighbors.len() != 4 {
        return None;
    }
    let implicit = st
        .neighbors
        .iter()
        .filter(|n| **n == StereoNeighbor::Implicit)
        .count();
    let degree = mol.degree(a);
    let listed_are_neighbours = st
        .neighbors
        .iter()
        .filter_map(|n| n.atom())
        .all(|n| mol.bond_between(a, n).is_some());
    if implicit > 1 || usize::from(atom.hydrogens) > implicit || degree + implicit != 4 {
        return None;
    }
    if !listed_are_neighbours {
        return None;
    }
    // The implicit hydrogen or lone pair is written as the centre itself, first in the list.
    let mut order: Vec<usize> = (0..4).collect();
    if let Some(p) = st
        .neighbors
        .iter()
        .position(|n| *n == StereoNeighbor::Implicit)
    {
        order.remove(p);
        order.insert(0, p);
    }
    let slot = |i: usize| st.neighbors[i].atom().map_or(a.index(), |n| n.index());
    let neighbors = [
        slot(order[0]),
        slot(order[1]),
        slot(order[2]),
        slot(order[3]),
    ];
    // 'e': looking from the first neighbour the other three turn clockwise, as `@@` says of its
    // own neighbour order.
    let even = clockwise ^ odd_order(&order);
    Some(inchi::Stereo::Tetrahedral {
        center: a.index(),
        neighbors,
        parity: if even {
            inchi::Parity::Even
        } else {
            inchi::Parity::Odd
        },
    })
}

/// Whether `order` (a rearrangement of 0..n) is an odd permutation.
fn odd_order(order: &[usize]) -> bool {
    let mut inversions = 0;
    for i in 0..order.len() {
        for j in i + 1..order.len() {
            if order[i] > order[j] {
                inversions += 1;
            }
        }
    }
    inversions % 2 == 1
}

/// Perchlorate groups in their charge-separated form, to hand over with double bonds.
#[derive(Default)]
struct PerchlorateRewrite {
    /// Bonds that become double.
    double_bonds: Vec<BondIdx>,
    /// Atoms whose charge becomes 0.
    neutral_atoms: Vec<AtomIdx>,
}

/// RDKit's reader writes a perchlorate as `[Cl+3]` single-bonded to `[O-]`s; it hands InChI the
/// neutral-chlorine form: each `[O-]` double-bonded and uncharged, keeping one `[O-]` when all
/// four are charged (the anion) and the one neutral oxygen otherwise (acid or ester).
fn perchlorate_double_bonds(mol: &Molecule) -> PerchlorateRewrite {
    let mut out = PerchlorateRewrite::default();
    for cl in mol.atoms() {
        let atom = mol.atom(cl);
        if atom.element != Element::CL || atom.charge != 3 {
            continue;
        }
        let oxygens: Vec<(AtomIdx, BondIdx, i8)> = mol
            .neighbors(cl)
            .into_iter()
            .filter(|&(n, b)| {
                mol.atom(n).element == Element::O && mol.bond(b).order == BondOrder::Single
            })
            .map(|(n, b)| (n, b, mol.atom(n).charge))
            .collect();
        let anions = oxygens.iter().filter(|o| o.2 == -1).count();
        let neutral = oxygens.iter().filter(|o| o.2 == 0).count();
        if oxygens.len() != 4 || anions < 3 || neutral > 1 {
            continue;
        }
        let mut kept_anion = neutral == 1;
        for &(o, b, charge) in &oxygens {
            if charge != -1 {
                continue;
            }
            if !kept_anion {
                kept_anion = true;
                continue;
            }
            out.double_bonds.push(b);
            out.neutral_atoms.push(o);
        }
        out.neutral_atoms.push(cl);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chem::smiles::parse_molecule;

    fn key(smiles: &str) -> String {
        inchi(&parse_molecule(smiles).unwrap()).unwrap().key
    }

    fn id(smiles: &str) -> String {
        inchi(&parse_molecule(smiles).unwrap()).unwrap().inchi
    }

    #[test]
    fn aspirin() {
        let out = inchi(&parse_molecule("CC(=O)Oc1ccccc1C(=O)O").unwrap()).unwrap();
        assert_eq!(
            out.inchi,
            "InChI=1S/C9H8O4/c1-6(10)13-8-5-3-2-4-7(8)9(11)12/h2-5H,1H3,(H,11,12)"
        );
        assert_eq!(out.key, "BSYNRYMUTXBXSQ-UHFFFAOYSA-N");
        assert!(out.warnings.is_empty());
    }

    #[test]
    fn tetrahedral_centres_in_every_neighbour_order() {
        // L-alanine written four ways, and D-alanine.
        let l = "QNAYBMKLOCPYGJ-REOHCLBHSA-N";
        assert_eq!(key("C[C@@H](C(=O)O)N"), l);
        assert_eq!(key("N[C@@H](C)C(=O)O"), l);
        assert_eq!(key("[C@@H](C)(N)C(=O)O"), key("[C@H](N)(C)C(=O)O"));
        assert_eq!(key("[H][C@](C)(N)C(=O)O"), key("C[C@@H](N)C(=O)O"));
        assert_ne!(key("C[C@H](C(=O)O)N"), l);
        // One marked centre of a 1,4-cyclohexane pair whose partner is unmarked: RDKit's reader
        // drops the mark, so the library sees both centres undefined (a ChEMBL molecule).
        assert_eq!(
            key("CC(C)C1CC[C@@H](CC1)C(=O)N[C@H](CC1=CC=CC=C1)C(O)=O"),
            "OELFLUMRDSZNSF-OFLPRAFFSA-N"
        );
        // A sulfoxide: the lone pair in the implicit position.
        assert_eq!(key("C[S@](=O)CC"), "VTRRCXRVEQTTOE-YFKPBYRVSA-N");
        assert_ne!(key("C[S@@](=O)CC"), key("C[S@](=O)CC"));
    }

    #[test]
    fn double_bonds_cis_and_trans() {
        assert_eq!(id("C/C=C/C"), "InChI=1S/C4H8/c1-3-4-2/h3-4H,1-2H3/b4-3+");
        assert_eq!(id("C/C=C\\C"), "InChI=1S/C4H8/c1-3-4-2/h3-4H,1-2H3/b4-3-");
        assert_eq!(id("C(/C)=C/C"), id("C/C=C\\C"));
        // Marks on ring bonds that perception makes aromatic are dropped, as RDKit's reader does
        // (a magnesium porphyrin of ChEBI-20).
        assert_eq!(
            key(
                r"CC\1=C(C\2=[NH+]/C1=C\C3=C(C(=C([N-]3)/C=C\4/C(=C(C(=[NH+]4)/C=C\5/C(=C(/C(=C2)/[N-]5)CCC(=O)OC)C)C=C)C)C=C)C)CCC(=O)O.[Mg+2]"
            ),
            "JHTBRMHXRULRGV-UHFFFAOYSA-O"
        );
    }

    #[test]
    fn charges_isotopes_radicals() {
        assert_eq!(id("[NH4+]"), "InChI=1S/H3N/h1H3/p+1");
        assert_eq!(id("[13CH4]"), "InChI=1S/CH4/h1H4/i1+1");
        let methyl = inchi(&parse_molecule("[CH3]").unwrap()).unwrap();
        assert_eq!(methyl.inchi, "InChI=1S/CH3/h1H3");
        assert_eq!(methyl.warnings, ["Accepted unusual valence(s): C(3)"]);
        assert_eq!(id("[999C]"), "InChI=1S/C/i1-32");
        assert_eq!(id("[3C]"), "InChI=1S/C/i1-9");
        assert_eq!(
            inchi(&parse_molecule("[60000C]").unwrap()),
            Err(InchiError::IsotopeOutOfRange {
                atom: 0,
                mass: 60000
            })
        );
        assert_eq!(id("[2H]OC"), "InChI=1S/CH4O/c1-2/h2H,1H3/i2D");
        assert_eq!(id("[O-][Cl+3]([O-])([O-])[O-]"), id("[O-]Cl(=O)(=O)=O"));
    }

    #[test]
    fn what_inchi_cannot_express_is_an_error() {
        let star = parse_molecule("C*").unwrap();
        assert_eq!(inchi(&star), Err(InchiError::Wildcard { atom: 1 }));
        assert_eq!(inchi(&Molecule::new()), Err(InchiError::Empty));
        let quadruple = parse_molecule("[Re]$[Re]").unwrap();
        let e = inchi(&quadruple).unwrap_err();
        assert_eq!(e, InchiError::QuadrupleBond { atoms: (0, 1) });
        assert_eq!(
            e.to_string(),
            "no InChI for the quadruple bond between atoms 0 and 1"
        );
    }
}
