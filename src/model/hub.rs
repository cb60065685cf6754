//! The Hugging Face hub: checkpoint files fetched with `hf-hub` into the standard HF cache (shared
//! with Python tools; resumable `.part` downloads; `HF_HUB_OFFLINE` honoured). One routine checks
//! the cache, refuses when offline and downloads what is missing, drawing hf-hub's own progress
//! bar or reporting each file's bytes to a callback that can stop it.

use std::ops::ControlFlow;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use hf_hub::api::sync::{ApiBuilder, ApiRepo};
use hf_hub::{Cache, Repo, RepoType};

use super::catalogue::Catalogue;
use super::folder;

/// How the hub is reached; `from_env` reads the same variables as Python's `huggingface_hub`.
#[derive(Debug, Clone)]
pub struct HubSettings {
    pub cache_dir: PathBuf,
    pub offline: bool,
    pub endpoint: Option<String>,
    pub progress: bool,
}

impl HubSettings {
    pub fn from_env() -> Result<HubSettings> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let cache_dir = var("HF_HUB_CACHE")
            .map(PathBuf::from)
            .or_else(|| var("HF_HOME").map(|h| PathBuf::from(h).join("hub")))
            .or_else(|| var("XDG_CACHE_HOME").map(|c| PathBuf::from(c).join("huggingface/hub")))
            .or_else(|| {
                var("HOME")
                    .or_else(|| var("USERPROFILE"))
                    .map(|h| PathBuf::from(h).join(".cache/huggingface/hub"))
            })
            .ok_or_else(|| anyhow!("no Hugging Face cache folder: set HF_HOME or HF_HUB_CACHE"))?;
        let offline = var("HF_HUB_OFFLINE").is_some_and(|v| is_truthy(&v));
        Ok(HubSettings {
            cache_dir,
            offline,
            endpoint: var("HF_ENDPOINT"),
            progress: true,
        })
    }

    /// A hub client for `repo` over this cache and endpoint; `progress` draws hf-hub's own bars.
    pub fn repo_api(&self, repo: Repo, progress: bool) -> Result<ApiRepo> {
        let mut builder = ApiBuilder::from_cache(Cache::new(self.cache_dir.clone()))
            .with_progress(progress)
            .with_retries(3);
        if let Some(endpoint) = &self.endpoint {
            builder = builder.with_endpoint(endpoint.clone());
        }
        Ok(builder
            .build()
            .context("setting up the Hugging Face hub client")?
            .repo(repo))
    }
}

/// `huggingface_hub`'s reading of boolean variables.
fn is_truthy(value: &str) -> bool {
    matches!(
        value.to_ascii_lowercase().as_str(),
        "1" | "on" | "yes" | "true"
    )
}

/// One file's transfer so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FetchProgress<'a> {
    pub file: &'a str,
    pub done: u64,
    pub total: u64,
}

/// The error a download stopped by its progress callback ends with.
#[derive(Debug)]
pub struct FetchCancelled;

impl std::fmt::Display for FetchCancelled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("download cancelled")
    }
}

impl std::error::Error for FetchCancelled {}

/// Sees every file's progress; `Break` stops the download with `FetchCancelled`.
pub type ProgressFn<'a> = dyn FnMut(FetchProgress<'_>) -> ControlFlow<()> + 'a;

/// The files a checkpoint needs from the hub; weights are tried in this order.
const HUB_FILES: [&str; 3] = [folder::CONFIG, folder::SPIECE, folder::TOKENIZER_CONFIG];
const HUB_WEIGHTS: [&str; 2] = [folder::SAFETENSORS, folder::PYTORCH];

