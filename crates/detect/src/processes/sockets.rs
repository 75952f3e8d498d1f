//! Which INET socket a socket inode is: the TCP and UDP tables (IPv4 and IPv6) of a
//! process's network namespace, `/proc/PID/net/{tcp,tcp6,udp,udp6}`, parsed once per
//! namespace. A socket that is in none of them (a Unix socket, vsock, netlink) is
//! not a network connection.

use super::proc_read::ReadError;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// One TCP or UDP socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InetSocket {
    pub proto: &'static str,
    pub local: SocketAddr,
    pub remote: SocketAddr,
}

impl fmt::Display for InetSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} -> {}", self.proto, self.local, self.remote)
    }
}

/// The tables of a namespace: file, protocol, and whether every kernel has it (the
/// IPv6 ones are missing when IPv6 is off).
pub const TABLES: [(&str, &str, bool); 4] = [
    ("tcp", "tcp", true),
    ("tcp6", "tcp", false),
    ("udp", "udp", true),
    ("udp6", "udp", false),
];

/// A 32-bit word of an address as the kernel prints it: `%08X` of the value as it
/// sits in memory, so the bytes come back in native order.
pub fn word(hex: &str) -> Option<[u8; 4]> {
    Some(u32::from_str_radix(hex, 16).ok()?.to_ne_bytes())
}

/// `0100007F:1F90` (IPv4) or 32 hex digits and a port (IPv6).
pub fn parse_endpoint(text: &str) -> Option<SocketAddr> {
    let (ip, port) = text.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let ip = match ip.len() {
        8 => IpAddr::V4(Ipv4Addr::from(word(ip)?)),
        32 => {
            let mut bytes = [0u8; 16];
            for (i, chunk) in bytes.chunks_exact_mut(4).enumerate() {
                chunk.copy_from_slice(&word(ip.get(i * 8..i * 8 + 8)?)?);
            }
            IpAddr::V6(Ipv6Addr::from(bytes))
        }
        _ => return None,
    };
    Some(SocketAddr::new(ip, port))
}

/// One line of a TCP or UDP table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableRow {
    pub socket: InetSocket,
    /// The kernel's state number (`st`; 0x0A is TCP's LISTEN).
    pub state: u8,
    pub uid: u32,
    /// 0 for a socket no process holds any more (TCP's TIME_WAIT).
    pub inode: u64,
}

/// The lines of one table (`sl local rem st tx:rx tr:when retrnsmt uid timeout inode
/// …`); the header and lines it does not understand are skipped.
pub fn parse_rows(text: &str, proto: &'static str) -> impl Iterator<Item = TableRow> {
    text.lines().filter_map(move |line| {
        let fields: Vec<&str> = line.split_ascii_whitespace().collect();
        Some(TableRow {
            socket: InetSocket {
                proto,
                local: parse_endpoint(fields.get(1)?)?,
                remote: parse_endpoint(fields.get(2)?)?,
            },
            state: u8::from_str_radix(fields.get(3)?, 16).ok()?,
            uid: fields.get(7)?.parse().ok()?,
            inode: fields.get(9)?.parse().ok()?,
        })
    })
}

/// One table by inode; sockets without an inode are skipped.
pub(super) fn parse_table(text: &str, proto: &'static str) -> HashMap<u64, InetSocket> {
    parse_rows(text, proto)
        .filter(|row| row.inode != 0)
        .map(|row| (row.inode, row.socket))
        .collect()
}

