//! `quarantine verify`: re-reads a backup archive and checks every entry against its
//! manifest (type, size, SHA-256, link target), and that nothing is missing or extra.
//! A damaged archive (a flipped byte in the compressed stream) is a difference, not
//! a crash.

use crate::QuarantineError;
use crate::backup::{ManifestEntry, ManifestHeader};
use breachkit_finding::escape_bytes;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
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

fn read_manifest(
    path: &Path,
) -> Result<(ManifestHeader, HashMap<String, ManifestEntry>), QuarantineError> {
    let bad = |message: String| QuarantineError::BadFile {
        path: path.to_path_buf(),
        message,
    };
    let file = std::fs::File::open(path).map_err(QuarantineError::io(path))?;
    let mut lines = BufReader::new(file).lines();
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
    Ok((header, entries))
}

fn kind_of(t: tar::EntryType) -> &'static str {
    match t {
        tar::EntryType::Regular | tar::EntryType::Continuous => "file",
        tar::EntryType::Directory => "dir",
        tar::EntryType::Symlink => "symlink",
        _ => "other",
    }
}

/// Re-hashes `archive` against its manifest.
pub fn verify(archive: &Path) -> Result<VerifyReport, QuarantineError> {
    let manifest = manifest_of(archive);
    let (header, mut expected) = read_manifest(&manifest)?;
    let mut report = VerifyReport {
        archive: archive.to_path_buf(),
        manifest,
        checked: 0,
        differences: Vec::new(),
        tainted: header.tainted,
    };
    let file = std::fs::File::open(archive).map_err(QuarantineError::io(archive))?;
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
