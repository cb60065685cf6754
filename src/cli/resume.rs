//! What produced a resumable output file, kept in a sidecar beside it (`OUT.textchem.json`), so
//! that resuming with another input, task, model, decoding or shard is refused instead of mixing
//! answers of two runs, and so that `merge` can check the shards it joins.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

/// The settings and input a run's rows depend on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunRecord {
    /// The input file as given, its size and a 64-bit FNV-1a hash of its bytes (the size and
    /// hash identify it).
    pub input: String,
    pub input_bytes: u64,
    pub input_hash: String,
    pub task: String,
    pub column: String,
    /// The model as named on the command line (a folder, catalogue name or hub id@revision).
    pub model: String,
    /// The weight file the answers came from; unknown until the model is loaded.
    #[serde(default)]
    pub weights: Option<String>,
    pub beams: usize,
    pub max_length: usize,
    /// The share of the input rows this output holds; `None` for all of them.
    #[serde(default)]
    pub shard: Option<Shard>,
    /// Data rows in the whole input (every shard's together).
    #[serde(default)]
    pub input_rows: Option<usize>,
}

/// Shard `index` of `count`: the data rows whose 0-based number is `index` modulo `count`.
/// Written `K/N` (`0/3`, `1/3`, `2/3` split an input in three).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    /// Whether the data row with 0-based number `row` belongs to this shard.
    pub fn holds(&self, row: usize) -> bool {
        row % self.count == self.index
    }
}

impl std::str::FromStr for Shard {
    type Err = anyhow::Error;

    fn from_str(s: &str) -> Result<Shard> {
        let parsed = s
            .split_once('/')
            .and_then(|(k, n)| Some((k.trim().parse().ok()?, n.trim().parse().ok()?)));
        match parsed {
            Some((index, count)) if index < count => Ok(Shard { index, count }),
            Some((_, 0)) | None => {
                bail!("shard {s:?} is not K/N with 0 <= K < N (0/3, 1/3 and 2/3 split in three)")
            }
            Some((index, count)) => bail!(
                "shard {index}/{count} does not exist: shards of {count} are numbered 0 to {}",
                count - 1
            ),
        }
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// A shard in words, "all rows" for none.
pub fn shard_name(shard: Option<Shard>) -> String {
    shard.map_or_else(|| "all rows".to_owned(), |s| s.to_string())
}

impl RunRecord {
    /// The differences from `earlier`, as "field: earlier → now" lines; a weight file not yet
    /// known on either side is no difference.
    pub fn differences(&self, earlier: &RunRecord) -> Vec<String> {
        // The same content under another path is the same input.
        let content = |r: &RunRecord| (r.input_bytes, r.input_hash.clone());
        let input = |r: &RunRecord| {
            format!(
                "{}, {} bytes (hash {})",
                r.input, r.input_bytes, r.input_hash
            )
        };
        let (was, now) = if content(earlier) == content(self) {
            Default::default()
        } else {
            (input(earlier), input(self))
        };
        let weights = match (&earlier.weights, &self.weights) {
            (Some(was), Some(now)) => (was.clone(), now.clone()),
            _ => Default::default(),
        };
        [
            ("input", was, now),
            ("task", earlier.task.clone(), self.task.clone()),
            ("column", earlier.column.clone(), self.column.clone()),
            ("model", earlier.model.clone(), self.model.clone()),
            ("weights", weights.0, weights.1),
            ("beams", earlier.beams.to_string(), self.beams.to_string()),
            (
                "max length",
                earlier.max_length.to_string(),
                self.max_length.to_string(),
            ),
            ("shard", shard_name(earlier.shard), shard_name(self.shard)),
        ]
        .into_iter()
        .filter(|(_, was, now)| was != now)
        .map(|(field, was, now)| format!("{field}: {was} → {now}"))
        .collect()
    }
}

/// The sidecar of `output`.
pub fn sidecar_path(output: &Path) -> PathBuf {
    let mut name = output.as_os_str().to_owned();
    name.push(".textchem.json");
    PathBuf::from(name)
}

/// The record of the run that wrote `output`, if there is one.
pub fn read(output: &Path) -> Result<Option<RunRecord>> {
    let path = sidecar_path(output);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let record = serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is damaged; pass --overwrite to start {} again",
            path.display(),
            output.display()
        )
    })?;
    Ok(Some(record))
}

