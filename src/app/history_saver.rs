//! Writes history.json on its own thread, so `logic` never waits on the disk. The app sends a
//! snapshot of the exchanges after each change; snapshots that queue up while a write runs end
//! in one write of the newest; `flush`, and dropping the saver, wait until the last one is on
//! disk.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;

use super::history::{Exchange, save_exchanges};

enum Message {
    Snapshot(Vec<Exchange>),
    /// Answered once every snapshot sent before it is written.
    Flush(Sender<()>),
}

type Write = Box<dyn FnMut(&Path, &[Exchange]) -> anyhow::Result<()> + Send>;

pub struct HistorySaver {
    tx: Option<Sender<Message>>,
    /// Why writes failed, one line each.
    failures: Receiver<String>,
    thread: Option<JoinHandle<()>>,
}

impl HistorySaver {
    /// Starts the thread that writes history files at `path` (atomically, see
    /// `history::save_exchanges`), keeping the file's `extra` top-level fields; `wake` runs after
    /// a failed write, so the UI can say so.
    pub fn spawn(
        path: PathBuf,
        extra: serde_json::Map<String, serde_json::Value>,
        wake: impl Fn() + Send + 'static,
    ) -> HistorySaver {
        let write =
            move |path: &Path, exchanges: &[Exchange]| save_exchanges(path, exchanges, &extra);
        HistorySaver::with_writer(path, wake, Box::new(write))
    }

    fn with_writer(path: PathBuf, wake: impl Fn() + Send + 'static, write: Write) -> HistorySaver {
        let (tx, rx) = channel();
        let (failed, failures) = channel();
        let thread = std::thread::Builder::new()
            .name("textchem-history-saver".into())
            .spawn(move || write_snapshots(&path, &rx, write, &failed, &wake))
            .expect("the OS refused to start the history saver thread");
        HistorySaver {
            tx: Some(tx),
            failures,
            thread: Some(thread),
        }
    }

    /// Queues `exchanges` to be written; returns at once.
    pub fn save(&self, exchanges: Vec<Exchange>) {
        self.send(Message::Snapshot(exchanges));
    }

    /// Waits until every snapshot queued so far is written (or failed).
    pub fn flush(&self) {
        let (ack, done) = channel();
        if self.send(Message::Flush(ack)) {
            let _ = done.recv();
        }
    }

    /// Why writes failed since the last call.
    pub fn failures(&self) -> Vec<String> {
        self.failures.try_iter().collect()
    }

    fn send(&self, message: Message) -> bool {
        self.tx.as_ref().is_some_and(|tx| tx.send(message).is_ok())
    }
}

impl Drop for HistorySaver {
    /// Closing the channel ends the thread once it has written what was queued.
    fn drop(&mut self) {
        self.tx = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The saver thread: for each batch of queued messages, writes the newest snapshot, then answers
/// the flushes. Ends when the channel closes and is drained.
fn write_snapshots(
    path: &Path,
    rx: &Receiver<Message>,
    mut write: Write,
    failed: &Sender<String>,
    wake: &dyn Fn(),
) {
    while let Ok(first) = rx.recv() {
        let mut newest = None;
        let mut flushes = Vec::new();
        for message in std::iter::once(first).chain(rx.try_iter()) {
            match message {
                Message::Snapshot(exchanges) => newest = Some(exchanges),
                Message::Flush(ack) => flushes.push(ack),
            }
        }
        if let Some(exchanges) = newest
            && let Err(e) = write(path, &exchanges)
        {
            let _ = failed.send(format!("{e:#}"));
            wake();
        }
        for ack in flushes {
            let _ = ack.send(());
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};
    use std::thread::ThreadId;

    use super::*;
    use crate::app::history::History;
    use crate::model::task::Task;

    fn exchanges(n: u64) -> Vec<Exchange> {
        (1..=n)
            .map(|id| Exchange::new(id, Task::Caption, "CCO"))
            .collect()
    }

    #[test]
    fn the_file_holds_the_last_snapshot_after_a_flush() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("history.json");
        let saver = HistorySaver::spawn(path.clone(), Default::default(), || {});
        let all = exchanges(20);
        for n in 1..=all.len() {
            saver.save(all[..n].to_vec());
        }
        saver.flush();
        let back = History::restore(path.parent().unwrap()).history;
        assert_eq!(back.exchanges, all);
        assert!(!path.with_extension("tmp").exists());
        assert!(saver.failures().is_empty());
    }

    #[test]
    fn dropping_the_saver_writes_what_was_queued() {
        let dir = tempfile::tempdir().unwrap();
        let saver = HistorySaver::spawn(dir.path().join("history.json"), Default::default(), || {});
        saver.save(exchanges(3));
        drop(saver);
        assert_eq!(History::restore(dir.path()).history.exchanges.len(), 3);
    }

    /// Writes happen on the saver's thread, never the caller's, and snapshots queued behind a
    /// running write end in one write of the newest.
    #[test]
    fn writes_run_off_the_callers_thread_and_queued_snapshots_collapse() {
        let writes: Arc<Mutex<Vec<(ThreadId, usize)>>> = Arc::default();
        let (entered, in_write) = channel::<()>();
        let (release, gate) = channel::<()>();
        let log = Arc::clone(&writes);
        let saver = HistorySaver::with_writer(
            PathBuf::from("unused"),
            || {},
            Box::new(move |_, exchanges| {
                log.lock()
                    .unwrap()
                    .push((std::thread::current().id(), exchanges.len()));
                let _ = entered.send(());
                gate.recv()?;
                Ok(())
            }),
        );
        saver.save(exchanges(1));
        in_write.recv().unwrap();
        for n in 2..=5 {
            saver.save(exchanges(n));
        }
        release.send(()).unwrap();
        release.send(()).unwrap();
        saver.flush();
        let writes = writes.lock().unwrap();
        let sizes: Vec<usize> = writes.iter().map(|w| w.1).collect();
        assert_eq!(sizes, [1, 5]);
        let me = std::thread::current().id();
        assert!(writes.iter().all(|w| w.0 != me));
    }

    #[test]
    fn a_failed_write_is_reported_and_wakes_the_ui() {
        let woken = Arc::new(Mutex::new(0));
        let count = Arc::clone(&woken);
        let saver = HistorySaver::with_writer(
            PathBuf::from("unused"),
            move || *count.lock().unwrap() += 1,
            Box::new(|_, _| anyhow::bail!("disk full")),
        );
        saver.save(exchanges(1));
        saver.flush();
        assert_eq!(saver.failures(), ["disk full"]);
        assert_eq!(*woken.lock().unwrap(), 1);
    }
}
