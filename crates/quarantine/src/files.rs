//! A config file rewritten (or created) on the host, as a journalled change: the
//! original bytes, mode and owner go into the case before the file is touched, and
//! undo puts them back byte for byte (or removes a file that did not exist).

use crate::QuarantineError;
use breachkit_case::{Action, Change, ChangeError};
use breachkit_finding::escape_path;
use serde::{Deserialize, Serialize};
use std::ffi::OsStr;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The action kind of a file change.
pub const KIND: &str = "file";

/// The new content of one file.
#[derive(Debug, Clone)]
pub struct FileChange {
    pub path: PathBuf,
    pub content: Vec<u8>,
}

/// What undo needs; the original bytes travel as the action's data.
#[derive(Debug, Serialize, Deserialize)]
struct FileUndo {
    /// For people.
    path: String,
    /// The exact path bytes, hex.
    path_hex: String,
    existed: bool,
    mode: u32,
    uid: u32,
    gid: u32,
}

impl Change for FileChange {
    fn kind(&self) -> &str {
        KIND
    }

    fn target(&self) -> String {
        escape_path(&self.path)
    }

    fn undo_data(&self) -> Result<(String, Option<Vec<u8>>), ChangeError> {
        let (existed, mode, uid, gid, data) = match std::fs::symlink_metadata(&self.path) {
            Ok(m) if m.is_file() => {
                let bytes = read_regular(&self.path)?;
                (true, m.mode() & 0o7777, m.uid(), m.gid(), Some(bytes))
            }
            Ok(_) => {
                return Err(Box::new(QuarantineError::BadFile {
                    path: self.path.clone(),
                    message: "not a regular file; refusing to replace it".into(),
                }));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (false, 0o644, 0, 0, None),
            Err(e) => return Err(Box::new(QuarantineError::io(&self.path)(e))),
        };
        let undo = FileUndo {
            path: escape_path(&self.path),
            path_hex: hex::encode(self.path.as_os_str().as_bytes()),
            existed,
            mode,
            uid,
            gid,
        };
        Ok((serde_json::to_string(&undo)?, data))
    }

    fn apply(&mut self) -> Result<(), ChangeError> {
        write_in_place(&self.path, &self.content, 0o644)?;
        Ok(())
    }
}

/// Opens a file step 2 reads on its own (an archive, a manifest, a web server
/// config) without ever blocking on it: FIFOs, sockets, devices and directories are
/// refused with an error naming the file (see [`breachkit_host::open_regular_following`]).
pub(crate) fn open_regular(path: &Path) -> Result<std::fs::File, QuarantineError> {
    breachkit_host::open_regular_following(path).map_err(|e| match e.kind {
        breachkit_host::HostErrorKind::Io(source) => QuarantineError::Io {
            path: path.to_path_buf(),
            source,
        },
        other => QuarantineError::BadFile {
            path: path.to_path_buf(),
            message: other.to_string(),
        },
    })
}

/// The whole of a regular file, opened as [`open_regular`] does.
pub(crate) fn read_regular(path: &Path) -> Result<Vec<u8>, QuarantineError> {
    use std::io::Read;
    let mut bytes = Vec::new();
    open_regular(path)?
        .read_to_end(&mut bytes)
        .map_err(QuarantineError::io(path))?;
    Ok(bytes)
}

/// Writes `content` to `path` keeping the inode (hard links and open handles see
/// it); a new file gets `mode`.
fn write_in_place(path: &Path, content: &[u8], mode: u32) -> Result<(), QuarantineError> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        // Non-blocking: a FIFO put in the file's place must not hang the write.
        .custom_flags(nix::libc::O_NOFOLLOW | nix::libc::O_NONBLOCK)
        .mode(mode)
        .open(path)
        .map_err(QuarantineError::io(path))?;
    let ft = f.metadata().map_err(QuarantineError::io(path))?.file_type();
    if !ft.is_file() {
        return Err(QuarantineError::BadFile {
            path: path.to_path_buf(),
            message: "not a regular file; refusing to write it".into(),
        });
    }
    f.write_all(content).map_err(QuarantineError::io(path))?;
    f.sync_all().map_err(QuarantineError::io(path))
}

/// Undoes a file action from the case: the original bytes, mode and owner back, or
/// the file removed when it did not exist. Harmless when already undone.
pub(crate) fn undo(action: &Action) -> Result<(), ChangeError> {
    let u: FileUndo = serde_json::from_str(&action.undo)?;
    let path = PathBuf::from(OsStr::from_bytes(&hex::decode(&u.path_hex)?));
    if !u.existed {
        return match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(Box::new(QuarantineError::io(&path)(e)))
            }
            _ => Ok(()),
        };
    }
    let original = action.data.as_deref().unwrap_or_default();
    if read_regular(&path).ok().as_deref() != Some(original) {
        write_in_place(&path, original, u.mode)?;
    }
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(u.mode))
        .map_err(QuarantineError::io(&path))?;
    std::os::unix::fs::lchown(&path, Some(u.uid), Some(u.gid))
        .map_err(QuarantineError::io(&path))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use breachkit_case::{Case, apply_changes, undo_batch};

    #[test]
    fn files_come_back_byte_for_byte() {
        let t = tempfile::tempdir().unwrap();
        let mut case = Case::open(&t.path().join("case")).unwrap();
        let old = t.path().join("old.conf");
        let original = b"server {\r\n\xff\x00 odd bytes }\n".to_vec();
        std::fs::write(&old, &original).unwrap();
        std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o640)).unwrap();
        let new = t.path().join("new.conf");
        let mut changes: Vec<Box<dyn Change>> = vec![
            Box::new(FileChange {
                path: old.clone(),
                content: b"changed".to_vec(),
            }),
            Box::new(FileChange {
                path: new.clone(),
                content: b"added".to_vec(),
            }),
        ];
        apply_changes(&mut case, "m", &mut changes, undo).unwrap();
        assert_eq!(std::fs::read(&old).unwrap(), b"changed");
        assert_eq!(std::fs::read(&new).unwrap(), b"added");
        assert!(undo_batch(&mut case, "m", undo).unwrap().is_empty());
        assert_eq!(std::fs::read(&old).unwrap(), original);
        assert_eq!(
            std::fs::metadata(&old).unwrap().permissions().mode() & 0o777,
            0o640
        );
        assert!(!new.exists());
    }

    #[test]
    fn fifos_are_neither_read_nor_written() {
        let t = tempfile::tempdir().unwrap();
        let fifo = t.path().join("site.conf");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
        let err = read_regular(&fifo).unwrap_err().to_string();
        assert!(err.contains("site.conf") && err.contains("FIFO"), "{err}");
        // No reader: a blocking open for writing would hang here.
        let err = write_in_place(&fifo, b"x", 0o644).unwrap_err().to_string();
        assert!(err.contains("site.conf"), "{err}");
        // A reader holding it open: the write is refused all the same.
        let reader = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(nix::libc::O_NONBLOCK)
            .open(&fifo)
            .unwrap();
        let err = write_in_place(&fifo, b"x", 0o644).unwrap_err().to_string();
        assert!(err.contains("not a regular file"), "{err}");
        drop(reader);
    }
}
