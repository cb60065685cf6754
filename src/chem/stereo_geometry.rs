//! Tetrahedral configurations as a 2D drawing shows them: the neighbours' positions in the plane
//! and which bonds are wedged (towards the viewer) or hashed (away from it). The depiction uses
//! it to pick wedge or hash for a centre; readers of drawn structures use it to get the centre
//! back. Readers of 3D structures (MOL files with depth) read the same configurations from the
//! positions themselves.

use super::mol::{AtomIdx, AtomStereo, Molecule, StereoClass, StereoNeighbor};

/// Signed volume of `neighbors` of `centre` drawn at y-up 2D positions `pos`, each real
/// neighbour raised by `lift` (+ towards the viewer for a wedge, - for a hash, 0 in the plane).
/// Negative means anticlockwise seen from the first neighbour (SMILES `@`), positive clockwise
/// (`@@`); near zero, the drawing does not say.
pub fn drawn_volume(
    mol: &Molecule,
    centre: AtomIdx,
    neighbors: &[StereoNeighbor],
    pos: &[[f64; 2]],
    lift: impl Fn(AtomIdx) -> f64,
) -> f64 {
    let here = pos[centre.index()];
    let unit = |p: [f64; 2]| {
        let (x, y) = (p[0] - here[0], p[1] - here[1]);
        let len = x.hypot(y);
        if len > 0.0 {
            [x / len, y / len]
        } else {
            [0.0, 0.0]
        }
    };
    let real: Vec<AtomIdx> = mol.neighbors(centre).iter().map(|&(x, _)| x).collect();
    // Where the drawn bonds leave room: the gap two bonds leave, or opposite three.
    let opposite = real.iter().fold([0.0, 0.0], |s, &x| {
        let u = unit(pos[x.index()]);
        [s[0] - u[0], s[1] - u[1]]
    });
    let volume_with = |hidden: [f64; 3]| {
        let v: Vec<[f64; 3]> = neighbors
            .iter()
            .map(|nb| match nb {
                StereoNeighbor::Atom(x) => {
                    let u = unit(pos[x.index()]);
                    [u[0], u[1], lift(*x)]
                }
                StereoNeighbor::Implicit => hidden,
            })
            .collect();
        signed_volume(&v)
    };
    if real.len() < 3 {
        // Two drawn bonds: the hidden neighbour lies in the gap they leave.
        return volume_with([opposite[0], opposite[1], 0.0]);
    }
    // With three drawn bonds the hidden H (or lone pair) is read at the centre, as MDL
    // drawings are read; where that leaves the volume flat (two of the bonds in a line
    // through the centre) it is read in the plane opposite the bonds (RDKit's reading of a
    // wedge on the third bond), and failing that out of the paper, away from the lifted bonds.
    let v = volume_with([0.0; 3]);
    if v.abs() > UNDECIDED {
        return v;
    }
    let v = volume_with([opposite[0], opposite[1], 0.0]);
    if v.abs() > UNDECIDED {
        return v;
    }
    let lifted: f64 = real.iter().map(|&x| lift(x)).sum();
    volume_with([0.0, 0.0, -lifted])
}

/// The signed volume of four points, or of three vectors from the origin.
fn signed_volume(v: &[[f64; 3]]) -> f64 {
    if v.len() < 3 {
        return 0.0;
    }
    let origin = if v.len() > 3 { v[0] } else { [0.0; 3] };
    let d = |i: usize| {
        [
            v[i][0] - origin[0],
            v[i][1] - origin[1],
            v[i][2] - origin[2],
        ]
    };
    let (a, b, c) = if v.len() > 3 {
        (d(1), d(2), d(3))
    } else {
        (d(0), d(1), d(2))
    };
    a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0])
        + a[2] * (b[0] * c[1] - b[1] * c[0])
}

// Unit bond vectors and unit lifts: a clear drawing gives a volume near 1, a T-shaped or
// straight one a few hundredths at most.
const UNDECIDED: f64 = 1e-2;

