//! CXSMILES layers: the `|...|` that RDKit and ChemAxon write after a SMILES or reaction SMILES,
//! read into the molecule where textchem can hold what they say, and otherwise reported as
//! warnings.
//!
//! Held: atom labels (`$_R1;;foo$`, `&#59;`-style escapes decoded) and atom values
//! (`$_AV:...$`) on `Atom::label` / `Atom::value`, radicals (`^1:` .. `^7:`, as hydrogens taken
//! off the atom so that its bracket implies the unpaired electrons, as RDKit does), enhanced
//! stereo groups (`a:`, `o1:`, `&1:`), coordinate bonds (`C:`, made dative with the listed atom
//! as donor), cis/trans of double bonds (`c:`, `t:`, relative to each end's lowest-numbered
//! neighbour; `ctu:` clears it), wedges `wU:`/`wD:` read against the 2D coordinates
//! (`(x,y,;...)`) as a drawing is read: they give an unmarked atom its configuration, and a
//! marked atom keeps its mark (with a warning where the wedge shows the other one).
//! Coordinates are not kept: textchem lays molecules out itself. Warned about: labels or values
//! past the last atom (RDKit ignores them), wedges it cannot place, wiggly bonds, hydrogen and
//! zero-order bonds, multi-centre attachments, link nodes, S-groups and polymers, atom
//! properties, query features, the relative-stereo flag. An unknown field, a malformed list or
//! escape, or an index the SMILES does not have is an error (RDKit rejects the first three and
//! skips the last). A reaction's layer numbers atoms and bonds across the whole reaction.

use std::fmt;

use super::error::{SmilesError, SmilesErrorKind};
use super::reaction::read_reaction;
use super::{read_molecule, trim};
use crate::chem::canon::canonical_smiles;
use crate::chem::mol::{
    AtomIdx, BondIdx, BondOrder, DoubleBondStereo, Molecule, Reaction, StereoClass, StereoGroup,
    StereoGroupKind,
};
use crate::chem::rings::in_ring_smaller_than;
use crate::chem::stereo_geometry::{Undrawn, drawn_centre, drawn_clockwise, lift_of};
use crate::chem::valence;

/// Something a CXSMILES layer says that textchem does not keep, and where it is said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CxWarning {
    /// 0-based character offset into the line given to the reader.
    pub column: usize,
    pub message: String,
}

impl fmt::Display for CxWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at column {}", self.message, self.column)
    }
}

/// A molecule read from CXSMILES, with what its layer said that it does not hold.
#[derive(Clone, Debug)]
pub struct CxMolecule {
    pub molecule: Molecule,
    pub warnings: Vec<CxWarning>,
    /// Text after the SMILES and its layer (a title or id, as RDKit reads it), trimmed.
    pub name: Option<String>,
}

/// A reaction read from reaction CXSMILES, with what its layer said that it does not hold.
#[derive(Clone, Debug)]
pub struct CxReaction {
    pub reaction: Reaction,
    pub warnings: Vec<CxWarning>,
    /// Text after the SMILES and its layer, trimmed.
    pub name: Option<String>,
}

/// Reads `SMILES [|layer|] [name]` (spaces or tabs between), as RDKit's `MolFromSmiles` reads
/// such a line. Error and warning columns count characters of `s` from 0.
pub fn parse_cxsmiles(s: &str) -> Result<CxMolecule, SmilesError> {
    let (molecule, warnings, name) = read_line(s, read_molecule, apply_cx_layer)?;
    Ok(CxMolecule {
        molecule,
        warnings,
        name,
    })
}

/// Reads `reactants>agents>products [|layer|] [name]`, as RDKit's `ReactionFromSmiles` reads
/// it: the layer's atom and bond indices run across the whole reaction (reactants, then
/// agents, then products, as written).
pub fn parse_cxreaction(s: &str) -> Result<CxReaction, SmilesError> {
    let (reaction, warnings, name) = read_line(s, read_reaction, apply_reaction_cx_layer)?;
    Ok(CxReaction {
        reaction,
        warnings,
        name,
    })
}

type Layered<T> = (T, Vec<CxWarning>, Option<String>);

