//! Where a model comes from: a local folder, or a Hugging Face hub repo (fetched by `hub`).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::catalogue::Catalogue;
use super::folder::{self, ModelFiles};
use super::hub::{HubSettings, download};

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

/// The checked files of `source`, downloading what the cache lacks (unless offline).
pub fn resolve(source: &ModelSource, hub: &HubSettings) -> Result<ModelFiles> {
    match source {
        ModelSource::Folder(path) => folder::check_folder(path),
        ModelSource::Hub { repo_id, revision } => {
            let snapshot = download(repo_id, revision, hub, None)?;
            folder::check_folder(&snapshot).with_context(|| {
                format!(
                    "{repo_id}@{revision} in the cache {}",
                    hub.cache_dir.display()
                )
            })
        }
    }
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
}
