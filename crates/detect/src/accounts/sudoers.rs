//! `/etc/sudoers` and what it includes: rules that let a service account (or every
//! account) run commands as root without a password.

use crate::Context;
use breachkit_finding::{Rule, Severity, Step, escape_bytes, escape_path};
use breachkit_host::{Accounts, lines};
use regex::Regex;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

const SUDOERS: &str = "/etc/sudoers";
const MAX_SUDOERS: u64 = 4 << 20;
const MAX_LINE: usize = 64 << 10;
/// sudo's own limit on nested includes.
const MAX_DEPTH: usize = 128;

const NOPASSWD_SERVICE: Rule = Rule {
    id: "accounts.sudo-nopasswd-service",
    step: Step::Aware,
    severity: Severity::Critical,
    title: "A service account may sudo without a password",
    explanation: "This sudoers rule lets a service account (the web server, a database, a daemon), or every account, run commands as root without a password. Whoever runs code as that account (a webshell, an exploited plugin) becomes root with one command. No package sets this up; attackers add it to keep root.",
    mitre: Some("T1548.003"),
    next_step: "Keep a copy for evidence, then remove the rule (edit with visudo, or delete the file under /etc/sudoers.d), and look in auth.log for sudo use by that account.",
};

/// One logical line of a sudoers file: continuation lines joined, comment removed.
#[derive(Debug, PartialEq, Eq)]
struct Logical {
    /// Line number of its first physical line.
    line: u64,
    bytes: Vec<u8>,
}

/// A sudoers file read, with its logical lines.
struct File {
    path: String,
    lines: Vec<Logical>,
}

/// A user specification: who, and whether any command is tagged `NOPASSWD`.
#[derive(Debug, PartialEq, Eq)]
struct UserSpec {
    users: Vec<String>,
    nopasswd: bool,
}

pub fn check(ctx: &mut Context, accounts: &Accounts) {
    let mut files = Vec::new();
    let mut seen = Vec::new();
    load(ctx, Path::new(SUDOERS), 0, &mut seen, &mut files);
    let mut aliases: HashMap<String, Vec<String>> = HashMap::new();
    for file in &files {
        for l in &file.lines {
            aliases.extend(user_aliases(&String::from_utf8_lossy(&l.bytes)));
        }
    }
    for file in &files {
        for l in &file.lines {
            let Some(spec) = user_spec(&String::from_utf8_lossy(&l.bytes)) else {
                continue;
            };
            if !spec.nopasswd {
                continue;
            }
            let mut who: Vec<String> = Vec::new();
            for item in &spec.users {
                for name in service_accounts(item, accounts, &aliases, 0) {
                    let shown = grantee(&name, item);
                    if !who.contains(&shown) {
                        who.push(shown);
                    }
                }
            }
            if who.is_empty() {
                continue;
            }
            ctx.report(
                NOPASSWD_SERVICE
                    .finding()
                    .path(&file.path)
                    .line(l.line)
                    .evidence(escape_bytes(&l.bytes))
                    .note(format!("NOPASSWD applies to: {}.", who.join(", "))),
            );
        }
    }
}

/// Reads one sudoers file and, in place, the files it includes.
fn load(
    ctx: &mut Context,
    path: &Path,
    depth: usize,
    seen: &mut Vec<PathBuf>,
    files: &mut Vec<File>,
) {
    // Included twice (or in a loop): its rules are already counted.
    if seen.iter().any(|p| p == path) {
        return;
    }
    if depth > MAX_DEPTH {
        ctx.warn_at(
            escape_path(path),
            "more than 128 nested sudoers includes; not read",
        );
        return;
    }
    seen.push(path.to_path_buf());
    let Some(content) = ctx.read(path, MAX_SUDOERS) else {
        return;
    };
    let mut file = File {
        path: escape_path(path),
        lines: Vec::new(),
    };
    for l in logical_lines(&content.bytes) {
        match include(&String::from_utf8_lossy(&l.bytes)) {
            Some(Include::File(target)) => {
                let target = relative_to(path, &target);
                load(ctx, &target, depth + 1, seen, files);
            }
            Some(Include::Dir(dir)) => {
                let dir = relative_to(path, &dir);
                for entry in ctx.walk(&dir, 1) {
                    let name = entry.file_name();
                    if entry.meta.is_dir() || name.contains('.') || name.ends_with('~') {
                        continue;
                    }
                    load(ctx, &entry.host, depth + 1, seen, files);
                }
            }
            None => file.lines.push(l),
        }
    }
    files.push(file);
}

