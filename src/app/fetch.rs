//! Where catalogue checkpoints come from, behind a trait: the Hugging Face hub in the app, a
//! local stand-in in tests (which never touch the network). Fetching runs on a job thread and
//! reports every file's bytes; the progress callback stops it by returning `Break`.

use std::ops::ControlFlow;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow, bail};
use hf_hub::{Cache, Repo, RepoType};

use crate::model::catalogue::Catalogue;
use crate::model::folder;
use crate::model::source::HubSettings;

/// One file's transfer so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FetchProgress<'a> {
    pub file: &'a str,
    pub done: u64,
    pub total: u64,
}

/// The error a fetch stopped by its progress callback ends with.
#[derive(Debug)]
pub struct FetchCancelled;

impl std::fmt::Display for FetchCancelled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("download cancelled")
    }
}

impl std::error::Error for FetchCancelled {}

pub type ProgressFn<'a> = dyn FnMut(FetchProgress<'_>) -> ControlFlow<()> + 'a;

pub trait ModelFetcher: Send + Sync {
    /// The folder holding catalogue model `name`'s files, fetching the missing ones. Each file's
    /// progress goes to `progress`; `Break` stops the fetch with `FetchCancelled`.
    fn fetch(&self, name: &str, progress: &mut ProgressFn<'_>) -> Result<PathBuf>;
}

/// The GT4SD checkpoints from the Hugging Face hub, into the standard HF cache that `textchem
/// run` and Python tools share (`HF_HOME`, `HF_HUB_CACHE`, `HF_HUB_OFFLINE`, `HF_ENDPOINT`).
pub struct HubFetcher;

/// Unwinds out of hf-hub's transfer loop: its `Progress` has no way to stop a download, and the
/// partial file it leaves resumes on the next try. `resume_unwind` skips the panic hook.
struct StopTransfer;

struct HubProgress<'a, 'b> {
    file: &'a str,
    done: u64,
    total: u64,
    report: &'a mut ProgressFn<'b>,
}

impl hf_hub::api::Progress for HubProgress<'_, '_> {
    fn init(&mut self, size: usize, _filename: &str) {
        self.total = size as u64;
        self.done = 0;
    }

    fn update(&mut self, size: usize) {
        self.done += size as u64;
        let p = FetchProgress {
            file: self.file,
            done: self.done,
            total: self.total,
        };
        if (self.report)(p).is_break() {
            resume_unwind(Box::new(StopTransfer));
        }
    }

    fn finish(&mut self) {}
}

impl ModelFetcher for HubFetcher {
    fn fetch(&self, name: &str, progress: &mut ProgressFn<'_>) -> Result<PathBuf> {
        let catalogue = Catalogue::builtin();
        let entry = catalogue
            .find(name)
            .ok_or_else(|| anyhow!("{name} is not in the catalogue"))?;
        let hub = HubSettings::from_env()?;
        let repo = Repo::with_revision(
            entry.hub_id.clone(),
            RepoType::Model,
            entry.revision.clone(),
        );
        let cache = Cache::new(hub.cache_dir.clone()).repo(repo.clone());
        let files = [
            folder::CONFIG,
            folder::SPIECE,
            folder::TOKENIZER_CONFIG,
            entry.weights.as_str(),
        ];
        let missing: Vec<&str> = files
            .into_iter()
            .filter(|f| cache.get(f).is_none())
            .collect();
        if !missing.is_empty() {
            if hub.offline {
                bail!(
                    "HF_HUB_OFFLINE is set and {name} is not complete in the cache {} (missing: {})",
                    hub.cache_dir.display(),
                    missing.join(", ")
                );
            }
            let api = hub.repo_api(repo, false)?;
            for file in missing {
                let p = HubProgress {
                    file,
                    done: 0,
                    total: 0,
                    report: &mut *progress,
                };
                match catch_unwind(AssertUnwindSafe(|| api.download_with_progress(file, p))) {
                    Ok(Ok(_)) => {}
                    Ok(Err(e)) => bail!(
                        "could not download {file} of {}: {e}; check the network (the download \
                         resumes on the next try) or load a local folder",
                        entry.hub_id
                    ),
                    Err(payload) if payload.is::<StopTransfer>() => {
                        return Err(FetchCancelled.into());
                    }
                    Err(payload) => resume_unwind(payload),
                }
            }
        }
        let config = cache
            .get(folder::CONFIG)
            .ok_or_else(|| anyhow!("{} has no config.json in the cache", entry.hub_id))?;
        Ok(config.parent().unwrap_or(Path::new(".")).to_owned())
    }
}
