//! The nftables ruleset of isolation: one table of our own, `inet` (IPv4 and IPv6),
//! whose input, output and forward chains drop everything except loopback, the
//! admin's SSH session (its exact addresses and ports), the admin ranges, and DNS and
//! NTP when asked. There is deliberately no "established → accept" rule: the
//! attacker's open connections are cut by the same drop as new ones.

use super::SshSession;
use crate::Cidr;

/// Our table (family `inet`).
pub const TABLE: &str = "breachkit_quarantine";
/// Before most other filter chains, so our drop is seen early.
const PRIORITY: i32 = -10;

/// What the ruleset lets through.
#[derive(Debug, Clone, Default)]
pub struct Allowed {
    pub ssh: Option<SshSession>,
    pub cidrs: Vec<Cidr>,
    pub dns: bool,
    pub ntp: bool,
}

fn set(name: &str, kind: &str, items: &[&Cidr]) -> String {
    if items.is_empty() {
        return String::new();
    }
    let elems: Vec<String> = items.iter().map(|c| c.to_string()).collect();
    format!(
        "    set {name} {{\n        type {kind}; flags interval;\n        elements = {{ {} }}\n    }}\n",
        elems.join(", ")
    )
}

/// The table, as `nft -f` reads it.
pub fn ruleset(a: &Allowed) -> String {
    let v4: Vec<&Cidr> = a.cidrs.iter().filter(|c| c.addr.is_ipv4()).collect();
    let v6: Vec<&Cidr> = a.cidrs.iter().filter(|c| c.addr.is_ipv6()).collect();
    let mut input = vec![
        "iif \"lo\" accept".to_string(),
        // IPv6 needs neighbour discovery to reach even the allowed addresses.
        "icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-advert } accept"
            .to_string(),
    ];
    let mut output = vec![
        "oif \"lo\" accept".to_string(),
        "icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit } accept"
            .to_string(),
    ];
    if !v4.is_empty() {
        input.push("ip saddr @admin4 accept".into());
        output.push("ip daddr @admin4 accept".into());
    }
    if !v6.is_empty() {
        input.push("ip6 saddr @admin6 accept".into());
        output.push("ip6 daddr @admin6 accept".into());
    }
    if let Some(s) = &a.ssh {
        let (fam, fam_s) = if s.client.is_ipv4() {
            ("ip", "ip")
        } else {
            ("ip6", "ip6")
        };
        input.push(format!(
            "{fam} saddr {} {fam_s} daddr {} tcp sport {} tcp dport {} accept comment \"admin ssh session\"",
            s.client, s.server, s.client_port, s.server_port
        ));
        output.push(format!(
            "{fam} saddr {} {fam_s} daddr {} tcp sport {} tcp dport {} accept comment \"admin ssh session\"",
            s.server, s.client, s.server_port, s.client_port
        ));
    }
    if a.dns {
        output.push("meta l4proto { udp, tcp } th dport 53 accept".into());
        input.push("meta l4proto { udp, tcp } th sport 53 ct state established accept".into());
    }
    if a.ntp {
        output.push("udp dport 123 accept".into());
        input.push("udp sport 123 ct state established accept".into());
    }
    let chain = |name: &str, hook: &str, rules: &[String]| {
        let mut s = format!(
            "    chain {name} {{\n        type filter hook {hook} priority {PRIORITY}; policy drop;\n"
        );
        for r in rules {
            s.push_str(&format!("        {r}\n"));
        }
        s.push_str("    }\n");
        s
    };
    format!(
        "table inet {TABLE} {{\n{}{}{}{}{}}}\n",
        set("admin4", "ipv4_addr", &v4),
        set("admin6", "ipv6_addr", &v6),
        chain("input", "input", &input),
        chain("output", "output", &output),
        chain("forward", "forward", &[]),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ruleset_keeps_what_is_asked() {
        let a = Allowed {
            ssh: super::super::ssh::parse("10.9.0.2 40000 10.9.0.1 22"),
            cidrs: vec![
                "192.0.2.0/24".parse().unwrap(),
                "2001:db8::/32".parse().unwrap(),
            ],
            dns: true,
            ntp: false,
        };
        let r = ruleset(&a);
        assert!(r.contains("elements = { 192.0.2.0/24 }"), "{r}");
        assert!(r.contains("elements = { 2001:db8::/32 }"), "{r}");
        assert!(
            r.contains("ip saddr 10.9.0.2 ip daddr 10.9.0.1 tcp sport 40000 tcp dport 22 accept")
        );
        assert!(r.contains("th dport 53 accept"));
        assert!(!r.contains("123"));
        assert!(
            !r.contains("established accept\n        }\n    }\n    chain output"),
            "no blanket established rule"
        );
        assert!(!r.contains("ct state established,related accept"));
        let none = ruleset(&Allowed::default());
        assert!(!none.contains("@admin4"));
        assert_eq!(none.matches("policy drop").count(), 3);
    }
}
