//! Fake hosts for tests: a temp directory laid out like `/`.
//!
//! [`FakeHost::clean`] is a busy but honest web server (accounts, cron jobs,
//! logrotate, certbot, systemd units, ordinary shell history, root's SSH key, PHP and
//! a WordPress site). [`FakeHost::planted`] is the same server with every artifact the
//! checks look for planted in it, and returns what each check must report
//! ([`Expect`]). Every check is tested on both: it fires on the one and stays silent
//! (nothing at medium or above) on the other.

mod base;
mod clean_files;
pub mod clean_logs;
pub mod clean_mail;
pub mod full_disk;
pub mod mailqueue;
mod plant;

pub use plant::logs as planted_logs;
pub use plant::mail as planted_mail;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// A finding a planted host must produce: this rule, at this host path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expect {
    pub rule: &'static str,
    pub path: String,
}

impl Expect {
    pub fn new(rule: &'static str, path: impl Into<String>) -> Self {
        Expect {
            rule,
            path: path.into(),
        }
    }
}

pub struct FakeHost {
    dir: tempfile::TempDir,
}

impl FakeHost {
    /// An empty tree.
    pub fn empty() -> FakeHost {
        let dir = tempfile::Builder::new()
            .prefix("breachkit-fakehost-")
            .tempdir()
            .expect("temp dir for a fake host");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
            .expect("chmod fake root");
        FakeHost { dir }
    }

    /// The busy, honest server.
    pub fn clean() -> FakeHost {
        let h = FakeHost::empty();
        base::build(&h);
        h
    }

    /// The honest server with every artifact planted, and what must be found.
    pub fn planted() -> (FakeHost, Vec<Expect>) {
        let h = FakeHost::clean();
        let expects = plant::all(&h);
        (h, expects)
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// The real path of a host path.
    pub fn path(&self, host_path: &str) -> PathBuf {
        self.root().join(host_path.trim_start_matches('/'))
    }

    /// Writes a file (creating parent directories), mode 0644.
    pub fn write(&self, host_path: &str, contents: impl AsRef<[u8]>) -> &Self {
        let p = self.path(host_path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("create parent dirs");
        }
        std::fs::write(&p, contents).expect("write fixture file");
        self
    }

    /// Appends to a file (creating it).
    pub fn append(&self, host_path: &str, contents: impl AsRef<[u8]>) -> &Self {
        use std::io::Write;
        let p = self.path(host_path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("create parent dirs");
        }
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&p)
            .expect("open for append");
        f.write_all(contents.as_ref()).expect("append fixture");
        self
    }

    pub fn mkdir(&self, host_path: &str) -> &Self {
        std::fs::create_dir_all(self.path(host_path)).expect("mkdir");
        self
    }

    pub fn chmod(&self, host_path: &str, mode: u32) -> &Self {
        std::fs::set_permissions(self.path(host_path), std::fs::Permissions::from_mode(mode))
            .expect("chmod");
        self
    }

    /// A symlink at `host_path` pointing at `target` (as written, not re-rooted).
    pub fn symlink(&self, target: &str, host_path: &str) -> &Self {
        let p = self.path(host_path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("create parent dirs");
        }
        std::os::unix::fs::symlink(target, p).expect("symlink");
        self
    }

    pub fn mkfifo(&self, host_path: &str) -> &Self {
        let p = self.path(host_path);
        let c = std::ffi::CString::new(p.as_os_str().as_encoded_bytes()).expect("path without NUL");
        // SAFETY: mkfifo on a valid NUL-terminated path.
        let rc = unsafe { libc_mkfifo(c.as_ptr(), 0o644) };
        assert_eq!(rc, 0, "mkfifo {}", p.display());
        self
    }

    /// Sets the modification time to `days_ago` days before now.
    pub fn age(&self, host_path: &str, days_ago: u64) -> &Self {
        let t = SystemTime::now() - Duration::from_secs(days_ago * 86_400);
        let f = std::fs::File::options()
            .write(true)
            .open(self.path(host_path))
            .expect("open to set mtime");
        f.set_modified(t).expect("set mtime");
        self
    }
}

unsafe extern "C" {
    #[link_name = "mkfifo"]
    fn libc_mkfifo(path: *const std::ffi::c_char, mode: u32) -> i32;
}
