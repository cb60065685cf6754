//! Canonical CXSMILES: the SMILES followed by a `|...|` layer for what the SMILES cannot say
//! itself, with atoms numbered in output order (as RDKit's `MolToCXSmiles` numbers them).
//!
//! An OR or AND group describes the written configuration and its mirror image alike, so each
//! such group is written in whichever of its two configurations gives the smaller string:
//! `C[C@H](O)CC |&1:1|` and `C[C@@H](O)CC |&1:1|` get one string.

use std::fmt::{self, Write};

use super::rank;
use super::stereo::StereoSet;
use super::writer::{self, Written};
use crate::chem::aromaticity;
use crate::chem::mol::{Adjacency, Atom, Molecule, StereoClass, StereoGroupKind};
use crate::chem::rings::RingCore;
use crate::chem::valence::radical_electrons;

/// Groups of more than this many OR/AND groups are settled one group at a time instead of
/// trying every combination of configurations.
const EXHAUSTIVE_GROUPS: usize = 4;

/// Canonical SMILES of `mol` (hydrogens already folded) and what its layer says: enhanced
/// stereo groups and, when `cx`, unpaired electrons, atom labels and atom values.
pub(super) fn canonical_with_layer(mol: &Molecule, cx: bool) -> CxParts {
    let flippable: Vec<usize> = (0..mol.stereo_groups.len())
        .filter(|&g| mol.stereo_groups[g].kind != StereoGroupKind::Absolute)
        .collect();
    if flippable.is_empty() {
        return with_layer(mol, cx);
    }
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
        let parts = with_layer(&m, cx);
        (parts.to_string(), parts)
    };
    let mut mask = vec![false; flippable.len()];
    if flippable.len() <= EXHAUSTIVE_GROUPS {
        (0..1u32 << flippable.len())
            .map(|bits| {
                let mask: Vec<bool> = (0..flippable.len()).map(|i| bits >> i & 1 == 1).collect();
                write(&mask)
            })
            .min_by(|x, y| x.0.cmp(&y.0))
            .map(|(_, parts)| parts)
            .unwrap_or_default()
    } else {
        let mut best = write(&mask);
        for i in 0..mask.len() {
            mask[i] = true;
            let flipped = write(&mask);
            if flipped.0 < best.0 {
                best = flipped;
            } else {
                mask[i] = false;
            }
        }
        best.1
    }
}

/// The canonical SMILES of `mol` as it stands and its layer.
fn with_layer(mol: &Molecule, cx: bool) -> CxParts {
    let adj = Adjacency::new(mol);
    let rings = RingCore::new(&adj, mol.bond_count());
    let flags = aromaticity::aromatic_flags(mol, &adj, &rings);
    let mut stereo = StereoSet::collect(mol, &adj, &flags);
    let notes = if cx { note_ranks(mol) } else { None };
    let ranks = rank::canonical_ranks(
        mol,
        &adj,
        Some(&rings),
        &flags,
        &mut stereo,
        notes.as_deref(),
    );
    let mut written = Written::default();
    let smiles =
        writer::write_recorded(mol, &adj, &ranks, &stereo, &flags, true, Some(&mut written));
    parts(mol, smiles, &written, cx)
}

/// Each atom's (label, value) as a number that sorts as they do, 0 for an atom with neither;
/// `None` when no atom has one. Ranking uses it to break the ties that symmetry leaves, so
/// that `*C* |$_R1;;_R2$|` and `*C* |$_R2;;_R1$|` get one string (RDKit's ranking ignores
/// labels, and its output for them depends on the input order).
fn note_ranks(mol: &Molecule) -> Option<Vec<u32>> {
    fn note(a: &Atom) -> Option<(Option<&str>, Option<&str>)> {
        a.notes.is_some().then_some((a.label(), a.value()))
    }
    let mut distinct: Vec<_> = mol.atom_values().filter_map(note).collect();
    if distinct.is_empty() {
        return None;
    }
    distinct.sort_unstable();
    distinct.dedup();
    Some(
        mol.atom_values()
            .map(|a| {
                note(a).map_or(0, |n| {
                    distinct.binary_search(&n).map_or(0, |i| i as u32 + 1)
                })
            })
            .collect(),
    )
}

/// One optional text per atom, in output order.
type Texts = Vec<Option<Box<str>>>;

/// A canonical SMILES and what its layer says, atoms numbered in output order.
#[derive(Clone, Debug, Default)]
pub(super) struct CxParts {
    pub smiles: String,
    pub atoms: usize,
    /// Each output position's label, when any atom has one; likewise values.
    labels: Option<Texts>,
    values: Option<Texts>,
    /// Radical code (`^1:`, `^2:`, `^5:`) and its atoms, ascending.
    radicals: Vec<(u8, Vec<usize>)>,
    /// Each group's kind and atoms, ascending.
    groups: Vec<(StereoGroupKind, Vec<usize>)>,
}

