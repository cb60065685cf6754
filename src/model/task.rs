//! The five Text+Chem T5 tasks: how an input becomes a prompt, and how generated ids become a cleaned,
//! checked answer.

use std::fmt;
use std::str::FromStr;

use anyhow::{Result, anyhow, bail};
use serde::Serialize;
use tokenizers::Tokenizer;

use crate::chem::canon::{canonical_reaction_smiles, canonical_smiles};
use crate::chem::smiles::{parse_molecule, parse_reaction};

/// A task is chosen by the prompt prefix the model was trained with (Christofidellis et al., 2023).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Task {
    /// Reactants (and reagents) → product SMILES.
    Forward,
    /// Product → reactant SMILES.
    Retro,
    /// Experimental paragraph → action sequence text.
    Actions,
    /// Description → SMILES.
    Molecule,
    /// SMILES → description.
    Caption,
}

/// What a task's answer is, which decides how it is cleaned and whether it is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputKind {
    Smiles,
    Text,
}

impl Task {
    pub const ALL: [Task; 5] = [
        Task::Forward,
        Task::Retro,
        Task::Actions,
        Task::Molecule,
        Task::Caption,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Task::Forward => "forward",
            Task::Retro => "retro",
            Task::Actions => "actions",
            Task::Molecule => "molecule",
            Task::Caption => "caption",
        }
    }

    /// The exact prompt prefix, trailing space included (as in the authors' training data).
    pub fn prefix(self) -> &'static str {
        match self {
            Task::Forward => "Predict the product of the following reaction: ",
            Task::Retro => "Predict the reaction that produces the following product: ",
            Task::Actions => "Which actions are described in the following paragraph: ",
            Task::Molecule => "Write in SMILES the described molecule: ",
            Task::Caption => "Caption the following SMILES: ",
        }
    }

    pub fn output_kind(self) -> OutputKind {
        match self {
            Task::Forward | Task::Retro | Task::Molecule => OutputKind::Smiles,
            Task::Actions | Task::Caption => OutputKind::Text,
        }
    }

    /// The prompt for `input`: the prefix, then the input without surrounding whitespace (a pasted
    /// newline or space would otherwise add a `▁` token the model never saw after the prefix).
    /// The tokenizer's post-processor appends `</s>`.
    pub fn prompt(self, input: &str) -> Result<String> {
        let input = input.trim();
        if input.is_empty() {
            bail!(
                "the {} task needs an input; got an empty string",
                self.name()
            );
        }
        Ok(format!("{}{input}", self.prefix()))
    }
}

impl fmt::Display for Task {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Task {
    type Err = anyhow::Error;

    fn from_str(s: &str) -> Result<Self> {
        Task::ALL
            .into_iter()
            .find(|t| t.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Task::ALL.iter().map(|t| t.name()).collect();
                anyhow!("unknown task {s:?}; expected one of {}", names.join(", "))
            })
    }
}

/// The answer text for generated `ids` (decoder start, `</s>` and padding included or not).
///
/// SMILES: T5's vocabulary has no backslash, so the model writes `<unk>` where SMILES has `\`; every
/// `<unk>` is turned into `\` before the other special tokens are dropped (skipping special tokens
/// would drop `<unk>` too). Text: special tokens, `<unk>` included, are skipped as HF's
/// `decode(skip_special_tokens=True)` does.
pub fn clean_output(task: Task, tokenizer: &Tokenizer, ids: &[u32]) -> Result<String> {
    let text = match task.output_kind() {
        OutputKind::Text => tokenizer
            .decode(ids, true)
            .map_err(|e| anyhow!("decoding: {e}"))?,
        OutputKind::Smiles => {
            let unk = tokenizer.token_to_id("<unk>");
            let special = tokenizer.get_added_tokens_decoder();
            let kept: Vec<u32> = ids
                .iter()
                .copied()
                .filter(|id| Some(*id) == unk || !special.get(id).is_some_and(|t| t.special))
                .collect();
            let decoded = tokenizer
                .decode(&kept, false)
                .map_err(|e| anyhow!("decoding: {e}"))?;
            decoded.replace("<unk>", "\\")
        }
    };
    Ok(text.trim().to_owned())
}

/// The chemistry core's verdict on a SMILES answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SmilesCheck {
    pub valid: bool,
    pub canonical_smiles: Option<String>,
    /// The reader's error (what and at which column) when not valid.
    pub error: Option<String>,
}

