//! PHP's own record of `mail()` calls (`mail.log`, PHP ≥ 5.3): each line names the
//! calling script with its full path and line, so it finds the sender even after the
//! queue was purged. The log's place comes from the host's PHP configuration
//! (`php.ini`, `conf.d`, FPM pools, `.user.ini`); `syslog` is not followed.
//!
//! A line reads `[24-Nov-2026 18:50:36 UTC] mail() on [/var/www/x.php:5]: To: a@b --
//! Headers: From: … -- Subject: …`.

use crate::pattern::group;
use breachkit_finding::{Warning, escape_bytes};
use breachkit_host::{Host, lines};
use regex::Regex;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// PHP configuration directories, with how deep to look.
const CONFIG_DIRS: &[(&str, usize)] = &[
    ("/etc/php", 5),
    ("/etc/php.d", 1),
    ("/etc/php-fpm.d", 1),
    ("/usr/local/etc/php", 3),
    ("/opt/cpanel", 6),
    ("/opt/alt", 5),
];
const SINGLE_FILES: &[&str] = &["/etc/php.ini", "/etc/php-fpm.conf"];
const MAX_CONFIG: u64 = 4 << 20;
/// The most of one mail log read (the newest part is what matters; it is appended).
const MAX_LOG: u64 = 256 << 20;
const MAX_LINE: usize = 64 << 10;

/// What the log says about one script.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ScriptCalls {
    /// Host path of the script, as PHP logged it.
    pub path: String,
    /// Lines of the script that called `mail()`, with how often.
    pub lines: BTreeMap<u64, usize>,
    pub calls: usize,
    /// Calls in the 24 hours before the log's newest entry.
    pub calls_last_day: usize,
    /// Recipients named in `To:` over all calls.
    pub recipients: usize,
    pub first: Option<i64>,
    pub last: Option<i64>,
    pub subjects: Vec<String>,
    /// The log and the line of the first call seen.
    pub log: String,
    pub log_line: u64,
}

/// The configured logs (host paths), in the order found.
pub fn configured_logs(
    host: &Host,
    web_roots: &[std::path::PathBuf],
    warnings: &mut Vec<Warning>,
) -> Vec<String> {
    static DIRECTIVE: LazyLock<Regex> = LazyLock::new(|| {
        crate::pattern::literal(
            r#"(?m)^\s*(?:php_(?:admin_)?value\s*\[\s*mail\.log\s*\]|php_(?:admin_)?value\s+mail\.log|mail\.log)\s*=?\s*"?([^";\r\n]+)"?"#,
        )
    });
    let mut files: Vec<breachkit_host::Entry> = Vec::new();
    for (dir, depth) in CONFIG_DIRS {
        files.extend(host.walk(dir, *depth, warnings).into_iter().filter(|e| {
            let n = e.file_name();
            e.is_file() && (n.ends_with(".ini") || n.ends_with(".conf"))
        }));
    }
    for f in SINGLE_FILES {
        if let Ok(e) = host.entry(f)
            && e.is_file()
        {
            files.push(e);
        }
    }
    for root in web_roots {
        files.extend(host.walk(root, 8, warnings).into_iter().filter(|e| {
            e.is_file() && matches!(e.file_name().as_str(), ".user.ini" | ".htaccess")
        }));
    }
    let mut logs = Vec::new();
    for e in files {
        let Ok(c) = host.read_entry(&e, MAX_CONFIG) else {
            continue;
        };
        let text = escape_bytes(&c.bytes);
        for cap in DIRECTIVE.captures_iter(&text) {
            let v = group(&cap, 1).trim();
            if v.starts_with('/') && !logs.iter().any(|l| l == v) {
                logs.push(v.to_string());
            }
        }
    }
    logs
}

