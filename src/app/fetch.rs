//! Where catalogue checkpoints come from, behind a trait: the Hugging Face hub in the app, a
//! local stand-in in tests (which never touch the network). Fetching runs on a job thread and
//! reports every file's bytes; the progress callback stops it by returning `Break`.

use std::path::PathBuf;

use anyhow::Result;

use crate::model::catalogue::Catalogue;
pub use crate::model::hub::{FetchCancelled, FetchProgress, ProgressFn};
use crate::model::hub::{HubSettings, download};

pub trait ModelFetcher: Send + Sync {
    /// The folder holding catalogue model `name`'s files, fetching the missing ones. Each file's
    /// progress goes to `progress`; `Break` stops the fetch with `FetchCancelled`.
    fn fetch(&self, name: &str, progress: &mut ProgressFn<'_>) -> Result<PathBuf>;
}

/// The GT4SD checkpoints from the Hugging Face hub, into the standard HF cache that `textchem
/// run` and Python tools share (`HF_HOME`, `HF_HUB_CACHE`, `HF_HUB_OFFLINE`, `HF_ENDPOINT`).
pub struct HubFetcher;

impl ModelFetcher for HubFetcher {
    fn fetch(&self, name: &str, progress: &mut ProgressFn<'_>) -> Result<PathBuf> {
        let catalogue = Catalogue::builtin();
        let hub = HubSettings::from_env()?;
        // A hub id outside the catalogue is fetched at its main revision.
        let (id, revision) = match catalogue.find(name) {
            Some(entry) => (entry.hub_id.as_str(), entry.revision.as_str()),
            None if name.contains('/') => (name, "main"),
            None => anyhow::bail!("{name} is not in the catalogue, nor a hub id (owner/name)"),
        };
        download(id, revision, &hub, Some(progress))
    }
}
