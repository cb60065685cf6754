//! What a SMARTS pattern says about atoms and bonds: primitives combined by logical expressions.

/// A logical combination of primitives. SMARTS operators from tightest to loosest binding:
/// `!` (not), `&` or juxtaposition (and), `,` (or), `;` (and).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr<P> {
    Primitive(P),
    Not(Box<Expr<P>>),
    And(Vec<Expr<P>>),
    Or(Vec<Expr<P>>),
}

impl<P> Expr<P> {
    /// Whether the expression holds, given a test for each primitive.
    pub fn eval(&self, test: &mut impl FnMut(&P) -> bool) -> bool {
        match self {
            Expr::Primitive(p) => test(p),
            Expr::Not(e) => !e.eval(test),
            Expr::And(es) => es.iter().all(|e| e.eval(test)),
            Expr::Or(es) => es.iter().any(|e| e.eval(test)),
        }
    }
}

/// One atom primitive. Counts left out in the pattern take their SMARTS defaults when parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AtomPrimitive {
    /// `*`
    Any,
    /// `a`
    Aromatic,
    /// `A`
    Aliphatic,
    /// `#n`: the element, aromatic or not.
    AtomicNumber(u8),
    /// An element symbol: `C` is aliphatic carbon, `c` aromatic carbon.
    Element { atomic_number: u8, aromatic: bool },
    /// A leading mass number, `[13C]`.
    Isotope(u16),
    /// `+n` / `-n`.
    Charge(i8),
    /// `Hn`: total hydrogens, graph atoms included.
    TotalHydrogens(Count),
    /// `hn`: hydrogens that are not graph atoms; `h` alone: at least one.
    ImplicitHydrogens(Count),
    /// `Dn`: explicit connections.
    Degree(Count),
    /// `Xn`: connections including all hydrogens.
    TotalDegree(Count),
    /// `vn`: bond-order sum including hydrogens.
    Valence(Count),
    /// `Rn`: number of rings (of the ring set) through the atom; `R` alone: in a ring.
    RingCount(Count),
    /// `rn`: size of the smallest ring through the atom (0 outside rings); `r` alone: in a ring.
    SmallestRing(Count),
    /// `xn`: ring bonds at the atom; `x` alone: at least one.
    RingConnectivity(Count),
    /// `zn` (RDKit): neighbours that are neither carbon nor hydrogen; `z` alone: at least one.
    HeteroNeighbours(Count),
    /// `Zn` (RDKit): aliphatic such neighbours; `Z` alone: at least one.
    AliphaticHeteroNeighbours(Count),
    /// `@`, `@@`...: chirality, which matching without stereo ignores.
    Chirality,
    /// `$(...)`: the atom is the first atom of a match of another pattern (an index into the
    /// pattern's list of recursive patterns).
    Recursive(usize),
}

/// The values a numeric primitive accepts, both ends included: `D2` is 2..=2, `h` alone
/// 1..=MAX, RDKit's range `D{2-4}` is 2..=4, `D{-3}` 0..=3 and `D{2-}` 2..=MAX.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Count {
    pub min: u32,
    pub max: u32,
}

impl Count {
    pub fn exactly(n: u32) -> Count {
        Count { min: n, max: n }
    }

    pub fn at_least(n: u32) -> Count {
        Count {
            min: n,
            max: u32::MAX,
        }
    }

    pub fn contains(self, n: u32) -> bool {
        (self.min..=self.max).contains(&n)
    }
}

/// One bond primitive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BondPrimitive {
    /// No bond symbol: single or aromatic.
    SingleOrAromatic,
    /// `-` (and the directional `/` `\`, whose direction matching without stereo ignores).
    Single,
    /// `=`
    Double,
    /// `#`
    Triple,
    /// `$`
    Quadruple,
    /// `:`
    Aromatic,
    /// `~`
    Any,
    /// `@`: in a ring.
    Ring,
}

pub type AtomExpr = Expr<AtomPrimitive>;
pub type BondExpr = Expr<BondPrimitive>;

/// One connected or disconnected query graph: atoms in the order written and bonds between them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueryGraph {
    pub atoms: Vec<AtomExpr>,
    /// `(first atom, second atom, bond)`.
    pub bonds: Vec<(usize, usize, BondExpr)>,
}

/// The atomic number every atom matching `e` has, when the expression fixes one (`C`, `[#7;R]`,
/// `[c,C]`); `None` when atoms of several elements, or any, can match.
pub(crate) fn required_atomic_number(e: &AtomExpr) -> Option<u8> {
    match e {
        Expr::Primitive(AtomPrimitive::AtomicNumber(n)) => Some(*n),
        Expr::Primitive(AtomPrimitive::Element { atomic_number, .. }) => Some(*atomic_number),
        Expr::Primitive(_) | Expr::Not(_) => None,
        Expr::And(es) => es.iter().find_map(required_atomic_number),
        Expr::Or(es) => {
            let first = required_atomic_number(es.first()?)?;
            es[1..]
                .iter()
                .all(|e| required_atomic_number(e) == Some(first))
                .then_some(first)
        }
    }
}
