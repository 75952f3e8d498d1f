//! The include patterns of web server configs (`sites-enabled/*`, `conf.d/*.conf`):
//! `*` and `?` in the last component, files in name order. A directory named
//! without a pattern means every file in it (apache's `Include dir/`).

use breachkit_host::wildcard;
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
        .filter(|e| wildcard(pattern.as_bytes(), e.file_name().as_encoded_bytes()))
        .map(|e| e.path())
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard(b"*", b"default"));
        assert!(wildcard(b"*.conf", b"a.conf"));
        assert!(!wildcard(b"*.conf", b"a.conf.bak"));
        assert!(!wildcard(b"*", b".hidden"));
        assert!(wildcard(b"a?c*", b"abcdef"));
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
