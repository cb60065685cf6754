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
    /// Fields this build does not know (written by a newer one), kept as they were.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
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
            extra: serde_json::Map::new(),
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
        let (status, error) = match &self.status {
            Status::Local => ("local", None),
            Status::Running(_) => ("running", None),
            Status::Done => ("done", None),
            Status::Failed(m) => ("failed", Some(m.clone())),
            Status::Cancelled => ("cancelled", None),
        };
        let base = Row {
            timestamp: self.timestamp.clone(),
            task: self.task.clone(),
            input: self.input.clone(),
            model: self.model.clone(),
            status: status.to_owned(),
            error,
            ..Row::default()
        };
        // Without an answer only a local look at the input is valid or not: a failed,
        // cancelled or unfinished request is never exported as a valid result.
        let answered = matches!(self.status, Status::Local | Status::Done);
        let input_summary = (!smiles_out).then(|| summarize(&self.input));
        if self.results.is_empty() {
            let s = summarize(&self.input);
            return vec![Row {
                valid: answered.then_some(s.error.is_none()),
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
                    error: r.error.clone().or(base.error.clone()),
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

/// The history file format this build writes; older ones are migrated on load.
pub const HISTORY_VERSION: u64 = 1;

/// The saved exchanges and the file they live in.
pub struct History {
    pub path: PathBuf,
    pub exchanges: Vec<Exchange>,
    /// Top-level fields of the file this build does not know, written back unchanged.
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// What restoring found: the history, and what the user must be told when the file was damaged.
pub struct Restored {
    pub history: History,
    pub notice: Option<String>,
}

impl History {
    pub fn empty(path: PathBuf) -> History {
        History {
            path,
            exchanges: Vec::new(),
            extra: serde_json::Map::new(),
        }
    }

    /// Reads `history.json` in `dir`, entry by entry: every entry that reads is restored, and a
    /// file that is damaged (not JSON, an entry that does not read, a newer version) is moved
    /// aside to `history.json.damaged-<time>` before anything is written, so its bytes survive
    /// and the notice says where they are. A missing file is an empty history. Requests that
    /// were running when the app stopped are marked as interrupted.
    pub fn restore(dir: &Path) -> Restored {
        let path = dir.join("history.json");
        let (mut history, problems) = match std::fs::read(&path) {
            Ok(bytes) => parse_history(&path, &bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                (History::empty(path.clone()), vec![])
            }
            Err(e) => (
                History::empty(path.clone()),
                vec![format!("it cannot be read: {e}")],
            ),
        };
        for x in &mut history.exchanges {
            if matches!(x.status, Status::Running(_)) {
                x.status = Status::Failed("interrupted: the app closed before the answer".into());
            }
        }
        if problems.is_empty() {
            return Restored {
                history,
                notice: None,
            };
        }
        let restored = history.exchanges.len();
        let kept = match move_aside(&path) {
            Ok(aside) => format!("the original is kept as {}", aside.display()),
            Err(e) => {
                // Never write over a file that could not be moved: save beside it instead.
                history.path = dir.join(format!("history-{}.json", file_time()));
                format!(
                    "it could not be moved aside ({e:#}), so new exchanges are saved to {}",
                    history.path.display()
                )
            }
        };
        let notice = format!(
            "{} is damaged: {}. {restored} exchange(s) restored; {kept}.",
            path.display(),
            problems.join("; ")
        );
        Restored {
            history,
            notice: Some(notice),
        }
    }

    pub fn next_id(&self) -> u64 {
        self.exchanges.iter().map(|x| x.id).max().unwrap_or(0) + 1
    }

    /// Writes the whole history atomically (see `save_exchanges`).
    pub fn save(&self) -> Result<()> {
        save_exchanges(&self.path, &self.exchanges, &self.extra)
    }
}

/// The exchanges of a history file that read, and a description of each problem.
fn parse_history(path: &Path, bytes: &[u8]) -> (History, Vec<String>) {
    let mut history = History::empty(path.to_owned());
    let mut file = match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(serde_json::Value::Object(file)) => file,
        Ok(_) => return (history, vec!["it is not a history object".into()]),
        Err(e) => return (history, vec![format!("it is not JSON ({e})")]),
    };
    let mut problems = vec![];
    let version = file.remove("version").and_then(|v| v.as_u64()).unwrap_or(1);
    if version > HISTORY_VERSION {
        problems.push(format!(
            "it was written by a newer textchem (format {version}; this one reads up to \
             {HISTORY_VERSION})"
        ));
    }
    let entries = match file.remove("exchanges") {
        Some(serde_json::Value::Array(entries)) => entries,
        Some(_) => {
            problems.push("its exchanges are not a list".into());
            vec![]
        }
        None => vec![],
    };
    for (i, entry) in entries.into_iter().enumerate() {
        let id = entry
            .get("id")
            .map(|id| format!(" (id {id})"))
            .unwrap_or_default();
        match serde_json::from_value::<Exchange>(migrate(version, entry)) {
            Ok(x) => history.exchanges.push(x),
            Err(e) => problems.push(format!("entry {}{id} does not read: {e}", i + 1)),
        }
    }
    history.extra = file;
    (history, problems)
}

/// An entry of an older format in this build's: format 1 is the current one.
fn migrate(_version: u64, entry: serde_json::Value) -> serde_json::Value {
    entry
}

/// Renames `path` to `<path>.damaged-<time>`; returns the new name.
fn move_aside(path: &Path) -> Result<PathBuf> {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".damaged-{}", file_time()));
    let aside = PathBuf::from(name);
    std::fs::rename(path, &aside)
        .with_context(|| format!("renaming {} to {}", path.display(), aside.display()))?;
    Ok(aside)
}

/// The current time for a file name: RFC 3339 without colons.
fn file_time() -> String {
    rfc3339_now().replace(':', "")
}

/// Writes `exchanges` as a history file at `path`, creating its directory: a temp file in the
/// same directory, then rename.
pub fn save_exchanges(
    path: &Path,
    exchanges: &[Exchange],
    extra: &serde_json::Map<String, serde_json::Value>,
) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut file = extra.clone();
    file.insert("version".into(), HISTORY_VERSION.into());
    file.insert("exchanges".into(), serde_json::to_value(exchanges)?);
    let json = serde_json::to_vec_pretty(&file)?;
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
    use std::path::Path;

    #[test]
    fn timestamps_are_rfc3339_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_597_323), "2026-11-25T09:02:03Z");
    }

    #[test]
    fn saved_history_loads_back_and_running_requests_become_interrupted() {
        let dir = tempfile::tempdir().unwrap();
        let mut h = History::restore(dir.path()).history;
        assert!(h.exchanges.is_empty());
        let mut x = Exchange::new(h.next_id(), Task::Caption, " CCO ");
        x.status = Status::Running(3);
        h.exchanges.push(x);
        h.save().unwrap();
        let back = History::restore(dir.path()).history;
        assert_eq!(back.exchanges.len(), 1);
        assert_eq!(back.exchanges[0].input, "CCO");
        assert!(
            matches!(back.exchanges[0].status, Status::Failed(ref m) if m.contains("interrupted"))
        );
        assert_eq!(back.next_id(), 2);
        assert!(!dir.path().join("history.tmp").exists());
    }

    fn write_history(dir: &Path, text: &str) -> PathBuf {
        let path = dir.join("history.json");
        std::fs::write(&path, text).unwrap();
        path
    }

    /// The files in `dir` whose names start with `history.json.damaged-`.
    fn damaged_copies(dir: &Path) -> Vec<PathBuf> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("history.json.damaged-")
            })
            .collect()
    }

    const TWO_GOOD_ONE_BAD: &str = r#"{"version": 1, "exchanges": [
        {"id": 1, "timestamp": "2026-01-01T00:00:00Z", "task": "caption", "input": "CCO"},
        {"id": 2, "timestamp": 7, "task": "caption", "input": "CCN"},
        {"id": 3, "timestamp": "2026-01-02T00:00:00Z", "task": "molecule", "input": "water"}
    ]}"#;

    #[test]
    fn a_bad_entry_costs_only_itself_and_the_original_bytes_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        write_history(dir.path(), TWO_GOOD_ONE_BAD);
        let Restored { history, notice } = History::restore(dir.path());
        let ids: Vec<u64> = history.exchanges.iter().map(|x| x.id).collect();
        assert_eq!(ids, [1, 3]);
        let notice = notice.unwrap();
        assert!(
            notice.contains("entry 2 (id 2)") && notice.contains("kept as"),
            "{notice}"
        );
        let aside = damaged_copies(dir.path());
        assert_eq!(aside.len(), 1, "{aside:?}");
        assert_eq!(
            std::fs::read_to_string(&aside[0]).unwrap(),
            TWO_GOOD_ONE_BAD
        );
        // A new exchange is saved with the good ones; the damaged copy stays as it was.
        let mut history = history;
        history
            .exchanges
            .push(Exchange::new(4, Task::Caption, "CO"));
        history.save().unwrap();
        let back = History::restore(dir.path());
        assert!(back.notice.is_none());
        assert_eq!(back.history.exchanges.len(), 3);
        assert_eq!(
            std::fs::read_to_string(&aside[0]).unwrap(),
            TWO_GOOD_ONE_BAD
        );
    }

    #[test]
    fn a_file_that_is_not_json_is_moved_aside_and_named() {
        let dir = tempfile::tempdir().unwrap();
        write_history(dir.path(), "{ not json");
        let Restored { history, notice } = History::restore(dir.path());
        assert!(history.exchanges.is_empty());
        let notice = notice.unwrap();
        assert!(
            notice.contains("history.json is damaged") && notice.contains("not JSON"),
            "{notice}"
        );
        assert_eq!(damaged_copies(dir.path()).len(), 1);
        assert!(!dir.path().join("history.json").exists());
    }

    #[test]
    fn unknown_fields_survive_a_save() {
        let dir = tempfile::tempdir().unwrap();
        write_history(
            dir.path(),
            r#"{"version": 1, "pinned": [1], "exchanges": [{"id": 1, "timestamp": "t",
                "task": "caption", "input": "CCO", "tags": ["ester"]}]}"#,
        );
        let Restored { history, notice } = History::restore(dir.path());
        assert!(notice.is_none());
        history.save().unwrap();
        let text = std::fs::read_to_string(dir.path().join("history.json")).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(json["pinned"], serde_json::json!([1]));
        assert_eq!(json["exchanges"][0]["tags"], serde_json::json!(["ester"]));
        assert_eq!(json["version"], serde_json::json!(HISTORY_VERSION));
    }

    #[test]
    fn a_newer_format_is_kept_aside_and_what_reads_is_restored() {
        let dir = tempfile::tempdir().unwrap();
        let text = r#"{"version": 9, "exchanges": [{"id": 5, "timestamp": "t",
            "task": "caption", "input": "CCO"}]}"#;
        write_history(dir.path(), text);
        let Restored { history, notice } = History::restore(dir.path());
        assert_eq!(history.exchanges.len(), 1);
        assert!(notice.unwrap().contains("newer textchem (format 9"));
        assert_eq!(damaged_copies(dir.path()).len(), 1);
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
