//! The process table, read from `/proc` with the `processes` check's reader
//! (`breachkit_detect::processes`): ids, account, start time, executable (deleted or
//! fileless, and its SHA-256), command line, working directory, environment, open
//! files and a summary of the memory maps of every process, kernel threads included.

use super::LiveError;
use super::exe::{ExeHash, HashCache};
use super::maps::{self, MapsSummary};
use breachkit_detect::processes::{
    self as proc, Exe, Place, ProcInfo, ReadError, exe_state, risky_place,
};
use breachkit_finding::escape_bytes;
use breachkit_host::Accounts;
use serde::{Deserialize, Serialize};
use std::os::unix::ffi::OsStrExt;

/// The most open files listed per process (a process may hold a million).
pub const MAX_FDS: usize = 4096;

/// An open file descriptor and what it points to (`/var/log/x`, `socket:[123]`,
/// `pipe:[45]`, `anon_inode:[eventfd]`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OpenFile {
    pub fd: u32,
    pub target: String,
}

/// One process.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProcessRecord {
    pub pid: u32,
    pub ppid: u32,
    /// Real user id.
    pub uid: u32,
    /// Effective user id.
    pub euid: u32,
    /// The real user's name in the host's `/etc/passwd`, when it has one.
    pub user: Option<String>,
    /// The kernel's name for it (`comm`), chosen by whoever started it.
    pub name: String,
    /// The state letter of `/proc/PID/stat` (`R`, `S`, `Z` …).
    pub state: String,
    pub kernel_thread: bool,
    /// When it started (RFC 3339, UTC): boot time plus its start after boot.
    pub start_time: Option<String>,
    /// The program's path, without the kernel's ` (deleted)` marker; `/memfd:NAME`
    /// for a program that only exists in memory.
    pub exe: Option<String>,
    /// The program file was deleted after the process started (memfds too).
    pub exe_deleted: bool,
    /// The program never was on disk (`memfd_create`).
    pub exe_fileless: bool,
    /// The program lives in a temp directory every account can write to.
    pub exe_in_temp: bool,
    /// The program's SHA-256, read through `/proc/PID/exe` (so a deleted one too).
    pub exe_hash: Option<ExeHash>,
    pub cmdline: Vec<String>,
    pub cmdline_capped: bool,
    pub cwd: Option<String>,
    /// `NAME=value` entries.
    pub environ: Vec<String>,
    pub environ_capped: bool,
    pub open_files: Vec<OpenFile>,
    /// More than [`MAX_FDS`] files were open; the rest are not listed.
    pub open_files_capped: bool,
    pub maps: Option<MapsSummary>,
    /// Parts that could not be read, and why.
    pub unread: Vec<String>,
}

/// A process that could not be read at all.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Unreadable {
    pub pid: u32,
    pub error: String,
}

/// Every process listed in `/proc`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProcessTable {
    /// Boot time (RFC 3339, UTC) from `btime` in `/proc/stat`.
    pub boot_time: Option<String>,
    pub clock_ticks_per_second: u64,
    pub processes: Vec<ProcessRecord>,
    /// Processes that exited while they were read (skipped).
    pub exited_while_read: u64,
    pub unreadable: Vec<Unreadable>,
    /// What limits the table (boot time unknown, …).
    pub notes: Vec<String>,
}

/// The clock start times are computed on.
struct Clock {
    boot_secs: Option<u64>,
    hz: u64,
}

impl Clock {
    fn start_time(&self, start_ticks: u64) -> Option<String> {
        let boot_ms = i128::from(self.boot_secs?) * 1000;
        let after_ms = i128::from(start_ticks) * 1000 / i128::from(self.hz.max(1));
        let ms = i64::try_from(boot_ms + after_ms).ok()?;
        jiff::Timestamp::from_millisecond(ms)
            .ok()
            .map(|t| t.to_string())
    }
}

/// Reads every process in `/proc`. Fails only when `/proc` cannot be listed.
pub fn process_table(accounts: &Accounts) -> Result<ProcessTable, LiveError> {
    let pids = proc::list_pids().map_err(|e| LiveError::io("/proc", e))?;
    let mut notes = Vec::new();
    let boot_secs = procfs::boot_time_secs()
        .inspect_err(|e| {
            notes.push(format!(
                "/proc/stat: boot time unknown ({e}); no start times"
            ))
        })
        .ok();
    let clock = Clock {
        boot_secs,
        hz: procfs::ticks_per_second(),
    };
    let mut table = ProcessTable {
        boot_time: clock.start_time(0),
        clock_ticks_per_second: clock.hz,
        processes: Vec::new(),
        exited_while_read: 0,
        unreadable: Vec::new(),
        notes,
    };
    let mut hashes = HashCache::default();
    for pid in pids {
        match read_process(pid, &clock, accounts, &mut hashes) {
            Ok(record) => table.processes.push(record),
            Err(ReadError::Gone) => table.exited_while_read += 1,
            Err(e) => table.unreadable.push(Unreadable {
                pid,
                error: e.to_string(),
            }),
        }
    }
    Ok(table)
}

