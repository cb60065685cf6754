//! What the user typed → which task to run: a SMILES (or a pasted MOL block) is captioned, a
//! reaction is completed, a procedure paragraph becomes actions, any other text is turned into
//! a molecule.

use crate::chem::smiles::{parse_cxsmiles, parse_molecule, parse_reaction};
use crate::model::task::Task;

/// Past-tense lab verbs that mark experimental procedure text (paragraph2actions style).
const PROCEDURE_WORDS: [&str; 24] = [
    "added",
    "stirred",
    "filtered",
    "washed",
    "dried",
    "cooled",
    "heated",
    "quenched",
    "extracted",
    "concentrated",
    "evaporated",
    "dissolved",
    "refluxed",
    "diluted",
    "poured",
    "collected",
    "purified",
    "warmed",
    "treated",
    "charged",
    "degassed",
    "recrystallized",
    "partitioned",
    "dropwise",
];

/// The task a typed input most likely asks for; none while the box is empty.
pub fn detect(input: &str) -> Option<Task> {
    (!input.trim().is_empty()).then(|| classify(input))
}

/// The task a plain (non-empty) input most likely asks for.
pub fn classify(input: &str) -> Task {
    let s = input.trim();
    if s.is_empty() {
        return Task::Molecule;
    }
    if crate::chem::molfile::looks_like_mol_block(s) {
        return Task::Caption;
    }
    let one_word = !s.contains(char::is_whitespace);
    if one_word
        && crate::chem::smiles::is_reaction(s)
        && (s.ends_with(">>") || parse_reaction(s).is_ok())
    {
        return Task::Forward;
    }
    // Broken SMILES stay SMILES tasks, so the card shows the reader's error.
    if one_word && crate::chem::smiles::is_reaction(s) && looks_like_smiles(s) {
        return Task::Forward;
    }
    if one_word && (parse_molecule(s).is_ok() || looks_like_smiles(s)) {
        return Task::Caption;
    }
    if let Some(smiles) = smiles_before_layer(s) {
        if crate::chem::smiles::is_reaction(smiles) {
            return Task::Forward;
        }
        if parse_cxsmiles(s).is_ok() || looks_like_smiles(smiles) {
            return Task::Caption;
        }
    }
    if looks_like_procedure(s) {
        return Task::Actions;
    }
    Task::Molecule
}

/// Procedure text: lab verbs, or several sentences that do not describe "the molecule".
fn looks_like_procedure(s: &str) -> bool {
    let lower = s.to_lowercase();
    if lower.starts_with("the molecule") || lower.contains("molecule is") {
        return false;
    }
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let verbs = words.iter().filter(|w| PROCEDURE_WORDS.contains(w)).count();
    let sentences = s
        .split_terminator(['.', '!', '?'])
        .filter(|p| p.split_whitespace().count() >= 3)
        .count();
    verbs >= 1 || sentences >= 2
}

/// Whether `input` looks like SMILES the user meant (one token, SMILES characters) even though
/// it may not parse: such input gets the parser's error instead of a text task.
pub fn looks_like_smiles(input: &str) -> bool {
    let s = input.trim();
    !s.is_empty()
        && !s.contains(char::is_whitespace)
        && s.chars()
            .any(|c| "()[]=#@+/\\1234567890".contains(c) || c.is_ascii_uppercase())
        && s.chars().all(|c| c.is_ascii_graphic())
        && !s
            .chars()
            .all(|c| c.is_ascii_alphabetic() && !c.is_ascii_uppercase())
}

/// The SMILES of a SMILES with a CXSMILES layer after it (`C[C@H](O)CC |&1:1|`): one word, then
/// the layer's opening bar.
fn smiles_before_layer(s: &str) -> Option<&str> {
    let (smiles, rest) = s.split_once(char::is_whitespace)?;
    rest.trim_start().starts_with('|').then_some(smiles)
}

