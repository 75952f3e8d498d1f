//! The vocabulary every breachkit step speaks: a [`Finding`] (what was seen, where,
//! how bad, what to do next), its [`Severity`] and [`Step`], the [`Verdict`] that
//! sums findings up, [`Warning`]s about input that could not be read, and the
//! escaping of strings that came from the investigated host (for a terminal, a CSV
//! cell, a JSON document: [`json`]).
//!
//! This crate sits below all others (host, case, detect, the binary) so that they
//! share one definition; it was split out of `detect` because `case` stores findings
//! and must not depend on the checks.

mod escape;
mod finding;
pub mod json;
mod report;
mod rule;
mod severity;
mod verdict;

pub use escape::{csv_cell, escape_bytes, escape_path, terminal_safe, unescape_bytes};
pub use finding::Finding;
pub use report::{CheckStatus, Report, Warning};
pub use rule::Rule;
pub use severity::{ParseSeverityError, Severity, Step};
pub use verdict::{Verdict, VerdictKind};
