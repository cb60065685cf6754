//! `--screenshot PATH`: once the first frames are drawn, capture the window through
//! `Context::request_screenshot`, save it as PNG and close (CI smoke test, README picture).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, channel};

use anyhow::Context as _;
use egui::ColorImage;
use resvg::tiny_skia;

/// Frames drawn before capturing by default, so layout and fonts have settled.
pub const SETTLE_FRAMES: u32 = 10;

/// Frames left out of the `--frames` timings: the first ones load fonts and upload textures.
const WARM_UP: u32 = 5;

pub struct Screenshot {
    path: PathBuf,
    frames: u32,
    settle: u32,
    rx: Option<Receiver<Arc<ColorImage>>>,
    /// Time between frames and time spent in `App::ui`, in milliseconds, for `--frames`.
    pub intervals: Vec<f64>,
    pub ui_times: Vec<f64>,
    /// The intervals that ended while the model was generating.
    pub busy_intervals: Vec<f64>,
    /// eframe's frame time (the whole frame: logic, ui, tessellation and rendering, without
    /// waiting for vsync), in milliseconds, all and while generating.
    pub frame_times: Vec<f64>,
    pub busy_frame_times: Vec<f64>,
    last: Option<std::time::Instant>,
}

impl Screenshot {
    /// Captures after `settle` frames (at least 2).
    pub fn new(path: PathBuf, settle: u32) -> Screenshot {
        Screenshot {
            path,
            frames: 0,
            settle: settle.max(2),
            rx: None,
            intervals: Vec::new(),
            ui_times: Vec::new(),
            busy_intervals: Vec::new(),
            frame_times: Vec::new(),
            busy_frame_times: Vec::new(),
            last: None,
        }
    }

    /// Called every frame (`busy`: the model is generating): counts frames, asks for the
    /// capture, saves it and closes. The first `WARM_UP` frames (fonts, first layouts) are not
    /// timed.
    /// `frame_time`: eframe's time for the previous frame, in seconds.
    pub fn tick(&mut self, ctx: &egui::Context, busy: bool, frame_time: Option<f32>) {
        self.frames += 1;
        let now = std::time::Instant::now();
        if let Some(last) = self.last.replace(now)
            && self.frames > WARM_UP
        {
            let ms = now.duration_since(last).as_secs_f64() * 1e3;
            self.intervals.push(ms);
            if busy {
                self.busy_intervals.push(ms);
            }
            if let Some(t) = frame_time {
                let ms = f64::from(t) * 1e3;
                self.frame_times.push(ms);
                if busy {
                    self.busy_frame_times.push(ms);
                }
            }
        }
        ctx.request_repaint();
        match &self.rx {
            None if self.frames >= self.settle => {
                let (tx, rx) = channel();
                let repaint = ctx.clone();
                ctx.request_screenshot(move |image| {
                    let _ = tx.send(image);
                    repaint.request_repaint();
                });
                self.rx = Some(rx);
            }
            Some(rx) => {
                if let Ok(image) = rx.try_recv() {
                    if let Err(e) = save_png(&image, &self.path) {
                        eprintln!("screenshot: {e:#}");
                    }
                    if self.settle > SETTLE_FRAMES {
                        let ui = &self.ui_times[(WARM_UP as usize).min(self.ui_times.len())..];
                        println!(
                            "frames: {} ({} timed, {} while the model generated)\n\
                             frame interval: p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms\n\
                             frame interval while generating: p50 {:.2} ms, p95 {:.2} ms\n\
                             frame time (eframe, without vsync): p50 {:.2} ms, p95 {:.2} ms\n\
                             frame time while generating: p50 {:.2} ms, p95 {:.2} ms\n\
                             ui pass: p50 {:.2} ms, p95 {:.2} ms",
                            self.frames,
                            self.intervals.len(),
                            self.busy_intervals.len(),
                            percentile(&self.intervals, 0.5),
                            percentile(&self.intervals, 0.95),
                            percentile(&self.intervals, 1.0),
                            percentile(&self.busy_intervals, 0.5),
                            percentile(&self.busy_intervals, 0.95),
                            percentile(&self.frame_times, 0.5),
                            percentile(&self.frame_times, 0.95),
                            percentile(&self.busy_frame_times, 0.5),
                            percentile(&self.busy_frame_times, 0.95),
                            percentile(ui, 0.5),
                            percentile(ui, 0.95)
                        );
                    }
                    ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                }
            }
            None => {}
        }
    }
}

pub fn save_png(image: &ColorImage, path: &std::path::Path) -> anyhow::Result<()> {
    let [w, h] = image.size;
    let size = tiny_skia::IntSize::from_wh(w as u32, h as u32).context("empty screenshot")?;
    let pixmap = tiny_skia::Pixmap::from_vec(image.as_raw().to_vec(), size)
        .context("screenshot size does not match its pixels")?;
    let png = pixmap.encode_png().context("encoding PNG")?;
    std::fs::write(path, png).with_context(|| format!("writing {}", path.display()))
}

/// The `q` quantile of `xs` (nearest rank), 0 for none.
pub fn percentile(xs: &[f64], q: f64) -> f64 {
    if xs.is_empty() {
        return 0.0;
    }
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let k = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1;
    v[k]
}

#[cfg(test)]
mod tests {
    #[test]
    fn percentiles_use_the_nearest_rank() {
        let xs: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(super::percentile(&xs, 0.95), 95.0);
        assert_eq!(super::percentile(&xs, 0.5), 50.0);
        assert_eq!(super::percentile(&[], 0.5), 0.0);
    }
}
