//! Canonical CXSMILES: the SMILES followed by a `|...|` layer for what the SMILES cannot say
//! itself, with atoms numbered in output order (as RDKit's `MolToCXSmiles` numbers them).
//!
//! An OR or AND group describes the written configuration and its mirror image alike, so each
//! such group is written in whichever of its two configurations gives the smaller string:
//! `C[C@H](O)CC |&1:1|` and `C[C@@H](O)CC |&1:1|` get one string.

use std::fmt::Write;

use super::rank;
use super::stereo::StereoSet;
use super::writer::{self, Written};
use crate::chem::aromaticity;
use crate::chem::mol::{Adjacency, Molecule, StereoClass, StereoGroupKind};
use crate::chem::rings::RingCore;
use crate::chem::valence::radical_electrons;

/// Groups of more than this many OR/AND groups are settled one group at a time instead of
/// trying every combination of configurations.
const EXHAUSTIVE_GROUPS: usize = 4;

/// Canonical SMILES of `mol` (hydrogens already folded) with a layer for its enhanced stereo
/// groups and, when `radicals`, its unpaired electrons; no layer when there is nothing to say.
pub(super) fn canonical_with_layer(mol: &Molecule, radicals: bool) -> String {
    let flippable: Vec<usize> = (0..mol.stereo_groups.len())
        .filter(|&g| mol.stereo_groups[g].kind != StereoGroupKind::Absolute)
        .collect();
    let write = |mask: &[bool]| {
        let mut m = mol.clone();
        for (&g, _) in flippable.iter().zip(mask).filter(|(_, flip)| **flip) {
            for &a in &mol.stereo_groups[g].atoms {
                if let Some(st) = m.atom_mut(a).stereo.as_mut()
                    && let StereoClass::Tetrahedral { clockwise } = &mut st.class
                {
                    *clockwise = !*clockwise;
                }
            }
        }
        with_layer(&m, radicals)
    };
    let mut mask = vec![false; flippable.len()];
    if flippable.len() <= EXHAUSTIVE_GROUPS {
        (0..1u32 << flippable.len())
            .map(|bits| {
                let mask: Vec<bool> = (0..flippable.len()).map(|i| bits >> i & 1 == 1).collect();
                write(&mask)
            })
            .min()
            .unwrap_or_default()
    } else {
        let mut best = write(&mask);
        for i in 0..mask.len() {
            mask[i] = true;
            let flipped = write(&mask);
            if flipped < best {
                best = flipped;
            } else {
                mask[i] = false;
            }
        }
        best
    }
}

/// The canonical SMILES of `mol` as it stands and its layer.
fn with_layer(mol: &Molecule, radicals: bool) -> String {
    let adj = Adjacency::new(mol);
    let rings = RingCore::new(&adj, mol.bond_count());
    let flags = aromaticity::aromatic_flags(mol, &adj, &rings);
    let mut stereo = StereoSet::collect(mol, &adj, &flags);
    let ranks = rank::canonical_ranks(mol, &adj, Some(&rings), &flags, &mut stereo);
    let mut written = Written::default();
    let mut out =
        writer::write_recorded(mol, &adj, &ranks, &stereo, &flags, true, Some(&mut written));
    let layer = layer(mol, &written, radicals);
    if !layer.is_empty() {
        let _ = write!(out, " |{layer}|");
    }
    out
}

/// The fields of the layer, comma-separated: radicals (`^1:` one electron, `^2:` two, `^5:`
/// three, RDKit's codes) then stereo groups (`a:`, `o1:`.., `&1:`..), each group's atoms
/// ascending and groups of a kind numbered by their first atom.
fn layer(mol: &Molecule, written: &Written, radicals: bool) -> String {
    let mut fields: Vec<String> = Vec::new();
    if radicals {
        for (electrons, code) in [(1, 1), (2, 2), (3, 5)] {
            let mut atoms: Vec<usize> = mol
                .atoms()
                .filter(|&a| radical_electrons(mol, a) == electrons)
                .map(|a| written.position[a.index()])
                .collect();
            if !atoms.is_empty() {
                atoms.sort_unstable();
                fields.push(format!("^{code}:{}", join(&atoms)));
            }
        }
    }
    let mut groups: Vec<(StereoGroupKind, Vec<usize>)> = mol
        .stereo_groups
        .iter()
        .map(|g| {
            let mut atoms: Vec<usize> = g
                .atoms
                .iter()
                .filter(|a| written.marked[a.index()])
                .map(|a| written.position[a.index()])
                .collect();
            atoms.sort_unstable();
            (g.kind, atoms)
        })
        .filter(|(_, atoms)| !atoms.is_empty())
        .collect();
    groups.sort();
    let (mut or, mut and) = (0, 0);
    for (kind, atoms) in groups {
        let name = match kind {
            StereoGroupKind::Absolute => "a".to_string(),
            StereoGroupKind::Or => {
                or += 1;
                format!("o{or}")
            }
            StereoGroupKind::And => {
                and += 1;
                format!("&{and}")
            }
        };
        fields.push(format!("{name}:{}", join(&atoms)));
    }
    fields.join(",")
}

fn join(list: &[usize]) -> String {
    let parts: Vec<String> = list.iter().map(usize::to_string).collect();
    parts.join(",")
}
