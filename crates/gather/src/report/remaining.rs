//! What remains to do, derived only from what the case holds: a verdict that is
//! missing or incomplete, high and critical findings still seen by the last judged
//! run, changes still in force, no (complete) evidence bundle, no backup or one the
//! case cannot check, no credential rotation journalled.

use super::data::Backup;
use breachkit_case::{Action, ActionState, BundleRecord, StoredRun};
use breachkit_finding::{Severity, Verdict, VerdictKind};
use std::collections::BTreeMap;
use std::fmt;

/// The batch step 4 journals credential rotation under (`breachkit cleanup
/// passwords`); an action in it counts as a rotation.
pub const ROTATION_BATCH: &str = "passwords";

/// One thing left to do.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Remaining {
    /// No run with a verdict is recorded.
    NoJudgedRun,
    /// The last judged run is incomplete: these parts failed.
    Incomplete { run: i64, failed: Vec<String> },
    /// The last judged run still shows findings at high or above.
    SevereFindings {
        run: i64,
        count: usize,
        rules: Vec<String>,
    },
    /// Changes of a batch still in force (`unsure` of them failed or were cut off
    /// while being made, so the host may be half-changed).
    InForce {
        batch: String,
        count: usize,
        unsure: usize,
        since: String,
    },
    /// No evidence bundle was gathered.
    NoBundle,
    /// The newest bundle stopped early.
    IncompleteBundle { bundle: String },
    /// No evidence backup is in the case.
    NoBackup,
    /// A backup whose manifest hash the case does not hold.
    UnrecordedBackup { archive: String },
    /// The host was judged compromised or suspicious and no credential rotation is
    /// journalled.
    NoCredentialRotation,
}

impl fmt::Display for Remaining {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Remaining::NoJudgedRun => f.write_str(
                "No run with a verdict is recorded in this case: run `breachkit check` first.",
            ),
            Remaining::Incomplete { run, failed } => write!(
                f,
                "The last judged run ({run}) is incomplete, its verdict cannot be trusted: {} failed. Run it again.",
                failed.join("; ")
            ),
            Remaining::SevereFindings { run, count, rules } => write!(
                f,
                "{count} finding(s) at high or critical are still in the last judged run ({run}): {}. Follow each one's next step, then run `breachkit check` again.",
                rules.join(", ")
            ),
            Remaining::InForce {
                batch,
                count,
                unsure,
                since,
            } => {
                write!(
                    f,
                    "{count} change(s) of `{batch}` still in force (since {since})"
                )?;
                if *unsure > 0 {
                    write!(
                        f,
                        ", {unsure} of them failed or were cut off while being made: check the host"
                    )?;
                }
                f.write_str(". Lift them in step 5 once the host is clean.")
            }
            Remaining::NoBundle => f.write_str(
                "No evidence bundle has been gathered: run `breachkit gather` before cleaning up.",
            ),
            Remaining::IncompleteBundle { bundle } => write!(
                f,
                "The newest evidence bundle ({bundle}) is incomplete: free space and gather again."
            ),
            Remaining::NoBackup => f.write_str(
                "No evidence backup is in the case (`breachkit quarantine backup PATH…`).",
            ),
            Remaining::UnrecordedBackup { archive } => write!(
                f,
                "The case holds no manifest hash for backup {archive}: its manifest cannot be checked; note its hash elsewhere."
            ),
            Remaining::NoCredentialRotation => f.write_str(
                "No credential rotation is journalled in the case: rotate system, database, application and SSH credentials after the clean-up (step 4).",
            ),
        }
    }
}

/// What remains, in the order the steps need it.
pub fn derive(
    judged: Option<&StoredRun>,
    verdict: Option<&Verdict>,
    actions: &[Action],
    bundles: &[BundleRecord],
    backups: &[Backup],
) -> Vec<Remaining> {
    let mut out = Vec::new();
    match (judged, verdict) {
        (Some(run), Some(v)) => {
            if v.is_incomplete() {
                out.push(Remaining::Incomplete {
                    run: run.id,
                    failed: v.failed.clone(),
                });
            }
            let severe: Vec<&str> = run
                .report
                .findings
                .iter()
                .filter(|f| f.severity >= Severity::High)
                .map(|f| f.rule.as_str())
                .collect();
            if !severe.is_empty() {
                let mut rules: Vec<String> = severe.iter().map(|r| r.to_string()).collect();
                rules.sort();
                rules.dedup();
                out.push(Remaining::SevereFindings {
                    run: run.id,
                    count: severe.len(),
                    rules,
                });
            }
        }
        _ => out.push(Remaining::NoJudgedRun),
    }
    let mut in_force: BTreeMap<&str, (usize, usize, &str)> = BTreeMap::new();
    for a in actions.iter().filter(|a| a.state.in_force()) {
        let entry = in_force
            .entry(a.batch.as_str())
            .or_insert((0, 0, a.updated_at.as_str()));
        entry.0 += 1;
        if a.state != ActionState::Applied {
            entry.1 += 1;
        }
    }
    out.extend(
        in_force
            .into_iter()
            .map(|(batch, (count, unsure, since))| Remaining::InForce {
                batch: batch.to_string(),
                count,
                unsure,
                since: since.to_string(),
            }),
    );
    match bundles.last() {
        None => out.push(Remaining::NoBundle),
        Some(b) if !b.complete => out.push(Remaining::IncompleteBundle {
            bundle: b.bundle.clone(),
        }),
        Some(_) => {}
    }
    if backups.is_empty() {
        out.push(Remaining::NoBackup);
    }
    out.extend(backups.iter().filter(|b| b.record.is_none()).map(|b| {
        Remaining::UnrecordedBackup {
            archive: b.archive.clone(),
        }
    }));
    let breached = verdict.is_some_and(|v| {
        matches!(
            v.findings_say,
            VerdictKind::Compromised | VerdictKind::Suspicious
        )
    });
    if breached && !actions.iter().any(|a| a.batch == ROTATION_BATCH) {
        out.push(Remaining::NoCredentialRotation);
    }
    out
}