/// Reads `smiles` (a reaction when it contains `>`) and canonicalises it.
pub fn check_smiles(smiles: &str) -> SmilesCheck {
    let canonical = if crate::chem::smiles::is_reaction(smiles) {
        parse_reaction(smiles).map(|r| canonical_reaction_smiles(&r))
    } else {
        parse_molecule(smiles).map(|m| canonical_smiles(&m))
    };
    match canonical {
        Ok(c) => SmilesCheck {
            valid: true,
            canonical_smiles: Some(c),
            error: None,
        },
        Err(e) => SmilesCheck {
            valid: false,
            canonical_smiles: None,
            error: Some(e.to_string()),
        },
    }
}

/// One cleaned answer, checked when the task answers in SMILES.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskOutput {
    pub text: String,
    pub smiles: Option<SmilesCheck>,
}

pub fn interpret_output(task: Task, tokenizer: &Tokenizer, ids: &[u32]) -> Result<TaskOutput> {
    let text = clean_output(task, tokenizer, ids)?;
    let smiles = (task.output_kind() == OutputKind::Smiles).then(|| check_smiles(&text));
    Ok(TaskOutput { text, smiles })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tokenizer::build_from_folder;
    use std::path::Path;

    fn tokenizer() -> Tokenizer {
        build_from_folder(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/model/t5-tiny-a"),
        )
        .unwrap()
    }

    /// Ids as the model generates them: decoder start `<pad>`, the answer, `</s>`, then padding.
    fn generated(tokenizer: &Tokenizer, answer: &str) -> Vec<u32> {
        let mut ids = vec![0];
        ids.extend(tokenizer.encode(answer, true).unwrap().get_ids());
        ids.extend([0, 0]);
        ids
    }

    #[test]
    fn task_names_round_trip_and_unknown_names_list_the_choices() {
        for task in Task::ALL {
            assert_eq!(task.name().parse::<Task>().unwrap(), task);
        }
        let err = "reverse".parse::<Task>().unwrap_err().to_string();
        assert!(
            err.contains("reverse") && err.contains("forward, retro, actions, molecule, caption"),
            "{err}"
        );
    }

    #[test]
    fn prompts_are_prefix_plus_trimmed_input_and_end_with_eos() {
        let prompt = Task::Caption.prompt("  CCO\n").unwrap();
        assert_eq!(prompt, "Caption the following SMILES: CCO");
        let tok = tokenizer();
        let ids = tok
            .encode(prompt.as_str(), true)
            .unwrap()
            .get_ids()
            .to_vec();
        assert_eq!(ids.last(), tok.token_to_id("</s>").as_ref());
        assert!(
            Task::Forward
                .prompt(" \t")
                .unwrap_err()
                .to_string()
                .contains("forward")
        );
    }

    #[test]
    fn unk_in_smiles_answers_becomes_a_backslash_and_specials_are_dropped() {
        let tok = tokenizer();
        let ids = generated(&tok, "F/C=C\\F");
        assert!(ids.contains(&tok.token_to_id("<unk>").unwrap()));
        let out = interpret_output(Task::Molecule, &tok, &ids).unwrap();
        assert_eq!(out.text, "F/C=C\\F");
        let check = out.smiles.unwrap();
        assert!(check.valid, "{check:?}");
        // The same cis isomer written the other way round canonicalises to the same string.
        assert_eq!(
            check.canonical_smiles,
            check_smiles("F\\C=C/F").canonical_smiles
        );
    }

    #[test]
    fn text_answers_skip_every_special_token_and_are_not_checked() {
        let tok = tokenizer();
        let ids = generated(&tok, "The molecule is an acid {x}.");
        let out = interpret_output(Task::Caption, &tok, &ids).unwrap();
        assert_eq!(out.text, "The molecule is an acid x.");
        assert_eq!(out.smiles, None);
    }

    #[test]
    fn invalid_smiles_answers_carry_the_readers_error() {
        let tok = tokenizer();
        let out = interpret_output(Task::Retro, &tok, &generated(&tok, "CC(C")).unwrap();
        let check = out.smiles.unwrap();
        assert!(!check.valid && check.canonical_smiles.is_none());
        assert!(
            check.error.as_deref().unwrap().contains("column"),
            "{check:?}"
        );
        assert!(!check_smiles("").valid);
    }

    #[test]
    fn reaction_answers_are_checked_as_reactions() {
        let check = check_smiles("CCO.OC(C)=O>>CCOC(C)=O");
        assert!(check.valid, "{check:?}");
        assert!(check.canonical_smiles.unwrap().contains(">>"));
    }
}
