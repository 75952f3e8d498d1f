//! The plain configuration the command line is parsed into.

use breachkit_finding::Severity;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Jsonl,
}

/// Where the case lives; a default one that cannot be opened only warns.
#[derive(Debug, Clone)]
pub enum CaseLocation {
    Explicit(PathBuf),
    Default(PathBuf),
}

impl CaseLocation {
    pub fn dir(&self) -> &Path {
        match self {
            CaseLocation::Explicit(p) | CaseLocation::Default(p) => p,
        }
    }
}

#[derive(Debug, Clone)]
pub struct CheckConfig {
    pub root: Option<PathBuf>,
    pub only: Vec<String>,
    pub skip: Vec<String>,
    pub min_severity: Severity,
    pub list: bool,
}

#[derive(Debug, Clone)]
pub enum Command {
    Check(CheckConfig),
    CaseShow,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub case: CaseLocation,
    pub format: Format,
    pub quiet: bool,
    pub command: Command,
    /// The arguments as given, escaped, for the case journal.
    pub command_line: String,
}