/// Splits a line into SMILES, layer and name, reads the SMILES with `read` and applies the
/// layer with `apply`.
fn read_line<T>(
    s: &str,
    read: fn(&str, usize) -> Result<T, SmilesError>,
    apply: fn(&mut T, &str, usize) -> Result<Vec<CxWarning>, SmilesError>,
) -> Result<Layered<T>, SmilesError> {
    let (text, base) = trim(s);
    if text.is_empty() {
        return Err(SmilesError::new(SmilesErrorKind::Empty, 0));
    }
    let Some(gap) = text.find([' ', '\t']) else {
        return Ok((read(text, base)?, Vec::new(), None));
    };
    let smiles = &text[..gap];
    let rest = text[gap..].trim_start_matches([' ', '\t']);
    let at = base + text[..text.len() - rest.len()].chars().count();
    let mut value = read(smiles, base)?;
    let (warnings, name) = match rest.strip_prefix('|') {
        Some(after) => {
            // Without its closing bar the whole rest is the layer, and the error says so.
            let end = after.find('|').map_or(rest.len(), |e| e + 2);
            let warnings = apply(&mut value, &rest[..end], at)?;
            (warnings, rest[end..].trim_matches([' ', '\t']))
        }
        None => (Vec::new(), rest),
    };
    Ok((
        value,
        warnings,
        Some(name.to_string()).filter(|n| !n.is_empty()),
    ))
}

/// Applies a layer `|...|` to a reaction: its species are joined into one molecule in
/// reaction order for the layer's indices, and split again afterwards.
pub fn apply_reaction_cx_layer(
    reaction: &mut Reaction,
    layer: &str,
    column: usize,
) -> Result<Vec<CxWarning>, SmilesError> {
    let mut joined = Molecule::new();
    let mut sizes = Vec::new();
    for species in reaction.species() {
        joined.append(species);
        sizes.push(species.atom_count());
    }
    let warnings = apply_cx_layer(&mut joined, layer, column)?;
    let mut start = 0;
    for (species, size) in reaction.species_mut().zip(sizes) {
        *species = joined.extract(start..start + size);
        start += size;
    }
    Ok(warnings)
}

/// Applies a layer `|...|` (bars included, nothing after it) to the molecule read from the
/// SMILES before it; `column` is the character offset of the opening bar in the line.
pub fn apply_cx_layer(
    mol: &mut Molecule,
    layer: &str,
    column: usize,
) -> Result<Vec<CxWarning>, SmilesError> {
    let inner = layer
        .strip_prefix('|')
        .and_then(|l| l.strip_suffix('|'))
        .filter(|l| !l.contains('|'))
        .ok_or_else(|| {
            SmilesError::new(SmilesErrorKind::BadCxLayer, column)
                .with_detail("(a layer is one `|...|` and ends the SMILES)")
        })?;
    let mut r = LayerReader {
        text: inner,
        column: column + 1,
        pos: 0,
        mol,
        warnings: Vec::new(),
        groups: Vec::new(),
        coordinates: None,
        wedges: Vec::new(),
    };
    r.read()?;
    r.finish_groups();
    r.finish_wedges();
    Ok(r.warnings)
}

struct LayerReader<'a> {
    text: &'a str,
    /// Column of `text`'s first character.
    column: usize,
    pos: usize,
    mol: &'a mut Molecule,
    warnings: Vec<CxWarning>,
    /// (kind, number, atoms) per group field, merged by kind and number at the end.
    groups: Vec<(StereoGroupKind, u32, Vec<AtomIdx>)>,
    /// 2D positions from the coordinates field, when it gives one per atom and no depth.
    coordinates: Option<Vec<[f64; 2]>>,
    /// (centre, bond, +1 wedge or -1 hash, position) from `wU:` / `wD:`, read once the
    /// coordinates are known (the fields may come in any order).
    wedges: Vec<(AtomIdx, BondIdx, f64, usize)>,
}

