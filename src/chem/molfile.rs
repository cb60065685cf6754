//! Reading MDL MOL blocks (V2000 and V3000) and SD files into [`Molecule`]s, as RDKit's
//! `MolFromMolBlock` reads them (its behaviour is the reference; see docs/molfile.md).
//!
//! Reading happens in two steps. The text is first read as written, one function per part of
//! the format (header, counts line, atom block, bond block, properties block; V3000 CTAB with
//! its ATOM, BOND and COLLECTION sections) into a connection table; every error names the line
//! (1-based) and what is wrong with it, and counts are checked against the lines there are
//! before anything is allocated for them. The table then becomes a molecule:
//! - atoms: `D`/`T` are hydrogen isotopes, query and R-group symbols (`R#`, `A`, `Q`, `*`, `L`...)
//!   the wildcard `*`; charges and isotopes from the atom block or `M  CHG` / `M  ISO` (which
//!   override the block's charges), unpaired electrons from `M  RAD`;
//! - hydrogens: every atom fills to its default valence (`valence::mol_file_hydrogens`) unless
//!   its valence field fixes the count; hydrogens drawn as atoms are folded afterwards as RDKit
//!   folds them (isotopes, charged ones and needed double-bond references stay atoms);
//! - bonds: single, double, triple, aromatic (kekulized like lowercase SMILES) and dative
//!   (V3000 type 9, donor first); query bonds (any, single-or-double...) are errors, since a
//!   molecule cannot hold them;
//! - stereo: with depth (any z not 0), every possible centre and double bond takes the
//!   configuration of its 3D positions; in a drawing, wedged centres that of the drawing
//!   (narrow end at the bond's first atom) and double bonds outside rings under 8 atoms that of
//!   their drawn sides, unless marked "either" (or next to a wavy bond). The chiral flag changes
//!   nothing (RDKit 2026 reads centres as absolute either way); V3000 `STEABS`, `STERACn` and
//!   `STERELn` collections become stereo groups.

use std::collections::HashMap;
use std::fmt;

use crate::chem::Atom;
use crate::chem::element::Element;
use crate::chem::hydrogens::fold_explicit_hydrogens;
use crate::chem::kekulize::kekulize;
use crate::chem::mol::{
    AtomIdx, AtomStereo, Bond, BondOrder, DoubleBondStereo, Molecule, StereoClass, StereoGroup,
    StereoGroupKind,
};
use crate::chem::props::masses::most_common_isotope_mass;
use crate::chem::rings::{in_ring_smaller_than, ring_atom_flags};
use crate::chem::smiles::hypervalent::separate_charges;
use crate::chem::stereo_geometry::{
    drawn_centre, lift_of, possible_centre, same_side, spatial_clockwise,
};
use crate::chem::valence::{mol_file_hydrogens, over_valent_atoms};

/// Why a MOL block was not read, and on which line (1-based, counted in the text given to the
/// reader; for an SD file, in the whole file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MolfileError {
    pub line: usize,
    pub message: String,
}

impl MolfileError {
    fn new(line: usize, message: impl Into<String>) -> MolfileError {
        MolfileError {
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for MolfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for MolfileError {}

/// A MOL block read: its title (first line) and molecule.
#[derive(Clone, Debug)]
pub struct MolBlock {
    pub title: String,
    pub molecule: Molecule,
}

/// Reads one MOL block (up to its `M  END`; anything after it is ignored).
pub fn read_mol_block(text: &str) -> Result<MolBlock, MolfileError> {
    let lines: Vec<&str> = text.lines().collect();
    read_block(&lines, 1)
}

/// The molecule of one MOL block.
pub fn parse_mol_block(text: &str) -> Result<Molecule, MolfileError> {
    read_mol_block(text).map(|b| b.molecule)
}

/// Whether `text` looks like a MOL block (what a user pastes from ChemDraw, Ketcher or RDKit):
/// a counts line ending in `V2000` or `V3000` among its first lines and an `M  END` line after
/// it. Says nothing of whether it reads.
pub fn looks_like_mol_block(text: &str) -> bool {
    counts_line_index(text)
        .is_some_and(|i| text.lines().skip(i + 1).any(|l| l.trim_end() == "M  END"))
}

/// Reads a MOL block as pasted: the three header lines are the three before the counts line,
/// blank ones put back where they were trimmed away with the surrounding whitespace (an
/// untitled block's first line) and blank lines before them skipped. Line numbers count the
/// text as given.
pub fn read_pasted_mol_block(text: &str) -> Result<MolBlock, MolfileError> {
    let counts = counts_line_index(text).unwrap_or(3);
    let missing = 3usize.saturating_sub(counts);
    let skipped = counts.saturating_sub(3);
    let lines: Vec<&str> = std::iter::repeat_n("", missing)
        .chain(text.lines().skip(skipped))
        .collect();
    read_block(&lines, 1 + skipped).map_err(|e| MolfileError {
        line: e.line.saturating_sub(missing).max(1),
        ..e
    })
}

/// The 0-based line of the counts line, if one of the first few lines (blank lines before a
/// block allowed) is one.
fn counts_line_index(text: &str) -> Option<usize> {
    text.lines().take(8).position(|l| {
        let l = l.trim_end();
        l.ends_with("V2000") || l.ends_with("V3000")
    })
}

/// One record of an SD file.
#[derive(Clone, Debug)]
pub struct SdRecord {
    /// 1-based position in the file.
    pub number: usize,
    /// Line of the file where the record starts (1-based).
    pub line: usize,
    /// The MOL block's first line, trimmed.
    pub title: String,
    /// `> <name>` data fields with their values (lines joined by `\n`), in file order.
    pub data: Vec<(String, String)>,
    pub molecule: Result<Molecule, MolfileError>,
}

impl SdRecord {
    /// The value of data field `name`, if the record has one.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.data
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The records of an SD file (separated by `$$$$` lines), in order; a record that does not
/// read carries its error and the next one is read as usual.
pub fn sd_records(text: &str) -> SdRecords<'_> {
    SdRecords {
        lines: text.lines().collect(),
        next: 0,
        number: 0,
    }
}

/// Iterator over the records of an SD file ([`sd_records`]).
pub struct SdRecords<'a> {
    lines: Vec<&'a str>,
    next: usize,
    number: usize,
}

impl Iterator for SdRecords<'_> {
    type Item = SdRecord;

    fn next(&mut self) -> Option<SdRecord> {
        let start = self.next;
        if start >= self.lines.len() {
            return None;
        }
        let end = self.lines[start..]
            .iter()
            .position(|l| l.trim_end() == "$$$$")
            .map_or(self.lines.len(), |p| start + p);
        self.next = end + 1;
        let lines = &self.lines[start..end];
        // Blank lines after the last `$$$$` are no record; a blank record between two others
        // is one (RDKit's SDMolSupplier counts it too) that does not read.
        if end >= self.lines.len() && lines.iter().all(|l| l.trim().is_empty()) {
            return None;
        }
        self.number += 1;
        let first = start + 1;
        let molecule = read_block(lines, first).map(|b| b.molecule);
        let data = lines
            .iter()
            .position(|l| l.trim_end() == "M  END")
            .map_or_else(Vec::new, |e| data_fields(&lines[e + 1..]));
        Some(SdRecord {
            number: self.number,
            line: first,
            title: lines.first().map_or("", |t| t.trim()).to_owned(),
            data,
            molecule,
        })
    }
}

/// `> <name>` (or `>  <name> (id)`...) headers and their value lines, up to a blank line.
fn data_fields(lines: &[&str]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        i += 1;
        if !line.starts_with('>') {
            continue;
        }
        let name = match (line.find('<'), line.rfind('>')) {
            (Some(open), Some(close)) if close > open => line[open + 1..close].to_owned(),
            _ => String::new(),
        };
        let mut value: Vec<&str> = Vec::new();
        while i < lines.len() && !lines[i].trim().is_empty() {
            value.push(lines[i]);
            i += 1;
        }
        out.push((name, value.join("\n")));
    }
    out
}

/// How a bond line marks stereo.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mark {
    None,
    /// Narrow end at the first atom, wide end towards the viewer.
    Wedge,
    /// Narrow end at the first atom, wide end away from the viewer.
    Hash,
    /// Wavy single bond: the centre at its first atom, or a double bond at either end, is
    /// unknown.
    Wavy,
    /// Crossed double bond: unknown configuration.
    Either,
}

