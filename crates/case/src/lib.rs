//! The case journal: one SQLite database per incident (`DIR/case.db`) holding every
//! run of every step with its findings, so later steps, `case show` and reports read
//! them back instead of guessing. Every change made to the host is journalled here
//! with its undo data before it is made ([`actions`]).

pub mod actions;
pub mod backups;
pub mod bundles;

pub use backups::BackupRecord;
pub use bundles::BundleRecord;

pub use actions::{
    Action, ActionState, ApplyError, Change, ChangeError, NewAction, apply_changes, undo_batch,
};

use breachkit_finding::{Finding, Report};
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The database file inside a case directory.
pub const DB_FILE: &str = "case.db";

/// Schema version, in SQLite's `user_version`; bumped with each migration.
/// 1: runs and findings. 2: the action journal ([`actions::SCHEMA`]). 3: the backup
/// register with each manifest's hash ([`backups::SCHEMA`]). 4: each run's counts
/// (files, lines, messages, matches…), for runs of every command. 5: the register
/// of evidence bundles ([`bundles::SCHEMA`]).
const SCHEMA_VERSION: i64 = 5;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS runs (
    id          INTEGER PRIMARY KEY,
    command     TEXT NOT NULL,
    root        TEXT NOT NULL,
    hostname    TEXT NOT NULL,
    version     TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    verdict     TEXT NOT NULL,
    report      TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS findings (
    run_id   INTEGER NOT NULL REFERENCES runs(id),
    rule     TEXT NOT NULL,
    severity TEXT NOT NULL,
    path     TEXT,
    line     INTEGER,
    pid      INTEGER,
    finding  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS findings_by_run ON findings(run_id);
CREATE INDEX IF NOT EXISTS findings_by_rule ON findings(rule);
";

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CaseError {
    #[error("case directory {path}: {source}")]
    Dir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("case database {path}: {source}")]
    Db {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error(
        "case database {path} was written by a newer breachkit (schema {found}, this one knows {known})"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("case database {path}: stored report is damaged: {source}")]
    Damaged {
        path: PathBuf,
        source: serde_json::Error,
    },
}

/// The verdict stored for a run that judges nothing (`logs grep`: matches are not
/// findings) and did not fail.
pub const NO_VERDICT: &str = "none";

/// Where and when a run happened, and what it counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunInfo {
    /// The command as run (`check --root /mnt/img`).
    pub command: String,
    /// `/` for the live host, else the image directory.
    pub root: String,
    pub hostname: String,
    pub version: String,
    /// RFC 3339, UTC.
    pub started_at: String,
    pub finished_at: String,
    /// What the run counted (`files`, `bytes`, `lines`, `messages`, `matches`…).
    pub counts: BTreeMap<String, u64>,
    /// Whether the run gives a verdict; one that does not is stored as
    /// [`NO_VERDICT`] unless it is `incomplete`.
    pub judges: bool,
}

/// A run read back from the case.
#[derive(Debug, Clone)]
pub struct StoredRun {
    pub id: i64,
    pub info: RunInfo,
    /// As stored: `clean`, `suspicious`, `compromised`, `incomplete` or [`NO_VERDICT`].
    pub verdict: String,
    pub report: Report,
}

/// One line of the list of runs ([`Case::runs`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSummary {
    pub id: i64,
    pub info: RunInfo,
    pub verdict: String,
    pub findings: u64,
}

pub struct Case {
    db_path: PathBuf,
    conn: Connection,
}

