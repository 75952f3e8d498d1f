//! The action journal: every change breachkit makes to a host (a config file
//! rewritten, a firewall table added, a security group swapped) is a row in the case,
//! with the data needed to undo it written BEFORE the change is made.
//!
//! A command's changes form a batch (`maintenance`, `isolate-host`, `isolate-aws`).
//! [`apply_changes`] runs a batch step by step: record (planned, with undo data) →
//! applying → applied; when a step fails, the steps already done are undone in
//! reverse from what the case holds, exactly as a later `off`/`release` would.
//! [`undo_batch`] is that later `off`/`release`: it reads what to put back from the
//! case, never from memory.

use crate::{Case, CaseError};
use rusqlite::params;

/// The schema of the action journal (schema version 2).
pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS actions (
    id         INTEGER PRIMARY KEY,
    batch      TEXT NOT NULL,
    kind       TEXT NOT NULL,
    target     TEXT NOT NULL,
    state      TEXT NOT NULL,
    undo       TEXT NOT NULL,
    data       BLOB,
    note       TEXT,
    planned_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS actions_by_batch ON actions(batch, state);
";

/// Where an action is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionState {
    /// Recorded with its undo data; nothing changed yet.
    Planned,
    /// Being made; the host may be half-changed (a crash leaves it here).
    Applying,
    /// Made and in force.
    Applied,
    /// Put back.
    Undone,
    /// Failed while being made; may be half-done, so it is undone too.
    Failed,
}

impl ActionState {
    pub fn as_str(self) -> &'static str {
        match self {
            ActionState::Planned => "planned",
            ActionState::Applying => "applying",
            ActionState::Applied => "applied",
            ActionState::Undone => "undone",
            ActionState::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Option<ActionState> {
        [
            ActionState::Planned,
            ActionState::Applying,
            ActionState::Applied,
            ActionState::Undone,
            ActionState::Failed,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }

    /// True when the host may hold this change (what `off`/`release` must undo).
    pub fn in_force(self) -> bool {
        matches!(
            self,
            ActionState::Applying | ActionState::Applied | ActionState::Failed
        )
    }
}

/// A change about to be made, with what is needed to undo it.
#[derive(Debug, Clone)]
pub struct NewAction<'a> {
    pub batch: &'a str,
    /// What kind of change; the undoer dispatches on it (`file`, `nft-table`, …).
    pub kind: &'a str,
    /// What it changes (a host path, a table, an ENI id), for people.
    pub target: &'a str,
    /// Undo data, JSON chosen by the caller.
    pub undo: &'a str,
    /// Raw bytes that go with the undo data (the original content of a file).
    pub data: Option<&'a [u8]>,
}

/// An action read back from the case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    pub id: i64,
    pub batch: String,
    pub kind: String,
    pub target: String,
    pub state: ActionState,
    pub undo: String,
    pub data: Option<Vec<u8>>,
    pub note: Option<String>,
    pub planned_at: String,
    pub updated_at: String,
}

/// An error of a change or of its undo, from the crate that makes it.
pub type ChangeError = Box<dyn std::error::Error + Send + Sync>;

/// One step of a batch: what it will change, how to undo it, and the change itself.
pub trait Change {
    fn kind(&self) -> &str;
    fn target(&self) -> String;
    /// The undo data (JSON) and raw bytes, captured from the host before acting.
    fn undo_data(&self) -> Result<(String, Option<Vec<u8>>), ChangeError>;
    /// Makes the change.
    fn apply(&mut self) -> Result<(), ChangeError>;
}

/// Why a batch did not apply.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApplyError {
    #[error("{kind} {target} failed: {source}; {}", rollback_summary(.rollback))]
    Failed {
        kind: String,
        target: String,
        source: ChangeError,
        /// Undo errors of the rollback, `target: error`; empty when all was put back.
        rollback: Vec<String>,
    },
}

fn rollback_summary(rollback: &[String]) -> String {
    if rollback.is_empty() {
        "everything done before it was rolled back".to_string()
    } else {
        format!(
            "rollback left {} step(s) in force: {}",
            rollback.len(),
            rollback.join("; ")
        )
    }
}

