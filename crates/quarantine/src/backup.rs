//! Evidence backup: the given trees streamed into one `tar` + `zstd` archive in the
//! case, beside a manifest (JSON lines) with the host path, type, size, mode, owner,
//! mtime/ctime and SHA-256 of every entry.
//!
//! Nothing is changed by reading it: files are opened through [`Host::open`]
//! (`O_NOATIME`, no final symlink followed, FIFOs and devices never opened);
//! symlinks are stored as links and never followed; special files are recorded in
//! the manifest, not read. Memory stays flat: one file streams at a time through a
//! fixed buffer, and the walk holds one directory listing per level. A file that
//! vanishes, shrinks or grows while it is read is a warning, and the manifest says
//! exactly what was stored. The archive is marked tainted (manifest header, a
//! `.TAINTED` note beside it, read-only modes): it came from a compromised host.

use crate::QuarantineError;
use breachkit_finding::{Warning, escape_bytes, escape_path};
use breachkit_host::Host;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs::{File, Metadata};
use std::io::{BufWriter, Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{DirBuilderExt, FileTypeExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The sub-directory of the case that holds backups.
pub const EVIDENCE_DIR: &str = "evidence";
/// Manifest format version.
const MANIFEST_VERSION: u32 = 1;
/// Host directories never backed up: kernel views, not files.
const PSEUDO: &[&str] = &["/proc", "/sys", "/dev", "/run"];
/// Write buffer in front of the compressor.
const BUF: usize = 256 * 1024;

/// First line of a manifest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManifestHeader {
    pub breachkit_backup: u32,
    /// File name of the archive, beside the manifest.
    pub archive: String,
    pub created_at: String,
    pub hostname: String,
    /// Host paths asked for, escaped.
    pub paths: Vec<String>,
    /// Always true: taken from a compromised host, to be scanned before anything is
    /// restored from it.
    pub tainted: bool,
}

/// One entry of the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// Host path, lossless-escaped.
    pub path: String,
    /// `file`, `dir`, `symlink`, `fifo`, `socket`, `char-device`, `block-device`.
    pub kind: String,
    /// Bytes stored (for a file; the size seen by `fstat` unless it changed).
    pub size: u64,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    pub mtime: String,
    pub ctime: String,
    /// SHA-256 of the bytes stored (files only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Link target, escaped (symlinks only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// False for special files: recorded, not read nor stored.
    pub stored: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Where a backup is: done so far (for a progress bar).
#[derive(Debug, Clone, Default)]
pub struct Progress {
    pub entries: u64,
    pub bytes: u64,
    /// The host path just done.
    pub path: PathBuf,
}

/// What a backup wrote.
#[derive(Debug, Clone, Serialize)]
pub struct BackupSummary {
    pub archive: PathBuf,
    pub manifest: PathBuf,
    pub files: u64,
    pub dirs: u64,
    pub symlinks: u64,
    /// Special files recorded, not read.
    pub special: u64,
    /// Bytes of file content stored.
    pub bytes: u64,
    /// Bytes of the compressed archive.
    pub archive_bytes: u64,
    /// SHA-256 of the manifest as written, also recorded in the case: `verify`
    /// checks the manifest itself against it.
    pub manifest_sha256: String,
    pub warnings: Vec<Warning>,
}

/// Counts what a backup of `paths` would read (entries, bytes), for a progress bar.
pub fn measure(host: &Host, paths: &[PathBuf], skip: &Path) -> (u64, u64) {
    let (mut entries, mut bytes) = (0, 0);
    for path in paths {
        for e in walker(host, path, skip).flatten() {
            entries += 1;
            if let Ok(m) = e.metadata()
                && m.is_file()
            {
                bytes += m.len();
            }
        }
    }
    (entries, bytes)
}

fn walker<'a>(
    host: &'a Host,
    host_path: &Path,
    skip: &'a Path,
) -> impl Iterator<Item = walkdir::Result<walkdir::DirEntry>> + 'a {
    walkdir::WalkDir::new(host.locate(host_path))
        .follow_links(false)
        .follow_root_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(move |e| {
            let p = e.path();
            let hp = host.host_path(p);
            p != skip && !PSEUDO.iter().any(|x| hp == Path::new(x))
        })
}

