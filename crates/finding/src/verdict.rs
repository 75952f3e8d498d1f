//! The verdict: one word the admin can act on, with the reasons behind it.
//!
//! A high or critical finding is, by the rules' own definition, a sign an honest
//! server does not show, so one is enough for `compromised`; medium findings are
//! worth a look (`suspicious`); low and info findings alone leave the host `clean`.
//!
//! A verdict never hides a failure: when part of the work failed (a check or a
//! source of results that panicked), its findings are missing and no word about the
//! host can be trusted, so the verdict is `incomplete`, with what failed, whatever
//! the rest found ([`Verdict::findings_say`] keeps what that was).

use crate::{Finding, Severity};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VerdictKind {
    Clean,
    Suspicious,
    Compromised,
    /// Part of the work failed: the findings are not the whole story.
    Incomplete,
}

impl VerdictKind {
    pub fn as_str(self) -> &'static str {
        match self {
            VerdictKind::Clean => "clean",
            VerdictKind::Suspicious => "suspicious",
            VerdictKind::Compromised => "compromised",
            VerdictKind::Incomplete => "incomplete",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub kind: VerdictKind,
    /// One line per distinct rule that decided the verdict, most severe first.
    pub reasons: Vec<String>,
    /// What failed (its results are missing); not empty exactly when the kind is
    /// `incomplete`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failed: Vec<String>,
    /// What the findings alone say (the kind, unless the verdict is incomplete).
    pub findings_say: VerdictKind,
}

/// How many reasons a verdict lists before summarising the rest.
const MAX_REASONS: usize = 8;

impl Verdict {
    /// The verdict of a run: what the findings say, or `incomplete` when anything
    /// in `failed` (what failed, one line each) is missing from them.
    pub fn of_run(findings: &[Finding], failed: &[String]) -> Verdict {
        let mut verdict = Verdict::of(findings);
        if !failed.is_empty() {
            verdict.kind = VerdictKind::Incomplete;
            verdict.failed = failed.to_vec();
        }
        verdict
    }

    /// What the findings say, when nothing failed.
    pub fn of(findings: &[Finding]) -> Verdict {
        let worst = findings.iter().map(|f| f.severity).max();
        let (kind, floor) = match worst {
            Some(s) if s >= Severity::High => (VerdictKind::Compromised, Severity::High),
            Some(Severity::Medium) => (VerdictKind::Suspicious, Severity::Medium),
            _ => (VerdictKind::Clean, Severity::Critical),
        };
        let mut deciding: Vec<&Finding> = findings.iter().filter(|f| f.severity >= floor).collect();
        deciding.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| a.rule.cmp(&b.rule))
        });
        // One reason per run of findings of the same rule (runs are never empty).
        let mut reasons: Vec<String> = deciding
            .chunk_by(|a, b| a.rule == b.rule)
            .filter_map(|run| {
                let first = run.first()?;
                Some(match run.len() {
                    1 => format!("{} ({})", first.title, first.rule),
                    n => format!("{} ({}, {} times)", first.title, first.rule, n),
                })
            })
            .collect();
        if reasons.len() > MAX_REASONS {
            let more = reasons.len() - MAX_REASONS;
            reasons.truncate(MAX_REASONS);
            reasons.push(format!("and {more} more kinds of finding"));
        }
        Verdict {
            kind,
            reasons,
            failed: Vec::new(),
            findings_say: kind,
        }
    }

    pub fn is_incomplete(&self) -> bool {
        self.kind == VerdictKind::Incomplete
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Rule, Step};

    fn rule(id: &'static str, severity: Severity) -> Rule {
        Rule {
            id,
            step: Step::Aware,
            severity,
            title: "t",
            explanation: "e",
            mitre: None,
            next_step: "n",
        }
    }

    #[test]
    fn verdict_follows_the_worst_finding() {
        assert_eq!(Verdict::of(&[]).kind, VerdictKind::Clean);
        let low = rule("a.low", Severity::Low).finding();
        assert_eq!(
            Verdict::of(std::slice::from_ref(&low)).kind,
            VerdictKind::Clean
        );
        let med = rule("a.med", Severity::Medium).finding();
        let v = Verdict::of(&[low.clone(), med.clone()]);
        assert_eq!(v.kind, VerdictKind::Suspicious);
        assert_eq!(v.reasons, vec!["t (a.med)".to_string()]);
        let high = rule("a.high", Severity::High).finding();
        let v = Verdict::of(&[low, med, high.clone(), high]);
        assert_eq!(v.kind, VerdictKind::Compromised);
        assert_eq!(v.reasons, vec!["t (a.high, 2 times)".to_string()]);
    }

    #[test]
    fn a_failure_makes_any_verdict_incomplete() {
        let high = rule("a.high", Severity::High).finding();
        let failed = vec!["check files".to_string()];
        let v = Verdict::of_run(&[], &failed);
        assert_eq!(v.kind, VerdictKind::Incomplete);
        assert_eq!(v.findings_say, VerdictKind::Clean);
        assert_eq!(v.failed, failed);
        let v = Verdict::of_run(std::slice::from_ref(&high), &failed);
        assert_eq!(v.kind, VerdictKind::Incomplete);
        assert_eq!(v.findings_say, VerdictKind::Compromised);
        assert_eq!(v.reasons, vec!["t (a.high)".to_string()]);
        let v = Verdict::of_run(&[high], &[]);
        assert_eq!(v.kind, VerdictKind::Compromised);
        assert!(v.failed.is_empty());
        let json = serde_json::to_value(Verdict::of_run(&[], &failed)).unwrap();
        assert_eq!(json["kind"], "incomplete");
        assert_eq!(json["failed"][0], "check files");
    }
}
