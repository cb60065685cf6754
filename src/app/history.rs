//! Every exchange, saved after each change in the user's data directory (by `history_saver`, off
//! the UI thread; temp file + rename, so a crash leaves the old or the new file, never half of
//! one), restored on start, searchable.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use super::analysis::summarize;
use crate::export::csv::Row;
use crate::model::task::{OutputKind, Task};

/// One ranked answer of the model, as the worker reports it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ResultRecord {
    pub rank: usize,
    pub text: String,
    #[serde(default)]
    pub score: Option<f32>,
    #[serde(default)]
    pub valid: Option<bool>,
    #[serde(default)]
    pub canonical_smiles: Option<String>,
    #[serde(default)]
    pub error: Option<String>,
}

impl From<crate::runtime::engine::RankedOutput> for ResultRecord {
    fn from(r: crate::runtime::engine::RankedOutput) -> ResultRecord {
        ResultRecord {
            rank: r.rank,
            text: r.text,
            score: Some(r.score),
            valid: r.valid,
            canonical_smiles: r.canonical_smiles,
            error: r.error,
        }
    }
}

/// Where an exchange stands.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub enum Status {
    /// Only local chemistry (drawing, properties); the model was not asked.
    #[default]
    Local,
    /// Waiting for the worker's request with this id.
    Running(u64),
    Done,
    Failed(String),
    Cancelled,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Exchange {
    pub id: u64,
    /// RFC 3339, UTC.
    pub timestamp: String,
    /// The task's name (`Task::name`).
    pub task: String,
    pub input: String,
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub results: Vec<ResultRecord>,
    #[serde(default)]
    pub status: Status,
}

impl Exchange {
    pub fn new(id: u64, task: Task, input: &str) -> Exchange {
        Exchange {
            id,
            timestamp: rfc3339_now(),
            task: task.name().to_owned(),
            input: input.trim().to_owned(),
            model: None,
            results: Vec::new(),
            status: Status::Local,
        }
    }

    pub fn task(&self) -> Option<Task> {
        self.task.parse().ok()
    }

    /// Whether `query` (case-insensitive) occurs in the task, input or any output.
    pub fn matches(&self, query: &str) -> bool {
        let q = query.trim().to_lowercase();
        if q.is_empty() {
            return true;
        }
        let hit = |s: &str| s.to_lowercase().contains(&q);
        hit(&self.task)
            || hit(&self.input)
            || self
                .results
                .iter()
                .any(|r| hit(&r.text) || r.canonical_smiles.as_deref().is_some_and(hit))
    }

    /// CSV rows: one per result; an exchange without results gives one row describing its input.
    /// Formula and mass describe the output when it is a SMILES answer, else the input molecule
    /// (a caption's subject).
    pub fn csv_rows(&self) -> Vec<Row> {
        let smiles_out = self
            .task()
            .is_some_and(|t| t.output_kind() == OutputKind::Smiles);
        let base = Row {
            timestamp: self.timestamp.clone(),
            task: self.task.clone(),
            input: self.input.clone(),
            model: self.model.clone(),
            ..Row::default()
        };
        let input_summary = (!smiles_out).then(|| summarize(&self.input));
        if self.results.is_empty() {
            let s = summarize(&self.input);
            return vec![Row {
                valid: Some(s.error.is_none()),
                canonical_smiles: s.canonical,
                formula: s.formula,
                average_mass: s.average_mass,
                ..base
            }];
        }
        self.results
            .iter()
            .map(|r| {
                let s = if smiles_out {
                    summarize(&r.text)
                } else {
                    input_summary.clone().unwrap_or_default()
                };
                Row {
                    rank: Some(r.rank),
                    output: r.text.clone(),
                    valid: if smiles_out {
                        r.valid.or(Some(s.error.is_none()))
                    } else {
                        None
                    },
                    canonical_smiles: if smiles_out {
                        r.canonical_smiles.clone().or(s.canonical)
                    } else {
                        s.canonical
                    },
                    formula: s.formula,
                    average_mass: s.average_mass,
                    score: r.score,
                    ..base.clone()
                }
            })
            .collect()
    }
}

/// The data directory: `TEXTCHEM_DATA_DIR` when set (tests, portable installs), else the
/// platform's user data directory (`~/.local/share/textchem` on Linux).
pub fn data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("TEXTCHEM_DATA_DIR") {
        return PathBuf::from(dir);
    }
    dirs::data_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("textchem")
}

/// history.json: read into a `Vec`, written from a slice.
#[derive(Serialize, Deserialize)]
struct HistoryFile<X> {
    version: u32,
    exchanges: X,
}

