//! Executables read through `/proc/PID/exe`: the link opens the very file the
//! process runs, deleted or not, so its SHA-256 and a copy of it come from what is
//! running, not from whatever now sits at its path. Suspect programs (deleted,
//! fileless, or in a temp directory) are copied into the evidence. Nothing is ever
//! executed: copies are written read-only, without execute permission.

use super::LiveError;
use breachkit_detect::processes::{self as proc, Exe, Place, ReadError, exe_state, risky_place};
use breachkit_finding::{escape_bytes, escape_path};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// The most of an executable that is hashed or copied (a real one is rarely over
/// 200 MB; a hostile process may point at something endless).
pub const MAX_EXE_BYTES: u64 = 512 << 20;

/// The SHA-256 of an executable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExeHash {
    /// Hex SHA-256 of the first `bytes` bytes.
    pub sha256: String,
    pub bytes: u64,
    /// The file is larger than [`MAX_EXE_BYTES`]: the hash covers only its start.
    pub capped: bool,
}

/// Opens `/proc/PID/exe` for reading without touching its access time and without
/// blocking; refuses anything but a regular file.
fn open_exe(pid: u32) -> Result<(File, std::fs::Metadata), ReadError> {
    let path = format!("/proc/{pid}/exe");
    let open = |flags| {
        OpenOptions::new()
            .read(true)
            .custom_flags(flags | nix::libc::O_NONBLOCK | nix::libc::O_CLOEXEC)
            .open(&path)
    };
    // O_NOATIME is refused (EPERM) on another account's file without CAP_FOWNER.
    let file = match open(nix::libc::O_NOATIME) {
        Err(e) if e.raw_os_error() == Some(nix::libc::EPERM) => open(0)?,
        other => other?,
    };
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(ReadError::Failed(format!("{path}: not a regular file")));
    }
    Ok((file, meta))
}

/// Reads at most [`MAX_EXE_BYTES`] of `file`, hashing it and writing it to `copy`.
fn hash_and_copy(file: File, mut copy: Option<&mut File>) -> io::Result<ExeHash> {
    let mut reader = file.take(MAX_EXE_BYTES);
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut bytes = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let chunk = buf.get(..n).unwrap_or_default();
        hasher.update(chunk);
        if let Some(out) = copy.as_deref_mut() {
            out.write_all(chunk)?;
        }
        bytes += n as u64;
    }
    // One byte more tells a file of exactly the limit from a larger one.
    let capped = bytes == MAX_EXE_BYTES && reader.into_inner().read(&mut [0u8; 1])? == 1;
    Ok(ExeHash {
        sha256: hex::encode(hasher.finalize()),
        bytes,
        capped,
    })
}

/// A file by identity: device, inode, size and change time.
type FileKey = (u64, u64, u64, i64, i64);

fn key(meta: &std::fs::Metadata) -> FileKey {
    (
        meta.dev(),
        meta.ino(),
        meta.size(),
        meta.ctime(),
        meta.ctime_nsec(),
    )
}

/// Hashes of the executables seen so far: a program run by many processes is read once.
#[derive(Debug, Default)]
pub(super) struct HashCache {
    by_file: HashMap<FileKey, ExeHash>,
}

impl HashCache {
    /// The hash of the executable of process `pid`.
    pub fn hash(&mut self, pid: u32) -> Result<ExeHash, ReadError> {
        let (file, meta) = open_exe(pid)?;
        match self.by_file.entry(key(&meta)) {
            Entry::Occupied(e) => Ok(e.get().clone()),
            Entry::Vacant(e) => Ok(e.insert(hash_and_copy(file, None)?).clone()),
        }
    }
}

/// The executable of a process, copied into the evidence.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExeCopy {
    pub pid: u32,
    /// The program's path as the kernel shows it (` (deleted)` included).
    pub exe: String,
    /// Where the copy is.
    pub dest: String,
    /// Bytes copied.
    pub size: u64,
    pub sha256: String,
    /// The file is larger than [`MAX_EXE_BYTES`] and the copy holds only its start.
    pub capped: bool,
}

/// The copies [`copy_suspect_exes`] made.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExeCopies {
    pub dest_dir: String,
    /// One per suspect process; processes running the same file share one copy.
    pub copies: Vec<ExeCopy>,
    pub failed: Vec<super::Unreadable>,
    pub exited_while_read: u64,
}

/// Whether a program is suspect enough to keep: deleted, fileless, or in a temp dir.
fn is_suspect(exe: Exe<'_>) -> bool {
    match exe {
        Exe::Memfd(_) | Exe::Deleted(_) => true,
        Exe::Present(path) => risky_place(path) == Some(Place::Temp),
    }
}

/// A file name for the copy: `pid-PID-NAME`, NAME the program's base name with
/// anything but ASCII letters, digits, `.`, `_` and `-` replaced.
fn copy_name(pid: u32, link: &[u8]) -> String {
    let path = match exe_state(link) {
        Exe::Memfd(name) => name,
        Exe::Deleted(path) | Exe::Present(path) => path,
    };
    let base = path.rsplit(|&b| b == b'/').next().unwrap_or_default();
    let name: String = base
        .iter()
        .take(64)
        .map(|&b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'_' | b'-' => char::from(b),
            _ => '_',
        })
        .collect();
    let name = name.trim_start_matches('.');
    if name.is_empty() {
        format!("pid-{pid}-exe")
    } else {
        format!("pid-{pid}-{name}")
    }
}

