//! The include patterns of web server configs (`sites-enabled/*`, `conf.d/*.conf`):
//! `*` and `?` in the last component, files in name order. A directory named
//! without a pattern means every file in it (apache's `Include dir/`).

use std::path::{Path, PathBuf};

/// The files a pattern names (relative patterns resolved against `base`).
pub(crate) fn expand(base: &Path, pattern: &str) -> Vec<PathBuf> {
    let full = if Path::new(pattern).is_absolute() {
        PathBuf::from(pattern)
    } else {
        base.join(pattern)
    };
    let name = full
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !name.contains(['*', '?']) {
        if full.is_dir() {
            return files_in(&full, "*");
        }
        return if full.is_file() {
            vec![full]
        } else {
            Vec::new()
        };
    }
    let dir = full.parent().map(Path::to_path_buf).unwrap_or_default();
    files_in(&dir, &name)
}

fn files_in(dir: &Path, pattern: &str) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = rd
        .flatten()
        .filter(|e| e.path().is_file())
        .filter(|e| matches(pattern.as_bytes(), e.file_name().as_encoded_bytes()))
        .map(|e| e.path())
        .collect();
    out.sort();
    out
}

/// Shell-style match of `*` and `?`; a leading dot is matched only explicitly.
fn matches(pattern: &[u8], name: &[u8]) -> bool {
    if name.first() == Some(&b'.') && pattern.first() != Some(&b'.') {
        return false;
    }
    let (mut p, mut n) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while n < name.len() {
        if p < pattern.len() && (pattern[p] == b'?' || pattern[p] == name[n]) {
            p += 1;
            n += 1;
        } else if p < pattern.len() && pattern[p] == b'*' {
            star = Some(p);
            mark = n;
            p += 1;
        } else if let Some(s) = star {
            p = s + 1;
            mark += 1;
            n = mark;
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(matches(b"*", b"default"));
        assert!(matches(b"*.conf", b"a.conf"));
        assert!(!matches(b"*.conf", b"a.conf.bak"));
        assert!(!matches(b"*", b".hidden"));
        assert!(matches(b"a?c*", b"abcdef"));
        let t = tempfile::tempdir().unwrap();
        std::fs::create_dir(t.path().join("d")).unwrap();
        std::fs::write(t.path().join("d/b.conf"), "").unwrap();
        std::fs::write(t.path().join("d/a.conf"), "").unwrap();
        std::fs::write(t.path().join("d/x.txt"), "").unwrap();
        let got = expand(t.path(), "d/*.conf");
        assert_eq!(got, [t.path().join("d/a.conf"), t.path().join("d/b.conf")]);
        assert_eq!(expand(t.path(), "d").len(), 3);
        assert!(expand(t.path(), "missing/*").is_empty());
    }
}
