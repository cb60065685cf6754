//! Where a model comes from: a local folder, or a Hugging Face hub repo fetched with `hf-hub` into the
//! standard HF cache (shared with Python tools; resumable `.part` downloads; `HF_HUB_OFFLINE` honoured).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use hf_hub::api::sync::{ApiBuilder, ApiRepo};
use hf_hub::{Cache, Repo, RepoType};

use super::catalogue::Catalogue;
use super::folder::{self, ModelFiles};

/// A model as the user names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelSource {
    Folder(PathBuf),
    Hub { repo_id: String, revision: String },
}

impl ModelSource {
    /// An existing directory is a folder; otherwise a catalogue name (`base-augm`) or a hub id, with
    /// an optional `@revision` (a catalogue entry's own revision otherwise, else `main`).
    pub fn parse(spec: &str) -> Result<ModelSource> {
        let spec = spec.trim();
        if Path::new(spec).is_dir() {
            return Ok(ModelSource::Folder(PathBuf::from(spec)));
        }
        let (name, revision) = match spec.split_once('@') {
            Some((n, r)) if !r.is_empty() => (n, Some(r.to_owned())),
            Some(_) => bail!("{spec:?}: the revision after @ is empty"),
            None => (spec, None),
        };
        let catalogue = Catalogue::builtin();
        if let Some(entry) = catalogue.find(name) {
            return Ok(ModelSource::Hub {
                repo_id: entry.hub_id.clone(),
                revision: revision.unwrap_or_else(|| entry.revision.clone()),
            });
        }
        let looks_like_id =
            name.split('/').count() == 2 && !name.starts_with(['.', '/']) && !name.ends_with('/');
        if !looks_like_id {
            let names: Vec<&str> = catalogue.models.iter().map(|m| m.name.as_str()).collect();
            bail!(
                "{spec:?} is neither a folder nor a hub id (owner/name[@revision]); known models: {}",
                names.join(", ")
            );
        }
        Ok(ModelSource::Hub {
            repo_id: name.to_owned(),
            revision: revision.unwrap_or_else(|| "main".into()),
        })
    }

    pub fn default_model() -> ModelSource {
        let catalogue = Catalogue::builtin();
        let entry = catalogue.default_entry();
        ModelSource::Hub {
            repo_id: entry.hub_id.clone(),
            revision: entry.revision.clone(),
        }
    }
}

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

/// The files a checkpoint needs from the hub; weights are tried in this order.
const HUB_FILES: [&str; 3] = [folder::CONFIG, folder::SPIECE, folder::TOKENIZER_CONFIG];
const HUB_WEIGHTS: [&str; 2] = [folder::SAFETENSORS, folder::PYTORCH];

/// The checked files of `source`, downloading what the cache lacks (unless offline).
pub fn resolve(source: &ModelSource, hub: &HubSettings) -> Result<ModelFiles> {
    match source {
        ModelSource::Folder(path) => folder::check_folder(path),
        ModelSource::Hub { repo_id, revision } => {
            let snapshot = fetch(repo_id, revision, hub)?;
            folder::check_folder(&snapshot).with_context(|| {
                format!(
                    "{repo_id}@{revision} in the cache {}",
                    hub.cache_dir.display()
                )
            })
        }
    }
}

/// Makes sure the repo's files are in the cache; returns the snapshot folder holding them.
fn fetch(repo_id: &str, revision: &str, hub: &HubSettings) -> Result<PathBuf> {
    let repo = Repo::with_revision(repo_id.to_owned(), RepoType::Model, revision.to_owned());
    let cache = Cache::new(hub.cache_dir.clone()).repo(repo.clone());
    let preferred_weights = Catalogue::builtin()
        .find(repo_id)
        .filter(|e| e.revision == revision)
        .map(|e| e.weights.clone());
    let cached_weights = preferred_weights
        .iter()
        .map(String::as_str)
        .chain(HUB_WEIGHTS)
        .find_map(|w| cache.get(w));
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

    let api = hub.repo_api(repo, hub.progress)?;
    let download_failed = |file: &str, e: &dyn std::fmt::Display| {
        anyhow!(
            "could not download {file} of {repo_id}@{revision}: {e}. Check the network (an interrupted \
             download resumes on the next try), or download the repo elsewhere and pass its folder"
        )
    };
    let mut config = None;
    for file in HUB_FILES {
        let path = api.get(file).map_err(|e| download_failed(file, &e))?;
        config.get_or_insert(path);
    }
    if cached_weights.is_none() {
        let mut errors = Vec::new();
        let order: Vec<&str> = preferred_weights
            .iter()
            .map(String::as_str)
            .chain(HUB_WEIGHTS)
            .collect();
        let fetched = order.iter().find_map(|w| {
            api.get(w)
                .map_err(|e| errors.push(format!("{w}: {e}")))
                .ok()
        });
        if fetched.is_none() {
            return Err(download_failed("the weights", &errors.join("; ")));
        }
    }
    snapshot_of(&config.expect("HUB_FILES is not empty"))
}