/// Backs up `paths` (host paths) into `CASE/evidence/backup-TIME.tar.zst` with its
/// manifest, and records the manifest's SHA-256 in the case (a failure to record it
/// is a warning: the evidence is kept). `case_dir` itself is never backed up. Unreadable entries are warnings;
/// only a failure to write the archive (a full disk) stops it, and then the partial
/// archive is removed (also when a bug panics mid-way: no half archive is left to
/// be taken for evidence).
pub fn backup(
    host: &Host,
    paths: &[PathBuf],
    case_dir: &Path,
    progress: &mut dyn FnMut(&Progress),
) -> Result<BackupSummary, QuarantineError> {
    if paths.is_empty() {
        return Err(QuarantineError::BadInput(
            "nothing to back up: give one or more paths".into(),
        ));
    }
    let dir = case_dir.join(EVIDENCE_DIR);
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)
        .map_err(QuarantineError::io(&dir))?;
    let stamp = jiff::Timestamp::now()
        .strftime("%Y%m%dT%H%M%S%.fZ")
        .to_string();
    let archive = dir.join(format!("backup-{stamp}.tar.zst"));
    let manifest = dir.join(format!("backup-{stamp}.manifest.jsonl"));
    let skip = case_dir
        .canonicalize()
        .unwrap_or_else(|_| case_dir.to_path_buf());
    let limits = ArchiveLimits {
        skip: &skip,
        max_file: None,
    };
    let mut summary = write_archive(host, paths, &limits, &archive, &manifest, progress)?;
    if let Err(e) = register(case_dir, &summary) {
        summary.warnings.push(Warning::new(
            escape_path(&summary.manifest),
            format!(
                "the manifest's SHA-256 ({}) could not be recorded in the case ({e}); verify will not be able to check the manifest itself: note the hash",
                summary.manifest_sha256
            ),
        ));
    }
    Ok(summary)
}

/// Records a written backup in the case: archive, manifest and the manifest's hash.
fn register(case_dir: &Path, summary: &BackupSummary) -> Result<(), QuarantineError> {
    let name = |p: &Path| {
        p.file_name()
            .map(|n| escape_path(Path::new(n)))
            .unwrap_or_default()
    };
    let mut case = breachkit_case::Case::open(case_dir)?;
    case.record_backup(
        &name(&summary.archive),
        &name(&summary.manifest),
        &summary.manifest_sha256,
    )?;
    Ok(())
}

/// The files of a backup being written: removed when dropped unfinished (an error,
/// or a panic unwinding through [`backup`]).
struct Partial<'a> {
    files: [&'a Path; 2],
    finished: bool,
}

impl Drop for Partial<'_> {
    fn drop(&mut self) {
        if !self.finished {
            for file in self.files {
                let _ = std::fs::remove_file(file);
            }
        }
    }
}

fn create_new(path: &Path) -> Result<File, QuarantineError> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(QuarantineError::io(path))
}

/// What an archive leaves out or cuts.
#[derive(Debug, Clone, Copy)]
pub struct ArchiveLimits<'a> {
    /// A directory never stored (where the archive itself is written).
    pub skip: &'a Path,
    /// The most stored of one file: a larger one (a 4 GB sparse file) keeps its
    /// first bytes, and its manifest entry says so.
    pub max_file: Option<u64>,
}

/// Streams `paths` (host paths) into a new `archive` (`tar` + `zstd`) with its
/// `manifest` (JSON lines), marks both tainted, and returns what was written. Used
/// by [`backup`] and by the evidence bundle of `gather`. Unreadable entries are
/// warnings; a failure to write (a full disk) is the error, and then both files
/// are removed (also when a bug panics mid-way): no half archive is left to be
/// taken for evidence.
pub fn write_archive(
    host: &Host,
    paths: &[PathBuf],
    limits: &ArchiveLimits,
    archive: &Path,
    manifest: &Path,
    progress: &mut dyn FnMut(&Progress),
) -> Result<BackupSummary, QuarantineError> {
    let mut partial = Partial {
        files: [archive, manifest],
        finished: false,
    };
    let result = write_backup(host, paths, limits, archive, manifest, progress);
    partial.finished = result.is_ok();
    result
}

