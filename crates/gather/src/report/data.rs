//! What the report says, gathered from the case once: the last judged run and its
//! verdict, the findings grouped by step and severity, every run, action, bundle and
//! backup, the timeline events and what remains to do. The renderers only lay it out.

use super::ReportError;
use super::remaining::{self, Remaining};
use super::timeline::{self, Event};
use breachkit_case::{Action, BackupRecord, BundleRecord, Case, RunSummary, StoredRun};
use breachkit_finding::{Finding, Severity, Step, Verdict, escape_path};
use breachkit_quarantine::backup::EVIDENCE_DIR;
use std::path::Path;

/// Everything the report shows, read from a case.
#[derive(Debug, Clone)]
pub struct ReportData {
    /// The case directory (escaped).
    pub case_dir: String,
    /// When the report was made (RFC 3339, UTC).
    pub generated_at: String,
    /// The most recent run that gives a verdict, if any.
    pub judged: Option<StoredRun>,
    /// Its verdict, recomputed from its findings and what failed.
    pub verdict: Option<Verdict>,
    /// Its findings by step, then most severe first (empty steps left out).
    pub findings: Vec<StepFindings>,
    /// Every run, oldest first.
    pub runs: Vec<RunSummary>,
    /// Every action journalled (steps 2 and later), oldest first.
    pub actions: Vec<Action>,
    pub bundles: Vec<BundleRecord>,
    pub backups: Vec<Backup>,
    /// What happened, in time order.
    pub events: Vec<Event>,
    /// Findings of the judged run with no usable time (not on the timeline).
    pub untimed_findings: usize,
    pub remaining: Vec<Remaining>,
}

/// The findings of one step, most severe first.
#[derive(Debug, Clone)]
pub struct StepFindings {
    pub step: Step,
    pub findings: Vec<Finding>,
}

/// An evidence backup archive found in the case's evidence directory, with the
/// case's record of it (none for a backup made before the register existed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backup {
    /// The archive's file name (escaped).
    pub archive: String,
    pub record: Option<BackupRecord>,
}

impl ReportData {
    /// Reads the case.
    pub fn from_case(case: &Case) -> Result<ReportData, ReportError> {
        let judged = case.last_judged_run()?;
        let verdict = judged
            .as_ref()
            .map(|run| Verdict::of_run(&run.report.findings, &run.report.failed));
        let findings = judged
            .as_ref()
            .map(|run| by_step(&run.report.findings))
            .unwrap_or_default();
        let runs = case.runs()?;
        let actions = case.actions()?;
        let bundles = case.bundles()?;
        let backups = backups(case)?;
        let judged_findings = judged.as_ref().map(|r| r.report.findings.as_slice());
        let (events, untimed_findings) = timeline::events(
            judged_findings.unwrap_or_default(),
            &runs,
            &actions,
            &bundles,
            &backups,
        );
        let remaining = remaining::derive(
            judged.as_ref(),
            verdict.as_ref(),
            &actions,
            &bundles,
            &backups,
        );
        Ok(ReportData {
            case_dir: escape_path(case.dir()),
            generated_at: breachkit_case::now_rfc3339(),
            judged,
            verdict,
            findings,
            runs,
            actions,
            bundles,
            backups,
            events,
            untimed_findings,
            remaining,
        })
    }

    /// How many findings of the judged run are at `severity` or above.
    pub fn count_at_or_above(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .flat_map(|s| &s.findings)
            .filter(|f| f.severity >= severity)
            .count()
    }
}

/// Findings grouped by step (in step order), each group most severe first, then by
/// rule, path and line.
fn by_step(findings: &[Finding]) -> Vec<StepFindings> {
    let mut sorted: Vec<Finding> = findings.to_vec();
    sorted.sort_by(|a, b| {
        a.step
            .cmp(&b.step)
            .then_with(|| b.severity.cmp(&a.severity))
            .then_with(|| a.rule.cmp(&b.rule))
            .then_with(|| a.path.cmp(&b.path))
            .then_with(|| a.line.cmp(&b.line))
    });
    let mut groups: Vec<StepFindings> = Vec::new();
    for f in sorted {
        match groups.last_mut() {
            Some(g) if g.step == f.step => g.findings.push(f),
            _ => groups.push(StepFindings {
                step: f.step,
                findings: vec![f],
            }),
        }
    }
    groups
}

/// The backup archives in `CASE/evidence` (as `quarantine status` lists them), each
/// with the case's record. The case has no list of its backup records, so a record
/// whose archive is gone is not shown.
fn backups(case: &Case) -> Result<Vec<Backup>, ReportError> {
    let dir = case.dir().join(EVIDENCE_DIR);
    let mut names: Vec<String> = match std::fs::read_dir(&dir) {
        Ok(rd) => rd
            .flatten()
            .map(|e| escape_path(Path::new(&e.file_name())))
            .filter(|n| n.ends_with(".tar.zst"))
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(source) => return Err(ReportError::Evidence { path: dir, source }),
    };
    names.sort();
    names
        .into_iter()
        .map(|archive| {
            let record = case.backup(&archive)?;
            Ok(Backup { archive, record })
        })
        .collect()
}