impl Case {
    /// Opens the case in `dir`, creating the directory (mode 0700: it holds evidence)
    /// and the database if needed.
    pub fn open(dir: &Path) -> Result<Case, CaseError> {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|source| CaseError::Dir {
                path: dir.to_path_buf(),
                source,
            })?;
        let db_path = dir.join(DB_FILE);
        // A FIFO or device in the database's place would hang or harm the open.
        if let Ok(meta) = std::fs::metadata(&db_path)
            && !meta.is_file()
        {
            return Err(CaseError::Dir {
                path: db_path,
                source: std::io::Error::other("not a regular file; not opened"),
            });
        }
        let db = |source| CaseError::Db {
            path: db_path.clone(),
            source,
        };
        let conn = Connection::open(&db_path).map_err(db)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(db)?;
        let found: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(db)?;
        if found > SCHEMA_VERSION {
            return Err(CaseError::TooNew {
                path: db_path,
                found,
                known: SCHEMA_VERSION,
            });
        }
        // Every migration is additive (CREATE … IF NOT EXISTS), so running all of
        // them brings any older case up to date.
        conn.execute_batch(SCHEMA).map_err(db)?;
        conn.execute_batch(actions::SCHEMA).map_err(db)?;
        conn.execute_batch(backups::SCHEMA).map_err(db)?;
        conn.execute_batch(bundles::SCHEMA).map_err(db)?;
        add_counts_column(&conn).map_err(db)?;
        conn.pragma_update(None, "user_version", SCHEMA_VERSION)
            .map_err(db)?;
        Ok(Case { db_path, conn })
    }

    /// Opens an existing case; an absent one is an error, not a new empty case.
    pub fn open_existing(dir: &Path) -> Result<Case, CaseError> {
        let db_path = dir.join(DB_FILE);
        if !db_path.is_file() {
            return Err(CaseError::Dir {
                path: dir.to_path_buf(),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no case here (no case.db)",
                ),
            });
        }
        Case::open(dir)
    }

    pub fn db_path(&self) -> &Path {
        &self.db_path
    }

    /// The directory of the case (archives and other evidence go there).
    pub fn dir(&self) -> &Path {
        self.db_path.parent().unwrap_or(Path::new("."))
    }

    fn db_err(&self, source: rusqlite::Error) -> CaseError {
        CaseError::Db {
            path: self.db_path.clone(),
            source,
        }
    }

    /// Records a run and its findings in one transaction; returns the run id.
    pub fn record_run(&mut self, info: &RunInfo, report: &Report) -> Result<i64, CaseError> {
        let db = |source| CaseError::Db {
            path: self.db_path.clone(),
            source,
        };
        let damaged = |source| CaseError::Damaged {
            path: self.db_path.clone(),
            source,
        };
        let report_json = serde_json::to_string(report).map_err(damaged)?;
        let counts_json = serde_json::to_string(&info.counts).map_err(damaged)?;
        let verdict = report.verdict();
        let verdict = if info.judges || verdict.is_incomplete() {
            verdict.kind.as_str()
        } else {
            NO_VERDICT
        };
        let tx = self.conn.transaction().map_err(db)?;
        tx.execute(
            "INSERT INTO runs (command, root, hostname, version, started_at, finished_at, verdict, report, counts)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                info.command,
                info.root,
                info.hostname,
                info.version,
                info.started_at,
                info.finished_at,
                verdict,
                report_json,
                counts_json
            ],
        )
        .map_err(db)?;
        let run_id = tx.last_insert_rowid();
        {
            let mut insert = tx
                .prepare("INSERT INTO findings (run_id, rule, severity, path, line, pid, finding) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
                .map_err(db)?;
            for f in &report.findings {
                insert
                    .execute(params![
                        run_id,
                        f.rule,
                        f.severity.as_str(),
                        f.path,
                        f.line.map(|l| l as i64),
                        f.pid,
                        serde_json::to_string(f).map_err(damaged)?
                    ])
                    .map_err(db)?;
            }
        }
        tx.commit().map_err(db)?;
        Ok(run_id)
    }

    /// The most recent run, if any.
    pub fn last_run(&self) -> Result<Option<StoredRun>, CaseError> {
        self.stored_run("ORDER BY id DESC LIMIT 1", [])
    }

    /// The most recent run that gives a verdict (not `logs grep`), if any.
    pub fn last_judged_run(&self) -> Result<Option<StoredRun>, CaseError> {
        self.stored_run("WHERE verdict <> ?1 ORDER BY id DESC LIMIT 1", [NO_VERDICT])
    }

    /// One run and its report, chosen by `clause` (after `FROM runs`).
    fn stored_run(
        &self,
        clause: &str,
        args: impl rusqlite::Params,
    ) -> Result<Option<StoredRun>, CaseError> {
        let sql = format!("SELECT {RUN_COLUMNS}, report FROM runs {clause}");
        let row = self
            .conn
            .query_row(&sql, args, |r| {
                Ok((run_row(r)?, r.get::<_, String>(RUN_COLUMN_COUNT)?))
            })
            .optional()
            .map_err(|e| self.db_err(e))?;
        let Some(((id, info, verdict), report_json)) = row else {
            return Ok(None);
        };
        let report: Report =
            serde_json::from_str(&report_json).map_err(|source| CaseError::Damaged {
                path: self.db_path.clone(),
                source,
            })?;
        Ok(Some(StoredRun {
            id,
            info,
            verdict,
            report,
        }))
    }

    /// Every run, oldest first, with its verdict, counts and number of findings.
    pub fn runs(&self) -> Result<Vec<RunSummary>, CaseError> {
        let sql = format!(
            "SELECT {RUN_COLUMNS}, (SELECT COUNT(*) FROM findings f WHERE f.run_id = runs.id)
             FROM runs ORDER BY id"
        );
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.db_err(e))?;
        let rows = stmt
            .query_map([], |r| {
                let (id, info, verdict) = run_row(r)?;
                Ok(RunSummary {
                    id,
                    info,
                    verdict,
                    findings: r.get::<_, i64>(RUN_COLUMN_COUNT)?.max(0) as u64,
                })
            })
            .map_err(|e| self.db_err(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.db_err(e))?;
        Ok(rows)
    }

    /// All findings of a rule across runs (for later steps: "which files did step 1 flag").
    pub fn findings_of_rule(&self, rule: &str) -> Result<Vec<Finding>, CaseError> {
        let db = |source| CaseError::Db {
            path: self.db_path.clone(),
            source,
        };
        let mut stmt = self
            .conn
            .prepare("SELECT finding FROM findings WHERE rule = ?1 ORDER BY run_id, rowid")
            .map_err(db)?;
        let rows = stmt
            .query_map([rule], |r| r.get::<_, String>(0))
            .map_err(db)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(db)?;
        rows.iter()
            .map(|j| {
                serde_json::from_str(j).map_err(|source| CaseError::Damaged {
                    path: self.db_path.clone(),
                    source,
                })
            })
            .collect()
    }
}