fn write_backup(
    host: &Host,
    paths: &[PathBuf],
    limits: &ArchiveLimits,
    archive: &Path,
    manifest: &Path,
    progress: &mut dyn FnMut(&Progress),
) -> Result<BackupSummary, QuarantineError> {
    let skip = limits.skip;
    let mut encoder = zstd::stream::write::Encoder::new(create_new(archive)?, 3)
        .map_err(QuarantineError::io(archive))?;
    // Two workers: compression overlaps reading and hashing.
    encoder
        .multithread(2)
        .map_err(QuarantineError::io(archive))?;
    let mut tar = tar::Builder::new(BufWriter::with_capacity(BUF, encoder));
    let mut out = Manifest {
        w: BufWriter::new(create_new(manifest)?),
        path: manifest,
        hasher: Sha256::new(),
        line: Vec::new(),
    };
    let header = ManifestHeader {
        breachkit_backup: MANIFEST_VERSION,
        archive: archive
            .file_name()
            .map(|n| escape_path(Path::new(n)))
            .unwrap_or_default(),
        created_at: breachkit_case::now_rfc3339(),
        hostname: nix::unistd::gethostname()
            .map(|h| escape_bytes(h.as_bytes()))
            .unwrap_or_default(),
        paths: paths.iter().map(|p| escape_path(p)).collect(),
        tainted: true,
    };
    out.line(&header)?;
    let mut summary = BackupSummary {
        archive: archive.to_path_buf(),
        manifest: manifest.to_path_buf(),
        files: 0,
        dirs: 0,
        symlinks: 0,
        special: 0,
        bytes: 0,
        archive_bytes: 0,
        manifest_sha256: String::new(),
        warnings: Vec::new(),
    };
    let mut done = Progress::default();
    for path in paths {
        for item in walker(host, path, skip) {
            let entry = match item {
                Ok(e) => e,
                Err(err) => {
                    let at = err
                        .path()
                        .map(|p| host.display(p))
                        .unwrap_or_else(|| escape_path(path));
                    summary.warnings.push(Warning::new(
                        at,
                        vanish_or(&err.to_string(), err.io_error()),
                    ));
                    continue;
                }
            };
            let host_path = host.host_path(entry.path());
            let meta = match entry.metadata() {
                Ok(m) => m,
                Err(err) => {
                    summary.warnings.push(Warning::new(
                        escape_path(&host_path),
                        vanish_or(&err.to_string(), err.io_error()),
                    ));
                    continue;
                }
            };
            let stored = store(
                host,
                &mut tar,
                &host_path,
                &meta,
                limits.max_file,
                &mut summary,
                archive,
            )?;
            if let Some(e) = stored {
                summary.bytes += if e.kind == "file" { e.size } else { 0 };
                out.line(&e)?;
                done.entries += 1;
                done.bytes = summary.bytes;
                done.path = host_path;
                progress(&done);
            }
        }
    }
    let encoder = tar
        .into_inner()
        .map_err(QuarantineError::io(archive))?
        .into_inner()
        .map_err(|e| QuarantineError::Io {
            path: archive.to_path_buf(),
            source: e.into_error(),
        })?;
    let file = encoder.finish().map_err(QuarantineError::io(archive))?;
    file.sync_all().map_err(QuarantineError::io(archive))?;
    summary.archive_bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
    summary.manifest_sha256 = out.finish()?;
    mark_tainted(archive, manifest)?;
    Ok(summary)
}

/// The manifest being written, hashed as it is written.
struct Manifest<'a> {
    w: BufWriter<File>,
    path: &'a Path,
    hasher: Sha256,
    /// The line being written (reused).
    line: Vec<u8>,
}

