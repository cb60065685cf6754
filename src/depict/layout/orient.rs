//! Final placement of components: each turned so its long axis is horizontal, then all set side
//! by side, left to right in input order.

use super::geom::Vec2;

/// Horizontal space between neighbouring components, in bond lengths.
const COMPONENT_GAP: f64 = 1.5;

/// Rotates the atoms `comp` about their centroid so the principal (long) axis lies along x.
pub fn orient(comp: &[usize], pos: &mut [Vec2]) {
    if comp.len() < 2 {
        return;
    }
    let n = comp.len() as f64;
    let c = comp.iter().fold(Vec2::ZERO, |s, &a| s + pos[a]) * (1.0 / n);
    let (mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0);
    for &a in comp {
        let d = pos[a] - c;
        sxx += d.x * d.x;
        syy += d.y * d.y;
        sxy += d.x * d.y;
    }
    let theta = 0.5 * (2.0 * sxy).atan2(sxx - syy);
    for &a in comp {
        pos[a] = (pos[a] - c).rotate(-theta);
    }
}

/// Translates components so they sit in a row, vertically centred on y = 0.
pub fn pack(comps: &[Vec<usize>], pos: &mut [Vec2]) {
    let mut cursor = 0.0;
    for (i, comp) in comps.iter().enumerate() {
        let (lo, hi) = bounds(comp, pos);
        let shift = Vec2::new(
            if i == 0 { -lo.x } else { cursor - lo.x },
            -(lo.y + hi.y) / 2.0,
        );
        for &a in comp {
            pos[a] += shift;
        }
        cursor = hi.x + shift.x + COMPONENT_GAP;
    }
}

/// Lower-left and upper-right corners of the atoms' bounding box.
pub fn bounds(atoms: &[usize], pos: &[Vec2]) -> (Vec2, Vec2) {
    let mut lo = Vec2::new(f64::INFINITY, f64::INFINITY);
    let mut hi = Vec2::new(f64::NEG_INFINITY, f64::NEG_INFINITY);
    for &a in atoms {
        lo = Vec2::new(lo.x.min(pos[a].x), lo.y.min(pos[a].y));
        hi = Vec2::new(hi.x.max(pos[a].x), hi.y.max(pos[a].y));
    }
    (lo, hi)
}
