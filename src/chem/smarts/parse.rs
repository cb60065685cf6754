//! Reading Daylight SMARTS (as RDKit reads it) into query graphs: one function per grammar
//! production, each error with the 0-based character column where reading stopped.

use std::collections::HashMap;

use super::SmartsError;
use super::query::{AtomExpr, AtomPrimitive, BondExpr, BondPrimitive, Count, Expr, QueryGraph};
use crate::chem::Element;

/// Element symbols above this atomic number are not read as two-letter symbols in brackets, so
/// that `[Nh]` stays nitrogen with an implicit hydrogen (RDKit reads elements up to 104).
const MAX_TWO_LETTER_Z: u8 = 104;

/// Patterns nest `$(...)` and branches at most this deep (bounds recursion on hostile input).
const MAX_DEPTH: usize = 64;

/// Atoms in a pattern, recursive ones included, at most: the search recurses once per atom.
pub(crate) const MAX_ATOMS: usize = 1000;

/// A parsed pattern: the main graph and the graphs of its `$(...)` atoms, which
/// [`AtomPrimitive::Recursive`] indexes (nested ones included, all in one list).
pub(crate) struct Parsed {
    pub graph: QueryGraph,
    pub recursive: Vec<QueryGraph>,
}

pub(crate) fn parse(text: &str) -> Result<Parsed> {
    if let Some((col, c)) = text.chars().enumerate().find(|(_, c)| !c.is_ascii()) {
        return Err(SmartsError::new(format!("unexpected character {c:?}"), col));
    }
    let mut p = Parser {
        text: text.as_bytes(),
        atoms: 0,
        pos: 0,
        recursive: Vec::new(),
        depth: 0,
        bracket_start: 0,
    };
    let graph = p.graph(false)?;
    Ok(Parsed {
        graph,
        recursive: p.recursive,
    })
}

struct Parser<'a> {
    text: &'a [u8],
    /// Atoms read so far in all graphs.
    atoms: usize,
    /// Byte position, equal to the character column (the text is ASCII).
    pos: usize,
    recursive: Vec<QueryGraph>,
    depth: usize,
    /// Where the current bracket atom's contents start (`[H]` is hydrogen only at the start).
    bracket_start: usize,
}

type Result<T> = std::result::Result<T, SmartsError>;

