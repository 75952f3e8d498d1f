//! Network sockets, joined to the processes that hold them: the TCP and UDP tables
//! (`/proc/net/{tcp,tcp6,udp,udp6}`, parsed by the `processes` check's reader) and
//! the Unix table (`/proc/net/unix`) of breachkit's network namespace and of every
//! other namespace a process is in (a container's, through `/proc/PID/net`), each
//! socket with the PIDs whose `/proc/PID/fd` links name its inode (`socket:[N]`).

use super::LiveError;
use breachkit_detect::processes::{self as proc, ReadError, TABLES, parse_rows};
use breachkit_finding::escape_bytes;
use procfs::process::FDTarget;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::net::SocketAddr;
use std::os::unix::fs::MetadataExt;

/// The most of one socket table that is read.
const MAX_TABLE_BYTES: u64 = 64 << 20;
/// `__SO_ACCEPTCON` in the flags of `/proc/net/unix`: a listening socket.
const SO_ACCEPTCON: u32 = 1 << 16;

/// A process holding a socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owner {
    pub pid: u32,
    /// Its `comm`.
    pub name: String,
}

/// A TCP or UDP socket.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InetSocketRecord {
    /// `tcp`, `tcp6`, `udp` or `udp6`.
    pub proto: String,
    /// `LISTEN`, `ESTABLISHED`, `TIME_WAIT` … (`UNCONN` for an unconnected UDP socket).
    pub state: String,
    pub local: SocketAddr,
    pub remote: SocketAddr,
    pub uid: u32,
    /// 0 for a socket no process holds any more.
    pub inode: u64,
    /// The network namespace (inode of its `ns/net`) whose table lists it.
    pub netns: Option<u64>,
    pub owners: Vec<Owner>,
}

/// A Unix domain socket.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UnixSocketRecord {
    /// `stream`, `dgram` or `seqpacket`.
    pub kind: String,
    /// `LISTEN`, `CONNECTED`, `UNCONNECTED` …
    pub state: String,
    pub inode: u64,
    /// The bound path (`@name` for an abstract one), if bound.
    pub path: Option<String>,
    /// The network namespace (inode of its `ns/net`) whose table lists it.
    pub netns: Option<u64>,
    pub owners: Vec<Owner>,
}

/// The sockets of every network namespace.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Sockets {
    /// breachkit's own network namespace (the inode of `/proc/self/ns/net`).
    pub netns: Option<u64>,
    pub inet: Vec<InetSocketRecord>,
    pub unix: Vec<UnixSocketRecord>,
    /// Processes that exited while their descriptors were read.
    pub exited_while_read: u64,
    /// What limits the tables (missing IPv6, unreadable namespaces or processes).
    pub notes: Vec<String>,
}

fn tcp_state(state: u8) -> String {
    let name = match state {
        0x01 => "ESTABLISHED",
        0x02 => "SYN_SENT",
        0x03 => "SYN_RECV",
        0x04 => "FIN_WAIT1",
        0x05 => "FIN_WAIT2",
        0x06 => "TIME_WAIT",
        0x07 => "CLOSE",
        0x08 => "CLOSE_WAIT",
        0x09 => "LAST_ACK",
        0x0A => "LISTEN",
        0x0B => "CLOSING",
        0x0C => "NEW_SYN_RECV",
        other => return format!("0x{other:02X}"),
    };
    name.to_string()
}

fn udp_state(state: u8) -> String {
    match state {
        0x01 => "ESTABLISHED".to_string(),
        0x07 => "UNCONN".to_string(),
        other => format!("0x{other:02X}"),
    }
}

fn read_table(path: &str) -> Result<(Vec<u8>, bool), std::io::Error> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_TABLE_BYTES)
        .read_to_end(&mut bytes)?;
    let capped = bytes.len() as u64 >= MAX_TABLE_BYTES;
    Ok((bytes, capped))
}

