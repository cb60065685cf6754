//! Image snapshots of the app rendered with wgpu (Mesa lavapipe in CI), compared with the PNGs
//! in tests/app/snapshots/ in the manner of egui_kittest's snapshot support: a changed image
//! fails the test and leaves `NAME.new.png` and `NAME.diff.png` beside the reference;
//! `UPDATE_SNAPSHOTS=1` accepts the new images.
//!
//! Without a wgpu adapter the snapshot tests print why and pass, unless TEXTCHEM_REQUIRE_GPU is
//! set (CI sets it and pins `WGPU_BACKEND=vulkan`), which makes a missing adapter a failure.

use std::path::{Path, PathBuf};

use egui_kittest::Harness;
use resvg::tiny_skia::{IntSize, Pixmap};
use textchem::app::App;

/// A channel may differ by this much before a pixel counts as changed (anti-aliasing noise
/// between Mesa versions).
const CHANNEL_TOLERANCE: u8 = 24;
/// Changed pixels allowed, as a share of the image.
const MAX_CHANGED: f64 = 0.002;

/// Whether a wgpu adapter opens; `None` means skip (and say why).
pub fn adapter_or_skip(test: &str) -> bool {
    match textchem::gpu::GpuContext::open(true) {
        Ok(_) => true,
        Err(e) if std::env::var_os("TEXTCHEM_REQUIRE_GPU").is_some() => {
            panic!("TEXTCHEM_REQUIRE_GPU is set but no wgpu adapter opens: {e:#}")
        }
        Err(e) => {
            eprintln!("skipping {test}: {e:#}");
            false
        }
    }
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/app/snapshots")
}

fn encode(width: u32, height: u32, rgba: Vec<u8>) -> Vec<u8> {
    Pixmap::from_vec(rgba, IntSize::from_wh(width, height).unwrap())
        .unwrap()
        .encode_png()
        .unwrap()
}

/// Renders the harness and compares the image with `snapshots/NAME.png`.
pub fn check(h: &mut Harness<'_, App>, name: &str) {
    let image = h.render().expect("rendering with wgpu");
    let (w, hgt) = image.dimensions();
    let current = image.into_raw();
    let reference = dir().join(format!("{name}.png"));
    let new = dir().join(format!("{name}.new.png"));
    let diff_path = dir().join(format!("{name}.diff.png"));
    let _ = std::fs::remove_file(&new);
    let _ = std::fs::remove_file(&diff_path);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&reference, encode(w, hgt, current)).unwrap();
        return;
    }
    let Ok(bytes) = std::fs::read(&reference) else {
        std::fs::write(&new, encode(w, hgt, current)).unwrap();
        panic!(
            "no snapshot {}: wrote {}; run with UPDATE_SNAPSHOTS=1 to accept it",
            reference.display(),
            new.display()
        );
    };
    let old = Pixmap::decode_png(&bytes).unwrap();
    assert_eq!(
        (old.width(), old.height()),
        (w, hgt),
        "{name}: the image changed size"
    );
    let mut diff = Vec::with_capacity(current.len());
    let mut changed = 0usize;
    for (a, b) in current.chunks_exact(4).zip(old.data().chunks_exact(4)) {
        let far = a
            .iter()
            .zip(b)
            .any(|(x, y)| x.abs_diff(*y) > CHANNEL_TOLERANCE);
        changed += usize::from(far);
        let pixel = if far {
            [255, 0, 0, 255]
        } else {
            [a[0] / 4 + 191, a[1] / 4 + 191, a[2] / 4 + 191, 255]
        };
        diff.extend_from_slice(&pixel);
    }
    let allowed = (MAX_CHANGED * (w * hgt) as f64) as usize;
    if changed > allowed {
        std::fs::write(&new, encode(w, hgt, current)).unwrap();
        std::fs::write(&diff_path, encode(w, hgt, diff)).unwrap();
        panic!(
            "{name}: {changed} pixels changed (at most {allowed} allowed); see {} and {}; \
             UPDATE_SNAPSHOTS=1 accepts the new image",
            new.display(),
            diff_path.display()
        );
    }
}
