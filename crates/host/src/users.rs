//! Accounts, read from the host's own `/etc/passwd`, `/etc/shadow`, `/etc/group` and
//! `/etc/login.defs` (never through NSS: a hacked host's libraries may lie).

use crate::Host;
use breachkit_finding::{Warning, escape_bytes};
use std::collections::HashMap;
use std::path::PathBuf;

/// Accounts that run network-facing services (web servers, PHP, databases): a shell,
/// an interpreter or a downloader run by one of them is how webshells show.
pub const WEB_ACCOUNTS: &[&str] = &[
    "www-data", "apache", "nginx", "httpd", "http", "lighttpd", "wwwrun", "caddy", "php-fpm",
    "nobody", "mysql", "mariadb", "postgres", "tomcat", "www",
];

/// The largest account file read (a real `/etc/passwd` is a few KiB).
const MAX_ACCOUNT_FILE: u64 = 16 << 20;

#[derive(Debug, Clone)]
pub struct User {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
    /// Home directory as a host path.
    pub home: PathBuf,
    /// Login shell; an empty field means `/bin/sh`.
    pub shell: String,
    /// Line in `/etc/passwd`.
    pub line: u64,
}

impl User {
    /// True when the shell lets the account log in (`nologin`, `false`, `sync`… do not).
    pub fn has_login_shell(&self) -> bool {
        let base = self.shell.rsplit('/').next().unwrap_or("");
        !matches!(
            base,
            "nologin" | "false" | "sync" | "shutdown" | "halt" | "true"
        )
    }

    pub fn is_web_account(&self) -> bool {
        WEB_ACCOUNTS.contains(&self.name.as_str())
    }
}

#[derive(Debug, Clone)]
pub struct Group {
    pub name: String,
    pub gid: u32,
    pub members: Vec<String>,
}

#[derive(Debug, Default)]
pub struct Accounts {
    pub users: Vec<User>,
    pub groups: Vec<Group>,
    /// Password hash by account name; `None` when `/etc/shadow` could not be read.
    pub shadow: Option<HashMap<String, String>>,
    /// `UID_MIN` from `/etc/login.defs` (1000 when absent).
    pub uid_min: u32,
    /// Problems met while reading the files.
    pub warnings: Vec<Warning>,
}

impl Accounts {
    pub(crate) fn load(host: &Host) -> Accounts {
        let mut acc = Accounts {
            uid_min: 1000,
            ..Accounts::default()
        };
        if let Some(text) = read_text(host, "/etc/passwd", &mut acc.warnings) {
            acc.users = parse_passwd(&text, &mut acc.warnings);
        }
        if let Some(text) = read_text(host, "/etc/group", &mut acc.warnings) {
            acc.groups = text.lines().filter_map(parse_group).collect();
        }
        if let Some(text) = read_text(host, "/etc/shadow", &mut acc.warnings) {
            acc.shadow = Some(
                text.lines()
                    .filter_map(|l| {
                        let mut f = l.split(':');
                        Some((f.next()?.to_string(), f.next()?.to_string()))
                    })
                    .collect(),
            );
        }
        if let Some(text) = read_text(host, "/etc/login.defs", &mut acc.warnings) {
            acc.uid_min = text
                .lines()
                .filter_map(|l| l.trim().strip_prefix("UID_MIN"))
                .filter_map(|v| v.trim().parse().ok())
                .next()
                .unwrap_or(1000);
        }
        acc
    }

    pub fn by_uid(&self, uid: u32) -> Option<&User> {
        self.users.iter().find(|u| u.uid == uid)
    }

    pub fn by_name(&self, name: &str) -> Option<&User> {
        self.users.iter().find(|u| u.name == name)
    }

    /// A system or service account: not root, not a person (below `UID_MIN`, or `nobody`).
    pub fn is_service(&self, user: &User) -> bool {
        user.uid != 0 && (user.uid < self.uid_min || user.uid == 65534 || user.is_web_account())
    }

    /// Members of a group: listed members and accounts whose primary group it is.
    pub fn members_of(&self, group: &str) -> Vec<&User> {
        let Some(g) = self.groups.iter().find(|g| g.name == group) else {
            return Vec::new();
        };
        self.users
            .iter()
            .filter(|u| u.gid == g.gid || g.members.iter().any(|m| m == &u.name))
            .collect()
    }

