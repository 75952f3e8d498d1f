//! The mounts of breachkit's mount namespace, from `/proc/self/mountinfo` (a bind
//! mount over `/proc/PID` hides a process; a tmpfs over a directory hides files).

use super::LiveError;
use breachkit_finding::escape_bytes;
use serde::{Deserialize, Serialize};
use std::io::Read;

/// The most of `mountinfo` that is read.
const MAX_MOUNTINFO_BYTES: u64 = 16 << 20;
const PATH: &str = "/proc/self/mountinfo";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Mount {
    pub id: u32,
    pub parent: u32,
    /// `major:minor`.
    pub device: String,
    /// The directory of the file system mounted here (`/` unless a bind mount).
    pub root: String,
    pub mount_point: String,
    pub options: String,
    /// Propagation (`shared:1`, `master:2` …).
    pub optional: Vec<String>,
    pub fs_type: String,
    pub source: String,
    pub super_options: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Mounts {
    pub mounts: Vec<Mount>,
    /// Lines that did not parse, escaped.
    pub unparsed: Vec<String>,
    /// `mountinfo` was larger than 16 MiB; only its start was read.
    pub capped: bool,
}

/// A field with the kernel's octal escapes (`\040` for a space) decoded, then
/// escaped losslessly.
fn field(raw: &[u8]) -> String {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while let Some(&b) = raw.get(i) {
        let octal = raw
            .get(i + 1..i + 4)
            .filter(|d| b == b'\\' && d.iter().all(|c| (b'0'..=b'7').contains(c)))
            .and_then(|d| u8::from_str_radix(std::str::from_utf8(d).ok()?, 8).ok());
        match octal {
            Some(decoded) => {
                out.push(decoded);
                i += 4;
            }
            None => {
                out.push(b);
                i += 1;
            }
        }
    }
    escape_bytes(&out)
}

/// One line: `id parent major:minor root mount-point options [optional…] - type
/// source super-options`.
fn parse_line(line: &[u8]) -> Option<Mount> {
    let f: Vec<&[u8]> = line.split(|&b| b == b' ').collect();
    let dash = f.iter().position(|&x| x == b"-")?;
    let number = |x: &[u8]| std::str::from_utf8(x).ok()?.parse().ok();
    Some(Mount {
        id: number(f.first()?)?,
        parent: number(f.get(1)?)?,
        device: field(f.get(2)?),
        root: field(f.get(3)?),
        mount_point: field(f.get(4)?),
        options: field(f.get(5)?),
        optional: f.get(6..dash)?.iter().map(|x| field(x)).collect(),
        fs_type: field(f.get(dash + 1)?),
        source: field(f.get(dash + 2)?),
        super_options: field(f.get(dash + 3)?),
    })
}

pub(super) fn parse_mountinfo(text: &[u8]) -> (Vec<Mount>, Vec<String>) {
    let mut mounts = Vec::new();
    let mut unparsed = Vec::new();
    for line in text.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        match parse_line(line) {
            Some(mount) => mounts.push(mount),
            None => unparsed.push(escape_bytes(line)),
        }
    }
    (mounts, unparsed)
}

/// The mounts breachkit sees.
pub fn mounts() -> Result<Mounts, LiveError> {
    let mut bytes = Vec::new();
    std::fs::File::open(PATH)
        .and_then(|f| f.take(MAX_MOUNTINFO_BYTES).read_to_end(&mut bytes))
        .map_err(|e| LiveError::io(PATH, e))?;
    let (mounts, unparsed) = parse_mountinfo(&bytes);
    Ok(Mounts {
        mounts,
        unparsed,
        capped: bytes.len() as u64 >= MAX_MOUNTINFO_BYTES,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mountinfo_lines_parse() {
        let text = b"36 35 98:0 /mnt1 /mnt\\040two rw,noatime master:1 shared:2 - ext3 /dev/root rw,errors=continue\n\
27 1 0:21 / /proc rw,relatime - proc proc rw\n\
broken line\n";
        let (mounts, unparsed) = parse_mountinfo(text);
        assert_eq!(mounts.len(), 2);
        assert_eq!(mounts[0].mount_point, "/mnt two");
        assert_eq!(mounts[0].optional, vec!["master:1", "shared:2"]);
        assert_eq!(mounts[0].fs_type, "ext3");
        assert_eq!(mounts[0].super_options, "rw,errors=continue");
        assert!(mounts[1].optional.is_empty());
        assert_eq!(unparsed, vec!["broken line"]);
    }
}
