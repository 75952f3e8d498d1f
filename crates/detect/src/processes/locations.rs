//! Where a process runs from: its `exe` link read as fileless (memfd), deleted or
//! present; whether a path is in a temp or hidden directory; and whether a path
//! exists as the process itself sees the file system (through `/proc/PID/root`, so
//! processes in containers and chroots are judged by their own tree).

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// What the kernel appends to a link whose file has been unlinked.
const DELETED: &[u8] = b" (deleted)";

/// The `exe` link of a process, read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exe<'a> {
    /// An anonymous memory file (`memfd_create`), by its name: never on disk.
    Memfd(&'a [u8]),
    /// A file unlinked since the process started, by the path it had.
    Deleted(&'a [u8]),
    /// A file on disk.
    Present(&'a [u8]),
}

impl<'a> Exe<'a> {
    /// The file's path (none for a memfd).
    pub fn path(self) -> Option<&'a [u8]> {
        match self {
            Exe::Memfd(_) => None,
            Exe::Deleted(p) | Exe::Present(p) => Some(p),
        }
    }
}

pub fn exe_state(link: &[u8]) -> Exe<'_> {
    if let Some(name) = link.strip_prefix(b"/memfd:") {
        return Exe::Memfd(name.strip_suffix(DELETED).unwrap_or(name));
    }
    match link.strip_suffix(DELETED) {
        Some(path) => Exe::Deleted(path),
        None => Exe::Present(link),
    }
}

/// A link target without the kernel's ` (deleted)` marker.
pub fn without_deleted(link: &[u8]) -> &[u8] {
    link.strip_suffix(DELETED).unwrap_or(link)
}

/// Directories every account can write to.
pub const TEMP_DIRS: &[&[u8]] = &[b"/tmp", b"/var/tmp", b"/dev/shm", b"/run/shm"];

/// Hidden directories right under a person's home (`/root/`, `/home/NAME/`) that hold
/// per-user toolchains: programs run from them are normal on an admin's or a
/// developer's account. Kept short on purpose; anything else hidden counts, and these
/// count anywhere else (`/var/www/.cargo`, `/tmp/.nvm`).
const TOOLCHAIN_DIRS: &[&[u8]] = &[
    b".cargo/",
    b".rustup/",
    b".local/bin/",
    b".nvm/",
    b".pyenv/",
    b".vscode-server/",
];

/// A place programs of an honest server do not run from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Temp,
    Hidden,
}

impl Place {
    pub fn describe(self) -> &'static str {
        match self {
            Place::Temp => "a temp directory",
            Place::Hidden => "a hidden directory",
        }
    }
}

/// Whether an absolute path is in a temp directory or has a hidden component.
pub fn risky_place(path: &[u8]) -> Option<Place> {
    let in_temp = TEMP_DIRS.iter().any(|dir| {
        path.strip_prefix(*dir)
            .is_some_and(|rest| matches!(rest.first(), None | Some(b'/')))
    });
    if in_temp {
        return Some(Place::Temp);
    }
    past_toolchain_dir(path)
        .split(|&b| b == b'/')
        .any(|c| c.len() > 1 && c.starts_with(b".") && c != b"..")
        .then_some(Place::Hidden)
}

/// The part of `path` after a per-user toolchain directory, or all of it.
fn past_toolchain_dir(path: &[u8]) -> &[u8] {
    let in_home = match path.strip_prefix(b"/root/") {
        Some(rest) => Some(rest),
        None => path.strip_prefix(b"/home/").and_then(|rest| {
            let slash = rest.iter().position(|&b| b == b'/')?;
            if rest.starts_with(b".") {
                return None;
            }
            rest.get(slash + 1..)
        }),
    };
    in_home
        .and_then(|rest| {
            TOOLCHAIN_DIRS
                .iter()
                .find_map(|dir| rest.strip_prefix(*dir))
        })
        .unwrap_or(path)
}

/// Whether `path` exists for process `pid` (`lstat` through `/proc/PID/root`):
/// `None` when the process is gone, so the answer would mean nothing.
pub(super) fn exists_for(pid: u32, path: &[u8]) -> Option<bool> {
    let root = PathBuf::from(format!("/proc/{pid}/root"));
    let relative = Path::new(OsStr::from_bytes(path.strip_prefix(b"/").unwrap_or(path)));
    if std::fs::symlink_metadata(root.join(relative)).is_ok() {
        return Some(true);
    }
    std::fs::symlink_metadata(&root).is_ok().then_some(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exe_links_are_read() {
        assert_eq!(
            exe_state(b"/usr/bin/sleep"),
            Exe::Present(b"/usr/bin/sleep")
        );
        assert_eq!(exe_state(b"/tmp/x (deleted)"), Exe::Deleted(b"/tmp/x"));
        assert_eq!(
            exe_state(b"/memfd:sealed-91 (deleted)"),
            Exe::Memfd(b"sealed-91")
        );
        assert_eq!(exe_state(b"/memfd: (deleted)").path(), None);
        assert_eq!(without_deleted(b"/tmp/w (deleted)"), b"/tmp/w");
    }

    #[test]
    fn temp_and_hidden_places() {
        for (path, place) in [
            (&b"/tmp/x"[..], Some(Place::Temp)),
            (b"/tmp", Some(Place::Temp)),
            (b"/dev/shm/.x/kworker", Some(Place::Temp)),
            (b"/run/shm/a", Some(Place::Temp)),
            (b"/var/tmp/a", Some(Place::Temp)),
            (b"/tmpfoo/a", None),
            (b"/usr/bin/sleep", None),
            (b"/var/www/html/.cache/upd", Some(Place::Hidden)),
            (b"/usr/sbin/.sshd", Some(Place::Hidden)),
            (b"/usr/lib/x/../y", None),
            (b"/opt/app/./bin", None),
        ] {
            assert_eq!(
                risky_place(path),
                place,
                "{}",
                String::from_utf8_lossy(path)
            );
        }
    }

    #[test]
    fn toolchains_in_homes_are_exempt_and_only_there() {
        for exempt in [
            &b"/root/.cargo/bin/cargo"[..],
            b"/root/.rustup/toolchains/stable-x86_64-unknown-linux-gnu/bin/rustc",
            b"/home/dev/.local/bin/poetry",
            b"/home/dev/.nvm/versions/node/v20.1.0/bin/node",
            b"/root/.pyenv/versions/3.12.1/bin/python3.12",
            b"/home/dev/.vscode-server/bin/abc/node",
        ] {
            assert_eq!(
                risky_place(exempt),
                None,
                "{}",
                String::from_utf8_lossy(exempt)
            );
        }
        for counted in [
            &b"/var/www/.cargo/bin/x"[..],
            b"/tmp/.nvm/x",
            b"/home/dev/.local/share/x/run",
            b"/home/dev/.cache/x",
            b"/home/.hidden/.cargo/bin/x",
            b"/home/dev/public_html/.cargo/bin/x",
            b"/root/.cargo/bin/.x/run",
        ] {
            assert!(
                risky_place(counted).is_some(),
                "{}",
                String::from_utf8_lossy(counted)
            );
        }
    }

    #[test]
    fn existence_is_judged_in_the_process_tree() {
        let me = std::process::id();
        assert_eq!(exists_for(me, b"/proc/self"), Some(true));
        assert_eq!(exists_for(me, b"/nonexistent/breachkit-test"), Some(false));
    }
}