    /// Every distinct home directory, root's `/root` always among them, with its owner
    /// (the first account listing it).
    pub fn homes(&self) -> Vec<(PathBuf, Option<&User>)> {
        let mut out: Vec<(PathBuf, Option<&User>)> = Vec::new();
        if !self
            .users
            .iter()
            .any(|u| u.home == std::path::Path::new("/root"))
        {
            out.push((PathBuf::from("/root"), None));
        }
        for u in &self.users {
            if u.home.as_os_str().is_empty() || u.home == std::path::Path::new("/") {
                continue;
            }
            if !out.iter().any(|(h, _)| h == &u.home) {
                out.push((u.home.clone(), Some(u)));
            }
        }
        out
    }
}

fn read_text(host: &Host, path: &str, warnings: &mut Vec<Warning>) -> Option<String> {
    match host.read(path, MAX_ACCOUNT_FILE) {
        Ok(c) => {
            if c.truncated {
                warnings.push(Warning::new(
                    path,
                    format!(
                        "file is {} bytes; only the first {MAX_ACCOUNT_FILE} were read",
                        c.meta.len()
                    ),
                ));
            }
            Some(escape_bytes(&c.bytes))
        }
        Err(e) if e.is_not_found() => None,
        Err(e) => {
            warnings.push(e.warning());
            None
        }
    }
}

fn parse_passwd(text: &str, warnings: &mut Vec<Warning>) -> Vec<User> {
    let mut users = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') || t.starts_with('+') || t.starts_with('-') {
            continue;
        }
        let Some(user) = passwd_entry(line, i as u64 + 1) else {
            warnings.push(Warning::new(
                "/etc/passwd",
                format!(
                    "line {}: not a passwd entry (name:x:uid:gid:gecos:home:shell); ignored",
                    i + 1
                ),
            ));
            continue;
        };
        users.push(user);
    }
    users
}

/// One `/etc/passwd` line (at least seven fields; a shell holding `:` keeps them).
fn passwd_entry(line: &str, number: u64) -> Option<User> {
    let fields: Vec<&str> = line.split(':').collect();
    let [name, _, uid, gid, _, home, shell @ ..] = fields.as_slice() else {
        return None;
    };
    if shell.is_empty() {
        return None;
    }
    Some(User {
        name: name.to_string(),
        uid: uid.parse().ok()?,
        gid: gid.parse().ok()?,
        home: PathBuf::from(home),
        shell: shell.join(":"),
        line: number,
    })
}

fn parse_group(line: &str) -> Option<Group> {
    let fields: Vec<&str> = line.split(':').collect();
    let [name, _, gid, members, ..] = fields.as_slice() else {
        return None;
    };
    Some(Group {
        name: name.to_string(),
        gid: gid.parse().ok()?,
        members: members
            .split(',')
            .filter(|m| !m.is_empty())
            .map(str::to_string)
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwd_parsing_tolerates_garbage() {
        let mut w = Vec::new();
        let users = parse_passwd(
            "root:x:0:0:root:/root:/bin/bash\ngarbage\n\nwww-data:x:33:33::/var/www:/usr/sbin/nologin\n",
            &mut w,
        );
        assert_eq!(users.len(), 2);
        assert_eq!(w.len(), 1);
        assert!(w[0].message.contains("line 2"));
        assert!(!users[1].has_login_shell());
        assert!(users[1].is_web_account());
        assert_eq!(users[1].line, 4);
    }

    #[test]
    fn short_and_odd_lines_are_refused_not_indexed() {
        let user = passwd_entry("x:x:1:2:gecos:/home/x:/bin/sh:extra", 3).unwrap();
        assert_eq!((user.uid, user.gid, user.line), (1, 2, 3));
        assert_eq!(user.shell, "/bin/sh:extra");
        for line in ["", ":", "x:x:1:2:g:/h", "x:x:one:2:g:/h:/s"] {
            assert!(passwd_entry(line, 1).is_none(), "{line:?}");
        }
        let g = parse_group("wheel:x:10:alice,,bob").unwrap();
        assert_eq!((g.gid, g.members), (10, vec!["alice".into(), "bob".into()]));
        assert!(parse_group("wheel:x:10").is_none());
        assert!(parse_group("wheel:x:ten:").is_none());
    }
}
