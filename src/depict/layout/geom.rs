//! Plane geometry for layout: a small 2D vector and the transforms layout needs.

use std::f64::consts::TAU;
use std::ops::{Add, AddAssign, Mul, Neg, Sub};

#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Vec2 {
    pub x: f64,
    pub y: f64,
}

impl Vec2 {
    pub const ZERO: Vec2 = Vec2 { x: 0.0, y: 0.0 };

    pub fn new(x: f64, y: f64) -> Vec2 {
        Vec2 { x, y }
    }

    /// The unit vector at `angle` radians from the +x axis.
    pub fn from_angle(angle: f64) -> Vec2 {
        Vec2::new(angle.cos(), angle.sin())
    }

    pub fn len(self) -> f64 {
        self.x.hypot(self.y)
    }

    pub fn len2(self) -> f64 {
        self.x * self.x + self.y * self.y
    }

    pub fn dot(self, o: Vec2) -> f64 {
        self.x * o.x + self.y * o.y
    }

    /// z component of the 3D cross product: > 0 when `o` is anticlockwise from `self`.
    pub fn cross(self, o: Vec2) -> f64 {
        self.x * o.y - self.y * o.x
    }

    pub fn angle(self) -> f64 {
        self.y.atan2(self.x)
    }

    /// Unit vector in the same direction, or +x for a (near) zero vector so callers never
    /// produce NaN coordinates.
    pub fn unit(self) -> Vec2 {
        let l = self.len();
        if l > 1e-12 {
            self * (1.0 / l)
        } else {
            Vec2::new(1.0, 0.0)
        }
    }

    pub fn rotate(self, angle: f64) -> Vec2 {
        let (s, c) = angle.sin_cos();
        Vec2::new(self.x * c - self.y * s, self.x * s + self.y * c)
    }

    /// Mirror image across the line through `a` and `b`.
    pub fn reflect(self, a: Vec2, b: Vec2) -> Vec2 {
        let axis = (b - a).unit();
        let v = self - a;
        a + axis * (2.0 * v.dot(axis)) - v
    }
}

impl Add for Vec2 {
    type Output = Vec2;
    fn add(self, o: Vec2) -> Vec2 {
        Vec2::new(self.x + o.x, self.y + o.y)
    }
}

impl AddAssign for Vec2 {
    fn add_assign(&mut self, o: Vec2) {
        self.x += o.x;
        self.y += o.y;
    }
}

impl Sub for Vec2 {
    type Output = Vec2;
    fn sub(self, o: Vec2) -> Vec2 {
        Vec2::new(self.x - o.x, self.y - o.y)
    }
}

impl Mul<f64> for Vec2 {
    type Output = Vec2;
    fn mul(self, k: f64) -> Vec2 {
        Vec2::new(self.x * k, self.y * k)
    }
}

impl Neg for Vec2 {
    type Output = Vec2;
    fn neg(self) -> Vec2 {
        Vec2::new(-self.x, -self.y)
    }
}

/// Angle normalised to [0, 2π).
pub fn norm_angle(a: f64) -> f64 {
    let t = a.rem_euclid(std::f64::consts::TAU);
    if t >= std::f64::consts::TAU { 0.0 } else { t }
}

/// Whether segments p1-p2 and q1-q2 cross at a point inside both (touching ends do not count).
pub fn segments_cross(p1: Vec2, p2: Vec2, q1: Vec2, q2: Vec2) -> bool {
    let r = p2 - p1;
    let s = q2 - q1;
    let o1 = r.cross(q1 - p1);
    let o2 = r.cross(q2 - p1);
    let o3 = s.cross(p1 - q1);
    let o4 = s.cross(p2 - q1);
    const EPS: f64 = 1e-9;
    if o1 * o2 < -EPS && o3 * o4 < -EPS {
        return true;
    }
    // Collinear overlap also reads as a crossing on paper.
    if o1.abs() <= 1e-6 && o2.abs() <= 1e-6 {
        let l2 = r.len2().max(1e-12);
        let t1 = (q1 - p1).dot(r) / l2;
        let t2 = (q2 - p1).dot(r) / l2;
        return t1.max(t2) > 1e-6 && t1.min(t2) < 1.0 - 1e-6;
    }
    false
}

/// Distance from `p` to the segment a-b.
pub fn point_segment_distance(p: Vec2, a: Vec2, b: Vec2) -> f64 {
    let ab = b - a;
    let t = ((p - a).dot(ab) / ab.len2().max(1e-12)).clamp(0.0, 1.0);
    (p - (a + ab * t)).len()
}

/// An end of one segment this close to the other segment reads as touching it.
pub const TOUCH: f64 = 0.05;