/// The text sent to the model for `task`: a reaction's reactants and agents joined by `.` for
/// forward prediction (the training data writes them so), the trimmed input otherwise. A
/// CXSMILES layer after a SMILES is left out: the model was trained on plain SMILES. A MOL
/// block is captioned from its canonical SMILES.
pub fn model_input(task: Task, input: &str) -> String {
    let s = input.trim();
    if task == Task::Caption
        && let Some(smiles) = crate::app::analysis::mol_block_smiles(s)
    {
        return smiles;
    }
    let s = match task {
        Task::Caption | Task::Forward | Task::Retro => smiles_before_layer(s).unwrap_or(s),
        _ => s,
    };
    if task == Task::Forward && crate::chem::smiles::is_reaction(s) {
        let mut parts = s.splitn(3, '>');
        let reactants = parts.next().unwrap_or("");
        let agents = parts.next().unwrap_or("");
        return [reactants, agents]
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(".");
    }
    s.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smiles_are_captioned_and_reactions_completed() {
        assert_eq!(classify("CCO"), Task::Caption);
        assert_eq!(classify("  c1ccccc1C(=O)O \n"), Task::Caption);
        assert_eq!(classify("CCO.CC(=O)O>>"), Task::Forward);
        assert_eq!(classify("CCO.CC(=O)O>[H+]>CCOC(C)=O"), Task::Forward);
    }

    #[test]
    fn smiles_with_a_cxsmiles_layer_are_smiles_and_the_model_reads_them_plain() {
        assert_eq!(classify("C[C@H](O)CC |&1:1|"), Task::Caption);
        assert_eq!(classify("*c1ccccc1 |$_R1;;;;;;$|"), Task::Caption);
        assert_eq!(classify("CC.[OH-]>>CCO |^1:1|"), Task::Forward);
        assert_eq!(
            model_input(Task::Caption, " C[C@H](O)CC |&1:1| "),
            "C[C@H](O)CC"
        );
        assert_eq!(model_input(Task::Forward, "CC.O>>CO |^1:1|"), "CC.O");
        // Prose that happens to hold a bar stays prose.
        assert_eq!(classify("the molecule is | a base"), Task::Molecule);
    }

    #[test]
    fn procedures_become_actions_and_descriptions_molecules() {
        assert_eq!(
            classify("The mixture was stirred for 2 h. It was then filtered and the solid dried."),
            Task::Actions
        );
        assert_eq!(
            classify("Sodium hydride was added to the solution in THF at 0 °C."),
            Task::Actions
        );
        assert_eq!(
            classify("The molecule is a primary alcohol. It is a volatile liquid."),
            Task::Molecule
        );
        assert_eq!(classify("aspirin"), Task::Molecule);
        assert_eq!(classify("a ketone with five carbons"), Task::Molecule);
        assert_eq!(classify("CC(C"), Task::Caption);
    }

    #[test]
    fn a_pasted_mol_block_is_captioned_from_its_canonical_smiles() {
        let block = "ethanol\n  test\n\n  3  2  0  0  0  0  0  0  0  0999 V2000\n    0.0000    0.0000    0.0000 O   0  0  0  0  0  0  0  0  0  0  0  0\n    1.2990    0.7500    0.0000 C   0  0  0  0  0  0  0  0  0  0  0  0\n    2.5981    0.0000    0.0000 C   0  0  0  0  0  0  0  0  0  0  0  0\n  1  2  1  0\n  2  3  1  0\nM  END\n";
        assert_eq!(classify(block), Task::Caption);
        assert_eq!(model_input(Task::Caption, block), "CCO");
        // Untitled, as pasted with its leading blank line trimmed away.
        let untitled = block.replacen("ethanol", "", 1);
        assert_eq!(classify(untitled.trim()), Task::Caption);
        assert_eq!(model_input(Task::Caption, &untitled), "CCO");
    }

    #[test]
    fn an_empty_box_asks_for_no_task() {
        assert_eq!(detect(""), None);
        assert_eq!(detect("  \n "), None);
        assert_eq!(detect("CCO"), Some(Task::Caption));
    }

    #[test]
    fn broken_smiles_are_still_recognised_as_smiles() {
        assert!(looks_like_smiles("CC(C"));
        assert!(looks_like_smiles("c1cccc1X"));
        assert!(!looks_like_smiles("aspirin"));
        assert!(!looks_like_smiles("a ketone"));
    }

    #[test]
    fn forward_inputs_drop_the_arrow_and_keep_agents() {
        assert_eq!(model_input(Task::Forward, "CCO.CC(=O)O>>"), "CCO.CC(=O)O");
        assert_eq!(model_input(Task::Forward, "CCO>[H+]>"), "CCO.[H+]");
        assert_eq!(model_input(Task::Caption, " CCO "), "CCO");
    }
}
