//! Checks a PyTorch archive (`pytorch_model.bin`) before candle reads it.
//!
//! candle's pickle reader trusts the lengths in the file: a string opcode claiming 4 GiB gets a
//! 4 GiB buffer before the read fails, and a tensor whose shape exceeds its storage gets a buffer
//! of the shape's size (an allocation failure aborts the process; no panic handler sees it).
//! Walking the opcodes and comparing every tensor with its archive entry first turns both into
//! an error that says where the file is wrong.

use anyhow::{Context, Result, bail};
use std::io::Read;
use std::path::Path;

/// Pickles of real checkpoints are a few hundred KB; a larger one is not a state dict.
const MAX_PICKLE_BYTES: u64 = 64 << 20;

/// Validates the archive's pickles and every tensor's extent; candle may read it afterwards.
pub fn check(path: &Path) -> Result<()> {
    let file = std::fs::File::open(path)?;
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file))
        .context("the PyTorch archive is not a readable zip")?;
    let mut pickles = vec![];
    for name in zip.file_names() {
        let name = name?;
        if name.ends_with("data.pkl") {
            pickles.push(name.into_owned());
        }
    }
    if pickles.is_empty() {
        bail!("the PyTorch archive holds no data.pkl");
    }
    for name in &pickles {
        let entry = zip.by_name(name)?;
        if entry.size() > MAX_PICKLE_BYTES {
            bail!(
                "{name} in the PyTorch archive is {} bytes; a state dict's pickle is far smaller",
                entry.size()
            );
        }
        let mut bytes = Vec::with_capacity(entry.size() as usize);
        entry.take(MAX_PICKLE_BYTES).read_to_end(&mut bytes)?;
        walk_opcodes(&bytes).with_context(|| format!("{name} in the PyTorch archive"))?;
    }
    for info in candle_core::pickle::read_pth_tensor_info(path, false, None)? {
        let available = zip
            .by_name(&info.path)
            .with_context(|| {
                format!(
                    "tensor {} is stored in {}, which the archive lacks",
                    info.name, info.path
                )
            })?
            .size();
        let needed = info
            .layout
            .dims()
            .iter()
            .try_fold(info.dtype.size_in_bytes() as u64, |n, &d| {
                n.checked_mul(d as u64)
            })
            .and_then(|n| n.checked_add(info.layout.start_offset() as u64));
        match needed {
            Some(needed) if needed <= available => {}
            _ => bail!(
                "tensor {} of shape {:?} needs more than the {available} bytes of {}",
                info.name,
                info.layout.dims(),
                info.path
            ),
        }
    }
    Ok(())
}

/// How an opcode's argument is laid out (pickle protocols 0 to 5).
enum Argument {
    None,
    Fixed(usize),
    /// A little-endian length of this many bytes, then that many bytes.
    Counted(usize),
    /// Text up to a newline, this many times.
    Lines(usize),
}

fn argument(op: u8) -> Option<Argument> {
    use Argument::*;
    Some(match op {
        b'(' | b'.' | b'0' | b'1' | b'2' | b'N' | b'R' | b'b' | b'}' | b']' | b')' | b'a'
        | b'e' | b'd' | b'l' | b't' | b's' | b'u' | b'Q' | b'o' => None,
        0x81 | 0x85..=0x89 | 0x8f..=0x94 | 0x97 | 0x98 => None,
        b'K' | b'h' | b'q' | 0x80 | 0x82 => Fixed(1),
        b'M' | 0x83 => Fixed(2),
        b'J' | b'j' | b'r' | 0x84 => Fixed(4),
        b'G' | 0x95 => Fixed(8),
        b'U' | b'C' | 0x8c | 0x8a => Counted(1),
        b'T' | b'X' | b'B' | 0x8b => Counted(4),
        0x8d | 0x8e | 0x96 => Counted(8),
        b'I' | b'L' | b'S' | b'V' | b'F' | b'P' | b'g' | b'p' => Lines(1),
        b'c' | b'i' => Lines(2),
        _ => return Option::None,
    })
}

/// Steps over every opcode up to STOP, checking that each argument lies inside the pickle.
fn walk_opcodes(bytes: &[u8]) -> Result<()> {
    let mut at = 0usize;
    while let Some(&op) = bytes.get(at) {
        let start = at;
        at += 1;
        let rest = bytes.len() - at;
        let Some(arg) = argument(op) else {
            bail!("unknown pickle opcode 0x{op:02x} at byte {start}");
        };
        let claimed = match arg {
            Argument::None => 0,
            Argument::Fixed(n) => n,
            Argument::Counted(width) => {
                if rest < width {
                    bail!("pickle opcode 0x{op:02x} at byte {start} is cut off");
                }
                let mut len = [0u8; 8];
                len[..width].copy_from_slice(&bytes[at..at + width]);
                at += width;
                let len = u64::from_le_bytes(len);
                if len > (bytes.len() - at) as u64 {
                    bail!(
                        "pickle opcode 0x{op:02x} at byte {start} claims {len} bytes; {} remain",
                        bytes.len() - at
                    );
                }
                len as usize
            }
            Argument::Lines(n) => {
                let mut end = at;
                for _ in 0..n {
                    match bytes[end..].iter().position(|&b| b == b'\n') {
                        Some(i) => end += i + 1,
                        None => bail!("pickle opcode 0x{op:02x} at byte {start} is cut off"),
                    }
                }
                end - at
            }
        };
        if claimed > bytes.len() - at {
            bail!("pickle opcode 0x{op:02x} at byte {start} is cut off");
        }
        at += claimed;
        if op == b'.' {
            return Ok(());
        }
    }
    bail!("the pickle ends without its STOP opcode")
}

#[cfg(test)]
mod tests {
    use super::walk_opcodes;

    #[test]
    fn a_well_formed_pickle_passes() {
        let pickle =
            b"\x80\x02}X\x0d\x00\x00\x00shared.weightctorch._utils\n_rebuild_tensor_v2\n(K\x00tRs.";
        walk_opcodes(pickle).unwrap();
    }

    #[test]
    fn a_length_past_the_end_names_the_opcode_and_byte() {
        let err = walk_opcodes(b"\x80\x02X\xf0\xff\xff\xffab.").unwrap_err();
        assert_eq!(
            err.to_string(),
            "pickle opcode 0x58 at byte 2 claims 4294967280 bytes; 3 remain"
        );
    }

    #[test]
    fn truncated_and_unknown_opcodes_are_errors() {
        assert!(walk_opcodes(b"\x80\x02J\x01").is_err());
        assert!(walk_opcodes(b"ctorch\n").is_err());
        assert!(walk_opcodes(b"\x80\x02}").is_err());
        let err = walk_opcodes(b"\x80\x02\xff.").unwrap_err().to_string();
        assert!(
            err.contains("unknown pickle opcode 0xff at byte 2"),
            "{err}"
        );
    }
}
