//! `breachkit report`: the case as one document, for people. [`render`] reads the
//! case ([`ReportData::from_case`]: the last judged run and its verdict, findings by
//! step and severity with their evidence, the timeline, the actions and what is
//! still in force, the evidence bundles and backups with their manifest hashes, and
//! what remains to do), builds one document from it ([`doc`]) and writes it as
//! - HTML: a single self-contained file (inline CSS and SVG, no script, no external
//!   asset, print-friendly, readable without colour), or
//! - Markdown (GitHub-flavoured), for tickets.
//!
//! Every string shown was possibly chosen by the attacker; [`escape`] says how each
//! format neutralises them.

mod data;
mod doc;
pub mod escape;
mod html;
mod markdown;
mod remaining;
mod svg;
mod timeline;

pub use data::{Backup, ReportData, StepFindings};
pub use remaining::{ROTATION_BATCH, Remaining};
pub use timeline::{Event, Lane};

use breachkit_case::{Case, CaseError};
use std::path::PathBuf;

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Markdown,
}

impl Format {
    /// The format of a name given on the command line: `html`, `md` or `markdown`.
    pub fn from_name(name: &str) -> Option<Format> {
        match name.to_ascii_lowercase().as_str() {
            "html" => Some(Format::Html),
            "md" | "markdown" => Some(Format::Markdown),
            _ => None,
        }
    }

    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Markdown => "md",
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    #[error(transparent)]
    Case(#[from] CaseError),
    #[error("evidence directory {path}: {source}")]
    Evidence {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("writing the report: {0}")]
    Write(#[from] std::fmt::Error),
}

/// The report of the whole case in `format`.
pub fn render(case: &Case, format: Format) -> Result<String, ReportError> {
    ReportData::from_case(case)?.render(format)
}

impl ReportData {
    /// This data as a report in `format`.
    pub fn render(&self, format: Format) -> Result<String, ReportError> {
        let doc = doc::build(self);
        Ok(match format {
            Format::Html => html::write(&doc)?,
            Format::Markdown => markdown::write(&doc)?,
        })
    }
}
