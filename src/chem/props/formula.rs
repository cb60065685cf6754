//! Molecular formula as RDKit's `CalcMolFormula` writes it: carbon first, then hydrogen, then the
//! other symbols in ASCII order (`*` for wildcard atoms), then the net charge (`-`, `+2`).
//! Isotope labels are not shown: `[13CH4]` is `CH4`, `[2H]` is `H`, as RDKit does by default.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::chem::{Element, Molecule};

/// Element symbol → number of atoms, hydrogens included (graph `[H]` atoms and the
/// `hydrogens` counts alike).
pub fn element_counts(mol: &Molecule) -> BTreeMap<&'static str, u32> {
    let mut counts = BTreeMap::new();
    let mut hydrogens = 0u32;
    for i in mol.atoms() {
        let atom = mol.atom(i);
        hydrogens += u32::from(atom.hydrogens);
        if atom.element == Element::H {
            hydrogens += 1;
        } else {
            *counts.entry(atom.element.symbol()).or_insert(0) += 1;
        }
    }
    if hydrogens > 0 {
        counts.insert("H", hydrogens);
    }
    counts
}

/// Net formal charge of the molecule.
pub fn net_charge(mol: &Molecule) -> i32 {
    mol.atoms().map(|i| i32::from(mol.atom(i).charge)).sum()
}

/// The molecular formula, e.g. `C2H6O`, `C2H3O2-`, `ClNa`, `Ca+2`.
pub fn molecular_formula(mol: &Molecule) -> String {
    let counts = element_counts(mol);
    let mut out = String::new();
    let mut push = |symbol: &str, n: u32| {
        out.push_str(symbol);
        if n > 1 {
            write!(out, "{n}").expect("writing to a String cannot fail");
        }
    };
    for first in ["C", "H"] {
        if let Some(&n) = counts.get(first) {
            push(first, n);
        }
    }
    // BTreeMap iterates in byte order, which is the order RDKit sorts the remaining symbols in.
    for (symbol, &n) in counts.iter().filter(|(s, _)| !matches!(**s, "C" | "H")) {
        push(symbol, n);
    }
    let charge = net_charge(mol);
    match charge {
        0 => {}
        1 => out.push('+'),
        -1 => out.push('-'),
        c if c > 0 => write!(out, "+{c}").expect("writing to a String cannot fail"),
        c => write!(out, "{c}").expect("writing to a String cannot fail"),
    }
    out
}