fn read_tables(pid: u32) -> Result<HashMap<u64, InetSocket>, ReadError> {
    let mut all = HashMap::new();
    for (file, proto, always_there) in TABLES {
        match std::fs::read_to_string(format!("/proc/{pid}/net/{file}")) {
            Ok(text) => all.extend(parse_table(&text, proto)),
            Err(e) if !always_there && e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(all)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Namespace {
    Inode(u64),
    /// A process whose namespace could not be read: its tables are its own.
    OfPid(u32),
}

/// The socket tables read so far, by network namespace.
#[derive(Debug, Default)]
pub(super) struct SocketTables {
    by_namespace: HashMap<Namespace, HashMap<u64, InetSocket>>,
}

impl SocketTables {
    /// The INET socket `inode` of process `pid` (in namespace `netns`) is, if any.
    pub fn find(
        &mut self,
        pid: u32,
        netns: Option<u64>,
        inode: u64,
    ) -> Result<Option<InetSocket>, ReadError> {
        let key = netns.map_or(Namespace::OfPid(pid), Namespace::Inode);
        let table = match self.by_namespace.entry(key) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => e.insert(read_tables(pid)?),
        };
        Ok(table.get(&inode).copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;
    use std::os::unix::fs::MetadataExt;

    /// An address as the kernel prints it on this machine.
    fn hex(bytes: &[u8]) -> String {
        bytes
            .chunks(4)
            .map(|c| format!("{:08X}", u32::from_ne_bytes([c[0], c[1], c[2], c[3]])))
            .collect()
    }

    #[test]
    fn tcp_and_tcp6_lines_parse() {
        let v4 = format!(
            "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   \
             0: {}:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1220 1 0000000028c2a8cd 100 0 0 10 0\n   \
             1: {}:9C40 {}:115C 01 00000000:00000000 00:00000000 00000000    33        0 5551 1 0 20 4 30 10 -1\n   \
             2: {}:9C41 {}:115C 06 00000000:00000000 03:00000F2A 00000000     0        0 0 3 0\n   \
             3: garbage line\n",
            hex(&[0, 0, 0, 0]),
            hex(&[10, 0, 0, 5]),
            hex(&[203, 0, 113, 7]),
            hex(&[10, 0, 0, 5]),
            hex(&[203, 0, 113, 7]),
        );
        let table = parse_table(&v4, "tcp");
        assert_eq!(table.len(), 2, "header, garbage and inode 0 are skipped");
        let s = table[&5551];
        assert_eq!(s.local, "10.0.0.5:40000".parse().unwrap());
        assert_eq!(s.remote, "203.0.113.7:4444".parse().unwrap());
        assert_eq!(s.to_string(), "tcp 10.0.0.5:40000 -> 203.0.113.7:4444");
        assert_eq!(table[&1220].local, "0.0.0.0:8080".parse().unwrap());

        let local: Ipv6Addr = "2001:db8::1".parse().unwrap();
        let v6 = format!(
            "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   \
             0: {}:0016 {}:D431 01 00000000:00000000 02:000AA1B1 00000000     0        0 777 2 0 20 4 30 10 -1\n",
            hex(&local.octets()),
            hex(&Ipv6Addr::LOCALHOST.octets()),
        );
        let s = parse_table(&v6, "tcp")[&777];
        assert_eq!(s.local, "[2001:db8::1]:22".parse().unwrap());
        assert_eq!(s.remote, "[::1]:54321".parse().unwrap());
    }

    #[test]
    fn bad_endpoints_are_refused() {
        for bad in [
            "",
            "0100007F",
            "0100007F:",
            "0100007F:XYZ",
            "01007F:0050",
            "0100007G:0050",
            "é234567:0050",
        ] {
            assert_eq!(parse_endpoint(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_live_listener_is_found_in_this_namespace() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let fd = std::os::fd::AsRawFd::as_raw_fd(&listener);
        let inode = std::fs::metadata(format!("/proc/self/fd/{fd}"))
            .unwrap()
            .ino();
        let netns = std::fs::metadata("/proc/self/ns/net").unwrap().ino();
        let mut tables = SocketTables::default();
        let found = tables
            .find(std::process::id(), Some(netns), inode)
            .unwrap()
            .unwrap();
        assert_eq!(found.local, SocketAddr::from(([127, 0, 0, 1], port)));
        assert_eq!(
            tables.find(std::process::id(), Some(netns), 1).unwrap(),
            None
        );
    }
}