/// Reads the logs; scripts by path.
pub fn read(host: &Host, logs: &[String], warnings: &mut Vec<Warning>) -> Vec<ScriptCalls> {
    static LINE: LazyLock<Regex> = LazyLock::new(|| {
        crate::pattern::literal(
            r"^(?:\[([^\]]+)\] )?.*?mail\(\) on \[(.+):(\d+)\]: To: (.*?) -- Headers: .*?(?: -- Subject: (.*))?$",
        )
    });
    let mut by_path: BTreeMap<String, ScriptCalls> = BTreeMap::new();
    let mut newest: Option<i64> = None;
    let mut times: Vec<(String, i64)> = Vec::new();
    for log in logs {
        let content = match host.read(log, MAX_LOG) {
            Ok(c) => c,
            Err(e) if e.is_not_found() => continue,
            Err(e) => {
                warnings.push(e.warning());
                continue;
            }
        };
        if content.truncated {
            warnings.push(Warning::new(
                log.clone(),
                format!(
                    "PHP mail log is {} bytes; only the first {MAX_LOG} were read",
                    content.meta.len()
                ),
            ));
        }
        for line in lines(&content.bytes, MAX_LINE) {
            let text = escape_bytes(line.bytes);
            let Some(cap) = LINE.captures(&text) else {
                continue;
            };
            let path = group(&cap, 2).to_string();
            let when = cap.get(1).and_then(|m| parse_time(m.as_str()));
            let s = by_path.entry(path.clone()).or_insert_with(|| ScriptCalls {
                path: path.clone(),
                log: log.clone(),
                log_line: line.number,
                ..ScriptCalls::default()
            });
            s.calls += 1;
            *s.lines
                .entry(group(&cap, 3).parse().unwrap_or(0))
                .or_default() += 1;
            s.recipients += group(&cap, 4)
                .split(',')
                .filter(|r| r.contains('@'))
                .count();
            if let Some(subject) = cap.get(5) {
                let subject = subject.as_str().trim().to_string();
                if s.subjects.len() < 3 && !s.subjects.contains(&subject) {
                    s.subjects.push(subject);
                }
            }
            if let Some(t) = when {
                s.first = Some(s.first.map_or(t, |f| f.min(t)));
                s.last = Some(s.last.map_or(t, |l| l.max(t)));
                newest = Some(newest.map_or(t, |n| n.max(t)));
                times.push((path, t));
            }
        }
    }
    if let Some(newest) = newest {
        for (path, t) in times {
            if t > newest - 86_400
                && let Some(s) = by_path.get_mut(&path)
            {
                s.calls_last_day += 1;
            }
        }
    }
    by_path.into_values().collect()
}

/// `24-Nov-2026 18:50:36 UTC` (PHP's `d-M-Y H:i:s e`); zones other than UTC are
/// looked up, and taken as UTC when unknown.
fn parse_time(s: &str) -> Option<i64> {
    let (dt, zone) = s.rsplit_once(' ')?;
    let civil = jiff::civil::DateTime::strptime("%d-%b-%Y %H:%M:%S", dt).ok()?;
    let tz = jiff::tz::TimeZone::get(zone).unwrap_or(jiff::tz::TimeZone::UTC);
    civil.to_zoned(tz).ok().map(|z| z.timestamp().as_second())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_lines_become_scripts() {
        let t = tempfile::tempdir().unwrap();
        let r = t.path();
        std::fs::create_dir_all(r.join("etc/php/8.2/fpm/pool.d")).unwrap();
        std::fs::create_dir_all(r.join("var/log")).unwrap();
        std::fs::write(
            r.join("etc/php/8.2/fpm/pool.d/www.conf"),
            "[www]\nphp_admin_value[mail.log] = /var/log/phpmail.log\n",
        )
        .unwrap();
        std::fs::write(
            r.join("var/log/phpmail.log"),
            "[24-Nov-2026 18:50:36 UTC] mail() on [/var/www/html/wp-content/uploads/x.php:5]: To: a@b.example, c@d.example -- Headers: From: x@y.example -- Subject: Hello\n\
             garbage \u{1} line\n\
             [24-Nov-2026 18:50:37 UTC] mail() on [/var/www/html/wp-content/uploads/x.php:5]: To: e@f.example -- Headers: X-Mailer: z -- Subject: Hello\n\
             [20-Nov-2026 10:00:00 UTC] mail() on [/var/www/html/contact.php:40]: To: owner@example.com -- Headers: From: site -- Subject: Contact\n",
        )
        .unwrap();
        let host = Host::image(r).unwrap();
        let mut w = Vec::new();
        let logs = configured_logs(&host, &[], &mut w);
        assert_eq!(logs, ["/var/log/phpmail.log"]);
        let scripts = read(&host, &logs, &mut w);
        assert_eq!(scripts.len(), 2);
        let x = scripts.iter().find(|s| s.path.ends_with("x.php")).unwrap();
        assert_eq!((x.calls, x.recipients, x.calls_last_day), (2, 3, 2));
        assert_eq!(x.lines.get(&5), Some(&2));
        assert_eq!(x.subjects, ["Hello"]);
        let c = scripts
            .iter()
            .find(|s| s.path.ends_with("contact.php"))
            .unwrap();
        assert_eq!(c.calls_last_day, 0);
        assert!(w.is_empty(), "{w:?}");
    }
}
