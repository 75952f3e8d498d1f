//! A package's info files in `/var/lib/dpkg/info`: `PKG.md5sums` (lines
//! `md5  path-without-leading-slash`, from the package itself) and `PKG.list` (every
//! path the package owns now, one a line). A malformed md5sums line is a warning
//! naming the line; the rest is read.

use super::complaints::Complaints;
use breachkit_host::lines;
use std::collections::HashSet;

/// One line of a md5sums file.
#[derive(Debug)]
pub(super) struct Sum {
    /// The host path (`/usr/bin/ps`): the listed path with a leading `/`.
    pub path: Vec<u8>,
    pub md5: [u8; 16],
}

/// The lines of a md5sums file.
pub(super) fn parse_md5sums(bytes: &[u8], complaints: &mut Complaints) -> Vec<Sum> {
    let mut sums = Vec::new();
    for line in lines(bytes, usize::MAX) {
        if line.bytes.trim_ascii().is_empty() {
            continue;
        }
        match sum(line.bytes) {
            Some(s) => sums.push(s),
            None => complaints.line(line.number, "not a `md5  path` line; skipped"),
        }
    }
    sums
}

fn sum(line: &[u8]) -> Option<Sum> {
    let (hash, rest) = line.split_at_checked(32)?;
    let md5 = parse_md5(hash)?;
    // `md5  path` (text mode) or `md5 *path` (binary mode), as md5sum writes.
    let path = rest
        .strip_prefix(b"  ")
        .or_else(|| rest.strip_prefix(b" *"))?;
    let path = path.strip_prefix(b"./").unwrap_or(path);
    let path = path.strip_prefix(b"/").unwrap_or(path);
    if path.is_empty() {
        return None;
    }
    let mut host = Vec::with_capacity(path.len() + 1);
    host.push(b'/');
    host.extend_from_slice(path);
    Some(Sum { path: host, md5 })
}

/// The paths of a `.list` file.
pub(super) fn list_paths(bytes: &[u8]) -> HashSet<&[u8]> {
    lines(bytes, usize::MAX)
        .map(|l| l.bytes)
        .filter(|b| !b.is_empty())
        .collect()
}

/// 32 hex digits as 16 bytes.
pub(super) fn parse_md5(hex: &[u8]) -> Option<[u8; 16]> {
    if hex.len() != 32 || !hex.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    let mut out = [0u8; 16];
    for (byte, pair) in out.iter_mut().zip(hex.chunks_exact(2)) {
        let text = std::str::from_utf8(pair).ok()?;
        *byte = u8::from_str_radix(text, 16).ok()?;
    }
    Some(out)
}

/// 16 bytes as 32 lower-case hex digits.
pub(super) fn hex(md5: &[u8; 16]) -> String {
    md5.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5sums_lines_and_malformed_ones() {
        let text = b"0123456789abcdef0123456789ABCDEF  usr/bin/ps\n\
                     \n\
                     xyz  usr/bin/ls\n\
                     0123456789abcdef0123456789abcdef usr/bin/one-space\n\
                     0123456789abcdef0123456789abcdef  usr/share/a file\xff\n";
        let mut warnings = Vec::new();
        let sums = parse_md5sums(text, &mut Complaints::new("/x.md5sums", &mut warnings));
        let paths: Vec<_> = sums.iter().map(|s| s.path.clone()).collect();
        assert_eq!(
            paths,
            [b"/usr/bin/ps".to_vec(), b"/usr/share/a file\xff".to_vec()]
        );
        assert_eq!(hex(&sums[0].md5), "0123456789abcdef0123456789abcdef");
        let msgs: Vec<_> = warnings.iter().map(|w| w.message.as_str()).collect();
        assert!(msgs[0].starts_with("line 3:"), "{msgs:?}");
        assert!(msgs[1].starts_with("line 4:"), "{msgs:?}");
        assert_eq!(msgs.len(), 2);
    }

    #[test]
    fn md5_hex_round_trip_and_rejects() {
        assert!(parse_md5(b"0123").is_none());
        assert!(parse_md5(b"g123456789abcdef0123456789abcdef").is_none());
        assert!(parse_md5(b"+123456789abcdef0123456789abcdef").is_none());
        let m = parse_md5(b"ffffffffffffffffffffffffffffffff").unwrap();
        assert_eq!(hex(&m), "f".repeat(32));
    }
}
