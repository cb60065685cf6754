//! PNG backend: the SVG rendered by resvg/tiny-skia with the DejaVu Sans face shipped in
//! assets/fonts, so every machine produces the same pixels (no system fonts are consulted).

use std::sync::Arc;

use anyhow::Context;
use resvg::{tiny_skia, usvg};

use super::scene::Scene;
use super::svg::to_svg;

static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

pub fn to_png(scene: &Scene) -> anyhow::Result<Vec<u8>> {
    to_pixmap(scene)?.encode_png().context("encoding PNG")
}

/// The scene rendered to pixels (premultiplied RGBA), for clipboards and textures.
pub fn to_pixmap(scene: &Scene) -> anyhow::Result<tiny_skia::Pixmap> {
    let svg = to_svg(scene);
    let mut db = usvg::fontdb::Database::new();
    db.load_font_data(FONT.to_vec());
    let opt = usvg::Options {
        font_family: "DejaVu Sans".into(),
        fontdb: Arc::new(db),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(&svg, &opt).context("rendering the drawing")?;
    let size = tree.size().to_int_size();
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height())
        .context("drawing size must be at least one pixel")?;
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    Ok(pixmap)
}

/// `to_png` with its resolution recorded (a pHYs chunk), so slide and word-processor programs
/// place it at its physical size instead of assuming 72 or 96 dpi.
pub fn to_png_at_dpi(scene: &Scene, dpi: f64) -> anyhow::Result<Vec<u8>> {
    with_dpi(&to_png(scene)?, dpi)
}

/// Inserts a pHYs chunk (pixels per metre) right after IHDR, where the PNG specification wants it.
pub fn with_dpi(png: &[u8], dpi: f64) -> anyhow::Result<Vec<u8>> {
    // Signature (8 bytes), then IHDR: length (4), type (4), 13 data bytes, CRC (4).
    const IHDR_END: usize = 8 + 4 + 4 + 13 + 4;
    anyhow::ensure!(
        png.len() > IHDR_END && &png[12..16] == b"IHDR",
        "not a PNG starting with IHDR"
    );
    anyhow::ensure!(dpi > 0.0 && dpi.is_finite(), "resolution must be positive");
    let per_metre = (dpi / 0.0254).round() as u32;
    let mut chunk = Vec::with_capacity(21);
    chunk.extend_from_slice(&9u32.to_be_bytes());
    chunk.extend_from_slice(b"pHYs");
    chunk.extend_from_slice(&per_metre.to_be_bytes());
    chunk.extend_from_slice(&per_metre.to_be_bytes());
    chunk.push(1); // unit: metre
    let crc = crc32(&chunk[4..]);
    chunk.extend_from_slice(&crc.to_be_bytes());
    let mut out = Vec::with_capacity(png.len() + chunk.len());
    out.extend_from_slice(&png[..IHDR_END]);
    out.extend_from_slice(&chunk);
    out.extend_from_slice(&png[IHDR_END..]);
    Ok(out)
}

/// The PNG's recorded resolution in dots per inch, when it has a pHYs chunk in metres.
pub fn dpi_of(png: &[u8]) -> Option<f64> {
    let mut at = 8;
    while at + 8 <= png.len() {
        let len = u32::from_be_bytes(png[at..at + 4].try_into().ok()?) as usize;
        let kind = &png[at + 4..at + 8];
        let data = png.get(at + 8..at + 8 + len)?;
        if kind == b"pHYs" && len == 9 && data[8] == 1 {
            let x = u32::from_be_bytes(data[..4].try_into().ok()?);
            return Some(x as f64 * 0.0254);
        }
        at += 12 + len;
    }
    None
}

/// Width and height from the IHDR chunk.
pub fn size_of(png: &[u8]) -> Option<(u32, u32)> {
    if png.get(12..16)? != b"IHDR" {
        return None;
    }
    let w = u32::from_be_bytes(png.get(16..20)?.try_into().ok()?);
    let h = u32::from_be_bytes(png.get(20..24)?.try_into().ok()?);
    Some((w, h))
}

/// CRC-32 (ISO-HDLC, the PNG chunk checksum), bitwise: only a few bytes per file go through it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut c = 0xffff_ffffu32;
    for &b in bytes {
        c ^= b as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xedb8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
    }
    !c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::depict::{Style, molecule_scene};

    #[test]
    fn crc_matches_the_png_specifications_iend() {
        // Every PNG ends with IEND and this CRC.
        assert_eq!(crc32(b"IEND"), 0xae42_6082);
    }

    #[test]
    fn a_300_dpi_png_records_it_and_keeps_its_size() {
        let m = crate::chem::smiles::parse_molecule("CCO").unwrap();
        let mut scene = molecule_scene(&m, &Style::default());
        scene.crop(40.0, 10.0);
        let png = to_png_at_dpi(&scene, 300.0).unwrap();
        assert!((dpi_of(&png).unwrap() - 300.0).abs() < 0.05);
        assert_eq!(size_of(&png), size_of(&to_png(&scene).unwrap()));
        assert_eq!(dpi_of(&to_png(&scene).unwrap()), None);
        // resvg reads it back: the chunk is well formed.
        let decoded = tiny_skia::Pixmap::decode_png(&png).unwrap();
        assert_eq!((decoded.width(), decoded.height()), size_of(&png).unwrap());
    }
}
