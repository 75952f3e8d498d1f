//! Severities (ordered, so thresholds compare) and the six response steps.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How bad a finding is. Ordered: `Info < Low < Medium < High < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown severity {0:?}: expected one of info, low, medium, high, critical")]
pub struct ParseSeverityError(String);

impl FromStr for Severity {
    type Err = ParseSeverityError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|sev| sev.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| ParseSeverityError(s.to_string()))
    }
}

/// The six steps of the response; every finding belongs to one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Step {
    /// 1: be aware and be certain.
    Aware,
    /// 2: go offline and quarantine.
    Quarantine,
    /// 3: gather information.
    Gather,
    /// 4: clean up.
    Cleanup,
    /// 5: restore service.
    Restore,
    /// 6: prevention.
    Prevent,
}

impl Step {
    pub fn title(self) -> &'static str {
        match self {
            Step::Aware => "1 Be aware and be certain",
            Step::Quarantine => "2 Go offline and quarantine",
            Step::Gather => "3 Gather information",
            Step::Cleanup => "4 Clean up",
            Step::Restore => "5 Restore service",
            Step::Prevent => "6 Prevention",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_order_and_parse() {
        assert!(Severity::Info < Severity::Low);
        assert!(Severity::High < Severity::Critical);
        assert_eq!("HIGH".parse::<Severity>().ok(), Some(Severity::High));
        assert!("severe".parse::<Severity>().is_err());
    }
}
