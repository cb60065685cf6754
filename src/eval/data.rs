//! Reading evaluation data in the data sets' own formats, as (model input, reference) pairs for
//! a task:
//! - ChEBI-20 TSV (`CID`, `SMILES`, `description`): caption reads SMILES and answers the
//!   description; molecule the other way. A doubled backslash in its SMILES is read as one.
//! - USPTO TSV (`reactants`, `product`, and `reagents` for USPTO-MIT): forward reads the
//!   reactants (with the reagents, `.`-joined) and answers the product; retro the other way.
//! - paragraph2actions `src-*.txt` with `tgt-*.txt` beside it: one sentence and its actions per line.
//! - GT4SD JSONL samples (`{"source": prompt + input, "target": ...}`): the lines whose prompt is
//!   the task's, the prompt removed.

use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::model::task::Task;

#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    pub input: String,
    pub reference: String,
}

pub fn read_examples(path: &Path, task: Task) -> Result<Vec<Example>> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name.ends_with(".jsonl") {
        let text = read_text(path)?;
        return gt4sd_examples(path, &text, task);
    }
    if let Some(rest) = name.strip_prefix("src-") {
        let target = path.with_file_name(format!("tgt-{rest}"));
        return paragraph_examples(path, &target, task);
    }
    let text = read_text(path)?;
    table_examples(path, &text, task)
}

fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path)
        .with_context(|| format!("cannot read {} as UTF-8 text", path.display()))
}

fn gt4sd_examples(path: &Path, text: &str, task: Task) -> Result<Vec<Example>> {
    #[derive(serde::Deserialize)]
    struct Sample {
        source: String,
        target: String,
    }
    let mut examples = vec![];
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let sample: Sample = serde_json::from_str(line).with_context(|| {
            format!(
                "line {} of {} is not a {{\"source\", \"target\"}} object",
                i + 1,
                path.display()
            )
        })?;
        if let Some(input) = sample.source.strip_prefix(task.prefix()) {
            examples.push(Example {
                input: input.to_owned(),
                reference: sample.target,
            });
        }
    }
    if examples.is_empty() {
        bail!(
            "{} has no sample whose prompt starts {:?}",
            path.display(),
            task.prefix()
        );
    }
    Ok(examples)
}

fn paragraph_examples(source: &Path, target: &Path, task: Task) -> Result<Vec<Example>> {
    if task != Task::Actions {
        bail!(
            "{} is a paragraph2actions source file: only --task actions reads it",
            source.display()
        );
    }
    let sources = read_text(source)?;
    let targets = read_text(target)
        .with_context(|| format!("{} needs its targets beside it", source.display()))?;
    let sources: Vec<&str> = sources.lines().collect();
    let targets: Vec<&str> = targets.lines().collect();
    if sources.len() != targets.len() {
        bail!(
            "{} has {} lines but {} has {}: they must pair line by line",
            source.display(),
            sources.len(),
            target.display(),
            targets.len()
        );
    }
    Ok(sources
        .iter()
        .zip(&targets)
        .map(|(s, t)| Example {
            input: s.to_string(),
            reference: t.to_string(),
        })
        .collect())
}

fn table_examples(path: &Path, text: &str, task: Task) -> Result<Vec<Example>> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .quoting(false)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .with_context(|| format!("cannot read the header row of {}", path.display()))?
        .clone();
    let column = |name: &str| headers.iter().position(|h| h.trim() == name);
    let (input, reference, extra) = match (
        task,
        column("SMILES"),
        column("description"),
        column("reactants"),
        column("product"),
    ) {
        (Task::Caption, Some(s), Some(d), _, _) => (s, d, None),
        (Task::Molecule, Some(s), Some(d), _, _) => (d, s, None),
        (Task::Forward, _, _, Some(r), Some(p)) => (r, p, column("reagents")),
        (Task::Retro, _, _, Some(r), Some(p)) => (p, r, None),
        _ => bail!(
            "{} (columns: {}) is not a data set --task {} reads: a ChEBI-20 TSV (SMILES, description) for caption \
             and molecule, a USPTO TSV (reactants, product) for forward and retro, a src-*.txt paragraph2actions \
             file for actions, or GT4SD .jsonl samples",
            path.display(),
            headers.iter().collect::<Vec<_>>().join(", "),
            task.name()
        ),
    };
    let smiles_column = match task {
        Task::Caption => Some(input),
        Task::Molecule => Some(reference),
        _ => None,
    };
    let mut examples = vec![];
    for record in reader.records() {
        let record =
            record.with_context(|| format!("{} is not a valid TSV file", path.display()))?;
        let line = record.position().map_or(0, |p| p.line());
        let cell = |i: usize| -> Result<String> {
            let text = record
                .get(i)
                .with_context(|| format!("line {line} of {} has too few fields", path.display()))?;
            // ChEBI-20 writes some `\` bonds as an escaped `\\`.
            Ok(if Some(i) == smiles_column {
                text.replace("\\\\", "\\")
            } else {
                text.to_owned()
            })
        };
        let mut model_input = cell(input)?;
        if let Some(extra) = extra {
            let reagents = cell(extra)?;
            if !reagents.is_empty() {
                model_input = format!("{model_input}.{reagents}");
            }
        }
        examples.push(Example {
            input: model_input,
            reference: cell(reference)?,
        });
    }
    Ok(examples)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chebi_rows_unescape_backslashes_and_swap_by_task() {
        let text = "CID\tSMILES\tdescription\n1\tC/C=C\\\\C\tA \"butene\".\n";
        let caption = table_examples(Path::new("t.txt"), text, Task::Caption).unwrap();
        assert_eq!(
            caption[0],
            Example {
                input: "C/C=C\\C".into(),
                reference: "A \"butene\".".into()
            }
        );
        let molecule = table_examples(Path::new("t.txt"), text, Task::Molecule).unwrap();
        assert_eq!(molecule[0].reference, "C/C=C\\C");
        let err = table_examples(Path::new("t.txt"), text, Task::Forward).unwrap_err();
        assert!(err.to_string().contains("USPTO TSV"), "{err}");
    }

    #[test]
    fn uspto_forward_joins_reagents() {
        let text = "idx\treactants\treagents\tproduct\n0\tCC.O\tN\tCCO\n1\tCC\t\tC\n";
        let f = table_examples(Path::new("t.tsv"), text, Task::Forward).unwrap();
        assert_eq!(f[0].input, "CC.O.N");
        assert_eq!(f[1].input, "CC");
        let r = table_examples(Path::new("t.tsv"), text, Task::Retro).unwrap();
        assert_eq!(
            r[0],
            Example {
                input: "CCO".into(),
                reference: "CC.O".into()
            }
        );
    }

    #[test]
    fn gt4sd_lines_of_the_task_lose_their_prompt() {
        let text = format!(
            "{}\n{}\n",
            serde_json::json!({"source": format!("{}CCO", Task::Caption.prefix()), "target": "ethanol"}),
            serde_json::json!({"source": format!("{}ethanol", Task::Molecule.prefix()), "target": "CCO"})
        );
        let e = gt4sd_examples(Path::new("s.jsonl"), &text, Task::Caption).unwrap();
        assert_eq!(
            e,
            [Example {
                input: "CCO".into(),
                reference: "ethanol".into()
            }]
        );
        assert!(gt4sd_examples(Path::new("s.jsonl"), &text, Task::Forward).is_err());
        assert!(gt4sd_examples(Path::new("s.jsonl"), "{", Task::Caption).is_err());
    }
}