#[derive(Clone, Debug)]
struct RawAtom {
    element: Element,
    isotope: Option<u16>,
    charge: i8,
    /// MDL radical code: 1 singlet, 2 doublet, 3 triplet.
    radical: u8,
    /// Valence field: bonds plus hydrogens, fixed.
    valence: Option<u16>,
    pos: [f64; 3],
    line: usize,
}

#[derive(Clone, Debug)]
struct RawBond {
    /// 0-based atom positions.
    atoms: (usize, usize),
    /// MDL bond type: 1, 2, 3, 4 (aromatic) or 9 (dative).
    kind: u8,
    mark: Mark,
    line: usize,
}

/// A connection table as written.
#[derive(Default)]
struct Ctab {
    atoms: Vec<RawAtom>,
    bonds: Vec<RawBond>,
    /// Stereo groups as 0-based atom positions.
    groups: Vec<(StereoGroupKind, Vec<usize>)>,
}

/// Reads a MOL block whose first line is line `first` of the file.
fn read_block(lines: &[&str], first: usize) -> Result<MolBlock, MolfileError> {
    let mut cur = Cursor {
        lines,
        next: 0,
        first,
    };
    let title = header(&mut cur)?;
    let (line_no, counts) = cur.line("the counts line")?;
    let ctab = if counts.trim_end().ends_with("V3000") {
        v3000_ctab(&mut cur)?
    } else {
        let (atoms, bonds) = counts_line(counts, line_no)?;
        let mut ctab = Ctab::default();
        cur.require(
            atoms + bonds,
            line_no,
            "atom and bond lines the counts line announces",
        )?;
        ctab.atoms.reserve(atoms);
        for _ in 0..atoms {
            let (n, l) = cur.line("an atom line")?;
            ctab.atoms.push(atom_line(l, n)?);
        }
        ctab.bonds.reserve(bonds);
        for _ in 0..bonds {
            let (n, l) = cur.line("a bond line")?;
            ctab.bonds.push(bond_line(l, n, atoms)?);
        }
        properties_block(&mut cur, &mut ctab)?;
        ctab
    };
    let molecule = build(&ctab)?;
    Ok(MolBlock {
        title: title.trim().to_owned(),
        molecule,
    })
}

/// The lines of one block and the next one to read.
struct Cursor<'a> {
    lines: &'a [&'a str],
    next: usize,
    /// File line number of `lines[0]`.
    first: usize,
}

impl<'a> Cursor<'a> {
    /// The next line with its number, or an error saying that `what` is missing.
    fn line(&mut self, what: &str) -> Result<(usize, &'a str), MolfileError> {
        let n = self.first + self.next;
        match self.lines.get(self.next) {
            Some(l) => {
                self.next += 1;
                Ok((n, l))
            }
            None => Err(MolfileError::new(
                n,
                format!("the block ends where {what} should be"),
            )),
        }
    }

    /// An error unless `count` more lines follow (checked before anything is allocated for a
    /// count read from the file).
    fn require(&self, count: usize, line: usize, what: &str) -> Result<(), MolfileError> {
        let left = self.lines.len() - self.next;
        if count > left {
            return Err(MolfileError::new(
                line,
                format!("{count} {what}, but only {left} lines follow"),
            ));
        }
        Ok(())
    }
}

/// The three header lines: title, program and comment. Returns the title.
fn header<'a>(cur: &mut Cursor<'a>) -> Result<&'a str, MolfileError> {
    let (_, title) = cur.line("the title line")?;
    cur.line("the program line")?;
    cur.line("the comment line")?;
    Ok(title)
}

/// Columns `start..end` of a fixed-column line, trimmed; empty past the line's end.
fn column(line: &str, start: usize, end: usize, n: usize) -> Result<&str, MolfileError> {
    let end = end.min(line.len());
    if start >= end {
        return Ok("");
    }
    line.get(start..end)
        .map(str::trim)
        .ok_or_else(|| MolfileError::new(n, "non-ASCII text in a fixed-column field"))
}

/// An integer field; empty reads as 0, as MDL writers leave trailing fields out.
fn int_field(
    line: &str,
    start: usize,
    end: usize,
    n: usize,
    what: &str,
) -> Result<i64, MolfileError> {
    let text = column(line, start, end, n)?;
    if text.is_empty() {
        return Ok(0);
    }
    text.parse().map_err(|_| {
        MolfileError::new(
            n,
            format!(
                "{what} (columns {}-{}) is '{text}', not a number",
                start + 1,
                end
            ),
        )
    })
}

/// `aaabbblllfffcccsssxxxrrrpppiiimmmvvvvvv`: atom and bond counts (the chiral flag in
/// columns 13-15 changes nothing on reading).
fn counts_line(line: &str, n: usize) -> Result<(usize, usize), MolfileError> {
    let version = column(line, 33, 39, n)?;
    if !version.is_empty() && version != "V2000" {
        return Err(MolfileError::new(
            n,
            format!("unknown version '{version}' (V2000 or V3000)"),
        ));
    }
    let count = |start, what| -> Result<usize, MolfileError> {
        let v = int_field(line, start, start + 3, n, what)?;
        usize::try_from(v).map_err(|_| MolfileError::new(n, format!("{what} is negative")))
    };
    Ok((count(0, "the atom count")?, count(3, "the bond count")?))
}

/// What an atom symbol stands for: an element and an isotope it implies.
fn atom_symbol(symbol: &str, n: usize) -> Result<(Element, Option<u16>), MolfileError> {
    match symbol {
        "D" => return Ok((Element::H, Some(2))),
        "T" => return Ok((Element::H, Some(3))),
        "R#" | "R" | "A" | "Q" | "*" | "L" | "LP" | "X" | "M" | "AH" | "QH" | "XH" | "MH" => {
            return Ok((Element::WILDCARD, None));
        }
        _ => {}
    }
    if let Some(digits) = symbol.strip_prefix('R')
        && !digits.is_empty()
        && digits.bytes().all(|c| c.is_ascii_digit())
    {
        // `R1`: an R-group numbered in the symbol, which RDKit keeps as the isotope.
        return Ok((Element::WILDCARD, digits.parse().ok()));
    }
    match Element::from_symbol(symbol) {
        Some(e) if e != Element::WILDCARD => Ok((e, None)),
        _ if symbol.is_empty() => Err(MolfileError::new(n, "an atom has no symbol")),
        _ => Err(MolfileError::new(
            n,
            format!("unknown atom symbol '{symbol}'"),
        )),
    }
}

/// `xxxxx.xxxxyyyyy.yyyyzzzzz.zzzz aaaddcccssshhhbbbvvv...`: position, symbol, mass difference,
/// charge code and valence.
fn atom_line(line: &str, n: usize) -> Result<RawAtom, MolfileError> {
    let coordinate = |start: usize, axis: &str| -> Result<f64, MolfileError> {
        let text = column(line, start, start + 10, n)?;
        text.parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| {
                MolfileError::new(n, format!("the {axis} coordinate '{text}' is not a number"))
            })
    };
    let pos = [
        coordinate(0, "x")?,
        coordinate(10, "y")?,
        coordinate(20, "z")?,
    ];
    let symbol = column(line, 31, 34, n)?;
    let (element, mut isotope) = atom_symbol(symbol, n)?;
    let mass_difference = int_field(line, 34, 36, n, "the mass difference")?;
    if mass_difference != 0 && element != Element::WILDCARD {
        let mass = most_common_isotope_mass(element).round() as i64 + mass_difference;
        isotope = Some(u16::try_from(mass).map_err(|_| {
            MolfileError::new(
                n,
                format!("mass difference {mass_difference} gives no isotope"),
            )
        })?);
    }
    let (charge, radical) = match int_field(line, 36, 39, n, "the charge")? {
        0 => (0, 0),
        1 => (3, 0),
        2 => (2, 0),
        3 => (1, 0),
        4 => (0, 2),
        5 => (-1, 0),
        6 => (-2, 0),
        7 => (-3, 0),
        c => {
            return Err(MolfileError::new(
                n,
                format!("charge code {c} (columns 37-39 take 0 to 7)"),
            ));
        }
    };
    let valence = match int_field(line, 48, 51, n, "the valence")? {
        0 => None,
        15 => Some(0),
        v @ 1..=14 => Some(v as u16),
        v => {
            return Err(MolfileError::new(
                n,
                format!("valence {v} (columns 49-51 take 0 to 15)"),
            ));
        }
    };
    Ok(RawAtom {
        element,
        isotope,
        charge,
        radical,
        valence,
        pos,
        line: n,
    })
}

