//! File dialogs behind a trait: the app asks for a path and gets the answer later through a
//! callback, so the UI never waits on a dialog, and tests inject paths without opening one.
//! A dialog that cannot open (no XDG desktop portal on a plain X11 desktop, WSL, a remote
//! session) answers `Unavailable`, and the app offers a typed path instead.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// What a save dialog is for: its title, suggested file name and file type.
#[derive(Clone, Debug, PartialEq)]
pub struct SaveRequest {
    pub title: String,
    pub file_name: String,
    /// File type name and extensions, e.g. ("CSV", ["csv"]).
    pub filter: (String, Vec<String>),
}

impl SaveRequest {
    /// A request for one file type with one extension, e.g. `("Export as CSV", "out.csv", "CSV", "csv")`.
    pub fn new(title: &str, file_name: &str, kind: &str, extension: &str) -> SaveRequest {
        SaveRequest {
            title: title.into(),
            file_name: file_name.into(),
            filter: (kind.into(), vec![extension.into()]),
        }
    }
}

/// How a dialog ended.
#[derive(Clone, Debug, PartialEq)]
pub enum DialogAnswer {
    Chosen(PathBuf),
    Cancelled,
    /// No dialog could be shown; the reason is for the user.
    Unavailable(String),
}

impl From<Option<PathBuf>> for DialogAnswer {
    fn from(path: Option<PathBuf>) -> DialogAnswer {
        path.map_or(DialogAnswer::Cancelled, DialogAnswer::Chosen)
    }
}

pub type Done = Box<dyn FnOnce(DialogAnswer) + Send>;

pub trait FileDialogs {
    /// Asks where to save; `done` gets the path, `Cancelled`, or why no dialog opened.
    fn save_file(&self, request: SaveRequest, done: Done);
    /// Asks for a folder (a local model checkpoint).
    fn pick_folder(&self, title: &str, done: Done);
}

/// The desktop's own dialogs (XDG portal on Linux), each run on its own thread.
pub struct NativeDialogs;

/// rfd returns `None` both when the user cancels and when the portal is missing; nobody
/// cancels a dialog this fast, so a quicker `None` means it never appeared.
const NO_DIALOG_WITHIN: Duration = Duration::from_millis(400);

/// Runs a native dialog and tells a cancel from a dialog that never opened.
fn native(pick: impl FnOnce() -> Option<PathBuf>) -> DialogAnswer {
    if let Some(why) = portal_missing(|k| std::env::var_os(k)) {
        return DialogAnswer::Unavailable(why);
    }
    let start = Instant::now();
    match pick() {
        Some(p) => DialogAnswer::Chosen(p),
        None if start.elapsed() < NO_DIALOG_WITHIN => DialogAnswer::Unavailable(
            "the desktop's file dialog did not open (is an XDG desktop portal running?)".into(),
        ),
        None => DialogAnswer::Cancelled,
    }
}

/// Why no dialog can open, known before trying: `TEXTCHEM_NO_DIALOGS` is set, or (Linux) there
/// is no D-Bus session bus for the portal to live on. `env` reads the environment.
pub fn portal_missing(env: impl Fn(&str) -> Option<OsString>) -> Option<String> {
    if env("TEXTCHEM_NO_DIALOGS").is_some_and(|v| !v.is_empty() && v != "0") {
        return Some("TEXTCHEM_NO_DIALOGS is set".into());
    }
    if cfg!(target_os = "linux") && env("DBUS_SESSION_BUS_ADDRESS").is_none() {
        let socket = env("XDG_RUNTIME_DIR").map(|d| PathBuf::from(d).join("bus"));
        if !socket.is_some_and(|s| s.exists()) {
            return Some("there is no D-Bus session bus, so no XDG desktop portal".into());
        }
    }
    None
}

impl FileDialogs for NativeDialogs {
    fn save_file(&self, request: SaveRequest, done: Done) {
        std::thread::spawn(move || {
            let exts: Vec<&str> = request.filter.1.iter().map(String::as_str).collect();
            done(native(|| {
                rfd::FileDialog::new()
                    .set_title(&request.title)
                    .set_file_name(&request.file_name)
                    .add_filter(&request.filter.0, &exts)
                    .save_file()
            }));
        });
    }

    fn pick_folder(&self, title: &str, done: Done) {
        let title = title.to_owned();
        std::thread::spawn(move || {
            done(native(|| {
                rfd::FileDialog::new().set_title(&title).pick_folder()
            }))
        });
    }
}

/// Answers every dialog with fixed paths (tests, scripted runs).
#[derive(Clone, Debug, Default)]
pub struct FixedDialogs {
    pub save_to: Option<PathBuf>,
    pub folder: Option<PathBuf>,
}

impl FileDialogs for FixedDialogs {
    fn save_file(&self, _request: SaveRequest, done: Done) {
        done(self.save_to.clone().into());
    }

    fn pick_folder(&self, _title: &str, done: Done) {
        done(self.folder.clone().into());
    }
}

/// No dialogs at all, as on a desktop without a portal: every request is answered with the
/// typed path field.
#[derive(Clone, Debug)]
pub struct NoDialogs(pub String);

impl FileDialogs for NoDialogs {
    fn save_file(&self, _request: SaveRequest, done: Done) {
        done(DialogAnswer::Unavailable(self.0.clone()));
    }

    fn pick_folder(&self, _title: &str, done: Done) {
        done(DialogAnswer::Unavailable(self.0.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_session_bus_or_the_override_means_no_dialog() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                vars.iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| OsString::from(v))
            }
        };
        assert!(portal_missing(env(&[("TEXTCHEM_NO_DIALOGS", "1")])).is_some());
        assert!(portal_missing(env(&[("DBUS_SESSION_BUS_ADDRESS", "unix:path=/x")])).is_none());
        if cfg!(target_os = "linux") {
            let why = portal_missing(env(&[("XDG_RUNTIME_DIR", "/nonexistent")])).unwrap();
            assert!(why.contains("D-Bus"), "{why}");
        }
    }

    #[test]
    fn a_dialog_that_returns_at_once_never_opened() {
        // Either no portal is known before trying, or the instant `None` gives it away.
        assert!(matches!(native(|| None), DialogAnswer::Unavailable(_)));
    }
}
