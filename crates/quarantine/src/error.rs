//! The errors of step 2; each says what it was about.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum QuarantineError {
    #[error(transparent)]
    Case(#[from] breachkit_case::CaseError),
    #[error(transparent)]
    Apply(#[from] breachkit_case::ApplyError),
    #[error("{}: {source}", breachkit_finding::escape_path(.path))]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {message}", breachkit_finding::escape_path(.path))]
    BadFile { path: PathBuf, message: String },
    #[error("{0}")]
    BadInput(String),
    #[error("{program} not found in PATH: {hint}")]
    MissingTool {
        program: &'static str,
        hint: &'static str,
    },
    #[error("`{command}` failed: {output}")]
    ToolFailed { command: String, output: String },
    #[error("{0}")]
    Refused(String),
    #[error("undo left some changes in force: {}", .0.join("; "))]
    Undo(Vec<String>),
}

impl QuarantineError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> QuarantineError {
        let path = path.into();
        move |source| QuarantineError::Io { path, source }
    }
}
