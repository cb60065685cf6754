//! SMARTS substructure patterns (Daylight SMARTS as RDKit reads and matches it).
//!
//! `parse` reads the pattern into query graphs (`query`), `target` prepares a molecule once (the
//! facts primitives ask about, after RDKit's conventions), and `matcher` finds the subgraph
//! matches. Matches are unique by atom set, as RDKit's `GetSubstructMatches(uniquify=True)`
//! gives them, but without its default cap of 1000.

mod matcher;
mod parse;
pub mod query;
mod target;
#[cfg(test)]
mod tests;

use std::fmt;

pub use matcher::MAX_SEARCH_STEPS;
pub use target::PreparedMolecule;

use crate::chem::{AtomIdx, Molecule};
use matcher::{Compiled, Matcher};
use query::QueryGraph;

/// A SMARTS pattern that did not parse: what is wrong and the 0-based character column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmartsError {
    pub message: String,
    pub column: usize,
}

impl SmartsError {
    pub(crate) fn new(message: impl Into<String>, column: usize) -> SmartsError {
        SmartsError {
            message: message.into(),
            column,
        }
    }
}

impl fmt::Display for SmartsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at column {}", self.message, self.column)
    }
}

impl std::error::Error for SmartsError {}

/// A search that tried more candidate atoms than it was allowed (a pattern with very many ways
/// to map, such as many disconnected `*`), with the matches it found before it stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchLimitReached {
    pub max_steps: u64,
    pub found: Vec<Vec<AtomIdx>>,
}

impl fmt::Display for SearchLimitReached {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the search stopped after trying {} candidate atoms ({} matches found so far)",
            self.max_steps,
            self.found.len()
        )
    }
}

impl std::error::Error for SearchLimitReached {}

/// A parsed SMARTS pattern, ready to match.
pub struct Smarts {
    text: String,
    compiled: Compiled,
}

impl fmt::Debug for Smarts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Smarts").field("text", &self.text).finish()
    }
}

impl Smarts {
    /// Reads a SMARTS pattern; surrounding whitespace is an error like any other character.
    pub fn parse(text: &str) -> Result<Smarts, SmartsError> {
        let parsed = parse::parse(text)?;
        let mut graphs = vec![parsed.graph];
        graphs.extend(parsed.recursive);
        Ok(Smarts {
            text: text.to_string(),
            compiled: Compiled::new(graphs),
        })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The query graph (recursive `$(...)` graphs are not included).
    pub fn graph(&self) -> &QueryGraph {
        &self.compiled.graphs[0]
    }

    /// Every match unique by atom set, each listing the molecule atoms in the pattern's atom
    /// order. A search past [`MAX_SEARCH_STEPS`] stops with the matches found so far
    /// ([`Smarts::matches_limited`] says when that happens).
    pub fn matches(&self, mol: &Molecule) -> Vec<Vec<AtomIdx>> {
        self.matches_prepared(&PreparedMolecule::new(mol))
    }

    pub fn matches_prepared(&self, target: &PreparedMolecule) -> Vec<Vec<AtomIdx>> {
        self.matches_limited(target, MAX_SEARCH_STEPS)
            .unwrap_or_else(|partial| partial.found)
    }

    /// As [`Smarts::matches`], trying at most `max_steps` candidate atoms; a search that needs
    /// more is an error carrying the matches found before it stopped.
    pub fn matches_limited(
        &self,
        target: &PreparedMolecule,
        max_steps: u64,
    ) -> Result<Vec<Vec<AtomIdx>>, SearchLimitReached> {
        let mut m = Matcher::new(&self.compiled, target, max_steps);
        let found: Vec<Vec<AtomIdx>> = m
            .unique_matches(usize::MAX)
            .into_iter()
            .map(|m| m.into_iter().map(AtomIdx::new).collect())
            .collect();
        if m.stopped_early() {
            Err(SearchLimitReached { max_steps, found })
        } else {
            Ok(found)
        }
    }

    /// The number of matches unique by atom set (see [`Smarts::matches`] for the step limit).
    pub fn count_unique(&self, mol: &Molecule) -> usize {
        self.count_unique_prepared(&PreparedMolecule::new(mol))
    }

    pub fn count_unique_prepared(&self, target: &PreparedMolecule) -> usize {
        Matcher::new(&self.compiled, target, MAX_SEARCH_STEPS).unique_count()
    }

    /// Whether the pattern occurs in the molecule at all (see [`Smarts::matches`] for the step
    /// limit).
    pub fn is_match(&self, mol: &Molecule) -> bool {
        self.is_match_prepared(&PreparedMolecule::new(mol))
    }

    pub fn is_match_prepared(&self, target: &PreparedMolecule) -> bool {
        !Matcher::new(&self.compiled, target, MAX_SEARCH_STEPS)
            .unique_matches(1)
            .is_empty()
    }
}
