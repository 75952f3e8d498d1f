//! Reading one process from `/proc` into a [`ProcInfo`]: its stat and status lines,
//! command line, environment, executable and working-directory links, and which
//! sockets its standard input and output are.
//!
//! The process is pinned by a directory handle (`procfs::process::Process`), so a PID
//! reused while it is read cannot mix two processes. `stat` and `status` are parsed
//! here from raw bytes: the process name is chosen by whoever started it and need not
//! be UTF-8, and a process must not escape the check by picking an unparsable name.

use breachkit_finding::escape_bytes;
use nix::errno::Errno;
use procfs::ProcError;
use procfs::process::{FDTarget, Process};
use std::collections::BTreeSet;
use std::fmt;
use std::io::{self, Read};
use std::os::unix::ffi::OsStringExt;
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;

/// `PF_KTHREAD` in the flags field of `/proc/PID/stat`: set by the kernel on kernel
/// threads only; a user process cannot set it.
const PF_KTHREAD: u64 = 0x0020_0000;
/// The most of a command line or an environment that is read.
pub const MAX_ARGS: u64 = 256 << 10;
/// The most of `stat` or `status` that is read (both are a few hundred bytes).
pub const MAX_SMALL: u64 = 64 << 10;

/// Why something under `/proc/PID` could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// The process exited (or the file does not exist for it: a closed fd).
    Gone,
    /// Permission denied.
    Denied,
    /// Anything else, with what went wrong.
    Failed(String),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Gone => f.write_str("no such file or process"),
            ReadError::Denied => f.write_str("permission denied"),
            ReadError::Failed(message) => f.write_str(message),
        }
    }
}

impl From<io::Error> for ReadError {
    fn from(e: io::Error) -> Self {
        match e.kind() {
            io::ErrorKind::NotFound => ReadError::Gone,
            io::ErrorKind::PermissionDenied => ReadError::Denied,
            _ if e.raw_os_error() == Some(Errno::ESRCH as i32) => ReadError::Gone,
            _ => ReadError::Failed(e.to_string()),
        }
    }
}

impl From<ProcError> for ReadError {
    fn from(e: ProcError) -> Self {
        match e {
            ProcError::NotFound(_) => ReadError::Gone,
            ProcError::PermissionDenied(_) => ReadError::Denied,
            ProcError::Io(e, _) => ReadError::from(e),
            other => ReadError::Failed(other.to_string()),
        }
    }
}

/// The fields of `/proc/PID/stat` the rules use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stat {
    /// The process name (`comm`), raw.
    pub comm: Vec<u8>,
    pub state: u8,
    pub ppid: u32,
    pub flags: u64,
    /// User plus system CPU time, in clock ticks.
    pub cpu_ticks: u64,
    /// Start time after boot, in clock ticks.
    pub start_ticks: u64,
}

impl Stat {
    pub fn is_kernel_thread(&self) -> bool {
        self.flags & PF_KTHREAD != 0
    }
}

/// Parses `/proc/PID/stat`: `pid (comm) state ppid pgrp session tty tpgid flags …`.
/// The name sits between the first `(` and the last `)`, since it may hold both.
pub fn parse_stat(line: &[u8]) -> Option<Stat> {
    let open = line.iter().position(|&b| b == b'(')?;
    let close = line.iter().rposition(|&b| b == b')')?;
    let comm = line.get(open + 1..close)?.to_vec();
    let rest = std::str::from_utf8(line.get(close + 1..)?).ok()?;
    let fields: Vec<&str> = rest.split_ascii_whitespace().collect();
    let num = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok());
    Some(Stat {
        comm,
        state: *fields.first()?.as_bytes().first()?,
        ppid: u32::try_from(num(1)?).ok()?,
        flags: num(6)?,
        cpu_ticks: num(11)?.checked_add(num(12)?)?,
        start_ticks: num(19)?,
    })
}

/// The ids of `/proc/PID/status` the rules use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ids {
    /// The thread group (process) id; differs from the PID for a thread.
    pub tgid: u32,
    pub ruid: u32,
    pub euid: u32,
}

