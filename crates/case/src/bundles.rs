//! The evidence bundles of the case (`breachkit gather`): where each was written,
//! the SHA-256 of its manifest, who collected it and whether it is complete. As for
//! backups, this record is what makes a bundle's manifest checkable: a bundle and
//! manifest rewritten together do not verify as intact.

use crate::{Case, CaseError};
use rusqlite::{OptionalExtension, params};

/// The schema of the bundle register (schema version 5).
pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS bundles (
    id              INTEGER PRIMARY KEY,
    bundle          TEXT NOT NULL UNIQUE,
    manifest_sha256 TEXT NOT NULL,
    examiner        TEXT NOT NULL,
    complete        INTEGER NOT NULL,
    created_at      TEXT NOT NULL
);
";

/// A bundle as the case recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleRecord {
    /// Absolute path of the bundle (a directory or a `.tar.zst`), escaped.
    pub bundle: String,
    /// SHA-256 of the bundle's manifest as written, lowercase hex.
    pub manifest_sha256: String,
    pub examiner: String,
    /// False when collection stopped early (a full disk): the manifest lists what
    /// exists.
    pub complete: bool,
    /// RFC 3339, UTC.
    pub created_at: String,
}

impl Case {
    /// Records a bundle just written; a bundle path is recorded once.
    pub fn record_bundle(&mut self, r: &BundleRecord) -> Result<(), CaseError> {
        self.conn
            .execute(
                "INSERT INTO bundles (bundle, manifest_sha256, examiner, complete, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    r.bundle,
                    r.manifest_sha256,
                    r.examiner,
                    r.complete,
                    r.created_at
                ],
            )
            .map_err(|source| self.db_err(source))?;
        Ok(())
    }

    /// The record of the bundle at this path (escaped, absolute), if any.
    pub fn bundle(&self, bundle: &str) -> Result<Option<BundleRecord>, CaseError> {
        self.conn
            .query_row(
                "SELECT bundle, manifest_sha256, examiner, complete, created_at
                 FROM bundles WHERE bundle = ?1",
                params![bundle],
                |r| {
                    Ok(BundleRecord {
                        bundle: r.get(0)?,
                        manifest_sha256: r.get(1)?,
                        examiner: r.get(2)?,
                        complete: r.get(3)?,
                        created_at: r.get(4)?,
                    })
                },
            )
            .optional()
            .map_err(|source| self.db_err(source))
    }

    /// Every bundle, oldest first.
    pub fn bundles(&self) -> Result<Vec<BundleRecord>, CaseError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT bundle, manifest_sha256, examiner, complete, created_at
                 FROM bundles ORDER BY id",
            )
            .map_err(|source| self.db_err(source))?;
        stmt.query_map([], |r| {
            Ok(BundleRecord {
                bundle: r.get(0)?,
                manifest_sha256: r.get(1)?,
                examiner: r.get(2)?,
                complete: r.get(3)?,
                created_at: r.get(4)?,
            })
        })
        .and_then(Iterator::collect)
        .map_err(|source| self.db_err(source))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundles_round_trip_once() {
        let t = tempfile::tempdir().unwrap();
        let mut case = Case::open(t.path()).unwrap();
        let r = BundleRecord {
            bundle: "/cases/x/bundle-1".into(),
            manifest_sha256: "ab12".into(),
            examiner: "ann".into(),
            complete: false,
            created_at: "2026-12-02T12:00:00Z".into(),
        };
        assert_eq!(case.bundle(&r.bundle).unwrap(), None);
        case.record_bundle(&r).unwrap();
        assert_eq!(case.bundle(&r.bundle).unwrap().as_ref(), Some(&r));
        let again = BundleRecord {
            manifest_sha256: "ffff".into(),
            ..r.clone()
        };
        assert!(
            case.record_bundle(&again).is_err(),
            "a record is never replaced"
        );
        assert_eq!(case.bundles().unwrap(), vec![r]);
    }
}