/// `111222tttsss`: two atom numbers (1-based), type and stereo.
fn bond_line(line: &str, n: usize, atoms: usize) -> Result<RawBond, MolfileError> {
    let atom = |start: usize| -> Result<usize, MolfileError> {
        let a = int_field(line, start, start + 3, n, "a bond's atom")?;
        bond_atom(a, atoms, n)
    };
    let (a, b) = (atom(0)?, atom(3)?);
    let kind = bond_kind(int_field(line, 6, 9, n, "the bond type")?, n)?;
    let mark = match (int_field(line, 9, 12, n, "the bond stereo")?, kind) {
        (0, _) => Mark::None,
        // A wedge on a double bond (P=O, S=O) still marks its narrow end's centre.
        (1, _) => Mark::Wedge,
        (6, _) => Mark::Hash,
        (4, 1) => Mark::Wavy,
        (3, 2) => Mark::Either,
        // A mark the bond's type cannot take says nothing.
        (3 | 4, _) => Mark::None,
        (s, _) => {
            return Err(MolfileError::new(
                n,
                format!("bond stereo {s} (columns 10-12 take 0, 1, 3, 4 or 6)"),
            ));
        }
    };
    bond_ends(a, b, n)?;
    Ok(RawBond {
        atoms: (a, b),
        kind,
        mark,
        line: n,
    })
}

/// A 1-based atom number of a bond, as a 0-based position.
fn bond_atom(a: i64, atoms: usize, n: usize) -> Result<usize, MolfileError> {
    match usize::try_from(a) {
        Ok(a) if (1..=atoms).contains(&a) => Ok(a - 1),
        _ => Err(MolfileError::new(
            n,
            format!("a bond names atom {a}; the block has {atoms}"),
        )),
    }
}

fn bond_ends(a: usize, b: usize, n: usize) -> Result<(), MolfileError> {
    if a == b {
        return Err(MolfileError::new(
            n,
            format!("a bond joins atom {} to itself", a + 1),
        ));
    }
    Ok(())
}

/// Bond types a molecule can hold: 1-3, 4 aromatic, 9 dative. The query types (5 single or
/// double, 6 single or aromatic, 7 double or aromatic, 8 any) and 10 (hydrogen bond) cannot.
fn bond_kind(kind: i64, n: usize) -> Result<u8, MolfileError> {
    match kind {
        1..=4 | 9 => Ok(kind as u8),
        5..=8 => Err(MolfileError::new(
            n,
            format!("query bond type {kind} (a molecule takes types 1-4 and 9)"),
        )),
        10 => Err(MolfileError::new(n, "hydrogen bond (type 10) is not read")),
        _ => Err(MolfileError::new(n, format!("unknown bond type {kind}"))),
    }
}

/// The properties block up to `M  END`: `M  CHG`, `M  ISO`, `M  RAD`, `M  RGP`; other lines
/// are skipped (atom aliases and group abbreviations with the text line after them).
fn properties_block(cur: &mut Cursor, ctab: &mut Ctab) -> Result<(), MolfileError> {
    let mut charges_reset = false;
    loop {
        let (n, line) = cur.line("'M  END'")?;
        let line = line.trim_end();
        if line == "M  END" {
            return Ok(());
        }
        if line.starts_with("A  ") || line.starts_with("V  ") || line.starts_with("G  ") {
            if !line.starts_with("V  ") {
                cur.line("the text of an alias or group")?;
            }
            continue;
        }
        let Some(tag) = line.strip_prefix("M  ").and_then(|l| l.get(..3)) else {
            continue;
        };
        if !matches!(tag, "CHG" | "ISO" | "RAD" | "RGP") {
            continue;
        }
        if matches!(tag, "CHG" | "RAD") && !std::mem::replace(&mut charges_reset, true) {
            // The first such line supersedes every charge and radical of the atom block.
            for atom in &mut ctab.atoms {
                atom.charge = 0;
                atom.radical = 0;
            }
        }
        for (a, value) in property_pairs(&line[6..], n, ctab.atoms.len())? {
            let atom = &mut ctab.atoms[a];
            let bad =
                |what: &str| MolfileError::new(n, format!("{what} {value} on atom {}", a + 1));
            match tag {
                "CHG" => {
                    atom.charge = i8::try_from(value)
                        .ok()
                        .filter(|c| c.abs() <= 15)
                        .ok_or_else(|| bad("charge"))?
                }
                "ISO" => {
                    atom.isotope = Some(
                        u16::try_from(value)
                            .ok()
                            .filter(|&m| m > 0)
                            .ok_or_else(|| bad("mass"))?,
                    )
                }
                "RAD" => {
                    atom.radical = u8::try_from(value)
                        .ok()
                        .filter(|&r| r <= 3)
                        .ok_or_else(|| bad("radical code"))?
                }
                _ => {
                    if atom.element == Element::WILDCARD {
                        atom.isotope = u16::try_from(value).ok();
                    }
                }
            }
        }
    }
}

/// `nn8 aaa vvv ...`: the count, then that many atom-value pairs.
fn property_pairs(text: &str, n: usize, atoms: usize) -> Result<Vec<(usize, i64)>, MolfileError> {
    let numbers: Vec<i64> = text
        .split_whitespace()
        .map(|t| {
            t.parse()
                .map_err(|_| MolfileError::new(n, format!("'{t}' is not a number")))
        })
        .collect::<Result<_, _>>()?;
    let Some((&count, rest)) = numbers.split_first() else {
        return Err(MolfileError::new(n, "a property line without its count"));
    };
    if !(0..=8).contains(&count) || rest.len() != 2 * count as usize {
        return Err(MolfileError::new(
            n,
            format!(
                "the line announces {count} entries and gives {} numbers",
                rest.len()
            ),
        ));
    }
    rest.chunks(2)
        .map(|p| Ok((bond_atom(p[0], atoms, n)?, p[1])))
        .collect()
}

/// One V3000 entry (continuation lines joined) and the line where it starts.
struct Entry {
    line: usize,
    text: String,
}

/// The `M  V30` entries up to `M  END`.
fn v3000_entries(cur: &mut Cursor) -> Result<Vec<Entry>, MolfileError> {
    let mut entries: Vec<Entry> = Vec::new();
    let mut continued = false;
    loop {
        let (n, line) = cur.line("'M  END'")?;
        let line = line.trim_end();
        if line == "M  END" {
            if continued {
                return Err(MolfileError::new(
                    n,
                    "the last V3000 line continues past 'M  END'",
                ));
            }
            return Ok(entries);
        }
        let Some(body) = line.strip_prefix("M  V30 ").or(line.strip_prefix("M  V30")) else {
            if continued {
                return Err(MolfileError::new(
                    n,
                    "a continued V3000 line is not followed by 'M  V30'",
                ));
            }
            continue;
        };
        let (body, more) = match body.strip_suffix('-') {
            Some(b) => (b, true),
            None => (body, false),
        };
        match entries.last_mut() {
            Some(e) if continued => e.text.push_str(body),
            _ => entries.push(Entry {
                line: n,
                text: body.to_owned(),
            }),
        }
        continued = more;
    }
}

/// Whitespace-separated words of an entry, a parenthesised list or a quoted string kept whole.
fn words(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let mut depth = 0usize;
        let mut quoted = false;
        while i < bytes.len() {
            match bytes[i] {
                b'"' => quoted = !quoted,
                b'(' if !quoted => depth += 1,
                b')' if !quoted => depth = depth.saturating_sub(1),
                c if c.is_ascii_whitespace() && depth == 0 && !quoted => break,
                _ => {}
            }
            i += 1;
        }
        out.push(&text[start..i]);
    }
    out
}

