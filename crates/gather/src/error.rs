//! The errors of step 3; each names the file or the thing it was about.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GatherError {
    #[error(transparent)]
    Case(#[from] breachkit_case::CaseError),
    #[error(transparent)]
    Quarantine(#[from] breachkit_quarantine::QuarantineError),
    #[error("{}: {source}", breachkit_finding::escape_path(.path))]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {message}", breachkit_finding::escape_path(.path))]
    BadBundle { path: PathBuf, message: String },
    #[error("{0}")]
    BadInput(String),
}

impl GatherError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> GatherError {
        let path = path.into();
        move |source| GatherError::Io { path, source }
    }
}
