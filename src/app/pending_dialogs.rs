//! The file dialogs the app waits on. Each is asked for with its purpose; the answer comes back
//! later on a channel (the dialog runs elsewhere and wakes the UI), and `answers` pairs each
//! chosen path with what it is for. Nothing here waits for the user.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};

use super::dialogs::{Done, FileDialogs};
use super::export_actions::Export;

/// What a dialog's answer is for.
pub enum Purpose {
    /// Where to write a file.
    Export(Export),
    /// The checkpoint folder to load the model from.
    ModelFolder,
}

type Answer = (u64, Option<PathBuf>);

pub struct PendingDialogs {
    dialogs: Box<dyn FileDialogs>,
    tx: Sender<Answer>,
    rx: Receiver<Answer>,
    waiting: Vec<(u64, Purpose)>,
    next: u64,
    /// Woken when an answer arrives, so `logic` picks it up.
    ctx: egui::Context,
}

impl PendingDialogs {
    pub fn new(dialogs: Box<dyn FileDialogs>, ctx: egui::Context) -> PendingDialogs {
        let (tx, rx) = channel();
        PendingDialogs {
            dialogs,
            tx,
            rx,
            waiting: Vec::new(),
            next: 0,
            ctx,
        }
    }

    /// Asks where to write `export`.
    pub fn ask_save(&mut self, export: Export) {
        let request = export.save_request();
        let done = self.expect(Purpose::Export(export));
        self.dialogs.save_file(request, done);
    }

    /// Asks for a checkpoint folder.
    pub fn ask_folder(&mut self) {
        let done = self.expect(Purpose::ModelFolder);
        self.dialogs.pick_folder("Model checkpoint folder", done);
    }

    /// Records `purpose` and returns the callback that brings its answer back.
    fn expect(&mut self, purpose: Purpose) -> Done {
        self.next += 1;
        let id = self.next;
        self.waiting.push((id, purpose));
        let tx = self.tx.clone();
        let ctx = self.ctx.clone();
        Box::new(move |path| {
            let _ = tx.send((id, path));
            ctx.request_repaint();
        })
    }

    /// The dialogs answered since the last call, in order, each with what it was for; cancelled
    /// ones are dropped.
    pub fn answers(&mut self) -> Vec<(Purpose, PathBuf)> {
        let mut answered = Vec::new();
        while let Ok((id, path)) = self.rx.try_recv() {
            let Some(k) = self.waiting.iter().position(|w| w.0 == id) else {
                continue;
            };
            let (_, purpose) = self.waiting.remove(k);
            if let Some(path) = path {
                answered.push((purpose, path));
            }
        }
        answered
    }
}
