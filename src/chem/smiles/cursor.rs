//! A byte cursor over SMILES text that reports positions as character offsets.
//!
//! Every SMILES token is ASCII, so the cursor only ever steps over ASCII bytes and always stands
//! on a character boundary; a non-ASCII character is reported where it starts.

use super::error::{SmilesError, SmilesErrorKind};

pub(crate) struct Cursor<'a> {
    text: &'a str,
    pos: usize,
    /// Character offset of `text` within the string the user gave (for parts of a reaction).
    base: usize,
}

impl<'a> Cursor<'a> {
    pub fn new(text: &'a str, base: usize) -> Cursor<'a> {
        Cursor { text, pos: 0, base }
    }

    pub fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    pub fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.text.as_bytes().get(self.pos + ahead).copied()
    }

    pub fn starts_with(&self, s: &str) -> bool {
        self.text.as_bytes()[self.pos..].starts_with(s.as_bytes())
    }

    /// Steps over one ASCII byte (callers only bump after peeking an ASCII byte).
    pub fn bump(&mut self) {
        if self.pos < self.text.len() {
            self.pos += 1;
        }
    }

    pub fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    /// Character offset of the current position in the user's string.
    pub fn offset(&self) -> usize {
        self.base
            + self
                .text
                .get(..self.pos)
                .map_or(self.pos, |s| s.chars().count())
    }

    /// Up to `max` ASCII digits, with the offset where they start; `None` if there are none.
    pub fn digits(&mut self, max: usize) -> Option<(&'a str, usize)> {
        let at = self.offset();
        let start = self.pos;
        while self.pos - start < max && self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        (self.pos > start).then(|| (&self.text[start..self.pos], at))
    }

    /// The ASCII letters starting at character offset `at` (for naming an unknown symbol).
    pub fn letters_from(&self, at: usize) -> String {
        let rest = self.text.chars().skip(at.saturating_sub(self.base));
        rest.take_while(|c| c.is_ascii_alphabetic())
            .take(8)
            .collect()
    }

    pub fn error(&self, kind: SmilesErrorKind) -> SmilesError {
        SmilesError::new(kind, self.offset())
    }

    /// An error naming the character under the cursor (or the end of the input).
    pub fn unexpected(&self) -> SmilesError {
        match self.text.get(self.pos..).and_then(|s| s.chars().next()) {
            Some(c) => self
                .error(SmilesErrorKind::UnexpectedCharacter)
                .with_detail(format!("{c:?}")),
            None => self
                .error(SmilesErrorKind::UnexpectedCharacter)
                .with_detail("(end of input)"),
        }
    }
}
