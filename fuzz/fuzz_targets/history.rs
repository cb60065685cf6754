//! Any bytes found as `history.json` must restore (entry by entry) without a panic, and the
//! original bytes must survive: untouched when the file reads, moved aside when it does not.
#![no_main]

use libfuzzer_sys::fuzz_target;
use textchem::app::history::History;

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.json");
    std::fs::write(&path, data).unwrap();
    let restored = History::restore(dir.path());
    let kept: Vec<Vec<u8>> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect();
    assert_eq!(kept, vec![data.to_vec()], "the original bytes are kept, once");
    if restored.notice.is_none() {
        restored.history.save().unwrap();
    }
});
