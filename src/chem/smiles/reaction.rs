//! Reaction SMILES: `reactants>agents>products`, species separated by `.`, and `~` joining the
//! fragments of one species (`[Na+]~[OH-]`).

use super::error::{SmilesError, SmilesErrorKind};
use super::{read_molecule, trim};
use crate::chem::mol::Reaction;

/// Whether `s` is reaction SMILES: it has a `>` that is not the head of a dative bond `->`.
/// Only the SMILES is looked at, not a CXSMILES layer or name after it (a label may hold `>`).
pub fn is_reaction(s: &str) -> bool {
    let s = s.trim_start();
    let b = &s.as_bytes()[..s.find([' ', '\t']).unwrap_or(s.len())];
    b.iter()
        .enumerate()
        .any(|(i, &c)| c == b'>' && (i == 0 || b[i - 1] != b'-'))
}

/// Reads `reactants>agents>products`; any of the three parts may be empty.
pub fn parse_reaction(s: &str) -> Result<Reaction, SmilesError> {
    let (text, base) = trim(s);
    read_reaction(text, base)
}

/// Reads reaction SMILES that starts at character offset `base` of the user's string.
pub(crate) fn read_reaction(text: &str, base: usize) -> Result<Reaction, SmilesError> {
    let parts = split_top_level(text, b'>');
    if parts.len() != 3 {
        let offset = parts
            .get(3)
            .map_or(base + text.chars().count(), |p| base + p.1 - 1);
        return Err(SmilesError::new(SmilesErrorKind::BadReaction, offset)
            .with_detail(format!("({} '>' found, 2 expected)", parts.len() - 1)));
    }
    let mut roles = parts
        .into_iter()
        .map(|(part, at)| read_species(part, base + at));
    Ok(Reaction {
        reactants: roles.next().unwrap_or(Ok(Vec::new()))?,
        agents: roles.next().unwrap_or(Ok(Vec::new()))?,
        products: roles.next().unwrap_or(Ok(Vec::new()))?,
    })
}

/// The `.`-separated species of one reaction role (an empty role has none).
fn read_species(part: &str, base: usize) -> Result<Vec<crate::chem::Molecule>, SmilesError> {
    if part.is_empty() {
        return Ok(Vec::new());
    }
    split_top_level(part, b'.')
        .into_iter()
        .map(|(species, at)| {
            if species.is_empty() {
                return Err(SmilesError::new(SmilesErrorKind::Empty, base + at)
                    .with_detail("(empty species between '.'s)"));
            }
            read_molecule(species, base + at)
        })
        .collect()
}

/// Splits at `sep` outside brackets and parentheses; each piece comes with the character offset
/// where it starts.
fn split_top_level(text: &str, sep: u8) -> Vec<(&str, usize)> {
    let mut pieces = Vec::new();
    let (mut start, mut start_char) = (0, 0);
    let (mut depth, mut in_bracket) = (0i32, false);
    let mut previous = None;
    for (chars, (i, c)) in text.char_indices().enumerate() {
        let after = previous.replace(c);
        match c {
            '[' => in_bracket = true,
            ']' => in_bracket = false,
            '(' if !in_bracket => depth += 1,
            ')' if !in_bracket => depth -= 1,
            // The `>` of a dative bond `->` is not a reaction arrow.
            '>' if after == Some('-') => {}
            _ if c as u32 == u32::from(sep) && !in_bracket && depth <= 0 => {
                pieces.push((&text[start..i], start_char));
                start = i + 1;
                start_char = chars + 1;
            }
            _ => {}
        }
    }
    pieces.push((&text[start..], start_char));
    pieces
}