/// Makes sure `repo_id@revision`'s checkpoint files are in the cache and returns the snapshot
/// folder holding them. Missing files are downloaded unless `hub.offline`; with `progress`, each
/// file's bytes are reported to it (and it may cancel), otherwise hf-hub draws its bar when
/// `hub.progress` is set.
pub fn download(
    repo_id: &str,
    revision: &str,
    hub: &HubSettings,
    mut progress: Option<&mut ProgressFn<'_>>,
) -> Result<PathBuf> {
    let repo = Repo::with_revision(repo_id.to_owned(), RepoType::Model, revision.to_owned());
    let cache = Cache::new(hub.cache_dir.clone()).repo(repo.clone());
    let preferred_weights = Catalogue::builtin()
        .find(repo_id)
        .filter(|e| e.revision == revision)
        .map(|e| e.weights.clone());
    let weights_order: Vec<&str> = preferred_weights
        .iter()
        .map(String::as_str)
        .chain(HUB_WEIGHTS)
        .collect();
    let cached_weights = weights_order.iter().find_map(|w| cache.get(w));
    let missing: Vec<&str> = HUB_FILES
        .into_iter()
        .filter(|f| cache.get(f).is_none())
        .collect();
    if missing.is_empty() && cached_weights.is_some() {
        return snapshot_of(&cache.get(folder::CONFIG).expect("checked above"));
    }
    if hub.offline {
        let mut absent: Vec<String> = missing.iter().map(|f| f.to_string()).collect();
        if cached_weights.is_none() {
            absent.push("weights (model.safetensors or pytorch_model.bin)".into());
        }
        bail!(
            "HF_HUB_OFFLINE is set and {repo_id}@{revision} is not complete in the cache {} (missing: {}); \
             unset HF_HUB_OFFLINE to download it, or pass a local folder",
            hub.cache_dir.display(),
            absent.join(", ")
        );
    }
    let api = hub.repo_api(repo, hub.progress && progress.is_none())?;
    let download_failed = |file: &str, e: &dyn std::fmt::Display| {
        anyhow!(
            "could not download {file} of {repo_id}@{revision}: {e}. Check the network (an interrupted \
             download resumes on the next try), or download the repo elsewhere and pass its folder"
        )
    };
    for file in missing {
        fetch_file(&api, file, progress.as_deref_mut()).map_err(|e| match e {
            Failure::Cancelled => FetchCancelled.into(),
            Failure::Failed(e) => download_failed(file, &e),
            Failure::Damaged(e) => e,
        })?;
    }
    if cached_weights.is_none() {
        let mut errors = Vec::new();
        let mut fetched = false;
        for w in &weights_order {
            match fetch_file(&api, w, progress.as_deref_mut()) {
                Ok(()) => {
                    fetched = true;
                    break;
                }
                Err(Failure::Cancelled) => return Err(FetchCancelled.into()),
                Err(Failure::Damaged(e)) => return Err(e),
                Err(Failure::Failed(e)) => errors.push(format!("{w}: {e}")),
            }
        }
        if !fetched {
            return Err(download_failed("the weights", &errors.join("; ")));
        }
    }
    let config = cache
        .get(folder::CONFIG)
        .ok_or_else(|| anyhow!("{repo_id}@{revision} has no config.json in the cache"))?;
    snapshot_of(&config)
}

enum Failure {
    Cancelled,
    Failed(hf_hub::api::sync::ApiError),
    Damaged(anyhow::Error),
}