/// An include target relative to the including file's directory (sudo 1.9.1 on).
fn relative_to(including: &Path, target: &str) -> PathBuf {
    match including.parent() {
        Some(dir) => dir.join(target),
        None => PathBuf::from(target),
    }
}

/// The logical lines of a sudoers file: a `#` starts a comment (except `#include`
/// directives and `#123` user ids), a trailing `\` continues the line.
fn logical_lines(bytes: &[u8]) -> Vec<Logical> {
    let mut out = Vec::new();
    let mut pending: Option<Logical> = None;
    for line in lines(bytes, MAX_LINE) {
        let code = strip_comment(line.bytes);
        let (code, continues) = match code.trim_ascii_end().strip_suffix(b"\\") {
            Some(head) => (head, true),
            None => (code, false),
        };
        let current = pending.get_or_insert_with(|| Logical {
            line: line.number,
            bytes: Vec::new(),
        });
        if !current.bytes.is_empty() {
            current.bytes.push(b' ');
        }
        current.bytes.extend_from_slice(code.trim_ascii());
        if continues {
            continue;
        }
        out.extend(pending.take().filter(|l| !l.bytes.is_empty()));
    }
    out.extend(pending.filter(|l| !l.bytes.is_empty()));
    out
}

fn strip_comment(line: &[u8]) -> &[u8] {
    let t = line.trim_ascii_start();
    if [&b"#include"[..], b"#includedir"].iter().any(|d| {
        t.strip_prefix(*d)
            .is_some_and(|rest| rest.first().is_some_and(u8::is_ascii_whitespace))
    }) {
        return line;
    }
    let mut quoted = false;
    for (i, &c) in line.iter().enumerate() {
        match c {
            b'"' => quoted = !quoted,
            b'#' if !quoted && !line.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                return line.get(..i).unwrap_or(line);
            }
            _ => {}
        }
    }
    line
}

enum Include {
    File(String),
    Dir(String),
}

fn include(line: &str) -> Option<Include> {
    let (word, rest) = line.split_once(|c: char| c.is_ascii_whitespace())?;
    let target = rest.trim().trim_matches('"').to_string();
    match word {
        "#include" | "@include" => Some(Include::File(target)),
        "#includedir" | "@includedir" => Some(Include::Dir(target)),
        _ => None,
    }
}

/// `User_Alias NAME = a, b : OTHER = c` as `(NAME, [a, b])`, `(OTHER, [c])`.
fn user_aliases(line: &str) -> Vec<(String, Vec<String>)> {
    let Some(rest) = line.strip_prefix("User_Alias") else {
        return Vec::new();
    };
    if !rest.starts_with(|c: char| c.is_ascii_whitespace()) {
        return Vec::new();
    }
    rest.split(':')
        .filter_map(|def| {
            let (name, members) = def.split_once('=')?;
            Some((name.trim().to_string(), list(members)))
        })
        .collect()
}

/// A comma-separated list, items trimmed.
fn list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// A `NOPASSWD:` tag in the command part of a rule.
// A literal pattern, compiled by this module's tests: it cannot fail.
#[allow(clippy::expect_used)]
static NOPASSWD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|[\s,):])NOPASSWD\s*:").expect("static regex"));

/// A user specification (`users hosts = [(runas)] [TAGS:] commands`); `None` for
/// `Defaults`, alias definitions and anything else.
fn user_spec(line: &str) -> Option<UserSpec> {
    let first = line
        .split(|c: char| c.is_ascii_whitespace() || c == ':')
        .next()?;
    if first.starts_with("Defaults") || first.ends_with("_Alias") {
        return None;
    }
    let (who, commands) = line.split_once('=')?;
    // "alice, %ops  ALL" → the user list, then the host list.
    let mut lists = who.split(',').map(str::trim).collect::<Vec<_>>().join(",");
    let hosts_at = lists.rfind(|c: char| c.is_ascii_whitespace())?;
    lists.truncate(hosts_at);
    Some(UserSpec {
        users: list(&lists),
        nopasswd: NOPASSWD.is_match(commands),
    })
}

/// How an account reached by a user item is shown: `www-data`, `nginx (via %web)`,
/// `every account (ALL)`. Account names come escaped from `Accounts`; the item is
/// sudoers text.
fn grantee(name: &str, item: &str) -> String {
    let shown = if name == ALL {
        "every account (ALL)"
    } else {
        name
    };
    if name == item {
        shown.to_string()
    } else {
        format!("{shown} (via {})", escape_bytes(item.as_bytes()))
    }
}

/// The user item that stands for every account.
const ALL: &str = "ALL";