/// The columns [`run_row`] reads, in its order.
const RUN_COLUMNS: &str =
    "id, command, root, hostname, version, started_at, finished_at, counts, verdict";
const RUN_COLUMN_COUNT: usize = 9;

/// A row's id, [`RunInfo`] and verdict ([`RUN_COLUMNS`]). Counts that do not parse
/// (a damaged case) read as none: they describe the run, they are not evidence.
fn run_row(r: &rusqlite::Row) -> rusqlite::Result<(i64, RunInfo, String)> {
    let counts: String = r.get(7)?;
    let verdict: String = r.get(8)?;
    Ok((
        r.get(0)?,
        RunInfo {
            command: r.get(1)?,
            root: r.get(2)?,
            hostname: r.get(3)?,
            version: r.get(4)?,
            started_at: r.get(5)?,
            finished_at: r.get(6)?,
            counts: serde_json::from_str(&counts).unwrap_or_default(),
            judges: verdict != NO_VERDICT,
        },
        verdict,
    ))
}

/// Schema 4: `runs.counts` (a JSON object), added to an older case's table.
fn add_counts_column(conn: &Connection) -> rusqlite::Result<()> {
    let has: bool = conn.query_row(
        "SELECT COUNT(*) > 0 FROM pragma_table_info('runs') WHERE name = 'counts'",
        [],
        |r| r.get(0),
    )?;
    if !has {
        conn.execute_batch("ALTER TABLE runs ADD COLUMN counts TEXT NOT NULL DEFAULT '{}'")?;
    }
    Ok(())
}

/// The current time as RFC 3339 UTC, for [`RunInfo`].
pub fn now_rfc3339() -> String {
    jiff::Timestamp::now().to_string()
}