/// A ring-closure digit waiting for its partner: the atom, the bond written there, the column.
type OpenRing = (usize, Option<BondExpr>, usize);

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.text.get(self.pos + ahead).copied()
    }

    fn error(&self, message: impl Into<String>) -> SmartsError {
        SmartsError::new(message, self.pos)
    }

    fn unexpected(&self) -> SmartsError {
        match self.peek() {
            Some(c) => self.error(format!("unexpected character {:?}", c as char)),
            None => self.error("unexpected end of pattern"),
        }
    }

    /// A run of decimal digits as a number, or `None` when there are none.
    fn number(&mut self) -> Result<Option<u32>> {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        if start == self.pos {
            return Ok(None);
        }
        let digits = std::str::from_utf8(&self.text[start..self.pos]).unwrap_or("");
        digits
            .parse::<u32>()
            .ok()
            .filter(|&n| n <= 100_000)
            .map(Some)
            .ok_or_else(|| SmartsError::new(format!("number {digits} is too large"), start))
    }

    /// graph := component ('.' component)*, where a component is a chain of atoms, bonds,
    /// branches and ring closures. In a recursive pattern it ends at the `)` closing `$(`.
    fn graph(&mut self, nested: bool) -> Result<QueryGraph> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error("pattern nested too deeply"));
        }
        let start = self.pos;
        let mut g = QueryGraph::default();
        let mut prev: Option<usize> = None;
        // Open branches: the atom they hang from, the column of `(`, atoms read before it.
        let mut branches: Vec<(usize, usize, usize)> = Vec::new();
        let mut rings: HashMap<u32, OpenRing> = HashMap::new();
        let mut bond: Option<(BondExpr, usize)> = None;
        while let Some(c) = self.peek() {
            match c {
                b')' => {
                    if let Some((from, _, atoms_before)) = branches.pop() {
                        if bond.is_some() {
                            return Err(self.error("bond without a following atom"));
                        }
                        if prev.is_none() || g.atoms.len() == atoms_before {
                            return Err(self.error("empty branch"));
                        }
                        prev = Some(from);
                        self.pos += 1;
                    } else if nested {
                        break;
                    } else {
                        return Err(self.error("')' without its '('"));
                    }
                }
                b'(' => {
                    let Some(from) = prev else {
                        return Err(self.error("branch without a preceding atom"));
                    };
                    if bond.is_some() {
                        return Err(self.error("bond before a branch"));
                    }
                    if branches.len() >= MAX_DEPTH {
                        return Err(self.error("branches nested too deeply"));
                    }
                    branches.push((from, self.pos, g.atoms.len()));
                    self.pos += 1;
                    match self.peek() {
                        Some(b')') => return Err(self.error("empty branch")),
                        Some(b'(') => return Err(self.error("branch opens a branch")),
                        _ => {}
                    }
                }
                b'.' => {
                    if prev.is_none() || bond.is_some() {
                        return Err(self.error("'.' without an atom on each side"));
                    }
                    prev = None;
                    self.pos += 1;
                }
                b'0'..=b'9' | b'%' => {
                    let Some(atom) = prev else {
                        return Err(self.error("ring closure without a preceding atom"));
                    };
                    let col = self.pos;
                    let label = self.ring_label()?;
                    let here = bond.take().map(|(b, _)| b);
                    match rings.remove(&label) {
                        Some((other, there, _)) => {
                            let expr = match (here, there) {
                                (Some(a), Some(b)) if a != b => {
                                    return Err(SmartsError::new(
                                        "ring closure bonds differ at its two ends",
                                        col,
                                    ));
                                }
                                (Some(a), _) | (None, Some(a)) => a,
                                (None, None) => Expr::Primitive(BondPrimitive::SingleOrAromatic),
                            };
                            if other == atom || bonded(&g, other, atom) {
                                return Err(SmartsError::new(
                                    "ring closure bonds an atom to itself or repeats a bond",
                                    col,
                                ));
                            }
                            g.bonds.push((other, atom, expr));
                        }
                        None => {
                            rings.insert(label, (atom, here, col));
                        }
                    }
                }
                b'-' | b'=' | b'#' | b'$' | b':' | b'~' | b'@' | b'/' | b'\\' | b'!' => {
                    if prev.is_none() {
                        return Err(self.error("bond without a preceding atom"));
                    }
                    if bond.is_some() {
                        return Err(self.error("two bonds in a row"));
                    }
                    let col = self.pos;
                    bond = Some((self.bond_expr()?, col));
                }
                _ => {
                    self.atoms += 1;
                    if self.atoms > MAX_ATOMS {
                        return Err(self.error(format!("more than {MAX_ATOMS} atoms")));
                    }
                    let atom = self.atom()?;
                    let idx = g.atoms.len();
                    g.atoms.push(atom);
                    if let Some(p) = prev {
                        let expr = bond
                            .take()
                            .map_or(Expr::Primitive(BondPrimitive::SingleOrAromatic), |(b, _)| b);
                        g.bonds.push((p, idx, expr));
                    } else if let Some((_, col)) = bond {
                        return Err(SmartsError::new("bond without a preceding atom", col));
                    }
                    prev = Some(idx);
                }
            }
        }
        if let Some((_, col)) = bond {
            return Err(SmartsError::new("bond without a following atom", col));
        }
        if let Some(&(_, col, _)) = branches.last() {
            return Err(SmartsError::new("'(' without its ')'", col));
        }
        if let Some(col) = rings.values().map(|r| r.2).min() {
            return Err(SmartsError::new("unclosed ring bond", col));
        }
        if g.atoms.is_empty() {
            return Err(SmartsError::new("empty pattern", start));
        }
        if prev.is_none() {
            return Err(self.error("'.' without an atom on each side"));
        }
        self.depth -= 1;
        Ok(g)
    }

    /// ring_label := digit | '%' digit digit | '%(' number ')'
    fn ring_label(&mut self) -> Result<u32> {
        if self.peek() != Some(b'%') {
            let d = self.peek().unwrap_or(b'0') - b'0';
            self.pos += 1;
            return Ok(u32::from(d));
        }
        self.pos += 1;
        if self.peek() == Some(b'(') {
            self.pos += 1;
            let n = self
                .number()?
                .ok_or_else(|| self.error("ring number expected after '%('"))?;
            if self.peek() != Some(b')') {
                return Err(self.error("')' expected after the ring number"));
            }
            self.pos += 1;
            return Ok(n);
        }
        match (self.peek(), self.peek_at(1)) {
            (Some(a), Some(b)) if a.is_ascii_digit() && b.is_ascii_digit() => {
                self.pos += 2;
                Ok(u32::from(a - b'0') * 10 + u32::from(b - b'0'))
            }
            _ => Err(self.error("two digits expected after '%'")),
        }
    }

    /// atom := '[' atom_expr (':' class)? ']' | organic-subset symbol | aromatic symbol | '*' |
    /// 'a' | 'A'
    fn atom(&mut self) -> Result<AtomExpr> {
        let c = self.peek().ok_or_else(|| self.unexpected())?;
        if c == b'[' {
            return self.bracket_atom();
        }
        let two = (self.peek_at(1)).map(|d| [c, d]);
        let prim = match two {
            Some([b'C', b'l']) => Some((AtomPrimitive::element(17, false), 2)),
            Some([b'B', b'r']) => Some((AtomPrimitive::element(35, false), 2)),
            _ => None,
        };
        let (prim, len) = match prim {
            Some(p) => p,
            None => {
                let p = match c {
                    b'*' => AtomPrimitive::Any,
                    b'a' => AtomPrimitive::Aromatic,
                    b'A' => AtomPrimitive::Aliphatic,
                    b'B' => AtomPrimitive::element(5, false),
                    b'C' => AtomPrimitive::element(6, false),
                    b'N' => AtomPrimitive::element(7, false),
                    b'O' => AtomPrimitive::element(8, false),
                    b'F' => AtomPrimitive::element(9, false),
                    b'P' => AtomPrimitive::element(15, false),
                    b'S' => AtomPrimitive::element(16, false),
                    b'I' => AtomPrimitive::element(53, false),
                    b'b' => AtomPrimitive::element(5, true),
                    b'c' => AtomPrimitive::element(6, true),
                    b'n' => AtomPrimitive::element(7, true),
                    b'o' => AtomPrimitive::element(8, true),
                    b'p' => AtomPrimitive::element(15, true),
                    b's' => AtomPrimitive::element(16, true),
                    _ => return Err(self.unexpected()),
                };
                (p, 1)
            }
        };
        self.pos += len;
        Ok(Expr::Primitive(prim))
    }

    fn bracket_atom(&mut self) -> Result<AtomExpr> {
        let open = self.pos;
        self.pos += 1;
        let outer = std::mem::replace(&mut self.bracket_start, self.pos);
        let expr = self.logic(Parser::atom_primitive)?;
        self.bracket_start = outer;
        if self.peek() == Some(b':') {
            self.pos += 1;
            if self.number()?.is_none() {
                return Err(self.error("atom map number expected after ':'"));
            }
        }
        match self.peek() {
            Some(b']') => {
                self.pos += 1;
                Ok(expr)
            }
            None => Err(SmartsError::new("'[' without its ']'", open)),
            Some(_) => Err(self.unexpected()),
        }
    }

    fn bond_expr(&mut self) -> Result<BondExpr> {
        self.logic(Parser::bond_primitive)
    }

    /// low_and := or (';' or)*
    fn logic<P>(&mut self, prim: fn(&mut Self) -> Result<Option<P>>) -> Result<Expr<P>> {
        let mut terms = vec![self.or(prim)?];
        while self.peek() == Some(b';') {
            self.pos += 1;
            terms.push(self.or(prim)?);
        }
        Ok(collapse(terms, Expr::And))
    }

    /// or := and (',' and)*
    fn or<P>(&mut self, prim: fn(&mut Self) -> Result<Option<P>>) -> Result<Expr<P>> {
        let mut terms = vec![self.and(prim)?];
        while self.peek() == Some(b',') {
            self.pos += 1;
            terms.push(self.and(prim)?);
        }
        Ok(collapse(terms, Expr::Or))
    }

    /// and := not ('&'? not)*: juxtaposed primitives bind as tightly as `&`.
    fn and<P>(&mut self, prim: fn(&mut Self) -> Result<Option<P>>) -> Result<Expr<P>> {
        let first = self.not(prim)?.ok_or_else(|| self.expected_primitive())?;
        let mut terms = vec![first];
        loop {
            if self.peek() == Some(b'&') {
                self.pos += 1;
                let t = self.not(prim)?.ok_or_else(|| self.expected_primitive())?;
                terms.push(t);
            } else if let Some(t) = self.not(prim)? {
                terms.push(t);
            } else {
                break;
            }
        }
        Ok(collapse(terms, Expr::And))
    }

    /// not := '!'* primitive; `None` when no primitive starts here.
    fn not<P>(&mut self, prim: fn(&mut Self) -> Result<Option<P>>) -> Result<Option<Expr<P>>> {
        let start = self.pos;
        let mut negations = 0;
        while self.peek() == Some(b'!') {
            self.pos += 1;
            negations += 1;
        }
        match prim(self)? {
            // `!!` cancels out; only the parity of a run of `!` is kept.
            Some(p) if negations % 2 == 1 => Ok(Some(Expr::Not(Box::new(Expr::Primitive(p))))),
            Some(p) => Ok(Some(Expr::Primitive(p))),
            None if negations > 0 => Err(self.expected_primitive()),
            None => {
                self.pos = start;
                Ok(None)
            }
        }
    }

    fn expected_primitive(&self) -> SmartsError {
        match self.peek() {
            Some(c) => self.error(format!(
                "unexpected character {:?} where a primitive was expected",
                c as char
            )),
            None => self.error("unexpected end of pattern where a primitive was expected"),
        }
    }

    /// One bond primitive, or `None` when the next character is not one.
    fn bond_primitive(&mut self) -> Result<Option<BondPrimitive>> {
        let p = match self.peek() {
            Some(b'-' | b'/' | b'\\') => BondPrimitive::Single,
            Some(b'=') => BondPrimitive::Double,
            Some(b'#') => BondPrimitive::Triple,
            Some(b'$') => BondPrimitive::Quadruple,
            Some(b':') => BondPrimitive::Aromatic,
            Some(b'~') => BondPrimitive::Any,
            Some(b'@') => BondPrimitive::Ring,
            _ => return Ok(None),
        };
        self.pos += 1;
        // `/?` and `\?` (direction or unspecified) match as plain directional bonds.
        if matches!(self.text.get(self.pos - 1), Some(b'/' | b'\\')) && self.peek() == Some(b'?') {
            self.pos += 1;
        }
        Ok(Some(p))
    }

    /// One atom primitive inside brackets, or `None` when the next character starts none.
    fn atom_primitive(&mut self) -> Result<Option<AtomPrimitive>> {
        let Some(c) = self.peek() else {
            return Ok(None);
        };
        let col = self.pos;
        let p = match c {
            b'0'..=b'9' => {
                let n = self.number()?.unwrap_or(0);
                let n = u16::try_from(n)
                    .map_err(|_| SmartsError::new(format!("isotope {n} is too large"), col))?;
                AtomPrimitive::Isotope(n)
            }
            b'*' => {
                self.pos += 1;
                AtomPrimitive::Any
            }
            b'#' => {
                self.pos += 1;
                let n = self
                    .number()?
                    .ok_or_else(|| self.error("atomic number expected after '#'"))?;
                let z = u8::try_from(n)
                    .ok()
                    .filter(|&z| Element::from_atomic_number(z).is_some())
                    .ok_or_else(|| SmartsError::new(format!("no element #{n}"), col))?;
                AtomPrimitive::AtomicNumber(z)
            }
            b'+' | b'-' => AtomPrimitive::Charge(self.charge()?),
            b'@' => {
                self.chirality();
                AtomPrimitive::Chirality
            }
            b'$' => {
                if self.peek_at(1) != Some(b'(') {
                    return Err(SmartsError::new("'(' expected after '$'", col + 1));
                }
                self.pos += 2;
                let g = self.graph(true)?;
                if self.peek() != Some(b')') {
                    return Err(SmartsError::new("'$(' without its ')'", col));
                }
                self.pos += 1;
                self.recursive.push(g);
                AtomPrimitive::Recursive(self.recursive.len() - 1)
            }
            b'A'..=b'Z' | b'a'..=b'z' => return self.letter_primitive().map(Some),
            _ => return Ok(None),
        };
        Ok(Some(p))
    }

    /// `+`, `++`, `+n`, and the same with `-`.
    fn charge(&mut self) -> Result<i8> {
        let col = self.pos;
        let sign = self.peek().unwrap_or(b'+');
        self.pos += 1;
        let magnitude = match self.number()? {
            Some(n) => n,
            None => {
                let mut n = 1;
                while self.peek() == Some(sign) {
                    self.pos += 1;
                    n += 1;
                }
                n
            }
        };
        let magnitude = i8::try_from(magnitude)
            .ok()
            .filter(|&m| m <= 15)
            .ok_or_else(|| SmartsError::new("charge outside -15..15", col))?;
        Ok(if sign == b'-' { -magnitude } else { magnitude })
    }

    /// `@`, `@@`, `@TH1`, `@SP2`... with an optional `?`.
    fn chirality(&mut self) {
        while self.peek() == Some(b'@') {
            self.pos += 1;
        }
        let class = [self.peek(), self.peek_at(1)];
        if matches!(
            class,
            [Some(b'T'), Some(b'H' | b'B')]
                | [Some(b'A'), Some(b'L')]
                | [Some(b'S'), Some(b'P')]
                | [Some(b'O'), Some(b'H')]
        ) && self.peek_at(2).is_some_and(|d| d.is_ascii_digit())
        {
            self.pos += 2;
            while self.peek().is_some_and(|d| d.is_ascii_digit()) {
                self.pos += 1;
            }
        }
        if self.peek() == Some(b'?') {
            self.pos += 1;
        }
    }

    /// An element symbol or a letter primitive (`D H h R r v X x A a`). Two-letter element
    /// symbols win over a letter primitive followed by a lowercase primitive (`[Rh]` is rhodium).
    fn letter_primitive(&mut self) -> Result<AtomPrimitive> {
        let col = self.pos;
        let c = self.peek().unwrap_or(b' ');
        let next = self.peek_at(1);
        if c.is_ascii_uppercase() {
            if let Some(d) = next.filter(|d| d.is_ascii_lowercase()) {
                let sym = [c as char, d as char].iter().collect::<String>();
                if let Some(e) =
                    Element::from_symbol(&sym).filter(|e| e.atomic_number() <= MAX_TWO_LETTER_Z)
                {
                    self.pos += 2;
                    return Ok(AtomPrimitive::element(e.atomic_number(), false));
                }
            }
        } else if let Some(d) = next {
            let z = match [c, d] {
                [b's', b'e'] => Some(34),
                [b'a', b's'] => Some(33),
                [b't', b'e'] => Some(52),
                [b's', b'i'] => Some(14),
                _ => None,
            };
            if let Some(z) = z {
                self.pos += 2;
                return Ok(AtomPrimitive::element(z, true));
            }
        }
        self.pos += 1;
        let p = match c {
            b'H' if self.hydrogen_is_element() => AtomPrimitive::element(1, false),
            // Daylight's defaults: `H`, `D`, `X`, `v` alone mean one; `h`, `R`, `r`, `x` (and
            // RDKit's `z`, `Z`) alone mean at least one. RDKit takes no range on `H`.
            b'H' => AtomPrimitive::TotalHydrogens(Count::exactly(self.count_or(1)?)),
            b'D' => AtomPrimitive::Degree(self.count(Count::exactly(1))?),
            b'X' => AtomPrimitive::TotalDegree(self.count(Count::exactly(1))?),
            b'v' => AtomPrimitive::Valence(self.count(Count::exactly(1))?),
            b'h' => AtomPrimitive::ImplicitHydrogens(self.count(Count::at_least(1))?),
            b'R' => AtomPrimitive::RingCount(self.count(Count::at_least(1))?),
            b'r' => AtomPrimitive::SmallestRing(self.count(Count::at_least(1))?),
            b'x' => AtomPrimitive::RingConnectivity(self.count(Count::at_least(1))?),
            b'z' => AtomPrimitive::HeteroNeighbours(self.count(Count::at_least(1))?),
            b'Z' => AtomPrimitive::AliphaticHeteroNeighbours(self.count(Count::at_least(1))?),
            b'A' => AtomPrimitive::Aliphatic,
            b'a' => AtomPrimitive::Aromatic,
            b'c' => AtomPrimitive::element(6, true),
            b'n' => AtomPrimitive::element(7, true),
            b'o' => AtomPrimitive::element(8, true),
            b'p' => AtomPrimitive::element(15, true),
            b's' => AtomPrimitive::element(16, true),
            b'b' => AtomPrimitive::element(5, true),
            _ => {
                let sym = (c as char).to_string();
                match Element::from_symbol(&sym).filter(|_| c.is_ascii_uppercase()) {
                    Some(e) => AtomPrimitive::element(e.atomic_number(), false),
                    None => {
                        return Err(SmartsError::new(
                            format!("unknown atom primitive {:?}", c as char),
                            col,
                        ));
                    }
                }
            }
        };
        Ok(p)
    }

    /// `H` just read names the element when it opens the bracket (after a mass number at most)
    /// and no count follows: `[H]`, `[2H]`, `[H+]`.
    fn hydrogen_is_element(&self) -> bool {
        let before = &self.text[self.bracket_start..self.pos - 1];
        before.iter().all(u8::is_ascii_digit) && !self.peek().is_some_and(|d| d.is_ascii_digit())
    }

    fn count_or(&mut self, default: u32) -> Result<u32> {
        Ok(self.number()?.unwrap_or(default))
    }

    /// A number, RDKit's range `{a-b}` / `{-b}` / `{a-}`, or `default` when neither follows.
    fn count(&mut self, default: Count) -> Result<Count> {
        if self.peek() != Some(b'{') {
            return Ok(self.number()?.map_or(default, Count::exactly));
        }
        let open = self.pos;
        self.pos += 1;
        let min = self.number()?;
        if self.peek() != Some(b'-') {
            return Err(self.error("'-' expected in a range {a-b}"));
        }
        self.pos += 1;
        let max = self.number()?;
        if self.peek() != Some(b'}') {
            return Err(self.error("'}' expected to close the range"));
        }
        self.pos += 1;
        if min.is_none() && max.is_none() {
            return Err(SmartsError::new("a range needs at least one end", open));
        }
        Ok(Count {
            min: min.unwrap_or(0),
            max: max.unwrap_or(u32::MAX),
        })
    }
}

impl AtomPrimitive {
    fn element(atomic_number: u8, aromatic: bool) -> AtomPrimitive {
        AtomPrimitive::Element {
            atomic_number,
            aromatic,
        }
    }
}

fn bonded(g: &QueryGraph, a: usize, b: usize) -> bool {
    g.bonds
        .iter()
        .any(|&(x, y, _)| (x, y) == (a, b) || (x, y) == (b, a))
}

/// One term stays itself; several are joined by `join`.
fn collapse<P>(mut terms: Vec<Expr<P>>, join: fn(Vec<Expr<P>>) -> Expr<P>) -> Expr<P> {
    if terms.len() == 1 {
        terms.pop().expect("one term")
    } else {
        join(terms)
    }
}
