//! Bracket atoms: `[isotope? symbol chirality? hcount? charge? class?]`.

use super::cursor::Cursor;
use super::error::{SmilesError, SmilesErrorKind};
use crate::chem::element::Element;
use crate::chem::mol::StereoClass;

/// The contents of one bracket atom, before it becomes a graph node.
pub(crate) struct BracketAtom {
    pub element: Element,
    pub aromatic: bool,
    pub isotope: Option<u16>,
    pub chirality: Option<StereoClass>,
    pub hydrogens: u8,
    pub charge: i8,
    pub atom_class: Option<u32>,
}

/// Aromatic symbols allowed inside brackets (OpenSMILES, plus `te` as RDKit reads it), longest first.
const AROMATIC_BRACKET: [(&str, u8); 9] = [
    ("se", 34),
    ("as", 33),
    ("te", 52),
    ("b", 5),
    ("c", 6),
    ("n", 7),
    ("o", 8),
    ("p", 15),
    ("s", 16),
];

/// OpenSMILES bounds the charge to -15..=+15.
const MAX_CHARGE: i32 = 15;

/// Reads a bracket atom; the cursor stands on `[` and is left after `]`.
pub(crate) fn read_bracket_atom(cur: &mut Cursor) -> Result<BracketAtom, SmilesError> {
    let open = cur.offset();
    cur.bump(); // '['
    let isotope = match cur.digits(5) {
        None => None,
        Some((text, at)) => Some(
            text.parse::<u16>()
                .map_err(|_| SmilesError::new(SmilesErrorKind::BadIsotope, at).with_detail(text))?,
        ),
    };
    let (element, aromatic) = read_symbol(cur, open)?;
    let chirality = read_chirality(cur)?;
    let mut hydrogens = 0;
    if cur.peek() == Some(b'H') {
        cur.bump();
        hydrogens = 1;
        if let Some(d) = cur.peek().filter(u8::is_ascii_digit) {
            cur.bump();
            hydrogens = d - b'0';
        }
    }
    let charge = read_charge(cur)?;
    let mut atom_class = None;
    if cur.peek() == Some(b':') {
        cur.bump();
        let (text, at) = cur
            .digits(10)
            .ok_or_else(|| cur.error(SmilesErrorKind::BadAtomClass))?;
        atom_class =
            Some(text.parse::<u32>().map_err(|_| {
                SmilesError::new(SmilesErrorKind::BadAtomClass, at).with_detail(text)
            })?);
    }
    match cur.peek() {
        Some(b']') => cur.bump(),
        None => return Err(SmilesError::new(SmilesErrorKind::UnclosedBracket, open)),
        Some(_) => return Err(cur.unexpected()),
    }
    Ok(BracketAtom {
        element,
        aromatic,
        isotope,
        chirality,
        hydrogens,
        charge,
        atom_class,
    })
}

fn read_symbol(cur: &mut Cursor, open: usize) -> Result<(Element, bool), SmilesError> {
    let at = cur.offset();
    let Some(first) = cur.peek() else {
        return Err(SmilesError::new(SmilesErrorKind::UnclosedBracket, open));
    };
    if first == b'*' {
        cur.bump();
        return Ok((Element::WILDCARD, false));
    }
    if first.is_ascii_uppercase() {
        // Two-letter symbols win: `[Cl]`, `[Sc]` (scandium, never S + c inside one bracket).
        if let Some(second) = cur.peek_at(1).filter(u8::is_ascii_lowercase) {
            let two = [first, second];
            let sym = std::str::from_utf8(&two).unwrap_or("");
            if let Some(e) = Element::from_symbol(sym) {
                cur.bump();
                cur.bump();
                return Ok((e, false));
            }
        }
        let one = [first];
        if let Some(e) = Element::from_symbol(std::str::from_utf8(&one).unwrap_or("")) {
            cur.bump();
            return Ok((e, false));
        }
    } else if first.is_ascii_lowercase() {
        for (sym, z) in AROMATIC_BRACKET {
            if let (true, Some(e)) = (cur.starts_with(sym), Element::from_atomic_number(z)) {
                for _ in 0..sym.len() {
                    cur.bump();
                }
                return Ok((e, true));
            }
        }
    } else {
        return Err(cur.unexpected());
    }
    let word = cur.letters_from(at);
    Err(SmilesError::new(SmilesErrorKind::UnknownElement, at).with_detail(format!("'{word}'")))
}

/// `@`, `@@`, `@TH1`, `@AL2`, `@SP3`, `@TB20`, `@OH30`.
fn read_chirality(cur: &mut Cursor) -> Result<Option<StereoClass>, SmilesError> {
    let at = cur.offset();
    if cur.peek() != Some(b'@') {
        return Ok(None);
    }
    cur.bump();
    if cur.peek() == Some(b'@') {
        cur.bump();
        return Ok(Some(StereoClass::Tetrahedral { clockwise: true }));
    }
    let classes: [(&str, u8); 5] = [("TH", 2), ("AL", 2), ("SP", 3), ("TB", 20), ("OH", 30)];
    for (name, max) in classes {
        if !cur.starts_with(name) {
            continue;
        }
        cur.bump();
        cur.bump();
        let bad = || SmilesError::new(SmilesErrorKind::BadChirality, at);
        let (text, _) = cur.digits(2).ok_or_else(bad)?;
        let n: u8 = text.parse().map_err(|_| bad())?;
        if n == 0 || n > max {
            return Err(bad().with_detail(format!("'@{name}{n}'")));
        }
        return Ok(Some(match name {
            "TH" => StereoClass::Tetrahedral { clockwise: n == 2 },
            "AL" => StereoClass::Allenal(n),
            "SP" => StereoClass::SquarePlanar(n),
            "TB" => StereoClass::TrigonalBipyramidal(n),
            _ => StereoClass::Octahedral(n),
        }));
    }
    Ok(Some(StereoClass::Tetrahedral { clockwise: false }))
}

/// `+`, `++`, `+2`, `-`, `--`, `-3`; nothing means 0.
fn read_charge(cur: &mut Cursor) -> Result<i8, SmilesError> {
    let at = cur.offset();
    let sign = match cur.peek() {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => return Ok(0),
    };
    let symbol = cur.peek().unwrap_or(b'+');
    cur.bump();
    let mut magnitude: i32 = 1;
    if let Some((text, _)) = cur.digits(3) {
        magnitude = text.parse().unwrap_or(i32::MAX);
    } else {
        while cur.peek() == Some(symbol) {
            cur.bump();
            magnitude += 1;
        }
    }
    if magnitude > MAX_CHARGE {
        return Err(SmilesError::new(SmilesErrorKind::BadCharge, at)
            .with_detail(format!("(beyond ±{MAX_CHARGE})")));
    }
    Ok((sign * magnitude) as i8)
}
