//! Routes and the neighbour cache: `/proc/net/route` and `/proc/net/ipv6_route`
//! (an attacker's extra route or changed gateway), and the IPv4 ARP cache
//! `/proc/net/arp` (who the host talked to lately on its links). IPv6 neighbours
//! have no `/proc` file: the kernel gives them only over netlink, which is not read
//! here; the section says so.

use super::LiveError;
use breachkit_detect::processes::word;
use breachkit_finding::escape_bytes;
use serde::{Deserialize, Serialize};
use std::io::Read;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The most of a route or ARP table that is read.
const MAX_TABLE_BYTES: u64 = 16 << 20;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Route {
    pub interface: String,
    pub destination: IpAddr,
    pub prefix_len: u8,
    pub gateway: Option<IpAddr>,
    pub metric: u32,
    /// The kernel's `RTF_*` flags as `ip route` letters: `U` up, `G` gateway, `H`
    /// host, `R` reinstate, `D` dynamic, `M` modified, `!` reject.
    pub flags: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Routes {
    pub routes: Vec<Route>,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Neighbour {
    pub address: IpAddr,
    pub hw_address: String,
    pub interface: String,
    /// `ATF_COM`: the hardware address is known.
    pub complete: bool,
    /// `ATF_PERM`: a static entry someone added by hand.
    pub permanent: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Neighbours {
    pub neighbours: Vec<Neighbour>,
    pub notes: Vec<String>,
}

/// Reads a table as text; invalid bytes (in interface names) escaped.
fn read_text(path: &str) -> std::io::Result<String> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_TABLE_BYTES)
        .read_to_end(&mut bytes)?;
    Ok(escape_bytes(&bytes))
}

fn flag_letters(flags: u32) -> String {
    [
        (0x0001, 'U'),
        (0x0002, 'G'),
        (0x0004, 'H'),
        (0x0008, 'R'),
        (0x0010, 'D'),
        (0x0020, 'M'),
        (0x0200, '!'),
    ]
    .into_iter()
    .filter(|&(bit, _)| flags & bit != 0)
    .map(|(_, letter)| letter)
    .collect()
}

fn ipv4(hex: &str) -> Option<Ipv4Addr> {
    word(hex).map(Ipv4Addr::from)
}

/// `/proc/net/route`: `Iface Destination Gateway Flags RefCnt Use Metric Mask …`,
/// addresses as the kernel's native-order hex words.
pub(super) fn parse_route(text: &str) -> Vec<Route> {
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split_ascii_whitespace().collect();
            let gateway = ipv4(f.get(2)?)?;
            let mask = u32::from(ipv4(f.get(7)?)?);
            Some(Route {
                interface: f.first()?.to_string(),
                destination: IpAddr::V4(ipv4(f.get(1)?)?),
                prefix_len: u8::try_from(mask.count_ones()).ok()?,
                gateway: (!gateway.is_unspecified()).then_some(IpAddr::V4(gateway)),
                metric: f.get(6)?.parse().ok()?,
                flags: flag_letters(u32::from_str_radix(f.get(3)?, 16).ok()?),
            })
        })
        .collect()
}

fn ipv6(hex: &str) -> Option<Ipv6Addr> {
    if hex.len() != 32 {
        return None;
    }
    u128::from_str_radix(hex, 16).ok().map(Ipv6Addr::from)
}

/// `/proc/net/ipv6_route`: `dest plen src splen nexthop metric refcnt use flags
/// iface`, addresses in network order.
pub(super) fn parse_ipv6_route(text: &str) -> Vec<Route> {
    text.lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split_ascii_whitespace().collect();
            let gateway = ipv6(f.get(4)?)?;
            Some(Route {
                interface: f.get(9)?.to_string(),
                destination: IpAddr::V6(ipv6(f.first()?)?),
                prefix_len: u8::from_str_radix(f.get(1)?, 16).ok()?,
                gateway: (!gateway.is_unspecified()).then_some(IpAddr::V6(gateway)),
                metric: u32::from_str_radix(f.get(5)?, 16).ok()?,
                flags: flag_letters(u32::from_str_radix(f.get(8)?, 16).ok()?),
            })
        })
        .collect()
}

