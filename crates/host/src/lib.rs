//! A read-only view of the system under investigation: the live host (`/` and
//! `/proc`) or an offline copy of it (a mounted image, an extracted backup) laid out
//! like `/`.
//!
//! Everything a check reads goes through [`Host`], which keeps three promises:
//! - host paths (`/etc/crontab`) are mapped into the image and back, so findings
//!   never show the image prefix;
//! - symlinks are never followed out of the tree: in an image, absolute links are
//!   re-rooted inside it, and the last component of a file that is read is never
//!   followed (a history file linked to `/dev/shadow` is seen as a link);
//! - reading never changes or blocks on what is read: `O_NOATIME`, `O_NONBLOCK`,
//!   FIFOs, sockets and devices refused, reads bounded.

mod error;
mod read;
mod resolve;
mod text;
mod users;
mod walk;
mod webroots;
mod wildcard;

pub use error::{HostError, HostErrorKind};
pub use read::{Content, open_regular_following};
pub use text::{Line, lines};
pub use users::{Accounts, Group, User, WEB_ACCOUNTS};
pub use walk::Entry;
pub use wildcard::wildcard;

use breachkit_finding::escape_path;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The host under investigation.
#[derive(Debug)]
pub struct Host {
    root: PathBuf,
    live: bool,
    accounts: OnceLock<Accounts>,
}

impl Host {
    /// The running system this process is on.
    pub fn live() -> Host {
        Host {
            root: PathBuf::from("/"),
            live: true,
            accounts: OnceLock::new(),
        }
    }

    /// An offline copy laid out like `/` at `root`.
    pub fn image(root: &Path) -> Result<Host, HostError> {
        let err = |kind| HostError::new(escape_path(root), kind);
        let canonical = root.canonicalize().map_err(|e| err(HostErrorKind::Io(e)))?;
        if !canonical.is_dir() {
            return Err(err(HostErrorKind::NotADirectory));
        }
        let live = canonical == Path::new("/");
        Ok(Host {
            root: canonical,
            live,
            accounts: OnceLock::new(),
        })
    }

    /// True when this is the running system (processes can be inspected).
    pub fn is_live(&self) -> bool {
        self.live
    }

    /// The directory that stands for `/`.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where a host path is on this machine, every component (the last too) resolved
    /// inside the tree. For directories a check chose itself (`/etc/cron.d`).
    pub fn resolve(&self, host_path: impl AsRef<Path>) -> PathBuf {
        resolve::resolve(&self.root, host_path.as_ref(), true)
    }

    /// Where a host path is on this machine, its last component left unresolved (to
    /// be read with `O_NOFOLLOW` or `lstat`ed).
    pub fn locate(&self, host_path: impl AsRef<Path>) -> PathBuf {
        resolve::resolve(&self.root, host_path.as_ref(), false)
    }

    /// The host path of a path on this machine under the root (`/img/etc/x` → `/etc/x`).
    pub fn host_path(&self, real: &Path) -> PathBuf {
        match real.strip_prefix(&self.root) {
            Ok(rel) => Path::new("/").join(rel),
            Err(_) => real.to_path_buf(),
        }
    }

    /// The host path of a real path, as a lossless string for findings.
    pub fn display(&self, real: &Path) -> String {
        escape_path(&self.host_path(real))
    }

    /// `lstat` of a host path (the last component is not followed).
    pub fn lstat(&self, host_path: impl AsRef<Path>) -> Result<std::fs::Metadata, HostError> {
        let real = self.locate(host_path.as_ref());
        std::fs::symlink_metadata(&real)
            .map_err(|e| HostError::new(self.display(&real), HostErrorKind::Io(e)))
    }

    /// Reads at most `limit` bytes of a regular file at a host path (see [`Content`]).
    pub fn read(&self, host_path: impl AsRef<Path>, limit: u64) -> Result<Content, HostError> {
        let real = self.locate(host_path.as_ref());
        read::read_bounded(&real, limit).map_err(|kind| HostError::new(self.display(&real), kind))
    }

    /// Opens a regular file at a host path for streaming (logs too large to read
    /// whole), with the promises of [`Host::read`]; returns the `fstat` of the open file.
    pub fn open(
        &self,
        host_path: impl AsRef<Path>,
    ) -> Result<(std::fs::File, std::fs::Metadata), HostError> {
        let real = self.locate(host_path.as_ref());
        read::open_regular(&real).map_err(|kind| HostError::new(self.display(&real), kind))
    }

    /// Reads at most `limit` bytes of a regular file found by [`Host::walk`].
    pub fn read_entry(&self, entry: &Entry, limit: u64) -> Result<Content, HostError> {
        self.read_found(&entry.real, limit)
    }

    /// Reads at most `limit` bytes of a regular file a directory walk found at
    /// `real` (a path on this machine under the root), with the promises of
    /// [`Host::read`].
    pub fn read_found(&self, real: &Path, limit: u64) -> Result<Content, HostError> {
        read::read_bounded(real, limit).map_err(|kind| HostError::new(self.display(real), kind))
    }

    /// The accounts of `/etc/passwd`, `/etc/shadow` and `/etc/group`, read once.
    pub fn accounts(&self) -> &Accounts {
        self.accounts.get_or_init(|| Accounts::load(self))
    }

    /// The host's name, escaped: the kernel's on a live host, `/etc/hostname` in an
    /// image (empty when unknown).
    pub fn hostname(&self) -> String {
        if self.live {
            return nix::unistd::gethostname()
                .map(|h| {
                    breachkit_finding::escape_bytes(std::os::unix::ffi::OsStrExt::as_bytes(
                        h.as_os_str(),
                    ))
                })
                .unwrap_or_default();
        }
        self.read("/etc/hostname", 256)
            .map(|c| breachkit_finding::escape_bytes(c.bytes.trim_ascii()))
            .unwrap_or_default()
    }
}
