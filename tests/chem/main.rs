//! Chemistry integration tests (one test binary: each binary links the whole crate).

mod canonical;
mod cxsmiles;
mod fingerprints;
mod inchi;
mod molfile;
mod normalisation;
mod parse;
mod properties;
mod smarts;
mod verdicts;

/// `../shared/<rel>` beside the repository, when this checkout has one; tests that need it skip
/// cleanly (returning early with a note) when it is absent, as in a user's clone.
#[allow(dead_code)]
pub fn shared_path(rel: &str) -> Option<std::path::PathBuf> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("shared")
        .join(rel);
    if p.exists() {
        Some(p)
    } else {
        eprintln!(
            "skipping: {} not found (no ../shared beside the checkout)",
            p.display()
        );
        None
    }
}