/// The saved exchanges and the file they live in.
pub struct History {
    pub path: PathBuf,
    pub exchanges: Vec<Exchange>,
}

impl History {
    /// Reads `history.json` in `dir`; a missing file is an empty history. Requests that were
    /// running when the app stopped are marked as interrupted.
    pub fn load(dir: &Path) -> Result<History> {
        let path = dir.join("history.json");
        let mut exchanges = match std::fs::read_to_string(&path) {
            Ok(text) => {
                serde_json::from_str::<HistoryFile<Vec<Exchange>>>(&text)
                    .with_context(|| format!("reading {}", path.display()))?
                    .exchanges
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
        };
        for x in &mut exchanges {
            if matches!(x.status, Status::Running(_)) {
                x.status = Status::Failed("interrupted: the app closed before the answer".into());
            }
        }
        Ok(History { path, exchanges })
    }

    pub fn next_id(&self) -> u64 {
        self.exchanges.iter().map(|x| x.id).max().unwrap_or(0) + 1
    }

    /// Writes the whole history atomically (see `save_exchanges`).
    pub fn save(&self) -> Result<()> {
        save_exchanges(&self.path, &self.exchanges)
    }
}

/// Writes `exchanges` as a history file at `path`, creating its directory: a temp file in the
/// same directory, then rename.
pub fn save_exchanges(path: &Path, exchanges: &[Exchange]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let json = serde_json::to_vec_pretty(&HistoryFile {
        version: 1,
        exchanges,
    })?;
    write_atomically(path, &json)
}

/// Writes `bytes` to a sibling temp file, syncs it, then renames it over `path`.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    let mut f =
        std::fs::File::create(&tmp).with_context(|| format!("writing {}", tmp.display()))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    drop(f);
    std::fs::rename(&tmp, path).with_context(|| format!("replacing {}", path.display()))
}

pub fn rfc3339_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    rfc3339(secs)
}

/// `secs` since the Unix epoch as `YYYY-MM-DDTHH:MM:SSZ` (Howard Hinnant's civil-from-days).
pub fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc3339_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_597_323), "2026-11-25T09:02:03Z");
    }

    #[test]
    fn saved_history_loads_back_and_running_requests_become_interrupted() {
        let dir = tempfile::tempdir().unwrap();
        let mut h = History::load(dir.path()).unwrap();
        assert!(h.exchanges.is_empty());
        let mut x = Exchange::new(h.next_id(), Task::Caption, " CCO ");
        x.status = Status::Running(3);
        h.exchanges.push(x);
        h.save().unwrap();
        let back = History::load(dir.path()).unwrap();
        assert_eq!(back.exchanges.len(), 1);
        assert_eq!(back.exchanges[0].input, "CCO");
        assert!(
            matches!(back.exchanges[0].status, Status::Failed(ref m) if m.contains("interrupted"))
        );
        assert_eq!(back.next_id(), 2);
        assert!(!dir.path().join("history.tmp").exists());
    }

    #[test]
    fn a_corrupt_history_file_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("history.json"), "{ not json").unwrap();
        let err = format!("{:#}", History::load(dir.path()).err().unwrap());
        assert!(err.contains("history.json"), "{err}");
    }

    #[test]
    fn search_looks_at_inputs_and_outputs_ignoring_case() {
        let mut x = Exchange::new(1, Task::Molecule, "the simplest alcohol");
        x.results.push(ResultRecord {
            rank: 1,
            text: "CO".into(),
            score: Some(-0.1),
            valid: Some(true),
            canonical_smiles: Some("CO".into()),
            error: None,
        });
        assert!(x.matches("ALCOHOL") && x.matches("co") && x.matches(""));
        assert!(!x.matches("benzene"));
    }

    #[test]
    fn csv_rows_describe_smiles_outputs_and_caption_inputs() {
        let mut m = Exchange::new(1, Task::Molecule, "ethanol");
        m.results.push(ResultRecord {
            rank: 1,
            text: "OCC".into(),
            score: Some(-0.5),
            valid: Some(true),
            canonical_smiles: Some("CCO".into()),
            error: None,
        });
        let rows = m.csv_rows();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].formula.as_deref(), Some("C2H6O"));
        assert_eq!(rows[0].canonical_smiles.as_deref(), Some("CCO"));
        let c = Exchange::new(2, Task::Caption, "c1ccccc1");
        let rows = c.csv_rows();
        assert_eq!(
            (rows[0].rank, rows[0].formula.as_deref()),
            (None, Some("C6H6"))
        );
    }
}
