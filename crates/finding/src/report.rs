//! What one run produced: the findings, the warnings about input that could not be
//! read, which checks ran or were skipped (and why), and what failed.

use crate::{Finding, Severity, Verdict};
use serde::{Deserialize, Serialize};

/// Input that could not be read or was only partly read. The run goes on; the admin
/// is told which file and what was wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub message: String,
}

impl Warning {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Warning {
            path: Some(path.into()),
            message: message.into(),
        }
    }
}

/// Whether a check ran; a skipped check says why (an offline image has no processes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckStatus {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    /// Wall time in milliseconds.
    #[serde(default)]
    pub millis: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub findings: Vec<Finding>,
    #[serde(default)]
    pub warnings: Vec<Warning>,
    #[serde(default)]
    pub checks: Vec<CheckStatus>,
    /// What failed internally while the run went (`check files`, `reading the
    /// logs`): its results are missing, and the verdict is `incomplete`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failed: Vec<String>,
}

impl Report {
    /// Most severe first; then by rule, path and line, so output is stable.
    pub fn sort(&mut self) {
        self.findings.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| a.step.cmp(&b.step))
                .then_with(|| a.rule.cmp(&b.rule))
                .then_with(|| a.path.cmp(&b.path))
                .then_with(|| a.line.cmp(&b.line))
                .then_with(|| a.pid.cmp(&b.pid))
        });
    }

    /// The verdict: what the findings say, or `incomplete` when anything failed.
    pub fn verdict(&self) -> Verdict {
        Verdict::of_run(&self.findings, &self.failed)
    }

    /// Whether any finding is at or above `threshold` (the exit-code rule).
    pub fn any_at_or_above(&self, threshold: Severity) -> bool {
        self.findings.iter().any(|f| f.severity >= threshold)
    }
}
