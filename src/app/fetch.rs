//! Where catalogue checkpoints come from, behind a trait: the Hugging Face hub in the app, a
//! local stand-in in tests (which never touch the network). Fetching runs on a job thread and
//! reports every file's bytes; the progress callback stops it by returning `Break`.

use std::path::PathBuf;

use anyhow::{Result, anyhow};

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
        let entry = catalogue
            .find(name)
            .ok_or_else(|| anyhow!("{name} is not in the catalogue"))?;
        let hub = HubSettings::from_env()?;
        download(&entry.hub_id, &entry.revision, &hub, Some(progress))
    }
}