/// Whether the drawing shows `neighbors` clockwise seen from the first (`@@`), or `None` where
/// it does not decide (nothing lifted, or the bonds drawn in a line).
pub fn drawn_clockwise(
    mol: &Molecule,
    centre: AtomIdx,
    neighbors: &[StereoNeighbor],
    pos: &[[f64; 2]],
    lift: impl Fn(AtomIdx) -> f64,
) -> Option<bool> {
    let v = drawn_volume(mol, centre, neighbors, pos, lift);
    (v.abs() > UNDECIDED).then_some(v > 0.0)
}

/// Why a wedged atom takes no configuration from its drawing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Undrawn {
    /// Not four neighbours, three and a hydrogen, or three around a lone pair.
    NotACentre,
    /// The drawing does not decide (bonds in a line, nothing lifted).
    Flat,
}

/// The configuration a drawing gives the unmarked atom `c`: its neighbours as
/// [`possible_centre`] orders them, and their sense at `pos` with the bonds lifted by `lift`.
pub fn drawn_centre(
    mol: &Molecule,
    c: AtomIdx,
    pos: &[[f64; 2]],
    lift: impl Fn(AtomIdx) -> f64,
) -> Result<AtomStereo, Undrawn> {
    let neighbors = possible_centre(mol, c).ok_or(Undrawn::NotACentre)?;
    let clockwise = drawn_clockwise(mol, c, &neighbors, pos, lift).ok_or(Undrawn::Flat)?;
    Ok(AtomStereo {
        class: StereoClass::Tetrahedral { clockwise },
        neighbors,
    })
}

/// The height of each neighbour from a centre's list of lifted bonds (neighbour, +1 wedge or
/// -1 hash); a neighbour not listed lies in the plane.
pub fn lift_of(lifted: &[(AtomIdx, f64)]) -> impl Fn(AtomIdx) -> f64 + '_ {
    move |x| lifted.iter().filter(|l| l.0 == x).map(|l| l.1).sum()
}

/// Whether `neighbors` of `centre` at 3D positions `pos` are clockwise seen from the first
/// (`@@`), or `None` where they are (nearly) flat. A hidden neighbour (implicit H, lone pair)
/// is taken opposite the others.
pub fn spatial_clockwise(
    centre: AtomIdx,
    neighbors: &[StereoNeighbor],
    pos: &[[f64; 3]],
) -> Option<bool> {
    let here = pos[centre.index()];
    let unit = |p: [f64; 3]| {
        let d = [p[0] - here[0], p[1] - here[1], p[2] - here[2]];
        let len = (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).sqrt();
        if len > 0.0 {
            [d[0] / len, d[1] / len, d[2] / len]
        } else {
            [0.0; 3]
        }
    };
    let real: Vec<[f64; 3]> = neighbors
        .iter()
        .filter_map(|n| n.atom().map(|x| unit(pos[x.index()])))
        .collect();
    let opposite = real
        .iter()
        .fold([0.0; 3], |s, u| [s[0] - u[0], s[1] - u[1], s[2] - u[2]]);
    let v: Vec<[f64; 3]> = neighbors
        .iter()
        .map(|n| n.atom().map_or(opposite, |x| unit(pos[x.index()])))
        .collect();
    let volume = signed_volume(&v);
    (volume.abs() > UNDECIDED).then_some(volume > 0.0)
}