impl Manifest<'_> {
    fn line(&mut self, value: &impl Serialize) -> Result<(), QuarantineError> {
        self.line.clear();
        serde_json::to_writer(&mut self.line, value)
            .map_err(std::io::Error::from)
            .map_err(QuarantineError::io(self.path))?;
        self.line.push(b'\n');
        self.hasher.update(&self.line);
        self.w
            .write_all(&self.line)
            .map_err(QuarantineError::io(self.path))
    }

    /// Flushes and syncs the manifest; returns its SHA-256 (hex).
    fn finish(self) -> Result<String, QuarantineError> {
        let file = self.w.into_inner().map_err(|e| QuarantineError::Io {
            path: self.path.to_path_buf(),
            source: e.into_error(),
        })?;
        file.sync_all().map_err(QuarantineError::io(self.path))?;
        Ok(hex::encode(self.hasher.finalize()))
    }
}

fn vanish_or(message: &str, io: Option<&std::io::Error>) -> String {
    match io.map(std::io::Error::kind) {
        Some(std::io::ErrorKind::NotFound) => "vanished during the backup; not stored".to_string(),
        _ => format!("{message}; not stored"),
    }
}

/// Marks the archive tainted: read-only, and a note beside it.
fn mark_tainted(archive: &Path, manifest: &Path) -> Result<(), QuarantineError> {
    let note = archive.with_extension("zst.TAINTED");
    // A new file, like the archive: never opened if something is already there.
    create_new(&note)?
        .write_all(
            b"TAINTED: this archive was taken from a compromised host. It may hold the\n\
              attacker's files. Do not restore anything from it without scanning it first.\n",
        )
        .map_err(QuarantineError::io(&note))?;
    for p in [archive, manifest, note.as_path()] {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o400))
            .map_err(QuarantineError::io(p))?;
    }
    Ok(())
}

fn kind_of(ft: std::fs::FileType) -> &'static str {
    if ft.is_file() {
        "file"
    } else if ft.is_dir() {
        "dir"
    } else if ft.is_symlink() {
        "symlink"
    } else if ft.is_fifo() {
        "fifo"
    } else if ft.is_socket() {
        "socket"
    } else if ft.is_char_device() {
        "char-device"
    } else {
        "block-device"
    }
}

fn time(secs: i64, nanos: i64) -> String {
    jiff::Timestamp::new(secs, nanos as i32)
        .map(|t| t.to_string())
        .unwrap_or_else(|_| format!("{secs}"))
}

fn entry_of(host: &Host, host_path: &Path, meta: &Metadata) -> ManifestEntry {
    let accounts = host.accounts();
    ManifestEntry {
        path: escape_path(host_path),
        kind: kind_of(meta.file_type()).to_string(),
        size: if meta.is_file() { meta.len() } else { 0 },
        mode: meta.mode() & 0o7777,
        uid: meta.uid(),
        gid: meta.gid(),
        owner: accounts.by_uid(meta.uid()).map(|u| u.name.clone()),
        group: accounts
            .groups
            .iter()
            .find(|g| g.gid == meta.gid())
            .map(|g| g.name.clone()),
        mtime: time(meta.mtime(), meta.mtime_nsec()),
        ctime: time(meta.ctime(), meta.ctime_nsec()),
        sha256: None,
        link: None,
        stored: false,
        note: None,
    }
}

/// The tar header of an entry (type and size are set by the caller).
fn tar_header(e: &ManifestEntry, meta: &Metadata) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_mode(e.mode);
    h.set_uid(e.uid.into());
    h.set_gid(e.gid.into());
    h.set_mtime(meta.mtime().max(0) as u64);
    if let Some(o) = &e.owner {
        let _ = h.set_username(o);
    }
    if let Some(g) = &e.group {
        let _ = h.set_groupname(g);
    }
    h
}

/// The path inside the archive: the host path without its leading `/`.
fn archive_path(host_path: &Path) -> &Path {
    host_path.strip_prefix("/").unwrap_or(host_path)
}