fn snapshot_of(file: &Path) -> Result<PathBuf> {
    file.parent()
        .map(Path::to_path_buf)
        .ok_or_else(|| anyhow!("{} has no folder", file.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/model")
            .join(name)
    }

    fn settings(cache: &Path, offline: bool) -> HubSettings {
        HubSettings {
            cache_dir: cache.to_path_buf(),
            offline,
            // A closed local port: "downloads" fail at once instead of reaching out.
            endpoint: Some("http://127.0.0.1:9".into()),
            progress: false,
        }
    }

    #[test]
    fn names_parse_to_folders_catalogue_entries_and_hub_ids() {
        let folder = fixture("t5-tiny-a");
        assert_eq!(
            ModelSource::parse(folder.to_str().unwrap()).unwrap(),
            ModelSource::Folder(folder)
        );
        let hub = |id: &str, rev: &str| ModelSource::Hub {
            repo_id: id.into(),
            revision: rev.into(),
        };
        let base_augm = "GT4SD/multitask-text-and-chemistry-t5-base-augm";
        assert_eq!(
            ModelSource::parse("base-augm").unwrap(),
            hub(base_augm, "refs/pr/1")
        );
        assert_eq!(
            ModelSource::parse(base_augm).unwrap(),
            hub(base_augm, "refs/pr/1")
        );
        assert_eq!(
            ModelSource::parse(&format!("{base_augm}@main")).unwrap(),
            hub(base_augm, "main")
        );
        assert_eq!(
            ModelSource::parse("me/my-t5").unwrap(),
            hub("me/my-t5", "main")
        );
        assert_eq!(ModelSource::default_model(), hub(base_augm, "refs/pr/1"));
        let err = ModelSource::parse("./no/such/folder")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("neither a folder nor a hub id") && err.contains("small-standard"),
            "{err}"
        );
        assert!(ModelSource::parse("a/b@").is_err());
    }

    #[test]
    fn local_folders_resolve_to_their_checked_files() {
        let files = resolve(
            &ModelSource::Folder(fixture("t5-tiny-b")),
            &settings(Path::new("/nonexistent"), true),
        );
        assert!(files.unwrap().safetensors.is_some());
    }

    #[test]
    fn offline_with_an_empty_cache_says_what_is_missing_and_what_to_do() {
        let cache = tempfile::tempdir().unwrap();
        let source = ModelSource::parse("small-augm").unwrap();
        let err = format!(
            "{:#}",
            resolve(&source, &settings(cache.path(), true)).unwrap_err()
        );
        assert!(
            err.contains("HF_HUB_OFFLINE") && err.contains("small-augm@main"),
            "{err}"
        );
        assert!(
            err.contains("config.json") && err.contains("weights") && err.contains("unset"),
            "{err}"
        );
    }

    /// Lays out `files` in the cache as `huggingface_hub` does: refs/<revision> → snapshots/<commit>/.
    fn populate_cache(cache: &Path, repo_id: &str, revision: &str, files: &[&str]) {
        let repo_dir = cache.join(format!("models--{}", repo_id.replace('/', "--")));
        let commit = "0123456789abcdef0123456789abcdef01234567";
        fs::create_dir_all(repo_dir.join("refs").join(revision).parent().unwrap()).unwrap();
        fs::write(repo_dir.join("refs").join(revision), commit).unwrap();
        let snapshot = repo_dir.join("snapshots").join(commit);
        fs::create_dir_all(&snapshot).unwrap();
        for f in files {
            fs::copy(fixture("t5-tiny-a").join(f), snapshot.join(f)).unwrap();
        }
    }

    #[test]
    fn offline_with_a_complete_cache_resolves_without_the_network() {
        let cache = tempfile::tempdir().unwrap();
        let id = "GT4SD/multitask-text-and-chemistry-t5-base-augm";
        let files = [
            "config.json",
            "spiece.model",
            "tokenizer_config.json",
            "model.safetensors",
        ];
        populate_cache(cache.path(), id, "refs/pr/1", &files);
        let resolved = resolve(
            &ModelSource::parse("base-augm").unwrap(),
            &settings(cache.path(), true),
        )
        .unwrap();
        assert!(resolved.safetensors.is_some() && resolved.pytorch.is_none());
        assert!(resolved.folder.starts_with(cache.path()));
    }

    #[test]
    fn an_unreachable_hub_gives_a_download_error_naming_the_file() {
        let cache = tempfile::tempdir().unwrap();
        let id = "GT4SD/multitask-text-and-chemistry-t5-small-standard";
        populate_cache(cache.path(), id, "main", &["config.json", "spiece.model"]);
        let err = format!(
            "{:#}",
            resolve(
                &ModelSource::parse(id).unwrap(),
                &settings(cache.path(), false)
            )
            .unwrap_err()
        );
        assert!(
            err.contains("could not download tokenizer_config.json") && err.contains("network"),
            "{err}"
        );
    }

    #[test]
    fn offline_flag_reads_like_huggingface_hub() {
        assert!(["1", "ON", "yes", "True"].iter().all(|v| is_truthy(v)));
        assert!(!["0", "off", "no", ""].iter().any(|v| is_truthy(v)));
    }
}