/// The service accounts a sudoers user item names: an account, `#uid`, `%group`,
/// `%#gid`, a `User_Alias`, or `ALL` (every account, returned as `ALL`). Negated
/// items grant nothing.
fn service_accounts(
    item: &str,
    accounts: &Accounts,
    aliases: &HashMap<String, Vec<String>>,
    depth: usize,
) -> Vec<String> {
    let item = item.trim_matches('"');
    if item.starts_with('!') || depth > MAX_DEPTH {
        return Vec::new();
    }
    if item == ALL {
        return vec![ALL.to_string()];
    }
    if let Some(members) = aliases.get(item) {
        return members
            .iter()
            .flat_map(|m| service_accounts(m, accounts, aliases, depth + 1))
            .collect();
    }
    let users = if let Some(group) = item.strip_prefix('%') {
        let name = match group.strip_prefix('#') {
            Some(gid) => accounts
                .groups
                .iter()
                .find(|g| gid.parse::<u32>().ok() == Some(g.gid))
                .map(|g| g.name.as_str()),
            None => Some(group),
        };
        name.map(|n| accounts.members_of(n)).unwrap_or_default()
    } else if let Some(uid) = item.strip_prefix('#') {
        uid.parse()
            .ok()
            .and_then(|u| accounts.by_uid(u))
            .into_iter()
            .collect()
    } else {
        accounts.by_name(item).into_iter().collect()
    };
    users
        .into_iter()
        .filter(|u| accounts.is_service(u))
        .map(|u| u.name.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(line: &str) -> Option<(Vec<String>, bool)> {
        user_spec(line).map(|s| (s.users, s.nopasswd))
    }

    #[test]
    fn continuations_comments_and_includes() {
        let text = b"# comment\nDefaults env_reset # trailing\n\nwww-data ALL=(ALL) \\\n   NOPASSWD: ALL\n#1000 ALL=ALL\n#includedir /etc/sudoers.d\n";
        let got = logical_lines(text);
        let shown: Vec<_> = got
            .iter()
            .map(|l| (l.line, String::from_utf8_lossy(&l.bytes).into_owned()))
            .collect();
        assert_eq!(
            shown,
            [
                (2, "Defaults env_reset".to_string()),
                (4, "www-data ALL=(ALL) NOPASSWD: ALL".to_string()),
                (6, "#1000 ALL=ALL".to_string()),
                (7, "#includedir /etc/sudoers.d".to_string()),
            ]
        );
        assert!(
            matches!(include("@includedir /etc/sudoers.d"), Some(Include::Dir(d)) if d == "/etc/sudoers.d")
        );
        assert!(matches!(include("#include \"x y\""), Some(Include::File(f)) if f == "x y"));
        assert!(include("#included x").is_none());
        assert_eq!(
            relative_to(Path::new("/etc/sudoers"), "local"),
            PathBuf::from("/etc/local")
        );
    }

    #[test]
    fn user_specs() {
        assert_eq!(
            spec("www-data ALL=(ALL) NOPASSWD: ALL"),
            Some((vec!["www-data".to_string()], true))
        );
        assert_eq!(
            spec("alice , %web\tALL = (root)NOPASSWD:/bin/ls"),
            Some((vec!["alice".to_string(), "%web".to_string()], true))
        );
        assert_eq!(
            spec("%sudo ALL=(ALL:ALL) ALL"),
            Some((vec!["%sudo".to_string()], false))
        );
        assert_eq!(
            spec("deploy ALL = PASSWD: /bin/x"),
            Some((vec!["deploy".to_string()], false))
        );
        assert_eq!(spec("Defaults:www-data !authenticate"), None);
        assert_eq!(spec("Cmnd_Alias X = /bin/ls"), None);
        assert_eq!(spec("garbage"), None);
    }

    #[test]
    fn grantees_say_how_they_were_reached() {
        assert_eq!(grantee("www-data", "www-data"), "www-data");
        assert_eq!(grantee("nginx", "%web"), "nginx (via %web)");
        assert_eq!(grantee("ALL", "ALL"), "every account (ALL)");
        assert_eq!(
            grantee("ALL", "EVERYONE"),
            "every account (ALL) (via EVERYONE)"
        );
    }

    #[test]
    fn aliases() {
        assert_eq!(
            user_aliases("User_Alias WEB = www-data, nginx : DB = mysql"),
            [
                (
                    "WEB".to_string(),
                    vec!["www-data".to_string(), "nginx".to_string()]
                ),
                ("DB".to_string(), vec!["mysql".to_string()])
            ]
        );
        assert!(user_aliases("User_Aliasx A = b").is_empty());
    }
}
