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
                let bytes = std::fs::read(&self.path).map_err(QuarantineError::io(&self.path))?;
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

/// Writes `content` to `path` keeping the inode (hard links and open handles see
/// it); a new file gets `mode`.
fn write_in_place(path: &Path, content: &[u8], mode: u32) -> Result<(), QuarantineError> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .custom_flags(nix::libc::O_NOFOLLOW)
        .mode(mode)
        .open(path)
        .map_err(QuarantineError::io(path))?;
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
    if std::fs::read(&path).ok().as_deref() != Some(original) {
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
}
