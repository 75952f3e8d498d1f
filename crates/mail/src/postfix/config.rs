//! Postfix's `main.cf`, read from the host's own files: where the queue is
//! (`queue_directory`), the other instances (`multi_instance_directories`,
//! `alternate_config_directories`), and which domains are the host's own. Only the
//! parameters used here are expanded (`$name`, `${name}`), from the file and
//! Postfix's documented defaults.

use crate::domains::OwnDomains;
use breachkit_finding::{Warning, escape_bytes};
use breachkit_host::Host;
use std::collections::HashMap;

pub const DEFAULT_CONFIG_DIR: &str = "/etc/postfix";
pub const DEFAULT_QUEUE_DIR: &str = "/var/spool/postfix";
const MAX_MAIN_CF: u64 = 4 << 20;

/// One Postfix instance's settings that matter here.
#[derive(Debug, Clone)]
pub struct Instance {
    pub config_dir: String,
    pub queue_dir: String,
    params: HashMap<String, String>,
}

impl Instance {
    /// A parameter with `$name` references expanded (a few levels deep).
    pub fn get(&self, name: &str) -> Option<String> {
        self.params.get(name).map(|v| self.expand(v, 0))
    }

    fn expand(&self, value: &str, depth: usize) -> String {
        if depth > 8 || !value.contains('$') {
            return value.to_string();
        }
        let mut out = String::new();
        let mut rest = value;
        while let Some((before, after)) = rest.split_once('$') {
            out.push_str(before);
            let (name, tail) = match after.strip_prefix('{') {
                Some(inner) => inner.split_once('}').unwrap_or((inner, "")),
                None => {
                    let end = after
                        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .unwrap_or(after.len());
                    after.split_at_checked(end).unwrap_or((after, ""))
                }
            };
            if let Some(v) = self.params.get(name) {
                out.push_str(&self.expand(v, depth + 1));
            }
            rest = tail;
        }
        out.push_str(rest);
        out
    }

    /// Adds the instance's own domains: `myhostname`, `mydomain`, `myorigin`,
    /// `mydestination` and the virtual domains.
    pub fn add_domains(&self, host: &Host, own: &mut OwnDomains) {
        for param in [
            "myhostname",
            "mydomain",
            "myorigin",
            "mydestination",
            "virtual_alias_domains",
            "virtual_mailbox_domains",
        ] {
            let Some(value) = self.get(param) else {
                continue;
            };
            for item in value.split([',', ' ', '\t']).filter(|s| !s.is_empty()) {
                if item.starts_with('/') {
                    // myorigin = /etc/mailname: a file holding the name.
                    if let Ok(c) = host.read(item, 4096) {
                        own.add(&escape_bytes(c.bytes.trim_ascii()));
                    }
                } else if !item.contains(':') {
                    own.add(item);
                }
            }
        }
    }
}

/// The instances configured on the host: the default one (if its `main.cf` exists)
/// and those it lists. Without any `main.cf`, the default queue directory still is
/// where Postfix keeps mail.
pub fn instances(host: &Host, warnings: &mut Vec<Warning>) -> Vec<Instance> {
    let mut out = Vec::new();
    let Some(default) = load(host, DEFAULT_CONFIG_DIR, warnings) else {
        return vec![Instance {
            config_dir: DEFAULT_CONFIG_DIR.to_string(),
            queue_dir: DEFAULT_QUEUE_DIR.to_string(),
            params: HashMap::new(),
        }];
    };
    let mut others = Vec::new();
    for param in ["multi_instance_directories", "alternate_config_directories"] {
        if let Some(v) = default.get(param) {
            others.extend(
                v.split([',', ' ', '\t'])
                    .filter(|s| s.starts_with('/'))
                    .map(str::to_string),
            );
        }
    }
    out.push(default);
    for dir in others {
        if out.iter().any(|i| i.config_dir == dir) {
            continue;
        }
        if let Some(i) = load(host, &dir, warnings) {
            out.push(i);
        }
    }
    out
}