/// Unix seconds as RFC 3339 UTC (a deadline kept in the case).
pub fn timestamp_rfc3339(secs: i64) -> String {
    jiff::Timestamp::from_second(secs)
        .map(|t| t.to_string())
        .unwrap_or_else(|_| secs.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use breachkit_finding::{Rule, Severity, Step};

    const R: Rule = Rule {
        id: "t.rule",
        step: Step::Aware,
        severity: Severity::High,
        title: "t",
        explanation: "e",
        mitre: Some("T1059"),
        next_step: "n",
    };

    #[test]
    fn a_version_1_case_gains_the_action_journal() {
        let t = tempfile::tempdir().unwrap();
        {
            let conn = Connection::open(t.path().join(DB_FILE)).unwrap();
            conn.execute_batch(SCHEMA).unwrap();
            conn.execute(
                "INSERT INTO runs (command, root, hostname, version, started_at, finished_at, verdict, report)
                 VALUES ('check', '/', 'h', '0', 'a', 'b', 'clean', '{\"findings\":[]}')",
                [],
            )
            .unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
        }
        let mut case = Case::open_existing(t.path()).unwrap();
        let old = case
            .last_run()
            .unwrap()
            .expect("runs survive the migration");
        assert!(old.info.counts.is_empty(), "and read with no counts");
        assert_eq!(case.runs().unwrap().len(), 1);
        let id = case
            .record_action(&NewAction {
                batch: "b",
                kind: "k",
                target: "t",
                undo: "{}",
                data: None,
            })
            .unwrap();
        assert_eq!(
            case.action(id).unwrap().unwrap().state,
            ActionState::Planned
        );
        let v: i64 = case
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, SCHEMA_VERSION);
        assert_eq!(
            case.backup("x.tar.zst").unwrap(),
            None,
            "and the backup register"
        );
    }

    #[test]
    fn a_fifo_in_place_of_the_database_is_refused_not_opened() {
        let t = tempfile::tempdir().unwrap();
        let fifo = t.path().join(DB_FILE);
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let err = Case::open(t.path()).err().unwrap().to_string();
        assert!(
            err.contains("case.db") && err.contains("not a regular file"),
            "{err}"
        );
    }

    #[test]
    fn every_run_is_listed_and_a_search_gives_no_verdict() {
        let t = tempfile::tempdir().unwrap();
        let mut case = Case::open(t.path()).unwrap();
        let info = |command: &str, judges| RunInfo {
            command: command.into(),
            root: "/mnt/img".into(),
            hostname: "h".into(),
            version: "0".into(),
            started_at: now_rfc3339(),
            finished_at: now_rfc3339(),
            counts: BTreeMap::from([("matches".to_string(), 7)]),
            judges,
        };
        let mut found = Report::default();
        found.findings.push(R.finding().path("/var/www/x.php"));
        let scan = case
            .record_run(&info("scan /var/www", true), &found)
            .unwrap();
        let grep = case
            .record_run(&info("logs grep", false), &Report::default())
            .unwrap();
        let failed = Report {
            failed: vec!["searching the logs".into()],
            ..Report::default()
        };
        case.record_run(&info("logs grep -e x", false), &failed)
            .unwrap();
        let runs = case.runs().unwrap();
        let listed: Vec<(i64, &str, &str, u64)> = runs
            .iter()
            .map(|r| {
                (
                    r.id,
                    r.info.command.as_str(),
                    r.verdict.as_str(),
                    r.findings,
                )
            })
            .collect();
        assert_eq!(
            listed,
            vec![
                (scan, "scan /var/www", "compromised", 1),
                (grep, "logs grep", NO_VERDICT, 0),
                (grep + 1, "logs grep -e x", "incomplete", 0),
            ]
        );
        assert_eq!(runs[1].info.counts.get("matches"), Some(&7));
        assert_eq!(case.last_run().unwrap().unwrap().id, grep + 1);
        // The incomplete search still judges (it says what is missing).
        assert_eq!(case.last_judged_run().unwrap().unwrap().id, grep + 1);
        let _ = case.record_run(&info("logs grep", false), &Report::default());
        assert_eq!(case.last_judged_run().unwrap().unwrap().id, grep + 1);
    }

    #[test]
    fn runs_round_trip_and_last_wins() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("case");
        assert!(Case::open_existing(&dir).is_err());
        let mut case = Case::open(&dir).unwrap();
        assert!(case.last_run().unwrap().is_none());
        let info = RunInfo {
            command: "check".into(),
            root: "/".into(),
            hostname: "h".into(),
            version: "0".into(),
            started_at: now_rfc3339(),
            finished_at: now_rfc3339(),
            counts: BTreeMap::from([("files".to_string(), 3)]),
            judges: true,
        };
        let mut report = Report::default();
        report.findings.push(R.finding().path("/etc/x").line(3));
        case.record_run(&info, &report).unwrap();
        report.findings.push(R.finding().path("/etc/y"));
        let id2 = case.record_run(&info, &report).unwrap();
        drop(case);
        let case = Case::open_existing(&dir).unwrap();
        let last = case.last_run().unwrap().unwrap();
        assert_eq!(last.id, id2);
        assert_eq!(last.report, report);
        assert_eq!(case.findings_of_rule("t.rule").unwrap().len(), 3);
        assert_eq!(last.info, info, "counts round-trip");
        assert_eq!(last.verdict, "compromised");
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
            0o700
        );
    }
}