/// Parses `/proc/net/unix`: `Num RefCount Protocol Flags Type St Inode [Path]`.
pub(super) fn parse_unix(text: &[u8]) -> Vec<UnixSocketRecord> {
    let mut out = Vec::new();
    for line in text.split(|&b| b == b'\n').skip(1) {
        let mut fields: Vec<&[u8]> = Vec::with_capacity(7);
        let mut rest = line;
        while fields.len() < 7 {
            let Some(start) = rest.iter().position(|&b| b != b' ') else {
                break;
            };
            let tail = rest.get(start..).unwrap_or_default();
            let end = tail.iter().position(|&b| b == b' ').unwrap_or(tail.len());
            fields.push(tail.get(..end).unwrap_or_default());
            rest = tail.get(end..).unwrap_or_default();
        }
        let hex = |i: usize| {
            let field = std::str::from_utf8(fields.get(i)?).ok()?;
            u32::from_str_radix(field, 16).ok()
        };
        let (Some(flags), Some(kind), Some(state)) = (hex(3), hex(4), hex(5)) else {
            continue;
        };
        let Some(inode) = fields
            .get(6)
            .and_then(|f| std::str::from_utf8(f).ok())
            .and_then(|f| f.parse::<u64>().ok())
        else {
            continue;
        };
        let path = rest.strip_prefix(b" ").unwrap_or(rest);
        out.push(UnixSocketRecord {
            kind: match kind {
                1 => "stream".to_string(),
                2 => "dgram".to_string(),
                5 => "seqpacket".to_string(),
                other => format!("type {other}"),
            },
            state: if flags & SO_ACCEPTCON != 0 {
                "LISTEN".to_string()
            } else {
                match state {
                    1 => "UNCONNECTED".to_string(),
                    2 => "CONNECTING".to_string(),
                    3 => "CONNECTED".to_string(),
                    4 => "DISCONNECTING".to_string(),
                    other => format!("0x{other:02X}"),
                }
            },
            inode,
            path: (!path.is_empty()).then(|| escape_bytes(path)),
            netns: None,
            owners: Vec::new(),
        });
    }
    out
}

/// What one process holds: its name and which of the wanted socket inodes its
/// descriptors point to.
fn held_by(pid: u32, wanted: &HashSet<u64>) -> Result<(String, Vec<u64>), ReadError> {
    let process = proc::open(pid)?;
    let stat = proc::read_stat(&process, pid)?;
    let mut inodes: Vec<u64> = process
        .fd()?
        .flatten()
        .filter_map(|fd| match fd.target {
            FDTarget::Socket(inode) if wanted.contains(&inode) => Some(inode),
            _ => None,
        })
        .collect();
    inodes.sort_unstable();
    inodes.dedup();
    Ok((escape_bytes(&stat.comm), inodes))
}

/// The processes holding each wanted socket inode (inodes are unique across
/// namespaces), and how many processes exited while read.
fn owners(
    wanted: &HashSet<u64>,
    notes: &mut Vec<String>,
) -> Result<(HashMap<u64, Vec<Owner>>, u64), LiveError> {
    let mut found: HashMap<u64, Vec<Owner>> = HashMap::new();
    let mut gone = 0;
    let mut denied = 0;
    for pid in proc::list_pids().map_err(|e| LiveError::io("/proc", e))? {
        match held_by(pid, wanted) {
            Ok((name, inodes)) => {
                for inode in inodes {
                    found.entry(inode).or_default().push(Owner {
                        pid,
                        name: name.clone(),
                    });
                }
            }
            Err(ReadError::Gone) => gone += 1,
            Err(_) => denied += 1,
        }
    }
    if denied > 0 {
        notes.push(format!(
            "the descriptors of {denied} processes could not be read: their sockets show no owner"
        ));
    }
    Ok((found, gone))
}

/// The network namespaces other than `own` that processes are in (containers), each
/// with the first PID in it, through which its tables are read.
fn other_namespaces(own: u64) -> Result<BTreeMap<u64, u32>, LiveError> {
    let mut found = BTreeMap::new();
    for pid in proc::list_pids().map_err(|e| LiveError::io("/proc", e))? {
        let ns = std::fs::metadata(format!("/proc/{pid}/ns/net")).map(|m| m.ino());
        if let Some(ino) = ns.ok().filter(|&ino| ino != own) {
            found.entry(ino).or_insert(pid);
        }
    }
    Ok(found)
}

/// The sockets read so far.
#[derive(Default)]
struct Tables {
    inet: Vec<InetSocketRecord>,
    unix: Vec<UnixSocketRecord>,
    notes: Vec<String>,
}