/// Parses the `Tgid:` and `Uid:` (real, effective, saved, fs) lines of `/proc/PID/status`.
pub fn parse_status(text: &[u8]) -> Option<Ids> {
    let mut tgid = None;
    let mut uids = None;
    for line in text.split(|&b| b == b'\n') {
        let numbers = |value: &[u8]| -> Vec<u32> {
            value
                .split(u8::is_ascii_whitespace)
                .filter_map(|f| std::str::from_utf8(f).ok()?.parse().ok())
                .collect()
        };
        if let Some(v) = line.strip_prefix(b"Tgid:") {
            tgid = numbers(v).first().copied();
        } else if let Some(v) = line.strip_prefix(b"Uid:") {
            uids = match numbers(v)[..] {
                [ruid, euid, ..] => Some((ruid, euid)),
                _ => None,
            };
        }
    }
    let (ruid, euid) = uids?;
    Some(Ids {
        tgid: tgid?,
        ruid,
        euid,
    })
}

/// A process as read from `/proc`.
#[derive(Debug)]
pub struct ProcInfo {
    pub pid: u32,
    pub stat: Stat,
    pub ids: Ids,
    /// The arguments, raw; empty when the command line is empty.
    pub argv: Vec<Vec<u8>>,
    /// Whether the command line was longer than [`MAX_ARGS`] and cut there.
    pub argv_capped: bool,
    /// The `exe` link as the kernel wrote it (`/usr/bin/x`, `/tmp/x (deleted)`,
    /// `/memfd:x (deleted)`); `None` when there is none or it could not be read.
    pub exe: Option<Vec<u8>>,
    /// The `cwd` link, likewise.
    pub cwd: Option<Vec<u8>>,
    /// The environment entries (`NAME=value`), raw.
    pub environ: Vec<Vec<u8>>,
    /// Whether the environment was longer than [`MAX_ARGS`] and cut there.
    pub environ_capped: bool,
    /// Standard input and output that are sockets: (fd, socket inode).
    pub std_sockets: Vec<(u8, u64)>,
    /// The inode of the process's network namespace, read when it has std sockets.
    pub netns: Option<u64>,
    /// Parts that could not be read, and why.
    pub unread: Vec<(&'static str, ReadError)>,
}

impl ProcInfo {
    /// An optional part: absent is `None`; denied or failed is `None`, noted in `unread`.
    fn optional<T>(&mut self, what: &'static str, result: Result<T, ReadError>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(ReadError::Gone) => None,
            Err(e) => {
                self.unread.push((what, e));
                None
            }
        }
    }

