//! The file dialogs the app waits on. Each is asked for with its purpose; the answer comes back
//! later on a channel (the dialog runs elsewhere and wakes the UI), and `answers` pairs each
//! chosen path with what it is for. A dialog that could not open becomes a typed path prompt
//! (`prompts`), which the window shows until the user gives a path or gives up. Nothing here
//! waits for the user.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};

use super::dialogs::{DialogAnswer, Done, FileDialogs};
use super::export_actions::Export;

/// What a dialog's answer is for.
pub enum Purpose {
    /// Where to write a file.
    Export(Export),
    /// The checkpoint folder to load the model from.
    ModelFolder,
}

impl Purpose {
    /// The dialog's title, also the typed path field's name.
    pub fn title(&self) -> String {
        match self {
            Purpose::Export(e) => e.save_request().title,
            Purpose::ModelFolder => FOLDER_TITLE.to_owned(),
        }
    }
}

const FOLDER_TITLE: &str = "Model checkpoint folder";

/// A dialog that could not open, waiting for a typed path.
pub struct Prompt {
    pub id: u64,
    pub purpose: Purpose,
    /// Why no dialog opened.
    pub reason: String,
    /// The path being typed.
    pub text: String,
    /// Why the last typed path was refused.
    pub error: Option<String>,
}

type Answer = (u64, DialogAnswer);

pub struct PendingDialogs {
    dialogs: Box<dyn FileDialogs>,
    tx: Sender<Answer>,
    rx: Receiver<Answer>,
    waiting: Vec<(u64, Purpose)>,
    /// Dialogs that could not open, shown as typed path fields.
    pub prompts: Vec<Prompt>,
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
            prompts: Vec::new(),
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
        self.dialogs.pick_folder(FOLDER_TITLE, done);
    }

    /// Records `purpose` and returns the callback that brings its answer back.
    fn expect(&mut self, purpose: Purpose) -> Done {
        self.next += 1;
        let id = self.next;
        self.waiting.push((id, purpose));
        let tx = self.tx.clone();
        let ctx = self.ctx.clone();
        Box::new(move |answer| {
            let _ = tx.send((id, answer));
            ctx.request_repaint();
        })
    }

    /// The dialogs answered since the last call, in order, each with what it was for; cancelled
    /// ones are dropped, and ones that could not open become prompts.
    pub fn answers(&mut self) -> Vec<(Purpose, PathBuf)> {
        let mut answered = Vec::new();
        while let Ok((id, answer)) = self.rx.try_recv() {
            let Some(k) = self.waiting.iter().position(|w| w.0 == id) else {
                continue;
            };
            let (_, purpose) = self.waiting.remove(k);
            match answer {
                DialogAnswer::Chosen(path) => answered.push((purpose, path)),
                DialogAnswer::Cancelled => {}
                DialogAnswer::Unavailable(reason) => {
                    // One field per purpose: asking again keeps what was typed.
                    let title = purpose.title();
                    if let Some(p) = self.prompts.iter_mut().find(|p| p.purpose.title() == title) {
                        p.purpose = purpose;
                    } else {
                        self.prompts.push(Prompt {
                            id,
                            purpose,
                            reason,
                            text: String::new(),
                            error: None,
                        });
                    }
                }
            }
        }
        answered
    }

    /// Takes prompt `id`'s typed path as its answer when it is usable (an existing folder; a
    /// file in an existing folder), else says why on the prompt and keeps it.
    pub fn submit(&mut self, id: u64) -> Option<(Purpose, PathBuf)> {
        let k = self.prompts.iter().position(|p| p.id == id)?;
        let p = &mut self.prompts[k];
        let path = expand_home(p.text.trim());
        let problem = if p.text.trim().is_empty() {
            Some("type a path first".to_owned())
        } else {
            match &p.purpose {
                Purpose::ModelFolder if !path.is_dir() => {
                    Some(format!("{} is not a folder", path.display()))
                }
                Purpose::Export(_) if path.is_dir() => {
                    Some(format!("{} is a folder: add a file name", path.display()))
                }
                Purpose::Export(_) => path
                    .parent()
                    .filter(|d| !d.as_os_str().is_empty() && !d.is_dir())
                    .map(|d| format!("the folder {} does not exist", d.display())),
                Purpose::ModelFolder => None,
            }
        };
        if let Some(e) = problem {
            p.error = Some(e);
            return None;
        }
        let p = self.prompts.remove(k);
        Some((p.purpose, path))
    }

    /// Drops prompt `id` (the user gave up).
    pub fn dismiss(&mut self, id: u64) {
        self.prompts.retain(|p| p.id != id);
    }
}

/// `~/x` as the shell reads it (a typed path is not run through a shell).
pub fn expand_home(text: &str) -> PathBuf {
    match (text.strip_prefix("~/"), dirs::home_dir()) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(text),
    }
}