impl Tables {
    /// Reads the tables of namespace `netns` in `dir` (`/proc/net`, `/proc/PID/net`).
    fn read(&mut self, dir: &str, netns: Option<u64>) -> Result<(), LiveError> {
        for (file, proto, always_there) in TABLES {
            let path = format!("{dir}/{file}");
            let (bytes, capped) = match read_table(&path) {
                Ok(read) => read,
                Err(e) if !always_there && e.kind() == std::io::ErrorKind::NotFound => {
                    self.notes.push(format!("{path} is missing (IPv6 is off)"));
                    continue;
                }
                Err(e) => return Err(LiveError::io(path, e)),
            };
            self.note_capped(&path, capped);
            let text = String::from_utf8_lossy(&bytes);
            self.inet
                .extend(parse_rows(&text, file).map(|row| InetSocketRecord {
                    proto: file.to_string(),
                    state: if proto == "tcp" {
                        tcp_state(row.state)
                    } else {
                        udp_state(row.state)
                    },
                    local: row.socket.local,
                    remote: row.socket.remote,
                    uid: row.uid,
                    inode: row.inode,
                    netns,
                    owners: Vec::new(),
                }));
        }
        let path = format!("{dir}/unix");
        let (bytes, capped) = read_table(&path).map_err(|e| LiveError::io(path.clone(), e))?;
        self.note_capped(&path, capped);
        self.unix
            .extend(parse_unix(&bytes).into_iter().map(|mut socket| {
                socket.netns = netns;
                socket
            }));
        Ok(())
    }

    fn note_capped(&mut self, path: &str, capped: bool) {
        if capped {
            self.notes.push(format!(
                "{path} is larger than 64 MiB; only its start was read"
            ));
        }
    }
}

/// Reads the TCP, UDP and Unix sockets of every network namespace a process is in
/// (breachkit's own through `/proc/net`, a container's through `/proc/PID/net` of
/// a process in it) and the processes that hold them.
pub fn sockets() -> Result<Sockets, LiveError> {
    let netns = std::fs::metadata("/proc/self/ns/net").map(|m| m.ino()).ok();
    let mut tables = Tables::default();
    tables.read("/proc/net", netns)?;
    match netns {
        Some(own) => {
            for (other, pid) in other_namespaces(own)? {
                if let Err(e) = tables.read(&format!("/proc/{pid}/net"), Some(other)) {
                    tables.notes.push(format!(
                        "network namespace {other} (of PID {pid}) could not be read: {e}"
                    ));
                }
            }
        }
        None => tables.notes.push(
            "breachkit's own network namespace is unknown (/proc/self/ns/net): only its \
             sockets are listed"
                .to_string(),
        ),
    }
    let Tables {
        mut inet,
        mut unix,
        mut notes,
    } = tables;
    let wanted: HashSet<u64> = inet
        .iter()
        .map(|s| s.inode)
        .chain(unix.iter().map(|s| s.inode))
        .filter(|&inode| inode != 0)
        .collect();
    let (mut found, exited_while_read) = owners(&wanted, &mut notes)?;
    for socket in &mut inet {
        socket.owners = found.get(&socket.inode).cloned().unwrap_or_default();
    }
    for socket in &mut unix {
        socket.owners = found.remove(&socket.inode).unwrap_or_default();
    }
    Ok(Sockets {
        netns,
        inet,
        unix,
        exited_while_read,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_lines_parse() {
        let text = b"Num       RefCount Protocol Flags    Type St Inode Path\n\
0000000000000000: 00000002 00000000 00010000 0001 01 1234 /run/a b.sock\n\
0000000000000000: 00000003 00000000 00000000 0001 03 1235\n\
0000000000000000: 00000002 00000000 00000000 0002 01 1236 @abstract\xff\n\
garbage\n";
        let s = parse_unix(text);
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].state, "LISTEN");
        assert_eq!(s[0].kind, "stream");
        assert_eq!(s[0].path.as_deref(), Some("/run/a b.sock"));
        assert_eq!(s[1].state, "CONNECTED");
        assert_eq!(s[1].path, None);
        assert_eq!(s[2].kind, "dgram");
        assert_eq!(s[2].path.as_deref(), Some("@abstract\\xff"));
    }
}
