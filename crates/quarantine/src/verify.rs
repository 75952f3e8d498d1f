//! `quarantine verify`: checks the manifest against the SHA-256 the case recorded
//! when the backup was made, then re-reads the archive and checks every entry
//! against the manifest (type, size, SHA-256, link target), and that nothing is
//! missing or extra. An archive and manifest rewritten together are caught by the
//! first check; a backup made before the case kept that record verifies with a
//! warning that the manifest itself could not be checked. A damaged archive (a
//! flipped byte in the compressed stream) is a difference, not a crash. Neither file
//! is opened unless it is a regular file: a FIFO in their place is an error, never
//! a hang.

use crate::QuarantineError;
use crate::backup::{EVIDENCE_DIR, ManifestEntry, ManifestHeader};
use crate::files::open_regular;
use breachkit_case::Case;
use breachkit_finding::{Warning, escape_bytes, escape_path};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// One way the archive differs from its manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// Host path, escaped; empty for the archive as a whole.
    pub path: String,
    pub what: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    pub archive: PathBuf,
    pub manifest: PathBuf,
    /// Entries checked against the manifest.
    pub checked: u64,
    pub differences: Vec<Difference>,
    pub tainted: bool,
    /// SHA-256 of the manifest as read now.
    pub manifest_sha256: String,
    /// What the case recorded for it when the backup was made; `None` when it holds
    /// no record (an older backup, or an archive outside its case).
    pub recorded_manifest_sha256: Option<String>,
    /// What could not be checked.
    pub warnings: Vec<Warning>,
}

/// The manifest beside an archive (`backup-X.tar.zst` → `backup-X.manifest.jsonl`).
pub fn manifest_of(archive: &Path) -> PathBuf {
    let name = archive
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name.strip_suffix(".tar.zst").unwrap_or(&name);
    archive.with_file_name(format!("{stem}.manifest.jsonl"))
}

/// A reader that hashes what passes through it.
struct Hashing<R> {
    inner: R,
    hasher: Sha256,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(buf.get(..n).unwrap_or_default());
        Ok(n)
    }
}

type Manifest = (ManifestHeader, HashMap<String, ManifestEntry>, String);

/// The manifest's header and entries, and its SHA-256 (hex).
fn read_manifest(path: &Path) -> Result<Manifest, QuarantineError> {
    let bad = |message: String| QuarantineError::BadFile {
        path: path.to_path_buf(),
        message,
    };
    let file = open_regular(path)?;
    let mut reader = BufReader::new(Hashing {
        inner: file,
        hasher: Sha256::new(),
    });
    let mut lines = (&mut reader).lines();
    let first = lines
        .next()
        .ok_or_else(|| bad("empty manifest".into()))?
        .map_err(QuarantineError::io(path))?;
    let header: ManifestHeader = serde_json::from_str(&first)
        .map_err(|e| bad(format!("line 1 is not a breachkit manifest header: {e}")))?;
    let mut entries = HashMap::new();
    for (i, line) in lines.enumerate() {
        let line = line.map_err(QuarantineError::io(path))?;
        let e: ManifestEntry =
            serde_json::from_str(&line).map_err(|err| bad(format!("line {}: {err}", i + 2)))?;
        entries.insert(e.path.clone(), e);
    }
    // `lines` stopped at the end: everything was hashed.
    let sha = hex::encode(reader.into_inner().hasher.finalize());
    Ok((header, entries, sha))
}

/// The case an archive belongs to: `CASE/evidence/backup-X.tar.zst` → `CASE`, when
/// a case database is there.
fn case_of(archive: &Path) -> Option<std::path::PathBuf> {
    let evidence = archive.parent()?;
    if evidence.file_name()? != EVIDENCE_DIR {
        return None;
    }
    let case = evidence.parent()?;
    case.join(breachkit_case::DB_FILE)
        .is_file()
        .then(|| case.to_path_buf())
}

fn kind_of(t: tar::EntryType) -> &'static str {
    match t {
        tar::EntryType::Regular | tar::EntryType::Continuous => "file",
        tar::EntryType::Directory => "dir",
        tar::EntryType::Symlink => "symlink",
        _ => "other",
    }
}

/// Checks `archive` and its manifest against the record of the case the archive is
/// in (`CASE/evidence/`), then re-hashes the archive against the manifest.
pub fn verify(archive: &Path) -> Result<VerifyReport, QuarantineError> {
    let Some(dir) = case_of(archive) else {
        return verify_with(archive, None);
    };
    match Case::open_existing(&dir) {
        Ok(case) => verify_with(archive, Some(&case)),
        Err(e) => {
            // The archive can still be checked against its manifest.
            let mut report = verify_with(archive, None)?;
            report.warnings.insert(
                0,
                Warning::new(
                    escape_path(&dir),
                    format!("the case could not be opened to look up the manifest's SHA-256: {e}"),
                ),
            );
            Ok(report)
        }
    }
}

