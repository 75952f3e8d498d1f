//! `quarantine status`: what is in force for the case — every journalled change not
//! yet undone (maintenance page, host firewall, AWS isolation), whether isolation
//! still awaits `confirm` and until when, and the evidence backups taken.

use crate::QuarantineError;
use crate::backup::EVIDENCE_DIR;
use breachkit_case::Case;
use breachkit_finding::escape_path;
use serde::Serialize;

/// One change in force.
#[derive(Debug, Clone, Serialize)]
pub struct InForce {
    pub id: i64,
    pub batch: String,
    pub kind: String,
    pub target: String,
    pub state: &'static str,
    pub since: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub case: String,
    pub in_force: Vec<InForce>,
    /// Host isolation awaiting `confirm`: the roll-back time (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rollback_at: Option<String>,
    /// Archives in the case, escaped paths, oldest first.
    pub backups: Vec<String>,
    /// Changes made and undone since the case began.
    pub undone: usize,
}

pub fn status(case: &Case) -> Result<Status, QuarantineError> {
    let all = case.actions()?;
    let in_force: Vec<InForce> = all
        .iter()
        .filter(|a| a.state.in_force())
        .map(|a| InForce {
            id: a.id,
            batch: a.batch.clone(),
            kind: a.kind.clone(),
            target: a.target.clone(),
            state: a.state.as_str(),
            since: a.updated_at.clone(),
            note: a.note.clone(),
        })
        .collect();
    let rollback_at = crate::firewall::state(case)?
        .flatten()
        .and_then(|s| jiff::Timestamp::from_second(s).ok())
        .map(|t| t.to_string());
    let mut backups: Vec<String> = std::fs::read_dir(case.dir().join(EVIDENCE_DIR))
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.to_string_lossy().ends_with(".tar.zst"))
                .map(|p| escape_path(&p))
                .collect()
        })
        .unwrap_or_default();
    backups.sort();
    Ok(Status {
        case: escape_path(case.dir()),
        undone: all
            .iter()
            .filter(|a| a.state == breachkit_case::ActionState::Undone)
            .count(),
        in_force,
        rollback_at,
        backups,
    })
}