/// Applies a batch of changes in order, journalling each with its undo data before
/// it is made. On the first failure (of a change, or of the case itself: a full
/// disk) the failed step and those before it are undone in reverse by `undo`, from
/// the case, and the error says what happened.
pub fn apply_changes(
    case: &mut Case,
    batch: &str,
    changes: &mut [Box<dyn Change + '_>],
    mut undo: impl FnMut(&Action) -> Result<(), ChangeError>,
) -> Result<Vec<i64>, ApplyError> {
    let mut ids = Vec::with_capacity(changes.len());
    for change in changes.iter_mut() {
        if let Err(source) = apply_one(case, batch, change.as_mut(), &mut ids) {
            let rollback = undo_ids(case, &ids, &mut undo);
            return Err(ApplyError::Failed {
                kind: change.kind().to_string(),
                target: change.target(),
                source,
                rollback,
            });
        }
    }
    Ok(ids)
}

/// Records one change (pushing its id as soon as it is in the case), then makes it.
fn apply_one(
    case: &mut Case,
    batch: &str,
    change: &mut dyn Change,
    ids: &mut Vec<i64>,
) -> Result<(), ChangeError> {
    let (undo_json, data) = change.undo_data()?;
    let id = case.record_action(&NewAction {
        batch,
        kind: change.kind(),
        target: &change.target(),
        undo: &undo_json,
        data: data.as_deref(),
    })?;
    ids.push(id);
    case.set_action_state(id, ActionState::Applying, None)?;
    if let Err(e) = change.apply() {
        // Best effort: the rollback undoes it whatever state the case shows.
        let _ = case.set_action_state(id, ActionState::Failed, Some(&e.to_string()));
        return Err(e);
    }
    case.set_action_state(id, ActionState::Applied, None)?;
    Ok(())
}

/// Undoes every action of a batch still in force, newest first, from the case.
/// Returns the undo errors (`kind target: error`); those actions stay in force so a
/// second run tries again.
pub fn undo_batch(
    case: &mut Case,
    batch: &str,
    mut undo: impl FnMut(&Action) -> Result<(), ChangeError>,
) -> Result<Vec<String>, CaseError> {
    let ids: Vec<i64> = case.actions_in_force(batch)?.iter().map(|a| a.id).collect();
    Ok(undo_ids(case, &ids, &mut undo))
}

/// Undoes the given actions newest first; errors (of the undo or of the case) are
/// collected, not fatal, so as much as possible is put back.
fn undo_ids(
    case: &mut Case,
    ids: &[i64],
    undo: &mut impl FnMut(&Action) -> Result<(), ChangeError>,
) -> Vec<String> {
    let mut errors = Vec::new();
    for &id in ids.iter().rev() {
        let action = match case.action(id) {
            Ok(Some(a)) => a,
            Ok(None) => continue,
            Err(e) => {
                errors.push(format!("action {id}: {e}"));
                continue;
            }
        };
        if !action.state.in_force() {
            continue;
        }
        let result = match undo(&action) {
            Ok(()) => case.set_action_state(id, ActionState::Undone, None),
            Err(e) => {
                let msg = e.to_string();
                errors.push(format!("{} {}: {msg}", action.kind, action.target));
                case.set_action_state(id, action.state, Some(&format!("undo failed: {msg}")))
            }
        };
        if let Err(e) = result {
            errors.push(format!("{} {}: {e}", action.kind, action.target));
        }
    }
    errors
}

impl Case {
    /// Records a change about to be made, with its undo data; state `planned`.
    pub fn record_action(&mut self, a: &NewAction) -> Result<i64, CaseError> {
        let now = crate::now_rfc3339();
        self.conn
            .execute(
                "INSERT INTO actions (batch, kind, target, state, undo, data, planned_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
                params![
                    a.batch,
                    a.kind,
                    a.target,
                    ActionState::Planned.as_str(),
                    a.undo,
                    a.data,
                    now
                ],
            )
            .map_err(|source| self.db_err(source))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Moves an action to a new state; `note` (an error) replaces the old note when given.
    pub fn set_action_state(
        &mut self,
        id: i64,
        state: ActionState,
        note: Option<&str>,
    ) -> Result<(), CaseError> {
        self.conn
            .execute(
                "UPDATE actions SET state = ?1, note = COALESCE(?2, note), updated_at = ?3 WHERE id = ?4",
                params![state.as_str(), note, crate::now_rfc3339(), id],
            )
            .map_err(|source| self.db_err(source))?;
        Ok(())
    }

    /// One action by id.
    pub fn action(&self, id: i64) -> Result<Option<Action>, CaseError> {
        Ok(self
            .query_actions("WHERE id = ?1", params![id])?
            .into_iter()
            .next())
    }

    /// The actions of a batch the host may still hold, oldest first.
    pub fn actions_in_force(&self, batch: &str) -> Result<Vec<Action>, CaseError> {
        Ok(self
            .query_actions("WHERE batch = ?1", params![batch])?
            .into_iter()
            .filter(|a| a.state.in_force())
            .collect())
    }

    /// Every action of the case, oldest first.
    pub fn actions(&self) -> Result<Vec<Action>, CaseError> {
        self.query_actions("", params![])
    }

    fn query_actions(
        &self,
        filter: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<Action>, CaseError> {
        let sql = format!(
            "SELECT id, batch, kind, target, state, undo, data, note, planned_at, updated_at
             FROM actions {filter} ORDER BY id"
        );
        let mut stmt = self
            .conn
            .prepare(&sql)
            .map_err(|source| self.db_err(source))?;
        let rows = stmt
            .query_map(args, |r| {
                let state: String = r.get(4)?;
                Ok(Action {
                    id: r.get(0)?,
                    batch: r.get(1)?,
                    kind: r.get(2)?,
                    target: r.get(3)?,
                    // An unknown state (a newer breachkit) is treated as in force.
                    state: ActionState::parse(&state).unwrap_or(ActionState::Failed),
                    undo: r.get(5)?,
                    data: r.get(6)?,
                    note: r.get(7)?,
                    planned_at: r.get(8)?,
                    updated_at: r.get(9)?,
                })
            })
            .map_err(|source| self.db_err(source))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|source| self.db_err(source))?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    /// A change that appends to a shared log, and fails when told to.
    struct Push<'a> {
        log: &'a RefCell<Vec<String>>,
        name: &'static str,
        fail: bool,
    }

    impl Change for Push<'_> {
        fn kind(&self) -> &str {
            "push"
        }
        fn target(&self) -> String {
            self.name.to_string()
        }
        fn undo_data(&self) -> Result<(String, Option<Vec<u8>>), ChangeError> {
            Ok((format!("\"{}\"", self.name), Some(vec![0, 255])))
        }
        fn apply(&mut self) -> Result<(), ChangeError> {
            self.log.borrow_mut().push(self.name.to_string());
            if self.fail {
                return Err("boom".into());
            }
            Ok(())
        }
    }

    /// One `Push` per (name, fails) pair.
    fn pushes<'a>(
        log: &'a RefCell<Vec<String>>,
        steps: &[(&'static str, bool)],
    ) -> Vec<Box<dyn Change + 'a>> {
        steps
            .iter()
            .map(|&(name, fail)| Box::new(Push { log, name, fail }) as Box<dyn Change>)
            .collect()
    }

    fn undo_from(log: &RefCell<Vec<String>>) -> impl FnMut(&Action) -> Result<(), ChangeError> {
        move |a: &Action| {
            assert_eq!(a.data.as_deref(), Some(&[0u8, 255][..]));
            let name: String = serde_json::from_str(&a.undo)?;
            let mut l = log.borrow_mut();
            let pos = l.iter().rposition(|x| *x == name).ok_or("not applied")?;
            l.remove(pos);
            Ok(())
        }
    }

    #[test]
    fn batch_applies_and_undoes_from_the_case() {
        let t = tempfile::tempdir().unwrap();
        let mut case = Case::open(t.path()).unwrap();
        let log = RefCell::new(Vec::new());
        let mut changes = pushes(&log, &[("a", false), ("b", false)]);
        let ids = apply_changes(&mut case, "t", &mut changes, undo_from(&log)).unwrap();
        assert_eq!(ids.len(), 2);
        assert_eq!(*log.borrow(), ["a", "b"]);
        assert_eq!(case.actions_in_force("t").unwrap().len(), 2);
        assert!(case.actions_in_force("other").unwrap().is_empty());
        drop(changes);
        let errors = undo_batch(&mut case, "t", undo_from(&log)).unwrap();
        assert!(errors.is_empty());
        assert!(log.borrow().is_empty());
        let all = case.actions().unwrap();
        assert!(all.iter().all(|a| a.state == ActionState::Undone));
        // Undoing again is harmless.
        assert!(
            undo_batch(&mut case, "t", undo_from(&log))
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn failure_part_way_rolls_back_what_was_done() {
        let t = tempfile::tempdir().unwrap();
        let mut case = Case::open(t.path()).unwrap();
        let log = RefCell::new(Vec::new());
        let mut changes = pushes(&log, &[("a", false), ("b", true), ("c", false)]);
        let err = apply_changes(&mut case, "t", &mut changes, undo_from(&log)).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("push b failed: boom"), "{msg}");
        assert!(msg.contains("rolled back"), "{msg}");
        assert!(log.borrow().is_empty(), "{:?}", log.borrow());
        let all = case.actions().unwrap();
        assert_eq!(all.len(), 2, "c was never recorded");
        assert!(all.iter().all(|a| a.state == ActionState::Undone));
        assert_eq!(all[1].note.as_deref(), Some("boom"));
    }

    #[test]
    fn failed_undo_stays_in_force() {
        let t = tempfile::tempdir().unwrap();
        let mut case = Case::open(t.path()).unwrap();
        let log = RefCell::new(Vec::new());
        let mut changes = pushes(&log, &[("a", false)]);
        apply_changes(&mut case, "t", &mut changes, undo_from(&log)).unwrap();
        let errors = undo_batch(&mut case, "t", |_| Err("device busy".into())).unwrap();
        assert_eq!(errors, ["push a: device busy"]);
        let left = case.actions_in_force("t").unwrap();
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].note.as_deref(), Some("undo failed: device busy"));
    }
}
