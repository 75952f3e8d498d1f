//! Errors building the scan engine: the user's rule and hash files.

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScanError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("YARA rules in {origin} do not compile: {message}")]
    Compile { origin: String, message: String },
    #[error("{path} line {line}: {message}")]
    HashLine {
        path: String,
        line: usize,
        message: String,
    },
    #[error("{path}: no YARA rule files (*.yar, *.yara) found")]
    NoRules { path: String },
}

impl ScanError {
    pub(crate) fn read(path: &std::path::Path, source: std::io::Error) -> Self {
        ScanError::Read {
            path: breachkit_finding::escape_path(path),
            source,
        }
    }
}