/// Checks a downloaded file against the hash the hub named it by: the cache stores each file
/// as `blobs/<etag>`, and the etag is the sha256 of an LFS file's content or the git sha1 of a
/// small file's blob. A mismatch (a transfer damaged on the way) removes the file, so the next
/// try downloads it again. Files whose etag is neither (an unusual hub) are accepted as they are.
pub fn verify_download(path: &Path) -> Result<()> {
    let blob = std::fs::canonicalize(path)
        .with_context(|| format!("cannot find the downloaded {}", path.display()))?;
    let expected = blob
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let is_hex = |n: usize| expected.len() == n && expected.bytes().all(|b| b.is_ascii_hexdigit());
    let content =
        || std::fs::read(&blob).with_context(|| format!("cannot read {}", blob.display()));
    let actual = if is_hex(64) {
        use sha2::Digest;
        hex(&sha2::Sha256::digest(content()?))
    } else if is_hex(40) {
        use sha1::Digest;
        let bytes = content()?;
        let mut h = sha1::Sha1::new();
        h.update(format!("blob {}\0", bytes.len()));
        h.update(&bytes);
        hex(&h.finalize())
    } else {
        return Ok(());
    };
    if actual != expected {
        let _ = std::fs::remove_file(&blob);
        let _ = std::fs::remove_file(path);
        bail!(
            "{} arrived damaged (its hash is {actual}, the hub's is {expected}); it was removed: \
             try again",
            path.display()
        );
    }
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Downloads one file into the cache and checks it against the hub's hash of it.
fn fetch_file(
    api: &ApiRepo,
    file: &str,
    progress: Option<&mut ProgressFn<'_>>,
) -> Result<(), Failure> {
    let path = download_file(api, file, progress)?;
    verify_download(&path).map_err(Failure::Damaged)
}

fn download_file(
    api: &ApiRepo,
    file: &str,
    progress: Option<&mut ProgressFn<'_>>,
) -> Result<PathBuf, Failure> {
    let Some(report) = progress else {
        return api.download(file).map_err(Failure::Failed);
    };
    let bar = CallbackProgress {
        file,
        done: 0,
        total: 0,
        report,
    };
    match catch_unwind(AssertUnwindSafe(|| api.download_with_progress(file, bar))) {
        Ok(done) => done.map_err(Failure::Failed),
        Err(payload) if payload.is::<StopTransfer>() => Err(Failure::Cancelled),
        Err(payload) => resume_unwind(payload),
    }
}

/// Unwinds out of hf-hub's transfer loop: its `Progress` has no way to stop a download, and the
/// partial file it leaves resumes on the next try. `resume_unwind` skips the panic hook.
struct StopTransfer;

struct CallbackProgress<'a, 'b> {
    file: &'a str,
    done: u64,
    total: u64,
    report: &'a mut ProgressFn<'b>,
}

impl hf_hub::api::Progress for CallbackProgress<'_, '_> {
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

fn snapshot_of(file: &Path) -> Result<PathBuf> {
    file.parent()
        .map(Path::to_path_buf)
        .ok_or_else(|| anyhow!("{} has no folder", file.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    /// A cache entry as hf-hub lays it out: `snapshots/<commit>/<file>` linking to `blobs/<etag>`.
    fn cached(dir: &Path, etag: &str, content: &[u8]) -> PathBuf {
        let blob = dir.join("blobs").join(etag);
        std::fs::create_dir_all(blob.parent().unwrap()).unwrap();
        std::fs::write(&blob, content).unwrap();
        let link = dir.join("snapshots/abc/config.json");
        std::fs::create_dir_all(link.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(&blob, &link).unwrap();
        link
    }

    #[cfg(unix)]
    #[test]
    fn downloads_are_checked_against_the_hubs_hashes() {
        let dir = tempfile::tempdir().unwrap();
        // sha256("hello\n") and git's sha1 of the blob "hello\n".
        let lfs = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";
        let git = "ce013625030ba8dba906f756967f9e9ca394464a";
        verify_download(&cached(&dir.path().join("a"), lfs, b"hello\n")).unwrap();
        verify_download(&cached(&dir.path().join("b"), git, b"hello\n")).unwrap();
        let damaged = cached(&dir.path().join("c"), lfs, b"hellO\n");
        let err = verify_download(&damaged).unwrap_err().to_string();
        assert!(
            err.contains("arrived damaged") && err.contains(lfs),
            "{err}"
        );
        assert!(!damaged.exists(), "a damaged download is removed");
        // An etag that is not a content hash is not checked.
        verify_download(&cached(&dir.path().join("d"), "\"weak\"", b"x")).unwrap();
    }

    #[test]
    fn offline_flag_reads_like_huggingface_hub() {
        assert!(["1", "ON", "yes", "True"].iter().all(|v| is_truthy(v)));
        assert!(!["0", "off", "no", ""].iter().any(|v| is_truthy(v)));
    }
}
