//! The evidence backups of the case: each archive with the SHA-256 of its manifest,
//! recorded when the backup is made. The manifest holds the hash of every file in
//! the archive; this record is what makes the manifest itself checkable, so that an
//! archive and manifest rewritten together do not verify as intact.

use crate::{Case, CaseError};
use rusqlite::{OptionalExtension, params};

/// The schema of the backup register (schema version 3).
pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS backups (
    id              INTEGER PRIMARY KEY,
    archive         TEXT NOT NULL UNIQUE,
    manifest        TEXT NOT NULL,
    manifest_sha256 TEXT NOT NULL,
    created_at      TEXT NOT NULL
);
";

/// A backup as the case recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupRecord {
    /// File name of the archive in the case's evidence directory (escaped).
    pub archive: String,
    /// File name of its manifest (escaped).
    pub manifest: String,
    /// SHA-256 of the manifest as written, lowercase hex.
    pub manifest_sha256: String,
    /// RFC 3339, UTC.
    pub created_at: String,
}

impl Case {
    /// Records a backup just written. An archive name is recorded once: a second
    /// record for the same name is refused (the first one is what was written).
    pub fn record_backup(
        &mut self,
        archive: &str,
        manifest: &str,
        manifest_sha256: &str,
    ) -> Result<(), CaseError> {
        self.conn
            .execute(
                "INSERT INTO backups (archive, manifest, manifest_sha256, created_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![archive, manifest, manifest_sha256, crate::now_rfc3339()],
            )
            .map_err(|source| self.db_err(source))?;
        Ok(())
    }

    /// The record of the backup whose archive has this file name, if any (a backup
    /// made by a breachkit older than the register has none).
    pub fn backup(&self, archive: &str) -> Result<Option<BackupRecord>, CaseError> {
        self.conn
            .query_row(
                "SELECT archive, manifest, manifest_sha256, created_at FROM backups WHERE archive = ?1",
                params![archive],
                |r| {
                    Ok(BackupRecord {
                        archive: r.get(0)?,
                        manifest: r.get(1)?,
                        manifest_sha256: r.get(2)?,
                        created_at: r.get(3)?,
                    })
                },
            )
            .optional()
            .map_err(|source| self.db_err(source))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backups_round_trip_once() {
        let t = tempfile::tempdir().unwrap();
        let mut case = Case::open(t.path()).unwrap();
        assert_eq!(case.backup("b.tar.zst").unwrap(), None);
        case.record_backup("b.tar.zst", "b.manifest.jsonl", "ab12")
            .unwrap();
        let r = case.backup("b.tar.zst").unwrap().unwrap();
        assert_eq!(r.manifest, "b.manifest.jsonl");
        assert_eq!(r.manifest_sha256, "ab12");
        assert!(
            case.record_backup("b.tar.zst", "b.manifest.jsonl", "ffff")
                .is_err(),
            "a record is never replaced"
        );
        assert_eq!(
            case.backup("b.tar.zst").unwrap().unwrap().manifest_sha256,
            "ab12"
        );
    }
}