/// `KEY=value` words after the fixed ones.
fn keywords<'a>(words: &[&'a str]) -> Vec<(&'a str, &'a str)> {
    words.iter().filter_map(|w| w.split_once('=')).collect()
}

fn number<T: std::str::FromStr>(text: &str, n: usize, what: &str) -> Result<T, MolfileError> {
    text.parse()
        .map_err(|_| MolfileError::new(n, format!("{what} '{text}' is not a number")))
}

/// The V3000 connection table: `BEGIN CTAB`, `COUNTS`, the ATOM, BOND and COLLECTION
/// sections, `END CTAB`; other sections (S-groups, 3D features) are skipped.
fn v3000_ctab(cur: &mut Cursor) -> Result<Ctab, MolfileError> {
    let entries = v3000_entries(cur)?;
    let end_line = cur.first + cur.next - 1;
    let mut it = entries.iter().peekable();
    let mut ctab = Ctab::default();
    let mut index: HashMap<u64, usize> = HashMap::new();
    let mut counts: Option<(usize, usize, usize)> = None;
    while let Some(e) = it.next() {
        let w = words(&e.text);
        match w.as_slice() {
            ["BEGIN", "CTAB"] | ["END", "CTAB"] => {}
            ["COUNTS", atoms, bonds, ..] => {
                let atoms: usize = number(atoms, e.line, "the atom count")?;
                let bonds: usize = number(bonds, e.line, "the bond count")?;
                let left = entries.len();
                if atoms.saturating_add(bonds) > left {
                    return Err(MolfileError::new(
                        e.line,
                        format!("{atoms} atoms and {bonds} bonds, but only {left} V3000 lines"),
                    ));
                }
                counts = Some((atoms, bonds, e.line));
            }
            ["BEGIN", "ATOM"] => {
                let (atoms, _, _) = counts.ok_or_else(|| {
                    MolfileError::new(e.line, "the ATOM section comes before COUNTS")
                })?;
                ctab.atoms.reserve(atoms);
                section(&mut it, "ATOM", e.line, |entry| {
                    let (id, atom) = v3000_atom(entry)?;
                    if index.insert(id, ctab.atoms.len()).is_some() {
                        return Err(MolfileError::new(
                            entry.line,
                            format!("atom {id} is listed twice"),
                        ));
                    }
                    ctab.atoms.push(atom);
                    Ok(())
                })?;
            }
            ["BEGIN", "BOND"] => {
                section(&mut it, "BOND", e.line, |entry| {
                    ctab.bonds.push(v3000_bond(entry, &index)?);
                    Ok(())
                })?;
            }
            ["BEGIN", "COLLECTION"] => {
                section(&mut it, "COLLECTION", e.line, |entry| {
                    if let Some(group) = v3000_collection(entry, &index)? {
                        ctab.groups.push(group);
                    }
                    Ok(())
                })?;
            }
            ["BEGIN", other] => {
                let other = other.to_string();
                section(&mut it, &other, e.line, |_| Ok(()))?;
            }
            _ => {}
        }
    }
    let Some((atoms, bonds, line)) = counts else {
        return Err(MolfileError::new(
            end_line,
            "a V3000 block without its COUNTS line",
        ));
    };
    if ctab.atoms.len() != atoms || ctab.bonds.len() != bonds {
        return Err(MolfileError::new(
            line,
            format!(
                "COUNTS says {atoms} atoms and {bonds} bonds; the block lists {} and {}",
                ctab.atoms.len(),
                ctab.bonds.len()
            ),
        ));
    }
    Ok(ctab)
}

/// The entries of a `BEGIN name` section up to its `END name`, each given to `each`.
fn section<'e>(
    it: &mut std::iter::Peekable<std::slice::Iter<'e, Entry>>,
    name: &str,
    begin: usize,
    mut each: impl FnMut(&'e Entry) -> Result<(), MolfileError>,
) -> Result<(), MolfileError> {
    for entry in it.by_ref() {
        let w = words(&entry.text);
        if w.len() == 2 && w[0] == "END" && w[1] == name {
            return Ok(());
        }
        each(entry)?;
    }
    Err(MolfileError::new(
        begin,
        format!("'BEGIN {name}' without its 'END {name}'"),
    ))
}

/// `index type x y z aamap [CHG=] [RAD=] [MASS=] [VAL=] [RGROUPS=(1 n)]...`.
fn v3000_atom(e: &Entry) -> Result<(u64, RawAtom), MolfileError> {
    let n = e.line;
    let w = words(&e.text);
    if w.len() < 6 {
        return Err(MolfileError::new(
            n,
            "an atom entry needs index, type, x, y, z and map",
        ));
    }
    let id: u64 = number(w[0], n, "the atom index")?;
    let symbol = w[1].trim_matches('"');
    if symbol.starts_with('[') || symbol.starts_with("NOT") {
        return Err(MolfileError::new(
            n,
            format!("atom list {symbol} is a query, not an atom"),
        ));
    }
    let (element, mut isotope) = atom_symbol(symbol, n)?;
    let coordinate = |t: &str, axis: &str| -> Result<f64, MolfileError> {
        number::<f64>(t, n, axis)
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| {
                MolfileError::new(n, format!("the {axis} coordinate '{t}' is not a number"))
            })
    };
    let pos = [
        coordinate(w[2], "x")?,
        coordinate(w[3], "y")?,
        coordinate(w[4], "z")?,
    ];
    let (mut charge, mut radical, mut valence) = (0, 0, None);
    for (key, value) in keywords(&w[6..]) {
        match key {
            "CHG" => {
                charge = number::<i8>(value, n, "the charge")?;
                if charge.abs() > 15 {
                    return Err(MolfileError::new(n, format!("charge {charge}")));
                }
            }
            "RAD" => {
                radical = number::<u8>(value, n, "the radical code")?;
                if radical > 3 {
                    return Err(MolfileError::new(n, format!("radical code {radical}")));
                }
            }
            "MASS" => isotope = Some(number(value, n, "the mass")?),
            "VAL" => {
                valence = match number::<i32>(value, n, "the valence")? {
                    -1 => Some(0),
                    0 => None,
                    v @ 1..=255 => Some(v as u16),
                    v => return Err(MolfileError::new(n, format!("valence {v}"))),
                }
            }
            "RGROUPS" if element == Element::WILDCARD => {
                let inner = value.trim_start_matches('(').trim_end_matches(')');
                isotope = inner.split_whitespace().nth(1).and_then(|r| r.parse().ok());
            }
            _ => {}
        }
    }
    Ok((
        id,
        RawAtom {
            element,
            isotope,
            charge,
            radical,
            valence,
            pos,
            line: n,
        },
    ))
}

/// `index type atom1 atom2 [CFG=1|2|3]...`.
fn v3000_bond(e: &Entry, index: &HashMap<u64, usize>) -> Result<RawBond, MolfileError> {
    let n = e.line;
    let w = words(&e.text);
    if w.len() < 4 {
        return Err(MolfileError::new(
            n,
            "a bond entry needs index, type and two atoms",
        ));
    }
    let kind = bond_kind(number(w[1], n, "the bond type")?, n)?;
    let atom = |t: &str| -> Result<usize, MolfileError> {
        let id: u64 = number(t, n, "a bond's atom")?;
        index.get(&id).copied().ok_or_else(|| {
            MolfileError::new(n, format!("a bond names atom {id}, which is not listed"))
        })
    };
    let (a, b) = (atom(w[2])?, atom(w[3])?);
    bond_ends(a, b, n)?;
    let mut mark = Mark::None;
    for (key, value) in keywords(&w[4..]) {
        if key == "CFG" {
            mark = match (number::<u8>(value, n, "the bond configuration")?, kind) {
                (0, _) => Mark::None,
                (1, _) => Mark::Wedge,
                (3, _) => Mark::Hash,
                (2, 1) => Mark::Wavy,
                (2, 2) => Mark::Either,
                (2, _) => Mark::None,
                (c, _) => return Err(MolfileError::new(n, format!("bond configuration {c}"))),
            };
        }
    }
    Ok(RawBond {
        atoms: (a, b),
        kind,
        mark,
        line: n,
    })
}