/// Writes the record beside `output` (a temporary file renamed over the old one).
pub fn write(output: &Path, record: &RunRecord) -> Result<()> {
    let path = sidecar_path(output);
    let partial = path.with_extension("json.partial");
    let text = serde_json::to_string_pretty(record)?;
    std::fs::write(&partial, text)
        .and_then(|()| std::fs::rename(&partial, &path))
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Refuses to go on when `output` was written by another run than `now` describes.
pub fn check(output: &Path, earlier: Option<&RunRecord>, now: &RunRecord) -> Result<()> {
    let Some(earlier) = earlier else {
        bail!(
            "{} exists but has no record of the run that wrote it ({}); pass --overwrite to \
             start again, or another --output",
            output.display(),
            sidecar_path(output).display()
        );
    };
    let differences = now.differences(earlier);
    if !differences.is_empty() {
        bail!(
            "{} was written by another run ({}); pass --overwrite to start again, or another \
             --output",
            output.display(),
            differences.join("; ")
        );
    }
    Ok(())
}

/// A 64-bit FNV-1a hash: stable across builds and platforms, and enough to tell two inputs apart.
pub fn fnv1a64(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> RunRecord {
        RunRecord {
            input: "in.csv".into(),
            input_bytes: 10,
            input_hash: fnv1a64(b"smiles\nCCO\n"),
            task: "caption".into(),
            column: "smiles".into(),
            model: "small-augm".into(),
            weights: None,
            beams: 10,
            max_length: 512,
            shard: None,
            input_rows: Some(1),
        }
    }

    #[test]
    fn shards_parse_as_k_of_n_and_split_rows_disjointly() {
        let shards: Vec<Shard> = ["0/3", "1/3", "2/3"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        assert_eq!(shards[1], Shard { index: 1, count: 3 });
        assert_eq!(shards[2].to_string(), "2/3");
        for row in 0..10 {
            assert_eq!(shards.iter().filter(|s| s.holds(row)).count(), 1);
        }
        for bad in ["3/3", "1/0", "1", "a/b", "-1/3"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        let err = "3/3".parse::<Shard>().unwrap_err().to_string();
        assert!(err.contains("0 to 2"), "{err}");
    }

    #[test]
    fn resuming_with_another_shard_is_a_difference() {
        let mut earlier = record();
        earlier.shard = Some(Shard { index: 0, count: 3 });
        let mut now = earlier.clone();
        now.shard = Some(Shard { index: 1, count: 3 });
        let d = now.differences(&earlier).join("\n");
        assert_eq!(d, "shard: 0/3 → 1/3");
        now.shard = None;
        assert_eq!(now.differences(&earlier), ["shard: 0/3 → all rows"]);
    }

    #[test]
    fn fnv1a_matches_its_published_test_vectors() {
        assert_eq!(fnv1a64(b""), "cbf29ce484222325");
        assert_eq!(fnv1a64(b"a"), "af63dc4c8601ec8c");
    }

    #[test]
    fn every_changed_setting_is_named() {
        let earlier = record();
        let mut now = record();
        assert!(now.differences(&earlier).is_empty());
        now.task = "forward".into();
        now.input_hash = fnv1a64(b"other");
        now.beams = 5;
        let d = now.differences(&earlier).join("\n");
        assert!(d.contains("task: caption → forward"), "{d}");
        assert!(d.contains("input: in.csv, 10 bytes"), "{d}");
        assert!(d.contains("beams: 10 → 5"), "{d}");
    }

    #[test]
    fn weights_count_only_when_both_runs_know_them() {
        let mut earlier = record();
        let mut now = record();
        now.weights = Some("model-q4k.gguf".into());
        assert!(now.differences(&earlier).is_empty());
        earlier.weights = Some("model.safetensors".into());
        assert_eq!(now.differences(&earlier).len(), 1);
    }

    #[test]
    fn an_output_without_a_record_is_refused_and_the_record_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.csv");
        assert!(read(&out).unwrap().is_none());
        let err = check(&out, None, &record()).unwrap_err().to_string();
        assert!(err.contains("--overwrite"), "{err}");
        write(&out, &record()).unwrap();
        assert_eq!(read(&out).unwrap(), Some(record()));
        check(&out, Some(&record()), &record()).unwrap();
    }
}