fn load(host: &Host, config_dir: &str, warnings: &mut Vec<Warning>) -> Option<Instance> {
    let path = format!("{}/main.cf", config_dir.trim_end_matches('/'));
    let content = match host.read(&path, MAX_MAIN_CF) {
        Ok(c) => c,
        Err(e) if e.is_not_found() => return None,
        Err(e) => {
            warnings.push(e.warning());
            return None;
        }
    };
    let mut params = parse_main_cf(&escape_bytes(&content.bytes));
    let hostname = host
        .read("/etc/hostname", 4096)
        .map(|c| escape_bytes(c.bytes.trim_ascii()))
        .unwrap_or_default();
    params
        .entry("myhostname".to_string())
        .or_insert_with(|| hostname.clone());
    if !params.contains_key("mydomain") {
        let myhostname = params.get("myhostname").cloned().unwrap_or_default();
        if let Some((_, d)) = myhostname.split_once('.') {
            params.insert("mydomain".to_string(), d.to_string());
        }
    }
    params
        .entry("myorigin".to_string())
        .or_insert_with(|| "$myhostname".to_string());
    params
        .entry("mydestination".to_string())
        .or_insert_with(|| "$myhostname, localhost.$mydomain, localhost".to_string());
    let mut inst = Instance {
        config_dir: config_dir.to_string(),
        queue_dir: String::new(),
        params,
    };
    inst.queue_dir = inst
        .get("queue_directory")
        .filter(|q| q.starts_with('/'))
        .unwrap_or_else(|| DEFAULT_QUEUE_DIR.to_string());
    Some(inst)
}

/// `name = value` lines; a line starting with whitespace continues the previous one.
fn parse_main_cf(text: &str) -> HashMap<String, String> {
    let mut params = HashMap::new();
    let mut current: Option<(String, String)> = None;
    for line in text.lines() {
        if line.trim_start().starts_with('#') {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = current.as_mut() {
                v.push(' ');
                v.push_str(line.trim());
            }
            continue;
        }
        if let Some((k, v)) = current.take() {
            params.insert(k, v);
        }
        if let Some((k, v)) = line.split_once('=') {
            current = Some((k.trim().to_string(), v.trim().to_string()));
        }
    }
    if let Some((k, v)) = current {
        params.insert(k, v);
    }
    params
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn main_cf_values_expand() {
        let t = tempfile::tempdir().unwrap();
        let r = t.path();
        std::fs::create_dir_all(r.join("etc/postfix")).unwrap();
        std::fs::write(r.join("etc/mailname"), "mail.example.org\n").unwrap();
        std::fs::write(
            r.join("etc/postfix/main.cf"),
            "# comment\nmyhostname = web01.example.com\nmyorigin = /etc/mailname\n\
             mydestination = $myhostname, localhost.${mydomain},\n    localhost, shop.example.net\n\
             queue_directory = /srv/pfq\nvirtual_alias_maps = hash:/etc/postfix/virtual\n",
        )
        .unwrap();
        let host = Host::image(r).unwrap();
        let mut w = Vec::new();
        let inst = instances(&host, &mut w);
        assert_eq!(inst.len(), 1);
        assert_eq!(inst[0].queue_dir, "/srv/pfq");
        assert_eq!(
            inst[0].get("mydestination").as_deref(),
            Some("web01.example.com, localhost.example.com, localhost, shop.example.net")
        );
        let mut own = OwnDomains::default();
        inst[0].add_domains(&host, &mut own);
        assert!(own.owns("example.com") && own.owns("example.org") && own.owns("example.net"));
        assert!(w.is_empty());
    }

    #[test]
    fn no_main_cf_means_the_default_queue() {
        let t = tempfile::tempdir().unwrap();
        let host = Host::image(t.path()).unwrap();
        let inst = instances(&host, &mut Vec::new());
        assert_eq!(inst[0].queue_dir, DEFAULT_QUEUE_DIR);
    }
}