/// Creates `dir/name` for writing (mode 0400, never through a symlink, never over
/// an existing file); `name.1`, `name.2` … when it is taken.
fn create_unique(dir: &Path, name: &str) -> Result<(File, PathBuf), LiveError> {
    let mut last = None;
    for n in 0..100u32 {
        let path = match n {
            0 => dir.join(name),
            n => dir.join(format!("{name}.{n}")),
        };
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o400)
            .custom_flags(nix::libc::O_NOFOLLOW | nix::libc::O_CLOEXEC)
            .open(&path)
        {
            Ok(file) => return Ok((file, path)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(path),
            Err(e) => return Err(LiveError::io(escape_path(&path), e)),
        }
    }
    let taken = last.unwrap_or_else(|| dir.join(name));
    Err(LiveError::io(
        escape_path(&taken),
        io::Error::new(
            io::ErrorKind::AlreadyExists,
            "100 copies by this name exist",
        ),
    ))
}

fn read_error(pid: u32, e: ReadError) -> LiveError {
    match e {
        ReadError::Gone => LiveError::Gone { pid },
        e => LiveError::Process {
            pid,
            message: format!("/proc/{pid}/exe: {e}"),
        },
    }
}

/// The suspect executable of a process, opened: its link and the open file.
fn open_suspect(pid: u32) -> Result<Option<(Vec<u8>, File, std::fs::Metadata)>, LiveError> {
    let process = proc::open(pid).map_err(|e| read_error(pid, e))?;
    let link = match process.exe() {
        Ok(link) => link.into_os_string().into_encoded_bytes(),
        Err(e) => {
            return match ReadError::from(e) {
                // Kernel threads have no executable.
                ReadError::Gone if proc::read_stat(&process, pid).is_ok() => Ok(None),
                e => Err(read_error(pid, e)),
            };
        }
    };
    if !is_suspect(exe_state(&link)) {
        return Ok(None);
    }
    let (file, meta) = open_exe(pid).map_err(|e| read_error(pid, e))?;
    // The handle still reads: the file opened by path is this process's.
    proc::read_stat(&process, pid).map_err(|e| read_error(pid, e))?;
    Ok(Some((link, file, meta)))
}

fn copy_into(pid: u32, link: &[u8], file: File, dest_dir: &Path) -> Result<ExeCopy, LiveError> {
    let (mut out, dest) = create_unique(dest_dir, &copy_name(pid, link))?;
    let shown = escape_path(&dest);
    let copied = hash_and_copy(file, Some(&mut out)).and_then(|hash| {
        out.sync_all()?;
        Ok(hash)
    });
    let hash = match copied {
        Ok(hash) => hash,
        Err(e) => {
            // A partial copy is no evidence; the error says what happened.
            let _ = std::fs::remove_file(&dest);
            return Err(LiveError::Process {
                pid,
                message: format!("copying /proc/{pid}/exe to {shown}: {e}"),
            });
        }
    };
    Ok(ExeCopy {
        pid,
        exe: escape_bytes(link),
        dest: shown,
        size: hash.bytes,
        sha256: hash.sha256,
        capped: hash.capped,
    })
}

/// Copies the executable of process `pid` into `dest_dir` (as `pid-PID-NAME`, mode
/// 0400) when it is deleted, fileless or in a temp directory; `Ok(None)` when it is
/// none of these or the process has no executable (a kernel thread).
pub fn copy_suspect_exe(pid: u32, dest_dir: &Path) -> Result<Option<ExeCopy>, LiveError> {
    match open_suspect(pid)? {
        Some((link, file, _)) => copy_into(pid, &link, file, dest_dir).map(Some),
        None => Ok(None),
    }
}

/// Copies the suspect executable of every process (see [`copy_suspect_exe`]) into
/// `dest_dir`, which is created (mode 0700) if missing. A file run by several processes is
/// copied once.
pub fn copy_suspect_exes(dest_dir: &Path) -> Result<ExeCopies, LiveError> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dest_dir)
        .map_err(|e| LiveError::io(escape_path(dest_dir), e))?;
    let pids = proc::list_pids().map_err(|e| LiveError::io("/proc", e))?;
    let own = std::process::id();
    let mut result = ExeCopies {
        dest_dir: escape_path(dest_dir),
        copies: Vec::new(),
        failed: Vec::new(),
        exited_while_read: 0,
    };
    let mut copied: HashMap<FileKey, ExeCopy> = HashMap::new();
    for pid in pids.into_iter().filter(|&pid| pid != own) {
        let copy = open_suspect(pid).and_then(|found| {
            let Some((link, file, meta)) = found else {
                return Ok(None);
            };
            match copied.entry(key(&meta)) {
                Entry::Occupied(e) => Ok(Some(ExeCopy {
                    pid,
                    exe: escape_bytes(&link),
                    ..e.get().clone()
                })),
                Entry::Vacant(e) => Ok(Some(
                    e.insert(copy_into(pid, &link, file, dest_dir)?).clone(),
                )),
            }
        });
        match copy {
            Ok(Some(copy)) => result.copies.push(copy),
            Ok(None) => {}
            Err(LiveError::Gone { .. }) => result.exited_while_read += 1,
            Err(e) => result.failed.push(super::Unreadable {
                pid,
                error: e.to_string(),
            }),
        }
    }
    Ok(result)
}
