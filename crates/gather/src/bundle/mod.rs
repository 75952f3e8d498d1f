//! The evidence bundle: a directory of files, each written once through
//! [`BundleWriter`] (hashed as it is written) and listed in the manifest
//! ([`manifest`]) with its SHA-256, size and source. [`pack`] turns a finished
//! directory into one `.tar.zst`; [`verify`] re-hashes either form.
//!
//! A write that fails (a full disk) stops what it was writing, removes that file,
//! and marks the bundle incomplete: the manifest written at the end lists exactly
//! the files that exist, so a partial bundle still verifies as what it is.

pub mod manifest;
pub mod pack;
pub mod verify;

use crate::GatherError;
use manifest::{Entry, Header, MANIFEST, VERSION};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Component, Path, PathBuf};

/// A bundle being written.
#[derive(Debug)]
pub struct BundleWriter {
    dir: PathBuf,
    entries: Vec<Entry>,
    /// Why the bundle is incomplete, when it is.
    stopped: Option<String>,
}

/// What [`BundleWriter::finish`] wrote.
#[derive(Debug, Clone)]
pub struct Finished {
    pub dir: PathBuf,
    /// SHA-256 of `MANIFEST.jsonl`, lowercase hex.
    pub manifest_sha256: String,
    pub files: usize,
    pub bytes: u64,
    pub complete: bool,
}

impl BundleWriter {
    /// Starts a bundle in `dir`, which must not exist yet or be empty (evidence is
    /// never written over other files). Created with mode 0700.
    pub fn create(dir: &Path) -> Result<BundleWriter, GatherError> {
        if let Ok(mut listing) = std::fs::read_dir(dir)
            && listing.next().is_some()
        {
            return Err(GatherError::BadInput(format!(
                "{} is not empty: a bundle is written into a new or empty directory",
                breachkit_finding::escape_path(dir)
            )));
        }
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(GatherError::io(dir))?;
        Ok(BundleWriter {
            dir: dir.to_path_buf(),
            entries: Vec::new(),
            stopped: None,
        })
    }

    /// The bundle's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The bundle files written so far, in order.
    pub fn names(&self) -> Vec<String> {
        self.entries.iter().map(|e| e.path.clone()).collect()
    }

    /// Why the bundle is incomplete, if it is.
    pub fn stopped(&self) -> Option<&str> {
        self.stopped.as_deref()
    }

    /// Marks the bundle incomplete (the first reason is kept).
    pub fn stop(&mut self, why: String) {
        self.stopped.get_or_insert(why);
    }

    /// The host path of a bundle file (`live/processes.json` → `DIR/live/…`), its
    /// directories created.
    pub fn path_for(&self, name: &str) -> Result<PathBuf, GatherError> {
        let rel = Path::new(name);
        if name.is_empty() || !rel.components().all(|c| matches!(c, Component::Normal(_))) {
            return Err(GatherError::BadInput(format!(
                "bundle file name {name:?} is not a plain relative path"
            )));
        }
        let path = self.dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(parent)
                .map_err(GatherError::io(parent))?;
        }
        Ok(path)
    }

    /// Writes one file of the bundle with `write`, hashing it as it goes. On an
    /// error the file is removed and the error returned (the caller decides whether
    /// the bundle goes on).
    pub fn document(
        &mut self,
        name: &str,
        source: &str,
        write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> Result<Entry, GatherError> {
        let path = self.path_for(name)?;
        let file = create_new(&path)?;
        let mut out = Hashing {
            inner: BufWriter::new(file),
            hasher: Sha256::new(),
            size: 0,
        };
        let written = write(&mut out).and_then(|()| {
            let file = out.inner.into_inner().map_err(|e| e.into_error())?;
            file.sync_all()
        });
        if let Err(e) = written {
            let _ = std::fs::remove_file(&path);
            return Err(GatherError::Io { path, source: e });
        }
        Ok(self.push(Entry {
            path: name.to_string(),
            sha256: hex::encode(out.hasher.finalize()),
            size: out.size,
            source: source.to_string(),
        }))
    }

    /// Lists a file that was written into the bundle by other code (an archive, a
    /// copied executable): hashed now, from the bundle, never from the host.
    pub fn adopt(&mut self, name: &str, source: &str) -> Result<Entry, GatherError> {
        let path = self.dir.join(name);
        let (sha256, size) = hash_file(&path)?;
        Ok(self.push(Entry {
            path: name.to_string(),
            sha256,
            size,
            source: source.to_string(),
        }))
    }

    fn push(&mut self, e: Entry) -> Entry {
        self.entries.push(e.clone());
        e
    }

    /// Writes the manifest (after every other file: the acquisition log is one of
    /// them) and returns its SHA-256.
    pub fn finish(self) -> Result<Finished, GatherError> {
        let path = self.dir.join(MANIFEST);
        let complete = self.stopped.is_none();
        let mut text = Vec::new();
        let header = Header {
            breachkit_bundle: VERSION,
            complete,
            created_at: breachkit_case::now_rfc3339(),
        };
        json_line(&mut text, &header).map_err(GatherError::io(&path))?;
        for e in &self.entries {
            json_line(&mut text, e).map_err(GatherError::io(&path))?;
        }
        let mut file = create_new(&path)?;
        file.write_all(&text)
            .and_then(|()| file.sync_all())
            .map_err(GatherError::io(&path))?;
        Ok(Finished {
            dir: self.dir,
            manifest_sha256: hex::encode(Sha256::digest(&text)),
            files: self.entries.len(),
            bytes: self.entries.iter().map(|e| e.size).sum(),
            complete,
        })
    }
}

/// One JSON line of a manifest record.
fn json_line(out: &mut Vec<u8>, value: &impl serde::Serialize) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.push(b'\n');
    Ok(())
}

/// A new file, never one that exists (a link planted in the bundle's place is not
/// followed).
pub(crate) fn create_new(path: &Path) -> Result<File, GatherError> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(GatherError::io(path))
}

/// Opens a bundle file for reading: a final symlink is not followed, a FIFO does
/// not block the open, and anything but a regular file is refused.
pub(crate) fn open_regular(path: &Path) -> Result<(File, std::fs::Metadata), GatherError> {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(nix::libc::O_NOFOLLOW | nix::libc::O_NONBLOCK)
        .open(path)
        .map_err(GatherError::io(path))?;
    let meta = file.metadata().map_err(GatherError::io(path))?;
    if !meta.is_file() {
        return Err(GatherError::BadBundle {
            path: path.to_path_buf(),
            message: "not a regular file; not read".into(),
        });
    }
    Ok((file, meta))
}

/// SHA-256 and size of a regular file of the bundle ([`open_regular`]).
pub(crate) fn hash_file(path: &Path) -> Result<(String, u64), GatherError> {
    let (mut file, _) = open_regular(path)?;
    let mut hasher = Sha256::new();
    let size = std::io::copy(&mut file, &mut hasher).map_err(GatherError::io(path))?;
    Ok((hex::encode(hasher.finalize()), size))
}

/// A writer that hashes and counts what passes through it.
struct Hashing<W> {
    inner: W,
    hasher: Sha256,
    size: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        let done = buf.get(..n).unwrap_or_default();
        self.hasher.update(done);
        self.size += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
