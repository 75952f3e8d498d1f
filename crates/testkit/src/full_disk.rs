//! A full disk for "the case directory is on a full disk" tests: a small tmpfs,
//! filled to the last byte (optionally after something was put there), unmounted
//! on drop. Mounting needs root, as the tests run in CI.

use std::io::Write;
use std::path::Path;
use std::process::Command;

/// A mounted tmpfs of 1 MiB; [`FullDisk::fill`] takes its last free byte.
pub struct FullDisk {
    pub dir: tempfile::TempDir,
}

impl FullDisk {
    /// Mounts the tmpfs, still empty (so a case can be created on it first).
    pub fn mount() -> FullDisk {
        let dir = tempfile::tempdir().expect("temp dir");
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
            .arg(dir.path())
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            ok,
            "mounting a tmpfs needs root (CI runs the tests as root)"
        );
        FullDisk { dir }
    }

    /// Mounted and already full.
    pub fn new() -> FullDisk {
        let d = FullDisk::mount();
        d.fill();
        d
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a filler file until the disk refuses another byte.
    pub fn fill(&self) {
        let mut f = std::fs::File::create(self.dir.path().join("filler")).expect("filler");
        let block = vec![0u8; 4096];
        while f.write_all(&block).is_ok() {}
        while f.write_all(&[0]).is_ok() {}
        let _ = f.flush();
    }
}

impl Default for FullDisk {
    fn default() -> FullDisk {
        FullDisk::new()
    }
}

impl Drop for FullDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}
