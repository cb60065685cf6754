//! Input lines as the line-oriented commands read them: bytes first, so one damaged line is an
//! error row with its line number instead of the end of the run. A UTF-8 byte-order mark is
//! dropped, `\r\n` endings are accepted, and a line longer than `MAX_LINE_BYTES` is skipped
//! without being held in memory.

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::Path;

use anyhow::Context;
use rayon::prelude::*;

/// The longest line read; longer ones are reported, not read (a SMILES of a million atoms
/// is far below it).
pub const MAX_LINE_BYTES: usize = 16 << 20;

/// Why a line could not be read as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineError {
    /// The line is not UTF-8: `byte` is the offending value at 1-based byte column `column`.
    NotUtf8 { column: usize, byte: u8 },
    /// The line is longer than `MAX_LINE_BYTES`.
    TooLong { limit: usize },
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LineError::NotUtf8 { column, byte } => write!(
                f,
                "the line is not UTF-8 text (byte 0x{byte:02X} at byte {column}); \
                 convert the file to UTF-8"
            ),
            LineError::TooLong { limit } => {
                write!(f, "the line is longer than {limit} bytes and was skipped")
            }
        }
    }
}

/// The input file, or standard input for `-` or no path.
pub fn open_input(path: Option<&Path>) -> anyhow::Result<Box<dyn BufRead>> {
    Ok(match path {
        Some(path) if path.as_os_str() != "-" => Box::new(BufReader::new(
            File::open(path).with_context(|| format!("cannot open {}", path.display()))?,
        )),
        _ => Box::new(io::stdin().lock()),
    })
}

/// Lines per parallel chunk: enough to keep every core busy, few enough to bound memory.
const CHUNK_LINES: usize = 4096;

/// Text per parallel chunk at most: a file of huge SMILES still holds only this much at once.
const CHUNK_BYTES: usize = 64 << 20;

/// Reads `input` in chunks and computes each line's row with `row` on every core, handing each
/// chunk's rows to `sink` in input order (lines `row` maps to `None`, blank ones, are left
/// out); memory stays bounded by one chunk.
pub fn rows_in_chunks<R: Send>(
    input: impl BufRead,
    row: impl Fn(usize, Result<String, LineError>) -> Option<R> + Sync,
    mut sink: impl FnMut(Vec<R>) -> io::Result<()>,
) -> io::Result<()> {
    let mut lines = Lines::new(input);
    loop {
        let chunk = read_chunk(&mut lines)?;
        if chunk.is_empty() {
            return Ok(());
        }
        let rows: Vec<R> = chunk
            .into_par_iter()
            .filter_map(|(number, text)| row(number, text))
            .collect();
        sink(rows)?;
    }
}

/// The next lines to work on: up to `CHUNK_LINES` lines or `CHUNK_BYTES` of text.
fn read_chunk(lines: &mut Lines<impl BufRead>) -> io::Result<Vec<Line>> {
    let mut chunk = Vec::new();
    let mut bytes = 0;
    while chunk.len() < CHUNK_LINES && bytes < CHUNK_BYTES {
        let Some(line) = lines.next() else { break };
        let line = line?;
        bytes += line.1.as_ref().map_or(0, String::len);
        chunk.push(line);
    }
    Ok(chunk)
}

/// One line: its 1-based number and its text, or why it has none.
pub type Line = (usize, Result<String, LineError>);

/// The lines of `reader`; an `Err` item is a read failure of the stream itself.
pub struct Lines<R> {
    reader: R,
    number: usize,
    limit: usize,
    /// The current line overflowed: the rest of it is skipped before the next one.
    skipping: bool,
    done: bool,
}

impl<R: BufRead> Lines<R> {
    pub fn new(reader: R) -> Self {
        Self::with_limit(reader, MAX_LINE_BYTES)
    }

    pub fn with_limit(reader: R, limit: usize) -> Self {
        Lines {
            reader,
            number: 0,
            limit,
            skipping: false,
            done: false,
        }
    }

    /// Reads up to the next newline into `buf`. Returns whether the line overflowed `limit`
    /// (then the rest of it is skipped on the next call, so its error comes at once even from
    /// an endless line), or `None` at the end of the input.
    fn read_raw(&mut self, buf: &mut Vec<u8>) -> io::Result<Option<bool>> {
        if self.skipping {
            self.consume_line(None)?;
            self.skipping = false;
        }
        Ok(match self.consume_line(Some(buf))? {
            Scanned::End => None,
            Scanned::Line => Some(false),
            Scanned::TooLong => Some(true),
        })
    }

