//! A rule: the fixed text of one kind of finding (id, severity, title, explanation,
//! ATT&CK technique, next step), declared once as a `const` next to the check that
//! raises it, so every finding of that kind reads the same.

use crate::{Finding, Severity, Step};

#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// Stable id, `area.what` (`proc.deleted-exe`); never renamed once released.
    pub id: &'static str,
    pub step: Step,
    pub severity: Severity,
    pub title: &'static str,
    /// Why this matters, for a tired admin.
    pub explanation: &'static str,
    /// MITRE ATT&CK technique id, where one fits.
    pub mitre: Option<&'static str>,
    /// What to do about it.
    pub next_step: &'static str,
}

impl Rule {
    /// A finding of this rule with no evidence yet.
    pub fn finding(&self) -> Finding {
        Finding {
            rule: self.id.to_string(),
            step: self.step,
            severity: self.severity,
            title: self.title.to_string(),
            explanation: self.explanation.to_string(),
            path: None,
            line: None,
            pid: None,
            time: None,
            evidence: None,
            mitre: self.mitre.map(str::to_string),
            next_step: Some(self.next_step.to_string()),
        }
    }
}
