//! Errors reading the host; each names the host path it is about.

use std::fmt;
use std::io;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HostErrorKind {
    #[error("{0}")]
    Io(#[from] io::Error),
    #[error("not a regular file ({0}); not read")]
    NotRegular(&'static str),
    #[error("is a symbolic link; not followed")]
    Symlink,
    #[error("not a directory")]
    NotADirectory,
    #[error("too many levels of symbolic links")]
    SymlinkLoop,
}

/// An error about one host path. `path` is the host path, lossless-escaped.
#[derive(Debug)]
pub struct HostError {
    pub path: String,
    pub kind: HostErrorKind,
}

impl HostError {
    pub fn new(path: String, kind: HostErrorKind) -> Self {
        HostError { path, kind }
    }

    /// True when the file simply is not there (vanished, or never existed).
    pub fn is_not_found(&self) -> bool {
        matches!(&self.kind, HostErrorKind::Io(e) if e.kind() == io::ErrorKind::NotFound)
    }

    /// The error as a warning for the report.
    pub fn warning(&self) -> breachkit_finding::Warning {
        breachkit_finding::Warning::new(self.path.clone(), self.kind.to_string())
    }
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.kind)
    }
}

impl std::error::Error for HostError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.kind.source()
    }
}

/// The name of a non-regular file type, for messages.
pub(crate) fn type_name(ft: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_dir() {
        "directory"
    } else if ft.is_symlink() {
        "symbolic link"
    } else if ft.is_fifo() {
        "FIFO"
    } else if ft.is_socket() {
        "socket"
    } else if ft.is_block_device() {
        "block device"
    } else if ft.is_char_device() {
        "character device"
    } else {
        "special file"
    }
}