/// The IPv4 and IPv6 routing tables of breachkit's network namespace.
pub fn routes() -> Result<Routes, LiveError> {
    let mut notes = Vec::new();
    let v4 = read_text("/proc/net/route").map_err(|e| LiveError::io("/proc/net/route", e))?;
    let mut routes = parse_route(&v4);
    match read_text("/proc/net/ipv6_route") {
        Ok(v6) => routes.extend(parse_ipv6_route(&v6)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            notes.push("/proc/net/ipv6_route is missing (IPv6 is off)".to_string());
        }
        Err(e) => return Err(LiveError::io("/proc/net/ipv6_route", e)),
    }
    Ok(Routes { routes, notes })
}

/// `/proc/net/arp`: `IP address  HW type  Flags  HW address  Mask  Device`.
pub(super) fn parse_arp(text: &str) -> Vec<Neighbour> {
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split_ascii_whitespace().collect();
            let flags = u32::from_str_radix(f.get(2)?.strip_prefix("0x")?, 16).ok()?;
            Some(Neighbour {
                address: f.first()?.parse().ok()?,
                hw_address: f.get(3)?.to_string(),
                interface: f.get(5)?.to_string(),
                complete: flags & 0x2 != 0,
                permanent: flags & 0x4 != 0,
            })
        })
        .collect()
}

/// The IPv4 neighbour (ARP) cache of breachkit's network namespace.
pub fn neighbours() -> Result<Neighbours, LiveError> {
    let text = read_text("/proc/net/arp").map_err(|e| LiveError::io("/proc/net/arp", e))?;
    Ok(Neighbours {
        neighbours: parse_arp(&text),
        notes: vec![
            "IPv6 neighbours are not listed: the kernel gives them only over netlink \
             (RTM_GETNEIGH), not in /proc"
                .to_string(),
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_parse() {
        let hexw = |a: [u8; 4]| format!("{:08X}", u32::from_ne_bytes(a));
        let v4 = format!(
            "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n\
             eth0\t{}\t{}\t0003\t0\t0\t100\t{}\t0\t0\t0\n",
            hexw([0, 0, 0, 0]),
            hexw([192, 0, 2, 1]),
            hexw([0, 0, 0, 0]),
        );
        let r = parse_route(&v4);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].gateway, Some("192.0.2.1".parse().unwrap()));
        assert_eq!(r[0].prefix_len, 0);
        assert_eq!(r[0].flags, "UG");
        assert_eq!(r[0].metric, 100);

        let v6 = "fd000000000000000000000000000000 40 00000000000000000000000000000000 00 \
                  00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0\n\
                  00000000000000000000000000000000 00 00000000000000000000000000000000 00 \
                  fd000000000000000000000000000001 00000400 00000003 00000000 00000003     eth0\n";
        let r = parse_ipv6_route(v6);
        assert_eq!(r[0].destination, "fd00::".parse::<IpAddr>().unwrap());
        assert_eq!(r[0].prefix_len, 64);
        assert_eq!(r[0].gateway, None);
        assert_eq!(r[1].gateway, Some("fd00::1".parse().unwrap()));
        assert_eq!(r[1].metric, 0x400);

        let arp = "IP address       HW type     Flags       HW address            Mask     Device\n\
                   192.0.2.1        0x1         0x6         02:fc:00:00:00:05     *        eth0\n";
        let n = parse_arp(arp);
        assert_eq!(n[0].address, "192.0.2.1".parse::<IpAddr>().unwrap());
        assert!(n[0].complete && n[0].permanent);
        assert_eq!(n[0].interface, "eth0");
    }
}