/// `MDLV30/STEABS ATOMS=(n a ...)`, `MDLV30/STERACn ...`, `MDLV30/STERELn ...`; `None` for
/// other collections.
fn v3000_collection(
    e: &Entry,
    index: &HashMap<u64, usize>,
) -> Result<Option<(StereoGroupKind, Vec<usize>)>, MolfileError> {
    let n = e.line;
    let w = words(&e.text);
    let Some(name) = w.first().and_then(|w| w.strip_prefix("MDLV30/")) else {
        return Ok(None);
    };
    let kind = if name == "STEABS" {
        StereoGroupKind::Absolute
    } else if name.starts_with("STERAC") {
        StereoGroupKind::And
    } else if name.starts_with("STEREL") {
        StereoGroupKind::Or
    } else {
        return Ok(None);
    };
    let Some(list) = keywords(&w[1..])
        .into_iter()
        .find(|(k, _)| *k == "ATOMS")
        .map(|(_, v)| v)
    else {
        return Err(MolfileError::new(
            n,
            format!("collection {name} lists no ATOMS"),
        ));
    };
    let inner = list
        .strip_prefix('(')
        .and_then(|l| l.strip_suffix(')'))
        .ok_or_else(|| MolfileError::new(n, "ATOMS=(...) is not closed"))?;
    let mut numbers = inner.split_whitespace();
    let count: usize = number(numbers.next().unwrap_or(""), n, "the atom count")?;
    let atoms: Vec<usize> = numbers
        .map(|t| {
            let id: u64 = number(t, n, "an atom")?;
            index.get(&id).copied().ok_or_else(|| {
                MolfileError::new(
                    n,
                    format!("collection names atom {id}, which is not listed"),
                )
            })
        })
        .collect::<Result<_, _>>()?;
    if atoms.len() != count {
        return Err(MolfileError::new(
            n,
            format!("ATOMS announces {count} atoms and lists {}", atoms.len()),
        ));
    }
    Ok(Some((kind, atoms)))
}

/// Unpaired electrons of an MDL radical code (singlet: two, paired, RDKit's reading).
fn unpaired(code: u8) -> u8 {
    match code {
        2 => 1,
        1 | 3 => 2,
        _ => 0,
    }
}

/// The molecule of a connection table (see the module comment for the chemistry).
fn build(ctab: &Ctab) -> Result<Molecule, MolfileError> {
    let mut mol = Molecule::with_capacity(ctab.atoms.len(), ctab.bonds.len());
    for a in &ctab.atoms {
        mol.add_atom(Atom {
            element: a.element,
            isotope: a.isotope,
            charge: a.charge,
            // The hydrogen count is set here, never derived again.
            bracket: true,
            ..Atom::default()
        });
    }
    for b in &ctab.bonds {
        let (x, y) = (AtomIdx::new(b.atoms.0), AtomIdx::new(b.atoms.1));
        if mol.bond_between(x, y).is_some() {
            return Err(MolfileError::new(
                b.line,
                format!(
                    "atoms {} and {} are bonded twice",
                    x.index() + 1,
                    y.index() + 1
                ),
            ));
        }
        let bond = match b.kind {
            9 => Bond::dative(),
            4 => {
                mol.atom_mut(x).aromatic = true;
                mol.atom_mut(y).aromatic = true;
                Bond {
                    aromatic: true,
                    ..Bond::default()
                }
            }
            k => Bond::new(BondOrder::from_valence(k).unwrap_or_default()),
        };
        mol.add_bond(x, y, bond);
    }
    separate_charges(&mut mol);
    assign_hydrogens(&mut mol, ctab);
    sanitize(&mut mol, ctab)?;
    let positions: Vec<[f64; 3]> = ctab.atoms.iter().map(|a| a.pos).collect();
    if positions.iter().any(|p| p[2].abs() > 1e-4) {
        centres_from_space(&mut mol, &positions);
    } else {
        centres_from_wedges(&mut mol, ctab, &positions);
    }
    double_bonds_from_positions(&mut mol, ctab, &positions);
    mol.stereo_groups = stereo_groups(&mol, ctab);
    Ok(fold_explicit_hydrogens(&mol).unwrap_or(mol))
}

/// Each atom's hydrogens: its valence field's, or the default valence's less unpaired
/// electrons.
fn assign_hydrogens(mol: &mut Molecule, ctab: &Ctab) {
    for (i, raw) in ctab.atoms.iter().enumerate() {
        let a = AtomIdx::new(i);
        let sum = mol.bond_valence_sum(a);
        let pi = mol.bonds_at(a).any(|(_, b)| b.aromatic);
        let atom = mol.atom(a);
        let h = match raw.valence {
            Some(v) => u8::try_from(v.saturating_sub(sum)).unwrap_or(u8::MAX),
            None => mol_file_hydrogens(atom.element, atom.charge, pi, sum, unpaired(raw.radical)),
        };
        mol.atom_mut(a).hydrogens = h;
    }
}

/// RDKit's sanitization checks as the SMILES reader runs them: valences, aromatic atoms in
/// rings, then Kekulé orders for aromatic bonds (and the valences they give).
fn sanitize(mol: &mut Molecule, ctab: &Ctab) -> Result<(), MolfileError> {
    let atom_error = |a: AtomIdx, what: &str| {
        let raw = &ctab.atoms[a.index()];
        MolfileError::new(
            raw.line,
            format!("atom {} ({}) {what}", a.index() + 1, raw.element.symbol()),
        )
    };
    let aromatic_bond: Vec<bool> = mol
        .atoms()
        .map(|a| mol.bonds_at(a).any(|(_, b)| b.aromatic))
        .collect();
    if let Some(&a) = over_valent_atoms(mol)
        .iter()
        .find(|a| !aromatic_bond[a.index()])
    {
        return Err(atom_error(a, "has more bonds than its valence allows"));
    }
    if aromatic_bond.contains(&true) {
        let in_ring = ring_atom_flags(mol);
        if let Some(a) = mol
            .atoms()
            .find(|a| aromatic_bond[a.index()] && !in_ring[a.index()])
        {
            return Err(atom_error(a, "has an aromatic bond but is in no ring"));
        }
        if let Err(e) = kekulize(mol) {
            let a = e.atoms.first().copied().unwrap_or(AtomIdx::new(0));
            return Err(atom_error(
                a,
                "is in an aromatic system with no Kekulé structure",
            ));
        }
        if let Some(&a) = over_valent_atoms(mol).first() {
            return Err(atom_error(a, "has more bonds than its valence allows"));
        }
    }
    Ok(())
}

/// Configurations from 3D positions: every atom that could be a centre takes the sense its
/// neighbours show, unless two of its neighbours are the same terminal group (two hydrogens,
/// two methyls, the oxygens of a carboxylate...), which no configuration tells apart, or it is
/// a three-coordinate P or As.
fn centres_from_space(mol: &mut Molecule, pos: &[[f64; 3]]) {
    for i in 0..mol.atom_count() {
        let c = AtomIdx::new(i);
        // Phosphines and arsines take no configuration from 3D positions in RDKit (they do
        // from a wedge).
        let pnictogen = matches!(mol.atom(c).element.atomic_number(), 15 | 33);
        if has_twin_terminal_neighbours(mol, c) || (pnictogen && mol.degree(c) == 3) {
            continue;
        }
        let Some(neighbors) = possible_centre(mol, c) else {
            continue;
        };
        if let Some(clockwise) = spatial_clockwise(c, &neighbors, pos) {
            mol.atom_mut(c).stereo = Some(AtomStereo {
                class: StereoClass::Tetrahedral { clockwise },
                neighbors,
            });
        }
    }
}

/// Whether two neighbours of `c` are alike terminal atoms (bonded to nothing else but hydrogen
/// atoms), the implicit hydrogens counting as such neighbours too.
fn has_twin_terminal_neighbours(mol: &Molecule, c: AtomIdx) -> bool {
    let hydrogen_atoms = |a: AtomIdx| {
        mol.bonds_at(a)
            .filter(|(n, _)| mol.atom(*n).element == Element::H && *n != c)
            .count()
    };
    let mut seen = Vec::new();
    let mut plain_hydrogens = usize::from(mol.atom(c).hydrogens);
    for (n, bond) in mol.bonds_at(c) {
        let atom = mol.atom(n);
        let terminal = mol
            .bonds_at(n)
            .all(|(m, _)| m == c || mol.atom(m).element == Element::H);
        if !terminal {
            continue;
        }
        if atom.element == Element::H && atom.isotope.is_none() && atom.charge == 0 {
            plain_hydrogens += 1;
            continue;
        }
        let key = (
            atom.element,
            atom.isotope,
            atom.charge,
            usize::from(atom.hydrogens) + hydrogen_atoms(n),
            bond.order,
            bond.aromatic,
        );
        if seen.contains(&key) {
            return true;
        }
        seen.push(key);
    }
    plain_hydrogens > 1
}