/// Whether segments p1-p2 and q1-q2 (sharing no end) cross, or an end of one lies on the other
/// (within `TOUCH`): a T-junction looks like a crossing on paper, and rounding the coordinates
/// can turn it into one.
pub fn segments_meet(p1: Vec2, p2: Vec2, q1: Vec2, q2: Vec2) -> bool {
    // Bounding boxes (grown by TOUCH) apart: the common case, decided cheaply.
    if p1.x.max(p2.x) + TOUCH < q1.x.min(q2.x)
        || q1.x.max(q2.x) + TOUCH < p1.x.min(p2.x)
        || p1.y.max(p2.y) + TOUCH < q1.y.min(q2.y)
        || q1.y.max(q2.y) + TOUCH < p1.y.min(p2.y)
    {
        return false;
    }
    segments_cross(p1, p2, q1, q2)
        || point_segment_distance(p1, q1, q2) < TOUCH
        || point_segment_distance(p2, q1, q2) < TOUCH
        || point_segment_distance(q1, p1, p2) < TOUCH
        || point_segment_distance(q2, p1, p2) < TOUCH
}

/// `k` unit directions spread evenly through the widest gap between `dirs` (all directions
/// from one atom); with no neighbours, evenly around the full circle.
pub fn gap_slots(dirs: &[Vec2], k: usize) -> Vec<Vec2> {
    if dirs.is_empty() {
        return (0..k)
            .map(|i| Vec2::from_angle(TAU * i as f64 / k as f64))
            .collect();
    }
    let mut angles: Vec<f64> = dirs.iter().map(|d| norm_angle(d.angle())).collect();
    angles.sort_by(|x, y| x.partial_cmp(y).unwrap_or(std::cmp::Ordering::Equal));
    let mut best = (0.0, -1.0);
    for i in 0..angles.len() {
        let next = if i + 1 < angles.len() {
            angles[i + 1]
        } else {
            angles[0] + TAU
        };
        let gap = next - angles[i];
        if gap > best.1 + 1e-9 {
            best = (angles[i], gap);
        }
    }
    let (start, gap) = best;
    (0..k)
        .map(|i| Vec2::from_angle(start + gap * (i + 1) as f64 / (k + 1) as f64))
        .collect()
}

/// Like `gap_slots`, but the gap must not be the inside of a ring: `inside(d)` says whether the
/// unit direction `d` from the atom points into one of its rings. Matters when gaps tie, e.g.
/// at the fusion atom of two hexagons all three gaps are 120° and only one is outside.
pub fn gap_slots_outside(dirs: &[Vec2], k: usize, inside: &dyn Fn(Vec2) -> bool) -> Vec<Vec2> {
    if dirs.len() < 2 {
        return gap_slots(dirs, k);
    }
    let mut angles: Vec<f64> = dirs.iter().map(|d| norm_angle(d.angle())).collect();
    angles.sort_by(|x, y| x.partial_cmp(y).unwrap_or(std::cmp::Ordering::Equal));
    let mut gaps: Vec<(f64, f64)> = (0..angles.len())
        .map(|i| {
            let next = if i + 1 < angles.len() {
                angles[i + 1]
            } else {
                angles[0] + TAU
            };
            (angles[i], next - angles[i])
        })
        .collect();
    // Widest first; equal widths keep angular order so the choice is deterministic.
    gaps.sort_by(|x, y| y.1.partial_cmp(&x.1).unwrap_or(std::cmp::Ordering::Equal));
    let (start, gap) = gaps
        .iter()
        .copied()
        .find(|&(s, g)| !inside(Vec2::from_angle(s + g / 2.0)))
        .unwrap_or(gaps[0]);
    (0..k)
        .map(|i| Vec2::from_angle(start + gap * (i + 1) as f64 / (k + 1) as f64))
        .collect()
}

/// Whether `p` lies inside the polygon with vertices `poly` (even-odd rule).
pub fn point_in_polygon(p: Vec2, poly: &[Vec2]) -> bool {
    let mut inside = false;
    let mut j = poly.len().wrapping_sub(1);
    for i in 0..poly.len() {
        let (a, b) = (poly[i], poly[j]);
        if (a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x {
            inside = !inside;
        }
        j = i;
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reflection_and_crossing() {
        let p = Vec2::new(1.0, 1.0).reflect(Vec2::ZERO, Vec2::new(1.0, 0.0));
        assert!((p - Vec2::new(1.0, -1.0)).len() < 1e-12);
        let (a, b) = (Vec2::new(0.0, 0.0), Vec2::new(1.0, 1.0));
        assert!(segments_cross(
            a,
            b,
            Vec2::new(0.0, 1.0),
            Vec2::new(1.0, 0.0)
        ));
        assert!(!segments_cross(
            a,
            b,
            Vec2::new(1.0, 1.0),
            Vec2::new(2.0, 0.0)
        ));
    }
}
