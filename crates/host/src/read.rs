//! Bounded, side-effect-free reads of one regular file.

use crate::error::{HostErrorKind, type_name};
use std::fs::{File, Metadata, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// What was read of a file.
#[derive(Debug)]
pub struct Content {
    /// At most the limit asked for.
    pub bytes: Vec<u8>,
    /// True when the file is larger than what was read.
    pub truncated: bool,
    /// `fstat` of the open file.
    pub meta: Metadata,
}

/// Opens without following a final symlink, without blocking (a FIFO would), without
/// updating atime (where permitted: `O_NOATIME` needs ownership or `CAP_FOWNER`).
pub(crate) fn open_quietly(path: &Path) -> io::Result<File> {
    let flags = nix::libc::O_NOFOLLOW | nix::libc::O_NONBLOCK | nix::libc::O_CLOEXEC;
    let open = |extra| {
        OpenOptions::new()
            .read(true)
            .custom_flags(flags | extra)
            .open(path)
    };
    match open(nix::libc::O_NOATIME) {
        Err(e) if e.raw_os_error() == Some(nix::libc::EPERM) => open(0),
        other => other,
    }
}

pub(crate) fn read_bounded(path: &Path, limit: u64) -> Result<Content, HostErrorKind> {
    let (file, meta) = open_regular(path)?;
    let mut bytes = Vec::with_capacity(meta.len().min(limit).min(1 << 20) as usize);
    file.take(limit).read_to_end(&mut bytes)?;
    let truncated = meta.len() > bytes.len() as u64;
    Ok(Content {
        bytes,
        truncated,
        meta,
    })
}

/// Opens a regular file for streaming reads, with the same promises as
/// [`read_bounded`]: no final symlink followed, no FIFO or device opened.
pub(crate) fn open_regular(path: &Path) -> Result<(File, Metadata), HostErrorKind> {
    // lstat first: opening a FIFO or device, even non-blocking, can have effects.
    let lmeta = std::fs::symlink_metadata(path)?;
    let ft = lmeta.file_type();
    if ft.is_symlink() {
        return Err(HostErrorKind::Symlink);
    }
    if !ft.is_file() {
        return Err(HostErrorKind::NotRegular(type_name(ft)));
    }
    let file = open_quietly(path).map_err(|e| match e.raw_os_error() {
        Some(nix::libc::ELOOP) => HostErrorKind::Symlink,
        _ => HostErrorKind::Io(e),
    })?;
    let meta = file.metadata()?;
    if !meta.file_type().is_file() {
        // Swapped between lstat and open.
        return Err(HostErrorKind::NotRegular(type_name(meta.file_type())));
    }
    Ok((file, meta))
}

/// Opens a file the tool chose itself (an archive, a manifest, a config file) for
/// reading, never blocking on it: a symlink to it is followed (the caller named the
/// path), but anything that is not a regular file in the end — a FIFO, a socket, a
/// device, a directory — is refused before it is opened (`stat`) and again after
/// (`fstat` of the open file, the check a swap between the two cannot beat). The
/// open itself is non-blocking, so a FIFO swapped in at that moment does not hang
/// it. The error names the file.
pub fn open_regular_following(path: &Path) -> Result<File, crate::HostError> {
    let err = |kind| crate::HostError::new(breachkit_finding::escape_path(path), kind);
    let meta = std::fs::metadata(path).map_err(|e| err(HostErrorKind::Io(e)))?;
    if !meta.is_file() {
        return Err(err(HostErrorKind::NotRegular(type_name(meta.file_type()))));
    }
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(nix::libc::O_NONBLOCK | nix::libc::O_CLOEXEC)
        .open(path)
        .map_err(|e| err(HostErrorKind::Io(e)))?;
    let meta = file.metadata().map_err(|e| err(HostErrorKind::Io(e)))?;
    if !meta.is_file() {
        return Err(err(HostErrorKind::NotRegular(type_name(meta.file_type()))));
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifos_symlinks_and_big_files() {
        let t = tempfile::tempdir().unwrap();
        let fifo = t.path().join("fifo");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o644)).unwrap();
        assert!(matches!(
            read_bounded(&fifo, 10),
            Err(HostErrorKind::NotRegular("FIFO"))
        ));
        let file = t.path().join("f");
        std::fs::write(&file, b"0123456789").unwrap();
        let link = t.path().join("l");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        assert!(matches!(
            read_bounded(&link, 10),
            Err(HostErrorKind::Symlink)
        ));
        let c = read_bounded(&file, 4).unwrap();
        assert_eq!(c.bytes, b"0123");
        assert!(c.truncated);
        assert!(!read_bounded(&file, 100).unwrap().truncated);
    }

    #[test]
    fn chosen_files_refuse_fifos_and_devices_but_follow_links() {
        let t = tempfile::tempdir().unwrap();
        let fifo = t.path().join("fifo");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o644)).unwrap();
        let err = open_regular_following(&fifo).unwrap_err().to_string();
        assert!(err.contains("fifo: not a regular file (FIFO)"), "{err}");
        let via = t.path().join("via");
        std::os::unix::fs::symlink(&fifo, &via).unwrap();
        assert!(open_regular_following(&via).is_err());
        let err = open_regular_following(Path::new("/dev/null"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("/dev/null: not a regular file (character device)"),
            "{err}"
        );
        assert!(open_regular_following(t.path()).is_err());
        let file = t.path().join("f");
        std::fs::write(&file, b"x").unwrap();
        let link = t.path().join("l");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        let mut s = String::new();
        open_regular_following(&link)
            .unwrap()
            .read_to_string(&mut s)
            .unwrap();
        assert_eq!(s, "x");
    }
}