/// Configurations of wedged centres from the drawing: the wide end of a wedge rises towards
/// the viewer, of a hash falls away; a wavy bond at a centre leaves it unknown.
fn centres_from_wedges(mol: &mut Molecule, ctab: &Ctab, pos: &[[f64; 3]]) {
    let flat: Vec<[f64; 2]> = pos.iter().map(|p| [p[0], p[1]]).collect();
    let mut lifts: Vec<Vec<(AtomIdx, f64)>> = vec![Vec::new(); mol.atom_count()];
    let mut wavy = vec![false; mol.atom_count()];
    for b in &ctab.bonds {
        let lift = match b.mark {
            Mark::Wedge => 1.0,
            Mark::Hash => -1.0,
            Mark::Wavy => {
                wavy[b.atoms.0] = true;
                continue;
            }
            _ => continue,
        };
        lifts[b.atoms.0].push((AtomIdx::new(b.atoms.1), lift));
    }
    for (i, lifted) in lifts.iter().enumerate() {
        if lifted.is_empty() || wavy[i] {
            continue;
        }
        let c = AtomIdx::new(i);
        if let Ok(stereo) = drawn_centre(mol, c, &flat, lift_of(lifted)) {
            mol.atom_mut(c).stereo = Some(stereo);
        }
    }
}

/// Cis/trans of double bonds from the sides their substituents are drawn (or placed) on:
/// double bonds not aromatic, not in a ring under 8 atoms, with a substituent at each end, not
/// marked "either" and without a wavy bond at an end.
fn double_bonds_from_positions(mol: &mut Molecule, ctab: &Ctab, pos: &[[f64; 3]]) {
    let candidates: Vec<usize> = ctab
        .bonds
        .iter()
        .enumerate()
        .filter(|(_, b)| b.kind == 2 && b.mark != Mark::Either)
        .map(|(i, _)| i)
        .collect();
    if candidates.is_empty() {
        return;
    }
    let mut wavy_end = vec![false; mol.atom_count()];
    for b in ctab.bonds.iter().filter(|b| b.mark == Mark::Wavy) {
        wavy_end[b.atoms.0] = true;
        wavy_end[b.atoms.1] = true;
    }
    for i in candidates {
        let b = crate::chem::BondIdx::new(i);
        let (x, y) = mol.bond_atoms(b);
        if wavy_end[x.index()] || wavy_end[y.index()] || in_ring_smaller_than(mol, b, 8) {
            continue;
        }
        let others = |end: AtomIdx, partner: AtomIdx| -> Vec<AtomIdx> {
            mol.neighbors(end)
                .into_iter()
                .map(|(n, _)| n)
                .filter(|&n| n != partner)
                .collect()
        };
        let (xs, ys) = (others(x, y), others(y, x));
        // The first pair of substituents that the positions place clearly.
        let found = xs.iter().find_map(|&rx| {
            ys.iter()
                .find_map(|&ry| same_side(x, y, rx, ry, pos).map(|cis| (rx, ry, cis)))
        });
        if let Some((begin_ref, end_ref, cis)) = found {
            mol.bond_mut(b).stereo = Some(DoubleBondStereo {
                begin_ref,
                end_ref,
                cis,
            });
        }
    }
}

