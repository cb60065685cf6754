//! File dialogs behind a trait: the app asks for a path and gets the answer later through a
//! callback, so the UI never waits on a dialog, and tests inject paths without opening one.

use std::path::PathBuf;

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

pub type Done = Box<dyn FnOnce(Option<PathBuf>) + Send>;

pub trait FileDialogs {
    /// Asks where to save; `done` gets the path, or `None` when the user cancelled.
    fn save_file(&self, request: SaveRequest, done: Done);
    /// Asks for a folder (a local model checkpoint).
    fn pick_folder(&self, title: &str, done: Done);
}

/// The desktop's own dialogs (XDG portal on Linux), each run on its own thread.
pub struct NativeDialogs;

impl FileDialogs for NativeDialogs {
    fn save_file(&self, request: SaveRequest, done: Done) {
        std::thread::spawn(move || {
            let exts: Vec<&str> = request.filter.1.iter().map(String::as_str).collect();
            let path = rfd::FileDialog::new()
                .set_title(&request.title)
                .set_file_name(&request.file_name)
                .add_filter(&request.filter.0, &exts)
                .save_file();
            done(path);
        });
    }

    fn pick_folder(&self, title: &str, done: Done) {
        let title = title.to_owned();
        std::thread::spawn(move || done(rfd::FileDialog::new().set_title(&title).pick_folder()));
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
        done(self.save_to.clone());
    }

    fn pick_folder(&self, _title: &str, done: Done) {
        done(self.folder.clone());
    }
}