impl LayerReader<'_> {
    fn col(&self, at: usize) -> usize {
        self.column + self.text[..at].chars().count()
    }

    fn error(&self, at: usize, detail: impl Into<String>) -> SmilesError {
        SmilesError::new(SmilesErrorKind::BadCxLayer, self.col(at)).with_detail(detail)
    }

    fn warn(&mut self, at: usize, message: impl Into<String>) {
        let column = self.col(at);
        self.warnings.push(CxWarning {
            column,
            message: message.into(),
        });
    }

    fn read(&mut self) -> Result<(), SmilesError> {
        let bytes = self.text.as_bytes();
        while self.pos < bytes.len() {
            if bytes[self.pos] == b',' {
                self.pos += 1;
                continue;
            }
            let start = self.pos;
            let end = match bytes[start] {
                b'(' => {
                    let close = self.closing(start, b')')?;
                    self.coordinates(start, close);
                    close + 1
                }
                b'$' => {
                    let close = self.closing(start, b'$')? + 1;
                    self.labels(start, close)?;
                    close
                }
                _ => {
                    let end = field_end(bytes, start);
                    self.field(start, end)?;
                    end
                }
            };
            // Empty fields (`,,`, a trailing `,`) are allowed, as RDKit allows them.
            match bytes.get(end) {
                None => self.pos = end,
                Some(b',') => {
                    self.pos = end + 1;
                    while bytes.get(self.pos) == Some(&b',') {
                        self.pos += 1;
                    }
                }
                Some(_) => return Err(self.error(end, "(fields are separated by ',')")),
            }
        }
        Ok(())
    }

    /// The index of the `close` byte that ends the field opened at `start`.
    fn closing(&self, start: usize, close: u8) -> Result<usize, SmilesError> {
        self.text.as_bytes()[start + 1..]
            .iter()
            .position(|&c| c == close)
            .map(|p| start + 1 + p)
            .ok_or_else(|| self.error(start, format!("('{}' not closed)", close as char)))
    }

    /// `$label;label;...$` or `$_AV:value;...$`: one entry per atom in atom order, empty for
    /// none, `&#N;` escapes decoded (RDKit writes `;`, `$`, `|`, `&` and a few others so).
    /// Entries past the last atom are ignored, as RDKit ignores them, with a warning.
    fn labels(&mut self, start: usize, end: usize) -> Result<(), SmilesError> {
        let mut body_at = start + 1;
        let mut body = &self.text[body_at..end - 1];
        let values = body.starts_with("_AV:");
        if values {
            body = &body[4..];
            body_at += 4;
        }
        let n = self.mol.atom_count();
        let mut extra = false;
        for (i, (entry, at)) in self.entries(body, body_at)?.into_iter().enumerate() {
            if entry.is_empty() {
                continue;
            }
            if i >= n {
                if !std::mem::replace(&mut extra, true) {
                    let what = if values { "values" } else { "labels" };
                    self.warn(
                        at,
                        format!("atom {what} past atom {} are ignored", n.max(1) - 1),
                    );
                }
                continue;
            }
            let atom = self.mol.atom_mut(AtomIdx::new(i));
            if values {
                atom.set_value(Some(entry.into()));
            } else {
                atom.set_label(Some(entry.into()));
            }
        }
        Ok(())
    }

    /// The `;`-separated entries of a label list at byte `at` of the layer, unescaped, each
    /// with its position.
    fn entries(&self, body: &str, at: usize) -> Result<Vec<(String, usize)>, SmilesError> {
        let mut out = Vec::new();
        let mut bytes = Vec::new();
        let mut entry_at = at;
        let mut i = 0;
        let b = body.as_bytes();
        while i < b.len() {
            match b[i] {
                b';' => {
                    out.push((self.utf8(std::mem::take(&mut bytes), entry_at)?, entry_at));
                    entry_at = at + i + 1;
                    i += 1;
                }
                b'&' if b.get(i + 1) == Some(&b'#') => {
                    let digits = b[i + 2..].iter().take_while(|c| c.is_ascii_digit()).count();
                    let code = body[i + 2..i + 2 + digits].parse::<u64>().ok();
                    match (code, b.get(i + 2 + digits)) {
                        (Some(code), Some(b';')) => {
                            unescape(code, &mut bytes).ok_or_else(|| {
                                self.error(at + i, format!("(&#{code}; is not a character)"))
                            })?;
                            i += digits + 3;
                        }
                        _ => {
                            return Err(
                                self.error(at + i, "('&#' must start an escape such as '&#59;')")
                            );
                        }
                    }
                }
                c => {
                    bytes.push(c);
                    i += 1;
                }
            }
        }
        out.push((self.utf8(bytes, entry_at)?, entry_at));
        Ok(out)
    }

    fn utf8(&self, bytes: Vec<u8>, at: usize) -> Result<String, SmilesError> {
        String::from_utf8(bytes)
            .map_err(|_| self.error(at, "(a label's escapes do not make UTF-8 text)"))
    }

    /// One `name:content` field in `text[start..end]`.
    fn field(&mut self, start: usize, end: usize) -> Result<(), SmilesError> {
        let field = &self.text[start..end];
        let (name, body, body_at) = match field.find(':') {
            Some(c) => (&field[..c], &field[c + 1..], start + c + 1),
            None => (field, "", end),
        };
        let electrons = |n: u8| match n {
            1 => 1,
            2..=4 => 2,
            _ => 3,
        };
        match name {
            "r" if body.is_empty() => self.warn(
                start,
                "the relative-stereo flag (r) is not kept: marks are read as absolute",
            ),
            _ if name.len() == 2
                && name.starts_with('^')
                && matches!(name.as_bytes()[1], b'1'..=b'7') =>
            {
                let n = electrons(name.as_bytes()[1] - b'0');
                if body.is_empty() {
                    return Err(self.error(start, "(a radical field lists its atoms)"));
                }
                for (a, at) in self.atoms(body, body_at)? {
                    self.radical(a, n, at);
                }
            }
            "a" => {
                let atoms = self.atoms(body, body_at)?;
                self.group(StereoGroupKind::Absolute, 0, atoms);
            }
            _ if (name.starts_with('o') || name.starts_with('&'))
                && name.len() > 1
                && name[1..].bytes().all(|c| c.is_ascii_digit()) =>
            {
                let kind = if name.starts_with('o') {
                    StereoGroupKind::Or
                } else {
                    StereoGroupKind::And
                };
                let number = name[1..]
                    .parse()
                    .map_err(|_| self.error(start, "(group number too large)"))?;
                let atoms = self.atoms(body, body_at)?;
                self.group(kind, number, atoms);
            }
            "C" => {
                for (a, b, at) in self.atom_bonds(body, body_at)? {
                    self.coordinate_bond(a, b, at);
                }
            }
            "c" | "t" | "ctu" => {
                for (b, at) in self.bonds(body, body_at)? {
                    self.double_bond(b, name, at);
                }
            }
            "wU" | "wD" => {
                let lift = if name == "wU" { 1.0 } else { -1.0 };
                for (a, b, at) in self.atom_bonds(body, body_at)? {
                    self.wedges.push((a, b, lift, at));
                }
            }
            "w" => {
                self.atom_bonds(body, body_at)?;
                self.warn(start, "wiggly bonds (w:) are not kept");
            }
            "H" | "Z" => {
                self.atom_bonds_or_bonds(body, body_at)?;
                let what = if name == "H" {
                    "hydrogen"
                } else {
                    "zero-order"
                };
                self.warn(
                    start,
                    format!("{what} bonds ({name}:) are not kept: they are read as written in the SMILES"),
                );
            }
            "m" => self.warn(start, "multi-centre attachments (m:) are not kept"),
            "LN" => self.warn(start, "link nodes (LN:) are not kept"),
            "Sg" | "SgD" | "SgH" => self.warn(start, format!("S-groups ({name}:) are not kept")),
            "atomProp" => self.warn(start, "atom properties (atomProp:) are not kept"),
            "rb" | "u" | "s" => self.warn(start, format!("query features ({name}:) are not kept")),
            _ => return Err(self.error(start, format!("(unknown field '{name}')"))),
        }
        Ok(())
    }

    /// `(x,y,z;...)` in `text[start..=close]`: kept as 2D positions when there is one entry per
    /// atom and every depth is empty or zero. Otherwise the wedges cannot be placed: numbers
    /// that do not read or a count that does not fit are warned about here, and each wedge
    /// that would have set a configuration says so.
    fn coordinates(&mut self, start: usize, close: usize) {
        let body = &self.text[start + 1..close];
        let mut points = Vec::new();
        let mut flat = true;
        let mut offset = start + 1;
        for entry in body.split(';') {
            let parts: Vec<&str> = entry.split(',').collect();
            let number = |i: usize| -> Option<f64> {
                match parts.get(i).map(|p| p.trim()) {
                    None | Some("") => Some(0.0),
                    Some(p) => p.parse::<f64>().ok().filter(|v| v.is_finite()),
                }
            };
            match (number(0), number(1), number(2)) {
                (Some(x), Some(y), Some(z)) if parts.len() <= 3 => {
                    flat &= z == 0.0;
                    points.push([x, y]);
                }
                _ => {
                    let text = format!("coordinates not read: '{entry}' is not x,y,z");
                    self.warn(offset, text);
                    return;
                }
            }
            offset += entry.len() + 1;
        }
        let atoms = self.mol.atom_count();
        if points.len() != atoms {
            let text = format!(
                "coordinates not read: {} positions for {atoms} atoms",
                points.len()
            );
            self.warn(start, text);
        } else if flat {
            self.coordinates = Some(points);
        }
    }

    /// Wedges read as a drawing is read: the centre's configuration from its neighbours'
    /// positions and which bonds rise or fall. A centre the SMILES marks keeps its mark (the
    /// SMILES is what every reader sees); a wedge that shows the other configuration is
    /// warned about. An unmarked atom takes the configuration its wedges show, as RDKit reads
    /// it.
    fn finish_wedges(&mut self) {
        // Marked centres whose wedges show the other configuration, with where they are.
        let mut contrary: Vec<(AtomIdx, usize)> = Vec::new();
        let mut centres: Vec<AtomIdx> = self.wedges.iter().map(|w| w.0).collect();
        centres.sort();
        centres.dedup();
        for c in centres {
            let at = self.wedges.iter().find(|w| w.0 == c).map_or(0, |w| w.3);
            let lifts: Vec<(AtomIdx, f64)> = self
                .wedges
                .iter()
                .filter(|w| w.0 == c)
                .map(|w| {
                    let (x, y) = self.mol.bond_atoms(w.1);
                    (if x == c { y } else { x }, w.2)
                })
                .collect();
            let lift = lift_of(&lifts);
            let marked = self.mol.atom(c).stereo.clone();
            let Some(pos) = &self.coordinates else {
                if marked.is_none() {
                    let text = format!(
                        "the wedge at atom {} is not read: it needs 2D coordinates",
                        c.index()
                    );
                    self.warn(at, text);
                }
                continue;
            };
            match marked {
                Some(st) => {
                    let StereoClass::Tetrahedral { clockwise } = st.class else {
                        continue;
                    };
                    let drawn = drawn_clockwise(self.mol, c, &st.neighbors, pos, lift);
                    if drawn.is_some_and(|d| d != clockwise) {
                        contrary.push((c, at));
                    }
                }
                None => match drawn_centre(self.mol, c, pos, lift) {
                    Ok(stereo) => self.mol.atom_mut(c).stereo = Some(stereo),
                    Err(why) => {
                        let reason = match why {
                            Undrawn::NotACentre => "the atom cannot be a tetrahedral centre",
                            Undrawn::Flat => "its bonds are drawn in a line",
                        };
                        let text = format!("the wedge at atom {} is not read: {reason}", c.index());
                        self.warn(at, text);
                    }
                },
            }
        }
        self.warn_contrary_wedges(contrary);
    }

    /// Warns of marked centres whose wedges draw the other configuration, unless the drawing
    /// is the same molecule anyway (inverting both ring centres of a cis-1,4-cyclohexane, or
    /// every centre of a meso compound, changes nothing).
    fn warn_contrary_wedges(&mut self, contrary: Vec<(AtomIdx, usize)>) {
        if contrary.is_empty() {
            return;
        }
        let mut drawn = self.mol.clone();
        for &(c, _) in &contrary {
            if let Some(StereoClass::Tetrahedral { clockwise }) =
                drawn.atom_mut(c).stereo.as_mut().map(|st| &mut st.class)
            {
                *clockwise = !*clockwise;
            }
        }
        if canonical_smiles(&drawn) == canonical_smiles(self.mol) {
            return;
        }
        for (c, at) in contrary {
            let text = format!(
                "the wedge at atom {} shows the other configuration than its @ mark, which is kept",
                c.index()
            );
            self.warn(at, text);
        }
    }

    /// A comma-separated list of atom indices, each with its position.
    fn atoms(&self, body: &str, at: usize) -> Result<Vec<(AtomIdx, usize)>, SmilesError> {
        items(body, at)
            .map(|(item, pos)| Ok((self.atom(item, pos)?, pos)))
            .collect()
    }

    fn atom(&self, item: &str, pos: usize) -> Result<AtomIdx, SmilesError> {
        let n = self.mol.atom_count();
        match item.parse::<usize>() {
            Ok(i) if i < n => Ok(AtomIdx::new(i)),
            Ok(i) => Err(self.error(pos, format!("(atom {i} of {n})"))),
            Err(_) => Err(self.error(pos, format!("('{item}' is not an atom index)"))),
        }
    }

    fn bond(&self, item: &str, pos: usize) -> Result<BondIdx, SmilesError> {
        let n = self.mol.bond_count();
        match item.parse::<usize>() {
            Ok(i) if i < n => Ok(BondIdx::new(i)),
            Ok(i) => Err(self.error(pos, format!("(bond {i} of {n})"))),
            Err(_) => Err(self.error(pos, format!("('{item}' is not a bond index)"))),
        }
    }

    fn bonds(&self, body: &str, at: usize) -> Result<Vec<(BondIdx, usize)>, SmilesError> {
        items(body, at)
            .map(|(item, pos)| Ok((self.bond(item, pos)?, pos)))
            .collect()
    }

    /// A list of `atom.bond` pairs; the bond must be the atom's.
    fn atom_bonds(
        &self,
        body: &str,
        at: usize,
    ) -> Result<Vec<(AtomIdx, BondIdx, usize)>, SmilesError> {
        items(body, at)
            .map(|(item, pos)| {
                let (a, b) = item
                    .split_once('.')
                    .ok_or_else(|| self.error(pos, format!("('{item}' is not atom.bond)")))?;
                let a = self.atom(a, pos)?;
                let b = self.bond(b, pos)?;
                let (x, y) = self.mol.bond_atoms(b);
                if a != x && a != y {
                    return Err(self.error(
                        pos,
                        format!("(bond {} is not at atom {})", b.index(), a.index()),
                    ));
                }
                Ok((a, b, pos))
            })
            .collect()
    }

    /// `H:` and `Z:` lists: RDKit writes bond indices, ChemAxon `atom.bond` pairs.
    fn atom_bonds_or_bonds(&self, body: &str, at: usize) -> Result<(), SmilesError> {
        if body.contains('.') {
            self.atom_bonds(body, at).map(drop)
        } else {
            self.bonds(body, at).map(drop)
        }
    }

    /// `^n:` on atom `a`: unpaired electrons as hydrogens taken off an atom written without
    /// brackets. A bracket atom's count is what its hydrogens imply; a different one is warned.
    fn radical(&mut self, a: AtomIdx, electrons: u8, at: usize) {
        let have = valence::radical_electrons(self.mol, a);
        if have == electrons {
            return;
        }
        let atom = self.mol.atom(a);
        let fits = !atom.bracket
            && atom.hydrogens >= electrons
            && !valence::allowed_valences(atom.element, atom.charge).is_empty();
        if fits {
            let atom = self.mol.atom_mut(a);
            atom.hydrogens -= electrons;
            atom.bracket = true;
            if valence::radical_electrons(self.mol, a) == electrons {
                return;
            }
            let atom = self.mol.atom_mut(a);
            atom.hydrogens += electrons;
            atom.bracket = false;
        }
        self.warn(
            at,
            format!(
                "{electrons} unpaired electron(s) on atom {} are not applied: its valence gives {have}",
                a.index()
            ),
        );
    }

    fn group(&mut self, kind: StereoGroupKind, number: u32, atoms: Vec<(AtomIdx, usize)>) {
        let mut kept = Vec::with_capacity(atoms.len());
        for (a, at) in atoms {
            let tetrahedral = matches!(
                self.mol.atom(a).stereo.as_ref().map(|s| s.class),
                Some(StereoClass::Tetrahedral { .. })
            );
            if tetrahedral {
                kept.push(a);
            } else {
                self.warn(
                    at,
                    format!(
                        "atom {} has no tetrahedral mark: left out of its stereo group",
                        a.index()
                    ),
                );
            }
        }
        self.groups.push((kind, number, kept));
    }

    /// Groups of one kind and number merged, each atom in its first group only, empty groups
    /// dropped.
    fn finish_groups(&mut self) {
        let mut merged: Vec<(StereoGroupKind, u32, Vec<AtomIdx>)> = Vec::new();
        let mut taken = vec![false; self.mol.atom_count()];
        for (kind, number, atoms) in std::mem::take(&mut self.groups) {
            let fresh: Vec<AtomIdx> = atoms
                .into_iter()
                .filter(|a| !std::mem::replace(&mut taken[a.index()], true))
                .collect();
            match merged
                .iter_mut()
                .find(|(k, n, _)| *k == kind && (*n == number || kind == StereoGroupKind::Absolute))
            {
                Some((_, _, list)) => list.extend(fresh),
                None => merged.push((kind, number, fresh)),
            }
        }
        self.mol.stereo_groups = merged
            .into_iter()
            .filter(|(_, _, atoms)| !atoms.is_empty())
            .map(|(kind, _, mut atoms)| {
                atoms.sort();
                StereoGroup { kind, atoms }
            })
            .collect();
    }

    /// `C:a.b`: bond `b` is dative, donated by atom `a`.
    fn coordinate_bond(&mut self, donor: AtomIdx, b: BondIdx, at: usize) {
        let bond = self.mol.bond(b);
        if bond.order != BondOrder::Single || bond.aromatic {
            self.warn(
                at,
                format!(
                    "bond {} is not single: not made a coordinate bond",
                    b.index()
                ),
            );
            return;
        }
        if self.mol.bond_atoms(b).0 != donor {
            self.mol.reverse_bond(b);
        }
        self.mol.bond_mut(b).dative = true;
        // A donor written without brackets now has the hydrogens of the free ligand.
        let atom = self.mol.atom(donor);
        let aromatic = self.mol.bonds_at(donor).any(|(_, bond)| bond.aromatic);
        if !atom.bracket && !aromatic && atom.charge == 0 && atom.element.is_organic_subset() {
            let sum = self.mol.bond_valence_sum(donor);
            let h = valence::implicit_hydrogens(atom.element, false, sum);
            self.mol.atom_mut(donor).hydrogens = h;
        }
    }

    /// `c:` / `t:` set a double bond's configuration relative to the lowest-numbered
    /// neighbour at each end; `ctu:` says it is unknown.
    fn double_bond(&mut self, b: BondIdx, name: &str, at: usize) {
        let bond = self.mol.bond(b);
        if bond.order != BondOrder::Double || bond.aromatic {
            self.warn(
                at,
                format!("bond {} is not a double bond: {name}: ignored", b.index()),
            );
            return;
        }
        // A ring of fewer than eight atoms holds it cis whatever the flag (ChemAxon flags the
        // Kekulé bonds of benzene); RDKit keeps no configuration there either.
        if name == "ctu" || in_ring_smaller_than(self.mol, b, 8) {
            self.mol.bond_mut(b).stereo = None;
            return;
        }
        let (x, y) = self.mol.bond_atoms(b);
        let lowest = |end: AtomIdx, other: AtomIdx| {
            self.mol
                .neighbors(end)
                .into_iter()
                .map(|(n, _)| n)
                .filter(|&n| n != other)
                .min()
        };
        match (lowest(x, y), lowest(y, x)) {
            (Some(begin_ref), Some(end_ref)) => {
                self.mol.bond_mut(b).stereo = Some(DoubleBondStereo {
                    begin_ref,
                    end_ref,
                    cis: name == "c",
                });
            }
            _ => self.warn(
                at,
                format!(
                    "double bond {} has no substituent on one end: {name}: ignored",
                    b.index()
                ),
            ),
        }
    }
}