/// The layer's contents for `mol` written as `smiles` in the order `written` recorded: stereo
/// groups and, when `cx`, labels, values and radicals.
fn parts(mol: &Molecule, smiles: String, written: &Written, cx: bool) -> CxParts {
    let n = mol.atom_count();
    let by_position = |text: fn(&Atom) -> Option<&str>| {
        if !cx || mol.atom_values().all(|a| text(a).is_none()) {
            return None;
        }
        let mut list = vec![None; n];
        for (a, atom) in mol.atom_values().enumerate() {
            list[written.position[a]] = text(atom).map(Box::from);
        }
        Some(list)
    };
    let mut radicals = Vec::new();
    if cx {
        for (electrons, code) in [(1, 1), (2, 2), (3, 5)] {
            let mut atoms: Vec<usize> = mol
                .atoms()
                .filter(|&a| radical_electrons(mol, a) == electrons)
                .map(|a| written.position[a.index()])
                .collect();
            if !atoms.is_empty() {
                atoms.sort_unstable();
                radicals.push((code, atoms));
            }
        }
    }
    let groups = mol
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
    CxParts {
        smiles,
        atoms: n,
        labels: by_position(Atom::label),
        values: by_position(Atom::value),
        radicals,
        groups,
    }
}

impl CxParts {
    /// `parts` written one after another (`.`-separated species of a reaction role, or the
    /// roles themselves with `>` as `separator`), their atoms numbered on.
    pub fn concat(parts: &[CxParts], separator: &str) -> CxParts {
        let total = parts.iter().map(|p| p.atoms).sum();
        let texts = |pick: fn(&CxParts) -> &Option<Texts>| {
            parts.iter().any(|p| pick(p).is_some()).then(|| {
                parts
                    .iter()
                    .flat_map(|p| match pick(p) {
                        Some(list) => list.clone(),
                        None => vec![None; p.atoms],
                    })
                    .collect()
            })
        };
        let mut out = CxParts {
            smiles: parts
                .iter()
                .map(|p| p.smiles.as_str())
                .collect::<Vec<_>>()
                .join(separator),
            atoms: total,
            labels: texts(|p| &p.labels),
            values: texts(|p| &p.values),
            ..CxParts::default()
        };
        let mut offset = 0;
        for p in parts {
            for (code, atoms) in &p.radicals {
                let shifted = atoms.iter().map(|a| a + offset);
                match out.radicals.iter_mut().find(|(c, _)| c == code) {
                    Some((_, list)) => list.extend(shifted),
                    None => out.radicals.push((*code, shifted.collect())),
                }
            }
            out.groups.extend(
                p.groups
                    .iter()
                    .map(|(kind, atoms)| (*kind, atoms.iter().map(|a| a + offset).collect())),
            );
            offset += p.atoms;
        }
        out.radicals.sort();
        out
    }

    /// The fields of the layer, comma-separated, in RDKit's order: labels (`$...$`), values
    /// (`$_AV:...$`), radicals (`^1:` one electron, `^2:` two, `^5:` three, RDKit's codes),
    /// stereo groups (`a:`, `o1:`.., `&1:`..; groups of a kind numbered by their first atom).
    pub fn layer(&self) -> String {
        let mut fields: Vec<String> = Vec::new();
        for (list, prefix) in [(&self.labels, ""), (&self.values, "_AV:")] {
            if let Some(list) = list {
                let entries: Vec<String> = list
                    .iter()
                    .map(|t| t.as_deref().map(escape).unwrap_or_default())
                    .collect();
                fields.push(format!("${prefix}{}$", entries.join(";")));
            }
        }
        for (code, atoms) in &self.radicals {
            fields.push(format!("^{code}:{}", join(atoms)));
        }
        let mut groups = self.groups.clone();
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
}

impl fmt::Display for CxParts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.smiles)?;
        let layer = self.layer();
        if !layer.is_empty() {
            write!(f, " |{layer}|")?;
        }
        Ok(())
    }
}

/// A label as the layer writes it: the characters RDKit escapes (controls, `$ & ' ; `` ` `` {
/// | }` and DEL) as `&#N;`, so that it cannot end its entry, list or layer. Other text,
/// non-ASCII included, is written as it is (RDKit reads it so).
pub(crate) fn escape(label: &str) -> String {
    let mut out = String::with_capacity(label.len());
    for c in label.chars() {
        if c < ' ' || c == '\x7f' || "$&';`{|}".contains(c) {
            let _ = write!(out, "&#{};", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

fn join(list: &[usize]) -> String {
    let parts: Vec<String> = list.iter().map(usize::to_string).collect();
    parts.join(",")
}