/// [`verify`] against the record of `case` (`None`: no record to check against).
pub fn verify_with(archive: &Path, case: Option<&Case>) -> Result<VerifyReport, QuarantineError> {
    let name = archive
        .file_name()
        .map(|n| escape_path(Path::new(n)))
        .unwrap_or_default();
    let recorded = match case {
        Some(case) => case.backup(&name)?.map(|r| r.manifest_sha256),
        None => None,
    };
    verify_recorded(archive, recorded)
}

/// [`verify`] of an archive whose manifest's SHA-256 the caller knows from its own
/// record (an evidence bundle's manifest lists the archive's manifest).
pub fn verify_against(
    archive: &Path,
    manifest_sha256: &str,
) -> Result<VerifyReport, QuarantineError> {
    verify_recorded(archive, Some(manifest_sha256.to_string()))
}

fn verify_recorded(
    archive: &Path,
    recorded: Option<String>,
) -> Result<VerifyReport, QuarantineError> {
    // Refused before anything is read: the archive must not be a FIFO either.
    let file = open_regular(archive)?;
    let manifest = manifest_of(archive);
    let (header, mut expected, manifest_sha256) = read_manifest(&manifest)?;
    let mut report = VerifyReport {
        archive: archive.to_path_buf(),
        manifest: manifest.clone(),
        checked: 0,
        differences: Vec::new(),
        tainted: header.tainted,
        manifest_sha256: manifest_sha256.clone(),
        recorded_manifest_sha256: recorded.clone(),
        warnings: Vec::new(),
    };
    match &recorded {
        Some(r) if *r != manifest_sha256 => {
            report.differences.push(Difference {
                path: String::new(),
                what: format!(
                    "manifest {} has SHA-256 {manifest_sha256}, but the case recorded {} when the backup was made: the manifest was changed, so the archive cannot be trusted to match it",
                    escape_path(&manifest),
                    r
                ),
            });
        }
        Some(_) => {}
        None => report.warnings.push(Warning::new(
            escape_path(&manifest),
            format!(
                "the case holds no SHA-256 of this manifest (a backup made by an older breachkit, or an archive outside its case): the manifest itself could not be checked, only the archive against it; its SHA-256 now is {manifest_sha256}"
            ),
        )),
    }
    if let Err(e) = check_entries(file, &mut expected, &mut report) {
        report.differences.push(Difference {
            path: String::new(),
            what: format!("archive damaged, not read to the end: {e}"),
        });
    }
    let mut missing: Vec<_> = expected.into_values().filter(|e| e.stored).collect();
    missing.sort_by(|a, b| a.path.cmp(&b.path));
    for e in missing {
        report.differences.push(Difference {
            path: e.path,
            what: "in the manifest but missing from the archive".into(),
        });
    }
    Ok(report)
}

fn check_entries(
    file: std::fs::File,
    expected: &mut HashMap<String, ManifestEntry>,
    report: &mut VerifyReport,
) -> std::io::Result<()> {
    let decoder = zstd::stream::read::Decoder::new(file)?;
    let mut tar = tar::Archive::new(decoder);
    for entry in tar.entries()? {
        let mut entry = entry?;
        let mut raw = b"/".to_vec();
        raw.extend_from_slice(&entry.path_bytes());
        let path = escape_bytes(&raw);
        let path = path
            .strip_suffix('/')
            .filter(|p| !p.is_empty())
            .unwrap_or(&path)
            .to_string();
        let kind = kind_of(entry.header().entry_type());
        let mut diff = |what: String| {
            report.differences.push(Difference {
                path: path.clone(),
                what,
            })
        };
        let Some(want) = expected.remove(&path) else {
            diff("in the archive but not in the manifest".into());
            continue;
        };
        report.checked += 1;
        if want.kind != kind {
            diff(format!(
                "is a {kind} in the archive, a {} in the manifest",
                want.kind
            ));
            continue;
        }
        match kind {
            "file" => {
                let mut hasher = Sha256::new();
                let size = std::io::copy(&mut entry, &mut hasher)?;
                let sha = hex::encode(hasher.finalize());
                if size != want.size {
                    diff(format!("size {size}, manifest says {}", want.size));
                }
                if Some(&sha) != want.sha256.as_ref() {
                    diff(format!(
                        "SHA-256 {sha}, manifest says {}",
                        want.sha256.as_deref().unwrap_or("none")
                    ));
                }
            }
            "symlink" => {
                let target = entry
                    .link_name_bytes()
                    .map(|b| escape_bytes(&b))
                    .unwrap_or_default();
                if Some(&target) != want.link.as_ref() {
                    diff(format!(
                        "links to {target}, manifest says {}",
                        want.link.as_deref().unwrap_or("nothing")
                    ));
                }
            }
            _ => {}
        }
    }
    Ok(())
}
