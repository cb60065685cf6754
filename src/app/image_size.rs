//! How large an exported picture is: a multiple of the screen scale, or a physical width at
//! 300 dpi for slides and print. Either way the image is cropped to the drawing plus a margin.

use crate::depict::scene::Scene;

/// Pixels per bond length at 1×, and the margin around the drawing at 1×.
const BASE_PX_PER_BOND: f64 = 40.0;
const BASE_MARGIN: f64 = 10.0;
/// Print resolution, and the margin at that resolution (2 mm).
pub const PRINT_DPI: f64 = 300.0;
const PRINT_MARGIN_MM: f64 = 2.0;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ImageSize {
    /// 1×, 2×, 4× the base scale.
    Scale(u8),
    /// This many centimetres wide at `PRINT_DPI`, with the resolution written into the PNG.
    Print { width_cm: f32 },
}

impl Default for ImageSize {
    fn default() -> Self {
        ImageSize::Scale(2)
    }
}

impl ImageSize {
    /// A short name for the file-saved notice.
    pub fn describe(&self) -> String {
        match self {
            ImageSize::Scale(k) => format!("{k}×"),
            ImageSize::Print { width_cm } => format!("{width_cm} cm at {PRINT_DPI:.0} dpi"),
        }
    }

    /// The resolution to record in the PNG, for print sizes.
    pub fn dpi(&self) -> Option<f64> {
        match self {
            ImageSize::Scale(_) => None,
            ImageSize::Print { .. } => Some(PRINT_DPI),
        }
    }

    /// `scene` (in bond lengths) scaled and cropped to this size.
    pub fn apply(&self, mut scene: Scene) -> Scene {
        match *self {
            ImageSize::Scale(k) => {
                let k = f64::from(k.max(1));
                scene.crop(BASE_PX_PER_BOND * k, BASE_MARGIN * k);
            }
            ImageSize::Print { width_cm } => {
                let px = (f64::from(width_cm).max(0.5) / 2.54 * PRINT_DPI).round();
                let margin = PRINT_MARGIN_MM / 25.4 * PRINT_DPI;
                let (lo, hi) = scene.bounds();
                let w = (hi.x - lo.x).max(1e-6);
                scene.crop((px - 2.0 * margin) / w, margin);
            }
        }
        scene
    }

    /// PNG bytes of `scene` at this size.
    pub fn png(&self, scene: Scene) -> anyhow::Result<Vec<u8>> {
        let scene = self.apply(scene);
        match self.dpi() {
            Some(dpi) => crate::depict::png::to_png_at_dpi(&scene, dpi),
            None => crate::depict::png::to_png(&scene),
        }
    }

    /// `scene` at this size as an image for the clipboard.
    pub fn color_image(&self, scene: Scene) -> anyhow::Result<egui::ColorImage> {
        let pixmap = crate::depict::png::to_pixmap(&self.apply(scene))?;
        let size = [pixmap.width() as usize, pixmap.height() as usize];
        Ok(egui::ColorImage::from_rgba_premultiplied(
            size,
            pixmap.data(),
        ))
    }

    /// SVG text of `scene` at this size (print sizes give the physical width too).
    pub fn svg(&self, scene: Scene) -> String {
        let scene = self.apply(scene);
        let svg = crate::depict::svg::to_svg(&scene);
        match self {
            ImageSize::Scale(_) => svg,
            ImageSize::Print { .. } => {
                // Physical size for programs that honour it; the viewBox keeps the geometry.
                let (w, h) = (scene.width, scene.height);
                let mm = |px: f64| px / PRINT_DPI * 25.4;
                svg.replacen(
                    &format!(r#"width="{w:.0}" height="{h:.0}""#),
                    &format!(r#"width="{:.1}mm" height="{:.1}mm""#, mm(w), mm(h)),
                    1,
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::depict::{Style, molecule_scene};

    fn aspirin() -> Scene {
        let m = crate::chem::smiles::parse_molecule("CC(=O)Oc1ccccc1C(=O)O").unwrap();
        molecule_scene(&m, &Style::default())
    }

    #[test]
    fn scales_double_the_drawing_and_its_margin() {
        let (lo, hi) = aspirin().bounds();
        let one = ImageSize::Scale(1).apply(aspirin());
        let two = ImageSize::Scale(2).apply(aspirin());
        assert!((one.width - ((hi.x - lo.x) * 40.0 + 20.0)).abs() < 1e-9);
        assert!((two.width - 2.0 * one.width).abs() < 1e-9);
        assert!((two.height - 2.0 * one.height).abs() < 1e-9);
    }

    #[test]
    fn print_size_is_the_physical_width_at_300_dpi() {
        let s = ImageSize::Print { width_cm: 8.0 }.apply(aspirin());
        assert!((s.width - (8.0 / 2.54 * 300.0f64).round()).abs() < 1e-6);
        let svg = ImageSize::Print { width_cm: 8.0 }.svg(aspirin());
        assert!(svg.contains(r#"width="80.0mm""#), "{}", &svg[..160]);
    }
}
