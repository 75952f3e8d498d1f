//! `gather verify`: re-hashes a bundle against its manifest. The manifest itself is
//! checked first against the SHA-256 the case recorded when the bundle was written
//! (a bundle and manifest rewritten together are caught there); then every file is
//! re-hashed, files missing or added are named, and each archive of host files is
//! verified against its own manifest (which the bundle's manifest lists). A
//! `.tar.zst` bundle is unpacked into a private temporary directory first; only
//! plain files and directories with plain relative names are taken from it.

use super::hash_file;
use super::manifest::{Entry, Header, MANIFEST};
use crate::GatherError;
use breachkit_finding::{Warning, escape_bytes, escape_path};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// One way the bundle differs from its manifest: the same record as an archive's
/// (the path is the file inside the bundle, or `ARCHIVE!/host/path` inside one of
/// its archives; empty for the bundle as a whole).
pub use breachkit_quarantine::verify::Difference;

#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    pub bundle: PathBuf,
    /// SHA-256 of the manifest as read now.
    pub manifest_sha256: String,
    /// What the case recorded when the bundle was written, if it holds a record.
    pub recorded_manifest_sha256: Option<String>,
    /// What the manifest says: false for a bundle whose collection stopped early.
    pub complete: bool,
    /// Files checked (bundle files and archive entries).
    pub checked: u64,
    pub differences: Vec<Difference>,
    pub warnings: Vec<Warning>,
}

impl VerifyReport {
    /// True when nothing differs.
    pub fn intact(&self) -> bool {
        self.differences.is_empty()
    }
}

/// Verifies the bundle at `bundle` (a directory or a `.tar.zst`); `recorded` is
/// the manifest SHA-256 the case holds for it.
pub fn verify(bundle: &Path, recorded: Option<&str>) -> Result<VerifyReport, GatherError> {
    let meta = std::fs::symlink_metadata(bundle).map_err(GatherError::io(bundle))?;
    if meta.is_dir() {
        return verify_dir(bundle, bundle, recorded);
    }
    if !meta.is_file() {
        return Err(GatherError::BadBundle {
            path: bundle.to_path_buf(),
            message: "neither a directory nor a regular file; not opened".into(),
        });
    }
    let scratch = Scratch::new()?;
    let mut taken = Vec::new();
    unpack(bundle, &scratch.0, &mut taken)?;
    let mut report = verify_dir(&scratch.0, bundle, recorded)?;
    for what in taken {
        report.differences.push(what);
    }
    Ok(report)
}

fn verify_dir(
    dir: &Path,
    shown_as: &Path,
    recorded: Option<&str>,
) -> Result<VerifyReport, GatherError> {
    let manifest_path = dir.join(MANIFEST);
    let (header, entries, manifest_sha256) = read_manifest(&manifest_path)?;
    let mut report = VerifyReport {
        bundle: shown_as.to_path_buf(),
        manifest_sha256: manifest_sha256.clone(),
        recorded_manifest_sha256: recorded.map(str::to_string),
        complete: header.complete,
        checked: 0,
        differences: Vec::new(),
        warnings: Vec::new(),
    };
    match recorded {
        Some(r) if r != manifest_sha256 => report.differences.push(Difference {
            path: MANIFEST.into(),
            what: format!(
                "SHA-256 {manifest_sha256}, but the case recorded {r} when the bundle was written: the manifest was changed, so the files cannot be trusted to match it"
            ),
        }),
        Some(_) => {}
        None => report.warnings.push(Warning::new(
            escape_path(&shown_as.join(MANIFEST)),
            format!(
                "the case holds no record of this bundle: the manifest itself could not be checked, only the files against it; its SHA-256 now is {manifest_sha256}"
            ),
        )),
    }
    if !header.complete {
        report.warnings.push(Warning::new(
            escape_path(shown_as),
            "the bundle is marked incomplete: collection stopped early (see acquisition.json); the manifest lists what was written".to_string(),
        ));
    }
    let mut listed: BTreeMap<String, Entry> = BTreeMap::new();
    for e in entries {
        let path = dir.join(&e.path);
        report.checked += 1;
        let mut diff = |what: String| {
            report.differences.push(Difference {
                path: e.path.clone(),
                what,
            })
        };
        match hash_file(&path) {
            Ok((sha, size)) => {
                if size != e.size {
                    diff(format!("size {size}, manifest says {}", e.size));
                }
                if sha != e.sha256 {
                    diff(format!("SHA-256 {sha}, manifest says {}", e.sha256));
                }
            }
            Err(err) => diff(format!("in the manifest but not readable: {err}")),
        }
        listed.insert(e.path.clone(), e);
    }
    extra_files(dir, &listed, &mut report);
    archives(dir, &listed, &mut report);
    Ok(report)
}