    /// Consumes input through the next newline, appending the line's bytes to `keep` while they
    /// fit in `limit`; with no `keep` the line is only skipped.
    fn consume_line(&mut self, mut keep: Option<&mut Vec<u8>>) -> io::Result<Scanned> {
        let mut any = false;
        loop {
            let chunk = match self.reader.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                return Ok(if any { Scanned::Line } else { Scanned::End });
            }
            any = true;
            let newline = chunk.iter().position(|&b| b == b'\n');
            let part = newline.map_or(chunk, |i| &chunk[..i]);
            let used = newline.map_or(chunk.len(), |i| i + 1);
            let mut too_long = false;
            if let Some(buf) = keep.as_deref_mut() {
                too_long = buf.len() + part.len() > self.limit;
                if too_long {
                    buf.clear();
                } else {
                    buf.extend_from_slice(part);
                }
            }
            self.reader.consume(used);
            if too_long {
                self.skipping = newline.is_none();
                return Ok(Scanned::TooLong);
            }
            if newline.is_some() {
                return Ok(Scanned::Line);
            }
        }
    }
}

/// What `consume_line` found.
enum Scanned {
    End,
    Line,
    TooLong,
}

impl<R: BufRead> Iterator for Lines<R> {
    type Item = io::Result<Line>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let mut buf = Vec::new();
        let overflow = match self.read_raw(&mut buf) {
            Ok(Some(overflow)) => overflow,
            Ok(None) => {
                self.done = true;
                return None;
            }
            Err(e) => {
                self.done = true;
                return Some(Err(e));
            }
        };
        self.number += 1;
        if overflow {
            let limit = self.limit;
            return Some(Ok((self.number, Err(LineError::TooLong { limit }))));
        }
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
        let mut bytes = buf.as_slice();
        if self.number == 1 {
            bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        }
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => Ok(text.to_owned()),
            Err(e) => Err(LineError::NotUtf8 {
                column: e.valid_up_to() + 1,
                byte: bytes[e.valid_up_to()],
            }),
        };
        Some(Ok((self.number, text)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(input: &[u8], limit: usize) -> Vec<Line> {
        Lines::with_limit(input, limit)
            .map(|l| l.unwrap())
            .collect()
    }

    #[test]
    fn lines_keep_their_numbers_past_a_bad_byte() {
        let lines = read(b"CCO a\nC\xE9O b\r\nCCN c", 100);
        assert_eq!(lines[0], (1, Ok("CCO a".into())));
        assert_eq!(
            lines[1],
            (
                2,
                Err(LineError::NotUtf8 {
                    column: 2,
                    byte: 0xE9
                })
            )
        );
        assert_eq!(lines[2], (3, Ok("CCN c".into())));
        assert_eq!(lines.len(), 3);
    }

    #[test]
    fn a_byte_order_mark_is_dropped_from_the_first_line_only() {
        let lines = read(b"\xEF\xBB\xBFCCO\n\xEF\xBB\xBFC\n", 100);
        assert_eq!(lines[0], (1, Ok("CCO".into())));
        assert_eq!(lines[1], (2, Ok("\u{FEFF}C".into())));
    }

    #[test]
    fn an_overlong_line_is_reported_and_the_next_one_read() {
        // A reader with a tiny buffer: the long line arrives in many chunks.
        let input: Vec<u8> = [vec![b'C'; 1000], b"\nCO\n".to_vec()].concat();
        let reader = io::BufReader::with_capacity(16, input.as_slice());
        let lines: Vec<Line> = Lines::with_limit(reader, 100).map(|l| l.unwrap()).collect();
        assert_eq!(lines[0], (1, Err(LineError::TooLong { limit: 100 })));
        assert_eq!(lines[1], (2, Ok("CO".into())));
        assert_eq!(lines.len(), 2);
    }

    #[test]
    fn an_endless_line_is_reported_without_waiting_for_its_end() {
        let mut lines = Lines::with_limit(io::BufReader::new(io::repeat(b'C')), 1000);
        let (number, text) = lines.next().unwrap().unwrap();
        assert_eq!((number, text), (1, Err(LineError::TooLong { limit: 1000 })));
    }

    #[test]
    fn empty_input_has_no_lines_and_a_last_line_needs_no_newline() {
        assert!(read(b"", 10).is_empty());
        assert_eq!(read(b"\n", 10), vec![(1, Ok(String::new()))]);
        assert_eq!(read(b"C", 10), vec![(1, Ok("C".into()))]);
    }
}