/// Stores one entry; returns its manifest line, or `None` (with a warning) when it
/// could not be read. Only archive write errors are returned as errors.
fn store<W: Write>(
    host: &Host,
    tar: &mut tar::Builder<W>,
    host_path: &Path,
    meta: &Metadata,
    max_file: Option<u64>,
    summary: &mut BackupSummary,
    archive: &Path,
) -> Result<Option<ManifestEntry>, QuarantineError> {
    let werr = QuarantineError::io(archive);
    let mut e = entry_of(host, host_path, meta);
    let name = archive_path(host_path);
    let ft = meta.file_type();
    if ft.is_dir() {
        if name.as_os_str().is_empty() {
            // `/` itself: recorded, nothing to store.
            return Ok(Some(e));
        }
        let mut h = tar_header(&e, meta);
        h.set_entry_type(tar::EntryType::Directory);
        h.set_size(0);
        tar.append_data(&mut h, name, std::io::empty())
            .map_err(werr)?;
        e.stored = true;
        summary.dirs += 1;
    } else if ft.is_symlink() {
        let target = match std::fs::read_link(host.locate(host_path)) {
            Ok(t) => t,
            Err(err) => {
                summary.warnings.push(Warning::new(
                    e.path,
                    vanish_or(&err.to_string(), Some(&err)),
                ));
                return Ok(None);
            }
        };
        let mut h = tar_header(&e, meta);
        h.set_entry_type(tar::EntryType::Symlink);
        h.set_size(0);
        tar.append_link(&mut h, name, &target).map_err(werr)?;
        e.link = Some(escape_path(&target));
        e.stored = true;
        summary.symlinks += 1;
    } else if ft.is_file() {
        let (file, fmeta) = match host.open(host_path) {
            Ok(f) => f,
            Err(err) => {
                let msg = if err.is_not_found() {
                    "vanished during the backup; not stored".to_string()
                } else {
                    format!("{}; not stored", err.kind)
                };
                summary.warnings.push(Warning::new(e.path, msg));
                return Ok(None);
            }
        };
        let whole = fmeta.len();
        let size = max_file.map_or(whole, |m| whole.min(m));
        let mut h = tar_header(&e, &fmeta);
        h.set_entry_type(tar::EntryType::Regular);
        h.set_size(size);
        let mut reader = Exact {
            inner: file,
            remaining: size,
            hasher: Sha256::new(),
            short_by: 0,
            error: None,
        };
        tar.append_data(&mut h, name, &mut reader).map_err(werr)?;
        let mut extra = [0u8; 1];
        let grew = size == whole && matches!(reader.inner.read(&mut extra), Ok(n) if n > 0);
        e.size = size;
        e.sha256 = Some(hex::encode(reader.hasher.finalize()));
        e.stored = true;
        let note = match (&reader.error, reader.short_by, grew) {
            (Some(err), _, _) => Some(format!(
                "read error after {} of {size} bytes ({err}); the rest stored as zeros",
                size - reader.short_by
            )),
            (None, n, _) if n > 0 => Some(format!(
                "shrank while read: {} of {size} bytes read, the rest stored as zeros",
                size - n
            )),
            (None, _, true) => Some(format!("grew while read: the first {size} bytes stored")),
            _ if size < whole => Some(format!(
                "{whole} bytes, over the cap: the first {size} bytes stored"
            )),
            _ => None,
        };
        if let Some(n) = &note {
            summary
                .warnings
                .push(Warning::new(e.path.clone(), n.clone()));
        }
        e.note = note;
        summary.files += 1;
    } else {
        e.note = Some("special file: recorded, not read".into());
        summary.special += 1;
    }
    Ok(Some(e))
}

/// Reads exactly `remaining` bytes from a file that may change under us: a short
/// file is padded with zeros (and says so), the bytes handed on are hashed.
struct Exact {
    inner: File,
    remaining: u64,
    hasher: Sha256,
    /// Bytes padded because the file ended early or failed.
    short_by: u64,
    error: Option<std::io::Error>,
}

impl Read for Exact {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.remaining == 0 || buf.is_empty() {
            return Ok(0);
        }
        let want = buf
            .len()
            .min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
        // `want` is at most `buf.len()`: this always gets the first `want` bytes.
        let Some(buf) = buf.get_mut(..want) else {
            return Ok(0);
        };
        let n = if self.short_by > 0 || self.error.is_some() {
            0
        } else {
            loop {
                match self.inner.read(buf) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        self.error = Some(e);
                        break 0;
                    }
                }
            }
        };
        let n = if n == 0 {
            buf.fill(0);
            self.short_by += want as u64;
            want
        } else {
            n.min(want)
        };
        self.hasher.update(buf.get(..n).unwrap_or_default());
        self.remaining -= n as u64;
        Ok(n)
    }
}
