//! A summary of a process's memory maps (`/proc/PID/maps`): how many mappings, how
//! many distinct files are mapped, how much executable memory belongs to no file
//! (injected or unpacked code lives there), and which mapped files are deleted (a
//! library loaded and then removed).

use breachkit_detect::processes::{ReadError, read_bounded};
use breachkit_finding::escape_bytes;
use procfs::process::Process;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The most of a maps file that is read (a few hundred lines is usual; the kernel
/// allows 65,530 mappings).
const MAX_MAPS_BYTES: u64 = 8 << 20;
/// The most deleted mapped files listed per process.
const MAX_DELETED_LISTED: usize = 64;

const DELETED: &[u8] = b" (deleted)";

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct MapsSummary {
    pub mappings: u64,
    /// Distinct files mapped.
    pub mapped_files: u64,
    /// Executable mappings that belong to no file (`[heap]`, `[stack]`, anonymous),
    /// the kernel's own `[vdso]` and `[vsyscall]` aside.
    pub anonymous_executable: u64,
    /// Mapped files that have been deleted (memfds included), at most 64.
    pub deleted_files: Vec<String>,
    /// The maps file was larger than 8 MiB; the counts cover its start.
    pub capped: bool,
}

/// Splits one maps line: `address perms offset dev inode [path]`.
fn split_line(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let mut rest = line;
    let mut perms: &[u8] = &[];
    for i in 0..5 {
        let start = rest.iter().position(|&b| b != b' ')?;
        let tail = rest.get(start..)?;
        let end = tail.iter().position(|&b| b == b' ').unwrap_or(tail.len());
        if i == 1 {
            perms = tail.get(..end)?;
        }
        rest = tail.get(end..)?;
    }
    let path = rest
        .iter()
        .position(|&b| b != b' ')
        .map_or(&[][..], |p| rest.get(p..).unwrap_or_default());
    Some((perms, path))
}

/// Summarises the text of a maps file.
pub(super) fn summarise(text: &[u8]) -> MapsSummary {
    let mut summary = MapsSummary::default();
    let mut files: BTreeSet<&[u8]> = BTreeSet::new();
    let mut deleted: BTreeSet<&[u8]> = BTreeSet::new();
    for (perms, path) in text
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .filter_map(split_line)
    {
        summary.mappings += 1;
        if path.starts_with(b"/") {
            files.insert(path);
            if path.ends_with(DELETED) {
                deleted.insert(path.strip_suffix(DELETED).unwrap_or(path));
            }
        } else if perms.get(2) == Some(&b'x') && !matches!(path, b"[vdso]" | b"[vsyscall]") {
            summary.anonymous_executable += 1;
        }
    }
    summary.mapped_files = files.len() as u64;
    summary.deleted_files = deleted
        .into_iter()
        .take(MAX_DELETED_LISTED)
        .map(escape_bytes)
        .collect();
    summary
}

/// The summary of a pinned process's maps.
pub(super) fn summary(process: &Process) -> Result<MapsSummary, ReadError> {
    let text = read_bounded(process, "maps", MAX_MAPS_BYTES)?;
    let mut summary = summarise(&text);
    summary.capped = text.len() as u64 >= MAX_MAPS_BYTES;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_are_summarised() {
        let text = b"\
55d0c0a00000-55d0c0a02000 r--p 00000000 08:01 1234                       /usr/bin/sleep\n\
55d0c0a02000-55d0c0a06000 r-xp 00002000 08:01 1234                       /usr/bin/sleep\n\
7f0000000000-7f0000001000 rwxp 00000000 00:00 0 \n\
7f0000001000-7f0000002000 r-xp 00000000 00:01 99                         /memfd:x (deleted)\n\
7f0000002000-7f0000003000 r-xp 00000000 08:01 77                         /tmp/my lib.so (deleted)\n\
7ffd00000000-7ffd00002000 r-xp 00000000 00:00 0                          [vdso]\n\
7ffd00002000-7ffd00003000 rwxp 00000000 00:00 0                          [stack]\n";
        let s = summarise(text);
        assert_eq!(s.mappings, 7);
        assert_eq!(s.mapped_files, 3);
        assert_eq!(s.anonymous_executable, 2);
        assert_eq!(s.deleted_files, vec!["/memfd:x", "/tmp/my lib.so"]);
    }
}