/// V3000 stereo groups, each kept to the atoms that have a configuration; empty ones dropped.
fn stereo_groups(mol: &Molecule, ctab: &Ctab) -> Vec<StereoGroup> {
    ctab.groups
        .iter()
        .filter_map(|(kind, atoms)| {
            let mut atoms: Vec<AtomIdx> = atoms
                .iter()
                .map(|&a| AtomIdx::new(a))
                .filter(|&a| mol.atom(a).stereo.is_some())
                .collect();
            atoms.sort();
            atoms.dedup();
            (!atoms.is_empty()).then_some(StereoGroup { kind: *kind, atoms })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chem::canon::canonical_smiles;
    use crate::chem::smiles::{parse_cxsmiles, parse_molecule};

    fn canonical_of_block(block: &str) -> String {
        canonical_smiles(&parse_mol_block(block).unwrap_or_else(|e| panic!("{e}\n{block}")))
    }

    fn canonical(smiles: &str) -> String {
        canonical_smiles(&parse_molecule(smiles).unwrap())
    }

    /// A V2000 block from (symbol, x, y, z, extra columns after the symbol) atoms, bond lines
    /// and property lines.
    fn v2000(atoms: &[(&str, f64, f64, f64)], bonds: &[&str], props: &[&str]) -> String {
        let mut s = format!(
            "title\n  test\n\n{:>3}{:>3}  0  0  0  0  0  0  0  0999 V2000\n",
            atoms.len(),
            bonds.len()
        );
        for (sym, x, y, z) in atoms {
            let (sym, extra) = sym.split_once('|').unwrap_or((sym, ""));
            let extra = if extra.is_empty() {
                " 0  0  0  0  0  0  0  0  0  0  0  0"
            } else {
                extra
            };
            s.push_str(&format!("{x:>10.4}{y:>10.4}{z:>10.4} {sym:<3}{extra}\n"));
        }
        for b in bonds {
            s.push_str(b);
            s.push('\n');
        }
        for p in props {
            s.push_str(p);
            s.push('\n');
        }
        s.push_str("M  END\n");
        s
    }

    // Written by RDKit's MolToMolBlock.
    const FCLBR: &str = "\n     RDKit          2D\n\n  4  3  0  0  0  0  0  0  0  0999 V2000\n    1.2990    0.7500    0.0000 F   0  0  0  0  0  0  0  0  0  0  0  0\n    0.0000    0.0000    0.0000 C   0  0  0  0  0  0  0  0  0  0  0  0\n   -1.2990    0.7500    0.0000 Cl  0  0  0  0  0  0  0  0  0  0  0  0\n   -0.0000   -1.5000    0.0000 Br  0  0  0  0  0  0  0  0  0  0  0  0\n  2  1  1  1\n  2  3  1  0\n  2  4  1  0\nM  END\n";
    const ALANINE_3D: &str = "\n     RDKit          3D\n\n 13 12  0  0  0  0  0  0  0  0999 V2000\n   -0.7564    1.5314   -0.1770 N   0  0  0  0  0  0  0  0  0  0  0  0\n   -0.3031    0.2504    0.3236 C   0  0  1  0  0  0  0  0  0  0  0  0\n   -1.1387   -0.9082   -0.1367 C   0  0  0  0  0  0  0  0  0  0  0  0\n    1.1144    0.0442   -0.0485 C   0  0  0  0  0  0  0  0  0  0  0  0\n    1.7029    0.9304   -0.6986 O   0  0  0  0  0  0  0  0  0  0  0  0\n    1.7362   -1.1510    0.3518 O   0  0  0  0  0  0  0  0  0  0  0  0\n   -0.5157    2.2342    0.5777 H   0  0  0  0  0  0  0  0  0  0  0  0\n   -0.1817    1.8226   -1.0001 H   0  0  0  0  0  0  0  0  0  0  0  0\n   -0.3865    0.3093    1.4312 H   0  0  0  0  0  0  0  0  0  0  0  0\n   -1.5137   -1.5177    0.7192 H   0  0  0  0  0  0  0  0  0  0  0  0\n   -1.9990   -0.6249   -0.7501 H   0  0  0  0  0  0  0  0  0  0  0  0\n   -0.4651   -1.5751   -0.7170 H   0  0  0  0  0  0  0  0  0  0  0  0\n    2.7064   -1.3456    0.1245 H   0  0  0  0  0  0  0  0  0  0  0  0\n  1  2  1  0\n  2  3  1  0\n  2  4  1  0\n  4  5  2  0\n  4  6  1  0\n  1  7  1  0\n  1  8  1  0\n  2  9  1  1\n  3 10  1  0\n  3 11  1  0\n  3 12  1  0\n  6 13  1  0\nM  END\n";

    #[test]
    fn a_wedge_gives_the_centre_its_configuration_and_the_title_is_kept() {
        assert_eq!(canonical_of_block(FCLBR), canonical("F[C@H](Cl)Br"));
        let hashed = FCLBR.replace("  2  1  1  1", "  2  1  1  6");
        assert_eq!(canonical_of_block(&hashed), canonical("F[C@@H](Cl)Br"));
        // A wedge with its narrow end at F says nothing of the carbon.
        let reversed = FCLBR.replace("  2  1  1  1", "  1  2  1  1");
        assert_eq!(canonical_of_block(&reversed), canonical("FC(Cl)Br"));
        let titled = FCLBR.replacen('\n', "bromochlorofluoromethane\n", 1);
        assert_eq!(
            read_mol_block(&titled).unwrap().title,
            "bromochlorofluoromethane"
        );
    }

    #[test]
    fn three_d_positions_give_configurations_and_hydrogen_atoms_are_folded() {
        let m = parse_mol_block(ALANINE_3D).unwrap();
        assert_eq!(m.atom_count(), 6);
        assert_eq!(canonical_smiles(&m), canonical("N[C@@H](C)C(=O)O"));
    }

    #[test]
    fn double_bonds_take_their_drawn_sides_unless_crossed_or_in_small_rings() {
        let atoms = [
            ("C", -0.75, -1.299, 0.0),
            ("C", 0.0, 0.0, 0.0),
            ("C", 1.5, 0.0, 0.0),
            ("C", 2.25, 1.299, 0.0),
        ];
        let trans = v2000(
            &atoms,
            &["  1  2  1  0", "  2  3  2  0", "  3  4  1  0"],
            &[],
        );
        assert_eq!(canonical_of_block(&trans), canonical("C/C=C/C"));
        let mut cis_atoms = atoms;
        cis_atoms[3].1 = 2.25;
        cis_atoms[3].2 = -1.299;
        let cis = v2000(
            &cis_atoms,
            &["  1  2  1  0", "  2  3  2  0", "  3  4  1  0"],
            &[],
        );
        assert_eq!(canonical_of_block(&cis), canonical("C/C=C\\C"));
        let either = trans.replace("  2  3  2  0", "  2  3  2  3");
        assert_eq!(canonical_of_block(&either), canonical("CC=CC"));
        let wavy = trans.replace("  1  2  1  0", "  1  2  1  4");
        assert_eq!(canonical_of_block(&wavy), canonical("CC=CC"));
    }

    #[test]
    fn aromatic_bonds_are_kekulized_and_charges_and_isotopes_read() {
        let ring: Vec<(&str, f64, f64, f64)> = (0..6)
            .map(|i| {
                let t = f64::from(i) * std::f64::consts::PI / 3.0;
                ("C", t.cos(), t.sin(), 0.0)
            })
            .collect();
        let bonds: Vec<String> = (1..=6)
            .map(|i| format!("{i:>3}{:>3}  4  0", i % 6 + 1))
            .collect();
        let bonds: Vec<&str> = bonds.iter().map(String::as_str).collect();
        assert_eq!(canonical_of_block(&v2000(&ring, &bonds, &[])), "c1ccccc1");
        // A pyrrole N with no hydrogen has no Kekulé structure, as in RDKit.
        let mut pyrrole = ring[..5].to_vec();
        pyrrole[4].0 = "N";
        let five = [
            "  1  2  4  0",
            "  2  3  4  0",
            "  3  4  4  0",
            "  4  5  4  0",
            "  5  1  4  0",
        ];
        let e = parse_mol_block(&v2000(&pyrrole, &five, &[])).unwrap_err();
        assert!(e.message.contains("Kekulé"), "{e}");
        // M  CHG overrides the atom block; M  ISO sets masses; the charge field counts without.
        let atoms = [
            ("N| 0  3  0  0  0  0  0  0  0  0  0  0", 0.0, 0.0, 0.0),
            ("O", 1.0, 0.0, 0.0),
        ];
        let b = v2000(&atoms, &["  1  2  1  0"], &["M  CHG  1   2  -1"]);
        assert_eq!(canonical_of_block(&b), canonical("N[O-]"));
        let b = v2000(&atoms, &["  1  2  1  0"], &[]);
        assert_eq!(canonical_of_block(&b), canonical("[NH3+]O"));
        let b = v2000(&atoms, &["  1  2  1  0"], &["M  ISO  1   2  18"]);
        assert_eq!(canonical_of_block(&b), canonical("[NH3+][18OH]"));
        let b = v2000(
            &[
                ("C| 1  0  0  0  0  0  0  0  0  0  0  0", 0.0, 0.0, 0.0),
                ("C", 1.0, 0.0, 0.0),
            ],
            &["  1  2  1  0"],
            &[],
        );
        assert_eq!(canonical_of_block(&b), canonical("[13CH3]C"));
    }

    #[test]
    fn symbols_valences_and_radicals_as_rdkit_reads_them() {
        let pair = |sym: &str, props: &[&str]| {
            canonical_of_block(&v2000(
                &[(sym, 0.0, 0.0, 0.0), ("C", 1.0, 0.0, 0.0)],
                &["  1  2  1  0"],
                props,
            ))
        };
        assert_eq!(pair("D", &[]), canonical("[2H]C"));
        assert_eq!(pair("T", &[]), canonical("[3H]C"));
        assert_eq!(pair("R#", &[]), canonical("*C"));
        assert_eq!(pair("R#", &["M  RGP  1   1   3"]), canonical("[3*]C"));
        assert_eq!(pair("A", &[]), canonical("*C"));
        assert_eq!(pair("Q", &[]), canonical("*C"));
        assert_eq!(pair("Si", &[]), canonical("[SiH3]C"));
        assert_eq!(pair("Sn", &[]), canonical("[SnH]C"));
        assert_eq!(pair("C", &["M  RAD  1   1   2"]), canonical("[CH2]C"));
        assert_eq!(pair("C", &["M  RAD  1   1   3"]), canonical("[CH]C"));
        assert_eq!(
            pair("N| 0  0  0  0  0  2  0  0  0  0  0  0", &[]),
            canonical("[NH]C")
        );
        assert_eq!(
            pair("Fe| 0  0  0  0  0 15  0  0  0  0  0  0", &[]),
            canonical("[Fe]C")
        );
        let lone = |sym: &str| canonical_of_block(&v2000(&[(sym, 0.0, 0.0, 0.0)], &[], &[]));
        assert_eq!(lone("Na"), "[NaH]");
        assert_eq!(lone("Fe"), "[Fe]");
        assert_eq!(lone("Se"), "[SeH2]");
        // A nitro group drawn with two double bonds is charge-separated, as RDKit cleans it up.
        let nitro = v2000(
            &[
                ("C", 0.0, 0.0, 0.0),
                ("N", 1.0, 0.0, 0.0),
                ("O", 2.0, 0.5, 0.0),
                ("O", 2.0, -0.5, 0.0),
            ],
            &["  1  2  1  0", "  2  3  2  0", "  2  4  2  0"],
            &[],
        );
        assert_eq!(canonical_of_block(&nitro), canonical("C[N+](=O)[O-]"));
    }

    const CISPLATIN_V3000: &str = "cisplatin\n  textchem          2D\n\n  0  0  0  0  0  0  0  0  0  0999 V3000\nM  V30 BEGIN CTAB\nM  V30 COUNTS 5 4 0 0 0\nM  V30 BEGIN ATOM\nM  V30 1 N 0.0 1.5 0 0 MASS=15\nM  V30 2 Pt 0.0 0.0 0 0 CHG=2 -\nM  V30 VAL=4\nM  V30 3 Cl 1.5 0.0 0 0\nM  V30 4 Cl 0.0 -1.5 0 0\nM  V30 5 N -1.5 0.0 0 0\nM  V30 END ATOM\nM  V30 BEGIN BOND\nM  V30 1 9 1 2\nM  V30 2 1 2 3\nM  V30 3 1 2 4\nM  V30 4 9 5 2\nM  V30 END BOND\nM  V30 END CTAB\nM  END\n";

    #[test]
    fn v3000_reads_dative_bonds_continuations_and_atom_properties() {
        assert_eq!(
            canonical_of_block(CISPLATIN_V3000),
            canonical("[15NH3]->[Pt+2](Cl)(Cl)<-[NH3]")
        );
    }

    #[test]
    fn v3000_collections_become_stereo_groups() {
        let block = "\n  test\n\n  0  0  0  0  0  0  0  0  0  0999 V3000\nM  V30 BEGIN CTAB\nM  V30 COUNTS 4 3 0 0 0\nM  V30 BEGIN ATOM\nM  V30 1 F 1.299 0.75 0 0\nM  V30 2 C 0 0 0 0\nM  V30 3 Cl -1.299 0.75 0 0\nM  V30 4 Br 0 -1.5 0 0\nM  V30 END ATOM\nM  V30 BEGIN BOND\nM  V30 1 1 2 1 CFG=1\nM  V30 2 1 2 3\nM  V30 3 1 2 4\nM  V30 END BOND\nM  V30 BEGIN COLLECTION\nM  V30 MDLV30/STERAC1 ATOMS=(1 2)\nM  V30 END COLLECTION\nM  V30 END CTAB\nM  END\n";
        let m = parse_mol_block(block).unwrap();
        let cx = parse_cxsmiles("F[C@H](Cl)Br |&1:1|").unwrap().molecule;
        assert_eq!(canonical_smiles(&m), canonical_smiles(&cx));
        assert_eq!(m.stereo_groups.len(), 1);
    }

    #[test]
    fn hostile_blocks_are_errors_with_their_line() {
        let err = |text: &str| parse_mol_block(text).unwrap_err();
        // Truncated: every prefix of a good block fails cleanly (or reads, past M  END).
        for cut in 0..FCLBR.len() {
            if FCLBR.is_char_boundary(cut) {
                let _ = parse_mol_block(&FCLBR[..cut]);
            }
        }
        let e = err("\n\n\n");
        assert_eq!(e.line, 4, "{e}");
        // Millions of atoms claimed by a short block: an error, not an allocation.
        let e = err("\n\n\n999999  0  0  0  0  0  0  0  0999 V2000\nM  END\n");
        assert_eq!(e.line, 4, "{e}");
        assert!(e.message.contains("only"), "{e}");
        let e = err(
            "\n\n\n  0  0  0  0  0  0  0  0  0  0999 V3000\nM  V30 BEGIN CTAB\nM  V30 COUNTS 99999999 99999999 0 0 0\nM  V30 END CTAB\nM  END\n",
        );
        assert_eq!(e.line, 6, "{e}");
        let e = err(&FCLBR.replace("    1.2990    0.7500", "    1.2x90    0.7500"));
        assert_eq!(e.line, 5, "{e}");
        assert!(e.message.contains("x coordinate"), "{e}");
        let e = err(&FCLBR.replace(" Cl  0", " Xx  0"));
        assert_eq!(e.line, 7, "{e}");
        assert!(e.message.contains("'Xx'"), "{e}");
        let e = err(&FCLBR.replace("  2  4  1  0", "  2  9  1  0"));
        assert_eq!(e.line, 11, "{e}");
        let e = err(&FCLBR.replace("  2  4  1  0", "  2  4  8  0"));
        assert!(e.message.contains("query bond"), "{e}");
        let e = err(&FCLBR.replace("  2  4  1  0", "  2  2  1  0"));
        assert!(e.message.contains("itself"), "{e}");
        let e = err(&FCLBR.replace("M  END\n", ""));
        assert_eq!(e.line, 12, "{e}");
        let e = err(&FCLBR.replace("  2  3  1  0\n", "  2  3  1  0\nM  CHG  2   1\n"));
        assert_eq!(e.line, 11, "{e}");
        let five_bonds = v2000(
            &[
                ("C", 0.0, 0.0, 0.0),
                ("C", 1.0, 0.0, 0.0),
                ("C", -1.0, 0.0, 0.0),
                ("C", 0.0, 1.0, 0.0),
                ("C", 0.0, -1.0, 0.0),
                ("C", 1.0, 1.0, 0.0),
            ],
            &[
                "  1  2  1  0",
                "  1  3  1  0",
                "  1  4  1  0",
                "  1  5  1  0",
                "  1  6  1  0",
            ],
            &[],
        );
        let e = err(&five_bonds);
        assert_eq!(e.line, 5, "{e}");
        assert!(e.message.contains("valence"), "{e}");
        // Non-ASCII where a fixed column is read.
        let e = err(&FCLBR.replace(" Br  0", " Bé  0"));
        assert_eq!(e.line, 8, "{e}");
    }

    /// A small deterministic fuzz (the fuzz target `molfile` runs the open-ended one): bytes of
    /// good blocks replaced, dropped or repeated never panic, and errors name a line of the
    /// input.
    #[test]
    fn mangled_blocks_never_panic() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let noise = b" 0123456789-+.MVCHGRADISOEND=()\n$><ABQ*";
        for base in [FCLBR, ALANINE_3D, CISPLATIN_V3000] {
            for _ in 0..400 {
                let mut bytes = base.as_bytes().to_vec();
                for _ in 0..1 + next(4) {
                    let at = next(bytes.len());
                    match next(3) {
                        0 => bytes[at] = noise[next(noise.len())],
                        1 => {
                            bytes.remove(at);
                        }
                        _ => {
                            let end = (at + next(40)).min(bytes.len());
                            let copy = bytes[at..end].to_vec();
                            bytes.splice(at..at, copy);
                        }
                    }
                }
                let text = String::from_utf8_lossy(&bytes);
                let lines = text.lines().count();
                for result in [
                    read_mol_block(&text).map(|b| b.molecule),
                    read_pasted_mol_block(&text).map(|b| b.molecule),
                ] {
                    match result {
                        Ok(m) => {
                            canonical_smiles(&m);
                        }
                        Err(e) => assert!(e.line >= 1 && e.line <= lines + 1, "{e}\n{text}"),
                    }
                }
                for r in sd_records(&text) {
                    if let Ok(m) = r.molecule {
                        canonical_smiles(&m);
                    }
                }
            }
        }
    }

    #[test]
    fn sd_records_carry_data_and_a_bad_record_does_not_stop_the_rest() {
        let good = FCLBR.replacen('\n', "first\n", 1);
        let bad = FCLBR
            .replacen('\n', "second\n", 1)
            .replace(" Cl  0", " Xx  0");
        let third = CISPLATIN_V3000;
        let text = format!(
            "{good}> <ID>\nA-1\n\n> <note>\ntwo\nlines\n\n$$$$\n{bad}$$$$\n{third}> <ID>\nA-3\n\n$$$$\n\n$$$$\n{good}$$$$\n\n"
        );
        let records: Vec<SdRecord> = sd_records(&text).collect();
        assert_eq!(records.len(), 5);
        // The blank fourth record is one, and does not stop the fifth.
        assert!(records[3].molecule.is_err());
        assert!(records[4].molecule.is_ok());
        assert_eq!(records[0].title, "first");
        assert_eq!(records[0].field("ID"), Some("A-1"));
        assert_eq!(records[0].field("note"), Some("two\nlines"));
        assert!(records[0].molecule.is_ok());
        assert_eq!(records[1].number, 2);
        let e = records[1].molecule.as_ref().unwrap_err();
        // The second record starts on line 21 of the file; its Cl line is its 7th.
        assert_eq!((records[1].line, e.line), (21, 27), "{e}");
        assert_eq!(records[2].field("ID"), Some("A-3"));
        assert!(records[2].molecule.is_ok());
    }

    #[test]
    fn mol_blocks_are_told_from_other_text() {
        assert!(looks_like_mol_block(FCLBR));
        assert!(looks_like_mol_block(CISPLATIN_V3000));
        assert!(!looks_like_mol_block("CCO"));
        assert!(!looks_like_mol_block("a\nb\nc\nd\nM  END"));
        // Pasted text loses its blank first line when it is trimmed.
        let trimmed = FCLBR.trim();
        assert!(looks_like_mol_block(trimmed));
        let read = read_pasted_mol_block(trimmed).unwrap();
        assert_eq!(canonical_smiles(&read.molecule), canonical("F[C@H](Cl)Br"));
    }
}
