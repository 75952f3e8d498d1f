//! Walking a directory of the host without following symlinks, in name order, with
//! unreadable directories reported rather than fatal.

use crate::Host;
use crate::error::{HostError, HostErrorKind};
use breachkit_finding::{Warning, escape_path};
use std::fs::Metadata;
use std::path::{Path, PathBuf};

/// One directory entry found by a walk.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The host path (`/etc/cron.d/x`).
    pub host: PathBuf,
    /// Where it is on this machine (`IMAGE/etc/cron.d/x`).
    pub real: PathBuf,
    /// `lstat` of the entry: a symlink is a symlink.
    pub meta: Metadata,
}

impl Entry {
    /// The host path as a lossless string for findings.
    pub fn display(&self) -> String {
        escape_path(&self.host)
    }

    pub fn is_file(&self) -> bool {
        self.meta.file_type().is_file()
    }

    pub fn file_name(&self) -> String {
        self.host
            .file_name()
            .map(|n| escape_path(Path::new(n)))
            .unwrap_or_default()
    }
}

impl Host {
    /// Every entry below `host_dir` (not the directory itself), down to `max_depth`
    /// levels. A missing directory yields nothing; other errors become warnings.
    pub fn walk(
        &self,
        host_dir: impl AsRef<Path>,
        max_depth: usize,
        warnings: &mut Vec<Warning>,
    ) -> Vec<Entry> {
        let start = self.resolve(host_dir.as_ref());
        let mut out = Vec::new();
        let walker = walkdir::WalkDir::new(&start)
            .follow_links(false)
            .follow_root_links(false)
            .min_depth(1)
            .max_depth(max_depth)
            .sort_by_file_name();
        for item in walker {
            match item {
                Ok(e) => match e.metadata() {
                    Ok(meta) => out.push(Entry {
                        host: self.host_path(e.path()),
                        real: e.path().to_path_buf(),
                        meta,
                    }),
                    Err(err) => warnings.push(self.walk_warning(e.path(), err)),
                },
                Err(err) => {
                    let not_found =
                        err.io_error().map(|e| e.kind()) == Some(std::io::ErrorKind::NotFound);
                    let at_root = err.path().is_none_or(|p| p == start);
                    if not_found && at_root {
                        continue;
                    }
                    let path = err
                        .path()
                        .map(Path::to_path_buf)
                        .unwrap_or_else(|| start.clone());
                    warnings.push(self.walk_warning(&path, err));
                }
            }
        }
        out
    }

    /// The entry at a host path (not following a final symlink).
    pub fn entry(&self, host_path: impl AsRef<Path>) -> Result<Entry, HostError> {
        let real = self.locate(host_path.as_ref());
        let meta = std::fs::symlink_metadata(&real)
            .map_err(|e| HostError::new(self.display(&real), HostErrorKind::Io(e)))?;
        Ok(Entry {
            host: self.host_path(&real),
            real,
            meta,
        })
    }

    fn walk_warning(&self, real: &Path, err: walkdir::Error) -> Warning {
        let kind = match err.into_io_error() {
            Some(io) => HostErrorKind::Io(io),
            None => HostErrorKind::SymlinkLoop,
        };
        HostError::new(self.display(real), kind).warning()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walk_maps_paths_and_does_not_follow_links() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path();
        std::fs::create_dir_all(root.join("etc/cron.d/sub")).unwrap();
        std::fs::write(root.join("etc/cron.d/a"), "x").unwrap();
        std::os::unix::fs::symlink("/", root.join("etc/cron.d/escape")).unwrap();
        std::os::unix::fs::symlink("loop", root.join("etc/cron.d/loop")).unwrap();
        let host = Host::image(root).unwrap();
        let mut w = Vec::new();
        let all = host.walk("/etc/cron.d", 5, &mut w);
        let names: Vec<_> = all.iter().map(Entry::display).collect();
        assert_eq!(
            names,
            [
                "/etc/cron.d/a",
                "/etc/cron.d/escape",
                "/etc/cron.d/loop",
                "/etc/cron.d/sub"
            ]
        );
        assert!(w.is_empty());
        assert!(
            host.entry("/etc/cron.d/escape")
                .unwrap()
                .meta
                .file_type()
                .is_symlink()
        );
        assert!(host.walk("/nonexistent", 3, &mut w).is_empty());
        assert!(w.is_empty());
    }
}