    /// The command line, escaped, arguments joined with spaces.
    pub fn command_line(&self) -> String {
        self.argv
            .iter()
            .map(|a| escape_bytes(a))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The program's name for classification: the `exe` file name, or `comm` when the
    /// link is unreadable or is a memfd.
    pub fn program_name(&self) -> &[u8] {
        match self.exe.as_deref().map(super::locations::exe_state) {
            Some(exe) => exe.path().unwrap_or(&self.stat.comm),
            None => &self.stat.comm,
        }
    }
}

/// The PIDs listed in `/proc`, in order.
pub fn list_pids() -> io::Result<BTreeSet<u32>> {
    let mut pids = BTreeSet::new();
    for entry in std::fs::read_dir("/proc")? {
        if let Some(pid) = entry?.file_name().to_str().and_then(|n| n.parse().ok()) {
            pids.insert(pid);
        }
    }
    Ok(pids)
}

/// Reads at most `limit` bytes of the file `name` of a pinned process.
pub fn read_bounded(process: &Process, name: &str, limit: u64) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    process
        .open_relative(name)?
        .take(limit)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// NUL-separated entries (`cmdline`, `environ`), without empty ones at the end.
fn split_nul(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut parts: Vec<Vec<u8>> = bytes.split(|&b| b == 0).map(<[u8]>::to_vec).collect();
    while parts.last().is_some_and(Vec::is_empty) {
        parts.pop();
    }
    parts
}

fn link(result: Result<PathBuf, ProcError>) -> Result<Vec<u8>, ReadError> {
    Ok(result?.into_os_string().into_vec())
}

/// Opens process `pid`: the handle pins it, so a reused PID is never read in its place.
pub fn open(pid: u32) -> Result<Process, ReadError> {
    let id =
        i32::try_from(pid).map_err(|_| ReadError::Failed(format!("PID {pid} out of range")))?;
    Ok(Process::new(id)?)
}

/// Reads and parses `/proc/PID/stat` of a pinned process.
pub fn read_stat(process: &Process, pid: u32) -> Result<Stat, ReadError> {
    parse_stat(&read_bounded(process, "stat", MAX_SMALL)?)
        .ok_or_else(|| ReadError::Failed(format!("/proc/{pid}/stat: unexpected format")))
}

/// Reads one process. `Ok(None)` for kernel threads and zombies (they run no
/// program of their own), `Err(Gone)` when it exited while being read.
pub fn read(pid: u32) -> Result<Option<ProcInfo>, ReadError> {
    let process = open(pid)?;
    let stat = read_stat(&process, pid)?;
    if stat.is_kernel_thread() || matches!(stat.state, b'Z' | b'X') {
        return Ok(None);
    }
    read_with_stat(&process, pid, stat).map(Some)
}

/// Reads the rest of a pinned process whose `stat` has been read, whatever it is
/// (kernel threads and zombies too: their links read as absent).
pub fn read_with_stat(process: &Process, pid: u32, stat: Stat) -> Result<ProcInfo, ReadError> {
    let ids = parse_status(&read_bounded(process, "status", MAX_SMALL)?)
        .ok_or_else(|| ReadError::Failed(format!("/proc/{pid}/status: unexpected format")))?;
    let cmdline = read_bounded(process, "cmdline", MAX_ARGS)?;
    let mut info = ProcInfo {
        pid,
        stat,
        ids,
        argv: split_nul(&cmdline),
        argv_capped: cmdline.len() as u64 >= MAX_ARGS,
        exe: None,
        cwd: None,
        environ: Vec::new(),
        environ_capped: false,
        std_sockets: Vec::new(),
        netns: None,
        unread: Vec::new(),
    };
    info.exe = info.optional("exe", link(process.exe()));
    info.cwd = info.optional("cwd", link(process.cwd()));
    if let Some(environ) = info.optional("environ", read_bounded(process, "environ", MAX_ARGS)) {
        info.environ_capped = environ.len() as u64 >= MAX_ARGS;
        info.environ = split_nul(&environ)
            .into_iter()
            .filter(|v| !v.is_empty())
            .collect();
    }
    for fd in [0u8, 1] {
        let target = process.fd_from_fd(i32::from(fd)).map_err(ReadError::from);
        if let Some(FDTarget::Socket(inode)) = info.optional("fd", target).map(|f| f.target) {
            info.std_sockets.push((fd, inode));
        }
    }
    if !info.std_sockets.is_empty() {
        let ns = process
            .open_relative("ns/net")
            .map_err(ReadError::from)
            .and_then(|f| Ok(f.metadata()?.ino()));
        info.netns = info.optional("ns/net", ns);
    }
    Ok(info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_with_odd_names_parses() {
        let line = b"4242 (a) b\xff) c) S 1 4242 4242 0 -1 4194560 120 0 0 0 300 45 0 0 20 0 1 0 9876 1000 10\n";
        let stat = parse_stat(line).unwrap();
        assert_eq!(stat.comm, b"a) b\xff) c");
        assert_eq!(stat.state, b'S');
        assert_eq!(stat.ppid, 1);
        assert_eq!(stat.cpu_ticks, 345);
        assert_eq!(stat.start_ticks, 9876);
        assert!(!stat.is_kernel_thread());
        let kthread = b"2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 0 0 0\n";
        assert!(parse_stat(kthread).unwrap().is_kernel_thread());
        assert!(parse_stat(b"12 (x S 1").is_none());
        assert!(parse_stat(b"12 (x) S").is_none());
    }

    #[test]
    fn status_gives_tgid_and_uids() {
        let text = b"Name:\tsh\\nTgid: 1\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t812\nPid:\t815\nUid:\t33\t0\t0\t0\nGid:\t33\t33\t33\t33\n";
        assert_eq!(
            parse_status(text),
            Some(Ids {
                tgid: 812,
                ruid: 33,
                euid: 0
            })
        );
        assert_eq!(parse_status(b"Name:\tx\nTgid:\t1\n"), None);
    }

    #[test]
    fn nul_separated_lists_split() {
        assert_eq!(
            split_nul(b"sh\0-c\0sleep 1\0"),
            vec![b"sh".to_vec(), b"-c".to_vec(), b"sleep 1".to_vec()]
        );
        assert_eq!(
            split_nul(b"a\0\0b\0\0"),
            vec![b"a".to_vec(), Vec::new(), b"b".to_vec()]
        );
        assert!(split_nul(b"").is_empty());
    }

    #[test]
    fn this_process_reads_back() {
        let info = read(std::process::id()).unwrap().unwrap();
        assert_eq!(info.ids.tgid, std::process::id());
        assert!(!info.argv.is_empty());
        let exe = std::fs::read_link("/proc/self/exe").unwrap();
        assert_eq!(
            info.exe.as_deref(),
            Some(exe.as_os_str().as_encoded_bytes())
        );
        assert!(matches!(read(u32::MAX), Err(ReadError::Failed(_))));
    }
}