fn read_process(
    pid: u32,
    clock: &Clock,
    accounts: &Accounts,
    hashes: &mut HashCache,
) -> Result<ProcessRecord, ReadError> {
    let process = proc::open(pid)?;
    let stat = proc::read_stat(&process, pid)?;
    let info = proc::read_with_stat(&process, pid, stat)?;
    let mut record = record(&info, clock, accounts);
    let mut note = |what: &str, e: ReadError| match e {
        ReadError::Gone => {}
        e => record.unread.push(format!("{what}: {e}")),
    };
    let exe_hash = match info.exe {
        Some(_) => hashes.hash(pid).map_err(|e| note("exe (hash)", e)).ok(),
        None => None,
    };
    let files = open_files(pid).map_err(|e| note("fd", e)).ok();
    let maps = maps::summary(&process).map_err(|e| note("maps", e)).ok();
    // The handle still reads: the process did not exit (its PID was not reused)
    // while the parts read by path were read.
    proc::read_stat(&process, pid)?;
    record.exe_hash = exe_hash;
    if let Some((files, capped)) = files {
        record.open_files = files;
        record.open_files_capped = capped;
    }
    record.maps = maps;
    Ok(record)
}

/// The record of what [`proc::read_with_stat`] read; executable hash, open files
/// and maps still to fill in.
fn record(info: &ProcInfo, clock: &Clock, accounts: &Accounts) -> ProcessRecord {
    let escape_all = |items: &[Vec<u8>]| items.iter().map(|a| escape_bytes(a)).collect();
    let exe = info.exe.as_deref().map(exe_state);
    ProcessRecord {
        pid: info.pid,
        ppid: info.stat.ppid,
        uid: info.ids.ruid,
        euid: info.ids.euid,
        user: accounts.by_uid(info.ids.ruid).map(|u| u.name.clone()),
        name: escape_bytes(&info.stat.comm),
        state: char::from(info.stat.state).to_string(),
        kernel_thread: info.stat.is_kernel_thread(),
        start_time: clock.start_time(info.stat.start_ticks),
        exe: exe.map(|e| match e {
            Exe::Memfd(name) => format!("/memfd:{}", escape_bytes(name)),
            Exe::Deleted(path) | Exe::Present(path) => escape_bytes(path),
        }),
        exe_deleted: matches!(exe, Some(Exe::Deleted(_) | Exe::Memfd(_))),
        exe_fileless: matches!(exe, Some(Exe::Memfd(_))),
        exe_in_temp: exe
            .and_then(Exe::path)
            .is_some_and(|p| risky_place(p) == Some(Place::Temp)),
        exe_hash: None,
        cmdline: escape_all(&info.argv),
        cmdline_capped: info.argv_capped,
        cwd: info.cwd.as_deref().map(escape_bytes),
        environ: escape_all(&info.environ),
        environ_capped: info.environ_capped,
        open_files: Vec::new(),
        open_files_capped: false,
        maps: None,
        unread: info
            .unread
            .iter()
            .map(|(what, e)| format!("{what}: {e}"))
            .collect(),
    }
}

/// The open files of a process, at most [`MAX_FDS`], in fd order; whether there
/// were more.
fn open_files(pid: u32) -> Result<(Vec<OpenFile>, bool), ReadError> {
    let dir = format!("/proc/{pid}/fd");
    let mut fds: Vec<u32> = Vec::new();
    let mut capped = false;
    for entry in std::fs::read_dir(&dir)? {
        let Some(fd) = entry?.file_name().to_str().and_then(|n| n.parse().ok()) else {
            continue;
        };
        if fds.len() == MAX_FDS {
            capped = true;
            break;
        }
        fds.push(fd);
    }
    fds.sort_unstable();
    let mut files = Vec::with_capacity(fds.len());
    for fd in fds {
        match std::fs::read_link(format!("{dir}/{fd}")) {
            Ok(target) => files.push(OpenFile {
                fd,
                target: escape_bytes(target.as_os_str().as_bytes()),
            }),
            // Closed since the listing.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok((files, capped))
}
