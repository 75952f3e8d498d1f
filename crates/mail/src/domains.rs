//! The host's own domains: what its MTA is configured to be (`myhostname`,
//! `mydestination`, Exim's `primary_hostname`, `local_domains`), `/etc/mailname`,
//! `/etc/hostname`, and every site it serves (nginx `server_name`, Apache
//! `ServerName`/`ServerAlias`). Mail this host writes should come from one of them;
//! a From: of a bank or a random domain should not.
//!
//! Domains are compared by their organisational part (`mail.shop.example.co.uk` and
//! `www.shop.example.co.uk` are the same owner), approximated by the last two labels,
//! three under the usual second-level registries (`co.uk`, `com.au`).

use breachkit_finding::{Warning, escape_bytes};
use breachkit_host::Host;
use regex::Regex;
use std::collections::BTreeSet;
use std::sync::LazyLock;

const MAX_CONFIG: u64 = 4 << 20;
const WEB_CONFIG_DIRS: &[&str] = &["/etc/nginx", "/etc/apache2", "/etc/httpd"];

/// The set of the host's own (organisational) domains.
#[derive(Debug, Clone, Default)]
pub struct OwnDomains {
    orgs: BTreeSet<String>,
    /// The names as found, for reports.
    pub names: BTreeSet<String>,
}

impl OwnDomains {
    /// Adds a name if it looks like a domain (`localhost` and single labels do not).
    pub fn add(&mut self, name: &str) {
        let n = name
            .trim()
            .trim_matches(['"', '\'', ';', ','])
            .trim_start_matches("*.")
            .trim_start_matches('.')
            .trim_end_matches('.')
            .to_ascii_lowercase();
        let valid = n.contains('.')
            && n.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
            && !n.ends_with(".localdomain")
            && !n.ends_with(".local")
            && !n.ends_with(".internal")
            && n.parse::<std::net::IpAddr>().is_err();
        if valid {
            self.orgs.insert(organisation(&n));
            self.names.insert(n);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.orgs.is_empty()
    }

    /// True when `domain` belongs to the host (same organisational domain).
    pub fn owns(&self, domain: &str) -> bool {
        let d = domain.trim().trim_end_matches('.').to_ascii_lowercase();
        !d.is_empty() && self.orgs.contains(&organisation(&d))
    }

    /// Reads `/etc/mailname`, `/etc/hostname` and the web servers' site names.
    pub fn load_system(&mut self, host: &Host, warnings: &mut Vec<Warning>) {
        for file in ["/etc/mailname", "/etc/hostname"] {
            if let Ok(c) = host.read(file, 4096) {
                self.add(&escape_bytes(c.bytes.trim_ascii()));
            }
        }
        static SITE_NAMES: LazyLock<Regex> = LazyLock::new(|| {
            crate::pattern::literal(r"(?mi)^\s*(?:server_name|ServerName|ServerAlias)\s+([^;#\n]+)")
        });
        for dir in WEB_CONFIG_DIRS {
            for entry in host.walk(dir, 4, warnings) {
                if !entry.is_file() {
                    continue;
                }
                let Ok(c) = host.read_entry(&entry, MAX_CONFIG) else {
                    continue;
                };
                let text = escape_bytes(&c.bytes);
                for cap in SITE_NAMES.captures_iter(&text) {
                    for name in crate::pattern::group(&cap, 1).split_whitespace() {
                        if !name.contains('$') && !name.starts_with('~') {
                            self.add(name.split(':').next().unwrap_or(""));
                        }
                    }
                }
            }
        }
    }
}

/// Second-level labels under which registrations happen one level deeper.
const SECOND_LEVEL: &[&str] = &[
    "co", "com", "net", "org", "gov", "edu", "ac", "or", "ne", "go", "gob", "mil", "nic",
];

/// The organisational part of a domain (last two labels, or three under `co.uk`-like
/// registries).
pub fn organisation(domain: &str) -> String {
    let labels: Vec<&str> = domain.split('.').filter(|l| !l.is_empty()).collect();
    let keep = match labels.as_slice() {
        [_, .., second, top] if top.len() == 2 && SECOND_LEVEL.contains(second) => 3,
        _ => 2,
    };
    let first = labels.len().saturating_sub(keep);
    labels.get(first..).unwrap_or_default().join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organisational_domains() {
        assert_eq!(organisation("mail.shop.example.co.uk"), "example.co.uk");
        assert_eq!(organisation("www.example.com"), "example.com");
        assert_eq!(organisation("example.de"), "example.de");
        let mut own = OwnDomains::default();
        own.add("web01.example.com");
        own.add("localhost");
        own.add("ip-172-31-5-10.ec2.internal");
        own.add("127.0.0.1");
        assert!(own.owns("example.com"));
        assert!(own.owns("News.Example.com."));
        assert!(!own.owns("paypal.com"));
        assert_eq!(own.names.len(), 1);
    }

    #[test]
    fn site_names_come_from_web_configs() {
        let t = tempfile::tempdir().unwrap();
        let r = t.path();
        std::fs::create_dir_all(r.join("etc/nginx/sites-enabled")).unwrap();
        std::fs::create_dir_all(r.join("etc/apache2/sites-enabled")).unwrap();
        std::fs::write(
            r.join("etc/nginx/sites-enabled/shop"),
            "server {\n server_name shop.example.org www.shop.example.org;\n}\n",
        )
        .unwrap();
        std::fs::write(
            r.join("etc/apache2/sites-enabled/blog.conf"),
            "<VirtualHost *:80>\n ServerName blog.example.net:80\n ServerAlias *.example.net\n</VirtualHost>\n",
        )
        .unwrap();
        let host = Host::image(r).unwrap();
        let mut own = OwnDomains::default();
        let mut w = Vec::new();
        own.load_system(&host, &mut w);
        assert!(own.owns("example.org") && own.owns("example.net"));
        assert!(w.is_empty());
    }
}
