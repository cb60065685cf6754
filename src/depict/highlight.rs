//! Marks behind a drawing that pick out some atoms and bonds (a substructure match): a pale disc
//! behind each atom and a broad pale band along each bond, as plain scene primitives so the app,
//! the SVG and the PNG draw them the same way.

use super::layout::Vec2;
use super::scene::{Color, Item, LineCap, Scene};

/// The atoms to mark (indices into the drawing's atom positions) and the bonds, each as the two
/// atoms it joins.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Highlight {
    pub atoms: Vec<usize>,
    pub bonds: Vec<(usize, usize)>,
}

/// A pale amber: dark ink and coloured heteroatom labels stay readable on it.
pub const HIGHLIGHT_COLOR: Color = Color(0xff, 0xd9, 0x8a);

/// Disc radius and band width in bond lengths (the scene's unit before fitting).
const DISC_RADIUS: f64 = 0.32;
const BAND_WIDTH: f64 = 0.42;

impl Highlight {
    pub fn is_empty(&self) -> bool {
        self.atoms.is_empty()
    }

    /// The marks for atoms at `positions` (scene coordinates, indexed as `atoms`); indices past
    /// the end are skipped, so a highlight never panics on a drawing it does not fit.
    pub fn items(&self, positions: &[Vec2]) -> Vec<Item> {
        let at = |i: usize| positions.get(i).copied();
        let bands = self.bonds.iter().filter_map(|&(a, b)| {
            Some(Item::Line {
                from: at(a)?,
                to: at(b)?,
                width: BAND_WIDTH,
                color: HIGHLIGHT_COLOR,
                cap: LineCap::Round,
            })
        });
        let discs = self.atoms.iter().filter_map(|&a| {
            Some(Item::Circle {
                at: at(a)?,
                radius: DISC_RADIUS,
                color: HIGHLIGHT_COLOR,
            })
        });
        bands.chain(discs).collect()
    }

    /// `scene` with the marks drawn first, underneath everything else.
    pub fn under(&self, scene: &Scene, positions: &[Vec2]) -> Scene {
        let mut items = self.items(positions);
        items.extend(scene.items.iter().cloned());
        Scene {
            width: scene.width,
            height: scene.height,
            items,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_go_under_the_drawing_and_skip_atoms_it_does_not_have() {
        let positions = [Vec2::new(0.0, 0.0), Vec2::new(1.0, 0.0)];
        let h = Highlight {
            atoms: vec![0, 1, 7],
            bonds: vec![(0, 1), (1, 7)],
        };
        let items = h.items(&positions);
        assert_eq!(items.len(), 3, "one band and two discs: {items:?}");
        let scene = Scene {
            width: 1.0,
            height: 1.0,
            items: vec![Item::Circle {
                at: Vec2::new(0.5, 0.5),
                radius: 0.1,
                color: Color::BLACK,
            }],
        };
        let under = h.under(&scene, &positions);
        assert_eq!(under.items.len(), 4);
        assert_eq!(under.items.last(), scene.items.last());
        assert!(matches!(under.items[0], Item::Line { color, .. } if color == HIGHLIGHT_COLOR));
    }
}
