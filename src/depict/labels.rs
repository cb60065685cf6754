//! Atom labels after the IUPAC 2008 conventions: carbons implicit, heteroatoms with their
//! hydrogens on the side away from the bonds (OH / HO, NH2 / H2N), isotopes and charges as
//! superscripts. A `*` with a CXSMILES label is drawn as its label (`_R1` as R1).

use super::layout::Vec2;
use super::scene::{Shift, Span};
use crate::chem::{Atom, AtomIdx, Element, Molecule};

/// The label of atom `a`, with the index of the span that holds its element symbol; `None` for
/// an implicit carbon.
pub fn atom_label(mol: &Molecule, a: AtomIdx, pos: &[Vec2]) -> Option<(Vec<Span>, usize)> {
    let atom = mol.atom(a);
    let degree = mol.degree(a);
    if atom.element == Element::C && atom.charge == 0 && atom.isotope.is_none() && degree > 0 {
        return None;
    }
    let span = |text: String, shift| Span { text, shift };
    let mut symbol_part = Vec::new();
    if let Some(iso) = atom.isotope {
        symbol_part.push(span(iso.to_string(), Shift::Super));
    }
    let symbol = atom_symbol(atom);
    symbol_part.push(span(symbol.to_string(), Shift::Normal));
    let mut h_part = Vec::new();
    if atom.hydrogens > 0 {
        h_part.push(span("H".into(), Shift::Normal));
        if atom.hydrogens > 1 {
            h_part.push(span(atom.hydrogens.to_string(), Shift::Sub));
        }
    }
    let charge = match atom.charge {
        0 => None,
        1 => Some("+".to_string()),
        -1 => Some("\u{2212}".to_string()),
        c if c > 0 => Some(format!("{c}+")),
        c => Some(format!("{}\u{2212}", -c)),
    };
    // Bonds pointing mostly right put the hydrogens on the left (H2N–, HO–).
    let here = pos[a.index()];
    let pull: f64 = mol
        .neighbors(a)
        .iter()
        .map(|(n, _)| (pos[n.index()] - here).unit().x)
        .sum();
    let h_left = !h_part.is_empty() && pull > 0.1;
    let mut spans = Vec::new();
    let anchor;
    if h_left {
        spans.extend(h_part);
        anchor = spans.len() + symbol_part.len() - 1;
        spans.extend(symbol_part);
    } else {
        anchor = symbol_part.len() - 1;
        spans.extend(symbol_part);
        spans.extend(h_part);
    }
    if let Some(c) = charge {
        spans.push(span(c, Shift::Super));
    }
    Some((spans, anchor))
}

/// The text an atom is drawn with: its element symbol, or for a labelled `*` its label.
pub fn atom_symbol(atom: &Atom) -> &str {
    match atom.label() {
        Some(label) if atom.element == Element::WILDCARD => dummy_text(label),
        _ => atom.element.symbol(),
    }
}

/// What a `*` with this CXSMILES label shows: R-groups and attachment points without their
/// `_` (`_R1` is R1, `_AP1` AP1), query atoms without their `_p` / `_e` suffix (`A_p` is A,
/// `QH_p` QH, `star_e` *), other labels as they are.
fn dummy_text(label: &str) -> &str {
    if label == "star_e" {
        return "*";
    }
    let query = label
        .strip_suffix("_p")
        .or_else(|| label.strip_suffix("_e"))
        .filter(|q| matches!(*q, "Q" | "QH" | "A" | "AH" | "X" | "XH" | "M" | "MH"));
    query
        .or_else(|| {
            label
                .strip_prefix('_')
                .filter(|l| l.starts_with('R') || l.starts_with("AP"))
        })
        .unwrap_or(label)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chem::{Atom, Bond, BondOrder};

    fn text(spans: &[Span]) -> String {
        spans.iter().map(|s| s.text.as_str()).collect()
    }

    #[test]
    fn hydrogens_go_away_from_the_bond() {
        let mut m = Molecule::new();
        let c = m.add_atom(Atom::new(Element::C));
        let mut n = Atom::new(Element::N);
        n.hydrogens = 2;
        let n = m.add_atom(n);
        m.add_bond(c, n, Bond::new(BondOrder::Single));
        // N left of C: bond points right, so H2N.
        let pos = [Vec2::new(1.0, 0.0), Vec2::new(0.0, 0.0)];
        let (spans, anchor) = atom_label(&m, n, &pos).unwrap();
        assert_eq!(text(&spans), "H2N");
        assert_eq!(spans[anchor].text, "N");
        // N right of C: NH2.
        let pos = [Vec2::new(0.0, 0.0), Vec2::new(1.0, 0.0)];
        assert_eq!(text(&atom_label(&m, n, &pos).unwrap().0), "NH2");
        assert!(atom_label(&m, c, &pos).is_none());
    }

    #[test]
    fn labelled_dummy_atoms_show_their_label() {
        for (label, shown) in [
            ("_R1", "R1"),
            ("_AP2", "AP2"),
            ("A_p", "A"),
            ("QH_p", "QH"),
            ("Q_e", "Q"),
            ("star_e", "*"),
            ("Boc", "Boc"),
        ] {
            let mut m = Molecule::new();
            let c = m.add_atom(Atom::new(Element::C));
            let mut star = Atom::new(Element::WILDCARD);
            star.set_label(Some(label.into()));
            let star = m.add_atom(star);
            m.add_bond(c, star, Bond::new(BondOrder::Single));
            let pos = [Vec2::new(0.0, 0.0), Vec2::new(1.0, 0.0)];
            let (spans, _) = atom_label(&m, star, &pos).unwrap();
            assert_eq!(text(&spans), shown, "{label}");
        }
    }
}