/// Names every file of the bundle directory the manifest does not list.
fn extra_files(dir: &Path, listed: &BTreeMap<String, Entry>, report: &mut VerifyReport) {
    for item in walkdir::WalkDir::new(dir).follow_links(false).min_depth(1) {
        let entry = match item {
            Ok(e) => e,
            Err(e) => {
                report.differences.push(Difference {
                    path: String::new(),
                    what: format!("bundle directory not fully listed: {e}"),
                });
                continue;
            }
        };
        if entry.file_type().is_dir() {
            continue;
        }
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let name = escape_path(rel);
        if name == MANIFEST || listed.contains_key(&name) {
            continue;
        }
        report.differences.push(Difference {
            path: name,
            what: "in the bundle but not in the manifest".into(),
        });
    }
}

/// Verifies each archive of host files against its own manifest, whose SHA-256 the
/// bundle's manifest holds.
fn archives(dir: &Path, listed: &BTreeMap<String, Entry>, report: &mut VerifyReport) {
    for name in listed.keys().filter(|n| n.ends_with(".tar.zst")) {
        let archive = dir.join(name);
        let manifest = breachkit_quarantine::verify::manifest_of(&archive);
        let manifest_name = escape_path(manifest.strip_prefix(dir).unwrap_or(&manifest));
        let Some(expected) = listed.get(&manifest_name) else {
            report.differences.push(Difference {
                path: name.clone(),
                what: format!("its manifest {manifest_name} is not in the bundle's manifest"),
            });
            continue;
        };
        match breachkit_quarantine::verify::verify_against(&archive, &expected.sha256) {
            Ok(inner) => {
                report.checked += inner.checked;
                for d in inner.differences {
                    report.differences.push(Difference {
                        path: format!("{name}!{}", d.path),
                        what: d.what,
                    });
                }
                report.warnings.extend(inner.warnings);
            }
            Err(e) => report.differences.push(Difference {
                path: name.clone(),
                what: format!("not verified: {e}"),
            }),
        }
    }
}

/// Reads the manifest: header, entries, and the SHA-256 of its bytes.
fn read_manifest(path: &Path) -> Result<(Header, Vec<Entry>, String), GatherError> {
    let (mut file, _) = super::open_regular(path)?;
    let mut text = Vec::new();
    file.read_to_end(&mut text).map_err(GatherError::io(path))?;
    let sha = hex::encode(Sha256::digest(&text));
    let bad = |line: usize, message: String| GatherError::BadBundle {
        path: path.to_path_buf(),
        message: format!("line {line}: {message}"),
    };
    let mut lines = text.split(|&b| b == b'\n').filter(|l| !l.is_empty());
    let header: Header = serde_json::from_slice(lines.next().unwrap_or_default())
        .map_err(|e| bad(1, format!("not a bundle manifest header: {e}")))?;
    let mut entries = Vec::new();
    for (i, line) in lines.enumerate() {
        let e: Entry = serde_json::from_slice(line).map_err(|e| bad(i + 2, e.to_string()))?;
        if !plain(&e.path) {
            return Err(bad(
                i + 2,
                format!(
                    "{} is not a plain relative path",
                    escape_bytes(e.path.as_bytes())
                ),
            ));
        }
        entries.push(e);
    }
    Ok((header, entries, sha))
}

/// A `/`-separated relative path without `..`, `.` or a root.
fn plain(name: &str) -> bool {
    !name.is_empty()
        && Path::new(name)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// Unpacks a `.tar.zst` bundle into `into`: plain files and directories only; any
/// other entry (a link, a device, a name leaving the directory) is a difference and
/// is not written.
fn unpack(archive: &Path, into: &Path, taken: &mut Vec<Difference>) -> Result<(), GatherError> {
    let (file, _) = super::open_regular(archive)?;
    let decoder = zstd::stream::read::Decoder::new(file).map_err(GatherError::io(archive))?;
    let mut tar = tar::Archive::new(decoder);
    let damaged = |e: std::io::Error| GatherError::BadBundle {
        path: archive.to_path_buf(),
        message: format!("archive damaged, not read to the end: {e}"),
    };
    for entry in tar.entries().map_err(damaged)? {
        let mut entry = entry.map_err(damaged)?;
        let raw = entry.path_bytes().into_owned();
        let name = escape_bytes(&raw);
        let name = name.trim_end_matches('/').to_string();
        let kind = entry.header().entry_type();
        if !plain(&name) || !(kind.is_file() || kind.is_dir()) {
            taken.push(Difference {
                path: name,
                what: "in the archive as a link, special file or name outside the bundle; not unpacked".into(),
            });
            continue;
        }
        let target = into.join(&name);
        if kind.is_dir() {
            std::fs::create_dir_all(&target).map_err(GatherError::io(&target))?;
            continue;
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(GatherError::io(parent))?;
        }
        let mut out = super::create_new(&target)?;
        std::io::copy(&mut entry, &mut out).map_err(damaged)?;
    }
    Ok(())
}

/// A private temporary directory, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Result<Scratch, GatherError> {
        use std::os::unix::fs::DirBuilderExt;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        let dir =
            std::env::temp_dir().join(format!("breachkit-verify-{}-{nanos}", std::process::id()));
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&dir)
            .map_err(GatherError::io(&dir))?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
