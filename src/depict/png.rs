//! PNG backend: the SVG rendered by resvg/tiny-skia with the DejaVu Sans face shipped in
//! assets/fonts, so every machine produces the same pixels (no system fonts are consulted).

use std::sync::Arc;

use anyhow::Context;
use resvg::{tiny_skia, usvg};

use super::scene::Scene;
use super::svg::to_svg;

static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

pub fn to_png(scene: &Scene) -> anyhow::Result<Vec<u8>> {
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
    pixmap.encode_png().context("encoding PNG")
}