/// Whether `x_ref` (a neighbour of `x`) and `y_ref` (of `y`) lie on the same side of the bond
/// `x`-`y` at positions `pos` (z 0 for a drawing), or `None` where one of them lies (nearly)
/// on the bond's line.
pub fn same_side(
    x: AtomIdx,
    y: AtomIdx,
    x_ref: AtomIdx,
    y_ref: AtomIdx,
    pos: &[[f64; 3]],
) -> Option<bool> {
    let sub = |a: [f64; 3], b: [f64; 3]| [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
    let dot = |a: [f64; 3], b: [f64; 3]| a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    let axis = sub(pos[y.index()], pos[x.index()]);
    let axis_len = dot(axis, axis).sqrt();
    if axis_len == 0.0 {
        return None;
    }
    let axis = [axis[0] / axis_len, axis[1] / axis_len, axis[2] / axis_len];
    // Each reference's offset across the bond, as a unit vector.
    let across = |r: AtomIdx, end: AtomIdx| {
        let d = sub(pos[r.index()], pos[end.index()]);
        let along = dot(d, axis);
        let p = [
            d[0] - along * axis[0],
            d[1] - along * axis[1],
            d[2] - along * axis[2],
        ];
        let len = dot(p, p).sqrt();
        let total = dot(d, d).sqrt();
        (total > 0.0 && len / total > 0.05).then(|| [p[0] / len, p[1] / len, p[2] / len])
    };
    let c = dot(across(x_ref, x)?, across(y_ref, y)?);
    (c.abs() > 0.1).then_some(c > 0.0)
}

/// The neighbours of `a` in the order a configuration read from a drawing refers to, when it
/// could be a tetrahedral centre: four neighbours, three and one hydrogen, or three around a
/// sulfur, selenium, phosphorus or arsenic lone pair.
pub fn possible_centre(mol: &Molecule, a: AtomIdx) -> Option<Vec<StereoNeighbor>> {
    let atom = mol.atom(a);
    let degree = mol.degree(a);
    // P, S, As, Se.
    let lone_pair = matches!(atom.element.atomic_number(), 15 | 16 | 33 | 34);
    let mut neighbors: Vec<StereoNeighbor> = mol
        .neighbors(a)
        .into_iter()
        .map(|(x, _)| StereoNeighbor::Atom(x))
        .collect();
    match (degree, atom.hydrogens) {
        (4, 0) => {}
        (3, 1) => neighbors.push(StereoNeighbor::Implicit),
        (3, 0) if lone_pair => neighbors.push(StereoNeighbor::Implicit),
        _ => return None,
    }
    Some(neighbors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chem::smiles::parse_molecule;

    /// Two bonds drawn in a line through the centre and the wedge on the third: the hidden
    /// hydrogen is read in the plane, opposite the bonds, as RDKit reads such a MOL block.
    #[test]
    fn a_straight_pair_of_bonds_puts_the_hidden_hydrogen_opposite_the_third() {
        let mol = parse_molecule("NC(C)C").unwrap();
        let angle = 107f64.to_radians();
        let pos = [
            [1.0, 0.0],
            [0.0, 0.0],
            [angle.cos(), angle.sin()],
            [-1.0, 0.0],
        ];
        let order = [
            StereoNeighbor::Atom(AtomIdx::new(0)),
            StereoNeighbor::Implicit,
            StereoNeighbor::Atom(AtomIdx::new(2)),
            StereoNeighbor::Atom(AtomIdx::new(3)),
        ];
        let up = |x: AtomIdx| if x.index() == 2 { 1.0 } else { 0.0 };
        assert_eq!(
            drawn_clockwise(&mol, AtomIdx::new(1), &order, &pos, up),
            Some(true)
        );
    }

    #[test]
    fn a_flat_drawing_decides_nothing_and_a_wedge_decides_the_sense() {
        // C[C@H](O)F drawn as RDKit lays it out.
        let mol = parse_molecule("CC(O)F").unwrap();
        let pos = [[-1.3, -0.75], [0.0, 0.0], [1.3, -0.75], [0.0, 1.5]];
        let centre = AtomIdx::new(1);
        let order = [
            StereoNeighbor::Atom(AtomIdx::new(0)),
            StereoNeighbor::Implicit,
            StereoNeighbor::Atom(AtomIdx::new(2)),
            StereoNeighbor::Atom(AtomIdx::new(3)),
        ];
        let up = |x: AtomIdx| if x.index() == 0 { 1.0 } else { 0.0 };
        assert_eq!(drawn_clockwise(&mol, centre, &order, &pos, |_| 0.0), None);
        assert_eq!(drawn_clockwise(&mol, centre, &order, &pos, up), Some(false));
        assert_eq!(
            drawn_clockwise(&mol, centre, &order, &pos, |x| -up(x)),
            Some(true)
        );
    }
}