/// Appends the character that RDKit's escape `&#code;` stands for: codes up to 255 are bytes
/// (RDKit reads them as bytes), as are the codes RDKit writes for the bytes of non-ASCII text
/// (each byte sign-extended to 32 bits: `&#4294967235;`); a larger code is the Unicode
/// character with that number. `None` for a code that is neither.
fn unescape(code: u64, bytes: &mut Vec<u8>) -> Option<()> {
    const SIGNED_BYTES: std::ops::Range<u64> = (1 << 32) - 128..1 << 32;
    if code <= 0xff || SIGNED_BYTES.contains(&code) {
        bytes.push((code & 0xff) as u8);
        return Some(());
    }
    let c = char::from_u32(u32::try_from(code).ok()?)?;
    bytes.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
    Some(())
}

/// Where the field starting at `start` ends: at the first `,` that is followed by something
/// other than a digit (a new field), or at the end.
fn field_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start;
    while i < bytes.len() {
        if bytes[i] == b',' && !bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
            return i;
        }
        i += 1;
    }
    i
}

/// The comma-separated items of a list starting at byte `at` of the layer, with their
/// positions; empty items (a trailing comma) are skipped.
fn items(body: &str, at: usize) -> impl Iterator<Item = (&str, usize)> {
    let mut offset = at;
    body.split(',')
        .map(move |item| {
            let pos = offset;
            offset += item.len() + 1;
            (item, pos)
        })
        .filter(|(item, _)| !item.is_empty())
}
